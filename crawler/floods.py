"""Floods cut: a URL pattern that keeps failing, and a source past its time, stop costing requests.

A portal can link thousands of in-scope pages that all answer 404 (a column of dead links, a
generated listing). The page budget bounds what such a flood costs, but spends the run on it:
the report waits behind the errors. Two rules end it early, each counted in the run's stats
under ``fazhi/retired/<reason>`` and logged once:

- ``error-run``: once ``FAZHI_RETIRE_AFTER`` answers in a row of one source's URL *shape*
  (:func:`crawler.traps.shape`: digits generalised) are errors (HTTP 4xx/5xx, or no answer),
  the shape is retired for the run; any success before that starts the count again.
- ``time-budget``: once ``FAZHI_SOURCE_TIME_BUDGET`` seconds have passed since a source's first
  request, its remaining requests are dropped.

Both are checked where a request is made (the spider) and again where it would be downloaded
(:class:`FloodGuard`), so requests queued before the rule fired are dropped too. Per process:
each worker of a fleet retires on its own evidence and times its own sources.
"""

from __future__ import annotations

import logging
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response
from scrapy.statscollectors import StatsCollector

from crawler.request_meta import SOURCE
from crawler.traps import shape

logger = logging.getLogger(__name__)

STATS_PREFIX = "fazhi/retired/"  # + reason: requests dropped
ERROR_RUN = "error-run"
TIME_BUDGET = "time-budget"


class FloodCut(IgnoreRequest):
    """A queued request dropped by a rule here: counted in the stats and in the skip audit,
    never a fetch row."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason  # ERROR_RUN or TIME_BUDGET


@dataclass
class ErrorRuns:
    """Which (source, URL shape) pairs answered LIMIT errors in a row; 0 turns the rule off."""

    limit: int
    runs: Counter[tuple[str, str]] = field(default_factory=Counter)
    retired: set[tuple[str, str]] = field(default_factory=set)

    def answered(self, slug: str, url: str, failed: bool) -> str | None:
        """Count an answer; the shape it retires, the first time its run reaches the limit."""
        key = (slug, shape(url))
        if key in self.retired or not self.limit:
            return None
        self.runs[key] = self.runs[key] + 1 if failed else 0
        if self.runs[key] < self.limit:
            return None
        self.retired.add(key)
        return key[1]

    def is_retired(self, slug: str, url: str) -> bool:
        return (slug, shape(url)) in self.retired


@dataclass
class TimeBudget:
    """Seconds each source may crawl, from its first request; 0 turns the rule off."""

    seconds: float
    clock: Callable[[], float] = time.monotonic
    started: dict[str, float] = field(default_factory=dict)

    def spent(self, slug: str) -> bool:
        """Whether SLUG's time is up; its first call starts the source's clock."""
        now = self.clock()
        start = self.started.setdefault(slug, now)
        return bool(self.seconds) and now - start >= self.seconds


class FloodCuts:
    """Both rules for one crawl, with its stats and one log line per thing cut."""

    def __init__(self, stats: Callable[[], StatsCollector], retire_after: int, time_budget: float):
        self.stats = stats  # the crawl's, which exist once it starts: after its spider
        self.errors = ErrorRuns(retire_after)
        self.budget = TimeBudget(time_budget)
        self.out_of_time: set[str] = set()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> FloodCuts:
        settings = crawler.settings
        return cls(
            lambda: crawler.stats,
            settings.getint("FAZHI_RETIRE_AFTER"),
            settings.getfloat("FAZHI_SOURCE_TIME_BUDGET"),
        )

    def cut(self, slug: str, url: str) -> str | None:
        """The reason a request of SLUG for URL is not to be made, counted; None: make it."""
        if self.budget.spent(slug):
            reason = TIME_BUDGET
            if slug not in self.out_of_time:
                self.out_of_time.add(slug)
                logger.info("time budget of %.0f s spent for %s", self.budget.seconds, slug)
        elif self.errors.is_retired(slug, url):
            reason = ERROR_RUN
        else:
            return None
        self.stats().inc_value(STATS_PREFIX + reason)
        return reason

    def answered(self, slug: str, url: str, failed: bool) -> None:
        if pattern := self.errors.answered(slug, url, failed):
            self.stats().inc_value(STATS_PREFIX + "patterns")
            logger.info(
                "pattern retired for the run: %s of %s after %d errors in a row (last %s)",
                pattern, slug, self.errors.limit, url,
            )  # fmt: skip


class FloodGuard:
    """Downloader middleware: drops queued requests a rule has cut since, and feeds the rules.

    Before robots.txt (100): a dropped request costs no robots.txt fetch. It sees a request's
    final answer only: retries (550) and redirects (600) are settled further in.
    """

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> FloodGuard:
        return cls(crawler)

    def _cuts(self) -> FloodCuts | None:
        cuts: Any = getattr(self.crawler.spider, "floods", None)  # a fazhi spider's
        return cuts if isinstance(cuts, FloodCuts) else None

    def process_request(self, request: Request) -> None:
        cuts, slug = self._cuts(), request.meta.get(SOURCE)
        if cuts is not None and slug and (reason := cuts.cut(slug, request.url)):
            raise FloodCut(reason, f"{reason}: {request.url} of {slug} not requested")

    def process_response(self, request: Request, response: Response) -> Response:
        cuts, slug = self._cuts(), request.meta.get(SOURCE)
        if cuts is not None and slug:
            cuts.answered(slug, request.url, response.status >= 400)
        return response

    def process_exception(self, request: Request, exception: Exception) -> None:
        cuts, slug = self._cuts(), request.meta.get(SOURCE)
        if cuts is not None and slug and not isinstance(exception, IgnoreRequest):
            cuts.answered(slug, request.url, True)
