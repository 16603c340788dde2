"""Raw captures in WARC files: written with warcio, read back byte for byte, checked by warcio."""

from __future__ import annotations

import datetime as dt
import gzip
import hashlib
import json
import random
import re
import subprocess
import sys
from importlib.metadata import version
from pathlib import Path

import pytest
from warcio.archiveiterator import ArchiveIterator

from archive.config import Settings
from archive.storage.warc import (
    REVISIT_MIN_BYTES,
    REVISIT_PROFILE,
    Capture,
    InvalidCapture,
    Reference,
    WarcWriter,
    read_capture,
    warc_date,
)
from tests.pages import Page, load_pages

PAGES = load_pages()
FETCHED_AT = dt.datetime(2024, 3, 25, 8, 30, 15, 123456, tzinfo=dt.UTC)
WARCIO = Path(sys.executable).with_name("warcio")
NAME = re.compile(r"fazhi-(?P<run>\d+)-(?P<stamp>\d{14})-(?P<serial>\d{5})\.warc\.gz")


def served_headers(page: Page) -> list[tuple[str, str]]:
    return [*page.headers().items(), ("Server", "nginx"), ("Content-Length", str(len(page.body())))]


def write_pages(writer: WarcWriter, pages: list[Page] = PAGES) -> list[Capture]:
    return [
        writer.write_response(p.url, 200, served_headers(p), p.body(), FETCHED_AT) for p in pages
    ]


def records(path: Path) -> list[tuple[str, dict[str, str], bytes]]:
    """Every record as warcio itself parses it: type, WARC headers, content."""
    with path.open("rb") as file:
        return [
            (r.rec_type, dict(r.rec_headers.headers), r.content_stream().read())
            for r in ArchiveIterator(file)
        ]


def warcio_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(WARCIO), *args], capture_output=True, text=True, check=False)


def test_every_fixture_page_reads_back_byte_exact_at_its_offset(tmp_path: Path) -> None:
    with WarcWriter(tmp_path / "warc", 1) as writer:
        captures = write_pages(writer)
    for page, capture in zip(PAGES, captures, strict=True):
        served = read_capture(tmp_path / capture.file, capture.offset)
        assert (served.status, served.headers, served.body) == (
            200,
            served_headers(page),
            page.body(),
        ), page.id
        assert not capture.revisit


def test_gbk_and_big5_bodies_are_byte_exact_for_warcio_too(tmp_path: Path) -> None:
    legacy = [p for p in PAGES if _not_utf8(p.body())]
    assert {p.id.split("/")[0] for p in legacy} >= {"discuz", "empirecms", "big5_gateway"}
    with WarcWriter(tmp_path / "warc", 1) as writer:
        write_pages(writer, legacy)
    (path,) = writer.files
    bodies = [content for kind, _, content in records(path) if kind == "response"]
    assert bodies == [p.body() for p in legacy]


def _not_utf8(body: bytes) -> bool:
    try:
        body.decode("utf-8")
    except UnicodeDecodeError:
        return True
    return False


def test_offset_and_length_delimit_exactly_one_gzip_member(tmp_path: Path) -> None:
    with WarcWriter(tmp_path / "warc", 1) as writer:
        capture = write_pages(writer)[3]
    data = (tmp_path / capture.file).read_bytes()
    member = gzip.decompress(data[capture.offset : capture.offset + capture.length])
    assert member.startswith(b"WARC/1.1\r\nWARC-Type: response\r\n")
    assert member.endswith(PAGES[3].body() + b"\r\n\r\n")
    assert f"WARC-Payload-Digest: sha256:{capture.digest}".encode() in member


def test_warcio_check_and_index_accept_the_files(tmp_path: Path) -> None:
    with WarcWriter(tmp_path / "warc", 1) as writer:
        captures = write_pages(writer)
        captures.append(
            writer.write_response("https://a.gov.cn/copy", 200, {}, PAGES[0].body(), FETCHED_AT)
        )
    (path,) = writer.files

    check = warcio_cli("check", "-v", str(path))
    assert check.returncode == 0, check.stdout + check.stderr
    assert check.stdout.count("digest pass") == 1 + len(PAGES)  # warcinfo + responses
    assert "digest present but not checked (revisit)" in check.stdout

    index = warcio_cli("index", "-f", "warc-type,offset,length,http:status", str(path))
    assert index.returncode == 0, index.stderr
    rows = [json.loads(line) for line in index.stdout.splitlines()]
    assert [r["warc-type"] for r in rows] == ["warcinfo"] + ["response"] * len(PAGES) + ["revisit"]
    assert [(int(r["offset"]), int(r["length"])) for r in rows[1:]] == [
        (c.offset, c.length) for c in captures
    ]
    assert {r["http:status"] for r in rows[1:]} == {"200"}


