"""Checks on an Office file before any parser sees it, and a scan of its sheet XML.

`inspect_package` sniffs the first bytes (zip, OLE = encrypted or legacy binary, anything
else), checks the zip directory against size, entry-count and compression-ratio limits
(zip bombs), refuses any XML part that declares a DOCTYPE (XML bombs, XXE) and Excel 4.0
macro sheets, and notes a VBA project (never run). For workbooks it also scans each
worksheet's XML for what value readers hide: formulas without a cached value (calamine and
pandas drop such rows silently), error cells (#DIV/0!, #REF!, read as '' by calamine) and
cells with a percent number format (calamine gives 0,015 for "1,5%" and no formats).

`sniff` tells a file's kind from its bytes, never from its name: .xlsx/.xlsm, .xls (BIFF in
an OLE container), .ods, .docx, .doc, .odt, .rtf, and the things units send by mistake
(encrypted files, .xlsb, archives, PDF, images, CSV). The same scans run on .ods
(content.xml) and .xls (xlrd, formats only; values come from calamine for every kind).
"""

from __future__ import annotations

import contextlib
import io
import posixpath
import re
import xml.etree.ElementTree as ET
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, NoReturn

from pipeline.core import findings as fnd
from pipeline.core import fmt
from pipeline.core.findings import Finding
from pipeline.read.model import open_regular

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


class WrongKind(Exception):
    """The file is of another kind the pipeline reads (a workbook named .docx, a .doc named
    .docx...): the reader reads it as that kind."""

    def __init__(self, kind: str):
        super().__init__(kind)
        self.kind = kind


READ_KINDS = ("xlsx", "xls", "ods", "docx", "doc", "odt", "rtf")


@dataclass(frozen=True)
class CellProblem:
    sheet: str  # sheet name
    cell: str  # A1
    kind: str  # "formula_no_value", "error_cell" or "cell_unreadable"
    text: str  # the formula, the error value, or the value as stored
    detail: str = ""  # what is wrong with a "cell_unreadable" value, in Vietnamese


MISSING_PART = (-1, -1)  # the extent of a sheet whose part the package lacks


@dataclass(frozen=True)
class Package:
    has_vba: bool  # a VBA project is present (ignored, never run)
    cell_problems: tuple[CellProblem, ...]  # workbooks only
    extents: dict[str, tuple[int, int]]  # sheet -> (last row, last column), or MISSING_PART
    percent_cells: frozenset[tuple[str, str]] = frozenset()  # (sheet, A1) shown as percent
    merges: tuple[tuple[str, str], ...] = ()  # (sheet, "E6:F6"), where the reader cannot ask


# --- what kind of file is it ----------------------------------------------------------------
WORKBOOK_KINDS = ("xlsx", "xls", "ods")
NARRATIVE_KINDS = ("docx",)
CONVERTIBLE_KINDS = ("doc", "odt", "rtf")  # narratives LibreOffice turns into .docx
KIND_NAMES = {"doc": "Word 97-2003 (.doc)", "odt": "OpenDocument (.odt)",
              "rtf": "Rich Text (.rtf)"}
_IMAGES = ((b"\x89PNG", "PNG"), (b"\xff\xd8\xff", "JPEG"), (b"GIF8", "GIF"),
           (b"II*\x00", "TIFF"), (b"MM\x00*", "TIFF"))
_ODF = {b"application/vnd.oasis.opendocument.spreadsheet": "ods",
        b"application/vnd.oasis.opendocument.text": "odt"}


def sniff(data: bytes, suffix: str = "") -> tuple[str, str]:
    """(kind, detail) of a file from its first bytes (and, for zip and OLE containers, the
    names inside). `suffix` only words the detail of plain text files."""
    head = data[:8]
    if head.startswith(OLE_MAGIC):
        return _ole_kind(_ole_streams(data)), ""
    if head.startswith((ZIP_MAGIC, b"PK\x05\x06")):
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as zf:
                names = set(zf.namelist())
                mimetype = zf.read("mimetype")[:80].strip() if "mimetype" in names else b""
        except (zipfile.BadZipFile, OSError, ValueError, RuntimeError):
            return "damaged", ""
        return _zip_kind(names, mimetype), "zip"
    return _plain_kind(data, suffix)


