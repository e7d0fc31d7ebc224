"""pipeline/render/export.py: write_merged on a small merged table (KHTC's budget 2016-2019,
values made by hand): the .csv with its byte-order mark and formula-like text quoted, the .xlsx
sheets, header rows and rows; write_dictionary's rows for indicators typed by hand; write_pack."""

from __future__ import annotations

import csv
import zipfile
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import load_workbook

from pipeline.core.records import Value
from pipeline.derive import derive
from pipeline.merge import merge
from pipeline.render.export import write_dictionary, write_merged, write_pack

H = "ab" * 32
FORMULA = '=HYPERLINK("http://x.vn","bấm")'


def _v(indicator: str, part: str, year: int, value: float, cell: str, note: str = "") -> Value:
    return Value("KHTC", indicator, part, year, value, "Chính thức", note, "KHTC.xlsx", "I.1",
                 cell, H)


VALUES = [
    _v("chi_nsdp", "total", 2016, 5_000_000.0, "J6"),
    _v("chi_nsdp", "total", 2017, 6_000_000.0, "K6"),
    _v("chi_nsdp", "total", 2018, 8_000_000.0, "L6"),
    _v("chi_nsdp", "total", 2019, 10_000_000.0, "M6", note=FORMULA),
    _v("chi_khcn", "total", 2016, 10_000.0, "J9"),
    _v("chi_khcn", "total", 2017, 15_000.0, "K9"),
    _v("chi_khcn", "total", 2018, 20_000.0, "L9"),
    _v("chi_khcn", "total", 2019, 30_000.0, "M9", note="-5% so với kế hoạch"),
]


@pytest.fixture(scope="module")
def written(cat, tmp_path_factory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("export")
    merged = merge(cat, VALUES)
    lists = {"ke_hoach_tuan": pd.DataFrame(
        [("KHTC", "Phòng Kế hoạch Tài chính", 1, "Thu thập số liệu", None, None,
          pd.Timestamp(2020, 3, 6).date(), "Hoàn thành", "=1+1", "KHTC.xlsx", "Kế hoạch tuần",
          6)],
        columns=["unit", "unit_name", "number", "cong_viec", "muc", "nguoi_phu_trach", "han",
                 "trang_thai", "ghi_chu", "file", "sheet", "row"])}
    xlsx, csv_path = folder / "so_lieu.xlsx", folder / "so_lieu.csv"
    write_merged(merged, derive(cat, merged), cat, xlsx, csv_path, lists)
    return xlsx, csv_path


# --- .csv ------------------------------------------------------------------------------------
def test_csv_starts_with_a_byte_order_mark_and_the_column_names(written):
    data = written[1].read_bytes()

    assert data[:3] == b"\xef\xbb\xbf"
    assert data[3:].split(b"\n")[0].decode().strip() == (
        "unit,unit_name,item,indicator,indicator_label,breakdown,breakdown_label,measure,year,"
        "value,status,note,file,sheet,cell,file_hash")


def test_csv_rows_and_formula_like_text_prefixed(written):
    with written[1].open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))

    assert len(rows) == 8
    first = rows[0]
    assert (first["unit"], first["unit_name"], first["item"], first["indicator"],
            first["indicator_label"], first["breakdown"], first["measure"], first["year"],
            first["value"], first["status"], first["cell"]) == (
        "KHTC", "Phòng Kế hoạch Tài chính", "I.1", "chi_nsdp", "Tổng chi ngân sách địa phương",
        "total", "triệu đồng", "2016", "5000000.0", "Chính thức", "J6")
    notes = {r["cell"]: r["note"] for r in rows}
    assert notes["M6"] == "'" + FORMULA
    assert notes["M9"] == "'-5% so với kế hoạch"
    assert notes["J6"] == ""
    assert rows[4]["breakdown_label"] == "Tổng số"  # chi_khcn's total beside its parts


# --- .xlsx -----------------------------------------------------------------------------------
def test_xlsx_sheets(written):
    wb = load_workbook(written[0])
    assert wb.sheetnames == ["Số liệu", "Tính toán", "Giai đoạn", "Tăng trưởng",
                             "Kế hoạch tuần"]


