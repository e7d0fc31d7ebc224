"""The read stage alone, on files each test builds in tmp_path."""

from __future__ import annotations

import datetime as dt
import io
import os
import shutil
import unicodedata
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from openpyxl import Workbook
from openpyxl.utils import get_column_letter

from pipeline.catalogue.layout import FIRST_YEAR_COL, form_rows, form_years
from pipeline.core.findings import Severity
from pipeline.forms import build_narrative_form
from pipeline.read.files import read_inputs
from pipeline.read.model import Inputs, NarrativeSection, RawCell, RowInfo
from pipeline.read.narrative import read_narrative
from pipeline.read.workbook import read_workbook

from .conftest import write_unit_workbook

GOOD = "TTRA_good.xlsx"


# (sheet, 1-based row, A1) of the cells used here, read off TTRA's form: rows from row 6 in
# the catalogue's order, the years from column E on.
PLACES = {
    ("TTRA", "tt_tien_phat", 2017): ("I.7", 11, "K11"),
    ("TTRA", "tt_cuoc.kiem_tra", 2013): ("I.7", 7, "G7"),
    ("TTRA", "tt_co_so", 2014): ("I.7", 9, "H9"),
}


def _place(cat, unit: str, key: str, year: int) -> tuple[str, int, str]:
    """(sheet, 1-based row, A1) of a row key's cell in the unit's form."""
    return PLACES[(unit, key, year)]


def _set_mtime(path: Path, when: dt.datetime) -> None:
    ts = when.timestamp()
    os.utime(path, (ts, ts))


# --- a filled unit workbook ----------------------------------------------------------------
def test_filled_workbook_reads_back_unit_meta_and_cells(tmp_path, cat):
    path = write_unit_workbook(cat, "TTRA", tmp_path / "thanh-tra.xlsx",
                               changes={("tt_tien_phat", 2017): 1234.5,
                                        ("tt_cuoc.kiem_tra", 2013): 17,
                                        ("tt_co_so", 2014): "abc"})
    wb = read_workbook(path)

    assert wb.unit == "TTRA"
    assert wb.file.name == "thanh-tra.xlsx"
    assert wb.meta["ma_don_vi"] == "TTRA"
    assert wb.meta["ten_don_vi"] == "Thanh tra Sở"
    assert wb.meta["ma_danh_muc"] == cat.fingerprint
    assert wb.meta["phien_ban_bieu_mau"] == cat.form_version
    assert wb.meta["ngay_gui"] == "20/03/2020"
    assert wb.meta["du_lieu_mau"] == "Có"
    assert wb.is_sample is True
    assert wb.sheets[:2] == ("Thông tin", "I.7")
    assert set(wb.sheets) == {"Thông tin", "I.7", "Danh sách chọn",
                              *[li.sheet for li in cat.lists_of("TTRA")]}
    assert wb.kind == "xlsx"

    cells = {(c.sheet, c.cell): c for c in wb.cells}

    sheet, row, a1 = _place(cat, "TTRA", "tt_tien_phat", 2017)
    col = FIRST_YEAR_COL - 1 + form_years(cat, cat.item_of_indicator["tt_tien_phat"]).index(2017)
    assert cells[(sheet, a1)] == RawCell(
        sheet=sheet, cell=a1, indicator="tt_tien_phat", part="total", row=row, col=col,
        raw=1234.5)
    item = cat.item_of_indicator["tt_tien_phat"]
    status_col = get_column_letter(FIRST_YEAR_COL + len(form_years(cat, item)))
    assert RowInfo(sheet, row, "tt_tien_phat", "total", "", "", f"{status_col}{row}") in wb.rows

    sheet, row, a1 = _place(cat, "TTRA", "tt_cuoc.kiem_tra", 2013)
    got = cells[(sheet, a1)]
    assert (got.indicator, got.part) == ("tt_cuoc", "kiem_tra")
    assert got.raw == 17

    # Text typed into a number cell is passed on as it is: read judges nothing.
    sheet, _, a1 = _place(cat, "TTRA", "tt_co_so", 2014)
    got = cells[(sheet, a1)]
    assert (got.indicator, got.raw) == ("tt_co_so", "abc")

    # One row per keyed row; a cell for each non-empty cell right of the labels, here each
    # asked year (the sample fills them all).
    item = cat.data_items_of("TTRA")[0]
    assert len(wb.rows) == len(form_rows(cat, item))
    assert len(wb.cells) == sum(len(cat.years_of(r.indicator)) for r in form_rows(cat, item))
    assert wb.strays == () and wb.others == () and wb.loose == ()


