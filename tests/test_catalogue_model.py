"""Unit tests of pipeline/catalogue/model.py: the Catalogue's lookups and helpers (against
values typed by hand from templates/catalogue.yaml) and the models' own checks and defaults."""

from __future__ import annotations

import datetime as dt

import pytest
import yaml
from pydantic import BaseModel, ValidationError

from pipeline.catalogue import model
from pipeline.catalogue.model import (
    Catalogue,
    ColumnRef,
    Indicator,
    ListColumn,
    ListInput,
    Part,
)

from .conftest import CATALOGUE


def _codes(items) -> list[str]:
    return [x.code for x in items]


# --- lookups ---------------------------------------------------------------------------------

def test_item_of_indicator(cat: Catalogue):
    assert cat.item_of_indicator["chi_nsdp"].code == "I.1"
    assert cat.item_of_indicator["nv_ung_dung"].code == "I.2"
    assert cat.item_of_indicator["dn_khcn"].code == "I.3"


def test_indicator_by_code(cat: Catalogue):
    ind = cat.indicator_by_code["grdp_tang"]
    assert ind.label == "Tốc độ tăng GRDP (giá so sánh)"
    assert ind.measure == "%"
    assert ind.min == -50


def test_unit_by_code(cat: Catalogue):
    assert cat.unit_by_code["TTUD"].name == "Trung tâm Ứng dụng KH&CN"
    assert cat.unit_by_code["KHTC"].name == "Phòng Kế hoạch Tài chính"
    assert "XYZ" not in cat.unit_by_code


def test_derived_by_code(cat: Catalogue):
    d = cat.derived_by_code["ty_le_chi_khcn"]
    assert d.formula == "chi_khcn.total / chi_nsdp * 100"
    assert d.label == "Tỷ lệ chi KH&CN trong tổng chi NSĐP"
    assert d.decimals == 2
    assert d.period == "inputs"


def test_list_by_code(cat: Catalogue):
    li = cat.list_by_code["du_an"]
    assert li.sheet == "DS dự án"
    assert li.unit == "all"
    assert li.land_demand is not None
    assert li.land_demand.area == "dien_tich"


def test_period_lookup(cat: Catalogue):
    assert set(cat.period_by_code) == {"2011-2015", "2016-2019"}
    p = cat.period_by_code["2016-2019"]
    assert (p.first, p.last) == (2016, 2019)
    assert cat.period_by_code["2011-2015"].first == 2011


def test_part_titles(cat: Catalogue):
    assert cat.part_titles["I"] == "ĐÁNH GIÁ THỰC TRẠNG KH&CN TỈNH BẮC GIANG GIAI ĐOẠN 2011-2019"
    assert cat.part_titles["IV"] == ("NHIỆM VỤ, GIẢI PHÁP CHỦ YẾU VÀ CƠ CHẾ, CHÍNH SÁCH PHÁT "
                                     "TRIỂN KH&CN")
    assert set(cat.part_titles) == {"I", "II", "IV"}


def test_header_fields(cat: Catalogue):
    assert cat.place == "Bắc Giang"
    assert cat.chapter_date == dt.date(2020, 3, 25)
    assert cat.parameters == {"b_k": 0.35}
    assert cat.data_status == ["Chính thức", "Ước tính", "Sơ bộ"]


# --- items and lists of a unit ---------------------------------------------------------------

def test_data_items_of_a_unit_is_its_own_item(cat: Catalogue):
    assert _codes(cat.data_items_of("KHTC")) == ["I.1"]
    assert _codes(cat.data_items_of("TTUD")) == ["I.9"]


def test_data_items_of_an_unknown_unit_is_empty(cat: Catalogue):
    assert cat.data_items_of("XYZ") == []


def test_items_of_adds_the_narrative_items_every_unit_writes(cat: Catalogue):
    narrative = ["I.DG", "II.1", "II.2", "II.3", "II.5", "II.4", "IV"]
    assert _codes(cat.items_of("KHTC")) == ["I.1", *narrative]
    assert _codes(cat.items_of("QLKH")) == ["I.2", *narrative]


def test_lists_of_a_unit_are_its_own_and_the_shared_ones(cat: Catalogue):
    assert _codes(cat.lists_of("VP")) == ["co_so_qlnn", "du_an", "ke_hoach_tuan"]
    assert _codes(cat.lists_of("QLCS")) == ["co_so_cong_lap", "du_an", "to_chuc_khcn",
                                            "ke_hoach_tuan"]
    assert _codes(cat.lists_of("KHTC")) == ["du_an", "ke_hoach_tuan"]


# --- parts, years, labels ----------------------------------------------------------------------

def test_parts_of_an_indicator_without_breakdown_is_one_unlabelled_total(cat: Catalogue):
    assert cat.parts_of(cat.indicator_by_code["chi_nsdp"]) == [Part(code="total", label="")]