def _ole_kind(streams: set[str]) -> str:
    """What an OLE container holds, by the names of its streams."""
    if "encryptedpackage" in streams:
        return "encrypted"
    if "workbook" in streams or "book" in streams:
        return "xls"
    if "worddocument" in streams:
        return "doc"
    return "ole"


def _plain_kind(data: bytes, suffix: str) -> tuple[str, str]:
    """(kind, detail) of a file that is neither zip nor OLE, by its magic bytes."""
    head = data[:8]
    magics = ((b"%PDF", ("pdf", "")), (b"{\\rtf", ("rtf", "")), (b"Rar!", ("archive", "rar")),
              (b"7z\xbc\xaf", ("archive", "7z")))
    for magic, found in magics:
        if head.startswith(magic):
            return found
    for magic, label in _IMAGES:
        if head.startswith(magic):
            return "image", label
    if head.startswith(b"RIFF") and data[8:12] == b"WEBP":
        return "image", "WEBP"
    if suffix in (".csv", ".txt", ".tsv"):
        return "text", suffix
    return "unknown", ""


def head_bytes(path: Path) -> bytes:
    """The first 64 bytes of a file: enough for every magic number `sniff` knows (opened
    without blocking: NotRegular for a FIFO or a device)."""
    with open_regular(path) as (fh, _stat):
        return fh.read(64)


_MAIN_PART = {"xlsx": WORKBOOK_PART, "docx": "word/document.xml", "ods": "content.xml",
              "odt": "content.xml"}  # the part each zip kind cannot be read without


def _zip_kind(names: set[str], mimetype: bytes) -> str:
    if WORKBOOK_PART in names:
        return "xlsx"
    if "xl/workbook.bin" in names:
        return "xlsb"
    if "word/document.xml" in names:
        return "docx"
    return _ODF.get(mimetype, "archive")


def _ole_streams(data: bytes) -> set[str]:
    """Lower-case names of the streams at the root of an OLE container ('' on damage)."""
    import olefile

    try:
        with olefile.OleFileIO(io.BytesIO(data)) as ole:
            return {entry[0].lower() for entry in ole.listdir(streams=True, storages=True)
                    if entry}
    except Exception:  # olefile raises several types on a damaged container
        # The directory names its streams in UTF-16: enough to tell what the file meant to be.
        return {n.lower() for n in ("EncryptedPackage", "Workbook", "Book", "WordDocument")
                if n.encode("utf-16-le") in data}


REFUSALS = {
    "encrypted": "file_encrypted", "xlsb": "file_xlsb", "archive": "file_archive",
    "pdf": "file_pdf", "image": "file_image", "text": "file_csv", "ole": "file_ole_unknown",
    "unknown": "file_not_office",
}


def refusal(kind: str, detail: str, name: str) -> Finding:
    """The finding for a file whose kind the pipeline does not read."""
    if kind == "damaged":
        return fnd.make("file_unreadable", name,
                        detail="tệp nén bị hỏng hoặc chưa chép xong")
    return fnd.make(REFUSALS.get(kind, "file_not_office"), name, detail=detail)


def inspect_package(path: Path, name: str, size: int, expected_part: str,
                    scan_cells: bool = False, data: bytes | None = None,
                    skip_sheets: tuple[str, ...] = ()) -> Package:
    """Raise Refused with a finding, or describe the package. `data`, when given, is the
    file's content already read (the file is then not opened again). `expected_part` names
    the part the kind needs: "xl/workbook.xml", "content.xml" (.ods) or "word/document.xml";
    a legacy .xls (OLE) is scanned with xlrd when `data` is given. `skip_sheets` are not
    scanned for cells (sheets the reader never reads; their XML is still checked)."""
    if size > MAX_FILE_BYTES:
        raise Refused(fnd.make("file_too_large", name,
                               detail=f"{fmt.number(size)} byte > {fmt.number(MAX_FILE_BYTES)}"))
    head = head_bytes(path)[:8] if data is None else data[:8]
    if not head.startswith(ZIP_MAGIC):
        return _not_zip(path, name, head, expected_part, scan_cells, data)
    try:
        with zipfile.ZipFile(path if data is None else io.BytesIO(data)) as zf:
            return _inspect_zip(zf, name, expected_part, scan_cells, skip_sheets)
    except zipfile.BadZipFile as e:
        raise Refused(fnd.make("file_unreadable", name,
                               detail=f"tệp nén bị hỏng hoặc chưa chép xong: {e}")) from e
    except (ET.ParseError, KeyError, ValueError) as e:
        raise Refused(fnd.make("file_unreadable", name,
                               detail=f"cấu trúc tệp hỏng: {type(e).__name__}")) from e


