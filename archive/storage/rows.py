"""Row helpers the write side shares: an INSERT that knows ON CONFLICT on both backends, the
version lock that keeps an absorption from deleting a row being written to, a version's seen
times, and the ``source`` row of a registry entry."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from sqlalchemy import case, literal, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from archive.storage.models import ReportVersion, Sighting, Source, UTCDateTime
from archive.storage.source_info import SourceInfo


def dialect_insert(session: Session, model: type[Any]) -> Any:
    """The backend's own INSERT, which knows ON CONFLICT (both backends spell it alike)."""
    dialect = session.get_bind().dialect.name
    return (postgresql if dialect == "postgresql" else sqlite).insert(model)


def lock_version(session: Session, version_id: int, *, exclusive: bool) -> int | None:
    """Lock a version row (FOR UPDATE, else FOR KEY SHARE) so an absorption cannot delete it
    under a sighting being written; its report id, or None when it is gone."""
    query = select(ReportVersion.report_id).where(ReportVersion.id == version_id)
    if exclusive:
        return session.scalar(query.with_for_update())
    return session.scalar(query.with_for_update(read=True, key_share=True))


def source_id(session: Session, source: SourceInfo) -> int:
    """The ``source`` row of a registry entry, written when missing or changed."""
    values = source.row()
    stored = session.execute(
        select(Source.__table__).where(Source.slug == source.slug)
    ).one_or_none()
    if stored is not None and all(stored._mapping[k] == v for k, v in values.items()):
        stored_id: int = stored.id  # a Table's row: its columns are untyped
        return stored_id
    return upsert(session, Source, {"slug": source.slug}, values)


def record_sources(session: Session, sources: Iterable[SourceInfo]) -> None:
    """Write the registry's entries into ``source`` (the caller commits): the ``coverage``
    view knows a body's portal from this table, so it answers for the registry in use."""
    for source in sources:
        source_id(session, source)


def upsert(session: Session, model: type[Any], key: dict[str, Any], values: dict[str, Any]) -> int:
    """The id of MODEL's row with KEY (its unique columns), inserted with VALUES or, when it
    exists (a rival writer may have just inserted it), updated to them."""
    inserted: int | None = session.scalar(
        dialect_insert(session, model)
        .values({**values, **key})
        .on_conflict_do_nothing()
        .returning(model.id)
    )
    if inserted is not None:
        return inserted
    updated: int = session.execute(
        update(model)
        .where(*(getattr(model, column) == value for column, value in key.items()))
        .values(**values)
        .returning(model.id)
        .execution_options(synchronize_session=False)
    ).scalar_one()
    return updated


def sighting_seen_at(
    seen_at: dt.datetime, fetch_id: int | None
) -> tuple[ColumnElement[bool], dict[str, Any]]:
    """The UPDATE values of a sighting seen again at SEEN_AT: its times widen, and it points
    at FETCH_ID when that is its latest sighting; with the condition "this is the latest", for
    callers that move more columns with it."""
    moment = literal(seen_at, UTCDateTime())
    newer = Sighting.last_seen <= moment
    values: dict[str, Any] = {
        "first_seen": case((Sighting.first_seen > moment, moment), else_=Sighting.first_seen),
        "last_seen": case((newer, moment), else_=Sighting.last_seen),
    }
    if fetch_id is not None:
        values["fetch_id"] = case((newer, fetch_id), else_=Sighting.fetch_id)
    return newer, values


def earliest_published(session: Session, version_id: int, published: dt.date) -> bool:
    """The version's publication date moves back to PUBLISHED when the publisher shows the
    same text on an earlier-dated page (the report first published in its column, later again
    in a news column): the version says when the publisher first published it, whichever page
    the crawl met first. Whether it moved."""
    moved = session.execute(
        update(ReportVersion)
        .where(ReportVersion.id == version_id)
        .where(
            or_(ReportVersion.published_date.is_(None), ReportVersion.published_date > published)
        )
        .values(published_date=published)
        .returning(ReportVersion.id)
        .execution_options(synchronize_session=False)
    )
    return moved.first() is not None


def widen_seen(session: Session, version_id: int, first: dt.datetime, last: dt.datetime) -> None:
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
