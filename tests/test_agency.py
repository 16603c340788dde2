"""archive.extract.agency: the body a report's title names, dedup keys, and closing signatures."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from archive.extract.agency import (
    agency_from_signature,
    agency_from_title,
    closing_signature,
    find_signature,
    is_signature_block,
    normalize_agency,
)


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("厦门市思明区人民政府关于2023年法治政府建设情况的报告", "厦门市思明区人民政府"),
        ("厦门市司法局关于2021年法治政府建设情况的报告", "厦门市司法局"),
        ("南昌市西湖区2023年法治政府建设情况报告", "南昌市西湖区"),
        ("湖滨新区2019年度法治政府建设情况报告", "湖滨新区"),
        ("市司法局2021年法治政府建设年度报告", "市司法局"),
        ("区人民政府关于2023年度法治政府建设情况的报告", "区人民政府"),
        ("恩施州人民政府关于2023年法治政府建设情况的报告", "恩施州人民政府"),
        ("国家税务总局厦门市税务局2023年法治政府建设情况报告", "国家税务总局厦门市税务局"),
        ("武汉东湖新技术开发区管委会2023年法治政府建设情况报告", "武汉东湖新技术开发区管委会"),
        ("2023年厦门市司法局法治政府建设年度报告", "厦门市司法局"),
        ("二〇二三年厦门市司法局法治政府建设年度报告", "厦门市司法局"),
        ("思明区法治政府建设年度报告", "思明区"),
        ("市司法局：2023年法治政府建设年度报告", "市司法局"),
        ("【法治政府建设】鼓楼区2023年法治政府建设年度报告", "鼓楼区"),
        ("关于公开思明区2022年度法治政府建设情况报告的公告", "思明区"),
        ("翔安区2023年法治政府建设情况报告_厦门市翔安区人民政府网", "翔安区"),
        # Traditional script comes back in the canonical (Simplified) spelling.
        (
            "廣州市海珠區(qū)人民政府關(guān)于2023年度法治政府建設(shè)情況的報告",
            "广州市海珠区人民政府",
        ),
        # Titles that name no author.
        ("关于2023年法治政府建设情况的报告", None),
        ("2023年度法治政府建设工作情况报告", None),
        ("二〇二三年度法治政府建设情况报告", None),
        ("全市法治政府建设工作会议召开", None),
        ("我区多措并举推进法治政府建设", None),
        ("法治政府建设年度报告（摘要）", None),
        ("", None),
    ],
)
def test_agency_from_title(title: str, expected: str | None) -> None:
    assert agency_from_title(title) == expected


@pytest.mark.parametrize(
    ("names", "same"),
    [
        (["廣州市海珠區人民政府", "广州市海珠区人民政府", "广州市 海珠区 人民政府"], True),
        (["南昌市西湖区", "南昌市西湖区人民政府", "南昌市西湖区政府"], True),
        (["厦门市司法局", "厦门市 司法局", "廈門市司法局", "厦门市司法局。"], True),
        (["区政府", "区人民政府"], True),
        (["南昌市西湖区", "南昌市西湖区司法局"], False),
        (["厦门市", "中共厦门市委"], False),
        (["厦门市人民政府", "厦门市人民政府办公厅"], False),
        (["南昌市西湖区", "杭州市西湖区"], False),
    ],
)
def test_normalize_agency_merges_only_spellings_of_one_body(names: list[str], same: bool) -> None:
    assert (len({normalize_agency(n) for n in names}) == 1) is same


def test_normalize_agency_key_is_the_full_government_name() -> None:
    assert normalize_agency("廣州市海珠區人民政府") == "广州市海珠区人民政府"
    assert normalize_agency("湖滨新区") == "湖滨新区人民政府"
    assert normalize_agency("厦门市司法局") == "厦门市司法局"


# The closing lines of a real report (厦门市司法局, 2022), page chrome included.
XIAMEN_TAIL = [
    "  三、2022年工作打算",
    "  2022年,厦门市司法局将继续坚持党对全面依法治市和司法行政工作的绝对领导,切实推动法治"
    "政府建设高质量发展,为建设更高水平的高素质高颜值现代化国际化城市提供优质法律服务。",
    "",
    "  厦门市司法局",
    "",
    "  2022年3月14日",
    "",
    "附件下载",
]


def test_signature_of_a_real_report() -> None:
    assert agency_from_signature(XIAMEN_TAIL) == ("厦门市司法局", date(2022, 3, 14))
    signature = find_signature(XIAMEN_TAIL)
    assert signature is not None
    assert (signature.start, signature.end) == (3, 6)
    assert is_signature_block(XIAMEN_TAIL[signature.start : signature.end])


@pytest.mark.parametrize(
    ("lines", "expected"),
    [
        (
            ["正文最后一段。", "中共同安区委", "同安区人民政府", "二〇二四年三月二十日"],
            ("同安区人民政府", date(2024, 3, 20)),
        ),
        (
            ["正文。", "南昌市西湖区人民政府 2024年2月20日"],
            ("南昌市西湖区人民政府", date(2024, 2, 20)),
        ),
        (["正文。", "（2024年3月1日）"], (None, date(2024, 3, 1))),
        (["正文最后一段，没有落款。", "扫一扫在手机上查看当前页面"], (None, None)),
        (["2023年3月1日，区政府召开常务会议。", "相关新闻推荐"], (None, None)),
        ([], (None, None)),
    ],
)
def test_agency_from_signature(lines: list[str], expected: tuple[str | None, date | None]) -> None:
    assert agency_from_signature(lines) == expected


def test_signature_is_found_only_near_the_end() -> None:
    lines = ["厦门市司法局", "2022年3月14日", *[f"第{i}段正文。" for i in range(30)]]
    assert agency_from_signature(lines) == (None, None)


@pytest.mark.parametrize(
    ("lines", "expected"),
    [
        (["厦门市司法局", "2022年3月14日"], True),
        (["", "  厦门市司法局", "", "  2022年3月14日", ""], True),
        (["中共同安区委", "同安区人民政府", "2024年3月20日"], True),
        (["2022年3月14日"], True),
        (["现将有关情况报告如下。", "2022年3月14日"], False),
        (["厦门市司法局", "2022年3月14日", "附件下载"], False),
        (["厦门市司法局"], False),
        ([], False),
    ],
)
def test_is_signature_block(lines: list[str], expected: bool) -> None:
    assert is_signature_block(lines) is expected


SIGNED = ["县政府将持续深化法治政府建设。", "甘谷县人民政府", "2024年3月21日"]


@pytest.mark.parametrize(
    "notes",
    [
        [],
        ["更正说明：原报告中调解成功率数据有误，现更正后重新发布。"],
        ["附件：", "1.2023年度行政执法数据统计表", "2.重大行政决策事项目录"],
        ["（此件公开发布）"],
        ["备注：本报告数据截至2023年12月31日。", "（此件主动公开）"],
    ],
)
def test_the_closing_signature_is_found_above_the_notes_under_it(notes: list[str]) -> None:
    signature = closing_signature([*SIGNED, *notes])
    assert signature is not None
    assert (signature.signed_by, signature.date) == ("甘谷县人民政府", date(2024, 3, 21))
    assert (signature.start, signature.end) == (1, 3)  # indices into the lines given


@pytest.mark.parametrize(
    "tail",
    [
        ["县政府将持续推进法治政府建设各项任务落实落地，为高质量发展提供法治保障。"],  # prose
        ["1.2023年度行政执法数据统计表"],  # a list item without a label above it
        [f"注{i}：说明。" for i in range(7)],  # more notes than a document puts under a 落款
    ],
)
def test_no_closing_signature_when_the_text_goes_on(tail: list[str]) -> None:
    assert closing_signature([*SIGNED, *tail]) is None


@given(st.text(), st.lists(st.text(), max_size=20))
def test_nothing_raises_on_any_text(text: str, lines: list[str]) -> None:
    agency_from_title(text)
    normalize_agency(text)
    agency_from_signature(lines)
    is_signature_block(lines)
    closing_signature(lines)