def test_status_and_note_columns_are_read_per_row(tmp_path, cat):
    path = write_unit_workbook(cat, "TTRA", tmp_path / "t.xlsx", meta={"_status": "Ước tính"})
    wb = read_workbook(path)
    assert wb.rows and all(r.status == "Ước tính" for r in wb.rows)


@pytest.mark.parametrize(("typed", "expected"), [
    ("20/03/2020", dt.date(2020, 3, 20)),
    ("5.3.2020", dt.date(2020, 3, 5)),
    (dt.datetime(2020, 3, 21), dt.date(2020, 3, 21)),  # Excel turned the text into a date
    ("", None),  # empty: the file's date
    ("31/02/2020", None),  # not a real date: the file's date
    ("hôm qua", None),
])
def test_sent_date_from_metadata_else_file_date(tmp_path, cat, typed, expected):
    path = write_unit_workbook(cat, "TTRA", tmp_path / "t.xlsx", meta={"ngay_gui": typed})
    _set_mtime(path, dt.datetime(2020, 3, 22, 12, 0))
    wb = read_workbook(path)
    assert wb.sent == (expected or dt.date(2020, 3, 22))


# --- files that are not usable forms ---------------------------------------------------------
def _foreign_xlsx(folder: Path, good: Path) -> str:
    wb = Workbook()
    ws = wb.active
    ws.title = "Sheet1"
    ws.append(["Năm", "Chi"])
    ws.append([2019, 1234])
    wb.save(folder / "bang_tinh_rieng.xlsx")
    return "bang_tinh_rieng.xlsx"


def _text_as_xlsx(folder: Path, good: Path) -> str:
    (folder / "ghi_chu.xlsx").write_text("Số liệu gửi sau.\n", encoding="utf-8")
    return "ghi_chu.xlsx"


def _truncated(folder: Path, good: Path) -> str:
    (folder / "cat_ngan.xlsx").write_bytes(good.read_bytes()[:3000])
    return "cat_ngan.xlsx"


OLE_MAGIC = bytes.fromhex("D0CF11E0A1B11AE1")


def _encrypted(folder: Path, good: Path) -> str:
    body = OLE_MAGIC + bytes(504) + "EncryptedPackage".encode("utf-16-le") + bytes(1000)
    (folder / "mat_khau.xlsx").write_bytes(body)
    return "mat_khau.xlsx"


def _legacy(folder: Path, good: Path) -> str:
    body = OLE_MAGIC + bytes(504) + "Workbook".encode("utf-16-le") + bytes(1000)
    (folder / "cu.xls").write_bytes(body)
    return "cu.xls"


def _zip_bomb(folder: Path, good: Path) -> str:
    # 300 MB of zeros, deflated to a few hundred KB; written in 1 MB chunks.
    chunk = bytes(1 << 20)
    with (zipfile.ZipFile(folder / "to.xlsx", "w", zipfile.ZIP_DEFLATED,
                         compresslevel=1) as zf,
          zf.open("xl/workbook.xml", "w") as part):
        for _ in range(300):
            part.write(chunk)
    return "to.xlsx"


def _doctype(folder: Path, good: Path) -> str:
    out = io.BytesIO()
    with zipfile.ZipFile(good) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename == "xl/workbook.xml":
                decl, sep, rest = data.partition(b"?>")
                data = decl + sep + b'<!DOCTYPE workbook [<!ENTITY x "y">]>' + rest
            dst.writestr(info, data)
    (folder / "doctype.xlsx").write_bytes(out.getvalue())
    return "doctype.xlsx"


