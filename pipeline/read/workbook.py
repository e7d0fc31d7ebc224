"""One workbook (.xlsx, .xlsm, .xls, .ods) read with python-calamine (values only, fast): the
metadata sheet, the item sheets found by their row keys, the list sheets. Text is normalised
(NFC, legacy TCVN3/VNI converted, control characters replaced, length capped) and every change
is noted for the unit. Formats, errors and merges come from read/package.py's scan. A cell
python-calamine cannot parse stops its whole sheet: the sheet is then read from a copy of the
package without such cells, each noted at its cell (`_Calamine`).
"""

from __future__ import annotations

import datetime as dt
import io
import math
import re
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, TypedDict

import python_calamine
from openpyxl.utils import get_column_letter

from pipeline.catalogue.layout import (
    CHOICES_SHEET,
    HEADER_KEY,
    LIST_KEY_ROW,
    LIST_MARK,
    META_SHEET,
    NOTE_HEADER,
    STATUS_HEADER,
    split_key,
)
from pipeline.core import findings as fnd
from pipeline.core import fmt
from pipeline.core.findings import Finding
from pipeline.core.legacy import ENCODING_NAMES
from pipeline.core.text import MAX_CELL_CHARS, normalise
from pipeline.read.model import (
    MAX_FILE_CHARS,
    MAX_SHEET_COLS,
    MAX_SHEET_ROWS,
    FileInfo,
    ListRow,
    Raw,
    RawCell,
    RowInfo,
    RowLabel,
    SheetHead,
    StrayRow,
    WorkbookSubmission,
    file_info,
    unit_code,
)
from pipeline.read.package import (
    MAX_FILE_BYTES,
    MISSING_PART,
    ODS_CONTENT,
    OLE_MAGIC,
    Package,
    Refused,
    WrongKind,
    inspect_package,
    sniff,
)
from pipeline.read.salvage import empty_unreadable_cells, empty_unreadable_ods_cells

if TYPE_CHECKING:  # typing_extensions is the type checker's, not installed at run time
    from typing_extensions import Unpack


def _a1(row0: int, col0: int) -> str:
    """A1 address of a 0-based (row, column) of calamine's grid."""
    return f"{get_column_letter(col0 + 1)}{row0 + 1}"


def _plain(value: object) -> str:
    """A key or header cell as text (no notes: these are the form's own cells)."""
    if type(value) is str:
        return value.strip()
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        value = int(value)  # 2019.0 -> "2019"; 1e22 stays "1e+22", not 23 digits
    if isinstance(value, (dt.datetime, dt.date)):
        return value.strftime("%d/%m/%Y")
    return str(value).strip()


class _NoteFields(TypedDict, total=False):
    """What a note carries besides its code: its place, value and message fields."""

    sheet: str
    cell: str
    value: object
    detail: str
    encoding: str
    converted: str
    limit: int


class _Notes:
    """Collects what reading changed, to become findings once the unit is known."""

    def __init__(self, file: str):
        self.file = file
        self.items: list[tuple[str, _NoteFields]] = []
        self.chars = 0  # text kept so far in this file

    def _count(self, text: str) -> str:
        self.chars += len(text)
        if self.chars > MAX_FILE_CHARS:
            raise Refused(fnd.make("file_too_large", self.file,
                                   detail=f"hơn {fmt.number(MAX_FILE_CHARS)} ký tự văn bản"))
        return text

    def add(self, code: str, **kw: Unpack[_NoteFields]) -> None:
        self.items.append((code, kw))

    def text(self, value: object, sheet: str = "", cell: str = "") -> str:
        """A unit's free text, normalised, each change noted against its cell."""
        raw = _plain(value)
        if raw.isascii() and raw.isprintable() and len(raw) <= MAX_CELL_CHARS:
            return self._count(raw)
        text, changes = normalise(raw)
        for change in changes:
            if change in ENCODING_NAMES:
                if change != "nfd":  # NFD is invisible to the unit: fixed silently
                    self.add("text_converted", sheet=sheet, cell=cell, value=raw[:200],
                             encoding=ENCODING_NAMES[change], converted=text[:200])
            elif change == "control":
                self.add("control_chars", sheet=sheet, cell=cell, value=text[:200])
            elif change == "truncated":
                self.add("text_truncated", sheet=sheet, cell=cell, limit=MAX_CELL_CHARS)
        return self._count(text.strip())

    def findings(self, unit: str) -> tuple[Finding, ...]:
        return tuple(fnd.make(code, self.file, unit=unit, **kw)
                     for code, kw in self.items)


