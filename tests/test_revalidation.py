"""Conditional requests (archive/storage/revalidation.py, crawler/conditional.py).

The crawl-level proof is in tests/test_crawl_e2e.py: the second run's unchanged static report
pages answer 304 and are seen again, the page corrected in place answers whole and is a new
version.
"""

from __future__ import annotations

import asyncio
import datetime as dt

from scrapy import Request
from scrapy.utils.test import get_crawler
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from archive.storage import fetches, revalidation, versions
from archive.storage.models import ReportVersion, Sighting
from crawler.conditional import ConditionalRequests
from crawler.discovery import LinkKind
from tests.store_samples import SIMING, SIMING_ID, page

URL = "https://www.siming.gov.cn/xxgk/fzzfjs/202403/t20240313_1.htm"
DAY1 = dt.datetime(2024, 3, 20, 8, tzinfo=dt.UTC)
DAY2 = dt.datetime(2024, 4, 20, 8, tzinfo=dt.UTC)
GIVEN = {"Content-Type": "text/html", "ETag": '"5f1a-2c3"', "Last-Modified": "Wed, 13 Mar 2024"}


def _captured(session: Session, headers: dict[str, str], final_url: str | None = None) -> int:
    fetch_id = fetches.record_fetch(
        session, url=URL, final_url=final_url, fetched_at=DAY1, status=200, headers=headers
    )
    versions.ingest(
        session, page(SIMING_ID), url=URL, seen_at=DAY1, fetch_id=fetch_id, source=SIMING
    )
    return fetch_id


def test_validators_come_from_the_latest_full_capture(engine: Engine) -> None:
    with Session(engine) as session:
        assert revalidation.validators(session, URL) == {}  # never fetched
        _captured(session, {"content-type": "text/html"})
        assert revalidation.validators(session, URL) == {}  # a server that gives none
        _captured(session, GIVEN)
        fetches.record_fetch(session, url=URL, fetched_at=DAY2, status=503, headers={})
        assert revalidation.validators(session, URL) == {
            "If-None-Match": '"5f1a-2c3"',
            "If-Modified-Since": "Wed, 13 Mar 2024",
        }


def test_a_capture_through_a_redirect_gives_no_validator(engine: Engine) -> None:
    with Session(engine) as session:
        _captured(session, GIVEN, final_url=URL + "?moved=1")
        assert revalidation.validators(session, URL) == {}


def test_not_modified_moves_the_sighting_and_the_version_forward_only(engine: Engine) -> None:
    with Session(engine) as session:
        _captured(session, GIVEN)
        answer = fetches.record_fetch(session, url=URL, fetched_at=DAY2, status=304)
        seen = revalidation.not_modified(session, URL, DAY2, answer)
        assert seen is not None and seen.outcome is versions.Outcome.UNCHANGED
        sighting = session.scalars(select(Sighting).where(Sighting.url == URL)).one()
        version = session.get(ReportVersion, seen.version_id)
        assert version is not None
        assert (sighting.fetch_id, sighting.last_seen, version.last_seen) == (answer, DAY2, DAY2)
        assert sighting.first_seen == DAY1
        late = fetches.record_fetch(session, url=URL, fetched_at=DAY1, status=304)
        revalidation.not_modified(session, URL, DAY1, late)  # an older answer, stored late
        session.refresh(sighting)
        assert (sighting.fetch_id, sighting.last_seen) == (answer, DAY2)


def test_not_modified_without_a_version_there_is_nothing_seen(engine: Engine) -> None:
    with Session(engine) as session:
        answer = fetches.record_fetch(session, url=URL, fetched_at=DAY2, status=304)
        assert revalidation.not_modified(session, URL, DAY2, answer) is None


def _request(kind: str) -> Request:
    return Request(URL, cb_kwargs={"kind": kind, "url": URL})


def test_only_report_pages_and_files_are_asked_conditionally(
    engine: Engine, database_url: str
) -> None:
    with Session(engine) as session:
        _captured(session, GIVEN)
        session.commit()
    middleware = ConditionalRequests(get_crawler(), database_url)
    report, listing = _request(LinkKind.CANDIDATE), _request(LinkKind.LISTING)
    asyncio.run(middleware.process_request(report))
    asyncio.run(middleware.process_request(listing))
    middleware.close()
    assert report.headers[b"If-None-Match"] == b'"5f1a-2c3"'
    assert b"If-None-Match" not in listing.headers


def test_a_database_that_cannot_answer_costs_only_the_condition() -> None:
    middleware = ConditionalRequests(get_crawler(), "postgresql://nobody@127.0.0.1:1/none")
    request = _request(LinkKind.CANDIDATE)
    asyncio.run(middleware.process_request(request))  # logged, not raised
    assert middleware.unavailable and b"If-None-Match" not in request.headers
