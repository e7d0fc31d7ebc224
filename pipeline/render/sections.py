"""A section of the chapter: one content item's body, in reading order.

The owner line, a sentence for each thing not received, the analysis written from the figures
(analysis.py, made before any section is written), the units' narrative paragraphs under the
item's sub-topics (never replaced), the item's tables (numbered in the section: "1.1",
"II.4.2"), its targets table, its forecast table and its list tables; the charts follow the
body (figures.py). `table_plan` gives the numbers the tables will get, so that the analysis
can cite them. Writing a section returns its body and the appendix rows of its tables; nothing
is kept between sections.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, TypedDict

import pandas as pd

from pipeline.catalogue.layout import row_key
from pipeline.catalogue.model import ALL_UNITS, TOTAL, Catalogue, ColumnRef, Item
from pipeline.core import fmt
from pipeline.core.word import STYLE_MISSING, STYLE_NOTE, STYLE_POINT, StyleIds
from pipeline.derive import Derivation
from pipeline.read.model import NarrativeSubmission, WorkbookSubmission
from pipeline.render.figures import Figure
from pipeline.render.forecast import forecast_rows, forecast_table
from pipeline.render.tables import (
    Source,
    indicator_table,
    list_table,
    table_numbers,
    targets_table,
)
from pipeline.render.values import Values

if TYPE_CHECKING:
    from docx.document import Document as WordDocument
    from docxtpl.subdoc import Subdoc

# The letters of điểm in Vietnamese legal drafting: đ after d; no f, j, w or z.
POINTS = ("a", "b", "c", "d", "đ", "e", "g", "h", "i", "k", "l", "m", "n", "o", "p", "q", "r",
          "s", "t", "u", "v", "x", "y")


class Section(TypedDict):
    """A content item as the template shows it."""

    heading: str  # "1. Title"; "" in Part IV
    body: Subdoc
    charts: list[Figure]


@dataclass(frozen=True)
class SectionData:
    """What every section is written from (read-only)."""

    cat: Catalogue
    values: Values  # figures by table column
    derivation: Derivation  # targets and the land demand
    workbooks: Mapping[str, WorkbookSubmission]  # accepted, by unit code
    narratives: Mapping[str, NarrativeSubmission]  # accepted, by unit code
    lists: Mapping[str, pd.DataFrame]  # merge_lists' tables, by list code
    analysis: Mapping[str, Sequence[str]] = field(default_factory=dict)  # the paragraphs
    # written from the figures (analysis.py), by item code


def section_numbers(cat: Catalogue) -> dict[str, int]:
    """Each item's number in its part (1, 2...), as its heading shows it."""
    seen: dict[str, int] = {}
    out = {}
    for item in cat.items:
        seen[item.part] = seen.get(item.part, 0) + 1
        out[item.code] = seen[item.part]
    return out


def section_tag(item: Item, number: int) -> str:
    """The prefix of the section's table and figure numbers. Outside Part I the part comes
    first ("Bảng II.4.1"), so that no two tables of the chapter share a number."""
    return str(number) if item.part == "I" else f"{item.part}.{number}"


def missing_lines(cat: Catalogue, item: Item, workbooks: Collection[str],
                  narratives: Collection[str]) -> list[str]:
    """Sentences naming what the item's units have not sent, with the deadline (`workbooks`,
    `narratives`: the codes of the units whose workbook or narrative was received)."""
    if item.unit == ALL_UNITS:
        absent = [u.name for u in cat.units if u.code not in narratives]
        if absent:
            return [f"Chưa nhận được thuyết minh của: {', '.join(absent)} "
                    f"(hạn gửi {fmt.date(item.due)})."]
        return []
    owner = cat.unit_by_code[item.unit]
    lines = []
    if item.indicators and item.unit not in workbooks:
        lines.append(f"Chưa nhận được số liệu của {owner.name} (hạn gửi "
                     f"{fmt.date(item.due)}); các bảng số liệu của mục này sẽ được bổ sung "
                     "khi đơn vị gửi biểu.")
    if item.unit not in narratives:
        lines.append(f"Chưa nhận được thuyết minh của {owner.name} (hạn gửi "
                     f"{fmt.date(item.due)}).")
    return lines


def narrative_of(cat: Catalogue, item: Item,
                 narratives: Mapping[str, NarrativeSubmission]) -> dict[int, list[str]]:
    """The paragraphs the item's unit (or every unit, in the catalogue's order) wrote under
    the item (key 0) and under each of its sub-topics (1, 2...)."""
    units = [u.code for u in cat.units] if item.unit == ALL_UNITS else [item.unit]
    by_sub: dict[int, list[str]] = {}
    for code in units:
        n = narratives.get(code)
        if n is None:
            continue
        for s in n.sections:
            if s.item == item.code:
                by_sub.setdefault(s.subtopic, []).extend(s.paragraphs)
    return by_sub


