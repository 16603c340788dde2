"""The anatomy's rules one at a time, on synthetic sentences (they never count in the measured
precision and recall, which only the real labelled texts give: bench/anatomy.py)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from archive.anatomy.analysis import analyse, to_json
from archive.anatomy.catalogue import catalogue
from archive.anatomy.numbers import chinese_integer, number_value, percent_value, read_quantity

REQUIRED = {
    "admin_review_received",
    "admin_review_closed",
    "admin_review_correction_rate",
    "admin_litigation_cases",
    "admin_litigation_loss_rate",
    "head_court_appearance_rate",
    "normative_docs_reviewed",
    "normative_docs_filed",
    "major_decisions_reviewed",
    "enforcement_cases",
}
OPENING = "2023年,我区扎实推进法治政府建设。现将有关情况报告如下:\n一、主要举措和成效\n"


def figures(body: str, agency: str = "某市某区人民政府") -> list[tuple[str, float]]:
    got = to_json(analyse(OPENING + body, 2023, agency))["figures"]
    return [(f["indicator"], f["value"]) for f in got]


@pytest.mark.parametrize(
    ("written", "value"),
    [
        ("一千二百三十", 1230),
        ("十二", 12),
        ("三百零五", 305),
        ("两千零二十三", 2023),
        ("二〇二三", 2023),
        ("九", 9),
        ("一万", None),  # 万 is a magnitude: number_value reads it
        ("十百", None),
    ],
)
def test_chinese_numerals(written: str, value: int | None) -> None:
    assert chinese_integer(written) == value


@pytest.mark.parametrize(
    ("written", "value"),
    [("1.2万", 12000), ("三千", 3000), ("3亿", 300_000_000), ("15968", 15968), ("1.5", 1.5)],
)
def test_numbers_with_magnitudes(written: str, value: float) -> None:
    assert number_value(written) == value


def test_percentages() -> None:
    assert percent_value("12.5%") == 12.5
    assert percent_value("百分之九十八点五") == 98.5
    assert percent_value("百分之百") == 100


@pytest.mark.parametrize(
    ("sentence", "exact"),
    [
        ("受理案件120件", True),
        ("受理案件120余件", False),
        ("受理案件约120件", False),
        ("受理案件10-15件", False),
        ("受理案件十至十五件", False),
        ("同比增长20%", False),
        ("下降至3.1%", True),
    ],
)
def test_quantities_that_are_levels(sentence: str, exact: bool) -> None:
    digits = [i for i, c in enumerate(sentence) if c.isdigit() or c in "十"]
    start = digits[0]
    end = start
    while end < len(sentence) and (sentence[end].isdigit() or sentence[end] in ".十"):
        end += 1
    percent = sentence[end : end + 1] == "%"
    quantity = read_quantity(sentence, start, end + percent, percent=percent)
    assert quantity is not None and quantity.exact_level is exact


def test_the_catalogue_has_the_issues_keys_and_an_example_where_a_real_report_has_one() -> None:
    keys = {indicator.key for indicator in catalogue()}
    assert keys >= REQUIRED
    assert {"legal_advisers", "normative_docs_cleaned", "law_popularization_events"} <= keys
    for indicator in catalogue():
        assert indicator.wordings and indicator.patterns()
        assert indicator.unit == "%" if indicator.is_rate else indicator.units


@pytest.mark.parametrize(
    ("body", "want"),
    [
        ("全年受理行政复议案件一百二十件,审结一百一十件。", [("admin_review_received", 120)]),
        ("行政复议纠错率12.5%。", [("admin_review_correction_rate", 12.5)]),
        ("全区行政诉讼败诉率为3.1%。", [("admin_litigation_loss_rate", 3.1)]),
        ("发生行政诉讼案件56件。", [("admin_litigation_cases", 56)]),
        ("合法性审查重大行政决策12件。", [("major_decisions_reviewed", 12)]),
        ("查处各类执法案件1.2万件。", [("enforcement_cases", 12000)]),
        ("清理区政府规范性文件64件。", [("normative_docs_cleaned", 64)]),
        ("开展普法宣传活动86场次。", [("law_popularization_events", 86)]),
    ],
)
def test_wordings(body: str, want: list[tuple[str, float]]) -> None:
    assert figures(body) == want


@pytest.mark.parametrize(
    ("body", "why"),
    [
        ("2022年,受理行政复议案件120件。", "another year"),
        ("上年受理行政复议案件120件。", "last year"),
        ("近三年累计受理行政复议案件320件。", "several years"),
        ("上半年受理行政复议案件60件。", "part of the year"),
        ("全市受理行政复议案件900件。", "a higher body's scope"),
        ("区法院受理行政诉讼案件80件。", "the court's"),
        ("其中,区市场监管局查处行政处罚案件30件。", "a sub-unit (其中)"),
        ("某某街道受理行政复议案件5件。", "a sub-unit"),
        ("(区司法局受理行政复议案件20件)", "a bracket"),
        ("力争行政机关负责人出庭应诉率达到100%。", "a target"),
        ("受理行政复议案件120余件。", "approximate"),
        ("行政机关负责人出庭应诉率同比提高5%。", "a change, not a rate"),
        ("审查县政府规范性文件及政策措施文件29件。", "a combined count"),
        ("受理行政复议案件120件。受理行政复议案件130件。", "two values"),
    ],
)
def test_what_is_not_the_reports_own_figure(body: str, why: str) -> None:
    assert figures(body) == [], why


def test_plans_and_shortcomings_give_no_figures() -> None:
    text = (
        "二、存在的问题\n仍有行政复议案件12件未结。\n三、2024年工作打算\n"
        "2024年,我区将力争受理行政复议案件全部办结,负责人出庭应诉率达100%。"
    )
    assert figures(text) == []


def test_outline_levels_follow_the_styles_used() -> None:
    text = (
        "第一部分 主要成效\n一、加强领导\n(一)学法\n1.常务会学法。全年学法12次。\n"
        "二、规范执法\n第二部分 存在的问题\n一、基层力量薄弱\n"
        "第三部分 2024年工作安排\n一、抓好学法\t\t\n"
    )
    got = to_json(analyse(text, 2023))
    assert [(s["title"], s["level"], s["part"]) for s in got["sections"]] == [
        ("第一部分 主要成效", 1, 1),
        ("一、加强领导", 2, 1),
        ("(一)学法", 3, 1),
        ("1.常务会学法", 4, 1),
        ("二、规范执法", 2, 1),
        ("第二部分 存在的问题", 1, 2),
        ("一、基层力量薄弱", 2, 2),
        ("第三部分 2024年工作安排", 1, 4),
        ("一、抓好学法", 2, 4),  # a table row whose other cells are empty
    ]
    assert got["parts_present"] == [1, 2, 4]


_FRAGMENTS = st.sampled_from(
    [
        "全年受理行政复议案件120件,",
        "审结110件。",
        "行政机关负责人出庭应诉率达100%。",
        "其中",
        "2022年,",
        "一、主要工作\n",
        "(一)执法\n",
        "办理执法案件1.2万件。",
        "全市",
        "\n",
        "纠错率8.8%;",
        "发布规范性文件6件。",
    ]
)


@settings(max_examples=200, deadline=None)
@given(st.lists(_FRAGMENTS, max_size=30))
def test_every_figure_has_its_evidence(fragments: list[str]) -> None:
    text = "".join(fragments)
    for figure in to_json(analyse(text, 2023, "某市某区人民政府"))["figures"]:
        assert figure["evidence"]
        assert text[figure["start"] : figure["end"]] == figure["evidence"]
        assert figure["year"] == 2023
