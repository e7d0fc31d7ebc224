"""Derive: everything computed from the merged table, by the catalogue's formulas and methods.

- yearly values of each derived indicator (the S&T share of the budget and its gap to the 2%
  floor, TFP growth and the contributions of capital, labour and TFP to GRDP growth);
- period figures (2011-2015, 2016-2019 and any declared period) of every indicator, by the
  method its nature gives (a flow's sum, a stock's last year, none for tasks in progress, the
  declared mean, average growth or last year of a rate or ratio), with the compound annual
  growth of levels,
  and of every derived indicator (its formula on the inputs' period figures, or the mean of its
  yearly values, as the catalogue says);
- year-on-year growth of every level indicator (flows and stocks);
- the targets of 2025 and 2030 against the latest actual: đạt / chưa đạt, the gap, the yearly
  change needed, and a linear trend projection labelled as such.

A missing input or a zero denominator gives no value and a finding (information), never an
exception; every derived value carries the cells it came from.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import TypedDict

import pandas as pd

from pipeline.catalogue.formula import MissingInput, Ref, evaluate, parse_formula
from pipeline.catalogue.layout import row_key
from pipeline.catalogue.model import (
    TOTAL,
    Catalogue,
    Item,
    LandDemand,
    Period,
    PeriodMethod,
    TargetRow,
)
from pipeline.core import findings as fnd
from pipeline.core import fmt
from pipeline.core.findings import Finding
from pipeline.merge import rows_of

DERIVED_COLUMNS = ["derived", "year", "value", "sources", "note"]
PERIOD_COLUMNS = ["key", "kind", "period", "method", "value", "cagr", "sources", "note"]
GROWTH_COLUMNS = ["indicator", "breakdown", "year", "growth"]

Series = dict[int, tuple[float, tuple[str, ...]]]  # year -> (value, source cells)


class YearlyRow(TypedDict):
    """A row of Derivation.yearly (DERIVED_COLUMNS)."""

    derived: str
    year: int
    value: float | None
    sources: tuple[str, ...]
    note: str


class PeriodRow(TypedDict):
    """A row of Derivation.periods (PERIOD_COLUMNS)."""

    key: str
    kind: str  # "indicator" or "derived"
    period: str
    method: str
    value: float | None
    cagr: float | None
    sources: tuple[str, ...]
    note: str


class GrowthRow(TypedDict):
    """A row of Derivation.growth (GROWTH_COLUMNS)."""

    indicator: str
    breakdown: str
    year: int
    growth: float


@dataclass(frozen=True)
class TargetStatus:
    item: str  # code of the content item whose targets table holds this row
    label: str  # Vietnamese label (with part and reference)
    measure: str
    decimals: int
    current: float | None  # latest actual (or period figure)
    current_when: str  # "2019" or "2016-2019"
    targets: tuple[tuple[int, float | None], ...]  # (target year, target value)
    projection: tuple[tuple[int, float], ...]  # linear trend at the target years, or ();
    # never clipped: a trend leaving [low, high] is said so in the verdict
    verdict: str  # Vietnamese: đạt / chưa đạt, gap, yearly change needed, projection
    name: str = ""  # the label without the reference
    reference: str = ""  # national or legal reference, in Vietnamese ("" when none)
    indicator: str = ""  # code of the target indicator
    part: str = TOTAL  # its breakdown part
    base_year: int | None = None  # the year the current figure is of (a period's last year)
    low: float = 0.0  # the indicator's possible range
    high: float | None = None

    @property
    def outside(self) -> tuple[tuple[int, float], ...]:
        """The projected points that leave the indicator's possible range."""
        return tuple((y, v) for y, v in self.projection
                     if v < self.low or (self.high is not None and v > self.high))

    def bound_crossed(self, value: float) -> float:
        """The end of the possible range a value outside it has crossed."""
        return self.high if self.high is not None and value > self.high else self.low

    @property
    def known(self) -> tuple[tuple[int, float], ...]:
        """The targets proposed, (year, value), in year order."""
        return tuple((y, g) for y, g in self.targets if g is not None)

    @property
    def reached(self) -> tuple[tuple[int, float], ...]:
        """The targets at or below the current figure: already met before they are due."""
        current = self.current
        return () if current is None else tuple((y, g) for y, g in self.known if g <= current)

    @property
    def falling(self) -> tuple[tuple[tuple[int, float], tuple[int, float]], ...]:
        """(earlier, later) pairs of consecutive targets where the later one is lower."""
        return tuple((a, b) for a, b in zip(self.known, self.known[1:]) if b[1] < a[1])

    def yearly_change(self, year: int) -> float | None:
        """The constant yearly change that leads from the current figure to the target of
        `year` (in the measure per year; points for a percentage), or None."""
        goal, base = dict(self.targets).get(year), self.base_year
        if goal is None or base is None or self.current is None or year <= base:
            return None
        return (goal - self.current) / (year - base)


