"""Which version a copy copies, whatever order the pages arrive in.

A copy (a mirror, a repost, a content farm's page) is a sighting of the stored version nearest
its text. Among a report's versions a figure apart MinHash cannot tell which (its error is
larger than their difference), so the exact 5-gram Jaccard decides. A copy whose text is not
its version's keeps its own (``sighting.text``), so that when the publisher's page with the
text it copies arrives after it, :func:`settle` moves it there. docs/dedup.md.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from archive.storage import dedup
from archive.storage.models import ReportVersion, Sighting
from archive.storage.rows import lock_version, widen_seen


def closest(session: Session, text: str, version_ids: Sequence[int]) -> int:
    """The version among VERSION_IDS (most similar by MinHash first) whose text is nearest
    TEXT; the first of equals."""
    if len(version_ids) == 1:
        return version_ids[0]
    rows = session.execute(
        select(ReportVersion.id, ReportVersion.text).where(ReportVersion.id.in_(version_ids))
    )
    texts = {row.id: row.text for row in rows}
    shingles = dedup.shingle_hashes(text)
    present = [v for v in version_ids if v in texts]
    return max(present, key=lambda v: dedup.similarity(shingles, dedup.shingle_hashes(texts[v])))


def settle(session: Session, report_id: int) -> int:
    """Move each copy of REPORT_ID's versions that keeps its own text to the version nearest
    it; how many moved. Called with the report locked, when it gained a version."""
    copies = session.execute(
        select(Sighting.id, Sighting.version_id, Sighting.url, Sighting.text)
        .join(ReportVersion, ReportVersion.id == Sighting.version_id)
        .where(ReportVersion.report_id == report_id, Sighting.text.is_not(None))
        .order_by(Sighting.id)
    ).all()
    if not copies:
        return 0
    rows = session.execute(
        select(ReportVersion.id, ReportVersion.text)
        .where(ReportVersion.report_id == report_id)
        .order_by(ReportVersion.version)
    )
    versions = {row.id: (row.text, dedup.shingle_hashes(row.text)) for row in rows}
    moved = 0
    for copy in copies:
        assert copy.text is not None  # selected so
        shingles = dedup.shingle_hashes(copy.text)
        best = max(versions, key=lambda v: dedup.similarity(shingles, versions[v][1]))
        if dedup.similarity(shingles, versions[best][1]) > dedup.similarity(
            shingles, versions[copy.version_id][1]
        ):
            own = None if copy.text == versions[best][0] else copy.text
            move(session, copy.id, copy.url, copy.version_id, best, own)
            moved += 1
    return moved


def move(
    session: Session, sighting_id: int, url: str, source: int, target: int, text: str | None
) -> None:
    """Sighting SIGHTING_ID (at URL) to version TARGET, keeping TEXT; when TARGET was seen at
    URL already, that sighting takes this one's times instead."""
    lock_version(session, source, exclusive=True)
    first, last = session.execute(
        select(Sighting.first_seen, Sighting.last_seen).where(Sighting.id == sighting_id)
    ).one()
    there = session.scalar(
        select(Sighting.id).where(Sighting.version_id == target, Sighting.url == url)
    )
    if there is None:
        session.execute(
            update(Sighting)
            .where(Sighting.id == sighting_id)
            .values(version_id=target, text=text)
            .execution_options(synchronize_session=False)
        )
    else:
        session.execute(delete(Sighting).where(Sighting.id == sighting_id))
        stored = session.execute(
            select(Sighting.first_seen, Sighting.last_seen).where(Sighting.id == there)
        ).one()
        session.execute(
            update(Sighting)
            .where(Sighting.id == there)
            .values(first_seen=min(first, stored.first_seen), last_seen=max(last, stored.last_seen))
            .execution_options(synchronize_session=False)
        )
    widen_seen(session, target, first, last)
