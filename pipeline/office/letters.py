"""Reminder letters and the progress documents of one run (`make weekly`, `make monthly`).

A reminder letter (công văn đôn đốc) is a draft in the Decree 30/2020 form of a letter: the
number line with its subject ("V/v đôn đốc …") under it, "Kính gửi" the unit, a body naming
exactly what is missing (the items, the workbook's sheets, how many required cells) or what is
to be fixed (each file not read with why, each required row still empty, each error), the new
deadline (the as-of date plus the catalogue's working days), "Nơi nhận" and the signature. It
goes only to a unit late or incomplete as of the date (chase.needs_reminder); a unit whose
file arrived but could not be read is told what to fix, never that nothing arrived.

`run_progress_report` takes the inputs as they stood on the as-of date (office.status) and
writes the weekly (office.weekly) or monthly (office.monthly) report and the letters. Numbers
("Số: …") are left blank for the office's registry, as on any draft.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from pipeline.catalogue.layout import sheet_name
from pipeline.catalogue.load import load_catalogue
from pipeline.catalogue.model import Catalogue
from pipeline.core import fmt
from pipeline.core.findings import Finding
from pipeline.core.outputs import (
    LETTERS,
    PROGRESS_REPORTS,
    REPORT_NAMES,
    progress_report_folder,
    reminder_name,
)
from pipeline.core.word import new_document
from pipeline.office import form
from pipeline.office.chase import (
    deadline,
    names,
    needs_reminder,
    office_name,
    other_errors,
    shared_items,
)
from pipeline.office.monthly import write_monthly
from pipeline.office.progress import Delivery, UnitProgress
from pipeline.office.status import Checked, check_inputs
from pipeline.office.weekly import write_weekly

MAX_ERRORS_LISTED = 10  # errors named one by one in a letter; the rest are counted


@dataclass(frozen=True)
class Written:
    report: Path  # the weekly or monthly report
    reminders: tuple[Path, ...]  # one letter per unit that needs one

    def lines(self) -> Iterator[str]:
        """What `make weekly` / `make monthly` print: the report, then each letter."""
        yield f"Báo cáo: {self.report}"
        for letter in self.reminders:
            yield f"Công văn đôn đốc (dự thảo): {letter}"
        if not self.reminders:
            yield "Không có đơn vị cần đôn đốc."


def _assignment(cat: Catalogue, p: UnitProgress) -> str:
    """What the unit was given and by when: 'chủ trì mục I.7 “…” và tham gia các nội dung
    chung (Phần I, II, IV); hạn gửi …'."""
    own = [f"mục {c.code} “{c.title}”" for c in p.content]
    shared = sorted({it.part for it in shared_items(cat)})
    text = f"chủ trì {names(own)} và tham gia " if own else "tham gia "
    text += f"các nội dung chung (Phần {', '.join(shared)})"
    dues = sorted({c.due for c in p.content} | {it.due for it in shared_items(cat)})
    if len(dues) == 1:
        return f"{text}, hạn gửi ngày {fmt.date(dues[0])}"
    by_due = [f"ngày {fmt.date(d)} ({names([c.code for c in p.content if c.due == d])})"
              if any(c.due == d for c in p.content) else f"ngày {fmt.date(d)}"
              for d in dues]
    return f"{text}; hạn gửi {names(by_due)}"


def _not_received(cat: Catalogue, p: UnitProgress) -> list[str]:
    """The halves of the unit's content not received, each naming its items, sheets and
    required cells ("biểu số liệu mục I.8 (…)"), as phrases to be put in a sentence."""
    out = []
    if p.state.missing_workbook:
        for c in p.content:
            if c.figures:
                cells = (f", {fmt.number(c.required_total)} ô bắt buộc"
                         if c.required_total else "")
                out.append(f"biểu số liệu mục {c.code} (tệp Excel theo mẫu, trang "
                           f"“{sheet_name_of(cat, c.code)}”{cells})")
    if p.state.missing_narrative:
        own = [c.code for c in p.content]
        parts = sorted({it.part for it in shared_items(cat)})
        what = (f"mục {names(own)} và " if own else "") + "các nội dung chung (Phần " \
            f"{', '.join(parts)})"
        out.append(f"thuyết minh (tệp Word theo mẫu) {what}")
    return out


def _to_fix(cat: Catalogue, checked: Checked, p: UnitProgress) -> list[str]:
    """What the unit sent that is to be completed or fixed: required rows still empty (by
    sheet), errors (each with its place and what to do), files not read (with why)."""
    out = []
    if p.workbook:
        for c in p.content:
            if not c.missing:
                continue
            empty = c.required_total - c.required_filled
            rows = "; ".join(f"{cat.row_label(r.indicator, r.part)}: năm "
                             f"{', '.join(map(str, r.empty))}" for r in c.missing)
            out.append(f"Biểu số liệu, trang “{sheet_name_of(cat, c.code)}”: còn "
                       f"{fmt.number(empty)} ô bắt buộc để trống ({rows}).")
    errors = other_errors(p, checked.validation.findings)
    for f in errors[:MAX_ERRORS_LISTED]:
        out.append(f"{_place(f)}: {f.message}")
    if len(errors) > MAX_ERRORS_LISTED:
        out.append(f"Còn {fmt.number(len(errors) - MAX_ERRORS_LISTED)} lỗi khác, nêu trong tệp "
                   "góp ý gửi kèm.")
    for line in p.unread:
        out.append(f"Tệp {line}")
    return out


