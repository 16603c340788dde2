"""Pickles written before a module moved still load: old class paths map to today's.

The spool (``FAZHI_DATA_DIR/spool``) and APScheduler's job store keep pickles, and a pickle
names the module of every class in it. When a module moves, files and job rows written by
the old code must still load, so every move is recorded here, old path to new, and
:func:`loads` reads through the table. Entries are never removed: a spool file can wait
through any number of upgrades. The renames are listed in docs/history/2026-12-07-house.md.
"""

from __future__ import annotations

import io
import pickle
from typing import Any

#: Whole modules that moved (2026-12-07, the house restructuring).
MOVED_MODULES: dict[str, str] = {
    "archive.agency": "archive.extract.agency",
    "archive.binary_sniff": "archive.extract.binary_sniff",
    "archive.boilerplate": "archive.extract.boilerplate",
    "archive.charset": "archive.extract.charset",
    "archive.classify": "archive.extract.classify",
    "archive.dates": "archive.extract.dates",
    "archive.db": "archive.storage.db",
    "archive.dedup": "archive.storage.dedup",
    "archive.documents": "archive.extract.documents",
    "archive.dom": "archive.extract.dom",
    "archive.durable": "archive.storage.durable",
    "archive.export": "archive.storage.export",
    "archive.extract": "archive.extract.page",
    "archive.gbk_realign": "archive.extract.repair.gbk_realign",
    "archive.models": "archive.storage.models",
    "archive.pinyin_annotations": "archive.extract.repair.pinyin_annotations",
    "archive.pipeline": "archive.ingest",
    "archive.plausibility": "archive.extract.repair.plausibility",
    "archive.region": "archive.extract.region",
    "archive.repair": "archive.extract.repair",
    "archive.reports": "archive.storage.queries",
    "archive.resume": "archive.runs.resume",
    "archive.runs": "archive.runs.history",
    "archive.schedule_policy": "archive.runs.schedule_policy",
    "archive.schema_doc": "archive.storage.schema_doc",
    "archive.script": "archive.extract.zh_script",
    "archive.source_info": "archive.storage.source_info",
    "archive.spool": "archive.storage.spool",
    "archive.store": "archive.storage.versions",
    "archive.textlines": "archive.extract.textlines",
    "archive.verdict": "archive.runs.verdict",
    "archive.warc": "archive.storage.warc",
    "archive.whitespace": "archive.extract.repair.whitespace",
    "crawler.archive_process": "crawler.archiving.process",
    "crawler.batching": "crawler.archiving.batching",
    "crawler.resume": "crawler.replay",
    "crawler.run": "crawler.launch",
    "crawler.storing": "crawler.archiving.archiver",
}

#: Single names that moved out of a module that still exists (``scheduler`` is now only the
#: scheduler's entry point).
MOVED_NAMES: dict[tuple[str, str], tuple[str, str]] = {
    ("scheduler", "PolicyTrigger"): ("crawler.scheduling.triggers", "PolicyTrigger"),
    ("scheduler", "scheduled_crawl"): ("crawler.scheduling.service", "scheduled_crawl"),
    ("scheduler", "check_expectations"): ("crawler.scheduling.service", "check_expectations"),
}


def moved(module: str, name: str) -> tuple[str, str]:
    """Where MODULE.NAME lives today."""
    if (module, name) in MOVED_NAMES:
        return MOVED_NAMES[module, name]
    return MOVED_MODULES.get(module, module), name


def moved_ref(ref: str) -> str:
    """A ``module:name`` text reference (APScheduler's job functions), as it reads today."""
    module, sep, name = ref.partition(":")
    if not sep:
        return ref
    module, name = moved(module, name)
    return f"{module}:{name}"


class _Unpickler(pickle.Unpickler):
    def find_class(self, module: str, name: str) -> Any:
        return super().find_class(*moved(module, name))


def loads(data: bytes) -> Any:
    """``pickle.loads`` for pickles this installation wrote, with moved classes followed."""
    return _Unpickler(io.BytesIO(data)).load()
