"""A version's derived text and fields replaced, added or removed, the index and the search
documents kept in step, and what was there before kept in ``version_history``.

A replacement never makes a version: the version stays the publisher's text it was, now read
by today's rules. When today's text is a text another version already has, the two are
reported (an ``identical`` event) and this one keeps its stored text: merging would make one
version of what the publisher may have published twice, and the content key is unique.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import delete, insert, select, update
from sqlalchemy.orm import Session

from archive.extract.page import Extracted
from archive.reprocess.captures import Context
from archive.search import index as search_index
from archive.storage import anatomies, dedup
from archive.storage.models import ReportVersion, VersionHistory
from archive.storage.versions import version_fields

# report_version's columns by the attribute names version_fields() uses
_COLUMN = {"metadata_": "metadata"}


def stored_versions(session: Session, report_id: int) -> list[Any]:
    """REPORT_ID's versions as stored, in order."""
    return list(
        session.execute(
            select(ReportVersion.__table__)
            .where(ReportVersion.report_id == report_id)
            .order_by(ReportVersion.version)
        )
    )


def fields_of(page: Extracted) -> dict[str, Any]:
    """Everything a version derives from its page: its text and version_fields()."""
    return {"text": page.text, **version_fields(page)}


def differs(row: Any, fields: dict[str, Any]) -> bool:
    return any(row._mapping[_COLUMN.get(k, k)] != v for k, v in fields.items())


def holder(session: Session, content: str) -> Any | None:
    """The version whose content key is CONTENT, if any."""
    return session.execute(
        select(ReportVersion.id, ReportVersion.report_id, ReportVersion.version).where(
            ReportVersion.content_sha256 == content
        )
    ).first()


def replace(
    ctx: Context, run_id: int, row: Any, page: Extracted, identity: str, *, report: bool
) -> bool | None:
    """Version ROW's derived text and fields as PAGE has them today; whether they changed,
    None when another version holds that text (an ``identical`` event when REPORT)."""
    fields = fields_of(page)
    if not differs(row, fields):
        return False
    content = dedup.content_key(page.text, identity)
    if content != row.content_sha256:
        twin = holder(ctx.session, content)
        if twin is not None:
            if report:
                ctx.tally.event(
                    "identical",
                    report=row.report_id,
                    version=row.version,
                    same_as_report=twin.report_id,
                    same_as_version=twin.version,
                )
            return None
    text_changed = content != row.content_sha256 or row.title != page.title
    if differs(row, {k: v for k, v in fields.items() if k != "extractor_version"}):
        keep(ctx.session, run_id, row, "rederived")
        ctx.tally.count("texts_replaced" if text_changed else "fields_replaced")
    if text_changed:
        search_index.drop_version(ctx.session, row.id)
    signature = dedup.signature(page.text)
    ctx.session.execute(
        update(ReportVersion)
        .where(ReportVersion.id == row.id)
        .values(
            content_sha256=content,
            signature=dedup.to_bytes(signature) if signature else None,
            **fields,
        )
        .execution_options(synchronize_session=False)
    )
    if content != row.content_sha256:
        dedup.drop_bands(ctx.session, row.id)
        if signature is not None:
            dedup.index_bands(ctx.session, row.id, signature)
    if text_changed:
        search_index.add_version(ctx.session, row.id)
    if content != row.content_sha256:
        anatomies.store_extracted(ctx.session, row.id, page)
    return True


def add(
    ctx: Context,
    report_id: int,
    number: int,
    page: Extracted,
    identity: str,
    seen: tuple[dt.datetime, dt.datetime],
) -> int | None:
    """A version of REPORT_ID the stored rows missed (a correction stored as a sighting);
    None, reported, when its text is another version's already."""
    content = dedup.content_key(page.text, identity)
    twin = holder(ctx.session, content)
    if twin is not None:
        ctx.tally.event(
            "identical",
            report=report_id,
            url=page.url,
            same_as_report=twin.report_id,
            same_as_version=twin.version,
        )
        return None
    signature = dedup.signature(page.text)
    version_id: int = ctx.session.execute(
        insert(ReportVersion)
        .values(
            report_id=report_id,
            version=number,
            content_sha256=content,
            signature=dedup.to_bytes(signature) if signature else None,
            first_seen=seen[0],
            last_seen=seen[1],
            **fields_of(page),
        )
        .returning(ReportVersion.id)
    ).scalar_one()
    if signature is not None:
        dedup.index_bands(ctx.session, version_id, signature)
    search_index.add_version(ctx.session, version_id)
    anatomies.store_extracted(ctx.session, version_id, page)
    return version_id


def release(session: Session, version_id: int) -> None:
    """A version about to be removed gives up its content key (unique) for this transaction,
    so that a version whose text today's rules make the same can take it."""
    session.execute(
        update(ReportVersion)
        .where(ReportVersion.id == version_id)
        .values(content_sha256=f"removed:{version_id}")
        .execution_options(synchronize_session=False)
    )


def remove(ctx: Context, run_id: int, row: Any) -> None:
    """Version ROW, which no publisher's page shows (a copy made it): gone, its text kept.
    Its sightings and attachments have moved already."""
    keep(ctx.session, run_id, row, "removed")
    anatomies.drop(ctx.session, row.id)
    search_index.drop_version(ctx.session, row.id)
    dedup.drop_bands(ctx.session, row.id)
    ctx.session.execute(delete(ReportVersion).where(ReportVersion.id == row.id))


def renumber(session: Session, report_id: int, order: list[int]) -> None:
    """REPORT_ID's versions numbered 1, 2, … in ORDER (their ids), through negative numbers
    so that (report_id, version) stays unique on the way."""
    for sign in (-1, 1):
        for number, version_id in enumerate(order, start=1):
            session.execute(
                update(ReportVersion)
                .where(ReportVersion.id == version_id)
                .values(version=sign * number)
                .execution_options(synchronize_session=False)
            )
    for version_id in order:
        search_index.refresh_version(session, version_id)


def keep(session: Session, run_id: int, row: Any, reason: str) -> None:
    """ROW's derived text and fields into version_history."""
    values = row._mapping
    session.execute(
        insert(VersionHistory).values(
            version_id=row.id,
            report_id=row.report_id,
            version=row.version,
            reprocess_run_id=run_id,
            reason=reason,
            extractor_version=row.extractor_version,
            content_sha256=row.content_sha256,
            title=row.title,
            text=row.text,
            text_original=row.text_original,
            fields={
                "title_original": row.title_original,
                **{k: _iso(values[k]) for k in ("published_date", "signed_date", "document_date")},
                "signed_by": row.signed_by,
                "metadata": values["metadata"],
                "script": row.script,
                "repairs": row.repairs,
            },
        )
    )


def _iso(day: dt.date | None) -> str | None:
    return day.isoformat() if day else None
