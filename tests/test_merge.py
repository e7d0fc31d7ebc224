"""Unit tests of pipeline/merge.py: merge() and merge_columns() on a few hand-made Values
(columns, labels from the catalogue, catalogue order), rows_of(), and merge_lists() on
hand-made ListEntry rows."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from pipeline.catalogue.model import Catalogue
from pipeline.core.records import FileCheck, ListEntry, Value
from pipeline.merge import merge, merge_columns, merge_lists, rows_of, typed_status

COLUMNS = ["unit", "unit_name", "item", "indicator", "indicator_label", "breakdown",
           "breakdown_label", "measure", "year", "value", "status", "note", "file", "sheet",
           "cell", "file_hash"]


def _v(unit: str, indicator: str, part: str, year: int, value: float, cell: str) -> Value:
    sheet = "I.1" if unit == "KHTC" else "I.2"
    return Value(unit, indicator, part, year, value, "Chính thức", "Sở Tài chính",
                 f"{unit}.xlsx", sheet, cell, f"hash-{unit}")


# Given out of order on purpose: total before part, 2012 before 2011, I.2 before I.1.
VALUES = [
    _v("QLKH", "nv_ung_dung", "total", 2011, 3.0, "E20"),
    _v("KHTC", "chi_khcn", "total", 2012, 20.0, "F9"),
    _v("KHTC", "chi_nsdp", "total", 2012, 1000.0, "F6"),
    _v("KHTC", "chi_khcn", "dtpt", 2011, 5.0, "E7"),
    _v("KHTC", "chi_nsdp", "total", 2011, 900.0, "E6"),
]


def test_merge_has_the_documented_columns(cat: Catalogue):
    assert list(merge(cat, VALUES).columns) == COLUMNS


def test_merge_orders_by_catalogue_indicator_then_part_then_year(cat: Catalogue):
    df = merge(cat, VALUES)
    assert list(zip(df["indicator"], df["breakdown"], df["year"])) == [
        ("chi_nsdp", "total", 2011),
        ("chi_nsdp", "total", 2012),
        ("chi_khcn", "dtpt", 2011),
        ("chi_khcn", "total", 2012),
        ("nv_ung_dung", "total", 2011),
    ]


def test_merge_labels_from_the_catalogue(cat: Catalogue):
    df = merge(cat, VALUES)
    first = df.iloc[0]
    assert first["unit_name"] == "Phòng Kế hoạch Tài chính"
    assert first["item"] == "I.1"
    assert first["indicator_label"] == "Tổng chi ngân sách địa phương"
    assert first["measure"] == "triệu đồng"
    assert first["breakdown_label"] == ""  # no breakdown
    assert df.iloc[2]["breakdown_label"] == "Chi đầu tư phát triển"
    assert df.iloc[3]["breakdown_label"] == "Tổng số"
    last = df.iloc[4]
    assert last["unit_name"] == "Phòng Quản lý Khoa học"
    assert last["item"] == "I.2"
    assert last["measure"] == "nhiệm vụ"


def test_merge_keeps_each_values_source(cat: Catalogue):
    df = merge(cat, VALUES)
    row = df.iloc[3]
    assert (row["value"], row["status"], row["note"], row["file"], row["sheet"], row["cell"],
            row["file_hash"]) == (20.0, "Chính thức", "Sở Tài chính", "KHTC.xlsx", "I.1", "F9",
                                  "hash-KHTC")
    assert df["year"].tolist() == [2011, 2012, 2011, 2012, 2011]
    assert df["value"].tolist() == [900.0, 1000.0, 5.0, 20.0, 3.0]


def test_merge_index_is_zero_based(cat: Catalogue):
    assert merge(cat, VALUES).index.tolist() == [0, 1, 2, 3, 4]


def test_merge_of_nothing_is_an_empty_table_with_the_columns(cat: Catalogue):
    df = merge(cat, [])
    assert len(df) == 0
    assert list(df.columns) == COLUMNS


def test_merge_keeps_a_value_of_an_indicator_the_catalogue_no_longer_has(cat: Catalogue):
    df = merge(cat, [_v("KHTC", "chi_cu", "total", 2011, 1.0, "E6"), VALUES[4]])
    assert df["indicator"].tolist() == ["chi_nsdp", "chi_cu"]  # known first
    assert pd.isna(df.iloc[1]["indicator_label"])


def test_merge_columns_joins_workbooks_held_as_columns(cat: Catalogue):
    khtc = FileCheck.of([VALUES[1], VALUES[4]], [], []).columns
    qlkh = FileCheck.of([VALUES[0]], [], []).columns
    empty = FileCheck.of([], [], []).columns
    df = merge_columns(cat, [qlkh, empty, khtc])
    assert list(zip(df["unit"], df["cell"])) == [("KHTC", "E6"), ("KHTC", "F9"),
                                                 ("QLKH", "E20")]


def test_merge_columns_of_empty_workbooks_only(cat: Catalogue):
    df = merge_columns(cat, [FileCheck.of([], [], []).columns])
    assert len(df) == 0
    assert list(df.columns) == COLUMNS
    assert len(merge_columns(cat, [])) == 0


def test_merge_and_merge_columns_agree(cat: Catalogue):
    pd.testing.assert_frame_equal(merge(cat, VALUES),
                                  merge_columns(cat, [FileCheck.of(VALUES, [], []).columns]))


def test_rows_of_gives_tuples_of_the_named_columns():
    df = pd.DataFrame({"a": [1, 2], "b": ["x", "y"], "c": [0.5, 1.5]})
    assert list(rows_of(df, "c", "a")) == [(0.5, 1), (1.5, 2)]
    assert list(rows_of(df.iloc[0:0], "a")) == []


# --- merge_lists -----------------------------------------------------------------------------

def _entry(list_code: str, unit: str, number: int, values: dict[str, object]) -> ListEntry:
    return ListEntry(list=list_code, unit=unit, number=number, values=values,  # type: ignore[arg-type]
                     file=f"{unit}.xlsx", sheet="DS", row=5 + number)


ENTRIES = [
    _entry("co_so_qlnn", "VP", 1, {"ten": "Trụ sở Sở KH&CN", "dia_diem": "Thành phố Bắc Giang",
                                   "dien_tich_dat": 1200.0}),
    _entry("du_an", "QLCN", 2, {"ten": "Khu ươm tạo", "dien_tich": 3.5,
                                "dia_diem": "Huyện Việt Yên"}),
    _entry("du_an", "VP", 1, {"ten": "Trung tâm dữ liệu", "dien_tich": 1.0}),
    _entry("ke_hoach_tuan", "KHTC", 1, {"cong_viec": "Tổng hợp", "han": dt.date(2020, 3, 10)}),
]


def test_merge_lists_gives_one_table_per_list_input(cat: Catalogue):
    tables = merge_lists(cat, ENTRIES)
    assert list(tables) == ["co_so_qlnn", "co_so_cong_lap", "du_an", "to_chuc_khcn",
                            "doanh_nghiep_khcn", "ke_hoach_tuan"]


def test_a_list_table_has_unit_number_the_list_columns_then_the_source(cat: Catalogue):
    df = merge_lists(cat, ENTRIES)["co_so_qlnn"]
    assert list(df.columns) == ["unit", "unit_name", "number", "ten", "dia_diem",
                                "dien_tich_dat", "hien_trang", "de_xuat", "file", "sheet", "row"]
    row = df.iloc[0]
    assert (row["unit"], row["unit_name"], row["number"], row["ten"], row["dien_tich_dat"],
            row["file"], row["row"]) == ("VP", "Văn phòng Sở", 1, "Trụ sở Sở KH&CN", 1200.0,
                                         "VP.xlsx", 6)
    assert row["hien_trang"] is None  # a column the row left empty


def test_list_rows_keep_the_order_they_came_in(cat: Catalogue):
    df = merge_lists(cat, ENTRIES)["du_an"]
    assert df["unit"].tolist() == ["QLCN", "VP"]
    assert df["ten"].tolist() == ["Khu ươm tạo", "Trung tâm dữ liệu"]
    assert df["unit_name"].tolist() == ["Phòng Quản lý Công nghệ và Thị trường công nghệ",
                                        "Văn phòng Sở"]


def test_a_date_column_keeps_its_date(cat: Catalogue):
    df = merge_lists(cat, ENTRIES)["ke_hoach_tuan"]
    assert df.iloc[0]["han"] == dt.date(2020, 3, 10)


def test_a_list_no_unit_filled_is_an_empty_table_with_its_columns(cat: Catalogue):
    df = merge_lists(cat, ENTRIES)["doanh_nghiep_khcn"]
    assert len(df) == 0
    assert list(df.columns) == ["unit", "unit_name", "number", "ten", "nam_cap", "linh_vuc",
                                "dia_diem", "file", "sheet", "row"]


def test_entries_of_an_unknown_list_are_left_out(cat: Catalogue):
    tables = merge_lists(cat, [_entry("danh_sach_cu", "VP", 1, {"ten": "x"})])
    assert "danh_sach_cu" not in tables
    assert all(len(df) == 0 for df in tables.values())


def test_rows_from_a_sample_workbook_say_mau_whatever_the_unit_typed(cat: Catalogue):
    df = merge(cat, VALUES, samples=frozenset({"KHTC.xlsx"}))
    assert dict(zip(df["cell"], df["status"])) == {
        "E6": "Mẫu", "F6": "Mẫu", "E7": "Mẫu", "F9": "Mẫu", "E20": "Chính thức"}
    assert set(merge(cat, VALUES)["status"]) == {"Chính thức"}  # no sample: as typed


def test_a_sample_row_the_unit_marked_provisional_keeps_its_mark(cat: Catalogue):
    marked = [
        Value("KHTC", "chi_nsdp", "total", 2019, 900.0, "Ước tính", "", "KHTC.xlsx", "I.1",
              "M6", "h"),
        Value("KHTC", "chi_khcn", "total", 2019, 20.0, "Sơ bộ", "", "KHTC.xlsx", "I.1", "M9",
              "h"),
        Value("KHTC", "chi_khcn", "dtpt", 2019, 5.0, "", "", "KHTC.xlsx", "I.1", "M7", "h"),
        Value("KHTC", "chi_khcn", "su_nghiep", 2019, 15.0, "Chính thức", "", "KHTC.xlsx",
              "I.1", "M8", "h"),
    ]
    df = merge(cat, marked, samples=frozenset({"KHTC.xlsx"}))
    assert dict(zip(df["cell"], df["status"])) == {
        "M6": "Mẫu – Ước tính", "M9": "Mẫu – Sơ bộ", "M7": "Mẫu", "M8": "Mẫu"}
    assert dict(zip(merge(cat, marked)["cell"], merge(cat, marked)["status"])) == {
        "M6": "Ước tính", "M9": "Sơ bộ", "M7": "", "M8": "Chính thức"}  # no sample: as typed


def test_a_status_the_catalogue_does_not_know_is_not_kept_on_a_sample_row(cat: Catalogue):
    odd = [Value("KHTC", "chi_nsdp", "total", 2019, 900.0, "Tạm tính", "", "KHTC.xlsx", "I.1",
                 "M6", "h")]
    assert merge(cat, odd, samples=frozenset({"KHTC.xlsx"}))["status"].tolist() == ["Mẫu"]


@pytest.mark.parametrize(("status", "typed"), [
    ("Mẫu – Ước tính", "Ước tính"), ("Mẫu – Sơ bộ", "Sơ bộ"), ("Mẫu", ""),
    ("Sơ bộ", "Sơ bộ"), ("Chính thức", "Chính thức"), ("", "")])
def test_typed_status_is_what_the_unit_chose(status: str, typed: str):
    assert typed_status(status) == typed
