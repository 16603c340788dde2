"""A crawl's judgement of itself: did it finish, fetch, and find what the source has?

A run can end ``ok`` and still be worthless: every page refused, or a portal that
moved its reports so the crawl found none of those it found before. The verdict
says so at close, beside the status, so `fazhi health` can show sources that fail
run after run and an operator looks before a spring window passes.

``healthy``: finished, fetched, found (or had nothing to find yet).
``degraded``: finished, but a large share of its fetches failed.
``suspect``: finished and fetched, but found none of the reports archived from a
source before (a changed portal, a block, a broken template).
``failed``: did not finish, or fetched nothing.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

VERDICTS = ("healthy", "degraded", "suspect", "failed")
# Outcomes of a report page that mean "the report is (still) there".
FOUND = ("new_report", "new_version", "new_sighting", "repost", "unchanged", "deferred")
FOUND_PREFIX = "fazhi/found/"  # per-source count of report pages archived this run
# Per-source count of pages the portal answered (HTTP status below 400) this run: what
# coverage accounting takes as proof that a portal was crawled (docs/coverage.md).
ANSWERED_PREFIX = "fazhi/answered/"


@dataclass(frozen=True)
class Limits:
    max_error_share: float = 0.5  # failures among all fetches above which a run is degraded


@dataclass(frozen=True)
class Verdict:
    level: str
    reasons: tuple[str, ...]

    @property
    def text(self) -> str | None:
        return "; ".join(self.reasons) or None


def judge(
    finish_reason: str,
    stats: Mapping[str, Any],
    known: Mapping[str, int],
    limits: Limits | None = None,
    idle_ok: bool = False,
) -> Verdict:
    """FINISH_REASON and STATS (Scrapy's) of a run; KNOWN: per source slug, how many reports
    earlier runs archived from it. IDLE_OK: a run that asked for nothing is fine (a worker
    that found the shared frontier empty), one whose every request failed still is not."""
    limits = limits or Limits()
    pages = stats.get("response_received_count", 0)
    failures = stats.get("fazhi/archive/failure", 0)
    if finish_reason != "finished":
        return Verdict("failed", (f"finish reason: {finish_reason}",))
    if pages == 0 and (failures or not idle_ok):
        reason = f"no page fetched ({failures} requests failed)" if failures else "no page fetched"
        return Verdict("failed", (reason,))
    blind = [
        f"{slug}: found none of the {count} reports archived before"
        for slug, count in sorted(known.items())
        if count and not stats.get(f"{FOUND_PREFIX}{slug}", 0)
    ]
    if blind:
        return Verdict("suspect", tuple(blind))
    share = failures / (pages + failures) if pages + failures else 0.0
    if share > limits.max_error_share:
        return Verdict("degraded", (f"{failures} of {pages + failures} fetches failed",))
    return Verdict("healthy", ())
