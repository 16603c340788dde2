"""The JSON API: shapes, filters, cursor paging past 10,000 results, the export contract and
errors a program can act on."""

from __future__ import annotations

import datetime as dt
import io
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import insert
from sqlalchemy.orm import Session

from archive.coverage.history import shipped
from archive.storage import db
from archive.storage import export as exporter
from archive.storage.models import Report, ReportVersion
from reading_room.app import create_app
from reading_room.coverage import MEASURES
from tests.reading_archive import HEFEI_PDF_NAME, REPOST_URL, SIMING_URL, Built

MANY = 10_250


def test_reports_are_listed_with_their_latest_version(
    reading_client: TestClient, reading_archive: Built
) -> None:
    body = reading_client.get("/api/v1/reports").json()
    assert body["total"] == 5 and body["next"] is None
    siming = next(r for r in body["results"] if r["report_id"] == reading_archive.siming)
    assert siming["agency"] == "厦门市思明区人民政府"
    assert siming["region"] == {"province": "福建省", "city": "厦门市", "county": "思明区",
                                "code": "350203"}  # fmt: skip
    assert siming["level"] == "县"
    assert siming["versions"] == 2 and siming["latest"]["version"] == 2
    assert siming["html_url"].endswith(f"/reports/{reading_archive.siming}")
    assert reading_client.get(siming["url"]).status_code == 200


@pytest.mark.parametrize(
    ("query", "expected"),
    [("year=2022", {"zhuzhou"}), ("province=安徽省", {"hefei"}), ("level=部门", {"hefei"}),
     ("agency=思明", {"siming"}), ("year=2023&level=县&agency=人民政府", {"siming", "hostile",
                                                                       "long_title"}),
     ("changed_since=2024-04-05T00:00:00Z", {"siming"}),  # its correction came on the 6th
     ("changed_since=2024-04-05", {"siming"}),  # a naive moment is UTC
     ("agency=%25", set()), ("agency=_", set())],  # LIKE's wildcards are plain characters
)  # fmt: skip
def test_filters(
    reading_client: TestClient, reading_archive: Built, query: str, expected: set[str]
) -> None:
    ids = {getattr(reading_archive, name) for name in expected}
    body = reading_client.get(f"/api/v1/reports?{query}").json()
    assert {r["report_id"] for r in body["results"]} == ids
    assert body["total"] == len(ids)


def test_one_report_with_its_history(reading_client: TestClient, reading_archive: Built) -> None:
    body = reading_client.get(f"/api/v1/reports/{reading_archive.siming}").json()
    assert [v["version"] for v in body["history"]] == [1, 2]
    urls = {s["url"]: s["is_repost"] for s in body["history"][1]["sightings"]}
    assert urls == {SIMING_URL: False, REPOST_URL: True}
    assert body["timemap_url"].endswith(f"/reports/{reading_archive.siming}/timemap")


def test_one_version_with_text_metadata_and_attachments(
    reading_client: TestClient, reading_archive: Built
) -> None:
    body = reading_client.get(f"/api/v1/reports/{reading_archive.hefei}/versions/1").json()
    assert body["metadata"]["索引号"] == "11340100MB1904372W/202403-00021"
    [attachment] = body["attachments"]
    assert attachment["file_name"] == HEFEI_PDF_NAME
    assert attachment["media_type"] == "application/pdf"
    assert reading_client.get(attachment["download_url"]).status_code == 200
    assert body["text"] and body["capture_url"].endswith(
        f"/reports/{reading_archive.hefei}/v/1/capture"
    )


def test_the_diff_twin(reading_client: TestClient, reading_archive: Built) -> None:
    body = reading_client.get(f"/api/v1/reports/{reading_archive.siming}/diff").json()
    assert (body["from_version"], body["to_version"], body["changed"]) == (1, 2, 2)
    [change] = [row for row in body["rows"] if row["kind"] == "change"]
    assert [s for s in change["old"] if s["kind"] != "equal"] == [{"kind": "delete", "text": "1"}]
    assert [s for s in change["new"] if s["kind"] != "equal"] == [{"kind": "insert", "text": "5"}]


