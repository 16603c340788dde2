"""Crash mid-crawl (docs/reliability.md): `kill -9` a crawl of the replica, then
`fazhi crawl --resume`. Real processes: the crawl in a child process, the replica's servers
in this one, the archive in SQLite."""

from __future__ import annotations

import hashlib
import json
import os
import signal
import sqlite3
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from scrapy.settings.default_settings import RETRY_HTTP_CODES
from sqlalchemy.orm import Session
from w3lib.url import canonicalize_url

from archive.runs.resume import KILLED, OWNER_PID, close_dead
from archive.storage import db as archive_db
from archive.storage.warc import read_capture
from tests import crawl_process
from tests.crawl_process import ROOT, crawl_command, crawl_env, run_crawl, write_registry
from tests.replica.server import RequestRecord, start_replica

pytestmark = pytest.mark.slow

# Fast, but not so fast that the crawl is over before it can be killed.
SETTINGS = {"DOWNLOAD_DELAY": "0.05", "AUTOTHROTTLE_ENABLED": "0",
            "CONCURRENT_REQUESTS_PER_DOMAIN": "2"}  # fmt: skip
KILL_AFTER_REPORTS = 4  # the kill comes once this many reports are archived
DEADLINE = 120  # seconds for either crawl (each takes 10–40 s)
PHASE = 1  # the replica's spring: every report online once


@dataclass
class Resumed:
    manifest: dict[str, Any]
    db: sqlite3.Connection
    data: Path
    killed_run: int
    reports_at_kill: int
    alive_left_alone: list[tuple[int, str]]  # close_dead while the crawl lived: (id, status)
    owner_pid: int
    crawl_pid: int
    resume: subprocess.CompletedProcess
    resumed_requests: list[RequestRecord]
    bases: dict[str, str]

    def request_urls(self) -> set[str]:
        return {canonicalize_url(self.bases[r.site] + r.path) for r in self.resumed_requests}


def command(data: Path, *extra: str) -> list[str]:
    database = f"sqlite:///{data}/archive.sqlite3"
    return crawl_command(data / "replica.yaml", database, "--all", *extra, settings=SETTINGS)


def count(path: Path, sql: str) -> int:
    """A count from the archive the crawl is writing (0 until its tables exist)."""
    try:
        with sqlite3.connect(path, timeout=5) as db:
            return db.execute(sql).fetchone()[0]
    except sqlite3.OperationalError:
        return 0


def wait_for_reports(path: Path, crawl: subprocess.Popen, reports: int) -> None:
    deadline = time.monotonic() + DEADLINE
    while count(path, "SELECT count(*) FROM report") < reports:
        assert crawl.poll() is None, "the crawl ended before it could be killed"
        assert time.monotonic() < deadline, "no report archived in time"
        time.sleep(0.05)


@pytest.fixture(scope="module")
def resumed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Resumed]:
    data = tmp_path_factory.mktemp("crash")
    archive = data / "archive.sqlite3"
    env = crawl_env(data)
    with start_replica(phase=PHASE) as replica:
        write_registry(replica.registry_entries(), data / "replica.yaml")
        with (data / "killed.log").open("w") as log:
            crawl = subprocess.Popen(command(data), env=env, cwd=ROOT, stdout=log, stderr=log)
        try:
            wait_for_reports(archive, crawl, KILL_AFTER_REPORTS)
            engine = archive_db.make_engine(f"sqlite:///{archive}")
            with Session(engine) as session:  # the crawl is alive: its run must stay running
                closed = close_dead(session)
            engine.dispose()
            with sqlite3.connect(archive, timeout=5) as live:
                alive = live.execute("SELECT id, status FROM crawl_run").fetchall()
            os.kill(crawl.pid, signal.SIGKILL)
        finally:
            crawl.kill()
            crawl.wait()
        assert closed == []
        reports_at_kill = count(archive, "SELECT count(*) FROM report")
        cut = len(replica.requests)  # what came before is the killed run's
        resume = run_crawl(command(data, "--resume"), env, timeout=DEADLINE)
        db = sqlite3.connect(archive)
        db.row_factory = sqlite3.Row
        [killed] = db.execute("SELECT id, stats FROM crawl_run ORDER BY id LIMIT 1").fetchall()
        owner_pid = json.loads(killed["stats"])[OWNER_PID]
        yield Resumed(
            manifest=replica.manifest(),
            db=db,
            data=data,
            killed_run=killed["id"],
            reports_at_kill=reports_at_kill,
            alive_left_alone=alive,
            owner_pid=owner_pid,
            crawl_pid=crawl.pid,
            resume=resume,
            resumed_requests=replica.requests[cut:],
            bases=replica.sites,
        )
        db.close()


