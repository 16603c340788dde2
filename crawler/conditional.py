"""Downloader middleware: a report page or file is asked for with its last capture's validators.

The archive keeps the ETag and Last-Modified each full capture came with
(:mod:`archive.storage.revalidation`); a report page or attachment asked for again carries them
as If-None-Match / If-Modified-Since, so an unchanged page answers 304 (archived as seen again)
and a page corrected in place answers 200 with its new text (a new version). Listings are always
fetched whole: their links are what the crawl needs. Rendered pages are not asked conditionally
(the browser fetches them). A database that cannot answer costs only the condition: the request
goes out whole, and the reason is logged once.
"""

from __future__ import annotations

import asyncio
import logging

from scrapy import Request, signals
from scrapy.crawler import Crawler
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from archive.config import Settings
from archive.storage import db, revalidation
from crawler.discovery import LinkKind

logger = logging.getLogger(__name__)
ASKED_AGAIN = frozenset({LinkKind.CANDIDATE, LinkKind.ATTACHMENT})


class ConditionalRequests:
    def __init__(self, crawler: Crawler, database_url: str) -> None:
        self.crawler = crawler
        self.database_url = database_url
        self.engine: Engine | None = None
        self.unavailable = False  # the database failed once: no more asking it this run

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ConditionalRequests:
        url = crawler.settings.get("FAZHI_DATABASE_URL") or Settings.from_env().database_url
        middleware = cls(crawler, url)
        crawler.signals.connect(middleware.close, signal=signals.spider_closed)
        return middleware

    def close(self) -> None:
        if self.engine is not None:
            self.engine.dispose()

    async def process_request(self, request: Request) -> None:
        if request.cb_kwargs.get("kind") not in ASKED_AGAIN or request.meta.get("playwright"):
            return
        if self.unavailable or b"If-None-Match" in request.headers:
            return
        if self.engine is None:
            self.engine = db.make_engine(self.database_url)
        try:  # in a worker thread: a slow database must not stall the reactor's other requests
            found = await asyncio.to_thread(self._validators, self.engine, request.url)
        except Exception as exc:
            if not db.is_outage(exc):
                raise
            self.unavailable = True
            logger.warning("conditional requests off for this run: database unavailable (%s)", exc)
            return
        for name, value in found.items():
            request.headers[name] = value
        if found:
            self.crawler.stats.inc_value("fazhi/conditional/asked")

    @staticmethod
    def _validators(engine: Engine, url: str) -> dict[str, str]:
        with Session(engine) as session:
            return revalidation.validators(session, url)
