"""pipeline/validate/workbook.py: parse_vi_number, is_ambiguous and check_workbook on KHTC's
sample form with one thing changed (typed with openpyxl, or stored in the sheet's XML as an
odd writer would); core/fmt.py's shown. KHTC's form: sheet I.1, header in row
5, rows from row 6 (chi_nsdp 6, chi_khcn.dtpt 7, chi_khcn.su_nghiep 8, chi_khcn 9,
ty_le_chi_khcn_muc_tieu 10, csvc_dien_tich 11, csvc_phong_thi_nghiem 12, csvc_thiet_bi 13),
2011-2019 in E-M, 2025 and 2030 in N-O, status in P, note in Q."""

from __future__ import annotations

import datetime as dt
import math
from functools import partial
from pathlib import Path

import pytest
from openpyxl import load_workbook

from pipeline.core.findings import Severity
from pipeline.read.files import read_files
from pipeline.read.workbook import read_workbook
from pipeline.tools.samples import fill_lists
from pipeline.validate.workbook import check_workbook, is_ambiguous, parse_vi_number

from .conftest import write_unit_workbook
from .test_read_workbook import PROJECTS_XML, rewrite_cell


# --- numbers typed as text -------------------------------------------------------------------
@pytest.mark.parametrize(("text", "expected"), [
    ("1.234,5", 1234.5),
    ("1,5", 1.5),
    ("12", 12.0),
    ("1.234", 1234.0),  # Vietnamese thousands
    ("1.234.567", 1234567.0),
    ("-3,25", -3.25),
    ("+7", 7.0),
    (" 1 234,5 ", 1234.5),  # spaces inside are dropped
    ("1\u00a0234", 1234.0),  # a non-breaking space as thousands separator
    ("66,6%", 66.6),
    ("0", 0.0),
    ("123.456.789.012.345", 123_456_789_012_345.0),  # 15 significant digits: exact
    ("2.000.000.000.000.000", 2e15),  # zeros after the last digit are not significant
    ("0,000000000000000012", 1.2e-17),  # nor zeros before the first
])
def test_parse_vi_number(text, expected):
    assert parse_vi_number(text) == expected


@pytest.mark.parametrize("text", [
    "1.5", "1,234.5", "1.23", "12.34,5", "1,2,3", "abc", "12 tỷ", "", "%", "1e3", "--1",
    "1e22", "NaN", "inf",
    # More than 15 significant digits: a float cannot hold them, never rounded silently.
    "1234567890123456789012345", "1.234.567.890.123.456", "0,1234567890123456",
])
def test_parse_vi_number_refuses_anything_else(text):
    assert parse_vi_number(text) is None


@pytest.mark.parametrize(("text", "expected"), [
    ("1,234", True),  # 1.234 to a Vietnamese reader, 1234 to an English one
    ("1.5", True),
    ("12.25", True),
    ("1,234.5", True),
    ("1,234,567.5", True),
    ("1,234%", True),
    ("1,5", False),
    ("1,23", False),
    ("1,2345", False),
    ("1.234,5", False),
    ("1.234", False),  # read as Vietnamese thousands
    ("12", False),
    ("abc", False),
])
def test_is_ambiguous(text, expected):
    assert is_ambiguous(text) is expected


# --- check_workbook --------------------------------------------------------------------------
def _check(cat, tmp_path: Path, changes=None, meta=None, edit=None):
    path = write_unit_workbook(cat, "KHTC", tmp_path / "KHTC_bieu.xlsx", changes, meta)
    if edit is not None:
        wb = load_workbook(path)
        edit(wb)
        wb.save(path)
    return check_workbook(cat, read_workbook(path))


def _places(check) -> list[tuple[str, str, str, int | None]]:
    return [(f.code, f.sheet, f.cell, f.year) for f in check.findings]