def _not_zip(path: Path, name: str, head: bytes, expected_part: str, scan_cells: bool,
             data: bytes | None) -> Package:
    """An OLE container (a legacy .xls is read, a .doc goes to conversion, an encrypted or
    other one is refused) or anything else (refused with words that fit its kind)."""
    if head.startswith(OLE_MAGIC):
        kind, detail = sniff(data if data is not None else path.read_bytes())
        if kind == "xls" and expected_part in (WORKBOOK_PART, ODS_CONTENT) and data is not None:
            return _scan_xls(data, name) if scan_cells else Package(False, (), {})
    else:
        kind, detail = sniff(data if data is not None else head_bytes(path), path.suffix.lower())
    if kind in READ_KINDS:
        raise WrongKind(kind)
    raise Refused(refusal(kind, detail, name))


def _not_expected(zf: zipfile.ZipFile, names: set[str], name: str, expected_part: str
                  ) -> NoReturn:
    """A zip without the part asked for: another kind the reader reads (WrongKind: it tries
    that one), the kind asked for without its main part (damaged), or anything else."""
    mimetype = zf.read("mimetype")[:80].strip() if "mimetype" in names else b""
    kind = _zip_kind(names, mimetype)
    if kind in READ_KINDS and _MAIN_PART.get(kind) != expected_part:
        raise WrongKind(kind)
    if kind in READ_KINDS:
        raise Refused(fnd.make("file_not_office", name))
    raise Refused(refusal(kind, "zip", name))


def _inspect_zip(zf: zipfile.ZipFile, name: str, expected_part: str, scan_cells: bool,
                 skip_sheets: tuple[str, ...]) -> Package:
    """Sizes, kind, macro sheets and every XML prolog of a zip package; then its cells."""
    entries = zf.infolist()
    _check_sizes(entries, name)
    names = {e.filename for e in entries}
    if expected_part not in names:
        _not_expected(zf, names, name, expected_part)
    if any(n.startswith(("xl/macrosheets/", "xl/dialogsheets/")) for n in names):
        raise Refused(fnd.make("file_macro_sheet", name))
    xml_parts = [e for e in entries if e.filename.lower().endswith((".xml", ".rels", ".vml"))]
    if expected_part == ODS_CONTENT:  # OpenDocument: every XML part checked, then content.xml
        for e in xml_parts:
            _check_prolog(zf, e, name)
        return _scan_ods(zf, name) if scan_cells else Package(False, (), {})
    sheets: dict[str, str] = {}
    if scan_cells:  # the parts that name the sheets are checked before being parsed
        for e in xml_parts:
            if e.filename in (WORKBOOK_PART, WORKBOOK_RELS):
                _check_prolog(zf, e, name)
        sheets = {k: v for k, v in sheet_parts(zf).items() if k not in skip_sheets}
    scanned = set(sheets.values())  # the scan checks their prolog on what it reads
    for e in xml_parts:
        if e.filename not in scanned:
            _check_prolog(zf, e, name)
    has_vba = any(n.lower().endswith("vbaproject.bin") for n in names)
    if not scan_cells:
        return Package(has_vba, (), {})
    extents: dict[str, tuple[int, int]] = {}
    percent: set[tuple[str, str]] = set()
    styles = _percent_styles(zf, names)
    problems = tuple(_scan_workbook(zf, sheets, extents, name, styles, percent))
    return Package(has_vba=has_vba, cell_problems=problems, extents=extents,
                   percent_cells=frozenset(percent))