def _year(value: object) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)) and float(value).is_integer():
        return int(value)
    if isinstance(value, str) and re.fullmatch(r"\s*\d{4}\s*", value):
        return int(value)
    return None


def read_workbook(path: Path, info: FileInfo | None = None,
                  kind: str | None = None) -> WorkbookSubmission:
    """Read one unit workbook (.xlsx, .xlsm, .xls or .ods, told apart by its bytes); raise
    Refused with a finding when it cannot be used, WrongKind when it is a narrative. The
    file is read once: hashed, checked and parsed from the same bytes."""
    size = info.size if info else path.stat().st_size
    data = path.read_bytes() if size <= MAX_FILE_BYTES else None  # else refused by size
    info = info or file_info(path, data)
    if kind is None:
        head = data or b""
        kind = "xls" if head.startswith(OLE_MAGIC) else "xlsx"
        if _is_odf(head):  # an .ods, or an .odt narrative under a workbook's name
            kind = sniff(head)[0]
            if kind != "ods":
                raise WrongKind(kind)
    part = ODS_CONTENT if kind == "ods" else "xl/workbook.xml"
    package = inspect_package(path, info.name, info.size, part, scan_cells=True, data=data,
                              skip_sheets=(CHOICES_SHEET,))
    notes = _Notes(info.name)
    unit = ""
    if package.has_vba:
        notes.add("macro_ignored")
    for p in package.cell_problems:
        notes.add(p.kind, sheet=p.sheet, cell=p.cell, value=p.text, detail=p.detail)
    # Only calamine's own calls are in a net that blames the file (`_unreadable`); a fault
    # of this module reaches read/files.py, which reports it as this software's.
    book = _Calamine(data or b"", kind, notes, package)
    try:
        if META_SHEET not in book.worksheets:
            raise Refused(fnd.make("not_a_form", info.name))
        meta = _read_meta(book, notes)
        unit = unit_code(meta.get("ma_don_vi", ""))
        if not unit:
            raise Refused(fnd.make("not_a_form", info.name))
        out = _read_sheets(book, notes)
    except Refused as r:
        if r.finding.unit or not unit:
            raise
        raise Refused(replace(r.finding, unit=unit)) from r  # the file is the unit's
    finally:
        book.close()
    return WorkbookSubmission(file=info, unit=unit, meta=meta, sheets=tuple(book.worksheets),
                              rows=tuple(out.rows), cells=tuple(out.cells),
                              notes=notes.findings(unit), lists=tuple(out.lists), kind=kind,
                              heads=tuple(out.heads), strays=tuple(out.strays),
                              loose=tuple(out.loose), others=tuple(out.others),
                              percent_cells=package.percent_cells, merges=tuple(book.merges),
                              labels=tuple(out.labels))


def _read_meta(book: _Calamine, notes: _Notes) -> dict[str, str]:
    """The metadata sheet: key (column A) -> text (column C)."""
    meta: dict[str, str] = {}
    for r0, r in enumerate(book.grid(META_SHEET) or []):
        if len(r) >= 3 and _plain(r[0]):
            meta[_plain(r[0])] = notes.text(r[2], META_SHEET, _a1(r0, 2))
    return meta


