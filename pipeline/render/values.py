"""The figures the chapter shows, looked up by table column: yearly values and period figures
of indicators (from merge's long table) and of derived indicators (from derive's result), with
the workbook cells each indicator part came from and the status its unit gave it ("Ước
tính"...)."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from pipeline.catalogue.layout import row_key
from pipeline.catalogue.model import TOTAL, ColumnRef
from pipeline.derive import Derivation
from pipeline.merge import rows_of, typed_status

Cell = tuple[str, str, str, int]  # file, sheet, A1 cell, year


@dataclass(frozen=True)
class Values:
    """Read-only lookups built once per chapter (`Values.of`)."""

    yearly: dict[tuple[str, str, int], float]  # (indicator, part, year) -> value
    cells: dict[tuple[str, str], list[Cell]]  # (indicator, part) -> cells it came from
    derived: dict[tuple[str, int], float]  # (derived code, year) -> value
    periods: dict[tuple[str, str], float]  # (row key or derived code, period) -> figure
    # (indicator, part) -> the statuses its unit chose for it ("Chính thức", "Ước tính"...;
    # a sample row's "Mẫu" left out), none when the unit chose none
    statuses: dict[tuple[str, str], frozenset[str]]

    @classmethod
    def of(cls, merged: pd.DataFrame, derivation: Derivation) -> Values:
        yearly: dict[tuple[str, str, int], float] = {}
        cells: dict[tuple[str, str], list[Cell]] = {}
        chosen: dict[tuple[str, str], set[str]] = {}
        for indicator, breakdown, year, value, file, sheet, cell, status in rows_of(
                merged, "indicator", "breakdown", "year", "value", "file", "sheet", "cell",
                "status"):
            yearly[(indicator, breakdown, int(year))] = float(value)
            cells.setdefault((indicator, breakdown), []).append((file, sheet, cell, int(year)))
            typed = typed_status(status) if isinstance(status, str) else ""
            if typed:
                chosen.setdefault((indicator, breakdown), set()).add(typed)
        derived: dict[tuple[str, int], float] = {}
        for code, year, value in rows_of(derivation.yearly, "derived", "year", "value"):
            if value is not None and not pd.isna(value):
                derived[(code, int(year))] = float(value)
        periods: dict[tuple[str, str], float] = {}
        for key, period, value in rows_of(derivation.periods, "key", "period", "value"):
            if value is not None and not pd.isna(value):
                periods[(key, period)] = float(value)
        statuses = {key: frozenset(found) for key, found in chosen.items()}
        return cls(yearly, cells, derived, periods, statuses)

    def year(self, col: ColumnRef, year: int) -> float | None:
        """The column's value in `year`, or None."""
        if col.derived is not None:
            return self.derived.get((col.derived, year))
        return self.yearly.get((col.indicator or "", col.part or TOTAL, year))

    def period(self, col: ColumnRef, period: str) -> float | None:
        """The column's figure for the period (code "2016-2019"), or None."""
        if col.derived is not None:
            return self.periods.get((col.derived, period))
        return self.periods.get((row_key(col.indicator or "", col.part or TOTAL), period))

    def cells_of(self, col: ColumnRef) -> list[Cell]:
        """The workbook cells of an indicator column ([] for a derived one)."""
        if col.derived is not None:
            return []
        return self.cells.get((col.indicator or "", col.part or TOTAL), [])

    def statuses_of(self, indicator: str, part: str = TOTAL) -> frozenset[str]:
        """The statuses the unit chose for an indicator part (empty when none)."""
        return self.statuses.get((indicator, part), frozenset())
