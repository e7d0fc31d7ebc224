"""The chapter's tables: each with its numbered title, unit line, grid, source line and notes.

- `indicator_table`: a catalogue table (years and/or periods down, indicator parts and
  derived values across); it returns the appendix rows saying where each column comes from;
- `targets_table`: the targets of an item with their verdicts (from derive);
- `list_table`: the rows units added to a list input, and for the list that carries the land
  demand, the land table derive made of it.

Tables are numbered by the section that holds them: `table_numbers` gives the numbers of one
section in order. The grids are written by core/word.py in the master's styles.

Everything a table shows is written for a reader: labels, never codes; formulas in words
(catalogue/formula.py `in_words`); notes in sentences. A column whose figures the unit marked
as provisional ("Ước tính", "Sơ bộ": the catalogue's `data_status` after the first) has a
mark on its header ("(*)", "(**)"), explained under the table.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from itertools import count
from typing import TYPE_CHECKING, Any

import pandas as pd
from openpyxl.utils.cell import column_index_from_string, coordinate_from_string, get_column_letter

from pipeline.catalogue.formula import in_words, lower_first, parse_formula
from pipeline.catalogue.model import (
    ALL_UNITS,
    TOTAL,
    Catalogue,
    ColumnRef,
    ListColumn,
    ListInput,
    Table,
)
from pipeline.core import fmt
from pipeline.core.word import (
    STYLE_MISSING,
    STYLE_SOURCE_LINE,
    STYLE_TABLE_TEXT,
    STYLE_UNIT_LINE,
    CellAlign,
    Fit,
    StyleIds,
    fit_widths,
    head_cell,
    is_short,
    keep_rows,
    new_grid,
    repeat_header,
    section_break,
    set_text,
    set_widths,
    source_and_notes,
    table_title,
    write_table,
)
from pipeline.derive import TargetStatus
from pipeline.merge import rows_of
from pipeline.render.values import Cell, Values

if TYPE_CHECKING:
    from docx.document import Document as WordDocument
    from docx.table import _Cell


@dataclass(frozen=True)
class Source:
    """One row of the appendix: where the figures of one column of a table come from."""

    table: str  # "Bảng 1.1"
    column: str  # the column's header
    origin: str  # "<unit>, biểu số liệu, trang I.1, ô E6-M6", or "Tính từ: <formula in words>"
    sent: str  # day the unit's workbook was sent ("20/03/2020")


def table_numbers(tag: str) -> Iterator[str]:
    """The numbers of a section's tables in order: "1.1", "1.2"... for tag "1"."""
    return (f"{tag}.{k}" for k in count(1))


# --- columns of a catalogue table -----------------------------------------------------------
def column_header(cat: Catalogue, columns: Sequence[ColumnRef], col: ColumnRef,
                  mixed: bool) -> str:
    """A column's header among `columns`: the derived value's or indicator's label, the part's
    label, or "Tổng số" for the total beside its parts; with its measure when `mixed`."""
    if col.derived is not None:
        d = cat.derived_by_code[col.derived]
        return d.label + (f" ({d.measure})" if mixed else "")
    ind = cat.indicator_by_code[col.indicator or ""]
    part = col.part or TOTAL
    same = [c for c in columns if c.indicator == ind.code]
    if part != TOTAL:
        text = cat.part_label(ind.code, part)
    elif ind.breakdown is not None and len(same) > 1:
        text = "Tổng số"
    else:
        text = ind.label
    return text + (f" ({ind.measure})" if mixed else "")


def column_measure(cat: Catalogue, col: ColumnRef) -> str:
    if col.derived is not None:
        return cat.derived_by_code[col.derived].measure
    return cat.indicator_by_code[col.indicator or ""].measure


def format_value(cat: Catalogue, col: ColumnRef, value: float | None) -> str:
    """A column's value as the chapter prints it: its decimals, points signed."""
    if col.derived is not None:
        d = cat.derived_by_code[col.derived]
        if d.measure.startswith("điểm"):
            return fmt.signed(value, d.decimals)
        return fmt.number(value, d.decimals)
    ind = cat.indicator_by_code[col.indicator or ""]
    return fmt.number(value, ind.decimals if ind.type != "integer" else 0)


