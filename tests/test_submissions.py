"""pipeline/validate/submissions.py: unit_from_name, validate (one submission per unit, files
not read attributed to a unit, unknown units) and check_narrative_numbers, on workbooks
written in tmp_path and narratives and values made by hand."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pytest

from pipeline.core import findings as fnd
from pipeline.core.findings import Severity
from pipeline.core.records import Value
from pipeline.read.model import (
    FileInfo,
    Inputs,
    NarrativeSection,
    NarrativeSubmission,
)
from pipeline.read.workbook import read_workbook
from pipeline.validate.model import Unread
from pipeline.validate.submissions import check_narrative_numbers, unit_from_name, validate

from .conftest import write_unit_workbook


# --- unit_from_name --------------------------------------------------------------------------
@pytest.mark.parametrize(("name", "expected"), [
    ("KHTC_bieu.xlsx", "KHTC"),
    ("khtc_bieu (1).xls", "KHTC"),
    ("Bieu-TTUD.pdf", "TTUD"),
    ("so lieu QLCNG 2020.xlsx", "QLCNG"),  # not QLCN: whole words only
    ("QLCN.docx", "QLCN"),
    ("cu/VP_bieu.xlsx", "VP"),  # a file in a subfolder, named by its path
    ("bieu_so_lieu.xlsx", ""),  # no code
    ("KHTCX_bieu.xlsx", ""),  # a code inside a longer word
    ("KHTC_QLKH.xlsx", ""),  # two codes: no guess
    ("", ""),
])
def test_unit_from_name(cat, name, expected):
    assert unit_from_name(cat, name) == expected


# --- validate --------------------------------------------------------------------------------
def _dated(path: Path, when: dt.datetime) -> Path:
    os.utime(path, (when.timestamp(), when.timestamp()))
    return path


def test_the_newest_of_two_workbooks_of_one_unit_is_kept_with_a_warning(cat, tmp_path):
    old = _dated(write_unit_workbook(cat, "KHTC", tmp_path / "KHTC_cu.xlsx",
                                     changes={("chi_nsdp", 2011): 1_000_000}),
                 dt.datetime(2020, 3, 10, 9, 0))
    new = _dated(write_unit_workbook(cat, "KHTC", tmp_path / "KHTC_moi.xlsx"),
                 dt.datetime(2020, 3, 20, 9, 0))
    subs = (read_workbook(old), read_workbook(new))

    v = validate(cat, Inputs(workbooks=subs, files=tuple(s.file for s in subs)))

    assert [w.file.name for w in v.workbooks] == ["KHTC_moi.xlsx"]
    dupes = [f for f in v.findings if f.code == "duplicate_unit"]
    assert [(f.file, f.unit, f.severity) for f in dupes] == [
        ("KHTC_cu.xlsx", "KHTC", Severity.WARNING)]
    assert dupes[0].message == (
        "Đơn vị KHTC gửi nhiều tệp; dùng tệp mới nhất 'KHTC_moi.xlsx' và bỏ qua tệp này. Hãy "
        "xóa tệp cũ khỏi thư mục inputs nếu không còn dùng.")
    assert {x.file for x in v.values} == {"KHTC_moi.xlsx"}
    values = {(x.indicator, x.breakdown, x.year): x.value for x in v.values}
    assert values[("chi_nsdp", "total", 2011)] == 7_850_000.0


def test_a_file_not_read_is_attributed_to_the_unit_its_name_points_to(cat):
    found = fnd.make("file_pdf", "TTUD_bieu.pdf")
    info = FileInfo(Path("TTUD_bieu.pdf"), "TTUD_bieu.pdf", "0" * 64, 10,
                    dt.datetime(2020, 3, 18, 14, 5))

    v = validate(cat, Inputs(files=(info,), findings=(found,)))

    assert v.unread == (Unread("TTUD_bieu.pdf", "TTUD", "file_pdf", found.message,
                               dt.date(2020, 3, 18)),)
    assert [(f.code, f.unit) for f in v.findings] == [("file_pdf", "TTUD")]
    assert v.values == () and v.workbooks == ()


def test_an_information_finding_is_not_an_unread_file(cat):
    note = fnd.make("file_converted", "KHTC_tm.doc", unit="KHTC", format="Word 97-2003 (.doc)")

    v = validate(cat, Inputs(findings=(note,)))

    assert v.unread == ()


def test_a_workbook_of_an_unknown_unit(cat, tmp_path):
    path = write_unit_workbook(cat, "KHTC", tmp_path / "KHTC_bieu.xlsx",
                               meta={"ma_don_vi": "XYZ"})
    sub = read_workbook(path)

    v = validate(cat, Inputs(workbooks=(sub,), files=(sub.file,)))

    assert v.workbooks == ()
    assert v.values == ()
    assert [(f.code, f.file, f.sheet, f.cell, f.value, f.unit) for f in v.findings] == [
        ("unknown_unit", "KHTC_bieu.xlsx", "Thông tin", "C4", "XYZ", "KHTC")]
    assert [(u.file, u.code) for u in v.unread] == [("KHTC_bieu.xlsx", "unknown_unit")]


def test_a_narrative_heading_outside_the_units_items(cat):
    info = FileInfo(Path("KHTC_tm.docx"), "KHTC_tm.docx", "0" * 64, 10, dt.datetime(2020, 3, 20))
    narrative = NarrativeSubmission(info, "KHTC", (
        NarrativeSection("1. Đầu tư cho KH&CN", "I.1", 0, ("Đoạn văn.",)),
        NarrativeSection("Phụ lục ảnh", "", 0, ("Ảnh.",)),
    ))

    v = validate(cat, Inputs(narratives=(narrative,), files=(info,)))

    assert v.narratives == (narrative,)
    assert [(f.code, f.file, f.value) for f in v.findings] == [
        ("narrative_unknown_heading", "KHTC_tm.docx", "Phụ lục ảnh")]


# --- check_narrative_numbers -----------------------------------------------------------------
INFO = FileInfo(Path("KHTC_tm.docx"), "KHTC_tm.docx", "0" * 64, 10, dt.datetime(2020, 3, 20))
VALUES = [
    Value("KHTC", "chi_nsdp", "total", 2019, 17_420_000.0, "", "", "KHTC.xlsx", "I.1", "M6",
          "0" * 64),
    Value("KHTC", "chi_nsdp", "total", 2018, 16_120_831.0, "", "", "KHTC.xlsx", "I.1", "L6",
          "0" * 64),
]


def _narrative(*paragraphs: str) -> NarrativeSubmission:
    return NarrativeSubmission(INFO, "KHTC", (
        NarrativeSection("1. Đầu tư cho KH&CN", "I.1", 0, paragraphs),))


def test_a_number_in_a_sentence_that_disagrees_with_the_workbook(cat):
    sentence = "Năm 2019, tổng chi ngân sách địa phương đạt 17.000.000 triệu đồng."

    found = list(check_narrative_numbers(cat, [_narrative(sentence)], VALUES))

    assert [(f.code, f.file, f.sheet, f.unit, f.indicator, f.year, f.value, f.severity)
            for f in found] == [
        ("narrative_number", "KHTC_tm.docx", "1. Đầu tư cho KH&CN", "KHTC", "chi_nsdp", 2019,
         "17.420.000", Severity.WARNING)]
    assert found[0].message == (
        "Thuyết minh viết “Năm 2019, tổng chi ngân sách địa phương đạt 17.000.000 triệu "
        "đồng.” nhưng biểu số liệu ghi 'Tổng chi ngân sách địa phương' năm 2019 là "
        "17.420.000. Hãy thống nhất số liệu giữa thuyết minh và biểu số liệu.")


@pytest.mark.parametrize("sentence", [
    "Năm 2019, tổng chi ngân sách địa phương đạt 17.420.000 triệu đồng.",  # agrees
    "Năm 2019, tổng chi ngân sách địa phương đạt 17.420.000,4 triệu đồng.",  # within rounding
    "Tổng chi ngân sách địa phương năm 2018 và 2019 tăng 8%.",  # two years: not checked
    "Năm 2019, tổng chi ngân sách địa phương tăng mạnh.",  # no number in the measure
    "Năm 2017, tổng chi ngân sách địa phương đạt 15.000.000 triệu đồng.",  # no value for 2017
    "Năm 2019, chi thường xuyên đạt 9.000.000 triệu đồng.",  # no indicator named
])
def test_sentences_that_are_not_a_disagreement(cat, sentence):
    assert list(check_narrative_numbers(cat, [_narrative(sentence)], VALUES)) == []


def test_each_sentence_of_a_paragraph_is_checked_alone(cat):
    para = ("Năm 2018, tổng chi ngân sách địa phương đạt 16.120.831 triệu đồng. Năm 2019, "
            "tổng chi ngân sách địa phương đạt 17,4 triệu đồng.")

    found = list(check_narrative_numbers(cat, [_narrative(para)], VALUES))

    assert [(f.year, f.value) for f in found] == [(2019, "17.420.000")]
