"""Validate: check the read submissions against the catalogue; return typed values and findings.

Validation never raises on a unit's data: it collects every finding (known unit, catalogue
fingerprint, one file per unit, sheets and rows present, types, required cells, ranges,
dropdown values) and passes on only the values that have no error. A value with an error is
left out of the merge and named in the report, so nothing is lost silently.

check_workbook is the half that one file and the catalogue decide (it runs in the reader's
worker and is cached with the file); validate is the half that needs every file.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import NamedTuple

from . import findings as fnd
from . import fmt
from .catalogue import TOTAL, Catalogue, Indicator, ListColumn
from .findings import Finding, Severity
from .layout import META_SHEET, form_rows, meta_cell, row_key, sheet_name
from .read import (
    Inputs,
    NarrativeSubmission,
    RawCell,
    RowInfo,
    WorkbookSubmission,
    parse_date,
)
from .rules import check_across, check_unit


class Value(NamedTuple):
    """One checked number of one cell. A NamedTuple, not a frozen dataclass: as immutable,
    but made ~3× faster and pickled as a plain tuple; a build makes one per cell."""

    unit: str  # unit code
    indicator: str  # indicator code
    breakdown: str  # part code, or "total"
    year: int
    value: float
    status: str  # "Chính thức", "Ước tính", "Sơ bộ" or ""
    note: str  # the unit's source note for the row
    file: str  # file name
    sheet: str
    cell: str  # A1
    file_hash: str  # sha256 of the file


@dataclass(frozen=True)
class ListEntry:
    list: str  # list input code
    unit: str  # unit whose workbook holds the row
    number: int  # the row's STT in the form
    values: Mapping[str, object]  # column code -> text, float, or date; None when empty
    file: str
    sheet: str
    row: int  # 1-based row in the sheet


VALUE_FIELDS = Value._fields
Columns = tuple[tuple[object, ...], ...]  # one tuple per field of Value, in VALUE_FIELDS order


@dataclass(frozen=True)
class FileCheck:
    """One workbook checked alone: what its own cells and the catalogue decide.

    The values that passed are kept as columns: a worker sends them and the cache keeps them
    by the thousand, and merge builds its table from columns; `values` makes the objects."""

    columns: Columns  # every value that passed the cell checks, column by column
    entries: tuple[ListEntry, ...]  # list rows without an error
    findings: tuple[Finding, ...]  # read notes, cell, list and the unit's own rule findings

    @staticmethod
    def of(values: list[Value], entries: list[ListEntry], findings: list[Finding]) -> FileCheck:
        columns = tuple(zip(*values)) or ((),) * len(VALUE_FIELDS)
        return FileCheck(columns, tuple(entries), tuple(findings))

    @property
    def values(self) -> tuple[Value, ...]:
        return tuple(Value(*row) for row in zip(*self.columns))


@dataclass(frozen=True)
class Validation:
    values: tuple[Value, ...]  # every value that passed
    findings: tuple[Finding, ...]  # read and validation findings, in file order
    workbooks: tuple[WorkbookSubmission, ...]  # one accepted workbook per unit
    narratives: tuple[NarrativeSubmission, ...]  # one accepted narrative per unit
    lists: tuple[ListEntry, ...] = ()  # list rows without an error, in file and row order

    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity is Severity.ERROR]

    def counts(self, file: str) -> tuple[int, int]:
        """(errors, warnings) for one file."""
        errors = sum(1 for f in self.findings if f.file == file and f.severity is Severity.ERROR)
        warnings = sum(1 for f in self.findings
                       if f.file == file and f.severity is Severity.WARNING)
        return errors, warnings


# --- numbers typed as text -----------------------------------------------------------------
_VI_GROUPED = re.compile(r"[+-]?\d{1,3}(?:\.\d{3})+(?:,\d+)?")
_VI_PLAIN = re.compile(r"[+-]?\d+(?:,\d+)?")
# Read differently by an English-style typist: "1,234" (thousands?) and "1.5" / "1,234.5".
_AMBIGUOUS = re.compile(r"[+-]?\d{1,3},\d{3}|[+-]?\d+\.\d{1,2}|[+-]?\d{1,3}(?:,\d{3})+\.\d+")


def parse_vi_number(text: str) -> float | None:
    """Parse a number typed as text the Vietnamese way ('1.234,5', '12,5', '1.234').

    Strict: returns None for anything else, including '1.5' or '1,234.5' (English style),
    which would otherwise be guessed.
    """
    s = text.strip().replace("\u00a0", "").replace(" ", "")
    if s.endswith("%"):
        s = s[:-1]
    if _VI_GROUPED.fullmatch(s) or _VI_PLAIN.fullmatch(s):
        return float(s.replace(".", "").replace(",", "."))
    return None


def is_ambiguous(text: str) -> bool:
    """Text a reader could take for two different numbers (English vs Vietnamese style)."""
    s = text.strip().replace("\u00a0", "").replace(" ", "").rstrip("%")
    return bool(_AMBIGUOUS.fullmatch(s))


def _number(raw: object, ind: Indicator) -> tuple[float | None, bool]:
    """(value, is_blank); value None and not blank means 'not a number'."""
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None, True
    if isinstance(raw, (bool, dt.date, dt.datetime, dt.time, dt.timedelta)):
        return None, False
    if isinstance(raw, (int, float)):
        return float(raw), False
    text = str(raw)
    if text.strip().endswith("%") and ind.type != "percent":
        return None, False
    if is_ambiguous(text):  # "1,234" is 1,234 to a Vietnamese reader, 1234 to others
        return None, False
    return parse_vi_number(text), False


def _range_text(ind: Indicator) -> tuple[str, str]:
    high = "không giới hạn" if ind.high is None else fmt.plain(ind.high)
    return fmt.plain(ind.low), high


# --- checks --------------------------------------------------------------------------------
def _select(items: list) -> tuple[list, list[Finding]]:
    """One submission per unit: the newest (by modification time) wins, with a warning."""
    by_unit: dict[str, list] = {}
    for sub in items:
        by_unit.setdefault(sub.unit, []).append(sub)
    kept, found = [], []
    for unit, subs in by_unit.items():
        subs.sort(key=lambda s: (s.file.modified, s.file.name), reverse=True)
        kept.append(subs[0])
        for other in subs[1:]:
            found.append(fnd.make("duplicate_unit", other.file.name, unit=unit,
                                  kept=subs[0].file.name))
    return kept, found


def _list_value(cat: Catalogue, col: ListColumn, raw: object) -> tuple[object, str]:
    """(typed value, problem) of one list cell; problem "" when it is fine."""
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None, ""
    if col.type == "text":
        return (fmt.plain(raw) if isinstance(raw, float) else str(raw)), ""
    if col.type == "choice":
        options = cat.choices.get(col.choices or "", [])
        return (raw, "") if raw in options else (None, "không có trong danh sách chọn")
    if col.type == "date":
        if isinstance(raw, dt.datetime):
            return raw.date(), ""
        if isinstance(raw, dt.date):
            return raw, ""
        day = parse_date(str(raw))
        return (day, "") if day else (None, "không phải ngày dạng dd/mm/yyyy")
    if isinstance(raw, (int, float)) and not isinstance(raw, bool):
        number: float | None = float(raw)
    else:
        number = None if is_ambiguous(str(raw)) else parse_vi_number(str(raw))
    if number is None:
        return None, "không phải là số"
    if col.type == "integer" and not number.is_integer():
        return None, "phải là số nguyên"
    if number < col.low or (col.max is not None and number > col.max):
        high = "" if col.max is None else f" đến {fmt.plain(col.max)}"
        return None, f"ngoài khoảng cho phép (từ {fmt.plain(col.low)}{high})"
    return number, ""


def _check_lists(cat: Catalogue, wb: WorkbookSubmission) -> Iterator[Finding | ListEntry]:
    for lr in wb.lists:
        li = cat.list_by_code.get(lr.list)
        if li is None:  # a list the catalogue no longer has
            continue
        columns = {c.code: c for c in li.columns}
        raw = {code: (cell, v) for code, cell, v in lr.cells}
        typed: dict[str, object] = {}
        bad = False
        for code, col in columns.items():
            cell, value = raw.get(code, ("", None))
            where = {"sheet": lr.sheet, "cell": cell, "unit": wb.unit,
                     "indicator": f"{li.code}.{code}"}
            typed[code], problem = _list_value(cat, col, value)
            if problem:
                bad = True
                shown = fmt.plain(value) if isinstance(value, (int, float)) else value
                yield fnd.make("list_bad_value", wb.file.name, value=shown, number=lr.number,
                               title=li.title, label=col.label, problem=problem, **where)
            elif typed[code] is None and col.required:
                bad = True
                yield fnd.make("list_required", wb.file.name, number=lr.number,
                               title=li.title, label=col.label, **where)
        if not bad:
            yield ListEntry(li.code, wb.unit, lr.number, typed, wb.file.name, lr.sheet, lr.row)


def _check_workbook(cat: Catalogue, wb: WorkbookSubmission) -> Iterator[Finding | Value]:
    name = wb.file.name
    fingerprint = wb.meta.get("ma_danh_muc", "")
    if fingerprint != cat.fingerprint:
        yield fnd.make("catalogue_mismatch", name, sheet=META_SHEET,
                       cell=meta_cell("ma_danh_muc"), unit=wb.unit,
                       value=fingerprint or "(trống)", expected=cat.fingerprint)
    yield from wb.notes
    if not wb.rows:
        yield fnd.make("no_values", name, unit=wb.unit)
        return
    flagged = {(f.sheet, f.cell) for f in wb.notes
               if f.code in ("formula_no_value", "error_cell")}
    rows: dict[tuple[str, str, str], RowInfo] = {(r.sheet, r.indicator, r.part): r
                                                 for r in wb.rows}
    cells: dict[tuple[str, str, str, int], RawCell] = {
        (c.sheet, c.indicator, c.part, c.year): c for c in wb.cells}
    for item in cat.data_items_of(wb.unit):
        sheet = sheet_name(item)
        if sheet not in wb.sheets:
            yield fnd.make("missing_sheet", name, sheet=sheet, unit=wb.unit, item=item.code)
            continue
        for frow in form_rows(cat, item):
            ind = frow.indicator
            key = row_key(ind.code, frow.part)
            row = rows.get((sheet, ind.code, frow.part))
            if row is None:
                yield fnd.make("missing_row", name, sheet=sheet, unit=wb.unit, indicator=key,
                               label=cat.row_label(ind.code, frow.part), key=key)
                continue
            if row.status and row.status not in cat.data_status:
                yield fnd.make("unknown_status", name, sheet=sheet, cell=row.status_cell,
                               unit=wb.unit,
                               indicator=key, value=row.status,
                               allowed=", ".join(cat.data_status))
            for year in cat.years_of(ind):
                cell = cells.get((sheet, ind.code, frow.part, year))
                if cell is None:  # the year column is missing: the row check covers it
                    if ind.required:
                        yield fnd.make("required_missing", name, sheet=sheet, unit=wb.unit,
                                       indicator=key, year=year,
                                       label=cat.row_label(ind.code, frow.part))
                    continue
                if (cell.sheet, cell.cell) in flagged:  # already reported by read
                    continue
                raw = cell.raw
                if ((type(raw) is float or type(raw) is int) and ind.low <= raw
                        and (ind.high is None or raw <= ind.high)
                        and (ind.type != "integer" or float(raw).is_integer())):
                    yield _passed(wb, ind, row, cell, float(raw))  # most cells: at once
                    continue
                yield from _check_cell(cat, wb, ind, key, row, cell)


def _check_cell(cat: Catalogue, wb: WorkbookSubmission, ind: Indicator, key: str, row: RowInfo,
                cell: RawCell) -> Iterator[Finding | Value]:
    name = wb.file.name
    where = {"sheet": cell.sheet, "cell": cell.cell, "unit": wb.unit, "indicator": key,
             "year": cell.year}
    value, blank = _number(cell.raw, ind)
    if blank:
        if ind.required:
            yield fnd.make("required_missing", name, label=cat.row_label(ind.code, cell.part),
                           **where)
        return
    if value is None:
        code = "ambiguous_number" if is_ambiguous(str(cell.raw)) else "not_a_number"
        yield fnd.make(code, name, value=cell.raw, **where)
        return
    if ind.type == "integer" and not value.is_integer():
        yield fnd.make("not_an_integer", name, value=fmt.plain(value),
                       label=cat.row_label(ind.code, cell.part), **where)
        return
    high = ind.high
    if value < ind.low or (high is not None and value > high):
        low_text, high_text = _range_text(ind)
        yield fnd.make("out_of_range", name, value=fmt.plain(value), low=low_text,
                       high=high_text, measure=ind.measure, **where)
        return
    yield _passed(wb, ind, row, cell, value)


def _passed(wb: WorkbookSubmission, ind: Indicator, row: RowInfo, cell: RawCell,
            value: float) -> Value:
    return Value(unit=wb.unit, indicator=ind.code, breakdown=cell.part, year=cell.year,
                 value=value, status=row.status, note=row.note, file=wb.file.name,
                 sheet=cell.sheet, cell=cell.cell, file_hash=wb.file.sha256)


_YEAR = re.compile(r"\b(20\d\d)\b")
_NUMBER = r"(?<![\d/.,])(\d{1,3}(?:\.\d{3})+(?:,\d+)?|\d+(?:,\d+)?)"


def check_narrative_numbers(cat: Catalogue, narratives: list[NarrativeSubmission],
                            values: list[Value]) -> Iterator[Finding]:
    """A sentence that names one of the unit's indicators and one year, and quotes numbers in
    the indicator's unit of measure ("66,6%", "12 nhiệm vụ") none of which is the workbook's
    value for that year, is a warning."""
    by_key = {(v.unit, v.indicator, v.year): v for v in values if v.breakdown == TOTAL}
    for n in narratives:
        inds = [i for it in cat.data_items_of(n.unit) for i in it.indicators
                if i.breakdown is None or i.with_total]
        for section in n.sections:
            for para in section.paragraphs:
                for sentence in re.split(r"(?<=[.;])\s+", para):
                    low = sentence.lower()
                    named = [i for i in inds if i.label.lower() in low]
                    # "Tỷ lệ lao động qua đào tạo" is inside "... có bằng cấp, chứng chỉ":
                    # keep only the longest names found.
                    named = [i for i in named if not any(
                        i.label.lower() in j.label.lower() and i is not j for j in named)]
                    years = set(_YEAR.findall(sentence))
                    if len(named) != 1 or len(years) != 1:
                        continue
                    ind, year = named[0], int(years.pop())
                    v = by_key.get((n.unit, ind.code, year))
                    if v is None:
                        continue
                    unit_re = re.escape(ind.measure) if ind.measure != "%" else ""
                    pattern = _NUMBER + (r"\s*%" if ind.measure == "%" else rf"\s+{unit_re}\b")
                    quoted = [parse_vi_number(t) for t in re.findall(pattern, sentence,
                                                                      flags=re.IGNORECASE)]
                    quoted = [q for q in quoted if q is not None]
                    tolerance = 0.5 * 10 ** -ind.decimals + 1e-9
                    if quoted and not any(abs(q - v.value) <= tolerance for q in quoted):
                        yield fnd.make("narrative_number", n.file.name, sheet=section.heading,
                                       unit=n.unit, indicator=ind.code, year=year,
                                       value=fmt.number(v.value, ind.decimals),
                                       sentence=sentence.strip()[:200], label=ind.label)


def check_workbook(cat: Catalogue, wb: WorkbookSubmission) -> FileCheck:
    """Check one workbook alone: catalogue fingerprint, sheets and rows present, every cell,
    every list row, and the rules over the unit's own values. Depends only on the file and
    the catalogue, so read_inputs runs it in its worker and keeps it in the cache."""
    values: list[Value] = []
    found: list[Finding] = []
    for result in _check_workbook(cat, wb):
        (values if isinstance(result, Value) else found).append(result)  # type: ignore[arg-type]
    entries: list[ListEntry] = []
    for item in _check_lists(cat, wb):
        (entries if isinstance(item, ListEntry) else found).append(item)  # type: ignore[arg-type]
    if wb.unit in cat.unit_by_code:
        found.extend(check_unit(cat, wb.unit, values))
    return FileCheck.of(values, entries, found)


def validate(cat: Catalogue, inputs: Inputs) -> Validation:
    """Check every submission; keep one per unit; return the values that passed."""
    found: list[Finding] = list(inputs.findings)
    known = [w for w in inputs.workbooks if w.unit in cat.unit_by_code]
    for w in inputs.workbooks:
        if w.unit not in cat.unit_by_code:
            found.append(fnd.make("unknown_unit", w.file.name, sheet=META_SHEET,
                                  cell=meta_cell("ma_don_vi"), value=w.unit))
    workbooks, dupes = _select(known)
    found.extend(dupes)

    values: list[Value] = []
    entries: list[ListEntry] = []
    for wb in sorted(workbooks, key=lambda w: w.unit):
        checked = inputs.checks.get(wb.file.name) or check_workbook(cat, wb)
        values.extend(checked.values)
        entries.extend(checked.entries)
        found.extend(checked.findings)

    known_narr = []
    for n in inputs.narratives:
        if n.unit not in cat.unit_by_code:
            found.append(fnd.make("unknown_unit", n.file.name, value=n.unit))
        else:
            known_narr.append(n)
    narratives, dupes = _select(known_narr)
    found.extend(dupes)
    found.extend(check_across(cat, values))
    found.extend(check_narrative_numbers(cat, narratives, values))
    for n in narratives:
        found.extend(n.notes)
        allowed = {it.code for it in cat.items_of(n.unit)}
        for s in n.sections:
            if s.item not in allowed:
                found.append(fnd.make("narrative_unknown_heading", n.file.name, unit=n.unit,
                                      value=s.heading or "(đầu văn bản)"))
    return Validation(tuple(values), tuple(found), tuple(sorted(workbooks, key=lambda w: w.unit)),
                      tuple(sorted(narratives, key=lambda n: n.unit)), tuple(entries))