# --- notes ----------------------------------------------------------------------------------
# What a period row shows, in words: the kind of figure (by the indicator's nature) and how the
# period's figure is made of the years' (by its period method).
_KIND = {"flow": "số phát sinh", "stock": "số hiện có", "rate": "tốc độ tăng", "ratio": "tỷ lệ"}
_FIGURE = {
    "sum": "là tổng các năm",
    "last": "là số của năm cuối giai đoạn",
    "mean": "là trung bình cộng các năm",
    "growth_mean": "là bình quân của giai đoạn",
    "none": "không cộng qua các năm nên để trống",
}
_COMPUTED = "các cột tính toán"
_FROM_INPUTS = "tính từ số liệu cả giai đoạn"


def _no_period(cat: Catalogue, col: ColumnRef) -> bool:
    """A column whose figures are never added across years: its period cells stay empty."""
    return (col.derived is None
            and cat.indicator_by_code[col.indicator or ""].period_method == "none")


def _period_kind(cat: Catalogue, col: ColumnRef) -> tuple[str, str]:
    """(kind of figure, what its period figure is) of one column, in words."""
    if col.derived is not None:
        d = cat.derived_by_code[col.derived]
        return _COMPUTED, _FIGURE["mean"] if d.period == "mean" else _FROM_INPUTS
    ind = cat.indicator_by_code[col.indicator or ""]
    if ind.nature == "in_progress":
        return f"số {ind.measure} đang thực hiện", _FIGURE["none"]
    return _KIND[ind.nature], _FIGURE[ind.period_method]


def _period_note(cat: Catalogue, table: Table, headers: list[str]) -> str:
    """Which figure a period row shows, one clause per kind of figure in the table ("số phát
    sinh là tổng các năm"); a kind whose columns differ names each of its columns."""
    kinds: dict[str, list[tuple[str, str]]] = {}
    for col, header in zip(table.columns, headers):
        kind, figure = _period_kind(cat, col)
        kinds.setdefault(kind, []).append((header, figure))
    clauses: list[str] = []
    for kind, cols in kinds.items():
        figures = list(dict.fromkeys(figure for _, figure in cols))
        if len(figures) == 1:
            clauses.append(f"{kind} {figures[0]}")
        else:
            clauses += list(dict.fromkeys(f"{lower_first(h)} {f}" for h, f in cols))
    return "Dòng giai đoạn: " + "; ".join(clauses) + "."


def provisional_marks(cat: Catalogue) -> dict[str, str]:
    """The mark of each provisional status: "Ước tính" -> "*", "Sơ bộ" -> "**" (the
    catalogue's `data_status` after the first, in order)."""
    return {status: "*" * k for k, status in enumerate(cat.data_status[1:], start=1)}


def _column_statuses(cat: Catalogue, values: Values, col: ColumnRef) -> set[str]:
    """The statuses units chose for a column's figures; a derived column has those of the
    figures it is computed from."""
    if col.derived is None:
        return set(values.statuses_of(col.indicator or "", col.part or TOTAL))
    out: set[str] = set()
    for code, part in parse_formula(cat.derived_by_code[col.derived].formula).refs:
        if code in cat.derived_by_code:
            out |= _column_statuses(cat, values, ColumnRef(derived=code))
        elif code in cat.indicator_by_code:
            out |= set(values.statuses_of(code, part))
    return out


def _provisional_note(cat: Catalogue, present: list[str]) -> str:
    """'(*) Số liệu ước tính; (**) số liệu sơ bộ — theo ghi chú của đơn vị ở biểu số liệu.'
    for the provisional statuses `present` in a table."""
    marks = provisional_marks(cat)
    clauses = [f"({marks[s]}) {'Số' if k == 0 else 'số'} liệu {s.lower()}"
               for k, s in enumerate(present)]
    return "; ".join(clauses) + " — theo ghi chú của đơn vị ở biểu số liệu."


