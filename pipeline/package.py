"""Checks on an Office file before any parser sees it, and a scan of its sheet XML.

`inspect_package` sniffs the first bytes (zip, OLE = encrypted or legacy binary, anything
else), checks the zip directory against size, entry-count and compression-ratio limits
(zip bombs), refuses any XML part that declares a DOCTYPE (XML bombs, XXE) and Excel 4.0
macro sheets, and notes a VBA project (never run). For workbooks it also scans each
worksheet's XML for what value readers hide: formulas without a cached value (calamine and
pandas drop such rows silently) and error cells (#DIV/0!, #REF!, read as '' by calamine).
"""

from __future__ import annotations

import io
import posixpath
import re
import xml.etree.ElementTree as ET
import zipfile
from dataclasses import dataclass
from pathlib import Path

from . import findings as fnd
from .findings import Finding

MAX_FILE_BYTES = 50 * 1024 * 1024
MAX_UNCOMPRESSED_BYTES = 200 * 1024 * 1024
MAX_ZIP_ENTRIES = 2_000
MAX_RATIO = 200  # uncompressed / compressed, for parts above 1 MB
MAX_SCANNED_PART_BYTES = 20 * 1024 * 1024  # sheet XML scanned for formulas and errors

WORKBOOK_PART = "xl/workbook.xml"
WORKBOOK_RELS = "xl/_rels/workbook.xml.rels"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"


class Refused(Exception):
    """The file is refused; carries the finding that says why and what to do."""

    def __init__(self, finding: Finding):
        super().__init__(finding.message)
        self.finding = finding


@dataclass(frozen=True)
class CellProblem:
    sheet: str  # sheet name
    cell: str  # A1
    kind: str  # "formula_no_value" or "error_cell"
    text: str  # the formula, or the error value


@dataclass(frozen=True)
class Package:
    has_vba: bool  # a VBA project is present (ignored, never run)
    cell_problems: tuple[CellProblem, ...]  # workbooks only
    extents: dict[str, tuple[int, int]]  # sheet -> (last row, last column) of its cells


def inspect_package(path: Path, name: str, size: int, expected_part: str,
                    scan_cells: bool = False, data: bytes | None = None) -> Package:
    """Raise Refused with a finding, or describe the package. `data`, when given, is the
    file's content already read (the file is then not opened again)."""
    if size > MAX_FILE_BYTES:
        raise Refused(fnd.make("file_too_large", name,
                               detail=f"{size:,} byte > {MAX_FILE_BYTES:,}"))
    if data is None:
        with path.open("rb") as fh:
            head = fh.read(8)
    else:
        head = data[:8]
    if head.startswith(OLE_MAGIC):
        # An OLE container: an encrypted OOXML file, or a legacy binary .xls/.doc.
        kind = "file_encrypted" if _ole_is_encrypted(path) else "file_legacy_xls"
        raise Refused(fnd.make(kind, name))
    if not head.startswith(ZIP_MAGIC):
        raise Refused(fnd.make("file_not_office", name))
    try:
        with zipfile.ZipFile(path if data is None else io.BytesIO(data)) as zf:
            entries = zf.infolist()
            _check_sizes(entries, name)
            names = {e.filename for e in entries}
            if expected_part not in names:
                raise Refused(fnd.make("file_not_office", name))
            if any(n.startswith(("xl/macrosheets/", "xl/dialogsheets/")) for n in names):
                raise Refused(fnd.make("file_macro_sheet", name))
            xml_parts = [e for e in entries
                         if e.filename.lower().endswith((".xml", ".rels", ".vml"))]
            sheets: dict[str, str] = {}
            if scan_cells:  # the parts that name the sheets are checked before being parsed
                for e in xml_parts:
                    if e.filename in (WORKBOOK_PART, WORKBOOK_RELS):
                        _check_prolog(zf, e, name)
                sheets = _sheet_parts(zf)
            scanned = set(sheets.values())  # the scan checks their prolog on what it reads
            for e in xml_parts:
                if e.filename not in scanned:
                    _check_prolog(zf, e, name)
            has_vba = any(n.lower().endswith("vbaproject.bin") for n in names)
            problems: tuple[CellProblem, ...] = ()
            extents: dict[str, tuple[int, int]] = {}
            if scan_cells:
                problems = tuple(_scan_workbook(zf, sheets, extents, name))
    except zipfile.BadZipFile as e:
        raise Refused(fnd.make("file_unreadable", name,
                               detail=f"tệp nén bị hỏng hoặc chưa chép xong: {e}")) from e
    except (ET.ParseError, KeyError, ValueError) as e:
        raise Refused(fnd.make("file_unreadable", name,
                               detail=f"cấu trúc tệp hỏng: {type(e).__name__}")) from e
    return Package(has_vba=has_vba, cell_problems=problems, extents=extents)


