"""The saved-page generator (tests/fixtures/tools) used as the replica's page library.

The replica draws its pages with the generator that made the 19 saved pages — same skins, body
markup, editor styles, 索引号 tables and reader's view — so a replica page and the text it is
expected to yield come from one code path, as they do for the saved pages. The tools are
scripts importing each other by bare name; their directory is appended to ``sys.path`` (last,
so it can never shadow an installed module).

The generator re-reads a skin and re-parses the menu tree (pure-Python YAML) for every page;
fine for 19 pages, 95% of the time for the replica's 180. Both readers are pure functions of
their arguments, so page_build's references to them are memoised here.
"""

from __future__ import annotations

import functools
import sys
import tempfile
from pathlib import Path
from typing import Any

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
TOOLS = FIXTURES / "tools"
SEEDS = FIXTURES / "seeds"
PAGES = FIXTURES / "pages"
# The held-out portals' report specs and skins: in the replica's data, not beside the saved
# pages, so no saved page (and no rule written on one) is built from them. One folder per
# held-out group (config.GROUPS); a fixture `<group>/<name>` is that group's specs/<name>.yaml.
DATA = Path(__file__).resolve().parent / "data"
HELDOUT = DATA / "heldout"
HELD_OUT_GROUPS = ("heldout", "heldout2")

if str(TOOLS) not in sys.path:
    sys.path.append(str(TOOLS))

import attachment_files  # noqa: E402
import body_markup  # noqa: E402
import body_render  # noqa: E402
import page_build  # noqa: E402
import punctuation  # noqa: E402
import reader_text  # noqa: E402
import skin  # noqa: E402


@functools.cache
def load_skin(name: str) -> skin.Skin:
    """A skin by name: a held-out group's when its folder has it, else the saved pages'."""
    for group in HELD_OUT_GROUPS:
        held_out = DATA / group / "skins"
        if (held_out / f"{name}.html").exists():
            return skin.load_skin(name, held_out)
    return skin.load_skin(name, skin.SKINS)


page_build.load_skin = load_skin
page_build.render_nav = functools.cache(page_build.render_nav)
render_nav = page_build.render_nav

__all__ = [
    "PAGES",
    "SEEDS",
    "body_markup",
    "body_render",
    "fixture_spec",
    "load_skin",
    "page_build",
    "punctuation",
    "reader_text",
    "render_nav",
    "report_file",
    "skin",
]


@functools.cache
def fixture_spec(fixture: str) -> dict[str, Any]:
    """The spec of a saved page, e.g. ``trs_wcm/xiamen_siming_gov_2023``, or of a held-out
    report, ``heldout/<name>`` or ``heldout2/<name>`` (shared: never mutate)."""
    group, _, name = fixture.partition("/")
    if group in HELD_OUT_GROUPS:
        return page_build.load_spec(DATA / group / "specs" / f"{name}.yaml")
    return page_build.load_spec(TOOLS / "specs" / f"{fixture}.yaml")


@functools.cache
def report_file(fixture: str, name: str) -> tuple[bytes, str]:
    """A report file a page links to and the text it must yield: a saved page's from its
    `.files` folder; a held-out report's written from its spec's `attachment_report` (python-docx,
    fixed dates: the same bytes every build)."""
    group, _, _ = fixture.partition("/")
    if group not in HELD_OUT_GROUPS:
        local = PAGES / f"{fixture}.files" / name
        text = local.with_name(f"{name}.expected.txt").read_text(encoding="utf-8")
        return local.read_bytes(), text.strip()
    spec = fixture_spec(fixture)
    report = spec["attachment_report"]
    blocks = body_markup.parse_markup(report["body"])
    kind = next(item["kind"] for item in spec["files"] if item["name"] == name)
    with tempfile.TemporaryDirectory() as scratch:
        written = Path(scratch) / name
        writer = {"docx": attachment_files.write_docx, "pdf": attachment_files.write_pdf}[kind]
        writer(written, report["title"], blocks)
        body = written.read_bytes()
    return body, "\n".join(page_build.expected_lines(blocks, spec))
