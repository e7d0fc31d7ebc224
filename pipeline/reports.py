"""Workbooks and CSV for people: merged data, validation report, progress table.

Every text cell that would start a formula (= + - @) is written as a string (formula
injection); the CSV is UTF-8 with a byte-order mark so Excel shows Vietnamese correctly,
and such cells get a leading apostrophe there.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from . import fmt
from .catalogue import PERIOD_METHOD_VI, Catalogue
from .derive import Derivation
from .findings import Finding, Severity
from .progress import UnitProgress

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
SEVERITY_FILL = {
    Severity.ERROR: PatternFill("solid", fgColor="F8CBAD"),
    Severity.WARNING: PatternFill("solid", fgColor="FFE699"),
    Severity.INFO: PatternFill("solid", fgColor="DDEBF7"),
}

MERGED_HEADERS = {
    "unit": "Mã đơn vị", "unit_name": "Đơn vị", "item": "Mục", "indicator": "Mã chỉ tiêu",
    "indicator_label": "Chỉ tiêu", "breakdown": "Mã phân tổ", "breakdown_label": "Phân tổ",
    "measure": "Đơn vị tính", "year": "Năm", "value": "Giá trị", "status": "Tính chất số liệu",
    "note": "Nguồn số liệu, ghi chú", "file": "Tệp", "sheet": "Trang", "cell": "Ô",
    "file_hash": "SHA-256 của tệp",
}


def _put(ws: Worksheet, row: int, col: int, value: object) -> None:
    cell = ws.cell(row, col, value)
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        cell.data_type = "s"  # stored as text, never as a formula


def _table(ws: Worksheet, headers: Sequence[str], rows: Iterable[Sequence[object]],
           widths: Sequence[int] | None = None) -> int:
    for c, h in enumerate(headers, start=1):
        cell = ws.cell(1, c, h)
        cell.font = Font(bold=True)
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="center")
    n = 1
    for n, row in enumerate(rows, start=2):
        for c, v in enumerate(row, start=1):
            _put(ws, n, c, v)
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = f"A1:{get_column_letter(len(headers))}{max(n, 1)}"
    for c, w in enumerate(widths or [], start=1):
        ws.column_dimensions[get_column_letter(c)].width = w
    return n


def write_merged(merged: pd.DataFrame, derivation: Derivation, cat: Catalogue,
                 xlsx: Path, csv: Path) -> None:
    """The long table for the consultants, as .xlsx (with the derived values, period figures
    and growth) and .csv (the long table)."""
    derived = derivation.yearly
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "Số liệu"
    cols = list(merged.columns)
    _table(ws, [MERGED_HEADERS.get(c, c) for c in cols],
           (_py_row(r) for r in merged.itertuples(index=False)),
           [10, 30, 6, 18, 45, 14, 24, 12, 7, 14, 14, 30, 28, 8, 8, 20])
    ws2 = wb.create_sheet("Tính toán")
    labels = {d.code: (d.label, d.measure) for d in cat.derived}
    _table(ws2, ["Mã", "Chỉ tiêu", "Đơn vị tính", "Năm", "Giá trị", "Ô nguồn", "Ghi chú"],
           ([r.derived, labels[r.derived][0], labels[r.derived][1], int(r.year),
             None if pd.isna(r.value) else float(r.value), "; ".join(r.sources), r.note]
            for r in derived.itertuples(index=False)),
           [22, 45, 12, 7, 14, 60, 40])
    ws3 = wb.create_sheet("Giai đoạn")
    method_vi = {**PERIOD_METHOD_VI, "inputs": "công thức trên số liệu cả giai đoạn",
                 "mean": "bình quân các năm"}
    _table(ws3, ["Mã", "Loại", "Giai đoạn", "Cách tính", "Giá trị",
                 "Tăng bình quân/năm (%)", "Ghi chú"],
           ([r.key, "chỉ tiêu" if r.kind == "indicator" else "tính toán", r.period,
             method_vi.get(r.method, r.method), _num(r.value), _num(r.cagr), r.note]
            for r in derivation.periods.itertuples(index=False)),
           [26, 10, 11, 34, 14, 14, 30])
    ws4 = wb.create_sheet("Tăng trưởng")
    _table(ws4, ["Mã chỉ tiêu", "Mã phân tổ", "Năm", "Tăng so với năm trước (%)"],
           ([r.indicator, r.breakdown, int(r.year), _num(r.growth)]
            for r in derivation.growth.itertuples(index=False)),
           [26, 20, 7, 16])
    wb.save(xlsx)
    out = merged.copy()
    for c in out.columns:
        if out[c].dtype == object:
            out[c] = out[c].map(lambda v: "'" + v if isinstance(v, str)
                                and v.startswith(_FORMULA_START) else v)
    out.to_csv(csv, index=False, encoding="utf-8-sig")


def _num(value: object) -> float | None:
    return None if value is None or pd.isna(value) else float(value)  # type: ignore[arg-type]


def _py_row(row: tuple) -> list[object]:
    return [v.item() if hasattr(v, "item") else v for v in row]


def write_validation_report(findings: Sequence[Finding], progress: Sequence[UnitProgress],
                            path: Path) -> None:
    """One row per finding (sortable), and a summary per unit."""
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "Tóm tắt"
    _table(ws, ["Mã đơn vị", "Đơn vị", "Tệp số liệu", "Tệp thuyết minh", "Lỗi", "Cảnh báo",
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
            _put(ws, r, c, v)
        r += 1
    ws2 = wb.create_sheet("Phát hiện")
    _table(ws2, ["Mức độ", "Mã", "Đơn vị", "Tệp", "Trang", "Ô", "Chỉ tiêu", "Năm", "Giá trị",
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
        ])
    return rows


PROGRESS_HEADERS = ["Mã", "Đơn vị", "Mục chủ trì", "Hạn gửi", "Biểu số liệu", "Thuyết minh",
                    "Ngày gửi", "Phiên bản biểu", "Ô bắt buộc đã điền", "Ô đã điền",
                    "Lỗi", "Cảnh báo", "Tình trạng"]


def write_progress(progress: Sequence[UnitProgress], path: Path, as_of_text: str) -> None:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "Tiến độ"
    _table(ws, PROGRESS_HEADERS, progress_rows(progress),
           [7, 40, 14, 11, 30, 30, 11, 9, 10, 10, 6, 9, 40])
    ws.cell(len(progress) + 3, 1, f"Tính đến ngày {as_of_text}.").font = Font(italic=True)
    wb.save(path)
