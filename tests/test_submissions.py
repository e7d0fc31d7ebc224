"""pipeline/validate/submissions.py: unit_from_name, validate (one submission per unit chosen
by the date sent the form carries, files whose unit codes disagree held back, files not read
attributed to a unit, unknown units), on workbooks written in tmp_path and narratives made by
hand. Narrative numbers are read against the tables in test_consistency.py."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import openpyxl
import pytest

from pipeline.core import findings as fnd
from pipeline.core.findings import Severity
from pipeline.read.model import (
    FileInfo,
    Inputs,
    NarrativeSection,
    NarrativeSubmission,
)
from pipeline.read.workbook import read_workbook
from pipeline.validate.model import Unread
from pipeline.validate.submissions import unit_from_name, validate

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


def _workbook(cat, path: Path, unit: str, saved: dt.datetime, sent: str = "20/03/2020",
              changes: dict[tuple[str, int], object] | None = None,
              meta: dict[str, object] | None = None):
    """The unit's form as a unit sends it: 'Ngày gửi' typed (or not), saved at `saved`."""
    write_unit_workbook(cat, unit, path, changes=changes, meta={"ngay_gui": sent, **(meta or {})})
    return read_workbook(_dated(path, saved))


def _run(cat, *subs):
    """validate over these submissions, in this order, as read_inputs would give them."""
    return validate(cat, Inputs(
        workbooks=tuple(s for s in subs if not isinstance(s, NarrativeSubmission)),
        narratives=tuple(s for s in subs if isinstance(s, NarrativeSubmission)),
        files=tuple(s.file for s in subs)))


def _used(v, unit: str, key: tuple[str, str, int]) -> tuple[float, str]:
    """(value, file) used for a unit's (indicator, part, year)."""
    [hit] = [(x.value, x.file) for x in v.values
             if (x.unit, x.indicator, x.breakdown, x.year) == (unit, *key)]
    return hit


NSDP_2011 = ("chi_nsdp", "total", 2011)  # KHTC's sample: 7.850.000


# --- two files of one unit: what the form says decides -------------------------------------
def test_the_later_date_sent_wins_though_the_other_file_was_saved_later(cat, tmp_path):
    # Saved on 28/03 but typed as sent on 18/03 (a copy re-saved after the real resend).
    first = _workbook(cat, tmp_path / "KHTC_gui_lan_1.xlsx", "KHTC", dt.datetime(2020, 3, 28, 9),
                      sent="18/03/2020", changes={("chi_nsdp", 2011): 7_800_000})
    second = _workbook(cat, tmp_path / "KHTC_gui_lan_2.xlsx", "KHTC",
                       dt.datetime(2020, 3, 25, 16, 30), sent="25/03/2020",
                       changes={("chi_nsdp", 2011): 7_900_000})

    for order in ((first, second), (second, first)):
        v = _run(cat, *order)

        assert [w.file.name for w in v.workbooks] == ["KHTC_gui_lan_2.xlsx"]
        assert _used(v, "KHTC", NSDP_2011) == (7_900_000.0, "KHTC_gui_lan_2.xlsx")
        assert {x.file for x in v.values} == {"KHTC_gui_lan_2.xlsx"}
        assert [(f.code, f.severity, f.file, f.unit) for f in v.findings] == [
            ("duplicate_sent_earlier", Severity.WARNING, "KHTC_gui_lan_1.xlsx", "KHTC")]
        assert v.findings[0].message == (
            "Đơn vị KHTC gửi nhiều biểu số liệu: tệp này ghi ngày gửi 18/03/2020, tệp "
            "'KHTC_gui_lan_2.xlsx' ghi ngày gửi 25/03/2020. Tệp gửi sau 'KHTC_gui_lan_2.xlsx' "
            "được dùng, tệp này bị bỏ qua. Nếu tệp này mới là bản cần dùng, hãy xóa tệp "
            "'KHTC_gui_lan_2.xlsx' khỏi thư mục inputs; nếu không, hãy xóa tệp này.")
        assert v.unread == ()


