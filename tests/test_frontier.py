"""The shared frontier's parts against real Redis: seeds through start(), leases, shared
budget and dedup per source, the fleet-wide host gate; and the refusals of distributed mode."""

from __future__ import annotations

import asyncio
import itertools
from pathlib import Path

import pytest
import redis
import scrapy
from scrapy.exceptions import NotConfigured
from scrapy.utils.test import get_crawler

from crawler.frontier import Frontier, FrontierKeys, SourceDupeFilter, scrapy_settings
from crawler.politeness import HostGate
from crawler.registry import load
from crawler.request_meta import SOURCE
from crawler.spiders.worker import Leases, WorkerSpider
from tests.cli_runner import fazhi
from tests.services import RedisTarget


@pytest.fixture
def keys(redis_target: RedisTarget, request: pytest.FixtureRequest) -> FrontierKeys:
    """A prefix per test, under the session's."""
    return FrontierKeys(f"{redis_target.prefix}{request.node.name}:")


def frontier(target: RedisTarget, keys: FrontierKeys, worker: str = "") -> Frontier:
    return Frontier(redis.Redis.from_url(target.url), keys, worker)


@pytest.mark.redis
def test_seeds_come_out_of_start(redis_target: RedisTarget, keys: FrontierKeys) -> None:
    """scrapy-redis 0.9.1 feeds seeds from start_requests(), which Scrapy 2.19 never calls."""
    source = next(iter(load()))
    frontier(redis_target, keys).seed([source.slug])
    crawler = get_crawler(WorkerSpider, scrapy_settings(redis_target.url, keys.prefix))
    spider = WorkerSpider.from_crawler(crawler)

    async def collect() -> list[scrapy.Request]:
        return [request async for request in spider.start()]

    requests = asyncio.run(collect())
    assert {r.url for r in requests} >= set(source.start_urls)
    assert {r.meta[SOURCE] for r in requests} == {source.slug}
    assert spider.frontier.client.llen(keys.seeds) == 0  # taken, by this worker only


@pytest.mark.redis
def test_a_dead_workers_leases_go_back_on_the_queue(
    redis_target: RedisTarget, keys: FrontierKeys
) -> None:
    alive, dead = frontier(redis_target, keys, "alive"), frontier(redis_target, keys, "dead")
    for worker in (alive, dead):
        worker.beat(30)
    dead.put(keys.requests, b"page", -10, lease=None)
    _lease, data = dead.take(keys.requests)
    assert data == b"page" and dead.take(keys.requests) is None
    assert alive.reclaim_dead() == 0  # its heartbeat holds: nothing to take over
    dead.client.delete(keys.alive("dead"))  # what a SIGKILL and the key's expiry amount to
    assert alive.reclaim_dead() == 1
    assert alive.take(keys.requests)[1] == b"page"
    assert not alive.client.sismember(keys.workers, "dead")


@pytest.mark.redis
def test_a_finished_or_superseded_lease_is_not_returned(
    redis_target: RedisTarget, keys: FrontierKeys
) -> None:
    worker = frontier(redis_target, keys, "w")
    worker.beat(30)
    for data in (b"done", b"redirected"):
        worker.put(keys.requests, data, 0, lease=None)
    first, _ = worker.take(keys.requests)
    second, _ = worker.take(keys.requests)
    worker.release(first)
    worker.put(keys.requests, b"redirect target", 0, lease=second)  # the lease goes with it
    assert worker.retire() == 0
    assert worker.take(keys.requests)[1] == b"redirect target"


@pytest.mark.redis
def test_the_best_priority_comes_first_and_equals_in_the_order_queued(
    redis_target: RedisTarget, keys: FrontierKeys
) -> None:
    """As the one-process scheduler (FIFO within a priority): not by the encoded bytes."""
    one, two = frontier(redis_target, keys, "1"), frontier(redis_target, keys, "2")
    queued = [(one, b"z-listing", -10), (two, b"b-report", -100), (one, b"y-listing", -10),
              (two, b"a-report", -100), (one, b"x-listing", -10)]  # fmt: skip
    for worker, data, score in queued:
        worker.put(keys.requests, data, score, lease=None)
    taken = [one.take(keys.requests)[1] for _ in queued]
    assert taken == [b"b-report", b"a-report", b"z-listing", b"y-listing", b"x-listing"]


