"""search_doc.timeliness: each report's on time / late / undated, a search facet

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-07 23:40:00

The rule is coverage's (archive/coverage/deadline.py; the coverage view of migration 0009 says
it in SQL): the report's earliest page date against 1 April of the next year, China time, else
its first sighting, which can prove it on time but not late. Written out here, not imported, so
this migration means the same thing forever; the index keeps the column in step afterwards.
"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

DIALECT = {
    "sqlite": {
        "deadline_date": "printf('%04d-04-01', r.report_year + 1)",
        "deadline_utc": "printf('%04d-03-31 16:00:00', r.report_year + 1)",
    },
    "postgresql": {
        "deadline_date": "make_date(r.report_year + 1, 4, 1)",
        "deadline_utc": "make_timestamptz(r.report_year + 1, 3, 31, 16, 0, 0, 'UTC')",
    },
}

BACKFILL = """
UPDATE search_doc SET timeliness = (
    SELECT CASE
               WHEN r.report_year IS NULL THEN NULL
               WHEN min(v.published_date) IS NOT NULL THEN
                   CASE WHEN min(v.published_date) < {deadline_date}
                        THEN 'on_time' ELSE 'late' END
               WHEN min(v.first_seen) < {deadline_utc} THEN 'on_time'
               ELSE 'undated'
           END
    FROM report r JOIN report_version v ON v.report_id = r.id
    WHERE r.id = search_doc.report_id
    GROUP BY r.id, r.report_year
)
"""


def upgrade() -> None:
    with op.batch_alter_table("search_doc") as batch:
        batch.add_column(
            sa.Column(
                "timeliness",
                sa.String(10),
                nullable=True,
                comment="The report's on_time / late / undated, as fazhi coverage decides it "
                "(its earliest page date, else its first sighting, against 1 April of the next "
                "year); null without a report year",
            )
        )
    op.execute(BACKFILL.format(**DIALECT[op.get_bind().dialect.name]))


def downgrade() -> None:
    with op.batch_alter_table("search_doc") as batch:
        batch.drop_column("timeliness")
