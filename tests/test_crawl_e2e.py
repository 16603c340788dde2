"""The whole product against the local replica: crawl → archive → export, twice.

Phase 1 publishes the reports; phase 2 corrects one in place and re-publishes
another with a correction at a new URL. The manifest is the replica's ground truth.
"""

from __future__ import annotations

import json
import re
import sqlite3
import subprocess
import sys
import urllib.request
from urllib.parse import urlsplit

import lxml.html
import pytest
from w3lib.url import canonicalize_url

from tests.crawl_process import ROOT
from tests.replica_crawl import Crawled

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def crawled(replica_crawl: Crawled) -> Crawled:
    """The session's crawl of the replica (tests/replica_crawl.py), shared with the reading
    room's browser test."""
    return replica_crawl


def sighted(db: sqlite3.Connection, url: str) -> list[tuple]:
    return db.execute(
        "SELECT v.report_id, v.version, s.is_repost FROM sighting s "
        "JOIN report_version v ON v.id = s.version_id WHERE s.url = ?",
        (url,),
    ).fetchall()


def test_both_runs_finish_cleanly(crawled: Crawled) -> None:
    for run in crawled.runs:
        assert run.returncode == 0, run.stderr[-3000:]
        assert re.search(r"run \d+: finished; \d+ pages", run.stdout)
    statuses = crawled.db.execute("SELECT status, verdict FROM crawl_run ORDER BY id").fetchall()
    assert statuses == [("ok", "healthy"), ("ok", "healthy")]


def test_every_report_found(crawled: Crawled) -> None:
    manifest = crawled.manifest["2"]
    missing = [
        (report["key"], copy["url"])
        for report in manifest["reports"]
        for copy in report["copies"]
        if not sighted(crawled.db, copy["url"])
    ]
    assert missing == []


def test_one_report_per_body_and_year(crawled: Crawled) -> None:
    reports = crawled.db.execute("SELECT agency, report_year FROM report").fetchall()
    expected = {(r["agency"], r["year"]) for r in crawled.manifest["2"]["reports"]}
    assert len(reports) == len(expected)
    assert {year for _, year in reports} == {year for _, year in expected}


def test_corrections_are_versions_of_one_report(crawled: Crawled) -> None:
    for report in crawled.manifest["2"]["reports"]:
        own = [copy["url"] for copy in report["copies"] if not copy["repost"]]
        urls = own or [copy["url"] for copy in report["copies"]]  # some are only reposted
        ids = {row[0] for url in urls for row in sighted(crawled.db, url)}
        assert len(ids) == 1, report["key"]
        [report_id] = ids
        versions = crawled.db.execute(
            "SELECT count(*) FROM report_version WHERE report_id = ?", (report_id,)
        ).fetchone()[0]
        assert versions == len(report["versions"][2]), report["key"]


def test_copies_and_reposts_are_sightings(crawled: Crawled) -> None:
    for report in crawled.manifest["2"]["reports"]:
        for copy in report["copies"]:
            rows = sighted(crawled.db, copy["url"])
            assert rows, copy["url"]
            if copy["repost"]:
                assert all(is_repost for *_, is_repost in rows), copy["url"]


def test_no_distractor_archived(crawled: Crawled) -> None:
    for distractor in crawled.manifest["2"]["distractors"]:
        assert sighted(crawled.db, distractor["url"]) == [], distractor["title"]
    archived_titles = {t for (t,) in crawled.db.execute("SELECT title FROM report_version")}
    assert not archived_titles & {d["title"] for d in crawled.manifest["2"]["distractors"]}


def test_sitemaps_are_read_and_archived(crawled: Crawled) -> None:
    """robots.txt's sitemap index and its urlsets (one gzipped) are fetches with WARC records;
    the report copy only they lead to is archived (test_every_report_found)."""
    for sitemap in crawled.manifest["2"]["sitemaps"]:
        for url in [sitemap["robots"], sitemap["index"], *sitemap["urlsets"]]:
            rows = crawled.db.execute(
                "SELECT status FROM fetch WHERE url = ? AND warc_file IS NOT NULL", (url,)
            ).fetchall()
            assert rows and {status for (status,) in rows} == {200}, url


def test_robots_decoy_never_requested(crawled: Crawled) -> None:
    for decoy in crawled.manifest["2"]["decoys"]:
        assert not crawled.replica.requested(decoy["url"]), decoy["url"]


def test_traps_cut_within_budget(crawled: Crawled) -> None:
    for trap in crawled.manifest["2"]["traps"]:
        pattern = re.compile(trap["pattern"])
        site = urlsplit(trap["start"]).netloc
        hits = [
            r for r in crawled.replica.requests
            if r.site == trap["site"] and pattern.search(r.path)
        ]  # fmt: skip
        # each run: the trap's start, a bounded walk into it, then the cut
        assert len(hits) <= 2 * 55, (trap["kind"], site, len(hits))
    assert "traps cut:" in crawled.runs[0].stdout


def test_every_response_is_a_fetch_with_a_warc_record(crawled: Crawled) -> None:
    unrecorded = crawled.db.execute(
        "SELECT count(*) FROM fetch WHERE status IS NOT NULL AND warc_file IS NULL"
    ).fetchone()[0]
    assert unrecorded == 0
    files = list((crawled.data / "warc").glob("*.warc.gz"))
    assert files


