"""What we use of dependencies' internals, checked, so that a version bump fails here first.

scrapy-playwright is pinned exactly (pyproject.toml): ``crawler/playwright_handler.py``
subclasses its download handler and works with its attributes. trafilatura is pinned to one
minor version: ``archive/extract/page.py`` reads the XML tree ``bare_extraction`` builds, an
"internal function" by trafilatura's own docstring. Each check names what changed and where
we rely on it; after a bump, fix those places, then move the pin. Scrapy (pinned to two
minor versions) is checked for the robots.txt middleware ``crawler/robots.py`` subclasses.
"""

from __future__ import annotations

import dataclasses
import inspect
import multiprocessing
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from typing import Any

import pytest
import trafilatura
from scrapy.downloadermiddlewares.robotstxt import RobotsTxtMiddleware
from scrapy_playwright.handler import (
    BrowserContextWrapper,
    Config,
    ScrapyPlaywrightDownloadHandler,
)
from scrapy_playwright.provider import PlaywrightBrowserProvider
from trafilatura.settings import Document

from archive.extract.page import Extracted, extract_page

HANDLER = "crawler/playwright_handler.py"
ROBOTS = "crawler/robots.py"
PAGE = "archive/extract/page.py"

# -- scrapy-playwright ------------------------------------------------------------------------

# (class, method): (its parameters after self, whether it is a coroutine, where we rely on it)
OVERRIDDEN: dict[tuple[type, str], tuple[list[str], bool, str]] = {
    (ScrapyPlaywrightDownloadHandler, "__init__"): (
        ["crawler"],
        False,
        f"{HANDLER}: FazhiPlaywrightHandler.__init__ calls super().__init__",
    ),
    (ScrapyPlaywrightDownloadHandler, "download_request"): (
        ["request"],
        True,
        f"{HANDLER}: FazhiPlaywrightHandler.download_request overrides it and awaits super()'s",
    ),
    (ScrapyPlaywrightDownloadHandler, "close"): (
        [],
        True,
        f"{HANDLER}: FazhiPlaywrightHandler.close awaits super().close() once",
    ),
    (RobotsTxtMiddleware, "_parse_robots"): (
        ["response", "netloc", "request"],
        True,
        f"{ROBOTS}: RobotsTxt._parse_robots sees robots.txt's answer, then awaits super()'s",
    ),
    (RobotsTxtMiddleware, "process_request_2"): (
        ["rp", "request"],
        False,
        f"{ROBOTS}: RobotsTxt.process_request_2 refuses a host whose robots.txt answered 5xx",
    ),
}


@pytest.mark.parametrize(
    ("owner", "name"), sorted(OVERRIDDEN, key=lambda key: (key[0].__name__, key[1]))
)
def test_the_methods_we_override_keep_their_signature(owner: type, name: str) -> None:
    params, is_coroutine, used = OVERRIDDEN[owner, name]
    where = f"{owner.__name__}.{name}"
    method = getattr(owner, name, None)
    assert method is not None, f"{where} is gone; {used}"
    got = list(inspect.signature(method).parameters)[1:]
    assert got == params, f"{where} now takes {got}, not {params}; {used}"
    assert inspect.iscoroutinefunction(method) == is_coroutine, (
        f"{where} is {'no longer' if is_coroutine else 'now'} a coroutine; {used}"
    )


def test_the_robots_middleware_keeps_its_stats_attribute() -> None:
    assert "self._stats" in inspect.getsource(RobotsTxtMiddleware.__init__), (
        f"RobotsTxtMiddleware no longer sets self._stats; {ROBOTS} counts fazhi/robots/ with it"
    )


