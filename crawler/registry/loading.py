"""Loading the registry: ``crawler/sources/*.yaml``, or another file or directory.

Everything a typo could break is checked at load time and reported as ``file:line:
message``, all problems at once, so a reviewer fixes a file in one pass (docs/sources.md).
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import yaml

from crawler.registry.entries import checked, source_of
from crawler.registry.sources import Problem, Registry, RegistryError, Source
from crawler.registry.yaml_lines import Located, parse

DEFAULT_DIRECTORY = Path(__file__).resolve().parent.parent / "sources"


def load(path: Path | None = None) -> Registry:
    """The shipped registry, or PATH: a directory of ``*.yaml`` files or one file; raises
    :class:`RegistryError` listing every problem."""
    registry, problems = read(path)
    if problems:
        raise RegistryError(problems)
    return registry


def read(path: Path | None = None) -> tuple[Registry, tuple[Problem, ...]]:
    """The valid sources of PATH (as :func:`load` takes it) and the problems of the rest, for
    ``fazhi sources check`` to report both."""
    path = path or DEFAULT_DIRECTORY
    if not path.is_dir():
        return _read_files([path])
    files = sorted(path.glob("*.yaml"))
    if not files:
        return Registry({}), (Problem(path, None, "no *.yaml source files"),)
    return _read_files(files)


def _read_files(paths: Iterable[Path]) -> tuple[Registry, tuple[Problem, ...]]:
    """Sources of ``paths`` in order; a slug seen before is a problem, not an override."""
    sources: dict[str, Source] = {}
    problems: list[Problem] = []
    for path in paths:
        found, file_problems = _read_file(path)
        problems += file_problems
        for source in found:
            first = sources.setdefault(source.slug, source)
            if first is not source:
                where = f"{first.file}:{first.line}"
                problems.append(
                    Problem(path, source.line, f"{source.slug}: duplicate slug (first at {where})")
                )
    return Registry(sources), tuple(problems)


def _read_file(path: Path) -> tuple[list[Source], list[Problem]]:
    try:
        root, data, duplicates = parse(path.read_bytes().decode("utf-8"))
    except UnicodeDecodeError as exc:
        line = exc.object[: exc.start].count(b"\n") + 1
        return [], [Problem(path, line, "not UTF-8")]
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        return [], [Problem(path, mark.line + 1 if mark else None, f"YAML: {exc.problem}")]
    problems = [
        Problem(path, key.start_mark.line + 1, f"duplicate key {key.value!r}") for key in duplicates
    ]
    if not isinstance(root, yaml.SequenceNode) or not isinstance(data, list):
        line = root.start_mark.line + 1 if root else 1
        return [], [*problems, Problem(path, line, "expected a list of sources")]
    sources = []
    for node, item in zip(root.value, data, strict=True):
        located = Located(path, node, item)
        found = checked(item)
        if isinstance(found, list):
            problems += [located.problem(loc, message) for loc, message in found]
            continue
        entry, region = found
        sources.append(source_of(entry, region, path, located.line(())))
    return sources, sorted(problems, key=lambda p: p.line or 0)
