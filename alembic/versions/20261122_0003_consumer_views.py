"""consumer views: reports_latest, report_history; fetch.doc_type

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22 03:00:00

The views are part of the public contract (docs/schema.md). Their SQL is written
out here, not imported, so this migration means the same thing forever; a change
to a view is a new migration.
"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

REPORTS_LATEST = """
CREATE VIEW reports_latest AS
SELECT r.id AS report_id,
       r.agency,
       r.report_year,
       r.province,
       r.city,
       r.county,
       r.division_code,
       v.id AS version_id,
       v.version,
       v.title,
       v.published_date,
       v.content_sha256,
       v.first_seen,
       v.last_seen,
       (SELECT count(*) FROM report_version c WHERE c.report_id = r.id) AS versions,
       v.text
FROM report r
JOIN report_version v ON v.report_id = r.id
WHERE v.version = (SELECT max(m.version) FROM report_version m WHERE m.report_id = r.id)
"""

REPORT_HISTORY = """
CREATE VIEW report_history AS
SELECT v.report_id,
       v.id AS version_id,
       v.version,
       v.title,
       v.published_date,
       v.content_sha256,
       v.first_seen,
       v.last_seen,
       (SELECT count(*) FROM sighting s WHERE s.version_id = v.id) AS sightings,
       (SELECT count(*) FROM sighting s
        WHERE s.version_id = v.id AND s.is_repost) AS repost_sightings
FROM report_version v
"""


def upgrade() -> None:
    with op.batch_alter_table("fetch") as batch:
        batch.add_column(
            sa.Column(
                "doc_type",
                sa.String(length=40),
                nullable=True,
                comment="What archive.classify made of the page (annual_report, "
                "info_disclosure_report, …); null when it was not extracted",
            )
        )
    op.execute(REPORTS_LATEST)
    op.execute(REPORT_HISTORY)


def downgrade() -> None:
    op.execute("DROP VIEW report_history")
    op.execute("DROP VIEW reports_latest")
    with op.batch_alter_table("fetch") as batch:
        batch.drop_column("doc_type")
