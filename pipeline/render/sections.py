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

from collections.abc import Collection, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, TypedDict

import pandas as pd

from pipeline.catalogue.model import ALL_UNITS, Catalogue, Item
from pipeline.core import fields, fmt
from pipeline.core.word import STYLE_MISSING, STYLE_NOTE, STYLE_POINT, StyleIds
from pipeline.derive import Derivation
from pipeline.read.model import NarrativeBlock, NarrativeSubmission, WorkbookSubmission
from pipeline.render.figures import Planned, column_key, write_figures
from pipeline.render.forecast import forecast_rows, forecast_table
from pipeline.render.narrative import narrative_blocks, write_blocks
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


ROMAN = ("I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X")


def part_numbers(cat: Catalogue) -> dict[str, int]:
    """Each part's number in the chapter (1, 2, 3), in the catalogue's order. Parts are
    numbered consecutively: the seed's assignment table has no part III, so its "IV" is the
    chapter's Phần III (PART_NOTE says so under that part)."""
    out: dict[str, int] = {}
    for item in cat.items:
        out.setdefault(item.part, len(out) + 1)
    return out


def part_label(cat: Catalogue, part: str) -> str:
    """"PHẦN III" for the catalogue's part "IV" (see part_numbers)."""
    return f"PHẦN {ROMAN[part_numbers(cat)[part] - 1]}"


def part_note(cat: Catalogue, part: str) -> str:
    """A note under a part whose number differs from the seed's, saying so ("" otherwise)."""
    label = part_label(cat, part).removeprefix("PHẦN ")
    if label == part:
        return ""
    return (f"Ghi chú: Phần {label} tương ứng với mục {part} trong bảng phân công nhiệm vụ "
            "của Kế hoạch (bảng phân công không có mục "
            f"{ROMAN[part_numbers(cat)[part] - 1]}); các phần của báo cáo được đánh số liên "
            "tục.")


def section_tag(cat: Catalogue, item: Item) -> str:
    """The first number of the item's tables and figures: its part's number ("Bảng 2.3" is
    the third table of Phần II), one scheme across the chapter."""
    return str(part_numbers(cat)[item.part])


def numbering(cat: Catalogue) -> dict[str, Iterator[str]]:
    """A fresh counter of table numbers for each part ("2.1", "2.2"...), by part code: the
    items of a part draw from it in order, so tables are numbered across the part."""
    return {part: table_numbers(str(n)) for part, n in part_numbers(cat).items()}


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


def _write_narrative(doc: WordDocument, styles: StyleIds, item: Item,
                     by_sub: dict[int, list[tuple[NarrativeBlock, ...]]]) -> None:
    """What the units wrote under the item and under each sub-topic (`narrative_blocks`),
    each unit's section as it wrote it (`write_blocks`)."""
    for blocks in by_sub.get(0, []):
        write_blocks(doc, styles, blocks)
    for i, title in enumerate(item.subtopics, start=1):
        styles.para(doc, f"{POINTS[i - 1]}) {title}", STYLE_POINT)
        written = by_sub.get(i, [])
        for blocks in written:
            write_blocks(doc, styles, blocks)
        if not written:
            styles.para(doc, "Chưa có nội dung thuyết minh cho điểm này.", STYLE_MISSING)


TARGETS_TABLE = "muc_tieu"
FORECAST_TABLE = "du_bao"
LAND_TABLE = "nhu_cau_dat"
"""Keys of `table_plan` for the tables that show no catalogue column."""


def owner_of(cat: Catalogue, wb: WorkbookSubmission) -> str:
    """The unit a workbook's figures come from, as source lines name it: a sample workbook's
    figures say so where they are sourced, not only in the page header."""
    return cat.unit_by_code[wb.unit].name + (" (dữ liệu mẫu)" if wb.is_sample else "")


def table_plan(data: SectionData, item: Item, numbers: Iterator[str]) -> dict[str, str]:
    """The number ("Bảng 1.1") of each table the item's section will show, by what it shows:
    each column of its catalogue tables (the first table showing it), TARGETS_TABLE,
    FORECAST_TABLE, each list's code and LAND_TABLE, drawn from its part's `numbers`. The
    same order as `_write_tables`: catalogue tables (when the unit's workbook was received),
    targets, forecast, lists."""
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


def table_plans(data: SectionData) -> dict[str, dict[str, str]]:
    """Every item's table numbers (table_plan), by item code, in the catalogue's order."""
    numbers = numbering(data.cat)
    return {item.code: table_plan(data, item, numbers[item.part]) for item in data.cat.items}


def _write_tables(doc: WordDocument, styles: StyleIds, data: SectionData, item: Item,
                  numbers: Iterator[str]) -> tuple[Source, ...]:
    """The item's tables, targets, forecast and lists, numbered in order from its part's
    `numbers` (as `table_plan` says); their appendix rows."""
    cat = data.cat
    sources: list[Source] = []
    wb = data.workbooks.get(item.unit)
    if wb is not None:
        owner = owner_of(cat, wb)
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
               numbers: Iterator[str], cited: Collection[tuple[str, str]] = (),
               planned: Sequence[Planned] = ()) -> tuple[Source, ...]:
    """The item's section body into `doc`, its tables numbered from its part's `numbers`,
    then its `planned` charts; each "Bảng 2.3" the analysis names that is `cited` (label and
    number of a caption of the chapter) becomes a cross-reference. Returns the appendix rows
    of its tables."""
    if item.unit != ALL_UNITS:
        owner = data.cat.unit_by_code[item.unit].name
        styles.para(doc, f"Đơn vị chủ trì: {owner}.", STYLE_NOTE)
    for line in missing_lines(data.cat, item, data.workbooks, data.narratives):
        styles.para(doc, line, STYLE_MISSING)
    known = set(cited)
    for text in data.analysis.get(item.code, ()):
        fields.add_text(doc.add_paragraph(), text, known)
    _write_narrative(doc, styles, item, narrative_blocks(data.cat, item, data.narratives))
    sources = _write_tables(doc, styles, data, item, numbers)
    write_figures(doc, styles, planned, known)
    return sources


def heading(item: Item, number: int) -> str:
    """The section's heading: "1. Title"; Part IV has one item and no heading of its own."""
    return fields.keep_together(f"{number}. {item.title}") if item.part != "IV" else ""
