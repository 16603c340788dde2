"""Crawls started as child processes: one per source at a time, each with a time limit.

Each crawl is ``fazhi crawl --source SLUG`` in a child process: Scrapy's reactor cannot
restart, and a child can be stopped and timed out without touching the scheduler. The child
owns its ``crawl_run`` row; the runner only ends a run the child could not end itself
(docs/scheduling.md).
"""

from __future__ import annotations

import datetime as dt
import logging
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from filelock import FileLock, Timeout
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from archive.config import Settings
from archive.runs import history as runs
from archive.storage import db
from archive.storage.models import CrawlRun

logger = logging.getLogger("fazhi.scheduler")

# Scrapy's graceful stop lets in-flight requests finish: DOWNLOAD_TIMEOUT (60 s) plus closing.
STOP_GRACE = 90.0
STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT)


@dataclass(frozen=True)
class CrawlCommand:
    """How a child crawl is started: ``fazhi crawl`` with the scheduler's database and registry,
    plus Scrapy overrides (``--set NAME=VALUE``) the operator gave the scheduler."""

    database_url: str
    registry: Path | None = None
    overrides: tuple[str, ...] = ()

    def argv(self, slug: str, trigger: str, log_file: Path) -> list[str]:
        argv = [sys.executable, "-m", "fazhi", "crawl", "--source", slug]
        argv += ["--db", self.database_url, "--set", f"FAZHI_TRIGGER={trigger}"]
        argv += ["--set", f"LOG_FILE={log_file}"]
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
        log_file = self.settings.crawl_log(slug, started)
        with self._lock:
            if self._stopping:
                return Finished(slug, trigger, "not-started", detail="the scheduler is stopping")
            log_file.parent.mkdir(parents=True, exist_ok=True)
            # The child logs to the file itself (LOG_FILE) and its output goes there too:
            # both append, so neither writes over the other.
            with log_file.open("ab") as log:
                # Its own session: a Ctrl-C at the terminal reaches only us, and we send the
                # one SIGTERM (a second one makes Scrapy stop uncleanly).
                child = subprocess.Popen(
                    self.command.argv(slug, trigger, log_file),
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


def run_now(settings: Settings, command: CrawlCommand, slug: str) -> Finished:
    """One manual crawl of SLUG in the foreground; SIGTERM or SIGINT stops it cleanly."""
    engine = db.make_engine(settings.database_url)
    runner = Runner(settings, command, engine)
    previous = {sig: signal.signal(sig, lambda *_: runner.cancel()) for sig in STOP_SIGNALS}
    try:
        return runner.crawl(slug, "manual")
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        engine.dispose()


def _run_detail(run: CrawlRun) -> str:
    numbers = runs.counts(run.stats or {})
    return f"{numbers['pages']} pages, {numbers['reports']} reports, {numbers['errors']} errors"


def _describe(finished: Finished) -> str:
    run = f"run {finished.run_id} " if finished.run_id else ""
    return f"{run}{finished.status}: {finished.detail or ''}".rstrip(": ")


def _tail(path: Path, lines: int = 5) -> str:
    """The end of a crawl's log, for a failure that left no run row to hold it."""
    text = path.read_text(encoding="utf-8", errors="replace").strip().splitlines()
    return " | ".join(text[-lines:]) or f"empty log {path}"
