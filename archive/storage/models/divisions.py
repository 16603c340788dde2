"""The GB/T 2260 divisions over the years: who is expected to publish."""

from __future__ import annotations

from sqlalchemy import (
    CheckConstraint,
    Index,
    Integer,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from archive.storage.models.base import Base, intpk


class AdminDivision(Base):
    __tablename__ = "division"
    __table_args__ = (
        UniqueConstraint("code", "valid_from"),
        CheckConstraint("level IN ('省', '市', '县')", name="level"),
        Index("ix_division_code", "code"),
        {
            "comment": "GB/T 2260 divisions over the years: one row per code under one name "
            "(a rename or a reused code starts a new row). Every division is an expected "
            "publisher for each year it is valid (docs/coverage.md). Loaded by migrations "
            "from archive/coverage/data/, never by hand."
        },
    )

    id: Mapped[intpk]
    code: Mapped[str] = mapped_column(String(6), comment="6-digit 行政区划代码")
    name: Mapped[str] = mapped_column(String(100), comment="Full name in those years (南昌县)")
    level: Mapped[str] = mapped_column(String(4), comment="省 / 市 / 县")
    parent_code: Mapped[str | None] = mapped_column(
        String(6),
        comment="The prefecture above a county, else the province; null for a province",
    )
    valid_from: Mapped[int] = mapped_column(
        Integer, comment="First report year it existed for (at that year's end)"
    )
    valid_to: Mapped[int | None] = mapped_column(
        Integer, comment="Last report year it existed for; null while it exists"
    )
    successor_code: Mapped[str | None] = mapped_column(
        String(6),
        comment="Where it went when it ended: the same code renamed, the merged or new "
        "code (撤县设区); null while it exists or when abolished without one",
    )
    current_code: Mapped[str | None] = mapped_column(
        String(6),
        comment="Today's division (the dataset's vintage) at the end of its successors; "
        "its own code while it exists, null when the chain stops",
    )
