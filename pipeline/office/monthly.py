"""The monthly progress report to the Department of Planning and Investment (`make monthly`),
sent before the catalogue's day of each month (the 13th), in the Decree 30/2020 report form,
everything from the as-of view (office.status.Checked):

I.   results against the plan: one row per milestone (each deadline of the catalogue's items:
     10/03 and 25/03/2020 in the seed, later ones as the catalogue adds them) with the units
     that owe something then, how many sent by the deadline, have sent, and sent everything
     (cumulative to the as-of date); then the units' situation in the month, summarised from
     what was received in the period and from their weekly plans;
II.  difficulties, from the facts (units overdue, files not read, cells and errors left,
     targets still empty);
III. next month's plan: the milestones coming, the letters and their deadline, the units'
     planned tasks, the chapter's draft, the next monthly report.

A report sent before the 13th of a month is that month's: it covers the days from the 13th of
the month before to the as-of date.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from pipeline.catalogue.model import ALL_UNITS, Catalogue, Item
from pipeline.core import fmt
from pipeline.core.word import new_document
from pipeline.office import form
from pipeline.office.chase import (
    as_of,
    content_of,
    deadline,
    details,
    draft_date,
    has_gaps,
    missing_targets,
    names,
    needs_reminder,
    task_groups,
)
from pipeline.office.progress import Count, Delivery, UnitProgress
from pipeline.office.status import Checked, status_rows

HEADERS = ["TT", "Mốc (hạn gửi)", "Nội dung", "Đơn vị phải gửi", "Gửi đúng hạn", "Đã gửi",
           "Đầy đủ", "Đánh giá"]


@dataclass(frozen=True)
class Period:
    """The month a report is for and the days it covers."""

    month: dt.date  # the first day of the month it is for
    start: dt.date  # the first day it covers (the `monthly_before` day of the month before)
    end: dt.date  # the as-of date
    send_by: dt.date  # it is sent before this day

    @property
    def label(self) -> str:
        """'tháng 4/2020'."""
        return f"tháng {self.month.month}/{self.month.year}"


def _add_months(day: dt.date, n: int) -> dt.date:
    k = day.year * 12 + day.month - 1 + n
    return dt.date(k // 12, k % 12 + 1, 1)


def period_of(cat: Catalogue, day: dt.date) -> Period:
    """The report made on `day`: the month whose `monthly_before` day comes next (this month
    before that day, else the next), covering the days since that day of the month before."""
    before = cat.progress.monthly_before
    month = _add_months(day.replace(day=1), 0 if day.day < before else 1)
    return Period(month, _add_months(month, -1).replace(day=before), day,
                  month.replace(day=before))


@dataclass(frozen=True)
class Milestone:
    """A deadline of the plan and where the units that owe something then stand."""

    due: dt.date
    items: tuple[str, ...]  # item codes due that day
    units: int  # units that owe something that day
    on_time: int  # of those, everything sent by the deadline
    sent: int  # everything sent by the as-of date
    complete: int  # sent, no required cell empty, no error

    def verdict(self, day: dt.date) -> str:
        """The milestone's state in a few words."""
        if self.due > day:
            return "Chưa đến hạn"
        if self.complete == self.units:
            return "Đạt" if self.on_time == self.units else "Hoàn thành, có đơn vị trễ hạn"
        return f"Chưa đạt, còn {fmt.number(self.units - self.complete)} đơn vị"


def _sent_dates(checked: Checked) -> dict[tuple[str, str], dt.date]:
    """(unit, "workbook" | "narrative") -> its date sent, in the view."""
    out = {(w.unit, "workbook"): w.sent for w in checked.validation.workbooks}
    out.update({(n.unit, "narrative"): n.sent for n in checked.validation.narratives})
    return out


