"""Cells python-calamine cannot parse, and the way round them.

python-calamine refuses a whole sheet for one cell it cannot parse: a number stored as "1,5"
or " 1", an error value it does not know (Excel 365's "#SPILL!", "#CALC!"), a boolean "2", a
shared string that does not exist, a cell type Excel does not have. Excel never writes such
cells; other programs and crafted files do. `empty_unreadable_cells` is the reader's way out,
taken only once calamine has refused a sheet (it costs a copy of the package): the same
package with those values removed, each named at its cell, so that calamine reads the rest.
The rules are calamine 0.9.1's, measured on crafted cells (tests/test_salvage.py); a cell
they miss leaves its sheet unreadable, as before.
"""

from __future__ import annotations

import io
import re
import shutil
import zipfile

from pipeline.read.package import (
    MAX_SCANNED_PART_BYTES,
    STREAM_CHUNK,
    CellProblem,
    cell_a1,
    rowcol,
    sheet_parts,
)

_NUMBER_LITERAL = re.compile(
    rb"[+-]?(?:(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?|inf|infinity|nan)", re.IGNORECASE)
_KNOWN_ERRORS = frozenset({b"", b"#DIV/0!", b"#N/A", b"#NAME?", b"#NULL!", b"#NUM!", b"#REF!",
                           b"#VALUE!"})
_BOOLEANS = frozenset({b"", b"0", b"1", b"true", b"false"})
_TEXT_TYPES = frozenset({b"str", b"inlineStr", b"d"})  # any text is read as it is
SHARED_STRINGS = "xl/sharedStrings.xml"  # where calamine looks for them
_SHARED_STRING = re.compile(rb"<(?:\w+:)?si[\s>/]")
# A row's start tag (1: attributes, 2: "/" when it is empty), a row's end tag, or a cell
# (3: attributes, 4: content): what calamine follows to place cells without an address.
_SHEET_TOKEN = re.compile(
    rb"<(?:\w+:)?row\b([^>]*?)(/?)>|</(?:\w+:)?row\s*>"
    rb"|<(?:\w+:)?c\b([^>]*?)(?:/>|>(.*?)</(?:\w+:)?c\s*>)", re.DOTALL)
_VALUE = re.compile(rb"<(?:\w+:)?v(?:\s[^>]*)?>(.*?)</(?:\w+:)?v\s*>", re.DOTALL)
_ATTR = re.compile(rb"(?<![\w:.-])([rt])\s*=\s*(?:\"([^\"]*)\"|'([^']*)')")
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def empty_unreadable_cells(data: bytes, skip_sheets: tuple[str, ...] = ()
                           ) -> tuple[bytes, tuple[CellProblem, ...]]:
    """The .xlsx package `data` with every value python-calamine cannot parse removed, and a
    CellProblem "cell_unreadable" naming each (its cell, the value as stored, what is wrong);
    `data` itself and () when there is none. Sheet parts above MAX_SCANNED_PART_BYTES are
    left alone: the reader skips them as too large. Memory: the package, its copy and one
    sheet part; time: one pass over the sheets, one copy of the package's entries."""
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        names = set(zf.namelist())
        strings = _shared_string_count(zf, names)
        fixed: dict[str, bytes] = {}
        problems: list[CellProblem] = []
        for sheet, part in sheet_parts(zf).items():
            if (sheet in skip_sheets or part not in names
                    or zf.getinfo(part).file_size > MAX_SCANNED_PART_BYTES):
                continue
            xml, found = _empty_cells(sheet, zf.read(part), strings)
            if found:
                fixed[part] = xml
                problems.extend(found)
        if not fixed:
            return data, ()
        return _copy_with(zf, fixed), tuple(problems)


def _shared_string_count(zf: zipfile.ZipFile, names: set[str]) -> int | None:
    """How many shared strings the workbook holds (None: too large to count; every index is
    then taken as good)."""
    if SHARED_STRINGS not in names:
        return 0
    if zf.getinfo(SHARED_STRINGS).file_size > MAX_SCANNED_PART_BYTES:
        return None
    return len(_SHARED_STRING.findall(zf.read(SHARED_STRINGS)))


