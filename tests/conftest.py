"""Session fixtures for real services; see tests/services.py for the policy."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from sqlalchemy import Engine

from tests.services import (
    RedisTarget,
    fresh_postgres_database,
    redis_namespace,
    run_token,
    unavailable,
)

if TYPE_CHECKING:
    from fastapi.testclient import TestClient

    from tests.reading_archive import Built
    from tests.replica.tree import Tree
    from tests.replica_crawl import Crawled
    from tests.tree_flow import Flow


@pytest.fixture(scope="session")
def token() -> str:
    return run_token()


@pytest.fixture(scope="session")
def postgres_url(token: str) -> Iterator[str]:
    with fresh_postgres_database(token) as url:
        yield url


@pytest.fixture(scope="session")
def redis_target(token: str) -> Iterator[RedisTarget]:
    with redis_namespace(token) as target:
        yield target


@pytest.fixture(scope="session")
def chromium() -> str:
    from archive.config import Settings
    from crawler.browser import BrowserNotFound, resolve

    try:
        return resolve(Settings.from_env()).path
    except BrowserNotFound as exc:
        unavailable("Chromium", str(exc))


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """An empty database on each backend; PostgreSQL gets the session's database."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path}/archive.sqlite3"
    url: str = request.getfixturevalue("postgres_url")
    _reset_postgres(url)
    return url


def _reset_postgres(url: str) -> None:
    """Empty the session database so each test starts from nothing."""
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("DROP SCHEMA public CASCADE")
        conn.execute("CREATE SCHEMA public")


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    """An engine on `database_url`, migrated to head."""
    from archive.storage import db

    db.upgrade(database_url)
    engine = db.make_engine(database_url)
    yield engine
    engine.dispose()


@pytest.fixture(
    scope="session", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]
)
def reading_archive(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, token: str
) -> Iterator[Built]:
    """tests/reading_archive.py's small archive, built once a session on each backend."""
    from tests.reading_archive import build

    data = tmp_path_factory.mktemp(f"reading-{request.param}")
    if request.param == "sqlite":
        yield build(f"sqlite:///{data}/archive.sqlite3", data)
        return
    with fresh_postgres_database(f"{token}_reading") as url:
        yield build(url, data)


@pytest.fixture(scope="session")
def reading_client(reading_archive: Built) -> Iterator[TestClient]:
    """The reading room over `reading_archive`, called in-process."""
    from fastapi.testclient import TestClient

    from reading_room.app import create_app

    app = create_app(reading_archive.url, reading_archive.data_dir)
    with TestClient(app) as client:
        yield client
    app.state.engine.dispose()


@pytest.fixture(scope="session")
def replica_crawl(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Crawled]:
    """The replica crawled in its two phases, once a session (tests/replica_crawl.py)."""
    from tests.replica_crawl import crawled_replica

    with crawled_replica(tmp_path_factory.mktemp("e2e")) as crawled:
        yield crawled


@pytest.fixture(scope="session")
def province_tree() -> Iterator[Tree]:
    """The province tree (tests/replica/tree.py), served once a session: it has no phases,
    so every test that discovers or crawls it shares this one."""
    from tests.replica.tree import start_tree

    with start_tree() as tree:
        yield tree


@pytest.fixture(
    scope="session", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]
)
def tree_flow(
    request: pytest.FixtureRequest,
    province_tree: Tree,
    tmp_path_factory: pytest.TempPathFactory,
    token: str,
) -> Iterator[Flow]:
    """The operator's discover → crawl → coverage on the tree (tests/tree_flow.py), once a
    session on each backend."""
    from tests.tree_flow import operator_flow

    data = tmp_path_factory.mktemp(f"tree-{request.param}")
    if request.param == "sqlite":
        yield operator_flow(province_tree, data, f"sqlite:///{data}/archive.sqlite3")
        return
    with fresh_postgres_database(f"{token}_tree") as url:
        yield operator_flow(province_tree, data, url)
