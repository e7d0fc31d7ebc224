"""The validate stage alone: workbooks written by the tests, read, then checked."""

from __future__ import annotations

import datetime as dt
import os
from functools import partial
from pathlib import Path

import pytest

from pipeline.catalogue.layout import form_rows
from pipeline.core.findings import Severity
from pipeline.office.progress import progress
from pipeline.read.files import read_inputs
from pipeline.validate.model import Validation
from pipeline.validate.submissions import validate
from pipeline.validate.workbook import check_workbook, parse_vi_number

from .conftest import write_unit_workbook

VIETNAMESE = set("ăâđêôơưàảãáạằẳẵắặầẩẫấậèẻẽéẹềểễếệìỉĩíịòỏõóọồổỗốộờởỡớợùủũúụừửữứựỳỷỹýỵ")


# (sheet, A1) of the cells used here, read off the units' forms: rows from row 6 in the
# catalogue's order, the years from column E on.
PLACES = {
    ("TTRA", "tt_tien_phat", 2015): ("I.7", "I11"),
    ("TTRA", "tt_tien_phat", 2016): ("I.7", "J11"),
    ("TTRA", "tt_tien_phat", 2017): ("I.7", "K11"),
    ("TTRA", "tt_co_so", 2016): ("I.7", "J9"),
    ("TTRA", "tt_cuoc.kiem_tra", 2012): ("I.7", "F7"),
    ("TTUD", "ld_qua_dao_tao", 2019): ("I.9", "M6"),
    ("TTUD", "ld_qua_dao_tao", 2030): ("I.9", "O6"),
    ("KHTC", "chi_nsdp", 2013): ("I.1", "G6"),
    ("KHTC", "chi_nsdp", 2014): ("I.1", "H6"),
    ("KHTC", "chi_khcn.dtpt", 2011): ("I.1", "E7"),
    ("QLCN", "grdp_tang", 2018): ("I.3", "L12"),
    ("KHTC", "csvc_thiet_bi", 2017): ("I.1", "K13"),
}


def _place(cat, unit: str, key: str, year: int) -> tuple[str, str]:
    """(sheet, A1) of a row key and year in the unit's form."""
    return PLACES[(unit, key, year)]


def _check(cat, folder: Path) -> Validation:
    return validate(cat, read_inputs(folder))


def _set_mtime(path: Path, when: dt.datetime) -> None:
    ts = when.timestamp()
    os.utime(path, (ts, ts))


def _value_of(result: Validation, unit: str, key: str, year: int):
    indicator, _, part = key.partition(".")
    hits = [v for v in result.values if (v.unit, v.indicator, v.breakdown, v.year)
            == (unit, indicator, part or "total", year)]
    assert len(hits) <= 1
    return hits[0] if hits else None


# --- numbers typed as text -----------------------------------------------------------------
@pytest.mark.parametrize(("text", "expected"), [
    ("1.234,5", 1234.5),
    ("1.234", 1234.0),
    ("12,5", 12.5),
    ("12,5%", 12.5),
    ("-3,2", -3.2),
    ("1234", 1234.0),
    ("1.234.567,25", 1234567.25),
    (" 7 ", 7.0),
    ("1\u00a0234,5", 1234.5),  # non-breaking space as thousands separator
    ("1.5", None),  # English decimal point: not guessed
    ("1,234.5", None),  # English grouping
    ("12.34", None),
    ("abc", None),
    ("1.23.4", None),
    ("", None),
    ("12,", None),
    ("1.2345", None),
])
def test_parse_vi_number(text, expected):
    assert parse_vi_number(text) == expected


# --- one unit's workbook with something typed into it -----------------------------------------
def test_sample_workbook_has_no_findings(tmp_path, cat):
    folder = tmp_path / "inputs"
    folder.mkdir()
    write_unit_workbook(cat, "KHTC", folder / "KHTC.xlsx")
    result = _check(cat, folder)
    assert [f.line() for f in result.findings] == []
    assert result.values
    assert [w.unit for w in result.workbooks] == ["KHTC"]


