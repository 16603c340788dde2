"""division: GB/T 2260 divisions 2002-2026, the universe of expected publishers

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-07 18:00:00

Loads the dataset of vintage 2026-09-11 (archive/coverage/data/divisions-20260911.csv.gz,
its sources in docs/coverage.md). A newer dataset is a new file and a new migration that
replaces the rows; this one always loads the file it names.
"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op
from archive.coverage.history import table_rows

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

DATASET = "data/divisions-20260911.csv.gz"


def upgrade() -> None:
    division = op.create_table(
        "division",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=6), nullable=False, comment="6-digit 行政区划代码"),
        sa.Column(
            "name",
            sa.String(length=100),
            nullable=False,
            comment="Full name in those years (南昌县)",
        ),
        sa.Column("level", sa.String(length=4), nullable=False, comment="省 / 市 / 县"),
        sa.Column(
            "parent_code",
            sa.String(length=6),
            nullable=True,
            comment="The prefecture above a county, else the province; null for a province",
        ),
        sa.Column(
            "valid_from",
            sa.Integer(),
            nullable=False,
            comment="First report year it existed for (at that year's end)",
        ),
        sa.Column(
            "valid_to",
            sa.Integer(),
            nullable=True,
            comment="Last report year it existed for; null while it exists",
        ),
        sa.Column(
            "successor_code",
            sa.String(length=6),
            nullable=True,
            comment="Where it went when it ended: the same code renamed, the merged or new "
            "code (撤县设区); null while it exists or when abolished without one",
        ),
        sa.Column(
            "current_code",
            sa.String(length=6),
            nullable=True,
            comment="Today's division (the dataset's vintage) at the end of its successors; "
            "its own code while it exists, null when the chain stops",
        ),
        sa.CheckConstraint("level IN ('省', '市', '县')", name=op.f("ck_division_level")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_division")),
        sa.UniqueConstraint("code", "valid_from", name=op.f("uq_division_code_valid_from")),
        comment="GB/T 2260 divisions over the years: one row per code under one name "
        "(a rename or a reused code starts a new row). Every division is an expected "
        "publisher for each year it is valid (docs/coverage.md). Loaded by migrations "
        "from archive/coverage/data/, never by hand.",
    )
    op.create_index("ix_division_code", "division", ["code"], unique=False)
    op.bulk_insert(division, table_rows(DATASET))


def downgrade() -> None:
    op.drop_index("ix_division_code", table_name="division")
    op.drop_table("division")
