"""Build folders: lock, atomic rename, latest, failures leave nothing half-written; a final
(--strict) build whose figures disagree with each other is refused."""

from __future__ import annotations

import datetime as dt
import errno
import json
from collections import namedtuple

import openpyxl
import pytest

from pipeline import build
from pipeline.build import run_build
from pipeline.core.errors import EXIT_OUTPUT, BuildBusy, BuildError, FilesHaveErrors, OutputError
from pipeline.core.outputs import CHECK_FOLDER, LOCK, VALIDATION, latest_build
from pipeline.forms import build_narrative_form
from pipeline.office.progress import Delivery
from pipeline.read.cache import CACHE_DIR

from .conftest import TEMPLATE, copy_build, write_live_lock

AS_OF = dt.date(2020, 3, 30)


def test_a_second_concurrent_build_is_refused(tmp_path, cat, inputs):
    out = tmp_path / "out"
    out.mkdir()
    write_live_lock(out / LOCK)  # this live process holds the lock
    with pytest.raises(BuildBusy, match="đang tạo báo cáo"):
        run_build(inputs, out, cat, TEMPLATE, as_of=AS_OF, pdf=False, log=lambda _: None)
    assert (out / LOCK).exists()  # not ours to remove


def test_a_stale_lock_from_a_killed_build_is_cleared(tmp_path, cat, inputs):
    out = tmp_path / "out"
    out.mkdir()
    (out / LOCK).write_text("999999999")  # no such process
    result = run_build(inputs, out, cat, TEMPLATE, as_of=AS_OF, pdf=False, log=lambda _: None)
    assert result.chapter.is_file()
    assert not (out / LOCK).exists()
    # What a build folder holds, by the names the office and the consultants know.
    assert {p.name for p in result.folder.iterdir()} >= {
        "chuong-khcn.docx", "so-lieu-tong-hop.xlsx", "so-lieu-tong-hop.csv", "tien-do.xlsx",
        "bao-cao-kiem-tra.xlsx", "tu-dien-du-lieu.xlsx", "manifest.json", "goi-tu-van",
        "goi-tu-van.zip"}
    assert result.chapter == result.folder / "chuong-khcn.docx"
    assert (out / "latest").resolve() == result.folder.resolve()


def test_a_failed_build_leaves_latest_on_the_last_good_one(tmp_path, cat, inputs, monkeypatch,
                                                          sample_build):
    out = tmp_path / "out"
    good = copy_build(sample_build, out)  # a good build of the sample inputs, as of AS_OF

    def boom(*args, **kwargs):
        raise RuntimeError("killed half-way")

    monkeypatch.setattr(build, "start_chapter", boom)
    with pytest.raises(RuntimeError):
        run_build(inputs, out, cat, TEMPLATE, as_of=AS_OF, pdf=False, log=lambda _: None)
    assert (out / "latest").resolve() == good.resolve()
    assert sorted(p.name for p in out.iterdir()
                  if not p.name.startswith("latest") and p.name != CACHE_DIR) == [good.name]
    assert not (out / LOCK).exists()


def test_missing_inputs_folder_is_a_clear_error(tmp_path, cat):
    with pytest.raises(BuildError, match="Không có thư mục đầu vào"):
        run_build(tmp_path / "none", tmp_path / "out", cat, TEMPLATE, pdf=False,
                  log=lambda _: None)


def test_progress_counts_a_unit_that_sent_nothing_as_overdue(tmp_path, cat, inputs):
    for f in inputs.glob("TDC_*"):
        f.unlink()
    result = run_build(inputs, tmp_path / "out", cat, TEMPLATE, as_of=dt.date(2020, 4, 4),
                       pdf=False, log=lambda _: None)
    tdc = next(p for p in result.progress if p.unit == "TDC")
    assert tdc.status == "Chưa nộp, quá hạn 10 ngày"  # due 25/03/2020
    assert (tdc.state.delivery, tdc.state.days_overdue) == (Delivery.NOT_SENT, 10)
    assert (tdc.required_filled, tdc.workbook) == (0, "")
    khtc = next(p for p in result.progress if p.unit == "KHTC")
    assert khtc.required_filled == khtc.required_total > 0


