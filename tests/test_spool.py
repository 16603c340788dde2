"""The disk spool the crawler falls back on when the database is down."""

from __future__ import annotations

from pathlib import Path

from archive.storage.spool import Spool


def test_records_come_back_in_order_after_a_restart(tmp_path: Path) -> None:
    first = Spool(tmp_path / "spool")
    for n in range(30):
        first.put({"n": n, "body": bytes([n]) * 100})
    again = Spool(tmp_path / "spool")  # a new process reading what the old one left
    assert len(again) == 30
    entries = list(again.pending())
    assert [e.record["n"] for e in entries] == list(range(30))
    for entry in entries[:10]:
        again.remove(entry)
    assert [e.record["n"] for e in again.pending()] == list(range(10, 30))
    assert not list((tmp_path / "spool").glob("*.partial"))


def test_an_unreadable_file_is_quarantined_with_its_reason_not_dropped(tmp_path: Path) -> None:
    spool = Spool(tmp_path / "spool")
    spool.put("fine")
    broken = spool.put("soon broken")
    broken.write_bytes(b"not a pickle")
    assert [e.record for e in spool.pending()] == ["fine"]
    kept = tmp_path / "spool" / "failed" / broken.name
    assert kept.read_bytes() == b"not a pickle"
    assert "unreadable spool file" in kept.with_suffix(".reason.txt").read_text()
