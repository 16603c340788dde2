"""The YAML shape of one source, checked: pydantic for each key, then what spans keys (a URL
outside ``domains``, a 行政区划代码 that disagrees with the region or the agency); a valid
entry becomes a :class:`~crawler.registry.sources.Source`."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from string import Formatter
from typing import Annotated, Any
from urllib.parse import urlsplit

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    NonNegativeFloat,
    PositiveInt,
    StringConstraints,
    ValidationError,
    model_validator,
)

from archive.extract.region import Region, region_of
from archive.runs.schedule_policy import Policy
from archive.storage.source_info import in_domains
from crawler.registry.sources import (
    CURATED,
    HOST,
    Level,
    Politeness,
    Render,
    ScheduleOverride,
    Source,
    YearSpan,
    http_url,
)
from crawler.registry.yaml_lines import described

# The 2004 《全面推进依法行政实施纲要》 first asked governments to report on 依法行政 each year;
# a year before it is a typo.
FIRST_REPORT_YEAR = 2004
# What names the body a source publishes for; a site reposting others' reports has none.
_BODY_KEYS = ("agency", "level", "region", "expected_years")
_YEAR_SPAN = re.compile(r"(\d{4})(?:(-)(\d{4})?)?")


def _domain(value: str) -> str:
    host, colon, port = value.partition(":")
    if not HOST.fullmatch(host) or (colon and not (port.isdigit() and 0 < int(port) < 65536)):
        raise ValueError(f"not a lowercase host or host:port (no scheme or path): {value!r}")
    return value


def _search_template(value: str) -> str:
    fields = {name for _, name, _, _ in Formatter().parse(value) if name is not None}
    if fields != {"query"}:
        raise ValueError(f"a search URL needs exactly the placeholder {{query}}, not {fields}")
    http_url(value.format(query="q"))
    return value


def _code_text(value: Any) -> Any:
    # An unquoted 350203 reads as an int; codes never start with 0, so nothing is lost.
    return str(value) if isinstance(value, int) and not isinstance(value, bool) else value


def _year_spans(value: Any) -> tuple[YearSpan, ...]:
    """``"2015-"``, ``"2015-2020"``, ``2019`` or a list of them."""
    items = value if isinstance(value, list) else [value]
    return tuple(_year_span(item) for item in items)


def _year_span(item: Any) -> YearSpan:
    match = _YEAR_SPAN.fullmatch(str(item)) if isinstance(item, int | str) else None
    if not match:
        raise ValueError(f"{item!r} is not a year, 'YYYY-' or 'YYYY-YYYY'")
    first = int(match[1])
    last = int(match[3]) if match[3] else (None if match[2] else first)
    given = [first] if last is None else [first, last]
    if given != sorted(given) or not all(
        FIRST_REPORT_YEAR <= year <= dt.date.today().year for year in given
    ):
        raise ValueError(f"{item!r}: years run from {FIRST_REPORT_YEAR} to this year, in order")
    return YearSpan(first, last)


Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
Slug = Annotated[str, StringConstraints(pattern=r"^[a-z0-9]+(?:-[a-z0-9]+)*$")]
HttpUrl = Annotated[str, AfterValidator(http_url)]
Domain = Annotated[str, AfterValidator(_domain)]
SearchTemplate = Annotated[str, AfterValidator(_search_template)]
DivisionCode = Annotated[str, BeforeValidator(_code_text), StringConstraints(pattern=r"^\d{6}$")]
Years = Annotated[tuple[YearSpan, ...], BeforeValidator(_year_spans)]
_SHAPE = ConfigDict(extra="forbid", frozen=True)


class _RegionEntry(BaseModel):
    model_config = _SHAPE
    province: Text
    city: Text | None = None
    county: Text | None = None


class _PolitenessEntry(BaseModel):
    model_config = _SHAPE
    reason: Text
    download_delay: NonNegativeFloat | None = None
    concurrency: PositiveInt | None = None

    @model_validator(mode="after")
    def _changes_something(self) -> _PolitenessEntry:
        if self.download_delay is None and self.concurrency is None:
            raise ValueError("sets neither download_delay nor concurrency")
        return self


class _ScheduleEntry(BaseModel):
    model_config = _SHAPE
    reason: Text
    window: Text | None = None
    late_until: Text | None = None

    @model_validator(mode="after")
    def _valid_policy(self) -> _ScheduleEntry:
        if self.window is None and self.late_until is None:
            raise ValueError("sets neither window nor late_until")
        # Checked against the default policy; the scheduler checks it against the global one.
        ScheduleOverride(**self.model_dump()).applied_to(Policy())
        return self


class Entry(BaseModel):
    model_config = _SHAPE
    slug: Slug
    name: Text
    agency: Text | None = None
    level: Level | None = None
    region: _RegionEntry | None = None
    division_code: DivisionCode | None = None
    home_url: HttpUrl
    domains: tuple[Domain, ...] | None = None
    entry_urls: tuple[HttpUrl, ...] = ()
    search_url: SearchTemplate | None = None
    sitemaps: tuple[HttpUrl, ...] = ()
    render: Render = Render.AUTO
    politeness: _PolitenessEntry | None = None
    schedule: _ScheduleEntry | None = None
    expected_years: Years = ()
    notes: Text | None = None
    # Written by `fazhi sources discover`: the page that linked the site, and the signals that
    # identified it (docs/discovery.md).
    discovered_from: HttpUrl | None = None
    evidence: dict[Text, Text] | None = None


Loc = tuple[str | int, ...]


@dataclass(frozen=True)
class Issue:
    """A problem that spans keys; ``loc`` points at the key to fix, as pydantic's do."""

    loc: Loc
    message: str


