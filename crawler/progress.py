"""A live progress line for operators: pages, candidates, reports, errors, every second."""

from __future__ import annotations

import sys
from typing import TextIO

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from twisted.internet import task

from archive.runs.history import counts


def line(stats: dict[str, object]) -> str:
    return " · ".join(f"{name} {value}" for name, value in counts(stats).items())


class ProgressLine:
    def __init__(self, crawler: Crawler, out: TextIO, interval: float) -> None:
        self.crawler = crawler
        self.out = out
        self.loop = task.LoopingCall(self.show)
        self.interval = interval

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ProgressLine:
        if not crawler.settings.getbool("FAZHI_PROGRESS"):
            raise NotConfigured("FAZHI_PROGRESS unset")
        interval = crawler.settings.getfloat("FAZHI_PROGRESS_INTERVAL", 1.0)
        extension = cls(crawler, sys.stderr, interval)
        crawler.signals.connect(extension.opened, signal=signals.spider_opened)
        crawler.signals.connect(extension.closed, signal=signals.spider_closed)
        return extension

    def opened(self) -> None:
        self.loop.start(self.interval, now=False)

    def show(self) -> None:
        self.out.write("\r" + line(self.crawler.stats.get_stats()) + "   ")
        self.out.flush()

    def closed(self) -> None:
        if self.loop.running:
            self.loop.stop()
        self.show()
        self.out.write("\n")
