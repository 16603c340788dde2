"""What every `fazhi` command shares: the database option, sessions, clean errors."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated

import typer
from sqlalchemy.orm import Session

from archive.config import Settings
from archive.storage import db

DbOption = Annotated[
    str | None, typer.Option("--db", help="Database URL (default: FAZHI_DATABASE_URL).")
]


def fail(message: str) -> typer.Exit:
    """Print one clean line on stderr; the caller raises the returned Exit(1)."""
    typer.secho(f"error: {message}", err=True, fg=typer.colors.RED)
    return typer.Exit(1)


def database_url(url: str | None) -> str:
    return url or Settings.from_env().database_url


@contextmanager
def session_for(url: str | None) -> Iterator[Session]:
    """A session on the archive; the engine is disposed when the command ends."""
    engine = db.make_engine(database_url(url))
    try:
        with Session(engine) as session:
            yield session
    finally:
        engine.dispose()
