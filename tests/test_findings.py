"""Unit tests of pipeline/core/findings.py: make() fills a code's Vietnamese template from
its fields, with the code's severity (or the one given); Finding's fields, place and line."""

from __future__ import annotations

import dataclasses

import pytest

from pipeline.core.findings import Finding, Place, Severity, make


def test_make_fills_the_value_and_the_place():
    f = make("not_a_number", "KHTC_bieu.xlsx", sheet="I.1", cell="E6", unit="KHTC",
             indicator="chi_nsdp", year=2011, value="mười hai")
    assert f.code == "not_a_number"
    assert f.severity is Severity.ERROR
    assert f.message == ("Giá trị 'mười hai' không phải là số. Hãy nhập số (ví dụ 1234,5), "
                         "không kèm chữ hay đơn vị tính.")
    assert (f.file, f.sheet, f.cell, f.unit, f.indicator, f.year, f.value) == (
        "KHTC_bieu.xlsx", "I.1", "E6", "KHTC", "chi_nsdp", 2011, "mười hai")


def test_make_fills_the_year_and_named_parameters():
    f = make("required_missing", "KHTC.xlsx", year=2015,
             label="Tổng chi ngân sách địa phương")
    assert f.message == ("Chưa nhập 'Tổng chi ngân sách địa phương' năm 2015. Hãy nhập số liệu; "
                         "nếu không phát sinh, nhập 0.")
    assert f.severity is Severity.ERROR


def test_make_fills_the_unit_and_a_parameter_of_a_note():
    f = make("duplicate_same_file", "QLKH_cu.xlsx", unit="QLKH", kept="QLKH_moi.xlsx")
    assert f.severity is Severity.INFO
    assert f.unit == "QLKH"
    assert f.message == ("Tệp này giống hệt tệp 'QLKH_moi.xlsx' của đơn vị QLKH (cùng nội dung) "
                         "nên chỉ dùng tệp 'QLKH_moi.xlsx'. Hãy xóa bớt một tệp khỏi thư mục "
                         "inputs.")


def test_make_of_an_info_code():
    f = make("file_converted", "VP_thuyet_minh.doc", format=".doc")
    assert f.severity is Severity.INFO
    assert f.message == ("Tệp dạng .doc đã được LibreOffice chuyển sang .docx để đọc; định dạng "
                         "chữ có thể khác bản gốc. Lần sau hãy gửi tệp .docx.")


def test_a_number_parameter_is_written_as_given():
    f = make("file_timeout", "to.xlsx", seconds=60)
    assert f.message == ("Đọc tệp quá 60 giây nên đã dừng (tệp quá lớn hoặc bị hỏng). Hãy chép "
                         "số liệu sang biểu mẫu gốc .xlsx và gửi lại.")


def test_a_template_without_fields_is_used_as_it_is():
    f = make("file_pdf", "bao_cao.pdf")
    assert f.message == ("Tệp PDF không đọc được số liệu. Hãy gửi tệp gốc: biểu số liệu Excel "
                         "(.xlsx) và thuyết minh Word (.docx).")
    assert f.value == ""
    assert f.year is None


def test_the_rule_message_ends_with_the_rules_instruction():
    f = make("rule_failed", "KHTC.xlsx", year=2013, severity=Severity.WARNING,
             left_label="Chi cho KH&CN", left="1.200", right_label="Tổng chi", right="1.000",
             op_text="không lớn hơn", instruction="Hãy kiểm tra đơn vị tính.")
    assert f.message == ("Năm 2013: Chi cho KH&CN = 1.200 nhưng Tổng chi = 1.000; cần Chi cho "
                         "KH&CN không lớn hơn Tổng chi. Hãy kiểm tra đơn vị tính.")
    assert f.severity is Severity.WARNING  # the rule's importance, not the code's error


