"""Progress: which unit sent what, against the catalogue's deadlines, as of a date.

Completeness is objective: the share of the cells the catalogue asks of a unit that hold a
valid value (required cells and all cells), not what the unit says of itself.

A unit's status is a typed value (`Status`): what was received, how late, what is missing.
Everything that decides (who is behind, who gets a letter) reads its fields; `Status.text`
is the one place its Vietnamese line is written.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from enum import Enum

from pipeline.catalogue.layout import form_rows
from pipeline.catalogue.model import Catalogue
from pipeline.core import fmt
from pipeline.core.records import Value
from pipeline.validate.model import Validation

Filled = set[tuple[str, str, int]]  # (indicator, breakdown part, year) holding a valid value


class Delivery(Enum):
    """What the office holds from a unit as of the date."""

    NOT_SENT = "not_sent"  # nothing (or only files dated after the as-of date)
    UNREADABLE = "unreadable"  # entries received (files, links, folders...), none of them read
    SENT = "sent"  # a workbook or a narrative was read


@dataclass(frozen=True)
class Status:
    """Where a unit stands as of a date."""

    delivery: Delivery
    days_overdue: int  # days past the deadline as of the date; 0 while it has not passed
    late: bool  # SENT after the deadline (the date the files carry)
    missing_workbook: bool  # the unit owes a workbook and none was read
    missing_narrative: bool  # no narrative was read
    unread_files: bool  # some of its files were received but could not be read
    sent_after: dt.date | None = None  # its files carry a date after the as-of date
    held_back: bool = False  # every file not read was read but held back (unit codes differ)

    @property
    def behind(self) -> bool:
        """Not sent, unreadable, or sent without everything: the unit is to be chased."""
        return (self.delivery is not Delivery.SENT or self.missing_workbook
                or self.missing_narrative)

    @property
    def text(self) -> str:
        """The unit's status line (Vietnamese), as every table and report shows it."""
        overdue = f" – quá hạn {self.days_overdue} ngày" if self.days_overdue else ""
        if self.delivery is Delivery.UNREADABLE:
            if self.held_back:
                return "Đã nhận, tạm giữ tệp (mã đơn vị không khớp)" + overdue
            return "Đã nhận, chưa đọc được tệp" + overdue
        if self.delivery is Delivery.NOT_SENT:
            line = "Chưa nộp" + (overdue or " – còn hạn")
            if self.sent_after is not None:
                line += f" (tệp ghi ngày gửi {fmt.date(self.sent_after)}, sau ngày tính)"
            return line
        line = "Đã nộp, trễ hạn" if self.late else "Đã nộp đúng hạn"
        if self.missing_workbook:
            line += "; thiếu biểu số liệu"
        if self.missing_narrative:
            line += "; thiếu thuyết minh"
        if self.unread_files:
            line += "; có tệp chưa đọc được"
        return line


def unit_status(as_of: dt.date, due: dt.date, has_workbook: bool, has_narrative: bool,
                owes_workbook: bool, has_unread: bool, received: dt.date | None,
                held_back: bool = False) -> Status:
    """The unit's status as of a date. `received` is the date its files carry; `held_back`:
    its files not read were all held back (their unit codes disagree)."""
    sent = has_workbook or has_narrative
    after = received is not None and received > as_of  # looking back: sent after that day
    if not sent:
        delivery = Delivery.UNREADABLE if has_unread else Delivery.NOT_SENT
    else:
        delivery = Delivery.NOT_SENT if after else Delivery.SENT
    return Status(
        delivery=delivery,
        days_overdue=max((as_of - due).days, 0),
        late=delivery is Delivery.SENT and received is not None and received > due,
        missing_workbook=owes_workbook and not has_workbook,
        missing_narrative=not has_narrative,
        unread_files=has_unread,
        sent_after=received if sent and after else None,
        held_back=has_unread and held_back)


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
    state: Status  # where the unit stands; `status` is its Vietnamese line
    last_change: dt.datetime | None = None  # newest modification time of its files
    tasks: int = 0  # rows of its weekly work plan
    tasks_due: int = 0  # of those, due by the as-of date
    tasks_done: int = 0  # due and marked done
    tasks_late: int = 0  # due and not done
    unread: tuple[str, ...] = ()  # "'entry': why" for each entry of inputs/ received from the
    # unit and not read (a file that cannot be read, a link, a FIFO, a file in a subfolder...)

    @property
    def status(self) -> str:
        """The status line (Vietnamese): `state.text`."""
        return self.state.text

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
    filled = filled_cells(validation.values)
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
        state = unit_status(as_of, due, wb is not None, narr is not None,
                            bool(cat.data_items_of(unit.code)), bool(unread), received,
                            all(u.held_back for u in unread))
        out.append(UnitProgress(
            unit=unit.code, name=unit.name, items=tuple(it.code for it in own), due=due,
            workbook=wb.file.name if wb else "", narrative=narr.file.name if narr else "",
            received=received, form_version=wb.meta.get("phien_ban_bieu_mau", "") if wb else "",
            **_cell_counts(asked_rows(cat, unit.code, filled.get(unit.code, set()))),
            errors=sum(e for e, _ in counts), warnings=sum(w for _, w in counts), state=state,
            last_change=max((s.file.modified for s in (wb, narr) if s is not None),
                            default=None),
            unread=tuple(f"'{u.file}': {u.reason}" for u in unread),
            **_tasks(plans.get(unit.code, []), as_of)))
    return out


# --- the cells asked of a unit ------------------------------------------------------------------
@dataclass(frozen=True)
class AskedRow:
    """One row of a unit's form the catalogue asks for, and which of its years are filled."""

    item: str  # content item code
    indicator: str  # indicator code
    part: str  # breakdown part code, or TOTAL
    required: bool  # the indicator is required
    filled: tuple[int, ...]  # years asked that hold a valid value
    empty: tuple[int, ...]  # years asked still without a valid value


def filled_cells(values: Iterable[Value]) -> dict[str, Filled]:
    """Per unit, the (indicator, part, year) cells holding a valid value."""
    out: dict[str, Filled] = {}
    for v in values:
        out.setdefault(v.unit, set()).add((v.indicator, v.breakdown, v.year))
    return out


def asked_rows(cat: Catalogue, unit: str, filled: Filled) -> list[AskedRow]:
    """Every form row asked of `unit`, in form order, with its filled and empty years."""
    out = []
    for item in cat.data_items_of(unit):
        for row in form_rows(cat, item):
            code = row.indicator.code
            years = cat.years_of(row.indicator)
            out.append(AskedRow(
                item=item.code, indicator=code, part=row.part, required=row.indicator.required,
                filled=tuple(y for y in years if (code, row.part, y) in filled),
                empty=tuple(y for y in years if (code, row.part, y) not in filled)))
    return out


def _cell_counts(rows: list[AskedRow]) -> dict[str, int]:
    """How many of the asked cells (required ones, and all) hold a valid value."""
    required = [r for r in rows if r.required]
    return {"required_filled": sum(len(r.filled) for r in required),
            "required_total": sum(len(r.filled) + len(r.empty) for r in required),
            "cells_filled": sum(len(r.filled) for r in rows),
            "cells_total": sum(len(r.filled) + len(r.empty) for r in rows)}
