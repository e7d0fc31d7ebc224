"""Consistency: the chapter must not contradict itself. Before rendering, each check below
reads what two parts of the chapter say about the same thing and yields a finding where they
disagree:

- a number in a unit's narrative against the figures of its item's tables, for the years and
  periods the sentence names (and a period that runs past the assessment period);
- a percent column typed by a unit against the same share computed from its counts;
- a target against the latest actual and the earlier target;
- a linear projection that leaves the indicator's possible range (information);
- a fact the chapter states twice (the Sở's units) against the catalogue.

The findings go to the validation report; a final build (--strict) with any warning here is
refused (build.py).
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from itertools import combinations

import pandas as pd

from pipeline.catalogue.formula import parse_formula
from pipeline.catalogue.layout import row_key, sheet_name
from pipeline.catalogue.model import TOTAL, Catalogue, Indicator, Item
from pipeline.core import findings as fnd
from pipeline.core import fmt
from pipeline.core.findings import Finding
from pipeline.derive import Derivation, TargetStatus, aggregate
from pipeline.merge import rows_of
from pipeline.read.model import NarrativeSubmission, WorkbookSubmission
from pipeline.validate.workbook import parse_vi_number

FACTS: dict[str, str] = {"bm_don_vi": "units"}
"""Indicators whose latest actual the chapter also states from the catalogue: indicator code
-> what it must equal ("units": the number of units in the catalogue, which the chapter
quotes as 'đã nhận số liệu của 9/9 phòng, đơn vị')."""

MAX_PARTS_SUMMED = 8  # sums of 2+ parts are tried for breakdowns up to this many parts
SENTENCE_CHARS = 200  # a finding quotes this much of a sentence


def check_consistency(cat: Catalogue, merged: pd.DataFrame, derivation: Derivation,
                      narratives: Iterable[NarrativeSubmission],
                      workbooks: Iterable[WorkbookSubmission]) -> list[Finding]:
    """Every disagreement between two parts of the chapter (see the module's docstring)."""
    files = {w.unit: w.file.name for w in workbooks}
    found: list[Finding] = []
    found.extend(check_narratives(cat, merged, derivation, narratives))
    found.extend(check_percent_counts(cat, merged, derivation, files))
    found.extend(check_targets(cat, merged, derivation.targets, files))
    found.extend(check_facts(cat, merged, files))
    return found


# --- what the tables hold ---------------------------------------------------------------------
@dataclass(frozen=True)
class _Column:
    """A series of an item's tables: an indicator part or a derived value."""

    key: str  # row key ("nv_so_luong.tinh") or derived code
    label: str  # as a reader sees it: "Label – part"
    table: str  # title of the item's first table showing it, or ""
    measure: str
    decimals: int
    indicator: Indicator | None = None  # None for a derived value
    part: str = TOTAL
    part_label: str = ""  # "" for a total, a single row or a derived value


@dataclass(frozen=True)
class _Figure:
    """A number the chapter shows (or derives) for an item, and where."""

    value: float
    when: str  # "2019", "2016-2019", or "" for a number of the catalogue's own text
    label: str  # what it is, in Vietnamese
    table: str  # the table's title, or ""
    measure: str
    decimals: int
    parts: tuple[str, ...] = ()  # lower-case labels of the parts it adds up
    name: str = ""  # lower-case label of its indicator or derived value, without the part


@dataclass
class _ItemFigures:
    item: Item
    columns: dict[str, _Column] = field(default_factory=dict)
    series: dict[str, dict[int, float]] = field(default_factory=dict)  # key -> year -> value
    figures: list[_Figure] = field(default_factory=list)
    nouns: tuple[str, ...] = ()  # measures and head nouns of its indicators, lower case


def _head_noun(label: str) -> str:
    """The counted noun of a count's label: 'Số phòng, đơn vị trực thuộc Sở' -> 'phòng',
    'Số nhiệm vụ KH&CN triển khai' -> 'nhiệm vụ'; '' for other labels."""
    m = re.match(r"Số(?: lượng)?\s+([^\s,();]+(?:\s+[^\s,();&]+)?)", label)
    return m.group(1).casefold() if m else ""


def _multiplier(word: str) -> float:
    return {"nghìn": 1e3, "ngàn": 1e3, "triệu": 1e6, "tỷ": 1e9}.get(word.casefold(), 1.0)


def _columns(cat: Catalogue, item: Item) -> dict[str, _Column]:
    """Every indicator part of the item, and every derived value its tables and charts show,
    with the title of the first table showing it."""
    shown: dict[str, str] = {}
    derived: list[str] = []
    for table in item.tables:
        for col in table.columns:
            key = (col.derived if col.derived is not None
                   else row_key(col.indicator or "", col.part or TOTAL))
            shown.setdefault(key, table.title)
            if col.derived is not None and col.derived not in derived:
                derived.append(col.derived)
    for chart in item.charts:
        derived.extend(s.derived for s in chart.series
                       if s.derived is not None and s.derived not in derived)
    out: dict[str, _Column] = {}
    for ind in item.indicators:
        for part in cat.parts_of(ind):
            key = row_key(ind.code, part.code)
            out[key] = _Column(key, cat.row_label(ind.code, part.code), shown.get(key, ""),
                               ind.measure, ind.decimals, ind, part.code,
                               "" if part.code == TOTAL else part.label)
    for code in derived:
        d = cat.derived_by_code[code]
        out[code] = _Column(code, d.label, shown.get(code, ""), d.measure, d.decimals)
    return out


def _numbers_in(text: str) -> list[float]:
    """The Vietnamese numbers of a catalogue text ('mức 2%', 'Cả nước 45-50%')."""
    return [n.value for n in _numbers(_masked(text)[0], text)]


def _item_figures(cat: Catalogue, item: Item, merged: pd.DataFrame,
                  derivation: Derivation) -> _ItemFigures:
    """Every figure the chapter shows for an item, by year and period, and the nouns that
    make a number in a sentence one of its counts."""
    out = _ItemFigures(item, _columns(cat, item))
    _read_series(out, merged, derivation)
    by_when: dict[str, dict[str, float]] = defaultdict(dict)  # when -> key -> value
    for key, years in out.series.items():
        for year, value in years.items():
            by_when[str(year)][key] = value
    for key, period, value, rate in rows_of(derivation.periods, "key", "period", "value",
                                            "cagr"):
        col = out.columns.get(key)
        if col is None:
            continue
        if _known(value):
            by_when[period][key] = float(value)
        if _known(rate):
            out.figures.append(_Figure(float(rate), period, "tốc độ tăng bình quân hằng năm "
                                       f"của '{col.label}'", col.table, "%", 1))
    for when, values in by_when.items():
        out.figures.extend(_figures_of(out.columns, when, values))
    for ind_code, part, year, rate in rows_of(derivation.growth, "indicator", "breakdown",
                                              "year", "growth"):
        col = out.columns.get(row_key(ind_code, part))
        if col is not None:
            out.figures.append(_Figure(float(rate), str(year), "tốc độ tăng so với năm trước "
                                       f"của '{col.label}'", col.table, "%", 1))
    for t in derivation.targets:
        if t.item == item.code:
            out.figures.extend(_target_figures(t))
    out.figures.extend(_Figure(v, "", "số nêu trong danh mục", "", "", 3)
                       for v in _constants(cat, item))
    nouns = {c.measure.casefold() for c in out.columns.values() if c.measure != "%"}
    nouns |= {m.split(" ", 1)[1] for m in list(nouns)
              if " " in m and _multiplier(m.split(" ", 1)[0]) != 1}  # triệu đồng: đồng
    nouns |= {_head_noun(i.label) for i in item.indicators}
    out.nouns = tuple(sorted(n for n in nouns if n))
    return out


def _read_series(out: _ItemFigures, merged: pd.DataFrame, derivation: Derivation) -> None:
    """The yearly values of the item's indicator parts and derived columns."""
    mine = merged[merged["indicator"].isin([i.code for i in out.item.indicators])]
    for indicator, part, year, value in rows_of(mine, "indicator", "breakdown", "year",
                                                "value"):
        out.series.setdefault(row_key(indicator, part), {})[int(year)] = float(value)
    for code, year, value in rows_of(derivation.yearly, "derived", "year", "value"):
        if code in out.columns and _known(value):
            out.series.setdefault(code, {})[int(year)] = float(value)


def _constants(cat: Catalogue, item: Item) -> list[float]:
    """Numbers the catalogue's own text gives for the item (the 2% floor of a table title,
    a chart's reference line, a target's reference) and the sourced national figures."""
    texts = [s for table in item.tables for s in (table.title, table.note or "")]
    texts += [t.reference or "" for t in item.targets]
    out = [n for text in texts for n in _numbers_in(text)]
    out += [c.reference for c in item.charts if c.reference is not None]
    return out + [r.value for r in cat.references]


def _known(value: object) -> bool:
    return isinstance(value, (int, float)) and not math.isnan(value)


def _target_figures(t: TargetStatus) -> list[_Figure]:
    label = f"mục tiêu '{t.label}'"
    out = [_Figure(g, str(y), label, "", t.measure, t.decimals) for y, g in t.targets
           if g is not None]
    if t.current is not None:
        out.append(_Figure(t.current, t.current_when, f"hiện trạng '{t.label}'", "",
                           t.measure, t.decimals))
    return out


def _name(col: _Column) -> str:
    return (col.indicator.label if col.indicator is not None else col.label).casefold()


def _figures_of(columns: dict[str, _Column], when: str,
                values: dict[str, float]) -> list[_Figure]:
    """The figures of one year or period: each column's, and each sum of two or more parts of
    one indicator (provincial + national tasks)."""
    out = [_Figure(v, when, c.label, c.table, c.measure, c.decimals,
                   (c.part_label.casefold(),) if c.part_label else (), _name(c))
           for k, v in values.items() if (c := columns.get(k)) is not None]
    parts: dict[str, list[_Column]] = defaultdict(list)
    for k in values:
        col = columns.get(k)
        if col is not None and col.indicator is not None and col.part != TOTAL:
            parts[col.indicator.code].append(col)
    for cols in parts.values():
        if not 2 <= len(cols) <= MAX_PARTS_SUMMED:
            continue
        ind = cols[0].indicator
        assert ind is not None
        for n in range(2, len(cols) + 1):
            for combo in combinations(cols, n):
                total = math.fsum(values[c.key] for c in combo)
                names = " + ".join(c.part_label for c in combo)
                out.append(_Figure(total, when, f"{ind.label} ({names})", combo[0].table,
                                   ind.measure, ind.decimals,
                                   tuple(c.part_label.casefold() for c in combo),
                                   _name(combo[0])))
    return out


def _adhoc_period(figs: _ItemFigures, first: int, last: int) -> list[_Figure]:
    """The figures of a period the catalogue does not declare ('2011-2019'), by each
    indicator's period method, when every year has a value."""
    when = f"{first}-{last}"
    years = range(first, last + 1)
    values: dict[str, float] = {}
    for key, col in figs.columns.items():
        s = figs.series.get(key, {})
        if col.indicator is None or any(y not in s for y in years):
            continue
        method = col.indicator.period_method
        if method in ("sum", "mean", "growth_mean", "last"):
            try:
                values[key] = aggregate(method, [s[y] for y in years])
            except ValueError:
                continue
    return _figures_of(figs.columns, when, values)


def _changes(figs: _ItemFigures, years: list[int]) -> list[_Figure]:
    """How much each series changed between two years the sentence names: the difference and
    the change in percent ('tăng 8 nhiệm vụ', 'tăng 25%')."""
    out: list[_Figure] = []
    for y0, y1 in combinations(sorted(set(years)), 2):
        for key, col in figs.columns.items():
            s = figs.series.get(key, {})
            if y0 not in s or y1 not in s:
                continue
            when = f"{y0}-{y1}"
            out.append(_Figure(s[y1] - s[y0], when, f"mức thay đổi của '{col.label}' từ năm "
                               f"{y0} đến năm {y1}", col.table, col.measure, col.decimals))
            if s[y0] > 0:
                out.append(_Figure((s[y1] / s[y0] - 1) * 100, when, "tỷ lệ thay đổi của "
                                   f"'{col.label}' từ năm {y0} đến năm {y1}", col.table, "%",
                                   1))
    return out


# --- reading a sentence -----------------------------------------------------------------------
_LEGAL_WORDS = ("Bộ luật|Luật|Pháp lệnh|Nghị định|Quyết định|Thông tư|Nghị quyết|Chỉ thị|"
                "Công văn|Kế hoạch|Chương trình|Đề án|Văn bản|Hướng dẫn")
_SKIPPED = re.compile("|".join([
    r"\b\d{1,2}[/.-]\d{1,2}[/.-]\d{2,4}\b",  # a date: 27/6/2005
    r"\bngày\s+\d{1,2}\s+tháng\s+\d{1,2}(?:\s+năm\s+\d{4})?",  # ngày 27 tháng 6 năm 2005
    r"\b[Tt]háng\s+\d{1,2}(?:\s*[/-]\s*\d{4}|\s+năm\s+\d{4})?",  # tháng 6/2019, tháng 6
    r"\b[Qq]uý\s+(?:\d|I{1,3}|IV)(?:\s*[/-]\s*\d{4}|\s+năm\s+\d{4})?",
    r"\b(?:[Đđ]iều|[Kk]hoản|[Đđ]iểm|[Cc]hương|[Mm]ục|[Pp]hụ lục)\s+\d+[a-zđ]?\b",  # Điều 49
    rf"\b(?:{_LEGAL_WORDS})(?:\s+(?:liên tịch|số))*\s+\d[\w/.-]*",  # Nghị định 08/2014/NĐ-CP
    r"\b(?:Bộ luật|Luật|Pháp lệnh)\b[^,;.()\d]{0,60}?(?:năm\s+)?(?:19|20)\d\d\b",  # Luật … 2013
    r"\bsố\s+\d+/[\w/.-]+",  # số 12/2019/QĐ-UBND
    r"\b(?:TCVN|QCVN|ISO|IEC|ASTM|HACCP|GMP|OHSAS)\b(?:[\s/:-]*(?:TCVN|QCVN|ISO|IEC)\b)*"
    r"[\s:-]*\d[\d:.-]*\d?",  # TCVN ISO 9001:2015, ISO/IEC 17025
    r"(?<![\d.,])\d+\.\d{1,2}\b(?![.,]?\d)",  # a version: 4.0
]))
_PERIOD = re.compile(
    r"(?<![\d/.,])((?:19|20)\d\d)\s*[-–—]\s*((?:19|20)\d\d)(?![.,/]?\d)"
    r"|\btừ\s+(?:năm\s+)?((?:19|20)\d\d)\s+(?:đến|tới)\s+(?:năm\s+)?((?:19|20)\d\d)\b")
_YEAR = re.compile(r"(?<![\w/.,-])(19\d\d|20\d\d|2100)(?![.,/]?\d)(?!\w)")
_NUMBER = re.compile(r"(?<![\w/.,])(?<![^\W\d_]-)(\d{1,3}(?:\.\d{3})+(?:,\d+)?|\d+(?:,\d+)?)"
                     r"(?![.,/]?\d)(?!\w)")
_NAME_WORD = re.compile(r"(?:^|\s)([^\W\d_][\w&-]*)\s+$")
_MULTIPLIER = re.compile(r"\s*(nghìn|ngàn|triệu|tỷ)\b", re.IGNORECASE)


def _blank(m: re.Match[str]) -> str:
    return " " * len(m.group(0))


def _masked(sentence: str) -> tuple[str, list[tuple[int, int]], list[int]]:
    """The sentence with dates, legal and standard numbers, versions, periods and years
    blanked out (positions kept), and the periods and years it names."""
    text = _SKIPPED.sub(_blank, sentence)
    periods: list[tuple[int, int]] = []
    for m in _PERIOD.finditer(text):
        a, b = (int(g) for g in m.groups() if g)
        if a < b:
            periods.append((a, b))
    text = _PERIOD.sub(_blank, text)
    years = [int(y) for y in _YEAR.findall(text)]
    return _YEAR.sub(_blank, text), periods, years


@dataclass(frozen=True)
class _Quoted:
    text: str  # as written: "1.234,5"
    value: float
    decimals: int  # digits written after the comma
    percent: bool  # followed by "%"
    scale: float  # 1, or 1e3/1e6/1e9 when followed by nghìn/triệu/tỷ
    rest: str  # the sentence after the number


def _numbers(masked: str, sentence: str) -> list[_Quoted]:
    """The numbers of a sentence (on its masked copy) that are not part of a name
    ('ĐT 398', 'COVID-19') and not a count of times ('gấp 2 lần')."""
    out: list[_Quoted] = []
    for m in _NUMBER.finditer(masked):
        before = sentence[:m.start()]
        name = _NAME_WORD.search(before)
        if name and name.group(1)[0].isupper() and before[:name.start(1)].strip():
            continue  # after a capitalised word that does not start the sentence: a name
        value = parse_vi_number(m.group(1))
        rest = sentence[m.end():]
        if value is None or re.match(r"\s*lần\b", rest):
            continue
        scale = _MULTIPLIER.match(rest)
        out.append(_Quoted(m.group(1), value, len(m.group(1).partition(",")[2]),
                           rest.lstrip().startswith("%"),
                           _multiplier(scale.group(1)) if scale else 1.0, rest))
    return out


def _noun_after(q: _Quoted, nouns: tuple[str, ...]) -> str:
    """The measure or head noun of the item's indicators that follows the number ('%' for a
    percent; 'đồng' after '17,4 tỷ'), or ''."""
    if q.percent:
        return "%"
    rest = q.rest.lstrip().casefold()
    scale = _MULTIPLIER.match(rest)
    if scale:
        rest = rest[scale.end():].lstrip()
    return next((n for n in nouns if rest.startswith(n) and not rest[len(n):len(n) + 1]
                 .isalpha()), "")


def _scaled(q: _Quoted, f: _Figure) -> tuple[float, float, float]:
    """(quoted, figure, rounding step) in one scale: '17,4 tỷ đồng' against 'triệu đồng'.
    The step is the coarser rounding of the two: the sentence's ('74' for 73,6) or the
    table's ('17.420,4' for 17.420 shown without decimals)."""
    q_scale = f_scale = 1.0
    if q.scale != 1.0:
        words = f.measure.split(" ", 1)
        q_scale, f_scale = q.scale, _multiplier(words[0]) if len(words) == 2 else 1.0
    step = max(0.5 * 10.0 ** -q.decimals * q_scale, 0.5 * 10.0 ** -f.decimals * f_scale)
    return q.value * q_scale, f.value * f_scale, step


def _agrees(q: _Quoted, f: _Figure) -> bool:
    """The quoted number is the figure as shown with the decimals the sentence writes."""
    value, figure, step = _scaled(q, f)
    return bool(abs(value - figure) <= step + 1e-9 * max(1.0, abs(figure)))


def _sentences(paragraph: str) -> list[str]:
    return [s for s in re.split(r"(?<=[.;!?])\s+(?=\S)", paragraph) if s.strip()]


def _quoted(sentence: str) -> str:
    s = sentence.strip()
    return s if len(s) <= SENTENCE_CHARS else s[:SENTENCE_CHARS].rstrip() + "…"


def _when_words(when: str) -> str:
    return ("giai đoạn " if "-" in when else "năm ") + when


def _show(value: float, measure: str, decimals: int) -> str:
    text = fmt.number(value, decimals)
    if measure.startswith("%"):
        return text + "%"
    return f"{text} {measure}" if measure else text


# --- 1. narrative numbers against the item's tables -------------------------------------------
def check_narratives(cat: Catalogue, merged: pd.DataFrame, derivation: Derivation,
                     narratives: Iterable[NarrativeSubmission]) -> Iterator[Finding]:
    """Each number of a narrative's sentence that names a year or period, or counts one of
    the item's measures ('8 phòng, đơn vị', '66,6%'), must be a figure of the item's tables
    for those years (sums of parts and growth rates included); a year or period past the
    assessment period (not a target year) is named as such."""
    items = {it.code: it for it in cat.items}
    cache: dict[str, _ItemFigures] = {}
    for n in narratives:
        for section in n.sections:
            item = items.get(section.item)
            if item is None:
                continue
            if item.code not in cache:
                cache[item.code] = _item_figures(cat, item, merged, derivation)
            for para in section.paragraphs:
                for sentence in _sentences(para):
                    yield from _check_sentence(cat, cache[item.code], n, section.heading,
                                               sentence)


def _outside(cat: Catalogue, periods: list[tuple[int, int]], years: list[int]
             ) -> tuple[list[str], list[int]]:
    """The periods and years named past the last actual year (target years and the
    chapter's horizon are fine), and the years outside."""
    last = max(cat.years.actual)
    fine = set(cat.years.target) | {int(y) for y in re.findall(r"\b(?:19|20)\d\d\b",
                                                               cat.chapter_title)}
    named: list[str] = []
    out: list[int] = []
    for a, b in periods:
        if f"{a}-{b}" not in cat.period_by_code and a <= last < b:
            named.append(f"giai đoạn {a}-{b}")
            out.extend(range(last + 1, b + 1))
    for y in years:
        if y > last and y not in fine:
            named.append(f"năm {y}")
            out.append(y)
    return named, sorted(set(out))


def _check_sentence(cat: Catalogue, figs: _ItemFigures, n: NarrativeSubmission,
                    heading: str, sentence: str) -> Iterator[Finding]:
    masked, periods, years = _masked(sentence)
    if figs.item.part == "I":
        named, outside = _outside(cat, periods, years)
        if outside:
            last = max(cat.years.actual)
            yield fnd.make("narrative_period_outside", n.file.name, sheet=heading, unit=n.unit,
                           year=outside[0], value=", ".join(named),
                           sentence=_quoted(sentence),
                           outside=", ".join(map(str, outside)),
                           first=min(cat.years.actual), last=last)
    quoted = _numbers(masked, sentence)
    if not quoted or not any(f.when for f in figs.figures):
        return  # no number, or the item shows no figure: nothing to compare
    whens, extra = _whens(cat, figs, periods, years)
    named_any = bool(periods or years)
    for q in quoted:
        noun = _noun_after(q, figs.nouns)
        if not (named_any or noun):
            continue
        candidates = [f for f in figs.figures + extra
                      if not named_any or f.when in whens or f.when == ""]
        if not any(f.when for f in candidates):
            continue  # no figure for the years named (2005, 2020): nothing to compare with
        if any(_agrees(q, f) for f in candidates):
            continue
        best = _nearest(q, noun, sentence, periods, [f for f in candidates if f.when])
        source = f"bảng «{best.table}»" if best.table else f"biểu số liệu mục {figs.item.code}"
        scope = (" cho " + ", ".join([_when_words(f"{a}-{b}") for a, b in periods]
                                     + [_when_words(str(y)) for y in years])
                 if named_any else "")
        yield fnd.make("narrative_figure_mismatch", n.file.name, sheet=heading, unit=n.unit,
                       value=q.text, sentence=_quoted(sentence), item=figs.item.code, scope=scope,
                       source=source, label=best.label, when=_when_words(best.when),
                       figure=_show(best.value, best.measure, best.decimals))


def _whens(cat: Catalogue, figs: _ItemFigures, periods: list[tuple[int, int]],
           years: list[int]) -> tuple[set[str], list[_Figure]]:
    """The years and periods whose figures a sentence may quote, and the figures made for it
    alone (undeclared periods, changes between the years it names)."""
    actual = set(cat.years.actual)
    whens = {str(y) for y in years}
    extra: list[_Figure] = []
    ends = [y for y in years if y in actual]
    for a, b in periods:
        code = f"{a}-{b}"
        whens.add(code)
        whens.update(str(y) for y in range(a, b + 1))
        whens.update(p.code for p in cat.periods if p.first <= b and p.last >= a)
        ends.extend(y for y in (a, min(b, max(actual))) if y in actual)
        if code not in cat.period_by_code and all(y in actual for y in range(a, b + 1)):
            extra.extend(_adhoc_period(figs, a, b))
    extra.extend(_changes(figs, ends))
    whens.update(f.when for f in extra)
    return whens, extra


def _nearest(q: _Quoted, noun: str, sentence: str, periods: list[tuple[int, int]],
             figures: list[_Figure]) -> _Figure:
    """The figure the sentence most likely meant: the one adding up the parts it names
    ('cấp tỉnh và cấp quốc gia'), of the indicator it names, of the kind it quotes (percent
    or not, its noun), of the same order of magnitude, of a period when it names one,
    closest in value."""
    low = sentence.casefold()

    def rank(f: _Figure) -> tuple[bool, int, bool, bool, bool, int, bool, float]:
        named = sum(p in low for p in f.parts)
        value, figure, _ = _scaled(q, f)
        ratio = abs(figure) / abs(value) if value and figure else 0.0
        magnitude = round(abs(math.log10(ratio))) if ratio else 99
        return (not (f.parts and named == len(f.parts)), -named,
                not (f.name and f.name in low),
                q.percent != f.measure.startswith("%"),
                bool(noun) and noun not in f"{f.measure} {f.label}".casefold(),
                magnitude, bool(periods) != ("-" in f.when),
                abs(figure - value) / max(abs(value), 1e-9))

    return min(figures, key=rank)


# --- 2. percent columns against their counts --------------------------------------------------
def _percent_pairs(cat: Catalogue) -> list[tuple[Indicator, str]]:
    """(percent indicator, derived code) that say the same thing: a target row whose current
    value is the derived one, a derived with the same label, or a share computed from counts
    of the indicator's own item whose label it shares."""
    pairs: list[tuple[Indicator, str]] = []
    for item in cat.items:
        for row in item.targets:
            ind = cat.indicator_by_code.get(row.indicator)
            if (ind is not None and ind.type == "percent" and ind.years != "target"
                    and row.current in cat.derived_by_code):
                pairs.append((ind, row.current))
    for d in cat.derived:
        if not d.measure.startswith("%"):
            continue
        refs = [cat.indicator_by_code.get(code) for code, _ in parse_formula(d.formula).refs]
        counts = [r for r in refs if r is not None and r.type == "integer"]
        homes = {cat.item_of_indicator[r.code].code for r in counts}
        words = set(d.label.casefold().split())
        for ind in cat.indicator_by_code.values():
            if ind.type != "percent" or ind.years == "target" or (ind, d.code) in pairs:
                continue
            same_label = ind.label.casefold() == d.label.casefold()
            from_counts = (len(counts) == len(refs) and homes == {
                cat.item_of_indicator[ind.code].code}
                and len(words & set(ind.label.casefold().split())) >= 0.6 * len(words))
            if same_label or from_counts:
                pairs.append((ind, d.code))
    return pairs


def check_percent_counts(cat: Catalogue, merged: pd.DataFrame, derivation: Derivation,
                         files: dict[str, str]) -> Iterator[Finding]:
    """A percent a unit types that disagrees, beyond its rounding and 0,05 point, with the
    same share computed from its counts."""
    yearly = {(code, int(year)): float(v) for code, year, v in
              rows_of(derivation.yearly, "derived", "year", "value") if _known(v)}
    typed = {(ind, int(year)): (float(v), str(cell)) for ind, part, year, v, cell in
             rows_of(merged, "indicator", "breakdown", "year", "value", "cell")
             if part == TOTAL}
    for ind, code in _percent_pairs(cat):
        d = cat.derived_by_code[code]
        tolerance = 0.05 + 0.5 * 10 ** -ind.decimals + 1e-9
        wrong = [(y, typed[(ind.code, y)], yearly[(code, y)]) for y in cat.years.actual
                 if (ind.code, y) in typed and (code, y) in yearly
                 and abs(typed[(ind.code, y)][0] - yearly[(code, y)]) > tolerance]
        if not wrong:
            continue
        item = cat.item_of_indicator[ind.code]
        shown = [f"năm {y} nhập {fmt.number(v, ind.decimals)}% nhưng tính được "
                 f"{fmt.number(c, ind.decimals)}%" for y, (v, _), c in wrong[:5]]
        year, (value, cell), _ = wrong[0]
        yield fnd.make("percent_disagrees_counts", files.get(item.unit, fnd.COMPUTED),
                       sheet=sheet_name(item), cell=cell, unit=item.unit, indicator=ind.code,
                       year=year, value=fmt.number(value, ind.decimals), label=ind.label,
                       derived=d.label, detail="; ".join(shown) + ("; …" if len(wrong) > 5
                                                                   else ""))


# --- 3 and 4. targets against the baseline; projections against the range ---------------------
def _cell_of(merged: pd.DataFrame) -> dict[tuple[str, str, int], str]:
    return {(str(i), str(p), int(y)): str(c) for i, p, y, c in
            rows_of(merged, "indicator", "breakdown", "year", "cell")}


def check_targets(cat: Catalogue, merged: pd.DataFrame, targets: Iterable[TargetStatus],
                  files: dict[str, str]) -> Iterator[Finding]:
    """A target not above the latest actual, or below an earlier target, is a warning to
    the unit that proposed it; a linear projection outside the indicator's range, a note."""
    cells = _cell_of(merged)
    for t in targets:
        item = cat.item_of_indicator.get(t.indicator)
        if item is None:
            continue
        place = (sheet_name(item), item.unit, row_key(t.indicator, t.part))
        file = files.get(item.unit, fnd.COMPUTED)
        label = t.name or t.label  # without the reference the targets table adds

        def show(v: float, t: TargetStatus = t) -> str:
            return _show(v, t.measure, t.decimals)

        now = "" if t.current is None else show(t.current)  # t.reached is () without it
        problems = [(y, g, f"mục tiêu năm {y} ({show(g)}) không cao hơn hiện trạng "
                           f"{_when_words(t.current_when)} ({now})")
                    for y, g in t.reached]
        problems += [(y1, g1, f"mục tiêu năm {y1} ({show(g1)}) thấp hơn mục tiêu năm {y0} "
                              f"({show(g0)})")
                     for (y0, g0), (y1, g1) in t.falling]
        if problems:
            year, goal, _ = min(problems)
            yield fnd.make("target_below_baseline", file, sheet=place[0], unit=place[1],
                           indicator=place[2],
                           cell=cells.get((t.indicator, t.part, year), ""), year=year,
                           value=show(goal), label=label,
                           detail="; ".join(p for _, _, p in sorted(problems)))
        if t.outside:
            year, value = t.outside[0]
            bound = t.bound_crossed(value)
            yield fnd.make("projection_outside_range", file, sheet=place[0], unit=place[1],
                           indicator=place[2],
                           cell=cells.get((t.indicator, t.part, year), ""), year=year,
                           value=fmt.number(value, t.decimals), label=label,
                           detail=" và ".join(f"năm {y} là {show(v)}" for y, v in t.outside),
                           bound=show(bound), item=t.item)


# --- 5. facts stated twice --------------------------------------------------------------------
def check_facts(cat: Catalogue, merged: pd.DataFrame,
                files: dict[str, str]) -> Iterator[Finding]:
    """The latest actual of each indicator of FACTS against what the catalogue says."""
    for code, fact in FACTS.items():
        ind = cat.indicator_by_code.get(code)
        if ind is None or fact != "units":
            continue
        rows = [(int(y), float(v), str(c)) for i, p, y, v, c in
                rows_of(merged, "indicator", "breakdown", "year", "value", "cell")
                if i == code and p == TOTAL and int(y) in cat.years.actual]
        if not rows:
            continue
        year, value, cell = max(rows)
        expected = len(cat.units)
        if value != expected:
            item = cat.item_of_indicator[code]
            yield fnd.make("fact_disagrees", files.get(item.unit, fnd.COMPUTED),
                           sheet=sheet_name(item), cell=cell, unit=item.unit, indicator=code,
                           year=year, value=fmt.number(value, ind.decimals), label=ind.label,
                           expected=expected)
