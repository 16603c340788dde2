"""The archive process's side of archiving: batches into the database, or into the spool.

One batch is one transaction, committed after its WARC records are fsynced; during an outage
batches go to the spool and are stored oldest first when the database is back; a batch that
fails otherwise is retried one job per transaction. docs/architecture.md ("The archive
process"); the faults and their tests: docs/reliability.md.
"""

from __future__ import annotations

import logging
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TypedDict

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from archive import ingest as archiving
from archive.extract.page import Extracted
from archive.storage.db import is_outage, make_engine
from archive.storage.models import Fetch
from archive.storage.source_info import SourceInfo
from archive.storage.spool import Spool
from archive.storage.warc import Reference, WarcWriter
from crawler.discovery import LinkKind
from crawler.items import FailureItem, Job, PageItem

logger = logging.getLogger(__name__)


class _RunKeywords(TypedDict):
    """The keywords both ``archive.ingest`` calls below take from the job's run."""

    warc: WarcWriter
    crawl_run_id: int
    source: SourceInfo | None


@dataclass
class Backoff:
    """When to try an unreachable database again: waits double from `first` up to `most`."""

    first: float = 1.0
    most: float = 60.0
    clock: Callable[[], float] = time.monotonic
    wait: float = 0.0
    next_try: float = 0.0

    def failed(self) -> None:
        self.wait = min(self.most, self.wait * 2 or self.first)
        self.next_try = self.clock() + self.wait

    def succeeded(self) -> None:
        self.wait = self.next_try = 0.0

    @property
    def down(self) -> bool:
        return self.wait > 0

    def due(self) -> bool:
        return self.clock() >= self.next_try


