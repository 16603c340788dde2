"""`fazhi reprocess` on a crawled replica archive, on SQLite and PostgreSQL: an archive as older
rules left it is brought back to what today's crawl stores; a second run changes nothing; a run
killed (SIGKILL) between batches resumes and ends with the archive an uninterrupted run leaves.

The archive is the replica crawled in its two phases (tests/replica_crawl.py; on SQLite the
session's shared crawl, copied). "As older rules left it": every derived row without an
extractor version, every version's text with a counter line an older extractor kept, and the
更正 the replica re-publishes at a new URL stored as a sighting of version 1, its text lost —
as an ad-hoc crawl decided before the publisher rule (issue 19, item 5).
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psycopg
import pytest
from sqlalchemy import Engine, delete, func, select, update
from sqlalchemy.orm import Session

from archive.search import index as search_index
from archive.storage import anatomies, dedup
from archive.storage import db as database
from archive.storage.models import (
    Attachment,
    Fetch,
    Report,
    ReportVersion,
    ReprocessRun,
    Sighting,
)
from tests.archive_snapshot import snapshot
from tests.crawl_process import ROOT
from tests.replica_crawl import Crawled, crawled_phases
from tests.services import POSTGRES_ADMIN_URL, fresh_postgres_database

pytestmark = pytest.mark.slow

KILL_AFTER = 2  # reports done before the kill; the replica archive has 8


@dataclass
class Pristine:
    """A crawled archive, and copies of it for each test to change."""

    url: str
    data: Path  # the crawl's data directory: its WARC files, its registry
    copies: list[str] = field(default_factory=list)

    @property
    def registry(self) -> Path:
        return self.data / "replica.yaml"

    def copy(self) -> str:
        name = f"copy{len(self.copies)}"
        if self.url.startswith("sqlite"):
            target = self.data.parent / f"{self.data.name}-{name}.sqlite3"
            with (
                closing(sqlite3.connect(self.url.removeprefix("sqlite:///"))) as source,
                closing(sqlite3.connect(target)) as copy,
            ):
                source.backup(copy)
            url = f"sqlite:///{target}"
        else:
            base, template = self.url.rsplit("/", 1)
            with psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True) as admin:
                admin.execute(f'CREATE DATABASE "{template}_{name}" TEMPLATE "{template}"')
            url = f"{base}/{template}_{name}"
        self.copies.append(url)
        return url

    def drop_copies(self) -> None:
        with psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True) as admin:
            for url in self.copies:
                name = url.rsplit("/", 1)[1]
                admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(
    scope="module", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]
)
def pristine(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, token: str
) -> Iterator[Pristine]:
    if request.param == "sqlite":
        crawled: Crawled = request.getfixturevalue("replica_crawl")
        yield Pristine(crawled.url, crawled.data)
        return
    data = tmp_path_factory.mktemp("reprocess-pg")
    with (
        fresh_postgres_database(f"{token}_reprocess") as url,
        crawled_phases(data, url) as (_, _, runs),
    ):
        assert [run.returncode for run in runs] == [0, 0], runs[-1].stderr[-3000:]
        made = Pristine(url, data)
        try:
            yield made
        finally:
            made.drop_copies()


@contextmanager
def engine_for(url: str) -> Iterator[Engine]:
    engine = database.make_engine(url)
    try:
        yield engine
    finally:
        engine.dispose()


def age(url: str) -> None:
    """The archive at URL as older rules left it (see the module doc)."""
    with engine_for(url) as engine, Session(engine) as session:
        for model in (Fetch, Sighting, Attachment):
            session.execute(update(model).values(extractor_version=None))
        ids = list(session.scalars(select(ReportVersion.id)))
        for version_id in ids:
            search_index.drop_version(session, version_id)
        for version_id in ids:
            text = session.scalar(select(ReportVersion.text).where(ReportVersion.id == version_id))
            older = f"{text}\n浏览次数：{version_id}"
            session.execute(
                update(ReportVersion)
                .where(ReportVersion.id == version_id)
                .values(
                    text=older,
                    content_sha256=dedup.content_key(older, str(version_id)),
                    extractor_version=None,
                )
            )
        correction = _correction_at_a_new_url(session)
        for version_id in ids:
            if version_id != correction.id:
                search_index.add_version(session, version_id)
        session.execute(
            update(Sighting)
            .where(Sighting.version_id == correction.id)
            .values(version_id=correction.first, text=None)
        )
        dedup.drop_bands(session, correction.id)
        anatomies.drop(session, correction.id)
        session.execute(delete(ReportVersion).where(ReportVersion.id == correction.id))
        session.commit()


@dataclass(frozen=True)
class _Correction:
    id: int
    first: int  # version 1 of its report


def _correction_at_a_new_url(session: Session) -> _Correction:
    """The version the replica's phase 2 re-publishes at a URL its version 1 was never at."""
    for row in session.execute(
        select(ReportVersion.id, ReportVersion.report_id).where(ReportVersion.version == 2)
    ):
        first = session.scalar(
            select(ReportVersion.id).where(
                ReportVersion.report_id == row.report_id, ReportVersion.version == 1
            )
        )
        urls = set(session.scalars(select(Sighting.url).where(Sighting.version_id == row.id)))
        earlier = set(session.scalars(select(Sighting.url).where(Sighting.version_id == first)))
        if first is not None and urls - earlier:
            return _Correction(row.id, first)
    raise AssertionError("the replica has no correction at a new URL")


