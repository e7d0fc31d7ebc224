"""pipeline/render/values.py: Values.of on a small merged table (KHTC's budget 2016-2019,
values made by hand) and its derivation, and the lookups by table column: year, period,
source cells and the statuses units chose."""

from __future__ import annotations

import pytest

from pipeline.catalogue.model import ColumnRef
from pipeline.core.records import Value
from pipeline.derive import derive
from pipeline.merge import merge
from pipeline.render.values import Values

H = "ab" * 32


def _v(indicator: str, part: str, year: int, value: float, cell: str) -> Value:
    return Value("KHTC", indicator, part, year, value, "", "", "KHTC.xlsx", "I.1", cell, H)


# chi_nsdp (row 6) and chi_khcn's total (row 9), 2016-2019 in columns J-M; dtpt in 2019 only.
VALUES = [
    _v("chi_nsdp", "total", 2016, 5_000_000.0, "J6"),
    _v("chi_nsdp", "total", 2017, 6_000_000.0, "K6"),
    _v("chi_nsdp", "total", 2018, 8_000_000.0, "L6"),
    _v("chi_nsdp", "total", 2019, 10_000_000.0, "M6"),
    _v("chi_khcn", "total", 2016, 10_000.0, "J9"),
    _v("chi_khcn", "total", 2017, 15_000.0, "K9"),
    _v("chi_khcn", "total", 2018, 20_000.0, "L9"),
    _v("chi_khcn", "total", 2019, 30_000.0, "M9"),
    _v("chi_khcn", "dtpt", 2019, 12_000.0, "M7"),
]


@pytest.fixture(scope="module")
def values(cat) -> Values:
    merged = merge(cat, VALUES)
    return Values.of(merged, derive(cat, merged))


def test_year_of_an_indicator_column(values):
    assert values.year(ColumnRef(indicator="chi_nsdp"), 2019) == 10_000_000.0
    assert values.year(ColumnRef(indicator="chi_nsdp"), 2016) == 5_000_000.0
    assert values.year(ColumnRef(indicator="chi_khcn", part="dtpt"), 2019) == 12_000.0


def test_a_column_without_part_is_the_total(values):
    assert values.year(ColumnRef(indicator="chi_khcn"), 2019) == 30_000.0
    assert values.year(ColumnRef(indicator="chi_khcn", part="total"), 2019) == 30_000.0


def test_year_without_a_value_is_none(values):
    assert values.year(ColumnRef(indicator="chi_nsdp"), 2015) is None
    assert values.year(ColumnRef(indicator="chi_khcn", part="dtpt"), 2018) is None
    assert values.year(ColumnRef(indicator="chi_khcn", part="su_nghiep"), 2019) is None
    assert values.year(ColumnRef(indicator="csvc_thiet_bi"), 2019) is None


def test_year_of_a_derived_column(values):
    col = ColumnRef(derived="ty_le_chi_khcn")  # chi_khcn.total / chi_nsdp * 100
    assert values.year(col, 2016) == pytest.approx(0.2)
    assert values.year(col, 2017) == pytest.approx(0.25)
    assert values.year(col, 2019) == pytest.approx(0.3)
    assert values.year(col, 2015) is None  # no inputs: not kept
    assert values.year(ColumnRef(derived="chenh_lech_muc_2pct"), 2019) == pytest.approx(-1.7)


def test_period_of_an_indicator_column(values):
    # A level's period figure is the sum of its years.
    assert values.period(ColumnRef(indicator="chi_nsdp"), "2016-2019") == 29_000_000.0
    assert values.period(ColumnRef(indicator="chi_khcn"), "2016-2019") == 75_000.0
    assert values.period(ColumnRef(indicator="chi_nsdp"), "2011-2015") is None
    assert values.period(ColumnRef(indicator="chi_khcn", part="dtpt"), "2016-2019") is None


