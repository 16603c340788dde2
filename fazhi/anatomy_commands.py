"""`fazhi reports anatomy`, and the anatomy as `fazhi reports show` prints it.

The command computes the anatomy with archive.anatomy.analysis, the very code ingestion stores
with, whether the text is an archived report's latest version or a plain-text file.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from archive.anatomy.analysis import Anatomy, analyse, number_json, to_json
from archive.anatomy.parts import PARTS, cues
from archive.storage.queries import NotFound, get_report
from fazhi.common import DbOption, fail, session_for

EVIDENCE_WIDTH = 80  # characters of a figure's sentence on the terminal (--json has it whole)


def anatomy_command(
    report_id: Annotated[
        int | None, typer.Argument(help="An archived report: its latest version.")
    ] = None,
    text: Annotated[
        Path | None,
        typer.Option(
            "--text", exists=True, dir_okay=False, help="A plain-text file, one paragraph a line."
        ),
    ] = None,
    year: Annotated[
        int | None, typer.Option(help="With --text: the year reported on (else read from it).")
    ] = None,
    agency: Annotated[
        str | None, typer.Option(help="With --text: the issuing body (else read from it).")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print it as JSON.")] = False,
    database: DbOption = None,
) -> None:
    """The anatomy of a report: outline, article-25 parts, key figures with their evidence."""
    if (report_id is None) == (text is None):
        raise fail("give a report ID or --text FILE, not both")
    if text is not None:
        body = text.read_text(encoding="utf-8-sig").replace("\r\n", "\n").removesuffix("\n")
        heading = f"{text}"
    else:
        assert report_id is not None
        with session_for(database) as session:
            try:
                report = get_report(session, report_id)
            except NotFound as exc:
                raise fail(str(exc)) from exc
            if not report.versions:
                raise fail(f"report {report_id} has no versions")
            latest = max(report.versions, key=lambda v: v.version)
            body, year, agency = latest.text, report.report_year, report.agency
            heading = f"report {report.id} v{latest.version}: {agency or '?'} {year or '?'}"
    anatomy = analyse(body, year, agency)
    if as_json:
        typer.echo(json.dumps(to_json(anatomy), ensure_ascii=False, indent=2))
    else:
        typer.echo(heading)
        typer.echo("\n".join(describe(anatomy, indent="  ")))


def describe(anatomy: Anatomy, indent: str) -> list[str]:
    """The outline (with each section's part), the parts present and missing, the figures."""
    names = {part.number: part.name for part in cues()}
    present = anatomy.parts_present
    missing = [p for p in PARTS if p not in present]
    out = [
        f"{indent}parts present: {', '.join(f'{p} {names[p]}' for p in present) or 'none'}",
        f"{indent}parts missing: {', '.join(map(str, missing)) or 'none'}",
        f"{indent}outline ({len(anatomy.sections)} headings):",
    ]
    for section in anatomy.sections:
        part = f"part {section.part}" if section.part else "no part"
        pad = "  " * section.level
        out.append(f"{indent}{pad}{section.title}  [{part}, {section.start}–{section.end}]")
    out.append(f"{indent}figures ({len(anatomy.figures)}):")
    for figure in anatomy.figures:
        evidence = figure.evidence
        if len(evidence) > EVIDENCE_WIDTH:
            evidence = evidence[: EVIDENCE_WIDTH - 1] + "…"
        out.append(
            f"{indent}  {figure.indicator} = {number_json(figure.value)} {figure.unit} "
            f"({figure.year or '?'}) [{figure.start}–{figure.end}]"
        )
        out.append(f"{indent}    {evidence}")
    return out
