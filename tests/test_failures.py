"""crawler.failures: a failure's one log line, its count by kind and host, the summary's groups."""

from __future__ import annotations

import io
import logging
from typing import Any

import pytest
from scrapy import Request
from scrapy.exceptions import CannotResolveHostError
from scrapy.http import Response
from twisted.python.failure import Failure

from crawler.failures import FailureLog, OneLineFailures, by_reason


class Stats:
    """The two calls FailureLog makes on Scrapy's stats collector."""

    def __init__(self) -> None:
        self.values: dict[str, Any] = {}

    def inc_value(self, key: str, count: int = 1) -> None:
        self.values[key] = self.values.get(key, 0) + count

    def set_value(self, key: str, value: Any) -> None:
        self.values[key] = value


class Crawler:
    def __init__(self) -> None:
        self.stats = Stats()


def _failure(exc: Exception, url: str) -> Failure:
    try:
        raise exc
    except type(exc):
        failure = Failure()
    failure.request = Request(url)
    return failure


def test_failures_are_counted_by_kind_and_host(caplog: pytest.LogCaptureFixture) -> None:
    crawler = Crawler()
    log = FailureLog(crawler)
    for url in ("https://a.invalid/", "https://a.invalid/robots.txt", "https://b.invalid/"):
        log.failed(_failure(CannotResolveHostError(f"no results for {url}"), url))
    log.answered(Response("https://c.example/gone", status=404))
    log.answered(Response("https://c.example/", status=200))
    assert crawler.stats.values == {
        "fazhi/failure/CannotResolveHostError": 3,
        "fazhi/failure_hosts/CannotResolveHostError": 2,
        "fazhi/failure/HTTP 404": 1,
        "fazhi/failure_hosts/HTTP 404": 1,
    }
    dns = [r for r in caplog.records if "CannotResolveHostError" in r.getMessage()]
    assert len(dns) == 3 and not any(r.exc_info for r in dns)
    assert "failed https://b.invalid/: CannotResolveHostError: no results" in dns[2].getMessage()


def test_an_unexpected_exception_is_logged_with_its_traceback(
    caplog: pytest.LogCaptureFixture,
) -> None:
    crawler = Crawler()
    FailureLog(crawler).failed(_failure(KeyError("fazhi_source"), "https://a.example/"))
    [record] = caplog.records
    assert record.levelno == logging.ERROR and record.exc_info
    assert crawler.stats.values["fazhi/failure/KeyError"] == 1


def test_the_summary_groups_by_kind_the_most_first() -> None:
    stats = {
        "fazhi/failure/CannotResolveHostError": 3,
        "fazhi/failure_hosts/CannotResolveHostError": 1,
        "fazhi/failure/DownloadTimeoutError": 12,
        "fazhi/failure_hosts/DownloadTimeoutError": 3,
        "fazhi/failure/HTTP 404": 40,
        "fazhi/failure_hosts/HTTP 404": 2,
        "fazhi/failure/SomethingNew": 1,
        "fazhi/failure_hosts/SomethingNew": 1,
        "fazhi/distractor/news": 4,
    }
    assert by_reason(stats) == [
        "40 pages answered HTTP 404 (2 hosts)",
        "12 requests timed out (3 hosts)",
        "1 host did not resolve (3 requests)",
        "1 request failed with SomethingNew (1 host)",  # a kind no one worded is still shown
    ]
    assert by_reason({"response_received_count": 5}) == []


def _logged(exc: Exception) -> tuple[str, OneLineFailures]:
    """What two handlers sharing one OneLineFailures write for an error logged with EXC."""
    one_line, out = OneLineFailures(), io.StringIO()
    logger = logging.getLogger(f"{__name__}.{type(exc).__name__}")
    logger.propagate = False
    handlers = [logging.StreamHandler(out), logging.StreamHandler(io.StringIO())]
    for handler in handlers:
        handler.addFilter(one_line)
        logger.addHandler(handler)
    try:
        try:
            raise exc
        except type(exc):
            logger.exception("Error downloading <GET https://a.invalid/robots.txt>")
    finally:
        for handler in handlers:
            logger.removeHandler(handler)
    return out.getvalue(), one_line


def test_an_expected_failure_logs_one_line_with_its_reason() -> None:
    text, one_line = _logged(CannotResolveHostError("DNS lookup failed: a.invalid"))
    assert text == (
        "Error downloading <GET https://a.invalid/robots.txt>: "
        "CannotResolveHostError: DNS lookup failed: a.invalid\n"
    )
    assert one_line.tracebacks == 0


def test_a_bug_keeps_its_traceback_and_is_counted_once() -> None:
    text, one_line = _logged(ZeroDivisionError("division by zero"))
    assert "Traceback (most recent call last)" in text
    assert one_line.tracebacks == 1