def _read_sheets(book: _Calamine, notes: _Notes) -> _SheetsRead:
    """Every sheet but the metadata and list-of-choices sheets: list sheets, item sheets,
    and the count of filled cells of any other sheet."""
    out = _SheetsRead()
    for name in book.worksheets:
        if name in (META_SHEET, CHOICES_SHEET):
            continue
        grid = book.grid(name)
        if grid is None:
            continue
        mark = next((_plain(r[0]) for r in grid[:LIST_KEY_ROW + 2]
                     if r and _plain(r[0]).startswith(LIST_MARK)), "")
        if mark:
            _read_list_sheet(name, mark[len(LIST_MARK):], grid, out, notes)
        elif not _read_item_sheet(name, grid, out, notes):
            filled = sum(1 for r in grid for v in r if v not in ("", None))
            if filled:
                out.others.append((name, filled))
    return out


def _is_odf(data: bytes) -> bool:
    """An OpenDocument file (.ods, .odt) starts with its uncompressed 'mimetype' entry."""
    return data[30:38] == b"mimetype"


class _SheetsRead:
    """What the item and list sheets of one workbook hold, as they are read."""

    def __init__(self) -> None:
        self.rows: list[RowInfo] = []
        self.cells: list[RawCell] = []
        self.heads: list[SheetHead] = []
        self.strays: list[StrayRow] = []
        self.lists: list[ListRow] = []
        self.loose: list[tuple[str, str, Raw]] = []
        self.others: list[tuple[str, int]] = []
        self.labels: list[RowLabel] = []


