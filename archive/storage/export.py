"""The export contract: one record per report version, exactly these fields.

Consumers build on this format for years; `docs/schema.md` documents each
field. Adding a field is a release note; renaming or removing one is never done.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections.abc import Iterable, Iterator
from typing import IO, Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from archive.storage import anatomies
from archive.storage.models import ReportVersion, Sighting

FIELDS = (
    "report_id",
    "version",
    "title",
    "title_original",
    "report_year",
    "agency",
    "region",
    "published_date",
    "document_date",
    "signed_by",
    "url",
    "source_urls",
    "text",
    "text_original",
    "content_sha256",
    "first_seen",
    "last_seen",
    "metadata",
    "attachments",
    "script",
    "is_repost_only",
    "sections",
    "figures",
)
BATCH = 200  # versions loaded at a time: memory stays flat on a full export


def records(session: Session, since: dt.date | None = None) -> Iterator[dict[str, Any]]:
    """Every version (seen on or after ``since``, by last_seen), oldest report first."""
    query = (
        select(ReportVersion)
        .options(
            selectinload(ReportVersion.report),
            selectinload(ReportVersion.sightings),
            selectinload(ReportVersion.attachments),
            *anatomies.LOADS,
        )
        .order_by(ReportVersion.report_id, ReportVersion.version)
    )
    if since is not None:
        query = query.where(
            ReportVersion.last_seen >= dt.datetime.combine(since, dt.time(), dt.UTC)
        )
    for version in session.scalars(query.execution_options(yield_per=BATCH)):
        yield record(version)


def record(version: ReportVersion) -> dict[str, Any]:
    report = version.report
    sightings = sorted(version.sightings, key=lambda s: (s.first_seen, s.id))
    return {
        "report_id": report.id,
        "version": version.version,
        "title": version.title,
        "title_original": version.title_original,
        "report_year": report.report_year,
        "agency": report.agency,
        "region": {
            "province": report.province,
            "city": report.city,
            "county": report.county,
            "code": report.division_code,
        },
        "published_date": _iso(version.published_date),
        "document_date": _iso(version.document_date),
        "signed_by": version.signed_by,
        "url": _first_url(sightings),
        "source_urls": [s.url for s in sightings],
        "text": version.text,
        "text_original": version.text_original,
        "content_sha256": version.content_sha256,
        "first_seen": _iso(version.first_seen),
        "last_seen": _iso(version.last_seen),
        "metadata": version.metadata_,
        "attachments": [
            {
                "url": a.url,
                "file_name": a.file_name,
                "sha256": a.sha256,
                "media_type": a.media_type,
                "size": a.size,
                "text_unavailable": a.text_unavailable,
            }
            for a in sorted(version.attachments, key=lambda a: a.id)
        ],
        "script": version.script,
        "is_repost_only": bool(sightings) and all(s.is_repost for s in sightings),
        **_anatomy_fields(version),
    }


def _anatomy_fields(version: ReportVersion) -> dict[str, Any]:
    """``sections`` and ``figures`` as `fazhi reports anatomy --json` gives them; null until the
    version's anatomy is derived."""
    stored = anatomies.stored_json(version)
    return {"sections": stored and stored["sections"], "figures": stored and stored["figures"]}


def _first_url(sightings: list[Sighting]) -> str | None:
    """First seen on the issuing body's own site, else first seen anywhere.

    Whose site a sighting was on is the store's decision (``is_repost``), made once
    with the source's domains, subdomains and ports: it is not made again here.
    """
    own = next((s.url for s in sightings if not s.is_repost), None)
    return own or (sightings[0].url if sightings else None)


def _iso(value: dt.date | dt.datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def jsonl_lines(rows: Iterable[dict[str, Any]]) -> Iterator[str]:
    """One JSON line per record: what `fazhi export` writes and the reading room streams."""
    for row in rows:
        yield json.dumps(row, ensure_ascii=False) + "\n"


def csv_lines(rows: Iterable[dict[str, Any]]) -> Iterator[str]:
    """CSV with the same columns, the header with the first record (alone when there is
    none); lists and objects as JSON text in their cell. One chunk per record."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=FIELDS)
    writer.writeheader()
    for row in rows:
        writer.writerow(
            {
                k: json.dumps(v, ensure_ascii=False) if isinstance(v, list | dict) else v
                for k, v in row.items()
            }
        )
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
    if buffer.tell():
        yield buffer.getvalue()


def write_jsonl(rows: Iterable[dict[str, Any]], out: IO[str]) -> int:
    counted = _Counted(rows)
    out.writelines(jsonl_lines(counted))
    return counted.count


def write_csv(rows: Iterable[dict[str, Any]], out: IO[str]) -> int:
    counted = _Counted(rows)
    out.writelines(csv_lines(counted))
    return counted.count


class _Counted:
    """ROWS, counting those taken."""

    def __init__(self, rows: Iterable[dict[str, Any]]) -> None:
        self.rows = rows
        self.count = 0

    def __iter__(self) -> Iterator[dict[str, Any]]:
        for row in self.rows:
            self.count += 1
            yield row
