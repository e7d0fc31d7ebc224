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
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

import python_calamine
from openpyxl.utils import get_column_letter

from . import findings as fnd
from .findings import Finding
from .layout import (
    HEADER_KEY,
    LIST_KEY_ROW,
    LIST_MARK,
    META_SHEET,
    NOTE_HEADER,
    STATUS_HEADER,
    split_key,
)
from .legacy import ENCODING_NAMES
from .package import MAX_FILE_BYTES, Refused, inspect_package
from .text import MAX_CELL_CHARS, normalise

if TYPE_CHECKING:
    from .cache import ResultCache

MAX_SHEET_ROWS = 5_000  # a form sheet has ~50 rows
MAX_FILE_CHARS = 2_000_000  # text kept from one file (shared-string amplification)
MAX_SHEET_COLS = 200  # and ~20 columns
FILE_TIMEOUT_S = 60.0  # per file, in a worker
WORKER_MEMORY_MB = 1_024  # address space a worker may add while reading one file


@dataclass(frozen=True)
class FileInfo:
    path: Path  # where it was read
    name: str  # file name shown to users
    sha256: str  # content hash, hex
    size: int  # bytes
    modified: dt.datetime  # file modification time (local)


class RawCell(NamedTuple):
    """One year cell of a keyed row, as read (NamedTuple: one per cell, see Value)."""

    sheet: str  # item sheet name
    cell: str  # A1 address
    indicator: str  # indicator code from column A
    part: str  # breakdown part, or TOTAL
    year: int  # from the header row
    raw: object  # as calamine returned it: float, int, str, bool, date or "" when empty


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
    cells: tuple[tuple[str, str, object], ...]  # (column code, A1, raw value)


@dataclass(frozen=True)
class WorkbookSubmission:
    file: FileInfo
    unit: str  # unit code as written in the metadata sheet
    meta: Mapping[str, str]  # metadata sheet: key -> text
    sheets: tuple[str, ...]  # sheet names in the file
    rows: tuple[RowInfo, ...]  # keyed rows found in item sheets (() once checked, see Inputs)
    cells: tuple[RawCell, ...]  # one per keyed row and year column (idem)
    notes: tuple[Finding, ...] = ()  # what reading found or changed (formulas, legacy text...)
    lists: tuple[ListRow, ...] = ()  # filled rows of the list sheets

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
    checks: Mapping[str, object] = field(default_factory=dict)
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


class _Notes:
    """Collects what reading changed, to become findings once the unit is known."""

    def __init__(self, file: str):
        self.file = file
        self.items: list[tuple[str, dict]] = []
        self.chars = 0  # text kept so far in this file

    def _count(self, text: str) -> str:
        self.chars += len(text)
        if self.chars > MAX_FILE_CHARS:
            raise Refused(fnd.make("file_too_large", self.file,
                                   detail=f"hơn {MAX_FILE_CHARS:,} ký tự văn bản"))
        return text

    def add(self, code: str, **kw: object) -> None:
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
        return tuple(fnd.make(code, self.file, unit=unit, **kw)  # type: ignore[arg-type]
                     for code, kw in self.items)


def _year(value: object) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)) and float(value).is_integer():
        return int(value)
    if isinstance(value, str) and re.fullmatch(r"\s*\d{4}\s*", value):
        return int(value)
    return None


