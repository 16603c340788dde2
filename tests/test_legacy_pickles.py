"""Pickles written before the house restructuring still load (tests/fixtures/legacy/).

The fixtures were written by commit fcb5412 through its own module paths
(tests/fixtures/tools/legacy_pickles.py): a spooled crawl job naming
``archive.source_info.SourceInfo``, and APScheduler job rows naming ``scheduler.PolicyTrigger``,
``archive.schedule_policy.Policy`` and ``scheduler:scheduled_crawl``.
"""

from __future__ import annotations

import dataclasses
import pickle
import shutil
import sqlite3
from pathlib import Path

import pytest

from archive.config import Settings
from archive.storage.source_info import SourceInfo
from archive.storage.spool import Spool
from crawler.items import Job, PageItem
from crawler.registry import load
from crawler.scheduling import service as scheduling
from crawler.scheduling.runner import CrawlCommand
from crawler.scheduling.triggers import PolicyTrigger

LEGACY = Path(__file__).resolve().parent / "fixtures" / "legacy"


def test_the_fixtures_name_modules_that_are_gone() -> None:
    with pytest.raises(ModuleNotFoundError, match=r"archive\.source_info"):
        pickle.loads((LEGACY / "spool.pickle").read_bytes())


def test_an_old_spool_file_loads_and_is_not_quarantined(tmp_path: Path) -> None:
    spool = Spool(tmp_path / "spool")
    spool.directory.mkdir()
    shutil.copy(LEGACY / "spool.pickle", spool.directory / "00000000000000000001-1-00000000.pickle")
    (entry,) = spool.pending()
    job = entry.record
    assert isinstance(job, Job) and isinstance(job.item, PageItem)
    assert isinstance(job.source, SourceInfo)
    assert job.source.agency == "A县人民政府"
    assert job.item.url.endswith("/report.html")
    assert not spool.failed.exists()


def test_an_old_job_store_loads_with_its_due_times(tmp_path: Path) -> None:
    database = tmp_path / "jobs.sqlite3"
    shutil.copy(LEGACY / "jobs.sqlite3", database)
    with sqlite3.connect(database) as conn:
        stored = dict(conn.execute("SELECT id, next_run_time FROM apscheduler_jobs"))
    url = f"sqlite:///{database}"
    settings = dataclasses.replace(Settings.from_env(), database_url=url, data_dir=tmp_path)
    # Read without syncing: a job that failed to load would be dropped, not recreated.
    due = scheduling.stored_next_runs(settings)
    assert {job_id: at.timestamp() for job_id, at in due.items() if at} == stored
    registry = load(LEGACY / "registry.yaml")
    service = scheduling.Service(settings, registry, CrawlCommand(url, LEGACY / "registry.yaml"))
    service.start(paused=True)
    try:
        jobs = {job.id: job for job in service.scheduler.get_jobs()}
        assert set(jobs) == set(stored) == {"crawl:portal-a", "crawl:portal-b", "expectations"}
        assert isinstance(jobs["crawl:portal-a"].trigger, PolicyTrigger)
        assert jobs["crawl:portal-a"].func is scheduling.scheduled_crawl
        assert jobs["expectations"].func is scheduling.check_expectations
    finally:
        service.shutdown()
