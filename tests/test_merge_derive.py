"""Merge and derive alone, on small hand-made data."""

from __future__ import annotations

import pandas as pd
import pytest

from pipeline.core.records import Value
from pipeline.derive import DERIVED_COLUMNS, derive
from pipeline.merge import MERGED_COLUMNS, merge


def _value(indicator: str, breakdown: str, year: int, value: float, *, unit: str = "KHTC",
           file: str = "KHTC.xlsx", sheet: str = "I.1", cell: str = "E6") -> Value:
    return Value(unit=unit, indicator=indicator, breakdown=breakdown, year=year, value=value,
                 status="Chính thức", note="Quyết toán", file=file, sheet=sheet, cell=cell,
                 file_hash="ab" * 32)


# --- merge ---------------------------------------------------------------------------------
def test_merge_labels_from_the_catalogue_and_sorts_by_catalogue_then_year(cat):
    values = [  # deliberately out of order
        _value("tt_tien_phat", "total", 2012, 96.5, unit="TTRA", file="TTRA.xlsx",
               sheet="I.7", cell="F14"),
        _value("chi_khcn", "dtpt", 2012, 15_000, cell="F7"),
        _value("chi_nsdp", "total", 2012, 8_000_000, cell="F6"),
        _value("chi_khcn", "total", 2011, 38_800, cell="E9"),
        _value("chi_nsdp", "total", 2011, 7_850_000, cell="E6"),
        _value("chi_khcn", "dtpt", 2011, 14_500, cell="E7"),
    ]

    df = merge(cat, values)

    assert list(df.columns) == MERGED_COLUMNS
    assert len(df) == 6
    # Catalogue order: chi_nsdp, then chi_khcn (its parts dtpt, su_nghiep, total), ...,
    # tt_tien_phat (item I.7); within a row, years ascending.
    assert list(zip(df["indicator"], df["breakdown"], df["year"])) == [
        ("chi_nsdp", "total", 2011),
        ("chi_nsdp", "total", 2012),
        ("chi_khcn", "dtpt", 2011),
        ("chi_khcn", "dtpt", 2012),
        ("chi_khcn", "total", 2011),
        ("tt_tien_phat", "total", 2012),
    ]
    first = df.iloc[0]
    assert first["unit"] == "KHTC"
    assert first["unit_name"] == "Phòng Kế hoạch Tài chính"
    assert first["item"] == "I.1"
    assert first["indicator_label"] == "Tổng chi ngân sách địa phương"
    assert first["breakdown_label"] == ""  # no breakdown
    assert first["measure"] == "triệu đồng"
    assert first["value"] == 7_850_000
    assert (first["file"], first["sheet"], first["cell"]) == ("KHTC.xlsx", "I.1", "E6")
    assert (first["status"], first["note"]) == ("Chính thức", "Quyết toán")
    assert first["file_hash"] == "ab" * 32

    by_key = {(r.indicator, r.breakdown, r.year): r for r in df.itertuples(index=False)}
    dtpt = by_key[("chi_khcn", "dtpt", 2011)]
    assert dtpt.indicator_label == "Chi ngân sách cho KH&CN"
    assert dtpt.breakdown_label == "Chi đầu tư phát triển"
    assert by_key[("chi_khcn", "total", 2011)].breakdown_label == "Tổng số"
    fine = by_key[("tt_tien_phat", "total", 2012)]
    assert (fine.unit, fine.unit_name, fine.item) == ("TTRA", "Thanh tra Sở", "I.7")
    assert fine.breakdown_label == ""
    assert fine.value == 96.5


def test_merge_keeps_the_parts_of_an_indicator_in_catalogue_order(cat):
    # nv_so_luong is broken down by cap_nhiem_vu: quoc_gia, tinh, co_so, then the total row,
    # as in the form and the chapter's table (not alphabetically: co_so, quoc_gia, tinh).
    parts = [p.code for p in cat.parts_of(cat.indicator_by_code["nv_so_luong"])]
    assert parts == ["quoc_gia", "tinh", "co_so", "total"]
    values = [_value("nv_so_luong", p, 2015, n, unit="QLKH", file="QLKH.xlsx", sheet="I.2")
              for p, n in (("total", 58), ("co_so", 37), ("tinh", 12), ("quoc_gia", 9))]

    df = merge(cat, values)

    assert list(df["breakdown"]) == parts
    assert list(df["breakdown_label"]) == ["Cấp quốc gia", "Cấp tỉnh", "Cấp cơ sở", "Tổng số"]


def test_merge_of_nothing_is_an_empty_table_with_the_columns(cat):
    for empty in ((), []):
        df = merge(cat, empty)
        assert isinstance(df, pd.DataFrame)
        assert list(df.columns) == MERGED_COLUMNS
        assert len(df) == 0


# --- derive --------------------------------------------------------------------------------
def _merged(rows: list[tuple[str, str, int, float, str]]) -> pd.DataFrame:
    """A merged table by hand: (indicator, breakdown, year, value, cell) rows of KHTC.xlsx."""
    labels = {"chi_nsdp": "Tổng chi ngân sách địa phương", "chi_khcn": "Chi ngân sách cho KH&CN"}
    out = []
    for indicator, breakdown, year, value, cell in rows:
        out.append({
            "unit": "KHTC", "unit_name": "Phòng Kế hoạch Tài chính", "item": "I.1",
            "indicator": indicator, "indicator_label": labels[indicator],
            "breakdown": breakdown, "breakdown_label": "Tổng số" if indicator == "chi_khcn"
            else "", "measure": "triệu đồng", "year": year, "value": value,
            "status": "Chính thức", "note": "", "file": "KHTC.xlsx", "sheet": "I.1",
            "cell": cell, "file_hash": "0" * 64,
        })
    return pd.DataFrame(out, columns=MERGED_COLUMNS)