def _check_sizes(entries: list[zipfile.ZipInfo], name: str) -> None:
    if len(entries) > MAX_ZIP_ENTRIES:
        raise Refused(fnd.make("file_too_large", name,
                               detail=f"{len(entries)} phần > {MAX_ZIP_ENTRIES}"))
    total = sum(e.file_size for e in entries)
    if total > MAX_UNCOMPRESSED_BYTES:
        raise Refused(fnd.make("file_too_large", name,
                               detail=f"giải nén {fmt.number(total)} byte > "
                                      f"{fmt.number(MAX_UNCOMPRESSED_BYTES)}"))
    for e in entries:
        if e.file_size > 1_000_000 and e.file_size > MAX_RATIO * max(e.compress_size, 1):
            raise Refused(fnd.make("file_too_large", name,
                                   detail=f"phần '{e.filename}' nén bất thường"))


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def sheet_parts(zf: zipfile.ZipFile) -> dict[str, str]:
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
                   extents: dict[str, tuple[int, int]], name: str, styles: frozenset[int],
                   percent: set[tuple[str, str]]) -> Iterator[CellProblem]:
    names = set(zf.namelist())
    for sheet, part in sheets.items():
        if part not in names:
            extents[sheet] = MISSING_PART  # named in the workbook, but no such part
            continue
        info = zf.getinfo(part)
        if info.file_size > MAX_SCANNED_PART_BYTES:  # too big to scan: too big to read
            _check_prolog(zf, info, name)
            extents[sheet] = _streamed_extent(zf, info)  # for the finding to say how big
            continue
        data = zf.read(part)
        _refuse_bad_prolog(data, part, name)
        hint = _FORMULA_HINT.search(data) or _PREFIXED_FORMULA_HINT.search(data)
        if styles:  # cells shown as percent ("1,5%" typed is stored as 0,015)
            for attrs in _CELL_TAG.findall(data):
                s_attr, r_attr = _S_ATTR.search(attrs), _R_ATTR.search(attrs)
                if s_attr and r_attr and int(s_attr.group(1)) in styles:
                    percent.add((sheet, r_attr.group(1).decode()))
        if (hint and _FORMULA.search(data)) or b't="e"' in data:
            yield from _scan_sheet(sheet, io.BytesIO(data), extents)
        else:  # no formula, no error cell: only the extent is needed, by a byte scan
            extents[sheet] = _ref_extent(data)


def _ref_extent(data: bytes, row: int = 0, col: int = 0) -> tuple[int, int]:
    """The last row and column named by a cell address in `data`, or (row, col) if more."""
    refs = _CELL_REF.findall(data)
    max_row = max((int(r) for r in {r for _c, r in refs}), default=0)
    max_col = max((rowcol(c.decode())[1] for c in {c for c, _r in refs}), default=0)
    return max(row, max_row), max(col, max_col)


STREAM_CHUNK = 1 << 20  # bytes of a part decompressed at a time


def _streamed_extent(zf: zipfile.ZipFile, info: zipfile.ZipInfo) -> tuple[int, int]:
    """The real extent of a sheet part too large to scan whole (a 200.000-row sheet), from
    its cells' addresses, one chunk in memory at a time; the zip's size limits bound the
    time. The chunks overlap so that an address cut in two is still read once whole."""
    extent = (0, 0)
    tail = b""
    with zf.open(info) as part:
        while chunk := part.read(STREAM_CHUNK):
            window = tail + chunk
            extent = _ref_extent(window, *extent)
            tail = window[-64:]  # longer than any r="XFD1048576" attribute
    return extent


_CELL_TAG = re.compile(rb"<c\s([^>]*)>")
_S_ATTR = re.compile(rb"\bs\s*=\s*[\"'](\d+)[\"']")
_R_ATTR = re.compile(rb"\br\s*=\s*[\"']([A-Z]{1,3}[0-9]{1,7})[\"']")
_PERCENT_HINT = re.compile(rb"%|numFmtId\s*=\s*[\"'](?:9|10)[\"']")
BUILTIN_PERCENT = {9, 10}  # 0% and 0.00%


def is_percent_format(code: str) -> bool:
    """A number format code that shows a percent sign: '0.0%', not '"%"' in quotes or '\\%'."""
    code = re.sub(r'"[^"]*"|\\.|\[[^\]]*\]', "", code)
    return "%" in code


