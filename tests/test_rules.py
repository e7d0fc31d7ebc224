"""rules.py alone: declared rules and built-in checks over small hand-made lists of values.

Each value carries the file, sheet and cell it would have in the unit's real form, so the
tests can check where a finding points.
"""

from __future__ import annotations

import copy
import math

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl.utils import get_column_letter

from pipeline.catalogue.layout import FIRST_YEAR_COL, cell_of, row_key
from pipeline.catalogue.load import parse_catalogue
from pipeline.catalogue.model import TOTAL, Catalogue
from pipeline.core.errors import CatalogueError
from pipeline.core.findings import Finding, Severity
from pipeline.core.records import Value
from pipeline.validate.rules import check_all

from .conftest import CATALOGUE

_RAW = yaml.safe_load(CATALOGUE.read_text(encoding="utf-8"))
_CAT = parse_catalogue(copy.deepcopy(_RAW), CATALOGUE.name)  # for Hypothesis (no fixtures)
RULE = "thu_nghiem"  # code of the rules the tests add to the catalogue


# --- helpers -------------------------------------------------------------------------------
def _place(cat: Catalogue, indicator: str, part: str, year: int) -> tuple[str, str]:
    """(sheet, A1) of an indicator part and year in its unit's form."""
    return cell_of(cat, row_key(indicator, part), year)[::2]


def val(cat: Catalogue, key: str, year: int, value: float) -> Value:
    """A Value for row key `key` ('indicator' or 'indicator.part'), as validate would pass it."""
    indicator, _, part = key.partition(".")
    part = part or TOTAL
    unit = cat.item_of_indicator[indicator].unit
    sheet, cell = _place(cat, indicator, part, year)
    return Value(unit=unit, indicator=indicator, breakdown=part, year=year, value=float(value),
                 status="Chính thức", note="", file=f"{unit}_so_lieu.xlsx", sheet=sheet,
                 cell=cell, file_hash="0" * 64)


def vals(cat: Catalogue, table: dict[str, dict[int, float]]) -> list[Value]:
    return [val(cat, key, year, v) for key, series in table.items()
            for year, v in series.items()]


def series(cat: Catalogue, key: str, numbers: list[float], first: int = 2011) -> list[Value]:
    return [val(cat, key, first + i, v) for i, v in enumerate(numbers)]


def of(findings: list[Finding], code: str) -> list[Finding]:
    return [f for f in findings if f.code == code]


def mine(findings: list[Finding]) -> list[Finding]:
    """Findings of the rule the test added (the real rules may fire on the same values)."""
    return [f for f in findings if f.code == "rule_failed" and f.indicator == RULE]


def with_rule(**rule: object) -> Catalogue:
    """The real catalogue with one more rule: a catalogue edit, no Python change."""
    raw = copy.deepcopy(_RAW)
    raw["rules"].append({"code": RULE, "instruction": "Hãy kiểm tra lại hai dòng.", **rule})
    return parse_catalogue(raw)


def with_edit(edit) -> Catalogue:
    raw = copy.deepcopy(_RAW)
    edit(raw)
    return parse_catalogue(raw)


def _indicator(raw: dict, code: str) -> dict:
    return next(ind for it in raw["items"] for ind in it.get("indicators", [])
                if ind["code"] == code)


# --- the declared rules of the real catalogue ------------------------------------------------
TRINH_DO = ["so_cap", "trung_cap", "cao_dang", "dai_hoc", "tren_dai_hoc"]
NGANH = ["nong_lam_thuy_san", "cong_nghiep_xay_dung", "dich_vu"]


def _parts(ind: str, parts: list[str], numbers: list[float], year: int) -> dict:
    return {f"{ind}.{p}": {year: n} for p, n in zip(parts, numbers)}


