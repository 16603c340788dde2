"""docs/schema.md documents every table, column and view the database really has."""

from archive.models import Base
from archive.schema_doc import DOC, updated
from archive.views import VIEWS


def test_schema_doc_is_current() -> None:
    document = DOC.read_text(encoding="utf-8")
    assert updated(document) == document, "run: python -m archive.schema_doc"


def test_every_table_column_and_view_is_documented() -> None:
    document = DOC.read_text(encoding="utf-8")
    for table in Base.metadata.tables.values():
        assert f"### `{table.name}`" in document
        for column in table.columns:
            assert f"| `{column.name}` |" in document
    for view in VIEWS:
        assert f"`{view}`" in document
