"""`fazhi worker`, and `fazhi crawl`'s other half when FAZHI_REDIS_URL is set: queueing seeds.

Several workers, on one machine or many, share one frontier on Redis and one
PostgreSQL archive; `fazhi crawl` (or the scheduler) only queues sources for them.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from sqlalchemy.engine import make_url

from archive.config import Settings
from fazhi.common import (
    DbOption,
    RegistryOption,
    SetOption,
    crawl_here,
    database_url,
    fail,
)


def worker(
    registry: RegistryOption = None,
    idle_exit: Annotated[
        float,
        typer.Option(help="Quit after this many seconds with nothing left anywhere (0: never)."),
    ] = 0,
    setting: SetOption = None,
    database: DbOption = None,
) -> None:
    """Crawl from the shared Redis frontier into PostgreSQL, alongside any other workers."""
    from crawler.spiders.worker import WorkerSpider

    url = database_url(database)
    base = frontier_settings(Settings.from_env(), url)
    fixed = {"MAX_IDLE_TIME_BEFORE_CLOSE": idle_exit, "FAZHI_TRIGGER": "worker"}
    spider_args = {"registry": str(registry)} if registry else {}
    crawl_here(url, setting, base, fixed, spider_args, spider_cls=WorkerSpider)


def frontier_settings(settings: Settings, url: str) -> dict[str, Any]:
    """Scrapy settings of distributed mode, or a clear refusal when it cannot work."""
    from crawler.frontier import scrapy_settings

    if not settings.redis_url:
        raise fail("FAZHI_REDIS_URL is unset: workers share their frontier on Redis")
    if make_url(url).get_backend_name() != "postgresql":
        raise fail(
            f"several workers need PostgreSQL, not {make_url(url).get_backend_name()}: "
            "set FAZHI_DATABASE_URL=postgresql://…"
        )
    try:
        return {
            **scrapy_settings(settings.redis_url, settings.redis_prefix),
            "FAZHI_DATABASE_URL": url,
        }
    except ValueError as exc:
        raise fail(str(exc)) from exc


def enqueue(
    settings: Settings,
    url: str,
    source: str | None,
    all_sources: bool,
    start_url: str | None,
    registry: Path | None,
    max_pages: int | None,
) -> None:
    """Queue the chosen sources as seeds for the workers; each starts a new run of its source."""
    import redis

    from crawler.frontier import Frontier, FrontierKeys
    from crawler.registry import load
    from crawler.registry.discovered import with_discovered

    frontier_settings(settings, url)  # refuse SQLite here too: the workers would
    assert settings.redis_url  # frontier_settings refused an unset one
    if start_url:
        raise fail(
            "--start-url crawls on this machine only: unset FAZHI_REDIS_URL, "
            "or add the portal to the registry"
        )
    try:
        sources = with_discovered(load(registry), url)
        chosen = sources.select(None if all_sources else [source] if source else [])
        slugs = sorted(s.slug for s in chosen)
    except KeyError as exc:
        raise fail(f"no source {exc} in the registry") from exc
    frontier = Frontier(
        redis.Redis.from_url(settings.redis_url), FrontierKeys(settings.redis_prefix)
    )
    try:
        count = frontier.seed(slugs, max_pages)
    except redis.RedisError as exc:
        raise fail(f"cannot queue on Redis: {exc}") from exc
    typer.echo(f"queued {count} sources for the workers (frontier {settings.redis_prefix}…)")
