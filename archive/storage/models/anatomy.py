"""A version's anatomy as stored: its outline, where each article-25 part is, its key figures.

Derived rows: each records the ``anatomy_version`` of the rules that produced it
(archive/anatomy/__init__.py), so rows made by older rules can be found and derived again.
Offsets are characters into ``report_version.text`` (lines joined by a newline).
"""

from __future__ import annotations

from sqlalchemy import (
    CheckConstraint,
    Float,
    ForeignKey,
    Index,
    Integer,
    SmallInteger,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column

from archive.storage.models.base import Base, JSONType, utc, utcnow

PART_CHECK = "part BETWEEN 1 AND 5"
_RULES = "Version of the anatomy rules that derived this row (archive.anatomy.ANATOMY_VERSION)"


class VersionAnatomy(Base):
    __tablename__ = "version_anatomy"
    __table_args__ = (
        {
            "comment": "One row per version whose anatomy was derived: the completeness record "
            "(which article-25 parts are present) and when; its sections, part spans and "
            "figures are in version_section, version_part and version_figure (docs/anatomy.md)."
        },
    )

    version_id: Mapped[int] = mapped_column(
        ForeignKey("report_version.id"), primary_key=True, comment="Version"
    )
    anatomy_version: Mapped[int] = mapped_column(Integer, comment=_RULES)
    report_year: Mapped[int | None] = mapped_column(
        Integer, comment="The year figures were judged to be the report's own against"
    )
    parts_present: Mapped[list[int]] = mapped_column(
        JSONType,
        default=list,
        comment="Article-25 parts found in the text, 1–5 (JSON list): 1 measures and results, "
        "2 shortcomings, 3 principal leaders' duty, 4 next year's plans, 5 other matters",
    )
    derived_at: Mapped[utc] = mapped_column(default=utcnow, comment="When it was derived (UTC)")


class VersionSection(Base):
    __tablename__ = "version_section"
    __table_args__ = (
        CheckConstraint(PART_CHECK, name="part"),
        {"comment": "A version's headings as published, in text order, each with its span."},
    )

    version_id: Mapped[int] = mapped_column(
        ForeignKey("report_version.id"), primary_key=True, comment="Version"
    )
    ordinal: Mapped[int] = mapped_column(Integer, primary_key=True, comment="0, 1, … in text order")
    title: Mapped[str] = mapped_column(Text, comment="Heading as published, numbering included")
    level: Mapped[int] = mapped_column(SmallInteger, comment="1 for the report's top headings")
    part: Mapped[int | None] = mapped_column(
        SmallInteger, comment="Article-25 part the heading opens or belongs to, 1–5; null for none"
    )
    char_start: Mapped[int] = mapped_column(Integer, comment="Offset of the heading's line")
    char_end: Mapped[int] = mapped_column(
        Integer, comment="End of the section (exclusive): the next heading of its level or above"
    )
    anatomy_version: Mapped[int] = mapped_column(Integer, comment=_RULES)


class VersionPart(Base):
    __tablename__ = "version_part"
    __table_args__ = (
        CheckConstraint(PART_CHECK, name="part"),
        {
            "comment": "Where each article-25 part is in a version's text: one row per stretch "
            "(a part merged into another's section, or said in one sentence, is its own stretch)."
        },
    )

    version_id: Mapped[int] = mapped_column(
        ForeignKey("report_version.id"), primary_key=True, comment="Version"
    )
    ordinal: Mapped[int] = mapped_column(Integer, primary_key=True, comment="0, 1, … in text order")
    part: Mapped[int] = mapped_column(SmallInteger, comment="Article-25 part, 1–5")
    char_start: Mapped[int] = mapped_column(Integer, comment="Offset where the stretch begins")
    char_end: Mapped[int] = mapped_column(Integer, comment="Offset where it ends (exclusive)")
    anatomy_version: Mapped[int] = mapped_column(Integer, comment=_RULES)


class VersionFigure(Base):
    __tablename__ = "version_figure"
    __table_args__ = (
        Index("ix_version_figure_indicator", "indicator"),
        {
            "comment": "A key figure a version states for its own body and year, with its "
            "evidence; at most one per indicator (a report giving two values gives none)."
        },
    )

    version_id: Mapped[int] = mapped_column(
        ForeignKey("report_version.id"), primary_key=True, comment="Version"
    )
    indicator: Mapped[str] = mapped_column(
        String(60),
        primary_key=True,
        comment="Indicator key (archive/anatomy/data/indicators.toml): admin_review_received, …",
    )
    value: Mapped[float] = mapped_column(
        Float, comment="The number; a percentage as its number (12.5 for 12.5%)"
    )
    unit: Mapped[str] = mapped_column(String(10), comment="% for a rate, else the count's noun")
    year: Mapped[int | None] = mapped_column(Integer, comment="Year the figure refers to")
    evidence: Mapped[str] = mapped_column(Text, comment="The sentence stating it, verbatim")
    char_start: Mapped[int] = mapped_column(Integer, comment="Offset of the sentence in the text")
    char_end: Mapped[int] = mapped_column(Integer, comment="Its end (exclusive)")
    number_start: Mapped[int] = mapped_column(
        Integer, comment="Offset of the number itself, inside the sentence"
    )
    number_end: Mapped[int] = mapped_column(Integer, comment="Its end (exclusive)")
    anatomy_version: Mapped[int] = mapped_column(Integer, comment=_RULES)
