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
# {gap}: a few words between an indicator's words and its number, no punctuation or number;
# each is a named group (gap0, gap1 …) so the figure rules can read what it holds.
GAP = r"[^,。;:!?\d%]{0,8}?"
# {owner}: who issued the documents counted (县政府, 省政府及其部门, 局, 各类), nothing else:
# 清理出现行有效规范性文件16件 counts what a clean-up kept, not what it cleaned.
_ISSUER = r"(?:政府|部门|办公厅|办公室|本级|机关|局|厅)"
OWNER = (
    rf"(?:[\u4e00-\u9fff]{{0,8}}?{_ISSUER}(?:及其?[\u4e00-\u9fff]{{0,4}}?{_ISSUER})?)?"
    r"(?:各类)?(?:行政)?"
)


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
    return tuple(_compile(wording, quantity) for wording in indicator.wordings)


def _compile(wording: str, quantity: str) -> re.Pattern[str]:
    parts = wording.replace("{owner}", OWNER).replace("{n}", quantity).split("{gap}")
    named = [f"(?P<gap{index}>{GAP})" for index in range(len(parts) - 1)]
    return re.compile("".join(p + g for p, g in zip(parts, [*named, ""], strict=True)))
