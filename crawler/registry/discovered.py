"""The registry with the sources discovery stored in the database: what crawls, the scheduler
and ``fazhi sources list`` see.

A discovered source goes through the same checks as a registry file's entry (a row that no
longer passes them is reported and left out), and a curated entry always wins: a discovered
source is dropped when a curated one holds its slug or its home page is on a curated
source's site.
"""

from __future__ import annotations

import logging
from pathlib import Path

from sqlalchemy import inspect, make_url
from sqlalchemy.orm import Session

from archive.config import normalize_database_url
from archive.storage import db
from archive.storage.discovered import discovered_entries
from crawler.registry.entries import checked, source_of
from crawler.registry.loading import load
from crawler.registry.sources import DISCOVERED, Problem, Registry, Source, source_from_url

logger = logging.getLogger(__name__)
# What a problem of a stored source is reported at, instead of a registry file.
DATABASE = Path("<database>")


def discovered(database_url: str) -> tuple[list[Source], list[Problem]]:
    """The discovered sources stored in the archive at DATABASE_URL, and the problems of rows
    that fail the registry's checks; none from a database not yet migrated that far."""
    parsed = make_url(normalize_database_url(database_url))
    if parsed.get_backend_name() == "sqlite" and not Path(parsed.database or "").is_file():
        return [], []  # no archive there yet: nothing was discovered into it
    engine = db.make_engine(database_url)
    try:
        inspector = inspect(engine)
        if not inspector.has_table("source") or "origin" not in {
            column["name"] for column in inspector.get_columns("source")
        }:
            return [], []
        with Session(engine) as session:
            entries = discovered_entries(session)
    finally:
        engine.dispose()
    sources, problems = [], []
    for entry in entries:
        found = checked(entry)
        if isinstance(found, list):
            where = ".".join(str(part) for part in found[0][0])
            problems.append(Problem(DATABASE, None, f"{entry['slug']}: {where}: {found[0][1]}"))
        else:
            sources.append(source_of(*found, origin=DISCOVERED))
    return sources, problems


def merged(registry: Registry, found: list[Source]) -> tuple[Registry, list[Source]]:
    """REGISTRY then the FOUND sources no curated entry covers; and those it covers."""
    sources = dict(registry.sources)
    shadowed = []
    for source in found:
        if source.slug in sources or any(s.allows(source.home_url) for s in registry):
            shadowed.append(source)
        else:
            sources[source.slug] = source
    return Registry(sources), shadowed


def with_discovered(registry: Registry, database_url: str | None) -> Registry:
    """REGISTRY and the discovered sources of the archive at DATABASE_URL (None: none); an
    unreachable database leaves the registry as it is, said in the log."""
    if not database_url:
        return registry
    try:
        found, problems = discovered(database_url)
    except Exception as exc:
        if not db.is_outage(exc):
            raise
        logger.warning("discovered sources not read: database unavailable (%s)", exc)
        return registry
    for problem in problems:
        logger.warning("discovered source left out: %s", problem)
    return merged(registry, found)[0]


def chosen_sources(
    slug: str | None,
    start_url: str | None,
    everything: bool,
    registry_path: str | None,
    database: str | None = None,
) -> list[Source]:
    """The sources of this run: one slug, all of them, or an ad-hoc start URL.

    ``registry_path`` (a YAML file or a directory of them) replaces the shipped registry (the
    tests' replica, private deployments); ``database``'s discovered sources join it.
    """
    if start_url:
        return [source_from_url(start_url)]
    if not everything and not slug:
        raise ValueError("give -a source=SLUG, -a start_url=URL or -a all=1")
    registry = with_discovered(load(Path(registry_path) if registry_path else None), database)
    return registry.select(None if everything or not slug else [slug])
