"""The product card's architecture, checked: archive/ is pure Python."""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FORBIDDEN = ("scrapy", "crawler", "scrapy_playwright", "scrapy_redis", "twisted")


def imported_roots(path: Path) -> set[str]:
    roots = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            roots.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            roots.add(node.module.split(".")[0])
    return roots


def test_archive_never_imports_the_crawler() -> None:
    offenders = {
        str(path.relative_to(ROOT)): sorted(imported_roots(path) & set(FORBIDDEN))
        for path in (ROOT / "archive").rglob("*.py")
    }
    assert {k: v for k, v in offenders.items() if v} == {}


def test_importing_all_of_archive_loads_no_scrapy() -> None:
    modules = [
        ".".join(p.relative_to(ROOT).with_suffix("").parts)
        for p in (ROOT / "archive").rglob("*.py")
        if p.stem != "__init__"
    ]
    code = (
        "import importlib, sys\n"
        f"for m in {modules!r}: importlib.import_module(m)\n"
        f"print(sorted(m for m in sys.modules if m.split('.')[0] in {FORBIDDEN!r}))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT
    )
    assert out.stdout.strip() == "[]"


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
    code = [*(ROOT / "archive").rglob("*.py"), *(ROOT / "crawler").rglob("*.py")]
    code += [*(ROOT / "fazhi").rglob("*.py"), ROOT / "scheduler.py"]
    offenders = {
        str(path.relative_to(ROOT)): sorted(
            root
            for root in imported_roots(path)
            if {_distribution(d) for d in providers.get(root, [])} & extra_only
        )
        for path in code
    }
    assert extra_only, "pyproject.toml's extras were not found: is the project installed?"
    assert {k: v for k, v in offenders.items() if v} == {}