def _built_handler() -> dict[str, Any]:
    """Build a FazhiPlaywrightHandler and report the attributes we use of its base class.

    Runs in a child process: the handler wants Scrapy's asyncio reactor installed, and a
    reactor is installed once per process. No browser starts (that waits for the engine).
    """
    from scrapy.utils.reactor import install_reactor

    install_reactor("twisted.internet.asyncioreactor.AsyncioSelectorReactor")
    from scrapy.utils.test import get_crawler

    from crawler.playwright_handler import FazhiPlaywrightHandler

    settings = {
        "PLAYWRIGHT_MAX_PAGES_PER_CONTEXT": 3,
        "PLAYWRIGHT_LAUNCH_OPTIONS": {"executable_path": "/opt/chromium/chrome"},
    }
    crawler = get_crawler(settings_dict=settings)
    handler = FazhiPlaywrightHandler(crawler)
    config = getattr(handler, "config", None)
    return {
        "config": type(config).__qualname__,
        "config.launch_options": getattr(config, "launch_options", None),
        "config.max_pages_per_context": getattr(config, "max_pages_per_context", None),
        "provider gets the config": (
            handler.browser_provider_cls(config).config is config
            if hasattr(handler, "browser_provider_cls")
            else False
        ),
        "abort_request is ours": getattr(handler, "abort_request", None) == handler.out_of_scope,
        "context_wrappers": type(getattr(handler, "context_wrappers", None)).__name__,
        "stats is the crawler's": getattr(handler, "stats", None) is crawler.stats,
        "_crawler is the crawler": getattr(handler, "_crawler", None) is crawler,
    }


# fact: (its value on a handler built by _built_handler, where we rely on it)
HANDLER_FACTS: dict[str, tuple[Any, str]] = {
    "config": ("Config", "__init__ reads self.config (scrapy_playwright.handler.Config)"),
    "config.launch_options": (
        {
            "executable_path": "/opt/chromium/chrome",
            "args": ["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
            "headless": True,
        },
        "__init__ completes self.config.launch_options (a dict) before the browser launches",
    ),
    "config.max_pages_per_context": (
        3,
        "__init__ sizes tab_turns from self.config.max_pages_per_context",
    ),
    "provider gets the config": (
        True,
        "the browser provider must launch with the launch_options __init__ completed",
    ),
    "abort_request is ours": (
        True,
        "__init__ sets self.abort_request (None when PLAYWRIGHT_ABORT_REQUEST is unset)",
    ),
    "context_wrappers": ("dict", "_close_if_retired looks contexts up in self.context_wrappers"),
    "stats is the crawler's": (True, "the fazhi/render/* counters go to self.stats"),
    "_crawler is the crawler": (True, "out_of_scope reads self._crawler.spider (Scrapy's HTTP11)"),
}


@pytest.fixture(scope="module")
def built_handler() -> dict[str, Any]:
    spawn = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=1, mp_context=spawn) as child:
        return child.submit(_built_handler).result(timeout=120)


@pytest.mark.parametrize("fact", sorted(HANDLER_FACTS))
def test_the_handler_attributes_we_use_are_set_by_its_base_class(
    fact: str, built_handler: dict[str, Any]
) -> None:
    want, used = HANDLER_FACTS[fact]
    assert built_handler[fact] == want, (
        f"scrapy-playwright's handler changed: {fact} is {built_handler[fact]!r}, "
        f"not {want!r}; {HANDLER}: {used}"
    )


def test_the_scrapy_playwright_records_we_use_keep_their_fields() -> None:
    for cls, field, used in (
        (Config, "launch_options", "__init__ sets the executable, args and headless there"),
        (Config, "max_pages_per_context", "tab_turns: as many renders at once as tabs"),
        (BrowserContextWrapper, "context", "_close_if_retired closes wrapper.context"),
    ):
        names = {f.name for f in dataclasses.fields(cls)}
        assert field in names, f"scrapy_playwright {cls.__name__} has no {field}; {HANDLER}: {used}"


