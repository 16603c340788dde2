"""archive.extract.furniture: header lines that restate the page's own signals go, each with the
signal that matched; a 来源 naming another outlet stays as metadata; the 落款 stays as text."""

from __future__ import annotations

import datetime as dt

import pytest

from archive.extract.page import extract_page

URL = "https://www.bynr.gov.cn/xxgk/zfxxgk/202202/t20220211_123.html"
TITLE = "巴彦淖尔市司法局2021年度法治政府建设情况报告"
BODY = (
    "<p>　　2021年，市司法局在市委、市政府的坚强领导下，深入学习贯彻习近平法治思想，"
    "紧紧围绕法治政府建设目标任务，扎实开展各项工作。现将有关情况报告如下：</p>"
    "<p>　　一、主要工作及成效</p>"
    "<p>　　全年开展“送法下乡”活动46场次，发放宣传资料1.2万份，受教育群众3.5万人次。"
    "全市各级人民调解组织共调处矛盾纠纷1325件，调解成功率98.6%。</p>"
    '<p style="text-align:right">巴彦淖尔市司法局</p>'
    '<p style="text-align:right">2022年2月10日</p>'
)


def page(header: str, meta: str = "", title_tag: str = f"{TITLE}-巴彦淖尔市人民政府") -> bytes:
    return (
        f'<html><head><meta charset="utf-8"><title>{title_tag}</title>{meta}</head><body>'
        f'<div class="wrap"><div class="zw">{header}<div class="con">{BODY}</div></div></div>'
        "</body></html>"
    ).encode()


META = (
    '<meta name="SiteName" content="巴彦淖尔市人民政府">'
    '<meta name="ColumnName" content="法治政府建设">'
    '<meta name="PubDate" content="2022-02-11 09:52">'
)
HEADERS = {
    "site name, title split over two lines, info line, domain line": (
        '<div class="s">巴彦淖尔市人民政府</div>'
        '<div class="t"><p>巴彦淖尔市司法局</p><p>2021年度法治政府建设情况报告</p></div>'
        '<div class="i"><span>2022-02-11 09:52</span> <span>来源：巴彦淖尔市司法局</span> '
        "<span>浏览次数：</span><span>1234</span></div>"
        '<div class="d">巴彦淖尔市人民政府门户网站 www.bynr.gov.cn</div>'
    ),
    "one line each, column name": (
        "<p>巴彦淖尔市人民政府</p><p>法治政府建设</p>"
        f"<p>{TITLE}</p><p>2022-02-11 09:52</p><p>浏览次数：1234</p>"
    ),
}


@pytest.mark.parametrize("header", HEADERS.values(), ids=list(HEADERS))
def test_header_lines_restating_the_page_go_with_their_signal(header: str) -> None:
    got = extract_page(page(header, META), URL)
    assert got.text.startswith("2021年,市司法局")
    for junk in ("巴彦淖尔市人民政府", "09:52", "浏览", "www.", "来源"):
        assert junk not in got.text
    assert got.text.endswith("巴彦淖尔市司法局\n2022年2月10日")  # the 落款 is text
    assert (got.signed_by, got.document_date) == ("巴彦淖尔市司法局", dt.date(2022, 2, 10))
    assert got.published_date == dt.date(2022, 2, 11)
    rules = {rule for _text, rule in got.removed}
    assert "furniture:title" in rules
    assert any("site-name" in rule for rule in rules)
    assert any("timestamp" in rule for rule in rules)


def test_a_source_naming_another_outlet_is_metadata_not_text() -> None:
    header = f"<h1>{TITLE}</h1><p>发布时间：2022-02-11 来源：巴彦淖尔日报</p>"
    got = extract_page(page(header, META), URL)
    assert got.metadata["来源"] == "巴彦淖尔日报"
    assert "巴彦淖尔日报" not in got.text
    assert ("发布时间：2022-02-11 来源：巴彦淖尔日报", "furniture:article-info(source kept)") in (
        got.removed
    )


def test_without_meta_tags_the_title_tag_names_the_site() -> None:
    header = "<p>巴彦淖尔市人民政府</p><p>巴彦淖尔市人民政府门户网站 www.bynr.gov.cn</p>"
    got = extract_page(page(header), URL)
    assert got.text.startswith("2021年,市司法局")
    assert "www." not in got.text


def test_a_date_line_that_restates_nothing_and_body_text_stay() -> None:
    """A lone date without a clock time that is not the publication date is not furniture;
    nor is anything after the first line of report text."""
    header = "<p>（2021年12月30日市政府第5次常务会议审议通过）</p><p>2021年12月30日</p>"
    got = extract_page(page(header, META), URL)
    assert got.text.startswith("(2021年12月30日市政府第5次常务会议审议通过)\n2021年12月30日")


def page_with_tail(tail: str, body: str = BODY) -> bytes:
    return (
        f'<html><head><meta charset="utf-8"><title>{TITLE}</title></head><body>'
        f'<section class="m"><article class="a">{body}</article>{tail}</section>'
        '<div class="bar"><img src="/qr.png"></div></body></html>'
    ).encode()


TAILS = {
    "QR prompt": '<p class="tip">长按识别二维码，关注“巴彦淖尔司法”微信公众号</p>',
    "QR image and two lines": (
        '<div class="box"><img src="/ewm.jpg"><p>扫码关注</p>'
        "<p>欢迎关注巴彦淖尔司法微信公众号</p></div>"
    ),
    "share bar": '<div class="bar2">分享到：<a href="#">微信</a><a href="#">微博</a></div>',
}


@pytest.mark.parametrize("tail", TAILS.values(), ids=list(TAILS))
def test_prompts_under_the_body_go_and_the_signature_closes_it(tail: str) -> None:
    got = extract_page(page_with_tail(tail), URL)
    assert got.text.endswith("巴彦淖尔市司法局\n2022年2月10日")
    assert (got.signed_by, got.document_date) == ("巴彦淖尔市司法局", dt.date(2022, 2, 10))
    assert any(rule == "furniture:prompt" for _, rule in got.removed)


def test_report_text_about_an_account_is_not_a_prompt() -> None:
    line = "通过“巴彦淖尔司法”微信公众号推送普法信息320条,关注群众关切的热点问题。"
    body = BODY.replace(
        '<p style="text-align:right">巴彦淖尔市司法局', f"<p>{line}</p><p>巴彦淖尔市司法局"
    )
    got = extract_page(page_with_tail("", body), URL)
    assert line in got.text
    assert not any(rule == "furniture:prompt" for _, rule in got.removed)
