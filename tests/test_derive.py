"""Derive: hand-worked examples for each formula and method, property tests, and the chapter."""

from __future__ import annotations

import datetime as dt
import math

import pandas as pd
import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.build import run_build
from pipeline.catalogue.load import load_catalogue, parse_catalogue
from pipeline.catalogue.model import TOTAL
from pipeline.core.errors import CatalogueError
from pipeline.core.records import Value
from pipeline.derive import aggregate, cagr, date_findings, derive, trend
from pipeline.merge import merge

from .conftest import CATALOGUE, TEMPLATE, chapter_blocks, column, row_of, table_after


def _values(data: dict[tuple[str, str, int], float]) -> list[Value]:
    return [Value(unit="KHTC", indicator=i, breakdown=p, year=y, value=float(v), status="",
                  note="", file="x.xlsx", sheet="S", cell=f"C{n}", file_hash="0")
            for n, ((i, p, y), v) in enumerate(sorted(data.items()), start=1)]


def _derive(cat, data):
    return derive(cat, merge(cat, _values(data)))


def _yearly(derivation, code: str, year: int) -> float | None:
    rows = derivation.yearly
    hit = rows[(rows["derived"] == code) & (rows["year"] == year)].iloc[0]
    return None if hit["value"] is None or math.isnan(hit["value"]) else float(hit["value"])


# --- the S&T share of the budget -------------------------------------------------------------
BUDGET = {  # 2011-2015: total budget and S&T spending (triệu đồng)
    2011: (1_000, 10), 2012: (1_000, 30), 2013: (2_000, 20), 2014: (2_000, 20), 2015: (4_000, 40),
}


def _budget_data() -> dict[tuple[str, str, int], float]:
    data = {}
    for year, (total, khcn) in BUDGET.items():
        data[("chi_nsdp", TOTAL, year)] = total
        data[("chi_khcn", TOTAL, year)] = khcn
    return data


def test_share_per_year_and_gap_to_the_2_percent_floor(cat):
    d = _derive(cat, _budget_data())
    # 2012: 30 / 1.000 × 100 = 3% ; 3 − 2 = +1 point.
    assert _yearly(d, "ty_le_chi_khcn", 2012) == pytest.approx(3.0)
    assert _yearly(d, "chenh_lech_muc_2pct", 2012) == pytest.approx(1.0)
    # 2015: 40 / 4.000 × 100 = 1% ; 1 − 2 = −1 point.
    assert _yearly(d, "chenh_lech_muc_2pct", 2015) == pytest.approx(-1.0)


def test_period_share_is_the_ratio_of_sums_by_default(cat):
    d = _derive(cat, _budget_data())
    # Ratio of sums: (10 + 30 + 20 + 20 + 40) / (1.000 + 1.000 + 2.000 + 2.000 + 4.000) × 100
    #              = 120 / 10.000 × 100 = 1,2%.
    assert d.period_value("ty_le_chi_khcn", "2011-2015") == pytest.approx(1.2)
    # Totals of the inputs: the indicators' own method (sum).
    assert d.period_value("chi_khcn", "2011-2015") == pytest.approx(120)
    # Gap of the period: computed from the period share, 1,2 − 2 = −0,8.
    assert d.period_value("chenh_lech_muc_2pct", "2011-2015") == pytest.approx(-0.8)


def test_period_share_as_mean_of_yearly_shares_when_the_catalogue_says_so():
    raw = yaml.safe_load(CATALOGUE.read_text(encoding="utf-8"))
    for d in raw["derived"]:
        if d["code"] == "ty_le_chi_khcn":
            d["period"] = "mean"
    cat = parse_catalogue(raw)
    d = _derive(cat, _budget_data())
    # Mean of yearly shares: (1 + 3 + 1 + 1 + 1) / 5 = 1,4% — not the 1,2% of the ratio of sums.
    assert d.period_value("ty_le_chi_khcn", "2011-2015") == pytest.approx(1.4)