@dataclass(frozen=True)
class Derivation:
    yearly: pd.DataFrame  # DERIVED_COLUMNS: one row per derived indicator and actual year
    periods: pd.DataFrame  # PERIOD_COLUMNS: one row per (indicator part or derived, period)
    growth: pd.DataFrame  # GROWTH_COLUMNS: year-on-year growth of level indicators, in %
    targets: tuple[TargetStatus, ...]  # rows of the targets table, in catalogue order
    findings: tuple[Finding, ...]  # values that could not be computed, and why
    land: pd.DataFrame | None = None  # land demand (ha): location × land type, with totals,
    # of the list input that declares `land_demand` in the catalogue

    def period_value(self, key: str, period: str) -> float | None:
        hit = self.periods[(self.periods["key"] == key) & (self.periods["period"] == period)]
        if hit.empty or pd.isna(hit.iloc[0]["value"]):
            return None
        return float(hit.iloc[0]["value"])


def _series_of(merged: pd.DataFrame) -> dict[Ref, Series]:
    out: dict[Ref, Series] = defaultdict(dict)
    for indicator, breakdown, year, value, file, sheet, cell in rows_of(
            merged, "indicator", "breakdown", "year", "value", "file", "sheet", "cell"):
        out[(indicator, breakdown)][int(year)] = (float(value), (f"{file} › {sheet}!{cell}",))
    return out


def _labels(cat: Catalogue) -> dict[str, str]:
    return {**{c: i.label for c, i in cat.indicator_by_code.items()},
            **{c: d.label for c, d in cat.derived_by_code.items()},
            **{c: c for c in cat.parameters}}


def _reason(m: MissingInput, labels: dict[str, str], when: str) -> str:
    name = labels.get(m.ref[0], m.ref[0])
    return (f"{name} {when} bằng 0, không chia được" if m.zero_division
            else f"thiếu số liệu '{name}' {when}")


def _yearly(cat: Catalogue, series: dict[Ref, Series],
            labels: dict[str, str]) -> list[YearlyRow]:
    """Every derived indicator for every actual year; results join `series` for later ones."""
    out: list[YearlyRow] = []
    for d in cat.derived:
        formula = parse_formula(d.formula)
        for year in cat.years.actual:
            sources: list[str] = []

            def lookup(ref: Ref, year: int = year, sources: list[str] = sources) -> float | None:
                if ref[0] in cat.parameters:
                    return cat.parameters[ref[0]]
                hit = series.get(ref, {}).get(year)
                if hit is None:
                    return None
                sources.extend(s for s in hit[1] if s not in sources)
                return hit[0]

            try:
                value: float | None = evaluate(formula.tree, lookup)
                note = ""
            except MissingInput as m:
                value, note = None, _reason(m, labels, f"năm {year}")
            out.append({"derived": d.code, "year": year, "value": value,
                        "sources": tuple(sources), "note": note})
            if value is not None:
                series[(d.code, TOTAL)][year] = (value, tuple(sources))
    return out


def aggregate(method: str, values: list[float]) -> float:
    """A period figure from the yearly values the method needs, in order (every year of the
    period; for "last", at least the last). "none" (a task in progress) has no figure."""
    if method == "sum":
        return math.fsum(values)
    if method == "last":
        return values[-1]
    if method == "growth_mean":  # average growth rate: geometric mean of (1 + g)
        product = math.prod(1 + v / 100 for v in values)
        if product <= 0:
            raise ValueError("growth below -100%")
        return (product ** (1 / len(values)) - 1) * 100
    if method == "mean":
        return math.fsum(values) / len(values)
    raise LookupError(f"no period figure by method {method!r}")


def cagr(first: float, last: float, years: int) -> float | None:
    """Compound annual growth in % from `first` to `last` over `years` steps."""
    if years <= 0 or first <= 0 or last <= 0:
        return None
    ratio: float = (last / first) ** (1 / years)  # a positive base: a real root
    return (ratio - 1) * 100


NOT_SUMMED = "không cộng qua các năm (số đang thực hiện)"  # the note of an in_progress period


