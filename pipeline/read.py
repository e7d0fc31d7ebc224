"""Read: every file in inputs/ into plain submissions, with file-level findings.

Workbooks are read with python-calamine (values only, fast); narratives with python-docx.
Before any parser sees a file, its kind is sniffed from its first bytes and, for Office files,
the zip directory is checked against size limits and parts with a DOCTYPE are refused. A file
that cannot be read becomes a finding naming it; it never stops the other files.

Read reports what is in a file; it does not judge values (validate.py does).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import python_calamine

from . import findings as fnd
from .findings import Finding
from .layout import HEADER_KEY, META_SHEET, NOTE_HEADER, STATUS_HEADER, split_key
from .text import clean_text

# Limits checked on the zip directory before parsing (a form is ~30 KB).
MAX_FILE_BYTES = 50 * 1024 * 1024
MAX_UNCOMPRESSED_BYTES = 200 * 1024 * 1024
MAX_ZIP_ENTRIES = 2_000
MAX_RATIO = 200  # uncompressed / compressed, for entries above 1 MB

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"


@dataclass(frozen=True)
class FileInfo:
    path: Path  # where it was read
    name: str  # file name shown to users
    sha256: str  # content hash, hex
    size: int  # bytes
    modified: dt.datetime  # file modification time (local)


@dataclass(frozen=True)
class RawCell:
    sheet: str  # item sheet name
    cell: str  # A1 address
    indicator: str  # indicator code from column A
    part: str  # breakdown part, or TOTAL
    year: int  # from the header row
    raw: object  # as calamine returned it: float, int, str, bool, date or "" when empty


@dataclass(frozen=True)
class RowInfo:
    sheet: str
    row: int  # 1-based row number
    indicator: str
    part: str
    status: str  # "Tính chất số liệu" dropdown value
    note: str  # "Nguồn số liệu, ghi chú"


@dataclass(frozen=True)
class WorkbookSubmission:
    file: FileInfo
    unit: str  # unit code as written in the metadata sheet
    meta: Mapping[str, str]  # metadata sheet: key -> text
    sheets: tuple[str, ...]  # sheet names in the file
    rows: tuple[RowInfo, ...]  # keyed rows found in item sheets
    cells: tuple[RawCell, ...]  # one per keyed row and year column

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


@dataclass(frozen=True)
class Inputs:
    workbooks: tuple[WorkbookSubmission, ...] = ()
    narratives: tuple[NarrativeSubmission, ...] = ()
    files: tuple[FileInfo, ...] = ()  # every file considered, read or not
    findings: tuple[Finding, ...] = ()  # file-level problems found while reading
    skipped: tuple[str, ...] = field(default=())  # Vietnamese lines: files passed over and why


def parse_date(text: str) -> dt.date | None:
    """dd/mm/yyyy (also with . or -) as typed in a form; None when it is not a real date."""
    m = re.fullmatch(r"\s*(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})\s*", text or "")
    if not m:
        return None
    try:
        return dt.date(int(m.group(3)), int(m.group(2)), int(m.group(1)))
    except ValueError:
        return None


class _Refused(Exception):
    """A file is refused before or while parsing; carries its finding."""

    def __init__(self, finding: Finding):
        super().__init__(finding.message)
        self.finding = finding


def file_info(path: Path) -> FileInfo:
    data = path.read_bytes()
    stat = path.stat()
    return FileInfo(path=path, name=path.name, sha256=hashlib.sha256(data).hexdigest(),
                    size=stat.st_size,
                    modified=dt.datetime.fromtimestamp(stat.st_mtime).replace(microsecond=0))


def _sniff(path: Path, info: FileInfo, expected_part: str) -> None:
    """Refuse what is not a safe Office zip holding `expected_part`."""
    if info.size > MAX_FILE_BYTES:
        raise _Refused(fnd.make("file_too_large", info.name,
                                detail=f"{info.size:,} byte > {MAX_FILE_BYTES:,}"))
    with path.open("rb") as fh:
        head = fh.read(8)
    if head.startswith(OLE_MAGIC):
        # An OLE container: an encrypted OOXML file, or a legacy .xls/.doc.
        kind = "file_encrypted" if _ole_is_encrypted(path) else "file_legacy_xls"
        raise _Refused(fnd.make(kind, info.name))
    if not head.startswith(ZIP_MAGIC):
        raise _Refused(fnd.make("file_not_office", info.name))
    try:
        with zipfile.ZipFile(path) as zf:
            entries = zf.infolist()
            if len(entries) > MAX_ZIP_ENTRIES:
                raise _Refused(fnd.make("file_too_large", info.name,
                                        detail=f"{len(entries)} phần > {MAX_ZIP_ENTRIES}"))
            total = sum(e.file_size for e in entries)
            if total > MAX_UNCOMPRESSED_BYTES:
                raise _Refused(fnd.make(
                    "file_too_large", info.name,
                    detail=f"giải nén {total:,} byte > {MAX_UNCOMPRESSED_BYTES:,}"))
            for e in entries:
                if e.file_size > 1_000_000 and e.file_size > MAX_RATIO * max(e.compress_size, 1):
                    raise _Refused(fnd.make("file_too_large", info.name,
                                            detail=f"phần '{e.filename}' nén bất thường"))
            names = {e.filename for e in entries}
            if expected_part not in names:
                raise _Refused(fnd.make("file_not_office", info.name))
            for e in entries:
                if e.filename.endswith((".xml", ".rels", ".vml")):
                    with zf.open(e) as part:
                        if b"<!DOCTYPE" in part.read(4096).upper():
                            raise _Refused(fnd.make(
                                "file_unreadable", info.name,
                                detail=f"phần '{e.filename}' chứa khai báo DOCTYPE không an toàn"))
    except zipfile.BadZipFile as e:
        raise _Refused(fnd.make("file_unreadable", info.name,
                                detail=f"tệp nén bị hỏng hoặc chưa chép xong: {e}")) from e


def _ole_is_encrypted(path: Path) -> bool:
    # Encrypted OOXML files are OLE containers holding an "EncryptedPackage" stream, whose
    # name is stored in UTF-16 in the directory.
    return "EncryptedPackage".encode("utf-16-le") in path.read_bytes()[:1_000_000]


def _a1(row0: int, col0: int) -> str:
    letters = ""
    n = col0 + 1
    while n:
        n, rem = divmod(n - 1, 26)
        letters = chr(65 + rem) + letters
    return f"{letters}{row0 + 1}"


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, (dt.datetime, dt.date)):
        return value.strftime("%d/%m/%Y")
    return clean_text(str(value)).strip()


def _year(value: object) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)) and float(value).is_integer():
        return int(value)
    if isinstance(value, str) and re.fullmatch(r"\s*\d{4}\s*", value):
        return int(value)
    return None


def read_workbook(path: Path, info: FileInfo | None = None) -> WorkbookSubmission:
    """Read one unit workbook; raise _Refused with a finding when it cannot be used."""
    info = info or file_info(path)
    _sniff(path, info, "xl/workbook.xml")
    try:
        wb = python_calamine.CalamineWorkbook.from_path(str(path))
        sheet_names = tuple(wb.sheet_names)
        if META_SHEET not in sheet_names:
            raise _Refused(fnd.make("not_a_form", info.name))
        meta: dict[str, str] = {}
        for r in wb.get_sheet_by_name(META_SHEET).to_python(skip_empty_area=False):
            if len(r) >= 3 and isinstance(r[0], str) and r[0].strip():
                meta[r[0].strip()] = _text(r[2])
        unit = meta.get("ma_don_vi", "")
        if not unit:
            raise _Refused(fnd.make("not_a_form", info.name))
        rows: list[RowInfo] = []
        cells: list[RawCell] = []
        for name in sheet_names:
            if name == META_SHEET:
                continue
            _read_item_sheet(name, wb.get_sheet_by_name(name).to_python(skip_empty_area=False),
                             rows, cells)
        wb.close()
    except _Refused:
        raise
    except Exception as e:  # calamine raises several types; all mean "cannot read"
        raise _Refused(fnd.make("file_unreadable", info.name,
                                detail=f"{type(e).__name__}: {str(e)[:200]}")) from e
    return WorkbookSubmission(file=info, unit=unit, meta=meta, sheets=sheet_names,
                              rows=tuple(rows), cells=tuple(cells))


def _read_item_sheet(name: str, grid: list[list[object]], rows: list[RowInfo],
                     cells: list[RawCell]) -> None:
    header_row = next((i for i, r in enumerate(grid) if r and _text(r[0]) == HEADER_KEY), None)
    if header_row is None:
        return
    header = grid[header_row]
    year_cols = {c: y for c, v in enumerate(header) if (y := _year(v)) is not None}
    labels = {_text(v): c for c, v in enumerate(header)}
    status_col = labels.get(STATUS_HEADER)
    note_col = labels.get(NOTE_HEADER)
    for r0 in range(header_row + 1, len(grid)):
        r = grid[r0]
        key = _text(r[0]) if r else ""
        if not key:
            continue
        indicator, part = split_key(key)

        def at(col: int | None, r: list[object] = r) -> str:
            return _text(r[col]) if col is not None and col < len(r) else ""

        rows.append(RowInfo(name, r0 + 1, indicator, part, at(status_col), at(note_col)))
        for c, year in year_cols.items():
            raw = r[c] if c < len(r) else ""
            cells.append(RawCell(name, _a1(r0, c), indicator, part, year, raw))


# --- narratives ----------------------------------------------------------------------------
_HEADING = re.compile(r"^\s*((?:IV|II|I)(?:\.(?:\d+|DG))?)(?:\.(\d+))?\.?\s")


def read_narrative(path: Path, info: FileInfo | None = None) -> NarrativeSubmission:
    """Read one narrative .docx: unit code from its first table, text under each heading."""
    from docx import Document  # python-docx costs ~0.2 s to import; only narratives need it

    info = info or file_info(path)
    _sniff(path, info, "word/document.xml")
    try:
        doc = Document(str(path))
        unit = ""
        if doc.tables:
            for row in doc.tables[0].rows:
                cells = row.cells
                if len(cells) >= 2 and _text(cells[0].text) == "Mã đơn vị":
                    unit = _text(cells[1].text)
        if not unit:
            raise _Refused(fnd.make("narrative_not_form", info.name))
        sections: list[NarrativeSection] = []
        current: tuple[str, str, int] = ("", "", 0)  # heading, item, subtopic
        paragraphs: list[str] = []

        def flush() -> None:
            if paragraphs:
                sections.append(NarrativeSection(*current, tuple(paragraphs)))

        for p in doc.paragraphs:
            style = p.style.name if p.style is not None else ""
            text = _text(p.text)
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
    except _Refused:
        raise
    except Exception as e:  # python-docx / lxml errors on damaged files
        raise _Refused(fnd.make("file_unreadable", info.name,
                                detail=f"{type(e).__name__}: {str(e)[:200]}")) from e
    return NarrativeSubmission(file=info, unit=unit, sections=tuple(sections))


# --- the inputs folder ---------------------------------------------------------------------
def read_inputs(inputs_dir: Path) -> Inputs:
    """Read every workbook and narrative in inputs_dir (not recursive), in name order."""
    workbooks: list[WorkbookSubmission] = []
    narratives: list[NarrativeSubmission] = []
    files: list[FileInfo] = []
    found: list[Finding] = []
    skipped: list[str] = []
    for path in sorted(p for p in inputs_dir.iterdir() if p.is_file()):
        name = path.name
        if name.startswith("~$"):
            skipped.append(f"Bỏ qua '{name}': tệp khóa tạm của Excel/Word (tệp gốc đang mở).")
            continue
        if name.startswith(".") or name.lower() in ("readme.md", "readme.txt"):
            continue
        info = file_info(path)
        files.append(info)
        suffix = path.suffix.lower()
        try:
            if suffix in (".xlsx", ".xlsm", ".xls"):
                workbooks.append(read_workbook(path, info))
            elif suffix == ".docx":
                narratives.append(read_narrative(path, info))
            else:
                found.append(fnd.make("file_not_office", name))
        except _Refused as r:
            found.append(r.finding)
    return Inputs(tuple(workbooks), tuple(narratives), tuple(files), tuple(found),
                  tuple(skipped))
