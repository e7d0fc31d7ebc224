"""Unit tests of pipeline/core/xlsx.py: table() (bold, filled header; text that looks like a
formula kept as text; widths; filter and frozen header), print_setup() (A4, orientation, one
page wide, title rows, footer), wrapped_lines() and row_height() on hand-computed cases, put()
and the severity colours. Workbooks are saved and read back, as a user's Excel would."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook
from openpyxl.worksheet.worksheet import Worksheet

from pipeline.core.findings import Severity
from pipeline.core.xlsx import SEVERITY_FILL, print_setup, put, row_height, table, wrapped_lines


def _reload(wb: Workbook, tmp_path: Path) -> Worksheet:
    path = tmp_path / "t.xlsx"
    wb.save(path)
    return load_workbook(path).active


def _table(tmp_path: Path, rows: list[list[object]], widths: list[int] | None = None
           ) -> tuple[int, Worksheet]:
    wb = Workbook()
    n = table(wb.active, ["Tệp", "Ô", "Nội dung"], rows, widths)
    return n, _reload(wb, tmp_path)


# --- table -----------------------------------------------------------------------------------

def test_table_header_is_bold_on_a_light_blue_fill(tmp_path: Path):
    _, ws = _table(tmp_path, [["a.xlsx", "E6", "x"]])
    assert [c.value for c in ws[1]] == ["Tệp", "Ô", "Nội dung"]
    for cell in ws[1]:
        assert cell.font.b is True
        assert cell.fill.fill_type == "solid"
        assert cell.fill.fgColor.rgb == "00DDEBF7"
        assert cell.alignment.wrap_text is True
        assert cell.alignment.vertical == "center"


def test_table_body_is_not_bold(tmp_path: Path):
    _, ws = _table(tmp_path, [["a.xlsx", "E6", "x"]])
    assert not ws["A2"].font.b


def test_table_returns_the_last_row_and_sets_filter_and_frozen_header(tmp_path: Path):
    n, ws = _table(tmp_path, [["a", "b", "c"], ["d", "e", "f"]])
    assert n == 3
    assert ws.auto_filter.ref == "A1:C3"
    assert ws.freeze_panes == "A2"


def test_table_without_rows_is_the_header_alone(tmp_path: Path):
    n, ws = _table(tmp_path, [])
    assert n == 1
    assert ws.auto_filter.ref == "A1:C1"
    assert ws.max_row == 1


def test_table_keeps_values_and_their_types(tmp_path: Path):
    _, ws = _table(tmp_path, [["b.xlsx", 2011, 12.5], ["c.xlsx", None, "Chính thức"]])
    assert ws["B2"].value == 2011
    assert ws["C2"].value == 12.5
    assert ws["C2"].data_type == "n"
    assert ws["B3"].value is None
    assert ws["C3"].value == "Chính thức"


@pytest.mark.parametrize("text", ["=SUM(A1:A2)", "+84 912 345 678", "-5", "@ghi chú",
                                  "=HYPERLINK(\"http://x\",\"bấm\")"])
def test_text_that_looks_like_a_formula_is_written_as_text(tmp_path: Path, text: str):
    _, ws = _table(tmp_path, [["a.xlsx", "E6", text]])
    assert ws["C2"].value == text
    assert ws["C2"].data_type == "s"


def test_formula_text_is_not_a_formula_in_the_saved_file(tmp_path: Path):
    wb = Workbook()
    table(wb.active, ["Nội dung"], [["=1+1"]])
    path = tmp_path / "f.xlsx"
    wb.save(path)
    xml = zipfile.ZipFile(path).read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in xml
    assert "=1+1" in xml


def test_table_widths_by_column(tmp_path: Path):
    _, ws = _table(tmp_path, [["a", "b", "c"]], widths=[30, 8, 60])
    assert ws.column_dimensions["A"].width == 30
    assert ws.column_dimensions["B"].width == 8
    assert ws.column_dimensions["C"].width == 60


def test_put_writes_a_number_as_a_number_and_formula_text_as_text(tmp_path: Path):
    wb = Workbook()
    put(wb.active, 2, 3, 1234.5)
    put(wb.active, 3, 3, "=A1")
    put(wb.active, 4, 3, "bình thường")
    ws = _reload(wb, tmp_path)
    assert ws["C2"].value == 1234.5
    assert ws["C2"].data_type == "n"
    assert ws["C3"].value == "=A1"
    assert ws["C3"].data_type == "s"
    assert ws["C4"].value == "bình thường"


# --- print_setup -----------------------------------------------------------------------------

def test_print_setup_landscape_a4_one_page_wide_with_title_rows(tmp_path: Path):
    wb = Workbook()
    wb.active.title = "Lỗi"
    print_setup(wb.active, landscape=True, title_rows="1:5")
    ws = _reload(wb, tmp_path)
    assert ws.page_setup.paperSize == 9  # A4
    assert ws.page_setup.orientation == "landscape"
    assert ws.sheet_properties.pageSetUpPr.fitToPage is True
    assert ws.page_setup.fitToWidth == 1
    assert ws.page_setup.fitToHeight == 0
    assert ws.print_title_rows == "$1:$5"
    assert ws.print_options.horizontalCentered is True


def test_print_setup_portrait_without_title_rows(tmp_path: Path):
    wb = Workbook()
    print_setup(wb.active, landscape=False)
    ws = _reload(wb, tmp_path)
    assert ws.page_setup.orientation == "portrait"
    assert ws.print_title_rows is None
    assert ws.page_setup.paperSize == 9


def test_print_setup_footer_and_margins(tmp_path: Path):
    wb = Workbook()
    print_setup(wb.active, landscape=True)
    ws = _reload(wb, tmp_path)
    assert ws.oddFooter.left.text == "&A"
    assert ws.oddFooter.right.text == "Trang &P/&N"
    assert ws.oddFooter.right.size == 9
    m = ws.page_margins
    assert (m.left, m.right, m.top, m.bottom) == (0.5, 0.5, 0.6, 0.7)


# --- wrapped_lines and row_height --------------------------------------------------------------
# An 11 pt letter counts 0.92 (bold 1.05) of a column width unit; a cell of width w holds
# w - 1.5 units.

@pytest.mark.parametrize(("text", "width", "lines"), [
    ("abc", 10, 1),
    ("", 10, 1),
    ("a\nb", 10, 2),
    ("a\n\nb", 10, 3),  # an empty paragraph is a line too
    ("aaaa bbbb", 10, 1),  # 3.68 + 0.92 + 3.68 = 8.28 <= 8.5
    ("aaaa bbbb", 9.5, 2),  # 8.28 > 8.0
    ("a" * 20, 10, 3),  # 18.4 units in a cell of 8.5: a long word breaks twice
    ("ab", 1, 2),  # capacity at least 1
])
def test_wrapped_lines_by_hand(text: str, width: float, lines: int):
    assert wrapped_lines(text, width) == lines


def test_bold_letters_count_wider():
    assert wrapped_lines("aaaa bbbb", 10, bold=True) == 2  # 4.2 + 1.05 + 4.2 = 9.45 > 8.5


def test_larger_letters_count_wider():
    assert wrapped_lines("aaaa", 10, size=22) == 1  # 4 x 1.84 = 7.36
    assert wrapped_lines("aaaaa", 10, size=22) == 2  # 9.2 > 8.5


def test_vietnamese_letters_count_as_plain_ones():
    assert wrapped_lines("Tổng số", 8) == wrapped_lines("Tong so", 8) == 1


def test_wrapped_lines_of_a_number():
    assert wrapped_lines(1234567, 10) == 1  # type: ignore[arg-type]


@pytest.mark.parametrize(("lines", "size", "height"), [
    (1, 11, 19.0), (3, 11, 49.0), (2, 9, 28.5), (1, 14, 23.1),
])
def test_row_height_by_hand(lines: int, size: float, height: float):
    assert row_height(lines, size) == height


# --- severity colours ------------------------------------------------------------------------

def test_severity_fills_are_the_colours_the_feedback_names():
    assert SEVERITY_FILL[Severity.ERROR].fgColor.rgb == "00F4B183"  # orange
    assert SEVERITY_FILL[Severity.WARNING].fgColor.rgb == "00FFE699"  # yellow
    assert SEVERITY_FILL[Severity.INFO].fgColor.rgb == "00BDD7EE"  # blue
    assert all(f.fill_type == "solid" for f in SEVERITY_FILL.values())
