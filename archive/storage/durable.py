"""Writes that survive a power cut: the file's bytes and its directory entry both on disk.

The WARC files and the spool each promise that what they wrote is there after a crash;
both need the directory fsynced too, or a new file can vanish whole.
"""

from __future__ import annotations

import os
from pathlib import Path


def fsync_directory(directory: Path) -> None:
    """Make a new (or renamed) file's directory entry durable, not only its contents."""
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_atomically(path: Path, data: bytes) -> Path:
    """Write-then-rename with fsyncs: a crash leaves the old state or the new, never half."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    with partial.open("wb") as file:
        file.write(data)
        file.flush()
        os.fsync(file.fileno())
    partial.replace(path)
    fsync_directory(path.parent)
    return path
