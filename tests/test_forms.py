"""Blank forms as a unit opens them: written with forms.write_forms, then read back with
openpyxl and python-docx (what Excel and Word show) and with the pipeline's own reader."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl
import pytest
from docx import Document
from openpyxl.worksheet.worksheet import Worksheet

from pipeline.catalogue.layout import (
    CHOICES_SHEET,
    FIRST_DATA_ROW,
    HEADER_KEY,
    HEADER_ROW,
    META_FIELDS,
    META_SHEET,
    STATUS_HEADER,
    form_rows,
)
from pipeline.catalogue.model import ALL_UNITS, Catalogue
from pipeline.forms import FormFiles, write_forms
from pipeline.read.narrative import read_narrative
from pipeline.read.workbook import read_workbook

UNITS = ["KHTC", "QLKH", "QLCN", "VP", "QLCS", "QLCNG", "TTRA", "TDC", "TTUD"]
OWN_ITEM = {"KHTC": "I.1", "QLKH": "I.2", "QLCN": "I.3", "VP": "I.4", "QLCS": "I.5",
            "QLCNG": "I.6", "TTRA": "I.7", "TDC": "I.8", "TTUD": "I.9"}
SHARED_ITEMS = ["I.DG", "II.1", "II.2", "II.3", "II.5", "II.4", "IV"]  # unit: all
TODAY = dt.date(2020, 3, 1)


@pytest.fixture(scope="module")
def forms_dir(tmp_path_factory, cat: Catalogue) -> tuple[Path, list[FormFiles]]:
    out = tmp_path_factory.mktemp("forms")
    return out, write_forms(cat, out, TODAY)


@pytest.fixture(scope="module")
def forms(forms_dir) -> dict[str, FormFiles]:
    return {f.unit: f for f in forms_dir[1]}


def _book(forms: dict[str, FormFiles], unit: str) -> openpyxl.Workbook:
    return openpyxl.load_workbook(forms[unit].workbook)


def _meta(ws: Worksheet) -> dict[str, object]:
    """Metadata cells by their key in (hidden) column A."""
    return {r[0].value: r[2] for r in ws.iter_rows(min_col=1, max_col=3) if r[0].value}


def _cell(ws: Worksheet, key: str, year_or_header: int | str):
    """The cell of a row key and a year (or a header text), found by the keys, not positions."""
    header = [c.value for c in ws[HEADER_ROW]]
    assert header[0] == HEADER_KEY
    col = header.index(year_or_header) + 1
    row = next(c.row for c in ws["A"] if c.value == key and c.row >= FIRST_DATA_ROW)
    return ws.cell(row, col)


def _validations(ws: Worksheet, coordinate: str) -> list:
    return [dv for dv in ws.data_validations.dataValidation if coordinate in dv.sqref]


# --- files and metadata --------------------------------------------------------------------
def test_one_workbook_and_one_narrative_per_unit(forms_dir):
    out, written = forms_dir
    assert [f.unit for f in written] == UNITS
    names = sorted(p.name for p in out.iterdir())
    assert names == sorted([f"{u}_bieu_so_lieu.xlsx" for u in UNITS]
                           + [f"{u}_thuyet_minh.docx" for u in UNITS])
    assert len([n for n in names if n.endswith(".xlsx")]) == 9
    assert len([n for n in names if n.endswith(".docx")]) == 9
    for f in written:
        assert f.workbook.name.startswith(f.unit + "_") and f.narrative.parent == out


@pytest.mark.parametrize("unit", UNITS)
def test_metadata_sheet_names_unit_version_and_fingerprint(forms, cat: Catalogue, unit: str):
    wb = _book(forms, unit)
    assert wb.sheetnames[0] == META_SHEET
    ws = wb[META_SHEET]
    meta = _meta(ws)
    assert list(meta) == [key for key, _, _ in META_FIELDS]
    assert meta["ma_don_vi"].value == unit
    assert meta["ten_don_vi"].value == cat.unit_by_code[unit].name
    assert meta["phien_ban_bieu_mau"].value == "1.0" == cat.form_version
    assert meta["ma_danh_muc"].value == cat.fingerprint
    assert meta["ngay_tao_bieu"].value == "01/03/2020"
    assert meta["du_lieu_mau"].value == "Không"
    # The unit fills in who, phone, e-mail, date sent and which sending this is; nothing
    # else can be edited.
    editable = {key for key, _, e in META_FIELDS if e}
    assert editable == {"nguoi_lap", "dien_thoai", "email", "ngay_gui", "lan_gui"}
    assert meta["lan_gui"].value is None  # blank: the unit writes 1, then 2 if it sends again
    for key, cell in meta.items():
        assert cell.protection.locked is (key not in editable), key
    assert ws.protection.sheet is True
    assert ws.column_dimensions["A"].hidden is True


@pytest.mark.parametrize("unit", UNITS)
def test_a_sheet_per_data_item_named_by_item_code(forms, cat: Catalogue, unit: str):
    wb = _book(forms, unit)
    lists = [li.sheet for li in cat.lists_of(unit)]
    # The dropdowns' options come last, on a hidden sheet.
    assert wb.sheetnames == [META_SHEET, OWN_ITEM[unit], *lists, "Danh sách chọn"]
    assert [ws.title for ws in wb.worksheets if ws.sheet_state != "visible"] == [
        "Danh sách chọn"]
    ws = wb[OWN_ITEM[unit]]
    item = next(it for it in cat.items if it.code == OWN_ITEM[unit])
    assert ws["B1"].value == f"Mục {item.code}. {item.title}"
    keys = [c.value for c in ws["A"][FIRST_DATA_ROW - 1:] if c.value]
    assert keys == [row.key for row in form_rows(cat, item)]
    assert keys[0].partition(".")[0] == item.indicators[0].code
    assert len(keys) == sum(len(cat.parts_of(ind)) for ind in item.indicators)


def test_item_sheet_rows_follow_the_catalogue(forms):
    ws = _book(forms, "KHTC")["I.1"]
    header = [c.value for c in ws[HEADER_ROW]]
    assert header == ["Mã", "Chỉ tiêu", "Phân tổ", "Đơn vị tính", *range(2011, 2020), 2025,
                      2030, "Tính chất số liệu", "Nguồn số liệu, ghi chú"]
    rows = [[c.value for c in r[:4]] for r in ws.iter_rows(min_row=FIRST_DATA_ROW,
                                                           max_row=FIRST_DATA_ROW + 3)]
    assert rows == [
        ["chi_nsdp", "Tổng chi ngân sách địa phương", None, "triệu đồng"],
        ["chi_khcn.dtpt", "Chi ngân sách cho KH&CN", "Chi đầu tư phát triển", "triệu đồng"],
        ["chi_khcn.su_nghiep", "Chi ngân sách cho KH&CN", "Chi sự nghiệp KH&CN", "triệu đồng"],
        ["chi_khcn", "Chi ngân sách cho KH&CN", "Tổng số", "triệu đồng"],
    ]
    # The hint is a comment on the label.
    assert "quyết toán" in ws["B6"].comment.text


# --- protection ----------------------------------------------------------------------------
@pytest.mark.parametrize("unit", UNITS)
def test_item_sheets_are_protected_with_labels_locked(forms, unit: str):
    ws = _book(forms, unit)[OWN_ITEM[unit]]
    assert ws.protection.sheet is True
    assert ws.protection.formatColumns is False  # units may widen columns
    data_rows = list(ws.iter_rows(min_row=FIRST_DATA_ROW, max_col=4))
    assert data_rows
    for row in data_rows:
        for c in row:
            assert c.protection.locked is True, c.coordinate
    for c in ws[HEADER_ROW]:
        assert c.protection.locked is True, c.coordinate


def test_asked_years_are_unlocked_and_years_not_asked_are_locked(forms):
    ws = _book(forms, "KHTC")["I.1"]
    # chi_nsdp is asked for 2011-2019 only, in a sheet that also has 2025 and 2030.
    for year in (2011, 2015, 2019):
        assert _cell(ws, "chi_nsdp", year).protection.locked is False, year
    for year in (2025, 2030):
        cell = _cell(ws, "chi_nsdp", year)
        assert cell.protection.locked is True, year
        assert cell.fill.fgColor.rgb.endswith("D9D9D9")  # grey
        assert _validations(ws, cell.coordinate) == []
    # The target-only indicator is the other way round.
    assert _cell(ws, "ty_le_chi_khcn_muc_tieu", 2019).protection.locked is True
    assert _cell(ws, "ty_le_chi_khcn_muc_tieu", 2025).protection.locked is False
    assert _cell(ws, "ty_le_chi_khcn_muc_tieu", 2030).protection.locked is False
    # Status and note columns are typed in by the unit.
    assert _cell(ws, "chi_nsdp", STATUS_HEADER).protection.locked is False
    assert _cell(ws, "chi_nsdp", "Nguồn số liệu, ghi chú").protection.locked is False


def test_both_years_indicator_is_open_for_actual_and_target_years(forms):
    ws = _book(forms, "TTUD")["I.9"]
    for year in (2011, 2019, 2025, 2030):
        assert _cell(ws, "ld_qua_dao_tao", year).protection.locked is False, year
        assert _cell(ws, "ld_bang_cap", year).protection.locked is False, year
    # ld_co_cau_nganh is actual-only.
    assert _cell(ws, "ld_co_cau_nganh.dich_vu", 2019).protection.locked is False
    assert _cell(ws, "ld_co_cau_nganh.dich_vu", 2030).protection.locked is True


# --- data validation -----------------------------------------------------------------------
def test_percent_cell_accepts_a_decimal_between_0_and_100(forms):
    ws = _book(forms, "TTUD")["I.9"]
    cell = _cell(ws, "ld_qua_dao_tao", 2019)
    [dv] = _validations(ws, cell.coordinate)
    assert (dv.type, dv.operator, dv.formula1, dv.formula2) == ("decimal", "between", "0", "100")
    assert dv.showErrorMessage and dv.showInputMessage
    assert dv.prompt.startswith("Nhập số từ 0 đến 100.")
    assert "bằng cấp" in dv.prompt  # the indicator's hint follows
    assert dv.error == "Nhập số từ 0 đến 100 (%)."
    assert dv.errorTitle == "Giá trị không hợp lệ"


def test_growth_rate_may_be_negative(forms):
    ws = _book(forms, "QLCN")["I.3"]
    [dv] = _validations(ws, _cell(ws, "grdp_tang", 2012).coordinate)
    assert (dv.type, dv.formula1, dv.formula2) == ("decimal", "-50", "100")


def test_integer_cell_accepts_a_whole_number(forms):
    ws = _book(forms, "QLKH")["I.2"]
    cell = _cell(ws, "nv_so_luong.tinh", 2015)
    [dv] = _validations(ws, cell.coordinate)
    assert (dv.type, dv.operator, dv.formula1, dv.formula2) == ("whole", "between", "0", "1000")
    assert dv.prompt == "Nhập số nguyên từ 0 đến 1.000."
    assert cell.number_format == "#,##0"
    # The same validation covers every part row and asked year of the indicator.
    for key in ("nv_so_luong.quoc_gia", "nv_so_luong.co_so", "nv_so_luong"):
        assert _validations(ws, _cell(ws, key, 2011).coordinate) == [dv]


def test_status_column_is_a_dropdown_of_the_catalogue_statuses(forms, cat: Catalogue):
    ws = _book(forms, "KHTC")["I.1"]
    for key in ("chi_nsdp", "chi_khcn.dtpt", "csvc_thiet_bi"):
        [dv] = _validations(ws, _cell(ws, key, STATUS_HEADER).coordinate)
        assert dv.type == "list"
        # A range of the hidden sheet, whose first column is this list.
        assert dv.formula1 == "'Danh sách chọn'!$A$2:$A$4"
        assert dv.showInputMessage
        assert dv.promptTitle == "Tính chất số liệu"
        assert dv.prompt == "Chọn: Chính thức, Ước tính, Sơ bộ"
        assert dv.error == "Chọn một giá trị trong danh sách."
    assert cat.data_status == ["Chính thức", "Ước tính", "Sơ bộ"]
    choices = _book(forms, "KHTC")["Danh sách chọn"]
    assert [c.value for c in choices["A"] if c.value] == [
        "data_status", "Chính thức", "Ước tính", "Sơ bộ"]


# --- Word narrative form -------------------------------------------------------------------
def _headings(doc, level: int) -> list[str]:
    return [p.text for p in doc.paragraphs if p.style.name == f"Heading {level}"]


@pytest.mark.parametrize("unit", UNITS)
def test_narrative_form_starts_with_the_unit_table(forms, cat: Catalogue, unit: str):
    doc = Document(str(forms[unit].narrative))
    body = list(doc.iter_inner_content())
    first_table = next(i for i, b in enumerate(body) if hasattr(b, "rows"))
    first_heading = next(i for i, b in enumerate(body) if not hasattr(b, "rows")
                         and b.style.name.startswith("Heading"))
    assert first_table < first_heading
    rows = {r.cells[0].text: r.cells[1].text for r in doc.tables[0].rows}
    assert rows == {"Mã đơn vị": unit, "Tên đơn vị": cat.unit_by_code[unit].name,
                    "Phiên bản biểu mẫu": "1.0", "Mã danh mục chỉ tiêu": cat.fingerprint}


@pytest.mark.parametrize("unit", UNITS)
def test_narrative_form_has_a_heading_per_item_of_the_unit(forms, cat: Catalogue, unit: str):
    doc = Document(str(forms[unit].narrative))
    codes = [h.split(" ", 1)[0] for h in _headings(doc, 2)]
    assert codes == [f"{c}." for c in [OWN_ITEM[unit], *SHARED_ITEMS]]
    shared = [it.code for it in cat.items if it.unit == ALL_UNITS]
    assert shared == SHARED_ITEMS


def test_narrative_subtopics_are_numbered_under_their_item(forms):
    doc = Document(str(forms["QLKH"].narrative))
    h3 = _headings(doc, 3)
    assert h3[:6] == [
        ("I.2.1. Nông nghiệp và nông thôn (trồng trọt, chăn nuôi, phát triển nông thôn, công "
         "nghệ sinh học)"),
        "I.2.2. Chăm sóc sức khỏe nhân dân và bảo vệ môi trường (mô hình xử lý chất thải)",
        "I.2.3. Thông tin KH&CN phục vụ nghiên cứu và phát triển công nghệ",
        "I.2.4. Tiết kiệm năng lượng và phát triển năng lượng mới",
        "I.2.5. Khoa học xã hội và nhân văn phục vụ hoạch định chính sách của tỉnh",
        "I.2.6. Nghiên cứu, phát triển và ứng dụng công nghệ của Cuộc cách mạng công nghiệp 4.0",
    ]
    assert [h.split(" ", 1)[0] for h in h3[6:]] == [
        "I.DG.1.", "I.DG.2.", "I.DG.3.", "II.2.1.", "II.2.2.", "II.2.3.", "II.2.4.", "II.2.5.",
        "II.4.1.", "II.4.2.", "II.4.3.", "II.4.4.",
        "IV.1.", "IV.2.", "IV.3.", "IV.4.", "IV.5.", "IV.6."]
    # Another unit's item is not in this unit's form.
    assert not [h for h in _headings(doc, 2) if h.startswith("I.1.")]


# --- read back -----------------------------------------------------------------------------
@pytest.mark.parametrize("unit", ["KHTC", "TTUD"])
def test_blank_workbook_reads_back_as_the_unit_with_no_values(forms, cat: Catalogue,
                                                              unit: str):
    sub = read_workbook(forms[unit].workbook)
    assert sub.unit == unit
    assert sub.meta["ma_danh_muc"] == cat.fingerprint
    assert sub.meta["phien_ban_bieu_mau"] == "1.0"
    assert sub.meta["ngay_gui"] == ""
    # The hidden sheet of dropdown options holds no data (the reader may list it or not).
    assert tuple(s for s in sub.sheets if s != CHOICES_SHEET) == (
        META_SHEET, OWN_ITEM[unit], *[li.sheet for li in cat.lists_of(unit)])
    assert sub.lists == ()  # no row typed in the list sheets
    item = next(it for it in cat.items if it.code == OWN_ITEM[unit])
    n_rows = sum(len(cat.parts_of(ind)) for ind in item.indicators)
    years = {y for ind in item.indicators for y in cat.years_of(ind)}
    assert len(sub.rows) == n_rows
    assert len(years) == 11
    # No value is read from a blank form.
    assert [c for c in sub.cells if c.raw != ""] == []
    assert {r.status for r in sub.rows} == {""}
    assert {r.indicator for r in sub.rows} == {ind.code for ind in item.indicators}


def test_blank_narrative_reads_back_as_the_unit_with_no_text(forms):
    sub = read_narrative(forms["QLCS"].narrative)
    assert sub.unit == "QLCS"
    assert sub.sections == ()  # headings and hints only
