"""Progress: which unit sent what, against the catalogue's deadlines, as of a date.

It reads a validation of the inputs folder as it stood on the as-of date (validate.asof: no
file dated after it), so that every figure and every date it gives is one a report made on
that day could have known. Completeness is objective: the share of the cells the catalogue
asks of a unit that hold a valid value (required cells and all cells), not what the unit
says of itself.

A unit's status is a typed value (`Status`): what was received, how late, what is missing.
Everything that decides (who is behind, who gets a letter, what the rates count) reads its
fields; `Status.count` is the one place a unit is put in one of the rates' five counts, and
`Status.text` says that count in a few words ("Đã nộp, trễ 2 ngày"). The details (what is
missing, errors left, files not read, files sent after the date) are `UnitProgress.note`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from enum import Enum

from pipeline.catalogue.layout import form_rows, sheet_name
from pipeline.catalogue.model import Catalogue, Item
from pipeline.core import fmt
from pipeline.core.findings import Finding, Severity
from pipeline.core.records import ListEntry, Value
from pipeline.validate.asof import Later
from pipeline.validate.model import Validation

Filled = set[tuple[str, str, int]]  # (indicator, breakdown part, year) holding a valid value


class Delivery(Enum):
    """What the office holds from a unit as of the date."""

    NOT_SENT = "not_sent"  # nothing dated on or before the as-of date
    UNREADABLE = "unreadable"  # entries received (files, links, folders...), none of them read
    SENT = "sent"  # a workbook or a narrative was read


class Count(Enum):
    """What a unit counts as in the rates (office.status.Rates): exactly one of five."""

    ON_TIME = "on_time"  # sent, dated on or before its deadline
    LATE = "late"  # sent, dated after its deadline
    UNREADABLE = "unreadable"  # received, nothing of it could be read
    WAITING = "waiting"  # nothing received, the deadline not passed
    OVERDUE = "overdue"  # nothing received, the deadline passed


@dataclass(frozen=True)
class Status:
    """Where a unit stands as of a date."""

    delivery: Delivery
    days_overdue: int  # days past the deadline as of the date; 0 while it has not passed
    late: bool  # SENT after the deadline (the date sent its files carry)
    missing_workbook: bool  # the unit owes a workbook and none was read
    missing_narrative: bool  # no narrative was read
    unread_files: bool  # some of its files were received but could not be read
    held_back: bool = False  # every file not read was read but held back (unit codes differ)
    due: dt.date | None = None  # its deadline
    days_late: int = 0  # SENT late: days from the deadline to the date sent
    later: bool = False  # it has files dated after the as-of date (not counted: see Later)

    @property
    def behind(self) -> bool:
        """Not sent, unreadable, or sent without everything: the unit is to be chased."""
        return (self.delivery is not Delivery.SENT or self.missing_workbook
                or self.missing_narrative)

    @property
    def count(self) -> Count:
        """What the unit counts as in the rates; `text` says the same in words."""
        if self.delivery is Delivery.SENT:
            return Count.LATE if self.late else Count.ON_TIME
        if self.delivery is Delivery.UNREADABLE:
            return Count.UNREADABLE
        return Count.OVERDUE if self.days_overdue else Count.WAITING

    @property
    def text(self) -> str:
        """The unit's status in a few words (Vietnamese), as every table shows it."""
        count = self.count
        if count is Count.ON_TIME:
            return "Đã nộp, đúng hạn"
        if count is Count.LATE:
            return f"Đã nộp, trễ {fmt.number(self.days_late)} ngày"
        if count is Count.UNREADABLE:
            return "Đã nhận, chưa đọc được"
        if count is Count.OVERDUE:
            return f"Chưa nộp, quá hạn {fmt.number(self.days_overdue)} ngày"
        return ("Chưa nộp, còn hạn" if self.due is None
                else f"Chưa nộp, còn hạn đến {fmt.day_month(self.due)}")


