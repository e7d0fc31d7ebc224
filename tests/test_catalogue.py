"""The catalogue stage alone: templates/catalogue.yaml loads, matches the seed, and every
mistake an editor can make in it is reported with the YAML key to fix."""

from __future__ import annotations

import copy
import re

import pandas as pd
import pytest
import yaml

from pipeline.catalogue.formula import MissingInput, evaluate, parse_formula
from pipeline.catalogue.load import load_catalogue, parse_catalogue
from pipeline.catalogue.model import TOTAL, Catalogue
from pipeline.core.errors import CatalogueError
from pipeline.derive import derive
from pipeline.merge import MERGED_COLUMNS

from .conftest import CATALOGUE

_RAW = yaml.safe_load(CATALOGUE.read_text(encoding="utf-8"))


@pytest.fixture()
def raw() -> dict:
    """A private, editable copy of the parsed YAML document."""
    return copy.deepcopy(_RAW)


def _item(raw: dict, code: str) -> dict:
    return next(it for it in raw["items"] if it["code"] == code)


def _indicator(raw: dict, code: str) -> dict:
    return next(ind for it in raw["items"] for ind in it.get("indicators", [])
                if ind["code"] == code)


def _error(raw: dict) -> str:
    with pytest.raises(CatalogueError) as e:
        parse_catalogue(raw)
    return str(e.value)


# --- the real catalogue --------------------------------------------------------------------
def test_real_catalogue_has_the_nine_units_in_the_seeds_order(cat: Catalogue):
    assert [u.code for u in cat.units] == [
        "KHTC", "QLKH", "QLCN", "VP", "QLCS", "QLCNG", "TTRA", "TDC", "TTUD"]
    assert cat.unit_by_code["TTRA"].name == "Thanh tra Sở"
    assert all(u.name.strip() for u in cat.units)


def test_real_catalogue_items_in_seed_order_with_deadlines(cat: Catalogue):
    assert [it.code for it in cat.items] == [
        "I.1", "I.2", "I.3", "I.4", "I.5", "I.6", "I.7", "I.8", "I.9", "I.DG",
        "II.1", "II.2", "II.3", "II.4", "IV"]
    due = {it.code: it.due.isoformat() for it in cat.items}
    assert due.pop("I.1") == "2020-03-10"
    assert set(due.values()) == {"2020-03-25"}


def test_each_unit_owns_one_data_item(cat: Catalogue):
    owned = {u.code: [it.code for it in cat.data_items_of(u.code)] for u in cat.units}
    assert owned == {"KHTC": ["I.1"], "QLKH": ["I.2"], "QLCN": ["I.3"], "VP": ["I.4"],
                     "QLCS": ["I.5"], "QLCNG": ["I.6"], "TTRA": ["I.7"], "TDC": ["I.8"],
                     "TTUD": ["I.9"]}


def test_every_indicator_has_a_vietnamese_label_and_a_measure(cat: Catalogue):
    for code, ind in cat.indicator_by_code.items():
        assert ind.label.strip() and ind.label != code, code
        # Vietnamese text carries diacritics; a code or an English placeholder does not.
        assert re.search(r"[^\x00-\x7f]", ind.label), (code, ind.label)
        assert ind.measure.strip(), code
    for d in cat.derived:
        assert d.label.strip() and re.search(r"[^\x00-\x7f]", d.label), d.code
        assert d.measure.strip(), d.code


def test_every_actual_indicator_is_shown_in_a_table_of_its_own_item(cat: Catalogue):
    missing = []
    for item in cat.items:
        shown = {c.indicator for t in item.tables for c in t.columns if c.indicator}
        for ind in item.indicators:
            if ind.years in ("actual", "both") and ind.code not in shown:
                missing.append(f"{item.code}:{ind.code}")
    assert missing == []


def test_every_derived_indicator_parses_and_is_used(cat: Catalogue):
    used: set[str] = set()
    for item in cat.items:
        used |= {c.derived for t in item.tables for c in t.columns if c.derived}
        used |= {row.current for row in item.targets if row.current}
    for d in cat.derived:
        formula = parse_formula(d.formula)
        assert formula.refs, d.code
        used |= {code for code, _ in formula.refs}
    assert {d.code for d in cat.derived} <= used
    assert [d.code for d in cat.derived] == ["ty_le_chi_khcn", "chenh_lech_muc_2pct", "tang_tfp",
                                            "dong_gop_von", "dong_gop_lao_dong", "dong_gop_tfp"]


