"""The annotated copy for files as offices send them: merged cells, findings on whole rows,
.xls and .ods sources, files that could not be read at all; Vietnamese labels beside the
codes; a "Lỗi" sheet that prints legibly."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook

from pipeline.core.findings import Finding, Severity
from pipeline.office.feedback import FEEDBACK_SHEET, annotate_workbook, refusal_note
from pipeline.office.reports import write_validation_report

FIRST_ROW = 5  # first finding row of the "Lỗi" sheet
ORANGE = "00F4B183"  # the error fill
LABEL_DTPT = "Chi ngân sách cho KH&CN – Chi đầu tư phát triển"
needs_soffice = pytest.mark.skipif(shutil.which("soffice") is None,
                                   reason="LibreOffice is not installed")


def _finding(sheet: str, cell: str, message: str = "Hãy sửa ô này.",
             indicator: str = "chi_nsdp", severity: Severity = Severity.ERROR) -> Finding:
    return Finding(code="not_a_number", severity=severity, file="don_vi.xlsx",
                   message=message, sheet=sheet, cell=cell, unit="KHTC",
                   indicator=indicator, year=2015, value="abc")


def _unit_book(path: Path) -> Path:
    """A small workbook as a unit might send it: a data sheet with a merged pair of cells."""
    wb = Workbook()
    ws = wb.active
    ws.title = "I.1"
    ws["B5"], ws["E5"], ws["F5"] = "Chỉ tiêu", 2015, 2016
    ws["B6"], ws["E6"] = "Tổng chi ngân sách địa phương", 1234.5
    ws.merge_cells("E6:F6")
    for col in "BCDEFGHIJKLM":
        ws[f"{col}12"] = 1
    wb.save(path)
    return path


def _rows(path: Path) -> list[list[object]]:
    ws = load_workbook(path)[FEEDBACK_SHEET]
    return [[ws.cell(r, c).value for c in range(1, 10)]
            for r in range(FIRST_ROW, ws.max_row + 1) if isinstance(ws.cell(r, 1).value, int)]


def _link(path: Path, message: str):
    ws = load_workbook(path)[FEEDBACK_SHEET]
    [r] = [r for r in range(FIRST_ROW, ws.max_row + 1) if ws.cell(r, 8).value == message]
    return ws.cell(r, 4).hyperlink


# --- merged cells, ranges, missing places --------------------------------------------------
def test_a_finding_on_a_merged_cell_annotates_its_top_left(tmp_path: Path):
    source = _unit_book(tmp_path / "don_vi.xlsx")
    out = annotate_workbook(source, [_finding("I.1", "F6", "Ô F6 bị gộp với E6.")],
                            tmp_path / "fb.xlsx")
    ws = load_workbook(out)["I.1"]
    assert ws["E6"].fill.fgColor.rgb == ORANGE
    assert ws["E6"].comment is not None
    assert ws["E6"].comment.text == "[Lỗi] Ô F6 bị gộp với E6."
    assert ws["E6"].value == 1234.5  # the unit's value kept
    assert "E6:F6" in {str(r) for r in ws.merged_cells.ranges}
    assert _link(out, "Ô F6 bị gộp với E6.").location == "'I.1'!F6"


def test_a_range_finding_colours_each_cell_and_comments_the_first(tmp_path: Path):
    source = _unit_book(tmp_path / "don_vi.xlsx")
    message = "Dòng 12 được chèn thêm, không thuộc biểu mẫu."
    out = annotate_workbook(source, [_finding("I.1", "B12:M12", message,
                                              severity=Severity.WARNING)],
                            tmp_path / "fb.xlsx")
    ws = load_workbook(out)["I.1"]
    yellow = "00FFE699"  # the warning fill
    for col in "BCDEFGHIJKLM":
        assert ws[f"{col}12"].fill.fgColor.rgb == yellow, col
    assert ws["A12"].fill.fgColor.rgb != yellow and ws["N12"].fill.fgColor.rgb != yellow
    assert ws["B11"].fill.fgColor.rgb != yellow and ws["B13"].fill.fgColor.rgb != yellow
    assert ws["B12"].comment.text == f"[Cảnh báo] {message}"
    assert [c.coordinate for c in ws[12] if c.comment is not None] == ["B12"]
    assert _link(out, message).location == "'I.1'!B12:M12"
    assert _rows(out)[0][3] == "B12:M12"


def test_a_huge_range_colours_a_few_hundred_cells_at_most(tmp_path: Path):
    source = _unit_book(tmp_path / "don_vi.xlsx")
    out = annotate_workbook(source, [_finding("I.1", "A1:XFD1048576")], tmp_path / "fb.xlsx")
    ws = load_workbook(out)["I.1"]
    coloured = [c for row in ws.iter_rows() for c in row if c.fill.fgColor.rgb == ORANGE]
    assert 1 <= len(coloured) <= 1000
    assert ws["A1"].fill.fgColor.rgb == ORANGE
    assert ws["A1"].comment is not None


@pytest.mark.parametrize("sheet, cell", [("Không có", "B2"), ("I.1", "ZZZZ1"), ("I.1", "B0"),
                                         ("I.1", "hai"), ("I.1", "A:A"), ("I.1", "E6:F")])
def test_a_place_not_in_the_workbook_is_listed_without_a_link(tmp_path: Path, sheet: str,
                                                              cell: str):
    source = _unit_book(tmp_path / "don_vi.xlsx")
    good = _finding("I.1", "B6", "Ô đúng.")
    bad = _finding(sheet, cell, "Ô không có.")
    out = annotate_workbook(source, [bad, good], tmp_path / "fb.xlsx")
    rows = _rows(out)
    assert sorted(r[7] for r in rows) == ["Ô không có.", "Ô đúng."]
    assert _link(out, "Ô không có.") is None
    assert _link(out, "Ô đúng.").location == "'I.1'!B6"
    assert load_workbook(out)["I.1"]["B6"].fill.fgColor.rgb == ORANGE


# --- labels -----------------------------------------------------------------------------------
def test_the_label_is_shown_with_the_code_beside_it(tmp_path: Path):
    source = _unit_book(tmp_path / "don_vi.xlsx")
    found = [_finding("I.1", "E6", "Một.", indicator="chi_khcn.dtpt"),
             _finding("I.1", "B6", "Hai.", indicator="csvc_thiet_bi"),
             _finding("", "", "Ba.", indicator="")]
    out = annotate_workbook(source, found, tmp_path / "fb.xlsx",
                            labels={"chi_khcn.dtpt": LABEL_DTPT})
    ws = load_workbook(out)[FEEDBACK_SHEET]
    assert ws["E4"].value == "Chỉ tiêu" and ws["I4"].value == "Mã chỉ tiêu"
    by_message = {r[7]: (r[4], r[8]) for r in _rows(out)}
    assert by_message == {"Một.": (LABEL_DTPT, "chi_khcn.dtpt"),
                          "Hai.": ("csvc_thiet_bi", "csvc_thiet_bi"),  # no label: the code
                          "Ba.": (None, None)}


def test_the_validation_report_shows_labels_and_codes(tmp_path: Path):
    found = [_finding("I.1", "E6", "Một.", indicator="chi_khcn.dtpt"),
             _finding("I.1", "B6", "Hai.", indicator="csvc_thiet_bi")]
    path = tmp_path / "bao-cao.xlsx"
    write_validation_report(found, [], path, labels={"chi_khcn.dtpt": LABEL_DTPT})
    ws = load_workbook(path)["Phát hiện"]
    header = [c.value for c in ws[1]]
    assert header == ["Mức độ", "Mã", "Đơn vị", "Tệp", "Trang", "Ô", "Chỉ tiêu", "Năm",
                      "Giá trị", "Nội dung và cách xử lý", "Mã chỉ tiêu"]
    rows = [[c.value for c in row] for row in ws.iter_rows(min_row=2)]
    assert [(r[6], r[10], r[9]) for r in rows] == [
        (LABEL_DTPT, "chi_khcn.dtpt", "Một."), ("csvc_thiet_bi", "csvc_thiet_bi", "Hai.")]


# --- printing -----------------------------------------------------------------------------------
def _assert_prints_one_page_wide(ws, title_rows: str) -> None:
    assert ws.page_setup.orientation == "landscape", ws.title
    assert ws.page_setup.paperSize in (9, "9"), ws.title
    assert ws.sheet_properties.pageSetUpPr.fitToPage is True, ws.title
    assert int(ws.page_setup.fitToWidth) == 1 and int(ws.page_setup.fitToHeight) == 0
    assert ws.print_title_rows == title_rows, ws.title


def test_the_findings_sheet_prints_legibly(tmp_path: Path):
    source = _unit_book(tmp_path / "don_vi.xlsx")
    long = "Giá trị vượt khoảng cho phép. " * 12 + "Hãy kiểm tra lại."
    out = annotate_workbook(source, [_finding("I.1", "E6", long)], tmp_path / "fb.xlsx")
    ws = load_workbook(out)[FEEDBACK_SHEET]
    _assert_prints_one_page_wide(ws, "$4:$4")
    message = ws.cell(FIRST_ROW, 8)
    assert message.alignment.wrap_text is True and message.alignment.vertical == "top"
    assert 40 <= ws.column_dimensions["H"].width <= 100
    assert ws.cell(FIRST_ROW, 1).alignment.vertical == "top"
    assert ws.row_dimensions[FIRST_ROW].height >= 45  # 390 characters: several lines


def test_the_validation_report_prints_legibly(tmp_path: Path):
    path = tmp_path / "bao-cao.xlsx"
    write_validation_report([_finding("I.1", "E6", "Một.")], [], path)
    wb = load_workbook(path)
    for ws in wb.worksheets:
        _assert_prints_one_page_wide(ws, "$1:$1")
    message = wb["Phát hiện"]["J2"]
    assert message.alignment.wrap_text is True and message.alignment.vertical == "top"


# --- sources openpyxl cannot open --------------------------------------------------------------
def _soffice(source: Path, target: str, out: Path) -> Path:
    subprocess.run([shutil.which("soffice") or "soffice",
                    f"-env:UserInstallation={(out / 'profile').as_uri()}", "--headless",
                    "--norestore", "--convert-to", target, "--outdir", str(out), str(source)],
                   check=True, capture_output=True, timeout=180, stdin=subprocess.DEVNULL)
    return out / f"{source.stem}.{target}"


def _office_book(path: Path) -> Path:
    wb = Workbook()
    ws = wb.active
    ws.title = "Thông tin"
    ws["A4"], ws["B4"], ws["C4"] = "ma_don_vi", "Mã đơn vị", "KHTC"
    data = wb.create_sheet("I.1")
    data["A5"], data["E5"] = "Mã", 2015
    data["A6"], data["B6"], data["E6"], data["F6"] = "chi_nsdp", "Tổng chi", 1234.5, 7
    data["G6"] = "=1+2"
    data["G6"].data_type = "s"  # text the unit typed, not a formula
    hidden = wb.create_sheet("Danh sách chọn")
    hidden["A1"] = "data_status"
    hidden.sheet_state = "hidden"
    wb.save(path)
    return path


@needs_soffice
@pytest.mark.parametrize("kind", ["ods", "xls"])
def test_an_ods_or_xls_source_gives_an_xlsx_copy_of_its_values(tmp_path: Path, kind: str):
    made = _soffice(_office_book(tmp_path / "goc.xlsx"), kind, tmp_path)
    source = tmp_path / "don_vi.xlsx"  # a misleading name: the kind is read from the bytes
    shutil.copyfile(made, source)
    before = source.read_bytes()
    out = annotate_workbook(source, [_finding("I.1", "E6", "Sửa ô E6.")],
                            tmp_path / "fb" / "don_vi_gop_y.xlsx")
    assert source.read_bytes() == before
    wb = load_workbook(out)
    assert wb.sheetnames == [FEEDBACK_SHEET, "Thông tin", "I.1"]
    assert [wb["Thông tin"][a].value for a in ("A4", "B4", "C4")] == [
        "ma_don_vi", "Mã đơn vị", "KHTC"]
    data = wb["I.1"]
    assert [data[a].value for a in ("A5", "E5", "A6", "B6", "E6", "F6", "G6")] == [
        "Mã", 2015, "chi_nsdp", "Tổng chi", 1234.5, 7, "=1+2"]
    assert data["G6"].data_type == "s"
    assert data["E6"].fill.fgColor.rgb == ORANGE
    assert data["E6"].comment.text == "[Lỗi] Sửa ô E6."
    note = wb[FEEDBACK_SHEET]["A3"].value
    assert f".{kind}" in note and "không giữ định dạng" in note
    assert _link(out, "Sửa ô E6.").location == "'I.1'!E6"


@pytest.mark.parametrize("content", [b"PK\x03\x04 not really a zip", b"%PDF-1.4\n%...",
                                     b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600, b""])
def test_a_source_that_cannot_be_opened_gives_the_list_alone(tmp_path: Path, content: bytes):
    source = tmp_path / "hong.xlsx"
    source.write_bytes(content)
    out = annotate_workbook(source, [_finding("I.1", "E6", "Sửa ô E6.")], tmp_path / "fb.xlsx")
    wb = load_workbook(out)
    assert wb.sheetnames == [FEEDBACK_SHEET]
    assert [r[7] for r in _rows(out)] == ["Sửa ô E6."]
    assert _link(out, "Sửa ô E6.") is None


# --- refused files -------------------------------------------------------------------------------
def test_a_refused_file_gets_a_short_note(tmp_path: Path):
    found = Finding(code="file_pdf", severity=Severity.ERROR, file="bao_cao.pdf",
                    message="Tệp PDF không đọc được số liệu. Hãy gửi tệp gốc: biểu số liệu "
                            "Excel (.xlsx).")
    path = refusal_note("bao_cao.pdf", [found], tmp_path / "feedback")
    assert path == tmp_path / "feedback" / "bao_cao_pdf_gop_y.xlsx"  # never KHTC.xlsx's name
    wb = load_workbook(path)
    assert wb.sheetnames == [FEEDBACK_SHEET]
    ws = wb[FEEDBACK_SHEET]
    assert ws["A1"].value == "TỆP 'bao_cao.pdf' CHƯA ĐỌC ĐƯỢC: 1 vấn đề"
    assert [(r[1], r[7]) for r in _rows(path)] == [("Lỗi", found.message)]
    _assert_prints_one_page_wide(ws, "$4:$4")


def test_feedback_names_keep_the_kind_so_two_files_never_share_one():
    from pipeline.office.feedback import feedback_name

    assert feedback_name(Path("KHTC.xlsx")) == "KHTC_gop_y.xlsx"
    assert feedback_name(Path("KHTC.pdf")) == "KHTC_pdf_gop_y.xlsx"
    assert feedback_name(Path("KHTC.XLS")) == "KHTC_xls_gop_y.xlsx"
    assert feedback_name(Path("sub/KHTC.ods")) == "KHTC_ods_gop_y.xlsx"