def read_workbook(path: Path, info: FileInfo | None = None) -> WorkbookSubmission:
    """Read one unit workbook; raise Refused with a finding when it cannot be used. The file
    is read once: hashed, checked and parsed from the same bytes."""
    size = info.size if info else path.stat().st_size
    data = path.read_bytes() if size <= MAX_FILE_BYTES else None  # else refused by size
    info = info or file_info(path, data)
    package = inspect_package(path, info.name, info.size, "xl/workbook.xml", scan_cells=True,
                              data=data)
    notes = _Notes(info.name)
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
            meta: dict[str, str] = {}
            extents = package.extents
            meta_grid = _grid(wb, META_SHEET, notes, extents)
            for r0, r in enumerate(meta_grid or []):
                if len(r) >= 3 and _plain(r[0]):
                    meta[_plain(r[0])] = notes.text(r[2], META_SHEET, _a1(r0, 2))
            unit = meta.get("ma_don_vi", "")
            if not unit:
                raise Refused(fnd.make("not_a_form", info.name))
            rows: list[RowInfo] = []
            cells: list[RawCell] = []
            lists: list[ListRow] = []
            for name in worksheets:
                if name != META_SHEET:
                    grid = _grid(wb, name, notes, extents)
                    if grid is None:
                        continue
                    mark = next((_plain(r[0]) for r in grid[:LIST_KEY_ROW + 2]
                                 if r and _plain(r[0]).startswith(LIST_MARK)), "")
                    if mark:
                        _read_list_sheet(name, mark[len(LIST_MARK):], grid, lists, notes)
                    else:
                        _read_item_sheet(name, grid, rows, cells, notes)
        finally:
            wb.close()
    except Refused:
        raise
    except Exception as e:  # calamine raises several types; all mean "cannot read"
        raise Refused(fnd.make("file_unreadable", info.name,
                               detail=f"{type(e).__name__}: {str(e)[:200]}")) from e
    return WorkbookSubmission(file=info, unit=unit, meta=meta, sheets=tuple(worksheets),
                              rows=tuple(rows), cells=tuple(cells),
                              notes=notes.findings(unit), lists=tuple(lists))


def _grid(wb, name: str, notes: _Notes,
          extents: dict[str, tuple[int, int]]) -> list[list[object]] | None:
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
    return sheet.to_python(skip_empty_area=False)


def _read_list_sheet(name: str, code: str, grid: list[list[object]], out: list[ListRow],
                     notes: _Notes) -> None:
    key_row = next(i for i, r in enumerate(grid) if r and _plain(r[0]).startswith(LIST_MARK))
    columns = {c: _plain(v) for c, v in enumerate(grid[key_row]) if c > 0 and _plain(v)}
    for r0 in range(key_row + 2, len(grid)):
        r = grid[r0]
        rest = r[1:]  # column A holds the row's number
        if rest.count("") + rest.count(None) == len(rest):  # an empty row (most are)
            continue
        found = []
        for c, col in columns.items():
            raw = r[c] if c < len(r) else ""
            if isinstance(raw, str):
                raw = notes.text(raw, name, _a1(r0, c)) if raw.strip() else ""
            found.append((col, _a1(r0, c), raw))
        if any(v not in ("", None) for _, _, v in found):
            number = r[0] if r and isinstance(r[0], (int, float)) else r0 - key_row - 1
            out.append(ListRow(code, name, r0 + 1, int(number), tuple(found)))


def _read_item_sheet(name: str, grid: list[list[object]], rows: list[RowInfo],
                     cells: list[RawCell], notes: _Notes) -> None:
    header_row = next((i for i, r in enumerate(grid) if r and _plain(r[0]) == HEADER_KEY), None)
    if header_row is None:
        return
    header = grid[header_row]
    year_cols = {c: y for c, v in enumerate(header) if (y := _year(v)) is not None}
    labels = {_plain(v): c for c, v in enumerate(header)}
    status_col = labels.get(STATUS_HEADER)
    note_col = labels.get(NOTE_HEADER)
    letters = [get_column_letter(c + 1) for c in range(max(len(r) for r in grid))]
    years = [(c, y, letters[c]) for c, y in year_cols.items()]

    def text_at(r: list[object], r0: int, col: int | None) -> str:
        if col is None or col >= len(r):
            return ""
        return notes.text(r[col], name, f"{letters[col]}{r0 + 1}")

    for r0 in range(header_row + 1, len(grid)):
        r = grid[r0]
        key = _plain(r[0]) if r else ""
        if not key:
            continue
        indicator, part = split_key(key)
        row = r0 + 1
        rows.append(RowInfo(name, row, indicator, part, text_at(r, r0, status_col),
                            text_at(r, r0, note_col),
                            f"{letters[status_col]}{row}" if status_col is not None else ""))
        width = len(r)
        for c, year, letter in years:
            raw = r[c] if c < width else ""
            if type(raw) is str and raw:
                raw = notes.text(raw, name, f"{letter}{row}")
            cells.append(RawCell(name, f"{letter}{row}", indicator, part, year, raw))


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
        unit = ""
        if doc.tables:
            for row in doc.tables[0].rows:
                cells = row.cells
                if len(cells) >= 2 and _plain(cells[0].text) == "Mã đơn vị":
                    unit = _plain(cells[1].text)
        if not unit:
            raise Refused(fnd.make("narrative_not_form", info.name))
        if len(doc.tables) > 1:  # the first is the form's own unit table
            notes.add("narrative_table", value=len(doc.tables) - 1)
        sections: list[NarrativeSection] = []
        current: tuple[str, str, int] = ("", "", 0)  # heading, item, subtopic
        paragraphs: list[str] = []

        def flush() -> None:
            if paragraphs:
                sections.append(NarrativeSection(*current, tuple(paragraphs)))

        for n, p in enumerate(doc.paragraphs, start=1):
            style = p.style.name if p.style is not None else ""
            text = notes.text(p.text, "", f"đoạn {n}")
            if style.startswith("Heading") or style.startswith("Title"):
                m = _HEADING.match(text + " ")
                flush()
                paragraphs = []
                current = (text, m.group(1), int(m.group(2) or 0)) if m else (text, "", 0)
                continue
            if not text or style == "Hướng dẫn":
                continue
            paragraphs.append(text)
        flush()
    except Refused:
        raise
    except Exception as e:  # python-docx / lxml errors on damaged files
        raise Refused(fnd.make("file_unreadable", info.name,
                               detail=f"{type(e).__name__}: {str(e)[:200]}")) from e
    return NarrativeSubmission(file=info, unit=unit, sections=tuple(sections),
                               notes=notes.findings(unit))


