"""search index: search_doc, and the n-gram index (FTS5 on SQLite, GIN on PostgreSQL)

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-07 12:00:00

The index is filled here for the versions already archived; archive/search keeps it up to date
from then on, and ``fazhi db reindex`` rebuilds it (docs/search.md).
"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The gram set of a version on PostgreSQL: its characters and overlapping bigrams, none across
# a line break. unnest WITH ORDINALITY and lead() keep it linear in the text's length (substr
# on a long line would not be). archive/search/grams.py describes the same grams.
GRAMS_FUNCTION = r"""
CREATE FUNCTION search_grams(title text, body text) RETURNS text[]
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
SELECT coalesce(array_agg(DISTINCT g), '{}') FROM (
  SELECT ch || coalesce(nxt, '') AS g FROM (
    SELECT ch, lead(ch) OVER (ORDER BY n) AS nxt
    FROM unnest(string_to_array(title || E'\n' || body, NULL)) WITH ORDINALITY AS u(ch, n)
  ) AS pairs
  UNION ALL
  SELECT ch FROM unnest(string_to_array(title || E'\n' || body, NULL)) AS c(ch)
) AS grams WHERE strpos(g, E'\n') = 0
$$
"""
FILL_DOCS = """
INSERT INTO search_doc (version_id, report_id, version, is_latest, title, agency, report_year,
                        province, level)
SELECT v.id, v.report_id, v.version,
       v.version = (SELECT max(o.version) FROM report_version AS o WHERE o.report_id = v.report_id),
       v.title, r.agency, r.report_year, r.province, s.level
FROM report_version AS v
JOIN report AS r ON r.id = v.report_id
LEFT JOIN source AS s ON s.id = r.source_id
"""


def upgrade() -> None:
    op.create_table(
        "search_doc",
        sa.Column("version_id", sa.Integer(), nullable=False, comment="Version"),
        sa.Column("report_id", sa.Integer(), nullable=False, comment="Its report"),
        sa.Column("version", sa.Integer(), nullable=False, comment="Its number within the report"),
        sa.Column(
            "is_latest",
            sa.Boolean(),
            nullable=False,
            comment="Whether it is its report's latest version",
        ),
        sa.Column(
            "title", sa.Text(), nullable=False, comment="Title as indexed (report_version.title)"
        ),
        sa.Column("agency", sa.String(length=200), nullable=True, comment="report.agency"),
        sa.Column("report_year", sa.Integer(), nullable=True, comment="report.report_year"),
        sa.Column("province", sa.String(length=50), nullable=True, comment="report.province"),
        sa.Column(
            "level",
            sa.String(length=10),
            nullable=True,
            comment="Level of the report's source (省 / 市 / 县 / 部门)",
        ),
        sa.ForeignKeyConstraint(
            ["report_id"], ["report.id"], name=op.f("fk_search_doc_report_id_report")
        ),
        sa.ForeignKeyConstraint(
            ["version_id"],
            ["report_version.id"],
            name=op.f("fk_search_doc_version_id_report_version"),
        ),
        sa.PrimaryKeyConstraint("version_id", name=op.f("pk_search_doc")),
        comment="One row per version for full-text search (archive/search, docs/search.md): "
        "what results are filtered, faceted and ranked by; the n-gram index itself is "
        "search_fts (SQLite) or ix_report_version_search_grams (PostgreSQL).",
    )
    with op.batch_alter_table("search_doc") as batch:
        batch.create_index("ix_search_doc_report_id", ["report_id"], unique=False)
    op.execute(FILL_DOCS)
    if op.get_bind().dialect.name == "postgresql":
        op.execute(GRAMS_FUNCTION)
        op.execute(
            "CREATE INDEX ix_report_version_search_grams ON report_version "
            "USING gin (search_grams(title, text))"
        )
        # ANALYZE would compute search_grams for each of its 30,000 sample rows (minutes):
        # the search's queries do not need the expression's statistics (docs/search.md)
        op.execute("ALTER INDEX ix_report_version_search_grams ALTER COLUMN 1 SET STATISTICS 0")
    else:
        _fill_fts()


def _fill_fts() -> None:
    """The FTS5 table, filled through the tokenizer of archive/search (Python, registered on
    the connection for this statement)."""
    from archive.search.grams import fts_document

    op.execute(
        "CREATE VIRTUAL TABLE search_fts USING fts5"
        "(grams, tokenize='ascii', content='', columnsize=0)"
    )
    raw = op.get_bind().connection.driver_connection
    raw.create_function("search_fts_document", 2, fts_document, deterministic=True)
    op.execute(
        "INSERT INTO search_fts (rowid, grams) "
        "SELECT id, search_fts_document(title, text) FROM report_version"
    )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP INDEX ix_report_version_search_grams")
        op.execute("DROP FUNCTION search_grams(text, text)")
    else:
        op.execute("DROP TABLE search_fts")
    with op.batch_alter_table("search_doc") as batch:
        batch.drop_index("ix_search_doc_report_id")
    op.drop_table("search_doc")
