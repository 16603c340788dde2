"""The replica crawled twice (phase 1, then phase 2's corrections and re-publications) into one
SQLite archive: built once a session (tests/conftest.py's `replica_crawl`) for the end-to-end
checks of the crawl and for the reading room's browser test, which reads what it wrote."""

from __future__ import annotations

import sqlite3
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tests.crawl_process import crawl_command, crawl_env, run_crawl, write_registry
from tests.replica.server import Replica, start_replica


@dataclass
class Crawled:
    replica: Replica
    manifest: dict[str, Any]  # phase -> the replica's manifest then
    db: sqlite3.Connection
    runs: list[subprocess.CompletedProcess]
    data: Path

    @property
    def url(self) -> str:
        return f"sqlite:///{self.data}/archive.sqlite3"


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
def crawled_replica(data: Path, group: str = "replica") -> Iterator[Crawled]:
    """Both phases of GROUP's portals crawled into DATA's SQLite file (:func:`crawled_phases`)."""
    with crawled_phases(data, group=group) as (replica, manifest, runs):
        db = sqlite3.connect(data / "archive.sqlite3")
        try:
            yield Crawled(replica, manifest, db, runs, data)
        finally:
            db.close()
