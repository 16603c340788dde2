"""Scheduled crawls of the local replica in real child processes, and a SIGTERM mid-crawl.

One small source each, with a page budget: these prove the wiring (scheduler → `fazhi crawl`
child → archive), the crawler's own coverage is tests/test_crawl_e2e.py's job.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from sqlalchemy import Row, Select, func, select
from sqlalchemy.orm import Session
from warcio.archiveiterator import ArchiveIterator

from archive.config import Settings
from archive.runs import history as runs
from archive.storage import db
from archive.storage.models import CrawlRun, Fetch, Report, ReportVersion, Sighting
from crawler.registry import load
from crawler.scheduling.runner import CrawlCommand
from crawler.scheduling.service import CRAWL_JOB, Service
from tests.replica.server import Replica, start_replica
from tests.test_scheduler import eventually

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parent.parent
FAST = ("DOWNLOAD_DELAY=0", "AUTOTHROTTLE_ENABLED=0", "CONCURRENT_REQUESTS_PER_DOMAIN=8")


@pytest.fixture(scope="module")
def replica() -> Iterator[Replica]:
    with start_replica(phase=1) as served:
        yield served


@dataclasses.dataclass
class Archive:
    data: Path
    url: str
    registry: Path

    def settings(self) -> Settings:
        return dataclasses.replace(Settings.from_env(), database_url=self.url)

    def query(self, statement: Select) -> list[Row]:
        engine = db.make_engine(self.url)
        try:
            with Session(engine) as session:
                return list(session.execute(statement))
        finally:
            engine.dispose()


@pytest.fixture
def archive(
    tmp_path: Path,
    replica: Replica,
    request: pytest.FixtureRequest,
    monkeypatch: pytest.MonkeyPatch,
) -> Archive:
    slug = request.param
    monkeypatch.setenv("FAZHI_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("FAZHI_ALLOW_PRIVATE", "1")
    registry = tmp_path / "replica.yaml"
    entries = [e for e in replica.registry_entries() if e["slug"] == slug]
    registry.write_text(yaml.safe_dump(entries, allow_unicode=True), encoding="utf-8")
    url = f"sqlite:///{tmp_path}/archive.sqlite3"
    db.upgrade(url)
    return Archive(tmp_path, url, registry)


def make_due(archive: Archive, slug: str, command: CrawlCommand) -> Service:
    """A scheduler whose job for SLUG is due now, started paused."""
    service = Service(archive.settings(), load(archive.registry), command)
    service.start(paused=True)
    service.scheduler.modify_job(CRAWL_JOB + slug, next_run_time=dt.datetime.now(dt.UTC))
    return service


def crawl_runs(archive: Archive) -> list[CrawlRun]:
    return [row[0] for row in archive.query(select(CrawlRun).order_by(CrawlRun.id))]


@pytest.mark.parametrize("archive", ["xm-sfj"], indirect=True)
def test_scheduled_crawl_lands_reports(archive: Archive, replica: Replica) -> None:
    command = CrawlCommand(archive.url, archive.registry, (*FAST, "FAZHI_MAX_PAGES=300"))
    service = make_due(archive, "xm-sfj", command)
    try:
        service.resume()
        eventually(
            lambda: [r for r in crawl_runs(archive) if r.status != "running"],
            "the scheduled crawl",
            limit=180,
        )
    finally:
        service.shutdown()
    [run] = crawl_runs(archive)
    assert (run.trigger, run.status, run.sources) == ("schedule", "ok", ["xm-sfj"])
    assert runs.counts(run.stats)["reports"] >= 1
    assert run.stats["fazhi/answered/xm-sfj"] >= 1  # coverage's proof the portal was crawled
    host = replica.sites["xm-sfj"].removeprefix("http://")
    sighted = archive.query(
        select(func.count()).select_from(Sighting).where(Sighting.url.contains(host))
    )
    assert sighted[0][0] >= 1
    [log_file] = (archive.data / "logs" / "crawls").glob("xm-sfj-*.log")  # the child's own too
    log = log_file.read_text()
    assert f"run {run.id}: finished" in log
    assert "[scrapy.core.engine] INFO: Spider closed (finished)" in log


@pytest.mark.parametrize("archive", ["qz-gov"], indirect=True)
def test_sigterm_mid_crawl_cancels_the_run_and_leaves_the_archive_consistent(
    archive: Archive,
) -> None:
    # The job is due when the daemon starts: it was due while the scheduler was down.
    slow = (*FAST, "DOWNLOAD_DELAY=0.5", "CONCURRENT_REQUESTS_PER_DOMAIN=1")
    make_due(archive, "qz-gov", CrawlCommand(archive.url, archive.registry)).shutdown()
    log_file = archive.data / "scheduler.log"
    with log_file.open("wb") as log:
        daemon = subprocess.Popen(
            [sys.executable, "-m", "fazhi", "schedule", "start",
             "--registry", str(archive.registry), "--db", archive.url,
             *(arg for s in slow for arg in ("--set", s))],
            cwd=ROOT, env=os.environ, stdout=log, stderr=subprocess.STDOUT,
        )  # fmt: skip
    try:
        eventually(
            lambda: archive.query(select(Fetch.id).offset(3).limit(1)), "the crawl under way"
        )
        [run] = crawl_runs(archive)
        assert run.status == "running"
        daemon.send_signal(signal.SIGTERM)
        assert daemon.wait(timeout=150) == 0
    finally:
        if daemon.poll() is None:
            daemon.kill()
            daemon.wait()
    output = log_file.read_text(encoding="utf-8")

    [run] = crawl_runs(archive)
    assert (run.trigger, run.status) == ("schedule", "cancelled"), output
    assert run.stats["finish_reason"] == "shutdown"
    assert run.finished_at is not None
    assert "stopping: waiting for running crawls" in output
    assert f"crawl qz-gov (schedule) run {run.id} cancelled" in output
    assert_consistent(archive)


def assert_consistent(archive: Archive) -> None:
    """Every report has a version, every version a sighting, every WARC reference a record."""
    orphans = archive.query(
        select(Report.id).where(
            ~select(ReportVersion.id).where(ReportVersion.report_id == Report.id).exists()
        )
    )
    assert orphans == []
    unseen = archive.query(
        select(ReportVersion.id).where(
            ~select(Sighting.id).where(Sighting.version_id == ReportVersion.id).exists()
        )
    )
    assert unseen == []
    fetches = archive.query(
        select(Fetch.warc_file, Fetch.warc_offset).where(Fetch.warc_file.is_not(None))
    )
    assert fetches
    offsets: dict[str, set[int]] = {}
    for name in {name for name, _ in fetches}:
        with (archive.data / name).open("rb") as stream:
            records = ArchiveIterator(stream)
            offsets[name] = {records.get_record_offset() for _ in records}
    assert all(offset in offsets[name] for name, offset in fetches)
