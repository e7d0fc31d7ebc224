"""Check one workbook against the catalogue: sheets and rows present, row labels against
their keys, years by the form's header, types, numbers no indicator can hold (NaN, ±∞,
beyond 10^15, more than 15 digits), required cells, ranges, dropdown values, percent cells,
values outside the form, the unit's own rules.

Validation never raises on a unit's data: it collects every finding and passes on only the
values that have no error. A value with an error is left out of the merge and named in the
report, so nothing is lost silently. check_workbook runs in the reader's worker and is cached
with the file.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import unicodedata
from collections.abc import Iterator
from typing import NamedTuple

from openpyxl.utils import get_column_letter

from pipeline.catalogue.layout import (
    FIRST_DATA_ROW,
    FIRST_YEAR_COL,
    HEADER_ROW,
    LABEL_COLUMNS,
    LIST_FIRST_ROW,
    META_SHEET,
    NOTE_HEADER,
    STATUS_HEADER,
    FormRow,
    form_rows,
    form_years,
    list_key,
    meta_cell,
    row_key,
    sheet_name,
)
from pipeline.catalogue.model import Catalogue, Indicator, Item, ListColumn
from pipeline.core import findings as fnd
from pipeline.core import fmt
from pipeline.core.findings import Finding
from pipeline.core.records import FileCheck, ListEntry, ListValue, Value
from pipeline.read.model import (
    RawCell,
    RowInfo,
    RowLabel,
    SheetHead,
    WorkbookSubmission,
    parse_date,
)
from pipeline.validate.rules import check_unit

# --- numbers typed as text -----------------------------------------------------------------
_VI_GROUPED = re.compile(r"[+-]?\d{1,3}(?:\.\d{3})+(?:,\d+)?")
_VI_PLAIN = re.compile(r"[+-]?\d+(?:,\d+)?")
# Read differently by an English-style typist: "1,234" (thousands?) and "1.5" / "1,234.5".
_AMBIGUOUS = re.compile(r"[+-]?\d{1,3},\d{3}|[+-]?\d+\.\d{1,2}|[+-]?\d{1,3}(?:,\d{3})+\.\d+")

# What a number may be, whatever its indicator's range (a catalogue may leave it open):
# - at most MAX_DIGITS significant digits: a float holds 15 exactly (the 16th and beyond
#   are rounded), and Excel itself keeps no more of a typed number. A longer number typed as
#   text (an account number, digits run together, a value pasted from another program) is
#   refused rather than silently rounded: a unit rounds it in a minute, a reader can never
#   tell it was changed. Numeric cells are not counted: what a file stores is the float
#   itself, written with up to 17 digits ('0.30000000000000004'), exact as it is.
# - a magnitude up to MAX_MAGNITUDE: the catalogue's ranges end at 10^8, and even a
#   province's whole budget in đồng is about 10^13; 10^15 and beyond is a typing or writing
#   error (1E+22, 1E+308), and every integer up to it is exact in a float.
# - a finite number: NaN and the infinities are no value (written by programs, never Excel).
MAX_DIGITS = 15
MAX_MAGNITUDE = 1e15


def _vi_text(text: str) -> str:
    """The text as a Vietnamese number ('1.234,5', spaces and a final '%' dropped), or ''
    when it is not one."""
    s = text.strip().replace("\u00a0", "").replace(" ", "")
    if s.endswith("%"):
        s = s[:-1]
    return s if _VI_GROUPED.fullmatch(s) or _VI_PLAIN.fullmatch(s) else ""


def _significant(vi_text: str) -> int:
    """Significant digits of a Vietnamese number: zeros before the first and after the last
    other digit do not count ('2.000.000' has 1, '0,0150' has 2)."""
    return len(re.sub(r"\D", "", vi_text).strip("0"))


def parse_vi_number(text: str) -> float | None:
    """Parse a number typed as text the Vietnamese way ('1.234,5', '12,5', '1.234').

    Strict: returns None for anything else, including '1.5' or '1,234.5' (English style),
    which would otherwise be guessed, and a number of more than MAX_DIGITS significant digits,
    which a float cannot hold exactly.
    """
    s = _vi_text(text)
    if not s or _significant(s) > MAX_DIGITS:
        return None
    return float(s.replace(".", "").replace(",", "."))


def _text_number(text: str) -> tuple[float | None, str]:
    """(value, problem) of a number typed as text: problem '' or a finding's code."""
    if is_ambiguous(text):  # "1,234" is 1,234 to a Vietnamese reader, 1234 to others
        return None, "ambiguous_number"
    s = _vi_text(text)
    if not s:
        return None, "not_a_number"
    if _significant(s) > MAX_DIGITS:
        return None, "number_too_long"
    return float(s.replace(".", "").replace(",", ".")), ""