def sheet_name_of(cat: Catalogue, code: str) -> str:
    item = next((it for it in cat.items if it.code == code), None)
    return sheet_name(item) if item is not None else code


def _place(f: Finding) -> str:
    where = f"Tệp “{f.file}”"
    if f.sheet:
        where += f", trang “{f.sheet}”"
    if f.cell:
        where += f", ô {f.cell}"
    return where


def letter_body(cat: Catalogue, checked: Checked, p: UnitProgress, day: dt.date
                ) -> tuple[str, list[str], str]:
    """(the paragraph saying what stands, the points, the request with the new deadline)."""
    office = office_name(cat)
    state = p.state
    late = f", đã quá hạn {fmt.number(state.days_overdue)} ngày" if state.days_overdue else ""
    if state.delivery is Delivery.UNREADABLE:
        when = f" ngày {fmt.date(p.received)}" if p.received else ""
        head = (f"Đến ngày {fmt.date(day)}{late}, {office} đã nhận tệp đơn vị gửi{when} nhưng "
                "chưa đọc được, nên nội dung của đơn vị chưa được tổng hợp:")
        points = [f"Tệp {line}" for line in p.unread]
        ask = "gửi lại tệp theo đúng mẫu (biểu số liệu Excel, thuyết minh Word)"
    elif state.delivery is Delivery.NOT_SENT:
        head = (f"Đến ngày {fmt.date(day)}{late}, {office} chưa nhận được nội dung của đơn "
                "vị, gồm:")
        points = [f"{x[0].upper()}{x[1:]}." for x in _not_received(cat, p)]
        ask = "khẩn trương hoàn thành và gửi các nội dung nêu trên"
    else:
        got = names([w for w, f in (("biểu số liệu", p.workbook),
                                    ("thuyết minh", p.narrative)) if f])
        head = (f"{office} đã nhận {got} của đơn vị (gửi ngày {fmt.date(p.received)}). Đến "
                f"ngày {fmt.date(day)}, nội dung còn thiếu hoặc phải sửa:")
        points = [f"Chưa nhận {x}." for x in _not_received(cat, p)]
        fixes = _to_fix(cat, checked, p)
        points += fixes
        ask = ("bổ sung, sửa và gửi lại các nội dung nêu trên" if fixes
               else "gửi bổ sung các nội dung nêu trên")
    request = (f"Để bảo đảm tiến độ lập Quy hoạch tỉnh, Sở Khoa học và Công nghệ đề nghị "
               f"{p.name} {ask} về {office} chậm nhất ngày "
               f"{fmt.date(deadline(cat, p, day))} để tổng hợp, báo cáo "
               f"{cat.progress.weekly_to}.")
    return head, points, request


def subject(p: UnitProgress) -> str:
    """The letter's subject under its number."""
    if p.state.delivery is Delivery.NOT_SENT:
        return "V/v đôn đốc gửi nội dung phục vụ lập Quy hoạch tỉnh"
    return "V/v đôn đốc hoàn thiện nội dung phục vụ lập Quy hoạch tỉnh"


def reminder(cat: Catalogue, checked: Checked, p: UnitProgress, day: dt.date,
             out: Path) -> Path:
    """A reminder letter draft to one unit, naming what is missing or to fix."""
    forms = cat.progress
    doc = new_document()
    form.heading(doc, cat, forms.letter_symbol, day, subject(p))
    form.addressee(doc, p.name)
    opening = f"Thực hiện {forms.basis}, " if forms.basis else ""
    form.para(doc, f"{opening}{p.name} được giao {_assignment(cat, p)}.")
    head, points, request = letter_body(cat, checked, p, day)
    form.para(doc, head)
    for point in points:
        form.dash(doc, point)
    form.close(form.para(doc, request))
    form.signature_block(doc, forms.letter_recipients, form.signature_of(cat))
    out.parent.mkdir(parents=True, exist_ok=True)
    doc.save(str(out))
    return out


def write_progress_documents(cat: Catalogue, checked: Checked, kind: str, folder: Path
                             ) -> Written:
    """The report of `kind` ("tuan" or "thang") and the reminder letters, into folder."""
    day = checked.as_of or dt.date.today()
    write = write_weekly if kind == "tuan" else write_monthly
    report = write(cat, checked, folder / REPORT_NAMES[kind])
    letters = [reminder(cat, checked, p, day, folder / LETTERS / reminder_name(p.unit))
               for p in checked.progress if needs_reminder(cat, p)]
    return Written(report, tuple(letters))


def run_progress_report(catalogue: Path | Catalogue, inputs: Path, outputs: Path,
                        kind: str, as_of: dt.date | None = None) -> Written:
    """`make weekly` / `make monthly`: read `inputs` as they stood on a date (today by
    default) and write the report of `kind` and the reminder letters into
    outputs/bao-cao-tien-do/<kind>-<date>/."""
    if kind not in REPORT_NAMES:
        raise ValueError(f"unknown progress report kind {kind!r}")  # a caller's bug
    cat = catalogue if isinstance(catalogue, Catalogue) else load_catalogue(catalogue)
    day = as_of or dt.date.today()
    checked = check_inputs(cat, inputs, day, log=lambda _: None)
    folder = outputs / PROGRESS_REPORTS / progress_report_folder(kind, day.isoformat())
    return write_progress_documents(cat, checked, kind, folder)