SEED_INDICATORS = [
    "chi_nsdp", "chi_khcn", "csvc_dien_tich", "csvc_phong_thi_nghiem", "csvc_thiet_bi",
    "nv_so_luong", "nv_linh_vuc", "da_trinh_do_cn", "grdp_tang", "von_tang", "lao_dong_tang",
    "dn_khcn", "tc_khcn", "tc_chuyen_dn", "shtt_don", "shtt_van_bang", "bx_co_so", "sang_kien",
    "tt_cuoc", "tdc_kiem_dinh", "ld_qua_dao_tao", "ld_bang_cap", "ld_trinh_do",
    "ld_co_cau_nganh", "sgd_giao_dich",
]


@pytest.mark.parametrize("code", SEED_INDICATORS)
def test_indicators_named_by_the_seed_exist(cat: Catalogue, code: str):
    assert code in cat.indicator_by_code


def test_csvc_indicators_are_the_facilities_of_item_i1(cat: Catalogue):
    csvc = [c for c in cat.indicator_by_code if c.startswith("csvc_")]
    assert csvc == ["csvc_dien_tich", "csvc_phong_thi_nghiem", "csvc_thiet_bi"]
    assert {cat.item_of_indicator[c].code for c in csvc} == {"I.1"}


def test_ld_trinh_do_is_broken_down_by_the_five_training_levels(cat: Catalogue):
    ind = cat.indicator_by_code["ld_trinh_do"]
    labels = [p.label.lower() for p in cat.parts_of(ind)]
    assert labels == ["sơ cấp", "trung cấp", "cao đẳng", "đại học", "trên đại học"]


def test_trained_labour_and_labour_with_certificates_are_separate_indicators(cat: Catalogue):
    trained = cat.indicator_by_code["ld_qua_dao_tao"]
    certified = cat.indicator_by_code["ld_bang_cap"]
    assert trained.label != certified.label
    assert "bằng cấp" in certified.label and "bằng cấp" not in trained.label
    # Each its own row, not a part of the other.
    assert trained.breakdown is None and certified.breakdown is None
    assert cat.item_of_indicator["ld_qua_dao_tao"].code == "I.9"
    assert cat.item_of_indicator["ld_bang_cap"].code == "I.9"
    targets = [row.indicator for row in next(it for it in cat.items if it.code == "II.3").targets]
    assert "ld_qua_dao_tao" in targets and "ld_bang_cap" in targets


# --- fingerprint ---------------------------------------------------------------------------
def test_fingerprint_is_stable_across_loads(cat: Catalogue):
    again = load_catalogue(CATALOGUE)
    assert re.fullmatch(r"[0-9a-f]{12}", again.fingerprint)
    assert again.fingerprint == cat.fingerprint == load_catalogue(CATALOGUE).fingerprint


def test_fingerprint_ignores_yaml_formatting_and_key_order(cat: Catalogue, raw: dict):
    reformatted = yaml.safe_dump(raw, allow_unicode=True, sort_keys=True, width=200)
    assert parse_catalogue(yaml.safe_load(reformatted)).fingerprint == cat.fingerprint


def test_fingerprint_changes_when_a_label_changes(cat: Catalogue, raw: dict):
    _indicator(raw, "chi_nsdp")["label"] = "Tổng chi ngân sách địa phương (quyết toán)"
    edited = parse_catalogue(raw)
    assert edited.fingerprint != cat.fingerprint
    assert edited.indicator_by_code["chi_nsdp"].label.endswith("(quyết toán)")


# --- schema and cross-reference errors -----------------------------------------------------
def test_bad_indicator_type_names_its_yaml_key(raw: dict):
    _indicator(raw, "grdp_tang")["type"] = "text"
    message = _error(raw)
    assert "items[I.3].indicators[grdp_tang].type" in message


