"""Workbooks for the office: the validation report (one row per finding, a summary per unit)
and the rows of the progress table.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment

from pipeline.core import fmt
from pipeline.core.findings import COMPUTED, Finding, Severity
from pipeline.core.xlsx import SEVERITY_FILL, print_setup, put, row_height, table, wrapped_lines
from pipeline.office.progress import UnitProgress

UNREAD_SHEET = "Tệp chưa đọc"


def write_validation_report(findings: Sequence[Finding], progress: Sequence[UnitProgress],
                            path: Path, labels: Mapping[str, str] | None = None,
                            unread: Sequence[tuple[str, str, str, str]] = (),
                            skipped: Sequence[str] = ()) -> None:
    """A summary per unit, every entry of the inputs folder not read, one row per finding
    (sortable). `labels` maps an indicator key (`Finding.indicator`) to its Vietnamese label
    for the "Chỉ tiêu" column; the key itself stays in the last column "Mã chỉ tiêu" (and
    stands for a label it lacks). `unread`: (unit, entry, code, reason) of each entry received
    and not read; `skipped`: lines saying what was passed over (lock files and the like)."""
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
    r = len(progress) + 2
    for name, unit in files_not_used(findings, progress,
                                     {file: unit for unit, file, _code, _reason in unread}):
        errors = sum(1 for f in findings if f.file == name and f.severity is Severity.ERROR)
        warnings = sum(1 for f in findings if f.file == name and f.severity is Severity.WARNING)
        for c, v in enumerate([unit, "(tệp không dùng được hoặc bị bỏ qua)",
                               name, "",
                               errors, warnings, "Xem trang Phát hiện"], start=1):
            put(ws, r, c, v)
        r += 1
    _unread_sheet(wb, unread, skipped)
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


def files_not_used(findings: Sequence[Finding], progress: Sequence[UnitProgress],
                   unread: Mapping[str, str]) -> list[tuple[str, str]]:
    """(file, unit) of every file with a finding that is neither a unit's workbook nor its
    narrative (nor the computations), in name order. The unit is the one `unread` (file ->
    unit its name points to) gives, else that of the file's first finding naming one, else
    "?"."""
    known = {p.workbook for p in progress} | {p.narrative for p in progress} | {COMPUTED}
    unit_of = {f.file: f.unit for f in reversed(findings) if f.unit}
    unit_of.update({file: unit for file, unit in unread.items() if unit})
    return [(name, unit_of.get(name) or "?")
            for name in sorted({f.file for f in findings} - known)]


def _unread_sheet(wb: Workbook, unread: Sequence[tuple[str, str, str, str]],
                  skipped: Sequence[str]) -> None:
    """The second sheet: every entry of the inputs folder received but not read (with the unit
    its name points to and why), then what was passed over, so that everything in inputs/ is
    accounted for."""
    ws = wb.create_sheet(UNREAD_SHEET)
    rows = [[unit or "?", file, code, reason] for unit, file, code, reason in unread]
    rows += [["", "", "bo_qua", line] for line in skipped]
    table(ws, ["Đơn vị", "Tệp hoặc mục", "Mã", "Lý do và cách xử lý"], rows, [9, 40, 20, 100])
    if not rows:
        ws.cell(2, 1, "Mọi tệp trong thư mục inputs đều đã được đọc.")
    print_setup(ws, landscape=True, title_rows="1:1")


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
