"""What the progress documents say of the units, as of a date: the facts the weekly and monthly
reports and the reminder letters share, all read from the as-of view (office.status.Checked).

- `content_of`: the content items a unit owes by the date (the items it owns and the parts
  every unit writes), which were received and which are complete;
- `needs_reminder` and `deadline`: who gets a letter (late, or with something to send again
  or to fix) and the new deadline it sets (the as-of date plus the catalogue's working days);
- `task_groups`: the units' weekly-plan tasks grouped by name, for "done" and "late" lists;
- `overdue_units` and `missing_targets`: what is put to the steering committee;
- `names`: Vietnamese enumerations ("A, B và C").
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from pipeline.catalogue.model import ALL_UNITS, TOTAL, Catalogue, Item
from pipeline.core import fmt
from pipeline.core.findings import Finding, Severity
from pipeline.office.form import working_days_after
from pipeline.office.progress import Delivery, Task, UnitProgress, filled_cells
from pipeline.office.status import Checked
from pipeline.validate.model import Validation


def as_of(checked: Checked) -> dt.date:
    """The date of the view the documents are made from."""
    if checked.as_of is None:  # check_inputs always sets it
        raise ValueError("Checked without an as-of date")
    return checked.as_of


def office_name(cat: Catalogue) -> str:
    """The name of the office that collects the contents ("Phòng Kế hoạch Tài chính")."""
    unit = cat.unit_by_code.get(cat.progress.office)
    return unit.name if unit is not None else cat.progress.office


def shared_items(cat: Catalogue) -> list[Item]:
    """The items every unit writes in its narrative (the catalogue's unit "all")."""
    return [it for it in cat.items if it.unit == ALL_UNITS]


@dataclass(frozen=True)
class Content:
    """The content items a unit owes by a date (codes, catalogue order)."""

    due: tuple[str, ...]  # its own items and the shared ones due on or before the date
    received: tuple[str, ...]  # of those, received (own figures: the workbook; else the
    # narrative)
    complete: tuple[str, ...]  # of those, complete (no required cell empty, no error)


def content_of(cat: Catalogue, p: UnitProgress, day: dt.date) -> Content:
    """The items `p` owes by `day`, received and complete."""
    due: list[str] = []
    received: list[str] = []
    complete: list[str] = []
    for it in p.content:
        if it.due <= day:
            due.append(it.code)
            received += [it.code] if it.received else []
            complete += [it.code] if it.complete else []
    for item in shared_items(cat):
        if item.due <= day:
            due.append(item.code)
            received += [item.code] if p.narrative else []
            complete += [item.code] if p.narrative else []
    return Content(tuple(due), tuple(received), tuple(complete))


def has_gaps(p: UnitProgress) -> bool:
    """Something of what the unit sent is to be sent again or fixed: a file not read, a
    required cell empty, an error."""
    return bool(p.state.unread_files or p.errors or (p.workbook and p.required_missing))


def needs_reminder(cat: Catalogue, p: UnitProgress) -> bool:
    """A letter goes to a unit that, as of the date, has sent nothing past its deadline, sent
    only files that could not be read, sent without everything past its deadline, or sent
    something to fix. Never to the office that collects (it drafts the letters)."""
    if p.unit == cat.progress.office:
        return False
    state = p.state
    if state.delivery is Delivery.UNREADABLE:
        return True
    overdue = state.days_overdue > 0
    if state.delivery is Delivery.NOT_SENT:
        return overdue
    return has_gaps(p) or (overdue and (state.missing_workbook or state.missing_narrative))


def deadline(cat: Catalogue, p: UnitProgress, day: dt.date) -> dt.date:
    """The deadline a letter sets: `reminder_days` working days after `day` (weekends and the
    catalogue's holidays skipped), or the unit's own deadline when that is later."""
    form = cat.progress
    return max(p.due, working_days_after(day, form.reminder_days, form.holidays))


def names(items: Sequence[str]) -> str:
    """'A', 'A và B', 'A, B và C'."""
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} và {items[-1]}"


@dataclass(frozen=True)
class TaskGroup:
    """One task of the weekly plans (by name and due date) and the units it concerns."""

    name: str
    due: dt.date
    units: tuple[str, ...]  # unit labels, in catalogue order