# rule code, violating values, satisfying values, year, first left key, severity,
# left label, left text, right label, right text, op text
DECLARED = [
    ("chi_khcn_trong_tong_chi",
     {"chi_khcn.total": {2015: 9_876_543.5}, "chi_nsdp": {2015: 8_765_432}},
     {"chi_khcn.total": {2015: 87_654.5}, "chi_nsdp": {2015: 8_765_432}},
     2015, "chi_khcn.total", Severity.ERROR,
     "Chi ngân sách cho KH&CN", "9.876.543,5", "Tổng chi ngân sách địa phương", "8.765.432",
     "nhỏ hơn hoặc bằng"),
    # The two labour ratios never swapped: with a bachelor's share above the trained share,
    # the rows were typed the wrong way round.
    ("bang_cap_trong_qua_dao_tao",
     {"ld_bang_cap": {2018: 62.5}, "ld_qua_dao_tao": {2018: 24.7}},
     {"ld_bang_cap": {2018: 24.7}, "ld_qua_dao_tao": {2018: 62.5}},
     2018, "ld_bang_cap", Severity.ERROR,
     "Tỷ lệ lao động qua đào tạo có bằng cấp, chứng chỉ", "62,5",
     "Tỷ lệ lao động qua đào tạo", "24,7", "nhỏ hơn hoặc bằng"),
    # Parts 21,1 against 20: beyond the tolerance of 0,5; parts 20,5: within it.
    ("trinh_do_trong_bang_cap",
     {**_parts("ld_trinh_do", TRINH_DO, [2, 5, 4.5, 8, 1.6], 2017), "ld_bang_cap": {2017: 20}},
     {**_parts("ld_trinh_do", TRINH_DO, [2, 5, 4, 8, 1.5], 2017), "ld_bang_cap": {2017: 20}},
     2017, "ld_trinh_do.so_cap", Severity.WARNING,
     "Tổng các tỷ lệ theo trình độ", "21,1",
     "Tỷ lệ lao động qua đào tạo có bằng cấp, chứng chỉ", "20", "nhỏ hơn hoặc bằng"),
    # 99,4% is more than 0,5 below 100; 99,6% is within the tolerance.
    ("co_cau_nganh_du_100",
     _parts("ld_co_cau_nganh", NGANH, [30.2, 24.8, 44.4], 2016),
     _parts("ld_co_cau_nganh", NGANH, [30.2, 24.8, 44.6], 2016),
     2016, "ld_co_cau_nganh.nong_lam_thuy_san", Severity.WARNING,
     "Tổng cơ cấu lao động ba ngành", "99,4", "100", "100", "bằng"),
    ("vi_pham_trong_so_duoc_kiem_tra",
     {"tt_vi_pham": {2013: 1_204}, "tt_co_so": {2013: 1_180}},
     {"tt_vi_pham": {2013: 1_180}, "tt_co_so": {2013: 1_180}},
     2013, "tt_vi_pham", Severity.ERROR,
     "Số cơ sở vi phạm bị xử lý", "1.204", "Số cơ sở được thanh tra, kiểm tra", "1.180",
     "nhỏ hơn hoặc bằng"),
    ("ung_dung_trong_so_nhiem_vu",
     {"nv_ung_dung": {2019: 31}, "nv_so_luong.total": {2019: 27}},
     {"nv_ung_dung": {2019: 12}, "nv_so_luong.total": {2019: 27}},
     2019, "nv_ung_dung", Severity.WARNING,
     "Số nhiệm vụ có kết quả được ứng dụng vào sản xuất, đời sống", "31",
     "Số nhiệm vụ KH&CN triển khai", "27", "nhỏ hơn hoặc bằng"),
]


def test_the_table_covers_every_declared_rule(cat: Catalogue):
    assert sorted(r.code for r in cat.rules) == sorted(case[0] for case in DECLARED)


@pytest.mark.parametrize(
    ("code", "bad", "good", "year", "left_key", "severity", "left_label", "left", "right_label",
     "right", "op_text"), DECLARED, ids=[case[0] for case in DECLARED])
def test_declared_rule_fires_on_violation_only(cat: Catalogue, code, bad, good, year, left_key,
                                               severity, left_label, left, right_label, right,
                                               op_text):
    rule = next(r for r in cat.rules if r.code == code)
    assert rule.importance == {Severity.ERROR: "loi", Severity.WARNING: "canh_bao"}[severity]

    found = of(check_all(cat, vals(cat, bad)), "rule_failed")

    assert len(found) == 1, [f.line() for f in found]
    f = found[0]
    anchor = val(cat, left_key, year, 0)
    assert (f.code, f.severity, f.indicator, f.year) == ("rule_failed", severity, code, year)
    assert (f.file, f.sheet, f.cell, f.unit) == (anchor.file, anchor.sheet, anchor.cell,
                                                 anchor.unit)
    assert f.value == left
    assert f.message == (f"Năm {year}: {left_label} = {left} nhưng {right_label} = {right}; "
                         f"cần {left_label} {op_text} {right_label}. {rule.instruction}")
    assert rule.instruction.strip() and rule.instruction in f.message

    assert of(check_all(cat, vals(cat, good)), "rule_failed") == []