CASES = [
    # unit, row key, year, typed, code
    ("TTRA", "tt_tien_phat", 2015, "abc", "not_a_number"),
    ("TTRA", "tt_tien_phat", 2016, "12 triệu", "not_a_number"),
    ("TTRA", "tt_tien_phat", 2017, "5%", "not_a_number"),  # % in a non-percent cell
    ("TTRA", "tt_co_so", 2016, 2.5, "not_an_integer"),
    ("TTRA", "tt_cuoc.kiem_tra", 2012, 1.5, "not_an_integer"),
    ("TTUD", "ld_qua_dao_tao", 2019, 150, "out_of_range"),
    ("TTUD", "ld_qua_dao_tao", 2030, 101, "out_of_range"),  # a target-year column
    ("KHTC", "chi_nsdp", 2013, -1, "out_of_range"),
    ("KHTC", "chi_nsdp", 2014, None, "required_missing"),
    ("KHTC", "chi_khcn.dtpt", 2011, None, "required_missing"),
    ("QLCN", "grdp_tang", 2018, "   ", "required_missing"),  # spaces only count as empty
]


@pytest.mark.parametrize(("unit", "key", "year", "typed", "code"), CASES,
                         ids=[f"{c[4]}-{c[1]}-{c[2]}" for c in CASES])
def test_typed_value_gives_one_finding_at_its_cell(tmp_path, cat, unit, key, year, typed,
                                                   code):
    folder = tmp_path / "inputs"
    folder.mkdir()
    write_unit_workbook(cat, unit, folder / f"{unit}.xlsx", changes={(key, year): typed})

    result = _check(cat, folder)

    sheet, a1 = _place(cat, unit, key, year)
    assert [(f.code, f.file, f.sheet, f.cell, f.unit, f.indicator, f.year)
            for f in result.findings] == [(code, f"{unit}.xlsx", sheet, a1, unit, key, year)]
    finding = result.findings[0]
    assert finding.severity is Severity.ERROR
    assert finding.place == f"{unit}.xlsx › {sheet}!{a1}"
    # Vietnamese, and the last sentence tells the unit what to do.
    assert VIETNAMESE & set(finding.message.lower())
    assert finding.message.endswith(".")
    assert finding.message.rsplit(". ", 1)[-1].startswith("Hãy")
    # The value with the error is not passed on.
    assert _value_of(result, unit, key, year) is None


def test_out_of_range_message_names_value_and_range(tmp_path, cat):
    folder = tmp_path / "inputs"
    folder.mkdir()
    write_unit_workbook(cat, "TTUD", folder / "TTUD.xlsx",
                        changes={("ld_qua_dao_tao", 2019): 150})
    (finding,) = _check(cat, folder).findings
    ind = cat.indicator_by_code["ld_qua_dao_tao"]
    assert (ind.low, ind.high, ind.measure) == (0, 100, "%")
    # Written the Vietnamese way, with only the decimals the number has.
    assert finding.value == "150"
    assert "Giá trị 150 nằm ngoài khoảng cho phép 0 – 100 (%)" in finding.message


def test_out_of_range_big_numbers_use_vietnamese_grouping(tmp_path, cat):
    folder = tmp_path / "inputs"
    folder.mkdir()
    write_unit_workbook(cat, "KHTC", folder / "KHTC.xlsx",
                        changes={("chi_nsdp", 2013): 123_456_789})
    (finding,) = _check(cat, folder).findings
    assert finding.code == "out_of_range"
    assert cat.indicator_by_code["chi_nsdp"].decimals == 0
    assert "123.456.789" in finding.message
    assert "100.000.000" in finding.message


def test_not_a_number_message_quotes_what_was_typed(tmp_path, cat):
    folder = tmp_path / "inputs"
    folder.mkdir()
    write_unit_workbook(cat, "TTRA", folder / "TTRA.xlsx", changes={("tt_tien_phat", 2015): "abc"})
    (finding,) = _check(cat, folder).findings
    assert finding.value == "abc"
    assert "'abc'" in finding.message