def unit_status(as_of: dt.date, due: dt.date, has_workbook: bool, has_narrative: bool,
                owes_workbook: bool, has_unread: bool, received: dt.date | None,
                held_back: bool = False, later: bool = False) -> Status:
    """The unit's status as of a date, from the inputs as they stood that day. `received` is
    the date sent its files carry (never after `as_of` in that view); `held_back`: its files
    not read were all held back (their unit codes disagree); `later`: it has files dated after
    `as_of`, left out of the view."""
    sent = has_workbook or has_narrative
    delivery = (Delivery.SENT if sent else Delivery.UNREADABLE if has_unread
                else Delivery.NOT_SENT)
    days_late = (max((received - due).days, 0)
                 if delivery is Delivery.SENT and received is not None else 0)
    return Status(
        delivery=delivery,
        days_overdue=max((as_of - due).days, 0),
        late=days_late > 0,
        missing_workbook=owes_workbook and not has_workbook,
        missing_narrative=not has_narrative,
        unread_files=has_unread,
        held_back=has_unread and held_back,
        due=due,
        days_late=days_late,
        later=later)


@dataclass(frozen=True)
class ItemProgress:
    """One content item a unit owns (the catalogue's `unit`), as of the date."""

    code: str  # "I.1"
    title: str  # the item's title in the catalogue
    due: dt.date  # its deadline
    figures: bool  # the unit fills figures for it in its workbook (else only text)
    received: bool  # its part arrived: the workbook (figures), else the narrative
    required_filled: int  # its required cells holding a valid value
    required_total: int
    missing: tuple[AskedRow, ...]  # its required rows with years still empty, in form order
    errors: int  # errors on its sheet of the workbook

    @property
    def complete(self) -> bool:
        """Received, every required cell filled, no error left on its sheet."""
        return self.received and not self.missing and not self.errors


@dataclass(frozen=True)
class Fix:
    """Errors left to fix in one sheet of one of a unit's files."""

    file: str  # file name
    sheet: str  # sheet name; "" for an error about the file as a whole
    cells: tuple[str, ...]  # the cells named (A1), each once, in the order found
    count: int  # errors there


@dataclass(frozen=True)
class Task:
    """One row of a unit's weekly work plan (the workbook's sheet "Kế hoạch tuần")."""

    name: str  # "Công việc"
    item: str  # "Mục nội dung" ("" when none)
    owner: str  # "Người phụ trách" ("" when none)
    due: dt.date  # "Hạn hoàn thành"
    state: str  # "Trạng thái": "Chưa bắt đầu", "Đang thực hiện" or "Hoàn thành"
    note: str  # "Ghi chú" ("" when none)

    @property
    def done(self) -> bool:
        return self.state == DONE


@dataclass(frozen=True)
class UnitProgress:
    """Where one unit stands as of the date, from the inputs as they stood that day."""

    unit: str  # unit code
    name: str  # Vietnamese name
    items: tuple[str, ...]  # content items it owns (codes)
    due: dt.date  # earliest deadline of its items
    workbook: str  # file name, "" when none
    narrative: str  # file name, "" when none
    received: dt.date | None  # date sent: the workbook's "Ngày gửi", else the file's date
    form_version: str
    required_filled: int  # required cells holding a valid value
    required_total: int
    cells_filled: int  # all asked cells holding a valid value
    cells_total: int
    errors: int
    warnings: int
    state: Status  # where the unit stands; `status` is its few words, `note` the details
    last_change: dt.date | None = None  # the latest date sent among its files (never after
    # the as-of date; not the files' copy times)
    tasks: int = 0  # rows of its weekly work plan
    tasks_due: int = 0  # of those, due by the as-of date
    tasks_done: int = 0  # due and marked done
    tasks_late: int = 0  # due and not done
    unread: tuple[str, ...] = ()  # "'entry': why" for each entry of inputs/ received from the
    # unit and not read (a file that cannot be read, a link, a FIFO, a file in a subfolder...)
    short: str = ""  # short name from the catalogue ("P. KHTC"); "" when it has none
    content: tuple[ItemProgress, ...] = ()  # the items it owns, in catalogue order
    to_fix: tuple[Fix, ...] = ()  # where its errors are, by file and sheet
    plan: tuple[Task, ...] = ()  # its weekly work plan, in the order written
    done_tasks: tuple[Task, ...] = ()  # due by the as-of date and done
    late_tasks: tuple[Task, ...] = ()  # due by the as-of date and not done
    later: tuple[Later, ...] = ()  # its files dated after the as-of date, not counted

    @property
    def status(self) -> str:
        """The status in a few words (Vietnamese): `state.text`."""
        return self.state.text

    @property
    def label(self) -> str:
        """The name a narrow table shows: the short name, else the name."""
        return self.short or self.name

    @property
    def required_missing(self) -> int:
        """Required cells still without a valid value."""
        return self.required_total - self.required_filled

    @property
    def note(self) -> str:
        """The details the status leaves out, as one sentence ("" when there are none):
        files not read, the half missing, files sent after the date (not counted), required
        cells empty, errors left, late tasks."""
        later = {x.kind for x in self.later}
        parts = _state_details(self.state, later) + _later_details(later, bool(self.workbook))
        if self.workbook and self.required_missing:
            parts.append(f"thiếu {fmt.number(self.required_missing)} ô bắt buộc")
        if self.errors and self.state.delivery is Delivery.SENT:  # else: files not read
            parts.append(f"còn {fmt.number(self.errors)} lỗi cần sửa")
        if self.tasks_late:
            parts.append(f"trễ {fmt.number(self.tasks_late)} việc trong kế hoạch tuần")
        if not parts:
            return ""
        text = "; ".join(parts)
        return text[0].upper() + text[1:] + "."

    @property
    def received_anything(self) -> bool:
        """The unit sent something, readable or not."""
        return bool(self.workbook or self.narrative or self.unread)

    @property
    def tasks_line(self) -> str:
        """The weekly plan in a few words: '2/3 việc đến hạn đã xong, trễ 1'; '-' without a
        plan."""
        if not self.tasks:
            return "-"
        if not self.tasks_due:
            return "Chưa có việc đến hạn"
        if not self.tasks_done:
            return f"Trễ cả {fmt.number(self.tasks_late)} việc đến hạn"
        late = f", trễ {fmt.number(self.tasks_late)}" if self.tasks_late else ""
        return (f"{fmt.number(self.tasks_done)}/{fmt.number(self.tasks_due)} việc đến hạn "
                f"đã xong{late}")

    @property
    def required_share(self) -> float | None:
        return None if not self.required_total else self.required_filled / self.required_total


