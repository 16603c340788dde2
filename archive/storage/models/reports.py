"""Reports, their versions and where they were seen, the captures behind them, and the sources."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from archive.storage.models.anatomy import (
    VersionAnatomy,
    VersionFigure,
    VersionPart,
    VersionSection,
)
from archive.storage.models.base import Base, JSONType, intpk, sha256, utc, utcnow

SOURCE_ORIGINS = ("curated", "discovered")
# archive.extract.EXTRACTOR_VERSION, recorded on every row derived from a capture.
DERIVED_BY = (
    "archive.extract.EXTRACTOR_VERSION of the rules that derived {what}; null: derived "
    "before schema 0014 recorded it (fazhi reprocess derives it again)"
)


class Source(Base):
    __tablename__ = "source"
    __table_args__ = (
        CheckConstraint(f"origin IN ({', '.join(map(repr, SOURCE_ORIGINS))})", name="origin"),
        {"comment": "A portal or body we expect reports from (source registry)."},
    )

    id: Mapped[intpk]
    slug: Mapped[str] = mapped_column(
        String(100), unique=True, comment="Registry key, e.g. fj-xm-siming"
    )
    name: Mapped[str] = mapped_column(String(200), comment="Portal name")
    agency: Mapped[str | None] = mapped_column(String(200), comment="Body that publishes here")
    level: Mapped[str | None] = mapped_column(String(10), comment="省 / 市 / 县 / 部门")
    province: Mapped[str | None] = mapped_column(String(50), comment="Province name")
    city: Mapped[str | None] = mapped_column(String(50), comment="Prefecture-level city")
    county: Mapped[str | None] = mapped_column(String(50), comment="County-level division")
    division_code: Mapped[str | None] = mapped_column(
        String(6), comment="6-digit 行政区划代码 (GB/T 2260)"
    )
    home_url: Mapped[str] = mapped_column(Text, comment="Portal home page")
    domains: Mapped[list[str]] = mapped_column(
        JSONType, default=list, comment="Allowed host names (JSON list)"
    )
    origin: Mapped[str] = mapped_column(
        String(10),
        default="curated",
        server_default="curated",
        comment="curated (a registry file) | discovered (stored by `fazhi sources discover`)",
    )
    discovered_from: Mapped[str | None] = mapped_column(
        Text, comment="discovered: the page that linked the site"
    )
    evidence: Mapped[dict[str, str] | None] = mapped_column(
        JSONType, comment="discovered: the signals that identified it, by name (JSON)"
    )
    expected_years: Mapped[str | None] = mapped_column(
        String(40), comment="discovered: report years expected, as the registry writes them"
    )
    discovery_run_id: Mapped[int | None] = mapped_column(
        ForeignKey("crawl_run.id"), comment="discovered: the discovery run that last found it"
    )

    reports: Mapped[list[Report]] = relationship(back_populates="source")


class Fetch(Base):
    __tablename__ = "fetch"
    __table_args__ = (
        Index("ix_fetch_url", "url"),
        Index("ix_fetch_final_url", "final_url"),
        Index("ix_fetch_body_sha256", "body_sha256"),
        Index("ix_fetch_part_of", "part_of"),
        {"comment": "Every HTTP response or failure, with where its bytes are in the WARC files."},
    )

    id: Mapped[intpk]
    crawl_run_id: Mapped[int | None] = mapped_column(
        ForeignKey("crawl_run.id"), comment="Run that fetched it; null for `fazhi ingest`"
    )
    url: Mapped[str] = mapped_column(Text, comment="URL requested")
    final_url: Mapped[str | None] = mapped_column(Text, comment="URL after redirects")
    status: Mapped[int | None] = mapped_column(Integer, comment="HTTP status; null on failure")
    headers: Mapped[dict[str, str]] = mapped_column(
        JSONType, default=dict, comment="Response headers (JSON)"
    )
    content_type: Mapped[str | None] = mapped_column(String(200), comment="Content-Type")
    size: Mapped[int | None] = mapped_column(BigInteger, comment="Body size in bytes")
    body_sha256: Mapped[str | None] = mapped_column(String(64), comment="SHA-256 of the body")
    fetched_at: Mapped[utc] = mapped_column(default=utcnow, comment="When (UTC)")
    warc_file: Mapped[str | None] = mapped_column(Text, comment="WARC file, relative to data dir")
    warc_offset: Mapped[int | None] = mapped_column(BigInteger, comment="Record offset in it")
    error: Mapped[str | None] = mapped_column(Text, comment="Reason of a failure, else null")
    doc_type: Mapped[str | None] = mapped_column(
        String(40),
        comment="What archive.classify made of the page (annual_report, "
        "info_disclosure_report, …); null when it was not extracted",
    )
    extractor_version: Mapped[int | None] = mapped_column(
        Integer, comment=DERIVED_BY.format(what="doc_type")
    )
    part_of: Mapped[int | None] = mapped_column(
        ForeignKey("fetch.id"),
        comment="The report page's capture this one is a further part of (a continuation "
        "page, the frame holding its body); null for any other fetch",
    )
    span: Mapped[str | None] = mapped_column(
        String(10),
        comment="How a part joins its page: pages (continuation) | frame (its body)",
    )


class Report(Base):
    __tablename__ = "report"
    __table_args__ = (
        Index("ix_report_report_year", "report_year"),
        Index("ix_report_agency", "agency"),
        Index("ix_report_division_code", "division_code"),
        {"comment": "One real-world report: an issuing body's report on one year."},
    )

    id: Mapped[intpk]
    identity_key: Mapped[str] = mapped_column(
        String(300),
        unique=True,
        comment="normalised agency + '|' + year, or a fallback key when the agency is unknown",
    )
    agency: Mapped[str | None] = mapped_column(String(200), comment="Issuing body as published")
    report_year: Mapped[int | None] = mapped_column(Integer, comment="Year reported on")
    province: Mapped[str | None] = mapped_column(String(50), comment="Province")
    city: Mapped[str | None] = mapped_column(String(50), comment="Prefecture-level city")
    county: Mapped[str | None] = mapped_column(String(50), comment="County-level division")
    division_code: Mapped[str | None] = mapped_column(String(6), comment="6-digit 行政区划代码")
    source_id: Mapped[int | None] = mapped_column(
        ForeignKey("source.id"), comment="Source it belongs to"
    )
    created_at: Mapped[utc] = mapped_column(default=utcnow, comment="First archived (UTC)")

    source: Mapped[Source | None] = relationship(back_populates="reports")
    versions: Mapped[list[ReportVersion]] = relationship(
        back_populates="report", order_by="ReportVersion.version"
    )


class ReportVersion(Base):
    __tablename__ = "report_version"
    __table_args__ = (
        UniqueConstraint("report_id", "version"),
        {"comment": "A distinct text of a report; corrections make new versions."},
    )

    id: Mapped[intpk]
    report_id: Mapped[int] = mapped_column(ForeignKey("report.id"), comment="The report")
    version: Mapped[int] = mapped_column(Integer, comment="1, 2, … in order of first sighting")
    content_sha256: Mapped[sha256] = mapped_column(
        unique=True,
        comment="SHA-256 of the normalised text; of identity_key + newline + text when the "
        "text has under 200 non-blank characters (attachment-only pages)",
    )
    signature: Mapped[bytes | None] = mapped_column(
        LargeBinary,
        comment="Near-duplicate signature (MinHash over character 5-grams, datasketch "
        "LeanMinHash bytes); null when the text has under 200 non-blank characters",
    )
    title: Mapped[str] = mapped_column(Text, comment="Title, Simplified, NFKC")
    title_original: Mapped[str] = mapped_column(Text, comment="Title as published")
    text: Mapped[str] = mapped_column(Text, comment="Body, Simplified, NFKC, a paragraph a line")
    text_original: Mapped[str] = mapped_column(Text, comment="Body in the page's own script")
    published_date: Mapped[dt.date | None] = mapped_column(
        comment="The page's publication date (for an attachment-only report, its page's)"
    )
    signed_date: Mapped[dt.date | None] = mapped_column(
        comment="Date of the closing 落款 (signature), null without one"
    )
    signed_by: Mapped[str | None] = mapped_column(
        Text, comment="Issuing body of the closing 落款 (several 、-joined), null without one"
    )
    document_date: Mapped[dt.date | None] = mapped_column(
        comment="The document's own date (成文日期): the 落款's, else the 索引号 table's"
    )
    metadata_: Mapped[dict[str, Any]] = mapped_column(
        "metadata", JSONType, default=dict, comment="索引号 table and meta tags (JSON)"
    )
    script: Mapped[str | None] = mapped_column(String(10), comment="zh-Hans | zh-Hant as found")
    repairs: Mapped[list[str]] = mapped_column(
        JSONType, default=list, comment="Transformations applied (JSON list)"
    )
    first_seen: Mapped[utc] = mapped_column(default=utcnow, comment="First sighting (UTC)")
    last_seen: Mapped[utc] = mapped_column(default=utcnow, comment="Latest sighting (UTC)")
    extractor_version: Mapped[int | None] = mapped_column(
        Integer, comment=DERIVED_BY.format(what="the text, title, dates and metadata")
    )

    report: Mapped[Report] = relationship(back_populates="versions")
    sightings: Mapped[list[Sighting]] = relationship(back_populates="version")
    attachments: Mapped[list[Attachment]] = relationship(back_populates="version")
    # Its anatomy (archive/storage/anatomies.py): None until derived.
    anatomy: Mapped[VersionAnatomy | None] = relationship(viewonly=True)
    sections: Mapped[list[VersionSection]] = relationship(
        viewonly=True, order_by=VersionSection.ordinal
    )
    part_spans: Mapped[list[VersionPart]] = relationship(
        viewonly=True, order_by=VersionPart.ordinal
    )
    figures: Mapped[list[VersionFigure]] = relationship(
        viewonly=True, order_by=(VersionFigure.char_start, VersionFigure.indicator)
    )


class SearchDoc(Base):
    __tablename__ = "search_doc"
    __table_args__ = (
        Index("ix_search_doc_report_id", "report_id"),
        {
            "comment": "One row per version for full-text search (archive/search, docs/search.md): "
            "what results are filtered, faceted and ranked by; the n-gram index itself is "
            "search_fts (SQLite) or ix_report_version_search_grams (PostgreSQL)."
        },
    )

    version_id: Mapped[int] = mapped_column(
        ForeignKey("report_version.id"), primary_key=True, comment="Version"
    )
    report_id: Mapped[int] = mapped_column(ForeignKey("report.id"), comment="Its report")
    version: Mapped[int] = mapped_column(Integer, comment="Its number within the report")
    is_latest: Mapped[bool] = mapped_column(comment="Whether it is its report's latest version")
    title: Mapped[str] = mapped_column(Text, comment="Title as indexed (report_version.title)")
    agency: Mapped[str | None] = mapped_column(String(200), comment="report.agency")
    report_year: Mapped[int | None] = mapped_column(Integer, comment="report.report_year")
    province: Mapped[str | None] = mapped_column(String(50), comment="report.province")
    level: Mapped[str | None] = mapped_column(
        String(10), comment="Level of the report's source (省 / 市 / 县 / 部门)"
    )
    timeliness: Mapped[str | None] = mapped_column(
        String(10),
        comment="The report's on_time / late / undated, as fazhi coverage decides it (its "
        "earliest page date, else its first sighting, against 1 April of the next year); "
        "null without a report year",
    )


class VersionBand(Base):
    __tablename__ = "version_band"
    __table_args__ = (
        Index("ix_version_band_band_hash", "band", "hash"),
        {
            "comment": "Bands of each version's MinHash signature: the near-duplicate index "
            "(versions sharing a band are compared, no other; see archive/dedup.py)."
        },
    )

    version_id: Mapped[int] = mapped_column(
        ForeignKey("report_version.id"), primary_key=True, comment="Version"
    )
    band: Mapped[int] = mapped_column(
        SmallInteger, primary_key=True, comment="Band number, 0 to bands - 1"
    )
    hash: Mapped[int] = mapped_column(
        BigInteger, comment="64-bit hash of the signature values in this band"
    )


class Sighting(Base):
    __tablename__ = "sighting"
    __table_args__ = (
        UniqueConstraint("version_id", "url"),
        {"comment": "Where and when a version was seen; reposts are flagged."},
    )

    id: Mapped[intpk]
    version_id: Mapped[int] = mapped_column(ForeignKey("report_version.id"), comment="Version")
    fetch_id: Mapped[int | None] = mapped_column(
        ForeignKey("fetch.id"), comment="Latest fetch that saw it"
    )
    url: Mapped[str] = mapped_column(Text, comment="Page URL")
    site: Mapped[str] = mapped_column(String(253), comment="Host name of the URL")
    is_repost: Mapped[bool] = mapped_column(
        default=False, comment="A copy on a site that is not the issuing body's own"
    )
    text: Mapped[str | None] = mapped_column(
        Text,
        comment="The copy's own text when it differs from its version's (lines cut, a script "
        "conversion's slips); NULL when the same",
    )
    first_seen: Mapped[utc] = mapped_column(default=utcnow, comment="First time seen here (UTC)")
    last_seen: Mapped[utc] = mapped_column(default=utcnow, comment="Latest time seen here (UTC)")
    extractor_version: Mapped[int | None] = mapped_column(
        Integer, comment=DERIVED_BY.format(what="text")
    )

    version: Mapped[ReportVersion] = relationship(back_populates="sightings")


class Attachment(Base):
    __tablename__ = "attachment"
    __table_args__ = (
        UniqueConstraint("version_id", "url"),
        {"comment": "A file linked from a report page (PDF, DOCX, …) and its text."},
    )

    id: Mapped[intpk]
    version_id: Mapped[int] = mapped_column(ForeignKey("report_version.id"), comment="Version")
    fetch_id: Mapped[int | None] = mapped_column(ForeignKey("fetch.id"), comment="Its fetch")
    url: Mapped[str] = mapped_column(Text, comment="File URL")
    file_name: Mapped[str] = mapped_column(Text, comment="Sanitised file name")
    sha256: Mapped[str | None] = mapped_column(String(64), comment="SHA-256 of the file")
    media_type: Mapped[str | None] = mapped_column(String(200), comment="Media type")
    size: Mapped[int | None] = mapped_column(BigInteger, comment="Size in bytes")
    text: Mapped[str | None] = mapped_column(Text, comment="Extracted text, cleaned")
    text_unavailable: Mapped[str | None] = mapped_column(
        Text, comment="Why there is no text (e.g. .wps not parsed), else null"
    )
    extractor_version: Mapped[int | None] = mapped_column(
        Integer, comment=DERIVED_BY.format(what="text")
    )

    version: Mapped[ReportVersion] = relationship(back_populates="attachments")
