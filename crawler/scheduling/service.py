"""The scheduler process: APScheduler with the archive's job store, the runner, and a
listener that records what is not a crawl run (docs/scheduling.md)."""

from __future__ import annotations

import datetime as dt
import logging
import signal
import threading
from collections.abc import Callable
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
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.cron import CronTrigger
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from archive.config import Settings
from archive.runs import history as runs
from archive.storage import db
from archive.storage.models import SCHEDULER_JOBS_TABLE
from crawler.registry import Registry
from crawler.scheduling.job_store import JobStore
from crawler.scheduling.runner import STOP_SIGNALS, CrawlCommand, Runner
from crawler.scheduling.triggers import PolicyTrigger, fire_times

logger = logging.getLogger("fazhi.scheduler")

CRAWL_JOB = "crawl:"
EXPECTATIONS_JOB = "expectations"


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

    def _put(
        self,
        job_id: str,
        func: Callable[..., None],
        trigger: BaseTrigger,
        args: list[str],
        name: str,
    ) -> None:
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
        times = list(fire_times(job.trigger, first, last))
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
        jobstores={"default": JobStore(engine=engine, tablename=SCHEDULER_JOBS_TABLE)},
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
    previous = {sig: signal.signal(sig, lambda *_: stop.set()) for sig in STOP_SIGNALS}
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


def _local(when: dt.datetime | None) -> str:
    return f"{when:%Y-%m-%d %H:%M %Z}" if when else "none (paused)"


def _hours(delta: dt.timedelta) -> str:
    return f"{delta.total_seconds() / 3600:.1f} h"