def _check_sizes(entries: list[zipfile.ZipInfo], name: str) -> None:
    if len(entries) > MAX_ZIP_ENTRIES:
        raise Refused(fnd.make("file_too_large", name,
                               detail=f"{len(entries)} phần > {MAX_ZIP_ENTRIES}"))
    total = sum(e.file_size for e in entries)
    if total > MAX_UNCOMPRESSED_BYTES:
        raise Refused(fnd.make("file_too_large", name,
                               detail=f"giải nén {total:,} byte > {MAX_UNCOMPRESSED_BYTES:,}"))
    for e in entries:
        if e.file_size > 1_000_000 and e.file_size > MAX_RATIO * max(e.compress_size, 1):
            raise Refused(fnd.make("file_too_large", name,
                                   detail=f"phần '{e.filename}' nén bất thường"))


def _ole_is_encrypted(path: Path) -> bool:
    # Encrypted OOXML files are OLE containers holding an "EncryptedPackage" stream, whose
    # name is stored in UTF-16 in the container's directory.
    with path.open("rb") as fh:
        head = fh.read(MAX_FILE_BYTES)
    return "EncryptedPackage".encode("utf-16-le") in head


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _sheet_parts(zf: zipfile.ZipFile) -> dict[str, str]:
    """Sheet name -> zip path of its worksheet XML (transitional and strict namespaces)."""
    rels: dict[str, str] = {}
    with zf.open(WORKBOOK_RELS) as fh:
        for el in ET.parse(fh).getroot():
            target = el.get("Target", "")
            path = target.lstrip("/") if target.startswith("/") else posixpath.normpath(
                posixpath.join("xl", target))
            rels[el.get("Id", "")] = path
    out: dict[str, str] = {}
    with zf.open(WORKBOOK_PART) as fh:
        for el in ET.parse(fh).iter():
            if _local(el.tag) == "sheet":
                rid = next((v for k, v in el.attrib.items() if _local(k) == "id"), "")
                if rid in rels:
                    out[el.get("name", "")] = rels[rid]
    return out


PROLOG_LIMIT = 1 << 20  # bytes of an XML part read to find its root element


_PLAIN_START = re.compile(rb"(?:\xef\xbb\xbf)?(?:<\?xml[^<>]*\?>)?\s*<[A-Za-z]")
_DOCTYPE = re.compile(rb"<!doctype", re.IGNORECASE)
FIRST_READ = 4096  # most prologs end within the first bytes


def _check_prolog(zf: zipfile.ZipFile, entry: zipfile.ZipInfo, name: str) -> None:
    """Refuse the file when this part's prolog is not harmless. Only the first bytes are
    decompressed when they already show the root element after at most an XML declaration
    (what every Office writer produces); else up to PROLOG_LIMIT."""
    with zf.open(entry) as part:
        head = part.read(FIRST_READ)
        if _plain_start(head):
            return
        head += part.read(PROLOG_LIMIT - len(head))
    _refuse_bad_prolog(head, entry.filename, name)


def _plain_start(head: bytes) -> bool:
    return bool(_PLAIN_START.match(head)) and not _DOCTYPE.search(head, 0, FIRST_READ)


def _refuse_bad_prolog(head: bytes, part: str, name: str) -> None:
    verdict = "" if _plain_start(head) else _prolog(head[:PROLOG_LIMIT])
    if verdict:
        raise Refused(fnd.make("file_unreadable", name, detail=f"phần '{part}' {verdict}"))


