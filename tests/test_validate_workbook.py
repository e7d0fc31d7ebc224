"""pipeline/validate/workbook.py: parse_vi_number, is_ambiguous and check_workbook on KHTC's
sample form with one thing changed. KHTC's form: sheet I.1, header in row 5, rows from row 6
(chi_nsdp 6, chi_khcn.dtpt 7, chi_khcn.su_nghiep 8, chi_khcn 9, ty_le_chi_khcn_muc_tieu 10,
csvc_dien_tich 11, csvc_phong_thi_nghiem 12, csvc_thiet_bi 13), 2011-2019 in E-M, 2025 and
2030 in N-O, status in P, note in Q."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from openpyxl import load_workbook

from pipeline.core.findings import Severity
from pipeline.read.workbook import read_workbook
from pipeline.tools.samples import fill_lists
from pipeline.validate.workbook import check_workbook, is_ambiguous, parse_vi_number

from .conftest import write_unit_workbook


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
])
def test_parse_vi_number(text, expected):
    assert parse_vi_number(text) == expected


@pytest.mark.parametrize("text", [
    "1.5", "1,234.5", "1.23", "12.34,5", "1,2,3", "abc", "12 tỷ", "", "%", "1e3", "--1",
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
