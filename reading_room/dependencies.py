"""What a request handler is given (FastAPI dependencies): a read-only session, the links."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.orm import Session

from reading_room.database import reading
from reading_room.links import Links


def _session(request: Request) -> Iterator[Session]:
    with reading(request.app.state.engine) as db:
        yield db


def _links(request: Request) -> Links:
    return Links(str(request.base_url))


def _data_dir(request: Request) -> Path:
    data_dir: Path = request.app.state.data_dir
    return data_dir


Db = Annotated[Session, Depends(_session)]
Urls = Annotated[Links, Depends(_links)]
DataDir = Annotated[Path, Depends(_data_dir)]