def _beyond(value: float) -> str:
    """The code of the finding for a number no indicator can hold, or ''."""
    if not math.isfinite(value):
        return "number_not_finite"
    return "number_too_large" if abs(value) > MAX_MAGNITUDE else ""


def _negative_zero(value: float) -> bool:
    return value == 0 and math.copysign(1.0, value) < 0


def is_ambiguous(text: str) -> bool:
    """Text a reader could take for two different numbers (English vs Vietnamese style)."""
    s = text.strip().replace("\u00a0", "").replace(" ", "").rstrip("%")
    return bool(_AMBIGUOUS.fullmatch(s))


def _number(raw: object, ind: Indicator) -> tuple[float | None, str]:
    """(value, problem) of a cell: problem '' for a number to check against the range,
    'blank' for an empty cell, else the code of the finding that keeps the value out."""
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None, "blank"
    if isinstance(raw, (bool, dt.date, dt.datetime, dt.time, dt.timedelta)):
        return None, "not_a_number"
    if isinstance(raw, (int, float)):
        return float(raw), _beyond(float(raw))
    text = str(raw)
    if text.strip().endswith("%") and ind.type != "percent":
        return None, "not_a_number"
    value, problem = _text_number(text)
    return value, problem or _beyond(value or 0.0)


# Why a number is refused in a list, said in the list's own message.
_LIST_PROBLEMS = {
    "ambiguous_number": "không phải là số",
    "not_a_number": "không phải là số",
    "number_too_long": f"có hơn {MAX_DIGITS} chữ số có nghĩa, không giữ được chính xác "
                       "(hãy làm tròn)",
    "number_not_finite": "không phải một số thật (NaN hay vô cực)",
    "number_too_large": f"lớn hơn mọi giá trị có thể (độ lớn quá {fmt.number(MAX_MAGNITUDE)})",
}


def _shown(raw: object) -> object:
    """A cell's value as a message shows it: a number in Vietnamese style, whatever its size."""
    return fmt.shown(float(raw)) if isinstance(raw, (int, float)) else raw


def _range_text(ind: Indicator) -> tuple[str, str]:
    high = "không giới hạn" if ind.high is None else fmt.plain(ind.high)
    return fmt.plain(ind.low), high


def _list_value(cat: Catalogue, col: ListColumn, raw: object) -> tuple[ListValue, str]:
    """(typed value, problem) of one list cell; problem "" when it is fine."""
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None, ""
    if col.type == "text":
        return (fmt.plain(raw) if isinstance(raw, float) else str(raw)), ""
    if col.type == "choice":
        options = cat.choices.get(col.choices or "", [])
        if isinstance(raw, str) and raw in options:  # options are text: nothing else equals
            return raw, ""
        return None, "không có trong danh sách chọn"
    if col.type == "date":
        if isinstance(raw, dt.datetime):
            return raw.date(), ""
        if isinstance(raw, dt.date):
            return raw, ""
        day = parse_date(str(raw))
        return (day, "") if day else (None, "không phải ngày dạng dd/mm/yyyy")
    if isinstance(raw, (int, float)) and not isinstance(raw, bool):
        number: float | None = float(raw)
        problem = ""
    else:
        number, problem = _text_number(str(raw))
    problem = problem or (_beyond(number) if number is not None else "not_a_number")
    if number is None or problem:
        return None, _LIST_PROBLEMS[problem]
    if col.type == "integer" and not number.is_integer():
        return None, "phải là số nguyên"
    if number < col.low or (col.max is not None and number > col.max):
        high = "" if col.max is None else f" đến {fmt.plain(col.max)}"
        return None, f"ngoài khoảng cho phép (từ {fmt.plain(col.low)}{high})"
    return number, ""