def task_groups(pairs: Iterable[tuple[str, Task]]) -> list[TaskGroup]:
    """(unit label, task) pairs grouped by task name and due date, by due date then name."""
    groups: dict[tuple[dt.date, str], list[str]] = {}
    for label, task in pairs:
        units = groups.setdefault((task.due, task.name), [])
        if label not in units:
            units.append(label)
    return [TaskGroup(name, due, tuple(units)) for (due, name), units in sorted(groups.items())]


def overdue_units(cat: Catalogue, progress: Sequence[UnitProgress]) -> list[UnitProgress]:
    """Units overdue more than the catalogue's `committee_after` days with something still to
    send: nothing sent, nothing readable, or a half missing."""
    return [p for p in progress if p.state.days_overdue > cat.progress.committee_after
            and p.state.behind]


@dataclass(frozen=True)
class MissingTarget:
    """A target the chapter lists (a target row) whose target years are still empty, in a
    workbook that arrived."""

    label: str  # the target's label
    unit: str  # code of the unit that fills it
    years: tuple[int, ...]  # target years without a value


def missing_targets(cat: Catalogue, validation: Validation,
                    progress: Sequence[UnitProgress]) -> list[MissingTarget]:
    """The targets (items' `targets`) with empty target years in the workbooks received."""
    sent = {p.unit for p in progress if p.workbook}
    filled = filled_cells(validation.values)
    out = []
    for item in cat.items:
        for row in item.targets:
            ind = cat.indicator_by_code.get(row.indicator)
            owner = cat.item_of_indicator.get(row.indicator)
            if ind is None or owner is None or owner.unit not in sent:
                continue
            part = row.part or TOTAL
            have = filled.get(owner.unit, set())
            empty = tuple(y for y in cat.years_of(ind) if y in cat.years.target
                          and (ind.code, part, y) not in have)
            if empty:
                out.append(MissingTarget(row.label or cat.row_label(ind.code, part),
                                         owner.unit, empty))
    return out


def draft_date(cat: Catalogue, progress: Sequence[UnitProgress], day: dt.date
               ) -> tuple[dt.date, bool]:
    """When the office builds the chapter's draft, and whether everything is in by `day`:
    the next working day when no unit has anything left to send or fix; else the working day
    after the last deadline (the items', and the letters' for the units chased)."""
    holidays = cat.progress.holidays
    behind = [p for p in progress if p.state.behind or has_gaps(p)]
    if not behind:
        return working_days_after(day, 1, holidays), True
    last = max([it.due for it in cat.items] + [deadline(cat, p, day) for p in behind])
    return working_days_after(max(last, day), 1, holidays), False


EMPTY_REQUIRED = "required_missing"  # the finding of a required cell left empty


def other_errors(p: UnitProgress, findings: Iterable[Finding]) -> list[Finding]:
    """The unit's errors other than a required cell left empty (those are named as empty
    cells): in its workbook and narrative."""
    files = {f for f in (p.workbook, p.narrative) if f}
    return [f for f in findings if f.severity is Severity.ERROR and f.file in files
            and f.code != EMPTY_REQUIRED]


def details(p: UnitProgress, findings: Iterable[Finding]) -> str:
    """What the unit's status leaves out, in one sentence ("" when nothing): files not read,
    the half missing, required cells empty, other errors left. Unlike `UnitProgress.note` it
    says nothing of files sent after the date (a report made on that day knew nothing of
    them) nor of late tasks (the reports count and name those apart)."""
    state = p.state
    parts = []
    if state.delivery is Delivery.UNREADABLE:
        parts.append("tệp bị tạm giữ vì mã đơn vị không khớp" if state.held_back
                     else "tệp nhận được không đọc được")
    elif state.delivery is Delivery.SENT:
        parts += ["chưa có biểu số liệu"] if state.missing_workbook else []
        parts += ["chưa có thuyết minh"] if state.missing_narrative else []
        if state.unread_files:
            parts.append("có tệp bị tạm giữ vì mã đơn vị không khớp" if state.held_back
                         else "có tệp không đọc được")
        if p.workbook and p.required_missing:
            parts.append(f"còn {fmt.number(p.required_missing)} ô bắt buộc để trống")
        others = len(other_errors(p, findings))
        if others:
            parts.append(f"còn {fmt.number(others)} lỗi "
                         f"{'khác ' if p.required_missing else ''}phải sửa")
    text = "; ".join(parts)
    return f"{text[:1].upper()}{text[1:]}." if text else ""