def _percent_styles(zf: zipfile.ZipFile, names: set[str]) -> frozenset[int]:
    """Indexes of the cell formats (styles.xml cellXfs) whose number format is a percent."""
    part = "xl/styles.xml"
    if part not in names:
        return frozenset()
    data = zf.read(part)
    if not _PERCENT_HINT.search(data):  # the usual case: no percent format at all
        return frozenset()
    root = ET.fromstring(data)
    codes: dict[int, str] = {}
    xfs: list[int] = []
    for el in root:
        tag = _local(el.tag)
        if tag == "numFmts":
            for f in el:
                with contextlib.suppress(ValueError):
                    codes[int(f.get("numFmtId", "-1"))] = f.get("formatCode", "")
        elif tag == "cellXfs":
            for xf in el:
                try:
                    xfs.append(int(xf.get("numFmtId", "0")))
                except ValueError:
                    xfs.append(0)
    return frozenset(i for i, fid in enumerate(xfs)
                     if fid in BUILTIN_PERCENT or is_percent_format(codes.get(fid, "")))


def rowcol(ref: str) -> tuple[int, int]:
    col = row = 0
    for ch in ref:
        if "A" <= ch <= "Z":
            col = col * 26 + ord(ch) - 64
        elif ch.isdigit():
            row = row * 10 + ord(ch) - 48
    return row, col


def _scan_sheet(sheet: str, fh: IO[bytes], extents: dict[str, tuple[int, int]]
                ) -> Iterator[CellProblem]:
    """Formula cells without a cached value and error cells, streaming the sheet XML; and
    the sheet's extent, so that no reader is asked to build an enormous grid. The extent is
    the cells' (as in the byte scan): the <dimension> element is only what the writer
    claims, and calamine sizes its grid by the cells, never by it."""
    max_row = max_col = 0
    for _event, el in ET.iterparse(fh, events=("end",)):
        tag = _local(el.tag)
        if tag != "c":
            continue
        ref = el.get("r", "")
        r, c = rowcol(ref)
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


# --- OpenDocument spreadsheets (.ods) ---------------------------------------------------------
ODS_CONTENT = "content.xml"
_T = "{urn:oasis:names:tc:opendocument:xmlns:table:1.0}"
_O = "{urn:oasis:names:tc:opendocument:xmlns:office:1.0}"
_CALCEXT = "{urn:org:documentfoundation:names:experimental:calc:xmlns:calcext:1.0}"
_VALUE_ATTRS = tuple(f"{_O}{a}" for a in ("value", "string-value", "boolean-value",
                                          "date-value", "time-value"))
_MAX_REPEAT = 16_384  # repeated cells that carry a value: beyond this the extent refuses


def _scan_ods(zf: zipfile.ZipFile, name: str) -> Package:
    """What content.xml says that calamine does not: error cells, formulas without a value,
    percent cells, merged ranges, and each table's extent (rows and columns with content)."""
    if ODS_CONTENT not in zf.namelist():
        raise Refused(fnd.make("file_not_office", name))
    info = zf.getinfo(ODS_CONTENT)
    if info.file_size > MAX_SCANNED_PART_BYTES:
        raise Refused(fnd.make("file_too_large", name, detail="content.xml quá lớn"))
    scan = _OdsScan()
    with zf.open(info) as fh:
        for event, el in ET.iterparse(fh, events=("start", "end")):
            if event == "start":
                scan.start(el)
            else:
                scan.end(el)
    return Package(False, tuple(scan.problems), scan.extents, frozenset(scan.percent),
                   tuple(scan.merges))


