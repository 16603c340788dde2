"""Relevance first, floods cut (crawler/floods.py): one report beside a 10,000-link flood.

The portal's home page links a 法治政府建设 column holding one report, and a notices listing
of 10,000 report-like links (generated, not stored) that all answer 404. One real crawl at the
shipped page budget, without politeness delays: the report comes early, the flood is retired
after a run of errors, and the run ends by itself, each cut counted with its reason. Two more
crawls of it: one with the flood rule off, ended by the source's time budget, and one whose
robots.txt answers 503 (crawler/robots.py).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from archive.storage import db
from archive.storage.models import CrawlRun, Fetch, SkippedLink
from tests import crawl_process
from tests.faults.portal import GOOD_REPORT, fixture
from tests.services import fresh_postgres_database

pytestmark = pytest.mark.slow

FLOOD = 10_000
RETIRE_AFTER = 20  # the shipped FAZHI_RETIRE_AFTER
IN_FLIGHT = 16  # the shipped CONCURRENT_REQUESTS: what has passed the downloader's middlewares
REPORT_PATH = "/fzzfjs/202403/t20240313_88.html"
REPORT_TITLE = "厦门市思明区人民政府关于2023年法治政府建设情况的报告"
# The column answers this late: the flood's links are all queued before the report's link is.
COLUMN_DELAY = 1.0
TIME_BUDGET = 2  # seconds, for the run that relies on it alone


def _html(links: Iterator[tuple[str, str]]) -> bytes:
    items = "".join(f'<li><a href="{href}">{text}</a></li>' for href, text in links)
    return f"<html><head><meta charset='utf-8'></head><body><ul>{items}</ul></body></html>".encode()


def _pages() -> dict[str, bytes]:
    report, _ = fixture(GOOD_REPORT)
    return {
        "/": _html(iter([("/tzgg/", "法治建设"), ("/fzzfjs/", "法治政府建设")])),
        "/fzzfjs/": _html(iter([(REPORT_PATH, REPORT_TITLE)])),
        REPORT_PATH: report,
    }


def _flood() -> bytes:
    return _html(
        (f"/tzgg/{n}.html", f"第{n}区人民政府关于2023年度法治政府建设情况的报告")
        for n in range(FLOOD)
    )


class _Handler(BaseHTTPRequestHandler):
    server: _FloodPortal

    def do_GET(self) -> None:
        self.server.requested.append(self.path)
        if self.path == "/fzzfjs/":
            time.sleep(COLUMN_DELAY)
        body = _flood() if self.path == "/tzgg/" else self.server.pages.get(self.path)
        if self.path == "/robots.txt":
            self.send_response(self.server.robots_status)
        else:
            self.send_response(200 if body is not None else 404)
        body = body if body is not None else b"<h1>error</h1>"
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        pass


class _FloodPortal(ThreadingHTTPServer):
    def __init__(self, robots_status: int) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.robots_status = robots_status
        self.pages = _pages()
        self.requested: list[str] = []

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


@dataclass
class Flooded:
    requested: list[str]  # what the portal saw, in order
    fetched: list[str]  # the run's fetch rows' URLs, by id
    errors: list[str | None]  # and their errors
    stats: dict[str, Any]
    log: str
    skipped: dict[str, int]  # the run's skip audit: links left, by reason


@pytest.fixture(
    scope="module", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]
)
def flooded(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, token: str
) -> Iterator[Flooded]:
    """The hostile portal crawled into each backend's archive."""
    if request.param == "sqlite":
        yield from _crawl(tmp_path_factory, robots_status=404, settings={})
        return
    with fresh_postgres_database(f"{token}_flood") as url:
        yield from _crawl(tmp_path_factory, robots_status=404, settings={}, database=url)


@pytest.fixture(scope="module")
def robots_unavailable(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flooded]:
    yield from _crawl(tmp_path_factory, robots_status=503, settings={})


@pytest.fixture(scope="module")
def out_of_time(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flooded]:
    """The flood never retired: only the source's time budget ends the run early."""
    budget = {"FAZHI_RETIRE_AFTER": "0", "FAZHI_SOURCE_TIME_BUDGET": str(TIME_BUDGET)}
    yield from _crawl(tmp_path_factory, robots_status=404, settings=budget)


