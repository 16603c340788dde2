"""Asking again only if changed: a page's validators, and what a 304 Not Modified means.

A page corrected in place at its URL must become a new version on the next crawl, and an
unchanged one should cost neither its bytes nor an extraction. The fetch row of a page's last
full capture keeps the server's ETag and Last-Modified; asked with them, a server answers 304
when nothing changed, and the version last seen at that URL is seen again. A changed page (a
200) goes the usual way, by content (docs/dedup.md), as does every page of a server that gives
no validators.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from archive.storage.models import Fetch, ReportVersion, Sighting
from archive.storage.rows import lock_version, sighting_seen_at, widen_seen
from archive.storage.versions import IngestResult, Outcome

# Response header → the request header that asks "only if changed since" (RFC 9110 §13.1).
VALIDATORS = {"etag": "If-None-Match", "last-modified": "If-Modified-Since"}


def validators(session: Session, url: str) -> dict[str, str]:
    """The conditional request headers for URL, from its latest full capture; {} when it has
    none (never fetched whole, or its server gives no validators) or when that capture came
    through a redirect (a validator belongs to the page that gave it, not to the link)."""
    capture = session.execute(
        select(Fetch.headers, Fetch.final_url)
        .where(Fetch.url == url, Fetch.status == 200)
        .order_by(Fetch.id.desc())
        .limit(1)
    ).one_or_none()
    if capture is None or capture.final_url not in (None, url):
        return {}
    headers = capture.headers
    given = {name.lower(): value for name, value in (headers or {}).items()}
    return {asked: given[name] for name, asked in VALIDATORS.items() if given.get(name)}


def not_modified(
    session: Session, url: str, seen_at: dt.datetime, fetch_id: int
) -> IngestResult | None:
    """URL answered 304: the version last seen there is seen again (its sighting and version
    ``last_seen`` move, the sighting points at this fetch); None when no version was seen at
    URL (the capture the server compared with was not a report)."""
    row = session.execute(
        select(Sighting.id, Sighting.version_id, Sighting.is_repost, ReportVersion.report_id)
        .join(ReportVersion, ReportVersion.id == Sighting.version_id)
        .where(Sighting.url == url)
        .order_by(Sighting.last_seen.desc(), Sighting.id.desc())
        .limit(1)
    ).one_or_none()
    if row is None or lock_version(session, row.version_id, exclusive=False) is None:
        return None
    _, values = sighting_seen_at(seen_at, fetch_id)
    session.execute(
        update(Sighting)
        .where(Sighting.id == row.id)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    widen_seen(session, row.version_id, seen_at, seen_at)
    return IngestResult(Outcome.UNCHANGED, row.report_id, row.version_id, row.id, row.is_repost)
