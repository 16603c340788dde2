"""The read-only consumer role of docs/readonly-role.sql, applied as written, on PostgreSQL:
a member reads every table and view, and can change nothing."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import psycopg
import pytest
from psycopg.conninfo import make_conninfo
from sqlalchemy.orm import Session

from archive.ingest import Response, process
from archive.storage import db
from tests.faults.portal import GOOD_REPORT, fixture
from tests.services import fresh_postgres_database

pytestmark = pytest.mark.postgres

ROLE_SQL = Path(__file__).resolve().parents[2] / "docs" / "readonly-role.sql"
DOCUMENTED_ROLE = "fazhi_reader"


@dataclass(frozen=True)
class Archive:
    owner: str  # conninfo of the owner (who migrates and crawls)
    member: str  # conninfo of a login in the reader role


@pytest.fixture(scope="module")
def archive(token: str) -> Iterator[Archive]:
    reader, member = f"fazhi_reader_{token}", f"fazhi_consumer_{token}"
    with fresh_postgres_database(f"{token}_readonly") as url:
        db.upgrade(url)
        _archive_one_report(url)
        owner = make_conninfo(url)
        with psycopg.connect(owner, autocommit=True) as conn:
            conn.execute(ROLE_SQL.read_text(encoding="utf-8").replace(DOCUMENTED_ROLE, reader))
            conn.execute(f"CREATE ROLE {member} LOGIN IN ROLE {reader}")
            try:
                yield Archive(owner, make_conninfo(url, user=member))
            finally:
                conn.execute(f"DROP OWNED BY {member}, {reader}")
                conn.execute(f"DROP ROLE {member}")
                conn.execute(f"DROP ROLE {reader}")


def _archive_one_report(url: str) -> None:
    body, _ = fixture(GOOD_REPORT)
    engine = db.make_engine(url)
    with Session(engine) as session:
        process(
            session,
            Response(
                url="https://www.siming.gov.cn/xxgk/fzzfjs/202403/t20240313_937812.htm",
                status=200,
                headers={"Content-Type": "text/html; charset=utf-8"},
                body=body,
                fetched_at=dt.datetime.now(dt.UTC),
            ),
        )
        session.commit()
    engine.dispose()


def test_the_role_reads_the_views_and_tables(archive: Archive) -> None:
    with psycopg.connect(archive.member) as conn:
        assert conn.execute("SELECT count(*) FROM reports_latest").fetchone() == (1,)
        assert conn.execute("SELECT count(*) FROM report_history").fetchone() == (1,)
        assert conn.execute('SELECT count(*) FROM "fetch"').fetchone() == (1,)


def test_tables_made_by_later_migrations_are_readable_too(archive: Archive) -> None:
    with psycopg.connect(archive.owner, autocommit=True) as conn:
        conn.execute("CREATE TABLE later_migration (id int)")
    with psycopg.connect(archive.member) as conn:
        assert conn.execute("SELECT count(*) FROM later_migration").fetchone() == (0,)


@pytest.mark.parametrize(
    "statement",
    [
        "INSERT INTO report (identity_key) VALUES ('forged|2023')",
        "UPDATE report_version SET title = 'changed'",
        'DELETE FROM "fetch"',
        "TRUNCATE sighting",
        "ALTER TABLE report ADD COLUMN note text",
        "DROP VIEW reports_latest",
        "CREATE TABLE public.mine (id int)",
        "CREATE VIEW public.mine AS SELECT 1",
        "CREATE SCHEMA mine",
    ],
)
def test_the_role_cannot_write(archive: Archive, statement: str) -> None:
    with (
        psycopg.connect(archive.member) as conn,
        pytest.raises(psycopg.errors.InsufficientPrivilege),
    ):
        conn.execute(statement)
