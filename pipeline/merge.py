"""Merge: the validated values of every unit into one long table, labelled from the catalogue.

One row per (unit, indicator, breakdown, year) with its value and where it came from (file,
sheet, cell, file hash). This table is what derive and render read, and what the consultants
receive.
"""

from __future__ import annotations

from dataclasses import fields

import pandas as pd

from .catalogue import TOTAL, Catalogue
from .validate import ListEntry, Value

MERGED_COLUMNS = [
    "unit", "unit_name", "item", "indicator", "indicator_label", "breakdown",
    "breakdown_label", "measure", "year", "value", "status", "note", "file", "sheet", "cell",
    "file_hash",
]


def merge(cat: Catalogue, values: tuple[Value, ...] | list[Value]) -> pd.DataFrame:
    """Long table of every value, in catalogue order (indicator, then part), then year."""
    if not values:
        return pd.DataFrame(columns=MERGED_COLUMNS)
    names = [f.name for f in fields(Value)]
    df = pd.DataFrame([tuple(getattr(v, n) for n in names) for v in values], columns=names)
    inds = cat.indicator_by_code
    df["unit_name"] = df["unit"].map(lambda u: cat.unit_by_code[u].name)
    df["item"] = df["indicator"].map(lambda c: cat.item_of_indicator[c].code)
    df["indicator_label"] = df["indicator"].map(lambda c: inds[c].label)
    df["measure"] = df["indicator"].map(lambda c: inds[c].measure)
    df["breakdown_label"] = [
        "" if b == TOTAL and inds[i].breakdown is None else cat.part_label(i, b)
        for i, b in zip(df["indicator"], df["breakdown"])
    ]
    order = {code: n for n, code in enumerate(inds)}
    part_order = {(code, p.code): n for code, ind in inds.items()
                  for n, p in enumerate(cat.parts_of(ind))}
    df["_order"] = df["indicator"].map(order)
    df["_part"] = [part_order[(i, b)] for i, b in zip(df["indicator"], df["breakdown"])]
    df = df.sort_values(["_order", "_part", "year"], kind="stable").drop(columns=["_order",
                                                                                   "_part"])
    return df[MERGED_COLUMNS].reset_index(drop=True)


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
