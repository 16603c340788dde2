"""A reprocess run: the phases, their batches, one transaction and one checkpoint a batch.

First the pages older rules did not read as reports (``fetches``), then every report in scope
(``reports``): its captures derived again (:mod:`archive.reprocess.report`) and its versions'
per-version steps (:mod:`archive.reprocess.steps`). Each batch commits with the run's cursor,
so a killed run resumed with the same scope continues after its last committed batch and ends
with the archive an uninterrupted run leaves.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from archive.reprocess.captures import Context, SourceOf
from archive.reprocess.checkpoint import Tally, advance, finish, open_run
from archive.reprocess.progress import Status
from archive.reprocess.reclassify import reclassify
from archive.reprocess.report import reprocess_report
from archive.reprocess.scope import DEFAULT_BATCH, Scope
from archive.reprocess.steps import VersionStep, version_steps
from archive.storage.models import ReportVersion


@dataclass(frozen=True)
class Summary:
    run_id: int
    resumed: bool
    counts: dict[str, int]  # the whole run's, a resumed run's earlier part included
    events: list[dict[str, Any]]
    steps: tuple[str, ...]  # the per-version steps it ran besides extraction
    processed: Counter[str]  # what this process did: reports, versions, pages
    seconds: float  # this process's


def reprocess(
    engine: Engine,
    *,
    root: Path,
    source_of: SourceOf,
    scope: Scope,
    batch: int = DEFAULT_BATCH,
    progress: Callable[[Status], None] | None = None,
) -> Summary:
    """Run (or resume) a reprocess of SCOPE over the archive at ENGINE, whose captures are
    under the data directory ROOT; SOURCE_OF says whose site a URL is on (the registry)."""
    steps = version_steps(scope.only)
    started = time.monotonic()
    processed: Counter[str] = Counter()
    with Session(engine) as session:
        run, resumed = open_run(session, scope)

        def tick(phase: str, done: int, total: int) -> None:
            if progress is not None:
                progress(Status(phase, done, total, processed, time.monotonic() - started))

        if run.phase == "fetches":
            total = _pages(session, scope, run.cursor)
            done = 0
            while rows := scope.fetch_batch(session, run.cursor, batch):
                tally = Tally()
                reclassify(Context(session, root, source_of, tally), rows, scope.source_slug)
                advance(run, "fetches", rows[-1].id, tally)
                session.commit()
                processed.update(tally.counts)
                done += len(rows)
                tick("fetches", done, total)
            advance(run, "reports", 0, Tally())
            session.commit()
        total = _reports(session, scope, run.cursor)
        done = 0
        while ids := scope.report_batch(session, run.cursor, batch):
            tally = Tally()
            ctx = Context(session, root, source_of, tally)
            for report_id in ids:
                if scope.extraction:
                    reprocess_report(ctx, run.id, report_id)
                else:
                    tally.count("reports")
                _version_steps(ctx, steps, report_id, count=not scope.extraction)
            advance(run, "reports", ids[-1], tally)
            session.commit()
            session.expunge_all()  # the batch's versions and anatomies: memory stays flat
            session.add(run)
            processed.update(tally.counts)
            done += len(ids)
            tick("reports", done, total)
        finish(session, run)
        return Summary(
            run.id,
            resumed,
            dict(run.counts),
            list(run.events),
            tuple(map(str, steps)),
            processed,
            time.monotonic() - started,
        )


def _version_steps(
    ctx: Context, steps: dict[Any, VersionStep], report_id: int, *, count: bool
) -> None:
    """STEPS on each version of REPORT_ID (COUNT them: extraction did not)."""
    if not steps:
        return
    ids = ctx.session.scalars(
        select(ReportVersion.id)
        .where(ReportVersion.report_id == report_id)
        .order_by(ReportVersion.version)
    ).all()
    ctx.tally.count("versions", len(ids) if count else 0)
    for version_id in ids:
        for name, step in steps.items():
            ctx.tally.count(f"{name}_rederived", int(step(ctx.session, version_id)))


def _reports(session: Session, scope: Scope, after: int) -> int:
    return scope.count(session, scope.reports(after))


def _pages(session: Session, scope: Scope, after: int) -> int:
    return scope.count(session, scope.fetches(after))
