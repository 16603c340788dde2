"""A machine without Chromium still crawls: only the pages that need rendering fail."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from tests.crawl_process import crawl_command, crawl_env, crawl_log, run_crawl, write_registry
from tests.replica.server import start_replica

pytestmark = pytest.mark.slow


def test_missing_browser_fails_only_rendered_pages(tmp_path: Path) -> None:
    with start_replica() as replica:
        entries = [e for e in replica.registry_entries() if e["slug"] == "sg-sfj"]
        registry = write_registry(entries, tmp_path / "replica.yaml")
        command = crawl_command(registry, f"sqlite:///{tmp_path}/a.sqlite3", "--source", "sg-sfj")
        env = crawl_env(tmp_path, FAZHI_BROWSER=str(tmp_path / "no-such-chromium"))
        run = run_crawl(command, env)
    assert "pages that need rendering will fail" in crawl_log(run)
    with sqlite3.connect(tmp_path / "a.sqlite3") as db:
        fetched = db.execute("SELECT count(*) FROM fetch WHERE status = 200").fetchone()[0]
        refused = db.execute("SELECT url, error FROM fetch WHERE status IS NULL").fetchall()
    assert fetched >= 1, run.stderr[-3000:]
    assert refused, run.stderr[-3000:]
    assert all("FAZHI_BROWSER" in error and "is not an executable" in error for _, error in refused)