def test_anchor_cells_are_real_form_cells(cat: Catalogue):
    # The helper's addresses: chi_khcn.total of 2015 in sheet I.1, a year column of its row.
    v = val(cat, "chi_khcn.total", 2015, 1)
    assert (v.sheet, v.file, v.unit) == ("I.1", "KHTC_so_lieu.xlsx", "KHTC")
    assert v.cell != val(cat, "chi_nsdp", 2015, 1).cell
    assert v.cell[0] == get_column_letter(FIRST_YEAR_COL + 4)


def test_declared_rule_checks_every_year_separately(cat: Catalogue):
    values = vals(cat, {"tt_vi_pham": {2011: 3, 2012: 9, 2013: 4, 2014: 12},
                        "tt_co_so": {2011: 5, 2012: 8, 2013: 4, 2014: 10}})
    found = of(check_all(cat, values), "rule_failed")
    assert [(f.year, f.value) for f in found] == [(2012, "9"), (2014, "12")]
    assert [f.cell for f in found] == [val(cat, "tt_vi_pham", y, 0).cell for y in (2012, 2014)]


def test_labour_rule_checks_target_years_too(cat: Catalogue):
    values = vals(cat, {"ld_bang_cap": {2030: 70.0}, "ld_qua_dao_tao": {2030: 35.0}})
    found = of(check_all(cat, values), "rule_failed")
    assert [(f.indicator, f.year, f.value) for f in found] == [
        ("bang_cap_trong_qua_dao_tao", 2030, "70")]


def test_declared_rule_is_skipped_when_one_side_is_missing(cat: Catalogue):
    # The default strategy of the real rules: skip_if_any_missing.
    values = vals(cat, {"tt_vi_pham": {2015: 40}})
    assert of(check_all(cat, values), "rule_failed") == []


# --- missing-value strategies: a rule added in the catalogue ----------------------------------
def test_a_new_rule_appears_only_through_the_catalogue(cat: Catalogue):
    values = vals(cat, {"tt_cuoc.kiem_tra": {2015: 2}, "tt_co_so": {2015: 30}})
    assert of(check_all(cat, values), "rule_failed") == []  # the real catalogue: no such rule

    edited = with_rule(left="tt_co_so", op="<=", right="tt_cuoc.kiem_tra * 10",
                       importance="thong_tin", left_label="Số cơ sở được kiểm tra",
                       right_label="Mười lần số cuộc kiểm tra")
    assert RULE in [r.code for r in edited.rules]
    found = mine(check_all(edited, values))
    assert [(f.indicator, f.severity, f.year, f.value) for f in found] == [
        (RULE, Severity.INFO, 2015, "30")]
    assert found[0].message == (
        "Năm 2015: Số cơ sở được kiểm tra = 30 nhưng Mười lần số cuộc kiểm tra = 20; cần Số "
        "cơ sở được kiểm tra nhỏ hơn hoặc bằng Mười lần số cuộc kiểm tra. Hãy kiểm tra lại "
        "hai dòng.")
    assert found[0].cell == val(cat, "tt_co_so", 2015, 0).cell


def test_a_rule_without_labels_shows_the_expression(cat: Catalogue):
    edited = with_rule(left="tt_vi_pham * 2", op="<=", right="tt_co_so")
    found = mine(check_all(edited, vals(cat, {"tt_vi_pham": {2012: 6}, "tt_co_so": {2012: 10}})))
    assert [f.message.split(";")[0] for f in found] == [
        "Năm 2012: tt_vi_pham * 2 = 12 nhưng Số cơ sở được thanh tra, kiểm tra = 10"]


# 2011: both present and fine; 2012: only the left (3 vi phạm); 2013: only the right;
# 2014-2019: nothing.
MISSING_CASE = {"tt_vi_pham": {2011: 1, 2012: 3}, "tt_co_so": {2011: 5, 2013: 5}}


def test_skip_if_any_missing_skips_a_year_with_one_side_missing(cat: Catalogue):
    edited = with_rule(left="tt_vi_pham", op="<=", right="tt_co_so",
                       missing="skip_if_any_missing")
    values = vals(cat, MISSING_CASE)
    assert mine(check_all(edited, values)) == []


