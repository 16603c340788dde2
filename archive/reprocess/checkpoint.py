"""The run's row: where a killed run resumes, and what it changed so far.

Each batch's changes and the run's cursor commit in one transaction, so after a kill the
archive and the cursor agree: the resumed run redoes no batch and skips none. A run resumes
when one with the same scope and the same extractor version was left unfinished.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from archive.extract import EXTRACTOR_VERSION
from archive.reprocess.scope import Scope
from archive.storage.models import ReprocessRun


@dataclass
class Tally:
    """What one batch changed: counts by kind, and the events worth a line each."""

    counts: Counter[str] = field(default_factory=Counter)
    events: list[dict[str, Any]] = field(default_factory=list)

    def count(self, kind: str, n: int = 1) -> None:
        if n:
            self.counts[kind] += n

    def event(self, kind: str, **detail: Any) -> None:
        self.events.append({"kind": kind, **detail})
        self.counts[kind] += 1


def open_run(session: Session, scope: Scope) -> tuple[ReprocessRun, bool]:
    """The unfinished run of SCOPE to resume, else a new one; True when resumed. Commits."""
    run = session.scalars(
        select(ReprocessRun)
        .where(
            ReprocessRun.finished_at.is_(None),
            _same(ReprocessRun.since, scope.since),
            _same(ReprocessRun.source_slug, scope.source_slug),
            ReprocessRun.only == str(scope.only),
            ReprocessRun.extractor_version == EXTRACTOR_VERSION,
        )
        .order_by(ReprocessRun.id.desc())
        .limit(1)
    ).first()
    if run is not None:
        return run, True
    run = ReprocessRun(
        since=scope.since,
        source_slug=scope.source_slug,
        only=str(scope.only),
        extractor_version=EXTRACTOR_VERSION,
        phase="fetches" if scope.extraction else "reports",
        cursor=0,
        counts={},
        events=[],
    )
    session.add(run)
    session.commit()
    return run, False


def advance(run: ReprocessRun, phase: str, cursor: int, tally: Tally) -> None:
    """Record a batch done (the caller commits it with the batch's changes)."""
    run.phase, run.cursor = phase, cursor
    run.counts = dict(Counter(run.counts) + tally.counts)
    if tally.events:
        run.events = [*run.events, *tally.events]


def finish(session: Session, run: ReprocessRun) -> None:
    run.phase = "done"
    run.finished_at = dt.datetime.now(dt.UTC)
    session.commit()


def _same(column: Any, value: object) -> Any:
    return column.is_(None) if value is None else column == value
