"""Progress documents in the Decree 30/2020 layout, generated from the status.

- the weekly progress report of the finance office to the steering committee;
- the monthly report to the Department of Planning and Investment (due before the 13th);
- a reminder letter (công văn) draft to each unit that is overdue or incomplete, naming what
  is missing: the workbook, the narrative, the required cells still empty, the errors.

Numbers ("Số: ...") are left blank for the office's registry, as on any draft.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Cm, Pt

from pipeline.catalogue.load import load_catalogue
from pipeline.catalogue.model import Catalogue
from pipeline.core import fmt
from pipeline.core.findings import Severity
from pipeline.core.outputs import (
    LATEST,
    LETTERS,
    PROGRESS_REPORTS,
    REPORT_NAMES,
    progress_report_folder,
    reminder_name,
)
from pipeline.core.word import (
    STYLE_NOTE,
    StyleIds,
    agency_block,
    new_document,
    write_table,
)
from pipeline.merge import merge
from pipeline.office.diff import BuildDiff, diff_builds, load_previous
from pipeline.office.progress import UnitProgress, asked_rows, filled_cells
from pipeline.office.status import Checked, check_inputs, rates

if TYPE_CHECKING:
    from docx.document import Document as WordDocument

MAX_CHANGES_LISTED = 40


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


def _place_date(doc: WordDocument, cat: Catalogue, day: dt.date) -> None:
    p = doc.add_paragraph(f"{cat.place}, {fmt.long_date(day)}")
    p.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    p.paragraph_format.first_line_indent = Cm(0)
    p.runs[0].italic = True


def _centered(doc: WordDocument, text: str, bold: bool = True, size: int = 14) -> None:
    p = doc.add_paragraph()
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    p.paragraph_format.first_line_indent = Cm(0)
    p.paragraph_format.space_after = Pt(0)
    run = p.add_run(text)
    run.bold = bold
    run.font.size = Pt(size)


def _table(doc: WordDocument, headers: Sequence[str], rows: Sequence[Sequence[str]],
           widths: Sequence[float]) -> None:
    """A letter's table: text left-aligned, at the left margin, header not repeated."""
    write_table(doc, StyleIds(doc), headers, rows, widths, align=["left"] * len(headers),
                center=False, repeat_head=False, middle_heads=False)


def _signature(doc: WordDocument, recipients: Sequence[str], title: str) -> None:
    grid = doc.add_table(rows=1, cols=2)
    grid.autofit = False
    left, right = grid.rows[0].cells
    left.width, right.width = Cm(8.5), Cm(8.0)
    lp = left.paragraphs[0]
    lp.paragraph_format.first_line_indent = Cm(0)
    run = lp.add_run("Nơi nhận:")
    run.bold, run.italic = True, True
    run.font.size = Pt(12)
    for name in recipients:
        q = left.add_paragraph(f"- {name};")
        q.paragraph_format.first_line_indent = Cm(0)
        q.paragraph_format.space_after = Pt(0)
        q.runs[0].font.size = Pt(11)
    rp = right.paragraphs[0]
    rp.alignment = WD_ALIGN_PARAGRAPH.CENTER
    rp.paragraph_format.first_line_indent = Cm(0)
    rp.add_run(title).bold = True


def _unit_rows(status: Sequence[UnitProgress]) -> list[list[str]]:
    rows = []
    for p in status:
        share = p.required_share
        rows.append([p.name, ", ".join(p.items) or "Phần II, IV", fmt.date(p.due),
                     fmt.date(p.received) if p.received_anything else "-",
                     "-" if share is None else fmt.percent(share * 100, 0), p.status,
                     p.tasks_line])
    return rows


