"""The reports spider as one of many workers on a shared Redis frontier (`fazhi worker`).

Same parsing as :class:`ReportsSpider`; what changes is where requests come from
and which state is shared:

- sources arrive as seeds on Redis (``fazhi crawl`` pushes their slugs); every worker
  loads the same registry, so a seed is a slug and a request's meta names its source;
- the page budget and the "pager brings nothing new" memory are per source in
  Redis (:class:`crawler.frontier.Frontier`); the trap guard and the repeat check
  stay per worker: a trap is cut in each worker after the same bounded walk, and
  the shared budget caps what several walks can cost;
- each request is leased (:class:`Leases`): released once its callback has run and
  its items are archived, put back on the queue if the worker dies first.
"""

from __future__ import annotations

import json
import logging
import time
from collections import Counter
from collections.abc import AsyncIterator, Callable, Iterable, Iterator
from typing import Any, Self

import scrapy
from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import DontCloseSpider
from scrapy.http import Response
from scrapy_redis.spiders import RedisMixin
from twisted.internet import task
from twisted.python.failure import Failure

from crawler.discovery import Link, LinkKind
from crawler.failures import failed_request
from crawler.frontier import LEASE, PART_OF_LEASE, Frontier, worker_name
from crawler.registry import Source
from crawler.request_meta import PARENT
from crawler.spiders.reports import ReportsSpider

logger = logging.getLogger(__name__)


class RedisStart(RedisMixin):  # type: ignore[misc]  # scrapy-redis is untyped: Any
    """scrapy-redis's start requests through ``start()``.

    scrapy-redis 0.9.1 feeds its first batch from ``start_requests()``, which
    Scrapy 2.13+ no longer calls (it iterates ``async def start()``); later
    batches come from its ``spider_idle`` handler and need no shim.
    """

    async def start(self) -> AsyncIterator[scrapy.Request]:
        for request in self.next_requests():
            yield request


class Leases:
    """When a leased request is done: its callback has ended and its items are archived.

    Items reach the pipeline while the callback is still running, and may be archived
    before or after it ends: both orders count down to the same release.
    """

    def __init__(self, release: Callable[[str], None]) -> None:
        self.release = release
        self.items: Counter[str] = Counter()
        self.ended: set[str] = set()

    def item_expected(self, lease: str) -> None:
        self.items[lease] += 1

    def item_done(self, lease: str) -> None:
        self.items[lease] -= 1
        self._settle(lease)

    def callback_ended(self, lease: str) -> None:
        self.ended.add(lease)
        self._settle(lease)

    def _settle(self, lease: str) -> None:
        if lease in self.ended and self.items[lease] <= 0:
            self.ended.discard(lease)
            del self.items[lease]
            self.release(lease)