def _check_lists(cat: Catalogue, wb: WorkbookSubmission) -> Iterator[Finding | ListEntry]:
    for lr in wb.lists:
        li = cat.list_by_code.get(lr.list)
        if li is None:  # a list the catalogue no longer has
            continue
        columns = {c.code: c for c in li.columns}
        raw = {code: (cell, v) for code, cell, v in lr.cells}
        typed: dict[str, ListValue] = {}
        bad = False
        for code, col in columns.items():
            cell, value = raw.get(code, ("", None))
            where: fnd.Place = {"sheet": lr.sheet, "cell": cell, "unit": wb.unit,
                                "indicator": list_key(li.code, code)}
            typed[code], problem = _list_value(cat, col, value)
            if problem:
                bad = True
                yield fnd.make("list_bad_value", wb.file.name, value=_shown(value),
                               number=lr.number, title=li.title, label=col.label,
                               problem=problem, **where)
            elif isinstance(number := typed[code], float) and _negative_zero(number):
                typed[code] = 0.0  # the same number as 0: told, kept as 0
                yield fnd.make("negative_zero", wb.file.name, value=_shown(value), **where)
            elif typed[code] is None and col.required:
                bad = True
                yield fnd.make("list_required", wb.file.name, number=lr.number,
                               title=li.title, label=col.label, **where)
        if not bad:
            yield ListEntry(li.code, wb.unit, lr.number, typed, wb.file.name, lr.sheet, lr.row)


def _check_workbook(cat: Catalogue, wb: WorkbookSubmission) -> Iterator[Finding | Value]:
    name = wb.file.name
    fingerprint = wb.meta.get("ma_danh_muc", "")
    if fingerprint != cat.fingerprint:
        yield fnd.make("catalogue_mismatch", name, sheet=META_SHEET,
                       cell=meta_cell("ma_danh_muc"), unit=wb.unit,
                       value=fingerprint or "(trống)", expected=cat.fingerprint)
    yield from wb.notes
    if not wb.rows:
        yield fnd.make("no_values", name, unit=wb.unit)
    book = _Book.of(cat, wb, fingerprint != cat.fingerprint)
    yield from book.duplicates
    own_sheets: set[str] = set()
    renamed = _renamed_sheets(cat, wb)
    for item in cat.data_items_of(wb.unit):
        sheet = sheet_name(item)
        if sheet not in wb.sheets and item.code in renamed:  # found by its row keys
            sheet = renamed[item.code]
            yield fnd.make("sheet_renamed", name, sheet=sheet, unit=wb.unit,
                           expected=sheet_name(item), item=item.code)
        own_sheets.add(sheet)
        if sheet not in wb.sheets:
            yield fnd.make("missing_sheet", name, sheet=sheet, unit=wb.unit, item=item.code)
        elif sheet not in book.heads:  # column A or the header row is gone: no row found
            filled = next((n for s, n in wb.others if s == sheet), 0)
            yield fnd.make("sheet_without_keys", name, sheet=sheet, unit=wb.unit,
                           count=filled)
        else:
            yield from _check_sheet(cat, wb, item, sheet, book)
    yield from _outside_form(cat, wb, own_sheets, book.cells)


class _Book(NamedTuple):
    """One workbook's keyed rows and cells, indexed for checking."""

    rows: dict[tuple[str, str, str], RowInfo]  # (sheet, indicator, part) -> its first row
    cells: dict[tuple[str, int], dict[int, RawCell]]  # (sheet, row) -> column -> cell
    heads: dict[str, SheetHead]  # header row of each item sheet
    flagged: set[tuple[str, str]]  # (sheet, A1) already reported by read
    older: bool  # made from another catalogue: years read by the header
    duplicates: list[Finding]  # rows copied with their key
    labels: dict[tuple[str, int], RowLabel]  # (sheet, row) -> its label cells (B, C)
    known: frozenset[tuple[str, str]]  # an older form's: every row label of the catalogue

    @staticmethod
    def of(cat: Catalogue, wb: WorkbookSubmission, older: bool) -> _Book:
        rows: dict[tuple[str, str, str], RowInfo] = {}
        duplicates = []
        for r in wb.rows:
            first = rows.setdefault((r.sheet, r.indicator, r.part), r)
            if first is not r:  # a row copied and inserted: its key is the original's
                duplicates.append(fnd.make(
                    "duplicate_row_key", wb.file.name, sheet=r.sheet, cell=f"B{r.row}",
                    unit=wb.unit, indicator=row_key(r.indicator, r.part), row=r.row,
                    first=first.row))
        cells: dict[tuple[str, int], dict[int, RawCell]] = {}
        for c in wb.cells:
            cells.setdefault((c.sheet, c.row), {})[c.col] = c
        flagged = {(f.sheet, f.cell) for f in wb.notes
                   if f.code in ("formula_no_value", "error_cell", "cell_unreadable")}
        labels = {(r.sheet, r.row): r
                  for r in wb.labels}
        known = frozenset(_label_keys(f.indicator.label, f.part_label)
                          for it in cat.items for f in form_rows(cat, it)) if older else frozenset()
        return _Book(rows, cells, {h.sheet: h for h in wb.heads}, flagged, older, duplicates,
                     labels, known)