def test_the_same_date_sent_the_file_saved_later_wins_and_the_finding_says_so(cat, tmp_path):
    morning = _workbook(cat, tmp_path / "KHTC_sang.xlsx", "KHTC", dt.datetime(2020, 3, 20, 8, 15),
                        changes={("chi_nsdp", 2011): 7_800_000})
    evening = _workbook(cat, tmp_path / "KHTC_chieu.xlsx", "KHTC",
                        dt.datetime(2020, 3, 20, 17, 40), changes={("chi_nsdp", 2011): 7_900_000})

    v = _run(cat, evening, morning)

    assert [w.file.name for w in v.workbooks] == ["KHTC_chieu.xlsx"]
    assert _used(v, "KHTC", NSDP_2011) == (7_900_000.0, "KHTC_chieu.xlsx")
    assert [(f.code, f.severity, f.file) for f in v.findings] == [
        ("duplicate_saved_earlier", Severity.WARNING, "KHTC_sang.xlsx")]
    assert v.findings[0].message == (
        "Đơn vị KHTC gửi nhiều biểu số liệu: tệp này ghi ngày gửi 20/03/2020, tệp "
        "'KHTC_chieu.xlsx' ghi ngày gửi 20/03/2020, cùng một ngày, và không ghi lần gửi khác "
        "nhau, nên dùng tệp được lưu sau là 'KHTC_chieu.xlsx' (lưu lúc 17:40 ngày 20/03/2020; "
        "tệp này lưu lúc 08:15 ngày 20/03/2020) và bỏ qua tệp này. Nếu tệp này mới là bản cần "
        "dùng, hãy xóa tệp 'KHTC_chieu.xlsx' khỏi thư mục inputs (hoặc ghi 'Lần gửi' lớn hơn); "
        "nếu không, hãy xóa tệp này.")


def test_same_date_sent_the_later_revision_wins_over_a_later_save(cat, tmp_path):
    second = _workbook(cat, tmp_path / "KHTC_lan2.xlsx", "KHTC", dt.datetime(2020, 3, 20, 8),
                       meta={"lan_gui": 2}, changes={("chi_nsdp", 2011): 7_900_000})
    first = _workbook(cat, tmp_path / "KHTC_lan1.xlsx", "KHTC", dt.datetime(2020, 3, 20, 18),
                      meta={"lan_gui": "1"}, changes={("chi_nsdp", 2011): 7_800_000})

    for order in ((second, first), (first, second)):
        v = _run(cat, *order)
        assert _used(v, "KHTC", NSDP_2011) == (7_900_000.0, "KHTC_lan2.xlsx")
        assert [(f.code, f.severity, f.file) for f in v.findings] == [
            ("duplicate_earlier_revision", Severity.WARNING, "KHTC_lan1.xlsx")]
    assert v.findings[0].message == (
        "Đơn vị KHTC gửi nhiều biểu số liệu: tệp này ghi ngày gửi 20/03/2020, tệp "
        "'KHTC_lan2.xlsx' ghi ngày gửi 20/03/2020, cùng một ngày; tệp này ghi lần gửi 1, tệp "
        "'KHTC_lan2.xlsx' ghi lần gửi 2. Tệp gửi lần sau 'KHTC_lan2.xlsx' được dùng, tệp này "
        "bị bỏ qua. Nếu tệp này mới là bản cần dùng, hãy sửa ô 'Lần gửi' của nó (hoặc xóa tệp "
        "'KHTC_lan2.xlsx' khỏi thư mục inputs); nếu không, hãy xóa tệp này.")


@pytest.mark.parametrize(("typed", "revision"), [
    ("2", 2), (3, 3), ("3.0", 3), (" 12 ", 12), ("", 0), ("lần 2", 0), ("-1", 0), ("1,5", 0)])
def test_the_revision_is_a_whole_number_typed_in_the_form(cat, tmp_path, typed, revision):
    sub = _workbook(cat, tmp_path / "KHTC.xlsx", "KHTC", dt.datetime(2020, 3, 20, 8),
                    meta={"lan_gui": typed})
    assert sub.revision == revision


def test_a_file_without_date_sent_counts_by_its_file_date_and_the_finding_says_so(cat, tmp_path):
    typed = _workbook(cat, tmp_path / "KHTC_a.xlsx", "KHTC", dt.datetime(2020, 3, 27, 10),
                      sent="20/03/2020", changes={("chi_nsdp", 2011): 7_800_000})
    untyped = _workbook(cat, tmp_path / "KHTC_b.xlsx", "KHTC", dt.datetime(2020, 3, 24, 10),
                        sent="", changes={("chi_nsdp", 2011): 7_900_000})

    v = _run(cat, typed, untyped)

    # 24/03 (the file's date, no date typed) is after 20/03 (typed): the later save of
    # KHTC_a.xlsx does not count.
    assert [w.file.name for w in v.workbooks] == ["KHTC_b.xlsx"]
    assert _used(v, "KHTC", NSDP_2011) == (7_900_000.0, "KHTC_b.xlsx")
    assert [(f.code, f.file) for f in v.findings] == [("duplicate_sent_earlier", "KHTC_a.xlsx")]
    assert v.findings[0].message == (
        "Đơn vị KHTC gửi nhiều biểu số liệu: tệp này ghi ngày gửi 20/03/2020, tệp 'KHTC_b.xlsx' "
        "không ghi ngày gửi nên tính theo ngày lưu tệp 24/03/2020. Tệp gửi sau 'KHTC_b.xlsx' "
        "được dùng, tệp này bị bỏ qua. Nếu tệp này mới là bản cần dùng, hãy xóa tệp "
        "'KHTC_b.xlsx' khỏi thư mục inputs; nếu không, hãy xóa tệp này.")


