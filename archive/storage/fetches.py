"""``fetch`` rows: one per HTTP response or failure, what the archive was given and when."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import insert
from sqlalchemy.orm import Session

from archive.storage.models import Fetch


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
