"""What a script-built listing loads: its JSON endpoints, their links, and their other pages.

A listing drawn by script (gkmlpt, Vue portals) holds no links in its HTML; rendered, it holds
the first screen only, and its pager's links are ``javascript:void(0)``. The data is in the JSON
the page fetched. The browser says which fetch/XHR calls the page made (the Resource Timing
API); the crawler asks for those itself, as ordinary requests (scope, robots, politeness, a
fetch row and a WARC record each), reads the links inside, and asks for the endpoint's other
pages by changing its page parameter, up to the count the JSON states — never by clicking, so
no pager can lead it into a loop.
"""

from __future__ import annotations

import json
import re
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from typing import Any
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

from scrapy.http import Response, TextResponse
from scrapy_playwright.page import PageMethod

from crawler.discovery import RULES_FILE, Link, classify_link

# Every fetch/XHR URL the page called, in order (Resource Timing keeps up to 250 by default).
RESOURCE_CALLS = (
    "performance.getEntriesByType('resource')"
    ".filter(e => e.initiatorType === 'fetch' || e.initiatorType === 'xmlhttprequest')"
    ".map(e => e.name)"
)
CJK = re.compile(r"[\u4e00-\u9fff]")
URLISH = re.compile(r"^(https?://|/|\./|\.\./)\S*$")


@dataclass(frozen=True)
class _Rules:
    page_params: frozenset[str]
    page_count_keys: tuple[str, ...]
    item_count_keys: tuple[str, ...]
    page_size_keys: tuple[str, ...]


@cache
def rules() -> _Rules:
    data = tomllib.loads(RULES_FILE.read_text(encoding="utf-8"))["api"]
    return _Rules(
        frozenset(name.lower() for name in data["page_params"]),
        tuple(data["page_count_keys"]),
        tuple(data["item_count_keys"]),
        tuple(data["page_size_keys"]),
    )


def recording_calls() -> list[PageMethod]:
    """The page method a rendered listing runs after loading: its calls come back in meta."""
    return [PageMethod("evaluate", RESOURCE_CALLS)]


def api_calls(response: Response) -> list[str]:
    """The fetch/XHR URLs a rendered page called, as its page method recorded them."""
    for method in response.meta.get("playwright_page_methods", ()):
        if isinstance(method, PageMethod) and method.args == (RESOURCE_CALLS,):
            return [url for url in method.result or () if isinstance(url, str)]
    return []


def read_json(response: Response) -> Any:
    """The body as JSON, or None when it is not (an endpoint answering HTML, a JSONP wrapper)."""
    if not isinstance(response, TextResponse):
        return None
    try:
        return json.loads(response.text)
    except ValueError:
        return None


def json_links(data: Any, base: str) -> list[Link]:
    """The links an endpoint's JSON holds: each object's URL-like strings, with the object's
    longest Chinese string as their anchor (its title), classified like a page's links."""
    found: dict[str, Link] = {}
    for item in _objects(data):
        texts = [v.strip() for v in item.values() if isinstance(v, str)]
        urls = [t for t in texts if URLISH.match(t)]
        title = max((t for t in texts if t not in urls and CJK.search(t)), key=len, default="")
        for url in urls:
            absolute = urljoin(base, url).split("#", 1)[0]
            if urlsplit(absolute).scheme in ("http", "https"):
                found.setdefault(absolute, classify_link(absolute, title))
    return list(found.values())


def other_pages(api_url: str, data: Any, limit: int) -> list[str]:
    """The endpoint's other pages (at most LIMIT pages in all): its page parameter set to each
    number up to the page count its JSON states, or derives from total and page size."""
    parts = urlsplit(api_url)
    query = parse_qsl(parts.query, keep_blank_values=True)
    names = rules().page_params
    at = next((i for i, (k, v) in enumerate(query) if k.lower() in names and v.isdigit()), None)
    if at is None:
        return []
    count = min(_page_count(data, dict(query)), limit)
    current = int(query[at][1])
    urls = []
    for number in range(1, count + 1):
        if number != current:
            query[at] = (query[at][0], str(number))
            urls.append(urlunsplit(parts._replace(query=urlencode(query))))
    return urls


def _page_count(data: Any, query: dict[str, str]) -> int:
    pages = _number(data, rules().page_count_keys)
    if pages:
        return pages
    total = _number(data, rules().item_count_keys)
    size = _number(data, rules().page_size_keys) or next(
        (int(query[k]) for k in rules().page_size_keys if query.get(k, "").isdigit()), 0
    )
    size = size or max((len(v) for v in _lists(data)), default=0)
    return -(-total // size) if total and size else 0


def _number(data: Any, keys: tuple[str, ...]) -> int:
    """The first of KEYS holding a positive integer in DATA or an object nested in it."""
    for item in _objects(data):
        for key in keys:
            value = item.get(key)
            if isinstance(value, int | str) and str(value).isdigit() and int(value) > 0:
                return int(value)
    return 0


def _objects(data: Any) -> Iterator[dict[str, Any]]:
    """Every JSON object in DATA, outermost first."""
    if isinstance(data, dict):
        yield data
        for value in data.values():
            yield from _objects(value)
    elif isinstance(data, list):
        for value in data:
            yield from _objects(value)


def _lists(data: Any) -> Iterator[list[Any]]:
    """Every list of objects in DATA: the items of a page."""
    if isinstance(data, list) and any(isinstance(v, dict) for v in data):
        yield data
    for value in (
        data.values() if isinstance(data, dict) else data if isinstance(data, list) else ()
    ):
        yield from _lists(value)
