"""pipeline/read/files.py: read_file, needs_conversion, read_files and read_inputs on small
folders made in tmp_path (a good workbook, a damaged file, a lock file, a subfolder), in this
process and in a worker, with and without the cache; every other entry of an inputs folder (a
FIFO, links broken, looping or leading out, a folder named like a workbook, a hidden name, a
name that is not UTF-8) named with its reason, and never opened when opening could block."""

from __future__ import annotations

import os
import time
import unicodedata
from functools import partial
from pathlib import Path

import pytest

from pipeline.core.findings import Finding, Severity
from pipeline.core.limits import start_method
from pipeline.read import files as files_module
from pipeline.read.cache import ResultCache
from pipeline.read.files import needs_conversion, not_regular, read_file, read_files, read_inputs
from pipeline.read.model import WorkbookSubmission
from pipeline.validate.workbook import check_workbook

from .conftest import returns_within, write_unit_workbook

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


@pytest.mark.skipif(start_method() != "fork",
                    reason="the hanging parser is patched in; only a forked child inherits it")
def test_an_ole_container_that_hangs_its_parser_costs_no_more_than_the_time_limit(
        tmp_path, monkeypatch):
    import time

    doc = tmp_path / "tm.doc"
    doc.write_bytes(OLE + b"\x00" * 504 + "WordDocument".encode("utf-16-le") + b"\x00" * 64)
    # A crafted directory that sends the OLE parser round for ever: sniffing is in a child
    # process, stopped at the limit; the file is then read (and named) by a worker.
    monkeypatch.setattr(files_module, "sniff", lambda *_a: time.sleep(3600))
    with returns_within(60):  # were it sniffed here, the test would fail, not hang
        assert needs_conversion(doc, timeout_s=1) == ""


# --- read_inputs -----------------------------------------------------------------------------
def test_read_inputs_reads_names_and_skips(folder):
    read = read_inputs(folder, workers=0)

    assert [w.file.name for w in read.workbooks] == ["KHTC_bieu.xlsx"]
    assert read.narratives == ()
    assert [(f.code, f.file) for f in read.findings] == [
        ("file_unreadable", "QLKH_bieu.xlsx"), ("file_in_subfolder", "cu/VP_bieu.xlsx")]
    assert read.skipped == ("Bỏ qua 'README.md': tệp ghi chú của thư mục inputs.",
                            "Bỏ qua '~$KHTC_bieu.xlsx': tệp khóa tạm của Excel/Word/LibreOffice "
                            "(tệp gốc đang mở).")
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


# --- every entry accounted for; nothing that could block is opened ---------------------------
@pytest.fixture()
def odd_folder(tmp_path, cat) -> Path:
    """An inputs folder holding one good workbook and one entry of every kind not read."""
    inputs = tmp_path / "inputs"
    inputs.mkdir()
    write_unit_workbook(cat, "KHTC", inputs / "KHTC_bieu.xlsx")
    outside = write_unit_workbook(cat, "VP", tmp_path / "VP_bieu.xlsx")
    os.mkfifo(inputs / "QLKH_bieu.xlsx")  # a FIFO named like a workbook
    (inputs / "VP_bieu.xlsx").symlink_to(outside)  # a link out of inputs/
    (inputs / "TDC_bieu.xlsx").symlink_to(tmp_path / "khong_co.xlsx")  # broken
    (inputs / "TTRA_bieu.xlsx").symlink_to("TTRA_bieu.xlsx")  # a loop
    (inputs / "TTUD.xlsx").mkdir()  # an empty folder named like a workbook
    (inputs / "QLCS_thu_muc").symlink_to(inputs / "TTUD.xlsx")  # a link to a folder
    (inputs / ".QLCNG_bieu.xlsx").write_bytes(b"PK\x03\x04")  # hidden
    (inputs / "._KHTC_bieu.xlsx").write_bytes(b"\x00\x05\x16\x07")  # macOS metadata
    (inputs / "gui" / "QLCN").mkdir(parents=True)  # a subfolder, a workbook and a FIFO in it
    write_unit_workbook(cat, "QLCN", inputs / "gui" / "QLCN" / "bieu.xlsx")
    os.mkfifo(inputs / "gui" / "ong")
    (inputs / "gui" / "rong").mkdir()  # an empty folder inside: nothing to name
    # A name that is not UTF-8 (a zip made on Windows unpacked here): read, and named escaped.
    with open(os.path.join(os.fsencode(inputs), b"VP_b\xe9u.pdf"), "wb") as fh:
        fh.write(b"%PDF-1.4\n")
    os.mkfifo(os.path.join(os.fsencode(inputs), b"gui/\xff.xlsx"))
    old = time.time() - 3600
    for path in [*inputs.rglob("*"), inputs]:
        if not path.is_symlink():
            os.utime(path, (old, old))
    return inputs


