"""`fazhi export` and `fazhi reports …`: the archive as researchers read it."""

from __future__ import annotations

import datetime as dt
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from archive.storage import anatomies
from archive.storage import export as exporter
from archive.storage.queries import NotFound, diff, get_report, list_reports
from fazhi.anatomy_commands import anatomy_command, describe
from fazhi.common import DbOption, RegistryOption, database_url, fail, session_for

reports_app = typer.Typer(help="Browse archived reports and their versions.", no_args_is_help=True)
reports_app.command("anatomy")(anatomy_command)


class Format(StrEnum):
    jsonl = "jsonl"
    csv = "csv"


def export(
    format: Annotated[Format, typer.Option("--format", help="jsonl or csv.")] = Format.jsonl,
    since: Annotated[
        dt.datetime | None,
        typer.Option(formats=["%Y-%m-%d"], help="Only versions seen on or after DATE."),
    ] = None,
    out: Annotated[Path | None, typer.Option(help="Write here instead of stdout.")] = None,
    database: DbOption = None,
) -> None:
    """Export one record per report version (the documented contract: docs/schema.md)."""
    write = exporter.write_jsonl if format is Format.jsonl else exporter.write_csv
    with session_for(database) as session:
        rows = exporter.records(session, since.date() if since else None)
        if out is None:
            count = write(rows, sys.stdout)
        else:
            with out.open("w", encoding="utf-8", newline="") as handle:
                count = write(rows, handle)
    typer.echo(f"exported {count} versions", err=True)


@reports_app.command("list")
def reports_list(
    year: Annotated[int | None, typer.Option(help="Year reported on.")] = None,
    agency: Annotated[str | None, typer.Option(help="Part of the agency name.")] = None,
    database: DbOption = None,
) -> None:
    """List reports: id, year, agency, region code, number of versions."""
    table = Table("id", "year", "agency", "region", "versions")
    with session_for(database) as session:
        for report, versions in list_reports(session, year, agency):
            table.add_row(
                str(report.id),
                str(report.report_year or "?"),
                report.agency or "?",
                report.division_code or "",
                str(versions),
            )
    Console().print(table)


@reports_app.command("show")
def reports_show(report_id: int, database: DbOption = None) -> None:
    """Show a report: its versions, where each was seen, its outline and key figures."""
    with session_for(database) as session:
        try:
            report = get_report(session, report_id)
        except NotFound as exc:
            raise fail(str(exc)) from exc
        typer.echo(f"report {report.id}: {report.agency or '?'} {report.report_year or '?'}")
        for version in report.versions:
            typer.echo(
                f"  v{version.version} {version.title} "
                f"(first {version.first_seen:%Y-%m-%d}, last {version.last_seen:%Y-%m-%d}, "
                f"{len(version.text)} chars)"
            )
            typer.echo(
                f"    published {version.published_date or '?'}, "
                f"document {version.document_date or '?'}, signed by {version.signed_by or '?'}"
            )
            for sighting in version.sightings:
                mark = " [repost]" if sighting.is_repost else ""
                typer.echo(f"    {sighting.url}{mark}")
            anatomy = anatomies.stored(version)
            if anatomy is None:
                typer.echo("    anatomy: not derived yet")
            else:
                rules = version.anatomy.anatomy_version if version.anatomy else "?"
                typer.echo(f"    anatomy (rules {rules}):")
                typer.echo("\n".join(describe(anatomy, indent="      ")))


@reports_app.command("diff")
def reports_diff(
    report_id: int,
    from_version: Annotated[int | None, typer.Option("--from", help="Older version.")] = None,
    to_version: Annotated[int | None, typer.Option("--to", help="Newer version.")] = None,
    database: DbOption = None,
) -> None:
    """A readable diff between two versions of a report (default: the last two)."""
    with session_for(database) as session:
        try:
            lines = diff(get_report(session, report_id), from_version, to_version)
        except NotFound as exc:
            raise fail(str(exc)) from exc
    typer.echo("\n".join(lines) if lines else "versions are identical")


def ingest(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="Saved page or file.")],
    url: Annotated[str, typer.Option(help="URL it was published at.")],
    content_type: Annotated[
        str | None, typer.Option(help="Content-Type it was served with (charset included).")
    ] = None,
    database: DbOption = None,
    registry: RegistryOption = None,
) -> None:
    """Store one saved page or attachment through the same path a crawl uses.

    The registry source whose site URL is on stands in for the source a crawl would have
    followed to it, so both decide versions and reposts alike (docs/dedup.md).
    """
    from archive import ingest as archiving
    from archive.config import Settings
    from archive.storage import db
    from archive.storage.warc import WarcWriter
    from crawler.registry import RegistryError, load

    try:
        owner = load(registry).owner_of(url)
    except (RegistryError, OSError) as exc:
        raise fail(str(exc)) from exc
    source = owner.info() if owner else None

    response = archiving.Response(
        url=url,
        status=200,
        headers={"Content-Type": content_type} if content_type else {},
        body=file.read_bytes(),
        fetched_at=dt.datetime.now(dt.UTC),
    )
    db.upgrade(database_url(database))
    with (
        session_for(database) as session,
        WarcWriter(Settings.from_env().warc_dir, "ingest") as warc,
    ):
        done = archiving.process(
            session,
            response,
            warc=warc,
            source=source,
            region_hint=source.division_code if source else None,
        )
        session.commit()
    if done.error:
        raise fail(f"{url}: {done.error} (recorded as fetch {done.fetch_id})")
    if done.deferred:
        typer.echo(
            f"fetch {done.fetch_id}: attachment-only report page; ingest its file with --url"
        )
    elif done.result is None:
        typer.echo(f"fetch {done.fetch_id}: not a report ({done.doc_type}); recorded as a fetch")
    else:
        result = done.result
        typer.echo(
            f"fetch {done.fetch_id}: {result.outcome}: report {result.report_id}, "
            f"version id {result.version_id}{' (repost)' if result.is_repost else ''}"
        )
