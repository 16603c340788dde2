"""Run the reports spider in this process and say how it went.

Scrapy's reactor cannot restart, so one process runs one crawl: the scheduler
starts each crawl in a child process through `fazhi crawl`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from scrapy.crawler import CrawlerProcess
from scrapy.settings import Settings as ScrapySettings
from scrapy.utils.project import get_project_settings

from archive.config import Settings
from archive.runs.history import counts
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
    verdict: str  # archive.runs.verdict: healthy, degraded, suspect or failed

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

    SPIDER_CLS is the reports spider or its Redis worker (`fazhi worker`).
    """
    settings = project_settings()
    settings.update(overrides or {}, priority="cmdline")
    if progress:
        settings.set("FAZHI_PROGRESS", True, priority="cmdline")
    settings.set("LOG_INSTALL_ROOT_HANDLER", True, priority="cmdline")
    process = CrawlerProcess(settings)
    crawler = process.create_crawler(spider_cls)
    process.crawl(crawler, **spider_args)
    process.start()
    stats = crawler.stats.get_stats()
    return Summary(
        run_id=stats.get("fazhi/run_id"),
        finish_reason=str(stats.get("finish_reason", "unknown")),
        distractors=_grouped(stats, "fazhi/distractor/"),
        traps=_grouped(stats, "fazhi/trap/"),
        verdict=str(stats.get("fazhi/verdict", "failed")),
        **counts(stats),
    )


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