def test_xlsx_long_table_header_and_a_row(written):
    ws = load_workbook(written[0])["Số liệu"]
    rows = list(ws.iter_rows(values_only=True))

    assert rows[0] == ("Mã đơn vị", "Đơn vị", "Mục", "Mã chỉ tiêu", "Chỉ tiêu", "Mã phân tổ",
                       "Phân tổ", "Đơn vị tính", "Năm", "Giá trị", "Tính chất số liệu",
                       "Nguồn số liệu, ghi chú", "Tệp", "Trang", "Ô", "SHA-256 của tệp")
    assert rows[4] == ("KHTC", "Phòng Kế hoạch Tài chính", "I.1", "chi_nsdp",
                       "Tổng chi ngân sách địa phương", "total", None, "triệu đồng", 2019,
                       10_000_000, "Chính thức", FORMULA, "KHTC.xlsx", "I.1", "M6", H)
    assert len(rows) == 9
    assert ws.freeze_panes == "A2"


def test_xlsx_formula_like_text_is_a_string(written):
    ws = load_workbook(written[0])["Số liệu"]

    assert ws["L5"].value == FORMULA
    assert ws["L5"].data_type == "s"
    assert ws["L9"].value == "-5% so với kế hoạch"
    assert ws["L9"].data_type == "s"


def test_xlsx_derived_values_with_their_source_cells(written):
    ws = load_workbook(written[0])["Tính toán"]
    rows = list(ws.iter_rows(values_only=True))

    assert rows[0] == ("Mã", "Chỉ tiêu", "Đơn vị tính", "Năm", "Giá trị", "Ô nguồn", "Ghi chú")
    row = next(r for r in rows if r[0] == "ty_le_chi_khcn" and r[3] == 2019)
    assert row[:4] == ("ty_le_chi_khcn", "Tỷ lệ chi KH&CN trong tổng chi NSĐP", "%", 2019)
    assert row[4] == pytest.approx(0.3)
    assert row[5] == "KHTC.xlsx › I.1!M9; KHTC.xlsx › I.1!M6"
    missing = next(r for r in rows if r[0] == "ty_le_chi_khcn" and r[3] == 2011)
    assert missing[4] is None


def test_xlsx_period_figures_and_growth(written):
    wb = load_workbook(written[0])
    periods = list(wb["Giai đoạn"].iter_rows(values_only=True))
    growth = list(wb["Tăng trưởng"].iter_rows(values_only=True))

    assert periods[0] == ("Mã", "Loại", "Giai đoạn", "Cách tính", "Giá trị",
                          "Tăng bình quân/năm (%)", "Ghi chú")
    row = next(r for r in periods if r[0] == "chi_nsdp" and r[2] == "2016-2019")
    assert row[:5] == ("chi_nsdp", "chỉ tiêu", "2016-2019", "tổng các năm", 29_000_000)
    assert row[5] == pytest.approx(25.9921, abs=1e-4)  # (10/5)^(1/3) - 1
    share = next(r for r in periods if r[0] == "ty_le_chi_khcn" and r[2] == "2016-2019")
    assert share[1:4] == ("tính toán", "2016-2019", "công thức trên số liệu cả giai đoạn")
    assert share[4] == pytest.approx(0.2586207, abs=1e-7)  # 75.000 / 29.000.000 × 100

    assert growth[0] == ("Mã chỉ tiêu", "Mã phân tổ", "Năm", "Tăng so với năm trước (%)")
    by_year = {(r[0], r[2]): r[3] for r in growth[1:]}
    assert by_year[("chi_nsdp", 2017)] == pytest.approx(20.0)
    assert by_year[("chi_nsdp", 2019)] == pytest.approx(25.0)
    assert by_year[("chi_khcn", 2019)] == pytest.approx(50.0)


def test_xlsx_list_sheet_with_labels_as_headers(written):
    ws = load_workbook(written[0])["Kế hoạch tuần"]
    rows = list(ws.iter_rows(values_only=True))

    assert rows[0] == ("Mã đơn vị", "Đơn vị", "STT trong biểu", "Công việc", "Mục nội dung",
                       "Người phụ trách", "Hạn hoàn thành (dd/mm/yyyy)", "Trạng thái",
                       "Ghi chú", "Tệp", "Trang", "Dòng")
    assert rows[1][:4] == ("KHTC", "Phòng Kế hoạch Tài chính", 1, "Thu thập số liệu")
    assert rows[1][7:] == ("Hoàn thành", "=1+1", "KHTC.xlsx", "Kế hoạch tuần", 6)
    assert ws["I2"].data_type == "s"  # text, not a formula


