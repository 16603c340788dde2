"""The skip audit: the links a crawl saw and left, stored once per run and URL, and read back.

A missing report is explained by the link that led to it and why it was not followed; the
crawl writes its audit when it closes (the spider keeps it in memory, one entry per URL).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from archive.storage.models import SkippedLink
from archive.storage.rows import dialect_insert

CHUNK = 1000  # rows per INSERT: a 10,000-link flood is ten statements


@dataclass(frozen=True)
class Skip:
    source_slug: str
    url: str
    found_on: str | None
    anchor: str | None
    reason: str
    detail: str | None = None


def store(session: Session, run_id: int, skips: Iterable[Skip]) -> int:
    """Write SKIPS for run RUN_ID (a URL already there keeps its first reason); the count."""
    rows = [{"crawl_run_id": run_id, **asdict(skip)} for skip in skips]
    for start in range(0, len(rows), CHUNK):
        statement = dialect_insert(session, SkippedLink).on_conflict_do_nothing()
        session.execute(statement, rows[start : start + CHUNK])
    return len(rows)


def skipped(
    session: Session, run_id: int, reason: str | None = None, source: str | None = None
) -> list[Skip]:
    """The links run RUN_ID left, by source, reason and URL; narrowed by REASON and SOURCE."""
    query = select(SkippedLink).where(SkippedLink.crawl_run_id == run_id)
    if reason:
        query = query.where(SkippedLink.reason == reason)
    if source:
        query = query.where(SkippedLink.source_slug == source)
    order = (SkippedLink.source_slug, SkippedLink.reason, SkippedLink.url)
    return [
        Skip(row.source_slug, row.url, row.found_on, row.anchor, row.reason, row.detail)
        for row in session.scalars(query.order_by(*order))
    ]


def counts(session: Session, run_id: int) -> dict[str, int]:
    """How many links run RUN_ID left, by reason."""
    rows = session.execute(
        select(SkippedLink.reason, func.count())
        .where(SkippedLink.crawl_run_id == run_id)
        .group_by(SkippedLink.reason)
        .order_by(SkippedLink.reason)
    )
    return {reason: count for reason, count in rows}
