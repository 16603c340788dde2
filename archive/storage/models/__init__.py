"""The archive's schema: a public contract for the researchers who query it.

Every table and column carries a ``comment=`` so ``\\d+`` in psql documents
itself; constraint names come from one naming convention so SQLite and
PostgreSQL migrations name things alike and later migrations can drop them.
The tables are grouped by what they record: reports and their captures
(``reports``), their derived anatomy (``anatomy``), crawls and the scheduler
(``runs``), the divisions expected to publish (``divisions``), what `fazhi reprocess` did
(``reprocessing``); importing this package declares them all on ``Base``.
"""

from archive.storage.models.anatomy import (
    VersionAnatomy,
    VersionFigure,
    VersionPart,
    VersionSection,
)
from archive.storage.models.base import Base, UTCDateTime
from archive.storage.models.divisions import AdminDivision
from archive.storage.models.reports import (
    Attachment,
    Fetch,
    Report,
    ReportVersion,
    SearchDoc,
    Sighting,
    Source,
    VersionBand,
)
from archive.storage.models.reprocessing import REPROCESS_PHASES, ReprocessRun, VersionHistory
from archive.storage.models.runs import (
    SCHEDULE_EVENT_KINDS,
    SCHEDULER_JOBS_TABLE,
    SKIP_REASONS,
    CrawlRun,
    ScheduleEvent,
    SkippedLink,
)

__all__ = [
    "REPROCESS_PHASES",
    "SCHEDULER_JOBS_TABLE",
    "SCHEDULE_EVENT_KINDS",
    "SKIP_REASONS",
    "AdminDivision",
    "Attachment",
    "Base",
    "CrawlRun",
    "Fetch",
    "Report",
    "ReportVersion",
    "ReprocessRun",
    "ScheduleEvent",
    "SearchDoc",
    "Sighting",
    "SkippedLink",
    "Source",
    "UTCDateTime",
    "VersionAnatomy",
    "VersionBand",
    "VersionFigure",
    "VersionHistory",
    "VersionPart",
    "VersionSection",
]
