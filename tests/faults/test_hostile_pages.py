"""Hostile pages (docs/reliability.md): each is a fetch row with its reason, the crawl goes on,
and nothing malformed reaches the archive. One real crawl of `tests/faults/portal.py`."""

from __future__ import annotations

import json
import re
import sqlite3

import pytest
from scrapy.utils.project import get_project_settings

from archive.extract.page import MARKUP, TITLE_MAX
from tests.crawl_process import ROOT, crawl_log
from tests.faults.conftest import Crawled
from tests.faults.crawl import MAX_PAGES, SETTINGS
from tests.faults.portal import (
    CASES,
    GOOD_REPORT,
    GOOD_REPORT_PATH,
    LONG_TITLE,
    MANY_LINKS,
    NUL_TITLE,
    RETRY_AFTER,
    SQL_TITLE,
    Case,
    fixture,
)

pytestmark = pytest.mark.slow

# Characters no stored text may hold: C0 controls but tab and line feed, DEL.
CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def fetch_rows(crawled: Crawled, path: str) -> list[sqlite3.Row]:
    crawled.db.row_factory = sqlite3.Row
    return crawled.db.execute(
        "SELECT url, status, error FROM fetch WHERE url = ?", (crawled.portal.base + path,)
    ).fetchall()


def version_at(crawled: Crawled, path: str) -> sqlite3.Row:
    crawled.db.row_factory = sqlite3.Row
    [row] = crawled.db.execute(
        "SELECT v.* FROM report_version v JOIN sighting s ON s.version_id = v.id WHERE s.url = ?",
        (crawled.portal.base + path,),
    ).fetchall()
    return row


def test_the_crawl_goes_on_and_finishes_ok(hostile_crawl: Crawled) -> None:
    assert hostile_crawl.run.returncode == 0, hostile_crawl.run.stderr[-3000:]
    assert hostile_crawl.db.execute("SELECT status FROM crawl_run").fetchall() == [("ok",)]
    assert "Traceback" not in hostile_crawl.run.stderr + crawl_log(hostile_crawl.run)


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_each_fault_is_a_fetch_with_its_reason(hostile_crawl: Crawled, case: Case) -> None:
    rows = fetch_rows(hostile_crawl, case.path)
    assert len(rows) == 1, rows
    [row] = rows
    assert row["status"] == case.status, dict(row)
    if case.error is None:
        assert row["error"] is None, dict(row)
    else:
        assert row["error"] and re.search(case.error, row["error"]), dict(row)


def test_the_good_report_is_archived_whole(hostile_crawl: Crawled) -> None:
    _, expected = fixture(GOOD_REPORT)
    version = version_at(hostile_crawl, GOOD_REPORT_PATH)
    assert (version["title"], version["text"]) == (expected["title"], expected["text"])


@pytest.mark.parametrize(
    ("path", "title", "repair"),
    [
        ("/sql-title.html", SQL_TITLE, None),  # stored literally, nothing executed
        ("/html-title.html", "成都市市场监督管理局2023年法治政府建设年度报告", "title-markup"),
        ("/long-title.html", LONG_TITLE.replace("（", "(").replace("）", ")")[:TITLE_MAX],
         "title-truncated"),
        ("/nul.html", NUL_TITLE.replace("\x00", "").replace("\x07", ""), None),
    ],
    ids=["sql", "html", "long", "nul"],
)  # fmt: skip
def test_hostile_titles_are_stored_as_text(
    hostile_crawl: Crawled, path: str, title: str, repair: str | None
) -> None:
    version = version_at(hostile_crawl, path)
    assert version["title"] == title
    if repair:
        assert repair in json.loads(version["repairs"])


def test_sql_in_a_title_left_every_table_intact(hostile_crawl: Crawled) -> None:
    tables = {name for (name,) in hostile_crawl.db.execute("SELECT name FROM sqlite_master")}
    assert {"report", "report_version", "sighting", "fetch", "attachment"} <= tables
    reports = hostile_crawl.db.execute("SELECT count(*) FROM report").fetchone()[0]
    assert reports == hostile_crawl.db.execute("SELECT count(*) FROM report_version").fetchone()[0]


