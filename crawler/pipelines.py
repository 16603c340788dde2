"""The Scrapy side of archiving: items go through `archive.pipeline`, one transaction each.

The pipeline owns the run's `crawl_run` row (opened with the spider, closed with
its finish reason and stats) and its WARC writer. Deciding what is a report,
a version or a repost is `archive`'s job; this module only adapts Scrapy to it.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from scrapy import Spider
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

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ArchivePipeline:
        settings = Settings.from_env()
        url = crawler.settings.get("FAZHI_DATABASE_URL") or settings.database_url
        return cls(crawler, url, settings)

    def open_spider(self, spider: Spider) -> None:
        self.engine = db.make_engine(self.database_url)
        with Session(self.engine) as session:
            run = CrawlRun(trigger=self.trigger, sources=sorted(spider.sources), status="running")
            session.add(run)
            session.commit()
            self.run_id = run.id
        self.crawler.stats.set_value("fazhi/run_id", self.run_id)
        self.warc = WarcWriter(self.settings.warc_dir, self.run_id, lookup=self._earlier_capture)
        logger.info("crawl run %s started (%s)", self.run_id, db.redact(self.database_url))

    def process_item(self, item: Any, spider: Spider) -> Any:
        stats = self.crawler.stats
        with Session(self.engine) as session:
            if isinstance(item, FailureItem):
                archiving.record_failure(
                    session, item.url, item.error, item.fetched_at, self.run_id, item.status
                )
                outcome = "failure"
            else:
                outcome = self._archive(session, item, spider.sources[item.source])
            session.commit()
        stats.inc_value(f"fazhi/archive/{outcome}")
        return item

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

    def close_spider(self, spider: Spider) -> None:
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
