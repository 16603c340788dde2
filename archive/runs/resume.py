"""Crash recovery: runs whose process died, and what a resumed crawl may take from them.

A killed crawl leaves its ``crawl_run`` ``running``; its process held a lock file (:class:`Owner`)
that the kernel drops however it dies, so a run whose lock can be taken is dead
(:func:`close_dead`). ``fazhi crawl --resume`` answers from the dead runs' WARC records what they
already fetched (:func:`replayable`, :func:`read_body`). Why, and what is asked again:
docs/reliability.md ("Crash and --resume").
"""

from __future__ import annotations

import os
import socket
import uuid
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from filelock import FileLock, Timeout
from sqlalchemy import exists, func, or_, select
from sqlalchemy.orm import Session

from archive.extract.classify import DocType
from archive.runs import history as runs
from archive.storage.fetches import read_response
from archive.storage.models import CrawlRun, Fetch, Sighting
from archive.storage.warc import Served

KILLED = "process ended without closing the run (killed?)"
# Keys of the run's stats naming the process that owns it (written when the run opens).
OWNER_LOCK = "fazhi/owner/lock"
OWNER_PID = "fazhi/owner/pid"
OWNER_HOST = "fazhi/owner/host"
RESUMABLE = frozenset({"failed", "cancelled"})


class Owner:
    """The lock a crawl process holds while it lives, in ``FAZHI_DATA_DIR/locks``."""

    def __init__(self, directory: Path) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        self.path = (directory / f"run-{uuid.uuid4().hex}.lock").resolve()
        self._lock = FileLock(self.path)
        self._lock.acquire()

    def stamp(self) -> dict[str, Any]:
        """What the run's stats say about its process: the lock, and pid and host for people."""
        return {
            OWNER_LOCK: str(self.path),
            OWNER_PID: os.getpid(),
            OWNER_HOST: socket.gethostname(),
        }

    def release(self) -> None:
        self._lock.release()
        self.path.unlink(missing_ok=True)


def owner_gone(run: CrawlRun) -> bool:
    """Whether the process that opened RUN is dead: its lock file is here and free.

    A run without a lock file here (opened before owners were recorded, or on another
    machine with another data directory) cannot be judged from here: False.
    """
    path = (run.stats or {}).get(OWNER_LOCK)
    if not path or not Path(path).is_file():
        return False
    lock = FileLock(path)
    try:
        lock.acquire(blocking=False)
    except Timeout:
        return False
    lock.release()
    return True


def close_dead(session: Session) -> list[CrawlRun]:
    """Mark ``failed`` every run still ``running`` whose process is gone; commits."""
    dead = [
        run
        for run in session.scalars(select(CrawlRun).where(CrawlRun.status == "running"))
        if owner_gone(run)
    ]
    for run in dead:
        runs.close(run, "failed", KILLED)
    session.commit()
    for run in dead:
        Path(run.stats[OWNER_LOCK]).unlink(missing_ok=True)
    return dead


def resumed_runs(session: Session, slugs: Collection[str]) -> list[int]:
    """The runs a resumed crawl of exactly SLUGS continues, newest first: the latest runs of
    those sources back to the last one that ended well, if they failed or were cancelled.
    Runs still ``running`` (the resumed crawl's own, or one alive elsewhere) are passed over.
    """
    wanted = sorted(slugs)
    if not wanted:
        return []
    chain: list[int] = []
    query = (
        select(CrawlRun.id, CrawlRun.sources, CrawlRun.status)
        .where(runs.crawls_of(wanted[0]), CrawlRun.status != "running")
        .order_by(CrawlRun.id.desc())
    )
    for run_id, sources, status in session.execute(query):
        if sorted(sources) != wanted:
            continue
        if status not in RESUMABLE:
            break
        chain.append(run_id)
    return chain


@dataclass(frozen=True)
class Replayable:
    """A response of a failed run that a resumed crawl may use instead of asking again."""

    fetch_id: int
    url: str  # the link followed
    final_url: str  # where it led (redirects followed): the page the body is
    status: int
    warc_file: str
    warc_offset: int
    body_sha256: str | None


def replayable(
    session: Session, run_ids: Sequence[int], retry_statuses: Collection[int]
) -> list[Replayable]:
    """The responses of RUN_IDS a resumed crawl may take from the archive, oldest first."""
    if not run_ids:
        return []
    page_url = func.coalesce(Fetch.final_url, Fetch.url)
    finished = exists().where(Sighting.url == page_url, Sighting.last_seen >= Fetch.fetched_at)
    rows = session.execute(
        select(
            Fetch.id,
            Fetch.url,
            page_url,
            Fetch.status,
            Fetch.warc_file,
            Fetch.warc_offset,
            Fetch.body_sha256,
        )
        .where(
            Fetch.crawl_run_id.in_(run_ids),
            Fetch.status.is_not(None),
            Fetch.status.not_in(retry_statuses),
            Fetch.warc_file.is_not(None),
            or_(
                Fetch.doc_type.is_(None),
                Fetch.doc_type != str(DocType.ANNUAL_REPORT),
                Fetch.error.is_not(None),
                finished,
            ),
        )
        .order_by(Fetch.id)
    )
    return [
        Replayable(fetch_id, url, final_url, status, warc_file, warc_offset, body_sha256)
        for fetch_id, url, final_url, status, warc_file, warc_offset, body_sha256 in rows
        if status is not None and warc_file is not None and warc_offset is not None
    ]


def read_body(session: Session, root: Path, entry: Replayable) -> Served:
    """ENTRY's response as archived, with its body (a revisit record's is its original's).

    ROOT is the data directory ``fetch.warc_file`` is relative to.
    """
    try:
        return read_response(session, root, entry.warc_file, entry.warc_offset, entry.body_sha256)
    except ValueError as exc:
        raise ValueError(f"{entry.final_url}: {exc}") from exc
