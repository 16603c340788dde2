"""The reading room's ASGI application: routers, security headers, errors that explain.

An error is an answer, never a traceback: 404 for an unknown report, version or file; 400 for
a parameter the API cannot use; 422 for one of the wrong type or out of range; 503 when the
database does not answer. Under ``/api/`` (and for anything asking for JSON) the body is
``{"error": {"status", "message"}}``; a person gets the same message on a page.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from fastapi import Depends, FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from sqlalchemy.exc import DBAPIError, OperationalError
from starlette.exceptions import HTTPException

from archive.storage.queries import NotFound
from reading_room import api, documents, pages
from reading_room.captures import CaptureMissing
from reading_room.database import read_only_engine
from reading_room.links import BadRequest
from reading_room.parameters import one_value_each
from reading_room.security import SecurityHeaders
from reading_room.templating import STATIC, render

log = logging.getLogger(__name__)
TITLE = "fazhi-archive reading room"


def create_app(database_url: str, data_dir: Path) -> FastAPI:
    """The app over the archive at DATABASE_URL, its WARC files under DATA_DIR."""
    app = FastAPI(
        title=TITLE,
        summary="法治政府建设情况报告: every archived report, version and sighting, read-only.",
        version="1",
        openapi_url="/api/v1/openapi.json",
        docs_url=None,  # Swagger UI loads its scripts from a CDN and runs inline ones
        redoc_url=None,
        dependencies=[Depends(one_value_each)],
    )
    app.state.engine = read_only_engine(database_url)
    app.state.data_dir = data_dir
    app.include_router(api.router)
    app.include_router(pages.router)
    app.include_router(documents.router)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    app.add_middleware(SecurityHeaders)
    for kind, handler in _HANDLERS.items():
        app.add_exception_handler(kind, handler)
    return app


def _wants_json(request: Request) -> bool:
    return request.url.path.startswith("/api/") or "application/json" in request.headers.get(
        "accept", ""
    )


def error(
    request: Request, status: int, message: str, details: list[dict[str, Any]] | None = None
) -> Response:
    if _wants_json(request):
        body: dict[str, Any] = {"status": status, "message": message}
        if details is not None:
            body["details"] = details
        return JSONResponse({"error": body}, status_code=status)
    return render(request, "error.html", {"status": status, "message": message}, status=status)


async def _http(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    response = error(request, exc.status_code, str(exc.detail))
    response.headers.update(exc.headers or {})
    return response


async def _not_found(request: Request, exc: Exception) -> Response:
    return error(request, 404, str(exc))


async def _bad_request(request: Request, exc: Exception) -> Response:
    return error(request, 400, str(exc))


async def _invalid(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    problems = [
        {"where": ".".join(map(str, e.get("loc", ()))), "problem": e.get("msg", "")}
        for e in exc.errors()
    ]
    message = "; ".join(f"{p['where']}: {p['problem']}" for p in problems) or "invalid request"
    return error(request, 422, message, jsonable_encoder(problems))


async def _database(request: Request, exc: Exception) -> Response:
    log.warning("database error on %s: %s", request.url.path, exc)
    if isinstance(exc, OperationalError):
        return error(request, 503, "the archive's database is not answering; try again soon")
    return error(request, 400, "the database refused this request's parameters")


async def _unexpected(request: Request, exc: Exception) -> Response:
    log.exception("unexpected error on %s", request.url.path, exc_info=exc)
    return error(request, 500, "unexpected error (logged); please report it")


_HANDLERS = {
    HTTPException: _http,
    NotFound: _not_found,
    CaptureMissing: _not_found,
    BadRequest: _bad_request,
    RequestValidationError: _invalid,
    DBAPIError: _database,
    Exception: _unexpected,
}
