"""Run `fazhi crawl` on the hostile portal in a child process (Scrapy's reactor starts once)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import yaml

from tests.faults.portal import Portal

ROOT = Path(__file__).resolve().parents[2]
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
    registry = data / "hostile.yaml"
    registry.write_text(yaml.safe_dump([portal.registry_entry()], allow_unicode=True), "utf-8")
    env = {k: v for k, v in os.environ.items() if k != "FAZHI_ALLOW_PRIVATE"}
    env["FAZHI_DATA_DIR"] = str(data)
    if allow_private:
        env["FAZHI_ALLOW_PRIVATE"] = "1"
    settings = [arg for name, value in SETTINGS.items() for arg in ("--set", f"{name}={value}")]
    return subprocess.run(
        [sys.executable, "-m", "fazhi", "crawl", "--source", "hostile",
         "--registry", str(registry), "--db", f"sqlite:///{data}/archive.sqlite3",
         "--max-pages", str(MAX_PAGES), *settings],
        env=env, cwd=ROOT, capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