def test_nothing_malformed_in_the_archive(hostile_crawl: Crawled) -> None:
    rows = hostile_crawl.db.execute(
        "SELECT title, title_original, text, text_original, metadata FROM report_version"
    ).fetchall()
    assert len(rows) >= 8
    for title, title_original, text, text_original, metadata in rows:
        for field in (title, title_original):
            assert 0 < len(field) <= TITLE_MAX and not MARKUP.search(field), field[:80]
        for field in (title, title_original, text, text_original, metadata):
            assert not CONTROL.search(field), field[:80]
            field.encode("utf-8")  # no lone surrogates


@pytest.mark.parametrize("path", ["/wrong-charset.html", "/no-charset.html"])
def test_a_wrong_or_missing_charset_still_decodes(hostile_crawl: Crawled, path: str) -> None:
    _, expected = fixture("trs_wcm/zhuzhou_gov_2022_gbk")
    assert version_at(hostile_crawl, path)["text"] == expected["text"]


def test_invalid_utf8_bytes_become_replacement_characters_only(hostile_crawl: Crawled) -> None:
    _, expected = fixture("discuz/pingjiang_gov_2020_forum_portal")
    text = version_at(hostile_crawl, "/invalid-utf8.html")["text"]
    assert "\ufffd" in text
    assert text.replace("\ufffd", "") == expected["text"]


def test_malformed_markup_keeps_most_of_the_text(hostile_crawl: Crawled) -> None:
    _, expected = fixture("jpaas/nanchang_xihu_sfj_2023")
    text = version_at(hostile_crawl, "/malformed.html")["text"]
    assert expected["text"].split("\n")[-1] in text
    assert len(text) >= 0.8 * len(expected["text"])


def test_retries_wait_for_retry_after(hostile_crawl: Crawled) -> None:
    attempts = 1 + int(SETTINGS["RETRY_TIMES"])
    busy = hostile_crawl.portal.requests_to("portal", "/busy.html")
    assert len(busy) == attempts
    assert busy[1].at - busy[0].at >= RETRY_AFTER
    assert len(hostile_crawl.portal.requests_to("portal", "/error-500.html")) == attempts
    assert hostile_crawl.stats["fazhi/retry_after/waited"] >= 1


def test_robots_txt_answering_503_once_is_retried_then_read(hostile_crawl: Crawled) -> None:
    """A server error on robots.txt disallows the host (crawler/robots.py, RFC 9309), but only
    once the retries are spent: here the retry finds no rules, and the crawl goes on."""
    robots = hostile_crawl.portal.requests_to("portal", "/robots.txt")
    # read by Scrapy's robots.txt middleware (503, then its retry), then by the spider for its
    # Sitemap: lines
    assert len(robots) == 1 + int(SETTINGS["RETRY_TIMES"]) + 1
    assert hostile_crawl.stats["robotstxt/response_status_count/200"] == 1
    assert "fazhi/robots/unavailable" not in hostile_crawl.stats
    assert fetch_rows(hostile_crawl, GOOD_REPORT_PATH)


def test_ten_thousand_links_stay_within_the_page_budget(hostile_crawl: Crawled) -> None:
    stats = hostile_crawl.stats
    requested = sum(v for k, v in stats.items() if k.startswith("fazhi/request/"))
    assert requested == MAX_PAGES
    retired = stats.get("fazhi/retired/error-run", 0)  # their 404s retire them (crawler/floods.py)
    assert stats["fazhi/budget_cut"] + retired >= MANY_LINKS - MAX_PAGES
    many = [h for h in hostile_crawl.portal.hits if h.path.startswith("/many/")]
    assert 0 < len(many) < MAX_PAGES
    # what the server saw: the budgeted pages (robots.txt among them: the spider reads it for
    # its Sitemap: lines) but those dropped once their shape retired, the loop's redirect
    # target, and the rendered page's own assets
    hits = hostile_crawl.portal.requests_to("portal")
    paths = {h.path for h in hits if not h.browser or h.path == "/challenge.html"}
    assert len(paths - {"/loop-b.html"}) <= MAX_PAGES <= len(paths - {"/loop-b.html"}) + retired


def test_the_size_cap_is_50_mib_by_default() -> None:
    """The size cases above ran against this cap (crawl.SETTINGS leaves it alone)."""
    assert get_project_settings().getint("DOWNLOAD_MAXSIZE") == 50 * 2**20
    assert "DOWNLOAD_MAXSIZE" not in SETTINGS


def test_every_case_is_in_the_reliability_table() -> None:
    table = (ROOT / "docs" / "reliability.md").read_text(encoding="utf-8")
    assert [case.name for case in CASES if f"| `{case.name}` |" not in table] == []
