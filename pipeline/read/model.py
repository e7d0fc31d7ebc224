"""What reading returns: a file's identity (`FileInfo`), a workbook's cells, rows and notes
(`WorkbookSubmission`), a narrative's sections (`NarrativeSubmission`) and the whole inputs
folder (`Inputs`). Reading reports what is in a file and judges nothing.
"""

from __future__ import annotations

import datetime as dt
import errno
import hashlib
import os
import re
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from stat import S_ISBLK, S_ISCHR, S_ISDIR, S_ISFIFO, S_ISREG, S_ISSOCK
from typing import BinaryIO, NamedTuple

from pipeline.core.findings import Finding
from pipeline.core.records import FileCheck
from pipeline.core.text import shown_name

MAX_SHEET_ROWS = 5_000  # a form sheet has ~50 rows
MAX_FILE_CHARS = 2_000_000  # text kept from one file (shared-string amplification)
MAX_SHEET_COLS = 200  # and ~20 columns


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


class RowLabel(NamedTuple):
    """What a keyed row of an item sheet shows the unit as its name: columns B and C (a row
    pasted over another keeps its key in the hidden column A and shows the other's label)."""

    sheet: str
    row: int  # 1-based row number
    label: str  # column B: the indicator's name, as normalised text
    part: str  # column C: the breakdown part's name ("" when none)


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
    labels: tuple[RowLabel, ...] = ()  # label cells of each keyed row (() once checked)

    @property
    def is_sample(self) -> bool:
        return self.meta.get("du_lieu_mau", "").strip().lower() in ("có", "co", "yes")

    @property
    def typed_sent(self) -> dt.date | None:
        """'Ngày gửi' as the unit typed it in the metadata sheet; None when empty or not a
        date."""
        return parse_date(self.meta.get("ngay_gui", ""))

    @property
    def sent(self) -> dt.date:
        """'Ngày gửi' written in the metadata sheet, else the file's modification date."""
        return self.typed_sent or self.file.modified.date()

    @property
    def revision(self) -> int:
        """'Lần gửi' typed in the metadata sheet (1, 2, ...): which of two files sent the same
        day is the later; 0 when empty or not a whole number (forms before it had none)."""
        text = self.meta.get("lan_gui", "").strip()
        return int(float(text)) if re.fullmatch(r"\d{1,4}(\.0+)?", text) else 0


@dataclass(frozen=True)
class TextRun:
    """A piece of a narrative's paragraph in one formatting."""

    text: str  # NFC
    bold: bool = False
    italic: bool = False
    underline: bool = False
    script: str = ""  # "super", "sub" or "" (on the line)


@dataclass(frozen=True)
class NarrativeParagraph:
    """A paragraph the unit wrote, as runs; a list item when `list_kind` is set."""

    runs: tuple[TextRun, ...]  # adjacent runs of the same formatting are one
    list_kind: str = ""  # "bullet", "number" or "" (not a list item)
    level: int = 0  # list level, 0 for the outermost (0 when not a list item)
    list_id: int = 0  # the unit's list it belongs to (its numbering id; 0: not a list)

    @property
    def text(self) -> str:
        return "".join(r.text for r in self.runs)


@dataclass(frozen=True)
class NarrativeCell:
    """One cell of a narrative's table: its paragraphs (a nested table's text flattened into
    them), the grid columns it spans and whether it continues the merged cell above."""

    paragraphs: tuple[NarrativeParagraph, ...]
    span: int = 1  # grid columns (w:gridSpan)
    merged_above: bool = False  # a vertical merge's continuation: its text is in the cell above


@dataclass(frozen=True)
class NarrativeTable:
    rows: tuple[tuple[NarrativeCell, ...], ...]
    widths: tuple[int, ...] = ()  # grid column widths as written, twips (() when unknown)
    header_rows: int = 0  # leading rows marked to repeat as the table's header


@dataclass(frozen=True)
class NarrativeImage:
    """A picture the unit put in its own paragraph or in a paragraph of text (then it follows
    that paragraph)."""

    data: bytes  # the image file as stored in the .docx
    content_type: str  # "image/png", "image/jpeg"…
    width: int  # shown size, EMU
    height: int
    alt: str = ""  # the picture's description (alt text), NFC; else its title


NarrativeBlock = NarrativeParagraph | NarrativeTable | NarrativeImage


