"""`fazhi crawl`: crawl one source, all of them, or an ad-hoc portal."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from archive.config import Settings
from fazhi.common import DbOption, database_url, fail


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
) -> None:
    """Crawl for reports with a live progress line; exit 1 when the run failed."""
    from archive import db
    from crawler.run import crawl as run_crawl

    chosen = [bool(source), all_sources, bool(start_url)]
    if sum(chosen) != 1:
        raise fail("give exactly one of --source SLUG, --all, --start-url URL")
    settings = Settings.from_env()
    if start_url and not settings.allow_private and _is_private_url(start_url):
        raise fail(f"{start_url} is a private or loopback address (set FAZHI_ALLOW_PRIVATE=1)")
    url = database_url(database)
    db.upgrade(url)
    overrides = dict(_parse_setting(s) for s in setting or [])
    overrides["FAZHI_DATABASE_URL"] = url
    spider_args = {
        "source": source,
        "all": all_sources,
        "start_url": start_url,
        "max_pages": max_pages,
        "registry": str(registry) if registry else None,
    }
    summary = run_crawl({k: v for k, v in spider_args.items() if v}, overrides, progress=True)
    typer.echo(
        f"run {summary.run_id}: {summary.finish_reason}; {summary.pages} pages, "
        f"{summary.candidates} candidates, {summary.reports} new reports/versions, "
        f"{summary.errors} errors"
    )
    if summary.distractors:
        typer.echo("distractors: " + ", ".join(f"{k} {v}" for k, v in summary.distractors.items()))
    if summary.traps:
        typer.echo("traps cut: " + ", ".join(f"{k} {v}" for k, v in summary.traps.items()))
    if not summary.ok:
        raise typer.Exit(1)


def _parse_setting(text: str) -> tuple[str, str]:
    name, sep, value = text.partition("=")
    if not sep or not name:
        raise fail(f"--set wants NAME=VALUE, got {text!r}")
    return name, value


def _is_private_url(url: str) -> bool:
    from urllib.parse import urlsplit

    from crawler.middlewares import is_private

    return is_private(urlsplit(url).hostname or "")
