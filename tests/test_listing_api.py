"""Script-built listings read through the JSON their script loads (crawler/listing_api.py).

The crawl-level proof is the replica's gkmlpt column (tests/test_crawl_e2e.py): its pager is
``javascript:void(0)`` links, and its report is on the endpoint's second page.
"""

from __future__ import annotations

from scrapy.http import HtmlResponse, Request, TextResponse
from scrapy_playwright.page import PageMethod

from crawler.discovery import LinkKind
from crawler.listing_api import (
    RESOURCE_CALLS,
    api_calls,
    json_links,
    other_pages,
    read_json,
    recording_calls,
)

API = "http://portal.example/api/list?pageNo=1&pageSize=10&channel=7"
REPORT = "某县人民政府关于2023年法治政府建设情况的报告"


def test_links_come_with_their_object_title_and_resolve_against_the_endpoint() -> None:
    data = {
        "code": 200,
        "data": {
            "list": [
                {"title": REPORT, "linkUrl": "/art/2024/3/1/art_7_1.html", "pubDate": "2024-03-01"},
                {"name": "关于做好春季防火工作的通知", "url": "./t20240301_2.html"},
                {"title": "图片", "pic": "https://cdn.example/a.png"},
            ]
        },
    }
    links = {link.url: link for link in json_links(data, API)}
    report = links["http://portal.example/art/2024/3/1/art_7_1.html"]
    assert (report.anchor, report.kind) == (REPORT, LinkKind.CANDIDATE)
    assert (
        links["http://portal.example/api/t20240301_2.html"].anchor == "关于做好春季防火工作的通知"
    )
    assert "2024-03-01" not in {link.anchor for link in links.values()}  # a date is no title


def test_other_pages_from_a_stated_page_count() -> None:
    pages = other_pages(API, {"data": {"list": [], "pageCount": 3}}, limit=50)
    assert pages == [
        "http://portal.example/api/list?pageNo=2&pageSize=10&channel=7",
        "http://portal.example/api/list?pageNo=3&pageSize=10&channel=7",
    ]


def test_other_pages_from_total_and_the_page_size_in_the_query() -> None:
    assert len(other_pages(API, {"total": 95, "rows": []}, limit=50)) == 9  # 10 pages, less this


def test_other_pages_from_total_and_the_items_on_the_page() -> None:
    url = "http://portal.example/gkmlpt/api/all/0?page=2&sid=2212"
    data = {"articles": [{"id": n} for n in range(10)], "total": 21}
    assert other_pages(url, data, limit=50) == [
        "http://portal.example/gkmlpt/api/all/0?page=1&sid=2212",
        "http://portal.example/gkmlpt/api/all/0?page=3&sid=2212",
    ]


def test_other_pages_are_bounded_and_need_a_page_parameter() -> None:
    assert len(other_pages(API, {"totalPages": 100_000}, limit=50)) == 49
    assert other_pages("http://portal.example/api/list?channel=7", {"totalPages": 5}, 50) == []
    assert other_pages(API, {"list": []}, limit=50) == []  # nothing says how many


def test_the_calls_a_rendered_page_made_come_back_from_its_page_method() -> None:
    method = recording_calls()[0]
    assert isinstance(method, PageMethod) and method.args == (RESOURCE_CALLS,)
    method.result = ["http://portal.example/api/list?pageNo=1", 7]
    request = Request("http://portal.example/", meta={"playwright_page_methods": [method]})
    response = HtmlResponse(request.url, body=b"<html></html>", request=request)
    assert api_calls(response) == ["http://portal.example/api/list?pageNo=1"]
    plain = Request("http://portal.example/")  # rendered without the page method
    assert api_calls(HtmlResponse(plain.url, body=b"", request=plain)) == []


def test_an_endpoint_answering_other_than_json_is_read_as_a_page() -> None:
    assert read_json(TextResponse(API, body=b'{"total": 1}', encoding="utf-8")) == {"total": 1}
    assert (
        read_json(TextResponse(API, body=b"<li><a href='/a'>x</a></li>", encoding="utf-8")) is None
    )