def test_the_sample_form_passes_with_its_values(cat, tmp_path):
    check = _check(cat, tmp_path)

    assert check.findings == ()
    values = {(v.indicator, v.breakdown, v.year): v for v in check.values}
    v = values[("chi_nsdp", "total", 2011)]
    assert (v.unit, v.value, v.file, v.sheet, v.cell) == (
        "KHTC", 7_850_000.0, "KHTC_bieu.xlsx", "I.1", "E6")
    assert values[("chi_khcn", "dtpt", 2019)].value == 38_000.0
    assert values[("chi_khcn", "dtpt", 2019)].cell == "M7"
    assert values[("ty_le_chi_khcn_muc_tieu", "total", 2030)].cell == "O10"


def test_text_in_a_number_cell_is_not_a_number(cat, tmp_path):
    check = _check(cat, tmp_path, changes={("csvc_thiet_bi", 2015): "abc"})

    assert _places(check) == [("not_a_number", "I.1", "I13", 2015)]
    f = check.findings[0]
    assert (f.severity, f.unit, f.indicator, f.value) == (
        Severity.ERROR, "KHTC", "csvc_thiet_bi", "abc")
    assert f.message == ("Giá trị 'abc' không phải là số. Hãy nhập số (ví dụ 1234,5), không "
                         "kèm chữ hay đơn vị tính.")
    assert ("csvc_thiet_bi", 2015) not in {(v.indicator, v.year) for v in check.values}


def test_a_value_out_of_range(cat, tmp_path):
    check = _check(cat, tmp_path, changes={("csvc_phong_thi_nghiem", 2012): 2000})

    assert _places(check) == [("out_of_range", "I.1", "F12", 2012)]
    assert check.findings[0].message.startswith(
        "Giá trị 2.000 nằm ngoài khoảng cho phép 0 – 1.000 (phòng).")


def test_an_empty_required_cell(cat, tmp_path):
    check = _check(cat, tmp_path, changes={("chi_nsdp", 2013): None})

    assert ("required_missing", "I.1", "G6", 2013) in _places(check)
    f = next(f for f in check.findings if f.code == "required_missing")
    assert f.message == ("Chưa nhập 'Tổng chi ngân sách địa phương' năm 2013. Hãy nhập số "
                         "liệu; nếu không phát sinh, nhập 0.")


def test_an_empty_optional_cell_is_no_finding(cat, tmp_path):
    check = _check(cat, tmp_path, changes={("csvc_dien_tich", 2013): None})

    assert check.findings == ()
    assert ("csvc_dien_tich", 2013) not in {(v.indicator, v.year) for v in check.values}


def test_a_vietnamese_number_typed_as_text_passes(cat, tmp_path):
    check = _check(cat, tmp_path, changes={("csvc_dien_tich", 2014): "3.456,5"})

    assert check.findings == ()
    values = {(v.indicator, v.year): (v.value, v.cell) for v in check.values}
    assert values[("csvc_dien_tich", 2014)] == (3456.5, "H11")


def test_an_ambiguous_number_typed_as_text(cat, tmp_path):
    check = _check(cat, tmp_path, changes={("csvc_dien_tich", 2014): "3,456"})

    assert _places(check) == [("ambiguous_number", "I.1", "H11", 2014)]


def test_a_fraction_in_a_count(cat, tmp_path):
    check = _check(cat, tmp_path, changes={("csvc_phong_thi_nghiem", 2016): 4.5})

    assert _places(check) == [("not_an_integer", "I.1", "J12", 2016)]
    assert check.findings[0].message.startswith(
        "'Số phòng thí nghiệm, thử nghiệm' là số đếm, giá trị 4,5 phải là số nguyên.")


def test_a_percent_typed_in_a_number_row(cat, tmp_path):
    def edit(wb):
        wb["I.1"]["E11"] = 0.5
        wb["I.1"]["E11"].number_format = "0%"

    check = _check(cat, tmp_path, edit=edit)

    assert _places(check) == [("percent_in_number", "I.1", "E11", 2011)]
    assert check.findings[0].value == "50,00%"