def _label_keys(label: str, part: str) -> tuple[str, str]:
    """A row's labels as compared: NFC, and neither case nor runs of spaces matter."""
    return (" ".join(unicodedata.normalize("NFC", label).split()).casefold(),
            " ".join(unicodedata.normalize("NFC", part).split()).casefold())


def _relabelled(cat: Catalogue, wb: WorkbookSubmission, frow: FormRow, row: RowInfo,
                book: _Book) -> Finding | None:
    """`row_label_mismatch` when a keyed row's label cells (B: indicator, C: part) name
    another row than its key does: rows pasted over others keep the keys of the hidden
    column A, and their values would be taken for the key's indicator while the unit sees
    another. An error, the whole row held back: which of the two the unit meant is a guess.
    Only a real difference counts (not case, spaces or Unicode form), and empty label cells
    say nothing (a merged label shows in its first row only). In a form of an older
    catalogue, whose labels may have been renamed since, only the label of another row of
    the current catalogue counts."""
    shown = book.labels.get((row.sheet, row.row))
    if shown is None or not (shown.label or shown.part):
        return None
    got = _label_keys(shown.label, shown.part)
    want = _label_keys(frow.indicator.label, frow.part_label)
    differs = [col for col, g, w in zip("BC", got, want) if g and g != w]
    if not differs or (book.older and got not in book.known):
        return None
    cell = ":".join(f"{col}{row.row}" for col in differs)
    return fnd.make("row_label_mismatch", wb.file.name, sheet=row.sheet, cell=cell,
                    unit=wb.unit, indicator=frow.key, row=row.row,
                    value=shown.label + (f" – {shown.part}" if shown.part else ""),
                    label=cat.row_label(frow.indicator.code, frow.part))


def _check_sheet(cat: Catalogue, wb: WorkbookSubmission, item: Item, sheet: str,
                 book: _Book) -> Iterator[Finding | Value]:
    """One item sheet: its year columns, every form row, and rows whose key is unknown."""
    name = wb.file.name
    found: list[Finding] = []
    year_col, moved = _year_columns(cat, item, book.heads.get(sheet), book.older, wb, found)
    yield from found
    layouts: dict[str, _RowLayout] = {}  # by the indicator's `years` (actual, target...)
    form_keys = set()
    for frow in form_rows(cat, item):
        ind = frow.indicator
        form_keys.add((ind.code, frow.part))
        key = row_key(ind.code, frow.part)
        row = book.rows.get((sheet, ind.code, frow.part))
        if row is None:
            yield fnd.make("missing_row", name, sheet=sheet, unit=wb.unit, indicator=key,
                           label=cat.row_label(ind.code, frow.part), key=key)
            continue
        relabelled = _relabelled(cat, wb, frow, row, book)
        if relabelled is not None:  # another row pasted over this one: held back whole
            yield relabelled
            continue
        layout = layouts.get(ind.years)
        if layout is None:
            layout = layouts[ind.years] = _RowLayout.of(cat.years_of(ind), year_col)
        yield from _check_row(cat, wb, ind, key, row, book.cells.get((sheet, row.row), {}),
                              layout, year_col, moved, book.flagged)
    for r in wb.rows:
        if r.sheet == sheet and (r.indicator, r.part) not in form_keys and (
                book.cells.get((sheet, r.row)) or r.status or r.note):
            yield fnd.make("unknown_row_key", name, sheet=sheet, cell=f"B{r.row}",
                           unit=wb.unit, value=row_key(r.indicator, r.part), row=r.row)


