"""Keep docs/schema.md's table reference in step with the models' comments.

The comments on tables and columns are the single source; this renders them
between two markers in the document, and a test fails when the committed
document is stale (`python -m archive.storage.schema_doc` rewrites it).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from sqlalchemy import Column, Table, UniqueConstraint

from archive.storage.models import Base, UTCDateTime

DOC = Path(__file__).resolve().parents[2] / "docs" / "schema.md"
START, END = "<!-- tables:start -->", "<!-- tables:end -->"


def render_tables() -> str:
    return "\n".join(_render(table) for table in Base.metadata.sorted_tables)


def _render(table: Table) -> str:
    lines = [f"### `{table.name}`", "", table.comment or "", ""]
    lines += ["| column | type | null | meaning |", "|---|---|---|---|"]
    lines += [_column_row(column) for column in table.columns]
    uniques = {
        ", ".join(c.name for c in constraint.columns)
        for constraint in table.constraints
        if isinstance(constraint, UniqueConstraint)
    } | {c.name for c in table.columns if c.unique}
    if uniques:
        lines += ["", "Unique: " + "; ".join(f"({u})" for u in sorted(uniques))]
    return "\n".join(lines) + "\n"


def _column_row(column: Column[Any]) -> str:
    kind = "TIMESTAMP (UTC)" if isinstance(column.type, UTCDateTime) else str(column.type.compile())
    if column.foreign_keys:
        kind += " → " + ", ".join(fk.target_fullname for fk in column.foreign_keys)
    meaning = (column.comment or ("primary key" if column.primary_key else "")).replace("|", "\\|")
    return f"| `{column.name}` | {kind} | {'yes' if column.nullable else 'no'} | {meaning} |"


def updated(document: str) -> str:
    head, rest = document.split(START, 1)
    _, tail = rest.split(END, 1)
    return f"{head}{START}\n{render_tables()}{END}{tail}"


if __name__ == "__main__":
    DOC.write_text(updated(DOC.read_text(encoding="utf-8")), encoding="utf-8")
    sys.stdout.write(f"wrote {DOC}\n")
