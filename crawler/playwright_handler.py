"""scrapy-playwright with the browser fazhi resolved, not only Playwright's own download.

scrapy-playwright launches whatever Playwright downloaded; where `playwright install`
cannot download (closed networks, Debian machines with the system Chromium) it
would fail at the first rendered page. The executable is resolved when the handler
starts (`crawler.browser.resolve`): FAZHI_BROWSER, Playwright's, else the system's.
With no browser at all the crawl still runs: static pages are fetched as usual and
only pages that need rendering fail, each with the reason on its fetch row.

Chromium fetches a rendered page's scripts, styles and data itself, past Scrapy's
scope and private-address guards; `FazhiPlaywrightHandler.out_of_scope` holds it to
the crawl's sites (every request a rendered page makes must be one some source of
the run allows, port included) and skips images, media and fonts, which a listing's
links never need.
"""

from __future__ import annotations

import logging
from weakref import WeakKeyDictionary

from playwright.async_api import Request as PlaywrightRequest
from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.http import Response
from scrapy_playwright.handler import ScrapyPlaywrightDownloadHandler

from archive.config import Settings
from crawler.browser import BrowserNotFound, resolve

logger = logging.getLogger(__name__)

# No background fetches (they fail on closed networks and cost time); no sandbox as root.
CHROMIUM_ARGS = ("--no-sandbox", "--disable-gpu", "--disable-background-networking")
SKIPPED_RESOURCES = frozenset({"image", "media", "font"})
_SHARED: WeakKeyDictionary[Crawler, FazhiPlaywrightHandler] = WeakKeyDictionary()


class FazhiPlaywrightHandler(ScrapyPlaywrightDownloadHandler):
    @classmethod
    def from_crawler(cls, crawler: Crawler) -> FazhiPlaywrightHandler:
        """One handler for http and https: Scrapy builds one per scheme, and each would start
        its own Playwright driver and, on a crawl of both kinds of portal, its own Chromium."""
        shared = _SHARED.get(crawler)
        if shared is None:
            shared = _SHARED[crawler] = cls(crawler)
        return shared

    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler)
        self.closed = False
        self.missing: BrowserNotFound | None = None
        options = self.config.launch_options
        if "executable_path" not in options:
            try:
                options["executable_path"] = resolve(Settings.from_env()).path
            except BrowserNotFound as exc:
                self.missing = exc
                logger.error("pages that need rendering will fail: %s", exc)
        options.setdefault("args", list(CHROMIUM_ARGS))
        options.setdefault("headless", True)
        if self.abort_request is None:  # PLAYWRIGHT_ABORT_REQUEST still wins when set
            self.abort_request = self.out_of_scope

    def out_of_scope(self, request: PlaywrightRequest) -> bool:
        """Whether Chromium must not make this request (see the module doc)."""
        if request.resource_type in SKIPPED_RESOURCES:
            return True
        sources = self._crawler.spider.sources.values()
        if any(source.allows(request.url) for source in sources):
            return False
        self.stats.inc_value("fazhi/render/out_of_scope")
        return True

    async def close(self) -> None:
        """Close once, though Scrapy closes the handler of every scheme it serves."""
        if not self.closed:
            self.closed = True
            await super().close()

    async def download_request(self, request: Request) -> Response:
        if self.missing is not None and request.meta.get("playwright"):
            raise self.missing
        return await super().download_request(request)