class WorkerSpider(RedisStart, ReportsSpider):
    name = "worker"
    # Set by from_crawler, and the heartbeat by opened.
    frontier: Frontier
    lease_seconds: int
    leases: Leases
    heartbeat: task.LoopingCall

    def __init__(self, registry: str | None = None, **kwargs: Any) -> None:
        super().__init__(all=True, registry=registry, **kwargs)
        self.idle_since: float | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> Self:
        spider = super().from_crawler(crawler, *args, **kwargs)
        spider.setup_redis(crawler)  # scrapy-redis: seed key, idle handler, MAX_IDLE_TIME…
        spider.frontier = Frontier.from_settings(crawler.settings, worker=worker_name())
        spider.lease_seconds = crawler.settings.getint("FAZHI_WORKER_LEASE")
        spider.leases = Leases(spider.frontier.release)
        connect = crawler.signals.connect
        connect(spider.opened, signal=signals.spider_opened)
        connect(spider.busy_again, signal=signals.response_received)
        connect(spider.dropped, signal=signals.request_dropped)
        for signal in (signals.item_scraped, signals.item_dropped, signals.item_error):
            connect(spider.item_done, signal=signal)
        return spider

    # -- seeds -------------------------------------------------------------------------------

    def make_request_from_data(self, data: bytes) -> list[scrapy.Request]:
        """A seed (``{"source": slug}``) becomes the source's start requests."""
        try:
            slug = json.loads(data)["source"]
            source: Source = self.sources[slug]
        except (ValueError, KeyError, TypeError):
            logger.error("seed %r names no source of this worker's registry: dropped", data)
            self.crawler.stats.inc_value("fazhi/frontier/bad_seed")
            return []
        self.crawler.stats.inc_value("fazhi/frontier/seeds")
        return list(self.seed(source))

    # -- shared run state --------------------------------------------------------------------

    def _spend_page(self, source: Source) -> bool:
        count, limit = self.frontier.spend_page(source.slug, self.max_pages)
        if count == limit + 1:
            logger.info("page budget of %s reached for %s", limit, source.slug)
        return count <= limit

    def _nothing_new(self, source: Source, links: list[Link]) -> bool:
        found = {link.url for link in links if link.kind is not LinkKind.PAGINATION}
        return self.frontier.new_links(source.slug, found) == 0

    # -- leases ------------------------------------------------------------------------------

    def parse(self, response: Response, *args: Any, **kwargs: Any) -> Iterator[Any]:
        return self._leased(super().parse(response, *args, **kwargs), response.meta)

    def failed(self, failure: Failure) -> Iterator[Any]:
        return self._leased(super().failed(failure), failed_request(failure).meta)

    def _leased(self, output: Iterable[Any], meta: dict[str, Any]) -> Iterator[Any]:
        """Count what the lease waits for: items, and files kept in this worker."""
        lease = meta.get(LEASE)
        try:
            for result in output:
                if lease and not isinstance(result, scrapy.Request):
                    self.leases.item_expected(lease)
                elif lease and result.meta.get(PARENT):  # see WorkerScheduler
                    result.meta.update({LEASE: lease, PART_OF_LEASE: True})
                    self.leases.item_expected(lease)
                yield result
        finally:
            if lease and meta.get(PART_OF_LEASE):
                self.leases.item_done(lease)  # a file: one part of its page's lease
            elif lease:
                self.leases.callback_ended(lease)

    def item_done(self, response: Response | Failure | None) -> None:
        request = getattr(response, "request", None)
        if request is not None and (lease := request.meta.get(LEASE)):
            self.leases.item_done(lease)

    def dropped(self, request: scrapy.Request) -> None:
        """A redirect or retry the duplicate filter refused: its lease ends here."""
        if lease := request.meta.get(LEASE):
            self.frontier.release(lease)

    # -- life cycle --------------------------------------------------------------------------

    def opened(self) -> None:
        # built here, not in from_crawler: a LoopingCall installs the default reactor
        self.heartbeat = task.LoopingCall(self.beat)
        self.heartbeat.start(self.lease_seconds / 3, now=True)
        logger.info("worker %s joined the frontier", self.frontier.worker)

    def beat(self) -> None:
        """Renew this worker's leases; put back those of workers that stopped renewing."""
        self.frontier.beat(self.lease_seconds)
        if reclaimed := self.frontier.reclaim_dead():
            self.crawler.stats.inc_value("fazhi/frontier/reclaimed", reclaimed)
            logger.warning("put back %d requests of a worker that stopped answering", reclaimed)

    def closed(self, reason: str) -> None:  # Scrapy calls a spider's closed() on close
        if self.heartbeat.running:
            self.heartbeat.stop()
        returned = self.frontier.retire()
        logger.info("worker %s left (%s): %d requests back", self.frontier.worker, reason, returned)

    def busy_again(self) -> None:
        self.idle_since = None

    def spider_idle(self) -> None:
        """Nothing queued for this worker: take new seeds, or wait, or quit.

        Replaces scrapy-redis's handler, whose idle clock starts when the class is
        imported: with it a worker quits at its first idle moment. Here the clock
        starts when nothing is left anywhere (no request queued, seeded or in
        flight in any worker) and the worker quits after MAX_IDLE_TIME_BEFORE_CLOSE
        seconds of that (0: never).
        """
        self.schedule_next_requests()
        now = time.monotonic()
        if self.frontier.busy():
            self.idle_since = None
        elif self.idle_since is None:
            self.idle_since = now
        idle = now - self.idle_since if self.idle_since is not None else 0.0
        if self.max_idle_time and idle >= self.max_idle_time:
            return  # the engine closes the spider: finished
        raise DontCloseSpider
