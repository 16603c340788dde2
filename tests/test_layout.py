"""The product card's architecture, checked: archive/ is pure Python."""

from __future__ import annotations

import ast
import subprocess
import sys
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