def _state_details(state: Status, later: set[str]) -> list[str]:
    """What the status leaves out: files not read and how overdue; the half missing (unless
    it was sent after the date: `later` holds the kinds of those files)."""
    out = []
    if state.delivery is Delivery.UNREADABLE:
        out.append("tệp bị tạm giữ vì mã đơn vị không khớp" if state.held_back
                   else "tệp nhận được không đọc được")
        if state.days_overdue:
            out.append(f"đã quá hạn {fmt.number(state.days_overdue)} ngày")
    elif state.delivery is Delivery.SENT:
        if state.missing_workbook and "workbook" not in later:
            out.append("chưa có biểu số liệu")
        if state.missing_narrative and "narrative" not in later:
            out.append("chưa có thuyết minh")
        if state.unread_files:
            out.append("có tệp bị tạm giữ vì mã đơn vị không khớp" if state.held_back
                       else "có tệp không đọc được")
    return out


def _later_details(later: set[str], has_workbook: bool) -> list[str]:
    """The files sent after the date, by kind, without their date (never shown)."""
    halves = [name for kind, name in (("workbook", "biểu số liệu"),
                                      ("narrative", "thuyết minh")) if kind in later]
    if halves:
        again = "bản mới của " if has_workbook and halves == ["biểu số liệu"] else ""
        return [f"{again}{' và '.join(halves)} gửi sau ngày tính, chưa tính"]
    return ["có tệp gửi sau ngày tính, chưa tính"] if "file" in later else []


WORK_PLAN = "ke_hoach_tuan"  # the list input holding each unit's weekly work plan
DONE = "Hoàn thành"


def _text(value: object) -> str:
    return "" if value is None else str(value).strip()


def work_plans(entries: Iterable[ListEntry]) -> dict[str, list[Task]]:
    """Each unit's weekly work plan, from the list rows that passed validation (a row
    without a due date is left out: it cannot be due)."""
    plans: dict[str, list[Task]] = {}
    for entry in entries:
        if entry.list != WORK_PLAN:
            continue
        due = entry.values.get("han")
        if isinstance(due, dt.datetime):
            due = due.date()
        if not isinstance(due, dt.date):
            continue
        v = entry.values
        plans.setdefault(entry.unit, []).append(Task(
            name=_text(v.get("cong_viec")), item=_text(v.get("muc")),
            owner=_text(v.get("nguoi_phu_trach")), due=due, state=_text(v.get("trang_thai")),
            note=_text(v.get("ghi_chu"))))
    return plans