def test_a_date_sent_that_is_not_a_date_counts_as_none(cat, tmp_path):
    typed = _workbook(cat, tmp_path / "KHTC_a.xlsx", "KHTC", dt.datetime(2020, 3, 19, 10),
                      sent="22/03/2020", changes={("chi_nsdp", 2011): 7_800_000})
    wrong = _workbook(cat, tmp_path / "KHTC_b.xlsx", "KHTC", dt.datetime(2020, 3, 21, 10),
                      sent="31/04/2020", changes={("chi_nsdp", 2011): 7_900_000})

    v = _run(cat, typed, wrong)

    assert _used(v, "KHTC", NSDP_2011) == (7_800_000.0, "KHTC_a.xlsx")
    assert [(f.code, f.file) for f in v.findings] == [("duplicate_sent_earlier", "KHTC_b.xlsx")]
    assert ("tệp này không ghi ngày gửi nên tính theo ngày lưu tệp 21/03/2020, tệp "
            "'KHTC_a.xlsx' ghi ngày gửi 22/03/2020.") in v.findings[0].message


def test_same_date_and_same_time_cannot_be_told_apart_an_error_and_a_fixed_choice(cat, tmp_path):
    when = dt.datetime(2020, 3, 20, 9, 0)
    a = _workbook(cat, tmp_path / "KHTC_a.xlsx", "KHTC", when,
                  changes={("chi_nsdp", 2011): 7_800_000})
    b = _workbook(cat, tmp_path / "KHTC_b.xlsx", "KHTC", when,
                  changes={("chi_nsdp", 2011): 7_900_000})

    for order in ((a, b), (b, a)):  # the choice does not depend on the listing order
        v = _run(cat, *order)

        assert _used(v, "KHTC", NSDP_2011) == (7_900_000.0, "KHTC_b.xlsx")
        assert [(f.code, f.severity, f.file) for f in v.findings] == [
            ("duplicate_undecided", Severity.ERROR, "KHTC_a.xlsx")]
        assert v.findings[0].message == (
            "Đơn vị KHTC gửi nhiều biểu số liệu: tệp này ghi ngày gửi 20/03/2020, tệp "
            "'KHTC_b.xlsx' ghi ngày gửi 20/03/2020, cùng một ngày và cùng lưu lúc 09:00 ngày "
            "20/03/2020, nên không biết tệp nào là bản sau; tạm dùng tệp 'KHTC_b.xlsx' và bỏ qua "
            "tệp này. Hãy xóa khỏi thư mục inputs tệp không dùng rồi chạy lại.")


def test_the_same_file_sent_twice_is_said_for_the_record(cat, tmp_path):
    a = _workbook(cat, tmp_path / "KHTC_bieu.xlsx", "KHTC", dt.datetime(2020, 3, 20, 9))
    (tmp_path / "KHTC_bieu (1).xlsx").write_bytes(a.file.path.read_bytes())
    b = read_workbook(_dated(tmp_path / "KHTC_bieu (1).xlsx", dt.datetime(2020, 3, 21, 9)))

    v = _run(cat, a, b)

    assert [w.file.name for w in v.workbooks] == ["KHTC_bieu (1).xlsx"]
    assert [(f.code, f.severity, f.file, f.message) for f in v.findings] == [
        ("duplicate_same_file", Severity.INFO, "KHTC_bieu.xlsx",
         "Tệp này giống hệt tệp 'KHTC_bieu (1).xlsx' của đơn vị KHTC (cùng nội dung) nên chỉ "
         "dùng tệp 'KHTC_bieu (1).xlsx'. Hãy xóa bớt một tệp khỏi thư mục inputs.")]


def _narrative_of(cat, unit: str, name: str, saved: dt.datetime, text: str
                  ) -> NarrativeSubmission:
    """A narrative of `unit` read from file `name`: one paragraph under its item's heading."""
    info = FileInfo(Path(name), name, text.encode().hex().ljust(64, "0")[:64], 10, saved)
    item = cat.data_items_of(unit)[0]
    return NarrativeSubmission(info, unit, (
        NarrativeSection(f"1. {item.title}", item.code, 0, (text,)),))


