"""What a resumed crawl takes from a failed run's archive (`archive.runs.resume`), on each backend:
the rules the crash test (`test_crash.py`) relies on, case by case, through the real archive
path (WARC records, fetch rows, extraction, store)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path

import pytest
from scrapy.settings.default_settings import RETRY_HTTP_CODES
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from archive import ingest as archiving
from archive.runs.resume import read_body, replayable, resumed_runs
from archive.storage.models import CrawlRun
from archive.storage.warc import Reference, WarcWriter, read_capture
from tests.pages import PAGES

PAGE = PAGES / "ah_public" / "hefei_sthjj_2023_attachment_only.html"
PAGE_URL = "https://sthjj.hefei.gov.cn/public/6595211/109476541.html"
FILE = PAGE.with_suffix(".files") / "CgoKF2YBcdOAH1x2AAC4kQ7Rm3s831.pdf"
FILE_URL = "https://sthjj.hefei.gov.cn/group1/M00/CgoKF2YBcdOAH1x2AAC4kQ7Rm3s831.pdf"
LISTING = "https://sthjj.hefei.gov.cn/public/column/1023"
HTML = {"Content-Type": "text/html; charset=utf-8"}


@pytest.fixture
def stack() -> Iterator[ExitStack]:
    """Closes the WARC writers a test opens."""
    with ExitStack() as stack:
        yield stack


def response(url: str, body: bytes, status: int = 200, **headers: str) -> archiving.Response:
    return archiving.Response(url, status, headers or HTML, body, dt.datetime.now(dt.UTC), url)


def failed_run(session: Session, status: str = "failed", sources: list[str] | None = None) -> int:
    run = CrawlRun(trigger="manual", sources=sources or ["hf"], status=status)
    session.add(run)
    session.commit()
    return run.id


def urls(session: Session, run_ids: list[int]) -> set[str]:
    return {entry.final_url for entry in replayable(session, run_ids, RETRY_HTTP_CODES)}


def test_answers_worth_asking_again_are_not_replayed(
    engine: Engine, tmp_path: Path, stack: ExitStack
) -> None:
    listing = b"<html><body>" + b"<a href='/a.html'>a</a>" * 40 + b"</body></html>"
    with Session(engine) as session:
        run = failed_run(session)
        warc = stack.enter_context(WarcWriter(tmp_path / "warc", run))
        archiving.record(session, response(LISTING, listing), warc=warc, crawl_run_id=run)
        archiving.record(session, response(LISTING + "/404", b"gone", 404), warc=warc,
                         crawl_run_id=run)  # fmt: skip
        archiving.record(session, response(LISTING + "/busy", b"busy", 503), warc=warc,
                         crawl_run_id=run)  # fmt: skip
        archiving.record_failure(session, LISTING + "/slow", "DownloadTimeoutError: …",
                                 dt.datetime.now(dt.UTC), run)  # fmt: skip
        session.commit()
        assert urls(session, [run]) == {LISTING, LISTING + "/404"}


def test_a_report_page_waiting_for_its_file_is_asked_again(
    engine: Engine, tmp_path: Path, stack: ExitStack
) -> None:
    """An attachment-only page waits in the crawl's memory for its file: killed in between,
    the page must be fetched again to wait again, or its file would find no report."""
    with Session(engine) as session:
        run = failed_run(session)
        warc = stack.enter_context(WarcWriter(tmp_path / "warc", run))
        page = archiving.process(session, response(PAGE_URL, PAGE.read_bytes()), warc=warc,
                                 crawl_run_id=run)  # fmt: skip
        session.commit()
        assert page.deferred
        assert urls(session, [run]) == set()
        document = response(FILE_URL, FILE.read_bytes(), **{"Content-Type": "application/pdf"})
        done = archiving.process_attachment(
            session, document, page_url=PAGE_URL, page=page.extracted, warc=warc,
            crawl_run_id=run,
        )  # fmt: skip
        session.commit()
        assert done.result is not None  # the report is in: page and file are done with
        assert urls(session, [run]) == {PAGE_URL, FILE_URL}


def test_a_revisit_is_read_with_its_originals_body(engine: Engine, tmp_path: Path) -> None:
    body = PAGE.read_bytes()
    earlier = Reference(PAGE_URL, dt.datetime.now(dt.UTC))
    with Session(engine) as session:
        first, second = failed_run(session), failed_run(session)
        for run, lookup in ((first, None), (second, lambda digest: earlier)):
            with WarcWriter(tmp_path / "warc", run, lookup=lookup) as warc:
                archiving.record(session, response(PAGE_URL, body), warc=warc, crawl_run_id=run)
        session.commit()
        [original] = replayable(session, [first], RETRY_HTTP_CODES)
        [revisit] = replayable(session, [second], RETRY_HTTP_CODES)
        assert read_capture(tmp_path / revisit.warc_file, revisit.warc_offset).body is None
        assert read_body(session, tmp_path, original).body == body
        assert read_body(session, tmp_path, revisit).body == body


def test_a_resume_continues_the_runs_since_the_last_good_one(engine: Engine) -> None:
    with Session(engine) as session:
        failed_run(session, "failed")  # before the last good run: done with
        failed_run(session, "ok")
        killed = failed_run(session, "failed")
        failed_run(session, "failed", sources=["hf", "other"])  # another crawl
        cancelled = failed_run(session, "cancelled")
        failed_run(session, "running")  # the resumed crawl's own run
        assert resumed_runs(session, ["hf"]) == [cancelled, killed]
        assert resumed_runs(session, ["other"]) == []
