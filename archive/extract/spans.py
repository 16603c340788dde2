"""A report whose text spans several HTTP resources, made one document.

Two shapes are common on government portals. A CMS's 正文分页 (TRS WCM, 织梦, PHPCMS) splits a
long article over ``t…_id.html``, ``t…_id_1.html`` …: each page carries a slice of the body
under the same title, and only the last one the 落款. A CMS that stores an article's HTML apart
shows it in an ``<iframe>``: the outer page holds the title and date, the frame document the
whole body. Either way a document read from one resource alone loses text, its 落款 and its
document date, and a correction on a later page goes unseen.

Continuation pages share their first page's template: :func:`extract_span` finds, by comparing
each page with the first, the element where they differ (descending while one child differs,
a link-dense pager aside) and appends that element's new children to the first page's before
extraction, so the document is cleaned as one page — a last page holding nothing but the
落款 keeps it. Pages that share no template with the first, and a frame document (a bare page
of its own), are extracted alone and :func:`joined` makes them one record: the first page's
title and metadata, the bodies in order, and the closing 落款 of the last body. The crawler
fetches the resources (``crawler/spans.py``); the archive stores one version of the text, so
a change on any page is a change of the document.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence

from lxml import etree, html

from archive.errors import ExtractionError
from archive.extract import dom
from archive.extract.charset import decode_html
from archive.extract.page import THIN_BODY, Extracted, extract_page

PAGES = "pages"  # continuation pages: the first page's body, then each next page's
FRAME = "frame"  # a body in a frame: the frame document's body replaces the page's
SPANS = (PAGES, FRAME)
# Warnings that judged the first page alone: the joined text is what they are about now.
ALONE = frozenset({"thin-body", "attachment-only"})
PAGER_LINKS = 0.6  # share of an element's text in links above which it is a pager, not text
# Elements a page's content is looked for inside; a paragraph that differs is content itself.
CONTAINERS = frozenset({"body", "div", "section", "article", "main", "center", "form", "td",
                        "tr", "tbody", "table", "font"})  # fmt: skip
# (body, URL, headers) of one resource
Resource = tuple[bytes, str, Mapping[str, str]]


def extract_span(
    first: Resource, parts: Sequence[Resource], how: str, region_hint: str | None = None
) -> Extracted:
    """The report FIRST and its PARTS make, joined as HOW says (see the module's doc)."""
    if how == PAGES:
        trees = [_parsed(part) for part in parts]
        merged: list[bool] = []

        def compose(tree: html.HtmlElement) -> None:
            pristine = html.fromstring(etree.tostring(tree))
            merged.extend(_merge(tree, pristine, part) for part in trees if part is not None)

        whole = extract_page(*first, region_hint, compose=compose)
        if merged and all(merged):
            return whole
    bodies = []
    for part in parts:
        try:
            bodies.append(extract_page(*part, region_hint))
        except ExtractionError:
            continue  # a part that is no page adds nothing; the fetch row keeps it
    return joined(extract_page(*first, region_hint), bodies, how)


def _parsed(resource: Resource) -> html.HtmlElement | None:
    body, url, headers = resource
    return dom.parse(decode_html(body, headers, url).text)


def _merge(tree: html.HtmlElement, pristine: html.HtmlElement, part: html.HtmlElement) -> bool:
    """Append to TREE the body PART adds where it differs from the first page (PRISTINE);
    False when they share no template (they differ at the body itself)."""
    found = _differing(pristine.find("body"), part.find("body"))
    if found is None:
        return True  # the same page again: nothing to add
    own, theirs = found
    if own.tag == "body":
        return False
    target = tree.xpath(pristine.getroottree().getpath(own))
    if not target:
        return False
    seen = {_text(child) for child in own}
    for child in theirs:
        if _text(child) not in seen and not _pager(child):
            target[0].append(child)
    return True


def _differing(
    own: html.HtmlElement | None, theirs: html.HtmlElement | None
) -> tuple[html.HtmlElement, html.HtmlElement] | None:
    """The smallest pair of elements outside which the two pages are the same (pagers apart)."""
    if own is None or theirs is None:
        return None
    while True:
        mine, yours = _children(own), _children(theirs)
        if [c.tag for c in mine] != [c.tag for c in yours]:
            return own, theirs
        diff = [
            (a, b) for a, b in zip(mine, yours, strict=True)
            if _text(a) != _text(b) and not (_pager(a) and _pager(b))
        ]  # fmt: skip
        if not diff:
            return None if own.tag == "body" else (own, theirs)
        if len(diff) > 1 or diff[0][0].tag not in CONTAINERS:
            return own, theirs
        own, theirs = diff[0]


def _children(element: html.HtmlElement) -> list[html.HtmlElement]:
    return [c for c in element if isinstance(c.tag, str) and c.tag not in ("script", "style")]


def _text(element: html.HtmlElement) -> str:
    return "".join(dom.text_of(element).split())


def _pager(element: html.HtmlElement) -> bool:
    text = _text(element)
    linked = sum(len(_text(a)) for a in element.iter("a"))
    return bool(text) and linked / len(text) > PAGER_LINKS


def _warnings(first: Extracted, parts: Sequence[Extracted], text: str) -> list[str]:
    """FIRST's warnings without those that judged it alone (unless the text is still thin),
    then the PARTS' new ones."""
    thin = len(text.replace("\n", "")) < THIN_BODY
    warnings = [w for w in first.warnings if thin or w not in ALONE]
    for part in parts:
        warnings += [w for w in part.warnings if w not in ALONE and w not in warnings]
    return warnings


def joined(first: Extracted, parts: Sequence[Extracted], how: str) -> Extracted:
    """FIRST (the page a report was found at) with the bodies of PARTS, as HOW joins them.

    The 落款 closes the document: signer, signing date and document date are the last body's
    when it has a 落款, else the first page's (a 成文日期 in its 索引号 table). Metadata a part
    holds and the first page does not is kept too (a frame document's own table).
    """
    if how not in SPANS:
        raise ValueError(f"unknown span {how!r}: one of {SPANS}")
    bodies = [body for body in ([first] if how == PAGES else []) + list(parts) if body.text]
    if not bodies:
        return first
    last = bodies[-1]
    signed = last if last.signed_date or last.signed_by else first
    text = "\n".join(body.text for body in bodies)
    return dataclasses.replace(
        first,
        text=text,
        text_original="\n".join(body.text_original for body in bodies),
        report_year=first.report_year or last.report_year,
        agency=first.agency or signed.agency,
        signed_date=signed.signed_date,
        signed_by=signed.signed_by,
        document_date=signed.document_date or first.document_date,
        region=first.region or signed.region,
        metadata={key: value for part in parts for key, value in part.metadata.items()}
        | first.metadata,
        attachments=tuple(dict.fromkeys(first.attachments + _links(parts))),
        repairs=tuple(dict.fromkeys(first.repairs + tuple(r for p in parts for r in p.repairs))),
        removed=first.removed + tuple(cut for part in parts for cut in part.removed),
        warnings=tuple(_warnings(first, parts, text)),
    )


def _links(parts: Sequence[Extracted]) -> tuple[dom.Link, ...]:
    return tuple(link for part in parts for link in part.attachments)
