"""Jinja2 for the pages: autoescaped everywhere, with the few filters the templates share.

Autoescaping is switched on for every template explicitly (not left to the file suffix), so a
title with ``<script>`` is text wherever it lands. The one piece of markup that is not escaped
is a search snippet's ``<mark>``, which the search module escapes itself before marking.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, StrictUndefined
from starlette.templating import Jinja2Templates

from archive.coverage.deadline import TIMELINESS
from reading_room.coverage import MEASURE_LABELS
from reading_room.links import Links, external

HERE = Path(__file__).resolve().parent
STATIC = HERE / "static"


def _date(value: dt.date | dt.datetime | None) -> str:
    if value is None:
        return "—"
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    return value.isoformat()


def _size(value: int | None) -> str:
    if value is None:
        return "—"
    if value < 1024:
        return f"{value} B"
    if value < 1024**2:
        return f"{value / 1024:.1f} KiB"
    return f"{value / 1024**2:.1f} MiB"


def _environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(HERE / "templates"),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["date"] = _date
    env.filters["size"] = _size
    env.filters["external"] = external
    # the search facet names a report's timeliness as the coverage matrix names its measures
    env.globals["timeliness_labels"] = {name: MEASURE_LABELS[name][0] for name in TIMELINESS}
    return env


TEMPLATES = Jinja2Templates(env=_environment())


def render(request: Request, name: str, context: dict[str, Any], status: int = 200) -> HTMLResponse:
    """Template NAME with CONTEXT, the request and its links."""
    response: HTMLResponse = TEMPLATES.TemplateResponse(
        request,
        name,
        {"links": Links(str(request.base_url)), **context},
        status_code=status,
    )
    return response
