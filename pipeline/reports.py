"""Workbooks for people: the validation report and the progress table.

Every text cell that would start a formula (= + - @) is written as a string (formula
injection). No pandas here: `make status` uses this module and must start fast.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.page import PageMargins
from openpyxl.worksheet.worksheet import Worksheet

from . import fmt
from .findings import Finding, Severity
from .progress import UnitProgress

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
SEVERITY_FILL = {
    Severity.ERROR: PatternFill("solid", fgColor="F8CBAD"),
    Severity.WARNING: PatternFill("solid", fgColor="FFE699"),
    Severity.INFO: PatternFill("solid", fgColor="DDEBF7"),
}


LINE_HEIGHT = 15.0  # pt: one line of 11 pt text, as Excel's default row height
MARGINS = PageMargins(left=0.5, right=0.5, top=0.6, bottom=0.7, header=0.3, footer=0.3)
"""Print margins in inches (about 13 mm at the sides, 15-18 mm top and bottom)."""


def print_setup(ws: Worksheet, *, landscape: bool, title_rows: str | None = None) -> None:
    """A4, one page wide and as many pages tall as needed, `title_rows` ("1:5") repeated on
    every page, the sheet name and "Trang x/y" in the footer."""
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = "landscape" if landscape else "portrait"
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0  # any number of pages tall
    ws.page_margins = MARGINS
    ws.print_options.horizontalCentered = True
    if title_rows:
        ws.print_title_rows = title_rows
    ws.oddFooter.left.text = "&A"
    ws.oddFooter.left.size = 9
    ws.oddFooter.right.text = "Trang &P/&N"
    ws.oddFooter.right.size = 9


def wrapped_lines(text: str, width: float, size: float = 11, bold: bool = False) -> int:
    """How many lines `text` takes when wrapped in a cell `width` characters wide (Excel's
    column width unit), estimated generously: a bold or larger letter counts wider, and
    Vietnamese letters with accents are as wide as plain ones."""
    char = size / 11 * (1.05 if bold else 0.92)
    capacity = max(width - 1.5, 1.0)
    lines = 0
    for paragraph in str(text).split("\n"):
        lines += 1
        used = 0.0
        for word in paragraph.split():
            w = len(word) * char
            if used and used + char + w > capacity:
                lines += 1
                used = 0.0
            used += (char if used else 0.0) + w
            while used > capacity:  # a word longer than the cell breaks inside
                lines += 1
                used -= capacity
    return max(lines, 1)


def row_height(lines: int, size: float = 11) -> float:
    """Row height in points for `lines` lines of `size` pt text, with room for accents."""
    return round(lines * LINE_HEIGHT * size / 11 + 4, 1)


def put(ws: Worksheet, row: int, col: int, value: object) -> None:
    cell = ws.cell(row, col, value)
    if isinstance(value, str) and value.startswith(FORMULA_START):
        cell.data_type = "s"  # stored as text, never as a formula


def table(ws: Worksheet, headers: Sequence[str], rows: Iterable[Sequence[object]],
           widths: Sequence[int] | None = None) -> int:
    for c, h in enumerate(headers, start=1):
        cell = ws.cell(1, c, h)
        cell.font = Font(bold=True)
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="center")
    n = 1
    for n, row in enumerate(rows, start=2):
        for c, v in enumerate(row, start=1):
            put(ws, n, c, v)
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = f"A1:{get_column_letter(len(headers))}{max(n, 1)}"
    for c, w in enumerate(widths or [], start=1):
        ws.column_dimensions[get_column_letter(c)].width = w
    return n



def write_validation_report(findings: Sequence[Finding], progress: Sequence[UnitProgress],
                            path: Path, labels: Mapping[str, str] | None = None) -> None:
    """One row per finding (sortable), and a summary per unit. `labels` maps an indicator key
    (`Finding.indicator`) to its Vietnamese label for the "Chỉ tiêu" column; the key itself
    stays in the last column "Mã chỉ tiêu" (and stands for a label it lacks)."""
    labels = labels or {}
    wb = Workbook()
    ws = wb.worksheets[0]  # a new workbook holds one sheet
    ws.title = "Tóm tắt"
    table(ws, ["Mã đơn vị", "Đơn vị", "Tệp số liệu", "Tệp thuyết minh", "Lỗi", "Cảnh báo",
                "Tình trạng"],
           ([p.unit, p.name, p.workbook or _not_sent(p), p.narrative or _not_sent(p),
             p.errors, p.warnings, p.status] for p in progress),
           [10, 40, 30, 30, 8, 10, 40])
    print_setup(ws, landscape=True, title_rows="1:1")
    known = {p.workbook for p in progress} | {p.narrative for p in progress}
    others = sorted({f.file for f in findings if f.file not in known})
    r = len(progress) + 2
    for name in others:
        errors = sum(1 for f in findings if f.file == name and f.severity is Severity.ERROR)
        warnings = sum(1 for f in findings if f.file == name and f.severity is Severity.WARNING)
        for c, v in enumerate(["?", "(tệp không dùng được hoặc bị bỏ qua)", name, "",
                               errors, warnings, "Xem trang Phát hiện"], start=1):
            put(ws, r, c, v)
        r += 1
    ws2 = wb.create_sheet("Phát hiện")
    widths = [9, 16, 7, 22, 10, 8, 28, 7, 14, 60, 16]
    wrapped = {4, 5, 6, 7, 9, 10, 11}  # file, sheet, cell, label, value, message, code
    table(ws2, ["Mức độ", "Mã", "Đơn vị", "Tệp", "Trang", "Ô", "Chỉ tiêu", "Năm", "Giá trị",
                 "Nội dung và cách xử lý", "Mã chỉ tiêu"],
           ([f.severity.label, f.code, f.unit, f.file, f.sheet, f.cell,
             (labels.get(f.indicator) or f.indicator) if f.indicator else "",
             f.year, f.value, f.message, f.indicator] for f in findings),
           widths)
    top = Alignment(vertical="top")
    wrap = Alignment(vertical="top", wrap_text=True)
    for row in range(2, len(findings) + 2):
        ws2.cell(row, 1).fill = SEVERITY_FILL[findings[row - 2].severity]
        lines = 1
        for c in range(1, len(widths) + 1):
            cell = ws2.cell(row, c)
            cell.alignment = wrap if c in wrapped else top
            if c in wrapped and cell.value:
                lines = max(lines, wrapped_lines(str(cell.value), widths[c - 1]))
        ws2.row_dimensions[row].height = row_height(lines)
    ws2.row_dimensions[1].height = row_height(2)
    print_setup(ws2, landscape=True, title_rows="1:1")
    wb.save(path)


def _not_sent(p: UnitProgress) -> str:
    """What stands in the file column when no readable file is there: a unit whose file
    could not be read has sent something, and is never shown as not having sent."""
    return "(đã nhận, chưa đọc được)" if p.unread else "(chưa nộp)"


def progress_rows(progress: Sequence[UnitProgress]) -> list[list[str]]:
    """The progress table as Vietnamese text, for the workbook and the terminal."""
    rows = []
    for p in progress:
        share = p.required_share
        rows.append([
            p.unit, p.name, ", ".join(p.items) or "(thuyết minh chung)", fmt.date(p.due),
            p.workbook or _not_sent(p), p.narrative or _not_sent(p), fmt.date(p.received),
            p.form_version or "-",
            "-" if share is None else fmt.percent(share * 100, 0),
            f"{p.cells_filled}/{p.cells_total}", str(p.errors), str(p.warnings), p.status,
            p.tasks_line,
        ])
    return rows


PROGRESS_HEADERS = ["Mã", "Đơn vị", "Mục chủ trì", "Hạn gửi", "Biểu số liệu", "Thuyết minh",
                    "Ngày gửi", "Phiên bản biểu", "Ô bắt buộc đã điền", "Ô đã điền",
                    "Lỗi", "Cảnh báo", "Tình trạng", "Kế hoạch tuần"]
