"""Status: read and validate the inputs folder and say where each unit stands.

This is what `make validate` and `make status` run, and the first half of `make report`.
It imports no pandas, chart or document library, so that `make status` answers in a moment.
Rates follow DHIS2's reporting measures: the reporting rate is the share of expected unit
reports received, the on-time rate the share received by their deadline.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import stat
from collections.abc import Callable, Iterator, Mapping
from dataclasses import asdict, dataclass
from functools import partial
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING

from openpyxl import Workbook
from openpyxl.styles import Font

from pipeline.catalogue.layout import list_key, row_key
from pipeline.catalogue.load import load_catalogue
from pipeline.catalogue.model import Catalogue
from pipeline.core import fmt
from pipeline.core.errors import BuildError
from pipeline.core.findings import Finding
from pipeline.core.outputs import CHECK_FOLDER, FEEDBACK, PROGRESS, VALIDATION
from pipeline.core.text import shown_name
from pipeline.core.xlsx import table
from pipeline.office.feedback import annotate_workbook, feedback_name, refusal_note
from pipeline.office.progress import UnitProgress, progress
from pipeline.office.reports import (
    PROGRESS_HEADERS,
    files_not_used,
    progress_rows,
    write_validation_report,
)
from pipeline.read.files import read_files
from pipeline.read.model import Inputs, kind_of
from pipeline.validate.folder import check_folder
from pipeline.validate.model import Validation
from pipeline.validate.submissions import validate
from pipeline.validate.workbook import check_workbook

if TYPE_CHECKING:  # office/diff.py needs pandas, which `make status` does not load
    from pipeline.office.diff import BuildDiff


@dataclass(frozen=True)
class Checked:
    """Read and validation of an inputs folder: what `make validate` shows."""

    read: Inputs
    validation: Validation
    progress: tuple[UnitProgress, ...]

    @property
    def errors(self) -> int:
        return len(self.validation.errors())


def check_inputs(cat: Catalogue, inputs: Path, as_of: dt.date,
                 log: Callable[[str], None] = print, full_narratives: bool = True,
                 cache_dir: Path | None = None) -> Checked:
    """validate.folder.check_folder, and where each unit stands as of `as_of`."""
    read, validation = check_folder(cat, inputs, log, full_narratives, cache_dir)
    return Checked(read, validation, tuple(progress(cat, validation, as_of)))


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
    checked = check_inputs(cat, inputs, as_of or dt.date.today(), log=log, cache_dir=outputs)
    written = write_checks(checked, outputs / CHECK_FOLDER, labels=finding_labels(cat))
    return ValidateRun(checked, tuple(written))


def summary_lines(checked: Checked, as_json: bool = False) -> Iterator[str]:
    """Per unit: files, errors, warnings, status; then every finding (text or one JSON
    document)."""
    findings = checked.validation.findings
    if as_json:
        units = [{"unit": p.unit, "name": p.name, "workbook": p.workbook,
                  "narrative": p.narrative, "errors": p.errors, "warnings": p.warnings,
                  "status": p.status} for p in checked.progress]
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
    expected: int  # units expected to report
    received: int  # units that sent their workbook (or narrative where no workbook is due)
    on_time: int  # of those, received by the deadline

    @property
    def reporting_rate(self) -> float:
        return 100 * self.received / self.expected if self.expected else 0.0

    @property
    def on_time_rate(self) -> float:
        return 100 * self.on_time / self.expected if self.expected else 0.0

    def line(self) -> str:
        return (f"Tỷ lệ đơn vị đã gửi: {self.received}/{self.expected} "
                f"({fmt.percent(self.reporting_rate, 1)}); gửi đúng hạn: {self.on_time}/"
                f"{self.expected} ({fmt.percent(self.on_time_rate, 1)}).")


def rates(status: tuple[UnitProgress, ...] | list[UnitProgress]) -> Rates:
    received = [p for p in status if p.workbook or (not p.items and p.narrative) or p.unread]
    on_time = [p for p in received if p.received is not None and p.received <= p.due]
    return Rates(len(status), len(received), len(on_time))


def status_table(status: tuple[UnitProgress, ...] | list[UnitProgress]) -> str:
    """A plain-text table for the terminal (fixed-width columns)."""
    heads = ["Mã", "Hạn gửi", "Ngày gửi", "Ô bắt buộc", "Lỗi", "C.báo", "Thay đổi gần nhất",
             "Tình trạng", "Kế hoạch tuần"]
    rows = []
    for p, r in zip(status, progress_rows(status)):
        changed = p.last_change.strftime("%d/%m/%Y %H:%M") if p.last_change else "-"
        rows.append([r[0], r[3], r[6], r[8], r[10], r[11], changed, r[12], r[13]])
    widths = [max(len(str(x)) for x in col) for col in zip(heads, *rows)]
    lines = ["  ".join(str(x).ljust(w) for x, w in zip(row, widths)).rstrip()
             for row in [heads, ["-" * w for w in widths], *rows]]
    return "\n".join(lines)


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
        yield rates(self.checked.progress).line()
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


def write_status(status: tuple[UnitProgress, ...] | list[UnitProgress], path: Path,
                 as_of: dt.date, changes: BuildDiff | None = None) -> Path:
    """The progress table as .xlsx, with the reporting and on-time rates under it; with
    `changes`, a sheet "Thay đổi" listing every value changed since the previous build."""
    wb = Workbook()
    ws = wb.worksheets[0]  # a new workbook holds one sheet
    ws.title = "Tiến độ"
    rows = [r + [p.last_change.strftime("%d/%m/%Y %H:%M") if p.last_change else "-"]
            for p, r in zip(status, progress_rows(status))]
    n = table(ws, PROGRESS_HEADERS + ["Thay đổi gần nhất"], rows,
              [7, 40, 14, 11, 30, 30, 11, 9, 10, 10, 6, 9, 40, 28, 17])
    ws.cell(n + 2, 1, f"Tính đến ngày {fmt.date(as_of)}. {rates(status).line()}").font = Font(
        italic=True)
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
