"""A narrative's unit code: one rule (the first table's "Mã đơn vị" row) for the full reader
(python-docx) and the streamed one (`make status`, no python-docx); a parser's failure is the
file's, a fault of this software is said to be one."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from docx import Document

from pipeline.core.findings import Finding
from pipeline.forms import build_narrative_form
from pipeline.read import narrative, workbook
from pipeline.read.files import read_file
from pipeline.read.model import NarrativeSubmission
from pipeline.read.narrative import narrative_unit, read_narrative, unit_in_table
from pipeline.read.package import Refused

from .conftest import ROOT


@pytest.mark.parametrize(("rows", "unit"), [
    ([["Mã đơn vị", "TTRA"]], "TTRA"),
    ([["Tên đơn vị", "Thanh tra Sở"], ["  Mã đơn vị ", " qlkh "]], "qlkh"),  # as typed
    ([["Mã đơn vị", "VP"], ["Mã đơn vị", "TDC"]], "TDC"),  # the last row wins
    ([["Mã đơn vị"]], ""),  # no cell beside it
    ([["Đơn vị", "TTRA"]], ""),
    ([], ""),
])
def test_the_rule(rows, unit):
    assert unit_in_table(rows) == unit


def _docx(path: Path, tables: list[list[list[str]]], nested: bool = False,
          span_first: bool = False) -> Path:
    doc = Document()
    doc.add_paragraph("Thuyết minh")
    for rows in tables:
        grid = doc.add_table(rows=len(rows), cols=max(len(r) for r in rows))
        for r, row in enumerate(rows):
            for c, text in enumerate(row):
                grid.cell(r, c).text = text
        if nested:  # a table inside the first cell, with a row of its own
            inner = grid.cell(0, 0).add_table(rows=1, cols=2)
            inner.cell(0, 0).text, inner.cell(0, 1).text = "Mã đơn vị", "VP"
        if span_first:
            grid.cell(0, 0).merge(grid.cell(0, 1))
    doc.save(str(path))
    return path


def _both(path: Path) -> tuple[str, str]:
    return read_narrative(path).unit, narrative_unit(path).unit


def test_both_readers_agree_on_the_form(tmp_path, cat):
    path = tmp_path / "tm.docx"
    build_narrative_form(cat, cat.unit_by_code["QLCS"], {}).save(str(path))
    assert _both(path) == ("QLCS", "QLCS")


def test_both_readers_take_the_first_table_only(tmp_path):
    path = _docx(tmp_path / "a.docx", [[["Mã đơn vị", "ttra "]], [["Mã đơn vị", "TDC"]]])
    assert _both(path) == ("TTRA", "TTRA")  # read case- and space-insensitively


def test_a_table_inside_the_first_table_is_not_its_row(tmp_path):
    path = _docx(tmp_path / "a.docx", [[["Tên", "x"], ["Mã đơn vị", "KHTC"]]], nested=True)
    assert _both(path) == ("KHTC", "KHTC")


def test_a_cell_spanning_two_columns_is_read_alike(tmp_path):
    # python-docx gives a merged cell once per grid column; the streamed reader does too, so
    # both see the same second cell (here the label itself: a form never merges this row).
    path = _docx(tmp_path / "a.docx", [[["Mã đơn vị", "", "KHTC"]]], span_first=True)
    full, streamed = _both(path)
    assert full == streamed != "KHTC"


@pytest.mark.parametrize("full", [True, False])
def test_without_the_row_it_is_not_a_form(tmp_path, full):
    path = _docx(tmp_path / "TTRA_tm.docx", [[["Đơn vị", "TTRA"]]])
    result = read_file(path, full_narratives=full)
    assert isinstance(result, Finding)
    assert (result.code, result.file) == ("narrative_not_form", "TTRA_tm.docx")


def test_the_streamed_reader_loads_no_python_docx(tmp_path, cat):
    path = tmp_path / "tm.docx"
    build_narrative_form(cat, cat.unit_by_code["VP"], {}).save(str(path))
    code = ("import sys; from pathlib import Path; "
            "from pipeline.read.narrative import narrative_unit; "
            f"print(narrative_unit(Path({str(path)!r})).unit, 'docx' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         cwd=ROOT, check=True)
    assert out.stdout.split() == ["VP", "False"]


def test_a_damaged_narrative_is_the_files_fault(tmp_path, cat):
    path = tmp_path / "tm.docx"
    build_narrative_form(cat, cat.unit_by_code["VP"], {}).save(str(path))
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])  # cut in the middle: no zip directory
    for full in (True, False):
        result = read_file(path, full_narratives=full)
        assert isinstance(result, Finding) and result.code in (
            "file_unreadable", "file_not_office"), result


def test_a_fault_of_this_software_in_a_narrative_is_said_to_be_one(tmp_path, cat,
                                                                   monkeypatch):
    path = tmp_path / "tm.docx"
    build_narrative_form(cat, cat.unit_by_code["VP"], {("IV", 0): ["Một."]}).save(str(path))

    def broken(*args: object) -> None:
        raise AttributeError("a bug")

    monkeypatch.setattr(narrative, "_narrative_sections", broken)
    result = read_file(path)
    assert isinstance(result, Finding)
    assert result.code == "internal_error"
    assert result.message.startswith("Phần mềm gặp lỗi khi đọc tệp này (AttributeError: a "
                                     "bug). Đây là lỗi của phần mềm, không phải của đơn vị")


def test_a_fault_of_this_software_in_a_workbook_is_said_to_be_one(tmp_path, cat, inputs,
                                                                  monkeypatch):
    def broken(*args: object) -> bool:
        raise IndexError("a bug")

    monkeypatch.setattr(workbook, "_read_item_sheet", broken)
    result = read_file(next(inputs.glob("KHTC_*.xlsx")))
    assert isinstance(result, Finding)
    assert result.code == "internal_error"
    assert "(IndexError: a bug)" in result.message


def test_a_parser_failure_in_a_workbook_is_the_files_fault(tmp_path, inputs, monkeypatch):
    class Sheet:
        height = width = 1

        def to_python(self, **kw: object) -> list[list[object]]:
            raise ValueError("calamine could not read a cell")

    def get_sheet(self: object, name: str) -> Sheet:
        return Sheet()

    source = next(inputs.glob("KHTC_*.xlsx"))
    import python_calamine

    monkeypatch.setattr(python_calamine.CalamineWorkbook, "get_sheet_by_name", get_sheet)
    result = read_file(source)
    assert isinstance(result, Finding)
    assert (result.code, result.unit) == ("file_unreadable", "")
    assert "ValueError: calamine could not read a cell" in result.message


def test_read_narrative_raises_refused_for_a_form_without_code(tmp_path):
    path = _docx(tmp_path / "a.docx", [[["Mã đơn vị", ""]]])
    with pytest.raises(Refused):
        read_narrative(path)
    with pytest.raises(Refused):
        narrative_unit(path)
    assert not isinstance(read_file(path), NarrativeSubmission)