def test_a_period_with_a_missing_year_has_no_figure_and_says_which(cat):
    data = _budget_data()
    del data[("chi_nsdp", TOTAL, 2013)]
    d = _derive(cat, data)
    assert d.period_value("chi_nsdp", "2011-2015") is None
    row = d.periods[(d.periods["key"] == "chi_nsdp") & (d.periods["period"] == "2011-2015")]
    assert row.iloc[0]["note"] == "thiếu năm 2013"
    codes = {f.indicator: f for f in d.findings}
    assert codes["ty_le_chi_khcn"].code == "derive_missing"
    assert "năm 2013" in codes["ty_le_chi_khcn"].message


def test_compound_growth_and_year_on_year_growth(cat):
    d = _derive(cat, _budget_data())
    # chi_khcn 10 → 40 over 4 steps: (40 / 10)^(1/4) − 1 = 41,42% a year.
    row = d.periods[(d.periods["key"] == "chi_khcn") & (d.periods["period"] == "2011-2015")]
    assert row.iloc[0]["cagr"] == pytest.approx((4 ** 0.25 - 1) * 100)
    g = d.growth
    # 2012 over 2011: 30 / 10 − 1 = +200%.
    hit = g[(g["indicator"] == "chi_khcn") & (g["year"] == 2012)]
    assert hit.iloc[0]["growth"] == pytest.approx(200.0)


def test_aggregate_methods_by_hand():
    assert aggregate("sum", [1, 2, 3]) == 6
    assert aggregate("mean", [1, 2, 3]) == 2
    assert aggregate("last", [1, 2, 3]) == 3
    # Average growth of 5%, 10%, 15%, 20%: (1,05 × 1,10 × 1,15 × 1,20)^(1/4) − 1
    # = 1,5939^(1/4) − 1 = 12,3609%.
    assert aggregate("growth_mean", [5, 10, 15, 20]) == pytest.approx(12.3609, abs=1e-4)
    assert cagr(100, 121, 2) == pytest.approx(10.0)
    assert cagr(0, 121, 2) is None


# --- TFP by growth accounting ------------------------------------------------------------------
def test_tfp_contributions_by_hand_sum_to_100(cat):
    data = {("grdp_tang", TOTAL, 2016): 10, ("von_tang", TOTAL, 2016): 12,
            ("lao_dong_tang", TOTAL, 2016): 2}
    d = _derive(cat, data)
    # b_K = 0,35, b_L = 0,65: TFP = 10 − 0,35 × 12 − 0,65 × 2 = 10 − 4,2 − 1,3 = 4,5%.
    assert _yearly(d, "tang_tfp", 2016) == pytest.approx(4.5)
    # Contributions: capital 4,2 / 10 = 42%; labour 1,3 / 10 = 13%; TFP 4,5 / 10 = 45%.
    assert _yearly(d, "dong_gop_von", 2016) == pytest.approx(42.0)
    assert _yearly(d, "dong_gop_lao_dong", 2016) == pytest.approx(13.0)
    assert _yearly(d, "dong_gop_tfp", 2016) == pytest.approx(45.0)


def test_tfp_of_a_period_from_average_growth_rates(cat):
    g_y, g_k, g_l = [5, 10, 15, 20], [8, 8, 8, 8], [1, 1, 1, 1]
    data = {}
    for n, year in enumerate(range(2016, 2020)):
        data[("grdp_tang", TOTAL, year)] = g_y[n]
        data[("von_tang", TOTAL, year)] = g_k[n]
        data[("lao_dong_tang", TOTAL, year)] = g_l[n]
    d = _derive(cat, data)
    # Average growth 2016-2019: GRDP 12,3609%, capital 8%, labour 1%.
    # TFP = 12,3609 − 0,35 × 8 − 0,65 × 1 = 8,9109%; contribution 8,9109 / 12,3609 = 72,09%.
    assert d.period_value("tang_tfp", "2016-2019") == pytest.approx(8.9109, abs=1e-4)
    assert d.period_value("dong_gop_tfp", "2016-2019") == pytest.approx(72.09, abs=0.01)
    # The mean of the yearly contributions is a different number (the other definition):
    yearly = [(g - 2.8 - 0.65) / g * 100 for g in g_y]
    assert sum(yearly) / 4 != pytest.approx(72.09, abs=0.5)
    total = sum(d.period_value(k, "2016-2019")
                for k in ("dong_gop_von", "dong_gop_lao_dong", "dong_gop_tfp"))
    assert total == pytest.approx(100.0)


