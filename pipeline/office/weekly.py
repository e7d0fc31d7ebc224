"""The weekly progress report of the office to the provincial steering committee (`make weekly`),
in the Decree 30/2020 report form, everything from the as-of view (office.status.Checked):

I.   the week's results: the rates and who is late and why (the summary is counted from the
     table's rows), a small chart of the reporting rate week by week, one row per unit (its
     content items due, received and complete, errors left, the week's planned tasks done and
     the tasks late, its status in a few words, details in notes under the table), and the
     units' weekly-plan tasks by name;
II.  what the office does next week, derived: the letters it sends and their deadline, the
     units to remind of a deadline coming, the files to check, the date of the chapter's draft,
     the units' tasks due next week;
III. what is put to the committee, derived from facts: units overdue more than the
     catalogue's days, files that cannot be read after the deadline, targets still empty.
"""

from __future__ import annotations

import datetime as dt
import tempfile
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from docx.shared import Cm

from pipeline.catalogue.model import Catalogue
from pipeline.core import fmt
from pipeline.core.word import STYLE_CAPTION, STYLE_FIGURE, new_document
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
    office_name,
    overdue_units,
    task_groups,
)
from pipeline.office.progress import Count, Delivery, UnitProgress
from pipeline.office.status import Checked, StatusRows, WeekRate, reporting_by_week, status_rows
from pipeline.render.charts import Chart, Series, draw

if TYPE_CHECKING:
    from docx.document import Document as WordDocument

HEADERS = ["Đơn vị", "Ngày gửi", "Mục đã nhận/ đến hạn", "Mục đầy đủ", "Lỗi cần sửa",
           "Việc xong trong tuần", "Việc trễ", "Tình trạng"]
"""The unit table's columns: portrait A4 holds them; each unit's deadline is in its status
("còn hạn đến 25/03", "quá hạn 5 ngày", "trễ 2 ngày") and every deadline in the note."""
CHART_WIDTH_CM = 13.0


def week_of(day: dt.date) -> tuple[dt.date, dt.date]:
    """The week a report made on `day` covers: the seven days ending on it."""
    return day - dt.timedelta(days=6), day


def _week_done(p: UnitProgress, day: dt.date) -> int:
    start, _ = week_of(day)
    return sum(1 for t in p.done_tasks if t.due >= start)


def unit_rows(cat: Catalogue, checked: Checked, shown: StatusRows) -> list[list[str]]:
    """The table's rows, one per unit, from the status rows (dates, status) and the content
    and plan of each unit."""
    day = as_of(checked)
    rows = []
    for p, r in zip(checked.progress, shown.rows):
        c = content_of(cat, p, day)
        sent = p.state.delivery is Delivery.SENT
        rows.append([
            r.label, r.received,
            f"{fmt.number(len(c.received))}/{fmt.number(len(c.due))}" if c.due else "-",
            fmt.number(len(c.complete)) if c.due else "-", r.errors,
            fmt.number(_week_done(p, day)) if sent and p.tasks else "-",
            fmt.number(len(p.late_tasks)) if sent and p.tasks else "-", r.status])
    return rows



def summary(cat: Catalogue, checked: Checked, shown: StatusRows) -> list[str]:
    """The paragraphs of "1. Tình hình chung": the rates, who is late and why, the content
    items due, received and complete, the errors left; counted from the same units as the
    table."""
    day = as_of(checked)
    line = shown.rates.line()
    out = [f"Tính đến ngày {fmt.date(day)}, {line[:1].lower()}{line[1:]}"]
    named = _named(checked.progress)
    if named:
        out.append(named)
    out.append(_content_line(cat, checked.progress, day))
    if any(p.received_anything for p in checked.progress):
        out.append(_errors_line(checked.progress))
    return out


def _named(progress: Sequence[UnitProgress]) -> str:
    """'Đơn vị gửi trễ hạn: A (2 ngày); đã gửi nhưng tệp không đọc được: B; quá hạn chưa
    gửi: C (5 ngày).' ("" when no unit is in one of these counts)."""
    by_count = {c: [p for p in progress if p.state.count is c] for c in Count}
    named = []
    if by_count[Count.LATE]:
        named.append("gửi trễ hạn: " + names([
            f"{p.name} ({fmt.number(p.state.days_late)} ngày)" for p in by_count[Count.LATE]]))
    if by_count[Count.UNREADABLE]:
        named.append("đã gửi nhưng tệp không đọc được: "
                     + names([p.name for p in by_count[Count.UNREADABLE]]))
    if by_count[Count.OVERDUE]:
        named.append("quá hạn chưa gửi: " + names([
            f"{p.name} ({fmt.number(p.state.days_overdue)} ngày)"
            for p in by_count[Count.OVERDUE]]))
    return f"Đơn vị {'; '.join(named)}." if named else ""