def test_a_value_in_a_grey_cell_is_outside_the_form(cat, tmp_path):
    def edit(wb):
        wb["I.1"]["N6"] = 20_000_000  # chi_nsdp asks no 2025 figure

    check = _check(cat, tmp_path, edit=edit)

    assert _places(check) == [("value_outside_form", "I.1", "N6", None)]


def test_an_unknown_status(cat, tmp_path):
    def edit(wb):
        wb["I.1"]["P7"] = "Chắc chắn"

    check = _check(cat, tmp_path, edit=edit)

    assert _places(check) == [("unknown_status", "I.1", "P7", None)]
    assert check.findings[0].value == "Chắc chắn"


def test_a_retyped_year_header_is_a_warning_and_the_column_is_read(cat, tmp_path):
    def edit(wb):
        wb["I.1"]["E5"] = "Năm 2011"

    check = _check(cat, tmp_path, edit=edit)

    assert _places(check) == [("header_changed", "I.1", "E5", 2011)]
    assert check.findings[0].severity is Severity.WARNING
    assert ("chi_nsdp", 2011) in {(v.indicator, v.year) for v in check.values}


def test_a_form_of_another_catalogue_is_a_warning(cat, tmp_path):
    check = _check(cat, tmp_path, meta={"ma_danh_muc": "000000000000"})

    assert _places(check) == [("catalogue_mismatch", "Thông tin", "C7", None)]
    assert check.findings[0].severity is Severity.WARNING
    assert check.findings[0].value == "000000000000"


def test_a_deleted_item_sheet(cat, tmp_path):
    def edit(wb):
        del wb["I.1"]

    check = _check(cat, tmp_path, edit=edit)

    assert [(f.code, f.sheet) for f in check.findings] == [
        ("no_values", ""), ("missing_sheet", "I.1")]
    assert check.values == ()


def test_list_rows_good_and_bad(cat, tmp_path):
    def edit(wb):
        fill_lists(cat, wb, {"ke_hoach_tuan": [
            {"cong_viec": "Thu thập số liệu", "han": "06/03/2020", "trang_thai": "Hoàn thành"},
            {"cong_viec": "Gửi biểu", "han": "32/03/2020", "trang_thai": "Hoàn thành"},
        ]})

    check = _check(cat, tmp_path, edit=edit)

    assert [(f.code, f.sheet, f.cell, f.indicator) for f in check.findings] == [
        ("list_bad_value", "Kế hoạch tuần", "E7", "ke_hoach_tuan.han")]
    assert "không phải ngày dạng dd/mm/yyyy" in check.findings[0].message
    (entry,) = check.entries
    assert (entry.list, entry.unit, entry.number, entry.sheet, entry.row) == (
        "ke_hoach_tuan", "KHTC", 1, "Kế hoạch tuần", 6)
    assert entry.values["han"] == dt.date(2020, 3, 6)
    assert entry.values["cong_viec"] == "Thu thập số liệu"


# --- numbers no indicator can hold -----------------------------------------------------------
def _stored(cat, tmp_path: Path, a1: str, stored: str, changes=None):
    """check_workbook of KHTC's form whose cell `a1` of I.1 stores `stored` as a number
    (written into the sheet's XML, as a program other than Excel would)."""
    path = write_unit_workbook(cat, "KHTC", tmp_path / "KHTC_bieu.xlsx", changes)
    rewrite_cell(path, a1, f'<c r="{a1}" t="n"><v>{stored}</v></c>')
    return check_workbook(cat, read_workbook(path))


NOT_FINITE = ("Ô chứa '{}', không phải một số thật (NaN hay vô cực, do một phần mềm khác ghi "
              "vào tệp), nên giá trị chưa được dùng. Hãy gõ lại số vào ô này bằng Excel hoặc "
              "LibreOffice, lưu rồi gửi lại.")
TOO_LARGE = ("Giá trị {} lớn hơn mọi chỉ tiêu của báo cáo (độ lớn quá 1.000.000.000.000.000) "
             "nên chưa được dùng. Hãy kiểm tra lại số và đơn vị tính rồi nhập lại.")


