"""LibreOffice, where it is installed: finding it, turning documents into other formats, and
computing a document's fields.

Used for the chapter (`refresh`: its contents, lists of tables and figures, caption numbers,
cross-references and page numbers computed, then saved again as .docx and as PDF) and for
narratives sent as .doc, .odt or .rtf, which are turned into .docx before reading (`convert`).
Each call runs one headless LibreOffice with a throw-away user profile and a time limit, on a
copy of the file in a temporary folder (LibreOffice writes a lock file beside what it opens: a
unit's file is never touched). `refresh` drives LibreOffice over UNO from refresh_uno.py, run by
a Python that can `import uno` (often not the project's own: see `find_uno_python`).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

from lxml import etree

from pipeline.core.refresh_uno import FAILED_EXIT

CONVERT_TIMEOUT_S = 120.0
UNO_CHECK_TIMEOUT_S = 30.0  # for one Python to answer whether it can `import uno`
REFRESH_GRACE_S = 30.0  # beyond refresh_uno.py's own limit, before it is stopped from here
REFRESH_SCRIPT = Path(__file__).with_name("refresh_uno.py")
SYSTEM_PYTHON = "/usr/bin/python3"  # Linux: python3-uno installs `uno` for this one
# Where LibreOffice's installers put the program, for when it is not on PATH. A place that is
# not absolute on this system (a Windows path on macOS, or the reverse) is skipped.
INSTALL_PLACES = (
    Path("C:/Program Files/LibreOffice/program/soffice.exe"),
    Path("C:/Program Files (x86)/LibreOffice/program/soffice.exe"),
    Path("/Applications/LibreOffice.app/Contents/MacOS/soffice"),
)


class ConversionError(Exception):
    """LibreOffice did not produce the file; str() says why, in Vietnamese."""


def find_soffice() -> str | None:
    """The LibreOffice program (on PATH, else in its usual folder on Windows or macOS), or None
    when it is not installed."""
    found = shutil.which("soffice") or shutil.which("libreoffice")
    if found:
        return found
    for place in INSTALL_PLACES:
        if place.is_absolute() and place.is_file() and os.access(place, os.X_OK):
            return str(place)
    return None


def find_uno_python(soffice: str) -> str | None:
    """A Python that can `import uno` to drive LibreOffice, or None.

    Tried in turn: the Python running this; the system's python3 (Linux: with python3-uno);
    LibreOffice's own, beside `soffice` (Windows `program/python.exe`, some Linux builds
    `program/python`, macOS `Contents/Resources/python`)."""
    program = Path(soffice).resolve().parent
    candidates = (sys.executable, SYSTEM_PYTHON, shutil.which("python3"),
                  str(program / "python.exe"), str(program / "python"),
                  str(program.parent / "Resources" / "python"))
    seen: set[str] = set()
    for candidate in candidates:
        if not candidate or candidate in seen:
            continue
        seen.add(candidate)
        if os.path.isfile(candidate) and os.access(candidate, os.X_OK) and _imports_uno(
                candidate):
            return candidate
    return None


def _imports_uno(python: str) -> bool:
    try:
        done = subprocess.run([python, "-c", "import uno"], capture_output=True,
                              timeout=UNO_CHECK_TIMEOUT_S, stdin=subprocess.DEVNULL)
    except (subprocess.SubprocessError, OSError):
        return False
    return done.returncode == 0


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


def refresh(docx: Path, pdf: Path | None, timeout_s: float = CONVERT_TIMEOUT_S) -> bool:
    """Compute the fields of `docx` with LibreOffice and save it again, with `pdf` from it.

    Every index (contents, lists of tables and figures), then every field (SEQ caption
    numbers, REF cross-references, page numbers), then the indexes once more are updated
    (refresh_uno.py); `docx` is replaced by the updated document and `pdf` (when given) is
    exported from it. Returns True then. Returns False when no Python here can `import uno`:
    `docx` is left as it was and `pdf` is a plain conversion of it. Raises ConversionError when
    LibreOffice is missing, fails or takes longer than `timeout_s`; `docx` is then untouched."""
    soffice = find_soffice()
    if soffice is None:
        raise ConversionError("máy chưa cài LibreOffice")
    python = find_uno_python(soffice)
    if python is None:
        if pdf is not None:
            with tempfile.TemporaryDirectory(prefix="khcn-lo-") as tmp:
                _put(convert(docx, "pdf", Path(tmp), timeout_s=timeout_s), pdf)
        return False
    with tempfile.TemporaryDirectory(prefix="khcn-lo-") as tmp:
        work = Path(tmp)
        source, new_docx, new_pdf = work / "vao.docx", work / "ra.docx", work / "ra.pdf"
        shutil.copyfile(docx, source)
        pid_file = work / "soffice.pid"
        cmd = [python, str(REFRESH_SCRIPT), str(source), str(new_docx),
               *([str(new_pdf)] if pdf is not None else []), "--soffice", soffice,
               "--timeout", f"{timeout_s:g}", "--pid-file", str(pid_file)]
        try:
            done = subprocess.run(cmd, capture_output=True, timeout=timeout_s + REFRESH_GRACE_S,
                                  stdin=subprocess.DEVNULL,
                                  env={**os.environ, "PYTHONIOENCODING": "utf-8"})
        except subprocess.TimeoutExpired as e:
            raise ConversionError(f"LibreOffice chạy quá {timeout_s:g} giây") from e
        except (subprocess.SubprocessError, OSError) as e:
            raise ConversionError(f"LibreOffice báo lỗi ({type(e).__name__})") from e
        finally:
            _kill_left(pid_file)
        if done.returncode != 0:
            raise ConversionError(_failure(done.returncode, done.stderr))
        if not new_docx.is_file() or (pdf is not None and not new_pdf.is_file()):
            raise ConversionError("LibreOffice không tạo ra tệp kết quả")
        restore_instructions(source, new_docx)
        _put(new_docx, docx)
        if pdf is not None:
            _put(new_pdf, pdf)
    return True


_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_DOCUMENT = "word/document.xml"
_XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"


def restore_instructions(original: Path, saved: Path) -> int:
    """Give the fields of `saved` (LibreOffice's .docx) back the instructions they have in
    `original`; return how many were rewritten.

    LibreOffice computes a field's result from its full instruction but writes a shorter one
    (`SEQ Bảng \\* ARABIC \\r 1` comes back without `\\r 1`, `TOC \\h \\z \\c "Bảng"` as
    `TOC \\c "Bảng"`): Word would renumber the captions when it next updates the fields.
    Nothing is changed unless both bodies hold fields of the same kinds in the same order.
    Raises ConversionError when `saved` is not a readable .docx."""
    try:
        with zipfile.ZipFile(original) as z:
            before = [" ".join(_text(f).split()) for f in _fields(_parse(z.read(_DOCUMENT)))]
        with zipfile.ZipFile(saved) as z:
            parts = [(info, z.read(info)) for info in z.infolist()]
    except (OSError, KeyError, zipfile.BadZipFile, etree.XMLSyntaxError) as e:
        raise ConversionError(f"LibreOffice tạo ra tệp .docx không đọc được ({type(e).__name__})"
                              ) from e
    index = next((i for i, (info, _) in enumerate(parts) if info.filename == _DOCUMENT), None)
    if index is None:
        raise ConversionError("LibreOffice tạo ra tệp .docx không đọc được (thiếu nội dung)")
    try:
        root = _parse(parts[index][1])
    except etree.XMLSyntaxError as e:
        raise ConversionError("LibreOffice tạo ra tệp .docx không đọc được (XMLSyntaxError)"
                              ) from e
    after = list(_fields(root))
    if [_kind(b) for b in before] != [_kind(_text(a)) for a in after]:
        return 0
    changed = 0
    for instruction, texts in zip(before, after):
        if " ".join(_text(texts).split()) == instruction:
            continue
        texts[0].text = f" {instruction} "
        texts[0].set(_XML_SPACE, "preserve")
        for extra in texts[1:]:
            extra.text = ""
        changed += 1
    if changed:
        parts[index] = (parts[index][0], etree.tostring(root, xml_declaration=True,
                                                         encoding="UTF-8", standalone=True))
        staged = saved.with_name(f"{saved.name}.moi")
        with zipfile.ZipFile(staged, "w", zipfile.ZIP_DEFLATED) as z:
            for info, data in parts:
                z.writestr(info, data)
        os.replace(staged, saved)
    return changed


def _parse(data: bytes) -> etree._Element:
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True)
    return etree.fromstring(data, parser)


def _fields(root: etree._Element) -> list[list[etree._Element]]:
    """The w:instrText elements of each complex field, in the order the fields begin."""
    fields: list[list[etree._Element]] = []
    open_: list[tuple[list[etree._Element], bool]] = []  # (its texts, still in the instruction)
    for el in root.iter(f"{_W}fldChar", f"{_W}instrText"):
        kind = el.get(f"{_W}fldCharType")
        if el.tag == f"{_W}instrText":
            if open_ and open_[-1][1]:
                open_[-1][0].append(el)
        elif kind == "begin":
            fields.append([])
            open_.append((fields[-1], True))
        elif kind == "separate" and open_:
            open_[-1] = (open_[-1][0], False)
        elif kind == "end" and open_:
            open_.pop()
    return fields


def _text(texts: list[etree._Element]) -> str:
    return "".join(t.text or "" for t in texts)


def _kind(instruction: str) -> str:
    """A field's kind: the first word of its instruction ("SEQ", "REF", "TOC")."""
    words = instruction.split()
    return words[0].upper() if words else ""


def _failure(returncode: int, stderr: bytes) -> str:
    """refresh_uno.py's own reason (its last line on stderr), or its exit code when it broke."""
    lines = stderr.decode("utf-8", errors="replace").strip().splitlines()
    if returncode == FAILED_EXIT and lines:
        return lines[-1].strip()
    return f"LibreOffice báo lỗi (mã thoát {returncode})"


def _put(made: Path, target: Path) -> None:
    """Copy `made` over `target` in one step (a reader never sees half a file)."""
    staged = target.with_name(f".{target.name}.{os.getpid()}.moi")
    try:
        shutil.copyfile(made, staged)
        os.replace(staged, target)
    except OSError as e:
        raise ConversionError(f"không ghi được '{target}' ({e.strerror or type(e).__name__})"
                              ) from e
    finally:
        with contextlib.suppress(OSError):
            staged.unlink(missing_ok=True)


def _kill_left(pid_file: Path) -> None:
    """Kill the LibreOffice that refresh_uno.py started and could not stop itself (it removes
    `pid_file` once LibreOffice is gone)."""
    try:
        pid = int(pid_file.read_text(encoding="ascii"))
    except (OSError, ValueError):
        return
    if sys.platform == "win32":
        with contextlib.suppress(OSError, subprocess.SubprocessError):
            subprocess.run(["taskkill", "/F", "/T", "/PID", str(pid)], capture_output=True,
                           timeout=UNO_CHECK_TIMEOUT_S)
    else:
        with contextlib.suppress(OSError):
            os.killpg(pid, signal.SIGKILL)