def _content_line(cat: Catalogue, progress: Sequence[UnitProgress], day: dt.date) -> str:
    """The content items due, received and complete, summed over the units."""
    contents = [content_of(cat, p, day) for p in progress]
    due = sum(len(c.due) for c in contents)
    if not due:
        first = min(it.due for it in cat.items)
        return f"Chưa có nội dung nào đến hạn (hạn gửi đầu tiên: ngày {fmt.date(first)})."
    received = sum(len(c.received) for c in contents)
    complete = sum(len(c.complete) for c in contents)
    owing = sum(1 for c in contents if c.due)
    line = f"Nội dung đến hạn: {fmt.number(due)} mục của {fmt.number(owing)} đơn vị; "
    if not received:
        return line + "chưa nhận mục nào."
    line += f"đã nhận {fmt.number(received)} mục, "
    if complete == received:
        return line + "tất cả đều đầy đủ."
    return line + (f"trong đó {fmt.number(complete)} mục đầy đủ." if complete
                   else "chưa mục nào đầy đủ.")


def _errors_line(progress: Sequence[UnitProgress]) -> str:
    """The errors left in what was received, by unit; or that there is none."""
    with_errors = [p for p in progress if p.received_anything and p.errors]
    if not with_errors:
        return "Số liệu đã nhận không có lỗi phải sửa."
    return (f"Số liệu đã nhận còn {fmt.number(sum(p.errors for p in with_errors))} lỗi phải "
            "sửa, gồm: " + names([f"{p.name} ({fmt.number(p.errors)} lỗi)"
                                  for p in with_errors]) + ".")


def chart(weeks: Sequence[WeekRate], out: Path) -> Chart:
    """The reporting and on-time rates at the end of each week (a line chart in percent)."""
    return Chart(kind="line", categories=tuple(fmt.day_month(w.end) for w in weeks),
                 series=(Series("Đã gửi", tuple(w.rates.reporting_rate for w in weeks)),
                         Series("Gửi đúng hạn", tuple(w.rates.on_time_rate for w in weeks))),
                 out=out, y_label="% số đơn vị", decimals=0,
                 # the line every unit should reach, which also scales the axis to 100%
                 reference=100.0, reference_label="Tất cả các phòng, đơn vị")


def plan_lines(cat: Catalogue, checked: Checked) -> list[str]:
    """Section 3: the units' weekly-plan tasks of the week done, the tasks late, by name."""
    day = as_of(checked)
    start, _ = week_of(day)
    progress = [p for p in checked.progress if p.state.delivery is Delivery.SENT and p.tasks]
    every = len(progress) == len(checked.progress) and len(progress) > 1
    done = task_groups((p.name, t) for p in progress for t in p.done_tasks if t.due >= start)
    late = task_groups((p.name, t) for p in progress for t in p.late_tasks)

    def who(units: Sequence[str]) -> str:
        return "các phòng, đơn vị" if every and len(units) == len(progress) else names(units)

    out = []
    if done:
        out.append("Việc hoàn thành trong tuần: " + "; ".join(
            f"“{g.name}” (hạn {fmt.date(g.due)}): {who(g.units)}" for g in done) + ".")
    if late:
        out.append("Việc chậm so với kế hoạch: " + "; ".join(
            f"“{g.name}” (hạn {fmt.date(g.due)}): {who(g.units)}" for g in late) + ".")
    if progress and not done and not late:
        out.append("Trong tuần không có việc nào đến hạn theo kế hoạch của các đơn vị.")
    without = [p.name for p in checked.progress
               if p.state.delivery is Delivery.SENT and p not in progress]
    if without:
        out.append("Chưa nhận kế hoạch tuần của " + names(without) + ".")
    if any(p.state.delivery is not Delivery.SENT for p in checked.progress):
        out.append("Các đơn vị chưa gửi biểu số liệu chưa có kế hoạch tuần để theo dõi.")
    return out


