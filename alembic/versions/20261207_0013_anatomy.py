"""report anatomy: version_anatomy, version_section, version_part, version_figure; two views

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-07 22:00:00

A version's outline, where each article-25 part is, and the key figures it states with their
evidence (docs/anatomy.md), each row with the ``anatomy_version`` of the rules that derived it.
New versions get them as they are ingested; versions stored before this revision get them when
they are derived again (none are derived here: a migration does not run today's rules).
``down_revision`` is 0011, the newest revision on main when this was written; the views' SQL is
written out so this migration means the same thing forever.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

RULES = "Version of the anatomy rules that derived this row (archive.anatomy.ANATOMY_VERSION)"

REPORT_FIGURES_LATEST = """
CREATE VIEW report_figures_latest AS
SELECT r.id AS report_id,
       r.agency,
       r.report_year,
       r.province,
       r.division_code,
       v.id AS version_id,
       v.version,
       f.indicator,
       f.value,
       f.unit,
       f.year,
       f.evidence,
       f.char_start,
       f.char_end,
       f.anatomy_version
FROM report r
JOIN report_version v ON v.report_id = r.id
JOIN version_figure f ON f.version_id = v.id
WHERE v.version = (SELECT max(m.version) FROM report_version m WHERE m.report_id = r.id)
"""

REPORT_COMPLETENESS_LATEST = """
CREATE VIEW report_completeness_latest AS
SELECT r.id AS report_id,
       r.agency,
       r.report_year,
       r.province,
       r.division_code,
       v.id AS version_id,
       v.version,
       a.anatomy_version,
       EXISTS (SELECT 1 FROM version_part p WHERE p.version_id = v.id AND p.part = 1) AS part_1,
       EXISTS (SELECT 1 FROM version_part p WHERE p.version_id = v.id AND p.part = 2) AS part_2,
       EXISTS (SELECT 1 FROM version_part p WHERE p.version_id = v.id AND p.part = 3) AS part_3,
       EXISTS (SELECT 1 FROM version_part p WHERE p.version_id = v.id AND p.part = 4) AS part_4,
       EXISTS (SELECT 1 FROM version_part p WHERE p.version_id = v.id AND p.part = 5) AS part_5,
       (SELECT count(DISTINCT p.part) FROM version_part p WHERE p.version_id = v.id)
           AS parts_present