@pytest.mark.redis
def test_budget_and_pager_memory_are_shared_per_source(
    redis_target: RedisTarget, keys: FrontierKeys
) -> None:
    one, two = frontier(redis_target, keys, "1"), frontier(redis_target, keys, "2")
    one.seed(["a"], max_pages=3)
    spent = [w.spend_page("a", 2000) for w in (one, two, one, two)]
    assert spent == [(1, 3), (2, 3), (3, 3), (4, 3)]  # the fourth page is over budget
    assert two.spend_page("b", 2000) == (1, 2000)  # not seeded with a limit: the worker's own
    assert one.new_links("a", {"x", "y"}) == 2
    assert two.new_links("a", {"x", "y"}) == 0  # a pager another worker already walked
    one.seed(["a"])  # a new run of the source starts from nothing
    assert two.spend_page("a", 2000) == (1, 2000)
    assert two.new_links("a", {"x"}) == 1


@pytest.mark.redis
def test_duplicate_filter_is_per_source_and_reset_by_seeding(
    redis_target: RedisTarget, keys: FrontierKeys
) -> None:
    client = redis.Redis.from_url(redis_target.url)
    seen = SourceDupeFilter(client, keys.seen)

    def request(source: str) -> scrapy.Request:
        return scrapy.Request("http://127.0.0.1/list.html", meta={SOURCE: source})

    assert not seen.request_seen(request("a"))
    assert seen.request_seen(request("a"))
    assert not seen.request_seen(request("b"))  # same URL, another source's run
    frontier(redis_target, keys).seed(["a"])
    assert not seen.request_seen(request("a"))  # next spring: fetched again


@pytest.mark.redis
def test_host_gate_lets_one_worker_at_a_time_start_on_a_host(
    redis_target: RedisTarget, keys: FrontierKeys
) -> None:
    one, two = frontier(redis_target, keys, "1"), frontier(redis_target, keys, "2")
    assert one.reserve_host("portal.gov.cn", 5.0) == 0
    wait = two.reserve_host("portal.gov.cn", 5.0)
    assert 0 < wait <= 5.0
    assert one.reserve_host("portal.gov.cn", 5.0) > 0  # the holder too waits its turn
    assert two.reserve_host("other.gov.cn", 5.0) == 0


@pytest.mark.parametrize(
    ("settings", "why"),
    [
        ({"DOWNLOAD_DELAY": 1.0}, "one machine"),
        ({"DOWNLOAD_DELAY": 0, "REDIS_URL": "redis://127.0.0.1:6379/0"}, "politeness is off"),
    ],
)
def test_host_gate_only_with_several_workers_and_a_delay(settings: dict, why: str) -> None:
    with pytest.raises(NotConfigured, match=why):
        HostGate.from_crawler(get_crawler(settings_dict=settings))


@pytest.mark.parametrize("order", list(itertools.permutations(["item", "item", "end"])))
def test_a_lease_ends_when_callback_and_items_are_done(order: tuple[str, ...]) -> None:
    released: list[str] = []
    leases = Leases(released.append)
    leases.item_expected("L")
    leases.item_expected("L")
    for step in order:
        assert released == []
        if step == "end":
            leases.callback_ended("L")
        else:
            leases.item_done("L")
    assert released == ["L"]


def test_distributed_mode_refuses_sqlite(tmp_path: Path) -> None:
    redis_url = "redis://127.0.0.1:6379/0"
    for command in (["crawl", "--all"], ["worker"]):
        env = {"FAZHI_REDIS_URL": redis_url, "FAZHI_DATA_DIR": str(tmp_path)}
        result = fazhi(*command, env=env)
        assert result.exit_code == 1
        assert result.stderr.startswith("error: several workers need PostgreSQL, not sqlite")


def test_worker_needs_redis() -> None:
    result = fazhi("worker", env={"FAZHI_DATABASE_URL": "postgresql://postgres@127.0.0.1/x"})
    assert result.exit_code == 1
    assert "FAZHI_REDIS_URL is unset" in result.stderr
