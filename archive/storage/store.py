"""The archive's write side: fetches, report versions, sightings, attachments.

Three calls, each inside the caller's transaction (commit after each page: a short transaction
is a short lock):

* :func:`record_fetch` — one ``fetch`` row per HTTP response or failure.
* :func:`ingest` — one extracted page: which report and version it is, and where it was seen.
* :func:`add_attachment` — a file linked from a version's page, with its text.

**What ingest decides**, in order (keys and signatures: :mod:`archive.storage.dedup`):

1. *Same text* (content key) as a stored version: a sighting of that version, or, when the URL
   was already seen, only ``last_seen`` (sighting and version) and the sighting's latest fetch
   move.
2. *Nearly the same text* (MinHash Jaccard ≥ 0.8; not for thin bodies), most similar first:
   a sighting of that version when it belongs to another body's report, or the page names no
   body. A page speaking for its body (below) never matches its own body's versions (its
   changed text is rule 3, another year's report is another report) nor a repost-only
   version (absorbed instead, below); a repost matches any version except one of the same
   body's report for another year.
3. *Same report identity* (body + year, or the fallback key) with a changed text: version
   n + 1 of that report. Versions are never overwritten.
4. Otherwise a new report with version 1.

**Reposts and the issuing body's own site.** A page *speaks for* the body it names when it is
on that body's own site: with a source (the registry entry the crawler followed), when its
host is one of the source's domains (a domain with a port: that host and port) and the source
is that body's portal, or the 人民政府 portal of its division hosting its departments'
信息公开 (an aggregator's entry has no ``agency``; a 司法局 site republishing its government's
report speaks for nobody); without a source (``fazhi ingest`` of a saved page), when it
names a body at all. A sighting is a repost when its page does not speak for a body, or names
a body other than the report's (normalised: :func:`archive.extract.agency.normalize_agency`). On its
own site a page that names no body is not a repost: the registry vouches for it.

A repost never creates a version of, nor changes the metadata of, a report it does not speak
for. A repost whose original is not archived yet becomes a *repost-only report*: its own
report (identity ``repost:<content key>``, no source) whose sightings are all reposts, which
later reposts of the same text join. When the original arrives:

* with the same text, the repost-only version moves into the original's report (new report,
  or version n + 1 of an existing one) and takes the original page's title, original text,
  dates, metadata, script and repairs; its repost sightings stay on it;
* with a near-identical text, the original becomes a version of its own, then every
  repost-only version within Jaccard 0.8 of it is absorbed: its sightings and attachments move
  to the original's version (a URL the original's version already has keeps that sighting),
  its first/last seen widen the original's, and the repost-only version and report are deleted
  (its text with them: a repost seen after its original never stores its text either).

Either way :attr:`IngestResult.attached` names the repost-only reports merged away.

**Concurrent writers** (several crawler processes on one PostgreSQL) never create a duplicate
report, version or sighting: every insert is ``INSERT … ON CONFLICT DO NOTHING`` against the
unique constraints, and a page whose insert found a rival row is decided again from the top
(it is then a sighting of the rival's version). Reports are locked before their versions, so
two writers wait for each other instead of numbering two versions alike. Should PostgreSQL
still break a deadlock between two writers' transactions, the loser gets an ``OperationalError``
and retries the page after a rollback, like any database error. The same code runs on SQLite,
where the database lock serialises writers anyway.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass
from enum import StrEnum
from pathlib import PurePosixPath
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote, urlsplit

from pathvalidate import sanitize_filename
from sqlalchemy import case, delete, func, insert, literal, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from archive.errors import ArchiveError
from archive.extract.agency import normalize_agency
from archive.extract.region import region_of
from archive.storage import dedup
from archive.storage.models import (
    Attachment,
    Fetch,
    Report,
    ReportVersion,
    Sighting,
    Source,
    UTCDateTime,
)
from archive.storage.source_info import SourceInfo

if TYPE_CHECKING:
    from datasketch import LeanMinHash

    from archive.extract.page import Extracted

ORPHAN = "repost:"  # identity_key prefix of a repost-only report
MAX_ATTEMPTS = 5  # each lost race means a rival row now exists: a redo then finds it
# Bytes of UTF-8: ext4, NTFS and APFS allow 255 a name, and a consumer saving files may prefix
# them (an id); 200 bytes are 66 Chinese characters, more than any attachment name seen.
FILE_NAME_MAX_BYTES = 200
_UNSAFE_IN_NAME = re.compile(r'[/\\:*?"<>|]+')
_LONGEST_SUFFIX = 8  # ".docx", ".pdf": a longer "suffix" is part of the name


class IngestConflict(ArchiveError):
    """A page kept losing insert races: another writer keeps changing the same rows."""


class VersionNotFound(ArchiveError):
    """The version is gone: a repost-only version absorbed into its original since."""


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

    @property
    def speaks_for_a_body(self) -> bool:
        if self.source is not None:
            # on the site of the body it names: a 司法局 site republishing its
            # government's report speaks for nobody (a repost)
            return self.source.owns(self.url) and _hosts_reports_of(self.source, self.agency)
        return self.agency is not None

    def reposts(self, report_agency: str | None) -> bool:
        """Whether this page is a repost of a report whose normalised body is REPORT_AGENCY."""
        if not self.speaks_for_a_body:
            return True
        return self.agency is not None and self.agency != report_agency


def _hosts_reports_of(source: SourceInfo, agency: str | None) -> bool:
    """Whether SOURCE's site is where the body AGENCY (normalised) publishes its own reports.

    Its own portal, or the 人民政府 portal of its division: district portals host their
    departments' 信息公开 (seed 004: 西湖区司法局's report on the 西湖区 portal).
    """
    own = normalize_agency(source.agency) if source.agency else None
    if agency is None or own == agency:
        return True
    if own is None or not own.endswith("人民政府") or source.division_code is None:
        return False
    region = region_of(agency, source.division_code)
    return region is not None and region.code == source.division_code


@dataclass(frozen=True)
class _Known:
    """A stored version and the report it belongs to."""

    version_id: int
    report_id: int
    identity: str
    agency: str | None  # normalised
    year: int | None

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


def record_fetch(
    session: Session,
    *,
    url: str,
    fetched_at: dt.datetime,
    status: int | None = None,
    final_url: str | None = None,
    headers: dict[str, str] | None = None,
    content_type: str | None = None,
    size: int | None = None,
    body_sha256: str | None = None,
    crawl_run_id: int | None = None,
    warc_file: str | None = None,
    warc_offset: int | None = None,
    error: str | None = None,
) -> int:
    """Write one ``fetch`` row (a response, or a failure with ``error``); returns its id."""
    return session.execute(
        insert(Fetch)
        .values(
            url=url,
            fetched_at=fetched_at,
            status=status,
            final_url=final_url,
            headers=headers or {},
            content_type=content_type,
            size=size,
            body_sha256=body_sha256,
            crawl_run_id=crawl_run_id,
            warc_file=warc_file,
            warc_offset=warc_offset,
            error=error,
        )
        .returning(Fetch.id)
    ).scalar_one()


def add_attachment(
    session: Session,
    version_id: int,
    *,
    url: str,
    name: str | None = None,
    fetch_id: int | None = None,
    sha256: str | None = None,
    media_type: str | None = None,
    size: int | None = None,
    text: str | None = None,
    text_unavailable: str | None = None,
) -> int:
    """Record a file linked from a version's page; a later call for the same URL updates it.

    Raises :class:`VersionNotFound` when the version was absorbed into its original since the
    page was ingested: ingest the page again to learn where it went.
    """
    if _lock_version(session, version_id, exclusive=False) is None:
        raise VersionNotFound(f"no report version {version_id}", url)
    content = {
        "fetch_id": fetch_id,
        "file_name": file_name(name, url),
        "sha256": sha256,
        "media_type": media_type,
        "size": size,
        "text": text,
        "text_unavailable": text_unavailable,
    }
    inserted = session.scalar(
        _insert(session, Attachment)
        .values(version_id=version_id, url=url, **content)
        .on_conflict_do_nothing()
        .returning(Attachment.id)
    )
    if inserted is not None:
        return inserted
    return session.execute(
        update(Attachment)
        .where(Attachment.version_id == version_id, Attachment.url == url)
        .values(**content)
        .returning(Attachment.id)
        .execution_options(synchronize_session=False)
    ).scalar_one()


def file_name(name: str | None, url: str) -> str:
    """A name any file system takes: the link's name, else the URL's last segment.

    No directory parts (``../../etc/passwd`` is ``passwd``), no invisible characters (controls,
    bidi overrides that disguise ``gpj.exe``), no characters or names Windows refuses
    (pathvalidate knows CON, NUL.pdf, COM¹ …), at most FILE_NAME_MAX_BYTES bytes with the
    extension kept. Chinese is kept as it is.
    """
    raw = name or unquote(PurePosixPath(urlsplit(url).path).name)
    base = raw.replace("\\", "/").rsplit("/", 1)[-1]
    visible = "".join(c for c in base if unicodedata.category(c) not in ("Cc", "Cf"))
    cleaned = _bounded(_UNSAFE_IN_NAME.sub("_", visible).strip(" ._"))
    # what is left is under pathvalidate's 255 bytes: it only renames reserved names (CON_)
    return sanitize_filename(cleaned, replacement_text="_", platform="universal") or "attachment"


def _bounded(name: str) -> str:
    """NAME cut to FILE_NAME_MAX_BYTES of UTF-8 at a character boundary, its extension kept."""
    if len(name.encode()) <= FILE_NAME_MAX_BYTES:
        return name
    suffix = PurePosixPath(name).suffix
    suffix = suffix if len(suffix) <= _LONGEST_SUFFIX else ""
    room = FILE_NAME_MAX_BYTES - len(suffix.encode())
    stem = name.removesuffix(suffix).encode()[:room].decode("utf-8", "ignore")
    return stem.rstrip(" .") + suffix


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
        source_id=_source_id(session, source) if source is not None else None,
        identity=identity,
        content=dedup.content_key(extracted.text, identity),
        agency=dedup.agency_key(extracted.agency),
        signature=dedup.signature(extracted.text),
    )


def _source_id(session: Session, source: SourceInfo) -> int:
    """The ``source`` row of a registry entry, written when missing or changed."""
    values = source.row()
    stored = session.execute(
        select(Source.__table__).where(Source.slug == source.slug)
    ).one_or_none()
    if stored is not None and all(stored._mapping[k] == v for k, v in values.items()):
        return stored.id
    if stored is None:
        inserted = session.scalar(
            _insert(session, Source).values(**values).on_conflict_do_nothing().returning(Source.id)
        )
        if inserted is not None:
            return inserted
    return session.execute(
        update(Source)
        .where(Source.slug == source.slug)
        .values(**values)
        .returning(Source.id)
        .execution_options(synchronize_session=False)
    ).scalar_one()


def _attempt(session: Session, page: _Page) -> IngestResult | None:
    """One pass of the decision; None when an insert lost a race and the page must be redone."""
    same = _known(session, ReportVersion.content_sha256 == page.content)
    if same:
        if same[0].repost_only and page.speaks_for_a_body:
            return _adopt(session, page, same[0])
        return _sight(session, page, same[0])
    near = _near(session, page.signature) if page.signature else []
    match = next((k for k in near if _is_copy_of(page, k)), None)
    if match is not None:
        return _sight(session, page, match)
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
        )
        .join(Report, Report.id == ReportVersion.report_id)
        .where(where)
    )
    return [
        _Known(
            row.id, row.report_id, row.identity_key, dedup.agency_key(row.agency), row.report_year
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


def _sight(session: Session, page: _Page, known: _Known) -> IngestResult | None:
    if _lock_version(session, known.version_id, exclusive=False) is None:
        return None  # absorbed meanwhile: decide again
    repost = page.reposts(known.agency)
    sighting_id, stored_repost, created = _upsert_sighting(session, known.version_id, page, repost)
    _widen_seen(session, known.version_id, page.seen_at, page.seen_at)
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
        _insert(session, ReportVersion)
        .values(
            report_id=report_id,
            version=number,
            content_sha256=page.content,
            signature=dedup.to_bytes(page.signature) if page.signature else None,
            text=page.extracted.text,
            first_seen=page.seen_at,
            last_seen=page.seen_at,
            **_version_fields(page.extracted),
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
    sighting_id, _, _ = _upsert_sighting(session, version_id, page, repost=not speaks)
    attached = tuple(o.report_id for o in orphans if _absorb(session, o, version_id))
    outcome = Outcome.NEW_REPORT if number == 1 else Outcome.NEW_VERSION
    return IngestResult(outcome, report_id, version_id, sighting_id, not speaks, attached)


def _adopt(session: Session, page: _Page, orphan: _Known) -> IngestResult | None:
    """The original of a repost-only version arrives with the very same text."""
    report_id, created = _report_for(session, page, page.identity)
    if report_id is None:
        return None
    current = _lock_version(session, orphan.version_id, exclusive=True)
    if current != orphan.report_id:  # adopted or absorbed meanwhile
        if created:
            session.execute(delete(Report).where(Report.id == report_id))
        return None
    number = _next_number(session, report_id)
    session.execute(
        update(ReportVersion)
        .where(ReportVersion.id == orphan.version_id)
        .values(report_id=report_id, version=number, **_version_fields(page.extracted))
        .execution_options(synchronize_session=False)
    )
    session.execute(delete(Report).where(Report.id == orphan.report_id))
    sighting_id, _, _ = _upsert_sighting(session, orphan.version_id, page, repost=False)
    _widen_seen(session, orphan.version_id, page.seen_at, page.seen_at)
    outcome = Outcome.NEW_REPORT if number == 1 else Outcome.NEW_VERSION
    return IngestResult(
        outcome, report_id, orphan.version_id, sighting_id, False, (orphan.report_id,)
    )


def _absorb(session: Session, orphan: _Known, version_id: int) -> bool:
    """Move a repost-only version's sightings and attachments to the original's version."""
    if _lock_version(session, orphan.version_id, exclusive=True) != orphan.report_id:
        return False  # someone else absorbed it first
    for model in (Sighting, Attachment):
        taken = select(model.url).where(model.version_id == version_id)
        session.execute(
            update(model)
            .where(model.version_id == orphan.version_id, model.url.not_in(taken))
            .values(version_id=version_id)
            .execution_options(synchronize_session=False)
        )
        session.execute(delete(model).where(model.version_id == orphan.version_id))
    first, last = session.execute(
        select(ReportVersion.first_seen, ReportVersion.last_seen).where(
            ReportVersion.id == orphan.version_id
        )
    ).one()
    _widen_seen(session, version_id, first, last)
    dedup.drop_bands(session, orphan.version_id)
    session.execute(delete(ReportVersion).where(ReportVersion.id == orphan.version_id))
    session.execute(delete(Report).where(Report.id == orphan.report_id))
    return True


def _report_for(session: Session, page: _Page, identity: str) -> tuple[int | None, bool]:
    """The report of IDENTITY, locked for numbering its versions; True if created now."""
    speaks = not identity.startswith(ORPHAN)
    region = page.extracted.region
    from_source = page.source if speaks and region is None else None
    created = session.scalar(
        _insert(session, Report)
        .values(
            identity_key=identity,
            agency=page.extracted.agency,
            report_year=page.extracted.report_year,
            province=region.province if region else from_source and from_source.province,
            city=region.city if region else from_source and from_source.city,
            county=region.county if region else from_source and from_source.county,
            division_code=region.code if region else from_source and from_source.division_code,
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


def _next_number(session: Session, report_id: int) -> int:
    latest = session.scalar(
        select(func.max(ReportVersion.version)).where(ReportVersion.report_id == report_id)
    )
    return (latest or 0) + 1


def _version_fields(extracted: Extracted) -> dict[str, Any]:
    """What a version takes from its page besides the text: the original's wins on adoption."""
    return {
        "title": extracted.title,
        "title_original": extracted.title_original,
        "text_original": extracted.text_original,
        "published_date": extracted.published_date,
        "signed_date": extracted.signed_date,
        "metadata_": dict(extracted.metadata),
        "script": extracted.script,
        "repairs": list(extracted.repairs),
    }


