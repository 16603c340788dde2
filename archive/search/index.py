"""Keeping the search index in step with the archive, inside the writer's transaction.

``archive.storage.versions.ingest`` calls :func:`add_version` for every new version,
:func:`refresh_version` when a version moves to another report (a repost-only version adopted by
its original) and :func:`drop_version` before it deletes one; a failed ingest thus leaves no
index row behind. :func:`reindex` rebuilds everything (``fazhi db reindex``).

Two parts: ``search_doc`` (a row per version: latest flag, facets, the report's timeliness,
title; the same table on both backends) and the n-gram index (archive/search/grams.py): the
FTS5 table ``search_fts`` on SQLite, written here; on PostgreSQL a GIN index over
``search_grams(title, text)`` of ``report_version``, which PostgreSQL maintains itself.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from sqlalchemy import TableClause, column, delete, func, insert, select, table, text, update
from sqlalchemy.orm import Session, aliased

from archive.coverage.deadline import timeliness
from archive.search.grams import fts_document
from archive.storage.models import Report, ReportVersion, SearchDoc, Source

SEARCH_FTS_TABLE = "search_fts"
SEARCH_GRAMS_INDEX = "ix_report_version_search_grams"
BATCH = 500

FTS: TableClause = table(SEARCH_FTS_TABLE, column("rowid"), column("grams"))


def uses_fts(session: Session) -> bool:
    """Whether the index is SQLite's FTS5 table (else PostgreSQL's GIN index)."""
    return session.get_bind().dialect.name == "sqlite"


def _docs_of(version_ids: Iterable[int] | None) -> object:
    """search_doc rows computed from the archive, for some versions or all."""
    later = aliased(ReportVersion)
    latest = (
        select(func.max(later.version)).where(later.report_id == ReportVersion.report_id)
    ).scalar_subquery()
    query = (
        select(
            ReportVersion.id,
            ReportVersion.report_id,
            ReportVersion.version,
            ReportVersion.version == latest,
            ReportVersion.title,
            Report.agency,
            Report.report_year,
            Report.province,
            Source.level,
        )
        .join(Report, Report.id == ReportVersion.report_id)
        .outerjoin(Source, Source.id == Report.source_id)
    )
    if version_ids is not None:
        query = query.where(ReportVersion.id.in_(list(version_ids)))
    return query


_COLUMNS = [
    "version_id",
    "report_id",
    "version",
    "is_latest",
    "title",
    "agency",
    "report_year",
    "province",
    "level",
]


def _insert_docs(session: Session, version_ids: list[int] | None) -> None:
    session.execute(insert(SearchDoc).from_select(_COLUMNS, _docs_of(version_ids)))  # type: ignore[arg-type]


def _fts_insert(session: Session, version_ids: list[int]) -> None:
    rows = session.execute(
        select(ReportVersion.id, ReportVersion.title, ReportVersion.text).where(
            ReportVersion.id.in_(version_ids)
        )
    )
    values = [{"rowid": row.id, "grams": fts_document(row.title, row.text)} for row in rows]
    if values:
        session.execute(insert(FTS), values)


def _fts_delete(session: Session, version_id: int) -> None:
    """A contentless FTS5 row is deleted by giving back the document it indexed: the title
    as search_doc kept it and the version's text (which never changes)."""
    row = session.execute(
        select(SearchDoc.title, ReportVersion.text)
        .join(ReportVersion, ReportVersion.id == SearchDoc.version_id)
        .where(SearchDoc.version_id == version_id)
    ).one_or_none()
    if row is not None:
        session.execute(
            text(
                "INSERT INTO search_fts (search_fts, rowid, grams) VALUES ('delete', :id, :grams)"
            ),
            {"id": version_id, "grams": fts_document(row.title, row.text)},
        )


def _timeliness(session: Session, report_ids: list[int] | None) -> dict[int, str | None]:
    """Each report's timeliness as coverage decides it, from its versions' earliest dates."""
    query = (
        select(
            Report.id,
            Report.report_year,
            func.min(ReportVersion.published_date),
            func.min(ReportVersion.first_seen),
        )
        .join(ReportVersion, ReportVersion.report_id == Report.id)
        .group_by(Report.id, Report.report_year)
    )
    if report_ids is not None:
        query = query.where(Report.id.in_(report_ids))
    return {
        report_id: None if year is None else timeliness(year, published, seen)[0]
        for report_id, year, published, seen in session.execute(query)
    }


