"""Rendered pages share browser tabs: a tab renders FAZHI_TAB_RENDERS pages, then is closed;
a browser context renders FAZHI_CONTEXT_RENDERS pages, then is closed for a new one."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.crawl_process import (
    FAST,
    crawl_command,
    crawl_env,
    last_run_stats,
    run_crawl,
    write_registry,
)
from tests.replica.server import start_replica

pytestmark = pytest.mark.slow

TAB_RENDERS = 3  # small, so that tabs are used up and closed within a short crawl
TABS = 4  # PLAYWRIGHT_MAX_PAGES_PER_CONTEXT: tabs open at once
CONTEXT_RENDERS = 5  # small, so that a short crawl goes through several contexts


def test_a_browser_crawl_reuses_tabs_and_contexts_and_closes_each_after_its_renders(
    tmp_path: Path, chromium: str
) -> None:
    with start_replica() as replica:
        entries = [{**e, "render": "browser"} for e in replica.registry_entries()]
        registry = write_registry(entries, tmp_path / "replica.yaml")
        settings = {
            **FAST,  # more renders asked for at once than there are tabs: none may wait forever
            "FAZHI_TAB_RENDERS": str(TAB_RENDERS),
            "FAZHI_CONTEXT_RENDERS": str(CONTEXT_RENDERS),
        }
        database = tmp_path / "a.sqlite3"
        command = crawl_command(
            registry, f"sqlite:///{database}", "--all", "--max-pages", "12", settings=settings
        )
        run = run_crawl(command, crawl_env(tmp_path))
    assert run.returncode == 0, run.stderr[-3000:]
    stats = last_run_stats(database)
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