def _write_narrative(doc: WordDocument, styles: StyleIds, item: Item,
                     by_sub: dict[int, list[str]]) -> None:
    for p in by_sub.get(0, []):
        doc.add_paragraph(p)
    for i, title in enumerate(item.subtopics, start=1):
        styles.para(doc, f"{POINTS[i - 1]}) {title}", STYLE_POINT)
        paras = by_sub.get(i, [])
        for p in paras:
            doc.add_paragraph(p)
        if not paras:
            styles.para(doc, "Chưa có nội dung thuyết minh cho điểm này.", STYLE_MISSING)


TARGETS_TABLE = "muc_tieu"
FORECAST_TABLE = "du_bao"
LAND_TABLE = "nhu_cau_dat"
"""Keys of `table_plan` for the tables that show no catalogue column."""


def column_key(col: ColumnRef) -> str:
    """How `table_plan` and the analysis name a column: a derived code, or an indicator's
    row key ("chi_khcn" for its total, "chi_khcn.dtpt" for a part)."""
    if col.derived is not None:
        return col.derived
    return row_key(col.indicator or "", col.part or TOTAL)


def table_plan(data: SectionData, item: Item, tag: str) -> dict[str, str]:
    """The number ("Bảng 1.1") of each table the item's section will show, by what it shows:
    each column of its catalogue tables (the first table showing it), TARGETS_TABLE,
    FORECAST_TABLE, each list's code and LAND_TABLE. The same order as `_write_tables`:
    catalogue tables (when the unit's workbook was received), targets, forecast, lists."""
    numbers = table_numbers(tag)
    plan: dict[str, str] = {}
    if item.unit in data.workbooks:
        for table in item.tables:
            number = f"Bảng {next(numbers)}"
            for col in table.columns:
                plan.setdefault(column_key(col), number)
    if item.targets:
        plan[TARGETS_TABLE] = f"Bảng {next(numbers)}"
    if item.forecast:
        plan[FORECAST_TABLE] = f"Bảng {next(numbers)}"
    for li in data.cat.lists:
        if li.chapter and li.item == item.code:
            plan[li.code] = f"Bảng {next(numbers)}"
            rows = data.lists.get(li.code)
            land = data.derivation.land
            if (li.land_demand is not None and rows is not None and not rows.empty
                    and land is not None and not land.empty):
                plan[LAND_TABLE] = f"Bảng {next(numbers)}"
    return plan


def _write_tables(doc: WordDocument, styles: StyleIds, data: SectionData, item: Item,
                  tag: str) -> tuple[Source, ...]:
    """The item's tables, targets, forecast and lists, numbered in order (as `table_plan`
    says); their appendix rows."""
    cat = data.cat
    numbers = table_numbers(tag)
    sources: list[Source] = []
    wb = data.workbooks.get(item.unit)
    if wb is not None:
        # A sample workbook's figures say so where they are sourced, not only in the header.
        owner = cat.unit_by_code[item.unit].name + (" (dữ liệu mẫu)" if wb.is_sample else "")
        for table in item.tables:
            sources += indicator_table(doc, styles, cat, data.values, next(numbers), table,
                                       owner, wb.sent)
    if item.targets:
        targets_table(doc, styles, next(numbers), list(cat.years.target),
                      [t for t in data.derivation.targets if t.item == item.code])
    if item.forecast:
        forecast_table(doc, styles, next(numbers), list(cat.years.target),
                       forecast_rows(data.derivation.targets), list(cat.years.actual))
    for li in cat.lists:
        if li.chapter and li.item == item.code:
            land = data.derivation.land if li.land_demand is not None else None
            list_table(doc, styles, numbers, li, data.lists.get(li.code), land)
    return tuple(sources)


def write_body(doc: WordDocument, styles: StyleIds, data: SectionData, item: Item,
               number: int) -> tuple[Source, ...]:
    """The item's section body into `doc`; returns the appendix rows of its tables."""
    if item.unit != ALL_UNITS:
        owner = data.cat.unit_by_code[item.unit].name
        styles.para(doc, f"Đơn vị chủ trì: {owner}.", STYLE_NOTE)
    for line in missing_lines(data.cat, item, data.workbooks, data.narratives):
        styles.para(doc, line, STYLE_MISSING)
    for text in data.analysis.get(item.code, ()):
        doc.add_paragraph(text)
    _write_narrative(doc, styles, item, narrative_of(data.cat, item, data.narratives))
    return _write_tables(doc, styles, data, item, section_tag(item, number))


def heading(item: Item, number: int) -> str:
    """The section's heading: "1. Title"; Part IV has one item and no heading of its own."""
    return f"{number}. {item.title}" if item.part != "IV" else ""
