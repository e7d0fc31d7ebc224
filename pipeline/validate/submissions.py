"""Validate a folder: hold back files whose unit code is unknown or disagrees with their name
or item sheets, choose one submission per unit (by the date sent the form carries), attribute
files not read to the unit their name points to, check across units (the catalogue's rules)
and gather every value and finding into a `Validation`. Narratives are read against the
tables later, once every figure is derived (consistency.py).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping
from dataclasses import replace
from pathlib import Path
from typing import NamedTuple, TypeVar

from pipeline.catalogue.layout import (
    META_SHEET,
    meta_cell,
    sheet_name,
)
from pipeline.catalogue.model import Catalogue
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
from pipeline.validate.workbook import check_workbook

# --- one submission per unit -----------------------------------------------------------------
Submission = TypeVar("Submission", bound=WorkbookSubmission | NarrativeSubmission)


def _order(sub: WorkbookSubmission | NarrativeSubmission
           ) -> tuple[dt.date, int, dt.datetime, str]:
    """Which of a unit's files counts: the later date sent (the form's 'Ngày gửi', else the
    file's date), then the later revision (the form's 'Lần gửi'), then the file saved later,
    then the name, so that the choice never depends on the order files were listed in."""
    return sub.sent, sub.revision, sub.file.modified, sub.file.name


def _sent_words(sub: WorkbookSubmission | NarrativeSubmission) -> str:
    """The date a file counts as sent, and where it comes from, in words."""
    typed = sub.typed_sent
    if typed is not None:
        return f"ghi ngày gửi {fmt.date(typed)}"
    return f"không ghi ngày gửi nên tính theo ngày lưu tệp {fmt.date(sub.file.modified.date())}"


def _saved_words(when: dt.datetime) -> str:
    return f"{when:%H:%M} ngày {fmt.date(when.date())}"


def _passed_over(unit: str, kept: Submission, other: Submission) -> Finding:
    """The finding on a file of `unit` passed over for `kept`, saying what decided."""
    if other.file.sha256 == kept.file.sha256:
        return fnd.make("duplicate_same_file", other.file.name, unit=unit, kept=kept.file.name)
    if kept.sent != other.sent:
        code = "duplicate_sent_earlier"
    elif kept.revision != other.revision:
        code = "duplicate_earlier_revision"
    elif kept.file.modified != other.file.modified:
        code = "duplicate_saved_earlier"
    else:
        code = "duplicate_undecided"
    kind = "biểu số liệu" if isinstance(other, WorkbookSubmission) else "bản thuyết minh"
    return fnd.make(code, other.file.name, unit=unit, kind=kind, kept=kept.file.name,
                    this_sent=_sent_words(other), kept_sent=_sent_words(kept),
                    this_time=_saved_words(other.file.modified),
                    kept_time=_saved_words(kept.file.modified),
                    this_revision=other.revision or "không ghi",
                    kept_revision=kept.revision or "không ghi")


def _select(items: list[Submission]) -> tuple[list[Submission], list[Finding]]:
    """One submission per unit: the one sent last (`_order`) counts; each other file of the
    unit gets a finding naming the file kept and why."""
    by_unit: dict[str, list[Submission]] = {}
    for sub in items:
        by_unit.setdefault(sub.unit, []).append(sub)
    kept: list[Submission] = []
    found: list[Finding] = []
    for unit, subs in by_unit.items():
        subs.sort(key=_order, reverse=True)
        kept.append(subs[0])
        found.extend(_passed_over(unit, subs[0], other) for other in subs[1:])
    return kept, found


# --- files whose unit codes disagree -------------------------------------------------------------
def _unit_words(cat: Catalogue, code: str) -> str:
    return f"{code} ({cat.unit_by_code[code].name})"


def _sheet_owners(cat: Catalogue, wb: WorkbookSubmission) -> dict[str, list[str]]:
    """Unit -> the item sheets of its form found in the workbook, by the form's sheet names."""
    owners: dict[str, list[str]] = {}
    for item in cat.items:
        if item.indicators and item.unit in cat.unit_by_code and sheet_name(item) in wb.sheets:
            owners.setdefault(item.unit, []).append(sheet_name(item))
    return owners


class _Clash(NamedTuple):
    """What in a file points to another unit than the code it carries."""

    units: tuple[str, ...]  # the units it points to: its own code first, then the others
    detail: str  # what disagrees, in words


def _clash(cat: Catalogue, sub: WorkbookSubmission | NarrativeSubmission) -> _Clash | None:
    """None when the file's name (when it names a unit) and its item sheets (when it has any
    of a form's) agree with the unit code it carries."""
    others: list[str] = []
    parts: list[str] = []
    named = unit_from_name(cat, sub.file.name)
    if named and named != sub.unit:
        others.append(named)
        parts.append(f"tên tệp mang mã {_unit_words(cat, named)}")
    owners = _sheet_owners(cat, sub) if isinstance(sub, WorkbookSubmission) else {}
    if owners and sub.unit not in owners:
        sheets = [s for unit in owners for s in owners[unit]]
        others.extend(u for u in owners if u not in others)
        parts.append(f"{'các trang' if len(sheets) > 1 else 'trang'} số liệu "
                     f"{', '.join(sheets)} thuộc biểu mẫu của "
                     f"{', '.join(_unit_words(cat, u) for u in owners)}")
    if not parts:
        return None
    return _Clash((sub.unit, *others), " và ".join(parts))


