"""Real services for the tests: PostgreSQL, Redis, Chromium and a local web server.

In CI (``CI=true``) a missing service FAILS the test: a green run must mean
the PostgreSQL and Redis paths really ran. On a developer's machine the test
is skipped with a message saying what to start.
"""

from __future__ import annotations

import functools
import http.server
import os
import secrets
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import NoReturn, TypeVar

import pytest

POSTGRES_ADMIN_URL = os.environ.get(
    "FAZHI_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
)
REDIS_URL = os.environ.get("FAZHI_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


def in_ci() -> bool:
    return os.environ.get("CI", "").lower() == "true"


def unavailable(what: str, how: str) -> NoReturn:
    """Fail in CI, skip elsewhere, always saying what to start."""
    message = f"{what} is not available: {how}"
    if in_ci():
        pytest.fail(message, pytrace=False)
    pytest.skip(message)


def run_token() -> str:
    """Unique per test session, so two runs on one server never collide."""
    return f"{os.getpid()}_{secrets.token_hex(4)}"


@contextmanager
def fresh_postgres_database(token: str) -> Iterator[str]:
    """Create a database on the real server; drop it afterwards."""
    import psycopg

    name = f"fazhi_test_{token}"
    try:
        admin = psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True, connect_timeout=5)
    except psycopg.OperationalError as exc:
        unavailable("PostgreSQL", f"start it or set FAZHI_TEST_POSTGRES_URL ({exc})")
    with admin:
        admin.execute(f'CREATE DATABASE "{name}"')
        try:
            base = POSTGRES_ADMIN_URL.rsplit("/", 1)[0]
            yield f"{base}/{name}"
        finally:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@dataclass(frozen=True)
class RedisTarget:
    url: str
    prefix: str  # every key a test writes starts with this


@contextmanager
def redis_namespace(token: str) -> Iterator[RedisTarget]:
    import redis

    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=5)
    try:
        client.ping()
    except redis.ConnectionError as exc:
        unavailable("Redis", f"start it or set FAZHI_TEST_REDIS_URL ({exc})")
    prefix = f"fazhi-test:{token}:"
    try:
        yield RedisTarget(REDIS_URL, prefix)
    finally:
        for key in client.scan_iter(match=prefix + "*"):
            client.delete(key)
        client.close()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


Server = TypeVar("Server", bound=http.server.HTTPServer)


@contextmanager
def serving(server: Server) -> Iterator[Server]:
    """SERVER answering from a thread of its own until the block ends."""
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


@contextmanager
def serve_directory(root: Path) -> Iterator[str]:
    """Serve ROOT on 127.0.0.1 on a free port; yields the base URL."""
    handler = functools.partial(_QuietHandler, directory=str(root))
    with serving(http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)) as server:
        yield f"http://127.0.0.1:{server.server_address[1]}"


def wait_until(condition: Callable[[], bool], what: str, timeout: float = 60) -> None:
    """Poll CONDITION until it holds; a test that waits too long says what it waited for."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)