def _renamed_sheets(cat: Catalogue, wb: WorkbookSubmission) -> dict[str, str]:
    """Item code -> the sheet that holds its rows under another name: a unit renamed the
    sheet ("I.1" -> "Đầu tư KH&CN"). Only a sheet whose keys all belong to one missing item."""
    missing = {it.code: it for it in cat.data_items_of(wb.unit)
               if sheet_name(it) not in wb.sheets}
    if not missing:
        return {}
    keys_of: dict[str, set[tuple[str, str]]] = {}
    for r in wb.rows:
        keys_of.setdefault(r.sheet, set()).add((r.indicator, r.part))
    found: dict[str, str] = {}
    for sheet, keys in keys_of.items():
        owners = {cat.item_of_indicator[i].code for i, _ in keys if i in cat.item_of_indicator}
        if len(owners) == 1 and (code := owners.pop()) in missing and code not in found:
            found[code] = sheet
    return found


def _header_year(text: str) -> int | None:
    """The year a header cell names: '2019', or text holding one year ('Năm 2019')."""
    if text.isdigit() and len(text) == 4:
        return int(text)
    found = _YEAR_IN_TEXT.findall(text)
    return int(found[0]) if len(found) == 1 else None


_YEAR_IN_TEXT = re.compile(r"(?<!\d)((?:19|20)\d\d)(?!\d)")
_FORM_HEADERS = {*LABEL_COLUMNS, STATUS_HEADER, NOTE_HEADER}


def _year_columns(cat: Catalogue, item: Item, head: SheetHead | None, older: bool,
                  wb: WorkbookSubmission, found: list[Finding]
                  ) -> tuple[dict[int, int], set[int]]:
    """Which column holds each year of the item's sheet, and the columns not to read.

    The form's layout decides (the year columns follow the label columns in order); the
    header only confirms it. A header retyped ("Năm 2019"), emptied or damaged costs nothing
    but a warning naming it; a header showing another year means columns were deleted,
    inserted or pasted over, and those columns are refused rather than read one year off.
    An older form (another catalogue) whose header asks other years is read by its header."""
    header = dict(head.cells) if head else {}
    head_row = head.row if head else HEADER_ROW
    years = form_years(cat, item)
    if older and {int(t) for t in header.values() if t.isdigit() and len(t) == 4} != set(years):
        return {y: c for c, text in header.items() if text.isdigit()
                and (y := int(text)) in years}, set()
    year_col: dict[int, int] = {}
    moved: list[tuple[int, int, str]] = []
    for i, year in enumerate(years):
        col = FIRST_YEAR_COL - 1 + i
        text = header.get(col, "")
        named = _header_year(text)
        at = f"{get_column_letter(col + 1)}{head_row}"
        if named == year or (named is None and text not in _FORM_HEADERS):
            year_col[year] = col
            if text != str(year):
                found.append(fnd.make("header_changed", wb.file.name, sheet=sheet_name(item),
                                      cell=at, unit=wb.unit, year=year,
                                      value=text or "(trống)"))
        else:
            moved.append((year, col, text))
    if moved:
        first, last = moved[0][1], moved[-1][1]
        detail = "; ".join(f"ô {get_column_letter(c + 1)}{head_row} ghi '{t or '(trống)'}' "
                           f"thay vì {y}" for y, c, t in moved[:4])
        if len(moved) > 4:
            detail += f"; và {len(moved) - 4} cột khác"
        found.append(fnd.make(
            "year_columns_moved", wb.file.name, sheet=sheet_name(item),
            cell=f"{get_column_letter(first + 1)}{head_row}:{get_column_letter(last + 1)}"
                 f"{head_row}", unit=wb.unit, detail=detail,
            years=", ".join(str(y) for y, _, _ in moved)))
    return year_col, {c for _, c, _ in moved}


def _numeric(raw: object) -> bool:
    if isinstance(raw, bool):
        return False
    if isinstance(raw, (int, float)):
        return True
    return isinstance(raw, str) and parse_vi_number(raw) is not None


