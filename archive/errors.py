"""Domain errors of the archive engine.

Every error names the URL it concerns, so a log line or a ``fetch.error``
column alone tells an operator what failed and where.
"""


class ArchiveError(Exception):
    """Base class: anything the archive engine raises on bad input."""

    def __init__(self, message: str, url: str | None = None) -> None:
        self.url = url
        super().__init__(f"{message} ({url})" if url else message)


class ExtractionError(ArchiveError):
    """A page or document could not be turned into text at all."""


class CharsetUndecidable(ExtractionError):
    """No charset decodes the bytes well enough to trust the text."""
