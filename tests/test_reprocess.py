"""`fazhi reprocess` on archives whose captures are real pages: each kind of stale row an older
rule left — a derived text, a copy that made a version, a correction stored as a sighting, two
versions today's rules read alike — and what the run makes of it, on SQLite and PostgreSQL.

The stale rows are made the way older code made them: through the archive's own ingest, with
what that code decided (a text with a furniture line it kept, a source saying a mirror was the
publisher's site, an ad-hoc crawl that never spoke for a body), over captures in WARC files.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select, update
from sqlalchemy.orm import Session

from archive import ingest as archiving
from archive.extract import EXTRACTOR_VERSION
from archive.reprocess.progress import Status
from archive.reprocess.run import Summary, reprocess
from archive.reprocess.scope import Only, Scope
from archive.search import index as search_index
from archive.storage import anatomies, dedup
from archive.storage.models import ReportVersion, Sighting, VersionFigure, VersionHistory
from archive.storage.source_info import SourceInfo
from archive.storage.versions import ingest
from archive.storage.warc import WarcWriter
from tests.archive_snapshot import snapshot
from tests.pages import load_pages
from tests.store_samples import AGGREGATOR, SIMING
from tests.test_publisher_versions import (
    CORRECTED,
    MIRROR,
    OWN,
    _html,
    correction_html,
    mirror_of,
)

HTML = {"Content-Type": "text/html; charset=utf-8"}
THREE_REPORTS = ("trs_wcm/xiamen_sfj_2021", "hanweb/quzhou_gov_2023_cn_numeral_year",
                 "trs_wcm/zhuzhou_gov_2022_gbk")  # fmt: skip
SourceOf = Callable[[str], SourceInfo | None]


def registry(url: str) -> SourceInfo | None:
    """Today's registry: 思明区's portal is its own, the Hong Kong mirror is nobody's."""
    return SIMING if "siming.gov.cn" in url else AGGREGATOR if "zwzxw" in url else None


class Archive:
    """An archive being filled with captures, as a crawl fills it."""

    def __init__(self, engine: Engine, data: Path) -> None:
        self.engine, self.data = engine, data
        self.warc = WarcWriter(data / "warc", "test")

    def capture(
        self, html: str, url: str, day: int, source: SourceInfo | None
    ) -> archiving.Processed:
        response = archiving.Response(url, 200, HTML, html.encode("utf-8"), at(day))
        with Session(self.engine) as session:
            done = archiving.process(
                session,
                response,
                warc=self.warc,
                source=source,
                region_hint=source.division_code if source else None,
            )
            session.commit()
        return done

    def capture_bytes(self, body: bytes, url: str, headers: dict[str, str], day: int) -> None:
        with Session(self.engine) as session:
            archiving.process(
                session, archiving.Response(url, 200, headers, body, at(day)), warc=self.warc
            )
            session.commit()

    def run(self, source_of: SourceOf = registry, **options: object) -> Summary:
        scope = Scope(**options)  # type: ignore[arg-type]
        return reprocess(self.engine, root=self.data, source_of=source_of, scope=scope, batch=1)


def at(day: int) -> dt.datetime:
    return dt.datetime(2024, 3, day, 12, tzinfo=dt.UTC)


@pytest.fixture
def archive(engine: Engine, tmp_path: Path) -> Iterator[Archive]:
    made = Archive(engine, tmp_path)
    yield made
    made.warc.close()


def restate(engine: Engine, **values: object) -> None:
    """Every version's stored fields as an older rule had derived them, indexed as it was."""
    with Session(engine) as session:
        ids = list(session.scalars(select(ReportVersion.id)))
        for version_id in ids:
            search_index.drop_version(session, version_id)
        session.execute(update(ReportVersion).values(extractor_version=None, **values))
        for version_id in ids:
            search_index.add_version(session, version_id)
        session.commit()