def next_week(cat: Catalogue, checked: Checked) -> list[str]:
    """Section II: what the office does next week, from the facts."""
    day = as_of(checked)
    start, _ = week_of(day)
    end = day + dt.timedelta(days=7)
    progress = checked.progress
    out = []
    chased = [p for p in progress if needs_reminder(cat, p)]
    by_deadline: dict[dt.date, list[str]] = {}
    for p in chased:
        by_deadline.setdefault(deadline(cat, p, day), []).append(p.name)
    for when, who in sorted(by_deadline.items()):
        out.append(f"Gửi công văn đôn đốc {names(who)} (nêu cụ thể nội dung còn thiếu, phải "
                   f"sửa), thời hạn hoàn thành chậm nhất ngày {fmt.date(when)}.")
    coming: dict[dt.date, list[str]] = {}
    for p in progress:
        if p.state.count is Count.WAITING and p.due <= end:
            if p.unit == cat.progress.office:
                out.append(f"Hoàn thành nội dung do {p.name} chủ trì (mục "
                           f"{', '.join(p.items)}) đúng hạn ngày {fmt.date(p.due)}.")
            else:
                coming.setdefault(p.due, []).append(p.name)
    for when, who in sorted(coming.items()):
        out.append(f"Nhắc {names(who)} gửi nội dung đúng hạn (ngày {fmt.date(when)}).")
    fresh = [p for p in progress if p.state.delivery is Delivery.SENT
             and p.last_change is not None and p.last_change >= start]
    if fresh:
        to_fix = [p.name for p in fresh if has_gaps(p)]
        line = f"Kiểm tra, tổng hợp số liệu {names([p.name for p in fresh])} gửi trong tuần"
        out.append(line + (f"; gửi tệp góp ý để {names(to_fix)} sửa lỗi, bổ sung."
                           if to_fix else "."))
    when, ready = draft_date(cat, checked.progress, day)
    if ready:
        out.append(f"Tổng hợp dự thảo chương khoa học và công nghệ ngày {fmt.date(when)}.")
    else:
        out.append("Tổng hợp dự thảo chương khoa học và công nghệ khi nhận đủ nội dung, dự "
                   f"kiến ngày {fmt.date(when)}.")
    soon = task_groups((p.name, t) for p in progress if p.state.delivery is Delivery.SENT
                       for t in p.plan if day < t.due <= end and not t.done)
    if soon:
        out.append("Theo kế hoạch của các đơn vị, tuần tới hoàn thành: " + "; ".join(
            f"“{g.name}” (hạn {fmt.date(g.due)}): {names(list(g.units))}" for g in soon) + ".")
    return out


def _why(p: UnitProgress) -> str:
    state = p.state
    if state.delivery is Delivery.UNREADABLE:
        return "đã gửi tệp nhưng không đọc được"
    if state.delivery is Delivery.NOT_SENT:
        return "chưa gửi nội dung"
    missing = [name for flag, name in ((state.missing_workbook, "biểu số liệu"),
                                       (state.missing_narrative, "thuyết minh")) if flag]
    return f"chưa gửi {' và '.join(missing)}"


def committee(cat: Catalogue, checked: Checked) -> list[str]:
    """Section III: the proposals put to the committee, from the facts."""
    day = as_of(checked)
    progress = checked.progress
    out = []
    overdue = overdue_units(cat, progress)
    unreadable = [p for p in progress if p.state.delivery is Delivery.UNREADABLE
                  and p.state.days_overdue and p not in overdue]
    chased = [*overdue, *unreadable]
    by_deadline: dict[dt.date, list[str]] = {}
    for p in chased:
        by_deadline.setdefault(deadline(cat, p, day), []).append(
            f"{p.name} ({_why(p)}, quá hạn {fmt.number(p.state.days_overdue)} ngày)")
    for when, who in sorted(by_deadline.items()):
        many = len(who) > 1
        out.append(f"Đề nghị Ban Chỉ đạo chỉ đạo {'các đơn vị sau' if many else who[0]} hoàn "
                   f"thành nội dung được giao, chậm nhất ngày {fmt.date(when)}"
                   + (": " + "; ".join(who) + "." if many else "."))
    targets = missing_targets(cat, checked.validation, progress)
    if targets:
        listed = names([f"{t.label} ({cat.unit_by_code[t.unit].name}: năm "
                        f"{', '.join(map(str, t.years))})" for t in targets])
        out.append(f"Chưa có mục tiêu của {listed}. Đề nghị Ban Chỉ đạo cho ý kiến định "
                   "hướng để các đơn vị đề xuất mục tiêu.")
    if not out:
        if any(needs_reminder(cat, p) for p in progress):
            out.append("Các đơn vị nêu tại mục II được Sở đôn đốc bằng công văn; chưa có nội "
                       "dung cần đề nghị Ban Chỉ đạo cho ý kiến.")
        else:
            out.append("Tiến độ thực hiện bảo đảm theo Kế hoạch; chưa có nội dung cần đề nghị "
                       "Ban Chỉ đạo cho ý kiến.")
    return out