class _Calamine:
    """python-calamine's view of one workbook: each sheet's cells from A1, within the bounds
    the package scan measured. When calamine refuses a sheet of an .xlsx (or a whole .ods,
    at opening) for one cell it cannot parse, the workbook is opened again, once, from a copy
    of the package whose such cells are emptied (read/salvage.py), each noted at its cell: a
    bad cell costs its own value, never its neighbours'."""

    def __init__(self, data: bytes, kind: str, notes: _Notes, package: Package) -> None:
        self.data, self.kind, self.notes, self.extents = data, kind, notes, package.extents
        self.merges: list[tuple[str, str]] = list(package.merges)
        self.noted = {(p.sheet, p.cell) for p in package.cell_problems}
        self.repaired = False
        self.wb = self._open(data)
        try:
            self.worksheets = [m.name for m in self.wb.sheets_metadata
                               if m.typ == python_calamine.SheetTypeEnum.WorkSheet]
        except Exception as e:  # calamine raises several types; all mean "cannot read"
            self.wb.close()
            raise _unreadable(notes.file, e) from e

    def _open(self, data: bytes) -> python_calamine.CalamineWorkbook:
        try:
            return python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
        except Exception as e:  # calamine raises several types; all mean "cannot read"
            failure = e
        # An .ods is refused whole, at opening, for one value calamine cannot parse.
        fixed = self._salvaged() if self.kind == "ods" else None
        if fixed is None:
            raise _unreadable(self.notes.file, failure) from failure
        try:
            return python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(fixed))
        except Exception as e:  # not a cell's fault after all
            raise _unreadable(self.notes.file, e) from e

    def close(self) -> None:
        self.wb.close()

    def grid(self, name: str) -> Sequence[Sequence[Raw]] | None:
        """The sheet's cells from A1, or None (noted) when its used area is out of bounds.
        The extent comes from the XML scan: calamine builds the whole area before it can be
        asked."""
        rows, cols = self.extents.get(name, (0, 0))
        if (rows, cols) == MISSING_PART:  # a damaged package: the other sheets are read
            self.notes.add("sheet_part_missing", sheet=name)
            return None
        if rows > MAX_SHEET_ROWS or cols > MAX_SHEET_COLS:
            self._too_large(name, rows, cols)
            return None
        sheet = self._sheet(name)
        try:
            height, width = sheet.height, sheet.width
            if height > MAX_SHEET_ROWS or width > MAX_SHEET_COLS:
                grid, ranges = None, None
            else:
                grid = sheet.to_python(skip_empty_area=False)
                ranges = sheet.merged_cell_ranges  # None for .ods: see package
        except Exception as e:  # calamine raises several types; all mean "cannot read"
            raise _unreadable(self.notes.file, e) from e
        if grid is None:
            self._too_large(name, height, width)
            return None
        for (r0, c0), (r1, c1) in ranges or ():
            self.merges.append((name, f"{_a1(r0, c0)}:{_a1(r1, c1)}"))
        return grid

    def _sheet(self, name: str) -> python_calamine.CalamineSheet:
        try:
            return self.wb.get_sheet_by_name(name)
        except Exception as e:  # calamine raises several types; all mean "cannot read"
            failure = e
        if not self._repair():  # outside the net: a fault there is this software's
            raise _unreadable(self.notes.file, failure) from failure
        try:
            return self.wb.get_sheet_by_name(name)
        except Exception as e:  # not a cell's fault after all
            raise _unreadable(self.notes.file, e) from e

    def _repair(self) -> bool:
        """Reopen an .xlsx from a copy without the values calamine cannot parse (it refused
        a sheet); False when there is none: the sheet is then unreadable."""
        if self.kind != "xlsx" or (data := self._salvaged()) is None:
            return False
        self.wb.close()
        self.wb = self._open(data)
        return True

    def _salvaged(self) -> bytes | None:
        """The package without the values calamine cannot parse, each noted at its cell
        (read/salvage.py); None when there is none, or when it was tried already."""
        if self.repaired:
            return None
        self.repaired = True
        if self.kind == "ods":
            data, problems = empty_unreadable_ods_cells(self.data)
        else:
            data, problems = empty_unreadable_cells(self.data, skip_sheets=(CHOICES_SHEET,))
        if data is self.data:  # nothing calamine could stumble on
            return None
        for p in problems:
            if (p.sheet, p.cell) not in self.noted:  # "#SPILL!": noted by the scan already
                self.notes.add(p.kind, sheet=p.sheet, cell=p.cell, value=p.text,
                               detail=p.detail)
        return data

    def _too_large(self, name: str, rows: int, cols: int) -> None:
        self.notes.add("sheet_too_large", sheet=name,
                       detail=f"{fmt.number(rows)} dòng × {fmt.number(cols)} cột; giới hạn "
                              f"{fmt.number(MAX_SHEET_ROWS)} dòng × "
                              f"{fmt.number(MAX_SHEET_COLS)} cột")


def _unreadable(name: str, e: Exception) -> Refused:
    """The file could not be parsed: `file_unreadable`, naming the parser's error."""
    return Refused(fnd.make("file_unreadable", name,
                            detail=f"{type(e).__name__}: {str(e)[:200]}"))


def _read_list_sheet(name: str, code: str, grid: Sequence[Sequence[Raw]], out: _SheetsRead,
                     notes: _Notes) -> None:
    key_row = next(i for i, r in enumerate(grid) if r and _plain(r[0]).startswith(LIST_MARK))
    columns = {c: _plain(v) for c, v in enumerate(grid[key_row]) if c > 0 and _plain(v)}
    for r0 in range(key_row + 2, len(grid)):
        r = grid[r0]
        rest = r[1:]  # column A holds the row's number
        if rest.count("") + rest.count(None) == len(rest):  # an empty row (most are)
            continue
        for c in range(1, len(r)):
            if c not in columns and r[c] not in ("", None):  # typed beside the list
                raw = notes.text(r[c], name, _a1(r0, c)) if isinstance(r[c], str) else r[c]
                if raw != "":
                    out.loose.append((name, _a1(r0, c), raw))
        found = []
        for c, col in columns.items():
            raw = r[c] if c < len(r) else ""
            if isinstance(raw, str):
                raw = notes.text(raw, name, _a1(r0, c)) if raw.strip() else ""
            found.append((col, _a1(r0, c), raw))
        if any(v not in ("", None) for _, _, v in found):
            first = r[0] if r else None  # the row's number as shown (NaN, 1e22: not one)
            if isinstance(first, (int, float)) and math.isfinite(first) and abs(first) < 1e9:
                number = int(first)
            else:
                number = r0 - key_row - 1
            out.lists.append(ListRow(code, name, r0 + 1, number, tuple(found)))


