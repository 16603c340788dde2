"""What `fazhi reprocess` did: its runs (the checkpoint a killed run resumes from) and the
derived texts it replaced, kept (docs/reprocess.md)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import BigInteger, CheckConstraint, Date, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from archive.storage.models.base import Base, JSONType, UTCDateTime, intpk, utc, utcnow

REPROCESS_PHASES = ("fetches", "reports", "done")


class ReprocessRun(Base):
    __tablename__ = "reprocess_run"
    __table_args__ = (
        CheckConstraint(f"phase IN ({', '.join(map(repr, REPROCESS_PHASES))})", name="phase"),
        {
            "comment": "One `fazhi reprocess`: its scope, how far it got (a killed run resumes "
            "from there) and what it changed."
        },
    )

    id: Mapped[intpk]
    started_at: Mapped[utc] = mapped_column(default=utcnow, comment="Start (UTC)")
    finished_at: Mapped[dt.datetime | None] = mapped_column(
        UTCDateTime(), comment="End (UTC); null while running or after a kill (resumable)"
    )
    since: Mapped[dt.date | None] = mapped_column(
        Date, comment="--since: only reports seen and fetches made on or after this date"
    )
    source_slug: Mapped[str | None] = mapped_column(
        String(100), comment="--source: only this source's reports and pages"
    )
    only: Mapped[str] = mapped_column(String(20), comment="--only: extraction | anatomy | all")
    extractor_version: Mapped[int] = mapped_column(
        Integer, comment="archive.extract.EXTRACTOR_VERSION it derived with"
    )
    phase: Mapped[str] = mapped_column(
        String(10),
        comment="fetches (re-classifying non-report pages) | reports (re-deriving versions) | done",
    )
    cursor: Mapped[int] = mapped_column(
        BigInteger, default=0, comment="Last fetch id (phase fetches) or report id (reports) done"
    )
    counts: Mapped[dict[str, int]] = mapped_column(
        JSONType, default=dict, comment="What it changed so far, by kind (JSON)"
    )
    events: Mapped[list[dict[str, Any]]] = mapped_column(
        JSONType,
        default=list,
        comment="Each repair and each pair of versions identical under today's rules, with the "
        "report, versions and URLs concerned (JSON list)",
    )


class VersionHistory(Base):
    __tablename__ = "version_history"
    __table_args__ = (
        Index("ix_version_history_version_id", "version_id"),
        {
            "comment": "A version's derived text and fields as they were before `fazhi "
            "reprocess` replaced them (or removed a version a copy had made)."
        },
    )

    id: Mapped[intpk]
    version_id: Mapped[int] = mapped_column(
        Integer,
        comment="report_version.id (no foreign key: a version a repair removed keeps its history)",
    )
    report_id: Mapped[int] = mapped_column(Integer, comment="report.id of the version then")
    version: Mapped[int] = mapped_column(Integer, comment="Its number within the report then")
    reprocess_run_id: Mapped[int] = mapped_column(
        ForeignKey("reprocess_run.id"), comment="The run that replaced it"
    )
    reason: Mapped[str] = mapped_column(
        String(20),
        comment="rederived (today's rules made another text of the same capture) | removed "
        "(a copy had made the version: it is a sighting now)",
    )
    extractor_version: Mapped[int | None] = mapped_column(
        Integer, comment="EXTRACTOR_VERSION that had derived it; null: before schema 0014"
    )
    content_sha256: Mapped[str] = mapped_column(String(64), comment="Its content key then")
    title: Mapped[str] = mapped_column(Text, comment="Title then")
    text: Mapped[str] = mapped_column(Text, comment="Text then")
    text_original: Mapped[str] = mapped_column(Text, comment="Text in the page's script then")
    fields: Mapped[dict[str, Any]] = mapped_column(
        JSONType,
        comment="The other derived fields then: title_original, dates (ISO), signed_by, "
        "metadata, script, repairs (JSON)",
    )
    replaced_at: Mapped[utc] = mapped_column(default=utcnow, comment="When (UTC)")
