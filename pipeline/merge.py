"""Merge: the validated values of every unit into one long table, labelled from the catalogue.

One row per (unit, indicator, breakdown, year) with its value and where it came from (file,
sheet, cell, file hash). This table is what derive and render read, and what the consultants
receive.

The `status` column is what the unit chose in the row's "Tính chất số liệu" column (the
catalogue's `data_status`: "Chính thức", "Ước tính", "Sơ bộ") or "". A row from a workbook
marked as sample data says "Mẫu", so that sample figures never pass for official; when the
unit marked the row as provisional (any status of `data_status` after the first), it keeps
that too: "Mẫu – Ước tính", "Mẫu – Sơ bộ". `typed_status` gives back what the unit chose.
"""

from __future__ import annotations

from collections.abc import Iterator
from itertools import chain
from typing import Any

import pandas as pd

from pipeline.catalogue.model import TOTAL, Catalogue
from pipeline.core.records import VALUE_FIELDS, Columns, ListEntry, Value

MERGED_COLUMNS = [
    "unit", "unit_name", "item", "indicator", "indicator_label", "breakdown",
    "breakdown_label", "measure", "year", "value", "status", "note", "file", "sheet", "cell",
    "file_hash",
]


def rows_of(df: pd.DataFrame, *columns: str) -> Iterator[tuple[Any, ...]]:
    """The rows of `df` as tuples of the named columns' cells (as itertuples gives them; a
    cell's type is the column's, which the table's own module documents)."""
    return zip(*(df[c] for c in columns))


SAMPLE_STATUS = "Mẫu"
"""The status of every row from a workbook marked as sample data ("Mẫu – Ước tính" when the
unit marked the row as provisional)."""
SAMPLE_JOIN = " – "


def sample_status(cat: Catalogue, typed: str) -> str:
    """The status of a sample row whose unit chose `typed`: "Mẫu", or "Mẫu – Ước tính" for a
    provisional status (one of the catalogue's `data_status` after the first)."""
    if typed in cat.data_status[1:]:
        return SAMPLE_STATUS + SAMPLE_JOIN + typed
    return SAMPLE_STATUS


def typed_status(status: str) -> str:
    """What the unit chose, from a merged row's status: "Mẫu – Ước tính" -> "Ước tính",
    "Mẫu" -> "", "Sơ bộ" -> "Sơ bộ"."""
    if status == SAMPLE_STATUS:
        return ""
    prefix = SAMPLE_STATUS + SAMPLE_JOIN
    return status[len(prefix):] if status.startswith(prefix) else status


def merge(cat: Catalogue, values: tuple[Value, ...] | list[Value],
          samples: frozenset[str] = frozenset()) -> pd.DataFrame:
    """Long table of every value, in catalogue order (indicator, then part), then year. Rows
    from the files in `samples` (workbooks marked as sample data) have status "Mẫu" (or "Mẫu –
    Ước tính", "Mẫu – Sơ bộ" as the unit marked them), so that the merged data never passes
    for official."""
    df = merge_columns(cat, [tuple(zip(*values))])
    if samples and len(df):
        rows = df["file"].isin(samples)
        df.loc[rows, "status"] = [sample_status(cat, s) for s in df.loc[rows, "status"]]
    return df


def merge_columns(cat: Catalogue, parts: list[Columns]) -> pd.DataFrame:
    """merge() of values held as columns (FileCheck.columns), one entry per workbook."""
    parts = [p for p in parts if p and p[0]]
    if not parts:
        empty: pd.DataFrame = pd.DataFrame(columns=MERGED_COLUMNS)
        return empty
    df = pd.DataFrame({name: list(chain.from_iterable(p[i] for p in parts))
                       for i, name in enumerate(VALUE_FIELDS)})
    # Labels and order come from the catalogue, once per indicator row of the forms, joined
    # on (indicator, breakdown): vectorised, for 100,000 values as for 500.
    labels = pd.DataFrame(
        [(ind.code, p.code, cat.item_of_indicator[ind.code].code, ind.label, ind.measure,
          "" if p.code == TOTAL and ind.breakdown is None else p.label, order, part_order)
         for order, ind in enumerate(cat.indicator_by_code.values())
         for part_order, p in enumerate(cat.parts_of(ind))],
        columns=["indicator", "breakdown", "item", "indicator_label", "measure",
                 "breakdown_label", "_order", "_part"])
    df = df.merge(labels, on=["indicator", "breakdown"], how="left", validate="many_to_one")
    df["unit_name"] = df["unit"].map({u.code: u.name for u in cat.units})
    df = df.sort_values(["_order", "_part", "year"], kind="stable")
    out: pd.DataFrame = df[MERGED_COLUMNS].reset_index(drop=True)
    return out


def merge_lists(cat: Catalogue, entries: tuple[ListEntry, ...] | list[ListEntry]
                ) -> dict[str, pd.DataFrame]:
    """One table per list input of the catalogue (empty when no unit added a row)."""
    out = {}
    for li in cat.lists:
        codes = [c.code for c in li.columns]
        columns = ["unit", "unit_name", "number", *codes, "file", "sheet", "row"]
        rows = [(e.unit, cat.unit_by_code[e.unit].name, e.number,
                 *[e.values.get(c) for c in codes], e.file, e.sheet, e.row)
                for e in entries if e.list == li.code]
        out[li.code] = pd.DataFrame(rows, columns=columns)
    return out
