"""Unit tests of pipeline/catalogue/layout.py: row keys, list keys, the rows and year columns
of an item sheet, and the A1 address of a cell (checked by hand against templates/catalogue.yaml:
item I.1 has 11 year columns E-O, then P "Tính chất số liệu" and Q "Nguồn số liệu, ghi chú")."""

from __future__ import annotations

import pytest

from pipeline.catalogue.layout import (
    cell_of,
    form_rows,
    form_years,
    list_key,
    meta_cell,
    row_key,
    sheet_name,
    split_key,
)
from pipeline.catalogue.model import Catalogue, Item


def _item(cat: Catalogue, code: str) -> Item:
    return next(it for it in cat.items if it.code == code)


# --- keys ------------------------------------------------------------------------------------

def test_row_key_of_a_total_is_the_bare_indicator_code():
    assert row_key("chi_nsdp", "total") == "chi_nsdp"
    assert row_key("chi_khcn", "total") == "chi_khcn"


def test_row_key_of_a_part_is_dotted():
    assert row_key("chi_khcn", "dtpt") == "chi_khcn.dtpt"


def test_split_key_of_a_bare_code_gives_the_total_part():
    assert split_key("chi_nsdp") == ("chi_nsdp", "total")


def test_split_key_of_a_dotted_key_gives_the_part():
    assert split_key("nv_so_luong.quoc_gia") == ("nv_so_luong", "quoc_gia")


def test_split_key_splits_at_the_first_dot_only():
    assert split_key("a.b.c") == ("a", "b.c")


def test_split_key_of_a_trailing_dot_is_the_total():
    assert split_key("chi_khcn.") == ("chi_khcn", "total")


@pytest.mark.parametrize(("indicator", "part"), [("chi_khcn", "dtpt"), ("chi_nsdp", "total"),
                                                 ("ld_trinh_do", "tren_dai_hoc")])
def test_split_key_undoes_row_key(indicator: str, part: str):
    assert split_key(row_key(indicator, part)) == (indicator, part)


def test_list_key_joins_list_and_column_with_a_dot():
    assert list_key("du_an", "dien_tich") == "du_an.dien_tich"


def test_meta_cell_is_in_column_c_from_row_4():
    assert meta_cell("ma_don_vi") == "C4"
    assert meta_cell("ten_don_vi") == "C5"
    assert meta_cell("ngay_gui") == "C13"


def test_meta_cell_of_an_unknown_key_is_an_error():
    with pytest.raises(ValueError):
        meta_cell("khong_co")


# --- the rows and years of an item sheet ------------------------------------------------------

def test_sheet_name_is_the_item_code(cat: Catalogue):
    assert sheet_name(_item(cat, "I.1")) == "I.1"
    assert sheet_name(_item(cat, "I.DG")) == "I.DG"


def test_form_rows_of_item_i1_by_hand(cat: Catalogue):
    rows = form_rows(cat, _item(cat, "I.1"))
    assert [(r.key, r.part, r.part_label) for r in rows] == [
        ("chi_nsdp", "total", ""),
        ("chi_khcn.dtpt", "dtpt", "Chi đầu tư phát triển"),
        ("chi_khcn.su_nghiep", "su_nghiep", "Chi sự nghiệp KH&CN"),
        ("chi_khcn", "total", "Tổng số"),
        ("ty_le_chi_khcn_muc_tieu", "total", ""),
        ("csvc_dien_tich", "total", ""),
        ("csvc_phong_thi_nghiem", "total", ""),
        ("csvc_thiet_bi", "total", ""),
    ]


def test_form_rows_carry_their_indicator(cat: Catalogue):
    rows = form_rows(cat, _item(cat, "I.1"))
    assert rows[1].indicator.code == "chi_khcn"
    assert rows[1].indicator.label == "Chi ngân sách cho KH&CN"
    assert rows[0].indicator.measure == "triệu đồng"


def test_a_breakdown_without_total_has_no_total_row(cat: Catalogue):
    keys = [r.key for r in form_rows(cat, _item(cat, "I.2"))]
    assert "nv_linh_vuc" not in keys
    assert keys[4:10] == ["nv_linh_vuc.nong_nghiep", "nv_linh_vuc.y_te_moi_truong",
                          "nv_linh_vuc.thong_tin", "nv_linh_vuc.nang_luong",
                          "nv_linh_vuc.xa_hoi_nhan_van", "nv_linh_vuc.cmcn4"]
    assert len(keys) == 15


def test_a_narrative_only_item_has_no_form_rows(cat: Catalogue):
    assert form_rows(cat, _item(cat, "IV")) == []


def test_form_years_of_an_item_with_target_indicators(cat: Catalogue):
    assert form_years(cat, _item(cat, "I.1")) == [2011, 2012, 2013, 2014, 2015, 2016, 2017,
                                                  2018, 2019, 2025, 2030]


def test_form_years_of_an_item_with_actual_years_only(cat: Catalogue):
    assert form_years(cat, _item(cat, "I.2")) == [2011, 2012, 2013, 2014, 2015, 2016, 2017,
                                                  2018, 2019]


def test_form_years_of_an_item_without_indicators_is_empty(cat: Catalogue):
    assert form_years(cat, _item(cat, "II.1")) == []


# --- cell_of ---------------------------------------------------------------------------------

def test_cell_of_the_first_value_of_the_form(cat: Catalogue):
    assert cell_of(cat, "chi_nsdp", 2011) == ("I.1", 6, "E6")


def test_cell_of_a_total_row_of_a_breakdown(cat: Catalogue):
    # chi_khcn (total) is the 4th row (6, 7, 8, 9); 2019 is the 9th year column (E..M).
    assert cell_of(cat, "chi_khcn", 2019) == ("I.1", 9, "M9")


def test_cell_of_a_target_year(cat: Catalogue):
    # ty_le_chi_khcn_muc_tieu: 5th row; 2030 is the 11th year column (O).
    assert cell_of(cat, "ty_le_chi_khcn_muc_tieu", 2030) == ("I.1", 10, "O10")


def test_cell_of_without_a_year_is_the_note_cell(cat: Catalogue):
    # I.1: years E-O, status P, note Q.
    assert cell_of(cat, "chi_khcn.su_nghiep") == ("I.1", 8, "Q8")


def test_cell_of_the_note_in_an_item_with_nine_years(cat: Catalogue):
    # I.2: years E-M, status N, note O; nv_ung_dung is the 15th row.
    assert cell_of(cat, "nv_ung_dung", None) == ("I.2", 20, "O20")


def test_cell_of_a_part_of_another_unit(cat: Catalogue):
    assert cell_of(cat, "nv_so_luong.tinh", 2012) == ("I.2", 7, "F7")


def test_cell_of_an_unknown_indicator_is_a_key_error(cat: Catalogue):
    with pytest.raises(KeyError):
        cell_of(cat, "khong_co", 2011)


def test_cell_of_a_year_the_form_does_not_ask_is_a_value_error(cat: Catalogue):
    with pytest.raises(ValueError):
        cell_of(cat, "nv_ung_dung", 2030)


def test_cell_of_a_part_the_indicator_does_not_have_is_a_value_error(cat: Catalogue):
    with pytest.raises(ValueError):
        cell_of(cat, "chi_khcn.khong_co", 2011)
