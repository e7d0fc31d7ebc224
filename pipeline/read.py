"""Read: every file in inputs/ into plain submissions, with what reading found.

Before any parser sees a file, package.py checks it (kind, zip limits, DOCTYPE, macro sheets)
and scans its sheet XML for formulas without a cached value and error cells. Workbooks are
then read with python-calamine (values only, fast); narratives with python-docx. Text is
normalised (NFC, legacy TCVN3/VNI converted, control characters replaced, length capped) and
every change is noted for the unit.

Files are read in worker processes with a time and memory limit, two at a time by default
(a few files per task): a crafted file that hangs a parser or exhausts memory costs its own
finding, never the run. A file that cannot be read becomes a finding naming it; it never
stops the other files. Reading reports what is in a file and judges nothing; read_inputs runs
the check it is given (validate.check_workbook) in the same worker, and with a cache
(cache.py) skips the files read and checked before.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import gc
import hashlib
import io
import multiprocessing
import os
import re
import resource
import tempfile
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple, TypedDict

import python_calamine
from openpyxl.utils import get_column_letter

from . import findings as fnd
from .findings import Finding
from .layout import (
    CHOICES_SHEET,
    HEADER_KEY,
    LIST_KEY_ROW,
    LIST_MARK,
    META_SHEET,
    NOTE_HEADER,
    STATUS_HEADER,
    split_key,
)
from .legacy import ENCODING_NAMES
from .package import (
    CONVERTIBLE_KINDS,
    KIND_NAMES,
    MAX_FILE_BYTES,
    ODS_CONTENT,
    OLE_MAGIC,
    WORKBOOK_KINDS,
    Refused,
    WrongKind,
    head_bytes,
    inspect_package,
    refusal,
    sniff,
)
from .text import MAX_CELL_CHARS, normalise

if TYPE_CHECKING:  # validate imports this module: its types are for the type checker only
    from docx.document import Document as DocxDocument
    from typing_extensions import Unpack

    from .cache import ResultCache
    from .validate import FileCheck

MAX_SHEET_ROWS = 5_000  # a form sheet has ~50 rows
MAX_FILE_CHARS = 2_000_000  # text kept from one file (shared-string amplification)
MAX_SHEET_COLS = 200  # and ~20 columns
FILE_TIMEOUT_S = 60.0  # per file, in a worker
WORKER_MEMORY_MB = 1_024  # address space a worker may add while reading one file


# A cell as python-calamine returns it (the reader keeps text normalised, see _Notes.text).
Raw = int | float | str | bool | dt.time | dt.date | dt.datetime | dt.timedelta


@dataclass(frozen=True)
class FileInfo:
    path: Path  # where it was read
    name: str  # file name shown to users
    sha256: str  # content hash, hex
    size: int  # bytes
    modified: dt.datetime  # file modification time (local)


class RawCell(NamedTuple):
    """One non-empty cell of a keyed row, right of the label columns (NamedTuple: one per
    cell, see Value). Which year it holds is for validation to say, from the form's layout."""

    sheet: str  # item sheet name
    cell: str  # A1 address
    indicator: str  # indicator code from column A
    part: str  # breakdown part, or TOTAL
    row: int  # 1-based row
    col: int  # 0-based column
    raw: Raw  # as calamine returned it: float, int, str (normalised), bool or date


class SheetHead(NamedTuple):
    """The header row of an item sheet (the row whose column A reads HEADER_KEY)."""

    sheet: str
    row: int  # 1-based row number
    cells: tuple[tuple[int, str], ...]  # (0-based column, text) of each non-empty header cell


class StrayRow(NamedTuple):
    """A row of an item sheet below the header with content but no row key: a row the unit
    inserted or added. Nothing in it belongs to the form."""

    sheet: str
    row: int  # 1-based row number
    cells: tuple[tuple[int, Raw], ...]  # (0-based column, raw) of its non-empty cells


class RowInfo(NamedTuple):
    """One keyed row of an item sheet, with its status and note."""

    sheet: str
    row: int  # 1-based row number
    indicator: str
    part: str
    status: str  # "Tính chất số liệu" dropdown value
    note: str  # "Nguồn số liệu, ghi chú"
    status_cell: str = ""  # A1 address of the status cell


@dataclass(frozen=True)
class ListRow:
    list: str  # list input code
    sheet: str
    row: int  # 1-based row number in the sheet
    number: int  # the row's STT (1, 2, ...) as shown to the unit
    cells: tuple[tuple[str, str, Raw], ...]  # (column code, A1, raw value)


