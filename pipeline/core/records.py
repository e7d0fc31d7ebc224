"""The records that pass between stages: a checked cell value (`Value`), a checked list row
(`ListEntry`) and what checking one workbook gave (`FileCheck`). Validation makes them, the
reader's workers and cache carry them, merge and the rules read them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import NamedTuple

from pipeline.core.findings import Finding


class Value(NamedTuple):
    """One checked number of one cell. A NamedTuple, not a frozen dataclass: as immutable,
    but made ~3× faster and pickled as a plain tuple; a build makes one per cell."""

    unit: str  # unit code
    indicator: str  # indicator code
    breakdown: str  # part code, or "total"
    year: int
    value: float
    status: str  # "Chính thức", "Ước tính", "Sơ bộ" or ""
    note: str  # the unit's source note for the row
    file: str  # file name
    sheet: str
    cell: str  # A1
    file_hash: str  # sha256 of the file


ListValue = str | float | dt.date | None  # a list cell, typed by its column; None when empty


@dataclass(frozen=True)
class ListEntry:
    list: str  # list input code
    unit: str  # unit whose workbook holds the row
    number: int  # the row's STT in the form
    values: Mapping[str, ListValue]  # column code -> text, float, or date; None when empty
    file: str
    sheet: str
    row: int  # 1-based row in the sheet


VALUE_FIELDS = Value._fields
Columns = tuple[tuple[object, ...], ...]  # one tuple per field of Value, in VALUE_FIELDS order


@dataclass(frozen=True)
class FileCheck:
    """One workbook checked alone: what its own cells and the catalogue decide.

    The values that passed are kept as columns: a worker sends them and the cache keeps them
    by the thousand, and merge builds its table from columns; `values` makes the objects."""

    columns: Columns  # every value that passed the cell checks, column by column
    entries: tuple[ListEntry, ...]  # list rows without an error
    findings: tuple[Finding, ...]  # read notes, cell, list and the unit's own rule findings

    @staticmethod
    def of(values: list[Value], entries: list[ListEntry], findings: list[Finding]) -> FileCheck:
        columns = tuple(zip(*values)) or ((),) * len(VALUE_FIELDS)
        return FileCheck(columns, tuple(entries), tuple(findings))

    @property
    def values(self) -> tuple[Value, ...]:
        return tuple(Value(*row) for row in zip(*self.columns))