@pytest.mark.parametrize(("stored", "code", "shown"), [
    ("NaN", "number_not_finite", "NaN"),
    ("nan", "number_not_finite", "NaN"),
    ("inf", "number_not_finite", "∞"),
    ("-inf", "number_not_finite", "-∞"),
    ("INF", "number_not_finite", "∞"),
    ("1e400", "number_not_finite", "∞"),  # read by calamine as infinity
    ("1E+22", "number_too_large", "1E22"),
    ("1E+308", "number_too_large", "1E308"),
    ("1234567890123456789012345", "number_too_large", "1,2345678901234568E24"),
    ("12345678901234567", "number_too_large", "12.345.678.901.234.568"),  # 17 digits: rounded
    ("-2e15", "number_too_large", "-2.000.000.000.000.000"),
])
def test_a_number_no_indicator_can_hold_is_a_finding_at_its_cell(cat, tmp_path, stored, code,
                                                                  shown):
    check = _stored(cat, tmp_path, "F6", stored)  # chi_nsdp 2012

    assert [(f.code, f.severity, f.sheet, f.cell, f.year, f.indicator, f.value)
            for f in check.findings] == [
        (code, Severity.ERROR, "I.1", "F6", 2012, "chi_nsdp", shown)]
    template = NOT_FINITE if code == "number_not_finite" else TOO_LARGE
    assert check.findings[0].message == template.format(shown)
    assert len(check.values) == 61  # the sample's 62 but this one
    assert "F6" not in {v.cell for v in check.values}


def test_minus_zero_is_read_as_zero_with_a_note(cat, tmp_path):
    check = _stored(cat, tmp_path, "F12", "-0", changes={("csvc_phong_thi_nghiem", 2012): 0})

    assert [(f.code, f.severity, f.cell, f.year, f.value) for f in check.findings] == [
        ("negative_zero", Severity.INFO, "F12", 2012, "-0")]
    assert check.findings[0].message == (
        "Giá trị '-0' là số 0 mang dấu âm, được đọc là 0. Hãy nhập 0 (không có dấu trừ) khi "
        "sửa ô này lần sau.")
    (value,) = [v.value for v in check.values if v.cell == "F12"]
    assert (value, math.copysign(1.0, value)) == (0.0, 1.0)
    assert len(check.values) == 62


@pytest.mark.parametrize(("text", "code", "shown"), [
    ("1234567890123456789012345", "number_too_long", "1234567890123456789012345"),
    ("9.058.967,0000000001", "number_too_long", "9.058.967,0000000001"),  # 17 digits
    ("2.000.000.000.000.000", "number_too_large", "2.000.000.000.000.000"),  # exact, too large
    ("1e22", "not_a_number", "1e22"),  # not a Vietnamese number
])
def test_a_number_typed_as_text_that_cannot_be_kept_exactly(cat, tmp_path, text, code, shown):
    check = _check(cat, tmp_path, changes={("chi_nsdp", 2012): text})

    assert [(f.code, f.cell, f.year, f.value) for f in check.findings] == [
        (code, "F6", 2012, shown)]
    assert len(check.values) == 61


def test_the_message_of_a_number_too_long_counts_its_digits(cat, tmp_path):
    check = _check(cat, tmp_path, changes={("chi_nsdp", 2012): "1234567890123456789012345"})

    assert check.findings[0].message == (
        "Giá trị '1234567890123456789012345' có 25 chữ số có nghĩa, nhiều hơn 15 chữ số mà "
        "Excel và phần mềm giữ được chính xác, nên chưa được dùng. Hãy làm tròn còn tối đa 15 "
        "chữ số có nghĩa rồi nhập lại.")


def test_minus_zero_typed_as_text(cat, tmp_path):
    check = _check(cat, tmp_path, changes={("csvc_phong_thi_nghiem", 2012): "-0"})

    assert [(f.code, f.cell, f.value) for f in check.findings] == [
        ("negative_zero", "F12", "-0")]
    assert [v.value for v in check.values if v.cell == "F12"] == [0.0]


