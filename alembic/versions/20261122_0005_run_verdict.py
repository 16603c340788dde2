"""run verdict: each crawl's judgement of itself (archive/verdict.py)

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-22 05:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("crawl_run") as batch:
        batch.add_column(
            sa.Column(
                "verdict",
                sa.String(length=10),
                nullable=True,
                comment="healthy | degraded | suspect | failed, judged at close; "
                "null while running or when the run could not close",
            )
        )
        batch.add_column(
            sa.Column("verdict_reasons", sa.Text(), nullable=True, comment="Why, unless healthy")
        )
        batch.create_check_constraint(
            "verdict", "verdict IN ('healthy', 'degraded', 'suspect', 'failed')"
        )


def downgrade() -> None:
    with op.batch_alter_table("crawl_run") as batch:
        batch.drop_constraint("verdict", type_="check")
        batch.drop_column("verdict_reasons")
        batch.drop_column("verdict")