# --- the inputs folder ---------------------------------------------------------------------
WORKBOOK_SUFFIXES = (".xlsx", ".xlsm", ".xls")
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
    if not unit:
        raise Refused(fnd.make("narrative_not_form", info.name))
    return NarrativeSubmission(file=info, unit=unit, sections=())


def read_file(path: Path, full_narratives: bool = True, info: FileInfo | None = None) -> Result:
    """One file: its submission, or a finding naming it. Never raises on the file's content."""
    name = path.name
    try:
        suffix = path.suffix.lower()
        if suffix in WORKBOOK_SUFFIXES:
            return read_workbook(path, info)
        if suffix == ".docx":
            return read_narrative(path, info) if full_narratives else narrative_unit(path, info)
        return fnd.make("file_not_office", name)
    except Refused as r:
        return r.finding
    except MemoryError:
        return fnd.make("file_too_large", name, detail="vượt giới hạn bộ nhớ khi đọc")
    except Exception as e:  # a parser bug must not stop the other units' data
        return fnd.make("file_unreadable", name, detail=f"{type(e).__name__}: {str(e)[:200]}")


def _vm_size() -> int:
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("VmSize:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


Check = Callable[[WorkbookSubmission], object]
Outcome = tuple[Result, object]  # a file's result, and what `check` gave (None if not run)
_check: Check | None = None  # set in each worker by _worker_init (inherited through fork)


def _read_and_check(path: Path, full_narratives: bool, info: FileInfo | None,
                    check: Check | None) -> Outcome:
    result = read_file(path, full_narratives, info)
    if check is None or not isinstance(result, WorkbookSubmission):
        return result, None
    try:
        checked = check(result)
    except Exception as e:  # a checking bug must not lose the file's data silently
        return fnd.make("file_unreadable", path.name,
                        detail=f"{type(e).__name__}: {str(e)[:200]}"), None
    return replace(result, rows=(), cells=()), checked


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


def _read_chunk(job: tuple[list[tuple[Path, FileInfo | None]], bool]
                ) -> list[tuple[Path, Outcome]]:
    files, full_narratives = job
    return [(p, _read_and_check(p, full_narratives, info, _check)) for p, info in files]


def _read_in_workers(files: list[tuple[Path, FileInfo | None]], workers: int, timeout_s: float,
                     memory_mb: int, full_narratives: bool = True, check: Check | None = None
                     ) -> tuple[dict[Path, Outcome], list[Path]]:
    """Read in a pool, a few files per task; stop waiting when no task finished for
    timeout_s. Returns the outcomes and the files left unfinished (in a task that was
    running when the pool was stopped, or queued behind it)."""
    ctx = multiprocessing.get_context("fork")
    done: dict[Path, Outcome] = {}
    if full_narratives and any(p.suffix.lower() == ".docx" for p, _ in files):
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
    return done, [p for p, _ in files if p not in done]


def _cache_key(info: FileInfo, kind: str) -> str:
    return f"{info.sha256}:{kind}:{info.name}"


@contextlib.contextmanager
def _no_collection():
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
    """Read every workbook and narrative in inputs_dir (not recursive), in name order.

    workers=0 reads in this process (no time or memory limit); by default files are read in
    up to two worker processes, each file within `timeout_s` and `memory_mb`. `check`, when
    given, runs on each workbook right after reading, in the same worker (validate's
    check_workbook: the per-file half of validation); its results are in Inputs.checks.
    With a `cache`, files read and checked before (same content, name and context) are not
    read again, and what is read is kept for the next run.
    """
    skipped: list[str] = []
    paths: list[Path] = []
    for path in sorted(p for p in inputs_dir.iterdir() if p.is_file()):
        name = path.name
        if name.startswith("~$"):
            skipped.append(f"Bỏ qua '{name}': tệp khóa tạm của Excel/Word (tệp gốc đang mở).")
        elif not (name.startswith(".") or name.lower() in ("readme.md", "readme.txt")):
            paths.append(path)
    for path in _still_copying(paths):
        paths.remove(path)
        skipped.append(f"Bỏ qua '{path.name}': tệp đang được chép vào (kích thước còn thay "
                       "đổi); chạy lại sau ít phút.")
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
            keys = {_cache_key(i, kinds[p]): p for p, i in infos.items() if i and kinds[p]}
            for key, (result, checked) in cache.get_many(keys).items():  # type: ignore[misc]
                p = keys[key]
                outcomes[p] = (replace(result, file=infos[p]), checked)  # this run's file times
        from_cache = len(outcomes)
        todo = [(p, infos[p]) for p in paths if p not in outcomes]
        if workers == 0:
            outcomes.update({p: _read_and_check(p, full_narratives, i, check) for p, i in todo})
        elif todo:
            done, stuck = _read_in_workers(todo, workers, timeout_s, memory_mb, full_narratives,
                                           check)
            outcomes.update(done)
            for p in stuck:  # retry each alone, to tell the slow file from those queued behind it
                if progress:
                    progress(f"Đọc lại riêng tệp '{p.name}'...")
                one, still = _read_in_workers([(p, infos[p])], 1, timeout_s, memory_mb,
                                              full_narratives, check)
                outcomes.update(one)
                if still:
                    outcomes[p] = (fnd.make("file_timeout", p.name, seconds=f"{timeout_s:g}"), None)
    if cache is not None:
        fresh = {}
        for p, _info in todo:
            result, _checked = outcomes[p]
            info = infos[p]
            if info and kinds[p] and isinstance(result, (WorkbookSubmission,
                                                          NarrativeSubmission)):
                fresh[_cache_key(info, kinds[p])] = outcomes[p]
        if fresh:
            cache.put_many(fresh)

    files = []
    for p in paths:
        result = outcomes[p][0]
        if isinstance(result, (WorkbookSubmission, NarrativeSubmission)):
            files.append(result.file)
        else:
            with contextlib.suppress(OSError):
                files.append(infos[p] or file_info(p))
    results = [outcomes[p][0] for p in paths]
    checks = {r.file.name: outcomes[p][1] for p, r in zip(paths, results)
              if isinstance(r, WorkbookSubmission) and outcomes[p][1] is not None}
    return Inputs(
        workbooks=tuple(r for r in results if isinstance(r, WorkbookSubmission)),
        narratives=tuple(r for r in results if isinstance(r, NarrativeSubmission)),
        files=tuple(files), findings=tuple(r for r in results if isinstance(r, Finding)),
        skipped=tuple(skipped), checks=checks, cached=from_cache)


def _cache_kind(path: Path, full_narratives: bool, check: Check | None) -> str:
    """What a cached entry for this file holds; '' when it is not kept (light narratives)."""
    suffix = path.suffix.lower()
    if suffix in WORKBOOK_SUFFIXES:
        return "checked" if check is not None else "read"
    if suffix == ".docx" and full_narratives:
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
