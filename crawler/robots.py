"""robots.txt as RFC 9309 reads it: an answer of 5xx means the whole site is disallowed.

Scrapy's RobotsTxtMiddleware parses whatever body robots.txt answers with; an error page holds
no rules, so a portal whose robots.txt answers 503 would be crawled as if it allowed all. RFC
9309 §2.3.1.4 asks the opposite: a server error on robots.txt means complete disallow. Here such
a host's requests are refused for the rest of the run, with that reason (a fetch row each, the
count under ``fazhi/robots/unavailable`` in the run's stats, one log line per host); the next
run asks for robots.txt again.
"""

from __future__ import annotations

import logging

from scrapy.crawler import Crawler
from scrapy.downloadermiddlewares.robotstxt import RobotsTxtMiddleware
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Request, Response
from scrapy.robotstxt import RobotParser
from scrapy.utils.httpobj import urlparse_cached

logger = logging.getLogger(__name__)


class RobotsUnavailable(IgnoreRequest):
    """The host's robots.txt answered a server error: nothing of it is requested this run."""


class RobotsTxt(RobotsTxtMiddleware):
    """Scrapy's robots.txt middleware, reading a 5xx robots.txt as "disallow all"."""

    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler)
        self.unavailable: dict[str, int] = {}  # host:port → the status its robots.txt answered

    async def _parse_robots(self, response: Response, netloc: str, request: Request) -> None:
        if response.status >= 500:
            self.unavailable[netloc] = response.status
            self._stats.inc_value("fazhi/robots/unavailable")
            logger.warning(
                "robots.txt of %s answered %d: the host is skipped for this run (RFC 9309 "
                "reads a server error as disallow all); the next run asks again",
                netloc, response.status,
            )  # fmt: skip
        await super()._parse_robots(response, netloc, request)

    def process_request_2(self, rp: RobotParser | None, request: Request) -> None:
        status = self.unavailable.get(urlparse_cached(request).netloc)
        if status is not None:
            self._stats.inc_value("fazhi/robots/skipped")
            raise RobotsUnavailable(
                f"robots.txt answered {status}: {request.url} not requested this run (RFC 9309)"
            )
        super().process_request_2(rp, request)