# (code, entry as shown, severity, words of its message)
ODD_ENTRIES = [
    ("file_pdf", "VP_b\\xe9u.pdf", Severity.ERROR, "PDF"),
    ("entry_hidden", ".QLCNG_bieu.xlsx", Severity.WARNING, "Tệp ẩn"),
    ("entry_special", "QLKH_bieu.xlsx", Severity.ERROR, "một ống dẫn (FIFO), không phải tệp"),
    ("entry_link_special", "QLCS_thu_muc", Severity.ERROR, "liên kết (symlink) tới một thư mục"),
    ("entry_link_broken", "TDC_bieu.xlsx", Severity.ERROR, "liên kết (symlink) hỏng"),
    ("entry_link_loop", "TTRA_bieu.xlsx", Severity.ERROR, "vòng liên kết"),
    ("entry_folder", "TTUD.xlsx/", Severity.WARNING, "thư mục, không phải tệp"),
    ("entry_link_outside", "VP_bieu.xlsx", Severity.ERROR, "trỏ ra ngoài thư mục inputs"),
    ("file_in_subfolder", "gui/QLCN/bieu.xlsx", Severity.WARNING, "thư mục con"),
    ("file_in_subfolder", "gui/ong", Severity.WARNING, "thư mục con"),
    ("file_in_subfolder", "gui/\\xff.xlsx", Severity.WARNING, "thư mục con"),
]


def test_every_entry_not_read_is_named_with_its_reason(odd_folder):
    with returns_within(30):
        read = read_inputs(odd_folder, workers=0)

    assert [w.file.name for w in read.workbooks] == ["KHTC_bieu.xlsx"]  # the outside VP's not
    got = {(f.code, f.file): f for f in read.findings}
    assert len(got) == len(read.findings) == len(ODD_ENTRIES)
    for code, name, severity, words in ODD_ENTRIES:
        f = got[(code, name)]
        assert f.severity is severity, name
        assert words in f.message, name
        assert "hãy" in f.message.lower() and f.message.endswith("."), name  # what to do
        assert unicodedata.is_normalized("NFC", f.message), name
    assert read.skipped == ("Bỏ qua '._KHTC_bieu.xlsx': tệp thông tin kèm theo do máy Mac tạo "
                            "ra khi chép tệp (không phải tệp của đơn vị).",)


def test_a_worker_pool_names_the_same_entries(odd_folder):
    with returns_within(60):
        pooled = read_inputs(odd_folder, workers=1)
        here = read_inputs(odd_folder, workers=0)

    assert pooled.findings == here.findings
    assert [w.file.name for w in pooled.workbooks] == ["KHTC_bieu.xlsx"]


def test_a_link_to_a_file_inside_the_folder_is_read(tmp_path, cat):
    real = tmp_path / "that_muc"
    real.mkdir()
    write_unit_workbook(cat, "KHTC", real / "KHTC_bieu.xlsx")
    (real / "ban_sao.xlsx").symlink_to("KHTC_bieu.xlsx")
    (real / "cu").mkdir()
    write_unit_workbook(cat, "VP", real / "cu" / "VP.xlsx")
    (real / "VP_moi.xlsx").symlink_to(real / "cu" / "VP.xlsx")  # inside, in a subfolder
    _settle(real)
    inputs = tmp_path / "inputs"
    inputs.symlink_to(real)  # inputs/ itself reached through a link

    read = read_inputs(inputs, workers=0)

    assert [(w.file.name, w.unit) for w in read.workbooks] == [
        ("KHTC_bieu.xlsx", "KHTC"), ("VP_moi.xlsx", "VP"), ("ban_sao.xlsx", "KHTC")]
    assert [(f.code, f.file) for f in read.findings] == [("file_in_subfolder", "cu/VP.xlsx")]


def test_read_file_and_read_files_refuse_a_fifo_without_opening_it(tmp_path):
    fifo = tmp_path / "KHTC.xlsx"
    os.mkfifo(fifo)

    with returns_within(30):
        alone = read_file(fifo)
        many = read_files([fifo], workers=1)

    assert isinstance(alone, Finding)
    assert (alone.code, alone.file) == ("entry_special", "KHTC.xlsx")
    assert alone.message == (
        "Mục này là một ống dẫn (FIFO), không phải tệp, nên không được mở. Hãy xóa mục này "
        "khỏi thư mục inputs và chép vào đó chính tệp biểu số liệu (.xlsx) hoặc thuyết minh "
        "(.docx).")
    assert [(f.code, f.file) for f in many.findings] == [("entry_special", "KHTC.xlsx")]
    assert (many.workbooks, many.files) == ((), ())


def test_a_fifo_put_in_place_of_a_listed_file_is_refused_on_its_descriptor(tmp_path,
                                                                          monkeypatch):
    fifo = tmp_path / "KHTC.pdf"  # not a workbook suffix: its bytes are read to sniff it
    os.mkfifo(fifo)
    monkeypatch.setattr(files_module, "not_regular", lambda _path, _root=None: None)

    with returns_within(30):
        result = read_file(fifo)  # as if the file had become a FIFO after it was listed

    assert isinstance(result, Finding)
    assert (result.code, result.file) == ("entry_special", "KHTC.pdf")


