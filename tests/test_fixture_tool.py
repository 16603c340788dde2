"""The saved pages are what their generator produces, and the unseen pages' records agree with
their specs and their pages: no hand edits drift from the specs."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

TOOLS = Path(__file__).resolve().parent / "fixtures" / "tools"


def test_fixtures_match_their_generator() -> None:
    sys.path.insert(0, str(TOOLS))
    try:
        spec = importlib.util.spec_from_file_location("build_pages", TOOLS / "build_pages.py")
        assert spec and spec.loader
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        assert module.main(["--check"]) == 0
    finally:
        sys.path.remove(str(TOOLS))
