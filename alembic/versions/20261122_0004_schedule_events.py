"""schedule events: what the scheduler did besides starting crawls

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-22 05:01:55.642064

APScheduler's own job table (apscheduler_jobs) is not created here: APScheduler creates and
owns it, and alembic/env.py leaves it out of `db check`.
"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "schedule_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column(
            "at", sa.DateTime(timezone=True), nullable=False, comment="When it was recorded (UTC)"
        ),
        sa.Column(
            "source_slug",
            sa.String(length=100),
            nullable=False,
            comment="Registry slug of the source",
        ),
        sa.Column(
            "kind",
            sa.String(length=10),
            nullable=False,
            comment="missed | coalesced | refused | failed | missing",
        ),
        sa.Column(
            "trigger",
            sa.String(length=10),
            nullable=True,
            comment="schedule | manual: who asked for the crawl; null for missing",
        ),
        sa.Column(
            "due_at",
            sa.DateTime(timezone=True),
            nullable=True,
            comment="The due time concerned (UTC); for coalesced the last one",
        ),
        sa.Column(
            "due_count",
            sa.Integer(),
            nullable=True,
            comment="coalesced: how many due times were folded into one run",
        ),
        sa.Column(
            "crawl_run_id",
            sa.Integer(),
            nullable=True,
            comment="The run concerned: the one running when refused",
        ),
        sa.Column(
            "report_year",
            sa.Integer(),
            nullable=True,
            comment="missing: the report year that did not come by the window's close",
        ),
        sa.Column("detail", sa.Text(), nullable=True, comment="What happened, for the operator"),
        sa.CheckConstraint(
            "kind IN ('missed', 'coalesced', 'refused', 'failed', 'missing')",
            name=op.f("ck_schedule_event_kind"),
        ),
        sa.ForeignKeyConstraint(
            ["crawl_run_id"],
            ["crawl_run.id"],
            name=op.f("fk_schedule_event_crawl_run_id_crawl_run"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_schedule_event")),
        comment="What the scheduler did besides starting a crawl: due runs missed, "
        "folded together or refused, crawls that never opened a run, reports that did not "
        "come (see docs/schema.md, Run history).",
    )
    with op.batch_alter_table("schedule_event", schema=None) as batch_op:
        batch_op.create_index("ix_schedule_event_source_slug", ["source_slug"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("schedule_event", schema=None) as batch_op:
        batch_op.drop_index("ix_schedule_event_source_slug")

    op.drop_table("schedule_event")