def milestones(cat: Catalogue, checked: Checked) -> list[Milestone]:
    """One per deadline of the catalogue's items, in date order, cumulative to the date."""
    dates = _sent_dates(checked)
    out = []
    for due in sorted({it.due for it in cat.items}):
        items = [it for it in cat.items if it.due == due]
        shared = any(it.unit == ALL_UNITS for it in items)
        units = on_time = sent = complete = 0
        for p in checked.progress:
            mine = [it for it in items if it.unit == p.unit]
            needs = {"workbook" for it in mine if it.indicators}
            if shared or any(not it.indicators for it in mine):
                needs.add("narrative")
            if not needs:
                continue
            units += 1
            got = [dates.get((p.unit, kind)) for kind in needs]
            have = all(d is not None for d in got)
            sent += have
            on_time += have and all(d is not None and d <= due for d in got)
            own = {it.code: it for it in p.content}
            complete += have and all(own[it.code].complete for it in mine if it.code in own)
        out.append(Milestone(due, tuple(it.code for it in items), units, on_time, sent,
                             complete))
    return out


def _items_text(cat: Catalogue, codes: Sequence[str]) -> str:
    """Item codes in a few words: whole parts as "Phần II, IV", other items by code."""
    parts: dict[str, list[Item]] = {}
    for it in cat.items:
        parts.setdefault(it.part, []).append(it)
    whole, single = [], []
    for part, items in parts.items():
        mine = [it.code for it in items if it.code in codes]
        if mine and len(mine) == len(items):
            whole.append(part)
        else:
            single += mine
    return "; ".join(([f"Mục {', '.join(single)}"] if single else [])
                     + ([f"Phần {', '.join(whole)}"] if whole else []))


def milestone_rows(cat: Catalogue, checked: Checked, stones: Sequence[Milestone]
                   ) -> list[list[str]]:
    day = as_of(checked)
    return [[fmt.number(k), fmt.date(m.due), _items_text(cat, m.items), fmt.number(m.units),
             fmt.number(m.on_time) if m.due <= day else "-", fmt.number(m.sent),
             fmt.number(m.complete), m.verdict(day)]
            for k, m in enumerate(stones, start=1)]



def cumulative(cat: Catalogue, checked: Checked) -> str:
    """The cumulative summary under the milestones: the rates (from the status rows) and the
    content items due, received and complete (from the same units)."""
    day = as_of(checked)
    rates = status_rows(checked.progress).rates.line()
    line = f"Lũy kế đến ngày {fmt.date(day)}, {rates[:1].lower()}{rates[1:]}"
    contents = [content_of(cat, p, day) for p in checked.progress]
    due = sum(len(c.due) for c in contents)
    if not due:
        return line
    received = sum(len(c.received) for c in contents)
    complete = sum(len(c.complete) for c in contents)
    if not received:
        return f"{line} Chưa nhận mục nào trong {fmt.number(due)} mục nội dung đến hạn."
    line += f" Đã nhận {fmt.number(received)}/{fmt.number(due)} mục nội dung đến hạn, "
    return line + (f"trong đó {fmt.number(complete)} mục đầy đủ." if complete
                   else "chưa mục nào đầy đủ.")


def _is_done(p: UnitProgress) -> bool:
    return p.state.delivery is Delivery.SENT and not p.state.behind and not has_gaps(p)