@dataclass(frozen=True)
class WorkbookSubmission:
    file: FileInfo
    unit: str  # unit code from the metadata sheet, upper case, spaces removed
    meta: Mapping[str, str]  # metadata sheet: key -> text
    sheets: tuple[str, ...]  # sheet names in the file
    rows: tuple[RowInfo, ...]  # keyed rows found in item sheets (() once checked, see Inputs)
    cells: tuple[RawCell, ...]  # non-empty cells of keyed rows, right of the labels (idem)
    notes: tuple[Finding, ...] = ()  # what reading found or changed (formulas, legacy text...)
    lists: tuple[ListRow, ...] = ()  # filled rows of the list sheets
    kind: str = "xlsx"  # "xlsx" (also .xlsm), "xls" or "ods", from the file's bytes
    heads: tuple[SheetHead, ...] = ()  # header row of each item sheet (() once checked)
    strays: tuple[StrayRow, ...] = ()  # unkeyed rows with content in item sheets (idem)
    loose: tuple[tuple[str, str, Raw], ...] = ()  # (sheet, A1, raw) outside list columns
    others: tuple[tuple[str, int], ...] = ()  # (sheet, non-empty cells) of unknown sheets
    percent_cells: frozenset[tuple[str, str]] = frozenset()  # (sheet, A1) shown as percent
    merges: tuple[tuple[str, str], ...] = ()  # (sheet, "E6:F6") merged ranges

    @property
    def is_sample(self) -> bool:
        return self.meta.get("du_lieu_mau", "").strip().lower() in ("có", "co", "yes")

    @property
    def sent(self) -> dt.date:
        """'Ngày gửi' written in the metadata sheet, else the file's modification date."""
        return parse_date(self.meta.get("ngay_gui", "")) or self.file.modified.date()


@dataclass(frozen=True)
class NarrativeSection:
    heading: str  # the heading as written ("" for text before the first heading)
    item: str  # content item code, e.g. "I.2"; "" when the heading has no known number
    subtopic: int  # 0 for the item itself, else the sub-topic number
    paragraphs: tuple[str, ...]  # NFC text, one entry per paragraph


@dataclass(frozen=True)
class NarrativeSubmission:
    file: FileInfo
    unit: str
    sections: tuple[NarrativeSection, ...]
    notes: tuple[Finding, ...] = ()  # text converted from legacy encodings, and the like


@dataclass(frozen=True)
class Inputs:
    workbooks: tuple[WorkbookSubmission, ...] = ()
    narratives: tuple[NarrativeSubmission, ...] = ()
    files: tuple[FileInfo, ...] = ()  # every file considered, read or not
    findings: tuple[Finding, ...] = ()  # file-level problems found while reading
    skipped: tuple[str, ...] = field(default=())  # Vietnamese lines: files passed over and why
    # What `check` gave for each workbook, by file name, when read_inputs was given one;
    # those workbooks then come without their rows and cells (the check has used them).
    checks: Mapping[str, FileCheck] = field(default_factory=dict)
    cached: int = 0  # files whose result came from the cache


def parse_date(text: str) -> dt.date | None:
    """dd/mm/yyyy (also with . or -) as typed in a form; None when it is not a real date."""
    m = re.fullmatch(r"\s*(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})\s*", text or "")
    if not m:
        return None
    try:
        return dt.date(int(m.group(3)), int(m.group(2)), int(m.group(1)))
    except ValueError:
        return None


def file_info(path: Path, data: bytes | None = None) -> FileInfo:
    """Name, hash, size and time of a file (`data`: its content, when already read)."""
    stat = path.stat()
    if data is not None:
        digest = hashlib.sha256(data).hexdigest()
    else:
        h = hashlib.sha256()
        with path.open("rb") as fh:
            for chunk in iter(lambda: fh.read(1 << 20), b""):
                h.update(chunk)
        digest = h.hexdigest()
    return FileInfo(path=path, name=path.name, sha256=digest,
                    size=len(data) if data is not None else stat.st_size,
                    modified=dt.datetime.fromtimestamp(stat.st_mtime).replace(microsecond=0))


def _a1(row0: int, col0: int) -> str:
    """A1 address of a 0-based (row, column) of calamine's grid."""
    return f"{get_column_letter(col0 + 1)}{row0 + 1}"