def test_two_narratives_of_one_unit_the_later_file_counts_the_form_has_no_date(cat):
    old = _narrative_of(cat, "KHTC", "KHTC_tm_cu.docx", dt.datetime(2020, 3, 18, 9), "Bản cũ.")
    new = _narrative_of(cat, "KHTC", "KHTC_tm_moi.docx", dt.datetime(2020, 3, 23, 9), "Bản mới.")

    v = _run(cat, new, old)

    assert [n.file.name for n in v.narratives] == ["KHTC_tm_moi.docx"]
    assert v.narratives[0].sections[0].paragraphs == ("Bản mới.",)
    assert [(f.code, f.file, f.unit) for f in v.findings] == [
        ("duplicate_sent_earlier", "KHTC_tm_cu.docx", "KHTC")]
    assert v.findings[0].message == (
        "Đơn vị KHTC gửi nhiều bản thuyết minh: tệp này không ghi ngày gửi nên tính theo ngày "
        "lưu tệp 18/03/2020, tệp 'KHTC_tm_moi.docx' không ghi ngày gửi nên tính theo ngày lưu "
        "tệp 23/03/2020. Tệp gửi sau 'KHTC_tm_moi.docx' được dùng, tệp này bị bỏ qua. Nếu tệp "
        "này mới là bản cần dùng, hãy xóa tệp 'KHTC_tm_moi.docx' khỏi thư mục inputs; nếu "
        "không, hãy xóa tệp này.")


# --- a file whose unit codes disagree is held back -------------------------------------------
HELD_TAIL = (", nên tệp bị giữ lại: số liệu trong tệp chưa được dùng và không thay cho tệp của "
             "đơn vị nào. Hãy xác định đây là tệp của đơn vị nào, dùng đúng mẫu của đơn vị đó "
             "(không sửa ô mã đơn vị), đặt tên tệp có mã đơn vị đó rồi gửi lại.")
QLKH_2011 = ("nv_so_luong", "quoc_gia", 2011)  # QLKH's sample: 5


def test_a_form_claiming_another_unit_never_replaces_that_units_data(cat, tmp_path):
    # KHTC's form (sheet I.1), named for KHTC, with QLKH typed over the unit code, and sent
    # after QLKH's own workbook: held back, QLKH's real data stays.
    real = _workbook(cat, tmp_path / "QLKH_so_lieu.xlsx", "QLKH", dt.datetime(2020, 3, 20, 9))
    claim = _workbook(cat, tmp_path / "KHTC_so_lieu.xlsx", "KHTC", dt.datetime(2020, 3, 28, 9),
                      sent="28/03/2020", meta={"ma_don_vi": "QLKH"},
                      changes={("chi_nsdp", 2011): 1_234_567})

    v = _run(cat, claim, real)

    assert [(w.unit, w.file.name) for w in v.workbooks] == [("QLKH", "QLKH_so_lieu.xlsx")]
    assert _used(v, "QLKH", QLKH_2011) == (5.0, "QLKH_so_lieu.xlsx")
    assert {x.file for x in v.values} == {"QLKH_so_lieu.xlsx"}
    assert [(f.code, f.severity, f.file, f.sheet, f.cell, f.unit, f.value)
            for f in v.findings] == [
        ("unit_mismatch", Severity.ERROR, "KHTC_so_lieu.xlsx", "Thông tin", "C4", "QLKH",
         "QLKH")]
    assert v.findings[0].message == (
        "Tệp ghi mã đơn vị QLKH (Phòng Quản lý Khoa học) nhưng tên tệp mang mã KHTC (Phòng Kế "
        "hoạch Tài chính) và trang số liệu I.1 thuộc biểu mẫu của KHTC (Phòng Kế hoạch Tài "
        "chính)" + HELD_TAIL)
    # Received by both units it points to, held back, dated by the file.
    assert [(u.file, u.unit, u.code, u.received, u.held_back) for u in v.unread] == [
        ("KHTC_so_lieu.xlsx", "QLKH", "unit_mismatch", dt.date(2020, 3, 28), True),
        ("KHTC_so_lieu.xlsx", "KHTC", "unit_mismatch", dt.date(2020, 3, 28), True)]
    assert v.unread[0].reason == v.findings[0].message