# --- period figures by the indicator's nature (issue 16) ------------------------------------------
def _period_row(derivation, key: str, period: str) -> dict:
    rows = derivation.periods
    [row] = rows[(rows["key"] == key) & (rows["period"] == period)].to_dict("records")
    return {k: None if isinstance(v, float) and math.isnan(v) else v for k, v in row.items()}


def test_a_stocks_period_figure_is_its_last_year_even_with_early_years_blank(cat):
    # Licensed radiation facilities (a stock): 2011 and 2012 not sent.
    data = {("bx_co_so", TOTAL, y): v for y, v in
            {2013: 40, 2014: 45, 2015: 50, 2016: 52, 2017: 55, 2018: 60, 2019: 64}.items()}
    d = _derive(cat, data)
    first = _period_row(d, "bx_co_so", "2011-2015")
    # The facilities at the end of 2015, not 40 + 45 + 50 = 135.
    assert (first["method"], first["value"], first["note"]) == ("last", 50, "")
    assert first["sources"] == ("x.xlsx › S!C3",)  # the 2015 cell alone
    assert first["cagr"] is None  # no 2011 to grow from
    second = _period_row(d, "bx_co_so", "2016-2019")
    assert second["value"] == 64
    # (64 / 52)^(1/3) − 1 = 1,2308^(1/3) − 1 = 7,17% a year.
    assert second["cagr"] == pytest.approx(7.17, abs=0.01)


def test_a_stock_without_its_last_year_has_no_period_figure(cat):
    data = {("tdc_iso", TOTAL, y): 10.0 for y in (2011, 2012, 2013, 2014)}
    row = _period_row(_derive(cat, data), "tdc_iso", "2011-2015")
    assert (row["value"], row["note"]) == (None, "thiếu năm 2015")


def test_a_flow_sums_its_years_and_needs_every_one(cat):
    data = {("sang_kien", TOTAL, 2011 + n): 10.0 * (n + 1) for n in range(5)}  # 10 … 50
    d = _derive(cat, data)
    row = _period_row(d, "sang_kien", "2011-2015")
    # 10 + 20 + 30 + 40 + 50 = 150; (50 / 10)^(1/4) − 1 = 49,53% a year.
    assert (row["method"], row["value"]) == ("sum", 150)
    assert row["cagr"] == pytest.approx(49.53, abs=0.01)
    del data[("sang_kien", TOTAL, 2012)]
    row = _period_row(_derive(cat, data), "sang_kien", "2011-2015")
    assert (row["value"], row["note"]) == (None, "thiếu năm 2012")


def test_tasks_in_progress_are_never_added_across_years(cat):
    data = {("nv_so_luong", part, y): 5.0 for y in range(2011, 2020)
            for part in ("quoc_gia", "tinh", "co_so", TOTAL)}
    d = _derive(cat, data)
    for key in ("nv_so_luong.quoc_gia", "nv_so_luong.tinh", "nv_so_luong.co_so", "nv_so_luong"):
        for period in ("2011-2015", "2016-2019"):
            row = _period_row(d, key, period)
            assert (row["method"], row["value"], row["cagr"], row["note"]) == (
                "none", None, None, "không cộng qua các năm (số đang thực hiện)"), (key, period)
    assert "nv_so_luong" not in set(d.growth["indicator"])


def test_a_rates_period_figure_is_its_average_growth(cat):
    data = {("grdp_tang", TOTAL, y): v for y, v in {2016: 44, 2017: 0, 2018: 0, 2019: 0}.items()}
    row = _period_row(_derive(cat, data), "grdp_tang", "2016-2019")
    # (1,44 × 1 × 1 × 1)^(1/4) − 1 = √1,2 − 1 = 9,5445%, not the mean 11%.
    assert row["method"] == "growth_mean"
    assert row["value"] == pytest.approx(9.5445, abs=1e-4)
    assert row["cagr"] is None


