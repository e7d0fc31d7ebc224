"""pipeline/read/workbook.py: read_workbook on small forms written by the project's own form
code (tests/conftest.py's write_unit_workbook), by openpyxl and, for what only odd writers
make, by rewriting a sheet's XML; with the cells, rows, labels, notes and refusals a caller
relies on. KHTC's form: sheet I.1, header in row 5, rows from row 6
(chi_nsdp, chi_khcn.dtpt, chi_khcn.su_nghiep, chi_khcn, ty_le_chi_khcn_muc_tieu,
csvc_dien_tich, csvc_phong_thi_nghiem, csvc_thiet_bi), years 2011-2019 in E-M, 2025 and
2030 in N-O, status in P, note in Q."""

from __future__ import annotations

import datetime as dt
import io
import math
import re
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from docx import Document
from openpyxl import Workbook, load_workbook

from pipeline.core.findings import Severity
from pipeline.read.model import RawCell, RowInfo, RowLabel, StrayRow
from pipeline.read.package import Refused, WrongKind
from pipeline.read.workbook import read_workbook
from pipeline.tools.samples import fill_lists

from .conftest import write_unit_workbook

SOFT_HYPHEN = "\u00ad"  # TCVN3's 'ư'


@pytest.fixture()
def khtc(tmp_path, cat) -> Path:
    """KHTC's form with the sample values, 2015's equipment value typed as text."""
    return write_unit_workbook(cat, "KHTC", tmp_path / "KHTC_bieu.xlsx",
                               changes={("csvc_thiet_bi", 2015): "abc",
                                        ("csvc_phong_thi_nghiem", 2012): 5})


def _edit(path: Path, edit) -> Path:
    wb = load_workbook(path)
    edit(wb)
    wb.save(path)
    return path


# openpyxl writes the sheets' parts in the workbook's order.
META_XML, I1_XML, PROJECTS_XML = (f"xl/worksheets/sheet{i}.xml" for i in (1, 2, 3))


