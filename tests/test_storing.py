"""The archiver's storing: batches, outages, and a bad record that costs only itself."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session

from archive.storage import db
from archive.storage.db import is_outage
from archive.storage.models import Fetch
from archive.storage.spool import Spool
from archive.storage.warc import WarcWriter
from crawler.archiving.archiver import Archiver, Backoff
from crawler.items import FailureItem, Job, PageItem

NOW = dt.datetime(2025, 3, 1, 8, 0, tzinfo=dt.UTC)


def page(url: str) -> PageItem:
    headers = {"Content-Type": "text/html; charset=utf-8"}
    return PageItem(url, 200, headers, b"<html><body>list</body></html>", NOW, "s", "listing")


def test_a_bad_record_is_quarantined_and_the_rest_of_its_batch_stored(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/a.sqlite3"
    db.upgrade(url)
    engine = db.make_engine(url)
    spool = Spool(tmp_path / "spool")
    with WarcWriter(tmp_path / "warc", 1, sync_each=False) as warc:
        archiver = Archiver(engine, warc, spool)
        orphan = FailureItem("http://x.gov.cn/b", "timeout", NOW, "s")  # run 999 does not exist
        jobs = [Job(page("http://x.gov.cn/a"), None, None), Job(orphan, 999, None),
                Job(page("http://x.gov.cn/c"), None, None)]  # fmt: skip
        assert archiver.store_batch(jobs) == ["listing", "rejected", "listing"]
    with Session(engine) as session:
        stored = session.scalars(select(Fetch.url).order_by(Fetch.id)).all()
    assert stored == ["http://x.gov.cn/a", "http://x.gov.cn/c"]
    assert len(spool) == 0
    (kept,) = (tmp_path / "spool" / "failed").glob("*.pickle")
    assert "IntegrityError" in kept.with_suffix(".reason.txt").read_text()


def test_backoff_doubles_to_its_cap_and_resets() -> None:
    now = [0.0]
    backoff = Backoff(first=1, most=5, clock=lambda: now[0])
    assert not backoff.down and backoff.due()
    waits = []
    for _ in range(5):
        backoff.failed()
        waits.append(backoff.wait)
    assert waits == [1, 2, 4, 5, 5]
    assert not backoff.due()
    now[0] = 5.0
    assert backoff.due()
    backoff.succeeded()
    assert not backoff.down


@pytest.mark.parametrize(
    ("exc", "outage"),
    [
        (OperationalError("SELECT 1", {}, Exception("connection refused")), True),
        (IntegrityError("INSERT", {}, Exception("duplicate key")), False),
        (ValueError("a bug"), False),
    ],
)
def test_only_an_unreachable_database_is_an_outage(exc: Exception, outage: bool) -> None:
    assert is_outage(exc) is outage


def test_a_spooled_record_the_database_refuses_does_not_block_the_spool(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/a.sqlite3"
    db.upgrade(url)
    engine = db.make_engine(url)
    spool = Spool(tmp_path / "spool")
    spool.put(Job(FailureItem("http://x.gov.cn/b", "timeout", NOW, "s"), 999, None))  # no run 999
    spool.put(Job(page("http://x.gov.cn/c"), None, None))
    with WarcWriter(tmp_path / "warc", 1, sync_each=False) as warc:
        archiver = Archiver(engine, warc, spool)
        assert archiver.store_batch([Job(page("http://x.gov.cn/a"), None, None)]) == ["listing"]
    with Session(engine) as session:
        stored = session.scalars(select(Fetch.url).order_by(Fetch.id)).all()
    assert stored == ["http://x.gov.cn/c", "http://x.gov.cn/a"]  # the spool first, in order
    assert len(spool) == 0
    assert archiver.drained == {"listing": 1}
    (kept,) = (tmp_path / "spool" / "failed").glob("*.pickle")
    assert "IntegrityError" in kept.with_suffix(".reason.txt").read_text()
