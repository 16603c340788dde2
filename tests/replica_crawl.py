"""The replica crawled twice (phase 1, then phase 2's corrections and re-publications) into one
archive: built once a session (tests/conftest.py's `replica_crawl`) for the end-to-end checks of
the crawl and for the reading room's browser test, which reads what it wrote; the held-out
portals' scoreboard reads a SQLite or a PostgreSQL one alike (:class:`PostgresAnswers`)."""

from __future__ import annotations

import datetime as dt
import sqlite3
import subprocess
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import psycopg

from tests.crawl_process import crawl_command, crawl_env, run_crawl, write_registry
from tests.replica.server import Replica, start_replica


class Answers(Protocol):
    """What the checks ask of an archive: sqlite3's ``execute`` (``?`` placeholders)."""

    def execute(self, sql: str, parameters: Sequence[Any] = ..., /) -> Any: ...


class PostgresAnswers:
    """A PostgreSQL archive answering as sqlite3 does, so one set of checks reads both:
    ``?`` placeholders, rows as tuples, dates and moments as the ISO text SQLite stores."""

    def __init__(self, url: str) -> None:
        self.connection = psycopg.connect(url, autocommit=True)

    def execute(self, sql: str, parameters: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        rows = self.connection.execute(sql.replace("?", "%s"), tuple(parameters)).fetchall()
        return _Rows(tuple(_as_sqlite(value) for value in row) for row in rows)

    def close(self) -> None:
        self.connection.close()


class _Rows(list[tuple[Any, ...]]):
    """Rows that also answer sqlite3's cursor methods."""

    def fetchall(self) -> list[tuple[Any, ...]]:
        return list(self)

    def fetchone(self) -> tuple[Any, ...] | None:
        return self[0] if self else None


def _as_sqlite(value: object) -> object:
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).replace(tzinfo=None).isoformat(" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


@dataclass
class Crawled:
    replica: Replica
    manifest: dict[str, Any]  # phase -> the replica's manifest then
    db: Answers
    runs: list[subprocess.CompletedProcess]
    data: Path
    database: str | None = None  # the archive's URL when not DATA's SQLite file

    @property
    def url(self) -> str:
        return self.database or f"sqlite:///{self.data}/archive.sqlite3"


def crawl(replica: Replica, data: Path, database: str | None = None) -> subprocess.CompletedProcess:
    """`fazhi crawl --all` of the replica, with DATA as the data directory (the WARC files,
    the registry it writes) into DATABASE (default: DATA's SQLite file)."""
    registry = write_registry(replica.registry_entries(), data / "replica.yaml")
    command = crawl_command(registry, database or f"sqlite:///{data}/archive.sqlite3", "--all")
    return run_crawl(command, crawl_env(data), timeout=600)


@contextmanager
def crawled_phases(
    data: Path, database: str | None = None, group: str = "replica"
) -> Iterator[tuple[Replica, dict[str, Any], list[subprocess.CompletedProcess]]]:
    """Phase 1 crawled, phase 2 crawled (see :func:`crawl`) of GROUP's portals (the replica, or
    the held-out ones); the replica stays up while in use. The replica, its manifest by phase,
    the two runs."""
    with start_replica(phase=1, group=group) as replica:
        first = crawl(replica, data, database)
        phase_one = replica.manifest()
        replica.set_phase(2)
        second = crawl(replica, data, database)
        yield replica, {"1": phase_one, "2": replica.manifest()}, [first, second]


@contextmanager
def crawled_replica(
    data: Path, group: str = "replica", database: str | None = None
) -> Iterator[Crawled]:
    """Both phases of GROUP's portals crawled into DATABASE, by default DATA's SQLite file
    (:func:`crawled_phases`)."""
    with crawled_phases(data, database, group) as (replica, manifest, runs):
        db = PostgresAnswers(database) if database else sqlite3.connect(data / "archive.sqlite3")
        try:
            yield Crawled(replica, manifest, db, runs, data, database)
        finally:
            db.close()
