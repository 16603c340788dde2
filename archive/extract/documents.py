"""Text of report attachments: PDF (pypdf), DOCX (python-docx); the rest say why not.

Many bodies publish the report only as a file under a one-line page. The file's
text goes through the same cleaning as a page; formats we cannot read are still
archived, with the reason recorded instead of an empty string.
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

from archive.errors import ExtractionError

PDF_TYPES = ("application/pdf",)
DOCX_TYPES = ("application/vnd.openxmlformats-officedocument.wordprocessingml.document",)
# Formats we archive without text, and why (shown to operators as is).
UNREADABLE = {
    "doc": "legacy Word .doc: no maintained pure-Python reader; file archived",
    "wps": "WPS Office .wps: no maintained pure-Python reader; file archived",
    "ofd": "OFD (GB/T 33190) layout file: no maintained Python reader; file archived",
    "xls": "spreadsheet: not a report text; file archived",
    "xlsx": "spreadsheet: not a report text; file archived",
    "et": "WPS spreadsheet: not a report text; file archived",
}
PAGE_NUMBER = re.compile(r"^\s*[-—–]?\s*\d{1,3}\s*[-—–]?\s*$|^第\s*\d+\s*页(\s*共\s*\d+\s*页)?$")


@dataclass(frozen=True)
class DocumentText:
    lines: list[str]
    kind: str  # 'pdf' | 'docx' | an UNREADABLE key
    unavailable: str | None  # why there is no text, else None


def kind_of(url: str, content_type: str | None) -> str:
    media = (content_type or "").split(";")[0].strip().lower()
    if media in PDF_TYPES:
        return "pdf"
    if media in DOCX_TYPES:
        return "docx"
    suffix = unquote(urlsplit(url).path).rsplit(".", 1)[-1].lower()
    return suffix if suffix in ("pdf", "docx", *UNREADABLE) else media or suffix


def document_lines(body: bytes, url: str, content_type: str | None) -> DocumentText:
    kind = kind_of(url, content_type)
    if kind == "pdf":
        return DocumentText(_pdf_lines(body, url), kind, None)
    if kind == "docx":
        return DocumentText(_docx_lines(body, url), kind, None)
    reason = UNREADABLE.get(kind, f"unsupported document type {kind!r}; file archived")
    return DocumentText([], kind, reason)


def _pdf_lines(body: bytes, url: str) -> list[str]:
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    try:
        reader = PdfReader(io.BytesIO(body))
        pages = [page.extract_text() or "" for page in reader.pages]
    except (PyPdfError, ValueError, KeyError, TypeError, OSError) as exc:
        raise ExtractionError(f"unreadable PDF: {exc}", url) from exc
    lines = [line.strip() for page in pages for line in page.splitlines()]
    return [line for line in lines if line and not PAGE_NUMBER.match(line)]


def _docx_lines(body: bytes, url: str) -> list[str]:
    import docx
    from docx.opc.exceptions import PackageNotFoundError

    try:
        document = docx.Document(io.BytesIO(body))
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise ExtractionError(f"unreadable DOCX: {exc}", url) from exc
    lines = [p.text.strip() for p in document.paragraphs]
    for table in document.tables:
        lines.extend("\t".join(cell.text.strip() for cell in row.cells) for row in table.rows)
    return [line for line in lines if line]
