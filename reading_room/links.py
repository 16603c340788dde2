"""Every URL the reading room hands out, in one place, and the cursors of its pages.

A permalink is a promise: ``/reports/{id}`` and ``/reports/{id}/v/{n}`` must keep meaning the
same report and version for years, so their shapes are written once, here, with the cursors
of the paged lists.
"""

from __future__ import annotations

from collections.abc import Mapping
from urllib.parse import urlencode, urlsplit

from archive.errors import ArchiveError


class BadRequest(ArchiveError):
    """A parameter the reading room cannot use (answered 400)."""


MAX_ID = 2**31 - 1  # the id columns are 32-bit integers on PostgreSQL


def encode_cursor(after: int) -> str:
    """The cursor of the page after the one ending with id AFTER: that id, in the open (a
    cursor's parameter pattern then says exactly which cursors exist)."""
    return str(after)


def decode_cursor(cursor: str | None) -> int | None:
    """The id a page starts after; None for the first page (the parameter's pattern has
    checked the digits). A cursor past every possible id starts after the last one: an
    empty page, not a number the database's 32-bit ids cannot compare with."""
    return min(int(cursor), MAX_ID) if cursor else None


def external(url: str | None) -> str | None:
    """URL if it may be a link a reader follows (http or https), else None: an archived URL
    may say ``javascript:`` or ``data:``, and is then shown as text only."""
    if not url:
        return None
    try:
        scheme = urlsplit(url).scheme.lower()
    except ValueError:
        return None
    return url if scheme in ("http", "https") else None


class Links:
    """The reading room's URLs under BASE (scheme, host, port and root path; no slash)."""

    def __init__(self, base: str) -> None:
        self.base = base.rstrip("/")

    def _url(self, path: str, query: Mapping[str, object] | None = None) -> str:
        pairs = {k: v for k, v in (query or {}).items() if v not in (None, "")}
        return self.base + path + (f"?{urlencode(pairs)}" if pairs else "")

    def home(self, query: Mapping[str, object] | None = None) -> str:
        return self._url("/", query)

    def report(self, report_id: int) -> str:
        return self._url(f"/reports/{report_id}")

    def version(self, report_id: int, version: int) -> str:
        return self._url(f"/reports/{report_id}/v/{version}")

    def capture(self, report_id: int, version: int) -> str:
        return self._url(f"/reports/{report_id}/v/{version}/capture")

    def diff(self, report_id: int, old: int | None = None, new: int | None = None) -> str:
        return self._url(f"/reports/{report_id}/diff", {"from": old, "to": new})

    def timemap(self, report_id: int) -> str:
        return self._url(f"/reports/{report_id}/timemap")

    def timegate(self, report_id: int) -> str:
        return self._url(f"/reports/{report_id}/timegate")

    def attachment(self, attachment_id: int) -> str:
        return self._url(f"/attachments/{attachment_id}")

    def coverage(
        self,
        province: str | None = None,
        city: str | None = None,
        level: str | None = None,
        year: int | None = None,
    ) -> str:
        return self._url(
            "/coverage", {"province": province, "city": city, "level": level, "year": year}
        )

    def search(self, query: Mapping[str, object] | None = None) -> str:
        return self._url("/search", query)

    def feed(self, kind: str, query: Mapping[str, object] | None = None) -> str:
        return self._url(f"/feeds/{kind}.atom", query)

    def api(self, path: str = "", query: Mapping[str, object] | None = None) -> str:
        return self._url(f"/api/v1{path}", query)

    def api_report(self, report_id: int) -> str:
        return self.api(f"/reports/{report_id}")

    def api_version(self, report_id: int, version: int) -> str:
        return self.api(f"/reports/{report_id}/versions/{version}")

    def api_diff(self, report_id: int, old: int | None = None, new: int | None = None) -> str:
        return self.api(f"/reports/{report_id}/diff", {"from": old, "to": new})
