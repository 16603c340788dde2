"""skipped links: every link a crawl saw and did not follow, with the reason

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-07 18:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

REASONS = (
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


def upgrade() -> None:
    op.create_table(
        "skipped_link",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("crawl_run_id", sa.Integer(), nullable=False, comment="The run"),
        sa.Column(
            "source_slug", sa.String(length=100), nullable=False,
            comment="Registry slug of the source",
        ),
        sa.Column("url", sa.Text(), nullable=False, comment="The link, absolute"),
        sa.Column(
            "found_on", sa.Text(), nullable=True,
            comment="The page it was seen on; null for a request a rule dropped before sending",
        ),
        sa.Column("anchor", sa.Text(), nullable=True, comment="Its anchor text"),
        sa.Column(
            "reason", sa.String(length=20), nullable=False,
            comment="off-scope | robots | not-a-report | report-page | depth | duplicate | "
            "trap | error-run | time-budget | page-budget",
        ),
        sa.Column(
            "detail", sa.Text(), nullable=True,
            comment="More of the reason: the document type, the trap, the depth limit",
        ),
        sa.CheckConstraint(
            f"reason IN ({', '.join(map(repr, REASONS))})", name=op.f("ck_skipped_link_reason")
        ),
        sa.ForeignKeyConstraint(
            ["crawl_run_id"], ["crawl_run.id"],
            name=op.f("fk_skipped_link_crawl_run_id_crawl_run"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_skipped_link")),
        sa.UniqueConstraint("crawl_run_id", "url", name=op.f("uq_skipped_link_crawl_run_id_url")),
        comment="Every link a crawl saw on a page and did not follow, with the reason: the "
        "audit that explains a missing report (once per run and URL).",
    )  # fmt: skip


def downgrade() -> None:
    op.drop_table("skipped_link")
