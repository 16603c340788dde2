"""The archive's group commit: one writer thread, batches in submission order."""

from __future__ import annotations

import threading
from collections.abc import Sequence

import pytest

from crawler.archiving.batching import BatchWriter


def test_items_queued_during_a_write_go_together_in_order() -> None:
    release = threading.Event()
    batches: list[list[int]] = []

    def write(items: Sequence[int]) -> list[int]:
        release.wait(5)  # the first batch holds the thread while the rest queue up
        batches.append(list(items))
        return [n * 10 for n in items]

    writer = BatchWriter(write, max_batch=3)
    futures = [writer.submit(n) for n in range(7)]
    release.set()
    assert [f.result(5) for f in futures] == [n * 10 for n in range(7)]
    writer.close()
    assert [n for batch in batches for n in batch] == list(range(7))
    assert max(len(b) for b in batches) == 3  # capped, and more than one item per batch
    assert len(batches) < 7
    assert writer.batches == len(batches)


def test_a_failed_batch_fails_each_of_its_items_and_the_writer_goes_on() -> None:
    def write(items: Sequence[str]) -> list[str]:
        if "bad" in items:
            raise RuntimeError("database gone")
        return list(items)

    writer = BatchWriter(write, max_batch=1)
    bad, good = writer.submit("bad"), writer.submit("good")
    with pytest.raises(RuntimeError, match="database gone"):
        bad.result(5)
    assert good.result(5) == "good"
    writer.close()


def test_close_writes_what_is_queued() -> None:
    written: list[int] = []
    writer = BatchWriter(lambda items: [written.extend(items)] * len(items))
    for n in range(100):
        writer.submit(n)
    writer.close()
    assert written == list(range(100))
