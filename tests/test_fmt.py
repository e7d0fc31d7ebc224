"""Unit tests of pipeline/core/fmt.py: numbers, percentages, signed differences and dates
as Vietnamese readers write them (Babel's `vi` locale), and "-" for a missing value."""

from __future__ import annotations

import datetime as dt
import math

import pytest

from pipeline.core import fmt


@pytest.mark.parametrize(("value", "decimals", "text"), [
    (1234.5, 1, "1.234,5"),
    (1234567, 0, "1.234.567"),
    (1234567.891, 2, "1.234.567,89"),
    (0, 0, "0"),
    (0, 2, "0,00"),
    (12, 2, "12,00"),
    (0.52, 2, "0,52"),
    (999.96, 1, "1.000,0"),
    (-1234.5, 1, "-1.234,5"),
    (-7, 0, "-7"),
    (1234.44, 0, "1.234"),
    (1234.56, 0, "1.235"),
])
def test_number(value: float, decimals: int, text: str):
    assert fmt.number(value, decimals) == text


def test_number_defaults_to_no_decimals():
    assert fmt.number(9876.4) == "9.876"


def test_number_of_none_is_a_dash():
    assert fmt.number(None) == "-"
    assert fmt.number(None, 2) == "-"


@pytest.mark.parametrize(("value", "text"), [
    (150, "150"), (2.5, "2,5"), (0.125, "0,125"), (1234567.25, "1.234.567,25"),
    (100000000, "100.000.000"), (-50, "-50"), (1.1234567, "1,123457"), (None, "-"),
])
def test_plain_shows_the_decimals_the_value_has(value: float | None, text: str):
    assert fmt.plain(value) == text


@pytest.mark.parametrize(("value", "decimals", "text"), [
    (0.52, 2, "0,52%"), (2, 2, "2,00%"), (45.678, 1, "45,7%"), (75, 0, "75%"),
    (1234.5, 1, "1.234,5%"), (-3.25, 2, "-3,25%"), (None, 2, "-"),
])
def test_percent(value: float | None, decimals: int, text: str):
    assert fmt.percent(value, decimals) == text


def test_percent_defaults_to_two_decimals():
    assert fmt.percent(1.5) == "1,50%"


@pytest.mark.parametrize(("value", "decimals", "text"), [
    (-1.48, 2, "-1,48"), (0.5, 2, "+0,50"), (0, 2, "0,00"), (1234.5, 1, "+1.234,5"),
    (-0.26, 1, "-0,3"), (None, 2, "-"),
])
def test_signed(value: float | None, decimals: int, text: str):
    assert fmt.signed(value, decimals) == text


@pytest.mark.parametrize(("day", "text"), [
    (dt.date(2020, 3, 10), "10/03/2020"), (dt.date(2020, 12, 1), "01/12/2020"),
    (dt.date(2019, 1, 31), "31/01/2019"),
])
def test_date_is_dd_mm_yyyy(day: dt.date, text: str):
    assert fmt.date(day) == text


def test_date_of_none_is_a_dash():
    assert fmt.date(None) == "-"


def test_date_of_a_datetime_is_its_day():
    assert fmt.date(dt.datetime(2020, 3, 25, 16, 30)) == "25/03/2020"


@pytest.mark.parametrize(("day", "text"), [
    (dt.date(2020, 3, 25), "ngày 25 tháng 3 năm 2020"),
    (dt.date(2020, 3, 5), "ngày 05 tháng 3 năm 2020"),
    (dt.date(2020, 2, 14), "ngày 14 tháng 02 năm 2020"),
    (dt.date(2020, 1, 9), "ngày 09 tháng 01 năm 2020"),
    (dt.date(2020, 12, 31), "ngày 31 tháng 12 năm 2020"),
    (dt.date(2020, 10, 1), "ngày 01 tháng 10 năm 2020"),
])
def test_long_date_as_decree_30_writes_it(day: dt.date, text: str):
    assert fmt.long_date(day) == text


def test_nan_is_shown_like_a_missing_value():
    nan = math.nan
    assert (fmt.number(nan, 1), fmt.percent(nan), fmt.signed(nan), fmt.plain(nan)) == (
        "-", "-", "-", "-")


@pytest.mark.parametrize(("value", "shown"), [
    (1234.5, "1.234,5"),
    (-0.25, "-0,25"),
    (1e20, "100.000.000.000.000.000.000"),
    (1e21, "1E21"),  # from here Babel's six-decimal pattern would raise
    (-1.5e300, "-1,5E300"),
    (math.inf, "∞"),
    (-math.inf, "-∞"),
    (math.nan, "NaN"),
])
def test_shown_shows_any_float_a_cell_can_hold(value, shown):
    assert fmt.shown(value) == shown


@pytest.mark.parametrize("value", [1e22, -1.5e300, 1e308])
def test_number_and_plain_never_fail_on_a_huge_value(value):
    assert fmt.number(value, 2) == fmt.plain(value) == fmt.shown(value)
    assert "E" in fmt.number(value)
