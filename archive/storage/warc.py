"""Raw captures: every HTTP response of a crawl, byte for byte, in WARC/1.1 files.

The database keeps what we made of a page; the WARC files keep what the server
sent, so any extraction can be re-run and audited years later with standard
tools (``warcio``, pywb, the Internet Archive's). A ``fetch`` row points at its
record by file and offset (:class:`Capture`), and :func:`read_capture` gives the
status, headers and body back from there.

One gzip member per record in a run's files, exact bytes, SHA-256 digests shared with
``fetch.body_sha256``, revisits for repeated payloads, fsync before the row commits: each
choice and its reason: docs/architecture.md ("Raw captures (WARC)"). One writer per crawl
run, in the archive process; not thread-safe.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import http
import io
import os
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path
from types import TracebackType
from typing import Self
from urllib.parse import urlsplit

from warcio.archiveiterator import ArchiveIterator
from warcio.recordloader import ArcWarcRecord
from warcio.statusandheaders import StatusAndHeaders, StatusAndHeadersParser
from warcio.timeutils import datetime_to_iso_date
from warcio.warcwriter import WARCWriter

from archive.errors import ArchiveError
from archive.storage.durable import fsync_directory

DEFAULT_MAX_BYTES = 1 << 30
#: A revisit record carries ~300 bytes of reference headers; below this a full
#: response costs no more and needs no second lookup to read.
REVISIT_MIN_BYTES = 512
REVISIT_PROFILE = "http://netpreserve.org/warc/1.1/revisit/identical-payload-digest"
WARC_VERSION = "WARC/1.1"
HTTP_RESPONSE = "application/http; msgtype=response"
HTTP_REQUEST = "application/http; msgtype=request"
EMPTY_DIGEST = f"sha256:{hashlib.sha256(b'').hexdigest()}"

Headers = Mapping[str, str] | Iterable[tuple[str | bytes, str | bytes]]


class InvalidCapture(ArchiveError):
    """A response whose headers cannot be written so that they read back the same.

    A line break would end the header block early and a colon in a name would
    split it elsewhere; no HTTP parser hands us either, so this is a caller's bug.
    """


@dataclass(frozen=True)
class Reference:
    """Where a payload was first archived: what a revisit record points to."""

    uri: str
    date: dt.datetime
    record_id: str | None = None


#: Given the hex SHA-256 of a body, the capture of that body in an earlier run, if any.
Lookup = Callable[[str], Reference | None]


@dataclass(frozen=True)
class Capture:
    """Where a response was written: what the ``fetch`` row stores.

    ``file`` is a POSIX path relative to the writer's ``root`` (the data dir by
    default, as ``fetch.warc_file`` wants); ``offset`` and ``length`` delimit the
    gzip member of the response or revisit record; ``digest`` is the hex SHA-256
    of the body (``fetch.body_sha256``).
    """

    file: str
    offset: int
    length: int
    digest: str
    revisit: bool


@dataclass(frozen=True)
class Served:
    """A response read back from a WARC record.

    ``body`` is None for a revisit record, whose body is the one at ``refers_to``.
    """

    status: int
    headers: list[tuple[str, str]]
    body: bytes | None
    refers_to: Reference | None = None


class WarcWriter:
    """Writes a crawl run's responses to rotating WARC/1.1 files (see the module doc).

    ``directory`` is where the files go (``Settings.warc_dir``); ``root`` is what
    :attr:`Capture.file` is relative to, by default the parent of ``directory``,
    which is the data dir for ``Settings.warc_dir``. ``lookup`` supplies payloads
    archived by earlier runs (the crawler answers it from ``fetch.body_sha256``).
    Not thread-safe: one writer per crawl run, in its archive process.
    """

    def __init__(
        self,
        directory: Path,
        run_id: int | str,
        *,
        max_bytes: int = DEFAULT_MAX_BYTES,
        root: Path | None = None,
        lookup: Lookup | None = None,
        sync_each: bool = True,
    ) -> None:
        self.directory = directory
        self.sync_each = sync_each
        self.run_id = run_id
        self.max_bytes = max_bytes
        self.root = directory.parent if root is None else root
        self.lookup = lookup
        self.files: list[Path] = []
        self._seen: dict[str, Reference] = {}
        self._current: _WarcFile | None = None

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def sync(self) -> None:
        """Make every record written so far durable (files rotated out already are)."""
        if self._current is not None:
            self._current.sync()

    def close(self) -> None:
        """Close the current file; a later response would start a new one."""
        if self._current is not None:
            self._current.close()
            self._current = None

    def write_response(
        self,
        url: str,
        status: int,
        headers: Headers,
        body: bytes,
        fetched_at: dt.datetime,
        request_headers: Headers | None = None,
        *,
        method: str = "GET",
    ) -> Capture:
        """Archive one response (and its request, when its headers are given).

        The response is a ``revisit`` record when its body was archived before,
        else a complete ``response`` record; the request record follows it in the
        same file. Returns where the response (or revisit) record is. Bad input
        (a naive ``fetched_at``, an unwritable header) raises before anything is
        written, so a file never holds half of an exchange.
        """
        date = warc_date(fetched_at)
        digest = hashlib.sha256(body).hexdigest()
        head = _response_head(status, headers, url)
        request = None if request_headers is None else _request_head(method, url, request_headers)
        dedupable = len(body) >= REVISIT_MIN_BYTES
        original = self._original(digest) if dedupable else None
        out = self._file_with_room()
        payload = [("WARC-Payload-Digest", f"sha256:{digest}")]
        if original is None:
            record_id, offset, length = out.append(
                "response", url, date, HTTP_RESPONSE, head, body, payload
            )
            if dedupable:
                self._seen[digest] = Reference(url, fetched_at, record_id)
        else:
            fields = payload + _refers(original)
            record_id, offset, length = out.append(
                "revisit", url, date, HTTP_RESPONSE, head, b"", fields
            )
        if request is not None:
            concurrent = [("WARC-Payload-Digest", EMPTY_DIGEST), ("WARC-Concurrent-To", record_id)]
            out.append("request", url, date, HTTP_REQUEST, request, b"", concurrent)
        file = out.path.relative_to(self.root).as_posix()
        return Capture(file, offset, length, digest, original is not None)

    def _original(self, digest: str) -> Reference | None:
        """The earlier capture of this payload, remembering one found by ``lookup``."""
        found = self._seen.get(digest)
        if found is None and self.lookup is not None:
            found = self.lookup(digest)
            if found is not None:
                self._seen[digest] = found
        return found

    def _file_with_room(self) -> _WarcFile:
        """The current file, or the run's next one once it has reached ``max_bytes``."""
        if self._current is None or self._current.size >= self.max_bytes:
            self.close()
            self._current = self._next_file()
            self.files.append(self._current.path)
        return self._current

    def _next_file(self) -> _WarcFile:
        """A new file under the first free serial: a restarted run never clobbers one."""
        stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%d%H%M%S")
        serial = len(self.files)
        while True:
            name = f"fazhi-{self.run_id}-{stamp}-{serial:05d}.warc.gz"
            try:
                return _WarcFile(self.directory / name, self.run_id, self.sync_each)
            except FileExistsError:
                serial += 1