def _code_cell(sub: WorkbookSubmission | NarrativeSubmission) -> tuple[str, str]:
    """(sheet, A1) of a file's unit code: the metadata sheet's cell; a narrative: none."""
    if isinstance(sub, WorkbookSubmission):
        return META_SHEET, meta_cell("ma_don_vi")
    return "", ""


def _held_back(cat: Catalogue, sub: WorkbookSubmission | NarrativeSubmission, clash: _Clash,
               dates: Mapping[str, dt.date]) -> tuple[Finding, list[Unread]]:
    """The error on a file held back, and the file as received by every unit it points to."""
    sheet, cell = _code_cell(sub)
    f = fnd.make("unit_mismatch", sub.file.name, sheet=sheet, cell=cell, unit=sub.unit,
                 value=sub.unit, name=cat.unit_by_code[sub.unit].name, detail=clash.detail)
    return f, [Unread(f.file, unit, f.code, f.message, dates.get(f.file), held_back=True)
               for unit in clash.units]


def _accepted(cat: Catalogue, subs: Iterable[Submission], dates: Mapping[str, dt.date]
              ) -> tuple[list[Submission], list[Finding], list[Unread]]:
    """The submissions whose unit code is known and agrees with their name and sheets; a
    finding and the unread files for the others, which never count for any unit."""
    kept: list[Submission] = []
    found: list[Finding] = []
    unread: list[Unread] = []
    for sub in subs:
        if sub.unit not in cat.unit_by_code:
            sheet, cell = _code_cell(sub)
            f = fnd.make("unknown_unit", sub.file.name, sheet=sheet, cell=cell, value=sub.unit,
                         unit=unit_from_name(cat, sub.file.name))
            found.append(f)
            unread.append(Unread.of(f, dates))
        elif (clash := _clash(cat, sub)) is not None:
            f, held = _held_back(cat, sub, clash, dates)
            found.append(f)
            unread.extend(held)
        else:
            kept.append(sub)
    return kept, found, unread


def unit_from_name(cat: Catalogue, name: str) -> str:
    """The unit a file name points to: exactly one unit code among its words, in any case
    ('khtc_bieu (1).xls', 'Bieu-TTUD.pdf'); '' when none or several."""
    words = {w.upper() for w in re.split(r"[^0-9A-Za-z]+", Path(name).stem) if w}
    codes = [u.code for u in cat.units if u.code in words]
    return codes[0] if len(codes) == 1 else ""


def validate(cat: Catalogue, inputs: Inputs) -> Validation:
    """Check every submission; keep one per unit; return the values that passed. A file that
    could not be read is attributed to the unit its name points to, so that the status says
    'received, not readable' rather than 'not received'. A file whose unit code is unknown,
    or disagrees with its name or its item sheets, is held back: it never counts for a unit
    and never displaces another file."""
    found: list[Finding] = [f if f.unit else replace(f, unit=unit_from_name(cat, f.file))
                            for f in inputs.findings]
    dates = {i.name: i.modified.date() for i in inputs.files}  # a file not read: its date
    dates.update({w.file.name: w.sent for w in inputs.workbooks})  # read: its date sent
    dates.update({n.file.name: n.sent for n in inputs.narratives})
    unread: list[Unread] = []
    for f in found:
        if f.severity is not Severity.INFO and f.file not in {u.file for u in unread}:
            unread.append(Unread.of(f, dates))  # a file's first finding says why
    known, refused, held = _accepted(cat, inputs.workbooks, dates)
    unread.extend(held)
    found.extend(refused)
    workbooks, dupes = _select(known)
    found.extend(dupes)

    values: list[Value] = []
    entries: list[ListEntry] = []
    for wb in sorted(workbooks, key=lambda w: w.unit):
        checked = inputs.checks.get(wb.file.name) or check_workbook(cat, wb)
        values.extend(checked.values)
        entries.extend(checked.entries)
        found.extend(checked.findings)

    known_narr, refused_narr, held_narr = _accepted(cat, inputs.narratives, dates)
    found.extend(refused_narr)
    unread.extend(held_narr)
    narratives, dupes = _select(known_narr)
    found.extend(dupes)
    found.extend(check_across(cat, values))
    for n in narratives:
        found.extend(n.notes)
        allowed = {it.code for it in cat.items_of(n.unit)}
        for s in n.sections:
            if s.item not in allowed:
                found.append(fnd.make("narrative_unknown_heading", n.file.name, unit=n.unit,
                                      value=s.heading or "(đầu văn bản)"))
    return Validation(tuple(values), tuple(found), tuple(sorted(workbooks, key=lambda w: w.unit)),
                      tuple(sorted(narratives, key=lambda n: n.unit)), tuple(entries),
                      tuple(unread))
