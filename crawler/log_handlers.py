"""Where a crawl's log goes, for the crawl and its archive child alike: its file, stderr, or
both, in one format, so the two processes' lines interleave in the same file as one log."""

from __future__ import annotations

import logging
from pathlib import Path

FORMAT = "%(asctime)s [%(name)s] %(levelname)s: %(message)s"  # Scrapy's LOG_FORMAT
DATE_FORMAT = "%Y-%m-%d %H:%M:%S"  # Scrapy's LOG_DATEFORMAT


def log_handlers(
    path: str | None,
    to_stderr: bool,
    level: str,
    fmt: str = FORMAT,
    datefmt: str = DATE_FORMAT,
    encoding: str = "utf-8",
) -> list[logging.Handler]:
    """A handler for the log file PATH (its folder made) and, with TO_STDERR or without a
    file, one for stderr; each at LEVEL, formatted alike. The caller installs them."""
    handlers: list[logging.Handler] = []
    if path:
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        handlers.append(logging.FileHandler(path, encoding=encoding))
    if to_stderr or not path:
        handlers.append(logging.StreamHandler())
    formatter = logging.Formatter(fmt, datefmt)
    for handler in handlers:
        handler.setFormatter(formatter)
        handler.setLevel(level)
    return handlers
