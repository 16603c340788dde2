"""What a run re-derives per version besides extraction: the seam for the anatomy rules.

A step takes a version id and re-derives its rows from the version's stored text, returning
whether any changed: the anatomy (:mod:`archive.reprocess.anatomy`). A text that extraction
replaces has its anatomy derived with it, as ingestion does; this step re-derives the others'
when the anatomy rules changed.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy.orm import Session

from archive.errors import ArchiveError
from archive.reprocess import anatomy
from archive.reprocess.scope import Only

VersionStep = Callable[[Session, int], bool]
VERSION_STEPS: dict[Only, VersionStep] = {Only.ANATOMY: anatomy.rederive}


class NotAvailable(ArchiveError):
    """A run asked for rules this archive does not have yet."""


def version_steps(only: Only) -> dict[Only, VersionStep]:
    """The per-version steps ONLY asks for; raises :class:`NotAvailable` for a missing one
    asked for by name."""
    if only is Only.EXTRACTION:
        return {}
    if only is not Only.ALL and only not in VERSION_STEPS:
        raise NotAvailable(f"--only {only}: this archive has no {only} rules yet")
    return {k: v for k, v in VERSION_STEPS.items() if only in (k, Only.ALL)}