def test_vietnamese_number_typed_as_text_passes_through(tmp_path, cat):
    folder = tmp_path / "inputs"
    folder.mkdir()
    # The sample series of csvc_thiet_bi runs 2.100 → 6.900 triệu đồng; 5.634,5 fits it.
    write_unit_workbook(cat, "KHTC", folder / "KHTC.xlsx",
                        changes={("csvc_thiet_bi", 2017): "5.634,5"})
    result = _check(cat, folder)
    assert result.findings == ()
    value = _value_of(result, "KHTC", "csvc_thiet_bi", 2017)
    assert value is not None
    assert value.value == 5634.5
    sheet, a1 = _place(cat, "KHTC", "csvc_thiet_bi", 2017)
    assert (value.file, value.sheet, value.cell) == ("KHTC.xlsx", sheet, a1)
    assert len(value.file_hash) == 64


def test_percent_typed_as_text_in_a_percent_cell(tmp_path, cat):
    folder = tmp_path / "inputs"
    folder.mkdir()
    write_unit_workbook(cat, "TTUD", folder / "TTUD.xlsx",
                        changes={("ld_qua_dao_tao", 2019): "66,6%"})
    result = _check(cat, folder)
    assert result.findings == ()
    assert _value_of(result, "TTUD", "ld_qua_dao_tao", 2019).value == 66.6


def test_one_bad_cell_leaves_the_other_values_of_the_workbook(tmp_path, cat):
    folder = tmp_path / "inputs"
    folder.mkdir()
    write_unit_workbook(cat, "TTRA", folder / "clean.xlsx")
    clean = _check(cat, folder)
    (folder / "clean.xlsx").unlink()
    write_unit_workbook(cat, "TTRA", folder / "TTRA.xlsx", changes={("tt_tien_phat", 2015): "abc"})

    result = _check(cat, folder)

    def key(v):
        return (v.indicator, v.breakdown, v.year, v.value)

    assert [f.code for f in result.findings] == ["not_a_number"]
    missing = {key(v) for v in clean.values} - {key(v) for v in result.values}
    assert [(i, b, y) for i, b, y, _ in missing] == [("tt_tien_phat", "total", 2015)]
    assert len(result.values) == len(clean.values) - 1
    # e.g. the next year of the same row is still there, with its cell.
    sheet, a1 = _place(cat, "TTRA", "tt_tien_phat", 2016)
    nxt = _value_of(result, "TTRA", "tt_tien_phat", 2016)
    assert (nxt.sheet, nxt.cell) == (sheet, a1)


def test_errors_and_counts_helpers(tmp_path, cat):
    folder = tmp_path / "inputs"
    folder.mkdir()
    write_unit_workbook(cat, "TTRA", folder / "TTRA.xlsx",
                        changes={("tt_tien_phat", 2015): "abc", ("tt_co_so", 2016): 2.5},
                        meta={"ma_danh_muc": "000000000000"})
    result = _check(cat, folder)
    assert sorted(f.code for f in result.errors()) == ["not_a_number", "not_an_integer"]
    assert result.counts("TTRA.xlsx") == (2, 1)
    assert result.counts("khac.xlsx") == (0, 0)


# --- the metadata sheet --------------------------------------------------------------------
def test_unknown_unit_code_is_an_error_and_nothing_passes(tmp_path, cat):
    folder = tmp_path / "inputs"
    folder.mkdir()
    write_unit_workbook(cat, "TTRA", folder / "la.xlsx", meta={"ma_don_vi": "XYZ"})

    result = _check(cat, folder)

    assert [(f.code, f.severity, f.file, f.sheet, f.value) for f in result.findings] == [
        ("unknown_unit", Severity.ERROR, "la.xlsx", "Thông tin", "XYZ")]
    assert "'XYZ'" in result.findings[0].message
    assert "Hãy" in result.findings[0].message
    assert result.values == ()
    assert result.workbooks == ()


