"""Report versions and sightings: :func:`ingest` decides which report and version a page is, and
where it was seen, inside the caller's transaction.

The rules it applies (same text, nearly the same text, same report identity, the publisher's
own site, reposts and repost-only reports, concurrent writers) are stated once, in
docs/dedup.md. Whose site a page is on: :mod:`archive.storage.publisher`; which version a copy
copies: :mod:`archive.storage.copies`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from sqlalchemy import Text, case, delete, func, literal, select, update
from sqlalchemy.orm import Session

from archive.errors import ArchiveError
from archive.extract import EXTRACTOR_VERSION
from archive.search import index as search_index
from archive.storage import anatomies, copies, dedup
from archive.storage.models import (
    Attachment,
    Report,
    ReportVersion,
    Sighting,
)
from archive.storage.publisher import speaks_for_a_body
from archive.storage.rows import (
    dialect_insert,
    earliest_published,
    lock_version,
    sighting_seen_at,
    source_id,
    widen_seen,
)
from archive.storage.source_info import SourceInfo

if TYPE_CHECKING:
    from datasketch import LeanMinHash

    from archive.extract.page import Extracted

ORPHAN = "repost:"  # identity_key prefix of a repost-only report
MAX_ATTEMPTS = 5  # each lost race means a rival row now exists: a redo then finds it


class IngestConflict(ArchiveError):
    """A page kept losing insert races: another writer keeps changing the same rows."""


class Outcome(StrEnum):
    NEW_REPORT = "new_report"  # version 1 of a report not seen before
    NEW_VERSION = "new_version"  # version n + 1 of a known report
    NEW_SIGHTING = "new_sighting"  # a known version at a new URL
    REPOST = "repost"  # a known version at a new URL, flagged as a repost
    UNCHANGED = "unchanged"  # a known version at a known URL: only last_seen moved


@dataclass(frozen=True)
class IngestResult:
    outcome: Outcome
    report_id: int
    version_id: int
    sighting_id: int
    is_repost: bool
    attached: tuple[int, ...] = ()  # repost-only reports merged into this one


@dataclass(frozen=True)
class _Page:
    """One page, with every key computed once, before any database work."""

    extracted: Extracted
    url: str
    host: str
    seen_at: dt.datetime
    fetch_id: int | None
    source: SourceInfo | None
    source_id: int | None
    identity: str
    content: str
    agency: str | None  # normalised
    signature: LeanMinHash | None
    speaks_for_a_body: bool  # its publisher's own page (archive.storage.publisher)

    def reposts(self, report_agency: str | None) -> bool:
        """Whether this page is a repost of a report whose normalised body is REPORT_AGENCY."""
        if not self.speaks_for_a_body:
            return True
        return self.agency is not None and self.agency != report_agency


@dataclass(frozen=True)
class _Known:
    """A stored version and the report it belongs to."""

    version_id: int
    report_id: int
    identity: str
    agency: str | None  # normalised
    year: int | None
    published: dt.date | None  # the version's publication date

    @property
    def repost_only(self) -> bool:
        return self.identity.startswith(ORPHAN)


def ingest(
    session: Session,
    extracted: Extracted,
    *,
    url: str,
    seen_at: dt.datetime,
    fetch_id: int | None = None,
    source: SourceInfo | None = None,
) -> IngestResult:
    """Archive one extracted page seen at URL (see the module doc for what it decides)."""
    page = _page(session, extracted, url, seen_at, fetch_id, source)
    for _ in range(MAX_ATTEMPTS):
        result = _attempt(session, page)
        if result is not None:
            return result
    raise IngestConflict(f"gave up after {MAX_ATTEMPTS} lost insert races", url)


def _page(
    session: Session,
    extracted: Extracted,
    url: str,
    seen_at: dt.datetime,
    fetch_id: int | None,
    source: SourceInfo | None,
) -> _Page:
    identity = dedup.identity_key(extracted.agency, extracted.report_year, extracted.title, url)
    return _Page(
        extracted=extracted,
        url=url,
        host=(urlsplit(url).hostname or "").lower(),
        seen_at=seen_at,
        fetch_id=fetch_id,
        source=source,
        source_id=source_id(session, source) if source is not None else None,
        identity=identity,
        content=dedup.content_key(extracted.text, identity),
        agency=dedup.agency_key(extracted.agency),
        signature=dedup.signature(extracted.text),
        speaks_for_a_body=speaks_for_a_body(extracted, url, source),
    )


def _attempt(session: Session, page: _Page) -> IngestResult | None:
    """One pass of the decision; None when an insert lost a race and the page must be redone."""
    same = _known(session, ReportVersion.content_sha256 == page.content)
    if same:
        if same[0].repost_only and page.speaks_for_a_body:
            return _adopt(session, page, same[0])
        return _sight(session, page, same[0], copied=None)
    near = _near(session, page.signature) if page.signature else []
    matches = {k.version_id: k for k in near if _is_copy_of(page, k)}
    if matches:
        match = matches[copies.closest(session, page.extracted.text, list(matches))]
        return _sight(session, page, match, copied=page.extracted.text)
    orphans = [k for k in near if k.repost_only] if page.speaks_for_a_body else []
    return _new_version(session, page, orphans)


def _near(session: Session, signature: LeanMinHash) -> list[_Known]:
    """Stored versions nearly the same as SIGNATURE's text, most similar first."""
    candidates = dedup.near_duplicates(session, signature)
    if not candidates:
        return []
    where = ReportVersion.id.in_([c.version_id for c in candidates])
    known = {k.version_id: k for k in _known(session, where)}
    return [known[c.version_id] for c in candidates if c.version_id in known]