def _set_timeliness(session: Session, report_ids: list[int] | None) -> None:
    """search_doc.timeliness of REPORT_IDS (every report with None), one UPDATE per value."""
    by_value: dict[str | None, list[int]] = defaultdict(list)
    for report_id, value in _timeliness(session, report_ids).items():
        by_value[value].append(report_id)
    for value, ids in by_value.items():
        for start in range(0, len(ids), BATCH):
            session.execute(
                update(SearchDoc)
                .where(SearchDoc.report_id.in_(ids[start : start + BATCH]))
                .values(timeliness=value)
                .execution_options(synchronize_session=False)
            )


def _refresh_report(session: Session, report_id: int) -> None:
    """What a version added to or dropped from a report changes in its other rows: which one
    is the latest, and the report's timeliness (its earliest dates may have moved)."""
    later = aliased(ReportVersion)
    latest = (select(func.max(later.version)).where(later.report_id == report_id)).scalar_subquery()
    session.execute(
        update(SearchDoc)
        .where(SearchDoc.report_id == report_id)
        .values(is_latest=SearchDoc.version == latest)
        .execution_options(synchronize_session=False)
    )
    _set_timeliness(session, [report_id])


def add_version(session: Session, version_id: int) -> None:
    """Index a version just inserted; its report's earlier versions stop being the latest."""
    _insert_docs(session, [version_id])
    if uses_fts(session):
        _fts_insert(session, [version_id])
    report_id = session.scalar(
        select(SearchDoc.report_id).where(SearchDoc.version_id == version_id)
    )
    if report_id is not None:
        _refresh_report(session, report_id)


def dates_changed(session: Session, report_id: int) -> None:
    """A version of the report changed its publication date: its timeliness may have moved."""
    _set_timeliness(session, [report_id])


def drop_version(session: Session, version_id: int) -> None:
    """Unindex a version about to be deleted or changed."""
    report_id = session.scalar(
        select(SearchDoc.report_id).where(SearchDoc.version_id == version_id)
    )
    if uses_fts(session):
        _fts_delete(session, version_id)
    session.execute(delete(SearchDoc).where(SearchDoc.version_id == version_id))
    if report_id is not None:
        _refresh_report(session, report_id)


def refresh_version(session: Session, version_id: int) -> None:
    """Re-index a version whose report, number or title changed."""
    drop_version(session, version_id)
    add_version(session, version_id)


def drop_gram_index(session: Session) -> None:
    """PostgreSQL: drop the GIN index, so a bulk load does not update it row by row; reindex
    builds it again."""
    session.execute(text("DROP INDEX IF EXISTS ix_report_version_search_grams"))


def reindex(session: Session) -> int:
    """Rebuild the whole index from the archive; returns the number of versions indexed."""
    session.execute(delete(SearchDoc))
    _insert_docs(session, None)
    _set_timeliness(session, None)
    if uses_fts(session):
        session.execute(text("INSERT INTO search_fts (search_fts) VALUES ('delete-all')"))
        ids = list(session.scalars(select(ReportVersion.id).order_by(ReportVersion.id)))
        for start in range(0, len(ids), BATCH):
            _fts_insert(session, ids[start : start + BATCH])
    else:  # dropped and created rather than REINDEXed: bulk loads drop it first (drop_gram_index)
        drop_gram_index(session)
        session.execute(
            text(
                "CREATE INDEX ix_report_version_search_grams ON report_version "
                "USING gin (search_grams(title, text))"
            )
        )
        session.execute(  # as migration 0007 does: no statistics on the expression
            text("ALTER INDEX ix_report_version_search_grams ALTER COLUMN 1 SET STATISTICS 0")
        )
    return session.scalar(select(func.count()).select_from(SearchDoc)) or 0


__all__ = [
    "SEARCH_FTS_TABLE",
    "SEARCH_GRAMS_INDEX",
    "add_version",
    "dates_changed",
    "drop_gram_index",
    "drop_version",
    "refresh_version",
    "reindex",
    "uses_fts",
]
