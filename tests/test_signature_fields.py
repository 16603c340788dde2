"""The 落款 and the two dates through the archive: an attachment-only report keeps its page's
publication date and takes the file's 落款 as document_date and signed_by; the migration that
added the fields fills document_date for versions stored before it. SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select, text
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from archive import ingest
from archive.storage import db
from archive.storage.export import records
from archive.storage.models import ReportVersion
from tests.pages import PAGES

HEFEI = PAGES / "ah_public" / "hefei_sthjj_2023_attachment_only"
PDF = HEFEI.with_name(HEFEI.name + ".files") / "CgoKF2YBcdOAH1x2AAC4kQ7Rm3s831.pdf"
PAGE_URL = "https://sthjj.hefei.gov.cn/public/6595211/109476541.html"
PDF_URL = "https://sthjj.hefei.gov.cn/group3/M00/0B/5C/CgoKF2YBcdOAH1x2AAC4kQ7Rm3s831.pdf"
AT = dt.datetime(2024, 4, 3, 2, 36, 50, tzinfo=dt.UTC)


def response(url: str, body: bytes, content_type: str) -> ingest.Response:
    return ingest.Response(url, 200, {"Content-Type": content_type}, body, AT)


def test_attachment_only_report_keeps_its_pages_publication_date(engine: Engine) -> None:
    with Session(engine) as session:
        page = ingest.process(
            session, response(PAGE_URL, HEFEI.with_suffix(".html").read_bytes(), "text/html")
        )
        assert page.deferred and page.extracted is not None
        done = ingest.process_attachment(
            session,
            response(PDF_URL, PDF.read_bytes(), "application/pdf"),
            page_url=PAGE_URL,
            page=page.extracted,
        )
        assert done.result is not None
        stored = session.get(ReportVersion, done.result.version_id)
        assert stored is not None
        assert stored.published_date == dt.date(2024, 3, 18)  # the page's, not the file's
        assert stored.document_date == dt.date(2024, 3, 15)  # the file's 落款
        assert stored.signed_date == dt.date(2024, 3, 15)
        assert stored.signed_by == "合肥市生态环境局"
        assert stored.text.endswith("合肥市生态环境局\n2024年3月15日")  # the 落款 stays
        [record] = records(session)
        assert (record["published_date"], record["document_date"], record["signed_by"]) == (
            "2024-03-18",
            "2024-03-15",
            "合肥市生态环境局",
        )


def test_a_file_alone_is_dated_by_its_url_not_its_signature(engine: Engine) -> None:
    with Session(engine) as session:
        done = ingest.process(session, response(PDF_URL, PDF.read_bytes(), "application/pdf"))
        assert done.extracted is not None
        assert done.extracted.published_date is None  # no date in its URL, none on a page
        assert done.extracted.document_date == dt.date(2024, 3, 15)


def test_migration_gives_stored_versions_their_signed_date_as_document_date(
    database_url: str,
) -> None:
    db.upgrade(database_url, "0005")
    engine = db.make_engine(database_url)
    try:
        with engine.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO report (identity_key, agency, report_year, created_at) "
                    "VALUES ('厦门市司法局|2021', '厦门市司法局', 2021, :at)"
                ),
                {"at": AT},
            )
            conn.execute(
                text(
                    "INSERT INTO report_version (report_id, version, content_sha256, title, "
                    "title_original, text, text_original, published_date, signed_date, "
                    "metadata, repairs, first_seen, last_seen) SELECT id, 1, :sha, 't', 't', "
                    "'x', 'x', :published, :signed, '{}', '[]', :at, :at FROM report"
                ),
                {
                    "sha": "0" * 64,
                    "published": dt.date(2022, 3, 15),
                    "signed": dt.date(2022, 3, 14),
                    "at": AT,
                },
            )
        db.upgrade(database_url)
        with Session(engine) as session:
            stored = session.scalars(select(ReportVersion)).one()
            assert (stored.published_date, stored.signed_date, stored.document_date) == (
                dt.date(2022, 3, 15),
                dt.date(2022, 3, 14),
                dt.date(2022, 3, 14),
            )
            assert stored.signed_by is None
            # old readers: the columns they selected are still there, meaning the same
            old = session.execute(text("SELECT signed_date FROM report_version")).scalar_one()
            assert str(old).startswith("2022-03-14")
    finally:
        engine.dispose()