def _known(session: Session, where: Any) -> list[_Known]:
    rows = session.execute(
        select(
            ReportVersion.id,
            ReportVersion.report_id,
            Report.identity_key,
            Report.agency,
            Report.report_year,
            ReportVersion.published_date,
        )
        .join(Report, Report.id == ReportVersion.report_id)
        .where(where)
    )
    return [
        _Known(
            row.id,
            row.report_id,
            row.identity_key,
            dedup.agency_key(row.agency),
            row.report_year,
            row.published_date,
        )
        for row in rows
    ]


def _is_copy_of(page: _Page, known: _Known) -> bool:
    """Whether a near-identical stored version is what this page shows (rule 2).

    A page speaking for its body makes its own versions (rule 3) and absorbs repost-only ones,
    so it matches only another body's report, or any report when it names no body. A repost
    matches any report but the same body's report for another year.
    """
    same_body = page.agency is not None and page.agency == known.agency
    if page.speaks_for_a_body:
        return not known.repost_only and not same_body
    return not (same_body and page.extracted.report_year != known.year)


def _sight(session: Session, page: _Page, known: _Known, copied: str | None) -> IngestResult | None:
    """A sighting of KNOWN; COPIED: the page's own text, when it is not the version's."""
    if lock_version(session, known.version_id, exclusive=False) is None:
        return None  # absorbed meanwhile: decide again
    repost = page.reposts(known.agency)
    sighting_id, stored_repost, created = _upsert_sighting(
        session, known.version_id, page, repost, copied
    )
    widen_seen(session, known.version_id, page.seen_at, page.seen_at)
    published = page.extracted.published_date
    if (  # the publisher's earlier page; the UPDATE checks again against a concurrent writer
        not stored_repost
        and published
        and (known.published is None or published < known.published)
        and earliest_published(session, known.version_id, published)
    ):
        search_index.dates_changed(session, known.report_id)
    if not created:
        outcome = Outcome.UNCHANGED
    else:
        outcome = Outcome.REPOST if stored_repost else Outcome.NEW_SIGHTING
    return IngestResult(outcome, known.report_id, known.version_id, sighting_id, stored_repost)


