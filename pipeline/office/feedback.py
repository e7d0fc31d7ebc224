"""Feedback: an annotated copy of a unit's workbook, to send back for correction.

The copy opens on a first sheet "Lỗi" listing every finding with a link to its cell or range;
each cell with a finding is coloured by its worst severity and carries a Vietnamese comment
(a merged cell's comment goes on the merge's top-left cell; a range's on its first cell). The
unit's original file is only read (nothing executed) and never written.

- .xlsx (also .xlsm, .xltx): opened with openpyxl, so the unit's layout is kept.
- .xls (BIFF) and .ods, which openpyxl cannot open: the copy is an .xlsx rebuilt from the
  values (python-calamine), at the same addresses; the "Lỗi" sheet says the formatting was
  not kept.
- anything else, or a file that fails to open: the "Lỗi" sheet alone, without links.

A file the pipeline refused altogether (damaged, password, PDF, image...) gets
`refusal_note`: the "Lỗi" sheet alone, saying what to do.
"""

from __future__ import annotations

import io
import zipfile
from collections import defaultdict
from collections.abc import Mapping, Sequence
from pathlib import Path

from openpyxl import Workbook, load_workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.utils.cell import range_boundaries
from openpyxl.worksheet.hyperlink import Hyperlink
from openpyxl.worksheet.worksheet import Worksheet

from pipeline.catalogue.layout import CHOICES_SHEET
from pipeline.core.findings import Finding, Severity
from pipeline.core.limits import LimitExceeded, run_limited
from pipeline.core.text import output_name, shown_name
from pipeline.core.xlsx import (
    HEADER_FILL,
    SEVERITY_FILL,
    print_setup,
    put,
    row_height,
    wrapped_lines,
)
from pipeline.read.salvage import empty_unreadable_cells, empty_unreadable_ods_cells

FEEDBACK_SHEET = "Lỗi"
RANK = {Severity.ERROR: 0, Severity.WARNING: 1, Severity.INFO: 2}
HEADERS = ["STT", "Mức độ", "Trang", "Ô", "Chỉ tiêu", "Năm", "Giá trị", "Nội dung và cách sửa",
           "Mã chỉ tiêu"]
WIDTHS = [5, 10, 12, 9, 30, 7, 14, 62, 16]
HEADER_ROW = 4  # findings from row 5
MESSAGE_COL = HEADERS.index("Nội dung và cách sửa") + 1
WRAPPED = {HEADERS.index(h) + 1 for h in ("Trang", "Ô", "Chỉ tiêu", "Giá trị",
                                          "Nội dung và cách sửa", "Mã chỉ tiêu")}
MAX_RANGE_CELLS = 500  # a range finding colours at most this many cells
MAX_COPY_CELLS = 1_000_000  # values copied from an .xls/.ods, beyond which the copy stops
XLS_MAGIC = b"\xd0\xcf\x11\xe0"  # OLE compound file: .xls (or an encrypted package)
ODS_MIME = b"application/vnd.oasis.opendocument.spreadsheet"
HELP = ("Bấm vào địa chỉ ô để đến ô cần sửa. Ô màu cam: lỗi (số liệu chưa được dùng); "
        "màu vàng: cảnh báo (cần kiểm tra); màu xanh: thông tin. Sửa trong tệp gốc "
        "của đơn vị rồi gửi lại, không gửi tệp góp ý này.")
AUTHOR = "Sở KH&CN"


def feedback_name(source: Path) -> str:
    """`<stem>_gop_y.xlsx`; a source that is not .xlsx keeps its kind in the name
    (`KHTC_pdf_gop_y.xlsx`), so that KHTC.pdf and KHTC.xlsx never share a feedback file."""
    suffix = source.suffix.lower().lstrip(".")
    tail = "" if suffix in ("xlsx", "") else f"_{suffix}"
    return output_name(f"{source.stem}{tail}", "_gop_y.xlsx")  # printable, never too long


def annotate_workbook(source: Path, findings: Sequence[Finding], out: Path,
                      labels: Mapping[str, str] | None = None) -> Path:
    """Write the annotated copy of `source` to `out` (an .xlsx); the source is only read.

    `labels` maps an indicator key (`Finding.indicator`, e.g. "chi_khcn.dtpt") to its
    Vietnamese label, shown in the "Chỉ tiêu" column with the key beside it. Never raises
    on the source's content: a file that cannot be opened gives the "Lỗi" sheet alone, and a
    finding whose sheet or cell is not in the workbook is listed without a link.

    The copy is made in a child process under the reader's time and memory limits (a 49 MB
    workbook must not take the run's memory or minutes); when it cannot be made there, the
    "Lỗi" sheet alone is written, saying why.
    """
    try:
        return run_limited(_annotate, (source, findings, out, labels))
    except LimitExceeded as e:
        return _annotate(source, findings, out, labels, failed=e.reason)


