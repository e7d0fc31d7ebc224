"""The chapter's charts: which to draw (the catalogue's charts of the items whose unit sent
its workbook, when they have data), numbered across each part like the tables, and how a
section shows them once drawn: the picture with its alt text, the numbered caption (a SEQ
field, core/fields.py) and the source line."""

from __future__ import annotations

from collections.abc import Collection, Iterator, Mapping, Sequence
from dataclasses import dataclass
from itertools import count
from pathlib import Path
from typing import TYPE_CHECKING

from docx.shared import Mm

from pipeline.catalogue.layout import row_key
from pipeline.catalogue.model import TOTAL, Catalogue, ColumnRef, Item
from pipeline.core import fields
from pipeline.core.word import STYLE_CAPTION, STYLE_FIGURE, STYLE_SOURCE_LINE, StyleIds
from pipeline.render import charts
from pipeline.render.tables import column_header
from pipeline.render.values import Values

if TYPE_CHECKING:
    from docx.document import Document as WordDocument


def column_key(col: ColumnRef) -> str:
    """How table plans and the analysis name a column: a derived code, or an indicator's
    row key ("chi_khcn" for its total, "chi_khcn.dtpt" for a part)."""
    if col.derived is not None:
        return col.derived
    return row_key(col.indicator or "", col.part or TOTAL)


@dataclass(frozen=True)
class Planned:
    """A chart to draw, with its number, title and source line."""

    number: str  # "1.1": its part, then its place among the part's figures
    title: str
    source: str  # "Nguồn: ..., Bảng 1.1."
    chart: charts.Chart  # data, labels and the PNG to write

    @property
    def caption(self) -> str:
        return f"{fields.FIGURE} {self.number}. {self.title}"


def _source(columns: Sequence[ColumnRef], plan: Mapping[str, str], origin: str) -> str:
    """Where a chart's figures are: the `origin` workbook, as the tables' source lines name
    it, and the tables showing its series."""
    tables = list(dict.fromkeys(plan[k] for k in (column_key(c) for c in columns)
                                if k in plan))
    shown = f"; số liệu tại {', '.join(tables)}" if tables else ""
    return f"Nguồn: {origin}{shown}."


def _plan_item(cat: Catalogue, values: Values, item: Item, numbers: Iterator[str],
               folder: Path, plan: Mapping[str, str], origin: str) -> list[Planned]:
    """Each chart of the item that has data, numbered from its part's `numbers`."""
    out = []
    for chart in item.charts:
        by_period = chart.rows == "periods"
        cats = ([p.code for p in cat.periods] if by_period
                else [str(y) for y in (chart.years or cat.years.actual)])

        def value(col: ColumnRef, c: str, by_period: bool = by_period) -> float | None:
            return values.period(col, c) if by_period else values.year(col, int(c))

        series = tuple(charts.Series(column_header(cat, chart.series, col, False),
                                     tuple(value(col, c) for c in cats))
                       for col in chart.series)
        if not any(v is not None for s in series for v in s.values):
            continue
        number = next(numbers)
        out.append(Planned(number, chart.title, _source(chart.series, plan, origin),
                           charts.Chart(chart.kind, tuple(cats), series,
                                        folder / f"hinh-{number.replace('.', '-')}.png",
                                        chart.y_label, chart.decimals, chart.reference,
                                        chart.reference_label)))
    return out


def plan_charts(cat: Catalogue, values: Values, tags: Mapping[str, str],
                received: Mapping[str, str], folder: Path,
                plans: Mapping[str, Mapping[str, str]] | None = None
                ) -> dict[str, list[Planned]]:
    """The charts of every item whose unit's workbook was `received`, by item code, numbered
    across each part: `received` gives the units whose workbook was received, each with
    where its figures come from ("<unit>, biểu số liệu gửi ngày 12/03/2020"), `tags` each
    item's part number ("1"), `plans` each item's table numbers (both for the source line);
    the PNGs go to `folder`."""
    numbers: dict[str, Iterator[str]] = {}
    out = {}
    for item in cat.items:
        if item.charts and item.unit in received:
            tag = tags[item.code]
            it = numbers.setdefault(tag, (f"{tag}.{k}" for k in count(1)))
            out[item.code] = _plan_item(cat, values, item, it, folder,
                                        (plans or {}).get(item.code, {}),
                                        received[item.unit])
    return out


def write_figures(doc: WordDocument, styles: StyleIds, planned: Sequence[Planned],
                  cited: Collection[tuple[str, str]] = ()) -> None:
    """Each drawn chart at the end of `doc`: the picture at the text width (its alt text the
    caption), the numbered caption under it, then its source line (a cited table number a
    cross-reference)."""
    known = set(cited)
    for p in planned:
        para = styles.para(doc, "", STYLE_FIGURE)
        shape = para.add_run().add_picture(str(p.chart.out), width=Mm(160))
        shape._inline.docPr.set("descr", p.caption)
        shape._inline.docPr.set("title", p.title)
        fields.caption(styles.para(doc, "", STYLE_CAPTION), fields.FIGURE, p.number, p.title)
        fields.add_text(styles.para(doc, "", STYLE_SOURCE_LINE), p.source, known)
