"""Each run judges itself at close; `fazhi health` counts the runs that went wrong in a row."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy.orm import Session

from archive.runs.history import failing_streak
from archive.runs.verdict import FOUND_PREFIX, Limits, judge
from archive.storage import db
from archive.storage.models import CrawlRun

FINE = {"response_received_count": 120, "fazhi/archive/failure": 3, f"{FOUND_PREFIX}a": 2}


@pytest.mark.parametrize(
    ("reason", "stats", "known", "level", "why"),
    [
        ("finished", FINE, {"a": 2}, "healthy", ()),
        ("finished", {"response_received_count": 5}, {}, "healthy", ()),  # nothing known yet
        ("shutdown", FINE, {}, "failed", ("finish reason: shutdown",)),
        ("finished", {"fazhi/archive/failure": 4}, {}, "failed",
         ("no page fetched (4 requests failed)",)),
        ("finished", {**FINE, f"{FOUND_PREFIX}a": 0}, {"a": 2, "b": 0}, "suspect",
         ("a: found none of the 2 reports archived before",)),
        ("finished", {"response_received_count": 10, "fazhi/archive/failure": 30}, {},
         "degraded", ("30 of 40 fetches failed",)),
    ],
)  # fmt: skip
def test_judge(reason: str, stats: dict, known: dict, level: str, why: tuple) -> None:
    verdict = judge(reason, stats, known)
    assert (verdict.level, verdict.reasons) == (level, why)


def test_a_worker_that_found_nothing_to_do_is_healthy_unless_its_requests_failed() -> None:
    assert judge("finished", {}, {}, idle_ok=True).level == "healthy"
    assert judge("finished", {}, {}).level == "failed"
    assert judge("finished", {"fazhi/archive/failure": 2}, {}, idle_ok=True).level == "failed"


def test_the_error_share_is_a_setting() -> None:
    stats = {"response_received_count": 10, "fazhi/archive/failure": 5}
    assert judge("finished", stats, {}).level == "healthy"
    assert judge("finished", stats, {}, Limits(max_error_share=0.2)).level == "degraded"


def test_failing_streak_counts_the_latest_bad_runs_in_a_row(database_url: str) -> None:
    db.upgrade(database_url)
    engine = db.make_engine(database_url)
    start = dt.datetime(2026, 1, 5, tzinfo=dt.UTC)
    history = [("ok", "healthy", None), ("failed", "failed", "finish reason: shutdown"),
               ("ok", "suspect", "s: found none of the 3 reports archived before"),
               ("running", None, None)]  # fmt: skip
    with Session(engine) as session:
        for n, (status, verdict, why) in enumerate(history):
            session.add(CrawlRun(trigger="schedule", sources=["s"], status=status,
                                 started_at=start + dt.timedelta(days=n), verdict=verdict,
                                 verdict_reasons=why))  # fmt: skip
        session.add(CrawlRun(trigger="manual", sources=["other"], status="ok", verdict="healthy"))
        session.commit()
        assert failing_streak(session, "s") == (
            2,
            "suspect: s: found none of the 3 reports archived before",
        )
        assert failing_streak(session, "other") == (0, "healthy")
        assert failing_streak(session, "nobody") == (0, None)
    engine.dispose()
