"""What a run covers (``--since``, ``--source``, ``--only``) and the batches it walks."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from sqlalchemy import Select, exists, func, select
from sqlalchemy.orm import Session

from archive.extract.classify import DocType
from archive.storage.models import Fetch, Report, ReportVersion, Source

# A capture's columns, as :mod:`archive.reprocess.captures` reads them
CAPTURE_COLUMNS = (
    Fetch.id,
    Fetch.url,
    Fetch.final_url,
    Fetch.status,
    Fetch.headers,
    Fetch.fetched_at,
    Fetch.warc_file,
    Fetch.warc_offset,
    Fetch.body_sha256,
    Fetch.doc_type,
    Fetch.extractor_version,
)

DEFAULT_BATCH = 50  # reports (or pages) a transaction: small enough to lose little to a kill


class Only(StrEnum):
    EXTRACTION = "extraction"  # extraction, classification, dedup and versions
    ANATOMY = "anatomy"  # sections and figures of the stored texts
    ALL = "all"


@dataclass(frozen=True)
class Scope:
    since: dt.date | None = None
    source_slug: str | None = None
    only: Only = Only.ALL

    @property
    def extraction(self) -> bool:
        return self.only in (Only.EXTRACTION, Only.ALL)

    @property
    def anatomy(self) -> bool:
        return self.only in (Only.ANATOMY, Only.ALL)

    def report_batch(self, session: Session, after: int, size: int) -> list[int]:
        """The next SIZE report ids after AFTER (see :meth:`reports`)."""
        return list(session.scalars(self.reports(after).order_by(Report.id).limit(size)))

    def fetch_batch(self, session: Session, after: int, size: int) -> list[Any]:
        """The next SIZE captures after fetch AFTER (see :meth:`fetches`)."""
        return list(session.execute(self.fetches(after).order_by(Fetch.id).limit(size)))

    def count(self, session: Session, query: Select[*tuple[Any, ...]]) -> int:
        return session.scalar(select(func.count()).select_from(query.subquery())) or 0

    def reports(self, after: int) -> Select[int]:
        """Reports after id AFTER seen since ``since`` (a version's last sighting), of source
        ``source_slug``."""
        query = select(Report.id).where(Report.id > after)
        if self.since is not None:
            seen = ReportVersion.last_seen >= _start_of(self.since)
            query = query.where(exists().where(ReportVersion.report_id == Report.id, seen))
        if self.source_slug is not None:
            query = query.where(
                Report.source_id.in_(select(Source.id).where(Source.slug == self.source_slug))
            )
        return query

    def fetches(self, after: int) -> Select[*tuple[Any, ...]]:
        """Captures after fetch AFTER, fetched since ``since``, that older rules classified as
        something else than a report: today's may read them as reports."""
        query: Select[*tuple[Any, ...]] = select(*CAPTURE_COLUMNS).where(
            Fetch.id > after,
            Fetch.doc_type.is_not(None),
            Fetch.doc_type != str(DocType.ANNUAL_REPORT),
            Fetch.warc_file.is_not(None),
            Fetch.status.between(200, 299),
        )
        if self.since is not None:
            query = query.where(Fetch.fetched_at >= _start_of(self.since))
        return query


def _start_of(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(), tzinfo=dt.UTC)
