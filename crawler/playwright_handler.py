"""scrapy-playwright with the browser fazhi resolved, held to the crawl's sites, reusing tabs.

Launches the Chromium ``crawler.browser.resolve`` found (not only Playwright's download), aborts
every browser request no source of the run allows, and recycles tabs and contexts.
docs/architecture.md ("The spider", Rendering); the scrapy-playwright internals it relies on:
docs/compatibility.md.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from weakref import WeakKeyDictionary

from playwright.async_api import Page
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


class FazhiPlaywrightHandler(ScrapyPlaywrightDownloadHandler):  # type: ignore[misc]  # untyped
    abort_request: Callable[[PlaywrightRequest], Awaitable[bool] | bool] | None  # the base's

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
        self.idle_tabs: list[tuple[Page, int]] = []  # open tabs between renders, with their count
        self.tab_renders = crawler.settings.getint("FAZHI_TAB_RENDERS")
        self.context_renders = crawler.settings.getint("FAZHI_CONTEXT_RENDERS")
        self.generation = 0  # renders go to the context named fazhi-<generation>
        self.generation_renders = 0  # renders that context has been given
        self.closing: set[str] = set()  # retired contexts being closed
        # As many renders at once as the context has tabs: a render that finds no idle tab may
        # then always open one, where it would wait forever for a tab the others keep open.
        self.tab_turns = asyncio.Semaphore(self.config.max_pages_per_context)
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
        """Whether Chromium must not make this request: an image, media or font (a listing's
        links never need them), or a URL no source of the run allows, port included."""
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
        meta = request.meta
        if self.missing is not None and meta.get("playwright"):
            raise self.missing
        if (
            not meta.get("playwright")
            or "playwright_page" in meta
            or "playwright_include_page" in meta
        ):
            response: Response = await super().download_request(request)
            return response  # static, or a page of the caller's
        return await self._render_in_used_tab(request)

    async def _render_in_used_tab(self, request: Request) -> Response:
        """Render REQUEST in a tab an earlier render left open, then keep it for the next.

        Chromium spends more CPU opening a tab than rendering a listing in it (0.28 of 0.47 s
        a page here), and scrapy-playwright opens one per request. A tab serves
        ``FAZHI_TAB_RENDERS`` pages, then is closed: a renderer grows with every page. A tab
        whose render failed is closed, never reused.

        A browser context serves ``FAZHI_CONTEXT_RENDERS`` pages, then the next render opens a
        new one and the old one is closed once its last render is done: Playwright's driver
        keeps what it knows of every request a context made until the context closes
        (microsoft/playwright#6319). The replica's pages make a handful of requests each, and
        its driver stayed under 225 MB over 900 renders either way; a portal's pages make
        dozens, over a crawl that may render thousands.
        """
        async with self.tab_turns:
            return await self._render_in_tab(request)

    async def _render_in_tab(self, request: Request) -> Response:
        meta = request.meta
        context = meta["playwright_context"] = await self._take_context()
        page, renders = self.idle_tabs.pop() if self.idle_tabs else (None, 0)
        if page is not None:
            meta["playwright_page"] = page
        meta["playwright_include_page"] = True  # scrapy-playwright leaves it open for us
        try:
            response: Response = await super().download_request(request)
        except BaseException:
            await self._drop_tab(meta.pop("playwright_page", None), context)
            raise
        finally:
            del meta["playwright_include_page"]
        self.stats.inc_value("fazhi/render/pages")
        page = meta.pop("playwright_page")
        current = context == self._context_name()
        if current and renders + 1 < self.tab_renders and not page.is_closed():
            self.idle_tabs.append((page, renders + 1))
        else:
            await self._drop_tab(page, context)
        return response

    def _context_name(self) -> str:
        return f"fazhi-{self.generation}"

    async def _take_context(self) -> str:
        """The context the next render goes to: a new one when the current one is spent."""
        if self.generation_renders >= self.context_renders:
            retired, idle = self._context_name(), self.idle_tabs
            self.generation, self.generation_renders, self.idle_tabs = self.generation + 1, 0, []
            for page, _ in idle:
                await self._close_tab(page)
            await self._close_if_retired(retired)
        self.generation_renders += 1
        return self._context_name()

    async def _close_if_retired(self, name: str) -> None:
        """Close context NAME once it is retired and its last tab is closed."""
        wrapper = self.context_wrappers.get(name)
        if name == self._context_name() or wrapper is None or name in self.closing:
            return
        if any(not page.is_closed() for page in wrapper.context.pages):
            return  # a render still uses it: the last one to finish closes it
        self.closing.add(name)
        try:
            await wrapper.context.close()
            self.stats.inc_value("fazhi/render/contexts_closed")
        finally:
            self.closing.discard(name)

    async def _drop_tab(self, page: Page | None, context: str) -> None:
        """Close PAGE, then its CONTEXT if that is retired and PAGE was its last tab."""
        await self._close_tab(page)
        await self._close_if_retired(context)

    async def _close_tab(self, page: Page | None) -> None:
        if page is not None and not page.is_closed():
            await page.close()
            self.stats.inc_value("playwright/page_count/closed")