def _new_version(session: Session, page: _Page, orphans: list[_Known]) -> IngestResult | None:
    speaks = page.speaks_for_a_body
    report_id, created = _report_for(
        session, page, page.identity if speaks else ORPHAN + page.content
    )
    if report_id is None:
        return None
    number = _next_number(session, report_id)
    version_id = session.scalar(
        dialect_insert(session, ReportVersion)
        .values(
            report_id=report_id,
            version=number,
            content_sha256=page.content,
            signature=dedup.to_bytes(page.signature) if page.signature else None,
            text=page.extracted.text,
            first_seen=page.seen_at,
            last_seen=page.seen_at,
            **version_fields(page.extracted),
        )
        .on_conflict_do_nothing()
        .returning(ReportVersion.id)
    )
    if version_id is None:  # a rival wrote this text first: it is a sighting of theirs
        if created:
            session.execute(delete(Report).where(Report.id == report_id))
        return None
    if page.signature is not None:
        dedup.index_bands(session, version_id, page.signature)
    search_index.add_version(session, version_id)
    anatomies.store_extracted(session, version_id, page.extracted)
    sighting_id, _, _ = _upsert_sighting(session, version_id, page, repost=not speaks)
    attached = tuple(o.report_id for o in orphans if _absorb(session, o, version_id))
    if speaks:
        copies.settle(session, report_id)
    outcome = Outcome.NEW_REPORT if number == 1 else Outcome.NEW_VERSION
    return IngestResult(outcome, report_id, version_id, sighting_id, not speaks, attached)


def _adopt(session: Session, page: _Page, orphan: _Known) -> IngestResult | None:
    """The original of a repost-only version arrives with the very same text."""
    report_id, created = _report_for(session, page, page.identity)
    if report_id is None:
        return None
    current = lock_version(session, orphan.version_id, exclusive=True)
    if current != orphan.report_id:  # adopted or absorbed meanwhile
        if created:
            session.execute(delete(Report).where(Report.id == report_id))
        return None
    number = _next_number(session, report_id)
    session.execute(
        update(ReportVersion)
        .where(ReportVersion.id == orphan.version_id)
        .values(report_id=report_id, version=number, **version_fields(page.extracted))
        .execution_options(synchronize_session=False)
    )
    search_index.refresh_version(session, orphan.version_id)
    anatomies.store_extracted(session, orphan.version_id, page.extracted)
    session.execute(delete(Report).where(Report.id == orphan.report_id))
    sighting_id, _, _ = _upsert_sighting(session, orphan.version_id, page, repost=False)
    widen_seen(session, orphan.version_id, page.seen_at, page.seen_at)
    copies.settle(session, report_id)
    outcome = Outcome.NEW_REPORT if number == 1 else Outcome.NEW_VERSION
    return IngestResult(
        outcome, report_id, orphan.version_id, sighting_id, False, (orphan.report_id,)
    )


def _absorb(session: Session, orphan: _Known, version_id: int) -> bool:
    """Move a repost-only version's sightings and attachments to the original's version; the
    sightings keep the repost-only text as their own (the original's differs)."""
    if lock_version(session, orphan.version_id, exclusive=True) != orphan.report_id:
        return False  # someone else absorbed it first
    first, last, text = session.execute(
        select(ReportVersion.first_seen, ReportVersion.last_seen, ReportVersion.text).where(
            ReportVersion.id == orphan.version_id
        )
    ).one()
    for model in (Sighting, Attachment):
        taken = select(model.url).where(model.version_id == version_id)
        own = {"text": func.coalesce(Sighting.text, text)} if model is Sighting else {}
        session.execute(
            update(model)
            .where(model.version_id == orphan.version_id, model.url.not_in(taken))
            .values(version_id=version_id, **own)
            .execution_options(synchronize_session=False)
        )
        session.execute(delete(model).where(model.version_id == orphan.version_id))
    widen_seen(session, version_id, first, last)
    dedup.drop_bands(session, orphan.version_id)
    search_index.drop_version(session, orphan.version_id)
    anatomies.drop(session, orphan.version_id)
    session.execute(delete(ReportVersion).where(ReportVersion.id == orphan.version_id))
    session.execute(delete(Report).where(Report.id == orphan.report_id))
    return True


