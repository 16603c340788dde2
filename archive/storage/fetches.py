"""``fetch`` rows: one per HTTP response or failure, what the archive was given and when,
and the response a row's WARC record holds."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from archive.storage.models import Fetch
from archive.storage.warc import Served, read_capture


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
    part_of: int | None = None,
    span: str | None = None,
) -> int:
    """Write one ``fetch`` row (a response, or a failure with ``error``); returns its id.
    PART_OF: the fetch of the report page this capture is a further part of, joined as SPAN."""
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
            part_of=part_of,
            span=span,
        )
        .returning(Fetch.id)
    ).scalar_one()


def read_response(
    session: Session, root: Path, warc_file: str, warc_offset: int, body_sha256: str | None
) -> Served:
    """The response archived at WARC_FILE@WARC_OFFSET (relative to the data directory ROOT),
    with its body: a revisit record's is its original's, the first capture of the same digest.
    """
    served = read_capture(root / warc_file, warc_offset)
    if served.body is not None:
        return served
    originals = session.execute(
        select(Fetch.warc_file, Fetch.warc_offset)
        .where(Fetch.body_sha256 == body_sha256, Fetch.warc_file.is_not(None))
        .order_by(Fetch.id)
    )
    for file, offset in originals:
        if file is None or offset is None:
            continue
        original = read_capture(root / file, offset)
        if original.body is not None:
            return Served(served.status, served.headers, original.body)
    raise ValueError(f"{warc_file}@{warc_offset}: the revisit's original capture is not archived")