def _indicator_period(method: PeriodMethod, years: list[int], s: Series, row: PeriodRow) -> None:
    """Fill `row` with an indicator part's figure for a period of `years`, by the method its
    nature gives: a flow's sum needs every year; a stock's (or a ratio's) last year needs only
    that year; a task in progress is never added across years; a mean or an average growth
    needs every year. A figure that cannot be made gives a note saying why."""
    if method == "none":
        row["note"] = NOT_SUMMED
        return
    first, last = years[0], years[-1]
    needed = [last] if method == "last" else years
    missing = [y for y in needed if y not in s]
    if missing:
        row["note"] = "thiếu năm " + ", ".join(map(str, missing))
        return
    try:
        row["value"] = aggregate(method, [s[y][0] for y in needed])
    except ValueError:
        row["note"] = "tốc độ tăng dưới -100%"
    if method in ("sum", "last") and first in s:  # compound growth from the first year
        row["cagr"] = cagr(s[first][0], s[last][0], last - first)
    row["sources"] = tuple(src for y in needed for src in s[y][1])


def _period_rows(cat: Catalogue, series: dict[Ref, Series],
                 labels: dict[str, str]) -> list[PeriodRow]:
    rows: list[PeriodRow] = []
    figures: dict[tuple[str, str], tuple[float, tuple[str, ...]]] = {}  # (code, period)
    for period in cat.periods:
        years = list(range(period.first, period.last + 1))
        for ind in cat.indicator_by_code.values():
            if ind.years == "target":
                continue
            method = ind.period_method
            for part in cat.parts_of(ind):
                key = row_key(ind.code, part.code)
                row: PeriodRow = {"key": key, "kind": "indicator", "period": period.code,
                                  "method": method, "value": None, "cagr": None,
                                  "sources": (), "note": ""}
                _indicator_period(method, years, series.get((ind.code, part.code), {}), row)
                if row["value"] is not None:
                    figures[(key, period.code)] = (row["value"], row["sources"])
                rows.append(row)
        for d in cat.derived:
            rows.append(_derived_period(cat, d.code, period, series, figures, labels))
    return rows


def _derived_period(cat: Catalogue, code: str, period: Period, series: dict[Ref, Series],
                    figures: dict[tuple[str, str], tuple[float, tuple[str, ...]]],
                    labels: dict[str, str]) -> PeriodRow:
    d = cat.derived_by_code[code]
    years = list(range(period.first, period.last + 1))
    row: PeriodRow = {"key": code, "kind": "derived", "period": period.code,
                      "method": d.period, "value": None, "cagr": None, "sources": (),
                      "note": ""}
    if d.period == "mean":
        s = series.get((code, TOTAL), {})
        missing = [y for y in years if y not in s]
        if missing:
            row["note"] = "thiếu năm " + ", ".join(map(str, missing))
        else:
            row["value"] = math.fsum(s[y][0] for y in years) / len(years)
            row["sources"] = tuple(dict.fromkeys(src for y in years for src in s[y][1]))
    else:
        sources: list[str] = []

        def lookup(ref: Ref) -> float | None:
            if ref[0] in cat.parameters:
                return cat.parameters[ref[0]]
            hit = figures.get((row_key(*ref), period.code))
            if hit is None:
                return None
            sources.extend(s for s in hit[1] if s not in sources)
            return hit[0]

        try:
            row["value"] = evaluate(parse_formula(d.formula).tree, lookup)
            row["sources"] = tuple(sources)
        except MissingInput as m:
            row["note"] = _reason(m, labels, f"giai đoạn {period.code}")
    if row["value"] is not None:
        figures[(code, period.code)] = (row["value"], row["sources"])
    return row


def _growth_rows(cat: Catalogue, series: dict[Ref, Series]) -> list[GrowthRow]:
    rows: list[GrowthRow] = []
    for (code, part), s in series.items():
        ind = cat.indicator_by_code.get(code)
        if ind is None or ind.nature not in ("flow", "stock"):  # levels only: not a rate,
            continue  # a share, or tasks counted again each year they run
        for year in sorted(s):
            prev = s.get(year - 1)
            if prev is not None and prev[0] > 0 and year in cat.years.actual:
                rows.append({"indicator": code, "breakdown": part, "year": year,
                             "growth": (s[year][0] / prev[0] - 1) * 100})
    return rows


def trend(points: list[tuple[int, float]], years: list[int]) -> list[tuple[int, float]]:
    """Least-squares line through `points`, evaluated at `years`; [] with under 3 points."""
    if len(points) < 3:
        return []
    n = len(points)
    mx = math.fsum(x for x, _ in points) / n
    my = math.fsum(y for _, y in points) / n
    sxx = math.fsum((x - mx) ** 2 for x, _ in points)
    if sxx == 0:
        return []
    slope = math.fsum((x - mx) * (y - my) for x, y in points) / sxx
    return [(yr, my + slope * (yr - mx)) for yr in years]


