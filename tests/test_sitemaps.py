"""Reading sitemaps (crawler/sitemaps.py): Scrapy's parser, titles kept, gzip bounded, and
only the entries discovery would follow as links."""

from __future__ import annotations

import gzip
from pathlib import Path
from typing import Any

import pytest
from scrapy import Request
from scrapy.http import Response, TextResponse, XmlResponse
from scrapy.responsetypes import responsetypes
from scrapy.utils.test import get_crawler

from crawler import sitemaps
from crawler.discovery import LinkKind
from crawler.items import PageItem
from crawler.sitemaps import INDEX, URLSET, Entry, SitemapError
from crawler.spiders.reports import ReportsSpider

BASE = "https://www.zhuzhou.gov.cn"
NAMESPACES = (
    'xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
    'xmlns:news="http://www.google.com/schemas/sitemap-news/0.9" '
    'xmlns:image="http://www.google.com/schemas/sitemap-image/1.1"'
)


def urlset(*urls: str) -> bytes:
    head = '<?xml version="1.0" encoding="UTF-8"?>'
    return f"{head}\n<urlset {NAMESPACES}>{''.join(urls)}</urlset>".encode()


def url(path: str, lastmod: str = "", extra: str = "") -> str:
    modified = f"<lastmod>{lastmod}</lastmod>" if lastmod else ""
    return f"<url><loc>{BASE}{path}</loc>{modified}{extra}</url>"


def news(title: str) -> str:
    return (
        "<news:news><news:publication><news:name>株洲市人民政府</news:name>"
        "<news:language>zh</news:language></news:publication>"
        f"<news:publication_date>2023-03-30</news:publication_date><news:title>{title}"
        "</news:title></news:news>"
    )


INDEX_XML = (
    f'<?xml version="1.0" encoding="UTF-8"?><sitemapindex {NAMESPACES}>'
    f"<sitemap><loc>{BASE}/sitemap/2019.xml</loc><lastmod>2019-12-31</lastmod></sitemap>"
    f"<sitemap><loc>{BASE}/sitemap/2023.xml.gz</loc><lastmod>2023-12-31</lastmod></sitemap>"
    f"<sitemap><loc>{BASE}/sitemap/pages.xml</loc></sitemap>"
    "</sitemapindex>"
).encode()

REPORT = "株洲市人民政府关于2022年法治政府建设情况的报告"
DISCLOSURE = "株洲市人民政府2022年政府信息公开工作年度报告"
PORTAL = urlset(
    url("/", "2024-04-16"),
    url("/xwzx/jrzz/202404/t20240410_12001.html", "2024-04-10"),  # news: no title, no signal
    url("/xxgk/szf/fzzfjs/", "2024-03-30"),  # a column with a listing signal in its URL
    url("/ztzl/lyzz/", "2024-04-01"),  # a topic column without one
    url("/xxgk/szf/fzzfjs/202303/t20230330_11983476.html", "2023-03-30", news(REPORT)),
    url(
        "/xxgk/szf/fzzfjs/202303/P020230330.pdf",
        "2023-03-30",
        "<image:image><image:loc>x.png</image:loc>"
        f"<image:title>{REPORT}.pdf</image:title></image:image>",
    ),
    url("/xxgk/zfxxgknb/202301/t20230130_9.html", "2023-01-30", news(DISCLOSURE)),
)  # fmt: skip


def xml(path: str, body: bytes) -> XmlResponse:
    return XmlResponse(BASE + path, body=body)


def test_a_urlset_keeps_news_and_image_titles_and_lastmod() -> None:
    kind, entries = sitemaps.read(xml("/sitemap.xml", PORTAL), max_size=2**20)
    assert kind == URLSET
    assert len(entries) == 7
    assert entries[0] == Entry(f"{BASE}/", "", "2024-04-16")
    assert entries[4].title == REPORT
    assert entries[5].title == f"{REPORT}.pdf"


def test_an_index_names_its_sitemaps() -> None:
    kind, entries = sitemaps.read(xml("/sitemap_index.xml", INDEX_XML), max_size=2**20)
    assert kind == INDEX
    assert [e.url.rsplit("/", 1)[1] for e in sitemaps.newest_first(entries)] == [
        "2023.xml.gz", "2019.xml", "pages.xml"
    ]  # fmt: skip


