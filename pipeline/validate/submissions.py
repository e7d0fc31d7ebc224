"""Validate a folder: choose one submission per unit, attribute files not read to the unit
their name points to, check across units (rules, narrative numbers against the tables) and
gather every value and finding into a `Validation`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import TypeVar

from pipeline.catalogue.layout import (
    META_SHEET,
    meta_cell,
)
from pipeline.catalogue.model import TOTAL, Catalogue
from pipeline.core import findings as fnd
from pipeline.core import fmt
from pipeline.core.findings import Finding, Severity
from pipeline.core.records import ListEntry, Value
from pipeline.read.model import (
    Inputs,
    NarrativeSubmission,
    WorkbookSubmission,
)
from pipeline.validate.model import Unread, Validation
from pipeline.validate.rules import check_across
from pipeline.validate.workbook import check_workbook, parse_vi_number

# --- checks --------------------------------------------------------------------------------
Submission = TypeVar("Submission", bound=WorkbookSubmission | NarrativeSubmission)


def _select(items: list[Submission]) -> tuple[list[Submission], list[Finding]]:
    """One submission per unit: the newest (by modification time) wins, with a warning."""
    by_unit: dict[str, list[Submission]] = {}
    for sub in items:
        by_unit.setdefault(sub.unit, []).append(sub)
    kept: list[Submission] = []
    found: list[Finding] = []
    for unit, subs in by_unit.items():
        subs.sort(key=lambda s: (s.file.modified, s.file.name), reverse=True)
        kept.append(subs[0])
        for other in subs[1:]:
            found.append(fnd.make("duplicate_unit", other.file.name, unit=unit,
                                  kept=subs[0].file.name))
    return kept, found


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
                    parsed = [parse_vi_number(t) for t in re.findall(pattern, sentence,
                                                                      flags=re.IGNORECASE)]
                    quoted = [q for q in parsed if q is not None]
                    tolerance = 0.5 * 10 ** -ind.decimals + 1e-9
                    if quoted and not any(abs(q - v.value) <= tolerance for q in quoted):
                        yield fnd.make("narrative_number", n.file.name, sheet=section.heading,
                                       unit=n.unit, indicator=ind.code, year=year,
                                       value=fmt.number(v.value, ind.decimals),
                                       sentence=sentence.strip()[:200], label=ind.label)


def unit_from_name(cat: Catalogue, name: str) -> str:
    """The unit a file name points to: exactly one unit code among its words, in any case
    ('khtc_bieu (1).xls', 'Bieu-TTUD.pdf'); '' when none or several."""
    words = {w.upper() for w in re.split(r"[^0-9A-Za-z]+", Path(name).stem) if w}
    codes = [u.code for u in cat.units if u.code in words]
    return codes[0] if len(codes) == 1 else ""


def validate(cat: Catalogue, inputs: Inputs) -> Validation:
    """Check every submission; keep one per unit; return the values that passed. A file that
    could not be read is attributed to the unit its name points to, so that the status says
    'received, not readable' rather than 'not received'."""
    found: list[Finding] = [f if f.unit else replace(f, unit=unit_from_name(cat, f.file))
                            for f in inputs.findings]
    dates = {i.name: i.modified.date() for i in inputs.files}
    unread: dict[str, Unread] = {}
    for f in found:
        if f.file not in unread and f.severity is not Severity.INFO:
            unread[f.file] = Unread.of(f, dates)
    known = [w for w in inputs.workbooks if w.unit in cat.unit_by_code]
    for w in inputs.workbooks:
        if w.unit not in cat.unit_by_code:
            f = fnd.make("unknown_unit", w.file.name, sheet=META_SHEET,
                         cell=meta_cell("ma_don_vi"), value=w.unit,
                         unit=unit_from_name(cat, w.file.name))
            found.append(f)
            unread[f.file] = Unread.of(f, dates)
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
            f = fnd.make("unknown_unit", n.file.name, value=n.unit,
                         unit=unit_from_name(cat, n.file.name))
            found.append(f)
            unread[f.file] = Unread.of(f, dates)
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
                      tuple(sorted(narratives, key=lambda n: n.unit)), tuple(entries),
                      tuple(unread.values()))
