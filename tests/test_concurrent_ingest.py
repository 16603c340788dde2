"""Two writer processes ingesting the same pages at once on PostgreSQL end with exactly the
archive one writer makes: no duplicate report, version or sighting, no lost update."""

from __future__ import annotations

import datetime as dt
import multiprocessing
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from archive.extract.page import Extracted
from archive.storage import db
from archive.storage.models import Report, ReportVersion, Sighting
from archive.storage.source_info import SourceInfo
from archive.storage.versions import ingest
from tests.store_samples import (
    AGGREGATOR,
    SIMING,
    SIMING_ID,
    corrected,
    extracted_pages,
    page,
    reposted,
)

pytestmark = pytest.mark.slow

WRITERS = 2
ROUNDS = 3
Plan = list[tuple[Extracted, str, SourceInfo | None]]


def plan() -> Plan:
    """All 19 fixture pages, plus the races worth having: a repost before its original
    (kept, then absorbed), reposts after theirs, corrections (version numbering)."""
    siming = page(SIMING_ID)
    farm = "https://www.zwzxw.com.hk/difang/{}.html"
    steps: Plan = [(reposted(siming, farm.format(1)), farm.format(1), AGGREGATOR)]
    for fixture_id, record in extracted_pages().items():
        source = SIMING if fixture_id == SIMING_ID else None
        steps.append((record, record.url, source))
    for n, fixture_id in enumerate(("trs_wcm/xiamen_sfj_2021", "jpaas/nanchang_xihu_sfj_2023")):
        record = page(fixture_id)
        steps.append((corrected(record), record.url + "?v=2", None))
        steps.append((reposted(record, farm.format(n + 2)), farm.format(n + 2), AGGREGATOR))
    return steps


def write(url: str, steps: Plan, barrier: Any) -> Counter[str]:
    """One writer process: every page ROUNDS times, one transaction per page."""
    engine = db.make_engine(url)
    outcomes: Counter[str] = Counter()
    barrier.wait()
    with Session(engine) as session:
        for round_ in range(ROUNDS):
            for record, page_url, source in steps:
                seen_at = dt.datetime(2024, 3, 1 + round_, tzinfo=dt.UTC)
                result = ingest(session, record, url=page_url, seen_at=seen_at, source=source)
                session.commit()
                outcomes[result.outcome] += 1
    engine.dispose()
    return outcomes


def archive_state(url: str) -> dict[str, Any]:
    """The archive by natural keys (ids differ between runs)."""
    engine = db.make_engine(url)
    with Session(engine) as session:
        versions = session.execute(
            select(Report.identity_key, ReportVersion.version, ReportVersion.content_sha256).join(
                Report, Report.id == ReportVersion.report_id
            )
        )
        seen = session.execute(
            select(
                ReportVersion.content_sha256,
                Sighting.url,
                Sighting.is_repost,
                Sighting.first_seen,
                Sighting.last_seen,
            ).join(ReportVersion, ReportVersion.id == Sighting.version_id)
        )
        state = {"versions": sorted(map(tuple, versions)), "sightings": sorted(map(tuple, seen))}
    engine.dispose()
    return state


@pytest.mark.postgres
@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_two_writer_processes_make_what_one_makes(database_url: str, tmp_path: Path) -> None:
    steps = plan()
    db.upgrade(database_url)
    context = multiprocessing.get_context("spawn")
    with context.Manager() as manager, ProcessPoolExecutor(WRITERS, mp_context=context) as pool:
        barrier = manager.Barrier(WRITERS)
        futures = [pool.submit(write, database_url, steps, barrier) for _ in range(WRITERS)]
        outcomes = sum((f.result(timeout=300) for f in futures), Counter())

    alone = f"sqlite:///{tmp_path}/alone.sqlite3"
    db.upgrade(alone)
    write(alone, steps, _NoBarrier())

    concurrent, sequential = archive_state(database_url), archive_state(alone)
    assert concurrent == sequential
    assert len(concurrent["versions"]) == 19 + 2  # every page, two corrections
    # the three reposts, and the four fixture pages off their publisher's site (a content
    # farm, a forum, a Traditional mirror, a 普法 blog: archive.storage.publisher)
    assert sum(is_repost for _, _, is_repost, _, _ in concurrent["sightings"]) == 3 + 4
    assert outcomes["unchanged"] == (ROUNDS * WRITERS - 1) * len(steps)


class _NoBarrier:
    def wait(self) -> None:
        pass