def progress_report(cat: Catalogue, checked: Checked, changes: BuildDiff | None,
                    day: dt.date, kind: str, out: Path) -> Path:
    """The weekly ("tuan") or monthly ("thang") progress report, as .docx."""
    weekly = kind == "tuan"
    doc = new_document()
    agency_block(doc, cat.parent_agency, cat.agency, "Số:      /BC-KHCN")
    _place_date(doc, cat, day)
    _centered(doc, "BÁO CÁO")
    if weekly:
        start = day - dt.timedelta(days=6)
        period = f"tuần từ ngày {fmt.date(start)} đến ngày {fmt.date(day)}"
    else:
        period = f"tháng {day.month:02d}/{day.year}"
    _centered(doc, f"Tiến độ xây dựng nội dung KH&CN phục vụ lập Quy hoạch tỉnh Bắc Giang "
                   f"thời kỳ 2021-2030, tầm nhìn đến năm 2050 ({period})", size=14)
    recipient = ("Ban Chỉ đạo lập quy hoạch tỉnh" if weekly
                 else "Sở Kế hoạch và Đầu tư tỉnh Bắc Giang")
    _centered(doc, f"Kính gửi: {recipient}.", bold=False)
    status = checked.progress
    r = rates(status)
    doc.add_paragraph(
        f"Thực hiện Kế hoạch số 48/KH-UBND ngày 21/02/2020 của UBND tỉnh, Sở Khoa học và "
        f"Công nghệ báo cáo tiến độ xây dựng nội dung KH&CN tính đến ngày {fmt.date(day)} "
        f"như sau:")
    doc.add_paragraph("1. Tình hình chung", style="Heading 2")
    errors = sum(1 for f in checked.validation.findings if f.severity is Severity.ERROR)
    doc.add_paragraph(f"{r.line()} Số liệu đã nhận còn {errors} lỗi cần đơn vị sửa "
                      "(chi tiết trong báo cáo kiểm tra số liệu).")
    doc.add_paragraph("2. Tiến độ của từng phòng, đơn vị", style="Heading 2")
    _table(doc, ["Đơn vị", "Nội dung", "Hạn gửi", "Ngày gửi", "Ô bắt buộc đã điền",
                 "Tình trạng", "Kế hoạch tuần"], _unit_rows(status),
           [3.3, 1.3, 2.2, 2.2, 1.5, 3.2, 2.8])
    doc.add_paragraph("3. Thay đổi so với lần tổng hợp trước", style="Heading 2")
    if changes is None:
        doc.add_paragraph("Chưa có bản tổng hợp trước để so sánh.")
    else:
        doc.add_paragraph(changes.summary())
        listed = changes.changes[:MAX_CHANGES_LISTED]
        if listed:
            _table(doc, ["Loại", "Đơn vị", "Chỉ tiêu", "Năm", "Cũ → mới", "Ô"],
                   [[c.kind_vi, c.unit, cat.row_label(c.indicator, c.breakdown), str(c.year),
                     f"{fmt.plain(c.old)} → {fmt.plain(c.new)}", f"{c.sheet}!{c.cell}"]
                    for c in listed], [1.8, 1.4, 6.4, 1.2, 3.4, 2.3])
            if len(changes.changes) > len(listed):
                doc.add_paragraph(f"(Còn {len(changes.changes) - len(listed)} thay đổi khác, "
                                  "xem trang “Thay đổi” của bảng tiến độ.)", style=STYLE_NOTE)
    doc.add_paragraph("4. Đề xuất", style="Heading 2")
    behind = [p for p in status if p.state.behind or p.errors or p.unread]
    if behind:
        doc.add_paragraph("Đề nghị Lãnh đạo Sở đôn đốc các phòng, đơn vị sau hoàn thành nội "
                          "dung được giao: " + "; ".join(f"{p.name} ({p.status.lower()})"
                                                        for p in behind) + ".")
    else:
        doc.add_paragraph("Các phòng, đơn vị đã gửi đủ nội dung; Phòng Kế hoạch Tài chính "
                          "tiếp tục tổng hợp, hoàn thiện báo cáo.")
    _signature(doc, [recipient, "Lãnh đạo Sở", "Lưu: VT, KHTC"],
               "TRƯỞNG PHÒNG KẾ HOẠCH TÀI CHÍNH")
    out.parent.mkdir(parents=True, exist_ok=True)
    doc.save(str(out))
    return out


def _missing_cells(cat: Catalogue, checked: Checked, unit: str) -> list[str]:
    """Required rows of the unit with empty years, as 'label (mục I.1): năm 2011, 2012'."""
    filled = filled_cells(v for v in checked.validation.values if v.unit == unit)
    return [f"{cat.row_label(r.indicator, r.part)} (mục {r.item}): năm "
            f"{', '.join(map(str, r.empty))}"
            for r in asked_rows(cat, unit, filled.get(unit, set())) if r.required and r.empty]