def month_lines(cat: Catalogue, checked: Checked, period: Period) -> list[str]:
    """Section I.2: the units' situation in the month, from what was received in it."""
    progress = checked.progress
    dates = _sent_dates(checked)

    def sent_in(p: UnitProgress) -> list[dt.date]:
        return sorted(d for (u, _), d in dates.items() if u == p.unit and d >= period.start)

    out = []
    fresh = [p for p in progress if sent_in(p)]
    if fresh:
        out.append(f"Trong kỳ, Sở nhận nội dung của {fmt.number(len(fresh))}/"
                   f"{fmt.number(len(progress))} phòng, đơn vị:")
    else:
        out.append("Trong kỳ, Sở chưa nhận thêm nội dung của phòng, đơn vị nào.")
    done = [f"{p.name} (ngày {fmt.date(sent_in(p)[-1])})" for p in fresh if _is_done(p)]
    if done:
        out.append(f"- Đã gửi đủ nội dung, không còn lỗi: {names(done)}.")
    said = {p.unit: details(p, checked.validation.findings) for p in fresh}
    partial = [f"{p.name} ({said[p.unit][0].lower()}{said[p.unit][1:-1]})" for p in fresh
               if not _is_done(p) and said[p.unit]]
    if partial:
        out.append(f"- Đã gửi, còn phải bổ sung hoặc sửa: {'; '.join(partial)}.")
    others = []
    before = [f"{p.name} (ngày {fmt.date(p.received)})" for p in progress
              if p not in fresh and p.state.delivery is Delivery.SENT and p.received]
    if before:
        others.append(f"- Đã gửi từ kỳ trước: {names(before)}.")
    unreadable = [p.name for p in progress if p.state.delivery is Delivery.UNREADABLE]
    if unreadable:
        others.append(f"- Đã gửi tệp nhưng chưa đọc được, chưa tổng hợp: {names(unreadable)}.")
    waiting = [p for p in progress if p.state.delivery is Delivery.NOT_SENT]
    overdue = [f"{p.name} (quá hạn {fmt.number(p.state.days_overdue)} ngày)" for p in waiting
               if p.state.count is Count.OVERDUE]
    if overdue:
        others.append(f"- Chưa gửi, đã quá hạn: {names(overdue)}.")
    coming = [p.name for p in waiting if p.state.count is Count.WAITING]
    if coming:
        others.append(f"- Chưa gửi, chưa đến hạn: {names(coming)}.")
    if others:
        out.append("Các phòng, đơn vị khác:" if fresh else "Tình hình các phòng, đơn vị:")
        out += others
    out.extend(_plan_lines(checked, period))
    return out


def _plan_lines(checked: Checked, period: Period) -> list[str]:
    planned = [p for p in checked.progress if p.state.delivery is Delivery.SENT and p.tasks]
    due = [(p.name, t) for p in planned for t in p.plan if period.start <= t.due <= period.end]
    if not due:
        return []
    done = sum(1 for _, t in due if t.done)
    line = (f"Theo kế hoạch tuần các đơn vị gửi, trong kỳ có {fmt.number(len(due))} việc đến "
            "hạn, " + (f"đã hoàn thành {fmt.number(done)}" if done
                       else "chưa hoàn thành việc nào"))
    late = task_groups((name, t) for name, t in due if not t.done)
    if not late:
        return [line + "."]
    return [line + "; chậm: " + "; ".join(f"“{g.name}” (hạn {fmt.date(g.due)}): "
                                          f"{names(list(g.units))}" for g in late) + "."]


def difficulties(cat: Catalogue, checked: Checked) -> list[str]:
    """Section II, from the facts; one sentence when there is none."""
    progress = checked.progress
    out = []
    overdue = [p.name for p in progress if p.state.count is Count.OVERDUE]
    if overdue:
        out.append(f"{names(overdue)} chưa gửi nội dung dù đã quá hạn, ảnh hưởng đến tiến độ "
                   "tổng hợp chương khoa học và công nghệ.")
    unreadable = [p.name for p in progress if p.state.delivery is Delivery.UNREADABLE]
    if unreadable:
        out.append(f"Tệp của {names(unreadable)} không đọc được, phải gửi lại theo mẫu.")
    gaps = [p.name for p in progress if p.state.delivery is Delivery.SENT and has_gaps(p)]
    if gaps:
        out.append(f"Số liệu của {names(gaps)} còn ô bắt buộc để trống hoặc còn lỗi, phải "
                   "bổ sung, sửa.")
    targets = missing_targets(cat, checked.validation, progress)
    if targets:
        out.append("Chưa có mục tiêu của " + names([t.label for t in targets]) + ".")
    if not out:
        out.append("Trong kỳ không phát sinh khó khăn, vướng mắc.")
    return out