@pytest.mark.parametrize(("code", "params", "ending"), [
    ("file_unreadable", {"detail": "zip hỏng"}, "rồi gửi lại."),
    ("missing_sheet", {"sheet": "I.1", "item": "I.1"}, "không xóa hay đổi tên trang."),
    ("outlier", {"label": "X", "prev_year": 2011, "prev": "1"},
     "nếu đúng, ghi lý do vào cột ghi chú."),
    ("text_truncated", {"limit": 5000}, "phần chi tiết đưa vào thuyết minh."),
])
def test_messages_end_with_what_to_do(code: str, params: dict[str, object], ending: str):
    f = make(code, "f.xlsx", year=2012, value="9", **params)
    assert "Hãy" in f.message
    assert f.message.endswith(ending)


def test_value_none_is_empty_text_and_numbers_are_str():
    assert make("not_a_number", "f.xlsx", value=None).value == ""
    assert make("not_a_number", "f.xlsx", value=0).value == "0"
    assert make("not_a_number", "f.xlsx", value=12.5).message.startswith("Giá trị '12.5' ")


def test_braces_in_a_value_are_not_a_template():
    f = make("not_a_number", "f.xlsx", value="{label}")
    assert f.message.startswith("Giá trị '{label}' không phải là số.")


def test_an_unknown_code_is_a_key_error():
    with pytest.raises(KeyError):
        make("khong_co_ma_nay", "f.xlsx")


def test_a_missing_template_parameter_is_a_key_error():
    with pytest.raises(KeyError, match="step"):
        make("internal_error", "f.xlsx", detail="ZeroDivisionError")


def test_extra_parameters_are_ignored():
    assert make("file_pdf", "a.pdf", detail="x").message.startswith("Tệp PDF không đọc được")


def test_place_as_keyword_arguments():
    place: Place = {"sheet": "I.2", "cell": "F7", "unit": "QLKH", "indicator": "nv_so_luong.tinh",
                    "year": 2012}
    f = make("not_an_integer", "QLKH.xlsx", value="2,5", label="Số nhiệm vụ", **place)
    assert (f.sheet, f.cell, f.unit, f.indicator, f.year) == (
        "I.2", "F7", "QLKH", "nv_so_luong.tinh", 2012)
    assert f.message == ("'Số nhiệm vụ' là số đếm, giá trị 2,5 phải là số nguyên. Hãy nhập số "
                         "nguyên.")


# --- Severity and Finding -------------------------------------------------------------------------

def test_severity_labels_in_vietnamese():
    assert Severity.ERROR.label == "Lỗi"
    assert Severity.WARNING.label == "Cảnh báo"
    assert Severity.INFO.label == "Thông tin"


def test_severity_is_its_string_value():
    assert Severity("warning") is Severity.WARNING
    assert Severity.ERROR == "error"
    assert Severity.INFO.value == "info"


def test_finding_defaults():
    f = Finding(code="file_pdf", severity=Severity.ERROR, file="a.pdf", message="m")
    assert (f.sheet, f.cell, f.unit, f.indicator, f.year, f.value) == ("", "", "", "", None, "")


def test_place_names_file_sheet_and_cell():
    f = Finding(code="c", severity=Severity.ERROR, file="KHTC.xlsx", message="m", sheet="I.1",
                cell="E6")
    assert f.place == "KHTC.xlsx › I.1!E6"


def test_place_of_a_sheet_without_cell_and_of_a_file():
    base = Finding(code="c", severity=Severity.ERROR, file="KHTC.xlsx", message="m")
    assert base.place == "KHTC.xlsx"
    assert dataclasses.replace(base, sheet="I.1").place == "KHTC.xlsx › I.1"
    assert dataclasses.replace(base, cell="E6").place == "KHTC.xlsx"  # a cell needs its sheet


def test_line_is_severity_place_and_message():
    f = make("not_a_number", "KHTC.xlsx", sheet="I.1", cell="E6", value="x")
    assert f.line() == ("[Lỗi] KHTC.xlsx › I.1!E6: Giá trị 'x' không phải là số. Hãy nhập số "
                        "(ví dụ 1234,5), không kèm chữ hay đơn vị tính.")


def test_finding_is_frozen_and_hashable():
    f = make("file_pdf", "a.pdf")
    with pytest.raises(dataclasses.FrozenInstanceError):
        f.message = "x"  # type: ignore[misc]
    assert len({f, make("file_pdf", "a.pdf")}) == 1