def _annotate(source: Path, findings: Sequence[Finding], out: Path,
              labels: Mapping[str, str] | None, failed: str = "") -> Path:
    """The annotated copy, made in this process; with `failed` (why the copy could not be
    made in a child), the "Lỗi" sheet alone, saying so."""
    note = ""
    if failed:
        wb, kind = _empty(), None
        note = (f"Không dựng được bản sao có đánh dấu của tệp ({failed}); danh sách dưới đây "
                "vẫn đủ mọi vấn đề của tệp.")
    else:
        wb, kind = _open_copy(source)
    if kind in ("xls", "ods"):
        note = (f"Bản góp ý này được dựng lại từ giá trị các ô của tệp .{kind} (không giữ "
                "định dạng, công thức, ô gộp và danh sách chọn của tệp gốc).")
    ws, listed = _findings_sheet(wb, f"GÓP Ý VỀ TỆP '{shown_name(source.name)}'", HELP, note,
                                 findings, labels)
    by_cell: dict[tuple[str, str], list[Finding]] = defaultdict(list)  # coloured
    noted: dict[tuple[str, str], list[Finding]] = defaultdict(list)  # commented
    for r, f in listed:
        if kind is None or f.sheet not in wb.sheetnames or f.sheet == ws.title:
            continue
        target = wb[f.sheet]
        cells = _cells_of(target, f.cell)
        if not cells:
            continue
        link = ws.cell(r, 4)
        link.hyperlink = Hyperlink(ref=link.coordinate,
                                   location=f"{_quote(f.sheet)}!{f.cell.replace('$', '')}")
        link.style = "Hyperlink"
        link.alignment = Alignment(vertical="top", wrap_text=True)
        for ref in cells:
            by_cell[(f.sheet, ref)].append(f)
        noted[(f.sheet, cells[0])].append(f)
    for (sheet, ref), found in by_cell.items():
        cell = wb[sheet][ref]
        cell.fill = SEVERITY_FILL[min(found, key=lambda f: RANK[f.severity]).severity]
    for (sheet, ref), found in noted.items():
        cell = wb[sheet][ref]
        text = "\n".join(f"[{f.severity.label}] {f.message}" for f in found)
        if cell.comment is not None:
            text = cell.comment.text + "\n" + text
        comment = Comment(text[:30_000], AUTHOR)
        comment.width, comment.height = 420, 160
        cell.comment = comment
    return _save(wb, out)


def refusal_note(file_name: str, findings: Sequence[Finding], out: Path) -> Path:
    """A short note for a file the pipeline could not read at all (damaged, password, PDF,
    image...): an .xlsx holding only the "Lỗi" sheet, one line per finding saying what to do.
    Written into the folder `out` as `feedback_name(file)`; returns its path."""
    name = shown_name(Path(file_name).name)
    wb = _empty()
    _findings_sheet(wb, f"TỆP '{name}' CHƯA ĐỌC ĐƯỢC",
                    "Tệp này chưa đọc được nên chưa có số liệu nào của tệp được dùng. Hãy "
                    "làm theo hướng dẫn ở cột 'Nội dung và cách sửa' rồi gửi lại tệp.",
                    "", findings, None)
    return _save(wb, out / feedback_name(Path(name)))


