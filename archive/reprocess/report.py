"""One report re-derived from its captures and decided again by today's publisher rule.

Every sighting's page is extracted again from its capture. A version's text is its first
publisher page's (the copies' first, in a repost-only report). Where the publisher rule now
decides otherwise than the stored rows, the report is repaired and each move reported:

- a version no publisher's page shows — a copy made it under an older rule — is removed,
  its text kept in ``version_history``, its sightings moved as copies to the nearest version;
- a publisher's page whose text is not its version's — a correction stored as a sighting —
  becomes the version of that text (a new one when none has it);
- every copy sits on the version nearest its text and keeps its own text when it differs.

Versions are renumbered by first sighting only when one was added or removed.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.orm import Session

from archive.extract import EXTRACTOR_VERSION
from archive.extract.page import Extracted
from archive.ingest import with_document
from archive.reprocess.captures import Context, derive, fetch_row, page_capture, restamp
from archive.reprocess.texts import add, release, remove, renumber, replace, stored_versions
from archive.storage import copies, dedup
from archive.storage.models import Attachment, Report, ReportVersion, Sighting
from archive.storage.publisher import speaks_for_a_body
from archive.storage.versions import ORPHAN, report_fields


@dataclass
class _Seen:
    """A sighting as stored, its page as today's rules read it (None: no capture has text)."""

    row: Any
    page: Extracted | None
    speaks: bool
    target: int | None = None  # the version it ends on
    publisher: bool = False  # a publisher's page, shown by its target: no text of its own


@dataclass
class _New:
    """A version the stored rows missed, and the publisher's pages that show it."""

    page: Extracted
    seen: list[_Seen] = field(default_factory=list)


def identity(page: Extracted) -> str:
    return dedup.identity_key(page.agency, page.report_year, page.title, page.url)


def content(page: Extracted) -> str:
    return dedup.content_key(page.text, identity(page))


def reprocess_report(ctx: Context, run_id: int, report_id: int) -> None:
    session = ctx.session
    report = session.execute(
        select(Report.id, Report.identity_key, Report.agency)
        .where(Report.id == report_id)
        .with_for_update()
    ).first()
    rows = stored_versions(session, report_id) if report is not None else []
    if report is None or not rows:
        return
    ctx.tally.count("reports")
    ctx.tally.count("versions", len(rows))
    orphan = report.identity_key.startswith(ORPHAN)
    documents = _documents(ctx, [r.id for r in rows])
    captures: dict[str, set[int]] = {}
    seen = [
        _read(ctx, report, row, documents, captures)
        for row in _sightings(session, [r.id for r in rows])
    ]
    for url, done in captures.items():
        restamp(ctx, url, done)
    by_version = {r.id: [s for s in seen if s.row.version_id == r.id] for r in rows}
    # the page each version's text comes from: its first publisher page; in a repost-only
    # report, its first copy that showed the version's own text (no text of its own)
    defining = {
        v: next((s for s in own if s.page and (s.row.text is None if orphan else s.speaks)), None)
        for v, own in by_version.items()
    }
    kept = [r for r in rows if defining[r.id] or not any(s.page for s in by_version[r.id])]
    if orphan or not kept:  # copies only, or no publisher page shows any: nothing to repair
        kept = rows
    removed = [r for r in rows if r not in kept]
    for row in removed:  # its text is no version's any more: another may take it
        release(session, row.id)
    _replace_all(ctx, run_id, [(row, defining[row.id]) for row in kept])
    first = defining[kept[0].id]
    if first is not None:
        _report_fields(ctx, report, first)
    added = [] if orphan else _publishers(ctx, report_id, rows, kept, defining, seen)
    texts = _texts(session, [r.id for r in kept] + added)
    for s in seen:
        if s.target is None and (s.page is not None or s.row.version_id in {r.id for r in removed}):
            s.target = _nearest(texts, _own_text(s, rows))
    moved = _place(ctx, report, seen, texts, rows)
    for row in removed:
        target = next(s.target for s in by_version[row.id] if s.target is not None)
        _move_attachments(session, row.id, target)
        remove(ctx, run_id, row)
        ctx.tally.event(
            "version-removed",
            report=report_id,
            version=row.version,
            urls=[s.row.url for s in by_version[row.id]],
        )
    if moved or added or removed:
        _widen(session, [r.id for r in kept] + added)
    if added or removed:
        renumber(session, report_id, _by_first_seen(session, report_id))


