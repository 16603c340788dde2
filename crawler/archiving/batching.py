"""One writer thread that stores items in batches: group commit for the archive.

Every stored page costs a database commit and a WARC fsync, and both wait for
the disk. Done per page in the reactor, they stall the downloads; done per page
in a thread, the disk still sets the pace. Items that arrive while a batch is
being written wait and go together in the next one: one fsync and one commit
for all of them. Under light load a batch
is a single item, so nothing waits for company.
"""

from __future__ import annotations

import enum
import logging
import queue
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import Future
from typing import Final, Generic, TypeVar

logger = logging.getLogger(__name__)

Item = TypeVar("Item")
Result = TypeVar("Result")


class _Stop(enum.Enum):
    """The end-of-queue marker: an enum member, so that ``is _STOP`` narrows its type."""

    STOP = enum.auto()


_STOP: Final = _Stop.STOP


class BatchWriter(Generic[Item, Result]):
    """Hands batches of submitted items to ``write`` in one thread, in submission order.

    ``write`` returns one result per item; if it raises, every item of that
    batch gets the exception (the caller decides what a failed batch means).
    """

    def __init__(
        self, write: Callable[[Sequence[Item]], Sequence[Result]], max_batch: int = 64
    ) -> None:
        self.write = write
        self.max_batch = max_batch
        self.batches = 0
        self._queue: queue.SimpleQueue[tuple[Item, Future[Result]] | _Stop] = queue.SimpleQueue()
        self._thread = threading.Thread(target=self._run, name="fazhi-archive", daemon=True)
        self._thread.start()

    def submit(self, item: Item) -> Future[Result]:
        future: Future[Result] = Future()
        self._queue.put((item, future))
        return future

    def close(self) -> None:
        """Write what is queued, then stop the thread."""
        self._queue.put(_STOP)
        self._thread.join()

    def _run(self) -> None:
        while True:
            batch, stop = self._next_batch()
            if batch:
                self._write(batch)
            if stop:
                return

    def _next_batch(self) -> tuple[list[tuple[Item, Future[Result]]], bool]:
        first = self._queue.get()
        if first is _STOP:
            return [], True
        batch = [first]
        while len(batch) < self.max_batch:
            try:
                entry = self._queue.get_nowait()
            except queue.Empty:
                break
            if entry is _STOP:
                return batch, True
            batch.append(entry)
        return batch, False

    def _write(self, batch: list[tuple[Item, Future[Result]]]) -> None:
        self.batches += 1
        try:
            results = self.write([item for item, _ in batch])
        except Exception as exc:  # handed to every waiting caller
            for _, future in batch:
                future.set_exception(exc)
            return
        for (_, future), result in zip(batch, results, strict=True):
            future.set_result(result)
