"""Progress: which unit sent what, against the catalogue's deadlines, as of a date.

Completeness is objective: the share of the cells the catalogue asks of a unit that hold a
valid value (required cells and all cells), not what the unit says of itself.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from pipeline.catalogue.layout import form_rows
from pipeline.catalogue.model import Catalogue
from pipeline.core import fmt
from pipeline.validate.model import Validation


@dataclass(frozen=True)
class UnitProgress:
    unit: str  # unit code
    name: str  # Vietnamese name
    items: tuple[str, ...]  # content items it owns (codes)
    due: dt.date  # earliest deadline of its items
    workbook: str  # file name, "" when none
    narrative: str  # file name, "" when none
    received: dt.date | None  # "ngày gửi" in the workbook, else the file's date
    form_version: str
    required_filled: int  # required cells holding a valid value
    required_total: int
    cells_filled: int  # all asked cells holding a valid value
    cells_total: int
    errors: int
    warnings: int
    status: str  # Vietnamese status line
    last_change: dt.datetime | None = None  # newest modification time of its files
    tasks: int = 0  # rows of its weekly work plan
    tasks_due: int = 0  # of those, due by the as-of date
    tasks_done: int = 0  # due and marked done
    tasks_late: int = 0  # due and not done
    unread: tuple[str, ...] = ()  # files received from the unit but not readable, with why

    @property
    def received_anything(self) -> bool:
        """The unit sent something, readable or not."""
        return bool(self.workbook or self.narrative or self.unread)

    @property
    def tasks_line(self) -> str:
        """'xong/đến hạn (trễ n)' for the reports."""
        if not self.tasks:
            return "-"
        late = f", trễ {self.tasks_late}" if self.tasks_late else ""
        return f"{self.tasks_done}/{self.tasks_due} việc đến hạn đã xong{late}"

    @property
    def required_share(self) -> float | None:
        return None if not self.required_total else self.required_filled / self.required_total


WORK_PLAN = "ke_hoach_tuan"  # the list input holding each unit's weekly work plan
DONE = "Hoàn thành"


def _tasks(plan: list[tuple[dt.date, str]], as_of: dt.date) -> dict[str, int]:
    due = [status for day, status in plan if day <= as_of]
    done = sum(1 for status in due if status == DONE)
    return {"tasks": len(plan), "tasks_due": len(due), "tasks_done": done,
            "tasks_late": len(due) - done}


def progress(cat: Catalogue, validation: Validation, as_of: dt.date) -> list[UnitProgress]:
    """One row per unit of the catalogue, in catalogue order."""
    wbs = {w.unit: w for w in validation.workbooks}
    narrs = {n.unit: n for n in validation.narratives}
    plans: dict[str, list[tuple[dt.date, str]]] = {}
    for entry in validation.lists:
        han = entry.values.get("han")
        if entry.list == WORK_PLAN and isinstance(han, dt.date):
            plans.setdefault(entry.unit, []).append((han, str(entry.values["trang_thai"])))
    filled: dict[str, set[tuple[str, str, int]]] = {}
    for v in validation.values:
        filled.setdefault(v.unit, set()).add((v.indicator, v.breakdown, v.year))
    out = []
    for unit in cat.units:
        own = [it for it in cat.items if it.unit == unit.code]
        due = min((it.due for it in own), default=max(it.due for it in cat.items))
        wb, narr = wbs.get(unit.code), narrs.get(unit.code)
        received = (wb.sent if wb else narr.file.modified.date() if narr else None)
        unread = [u for u in validation.unread if u.unit == unit.code
                  and (u.received is None or u.received <= as_of)]
        if received is None:
            received = min((u.received for u in unread if u.received), default=None)
        files = [s.file.name for s in (wb, narr) if s is not None] + [u.file for u in unread]
        counts = [validation.counts(f) for f in files]
        status = _status(as_of, due, wb is not None, narr is not None,
                         bool(cat.data_items_of(unit.code)), bool(unread), received)
        out.append(UnitProgress(
            unit=unit.code, name=unit.name, items=tuple(it.code for it in own), due=due,
            workbook=wb.file.name if wb else "", narrative=narr.file.name if narr else "",
            received=received, form_version=wb.meta.get("phien_ban_bieu_mau", "") if wb else "",
            **_filled_cells(cat, unit.code, filled.get(unit.code, set())),
            errors=sum(e for e, _ in counts), warnings=sum(w for _, w in counts), status=status,
            last_change=max((s.file.modified for s in (wb, narr) if s is not None),
                            default=None),
            unread=tuple(f"'{u.file}': {u.reason}" for u in unread),
            **_tasks(plans.get(unit.code, []), as_of)))
    return out


def _filled_cells(cat: Catalogue, unit: str, have: set[tuple[str, str, int]]
                  ) -> dict[str, int]:
    """How many of the cells asked of the unit (required ones, and all) hold a valid value."""
    req_total = req_filled = all_total = all_filled = 0
    for item in cat.data_items_of(unit):
        for row in form_rows(cat, item):
            for year in cat.years_of(row.indicator):
                hit = (row.indicator.code, row.part, year) in have
                all_total += 1
                all_filled += hit
                if row.indicator.required:
                    req_total += 1
                    req_filled += hit
    return {"required_filled": req_filled, "required_total": req_total,
            "cells_filled": all_filled, "cells_total": all_total}


def _status(as_of: dt.date, due: dt.date, has_workbook: bool, has_narrative: bool,
            owes_workbook: bool, has_unread: bool, received: dt.date | None) -> str:
    """The unit's status line as of a date (Vietnamese)."""
    late_by = (as_of - due).days
    overdue = f"Chưa nộp – quá hạn {late_by} ngày" if as_of > due else "Chưa nộp – còn hạn"
    if not has_workbook and not has_narrative:
        if not has_unread:
            return overdue
        return "Đã nhận, chưa đọc được tệp" + (f" – quá hạn {late_by} ngày" if late_by > 0
                                                else "")
    if received is not None and received > as_of:
        # Looking back at an earlier date: the file was sent after it.
        return f"{overdue} (tệp ghi ngày gửi {fmt.date(received)}, sau ngày tính)"
    status = "Đã nộp, trễ hạn" if received is not None and received > due else "Đã nộp đúng hạn"
    if not has_workbook and owes_workbook:
        status += "; thiếu biểu số liệu"
    if not has_narrative:
        status += "; thiếu thuyết minh"
    if has_unread:
        status += "; có tệp chưa đọc được"
    return status
