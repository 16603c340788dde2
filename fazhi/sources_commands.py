"""`fazhi sources …`: the source registry as an operator reviews it."""

from __future__ import annotations

from collections import Counter
from typing import Annotated

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
from fazhi.common import RegistryOption, console, fail

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
) -> None:
    """List sources: slug, agency, level, division code, home URL."""
    try:
        sources = load(registry)
    except RegistryError as exc:
        count, first = len(exc.problems), exc.problems[0]
        raise fail(f"{count} problem(s), first {first}; see `fazhi sources check`") from exc
    table = Table("slug", "agency", "level", "division code", "home URL", box=None, pad_edge=False)
    for source in sources.select(province=province, level=level):
        table.add_row(
            source.slug,
            source.agency or "",
            source.level or "",
            source.division_code or "",
            source.home_url,
        )
    console().print(table)


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
