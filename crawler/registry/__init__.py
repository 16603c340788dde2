"""The source registry: which portals the crawler visits, read from YAML data.

Sources are data, not code: ``crawler/sources/<province>.yaml`` lists the bodies of one
province, and adding a portal is a reviewed edit (docs/sources.md). :func:`load` is the one way
to read it; :meth:`Registry.select` chooses sources from it. A source has four shapes, one
conversion each: the YAML entry (:class:`~crawler.registry.entries.Entry`) becomes a
:class:`Source`, which gives the archive its :class:`~archive.storage.source_info.SourceInfo`
(``Source.info``), which gives the ``source`` row (``SourceInfo.row``).
"""

from crawler.registry.loading import DEFAULT_DIRECTORY, load, read
from crawler.registry.sources import (
    ADHOC_PREFIX,
    Level,
    Politeness,
    Problem,
    Registry,
    RegistryError,
    Render,
    ScheduleOverride,
    Source,
    YearSpan,
    source_from_url,
)

__all__ = [
    "ADHOC_PREFIX",
    "DEFAULT_DIRECTORY",
    "Level",
    "Politeness",
    "Problem",
    "Registry",
    "RegistryError",
    "Render",
    "ScheduleOverride",
    "Source",
    "YearSpan",
    "load",
    "read",
    "source_from_url",
]
