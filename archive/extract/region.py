"""Where a body sits among China's administrative divisions, with its GB/T 2260 code.

The divisions are today's of the shipped GB/T 2260 history (``archive.coverage.history``, the
data of the ``division`` table), under their full names and the short names portals write
(厦门, 恩施州, 石柱县; ``archive.coverage.names``). A name is read left to right, each mention
narrowing the last (厦门市 → 思明区). County names are only matched in full: their short forms
(朝阳, 西湖) are too often other words or other places. A name that fits several places
(西湖区: 杭州 and 南昌) resolves only with a hint, never by guessing.
"""

import functools
from collections.abc import Iterator
from dataclasses import dataclass

from archive.coverage.divisions import Division
from archive.coverage.history import contains, shipped
from archive.coverage.names import compact

_CODE_LENGTH = 6


@dataclass(frozen=True)
class Region:
    """A place: province, prefecture-level city (None for 直辖市 districts and for counties
    a province governs directly), county, and the 6-digit 行政区划代码 of the deepest level."""

    province: str
    city: str | None
    county: str | None
    code: str


@dataclass(frozen=True)
class _Gazetteer:
    by_code: dict[str, Division]
    by_name: dict[str, tuple[Division, ...]]
    longest_name: int


@functools.cache
def _gazetteer() -> _Gazetteer:
    """Today's divisions, built on first use: region_of runs per page, the build only once."""
    history = shipped()
    year = history.last_year
    by_code = {division.code: division for division in history.valid_in(year)}
    by_name = {
        name: today
        for name, lives in history.names.items()
        if (today := tuple(d for d in lives if d.valid_in(year)))
    }
    return _Gazetteer(by_code, by_name, max(map(len, by_name)))


def _mentions(text: str) -> Iterator[tuple[Division, ...]]:
    """Each place named in ``text``, left to right, the longest name at each position."""
    gazetteer, start = _gazetteer(), 0
    while start < len(text):
        for end in range(min(len(text), start + gazetteer.longest_name), start + 1, -1):
            found = gazetteer.by_name.get(text[start:end])
            if found:
                yield found
                start = end
                break
        else:
            start += 1


def _candidates(text: str) -> tuple[Division, ...]:
    """The places a name can mean: each mention must lie inside the one before it."""
    current: tuple[Division, ...] = ()
    for options in _mentions(compact(text)):
        inside = tuple(d for d in options if any(contains(c, d) for c in current))
        if current and not inside:
            break
        current = inside or options
    return current


def _anchor(hint: str | None) -> Division | None:
    """The place a hint names: a code (350200, 3502) or a name that fits only one place."""
    if not hint:
        return None
    if hint.isascii() and hint.isdigit():
        return _gazetteer().by_code.get(hint.ljust(_CODE_LENGTH, "0"))
    places = _candidates(hint)
    return places[0] if len(places) == 1 else None


def _region(division: Division) -> Region:
    by_code = _gazetteer().by_code
    city = by_code.get(division.code[:4].ljust(_CODE_LENGTH, "0"))
    return Region(
        province=by_code[division.code[:2].ljust(_CODE_LENGTH, "0")].name,
        city=city.name if city and division.level != "省" else None,
        county=division.name if division.level == "县" else None,
        code=division.code,
    )


def region_of(agency: str | None, hint: str | None = None) -> Region | None:
    """The place a body belongs to, or None when its name does not settle it.

    ``hint`` (the source's own region, as a name or a code) settles names that fit several
    places, and stands in when the name names no place at all (市司法局, 湖滨新区). A name
    that fits exactly one place wins over the hint.
    """
    places = _candidates(agency or "")
    anchor = _anchor(hint)
    if anchor:
        places = tuple(d for d in places if d == anchor or contains(anchor, d)) or places
    if len(places) == 1:
        return _region(places[0])
    return _region(anchor) if anchor and not places else None