# What scrapy-playwright's own code must still do with the attributes we set or share. Only
# a browser run shows it for real (tests/test_rendering.py); this says where to look.
HANDLER_SOURCE_USES: list[tuple[Callable[..., Any], str, str]] = [
    (
        ScrapyPlaywrightDownloadHandler._make_request_handler,
        "self.abort_request(",
        "Chromium's requests go through FazhiPlaywrightHandler.out_of_scope",
    ),
    (
        ScrapyPlaywrightDownloadHandler._launch,
        "self.browser_provider_cls(self.config)",
        "the provider launches with the launch_options __init__ completed",
    ),
    (
        PlaywrightBrowserProvider.launch_browser,
        "**self.config.launch_options",
        "Chromium is launched with the executable crawler.browser.resolve found",
    ),
    (
        ScrapyPlaywrightDownloadHandler,
        '"playwright/page_count/closed"',
        "_close_tab counts the tabs it closes in scrapy-playwright's own counter",
    ),
]


@pytest.mark.parametrize(
    ("where", "code", "used"),
    HANDLER_SOURCE_USES,
    ids=[w.__qualname__ for w, _, _ in HANDLER_SOURCE_USES],
)
def test_scrapy_playwright_still_uses_what_we_set(
    where: Callable[..., Any], code: str, used: str
) -> None:
    assert code in inspect.getsource(where), (
        f"scrapy_playwright's {where.__qualname__} no longer has {code}; {HANDLER}: {used}"
    )


# -- trafilatura ------------------------------------------------------------------------------

# What page.py reads of bare_extraction's XML body, and where. It reads no attribute (not
# rend, not role): only element names, their text and tails.
XML_TAGS: dict[str, str] = {
    "p": "_flat_text: a paragraph inside a table cell is a line of its own (BLOCK_OUTPUT)",
    "head": "_flat_text: a heading inside a cell is a line of its own (BLOCK_OUTPUT)",
    "quote": "_flat_text: a quote inside a cell is a line of its own (BLOCK_OUTPUT)",
    "lb": "_flat_text: a <br> breaks the line",
    "list": "_body_lines: a list's items are read one by one",
    "item": "_body_lines: each list item is a line",
    "table": "_body_lines: tables go to _table_lines",
    "row": "_table_lines: a row becomes one tab-joined line",
    "cell": "_table_lines: cells are the row's columns; one cell a row is a layout table",
}

# A report page as county and city portals publish them: a heading, paragraphs with a <br>,
# a list, a data table, and a section laid out in a one-cell-a-row table (its heading alone in
# its cell: a heading among prose is handed to trafilatura as a <p>, archive/extract/headings.py).
REPORT_PAGE = """<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8">
<title>某某市司法局2023年法治政府建设情况报告_某某市人民政府</title>
<meta name="PubDate" content="2024-03-28 09:30"></head>
<body>
<div class="header"><a href="/">首页</a> <a href="/zwgk/">政务公开</a> <a href="/fzzf/">法治政府</a></div>
<div class="article"><h1>某某市司法局2023年法治政府建设情况报告</h1>
<div class="content">
<p>2023年，市司法局坚持以习近平新时代中国特色社会主义思想为指导，深入贯彻落实党的二十大精神，全面推进法治政府建设各项工作，现将有关情况报告如下。</p>
<h2>一、主要举措和成效</h2>
<p>（一）深化行政执法体制改革。全年组织行政执法人员培训12期，覆盖执法人员1500余人次；<br>开展行政执法案卷评查，评查案卷326卷，督促整改。</p>
<ul><li>健全重大行政决策程序制度，完善公众参与、专家论证机制。</li><li>推行行政执法“三项制度”，执法全过程记录实现全覆盖。</li></ul>
<table border="1"><tr><th>项目</th><th>2022年</th><th>2023年</th></tr>
<tr><td>行政复议案件（件）</td><td>215</td><td>248</td></tr>
<tr><td>行政诉讼案件（件）</td><td>97</td><td>83</td></tr></table>
<table><tr><td><h2>二、存在的不足和原因</h2></td></tr><tr><td><p>一是基层法治力量仍较薄弱，部分乡镇（街道）法治审核人员配备不足。</p>
<blockquote>法治政府建设是全面依法治国的重点任务和主体工程。</blockquote></td></tr></table>
<p>2024年，我们将持续深化法治政府建设，不断提升依法行政能力和水平，为经济社会高质量发展提供坚实法治保障。</p>
</div></div>
<div class="footer">主办单位：某某市司法局　地址：某某市人民路1号　网站标识码：1234000001</div>
</body></html>"""  # noqa: E501  (a page's lines are as long as the portal wrote them)

