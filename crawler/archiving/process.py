"""The archive in a process of its own: extraction, WARC and database beside the crawl.

In the crawl's interpreter archiving held the reactor back (48 s against 34 s without it); here
the crawl only pickles each batch down a pipe to a child running
:class:`crawler.archiving.archiver.Archiver`. How the child lives, dies and is replaced:
docs/architecture.md ("The archive process"). Its log lines go where the crawl's go.
"""

from __future__ import annotations

import contextlib
import logging
import os
import pickle
import subprocess
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from archive.storage.spool import Spool
from crawler.log_handlers import DATE_FORMAT, FORMAT, log_handlers

logger = logging.getLogger(__name__)
MAX_STARTS = 3
PROTOCOL = 5


@dataclass(frozen=True)
class ArchiveConfig:
    """What the child needs to archive one crawl run."""

    database_url: str
    warc_dir: Path
    spool_dir: Path
    run_id: int
    retry_max: float  # FAZHI_SPOOL_RETRY_MAX
    log_level: str = "INFO"
    log_file: str | None = None  # the crawl's LOG_FILE: the child's lines go there too
    log_stderr: bool = True  # the crawl's FAZHI_LOG_STDERR
    log_format: str = FORMAT  # the crawl's LOG_FORMAT and LOG_DATEFORMAT: one log, one format
    log_dateformat: str = DATE_FORMAT


@dataclass(frozen=True)
class Closing:
    """How the archive ended: whether the spool was emptied, and what it stored late."""

    emptied: bool
    left: int  # records still in the spool
    drained: dict[str, int] = field(default_factory=dict)  # outcomes of spooled records
    outages: int = 0


class ArchiveDied(RuntimeError):
    """The child stopped answering: it died, or never started."""


class ArchiveError(RuntimeError):
    """The child raised; its message says what and where."""


class ArchiveProcess:
    """The crawl's end of the archive child; called from one thread (the batch writer)."""

    def __init__(self, config: ArchiveConfig) -> None:
        self.config = config
        self.starts = 0
        self._child: subprocess.Popen[bytes] | None = None
        self._start()

    def store_batch(self, jobs: Sequence[Any]) -> list[str]:
        """Each job's outcome; the batch is spooled when the child died on it."""
        if self._child is None:
            return self._spool(jobs)
        try:
            outcomes: list[str] = self._call("store", list(jobs))
            return outcomes
        except ArchiveDied as died:
            logger.error("%s; its batch of %d pages goes to the spool", died, len(jobs))
            self._reap()
            outcomes = self._spool(jobs)
            self._start()
            return outcomes

    def finish(self, patience: float) -> Closing:
        """Empty the spool (waiting up to PATIENCE seconds for the database), then stop."""
        closing = None
        if self._child is not None:
            try:
                closing = self._call("finish", patience)
            except ArchiveDied as died:
                logger.error("%s before the spool was emptied", died)
            self._reap()
        return closing or Closing(emptied=False, left=len(Spool(self.config.spool_dir)))

    def _start(self) -> None:
        if self.starts >= MAX_STARTS:
            logger.error(
                "archive process started %d times in this run: the rest is spooled", self.starts
            )
            return
        self.starts += 1
        self._child = subprocess.Popen(
            [sys.executable, "-m", __name__],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            # its own process group: a terminal's Ctrl-C reaches the crawl, which then
            # tells this child to finish, instead of cutting a batch in half
            process_group=0,
        )
        _send(_pipes(self._child)[0], self.config)

    def _call(self, command: str, argument: Any) -> Any:
        child = self._child
        assert child is not None, "called only while a child runs"
        requests, replies = _pipes(child)
        try:
            _send(requests, (command, argument))
            ok, value = pickle.load(replies)
        except (OSError, EOFError, pickle.UnpicklingError) as exc:
            raise ArchiveDied(f"archive process {child.pid} died ({exc!r})") from exc
        if not ok:
            raise ArchiveError(value)
        return value

    def _reap(self) -> None:
        """Close the child's pipes and collect its exit (a dead child's counters are lost)."""
        child, self._child = self._child, None
        assert child is not None, "called only while a child runs"
        for stream in _pipes(child):
            with contextlib.suppress(OSError):  # a broken pipe: the child is gone already
                stream.close()
        code = child.wait()
        if code != 0:
            logger.error("archive process %s exited with %s", child.pid, code)

    def _spool(self, jobs: Sequence[Any]) -> list[str]:
        spool = Spool(self.config.spool_dir)
        for job in jobs:
            spool.put(job)
        return ["spooled"] * len(jobs)


def _pipes(child: subprocess.Popen[bytes]) -> tuple[IO[bytes], IO[bytes]]:
    """The child's stdin and stdout: both pipes, as _start opened them."""
    assert child.stdin is not None and child.stdout is not None
    return child.stdin, child.stdout


def _send(stream: IO[bytes], message: Any) -> None:
    pickle.dump(message, stream, protocol=PROTOCOL)
    stream.flush()


def serve(config: ArchiveConfig, requests: IO[bytes], replies: IO[bytes]) -> None:
    """The child's loop: answer every request until the pipe ends."""
    from crawler.archiving.archiver import Archiver, Backoff  # the archive stack: loaded here only

    archiver = Archiver.open(config.database_url, config.warc_dir, config.spool_dir, config.run_id)
    archiver.backoff = Backoff(most=config.retry_max)
    try:
        while True:
            try:
                command, argument = pickle.load(requests)
            except EOFError:
                return  # the crawl closed the pipe, or died
            try:
                reply = (True, _answer(archiver, command, argument))
            except Exception as exc:  # the crawl decides what a failed call means
                logger.exception("archive process: %s failed", command)
                reply = (False, f"{type(exc).__name__}: {exc}")
            _send(replies, reply)
            if command == "finish":
                return
    finally:
        archiver.close()


def _answer(archiver: Any, command: str, argument: Any) -> Any:
    if command == "store":
        return archiver.store_batch(argument)
    if command == "finish":
        emptied = archiver.finish(argument)
        return Closing(emptied, len(archiver.spool), dict(archiver.drained), archiver.outages)
    raise ValueError(f"unknown command {command!r}")


def main() -> None:
    requests = sys.stdin.buffer
    replies = os.fdopen(os.dup(sys.stdout.fileno()), "wb")
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())  # a stray print must not break the pipe
    config: ArchiveConfig = pickle.load(requests)
    handlers = log_handlers(
        config.log_file,
        config.log_stderr,
        config.log_level,
        config.log_format,
        config.log_dateformat,
    )
    logging.basicConfig(level=config.log_level, handlers=handlers)
    serve(config, requests, replies)


if __name__ == "__main__":
    # Run as the importable module, not as __main__: the classes it sends back (Closing)
    # must unpickle in the crawl as crawler.archiving.process's.
    from crawler.archiving.process import main as module_main

    module_main()
