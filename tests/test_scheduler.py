"""The scheduler process against a real database: restarts, downtime, overlaps, expectations.

Crawls here are real child processes (`fazhi crawl`) against portals that are down (a closed
port) or hang (a socket that never answers): what the scheduler records must not depend on a
portal behaving.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import socket
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

import pytest
import yaml
from filelock import FileLock
from sqlalchemy import select
from sqlalchemy.orm import Session

from archive.config import Settings
from archive.runs import history as runs
from archive.runs.schedule_policy import MonthDay, Night, Policy, next_run
from archive.storage import db
from archive.storage.models import CrawlRun, Report, ScheduleEvent, Source
from crawler.registry import load
from crawler.scheduling.runner import CrawlCommand
from crawler.scheduling.service import CRAWL_JOB, EXPECTATIONS_JOB, Service
from crawler.scheduling.triggers import PolicyTrigger
from tests.cli_runner import fazhi
from tests.replica import config as replica_config

SHANGHAI = Policy().zone
QUICK = ("DOWNLOAD_TIMEOUT=4", "RETRY_ENABLED=False", "DOWNLOAD_DELAY=0", "FAZHI_MAX_PAGES=5")
T = TypeVar("T")


def eventually(probe: Callable[[], T | None], what: str, limit: float = 90) -> T:
    """Poll PROBE until it returns something; a guard against hanging, not a speed test."""
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        found = probe()
        if found:
            return found
        time.sleep(0.2)
    raise AssertionError(f"gave up waiting for {what}")


def always_nightly(now: dt.datetime) -> Policy:
    """Every day in the window, the night's one hour half a day away from NOW: due times
    before NOW are whole days apart and none falls near NOW."""
    hour = (now.astimezone(SHANGHAI).hour + 12) % 24
    return Policy(
        window_opens=MonthDay(1, 1),
        window_closes=MonthDay(12, 31),
        late_until=MonthDay(12, 31),
        night=Night(dt.time(hour, 0), 60),
    )


@dataclasses.dataclass
class Deployment:
    settings: Settings
    registry: Path
    command: CrawlCommand

    def service(self) -> Service:
        return Service(self.settings, load(self.registry), self.command)

    @contextmanager
    def session(self) -> Iterator[Session]:
        engine = db.make_engine(self.settings.database_url)
        try:
            with Session(engine, expire_on_commit=False) as session:
                yield session
        finally:
            engine.dispose()


def portal(slug: str, port: int) -> dict[str, Any]:
    return {
        "slug": slug,
        "name": f"{slug} 门户",
        "home_url": f"http://127.0.0.1:{port}/",
        "domains": [f"127.0.0.1:{port}"],
    }


def deploy(
    tmp_path: Path,
    database_url: str,
    entries: list[dict[str, Any]],
    monkeypatch: pytest.MonkeyPatch,
    **changes: Any,
) -> Deployment:
    monkeypatch.setenv("FAZHI_DATA_DIR", str(tmp_path / "data"))  # read by the crawl children
    monkeypatch.setenv("FAZHI_ALLOW_PRIVATE", "1")
    registry = tmp_path / "sources.yaml"
    registry.write_text(yaml.safe_dump(entries, allow_unicode=True), encoding="utf-8")
    db.upgrade(database_url)
    settings = dataclasses.replace(
        Settings.from_env(),
        database_url=database_url,
        **{"schedule": always_nightly(dt.datetime.now(dt.UTC)), **changes},
    )
    return Deployment(settings, registry, CrawlCommand(database_url, registry, QUICK))


@pytest.fixture
def closed_port() -> int:
    """A port nothing listens on: the portal is down."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def tarpit() -> Iterator[int]:
    """A port that takes connections and never answers: a crawl of it hangs until timeouts."""
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen(8)
        yield server.getsockname()[1]


def registry_and_db(deployment: Deployment) -> tuple[str, ...]:
    return ("--registry", str(deployment.registry), "--db", deployment.settings.database_url)


def events(deployment: Deployment, kind: str | None = None) -> list[ScheduleEvent]:
    with deployment.session() as session:
        query = select(ScheduleEvent).order_by(ScheduleEvent.id)
        if kind:
            query = query.where(ScheduleEvent.kind == kind)
        rows = list(session.scalars(query))
        return rows


def crawl_runs(deployment: Deployment) -> list[CrawlRun]:
    with deployment.session() as session:
        rows = list(session.scalars(select(CrawlRun).order_by(CrawlRun.id)))
        return rows


def finished_runs(deployment: Deployment) -> list[CrawlRun]:
    rows = crawl_runs(deployment)
    return rows if rows and all(r.status != "running" for r in rows) else []