def test_export_lists_every_version(crawled: Crawled) -> None:
    out = subprocess.run(
        [sys.executable, "-m", "fazhi", "export", "--db",
         f"sqlite:///{crawled.data}/archive.sqlite3"],
        cwd=ROOT, capture_output=True, text=True, check=True,
    )  # fmt: skip
    records = [json.loads(line) for line in out.stdout.splitlines()]
    versions = crawled.db.execute("SELECT count(*) FROM report_version").fetchone()[0]
    assert len(records) == versions
    assert all(r["text"] and r["report_year"] for r in records)


def _links_on(html: bytes, base: str) -> set[str]:
    """Every http(s) link of a page, absolute, without fragment, read with lxml alone (not
    the spider's extractor: the audit is checked against the page, not against itself)."""
    document = lxml.html.fromstring(html, base_url=base)
    document.make_links_absolute(base, handle_failures="discard")
    hrefs = (a.get("href", "").split("#")[0] for a in document.iter("a"))
    return {canonicalize_url(h) for h in hrefs if urlsplit(h).scheme in ("http", "https")}


def _fetched(db: sqlite3.Connection, run_id: int) -> set[str]:
    """URLs run RUN_ID fetched: as linked, and where they redirected to (a link to a page that
    an earlier redirect already reached is not fetched twice: Scrapy's duplicate filter)."""
    rows = db.execute("SELECT url, final_url FROM fetch WHERE crawl_run_id = ?", (run_id,))
    return {canonicalize_url(url) for row in rows for url in row if url}


def _left(db: sqlite3.Connection, run_id: int) -> set[str]:
    rows = db.execute("SELECT url FROM skipped_link WHERE crawl_run_id = ?", (run_id,))
    return {canonicalize_url(url) for (url,) in rows}


def test_every_link_seen_is_followed_or_left_with_a_reason(crawled: Crawled) -> None:
    run_id = crawled.db.execute("SELECT max(id) FROM crawl_run").fetchone()[0]
    fetched, left = _fetched(crawled.db, run_id), _left(crawled.db, run_id)
    pages = crawled.db.execute(
        "SELECT url, final_url FROM fetch WHERE crawl_run_id = ? AND status = 200 "
        "AND content_type LIKE 'text/html%'",
        (run_id,),
    ).fetchall()
    assert len(pages) > 20
    unaccounted = {}
    for url, final_url in pages:
        with urllib.request.urlopen(final_url or url) as response:
            body = response.read()
        if missing := _links_on(body, final_url or url) - fetched - left:
            unaccounted[url] = sorted(missing)
    assert unaccounted == {}


def test_distractors_and_robots_decoys_are_left_with_their_reason(crawled: Crawled) -> None:
    run_id = crawled.db.execute("SELECT max(id) FROM crawl_run").fetchone()[0]
    reasons = {
        canonicalize_url(url): (reason, detail)
        for url, reason, detail in crawled.db.execute(
            "SELECT url, reason, detail FROM skipped_link WHERE crawl_run_id = ?", (run_id,)
        )
    }
    manifest = crawled.manifest["2"]
    seen = [d for d in manifest["distractors"] if canonicalize_url(d["url"]) in reasons]
    assert seen, "no distractor was linked from a page the crawl read"
    for distractor in seen:
        assert reasons[canonicalize_url(distractor["url"])] == (
            "not-a-report",
            distractor["doc_type"],
        )
    for decoy in manifest["decoys"]:
        reason = reasons.get(canonicalize_url(decoy["url"]), ("never linked", None))[0]
        assert reason in ("robots", "never linked"), decoy
    assert any(reasons.get(canonicalize_url(d["url"])) for d in manifest["decoys"])


def test_unchanged_report_pages_answer_304_and_are_seen_again(crawled: Crawled) -> None:
    """The second run asks for each static report page with its ETag (the replica gives one
    for .html files, as nginx does): unchanged ones answer 304 and move their sighting. A
    page whose title looked like a report's is asked again too; when it was no report (a
    department's 工作总结 titled for its government) its 304 archives nothing."""
    rows = crawled.db.execute(
        "SELECT f.id, f.url, f.fetched_at, s.fetch_id, s.last_seen FROM fetch f "
        "LEFT JOIN sighting s ON s.url = f.url "
        "WHERE f.crawl_run_id = 2 AND f.status = 304"
    ).fetchall()
    distractors = {canonicalize_url(d["url"]) for d in crawled.manifest["2"]["distractors"]}
    reports = [row for row in rows if canonicalize_url(row[1]) not in distractors]
    assert len(reports) >= 5, rows
    for fetch_id, url, fetched_at, sighting_fetch, last_seen in reports:
        assert (sighting_fetch, last_seen) == (fetch_id, fetched_at), url
    for _fetch_id, url, _fetched_at, sighting_fetch, _last_seen in rows:
        if canonicalize_url(url) in distractors:
            assert sighting_fetch is None, url


def test_a_page_corrected_in_place_answers_whole_and_is_a_new_version(crawled: Crawled) -> None:
    changed = [
        copy["url"]
        for report in crawled.manifest["2"]["reports"]
        for copy in report["copies"]
        if set(copy["text"]) == {1, 2} and copy["text"][1] != copy["text"][2]
    ]
    assert changed, "the replica corrects no page in place"
    for url in changed:
        statuses = crawled.db.execute(
            "SELECT status FROM fetch WHERE crawl_run_id = 2 AND url = ?", (url,)
        ).fetchall()
        assert statuses == [(200,)], url
        assert {version for _, version, _ in sighted(crawled.db, url)} == {1, 2}, url
