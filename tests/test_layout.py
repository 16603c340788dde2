"""The architecture, checked: archive/ is pure Python, imports run one way, modules stay small."""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from collections.abc import Iterator
from importlib import metadata
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FORBIDDEN = ("scrapy", "crawler", "scrapy_playwright", "scrapy_redis", "twisted")
PACKAGES = ("archive", "crawler", "fazhi", "reading_room")
MAX_LINES = 450


def our_modules() -> dict[str, Path]:
    """Every module of ours by dotted name: the packages, recursively, and scheduler.py."""
    modules = {"scheduler": ROOT / "scheduler.py"}
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            parts = path.relative_to(ROOT).with_suffix("").parts
            name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
            modules[name] = path
    return modules


def imported(path: Path) -> Iterator[str]:
    """The modules PATH imports, anywhere in it (a lazy import still makes a cycle)."""
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield node.module
            yield from (f"{node.module}.{alias.name}" for alias in node.names)


def import_graph() -> dict[str, set[str]]:
    modules = our_modules()
    return {
        name: {target for target in imported(path) if target in modules and target != name}
        for name, path in modules.items()
    }


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import cycle, as the modules along it, or None (depth-first, three colours)."""
    done: set[str] = set()
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        if node in stack:
            return [*stack[stack.index(node) :], node]
        if node in done:
            return None
        stack.append(node)
        for target in sorted(graph[node]):
            cycle = visit(target)
            if cycle:
                return cycle
        stack.pop()
        done.add(node)
        return None

    return next((c for c in map(visit, sorted(graph)) if c), None)


def test_no_import_cycle_anywhere() -> None:
    assert find_cycle(import_graph()) is None


def test_the_cycle_finder_finds_one() -> None:
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert find_cycle(graph) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": set()}) is None


def test_archive_never_imports_the_crawler() -> None:
    offenders = {
        str(path.relative_to(ROOT)): sorted(
            {name.split(".")[0] for name in imported(path)} & set(FORBIDDEN)
        )
        for path in (ROOT / "archive").rglob("*.py")
    }
    assert {k: v for k, v in offenders.items() if v} == {}


def test_importing_all_of_archive_loads_no_scrapy() -> None:
    modules = sorted(name for name in our_modules() if name.split(".")[0] == "archive")
    code = (
        "import importlib, sys\n"
        f"for m in {modules!r}: importlib.import_module(m)\n"
        f"print(sorted(m for m in sys.modules if m.split('.')[0] in {FORBIDDEN!r}))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT
    )
    assert out.stdout.strip() == "[]"


def test_archive_root_holds_only_its_entry_points() -> None:
    root = {p.name for p in (ROOT / "archive").iterdir() if not p.name.startswith((".", "__py"))}
    assert root == {
        "__init__.py",
        "anatomy",
        "config.py",
        "coverage",
        "errors.py",
        "ingest.py",
        "extract",
        "reprocess",
        "runs",
        "search",
        "storage",
    }


@pytest.mark.parametrize(("name", "path"), sorted(our_modules().items()), ids=sorted(our_modules()))
def test_no_module_over_the_size_limit(name: str, path: Path) -> None:
    lines = len(path.read_text(encoding="utf-8").splitlines())
    assert lines <= MAX_LINES, f"{name}: {lines} lines"


def test_product_card_layout_exists() -> None:
    for name in ("scrapy.cfg", "crawler", "archive", "scheduler.py", "tests", "alembic"):
        assert (ROOT / name).exists(), name
    assert (ROOT / "docker-compose.yml").is_file()


def _distribution(requirement: str) -> str:
    """The normalised distribution name a requirement (``rapidfuzz<4,>=3; extra == …``) names."""
    name = re.split(r"[^A-Za-z0-9._-]", requirement, maxsplit=1)[0]
    return re.sub(r"[-_.]+", "-", name).lower()


def test_the_installed_code_needs_no_extra() -> None:
    """The Docker image installs no extra: what only an extra brings (rapidfuzz) is for tests."""
    requirements = metadata.requires("fazhi-archive") or []
    plain = {_distribution(r) for r in requirements if "extra ==" not in r}
    extra_only = {_distribution(r) for r in requirements} - plain - {"fazhi-archive"}
    providers = metadata.packages_distributions()
    offenders = {
        name: sorted(
            root
            for root in {target.split(".")[0] for target in imported(path)}
            if {_distribution(d) for d in providers.get(root, [])} & extra_only
        )
        for name, path in our_modules().items()
    }
    assert extra_only, "pyproject.toml's extras were not found: is the project installed?"
    assert {k: v for k, v in offenders.items() if v} == {}
