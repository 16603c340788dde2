"""Settings of the whole product, read from ``FAZHI_*`` environment variables.

This is the one place that reads the environment: the CLI, the Scrapy settings
and the scheduler all take a :class:`Settings`, so a deployment is configured
by environment alone and a test by passing values.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

PREFIX = "FAZHI_"

#: name → (default, description); the README's configuration table mirrors this.
DOCUMENTED: dict[str, tuple[str, str]] = {
    "FAZHI_DATABASE_URL": (
        "sqlite:///<FAZHI_DATA_DIR>/archive.sqlite3",
        "SQLAlchemy URL of the archive (SQLite file or postgresql://…)",
    ),
    "FAZHI_DATA_DIR": ("./data", "WARC files, spool, logs and the default SQLite file"),
    "FAZHI_REDIS_URL": ("unset", "Redis frontier for several workers; unset = one machine"),
    "FAZHI_ALLOW_PRIVATE": (
        "0",
        "1 lets crawls reach loopback and private addresses (the tests' replica, `make demo`)",
    ),
    "FAZHI_BROWSER": (
        "Playwright's Chromium if installed, else /usr/bin/chromium",
        "path to the Chromium used for JavaScript pages",
    ),
}


@dataclass(frozen=True)
class Settings:
    """Resolved configuration; build it with :meth:`from_env`."""

    database_url: str
    data_dir: Path
    redis_url: str | None
    browser: str | None
    allow_private: bool = False

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if environ is None else environ
        unknown = sorted(k for k in env if k.startswith(PREFIX) and k not in _KNOWN)
        if unknown:
            raise ValueError(f"unknown setting(s): {', '.join(unknown)}")
        data_dir = Path(env.get("FAZHI_DATA_DIR") or "data")
        database_url = env.get("FAZHI_DATABASE_URL") or f"sqlite:///{data_dir}/archive.sqlite3"
        return cls(
            database_url=normalize_database_url(database_url),
            data_dir=data_dir,
            redis_url=env.get("FAZHI_REDIS_URL") or None,
            browser=env.get("FAZHI_BROWSER") or None,
            allow_private=env.get("FAZHI_ALLOW_PRIVATE", "0").strip().lower()
            in ("1", "true", "yes"),
        )

    @property
    def warc_dir(self) -> Path:
        return self.data_dir / "warc"

    @property
    def spool_dir(self) -> Path:
        return self.data_dir / "spool"

    @property
    def log_dir(self) -> Path:
        return self.data_dir / "logs"


def normalize_database_url(url: str) -> str:
    """Pin PostgreSQL URLs to psycopg 3, the driver we install.

    Operators write ``postgresql://…`` as every other tool expects; SQLAlchemy
    would pick psycopg2 for that, which we do not ship.
    """
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


# Settings only the test-suite reads; documented in the README too.
_EXTRA = ("FAZHI_TEST_POSTGRES_URL", "FAZHI_TEST_REDIS_URL")
_KNOWN = frozenset(DOCUMENTED) | frozenset(_EXTRA)