def _attr(attrs: bytes, name: bytes) -> bytes | None:
    for m in _ATTR.finditer(attrs):
        if m.group(1) == name:
            return m.group(2) if m.group(2) is not None else m.group(3)
    return None


def _empty_cells(sheet: str, xml: bytes, strings: int | None
                 ) -> tuple[bytes, list[CellProblem]]:
    """The sheet XML without the values calamine cannot parse (the cells stay, empty), and a
    problem for each, placed as calamine places cells (by address, else by position)."""
    pieces: list[bytes] = []
    problems: list[CellProblem] = []
    done = row = col = 0
    for m in _SHEET_TOKEN.finditer(xml):
        attrs, content = m.group(3), m.group(4)
        if attrs is None:  # a row
            if m.group(1) is None:  # its end: the next row starts at column A
                row, col = row + 1, 0
            elif not m.group(2) and (r := _attr(m.group(1), b"r")) and r.isdigit():
                row = int(r) - 1
            continue
        ref = _attr(attrs, b"r")
        if ref:
            r1, c1 = rowcol(ref.decode("ascii", "replace"))
            row, col = max(r1, 1) - 1, max(c1, 1) - 1
        at, col = cell_a1(row, col), col + 1
        value = _VALUE.search(content) if content else None
        if value is None:
            continue
        why = _unreadable_why(_attr(attrs, b"t"), value.group(1), strings)
        if why:
            start = m.start(4)
            pieces.append(xml[done:start + value.start()])
            done = start + value.end()
            problems.append(CellProblem(sheet, at, "cell_unreadable",
                                        _stored(value.group(1)), why))
    if not problems:
        return xml, []
    pieces.append(xml[done:])
    return b"".join(pieces), problems


def _unreadable_why(kind: bytes | None, value: bytes, strings: int | None) -> str:
    """What calamine finds wrong with this stored value of a cell of type `kind` ("" if it
    reads it)."""
    if kind is None or kind in _TEXT_TYPES:  # untyped: a number, else kept as text
        return ""
    if kind == b"n":
        return "" if not value or _NUMBER_LITERAL.fullmatch(value) else \
            "ô kiểu số nhưng giá trị không phải là số"
    if kind == b"s":
        if not value or (value.isdigit() and len(value) < 10
                         and (strings is None or int(value) < strings)):
            return ""
        return "ô trỏ tới một chuỗi chữ không có trong tệp"
    if kind == b"b":
        return "" if value.strip().lower() in _BOOLEANS else \
            "ô kiểu đúng/sai nhưng giá trị không phải đúng hay sai"
    if kind == b"e":
        return "" if value in _KNOWN_ERRORS else "mã lỗi mà phần mềm đọc không biết"
    return f"kiểu ô '{_stored(kind)[:20]}' không có trong Excel"


def _stored(raw: bytes) -> str:
    """A stored value as a finding shows it: text, control characters replaced, cut."""
    return _CONTROL.sub("\ufffd", raw[:200].decode("utf-8", "replace"))[:50]


def _copy_with(zf: zipfile.ZipFile, parts: dict[str, bytes]) -> bytes:
    """A copy of the package with `parts` replaced; the other entries are streamed across."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as new:
        for info in zf.infolist():
            entry = zipfile.ZipInfo(info.filename, info.date_time)
            entry.compress_type, entry.external_attr = info.compress_type, info.external_attr
            if info.filename in parts or info.is_dir():
                new.writestr(entry, parts.get(info.filename, b""))
                continue
            entry.file_size = info.file_size  # decides whether zip64 records are needed
            with zf.open(info) as src, new.open(entry, "w") as dst:
                shutil.copyfileobj(src, dst, STREAM_CHUNK)
    return out.getvalue()