def test_not_regular_says_what_an_entry_is_without_opening_it(tmp_path):
    (tmp_path / "a.xlsx").write_bytes(b"PK")
    (tmp_path / "lk.xlsx").symlink_to("a.xlsx")
    os.mkfifo(tmp_path / "ong")

    with returns_within(30):
        assert not_regular(tmp_path / "a.xlsx") is None
        assert not_regular(tmp_path / "lk.xlsx", os.path.realpath(tmp_path)) is None
        outside = not_regular(tmp_path / "lk.xlsx", os.path.realpath(tmp_path / "khac"))
        fifo = not_regular(tmp_path / "ong")
        gone = not_regular(tmp_path / "khong_co.xlsx")

    assert outside is not None and outside.code == "entry_link_outside"
    assert fifo is not None and fifo.code == "entry_special"
    assert gone is not None and (gone.code, gone.severity) == ("file_unreadable", Severity.ERROR)
    assert "tệp không còn trong thư mục" in gone.message


def test_a_subfolder_too_full_is_listed_only_so_far_and_says_so(tmp_path, monkeypatch):
    inputs = tmp_path / "inputs"
    (inputs / "cu").mkdir(parents=True)
    for i in range(5):
        (inputs / "cu" / f"{i}.xlsx").write_bytes(b"PK")
    (inputs / "sau").mkdir()
    for i in range(7):
        (inputs / "sau" / f"{i}").mkdir()  # folders only: looked at, never listed
    monkeypatch.setattr(files_module, "MAX_NESTED", 3)
    monkeypatch.setattr(files_module, "MAX_SCANNED", 6)

    read = read_inputs(inputs, workers=0)

    assert [(f.code, f.file) for f in read.findings] == [
        ("file_in_subfolder", "cu/0.xlsx"), ("file_in_subfolder", "cu/1.xlsx"),
        ("file_in_subfolder", "cu/2.xlsx"), ("entry_folder_many", "cu/"),
        ("entry_folder_many", "sau/")]
    assert read.findings[3].message.startswith(
        "Thư mục con có quá nhiều mục: chỉ 3 tệp đầu được liệt kê")


# --- names as the office's machines make them: accents (NFC or NFD), spaces, long names -------
NFC_NAME = "Phòng Kế hoạch Tài chính - biểu số liệu.xlsx"
NFD_NAME = unicodedata.normalize("NFD", "Phòng Quản lý khoa học biểu số liệu.xlsx")  # macOS
LONG_NAME = ("Trung tâm Ứng dụng tiến bộ khoa học và công nghệ tỉnh Bắc Giang - biểu số liệu "
             "thống kê giai đoạn 2011-2020 và kế hoạch 2021-2030 bản cuối.xlsx")
DAMAGED_NFD = unicodedata.normalize("NFD", "Văn phòng Sở biểu hỏng.xlsx")


@pytest.fixture()
def named_folder(tmp_path, cat) -> Path:
    inputs = tmp_path / "hồ sơ nộp"  # the folder's own name has accents and a space too
    inputs.mkdir()
    write_unit_workbook(cat, "KHTC", inputs / NFC_NAME)
    write_unit_workbook(cat, "QLKH", inputs / NFD_NAME)
    write_unit_workbook(cat, "TTUD", inputs / LONG_NAME)
    (inputs / DAMAGED_NFD).write_bytes(b"PK\x03\x04" + b"\x00" * 100)
    _settle(inputs)
    return inputs


@pytest.mark.parametrize("workers", [0, 2])
def test_accented_spaced_and_long_names_are_read_and_named_in_nfc(named_folder, cat, workers):
    assert len(LONG_NAME) == 143 and len(LONG_NAME.encode("utf-8")) < 255  # fits any disk
    read = read_inputs(named_folder, workers=workers, check=partial(check_workbook, cat))

    assert sorted(w.unit for w in read.workbooks) == ["KHTC", "QLKH", "TTUD"]
    shown = {  # typed here by hand, in NFC; a name past 120 characters keeps start and end
        "KHTC": "Phòng Kế hoạch Tài chính - biểu số liệu.xlsx",
        "QLKH": "Phòng Quản lý khoa học biểu số liệu.xlsx",
        "TTUD": "Trung tâm Ứng dụng tiến bộ khoa học và công nghệ tỉnh Bắc Giang - biểu số liệu "
                "thống kê giai đoạn 2…1-2030 bản cuối.xlsx"}
    assert {w.unit: w.file.name for w in read.workbooks} == shown
    assert sorted(read.checks) == sorted(shown.values())
    assert all(check.values for check in read.checks.values())  # each one read and checked
    assert [(f.code, f.file) for f in read.findings] == [
        ("file_unreadable", "Văn phòng Sở biểu hỏng.xlsx")]
    assert unicodedata.is_normalized("NFC", read.findings[0].file)