def due_times(policy: Policy, slug: str, first: dt.datetime, now: dt.datetime) -> list:
    times, at = [], first
    while at <= now:
        times.append(at)
        at = next_run(policy, slug, at + dt.timedelta(seconds=1))
    return times


def stop_after_three_days(deployment: Deployment, slug: str) -> tuple[dt.datetime, list]:
    """Run the scheduler once, then leave it down while three nightly due times pass."""
    service = deployment.service()
    service.start(paused=True)
    now = dt.datetime.now(dt.UTC)
    first = next_run(deployment.settings.schedule, slug, now - dt.timedelta(days=3))
    service.scheduler.modify_job(CRAWL_JOB + slug, next_run_time=first)
    service.shutdown()
    return first, due_times(deployment.settings.schedule, slug, first, now)


def test_restart_finds_its_jobs(
    tmp_path: Path, database_url: str, closed_port: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    entries = [portal("portal-a", closed_port), portal("portal-b", closed_port)]
    deployment = deploy(tmp_path, database_url, entries, monkeypatch)
    first = deployment.service()
    first.start(paused=True)
    before = {job.id: job.next_run_time for job in first.scheduler.get_jobs()}
    overdue = dt.datetime.now(SHANGHAI).replace(microsecond=0) - dt.timedelta(hours=2)
    first.scheduler.modify_job("crawl:portal-a", next_run_time=overdue)
    first.shutdown()

    again = deployment.service()
    again.start(paused=True)
    jobs = {job.id: job for job in again.scheduler.get_jobs()}
    assert set(jobs) == {"crawl:portal-a", "crawl:portal-b", EXPECTATIONS_JOB}
    assert jobs["crawl:portal-a"].next_run_time == overdue  # kept, not recomputed from now
    assert jobs["crawl:portal-b"].next_run_time == before["crawl:portal-b"]
    assert isinstance(jobs["crawl:portal-a"].trigger, PolicyTrigger)
    assert jobs["crawl:portal-a"].coalesce and jobs["crawl:portal-a"].max_instances == 1
    again.shutdown()

    deployment.registry.write_text(yaml.safe_dump(entries[1:]), encoding="utf-8")
    shrunk = deployment.service()
    shrunk.start(paused=True)
    assert {job.id for job in shrunk.scheduler.get_jobs()} == {"crawl:portal-b", EXPECTATIONS_JOB}
    shrunk.shutdown()


def test_one_scheduler_per_process(
    tmp_path: Path, database_url: str, closed_port: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    deployment = deploy(tmp_path, database_url, [portal("portal-a", closed_port)], monkeypatch)
    first = deployment.service()
    first.start(paused=True)
    try:
        with pytest.raises(RuntimeError, match="already runs in this process"):
            deployment.service().start(paused=True)
    finally:
        first.shutdown()


@pytest.mark.slow
def test_down_over_several_due_times_runs_once_recorded_coalesced(
    tmp_path: Path, database_url: str, closed_port: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    deployment = deploy(tmp_path, database_url, [portal("portal-a", closed_port)], monkeypatch)
    _, due = stop_after_three_days(deployment, "portal-a")
    assert len(due) == 3

    service = deployment.service()
    service.start()
    try:
        done = eventually(lambda: finished_runs(deployment), "the catch-up crawl")
    finally:
        service.shutdown()
    assert [(r.trigger, r.sources) for r in done] == [("schedule", ["portal-a"])]
    [coalesced] = events(deployment)
    assert (coalesced.kind, coalesced.due_count, coalesced.trigger) == ("coalesced", 3, "schedule")
    assert coalesced.due_at == due[-1]

    result = fazhi("runs", "--source", "portal-a", "--db", database_url)
    assert result.exit_code == 0, result.stderr
    shown = result.stdout
    assert f"run {done[0].id}" in shown
    assert "coalesced" in shown and "3 due times" in shown and "folded into one run" in shown


def test_down_beyond_the_grace_is_recorded_missed(
    tmp_path: Path, database_url: str, closed_port: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    deployment = deploy(
        tmp_path,
        database_url,
        [portal("portal-a", closed_port)],
        monkeypatch,
        schedule_misfire_grace=3600,  # the last due time is at least 11 hours old
    )
    _, due = stop_after_three_days(deployment, "portal-a")

    service = deployment.service()
    service.start()
    try:
        # Two threads record them: the scheduler's on submitting (coalesced), the executor's on
        # dropping the run (missed), in either order.
        eventually(lambda: events(deployment, "missed"), "the missed run")
        eventually(lambda: events(deployment, "coalesced"), "the folded due times")
        job = service.scheduler.get_job("crawl:portal-a")
        assert job.next_run_time > dt.datetime.now(dt.UTC)
    finally:
        service.shutdown()
    assert crawl_runs(deployment) == []
    # The three due times fold into the last one, which is too late to run.
    assert sorted((e.kind, e.due_at) for e in events(deployment)) == [
        ("coalesced", due[-1]),
        ("missed", due[-1]),
    ]


@pytest.mark.slow
def test_job_due_while_its_source_runs_is_refused(
    tmp_path: Path, database_url: str, tarpit: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    deployment = deploy(tmp_path, database_url, [portal("portal-a", tarpit)], monkeypatch)
    service = deployment.service()
    service.start(paused=True)
    try:
        service.scheduler.modify_job("crawl:portal-a", next_run_time=dt.datetime.now(dt.UTC))
        service.resume()
        # The crawl has opened its run; its first request hangs for DOWNLOAD_TIMEOUT.
        [running] = eventually(lambda: crawl_runs(deployment), "the first crawl")
        assert running.status == "running"
        service.scheduler.modify_job("crawl:portal-a", next_run_time=dt.datetime.now(dt.UTC))
        [refused] = eventually(lambda: events(deployment, "refused"), "the refusal")
        eventually(lambda: finished_runs(deployment), "the first crawl to end")
    finally:
        service.shutdown()
    assert len(crawl_runs(deployment)) == 1
    assert refused.crawl_run_id == running.id
    assert refused.trigger == "schedule"


def test_manual_run_refused_while_the_source_is_crawled(
    tmp_path: Path, database_url: str, closed_port: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    deployment = deploy(tmp_path, database_url, [portal("portal-a", closed_port)], monkeypatch)
    lock_dir = deployment.settings.data_dir / "locks"
    lock_dir.mkdir(parents=True)
    with FileLock(lock_dir / "portal-a.lock"):  # as a scheduled crawl of it holds it
        result = fazhi(
            "schedule",
            "run-now",
            "portal-a",
            *registry_and_db(deployment),
            env={"FAZHI_DATA_DIR": str(deployment.settings.data_dir)},
        )
    assert result.exit_code == 1
    assert "portal-a is already being crawled; not starting another crawl" in result.stdout
    assert [(e.kind, e.trigger) for e in events(deployment)] == [("refused", "manual")]
    assert crawl_runs(deployment) == []


def test_report_missing_at_window_close_is_recorded_and_in_health(
    tmp_path: Path, database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    site = replica_config.sites()["xm-siming"]
    entry = {
        "slug": "xm-siming",
        "name": site.name,
        "agency": site.agency,
        "level": site.level,
        "region": dict(site.region),
        "division_code": site.division_code,
        "home_url": "http://127.0.0.1:9/",
        "domains": ["127.0.0.1:9"],
        "expected_years": "2020-",
    }
    deployment = deploy(tmp_path, database_url, [entry], monkeypatch, schedule=Policy())
    add_report(deployment, 2024, dt.datetime(2025, 3, 1, tzinfo=dt.UTC))
    service = deployment.service()

    shanghai = Policy().zone
    assert service.check_expectations(dt.datetime(2026, 4, 30, 23, 59, tzinfo=shanghai)) == []
    after_close = dt.datetime(2026, 5, 1, 0, 0, tzinfo=shanghai)
    assert service.check_expectations(after_close) == [("xm-siming", 2025)]
    assert service.check_expectations(after_close + dt.timedelta(days=1)) == []  # once
    service.engine.dispose()
    [missing] = events(deployment)
    assert (missing.kind, missing.source_slug, missing.report_year) == (
        "missing",
        "xm-siming",
        2025,
    )

    result = fazhi("health", *registry_and_db(deployment))
    assert result.exit_code == 0, result.stderr
    [line] = [line for line in result.stdout.splitlines() if "xm-siming" in line]
    columns = [cell.strip() for cell in line.split("│")]
    assert columns[1:6] == ["xm-siming", "never", "2024", "2025", "-"]

    add_report(deployment, 2025, dt.datetime(2026, 5, 20, tzinfo=dt.UTC))
    with deployment.session() as session:
        state = runs.health(session, "xm-siming", Policy())
    assert (state.years, state.missing, state.late) == ((2024, 2025), (), (2025,))


def add_report(deployment: Deployment, year: int, first_archived: dt.datetime) -> None:
    with deployment.session() as session:
        source = session.scalar(select(Source).where(Source.slug == "xm-siming"))
        if source is None:
            source = Source(slug="xm-siming", name="思明区", home_url="http://127.0.0.1:9/")
            session.add(source)
        session.add(
            Report(
                identity_key=f"思明区人民政府|{year}",
                agency="厦门市思明区人民政府",
                report_year=year,
                source=source,
                created_at=first_archived,
            )
        )
        session.commit()