def deadlines(cat: Catalogue) -> str:
    """The catalogue's deadlines and their items: 'mục I.1 ngày 10/03/2020, các nội dung khác
    ngày 25/03/2020'."""
    by_due: dict[dt.date, list[str]] = {}
    for it in cat.items:
        by_due.setdefault(it.due, []).append(it.code)
    if len(by_due) == 1:
        return f"ngày {fmt.date(next(iter(by_due)))}"
    most = max(by_due, key=lambda d: len(by_due[d]))
    return ", ".join(f"{'các nội dung khác' if d == most else 'mục ' + ', '.join(codes)} ngày "
                     f"{fmt.date(d)}" for d, codes in sorted(by_due.items()))


def notes(checked: Checked, shown: StatusRows) -> Iterator[str]:
    """The details the table's status leaves out, one line per unit that has some."""
    for p, r in zip(checked.progress, shown.rows):
        text = details(p, checked.validation.findings)
        if text:
            yield f"{r.label}: {text}"


def write_weekly(cat: Catalogue, checked: Checked, out: Path) -> Path:
    """The weekly report as .docx at `out`."""
    day = as_of(checked)
    start, _ = week_of(day)
    forms = cat.progress
    doc = new_document()
    form.heading(doc, cat, forms.report_symbol, day)
    form.title(doc, "BÁO CÁO", [*forms.title_lines,
                                f"(Tuần từ ngày {fmt.date(start)} đến ngày {fmt.date(day)})"])
    opening = f"Thực hiện {forms.basis}, " if forms.basis else ""
    form.para(doc, f"{opening}Sở Khoa học và Công nghệ báo cáo {forms.weekly_to} tiến độ "
                   f"thực hiện trong tuần (số liệu tính đến ngày {fmt.date(day)}) như sau:")
    shown = status_rows(checked.progress)
    form.section(doc, "I. KẾT QUẢ THỰC HIỆN")
    form.section(doc, "1. Tình hình chung")
    for text in summary(cat, checked, shown):
        form.para(doc, text)
    _chart(doc, reporting_by_week(cat, checked))
    _unit_table(doc, cat, checked, shown, day)
    form.section(doc, "3. Thực hiện kế hoạch tuần của các đơn vị")
    for text in plan_lines(cat, checked):
        form.para(doc, text)
    form.section(doc, "II. NHIỆM VỤ TUẦN TỚI")
    form.para(doc, f"Nhiệm vụ trọng tâm tuần tới ({office_name(cat)} chủ trì):")
    for text in next_week(cat, checked):
        form.dash(doc, text)
    form.section(doc, "III. ĐỀ XUẤT, KIẾN NGHỊ")
    last = None
    for text in committee(cat, checked):
        last = form.para(doc, text)
    if last is not None:
        form.close(last)
    form.signature_block(doc, forms.weekly_recipients, form.signature_of(cat))
    out.parent.mkdir(parents=True, exist_ok=True)
    doc.save(str(out))
    return out


def _unit_table(doc: WordDocument, cat: Catalogue, checked: Checked, shown: StatusRows,
                day: dt.date) -> None:
    """Section I.2 (its heading, the table, the notes), on a landscape page when needed."""
    rows = unit_rows(cat, checked, shown)
    fitted = form.fit(HEADERS, rows)
    with form.page_for(doc, fitted):
        form.section(doc, "2. Tiến độ của từng phòng, đơn vị")
        form.table(doc, HEADERS, rows, ["left", "center", "center", "center", "center",
                                        "center", "center", "left"], fitted)
        form.note(doc, f"Ghi chú: hạn gửi {deadlines(cat)}; mục đến hạn là các mục nội dung "
                       f"đơn vị phải gửi đến ngày {fmt.date(day)} (mục chủ trì và các nội dung "
                       "chung của thuyết minh); "
                       "mục đầy đủ là mục đã nhận, không còn ô bắt buộc để trống và không còn "
                       "lỗi; việc trễ là việc trong kế hoạch tuần của đơn vị đã đến hạn mà "
                       "chưa hoàn thành.")
        for line in notes(checked, shown):
            form.note(doc, line)


def _chart(doc: WordDocument, weeks: Sequence[WeekRate]) -> None:
    if len(weeks) < 2:
        return
    with tempfile.TemporaryDirectory(prefix="khcn-tuan-") as tmp:
        png = draw(chart(weeks, Path(tmp) / "ty-le-gui.png"))
        p = doc.add_paragraph(style=STYLE_FIGURE)
        p.add_run().add_picture(str(png), width=Cm(CHART_WIDTH_CM))
    doc.add_paragraph("Hình 1. Tỷ lệ phòng, đơn vị đã gửi nội dung theo tuần (%)",
                      style=STYLE_CAPTION)
