"""What the `fazhi` commands share: their common options, sessions, clean errors, a crawl's
closing summary."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console
from sqlalchemy.orm import Session

from archive.config import Settings
from archive.runs import resume
from archive.storage import db

if TYPE_CHECKING:
    from crawler.launch import Summary

DbOption = Annotated[
    str | None, typer.Option("--db", help="Database URL (default: FAZHI_DATABASE_URL).")
]
RegistryOption = Annotated[
    Path | None,
    typer.Option(help="Another registry, a YAML file or a directory (default: the shipped one)."),
]
SetOption = Annotated[
    list[str] | None,
    typer.Option("--set", "-s", help="Scrapy setting override NAME=VALUE (repeatable)."),
]


def fail(message: str) -> typer.Exit:
    """Print one clean line on stderr; the caller raises the returned Exit(1)."""
    typer.secho(f"error: {message}", err=True, fg=typer.colors.RED)
    return typer.Exit(1)


def database_url(url: str | None) -> str:
    return url or Settings.from_env().database_url


@contextmanager
def session_for(url: str | None) -> Iterator[Session]:
    """A session on the archive; the engine is disposed when the command ends."""
    engine = db.make_engine(database_url(url))
    try:
        with Session(engine) as session:
            yield session
    finally:
        engine.dispose()


def parse_setting(text: str) -> tuple[str, str]:
    name, sep, value = text.partition("=")
    if not sep or not name:
        raise fail(f"--set wants NAME=VALUE, got {text!r}")
    return name, value


def report(summary: Summary) -> None:
    """The closing summary of a crawl or a worker; exit 1 when the run failed."""
    typer.echo(
        f"run {summary.run_id}: {summary.finish_reason}; {summary.pages} pages, "
        f"{summary.candidates} candidates, {summary.reports} new reports/versions, "
        f"{summary.errors} errors; verdict {summary.verdict}"
        + (f" ({summary.verdict_reasons})" if summary.verdict_reasons else "")
    )
    if summary.distractors:
        typer.echo("distractors: " + ", ".join(f"{k} {v}" for k, v in summary.distractors.items()))
    if summary.discovered:
        sites = {k: v for k, v in summary.discovered.items() if k not in ("proposed", "rendered")}
        typer.echo("sites asked about: " + ", ".join(f"{k} {v}" for k, v in sites.items()))
        typer.echo(f"proposed: {summary.discovered.get('proposed', 0)} sources")
    if summary.traps:
        typer.echo("traps cut: " + ", ".join(f"{k} {v}" for k, v in summary.traps.items()))
    if summary.failures:
        typer.echo("failed, by reason:")
        for line in summary.failures:
            typer.echo(f"  {line}")
    if summary.log_file:
        n = summary.tracebacks
        bugs = f" ({n} unexpected error{'s' * (n != 1)}, with a traceback)" if n else ""
        typer.echo(f"log: {summary.log_file}{bugs}")
    if not summary.ok:
        raise typer.Exit(1)


def crawl_here(
    url: str,
    setting: list[str] | None,
    base: Mapping[str, object],
    fixed: Mapping[str, object],
    spider_args: dict[str, Any],
    **launch: Any,
) -> None:
    """What `fazhi crawl` and `fazhi worker` share once their options are checked: close the
    runs a dead crawl process left `running`, crawl in this process with the ``--set``
    overrides between the command's defaults (BASE) and what it fixes (FIXED), print the
    summary (exit 1 when the run failed)."""
    from crawler.launch import crawl

    close_dead_runs(url)
    overrides = {**base, **dict(parse_setting(s) for s in setting or []), **fixed}
    report(crawl(spider_args, overrides, **launch))


def close_dead_runs(url: str) -> None:
    """Mark failed the runs whose crawl process died without closing them, saying so."""
    engine = db.make_engine(url)
    try:
        with Session(engine) as session:
            for run in resume.close_dead(session):
                typer.echo(f"run {run.id}: failed ({run.error_summary})")
    finally:
        engine.dispose()


def console() -> Console:
    """Rich output for tables; piped, it would fold at 80 columns, so a row stays one line
    and `| grep` keeps working."""
    out = Console()
    if not out.is_terminal:
        out.width = 1000
    return out
