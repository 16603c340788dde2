"""APScheduler's trigger over the archive's schedule policy (pickled into the job store)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from apscheduler.triggers.base import BaseTrigger

from archive.runs.schedule_policy import Policy, next_run

ONE_TICK = dt.timedelta(microseconds=1)


class PolicyTrigger(BaseTrigger):  # type: ignore[misc]  # APScheduler 3 is untyped: Any
    """APScheduler's view of one source's schedule; pickled into the job store."""

    def __init__(self, policy: Policy, slug: str) -> None:
        self.policy = policy
        self.slug = slug

    def get_next_fire_time(
        self, previous_fire_time: dt.datetime | None, now: dt.datetime
    ) -> dt.datetime:
        # Strictly after the previous fire time (so none is fired twice), even if that is
        # before NOW: APScheduler then sees every missed one and coalesces them.
        start = previous_fire_time + ONE_TICK if previous_fire_time else now
        return next_run(self.policy, self.slug, start)

    def __str__(self) -> str:
        return f"policy[{self.slug}: {self.policy.describe()}]"

    def __repr__(self) -> str:
        return f"<PolicyTrigger {self}>"


def fire_times(
    trigger: BaseTrigger, first: dt.datetime, last: dt.datetime
) -> Iterator[dt.datetime]:
    """The trigger's fire times from FIRST to LAST, both included."""
    at: dt.datetime | None = first
    while at is not None and at <= last:
        yield at
        at = trigger.get_next_fire_time(at, last + ONE_TICK)