def test_coverage_twin(reading_client: TestClient, reading_archive: Built) -> None:
    """Every division of 福建省 is expected; 思明区 has a portal (its source) and its report on
    2023 is dated before the deadline; no crawl has run, so its 2022 absence is unchecked."""
    body = reading_client.get("/api/v1/coverage").json()
    assert body["measures"] == list(MEASURES) and body["years"] == [2022, 2023]
    fujian = next(r for r in body["rows"] if r["name"] == "福建省")
    assert (fujian["kind"], fujian["division_code"]) == ("region", "350000")
    counts = {cell["year"]: cell["counts"] for cell in fujian["cells"]}
    for year, found in ((2022, "missing_unchecked"), (2023, "on_time")):
        expected = sum(d.code.startswith("35") for d in shipped().valid_in(year))
        assert counts[year] == {**dict.fromkeys(MEASURES, 0), found: 1, "no_portal": expected - 1}
    cities = reading_client.get(fujian["drill_url"]).json()
    assert [cell["counts"] for cell in cities["totals"]] == [counts[2022], counts[2023]]
    xiamen = next(r for r in cities["rows"] if r["name"] == "厦门市")
    publishers = reading_client.get(xiamen["drill_url"]).json()
    siming = next(r for r in publishers["rows"] if r["division_code"] == "350203")
    assert (siming["kind"], siming["name"], siming["level"]) == (
        "publisher",
        "厦门市思明区人民政府",
        "县",
    )
    [then, now] = siming["cells"]
    assert (then["status"], then["report_id"]) == ("missing_unchecked", None)
    assert (now["status"], now["published_date"], now["date_source"], now["report_id"]) == (
        "on_time", "2024-03-13", "page", reading_archive.siming)  # fmt: skip
    assert now["report_html_url"].endswith(f"/reports/{reading_archive.siming}")
    assert siming["drill_url"] is None


def test_coverage_filters_by_level_and_year(reading_client: TestClient) -> None:
    body = reading_client.get("/api/v1/coverage?level=部门&year=2023").json()
    assert body["years"] == [2023] and body["level"] == "部门"
    counted = {r["name"]: r["cells"][0]["counts"] for r in body["rows"]}
    assert counted == {"安徽省": {**dict.fromkeys(MEASURES, 0), "on_time": 1}}  # 合肥市生态环境局
    anhui = reading_client.get(body["rows"][0]["drill_url"]).json()
    assert (anhui["level"], anhui["years"]) == ("部门", [2023])  # the drill keeps the filters


@pytest.mark.parametrize("form", ["jsonl", "csv"])
def test_the_export_streams_the_fazhi_export_contract(
    reading_client: TestClient, reading_archive: Built, form: str
) -> None:
    response = reading_client.get(f"/api/v1/export?format={form}")
    assert response.status_code == 200
    engine = db.make_engine(reading_archive.url)
    with Session(engine) as session:
        expected = io.StringIO()
        write = exporter.write_jsonl if form == "jsonl" else exporter.write_csv
        written = write(exporter.records(session), expected)
    engine.dispose()
    assert response.text == expected.getvalue()
    assert written == 6
    if form == "jsonl":
        records = [json.loads(line) for line in response.text.splitlines()]
        assert [tuple(r) for r in records] == [exporter.FIELDS] * written
    since = reading_client.get("/api/v1/export?since=2024-04-06").text.splitlines()
    assert [(json.loads(r)["report_id"], json.loads(r)["version"]) for r in since] == [
        (reading_archive.siming, 2)
    ]