def test_write_merged_of_an_empty_table(cat, tmp_path):
    merged = merge(cat, [])

    write_merged(merged, derive(cat, merged), cat, tmp_path / "a.xlsx", tmp_path / "a.csv")

    wb = load_workbook(tmp_path / "a.xlsx")
    assert wb.sheetnames == ["Số liệu", "Tính toán", "Giai đoạn", "Tăng trưởng"]
    assert wb["Số liệu"].max_row == 1
    assert (tmp_path / "a.csv").read_bytes().startswith(b"\xef\xbb\xbfunit,unit_name,")


# --- write_dictionary ------------------------------------------------------------------------
@pytest.fixture(scope="module")
def dictionary(cat, tmp_path_factory):
    path = tmp_path_factory.mktemp("dict") / "tu_dien.xlsx"
    assert write_dictionary(cat, path) == path
    return load_workbook(path)


def _row(ws, code: str, column: int = 0) -> tuple:
    return next(r for r in ws.iter_rows(values_only=True) if r[column] == code)


def test_dictionary_sheets_and_header(dictionary):
    assert dictionary.sheetnames == ["Chỉ tiêu", "Cột bảng số liệu", "Danh sách"]
    assert next(dictionary["Chỉ tiêu"].iter_rows(values_only=True)) == (
        "Mã", "Tên", "Đơn vị tính", "Kiểu", "Khoảng cho phép", "Năm", "Phân tổ",
        "Đơn vị cung cấp", "Biểu nguồn", "Công thức")


def test_dictionary_row_of_an_indicator(dictionary):
    assert _row(dictionary["Chỉ tiêu"], "chi_nsdp") == (
        "chi_nsdp", "Tổng chi ngân sách địa phương", "triệu đồng", "number",
        "0 – 100.000.000", "2011, 2012, 2013, 2014, 2015, 2016, 2017, 2018, 2019", None,
        "Phòng Kế hoạch Tài chính", "Biểu số liệu, trang I.1", None)


def test_dictionary_row_of_an_indicator_with_parts(dictionary):
    row = _row(dictionary["Chỉ tiêu"], "chi_khcn")
    assert row[4] == "0 – 10.000.000"
    assert row[6] == ("dtpt = Chi đầu tư phát triển, su_nghiep = Chi sự nghiệp KH&CN, "
                      "total = Tổng số")


def test_dictionary_row_of_a_target_and_of_a_derived_value(dictionary):
    ws = dictionary["Chỉ tiêu"]
    assert _row(ws, "ty_le_chi_khcn_muc_tieu")[3:6] == ("percent", "0 – 100", "2025, 2030")
    assert _row(ws, "ty_le_chi_khcn") == (
        "ty_le_chi_khcn", "Tỷ lệ chi KH&CN trong tổng chi NSĐP", "%", "tính toán", None, None,
        None, "Phòng Kế hoạch Tài chính (tính tự động)", None,
        "chi_khcn.total / chi_nsdp * 100")


def test_dictionary_columns_and_list_rows(dictionary):
    assert _row(dictionary["Cột bảng số liệu"], "file_hash") == ("file_hash", "SHA-256 của tệp")
    han = next(r for r in dictionary["Danh sách"].iter_rows(values_only=True)
               if r[:3] == ("ke_hoach_tuan", "Kế hoạch, tiến độ công việc hằng tuần", "han"))
    assert han[3:] == ("Hạn hoàn thành (dd/mm/yyyy)", "date", None, "có", None,
                       "Tất cả các phòng, đơn vị", "Biểu số liệu, trang Kế hoạch tuần")


# --- write_pack ------------------------------------------------------------------------------
def test_write_pack_copies_the_files_and_zips_them(tmp_path):
    a = tmp_path / "so_lieu.csv"
    a.write_text("a,b\n", encoding="utf-8")
    b = tmp_path / "tu_dien.xlsx"
    b.write_bytes(b"PK")

    archive = write_pack(tmp_path / "goi" / "tu-van", [a, b, tmp_path / "missing.pdf"], "tu-van")

    assert archive == tmp_path / "goi" / "tu-van.zip"
    assert sorted(p.name for p in (tmp_path / "goi" / "tu-van").iterdir()) == [
        "so_lieu.csv", "tu_dien.xlsx"]
    with zipfile.ZipFile(archive) as zf:
        assert sorted(zf.namelist()) == ["tu-van/so_lieu.csv", "tu-van/tu_dien.xlsx"]
        assert zf.read("tu-van/so_lieu.csv") == b"a,b\n"