def _crawl(
    factory: pytest.TempPathFactory,
    robots_status: int,
    settings: dict[str, str],
    database: str | None = None,
) -> Iterator[Flooded]:
    """Crawl the portal, its robots.txt answering ROBOTS_STATUS, with the shipped budgets but
    for SETTINGS, into DATABASE (a SQLite file of its own by default)."""
    data: Path = factory.mktemp("flood")
    database = database or f"sqlite:///{data}/archive.sqlite3"
    portal = _FloodPortal(robots_status)
    thread = threading.Thread(target=portal.serve_forever, daemon=True)
    thread.start()
    try:
        entry = {
            "slug": "flood",
            "name": "洪水门户",
            "home_url": portal.base + "/",
            "domains": [portal.base.removeprefix("http://")],
            "render": "static",
        }
        registry = crawl_process.write_registry([entry], data / "flood.yaml")
        command = crawl_process.crawl_command(
            registry,
            database,
            *("--source", "flood"),
            settings=crawl_process.FAST | settings,
        )
        run = crawl_process.run_crawl(command, crawl_process.crawl_env(data), timeout=120)
        assert run.returncode == 0, run.stderr[-3000:]
        rows, left, stats = _read(database)
        yield Flooded(
            [p for p in portal.requested if p != "/robots.txt"],
            [url.removeprefix(portal.base) for url, _ in rows],
            [error for _, error in rows],
            stats,
            crawl_process.crawl_log(run),
            left,
        )
    finally:
        portal.shutdown()
        portal.server_close()
        thread.join()


def _read(url: str) -> tuple[list[Any], dict[str, int], dict[str, Any]]:
    """The run's fetch rows (url, error), its skip audit by reason, and its Scrapy stats."""
    engine = db.make_engine(url)
    try:
        with engine.connect() as conn:
            rows = list(conn.execute(select(Fetch.url, Fetch.error).order_by(Fetch.id)))
            reasons = select(SkippedLink.reason, func.count()).group_by(SkippedLink.reason)
            left = {reason: int(n) for reason, n in conn.execute(reasons)}
            newest = select(CrawlRun.stats).order_by(CrawlRun.id.desc()).limit(1)
            stats = conn.execute(newest).scalar_one()
    finally:
        engine.dispose()
    return rows, left, stats


def _flood_requested(flooded: Flooded) -> list[str]:
    return [p for p in flooded.requested if p.startswith("/tzgg/") and p != "/tzgg/"]


def test_the_report_is_archived_among_the_first_requests(flooded: Flooded) -> None:
    # the run of errors that retires the flood, what was on its way then, and a few pages
    first = RETIRE_AFTER + IN_FLIGHT + 10
    assert REPORT_PATH in flooded.requested[:first], flooded.requested
    assert REPORT_PATH in flooded.fetched[:first], flooded.fetched


def test_the_flood_is_retired_after_a_run_of_errors(flooded: Flooded) -> None:
    assert RETIRE_AFTER <= len(_flood_requested(flooded)) <= RETIRE_AFTER + IN_FLIGHT
    assert len(flooded.requested) < 100  # the run ended by itself, far short of 10,000


def test_each_cut_is_counted_with_its_reason(flooded: Flooded) -> None:
    stats = flooded.stats
    assert stats["fazhi/retired/patterns"] == 1
    # and each link cut is in the skip audit (`fazhi runs show N --skipped`) with its reason
    assert flooded.skipped["error-run"] == stats["fazhi/retired/error-run"]
    assert flooded.skipped.get("page-budget", 0) == stats.get("fazhi/budget_cut", 0)
    cut = stats["fazhi/retired/error-run"] + stats.get("fazhi/budget_cut", 0)
    assert cut >= FLOOD - len(_flood_requested(flooded))


def test_a_robots_txt_answering_5xx_skips_the_host_for_the_run(
    robots_unavailable: Flooded,
) -> None:
    """RFC 9309 §2.3.1.4: a server error on robots.txt means disallow all (crawler/robots.py)."""
    assert robots_unavailable.requested == []  # nothing but robots.txt
    assert robots_unavailable.stats["fazhi/robots/unavailable"] == 1
    assert robots_unavailable.stats["fazhi/robots/skipped"] >= 1
    assert robots_unavailable.skipped["robots"] == robots_unavailable.stats["fazhi/robots/skipped"]
    # every request the spider made is a fetch row with the reason
    assert robots_unavailable.errors
    assert all("robots.txt answered 503" in (e or "") for e in robots_unavailable.errors)
    assert robots_unavailable.log.count("answered 503: the host is skipped for this run") == 1


def test_the_time_budget_ends_a_source_with_its_reason(out_of_time: Flooded) -> None:
    stats = out_of_time.stats
    assert "fazhi/retired/patterns" not in stats  # the flood was never retired
    assert stats["fazhi/retired/time-budget"] > 0
    assert out_of_time.skipped["time-budget"] == stats["fazhi/retired/time-budget"]
    made = sum(v for k, v in stats.items() if k.startswith("fazhi/request/"))
    assert len(out_of_time.requested) < made  # queued requests were dropped, not made
    assert out_of_time.log.count(f"time budget of {TIME_BUDGET} s spent for flood") == 1
