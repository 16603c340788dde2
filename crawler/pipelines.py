"""The Scrapy side of archiving: items go through `archive.pipeline`, one transaction each.

The pipeline owns the run's `crawl_run` row (opened with the spider, closed with
its finish reason and stats) and its WARC writer. Deciding what is a report,
a version or a repost is `archive`'s job; this module only adapts Scrapy to it.

Archiving (extraction, database, WARC) runs in one writer thread, not in the
reactor: the downloads go on while a page is being stored, and one thread keeps
every write in order (the WARC file and SQLite want one writer anyway). Pages
that queue up while one batch is written are stored together (`crawler.batching`):
one WARC fsync and one commit per batch. A database error fails the whole batch,
so no batch is ever half stored.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections.abc import Sequence
from typing import Any

from scrapy.crawler import Crawler
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from archive import db
from archive import pipeline as archiving
from archive.config import Settings
from archive.extract import Extracted
from archive.models import CrawlRun, Fetch
from archive.store import SourceInfo
from archive.warc import Reference, WarcWriter
from crawler.batching import BatchWriter
from crawler.discovery import LinkKind
from crawler.items import FailureItem, PageItem
from crawler.registry import Source

logger = logging.getLogger(__name__)
FINISHED_OK = frozenset({"finished"})
FINISHED_CANCELLED = frozenset({"shutdown", "cancelled"})


class ArchivePipeline:
    def __init__(self, crawler: Crawler, database_url: str, settings: Settings) -> None:
        self.crawler = crawler
        self.database_url = database_url
        self.settings = settings
        self.trigger = crawler.settings.get("FAZHI_TRIGGER", "manual")
        self.engine: Engine | None = None
        self.run_id: int | None = None
        self.warc: WarcWriter | None = None
        self.deferred: dict[str, Extracted] = {}  # attachment-only pages awaiting their file
        self.writer: BatchWriter[PageItem | FailureItem, str] | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ArchivePipeline:
        settings = Settings.from_env()
        url = crawler.settings.get("FAZHI_DATABASE_URL") or settings.database_url
        return cls(crawler, url, settings)

    def open_spider(self) -> None:
        self.engine = db.make_engine(self.database_url)
        sources = sorted(self.crawler.spider.sources)
        with Session(self.engine) as session:
            run = CrawlRun(trigger=self.trigger, sources=sources, status="running")
            session.add(run)
            session.commit()
            self.run_id = run.id
        self.crawler.stats.set_value("fazhi/run_id", self.run_id)
        self.warc = WarcWriter(
            self.settings.warc_dir, self.run_id, lookup=self._earlier_capture, sync_each=False
        )
        self.writer = BatchWriter(self._store_batch)
        logger.info("crawl run %s started (%s)", self.run_id, db.redact(self.database_url))

    async def process_item(self, item: Any) -> Any:
        outcome = await asyncio.wrap_future(self.writer.submit(item))
        self.crawler.stats.inc_value(f"fazhi/archive/{outcome}")  # stats stay in the reactor
        return item

    def _store_batch(self, items: Sequence[PageItem | FailureItem]) -> list[str]:
        """Store a batch in one transaction (writer thread); what became of each item."""
        deferred = dict(self.deferred)
        try:
            with Session(self.engine) as session:
                outcomes = [self._store(session, item) for item in items]
                self.warc.sync()  # the records before the rows that point at them
                session.commit()
        except Exception:
            self.deferred = deferred  # nothing of the batch stands
            raise
        self.crawler.stats.max_value("fazhi/archive/batch_max", len(items))
        return outcomes

    def _store(self, session: Session, item: PageItem | FailureItem) -> str:
        if isinstance(item, FailureItem):
            archiving.record_failure(
                session, item.url, item.error, item.fetched_at, self.run_id, item.status
            )
            return "failure"
        return self._archive(session, item, self.crawler.spider.sources[item.source])

    def _archive(self, session: Session, item: PageItem, source: Source) -> str:
        response = archiving.Response(
            url=item.url,
            status=item.status,
            headers=item.headers,
            body=item.body,
            fetched_at=item.fetched_at,
            final_url=item.final_url,
        )
        info = source_info(source)
        if item.kind == LinkKind.ATTACHMENT and item.parent_url:
            done = archiving.process_attachment(
                session,
                response,
                page_url=item.parent_url,
                page=self.deferred.pop(item.parent_url, None),
                name=item.anchor,
                warc=self.warc,
                crawl_run_id=self.run_id,
                source=info,
            )
        elif item.kind in (LinkKind.CANDIDATE, LinkKind.ATTACHMENT):
            done = archiving.process(
                session,
                response,
                warc=self.warc,
                crawl_run_id=self.run_id,
                source=info,
                region_hint=source.division_code,
            )
        else:
            archiving.record(session, response, warc=self.warc, crawl_run_id=self.run_id)
            return "listing"
        if done.deferred and done.extracted is not None:
            self.deferred[item.final_url or item.url] = done.extracted
            return "deferred"
        if done.error:
            return "error"
        if done.result is not None:
            return str(done.result.outcome)
        return f"not-report/{done.doc_type}"

    def close_spider(self) -> None:
        if self.writer is not None:
            self.writer.close()
        reason = self.crawler.stats.get_value("finish_reason") or "finished"
        status = (
            "ok"
            if reason in FINISHED_OK
            else "cancelled"
            if reason in FINISHED_CANCELLED
            else "failed"
        )
        if self.warc is not None:
            self.warc.close()
        with Session(self.engine) as session:
            run = session.get(CrawlRun, self.run_id)
            run.status = status
            run.finished_at = dt.datetime.now(dt.UTC)
            run.stats = _jsonable(self.crawler.stats.get_stats())
            run.error_summary = None if status == "ok" else f"finish reason: {reason}"
            session.commit()
        self.engine.dispose()
        logger.info("crawl run %s %s (%s)", self.run_id, status, reason)

    def _earlier_capture(self, digest: str) -> Reference | None:
        """The first capture of this payload in an earlier run: a revisit record points there."""
        with Session(self.engine) as session:
            row = session.execute(
                select(Fetch.url, Fetch.fetched_at)
                .where(Fetch.body_sha256 == digest, Fetch.warc_file.is_not(None))
                .order_by(Fetch.id)
                .limit(1)
            ).first()
        return Reference(uri=row.url, date=row.fetched_at) if row else None


def source_info(source: Source) -> SourceInfo:
    region = source.region
    return SourceInfo(
        slug=source.slug,
        name=source.name,
        home_url=source.home_url,
        domains=tuple(source.domains),
        agency=source.agency,
        level=str(source.level) if source.level else None,
        province=region.province if region else None,
        city=region.city if region else None,
        county=region.county if region else None,
        division_code=source.division_code,
    )


def _jsonable(stats: dict[str, Any]) -> dict[str, Any]:
    """Scrapy stats as JSON values: datetimes as ISO text, durations in seconds."""
    out: dict[str, Any] = {}
    for key, value in stats.items():
        if isinstance(value, dt.datetime):
            out[key] = value.isoformat()
        elif isinstance(value, dt.timedelta):
            out[key] = value.total_seconds()
        elif isinstance(value, int | float | str):
            out[key] = value
    return out