def _column_groups(cat: Catalogue, table: Table) -> list[tuple[str, int]]:
    """(label, span) of each column group: an indicator's parts share its label, else ""."""
    groups: list[tuple[str, int]] = []
    for col in table.columns:
        key = col.indicator if col.indicator and sum(
            c.indicator == col.indicator for c in table.columns) > 1 else None
        label = cat.indicator_by_code[key].label if key else ""
        if key and groups and groups[-1][0] == label:
            groups[-1] = (label, groups[-1][1] + 1)
        else:
            groups.append((label, 1))
    return groups


def _origin(owner: str, cells: list[Cell]) -> str:
    """'<owner>, biểu số liệu, trang I.1, ô E6-M9': the sheet and the smallest range holding
    the cells of one column (of the owner's one workbook: file names are left to the merged
    data workbook)."""
    if not cells:
        return f"{owner}: chưa có số liệu trong biểu"
    sheets = sorted({c[1] for c in cells})
    coords = [coordinate_from_string(c[2]) for c in cells]
    cols = [column_index_from_string(col) for col, _ in coords]
    rows = [row for _, row in coords]
    first = f"{get_column_letter(min(cols))}{min(rows)}"
    last = f"{get_column_letter(max(cols))}{max(rows)}"
    span = first if first == last else f"{first}-{last}"
    return f"{owner}, biểu số liệu, trang {', '.join(sheets)}, ô {span}"


# --- a catalogue table ----------------------------------------------------------------------
@dataclass(frozen=True)
class _Grid:
    """What the grid of a catalogue table shows, formatted."""

    first_header: str  # "Năm" or "Giai đoạn"
    headers: list[str]  # one per column (the lower header row when grouped)
    marks: list[str]  # one per column: " (*)" when provisional figures are in it, else ""
    provisional: list[str]  # the provisional statuses in the table, in the catalogue's order
    measures: list[str]  # one per column
    mixed: bool  # columns of several measures: each header names its own
    labels: list[str]  # first cell of each body row: years, then periods
    body: list[list[str]]  # formatted values, one row per label
    bold_from: int  # rows from here on (the periods) are bold


def _grid_of(cat: Catalogue, values: Values, table: Table) -> _Grid:
    measures = [column_measure(cat, c) for c in table.columns]
    mixed = len(set(measures)) > 1
    years = list(cat.years.actual) if table.rows != "periods" else []
    # Period rows, unless no column has a period figure (tasks in progress only): a table of
    # empty rows would say nothing.
    periods = ([p.code for p in cat.periods] if table.rows != "years"
               and not all(_no_period(cat, c) for c in table.columns) else [])
    body = ([[format_value(cat, c, values.year(c, y)) for c in table.columns] for y in years]
            + [["" if _no_period(cat, c) else format_value(cat, c, values.period(c, p))
                for c in table.columns] for p in periods])
    order = provisional_marks(cat)
    found = [_column_statuses(cat, values, c) & set(order) for c in table.columns]
    marks = ["" if not f else " (" + ", ".join(order[s] for s in order if s in f) + ")"
             for f in found]
    return _Grid(first_header="Giai đoạn" if table.rows == "periods" else "Năm",
                 headers=[column_header(cat, table.columns, c, mixed) for c in table.columns],
                 marks=marks, provisional=[s for s in order if any(s in f for f in found)],
                 measures=measures, mixed=mixed, labels=[str(y) for y in years] + periods,
                 body=body, bold_from=len(years))


def _group_heads(styles: StyleIds, at: list[list[_Cell]], cat: Catalogue, table: Table,
                 g: _Grid) -> None:
    """Two header rows: a group label over its parts' headers, else one cell down both."""
    c = 1
    for label, span in _column_groups(cat, table):
        if label:
            head_cell(styles, at[0][c], label + (f" ({g.measures[c - 1]})" if g.mixed else ""))
            if span > 1:
                at[0][c].merge(at[0][c + span - 1])
            for k in range(span):
                head_cell(styles, at[1][c + k],
                          column_header(cat, table.columns, table.columns[c + k - 1], False)
                          + g.marks[c + k - 1])
        else:
            head_cell(styles, at[0][c], g.headers[c - 1] + g.marks[c - 1])
            at[0][c].merge(at[1][c])
        c += span


