"""Derive: values computed per year from the merged table, by the catalogue's formulas.

A year with a missing input or a zero denominator gets no value and a Vietnamese note saying
why; each derived value carries the cells it came from (for the provenance appendix).
"""

from __future__ import annotations

import pandas as pd

from .catalogue import TOTAL, Catalogue
from .formula import MissingInput, Ref, evaluate, parse_formula

DERIVED_COLUMNS = ["derived", "year", "value", "sources", "note"]


def derive(cat: Catalogue, merged: pd.DataFrame) -> pd.DataFrame:
    """Compute every derived indicator for every actual year.

    `merged` is the long table of merge.py. Returns one row per (derived, year) with
    the value (NaN when it cannot be computed), the source cells and a Vietnamese note.
    """
    values: dict[tuple[str, str, int], tuple[float, tuple[str, ...]]] = {}
    for row in merged.itertuples(index=False):
        source = f"{row.file} › {row.sheet}!{row.cell}"
        values[(row.indicator, row.breakdown, int(row.year))] = (float(row.value), (source,))

    labels = {**{c: i.label for c, i in cat.indicator_by_code.items()},
              **{c: d.label for c, d in cat.derived_by_code.items()}}
    out = []
    for d in cat.derived:
        formula = parse_formula(d.formula)
        for year in cat.years.actual:
            sources: list[str] = []

            def lookup(ref: Ref, year: int = year, sources: list[str] = sources) -> float | None:
                hit = values.get((ref[0], ref[1], year))
                if hit is None:
                    return None
                sources.extend(s for s in hit[1] if s not in sources)
                return hit[0]

            try:
                value: float | None = evaluate(formula.tree, lookup)
                note = ""
            except MissingInput as m:
                value = None
                name = labels.get(m.ref[0], m.ref[0])
                note = (f"{name} năm {year} bằng 0, không chia được" if m.zero_division
                        else f"thiếu số liệu '{name}' năm {year}")
            out.append({"derived": d.code, "year": year, "value": value,
                        "sources": tuple(sources), "note": note})
            if value is not None:
                values[(d.code, TOTAL, year)] = (value, tuple(sources))
    return pd.DataFrame(out, columns=DERIVED_COLUMNS)