def _is_missing(value: object) -> bool:
    # derive's docstring promises None; inside a DataFrame column that also holds floats,
    # pandas stores it as NaN. Either way there must be no number.
    return value is None or bool(pd.isna(value))


@pytest.fixture()
def derived(cat) -> pd.DataFrame:
    merged = _merged([
        # 2011: both inputs.
        ("chi_nsdp", "total", 2011, 9_000_000, "E6"),
        ("chi_khcn", "total", 2011, 45_000, "E9"),
        # 2012: the denominator is 0.
        ("chi_nsdp", "total", 2012, 0, "F6"),
        ("chi_khcn", "total", 2012, 50_000, "F9"),
        # 2013: chi_nsdp missing.
        ("chi_khcn", "total", 2013, 52_000, "G9"),
        # 2014: only a part of chi_khcn, not its total; chi_nsdp present.
        ("chi_khcn", "dtpt", 2014, 20_000, "H7"),
        ("chi_nsdp", "total", 2014, 10_000_000, "H6"),
    ])
    return derive(cat, merged).yearly


def _row(derived: pd.DataFrame, code: str, year: int) -> pd.Series:
    hit = derived[(derived["derived"] == code) & (derived["year"] == year)]
    assert len(hit) == 1, (code, year)
    return hit.iloc[0]


def test_derive_has_one_row_per_derived_and_actual_year(cat, derived):
    assert list(derived.columns) == DERIVED_COLUMNS
    expected = [(d.code, y) for d in cat.derived for y in cat.years.actual]
    assert list(zip(derived["derived"], derived["year"])) == expected
    assert {d.code for d in cat.derived} >= {"ty_le_chi_khcn", "chenh_lech_muc_2pct"}


def test_share_of_budget_worked_by_hand(derived):
    # 2011: chi_khcn.total / chi_nsdp × 100 = 45.000 / 9.000.000 × 100 = 0,5 (%);
    # against the 2% floor: 0,5 − 2 = −1,5 (điểm %).
    share = _row(derived, "ty_le_chi_khcn", 2011)
    assert share["value"] == pytest.approx(0.5)
    assert share["note"] == ""
    # The cells used, in the formula's order: numerator, then denominator.
    assert tuple(share["sources"]) == ("KHTC.xlsx › I.1!E9", "KHTC.xlsx › I.1!E6")

    gap = _row(derived, "chenh_lech_muc_2pct", 2011)
    assert gap["value"] == pytest.approx(-1.5)
    assert gap["note"] == ""
    # A value derived from a derived value carries the original cells.
    assert tuple(gap["sources"]) == ("KHTC.xlsx › I.1!E9", "KHTC.xlsx › I.1!E6")


def test_zero_denominator_gives_no_value_and_a_note(derived):
    share = _row(derived, "ty_le_chi_khcn", 2012)
    assert _is_missing(share["value"])
    assert "bằng 0" in share["note"]
    assert share["note"] == "Tổng chi ngân sách địa phương năm 2012 bằng 0, không chia được"
    # The gap to 2% cannot be computed either, and says which input is missing.
    gap = _row(derived, "chenh_lech_muc_2pct", 2012)
    assert _is_missing(gap["value"])
    assert gap["note"].startswith("thiếu số liệu")
    assert "Tỷ lệ chi KH&CN trong tổng chi NSĐP" in gap["note"]
    assert "2012" in gap["note"]


def test_missing_input_gives_no_value_and_a_note(derived):
    share = _row(derived, "ty_le_chi_khcn", 2013)
    assert _is_missing(share["value"])
    assert share["note"] == "thiếu số liệu 'Tổng chi ngân sách địa phương' năm 2013"

    # A part is not the total: chi_khcn.total is missing in 2014.
    share = _row(derived, "ty_le_chi_khcn", 2014)
    assert _is_missing(share["value"])
    assert share["note"] == "thiếu số liệu 'Chi ngân sách cho KH&CN' năm 2014"

    # A year with no data at all.
    share = _row(derived, "ty_le_chi_khcn", 2019)
    assert _is_missing(share["value"])
    assert share["note"].startswith("thiếu số liệu")
    assert tuple(share["sources"]) == ()


def test_only_the_computable_year_has_a_value(derived):
    share = derived[derived["derived"] == "ty_le_chi_khcn"]
    computed = [int(r.year) for r in share.itertuples(index=False) if not _is_missing(r.value)]
    assert computed == [2011]


def test_derive_on_an_empty_merged_table(cat):
    out = derive(cat, pd.DataFrame(columns=MERGED_COLUMNS)).yearly
    assert list(out.columns) == DERIVED_COLUMNS
    assert len(out) == len(cat.derived) * len(cat.years.actual)
    assert all(_is_missing(v) for v in out["value"])
    assert all(n.startswith("thiếu số liệu") for n in out["note"])


def test_merge_then_derive(cat):
    values = [_value("chi_nsdp", "total", 2019, 17_420_000, cell="M6"),
              _value("chi_khcn", "total", 2019, 90_600, cell="M9")]
    out = derive(cat, merge(cat, values)).yearly
    # 90.600 / 17.420.000 × 100 = 0,52009...; 0,52009 − 2 = −1,47991...
    assert _row(out, "ty_le_chi_khcn", 2019)["value"] == pytest.approx(0.520091848)
    assert _row(out, "chenh_lech_muc_2pct", 2019)["value"] == pytest.approx(-1.479908152)