def test_period_of_a_derived_column(values):
    # The share of the period: 75.000 / 29.000.000 × 100, not the mean of the yearly shares.
    col = ColumnRef(derived="ty_le_chi_khcn")
    assert values.period(col, "2016-2019") == pytest.approx(0.2586207, abs=1e-7)
    assert values.period(col, "2011-2015") is None


def test_source_cells_of_an_indicator_column(values):
    assert values.cells_of(ColumnRef(indicator="chi_nsdp")) == [
        ("KHTC.xlsx", "I.1", "J6", 2016), ("KHTC.xlsx", "I.1", "K6", 2017),
        ("KHTC.xlsx", "I.1", "L6", 2018), ("KHTC.xlsx", "I.1", "M6", 2019)]
    assert values.cells_of(ColumnRef(indicator="chi_khcn", part="dtpt")) == [
        ("KHTC.xlsx", "I.1", "M7", 2019)]


def test_source_cells_of_a_derived_or_empty_column(values):
    assert values.cells_of(ColumnRef(derived="ty_le_chi_khcn")) == []
    assert values.cells_of(ColumnRef(indicator="csvc_thiet_bi")) == []


def test_the_lookups_as_built(values):
    assert values.yearly[("chi_khcn", "dtpt", 2019)] == 12_000.0
    assert len(values.yearly) == 9
    assert values.derived[("ty_le_chi_khcn", 2018)] == pytest.approx(0.25)
    assert values.periods[("chi_nsdp", "2016-2019")] == 29_000_000.0


def test_values_of_an_empty_table(cat):
    merged = merge(cat, [])
    values = Values.of(merged, derive(cat, merged))

    assert (values.yearly, values.cells, values.derived, values.periods,
            values.statuses) == ({}, {}, {}, {}, {})
    assert values.year(ColumnRef(indicator="chi_nsdp"), 2019) is None


def test_statuses_the_unit_chose_are_kept_per_indicator_part(cat):
    marked = [
        Value("KHTC", "chi_nsdp", "total", 2018, 8.0, "Ước tính", "", "KHTC.xlsx", "I.1", "L6", H),
        Value("KHTC", "chi_nsdp", "total", 2019, 9.0, "Ước tính", "", "KHTC.xlsx", "I.1", "M6", H),
        Value("KHTC", "chi_khcn", "dtpt", 2019, 1.0, "Chính thức", "", "KHTC.xlsx", "I.1", "M7",
              H),
        Value("KHTC", "chi_khcn", "su_nghiep", 2019, 2.0, "Sơ bộ", "", "KHTC.xlsx", "I.1", "M8",
              H),
        Value("KHTC", "chi_khcn", "total", 2019, 3.0, "", "", "KHTC.xlsx", "I.1", "M9", H),
    ]
    merged = merge(cat, marked, samples=frozenset({"KHTC.xlsx"}))  # "Mẫu – Ước tính"...
    values = Values.of(merged, derive(cat, merged))

    assert values.statuses == {("chi_nsdp", "total"): frozenset({"Ước tính"}),
                               ("chi_khcn", "su_nghiep"): frozenset({"Sơ bộ"})}
    assert values.statuses_of("chi_nsdp") == frozenset({"Ước tính"})
    assert values.statuses_of("chi_khcn", "dtpt") == frozenset()  # "Mẫu": nothing chosen
    assert values.statuses_of("chi_khcn", "total") == frozenset()


def test_statuses_of_a_workbook_that_is_not_a_sample_are_as_typed(cat):
    merged = merge(cat, [
        Value("KHTC", "chi_khcn", "dtpt", 2019, 1.0, "Chính thức", "", "KHTC.xlsx", "I.1", "M7",
              H),
        Value("KHTC", "chi_khcn", "dtpt", 2018, 1.0, "Sơ bộ", "", "KHTC.xlsx", "I.1", "L7", H)])
    values = Values.of(merged, derive(cat, merged))
    assert values.statuses_of("chi_khcn", "dtpt") == frozenset({"Chính thức", "Sơ bộ"})
