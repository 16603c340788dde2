"""A version's anatomy, derived and stored in the writer's transaction (and read back as JSON).

``archive.storage.versions`` calls :func:`store` for every new version, again when a version
moves to another report (its year or body may change), and :func:`drop` before it deletes one,
so every version written by ingestion has its anatomy and a failed ingest leaves none. Storing
replaces whatever rows the version had: deriving again with newer rules is the same call.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import delete, insert
from sqlalchemy.orm import Session, selectinload

from archive.anatomy import ANATOMY_VERSION
from archive.anatomy.analysis import Anatomy, Section, analyse, to_json
from archive.anatomy.figures import Figure
from archive.anatomy.parts import PartSpan
from archive.storage.models import (
    ReportVersion,
    VersionAnatomy,
    VersionFigure,
    VersionPart,
    VersionSection,
)

if TYPE_CHECKING:
    from archive.extract.page import Extracted

_DERIVED = (VersionSection, VersionPart, VersionFigure, VersionAnatomy)
# Loader options for reading the anatomies of many versions at once (:func:`stored`).
LOADS = (
    selectinload(ReportVersion.anatomy),
    selectinload(ReportVersion.sections),
    selectinload(ReportVersion.part_spans),
    selectinload(ReportVersion.figures),
)


def store_extracted(session: Session, version_id: int, extracted: Extracted) -> Anatomy:
    """Derive and store the anatomy of a version just written from EXTRACTED."""
    return store(session, version_id, extracted.text, extracted.report_year, extracted.agency)


def store(
    session: Session, version_id: int, text: str, report_year: int | None, agency: str | None
) -> Anatomy:
    anatomy = analyse(text, report_year, agency)
    drop(session, version_id)
    session.execute(
        insert(VersionAnatomy).values(
            version_id=version_id,
            anatomy_version=ANATOMY_VERSION,
            report_year=anatomy.year,
            parts_present=anatomy.parts_present,
        )
    )
    rows: dict[type[VersionSection | VersionPart | VersionFigure], list[dict[str, Any]]] = {
        VersionSection: [
            {
                "ordinal": i,
                "title": s.title,
                "level": s.level,
                "part": s.part,
                "char_start": s.start,
                "char_end": s.end,
            }
            for i, s in enumerate(anatomy.sections)
        ],
        VersionPart: [
            {"ordinal": i, "part": p.part, "char_start": p.start, "char_end": p.end}
            for i, p in enumerate(anatomy.part_spans)
        ],
        VersionFigure: [
            {
                "indicator": f.indicator,
                "value": f.value,
                "unit": f.unit,
                "year": f.year,
                "evidence": f.evidence,
                "char_start": f.start,
                "char_end": f.end,
                "number_start": f.number_start,
                "number_end": f.number_end,
            }
            for f in anatomy.figures
        ],
    }
    for model, values in rows.items():
        if values:
            common = {"version_id": version_id, "anatomy_version": ANATOMY_VERSION}
            session.execute(insert(model), [common | row for row in values])
    return anatomy


def drop(session: Session, version_id: int) -> None:
    for model in _DERIVED:
        session.execute(
            delete(model)
            .where(model.version_id == version_id)
            .execution_options(synchronize_session=False)
        )


def stored(version: ReportVersion) -> Anatomy | None:
    """The stored anatomy of VERSION, None if never derived (load many versions with LOADS)."""
    if version.anatomy is None:
        return None
    return Anatomy(
        version.anatomy.report_year,
        tuple(
            Section(s.title, s.level, s.part, s.char_start, s.char_end) for s in version.sections
        ),
        tuple(PartSpan(p.part, p.char_start, p.char_end) for p in version.part_spans),
        tuple(
            Figure(
                f.indicator,
                f.value,
                f.unit,
                f.year,
                f.evidence,
                f.char_start,
                f.char_end,
                f.number_start,
                f.number_end,
            )
            for f in version.figures
        ),
    )


def stored_json(version: ReportVersion) -> dict[str, Any] | None:
    """The stored anatomy in `fazhi reports anatomy --json`'s shape; None if never derived."""
    anatomy = stored(version)
    return to_json(anatomy) if anatomy is not None else None