def _plain(value: object) -> str:
    """A key or header cell as text (no notes: these are the form's own cells)."""
    if type(value) is str:
        return value.strip()
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
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
                                   detail=f"hơn {MAX_FILE_CHARS:,} ký tự văn bản"))
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


def unit_code(text: str) -> str:
    """A unit code as typed: case and spaces do not matter ("khtc ", "K HTC" -> "KHTC")."""
    return re.sub(r"\s+", "", text).upper()


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
        notes.add(p.kind, sheet=p.sheet, cell=p.cell, value=p.text)
    try:
        wb = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data or b""))
        try:
            worksheets = [m.name for m in wb.sheets_metadata
                          if m.typ == python_calamine.SheetTypeEnum.WorkSheet]
            if META_SHEET not in worksheets:
                raise Refused(fnd.make("not_a_form", info.name))
            merges: list[tuple[str, str]] = list(package.merges)
            meta = _read_meta(wb, notes, package.extents, merges)
            unit = unit_code(meta.get("ma_don_vi", ""))
            if not unit:
                raise Refused(fnd.make("not_a_form", info.name))
            out = _read_sheets(wb, worksheets, notes, package.extents, merges)
        finally:
            wb.close()
    except Refused as r:
        if r.finding.unit or not unit:
            raise
        raise Refused(replace(r.finding, unit=unit)) from r  # the file is the unit's
    except Exception as e:  # calamine raises several types; all mean "cannot read"
        raise Refused(fnd.make("file_unreadable", info.name, unit=unit,
                               detail=f"{type(e).__name__}: {str(e)[:200]}")) from e
    return WorkbookSubmission(file=info, unit=unit, meta=meta, sheets=tuple(worksheets),
                              rows=tuple(out.rows), cells=tuple(out.cells),
                              notes=notes.findings(unit), lists=tuple(out.lists), kind=kind,
                              heads=tuple(out.heads), strays=tuple(out.strays),
                              loose=tuple(out.loose), others=tuple(out.others),
                              percent_cells=package.percent_cells, merges=tuple(merges))


def _read_meta(wb: python_calamine.CalamineWorkbook, notes: _Notes,
               extents: dict[str, tuple[int, int]], merges: list[tuple[str, str]]
               ) -> dict[str, str]:
    """The metadata sheet: key (column A) -> text (column C)."""
    meta: dict[str, str] = {}
    for r0, r in enumerate(_grid(wb, META_SHEET, notes, extents, merges) or []):
        if len(r) >= 3 and _plain(r[0]):
            meta[_plain(r[0])] = notes.text(r[2], META_SHEET, _a1(r0, 2))
    return meta


def _read_sheets(wb: python_calamine.CalamineWorkbook, worksheets: list[str], notes: _Notes,
                 extents: dict[str, tuple[int, int]], merges: list[tuple[str, str]]
                 ) -> _SheetsRead:
    """Every sheet but the metadata and list-of-choices sheets: list sheets, item sheets,
    and the count of filled cells of any other sheet."""
    out = _SheetsRead()
    for name in worksheets:
        if name in (META_SHEET, CHOICES_SHEET):
            continue
        grid = _grid(wb, name, notes, extents, merges)
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


def _grid(wb: python_calamine.CalamineWorkbook, name: str, notes: _Notes,
          extents: dict[str, tuple[int, int]], merges: list[tuple[str, str]]
          ) -> Sequence[Sequence[Raw]] | None:
    """The sheet's cells from A1, or None (noted) when its used area is out of bounds. The
    extent comes from the XML scan: calamine builds the whole area before it can be asked."""
    rows, cols = extents.get(name, (0, 0))
    if rows > MAX_SHEET_ROWS or cols > MAX_SHEET_COLS:
        notes.add("sheet_too_large", sheet=name, detail=f"{rows:,} dòng × {cols:,} cột")
        return None
    sheet = wb.get_sheet_by_name(name)
    if sheet.height > MAX_SHEET_ROWS or sheet.width > MAX_SHEET_COLS:
        notes.add("sheet_too_large", sheet=name,
                  detail=f"{sheet.height:,} dòng × {sheet.width:,} cột")
        return None
    for (r0, c0), (r1, c1) in sheet.merged_cell_ranges or ():  # None for .ods: see package
        merges.append((name, f"{_a1(r0, c0)}:{_a1(r1, c1)}"))
    return sheet.to_python(skip_empty_area=False)


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
            number = r[0] if r and isinstance(r[0], (int, float)) else r0 - key_row - 1
            out.lists.append(ListRow(code, name, r0 + 1, int(number), tuple(found)))


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


