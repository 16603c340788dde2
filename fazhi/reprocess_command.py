"""`fazhi reprocess`: today's extraction and publisher rules applied to the archive's captures
(docs/reprocess.md)."""

from __future__ import annotations

import datetime as dt
import functools
import sys
from typing import TYPE_CHECKING, Annotated, Any
from urllib.parse import urlsplit

import typer

from archive.reprocess.scope import DEFAULT_BATCH, Only
from fazhi.common import DbOption, RegistryOption, database_url, fail

if TYPE_CHECKING:
    from archive.reprocess.run import Summary
    from archive.storage.source_info import SourceInfo

# Each event of a run as a line for the operator; its JSON fields fill the blanks.
EVENT_LINES = {
    "version-removed": "report {report}: version {version} removed: no publisher's page shows "
    "it (a copy made it: {urls}); its text is in version_history",
    "version-added": "report {report}: version added: {url} is the publisher's and its text "
    "is no version's (a correction stored as a sighting)",
    "sighting-moved": "report {report}: {url} moved off version {from_version}",
    "identical": "report {report}: version {version} is identical to report {same_as_report} "
    "version {same_as_version} under today's rules: reported, not merged",
    "identity-differs": "report {report}: today's rules read its publisher page as {today}: "
    "reported, not moved",
    "no-longer-a-report": "fetch {fetch} ({url}) reads as {now} today: its versions are kept",
    "now-a-report": "fetch {fetch} ({url}), once {was}, reads as a report today: {outcome}",
    "speaks-in-repost-only": "report {report}: {url} speaks for its body today: reported",
}
SHOWN_COUNTS = {  # what a run changed, by its count's key, in the summary's words
    "texts_replaced": "texts replaced",
    "fields_replaced": "other fields replaced",
    "version-added": "versions added",
    "version-removed": "versions removed",
    "sighting-moved": "sightings moved",
    "sightings_updated": "sightings' texts or flags updated",
    "identical": "versions identical to another",
    "attachments_rederived": "attachment texts replaced",
    "reports_updated": "reports' body, year or region updated",
    "reclassified": "pages reclassified",
    "anatomy_rederived": "anatomies derived again",
    "no_capture": "sightings without a capture",
    "capture_unreadable": "captures unreadable",
    "extraction_failed": "extractions failed",
}


def reprocess(
    since: Annotated[
        dt.datetime | None,
        typer.Option(formats=["%Y-%m-%d"], help="Only reports seen (pages fetched) since DATE."),
    ] = None,
    source: Annotated[
        str | None, typer.Option(help="Only this source's reports and pages.")
    ] = None,
    only: Annotated[
        Only, typer.Option(help="extraction (with classification and versions), anatomy, or all.")
    ] = Only.ALL,
    batch: Annotated[
        int, typer.Option(min=1, help="Reports (or pages) a transaction and checkpoint.")
    ] = DEFAULT_BATCH,
    database: DbOption = None,
    registry: RegistryOption = None,
) -> None:
    """Derive the archive again from its captures with today's rules; resumes a killed run.

    A version's derived text is replaced (the previous one kept), never made a new version;
    versions are added or removed only where the publisher rule now decides otherwise, and
    every such move is listed. Give the registry the crawls used: it says whose site a page is.
    """
    from archive.config import Settings
    from archive.reprocess.progress import ProgressLine
    from archive.reprocess.run import reprocess as run
    from archive.reprocess.scope import Scope
    from archive.reprocess.steps import NotAvailable
    from archive.storage import db
    from crawler.registry import RegistryError, load

    try:
        sources = load(registry)
    except (RegistryError, OSError) as exc:
        raise fail(str(exc)) from exc

    @functools.lru_cache(maxsize=4096)
    def owner(site: tuple[str, str]) -> SourceInfo | None:
        found = sources.owner_of(f"{site[0]}://{site[1]}/")
        return found.info() if found else None

    def source_of(url: str) -> SourceInfo | None:
        parts = urlsplit(url)
        return owner((parts.scheme, parts.netloc))

    url = database_url(database)
    db.upgrade(url)
    engine = db.make_engine(url)
    progress = ProgressLine(sys.stderr, redraw=sys.stderr.isatty())
    scope = Scope(since.date() if since else None, source, only)
    try:
        summary = run(
            engine,
            root=Settings.from_env().data_dir,
            source_of=source_of,
            scope=scope,
            batch=batch,
            progress=progress,
        )
    except NotAvailable as exc:
        raise fail(str(exc)) from exc
    finally:
        progress.close()
        engine.dispose()
    _print(summary)


def _print(summary: Summary) -> None:
    done = summary.processed
    rate = done["versions"] / summary.seconds if summary.seconds else 0.0
    typer.echo(
        f"reprocess run {summary.run_id}{' (resumed)' if summary.resumed else ''}: "
        f"{done['reports']} reports, {done['versions']} versions, {done['pages']} other pages "
        f"in {summary.seconds:.1f} s ({rate:.1f} versions/s)"
    )
    counts = summary.counts
    changes = [f"{words} {counts[key]}" for key, words in SHOWN_COUNTS.items() if counts.get(key)]
    typer.echo("changed: " + (", ".join(changes) if changes else "nothing"))
    if counts.get("texts_replaced") or counts.get("fields_replaced"):
        typer.echo("the previous texts and fields are kept in version_history")
    if summary.steps:
        typer.echo("also re-derived: " + ", ".join(summary.steps))
    for event in summary.events:
        typer.echo("  " + _event_line(event))


def _event_line(event: dict[str, Any]) -> str:
    template = EVENT_LINES.get(event["kind"])
    if template is None:
        return str(event)
    fields = {k: ", ".join(v) if isinstance(v, list) else v for k, v in event.items()}
    return template.format(**fields)