class Archiver:
    """Stores jobs in order, from one thread; see the module doc. Not thread-safe by design."""

    def __init__(
        self, engine: Engine, warc: WarcWriter, spool: Spool, backoff: Backoff | None = None
    ) -> None:
        self.engine = engine
        self.warc = warc
        self.spool = spool
        self.backoff = backoff or Backoff()
        self.deferred: dict[str, Extracted] = {}  # attachment-only pages awaiting their file
        self.drained: Counter[str] = Counter()  # outcomes of spooled jobs stored later
        self.outages = 0

    @classmethod
    def open(cls, database_url: str, warc_dir: Path, spool_dir: Path, run_id: int) -> Archiver:
        """An archiver for crawl run RUN_ID with its own engine, WARC files and spool."""
        engine = make_engine(database_url)
        warc = WarcWriter(
            warc_dir, run_id, lookup=lambda digest: earlier_capture(engine, digest), sync_each=False
        )
        return cls(engine, warc, Spool(spool_dir))

    def close(self) -> None:
        self.warc.close()
        self.engine.dispose()

    def store_batch(self, jobs: Sequence[Job]) -> list[str]:
        """What became of each job: its archive outcome, or ``spooled``."""
        if self.backoff.down and not self.backoff.due():
            return self._spool(jobs)
        try:
            self.drain()
            outcomes = self._commit(jobs)
        except Exception as exc:  # sorted below: outage or one bad job
            if is_outage(exc):
                self._went_down(exc)
                return self._spool(jobs)
            return [self._alone(job) for job in jobs]
        self.backoff.succeeded()
        return outcomes

    def drain(self) -> int:
        """Store spooled jobs, oldest first; raises (an outage) and keeps the rest on failure."""
        stored = 0
        for entry in self.spool.pending():
            job: Job = entry.record
            if not self._already_stored(job):
                try:
                    (outcome,) = self._commit([job])
                except Exception as exc:  # an outage stops the drain; a bad record is set aside
                    if is_outage(exc):
                        raise
                    self._reject(job, entry.path, exc)
                    continue
                self.drained[outcome] += 1
            self.spool.remove(entry)
            stored += 1
        if stored:
            logger.info("stored %d spooled pages; %d left in the spool", stored, len(self.spool))
        return stored

    def finish(self, patience: float) -> bool:
        """Drain the spool, waiting up to PATIENCE seconds for the database; True when empty."""
        deadline = time.monotonic() + patience
        while True:
            try:
                self.drain()
                self.backoff.succeeded()
                return True
            except Exception as exc:  # only an outage is waited out
                if not is_outage(exc):
                    raise
                self._went_down(exc)
            if time.monotonic() + self.backoff.wait > deadline:
                return False
            time.sleep(self.backoff.wait)

    def _commit(self, jobs: Sequence[Job]) -> list[str]:
        deferred = dict(self.deferred)
        try:
            with Session(self.engine) as session:
                outcomes = [self._store(session, job) for job in jobs]
                self.warc.sync()  # the records before the rows that point at them
                session.commit()
        except Exception:
            self.deferred = deferred  # nothing of the batch stands
            raise
        return outcomes

    def _alone(self, job: Job) -> str:
        """A job from a batch that failed without an outage, in its own transaction."""
        try:
            return self._commit([job])[0]
        except Exception as exc:  # this record, not the crawl, has a problem
            if is_outage(exc):
                self._went_down(exc)
                return self._spool([job])[0]
            self._reject(job, self.spool.put(job), exc)
            return "rejected"

    def _reject(self, job: Job, path: Path, exc: Exception) -> None:
        """Move a job the database refuses (not an outage) to ``failed/`` with its reason."""
        reason = f"{type(exc).__name__}: {exc}"
        kept = self.spool.quarantine(path, reason)
        logger.error("could not archive %s (%s); kept in %s", job.item.url, reason, kept)

    def _spool(self, jobs: Sequence[Job]) -> list[str]:
        for job in jobs:
            self.spool.put(job)
        return ["spooled"] * len(jobs)

    def _went_down(self, exc: BaseException) -> None:
        if not self.backoff.down:
            self.outages += 1
            logger.error("database unavailable, spooling to %s: %s", self.spool.directory, exc)
        self.backoff.failed()

    def _already_stored(self, job: Job) -> bool:
        with Session(self.engine) as session:
            found = session.scalar(
                select(Fetch.id).where(
                    Fetch.url == job.item.url, Fetch.fetched_at == job.item.fetched_at
                )
            )
        return found is not None

    def _store(self, session: Session, job: Job) -> str:
        item = job.item
        if isinstance(item, FailureItem):
            archiving.record_failure(
                session, item.url, item.error, item.fetched_at, job.run_id, item.status
            )
            return "failure"
        response = _response(item)
        common: _RunKeywords = {"warc": self.warc, "crawl_run_id": job.run_id, "source": job.source}
        if item.kind == LinkKind.ATTACHMENT and item.parent_url:
            done = archiving.process_attachment(
                session,
                response,
                page_url=item.parent_url,
                page=self.deferred.pop(item.parent_url, None),
                name=item.anchor,
                **common,
            )
        elif item.kind in (LinkKind.CANDIDATE, LinkKind.ATTACHMENT):
            done = archiving.process(
                session,
                response,
                region_hint=job.region_hint,
                parts=[_response(part) for part in item.parts],
                span=item.span,
                **common,
            )
        else:
            archiving.record(session, response, warc=self.warc, crawl_run_id=job.run_id)
            return "listing"
        if done.deferred and done.extracted is not None:
            self.deferred[item.final_url or item.url] = done.extracted
            return "deferred"
        if done.error:
            return "error"
        if done.result is not None:
            return str(done.result.outcome)
        return f"not-report/{done.doc_type}"


def _response(item: PageItem) -> archiving.Response:
    return archiving.Response(
        url=item.url,
        status=item.status,
        headers=item.headers,
        body=item.body,
        fetched_at=item.fetched_at,
        final_url=item.final_url,
    )


def earlier_capture(engine: Engine, digest: str) -> Reference | None:
    """The first capture of this payload in an earlier run: a revisit record points there."""
    with Session(engine) as session:
        row = session.execute(
            select(Fetch.url, Fetch.fetched_at)
            .where(Fetch.body_sha256 == digest, Fetch.warc_file.is_not(None))
            .order_by(Fetch.id)
            .limit(1)
        ).first()
    return Reference(uri=row.url, date=row.fetched_at) if row else None
