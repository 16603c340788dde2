"""publisher versions: a copy keeps its own text when it differs from its version's

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-07 20:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "sighting",
        sa.Column(
            "text",
            sa.Text(),
            nullable=True,
            comment="The copy's own text when it differs from its version's (lines cut, a "
            "script conversion's slips); NULL when the same",
        ),
    )


def downgrade() -> None:
    op.drop_column("sighting", "text")  # SQLite ≥ 3.35 drops a column in place