def test_skip_if_all_missing_counts_a_missing_value_as_zero(cat: Catalogue):
    edited = with_rule(left="tt_vi_pham", op="<=", right="tt_co_so",
                       missing="skip_if_all_missing")
    found = mine(check_all(edited, vals(cat, MISSING_CASE)))
    # 2012: 3 <= 0 fails; 2013: 0 <= 5 holds; 2014-2019: all missing, skipped.
    assert [(f.indicator, f.year, f.value) for f in found] == [(RULE, 2012, "3")]
    assert "= 3 nhưng Số cơ sở được thanh tra, kiểm tra = 0;" in found[0].message
    assert found[0].cell == val(cat, "tt_vi_pham", 2012, 0).cell


def test_skip_if_all_missing_skips_when_everything_is_missing(cat: Catalogue):
    # 0 < 0 would fail: a rule that is evaluated on all-missing years would fire.
    edited = with_rule(left="tt_vi_pham", op="<", right="tt_co_so",
                       missing="skip_if_all_missing")
    found = mine(check_all(edited, vals(cat, {"tt_vi_pham": {2015: 1}, "tt_co_so": {2015: 2}})))
    assert found == []


def test_never_skip_evaluates_missing_values_as_zero(cat: Catalogue):
    # "At least one inspected site a year": a missing year counts as 0 and fails.
    edited = with_rule(left="tt_co_so", op=">", right="0", missing="never_skip")
    values = vals(cat, {"tt_co_so": {y: 10 for y in range(2011, 2019)}})  # 2019 missing
    found = mine(check_all(edited, values))
    assert [(f.year, f.value) for f in found] == [(2019, "0")]
    assert found[0].message.startswith("Năm 2019: Số cơ sở được thanh tra, kiểm tra = 0 nhưng "
                                       "0 = 0; cần ")

    for strategy in ("skip_if_any_missing", "skip_if_all_missing"):
        other = with_rule(left="tt_co_so", op=">", right="0", missing=strategy)
        assert mine(check_all(other, values)) == [], strategy


def test_never_skip_with_both_sides_missing_evaluates_zero_against_zero(cat: Catalogue):
    edited = with_rule(left="tt_vi_pham", op="<", right="tt_co_so", missing="never_skip")
    values = vals(cat, {"tt_vi_pham": {y: 1 for y in range(2011, 2019)},
                        "tt_co_so": {y: 4 for y in range(2011, 2019)}})
    found = mine(check_all(edited, values))
    assert [(f.year, f.value) for f in found] == [(2019, "0")]
    assert "= 0 nhưng Số cơ sở được thanh tra, kiểm tra = 0;" in found[0].message


def test_a_zero_denominator_skips_the_year(cat: Catalogue):
    edited = with_rule(left="tt_vi_pham / tt_co_so", op="<=", right="1")
    values = vals(cat, {"tt_vi_pham": {2014: 3, 2015: 3}, "tt_co_so": {2014: 0, 2015: 2}})
    found = mine(check_all(edited, values))
    assert [(f.year, f.value) for f in found] == [(2015, "1,5")]


OPERATORS = [
    # op, left, right that hold; left, right that fail; Vietnamese
    ("<=", (5, 5), (6, 5), "nhỏ hơn hoặc bằng"),
    ("<", (4, 5), (5, 5), "nhỏ hơn"),
    (">=", (5, 5), (4, 5), "lớn hơn hoặc bằng"),
    (">", (6, 5), (5, 5), "lớn hơn"),
    ("==", (5, 5), (6, 5), "bằng"),
    ("!=", (6, 5), (5, 5), "khác"),
]


@pytest.mark.parametrize(("op", "holds", "fails", "op_text"), OPERATORS,
                         ids=[o[0] for o in OPERATORS])
def test_each_operator(cat: Catalogue, op, holds, fails, op_text):
    edited = with_rule(left="tt_vi_pham", op=op, right="tt_co_so")
    ok = vals(cat, {"tt_vi_pham": {2016: holds[0]}, "tt_co_so": {2016: holds[1]}})
    assert mine(check_all(edited, ok)) == []

    bad = vals(cat, {"tt_vi_pham": {2016: fails[0]}, "tt_co_so": {2016: fails[1]}})
    found = mine(check_all(edited, bad))
    assert [(f.indicator, f.year, f.severity) for f in found] == [(RULE, 2016, Severity.ERROR)]
    assert (f"Năm 2016: Số cơ sở vi phạm bị xử lý = {fails[0]} nhưng Số cơ sở được thanh tra, "
            f"kiểm tra = {fails[1]}; cần Số cơ sở vi phạm bị xử lý {op_text} Số cơ sở được "
            "thanh tra, kiểm tra.") in found[0].message