def target_rows(cat: Catalogue) -> list[tuple[Item, TargetRow]]:
    """Every target the catalogue asks for, in the targets table's order: the rows an item
    declares (with their current-value source, label and reference), then every other
    indicator part asked for target years, so that no target a unit sends is left out."""
    rows = [(item, row) for item in cat.items for row in item.targets]
    if not rows:
        return []
    # Unlisted targets join the item listing another part of the same indicator, else the
    # item listing the most targets (the chapter's main targets table).
    counts: dict[str, int] = defaultdict(int)
    for item, _ in rows:
        counts[item.code] += 1
    main = max((item for item, _ in rows), key=lambda it: counts[it.code])
    home_of = {row.indicator: item for item, row in rows}
    listed = {(row.indicator, row.part or TOTAL) for _, row in rows}
    for ind in cat.indicator_by_code.values():
        if ind.years == "actual":
            continue
        for part in cat.parts_of(ind):
            if (ind.code, part.code) not in listed:
                listed.add((ind.code, part.code))
                rows.append((home_of.get(ind.code, main), TargetRow(indicator=ind.code,
                                             part=None if part.code == TOTAL else part.code)))
    return rows


def _target(cat: Catalogue, item: Item, row: TargetRow, series: dict[Ref, Series],
            periods: dict[tuple[str, str], float]) -> TargetStatus:
    ind = cat.indicator_by_code[row.indicator]
    part = row.part or TOTAL
    name = row.label or ind.label
    if part != TOTAL:
        name += f" – {cat.part_label(ind.code, part)}"
    label = name + (f" (tham chiếu: {row.reference})" if row.reference else "")
    source_ref: Ref = (row.current, TOTAL) if row.current else (ind.code, part)
    history = sorted((y, v[0]) for y, v in series.get(source_ref, {}).items()
                     if y in cat.years.actual)
    if row.current_period is not None:
        current = periods.get((row_key(*source_ref), row.current_period))
        when, base = row.current_period, cat.period_by_code[row.current_period].last
        projection: list[tuple[int, float]] = []
    else:
        current, base = (history[-1][1], history[-1][0]) if history else (None, 0)
        when = str(base) if history else "-"
        projection = trend(history, list(cat.years.target))
    goals = tuple((y, series.get((ind.code, part), {}).get(y, (None,))[0])
                  for y in cat.years.target)
    status = TargetStatus(item=item.code, label=label, measure=ind.measure,
                          decimals=ind.decimals, current=current, current_when=when,
                          targets=goals, projection=tuple(projection), verdict="",
                          name=name, reference=row.reference or "", indicator=ind.code,
                          part=part, base_year=base if current is not None else None,
                          low=ind.low, high=ind.high)
    return replace(status, verdict=_verdict(status))


def _verdict(t: TargetStatus) -> str:
    """The targets table's verdict: reached or not and the gap, the yearly change needed,
    targets that are not above what is already reached, and the linear trend (said to be
    unusable when it leaves the indicator's possible range)."""
    known = t.known
    current = t.current
    if current is None or not known:
        return "Chưa đủ số liệu để đánh giá."
    points = t.measure == "%"
    unit = "điểm %" if points else t.measure

    def num(v: float) -> str:
        return fmt.number(v, t.decimals)

    parts = []
    if t.reached:
        years = " và ".join(f"năm {y} ({num(g)})" for y, g in t.reached)
        when = ("giai đoạn " if "-" in t.current_when else "năm ") + t.current_when
        parts.append(f"Hiện trạng {when} ({num(current)}) đã bằng hoặc vượt mục tiêu đề "
                     f"xuất cho {years}: cần xem lại mục tiêu.")
    first_year, first_goal = known[0]
    if first_goal > current:
        parts.append(f"Chưa đạt mục tiêu năm {first_year} (còn thiếu "
                     f"{num(first_goal - current)} {unit}).")
    for (y0, g0), (y1, g1) in t.falling:
        parts.append(f"Mục tiêu năm {y1} ({num(g1)}) thấp hơn mục tiêu năm {y0} "
                     f"({num(g0)}).")
    last_goal_year, last_goal = known[-1]
    step, base = t.yearly_change(last_goal_year), t.base_year
    if current < last_goal and step is not None and base is not None:
        if points or current <= 0:
            need = f"{fmt.number(step, 2)} {unit}/năm"
        else:
            rate = ((last_goal / current) ** (1 / (last_goal_year - base)) - 1) * 100
            need = f"{fmt.number(rate, 1)}%/năm"
        parts.append(f"Để đạt mục tiêu năm {last_goal_year} cần tăng bình quân {need}.")
    at_goal = dict(t.projection).get(last_goal_year)
    if at_goal is not None:
        if (last_goal_year, at_goal) in t.outside:
            bound = t.bound_crossed(at_goal)
            parts.append(f"Kéo dài xu hướng tuyến tính của số liệu đã có đến năm "
                         f"{last_goal_year} cho {num(at_goal)}, ngoài giới hạn "
                         f"{fmt.plain(bound)} của chỉ tiêu, nên xu hướng này không dùng được "
                         "làm dự báo.")
        else:
            reach = "đạt" if at_goal >= last_goal else "không đạt"
            parts.append(f"Dự báo theo xu hướng tuyến tính: năm {last_goal_year} khoảng "
                         f"{num(at_goal)} ({reach} mục tiêu).")
    return " ".join(parts)