def _shown_heads(cat: Catalogue, table: Table, g: _Grid) -> list[list[str]]:
    """The header rows as printed: the group labels (each in every column it spans) over
    the parts' headers when grouped, else the one row of headers."""
    lower = [g.first_header] + [
        (column_header(cat, table.columns, col, False) if label else header) + mark
        for col, header, mark, label in zip(table.columns, g.headers, g.marks,
                                            _group_of_each(cat, table))]
    if not any(_group_of_each(cat, table)):
        return [lower]
    upper = [g.first_header] + [
        label + (f" ({measure})" if g.mixed else "") if label else header
        for header, measure, label in zip(lower[1:], g.measures, _group_of_each(cat, table))]
    return [upper, lower]


def _group_of_each(cat: Catalogue, table: Table) -> list[str]:
    """The group label over each column ("" for a column alone)."""
    return [label for label, span in _column_groups(cat, table) for _ in range(span)]


def _grid_fit(cat: Catalogue, table: Table, g: _Grid) -> Fit:
    """The columns' widths and page of a catalogue table, from what its cells show (its
    first column, the years and periods, in the header style)."""
    return fit_widths(_shown_heads(cat, table, g)[-1],
                      [[lab] + r for lab, r in zip(g.labels, g.body)], bold_first=True)


def _write_grid(doc: WordDocument, styles: StyleIds, cat: Catalogue, table: Table,
                g: _Grid, fit: Fit) -> None:
    heads = _shown_heads(cat, table, g)
    two_rows = len(heads) == 2
    head_rows = len(heads)
    grid, at = new_grid(doc, styles, head_rows + len(g.body), 1 + len(table.columns))
    set_widths(grid, fit.widths)
    head_cell(styles, at[0][0], g.first_header)
    if two_rows:
        at[0][0].merge(at[1][0])
        _group_heads(styles, at, cat, table, g)
    else:
        for c, (text, mark) in enumerate(zip(g.headers, g.marks), start=1):
            head_cell(styles, at[0][c], text + mark)
    for r in range(head_rows):
        repeat_header(grid.rows[r])
    for r, (cells, label, row) in enumerate(zip(at[head_rows:], g.labels, g.body)):
        head_cell(styles, cells[0], label)
        for c, text in enumerate(row, start=1):
            set_text(cells[c].paragraphs[0], text)
            styles.apply(cells[c].paragraphs[0], STYLE_TABLE_TEXT)
            if r >= g.bold_from:
                for run in cells[c].paragraphs[0].runs:
                    run.bold = True
    body = [[lab] + r for lab, r in zip(g.labels, g.body)]
    keep_rows(grid, head_rows, is_short(fit.widths, heads, body, fit.landscape, bold_first=True))


def _notes(cat: Catalogue, table: Table, g: _Grid) -> list[str]:
    """Notes under a table: its own, the period rows' figures, the missing-value mark, the
    provisional figures' marks."""
    notes = [table.note] if table.note else []
    if g.bold_from < len(g.labels):
        notes.append(_period_note(cat, table, g.headers))
    if any(fmt.MISSING in row for row in g.body):
        notes.append(f"Dấu “{fmt.MISSING}”: chưa có số liệu, số liệu chưa hợp lệ hoặc giai "
                     "đoạn còn thiếu năm.")
    if g.provisional:
        notes.append(_provisional_note(cat, g.provisional))
    return notes


def workbook_source(owner: str, sent: dt.date) -> str:
    """"<owner>, biểu số liệu gửi ngày 12/03/2020": where a unit's figures come from."""
    return f"{owner}, biểu số liệu gửi ngày {fmt.date(sent)}"


