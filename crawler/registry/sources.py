"""The registry's sources as the crawler uses them: a portal, the body it publishes for, its
scope and its schedule; and the registry, sources by slug. The YAML they are read from, and
its checks, are in :mod:`crawler.registry.entries` and :mod:`crawler.registry.loading`."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from urllib.parse import quote, urlsplit

from archive.extract.region import Region
from archive.runs.schedule_policy import Policy
from archive.storage.source_info import SourceInfo, in_domains

ADHOC_PREFIX = "adhoc-"
# Where a source comes from: a registry file someone reviewed, or the database, where
# `fazhi sources discover` stores what it found (docs/discovery.md).
CURATED = "curated"
DISCOVERED = "discovered"
UNVERIFIED = "unverified"
HOST = re.compile(r"[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)+")


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
    origin: str = CURATED
    discovered_from: str | None = None
    evidence: tuple[tuple[str, str], ...] = ()
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
        return in_domains(url, self.domains)

    def policy(self, default: Policy) -> Policy:
        """The schedule policy of this source: DEFAULT, moved by its own ``schedule`` entry."""
        return self.schedule.applied_to(default) if self.schedule else default

    def expects(self, year: int) -> bool:
        """Whether the body should have published a report on ``year``."""
        return any(year in span for span in self.expected_years)

    def info(self) -> SourceInfo:
        """The archive's view of this source: what storing a page found on it needs."""
        region = self.region
        return SourceInfo(
            slug=self.slug,
            name=self.name,
            home_url=self.home_url,
            domains=tuple(self.domains),
            agency=self.agency,
            level=str(self.level) if self.level else None,
            province=region.province if region else None,
            city=region.city if region else None,
            county=region.county if region else None,
            division_code=self.division_code,
            registered=not self.slug.startswith(ADHOC_PREFIX),
            origin=self.origin,
        )

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

    def owner_of(self, url: str) -> Source | None:
        """The source whose site URL is on, as a crawl of it would have found the page: the
        one naming the longest matching domain (a department's sub-site within its
        government's domain is the department's), else the first in file order."""
        owners = [s for s in self.sources.values() if s.allows(url)]
        return max(
            owners,
            key=lambda s: max(len(d) for d in s.domains if in_domains(url, (d,))),
            default=None,
        )

    def select(
        self,
        slugs: Iterable[str] | None = None,
        province: str | None = None,
        level: Level | None = None,
    ) -> list[Source]:
        """The sources named by ``slugs`` (all when None; an unknown slug is a KeyError) in
        ``province`` (its name or the start of it: 福建, 福建省) at ``level``, in file order."""
        chosen = self.sources.values() if slugs is None else [self[slug] for slug in slugs]
        return [
            s
            for s in chosen
            if (province is None or (s.region and s.region.province.startswith(province)))
            and (level is None or s.level == level)
        ]


def source_from_url(url: str) -> Source:
    """An unregistered portal for an ad-hoc ``--start-url`` crawl: only that URL's host is in
    scope. Raises ValueError for anything but an absolute http(s) URL."""
    host = urlsplit(http_url(url)).hostname or ""
    return Source(
        slug=ADHOC_PREFIX + re.sub(r"[^a-z0-9]+", "-", host).strip("-"),
        name=host,
        home_url=url,
        domains=(host,),
    )


def http_url(value: str) -> str:
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"not an absolute http(s) URL: {value!r}")
    if not HOST.fullmatch(parts.hostname) or any(c.isspace() for c in value):
        raise ValueError(f"malformed URL: {value!r}")
    _ = parts.port  # raises ValueError for a port that is not a number in range
    return value
