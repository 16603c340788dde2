"""Downloader middlewares: requests stay in scope, away from private networks, and polite.

A portal page can link anywhere, and a hostile one can point at 127.0.0.1 or the crawl
machine's own network, or redirect there. Unless FAZHI_ALLOW_PRIVATE=1 (the tests' replica,
`make demo`), such requests are refused with a clear reason before any socket opens. Every
request stays inside its own source's domains, redirects included; a redirect loop or an
off-site redirect is refused with a reason, so it becomes a ``fetch`` row instead of
vanishing in Scrapy's duplicate or offsite filters. 429/503 answers are retried after the
wait their ``Retry-After`` asks for.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import logging
import socket
from email.utils import parsedate_to_datetime
from functools import cache
from urllib.parse import urljoin, urlsplit

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.exceptions import (
    DownloadCancelledError,
    IgnoreRequest,
    NotConfigured,
    ResponseDataLossError,
)
from scrapy.http import Response
from scrapy.settings import BaseSettings
from scrapy.utils.asyncio import sleep

from archive.config import Settings
from crawler.registry import Source
from crawler.request_meta import SOURCE

logger = logging.getLogger(__name__)


class PrivateAddressRefused(IgnoreRequest):
    """The URL's host is (or resolves to) a loopback, private or link-local address."""


class OffsiteRefused(IgnoreRequest):
    """The URL is outside the domains of the source that asked for it."""


class RedirectRefused(IgnoreRequest):
    """A redirect that leaves the source's domains or comes back to where it started."""


class PrivateAddressGuard:
    @classmethod
    def from_crawler(cls, crawler: Crawler) -> PrivateAddressGuard:
        if Settings.from_env().allow_private:
            raise NotConfigured("FAZHI_ALLOW_PRIVATE=1")
        return cls()

    def process_request(self, request: Request) -> None:
        host = urlsplit(request.url).hostname or ""
        if is_private(host):
            raise PrivateAddressRefused(
                f"refused {request.url}: {host} is a private or loopback address "
                "(set FAZHI_ALLOW_PRIVATE=1 to allow)"
            )


@cache
def is_private(host: str) -> bool:
    """Whether HOST is, or resolves to, an address no public portal has. Cached per host."""
    try:
        addresses = {ipaddress.ip_address(host)}
    except ValueError:
        try:
            infos = socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)
        except OSError:
            return False  # unresolvable: the download fails on its own, with its own reason
        addresses = {ipaddress.ip_address(info[4][0]) for info in infos}
    return any(
        a.is_private or a.is_loopback or a.is_link_local or a.is_reserved or a.is_unspecified
        for a in addresses
    )


class ScopeGuard:
    """Every request of a source stays in that source's domains, port included.

    The spider checks the links it follows; this catches what reaches the downloader by
    other ways (a redirect, a meta refresh), which Scrapy's offsite filter checks by host
    name only, and against every source of the run at once.
    """

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ScopeGuard:
        return cls(crawler)

    def process_request(self, request: Request) -> None:
        source = _source_of(self.crawler, request)
        if source is not None and not source.allows(request.url):
            self.crawler.stats.inc_value("fazhi/offsite/refused")
            raise OffsiteRefused(
                f"refused {request.url}: outside the domains of {source.slug} "
                f"({', '.join(source.domains)})"
            )


class RedirectGuard:
    """Refuses, before Scrapy follows it, a redirect out of the source or back into its chain.

    Placed after RedirectMiddleware on the way in (a higher number), so it sees the 3xx first.
    Without it a loop ends silently in the duplicate filter and an off-site target in the
    offsite filter: no fetch row would say what happened to the link.
    """

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RedirectGuard:
        return cls(crawler)

    def process_response(self, request: Request, response: Response) -> Response:
        location = response.headers.get("Location")
        if not 300 <= response.status < 400 or not location or request.meta.get("dont_redirect"):
            return response
        target = urljoin(request.url, location.decode("latin-1")).split("#", 1)[0]
        chain = [*request.meta.get("redirect_urls", []), request.url]
        if target in chain:
            self.crawler.stats.inc_value("fazhi/redirect/loop")
            raise RedirectRefused("redirect loop: " + " → ".join([*chain, target]))
        source = _source_of(self.crawler, request)
        if source is not None and not source.allows(target):
            self.crawler.stats.inc_value("fazhi/redirect/offsite")
            raise RedirectRefused(
                f"off-site redirect from {request.url} to {target}: outside the domains of "
                f"{source.slug} ({', '.join(source.domains)})"
            )
        return response