def versions(engine: Engine) -> list[str]:
    with Session(engine) as session:
        return list(session.scalars(select(ReportVersion.text).order_by(ReportVersion.version)))


def on(engine: Engine, url: str) -> list[tuple[int, bool, str | None]]:
    """(version number, is_repost, own text) of each sighting at URL."""
    with Session(engine) as session:
        rows = session.execute(
            select(ReportVersion.version, Sighting.is_repost, Sighting.text)
            .join(ReportVersion, ReportVersion.id == Sighting.version_id)
            .where(Sighting.url == url)
        )
        return [tuple(row) for row in rows]


def test_an_archive_made_by_todays_rules_only_gains_the_extractor_version(
    archive: Archive,
) -> None:
    archive.capture(mirror_of(_html()), MIRROR, 10, registry(MIRROR))
    archive.capture(_html(), OWN, 13, registry(OWN))
    archive.capture(correction_html(), CORRECTED, 20, registry(CORRECTED))
    before = snapshot(archive.engine)

    summary = archive.run()

    assert summary.events == []
    assert {k: v for k, v in summary.counts.items() if k not in ("reports", "versions")} == {}
    assert snapshot(archive.engine) == before  # ingest records the version already
    assert summary.processed["versions"] == 2


def test_an_older_extractors_text_is_replaced_in_place_and_kept(archive: Archive) -> None:
    archive.capture(_html(), OWN, 13, registry(OWN))
    today = versions(archive.engine)
    older = today[0] + "\n浏览次数：1024"  # a counter line an older rule kept
    restate(archive.engine, text=older, content_sha256=dedup.content_key(older, "x"))

    summary = archive.run()

    assert versions(archive.engine) == today  # the same version, today's text
    assert summary.counts["texts_replaced"] == 1 and "version-added" not in summary.counts
    with Session(archive.engine) as session:
        kept = session.execute(select(VersionHistory.text, VersionHistory.reason)).all()
        assert [tuple(row) for row in kept] == [(older, "rederived")]
        stamp = session.scalar(select(ReportVersion.extractor_version))
        assert stamp == EXTRACTOR_VERSION
    after = snapshot(archive.engine)
    assert archive.run().counts == {"reports": 1, "versions": 1}
    assert snapshot(archive.engine) == after


def test_a_copy_that_made_a_version_becomes_a_sighting_of_the_publishers(
    archive: Archive,
) -> None:
    """Issue 19, item 5: before the publisher rule a mirror naming the body spoke for it."""
    says_it_is_siming = dataclasses.replace(SIMING, slug="old-rule", domains=("zwzxw.com.hk",))
    archive.capture(mirror_of(_html()), MIRROR, 10, says_it_is_siming)
    archive.capture(_html(), OWN, 13, SIMING)
    assert len(versions(archive.engine)) == 2  # the old rule's archive

    summary = archive.run()

    own = archive.capture(_html(), OWN, 14, SIMING).extracted
    assert own is not None
    assert versions(archive.engine) == [own.text]
    [(number, repost, text)] = on(archive.engine, MIRROR)
    assert (number, repost) == (1, True) and text is not None and text != own.text
    assert [e["kind"] for e in summary.events] == ["sighting-moved", "version-removed"]
    with Session(archive.engine) as session:
        assert session.scalar(select(VersionHistory.reason)) == "removed"


def test_a_correction_stored_as_a_sighting_becomes_a_version(archive: Archive) -> None:
    """Issue 19, item 5: an ad-hoc crawl's pages never spoke, so its 更正 at a new URL was a
    sighting of version 1, and before schema 0012 its own text was not even kept."""
    archive.capture(_html(), OWN, 13, SIMING)
    archive.capture(correction_html(), CORRECTED, 20, AGGREGATOR)
    with Session(archive.engine) as session:
        session.execute(update(Sighting).values(text=None, extractor_version=None))
        session.commit()
    assert len(versions(archive.engine)) == 1

    summary = archive.run()

    texts = versions(archive.engine)
    assert len(texts) == 2 and "更正说明" in texts[1]
    assert on(archive.engine, CORRECTED) == [(2, False, None)]
    assert on(archive.engine, OWN) == [(1, False, None)]
    assert [e["kind"] for e in summary.events] == ["version-added", "sighting-moved"]
    after = snapshot(archive.engine)
    assert archive.run().events == []
    assert snapshot(archive.engine) == after


