"""The frontier several workers share: scrapy-redis, plus what a fleet of workers needs.

On top of scrapy-redis's queue and duplicate filter: every key under one prefix
(:class:`FrontierKeys`), seeds, per-source run state shared by all workers, and leases, so a
killed worker's requests go back on the queue. docs/scale.md ("How the work is shared").
"""

from __future__ import annotations

import json
import os
import socket
import uuid
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import redis
from scrapy import Request
from scrapy.settings import BaseSettings
from scrapy_redis import connection
from scrapy_redis.dupefilter import RFPDupeFilter
from scrapy_redis.queue import PriorityQueue
from scrapy_redis.scheduler import Scheduler

from crawler.request_meta import PARENT, SOURCE

LEASE = "redis_lease"  # request.meta key: the lease a taken request is held under
PART_OF_LEASE = "redis_lease_part"  # meta flag: a page's file, done under the page's lease

# Move the best request from the queue to the worker's in-flight hash, as "score data".
TAKE = """
local top = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
if #top == 0 then return false end
redis.call('ZREM', KEYS[1], top[1])
redis.call('HSET', KEYS[2], ARGV[1], top[2] .. ' ' .. top[1])
return top[1]
"""

# Queue a request at its score (-priority) plus its place in line: a fraction that grows with
# every request queued, so equal priorities come out oldest first, as in one process
# (crawler/settings.py, SCHEDULER_MEMORY_QUEUE), not in the order of their encoded bytes.
# 2**32 places before the fraction wraps; a score of a few hundred keeps 2**-44 of precision.
PUT = """
local place = redis.call('INCR', KEYS[2]) % 4294967296
redis.call('ZADD', KEYS[1], tonumber(ARGV[2]) + place / 4294967296, ARGV[1])
if ARGV[3] ~= '' then redis.call('HDEL', KEYS[3], ARGV[3]) end
return place
"""

# Put a dead (or retiring) worker's leases back on the queue; -1 while it is alive.
RECLAIM = """
if redis.call('EXISTS', KEYS[1]) == 1 then return -1 end
local entries = redis.call('HVALS', KEYS[2])
for _, entry in ipairs(entries) do
  local space = string.find(entry, ' ', 1, true)
  redis.call('ZADD', KEYS[3], string.sub(entry, 1, space - 1), string.sub(entry, space + 1))
end
redis.call('DEL', KEYS[2])
redis.call('SREM', KEYS[4], ARGV[1])
return #entries
"""


@dataclass(frozen=True)
class FrontierKeys:
    """Every Redis key of one deployment's frontier."""

    prefix: str

    def __post_init__(self) -> None:
        if "%" in self.prefix:  # scrapy-redis %-formats its keys
            raise ValueError(f"FAZHI_REDIS_PREFIX must not contain '%': {self.prefix!r}")

    @property
    def requests(self) -> str:
        return f"{self.prefix}requests"

    @property
    def seeds(self) -> str:
        return f"{self.prefix}seeds"

    @property
    def seen(self) -> str:
        """Base of the per-source duplicate filters (see :func:`per_source`)."""
        return f"{self.prefix}seen"

    @property
    def workers(self) -> str:
        return f"{self.prefix}workers"

    @property
    def order(self) -> str:
        """The count of requests ever queued: each one's place in line (see PUT)."""
        return f"{self.prefix}order"

    def pages(self, slug: str) -> str:
        return f"{self.prefix}pages:{slug}"

    def limit(self, slug: str) -> str:
        return f"{self.prefix}limit:{slug}"

    def links(self, slug: str) -> str:
        return f"{self.prefix}links:{slug}"

    def inflight(self, worker: str) -> str:
        return f"{self.prefix}inflight:{worker}"

    def alive(self, worker: str) -> str:
        return f"{self.prefix}alive:{worker}"

    def host(self, netloc: str) -> str:
        return f"{self.prefix}host:{netloc}"


def per_source(base: str, slug: str) -> str:
    return f"{base}:{slug}"