# --- the "Lỗi" sheet ---------------------------------------------------------------------------
def _findings_sheet(wb: Workbook, title: str, intro: str, note: str,
                    findings: Sequence[Finding], labels: Mapping[str, str] | None,
                    ) -> tuple[Worksheet, list[tuple[int, Finding]]]:
    """The "Lỗi" sheet, first in `wb`: title, intro, an optional note, then one row per
    finding (errors first). Returns the sheet and each listed (row, finding)."""
    ordered = sorted(findings, key=lambda f: (RANK[f.severity], f.sheet, _cell_key(f.cell)))
    name = FEEDBACK_SHEET
    n = 2
    while name in wb.sheetnames:
        name, n = f"{FEEDBACK_SHEET} ({n})", n + 1
    ws = wb.create_sheet(name, 0)
    for c, w in enumerate(WIDTHS, start=1):
        ws.column_dimensions[get_column_letter(c)].width = w
    total = sum(WIDTHS)
    ws["A1"] = f"{title}: {len(ordered)} vấn đề"
    ws["A1"].font = Font(bold=True, size=13)
    ws.row_dimensions[1].height = max(24.0, row_height(wrapped_lines(ws["A1"].value, total,
                                                                     13, True), 13))
    for r, text, font in ((2, intro, Font()), (3, note, Font(italic=True))):
        if not text:
            continue
        ws.cell(r, 1, text).font = font
        ws.cell(r, 1).alignment = Alignment(wrap_text=True, vertical="top")
        ws.merge_cells(start_row=r, start_column=1, end_row=r, end_column=len(HEADERS))
        ws.row_dimensions[r].height = row_height(wrapped_lines(text, total))
    for c, h in enumerate(HEADERS, start=1):
        cell = ws.cell(HEADER_ROW, c, h)
        cell.font = Font(bold=True)
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="center", horizontal="center")
    ws.row_dimensions[HEADER_ROW].height = row_height(max(
        wrapped_lines(h, w, bold=True) for h, w in zip(HEADERS, WIDTHS)))
    labels = labels or {}
    top = Alignment(vertical="top")
    wrap = Alignment(vertical="top", wrap_text=True)
    listed = []
    for i, f in enumerate(ordered, start=1):
        r = HEADER_ROW + i
        label = (labels.get(f.indicator) or f.indicator) if f.indicator else ""
        row = [i, f.severity.label, f.sheet, f.cell, label, f.year, f.value, f.message,
               f.indicator]
        for c, v in enumerate(row, start=1):
            put(ws, r, c, v if v != "" else None)  # text that looks like a formula stays text
            ws.cell(r, c).alignment = wrap if c in WRAPPED else top
        ws.cell(r, 2).fill = SEVERITY_FILL[f.severity]
        ws.cell(r, 6).alignment = Alignment(vertical="top", horizontal="center")  # the year
        ws.row_dimensions[r].height = row_height(max(
            wrapped_lines(str(v), WIDTHS[c - 1]) for c, v in enumerate(row, start=1)
            if c in WRAPPED and v))
        listed.append((r, f))
    if not ordered:
        ws.cell(HEADER_ROW + 1, 1, "Không phát hiện vấn đề nào.")
    ws.freeze_panes = ws.cell(HEADER_ROW + 1, 1)
    print_setup(ws, landscape=True, title_rows=f"{HEADER_ROW}:{HEADER_ROW}")
    return ws, listed


def _save(wb: Workbook, out: Path) -> Path:
    wb.active = 0
    for sheet in wb.worksheets[1:]:
        sheet.sheet_view.tabSelected = False
    wb.template = False  # an .xltx source is saved as a plain workbook
    out.parent.mkdir(parents=True, exist_ok=True)
    wb.save(out)
    return out


# --- opening the source ------------------------------------------------------------------------
def source_kind(source: Path) -> str | None:
    """"xlsx", "xls" or "ods" from the file's first bytes and zip content (never its name);
    None for anything else or a file that cannot be read."""
    try:
        with source.open("rb") as fh:
            head = fh.read(8)
        if head.startswith(XLS_MAGIC):
            return "xls"
        if not head.startswith(b"PK"):
            return None
        with zipfile.ZipFile(source) as z:
            names = set(z.namelist())
            if "mimetype" in names:
                return "ods" if z.read("mimetype").strip() == ODS_MIME else None
            return "xlsx" if "xl/workbook.xml" in names else None
    except (OSError, zipfile.BadZipFile, KeyError, RuntimeError, ValueError):
        return None


def _open_copy(source: Path) -> tuple[Workbook, str | None]:
    """The workbook to annotate and the source's kind; an empty workbook and None when the
    source cannot be opened (the copy then holds the "Lỗi" sheet alone)."""
    kind = source_kind(source)
    try:
        if kind == "xlsx":
            return _load_xlsx(source), kind
        if kind in ("xls", "ods"):
            return _rebuild(source), kind
    except MemoryError:
        raise  # the limit of the child this runs in: annotate_workbook says so
    except Exception:  # openpyxl and calamine raise many types on odd files
        # Nothing is lost: the copy is a convenience, and every finding (reading's own
        # included, which says what is wrong with the file) is still listed on its sheet.
        kind = None
    return _empty(), None


