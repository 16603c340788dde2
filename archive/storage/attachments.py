"""Attachments: the files a version's page links to (PDF, DOCX …), with their text and a file
name any file system takes."""

from __future__ import annotations

import re
import unicodedata
from pathlib import PurePosixPath
from urllib.parse import unquote, urlsplit

from pathvalidate import sanitize_filename
from sqlalchemy.orm import Session

from archive.errors import ArchiveError
from archive.storage.models import Attachment
from archive.storage.rows import lock_version, upsert

# Bytes of UTF-8: ext4, NTFS and APFS allow 255 a name, and a consumer saving files may prefix
# them (an id); 200 bytes are 66 Chinese characters, more than any attachment name seen.
FILE_NAME_MAX_BYTES = 200
_UNSAFE_IN_NAME = re.compile(r'[/\\:*?"<>|]+')
_LONGEST_SUFFIX = 8  # ".docx", ".pdf": a longer "suffix" is part of the name


class VersionNotFound(ArchiveError):
    """The version is gone: a repost-only version absorbed into its original since."""


def add_attachment(
    session: Session,
    version_id: int,
    *,
    url: str,
    name: str | None = None,
    fetch_id: int | None = None,
    sha256: str | None = None,
    media_type: str | None = None,
    size: int | None = None,
    text: str | None = None,
    text_unavailable: str | None = None,
    extractor_version: int | None = None,
) -> int:
    """Record a file linked from a version's page; a later call for the same URL updates it.

    Raises :class:`VersionNotFound` when the version was absorbed into its original since the
    page was ingested: ingest the page again to learn where it went.
    """
    if lock_version(session, version_id, exclusive=False) is None:
        raise VersionNotFound(f"no report version {version_id}", url)
    content = {
        "fetch_id": fetch_id,
        "file_name": file_name(name, url),
        "sha256": sha256,
        "media_type": media_type,
        "size": size,
        "text": text,
        "text_unavailable": text_unavailable,
        "extractor_version": extractor_version,
    }
    return upsert(session, Attachment, {"version_id": version_id, "url": url}, content)


def file_name(name: str | None, url: str) -> str:
    """A name any file system takes: the link's name, else the URL's last segment.

    No directory parts (``../../etc/passwd`` is ``passwd``), no invisible characters (controls,
    bidi overrides that disguise ``gpj.exe``), no characters or names Windows refuses
    (pathvalidate knows CON, NUL.pdf, COM¹ …), at most FILE_NAME_MAX_BYTES bytes with the
    extension kept. Chinese is kept as it is.
    """
    raw = name or unquote(PurePosixPath(urlsplit(url).path).name)
    base = raw.replace("\\", "/").rsplit("/", 1)[-1]
    visible = "".join(c for c in base if unicodedata.category(c) not in ("Cc", "Cf"))
    cleaned = _bounded(_UNSAFE_IN_NAME.sub("_", visible).strip(" ._"))
    # what is left is under pathvalidate's 255 bytes: it only renames reserved names (CON_)
    return sanitize_filename(cleaned, replacement_text="_", platform="universal") or "attachment"


def _bounded(name: str) -> str:
    """NAME cut to FILE_NAME_MAX_BYTES of UTF-8 at a character boundary, its extension kept."""
    if len(name.encode()) <= FILE_NAME_MAX_BYTES:
        return name
    suffix = PurePosixPath(name).suffix
    suffix = suffix if len(suffix) <= _LONGEST_SUFFIX else ""
    room = FILE_NAME_MAX_BYTES - len(suffix.encode())
    stem = name.removesuffix(suffix).encode()[:room].decode("utf-8", "ignore")
    return stem.rstrip(" .") + suffix
