"""The ``fazhi`` command: one group, a subcommand per operator task.

User errors end as one clean line on stderr and exit code 1, never a traceback.
"""

from __future__ import annotations

import json
from importlib.metadata import version
from pathlib import Path
from typing import Annotated

import typer

from archive.config import Settings
from archive.storage import db
from fazhi.archive_commands import export, ingest, reports_app
from fazhi.common import DbOption, database_url, fail, session_for
from fazhi.coverage_commands import coverage_command
from fazhi.crawl_commands import crawl
from fazhi.reprocess_command import reprocess
from fazhi.run_commands import runs_app
from fazhi.schedule_commands import health_command, schedule_app
from fazhi.serve_command import serve
from fazhi.sources_commands import sources_app
from fazhi.worker_commands import worker

app = typer.Typer(
    help="fazhi-archive: crawl and archive 法治政府建设情况报告.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
db_app = typer.Typer(help="Database schema: migrate and verify.", no_args_is_help=True)
app.add_typer(db_app, name="db")

app.add_typer(reports_app, name="reports")
app.add_typer(sources_app, name="sources")
app.add_typer(schedule_app, name="schedule")
app.command("export")(export)
app.command("ingest")(ingest)
app.command("crawl")(crawl)
app.add_typer(runs_app, name="runs")
app.command("health")(health_command)
app.command("coverage")(coverage_command)
app.command("worker")(worker)
app.command("serve")(serve)
app.command("reprocess")(reprocess)


def _version_callback(value: bool) -> None:
    if value:
        typer.echo(f"fazhi-archive {version('fazhi-archive')}")
        raise typer.Exit()


@app.callback()
def root(
    _version: Annotated[
        bool | None,
        typer.Option("--version", callback=_version_callback, is_eager=True, help="Show version."),
    ] = None,
) -> None:
    """Crawl government portals for rule-of-law reports and keep a versioned archive."""


@db_app.command("upgrade")
def db_upgrade(database: DbOption = None, revision: str = "head") -> None:
    """Apply migrations up to REVISION (default: head)."""
    url = database_url(database)
    try:
        db.upgrade(url, revision)
    except Exception as exc:  # database down, bad URL: one line for the operator
        raise fail(f"upgrade of {db.redact(url)} failed: {exc}") from exc
    typer.echo(f"database {db.redact(url)} is at {revision}")


@db_app.command("check")
def db_check(database: DbOption = None) -> None:
    """Fail when the models and the migrations disagree (a migration is missing)."""
    url = database_url(database)
    try:
        db.check(url)
    except db.SchemaDrift as exc:
        raise fail(f"models and migrations disagree: {exc}") from exc
    except Exception as exc:
        raise fail(f"check of {db.redact(url)} failed: {exc}") from exc
    typer.echo(f"database {db.redact(url)}: models and migrations agree")


@db_app.command("reindex")
def db_reindex(database: DbOption = None) -> None:
    """Rebuild the search index from the archived versions (docs/search.md)."""
    import time

    from archive.search.index import reindex

    url = database_url(database)
    started = time.perf_counter()
    try:
        with session_for(url) as session:
            count = reindex(session)
            session.commit()
    except Exception as exc:  # database down, not migrated: one line for the operator
        raise fail(f"reindex of {db.redact(url)} failed: {exc}") from exc
    typer.echo(f"indexed {count} versions in {time.perf_counter() - started:.1f} s")


@app.command("extract")
def extract(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="Saved page or file.")],
    url: Annotated[str, typer.Option(help="URL the file was fetched from.")] = "",
    content_type: Annotated[
        str | None, typer.Option(help="Content-Type it was served with (charset included).")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print every field as JSON.")] = False,
) -> None:
    """Extract one saved page (or PDF/DOCX attachment) and print what the archive would store."""
    from archive.errors import ExtractionError
    from archive.extract.page import extract_document, extract_page, is_document, to_json

    body = file.read_bytes()
    url = url or file.resolve().as_uri()
    try:
        if is_document(url, content_type):
            result = extract_document(body, url, content_type)
        else:
            headers = {"Content-Type": content_type} if content_type else None
            result = extract_page(body, url, headers)
    except ExtractionError as exc:
        raise fail(str(exc)) from exc
    if as_json:
        typer.echo(json.dumps(to_json(result), ensure_ascii=False, indent=2))
        return
    typer.echo(f"title:     {result.title}")
    typer.echo(f"year:      {result.report_year}   agency: {result.agency}")
    typer.echo(f"published: {result.published_date}   signed: {result.signed_date}")
    typer.echo(f"script:    {result.script}   encoding: {result.encoding}")
    typer.echo(f"repairs:   {', '.join(result.repairs) or '-'}")
    typer.echo(f"warnings:  {', '.join(result.warnings) or '-'}")
    typer.echo(f"removed:   {len(result.removed)} lines/blocks (see --json)")
    typer.echo("")
    typer.echo(result.text)


@app.command("browser")
def browser(
    install: Annotated[
        bool, typer.Option("--install", help="Download Playwright's Chromium if none is found.")
    ] = False,
) -> None:
    """Show which Chromium renders JavaScript pages (and where it came from)."""
    from crawler.browser import BrowserNotFound, resolve
    from crawler.browser import install as install_browser

    settings = Settings.from_env()
    try:
        found = install_browser(settings) if install else resolve(settings)
    except BrowserNotFound as exc:
        raise fail(str(exc)) from exc
    typer.echo(f"{found.path} ({found.origin})")


def main() -> None:
    try:
        app()
    except ValueError as exc:  # bad settings
        typer.secho(f"error: {exc}", err=True, fg=typer.colors.RED)
        raise SystemExit(1) from exc