def indicator_table(doc: WordDocument, styles: StyleIds, cat: Catalogue, values: Values,
                    number: str, table: Table, owner: str, sent: dt.date) -> tuple[Source, ...]:
    """A numbered catalogue table: title, unit line, grid, source line (the `owner` unit and
    the day its workbook was `sent`) and notes. Returns where each column's figures come
    from, for the appendix."""
    g = _grid_of(cat, values, table)
    fit = _grid_fit(cat, table, g)
    if fit.landscape:
        section_break(doc, landscape=False)
    table_title(doc, styles, number, table.title)
    if not g.mixed:  # columns of several measures name each its own in its header
        styles.para(doc, f"Đơn vị tính: {table.measure or g.measures[0]}", STYLE_UNIT_LINE)
    _write_grid(doc, styles, cat, table, g, fit)
    source = f"Nguồn: {workbook_source(owner, sent)}"
    if any(c.derived for c in table.columns):
        source += "; các cột tính toán tính từ số liệu trong bảng (cách tính ghi ở phụ lục)"
    source_and_notes(doc, styles, source + ".", _notes(cat, table, g))
    if fit.landscape:
        section_break(doc, landscape=True)
    groups = _group_of_each(cat, table)
    return tuple(
        Source(f"Bảng {number}", f"{group} – {header}" if group else header,
               f"Tính từ: {in_words(cat.derived_by_code[col.derived].formula, cat)}"
               if col.derived is not None
               else _origin(owner, values.cells_of(col)),
               fmt.date(sent))
        for col, header, group in zip(table.columns, g.headers, groups))


# --- targets --------------------------------------------------------------------------------
def targets_table(doc: WordDocument, styles: StyleIds, number: str, target_years: list[int],
                  rows: Sequence[TargetStatus]) -> None:
    """The targets table: each target row's current figure, its targets and the verdict
    (each row in its indicator's measure and decimals)."""
    headers = ["Chỉ tiêu", "Đơn vị", "Hiện trạng", *[str(y) for y in target_years], "Đánh giá"]
    texts = []
    for t in rows:
        now = fmt.number(t.current, t.decimals)
        if t.current is not None:
            now += f" ({t.current_when})"
        texts.append([t.label, t.measure, now,
                      *[fmt.number(v, t.decimals) for _, v in t.targets], t.verdict])
    fit = fit_widths(headers, texts)
    if fit.landscape:
        section_break(doc, landscape=False)
    table_title(doc, styles, number, "Một số chỉ tiêu phát triển KH&CN đến năm "
                       f"{max(target_years)}")
    write_table(doc, styles, headers, texts, fit.widths, landscape=fit.landscape,
                align=["left", "center", None, *[None] * len(target_years), "left"])
    styles.para(doc, "Nguồn: mục tiêu do các phòng, đơn vị đề xuất trong biểu số liệu; "
                "hiện trạng là số liệu năm gần nhất (đóng góp của TFP: bình quân giai "
                "đoạn). Dự báo theo xu hướng tuyến tính của số liệu 2011-2019 chỉ để "
                "tham khảo, không phải chỉ tiêu kế hoạch.", STYLE_SOURCE_LINE)
    if fit.landscape:
        section_break(doc, landscape=True)


# --- list inputs ----------------------------------------------------------------------------
def is_year_column(col: ListColumn) -> bool:
    """A whole-number column whose allowed range is four-digit years (year founded, year
    certified): printed "2013", never with a thousands separator."""
    return (col.type == "integer" and col.min is not None and col.max is not None
            and col.min >= 1000 and col.max <= 9999)


LIST_DECIMALS = 2
"""A list's numbers (areas, sums) are shown to at most this many decimals."""


def _missing(v: Any) -> bool:
    return v is None or (isinstance(v, float) and pd.isna(v))


def decimals_of(numbers: Iterable[Any]) -> int:
    """The decimals a column of numbers is printed with: as many as its most precise number
    needs, up to LIST_DECIMALS, the same for every number of the column (3 and 1,5 print
    "3,0" and "1,5"); missing values left out."""
    present = [float(v) for v in numbers if not _missing(v)]
    return next((d for d in range(LIST_DECIMALS)
                 if all(round(v, d) == round(v, LIST_DECIMALS) for v in present)),
                LIST_DECIMALS)


def _list_cell(col: ListColumn, v: Any, decimals: int) -> str:
    """A list cell as the chapter prints it (merge_lists' cell: a number, date or text):
    "-" when empty, a year as "2013", a number with its column's `decimals`."""
    kind = col.type
    if _missing(v):
        return fmt.MISSING
    if is_year_column(col):
        return str(round(float(v)))
    if kind in ("number", "integer"):
        return fmt.number(float(v), decimals)
    if kind == "date":
        return fmt.date(v)
    return str(v)


