"""The spider's start requests come from the registry entry: search template, robots.txt and
sitemaps included."""

from __future__ import annotations

import asyncio
from pathlib import Path
from urllib.parse import unquote

from scrapy.http import HtmlResponse, Request
from scrapy.utils.test import get_crawler

from crawler.request_meta import SOURCE
from crawler.spiders.reports import SEARCH_QUERY, ReportsSpider

REGISTRY = """
- slug: zz-test
  name: 测试市人民政府门户网站
  agency: 株洲市人民政府
  level: 市
  region: {province: 湖南省, city: 株洲市}
  home_url: https://www.zhuzhou.gov.cn/
  entry_urls:
    - https://www.zhuzhou.gov.cn/xxgk/szf/fzzfjs/
  search_url: https://www.zhuzhou.gov.cn/search?q={query}
  sitemaps: [https://www.zhuzhou.gov.cn/sitemap/xxgk.xml]
  expected_years: "2019-"
"""


def start_urls(tmp_path: Path) -> list[tuple[str, int]]:
    registry = tmp_path / "registry.yaml"
    registry.write_text(REGISTRY, encoding="utf-8")
    crawler = get_crawler(ReportsSpider, {"FAZHI_MAX_PAGES": 10})
    spider = ReportsSpider.from_crawler(crawler, source="zz-test", registry=str(registry))
    crawler.spider = spider

    async def collect() -> list[tuple[str, int]]:
        return [(unquote(r.url), r.priority) async for r in spider.start()]

    return asyncio.run(collect())


def test_start_requests_cover_home_entries_search_and_sitemaps(tmp_path: Path) -> None:
    urls = dict(start_urls(tmp_path))
    assert set(urls) == {
        "https://www.zhuzhou.gov.cn/",
        "https://www.zhuzhou.gov.cn/xxgk/szf/fzzfjs/",
        f"https://www.zhuzhou.gov.cn/search?q={SEARCH_QUERY}",
        "https://www.zhuzhou.gov.cn/robots.txt",  # once for the origin of both start pages
        "https://www.zhuzhou.gov.cn/sitemap/xxgk.xml",
    }
    assert (
        urls[f"https://www.zhuzhou.gov.cn/search?q={SEARCH_QUERY}"]
        > urls["https://www.zhuzhou.gov.cn/"]
    )


def test_a_challenge_page_sent_to_the_browser_is_neither_archived_nor_counted_a_failure(
    tmp_path: Path,
) -> None:
    """A 412 anti-bot challenge is rendered again; only the rendered answer is the page."""
    registry = tmp_path / "registry.yaml"
    registry.write_text(REGISTRY, encoding="utf-8")
    crawler = get_crawler(ReportsSpider, {"FAZHI_MAX_PAGES": 10})
    spider = ReportsSpider.from_crawler(crawler, source="zz-test", registry=str(registry))
    crawler.spider = spider
    crawler.stats.open_spider()
    url = "https://www.zhuzhou.gov.cn/"
    request = Request(url, meta={SOURCE: "zz-test"}, cb_kwargs={"url": url, "kind": "listing"})
    challenge = HtmlResponse(url, status=412, body=b"<html></html>", request=request)
    (again,) = spider.parse(challenge, url=url, kind="listing", depth=0)
    assert isinstance(again, Request) and again.meta["playwright"]
    assert again.cb_kwargs["rendered"] is True
    assert not any(key.startswith("fazhi/failure/") for key in crawler.stats.get_stats())
