"""archive.extract.headings: a heading among the body's prose becomes a paragraph, whatever
container holds the body; column titles, teasers and inline emphasis stay as they are."""

from __future__ import annotations

import pytest
from lxml import html

from archive.extract.headings import keep_body_headings

PROSE = "<p>全年开展行政执法案卷评查2次，评查案卷186卷，发现问题43个，全部督促整改到位。</p>"
TEASER = "<p>市司法局召开会议，传达学习全省司法行政工作会议精神，研究部署2024年重点工作。</p>"
LINE = "　　全年开展行政执法案卷评查2次，评查案卷186卷，发现问题43个，全部整改。"


def kept(markup: str) -> list[str]:
    """The texts of the elements keep_body_headings turned into paragraphs."""
    tree = html.fromstring(f"<html><body>{markup}</body></html>")
    for element in tree.iter():
        if isinstance(element.tag, str):
            element.set("data-was", element.tag)
    keep_body_headings(tree)
    elements = [e for e in tree.iter() if isinstance(e.tag, str)]
    return [e.text_content() for e in elements if e.get("data-was") != e.tag]


@pytest.mark.parametrize(
    ("markup", "expected"),
    [
        (
            f'<div class="kp">{PROSE}<h3>一、主要举措</h3><h3>（一）深化改革</h3>{PROSE}</div>',
            ["一、主要举措", "（一）深化改革"],
        ),
        (
            f"<section>{PROSE}<h4>一、主要工作</h4><strong>（一）统筹推进</strong>{PROSE}</section>",
            ["一、主要工作", "（一）统筹推进"],
        ),
        (f"<div>{PROSE}<b>二、存在问题</b><!-- x -->{PROSE}</div>", ["二、存在问题"]),
        (f"<div>{PROSE}<h3>二、存在问题</h3><p>执法人员能力有待提高。</p></div>", ["二、存在问题"]),
    ],
    ids=["h3 run", "h4 and bare strong in a section", "bare b", "one short sentence"],
)
def test_headings_among_prose_become_paragraphs(markup: str, expected: list[str]) -> None:
    assert kept(markup) == expected


@pytest.mark.parametrize(
    "markup",
    [
        '<div><h3>热点信息</h3><ul><li><a href="/1">临湘市召开依法治市会议</a></li></ul></div>',
        f'<div><h3><a href="/n/1.html">市司法局传达全省会议精神</a></h3>{TEASER}</div>',
        f"<div>{PROSE}<h3>相关阅读</h3></div>",
        f"<div><p><b>一是完善制度。</b><span>{PROSE}</span></p></div>",
        f"<article>　　<b>一、工作情况</b><br>{LINE}<br></article>",
        f"<div><h3>{'很长的标题' * 13}</h3>{PROSE}</div>",
        "<div><h3>联系方式</h3><p>电话：0730-1234567</p></div>",
    ],
    ids=["column title over links", "linked teaser", "heading closing the page",
         "emphasis opening a paragraph", "emphasis in a br-broken flow", "too long for a heading",
         "a label over a short value"],
)  # fmt: skip
def test_what_is_not_a_body_heading_stays(markup: str) -> None:
    assert kept(markup) == []


def test_the_page_title_is_left_to_the_title_rules() -> None:
    assert kept(f"<div><h1>某某市司法局2023年法治政府建设情况报告</h1>{PROSE}</div>") == []
