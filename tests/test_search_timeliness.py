"""The search's on-time / late facet: each report's timeliness as `fazhi coverage` decides it,
kept in step by ingest, rebuilt by reindex, backfilled by migration 0015, on both backends."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from archive.coverage.deadline import timeliness
from archive.extract.page import Extracted
from archive.search import SearchFilters, search
from archive.search.index import reindex
from archive.storage import db
from archive.storage.models import SearchDoc
from archive.storage.versions import ingest
from tests.store_samples import SIMING_ID, page, with_text

# The 2023 reports are due before 2024-04-01, China time: 2024-03-31 16:00 UTC.
BEFORE = dt.datetime(2024, 3, 31, 15, 59, tzinfo=dt.UTC)
AFTER = dt.datetime(2024, 3, 31, 16, 0, tzinfo=dt.UTC)
TERM = "时效检索标记"


PAGES = {  # four unrelated reports, each set in 2023 for the test
    "甲": "trs_wcm/xiamen_sfj_2021",
    "乙": "jpaas/nanchang_xihu_sfj_2023",
    "丙": "dede/bearing_farm_hubin_2019",
    "丁": SIMING_ID,
}


def _report(place: str, published: dt.date | None) -> Extracted:
    record = page(PAGES[place])
    return with_text(
        record,
        [*record.text.split("\n"), f"{place}{TERM}"],
        url=f"https://www.{place}.gov.cn/fzzf/report.html",
        agency=f"{place}人民政府",
        report_year=2023,
        published_date=published,
    )


def _facet(session: Session, **filters: str) -> dict[str, int]:
    found = search(session, TERM, SearchFilters(**filters))  # type: ignore[arg-type]
    return dict(found.facets["timeliness"]) | {"total": found.total}


def test_the_facet_counts_on_time_late_and_undated_reports(database_url: str) -> None:
    db.upgrade(database_url)
    engine = db.make_engine(database_url)
    try:
        with Session(engine) as session:
            ingest(session, _report("甲", dt.date(2024, 3, 31)), url="https://a/1", seen_at=AFTER)
            ingest(session, _report("乙", dt.date(2024, 4, 1)), url="https://b/1", seen_at=AFTER)
            ingest(session, _report("丙", None), url="https://c/1", seen_at=BEFORE)
            ingest(session, _report("丁", None), url="https://d/1", seen_at=AFTER)
            session.commit()
            assert _facet(session) == {"on_time": 2, "late": 1, "undated": 1, "total": 4}
            late = search(session, TERM, SearchFilters(timeliness="late"))
            assert [hit.agency for hit in late.hits] == ["乙人民政府"]
            assert _facet(session, timeliness="undated") == {"undated": 1, "total": 1}
            # 丁's page dates itself in a new version: its earliest page date now decides
            dated = _report("丁", dt.date(2024, 3, 1))
            dated = with_text(dated, [*dated.text.split("\n"), "（2024年3月1日印发）"])
            ingest(session, dated, url="https://d/1", seen_at=AFTER + dt.timedelta(days=9))
            session.commit()
            assert _facet(session) == {"on_time": 3, "late": 1, "total": 4}
            kept = _rows(session)
            reindex(session)
            session.commit()
            assert _rows(session) == kept
    finally:
        engine.dispose()


def _rows(session: Session) -> list[tuple[int, str | None]]:
    return [
        (row.version_id, row.timeliness)
        for row in session.execute(
            select(SearchDoc.version_id, SearchDoc.timeliness).order_by(SearchDoc.version_id)
        )
    ]


# (report year, page date, first seen) → what migration 0015 must write, which is what the
# coverage rule says: the SQL of the migration and the Python of the index agree at the edges.
CASES = [
    (2023, dt.date(2024, 3, 31), AFTER),
    (2023, dt.date(2024, 4, 1), BEFORE),
    (2023, None, BEFORE),
    (2023, None, AFTER),
    (None, dt.date(2024, 1, 5), BEFORE),
]


def test_migration_backfills_what_the_rule_says(database_url: str) -> None:
    db.upgrade(database_url, "0014")
    engine = db.make_engine(database_url)
    try:
        with engine.begin() as conn:
            for number, (year, published, seen) in enumerate(CASES, 1):
                conn.execute(
                    text(
                        "INSERT INTO report (id, identity_key, agency, report_year, created_at) "
                        "VALUES (:n, :key, '某机关', :year, :at)"
                    ),
                    {"n": number, "key": f"k{number}", "year": year, "at": seen},
                )
                conn.execute(
                    text(
                        "INSERT INTO report_version (id, report_id, version, content_sha256, "
                        "title, title_original, text, text_original, published_date, metadata, "
                        "repairs, first_seen, last_seen) VALUES (:n, :n, 1, :sha, 't', 't', "
                        "'x', 'x', :published, '{}', '[]', :at, :at)"
                    ),
                    {"n": number, "sha": f"{number:064d}", "published": published, "at": seen},
                )
                conn.execute(
                    text(
                        "INSERT INTO search_doc (version_id, report_id, version, is_latest, "
                        "title) VALUES (:n, :n, 1, :yes, 't')"
                    ),
                    {"n": number, "yes": True},
                )
        db.upgrade(database_url)
        with Session(engine) as session:
            written = dict(_rows(session))
        expected = {
            number: None if year is None else timeliness(year, published, seen)[0]
            for number, (year, published, seen) in enumerate(CASES, 1)
        }
        assert written == expected
        assert list(expected.values()) == ["on_time", "late", "on_time", "undated", None]
    finally:
        engine.dispose()
