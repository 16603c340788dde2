"""The archive opened for reading only, whatever the URL allows.

Read-only by construction rather than by care: a SQLite file is opened with ``mode=ro`` (the
library refuses every write) and ``query_only``; a PostgreSQL session's transactions are read
only (``default_transaction_read_only``), and the app works under the consumer role of
docs/readonly-role.sql, which may not write at all. The engine is not
:func:`archive.storage.db.make_engine`'s: that one creates the SQLite file's directory and
switches the journal to WAL, both writes.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.engine.interfaces import DBAPIConnection
from sqlalchemy.orm import Session
from sqlalchemy.pool import ConnectionPoolEntry

from archive.config import normalize_database_url
from archive.errors import ArchiveError

#: Connections kept for the request threads: uvicorn serves 40 requests at once (AnyIO's
#: thread limiter), and a request holds one connection while it runs.
POOL_SIZE = 20
POOL_OVERFLOW = 20


class ArchiveUnavailable(ArchiveError):
    """The archive cannot be opened for reading (no such SQLite file, an in-memory URL)."""


def read_only_engine(url: str) -> Engine:
    """An engine on URL that cannot write (see the module doc)."""
    url = normalize_database_url(url)
    parsed = make_url(url)
    pool = {"pool_size": POOL_SIZE, "max_overflow": POOL_OVERFLOW}
    if parsed.get_backend_name() != "sqlite":
        return create_engine(
            url,
            pool_pre_ping=True,
            connect_args={"options": "-c default_transaction_read_only=on"},
            **pool,
        )
    if not parsed.database or parsed.database == ":memory:":
        raise ArchiveUnavailable("the reading room needs an archive file, not an in-memory one")
    path = Path(parsed.database).resolve()
    if not path.is_file():
        raise ArchiveUnavailable(f"no archive at {path}: run `fazhi db upgrade` and a crawl first")
    engine = create_engine(
        f"sqlite+pysqlite:///file:{path}?mode=ro&uri=true",
        connect_args={"timeout": 30, "check_same_thread": False},
        **pool,
    )
    event.listen(engine, "connect", _query_only)
    return engine


def _query_only(dbapi_connection: DBAPIConnection, _record: ConnectionPoolEntry) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA query_only=ON")
    cursor.close()


@contextmanager
def reading(engine: Engine) -> Iterator[Session]:
    """A session whose objects stay readable after it ends (templates render them later)."""
    with Session(engine, expire_on_commit=False, autoflush=False) as session:
        yield session
        session.rollback()
