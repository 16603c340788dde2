"""The division history shipped with the package, and the lookup discovery, coverage and the
reading room ask: which division had this code or this name in a given year, and what became
of it since (撤县设区, renames, merges).

The data is ``data/divisions-<vintage>.csv.gz`` (built by :mod:`archive.coverage.build_dataset`;
the migration of its vintage loads the same file into the ``division`` table). It is read once
per process.
"""

from __future__ import annotations

import csv
import functools
import gzip
import io
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import asdict
from importlib import resources
from typing import cast

from archive.coverage.divisions import Division, Level
from archive.coverage.names import compact, short_names, without_government

# The newest dataset; each one is loaded by its own migration, which names its file.
DATA_FILE = "data/divisions-20260911.csv.gz"
# Digits of the code a division fixes, by level: 35, 3502, 350203.
PREFIX: dict[str, int] = {"省": 2, "市": 4, "县": 6}


def read_csv(text: str) -> Iterator[Division]:
    """Divisions from the data file's text: ``#`` lines are its provenance header."""
    rows = csv.DictReader(line for line in io.StringIO(text) if not line.startswith("#"))
    for row in rows:
        yield Division(
            code=row["code"],
            name=row["name"],
            level=cast(Level, row["level"]),
            parent_code=row["parent_code"] or None,
            valid_from=int(row["valid_from"]),
            valid_to=int(row["valid_to"]) if row["valid_to"] else None,
            successor_code=row["successor_code"] or None,
        )


def data_text(name: str = DATA_FILE) -> str:
    """A shipped data file, decompressed: what migrations load and the provenance it has."""
    packed = resources.files("archive.coverage").joinpath(name).read_bytes()
    return gzip.decompress(packed).decode("utf-8")


def provenance() -> list[str]:
    """The data file's header: its sources, their versions and licences, its vintage."""
    return [line[2:].rstrip() for line in data_text().splitlines() if line.startswith("# ")]


def table_rows(name: str) -> list[dict[str, object]]:
    """The ``division`` table's rows from the shipped file NAME, each with today's code."""
    history = DivisionHistory(read_csv(data_text(name)))
    rows: list[dict[str, object]] = []
    for division in history.divisions:
        today = history.current_successor(division.code)
        rows.append({**asdict(division), "current_code": today.code if today else None})
    return rows


@functools.cache
def shipped() -> DivisionHistory:
    """The history in the installed package, built once per process."""
    return DivisionHistory(read_csv(data_text()))


def contains(outer: Division, inner: Division) -> bool:
    """Whether INNER lies under OUTER (a province holds its cities and counties)."""
    prefix = PREFIX[outer.level]
    return PREFIX[inner.level] > prefix and inner.code[:prefix] == outer.code[:prefix]


class DivisionHistory:
    """Every life of every division (a code under one name), by code and by name."""

    def __init__(self, divisions: Iterable[Division]) -> None:
        self.divisions = tuple(sorted(divisions, key=lambda d: (d.code, d.valid_from)))
        lives: defaultdict[str, list[Division]] = defaultdict(list)
        names: defaultdict[str, list[Division]] = defaultdict(list)
        for division in self.divisions:
            lives[division.code].append(division)
            for name in {division.name, *short_names(division)}:
                names[compact(name)].append(division)
        self._lives = {code: tuple(found) for code, found in lives.items()}
        self._names = {name: tuple(found) for name, found in names.items()}
        self.first_year = min(d.valid_from for d in self.divisions)
        self.last_year = max(d.valid_to or d.valid_from for d in self.divisions)

    @property
    def names(self) -> dict[str, tuple[Division, ...]]:
        """Every full and short name (compacted) and the lives that bore it."""
        return self._names

    def lives(self, code: str) -> tuple[Division, ...]:
        """The lives of CODE, oldest first (a rename starts a new one)."""
        return self._lives.get(code, ())

    def by_code(self, code: str) -> Division | None:
        """The division with this code (its latest life, if the code was reused)."""
        found = self.lives(code)
        return found[-1] if found else None

    def in_year(self, code: str, year: int) -> Division | None:
        """The life of CODE valid in YEAR, if the code was in use then."""
        return next((d for d in self.lives(code) if d.valid_in(year)), None)

    def valid_in(self, year: int) -> list[Division]:
        """The divisions of YEAR: every government expected to report on it."""
        return [d for d in self.divisions if d.valid_in(year)]

    def by_name(
        self, name: str, year: int | None = None, within: str | None = None
    ) -> list[Division]:
        """Divisions that bore NAME (full, short, or with 人民政府/政府 after it) in YEAR (any
        year when None), under the division coded WITHIN when given. A name written after its
        parent's (南昌市新建区, 江西省南昌县) is read as the child inside the parent."""
        key = without_government(name)
        found = self._named(key, year)
        if not found:
            found = self._nested(key, year)
        if within is not None:
            outer = self.in_year(within, year) if year is not None else self.by_code(within)
            found = [d for d in found if outer is not None and contains(outer, d)]
        return found

    def _named(self, key: str, year: int | None) -> list[Division]:
        return [d for d in self._names.get(key, ()) if year is None or d.valid_in(year)]

    def _nested(self, key: str, year: int | None) -> list[Division]:
        for cut in range(len(key) - 1, 1, -1):
            outer = self._named(key[:cut], year)
            if outer:
                inner = self._named(key[cut:], year)
                return [d for d in inner if any(contains(o, d) for o in outer)]
        return []

    def successor_in(self, code: str, year: int) -> Division | None:
        """What the division coded CODE was in YEAR: itself when valid then, else the end of
        its chain of successors that is; None when the chain stops (abolished) or the code
        began after YEAR."""
        lives = self.lives(code)
        life = next((d for d in reversed(lives) if d.valid_from <= year), None)
        seen: set[tuple[str, int]] = set()
        while life is not None and not life.valid_in(year):
            if life.valid_to is None or life.successor_code is None:
                return None
            seen.add((life.code, life.valid_from))
            after = life.valid_to + 1
            following = self.in_year(life.successor_code, after) or self.by_code(
                life.successor_code
            )
            if following is None or (following.code, following.valid_from) in seen:
                return None
            life = following
        return life

    def current_successor(self, code: str) -> Division | None:
        """Today's division for a code of any year: 360122 (新建县) → 360112 (新建区)."""
        return self.successor_in(code, self.last_year)

    def parent(self, division: Division, year: int | None = None) -> Division | None:
        """The division above DIVISION in YEAR (its last year by default)."""
        if division.parent_code is None:
            return None
        when = year if year is not None else (division.valid_to or self.last_year)
        return self.in_year(division.parent_code, when) or self.by_code(division.parent_code)

    def province(self, division: Division, year: int | None = None) -> Division:
        """The province DIVISION lies in."""
        if division.level == "省":
            return division
        code = division.code[:2] + "0000"
        when = year if year is not None else (division.valid_to or self.last_year)
        found = self.in_year(code, when) or self.by_code(code)
        assert found is not None, f"{division.code} lies in no province"
        return found
