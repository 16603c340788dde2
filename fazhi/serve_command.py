"""`fazhi serve`: the reading room over the archive, read-only (docs/reading-room.md)."""

from __future__ import annotations

from typing import Annotated

import typer

from archive.config import Settings
from archive.storage.db import redact
from fazhi.common import DbOption, database_url, fail


def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help="Port to listen on.")] = 8000,
    database: DbOption = None,
) -> None:
    """Serve the reading room: reports, versions side by side, coverage, feeds, JSON API."""
    import uvicorn

    from reading_room.app import create_app
    from reading_room.database import ArchiveUnavailable

    url = database_url(database)
    try:
        app = create_app(url, Settings.from_env().data_dir)
    except ArchiveUnavailable as exc:
        raise fail(str(exc)) from exc
    shown = f"[{host}]" if ":" in host else host
    typer.echo(f"reading room of {redact(url)} (read-only): http://{shown}:{port}/")
    uvicorn.run(app, host=host, port=port, log_level="warning", server_header=False)
