"""Edits office staff make to a form, built cell by cell with openpyxl, and received files that
cannot be read: each gives a finding at its cell, and nothing received is called missing.

(The same kinds of edits made by LibreOffice itself are in test_office_files.py.)
"""

from __future__ import annotations

import datetime as dt
import os
from functools import partial
from pathlib import Path

import pytest
from docx import Document
from openpyxl import load_workbook

from pipeline.office.letters import reminder
from pipeline.office.status import check_inputs
from pipeline.read.files import read_inputs
from pipeline.validate.submissions import unit_from_name, validate
from pipeline.validate.workbook import check_workbook

from .conftest import write_unit_workbook


def _validate(cat, folder: Path):
    return validate(cat, read_inputs(folder, workers=0, check=partial(check_workbook, cat)))


def _where(v) -> list[tuple[str, str, str]]:
    return [(f.code, f.sheet, f.cell) for f in v.findings]


def _edit(path: Path, edit) -> Path:
    wb = load_workbook(path)
    edit(wb)
    wb.save(path)
    return path


def _values(v) -> dict[tuple[str, str, int], float]:
    return {(x.indicator, x.breakdown, x.year): x.value for x in v.values}


# --- percent cells ----------------------------------------------------------------------------
def test_fraction_typed_in_a_percent_row_of_tens_is_a_warning_not_a_guess(cat, tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    # TTUD's trained-labour ratio (I.9 row 6): 35 ... 62,1 and then 0,666 for 2019 (M6).
    write_unit_workbook(cat, "TTUD", folder / "ttud.xlsx",
                        changes={("ld_qua_dao_tao", 2019): 0.666})
    v = _validate(cat, folder)

    assert ("percent_ambiguous", "I.9", "M6") in _where(v)
    f = next(f for f in v.findings if f.code == "percent_ambiguous")
    assert "là 0,666" in f.message and "66,6%" in f.message
    assert _values(v)[("ld_qua_dao_tao", "total", 2019)] == 0.666  # used as typed


def _type_as_percent(path: Path, sheet: str, cell: str, value: float, fmt: str) -> None:
    """What Excel stores when "66,6%" is typed: the fraction, with a percent number format."""
    def typed(wb) -> None:
        wb[sheet][cell] = value
        wb[sheet][cell].number_format = fmt
    _edit(path, typed)


def test_percent_formatted_fraction_in_a_percent_row_is_read_as_points(cat, tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    _type_as_percent(write_unit_workbook(cat, "TTUD", folder / "ttud.xlsx"), "I.9", "M6",
                     0.666, "0.0%")
    v = _validate(cat, folder)

    assert not [f for f in v.findings if f.cell == "M6"]
    assert _values(v)[("ld_qua_dao_tao", "total", 2019)] == 66.6


def test_percent_typed_in_a_money_cell_is_refused(cat, tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    _type_as_percent(write_unit_workbook(cat, "KHTC", folder / "khtc.xlsx"), "I.1", "E6",
                     0.5, "0%")  # "0%": Excel's built-in format 9
    v = _validate(cat, folder)

    assert ("percent_in_number", "I.1", "E6") in _where(v)
    f = next(f for f in v.findings if f.code == "percent_in_number")
    assert "(50,00%)" in f.message and "triệu đồng" in f.message
    assert ("chi_nsdp", "total", 2011) not in _values(v)


# --- rows, sheets and cells outside the form ------------------------------------------------------
def test_copied_row_key_unknown_key_extra_sheet_and_cell_beside_a_list(cat, tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    path = write_unit_workbook(cat, "KHTC", folder / "khtc.xlsx")

    def edits(wb):
        ws = wb["I.1"]
        for col in "ABCDEFGHIJKLM":  # row 7 (chi_khcn.dtpt) copied under the table
            ws[f"{col}20"] = ws[f"{col}7"].value
        ws["A21"], ws["B21"], ws["E21"] = "chi_cu", "Chỉ tiêu cũ", 5
        extra = wb.create_sheet("Ghi chú riêng")
        extra["A1"], extra["B2"] = "Số liệu bổ sung", 42
        wb["DS dự án"]["K6"] = "xem thêm"
    _edit(path, edits)
    v = _validate(cat, folder)

    found = _where(v)
    assert ("duplicate_row_key", "I.1", "B20") in found
    assert ("unknown_row_key", "I.1", "B21") in found
    assert ("extra_sheet", "Ghi chú riêng", "") in found
    assert ("value_outside_form", "DS dự án", "K6") in found
    dup = next(f for f in v.findings if f.code == "duplicate_row_key")
    assert "Dòng 20 lặp lại mã chỉ tiêu của dòng 7" in dup.message
    extra = next(f for f in v.findings if f.code == "extra_sheet")
    assert "2 ô có nội dung" in extra.message
    # the original row still gives its values
    assert _values(v)[("chi_khcn", "dtpt", 2011)] == 14500


# --- received, not readable -----------------------------------------------------------------------
def test_unit_from_name_takes_one_code_among_the_words(cat):
    assert unit_from_name(cat, "khtc_bieu (1).xls") == "KHTC"
    assert unit_from_name(cat, "Bieu-TTUD.pdf") == "TTUD"
    assert unit_from_name(cat, "KHTC_TTUD.xlsx") == ""  # two units: no guess
    assert unit_from_name(cat, "bieu_so_lieu.xlsx") == ""


def test_unreadable_or_nested_files_count_as_received_not_missing(cat, tmp_path):
    folder = tmp_path / "inputs"
    (folder / "gui_lai").mkdir(parents=True)
    write_unit_workbook(cat, "KHTC", folder / "gui_lai" / "KHTC_so_lieu.xlsx")
    pdf = folder / "TTRA_bao_cao.pdf"
    pdf.write_bytes(b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\n")
    sent = dt.datetime(2020, 3, 15, 9, 0).timestamp()
    os.utime(pdf, (sent, sent))  # a file dated after the as-of date would not count yet

    checked = check_inputs(cat, folder, dt.date(2020, 3, 20), log=lambda _s: None)

    codes = {(f.code, f.file, f.unit) for f in checked.validation.findings}
    assert ("file_in_subfolder", "gui_lai/KHTC_so_lieu.xlsx", "KHTC") in codes
    assert ("file_pdf", "TTRA_bao_cao.pdf", "TTRA") in codes
    by_unit = {p.unit: p for p in checked.progress}
    assert (by_unit["KHTC"].status, by_unit["KHTC"].note) == (
        "Đã nhận, chưa đọc được", "Tệp nhận được không đọc được; đã quá hạn 10 ngày.")
    assert by_unit["TTRA"].status == "Đã nhận, chưa đọc được"
    assert by_unit["VP"].status.startswith("Chưa nộp")
    assert by_unit["TTRA"].received is not None

    letter = reminder(cat, checked, by_unit["KHTC"], dt.date(2020, 3, 20),
                      tmp_path / "nhac-KHTC.docx")
    text = "\n".join(p.text for p in Document(str(letter)).paragraphs)
    assert ("đã nhận tệp đơn vị gửi nhưng chưa đọc được, nên nội dung của đơn vị chưa được "
            "tổng hợp:\n- Tệp 'gui_lai/KHTC_so_lieu.xlsx': ") in text
    assert "thư mục con" in text
    assert "chưa nhận được" not in text.lower()


# --- each kind of file a unit may send gets words that fit it ---------------------------------
def _zip(path: Path, names: list[str]) -> None:
    import zipfile

    with zipfile.ZipFile(path, "w") as zf:
        for n in names:
            zf.writestr(n, "<x/>")


@pytest.mark.parametrize(("name", "make", "code", "words"), [
    ("KHTC.xlsb", lambda p: _zip(p, ["[Content_Types].xml", "xl/workbook.bin"]), "file_xlsb",
     "Excel nhị phân (.xlsb)"),
    ("KHTC_ho_so.zip", lambda p: _zip(p, ["KHTC.xlsx"]), "file_archive", "giải nén"),
    ("KHTC_anh.png", lambda p: p.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(40)), "file_image",
     "ảnh (PNG)"),
    ("KHTC_chup.jpg", lambda p: p.write_bytes(b"\xff\xd8\xff\xe0" + bytes(40)), "file_image",
     "ảnh (JPEG)"),
    ("KHTC.pdf", lambda p: p.write_bytes(b"%PDF-1.7\n"), "file_pdf", "PDF"),
    ("KHTC.csv", lambda p: p.write_text("nam;chi\n2019;1\n", encoding="utf-8"), "file_csv",
     "(.csv)"),
], ids=["xlsb", "zip", "png", "jpeg", "pdf", "csv"])
def test_each_kind_gets_its_own_message_and_its_unit(cat, tmp_path, name, make, code, words):
    folder = tmp_path / "in"
    folder.mkdir()
    make(folder / name)
    v = _validate(cat, folder)
    [f] = v.findings
    assert (f.code, f.file, f.unit) == (code, name, "KHTC")
    assert words in f.message and "Hãy" in f.message


def test_files_are_read_by_what_they_hold_not_by_their_name(cat, tmp_path, sample_inputs):
    folder = tmp_path / "in"
    folder.mkdir()
    write_unit_workbook(cat, "TTRA", folder / "bieu_thanh_tra.docx")  # a workbook named .docx
    src = sample_inputs / "QLKH_thuyet_minh_mau.docx"
    (folder / "thuyet_minh.xlsx").write_bytes(src.read_bytes())  # a narrative named .xlsx
    v = _validate(cat, folder)
    assert [(w.file.name, w.unit) for w in v.workbooks] == [("bieu_thanh_tra.docx", "TTRA")]
    assert [(n.file.name, n.unit) for n in v.narratives] == [("thuyet_minh.xlsx", "QLKH")]
    assert [f.code for f in v.findings if f.severity.value == "error"] == []


# --- what office staff do to a sheet never crashes a command ---------------------------------
def _everything_staff_do(wb) -> None:
    """Comments, hidden rows and columns, frozen panes, a filter, a sheet renamed and back,
    an extra sheet, and an Excel-style merge over a cell that gets a finding."""
    from openpyxl.comments import Comment

    ws = wb["I.1"]
    ws["E6"].comment = Comment("Số quyết toán", "Đơn vị")
    ws.row_dimensions[8].hidden = True
    ws.column_dimensions["G"].hidden = True
    ws.freeze_panes = "C7"
    ws.auto_filter.ref = "A5:Q12"
    ws.title = "Tam"
    ws.title = "I.1"
    wb.create_sheet("Sheet2")["A1"] = "nháp"
    ws["F6"] = None  # Excel empties the hidden cell of a merge
    ws.merge_cells("E6:F6")


def test_every_command_survives_what_staff_do_to_a_sheet(cat, tmp_path, inputs, monkeypatch):
    from click.testing import CliRunner

    from pipeline.cli import main

    from .conftest import ROOT

    monkeypatch.chdir(ROOT)
    path = inputs / "KHTC_so_lieu_mau.xlsx"
    _edit(path, _everything_staff_do)
    before = path.read_bytes()
    outputs = tmp_path / "outputs"
    runner = CliRunner()

    checked = runner.invoke(main, ["check", str(path), "--out", str(tmp_path / "gop-y")])
    validated = runner.invoke(main, ["validate", "--inputs", str(inputs), "--outputs",
                                     str(outputs), "--as-of", "30/03/2020"])
    built = runner.invoke(main, ["report", "--inputs", str(inputs), "--outputs", str(outputs),
                                 "--no-pdf", "--as-of", "30/03/2020"])

    for result in (checked, validated, built):
        assert result.exception is None or isinstance(result.exception, SystemExit), \
            result.output
        assert "Traceback" not in result.output
    assert checked.exit_code == validated.exit_code == 1  # F6 is required and now empty
    assert built.exit_code == 0 and "Xong:" in built.output
    for result in (checked, validated):
        assert ("[Lỗi] KHTC_so_lieu_mau.xlsx › I.1!F6: Chưa nhập 'Tổng chi ngân sách địa "
                "phương' năm 2012.") in result.output
        assert "[Cảnh báo] KHTC_so_lieu_mau.xlsx › I.1!E6:F6: Các ô E6:F6 bị gộp" in result.output
        assert "[Cảnh báo] KHTC_so_lieu_mau.xlsx › Sheet2: Trang 'Sheet2'" in result.output
    # The annotated copy marks the merge's top-left cell (F6 is inside the merge).
    copy = load_workbook(tmp_path / "gop-y" / "KHTC_so_lieu_mau_gop_y.xlsx")
    assert "Chưa nhập 'Tổng chi ngân sách địa phương' năm 2012" in copy["I.1"]["E6"].comment.text
    assert path.read_bytes() == before  # inputs are only read


def test_deleting_the_key_column_is_one_finding_for_the_sheet(cat, tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    path = write_unit_workbook(cat, "TDC", folder / "tdc.xlsx")
    _edit(path, lambda wb: wb[cat.data_items_of("TDC")[0].code].delete_cols(1))
    v = _validate(cat, folder)
    sheet = cat.data_items_of("TDC")[0].code
    assert _where(v)[:2] == [("no_values", "", ""), ("sheet_without_keys", sheet, "")]
    assert not [f for f in v.findings if f.code in ("missing_row", "extra_sheet")]


def test_a_renamed_item_sheet_is_found_by_its_keys(cat, tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    path = write_unit_workbook(cat, "KHTC", folder / "khtc.xlsx")

    def rename(wb):
        wb["I.1"].title = "Đầu tư KH&CN"
    _edit(path, rename)
    v = _validate(cat, folder)
    assert _where(v) == [("sheet_renamed", "Đầu tư KH&CN", "")]
    assert "Hãy trả lại tên trang 'I.1'" in v.findings[0].message
    nsdp = next(x for x in v.values if x.indicator == "chi_nsdp" and x.year == 2011)
    assert (nsdp.sheet, nsdp.cell, nsdp.value) == ("Đầu tư KH&CN", "E6", 7850000)


# --- a fault of the software is said as such, never as the unit's ----------------------------
def test_a_fault_in_checking_is_an_internal_error_not_the_units(cat, tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    write_unit_workbook(cat, "TTRA", folder / "TTRA_bieu.xlsx")

    def broken_check(_wb):
        raise KeyError("mã lạ")

    read = read_inputs(folder, workers=0, check=broken_check)
    [f] = read.findings
    assert (f.code, f.file, f.severity.value) == ("internal_error", "TTRA_bieu.xlsx", "error")
    assert f.message == (
        "Phần mềm gặp lỗi khi kiểm tra tệp này (KeyError: 'mã lạ'). Đây là lỗi của phần "
        "mềm, không phải của đơn vị: số liệu của tệp chưa được dùng. Hãy báo cho người phụ "
        "trách phần mềm và gửi kèm tệp.")
    assert "Lưu thành" not in f.message  # never "re-save your file"


def test_an_odt_narrative_named_xlsx_is_read_as_a_narrative(cat, tmp_path):
    from pipeline.core import soffice as office

    if office.find_soffice() is None:
        pytest.skip("LibreOffice (soffice) is not installed")
    folder = tmp_path / "in"
    folder.mkdir()
    src = Path(__file__).parent / "data" / "office" / "khtc_narrative.odt"
    (folder / "KHTC_bieu.xlsx").write_bytes(src.read_bytes())
    v = _validate(cat, folder)
    assert [(n.file.name, n.unit) for n in v.narratives] == [("KHTC_bieu.xlsx", "KHTC")]
    assert [f.code for f in v.findings] == ["file_converted"]