def test_two_versions_identical_under_todays_rules_are_reported_not_merged(
    archive: Archive,
) -> None:
    """An older rule kept a timestamp line that differed between two captures of one text:
    two versions. Today both read alike: reported, both kept, each on its own capture."""
    first = archive.capture(_html(), OWN, 13, SIMING)
    assert first.extracted is not None
    with Session(archive.engine) as session:
        fetch_id = archiving.record(
            session,
            archiving.Response(CORRECTED, 200, HTML, _html().encode(), at(15)),
            warc=archive.warc,
        )
        stamped = first.extracted.text + "\n2024-03-15 09:52"
        old = dataclasses.replace(first.extracted, text=stamped, text_original=stamped)
        ingest(session, old, url=CORRECTED, seen_at=at(15), fetch_id=fetch_id, source=SIMING)
        session.commit()
    before = versions(archive.engine)

    summary = archive.run()

    assert versions(archive.engine) == before
    assert [e["kind"] for e in summary.events] == ["identical"]
    assert (summary.events[0]["version"], summary.events[0]["same_as_version"]) == (2, 1)
    assert on(archive.engine, CORRECTED) == [(2, False, None)]
    after = snapshot(archive.engine)
    assert [e["kind"] for e in archive.run().events] == ["identical"]
    assert snapshot(archive.engine) == after


def test_a_run_stopped_between_batches_resumes_where_it_stopped(
    archive: Archive, engine: Engine, tmp_path: Path
) -> None:
    """The checkpoint, in-process (a killed `fazhi reprocess`: tests/test_reprocess_crawled.py)."""
    pages = {p.id: p for p in load_pages()}
    for day, fixture in enumerate(THREE_REPORTS, start=1):
        page = pages[fixture]
        archive.capture_bytes(page.body(), page.url, page.headers(), day)
    restate(engine, title="旧标题")

    class Stop(Exception):
        pass

    def stop_after_one(status: Status) -> None:
        if status.phase == "reports":
            raise Stop

    with pytest.raises(Stop):
        reprocess(
            engine,
            root=tmp_path,
            source_of=registry,
            scope=Scope(),
            batch=1,
            progress=stop_after_one,
        )
    with Session(engine) as session:
        stale = (
            select(func.count()).select_from(ReportVersion).where(ReportVersion.title == "旧标题")
        )
        assert session.scalar(stale) == 2
    resumed = archive.run()
    assert resumed.resumed and resumed.processed["reports"] == 2
    assert resumed.counts["texts_replaced"] == 3


def test_only_anatomy_derives_the_anatomy_again_and_nothing_else(archive: Archive) -> None:
    archive.capture(_html(), OWN, 13, registry(OWN))
    made = snapshot(archive.engine)
    with Session(archive.engine) as session:
        version_id = session.scalar(select(ReportVersion.id))
        assert version_id is not None
        derived = len(session.scalars(select(VersionFigure)).all())
        anatomies.drop(session, version_id)  # as before the anatomy rules
        session.commit()

    summary = archive.run(only=Only.ANATOMY)

    assert summary.counts == {"reports": 1, "versions": 1, "anatomy_rederived": 1}
    with Session(archive.engine) as session:
        assert len(session.scalars(select(VersionFigure)).all()) == derived > 0
    assert snapshot(archive.engine) == made
    assert archive.run(only=Only.ANATOMY).counts == {"reports": 1, "versions": 1}
    assert archive.run().counts == {"reports": 1, "versions": 1}
