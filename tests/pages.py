"""Saved-page fixtures: `<name>.{html,meta.json,expected.json}` triples under tests/fixtures/.

`pages/<template>/` holds the pages built from specs, `unseen/` the pages in layouts no
template has; both share one layout and one expected.json schema (tests/fixtures/README.md).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

FIXTURES = Path(__file__).resolve().parent / "fixtures"
PAGES = FIXTURES / "pages"
UNSEEN = FIXTURES / "unseen"


@dataclass(frozen=True)
class Page:
    root: Path  # the fixture directory the page was found under: PAGES or UNSEEN
    path: Path
    url: str
    content_type: str | None
    expected: dict[str, Any]

    @property
    def id(self) -> str:
        """The page within its directory: `<template>/<name>` in pages/, `<name>` in unseen/."""
        return str(self.path.relative_to(self.root).with_suffix(""))

    @property
    def fixture_id(self) -> str:
        """`pages/<template>/<name>` or `unseen/<name>`: unique across the fixture directories."""
        return str(self.path.relative_to(FIXTURES).with_suffix(""))

    def body(self) -> bytes:
        return self.path.read_bytes()

    def headers(self) -> dict[str, str]:
        return {"Content-Type": self.content_type} if self.content_type else {}


@dataclass(frozen=True)
class Document:
    path: Path
    url: str
    expected_text: str

    @property
    def id(self) -> str:
        return str(self.path.relative_to(FIXTURES))


def load_pages(root: Path = PAGES) -> list[Page]:
    """Every triple under ROOT (the built pages unless told otherwise), sorted by path."""
    pages = []
    for html in sorted(root.rglob("*.html")):
        if ".files" in html.parts[-2]:
            continue
        stem = html.with_suffix("")
        meta = json.loads(stem.with_suffix(".meta.json").read_text(encoding="utf-8"))
        expected = json.loads(stem.with_suffix(".expected.json").read_text(encoding="utf-8"))
        pages.append(Page(root, html, meta["url"], meta.get("content_type"), expected))
    return pages


def load_documents() -> list[Document]:
    """Attachment files beside their page, each with `<file>.expected.txt`."""
    documents = []
    for expected in sorted(PAGES.rglob("*.files/*.expected.txt")):
        path = expected.with_name(expected.name.removesuffix(".expected.txt"))
        page_meta = expected.parent.with_name(
            expected.parent.name.removesuffix(".files") + ".meta.json"
        )
        base = json.loads(page_meta.read_text(encoding="utf-8"))["url"]
        url = base.rsplit("/", 1)[0] + "/" + path.name
        documents.append(Document(path, url, expected.read_text(encoding="utf-8").strip()))
    return documents
