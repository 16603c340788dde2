"""One crawl of the hostile portal, shared by the hostile-page and scope tests."""

from __future__ import annotations

import json
import sqlite3
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from tests.faults.crawl import crawl
from tests.faults.portal import Portal, start_portal


@dataclass
class Crawled:
    portal: Portal
    db: sqlite3.Connection
    run: subprocess.CompletedProcess
    stats: dict[str, Any]  # crawl_run.stats: Scrapy's, as the run stored them


@pytest.fixture(scope="session")
def hostile_crawl(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Crawled]:
    data = tmp_path_factory.mktemp("hostile")
    with start_portal() as portal:
        run = crawl(portal, data, allow_private=True)
        db = sqlite3.connect(data / "archive.sqlite3")
        rows = db.execute("SELECT stats FROM crawl_run").fetchall()
        yield Crawled(portal, db, run, json.loads(rows[0][0]) if rows else {})
        db.close()
