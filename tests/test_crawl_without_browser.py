"""A machine without Chromium still crawls: only the pages that need rendering fail."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import yaml

from tests.replica.server import start_replica

ROOT = Path(__file__).resolve().parent.parent


def test_missing_browser_fails_only_rendered_pages(tmp_path: Path) -> None:
    with start_replica() as replica:
        registry = tmp_path / "replica.yaml"
        entries = [e for e in replica.registry_entries() if e["slug"] == "sg-sfj"]
        registry.write_text(yaml.safe_dump(entries, allow_unicode=True), encoding="utf-8")
        env = {
            **os.environ,
            "FAZHI_ALLOW_PRIVATE": "1",
            "FAZHI_DATA_DIR": str(tmp_path),
            "FAZHI_BROWSER": str(tmp_path / "no-such-chromium"),
        }
        run = subprocess.run(
            [sys.executable, "-m", "fazhi", "crawl", "--source", "sg-sfj",
             "--registry", str(registry), "--db", f"sqlite:///{tmp_path}/a.sqlite3",
             "-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=0"],
            env=env, cwd=ROOT, capture_output=True, text=True, timeout=300, check=False,
        )  # fmt: skip
    assert "pages that need rendering will fail" in run.stderr
    with sqlite3.connect(tmp_path / "a.sqlite3") as db:
        fetched = db.execute("SELECT count(*) FROM fetch WHERE status = 200").fetchone()[0]
        refused = db.execute("SELECT url, error FROM fetch WHERE status IS NULL").fetchall()
    assert fetched >= 1, run.stderr[-3000:]
    assert refused, run.stderr[-3000:]
    assert all("FAZHI_BROWSER" in error and "is not an executable" in error for _, error in refused)
