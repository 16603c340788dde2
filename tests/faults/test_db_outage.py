"""PostgreSQL goes away mid-crawl: pages wait in the spool and land exactly once when it is back.

The server is the test's own (`own_postgres`), stopped with ``pg_ctl -m immediate`` while
the crawler is writing, then started again. The crawl runs in a child process against the
local replica, as an operator's would.
"""

from __future__ import annotations

import json
import signal
import subprocess
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from tests import crawl_process
from tests.crawl_process import crawl_command, crawl_env, write_registry
from tests.faults.own_postgres import OwnPostgres, own_postgres
from tests.replica.server import Replica, start_replica
from tests.services import wait_until

pytestmark = pytest.mark.slow

# Slow enough that the outage falls mid-crawl; backoff capped at 1 s so the test is quick.
SETTINGS = {"DOWNLOAD_DELAY": "0.05", "AUTOTHROTTLE_ENABLED": "0", "FAZHI_SPOOL_RETRY_MAX": "1",
            "CONCURRENT_REQUESTS_PER_DOMAIN": "1", "FAZHI_SPOOL_PATIENCE": "60"}  # fmt: skip


@pytest.fixture
def server() -> Iterator[OwnPostgres]:
    with own_postgres() as pg:
        yield pg


def start_crawl(
    replica: Replica, data: Path, database: str, slugs: list[str] | None = None
) -> subprocess.Popen:
    entries = [e for e in replica.registry_entries() if slugs is None or e["slug"] in slugs]
    registry = write_registry(entries, data / "replica.yaml")
    return crawl_process.start_crawl(
        crawl_command(registry, database, "--all", settings=SETTINGS), crawl_env(data)
    )


def query(url: str, sql: str, *params: object) -> list[tuple]:
    with psycopg.connect(url, connect_timeout=5) as conn:
        return conn.execute(sql, params).fetchall()


def fetches(url: str) -> int:
    try:
        return query(url, 'SELECT count(*) FROM "fetch"')[0][0]
    except psycopg.Error:
        return 0  # not migrated yet


def spooled(data: Path) -> int:
    spool = data / "spool"
    return len(list(spool.glob("*.pickle"))) if spool.is_dir() else 0


def test_outage_mid_crawl_spools_and_every_page_lands_once(
    server: OwnPostgres, tmp_path: Path
) -> None:
    with start_replica() as replica:
        crawl = start_crawl(replica, tmp_path, server.url)
        wait_until(lambda: fetches(server.url) >= 30, "the first pages in the database")
        server.stop()
        wait_until(lambda: spooled(tmp_path) >= 10, "pages in the spool")
        server.start()
        out, err = crawl.communicate(timeout=300)
    assert crawl.returncode == 0, err[-3000:]
    run = subprocess.CompletedProcess(crawl.args, crawl.returncode, out, err)
    assert "database unavailable, spooling" in crawl_process.crawl_log(run)  # the archive's
    (stats,) = query(server.url, "SELECT stats FROM crawl_run")[0]
    stats = stats if isinstance(stats, dict) else json.loads(stats)
    assert stats["fazhi/archive/spooled"] >= 10
    assert stats["fazhi/spool/stored"] == stats["fazhi/archive/spooled"]
    assert spooled(tmp_path) == 0
    rows = query(server.url, 'SELECT count(*), count(DISTINCT (url, fetched_at)) FROM "fetch"')[0]
    assert rows[0] == rows[1] == stats["item_scraped_count"]  # every page once, none twice
    status = query(server.url, "SELECT status FROM crawl_run")
    assert status == [("ok",)]
    manifest = replica.manifest()
    expected = {(r["agency"], r["year"]) for r in manifest["reports"]}
    reports = query(server.url, "SELECT agency, report_year FROM report")
    assert len(reports) == len(expected)


def test_the_spool_outlives_a_killed_crawl(server: OwnPostgres, tmp_path: Path) -> None:
    with start_replica() as replica:
        crawl = start_crawl(replica, tmp_path, server.url)
        wait_until(lambda: fetches(server.url) >= 30, "the first pages in the database")
        server.stop()
        wait_until(lambda: spooled(tmp_path) >= 10, "pages in the spool")
        crawl.send_signal(signal.SIGKILL)
        crawl.communicate(timeout=60)
        left = spooled(tmp_path)
        server.start()
        (killed,) = query(server.url, "SELECT id FROM crawl_run")[0]
        before = query(server.url, 'SELECT count(*) FROM "fetch" WHERE crawl_run_id = %s', killed)
        again = start_crawl(replica, tmp_path, server.url, slugs=["hf-sthjj"])
        _out, err = again.communicate(timeout=300)
    assert again.returncode == 0, err[-3000:]
    assert spooled(tmp_path) == 0
    after = query(server.url, 'SELECT count(*) FROM "fetch" WHERE crawl_run_id = %s', killed)
    assert after[0][0] == before[0][0] + left
    rows = query(server.url, 'SELECT count(*), count(DISTINCT (url, fetched_at)) FROM "fetch"')[0]
    assert rows[0] == rows[1]
