"""`fazhi crawl`: crawl one source, all of them, or an ad-hoc portal."""

from __future__ import annotations

import datetime as dt
from typing import Annotated
from urllib.parse import urlsplit

import typer

from archive.config import Settings
from fazhi.common import (
    DbOption,
    RegistryOption,
    SetOption,
    crawl_here,
    database_url,
    fail,
)


def crawl(
    source: Annotated[str | None, typer.Option(help="Registry slug of the source.")] = None,
    all_sources: Annotated[bool, typer.Option("--all", help="Every registry source.")] = False,
    start_url: Annotated[
        str | None, typer.Option(help="Crawl an ad-hoc portal (its host is the allowed domain).")
    ] = None,
    max_pages: Annotated[int | None, typer.Option(help="Page budget per source.")] = None,
    registry: RegistryOption = None,
    setting: SetOption = None,
    database: DbOption = None,
    resume: Annotated[
        bool,
        typer.Option(
            help="Continue the last failed or killed crawl of the same sources: pages it "
            "fetched are answered from the archive, not asked again."
        ),
    ] = False,
    verbose: Annotated[
        bool,
        typer.Option(
            "--verbose", "-v", help="Stream Scrapy's log to stderr too (it always goes to a file)."
        ),
    ] = False,
) -> None:
    """Crawl for reports with a live progress line; exit 1 when the run failed.

    The log goes to FAZHI_DATA_DIR/logs/crawls/ (or LOG_FILE), the summary says where.
    With FAZHI_REDIS_URL set, queue the sources for `fazhi worker` processes instead.
    Runs left `running` by a crawl process that died are marked failed first.
    """
    from archive.storage import db

    chosen = [bool(source), all_sources, bool(start_url)]
    if sum(chosen) != 1:
        raise fail("give exactly one of --source SLUG, --all, --start-url URL")
    settings = Settings.from_env()
    if start_url and not settings.allow_private and is_private_url(start_url):
        raise fail(f"{start_url} is a private or loopback address (set FAZHI_ALLOW_PRIVATE=1)")
    url = database_url(database)
    if settings.redis_url:  # several workers share the crawl: queue it for them
        if resume:
            raise fail("--resume is for one machine: the Redis frontier keeps its own queue")
        from fazhi.worker_commands import enqueue

        enqueue(settings, url, source, all_sources, start_url, registry, max_pages)
        return
    db.upgrade(url)
    label = source or (urlsplit(start_url).hostname if start_url else None) or "all"
    log_file = str(settings.crawl_log(label, dt.datetime.now(dt.UTC)))
    fixed: dict[str, object] = {"FAZHI_DATABASE_URL": url, "FAZHI_LOG_STDERR": verbose}
    if resume:  # Scrapy's HTTP cache, reading the failed runs' captures (crawler/replay.py)
        fixed["HTTPCACHE_ENABLED"] = True
    spider_args = {
        "source": source,
        "all": all_sources,
        "start_url": start_url,
        "max_pages": max_pages,
        "registry": str(registry) if registry else None,
    }
    args = {k: v for k, v in spider_args.items() if v}
    crawl_here(url, setting, {"LOG_FILE": log_file}, fixed, args, progress=True)


def is_private_url(url: str) -> bool:
    from crawler.middlewares import is_private

    return is_private(urlsplit(url).hostname or "")