def test_a_build_killed_mid_way_leaves_latest_and_no_half_folder(tmp_path, cat, inputs,
                                                                sample_build):
    import signal
    import subprocess
    import sys

    out = tmp_path / "out"
    good = copy_build(sample_build, out)  # a good build of the sample inputs, as of AS_OF
    # A second build whose render stage hangs, killed with SIGKILL while it is inside it.
    code = (
        "import threading, datetime as dt\n"
        "from pathlib import Path\n"
        "from pipeline import build\n"
        "def hang(*a, **k):\n"
        "    print('RENDERING', flush=True); threading.Event().wait()  # until killed\n"
        "build.start_chapter = hang\n"
        f"build.run_build(Path({str(inputs)!r}), Path({str(out)!r}),"
        f" Path({str(TEMPLATE.parent / 'catalogue.yaml')!r}), Path({str(TEMPLATE)!r}),"
        " as_of=dt.date(2020, 3, 30), pdf=False)\n"
    )
    proc = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    for line in proc.stdout:  # the child says when it is inside the render stage
        if "RENDERING" in line:
            break
    assert proc.poll() is None  # alive, hanging in render (not finished, not crashed)
    assert [p.name for p in out.glob(".building-*")]  # it was writing
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=10)
    proc.stdout.close()
    assert (out / "latest").resolve() == good.resolve()
    assert (out / LOCK).exists()  # left behind by the killed process...
    third = run_build(inputs, out, cat, TEMPLATE, as_of=AS_OF, pdf=False, log=lambda _: None)
    # ...and cleared by the next build, which also removes the half-written folder.
    assert (out / "latest").resolve() == third.folder.resolve()
    assert not list(out.glob(".building-*"))
    assert sorted(p.name for p in out.iterdir() if p.name not in ("latest", CACHE_DIR)) == sorted(
        [good.name, third.folder.name])


# --- a disk that is full or read-only: refused before anything is replaced -----------------
def _outputs_listing(out):
    return sorted(p.name for p in out.iterdir() if p.name != CACHE_DIR)


def test_too_little_free_space_is_refused_before_anything_is_written(tmp_path, cat, inputs,
                                                                     monkeypatch, sample_build):
    out = tmp_path / "out"
    good = copy_build(sample_build, out)
    before = _outputs_listing(out)
    usage = namedtuple("usage", "total used free")
    monkeypatch.setattr(build.shutil, "disk_usage",
                        lambda _p: usage(10 << 30, (10 << 30) - (3 << 20), 3 << 20))
    with pytest.raises(OutputError) as caught:
        run_build(inputs, out, cat, TEMPLATE, as_of=AS_OF, pdf=False, log=lambda _: None)
    # 3 MB free; a build needs at least 50 MB (twice the last build when that is larger)
    assert "chỉ còn 3 MB trống, lần tạo báo cáo cần khoảng 10 MB" in str(caught.value)
    assert caught.value.exit_code == EXIT_OUTPUT
    assert (out / "latest").resolve() == good.resolve()
    assert _outputs_listing(out) == before  # no new folder, no lock left


def test_a_disk_that_fills_up_mid_build_keeps_the_last_good_build(tmp_path, cat, inputs,
                                                                  monkeypatch, sample_build):
    out = tmp_path / "out"
    good = copy_build(sample_build, out)
    before = _outputs_listing(out)

    def full(_cat, path):
        raise OSError(errno.ENOSPC, "No space left on device", str(path))

    monkeypatch.setattr(build, "write_dictionary", full)
    with pytest.raises(OutputError) as caught:
        run_build(inputs, out, cat, TEMPLATE, as_of=AS_OF, pdf=False, log=lambda _: None)
    message = str(caught.value)
    assert message.startswith("Ổ đĩa đã đầy khi ghi '")
    assert "tu-dien-du-lieu.xlsx" in message and "cần khoảng 10 MB trống" in message
    assert message.endswith("Bản mới nhất vẫn là bản trước.")
    assert (out / "latest").resolve() == good.resolve()
    assert _outputs_listing(out) == before  # the half-written folder is gone, lock too


def test_an_outputs_folder_that_cannot_be_created_is_one_message(tmp_path, cat, inputs):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    with pytest.raises(OutputError, match="có một phần là tệp chứ không phải thư mục"):
        run_build(inputs, blocker / "out", cat, TEMPLATE, pdf=False, log=lambda _: None)


@pytest.fixture()
def small_disk(tmp_path):
    """A real file system of 2 MB (tmpfs), when this machine lets the tests mount one."""
    import subprocess

    mount = tmp_path / "small"
    mount.mkdir()
    made = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", str(mount)],
                          capture_output=True, check=False)
    if made.returncode != 0:
        pytest.skip("cannot mount a tmpfs here (needs root)")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)  # -l: a failed test's
        # traceback may still hold a file of it open


def test_a_real_full_disk_keeps_the_last_good_build(small_disk, cat, inputs, monkeypatch,
                                                    sample_build):
    out = small_disk / "out"
    good = copy_build(sample_build, out)  # 1,6 MB of the 2 MB: no room for another
    monkeypatch.setattr(build, "MIN_FREE_BYTES", 0)  # let it start: the writes must fail
    monkeypatch.setattr(build, "_space_needed", lambda _outputs: 0)
    with pytest.raises(OutputError, match="^Ổ đĩa đã đầy khi ghi '"):
        run_build(inputs, out, cat, TEMPLATE, as_of=AS_OF, pdf=False, log=lambda _: None)
    assert (out / "latest").resolve() == good.resolve()
    assert sorted(p.name for p in out.iterdir() if p.name != CACHE_DIR) == [good.name,
                                                                          "latest"]