def test_parts_of_a_breakdown_with_total_end_with_tong_so(cat: Catalogue):
    parts = cat.parts_of(cat.indicator_by_code["chi_khcn"])
    assert [(p.code, p.label) for p in parts] == [
        ("dtpt", "Chi đầu tư phát triển"),
        ("su_nghiep", "Chi sự nghiệp KH&CN"),
        ("total", "Tổng số"),
    ]


def test_parts_of_a_breakdown_without_total(cat: Catalogue):
    parts = cat.parts_of(cat.indicator_by_code["nv_linh_vuc"])
    assert _codes(parts) == ["nong_nghiep", "y_te_moi_truong", "thong_tin", "nang_luong",
                             "xa_hoi_nhan_van", "cmcn4"]


def test_parts_of_does_not_change_the_catalogues_breakdown(cat: Catalogue):
    cat.parts_of(cat.indicator_by_code["chi_khcn"])
    cat.parts_of(cat.indicator_by_code["chi_khcn"])
    assert _codes(cat.breakdowns["nguon_chi"]) == ["dtpt", "su_nghiep"]


def test_parts_of_an_unknown_breakdown_is_empty(cat: Catalogue):
    ind = Indicator(code="x", label="X", measure="người", nature="stock",
                    breakdown="khong_co")
    assert cat.parts_of(ind) == []


def test_years_of_actual_target_and_both(cat: Catalogue):
    actual = [2011, 2012, 2013, 2014, 2015, 2016, 2017, 2018, 2019]
    assert cat.years_of(cat.indicator_by_code["chi_nsdp"]) == actual
    assert cat.years_of(cat.indicator_by_code["ty_le_chi_khcn_muc_tieu"]) == [2025, 2030]
    assert cat.years_of(cat.indicator_by_code["ld_qua_dao_tao"]) == [*actual, 2025, 2030]


def test_years_of_is_a_copy(cat: Catalogue):
    years = cat.years_of(cat.indicator_by_code["chi_nsdp"])
    years.append(2099)
    assert cat.years.actual[-1] == 2019


def test_row_label_of_a_single_row_is_the_label(cat: Catalogue):
    assert cat.row_label("chi_nsdp", "total") == "Tổng chi ngân sách địa phương"


def test_row_label_of_a_part_and_of_the_total_of_a_breakdown(cat: Catalogue):
    assert cat.row_label("chi_khcn", "dtpt") == "Chi ngân sách cho KH&CN – Chi đầu tư phát triển"
    assert cat.row_label("chi_khcn", "total") == "Chi ngân sách cho KH&CN – Tổng số"


def test_row_label_of_an_unknown_code_is_the_code(cat: Catalogue):
    assert cat.row_label("chi_cu_khong_con", "total") == "chi_cu_khong_con"


def test_row_label_of_an_unknown_part_is_the_indicator_label(cat: Catalogue):
    assert cat.row_label("chi_khcn", "khong_co") == "Chi ngân sách cho KH&CN"


def test_part_label(cat: Catalogue):
    assert cat.part_label("nv_so_luong", "tinh") == "Cấp tỉnh"
    assert cat.part_label("nv_so_luong", "total") == "Tổng số"
    assert cat.part_label("chi_nsdp", "total") == ""


def test_part_label_of_an_unknown_part_is_a_key_error(cat: Catalogue):
    with pytest.raises(KeyError):
        cat.part_label("nv_so_luong", "khong_co")


# --- Indicator: nature and period, defaults ------------------------------------------------------

def test_period_method_of_the_real_indicators(cat: Catalogue):
    by = cat.indicator_by_code
    assert by["chi_nsdp"].period_method == "sum"  # flow
    assert by["dn_khcn"].period_method == "last"  # stock, cumulative
    assert by["bx_co_so"].period_method == "last"  # stock: licensed facilities, not summed
    assert by["tk_csdl"].period_method == "last"  # stock: records in the database
    assert by["nv_so_luong"].period_method == "none"  # in_progress: never summed
    assert by["grdp_tang"].period_method == "growth_mean"  # rate, declared
    assert by["ld_qua_dao_tao"].period_method == "last"  # ratio, declared
    assert by["da_cn_tien_tien"].period_method == "mean"  # ratio, declared


def _ind(**fields: object) -> Indicator:
    return Indicator.model_validate({"code": "x", "label": "Chỉ tiêu", "measure": "cơ sở",
                                     **fields})


