"""Alembic environment: one code path for SQLite and PostgreSQL.

The URL comes from the caller (``archive.storage.db``) or, for the bare ``alembic``
command, from ``FAZHI_DATABASE_URL`` via :class:`archive.config.Settings`.
On PostgreSQL an advisory lock serialises concurrent upgrades (several
workers starting at once); on SQLite batch mode makes ALTER TABLE work.
"""

from sqlalchemy import text

from alembic import context
from archive.config import Settings
from archive.search.index import SEARCH_FTS_TABLE, SEARCH_GRAMS_INDEX
from archive.storage.db import make_engine
from archive.storage.models import SCHEDULER_JOBS_TABLE, Base, UTCDateTime

MIGRATION_LOCK_ID = 0x46415A48  # "FAZH": arbitrary, constant across releases


def render_item(type_: str, obj: object, autogen_context: object) -> str | bool:
    """Render our column types with plain SQLAlchemy ones.

    Migrations must stay runnable after the models change, so they never
    import ``archive.storage.models``; UTC handling is a Python-side concern only.
    """
    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    return False


def include_name(name: str | None, type_: str, parent_names: object) -> bool:
    """Leave out APScheduler's job table (APScheduler creates and owns it, scheduler.py) and the
    search index the models cannot describe: SQLite's FTS5 table with its shadow tables, and
    PostgreSQL's expression index (both made by migration 0007, docs/search.md)."""
    if type_ == "table":
        return name != SCHEDULER_JOBS_TABLE and not (name or "").startswith(SEARCH_FTS_TABLE)
    return not (type_ == "index" and name == SEARCH_GRAMS_INDEX)


config = context.config
url = config.attributes.get("database_url") or Settings.from_env().database_url


def run_migrations_offline() -> None:
    context.configure(
        url=url,
        target_metadata=Base.metadata,
        literal_binds=True,
        render_as_batch=True,
        render_item=render_item,
        include_name=include_name,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    engine = make_engine(url)
    with engine.connect() as connection:
        is_postgres = connection.dialect.name == "postgresql"
        if is_postgres:
            connection.execute(text("SELECT pg_advisory_lock(:id)"), {"id": MIGRATION_LOCK_ID})
            connection.commit()
        try:
            context.configure(
                connection=connection,
                target_metadata=Base.metadata,
                render_as_batch=True,
                compare_type=True,
                render_item=render_item,
                include_name=include_name,
            )
            with context.begin_transaction():
                context.run_migrations()
        finally:
            if is_postgres:
                connection.execute(
                    text("SELECT pg_advisory_unlock(:id)"), {"id": MIGRATION_LOCK_ID}
                )
                connection.commit()
    engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