FROM report r
JOIN report_version v ON v.report_id = r.id
JOIN version_anatomy a ON a.version_id = v.id
WHERE v.version = (SELECT max(m.version) FROM report_version m WHERE m.report_id = r.id)
"""


def _version_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["version_id"], ["report_version.id"], name=op.f(f"fk_{table}_version_id_report_version")
    )


def upgrade() -> None:
    op.create_table(
        "version_anatomy",
        sa.Column("version_id", sa.Integer(), nullable=False, comment="Version"),
        sa.Column("anatomy_version", sa.Integer(), nullable=False, comment=RULES),
        sa.Column(
            "report_year",
            sa.Integer(),
            nullable=True,
            comment="The year figures were judged to be the report's own against",
        ),
        sa.Column(
            "parts_present",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
            comment="Article-25 parts found in the text, 1–5 (JSON list): 1 measures and results, "
            "2 shortcomings, 3 principal leaders' duty, 4 next year's plans, 5 other matters",
        ),
        sa.Column(
            "derived_at",
            sa.DateTime(timezone=True),
            nullable=False,
            comment="When it was derived (UTC)",
        ),
        _version_fk("version_anatomy"),
        sa.PrimaryKeyConstraint("version_id", name=op.f("pk_version_anatomy")),
        comment="One row per version whose anatomy was derived: the completeness record "
        "(which article-25 parts are present) and when; its sections, part spans and "
        "figures are in version_section, version_part and version_figure (docs/anatomy.md).",
    )
    op.create_table(
        "version_section",
        sa.Column("version_id", sa.Integer(), nullable=False, comment="Version"),
        sa.Column("ordinal", sa.Integer(), nullable=False, comment="0, 1, … in text order"),
        sa.Column(
            "title", sa.Text(), nullable=False, comment="Heading as published, numbering included"
        ),
        sa.Column(
            "level", sa.SmallInteger(), nullable=False, comment="1 for the report's top headings"
        ),
        sa.Column(
            "part",
            sa.SmallInteger(),
            nullable=True,
            comment="Article-25 part the heading opens or belongs to, 1–5; null for none",
        ),
        sa.Column(
            "char_start", sa.Integer(), nullable=False, comment="Offset of the heading's line"
        ),
        sa.Column(
            "char_end",
            sa.Integer(),
            nullable=False,
            comment="End of the section (exclusive): the next heading of its level or above",
        ),
        sa.Column("anatomy_version", sa.Integer(), nullable=False, comment=RULES),
        sa.CheckConstraint("part BETWEEN 1 AND 5", name=op.f("ck_version_section_part")),
        _version_fk("version_section"),
        sa.PrimaryKeyConstraint("version_id", "ordinal", name=op.f("pk_version_section")),
        comment="A version's headings as published, in text order, each with its span.",
    )
    op.create_table(
        "version_part",
        sa.Column("version_id", sa.Integer(), nullable=False, comment="Version"),
        sa.Column("ordinal", sa.Integer(), nullable=False, comment="0, 1, … in text order"),
        sa.Column("part", sa.SmallInteger(), nullable=False, comment="Article-25 part, 1–5"),
        sa.Column(
            "char_start", sa.Integer(), nullable=False, comment="Offset where the stretch begins"
        ),
        sa.Column(
            "char_end", sa.Integer(), nullable=False, comment="Offset where it ends (exclusive)"
        ),
        sa.Column("anatomy_version", sa.Integer(), nullable=False, comment=RULES),
        sa.CheckConstraint("part BETWEEN 1 AND 5", name=op.f("ck_version_part_part")),
        _version_fk("version_part"),
        sa.PrimaryKeyConstraint("version_id", "ordinal", name=op.f("pk_version_part")),
        comment="Where each article-25 part is in a version's text: one row per stretch "
        "(a part merged into another's section, or said in one sentence, is its own stretch).",
    )
    op.create_table(
        "version_figure",
        sa.Column("version_id", sa.Integer(), nullable=False, comment="Version"),
        sa.Column(
            "indicator",
            sa.String(length=60),
            nullable=False,
            comment="Indicator key (archive/anatomy/data/indicators.toml): "
            "admin_review_received, …",
        ),
        sa.Column(
            "value",
            sa.Float(),
            nullable=False,
            comment="The number; a percentage as its number (12.5 for 12.5%)",
        ),
        sa.Column(
            "unit",
            sa.String(length=10),
            nullable=False,
            comment="% for a rate, else the count's noun",
        ),
        sa.Column("year", sa.Integer(), nullable=True, comment="Year the figure refers to"),
        sa.Column(
            "evidence", sa.Text(), nullable=False, comment="The sentence stating it, verbatim"
        ),
        sa.Column(
            "char_start",
            sa.Integer(),
            nullable=False,
            comment="Offset of the sentence in the text",
        ),
        sa.Column("char_end", sa.Integer(), nullable=False, comment="Its end (exclusive)"),
        sa.Column(
            "number_start",
            sa.Integer(),
            nullable=False,
            comment="Offset of the number itself, inside the sentence",
        ),
        sa.Column("number_end", sa.Integer(), nullable=False, comment="Its end (exclusive)"),
        sa.Column("anatomy_version", sa.Integer(), nullable=False, comment=RULES),
        _version_fk("version_figure"),
        sa.PrimaryKeyConstraint("version_id", "indicator", name=op.f("pk_version_figure")),
        comment="A key figure a version states for its own body and year, with its "
        "evidence; at most one per indicator (a report giving two values gives none).",
    )
    op.create_index("ix_version_figure_indicator", "version_figure", ["indicator"])
    op.execute(REPORT_FIGURES_LATEST)
    op.execute(REPORT_COMPLETENESS_LATEST)


def downgrade() -> None:
    op.execute("DROP VIEW report_completeness_latest")
    op.execute("DROP VIEW report_figures_latest")
    op.drop_index("ix_version_figure_indicator", table_name="version_figure")
    for table in ("version_figure", "version_part", "version_section", "version_anatomy"):
        op.drop_table(table)