@pytest.mark.parametrize(("fields", "method"), [
    ({"nature": "flow"}, "sum"),
    ({"nature": "stock"}, "last"),
    ({"nature": "stock", "period": "last"}, "last"),  # the implied one may be written
    ({"nature": "stock", "cumulative": True}, "last"),
    ({"nature": "in_progress"}, "none"),
    ({"nature": "rate", "type": "percent", "period": "growth_mean"}, "growth_mean"),
    ({"nature": "rate", "type": "percent", "period": "mean"}, "mean"),
    ({"nature": "ratio", "type": "percent", "period": "mean"}, "mean"),
    ({"nature": "ratio", "type": "percent", "period": "last"}, "last"),
])
def test_period_method_follows_the_nature(fields, method):
    assert _ind(**fields).period_method == method


def test_nature_names_and_period_methods_in_vietnamese():
    assert model.NATURE_VI == {
        "flow": "số phát sinh trong năm", "stock": "số hiện có cuối năm",
        "rate": "tốc độ tăng", "ratio": "tỷ lệ, cơ cấu",
        "in_progress": "số đang thực hiện trong năm"}
    assert model.PERIOD_METHOD_VI["none"] == "không cộng qua các năm"


def _refused(**fields: object) -> str:
    with pytest.raises(ValidationError) as e:
        _ind(**fields)
    [err] = e.value.errors()
    return str(err["ctx"]["error"]) if err["type"] == "value_error" else err["type"]


def test_an_indicator_without_nature_is_refused():
    assert _refused() == "missing"


def test_an_unknown_nature_is_refused():
    assert _refused(nature="level") == "literal_error"


def test_a_rate_without_period_is_refused():
    assert _refused(nature="rate", type="percent") == (
        "chỉ tiêu nature: rate (tốc độ tăng) cần khóa 'period' (mean | growth_mean | last): số "
        "của giai đoạn là bình quân các năm (mean), tốc độ tăng bình quân (growth_mean) hay số "
        "năm cuối giai đoạn (last); hãy thêm dòng 'period:'")


def test_a_ratio_without_period_is_refused():
    assert _refused(nature="ratio", type="percent").startswith(
        "chỉ tiêu nature: ratio (tỷ lệ, cơ cấu) cần khóa 'period'")


def test_a_ratio_may_not_average_growth():
    assert _refused(nature="ratio", type="percent", period="growth_mean") == (
        "chỉ tiêu nature: ratio (tỷ lệ, cơ cấu): 'period: growth_mean' chỉ dùng cho tốc độ "
        "tăng (nature: rate); hãy ghi 'period: mean' hoặc 'period: last'")


def test_a_flow_may_not_declare_a_period():
    assert _refused(nature="flow", period="last") == (
        "chỉ tiêu nature: flow (số phát sinh trong năm) không khai báo 'period': số của giai "
        "đoạn luôn là tổng các năm; hãy xóa dòng 'period'")


def test_a_stock_may_not_declare_a_mean():
    assert _refused(nature="stock", period="mean") == (
        "chỉ tiêu nature: stock (số hiện có cuối năm) không khai báo 'period': số của giai "
        "đoạn luôn là số năm cuối giai đoạn; hãy xóa dòng 'period'")


def test_tasks_in_progress_may_not_declare_a_period():
    assert _refused(nature="in_progress", period="last") == (
        "chỉ tiêu nature: in_progress (số đang thực hiện trong năm) không khai báo 'period': "
        "số của giai đoạn luôn là không cộng qua các năm; hãy xóa dòng 'period'")


def test_sum_may_not_be_declared():
    # A flow sums by its nature; nothing else may.
    assert _refused(nature="ratio", type="percent", period="sum") == "literal_error"


def test_cumulative_goes_with_a_stock_only():
    assert _refused(nature="flow", cumulative=True) == (
        "'cumulative: true' (số lũy kế, không giảm qua các năm) chỉ dùng với nature: stock "
        "(số hiện có cuối năm), chỉ tiêu này là nature: flow (số phát sinh trong năm); hãy "
        "sửa 'nature' hoặc xóa dòng 'cumulative'")
    assert _refused(nature="in_progress", cumulative=True).startswith(
        "'cumulative: true' (số lũy kế")


def test_a_percent_is_a_rate_or_a_ratio():
    assert _refused(nature="flow", type="percent", measure="%") == (
        "'type: percent' chỉ dùng với nature: rate (tốc độ tăng) hoặc ratio (tỷ lệ, cơ cấu), "
        "chỉ tiêu này là nature: flow (số phát sinh trong năm); hãy sửa 'nature' hoặc 'type'")


def test_every_real_indicator_declares_its_nature_in_the_yaml():
    # No default exists; this checks the file itself, not the model's fields.
    raw = yaml.safe_load(CATALOGUE.read_text(encoding="utf-8"))
    natures = {ind["code"]: ind.get("nature") for it in raw["items"]
               for ind in it.get("indicators", [])}
    assert [code for code, n in natures.items() if n is None] == []
    assert natures["bx_co_so"] == "stock" and natures["tk_csdl"] == "stock"
    assert [c for c, n in natures.items() if n == "in_progress"] == ["nv_so_luong",
                                                                     "nv_linh_vuc"]