def rewrite_part(path: Path, part: str, edit: Callable[[bytes], bytes]) -> Path:
    """The workbook with one XML part changed by `edit`, every other entry as it was: a file
    exactly as an odd or crafted writer would make it."""
    with zipfile.ZipFile(path) as zf:
        entries = [(info, zf.read(info)) for info in zf.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for info, data in entries:
            zf.writestr(info, edit(data) if info.filename == part else data)
    return path


def rewrite_cell(path: Path, a1: str, xml: str, part: str = I1_XML) -> Path:
    """The workbook with cell `a1` of `part` stored as `xml` (a whole <c> element)."""
    def edit(data: bytes) -> bytes:
        new, count = re.subn(rb'<c r="%s"[^>]*?(?:/>|>.*?</c>)' % a1.encode(), xml.encode(),
                             data, flags=re.DOTALL)
        assert count == 1, a1
        return new

    return rewrite_part(path, part, edit)


# --- what is read ----------------------------------------------------------------------------
def test_unit_metadata_and_sheets(khtc):
    sub = read_workbook(khtc)

    assert sub.unit == "KHTC"
    assert sub.kind == "xlsx"
    assert sub.file.name == "KHTC_bieu.xlsx"
    assert sub.sheets == ("Thông tin", "I.1", "DS dự án", "Kế hoạch tuần", "Danh sách chọn")
    assert sub.meta["ma_don_vi"] == "KHTC"
    assert sub.meta["ten_don_vi"] == "Phòng Kế hoạch Tài chính"
    assert sub.meta["ngay_gui"] == "20/03/2020"
    assert sub.meta["ngay_tao_bieu"] == "01/03/2020"
    assert sub.sent == dt.date(2020, 3, 20)
    assert sub.notes == ()


@pytest.mark.parametrize("expected", [
    RawCell("I.1", "E6", "chi_nsdp", "total", 6, 4, 7_850_000.0),  # 2011
    RawCell("I.1", "M6", "chi_nsdp", "total", 6, 12, 17_420_000.0),  # 2019
    RawCell("I.1", "E7", "chi_khcn", "dtpt", 7, 4, 14_500.0),
    RawCell("I.1", "M8", "chi_khcn", "su_nghiep", 8, 12, 52_600.0),
    RawCell("I.1", "F12", "csvc_phong_thi_nghiem", "total", 12, 5, 5.0),  # typed over
    RawCell("I.1", "I13", "csvc_thiet_bi", "total", 13, 8, "abc"),  # text stays text
])
def test_hand_chosen_cells(khtc, expected):
    cells = {c.cell: c for c in read_workbook(khtc).cells}
    assert cells[expected.cell] == expected


def test_cells_are_only_those_of_keyed_rows_right_of_the_labels(khtc):
    sub = read_workbook(khtc)

    assert {c.sheet for c in sub.cells} == {"I.1"}
    assert min(c.col for c in sub.cells) == 4  # column E: no label column is a cell
    # the target row: 2025 and 2030 only (N, O)
    assert [(c.cell, c.raw) for c in sub.cells if c.row == 10] == [("N10", 1.0), ("O10", 2.0)]
    assert len([c for c in sub.cells if c.row == 6]) == 9  # chi_nsdp: 2011-2019


def test_header_row_and_keyed_rows(khtc):
    sub = read_workbook(khtc)

    (head,) = sub.heads
    assert (head.sheet, head.row) == ("I.1", 5)
    assert dict(head.cells) == {
        0: "Mã", 1: "Chỉ tiêu", 2: "Phân tổ", 3: "Đơn vị tính", 4: "2011", 5: "2012",
        6: "2013", 7: "2014", 8: "2015", 9: "2016", 10: "2017", 11: "2018", 12: "2019",
        13: "2025", 14: "2030", 15: "Tính chất số liệu", 16: "Nguồn số liệu, ghi chú"}
    assert [(r.row, r.indicator, r.part) for r in sub.rows] == [
        (6, "chi_nsdp", "total"), (7, "chi_khcn", "dtpt"), (8, "chi_khcn", "su_nghiep"),
        (9, "chi_khcn", "total"), (10, "ty_le_chi_khcn_muc_tieu", "total"),
        (11, "csvc_dien_tich", "total"), (12, "csvc_phong_thi_nghiem", "total"),
        (13, "csvc_thiet_bi", "total")]


def test_status_and_note_of_a_row(khtc):
    def edit(wb):
        wb["I.1"]["P7"] = "Ước tính"
        wb["I.1"]["Q7"] = "Báo cáo quyết toán 2019"

    sub = read_workbook(_edit(khtc, edit))

    assert sub.rows[1] == RowInfo("I.1", 7, "chi_khcn", "dtpt", "Ước tính",
                                  "Báo cáo quyết toán 2019", "P7")
    assert sub.rows[0].status_cell == "P6"
    assert not [c for c in sub.cells if c.cell in ("P7", "Q7")]


def test_unit_code_is_normalised_from_the_metadata(tmp_path, cat):
    path = write_unit_workbook(cat, "KHTC", tmp_path / "a.xlsx", meta={"ma_don_vi": " k htc "})
    assert read_workbook(path).unit == "KHTC"


def test_legacy_tcvn3_text_is_converted_with_a_note(khtc):
    legacy = f"quyÕt ®Þnh cña Bé tr{SOFT_HYPHEN}ëng"

    def edit(wb):
        wb["I.1"]["Q6"] = legacy

    sub = read_workbook(_edit(khtc, edit))

    assert sub.rows[0].note == "quyết định của Bộ trưởng"
    (note,) = sub.notes
    assert (note.code, note.severity, note.sheet, note.cell, note.unit, note.file) == (
        "text_converted", Severity.WARNING, "I.1", "Q6", "KHTC", "KHTC_bieu.xlsx")
    assert note.value == legacy
    assert note.message.startswith(
        "Văn bản được gõ bằng bảng mã TCVN3 (ABC); đã chuyển sang Unicode thành "
        "'quyết định của Bộ trưởng'.")


def test_decomposed_unicode_is_recomposed_silently(khtc):
    def edit(wb):
        wb["I.1"]["Q9"] = "Chi s\u01b0\u0323 nghi\u00ea\u0323p"  # NFD: ự, ệ as base + dot

    sub = read_workbook(_edit(khtc, edit))

    assert sub.rows[3].note == "Chi s\u1ef1 nghi\u1ec7p"  # NFC
    assert sub.notes == ()


def test_formula_without_value_and_error_cell_are_noted_not_read(khtc):
    def edit(wb):
        wb["I.1"]["E8"] = "=E7*2"
        wb["I.1"]["F8"] = "#REF!"

    sub = read_workbook(_edit(khtc, edit))

    assert [(n.code, n.sheet, n.cell, n.value, n.severity) for n in sub.notes] == [
        ("formula_no_value", "I.1", "E8", "=E7*2", Severity.ERROR),
        ("error_cell", "I.1", "F8", "#REF!", Severity.ERROR)]
    assert not [c for c in sub.cells if c.cell in ("E8", "F8")]


def test_a_row_without_key_is_a_stray(khtc):
    def edit(wb):
        wb["I.1"]["B20"] = "Dòng thêm"
        wb["I.1"]["E20"] = 5

    sub = read_workbook(_edit(khtc, edit))

    assert sub.strays == (StrayRow("I.1", 20, ((1, "Dòng thêm"), (4, 5.0))),)


def test_percent_cells_and_merged_ranges_are_passed_on(khtc):
    def edit(wb):
        wb["I.1"]["E11"].number_format = "0.0%"

    sub = read_workbook(_edit(khtc, edit))

    assert ("I.1", "E11") in sub.percent_cells
    assert ("I.1", "E6") not in sub.percent_cells
    assert ("I.1", "B1:Q1") in sub.merges  # the form's title


def test_list_rows_and_a_value_typed_beside_the_list(khtc, cat):
    def edit(wb):
        fill_lists(cat, wb, {"ke_hoach_tuan": [
            {"cong_viec": "Thu thập số liệu", "han": "06/03/2020", "trang_thai": "Hoàn thành"}]})
        wb["Kế hoạch tuần"]["J6"] = "ghi thêm"

    sub = read_workbook(_edit(khtc, edit))

    (row,) = sub.lists
    assert (row.list, row.sheet, row.row, row.number) == ("ke_hoach_tuan", "Kế hoạch tuần", 6, 1)
    assert row.cells == (("cong_viec", "B6", "Thu thập số liệu"), ("muc", "C6", ""),
                         ("nguoi_phu_trach", "D6", ""), ("han", "E6", "06/03/2020"),
                         ("trang_thai", "F6", "Hoàn thành"), ("ghi_chu", "G6", ""))
    assert sub.loose == (("Kế hoạch tuần", "J6", "ghi thêm"),)


def test_a_sheet_the_form_does_not_have_is_counted(khtc):
    def edit(wb):
        ws = wb.create_sheet("Nháp")
        ws["A1"] = "x"
        ws["B2"] = 3

    sub = read_workbook(_edit(khtc, edit))

    assert sub.others == (("Nháp", 2),)


def test_the_labels_of_keyed_rows_are_kept_for_validation(khtc):
    sub = read_workbook(khtc)

    assert sub.labels[:4] == (
        RowLabel("I.1", 6, "Tổng chi ngân sách địa phương", ""),
        RowLabel("I.1", 7, "Chi ngân sách cho KH&CN", "Chi đầu tư phát triển"),
        RowLabel("I.1", 8, "Chi ngân sách cho KH&CN", "Chi sự nghiệp KH&CN"),
        RowLabel("I.1", 9, "Chi ngân sách cho KH&CN", "Tổng số"))
    assert [label.row for label in sub.labels] == [r.row for r in sub.rows]


# --- a cell a parser cannot take costs that cell only ----------------------------------------
UNREADABLE = ("Ô này lưu giá trị '{}' sai cách ({}) nên không đọc được và bị bỏ qua; các ô "
              "khác của tệp vẫn được đọc. Hãy gõ lại giá trị vào ô bằng Excel hoặc "
              "LibreOffice, lưu rồi gửi lại.")
NOT_A_NUMBER = "ô kiểu số nhưng giá trị không phải là số"


@pytest.mark.parametrize(("xml", "stored", "detail"), [
    # python-calamine refuses the whole sheet for each of these (0.9.1: "invalid float
    # literal", "Unrecognized boolean", "string index not found", "Unknown cell 't'").
    ('<c r="F6" s="9" t="n"><v>1,5</v></c>', "1,5", NOT_A_NUMBER),
    ('<c r="F6" t="n"><v> 9058967</v></c>', " 9058967", NOT_A_NUMBER),
    ('<c r="F6" t="n"><v>1e</v></c>', "1e", NOT_A_NUMBER),
    ('<c r="F6" t="b"><v>2</v></c>', "2", "ô kiểu đúng/sai nhưng giá trị không phải đúng hay sai"),
    ('<c r="F6" t="s"><v>7</v></c>', "7", "ô trỏ tới một chuỗi chữ không có trong tệp"),
    ('<c r="F6" t="x"><v>5</v></c>', "5", "kiểu ô 'x' không có trong Excel"),
])
def test_a_value_calamine_cannot_parse_costs_only_its_cell(khtc, xml, stored, detail):
    before = read_workbook(khtc)

    sub = read_workbook(rewrite_cell(khtc, "F6", xml))

    (note,) = sub.notes
    assert (note.code, note.severity, note.sheet, note.cell, note.unit, note.value) == (
        "cell_unreadable", Severity.ERROR, "I.1", "F6", "KHTC", stored)
    assert note.message == UNREADABLE.format(stored, detail)
    assert len(before.cells) == 62
    assert len(sub.cells) == 61  # every other cell of the workbook, as it was
    assert sub.cells == tuple(c for c in before.cells if c.cell != "F6")
    assert (sub.meta, sub.rows, sub.heads, sub.lists) == (
        before.meta, before.rows, before.heads, before.lists)


def test_an_error_value_calamine_does_not_know_is_one_error_cell(khtc):
    # Excel 365's #SPILL! (a dynamic array with no room) stops calamine's whole sheet too.
    sub = read_workbook(rewrite_cell(khtc, "F6", '<c r="F6" t="e"><v>#SPILL!</v></c>'))

    assert [(n.code, n.sheet, n.cell, n.value) for n in sub.notes] == [
        ("error_cell", "I.1", "F6", "#SPILL!")]
    assert len(sub.cells) == 61


def test_unreadable_cells_in_two_sheets_are_each_named(tmp_path, cat):
    path = write_unit_workbook(cat, "KHTC", tmp_path / "KHTC_bieu.xlsx", meta={
        "nguoi_lap": "Nguyễn Thị Hoa", "dien_thoai": "0204 3854 123"})
    rewrite_cell(path, "C11", '<c r="C11" t="n"><v>0204 3854</v></c>', part=META_XML)
    rewrite_cell(path, "M8", '<c r="M8" t="n"><v>52 600</v></c>')  # grouped by a space

    sub = read_workbook(path)

    assert [(n.code, n.sheet, n.cell, n.value) for n in sub.notes] == [
        ("cell_unreadable", "Thông tin", "C11", "0204 3854"),
        ("cell_unreadable", "I.1", "M8", "52 600")]
    assert sub.unit == "KHTC"
    assert sub.meta["dien_thoai"] == ""
    assert sub.meta["nguoi_lap"] == "Nguyễn Thị Hoa"
    assert len(sub.cells) == 61
    assert "M8" not in {c.cell for c in sub.cells}


def test_a_cell_without_address_is_named_by_its_place(khtc):
    # An address is optional in OOXML: the cell after E6 is F6.
    sub = read_workbook(rewrite_cell(khtc, "F6", '<c t="n"><v>n/a</v></c>'))

    assert [(n.code, n.cell, n.value) for n in sub.notes] == [("cell_unreadable", "F6", "n/a")]
    assert len(sub.cells) == 61


@pytest.mark.parametrize(("stored", "expected"), [
    ("1E+22", 1e22),
    ("1E+308", 1e308),
    ("1234567890123456789012345", 1.2345678901234568e24),  # 25 digits typed in a cell
    ("inf", math.inf),
    ("-INF", -math.inf),
    ("1e400", math.inf),  # beyond a float: calamine gives infinity
    ("-0", -0.0),
])
def test_odd_numbers_are_read_as_they_are_stored(khtc, stored, expected):
    # Reading judges nothing: validation names these cells (test_validate_workbook.py).
    sub = read_workbook(rewrite_cell(khtc, "F6", f'<c r="F6" t="n"><v>{stored}</v></c>'))

    (f6,) = [c.raw for c in sub.cells if c.cell == "F6"]
    assert f6 == expected
    assert math.copysign(1.0, f6) == math.copysign(1.0, expected)
    assert (sub.notes, len(sub.cells)) == ((), 62)


def test_nan_is_read_as_nan(khtc):
    sub = read_workbook(rewrite_cell(khtc, "F6", '<c r="F6" t="n"><v>NaN</v></c>'))

    (f6,) = [c.raw for c in sub.cells if c.cell == "F6"]
    assert math.isnan(f6)


def test_a_list_row_numbered_nan_keeps_its_place(khtc, cat):
    def edit(wb):
        fill_lists(cat, wb, {"du_an": [{"ten": "Khu nông nghiệp công nghệ cao"}]})

    _edit(khtc, edit)
    sub = read_workbook(rewrite_cell(khtc, "A6", '<c r="A6" t="n"><v>NaN</v></c>',
                                     part=PROJECTS_XML))

    (row,) = sub.lists
    assert (row.list, row.row, row.number) == ("du_an", 6, 1)  # counted, not int(NaN)
    assert row.cells[0] == ("ten", "B6", "Khu nông nghiệp công nghệ cao")


# --- sheets the reader skips -----------------------------------------------------------------
TOO_LARGE = ("Trang có vùng dữ liệu quá lớn ({}) nên bị bỏ qua. Hãy xóa dữ liệu ngoài biểu "
             "mẫu (các dòng, cột ở xa) rồi gửi lại.")


def _rows(last: int) -> Callable[[bytes], bytes]:
    """Rows 20 to `last` added to a sheet, each with a cell in B, E and Q."""
    rows = b"".join(b'<row r="%d"><c r="B%d" t="n"><v>%d</v></c><c r="E%d" t="n"><v>1</v></c>'
                    b'<c r="Q%d" t="n"><v>2</v></c></row>' % (r, r, r, r, r)
                    for r in range(20, last + 1))
    return lambda xml: xml.replace(b"</sheetData>", rows + b"</sheetData>")


@pytest.mark.parametrize(("last", "size"), [
    (6_000, "6.000 dòng × 17 cột"),  # scanned whole (a few MB of XML)
    (200_000, "200.000 dòng × 17 cột"),  # 25 MB of XML, more than the scan reads at once
])
def test_a_sheet_too_large_is_described_by_its_real_extent(khtc, last, size):
    before = read_workbook(khtc)

    sub = read_workbook(rewrite_part(khtc, I1_XML, _rows(last)))

    (note,) = sub.notes
    assert (note.code, note.severity, note.sheet, note.cell) == (
        "sheet_too_large", Severity.ERROR, "I.1", "")
    assert note.message == TOO_LARGE.format(f"{size}; giới hạn 5.000 dòng × 200 cột")
    assert (sub.cells, sub.rows) == ((), ())
    assert (sub.meta, sub.lists, sub.sheets) == (before.meta, before.lists, before.sheets)


def test_a_sheet_whose_part_is_missing_is_skipped_and_named(khtc):
    before = read_workbook(khtc)
    with zipfile.ZipFile(khtc) as zf:
        entries = [(info, zf.read(info)) for info in zf.infolist()]
    with zipfile.ZipFile(khtc, "w", zipfile.ZIP_DEFLATED) as zf:
        for info, data in entries:
            if info.filename != PROJECTS_XML:  # 'DS dự án' stays in xl/workbook.xml
                zf.writestr(info, data)

    sub = read_workbook(khtc)

    (note,) = sub.notes
    assert (note.code, note.severity, note.sheet, note.cell) == (
        "sheet_part_missing", Severity.ERROR, "DS dự án", "")
    assert note.message == (
        "Trang 'DS dự án' có tên trong tệp nhưng mất phần nội dung (tệp hỏng, hoặc do một phần "
        "mềm khác ghi sai) nên bị bỏ qua; các trang khác vẫn được đọc. Hãy mở tệp bằng Excel "
        "hoặc LibreOffice, kiểm tra trang này, lưu rồi gửi lại.")
    assert (sub.cells, sub.meta) == (before.cells, before.meta)


def test_a_lying_dimension_element_does_not_make_a_sheet_too_large(khtc):
    def edit(xml: bytes) -> bytes:
        return re.sub(rb'<dimension ref="[^"]*"/>', b'<dimension ref="A1:XFD1048576"/>', xml)

    rewrite_part(khtc, I1_XML, edit)
    # A formula sends the sheet through the full XML scan, which once counted the dimension.
    sub = read_workbook(rewrite_cell(khtc, "E7", '<c r="E7" t="n"><f>1+1</f><v>2</v></c>'))

    assert sub.notes == ()
    assert len(sub.cells) == 62


# --- what is refused -------------------------------------------------------------------------
def test_a_workbook_without_the_metadata_sheet_is_not_a_form(tmp_path):
    wb = Workbook()
    wb.active.title = "Sheet1"
    wb.active["A1"] = "chi_nsdp"
    path = tmp_path / "KHTC_tu_lam.xlsx"
    wb.save(path)

    with pytest.raises(Refused) as e:
        read_workbook(path)

    f = e.value.finding
    assert (f.code, f.file, f.unit) == ("not_a_form", "KHTC_tu_lam.xlsx", "")
    assert f.message.startswith("Tệp không phải biểu mẫu của Sở (không có trang 'Thông tin'")


def test_an_empty_unit_code_is_not_a_form(tmp_path, cat):
    path = write_unit_workbook(cat, "KHTC", tmp_path / "a.xlsx", meta={"ma_don_vi": "  "})

    with pytest.raises(Refused) as e:
        read_workbook(path)

    assert e.value.finding.code == "not_a_form"


def test_a_pdf_named_xlsx_is_refused_as_a_pdf(tmp_path):
    path = tmp_path / "KHTC.xlsx"
    path.write_bytes(b"%PDF-1.5\n" + b"x" * 200)

    with pytest.raises(Refused) as e:
        read_workbook(path)

    assert (e.value.finding.code, e.value.finding.file) == ("file_pdf", "KHTC.xlsx")


def test_a_damaged_workbook_is_unreadable(tmp_path):
    path = tmp_path / "KHTC.xlsx"
    path.write_bytes(b"PK\x03\x04" + b"\x00" * 300)

    with pytest.raises(Refused) as e:
        read_workbook(path)

    assert e.value.finding.code == "file_unreadable"


def test_a_narrative_named_xlsx_is_the_other_kind(tmp_path):
    out = io.BytesIO()
    Document().save(out)
    path = tmp_path / "KHTC.xlsx"
    path.write_bytes(out.getvalue())

    with pytest.raises(WrongKind) as e:
        read_workbook(path)

    assert e.value.kind == "docx"
