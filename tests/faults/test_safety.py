"""Safety (docs/reliability.md): no request leaves its source, none reaches a private address
without FAZHI_ALLOW_PRIVATE=1, attachment names are safe, page text is only ever data."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from archive.ingest import Response, process
from archive.storage import db
from archive.storage.attachments import FILE_NAME_MAX_BYTES, file_name
from archive.storage.models import CrawlRun, Fetch, ReportVersion
from tests.faults.conftest import Crawled
from tests.faults.crawl import crawl
from tests.faults.portal import NUL_TITLE, SQL_TITLE, start_portal, title_pages


@pytest.mark.slow
def test_no_request_left_the_source(hostile_crawl: Crawled) -> None:
    """Off-site links and redirects, to another host and to another port of the same host."""
    portal = hostile_crawl.portal
    assert portal.requests_to("elsewhere") == []
    assert portal.requests_to("other-port") == []
    assert hostile_crawl.stats["fazhi/offsite"] == 2  # the listing's two off-site links
    assert hostile_crawl.stats["fazhi/redirect/offsite"] == 2
    stolen = hostile_crawl.db.execute("SELECT count(*) FROM fetch WHERE url LIKE '%/stolen.html'")
    assert stolen.fetchone()[0] == 0


@pytest.mark.slow
def test_private_addresses_are_refused_without_the_flag(tmp_path: Path) -> None:
    with start_portal() as portal:
        run = crawl(portal, tmp_path, allow_private=False)
        assert portal.hits == []  # not even robots.txt
    # nothing fetched: the run judges itself failed, and says so with its exit code
    assert run.returncode == 1, run.stderr[-3000:]
    assert "verdict failed" in run.stdout
    engine = db.make_engine(f"sqlite:///{tmp_path}/archive.sqlite3")
    with Session(engine) as session:
        errors = dict(session.execute(select(Fetch.url, Fetch.error)).all())
        [(verdict, why)] = session.execute(select(CrawlRun.verdict, CrawlRun.verdict_reasons))
    engine.dispose()
    assert (verdict, why) == ("failed", "no page fetched (2 requests failed)")
    # the home page, and robots.txt the spider reads for its Sitemap: lines
    assert set(errors) == {portal.base + "/", portal.base + "/robots.txt"}
    error = errors[portal.base + "/"]
    assert error.startswith(
        f"PrivateAddressRefused: refused {portal.base}/: 127.0.0.1 is a private"
    )
    assert "FAZHI_ALLOW_PRIVATE=1" in error


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("../../etc/passwd", "passwd"),
        ("..\\..\\windows\\system32\\config", "config"),
        ("%2e%2e%2f报告.pdf", "%2e%2e%2f报告.pdf"),  # anchors are not URL-decoded: harmless text
        ("报告\x00\x1b[31m.pdf", "报告[31m.pdf"),  # controls (an escape sequence) dropped
        ("\u202efdp.exe", "fdp.exe"),  # a bidi override that would show "exe.pdf"
        ("附件\u200b1.docx", "附件1.docx"),  # zero-width space
        ("CON", "CON_"),  # names Windows reserves
        ("nul.pdf", "nul_.pdf"),
        ("...", "attachment"),
        ("  .hidden. ", "hidden"),
        ("2023年法治政府建设情况报告（全文）.pdf", "2023年法治政府建设情况报告（全文）.pdf"),
    ],
)
def test_attachment_names_are_sanitised(name: str, expected: str) -> None:
    assert file_name(name, "https://a.gov.cn/f") == expected


def test_long_attachment_names_fit_a_file_system_and_keep_their_extension() -> None:
    name = file_name("法治政府" * 100 + ".pdf", "https://a.gov.cn/f")
    assert len(name.encode()) <= FILE_NAME_MAX_BYTES
    assert name.endswith(".pdf") and name.startswith("法治政府")


@pytest.mark.parametrize("path", ["/sql-title.html", "/nul.html"])
def test_hostile_titles_are_data_on_every_backend(database_url: str, path: str) -> None:
    """What the crawl test shows on SQLite, on PostgreSQL too: SQL lands as text, and NUL
    (which PostgreSQL text cannot hold) never reaches the database."""
    db.upgrade(database_url)
    engine = db.make_engine(database_url)
    response = Response(
        url="https://hostile.gov.cn" + path,
        status=200,
        headers={"Content-Type": "text/html; charset=utf-8"},
        body=title_pages()[path],
        fetched_at=dt.datetime.now(dt.UTC),
    )
    with Session(engine) as session:
        done = process(session, response)
        session.commit()
        titles = session.scalars(select(ReportVersion.title)).all()
    engine.dispose()
    assert done.error is None and done.result is not None
    expected = SQL_TITLE if path == "/sql-title.html" else NUL_TITLE
    assert titles == [expected.replace("\x00", "").replace("\x07", "")]
