"""Checks across cells: the catalogue's declared rules and the built-in consistency checks.

Declared rules follow DHIS2's validation-rule design: a left side, an operator, a right side
(expressions over indicators, parsed safely by catalogue/formula.py), an importance, a missing-value
strategy and a Vietnamese instruction. Built-in checks come from indicator properties: parts
of a breakdown may not exceed their total, percent parts of one whole may not exceed 100%,
cumulative counts may not fall, and a year-on-year jump beyond a factor or k standard
deviations of the unit's own series is a warning showing both values.

Each check is a generator of findings over the values that passed the cell checks.
"""

from __future__ import annotations

import math
import operator
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator

from pipeline.catalogue.formula import Formula, MissingInput, evaluate, parse_formula
from pipeline.catalogue.layout import row_key
from pipeline.catalogue.model import TOTAL, Catalogue, Indicator, Rule
from pipeline.core import findings as fnd
from pipeline.core import fmt
from pipeline.core.findings import Finding, Severity
from pipeline.core.records import Value

SEVERITY = {"loi": Severity.ERROR, "canh_bao": Severity.WARNING, "thong_tin": Severity.INFO}
_OPS: dict[str, tuple[Callable[[float, float], bool], str]] = {
    "<=": (operator.le, "nhỏ hơn hoặc bằng"),
    "<": (operator.lt, "nhỏ hơn"),
    ">=": (operator.ge, "lớn hơn hoặc bằng"),
    ">": (operator.gt, "lớn hơn"),
    "==": (operator.eq, "bằng"),
    "!=": (operator.ne, "khác"),
}

Key = tuple[str, str, int]  # indicator, part, year


def _index(values: Iterable[Value]) -> dict[Key, Value]:
    return {(v.indicator, v.breakdown, v.year): v for v in values}


def _shown(ind: Indicator, value: float) -> str:
    decimals = ind.decimals if not value.is_integer() or ind.type != "integer" else 0
    return fmt.number(value, decimals)


def _label(cat: Catalogue, indicator: str, part: str) -> str:
    ind = cat.indicator_by_code[indicator]
    label = cat.part_label(indicator, part) if part != TOTAL else ""
    return ind.label + (f" – {label}" if label else "")


def _compare(op: str, left: float, right: float, tolerance: float) -> bool:
    if op in ("==", "!="):
        equal = math.isclose(left, right, abs_tol=max(tolerance, 1e-9))
        return equal if op == "==" else not equal
    if op in ("<=", "<"):
        return _OPS[op][0](left - tolerance, right)
    return _OPS[op][0](left + tolerance, right)


def check_rule(cat: Catalogue, rule: Rule, values: dict[Key, Value]) -> Iterator[Finding]:
    """One declared rule, for every year any of its indicators asks."""
    left, right = parse_formula(rule.left), parse_formula(rule.right)
    refs = left.refs + right.refs
    years = sorted({y for code, _ in refs for y in cat.years_of(cat.indicator_by_code[code])})
    for year in years:
        present = [values.get((c, p, year)) for c, p in refs]
        have = [v for v in present if v is not None]
        if rule.missing == "skip_if_any_missing" and len(have) < len(present):
            continue
        if rule.missing == "skip_if_all_missing" and not have:
            continue

        def lookup(ref: tuple[str, str], year: int = year) -> float:
            v = values.get((ref[0], ref[1], year))
            return v.value if v is not None else 0.0

        try:
            lv, rv = evaluate(left.tree, lookup), evaluate(right.tree, lookup)
        except MissingInput:  # a zero denominator: nothing to compare
            continue
        if _compare(rule.op, lv, rv, rule.tolerance):
            continue
        # Point at the first value of the year; with none (never_skip), at the sheet of any
        # year's value of the same indicators, without a cell.
        anchor = have[0] if have else next(
            (v for (c, p, _y), v in values.items() if (c, p) in refs), None)
        yield fnd.make(
            "rule_failed", anchor.file if anchor else "", severity=SEVERITY[rule.importance],
            sheet=anchor.sheet if anchor else "", cell=have[0].cell if have else "",
            unit=anchor.unit if anchor else "", indicator=rule.code, year=year,
            value=fmt.shown(round(lv, 6)),
            left_label=rule.left_label or _side_label(cat, left),
            right_label=rule.right_label or _side_label(cat, right),
            left=fmt.shown(round(lv, 6)), right=fmt.shown(round(rv, 6)),
            op_text=_OPS[rule.op][1],
            instruction=rule.instruction)


def _side_label(cat: Catalogue, formula: Formula) -> str:
    """The indicator's label when a side is one reference, else the expression itself."""
    if len(formula.refs) == 1:
        code, part = formula.refs[0]
        if formula.text.strip() in (code, f"{code}.{part}"):
            return _label(cat, code, part)
    return formula.text


