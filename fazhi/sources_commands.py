"""`fazhi sources …`: the source registry as an operator reviews it."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Annotated
from urllib.parse import urlsplit

import typer
from rich.table import Table

from crawler.registry import (
    DEFAULT_DIRECTORY,
    Level,
    RegistryError,
    Source,
    load,
    read,
)
from fazhi.common import (
    DbOption,
    RegistryOption,
    SetOption,
    console,
    crawl_here,
    database_url,
    fail,
)

sources_app = typer.Typer(
    help="The source registry: the portals the crawler visits.", no_args_is_help=True
)


def _province(source: Source) -> str:
    return source.region.province if source.region else "(repost sites)"


@sources_app.command("list")
def sources_list(
    province: Annotated[
        str | None, typer.Option(help="Province name or its start: 福建, 福建省.")
    ] = None,
    level: Annotated[Level | None, typer.Option(help="Level of the body.")] = None,
    registry: RegistryOption = None,
    database: DbOption = None,
) -> None:
    """List sources: slug, agency, level, division code, home URL, origin (curated from the
    registry, or discovered and stored in the database; a curated entry wins for its site)."""
    from crawler.registry.discovered import discovered, merged

    try:
        curated = load(registry)
    except RegistryError as exc:
        count, first = len(exc.problems), exc.problems[0]
        raise fail(f"{count} problem(s), first {first}; see `fazhi sources check`") from exc
    found, problems = discovered(database_url(database))
    sources, shadowed = merged(curated, found)
    table = Table(
        "slug", "agency", "level", "division code", "home URL", "origin", box=None, pad_edge=False
    )
    for source in sources.select(province=province, level=level):
        table.add_row(
            source.slug,
            source.agency or "",
            source.level or "",
            source.division_code or "",
            source.home_url,
            source.origin,
        )
    console().print(table)
    if shadowed:
        typer.echo(f"{len(shadowed)} discovered source(s) left out: a curated entry has the site")
    for problem in problems:
        typer.echo(f"discovered source left out: {problem}", err=True)


@sources_app.command("check")
def sources_check(
    registry: RegistryOption = None,
    quiet: Annotated[
        bool, typer.Option("--quiet", "-q", help="Totals and problems only, no table.")
    ] = False,
) -> None:
    """Validate every source file; print counts by province and level, and every problem."""
    sources, problems = read(registry)
    if not quiet:
        by_province = Counter(map(_province, sources))
        by_level = Counter((_province(s), s.level) for s in sources)
        table = Table("province", *Level, "total", box=None, pad_edge=False)
        for province, total in by_province.items():
            table.add_row(province, *(str(by_level[province, lvl]) for lvl in Level), str(total))
        console().print(table)
    unverified = sum(s.unverified for s in sources)
    typer.echo(f"{len(sources)} valid sources, {unverified} with URLs marked unverified")
    for problem in problems:
        typer.echo(str(problem))
    if problems:
        raise fail(f"{len(problems)} problem(s) in {registry or DEFAULT_DIRECTORY}")
    typer.echo("no problems")


@sources_app.command("discover")
def sources_discover(
    start_url: Annotated[
        str | None, typer.Option(help="Walk this portal (a province's, a city's).")
    ] = None,
    source: Annotated[str | None, typer.Option(help="Walk this registry source's portal.")] = None,
    all_sources: Annotated[bool, typer.Option("--all", help="Walk every registry source.")] = False,
    depth: Annotated[
        int, typer.Option(min=1, help="Levels of governments below the start to walk down.")
    ] = 3,
    out: Annotated[
        Path | None,
        typer.Option(help="Write the proposals as a registry file instead of the database."),
    ] = None,
    registry: RegistryOption = None,
    setting: SetOption = None,
    database: DbOption = None,
    verbose: Annotated[
        bool, typer.Option("--verbose", "-v", help="Stream Scrapy's log to stderr too.")
    ] = False,
) -> None:
    """Find the subordinate governments' portals a parent portal links to, and propose them
    as sources: a registry file with --out, else discovered sources in the database (crawled
    by the scheduler; a curated entry for the same site wins). A run of its own (trigger
    `discover`), with a crawl's politeness, robots.txt and address rules."""
    import datetime as dt

    from archive.config import Settings
    from archive.storage import db
    from crawler.spiders.discover import DiscoverySpider
    from fazhi.crawl_commands import is_private_url

    if sum([bool(start_url), bool(source), all_sources]) != 1:
        raise fail("give exactly one of --start-url URL, --source SLUG, --all")
    settings = Settings.from_env()
    if start_url and not settings.allow_private and is_private_url(start_url):
        raise fail(f"{start_url} is a private or loopback address (set FAZHI_ALLOW_PRIVATE=1)")
    url = database_url(database)
    db.upgrade(url)
    label = "discover-" + (source or (urlsplit(start_url).hostname if start_url else "") or "all")
    log_file = str(settings.crawl_log(label, dt.datetime.now(dt.UTC)))
    fixed = {"FAZHI_DATABASE_URL": url, "FAZHI_LOG_STDERR": verbose, "FAZHI_TRIGGER": "discover"}
    spider_args = {
        "source": source,
        "all": all_sources,
        "start_url": start_url,
        "registry": str(registry) if registry else None,
        "depth": depth,
        "out": str(out) if out else None,
    }
    args = {k: v for k, v in spider_args.items() if v}
    crawl_here(
        url, setting, {"LOG_FILE": log_file}, fixed, args, progress=True, spider_cls=DiscoverySpider
    )
