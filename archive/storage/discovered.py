"""Sources discovery found, kept in the ``source`` table beside the registry's.

A discovered source is a registry entry nobody has reviewed yet: the crawler crawls it, and a
curated entry for the same site always wins (``crawler.registry.discovered``). Stored here it
keeps the evidence that identified it and the discovery run that last found it; a row a crawl
of a curated source wrote is never turned into a discovered one.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from archive.storage.models import Source
from archive.storage.rows import upsert

DISCOVERED = "discovered"
_ENTRY_KEYS = ("slug", "name", "agency", "level", "division_code", "home_url")


def save_discovered(
    session: Session, entries: Iterable[Mapping[str, Any]], run_id: int | None
) -> list[str]:
    """Store registry ENTRIES (as discovery writes them) as discovered sources; the slugs
    stored. A slug a curated source holds is left alone."""
    curated = set(session.scalars(select(Source.slug).where(Source.origin != DISCOVERED)))
    stored = []
    for entry in entries:
        if entry["slug"] in curated:
            continue
        region = entry.get("region") or {}
        values = {key: entry.get(key) for key in _ENTRY_KEYS} | {
            "province": region.get("province"),
            "city": region.get("city"),
            "county": region.get("county"),
            "domains": list(entry.get("domains") or []),
            "origin": DISCOVERED,
            "discovered_from": entry.get("discovered_from"),
            "evidence": dict(entry.get("evidence") or {}),
            "expected_years": entry.get("expected_years"),
            "discovery_run_id": run_id,
        }
        upsert(session, Source, {"slug": entry["slug"]}, values)
        stored.append(entry["slug"])
    return stored


def discovered_entries(session: Session) -> list[dict[str, Any]]:
    """Every discovered source as the registry entry it was stored from, in slug order."""
    rows = session.scalars(select(Source).where(Source.origin == DISCOVERED).order_by(Source.slug))
    return [_entry(row) for row in rows]


def _entry(row: Source) -> dict[str, Any]:
    entry: dict[str, Any] = {key: getattr(row, key) for key in _ENTRY_KEYS}
    region = {"province": row.province, "city": row.city, "county": row.county}
    entry["region"] = {key: value for key, value in region.items() if value}
    entry["domains"] = list(row.domains or [])
    entry["expected_years"] = row.expected_years
    entry["discovered_from"] = row.discovered_from
    entry["evidence"] = dict(row.evidence or {})
    return {key: value for key, value in entry.items() if value not in (None, [], {})}