def test_the_kill_came_mid_crawl(resumed: Resumed) -> None:
    assert KILL_AFTER_REPORTS <= resumed.reports_at_kill < len(resumed.manifest["reports"])
    # while it lived, its run was left alone; the run named the process that owned it
    assert resumed.alive_left_alone == [(resumed.killed_run, "running")]
    assert resumed.owner_pid == resumed.crawl_pid


def test_the_killed_run_is_failed_with_its_reason(resumed: Resumed) -> None:
    runs = resumed.db.execute(
        "SELECT id, status, error_summary, finished_at FROM crawl_run ORDER BY id"
    ).fetchall()
    assert [tuple(run)[:3] for run in runs] == [
        (resumed.killed_run, "failed", KILLED),
        (resumed.killed_run + 1, "ok", None),
    ]
    assert all(run["finished_at"] for run in runs)
    assert f"run {resumed.killed_run}: failed ({KILLED})" in resumed.resume.stdout


def test_the_resumed_crawl_finishes(resumed: Resumed) -> None:
    assert resumed.resume.returncode == 0, resumed.resume.stderr[-3000:]
    assert "Traceback" not in resumed.resume.stderr + crawl_process.crawl_log(resumed.resume)


def sightings(db: sqlite3.Connection, url: str) -> list[sqlite3.Row]:
    return db.execute(
        "SELECT v.report_id, v.version FROM sighting s "
        "JOIN report_version v ON v.id = s.version_id WHERE s.url = ?",
        (url,),
    ).fetchall()


def test_every_report_is_archived_once_with_its_versions(resumed: Resumed) -> None:
    reports = resumed.manifest["reports"]
    assert resumed.db.execute("SELECT count(*) FROM report").fetchone()[0] == len(reports)
    for report in reports:
        online = [copy for copy in report["copies"] if PHASE in copy["text"]]
        seen = {copy["url"]: sightings(resumed.db, copy["url"]) for copy in online}
        assert all(len(rows) == 1 for rows in seen.values()), (report["key"], seen)
        own = [copy["url"] for copy in online if not copy["repost"]] or list(seen)
        [report_id] = {seen[url][0]["report_id"] for url in own}
        versions = resumed.db.execute(
            "SELECT count(*) FROM report_version WHERE report_id = ?", (report_id,)
        ).fetchone()[0]
        assert versions == len(report["versions"][PHASE]), report["key"]


def killed_fetches(resumed: Resumed) -> list[sqlite3.Row]:
    return resumed.db.execute(
        "SELECT * FROM fetch WHERE crawl_run_id = ?", (resumed.killed_run,)
    ).fetchall()


def must_ask_again(db: sqlite3.Connection, fetch: sqlite3.Row) -> bool:
    """No answer, one worth retrying, or a report page whose archiving was still waiting
    (for its attachment) when the process died: no sighting of it from then or later."""
    if fetch["status"] is None or fetch["status"] in RETRY_HTTP_CODES:
        return True
    if fetch["doc_type"] != "annual_report" or fetch["error"] is not None:
        return False
    page = fetch["final_url"] or fetch["url"]
    return not db.execute(
        "SELECT 1 FROM sighting WHERE url = ? AND last_seen >= ?", (page, fetch["fetched_at"])
    ).fetchall()


def test_pages_the_killed_run_fetched_are_not_asked_again(resumed: Resumed) -> None:
    answered = [f for f in killed_fetches(resumed) if not must_ask_again(resumed.db, f)]
    assert len(answered) >= 20  # the kill came after real work
    asked = resumed.request_urls()
    assert asked  # the resumed crawl did fetch what the killed one had not reached
    again = [
        f["url"]
        for f in answered
        if {canonicalize_url(f["url"]), canonicalize_url(f["final_url"] or f["url"])} & asked
    ]
    assert again == []


def test_no_page_is_archived_twice(resumed: Resumed) -> None:
    """A page answered from the archive is not a new fetch: each URL has one fetch row over
    both runs, except those that had to be asked again."""
    again = {f["url"] for f in killed_fetches(resumed) if must_ask_again(resumed.db, f)}
    twice = resumed.db.execute("SELECT url FROM fetch GROUP BY url HAVING count(*) > 1").fetchall()
    assert {url for (url,) in twice} <= again


def test_every_capture_of_the_killed_run_reads_back_whole(resumed: Resumed) -> None:
    """Its WARC file may end in a record cut short by the kill; no fetch row points there."""
    captured = [f for f in killed_fetches(resumed) if f["warc_file"]]
    assert captured
    for fetch in captured:
        served = read_capture(resumed.data / fetch["warc_file"], fetch["warc_offset"])
        assert served.status == fetch["status"]
        if served.body is not None:  # a revisit record's body is its original's
            assert hashlib.sha256(served.body).hexdigest() == fetch["body_sha256"]
