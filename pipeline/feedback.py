"""Feedback: an annotated copy of a unit's workbook, to send back for correction.

The copy opens on a first sheet "Lỗi" listing every finding with a link to its cell; each
cell with a finding is coloured by its worst severity and carries a Vietnamese comment. The
unit's original file is only read (openpyxl, no macros kept, nothing executed) and never
written.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path

from openpyxl import Workbook, load_workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.hyperlink import Hyperlink

from .findings import Finding, Severity
from .reports import put

FEEDBACK_SHEET = "Lỗi"
FILL = {
    Severity.ERROR: PatternFill("solid", fgColor="F4B183"),  # orange-red
    Severity.WARNING: PatternFill("solid", fgColor="FFE699"),  # yellow
    Severity.INFO: PatternFill("solid", fgColor="BDD7EE"),  # light blue
}
RANK = {Severity.ERROR: 0, Severity.WARNING: 1, Severity.INFO: 2}
HEADERS = ["STT", "Mức độ", "Trang", "Ô", "Chỉ tiêu", "Năm", "Giá trị", "Nội dung và cách sửa"]
WIDTHS = [5, 10, 10, 7, 24, 7, 16, 100]


def feedback_name(source: Path) -> str:
    return f"{source.stem}_gop_y.xlsx"


def annotate_workbook(source: Path, findings: Sequence[Finding], out: Path) -> Path:
    """Write the annotated copy of `source` to `out`; the source is only read.

    When openpyxl cannot open a file that the value reader could (some strict or unusual
    packages), the copy holds the "Lỗi" sheet alone, without links.
    """
    ordered = sorted(findings, key=lambda f: (RANK[f.severity], f.sheet, _cell_key(f.cell)))
    try:
        wb = load_workbook(source)
        linked = True
    except Exception:  # openpyxl raises many types on odd packages; the list still helps
        wb = Workbook()
        wb.remove(wb.active)
        linked = False
    name = FEEDBACK_SHEET
    n = 2
    while name in wb.sheetnames:
        name, n = f"{FEEDBACK_SHEET} ({n})", n + 1
    ws = wb.create_sheet(name, 0)
    ws["A1"] = f"GÓP Ý VỀ TỆP '{source.name}': {len(ordered)} vấn đề"
    ws["A1"].font = Font(bold=True, size=13)
    ws["A2"] = ("Bấm vào địa chỉ ô để đến ô cần sửa. Ô màu cam: lỗi (số liệu chưa được dùng); "
                "màu vàng: cảnh báo (cần kiểm tra); màu xanh: thông tin. Sửa trong tệp gốc "
                "của đơn vị rồi gửi lại, không gửi tệp góp ý này.")
    ws["A2"].alignment = Alignment(wrap_text=True)
    ws.merge_cells(start_row=2, start_column=1, end_row=2, end_column=len(HEADERS))
    ws.row_dimensions[2].height = 32
    for c, (h, w) in enumerate(zip(HEADERS, WIDTHS), start=1):
        cell = ws.cell(4, c, h)
        cell.font = Font(bold=True)
        ws.column_dimensions[get_column_letter(c)].width = w
    by_cell: dict[tuple[str, str], list[Finding]] = defaultdict(list)
    for i, f in enumerate(ordered, start=1):
        r = 4 + i
        row = [i, f.severity.label, f.sheet, f.cell, f.indicator, f.year, f.value, f.message]
        for c, v in enumerate(row, start=1):
            put(ws, r, c, v)  # text that looks like a formula stays text
        ws.cell(r, 2).fill = FILL[f.severity]
        ws.cell(r, 8).alignment = Alignment(wrap_text=True, vertical="top")
        if linked and f.sheet in wb.sheetnames and f.cell:
            link = ws.cell(r, 4)
            link.hyperlink = Hyperlink(ref=link.coordinate, location=f"'{f.sheet}'!{f.cell}")
            link.style = "Hyperlink"
            by_cell[(f.sheet, f.cell)].append(f)
    if not ordered:
        ws.cell(5, 1, "Không phát hiện vấn đề nào.")
    ws.freeze_panes = "A5"
    for (sheet, ref), found in by_cell.items():
        cell = wb[sheet][ref]
        worst = min(found, key=lambda f: RANK[f.severity])
        cell.fill = FILL[worst.severity]
        text = "\n".join(f"[{f.severity.label}] {f.message}" for f in found)
        if cell.comment is not None:
            text = cell.comment.text + "\n" + text
        comment = Comment(text[:30_000], "Sở KH&CN")
        comment.width, comment.height = 420, 160
        cell.comment = comment
    wb.active = 0
    for sheet in wb.worksheets[1:]:
        sheet.sheet_view.tabSelected = False
    out.parent.mkdir(parents=True, exist_ok=True)
    wb.save(out)
    return out


def _cell_key(ref: str) -> tuple[int, str]:
    digits = "".join(ch for ch in ref if ch.isdigit())
    letters = "".join(ch for ch in ref if ch.isalpha())
    return (int(digits) if digits else 0, letters.rjust(3))