# --- narratives ----------------------------------------------------------------------------
_HEADING = re.compile(r"^\s*((?:IV|II|I)(?:\.(?:\d+|DG))?)(?:\.(\d+))?\.?\s")


def read_narrative(path: Path, info: FileInfo | None = None) -> NarrativeSubmission:
    """Read one narrative .docx: unit code from its first table, text under each heading."""
    from docx import Document  # python-docx costs ~0.2 s to import; only narratives need it

    info = info or file_info(path)
    inspect_package(path, info.name, info.size, "word/document.xml")
    notes = _Notes(info.name)
    try:
        doc = Document(str(path))
        unit = unit_code(_narrative_code(doc))
        if not unit:
            raise Refused(fnd.make("narrative_not_form", info.name))
        if len(doc.tables) > 1:  # the first is the form's own unit table
            notes.add("narrative_table", value=len(doc.tables) - 1)
        body = doc.element.body
        pictures = sum(1 for el in body.iter() if isinstance(el.tag, str)
                       and el.tag.rsplit("}", 1)[-1] in ("drawing", "pict", "object"))
        if pictures:
            notes.add("narrative_image", value=pictures)
        sections = _narrative_sections(doc, notes)
    except Refused:
        raise
    except Exception as e:  # python-docx / lxml errors on damaged files
        raise Refused(fnd.make("file_unreadable", info.name,
                               detail=f"{type(e).__name__}: {str(e)[:200]}")) from e
    return NarrativeSubmission(file=info, unit=unit, sections=tuple(sections),
                               notes=notes.findings(unit))


def _narrative_code(doc: DocxDocument) -> str:
    """The unit code written in the form's first table ("Mã đơn vị" row), as typed."""
    unit = ""
    if doc.tables:
        for row in doc.tables[0].rows:
            cells = row.cells
            if len(cells) >= 2 and _plain(cells[0].text) == "Mã đơn vị":
                unit = _plain(cells[1].text)
    return unit


def _narrative_sections(doc: DocxDocument, notes: _Notes) -> list[NarrativeSection]:
    """The text under each heading, hints left out; a heading's number names its item."""
    sections: list[NarrativeSection] = []
    current: tuple[str, str, int] = ("", "", 0)  # heading, item, subtopic
    paragraphs: list[str] = []
    for n, p in enumerate(doc.paragraphs, start=1):
        style = p.style.name if p.style is not None else ""
        text = notes.text(p.text, "", f"đoạn {n}")
        if style.startswith(("Heading", "Title")):
            if paragraphs:
                sections.append(NarrativeSection(*current, tuple(paragraphs)))
            m = _HEADING.match(text + " ")
            paragraphs = []
            current = (text, m.group(1), int(m.group(2) or 0)) if m else (text, "", 0)
        elif text and style != "Hướng dẫn":
            paragraphs.append(text)
    if paragraphs:
        sections.append(NarrativeSection(*current, tuple(paragraphs)))
    return sections


# --- the inputs folder ---------------------------------------------------------------------
WORKBOOK_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".ods")
NARRATIVE_SUFFIXES = (".docx", ".doc", ".odt", ".rtf")
Result = WorkbookSubmission | NarrativeSubmission | Finding


def narrative_unit(path: Path, info: FileInfo | None = None) -> NarrativeSubmission:
    """Identify a narrative (its unit code) without python-docx: the package checks, then the
    first table of word/document.xml, streamed. Sections are not read."""
    import xml.etree.ElementTree as ET
    import zipfile

    info = info or file_info(path)
    inspect_package(path, info.name, info.size, "word/document.xml")
    w = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
    unit = ""
    try:
        with zipfile.ZipFile(path) as zf, zf.open("word/document.xml") as fh:
            for _event, el in ET.iterparse(fh, events=("end",)):
                if el.tag == f"{w}tbl":
                    for row in el.iter(f"{w}tr"):
                        cells = ["".join(t.text or "" for t in tc.iter(f"{w}t")).strip()
                                 for tc in row.iter(f"{w}tc")]
                        if len(cells) >= 2 and cells[0] == "Mã đơn vị":
                            unit = cells[1]
                    break
    except (zipfile.BadZipFile, ET.ParseError, KeyError) as e:
        raise Refused(fnd.make("file_unreadable", info.name,
                               detail=f"{type(e).__name__}: {str(e)[:200]}")) from e
    unit = unit_code(unit)
    if not unit:
        raise Refused(fnd.make("narrative_not_form", info.name))
    return NarrativeSubmission(file=info, unit=unit, sections=())


