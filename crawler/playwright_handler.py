"""scrapy-playwright with the browser fazhi resolved, not only Playwright's own download.

scrapy-playwright launches whatever Playwright downloaded; where `playwright install`
cannot download (closed networks, Debian machines with the system Chromium) it
would fail at the first rendered page. The executable is resolved when the handler
starts (`crawler.browser.resolve`): FAZHI_BROWSER, Playwright's, else the system's.
"""

from __future__ import annotations

from scrapy.crawler import Crawler
from scrapy_playwright.handler import ScrapyPlaywrightDownloadHandler

from archive.config import Settings
from crawler.browser import resolve

# No background fetches (they fail on closed networks and cost time); no sandbox as root.
CHROMIUM_ARGS = ("--no-sandbox", "--disable-gpu", "--disable-background-networking")


class FazhiPlaywrightHandler(ScrapyPlaywrightDownloadHandler):
    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler)
        options = self.config.launch_options
        if "executable_path" not in options:
            options["executable_path"] = resolve(Settings.from_env()).path
        options.setdefault("args", list(CHROMIUM_ARGS))
        options.setdefault("headless", True)
