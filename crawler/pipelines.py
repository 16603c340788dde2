"""The Scrapy side of archiving: the run's row, and every item handed to the archive process.

The pipeline opens and closes the ``crawl_run`` row (status, stats, verdict) and passes each item
through the writer thread (:mod:`crawler.archiving.batching`) to the archive process, which
stores whole batches. Deciding what is a report or a version is ``archive``'s job.
docs/architecture.md ("A page's path").
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections.abc import Iterable
from typing import Any

from scrapy import signals
from scrapy.crawler import Crawler
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from archive.config import Settings
from archive.runs import skips
from archive.runs.verdict import ANSWERED_PREFIX, FOUND, FOUND_PREFIX, Verdict, judge
from archive.storage import db
from archive.storage.models import CrawlRun, Report
from archive.storage.models import Source as SourceRow
from archive.storage.source_info import SourceInfo
from crawler.archiving.batching import BatchWriter
from crawler.archiving.process import ArchiveConfig, ArchiveProcess, Closing
from crawler.items import FailureItem, Job, PageItem
from crawler.spiders.reports import spider_of

logger = logging.getLogger(__name__)
FINISHED_OK = frozenset({"finished"})
FINISHED_CANCELLED = frozenset({"shutdown", "cancelled"})
HTTP_ERROR = 400  # a status from here on is no page of the portal's (coverage: answered)


class ArchivePipeline:
    def __init__(self, crawler: Crawler, database_url: str, settings: Settings) -> None:
        self.crawler = crawler
        self.database_url = database_url
        self.settings = settings
        self.trigger = crawler.settings.get("FAZHI_TRIGGER", "manual")
        self.patience = crawler.settings.getfloat("FAZHI_SPOOL_PATIENCE")
        self.engine: Engine | None = None
        self.run_id: int | None = None
        self.archive: ArchiveProcess | None = None
        self.writer: BatchWriter[Job, str] | None = None
        self.sources: dict[str, tuple[SourceInfo | None, str | None]] = {}
        self.unstored: str | None = None  # why the spool could not be emptied, if it could not
        self.known: dict[str, int] = {}  # per source: reports archived before this run

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ArchivePipeline:
        settings = Settings.from_env()
        url = crawler.settings.get("FAZHI_DATABASE_URL") or settings.database_url
        pipeline = cls(crawler, url, settings)
        # Scrapy closes pipelines before it records the finish reason: the run is closed on
        # spider_closed, the first moment the reason (finished, shutdown, …) is known.
        crawler.signals.connect(pipeline.spider_closed, signal=signals.spider_closed)
        return pipeline

    def open_spider(self) -> None:
        self.engine = db.make_engine(self.database_url)
        sources = spider_of(self.crawler).sources
        with Session(self.engine) as session:
            run = CrawlRun(
                trigger=self.trigger,
                sources=sorted(sources),
                status="running",
                # the stats known at open: the process owning the run (crawler.replay.RunOwner)
                stats=_jsonable(self.crawler.stats.get_stats()),
            )
            session.add(run)
            session.commit()
            self.run_id = run.id
            # a discovery run looks for portals, not reports: none is missed
            finds_reports = spider_of(self.crawler).finds_reports
            self.known = _reports_known(session, sources) if finds_reports else {}
        self.crawler.stats.set_value("fazhi/run_id", self.run_id)
        self.archive = ArchiveProcess(
            ArchiveConfig(
                database_url=self.database_url,
                warc_dir=self.settings.warc_dir,
                spool_dir=self.settings.spool_dir,
                run_id=self.run_id,
                retry_max=self.crawler.settings.getfloat("FAZHI_SPOOL_RETRY_MAX"),
                log_level=self.crawler.settings.get("LOG_LEVEL"),
                log_file=self.crawler.settings.get("LOG_FILE"),
                log_stderr=self.crawler.settings.getbool("FAZHI_LOG_STDERR"),
                log_format=self.crawler.settings.get("LOG_FORMAT"),
                log_dateformat=self.crawler.settings.get("LOG_DATEFORMAT"),
            )
        )
        self.writer = BatchWriter(self.archive.store_batch)
        logger.info("crawl run %s started (%s)", self.run_id, db.redact(self.database_url))

    async def process_item(self, item: PageItem | FailureItem) -> Any:
        assert self.writer is not None and self.run_id is not None  # open_spider ran
        info, region_hint = self._source(item.source)
        job = Job(item, self.run_id, info, region_hint)
        outcome = await asyncio.wrap_future(self.writer.submit(job))
        stats = self.crawler.stats  # stats stay in the reactor thread
        stats.inc_value(f"fazhi/archive/{outcome}")
        if outcome in FOUND:
            stats.inc_value(f"{FOUND_PREFIX}{item.source}")
        if isinstance(item, PageItem) and item.status < HTTP_ERROR:
            stats.inc_value(f"{ANSWERED_PREFIX}{item.source}")
        return item

    def _source(self, slug: str) -> tuple[SourceInfo | None, str | None]:
        if slug not in self.sources:
            source = spider_of(self.crawler).sources.get(slug)
            self.sources[slug] = (source.info(), source.division_code) if source else (None, None)
        return self.sources[slug]

    def close_spider(self) -> None:
        """Store what is queued and empty the spool (waiting for the database if need be)."""
        if self.writer is None:
            return
        self.writer.close()
        assert self.archive is not None  # started before the writer
        closing = self.archive.finish(self.patience)
        if not closing.emptied:
            self.unstored = f"database unavailable; {closing.left} pages left in the spool"
        self._count_spool_stats(closing)

    def spider_closed(self, reason: str) -> None:
        if self.run_id is None:
            return  # the run never opened
        status = (
            "ok"
            if reason in FINISHED_OK
            else "cancelled"
            if reason in FINISHED_CANCELLED
            else "failed"
        )
        summary = None if status == "ok" else f"finish reason: {reason}"
        stats = self.crawler.stats.get_stats()
        verdict = judge(reason, stats, self.known, idle_ok=self.trigger == "worker")
        if self.unstored:  # pages wait in the spool: neither the run nor its result is whole
            status, summary = "failed", self.unstored
            verdict = Verdict("failed", (self.unstored,))
        self.crawler.stats.set_value("fazhi/verdict", verdict.level)
        self.crawler.stats.set_value("fazhi/verdict_reasons", verdict.text)
        try:
            self._close_run(status, summary, verdict)
        except Exception as exc:
            if not db.is_outage(exc):
                raise
            logger.error("crawl run %s could not be closed: database unavailable", self.run_id)
        assert self.engine is not None  # made before the run opened
        self.engine.dispose()
        logger.info(
            "crawl run %s %s (%s), verdict %s%s",
            self.run_id,
            status,
            summary or reason,
            verdict.level,
            f": {verdict.text}" if verdict.text else "",
        )

    def _count_spool_stats(self, closing: Closing) -> None:
        assert self.writer is not None  # called on close, after the writer stopped
        stats = self.crawler.stats
        for outcome, count in closing.drained.items():
            stats.inc_value(f"fazhi/archive/{outcome}", count)
            stats.inc_value("fazhi/spool/stored", count)
        if closing.outages:
            stats.set_value("fazhi/spool/outages", closing.outages)
        stats.set_value("fazhi/archive/batches", self.writer.batches)

    def _close_run(self, status: str, summary: str | None, verdict: Verdict) -> None:
        """Close the run's row, with its skip audit in the same transaction."""
        left = spider_of(self.crawler).skips.skips()
        self.crawler.stats.set_value("fazhi/skipped", len(left))
        with Session(self.engine) as session:
            run = session.get(CrawlRun, self.run_id)
            assert run is not None  # the row open_spider added
            skips.store(session, run.id, left)
            run.status = status
            run.finished_at = dt.datetime.now(dt.UTC)
            run.stats = _jsonable(self.crawler.stats.get_stats())
            run.error_summary = summary
            run.verdict = verdict.level
            run.verdict_reasons = verdict.text
            session.commit()


def _reports_known(session: Session, slugs: Iterable[str]) -> dict[str, int]:
    """Per source slug, the reports archived from it so far (what a crawl should find again)."""
    rows = session.execute(
        select(SourceRow.slug, func.count(Report.id))
        .join(Report, Report.source_id == SourceRow.id)
        .where(SourceRow.slug.in_(list(slugs)))
        .group_by(SourceRow.slug)
    )
    return {slug: count for slug, count in rows}


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