def read_file(path: Path, full_narratives: bool = True, info: FileInfo | None = None,
              converted: Path | None = None) -> Result:
    """One file: its submission, or a finding naming it. Never raises on the file's content.

    The suffix only says what to try first; the bytes decide (a workbook named .docx is read
    as a workbook). `converted`: the .docx LibreOffice made of this .doc/.odt/.rtf file."""
    name = path.name
    try:
        if converted is not None:
            return _narrative(converted, full_narratives, info or file_info(path),
                              converted_from=path)
        suffix = path.suffix.lower()
        if suffix in WORKBOOK_SUFFIXES:
            first = "xlsx"
        elif suffix == ".docx":
            first = "docx"
        else:
            first, detail = sniff(_all_bytes(path), suffix)
            if first not in (*WORKBOOK_KINDS, "docx", *CONVERTIBLE_KINDS):
                return refusal(first, detail, name)
        try:
            return _read_kind(path, first, full_narratives, info)
        except WrongKind as w:
            return _read_kind(path, w.kind, full_narratives, info)
    except WrongKind as w:  # named one kind, holding another that is not read here
        return fnd.make("file_not_office", name, detail=w.kind)
    except Refused as r:
        return r.finding
    except MemoryError:
        return fnd.make("file_too_large", name, detail="vượt giới hạn bộ nhớ khi đọc")
    except Exception as e:  # parsers' own errors became findings above: this is a fault
        return fnd.make("internal_error", name, step="đọc",  # of this software
                        detail=f"{type(e).__name__}: {str(e)[:200]}")


def _read_kind(path: Path, kind: str, full_narratives: bool, info: FileInfo | None) -> Result:
    if kind in WORKBOOK_KINDS:
        return read_workbook(path, info, None if kind == "xlsx" else kind)
    if kind == "docx":
        return _narrative(path, full_narratives, info)
    if kind in CONVERTIBLE_KINDS:  # not converted: LibreOffice is missing (or was not asked)
        return fnd.make("file_legacy_doc", path.name, format=KIND_NAMES[kind])
    return refusal(kind, "", path.name)


def _narrative(path: Path, full: bool, info: FileInfo | None,
               converted_from: Path | None = None) -> NarrativeSubmission:
    if converted_from is not None and info is not None:
        sub = read_narrative(path, info) if full else narrative_unit(path, info)
        kind = converted_from.suffix.lower().lstrip(".")
        note = fnd.make("file_converted", info.name, unit=sub.unit,
                        format=KIND_NAMES.get(kind, kind))
        return replace(sub, notes=(note, *sub.notes))
    return read_narrative(path, info) if full else narrative_unit(path, info)


def _all_bytes(path: Path) -> bytes:
    size = path.stat().st_size
    if size > MAX_FILE_BYTES:
        raise Refused(fnd.make("file_too_large", path.name,
                               detail=f"{size:,} byte > {MAX_FILE_BYTES:,}"))
    return path.read_bytes()


def needs_conversion(path: Path) -> str:
    """The kind ("doc", "odt", "rtf") of a narrative LibreOffice must turn into .docx before
    it can be read, or "" — decided by the bytes, whatever the name says."""
    try:
        head = head_bytes(path)
        if head.startswith(OLE_MAGIC) or _is_odf(head) or head.startswith(b"{\\rtf"):
            kind, _ = sniff(_all_bytes(path))
            return kind if kind in CONVERTIBLE_KINDS else ""
    except (OSError, Refused):
        return ""  # read_file says what is wrong with it
    return ""