def _read_item_sheet(name: str, grid: Sequence[Sequence[Raw]], out: _SheetsRead,
                     notes: _Notes) -> bool:
    """Read a sheet whose header row has HEADER_KEY in column A; False when it has none.
    Every non-empty cell below the header is kept: keyed rows' cells right of the labels
    (validation tells years from the form's layout), and rows without a key as strays."""
    header_row = next((i for i, r in enumerate(grid) if r and _plain(r[0]) == HEADER_KEY), None)
    if header_row is None:
        return False
    head = tuple((c, _plain(v)) for c, v in enumerate(grid[header_row]) if _plain(v))
    out.heads.append(SheetHead(name, header_row + 1, head))
    labels = {text: c for c, text in head}
    sheet = _ItemSheet(name, notes, labels.get(STATUS_HEADER), labels.get(NOTE_HEADER),
                       [get_column_letter(c + 1) for c in range(max(len(r) for r in grid))])
    for r0 in range(header_row + 1, len(grid)):
        r = grid[r0]
        key = _plain(r[0]) if r else ""
        if key:
            sheet.keyed_row(r, r0 + 1, key, out)
        else:
            sheet.stray_row(r, r0 + 1, out)
    return True


class _ItemSheet:
    """How to read the rows of one item sheet: its name, its status and note columns (found
    by their header), and the column letters."""

    def __init__(self, name: str, notes: _Notes, status_col: int | None,
                 note_col: int | None, letters: list[str]) -> None:
        self.name, self.notes, self.letters = name, notes, letters
        self.status_col, self.note_col = status_col, note_col

    def _text(self, r: Sequence[Raw], row: int, col: int | None) -> str:
        if col is None or col >= len(r):
            return ""
        return self.notes.text(r[col], self.name, f"{self.letters[col]}{row}")

    def keyed_row(self, r: Sequence[Raw], row: int, key: str, out: _SheetsRead) -> None:
        """A row with a key: its status and note, and each non-empty cell right of the
        labels (a number in the unit-of-measure column D is kept too)."""
        name, letters, skip = self.name, self.letters, (self.status_col, self.note_col)
        indicator, part = split_key(key)
        status_cell = f"{letters[self.status_col]}{row}" if self.status_col is not None else ""
        out.rows.append(RowInfo(name, row, indicator, part, self._text(r, row, self.status_col),
                                self._text(r, row, self.note_col), status_cell))
        out.labels.append(RowLabel(name, row, self._text(r, row, 1), self._text(r, row, 2)))
        cells = out.cells
        for c in range(3, len(r)):
            raw = r[c]
            if raw == "" or raw is None or c in skip:
                continue
            if type(raw) is str:
                if c == 3:  # the measure label ("triệu đồng")
                    continue
                raw = self.notes.text(raw, name, f"{letters[c]}{row}")
                if not raw:
                    continue
            cells.append(RawCell(name, f"{letters[c]}{row}", indicator, part, row, c, raw))

    def stray_row(self, r: Sequence[Raw], row: int, out: _SheetsRead) -> None:
        """A row without a key: kept as a stray when it holds anything."""
        found = []
        for c in range(1, len(r)):
            raw = r[c]
            if type(raw) is str:
                raw = self.notes.text(raw, self.name, f"{self.letters[c]}{row}") \
                    if raw.strip() else ""
            if raw != "" and raw is not None:
                found.append((c, raw))
        if found:
            out.strays.append(StrayRow(self.name, row, tuple(found)))