def _pdf(folder: Path, good: Path) -> str:
    (folder / "bao_cao.pdf").write_bytes(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n")
    return "bao_cao.pdf"


def _txt(folder: Path, good: Path) -> str:
    (folder / "ghi_chu.txt").write_text("Số liệu gửi sau.", encoding="utf-8")
    return "ghi_chu.txt"


@pytest.fixture()
def folder_with_good(tmp_path, cat) -> tuple[Path, Path]:
    folder = tmp_path / "inputs"
    folder.mkdir()
    good = write_unit_workbook(cat, "TTRA", folder / GOOD)
    return folder, good


@pytest.mark.parametrize(("make", "code", "in_message"), [
    (_foreign_xlsx, "not_a_form", "Thông tin"),
    (_text_as_xlsx, "file_not_office", "Excel"),
    (_truncated, "file_unreadable", "Lưu thành"),
    (_encrypted, "file_encrypted", "mật khẩu"),
    (_legacy, "file_unreadable", ".xls bị hỏng"),
    (_zip_bomb, "file_too_large", "giải nén"),
    (_doctype, "file_unreadable", "DOCTYPE"),
    (_pdf, "file_pdf", "PDF"),
    (_txt, "file_csv", "văn bản thuần"),
], ids=["foreign_xlsx", "text_as_xlsx", "truncated", "encrypted", "legacy_xls", "zip_bomb",
        "doctype", "pdf", "txt"])
def test_bad_file_is_a_finding_and_the_good_workbook_is_still_read(
        folder_with_good, make: Callable[[Path, Path], str], code: str, in_message: str):
    folder, good = folder_with_good
    name = make(folder, good)

    inputs = read_inputs(folder)  # must not raise

    assert isinstance(inputs, Inputs)
    assert [(f.code, f.file) for f in inputs.findings] == [(code, name)]
    finding = inputs.findings[0]
    assert in_message in finding.message
    assert "Hãy" in finding.message
    assert name in finding.line()
    assert [w.file.name for w in inputs.workbooks] == [GOOD]
    assert inputs.workbooks[0].unit == "TTRA"
    assert sorted(f.name for f in inputs.files) == sorted([GOOD, name])
    assert inputs.skipped == ()


def test_lock_file_is_skipped_with_a_vietnamese_line(folder_with_good):
    folder, good = folder_with_good
    shutil.copy(good, folder / "~$lock.xlsx")

    inputs = read_inputs(folder)

    assert inputs.findings == ()
    assert [w.file.name for w in inputs.workbooks] == [GOOD]
    assert [f.name for f in inputs.files] == [GOOD]
    assert len(inputs.skipped) == 1
    line = inputs.skipped[0]
    assert "~$lock.xlsx" in line
    assert line.startswith("Bỏ qua")
    assert "tệp khóa tạm" in line


def test_several_bad_files_in_one_folder_each_named_once(folder_with_good):
    folder, good = folder_with_good
    names = {make(folder, good): code for make, code in [
        (_truncated, "file_unreadable"), (_encrypted, "file_encrypted"),
        (_foreign_xlsx, "not_a_form"), (_pdf, "file_pdf")]}

    inputs = read_inputs(folder)

    assert {f.file: f.code for f in inputs.findings} == names
    assert len(inputs.findings) == len(names)
    assert [w.unit for w in inputs.workbooks] == ["TTRA"]


# --- narratives ----------------------------------------------------------------------------
def _narrative(cat, path: Path, texts: dict[tuple[str, int], list[str]]) -> Path:
    build_narrative_form(cat, cat.unit_by_code["TTRA"], texts).save(str(path))
    return path


def test_narrative_sections_by_item_and_subtopic(tmp_path, cat):
    path = _narrative(cat, tmp_path / "tm.docx",
                      {("I.7", 0): ["Đoạn A"], ("I.DG", 2): ["Đoạn B"]})
    sub = read_narrative(path)

    assert sub.unit == "TTRA"
    assert sub.file.name == "tm.docx"
    item_i7 = next(it for it in cat.items if it.code == "I.7")
    item_dg = next(it for it in cat.items if it.code == "I.DG")
    assert sub.sections == (
        NarrativeSection(heading=f"I.7. {item_i7.title}", item="I.7", subtopic=0,
                         paragraphs=("Đoạn A",)),
        NarrativeSection(heading=f"I.DG.2. {item_dg.subtopics[1]}", item="I.DG", subtopic=2,
                         paragraphs=("Đoạn B",)),
    )
    # The form's hints ("Chủ trì: ... Hạn gửi: ...", style "Hướng dẫn") are never text.
    every = [p for s in sub.sections for p in s.paragraphs]
    assert not [p for p in every if "Chủ trì" in p or "Hạn gửi" in p or "Viết nội dung" in p]


def test_narrative_through_read_inputs(tmp_path, cat):
    folder = tmp_path / "inputs"
    folder.mkdir()
    _narrative(cat, folder / "TTRA_tm.docx", {("IV", 0): ["Giải pháp một.", "Giải pháp hai."]})
    inputs = read_inputs(folder)
    assert inputs.findings == ()
    assert [n.unit for n in inputs.narratives] == ["TTRA"]
    sections = inputs.narratives[0].sections
    assert [(s.item, s.subtopic, s.paragraphs) for s in sections] == [
        ("IV", 0, ("Giải pháp một.", "Giải pháp hai."))]


def test_narrative_text_comes_back_nfc(tmp_path, cat):
    nfc = "Hội đồng khoa học đã nghiệm thu đề tài ở huyện Lục Ngạn"
    nfd = unicodedata.normalize("NFD", nfc)
    assert nfd != nfc  # the test really types decomposed text
    path = _narrative(cat, tmp_path / "tm.docx", {("I.7", 0): [nfd]})
    sections = read_narrative(path).sections
    assert [s.paragraphs for s in sections] == [(nfc,)]


def test_narrative_text_with_markup_characters_is_literal(tmp_path, cat):
    text = "R&D <2019> {{ x }}"
    path = _narrative(cat, tmp_path / "tm.docx", {("I.7", 0): [text]})
    sections = read_narrative(path).sections
    assert [s.paragraphs for s in sections] == [(text,)]


def test_docx_without_unit_table_is_a_warning_not_an_exception(tmp_path, cat, folder_with_good):
    from docx import Document

    folder, _ = folder_with_good
    doc = Document()
    doc.add_paragraph("Một văn bản bất kỳ.")
    doc.save(str(folder / "van_ban.docx"))
    inputs = read_inputs(folder)
    assert [(f.code, f.file) for f in inputs.findings] == [("narrative_not_form", "van_ban.docx")]
    assert inputs.narratives == ()
    assert [w.unit for w in inputs.workbooks] == ["TTRA"]


def test_a_file_still_being_copied_is_not_read_with_a_finding(tmp_path, cat, monkeypatch):
    import threading

    from pipeline.read import files as read

    folder = tmp_path / "inputs"
    folder.mkdir()
    write_unit_workbook(cat, "VP", folder / "vp.xlsx")
    growing = folder / "dang-chep.xlsx"
    growing.write_bytes(b"PK\x03\x04" + b"\0" * 100)
    monkeypatch.setattr(read, "SETTLE_S", 0.6)
    stop = threading.Event()

    def copy_on() -> None:  # another program still appending to the file
        while not stop.is_set():
            with growing.open("ab") as fh:
                fh.write(b"\0" * 1000)
            stop.wait(0.05)

    writer = threading.Thread(target=copy_on)
    writer.start()
    try:
        got = read.read_inputs(folder)
    finally:
        stop.set()
        writer.join()
    assert [w.file.name for w in got.workbooks] == ["vp.xlsx"]
    assert got.skipped == ()
    [finding] = got.findings  # a finding, so its unit is "received, not read", not "not sent"
    assert (finding.code, finding.file, finding.severity) == (
        "file_still_copying", "dang-chep.xlsx", Severity.WARNING)
    assert finding.message == ("Tệp đang được chép vào thư mục (kích thước còn thay đổi) nên "
                               "lần này chưa đọc. Hãy đợi chép xong rồi chạy lại sau ít phút.")
