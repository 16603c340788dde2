"""Every page of the replica ingested in shuffled orders: each report ends with exactly its
publisher's versions and every copy is a sighting of the version it copies, whatever arrived
first — on SQLite and PostgreSQL, with the sources a crawl gives and with none.

The pages are the replica's own (both phases, over HTTP), stored through
``archive.ingest.process`` as the crawl's archiver stores them: with the registry entry of
the site they are on and its division as the region hint, and an attachment-only page's file
right after it. Without sources the pages must say whose site they are
(archive.storage.publisher): the decision must come out the same.
"""

from __future__ import annotations

import datetime as dt
import random
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from archive import ingest as archiving
from archive.storage import dedup
from archive.storage.models import Report, ReportVersion, Sighting
from archive.storage.source_info import SourceInfo
from crawler.registry import load
from tests.crawl_process import write_registry
from tests.replica.server import start_replica

pytestmark = pytest.mark.slow

ORDERS = 5
START = dt.datetime(2024, 3, 1, tzinfo=dt.UTC)


@dataclass(frozen=True)
class Arrival:
    """One copy of a report as served in one phase, with its files when attachment-only."""

    report: str
    phase: int
    url: str
    site: str
    response: archiving.Response
    files: tuple[archiving.Response, ...]


@dataclass(frozen=True)
class Replica:
    arrivals: list[Arrival]
    manifest: dict[str, Any]  # both phases' copies: phase 2's manifest lists phase 1's too
    sources: dict[str, SourceInfo]


def _get(url: str) -> archiving.Response:
    try:
        with urllib.request.urlopen(url) as answer:
            status, headers, body = answer.status, dict(answer.headers), answer.read()
    except urllib.error.HTTPError as error:
        status, headers, body = error.code, dict(error.headers), error.read()
    return archiving.Response(url=url, status=status, headers=headers, body=body, fetched_at=START)


@pytest.fixture(scope="module")
def replica(tmp_path_factory: pytest.TempPathFactory) -> Replica:
    folder = tmp_path_factory.mktemp("orders")
    arrivals = []
    with start_replica(phase=1) as served:
        registry = load(write_registry(served.registry_entries(), folder / "replica.yaml"))
        for phase in (1, 2):
            served.set_phase(phase)
            manifest = served.manifest()
            for report in manifest["reports"]:
                files = tuple(_get(f["url"]) for f in report["files"] if phase in f["text"])
                arrivals += [
                    Arrival(
                        report["key"], phase, copy["url"], copy["site"], _get(copy["url"]), files
                    )
                    for copy in report["copies"]
                    if phase in copy["text"]
                ]
    sources = {source.slug: source.info() for source in registry}
    return Replica(arrivals, manifest, sources)


def ingest_all(engine: Engine, arrivals: list[Arrival], sources: dict[str, SourceInfo]) -> None:
    """As the archiver stores a crawl's pages: one transaction each, the file after its page."""
    with Session(engine) as session:
        for n, arrival in enumerate(arrivals):
            at = START + dt.timedelta(hours=n)
            source = sources.get(arrival.site)
            done = archiving.process(
                session,
                _at(arrival.response, at),
                source=source,
                region_hint=source.division_code if source else None,
            )
            assert done.error is None, (arrival.url, done.error)
            for file in arrival.files if done.deferred else ():
                archiving.process_attachment(
                    session, _at(file, at), page_url=arrival.url, page=done.extracted, source=source
                )
            session.commit()


def _at(response: archiving.Response, moment: dt.datetime) -> archiving.Response:
    return archiving.Response(
        response.url, response.status, response.headers, response.body, fetched_at=moment
    )


def _nearest(text: str, labels: dict[str, str]) -> str:
    """The manifest text label TEXT is (extraction is near the reader's text, not equal)."""
    shingles = dedup.shingle_hashes(text)
    return max(labels, key=lambda k: dedup.similarity(shingles, dedup.shingle_hashes(labels[k])))


def expected_versions(report: dict[str, Any], texts: dict[str, str]) -> set[str]:
    """The publisher's distinct texts over both phases; a report only copies carry has one
    repost-only version per distinct copied text."""
    own = [c for c in report["copies"] if not c["repost"]] + report["files"]
    labels = {label for entry in own for label in entry["text"].values() if texts[label]}
    return labels or {label for c in report["copies"] for label in c["text"].values()}


def copied(report: dict[str, Any], copy: dict[str, Any], texts: dict[str, str]) -> set[str]:
    """The texts a copy served: its own, or its files' when it is an attachment-only page."""
    return {
        label
        for phase, own in copy["text"].items()
        for label in (
            [own]
            if texts[own]
            else [f["text"][phase] for f in report["files"] if phase in f["text"]]
        )
    }


@pytest.mark.parametrize("seed", range(ORDERS))
@pytest.mark.parametrize("with_sources", [True, False], ids=["registry", "pages-alone"])
def test_each_report_has_exactly_its_publishers_versions_in_any_order(
    engine: Engine, replica: Replica, seed: int, with_sources: bool
) -> None:
    order = list(replica.arrivals)
    random.Random(seed).shuffle(order)
    ingest_all(engine, order, replica.sources if with_sources else {})

    manifest, texts = replica.manifest, replica.manifest["texts"]
    with Session(engine) as session:
        assert session.scalar(select(func.count()).select_from(Report)) == len(manifest["reports"])
        for report in manifest["reports"]:
            expected = expected_versions(report, texts)
            candidates = {label: texts[label] for label in expected}
            urls = [c["url"] for c in report["copies"]]
            report_ids = set(
                session.scalars(
                    select(ReportVersion.report_id)
                    .join(Sighting, Sighting.version_id == ReportVersion.id)
                    .where(Sighting.url.in_(urls))
                )
            )
            assert len(report_ids) == 1, (report["key"], report_ids)
            versions = session.scalars(
                select(ReportVersion).where(ReportVersion.report_id == report_ids.pop())
            ).all()
            label_of = {v.id: _nearest(v.text, candidates) for v in versions}
            assert sorted(label_of.values()) == sorted(expected), report["key"]
            for copy in report["copies"]:
                rows = session.execute(
                    select(Sighting.version_id, Sighting.is_repost).where(
                        Sighting.url == copy["url"]
                    )
                ).all()
                seen = {label_of[version_id] for version_id, _ in rows}
                served = {
                    _nearest(texts[label], candidates) for label in copied(report, copy, texts)
                }
                assert seen == served, (report["key"], copy["url"])
                assert {is_repost for _, is_repost in rows} == {copy["repost"]}, copy["url"]