def _replace_all(ctx: Context, run_id: int, plan: list[tuple[Any, _Seen | None]]) -> None:
    """Each version's text replaced by its defining page's; one whose new text another of
    these versions still holds is tried again once that one has moved on, and reported as
    identical only when no order frees it."""
    todo = [(row, s.page) for row, s in plan if s is not None and s.page is not None]
    while todo:
        blocked = [
            (row, page)
            for row, page in todo
            if replace(ctx, run_id, row, page, identity(page), report=False) is None
        ]
        if len(blocked) == len(todo):
            for row, page in blocked:
                replace(ctx, run_id, row, page, identity(page), report=True)
            return
        todo = blocked


def _publishers(
    ctx: Context,
    report_id: int,
    rows: list[Any],
    kept: list[Any],
    defining: dict[int, _Seen | None],
    seen: list[_Seen],
) -> list[int]:
    """Each publisher's page onto the version of its text, adding those the rows missed; the
    ids of the versions added."""
    planned = {}
    for row in kept:
        definer = defining[row.id]
        planned[row.id] = content(definer.page) if definer and definer.page else row.content_sha256
    versions: dict[str, int] = {}
    for version_id, key in planned.items():
        versions.setdefault(key, version_id)
    pending: dict[str, _New] = {}
    for s in seen:
        if s.page is None or not s.speaks:
            continue
        key = content(s.page)
        s.publisher = True
        if planned.get(s.row.version_id) == key:  # its own version's, twin or not
            s.target = s.row.version_id
        elif key in versions:
            s.target = versions[key]
        else:
            pending.setdefault(key, _New(s.page)).seen.append(s)
    added = []
    number = max(r.version for r in rows)
    for new in pending.values():
        number += 1
        first = min(s.row.first_seen for s in new.seen)
        last = max(s.row.last_seen for s in new.seen)
        version_id = add(ctx, report_id, number, new.page, identity(new.page), (first, last))
        if version_id is None:  # another report's version has this text: left where it was
            for s in new.seen:
                s.target = s.row.version_id
            continue
        added.append(version_id)
        for s in new.seen:
            s.target = version_id
        ctx.tally.event("version-added", report=report_id, url=new.page.url)
    return added


def _place(
    ctx: Context, report: Any, seen: list[_Seen], texts: dict[int, str], rows: list[Any]
) -> int:
    """Each sighting onto its target with its own text and repost flag; how many moved."""
    agency = dedup.agency_key(report.agency)
    moved = 0
    for s in seen:
        if s.target is None:  # no capture to read it from: as it was
            continue
        own = _own_text(s, rows)
        text = None if s.publisher or own == texts[s.target] else own
        named = dedup.agency_key(s.page.agency) if s.page is not None else None
        repost = not s.speaks or (named is not None and named != agency)
        if s.target != s.row.version_id:
            copies.move(ctx.session, s.row.id, s.row.url, s.row.version_id, s.target, text)
            ctx.tally.event(
                "sighting-moved",
                report=report.id,
                url=s.row.url,
                from_version=_number(rows, s.row.version_id),
            )
            moved += 1
        elif (s.row.text, s.row.is_repost) != (text, repost):
            ctx.tally.count("sightings_updated")
        elif s.row.extractor_version == EXTRACTOR_VERSION:
            continue
        ctx.session.execute(
            update(Sighting)
            .where(Sighting.version_id == s.target, Sighting.url == s.row.url)
            .values(text=text, is_repost=repost, extractor_version=EXTRACTOR_VERSION)
            .execution_options(synchronize_session=False)
        )
    return moved


def _read(
    ctx: Context,
    report: Any,
    row: Any,
    documents: dict[int, Extracted],
    captures: dict[str, set[int]],
) -> _Seen:
    """Sighting ROW's page from its capture (noted in CAPTURES, by URL)."""
    capture = page_capture(ctx, row.fetch_id, row.url, row.last_seen)
    done = captures.setdefault(row.url, set())
    if capture is not None:
        done.add(capture.id)
    page = derive(ctx, capture, page=True) if capture is not None else None
    if capture is None:
        ctx.tally.count("no_capture")
    if page is not None and "attachment-only" in page.warnings:
        document = documents.get(row.version_id)
        page = with_document(page, document) if document is not None else None
    if page is not None and not page.text:
        page = None
    if page is None:
        return _Seen(row, None, False)
    speaks = speaks_for_a_body(page, row.url, ctx.source_of(row.url))
    if speaks and report.identity_key.startswith(ORPHAN):
        ctx.tally.event("speaks-in-repost-only", report=report.id, url=row.url)
    return _Seen(row, page, speaks)


