"""`fazhi crawl` in a child process, against a registry file the test writes.

Scrapy's reactor starts once per process, so every test that crawls does it in a child;
this is the one place that knows how that child is started.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import sqlite3
import subprocess
import sys
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
# Politeness off: the portals are the tests' own, on 127.0.0.1.
FAST = {"DOWNLOAD_DELAY": "0", "AUTOTHROTTLE_ENABLED": "0", "CONCURRENT_REQUESTS_PER_DOMAIN": "8"}


def write_registry(entries: Iterable[Mapping[str, Any]], path: Path) -> Path:
    path.write_text(yaml.safe_dump(list(entries), allow_unicode=True), encoding="utf-8")
    return path


def crawl_command(
    registry: Path, database: str, *args: str, settings: Mapping[str, str] = FAST
) -> list[str]:
    """`fazhi crawl --registry REGISTRY --db DATABASE ARGS`, with SETTINGS."""
    return [sys.executable, "-m", "fazhi", "crawl", "--registry", str(registry),
            "--db", database, *args, *overrides(settings)]  # fmt: skip


def overrides(settings: Mapping[str, str]) -> list[str]:
    """SETTINGS as `fazhi crawl` and `fazhi worker` take them: ``--set NAME=VALUE`` each."""
    return [arg for name, value in settings.items() for arg in ("--set", f"{name}={value}")]


def crawl_env(data: Path, *, allow_private: bool = True, **extra: str) -> dict[str, str]:
    """This environment with DATA as FAZHI_DATA_DIR; the tests' portals are private addresses."""
    env = {k: v for k, v in os.environ.items() if k != "FAZHI_ALLOW_PRIVATE"}
    if allow_private:
        env["FAZHI_ALLOW_PRIVATE"] = "1"
    return {**env, "FAZHI_DATA_DIR": str(data), **extra}


def run_crawl(
    command: list[str], env: Mapping[str, str], timeout: float = 300
) -> subprocess.CompletedProcess:
    """Run COMMAND to its end from the project's root, its output captured."""
    return subprocess.run(
        command, env=env, cwd=ROOT, capture_output=True, text=True, timeout=timeout, check=False
    )


def start_crawl(command: list[str], env: Mapping[str, str]) -> subprocess.Popen:
    """Start COMMAND from the project's root, its output piped, for a test to act on mid-run."""
    return subprocess.Popen(
        command, env=env, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )


def crawl_log(run: subprocess.CompletedProcess) -> str:
    """The log file a `fazhi crawl` names in its closing summary (``log: PATH``), read."""
    named = re.search(r"^log: (.+?)(?: \(.*\))?$", run.stdout, re.MULTILINE)
    assert named, f"no log named in: {run.stdout}{run.stderr[-3000:]}"
    return (ROOT / named[1]).read_text(encoding="utf-8")


def last_run_stats(database: Path) -> dict[str, Any]:
    """The Scrapy stats the newest crawl run of the SQLite archive DATABASE recorded."""
    with contextlib.closing(sqlite3.connect(database)) as db:
        (stats,) = db.execute("SELECT stats FROM crawl_run ORDER BY id DESC LIMIT 1").fetchone()
    return json.loads(stats)