class _RowLayout(NamedTuple):
    """Where a row's asked years are: (year, column) for each asked year with a column."""

    asked: list[int]  # the indicator's years, in order
    places: tuple[tuple[int, int], ...]  # (year, 0-based column), columns moved left out
    columns: frozenset[int]  # the columns of `places`

    @staticmethod
    def of(asked: list[int], year_col: dict[int, int]) -> _RowLayout:
        places = tuple((y, year_col[y]) for y in asked if y in year_col)
        return _RowLayout(asked, places, frozenset(c for _, c in places))


def _check_row(cat: Catalogue, wb: WorkbookSubmission, ind: Indicator, key: str, row: RowInfo,
               cells: dict[int, RawCell], layout: _RowLayout, year_col: dict[int, int],
               moved: set[int], flagged: set[tuple[str, str]]) -> Iterator[Finding | Value]:
    name, sheet = wb.file.name, row.sheet
    shift = _shifted(layout.asked, cells, year_col, row)
    if shift:
        side, year, out_cell, span = shift
        yield fnd.make("row_shifted", name, sheet=sheet, cell=span, unit=wb.unit,
                       indicator=key, label=cat.row_label(ind.code, row.part), side=side,
                       year=year, cell_out=out_cell)
        return
    if row.status and row.status not in cat.data_status:
        yield fnd.make("unknown_status", name, sheet=sheet, cell=row.status_cell,
                       unit=wb.unit, indicator=key, value=row.status,
                       allowed=", ".join(cat.data_status))
    typed: list[tuple[int, float, bool]] = []  # (year, value, typed as a percent)
    yield from _row_values(cat, wb, ind, key, row, cells, layout, flagged, typed)
    if typed:
        yield from _ambiguous_percents(wb, ind, key, cat.row_label(ind.code, row.part), row,
                                       year_col, typed)
    if not cells.keys() <= layout.columns:  # something typed outside the asked years
        yield from _outside_row(wb, key, row, cells, layout, year_col, moved)


def _row_values(cat: Catalogue, wb: WorkbookSubmission, ind: Indicator, key: str,
                row: RowInfo, cells: dict[int, RawCell], layout: _RowLayout,
                flagged: set[tuple[str, str]], typed: list[tuple[int, float, bool]]
                ) -> Iterator[Finding | Value]:
    """Each asked year of the row: its value, or its finding. Percent values are added to
    `typed` as (year, value, typed as a percent) for the ambiguity check."""
    sheet, percents = row.sheet, wb.percent_cells
    for year, col in layout.places:  # a moved or deleted column is said once for the sheet
        cell = cells.get(col)
        a1 = cell.cell if cell else f"{get_column_letter(col + 1)}{row.row}"
        if (sheet, a1) in flagged:  # already reported by read
            continue
        raw = cell.raw if cell else ""
        as_percent = bool(percents) and (sheet, a1) in percents
        if ((type(raw) is float or type(raw) is int) and not as_percent and ind.low <= raw
                and (ind.high is None or raw <= ind.high)
                and -MAX_MAGNITUDE <= raw <= MAX_MAGNITUDE  # not NaN, not ±∞ either
                and (raw != 0 or math.copysign(1.0, raw) > 0)  # not -0
                and (ind.type != "integer" or float(raw).is_integer())):
            yield _passed(wb, ind, row, year, a1, float(raw))  # most cells: at once
            if ind.type == "percent":
                typed.append((year, float(raw), False))
            continue
        for result in _check_cell(cat, wb, ind, key, row, year, a1, raw, as_percent):
            yield result
            if isinstance(result, Value) and ind.type == "percent":
                typed.append((year, result.value,
                              as_percent or str(raw).strip().endswith("%")))


def _outside_row(wb: WorkbookSubmission, key: str, row: RowInfo, cells: dict[int, RawCell],
                 layout: _RowLayout, year_col: dict[int, int], moved: set[int]
                 ) -> Iterator[Finding]:
    """A finding for each cell of a keyed row typed outside its asked years: grey cells,
    the unit-of-measure column, right of the table (moved columns are said for the sheet)."""
    years_at = {c: y for y, c in year_col.items()}
    for col, cell in cells.items():
        if col in layout.columns or col in moved:
            continue
        if col in years_at:
            where = f"ô màu xám: năm {years_at[col]} không thu thập cho chỉ tiêu này"
        elif col == 3:
            where = "cột Đơn vị tính"
        else:
            where = "ngoài các cột của bảng"
        yield fnd.make("value_outside_form", wb.file.name, sheet=row.sheet, cell=cell.cell,
                       unit=wb.unit, indicator=key, value=_shown(cell.raw), where=where)