def _fixes(findings: Iterable[Finding], files: Sequence[str]) -> tuple[Fix, ...]:
    """The errors in `files`, grouped by file and sheet, in the order found."""
    groups: dict[tuple[str, str], list[str]] = {}
    counts: dict[tuple[str, str], int] = {}
    for f in findings:
        if f.severity is Severity.ERROR and f.file in files:
            key = (f.file, f.sheet)
            counts[key] = counts.get(key, 0) + 1
            cells = groups.setdefault(key, [])
            if f.cell and f.cell not in cells:
                cells.append(f.cell)
    return tuple(Fix(file, sheet, tuple(groups[(file, sheet)]), counts[(file, sheet)])
                 for file, sheet in counts)


def _content(cat: Catalogue, own: Sequence[Item], rows: Sequence[AskedRow],
             has_workbook: bool, has_narrative: bool, fixes: Sequence[Fix],
             workbook: str) -> Iterator[ItemProgress]:
    errors = {fx.sheet: fx.count for fx in fixes if fx.file == workbook}
    for item in own:
        mine = [r for r in rows if r.item == item.code and r.required]
        figures = bool(item.indicators)
        yield ItemProgress(
            code=item.code, title=item.title, due=item.due, figures=figures,
            received=has_workbook if figures else has_narrative,
            required_filled=sum(len(r.filled) for r in mine),
            required_total=sum(len(r.filled) + len(r.empty) for r in mine),
            missing=tuple(r for r in mine if r.empty),
            errors=errors.get(sheet_name(item), 0) if figures and has_workbook else 0)


def progress(cat: Catalogue, validation: Validation, as_of: dt.date,
             later: Sequence[Later] = ()) -> list[UnitProgress]:
    """One row per unit of the catalogue, in catalogue order, from `validation` of the inputs
    as they stood on `as_of` (validate.asof); `later`: the files that view left out."""
    wbs = {w.unit: w for w in validation.workbooks}
    narrs = {n.unit: n for n in validation.narratives}
    plans = work_plans(validation.lists)
    filled = filled_cells(validation.values)
    out = []
    for unit in cat.units:
        own = [it for it in cat.items if it.unit == unit.code]
        due = min((it.due for it in own), default=max(it.due for it in cat.items))
        wb, narr = wbs.get(unit.code), narrs.get(unit.code)
        unread = [u for u in validation.unread if u.unit == unit.code
                  and (u.received is None or u.received <= as_of)]
        dates = [s.sent for s in (wb, narr) if s is not None]
        dates += [u.received for u in unread if u.received is not None]
        received = wb.sent if wb else narr.sent if narr else min(dates, default=None)
        files = [s.file.name for s in (wb, narr) if s is not None] + [u.file for u in unread]
        counts = [validation.counts(f) for f in files]
        mine_later = tuple(x for x in later if x.unit == unit.code)
        state = unit_status(as_of, due, wb is not None, narr is not None,
                            bool(cat.data_items_of(unit.code)), bool(unread), received,
                            all(u.held_back for u in unread), bool(mine_later))
        rows = asked_rows(cat, unit.code, filled.get(unit.code, set()))
        fixes = _fixes(validation.findings, files)
        plan = tuple(plans.get(unit.code, []))
        due_tasks = [t for t in plan if t.due <= as_of]
        out.append(UnitProgress(
            unit=unit.code, name=unit.name, items=tuple(it.code for it in own), due=due,
            workbook=wb.file.name if wb else "", narrative=narr.file.name if narr else "",
            received=received, form_version=wb.meta.get("phien_ban_bieu_mau", "") if wb else "",
            **_cell_counts(rows),
            errors=sum(e for e, _ in counts), warnings=sum(w for _, w in counts), state=state,
            last_change=max(dates, default=None),
            tasks=len(plan), tasks_due=len(due_tasks),
            tasks_done=sum(1 for t in due_tasks if t.done),
            tasks_late=sum(1 for t in due_tasks if not t.done),
            unread=tuple(f"'{u.file}': {u.reason}" for u in unread),
            short=unit.short,
            content=tuple(_content(cat, own, rows, wb is not None, narr is not None, fixes,
                                   wb.file.name if wb else "")),
            to_fix=fixes, plan=plan,
            done_tasks=tuple(t for t in due_tasks if t.done),
            late_tasks=tuple(t for t in due_tasks if not t.done),
            later=mine_later))
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
