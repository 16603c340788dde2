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
from pathlib import Path
from typing import Any

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
TOOLS = FIXTURES / "tools"
SEEDS = FIXTURES / "seeds"
PAGES = FIXTURES / "pages"
# The held-out portals' report specs and skins: in the replica's data, not beside the saved
# pages, so no saved page (and no rule written on one) is built from them.
HELDOUT = Path(__file__).resolve().parent / "data" / "heldout"
HELDOUT_PREFIX = "heldout/"

if str(TOOLS) not in sys.path:
    sys.path.append(str(TOOLS))

import body_markup  # noqa: E402
import page_build  # noqa: E402
import punctuation  # noqa: E402
import reader_text  # noqa: E402
import skin  # noqa: E402


@functools.cache
def load_skin(name: str) -> skin.Skin:
    """A skin by name: a held-out one when its folder has it, else the saved pages'."""
    held_out = HELDOUT / "skins"
    return skin.load_skin(name, held_out if (held_out / f"{name}.html").exists() else skin.SKINS)


page_build.load_skin = load_skin
page_build.render_nav = functools.cache(page_build.render_nav)
render_nav = page_build.render_nav

__all__ = [
    "PAGES",
    "SEEDS",
    "body_markup",
    "fixture_spec",
    "load_skin",
    "page_build",
    "punctuation",
    "reader_text",
    "render_nav",
    "skin",
]


@functools.cache
def fixture_spec(fixture: str) -> dict[str, Any]:
    """The spec of a saved page, e.g. ``trs_wcm/xiamen_siming_gov_2023``, or of a held-out
    report, ``heldout/<name>`` (shared: never mutate)."""
    if fixture.startswith(HELDOUT_PREFIX):
        return page_build.load_spec(
            HELDOUT / "specs" / f"{fixture.removeprefix(HELDOUT_PREFIX)}.yaml"
        )
    return page_build.load_spec(TOOLS / "specs" / f"{fixture}.yaml")
