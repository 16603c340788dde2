"""reprocess: the extractor version on every derived row, reprocess runs, replaced texts kept,
fetches found by their final URL

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-07 21:00:00

Rows archived before this migration keep ``extractor_version`` null: nobody recorded which
rules made them. ``fazhi reprocess`` derives them again from their captures (docs/reprocess.md).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
DERIVED_BY = (
    "archive.extract.EXTRACTOR_VERSION of the rules that derived {what}; null: derived "
    "before schema 0014 recorded it (fazhi reprocess derives it again)"
)
DERIVED = {
    "fetch": "doc_type",
    "report_version": "the text, title, dates and metadata",
    "sighting": "text",
    "attachment": "text",
}
PHASES = ("fetches", "reports", "done")


def upgrade() -> None:
    for table, what in DERIVED.items():
        op.add_column(
            table,
            sa.Column(
                "extractor_version", sa.Integer(), nullable=True,
                comment=DERIVED_BY.format(what=what),
            ),
        )  # fmt: skip
    op.create_table(
        "reprocess_run",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False, comment="Start (UTC)"),
        sa.Column(
            "finished_at", sa.DateTime(timezone=True), nullable=True,
            comment="End (UTC); null while running or after a kill (resumable)",
        ),
        sa.Column(
            "since", sa.Date(), nullable=True,
            comment="--since: only reports seen and fetches made on or after this date",
        ),
        sa.Column(
            "source_slug", sa.String(length=100), nullable=True,
            comment="--source: only this source's reports and pages",
        ),
        sa.Column(
            "only", sa.String(length=20), nullable=False,
            comment="--only: extraction | anatomy | all",
        ),
        sa.Column(
            "extractor_version", sa.Integer(), nullable=False,
            comment="archive.extract.EXTRACTOR_VERSION it derived with",
        ),
        sa.Column(
            "phase", sa.String(length=10), nullable=False,
            comment="fetches (re-classifying non-report pages) | reports (re-deriving "
            "versions) | done",
        ),
        sa.Column(
            "cursor", sa.BigInteger(), nullable=False,
            comment="Last fetch id (phase fetches) or report id (reports) done",
        ),
        sa.Column(
            "counts", JSON, nullable=False, comment="What it changed so far, by kind (JSON)"
        ),
        sa.Column(
            "events", JSON, nullable=False,
            comment="Each repair and each pair of versions identical under today's rules, with "
            "the report, versions and URLs concerned (JSON list)",
        ),
        sa.CheckConstraint(
            f"phase IN ({', '.join(map(repr, PHASES))})", name=op.f("ck_reprocess_run_phase")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reprocess_run")),
        comment="One `fazhi reprocess`: its scope, how far it got (a killed run resumes from "
        "there) and what it changed.",
    )  # fmt: skip
    op.create_table(
        "version_history",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column(
            "version_id", sa.Integer(), nullable=False,
            comment="report_version.id (no foreign key: a version a repair removed keeps its "
            "history)",
        ),
        sa.Column(
            "report_id", sa.Integer(), nullable=False, comment="report.id of the version then"
        ),
        sa.Column(
            "version", sa.Integer(), nullable=False, comment="Its number within the report then"
        ),
        sa.Column(
            "reprocess_run_id", sa.Integer(), nullable=False, comment="The run that replaced it"
        ),
        sa.Column(
            "reason", sa.String(length=20), nullable=False,
            comment="rederived (today's rules made another text of the same capture) | removed "
            "(a copy had made the version: it is a sighting now)",
        ),
        sa.Column(
            "extractor_version", sa.Integer(), nullable=True,
            comment="EXTRACTOR_VERSION that had derived it; null: before schema 0014",
        ),
        sa.Column(
            "content_sha256", sa.String(length=64), nullable=False,
            comment="Its content key then",
        ),
        sa.Column("title", sa.Text(), nullable=False, comment="Title then"),
        sa.Column("text", sa.Text(), nullable=False, comment="Text then"),
        sa.Column(
            "text_original", sa.Text(), nullable=False, comment="Text in the page's script then"
        ),
        sa.Column(
            "fields", JSON, nullable=False,
            comment="The other derived fields then: title_original, dates (ISO), signed_by, "
            "metadata, script, repairs (JSON)",
        ),
        sa.Column(
            "replaced_at", sa.DateTime(timezone=True), nullable=False, comment="When (UTC)"
        ),
        sa.ForeignKeyConstraint(
            ["reprocess_run_id"], ["reprocess_run.id"],
            name=op.f("fk_version_history_reprocess_run_id_reprocess_run"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_version_history")),
        comment="A version's derived text and fields as they were before `fazhi reprocess` "
        "replaced them (or removed a version a copy had made).",
    )  # fmt: skip
    op.create_index("ix_version_history_version_id", "version_history", ["version_id"])
    # a page's captures by where they led (coalesce(final_url, url)), without a scan
    op.create_index("ix_fetch_final_url", "fetch", ["final_url"])


def downgrade() -> None:
    op.drop_index("ix_fetch_final_url", table_name="fetch")
    op.drop_index("ix_version_history_version_id", table_name="version_history")
    op.drop_table("version_history")
    op.drop_table("reprocess_run")
    for table in reversed(list(DERIVED)):
        op.drop_column(table, "extractor_version")  # SQLite ≥ 3.35 drops a column in place
