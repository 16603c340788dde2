"""near-duplicate index: MinHash bands per version

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22 09:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CONTENT_SHA256 = (
    "SHA-256 of the normalised text; of identity_key + newline + text when the "
    "text has under 200 non-blank characters (attachment-only pages)",
    "SHA-256 of the normalised text",
)
SIGNATURE = (
    "Near-duplicate signature (MinHash over character 5-grams, datasketch "
    "LeanMinHash bytes); null when the text has under 200 non-blank characters",
    "Near-duplicate signature (MinHash over character shingles)",
)


def upgrade() -> None:
    op.create_table(
        "version_band",
        sa.Column("version_id", sa.Integer(), nullable=False, comment="Version"),
        sa.Column("band", sa.SmallInteger(), nullable=False, comment="Band number, 0 to bands - 1"),
        sa.Column(
            "hash",
            sa.BigInteger(),
            nullable=False,
            comment="64-bit hash of the signature values in this band",
        ),
        sa.ForeignKeyConstraint(
            ["version_id"],
            ["report_version.id"],
            name=op.f("fk_version_band_version_id_report_version"),
        ),
        sa.PrimaryKeyConstraint("version_id", "band", name=op.f("pk_version_band")),
        comment="Bands of each version's MinHash signature: the near-duplicate index "
        "(versions sharing a band are compared, no other; see archive/dedup.py).",
    )
    with op.batch_alter_table("version_band", schema=None) as batch_op:
        batch_op.create_index("ix_version_band_band_hash", ["band", "hash"], unique=False)
    _comment("content_sha256", sa.String(length=64), False, *CONTENT_SHA256)
    _comment("signature", sa.LargeBinary(), True, *SIGNATURE)


def downgrade() -> None:
    _comment("signature", sa.LargeBinary(), True, *reversed(SIGNATURE))
    _comment("content_sha256", sa.String(length=64), False, *reversed(CONTENT_SHA256))
    with op.batch_alter_table("version_band", schema=None) as batch_op:
        batch_op.drop_index("ix_version_band_band_hash")
    op.drop_table("version_band")


def _comment(column: str, type_: sa.types.TypeEngine, nullable: bool, new: str, old: str) -> None:
    """Column comments live only where the backend keeps them: SQLite has none, and a batch
    ALTER there would copy the whole table for nothing."""
    if op.get_bind().dialect.supports_comments:
        op.alter_column(
            "report_version",
            column,
            existing_type=type_,
            existing_nullable=nullable,
            comment=new,
            existing_comment=old,
        )