def next_month(cat: Catalogue, checked: Checked, period: Period) -> list[str]:
    """Section III: the next month's plan, to the next monthly report."""
    day = as_of(checked)
    horizon = _add_months(period.month, 1).replace(day=cat.progress.monthly_before)
    progress = checked.progress
    out = []
    for m in milestones(cat, checked):
        if day < m.due <= horizon and m.sent < m.units:
            out.append(f"Hoàn thành nội dung có hạn ngày {fmt.date(m.due)} "
                       f"({_items_text(cat, m.items)}).")
    by_deadline: dict[dt.date, list[str]] = {}
    for p in progress:
        if needs_reminder(cat, p):
            by_deadline.setdefault(deadline(cat, p, day), []).append(p.name)
    for when, who in sorted(by_deadline.items()):
        out.append(f"Đôn đốc {names(who)} hoàn thành nội dung còn thiếu, chậm nhất ngày "
                   f"{fmt.date(when)}.")
    soon = task_groups((p.name, t) for p in progress if p.state.delivery is Delivery.SENT
                       for t in p.plan if day < t.due <= horizon and not t.done)
    for g in soon:
        out.append(f"Thực hiện “{g.name}” (hạn {fmt.date(g.due)}) theo kế hoạch tuần của "
                   f"{names(list(g.units))}.")
    when, ready = draft_date(cat, progress, day)
    planned = "ngày" if ready else "dự kiến ngày"
    out.append(f"Tổng hợp dự thảo chương khoa học và công nghệ {planned} {fmt.date(when)}; "
               f"hoàn thiện, gửi {cat.progress.monthly_to} và đơn vị tư vấn "
               "tích hợp vào Quy hoạch tỉnh.")
    out.append(f"Báo cáo tiến độ tháng {horizon.month}/{horizon.year} trước ngày "
               f"{fmt.date(horizon)}.")
    return out


def write_monthly(cat: Catalogue, checked: Checked, out: Path) -> Path:
    """The monthly report as .docx at `out`."""
    day = as_of(checked)
    period = period_of(cat, day)
    forms = cat.progress
    doc = new_document()
    form.heading(doc, cat, forms.report_symbol, day)
    form.title(doc, "BÁO CÁO", [
        *forms.title_lines, f"({period.label[0].upper()}{period.label[1:]}, từ ngày "
                            f"{fmt.date(period.start)} đến ngày {fmt.date(day)})"])
    opening = f"Thực hiện {forms.basis}, " if forms.basis else ""
    form.para(doc, f"{opening}Sở Khoa học và Công nghệ báo cáo {forms.monthly_to} kết quả "
                   f"thực hiện {period.label} (số liệu từ ngày {fmt.date(period.start)} đến "
                   f"ngày {fmt.date(day)}) như sau:")
    form.section(doc, "I. KẾT QUẢ THỰC HIỆN")
    form.section(doc, "1. Tiến độ so với các mốc của Kế hoạch")
    rows = milestone_rows(cat, checked, milestones(cat, checked))
    fitted = form.fit(HEADERS, rows)
    form.table(doc, HEADERS, rows,
               ["center", "center", "left", "center", "center", "center", "center", "left"],
               fitted)
    form.note(doc, "Ghi chú: gửi đúng hạn, đã gửi: đơn vị đã gửi đủ biểu số liệu và thuyết "
                   "minh phải gửi ở mốc đó (đến hạn gửi; đến ngày báo cáo); đầy đủ: không còn "
                   "ô bắt buộc để trống và không còn lỗi.")
    form.para(doc, cumulative(cat, checked))
    form.section(doc, "2. Tình hình thực hiện của các phòng, đơn vị trong tháng")
    for text in month_lines(cat, checked, period):
        (form.dash(doc, text[2:]) if text.startswith("- ") else form.para(doc, text))
    form.section(doc, "II. KHÓ KHĂN, VƯỚNG MẮC")
    for text in difficulties(cat, checked):
        form.para(doc, text)
    form.section(doc, "III. KẾ HOẠCH THÁNG TỚI")
    last = None
    for text in next_month(cat, checked, period):
        last = form.dash(doc, text)
    if last is not None:
        form.close(last)
    form.signature_block(doc, forms.monthly_recipients, form.signature_of(cat))
    out.parent.mkdir(parents=True, exist_ok=True)
    doc.save(str(out))
    return out
