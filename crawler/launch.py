"""Run the reports spider in this process and say how it went.

Scrapy's reactor cannot restart, so one process runs one crawl: the scheduler
starts each crawl in a child process through `fazhi crawl`.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from scrapy.crawler import CrawlerProcess
from scrapy.settings import Settings as ScrapySettings
from scrapy.utils.log import log_scrapy_info
from scrapy.utils.project import get_project_settings

from archive.config import Settings
from archive.runs.history import counts
from crawler.failures import OneLineFailures, by_reason
from crawler.log_handlers import log_handlers
from crawler.spiders.reports import ReportsSpider


@dataclass(frozen=True)
class Summary:
    run_id: int | None
    finish_reason: str
    pages: int
    candidates: int
    reports: int
    errors: int
    distractors: dict[str, int]
    traps: dict[str, int]
    discovered: dict[str, int]  # a discovery run: sites by verdict, and "proposed"
    verdict: str  # archive.runs.verdict: healthy, degraded, suspect or failed
    verdict_reasons: str | None  # why it is not healthy, as crawl_run.verdict_reasons says
    failures: tuple[str, ...]  # by reason, the most first (crawler.failures.by_reason)
    log_file: str | None  # where the crawl's log went (LOG_FILE), if not only to stderr
    tracebacks: int  # log records with a traceback: errors no one expected

    @property
    def ok(self) -> bool:
        return self.finish_reason == "finished" and self.verdict != "failed"


def crawl(
    spider_args: dict[str, Any],
    overrides: dict[str, Any] | None = None,
    progress: bool = False,
    spider_cls: type[ReportsSpider] = ReportsSpider,
) -> Summary:
    """Crawl with the project's settings plus OVERRIDES; returns the closing summary.

    SPIDER_CLS is the reports spider or its Redis worker (`fazhi worker`). The log goes to
    LOG_FILE if set, and to stderr with FAZHI_LOG_STDERR or without a file.
    """
    settings = project_settings()
    settings.update(overrides or {}, priority="cmdline")
    if progress:
        settings.set("FAZHI_PROGRESS", True, priority="cmdline")
    if not settings.get("LOG_FILE"):
        settings.set("FAZHI_LOG_STDERR", True, priority="cmdline")
    # Our handlers instead of Scrapy's root handler, which Scrapy replaces when a crawl starts
    settings.set("LOG_INSTALL_ROOT_HANDLER", False, priority="cmdline")
    process = CrawlerProcess(settings)
    one_line = OneLineFailures()
    handlers = _log_handlers(settings, one_line)
    log_scrapy_info(settings)  # CrawlerProcess said it before there was a handler to hear it
    try:
        crawler = process.create_crawler(spider_cls)
        process.crawl(crawler, **spider_args)
        process.start()
    finally:
        for handler in handlers:
            logging.root.removeHandler(handler)
            handler.close()
    stats = crawler.stats.get_stats()
    return Summary(
        run_id=stats.get("fazhi/run_id"),
        finish_reason=str(stats.get("finish_reason", "unknown")),
        distractors=_grouped(stats, "fazhi/distractor/"),
        traps=_grouped(stats, "fazhi/trap/"),
        discovered=_grouped(stats, "fazhi/discovery/"),
        verdict=str(stats.get("fazhi/verdict", "failed")),
        verdict_reasons=stats.get("fazhi/verdict_reasons") or None,
        failures=tuple(by_reason(stats)),
        log_file=settings.get("LOG_FILE"),
        tracebacks=one_line.tracebacks,
        **counts(stats),
    )


def _log_handlers(settings: ScrapySettings, one_line: OneLineFailures) -> list[logging.Handler]:
    """Root handlers for the crawl's log, as Scrapy's LOG_* settings describe it."""
    path = settings.get("LOG_FILE")
    handlers = log_handlers(
        path,
        settings.getbool("FAZHI_LOG_STDERR"),
        settings.get("LOG_LEVEL"),
        settings.get("LOG_FORMAT"),
        settings.get("LOG_DATEFORMAT"),
        settings.get("LOG_ENCODING"),
    )
    for handler in handlers:
        if path and not isinstance(handler, logging.FileHandler):
            # Scrapy's stats dump stays in the file; the terminal gets the summary
            handler.addFilter(lambda record: record.name != "scrapy.statscollectors")
        handler.addFilter(one_line)
        logging.root.addHandler(handler)
    logging.root.setLevel(logging.NOTSET)  # as Scrapy's root handler: the handlers choose
    return handlers


def project_settings() -> ScrapySettings:
    """The project's Scrapy settings with this deployment's ``FAZHI_*`` values applied;
    raises ValueError (a misspelt or malformed variable) for the command to report."""
    settings = get_project_settings()
    deployment = Settings.from_env()
    template = settings["USER_AGENT_TEMPLATE"]
    settings.set("USER_AGENT", template.format(contact=deployment.contact), priority="project")
    return settings


def _grouped(stats: dict[str, Any], prefix: str) -> dict[str, int]:
    return {k.removeprefix(prefix): v for k, v in sorted(stats.items()) if k.startswith(prefix)}
