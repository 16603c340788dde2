"""The README and docs/ name only what exists: links, anchors, files and Python names.

Modules move (docs/history/ lists the moves); a page that still names the old place sends a
reader nowhere. Pages under docs/history/ name old paths on purpose: only their links are checked.
"""

from __future__ import annotations

import ast
import importlib
import re
from functools import cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PAGES = sorted([ROOT / "README.md", *(ROOT / "docs").rglob("*.md")])
CURRENT = [page for page in PAGES if "history" not in page.relative_to(ROOT).parts]
# Where code and configuration point readers at docs/.
POINTERS = sorted(
    [
        *(ROOT / "archive").rglob("*.py"),
        *(ROOT / "crawler").rglob("*.py"),
        *(ROOT / "fazhi").rglob("*.py"),
        *(ROOT / "alembic").rglob("*.py"),
        *(ROOT / "crawler" / "sources").glob("*.yaml"),
        ROOT / "scheduler.py",
        ROOT / "pyproject.toml",
        ROOT / "docker-compose.yml",
        ROOT / "Makefile",
    ]
)
README_MAX_LINES = 220

LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)\)")
HEADING = re.compile(r"^#{1,6} +(.+?) *$", re.MULTILINE)
# fazhi/… is also the prefix of the crawl's stats keys (fazhi/archive/spooled): .py files only.
REPO_PATH = re.compile(
    r"(?<![\w./-])(?:(?:archive|crawler|tests|bench|docs|alembic)/[\w./*-]*|fazhi/\w+\.py)"
)
DOTTED = re.compile(r"(?<![\w./-])(?:archive|crawler|fazhi)(?:\.[A-Za-z_]\w*)+")
DOC_SECTION = re.compile(r"docs/([\w/.-]+\.md)(?: \(\"([^\"]+)\")?")


def rel(path: Path) -> str:
    return str(path.relative_to(ROOT))


def slug(heading: str) -> str:
    """GitHub's anchor for a heading: lower case, punctuation dropped, spaces as hyphens."""
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


@cache
def headings(page: Path) -> tuple[str, ...]:
    text = re.sub(r"^```.*?^```", "", page.read_text(encoding="utf-8"), flags=re.S | re.M)
    return tuple(HEADING.findall(text))


def anchors(page: Path) -> set[str]:
    return {slug(heading) for heading in headings(page)} if page.suffix == ".md" else set()


@cache
def sections(page: Path) -> tuple[str, ...]:
    """Headings, and the bold words that open a paragraph (**Crash and `--resume`.**)."""
    bold = re.findall(r"^\*\*(.+?)\*\*", page.read_text(encoding="utf-8"), re.MULTILINE)
    return tuple(name.replace("`", "") for name in (*headings(page), *bold))


def prose(page: Path) -> str:
    """The page without docs/schema.md's generated table reference: that text is the
    database's own column comments, which only a migration changes."""
    text = page.read_text(encoding="utf-8")
    return re.sub(r"<!-- tables:start -->.*<!-- tables:end -->", "", text, flags=re.DOTALL)


def test_anchors_follow_github() -> None:
    assert slug("Crash, database outage, monitoring") == "crash-database-outage-monitoring"
    assert slug("The `fazhi` command") == "the-fazhi-command"
    assert slug("Export format (`fazhi export`)") == "export-format-fazhi-export"


@pytest.mark.parametrize("page", PAGES, ids=rel)
def test_every_link_resolves(page: Path) -> None:
    broken = []
    for target in LINK.findall(page.read_text(encoding="utf-8")):
        if re.match(r"[a-z]+:", target):  # https:, mailto:
            continue
        path, _, anchor = target.partition("#")
        resolved = (page.parent / path).resolve() if path else page
        if not resolved.exists() or (anchor and anchor not in anchors(resolved)):
            broken.append(target)
    assert broken == []


@pytest.mark.parametrize("page", CURRENT, ids=rel)
def test_every_path_named_exists(page: Path) -> None:
    text = prose(page)
    missing = [
        name
        for name in sorted(set(REPO_PATH.findall(text)))
        if not any(ROOT.glob(name.rstrip("./")))
    ]
    assert missing == []


@pytest.mark.parametrize("page", CURRENT, ids=rel)
def test_every_python_name_exists(page: Path) -> None:
    names = sorted(set(DOTTED.findall(prose(page))))
    assert [name for name in names if not python_name_exists(name)] == []


def python_name_exists(dotted: str) -> bool:
    """Whether DOTTED is a module, or a module's top-level name, or an attribute of its class."""
    parts = dotted.split(".")
    for cut in range(len(parts), 0, -1):
        base = ROOT.joinpath(*parts[:cut])
        module = base / "__init__.py" if base.is_dir() else base.with_suffix(".py")
        if module.is_file():
            return defines(module, tuple(parts[cut:]))
    return False


def defines(module: Path, names: tuple[str, ...]) -> bool:
    if not names:
        return True
    scope: list[ast.stmt] = ast.parse(module.read_text(encoding="utf-8")).body
    for name in names[:2]:  # a name, then an attribute of it if it is a class
        found = [node for node in scope if name in bound_names(node)]
        if not found:
            return False
        scope = found[0].body if isinstance(found[0], ast.ClassDef) else []
    return True


def bound_names(node: ast.stmt) -> set[str]:
    if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
        return {node.name}
    if isinstance(node, ast.Import | ast.ImportFrom):
        return {(alias.asname or alias.name).split(".")[0] for alias in node.names}
    targets = node.targets if isinstance(node, ast.Assign) else [getattr(node, "target", None)]
    return {t.id for t in targets if isinstance(t, ast.Name)}


@pytest.mark.parametrize("source", POINTERS, ids=rel)
def test_pointers_into_docs_lead_somewhere(source: Path) -> None:
    """A docstring's `docs/x.md ("Section")` names a page that exists and a section on it."""
    broken = []
    for page, section in DOC_SECTION.findall(source.read_text(encoding="utf-8")):
        doc, section = ROOT / "docs" / page, " ".join(section.split())
        if not doc.is_file():
            broken.append(page)
        elif section and not any(name.startswith(section) for name in sections(doc)):
            broken.append(f"{page} ({section})")
    assert broken == []


def test_the_readme_is_a_newcomers_page() -> None:
    lines = (ROOT / "README.md").read_text(encoding="utf-8").count("\n")
    assert lines <= README_MAX_LINES


def test_every_crawler_setting_is_documented() -> None:
    settings = importlib.import_module("crawler.settings")
    doc = (ROOT / "docs" / "configuration.md").read_text(encoding="utf-8")
    names = [name for name in vars(settings) if name.startswith("FAZHI_")]
    assert names
    assert [name for name in names if f"`{name}`" not in doc] == []