@pytest.mark.parametrize(("op", "left", "right", "fires"), [
    ("<=", 10.4, 10, False),
    ("<=", 10.6, 10, True),
    (">=", 9.6, 10, False),
    (">=", 9.4, 10, True),
    ("==", 10.5, 10, False),
    ("==", 10.6, 10, True),
    ("!=", 10.4, 10, True),
])
def test_tolerance_applies_to_each_operator(cat: Catalogue, op, left, right, fires):
    edited = with_rule(left="tt_tien_phat", op=op, right=str(right), tolerance=0.5)
    found = mine(check_all(edited, vals(cat, {"tt_tien_phat": {2015: left}})))
    assert len(found) == (1 if fires else 0)


@pytest.mark.parametrize(("side", "formula"), [
    ("left", "__import__('os').system('echo x')"),
    ("left", "tt_vi_pham ** 2"),
    ("right", "abs(tt_co_so)"),
    ("right", "tt_co_so if tt_vi_pham else 0"),
    ("left", "tt_vi_pham["),
    ("right", "[tt_co_so]"),
])
def test_a_rule_with_forbidden_syntax_is_rejected(side, formula):
    rule = {"left": "tt_vi_pham", "op": "<=", "right": "tt_co_so", side: formula}
    with pytest.raises(CatalogueError) as e:
        with_rule(**rule)
    assert f"rules[{RULE}].{side}: " in str(e.value)
    other = "right" if side == "left" else "left"
    assert f"rules[{RULE}].{other}" not in str(e.value)


@pytest.mark.parametrize(("side", "formula", "says"), [
    ("left", "tt_vi_pham_nham", "'tt_vi_pham_nham' không phải chỉ tiêu"),
    ("right", "tt_co_so + so_khong_co", "'so_khong_co' không phải chỉ tiêu"),
    ("right", "nv_so_luong.khong_co", "không có phân tổ 'khong_co'"),
])
def test_a_rule_naming_an_unknown_indicator_is_rejected(side, formula, says):
    rule = {"left": "tt_vi_pham", "op": "<=", "right": "tt_co_so", side: formula}
    with pytest.raises(CatalogueError) as e:
        with_rule(**rule)
    message = str(e.value)
    assert f"rules[{RULE}].{side}: " in message
    assert says in message.split(f"rules[{RULE}].{side}: ", 1)[1].splitlines()[0]


# --- built-in checks -------------------------------------------------------------------------
def test_parts_above_their_total(cat: Catalogue):
    values = vals(cat, {"chi_khcn.dtpt": {2015: 600, 2016: 400},
                        "chi_khcn.su_nghiep": {2015: 500, 2016: 600},
                        "chi_khcn.total": {2015: 1_000, 2016: 1_000}})
    found = check_all(cat, values)
    assert [(f.code, f.year) for f in found] == [("parts_exceed_total", 2015)]
    f = found[0]
    total = val(cat, "chi_khcn.total", 2015, 0)
    assert (f.severity, f.file, f.sheet, f.cell, f.unit, f.indicator, f.value) == (
        Severity.ERROR, total.file, total.sheet, total.cell, "KHTC", "chi_khcn", "1.000")
    assert f.message.startswith("Tổng các phân tổ của 'Chi ngân sách cho KH&CN' năm 2015 là "
                                "1.100, lớn hơn dòng Tổng số (1.000).")


def test_percent_parts_of_one_whole_above_100(cat: Catalogue):
    values = vals(cat, _parts("ld_co_cau_nganh", NGANH, [40, 35.5, 30], 2014))
    found = check_all(cat, values)
    over = of(found, "parts_over_100")
    assert [(f.year, f.severity, f.value) for f in over] == [(2014, Severity.ERROR, "105,5")]
    first = val(cat, "ld_co_cau_nganh.nong_lam_thuy_san", 2014, 0)
    assert (over[0].sheet, over[0].cell) == (first.sheet, first.cell)
    assert "'Cơ cấu lao động theo ngành kinh tế' năm 2014 là 105,5%, vượt 100%" in (
        over[0].message)
    # The declared rule (== 100) says so too, as a warning.
    assert [f.indicator for f in of(found, "rule_failed")] == ["co_cau_nganh_du_100"]


