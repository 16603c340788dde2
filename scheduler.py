"""Unattended re-crawls in every spring publication window (APScheduler 3.x).

**One scheduler process.** APScheduler 3 has no coordination between processes that share a job
store: every process that starts a scheduler on it runs every due job itself, so two daemons (or a
web server with several workers each starting one) crawl each source twice. ``fazhi schedule
start`` is that one process; :class:`Service` refuses a second scheduler inside a process, and the
per-source lock (below) refuses a second crawl of a source from any process on the machine.

**Jobs** come from the source registry, one per source (id ``crawl:<slug>``), each with a
:class:`PolicyTrigger` over :mod:`archive.schedule_policy` (nightly in the window, weekly until
late_until, monthly otherwise). They live in the archive database (``SQLAlchemyJobStore``), so a
restart keeps each job's next due time: a machine down over several due times runs the source
once on restart (``coalesce``, recorded as ``coalesced``) if the last due time is within
``misfire_grace_time``, else records it ``missed``. ``max_instances=1``: a job due while the
previous crawl of its source still runs is refused and recorded.

**Each crawl is a child process** (``fazhi crawl --source SLUG``): Scrapy's reactor cannot
restart, and a child can be stopped and timed out without touching the scheduler. The child owns
its ``crawl_run`` row (trigger from ``FAZHI_TRIGGER``); the runner only ends a run the child could
not end itself. SIGTERM to the scheduler sends one SIGTERM to each child — Scrapy stops
gracefully, the run is marked ``cancelled``, and each archived item was its own transaction, so
nothing is half-written — and waits for them.
"""

from __future__ import annotations

import datetime as dt
import logging
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from apscheduler.events import (
    EVENT_JOB_ADDED,
    EVENT_JOB_ERROR,
    EVENT_JOB_EXECUTED,
    EVENT_JOB_MAX_INSTANCES,
    EVENT_JOB_MISSED,
    EVENT_JOB_MODIFIED,
    EVENT_JOB_SUBMITTED,
    JobEvent,
)
from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.cron import CronTrigger
from filelock import FileLock, Timeout
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from archive import db, runs
from archive.config import Settings
from archive.models import SCHEDULER_JOBS_TABLE, CrawlRun
from archive.schedule_policy import Policy, next_run
from crawler.registry import Registry

logger = logging.getLogger("fazhi.scheduler")

CRAWL_JOB = "crawl:"
EXPECTATIONS_JOB = "expectations"
# Scrapy's graceful stop lets in-flight requests finish: DOWNLOAD_TIMEOUT (60 s) plus closing.
STOP_GRACE = 90.0
_ONE_TICK = dt.timedelta(microseconds=1)


class PolicyTrigger(BaseTrigger):
    """APScheduler's view of one source's schedule; pickled into the job store."""

    def __init__(self, policy: Policy, slug: str) -> None:
        self.policy = policy
        self.slug = slug

    def get_next_fire_time(
        self, previous_fire_time: dt.datetime | None, now: dt.datetime
    ) -> dt.datetime:
        # Strictly after the previous fire time (so none is fired twice), even if that is
        # before NOW: APScheduler then sees every missed one and coalesces them.
        start = previous_fire_time + _ONE_TICK if previous_fire_time else now
        return next_run(self.policy, self.slug, start)

    def __str__(self) -> str:
        return f"policy[{self.slug}: {self.policy.describe()}]"

    def __repr__(self) -> str:
        return f"<PolicyTrigger {self}>"


@dataclass(frozen=True)
class CrawlCommand:
    """How a child crawl is started: ``fazhi crawl`` with the scheduler's database and registry,
    plus Scrapy overrides (``--set NAME=VALUE``) the operator gave the scheduler."""

    database_url: str
    registry: Path | None = None
    overrides: tuple[str, ...] = ()

    def argv(self, slug: str, trigger: str) -> list[str]:
        argv = [sys.executable, "-m", "fazhi", "crawl", "--source", slug]
        argv += ["--db", self.database_url, "--set", f"FAZHI_TRIGGER={trigger}"]
        if self.registry is not None:
            argv += ["--registry", str(self.registry)]
        for override in self.overrides:
            argv += ["--set", override]
        return argv


