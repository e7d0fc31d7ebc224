"""Diff: what changed in the merged data since the previous build.

Values are matched by (unit, indicator, breakdown, year); a change names the unit, the cell
and the old and new values. Units that appear or disappear are listed too. The previous
build's merged CSV is the baseline, so a build compares against exactly what was published.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from pipeline.core.outputs import MANIFEST, MERGED_CSV
from pipeline.merge import rows_of

Key = tuple[str, str, str, int]


@dataclass(frozen=True)
class Change:
    kind: str  # "changed", "added" or "removed"
    unit: str
    indicator: str
    breakdown: str
    year: int
    old: float | None
    new: float | None
    file: str  # where the new value is (the old one for "removed")
    sheet: str
    cell: str

    @property
    def kind_vi(self) -> str:
        return {"changed": "Thay đổi", "added": "Mới", "removed": "Bị bỏ"}[self.kind]


@dataclass(frozen=True)
class BuildDiff:
    previous: str  # name of the previous build, "" when there is none
    changes: tuple[Change, ...]
    units_added: tuple[str, ...]
    units_missing: tuple[str, ...]

    def summary(self) -> str:
        if not self.previous:
            return "Đây là lần tổng hợp đầu tiên; chưa có bản trước để so sánh."
        counts = {k: sum(1 for c in self.changes if c.kind == k)
                  for k in ("changed", "added", "removed")}
        text = (f"So với bản {self.previous}: {counts['changed']} giá trị thay đổi, "
                f"{counts['added']} giá trị mới, {counts['removed']} giá trị bị bỏ.")
        if self.units_added:
            text += f" Đơn vị mới gửi: {', '.join(self.units_added)}."
        if self.units_missing:
            text += f" Đơn vị không còn số liệu: {', '.join(self.units_missing)}."
        return text


def _index(df: pd.DataFrame) -> dict[Key, tuple[float, str, str, str]]:
    return {(str(unit), str(indicator), str(breakdown), int(year)):
            (float(value), str(file), str(sheet), str(cell))
            for unit, indicator, breakdown, year, value, file, sheet, cell in rows_of(
                df, "unit", "indicator", "breakdown", "year", "value", "file", "sheet", "cell")}


_COLUMNS = {"unit", "indicator", "breakdown", "year", "value", "file", "sheet", "cell"}


def _usable(df: pd.DataFrame) -> bool:
    """The columns the diff reads, years whole numbers and values numbers (not a table
    someone edited by hand)."""
    if not set(df.columns) >= _COLUMNS:
        return False
    years = pd.to_numeric(df["year"], errors="coerce")
    values = pd.to_numeric(df["value"], errors="coerce")
    return bool(years.notna().all() and (years % 1 == 0).all() and values.notna().all())


def load_previous(build: Path | None) -> tuple[str, pd.DataFrame | None, tuple[str, ...]]:
    """(name, merged table, unit codes) of a build folder, or ("", None, ()) when absent or
    damaged: what changed is then not listed, and the build goes on."""
    if build is None or not build.is_dir():
        return "", None, ()
    csv = build / MERGED_CSV
    if not csv.is_file():
        return "", None, ()
    try:
        df = pd.read_csv(csv, encoding="utf-8-sig", dtype={"breakdown": str, "unit": str,
                                                            "indicator": str, "cell": str})
    except (OSError, UnicodeDecodeError, pd.errors.EmptyDataError, pd.errors.ParserError):
        return "", None, ()  # a damaged or hand-edited table is no baseline to compare with
    if not _usable(df):
        return "", None, ()
    units: tuple[str, ...] = tuple(sorted(set(df["unit"].astype(str))))
    try:
        recorded = json.loads((build / MANIFEST).read_text(encoding="utf-8")).get("units")
    except (OSError, UnicodeDecodeError, ValueError, AttributeError):
        recorded = None  # no manifest, or a damaged one: the table's units stand
    if isinstance(recorded, dict):
        units = tuple(sorted(recorded))
    return build.resolve().name, df, units


def diff_builds(previous: tuple[str, pd.DataFrame | None, tuple[str, ...]],
                merged: pd.DataFrame, units: tuple[str, ...]) -> BuildDiff:
    name, old_df, old_units = previous
    if old_df is None:
        return BuildDiff("", (), (), ())
    old, new = _index(old_df), _index(merged)
    changes: list[Change] = []
    for key in sorted(old.keys() | new.keys()):
        a, b = old.get(key), new.get(key)
        if a is not None and b is not None:
            if math.isclose(a[0], b[0], rel_tol=1e-12, abs_tol=1e-9):
                continue
            changes.append(Change("changed", *key, a[0], b[0], *b[1:]))
        elif b is not None:
            changes.append(Change("added", *key, None, b[0], *b[1:]))
        elif a is not None:
            changes.append(Change("removed", *key, a[0], None, *a[1:]))
    return BuildDiff(name, tuple(changes),
                     tuple(sorted(set(units) - set(old_units))),
                     tuple(sorted(set(old_units) - set(units))))
