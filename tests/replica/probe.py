"""Reading a replica as a client would: what the tests that check what it serves share."""

from __future__ import annotations

import urllib.request
from typing import Any


def fetch(url: str) -> bytes:
    """The body served at URL (an HTTP error raises)."""
    with urllib.request.urlopen(url) as response:
        body: bytes = response.read()
        return body


def report(manifest: dict[str, Any], key: str) -> dict[str, Any]:
    """The manifest's entry for the report KEY."""
    return next(r for r in manifest["reports"] if r["key"] == key)
