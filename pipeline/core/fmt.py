"""Numbers and dates for Vietnamese readers through Babel's `vi` locale: 1.234,5; 0,52%; 10/03/2020.

Nothing in the package formats a number or a date for a reader by hand; the chapter's Jinja
filters and the reports call these.
"""

from __future__ import annotations

import datetime as dt
import math

from babel.dates import format_date
from babel.numbers import format_decimal, format_scientific

LOCALE = "vi"
MISSING = "-"
"""What a table cell shows when there is no value (the table's note explains it)."""


def _pattern(decimals: int) -> str:
    return "#,##0" + ("." + "0" * decimals if decimals > 0 else "")


HUGE = 1e21
"""From here on a number is written in scientific notation ('1,2345678901234568E24'): Babel's
decimal patterns cannot round a number this large to its decimals (decimal.InvalidOperation),
and a formatter must never stop a run, whatever number a file holds."""


def number(value: float | int | None, decimals: int = 0) -> str:
    """1234.5 -> '1.234,5' (with `decimals` digits after the comma)."""
    if value is None or math.isnan(value):  # NaN: pandas' missing value
        return MISSING
    if abs(value) >= HUGE and not math.isinf(value):
        return format_scientific(value, locale=LOCALE)
    return format_decimal(value, format=_pattern(decimals), locale=LOCALE)


def plain(value: float | int | None) -> str:
    """As many decimals as the value has (up to 6), for messages: 150 -> '150', 2.5 -> '2,5'."""
    if value is None or math.isnan(value):  # NaN: pandas' missing value
        return MISSING
    if abs(value) >= HUGE and not math.isinf(value):
        return format_scientific(value, locale=LOCALE)
    return format_decimal(value, format="#,##0.######", locale=LOCALE)


def shown(value: float) -> str:
    """A number read from a unit's cell, for a message: as `plain`, but NaN by its name (the
    cell held 'NaN'; it is not a missing value) and the infinities as '∞' and '-∞'."""
    return "NaN" if math.isnan(value) else plain(value)


def percent(value: float | None, decimals: int = 2) -> str:
    """A value already in percent: 0.52 -> '0,52%'."""
    if value is None or math.isnan(value):  # NaN: pandas' missing value
        return MISSING
    return format_decimal(value, format=_pattern(decimals), locale=LOCALE) + "%"


def signed(value: float | None, decimals: int = 2) -> str:
    """-1.48 -> '-1,48'; 0.5 -> '+0,50' (differences in percentage points)."""
    if value is None or math.isnan(value):  # NaN: pandas' missing value
        return MISSING
    text = format_decimal(value, format=_pattern(decimals), locale=LOCALE)
    return text if text.startswith("-") or value == 0 else "+" + text


def megabytes(size: int) -> str:
    """A size in bytes for a reader, in whole megabytes (at least 1): '1.234 MB'."""
    return f"{number(max(1, round(size / (1024 * 1024))))} MB"


def date(value: dt.date | None) -> str:
    """dd/mm/yyyy."""
    if value is None:
        return MISSING
    return format_date(value, "dd/MM/yyyy", locale=LOCALE)


def day_month(value: dt.date) -> str:
    """dd/mm, for a date whose year the reader knows ('còn hạn đến 25/03')."""
    return format_date(value, "dd/MM", locale=LOCALE)


def long_date(value: dt.date) -> str:
    """'ngày 25 tháng 3 năm 2020', as Decree 30/2020 writes it (day < 10 and months 1-2
    with a leading zero)."""
    month = f"{value.month:02d}" if value.month < 3 else str(value.month)
    return f"ngày {value.day:02d} tháng {month} năm {value.year}"