def test_a_ratio_declared_last_takes_the_last_year(cat):
    data = {("ld_qua_dao_tao", TOTAL, 2014): 40.0, ("ld_qua_dao_tao", TOTAL, 2015): 45.0,
            ("ld_qua_dao_tao", TOTAL, 2016): 47.0, ("ld_qua_dao_tao", TOTAL, 2018): 50.0}
    d = _derive(cat, data)
    row = _period_row(d, "ld_qua_dao_tao", "2011-2015")
    assert (row["method"], row["value"], row["note"]) == ("last", 45, "")
    row = _period_row(d, "ld_qua_dao_tao", "2016-2019")
    assert (row["value"], row["note"]) == (None, "thiếu năm 2019")
    assert "ld_qua_dao_tao" not in set(d.growth["indicator"])  # a share has no growth rows


def test_a_ratio_declared_mean_averages_every_year():
    raw = yaml.safe_load(CATALOGUE.read_text(encoding="utf-8"))
    ind = next(i for it in raw["items"] for i in it.get("indicators", [])
               if i["code"] == "ld_qua_dao_tao")
    ind["period"] = "mean"
    cat = parse_catalogue(raw)
    data = {("ld_qua_dao_tao", TOTAL, 2016 + n): v for n, v in enumerate([40, 42, 44, 46])}
    row = _period_row(_derive(cat, data), "ld_qua_dao_tao", "2016-2019")
    # (40 + 42 + 44 + 46) / 4 = 43.
    assert (row["method"], row["value"]) == ("mean", 43)


def test_year_on_year_growth_only_of_flows_and_stocks(cat):
    data = {}
    for code in ("sang_kien", "bx_co_so", "ld_qua_dao_tao", "grdp_tang"):
        data[(code, TOTAL, 2016)] = 10.0
        data[(code, TOTAL, 2017)] = 12.0
    for part in ("quoc_gia", "tinh", "co_so", TOTAL):
        data[("nv_so_luong", part, 2016)] = 10.0
        data[("nv_so_luong", part, 2017)] = 12.0
    g = _derive(cat, data).growth
    # 12 / 10 − 1 = +20%, for the flow and the stock only.
    assert sorted(zip(g["indicator"], g["year"], g["growth"])) == [
        ("bx_co_so", 2017, pytest.approx(20.0)), ("sang_kien", 2017, pytest.approx(20.0))]


def test_share_of_advanced_technology_from_the_counts(cat):
    counts = {2016: (1, 1, 10), 2017: (0, 3, 10), 2018: (2, 2, 20), 2019: (1, 4, 10)}
    data = {}
    for year, (cao, tien_tien, total) in counts.items():
        data[("da_trinh_do_cn", "cao", year)] = cao
        data[("da_trinh_do_cn", "tien_tien", year)] = tien_tien
        data[("da_trinh_do_cn", TOTAL, year)] = total
    d = _derive(cat, data)
    # 2016: (1 + 1) / 10 × 100 = 20%; 2019: (1 + 4) / 10 × 100 = 50%.
    assert _yearly(d, "ty_le_cn_tien_tien", 2016) == pytest.approx(20.0)
    assert _yearly(d, "ty_le_cn_tien_tien", 2019) == pytest.approx(50.0)
    # The period: ratio of the sums, (4 + 10) / 50 × 100 = 28%.
    assert d.period_value("ty_le_cn_tien_tien", "2016-2019") == pytest.approx(28.0)


