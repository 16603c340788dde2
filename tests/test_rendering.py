"""Rendered pages share browser tabs: a tab renders FAZHI_TAB_RENDERS pages, then is closed;
a browser context renders FAZHI_CONTEXT_RENDERS pages, then is closed for a new one."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import yaml

from tests.replica.server import start_replica

ROOT = Path(__file__).resolve().parent.parent
TAB_RENDERS = 3  # small, so that tabs are used up and closed within a short crawl
TABS = 4  # PLAYWRIGHT_MAX_PAGES_PER_CONTEXT: tabs open at once
CONTEXT_RENDERS = 5  # small, so that a short crawl goes through several contexts


def test_a_browser_crawl_reuses_tabs_and_contexts_and_closes_each_after_its_renders(
    tmp_path: Path, chromium: str
) -> None:
    with start_replica() as replica:
        registry = tmp_path / "replica.yaml"
        entries = [{**e, "render": "browser"} for e in replica.registry_entries()]
        registry.write_text(yaml.safe_dump(entries, allow_unicode=True), encoding="utf-8")
        env = {**os.environ, "FAZHI_ALLOW_PRIVATE": "1", "FAZHI_DATA_DIR": str(tmp_path)}
        run = subprocess.run(
            [sys.executable, "-m", "fazhi", "crawl", "--all", "--registry", str(registry),
             "--db", f"sqlite:///{tmp_path}/a.sqlite3", "--max-pages", "12",
             "-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=0",
             # more renders asked for at once than there are tabs: none may wait forever
             "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=8",
             "-s", f"FAZHI_TAB_RENDERS={TAB_RENDERS}",
             "-s", f"FAZHI_CONTEXT_RENDERS={CONTEXT_RENDERS}"],
            env=env, cwd=ROOT, capture_output=True, text=True, timeout=300, check=False,
        )  # fmt: skip
    assert run.returncode == 0, run.stderr[-3000:]
    with sqlite3.connect(tmp_path / "a.sqlite3") as db:
        (stats,) = db.execute("SELECT stats FROM crawl_run").fetchone()
    stats = json.loads(stats)
    rendered = stats["fazhi/render/pages"]
    opened = stats["playwright/page_count"]
    closed = stats.get("playwright/page_count/closed", 0)
    assert rendered >= 4 * TAB_RENDERS, stats  # enough renders to use tabs up
    assert opened < rendered  # tabs were reused
    # a tab still open at the end has served fewer than TAB_RENDERS pages
    assert closed * TAB_RENDERS >= rendered - TABS * (TAB_RENDERS - 1), stats
    assert opened <= closed + TABS
    contexts = stats["playwright/context_count"]
    assert contexts >= -(-rendered // CONTEXT_RENDERS), stats  # each served its share, no more
    # every context but the one in use at the end was closed as soon as its renders were done
    assert stats["fazhi/render/contexts_closed"] == contexts - 1, stats
    assert stats["playwright/context_count/max_concurrent"] <= 2, stats  # one retiring, one new
    assert stats["fazhi/verdict"] == "healthy"
