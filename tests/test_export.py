"""The read side: export contract, reports list/show/diff, on SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections.abc import Iterator

import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session

from archive.storage import db
from archive.storage.export import FIELDS, records, write_csv, write_jsonl
from archive.storage.models import Report, ReportVersion, Sighting, Source
from archive.storage.queries import NotFound, diff, get_report, list_reports

DAY = dt.datetime(2024, 3, 13, 8, tzinfo=dt.UTC)


def version(number: int, text: str, seen: dt.datetime) -> ReportVersion:
    return ReportVersion(
        version=number,
        content_sha256=f"{number:064d}",
        title="厦门市思明区人民政府关于2023年法治政府建设情况的报告",
        title_original="厦门市思明区人民政府关于2023年法治政府建设情况的报告",
        text=text,
        text_original=text.replace(",", "，"),
        published_date=dt.date(2024, 3, 13),
        metadata_={"索引号": "XM00101-0200-2024-00021"},
        script="zh-Hans",
        repairs=["nfkc"],
        first_seen=seen,
        last_seen=seen,
    )


@pytest.fixture
def session(database_url: str) -> Iterator[Session]:
    db.upgrade(database_url)
    engine = db.make_engine(database_url)
    with Session(engine) as session:
        source = Source(
            slug="fj-xm-siming",
            name="厦门市思明区人民政府",
            home_url="https://www.siming.gov.cn/",
            domains=["www.siming.gov.cn"],
        )
        v1 = version(1, "一、强化组织领导\n坚持党的全面领导。", DAY)
        v2 = version(
            2, "一、强化组织领导\n坚持党的全面领导,健全常态化机制。", DAY + dt.timedelta(9)
        )
        v1.sightings = [
            Sighting(url="https://farm.example/a.html", site="farm.example", is_repost=True,
                     first_seen=DAY, last_seen=DAY),
            Sighting(url="https://www.siming.gov.cn/t20240313_1.htm", site="www.siming.gov.cn",
                     first_seen=DAY + dt.timedelta(hours=1), last_seen=DAY),
        ]  # fmt: skip
        v2.sightings = [
            Sighting(url="https://farm.example/b.html", site="farm.example", is_repost=True,
                     first_seen=DAY + dt.timedelta(9), last_seen=DAY + dt.timedelta(9)),
        ]  # fmt: skip
        session.add(
            Report(
                identity_key="厦门市思明区人民政府|2023",
                agency="厦门市思明区人民政府",
                report_year=2023,
                province="福建省",
                city="厦门市",
                county="思明区",
                division_code="350203",
                source=source,
                versions=[v1, v2],
            )
        )
        session.commit()
        yield session
    engine.dispose()


def test_export_has_exactly_the_contract_fields(session: Session) -> None:
    rows = list(records(session))
    assert [tuple(r) for r in rows] == [FIELDS, FIELDS]
    first, second = rows
    assert first["region"] == {
        "province": "福建省", "city": "厦门市", "county": "思明区", "code": "350203"
    }  # fmt: skip
    # first seen on the body's own site, though the content farm had it an hour earlier
    assert first["url"] == "https://www.siming.gov.cn/t20240313_1.htm"
    assert first["source_urls"][0] == "https://farm.example/a.html"
    assert first["is_repost_only"] is False
    assert second["is_repost_only"] is True
    assert second["url"] == "https://farm.example/b.html"  # no own-site sighting: first anywhere
    assert first["first_seen"].startswith("2024-03-13T08:00:00")


def test_since_keeps_recently_seen_versions(session: Session) -> None:
    rows = list(records(session, since=dt.date(2024, 3, 20)))
    assert [r["version"] for r in rows] == [2]


def test_jsonl_and_csv_round_trip(session: Session) -> None:
    jsonl, table = io.StringIO(), io.StringIO()
    assert write_jsonl(records(session), jsonl) == 2
    assert write_csv(records(session), table) == 2
    from_json = [json.loads(line) for line in jsonl.getvalue().splitlines()]
    from_csv = list(csv.DictReader(io.StringIO(table.getvalue())))
    assert from_json[0]["text"] == "一、强化组织领导\n坚持党的全面领导。"
    assert from_csv[0]["text"] == from_json[0]["text"]
    assert json.loads(from_csv[0]["metadata"]) == {"索引号": "XM00101-0200-2024-00021"}
    assert "思明区" in jsonl.getvalue()  # ensure_ascii=False: readable Chinese


def test_list_show_diff(session: Session) -> None:
    [(report, versions)] = list_reports(session, year=2023, agency="思明")
    assert versions == 2
    assert list_reports(session, year=2022) == []
    lines = diff(get_report(session, report.id))
    assert "-坚持党的全面领导。" in lines
    assert "+坚持党的全面领导,健全常态化机制。" in lines
    with pytest.raises(NotFound):
        diff(get_report(session, report.id), 1, 7)
    with pytest.raises(NotFound):
        get_report(session, 999)


def test_views_for_consumers(session: Session) -> None:
    latest = session.execute(
        text("SELECT report_id, version, versions, agency FROM reports_latest")
    ).all()
    assert [(r.version, r.versions, r.agency) for r in latest] == [(2, 2, "厦门市思明区人民政府")]
    history = session.execute(
        text("SELECT version, sightings, repost_sightings FROM report_history ORDER BY version")
    ).all()
    assert [tuple(r) for r in history] == [(1, 2, 1), (2, 1, 1)]