def _lock_version(session: Session, version_id: int, *, exclusive: bool) -> int | None:
    """Lock a version row (FOR UPDATE, else FOR KEY SHARE) so an absorption cannot delete it
    under a sighting being written; its report id, or None when it is gone."""
    lock = {} if exclusive else {"read": True, "key_share": True}
    return session.scalar(
        select(ReportVersion.report_id)
        .where(ReportVersion.id == version_id)
        .with_for_update(**lock)
    )


def _upsert_sighting(
    session: Session, version_id: int, page: _Page, repost: bool
) -> tuple[int, bool, bool]:
    """(id, is_repost as stored, created). A known URL keeps its flag; its times widen and it
    points at the latest fetch."""
    created = session.scalar(
        _insert(session, Sighting)
        .values(
            version_id=version_id,
            fetch_id=page.fetch_id,
            url=page.url,
            site=page.host,
            is_repost=repost,
            first_seen=page.seen_at,
            last_seen=page.seen_at,
        )
        .on_conflict_do_nothing()
        .returning(Sighting.id)
    )
    if created is not None:
        return created, repost, True
    moment = literal(page.seen_at, UTCDateTime())
    newer = Sighting.last_seen <= moment
    values = {
        "first_seen": case((Sighting.first_seen > moment, moment), else_=Sighting.first_seen),
        "last_seen": case((newer, moment), else_=Sighting.last_seen),
    }
    if page.fetch_id is not None:
        values["fetch_id"] = case((newer, page.fetch_id), else_=Sighting.fetch_id)
    row = session.execute(
        update(Sighting)
        .where(Sighting.version_id == version_id, Sighting.url == page.url)
        .values(**values)
        .returning(Sighting.id, Sighting.is_repost)
        .execution_options(synchronize_session=False)
    ).one()
    return row.id, row.is_repost, False


def _widen_seen(session: Session, version_id: int, first: dt.datetime, last: dt.datetime) -> None:
    """first_seen/last_seen only ever widen: pages can be ingested out of order."""
    earliest, latest = literal(first, UTCDateTime()), literal(last, UTCDateTime())
    session.execute(
        update(ReportVersion)
        .where(ReportVersion.id == version_id)
        .values(
            first_seen=case(
                (ReportVersion.first_seen > earliest, earliest), else_=ReportVersion.first_seen
            ),
            last_seen=case(
                (ReportVersion.last_seen < latest, latest), else_=ReportVersion.last_seen
            ),
        )
        .execution_options(synchronize_session=False)
    )


def _insert(session: Session, model: type[Any]) -> Any:
    """The backend's own INSERT, which knows ON CONFLICT (both backends spell it alike)."""
    dialect = session.get_bind().dialect.name
    return (postgresql if dialect == "postgresql" else sqlite).insert(model)
