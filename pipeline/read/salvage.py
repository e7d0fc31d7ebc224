"""Cells python-calamine cannot parse, and the way round them (.xlsx, then .ods below).

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
    ODS_CONTENT,
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
_VALID_REF = re.compile(rb"[A-Z]{1,3}[1-9][0-9]{0,6}")  # an A1 address calamine can place
_ROW_NUMBER = re.compile(rb"""\sr\s*=\s*(?:"[^"]*"|'[^']*')""")
_NESTED = re.compile(rb"<(?:\w+:)?(is|extLst)\b.*?</(?:\w+:)?\1\s*>", re.DOTALL)
_CHILD = re.compile(rb"<(?:\w+:)?(\w+)")


def _odd_child(content: bytes) -> bytes:
    """The name of the first element of a cell that is not one of a cell's own (f, v, is,
    extLst; calamine refuses the sheet for any other), or b""."""
    for m in _CHILD.finditer(_NESTED.sub(b"", content)):
        if m.group(1) not in (b"f", b"v"):
            return m.group(1)
    return b""
_ATTR = re.compile(rb"(?<![\w:.-])([rt])\s*=\s*(?:\"([^\"]*)\"|'([^']*)')")
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def empty_unreadable_cells(data: bytes, skip_sheets: tuple[str, ...] = ()
                           ) -> tuple[bytes, tuple[CellProblem, ...]]:
    """The .xlsx package `data` with every value python-calamine cannot parse removed, and a
    CellProblem "cell_unreadable" naming each (its cell, the value as stored, what is wrong);
    a row number that is not a number is dropped (the row is placed by its position, as
    calamine places rows without one). `data` itself and () when there is nothing to do.
    Sheet parts above MAX_SCANNED_PART_BYTES are left alone: the reader skips them as too
    large. Memory: the package, its copy and one
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
            original = zf.read(part)
            xml, found = _empty_cells(sheet, original, strings)
            if xml is not original:  # values emptied, or a row number dropped
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
                continue
            r = _attr(m.group(1), b"r")
            if r is not None and not r.isdigit():  # a row number that is not one: dropped,
                pieces.append(xml[done:m.start()])  # the row is placed by its position
                pieces.append(_ROW_NUMBER.sub(b"", m.group(0), count=1))
                done = m.end()
            elif not m.group(2) and r:
                row = int(r) - 1
            continue
        ref = _attr(attrs, b"r")
        bad_ref = ref is not None and not _VALID_REF.fullmatch(ref)
        if ref and not bad_ref:
            r1, c1 = rowcol(ref.decode("ascii", "replace"))
            row, col = max(r1, 1) - 1, max(c1, 1) - 1
        at, col = cell_a1(row, col), col + 1
        value = _VALUE.search(content) if content else None
        odd = _odd_child(content) if content else b""
        if bad_ref or odd:  # calamine cannot place or parse the cell at all: it goes whole
            pieces.append(xml[done:m.start()])
            done = m.end()
            why = (f"ô ghi địa chỉ '{_stored(ref or b'')}' sai" if bad_ref else
                   f"ô có phần '{_stored(odd)}' mà Excel không có")
            problems.append(CellProblem(sheet, at, "cell_unreadable",
                                        _stored(value.group(1)) if value else "", why))
            continue
        if value is None:
            continue
        why = _unreadable_why(_attr(attrs, b"t"), value.group(1), strings)
        if why:
            start = m.start(4)
            pieces.append(xml[done:start + value.start()])
            done = start + value.end()
            problems.append(CellProblem(sheet, at, "cell_unreadable",
                                        _stored(value.group(1)), why))
    if not pieces:
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


# --- OpenDocument spreadsheets ----------------------------------------------------------------
# python-calamine refuses a whole .ods (at opening, "Cannot detect file format") for one cell
# whose office:value (or office:boolean-value) it cannot parse. LibreOffice never writes such
# a cell; a crafted file or another program can. The way round is the same as for .xlsx: such
# cells are emptied in a copy of content.xml, each named at its cell.
_NUMERIC_TYPES = frozenset({b"float", b"percentage", b"currency"})
# A table's start (1: attributes), a row's start (2: attributes, 3: "/" when empty), a row's end,
# or a cell (4: attributes, 5: "/" when empty), with its content up to its end tag when not
# empty: what places each cell at its address, repeats included.
_ODS_TOKEN = re.compile(
    rb"<table:table\b(?!-)([^>]*)>"
    rb"|<table:table-row\b([^>]*?)(/?)>|</table:table-row\s*>"
    rb"|<table:(?:covered-)?table-cell\b([^>]*?)(/?)>", re.DOTALL)
_CELL_END = re.compile(rb"</table:(?:covered-)?table-cell\s*>")
_ODS_ATTR = re.compile(rb"([\w:.-]+)\s*=\s*(?:\"([^\"]*)\"|'([^']*)')")
_MAX_REPEAT = 1 << 20  # rows or columns a repeat attribute may move the position by


def _ods_attrs(raw: bytes) -> dict[bytes, bytes]:
    return {m.group(1): m.group(2) if m.group(2) is not None else m.group(3)
            for m in _ODS_ATTR.finditer(raw)}


def _repeat(attrs: dict[bytes, bytes], name: bytes) -> int:
    value = attrs.get(name, b"1")
    return min(int(value), _MAX_REPEAT) if value.isdigit() and int(value) > 0 else 1


def _ods_unreadable_why(attrs: dict[bytes, bytes]) -> tuple[str, bytes]:
    """What calamine finds wrong with an .ods cell's stored value ("" if it reads it), and
    that value."""
    kind = attrs.get(b"office:value-type")
    if kind in _NUMERIC_TYPES:
        value = attrs.get(b"office:value", b"")
        if value and not _NUMBER_LITERAL.fullmatch(value):
            return "ô kiểu số nhưng giá trị không phải là số", value
    if kind == b"boolean":
        value = attrs.get(b"office:boolean-value", b"")
        if value.strip().lower() not in _BOOLEANS:
            return "ô kiểu đúng/sai nhưng giá trị không phải đúng hay sai", value
    return "", b""


def empty_unreadable_ods_cells(data: bytes) -> tuple[bytes, tuple[CellProblem, ...]]:
    """The .ods package `data` with every cell whose stored value python-calamine cannot
    parse emptied (its repeat and span kept), and a CellProblem "cell_unreadable" naming
    each; `data` itself and () when there is none. A content.xml above MAX_SCANNED_PART_BYTES
    is left alone (the reader refuses it as too large)."""
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        if (ODS_CONTENT not in zf.namelist()
                or zf.getinfo(ODS_CONTENT).file_size > MAX_SCANNED_PART_BYTES):
            return data, ()
        xml = zf.read(ODS_CONTENT)
        fixed, problems = _empty_ods_cells(xml)
        if not problems:
            return data, ()
        return _copy_with(zf, {ODS_CONTENT: fixed}), tuple(problems)


def _empty_ods_cells(xml: bytes) -> tuple[bytes, list[CellProblem]]:
    pieces: list[bytes] = []
    problems: list[CellProblem] = []
    done = row = col = 0
    sheet, row_repeat = "", 1
    pos = 0
    while (m := _ODS_TOKEN.search(xml, pos)) is not None:
        pos = m.end()
        if m.group(1) is not None:  # a table
            sheet = _ods_attrs(m.group(1)).get(b"table:name", b"").decode("utf-8", "replace")
            row = col = 0
        elif m.group(2) is not None:  # a row's start
            row_repeat = _repeat(_ods_attrs(m.group(2)), b"table:number-rows-repeated")
            col = 0
            if m.group(3):  # an empty row
                row += row_repeat
        elif m.group(4) is None:  # a row's end
            row += row_repeat
        else:  # a cell
            attrs = _ods_attrs(m.group(4))
            end = m.end()
            if not m.group(5):  # its content runs to its end tag
                close = _CELL_END.search(xml, end)
                end = close.end() if close else len(xml)
            why, value = _ods_unreadable_why(attrs)
            if why:
                keep = b"".join(
                    b' %s="%s"' % (k, v) for k, v in attrs.items()
                    if k in (b"table:number-columns-repeated", b"table:number-columns-spanned",
                             b"table:number-rows-spanned", b"table:style-name"))
                pieces.append(xml[done:m.start()] + b"<table:table-cell" + keep + b"/>")
                done = end
                problems.append(CellProblem(sheet, cell_a1(row, col), "cell_unreadable",
                                            _stored(value), why))
            col += _repeat(attrs, b"table:number-columns-repeated")
            pos = end
    if not problems:
        return xml, []
    pieces.append(xml[done:])
    return b"".join(pieces), problems
