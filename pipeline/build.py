"""Build: run read → validate → merge → derive → render and write one build folder.

Each build is written into a temporary folder under outputs/ and renamed at the end to
outputs/<date_time>/; outputs/latest then points at it. A lock file stops a second build
running at the same time; a killed build leaves no half-written build folder behind, and
inputs are only ever read.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import errno
import json
import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

from pipeline import __version__
from pipeline.catalogue.load import load_catalogue
from pipeline.catalogue.model import Catalogue
from pipeline.consistency import check_consistency
from pipeline.core import fmt
from pipeline.core.errors import FilesHaveErrors, OutputError, os_error_message
from pipeline.core.findings import Finding, Severity
from pipeline.core.lock import held
from pipeline.core.outputs import (
    CACHE_DIR,
    CHAPTER,
    CHAPTER_PDF,
    CHART_CACHE,
    CHECK_FOLDER,
    DICTIONARY,
    FEEDBACK,
    LATEST,
    LATEST_POINTER,
    MANIFEST,
    MERGED_CSV,
    MERGED_XLSX,
    PACK,
    PROGRESS,
    VALIDATION,
    latest_build,
)
from pipeline.core.soffice import ConversionError, find_soffice, refresh
from pipeline.derive import data_cutoff, date_findings, derive
from pipeline.merge import merge, merge_lists
from pipeline.office.diff import diff_builds, load_previous
from pipeline.office.progress import UnitProgress
from pipeline.office.status import (
    Checked,
    check_inputs,
    finding_labels,
    write_checks,
    write_status,
)
from pipeline.render.chapter import ChapterData, start_chapter
from pipeline.render.export import write_dictionary, write_merged, write_pack

PDF_TIMEOUT_S = 300


@dataclass(frozen=True)
class BuildResult:
    folder: Path  # outputs/<date_time>
    chapter: Path
    pdf: Path | None  # None when LibreOffice is not installed or failed
    findings: tuple[Finding, ...]
    progress: tuple[UnitProgress, ...]
    timings: dict[str, float]  # seconds per stage
    latest: bool = True  # outputs/latest points at this build

    @property
    def errors(self) -> int:
        return sum(1 for f in self.findings if f.severity is Severity.ERROR)

    @property
    def warnings(self) -> int:
        return sum(1 for f in self.findings if f.severity is Severity.WARNING)


MIN_FREE_BYTES = 10 * 1024 * 1024  # a build of the samples takes 1,4 MB, 3 MB with its PDF


def _space_needed(outputs: Path) -> int:
    """Bytes a new build needs: twice the last build (it may grow), at least MIN_FREE_BYTES."""
    last = 0
    with contextlib.suppress(OSError):
        newest = latest_build(outputs)
        last = 0 if newest is None else sum(p.stat().st_size for p in newest.resolve().iterdir()
                                            if p.is_file())
    return max(MIN_FREE_BYTES, 2 * last)


def _check_space(outputs: Path) -> None:
    """Refuse to start when the outputs disk has less room than a build needs."""
    try:
        free = shutil.disk_usage(outputs).free
    except OSError:
        return  # cannot tell: the writes themselves will say
    need = _space_needed(outputs)
    if free < need:
        raise OutputError(
            f"Ổ đĩa chứa '{outputs}' chỉ còn {fmt.megabytes(free)} trống, lần tạo báo cáo "
            f"cần khoảng {fmt.megabytes(need)}. Hãy xóa bớt các bản báo cáo cũ trong thư mục "
            "này (hoặc chọn thư mục khác bằng --outputs) rồi chạy lại. Bản mới nhất vẫn là "
            "bản trước.")


def _new_folder_name(outputs: Path, now: dt.datetime) -> str:
    base = now.strftime("%Y-%m-%d_%H%M%S")
    name, n = base, 2
    while (outputs / name).exists():
        name, n = f"{base}-{n}", n + 1
    return name


def _point_latest(outputs: Path, name: str, log: Callable[[str], None]) -> bool:
    """Point outputs/latest at the new build (replacing the link at once, never a moment
    without one). Where a link cannot be made (Windows without the right to make one), the
    folder's name is written to outputs/latest.txt instead, with a line; every reader of the
    newest build goes through outputs.latest_build, which follows either. A `latest` that is
    a real folder is someone's: it is left as it is. False, with a line, when neither could
    be written; the build itself is done either way."""
    link = outputs / LATEST
    if link.is_dir() and not link.is_symlink():
        log(f"'{link}' là một thư mục thật (không phải liên kết do chương trình tạo) nên không "
            f"được thay; bản mới ở '{outputs / name}'. Hãy đổi tên thư mục đó để lần sau "
            f"'{link}' trỏ tới bản mới nhất.")
        return False
    tmp = outputs / f".latest-{os.getpid()}"
    try:
        tmp.unlink(missing_ok=True)
        os.symlink(name, tmp)
        os.replace(tmp, link)
    except OSError:
        with contextlib.suppress(OSError):
            tmp.unlink(missing_ok=True)
        return _write_pointer(outputs, name, log)
    with contextlib.suppress(OSError):
        (outputs / LATEST_POINTER).unlink(missing_ok=True)  # the link says it now
    return True


def _write_pointer(outputs: Path, name: str, log: Callable[[str], None]) -> bool:
    """outputs/latest.txt holding the newest build's folder name (written whole, then moved
    into place); an old link `latest`, which would lead to an older build, is removed."""
    pointer = outputs / LATEST_POINTER
    tmp = outputs / f".latest-{os.getpid()}.txt"
    try:
        tmp.write_text(name + "\n", encoding="utf-8")
        os.replace(tmp, pointer)
        if (outputs / LATEST).is_symlink():
            (outputs / LATEST).unlink()
    except OSError as e:
        with contextlib.suppress(OSError):
            tmp.unlink(missing_ok=True)
        log(f"Không cập nhật được '{outputs / LATEST}' ({e.strerror or type(e).__name__}); "
            f"bản mới ở '{outputs / name}'.")
        return False
    log(f"Máy này không cho tạo liên kết '{outputs / LATEST}': tên bản mới nhất được ghi trong "
        f"'{pointer}'; bản mới ở '{outputs / name}'.")
    return True


def to_pdf(docx: Path, log: Callable[[str], None]) -> Path | None:
    """Compute the chapter's fields with LibreOffice headless (contents, lists of tables and
    figures, caption and cross-reference numbers, page numbers), replace `docx` by the updated
    document and write the PDF from it; None (with one line saying what was not done) when
    LibreOffice is missing or fails. The .docx is then left as rendered, with its fields'
    cached results, for Word to update."""
    not_refreshed = ("mục lục, danh mục bảng/hình và số trang trong tệp .docx chưa được cập "
                     "nhật: mở tệp bằng Word, chọn cập nhật trường (Ctrl+A, F9)")
    if find_soffice() is None:
        log("Bỏ qua bản PDF: máy chưa cài LibreOffice (xem README, mục cài đặt) nên "
            f"{not_refreshed}, hoặc in ra PDF bằng LibreOffice.")
        return None
    log("Cập nhật mục lục, danh mục, số trang và chuyển sang PDF bằng LibreOffice...")
    pdf = docx.with_suffix(".pdf")
    try:
        refreshed = refresh(docx, pdf, timeout_s=PDF_TIMEOUT_S)
    except ConversionError as e:
        log(f"Không tạo được bản PDF ({e}); bản .docx vẫn dùng được.")
        return None
    if not refreshed:
        log("Đã tạo bản PDF, nhưng không có Python nào chạy được 'import uno' để điều khiển "
            f"LibreOffice (cài gói python3-uno) nên {not_refreshed}.")
    return pdf


def _git_commit(root: Path) -> str:
    try:
        out = subprocess.run(["git", "-C", str(root), "rev-parse", "HEAD"], capture_output=True,
                             text=True, timeout=5)
        return out.stdout.strip() if out.returncode == 0 else ""
    except (OSError, subprocess.SubprocessError):
        return ""


def _versions() -> dict[str, str]:
    out = {"khcn-pipeline": __version__}
    for pkg in ("python-calamine", "openpyxl", "pandas", "python-docx", "docxtpl", "babel",
                "xlrd", "olefile"):
        try:
            out[pkg] = metadata.version(pkg)
        except metadata.PackageNotFoundError:
            out[pkg] = "?"
    return out


def _refuse_inconsistent(checked: Checked, consistency: tuple[Finding, ...],
                         computed: tuple[Finding, ...], cat: Catalogue, outputs: Path) -> None:
    """An official build (--strict) whose figures disagree with each other (consistency.py:
    a narrative against its tables, a target below what is reached...) is refused like one
    with errors: the checks go to outputs/kiem-tra/ and FilesHaveErrors says where."""
    found = [f for f in consistency if f.severity is not Severity.INFO]
    if not found:
        return
    folder = outputs / CHECK_FOLDER
    write_checks(checked, folder, computed, finding_labels(cat))
    codes = ", ".join(dict.fromkeys(f.code for f in found))
    raise FilesHaveErrors(
        f"Số liệu trong chương chưa thống nhất với nhau ({len(found)} cảnh báo: thuyết minh "
        "khác biểu số liệu, mục tiêu không cao hơn hiện trạng...) nên bản chính thức không "
        f"được tạo (--strict). Xem các dòng mã {codes} trong '{folder / VALIDATION}', sửa "
        "thuyết minh hoặc biểu số liệu (hoặc gửi đơn vị sửa) rồi chạy lại.")


def run_build(inputs: Path, outputs: Path, catalogue: Path | Catalogue, template: Path,
              as_of: dt.date | None = None, pdf: bool = True, strict: bool = False,
              log: Callable[[str], None] = print, cache: bool = True) -> BuildResult:
    """Run every stage and write a new build folder; return what was written.

    With `strict`, a build with any error-level finding, or whose figures disagree with each
    other (a warning of consistency.py), is refused: the validation report and feedback files
    go to outputs/kiem-tra/ and BuildError says so. With `cache`, files unchanged since an
    earlier build are not read again (outputs/.cache/, see read/cache.py), and charts whose
    data did not change are not drawn again.
    """
    cat = catalogue if isinstance(catalogue, Catalogue) else load_catalogue(catalogue)
    as_of = as_of or dt.date.today()
    timings: dict[str, float] = {}

    def stage(name: str, t0: float) -> float:
        now = time.perf_counter()
        timings[name] = round(now - t0, 3)
        return now

    try:
        outputs.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise OutputError(os_error_message(e, "tạo")) from e
    with held(outputs, "khcn report"):
        _check_space(outputs)
        for stale in outputs.glob(".building-*"):  # left by a build that was killed
            shutil.rmtree(stale, ignore_errors=True)
        t = time.perf_counter()
        checked = check_inputs(cat, inputs, as_of, log, cache_dir=outputs if cache else None,
                               every_file=True)  # the chapter: every file; progress: as_of
        t = stage("read_validate", t)
        if strict and checked.errors:
            folder = outputs / CHECK_FOLDER
            write_checks(checked, folder, labels=finding_labels(cat))
            raise FilesHaveErrors(
                f"Có {checked.errors} lỗi trong tệp của các đơn vị nên bản chính thức không được "
                f"tạo (--strict). Xem '{folder / VALIDATION}' và các tệp góp ý trong "
                f"'{folder / FEEDBACK}', gửi đơn vị sửa rồi chạy lại.")
        previous = load_previous(latest_build(outputs))
        name = _new_folder_name(outputs, dt.datetime.now())
        tmp = Path(tempfile.mkdtemp(prefix=".building-", dir=outputs))
        try:
            validation = checked.validation
            merged = merge(cat, validation.values,
                           frozenset(w.file.name for w in validation.workbooks if w.is_sample))
            lists = merge_lists(cat, validation.lists)
            changes = diff_builds(previous, merged, tuple(w.unit for w in validation.workbooks))
            log(changes.summary())
            t = stage("merge", t)
            derivation = derive(cat, merged, lists)
            cutoff = data_cutoff((w.sent for w in validation.workbooks), as_of)
            consistency = tuple(check_consistency(cat, merged, derivation,
                                                  validation.narratives, validation.workbooks))
            computed = derivation.findings + consistency + tuple(date_findings(cat, cutoff))
            t = stage("derive", t)
            if strict:
                _refuse_inconsistent(checked, consistency, computed, cat, outputs)
            log("Tạo chương báo cáo...")
            pending = start_chapter(  # charts are drawn in another process meanwhile
                cat, ChapterData(merged, derivation, validation.workbooks,
                                 validation.narratives, cutoff, lists),
                template, tmp / CHAPTER, outputs / CACHE_DIR / CHART_CACHE if cache else None,
                log)
            write_merged(merged, derivation, cat, tmp / MERGED_XLSX, tmp / MERGED_CSV, lists)
            write_dictionary(cat, tmp / DICTIONARY)
            write_checks(checked, tmp, computed, finding_labels(cat))
            write_status(checked.progress, tmp / PROGRESS, as_of, changes)
            t = stage("reports", t)
            chapter = pending.finish()
            t = stage("render", t)
            pdf_path = None
            if pdf:
                pdf_path = to_pdf(chapter, log)
                t = stage("pdf", t)
            read = checked.read
            manifest = {
                "build": name,
                "created": dt.datetime.now().isoformat(timespec="seconds"),
                "as_of": as_of.isoformat(),
                "catalogue_fingerprint": cat.fingerprint,
                "form_version": cat.form_version,
                "commit": _git_commit(Path(__file__).resolve().parent.parent),
                "versions": _versions(),
                "inputs": [{"file": f.name, "size": f.size, "sha256": f.sha256,
                            "modified": f.modified.isoformat()} for f in read.files],
                "skipped": list(read.skipped),
                "units": {w.unit: w.file.name for w in validation.workbooks},
                "narratives": {n.unit: n.file.name for n in validation.narratives},
                "findings": {"errors": len(validation.errors()),
                             "total": len(validation.findings)},
                "changes": {"previous": changes.previous, "summary": changes.summary(),
                            "count": len(changes.changes)},
                "timings_s": timings,
            }
            (tmp / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=2),
                                        encoding="utf-8")
            write_pack(tmp / PACK, [tmp / n for n in (CHAPTER, CHAPTER_PDF, MERGED_XLSX,
                                                       MERGED_CSV, DICTIONARY, VALIDATION,
                                                       MANIFEST)], PACK)
            final = outputs / name
            os.chmod(tmp, 0o755)  # mkdtemp makes it private
            os.rename(tmp, final)
        except OSError as e:
            shutil.rmtree(tmp, ignore_errors=True)
            need = (f" Lần tạo báo cáo cần khoảng {fmt.megabytes(_space_needed(outputs))} "
                    "trống." if e.errno in (errno.ENOSPC, errno.EDQUOT) else "")
            named = e if e.filename else OSError(e.errno, e.strerror, str(outputs))
            raise OutputError(f"{os_error_message(named)}{need} Bản mới nhất vẫn là bản "
                              "trước.") from e
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
        latest = _point_latest(outputs, name, log)
    return BuildResult(folder=final, chapter=final / CHAPTER,
                       pdf=(final / CHAPTER_PDF) if pdf_path else None,
                       findings=validation.findings + computed,
                       progress=checked.progress, timings=timings, latest=latest)