def _vm_size() -> int:
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("VmSize:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass  # no /proc (not Linux): no memory limit, said by returning 0
    return 0


Check = Callable[[WorkbookSubmission], "FileCheck"]  # validate.check_workbook, partly applied
Outcome = tuple[Result, "FileCheck | None"]  # a file's result, what `check` gave (None: not run)
Cached = tuple[WorkbookSubmission | NarrativeSubmission, "FileCheck | None"]  # what is cached
_check: Check | None = None  # set in each worker by _worker_init (inherited through fork)


Job = tuple[Path, "FileInfo | None", "Path | None"]  # a file, its info, its .docx conversion


def _read_and_check(path: Path, full_narratives: bool, info: FileInfo | None,
                    check: Check | None, converted: Path | None = None) -> Outcome:
    result = read_file(path, full_narratives, info, converted)
    if check is None or not isinstance(result, WorkbookSubmission):
        return result, None
    try:
        checked = check(result)
    except Exception as e:  # a fault of this software, never the unit's: said as such
        return fnd.make("internal_error", path.name, step="kiểm tra",
                        detail=f"{type(e).__name__}: {str(e)[:200]}"), None
    return replace(result, rows=(), cells=(), heads=(), strays=(), loose=()), checked


def _worker_init(memory_mb: int, check: Check | None) -> None:
    """Cap the worker's address space (what it has now plus `memory_mb`); keep `check`."""
    global _check
    _check = check
    # The heap inherited through fork (catalogue, libraries) is never garbage: keep the
    # collector from walking it again and again while files are read (and from touching,
    # hence copying, its pages). Collection itself is on (the parent pauses its own while it
    # waits): a python-docx document is a web of cycles, freed only by the collector.
    gc.freeze()
    gc.enable()
    if memory_mb > 0 and (current := _vm_size()):
        limit = current + memory_mb * 1024 * 1024
        _soft, hard = resource.getrlimit(resource.RLIMIT_AS)
        if hard == resource.RLIM_INFINITY or hard > limit:
            resource.setrlimit(resource.RLIMIT_AS, (limit, hard))


def _read_chunk(job: tuple[list[Job], bool]) -> list[tuple[Path, Outcome]]:
    files, full_narratives = job
    return [(p, _read_and_check(p, full_narratives, info, _check, conv))
            for p, info, conv in files]


def _read_in_workers(files: list[Job], workers: int, timeout_s: float,
                     memory_mb: int, full_narratives: bool = True, check: Check | None = None
                     ) -> tuple[dict[Path, Outcome], list[Path]]:
    """Read in a pool, a few files per task; stop waiting when no task finished for
    timeout_s. Returns the outcomes and the files left unfinished (in a task that was
    running when the pool was stopped, or queued behind it)."""
    ctx = multiprocessing.get_context("fork")
    done: dict[Path, Outcome] = {}
    if full_narratives and any(p.suffix.lower() in NARRATIVE_SUFFIXES for p, _, _ in files):
        import docx  # noqa: F401  # imported once here, not once in each worker (~0,1 s)
    # Small tasks keep both workers busy to the end; more than one file per task saves the
    # round trip through the pool (~0,1 ms a task).
    size = max(1, min(16, len(files) // (workers * 8)))
    chunks = [(files[i:i + size], full_narratives) for i in range(0, len(files), size)]
    pool = ctx.Pool(min(workers, len(chunks)), _worker_init, (memory_mb, check))
    try:
        results = pool.imap_unordered(_read_chunk, chunks)
        for _ in chunks:
            try:
                done.update(results.next(timeout=timeout_s))
            except multiprocessing.TimeoutError:
                break
    finally:
        pool.terminate()
        pool.join()
    return done, [p for p, _, _ in files if p not in done]


def _cache_key(info: FileInfo, kind: str) -> str:
    return f"{info.sha256}:{kind}:{info.name}"


@contextlib.contextmanager
def _no_collection() -> Iterator[None]:
    """Garbage collection paused: results arrive by the thousand (unpickled from workers or
    from the cache) and hold no cycles, but every few hundred objects the collector would walk
    the whole heap again (a build's heap holds pandas and the documents)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def read_inputs(inputs_dir: Path, workers: int | None = None,
                timeout_s: float = FILE_TIMEOUT_S, memory_mb: int = WORKER_MEMORY_MB,
                progress: Callable[[str], None] | None = None,
                full_narratives: bool = True, check: Check | None = None,
                cache: ResultCache | None = None) -> Inputs:
    """Read every workbook and narrative in inputs_dir, in name order; a file inside a
    subfolder is named with a finding, not read.

    workers=0 reads in this process (no time or memory limit); by default files are read in
    up to two worker processes, each file within `timeout_s` and `memory_mb`. `check`, when
    given, runs on each workbook right after reading, in the same worker (validate's
    check_workbook: the per-file half of validation); its results are in Inputs.checks.
    With a `cache`, files read and checked before (same content, name and context) are not
    read again, and what is read is kept for the next run.
    """
    paths, skipped, nested = _list_inputs(inputs_dir)
    for path in _still_copying(paths):
        paths.remove(path)
        skipped.append(f"Bỏ qua '{path.name}': tệp đang được chép vào (kích thước còn thay "
                       "đổi); chạy lại sau ít phút.")
    read = read_files(paths, workers, timeout_s, memory_mb, progress, full_narratives, check,
                      cache)
    return replace(read, findings=read.findings + tuple(nested), skipped=tuple(skipped))


def _list_inputs(inputs_dir: Path) -> tuple[list[Path], list[str], list[Finding]]:
    """The files to read, the lines saying what was passed over, and a finding for each file
    in a subfolder."""
    skipped: list[str] = []
    paths: list[Path] = []
    nested: list[Finding] = []
    for path in sorted(inputs_dir.iterdir()):
        name = path.name
        if path.is_dir() and not path.is_symlink():
            nested.extend(_nested_files(inputs_dir, path))
        elif not path.is_file():
            continue
        elif name.startswith(("~$", ".~lock.")):
            skipped.append(f"Bỏ qua '{name}': tệp khóa tạm của Excel/Word/LibreOffice (tệp "
                           "gốc đang mở).")
        elif not (name.startswith(".") or name.lower() in ("readme.md", "readme.txt")):
            paths.append(path)
    return paths, skipped, nested


def read_files(paths: list[Path], workers: int | None = None,
               timeout_s: float = FILE_TIMEOUT_S, memory_mb: int = WORKER_MEMORY_MB,
               progress: Callable[[str], None] | None = None,
               full_narratives: bool = True, check: Check | None = None,
               cache: ResultCache | None = None) -> Inputs:
    """Read the given files as read_inputs does (conversion of .doc/.odt, workers with time
    and memory limits, cache); `make check` reads one file this way."""
    if workers is None:
        workers = min(2, os.cpu_count() or 1)

    infos: dict[Path, FileInfo | None] = dict.fromkeys(paths)  # None: the worker hashes it
    if cache is not None:  # the hash finds the entry; the workers get it with the file
        for p in paths:
            with contextlib.suppress(OSError):  # gone or unreadable: read_file says so
                infos[p] = file_info(p)
    kinds = {p: _cache_kind(p, full_narratives, check) for p in paths}
    outcomes: dict[Path, Outcome] = {}
    with _no_collection():  # results arrive by the thousand: see _no_collection
        if cache is not None:
            _from_cache(cache, infos, kinds, outcomes)
        from_cache = len(outcomes)
        with tempfile.TemporaryDirectory(prefix="khcn-doc-") as work:
            converted = _convert_narratives([p for p in paths if p not in outcomes],
                                            Path(work), outcomes, progress)
            todo: list[Job] = [(p, infos[p], converted.get(p)) for p in paths
                               if p not in outcomes]
            _read_todo(todo, outcomes, workers, timeout_s, memory_mb, full_narratives, check,
                       progress)
    if cache is not None:
        _to_cache(cache, [p for p, _info, _conv in todo], infos, kinds, outcomes)

    files: list[FileInfo] = []
    checks: dict[str, FileCheck] = {}
    for p in paths:
        result, checked = outcomes[p]
        if isinstance(result, (WorkbookSubmission, NarrativeSubmission)):
            files.append(result.file)
        else:
            with contextlib.suppress(OSError):
                files.append(infos[p] or file_info(p))
        if isinstance(result, WorkbookSubmission) and checked is not None:
            checks[result.file.name] = checked
    results = [outcomes[p][0] for p in paths]
    return Inputs(
        workbooks=tuple(r for r in results if isinstance(r, WorkbookSubmission)),
        narratives=tuple(r for r in results if isinstance(r, NarrativeSubmission)),
        files=tuple(files),
        findings=tuple(r for r in results if isinstance(r, Finding)), checks=checks,
        cached=from_cache)


def _from_cache(cache: ResultCache, infos: Mapping[Path, FileInfo | None],
                kinds: Mapping[Path, str], outcomes: dict[Path, Outcome]) -> None:
    """Put in `outcomes` what the cache holds for these files."""
    keys = {_cache_key(i, kinds[p]): (p, i) for p, i in infos.items() if i and kinds[p]}
    for key, (result, checked) in cache.get_many(keys).items():
        p, info = keys[key]
        outcomes[p] = (replace(result, file=info), checked)  # this run's file times


def _to_cache(cache: ResultCache, read: list[Path], infos: Mapping[Path, FileInfo | None],
              kinds: Mapping[Path, str], outcomes: Mapping[Path, Outcome]) -> None:
    """Keep in the cache what was read (and checked) of these files, when it is kept."""
    fresh: dict[str, Cached] = {}
    for p in read:
        result, checked = outcomes[p]
        info = infos[p]
        if info and kinds[p] and isinstance(result, (WorkbookSubmission,
                                                      NarrativeSubmission)):
            fresh[_cache_key(info, kinds[p])] = (result, checked)
    if fresh:
        cache.put_many(fresh)


MAX_NESTED = 500  # entries of subfolders listed (a whole disk copied in is not walked)


def _nested_files(root: Path, folder: Path) -> list[Finding]:
    """A finding for every file inside a subfolder of inputs/ (links are not followed): units
    drop folders too, and what is inside is not read, so each file must be named."""
    found: list[Finding] = []
    for dirpath, dirnames, filenames in os.walk(folder, followlinks=False):
        dirnames.sort()
        for name in sorted(filenames):
            if name.startswith(("~$", ".~lock.")):
                continue
            rel = (Path(dirpath) / name).relative_to(root).as_posix()
            found.append(fnd.make("file_in_subfolder", rel))
            if len(found) >= MAX_NESTED:
                return found
    return found


def _convert_narratives(paths: list[Path], work: Path, outcomes: dict[Path, Outcome],
                        progress: Callable[[str], None] | None) -> dict[Path, Path]:
    """Turn every .doc/.odt/.rtf narrative (by its bytes) into .docx with LibreOffice, one
    at a time; a file that cannot be converted gets its finding in `outcomes`."""
    from .office import ConversionError, convert_copy, find_soffice

    todo = [(p, kind) for p in paths if (kind := needs_conversion(p))]
    if not todo:
        return {}
    if find_soffice() is None:  # each file says it needs LibreOffice or a .docx
        return {}
    done: dict[Path, Path] = {}
    for i, (p, kind) in enumerate(todo):
        if progress:
            progress(f"Chuyển '{p.name}' sang .docx bằng LibreOffice...")
        try:
            done[p] = convert_copy(p, kind, work, i)
        except (ConversionError, OSError) as e:
            outcomes[p] = (fnd.make("file_convert_failed", p.name, format=KIND_NAMES[kind],
                                    detail=str(e)), None)
    return done


def _read_todo(todo: list[Job], outcomes: dict[Path, Outcome], workers: int, timeout_s: float,
               memory_mb: int, full_narratives: bool, check: Check | None,
               progress: Callable[[str], None] | None) -> None:
    """Read the files not found in the cache, in this process or in workers."""
    if workers == 0:
        outcomes.update({p: _read_and_check(p, full_narratives, i, check, c)
                         for p, i, c in todo})
    elif todo:
        done, stuck = _read_in_workers(todo, workers, timeout_s, memory_mb, full_narratives,
                                       check)
        outcomes.update(done)
        for p in stuck:  # retry each alone, to tell the slow file from those queued behind it
            if progress:
                progress(f"Đọc lại riêng tệp '{p.name}'...")
            job = next(j for j in todo if j[0] == p)
            one, still = _read_in_workers([job], 1, timeout_s, memory_mb,
                                          full_narratives, check)
            outcomes.update(one)
            if still:
                outcomes[p] = (fnd.make("file_timeout", p.name, seconds=f"{timeout_s:g}"), None)


def _cache_kind(path: Path, full_narratives: bool, check: Check | None) -> str:
    """What a cached entry for this file holds; '' when it is not kept (light narratives)."""
    suffix = path.suffix.lower()
    if suffix in WORKBOOK_SUFFIXES:
        return "checked" if check is not None else "read"
    if suffix in NARRATIVE_SUFFIXES and full_narratives:
        return "narrative"
    return ""


RECENT_S = 5.0  # a file changed this recently may still be being copied in
SETTLE_S = 0.5  # how long its size must then stay the same


def _still_copying(paths: list[Path]) -> list[Path]:
    """Files changed in the last seconds whose size or time still moves after a short wait."""
    def stamp(p: Path) -> tuple[int, int] | None:
        try:
            st = p.stat()
        except OSError:
            return None
        return (st.st_size, st.st_mtime_ns)

    now = time.time()
    recent = {}
    for p in paths:
        st = stamp(p)
        if st is None or now - st[1] / 1e9 < RECENT_S:
            recent[p] = st
    if not recent:
        return []
    time.sleep(SETTLE_S)
    return [p for p, st in recent.items() if st is None or stamp(p) != st]
