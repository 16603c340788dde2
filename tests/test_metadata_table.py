"""archive.extract.metadata_table: the 索引号 table in every layout portals use becomes metadata
once and leaves no trace in the text; a report's own data table and prose stay."""

from __future__ import annotations

import datetime as dt

import pytest
from lxml import html

from archive.extract.metadata_table import label_key, pop_metadata_tables
from archive.extract.page import extract_page

PAIRS = {"索引号": "11430000-2024-00021", "发布机构": "某某县司法局", "发布日期": "2024-03-01"}
LAYOUTS = {
    "table, two pairs a row, padded labels, column title": (
        '<div class="xxgk"><div class="t">政府信息公开</div><table>'
        "<tr><th>索 引 号：</th><td>11430000-2024-00021</td>"
        "<th>发布机构：</th><td>某某县司法局</td></tr>"
        "<tr><th>发布日期：</th><td>2024-03-01</td><th>文　　号：</th><td></td></tr></table></div>"
    ),
    "dl, one pair a dl": (
        "<div><dl><dt>索引号</dt><dd>11430000-2024-00021</dd></dl>"
        "<dl><dt>发布机构</dt><dd>某某县司法局</dd></dl><dl><dt>发布日期</dt><dd>2024-03-01</dd></dl></div>"
    ),
    "label/value divs": (
        '<div class="meta">'
        '<div class="row"><div class="l">索引号</div><div>11430000-2024-00021</div></div>'
        '<div class="row"><div class="l">发布机构</div>'
        '<div><a href="/org/12">某某县司法局</a></div></div>'
        '<div class="row"><div class="l">发布日期</div><div>2024-03-01</div></div></div>'
    ),
    "label and value on separate lines": (
        "<ul><li><span>索引号</span><br><span>11430000-2024-00021</span></li>"
        "<li><span>发布机构</span><br><span>某某县司法局</span></li>"
        "<li><span>发布日期</span><br><span>2024-03-01</span></li></ul>"
    ),
    "a stray colon cell": (
        "<table><tr><td>索引号</td><td>:</td><td>11430000-2024-00021</td></tr>"
        "<tr><td>发布机构</td><td>:</td><td>某某县司法局</td></tr>"
        "<tr><td>发布日期</td><td>:</td><td>2024-03-01</td></tr></table>"
    ),
    "column-wise: a row of labels over a row of values, two bands, an empty cell": (
        "<table><tbody><tr><th>发布机构</th><th>索 引 号</th><th>文　　号</th></tr>"
        "<tr><td>某某县司法局</td><td>11430000-2024-00021</td><td></td></tr>"
        "<!-- band 2 --><tr><th>主题分类</th><th>发布日期</th><th>有效性</th></tr>"
        "<tr><td>综合政务</td><td>2024-03-01</td><!-- x --><td>有效</td></tr></tbody></table>"
    ),
    "column-wise grid of divs under a column title": (
        '<div class="attr"><div class="t">政府信息公开</div>'
        "<ul><li>索引号</li><li>发布日期</li><li>发布机构</li></ul>"
        '<ul><li>11430000-2024-00021</li><li>2024-03-01</li><li><a href="/o">某某县司法局</a></li>'
        "</ul></div>"
    ),
    "runs of label:value in paragraphs, a value split by markup": (
        "<div><p><b>索引号：</b>11430000-2024-00021</p>"
        "<p>发布机构：某某县<span>司法局</span></p><p>发布日期：2024-03-01</p></div>"
    ),
}
BODY = "<p>　　" + "现将我县2023年度法治政府建设情况报告如下。" * 6 + "</p>"


def page(meta: str) -> html.HtmlElement:
    return html.document_fromstring(f"<html><body>{meta}<div>{BODY}</div></body></html>")


@pytest.mark.parametrize("layout", LAYOUTS.values(), ids=list(LAYOUTS))
def test_every_layout_becomes_metadata_and_leaves_no_text(layout: str) -> None:
    tree = page(layout)
    metadata, removed = pop_metadata_tables(tree)
    assert {k: metadata[k] for k in PAIRS} == PAIRS
    left = html.tostring(tree, encoding="unicode")
    assert "索" not in left and "11430000" not in left and "政府信息公开" not in left
    assert "现将我县" in left
    assert removed


@pytest.mark.parametrize("layout", LAYOUTS.values(), ids=list(LAYOUTS))
def test_in_a_whole_page_the_table_is_in_metadata_once_and_never_in_text(layout: str) -> None:
    markup = (
        "<html><head><title>某某县2023年度法治政府建设情况报告</title></head><body>"
        f"<h1>某某县2023年度法治政府建设情况报告</h1>{layout}<div class=content>{BODY}</div>"
        "</body></html>"
    )
    got = extract_page(markup.encode(), "http://www.x.gov.cn/a.html", {"Content-Type": "text/html"})
    assert got.metadata["索引号"] == "11430000-2024-00021"
    assert "11430000" not in got.text and "发布机构" not in got.text
    assert got.published_date is not None and got.published_date.isoformat() == "2024-03-01"