def _findings(cat: Catalogue, yearly: list[YearlyRow],
              periods: list[PeriodRow]) -> list[Finding]:
    """One finding per derived indicator that could not be computed somewhere."""
    gaps: dict[str, list[str]] = defaultdict(list)
    for y in yearly:
        if y["value"] is None:
            gaps[y["derived"]].append(y["note"])
    for p in periods:
        if p["kind"] == "derived" and p["value"] is None:
            gaps[p["key"]].append(p["note"])
    out = []
    for code, notes in gaps.items():
        d = cat.derived_by_code[code]
        unique = list(dict.fromkeys(notes))
        reason = "; ".join(unique[:4]) + ("; ..." if len(unique) > 4 else "")
        out.append(fnd.make("derive_missing", fnd.COMPUTED, indicator=code, value=len(notes),
                            label=d.label, reason=reason))
    return out


TOTAL_LABEL = "Tổng cộng"


def land_demand(projects: pd.DataFrame, columns: LandDemand) -> pd.DataFrame:
    """Land asked for by the proposed projects, in ha: one row per location, one column per
    land type to convert, with row and column totals (`columns` names the list's columns).
    A location and type no project asks for, or whose projects give no area, stays empty
    (NaN), never 0: the chapter prints it "-"."""
    if projects.empty:
        empty: pd.DataFrame = pd.DataFrame()
        return empty
    areas = pd.to_numeric(projects[columns.area], errors="coerce")
    table: pd.DataFrame = (areas.groupby([projects[columns.place], projects[columns.land_type]])
                           .sum(min_count=1).unstack().sort_index().sort_index(axis=1))
    table[TOTAL_LABEL] = table.sum(axis=1, min_count=1)
    table.loc[TOTAL_LABEL] = table.sum(axis=0, min_count=1)
    return table


def derive(cat: Catalogue, merged: pd.DataFrame,
           lists: dict[str, pd.DataFrame] | None = None) -> Derivation:
    """Every derived figure of the chapter from the merged long table (see merge.py) and,
    when given, the merged list inputs (the land demand of the proposed projects)."""
    series = _series_of(merged)
    labels = _labels(cat)
    yearly = _yearly(cat, series, labels)
    periods = _period_rows(cat, series, labels)
    figures = {(r["key"], r["period"]): r["value"] for r in periods if r["value"] is not None}
    targets = tuple(_target(cat, item, row, series, figures)
                    for item, row in target_rows(cat))
    land = None
    for li in cat.lists:
        if li.land_demand is not None and lists and li.code in lists:
            land = land_demand(lists[li.code], li.land_demand)
    return Derivation(
        yearly=pd.DataFrame(yearly, columns=DERIVED_COLUMNS),
        periods=pd.DataFrame(periods, columns=PERIOD_COLUMNS),
        growth=pd.DataFrame(_growth_rows(cat, series), columns=GROWTH_COLUMNS),
        targets=targets,
        findings=tuple(_findings(cat, yearly, periods)),
        land=land,
    )


def data_cutoff(sent: Iterable[dt.date], as_of: dt.date) -> dt.date:
    """The day the chapter's data are counted to: the latest day a workbook used was sent
    (`sent`), never after the build's `as_of` date; `as_of` when no workbook was used."""
    return min(max(sent, default=as_of), as_of)


def date_findings(cat: Catalogue, cutoff: dt.date) -> list[Finding]:
    """A warning when the data are counted to a day after the date the chapter carries: the
    document would quote figures it could not have had on its own date."""
    if cutoff <= cat.chapter_date:
        return []
    return [fnd.make("as_of_after_document", fnd.COMPUTED, value=fmt.date(cutoff),
                     date=fmt.date(cat.chapter_date))]