class _OdsScan:
    """The running state of a content.xml scan: the table, row and column being read (rows
    and cells may be repeated) and what was found so far."""

    def __init__(self) -> None:
        self.problems: list[CellProblem] = []
        self.percent: set[tuple[str, str]] = set()
        self.merges: list[tuple[str, str]] = []
        self.extents: dict[str, tuple[int, int]] = {}
        self.sheet, self.row, self.col, self.row_rep = "", 0, 0, 1
        self.max_row = self.max_col = 0

    def start(self, el: ET.Element) -> None:
        if el.tag == f"{_T}table":
            self.sheet, self.row, self.max_row, self.max_col = el.get(f"{_T}name", ""), 0, 0, 0
        elif el.tag == f"{_T}table-row":
            self.col = 0
            self.row_rep = _count(el.get(f"{_T}number-rows-repeated"))

    def end(self, el: ET.Element) -> None:
        tag = el.tag
        if tag in (f"{_T}table-cell", f"{_T}covered-table-cell"):
            rep = _count(el.get(f"{_T}number-columns-repeated"))
            if tag == f"{_T}table-cell" and (el.get(f"{_O}value-type") or len(el)
                                            or el.get(f"{_T}formula")):
                self.cell(el, rep)
            self.col += rep
            el.clear()
        elif tag == f"{_T}table-row":
            self.row += self.row_rep
            el.clear()
        elif tag == f"{_T}table":
            self.extents[self.sheet] = (self.max_row, self.max_col)
            el.clear()

    def cell(self, el: ET.Element, rep: int) -> None:
        """A cell with content (repeated `rep` times across)."""
        sheet, row, col = self.sheet, self.row, self.col
        a1 = cell_a1(row, col)
        formula = el.get(f"{_T}formula")
        if el.get(f"{_O}value-type") == "percentage":
            self.percent.update((sheet, cell_a1(row, c)) for c in range(col, col + min(rep, 256)))
        if el.get(f"{_CALCEXT}value-type") == "error":
            text = "".join(el.itertext()).strip() or "#?"
            self.problems.append(CellProblem(sheet, a1, "error_cell", text[:30]))
        elif formula and not any(el.get(a) is not None for a in _VALUE_ATTRS):
            self.problems.append(CellProblem(sheet, a1, "formula_no_value",
                                             formula.split(":", 1)[-1][:200]))
        spans = (_count(el.get(f"{_T}number-rows-spanned")),
                 _count(el.get(f"{_T}number-columns-spanned")))
        if spans != (1, 1):
            self.merges.append((sheet, f"{a1}:{cell_a1(row + spans[0] - 1, col + spans[1] - 1)}"))
        self.max_row = max(self.max_row, row + min(self.row_rep, _MAX_REPEAT * 64))
        self.max_col = max(self.max_col, col + rep)


def _count(text: str | None) -> int:
    try:
        return max(1, int(text or 1))
    except ValueError:
        return 1


def cell_a1(row0: int, col0: int) -> str:
    letters = ""
    n = col0 + 1
    while n:
        n, rem = divmod(n - 1, 26)
        letters = chr(65 + rem) + letters
    return f"{letters}{row0 + 1}"


# --- legacy Excel 97-2003 (.xls) --------------------------------------------------------------
def _scan_xls(data: bytes, name: str) -> Package:
    """Error cells, percent cells, merged ranges and extents of a BIFF workbook, from xlrd
    (formats only: calamine reads the values, as for every other kind)."""
    import xlrd

    try:
        book = xlrd.open_workbook(file_contents=data, formatting_info=True, on_demand=True,
                                  logfile=io.StringIO())
    except Exception as e:  # xlrd raises many types on damaged or crafted files
        if "encrypt" in str(e).lower():  # BIFF's own XOR / RC4 password protection
            raise Refused(fnd.make("file_encrypted", name)) from e
        raise Refused(fnd.make("file_unreadable", name,
                               detail="tệp .xls bị hỏng")) from e
    try:
        styles = {i for i, xf in enumerate(book.xf_list)
                  if (f := book.format_map.get(xf.format_key)) is not None
                  and is_percent_format(f.format_str)}
        problems: list[CellProblem] = []
        percent: set[tuple[str, str]] = set()
        merges: list[tuple[str, str]] = []
        extents: dict[str, tuple[int, int]] = {}
        for index in range(book.nsheets):
            sh = book.sheet_by_index(index)
            extents[sh.name] = (sh.nrows, sh.ncols)
            for rlo, rhi, clo, chi in sh.merged_cells:
                merges.append((sh.name, f"{cell_a1(rlo, clo)}:{cell_a1(rhi - 1, chi - 1)}"))
            if sh.nrows * sh.ncols > 1_000_000:
                continue  # the reader refuses a sheet this large
            for r in range(sh.nrows):
                for c in range(sh.row_len(r)):
                    ctype = sh.cell_type(r, c)
                    if ctype == xlrd.XL_CELL_ERROR:
                        text = xlrd.error_text_from_code.get(sh.cell_value(r, c), "#?")
                        problems.append(CellProblem(sh.name, cell_a1(r, c), "error_cell", text))
                    elif (styles and ctype == xlrd.XL_CELL_NUMBER
                          and sh.cell_xf_index(r, c) in styles):
                        percent.add((sh.name, cell_a1(r, c)))
            book.unload_sheet(index)
    finally:
        book.release_resources()
    return Package(False, tuple(problems), extents, frozenset(percent), tuple(merges))
