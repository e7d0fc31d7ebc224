"""Status: read and validate the inputs folder and say where each unit stands.

This is what `make validate` and `make status` run, and the first half of `make report`.
It imports no pandas, chart or document library, so that `make status` answers in a moment.

One story as of a date: `check_inputs` takes the inputs folder as it stood on the as-of date
(validate.asof: a file dated after it does not exist there) and everything `make status`,
the progress reports and the letters show is computed from that view. `status_rows` gives
the rows of every progress table and the rates under it from the same units, so the two
cannot disagree. Rates follow DHIS2's reporting measures: the reporting rate is the share of
expected unit reports received, the on-time rate the share received by their deadline.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import stat
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from functools import partial
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from pipeline.catalogue.layout import list_key, row_key
from pipeline.catalogue.load import load_catalogue
from pipeline.catalogue.model import Catalogue
from pipeline.core import fmt
from pipeline.core.errors import BuildError
from pipeline.core.findings import Finding
from pipeline.core.outputs import CHECK_FOLDER, FEEDBACK, PROGRESS, VALIDATION
from pipeline.core.text import shown_name
from pipeline.core.xlsx import print_setup, put, row_height, table, wrapped_lines
from pipeline.office.feedback import annotate_workbook, feedback_name, refusal_note
from pipeline.office.progress import Count, UnitProgress, progress
from pipeline.office.reports import (
    files_not_used,
    progress_rows,
    write_validation_report,
)
from pipeline.read.files import read_files
from pipeline.read.model import Inputs, kind_of
from pipeline.validate.asof import Later, as_of_view
from pipeline.validate.folder import read_folder
from pipeline.validate.model import Validation
from pipeline.validate.submissions import validate
from pipeline.validate.workbook import check_workbook

if TYPE_CHECKING:  # office/diff.py needs pandas, which `make status` does not load
    from pipeline.office.diff import BuildDiff


@dataclass(frozen=True)
class Checked:
    """An inputs folder as it stood on `as_of`, validated, and where each unit stood then:
    what `make validate`, `make status`, the progress reports and the letters show."""

    read: Inputs  # the inputs as they stood on `as_of` (with `every_file`: every file read)
    validation: Validation  # validation of `read`
    progress: tuple[UnitProgress, ...]  # where each unit stood on `as_of`: always the view
    as_of: dt.date | None = None  # the date of the view
    later: tuple[Later, ...] = field(default=())  # files left out: dated after `as_of`

    @property
    def errors(self) -> int:
        return len(self.validation.errors())


def check_inputs(cat: Catalogue, inputs: Path, as_of: dt.date,
                 log: Callable[[str], None] = print, full_narratives: bool = True,
                 cache_dir: Path | None = None, *, every_file: bool = False) -> Checked:
    """Read `inputs` (validate.folder.read_folder), take it as it stood on `as_of`
    (validate.asof: files dated after it left out), validate that view and say where each
    unit stood. With `every_file` (`make report`, `make validate`: every file is checked and
    built from, whatever its date), `read` and `validation` are of every file, while
    `progress` is still the view of `as_of`."""
    read = read_folder(cat, inputs, log, full_narratives, cache_dir)
    return _checked(cat, read, as_of, every_file)


def _checked(cat: Catalogue, read: Inputs, as_of: dt.date, every_file: bool = False
             ) -> Checked:
    """`read` as it stood on `as_of`, validated, with where each unit stood (check_inputs)."""
    view = as_of_view(read, as_of)
    validation = validate(cat, view.inputs)
    stood = tuple(progress(cat, validation, as_of, view.later))
    if every_file and view.later:
        return Checked(read, validate(cat, read), stood, as_of, view.later)
    return Checked(view.inputs, validation, stood, as_of, view.later)


def finding_labels(cat: Catalogue) -> dict[str, str]:
    """The Vietnamese label of every key a finding can name (`Finding.indicator`): form rows
    ("chi_khcn.dtpt" -> "Chi ngân sách cho KH&CN – Chi đầu tư phát triển") and list
    columns ("du_an.ten" -> "Danh mục dự án ... – Tên dự án")."""
    out: dict[str, str] = {}
    for item in cat.items:
        for ind in item.indicators:
            for part in cat.parts_of(ind):
                out[row_key(ind.code, part.code)] = cat.row_label(ind.code, part.code)
    for li in cat.lists:
        for col in li.columns:
            out[list_key(li.code, col.code)] = f"{li.title} – {col.label}"
    return out


def write_checks(checked: Checked, folder: Path, extra: tuple[Finding, ...] = (),
                 labels: Mapping[str, str] | None = None) -> list[Path]:
    """The validation report (with `extra` findings, e.g. from derive, and a sheet listing
    every entry of the inputs folder not read, with why), an annotated copy of every workbook
    with a finding, and a short note for every file that could not be read (a file in a
    subfolder of inputs/ gets its note in the same subfolder of the feedback folder; no note
    is written over another). `labels` (finding_labels) names indicators in Vietnamese."""
    folder.mkdir(parents=True, exist_ok=True)
    findings = list(checked.validation.findings) + list(extra)
    unread = [(u.unit, u.file, u.code, u.reason) for u in checked.validation.unread]
    write_validation_report(findings, checked.progress, folder / VALIDATION, labels,
                            unread, checked.read.skipped)
    written = [folder / VALIDATION]
    by_file: dict[str, list[Finding]] = {}
    for f in findings:
        by_file.setdefault(f.file, []).append(f)
    for wb in checked.read.workbooks:
        mine = by_file.get(wb.file.name)
        if mine:
            written.append(annotate_workbook(wb.file.path, mine,
                                             folder / FEEDBACK / feedback_name(wb.file.path),
                                             labels))
    read = ({w.file.name for w in checked.read.workbooks}
            | {n.file.name for n in checked.read.narratives})
    taken = set(written)
    for u in checked.validation.unread:
        rel = PurePosixPath(u.file.rstrip("/"))
        out = folder / FEEDBACK / Path(*[p for p in rel.parent.parts if p not in ("/", "..")])
        note = out / feedback_name(Path(rel.name))
        if u.file not in read and note not in taken:
            written.append(refusal_note(rel.name, by_file.get(u.file, []), out))
            taken.add(note)
    return written


def _load(catalogue: Path | Catalogue) -> Catalogue:
    return catalogue if isinstance(catalogue, Catalogue) else load_catalogue(catalogue)


@dataclass(frozen=True)
class ValidateRun:
    """What `make validate` found and wrote."""

    checked: Checked
    written: tuple[Path, ...]  # the validation report, then each feedback file

    @property
    def exit_code(self) -> int:
        """1 when a file holds an error-level finding, else 0."""
        return 1 if self.checked.errors else 0

    def lines(self, as_json: bool = False) -> Iterator[str]:
        """What `make validate` prints after reading: per unit its files, errors, warnings and
        status, then every finding; as one JSON document with `as_json`."""
        yield from summary_lines(self.checked, as_json)
        if not as_json:
            yield (f"Báo cáo kiểm tra: {self.written[0]}; tệp góp ý: "
                   f"{len(self.written) - 1}.")


def run_validate(catalogue: Path | Catalogue, inputs: Path, outputs: Path,
                 as_of: dt.date | None = None, log: Callable[[str], None] = print
                 ) -> ValidateRun:
    """`make validate`: read and check `inputs` as of a date (today by default) and write the
    validation report and feedback files into outputs/kiem-tra/ (no chapter)."""
    cat = _load(catalogue)
    checked = check_inputs(cat, inputs, as_of or dt.date.today(), log=log, cache_dir=outputs,
                           every_file=True)
    written = write_checks(checked, outputs / CHECK_FOLDER, labels=finding_labels(cat))
    return ValidateRun(checked, tuple(written))


def summary_lines(checked: Checked, as_json: bool = False) -> Iterator[str]:
    """Per unit: files, errors, warnings, status; then every finding (text or one JSON
    document)."""
    findings = checked.validation.findings
    if as_json:
        units = [{"unit": p.unit, "name": p.name, "workbook": p.workbook,
                  "narrative": p.narrative, "errors": p.errors, "warnings": p.warnings,
                  "status": p.status, "note": p.note} for p in checked.progress]
        data = {"units": units, "errors": checked.errors,
                "findings": [{**asdict(f), "severity": f.severity.value} for f in findings],
                "unread": [{"file": u.file, "unit": u.unit, "code": u.code,
                            "reason": u.reason} for u in checked.validation.unread],
                "skipped": list(checked.read.skipped)}
        yield json.dumps(data, ensure_ascii=False, indent=2)
        return
    for row in progress_rows(checked.progress):
        yield f"  {row[0]:<6} lỗi {row[10]:>3}  cảnh báo {row[11]:>3}  {row[12]}"
    unread = {u.file: u.unit for u in checked.validation.unread}
    for name, unit in files_not_used(findings, checked.progress, unread):
        yield f"  {unit:<6} tệp không dùng được: {name}"
    for f in findings:
        yield f.line()


@dataclass(frozen=True)
class CheckedFile:
    """One file checked the way a unit checks it before sending (`make check`)."""

    validation: Validation
    feedback: Path | None  # annotated copy, or note for a file not read; None: a narrative
    path: Path  # the file checked

    @property
    def errors(self) -> int:
        return len(self.validation.errors())

    @property
    def exit_code(self) -> int:
        """1 when the file holds an error-level finding, else 0."""
        return 1 if self.errors else 0

    def lines(self) -> Iterator[str]:
        """What `make check` prints: every finding, the counts, where the feedback is."""
        findings = self.validation.findings
        for f in findings:
            yield f.line()
        yield (f"{self.path.name}: {self.errors} lỗi, "
               f"{len(findings) - self.errors} cảnh báo/thông tin.")
        if self.feedback is not None:
            yield f"Tệp góp ý (mở trang 'Lỗi' để đến từng ô): {self.feedback}"


def check_file(catalogue: Path | Catalogue, path: Path, out: Path) -> CheckedFile:
    """Read and check one file as `make report` would (conversion of .doc/.odt, the same
    time and memory limits), and write its feedback into `out`."""
    cat = _load(catalogue)
    _regular_file(path)
    read = read_files([path], workers=1, check=partial(check_workbook, cat))
    validation = validate(cat, read)
    labels = finding_labels(cat)
    findings = list(validation.findings)
    feedback: Path | None = None
    if read.workbooks:
        feedback = annotate_workbook(path, findings, out / feedback_name(path), labels)
    elif not read.narratives:
        feedback = refusal_note(path.name, findings, out)
    return CheckedFile(validation, feedback, path)


def _regular_file(path: Path) -> None:
    """Raise BuildError unless `path` is a regular file (or a link to one). Only stat is
    used: a FIFO or a device is never opened (opening one can wait forever)."""
    shown = shown_name(str(path))
    try:
        mode = os.stat(path).st_mode
    except OSError:
        raise BuildError(f"Không có tệp '{shown}'. Hãy kiểm tra lại đường dẫn.") from None
    if not stat.S_ISREG(mode):
        raise BuildError(f"'{shown}' là {kind_of(mode)}, không phải tệp, nên không được mở. "
                         "Hãy chỉ đường dẫn tới chính tệp biểu số liệu (.xlsx) hoặc thuyết "
                         "minh (.docx) cần kiểm tra.")


@dataclass(frozen=True)
class Rates:
    """How many units are in each count (progress.Count) as of a date."""

    expected: int  # units expected to report
    on_time: int = 0  # sent, dated by the deadline
    late: int = 0  # sent, dated after the deadline
    unreadable: int = 0  # received, nothing of it read
    waiting: int = 0  # nothing received, deadline not passed
    overdue: int = 0  # nothing received, deadline passed

    @staticmethod
    def of(counts: Iterable[Count]) -> Rates:
        seen = list(counts)
        return Rates(len(seen), *(seen.count(c) for c in (
            Count.ON_TIME, Count.LATE, Count.UNREADABLE, Count.WAITING, Count.OVERDUE)))

    @property
    def received(self) -> int:
        """Units that sent something, readable or not (the reporting rate's numerator)."""
        return self.on_time + self.late + self.unreadable

    @property
    def not_sent(self) -> int:
        return self.waiting + self.overdue

    @property
    def reporting_rate(self) -> float:
        return 100 * self.received / self.expected if self.expected else 0.0

    @property
    def on_time_rate(self) -> float:
        return 100 * self.on_time / self.expected if self.expected else 0.0

    def line(self) -> str:
        """The rates in one sentence, naming only the counts that are not nil: 'Đã nhận:
        8/9 đơn vị (88,9%), trong đó đúng hạn 7 (77,8%), trễ hạn 1. Chưa nộp: 1 đơn vị, đã
        quá hạn.'"""
        n = fmt.number
        out = []
        if self.received:
            parts = []
            if self.on_time:
                parts.append(f"đúng hạn {n(self.on_time)} ({fmt.percent(self.on_time_rate, 1)})")
            if self.late:
                parts.append(f"trễ hạn {n(self.late)}")
            if self.unreadable:
                parts.append(f"chưa đọc được {n(self.unreadable)}")
            out.append(f"Đã nhận: {n(self.received)}/{n(self.expected)} đơn vị "
                       f"({fmt.percent(self.reporting_rate, 1)}), trong đó "
                       f"{', '.join(parts)}.")
        mixed = f"quá hạn {n(self.overdue)}, còn hạn {n(self.waiting)}"
        when = "đã quá hạn" if self.overdue else "còn hạn"
        if self.received and self.not_sent:
            out.append(f"Chưa nộp: {n(self.not_sent)} đơn vị"
                       + (f" ({mixed})." if self.waiting and self.overdue else f", {when}."))
        elif self.not_sent:
            out.append(f"Chưa đơn vị nào nộp: {mixed}." if self.waiting and self.overdue
                       else f"Chưa đơn vị nào nộp; cả {n(self.not_sent)} đơn vị {when}.")
        return " ".join(out)


def rates(status: Sequence[UnitProgress]) -> Rates:
    """The rates of the units' statuses (`status_rows(status).rates`)."""
    return status_rows(status).rates


@dataclass(frozen=True)
class StatusRow:
    """One unit's row of a progress table, as text (dates dd/mm/yyyy, numbers by fmt)."""

    unit: str  # unit code
    label: str  # its short name ("P. KHTC"), else its name
    due: str  # its deadline
    received: str  # its date sent, "-" when nothing was received
    required: str  # share of its required cells filled ("100%"); "-" without a workbook
    errors: str  # errors left to fix; "-" when nothing was received
    status: str  # a few words ("Đã nộp, trễ 2 ngày")
    note: str  # the details, "" when none
    tasks: str  # its weekly plan in a few words, "-" without a plan
    count: Count  # what the row counts as in the rates


@dataclass(frozen=True)
class StatusRows:
    """The rows of a progress table and the rates under it, from the same units."""

    rows: tuple[StatusRow, ...]
    rates: Rates


def status_rows(status: Sequence[UnitProgress]) -> StatusRows:
    """Each unit's row and the rates, counted from those rows: what every progress table
    (terminal, tien-do.xlsx, the reports) shows."""
    rows = []
    for p in status:
        share = p.required_share
        rows.append(StatusRow(
            unit=p.unit, label=p.label, due=fmt.date(p.due),
            received=fmt.date(p.received) if p.received_anything else "-",
            required="-" if share is None or not p.workbook else fmt.percent(share * 100, 0),
            errors=fmt.number(p.errors) if p.received_anything else "-", status=p.status,
            note=p.note, tasks=p.tasks_line,
            count=p.state.count))
    return StatusRows(tuple(rows), Rates.of(r.count for r in rows))


def status_table(status: Sequence[UnitProgress]) -> str:
    """A plain-text table for the terminal (fixed-width columns), then the notes of the units
    that have one, under it."""
    heads = ["Mã", "Đơn vị", "Hạn gửi", "Ngày gửi", "Ô bắt buộc", "Lỗi", "Tình trạng"]
    table_rows = status_rows(status).rows
    rows = [[r.unit, r.label, r.due, r.received, r.required, r.errors, r.status]
            for r in table_rows]
    widths = [max(len(str(x)) for x in col) for col in zip(heads, *rows)]
    lines = ["  ".join(str(x).ljust(w) for x, w in zip(row, widths)).rstrip()
             for row in [heads, ["-" * w for w in widths], *rows]]
    notes = [(r.label, r.note) for r in table_rows if r.note]
    if notes:
        lines.append("Ghi chú:")
        lines.extend(f"  {label}: {note}" for label, note in notes)
    return "\n".join(lines)


@dataclass(frozen=True)
class WeekRate:
    """The rates at the end of one week, from the inputs as they stood that day."""

    end: dt.date  # the last day of the week (the as-of date's weekday)
    rates: Rates


WEEKS_BEFORE_DEADLINE = 3  # the chart starts this many weeks before the first deadline
MAX_WEEKS = 26  # and shows at most half a year


def reporting_by_week(cat: Catalogue, checked: Checked) -> tuple[WeekRate, ...]:
    """The rates at the end of each week up to `checked.as_of` (weeks ending on its weekday),
    from the first deadline less three weeks (at most 26 weeks), oldest first: each from the
    inputs as they stood that day (the same view as `check_inputs`), for a small chart."""
    as_of = checked.as_of or dt.date.today()
    first = min((it.due for it in cat.items), default=as_of)
    start = max(first - dt.timedelta(weeks=WEEKS_BEFORE_DEADLINE),
                as_of - dt.timedelta(weeks=MAX_WEEKS - 1))
    ends = [as_of - dt.timedelta(weeks=k) for k in range(MAX_WEEKS)]
    ends = sorted(e for e in ends if e >= start) or [as_of]
    out = []
    for end in ends:
        state = checked.progress if end == as_of else _checked(cat, checked.read, end).progress
        out.append(WeekRate(end, rates(state)))
    return tuple(out)


@dataclass(frozen=True)
class StatusRun:
    """What `make status` found and wrote."""

    checked: Checked
    as_of: dt.date
    table: Path  # the progress table written

    def lines(self) -> Iterator[str]:
        """What `make status` prints: files skipped, the table, every entry received and not
        read with why, the rates, where the table is."""
        yield from self.checked.read.skipped
        yield f"Tiến độ tính đến ngày {fmt.date(self.as_of)}:"
        yield status_table(self.checked.progress)
        yield from unread_lines(self.checked)
        yield status_rows(self.checked.progress).rates.line()
        yield f"Bảng tiến độ: {self.table}"


def unread_lines(checked: Checked) -> Iterator[str]:
    """Every entry of the inputs folder received and not read: its unit ('?' when its name
    points to none), its name, and why (the finding's message, saying what to do)."""
    unread = checked.validation.unread
    if unread:  # a file held back is listed once for each unit it points to
        yield f"Tệp đã nhận nhưng chưa đọc được ({len({u.file for u in unread})}):"
    for u in unread:
        yield f"  {u.unit or '?':<6} '{u.file}': {u.reason}"


def run_status(catalogue: Path | Catalogue, inputs: Path, outputs: Path,
               as_of: dt.date | None = None) -> StatusRun:
    """`make status`: where each unit stands as of a date (today by default); narratives are
    only identified, so no document library is loaded. Writes outputs/tien-do.xlsx."""
    cat = _load(catalogue)
    day = as_of or dt.date.today()
    checked = check_inputs(cat, inputs, day, log=lambda _: None, full_narratives=False,
                           cache_dir=outputs)
    return StatusRun(checked, day, write_status(checked.progress, outputs / PROGRESS, day))


PROGRESS_COLUMNS = [  # (header, width) of tien-do.xlsx; a date (dd/mm/yyyy) never wraps
    ("Mã", 7), ("Đơn vị", 15), ("Mục chủ trì", 9), ("Hạn gửi", 12), ("Ngày gửi", 12),
    ("Biểu số liệu", 24), ("Thuyết minh", 24), ("Ô bắt buộc đã điền", 10), ("Lỗi", 6),
    ("Cảnh báo", 9), ("Tình trạng", 26), ("Ghi chú", 40), ("Kế hoạch tuần", 29),
    ("Thay đổi gần nhất", 12)]
DATE_COLUMNS = (4, 5, 14)
CENTRED_COLUMNS = (*DATE_COLUMNS, 8, 9, 10)  # dates, share filled, errors, warnings
WRAPPED_COLUMNS = (6, 7, 12, 13)  # file names, the note, the plan


def write_status(status: tuple[UnitProgress, ...] | list[UnitProgress], path: Path,
                 as_of: dt.date, changes: BuildDiff | None = None) -> Path:
    """The progress table as .xlsx (A4 landscape, one page wide), with the rates under it,
    both from `status_rows`; dates are date cells shown dd/mm/yyyy. With `changes`, a sheet
    "Thay đổi" listing every value changed since the previous build."""
    wb = Workbook()
    ws = wb.worksheets[0]  # a new workbook holds one sheet
    ws.title = "Tiến độ"
    shown = status_rows(status)
    rows = []
    for p, r in zip(status, shown.rows):
        counts: list[object] = [p.errors, p.warnings] if p.received_anything else ["-", "-"]
        rows.append([r.unit, r.label, ", ".join(p.items) or "(thuyết minh chung)",
                     p.due, (p.received if p.received_anything else None) or "-",
                     p.workbook or _not_received(p), p.narrative or _not_received(p),
                     r.required, *counts, r.status, r.note or "-", r.tasks,
                     p.last_change or "-"])
    n = table(ws, [h for h, _ in PROGRESS_COLUMNS], [], [w for _, w in PROGRESS_COLUMNS])
    top, wrap = Alignment(vertical="top"), Alignment(vertical="top", wrap_text=True)
    centred = Alignment(vertical="top", horizontal="center")
    for i, row in enumerate(rows, start=2):
        lines = 1
        for c, value in enumerate(row, start=1):
            put(ws, i, c, value)
            cell = ws.cell(i, c)
            cell.alignment = (wrap if c in WRAPPED_COLUMNS else centred if c in CENTRED_COLUMNS
                              else top)
            if c in DATE_COLUMNS and isinstance(value, dt.date):
                cell.number_format = "DD/MM/YYYY"
            if c in WRAPPED_COLUMNS:
                lines = max(lines, wrapped_lines(str(value), PROGRESS_COLUMNS[c - 1][1]))
        ws.row_dimensions[i].height = row_height(lines)
        n = i
    ws.auto_filter.ref = f"A1:N{n}"
    ws.row_dimensions[1].height = row_height(2)
    ws.cell(n + 2, 1, f"Tính đến ngày {fmt.date(as_of)}. {shown.rates.line()}").font = Font(
        italic=True)
    print_setup(ws, landscape=True, title_rows="1:1")
    if changes is not None:
        ws2 = wb.create_sheet("Thay đổi")
        m = table(ws2, ["Loại", "Mã đơn vị", "Mã chỉ tiêu", "Mã phân tổ", "Năm", "Giá trị cũ",
                        "Giá trị mới", "Tệp", "Trang", "Ô"],
                  ([c.kind_vi, c.unit, c.indicator, c.breakdown, c.year, c.old, c.new, c.file,
                    c.sheet, c.cell] for c in changes.changes),
                  [10, 9, 24, 18, 7, 14, 14, 30, 8, 7])
        ws2.cell(m + 2, 1, changes.summary()).font = Font(italic=True)
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return path


def _not_received(p: UnitProgress) -> str:
    """What stands in a file column when no readable file is there: a unit whose file could
    not be read has sent something, and is never shown as not having sent."""
    return "(đã nhận, chưa đọc được)" if p.unread else "(chưa nộp)"