# --- targets -----------------------------------------------------------------------------------
def test_target_verdict_gap_needed_change_and_projection(cat):
    data = {("ld_qua_dao_tao", TOTAL, 2011 + n): 40 + 2 * n for n in range(9)}  # 40 … 56
    data[("ld_qua_dao_tao", TOTAL, 2025)] = 70
    data[("ld_qua_dao_tao", TOTAL, 2030)] = 80
    d = _derive(cat, data)
    status = next(t for t in d.targets if t.label == "Tỷ lệ lao động qua đào tạo")
    assert (status.current, status.current_when) == (56, "2019")
    assert status.targets == ((2025, 70.0), (2030, 80.0))
    # Linear trend +2 a year: 2025 → 68, 2030 → 78.
    assert dict(status.projection) == pytest.approx({2025: 68.0, 2030: 78.0})
    # 70 − 56 = 14 points short of 2025; (80 − 56) / 11 years = 2,18 points a year for 2030.
    assert status.verdict == (
        "Chưa đạt mục tiêu năm 2025 (còn thiếu 14,0 điểm %). Để đạt mục tiêu năm 2030 cần "
        "tăng bình quân 2,18 điểm %/năm. Dự báo theo xu hướng tuyến tính: năm 2030 khoảng "
        "78,0 (không đạt mục tiêu).")


def test_a_target_already_reached_is_said_to_need_review(cat):
    data = {("ld_bang_cap", TOTAL, y): 85.0 for y in range(2011, 2020)}
    data[("ld_bang_cap", TOTAL, 2025)] = 65
    data[("ld_bang_cap", TOTAL, 2030)] = 80
    status = next(t for t in _derive(cat, data).targets if t.indicator == "ld_bang_cap")
    assert status.verdict == (
        "Hiện trạng năm 2019 (85,0) đã bằng hoặc vượt mục tiêu đề xuất cho năm 2025 (65,0) "
        "và năm 2030 (80,0): cần xem lại mục tiêu. Dự báo theo xu hướng tuyến tính: năm 2030 "
        "khoảng 85,0 (đạt mục tiêu).")


def test_a_later_target_below_an_earlier_one_is_said(cat):
    data = {("ld_bang_cap", TOTAL, 2011 + n): 20.0 + n for n in range(9)}  # 20 … 28
    data[("ld_bang_cap", TOTAL, 2025)] = 40
    data[("ld_bang_cap", TOTAL, 2030)] = 35
    status = next(t for t in _derive(cat, data).targets if t.indicator == "ld_bang_cap")
    # 40 − 28 = 12 short; (35 − 28) / 11 = 0,64 a year; trend +1 a year: 2030 → 39.
    assert status.verdict == (
        "Chưa đạt mục tiêu năm 2025 (còn thiếu 12,0 điểm %). Mục tiêu năm 2030 (35,0) thấp "
        "hơn mục tiêu năm 2025 (40,0). Để đạt mục tiêu năm 2030 cần tăng bình quân 0,64 điểm "
        "%/năm. Dự báo theo xu hướng tuyến tính: năm 2030 khoảng 39,0 (đạt mục tiêu).")


def test_a_trend_leaving_the_range_is_kept_and_said_unusable(cat):
    data = {("ld_qua_dao_tao", TOTAL, 2011 + n): 20.0 + 7 * n for n in range(9)}  # 20 … 76
    data[("ld_qua_dao_tao", TOTAL, 2025)] = 85
    data[("ld_qua_dao_tao", TOTAL, 2030)] = 90
    status = next(t for t in _derive(cat, data).targets if t.indicator == "ld_qua_dao_tao")
    # Trend +7 a year from 76 in 2019: 2025 → 118, 2030 → 153; never clipped to 100.
    assert dict(status.projection) == pytest.approx({2025: 118.0, 2030: 153.0})
    assert [y for y, _ in status.outside] == [2025, 2030]
    assert status.verdict.endswith(
        "Kéo dài xu hướng tuyến tính của số liệu đã có đến năm 2030 cho 153,0, ngoài giới hạn "
        "100 của chỉ tiêu, nên xu hướng này không dùng được làm dự báo.")


def test_every_target_the_forms_ask_for_has_a_row(cat):
    # The catalogue lists some target rows; the training levels it does not list (Sơ cấp,
    # Trung cấp) still get theirs, after the listed ones.
    keys = [(t.indicator, t.part) for t in _derive(cat, {}).targets]
    assert ("ld_trinh_do", "so_cap") in keys and ("ld_trinh_do", "trung_cap") in keys
    assert keys.index(("ld_trinh_do", "so_cap")) > keys.index(("ty_le_chi_khcn_muc_tieu",
                                                                "total"))
    assert len(keys) == len(set(keys))