class _WarcFile:
    """One open ``.warc.gz``: records appended as gzip members, each made durable."""

    def __init__(self, path: Path, run_id: int | str, sync_each: bool = True) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self.sync_each = sync_each
        self._file = path.open("xb")  # FileExistsError rather than touch a capture
        fsync_directory(path.parent)
        self._writer = WARCWriter(self._file, gzip=True, warc_version=WARC_VERSION)
        self._warcinfo_id, _, _ = self.append(
            "warcinfo",
            None,
            warc_date(dt.datetime.now(dt.UTC)),
            "application/warc-fields",
            None,
            _warcinfo_fields(run_id),
            [("WARC-Filename", path.name)],
        )

    @property
    def size(self) -> int:
        return self._file.tell()

    def append(
        self,
        rec_type: str,
        uri: str | None,
        date: str,
        content_type: str,
        head: bytes | None,
        body: bytes,
        fields: list[tuple[str, str]],
    ) -> tuple[str, int, int]:
        """Append one record, flushed (and fsync'ed if ``sync_each``); return id, offset, length.

        The block is ``head`` (an HTTP message head, if any) followed by ``body``.
        """
        block_digest = hashlib.sha256(head or b"")
        block_digest.update(body)
        record_id = StatusAndHeadersParser.make_warc_id()
        headers = [
            ("WARC-Type", rec_type),
            ("WARC-Record-ID", record_id),
            ("WARC-Date", date),
        ]
        if uri is not None:
            headers.append(("WARC-Target-URI", uri))
        if rec_type != "warcinfo":
            headers.append(("WARC-Warcinfo-ID", self._warcinfo_id))
        headers += fields
        headers.append(("WARC-Block-Digest", f"sha256:{block_digest.hexdigest()}"))
        record = ArcWarcRecord(
            "warc",
            rec_type,
            StatusAndHeaders("", headers, protocol=WARC_VERSION),
            io.BytesIO(body),
            None if head is None else _VerbatimHead(head),
            content_type,
            len(head or b"") + len(body),
        )
        offset = self._file.tell()
        self._writer.write_record(record)  # one gzip member, flushed
        if self.sync_each:
            self.sync()
        return record_id, offset, self._file.tell() - offset

    def sync(self) -> None:
        os.fsync(self._file.fileno())

    def close(self) -> None:
        self.sync()
        self._file.close()


