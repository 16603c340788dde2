"""`fazhi coverage`: which governments published their report on a year, and on time."""

from __future__ import annotations

import csv
import json
import sys
from enum import StrEnum
from typing import Annotated

import typer
from rich.table import Table
from sqlalchemy.orm import Session

from archive.coverage.accounting import FIELDS, STATUSES, Entry, account, totals
from archive.storage import db
from archive.storage.rows import record_sources
from crawler.registry import Level, Registry, RegistryError, load
from fazhi.common import DbOption, RegistryOption, console, database_url, fail


class Format(StrEnum):
    TABLE = "table"
    CSV = "csv"
    JSON = "json"


def coverage_command(
    year: Annotated[int, typer.Option(help="The report year (reports published in YEAR+1).")],
    province: Annotated[
        str | None, typer.Option(help="Province name or its start: 江西, 江西省.")
    ] = None,
    level: Annotated[Level | None, typer.Option(help="Level of the publisher.")] = None,
    output: Annotated[Format, typer.Option("--format", help="How to print it.")] = Format.TABLE,
    registry: RegistryOption = None,
    database: DbOption = None,
) -> None:
    """One row per expected publisher of the report on YEAR (every division's 人民政府 and the
    registry's departments) with its status: on_time, late, undated, missing (checked by a
    crawl or not) or no_portal; the table format adds totals by province and level."""
    entries = [
        e
        for e in coverage_entries(year, registry, database)
        if (province is None or e.province.startswith(province))
        and (level is None or e.level == level)
    ]
    if output is Format.JSON:
        typer.echo(json.dumps([e.as_json() for e in entries], ensure_ascii=False, indent=1))
    elif output is Format.CSV:
        writer = csv.writer(sys.stdout, lineterminator="\n")
        writer.writerow(FIELDS)
        writer.writerows([e.as_json()[name] for name in FIELDS] for e in entries)
    else:
        _print_table(entries, year)


def coverage_entries(year: int, registry_path: RegistryOption, database: str | None) -> list[Entry]:
    """The accounting on YEAR, after recording the registry's sources in the archive."""
    registry = _registry(registry_path)
    url = database_url(database)
    engine = None
    try:
        db.upgrade(url)
        engine = db.make_engine(url)
        with Session(engine) as session:
            record_sources(session, (source.info() for source in registry))
            session.commit()
            return account(session, year)
    except Exception as exc:  # database down, bad URL: one line for the operator
        raise fail(f"database {db.redact(url)}: {exc}") from exc
    finally:
        if engine is not None:
            engine.dispose()


def _registry(path: RegistryOption) -> Registry:
    try:
        return load(path)
    except (RegistryError, OSError) as exc:
        raise fail(f"registry {path or '(shipped)'}: {exc}") from exc


def _print_table(entries: list[Entry], year: int) -> None:
    out = console()
    table = Table(
        "code", "publisher", "level", "status", "published", "date from", "source", "crawled"
    )
    table.title = f"Reports on {year} (deadline {year + 1}-04-01)"
    for e in entries:
        table.add_row(
            e.division_code,
            e.agency,
            e.level,
            e.status,
            str(e.published_date or (e.first_seen.date() if e.first_seen else "")),
            e.date_source or "",
            e.source_slug or "",
            ("yes" if e.crawled else "no") if e.source_slug else "",
        )
    out.print(table)
    for by, heading in (("province", "province"), ("level", "level")):
        counted = totals(entries, by)
        summary = Table(heading, *STATUSES, "total")
        for key, counts in sorted(counted.items()):
            summary.add_row(key, *(str(counts[s]) for s in STATUSES), str(counts.total()))
        overall = [sum(c[s] for c in counted.values()) for s in STATUSES]
        summary.add_row("all", *map(str, overall), str(sum(overall)))
        out.print(summary)