def test_wrong_fingerprint_is_a_warning_and_values_still_pass(tmp_path, cat):
    folder = tmp_path / "inputs"
    folder.mkdir()
    write_unit_workbook(cat, "TTRA", folder / "TTRA.xlsx")
    good = _check(cat, folder)
    write_unit_workbook(cat, "TTRA", folder / "TTRA.xlsx", meta={"ma_danh_muc": "000000000000"})

    result = _check(cat, folder)

    assert [(f.code, f.severity, f.sheet, f.unit) for f in result.findings] == [
        ("catalogue_mismatch", Severity.WARNING, "Thông tin", "TTRA")]
    assert "000000000000" in result.findings[0].message
    assert cat.fingerprint in result.findings[0].message

    def key(v):
        return (v.indicator, v.breakdown, v.year, v.value, v.cell)

    assert good.values
    assert sorted(map(key, result.values)) == sorted(map(key, good.values))


# --- one file per unit ---------------------------------------------------------------------
def test_two_files_for_one_unit_the_later_date_sent_wins_not_the_later_save(tmp_path, cat):
    folder = tmp_path / "inputs"
    folder.mkdir()
    # Name order, save order and date sent disagree on purpose: "a_moi" sorts first and was
    # saved earlier, but says it was sent later.
    new = write_unit_workbook(cat, "TTRA", folder / "a_moi.xlsx",
                              changes={("tt_tien_phat", 2017): 222.0},
                              meta={"ngay_gui": "24/03/2020"})
    old = write_unit_workbook(cat, "TTRA", folder / "b_cu.xlsx",
                              changes={("tt_tien_phat", 2017): 111.0},
                              meta={"ngay_gui": "10/03/2020"})
    _set_mtime(new, dt.datetime(2020, 3, 24, 9, 0))
    _set_mtime(old, dt.datetime(2020, 3, 26, 9, 0))  # re-saved after: does not count
    write_unit_workbook(cat, "TDC", folder / "TDC.xlsx")

    result = _check(cat, folder)

    assert [(f.code, f.severity, f.file, f.unit) for f in result.findings] == [
        ("duplicate_sent_earlier", Severity.WARNING, "b_cu.xlsx", "TTRA")]
    assert result.findings[0].message.startswith(
        "Đơn vị TTRA gửi nhiều biểu số liệu: tệp này ghi ngày gửi 10/03/2020, tệp 'a_moi.xlsx' "
        "ghi ngày gửi 24/03/2020. Tệp gửi sau 'a_moi.xlsx' được dùng, tệp này bị bỏ qua.")
    assert [(w.unit, w.file.name) for w in result.workbooks] == [
        ("TDC", "TDC.xlsx"), ("TTRA", "a_moi.xlsx")]
    assert {v.file for v in result.values if v.unit == "TTRA"} == {"a_moi.xlsx"}
    assert _value_of(result, "TTRA", "tt_tien_phat", 2017).value == 222.0


def test_two_files_for_one_unit_same_date_sent_the_later_save_wins(tmp_path, cat):
    folder = tmp_path / "inputs"
    folder.mkdir()
    first = write_unit_workbook(cat, "TTRA", folder / "a.xlsx",
                                changes={("tt_tien_phat", 2017): 222.0})
    second = write_unit_workbook(cat, "TTRA", folder / "b.xlsx",
                                 changes={("tt_tien_phat", 2017): 111.0})
    _set_mtime(first, dt.datetime(2020, 3, 20, 15, 0))
    _set_mtime(second, dt.datetime(2020, 3, 20, 11, 0))

    result = _check(cat, folder)

    assert [(f.code, f.file) for f in result.findings] == [("duplicate_saved_earlier", "b.xlsx")]
    assert ("dùng tệp được lưu sau là 'a.xlsx' (lưu lúc 15:00 ngày 20/03/2020; tệp này lưu lúc "
            "11:00 ngày 20/03/2020)") in result.findings[0].message
    assert [w.file.name for w in result.workbooks] == ["a.xlsx"]
    assert _value_of(result, "TTRA", "tt_tien_phat", 2017).value == 222.0