@dataclass(frozen=True)
class Finished:
    """How one crawl request ended: the run's status, or ``refused``/``not-started``."""

    slug: str
    trigger: str
    status: str
    run_id: int | None = None
    exit_code: int | None = None
    detail: str | None = None

    @property
    def ok(self) -> bool:
        return self.status == "ok"


class Runner:
    """Starts crawls as child processes: one per source at a time, each with a time limit.

    The per-source lock is a file lock in ``FAZHI_DATA_DIR/locks`` (``filelock``): the kernel
    drops it when its holder dies, so a killed scheduler never leaves a source locked.
    """

    def __init__(
        self,
        settings: Settings,
        command: CrawlCommand,
        engine: Engine,
        stop_grace: float = STOP_GRACE,
    ) -> None:
        self.settings = settings
        self.command = command
        self.engine = engine
        self.stop_grace = stop_grace
        self._children: dict[str, subprocess.Popen[bytes]] = {}
        # Reentrant: a signal handler calling cancel() may interrupt this thread holding it.
        self._lock = threading.RLock()
        self._stopping = False

    def crawl(self, slug: str, trigger: str) -> Finished:
        """Crawl SLUG in a child process and wait for it; refused if it is being crawled."""
        lock = FileLock(self.settings.data_dir / "locks" / f"{slug}.lock")
        try:
            lock.acquire(blocking=False)
        except Timeout:
            return self._refuse(slug, trigger)
        try:
            return self._crawl_locked(slug, trigger)
        finally:
            lock.release()

    def cancel(self) -> None:
        """Send each running child one SIGTERM (Scrapy's graceful stop) and start no more.
        Never blocks: safe in a signal handler."""
        with self._lock:
            self._stopping = True
            children = list(self._children.values())
        for child in children:
            if child.poll() is None:
                child.send_signal(signal.SIGTERM)

    def stop(self) -> None:
        """Cancel, then wait up to ``stop_grace`` seconds for the children; kill the rest."""
        with self._lock:
            children = list(self._children.values())
        self.cancel()
        deadline = time.monotonic() + self.stop_grace
        for child in children:
            try:
                child.wait(max(0.0, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                logger.warning("crawl pid %s ignored SIGTERM: killed", child.pid)
                child.kill()

    def _refuse(self, slug: str, trigger: str) -> Finished:
        with Session(self.engine) as session:
            run = runs.running(session, slug)
            detail = "already being crawled" + (f" (run {run.id})" if run else "")
            runs.record(
                session,
                "refused",
                slug,
                trigger=trigger,
                crawl_run_id=run.id if run else None,
                detail=detail,
            )
            session.commit()
        logger.warning("crawl %s (%s) refused: %s", slug, trigger, detail)
        return Finished(slug, trigger, "refused", run.id if run else None, detail=detail)

    def _crawl_locked(self, slug: str, trigger: str) -> Finished:
        started = dt.datetime.now(dt.UTC)
        log_file = self.settings.log_dir / "crawls" / f"{slug}-{started:%Y%m%dT%H%M%S%fZ}.log"
        with self._lock:
            if self._stopping:
                return Finished(slug, trigger, "not-started", detail="the scheduler is stopping")
            log_file.parent.mkdir(parents=True, exist_ok=True)
            with log_file.open("wb") as log:
                # Its own session: a Ctrl-C at the terminal reaches only us, and we send the
                # one SIGTERM (a second one makes Scrapy stop uncleanly).
                child = subprocess.Popen(
                    self.command.argv(slug, trigger),
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    start_new_session=True,
                )
            self._children[slug] = child
        logger.info("crawl %s (%s) started: pid %s, log %s", slug, trigger, child.pid, log_file)
        timed_out = False
        try:
            child.wait(self.settings.schedule_crawl_timeout)
        except subprocess.TimeoutExpired:
            timed_out = True
            logger.warning("crawl %s timed out: stopping it", slug)
            child.send_signal(signal.SIGTERM)
            try:
                child.wait(self.stop_grace)
            except subprocess.TimeoutExpired:
                child.kill()
                child.wait()
        finally:
            with self._lock:
                self._children.pop(slug, None)
        finished = self._settle(slug, trigger, started, child.returncode, timed_out, log_file)
        logger.info("crawl %s (%s) %s", slug, trigger, _describe(finished))
        return finished

    def _settle(
        self,
        slug: str,
        trigger: str,
        started: dt.datetime,
        exit_code: int,
        timed_out: bool,
        log_file: Path,
    ) -> Finished:
        """Read the run the child opened; end it if the child could not."""
        with Session(self.engine) as session:
            run = runs.run_opened_by(session, slug, trigger, started)
            if run is None and exit_code == 0 and self.settings.redis_url:
                # `fazhi crawl` queued it for `fazhi worker` processes, whose runs these are.
                return Finished(slug, trigger, "queued", None, 0, "queued for the workers")
            if run is None:
                detail = f"exit {exit_code} before opening a run; {_tail(log_file)}"
                runs.record(session, "failed", slug, trigger=trigger, detail=detail)
                session.commit()
                return Finished(slug, trigger, "failed", None, exit_code, detail)
            if timed_out:
                limit = self.settings.schedule_crawl_timeout
                runs.close(run, "failed", f"timed out after {limit} s")
            elif run.status == "running":
                status = "cancelled" if self._stopping else "failed"
                runs.close(run, status, f"crawl process ended (exit {exit_code}) before its run")
            session.commit()
            return Finished(
                slug, trigger, run.status, run.id, exit_code, _run_detail(run) or run.error_summary
            )


class Service:
    """The scheduler process: APScheduler with the archive's job store, the runner, and a
    listener that records what is not a crawl run."""

    _active: Service | None = None
    _active_lock = threading.Lock()

    def __init__(self, settings: Settings, registry: Registry, command: CrawlCommand) -> None:
        self.settings = settings
        self.registry = registry
        self.engine = db.make_engine(settings.database_url)
        self.runner = Runner(settings, command, self.engine)
        self.scheduler = _scheduler(settings, self.engine)
        self.scheduler.add_listener(
            self._on_event,
            EVENT_JOB_SUBMITTED
            | EVENT_JOB_MAX_INSTANCES
            | EVENT_JOB_MISSED
            | EVENT_JOB_ERROR
            | EVENT_JOB_EXECUTED
            | EVENT_JOB_ADDED
            | EVENT_JOB_MODIFIED,
        )
        # Each job's next due time as last seen: a submission covering several of them
        # (coalesce) is recorded with how many it folded.
        self._due: dict[str, dt.datetime | None] = {}

    def start(self, *, paused: bool = False) -> None:
        """Start (or resume) processing after syncing jobs with the registry."""
        with Service._active_lock:
            if Service._active is not None:
                raise RuntimeError("a scheduler already runs in this process")
            Service._active = self
        try:
            self.scheduler.start(paused=True)
            self.sync()
            self._due = {job.id: job.next_run_time for job in self.scheduler.get_jobs()}
            self.check_expectations()
        except BaseException:
            self.shutdown()
            raise
        if not paused:
            self.scheduler.resume()

    def resume(self) -> None:
        self.scheduler.resume()

    def shutdown(self) -> None:
        """Stop the children (graceful, then killed after the grace), then the scheduler."""
        self.runner.stop()
        if self.scheduler.running:
            _stop(self.scheduler, wait=True)
        self.engine.dispose()
        with Service._active_lock:
            Service._active = None

    def sync(self) -> None:
        """Make the stored jobs match the registry and the policy; a job whose trigger is
        unchanged keeps its next due time (a restart must not forget a due run)."""
        wanted = {CRAWL_JOB + source.slug: source for source in self.registry}
        for job in self.scheduler.get_jobs():
            if job.id.startswith(CRAWL_JOB) and job.id not in wanted:
                logger.info("source %s left the registry: job removed", job.id)
                job.remove()
        for job_id, source in wanted.items():
            trigger = PolicyTrigger(source.policy(self.settings.schedule), source.slug)
            self._put(job_id, scheduled_crawl, trigger, [source.slug], source.slug)
        night = self.settings.schedule.night
        check = CronTrigger(
            hour=night.end.hour, minute=night.end.minute, timezone=self.settings.schedule.zone
        )
        self._put(EXPECTATIONS_JOB, check_expectations, check, [], "expectations")

    def _put(self, job_id: str, func: Any, trigger: BaseTrigger, args: list, name: str) -> None:
        job = self.scheduler.get_job(job_id)
        grace = self.settings.schedule_misfire_grace
        if job is None:
            self.scheduler.add_job(
                func, trigger, id=job_id, name=name, args=args, misfire_grace_time=grace
            )
            return
        if str(job.trigger) != str(trigger):
            logger.info("job %s: schedule changed to %s", job_id, trigger)
            job.reschedule(trigger)
        if job.misfire_grace_time != grace:
            job.modify(misfire_grace_time=grace)

    def check_expectations(self, now: dt.datetime | None = None) -> list[tuple[str, int]]:
        """Record ``missing`` for each source whose window closed without last year's report."""
        now = now or dt.datetime.now(dt.UTC)
        recorded = []
        with Session(self.engine) as session:
            for source in self.registry:
                policy = source.policy(self.settings.schedule)
                year = runs.check_expectation(session, source.slug, policy, source.expects, now)
                if year is not None:
                    recorded.append((source.slug, year))
                    logger.warning("source %s: report on %s missing", source.slug, year)
            session.commit()
        return recorded

    def _on_event(self, event: JobEvent) -> None:
        code = event.code
        if code in (EVENT_JOB_ADDED, EVENT_JOB_MODIFIED):
            job = self.scheduler.get_job(event.job_id)
            self._due[event.job_id] = job.next_run_time if job else None
            return
        if not event.job_id.startswith(CRAWL_JOB):
            if code == EVENT_JOB_ERROR:
                logger.error("job %s failed: %r", event.job_id, event.exception)
            return
        slug = event.job_id.removeprefix(CRAWL_JOB)
        if code == EVENT_JOB_SUBMITTED:
            folded = self._folded(event.job_id, event.scheduled_run_times[-1])
            logger.info("job %s due at %s: submitted", slug, _local(event.scheduled_run_times[-1]))
            if len(folded) > 1:
                self._record(
                    "coalesced",
                    slug,
                    due_at=folded[-1],
                    due_count=len(folded),
                    detail=f"{len(folded)} due times ({_local(folded[0])} to "
                    f"{_local(folded[-1])}) folded into one run",
                )
        elif code == EVENT_JOB_MAX_INSTANCES:
            self._folded(event.job_id, event.scheduled_run_times[-1])
            self._refused(slug, event.scheduled_run_times[-1])
        elif code == EVENT_JOB_MISSED:
            late = dt.datetime.now(dt.UTC) - event.scheduled_run_time
            self._record(
                "missed",
                slug,
                due_at=event.scheduled_run_time,
                detail=f"due {_local(event.scheduled_run_time)}, {_hours(late)} late: "
                f"beyond the misfire grace ({self.settings.schedule_misfire_grace} s)",
            )
        elif code == EVENT_JOB_ERROR:
            detail = repr(event.exception)
            self._record("failed", slug, due_at=event.scheduled_run_time, detail=detail)

    def _refused(self, slug: str, due_at: dt.datetime) -> None:
        """A due time that found the previous scheduled crawl of its source still running."""
        with Session(self.engine) as session:
            run = runs.running(session, slug)
        self._record(
            "refused",
            slug,
            due_at=due_at,
            crawl_run_id=run.id if run else None,
            detail="the previous scheduled crawl of this source is still running",
        )

    def _folded(self, job_id: str, last: dt.datetime) -> list[dt.datetime]:
        """The due times from the job's last known one up to LAST; remembers the new one."""
        first = self._due.get(job_id)
        job = self.scheduler.get_job(job_id)
        self._due[job_id] = job.next_run_time if job else None
        if first is None or job is None:
            return [last]
        times = list(_fire_times(job.trigger, first, last))
        return times or [last]

    def _record(self, kind: str, slug: str, **fields: Any) -> None:
        with Session(self.engine) as session:
            runs.record(session, kind, slug, trigger="schedule", **fields)
            session.commit()
        logger.warning("job %s: %s (%s)", slug, kind, fields.get("detail"))


def scheduled_crawl(slug: str) -> None:
    """The job of source SLUG (referenced by name from the job store)."""
    _service().runner.crawl(slug, "schedule")


def check_expectations() -> None:
    """The daily expectations job (referenced by name from the job store)."""
    _service().check_expectations()


def _service() -> Service:
    service = Service._active
    if service is None:
        raise RuntimeError("no scheduler runs in this process")
    return service


def _scheduler(settings: Settings, engine: Engine) -> BackgroundScheduler:
    return BackgroundScheduler(
        jobstores={"default": SQLAlchemyJobStore(engine=engine, tablename=SCHEDULER_JOBS_TABLE)},
        executors={"default": ThreadPoolExecutor(settings.schedule_workers)},
        job_defaults={
            "coalesce": True,
            "max_instances": 1,
            "misfire_grace_time": settings.schedule_misfire_grace,
        },
        timezone=settings.schedule.zone,
    )


def stored_next_runs(settings: Settings) -> dict[str, dt.datetime | None]:
    """Each stored job's next due time, read without running or changing anything."""
    engine = db.make_engine(settings.database_url)
    scheduler = _scheduler(settings, engine)
    scheduler.start(paused=True)
    try:
        return {job.id: job.next_run_time for job in scheduler.get_jobs()}
    finally:
        _stop(scheduler, wait=False)
        engine.dispose()


def _stop(scheduler: BackgroundScheduler, wait: bool) -> None:
    """Shut down without losing a due time. APScheduler 3's loop looks for due jobs once more
    after shutdown() and advances them with no executor left to run them; with the job store
    detached first, every due time stays stored for the next start."""
    scheduler.remove_jobstore("default", shutdown=False)
    scheduler.shutdown(wait=wait)


def serve(settings: Settings, registry: Registry, command: CrawlCommand) -> None:
    """Run the scheduler in the foreground until SIGTERM or SIGINT, then stop cleanly."""
    stop = threading.Event()
    service = Service(settings, registry, command)
    previous = {sig: signal.signal(sig, lambda *_: stop.set()) for sig in _STOP_SIGNALS}
    try:
        service.start()
        for job in service.scheduler.get_jobs():
            logger.info("job %s: next run %s", job.id, _local(job.next_run_time))
        logger.info("scheduler started: %d sources", len(registry))
        stop.wait()
        logger.info("stopping: waiting for running crawls to stop cleanly")
    finally:
        service.shutdown()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    logger.info("scheduler stopped")


def run_now(settings: Settings, command: CrawlCommand, slug: str) -> Finished:
    """One manual crawl of SLUG in the foreground; SIGTERM or SIGINT stops it cleanly."""
    engine = db.make_engine(settings.database_url)
    runner = Runner(settings, command, engine)
    previous = {sig: signal.signal(sig, lambda *_: runner.cancel()) for sig in _STOP_SIGNALS}
    try:
        return runner.crawl(slug, "manual")
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        engine.dispose()


_STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT)


def _fire_times(
    trigger: BaseTrigger, first: dt.datetime, last: dt.datetime
) -> Iterator[dt.datetime]:
    """The trigger's fire times from FIRST to LAST, both included."""
    at: dt.datetime | None = first
    while at is not None and at <= last:
        yield at
        at = trigger.get_next_fire_time(at, last + _ONE_TICK)


def _run_detail(run: CrawlRun) -> str:
    numbers = runs.counts(run.stats or {})
    return f"{numbers['pages']} pages, {numbers['reports']} reports, {numbers['errors']} errors"


def _describe(finished: Finished) -> str:
    run = f"run {finished.run_id} " if finished.run_id else ""
    return f"{run}{finished.status}: {finished.detail or ''}".rstrip(": ")


def _local(when: dt.datetime | None) -> str:
    return f"{when:%Y-%m-%d %H:%M %Z}" if when else "none (paused)"


def _hours(delta: dt.timedelta) -> str:
    return f"{delta.total_seconds() / 3600:.1f} h"


def _tail(path: Path, lines: int = 5) -> str:
    """The end of a crawl's log, for a failure that left no run row to hold it."""
    text = path.read_text(encoding="utf-8", errors="replace").strip().splitlines()
    return " | ".join(text[-lines:]) or f"empty log {path}"