def test_percent_parts_summing_to_100_are_fine(cat: Catalogue):
    values = vals(cat, _parts("ld_co_cau_nganh", NGANH, [40, 25.5, 34.5], 2014))
    assert check_all(cat, values) == []


def test_percent_parts_rounded_to_one_decimal_are_not_an_error(cat: Catalogue):
    # Shares of 33,35%, 33,35% and 33,30% typed with the indicator's one decimal: 33,4 + 33,4
    # + 33,3 = 100,1. The catalogue's own rule accepts the whole within 0,5; the built-in
    # check must not turn honest rounding into an error that blocks a --strict build.
    values = vals(cat, _parts("ld_co_cau_nganh", NGANH, [33.4, 33.4, 33.3], 2014))
    found = check_all(cat, values)
    assert of(found, "rule_failed") == []
    assert [f.line() for f in found if f.severity is Severity.ERROR] == []


def test_cumulative_count_that_falls(cat: Catalogue):
    values = series(cat, "dn_khcn", [2, 3, 5, 8, 6, 9, 11, 11, 12])
    found = check_all(cat, values)
    assert [(f.code, f.year) for f in found] == [("cumulative_decrease", 2015)]
    f = found[0]
    assert (f.severity, f.cell, f.value) == (Severity.ERROR, val(cat, "dn_khcn", 2015, 0).cell,
                                             "6")
    assert ("là số lũy kế nhưng năm 2015 (6) thấp hơn năm 2014 (8)") in f.message
    assert f.message.startswith("'Số doanh nghiệp KH&CN được cấp giấy chứng nhận (lũy kế)'")


def test_cumulative_count_that_never_falls_is_fine(cat: Catalogue):
    assert check_all(cat, series(cat, "dn_khcn", [2, 3, 5, 8, 8, 9, 11, 11, 12])) == []


def test_an_ordinary_count_may_fall(cat: Catalogue):
    assert check_all(cat, series(cat, "sgd_giao_dich", [2, 3, 5, 8, 6, 9, 11, 11, 12])) == []


SPIKY = [200.0, 205.5, 198.0, 1_234.5, 210.0, 202.0, 199.5, 207.0, 203.0]


def test_an_outlier_spike_is_one_warning_at_its_year(cat: Catalogue):
    found = check_all(cat, series(cat, "tt_tien_phat", SPIKY))
    assert [(f.code, f.severity, f.year) for f in found] == [
        ("outlier", Severity.WARNING, 2014)]
    f = found[0]
    assert (f.cell, f.value, f.indicator) == (val(cat, "tt_tien_phat", 2014, 0).cell, "1.234,5",
                                              "tt_tien_phat")
    assert ("'Số tiền xử phạt vi phạm hành chính' năm 2014 là 1.234,5, chênh lệch bất "
            "thường so với năm 2013 (198,0)") in f.message


def test_an_outlier_in_the_last_year_is_found(cat: Catalogue):
    values = series(cat, "tt_tien_phat", SPIKY[:3] + SPIKY[4:] + [1_234.5])
    found = check_all(cat, values)
    assert [(f.code, f.year, f.value) for f in found] == [("outlier", 2019, "1.234,5")]


def test_an_outlier_in_the_first_year_is_found(cat: Catalogue):
    # A typo in 2011 is as likely as in any other year; rules.py promises a value "far from
    # the rest of its series" is flagged anywhere.
    values = series(cat, "tt_tien_phat", [1_234.5] + SPIKY[:3] + SPIKY[4:])
    found = check_all(cat, values)
    assert [(f.code, f.year, f.value) for f in found] == [("outlier", 2011, "1.234,5")]


def test_a_lasting_step_change_is_not_an_outlier(cat: Catalogue):
    values = series(cat, "tt_tien_phat", [100, 100, 100, 400, 400, 400, 400, 400, 400])
    assert check_all(cat, values) == []