class FailureReasons:
    """Puts the reason into the two download failures Scrapy 2.19 raises without one.

    It logs why it gave up, but a body cancelled for growing past DOWNLOAD_MAXSIZE fails
    with an empty DownloadCancelledError (a size announced by Content-Length fails with the
    message already) and a connection closed before the announced end with an empty
    ResponseDataLossError: the fetch row would name the exception and nothing else.
    """

    def __init__(self, maxsize: int) -> None:
        self.maxsize = maxsize

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> FailureReasons:
        return cls(crawler.settings.getint("DOWNLOAD_MAXSIZE"))

    def process_exception(self, request: Request, exception: Exception) -> None:
        if str(exception):
            return
        if isinstance(exception, DownloadCancelledError):
            limit = request.meta.get("download_maxsize", self.maxsize)
            raise DownloadCancelledError(
                f"Received a body larger than download max size ({limit}) in {request.url}; "
                "cancelled mid-transfer"
            ) from exception
        if isinstance(exception, ResponseDataLossError):
            raise ResponseDataLossError(
                f"The connection closed before the body Content-Length announced was complete "
                f"({request.url})"
            ) from exception


def _source_of(crawler: Crawler, request: Request) -> Source | None:
    """The registry source that asked for REQUEST; None for Scrapy's own (robots.txt)."""
    sources = getattr(crawler.spider, "sources", {})
    return sources.get(request.meta.get(SOURCE, ""))


class RetryAfterMiddleware(RetryMiddleware):
    """Scrapy's retries, with a wait before each: what ``Retry-After`` asks, else a backoff.

    Scrapy 2.19 retries at once whatever the server said (RFC 9110 §10.2.3 asks clients to
    wait), and a portal that is down or overloaded gets its retries back to back. Here a
    retry waits what a 429/503's ``Retry-After`` asks, or ``FAZHI_RETRY_BACKOFF`` seconds
    doubled for each retry already made (1, 2, 4 s by default; timeouts and refused
    connections too). A wait above ``FAZHI_RETRY_AFTER_MAX`` seconds gives up at once
    instead: the response is archived with its status and Retry-After, and the next run
    tries again. The wait holds only this request; the host's other requests keep
    AutoThrottle's pace.
    """

    def __init__(self, settings: BaseSettings) -> None:
        super().__init__(settings)
        self.max_wait = settings.getfloat("FAZHI_RETRY_AFTER_MAX")
        self.backoff = settings.getfloat("FAZHI_RETRY_BACKOFF")

    async def process_response(  # type: ignore[override]  # async, no spider: as Scrapy allows
        self, request: Request, response: Response
    ) -> Request | Response:
        if response.status in self.retry_http_codes and self._retries_left(request):
            wait = retry_after(response)
            if wait is not None and wait > self.max_wait:
                self.crawler.stats.inc_value("fazhi/retry_after/too_long")
                logger.info("%s asks to retry in %.0f s: given up for this run", request, wait)
                return response
            if wait is not None:
                self.crawler.stats.inc_value("fazhi/retry_after/waited")
            await sleep(self._backoff(request) if wait is None else wait)
        return super().process_response(request, response)

    async def process_exception(  # type: ignore[override]  # async, no spider: as Scrapy allows
        self, request: Request, exception: Exception
    ) -> Request | Response | None:
        if isinstance(exception, self.exceptions_to_retry) and self._retries_left(request):
            await sleep(self._backoff(request))
        return super().process_exception(request, exception)

    def _retries_left(self, request: Request) -> bool:
        if request.meta.get("dont_retry", False):
            return False
        limit: int = request.meta.get("max_retry_times", self.max_retry_times)
        retries: int = request.meta.get("retry_times", 0)
        return retries < limit

    def _backoff(self, request: Request) -> float:
        retries: int = request.meta.get("retry_times", 0)
        return min(self.max_wait, self.backoff * 2.0**retries)


def retry_after(response: Response) -> float | None:
    """Seconds the response's Retry-After asks to wait (delay-seconds or an HTTP-date)."""
    value = (response.headers.get("Retry-After") or b"").decode("latin-1").strip()
    if not value:
        return None
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None  # unreadable: retry as Scrapy would
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    return max(0.0, (when - dt.datetime.now(dt.UTC)).total_seconds())