def _shifted(asked: list[int], cells: dict[int, RawCell], year_col: dict[int, int],
             row: RowInfo) -> tuple[str, int, str, str] | None:
    """(side, empty year, cell holding the pushed-out value, row span) when the row's values
    were pasted one column off: the first (last) asked year empty and a number just right
    (left) of the asked years, in a grey cell, the status column or the unit column."""
    first, last = year_col.get(asked[0]), year_col.get(asked[-1])
    if first is None or last is None or (first in cells and last in cells):
        return None  # both ends typed (most rows): nothing was pushed out
    if not any(c in cells for c in range(first, last + 2)):
        return None
    letter = get_column_letter
    if first not in cells:
        right = cells.get(last + 1)
        status_col = row.status_cell.rstrip("0123456789")
        if right is not None and _numeric(right.raw):
            out = right.cell
        elif status_col == letter(last + 2) and _numeric(row.status):
            out = row.status_cell
        else:
            out = ""
        if out:
            return ("phải", asked[0], out,
                    f"{letter(first + 1)}{row.row}:{letter(last + 2)}{row.row}")
    if last not in cells:
        left = cells.get(first - 1)
        if left is not None and _numeric(left.raw):
            return ("trái", asked[-1], left.cell,
                    f"{letter(first)}{row.row}:{letter(last + 1)}{row.row}")
    return None


