"""The chapter's charts: which to draw (the catalogue's charts of the items whose unit sent
its workbook, when they have data), and how the template shows them once drawn."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TypedDict

from docx.shared import Mm
from docxtpl import DocxTemplate, InlineImage

from pipeline.catalogue.model import Catalogue, ColumnRef, Item
from pipeline.render import charts
from pipeline.render.tables import column_header
from pipeline.render.values import Values


class Figure(TypedDict):
    """A chart as the template shows it."""

    image: InlineImage
    caption: str


@dataclass(frozen=True)
class Planned:
    """A chart to draw, with its caption."""

    caption: str  # "Hình 1.1. Title"
    chart: charts.Chart  # data, labels and the PNG to write


def _plan_item(cat: Catalogue, values: Values, item: Item, tag: str,
               folder: Path) -> list[Planned]:
    """Each chart of the item that has data; `tag` is its section's ("1", "II.4")."""
    out = []
    for k, chart in enumerate(item.charts, start=1):
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
        out.append(Planned(f"Hình {tag}.{k}. {chart.title}", charts.Chart(
            chart.kind, tuple(cats), series, folder / f"hinh-{tag}-{k}.png",
            chart.y_label, chart.decimals, chart.reference, chart.reference_label)))
    return out


def plan_charts(cat: Catalogue, values: Values, tags: dict[str, str],
                received: Collection[str], folder: Path) -> dict[str, list[Planned]]:
    """The charts of every item whose unit's workbook was `received`, by item code; `tags`
    gives each item's section tag, the PNGs go to `folder`."""
    return {item.code: _plan_item(cat, values, item, tags[item.code], folder)
            for item in cat.items if item.charts and item.unit in received}


def figures(tpl: DocxTemplate, planned: Sequence[Planned]) -> list[Figure]:
    """Drawn charts as the template shows them: the image at the text width, its caption."""
    return [{"image": InlineImage(tpl, str(p.chart.out), width=Mm(160)), "caption": p.caption}
            for p in planned]