def test_bad_indicator_type_lists_the_allowed_types_in_vietnamese(raw: dict):
    _indicator(raw, "grdp_tang")["type"] = "text"
    message = _error(raw)
    assert "items[I.3].indicators[grdp_tang].type: phải là một trong: 'number', 'integer'" \
        in message
    assert "'percent'" in message
    assert "Input should be" not in message  # pydantic's own sentence is replaced


def test_bad_indicator_type_message_has_no_english_connective(raw: dict):
    _indicator(raw, "grdp_tang")["type"] = "text"
    message = _error(raw)
    assert not re.search(r"\b(or|and)\b", message)
    assert "phải là một trong: 'number', 'integer' hoặc 'percent'" in message


def test_unknown_breakdown_is_reported_not_a_crash(raw: dict):
    # A typo in the breakdown of an indicator that a table lists by part.
    _indicator(raw, "chi_khcn")["breakdown"] = "nguon_chii"
    message = _error(raw)
    assert "items[I.1].indicators[chi_khcn].breakdown" in message
    assert "nguon_chii" in message


def test_unknown_breakdown_of_an_indicator_without_parts_in_tables(raw: dict):
    _indicator(raw, "tt_co_so")["breakdown"] = "khong_co"
    message = _error(raw)
    assert "items[I.7].indicators[tt_co_so].breakdown" in message


def test_item_of_an_unknown_unit_names_the_items_unit_key(raw: dict):
    _item(raw, "I.4")["unit"] = "XYZ"
    message = _error(raw)
    assert "items[I.4].unit" in message and "XYZ" in message


def test_table_column_of_a_missing_indicator_names_the_column(raw: dict):
    _item(raw, "I.4")["tables"][0]["columns"][0] = {"indicator": "bm_khong_co"}
    message = _error(raw)
    assert "items[I.4].tables[0].columns[0].indicator" in message
    assert "bm_khong_co" in message


def test_table_column_of_a_missing_part_names_the_column(raw: dict):
    _item(raw, "I.7")["tables"][0]["columns"][1] = {"indicator": "tt_cuoc", "part": "xu_phat"}
    message = _error(raw)
    assert "items[I.7].tables[0].columns[1].part" in message


def test_duplicate_unit_code_is_reported(raw: dict):
    raw["units"].append({"code": "VP", "name": "Văn phòng Sở (bản sao)"})
    message = _error(raw)
    assert "units" in message and "'VP'" in message and "trùng" in message


def test_a_catalogue_that_is_not_a_mapping_is_reported():
    with pytest.raises(CatalogueError, match="catalogue.yaml"):
        parse_catalogue(["not", "a", "mapping"])


# --- formulas ------------------------------------------------------------------------------
def _with_derived(raw: dict, code: str, formula: str) -> dict:
    raw["derived"].append({"code": code, "label": "Chỉ tiêu thử", "measure": "%",
                           "formula": formula})
    return raw


@pytest.mark.parametrize("formula", [
    "__import__('os').system('x')",
    "chi_nsdp ** 2",
    "open('f')",
    "chi_nsdp // 2",
    "(lambda: 1)()",
    "chi_nsdp if chi_nsdp else 0",
    "'2' + chi_nsdp",
    "chi_nsdp.__class__",
])
def test_unsafe_or_non_arithmetic_formula_is_rejected(raw: dict, formula: str):
    message = _error(_with_derived(raw, "thu_nghiem", formula))
    assert "derived[thu_nghiem].formula" in message


def test_formula_with_an_unknown_indicator_is_rejected(raw: dict):
    message = _error(_with_derived(raw, "thu_nghiem", "chi_khcn.total / chi_nsdpp * 100"))
    assert "derived[thu_nghiem].formula" in message and "chi_nsdpp" in message


def test_formula_with_an_unknown_part_is_rejected(raw: dict):
    message = _error(_with_derived(raw, "thu_nghiem", "chi_khcn.quoc_gia / chi_nsdp"))
    assert "derived[thu_nghiem].formula" in message and "quoc_gia" in message


def test_formula_may_not_use_a_later_derived_code(raw: dict):
    raw["derived"][0]["formula"] = "chenh_lech_muc_2pct + 2"  # defined after it
    assert "derived[ty_le_chi_khcn].formula" in _error(raw)


