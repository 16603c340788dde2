"""`fazhi schedule …`, `fazhi runs`, `fazhi health`: the unattended crawls and their record."""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from archive.config import Settings
from archive.coverage.accounting import missing_by_source
from archive.runs import history
from archive.runs.schedule_policy import next_run, target_year
from archive.storage import db
from archive.storage.rows import record_sources
from crawler.registry import Registry, RegistryError, load
from crawler.registry.discovered import with_discovered
from crawler.scheduling import runner, service
from fazhi.common import (
    DbOption,
    RegistryOption,
    SetOption,
    console,
    database_url,
    fail,
    parse_setting,
    session_for,
)

schedule_app = typer.Typer(
    help="The scheduler: re-crawls every source in each spring publication window.",
    no_args_is_help=True,
)


@schedule_app.command("start")
def schedule_start(
    registry: RegistryOption = None, setting: SetOption = None, database: DbOption = None
) -> None:
    """Run the scheduler in the foreground, a log line per job; SIGTERM stops it cleanly.

    Run exactly one per archive: each scheduler process runs every due job itself.
    """
    settings, sources, command = _prepared(database, registry, setting)
    logging.basicConfig(
        level=logging.INFO, stream=sys.stderr, format="%(asctime)s %(levelname)s %(message)s"
    )
    service.serve(settings, sources, command)


@schedule_app.command("list")
def schedule_list(registry: RegistryOption = None, database: DbOption = None) -> None:
    """Next run of each source in the schedule's time zone, its phase and target year."""
    settings, sources, _ = _prepared(database, registry, None)
    stored = service.stored_next_runs(settings)
    now = dt.datetime.now(dt.UTC)
    table = Table("source", "next run", "phase", "target", "schedule")
    for source in sources:
        policy = source.policy(settings.schedule)
        due = stored.get(service.CRAWL_JOB + source.slug)
        note = "" if due else " (not stored: start the scheduler)"
        due = (due or next_run(policy, source.slug, now)).astimezone(policy.zone)
        table.add_row(
            source.slug,
            f"{due:%Y-%m-%d %H:%M %Z}{note}",
            str(policy.phase(due.date())),
            str(target_year(due, policy)),
            policy.describe() if source.schedule else "default",
        )
    console().print(table)


@schedule_app.command("run-now")
def schedule_run_now(
    slug: Annotated[str, typer.Argument(help="Registry slug of the source.")],
    registry: RegistryOption = None,
    setting: SetOption = None,
    database: DbOption = None,
) -> None:
    """Crawl one source now (trigger `manual`); refused while that source is being crawled."""
    settings, sources, command = _prepared(database, registry, setting)
    if slug not in sources.sources:
        raise fail(f"no source {slug!r} in the registry")
    finished = runner.run_now(settings, command, slug)
    if finished.status == "refused":
        typer.echo(f"{slug} is {finished.detail}; not starting another crawl of it.")
        raise typer.Exit(1)
    run = f"run {finished.run_id}" if finished.run_id else "no run"
    typer.echo(f"{run}: {finished.status}; {finished.detail or ''}".rstrip("; "))
    if not finished.ok:
        raise typer.Exit(1)


def health_command(registry: RegistryOption = None, database: DbOption = None) -> None:
    """Per source: last successful crawl, report years archived, years missing or late, and
    how many of its latest runs in a row went wrong (with the latest verdict)."""
    settings, sources, _ = _prepared(database, registry, None)
    zone = settings.schedule.zone
    table = Table(
        "source", "last success", "years found", "missing", "late", "failing", "last verdict"
    )
    with session_for(settings.database_url) as session:
        record_sources(session, (source.info() for source in sources))
        session.commit()
        missing = missing_by_source(session)
        for source in sources:
            # the view counts every year a crawl could have found; health, the years expected
            expected = filter(source.expects, missing.get(source.slug, ()))
            state = history.health(session, source.slug, source.policy(settings.schedule), expected)
            table.add_row(
                source.slug,
                f"{state.last_success.astimezone(zone):%Y-%m-%d %H:%M}"
                if state.last_success
                else "never",
                _years(state.years),
                _years(state.missing),
                _years(state.late),
                f"{state.failing} run{'s' if state.failing > 1 else ''}" if state.failing else "",
                state.last_verdict or "",
            )
    console().print(table)


def _prepared(
    database: str | None, registry: Path | None, setting: list[str] | None
) -> tuple[Settings, Registry, runner.CrawlCommand]:
    url = database_url(database)
    settings = dataclasses.replace(Settings.from_env(), database_url=url)
    try:
        sources = load(registry)
    except (RegistryError, OSError) as exc:
        raise fail(f"registry {registry or '(shipped)'}: {exc}") from exc
    overrides = tuple(setting or ())
    for text in overrides:
        parse_setting(text)
    try:
        db.upgrade(url)
    except Exception as exc:  # database down, bad URL: one line for the operator
        raise fail(f"database {db.redact(url)}: {exc}") from exc
    # discovered sources are crawled too; a curated entry for the same site wins
    sources = with_discovered(sources, url)
    return settings, sources, runner.CrawlCommand(url, registry, overrides)


def _years(years: tuple[int, ...]) -> str:
    return " ".join(map(str, years)) or "-"
