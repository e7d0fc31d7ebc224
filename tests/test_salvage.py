"""Unit tests of pipeline/read/salvage.py: python-calamine refuses a whole sheet (a whole
.ods) for one cell it cannot parse; empty_unreadable_cells and empty_unreadable_ods_cells give
the package back without those values, each named at its cell, so that the rest is read."""

from __future__ import annotations

import io
import math
import re
import zipfile

import pytest
import python_calamine

from pipeline.read.package import CellProblem
from pipeline.read.salvage import empty_unreadable_cells, empty_unreadable_ods_cells

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


@pytest.mark.parametrize(("rows", "problem", "first_row"), [
    ('<row r="1"><c r="A0"><v>1</v></c><c r="B1"><v>2</v></c></row>',
     CellProblem("Số liệu", "A1", "cell_unreadable", "1", "ô ghi địa chỉ 'A0' sai"),
     ["", 2.0]),
    ('<row r="1"><c r="1A"><v>1</v></c><c r="B1"><v>2</v></c></row>',
     CellProblem("Số liệu", "A1", "cell_unreadable", "1", "ô ghi địa chỉ '1A' sai"),
     ["", 2.0]),
    ('<row r="1"><c r="A1"><v>1</v></c><c r="B1"><v>2</v><zz/></c><c r="C1"><v>3</v></c>'
     "</row>",
     CellProblem("Số liệu", "B1", "cell_unreadable", "2", "ô có phần 'zz' mà Excel không có"),
     [1.0, "", 3.0]),
    ('<row r="x"><c r="A1"><v>1</v></c><c r="B1"><v>2</v></c></row>', None, [1.0, 2.0]),
])
def test_a_cell_calamine_cannot_place_goes_whole_and_its_neighbours_stay(rows, problem,
                                                                        first_row):
    odd = _with_rows(rows.encode())
    with pytest.raises(python_calamine.CalamineError):
        _grid(odd)
    data, problems = empty_unreadable_cells(odd)
    assert problems == ((problem,) if problem else ())  # a row number alone loses nothing
    assert _grid(data)[0] == first_row


def test_text_and_formula_cells_are_a_cells_own_parts():
    data = _with_rows(b'<row r="1"><c r="A1" t="inlineStr"><is><t>a</t></is></c>'
                      b'<c r="B1"><f>1+1</f><v>2</v></c></row>')
    assert empty_unreadable_cells(data) == (data, ())


# --- .ods --------------------------------------------------------------------------------------
def _ods(tables: str) -> bytes:
    """A minimal .ods package whose content.xml holds `tables`."""
    content = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"'
        ' xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0"'
        ' xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0">'
        f"<office:body><office:spreadsheet>{tables}</office:spreadsheet></office:body>"
        "</office:document-content>")
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        z.writestr("content.xml", content.encode())
        z.writestr("META-INF/manifest.xml",  # without it calamine cannot tell it is an .ods
                   '<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:'
                   'manifest:1.0"><manifest:file-entry manifest:full-path="/" manifest:media-'
                   'type="application/vnd.oasis.opendocument.spreadsheet"/></manifest:manifest>')
    return out.getvalue()


def _cell(value: str, kind: str = "float", attr: str = "office:value") -> str:
    return (f'<table:table-cell office:value-type="{kind}" {attr}="{value}">'
            f"<text:p>{value}</text:p></table:table-cell>")


def test_ods_cells_are_placed_with_their_repeats_and_each_bad_one_named():
    tables = (
        '<table:table table:name="Một">'
        "<table:table-row>"
        '<table:table-cell table:number-columns-repeated="3"/>' + _cell("1,5") + _cell("2") +
        "</table:table-row>"
        '<table:table-row table:number-rows-repeated="2"><table:table-cell/></table:table-row>'
        '<table:table-row/>'
        "<table:table-row><table:covered-table-cell/>" + _cell("có", "boolean",
                                                               "office:boolean-value") +
        _cell("1e400x", "percentage") + "</table:table-row>"
        "</table:table>"
        '<table:table table:name="Hai"><table:table-row>' + _cell("NaN") + _cell("..") +
        "</table:table-row></table:table>")
    with pytest.raises(python_calamine.CalamineError):  # what this is for: refused whole
        python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(_ods(tables)))
    data, problems = empty_unreadable_ods_cells(_ods(tables))

    number = "ô kiểu số nhưng giá trị không phải là số"
    assert problems == (
        CellProblem("Một", "D1", "cell_unreadable", "1,5", number),
        CellProblem("Một", "B5", "cell_unreadable", "có",
                    "ô kiểu đúng/sai nhưng giá trị không phải đúng hay sai"),
        CellProblem("Một", "C5", "cell_unreadable", "1e400x", number),
        CellProblem("Hai", "B1", "cell_unreadable", "..", number),
    )
    book = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
    one = book.get_sheet_by_name("Một").to_python(skip_empty_area=False)
    assert one[0] == ["", "", "", "", 2.0]  # D1 emptied, E1 read
    assert math.isnan(book.get_sheet_by_name("Hai").to_python()[0][0])  # NaN: validation's


def test_an_ods_without_bad_values_is_given_back_as_it_is():
    data = _ods('<table:table table:name="Một"><table:table-row>' + _cell("1.5") +
                _cell("true", "boolean", "office:boolean-value") + "</table:table-row>"
                "</table:table>")
    assert empty_unreadable_ods_cells(data) == (data, ())