def test_a_complete_form_under_another_units_name_is_held_back(cat, tmp_path):
    # QLKH's own form, code and sheets agree, but the file is named for KHTC.
    wb = _workbook(cat, tmp_path / "KHTC_bieu.xlsx", "QLKH", dt.datetime(2020, 3, 20, 9))

    v = _run(cat, wb)

    assert v.workbooks == () and v.values == ()
    assert [(f.code, f.file, f.unit) for f in v.findings] == [
        ("unit_mismatch", "KHTC_bieu.xlsx", "QLKH")]
    assert v.findings[0].message == (
        "Tệp ghi mã đơn vị QLKH (Phòng Quản lý Khoa học) nhưng tên tệp mang mã KHTC (Phòng Kế "
        "hoạch Tài chính)" + HELD_TAIL)
    assert [(u.unit, u.held_back) for u in v.unread] == [("QLKH", True), ("KHTC", True)]


def test_sheets_of_another_unit_under_a_name_without_a_unit_are_held_back(cat, tmp_path):
    wb = _workbook(cat, tmp_path / "bieu_so_lieu.xlsx", "KHTC", dt.datetime(2020, 3, 20, 9),
                   meta={"ma_don_vi": "qlkh"})  # typed in lower case: still QLKH
    real = _workbook(cat, tmp_path / "KHTC.xlsx", "KHTC", dt.datetime(2020, 3, 19, 9),
                     changes={("chi_nsdp", 2011): 7_900_000})

    v = _run(cat, wb, real)

    assert _used(v, "KHTC", NSDP_2011) == (7_900_000.0, "KHTC.xlsx")
    assert [w.file.name for w in v.workbooks] == ["KHTC.xlsx"]
    assert [(f.code, f.file, f.unit) for f in v.findings] == [
        ("unit_mismatch", "bieu_so_lieu.xlsx", "QLKH")]
    assert v.findings[0].message == (
        "Tệp ghi mã đơn vị QLKH (Phòng Quản lý Khoa học) nhưng trang số liệu I.1 thuộc biểu "
        "mẫu của KHTC (Phòng Kế hoạch Tài chính)" + HELD_TAIL)


@pytest.mark.parametrize("name", [
    "bieu_so_lieu.xlsx",  # no unit in the name
    "So lieu 2020 (ban cuoi).xlsx",
    "khtc_bieu (1).xlsx",  # the unit in any case
    "KHTC_gui_QLKH.xlsx",  # two units named: the name points to none
    "KHTCX.xlsx",  # a code inside a longer word is no code
])
def test_an_honest_file_named_oddly_is_read(cat, tmp_path, name):
    wb = _workbook(cat, tmp_path / name, "KHTC", dt.datetime(2020, 3, 20, 9),
                   changes={("chi_nsdp", 2011): 7_900_000})

    v = _run(cat, wb)

    assert v.findings == () and v.unread == ()
    assert _used(v, "KHTC", NSDP_2011) == (7_900_000.0, name)


def test_a_copy_of_another_units_sheet_beside_its_own_is_no_disagreement(cat, tmp_path):
    path = tmp_path / "KHTC.xlsx"
    write_unit_workbook(cat, "KHTC", path)
    book = openpyxl.load_workbook(path)
    book.create_sheet("I.2")["B2"] = "Bảng chép của phòng QLKH"
    book.save(path)

    v = _run(cat, read_workbook(path))

    assert [w.file.name for w in v.workbooks] == ["KHTC.xlsx"]
    assert _used(v, "KHTC", NSDP_2011) == (7_850_000.0, "KHTC.xlsx")
    assert [(f.code, f.sheet) for f in v.findings] == [("extra_sheet", "I.2")]


def test_a_narrative_claiming_another_unit_is_held_back_and_the_real_one_stays(cat):
    real = _narrative_of(cat, "QLKH", "QLKH_tm.docx", dt.datetime(2020, 3, 20, 9), "Bản thật.")
    claim = _narrative_of(cat, "QLKH", "KHTC_tm.docx", dt.datetime(2020, 3, 27, 9), "Bản nhầm.")

    v = _run(cat, claim, real)

    assert [(n.unit, n.file.name) for n in v.narratives] == [("QLKH", "QLKH_tm.docx")]
    assert v.narratives[0].sections[0].paragraphs == ("Bản thật.",)
    assert [(f.code, f.severity, f.file, f.sheet, f.cell, f.unit) for f in v.findings] == [
        ("unit_mismatch", Severity.ERROR, "KHTC_tm.docx", "", "", "QLKH")]
    assert v.findings[0].message == (
        "Tệp ghi mã đơn vị QLKH (Phòng Quản lý Khoa học) nhưng tên tệp mang mã KHTC (Phòng Kế "
        "hoạch Tài chính)" + HELD_TAIL)
    assert [(u.file, u.unit, u.held_back) for u in v.unread] == [
        ("KHTC_tm.docx", "QLKH", True), ("KHTC_tm.docx", "KHTC", True)]


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