def _ambiguous_percents(wb: WorkbookSubmission, ind: Indicator, key: str, label: str,
                        row: RowInfo, year_col: dict[int, int],
                        typed: list[tuple[int, float, bool]]) -> Iterator[Finding]:
    """A percent below 1 typed as a plain number (0,5) in a row whose other years are tens
    (50, 52...): perhaps 50% typed as a fraction. A warning; the value stays as typed."""
    big = sorted(v for _, v, _ in typed if v >= 1)
    if len(big) < 2:
        return
    typical = big[len(big) // 2]
    for year, value, as_percent in typed:
        if not as_percent and 0 < value < 1 and typical >= 5 and (
                typical / 3 <= value * 100 <= typical * 3):
            a1 = f"{get_column_letter(year_col[year] + 1)}{row.row}"
            yield fnd.make("percent_ambiguous", wb.file.name, sheet=row.sheet, cell=a1,
                           unit=wb.unit, indicator=key, year=year, label=label,
                           value=fmt.plain(value), typical=fmt.plain(typical),
                           as_percent=fmt.plain(round(value * 100, 6)))


def _outside_form(cat: Catalogue, wb: WorkbookSubmission, own_sheets: set[str],
                  cells: dict[tuple[str, int], dict[int, RawCell]]) -> Iterator[Finding]:
    """Whatever the unit typed where the form has no input cell: rows without a key, cells
    beside a list, sheets that are not the unit's, and merged ranges over input cells."""
    name = wb.file.name
    for stray in wb.strays:
        if stray.sheet not in own_sheets:
            continue
        cols = [c for c, _ in stray.cells]
        label = next((str(v) for c, v in stray.cells if c in (1, 2) and isinstance(v, str)),
                     "không có tên")
        numbers = [v for c, v in stray.cells if c >= FIRST_YEAR_COL - 1]
        span = (f"{get_column_letter(min(cols) + 1)}{stray.row}:"
                f"{get_column_letter(max(cols) + 1)}{stray.row}")
        yield fnd.make("row_outside_form", name, sheet=stray.sheet, cell=span, unit=wb.unit,
                       value=label[:100], row=stray.row, label=f"'{label[:60]}'",
                       count=len(numbers) or len(stray.cells))
    for sheet, a1, raw in wb.loose:
        yield fnd.make("value_outside_form", name, sheet=sheet, cell=a1, unit=wb.unit,
                       value=_shown(raw), where="ngoài các cột của danh sách")
    foreign: dict[str, int] = {}
    for (sheet, _row), row_cells in cells.items():
        if sheet not in own_sheets:
            foreign[sheet] = foreign.get(sheet, 0) + len(row_cells)
    for stray in wb.strays:
        if stray.sheet not in own_sheets:
            foreign[stray.sheet] = foreign.get(stray.sheet, 0) + len(stray.cells)
    for sheet, count in [*foreign.items(), *wb.others]:
        if sheet not in own_sheets:  # an own sheet without its keys is said above
            yield fnd.make("extra_sheet", name, sheet=sheet, unit=wb.unit, count=count)
    list_sheets = {li.sheet for li in cat.lists_of(wb.unit)}
    for sheet, span in wb.merges:
        first_row = int(span.split(":")[0].lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ") or 0)
        if (sheet in own_sheets and first_row >= FIRST_DATA_ROW) or (
                sheet in list_sheets and first_row >= LIST_FIRST_ROW):
            yield fnd.make("merged_cells", name, sheet=sheet, cell=span, unit=wb.unit)


def _check_cell(cat: Catalogue, wb: WorkbookSubmission, ind: Indicator, key: str, row: RowInfo,
                year: int, a1: str, raw: object, as_percent: bool
                ) -> Iterator[Finding | Value]:
    name = wb.file.name
    where: fnd.Place = {"sheet": row.sheet, "cell": a1, "unit": wb.unit, "indicator": key,
                        "year": year}
    value, problem = _number(raw, ind)
    if problem == "blank":
        if ind.required:
            yield fnd.make("required_missing", name, label=cat.row_label(ind.code, row.part),
                           **where)
        return
    if value is None or problem:
        yield _number_finding(name, problem, raw, value, where)
        return
    if _negative_zero(value):  # the same number as 0, shown "-0": told, read as 0
        yield fnd.make("negative_zero", name, value=_shown(raw), **where)
        value = 0.0
    if as_percent:  # "1,5%" typed in Excel or LibreOffice is stored as 0,015
        if ind.type != "percent":
            yield fnd.make("percent_in_number", name, value=fmt.percent(value * 100, 2),
                           label=cat.row_label(ind.code, row.part), measure=ind.measure,
                           **where)
            return
        value = round(value * 100, 9)
    if ind.type == "integer" and not value.is_integer():
        yield fnd.make("not_an_integer", name, value=fmt.plain(value),
                       label=cat.row_label(ind.code, row.part), **where)
        return
    high = ind.high
    if value < ind.low or (high is not None and value > high):
        low_text, high_text = _range_text(ind)
        yield fnd.make("out_of_range", name, value=fmt.plain(value), low=low_text,
                       high=high_text, measure=ind.measure, **where)
        return
    yield _passed(wb, ind, row, year, a1, value)


def _number_finding(name: str, code: str, raw: object, value: float | None,
                    where: fnd.Place) -> Finding:
    """The finding of a cell whose number is refused (`code` from _number)."""
    if code == "number_too_long":
        return fnd.make(code, name, value=raw, digits=_significant(_vi_text(str(raw))),
                        **where)
    if code in ("number_not_finite", "number_too_large") and value is not None:
        return fnd.make(code, name, value=fmt.shown(value),
                        limit=fmt.number(MAX_MAGNITUDE), **where)
    return fnd.make(code, name, value=raw, **where)


def _passed(wb: WorkbookSubmission, ind: Indicator, row: RowInfo, year: int, a1: str,
            value: float) -> Value:
    return Value(unit=wb.unit, indicator=ind.code, breakdown=row.part, year=year,
                 value=value, status=row.status, note=row.note, file=wb.file.name,
                 sheet=row.sheet, cell=a1, file_hash=wb.file.sha256)


def check_workbook(cat: Catalogue, wb: WorkbookSubmission) -> FileCheck:
    """Check one workbook alone: catalogue fingerprint, sheets and rows present, every cell,
    every list row, and the rules over the unit's own values. Depends only on the file and
    the catalogue, so read_inputs runs it in its worker and keeps it in the cache."""
    values: list[Value] = []
    found: list[Finding] = []
    for result in _check_workbook(cat, wb):
        if isinstance(result, Value):
            values.append(result)
        else:
            found.append(result)
    entries: list[ListEntry] = []
    for item in _check_lists(cat, wb):
        if isinstance(item, ListEntry):
            entries.append(item)
        else:
            found.append(item)
    if wb.unit in cat.unit_by_code:
        found.extend(check_unit(cat, wb.unit, values))
    return FileCheck.of(values, entries, found)
