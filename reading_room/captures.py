"""What the server sent, read back from the WARC files: a version's page, an attachment's file.

A ``fetch`` row points at its record (``archive.storage.warc``). The record may be a revisit
(the same bytes were archived before): its body is then the one of an earlier fetch with the
same SHA-256, found through ``fetch.body_sha256``. Whoever serves these bytes must keep them
from running (reading_room.security); this module only finds them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from archive.errors import ArchiveError
from archive.storage.models import Attachment, Fetch, ReportVersion, Sighting
from archive.storage.warc import Served, read_capture


class CaptureMissing(ArchiveError):
    """No readable WARC record holds these bytes (a fetch without one, a file gone)."""


@dataclass(frozen=True)
class Original:
    url: str
    status: int
    content_type: str | None
    body: bytes
    fetched_at: dt.datetime


def first_sighting(version: ReportVersion) -> Sighting | None:
    """Where a version was first seen, on the issuing body's own site if it was seen there."""
    ordered = sorted(version.sightings, key=lambda s: (s.is_repost, s.first_seen, s.id))
    return ordered[0] if ordered else None


def of_version(session: Session, data_dir: Path, version: ReportVersion) -> Original:
    """The page a version was read from (for an attachment-only report, the page that
    linked its file)."""
    sighting = first_sighting(version)
    if sighting is None:
        raise CaptureMissing(f"version {version.version} was never seen at a URL")
    fetch = session.get(Fetch, sighting.fetch_id) if sighting.fetch_id is not None else None
    if fetch is None or fetch.warc_file is None:
        fetch = session.scalar(
            select(Fetch)
            .where(
                Fetch.url == sighting.url,
                Fetch.warc_file.is_not(None),
                Fetch.fetched_at <= sighting.last_seen,
            )
            .order_by(Fetch.fetched_at.desc(), Fetch.id.desc())
            .limit(1)
        )
    if fetch is None:
        raise CaptureMissing(f"no capture of {sighting.url} in the WARC files")
    return read(session, data_dir, fetch)


def of_attachment(session: Session, data_dir: Path, attachment: Attachment) -> Original:
    fetch = session.get(Fetch, attachment.fetch_id) if attachment.fetch_id is not None else None
    if fetch is None:
        raise CaptureMissing(f"attachment {attachment.id} was not fetched")
    return read(session, data_dir, fetch)


def read(session: Session, data_dir: Path, fetch: Fetch) -> Original:
    """FETCH's response, its body followed to the original record when it is a revisit."""
    served = _served(data_dir, fetch)
    body = served.body
    if body is None:
        originals = session.scalars(
            select(Fetch)
            .where(
                Fetch.body_sha256 == fetch.body_sha256,
                Fetch.warc_file.is_not(None),
                Fetch.id != fetch.id,
            )
            .order_by(Fetch.id)
        )
        body = next((b for b in (_served(data_dir, f).body for f in originals) if b), None)
        if body is None:
            raise CaptureMissing(f"fetch {fetch.id} is a revisit of a record no longer there")
    content_type = next((v for k, v in served.headers if k.lower() == "content-type"), None)
    return Original(
        fetch.final_url or fetch.url, served.status, content_type, body, fetch.fetched_at
    )


def _served(data_dir: Path, fetch: Fetch) -> Served:
    if fetch.warc_file is None or fetch.warc_offset is None:
        raise CaptureMissing(f"fetch {fetch.id} has no WARC record")
    root = data_dir.resolve()
    path = (root / fetch.warc_file).resolve()
    if not path.is_relative_to(root) or not path.is_file():
        raise CaptureMissing(f"the WARC file of fetch {fetch.id} is not in {root}")
    try:
        return read_capture(path, fetch.warc_offset)
    except (OSError, ValueError) as exc:
        raise CaptureMissing(f"fetch {fetch.id}: {exc}") from exc
