"""fetch.part_of / fetch.span: the further captures a report page's text spans

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-07 23:58:00

A report split over continuation pages (正文分页) or whose body is in a frame is derived from
several captures (crawler/spans.py, archive/extract/spans.py). Each further capture names the
first page's capture it is part of and how it joins, so `fazhi reprocess` derives the report
from all of them again, not from its first page alone. Rows before this revision are no part.
"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Plain ADD COLUMNs, not a batch copy of the table: SQLite cannot drop and recreate
    # `fetch` while other tables' rows reference it (foreign keys on).
    if op.get_bind().dialect.name == "sqlite":  # its ALTER TABLE takes a reference inline only
        op.execute(
            "ALTER TABLE fetch ADD COLUMN part_of INTEGER "
            "CONSTRAINT fk_fetch_part_of_fetch REFERENCES fetch (id)"
        )
    else:
        op.add_column(
            "fetch",
            sa.Column(
                "part_of",
                sa.Integer(),
                nullable=True,
                comment="The report page's capture this one is a further part of (a "
                "continuation page, the frame holding its body); null for any other fetch",
            ),
        )
        op.create_foreign_key(op.f("fk_fetch_part_of_fetch"), "fetch", "fetch", ["part_of"], ["id"])
    op.add_column(
        "fetch",
        sa.Column(
            "span",
            sa.String(length=10),
            nullable=True,
            comment="How a part joins its page: pages (continuation) | frame (its body)",
        ),
    )
    op.create_index(op.f("ix_fetch_part_of"), "fetch", ["part_of"])


def downgrade() -> None:
    op.drop_index(op.f("ix_fetch_part_of"), table_name="fetch")
    with op.batch_alter_table("fetch") as batch:
        batch.drop_column("span")
        batch.drop_column("part_of")
