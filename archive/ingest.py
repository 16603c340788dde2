"""One response, from bytes to archive: the path every crawl and `fazhi ingest` share.

WARC capture → ``fetch`` row → extract → classify → dedup/version → store. A
failure at any step is recorded on the fetch row with its reason and never
raised: one bad page must not stop a crawl. Only database errors propagate,
so the caller can roll back, spool and retry (the archive stays consistent).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from http import HTTPStatus

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from archive.errors import ExtractionError
from archive.extract import EXTRACTOR_VERSION
from archive.extract.authorship import classify_page
from archive.extract.classify import DocType
from archive.extract.page import Extracted, extract_document, extract_page, is_document
from archive.storage import attachments, fetches, revalidation, versions
from archive.storage.models import Fetch, Sighting
from archive.storage.source_info import SourceInfo
from archive.storage.warc import WarcWriter


@dataclass(frozen=True)
class Response:
    """What the crawler (or a saved file) gives us."""

    url: str
    status: int
    headers: Mapping[str, str]
    body: bytes
    fetched_at: dt.datetime
    final_url: str | None = None

    @property
    def content_type(self) -> str | None:
        return self.header("content-type")

    @property
    def not_modified(self) -> bool:
        """A 304: the page is as the capture whose validators the request carried."""
        return self.status == HTTPStatus.NOT_MODIFIED

    @property
    def http_error(self) -> str | None:
        """The fetch row's reason for a non-2xx answer, with the wait a 429/503 asked for."""
        if 200 <= self.status < 300 or self.not_modified:
            return None
        retry_after = self.header("retry-after")
        return f"HTTP {self.status}" + (f" (Retry-After: {retry_after})" if retry_after else "")

    def header(self, name: str) -> str | None:
        return next((v for k, v in self.headers.items() if k.lower() == name), None)


@dataclass(frozen=True)
class Processed:
    fetch_id: int
    doc_type: DocType | None = None  # None when nothing could be extracted
    extracted: Extracted | None = None
    result: versions.IngestResult | None = None
    error: str | None = None
    deferred: bool = False  # an attachment-only report page: its file brings the text


def record(
    session: Session,
    response: Response,
    *,
    warc: WarcWriter | None = None,
    crawl_run_id: int | None = None,
) -> int:
    """Archive a response that is not a report candidate (a listing): WARC + fetch row only."""
    return _record(session, response, warc, crawl_run_id)


def process(
    session: Session,
    response: Response,
    *,
    warc: WarcWriter | None = None,
    crawl_run_id: int | None = None,
    source: SourceInfo | None = None,
    region_hint: str | None = None,
) -> Processed:
    """Archive one response; commit is the caller's (the crawler commits a batch at once)."""
    fetch_id = _record(session, response, warc, crawl_run_id)
    return derive(session, response, fetch_id, source=source, region_hint=region_hint)


def derive(
    session: Session,
    response: Response,
    fetch_id: int,
    *,
    source: SourceInfo | None = None,
    region_hint: str | None = None,
) -> Processed:
    """Everything :func:`process` makes of a response already recorded as FETCH_ID: what
    `fazhi reprocess` does with a capture today's rules read as a report though older ones
    did not."""
    if response.http_error:
        return Processed(fetch_id, error=response.http_error)
    page_url = response.final_url or response.url
    if response.not_modified:
        seen = revalidation.not_modified(session, page_url, response.fetched_at, fetch_id)
        return Processed(fetch_id, DocType.ANNUAL_REPORT if seen else None, result=seen)
    try:
        extracted = extract_response(response, page_url, region_hint)
    except ExtractionError as exc:
        return _failed(session, fetch_id, f"extraction: {exc}")
    doc_type, reason = classify_page(extracted.title, extracted.text, extracted.signed_by)
    _set_doc_type(session, fetch_id, doc_type)
    if doc_type is not DocType.ANNUAL_REPORT:
        return Processed(fetch_id, doc_type, extracted)
    if "attachment-only" in extracted.warnings:
        # Its text is in the linked file; ingesting an empty body would make every such
        # page the same version. process_attachment() stores it with the file's text.
        return Processed(fetch_id, doc_type, extracted, deferred=True)
    if not extracted.text:
        return _failed(session, fetch_id, f"empty report page ({reason})", doc_type)
    result = versions.ingest(
        session,
        extracted,
        url=page_url,
        seen_at=response.fetched_at,
        fetch_id=fetch_id,
        source=source,
    )
    return Processed(fetch_id, doc_type, extracted, result)


