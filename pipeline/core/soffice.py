"""LibreOffice, where it is installed: finding it, and turning documents into other formats.

Used for the chapter's PDF and for narratives sent as .doc, .odt or .rtf, which are turned
into .docx before reading. Each call runs one headless LibreOffice with a throw-away user
profile and a time limit, on a copy of the file in a temporary folder (LibreOffice writes a
lock file beside what it opens: a unit's file is never touched).
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

CONVERT_TIMEOUT_S = 120.0


class ConversionError(Exception):
    """LibreOffice did not produce the file; str() says why, in Vietnamese."""


def find_soffice() -> str | None:
    """The LibreOffice program, or None when it is not installed."""
    return shutil.which("soffice") or shutil.which("libreoffice")


def convert(source: Path, target_suffix: str, out_dir: Path, filter_name: str = "",
            timeout_s: float = CONVERT_TIMEOUT_S) -> Path:
    """Convert `source` with LibreOffice into `out_dir`; return the new file's path.

    `target_suffix` is e.g. "docx" or "pdf"; `filter_name` an export filter
    ("MS Word 2007 XML"). Raises ConversionError when LibreOffice is missing, fails or
    takes longer than `timeout_s`."""
    soffice = find_soffice()
    if soffice is None:
        raise ConversionError("máy chưa cài LibreOffice")
    out_dir.mkdir(parents=True, exist_ok=True)
    target = f"{target_suffix}:{filter_name}" if filter_name else target_suffix
    with tempfile.TemporaryDirectory(prefix="khcn-lo-") as tmp:
        profile = Path(tmp) / "profile"
        cmd = [soffice, f"-env:UserInstallation={profile.as_uri()}", "--headless",
               "--norestore", "--nologo", "--convert-to", target, "--outdir", str(out_dir),
               str(source)]
        try:
            subprocess.run(cmd, check=True, capture_output=True, timeout=timeout_s,
                           stdin=subprocess.DEVNULL)
        except subprocess.TimeoutExpired as e:
            raise ConversionError(f"LibreOffice chạy quá {timeout_s:g} giây") from e
        except (subprocess.SubprocessError, OSError) as e:
            raise ConversionError(f"LibreOffice báo lỗi ({type(e).__name__})") from e
    result = out_dir / f"{source.stem}.{target_suffix}"
    if not result.is_file():
        raise ConversionError("LibreOffice không tạo ra tệp kết quả")
    return result


def convert_copy(source: Path, kind_suffix: str, work_dir: Path, index: int) -> Path:
    """Copy `source` into `work_dir` under a plain name (any file name is safe) and turn the
    copy into .docx; return the .docx path."""
    copy = work_dir / f"tep-{index}.{kind_suffix}"
    shutil.copyfile(source, copy)
    return convert(copy, "docx", work_dir / f"docx-{index}", "MS Word 2007 XML")
