"""discovered sources: `fazhi sources discover` stores what it found beside the registry

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-07 18:00:00

A source row says where it comes from (a curated registry file, or discovery with its
evidence), and a discovery run is a crawl run with its own trigger.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
TRIGGERS_BEFORE = "trigger IN ('schedule', 'manual', 'worker')"
TRIGGERS = "trigger IN ('schedule', 'manual', 'worker', 'discover')"


def upgrade() -> None:
    with op.batch_alter_table("source") as batch:
        batch.add_column(
            sa.Column(
                "origin",
                sa.String(length=10),
                nullable=False,
                server_default="curated",
                comment="curated (a registry file) | discovered (stored by `fazhi sources "
                "discover`)",
            )
        )
        batch.add_column(
            sa.Column(
                "discovered_from",
                sa.Text(),
                nullable=True,
                comment="discovered: the page that linked the site",
            )
        )
        batch.add_column(
            sa.Column(
                "evidence",
                JSON,
                nullable=True,
                comment="discovered: the signals that identified it, by name (JSON)",
            )
        )
        batch.add_column(
            sa.Column(
                "expected_years",
                sa.String(length=40),
                nullable=True,
                comment="discovered: report years expected, as the registry writes them",
            )
        )
        batch.add_column(
            sa.Column(
                "discovery_run_id",
                sa.Integer(),
                nullable=True,
                comment="discovered: the discovery run that last found it",
            )
        )
        batch.create_foreign_key(
            "fk_source_discovery_run_id_crawl_run", "crawl_run", ["discovery_run_id"], ["id"]
        )
        batch.create_check_constraint("origin", "origin IN ('curated', 'discovered')")
    with op.batch_alter_table("crawl_run") as batch:
        batch.drop_constraint("trigger", type_="check")
        batch.create_check_constraint("trigger", TRIGGERS)
        batch.alter_column(
            "trigger",
            existing_type=sa.String(length=10),
            existing_nullable=False,
            comment="schedule | manual | worker | discover",
            existing_comment="schedule | manual | worker",
        )


def downgrade() -> None:
    op.execute("DELETE FROM crawl_run WHERE trigger = 'discover'")
    with op.batch_alter_table("crawl_run") as batch:
        batch.drop_constraint("trigger", type_="check")
        batch.create_check_constraint("trigger", TRIGGERS_BEFORE)
        batch.alter_column(
            "trigger",
            existing_type=sa.String(length=10),
            existing_nullable=False,
            comment="schedule | manual | worker",
            existing_comment="schedule | manual | worker | discover",
        )
    with op.batch_alter_table("source") as batch:
        batch.drop_constraint("origin", type_="check")
        batch.drop_constraint("fk_source_discovery_run_id_crawl_run", type_="foreignkey")
        batch.drop_column("discovery_run_id")
        batch.drop_column("expected_years")
        batch.drop_column("evidence")
        batch.drop_column("discovered_from")
        batch.drop_column("origin")