def _prolog(head: bytes) -> str:
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        text = head.decode("utf-16", errors="replace")
    elif head[:2] in (b"<\x00", b"\x00<"):
        text = head.decode("utf-16-le" if head[:1] == b"<" else "utf-16-be", errors="replace")
    else:
        text = head.decode("utf-8", errors="replace").lstrip("\ufeff")
    if "<!DOCTYPE" in text.upper():  # anywhere in the head, well placed or not
        return "chứa khai báo DOCTYPE không an toàn"
    i, n = 0, len(text)
    while i < n:
        if text[i].isspace():
            i += 1
        elif text.startswith("<?", i):
            end = text.find("?>", i)
            i = n if end < 0 else end + 2
        elif text.startswith("<!--", i):
            end = text.find("-->", i)
            i = n if end < 0 else end + 3
        elif text[i:i + 9].upper() == "<!DOCTYPE":
            return "chứa khai báo DOCTYPE không an toàn"
        else:
            return ""  # the root element (or text): the prolog is over
    return "có phần mở đầu quá dài, không tìm thấy nội dung" if len(head) >= PROLOG_LIMIT else ""


_FORMULA = re.compile(rb"<(?:\w+:)?f[\s>/]")  # a cell formula, not <formula1> of a validation
# A formula element starts "<f" or "<x:f": patterns that start with a literal are searched
# several times faster than _FORMULA, which must try every "<".
_FORMULA_HINT = re.compile(rb"<f[\s>/]")
_PREFIXED_FORMULA_HINT = re.compile(rb":f[\s>/]")
# Any r="B12" attribute (cells, in any attribute order or quoting): over-counting the extent
# only refuses sooner.
_CELL_REF = re.compile(rb"r\s*=\s*[\"']([A-Z]{1,3})([0-9]{1,7})[\"']")


def _scan_workbook(zf: zipfile.ZipFile, sheets: dict[str, str],
                   extents: dict[str, tuple[int, int]], name: str):
    names = set(zf.namelist())
    for sheet, part in sheets.items():
        if part not in names:
            extents[sheet] = (10**9, 10**9)  # no such part: nothing to read
            continue
        info = zf.getinfo(part)
        if info.file_size > MAX_SCANNED_PART_BYTES:
            _check_prolog(zf, info, name)
            extents[sheet] = (10**9, 10**9)  # too big to scan: too big to read
            continue
        data = zf.read(part)
        _refuse_bad_prolog(data, part, name)
        hint = _FORMULA_HINT.search(data) or _PREFIXED_FORMULA_HINT.search(data)
        if (hint and _FORMULA.search(data)) or b't="e"' in data:
            yield from _scan_sheet(sheet, io.BytesIO(data), extents)
        else:  # no formula, no error cell: only the extent is needed, by a byte scan
            refs = _CELL_REF.findall(data)
            max_row = max((int(row) for row in {row for _col, row in refs}), default=0)
            max_col = max((_rowcol(col.decode())[1] for col in {col for col, _row in refs}),
                          default=0)
            extents[sheet] = (max_row, max_col)


def _rowcol(ref: str) -> tuple[int, int]:
    col = row = 0
    for ch in ref:
        if "A" <= ch <= "Z":
            col = col * 26 + ord(ch) - 64
        elif ch.isdigit():
            row = row * 10 + ord(ch) - 48
    return row, col


def _scan_sheet(sheet: str, fh, extents: dict[str, tuple[int, int]]):
    """Formula cells without a cached value and error cells, streaming the sheet XML; and
    the sheet's extent, so that no reader is asked to build an enormous grid."""
    max_row = max_col = 0
    for _event, el in ET.iterparse(fh, events=("end",)):
        tag = _local(el.tag)
        if tag == "dimension":
            r, c = _rowcol(el.get("ref", "A1").split(":")[-1])
            max_row, max_col = max(max_row, r), max(max_col, c)
            continue
        if tag != "c":
            continue
        ref = el.get("r", "")
        r, c = _rowcol(ref)
        max_row, max_col = max(max_row, r), max(max_col, c)
        kind = el.get("t")
        formula = value = None
        for child in el:
            tag = _local(child.tag)
            if tag == "f":
                formula = child.text or "(công thức dùng chung)"
            elif tag == "v":
                value = child.text or ""
        if kind == "e":
            yield CellProblem(sheet, ref, "error_cell", value or "#?")
        elif formula is not None and (value is None or (value == "" and kind != "str")):
            # No cached result (an empty text result, t="str", is a real value).
            yield CellProblem(sheet, ref, "formula_no_value", "=" + formula)
        el.clear()
    extents[sheet] = (max_row, max_col)
