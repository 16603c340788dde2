"""The anatomy step: a version's sections, parts and figures derived again from its stored
text by today's anatomy rules (:mod:`archive.anatomy`), written only where they differ from
the stored rows or were made by other rules (``anatomy_version``)."""

from __future__ import annotations

import dataclasses

from sqlalchemy import select
from sqlalchemy.orm import Session

from archive.anatomy import ANATOMY_VERSION
from archive.anatomy.analysis import Anatomy, analyse
from archive.storage import anatomies
from archive.storage.models import Report, ReportVersion


def rederive(session: Session, version_id: int) -> bool:
    """Version VERSION_ID's anatomy as today's rules make it; whether its rows changed."""
    version = session.scalars(
        select(ReportVersion).where(ReportVersion.id == version_id).options(*anatomies.LOADS)
    ).one()
    report = session.execute(
        select(Report.report_year, Report.agency).where(Report.id == version.report_id)
    ).one()
    current = version.anatomy is not None and version.anatomy.anatomy_version == ANATOMY_VERSION
    fresh = analyse(version.text, report.report_year, report.agency)
    if current and _in_order(anatomies.stored(version)) == _in_order(fresh):
        return False
    anatomies.store(session, version_id, version.text, report.report_year, report.agency)
    return True


def _in_order(anatomy: Anatomy | None) -> Anatomy | None:
    """Figures in the order they are stored and read back (by offset, then indicator)."""
    if anatomy is None:
        return None
    figures = sorted(anatomy.figures, key=lambda f: (f.start, f.indicator))
    return dataclasses.replace(anatomy, figures=tuple(figures))