@dataclass(frozen=True)
class NarrativeSection:
    """The text under one heading. Give `blocks` (the reader does) and `paragraphs` follows
    from them; give only `paragraphs` (texts) and each is one plain paragraph."""

    heading: str  # the heading as written ("" for text before the first heading)
    item: str  # content item code, e.g. "I.2"; "" when the heading has no known number
    subtopic: int  # 0 for the item itself, else the sub-topic number
    paragraphs: tuple[str, ...] = ()  # NFC text of each paragraph block, in order (tables
    # and pictures have none here: what consistency checks and analysis read)
    blocks: tuple[NarrativeBlock, ...] = ()  # paragraphs, list items, tables, pictures

    def __post_init__(self) -> None:
        if self.blocks:
            texts = tuple(b.text for b in self.blocks if isinstance(b, NarrativeParagraph))
            object.__setattr__(self, "paragraphs", texts)
        elif self.paragraphs:
            plain = tuple(NarrativeParagraph((TextRun(t),)) for t in self.paragraphs)
            object.__setattr__(self, "blocks", plain)


@dataclass(frozen=True)
class NarrativeSubmission:
    file: FileInfo
    unit: str
    sections: tuple[NarrativeSection, ...]
    notes: tuple[Finding, ...] = ()  # text converted from legacy encodings, and the like
    saved: dt.datetime | None = None  # when the document was last saved, as it says itself

    @property
    def typed_sent(self) -> dt.date | None:
        """The narrative form has no 'Ngày gửi': always None (see `sent`)."""
        return None

    @property
    def sent(self) -> dt.date:
        """The day the document was last saved, as its own properties say (Word and
        LibreOffice write it on every save; copying, e-mailing or checking out the file does
        not change it); the file's modification date when it says none, or says a time after
        the file was last modified (a wrong clock)."""
        if self.saved is not None and self.saved <= self.file.modified:
            return self.saved.date()
        return self.file.modified.date()

    @property
    def revision(self) -> int:
        """The narrative form carries no 'Lần gửi': always 0."""
        return 0


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


class NotRegular(OSError):
    """What was opened is not a regular file (a FIFO, a device, a folder); `mode` says what."""

    def __init__(self, path: Path, mode: int):
        super().__init__(errno.EINVAL, "không phải tệp thường", str(path))
        self.mode = mode


def kind_of(mode: int) -> str:
    """What an entry that is not a regular file is ("một ống dẫn (FIFO)"), in Vietnamese,
    from its st_mode."""
    if S_ISDIR(mode):
        return "một thư mục"
    if S_ISFIFO(mode):
        return "một ống dẫn (FIFO)"
    if S_ISSOCK(mode):
        return "một socket"
    if S_ISCHR(mode) or S_ISBLK(mode):
        return "một thiết bị"
    return "một mục đặc biệt của hệ thống"


_NONBLOCK = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)


@contextmanager
def open_regular(path: Path) -> Iterator[tuple[BinaryIO, os.stat_result]]:
    """The file opened for reading, and its stat, opened so that it can never block: a FIFO
    or a device put where a file was listed raises NotRegular instead of waiting forever.
    Every open of a unit's file in the main process goes through here."""
    fd = os.open(path, _NONBLOCK)
    with os.fdopen(fd, "rb") as fh:
        st = os.fstat(fd)
        if not S_ISREG(st.st_mode):
            raise NotRegular(path, st.st_mode)
        yield fh, st


def file_info(path: Path, data: bytes | None = None) -> FileInfo:
    """Name, hash, size and time of a file (`data`: its content, when already read).

    The name is the one shown to users (`shown_name`: a name that is not valid UTF-8 is
    escaped); `path` keeps the real one. The file is opened without blocking and must be a
    regular file (NotRegular otherwise)."""
    if data is not None:
        stat = path.stat()
        digest = hashlib.sha256(data).hexdigest()
        size = len(data)
    else:
        with open_regular(path) as (fh, stat):
            h = hashlib.sha256()
            for chunk in iter(lambda: fh.read(1 << 20), b""):
                h.update(chunk)
        digest = h.hexdigest()
        size = stat.st_size
    return FileInfo(path=path, name=shown_name(path.name), sha256=digest, size=size,
                    modified=dt.datetime.fromtimestamp(stat.st_mtime).replace(microsecond=0))


def unit_code(text: str) -> str:
    """A unit code as typed: case and spaces do not matter ("khtc ", "K HTC" -> "KHTC")."""
    return re.sub(r"\s+", "", text).upper()
Result = WorkbookSubmission | NarrativeSubmission | Finding


Outcome = tuple[Result, "FileCheck | None"]  # a file's result, what `check` gave (None: not run)
Cached = tuple[WorkbookSubmission | NarrativeSubmission, "FileCheck | None"]  # what is cached
