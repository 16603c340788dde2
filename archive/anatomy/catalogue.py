"""The indicator catalogue (archive/anatomy/data/indicators.toml), loaded and compiled once.

The catalogue is data so a consumer can read what each key means and how it is recognised,
and so a new wording is an edit to one file with its real example, not new code.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import cache
from importlib import resources

from archive.anatomy.numbers import NUMBER, PERCENT

KINDS = ("count", "rate")
# {gap}: a few words between an indicator's words and its number, no punctuation or number.
GAP = r"[^,。;:!?\d%]{0,8}?"


@dataclass(frozen=True)
class Indicator:
    key: str
    name: str
    unit: str
    kind: str
    units: tuple[str, ...]
    wordings: tuple[str, ...]
    requires: str | None
    excludes: tuple[str, ...]
    example: str

    @property
    def is_rate(self) -> bool:
        return self.kind == "rate"

    def patterns(self) -> tuple[re.Pattern[str], ...]:
        return _patterns(self)


@cache
def catalogue() -> tuple[Indicator, ...]:
    data = tomllib.loads(
        resources.files("archive.anatomy").joinpath("data/indicators.toml").read_text("utf-8")
    )
    indicators = tuple(
        Indicator(
            key=entry["key"],
            name=entry["name"],
            unit=entry["unit"],
            kind=entry["kind"],
            units=tuple(entry.get("units", ())),
            wordings=tuple(entry["wordings"]),
            requires=entry.get("requires"),
            excludes=tuple(entry.get("excludes", ())),
            example=entry["example"],
        )
        for entry in data["indicator"]
    )
    keys = [i.key for i in indicators]
    if len(set(keys)) != len(keys) or any(i.kind not in KINDS for i in indicators):
        raise ValueError("indicators.toml: keys must be unique and kinds count or rate")
    return indicators


def by_key() -> dict[str, Indicator]:
    return {indicator.key: indicator for indicator in catalogue()}


@cache
def _patterns(indicator: Indicator) -> tuple[re.Pattern[str], ...]:
    if indicator.is_rate:
        quantity = f"(?P<n>{PERCENT})"
    else:
        units = "|".join(sorted(map(re.escape, indicator.units), key=len, reverse=True))
        quantity = f"(?P<n>{NUMBER})(?:{units})"
    return tuple(
        re.compile(wording.replace("{gap}", GAP).replace("{n}", quantity))
        for wording in indicator.wordings
    )
