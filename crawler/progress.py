"""A live progress line for operators: pages, candidates, reports, errors.

On a terminal it is redrawn in place every second. Anywhere else (cron, CI, a file), or
with the log streaming to the same stderr, it is a plain line every minute instead: carriage
returns would pile up in a file, or tangle with the log lines.
"""

from __future__ import annotations

import sys
import time
from typing import TextIO

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from twisted.internet import task

from archive.runs.history import counts


def line(stats: dict[str, object]) -> str:
    return " · ".join(f"{name} {value}" for name, value in counts(stats).items())


class ProgressLine:
    def __init__(self, crawler: Crawler, out: TextIO, interval: float, redraw: bool) -> None:
        self.crawler = crawler
        self.out = out
        self.loop = task.LoopingCall(self.show)
        self.interval = interval
        self.redraw = redraw

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ProgressLine:
        settings = crawler.settings
        if not settings.getbool("FAZHI_PROGRESS"):
            raise NotConfigured("FAZHI_PROGRESS unset")
        redraw = sys.stderr.isatty() and not settings.getbool("FAZHI_LOG_STDERR")
        interval = settings.getfloat(
            "FAZHI_PROGRESS_INTERVAL" if redraw else "FAZHI_PROGRESS_LOG_INTERVAL"
        )
        extension = cls(crawler, sys.stderr, interval, redraw)
        crawler.signals.connect(extension.opened, signal=signals.spider_opened)
        crawler.signals.connect(extension.closed, signal=signals.spider_closed)
        return extension

    def opened(self) -> None:
        self.loop.start(self.interval, now=False)

    def show(self) -> None:
        text = line(self.crawler.stats.get_stats())
        if self.redraw:
            self.out.write("\r" + text + "   ")
        else:
            self.out.write(f"{time.strftime('%H:%M:%S')} {text}\n")
        self.out.flush()

    def closed(self) -> None:
        if self.loop.running:
            self.loop.stop()
        if self.redraw:  # the line's last state stays above the summary
            self.show()
            self.out.write("\n")
