"""docs/schema.md documents every table, column and view the database really has."""

from sqlalchemy import inspect

from archive.storage import db
from archive.storage.models import Base
from archive.storage.schema_doc import DOC, updated


def test_schema_doc_is_current() -> None:
    document = DOC.read_text(encoding="utf-8")
    assert updated(document) == document, "run: python -m archive.storage.schema_doc"


def test_every_table_column_and_view_is_documented(database_url: str) -> None:
    db.upgrade(database_url)
    engine = db.make_engine(database_url)
    views = inspect(engine).get_view_names()
    engine.dispose()
    assert {"reports_latest", "report_history"} <= set(views)
    document = DOC.read_text(encoding="utf-8")
    for table in Base.metadata.tables.values():
        assert f"### `{table.name}`" in document
        for column in table.columns:
            assert f"| `{column.name}` |" in document
    for view in views:
        assert f"`{view}`" in document
