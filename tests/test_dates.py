"""archive.extract.dates on the date spellings of real portals and report bodies."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from archive.extract.dates import (
    date_from_url,
    date_only,
    normalize_numerals,
    parse_date,
    published_date_from_lines,
    report_year,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2024-03-13 16:52", date(2024, 3, 13)),
        ("2024年3月13日", date(2024, 3, 13)),
        ("2024年03月13日", date(2024, 3, 13)),
        ("2024/03/13", date(2024, 3, 13)),
        ("2024.03.13", date(2024, 3, 13)),
        ("2024-3-5", date(2024, 3, 5)),
        ("二〇二四年三月十三日", date(2024, 3, 13)),
        ("二○二三年十二月三十一日", date(2023, 12, 31)),
        ("二零二二年十月一日", date(2022, 10, 1)),
        ("二〇二一年二月二十日", date(2021, 2, 20)),
        ("2022年3月14日", date(2022, 3, 14)),
        ("２０２４年３月１３日", date(2024, 3, 13)),
        ("发布时间：2020-03-22 17:01", date(2020, 3, 22)),
        # An impossible date is skipped for the next real one.
        ("2024年2月30日 或 2024年3月1日", date(2024, 3, 1)),
    ],
)
def test_parse_date_reads_every_portal_spelling(text: str, expected: date) -> None:
    assert parse_date(text) == expected


@pytest.mark.parametrize(
    "text",
    ["", "2024年2月30日", "2021-2025年", "《法治政府建设实施纲要(2021-2025年)》", "1850-01-01"],
)
def test_parse_date_finds_no_date_where_there_is_none(text: str) -> None:
    assert parse_date(text) is None


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("http://www.siming.gov.cn/xxgk/zfxxgk/202403/t20240313_918273.htm", date(2024, 3, 13)),
        ("https://sfj.xm.gov.cn/zwgk/tzgg/202203/t20220315_2633102.htm", date(2022, 3, 15)),
        ("https://www.hz.gov.cn/art/2024/3/13/art_1229063387_1843214.html", date(2024, 3, 13)),
        ("http://www.news.cn/local/2024-03/13/c_1130087.htm", date(2024, 3, 13)),
        ("http://www.example.gov.cn/zwgk/20240313/123.html", date(2024, 3, 13)),
        ("http://www.example.gov.cn/2024/0313/c1234a5678/page.htm", date(2024, 3, 13)),
        ("http://www.example.gov.cn/zwgk/202403/abc123.html", None),
        ("http://www.example.gov.cn/art/2024/2/30/art_1_2.html", None),
        ("http://www.example.gov.cn/col/col1229/index.html", None),
        ("not a url", None),
    ],
)
def test_date_from_url(url: str, expected: date | None) -> None:
    assert date_from_url(url) == expected


@pytest.mark.parametrize(
    ("lines", "expected"),
    [
        (
            ["厦门市思明区人民政府关于2023年法治政府建设情况的报告", "时间:2024-03-13 16:52"],
            date(2024, 3, 13),
        ),
        (["作者:佚名    来源:互联网    发布时间:2020-03-22 17:01    浏览量:"], date(2020, 3, 22)),
        (["发表日期:2022-03-15 15:49 字体显示:"], date(2022, 3, 15)),
        (
            [
                "索引号: A25110--2024-0003 主题分类: 综合政务",
                "发布机构: 西湖区司法局 生成日期: 2024-02-20",
            ],
            date(2024, 2, 20),
        ),
        (["发布日期：2024年3月13日"], date(2024, 3, 13)),
        (["【发布时间】2024-03-13"], date(2024, 3, 13)),
        (["来源：区司法局 日期：2024/03/13"], date(2024, 3, 13)),
        # The document's own date loses to the publication date, wherever each stands.
        (["成文日期：2024-03-01", "发布日期：2024-03-13"], date(2024, 3, 13)),
        (["发布日期：2024-03-13", "更新时间：2024-05-01"], date(2024, 3, 13)),
        # A date in a sentence is not a header field.
        (["本办法有效日期至2025年12月31日"], None),
        (["2023年，在市委的坚强领导下"], None),
        ([], None),
    ],
)
def test_published_date_from_lines(lines: list[str], expected: date | None) -> None:
    assert published_date_from_lines(lines) == expected


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("  2022年3月14日", date(2022, 3, 14)),
        ("二〇二二年三月十四日", date(2022, 3, 14)),
        ("（2022年3月14日）", date(2022, 3, 14)),
        ("2024-03-13 16:52", date(2024, 3, 13)),
        ("2022年3月14日召开会议", None),
        ("时间:2024-03-13", None),
        ("2022年3月", None),
    ],
)
def test_date_only_accepts_a_line_that_is_just_a_date(line: str, expected: date | None) -> None:
    assert date_only(line) == expected


@pytest.mark.parametrize(
    ("title", "text", "published", "expected"),
    [
        ("2023年度法治政府建设情况报告", "", date(2024, 3, 1), 2023),
        ("厦门市思明区人民政府关于2023年法治政府建设情况的报告", "", None, 2023),
        ("关于2023年法治政府建设情况和2024年工作计划的报告", "", None, 2023),
        ("2024年XX区关于2023年法治政府建设情况的报告", "", None, 2023),
        ("湖滨新区2019年度法治政府建设情况报告", "今年以来", date(2020, 3, 22), 2019),
        ("二〇二三年度法治政府建设情况报告", "", None, 2023),
        ("二零二二年度依法行政工作报告", "", None, 2022),
        ("法治政府建设年度报告(2022)", "", None, 2022),
        ("法治政府建设年度报告（2022年）", "", None, 2022),
        ("XX区法治政府建设实施纲要(2021-2025年)落实情况", "", None, None),
        # No year in the title: the body's opening names it.
        ("法治政府建设情况报告", "2023年，在市委、市政府的正确领导下……", None, 2023),
        ("法治政府建设情况报告", "二〇二三年以来，我局……", None, 2023),
        (
            "法治政府建设情况报告",
            "今年以来……现将我区2019年度法治政府建设工作情况报告如下",
            None,
            2019,
        ),
        ("法治政府建设情况报告", "过去一年，2022年全区法治政府建设取得新成效", None, 2022),
        # Only the publication date: reports are due before 1 April of the next year.
        ("法治政府建设情况报告", "", date(2024, 3, 1), 2023),
        ("法治政府建设情况报告", "今年以来，我区……", date(2023, 12, 20), 2023),
        ("法治政府建设情况报告", "一年来，我区……", date(2023, 9, 20), None),
        ("法治政府建设情况报告", "", None, None),
        # A title year after publication is a typo or a plan, not the reported year.
        ("2025年法治政府建设情况报告", "2023年，我区……", date(2024, 3, 1), 2023),
    ],
)
def test_report_year(title: str, text: str, published: date | None, expected: int | None) -> None:
    assert report_year(title, text, published) == expected


def test_normalize_numerals_rewrites_width_years_and_dates_only() -> None:
    assert normalize_numerals("二〇二三年度，三月份") == "2023年度,三月份"
    assert normalize_numerals("二〇二四年三月十三日") == "2024年3月13日"
    assert normalize_numerals("一二三") == "一二三"


@given(st.text(), st.text(), st.none() | st.dates())
def test_nothing_raises_on_any_text(title: str, text: str, published: date | None) -> None:
    report_year(title, text, published)
    parse_date(title)
    date_from_url(title)
    date_only(title)
    published_date_from_lines([title, text])