def test_a_gzipped_sitemap_is_unpacked_within_the_size_cap() -> None:
    packed = gzip.compress(PORTAL)
    response = Response(f"{BASE}/sitemap/2023.xml.gz", body=packed)
    assert sitemaps.read(response, max_size=2**20)[1][4].title == REPORT
    with pytest.raises(SitemapError, match=r"2023\.xml\.gz: more than 100 bytes unpacked"):
        sitemaps.read(response, max_size=100)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"", "not XML"),
        (b"\x1f\x8b\x08\x00broken", "broken gzip"),
        (b"<html><body><h1>404</h1></body></html>", "<html> is not a sitemap"),
        (b"User-agent: *\nDisallow: /", "not XML"),
    ],
)
def test_what_is_not_a_sitemap_is_an_error_naming_the_url(body: bytes, message: str) -> None:
    with pytest.raises(SitemapError, match=message) as error:
        sitemaps.read(Response(f"{BASE}/sitemap.xml", body=body), max_size=2**20)
    assert f"{BASE}/sitemap.xml" in str(error.value)


def test_robots_txt_names_sitemaps_absolute_or_relative() -> None:
    robots = (
        b"User-agent: *\nDisallow: /manage/\n"
        b"Sitemap: /sitemap_index.xml\nsitemap: https://www.zhuzhou.gov.cn/news.xml.gz\n"
    )
    response = TextResponse(f"{BASE}/robots.txt", body=robots)
    assert sitemaps.robots_sitemaps(response) == [
        f"{BASE}/sitemap_index.xml", f"{BASE}/news.xml.gz"
    ]  # fmt: skip
    error = TextResponse(f"{BASE}/robots.txt", body=b"Sitemap: /x.xml", status=503)
    assert sitemaps.robots_sitemaps(error) == []


def test_only_entries_discovery_would_follow_are_kept_newest_first() -> None:
    """A portal's urlset lists every news article: only signals and report titles count."""
    _, entries = sitemaps.read(xml("/sitemap.xml", PORTAL), max_size=2**20)
    links = list(sitemaps.urlset_links(entries))
    followed = [
        (link.url.removeprefix(BASE), link.kind) for link in links if link.kind in sitemaps.FOLLOWED
    ]
    assert followed == [
        ("/xxgk/szf/fzzfjs/", LinkKind.LISTING),
        ("/xxgk/szf/fzzfjs/202303/t20230330_11983476.html", LinkKind.CANDIDATE),
        ("/xxgk/szf/fzzfjs/202303/P020230330.pdf", LinkKind.ATTACHMENT),
    ]  # fmt: skip
    dropped = {link.url.removeprefix(BASE): link.kind for link in links}
    assert dropped["/xwzx/jrzz/202404/t20240410_12001.html"] is LinkKind.IGNORED
    assert dropped["/ztzl/lyzz/"] is LinkKind.EXPLORE
    assert dropped["/xxgk/zfxxgknb/202301/t20230130_9.html"] is LinkKind.DISTRACTOR


# -- the spider reads them ----------------------------------------------------------------------

REGISTRY = f"""
- slug: zz-test
  name: 株洲市人民政府门户网站
  home_url: {BASE}/
"""


@pytest.fixture
def spider(tmp_path: Path) -> ReportsSpider:
    registry = tmp_path / "registry.yaml"
    registry.write_text(REGISTRY, encoding="utf-8")
    crawler = get_crawler(ReportsSpider, {"FAZHI_MAX_PAGES": 20, "FAZHI_SITEMAP_DEPTH": 2})
    built = ReportsSpider.from_crawler(crawler, source="zz-test", registry=str(registry))
    crawler.spider = built
    return built


def robots_request(spider: ReportsSpider) -> Request:
    [robots] = [
        r for r in spider.seed(spider.sources["zz-test"]) if r.cb_kwargs["sitemap"] is not None
    ]
    return robots


def answer(spider: ReportsSpider, request: Request, body: bytes, status: int = 200) -> list[Any]:
    """What the spider makes of a response to REQUEST: its PageItem, then its requests."""
    response = responsetypes.from_args(url=request.url, body=body)
    answered = response(request.url, body=body, status=status, request=request)
    output = list(spider.parse(answered, **request.cb_kwargs))
    page, *requests = output
    assert isinstance(page, PageItem)
    assert (page.kind, page.url, page.body) == ("listing", request.url, body)
    return requests


def stats(spider: ReportsSpider) -> dict[str, int]:
    found = spider.crawler.stats.get_stats()
    return {k.removeprefix("fazhi/"): v for k, v in found.items() if k.startswith("fazhi/sitemap")}


