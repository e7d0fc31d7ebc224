"""The files shipped with the software, and the working folder `khcn init` writes from them.

The catalogue, the Word master of the chapter, the phrases of the analysis and the sample
submissions live once, in the repository's templates/ and inputs/; the wheel maps them into
the package as pipeline/templates/ and pipeline/inputs/ (pyproject.toml). So an installed
`khcn` finds them inside the package, and a checkout (or an editable install) beside it.

Where a command looks for the catalogue and the master (`default_file`): a path given on the
command line wins; else ./templates/... when the working folder has it (the repository, or a
folder made by `khcn init`); else the copy shipped with the software.
"""

from __future__ import annotations

import shutil
from importlib.resources import files
from pathlib import Path

from pipeline.core.errors import OutputError, PipelineError

TEMPLATES = "templates"
INPUTS = "inputs"
OUTPUTS = "outputs"
TEMPLATE_FILES = ("catalogue.yaml", "chapter.docx", "phan-tich.yaml")
"""What templates/ holds: the catalogue, the Word master, the phrases beside it."""
SAMPLE_PATTERNS = ("*_mau.xlsx", "*_mau.docx")
"""The sample submissions in inputs/ (a checkout's inputs/ may hold real files too)."""
GUIDE = "HUONG-DAN.txt"

_GUIDE_TEXT = """\
THƯ MỤC LÀM VIỆC: CHƯƠNG KH&CN CỦA QUY HOẠCH TỈNH BẮC GIANG

inputs/     Tệp số liệu (.xlsx) và thuyết minh (.docx) của các đơn vị. Hiện là bộ tệp mẫu:
            thay bằng tệp các đơn vị gửi khi nhận được (xóa tệp mẫu của đơn vị đó).
templates/  catalogue.yaml: danh mục chỉ tiêu, đơn vị, hạn gửi, người ký (sửa bằng Notepad).
            chapter.docx: mẫu Word của chương (kiểu chữ, lề; sửa bằng Word).
            phan-tich.yaml: câu chữ của phần phân tích.
outputs/    Kết quả: mỗi lần chạy một thư mục mới; bản mới nhất luôn ở outputs/latest.

Việc tiếp theo: mở cửa sổ lệnh trong thư mục này rồi gõ
  khcn report            tạo chương báo cáo (bản PDF cần LibreOffice; chưa cài thì thêm --no-pdf)
  khcn validate          chỉ kiểm tra số liệu, nêu lỗi từng ô để gửi lại đơn vị
  khcn check TỆP.xlsx    đơn vị tự kiểm tra một tệp trước khi gửi
  khcn forms             tạo biểu mẫu trống gửi các đơn vị
  khcn --help            xem mọi lệnh
"""


def packaged(folder: str) -> Path | None:
    """The folder `templates` or `inputs` shipped with the software: inside the installed
    package, or beside the package in a checkout; None when neither has it."""
    here = files("pipeline")
    if not isinstance(here, Path):  # not installed as plain files (e.g. a zip): not supported
        return None
    for candidate in (here / folder, here.parent / folder):
        if candidate.is_dir():
            return candidate
    return None


def default_file(relative: str) -> Path:
    """A command's default file (e.g. "templates/catalogue.yaml"): the working folder's own
    when it exists, else the copy shipped with the software; when neither exists, the
    relative path, for the command's message to name."""
    local = Path(relative)
    if local.exists():
        return local
    folder, *rest = local.parts
    shipped = packaged(folder)
    if shipped is not None and shipped.joinpath(*rest).is_file():
        return shipped.joinpath(*rest)
    return local


def _sources() -> list[tuple[Path, Path]]:
    """(shipped file, path inside the working folder) for every file `init` copies."""
    templates, inputs = packaged(TEMPLATES), packaged(INPUTS)
    missing = [name for name in TEMPLATE_FILES
               if templates is None or not (templates / name).is_file()]
    samples = sorted({p for pattern in SAMPLE_PATTERNS for p in inputs.glob(pattern)}
                     if inputs is not None else set())
    if missing or not samples:
        what = ", ".join(f"'{TEMPLATES}/{n}'" for n in missing) or f"tệp mẫu trong '{INPUTS}/'"
        raise PipelineError(f"Bản cài đặt thiếu {what}. Hãy cài lại phần mềm "
                            "(pip install --force-reinstall <tệp .whl>).")
    assert templates is not None  # for mypy: `missing` is empty
    return ([(templates / n, Path(TEMPLATES) / n) for n in TEMPLATE_FILES]
            + [(p, Path(INPUTS) / p.name) for p in samples])


def init_folder(folder: Path) -> list[Path]:
    """Write a working folder: inputs/ with the samples, templates/ to edit, an empty
    outputs/ and a short guide. Refuses a folder that already holds anything (nothing is
    overwritten). Returns the files written."""
    if folder.exists() and not folder.is_dir():
        raise OutputError(f"'{folder}' là một tệp, không phải thư mục. Hãy chọn tên thư mục "
                          "khác.")
    if folder.is_dir() and any(folder.iterdir()):
        raise OutputError(f"Thư mục '{folder}' đã có tệp: không ghi đè. Hãy chọn một thư mục "
                          "mới hoặc thư mục trống.")
    sources = _sources()
    written: list[Path] = []
    for source, relative in sources:
        target = folder / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, target)  # contents only: a read-only install gives editable files
        written.append(target)
    (folder / OUTPUTS).mkdir()
    guide = folder / GUIDE
    # CRLF: the guide is read in Notepad on the office's Windows machines.
    guide.write_text(_GUIDE_TEXT, encoding="utf-8", newline="\r\n")
    written.append(guide)
    return written
