"""signature fields: report_version.signed_by and document_date

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-07 18:00:00

The closing 落款 (issuing body and date) now stays in a version's text and is also kept as
fields: ``signed_by`` (new) beside ``signed_date`` (kept, same meaning), and
``document_date``, the document's own date (成文日期): the 落款's date, else the 索引号 table's.
``published_date`` keeps meaning the page's publication date. Versions stored before this
revision had only the 落款 date, in ``signed_date``, so it is also their ``document_date``;
their ``signed_by`` stays null until they are extracted again.
"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


# (column, old comment, new comment): the dates' comments now say which date each is.
COMMENTS = (
    (
        "published_date",
        "Publication date",
        "The page's publication date (for an attachment-only report, its page's)",
    ),
    (
        "signed_date",
        "Date under the signature",
        "Date of the closing 落款 (signature), null without one",
    ),
)


def upgrade() -> None:
    with op.batch_alter_table("report_version") as batch:
        batch.add_column(
            sa.Column(
                "signed_by",
                sa.Text(),
                nullable=True,
                comment="Issuing body of the closing 落款 (several 、-joined), null without one",
            )
        )
        batch.add_column(
            sa.Column(
                "document_date",
                sa.Date(),
                nullable=True,
                comment="The document's own date (成文日期): the 落款's, else the 索引号 table's",
            )
        )
    _comment(new=True)
    op.execute("UPDATE report_version SET document_date = signed_date")


def downgrade() -> None:
    _comment(new=False)
    # Not a batch: SQLite (3.35+) drops a column in place, where a batch would rebuild the
    # table under the views over it (0003) and fail.
    op.drop_column("report_version", "document_date")
    op.drop_column("report_version", "signed_by")


def _comment(*, new: bool) -> None:
    """Only where the database keeps comments: on SQLite a comment change would make a batch
    rebuild the table, which the views over report_version (0003) forbid."""
    if not op.get_context().dialect.supports_comments:
        return
    for column, old_comment, new_comment in COMMENTS:
        op.alter_column(
            "report_version",
            column,
            existing_type=sa.Date(),
            existing_nullable=True,
            comment=new_comment if new else old_comment,
            existing_comment=old_comment if new else new_comment,
        )
