"""The reading room cannot write: SQLite opened read-only, PostgreSQL in read-only transactions
and under the consumer role of docs/readonly-role.sql, applied as written."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import psycopg
import pytest
from fastapi.testclient import TestClient
from psycopg.conninfo import conninfo_to_dict, make_conninfo
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from reading_room.app import create_app
from reading_room.database import ArchiveUnavailable, read_only_engine
from tests.reading_archive import Built, build
from tests.services import fresh_postgres_database

ROLE_SQL = Path(__file__).resolve().parent.parent / "docs" / "readonly-role.sql"
PAGES = ["/", "/coverage", "/feeds", "/feeds/reports.atom", "/feeds/versions.atom",
         "/api/v1/reports", "/api/v1/coverage", "/api/v1/export"]  # fmt: skip
WRITES = [
    "INSERT INTO report (identity_key) VALUES ('forged|2023')",
    "UPDATE report_version SET title = 'changed'",
    "DELETE FROM sighting",
    "CREATE TABLE mine (id int)",
]


def every_page(client: TestClient, built: Built) -> None:
    """Every kind of page and document of the archive answers 200."""
    paths = [
        *PAGES,
        f"/reports/{built.siming}", f"/reports/{built.siming}/v/1",
        f"/reports/{built.siming}/diff", f"/reports/{built.siming}/timemap",
        f"/reports/{built.siming}/v/2/capture", f"/api/v1/reports/{built.hefei}/versions/1",
        f"/reports/{built.hostile}", f"/reports/{built.long_title}",
    ]  # fmt: skip
    for path in paths:
        assert client.get(path).status_code == 200, path


def test_sqlite_is_opened_read_only_and_left_as_it_was(tmp_path: Path) -> None:
    built = build(f"sqlite:///{tmp_path}/archive.sqlite3", tmp_path)
    file = tmp_path / "archive.sqlite3"
    before = hashlib.sha256(file.read_bytes()).hexdigest()
    app = create_app(built.url, tmp_path)
    with TestClient(app) as client:
        every_page(client, built)
    engine = app.state.engine
    for statement in WRITES:
        with engine.connect() as conn, pytest.raises(DBAPIError, match=r"readonly|read-only"):
            conn.execute(text(statement))
    engine.dispose()
    assert hashlib.sha256(file.read_bytes()).hexdigest() == before


def test_a_missing_sqlite_file_is_not_created(tmp_path: Path) -> None:
    with pytest.raises(ArchiveUnavailable, match="no archive at"):
        read_only_engine(f"sqlite:///{tmp_path}/nothing/archive.sqlite3")
    assert not (tmp_path / "nothing").exists()


@dataclass(frozen=True)
class Reader:
    owner_url: str
    member_url: str
    member: str
    built: Built


@pytest.fixture(scope="module")
def reader(token: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Reader]:
    """A PostgreSQL archive with a login in docs/readonly-role.sql's role."""
    group, member = f"fazhi_reader_{token}", f"fazhi_web_{token}"
    with fresh_postgres_database(f"{token}_rr_role") as url:
        built = build(url, tmp_path_factory.mktemp("role"))
        owner = make_conninfo(url)
        with psycopg.connect(owner, autocommit=True) as conn:
            conn.execute(ROLE_SQL.read_text(encoding="utf-8").replace("fazhi_reader", group))
            conn.execute(f"CREATE ROLE {member} LOGIN IN ROLE {group}")
            try:
                parts = conninfo_to_dict(owner)
                yield Reader(
                    url,
                    f"postgresql://{member}@{parts['host']}:{parts.get('port', 5432)}/"
                    f"{parts['dbname']}",
                    member,
                    built,
                )
            finally:
                conn.execute(f"DROP OWNED BY {member}, {group}")
                conn.execute(f"DROP ROLE {member}")
                conn.execute(f"DROP ROLE {group}")


@pytest.mark.postgres
def test_postgresql_serves_under_the_read_only_role(reader: Reader) -> None:
    app = create_app(reader.member_url, reader.built.data_dir)
    with TestClient(app) as client:
        every_page(client, reader.built)
        with app.state.engine.connect() as conn:
            assert conn.execute(text("SELECT current_user")).scalar() == reader.member
            assert conn.execute(text("SHOW transaction_read_only")).scalar() == "on"
    app.state.engine.dispose()


@pytest.mark.postgres
@pytest.mark.parametrize("statement", WRITES)
def test_postgresql_refuses_every_write_twice_over(reader: Reader, statement: str) -> None:
    """As the member the role forbids it; even as the archive's owner, the app's transactions
    are read-only."""
    for url, refusal in ((reader.member_url, r"permission denied|read-only"),
                         (reader.owner_url, "read-only transaction")):  # fmt: skip
        engine = read_only_engine(url)
        with engine.connect() as conn, pytest.raises(DBAPIError, match=refusal):
            conn.execute(text(statement))
        engine.dispose()
