"""Search in the reading room: the page and /api/v1/search over archive.search (its own
semantics and measurements: tests/test_search*.py, docs/search.md)."""

from __future__ import annotations

import re
from html import unescape
from urllib.parse import urlsplit

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from archive.storage import db
from archive.storage.models import Report, ReportVersion
from tests.reading_archive import CORRECTION, SCRIPT, Built


def latest_texts(built: Built) -> dict[int, str]:
    engine = db.make_engine(built.url)
    try:
        with Session(engine) as session:
            rows = session.execute(
                select(Report.id, ReportVersion.title, ReportVersion.text, ReportVersion.version)
                .join(ReportVersion, ReportVersion.report_id == Report.id)
                .order_by(ReportVersion.version)
            )
            return {rid: f"{title}\n{text}" for rid, title, text, _ in rows}  # the last wins
    finally:
        engine.dispose()


def found(client: TestClient, q: str, **params: str) -> dict:
    answer = client.get("/api/v1/search", params={"q": q, **params})
    assert answer.status_code == 200, answer.text
    return answer.json()


@pytest.mark.parametrize("term", ["行政复议", "败诉", "法治", "2023年", "思明区", "145件"])
def test_a_term_finds_exactly_the_reports_whose_text_holds_it(
    reading_client: TestClient, reading_archive: Built, term: str
) -> None:
    texts = latest_texts(reading_archive)
    expected = {rid for rid, text in texts.items() if term in text}
    body = found(reading_client, term)
    assert {hit["report_id"] for hit in body["results"]} == expected
    assert body["total"] == len(expected)
    for hit in body["results"]:
        assert "<mark>" in hit["snippet"] or term in hit["title"]


def test_the_latest_version_by_default_every_version_on_request(
    reading_client: TestClient, reading_archive: Built
) -> None:
    latest = found(reading_client, "行政复议")
    assert (reading_archive.siming, 2) in {
        (h["report_id"], h["version"]) for h in latest["results"]
    }
    assert (reading_archive.siming, 1) not in {
        (h["report_id"], h["version"]) for h in latest["results"]
    }
    every = found(reading_client, "行政复议", all_versions="true")
    pairs = {(h["report_id"], h["version"]) for h in every["results"]}
    assert {(reading_archive.siming, 1), (reading_archive.siming, 2)} <= pairs
    note = CORRECTION[:8]  # the correction's note is in version 2 only
    assert {h["version"] for h in found(reading_client, note, all_versions="true")["results"]} == {
        2
    }


def test_pages_follow_their_next_url_to_the_end(reading_client: TestClient) -> None:
    body, seen = found(reading_client, "法治", limit="1"), []
    while True:
        seen += [hit["report_id"] for hit in body["results"]]
        if body["next"] is None:
            break
        parts = urlsplit(body["next"])
        body = reading_client.get(f"{parts.path}?{parts.query}").json()
    assert len(seen) == len(set(seen)) == body["total"] > 1


def test_facets_count_the_whole_result_and_narrow_it(reading_client: TestClient) -> None:
    body = found(reading_client, "法治")
    years = dict((f["value"], f["count"]) for f in body["facets"]["report_year"])
    assert sum(years.values()) == body["total"]
    year, count = next(iter(years.items()))
    assert found(reading_client, "法治", year=year)["total"] == count


def test_a_query_the_language_cannot_read_is_a_400_that_says_why(
    reading_client: TestClient,
) -> None:
    for q in ['"未闭合', "-法治"]:
        answer = reading_client.get("/api/v1/search", params={"q": q})
        assert answer.status_code == 400
        assert answer.json()["error"]["message"]
    assert reading_client.get("/api/v1/search").status_code == 422  # no q at all
    bad_cursor = reading_client.get("/api/v1/search", params={"q": "法治", "cursor": "abc"})
    assert bad_cursor.status_code == 400


def test_hostile_text_comes_back_escaped(
    reading_client: TestClient, reading_archive: Built
) -> None:
    body = found(reading_client, "第一段")
    [hit] = [h for h in body["results"] if h["report_id"] == reading_archive.hostile]
    assert "<script" not in hit["snippet"] and "&lt;script&gt;" in hit["snippet"]
    page = reading_client.get("/search", params={"q": "第一段"}).text
    assert SCRIPT not in page and "<mark>第一段</mark>" in page


def test_the_search_page_shows_hits_facets_and_the_box_keeps_the_query(
    reading_client: TestClient, reading_archive: Built
) -> None:
    page = reading_client.get("/search", params={"q": "行政复议"})
    assert page.status_code == 200
    html = page.text
    assert f'href="http://testserver/reports/{reading_archive.siming}/v/' in html
    assert re.search(r'<input type="search" name="q"[^>]*value="行政复议"', html)
    assert "年度" in html and "共 " in html
    assert 'href="http://testserver/api/v1/search?q=' in unescape(html)  # its JSON twin
    home = reading_client.get("/").text
    assert 'action="http://testserver/search"' in home  # the box is on every page


def test_the_timeliness_facet_narrows_to_on_time_or_late_reports(
    reading_client: TestClient,
) -> None:
    body = found(reading_client, "法治")
    timeliness = {f["value"]: f["count"] for f in body["facets"]["timeliness"]}
    assert timeliness and set(timeliness) <= {"on_time", "late", "undated"}
    for value, count in timeliness.items():
        narrowed = found(reading_client, "法治", timeliness=value)
        assert narrowed["total"] == count
        assert {f["value"] for f in narrowed["facets"]["timeliness"]} == {value}
    assert reading_client.get("/api/v1/search?q=法治&timeliness=soon").status_code == 422
    html = reading_client.get("/search", params={"q": "法治"}).text
    assert "是否按时" in html and "timeliness=on_time" in unescape(html) and "按时" in html