def _domains(entry: Entry) -> tuple[str, ...]:
    return entry.domains or (urlsplit(entry.home_url).hostname or "",)


def body_issue(entry: Entry) -> Issue | None:
    """A source names its body in full, or (a site reposting others' reports) not at all."""
    missing = [key for key in _BODY_KEYS if not getattr(entry, key)]
    if len(missing) == len(_BODY_KEYS):
        if entry.division_code:
            return Issue(("division_code",), "a division code without a body (agency, region)")
        return None
    if missing:
        return Issue(
            (missing[0],),
            f"{', '.join(missing)} missing: a body's source has all of {', '.join(_BODY_KEYS)}, "
            "a site reposting others' reports none",
        )
    return None


def scope_issues(entry: Entry) -> Iterator[Issue]:
    """URLs the crawler would drop as offsite: the home page, entry pages, the search URL,
    sitemaps."""
    domains = _domains(entry)
    urls: list[tuple[Loc, str | None]] = [
        (("home_url",), entry.home_url),
        *((("entry_urls", i), url) for i, url in enumerate(entry.entry_urls)),
        (("search_url",), entry.search_url),
        *((("sitemaps", i), url) for i, url in enumerate(entry.sitemaps)),
    ]
    for loc, url in urls:
        if url and not in_domains(url, domains):
            netloc = urlsplit(url).netloc
            yield Issue(loc, f"host {netloc} is not in domains ({', '.join(domains)})")


def place_of(written: _RegionEntry, code: str | None, agency: str) -> Region | Issue:
    """The body's place among today's GB/T 2260 divisions: its division code (or, without one,
    its region's names) must name a known division, agree with the region as written, and
    contain the agency."""
    names = (written.province, written.city, written.county)
    place = region_of("", code or "".join(n for n in names if n))
    if place is None:
        if code:
            return Issue(("division_code",), f"{code} is not a division GB/T 2260 knows")
        return Issue(("region",), f"{_spelled(names)} is not one division in GB/T 2260")
    if (place.province, place.city, place.county) != names:
        return Issue(("region",), f"{_spelled(names)} is not {place.code} ({_spelled(place)})")
    by_agency = region_of(agency, place.code)
    if by_agency != place:
        where = f"is in {by_agency.code} ({_spelled(by_agency)})" if by_agency else "is elsewhere"
        return Issue(("agency",), f"{agency} {where} by GB/T 2260, not in {place.code}")
    return place


def source_of(
    entry: Entry,
    region: Region | None,
    path: Path | None = None,
    line: int | None = None,
    origin: str = CURATED,
) -> Source:
    politeness = entry.politeness
    return Source(
        slug=entry.slug,
        name=entry.name,
        home_url=entry.home_url,
        domains=_domains(entry),
        agency=entry.agency,
        level=entry.level,
        region=region,
        entry_urls=entry.entry_urls,
        search_url=entry.search_url,
        sitemaps=entry.sitemaps,
        render=entry.render,
        politeness=Politeness(**politeness.model_dump()) if politeness else None,
        schedule=ScheduleOverride(**entry.schedule.model_dump()) if entry.schedule else None,
        expected_years=entry.expected_years,
        notes=entry.notes,
        origin=origin,
        discovered_from=entry.discovered_from,
        evidence=tuple((entry.evidence or {}).items()),
        file=path,
        line=line,
    )


def checked(item: Any) -> tuple[Entry, Region | None] | list[tuple[Loc, str]]:
    """An entry as written (a YAML item, or a discovered source's row) with its place, or
    every problem with it, each at the key to fix."""
    try:
        entry = Entry.model_validate(item)
    except ValidationError as exc:
        return [(tuple(e["loc"]), described(e)) for e in exc.errors()]
    # Checks that span keys need the entry's shape right; then all of them run.
    body = body_issue(entry)
    place = None
    if entry.region and entry.agency and not body:
        place = place_of(entry.region, entry.division_code, entry.agency)
    issues = [*scope_issues(entry), *(i for i in (body, place) if isinstance(i, Issue))]
    if issues:
        return [(issue.loc, issue.message) for issue in issues]
    return entry, place if isinstance(place, Region) else None


def _spelled(place: Region | Sequence[str | None]) -> str:
    names = (place.province, place.city, place.county) if isinstance(place, Region) else place
    return "/".join(n or "-" for n in names)