def test_range_of_a_plain_number_is_zero_and_up():
    ind = Indicator(code="x", label="X", measure="người", nature="stock")
    assert ind.low == 0.0
    assert ind.high is None


def test_range_of_a_percent_is_zero_to_hundred():
    ind = Indicator(code="x", label="X", measure="%", nature="ratio", type="percent",
                    period="mean")
    assert (ind.low, ind.high) == (0.0, 100.0)


def test_declared_range_wins(cat: Catalogue):
    g = cat.indicator_by_code["grdp_tang"]
    assert (g.low, g.high) == (-50, 100)
    assert cat.indicator_by_code["chi_nsdp"].high == 100_000_000


def test_indicator_code_must_be_lower_snake_case():
    with pytest.raises(ValidationError):
        Indicator(code="Chi-NSDP", label="X", measure="người", nature="flow")


def test_indicator_is_frozen():
    ind = Indicator(code="x", label="X", measure="người", nature="flow")
    with pytest.raises(ValidationError):
        ind.label = "Y"  # type: ignore[misc]


def test_list_column_low_defaults_to_zero():
    assert ListColumn(code="a", label="A", type="number").low == 0.0
    assert ListColumn(code="a", label="A", type="integer", min=1945).low == 1945


# --- ColumnRef and ListInput checks ------------------------------------------------------------

def test_column_ref_needs_an_indicator_or_a_derived_code():
    with pytest.raises(ValidationError) as e:
        ColumnRef()
    assert "cần đúng một trong hai khóa 'indicator' hoặc 'derived'" in str(e.value)


def test_column_ref_may_not_have_both():
    with pytest.raises(ValidationError):
        ColumnRef(indicator="chi_nsdp", derived="ty_le_chi_khcn")


def test_column_ref_part_goes_with_an_indicator_only():
    assert ColumnRef(indicator="chi_khcn", part="dtpt").part == "dtpt"
    with pytest.raises(ValidationError) as e:
        ColumnRef(derived="ty_le_chi_khcn", part="dtpt")
    assert "'part' chỉ dùng với 'indicator'" in str(e.value)


def _list_input(**land: str) -> ListInput:
    return ListInput(
        code="du_an", title="Dự án", sheet="DS dự án", item="II.4", unit="all",
        columns=[ListColumn(code="ten", label="Tên"),
                 ListColumn(code="dia_diem", label="Địa điểm"),
                 ListColumn(code="dien_tich", label="Diện tích", type="number"),
                 ListColumn(code="loai_dat", label="Loại đất")],
        land_demand=land or None)


def test_land_demand_with_existing_columns_is_accepted():
    li = _list_input(place="dia_diem", area="dien_tich", land_type="loai_dat")
    assert li.land_demand is not None
    assert li.land_demand.place == "dia_diem"


def test_land_demand_naming_a_missing_column_is_refused():
    with pytest.raises(ValidationError) as e:
        _list_input(place="huyen", area="dien_tich", land_type="loai_dat")
    assert "land_demand.place: không có cột 'huyen'" in str(e.value)


def test_land_demand_area_must_be_a_number_column():
    with pytest.raises(ValidationError) as e:
        _list_input(place="dia_diem", area="ten", land_type="loai_dat")
    assert "land_demand.area: cột 'ten' phải là số" in str(e.value)


def test_a_catalogue_without_a_part_title_is_refused(cat: Catalogue):
    data = cat.model_dump()
    data["part_titles"] = {"I": "Phần I", "II": "Phần II"}
    with pytest.raises(ValidationError) as e:
        Catalogue.model_validate(data)
    assert "thiếu tên của phần IV" in str(e.value)


# --- unknown keys (issue 15) ---------------------------------------------------------------------

def _models() -> list[type[BaseModel]]:
    return [m for m in vars(model).values()
            if isinstance(m, type) and issubclass(m, BaseModel) and m.__module__ == model.__name__]


def test_every_model_of_the_catalogue_refuses_keys_it_does_not_know():
    # A misspelt key ("maxx") must be an error, never a default silently kept: load.py then
    # names the key and its line.
    models = _models()
    assert {"Catalogue", "Item", "Indicator", "Table", "Chart", "ListInput", "Rule"} <= {
        m.__name__ for m in models}
    assert [m.__name__ for m in models if m.model_config.get("extra") != "forbid"] == []


def test_an_unknown_key_is_an_extra_forbidden_error_at_its_location():
    with pytest.raises(ValidationError) as e:
        Indicator(code="x", label="Chỉ tiêu", measure="%", nature="flow",
                  maxx=3)  # type: ignore[call-arg]
    [err] = e.value.errors()
    assert (err["type"], err["loc"]) == ("extra_forbidden", ("maxx",))
