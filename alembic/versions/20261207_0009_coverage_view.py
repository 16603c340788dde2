"""coverage view: every expected publisher × report year, with its status

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-07 18:30:00

The same accounting as ``fazhi coverage`` (archive/coverage/accounting.py; a test holds the
two to each other on both backends), for consumers who query the database. Its SQL is written
out here, not imported, so this migration means the same thing forever; a change to the view
is a new migration. The few expressions the backends spell differently (dates from a year,
a JSON key) are filled in per dialect.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Deadlines are China Standard Time (UTC+8, no daylight saving since 1991): the report on Y is
# on time before 1 April of Y+1; a crawl counts for Y from 1 January of Y+1.
DIALECT = {
    "sqlite": {
        "last_year": "max((SELECT max(coalesce(valid_to, valid_from)) FROM division), "
        "CAST(strftime('%Y', 'now') AS INTEGER))",
        "deadline_date": "printf('%04d-04-01', p.report_year + 1)",
        "deadline_utc": "printf('%04d-03-31 16:00:00', p.report_year + 1)",
        "window_open_utc": "printf('%04d-12-31 16:00:00', p.report_year)",
        "answered": "CAST(json_extract(c.stats, '$.\"fazhi/answered/' || s.slug || '\"') "
        "AS INTEGER)",
    },
    "postgresql": {
        "last_year": "GREATEST((SELECT max(coalesce(valid_to, valid_from)) FROM division), "
        "CAST(EXTRACT(YEAR FROM now()) AS INTEGER))",
        "deadline_date": "make_date(p.report_year + 1, 4, 1)",
        "deadline_utc": "make_timestamptz(p.report_year + 1, 3, 31, 16, 0, 0, 'UTC')",
        "window_open_utc": "make_timestamptz(p.report_year, 12, 31, 16, 0, 0, 'UTC')",
        "answered": "CAST(c.stats ->> ('fazhi/answered/' || s.slug) AS INTEGER)",
    },
}

COVERAGE = """
CREATE VIEW coverage AS
WITH RECURSIVE years(report_year) AS (
    SELECT min(valid_from) FROM division
    UNION ALL
    SELECT report_year + 1 FROM years WHERE report_year < {last_year}
),
government AS (
    SELECT d.code AS division_code,
           d.current_code,
           y.report_year,
           d.level,
           coalesce((SELECT c.name FROM division c
                     WHERE c.code = d.parent_code AND c.level = '市'
                       AND y.report_year >= c.valid_from
                       AND (c.valid_to IS NULL OR y.report_year <= c.valid_to)), '')
               || d.name || '人民政府' AS agency,
           (SELECT pr.name FROM division pr
            WHERE pr.code = substr(d.code, 1, 2) || '0000'
              AND y.report_year >= pr.valid_from
              AND (pr.valid_to IS NULL OR y.report_year <= pr.valid_to)) AS province
    FROM division d
    JOIN years y ON y.report_year >= d.valid_from
                AND (d.valid_to IS NULL OR y.report_year <= d.valid_to)
),
publisher AS (
    SELECT g.division_code, g.agency, g.level, g.report_year, g.province,
           (SELECT min(s.slug) FROM source s
            WHERE s.level IN ('省', '市', '县')
              AND s.division_code IN (g.division_code, g.current_code)) AS source_slug,
           (SELECT min(r.id) FROM report r
            WHERE r.report_year = g.report_year
              AND r.division_code IN (g.division_code, g.current_code)
              AND r.agency LIKE '%政府') AS report_id,
           g.current_code
    FROM government g
    UNION ALL
    SELECT s.division_code, s.agency, '部门', y.report_year,
           (SELECT pr.name FROM division pr
            WHERE pr.code = substr(s.division_code, 1, 2) || '0000'
              AND y.report_year >= pr.valid_from
              AND (pr.valid_to IS NULL OR y.report_year <= pr.valid_to)),
           s.slug,
           (SELECT min(r.id) FROM report r
            WHERE r.report_year = y.report_year
              AND r.division_code = s.division_code AND r.agency = s.agency),
           NULL
    FROM source s
    JOIN years y ON EXISTS (
        SELECT 1 FROM division d
        WHERE d.code = s.division_code AND y.report_year >= d.valid_from
          AND (d.valid_to IS NULL OR y.report_year <= d.valid_to))
    WHERE s.level = '部门' AND s.agency IS NOT NULL
),
found AS (
    SELECT p.*,
           (SELECT min(v.published_date) FROM report_version v
            WHERE v.report_id = p.report_id) AS published_date,
           (SELECT min(v.first_seen) FROM report_version v
            WHERE v.report_id = p.report_id) AS first_seen,
           (SELECT si.url FROM sighting si
            JOIN report_version v ON v.id = si.version_id
            WHERE v.report_id = p.report_id
            ORDER BY si.is_repost, si.first_seen, si.id LIMIT 1) AS url,
           EXISTS (
               SELECT 1 FROM source s JOIN crawl_run c ON c.status = 'ok'
               WHERE (s.slug = p.source_slug
                      OR (p.level <> '部门' AND s.level IN ('省', '市', '县')
                          AND s.division_code IN (p.division_code, p.current_code)))
                 AND c.started_at >= {window_open_utc}
                 AND {answered} > 0) AS crawled
    FROM publisher p
)
SELECT p.division_code,
       p.agency,
       p.level,
       p.report_year,
       CASE
           WHEN p.report_id IS NULL THEN
               CASE WHEN p.source_slug IS NULL THEN 'no_portal' ELSE 'missing' END
           WHEN p.published_date IS NOT NULL THEN
               CASE WHEN p.published_date < {deadline_date} THEN 'on_time' ELSE 'late' END
           WHEN p.first_seen < {deadline_utc} THEN 'on_time'
           ELSE 'undated'
       END AS status,
       p.published_date,
       CASE WHEN p.report_id IS NULL THEN NULL
            WHEN p.published_date IS NOT NULL THEN 'page'
            ELSE 'first_seen' END AS date_source,
       p.first_seen,
       p.report_id,
       p.url,
       p.source_slug,
       p.province,
       p.crawled
FROM found p
"""


def upgrade() -> None:
    op.execute(COVERAGE.format(**DIALECT[op.get_bind().dialect.name]))


def downgrade() -> None:
    op.execute("DROP VIEW coverage")
