"""`fazhi runs` and `fazhi runs show N`: what the crawls did, and what one of them left."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from typing import Annotated

import typer
from rich.table import Table

from archive.config import Settings
from archive.runs import history, skips
from archive.storage.models import SKIP_REASONS, CrawlRun
from fazhi.common import DbOption, console, fail, session_for

runs_app = typer.Typer(
    help="Recent crawl runs and scheduler events; `runs show N` for one run.",
    invoke_without_command=True,
)


@runs_app.callback()
def runs_command(
    ctx: typer.Context,
    source: Annotated[str | None, typer.Option(help="Only this source's runs.")] = None,
    limit: Annotated[int, typer.Option(help="How many lines.")] = 30,
    database: DbOption = None,
) -> None:
    """Recent crawl runs and scheduler events: status, pages, reports found, errors, duration."""
    if ctx.invoked_subcommand is not None:
        return
    zone = Settings.from_env().schedule.zone
    table = Table("when", "source", "what", "trigger", "status", "verdict", "pages", "reports")
    table.add_column("errors")
    table.add_column("duration")
    table.add_column("detail")
    with session_for(database) as session:
        entries = history.history(session, source, limit)
    for entry in entries:
        table.add_row(
            f"{entry.at.astimezone(zone):%Y-%m-%d %H:%M}",
            _sources(entry.sources),
            f"run {entry.run_id}" if entry.what == "run" else entry.what,
            entry.trigger or "",
            entry.status,
            entry.verdict or "",
            *(_number(n) for n in (entry.pages, entry.reports, entry.errors)),
            _duration(entry.duration),
            entry.detail or "",
        )
    if not entries:
        typer.echo("no runs yet")
        return
    console().print(table)


@runs_app.command("show")
def show_command(
    run_id: Annotated[int, typer.Argument(help="The run's number (first column of `runs`).")],
    skipped: Annotated[
        bool, typer.Option("--skipped", help="List every link it saw and did not follow.")
    ] = False,
    reason: Annotated[
        str | None, typer.Option(help=f"Only links left for it: {', '.join(SKIP_REASONS)}.")
    ] = None,
    source: Annotated[str | None, typer.Option(help="Only this source's links.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="JSON lines, one link each.")] = False,
    database: DbOption = None,
) -> None:
    """One run: how it ended and what it left; with --skipped, each link left and why."""
    if reason is not None and reason not in SKIP_REASONS:
        raise fail(f"no reason {reason!r}; the reasons: {', '.join(SKIP_REASONS)}")
    with session_for(database) as session:
        run = session.get(CrawlRun, run_id)
        if run is None:
            raise fail(f"no run {run_id}")
        if skipped:
            _print_skipped(skips.skipped(session, run_id, reason, source), as_json)
        else:
            _print_run(run, skips.counts(session, run_id))


def _print_run(run: CrawlRun, left: dict[str, int]) -> None:
    zone = Settings.from_env().schedule.zone
    numbers = history.counts(run.stats or {})
    lines = {
        "run": str(run.id),
        "trigger": run.trigger,
        "sources": _sources(tuple(run.sources)),
        "started": f"{run.started_at.astimezone(zone):%Y-%m-%d %H:%M:%S}",
        "finished": f"{run.finished_at.astimezone(zone):%Y-%m-%d %H:%M:%S}"
        if run.finished_at
        else "(running, or never closed)",
        "status": ": ".join(filter(None, (run.status, run.error_summary))),
        "verdict": ": ".join(filter(None, (run.verdict, run.verdict_reasons))),
        **{name: str(value) for name, value in numbers.items()},
        "links left": f"{sum(left.values())}"
        + (f" ({', '.join(f'{r} {n}' for r, n in left.items())})" if left else ""),
    }
    for name, value in lines.items():
        typer.echo(f"{name + ':':<12} {value}")
    if left:
        typer.echo(f"each link left and why: fazhi runs show {run.id} --skipped")


def _print_skipped(rows: list[skips.Skip], as_json: bool) -> None:
    if as_json:
        for row in rows:
            typer.echo(json.dumps(dataclasses.asdict(row), ensure_ascii=False))
        return
    if not rows:
        typer.echo("no link left")
        return
    table = Table("source", "reason", "link", "anchor", "found on", "detail")
    for row in rows:
        cells = (row.source_slug, row.reason, row.url, row.anchor, row.found_on, row.detail)
        table.add_row(*(cell or "" for cell in cells))
    console().print(table)


def _sources(slugs: tuple[str, ...], shown: int = 3) -> str:
    """A run's sources; a run of the whole registry is one line, not 177 slugs."""
    if len(slugs) <= shown:
        return ", ".join(slugs)
    return f"{', '.join(slugs[:shown])} … ({len(slugs)} sources)"


def _number(value: int | None) -> str:
    return "" if value is None else str(value)


def _duration(value: dt.timedelta | None) -> str:
    if value is None:
        return ""
    seconds = int(value.total_seconds())
    return f"{seconds // 3600}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"
