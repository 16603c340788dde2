"""APScheduler's SQLAlchemy job store, reading job rows pickled before a module moved.

A stored job names its trigger's class and its function by module path; the paths that
moved since (``archive.storage.pickles``) are followed on load, and the next save writes the
new ones.
"""

from __future__ import annotations

from typing import Any

from apscheduler.job import Job
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore

from archive.storage import pickles


class JobStore(SQLAlchemyJobStore):  # type: ignore[misc]  # APScheduler 3 is untyped: Any
    def _reconstitute_job(self, job_state: bytes) -> Job:
        state: dict[str, Any] = pickles.loads(job_state)
        state["func"] = pickles.moved_ref(state["func"])
        state["jobstore"] = self
        job = Job.__new__(Job)
        job.__setstate__(state)
        job._scheduler = self._scheduler
        job._jobstore_alias = self._alias
        return job
