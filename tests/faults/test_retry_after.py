"""Retry-After: how long a 429/503 asks to wait, and a wait too long to honour in this run."""

from __future__ import annotations

import asyncio
import datetime as dt
from email.utils import format_datetime

import pytest
from scrapy import Request, Spider
from scrapy.http import Response
from scrapy.utils.test import get_crawler

from crawler.middlewares import RetryAfterMiddleware, retry_after
from crawler.spiders.reports import ReportsSpider

IN_AN_HOUR = "in an hour"  # a date, written when the test runs (collection may be long before)


@pytest.mark.parametrize(
    ("header", "low", "high"),
    [("120", 120, 120), ("0", 0, 0), (IN_AN_HOUR, 3500, 3600),
     ("Wed, 21 Oct 2015 07:28:00 GMT", 0, 0)],  # a date gone by: retry now
)  # fmt: skip
def test_retry_after_is_read_as_seconds_or_a_date(header: str, low: float, high: float) -> None:
    if header == IN_AN_HOUR:
        header = format_datetime(dt.datetime.now(dt.UTC) + dt.timedelta(hours=1), usegmt=True)
    wait = retry_after(Response("https://a.gov.cn/", status=503, headers={"Retry-After": header}))
    assert wait is not None and low <= wait <= high


@pytest.mark.parametrize("header", [None, "", "soon"])
def test_no_or_unreadable_retry_after_is_no_wait(header: str | None) -> None:
    headers = {"Retry-After": header} if header is not None else {}
    assert retry_after(Response("https://a.gov.cn/", status=503, headers=headers)) is None


def test_a_wait_above_the_limit_is_not_retried_this_run() -> None:
    crawler = get_crawler(ReportsSpider, {"FAZHI_RETRY_AFTER_MAX": 60})
    middleware = RetryAfterMiddleware.from_crawler(crawler)
    request = Request("https://a.gov.cn/busy")
    response = Response(request.url, status=503, headers={"Retry-After": "3600"}, request=request)
    assert asyncio.run(middleware.process_response(request, response)) is response
    assert crawler.stats.get_value("fazhi/retry_after/too_long") == 1


def test_retries_without_retry_after_back_off_exponentially(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from twisted.internet.error import TimeoutError as ConnectTimeout

    import crawler.middlewares

    waits: list[float] = []

    async def no_sleep(seconds: float) -> None:
        waits.append(seconds)

    monkeypatch.setattr(crawler.middlewares, "sleep", no_sleep)
    settings = {"FAZHI_RETRY_BACKOFF": 1.5, "FAZHI_RETRY_AFTER_MAX": 60, "RETRY_TIMES": 3}
    crawler_ = get_crawler(ReportsSpider, settings)
    crawler_.spider = Spider.from_crawler(crawler_, "probe")  # the retry logs against it
    middleware = RetryAfterMiddleware.from_crawler(crawler_)
    request: Request | None = Request("https://a.gov.cn/slow")
    tries = 0
    while request is not None:
        tries += 1
        request = asyncio.run(middleware.process_exception(request, ConnectTimeout()))
    assert (tries, waits) == (4, [1.5, 3.0, 6.0])  # no wait before giving up

    waits.clear()
    busy = Request("https://a.gov.cn/busy")
    response = Response(busy.url, status=503, request=busy)
    retried = asyncio.run(middleware.process_response(busy, response))
    assert isinstance(retried, Request) and waits == [1.5]


def test_a_name_that_does_not_resolve_is_not_retried(monkeypatch: pytest.MonkeyPatch) -> None:
    """The project's RETRY_EXCEPTIONS leave DNS failures out: the next run asks again."""
    from scrapy.exceptions import CannotResolveHostError, DownloadTimeoutError
    from scrapy.utils.project import get_project_settings

    import crawler.middlewares

    waits: list[float] = []

    async def no_sleep(seconds: float) -> None:
        waits.append(seconds)

    monkeypatch.setattr(crawler.middlewares, "sleep", no_sleep)
    project = get_project_settings()
    names = ("RETRY_EXCEPTIONS", "FAZHI_RETRY_BACKOFF", "FAZHI_RETRY_AFTER_MAX")
    crawler_ = get_crawler(ReportsSpider, {name: project[name] for name in names})
    crawler_.spider = Spider.from_crawler(crawler_, "probe")
    middleware = RetryAfterMiddleware.from_crawler(crawler_)
    request = Request("https://moved.gov.cn/")
    gone = CannotResolveHostError("no results for hostname lookup: moved.gov.cn")
    assert asyncio.run(middleware.process_exception(request, gone)) is None
    assert waits == []
    retried = asyncio.run(middleware.process_exception(request, DownloadTimeoutError("slow")))
    assert isinstance(retried, Request) and waits == [1.0]
