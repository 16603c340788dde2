"""Run `fazhi crawl` on the hostile portal in a child process (Scrapy's reactor starts once)."""

from __future__ import annotations

import subprocess
from pathlib import Path

from tests.crawl_process import crawl_command, crawl_env, run_crawl, write_registry
from tests.faults.portal import Portal

MAX_PAGES = 80  # the cases, then part of the 10,000-link column: the budget must hold
# Fast and small: no politeness delay, a 4 s timeout, one retry. DOWNLOAD_MAXSIZE is left
# at the shipped 50 MiB, so the size cases run against the real cap.
SETTINGS = {
    "DOWNLOAD_DELAY": "0",
    "AUTOTHROTTLE_ENABLED": "0",
    "CONCURRENT_REQUESTS_PER_DOMAIN": "8",
    "DOWNLOAD_TIMEOUT": "4",  # the timeout case; ample for a 60 MiB answer on a busy machine
    "RETRY_TIMES": "1",
}


def crawl(portal: Portal, data: Path, *, allow_private: bool) -> subprocess.CompletedProcess:
    """Crawl the portal's registry entry into DATA's SQLite archive."""
    registry = write_registry([portal.registry_entry()], data / "hostile.yaml")
    command = crawl_command(
        registry, f"sqlite:///{data}/archive.sqlite3",
        "--source", "hostile", "--max-pages", str(MAX_PAGES), settings=SETTINGS,
    )  # fmt: skip
    return run_crawl(command, crawl_env(data, allow_private=allow_private))
