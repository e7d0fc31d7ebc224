"""Excel helpers for workbooks written for people: a table with a header row, print setup, row
heights that fit wrapped text, the fill of each severity (the validation report and the
feedback copies sent to the units use the same colours: the feedback's help text names them).

Every text cell that would start a formula (= + - @) is written as a string (formula
injection). No pandas here: `make status` uses this module and must start fast.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.page import PageMargins
from openpyxl.worksheet.worksheet import Worksheet

from pipeline.core.findings import Severity

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
SEVERITY_FILL = {
    Severity.ERROR: PatternFill("solid", fgColor="F4B183"),  # orange ("màu cam")
    Severity.WARNING: PatternFill("solid", fgColor="FFE699"),  # yellow ("màu vàng")
    Severity.INFO: PatternFill("solid", fgColor="BDD7EE"),  # blue ("màu xanh"), not the header's
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