def test_a_small_series_is_not_checked(cat: Catalogue):
    small = [1, 1, 1, 1, 15, 1, 1, 1, 1]  # all below checks.outlier_min = 20
    assert cat.checks.outlier_min == 20
    assert check_all(cat, series(cat, "sgd_giao_dich", small)) == []

    # The same series is a spike once the threshold is lowered in the catalogue.
    def lower(raw: dict) -> None:
        raw["checks"] = {**raw.get("checks", {}), "outlier_min": 0}

    found = check_all(with_edit(lower), series(cat, "sgd_giao_dich", small))
    assert [(f.code, f.year) for f in found] == [("outlier", 2015)]


GROWTH = [7.2, 7.5, 6.8, 35.0, 7.1, 7.4, 6.9, 7.3, 7.0]  # a ×5 jump and back


def test_a_growth_rate_with_a_negative_minimum_is_never_an_outlier(cat: Catalogue):
    assert cat.indicator_by_code["grdp_tang"].low < 0
    assert check_all(cat, series(cat, "grdp_tang", GROWTH)) == []

    # Even with the outlier check switched on, the negative minimum keeps it off...
    def outliers_on(raw: dict) -> None:
        _indicator(raw, "grdp_tang")["outliers"] = True

    on = with_edit(outliers_on)
    assert on.indicator_by_code["grdp_tang"].outliers is True
    assert check_all(on, series(on, "grdp_tang", GROWTH)) == []
    # ...while the same numbers in a percent with minimum 0 are a spike.
    found = check_all(on, series(on, "da_cn_tien_tien", GROWTH))
    assert [(f.code, f.year) for f in found] == [("outlier", 2014)]


def test_an_indicator_with_outliers_off_is_not_checked(cat: Catalogue):
    def off(raw: dict) -> None:
        _indicator(raw, "tt_tien_phat")["outliers"] = False

    assert check_all(with_edit(off), series(cat, "tt_tien_phat", SPIKY)) == []


def test_series_are_checked_per_unit_and_part(cat: Catalogue):
    # Two parts of one indicator: a spike in one part does not spill into the other.
    a = series(cat, "nv_kinh_phi.tinh", [300, 310, 305, 2_900, 320, 315, 300, 310, 305])
    b = series(cat, "nv_kinh_phi.co_so", [100, 110, 105, 100, 120, 115, 100, 110, 105])
    found = check_all(cat, a + b)
    assert [(f.code, f.indicator, f.year) for f in found] == [
        ("outlier", "nv_kinh_phi.tinh", 2014)]
    assert "'Kinh phí thực hiện nhiệm vụ KH&CN – " in found[0].message


def _outliers_by_hand(cat: Catalogue, xs: list[float]) -> list[int]:
    """The outlier rule as rules.py states it, each value against all the others, for the
    years 2011.. of a series above checks.outlier_min (no shortcut)."""
    conf = cat.checks
    if len(xs) < 3 or max(xs) < conf.outlier_min:
        return []

    def jump(a: float, b: float) -> bool:
        return (max(a, b) >= conf.outlier_min and a > 0 and b > 0
                and max(b / a, a / b) > conf.outlier_factor)

    found = []
    for i, x in enumerate(xs):
        spike = 0 < i < len(xs) - 1 and jump(xs[i - 1], x) and jump(x, xs[i + 1])
        others = xs[:i] + xs[i + 1:]
        mean = math.fsum(others) / len(others)
        spread = (math.sqrt(math.fsum((y - mean) ** 2 for y in others) / len(others))
                  if len(others) >= 3 else 0.0)
        if spike or (spread > 0 and abs(x - mean) > conf.outlier_sigma * spread):
            found.append(2011 + i)
    return found


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(st.floats(min_value=0, max_value=1e7, allow_nan=False),
                          st.sampled_from([0.0, 20.0, 100.0, 100.0, 1e7])),
                min_size=3, max_size=9))
def test_the_outlier_shortcut_finds_what_the_rule_finds(xs: list[float]):
    # check_series checks one by one only the values far enough from the whole series' mean
    # to be outliers at all; it must flag exactly what the rule flags.
    cat = _CAT
    found = [f.year for f in check_all(cat, series(cat, "tt_tien_phat", xs))
             if f.code == "outlier"]
    assert found == _outliers_by_hand(cat, xs)


def test_the_outlier_rule_by_hand_agrees_with_the_examples(cat: Catalogue):
    assert _outliers_by_hand(cat, SPIKY) == [2014]
    assert _outliers_by_hand(cat, [100, 100, 100, 400, 400, 400, 400, 400, 400]) == []