def test_robots_txt_is_read_for_its_sitemaps(spider: ReportsSpider) -> None:
    robots = robots_request(spider)
    assert (robots.url, robots.cb_kwargs["sitemap"]) == (f"{BASE}/robots.txt", 0)
    named = answer(spider, robots, b"User-agent: *\nSitemap: /sitemap_index.xml\n")
    assert [(r.url, r.cb_kwargs["sitemap"]) for r in named] == [(f"{BASE}/sitemap_index.xml", 1)]
    assert stats(spider) == {"sitemap/robots/named": 1}


def test_without_a_sitemap_line_sitemap_xml_is_tried_once(spider: ReportsSpider) -> None:
    robots = robots_request(spider)
    [guess] = answer(spider, robots, b"<html><body>404</body></html>", status=404)
    assert (guess.url, guess.cb_kwargs["sitemap"]) == (f"{BASE}/sitemap.xml", 1)
    assert answer(spider, guess, b"<html><body>404</body></html>", status=404) == []
    assert stats(spider) == {"sitemap/robots/guessed": 1, "sitemap/missing": 1}


def named_in_robots(spider: ReportsSpider, url: str) -> Request:
    """The request for a sitemap robots.txt names (level 1)."""
    [request] = answer(spider, robots_request(spider), f"Sitemap: {url}\n".encode())
    return request


def test_an_index_is_followed_newest_first_down_to_the_depth_limit(spider: ReportsSpider) -> None:
    below = answer(spider, named_in_robots(spider, f"{BASE}/sitemap_index.xml"), INDEX_XML)
    assert [(r.url.removeprefix(BASE), r.cb_kwargs["sitemap"]) for r in below] == [
        ("/sitemap/2023.xml.gz", 2), ("/sitemap/2019.xml", 2), ("/sitemap/pages.xml", 2)
    ]  # fmt: skip
    assert answer(spider, below[0], INDEX_XML) == []  # FAZHI_SITEMAP_DEPTH = 2
    assert stats(spider) == {
        "sitemap/robots/named": 1, "sitemap/sitemapindex": 2, "sitemap/too-deep": 1
    }  # fmt: skip


def test_a_urlset_gives_only_what_discovery_follows(spider: ReportsSpider) -> None:
    gz = named_in_robots(spider, f"{BASE}/sitemap/2023.xml.gz")
    requests = answer(spider, gz, gzip.compress(PORTAL))
    assert [
        (r.url.removeprefix(BASE), r.cb_kwargs["kind"], r.cb_kwargs["depth"]) for r in requests
    ] == [
        ("/xxgk/szf/fzzfjs/", "listing", 1),
        ("/xxgk/szf/fzzfjs/202303/t20230330_11983476.html", "candidate", 0),
        ("/xxgk/szf/fzzfjs/202303/P020230330.pdf", "attachment", 0),
    ]
    assert all(r.cb_kwargs["sitemap"] is None for r in requests)  # pages, parsed as pages
    assert requests[1].cb_kwargs["anchor"] == REPORT
    assert stats(spider) == {
        "sitemap/robots/named": 1,
        "sitemap/urlset": 1,
        "sitemap/entries": 7,
        "sitemap/followed/listing": 1,
        "sitemap/followed/candidate": 1,
        "sitemap/followed/attachment": 1,
        "sitemap/unsignalled": 3,
    }
    assert spider.crawler.stats.get_value("fazhi/distractor/info_disclosure_report") == 1


def test_sitemap_pages_spend_the_page_budget(spider: ReportsSpider) -> None:
    spider.max_pages = 4  # home page, robots.txt, the sitemap, then one page
    gz = named_in_robots(spider, f"{BASE}/sitemap/2023.xml.gz")
    requests = answer(spider, gz, gzip.compress(PORTAL))
    assert [r.url for r in requests] == [f"{BASE}/xxgk/szf/fzzfjs/"]
    assert spider.crawler.stats.get_value("fazhi/budget_cut") == 2


def test_a_broken_sitemap_is_archived_and_counted(spider: ReportsSpider) -> None:
    bad = named_in_robots(spider, f"{BASE}/sitemap.xml")
    assert answer(spider, bad, b"\x1f\x8b\x08\x00broken") == []
    assert stats(spider) == {"sitemap/robots/named": 1, "sitemap/invalid": 1}