def process_attachment(
    session: Session,
    response: Response,
    *,
    page_url: str,
    page: Extracted | None,
    name: str | None = None,
    warc: WarcWriter | None = None,
    crawl_run_id: int | None = None,
    source: SourceInfo | None = None,
) -> Processed:
    """A file linked from a report page: archived with that page's version.

    ``page`` is the deferred attachment-only page, if it was one: the report is then
    stored with the page's title and metadata and the file's text, seen at the page URL.
    """
    fetch_id = _record(session, response, warc, crawl_run_id)
    if response.http_error or response.not_modified:  # a 304: the file stored is the file
        return Processed(fetch_id, error=response.http_error)
    try:
        document = extract_response(response, response.final_url or response.url, None)
    except ExtractionError as exc:
        return _failed(session, fetch_id, f"extraction: {exc}")
    text_unavailable = next(
        (w.split(": ", 1)[1] for w in document.warnings if w.startswith("text-unavailable")), None
    )
    result = None
    if page is not None and document.text:
        result = versions.ingest(
            session,
            with_document(page, document),
            url=page_url,
            seen_at=response.fetched_at,
            source=source,
        )
    version_id = result.version_id if result else _version_at(session, page_url)
    if version_id is None:
        return _failed(session, fetch_id, f"attachment of an unarchived page {page_url}")
    attachments.add_attachment(
        session,
        version_id,
        url=response.url,
        name=name,
        fetch_id=fetch_id,
        sha256=hashlib.sha256(response.body).hexdigest(),
        media_type=response.content_type,
        size=len(response.body),
        text=document.text or None,
        text_unavailable=text_unavailable,
        extractor_version=EXTRACTOR_VERSION,
    )
    return Processed(fetch_id, DocType.ANNUAL_REPORT, document, result)


def record_failure(
    session: Session,
    url: str,
    error: str,
    fetched_at: dt.datetime,
    crawl_run_id: int | None = None,
    status: int | None = None,
) -> int:
    """A request that got no usable response (DNS, timeout, refused, too large): a fetch row."""
    return fetches.record_fetch(
        session,
        url=url,
        fetched_at=fetched_at,
        status=status,
        error=error,
        crawl_run_id=crawl_run_id,
    )


def _record(
    session: Session, response: Response, warc: WarcWriter | None, crawl_run_id: int | None
) -> int:
    capture = (
        warc.write_response(
            response.url,
            response.status,
            dict(response.headers),
            response.body,
            response.fetched_at,
        )
        if warc is not None
        else None
    )
    return fetches.record_fetch(
        session,
        url=response.url,
        final_url=response.final_url,
        fetched_at=response.fetched_at,
        status=response.status,
        headers=dict(response.headers),
        content_type=response.content_type,
        size=len(response.body),
        body_sha256=capture.digest if capture else hashlib.sha256(response.body).hexdigest(),
        crawl_run_id=crawl_run_id,
        warc_file=capture.file if capture else None,
        warc_offset=capture.offset if capture else None,
        error=response.http_error,
    )


def with_document(page: Extracted, document: Extracted) -> Extracted:
    """An attachment-only report page with its file's text: the version both make."""
    return dataclasses.replace(
        page,
        text=document.text,
        text_original=document.text_original,
        repairs=tuple(dict.fromkeys(page.repairs + document.repairs)),
        removed=page.removed + document.removed,
        # the page's publication date; the file's 落款 dates the document
        published_date=page.published_date or document.published_date,
        signed_date=page.signed_date or document.signed_date,
        signed_by=page.signed_by or document.signed_by,
        document_date=page.document_date or document.document_date,
        agency=page.agency or document.agency,
        report_year=page.report_year or document.report_year,
    )


def extract_response(response: Response, url: str, region_hint: str | None) -> Extracted:
    """The page or file RESPONSE is, read as at URL (where redirects led)."""
    if is_document(url, response.content_type):
        return extract_document(response.body, url, response.content_type)
    return extract_page(response.body, url, response.headers, region_hint)


def _failed(
    session: Session, fetch_id: int, error: str, doc_type: DocType | None = None
) -> Processed:
    session.execute(update(Fetch).where(Fetch.id == fetch_id).values(error=error))
    return Processed(fetch_id, doc_type, error=error)


def _version_at(session: Session, url: str) -> int | None:
    """The version last seen at URL (the report page an attachment hangs from)."""
    return session.scalar(
        select(Sighting.version_id)
        .where(Sighting.url == url)
        .order_by(Sighting.last_seen.desc(), Sighting.id.desc())
        .limit(1)
    )


def _set_doc_type(session: Session, fetch_id: int, doc_type: DocType) -> None:
    session.execute(
        update(Fetch)
        .where(Fetch.id == fetch_id)
        .values(doc_type=str(doc_type), extractor_version=EXTRACTOR_VERSION)
    )
