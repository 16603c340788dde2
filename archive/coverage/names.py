"""The names portals write for a division, and the one spelling names are compared in.

A page says 恩施州 or 石柱县 where GB/T 2260 says 恩施土家族苗族自治州 and 石柱土家族自治县, and
a link says 南昌县政府 for 南昌县人民政府. Region extraction (``archive.extract.region``) and the
division lookup (``archive.coverage.history``) must agree on these forms, so they live here once.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator
from importlib import resources

import yaml

from archive.coverage.divisions import Division
from archive.extract.classify import canonical_text
from archive.extract.zh_script import t2s

ETHNIC_NAMES_FILE = "data/ethnic_names.yaml"
_AUTONOMOUS = re.compile(r"自治([区州县旗])$")
# Suffixes whose removal leaves the name portals use for provinces and prefectures.
_UPPER_SUFFIX = re.compile(r"(?:省|市|地区|盟|特别行政区)$")
# What follows a division's name when a portal names its government: 南昌县政府.
_GOVERNMENT = re.compile(r"(?:人民政府|政府)(?:门户网站|网站|网)?$")
_MIN_SHORT = 2


@functools.cache
def _ethnic_suffix() -> re.Pattern[str]:
    raw = yaml.safe_load(
        resources.files("archive.coverage").joinpath(ETHNIC_NAMES_FILE).read_text("utf-8")
    )
    names = sorted((e["name"] for e in raw["ethnic_names"]), key=len, reverse=True)
    longer = "|".join(n for n in names if len(n) > 1)
    single = "".join(n for n in names if len(n) == 1)
    return re.compile(f"(?:(?:{longer})族?|[{single}]族)+$")


def short_names(division: Division) -> Iterator[str]:
    """Names a portal may write instead of the full one: 厦门, 广西, 恩施州, 恩施, 石柱县.

    A county's own short form (朝阳 for 朝阳区) is never one: it is too often another word or
    another place."""
    autonomous = _AUTONOMOUS.search(division.name)
    if autonomous:
        base = division.name[: autonomous.start()]
        ethnic = _ethnic_suffix().search(base)
        if ethnic and ethnic.start() >= _MIN_SHORT:
            base = base[: ethnic.start()]
        kind = autonomous[1]
        yield base + kind if kind != "区" else base
        if division.level != "县":
            yield base
    elif division.level != "县":
        short = _UPPER_SUFFIX.sub("", division.name)
        if len(short) >= _MIN_SHORT:
            yield short


def compact(text: str) -> str:
    """The form names are indexed and looked up in. Both sides go through unconditional t2s, so
    a Traditional name and OpenCC's own rewrites of Simplified ones (乾县 → 干县) meet."""
    return "".join(t2s(canonical_text(text)).split())


def without_government(name: str) -> str:
    """The division a government's name names: 南昌县政府 → 南昌县."""
    return _GOVERNMENT.sub("", compact(name))