def test_an_unreadable_cell_is_said_once_not_also_missing(cat, tmp_path):
    path = write_unit_workbook(cat, "KHTC", tmp_path / "KHTC_bieu.xlsx")
    rewrite_cell(path, "F6", '<c r="F6" t="n"><v>9,058,967</v></c>')

    check = check_workbook(cat, read_workbook(path))

    assert [(f.code, f.cell, f.value) for f in check.findings] == [
        ("cell_unreadable", "F6", "9,058,967")]
    assert len(check.values) == 61


def test_a_huge_number_outside_the_form_is_shown_not_a_crash(cat, tmp_path):
    path = write_unit_workbook(cat, "KHTC", tmp_path / "KHTC_bieu.xlsx")
    rewrite_cell(path, "N6", '<c r="N6" t="n"><v>1E+300</v></c>')  # a grey cell

    check = check_workbook(cat, read_workbook(path))

    assert [(f.code, f.cell, f.value) for f in check.findings] == [
        ("value_outside_form", "N6", "1E300")]
    assert len(check.values) == 62


@pytest.mark.parametrize(("raw", "problem"), [
    ("1234567890123456789012345",
     "có hơn 15 chữ số có nghĩa, không giữ được chính xác (hãy làm tròn)"),
    ("2.000.000.000.000.000", "lớn hơn mọi giá trị có thể (độ lớn quá 1.000.000.000.000.000)"),
    ("abc", "không phải là số"),
])
def test_a_list_number_no_column_can_hold(cat, tmp_path, raw, problem):
    def edit(wb):
        fill_lists(cat, wb, {"ke_hoach_tuan": [
            {"cong_viec": "Thu thập số liệu", "han": "06/03/2020", "trang_thai": "Hoàn thành"}]})
        fill_lists(cat, wb, {"du_an": [_PROJECT]})
        wb["DS dự án"]["J6"] = raw  # kinh_phi, a number column

    check = _check(cat, tmp_path, edit=edit)

    assert [(f.code, f.sheet, f.cell, f.indicator, f.value) for f in check.findings] == [
        ("list_bad_value", "DS dự án", "J6", "du_an.kinh_phi", raw)]
    assert check.findings[0].message == (
        "Dòng 1 của 'Danh mục dự án đề xuất thu hút đầu tư lĩnh vực KH&CN': 'Tổng mức đầu "
        f"tư' = '{raw}' {problem}; dòng này chưa được dùng. Hãy sửa lại.")
    assert [e.list for e in check.entries] == ["ke_hoach_tuan"]  # the other list is read


_PROJECT = {"ten": "Khu nông nghiệp công nghệ cao", "dia_diem": "Huyện Hiệp Hòa",
            "dien_tich": 12.5, "loai_dat": "Đất trồng lúa"}


def test_a_list_number_stored_as_nan(cat, tmp_path):
    path = write_unit_workbook(cat, "KHTC", tmp_path / "KHTC_bieu.xlsx")
    wb = load_workbook(path)
    fill_lists(cat, wb, {"du_an": [_PROJECT]})
    wb.save(path)
    rewrite_cell(path, "F6", '<c r="F6" t="n"><v>NaN</v></c>', part=PROJECTS_XML)

    check = check_workbook(cat, read_workbook(path))

    assert [(f.code, f.cell, f.indicator, f.value) for f in check.findings] == [
        ("list_bad_value", "F6", "du_an.dien_tich", "NaN")]
    assert "không phải một số thật (NaN hay vô cực)" in check.findings[0].message
    assert check.entries == ()


# --- labels of keyed rows --------------------------------------------------------------------
def _paste_row(source: int, target: int):
    """An edit pasting row `source` of I.1 over row `target`, the hidden keys (A) left."""
    def edit(wb):
        ws = wb["I.1"]
        for col in range(2, 18):
            ws.cell(target, col).value = ws.cell(source, col).value
    return edit


