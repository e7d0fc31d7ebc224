"""pipeline/read/files.py: read_file, needs_conversion, read_files and read_inputs on small
folders made in tmp_path (a good workbook, a damaged file, a lock file, a subfolder), in this
process and in a worker, with and without the cache."""

from __future__ import annotations

import os
import time
from functools import partial
from pathlib import Path

import pytest

from pipeline.core.findings import Finding, Severity
from pipeline.read import files as files_module
from pipeline.read.cache import ResultCache
from pipeline.read.files import needs_conversion, read_file, read_files, read_inputs
from pipeline.read.model import WorkbookSubmission
from pipeline.validate.workbook import check_workbook

from .conftest import write_unit_workbook

OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def _settle(folder: Path) -> None:
    """Date every file an hour back: settled files, not files still being copied in."""
    old = time.time() - 3600
    for path in folder.rglob("*"):
        os.utime(path, (old, old))


@pytest.fixture()
def folder(tmp_path, cat) -> Path:
    """One good workbook, one damaged file, a lock file, a readme and a file in a subfolder."""
    inputs = tmp_path / "inputs"
    inputs.mkdir()
    write_unit_workbook(cat, "KHTC", inputs / "KHTC_bieu.xlsx")
    (inputs / "QLKH_bieu.xlsx").write_bytes(b"PK\x03\x04" + b"\x00" * 100)
    (inputs / "~$KHTC_bieu.xlsx").write_bytes(b"\x00" * 165)
    (inputs / "README.md").write_text("Thư mục nộp tệp", encoding="utf-8")
    (inputs / "cu").mkdir()
    (inputs / "cu" / "VP_bieu.xlsx").write_bytes(b"PK")
    (inputs / "cu" / "~$VP_bieu.xlsx").write_bytes(b"\x00")
    _settle(inputs)
    return inputs


# --- read_file -------------------------------------------------------------------------------
def test_read_file_gives_the_submission_of_a_good_workbook(tmp_path, cat):
    path = write_unit_workbook(cat, "KHTC", tmp_path / "KHTC.xlsx")

    result = read_file(path)

    assert isinstance(result, WorkbookSubmission)
    assert (result.unit, result.file.name) == ("KHTC", "KHTC.xlsx")


def test_read_file_names_a_damaged_file(tmp_path):
    path = tmp_path / "QLKH_bieu.xlsx"
    path.write_bytes(b"PK\x03\x04" + b"\x00" * 100)

    result = read_file(path)

    assert isinstance(result, Finding)
    assert (result.code, result.file, result.severity) == (
        "file_unreadable", "QLKH_bieu.xlsx", Severity.ERROR)


@pytest.mark.parametrize(("name", "data", "code"), [
    ("bieu.pdf", b"%PDF-1.4\n", "file_pdf"),
    ("so_lieu.csv", b"chi_nsdp;2019;17420000\n", "file_csv"),
    ("anh.jpg", b"\xff\xd8\xff\xe0\x00\x10JFIF", "file_image"),
    ("goi.zip", b"PK\x05\x06" + b"\x00" * 18, "file_archive"),  # an empty zip
    ("ghi_chu.bin", b"hello", "file_not_office"),
])
def test_read_file_refuses_what_is_not_a_form_by_its_bytes(tmp_path, name, data, code):
    path = tmp_path / name
    path.write_bytes(data)

    result = read_file(path)

    assert isinstance(result, Finding)
    assert (result.code, result.file) == (code, name)


def test_read_file_of_a_doc_without_conversion_asks_for_a_docx(tmp_path):
    path = tmp_path / "KHTC_tm.doc"
    path.write_bytes(OLE + b"\x00" * 504 + "WordDocument".encode("utf-16-le") + b"\x00" * 64)

    result = read_file(path)

    assert isinstance(result, Finding)
    assert result.code == "file_legacy_doc"
    assert result.message.startswith(
        "Tệp thuyết minh dạng Word 97-2003 (.doc) chưa đọc được vì máy tổng hợp chưa cài "
        "LibreOffice")


def test_read_file_reports_a_fault_of_the_software_as_such(tmp_path, cat, monkeypatch):
    path = write_unit_workbook(cat, "KHTC", tmp_path / "KHTC.xlsx")

    def broken(*_args, **_kw):
        raise KeyError("oops")

    monkeypatch.setattr(files_module, "read_workbook", broken)
    result = read_file(path)

    assert isinstance(result, Finding)
    assert (result.code, result.file) == ("internal_error", "KHTC.xlsx")
    assert result.message.startswith("Phần mềm gặp lỗi khi đọc tệp này (KeyError: 'oops').")


