"""Unit tests of pipeline/read/salvage.py: python-calamine refuses a whole sheet for one cell
it cannot parse; empty_unreadable_cells gives the package back without those values, each
named at its cell, so that the rest is read."""

from __future__ import annotations

import io
import math
import re

import pytest
import python_calamine

from pipeline.read.package import CellProblem
from pipeline.read.salvage import empty_unreadable_cells

from .test_package import SHEET_XML, _rewrite, _xlsx_bytes


def _with_rows(rows: bytes) -> bytes:
    """An .xlsx whose sheet 'Số liệu' holds exactly `rows` (sheet XML)."""
    return _rewrite(_xlsx_bytes(), SHEET_XML, lambda xml: re.sub(
        rb"<sheetData>.*</sheetData>", b"<sheetData>" + rows + b"</sheetData>", xml,
        flags=re.DOTALL))


def _grid(data: bytes) -> list[list[object]]:
    book = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
    return book.get_sheet_by_name("Số liệu").to_python(skip_empty_area=False)


ODD_ROWS = (
    '<row r="1"><c r="A1" t="n"><v>1.5</v></c><c r="B1" t="n"><v>1,5</v></c>'
    '<c r="C1" t="b"><v>1</v></c></row>'
    '<row r="2"><c r="A2" t="e"><v>#SPILL!</v></c><c r="B2" s="0" t="s"><v>3</v></c>'
    '<c r="C2" t="str"><v>chữ</v></c><c r="D2" t="e"><v>#N/A</v></c></row>'
    # Cells without an address are placed as calamine places them: after the one before.
    '<row r="4"><c t="n"><v>7</v></c><c t="n"><v>NaN</v></c><c t="zz"><v>8</v></c>'
    "<c t='n'><v>\x01</v></c></row>"
).encode()


def test_calamine_refuses_the_whole_sheet_for_one_odd_cell():
    # What empty_unreadable_cells is for (python-calamine 0.9.1).
    with pytest.raises(python_calamine.CalamineError):
        _grid(_with_rows(b'<row r="1"><c r="A1" t="n"><v>1,5</v></c></row>'))


def test_empty_unreadable_cells_names_each_and_keeps_the_rest():
    data, problems = empty_unreadable_cells(_with_rows(ODD_ROWS))

    assert problems == (
        CellProblem("Số liệu", "B1", "cell_unreadable", "1,5",
                    "ô kiểu số nhưng giá trị không phải là số"),
        CellProblem("Số liệu", "A2", "cell_unreadable", "#SPILL!",
                    "mã lỗi mà phần mềm đọc không biết"),
        CellProblem("Số liệu", "B2", "cell_unreadable", "3",
                    "ô trỏ tới một chuỗi chữ không có trong tệp"),
        CellProblem("Số liệu", "C4", "cell_unreadable", "8",
                    "kiểu ô 'zz' không có trong Excel"),
        CellProblem("Số liệu", "D4", "cell_unreadable", "\ufffd",
                    "ô kiểu số nhưng giá trị không phải là số"),
    )
    grid = _grid(data)
    assert grid[0] == [1.5, "", True, ""]
    assert grid[1] == ["", "", "chữ", ""]  # #N/A is an error calamine knows: read as ''
    assert grid[3][0] == 7.0
    assert math.isnan(grid[3][1])  # NaN is a number to calamine: validation says the rest
    assert grid[3][2:] == ["", ""]


def test_a_package_without_unreadable_cells_is_given_back_as_it_is():
    data = _xlsx_bytes(lambda ws: ws.cell(2, 2, "=1/0"))

    assert empty_unreadable_cells(data) == (data, ())
    assert empty_unreadable_cells(data)[0] is data


def test_sheets_told_to_be_skipped_are_left_as_they_are():
    data = _with_rows(b'<row r="1"><c r="A1" t="n"><v>1,5</v></c></row>')

    assert empty_unreadable_cells(data, skip_sheets=("Số liệu",)) == (data, ())
