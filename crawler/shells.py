"""Application shells: a report candidate whose body a script fills, told by the page itself.

A portal built as a single-page app (Vue, React, Angular) serves every article as the same
shell — a mount root, template placeholders or empty bound containers, a ``<noscript>`` asking
for JavaScript — and fills title, date and body from a JSON API once the script runs. Fetched
statically, such a page holds no document: archived as it is, the report is lost as "other".

A candidate page is a shell when it carries scripts, holds little readable text (outside
links, scripts, styles and unrendered placeholders: a document has far more than any portal's
header and footer) and shows at least one sign that a script is to fill it. The signs are
structural and framework-generic (``crawler/data/discovery.toml``, ``[shell]``, each with the
example it came from), never a portal's strings. The spider renders a shell once
(``crawler.spiders.reports``); what the browser made of it is what is archived, and a shell
the browser could not fill is archived as rendered, never rendered again.
"""

from __future__ import annotations

import logging
import re
import tomllib
from dataclasses import dataclass
from functools import cache

from lxml import etree, html
from scrapy.http import HtmlResponse, Response
from scrapy.statscollectors import StatsCollector

from crawler.discovery import RULES_FILE

logger = logging.getLogger(__name__)
SHELL = "shell"  # the reason a shell is rendered (crawler.rendering, request meta RENDERED_FOR)
# The body's text outside code, styles and fallbacks: what a reader would see of the page.
SHOWN = "//body//text()[not(ancestor::script or ancestor::style or ancestor::noscript)]"
# Of that, the page's own: not in a link (menus, lists) nor in a <template> (not shown yet).
READABLE = SHOWN[:-2] + " or ancestor::template or ancestor::a)]"
SPACE = re.compile(r"\s+")


@dataclass(frozen=True)
class _Rules:
    thin_text: int
    mount_ids: frozenset[str]
    mount_attributes: frozenset[str]
    binding_attributes: frozenset[str]
    placeholder: re.Pattern[str]
    noscript: re.Pattern[str]


@cache
def rules() -> _Rules:
    data = tomllib.loads(RULES_FILE.read_text(encoding="utf-8"))["shell"]
    return _Rules(
        int(data["thin_text"]),
        frozenset(data["mount_ids"]),
        frozenset(name.lower() for name in data["mount_attributes"]),
        frozenset(name.lower() for name in data["binding_attributes"]),
        re.compile(data["placeholder"]),
        re.compile(data["noscript"]),
    )


@dataclass(frozen=True)
class Shell:
    """Why a page was judged a shell: its readable text and the signs it showed."""

    text: int  # characters of readable text
    signs: tuple[str, ...]  # e.g. ("mount-root #app", "bindings v-html", "noscript")

    def reason(self) -> str:
        """One line for the log: what was seen, for an operator asking why a page was rendered."""
        return f"{self.text} characters of readable text; {', '.join(self.signs)}"


def shell_of(response: Response) -> Shell | None:
    """The shell RESPONSE is (an HTML page a script is to fill), or None for a page."""
    if not isinstance(response, HtmlResponse) or not response.body.strip():
        return None
    tree = response.selector.root
    if not isinstance(tree, html.HtmlElement) or not tree.xpath("//script"):
        return None  # nothing on the page could fill it: rendering would show the same
    text = readable_text(tree)
    if len(text) >= rules().thin_text:
        return None  # a page with a document's worth of text is a page, whatever its scripts
    signs = [*_mount_roots(tree), *_bindings(tree), *_noscript(tree)]
    return Shell(len(text), tuple(signs)) if signs else None


def needs_render(response: Response, allowed: bool, stats: StatsCollector) -> bool:
    """Whether a report candidate's static answer is a shell to render (once): counted and
    logged with what made it one, so the run says why the page was rendered. ALLOWED: the
    source may use the browser (``render: auto``); a shell of a static-only source is
    archived as served, and counted so."""
    shell = shell_of(response)
    if shell is None:
        return False
    for sign in shell.signs:
        stats.inc_value(f"fazhi/render/shell/{sign.split()[0]}")
    if not allowed:
        stats.inc_value("fazhi/render/shell-static")
        logger.info("candidate %s is a shell (%s); its source is static: archived as served",
                    response.url, shell.reason())  # fmt: skip
        return False
    stats.inc_value("fazhi/render/shell")
    logger.info("candidate %s is a shell (%s): rendered once", response.url, shell.reason())
    return True


def judge_rendered(response: Response, stats: StatsCollector) -> None:
    """A rendered candidate: filled (a page now), or still a shell — archived as rendered and
    never rendered again (a broken app, an API that failed), with the reason in the log."""
    shell = shell_of(response)
    if shell is None:
        stats.inc_value("fazhi/render/shell-filled")
        return
    stats.inc_value("fazhi/render/shell-unfilled")
    logger.warning("candidate %s is still a shell once rendered (%s): archived as rendered, "
                   "not rendered again", response.url, shell.reason())  # fmt: skip


def readable_text(tree: html.HtmlElement) -> str:
    """The body's text a reader gets without running a script: links, scripts, styles and
    fallbacks left out, template placeholders removed, whitespace dropped."""
    text = "".join(str(node) for node in tree.xpath(READABLE))
    return SPACE.sub("", rules().placeholder.sub("", text))


def _mount_roots(tree: html.HtmlElement) -> list[str]:
    found = []
    for element in tree.iter(etree.Element):
        ident = element.get("id")
        if ident in rules().mount_ids:
            found.append(f"mount-root #{ident}")
        elif marked := rules().mount_attributes & {name.lower() for name in element.attrib}:
            found.append(f"mount-root [{min(marked)}]")
    return found[:1]  # one root says it: an app has one


def _bindings(tree: html.HtmlElement) -> list[str]:
    """Template placeholders in the text, or elements bound to data a script loads."""
    signs = []
    text = "".join(str(node) for node in tree.xpath(SHOWN))
    if rules().placeholder.search(text):
        signs.append("placeholders {{…}}")
    bound = {
        name.lower()
        for element in tree.iter(etree.Element)
        for name in element.attrib
        if name.lower() in rules().binding_attributes
    }
    if bound:
        signs.append("bindings " + " ".join(sorted(bound)))
    return signs


def _noscript(tree: html.HtmlElement) -> list[str]:
    texts = (element.text_content() for element in tree.xpath("//noscript"))
    return ["noscript asks for JavaScript"] if any(map(rules().noscript.search, texts)) else []