# --- a file whose unit codes disagree --------------------------------------------------------
def test_a_claiming_form_checked_in_the_worker_is_held_back_and_shows_as_received(tmp_path, cat):
    """Through read_inputs with the per-file check (rows and cells dropped once checked, as in
    make report): the sheet names still tell whose form it is; progress sees the file."""
    folder = tmp_path / "inputs"
    folder.mkdir()
    write_unit_workbook(cat, "TTRA", folder / "TTRA.xlsx",
                        changes={("tt_tien_phat", 2017): 222.0})
    # TTRA's form with TDC typed over the unit code, under a name without a unit, sent later.
    write_unit_workbook(cat, "TTRA", folder / "bao_cao.xlsx",
                        changes={("tt_tien_phat", 2017): 999.0},
                        meta={"ma_don_vi": "TDC", "ngay_gui": "28/03/2020"})
    for path in folder.iterdir():
        _set_mtime(path, dt.datetime(2020, 3, 20, 9, 0))

    result = validate(cat, read_inputs(folder, check=partial(check_workbook, cat)))

    assert [(w.unit, w.file.name) for w in result.workbooks] == [("TTRA", "TTRA.xlsx")]
    assert _value_of(result, "TTRA", "tt_tien_phat", 2017).value == 222.0
    assert {v.file for v in result.values} == {"TTRA.xlsx"}
    assert [(f.code, f.severity, f.file, f.sheet, f.cell, f.unit) for f in result.findings] == [
        ("unit_mismatch", Severity.ERROR, "bao_cao.xlsx", "Thông tin", "C4", "TDC")]
    assert result.findings[0].message.startswith(
        "Tệp ghi mã đơn vị TDC (Chi cục Tiêu chuẩn Đo lường Chất lượng) nhưng trang số liệu I.7 "
        "thuộc biểu mẫu của TTRA (Thanh tra Sở), nên tệp bị giữ lại")

    rows = {p.unit: p for p in progress(cat, result, dt.date(2020, 3, 30))}
    assert rows["TDC"].workbook == "" and rows["TDC"].received_anything
    assert rows["TDC"].received == dt.date(2020, 3, 28)  # the date sent the file carries
    assert rows["TDC"].errors == 1
    assert rows["TTRA"].workbook == "TTRA.xlsx"
    assert [p.unread for p in (rows["TDC"], rows["TTRA"])] == [
        (f"'bao_cao.xlsx': {result.findings[0].message}",)] * 2
    assert (rows["TDC"].status, rows["TDC"].note) == (
        "Đã nhận, chưa đọc được",
        "Tệp bị tạm giữ vì mã đơn vị không khớp; đã quá hạn 5 ngày.")
    assert (rows["TTRA"].status, rows["TTRA"].note) == (
        "Đã nộp, đúng hạn", "Chưa có thuyết minh; có tệp bị tạm giữ vì mã đơn vị không khớp; "
        "còn 1 lỗi cần sửa.")


# --- dropdown values -----------------------------------------------------------------------
def test_status_not_in_the_dropdown_is_a_warning_per_row(tmp_path, cat):
    folder = tmp_path / "inputs"
    folder.mkdir()
    write_unit_workbook(cat, "TTRA", folder / "TTRA.xlsx", meta={"_status": "Tạm tính"})

    result = _check(cat, folder)

    item = cat.data_items_of("TTRA")[0]
    keys = [r.key for r in form_rows(cat, item)]
    assert [(f.code, f.severity, f.sheet, f.indicator, f.value) for f in result.findings] == [
        ("unknown_status", Severity.WARNING, item.code, k, "Tạm tính") for k in keys]
    message = result.findings[0].message
    assert "'Tạm tính'" in message
    assert "Chính thức, Ước tính, Sơ bộ" in message
    assert "Hãy" in message
    # A warning: the values are still used, with the status as typed.
    value = _value_of(result, "TTRA", "tt_tien_phat", 2017)
    assert value is not None and value.status == "Tạm tính"


def test_status_from_the_dropdown_is_kept(tmp_path, cat):
    folder = tmp_path / "inputs"
    folder.mkdir()
    write_unit_workbook(cat, "TTRA", folder / "TTRA.xlsx", meta={"_status": "Sơ bộ"})
    result = _check(cat, folder)
    assert result.findings == ()
    assert {v.status for v in result.values} == {"Sơ bộ"}
