"""YAML with line numbers: every problem in a registry file is reported as ``file:line``.

PyYAML's node marks give the lines; keys repeated in one mapping (which PyYAML would keep the
last of, silently) are found before construction.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from pydantic_core import ErrorDetails

from crawler.registry.sources import Problem

Loc = tuple[str | int, ...]


def parse(text: str) -> tuple[yaml.Node | None, Any, list[yaml.ScalarNode]]:
    """The node tree (for line numbers), the data built from it, and repeated keys."""
    loader = yaml.SafeLoader(text)
    try:
        root = loader.get_single_node()
        # Looked for before construction folds merge keys (<<) into their mappings, so an
        # explicit key overriding a merged one is not taken for a repeat.
        duplicates = list(_duplicate_keys(root))
        data = loader.construct_document(root) if root is not None else None
    finally:
        loader.dispose()
    return root, data, duplicates


def _duplicate_keys(root: yaml.Node | None) -> Iterator[yaml.ScalarNode]:
    """Keys that repeat a key of their mapping: PyYAML would keep the last one silently."""
    stack = [root] if root is not None else []
    visited: set[int] = set()  # an alias shares its anchor's node, and may point at itself
    while stack:
        node = stack.pop()
        if id(node) in visited:
            continue
        visited.add(id(node))
        if isinstance(node, yaml.MappingNode):
            seen: set[str] = set()
            for key, value in node.value:
                if isinstance(key, yaml.ScalarNode):
                    if key.value in seen:
                        yield key
                    seen.add(key.value)
                stack.append(value)
        elif isinstance(node, yaml.SequenceNode):
            stack.extend(node.value)


@dataclass(frozen=True)
class Located:
    """One entry of a file with its YAML node, to put a line on each of its problems."""

    path: Path
    node: yaml.Node
    item: Any

    def line(self, loc: Loc) -> int:
        """The line of the deepest node on ``loc`` that exists: a key's line for a step into
        a mapping (a missing key: the mapping's), an item's for a step into a list."""
        node, line = self.node, self.node.start_mark.line
        for part in loc:
            if isinstance(node, yaml.MappingNode):
                # Last match: merged keys (<<) come first, and the last one is the one used.
                pair = next(((k, v) for k, v in reversed(node.value) if k.value == part), None)
                if pair is None:
                    break
                line, node = pair[0].start_mark.line, pair[1]
            elif isinstance(node, yaml.SequenceNode) and isinstance(part, int):
                node = node.value[part]
                line = node.start_mark.line
            else:
                break
        return line + 1

    def problem(self, loc: Loc, message: str) -> Problem:
        slug = self.item.get("slug") if isinstance(self.item, dict) else None
        label = f"{slug}: " if isinstance(slug, str) else ""
        return Problem(self.path, self.line(loc), label + message)


def described(error: ErrorDetails) -> str:
    """A pydantic error as a reviewer reads it: ``politeness.reason: required``."""
    where = ".".join(str(part) for part in error["loc"])
    if error["type"] == "extra_forbidden":
        return f"unknown key {where!r}"
    if error["type"] == "missing":
        return f"{where}: required"
    if error["type"] == "value_error":  # our own messages, which quote the value
        message = error["msg"].removeprefix("Value error, ")
    else:
        message = f"{error['msg']} (got {error['input']!r})"
    return f"{where}: {message}" if where else message