def test_payload_digest_is_the_sha256_the_fetch_row_keeps(tmp_path: Path) -> None:
    with WarcWriter(tmp_path / "warc", 1) as writer:
        capture = write_pages(writer, PAGES[:1])[0]
    _, fields, _ = records(writer.files[0])[1]
    assert capture.digest == hashlib.sha256(PAGES[0].body()).hexdigest()
    assert fields["WARC-Payload-Digest"] == f"sha256:{capture.digest}"


def test_a_repeated_payload_is_a_revisit_pointing_at_a_complete_original(tmp_path: Path) -> None:
    page = PAGES[0]
    later = FETCHED_AT + dt.timedelta(minutes=5)
    with WarcWriter(tmp_path / "warc", 1) as writer:
        first = writer.write_response(page.url, 200, served_headers(page), page.body(), FETCHED_AT)
        again = writer.write_response(
            page.url + "?repost", 200, [("Server", "x")], page.body(), later
        )
    (path,) = writer.files
    (_, info, _), (_, original, _), (kind, revisit, content) = records(path)

    assert (first.revisit, again.revisit, again.digest) == (False, True, first.digest)
    assert kind == "revisit"
    assert revisit["WARC-Profile"] == REVISIT_PROFILE
    assert revisit["WARC-Refers-To-Target-URI"] == page.url
    assert revisit["WARC-Refers-To-Date"] == "2024-03-25T08:30:15.123456Z"
    assert revisit["WARC-Refers-To"] == original["WARC-Record-ID"]
    assert revisit["WARC-Payload-Digest"] == original["WARC-Payload-Digest"]
    assert revisit["WARC-Warcinfo-ID"] == info["WARC-Record-ID"]
    assert content == b""
    assert again.length < first.length // 4

    served = read_capture(tmp_path / again.file, again.offset)
    assert (served.status, served.headers, served.body) == (200, [("Server", "x")], None)
    assert served.refers_to == Reference(page.url, FETCHED_AT, original["WARC-Record-ID"])
    assert read_capture(tmp_path / first.file, first.offset).body == page.body()


def test_lookup_supplies_payloads_archived_by_earlier_runs(tmp_path: Path) -> None:
    page = PAGES[1]
    digest = hashlib.sha256(page.body()).hexdigest()
    earlier = Reference("https://old.gov.cn/report.html", dt.datetime(2023, 3, 1, tzinfo=dt.UTC))
    asked: list[str] = []

    def lookup(wanted: str) -> Reference | None:
        asked.append(wanted)
        return earlier if wanted == digest else None

    with WarcWriter(tmp_path / "warc", 2, lookup=lookup) as writer:
        captures = [
            writer.write_response(page.url, 200, {}, page.body(), FETCHED_AT),
            writer.write_response(page.url, 200, {}, page.body(), FETCHED_AT),
            writer.write_response(PAGES[2].url, 200, {}, PAGES[2].body(), FETCHED_AT),
        ]
    assert [c.revisit for c in captures] == [True, True, False]
    assert asked == [digest, hashlib.sha256(PAGES[2].body()).hexdigest()]
    _, (_, revisit, _), _, _ = records(writer.files[0])
    assert revisit["WARC-Refers-To-Target-URI"] == earlier.uri
    assert revisit["WARC-Refers-To-Date"] == "2023-03-01T00:00:00Z"
    assert "WARC-Refers-To" not in revisit


def test_small_bodies_are_always_written_in_full(tmp_path: Path) -> None:
    small = b"x" * (REVISIT_MIN_BYTES - 1)
    with WarcWriter(tmp_path / "warc", 1) as writer:
        captures = [
            writer.write_response(
                "https://a.gov.cn/old", 301, {"Location": "/new"}, b"", FETCHED_AT
            ),
            writer.write_response(
                "https://a.gov.cn/gone", 301, {"Location": "/new"}, b"", FETCHED_AT
            ),
            writer.write_response("https://a.gov.cn/s1", 200, {}, small, FETCHED_AT),
            writer.write_response("https://a.gov.cn/s2", 200, {}, small, FETCHED_AT),
        ]
    assert [c.revisit for c in captures] == [False] * 4
    served = read_capture(tmp_path / captures[1].file, captures[1].offset)
    assert (served.status, served.headers, served.body) == (301, [("Location", "/new")], b"")