def check_parts(cat: Catalogue, values: dict[Key, Value]) -> Iterator[Finding]:
    """Parts not above their total; percent parts of one whole not above 100%."""
    present = {code for code, _part, _year in values}
    for ind in cat.indicator_by_code.values():
        if ind.breakdown is None or ind.code not in present:
            continue
        parts = [p.code for p in cat.parts_of(ind) if p.code != TOTAL]
        # Each part typed to `decimals` may be off by half a unit of its last digit.
        rounding = 0.5 * 10 ** -ind.decimals * len(parts)
        for year in cat.years_of(ind):
            got = [values[(ind.code, p, year)] for p in parts if (ind.code, p, year) in values]
            if not got:
                continue
            total_sum = sum(v.value for v in got)
            total = values.get((ind.code, TOTAL, year))
            if ind.with_total and total is not None and total_sum > total.value + 1e-6:
                yield fnd.make("parts_exceed_total", total.file, sheet=total.sheet,
                               cell=total.cell, unit=total.unit, indicator=ind.code,
                               year=year, value=_shown(ind, total.value), label=ind.label,
                               parts=_shown(ind, total_sum), total=_shown(ind, total.value))
            elif not ind.with_total and ind.type == "percent" and total_sum > 100 + rounding:
                first = got[0]
                yield fnd.make("parts_over_100", first.file, sheet=first.sheet,
                               cell=first.cell, unit=first.unit, indicator=ind.code,
                               year=year, value=fmt.number(total_sum, 1), label=ind.label,
                               parts=fmt.number(total_sum, 1))


def _series(values: Iterable[Value]) -> dict[tuple[str, str, str], list[Value]]:
    out: dict[tuple[str, str, str], list[Value]] = defaultdict(list)
    for v in values:
        out[(v.unit, v.indicator, v.breakdown)].append(v)
    for series in out.values():
        series.sort(key=lambda v: v.year)
    return out


def check_series(cat: Catalogue, values: Iterable[Value]) -> Iterator[Finding]:
    """Cumulative counts that fall, and year-on-year outliers, on actual years."""
    conf = cat.checks
    actual = set(cat.years.actual)
    for (_unit, code, part), series in _series(values).items():
        ind = cat.indicator_by_code[code]
        series = [v for v in series if v.year in actual]
        if ind.cumulative:
            for before, after in zip(series, series[1:]):
                if after.value < before.value:
                    yield _pair_finding("cumulative_decrease", ind, _label(cat, code, part),
                                        before, after)
        if not ind.outliers or ind.low < 0 or len(series) < 3:
            continue
        if max(v.value for v in series) < conf.outlier_min:
            continue
        def jump(a: Value, b: Value) -> bool:
            return (b.year == a.year + 1 and max(a.value, b.value) >= conf.outlier_min
                    and a.value > 0 and b.value > 0
                    and max(b.value / a.value, a.value / b.value) > conf.outlier_factor)

        # A value can only be far from the others (k deviations of the series without it)
        # when its distance d from the whole series' mean has d² > k²·V·(n−1)/(n+k²), V the
        # whole series' variance: only such values are checked against the others one by one.
        n, k = len(series), conf.outlier_sigma
        whole = math.fsum(v.value for v in series) / n
        variance = math.fsum((v.value - whole) ** 2 for v in series) / n
        bound = 0.9 * k * k * variance * (n - 1) / (n + k * k)  # 10% margin for rounding
        for i, cur in enumerate(series):
            prev = series[i - 1] if i > 0 else None
            nxt = series[i + 1] if i + 1 < len(series) else None
            # A spike: a jump from the year before and back the year after (a lasting step
            # is a change, not a typo); or, anywhere, a value far from the rest of its series.
            spike = prev is not None and nxt is not None and jump(prev, cur) and jump(cur, nxt)
            far = False
            if n >= 4 and (cur.value - whole) ** 2 > bound:
                others = [v.value for j, v in enumerate(series) if j != i]
                mean = math.fsum(others) / len(others)
                spread = math.sqrt(math.fsum((x - mean) ** 2 for x in others) / len(others))
                far = spread > 0 and abs(cur.value - mean) > k * spread
            if spike or far:  # shown beside the year before (the year after, for the first)
                yield _pair_finding("outlier", ind, _label(cat, code, part), prev or nxt or cur,
                                    cur)


def _pair_finding(code: str, ind: Indicator, label: str, prev: Value, cur: Value) -> Finding:
    return fnd.make(code, cur.file, sheet=cur.sheet, cell=cur.cell, unit=cur.unit,
                    indicator=row_key(ind.code, cur.breakdown),
                    year=cur.year, value=_shown(ind, cur.value), label=label,
                    prev_year=prev.year, prev=_shown(ind, prev.value))


def rule_units(cat: Catalogue, rule: Rule) -> frozenset[str]:
    """The units whose indicators a declared rule reads."""
    refs = parse_formula(rule.left).refs + parse_formula(rule.right).refs
    return frozenset(cat.item_of_indicator[code].unit for code, _ in refs)


def check_unit(cat: Catalogue, unit: str, values: list[Value]) -> list[Finding]:
    """The checks one unit's own values decide: declared rules over its indicators only,
    parts against totals, cumulative counts and outliers. Run with the unit's workbook."""
    index = _index(values)
    out: list[Finding] = []
    for rule in cat.rules:
        if rule_units(cat, rule) == {unit}:
            out.extend(check_rule(cat, rule, index))
    out.extend(check_parts(cat, index))
    out.extend(check_series(cat, values))
    return out


def check_across(cat: Catalogue, values: list[Value]) -> list[Finding]:
    """Declared rules that read the indicators of two or more units, over all values."""
    index = _index(values)
    out: list[Finding] = []
    for rule in cat.rules:
        if len(rule_units(cat, rule)) > 1:
            out.extend(check_rule(cat, rule, index))
    return out


def check_all(cat: Catalogue, values: list[Value]) -> list[Finding]:
    """Every cross-cell check over the values of all units (one workbook per unit)."""
    out: list[Finding] = []
    for unit in dict.fromkeys(v.unit for v in values):
        out.extend(check_unit(cat, unit, [v for v in values if v.unit == unit]))
    out.extend(check_across(cat, values))
    return out
