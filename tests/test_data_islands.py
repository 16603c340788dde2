"""Links a page holds as data (crawler/data_islands.py): markup inside a data island, an XML
answer's records, and an endpoint's record ranges.

Shapes unlike the held-out JCMS portal's (a ``<script type="text/xml">`` datastore with
``<record>``s and a ``<nextgroup>``, answered by dataproxy.jsp with ``<totalrecord>``): a
``text/template`` island of ``<row>``s whose endpoint pages by ``startRow``/``endRow``, a
``<textarea>`` list, a JavaScript string that only looks like markup, an answer that states
its total as ``<count>``. The crawl-level proof is tests/test_heldout_crawl.py (jcms-suyu).
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import pytest
from scrapy.http import HtmlResponse, Request, XmlResponse
from scrapy.utils.test import get_crawler

from crawler.data_islands import Island, held_markup, next_range, other_ranges, read_island
from crawler.discovery import LinkKind, page_links
from crawler.request_meta import SOURCE
from crawler.spiders.reports import ReportsSpider
from tests.test_spider import REGISTRY

LISTING = "https://www.zhuzhou.gov.cn/xxgk/szf/fzzfjs/"
ENDPOINT = "https://www.zhuzhou.gov.cn/cms/list.do?channelId=88&startRow=1&endRow=3"
REPORT = "株洲市人民政府关于2023年度法治政府建设情况的报告"
OLD_REPORT = "株洲市人民政府关于2021年度法治政府建设情况的报告"
PLAN = "关于印发《株洲市2024年法治政府建设工作要点》的通知"


def _row(path: str, title: str) -> str:
    return f"<row><![CDATA[<p><a href='{path}'>{title}</a><em>2024-03-28</em></p>]]></row>"


PAGE = f"""<html><head><title>法治政府建设</title></head><body>
<div class="column"><a href="/">首页</a>
<script type="text/template" id="rows"><rowset>
<more><![CDATA[<a href="/cms/list.do?channelId=88&amp;startRow=1&amp;endRow=3"></a>]]></more>
{_row("/cms/art/2024/3/28/art_88_901.html", REPORT)}
{_row("/cms/art/2024/3/1/art_88_880.html", "关于做好春季森林防火工作的通知")}
{_row("/cms/art/2024/2/20/art_88_870.html", "株洲市2024年第一季度政府采购意向公开")}
</rowset></script>
<textarea style="display:none"><ul><li><a href="../202402/t20240220_5.html">{PLAN}</a></li></ul>
</textarea>
<script type="text/javascript">var tip = '<a href="/js/only-a-string.html">看</a>';</script>
<div class="pager"><a href="javascript:;" data-page="2">下一页</a></div>
</div></body></html>"""

ANSWER = f"""<?xml version="1.0" encoding="UTF-8"?>
<result><count>7</count><rows>
{_row("/cms/art/2022/3/30/art_88_700.html", OLD_REPORT)}
{_row("/cms/art/2022/3/1/art_88_690.html", "关于开展2022年全民国家安全教育日活动的通知")}
{_row("/cms/art/2022/2/1/art_88_680.html", "株洲市2022年政府采购意向公开")}
</rows></result>"""


def _query(url: str) -> dict[str, str]:
    return dict(parse_qsl(urlsplit(url).query))


def test_markup_held_by_a_data_script_or_a_textarea_is_read_and_code_is_not() -> None:
    root = HtmlResponse(LISTING, body=PAGE.encode(), encoding="utf-8").selector.root
    held = list(held_markup(root))
    assert len(held) == 2  # the template and the textarea, not the JavaScript string
    island = read_island(held[0])
    assert island.records == 3 and island.total == 0
    assert ("/cms/art/2024/3/28/art_88_901.html", REPORT) in island.links
    assert ("/cms/list.do?channelId=88&startRow=1&endRow=3", "") in island.links  # &amp; read


def test_an_island_is_links_like_any_other_and_names_its_endpoint_and_next_range() -> None:
    links = {
        link.url: link
        for link in page_links(HtmlResponse(LISTING, body=PAGE.encode(), encoding="utf-8"))
    }
    report = links["https://www.zhuzhou.gov.cn/cms/art/2024/3/28/art_88_901.html"]
    assert (report.kind, report.anchor) == (LinkKind.CANDIDATE, REPORT)
    assert links["https://www.zhuzhou.gov.cn/xxgk/szf/202402/t20240220_5.html"].kind is (
        LinkKind.DISTRACTOR
    )
    assert links[ENDPOINT].kind is LinkKind.API
    after = [u for u, link in links.items() if link.kind is LinkKind.API and u != ENDPOINT]
    assert [_query(u) for u in after] == [
        {"channelId": "88", "startRow": "4", "endRow": "6", "pageSize": "3"}
    ]
    assert not any("only-a-string" in url or "javascript" in url for url in links)


def test_an_xml_answer_is_read_as_records_with_its_stated_total() -> None:
    url = next_range(ENDPOINT, 3)
    answer = XmlResponse(url, body=ANSWER.encode(), headers={"Content-Type": "text/xml"})
    links = {link.url: link for link in page_links(answer)}
    report = links["https://www.zhuzhou.gov.cn/cms/art/2022/3/30/art_88_700.html"]
    assert (report.kind, report.anchor) == (LinkKind.CANDIDATE, OLD_REPORT)
    island = read_island(ANSWER)
    assert (island.records, island.total) == (3, 7)
    assert [_query(u)["startRow"] for u in other_ranges(url, island, limit=50)] == ["7"]


@pytest.mark.parametrize(
    ("island", "limit", "starts"),
    [
        (Island([], 3, 0), 50, ["4"]),  # full, no total: one more range
        (Island([], 2, 0), 50, []),  # short, no total: the last
        (Island([], 3, 30), 50, ["4", "7", "10", "13", "16", "19", "22", "25", "28"]),
        (Island([], 3, 30), 4, ["4", "7", "10"]),  # FAZHI_API_PAGES ranges in all
    ],
)
def test_ranges_walk_to_the_total_or_while_full_and_never_past_the_limit(
    island: Island, limit: int, starts: list[str]
) -> None:
    assert [_query(u)["startRow"] for u in other_ranges(ENDPOINT, island, limit)] == starts


def test_an_endpoint_without_range_parameters_is_asked_in_jcms_terms_and_keeps_its_own() -> None:
    url = next_range("https://a.gov.cn/module/web/jpage/dataproxy.jsp?page=1&columnid=9", 45)
    assert _query(url) == {
        "startrecord": "46", "endrecord": "90", "perpage": "45", "page": "1", "columnid": "9",
    }  # fmt: skip
    assert other_ranges("https://a.gov.cn/list?page=2", Island([], 15, 99), 50) == []


def test_the_spider_follows_an_island_and_leaves_its_distractor_with_a_reason(
    tmp_path: Path,
) -> None:
    registry = tmp_path / "registry.yaml"
    registry.write_text(REGISTRY, encoding="utf-8")
    crawler = get_crawler(ReportsSpider, {"FAZHI_MAX_PAGES": 50})
    spider = ReportsSpider.from_crawler(crawler, source="zz-test", registry=str(registry))
    crawler.spider = spider
    crawler.stats.open_spider()
    request = Request(LISTING, meta={SOURCE: "zz-test"})
    page = HtmlResponse(LISTING, body=PAGE.encode(), encoding="utf-8", request=request)
    out = list(spider.parse(page, url=LISTING, kind="listing", depth=1))
    asked = {r.url: r.cb_kwargs["kind"] for r in out if isinstance(r, Request)}
    assert asked["https://www.zhuzhou.gov.cn/cms/art/2024/3/28/art_88_901.html"] == "candidate"
    assert asked[ENDPOINT] == "api"
    left = {skip.url: skip.reason for skip in spider.skips.skips()}
    assert left["https://www.zhuzhou.gov.cn/xxgk/szf/202402/t20240220_5.html"] == "not-a-report"
    ranged = next(u for u in asked if "startRow=4" in u)
    answer = XmlResponse(ranged, body=ANSWER.encode(), headers={"Content-Type": "text/xml"},
                         request=Request(ranged, meta={SOURCE: "zz-test"}))  # fmt: skip
    out = list(spider.parse(answer, url=ranged, kind="api", depth=1))
    asked = {r.url: r.cb_kwargs["kind"] for r in out if isinstance(r, Request)}
    assert asked["https://www.zhuzhou.gov.cn/cms/art/2022/3/30/art_88_700.html"] == "candidate"
    assert [_query(u)["startRow"] for u, kind in asked.items() if kind == "api"] == ["7"]