@pytest.mark.parametrize(
    ("path", "status", "message"),
    [("/api/v1/reports/999999", 404, "no report 999999"),
     ("/api/v1/reports/1/versions/7", 404, "has no version 7"),
     ("/api/v1/reports/0", 422, "path.report_id"),
     ("/api/v1/reports/99999999999999999999", 422, "path.report_id"),
     ("/api/v1/reports?limit=501", 422, "query.limit"),
     ("/api/v1/reports?year=abc", 422, "query.year"),
     ("/api/v1/reports?level=乡", 422, "query.level"),
     ("/api/v1/reports?province=%00", 422, "query.province"),
     ("/api/v1/reports?changed_since=yesterday", 422, "query.changed_since"),
     ("/api/v1/reports?cursor=not-ours", 422, "query.cursor"),
     ("/api/v1/coverage?city=厦门市", 404, "give province too"),
     ("/api/v1/coverage?province=火星省", 404, "no province named 火星省"),
     ("/api/v1/coverage?province=福建省&city=火星市", 404, "no city named 火星市 in 福建省"),
     ("/api/v1/coverage?year=1990", 422, "query.year"),
     ("/api/v1/coverage?level=乡", 422, "query.level"),
     ("/api/v1/nowhere", 404, "Not Found")],
)  # fmt: skip
def test_errors_are_json_that_says_what_went_wrong(
    reading_client: TestClient, path: str, status: int, message: str
) -> None:
    response = reading_client.get(path)
    assert response.status_code == status
    assert response.headers["content-type"] == "application/json"
    error = response.json()["error"]
    assert error["status"] == status and message in error["message"]


@pytest.fixture(scope="module")
def many_reports(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    """An archive of MANY reports, one version each, written in bulk."""
    data = tmp_path_factory.mktemp("many")
    url = f"sqlite:///{data}/archive.sqlite3"
    db.upgrade(url)
    engine = db.make_engine(url)
    at = dt.datetime(2024, 3, 1, tzinfo=dt.UTC)
    with Session(engine) as session:
        session.execute(
            insert(Report),
            [{"id": n, "identity_key": f"body {n}|2023", "agency": f"机关{n}", "report_year":
              2020 + n % 4, "province": "福建省" if n % 2 else "湖南省", "created_at": at}
             for n in range(1, MANY + 1)],
        )  # fmt: skip
        session.execute(
            insert(ReportVersion),
            [{"report_id": n, "version": 1, "content_sha256": f"{n:064x}", "title": f"报告{n}",
              "title_original": f"报告{n}", "text": "正文", "text_original": "正文",
              "metadata": {}, "repairs": [], "first_seen": at, "last_seen": at}
             for n in range(1, MANY + 1)],
        )  # fmt: skip
        session.commit()
    engine.dispose()
    app = create_app(url, Path(data))
    with TestClient(app) as client:
        yield client
    app.state.engine.dispose()


def test_next_walks_past_ten_thousand_results_once_each(many_reports: TestClient) -> None:
    url: str | None = "/api/v1/reports?province=福建省&limit=500"
    seen: list[int] = []
    pages = 0
    while url:
        body = many_reports.get(url).json()
        assert body["total"] == MANY // 2
        seen += [r["report_id"] for r in body["results"]]
        url = body["next"]
        pages += 1
    assert seen == list(range(1, MANY + 1, 2))
    assert pages == -(-MANY // 2 // 500)
    last = many_reports.get("/api/v1/reports?limit=500&province=福建省").json()
    assert "province=%E7%A6%8F%E5%BB%BA%E7%9C%81" in last["next"]  # the filters go along


def test_a_parameter_given_twice_is_refused_not_guessed(reading_client: TestClient) -> None:
    answer = reading_client.get("/api/v1/reports?year=2023&year=2022")
    assert answer.status_code == 400
    assert "year given more than once" in answer.json()["error"]["message"]


@pytest.mark.parametrize("since", ["0.0", "1700000000", "false"])
def test_dates_are_iso_8601_never_unix_times(reading_client: TestClient, since: str) -> None:
    assert reading_client.get(f"/api/v1/export?since={since}").status_code == 422
    assert reading_client.get(f"/api/v1/reports?changed_since={since}").status_code == 422
    assert reading_client.get("/api/v1/export?since=2024-03-31").status_code == 200
