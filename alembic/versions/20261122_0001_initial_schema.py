"""initial schema

Revision ID: 0001
Revises:
Create Date: 2026-11-22 02:10:14.216692
"""

from collections.abc import Sequence

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "crawl_run",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False, comment="Start (UTC)"),
        sa.Column(
            "finished_at",
            sa.DateTime(timezone=True),
            nullable=True,
            comment="End (UTC); null while running",
        ),
        sa.Column(
            "trigger", sa.String(length=10), nullable=False, comment="schedule | manual | worker"
        ),
        sa.Column(
            "sources",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
            comment="Slugs of the sources crawled (JSON list)",
        ),
        sa.Column(
            "status",
            sa.String(length=10),
            nullable=False,
            comment="running | ok | failed | cancelled",
        ),
        sa.Column(
            "stats",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
            comment="Scrapy stats at close (JSON)",
        ),
        sa.Column("error_summary", sa.Text(), nullable=True, comment="Why it failed, if it did"),
        sa.CheckConstraint(
            "status IN ('running', 'ok', 'failed', 'cancelled')", name=op.f("ck_crawl_run_status")
        ),
        sa.CheckConstraint(
            "trigger IN ('schedule', 'manual', 'worker')", name=op.f("ck_crawl_run_trigger")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_crawl_run")),
        comment="One crawl: who started it, on what, and how it ended.",
    )
    op.create_table(
        "source",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column(
            "slug", sa.String(length=100), nullable=False, comment="Registry key, e.g. fj-xm-siming"
        ),
        sa.Column("name", sa.String(length=200), nullable=False, comment="Portal name"),
        sa.Column(
            "agency", sa.String(length=200), nullable=True, comment="Body that publishes here"
        ),
        sa.Column("level", sa.String(length=10), nullable=True, comment="省 / 市 / 县 / 部门"),
        sa.Column("province", sa.String(length=50), nullable=True, comment="Province name"),
        sa.Column("city", sa.String(length=50), nullable=True, comment="Prefecture-level city"),
        sa.Column("county", sa.String(length=50), nullable=True, comment="County-level division"),
        sa.Column(
            "division_code",
            sa.String(length=6),
            nullable=True,
            comment="6-digit 行政区划代码 (GB/T 2260)",
        ),
        sa.Column("home_url", sa.Text(), nullable=False, comment="Portal home page"),
        sa.Column(
            "domains",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
            comment="Allowed host names (JSON list)",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_source")),
        sa.UniqueConstraint("slug", name=op.f("uq_source_slug")),
        comment="A portal or body we expect reports from (source registry).",
    )
    op.create_table(
        "fetch",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column(
            "crawl_run_id",
            sa.Integer(),
            nullable=True,
            comment="Run that fetched it; null for `fazhi ingest`",
        ),
        sa.Column("url", sa.Text(), nullable=False, comment="URL requested"),
        sa.Column("final_url", sa.Text(), nullable=True, comment="URL after redirects"),
        sa.Column("status", sa.Integer(), nullable=True, comment="HTTP status; null on failure"),
        sa.Column(
            "headers",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
            comment="Response headers (JSON)",
        ),
        sa.Column("content_type", sa.String(length=200), nullable=True, comment="Content-Type"),
        sa.Column("size", sa.BigInteger(), nullable=True, comment="Body size in bytes"),
        sa.Column(
            "body_sha256", sa.String(length=64), nullable=True, comment="SHA-256 of the body"
        ),
        sa.Column("fetched_at", sa.DateTime(timezone=True), nullable=False, comment="When (UTC)"),
        sa.Column("warc_file", sa.Text(), nullable=True, comment="WARC file, relative to data dir"),
        sa.Column("warc_offset", sa.BigInteger(), nullable=True, comment="Record offset in it"),
        sa.Column("error", sa.Text(), nullable=True, comment="Reason of a failure, else null"),
        sa.ForeignKeyConstraint(
            ["crawl_run_id"], ["crawl_run.id"], name=op.f("fk_fetch_crawl_run_id_crawl_run")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_fetch")),
        comment="Every HTTP response or failure, with where its bytes are in the WARC files.",
    )
    with op.batch_alter_table("fetch", schema=None) as batch_op:
        batch_op.create_index("ix_fetch_body_sha256", ["body_sha256"], unique=False)
        batch_op.create_index("ix_fetch_url", ["url"], unique=False)

    op.create_table(
        "report",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column(
            "identity_key",
            sa.String(length=300),
            nullable=False,
            comment="normalised agency + '|' + year, or a fallback key when the agency is unknown",
        ),
        sa.Column(
            "agency", sa.String(length=200), nullable=True, comment="Issuing body as published"
        ),
        sa.Column("report_year", sa.Integer(), nullable=True, comment="Year reported on"),
        sa.Column("province", sa.String(length=50), nullable=True, comment="Province"),
        sa.Column("city", sa.String(length=50), nullable=True, comment="Prefecture-level city"),
        sa.Column("county", sa.String(length=50), nullable=True, comment="County-level division"),
        sa.Column(
            "division_code", sa.String(length=6), nullable=True, comment="6-digit 行政区划代码"
        ),
        sa.Column("source_id", sa.Integer(), nullable=True, comment="Source it belongs to"),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), nullable=False, comment="First archived (UTC)"
        ),
        sa.ForeignKeyConstraint(
            ["source_id"], ["source.id"], name=op.f("fk_report_source_id_source")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_report")),
        sa.UniqueConstraint("identity_key", name=op.f("uq_report_identity_key")),
        comment="One real-world report: an issuing body's report on one year.",
    )
    with op.batch_alter_table("report", schema=None) as batch_op:
        batch_op.create_index("ix_report_agency", ["agency"], unique=False)
        batch_op.create_index("ix_report_division_code", ["division_code"], unique=False)
        batch_op.create_index("ix_report_report_year", ["report_year"], unique=False)

    op.create_table(
        "report_version",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("report_id", sa.Integer(), nullable=False, comment="The report"),
        sa.Column(
            "version", sa.Integer(), nullable=False, comment="1, 2, … in order of first sighting"
        ),
        sa.Column(
            "content_sha256",
            sa.String(length=64),
            nullable=False,
            comment="SHA-256 of the normalised text",
        ),
        sa.Column(
            "signature",
            sa.LargeBinary(),
            nullable=True,
            comment="Near-duplicate signature (MinHash over character shingles)",
        ),
        sa.Column("title", sa.Text(), nullable=False, comment="Title, Simplified, NFKC"),
        sa.Column("title_original", sa.Text(), nullable=False, comment="Title as published"),
        sa.Column(
            "text", sa.Text(), nullable=False, comment="Body, Simplified, NFKC, a paragraph a line"
        ),
        sa.Column(
            "text_original", sa.Text(), nullable=False, comment="Body in the page's own script"
        ),
        sa.Column("published_date", sa.Date(), nullable=True, comment="Publication date"),
        sa.Column("signed_date", sa.Date(), nullable=True, comment="Date under the signature"),
        sa.Column(
            "metadata",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
            comment="索引号 table and meta tags (JSON)",
        ),
        sa.Column(
            "script", sa.String(length=10), nullable=True, comment="zh-Hans | zh-Hant as found"
        ),
        sa.Column(
            "repairs",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
            comment="Transformations applied (JSON list)",
        ),
        sa.Column(
            "first_seen", sa.DateTime(timezone=True), nullable=False, comment="First sighting (UTC)"
        ),
        sa.Column(
            "last_seen", sa.DateTime(timezone=True), nullable=False, comment="Latest sighting (UTC)"
        ),
        sa.ForeignKeyConstraint(
            ["report_id"], ["report.id"], name=op.f("fk_report_version_report_id_report")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_report_version")),
        sa.UniqueConstraint("content_sha256", name=op.f("uq_report_version_content_sha256")),
        sa.UniqueConstraint(
            "report_id", "version", name=op.f("uq_report_version_report_id_version")
        ),
        comment="A distinct text of a report; corrections make new versions.",
    )
    op.create_table(
        "attachment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version_id", sa.Integer(), nullable=False, comment="Version"),
        sa.Column("fetch_id", sa.Integer(), nullable=True, comment="Its fetch"),
        sa.Column("url", sa.Text(), nullable=False, comment="File URL"),
        sa.Column("file_name", sa.Text(), nullable=False, comment="Sanitised file name"),
        sa.Column("sha256", sa.String(length=64), nullable=True, comment="SHA-256 of the file"),
        sa.Column("media_type", sa.String(length=200), nullable=True, comment="Media type"),
        sa.Column("size", sa.BigInteger(), nullable=True, comment="Size in bytes"),
        sa.Column("text", sa.Text(), nullable=True, comment="Extracted text, cleaned"),
        sa.Column(
            "text_unavailable",
            sa.Text(),
            nullable=True,
            comment="Why there is no text (e.g. .wps not parsed), else null",
        ),
        sa.ForeignKeyConstraint(
            ["fetch_id"], ["fetch.id"], name=op.f("fk_attachment_fetch_id_fetch")
        ),
        sa.ForeignKeyConstraint(
            ["version_id"],
            ["report_version.id"],
            name=op.f("fk_attachment_version_id_report_version"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_attachment")),
        sa.UniqueConstraint("version_id", "url", name=op.f("uq_attachment_version_id_url")),
        comment="A file linked from a report page (PDF, DOCX, …) and its text.",
    )
    op.create_table(
        "sighting",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version_id", sa.Integer(), nullable=False, comment="Version"),
        sa.Column("fetch_id", sa.Integer(), nullable=True, comment="Latest fetch that saw it"),
        sa.Column("url", sa.Text(), nullable=False, comment="Page URL"),
        sa.Column("site", sa.String(length=253), nullable=False, comment="Host name of the URL"),
        sa.Column(
            "is_repost",
            sa.Boolean(),
            nullable=False,
            comment="A copy on a site that is not the issuing body's own",
        ),
        sa.Column(
            "first_seen",
            sa.DateTime(timezone=True),
            nullable=False,
            comment="First time seen here (UTC)",
        ),
        sa.Column(
            "last_seen",
            sa.DateTime(timezone=True),
            nullable=False,
            comment="Latest time seen here (UTC)",
        ),
        sa.ForeignKeyConstraint(
            ["fetch_id"], ["fetch.id"], name=op.f("fk_sighting_fetch_id_fetch")
        ),
        sa.ForeignKeyConstraint(
            ["version_id"],
            ["report_version.id"],
            name=op.f("fk_sighting_version_id_report_version"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sighting")),
        sa.UniqueConstraint("version_id", "url", name=op.f("uq_sighting_version_id_url")),
        comment="Where and when a version was seen; reposts are flagged.",
    )


def downgrade() -> None:
    op.drop_table("sighting")
    op.drop_table("attachment")
    op.drop_table("report_version")
    with op.batch_alter_table("report", schema=None) as batch_op:
        batch_op.drop_index("ix_report_report_year")
        batch_op.drop_index("ix_report_division_code")
        batch_op.drop_index("ix_report_agency")

    op.drop_table("report")
    with op.batch_alter_table("fetch", schema=None) as batch_op:
        batch_op.drop_index("ix_fetch_url")
        batch_op.drop_index("ix_fetch_body_sha256")

    op.drop_table("fetch")
    op.drop_table("source")
    op.drop_table("crawl_run")
