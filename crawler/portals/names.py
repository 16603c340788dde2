"""A body's name read as divisions, then what follows them: 南昌市新建区 + 人民政府.

Divisions are found through the :class:`~archive.coverage.divisions.DivisionLookup`, longest
name first, each inside the one before (南昌市 → 新建区), first inside the walk's scope and
only then anywhere (湖南省人民政府 is read, and found outside). A name no longer borne in the
year asked (新建县, 撤县设区 in 2015) is read in the year it was, and followed to the
division that succeeded it. What follows the divisions is read with the word lists of
``crawler/data/portals.toml``.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from enum import StrEnum
from functools import cache
from pathlib import Path

from archive.coverage.divisions import Division, DivisionLookup
from archive.coverage.names import compact, without_government

WORDS_FILE = Path(__file__).resolve().parent.parent / "data" / "portals.toml"
_LONGEST_NAME = 20  # characters; the longest division name is 16 (a 自治县)


class Body(StrEnum):
    """What the rest of a name says the body is."""

    GOVERNMENT = "government"  # 人民政府 (or its 办公室, as a portal's host)
    DEPARTMENT = "department"  # 司法局, 发展和改革委员会
    PLATFORM = "platform"  # 政务服务网, a hotline
    NOT_EXECUTIVE = "not_executive"  # 人大, 政协, courts, Party organs
    OTHER = "other"  # 日报, 大学, 集团: not a government body
    NONE = "none"  # nothing follows the divisions


@dataclass(frozen=True)
class Words:
    navigation: tuple[re.Pattern[str], ...]
    subordinate_cue: re.Pattern[str]
    site_word: re.Pattern[str]
    government: re.Pattern[str]
    platform: re.Pattern[str]
    not_executive: re.Pattern[str]
    department: re.Pattern[str]


@cache
def words() -> Words:
    data = tomllib.loads(WORDS_FILE.read_text(encoding="utf-8"))

    def joined(key: str) -> re.Pattern[str]:
        return re.compile("|".join(f"(?:{entry['pattern']})" for entry in data[key]))

    return Words(
        navigation=tuple(re.compile(entry["pattern"]) for entry in data["navigation"]),
        subordinate_cue=joined("subordinate_cue"),
        site_word=joined("site_word"),
        government=joined("government"),
        platform=joined("platform"),
        not_executive=joined("not_executive"),
        department=joined("department"),
    )


@dataclass(frozen=True)
class Name:
    """A name read: the deepest division it names as it was named, that division today
    (its successor's, after 撤县设区), and what follows."""

    text: str
    named: Division | None
    division: Division | None
    rest: str
    body: Body

    @property
    def renamed(self) -> bool:
        return self.named is not None and self.named != self.division


def read_name(text: str, lookup: DivisionLookup, year: int, scope: str | None = None) -> Name:
    """TEXT read as divisions from its start, then a body; SCOPE (a division code) is where
    the first division is looked for before anywhere else."""
    text = "".join(text.split())
    position, named = 0, None
    while position < len(text):
        within = named.code if named else scope
        found = _longest(text, position, lookup, year, within)
        if found is None and named is None and scope is not None:
            found = _longest(text, position, lookup, year, None)
        if found is None:
            break
        named, position = found
    rest = text[position:]
    division = today(named, lookup, year) if named else None
    return Name(text, named, division, rest, body_of(rest))


def body_of(rest: str) -> Body:
    """What the words after a name's divisions say the body is."""
    w = words()
    if w.platform.search(rest):
        return Body.PLATFORM
    if w.not_executive.search(rest):
        return Body.NOT_EXECUTIVE
    bare = w.site_word.sub("", rest)
    if not bare:
        return Body.NONE
    if w.government.fullmatch(bare):
        return Body.GOVERNMENT
    if w.department.search(bare):
        return Body.DEPARTMENT
    return Body.OTHER


def department_name(rest: str) -> str:
    """A department's own name from the rest of a site name: 司法局, not 司法局门户网站."""
    return words().site_word.sub("", rest)


def is_navigation(anchor: str) -> bool:
    """Whether a link's text names a page listing other governments' sites."""
    return any(p.search(anchor) for p in words().navigation)


def _longest(
    text: str, start: int, lookup: DivisionLookup, year: int, within: str | None
) -> tuple[Division, int] | None:
    """The one division whose name starts TEXT at START, the longest name first: borne in
    YEAR, else in any year (a former name). Several (西湖区 anywhere) are none."""
    for end in range(min(len(text), start + _LONGEST_NAME), start + 1, -1):
        piece = text[start:end]
        if without_government(piece) != compact(piece):
            continue  # the lookup reads 南昌县人民政府(门户网站) as 南昌县; the body is read here
        options = lookup.by_name(piece, year, within) or lookup.by_name(piece, None, within)
        if len(options) == 1:
            return options[0], end
        if options:
            return None
    return None


def today(division: Division, lookup: DivisionLookup, year: int) -> Division:
    """DIVISION or, when it had ended by YEAR, the division that succeeded it."""
    seen = {division.code}
    while not division.valid_in(year) and division.successor_code:
        successor = lookup.by_code(division.successor_code)
        if successor is None or successor.code in seen:
            break
        seen.add(successor.code)
        division = successor
    return division
