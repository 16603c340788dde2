"""Several `fazhi worker` processes on one Redis frontier and one PostgreSQL archive.

One crawl of the local replica, with everything that goes wrong in a fleet:
three workers start together; one is killed (SIGKILL) mid-crawl with requests
in flight; the other two are stopped (SIGINT) before the end, leaving the frontier
with no worker at all; two fresh workers then finish the crawl. The replica's
request log is the ground truth of what reached the portals.
"""

from __future__ import annotations

import os
import pickle
import signal
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import psycopg
import pytest
import redis
import yaml

from tests.cli_runner import fazhi
from tests.replica.server import Replica, RequestRecord, start_replica
from tests.services import RedisTarget, wait_until

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parent.parent
# Paced (the fleet-wide host gate: one request start per host per 0.2 s) so that the kill and
# the stop below fall mid-crawl however fast the machine is; AutoThrottle off so the pace holds.
PACED = ["-s", "DOWNLOAD_DELAY=0.2", "-s", "AUTOTHROTTLE_ENABLED=0",
         "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=8"]  # fmt: skip
LEASE = 4  # seconds a silent worker keeps its requests


@dataclass
class Fleet:
    replica: Replica
    manifest: dict[str, Any]
    db: psycopg.Connection
    exits: dict[str, int]  # worker name → exit code
    runs: dict[str, int]  # worker name → crawl_run id
    killed_in_flight: set[str]  # URLs the killed worker had taken and not finished
    queued_with_no_worker: int  # frontier size while every worker was down


