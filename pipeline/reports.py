"""Workbooks for people: the validation report and the progress table.

Every text cell that would start a formula (= + - @) is written as a string (formula
injection). No pandas here: `make status` uses this module and must start fast.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
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
                            path: Path) -> None:
    """One row per finding (sortable), and a summary per unit."""
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "Tóm tắt"
    table(ws, ["Mã đơn vị", "Đơn vị", "Tệp số liệu", "Tệp thuyết minh", "Lỗi", "Cảnh báo",
                "Tình trạng"],
           ([p.unit, p.name, p.workbook or "(chưa nộp)", p.narrative or "(chưa nộp)",
             p.errors, p.warnings, p.status] for p in progress),
           [10, 40, 30, 30, 8, 10, 40])
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
    table(ws2, ["Mức độ", "Mã", "Đơn vị", "Tệp", "Trang", "Ô", "Chỉ tiêu", "Năm", "Giá trị",
                 "Nội dung và cách xử lý"],
           ([f.severity.label, f.code, f.unit, f.file, f.sheet, f.cell, f.indicator,
             f.year, f.value, f.message] for f in findings),
           [10, 20, 8, 30, 10, 7, 22, 7, 16, 90])
    for row in range(2, len(findings) + 2):
        ws2.cell(row, 1).fill = SEVERITY_FILL[findings[row - 2].severity]
        ws2.cell(row, 10).alignment = Alignment(wrap_text=True, vertical="top")
    wb.save(path)


def progress_rows(progress: Sequence[UnitProgress]) -> list[list[str]]:
    """The progress table as Vietnamese text, for the workbook and the terminal."""
    rows = []
    for p in progress:
        share = p.required_share
        rows.append([
            p.unit, p.name, ", ".join(p.items) or "(thuyết minh chung)", fmt.date(p.due),
            p.workbook or "(chưa nộp)", p.narrative or "(chưa nộp)", fmt.date(p.received),
            p.form_version or "-",
            "-" if share is None else fmt.percent(share * 100, 0),
            f"{p.cells_filled}/{p.cells_total}", str(p.errors), str(p.warnings), p.status,
            p.tasks_line,
        ])
    return rows


PROGRESS_HEADERS = ["Mã", "Đơn vị", "Mục chủ trì", "Hạn gửi", "Biểu số liệu", "Thuyết minh",
                    "Ngày gửi", "Phiên bản biểu", "Ô bắt buộc đã điền", "Ô đã điền",
                    "Lỗi", "Cảnh báo", "Tình trạng", "Kế hoạch tuần"]
