"""Politeness across workers: one request start per host per DOWNLOAD_DELAY, fleet-wide.

Scrapy's delay, AutoThrottle and CONCURRENT_REQUESTS_PER_DOMAIN hold inside one
process; N workers would hit a portal N times as hard. Before a request leaves,
the worker claims the host's slot in Redis (``SET host NX PX delay``): granted,
no other worker may start a request to that host for DOWNLOAD_DELAY seconds;
refused, it waits the slot's remaining time and asks again. A key that expires on
its own needs no release, so a killed worker never holds a host.
"""

from __future__ import annotations

import asyncio
from urllib.parse import urlsplit

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured

from crawler.frontier import Frontier


class HostGate:
    def __init__(self, frontier: Frontier, delay: float) -> None:
        self.frontier = frontier
        self.delay = delay

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> HostGate:
        settings = crawler.settings
        if not settings.get("REDIS_URL"):
            raise NotConfigured("one machine: Scrapy's own per-host limits suffice")
        delay = settings.getfloat("DOWNLOAD_DELAY")
        if delay <= 0:
            raise NotConfigured("DOWNLOAD_DELAY=0: politeness is off")
        return cls(Frontier.from_settings(settings), delay)

    async def process_request(self, request: Request) -> None:
        host = urlsplit(request.url).netloc
        while (wait := self.frontier.reserve_host(host, self.delay)) > 0:
            await asyncio.sleep(wait)