def test_a_row_pasted_over_another_is_held_back(cat, tmp_path):
    check = _check(cat, tmp_path, edit=_paste_row(8, 7))

    assert [(f.code, f.severity, f.sheet, f.cell, f.indicator, f.value)
            for f in check.findings] == [
        ("row_label_mismatch", Severity.ERROR, "I.1", "C7", "chi_khcn.dtpt",
         "Chi ngân sách cho KH&CN – Chi sự nghiệp KH&CN")]
    assert check.findings[0].message == (
        "Dòng 7 là dòng của chỉ tiêu 'Chi ngân sách cho KH&CN – Chi đầu tư phát triển' (mã "
        "'chi_khcn.dtpt' ở cột A ẩn) nhưng tên dòng lại ghi 'Chi ngân sách cho KH&CN – Chi sự "
        "nghiệp KH&CN', có lẽ do dán đè từ dòng khác; cả dòng chưa được dùng để không ghi số "
        "liệu nhầm chỉ tiêu. Hãy nhập số liệu vào đúng dòng của từng chỉ tiêu (chỉ dán giá "
        "trị, không dán cả dòng) và trả lại tên dòng 'Chi ngân sách cho KH&CN – Chi đầu tư "
        "phát triển'.")
    assert len(check.values) == 62 - 9  # row 7's nine years held back
    rows = [int(v.cell[1:]) for v in check.values]
    assert (rows.count(7), rows.count(8)) == (0, 9)  # the pasted row itself is read


@pytest.mark.parametrize(("b6", "expected"), [
    ("  TỔNG   CHI ngân sách  địa phương ", []),  # case and spaces: the same label
    ("Tổng chi ngân sa\u0301ch địa phương", []),  # decomposed 'á': the same label
    (None, []),  # an empty label names no other row
    ("Số phòng thí nghiệm, thử nghiệm", [("row_label_mismatch", "B6")]),  # another item's
    ("Tổng chi NSĐP", [("row_label_mismatch", "B6")]),  # retyped: which row is meant?
])
def test_a_row_label_is_compared_with_its_key(cat, tmp_path, b6, expected):
    def edit(wb):
        wb["I.1"]["B6"] = b6

    check = _check(cat, tmp_path, edit=edit)

    assert [(f.code, f.cell) for f in check.findings] == expected
    assert len(check.values) == (53 if expected else 62)


@pytest.mark.parametrize(("b6", "expected"), [
    ("Tổng chi NSĐP", []),  # perhaps the old catalogue's label: read by the key
    ("Số phòng thí nghiệm, thử nghiệm", [("row_label_mismatch", "B6")]),  # another row's
])
def test_in_a_form_of_an_older_catalogue_only_another_rows_label_counts(cat, tmp_path, b6,
                                                                         expected):
    def edit(wb):
        wb["I.1"]["B6"] = b6

    check = _check(cat, tmp_path, meta={"ma_danh_muc": "000000000000"}, edit=edit)

    assert [(f.code, f.cell) for f in check.findings] == [
        ("catalogue_mismatch", "C7"), *expected]


def test_a_huge_number_costs_its_cell_not_the_unit_through_the_reader(cat, tmp_path):
    # The red team's case: 1E+22 in one cell once stopped the whole file's check (Babel
    # cannot round it to six decimals) and the unit's every value was lost.
    path = write_unit_workbook(cat, "KHTC", tmp_path / "KHTC_bieu.xlsx")
    rewrite_cell(path, "F6", '<c r="F6" t="n"><v>1E+22</v></c>')

    read = read_files([path], workers=0, check=partial(check_workbook, cat))

    assert read.findings == ()
    check = read.checks["KHTC_bieu.xlsx"]
    assert [(f.code, f.cell, f.value) for f in check.findings] == [
        ("number_too_large", "F6", "1E22")]
    assert len(check.values) == 61


