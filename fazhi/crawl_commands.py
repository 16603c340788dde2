"""`fazhi crawl`: crawl one source, all of them, or an ad-hoc portal."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from archive.config import Settings
from fazhi.common import DbOption, database_url, fail

if TYPE_CHECKING:
    from crawler.launch import Summary


def crawl(
    source: Annotated[str | None, typer.Option(help="Registry slug of the source.")] = None,
    all_sources: Annotated[bool, typer.Option("--all", help="Every registry source.")] = False,
    start_url: Annotated[
        str | None, typer.Option(help="Crawl an ad-hoc portal (its host is the allowed domain).")
    ] = None,
    max_pages: Annotated[int | None, typer.Option(help="Page budget per source.")] = None,
    registry: Annotated[
        Path | None, typer.Option(help="Another registry (a YAML file or directory).")
    ] = None,
    setting: Annotated[
        list[str] | None,
        typer.Option("--set", "-s", help="Scrapy setting override NAME=VALUE (repeatable)."),
    ] = None,
    database: DbOption = None,
    resume: Annotated[
        bool,
        typer.Option(
            help="Continue the last failed or killed crawl of the same sources: pages it "
            "fetched are answered from the archive, not asked again."
        ),
    ] = False,
) -> None:
    """Crawl for reports with a live progress line; exit 1 when the run failed.

    With FAZHI_REDIS_URL set, queue the sources for `fazhi worker` processes instead.
    Runs left `running` by a crawl process that died are marked failed first.
    """
    from archive.storage import db
    from crawler.launch import crawl as run_crawl

    chosen = [bool(source), all_sources, bool(start_url)]
    if sum(chosen) != 1:
        raise fail("give exactly one of --source SLUG, --all, --start-url URL")
    settings = Settings.from_env()
    if start_url and not settings.allow_private and _is_private_url(start_url):
        raise fail(f"{start_url} is a private or loopback address (set FAZHI_ALLOW_PRIVATE=1)")
    url = database_url(database)
    if settings.redis_url:  # several workers share the crawl: queue it for them
        if resume:
            raise fail("--resume is for one machine: the Redis frontier keeps its own queue")
        from fazhi.worker_commands import enqueue

        enqueue(settings, url, source, all_sources, start_url, registry, max_pages)
        return
    db.upgrade(url)
    close_dead_runs(url)
    overrides = dict(parse_setting(s) for s in setting or [])
    overrides["FAZHI_DATABASE_URL"] = url
    if resume:  # Scrapy's HTTP cache, reading the failed runs' captures (crawler/replay.py)
        overrides["HTTPCACHE_ENABLED"] = True
    spider_args = {
        "source": source,
        "all": all_sources,
        "start_url": start_url,
        "max_pages": max_pages,
        "registry": str(registry) if registry else None,
    }
    summary = run_crawl({k: v for k, v in spider_args.items() if v}, overrides, progress=True)
    report(summary)


def report(summary: Summary) -> None:
    """The closing summary of a crawl or a worker; exit 1 when the run failed."""
    typer.echo(
        f"run {summary.run_id}: {summary.finish_reason}; {summary.pages} pages, "
        f"{summary.candidates} candidates, {summary.reports} new reports/versions, "
        f"{summary.errors} errors; verdict {summary.verdict}"
    )
    if summary.distractors:
        typer.echo("distractors: " + ", ".join(f"{k} {v}" for k, v in summary.distractors.items()))
    if summary.traps:
        typer.echo("traps cut: " + ", ".join(f"{k} {v}" for k, v in summary.traps.items()))
    if not summary.ok:
        raise typer.Exit(1)


def close_dead_runs(url: str) -> None:
    """Mark failed the runs whose crawl process died without closing them, saying so."""
    from sqlalchemy.orm import Session

    from archive.runs import resume
    from archive.storage import db

    engine = db.make_engine(url)
    try:
        with Session(engine) as session:
            for run in resume.close_dead(session):
                typer.echo(f"run {run.id}: failed ({run.error_summary})")
    finally:
        engine.dispose()


def parse_setting(text: str) -> tuple[str, str]:
    name, sep, value = text.partition("=")
    if not sep or not name:
        raise fail(f"--set wants NAME=VALUE, got {text!r}")
    return name, value


def _is_private_url(url: str) -> bool:
    from urllib.parse import urlsplit

    from crawler.middlewares import is_private

    return is_private(urlsplit(url).hostname or "")