def test_a_period_target_takes_its_label_and_last_year_from_the_catalogue(cat):
    # Constant growth 2016-2019: GRDP 10%, capital 12%, labour 2% → TFP contributes 45% (see
    # the hand-worked year above); the targets ask 40% for 2025 and 56% for 2030.
    data = {}
    for year in range(2016, 2020):
        data.update({("grdp_tang", TOTAL, year): 10, ("von_tang", TOTAL, year): 12,
                     ("lao_dong_tang", TOTAL, year): 2})
    data[("tfp_dong_gop_muc_tieu", TOTAL, 2025)] = 40
    data[("tfp_dong_gop_muc_tieu", TOTAL, 2030)] = 56
    status = next(t for t in _derive(cat, data).targets if t.label.startswith("Đóng góp"))
    # The target row's own label (the indicator's says "(mục tiêu)"), then its reference.
    assert status.label == ("Đóng góp của TFP vào tăng trưởng GRDP (tham chiếu: Cả nước 45-50% "
                            "vào năm 2030 (dự thảo Chiến lược KH,CN&ĐMST))")
    assert (status.current, status.current_when) == (pytest.approx(45.0), "2016-2019")
    # Counted from 2019, the period's last year: (56 − 45) / 11 years = 1,00 point a year.
    # 45 is above the 2025 target of 40: the verdict asks for the target to be reviewed.
    assert status.verdict == (
        "Hiện trạng giai đoạn 2016-2019 (45,0) đã bằng hoặc vượt mục tiêu đề xuất cho năm 2025 "
        "(40,0): cần xem lại mục tiêu. Để đạt mục tiêu năm 2030 cần tăng bình quân 1,00 điểm "
        "%/năm.")


def test_land_demand_of_the_list_the_catalogue_names(cat):
    projects = pd.DataFrame({
        "dia_diem": ["Huyện Lục Nam", "Huyện Lục Nam", "Huyện Yên Dũng"],
        "dien_tich": [2.5, 1.0, 0.75],
        "loai_dat": ["Đất trồng lúa", "Đất rừng sản xuất", "Đất trồng lúa"],
        "ten": ["A", "B", "C"]})
    land = derive(cat, merge(cat, []), {"du_an": projects}).land
    assert land is not None
    assert list(land.columns) == ["Đất rừng sản xuất", "Đất trồng lúa", "Tổng cộng"]
    assert list(land.index) == ["Huyện Lục Nam", "Huyện Yên Dũng", "Tổng cộng"]
    # No project asks Yên Dũng for production forest: empty (NaN, printed "-"), never 0.
    assert land.fillna(-1).values.tolist() == [[1.0, 2.5, 3.5], [-1, 0.75, 0.75],
                                               [1.0, 3.25, 4.25]]
    # Another list's rows are not land demand.
    assert derive(cat, merge(cat, []), {"co_so_qlnn": projects}).land is None


def test_no_data_no_verdict(cat):
    d = _derive(cat, {})
    assert all(t.verdict == "Chưa đủ số liệu để đánh giá." for t in d.targets)


def test_trend_by_hand():
    assert trend([(1, 1.0), (2, 2.0), (3, 3.0)], [5]) == [(5, 5.0)]
    assert trend([(1, 1.0), (2, 2.0)], [5]) == []


# --- properties --------------------------------------------------------------------------------
CAT = load_catalogue(CATALOGUE)  # module level: Hypothesis re-runs a test many times
years = st.sampled_from(list(range(2011, 2020)))


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.floats(1, 1e8), st.floats(0, 1)), min_size=9, max_size=9))
def test_share_stays_within_0_and_100_for_valid_inputs(pairs):
    cat = CAT
    data = {}
    for year, (total, fraction) in zip(range(2011, 2020), pairs):
        data[("chi_nsdp", TOTAL, year)] = total
        data[("chi_khcn", TOTAL, year)] = total * fraction  # spending within the budget
    d = _derive(cat, data)
    shares = d.yearly[d.yearly["derived"] == "ty_le_chi_khcn"]["value"]
    assert all(0 <= s <= 100 + 1e-9 for s in shares)
    for p in cat.periods:
        assert 0 <= d.period_value("ty_le_chi_khcn", p.code) <= 100 + 1e-9