def reminder(cat: Catalogue, checked: Checked, p: UnitProgress, day: dt.date,
             out: Path) -> Path:
    """A reminder letter draft to one unit, naming what is missing."""
    doc = new_document()
    agency_block(doc, cat.parent_agency, cat.agency, "Số:      /KHCN-KHTC",
                 "V/v đôn đốc gửi nội dung phục vụ lập Quy hoạch tỉnh")
    _place_date(doc, cat, day)
    _centered(doc, f"Kính gửi: {p.name}.", bold=False)
    doc.add_paragraph(
        f"Thực hiện Kế hoạch của Sở KH&CN ngày 28/02/2020 về triển khai lập Quy hoạch tỉnh "
        f"Bắc Giang thời kỳ 2021-2030, tầm nhìn đến năm 2050, {p.name} được giao chủ trì "
        f"nội dung {', '.join(p.items) or 'Phần II và IV'} với thời hạn gửi Phòng Kế hoạch "
        f"Tài chính trước ngày {fmt.date(p.due)}. Tính đến ngày {fmt.date(day)}, Phòng Kế "
        "hoạch Tài chính ghi nhận:")
    lines = [f"Đã nhận tệp {u} Tệp này chưa được tổng hợp." for u in p.unread]
    if not p.workbook and p.items and not p.unread:
        lines.append("Chưa nhận được biểu số liệu (tệp Excel theo mẫu).")
    if not p.narrative and not p.unread:
        lines.append("Chưa nhận được thuyết minh (tệp Word theo mẫu).")
    if p.workbook:
        missing = _missing_cells(cat, checked, p.unit)
        if missing:
            lines.append("Biểu số liệu còn thiếu các chỉ tiêu bắt buộc: " + "; ".join(missing)
                         + ".")
        if p.errors:
            lines.append(f"Biểu số liệu còn {p.errors} lỗi; chi tiết từng ô trong tệp góp ý "
                         "gửi kèm.")
    for line in lines:
        q = doc.add_paragraph(f"- {line}")
        q.paragraph_format.first_line_indent = Cm(1.27)
    doc.add_paragraph(
        f"Đề nghị {p.name} khẩn trương hoàn thiện và gửi Phòng Kế hoạch Tài chính trong thời "
        "gian sớm nhất để tổng hợp, báo cáo Ban Chỉ đạo lập quy hoạch tỉnh.")
    _signature(doc, [p.name, "Lãnh đạo Sở (b/c)", "Lưu: VT, KHTC"],
               "TL. GIÁM ĐỐC\nTRƯỞNG PHÒNG KẾ HOẠCH TÀI CHÍNH")
    out.parent.mkdir(parents=True, exist_ok=True)
    doc.save(str(out))
    return out


def needs_reminder(p: UnitProgress, day: dt.date) -> bool:
    """Overdue (nothing, or not everything, sent after the deadline) or incomplete."""
    incomplete = ((p.items and not p.workbook) or not p.narrative or p.errors or p.unread
                  or (p.required_share is not None and p.required_share < 1))
    return bool(incomplete) and day > p.due or bool(p.errors)


def write_progress_documents(cat: Catalogue, checked: Checked, changes: BuildDiff | None,
                             day: dt.date, kind: str, folder: Path) -> Written:
    """The report of `kind` ("tuan" or "thang") and the reminder letters, into folder."""
    report = progress_report(cat, checked, changes, day, kind, folder / REPORT_NAMES[kind])
    letters = []
    for p in checked.progress:
        if needs_reminder(p, day):
            letters.append(reminder(cat, checked, p, day,
                                    folder / LETTERS / reminder_name(p.unit)))
    return Written(report, tuple(letters))


def run_progress_report(catalogue: Path | Catalogue, inputs: Path, outputs: Path,
                        kind: str, as_of: dt.date | None = None) -> Written:
    """`make weekly` / `make monthly`: read and check `inputs` as of a date (today by
    default), compare with the newest build in `outputs` (when there is one), and write the
    report of `kind` and the reminder letters into outputs/bao-cao-tien-do/<kind>-<date>/."""
    if kind not in REPORT_NAMES:
        raise ValueError(f"unknown progress report kind {kind!r}")  # a caller's bug
    cat = catalogue if isinstance(catalogue, Catalogue) else load_catalogue(catalogue)
    day = as_of or dt.date.today()
    checked = check_inputs(cat, inputs, day, log=lambda _: None)
    previous = load_previous(outputs / LATEST)
    changes = None
    if previous[1] is not None:
        changes = diff_builds(previous, merge(cat, checked.validation.values),
                              tuple(w.unit for w in checked.validation.workbooks))
    folder = outputs / PROGRESS_REPORTS / progress_report_folder(kind, day.isoformat())
    return write_progress_documents(cat, checked, changes, day, kind, folder)

