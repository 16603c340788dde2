"""Crash recovery, Scrapy side: who owns a run, and resuming from the archive.

`RunOwner` holds the run's lock for the life of the process (`archive.runs.resume.Owner`);
`fazhi crawl --resume` answers pages the failed runs already fetched from their WARC records
through Scrapy's HTTP cache (`ArchiveStorage`), and `ReplayedPages` keeps those answers out of
the archive. Why, and why not JOBDIR: docs/reliability.md ("Crash and --resume").
"""

from __future__ import annotations

import logging
from typing import Any

from scrapy import Request, Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.http import Headers, Response
from scrapy.responsetypes import responsetypes
from scrapy.settings import BaseSettings
from scrapy.spidermiddlewares.base import BaseSpiderMiddleware
from sqlalchemy import Engine
from sqlalchemy.orm import Session
from w3lib.url import canonicalize_url

from archive.config import Settings
from archive.runs import resume as recovery
from archive.storage import db
from crawler.items import PageItem
from crawler.spiders.reports import ReportsSpider

logger = logging.getLogger(__name__)


class RunOwner:
    """Holds the lock that tells other processes this crawl is alive (an extension)."""

    def __init__(self, crawler: Crawler) -> None:
        self.owner = recovery.Owner(Settings.from_env().data_dir / "locks")
        # In the stats before the pipeline opens the run: its row is born with them.
        for key, value in self.owner.stamp().items():
            crawler.stats.set_value(key, value)
        # Released when the engine has stopped, after the pipeline closed the run:
        # released earlier, a running run would look dead for a moment.
        crawler.signals.connect(self.owner.release, signal=signals.engine_stopped)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RunOwner:
        return cls(crawler)


class ArchiveStorage:
    """Scrapy HTTP cache storage reading the failed runs' captures (``HTTPCACHE_STORAGE``).

    Read-only: what is fetched from the network is archived by the pipeline, not here.
    """

    def __init__(self, settings: BaseSettings) -> None:
        env = Settings.from_env()
        self.database_url = settings.get("FAZHI_DATABASE_URL") or env.database_url
        self.root = env.data_dir  # fetch.warc_file is relative to it
        self.retry_statuses = {int(code) for code in settings.getlist("RETRY_HTTP_CODES")}
        self.engine: Engine | None = None
        self.pages: dict[str, recovery.Replayable] = {}  # canonical URL → its capture
        self.moved: dict[str, str] = {}  # canonical URL → where it redirected to

    def open_spider(self, spider: ReportsSpider) -> None:
        self.engine = db.make_engine(self.database_url)
        with Session(self.engine) as session:
            run_ids = recovery.resumed_runs(session, spider.sources)
            entries = recovery.replayable(session, run_ids, self.retry_statuses)
        for entry in entries:  # oldest first: a later answer for a URL wins
            page = canonicalize_url(entry.final_url)
            self.pages[page] = entry
            if canonicalize_url(entry.url) != page:
                self.moved[canonicalize_url(entry.url)] = entry.final_url
        resumed = ", ".join(map(str, run_ids))
        spider.crawler.stats.set_value("fazhi/resume/runs", resumed)
        if run_ids:
            logger.info(
                "resuming run %s: %d pages answered from the archive", resumed, len(entries)
            )
        else:
            sources = ", ".join(sorted(spider.sources))
            logger.info("no failed run of %s to resume: crawling from the network", sources)

    def close_spider(self, spider: Spider) -> None:
        if self.engine is not None:
            self.engine.dispose()

    def retrieve_response(self, spider: Spider, request: Request) -> Response | None:
        key = canonicalize_url(request.url)
        if key in self.moved:  # the hop is not archived; its target is asked for next
            return Response(request.url, status=301, headers={"Location": self.moved[key]})
        entry = self.pages.get(key)
        if entry is None:
            return None
        with Session(self.engine) as session:
            served = recovery.read_body(session, self.root, entry)
        assert served.body is not None  # read_body finds the body or raises
        headers = Headers(served.headers)
        cls = responsetypes.from_args(headers=headers, url=request.url, body=served.body)
        return cls(request.url, status=served.status, headers=headers, body=served.body)

    def store_response(self, spider: Spider, request: Request, response: Response) -> None:
        """Nothing: a response from the network is archived by the pipeline."""


class ReplayedPages(BaseSpiderMiddleware):
    """Pages answered from the archive are not archived again (a spider middleware)."""

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ReplayedPages:
        if not crawler.settings.getbool("HTTPCACHE_ENABLED"):
            raise NotConfigured
        return cls(crawler)

    def get_processed_item(self, item: Any, response: Response | None) -> Any:
        if isinstance(item, PageItem) and response is not None and "cached" in response.flags:
            self.crawler.stats.inc_value("fazhi/resume/replayed")
            return None
        return item