growth = st.floats(-20, 40).filter(lambda g: abs(g) > 0.01)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(growth, st.floats(-20, 40), st.floats(-10, 10)), min_size=9,
                max_size=9))
def test_contributions_sum_to_100(rows):
    cat = CAT
    data = {}
    for year, (gy, gk, gl) in zip(range(2011, 2020), rows):
        data[("grdp_tang", TOTAL, year)] = gy
        data[("von_tang", TOTAL, year)] = gk
        data[("lao_dong_tang", TOTAL, year)] = gl
    d = _derive(cat, data)
    for year in range(2011, 2020):
        parts = [_yearly(d, k, year) for k in ("dong_gop_von", "dong_gop_lao_dong",
                                               "dong_gop_tfp")]
        assert sum(parts) == pytest.approx(100.0, abs=1e-6)
    for p in cat.periods:
        parts = [d.period_value(k, p.code) for k in ("dong_gop_von", "dong_gop_lao_dong",
                                                      "dong_gop_tfp")]
        if all(v is not None for v in parts):
            assert sum(parts) == pytest.approx(100.0, abs=1e-6)


@settings(max_examples=60, deadline=None)
@given(st.dictionaries(st.tuples(st.sampled_from(["chi_nsdp", "chi_khcn", "grdp_tang",
                                                   "von_tang", "lao_dong_tang"]), years),
                       st.sampled_from([0.0, 0.0, 1.0, 5.0, 1000.0])))
def test_missing_years_and_zero_denominators_give_findings_not_exceptions(raw):
    cat = CAT
    data = {(code, TOTAL, year): v for (code, year), v in raw.items()}
    d = _derive(cat, data)  # must not raise
    uncomputable = set(d.yearly[d.yearly["value"].isna()]["derived"])
    assert uncomputable <= {f.indicator for f in d.findings}
    assert all(f.code == "derive_missing" for f in d.findings)


# --- the chapter -------------------------------------------------------------------------------
def test_chapter_shows_period_figures_tfp_and_target_verdicts(sample_build):
    result = sample_build  # the sample inputs built (as of 30/03/2020, without PDF)
    blocks = chapter_blocks(result.chapter)
    share = table_after(blocks, "1. ", "Chi ngân sách địa phương cho KH&CN")
    # Sample 2016-2019: S&T 325.121 of a budget of 62.514.677 (triệu đồng) → 0,52%.
    row = row_of(share, "2016-2019")
    assert row[column(share, "Tỷ lệ chi KH&CN trong tổng chi NSĐP (%)")] == "0,52"
    assert row[column(share, "Tổng số")] == "325.121"
    tfp = table_after(blocks, "3. ", "Tăng trưởng GRDP và đóng góp của TFP")
    assert [r.cells[0].text for r in tfp.rows] == ["Giai đoạn", "2011-2015", "2016-2019"]
    # Sample GRDP growth 2016-2019 (public): 10,73; 13,33; 15,96; 16,10% → average 14,01%.
    assert row_of(tfp, "2016-2019")[column(tfp, "Tốc độ tăng GRDP (giá so sánh)")] == "14,01"
    targets = table_after(blocks, "3. Mục tiêu", "Một số chỉ tiêu phát triển KH&CN")
    first = [c.text for c in targets.rows[1].cells]
    assert first[0] == "Tỷ lệ lao động qua đào tạo"
    assert first[2] == "66,6 (2019)"
    assert first[-1].startswith("Chưa đạt mục tiêu năm 2025 (còn thiếu 8,4 điểm %).")


