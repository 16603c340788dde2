"""Captures read back and derived with today's code: a ``fetch`` row's WARC record becomes
the :class:`archive.ingest.Response` the crawl once handed over, and goes through the same
extraction and classification (:mod:`archive.ingest`)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import func, or_, select, update
from sqlalchemy.orm import Session

from archive import ingest
from archive.errors import ExtractionError
from archive.extract import EXTRACTOR_VERSION
from archive.extract.authorship import classify_page
from archive.extract.classify import DocType
from archive.extract.page import Extracted
from archive.reprocess.checkpoint import Tally
from archive.reprocess.scope import CAPTURE_COLUMNS
from archive.storage.fetches import read_response
from archive.storage.models import Fetch
from archive.storage.source_info import SourceInfo

# Whose site a URL is on, as the crawl's source or `fazhi ingest`'s registry lookup said.
SourceOf = Callable[[str], SourceInfo | None]
ON_RECORD = (Fetch.warc_file.is_not(None), Fetch.status.between(200, 299))


@dataclass(frozen=True)
class Context:
    session: Session
    root: Path  # the data directory fetch.warc_file is relative to
    source_of: SourceOf
    tally: Tally
    # what today's rules classified each body read in this batch as, by SHA-256
    classified: dict[str, DocType] = field(default_factory=dict)


def response_of(ctx: Context, row: Any) -> ingest.Response | None:
    """The response fetch ROW archived, body included; None when its record is unreadable."""
    try:
        served = read_response(
            ctx.session, ctx.root, row.warc_file, row.warc_offset, row.body_sha256
        )
    except (OSError, ValueError):
        ctx.tally.count("capture_unreadable")
        return None
    return ingest.Response(
        url=row.url,
        status=row.status,
        headers=row.headers or {},
        body=served.body or b"",
        fetched_at=row.fetched_at,
        final_url=row.final_url,
    )


def page_capture(ctx: Context, fetch_id: int | None, url: str, last_seen: Any) -> Any | None:
    """The capture a sighting at URL was last decided from: its fetch when that is a 2xx
    response on record, else the latest such capture of URL up to LAST_SEEN (the sighting of
    an attachment-only page, or of a 304 revalidation, names none)."""
    own = fetch_row(ctx, fetch_id) if fetch_id is not None else None
    if own is not None:
        return own
    return ctx.session.execute(
        select(*CAPTURE_COLUMNS)
        .where(*at_page(url), Fetch.fetched_at <= last_seen, *ON_RECORD)
        .order_by(Fetch.fetched_at.desc(), Fetch.id.desc())
        .limit(1)
    ).first()


def derive(ctx: Context, row: Any, *, page: bool) -> Extracted | None:
    """Fetch ROW's page (PAGE) or attached file as today's rules extract it; a page is also
    classified again, its ``fetch.doc_type`` updated. None when it has no text today."""
    response = response_of(ctx, row)
    if response is None:
        return None
    url = response.final_url or response.url
    source = ctx.source_of(url) if page else None
    try:
        extracted = ingest.extract_response(response, url, source.division_code if source else None)
    except ExtractionError:
        ctx.tally.count("extraction_failed")
        return None
    if page:
        doc_type, _ = classify_page(extracted.title, extracted.text, extracted.signed_by)
        stamp(ctx, row, doc_type)
        if row.body_sha256:
            ctx.classified[row.body_sha256] = doc_type
    return extracted


def restamp(ctx: Context, url: str, done: set[int]) -> None:
    """Every other capture of page URL that older rules classified (an earlier fetch whose
    text a later one showed again) classified again; a body already read is not read twice.
    Its text decides nothing: a version is decided from a sighting's latest capture."""
    rows = ctx.session.execute(
        select(*CAPTURE_COLUMNS).where(
            *at_page(url),
            Fetch.doc_type.is_not(None),
            Fetch.id.not_in(done),
            *ON_RECORD,
        )
    ).all()
    for row in rows:
        known = ctx.classified.get(row.body_sha256 or "")
        if known is not None:
            stamp(ctx, row, known)
        else:
            derive(ctx, row, page=True)


def stamp(ctx: Context, row: Any, doc_type: DocType) -> None:
    """Fetch ROW classified as DOC_TYPE by today's rules; a change is counted."""
    if row.doc_type == str(doc_type) and row.extractor_version == EXTRACTOR_VERSION:
        return
    if row.doc_type != str(doc_type):
        ctx.tally.count("reclassified")
        if row.doc_type == str(DocType.ANNUAL_REPORT):
            ctx.tally.event("no-longer-a-report", fetch=row.id, url=row.url, now=str(doc_type))
    ctx.session.execute(
        update(Fetch)
        .where(Fetch.id == row.id)
        .values(doc_type=str(doc_type), extractor_version=EXTRACTOR_VERSION)
    )


def at_page(url: str) -> tuple[Any, ...]:
    """Fetches of page URL (where they led: ``coalesce(final_url, url)``), found through the
    indexes on ``url`` and ``final_url`` rather than a scan of the expression."""
    return (
        or_(Fetch.url == url, Fetch.final_url == url),
        func.coalesce(Fetch.final_url, Fetch.url) == url,
    )


def fetch_row(ctx: Context, fetch_id: int) -> Any | None:
    """Fetch FETCH_ID, when it is a 2xx response on record."""
    return ctx.session.execute(
        select(*CAPTURE_COLUMNS).where(Fetch.id == fetch_id, *ON_RECORD)
    ).first()
