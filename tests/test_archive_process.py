"""The archive child process: it stores what the crawl sends, and a dead one loses nothing."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from archive.storage import db
from archive.storage.models import Fetch
from archive.storage.spool import Spool
from crawler.archiving import process as archive_process
from crawler.archiving.process import ArchiveConfig, ArchiveError, ArchiveProcess
from crawler.items import Job
from tests.test_storing import page

pytestmark = pytest.mark.slow


@pytest.fixture
def config(tmp_path: Path) -> ArchiveConfig:
    url = f"sqlite:///{tmp_path}/a.sqlite3"
    db.upgrade(url)
    return ArchiveConfig(url, tmp_path / "warc", tmp_path / "spool", run_id=1, retry_max=1.0)


def jobs(*paths: str) -> list[Job]:
    return [Job(page(f"http://x.gov.cn/{p}"), None, None) for p in paths]


def stored_urls(config: ArchiveConfig) -> list[str]:
    engine = db.make_engine(config.database_url)
    with Session(engine) as session:
        urls = session.scalars(select(Fetch.url).order_by(Fetch.url)).all()
    engine.dispose()
    return [u.rsplit("/", 1)[1] for u in urls]


def kill(archive: ArchiveProcess) -> None:
    os.kill(archive._child.pid, signal.SIGKILL)
    archive._child.wait()


def test_batches_are_stored_by_the_child_and_it_leaves_at_finish(config: ArchiveConfig) -> None:
    archive = ArchiveProcess(config)
    child = archive._child
    assert archive.store_batch(jobs("a", "b")) == ["listing", "listing"]
    closing = archive.finish(patience=1)
    assert closing.emptied and closing.left == 0
    assert child.returncode == 0
    assert stored_urls(config) == ["a", "b"]
    assert list(config.warc_dir.glob("*.warc.gz"))  # the child wrote the WARC records


def test_a_dead_child_s_batch_is_spooled_and_stored_by_the_next(config: ArchiveConfig) -> None:
    archive = ArchiveProcess(config)
    assert archive.store_batch(jobs("a")) == ["listing"]
    kill(archive)
    assert archive.store_batch(jobs("b", "c")) == ["spooled", "spooled"]
    assert archive.starts == 2
    assert archive.store_batch(jobs("d")) == ["listing"]  # the spool went first
    closing = archive.finish(patience=1)
    assert closing.emptied and closing.drained == {"listing": 2}
    assert stored_urls(config) == ["a", "b", "c", "d"]
    assert len(Spool(config.spool_dir)) == 0


def test_after_max_starts_the_rest_waits_in_the_spool(config: ArchiveConfig) -> None:
    archive = ArchiveProcess(config)
    for n in range(archive_process.MAX_STARTS):
        kill(archive)
        assert archive.store_batch(jobs(f"k{n}")) == ["spooled"]
    assert archive._child is None  # no fourth child
    assert archive.store_batch(jobs("late")) == ["spooled"]
    closing = archive.finish(patience=1)
    assert not closing.emptied and closing.left == archive_process.MAX_STARTS + 1
    assert stored_urls(config) == []  # the next crawl's archive stores them


def test_ctrl_c_misses_the_child_and_it_leaves_when_its_pipe_closes(config: ArchiveConfig) -> None:
    archive = ArchiveProcess(config)
    child = archive._child
    # a terminal's Ctrl-C goes to the crawl's process group: the child is in its own
    assert os.getpgid(child.pid) == child.pid != os.getpgid(0)
    assert archive.store_batch(jobs("a")) == ["listing"]
    child.stdin.close()  # what the crawl process dying does to it
    deadline = time.monotonic() + 30
    while child.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    assert child.returncode == 0
    child.stdout.close()
    assert stored_urls(config) == ["a"]


def test_an_error_in_the_child_is_raised_in_the_crawl(config: ArchiveConfig) -> None:
    archive = ArchiveProcess(config)
    with pytest.raises(ArchiveError, match="unknown command 'nonsense'"):
        archive._call("nonsense", None)
    assert archive.store_batch(jobs("a")) == ["listing"]  # and it goes on
    archive.finish(patience=1)