def _load_xlsx(source: Path) -> Workbook:
    """The .xlsx as openpyxl opens it; one holding a value no reader can parse (a number
    stored as "1,5", Excel 365's "#SPILL!") is opened from the copy the reader read, without
    those values (read/salvage.py), so that the unit still gets its marked-up copy."""
    data = source.read_bytes()  # openpyxl would leave a file it refuses open
    try:
        return load_workbook(io.BytesIO(data))
    except MemoryError:
        raise
    except Exception:  # openpyxl refuses the whole workbook for one such value
        fixed, problems = empty_unreadable_cells(data)
        if not problems:
            raise
        return load_workbook(io.BytesIO(fixed))


def _empty() -> Workbook:
    wb = Workbook()
    wb.remove(wb.active)
    return wb


def _rebuild(source: Path) -> Workbook:
    """A new workbook holding the values of every worksheet of an .xls or .ods, each at its
    own address (text that would start a formula written as text)."""
    import python_calamine

    wb = Workbook()
    wb.remove(wb.active)
    left = MAX_COPY_CELLS
    # From the bytes: from_path would pick the reader by the file's suffix.
    data = source.read_bytes()
    try:
        book = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
    except python_calamine.CalamineError:  # an .ods refused whole for one value: the copy
        book = python_calamine.CalamineWorkbook.from_filelike(  # the reader read
            io.BytesIO(empty_unreadable_ods_cells(data)[0]))
    try:
        for meta in book.sheets_metadata:
            if meta.typ != python_calamine.SheetTypeEnum.WorkSheet:
                continue
            hidden = meta.visible != python_calamine.SheetVisibleEnum.Visible
            if meta.name == CHOICES_SHEET and hidden:
                continue
            ws = wb.create_sheet(_sheet_title(wb, meta.name))
            if hidden:
                ws.sheet_state = "hidden"
            sheet = book.get_sheet_by_name(meta.name)
            for r, row in enumerate(sheet.to_python(skip_empty_area=False), start=1):
                for c, value in enumerate(row, start=1):
                    if value == "" or value is None or left <= 0:
                        continue
                    put(ws, r, c, value)
                    left -= 1
        if not wb.sheetnames:
            wb.create_sheet("Sheet1")
    finally:
        book.close()
    return wb


def _sheet_title(wb: Workbook, name: str) -> str:
    """The source's sheet name, or as close as openpyxl allows (31 characters, unique)."""
    title = "".join(" " if ch in "[]:*?/\\" else ch for ch in name)[:31] or "Sheet"
    base, n = title, 2
    while title in wb.sheetnames:
        title, n = f"{base[:27]} ({n})", n + 1
    return title


# --- cells of a finding --------------------------------------------------------------------------
def _cells_of(ws: Worksheet, ref: str) -> list[str]:
    """A1 addresses a finding on `ref` colours, in reading order, the first one taking the
    comment: the cell itself, or each cell of a range (at most MAX_RANGE_CELLS); a cell inside
    a merged range stands for the merge's top-left cell. [] for an address that is not one."""
    try:
        min_col, min_row, max_col, max_row = range_boundaries(ref.replace("$", "").upper())
    except (ValueError, TypeError):
        return []
    if min_col is None or min_row is None or max_col is None or max_row is None:
        return []  # a whole row or column: not a place
    if max_row > 1_048_576 or max_col > 16_384 or min_row < 1 or min_col < 1:
        return []
    merges = [(m.min_row, m.min_col, m.max_row, m.max_col) for m in ws.merged_cells.ranges]
    seen: dict[str, None] = {}  # ordered set
    visited = 0
    for row in range(min_row, max_row + 1):
        for col in range(min_col, max_col + 1):
            r, c = row, col
            for r0, c0, r1, c1 in merges:
                if r0 <= row <= r1 and c0 <= col <= c1:
                    r, c = r0, c0
                    break
            seen.setdefault(f"{get_column_letter(c)}{r}")
            visited += 1
            if visited >= MAX_RANGE_CELLS:
                return list(seen)
    return list(seen)


def _quote(sheet: str) -> str:
    return "'" + sheet.replace("'", "''") + "'"


def _cell_key(ref: str) -> tuple[int, str]:
    first = ref.split(":", 1)[0]
    digits = "".join(ch for ch in first if ch.isdigit())
    letters = "".join(ch for ch in first if ch.isalpha())
    return (int(digits) if digits else 0, letters.rjust(3))