# --- needs_conversion ------------------------------------------------------------------------
def test_needs_conversion_by_the_bytes(tmp_path, cat):
    doc = tmp_path / "tm.docx"  # a .doc under a .docx name
    doc.write_bytes(OLE + b"\x00" * 504 + "WordDocument".encode("utf-16-le") + b"\x00" * 64)
    rtf = tmp_path / "tm.doc"
    rtf.write_bytes(b"{\\rtf1\\ansi Thuyet minh}")
    xls = tmp_path / "b.xls"  # an OLE workbook is read, not converted
    xls.write_bytes(OLE + b"\x00" * 504 + "Workbook".encode("utf-16-le") + b"\x00" * 64)
    xlsx = write_unit_workbook(cat, "KHTC", tmp_path / "KHTC.xlsx")

    assert needs_conversion(doc) == "doc"
    assert needs_conversion(rtf) == "rtf"
    assert needs_conversion(xls) == ""
    assert needs_conversion(xlsx) == ""
    assert needs_conversion(tmp_path / "missing.doc") == ""


# --- read_inputs -----------------------------------------------------------------------------
def test_read_inputs_reads_names_and_skips(folder):
    read = read_inputs(folder, workers=0)

    assert [w.file.name for w in read.workbooks] == ["KHTC_bieu.xlsx"]
    assert read.narratives == ()
    assert [(f.code, f.file) for f in read.findings] == [
        ("file_unreadable", "QLKH_bieu.xlsx"), ("file_in_subfolder", "cu/VP_bieu.xlsx")]
    assert read.skipped == ("Bỏ qua '~$KHTC_bieu.xlsx': tệp khóa tạm của Excel/Word/LibreOffice "
                            "(tệp gốc đang mở).",)
    assert [f.name for f in read.files] == ["KHTC_bieu.xlsx", "QLKH_bieu.xlsx"]  # no readme
    assert read.cached == 0
    assert read.checks == {}


def test_a_file_in_a_subfolder_is_a_warning_that_says_to_move_it(folder):
    read = read_inputs(folder, workers=0)

    nested = [f for f in read.findings if f.code == "file_in_subfolder"]
    assert len(nested) == 1
    assert nested[0].severity is Severity.WARNING
    assert nested[0].message.startswith(
        "Tệp nằm trong thư mục con của inputs nên không được đọc.")


def test_a_worker_reads_the_same_as_this_process(folder):
    here = read_inputs(folder, workers=0)
    worker = read_inputs(folder, workers=1)

    assert worker.workbooks[0].cells == here.workbooks[0].cells
    assert worker.workbooks[0].rows == here.workbooks[0].rows
    assert worker.workbooks[0].meta == here.workbooks[0].meta
    assert worker.findings == here.findings
    assert worker.skipped == here.skipped
    assert {c.cell: c.raw for c in worker.workbooks[0].cells}["M6"] == 17_420_000.0


def test_check_runs_on_each_workbook_and_empties_its_cells(folder, cat):
    read = read_inputs(folder, workers=0, check=partial(check_workbook, cat))

    assert list(read.checks) == ["KHTC_bieu.xlsx"]
    check = read.checks["KHTC_bieu.xlsx"]
    values = {(v.indicator, v.breakdown, v.year): (v.value, v.cell) for v in check.values}
    assert values[("chi_nsdp", "total", 2011)] == (7_850_000.0, "E6")
    (wb,) = read.workbooks
    assert (wb.cells, wb.rows, wb.heads) == ((), (), ())
    assert wb.unit == "KHTC"  # the metadata stays


def test_the_cache_serves_a_second_read(folder, tmp_path):
    with ResultCache(tmp_path / "cache", "ngữ cảnh thử") as cache:
        paths = [folder / "KHTC_bieu.xlsx", folder / "QLKH_bieu.xlsx"]
        first = read_files(paths, workers=0, cache=cache)
        second = read_files(paths, workers=0, cache=cache)

    assert first.cached == 0
    assert second.cached == 1  # the workbook; a file that failed is read again
    assert second.workbooks[0].cells == first.workbooks[0].cells
    assert [(f.code, f.file) for f in second.findings] == [("file_unreadable", "QLKH_bieu.xlsx")]


def test_the_cache_misses_when_the_file_changes(folder, tmp_path, cat):
    path = folder / "KHTC_bieu.xlsx"
    with ResultCache(tmp_path / "cache", "ngữ cảnh thử") as cache:
        read_files([path], workers=0, cache=cache)
        write_unit_workbook(cat, "KHTC", path, changes={("chi_nsdp", 2011): 7_900_000})
        again = read_files([path], workers=0, cache=cache)

    assert again.cached == 0
    assert {c.cell: c.raw for c in again.workbooks[0].cells}["E6"] == 7_900_000


def test_another_context_does_not_see_the_entries(folder, tmp_path):
    path = folder / "KHTC_bieu.xlsx"
    with ResultCache(tmp_path / "cache", "phiên bản 1") as cache:
        read_files([path], workers=0, cache=cache)
    with ResultCache(tmp_path / "cache", "phiên bản 2") as cache:
        assert read_files([path], workers=0, cache=cache).cached == 0


def test_read_files_of_nothing_is_empty():
    read = read_files([], workers=0)
    assert (read.workbooks, read.narratives, read.files, read.findings) == ((), (), (), ())
