"""Crawl runs, what the scheduler did besides, and what each run left."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from archive.storage.models.base import Base, JSONType, UTCDateTime, intpk, utc, utcnow

CRAWL_TRIGGERS = ("schedule", "manual", "worker", "discover")


class CrawlRun(Base):
    __tablename__ = "crawl_run"
    __table_args__ = (
        CheckConstraint(f"trigger IN ({', '.join(map(repr, CRAWL_TRIGGERS))})", name="trigger"),
        CheckConstraint("status IN ('running', 'ok', 'failed', 'cancelled')", name="status"),
        CheckConstraint("verdict IN ('healthy', 'degraded', 'suspect', 'failed')", name="verdict"),
        {"comment": "One crawl: who started it, on what, and how it ended."},
    )

    id: Mapped[intpk]
    started_at: Mapped[utc] = mapped_column(default=utcnow, comment="Start (UTC)")
    finished_at: Mapped[dt.datetime | None] = mapped_column(
        UTCDateTime(), comment="End (UTC); null while running"
    )
    trigger: Mapped[str] = mapped_column(
        String(10), comment="schedule | manual | worker | discover"
    )
    sources: Mapped[list[str]] = mapped_column(
        JSONType, default=list, comment="Slugs of the sources crawled (JSON list)"
    )
    status: Mapped[str] = mapped_column(
        String(10), default="running", comment="running | ok | failed | cancelled"
    )
    stats: Mapped[dict[str, Any]] = mapped_column(
        JSONType, default=dict, comment="Scrapy stats at close (JSON)"
    )
    error_summary: Mapped[str | None] = mapped_column(Text, comment="Why it failed, if it did")
    verdict: Mapped[str | None] = mapped_column(
        String(10),
        comment="healthy | degraded | suspect | failed, judged at close; "
        "null while running or when the run could not close",
    )
    verdict_reasons: Mapped[str | None] = mapped_column(Text, comment="Why, unless healthy")


#: APScheduler's job store (scheduler.py) lives in the archive database too, in a table
#: APScheduler creates and owns; migrations and ``db check`` leave it alone.
SCHEDULER_JOBS_TABLE = "apscheduler_jobs"
SCHEDULE_EVENT_KINDS = ("missed", "coalesced", "refused", "failed", "missing")


class ScheduleEvent(Base):
    __tablename__ = "schedule_event"
    __table_args__ = (
        CheckConstraint(f"kind IN ({', '.join(map(repr, SCHEDULE_EVENT_KINDS))})", name="kind"),
        Index("ix_schedule_event_source_slug", "source_slug"),
        {
            "comment": "What the scheduler did besides starting a crawl: due runs missed, "
            "folded together or refused, crawls that never opened a run, reports that did not "
            "come (see docs/schema.md, Run history)."
        },
    )

    id: Mapped[intpk]
    at: Mapped[utc] = mapped_column(default=utcnow, comment="When it was recorded (UTC)")
    source_slug: Mapped[str] = mapped_column(String(100), comment="Registry slug of the source")
    kind: Mapped[str] = mapped_column(
        String(10), comment="missed | coalesced | refused | failed | missing"
    )
    trigger: Mapped[str | None] = mapped_column(
        String(10), comment="schedule | manual: who asked for the crawl; null for missing"
    )
    due_at: Mapped[dt.datetime | None] = mapped_column(
        UTCDateTime(), comment="The due time concerned (UTC); for coalesced the last one"
    )
    due_count: Mapped[int | None] = mapped_column(
        Integer, comment="coalesced: how many due times were folded into one run"
    )
    crawl_run_id: Mapped[int | None] = mapped_column(
        ForeignKey("crawl_run.id"), comment="The run concerned: the one running when refused"
    )
    report_year: Mapped[int | None] = mapped_column(
        Integer, comment="missing: the report year that did not come by the window's close"
    )
    detail: Mapped[str | None] = mapped_column(Text, comment="What happened, for the operator")


#: Why a crawl left a link it saw (``fazhi runs show N --skipped``); docs/schema.md says each.
SKIP_REASONS = (
    "off-scope",
    "robots",
    "not-a-report",
    "report-page",
    "depth",
    "duplicate",
    "trap",
    "error-run",
    "time-budget",
    "page-budget",
)


class SkippedLink(Base):
    __tablename__ = "skipped_link"
    __table_args__ = (
        UniqueConstraint("crawl_run_id", "url"),
        CheckConstraint(f"reason IN ({', '.join(map(repr, SKIP_REASONS))})", name="reason"),
        {
            "comment": "Every link a crawl saw on a page and did not follow, with the reason: "
            "the audit that explains a missing report (once per run and URL)."
        },
    )

    id: Mapped[intpk]
    crawl_run_id: Mapped[int] = mapped_column(ForeignKey("crawl_run.id"), comment="The run")
    source_slug: Mapped[str] = mapped_column(String(100), comment="Registry slug of the source")
    url: Mapped[str] = mapped_column(Text, comment="The link, absolute")
    found_on: Mapped[str | None] = mapped_column(
        Text, comment="The page it was seen on; null for a request a rule dropped before sending"
    )
    anchor: Mapped[str | None] = mapped_column(Text, comment="Its anchor text")
    reason: Mapped[str] = mapped_column(
        String(20),
        comment="off-scope | robots | not-a-report | report-page | depth | duplicate | "
        "trap | error-run | time-budget | page-budget",
    )
    detail: Mapped[str | None] = mapped_column(
        Text, comment="More of the reason: the document type, the trap, the depth limit"
    )
