"""Settings of the whole product, read from ``FAZHI_*`` environment variables.

This is the one place that reads the environment: the CLI, the Scrapy settings
and the scheduler all take a :class:`Settings`, so a deployment is configured
by environment alone and a test by passing values.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from archive.runs.schedule_policy import Night, Policy

PREFIX = "FAZHI_"
PROJECT_URL = "https://github.com/fazhi-archive/fazhi-archive"

#: name → (default, description); docs/configuration.md's table mirrors this.
DOCUMENTED: dict[str, tuple[str, str]] = {
    "FAZHI_DATABASE_URL": (
        "sqlite:///<FAZHI_DATA_DIR>/archive.sqlite3",
        "SQLAlchemy URL of the archive (SQLite file or postgresql://…)",
    ),
    "FAZHI_DATA_DIR": ("./data", "WARC files, spool, logs and the default SQLite file"),
    "FAZHI_REDIS_URL": ("unset", "Redis frontier for several workers; unset = one machine"),
    "FAZHI_REDIS_PREFIX": (
        "fazhi:",
        "prefix of every Redis key of the frontier (two deployments can share one Redis)",
    ),
    "FAZHI_ALLOW_PRIVATE": (
        "0",
        "1 lets crawls reach loopback and private addresses (the tests' replica, `make demo`)",
    ),
    "FAZHI_BROWSER": (
        "Playwright's Chromium if installed, else /usr/bin/chromium",
        "path to the Chromium used for JavaScript pages",
    ),
    "FAZHI_CONTACT": (
        PROJECT_URL,
        "URL or mailto: in the crawler's User-Agent, where a portal's webmaster reaches you",
    ),
    "FAZHI_SCHEDULE_TIMEZONE": ("Asia/Shanghai", "time zone of every schedule time"),
    "FAZHI_SCHEDULE_WINDOW": (
        "01-01/04-30",
        "publication window MM-DD/MM-DD: each source crawled nightly",
    ),
    "FAZHI_SCHEDULE_LATE_UNTIL": ("06-30", "after the window, weekly crawls until this day"),
    "FAZHI_SCHEDULE_NIGHT": ("01:00-06:00", "hours over which scheduled crawls are spread"),
    "FAZHI_SCHEDULE_CRAWL_TIMEOUT": (
        "14400",
        "seconds a scheduled crawl may run before it is stopped and marked failed",
    ),
    "FAZHI_SCHEDULE_MISFIRE_GRACE": (
        "2678400",
        "seconds a due crawl may be late (machine down) and still run; 31 days",
    ),
    "FAZHI_SCHEDULE_WORKERS": ("4", "crawls the scheduler runs at once (one process each)"),
}


@dataclass(frozen=True)
class Settings:
    """Resolved configuration; build it with :meth:`from_env`."""

    database_url: str
    data_dir: Path
    redis_url: str | None
    browser: str | None
    allow_private: bool = False
    schedule: Policy = field(default_factory=Policy)
    # A crawl still running after this long is stopped (a trap the budgets missed).
    schedule_crawl_timeout: int = 4 * 3600
    # Longer than the longest interval (monthly): a restart after any shorter outage still runs
    # the last due crawl of each source instead of dropping it.
    schedule_misfire_grace: int = 31 * 24 * 3600
    schedule_workers: int = 4
    redis_prefix: str = "fazhi:"
    contact: str = PROJECT_URL

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
            redis_prefix=env.get("FAZHI_REDIS_PREFIX") or "fazhi:",
            browser=env.get("FAZHI_BROWSER") or None,
            contact=env.get("FAZHI_CONTACT") or PROJECT_URL,
            allow_private=env.get("FAZHI_ALLOW_PRIVATE", "0").strip().lower()
            in ("1", "true", "yes"),
            schedule=_schedule_policy(env),
            **{
                name: _positive_int(env, f"FAZHI_{name.upper()}", getattr(cls, name))
                for name in (
                    "schedule_crawl_timeout",
                    "schedule_misfire_grace",
                    "schedule_workers",
                )
            },
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

    def crawl_log(self, label: str, started: dt.datetime) -> Path:
        """The log file of a crawl started at STARTED (UTC); LABEL says what it crawls."""
        return self.log_dir / "crawls" / f"{label}-{started:%Y%m%dT%H%M%S%fZ}.log"


def _schedule_policy(env: Mapping[str, str]) -> Policy:
    """The global schedule policy; a source's registry entry may move its window."""
    night = env.get("FAZHI_SCHEDULE_NIGHT")
    policy = Policy(
        timezone=env.get("FAZHI_SCHEDULE_TIMEZONE") or Policy.timezone,
        night=Night.parse(night) if night else Policy.night,
    )
    return policy.with_window(
        env.get("FAZHI_SCHEDULE_WINDOW") or None, env.get("FAZHI_SCHEDULE_LATE_UNTIL") or None
    )


def _positive_int(env: Mapping[str, str], name: str, default: int) -> int:
    text = env.get(name)
    if not text:
        return default
    if not text.strip().isdigit() or int(text) <= 0:
        raise ValueError(f"{name} wants a whole number above 0, got {text!r}")
    return int(text)


def normalize_database_url(url: str) -> str:
    """Pin PostgreSQL URLs to psycopg 3, the driver we install.

    Operators write ``postgresql://…`` as every other tool expects; SQLAlchemy
    would pick psycopg2 for that, which we do not ship.
    """
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


# Settings only the test-suite reads; documented in docs/configuration.md too.
_EXTRA = ("FAZHI_TEST_POSTGRES_URL", "FAZHI_TEST_REDIS_URL")
_KNOWN = frozenset(DOCUMENTED) | frozenset(_EXTRA)