def test_evaluate_gives_the_hand_computed_value():
    formula = parse_formula("(chi_khcn.dtpt + chi_khcn.su_nghiep) / chi_nsdp * 100 - 2")
    values = {("chi_khcn", "dtpt"): 38_000.0, ("chi_khcn", "su_nghiep"): 52_600.0,
              ("chi_nsdp", TOTAL): 17_420_000.0}
    # 90 600 / 17 420 000 × 100 = 0,520092 %; minus 2 = -1,479908.
    assert evaluate(formula.tree, values.get) == pytest.approx(-1.479908, abs=1e-6)
    assert formula.refs == (("chi_khcn", "dtpt"), ("chi_khcn", "su_nghiep"),
                            ("chi_nsdp", TOTAL))
    assert evaluate(parse_formula("-chi_nsdp / 4 + 1").tree, values.get) == -4_354_999.0


def test_evaluate_raises_missing_input_for_a_missing_reference():
    formula = parse_formula("chi_khcn.total / chi_nsdp * 100")
    with pytest.raises(MissingInput) as e:
        evaluate(formula.tree, {("chi_khcn", TOTAL): 90_600.0}.get)
    assert e.value.ref == ("chi_nsdp", TOTAL) and not e.value.zero_division


def test_evaluate_raises_missing_input_on_a_zero_denominator():
    formula = parse_formula("chi_khcn.total / chi_nsdp * 100")
    with pytest.raises(MissingInput) as e:
        evaluate(formula.tree, {("chi_khcn", TOTAL): 90_600.0, ("chi_nsdp", TOTAL): 0.0}.get)
    assert e.value.zero_division and e.value.ref == ("chi_nsdp", TOTAL)


# --- a new derived indicator is a catalogue edit -------------------------------------------
def _merged_row(indicator: str, part: str, year: int, value: float, cell: str) -> dict:
    return {"unit": "KHTC", "unit_name": "Phòng Kế hoạch Tài chính", "item": "I.1",
            "indicator": indicator, "indicator_label": "", "breakdown": part,
            "breakdown_label": "", "measure": "triệu đồng", "year": year, "value": value,
            "status": "Chính thức", "note": "", "file": "KHTC.xlsx", "sheet": "I.1",
            "cell": cell, "file_hash": ""}


def test_a_new_derived_indicator_needs_only_a_catalogue_edit(raw: dict):
    raw["derived"].append({"code": "ty_le_dtpt", "label": "Tỷ trọng chi đầu tư phát triển "
                           "trong chi KH&CN", "measure": "%", "decimals": 1,
                           "formula": "chi_khcn.dtpt / chi_khcn.total * 100"})
    _item(raw, "I.1")["tables"][0]["columns"].append({"derived": "ty_le_dtpt"})
    cat = parse_catalogue(raw)
    assert "ty_le_dtpt" in cat.derived_by_code

    merged = pd.DataFrame([
        _merged_row("chi_khcn", "dtpt", 2019, 38_000.0, "M7"),
        _merged_row("chi_khcn", "su_nghiep", 2019, 52_600.0, "M8"),
        _merged_row("chi_khcn", TOTAL, 2019, 90_600.0, "M9"),
        _merged_row("chi_khcn", "dtpt", 2018, 30_000.0, "L7"),  # 2018: no total row
    ], columns=MERGED_COLUMNS)
    out = derive(cat, merged).yearly
    mine = out[out["derived"] == "ty_le_dtpt"].set_index("year")
    assert list(mine.index) == cat.years.actual
    # 38 000 / 90 600 × 100 = 41,9426 %.
    assert mine.loc[2019, "value"] == pytest.approx(41.942605, abs=1e-6)
    assert mine.loc[2019, "note"] == ""
    assert set(mine.loc[2019, "sources"]) == {"KHTC.xlsx › I.1!M7", "KHTC.xlsx › I.1!M9"}
    assert pd.isna(mine.loc[2018, "value"])
    assert mine.loc[2018, "note"] == "thiếu số liệu 'Chi ngân sách cho KH&CN' năm 2018"