def test_files_rotate_at_max_bytes_and_each_starts_with_warcinfo(tmp_path: Path) -> None:
    limit = 20_000
    with WarcWriter(tmp_path / "warc", 42, max_bytes=limit) as writer:
        captures = write_pages(writer)
    assert len(writer.files) >= 5
    assert {tmp_path / c.file for c in captures} == set(writer.files)
    largest = max(c.length for c in captures)
    for serial, path in enumerate(writer.files):
        match = NAME.fullmatch(path.name)
        assert match and match["run"] == "42" and int(match["serial"]) == serial
        kinds = [kind for kind, _, _ in records(path)]
        info = records(path)[0][1]
        assert kinds[0] == "warcinfo" and info["WARC-Filename"] == path.name
        assert "warcinfo" not in kinds[1:]
        assert path.stat().st_size < limit + largest
    for page, capture in zip(PAGES, captures, strict=True):
        assert read_capture(tmp_path / capture.file, capture.offset).body == page.body()


def test_a_truncated_file_still_yields_every_complete_record(tmp_path: Path) -> None:
    with WarcWriter(tmp_path / "warc", 1) as writer:
        captures = write_pages(writer, PAGES[:6])
    (path,) = writer.files
    last = captures[-1]
    with path.open("r+b") as file:  # a crawl killed while writing the last record
        file.truncate(last.offset + last.length // 2)

    with path.open("rb") as file:
        survivors = [r.content_stream().read() for r in ArchiveIterator(file)]
    assert survivors[1:6] == [p.body() for p in PAGES[:5]]
    assert len(survivors) == 7  # warcio yields the cut record too: short, without an error
    assert survivors[6] != PAGES[5].body()
    for page, capture in zip(PAGES[:5], captures[:5], strict=True):
        assert read_capture(path, capture.offset).body == page.body()


def test_non_ascii_header_values_are_stored_as_served(tmp_path: Path) -> None:
    gbk_name = "attachment; filename=报告.doc".encode("gbk")  # raw GBK, as a GBK portal sends it
    headers = [
        (b"Content-Disposition", gbk_name),
        ("X-Title", "法治政府建设"),  # a client that decoded UTF-8 hands us real text
        ("X-Latin", "café"),
    ]
    with WarcWriter(tmp_path / "warc", 1) as writer:
        capture = writer.write_response("https://a.gov.cn/f", 200, headers, b"body", FETCHED_AT)

    served = read_capture(tmp_path / capture.file, capture.offset)
    assert [(n, v.encode("latin-1")) for n, v in served.headers] == [
        ("Content-Disposition", gbk_name),
        ("X-Title", "法治政府建设".encode()),
        ("X-Latin", b"caf\xe9"),
    ]
    raw = gzip.decompress((tmp_path / capture.file).read_bytes())
    assert b"Content-Disposition: " + gbk_name + b"\r\n" in raw  # not %-encoded, not RFC 2047
    with (tmp_path / capture.file).open("rb") as file:
        response = list(ArchiveIterator(file))[1]
        assert response.http_headers.get_header("X-Title") == "法治政府建设"  # warcio reads UTF-8


def test_bad_input_is_refused_before_anything_is_written(tmp_path: Path) -> None:
    url = "https://a.gov.cn/"
    with WarcWriter(tmp_path / "warc", 1) as writer:
        for bad in ([("X-Bad", "a\r\nSet-Cookie: x")], [("X:Bad", "a")]):
            with pytest.raises(InvalidCapture, match=re.escape(f"({url})")):
                writer.write_response(url, 200, bad, b"", FETCHED_AT)
            with pytest.raises(InvalidCapture, match=re.escape(f"({url})")):
                writer.write_response(url, 200, {}, b"", FETCHED_AT, request_headers=bad)
        with pytest.raises(ValueError, match="naive"):
            writer.write_response(url, 200, {}, b"", dt.datetime(2024, 3, 25, 8, 30))
    assert writer.files == []
    assert not (tmp_path / "warc").exists()


def test_a_five_megabyte_body_reads_back_whole(tmp_path: Path) -> None:
    body = random.Random(4).randbytes(5 * 1024 * 1024)
    headers = {"Content-Type": "application/pdf"}
    with WarcWriter(tmp_path / "warc", 1) as writer:
        capture = writer.write_response("https://a.gov.cn/r.pdf", 200, headers, body, FETCHED_AT)
    served = read_capture(tmp_path / capture.file, capture.offset)
    assert served.body == body
    assert warcio_cli("check", str(tmp_path / capture.file)).returncode == 0


def test_the_request_record_follows_its_response(tmp_path: Path) -> None:
    url = "https://www.gd.gov.cn/zwgk/fzzf/index.html?page=2"
    request = [("User-Agent", "fazhi-archive"), ("Accept-Language", "zh-CN")]
    with WarcWriter(tmp_path / "warc", 1) as writer:
        writer.write_response(url, 200, {}, b"<html></html>", FETCHED_AT, request)
        writer.write_response(url + "&x", 200, {}, b"<html></html>", FETCHED_AT)
    (path,) = writer.files
    with path.open("rb") as file:
        kinds = [
            (r.rec_type, r.rec_headers.get_header("WARC-Concurrent-To"), r.http_headers)
            for r in ArchiveIterator(file)
        ]
    _, (_, response, _), (_, request_fields, _), _ = records(path)
    assert [kind for kind, _, _ in kinds] == ["warcinfo", "response", "request", "response"]
    assert request_fields["WARC-Concurrent-To"] == response["WARC-Record-ID"]
    assert request_fields["WARC-Target-URI"] == url
    http_request = kinds[2][2]
    assert http_request.protocol == "GET"
    assert http_request.statusline == "/zwgk/fzzf/index.html?page=2 HTTP/1.1"
    assert http_request.headers == request


def test_a_run_without_responses_leaves_no_file(tmp_path: Path) -> None:
    with WarcWriter(tmp_path / "warc", 1) as writer:
        pass
    assert writer.files == []
    assert not (tmp_path / "warc").exists()


def test_warcinfo_names_the_software_and_nothing_about_the_operator(tmp_path: Path) -> None:
    with WarcWriter(tmp_path / "warc", 9) as writer:
        write_pages(writer, PAGES[:1])
    kind, _, content = records(writer.files[0])[0]
    assert kind == "warcinfo"
    fields = dict(line.split(": ", 1) for line in content.decode().splitlines())
    assert (
        fields["software"] == f"fazhi-archive/{version('fazhi-archive')} warcio/{version('warcio')}"
    )
    assert fields["format"] == "WARC File Format 1.1"
    assert fields["isPartOf"] == "fazhi-archive crawl run 9"
    assert set(fields) == {"software", "format", "conformsTo", "isPartOf"}  # no host, no operator


def test_capture_file_is_relative_to_the_data_dir(tmp_path: Path) -> None:
    settings = Settings.from_env({"FAZHI_DATA_DIR": str(tmp_path / "data")})
    with WarcWriter(settings.warc_dir, 3) as writer:
        (capture,) = write_pages(writer, PAGES[:1])
    assert capture.file.startswith("warc/fazhi-3-")
    assert (settings.data_dir / capture.file).is_file()


def test_a_restarted_run_never_overwrites_a_file(tmp_path: Path) -> None:
    with WarcWriter(tmp_path / "warc", 5) as first, WarcWriter(tmp_path / "warc", 5) as second:
        one = write_pages(first, PAGES[:1])[0]
        two = write_pages(second, PAGES[1:2])[0]
    assert one.file != two.file
    assert read_capture(tmp_path / one.file, one.offset).body == PAGES[0].body()
    assert read_capture(tmp_path / two.file, two.offset).body == PAGES[1].body()


def test_warc_dates_are_utc_with_microseconds() -> None:
    cst = dt.timezone(dt.timedelta(hours=8))
    assert warc_date(FETCHED_AT.astimezone(cst)) == "2024-03-25T08:30:15.123456Z"
    with pytest.raises(ValueError, match="naive"):
        warc_date(dt.datetime(2024, 1, 1))


def test_reading_anything_but_a_response_at_an_offset_is_an_error(tmp_path: Path) -> None:
    with WarcWriter(tmp_path / "warc", 1) as writer:
        capture = writer.write_response("https://a.gov.cn/", 200, {}, b"x", FETCHED_AT, [])
    path = tmp_path / capture.file
    with pytest.raises(ValueError, match="request record"):
        read_capture(path, capture.offset + capture.length)
    with pytest.raises(ValueError, match="no record there"):
        read_capture(path, path.stat().st_size)


@pytest.mark.parametrize("sync_each", [True, False])
def test_records_are_fsynced_each_or_once_a_batch(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, sync_each: bool
) -> None:
    import archive.storage.warc

    synced: list[int] = []
    real_fsync = archive.storage.warc.os.fsync
    monkeypatch.setattr(
        archive.storage.warc.os, "fsync", lambda fd: synced.append(fd) or real_fsync(fd)
    )
    writer = WarcWriter(tmp_path / "warc", 1, sync_each=sync_each)
    write_pages(writer, PAGES[:1])  # opens the file (its directory is fsynced then)
    before = len(synced)
    write_pages(writer, PAGES[1:5])
    assert len(synced) - before == (4 if sync_each else 0)
    writer.sync()
    assert len(synced) - before == (5 if sync_each else 1)
    writer.close()
    assert [t for t, _, _ in records(writer.files[0])].count("response") == 5
