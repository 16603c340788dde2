"""Crawler traps: URLs that multiply without end, cut before they are requested.

Government portals grow traps by accident: a relative link that repeats path
segments (``/xxgk/xxgk/xxgk/``), a calendar with a next-day link forever, a
pager past its last page, search pages with endless query strings. Each cut
is reported once per pattern, with the first URL that showed it, so an operator
sees what was cut without a log line per URL.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, urlsplit

# 2024-03-13, 2024/3/13, 2024.03, 20240313 — not a bare 4-digit id.
DATE_VALUE = re.compile(r"^\d{4}(?:[-/.]\d{1,2}(?:[-/.]\d{1,2})?|(?:0[1-9]|1[0-2])[0-3]\d)$")
PAGE_KEYS = frozenset({"page", "pageno", "pageindex", "pagenum", "p", "curpage", "pn", "start"})
# index_7.htm, list_12.html, DedeCMS list_7_999.html (column 7, page 999), /page/9/
PAGE_IN_PATH = re.compile(r"(?:(?:index|list|default)(?:_\d+)*_|/page/)(\d+)(?:\.s?html?|/)?$")
DIGITS = re.compile(r"\d+")


def shape(url: str) -> str:
    """The pattern URL is one of: host, path with each digit run as ``{n}``, query keys only.

    ``/many/17.html`` and ``/many/9021.html`` are one shape, ``/list/t2024_3.html?id=5``
    another: the unit in which a run of failures retires links (crawler/floods.py).
    """
    parts = urlsplit(url)
    keys = sorted({key for key, _ in parse_qsl(parts.query, keep_blank_values=True)})
    query = "?" + "&".join(keys) if keys else ""
    return parts.netloc + DIGITS.sub("{n}", parts.path) + query


@dataclass(frozen=True)
class Limits:
    max_repeats: int = 2  # a segment run seen this many times in a row is a loop
    max_page: int = 200  # pages past this in a pager are a trap (a real list is shorter)
    max_query_variants: int = 50  # distinct query strings on one path
    first_year: int = 2000  # calendar values outside [first_year, next year] are a trap
    max_path_depth: int = 12


@dataclass
class TrapGuard:
    """Decides per URL; remembers which patterns it has reported."""

    limits: Limits = field(default_factory=Limits)
    reported: dict[str, str] = field(default_factory=dict)  # pattern → first URL cut
    _variants: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))

    def check(self, url: str) -> str | None:
        """The trap pattern this URL falls into, or None when it may be fetched."""
        parts = urlsplit(url)
        pattern = (
            self._repeating_path(parts.path)
            or self._page_past_bound(parts.path, parts.query)
            or self._calendar(parts.query)
            or self._query_explosion(parts.netloc + parts.path, parts.query)
        )
        return pattern

    def first_report(self, pattern: str, url: str) -> bool:
        """True the first time a pattern is cut: the caller logs it then, once."""
        if pattern in self.reported:
            return False
        self.reported[pattern] = url
        return True

    def _repeating_path(self, path: str) -> str | None:
        segments = [s for s in path.split("/") if s]
        if len(segments) > self.limits.max_path_depth:
            return "path-too-deep"
        for size in range(1, 4):
            for start in range(len(segments) - size * self.limits.max_repeats + 1):
                run = segments[start : start + size]
                repeats = 1
                while segments[start + repeats * size : start + (repeats + 1) * size] == run:
                    repeats += 1
                if repeats >= self.limits.max_repeats:
                    return f"repeating-path:/{'/'.join(run)}/"
        return None

    def _page_past_bound(self, path: str, query: str) -> str | None:
        numbers = [int(v) for k, v in parse_qsl(query) if k.lower() in PAGE_KEYS and v.isdigit()]
        if match := PAGE_IN_PATH.search(path):
            numbers.append(int(match[1]))
        if any(n > self.limits.max_page for n in numbers):
            return f"page-beyond-{self.limits.max_page}"
        return None

    def _calendar(self, query: str) -> str | None:
        last = dt.date.today().year + 1
        for key, value in parse_qsl(query):
            if DATE_VALUE.match(value):
                year = int(value[:4])
                if not self.limits.first_year <= year <= last:
                    return f"calendar-out-of-range:{key}"
        return None

    def _query_explosion(self, path: str, query: str) -> str | None:
        if not query:
            return None
        seen = self._variants[path]
        seen.add(query)
        if len(seen) > self.limits.max_query_variants:
            return f"query-explosion:{path}"
        return None