REPORT_TEXT = [
    "2023年,市司法局坚持以习近平新时代中国特色社会主义思想为指导,深入贯彻落实党的二十大精神,"
    "全面推进法治政府建设各项工作,现将有关情况报告如下。",
    "一、主要举措和成效",
    "(一)深化行政执法体制改革。全年组织行政执法人员培训12期,覆盖执法人员1500余人次;",
    "开展行政执法案卷评查,评查案卷326卷,督促整改。",
    "健全重大行政决策程序制度,完善公众参与、专家论证机制。",
    "推行行政执法“三项制度”,执法全过程记录实现全覆盖。",
    "项目 2022年 2023年",  # cells tab-joined; whitespace repair makes tabs spaces
    "行政复议案件(件) 215 248",
    "行政诉讼案件(件) 97 83",
    "二、存在的不足和原因",
    "一是基层法治力量仍较薄弱,部分乡镇(街道)法治审核人员配备不足。",
    "法治政府建设是全面依法治国的重点任务和主体工程。",
    "2024年,我们将持续深化法治政府建设,不断提升依法行政能力和水平,"
    "为经济社会高质量发展提供坚实法治保障。",
]


@pytest.fixture(scope="module")
def report() -> tuple[Extracted, Any]:
    """extract_page on REPORT_PAGE, and what bare_extraction handed it."""
    documents = []
    bare_extraction = trafilatura.bare_extraction

    def recording(*args: Any, **kwargs: Any) -> Any:
        documents.append(bare_extraction(*args, **kwargs))
        return documents[-1]

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(trafilatura, "bare_extraction", recording)
        extracted = extract_page(REPORT_PAGE.encode(), "https://www.example.gov.cn/fzzf/t1.html")
    assert len(documents) == 1, f"{PAGE} _main_lines no longer calls trafilatura.bare_extraction"
    return extracted, documents[0]


def test_bare_extraction_still_returns_a_document_with_an_xml_body(
    report: tuple[Extracted, Any],
) -> None:
    _, document = report
    assert isinstance(document, Document), (
        f"bare_extraction returned {document!r}; {PAGE} _main_lines reads only a "
        "trafilatura.settings.Document"
    )
    assert getattr(document.body, "tag", None) == "body", (
        f"the Document's body is {document.body!r}, not an XML <body>; "
        f"{PAGE} _main_lines reads its children"
    )


def test_bare_extraction_accepts_what_page_passes_it() -> None:
    parameters = inspect.signature(trafilatura.bare_extraction).parameters
    passed = ("fast", "include_tables", "include_comments", "with_metadata", "deduplicate")
    missing = [name for name in passed if name not in parameters]
    assert not missing, f"bare_extraction no longer takes {missing}; {PAGE} _main_lines passes them"
    assert parameters["as_dict"].default is False, (
        f"{PAGE} _main_lines wants a Document, not a dict"
    )


@pytest.mark.parametrize("tag", sorted(XML_TAGS))
def test_the_xml_elements_page_reads_keep_their_names(
    tag: str, report: tuple[Extracted, Any]
) -> None:
    found = {element.tag for element in report[1].body.iter()}
    assert tag in found, (
        f"trafilatura {trafilatura.__version__}'s XML has no <{tag}> for this page "
        f"(it has {sorted(found)}); {PAGE} {XML_TAGS[tag]}"
    )


def test_the_report_page_reads_line_by_line_as_page_means_it(
    report: tuple[Extracted, Any],
) -> None:
    assert report[0].text.split("\n") == REPORT_TEXT