class _VerbatimHead(StatusAndHeaders):  # type: ignore[misc]  # warcio has no types: Any to mypy
    """An HTTP message head that warcio writes as given.

    warcio serialises parsed headers itself and %-encodes non-ASCII values; this
    hands it the bytes we built instead. It is also how a revisit record gets its
    headers written, since warcio writes only the HTTP head of a revisit.
    """

    def __init__(self, raw: bytes) -> None:
        super().__init__("", [])
        self.raw = raw

    def compute_headers_buffer(self, header_filter: object = None) -> None:
        self.headers_buff = self.raw

    def __bool__(self) -> bool:  # warcio skips a falsy head; ours has no parsed fields
        return True


def read_capture(path: Path, offset: int) -> Served:
    """Read the response or revisit record at ``offset`` of a file written here."""
    with path.open("rb") as file:
        file.seek(offset)
        record = next(iter(ArchiveIterator(file, no_record_parse=True)), None)
        if record is None:
            raise ValueError(f"{path}@{offset}: no record there")
        if record.rec_type not in ("response", "revisit"):
            raise ValueError(f"{path}@{offset} is a {record.rec_type} record, not a response")
        head, _, body = record.raw_stream.read().partition(b"\r\n\r\n")
        fields = record.rec_headers
    lines = head.split(b"\r\n")
    headers = [_split_header(line) for line in lines[1:]]
    status = int(lines[0].split(b" ", 2)[1])
    if record.rec_type == "response":
        return Served(status, headers, body)
    refers_to = Reference(
        fields.get_header("WARC-Refers-To-Target-URI"),
        dt.datetime.fromisoformat(fields.get_header("WARC-Refers-To-Date")),
        fields.get_header("WARC-Refers-To"),
    )
    return Served(status, headers, None, refers_to)


def warc_date(moment: dt.datetime) -> str:
    """WARC-Date in UTC with microseconds (WARC/1.1 allows the fraction)."""
    if moment.tzinfo is None:
        raise ValueError(f"naive datetime {moment!r}: pass an aware UTC datetime")
    naive = moment.astimezone(dt.UTC).replace(tzinfo=None)
    iso: str = datetime_to_iso_date(naive, use_micros=True)
    return iso


def _refers(original: Reference) -> list[tuple[str, str]]:
    fields = [
        ("WARC-Profile", REVISIT_PROFILE),
        ("WARC-Refers-To-Target-URI", original.uri),
        ("WARC-Refers-To-Date", warc_date(original.date)),
    ]
    if original.record_id:
        fields.append(("WARC-Refers-To", original.record_id))
    return fields


def _response_head(status: int, headers: Headers, url: str) -> bytes:
    try:
        reason = http.HTTPStatus(status).phrase
    except ValueError:
        reason = ""
    return _head(f"HTTP/1.1 {status} {reason}".encode("ascii"), headers, url)


def _request_head(method: str, url: str, headers: Headers) -> bytes:
    parts = urlsplit(url)
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return _head(f"{method} {target} HTTP/1.1".encode(), headers, url)


def _head(first_line: bytes, headers: Headers, url: str) -> bytes:
    """An HTTP message head: first line, ``name: value`` lines, blank line."""
    pairs = headers.items() if isinstance(headers, Mapping) else headers
    lines = [first_line]
    for name, value in pairs:
        name_bytes, value_bytes = _wire(name), _wire(value)
        if b":" in name_bytes or any(c in name_bytes + value_bytes for c in b"\r\n"):
            raise InvalidCapture(f"header {name!r} holds a colon or a line break", url)
        lines.append(name_bytes + b": " + value_bytes)
    return b"\r\n".join(lines) + b"\r\n\r\n"


def _wire(text: str | bytes) -> bytes:
    """Header bytes as served: ``bytes`` as is, ``str`` as Latin-1, else UTF-8."""
    if isinstance(text, bytes):
        return text
    try:
        return text.encode("latin-1")
    except UnicodeEncodeError:
        return text.encode("utf-8")


def _split_header(line: bytes) -> tuple[str, str]:
    name, _, value = line.partition(b": ")
    return name.decode("latin-1"), value.decode("latin-1")


def _warcinfo_fields(run_id: int | str) -> bytes:
    """The file's self-description: software and format, nothing about the operator."""
    fields = {
        "software": f"fazhi-archive/{version('fazhi-archive')} warcio/{version('warcio')}",
        "format": "WARC File Format 1.1",
        "conformsTo": "https://iipc.github.io/warc-specifications/specifications/warc-format/warc-1.1/",
        "isPartOf": f"fazhi-archive crawl run {run_id}",
    }
    return "".join(f"{key}: {value}\r\n" for key, value in fields.items()).encode("utf-8")
