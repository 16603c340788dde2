"""Section headings inside a report body, kept whatever container holds the body.

trafilatura keeps ``<h1>``–``<h6>`` only inside a content container it knows by its class or
id (``entry-content``, ``article-body`` …). A body in a container it does not know
(开普云's ``kp-xl-content``, a bare ``<section>``) is recovered paragraph by paragraph, and the
headings between the paragraphs (一、… / （一）…) are lost; so is a heading written as a bare
``<strong>`` or ``<b>`` between the ``<p>``s. Before trafilatura runs, a heading that sits among
the body's prose is therefore turned into a paragraph: it then comes out as a line of its own on
any template, as headings written as ``<p><strong>…</strong></p>`` do.

A heading is an ``<h2>``–``<h6>``, or a ``<strong>``/``<b>`` standing alone in a container of
blocks (a ``<div>``/``<section>``… with no text of its own around it: in a ``<br>``-broken text
flow or inside a ``<p>`` it is inline and left alone). It is the body's when, in its own
parent, the next sibling that is not a heading is a block of prose: a paragraph's length of
text, or one sentence (存在问题 may be answered in one), and not mostly links. A column title
above a link list, a 相关阅读 heading closing the page, a news teaser's linked ``<h3>`` are not
followed by prose of their own, or are links themselves, and stay as trafilatura treats them.
"""

from __future__ import annotations

from lxml import html

# <h2>–<h6>: an <h1> is the page's title (drop_header and the title line rule judge it), and a
# title over the body would otherwise read as a heading followed by prose.
HEADINGS = frozenset(("h2", "h3", "h4", "h5", "h6"))
EMPHASIS = frozenset(("strong", "b"))  # a heading when it stands alone between blocks
# Where an emphasis can stand alone between blocks; inside a <p> or <span> it opens a paragraph
# (<p><b>一是…。</b><span>全年…</span></p>) and is left alone.
CONTAINERS = frozenset(("div", "section", "article", "main", "td", "body", "blockquote"))
HEADING_MAX = 60  # characters: a section heading is one short line
PROSE_MIN = 40  # characters of text that make a block a paragraph of the body
SENTENCE_MIN = 10  # a shorter block is a paragraph too when it ends as a sentence does
SENTENCE_END = "。！？；…"
LINKED_MAX = 0.5  # share of a block's text inside links above which it is navigation


def keep_body_headings(tree: html.HtmlElement) -> int:
    """Turn the headings among the body's prose into paragraphs; returns how many.

    Each parent's children are read once, last to first, so a page of thousands of headings
    costs no more than its size.
    """
    parents = {
        id(p): p for e in tree.iter(*HEADINGS, *EMPHASIS) if (p := e.getparent()) is not None
    }
    body_headings = [h for parent in parents.values() for h in _body_headings(parent)]
    for heading in body_headings:
        heading.tag = "p"
    return len(body_headings)


def _body_headings(parent: html.HtmlElement) -> list[html.HtmlElement]:
    """PARENT's headings whose next sibling other than a heading (or an empty block) is prose."""
    found: list[html.HtmlElement] = []
    alone = _holds_only_blocks(parent)
    prose_follows = False
    for child in reversed(list(parent)):
        if not isinstance(child.tag, str):
            continue
        if child.tag in HEADINGS or (alone and child.tag in EMPHASIS):
            if prose_follows and _is_heading_text(child):
                found.append(child)
            continue
        text = _text(child)
        if text:
            prose_follows = _is_prose(child, text)
    return found


def _holds_only_blocks(parent: html.HtmlElement) -> bool:
    """A container with no text of its own between its children: a <strong>/<b> in it stands
    alone on its line (in a <br>-broken flow or a <p> it is inline)."""
    return (
        parent.tag in CONTAINERS
        and not (parent.text or "").strip()
        and not any((child.tail or "").strip() for child in parent)
    )


def _is_heading_text(heading: html.HtmlElement) -> bool:
    text = _text(heading)
    return (
        bool(text)
        and len(text) <= HEADING_MAX
        and _linked_share(heading, text) <= LINKED_MAX
        and not any(isinstance(c.tag, str) and c.tag in HEADINGS for c in heading)
    )


def _is_prose(block: html.HtmlElement, text: str) -> bool:
    sentence = len(text) >= SENTENCE_MIN and text[-1] in SENTENCE_END
    return (len(text) >= PROSE_MIN or sentence) and _linked_share(block, text) <= LINKED_MAX


def _linked_share(element: html.HtmlElement, text: str) -> float:
    linked = sum(len(_text(link)) for link in element.iter("a"))
    return linked / len(text) if text else 0.0


def _text(element: html.HtmlElement) -> str:
    return "".join("".join(element.itertext()).split())