def worker(name: str, env: dict[str, str], registry: Path, logs: Path) -> subprocess.Popen:
    with (logs / f"{name}.log").open("w") as log:  # the child keeps its own descriptor
        return subprocess.Popen(
        [sys.executable, "-m", "fazhi", "worker", "--registry", str(registry),
         "--idle-exit", "1", "-s", f"FAZHI_WORKER_LEASE={LEASE}", *PACED],
        env=env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip


def in_flight(client: redis.Redis, prefix: str, pid: int) -> dict[bytes, bytes]:
    """The leases of the worker process PID (its Redis name holds its pid)."""
    for member in client.smembers(prefix + "workers"):
        if f":{pid}:" in member.decode():
            return client.hgetall(f"{prefix}inflight:{member.decode()}")
    return {}


def leased_url(entry: bytes) -> str:
    """The URL of an in-flight entry ("score pickled-request", see crawler/frontier.py)."""
    return pickle.loads(entry.split(b" ", 1)[1])["url"]


@pytest.fixture(scope="module")
def fleet(
    postgres_url: str, redis_target: RedisTarget, chromium: str, tmp_path_factory
) -> Iterator[Fleet]:
    del chromium  # the replica's script-built listing is rendered by each worker's browser
    data = tmp_path_factory.mktemp("fleet")
    with psycopg.connect(postgres_url, autocommit=True) as admin:
        admin.execute("DROP SCHEMA public CASCADE")
        admin.execute("CREATE SCHEMA public")
    prefix = redis_target.prefix + "fleet:"
    settings = {
        "FAZHI_ALLOW_PRIVATE": "1",
        "FAZHI_DATA_DIR": str(data),
        "FAZHI_DATABASE_URL": postgres_url,
        "FAZHI_REDIS_URL": redis_target.url,
        "FAZHI_REDIS_PREFIX": prefix,
    }
    env = {**{k: v for k, v in os.environ.items() if not k.startswith("FAZHI_")}, **settings}
    client = redis.Redis.from_url(redis_target.url)
    with start_replica(phase=1) as replica:
        registry = data / "replica.yaml"
        registry.write_text(yaml.safe_dump(replica.registry_entries(), allow_unicode=True))
        assert fazhi("db", "upgrade", env=settings).exit_code == 0
        seeded = fazhi("crawl", "--all", "--registry", str(registry), env=settings)
        assert seeded.exit_code == 0, seeded.stderr
        assert "queued 8 sources" in seeded.stdout
        procs = {n: worker(n, env, registry, data) for n in ("a", "b", "c")}

        # c dies with pages archived and requests in flight: those must not be lost
        db = psycopg.connect(postgres_url, autocommit=True)
        wait_until(lambda: "crawl run " in (data / "c.log").read_text(), "c to open its run")
        c_run = _run_id((data / "c.log").read_text(encoding="utf-8"))
        wait_until(lambda: archived(db, c_run) >= 10, "c to archive pages")
        wait_until(lambda: in_flight(client, prefix, procs["c"].pid), "c to hold leases")
        procs["c"].send_signal(signal.SIGKILL)
        procs["c"].wait()
        killed = {leased_url(e) for e in in_flight(client, prefix, procs["c"].pid).values()}

        # a and b stop before the end: the frontier waits in Redis with no worker alive
        wait_until(
            lambda: len(replica.requests) > 200 and client.zcard(prefix + "requests") >= 40,
            "the crawl to pass its middle with work still queued",
        )
        for name in ("a", "b"):
            procs[name].send_signal(signal.SIGINT)
        for name in ("a", "b"):
            procs[name].wait(timeout=60)
        queued = client.zcard(prefix + "requests")

        for name in ("d", "e"):
            procs[name] = worker(name, env, registry, data)
        for name in ("d", "e"):
            procs[name].wait(timeout=120)
        runs = {
            name: int(_run_id((data / f"{name}.log").read_text(encoding="utf-8"))) for name in procs
        }
        yield Fleet(
            replica,
            replica.manifest(),
            db,
            {name: proc.returncode for name, proc in procs.items()},
            runs,
            killed,
            queued,
        )
        db.close()


def archived(db: psycopg.Connection, run: str) -> int:
    return db.execute('SELECT count(*) FROM "fetch" WHERE crawl_run_id = %s', (run,)).fetchone()[0]


def _run_id(log: str) -> str:
    marker = "crawl run "
    start = log.index(marker) + len(marker)
    return log[start : log.index(" ", start)]


def scrapy_requests(replica: Replica) -> list[RequestRecord]:
    """The requests Scrapy made: a browser's carry sec-ch-ua; robots.txt is left out, as
    each worker reads a host's robots.txt once for itself."""
    return [
        r
        for r in replica.requests
        if r.path != "/robots.txt" and not any(h.lower() == "sec-ch-ua" for h in r.headers)
    ]


def site_path(replica: Replica, url: str) -> tuple[str, str]:
    parts = urlsplit(url)
    [site] = [s for s, base in replica.sites.items() if urlsplit(base).netloc == parts.netloc]
    return site, parts.path + (f"?{parts.query}" if parts.query else "")


def test_survivors_and_successors_finish(fleet: Fleet) -> None:
    assert fleet.exits["c"] == -signal.SIGKILL
    statuses = dict(fleet.db.execute("SELECT id, status FROM crawl_run").fetchall())
    assert {fleet.exits[n] for n in ("a", "b")} == {1}  # SIGINT: "run N: shutdown", exit 1
    # killed: its run is closed by the next worker to start on this data directory
    assert statuses[fleet.runs["c"]] == "failed"
    (why,) = fleet.db.execute(
        "SELECT error_summary FROM crawl_run WHERE id = %s", (fleet.runs["c"],)
    ).fetchone()
    assert "process ended without closing the run" in why
    assert fleet.exits["d"] == fleet.exits["e"] == 0
    assert {statuses[fleet.runs[n]] for n in ("d", "e")} == {"ok"}
    triggers = {t for (t,) in fleet.db.execute("SELECT DISTINCT trigger FROM crawl_run")}
    assert triggers == {"worker"}


def test_frontier_survives_with_no_worker(fleet: Fleet) -> None:
    assert fleet.queued_with_no_worker > 0


def test_every_worker_fetched_some(fleet: Fleet) -> None:
    fetched = dict(
        fleet.db.execute('SELECT crawl_run_id, count(*) FROM "fetch" GROUP BY 1').fetchall()
    )
    assert {name: fetched.get(run, 0) > 0 for name, run in fleet.runs.items()} == dict.fromkeys(
        fleet.runs, True
    )


def test_every_url_fetched_once_but_what_the_killed_worker_held(fleet: Fleet) -> None:
    assert fleet.killed_in_flight  # the kill really interrupted work
    requests = scrapy_requests(fleet.replica)
    counts = Counter((r.site, r.path) for r in requests)
    held = {site_path(fleet.replica, url) for url in fleet.killed_in_flight}
    # a page's files are fetched under its lease (crawler.frontier.WorkerScheduler)
    files = {
        (r.site, r.path)
        for r in requests
        if "Referer" in r.headers and site_path(fleet.replica, r.headers["Referer"]) in held
    }
    assert {key for key, n in counts.items() if n > 1} <= held | files
    reclaimed = fleet.db.execute(
        "SELECT sum((stats->>'fazhi/frontier/reclaimed')::int) FROM crawl_run"
    ).fetchone()[0]
    assert reclaimed == len(fleet.killed_in_flight)


def test_every_report_archived_once(fleet: Fleet) -> None:
    reports = fleet.db.execute("SELECT agency, report_year FROM report").fetchall()
    expected = {(r["agency"], r["year"]) for r in fleet.manifest["reports"]}
    assert len(reports) == len(expected)
    missing = [
        copy["url"]
        for report in fleet.manifest["reports"]
        for copy in report["copies"]
        if 1 in copy["text"]  # online in phase 1
        and not fleet.db.execute("SELECT 1 FROM sighting WHERE url = %s", (copy["url"],)).fetchone()
    ]
    assert missing == []
