"""Migrations and models agree, on SQLite and on the real PostgreSQL."""

from __future__ import annotations

import pytest
from sqlalchemy import inspect, text

from archive.storage import db
from archive.storage.models import Base


def table_names(url: str) -> set[str]:
    engine = db.make_engine(url)
    try:
        return set(inspect(engine).get_table_names())
    finally:
        engine.dispose()


def test_upgrade_check_downgrade_roundtrip(database_url: str) -> None:
    db.upgrade(database_url)
    db.check(database_url)
    assert set(Base.metadata.tables) <= table_names(database_url)

    db.downgrade(database_url, "base")
    assert table_names(database_url) == {"alembic_version"}

    db.upgrade(database_url)  # and back up: downgrade left nothing behind
    db.check(database_url)


def test_check_detects_drift(database_url: str) -> None:
    db.upgrade(database_url)
    engine = db.make_engine(database_url)
    with engine.begin() as conn:
        conn.execute(text("DROP INDEX ix_report_agency"))
    engine.dispose()
    with pytest.raises(db.SchemaDrift, match="ix_report_agency"):
        db.check(database_url)


def test_every_table_and_column_is_documented() -> None:
    for table in Base.metadata.tables.values():
        assert table.comment, f"table {table.name} has no comment"
        for column in table.columns:
            if column.primary_key:
                continue
            assert column.comment, f"column {table.name}.{column.name} has no comment"


@pytest.mark.postgres
def test_comments_reach_postgres(postgres_url: str) -> None:
    db.upgrade(postgres_url)
    engine = db.make_engine(postgres_url)
    with engine.connect() as conn:
        comment = conn.execute(
            text("SELECT obj_description('report'::regclass, 'pg_class')")
        ).scalar_one()
    engine.dispose()
    assert comment == Base.metadata.tables["report"].comment