def _list_align(col: ListColumn) -> CellAlign | None:
    """Numbers right (the style's), years and dates centred, text left."""
    if is_year_column(col) or col.type == "date":
        return "center"
    return None if col.type in ("number", "integer") else "left"


def _list_grid(li: ListInput, rows: pd.DataFrame) -> tuple[list[str], list[list[str]],
                                                             list[CellAlign | None]]:
    """(headers, body, alignments) of a list's table: a number (STT) per row, the chapter's
    columns, and the proposing unit when every unit may add rows."""
    cols = [c for c in li.columns if not li.chapter_columns or c.code in li.chapter_columns]
    headers = ["STT", *[c.label + (f" ({c.measure})" if c.measure else "") for c in cols]]
    every_unit = li.unit == ALL_UNITS
    decimals = [decimals_of(rows[c.code]) if c.type == "number" else 0 for c in cols]
    body = []
    for n, (unit_name, *cells) in enumerate(
            rows_of(rows, "unit_name", *[c.code for c in cols]), start=1):
        body.append([str(n), *[_list_cell(c, v, d) for c, v, d in zip(cols, cells, decimals)],
                     *([str(unit_name)] if every_unit else [])])
    align: list[CellAlign | None] = ["center", *[_list_align(c) for c in cols]]
    if every_unit:
        headers.append("Đơn vị đề xuất")
        align.append("left")
    return headers, body, align


def list_table(doc: WordDocument, styles: StyleIds, numbers: Iterator[str], li: ListInput,
               rows: pd.DataFrame | None, land: pd.DataFrame | None = None) -> None:
    """A list input as a numbered table (the rows units added, or a sentence when none did),
    then, when `land` is given and not empty, the land demand table made from it. Each column
    has its measure in its header; no unit line."""
    grid = _list_grid(li, rows) if rows is not None and not rows.empty else None
    fit = fit_widths(grid[0], grid[1]) if grid is not None else None
    if fit is not None and fit.landscape:
        section_break(doc, landscape=False)
    table_title(doc, styles, next(numbers), li.title)
    if rows is None or grid is None or fit is None:
        styles.para(doc, f"Chưa có phòng, đơn vị nào gửi nội dung “{li.title}”.",
                    STYLE_MISSING)
        return
    headers, body, align = grid
    write_table(doc, styles, headers, body, fit.widths, landscape=fit.landscape, align=align)
    units = ", ".join(dict.fromkeys(rows["unit_name"]))
    styles.para(doc, f"Nguồn: {units}.", STYLE_SOURCE_LINE)
    if fit.landscape:
        section_break(doc, landscape=True)
    if land is not None and not land.empty:
        _land_table(doc, styles, next(numbers), land)


def _land_table(doc: WordDocument, styles: StyleIds, number: str, land: pd.DataFrame) -> None:
    """Areas by place (rows) and land type (columns), all in ha: one unit line; "-" where no
    project asks for that land there, every figure with the table's one number of decimals."""
    decimals = decimals_of(land.to_numpy().ravel())
    headers = ["Địa điểm", *[str(c) for c in land.columns]]
    body = [[str(idx), *[fmt.number(None if _missing(v) else float(v), decimals)
                         for v in vals]]
            for idx, vals in zip(land.index, land.values)]
    fit = fit_widths(headers, body, bold_first=True)
    if fit.landscape:
        section_break(doc, landscape=False)
    table_title(doc, styles, number, "Nhu cầu sử dụng đất cho KH&CN theo địa điểm và "
                       "loại đất chuyển đổi")
    styles.para(doc, "Đơn vị tính: ha", STYLE_UNIT_LINE)
    write_table(doc, styles, headers, body, fit.widths, landscape=fit.landscape,
                first_is_head=True)
    notes = ([f"Dấu “{fmt.MISSING}”: không có dự án đề xuất cần loại đất này tại địa điểm."]
             if any(fmt.MISSING in row for row in body) else [])
    source_and_notes(doc, styles, "Nguồn: tổng hợp từ danh mục dự án đề xuất của các phòng, "
                     "đơn vị.", notes)
    if fit.landscape:
        section_break(doc, landscape=True)
