"""The hazards a portal puts in a crawler's way: robots rules, redirect chains and traps.

Traps are the accidental infinities of real portals: a calendar whose next-day link never ends,
a relative link missing its leading slash that repeats path segments on every click, and a
pager that keeps offering 下一页 past its last page. Each trap knows the URL pattern of its
endless part, which the manifest hands to the end-to-end test.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass
from html import escape

from tests.replica.listing import Entry, home_block, list_box
from tests.replica.resource import Handler, Resource

# Render a chrome page: (page title, listing HTML) -> bytes.
Render = Callable[[str, str], bytes]
CALENDAR_STEPS = (("前一周", -7), ("前一天", -1), ("后一天", 1), ("后一周", 7))


@dataclass(frozen=True)
class Trap:
    kind: str
    start: str  # a path that enters it
    pattern: str  # regex over path and query: the URLs a crawler must not follow forever
    handler: Handler
    note: str
    beyond: int | None = None  # endless pager: numbers up to this one are real pages


def robots(text: str) -> Resource:
    return Resource(200, "text/plain", text.encode("ascii"))


def redirect_chain(base: str, chain: list[str], target: str) -> dict[str, Resource]:
    """301 from the first path, then 302, 301, … until the target: a moved column or page."""
    hops = [*chain, target]
    return {
        path: Resource(301 if n % 2 == 0 else 302, "text/html", b"", base + hops[n + 1])
        for n, path in enumerate(chain)
    }


def calendar(render: Render, content_type: str, path: str, title: str) -> Trap:
    """An activity calendar: every day links the days around it, for ever."""
    pattern = rf"^{re.escape(path)}\?date=\d{{4}}-\d{{2}}-\d{{2}}$"

    def handle(target: str) -> Resource | None:
        if not re.match(pattern, target):
            return None
        try:
            day = dt.date.fromisoformat(target.rsplit("=", 1)[1])
        except ValueError:
            return None
        links = []
        for label, step in CALENDAR_STEPS:
            try:
                links.append((label, f"{path}?date={day + dt.timedelta(days=step)}"))
            except OverflowError:
                continue
        heading = f"{title}（{day.year}年{day.month}月{day.day}日）"
        listing = list_box(heading, "<p>当日暂无公开活动安排。</p>") + home_block("日期", links)
        return Resource(200, content_type, render(title, listing))

    return Trap("calendar", f"{path}?date=2024-03-13", pattern, handle, "next-day links forever")


def repeating_segments(
    render: Render, content_type: str, path: str, title: str, entries: list[Entry]
) -> Trap:
    """A topic page whose 专题首页 link lacks its leading slash; the server answers any depth."""
    segments = path.strip("/") + "/"
    served = re.compile(rf"^{re.escape(path)}(?:{re.escape(segments)})*(?:index\.htm)?$")
    links = [(entry.title, entry.path) for entry in entries]
    listing = list_box(
        title,
        f'<p><a href="{escape(segments)}index.htm">专题首页</a></p>'
        + home_block("专题文章", links),
    )
    page = Resource(200, content_type, render(title, listing))

    def handle(target: str) -> Resource | None:
        return page if served.match(target) else None

    pattern = rf"^{re.escape(path)}(?:{re.escape(segments)})+"
    return Trap("repeating-segments", path, pattern, handle, f"relative link {segments}index.htm")


def endless_pages(
    render_page: Callable[[int], bytes], content_type: str, numbered: tuple[str, str], real: int
) -> Trap:
    """A pager past its end: page n > real shows the last page again and links n + 1.

    `numbered` is the page URL around its number, e.g. ("/a/list_7_", ".html").
    """
    prefix, suffix = numbered
    pattern = rf"^{re.escape(prefix)}(\d+){re.escape(suffix)}$"

    def handle(target: str) -> Resource | None:
        match = re.match(pattern, target)
        if not match or int(match[1]) <= real:
            return None
        return Resource(200, content_type, render_page(int(match[1])))

    note = f"pages beyond {real} repeat the last one"
    return Trap("endless-pagination", f"{prefix}1{suffix}", pattern, handle, note, beyond=real)
