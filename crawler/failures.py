"""Why a crawl's requests failed: one log line each, and a count by reason for its summary.

Without internet every portal fails the same way, and a traceback per failure buried the
one line that mattered. A failure the crawler expects (the network, the portal, this
machine's setup: DNS, refused, timeout, reset, TLS, size cap, out of scope, no browser) is
logged as one line with its URL and reason; anything else is a bug and keeps its traceback.
Each failure is counted by its kind (the exception name its fetch row's error starts with,
or the page's HTTP error status) and by host, so the summary says "176 hosts did not
resolve" rather than listing them.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

import scrapy
from OpenSSL import SSL
from playwright.async_api import Error as PlaywrightError
from playwright.async_api import TimeoutError as PlaywrightTimeout
from scrapy.crawler import Crawler
from scrapy.exceptions import (
    CannotResolveHostError,
    DownloadCancelledError,
    DownloadConnectionRefusedError,
    DownloadFailedError,
    DownloadTimeoutError,
    IgnoreRequest,
    ResponseDataLossError,
)
from scrapy.http import Response
from scrapy.utils.log import failure_to_exc_info
from twisted.internet import error as twisted_error
from twisted.python.failure import Failure
from twisted.web.client import ResponseFailed

from crawler.browser import BrowserNotFound

logger = logging.getLogger(__name__)

COUNT_PREFIX = "fazhi/failure/"  # + kind: failed requests (pages, for an HTTP status)
HOSTS_PREFIX = "fazhi/failure_hosts/"  # + kind: distinct hosts among them

EXPECTED: tuple[type[BaseException], ...] = (
    CannotResolveHostError,
    DownloadConnectionRefusedError,
    DownloadTimeoutError,
    DownloadCancelledError,  # the size cap (crawler.middlewares.FailureReasons)
    DownloadFailedError,  # the connection lost, a TLS handshake failed
    ResponseDataLossError,
    IgnoreRequest,  # robots.txt, and crawler.middlewares' refusals (offsite, private, redirect)
    twisted_error.ConnectError,  # DNS, refused, TCP timeout, before Scrapy names them
    twisted_error.ConnectionLost,
    twisted_error.ConnectionDone,
    twisted_error.TimeoutError,
    ResponseFailed,
    SSL.Error,
    ConnectionError,
    TimeoutError,
    PlaywrightTimeout,
    BrowserNotFound,  # said once at start (crawler.playwright_handler); each render fails
)

# kind → (what is counted, what happened to it); a kind not here is still counted, by name.
WORDING: dict[str, tuple[str, str]] = {
    "CannotResolveHostError": ("host", "did not resolve"),
    "DownloadTimeoutError": ("request", "timed out"),
    "TimeoutError": ("request", "timed out"),
    "DownloadConnectionRefusedError": ("connection", "refused"),
    "DownloadFailedError": ("download", "broken off: connection lost or TLS"),
    "ResponseDataLossError": ("response", "cut short"),
    "DownloadCancelledError": ("download", "cancelled: over the size cap"),
    "IgnoreRequest": ("request", "skipped: robots.txt, off-site or too large unpacked"),
    "OffsiteRefused": ("request", "refused: outside the source's domains"),
    "PrivateAddressRefused": ("request", "refused: a private address"),
    "RedirectRefused": ("redirect", "refused: a loop or off-site"),
    "RobotsUnavailable": ("request", "skipped: robots.txt answered a server error (RFC 9309)"),
    "BrowserNotFound": ("page", "needed a browser, none found"),
}


def is_expected(exc: BaseException | None) -> bool:
    """Whether EXC is a failure of the network, a portal or the setup, not of our code."""
    if isinstance(exc, EXPECTED):
        return True
    return isinstance(exc, PlaywrightError) and "net::ERR_" in str(exc)  # Chromium's own


class OneLineFailures(logging.Filter):
    """Drops the traceback from a log record of an expected failure (Scrapy's robots.txt
    middleware logs one with each host that does not resolve); counts the others."""

    def __init__(self) -> None:
        super().__init__()
        self.tracebacks = 0  # records that kept theirs: bugs, for the summary to point at

    def filter(self, record: logging.LogRecord) -> bool:
        if not record.exc_info or getattr(record, "fazhi_checked", False):
            return True
        record.fazhi_checked = True  # every handler sees the same record: count it once
        exc = record.exc_info[1]
        if not is_expected(exc):
            self.tracebacks += 1
            return True
        if str(exc) not in record.getMessage():
            record.msg, record.args = f"{record.getMessage()}: {type(exc).__name__}: {exc}", ()
        record.exc_info = record.exc_text = None
        return True


def failed_request(failure: Failure) -> scrapy.Request:
    """The request an errback's FAILURE is about: Scrapy sets it, Twisted does not declare it."""
    request: scrapy.Request = failure.request  # type: ignore[attr-defined]  # set by Scrapy
    return request


class FailureLog:
    """The failures of one crawl: a log line each, counted by kind and host in its stats."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler  # its stats exist once the crawl starts
        self.hosts: defaultdict[str, set[str]] = defaultdict(set)

    def failed(self, failure: Failure) -> None:
        """A request that got no response."""
        assert failure.type is not None  # an errback's failure holds an exception
        url, kind = failed_request(failure).url, failure.type.__name__
        if is_expected(failure.value):
            logger.warning("failed %s: %s: %s", url, kind, failure.getErrorMessage())
        else:
            logger.error("failed %s", url, exc_info=failure_to_exc_info(failure))
        self._count(kind, url)

    def answered(self, response: Response) -> None:
        """A page the archive keeps; an HTTP error status (its fetch row's error) is counted."""
        if response.status >= 400:
            logger.info("HTTP %s from %s", response.status, response.url)
            self._count(f"HTTP {response.status}", response.url)

    def _count(self, kind: str, url: str) -> None:
        stats = self.crawler.stats
        stats.inc_value(COUNT_PREFIX + kind)
        hosts = self.hosts[kind]
        hosts.add(urlsplit(url).netloc)
        stats.set_value(HOSTS_PREFIX + kind, len(hosts))


def by_reason(stats: Mapping[str, Any]) -> list[str]:
    """A crawl's failures grouped by kind, the most first: "176 hosts did not resolve (363
    requests)", "12 requests timed out (3 hosts)", "40 pages answered HTTP 404 (2 hosts)"."""
    counted = [
        (k.removeprefix(COUNT_PREFIX), v) for k, v in stats.items() if k.startswith(COUNT_PREFIX)
    ]
    lines = []
    for kind, requests in sorted(counted, key=lambda item: (-item[1], item[0])):
        hosts = stats.get(HOSTS_PREFIX + kind, 0)
        noun, what = _wording(kind)
        if noun == "host":
            lines.append(f"{_count(hosts, 'host')} {what} ({_count(requests, 'request')})")
        else:
            where = f" ({_count(hosts, 'host')})" if hosts else ""
            lines.append(f"{_count(requests, noun)} {what}{where}")
    return lines


def _wording(kind: str) -> tuple[str, str]:
    if kind.startswith("HTTP "):
        return "page", f"answered {kind}"
    return WORDING.get(kind, ("request", f"failed with {kind}"))


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"