# --- outputs/latest: a build is never lost for want of its pointer --------------------------
def test_a_latest_that_is_a_real_folder_is_left_alone(tmp_path, cat, inputs):
    out = tmp_path / "out"
    (out / "latest").mkdir(parents=True)
    (out / "latest" / "ghi-chu.txt").write_text("của phòng KHTC")
    lines: list[str] = []
    result = run_build(inputs, out, cat, TEMPLATE, as_of=AS_OF, pdf=False, log=lines.append)
    assert result.chapter.is_file() and result.latest is False
    assert (out / "latest" / "ghi-chu.txt").read_text() == "của phòng KHTC"
    assert (f"'{out / 'latest'}' là một thư mục thật (không phải liên kết do chương trình tạo) "
            f"nên không được thay; bản mới ở '{result.folder}'. Hãy đổi tên thư mục đó để lần "
            f"sau '{out / 'latest'}' trỏ tới bản mới nhất.") in lines
    assert not list(out.glob(".latest-*"))


def test_a_link_that_cannot_be_made_is_a_pointer_file_and_one_line(tmp_path, cat, inputs,
                                                                   monkeypatch):
    def refused(*_args):
        raise OSError(1314, "A required privilege is not held by the client")  # Windows

    monkeypatch.setattr(build.os, "symlink", refused)
    out = tmp_path / "out"
    lines: list[str] = []
    result = run_build(inputs, out, cat, TEMPLATE, as_of=AS_OF, pdf=False, log=lines.append)
    assert result.chapter.is_file() and result.latest is True
    assert (out / "latest.txt").read_text(encoding="utf-8") == f"{result.folder.name}\n"
    assert lines[-1] == (f"Máy này không cho tạo liên kết '{out / 'latest'}': tên bản mới nhất "
                         f"được ghi trong '{out / 'latest.txt'}'; bản mới ở '{result.folder}'.")
    assert not (out / "latest").exists() and not list(out.glob(".latest-*"))
    assert latest_build(out) == result.folder
    # The next build compares with the one the pointer names.
    again = run_build(inputs, out, cat, TEMPLATE, as_of=AS_OF, pdf=False, log=lambda _: None)
    manifest = json.loads((again.folder / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["changes"]["previous"] == result.folder.name
    assert (out / "latest.txt").read_text(encoding="utf-8") == f"{again.folder.name}\n"


def test_a_pointer_that_cannot_be_written_either_is_one_line_and_the_build_stays(
        tmp_path, cat, inputs, monkeypatch):
    def refused(*_args):
        raise OSError(1314, "A required privilege is not held by the client")

    monkeypatch.setattr(build.os, "symlink", refused)
    out = tmp_path / "out"
    (out / "latest.txt").mkdir(parents=True)  # os.replace onto a folder fails
    lines: list[str] = []
    result = run_build(inputs, out, cat, TEMPLATE, as_of=AS_OF, pdf=False, log=lines.append)
    assert result.chapter.is_file() and result.latest is False
    assert lines[-1].startswith(f"Không cập nhật được '{out / 'latest'}' (")
    assert lines[-1].endswith(f"); bản mới ở '{result.folder}'.")
    assert not (out / "latest").exists() and not list(out.glob(".latest-*"))


def test_a_link_made_again_replaces_the_pointer_file(tmp_path, cat, inputs):
    out = tmp_path / "out"
    out.mkdir()
    (out / "latest.txt").write_text("2020-01-01_000000\n", encoding="utf-8")
    result = run_build(inputs, out, cat, TEMPLATE, as_of=AS_OF, pdf=False, log=lambda _: None)
    assert (out / "latest").resolve() == result.folder.resolve()
    assert not (out / "latest.txt").exists()


# --- the consistency pass: a final build whose figures disagree is refused -------------------
def test_a_strict_build_whose_narrative_disagrees_with_its_table_is_refused(tmp_path, cat,
                                                                            inputs):
    # The TTUD sample workbook has 66,6% for 2019.
    sentence = "Năm 2019, tỷ lệ lao động qua đào tạo đạt 70,5% so với kế hoạch."
    doc = build_narrative_form(cat, cat.unit_by_code["TTUD"], {("I.9", 0): [sentence]})
    doc.save(str(inputs / "TTUD_thuyet_minh_mau.docx"))
    out = tmp_path / "out"

    with pytest.raises(FilesHaveErrors) as e:
        run_build(inputs, out, cat, TEMPLATE, as_of=AS_OF, pdf=False, strict=True,
                  log=lambda _: None)

    folder = out / CHECK_FOLDER
    assert str(e.value) == (
        "Số liệu trong chương chưa thống nhất với nhau (1 cảnh báo: thuyết minh khác biểu số "
        "liệu, mục tiêu không cao hơn hiện trạng...) nên bản chính thức không được tạo "
        f"(--strict). Xem các dòng mã narrative_figure_mismatch trong '{folder / VALIDATION}', "
        "sửa thuyết minh hoặc biểu số liệu (hoặc gửi đơn vị sửa) rồi chạy lại.")
    # No build folder, no `latest`, nothing half-written: the checks and the read cache.
    assert sorted(p.name for p in out.iterdir()) == [CACHE_DIR, CHECK_FOLDER]
    report = openpyxl.load_workbook(folder / VALIDATION, read_only=True)
    texts = [c for ws in report.worksheets for row in ws.iter_rows(values_only=True)
             for c in row if isinstance(c, str)]
    assert any(f"Thuyết minh viết «{sentence}»: số 70,5 không khớp" in t for t in texts)

    # Without --strict the chapter is built and the warning is among the build's findings.
    result = run_build(inputs, out, cat, TEMPLATE, as_of=AS_OF, pdf=False, log=lambda _: None)
    assert [(f.file, f.sheet, f.unit, f.value) for f in result.findings
            if f.code == "narrative_figure_mismatch"] == [
        ("TTUD_thuyet_minh_mau.docx", "I.9. Nguồn nhân lực; thông tin, thống kê KH&CN; sàn "
         "giao dịch công nghệ và kết nối cung - cầu công nghệ", "TTUD", "70,5")]


# --- to_pdf: the chapter's fields computed by LibreOffice, and its PDF ---------------------------

def test_without_libreoffice_one_line_says_what_was_not_refreshed(tmp_path, monkeypatch):
    monkeypatch.setattr(build, "find_soffice", lambda: None)
    lines: list[str] = []
    assert build.to_pdf(tmp_path / "chuong-khcn.docx", lines.append) is None
    assert lines == [
        "Bỏ qua bản PDF: máy chưa cài LibreOffice (xem README, mục cài đặt) nên mục lục, danh mục "
        "bảng/hình và số trang trong tệp .docx chưa được cập nhật: mở tệp bằng Word, chọn cập "
        "nhật trường (Ctrl+A, F9), hoặc in ra PDF bằng LibreOffice."]


def test_the_pdf_comes_from_the_refreshed_chapter(tmp_path, monkeypatch):
    monkeypatch.setattr(build, "find_soffice", lambda: "/opt/soffice")
    asked: list[tuple[object, ...]] = []

    def refresh(docx, pdf, timeout_s):
        asked.append((docx, pdf, timeout_s))
        return True

    monkeypatch.setattr(build, "refresh", refresh)
    lines: list[str] = []
    docx = tmp_path / "chuong-khcn.docx"
    assert build.to_pdf(docx, lines.append) == tmp_path / "chuong-khcn.pdf"
    assert asked == [(docx, tmp_path / "chuong-khcn.pdf", build.PDF_TIMEOUT_S)]
    assert lines == ["Cập nhật mục lục, danh mục, số trang và chuyển sang PDF bằng "
                     "LibreOffice..."]


def test_a_pdf_without_refreshed_fields_is_said(tmp_path, monkeypatch):
    monkeypatch.setattr(build, "find_soffice", lambda: "/opt/soffice")
    monkeypatch.setattr(build, "refresh", lambda docx, pdf, timeout_s: False)
    lines: list[str] = []
    docx = tmp_path / "chuong-khcn.docx"
    assert build.to_pdf(docx, lines.append) == tmp_path / "chuong-khcn.pdf"
    assert lines[1:] == [
        "Đã tạo bản PDF, nhưng không có Python nào chạy được 'import uno' để điều khiển "
        "LibreOffice (cài gói python3-uno) nên mục lục, danh mục bảng/hình và số trang trong tệp "
        ".docx chưa được cập nhật: mở tệp bằng Word, chọn cập nhật trường (Ctrl+A, F9)."]


def test_a_failed_refresh_keeps_the_docx_and_makes_no_pdf(tmp_path, monkeypatch):
    monkeypatch.setattr(build, "find_soffice", lambda: "/opt/soffice")

    def refresh(docx, pdf, timeout_s):
        raise build.ConversionError("LibreOffice chạy quá 300 giây")

    monkeypatch.setattr(build, "refresh", refresh)
    lines: list[str] = []
    assert build.to_pdf(tmp_path / "chuong-khcn.docx", lines.append) is None
    assert lines[1:] == ["Không tạo được bản PDF (LibreOffice chạy quá 300 giây); bản .docx vẫn "
                         "dùng được."]