def command(pristine: Pristine, url: str, *extra: str) -> list[str]:
    return [sys.executable, "-m", "fazhi", "reprocess", "--db", url,
            "--registry", str(pristine.registry), *extra]  # fmt: skip


def environment(pristine: Pristine) -> dict[str, str]:
    return {**os.environ, "FAZHI_DATA_DIR": str(pristine.data)}


def reprocess(pristine: Pristine, url: str, *extra: str) -> str:
    done = subprocess.run(
        command(pristine, url, *extra),
        env=environment(pristine),
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


def contents(url: str) -> dict[str, list[tuple[Any, ...]]]:
    with engine_for(url) as engine:
        return snapshot(engine)


def test_reprocess_restores_todays_archive_and_a_second_run_changes_nothing(
    pristine: Pristine,
) -> None:
    crawled = contents(pristine.url)
    url = pristine.copy()
    age(url)
    assert contents(url)["version"] != crawled["version"]

    first = reprocess(pristine, url)

    after = contents(url)
    history = after.pop("version_history")
    assert after == {k: v for k, v in crawled.items() if k != "version_history"}
    assert len(history) == len(crawled["version"]) - 1  # the lost correction had no text
    assert "version added: " in first and "texts replaced" in first
    second = reprocess(pristine, url)
    assert "changed: nothing" in second, second
    assert contents(url) == {**after, "version_history": history}


def test_a_killed_run_resumes_and_ends_as_an_uninterrupted_run(pristine: Pristine) -> None:
    whole = pristine.copy()
    age(whole)
    reprocess(pristine, whole, "--batch", "1")
    killed = pristine.copy()
    age(killed)
    child = subprocess.Popen(
        command(pristine, killed, "--batch", "1"),
        env=environment(pristine),
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    with engine_for(killed) as engine:
        cursor = _report_ids(engine)[KILL_AFTER - 1]
        _wait_for(engine, child, cursor)
        with _holding_the_run(engine):  # the child stops at its next batch's checkpoint
            assert child.poll() is None, "the run ended before it could be killed"
            child.send_signal(signal.SIGKILL)
            child.wait(timeout=30)
            assert child.stderr is not None
            child.stderr.close()
        run = _latest_run(engine)
        assert run.finished_at is None and cursor <= run.cursor < _report_ids(engine)[-1]

    resumed = reprocess(pristine, killed, "--batch", "1")

    assert f"reprocess run {run.id} (resumed)" in resumed
    assert contents(killed) == contents(whole)


def _report_ids(engine: Engine) -> list[int]:
    with Session(engine) as session:
        return list(session.scalars(select(Report.id).order_by(Report.id)))


def _latest_run(engine: Engine) -> ReprocessRun:
    with Session(engine, expire_on_commit=False) as session:
        run = session.scalars(select(ReprocessRun).order_by(ReprocessRun.id.desc())).first()
        assert run is not None
        return run


def _wait_for(engine: Engine, child: subprocess.Popen[str], cursor: int) -> None:
    """Until the child's run has committed the batch of report CURSOR."""
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        assert child.poll() is None, child.stderr.read() if child.stderr else ""
        with Session(engine) as session:
            done = session.scalar(
                select(func.count()).where(
                    ReprocessRun.phase == "reports", ReprocessRun.cursor >= cursor
                )
            )
        if done:
            return
        time.sleep(0.005)
    raise AssertionError("the run did not get that far in two minutes")


@contextmanager
def _holding_the_run(engine: Engine) -> Iterator[None]:
    """The run's row locked (SQLite: the database's write lock), so that the child blocks at
    the checkpoint of the batch it is in."""
    if engine.dialect.name == "sqlite":
        assert engine.url.database is not None
        with closing(sqlite3.connect(engine.url.database, isolation_level=None)) as connection:
            connection.execute("BEGIN IMMEDIATE")
            yield
            connection.execute("ROLLBACK")
        return
    with engine.connect() as connection:
        connection.execute(select(ReprocessRun.id).with_for_update())
        yield
        connection.rollback()
