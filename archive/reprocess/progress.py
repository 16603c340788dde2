"""The live progress line of `fazhi reprocess`, in the crawl's manner (crawler/progress.py):
redrawn in place every second on a terminal; anywhere else (cron, CI, a file) a plain line
every minute, so a log is not flooded with carriage returns."""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TextIO

REDRAW_SECONDS = 1.0
LINE_SECONDS = 60.0
# The counts the line shows, in order, with the words that name them.
SHOWN = {
    "reports": "reports",
    "versions": "versions",
    "texts_replaced": "texts replaced",
    "version-added": "versions added",
    "version-removed": "versions removed",
    "sighting-moved": "sightings moved",
    "identical": "identical",
    "reclassified": "reclassified",
}


@dataclass(frozen=True)
class Status:
    phase: str
    done: int  # reports (or pages) this process has finished
    total: int  # in scope when it started
    counts: Mapping[str, int]
    seconds: float


def line(status: Status) -> str:
    unit = "pages" if status.phase == "fetches" else "reports"
    parts = [f"{status.phase}: {unit} {status.done}/{status.total}"]
    parts += [f"{name} {status.counts[key]}" for key, name in SHOWN.items() if key in status.counts]
    versions = status.counts.get("versions", 0)
    if status.phase == "reports" and status.seconds > 0:
        parts.append(f"{versions / status.seconds:.1f} versions/s")
    return " · ".join(parts)


class ProgressLine:
    def __init__(self, out: TextIO, redraw: bool) -> None:
        self.out = out
        self.redraw = redraw
        self.interval = REDRAW_SECONDS if redraw else LINE_SECONDS
        self.shown_at = time.monotonic()
        self.last: Status | None = None

    def __call__(self, status: Status) -> None:
        self.last = status
        if time.monotonic() - self.shown_at >= self.interval:
            self.show(status)

    def show(self, status: Status) -> None:
        self.shown_at = time.monotonic()
        if self.redraw:
            self.out.write("\r" + line(status) + "   ")
        else:
            self.out.write(f"{time.strftime('%H:%M:%S')} {line(status)}\n")
        self.out.flush()

    def close(self) -> None:
        """On a terminal the line's last state stays above the summary."""
        if self.redraw and self.last is not None:
            self.show(self.last)
            self.out.write("\n")