def scrapy_settings(redis_url: str, prefix: str) -> dict[str, Any]:
    """Scrapy settings that put a crawl's frontier on Redis."""
    keys = FrontierKeys(prefix)
    return {
        "SCHEDULER": "crawler.frontier.WorkerScheduler",
        "SCHEDULER_QUEUE_CLASS": "crawler.frontier.LeasedQueue",
        "DUPEFILTER_CLASS": "crawler.frontier.SourceDupeFilter",
        "SCHEDULER_PERSIST": True,  # the frontier outlives every worker
        "SCHEDULER_QUEUE_KEY": keys.requests,
        "SCHEDULER_DUPEFILTER_KEY": keys.seen,
        "REDIS_START_URLS_KEY": keys.seeds,
        "REDIS_URL": redis_url,
        "FAZHI_REDIS_PREFIX": prefix,
    }


def worker_name() -> str:
    """Unique per process, readable in Redis: host, pid, random tail."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


class Frontier:
    """One process's handle on the shared frontier (a worker, the seeder, the host gate)."""

    def __init__(self, client: redis.Redis, keys: FrontierKeys, worker: str = "") -> None:
        self.client = client
        self.keys = keys
        self.worker = worker
        self._take = client.register_script(TAKE)
        self._put = client.register_script(PUT)
        self._reclaim = client.register_script(RECLAIM)

    @classmethod
    def from_settings(cls, settings: BaseSettings, worker: str = "") -> Frontier:
        keys = FrontierKeys(settings.get("FAZHI_REDIS_PREFIX", "fazhi:"))
        return cls(connection.from_settings(settings), keys, worker)

    # -- seeding -----------------------------------------------------------------------------

    def seed(self, slugs: Iterable[str], max_pages: int | None = None) -> int:
        """Start a new run of each source: reset its shared state, queue its slug for a worker.

        Seeding a source that workers are still crawling restarts its run: its pages
        are fetched once more.
        """
        count = 0
        with self.client.pipeline(transaction=True) as pipe:
            for slug in slugs:
                pipe.delete(per_source(self.keys.seen, slug), self.keys.links(slug))
                pipe.delete(self.keys.pages(slug), self.keys.limit(slug))
                if max_pages:
                    pipe.set(self.keys.limit(slug), max_pages)
                pipe.rpush(self.keys.seeds, json.dumps({"source": slug}))
                count += 1
            pipe.execute()
        return count

    # -- per-source run state ----------------------------------------------------------------

    def spend_page(self, slug: str, default_limit: int) -> tuple[int, int]:
        """Count one more request of SLUG: (pages so far, the source's limit)."""
        with self.client.pipeline(transaction=True) as pipe:
            pipe.incr(self.keys.pages(slug))
            pipe.get(self.keys.limit(slug))
            count, limit = pipe.execute()
        return int(count), int(limit) if limit else default_limit

    def new_links(self, slug: str, urls: set[str]) -> int:
        """How many of URLS no pager of SLUG has shown before (any worker)."""
        return int(self.client.sadd(self.keys.links(slug), *urls)) if urls else 0

    # -- leases ------------------------------------------------------------------------------

    def take(self, queue: str) -> tuple[str, bytes] | None:
        """The best queued request, now leased to this worker: (lease, encoded request)."""
        lease = uuid.uuid4().hex
        data = self._take(keys=[queue, self.keys.inflight(self.worker)], args=[lease])
        return None if data is None else (lease, data)

    def put(self, queue: str, data: bytes, score: float, lease: str | None) -> None:
        """Queue a request behind those of its SCORE; a lease it carries (a redirect, a retry)
        is settled with it."""
        keys = [queue, self.keys.order, self.keys.inflight(self.worker)]
        self._put(keys=keys, args=[data, score, lease or ""])

    def release(self, lease: str) -> None:
        self.client.hdel(self.keys.inflight(self.worker), lease)

    def beat(self, seconds: int) -> None:
        """Say this worker is alive for SECONDS more; its leases are safe until then."""
        with self.client.pipeline(transaction=True) as pipe:
            pipe.set(self.keys.alive(self.worker), 1, ex=seconds)
            pipe.sadd(self.keys.workers, self.worker)
            pipe.execute()

    def reclaim_dead(self) -> int:
        """Put back the leases of every worker whose heartbeat expired; how many."""
        total = 0
        for member in self.client.smembers(self.keys.workers):
            worker = member.decode() if isinstance(member, bytes) else member
            if worker != self.worker:
                total += max(self._reclaim_from(worker), 0)
        return total

    def retire(self) -> int:
        """Leave the fleet: this worker's unfinished leases go back on the queue."""
        self.client.delete(self.keys.alive(self.worker))
        return max(self._reclaim_from(self.worker), 0)

    def _reclaim_from(self, worker: str) -> int:
        keys = [
            self.keys.alive(worker),
            self.keys.inflight(worker),
            self.keys.requests,
            self.keys.workers,
        ]
        return int(self._reclaim(keys=keys, args=[worker]))

    def busy(self) -> bool:
        """Whether any work is left anywhere: queued requests, seeds, or requests in flight."""
        if self.client.zcard(self.keys.requests) or self.client.llen(self.keys.seeds):
            return True
        workers = self.client.smembers(self.keys.workers)
        return any(
            self.client.hlen(self.keys.inflight(w.decode() if isinstance(w, bytes) else w))
            for w in workers
        )

    # -- politeness --------------------------------------------------------------------------

    def reserve_host(self, netloc: str, seconds: float) -> float:
        """Claim the next request start on NETLOC; 0 when granted, else seconds to wait."""
        key = self.keys.host(netloc)
        if self.client.set(key, self.worker or 1, nx=True, px=max(int(seconds * 1000), 1)):
            return 0.0
        return max(int(self.client.pttl(key)), 1) / 1000