def test_each_targets_table_holds_only_its_own_items_targets(tmp_path, inputs):
    # Two items with targets: II.2 gets the technology-level target, II.3 keeps the others.
    raw = yaml.safe_load(CATALOGUE.read_text(encoding="utf-8"))
    items = {it["code"]: it for it in raw["items"]}
    moved = [t for t in items["II.3"]["targets"] if t["indicator"] == "da_cn_tien_tien"]
    items["II.3"]["targets"] = [t for t in items["II.3"]["targets"] if t not in moved]
    items["II.2"]["targets"] = moved
    cat2 = parse_catalogue(raw)
    d = derive(cat2, merge(cat2, []))
    assert [t.item for t in d.targets].count("II.2") == 1

    result = run_build(inputs, tmp_path / "out", cat2, TEMPLATE, pdf=False, log=lambda _: None)
    blocks = chapter_blocks(result.chapter)
    tables = [v for k, v in blocks if k == "t"
              and v.rows[0].cells[0].text == "Chỉ tiêu" and v.rows[0].cells[-1].text == "Đánh giá"]
    firsts = [[r.cells[0].text for r in t.rows[1:]] for t in tables]
    assert len(firsts) == 2
    assert firsts[0] == ["Tỷ lệ dự án đầu tư có công nghệ tiên tiến trở lên"]  # II.2
    assert "Tỷ lệ dự án đầu tư có công nghệ tiên tiến trở lên" not in firsts[1]
    assert firsts[1][0] == "Tỷ lệ lao động qua đào tạo"  # II.3, as before
    assert len(firsts[1]) == 9  # 7 listed, then Sơ cấp and Trung cấp, which are not


@pytest.mark.parametrize("land_demand, expected", [
    ({"place": "dia_diem", "area": "dien_tich_dat", "land_type": "loai_dat"},
     "- lists[du_an]: land_demand.area: không có cột 'dien_tich_dat'"),
    ({"place": "dia_diem", "area": "ten", "land_type": "loai_dat"},
     "- lists[du_an]: land_demand.area: cột 'ten' phải là số"),
])
def test_land_demand_must_name_the_lists_own_columns(land_demand, expected):
    raw = yaml.safe_load(CATALOGUE.read_text(encoding="utf-8"))
    projects = next(li for li in raw["lists"] if li["code"] == "du_an")
    projects["land_demand"] = land_demand
    with pytest.raises(CatalogueError) as e:
        parse_catalogue(raw)
    assert expected in str(e.value).splitlines()


def test_data_counted_after_the_documents_date_is_a_warning(cat):
    assert cat.chapter_date == dt.date(2020, 3, 25)  # the seed's date
    assert date_findings(cat, dt.date(2020, 3, 25)) == []
    [late] = date_findings(cat, dt.date(2020, 4, 2))
    assert (late.code, late.file, late.value) == ("as_of_after_document", "(tính toán)",
                                                  "02/04/2020")
    assert late.message == (
        "Số liệu được tính đến ngày 02/04/2020, sau ngày ghi trên văn bản (25/03/2020): chương "
        "ghi ngày văn bản 25/03/2020 nhưng có thể dùng số liệu gửi sau ngày đó. Với bản chính "
        "thức, hãy chạy lại với ASOF=25/03/2020 (hoặc sửa ngày văn bản trong danh mục).")


def test_the_current_figure_knows_its_year_a_periods_is_its_last_year(cat):
    data = {("ld_qua_dao_tao", TOTAL, y): 50.0 + y - 2011 for y in range(2011, 2018)}
    for year in range(2016, 2020):
        data.update({("grdp_tang", TOTAL, year): 10, ("von_tang", TOTAL, year): 12,
                     ("lao_dong_tang", TOTAL, year): 2})
    targets = {t.indicator: t for t in _derive(cat, data).targets}
    assert targets["ld_qua_dao_tao"].base_year == 2017  # its last year with a figure
    assert targets["tfp_dong_gop_muc_tieu"].base_year == 2019  # the period 2016-2019
    assert targets["ld_bang_cap"].base_year is None  # no figure at all