def test_a_reports_data_table_with_label_like_headers_stays() -> None:
    tree = page(
        "<table><tr><th>索引号</th><td>A1</td><th>发布机构</th><td>X局</td></tr>"
        "<tr><th>发布日期</th><td>2024-03-01</td></tr></table>"
        "<div><table><tr><td>文号</td><td>发布日期</td><td>名称</td></tr>"
        "<tr><td>X司发〔2023〕1号</td><td>2023-05-01</td><td>关于加强行政执法监督的意见</td></tr>"
        "</table></div>"
    )
    metadata, _removed = pop_metadata_tables(tree)
    assert metadata == {"索引号": "A1", "发布机构": "X局", "发布日期": "2024-03-01"}
    assert "关于加强行政执法监督的意见" in tree.text_content()


def test_a_column_wise_data_table_is_not_taken_for_the_first_table() -> None:
    """A report's data table with label-like headers over one row, when there is no 索引号
    table, or over several rows (a list, not a record), stays."""
    listing = (
        "<table><tr><td>文号</td><td>发布日期</td><td>名称</td></tr>"
        "<tr><td>X司发〔2023〕1号</td><td>2023-05-01</td><td>关于加强行政执法监督的意见</td></tr>"
        "<tr><td>X司发〔2023〕2号</td><td>2023-06-01</td><td>关于规范涉企行政检查的通知</td></tr>"
        "</table>"
    )
    mixed = (
        "<table><tr><td>序号</td><td>文号</td><td>发布日期</td><td>名称</td></tr>"
        "<tr><td>1</td><td>X司发〔2023〕1号</td><td>2023-05-01</td><td>关于加强监督的意见</td></tr>"
        "</table>"
    )
    for table in (listing, mixed):
        tree = page(f"<div>{table}</div>")
        metadata, _removed = pop_metadata_tables(tree)
        assert metadata == {}
        assert "X司发〔2023〕1号" in tree.text_content()


def test_a_column_wise_table_dates_a_report_without_a_signature() -> None:
    """No 落款: the document's date is the 成文日期 of a labels-over-values table."""
    markup = (
        "<html><head><title>某某县2023年度法治政府建设情况报告</title></head><body>"
        "<table><tr><td>成文日期</td><td>索引号</td><td>发布机构</td><td>发布日期</td></tr>"
        "<tr><td>2024-02-20</td><td>11430000-2024-00021</td><td>某某县人民政府</td>"
        "<td>2024-03-01</td></tr></table>"
        f"<h1>某某县2023年度法治政府建设情况报告</h1><div class=content>{BODY}</div></body></html>"
    )
    got = extract_page(markup.encode(), "http://www.x.gov.cn/a.html", {"Content-Type": "text/html"})
    assert (got.signed_by, got.published_date, got.document_date) == (
        None,
        dt.date(2024, 3, 1),
        dt.date(2024, 2, 20),
    )
    assert "成文日期" not in got.text and "2024-02-20" not in got.text


def test_a_heading_above_a_single_pair_is_not_taken_for_a_title() -> None:
    tree = page(
        "<table><tr><th>索引号</th><td>A1</td><th>发布机构</th><td>X局</td></tr>"
        "<tr><th>发布日期</th><td>2024-03-01</td></tr></table>"
        "<div><p>工作机构</p><p>责任部门：县司法局法治督察科</p></div>"
    )
    pop_metadata_tables(tree)
    assert "工作机构" in tree.text_content()


def test_prose_starting_with_a_label_word_stays() -> None:
    tree = page(
        "<table><tr><th>索引号</th><td>A1</td><th>发布机构</th><td>X局</td></tr>"
        "<tr><th>发布日期</th><td>2024-03-01</td></tr></table>"
        "<div><p>发布机构：" + "县政府各部门按照职责分工抓好落实，" * 8 + "</p></div>"
    )
    pop_metadata_tables(tree)
    assert "县政府各部门按照职责分工抓好落实" in tree.text_content()


@pytest.mark.parametrize(
    ("written", "key"),
    [
        ("索 引 号：", "索引号"),
        ("【名　　称】", "名称"),
        ("发布机构:", "发布机构"),
        ("文\xa0号", "文号"),
    ],
)
def test_label_key(written: str, key: str) -> None:
    assert label_key(written) == key