def _report_for(session: Session, page: _Page, identity: str) -> tuple[int | None, bool]:
    """The report of IDENTITY, locked for numbering its versions; True if created now."""
    speaks = not identity.startswith(ORPHAN)
    created = session.scalar(
        dialect_insert(session, Report)
        .values(
            identity_key=identity,
            **report_fields(page.extracted, page.source if speaks else None),
            source_id=page.source_id if speaks else None,
            created_at=page.seen_at,
        )
        .on_conflict_do_nothing()
        .returning(Report.id)
    )
    if created is not None:
        return created, True
    existing = session.scalar(
        select(Report.id).where(Report.identity_key == identity).with_for_update()
    )
    return existing, False


def report_fields(extracted: Extracted, source: SourceInfo | None) -> dict[str, Any]:
    """What a report takes from its publisher's page (SOURCE: its site's registry entry, for
    the region a page does not name)."""
    region = extracted.region
    from_source = source if region is None else None
    return {
        "agency": extracted.agency,
        "report_year": extracted.report_year,
        "province": region.province if region else from_source and from_source.province,
        "city": region.city if region else from_source and from_source.city,
        "county": region.county if region else from_source and from_source.county,
        "division_code": region.code if region else from_source and from_source.division_code,
    }


def _next_number(session: Session, report_id: int) -> int:
    latest = session.scalar(
        select(func.max(ReportVersion.version)).where(ReportVersion.report_id == report_id)
    )
    return (latest or 0) + 1


def version_fields(extracted: Extracted) -> dict[str, Any]:
    """What a version takes from its page besides the text: the original's wins on adoption."""
    return {
        "title": extracted.title,
        "title_original": extracted.title_original,
        "text_original": extracted.text_original,
        "published_date": extracted.published_date,
        "signed_date": extracted.signed_date,
        "signed_by": extracted.signed_by,
        "document_date": extracted.document_date,
        "metadata_": dict(extracted.metadata),
        "script": extracted.script,
        "repairs": list(extracted.repairs),
        "extractor_version": EXTRACTOR_VERSION,
    }


def _upsert_sighting(
    session: Session, version_id: int, page: _Page, repost: bool, copied: str | None = None
) -> tuple[int, bool, bool]:
    """(id, is_repost as stored, created). A known URL keeps its flag; its times widen and it
    points at the latest fetch and keeps the latest text (COPIED: the page's own, when it is
    not the version's)."""
    created = session.scalar(
        dialect_insert(session, Sighting)
        .values(
            version_id=version_id,
            fetch_id=page.fetch_id,
            url=page.url,
            site=page.host,
            is_repost=repost,
            text=copied,
            extractor_version=EXTRACTOR_VERSION,
            first_seen=page.seen_at,
            last_seen=page.seen_at,
        )
        .on_conflict_do_nothing()
        .returning(Sighting.id)
    )
    if created is not None:
        return created, repost, True
    newer, values = sighting_seen_at(page.seen_at, page.fetch_id)
    values["text"] = case((newer, literal(copied, Text())), else_=Sighting.text)
    values["extractor_version"] = case((newer, EXTRACTOR_VERSION), else_=Sighting.extractor_version)
    row = session.execute(
        update(Sighting)
        .where(Sighting.version_id == version_id, Sighting.url == page.url)
        .values(**values)
        .returning(Sighting.id, Sighting.is_repost)
        .execution_options(synchronize_session=False)
    ).one()
    return row.id, row.is_repost, False