class LeasedQueue(PriorityQueue):  # type: ignore[misc]  # scrapy-redis is untyped: Any
    """scrapy-redis's priority queue, taking each request under a lease.

    Needs a spider with a ``frontier`` (:class:`crawler.spiders.worker.WorkerSpider`).
    """

    def pop(self, timeout: int = 0) -> Request | None:
        taken = self.spider.frontier.take(self.key)
        if taken is None:
            return None
        lease, data = taken
        request: Request = self._decode_request(data)
        request.meta[LEASE] = lease
        return request

    def push(self, request: Request) -> None:
        lease = request.meta.pop(LEASE, None)
        data = self._encode_request(request)
        self.spider.frontier.put(self.key, data, -request.priority, lease)


class SourceDupeFilter(RFPDupeFilter):  # type: ignore[misc]  # scrapy-redis is untyped: Any
    """scrapy-redis's duplicate filter, one set per source: seeding a source empties its set.

    One set for everything would remember last spring's listing pages forever, and
    the yearly re-crawl would find nothing new.
    """

    def request_seen(self, request: Request) -> bool:
        key = per_source(self.key, request.meta.get(SOURCE, ""))
        added: int = self.server.sadd(key, self.request_fingerprint(request))
        return added == 0


class WorkerScheduler(Scheduler):  # type: ignore[misc]  # scrapy-redis is untyped: Any
    """scrapy-redis's scheduler, except that a page's files stay with the worker that fetched it.

    The archive pipeline keeps an attachment-only report page in memory until its
    PDF or DOCX arrives; on another worker the file would find no page. Such a file
    is queued here, not on Redis, is done under its page's lease (a dead worker's page
    is fetched again, and its files with it) and skips the shared duplicate filter
    (which remembers the dead worker's attempt); the spider's own repeat check keeps
    one worker from fetching a file twice.
    """

    def open(self, spider: Any) -> None:
        super().open(spider)
        self.files: deque[Request] = deque()

    def enqueue_request(self, request: Request) -> bool:
        if not request.meta.get(PARENT):
            queued: bool = super().enqueue_request(request)  # False: seen before
            return queued
        self.files.append(request)
        return True

    def next_request(self) -> Request | None:
        return self.files.popleft() if self.files else super().next_request()

    def has_pending_requests(self) -> bool:
        return bool(self.files) or bool(super().has_pending_requests())