def _documents(ctx: Context, version_ids: list[int]) -> dict[int, Extracted]:
    """Each attachment's text derived again and updated; per version, its first file with a
    text (an attachment-only page's text)."""
    first: dict[int, Extracted] = {}
    rows = ctx.session.execute(
        select(Attachment.id, Attachment.version_id, Attachment.fetch_id, Attachment.text)
        .add_columns(Attachment.extractor_version)
        .where(Attachment.version_id.in_(version_ids))
        .order_by(Attachment.id)
    )
    for att in rows:
        capture = fetch_row(ctx, att.fetch_id) if att.fetch_id is not None else None
        document = derive(ctx, capture, page=False) if capture is not None else None
        if document is None:
            continue
        if document.text:
            first.setdefault(att.version_id, document)
        text = document.text or None
        if (att.text, att.extractor_version) != (text, EXTRACTOR_VERSION):
            ctx.tally.count("attachments_rederived", int(att.text != text))
            ctx.session.execute(
                update(Attachment)
                .where(Attachment.id == att.id)
                .values(text=text, extractor_version=EXTRACTOR_VERSION)
            )
    return first


def _sightings(session: Session, version_ids: list[int]) -> Iterable[Any]:
    return session.execute(
        select(Sighting.__table__)
        .where(Sighting.version_id.in_(version_ids))
        .order_by(Sighting.first_seen, Sighting.id)
    ).all()


def _texts(session: Session, version_ids: list[int]) -> dict[int, str]:
    rows = session.execute(
        select(ReportVersion.id, ReportVersion.text)
        .where(ReportVersion.id.in_(version_ids))
        .order_by(ReportVersion.version, ReportVersion.id)
    )
    return {row.id: row.text for row in rows}


def _own_text(s: _Seen, rows: list[Any]) -> str:
    """A sighting's text: its page's today, else what it stored (its own, or its version's)."""
    if s.page is not None:
        return s.page.text
    text: str = s.row.text or next(r.text for r in rows if r.id == s.row.version_id)
    return text


def _nearest(texts: dict[int, str], text: str) -> int:
    """The version whose text is nearest TEXT by exact 5-gram Jaccard; the first of equals."""
    shingles = dedup.shingle_hashes(text)
    return max(texts, key=lambda v: dedup.similarity(shingles, dedup.shingle_hashes(texts[v])))


def _number(rows: list[Any], version_id: int) -> int:
    number: int = next(r.version for r in rows if r.id == version_id)
    return number


def _report_fields(ctx: Context, report: Any, definer: _Seen) -> None:
    """The report's body, year and region as its first version's publisher page reads today;
    a page that would make it another report is reported, never merged."""
    assert definer.page is not None  # a defining sighting has a page
    page = definer.page
    if identity(page) != report.identity_key:
        if not report.identity_key.startswith(ORPHAN):
            ctx.tally.event("identity-differs", report=report.id, today=identity(page))
        return
    fields = report_fields(page, ctx.source_of(definer.row.url))
    changed = ctx.session.execute(
        update(Report)
        .where(Report.id == report.id)
        .where(or_(*(getattr(Report, k).is_distinct_from(v) for k, v in fields.items())))
        .values(**fields)
        .returning(Report.id)
        .execution_options(synchronize_session=False)
    ).first()
    ctx.tally.count("reports_updated", int(changed is not None))


def _move_attachments(session: Session, source: int, target: int) -> None:
    """A removed version's files onto TARGET; a URL TARGET has already keeps TARGET's."""
    taken = select(Attachment.url).where(Attachment.version_id == target)
    session.execute(
        update(Attachment)
        .where(Attachment.version_id == source, Attachment.url.not_in(taken))
        .values(version_id=target)
        .execution_options(synchronize_session=False)
    )
    session.execute(delete(Attachment).where(Attachment.version_id == source))


def _widen(session: Session, version_ids: list[int]) -> None:
    """Each version seen from its sightings' first to their last time."""
    for version_id in version_ids:
        first, last = session.execute(
            select(func.min(Sighting.first_seen), func.max(Sighting.last_seen)).where(
                Sighting.version_id == version_id
            )
        ).one()
        if first is not None:
            session.execute(
                update(ReportVersion)
                .where(ReportVersion.id == version_id)
                .values(first_seen=first, last_seen=last)
                .execution_options(synchronize_session=False)
            )


def _by_first_seen(session: Session, report_id: int) -> list[int]:
    return list(
        session.scalars(
            select(ReportVersion.id)
            .where(ReportVersion.report_id == report_id)
            .order_by(ReportVersion.first_seen, ReportVersion.id)
        )
    )
