"""The baseline for bench.crawl_speed: a bare Scrapy spider fetching a list of URLs.

python -m bench.bare_spider URLS_FILE
"""

from __future__ import annotations

import sys
from collections.abc import AsyncIterator
from pathlib import Path

import scrapy
from scrapy.crawler import CrawlerProcess


class BareSpider(scrapy.Spider):
    name = "bare"

    def __init__(self, urls: list[str], **kwargs: object) -> None:
        super().__init__(**kwargs)
        self.urls = urls

    async def start(self) -> AsyncIterator[scrapy.Request]:
        for url in self.urls:
            yield scrapy.Request(url, meta={"handle_httpstatus_all": True}, dont_filter=True)

    def parse(self, response: scrapy.http.Response) -> None:
        """Fetch only: the baseline does no work per page."""


def main() -> None:
    urls = Path(sys.argv[1]).read_text(encoding="utf-8").split()
    process = CrawlerProcess(
        {
            "LOG_LEVEL": "WARNING",
            "TELNETCONSOLE_ENABLED": False,
            "REMOTE_CONTROL_ENABLED": False,
            "CONCURRENT_REQUESTS_PER_DOMAIN": 8,
            "REDIRECT_ENABLED": False,
        }
    )
    process.crawl(BareSpider, urls=urls)
    process.start()


if __name__ == "__main__":
    main()
