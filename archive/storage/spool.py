"""A disk spool for what could not reach the database: kept in order, survives restarts.

While the database is down each record is written here (``FAZHI_DATA_DIR/spool/``), one pickled
file per record, and stored later, oldest first; a record the database refuses for another
reason goes to ``failed/`` with its reason. The contract with the caller and why pickles:
docs/reliability.md ("The spool").
"""

from __future__ import annotations

import itertools
import os
import pickle
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from archive.storage import pickles
from archive.storage.durable import write_atomically

SUFFIX = ".pickle"


@dataclass(frozen=True)
class Spooled:
    path: Path
    record: Any


class Spool:
    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.failed = directory / "failed"
        self._serial = itertools.count()

    def put(self, record: Any) -> Path:
        """Write RECORD durably; files sort in the order they were put."""
        name = f"{time.time_ns():020d}-{os.getpid()}-{next(self._serial):08d}{SUFFIX}"
        return write_atomically(self.directory / name, pickle.dumps(record, protocol=5))

    def __len__(self) -> int:
        return sum(1 for _ in self._paths())

    def pending(self) -> Iterator[Spooled]:
        """Every spooled record, oldest first; unreadable files are quarantined on the way."""
        for path in self._paths():
            try:
                record = pickles.loads(path.read_bytes())  # our own files, maybe from older code
            except FileNotFoundError:
                continue  # another process stored it meanwhile
            except Exception as exc:  # whatever broke it, keep the bytes
                self.quarantine(path, f"unreadable spool file: {exc!r}")
                continue
            yield Spooled(path, record)

    def remove(self, entry: Spooled) -> None:
        entry.path.unlink(missing_ok=True)

    def quarantine(self, path: Path, reason: str) -> Path:
        """Move a spool file to ``failed/`` with its reason beside it."""
        self.failed.mkdir(parents=True, exist_ok=True)
        target = self.failed / path.name
        write_atomically(target.with_suffix(".reason.txt"), reason.encode("utf-8"))
        path.replace(target)
        return target

    def _paths(self) -> list[Path]:
        if not self.directory.is_dir():
            return []
        return sorted(p for p in self.directory.iterdir() if p.name.endswith(SUFFIX))
