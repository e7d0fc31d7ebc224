"""Unit tests of pipeline/core/soffice.py: find_soffice() on a PATH holding a fake program or
none and in LibreOffice's usual folders; find_uno_python() among fake Pythons; convert() and
convert_copy() with a fake `soffice` script that fails, writes nothing or writes the file;
refresh() with a fake Python standing for refresh_uno.py; restore_instructions() on hand-made
documents. Where LibreOffice and a Python with `uno` are installed: one real conversion, and
one real refresh of a small document whose fields (contents, list of tables, SEQ captions, REF
cross-references) all hold wrong cached results."""

from __future__ import annotations

import os
import re
import shutil
import signal
import stat
import subprocess
import zipfile
from pathlib import Path
from xml.sax.saxutils import escape

import pytest
from docx import Document
from docx.enum.style import WD_STYLE_TYPE
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import Pt
from lxml import etree

from pipeline.core import soffice
from pipeline.core.soffice import (
    ConversionError,
    convert,
    convert_copy,
    find_soffice,
    find_uno_python,
    refresh,
    restore_instructions,
)

# A stand-in for LibreOffice: records its arguments, then does what $FAKE_MODE says.
FAKE = """#!/bin/sh
printf '%s\\n' "$@" > "$FAKE_ARGS"
case "$FAKE_MODE" in
  fail) echo "boom" >&2; exit 1 ;;
  nothing) exit 0 ;;
esac
outdir=""
target=""
prev=""
for a in "$@"; do
  if [ "$prev" = "--outdir" ]; then outdir="$a"; fi
  if [ "$prev" = "--convert-to" ]; then target="${a%%:*}"; fi
  prev="$a"
  last="$a"
done
name="${last##*/}"
printf 'converted' > "$outdir/${name%.*}.$target"
"""


def _program(folder: Path, name: str, text: str = FAKE) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(text, encoding="utf-8")
    path.chmod(path.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
    return path


@pytest.fixture()
def fake(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """A fake `soffice` alone on PATH; returns a function setting its mode."""
    bin_dir = tmp_path / "bin"
    _program(bin_dir, "soffice")
    args = tmp_path / "args.txt"
    monkeypatch.setenv("PATH", str(bin_dir))
    monkeypatch.setenv("FAKE_ARGS", str(args))

    def mode(value: str) -> Path:
        monkeypatch.setenv("FAKE_MODE", value)
        return args

    return mode


@pytest.fixture()
def source(tmp_path: Path) -> Path:
    path = tmp_path / "in" / "VP_thuyet_minh.doc"
    path.parent.mkdir()
    path.write_bytes(b"\xd0\xcf\x11\xe0 not really a doc")
    return path


# --- find_soffice ----------------------------------------------------------------------------

def test_find_soffice_finds_the_program_on_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    program = _program(tmp_path / "bin", "soffice")
    monkeypatch.setenv("PATH", str(tmp_path / "bin"))
    assert find_soffice() == str(program)


def test_find_soffice_falls_back_to_libreoffice(tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch):
    program = _program(tmp_path / "bin", "libreoffice")
    monkeypatch.setenv("PATH", str(tmp_path / "bin"))
    assert find_soffice() == str(program)


def test_find_soffice_prefers_soffice(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    _program(tmp_path / "bin", "libreoffice")
    program = _program(tmp_path / "bin", "soffice")
    monkeypatch.setenv("PATH", str(tmp_path / "bin"))
    assert find_soffice() == str(program)


def test_find_soffice_is_none_on_an_empty_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    (tmp_path / "empty").mkdir()
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    assert find_soffice() is None


def test_a_file_that_is_not_executable_is_not_found(tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch):
    (tmp_path / "bin").mkdir()
    (tmp_path / "bin" / "soffice").write_text("#!/bin/sh\n", encoding="utf-8")
    monkeypatch.setenv("PATH", str(tmp_path / "bin"))
    assert find_soffice() is None


# --- convert: error paths --------------------------------------------------------------------

def test_convert_without_libreoffice(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                     source: Path):
    (tmp_path / "empty").mkdir()
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    with pytest.raises(ConversionError) as e:
        convert(source, "docx", tmp_path / "out")
    assert str(e.value) == "máy chưa cài LibreOffice"


def test_convert_when_libreoffice_fails(fake, source: Path, tmp_path: Path):
    fake("fail")
    with pytest.raises(ConversionError) as e:
        convert(source, "docx", tmp_path / "out")
    assert str(e.value) == "LibreOffice báo lỗi (CalledProcessError)"
    assert isinstance(e.value.__cause__, subprocess.CalledProcessError)


def test_convert_when_libreoffice_writes_nothing(fake, source: Path, tmp_path: Path):
    fake("nothing")
    with pytest.raises(ConversionError) as e:
        convert(source, "docx", tmp_path / "out")
    assert str(e.value) == "LibreOffice không tạo ra tệp kết quả"


def test_convert_when_the_program_cannot_start(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                               source: Path):
    _program(tmp_path / "bin", "soffice", "#!/khong/co/trinh/thong/dich\n")
    monkeypatch.setenv("PATH", str(tmp_path / "bin"))
    with pytest.raises(ConversionError) as e:
        convert(source, "docx", tmp_path / "out")
    assert str(e.value) == "LibreOffice báo lỗi (FileNotFoundError)"


@pytest.fixture()
def too_long(monkeypatch: pytest.MonkeyPatch) -> dict[str, object]:
    """Every program run takes too long; returns the keyword arguments it was run with."""
    seen: dict[str, object] = {}

    def run(cmd: list[str], **kwargs: object) -> None:
        seen.update(kwargs)
        raise subprocess.TimeoutExpired(cmd, 2.5)

    monkeypatch.setattr(soffice.subprocess, "run", run)
    return seen


def test_convert_when_libreoffice_takes_too_long(fake, source: Path, tmp_path: Path,
                                                 too_long: dict[str, object]):
    fake("nothing")
    with pytest.raises(ConversionError) as e:
        convert(source, "pdf", tmp_path / "out", timeout_s=2.5)
    assert str(e.value) == "LibreOffice chạy quá 2.5 giây"
    assert too_long["timeout"] == 2.5


def test_the_default_time_limit_is_two_minutes():
    assert soffice.CONVERT_TIMEOUT_S == 120.0


# --- convert: success with the fake -----------------------------------------------------------

def test_convert_returns_the_new_file(fake, source: Path, tmp_path: Path):
    fake("ok")
    out = tmp_path / "out" / "deeper"  # made when missing
    result = convert(source, "docx", out)
    assert result == out / "VP_thuyet_minh.docx"
    assert result.read_text(encoding="utf-8") == "converted"


def test_convert_asks_for_a_headless_run_with_its_own_profile(fake, source: Path,
                                                              tmp_path: Path):
    args_file = fake("ok")
    convert(source, "docx", tmp_path / "out", "MS Word 2007 XML")
    args = args_file.read_text(encoding="utf-8").splitlines()
    assert args[0].startswith("-env:UserInstallation=file:///")
    assert "--headless" in args
    assert "--norestore" in args
    i = args.index("--convert-to")
    assert args[i + 1] == "docx:MS Word 2007 XML"
    j = args.index("--outdir")
    assert args[j + 1] == str(tmp_path / "out")
    assert args[-1] == str(source)


def test_convert_without_filter_names_the_suffix_alone(fake, source: Path, tmp_path: Path):
    args_file = fake("nothing")
    with pytest.raises(ConversionError):
        convert(source, "pdf", tmp_path / "out")
    args = args_file.read_text(encoding="utf-8").splitlines()
    assert args[args.index("--convert-to") + 1] == "pdf"


def test_the_profile_folder_is_removed_afterwards(fake, source: Path, tmp_path: Path):
    args_file = fake("ok")
    convert(source, "docx", tmp_path / "out")
    profile_uri = args_file.read_text(encoding="utf-8").splitlines()[0].split("=", 1)[1]
    profile = Path(profile_uri.removeprefix("file://"))
    assert not profile.parent.exists()


def test_convert_copy_converts_a_copy_under_a_plain_name(fake, tmp_path: Path):
    args_file = fake("ok")
    odd = tmp_path / "in" / "Thuyết minh (bản cuối) 'VP' $x.odt"
    odd.parent.mkdir()
    odd.write_bytes(b"PK\x03\x04 odt")
    work = tmp_path / "work"
    work.mkdir()
    result = convert_copy(odd, "odt", work, 3)
    assert result == work / "docx-3" / "tep-3.docx"
    assert (work / "tep-3.odt").read_bytes() == b"PK\x03\x04 odt"
    assert args_file.read_text(encoding="utf-8").splitlines()[-1] == str(work / "tep-3.odt")
    assert odd.read_bytes() == b"PK\x03\x04 odt"  # the unit's file untouched


def test_convert_copy_passes_on_the_error(fake, source: Path, tmp_path: Path):
    fake("fail")
    work = tmp_path / "work"
    work.mkdir()
    with pytest.raises(ConversionError, match="LibreOffice báo lỗi"):
        convert_copy(source, "doc", work, 0)


# --- a real conversion -------------------------------------------------------------------------

@pytest.mark.skipif(not (os.access("/usr/bin/soffice", os.X_OK) and shutil.which("soffice")),
                    reason="LibreOffice (/usr/bin/soffice) is not installed")
def test_a_real_rtf_is_converted_to_docx(tmp_path: Path):
    from docx import Document

    rtf = tmp_path / "thuyet minh.rtf"
    rtf.write_text("{\\rtf1\\ansi\\deff0 {\\fonttbl {\\f0 Times New Roman;}}"
                   "\\f0 Kh\\u7885?a h\\u7885?c v\\u224?a c\\u244?ng ngh\\u7879?\\par}",
                   encoding="ascii")
    result = convert_copy(rtf, "rtf", tmp_path, 1)
    assert result == tmp_path / "docx-1" / "tep-1.docx"
    text = "\n".join(p.text for p in Document(str(result)).paragraphs)
    assert "công nghệ" in text


# --- find_soffice: LibreOffice's usual folders ----------------------------------------------

def test_find_soffice_looks_in_the_usual_folders(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    (tmp_path / "empty").mkdir()
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    program = _program(tmp_path / "LibreOffice" / "program", "soffice.exe")
    monkeypatch.setattr(soffice, "INSTALL_PLACES", (tmp_path / "absent" / "soffice.exe", program))
    assert find_soffice() == str(program)


def test_a_usual_folder_of_another_system_is_skipped(tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch):
    (tmp_path / "empty").mkdir()
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    monkeypatch.chdir(tmp_path)
    _program(tmp_path / "C:" / "LibreOffice", "soffice.exe")  # "C:/..." is relative here
    monkeypatch.setattr(soffice, "INSTALL_PLACES", (Path("C:/LibreOffice/soffice.exe"),))
    assert find_soffice() is None


def test_the_usual_folders_are_those_of_windows_and_macos():
    assert [p.as_posix() for p in soffice.INSTALL_PLACES] == [
        "C:/Program Files/LibreOffice/program/soffice.exe",
        "C:/Program Files (x86)/LibreOffice/program/soffice.exe",
        "/Applications/LibreOffice.app/Contents/MacOS/soffice",
    ]


# --- find_uno_python ------------------------------------------------------------------------

# A Python that answers `-c "import uno"` with success, and one that cannot import it.
UNO = '#!/bin/sh\n[ "$1" = "-c" ] && [ "$2" = "import uno" ] && exit 0\nexit 1\n'
NO_UNO = "#!/bin/sh\nexit 1\n"


@pytest.fixture()
def pythons(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """No Python with `uno` anywhere: this one, the system's and PATH's cannot import it."""
    current = _program(tmp_path / "venv", "python", NO_UNO)
    monkeypatch.setattr(soffice.sys, "executable", str(current))
    monkeypatch.setattr(soffice, "SYSTEM_PYTHON", str(tmp_path / "usr" / "python3"))
    _program(tmp_path / "path", "python3", NO_UNO)
    monkeypatch.setenv("PATH", str(tmp_path / "path"))
    return tmp_path


def test_the_running_python_comes_first(pythons: Path, monkeypatch: pytest.MonkeyPatch):
    current = _program(pythons / "venv2", "python", UNO)
    monkeypatch.setattr(soffice.sys, "executable", str(current))
    _program(pythons / "usr", "python3", UNO)
    assert find_uno_python(str(_program(pythons / "lo", "soffice"))) == str(current)


def test_then_the_systems_python(pythons: Path):
    system = _program(pythons / "usr", "python3", UNO)
    _program(pythons / "path", "python3", UNO)
    assert find_uno_python(str(_program(pythons / "lo", "soffice"))) == str(system)


def test_then_python3_on_path(pythons: Path):
    on_path = _program(pythons / "path", "python3", UNO)
    assert find_uno_python(str(_program(pythons / "lo", "soffice"))) == str(on_path)


def test_then_libreoffices_own_python_on_windows(pythons: Path):
    program = pythons / "LibreOffice" / "program"
    bundled = _program(program, "python.exe", UNO)
    assert find_uno_python(str(_program(program, "soffice.exe"))) == str(bundled)


def test_then_libreoffices_own_python_on_macos(pythons: Path):
    contents = pythons / "LibreOffice.app" / "Contents"
    bundled = _program(contents / "Resources", "python", UNO)
    assert find_uno_python(str(_program(contents / "MacOS", "soffice"))) == str(bundled)


def test_a_link_to_soffice_leads_to_its_program_folder(pythons: Path):
    program = pythons / "opt" / "libreoffice" / "program"
    bundled = _program(program, "python", UNO)
    (pythons / "bin").mkdir()
    (pythons / "bin" / "soffice").symlink_to(_program(program, "soffice"))
    assert find_uno_python(str(pythons / "bin" / "soffice")) == str(bundled)


def test_no_python_with_uno(pythons: Path):
    _program(pythons / "lo", "python", NO_UNO)
    assert find_uno_python(str(_program(pythons / "lo", "soffice"))) is None


# --- refresh, with a fake refresh_uno.py ------------------------------------------------------

# A stand-in for `python refresh_uno.py IN OUT [PDF] --soffice S --timeout T --pid-file F`:
# records its arguments, then does what $FAKE_MODE says.
FAKE_PYTHON = """#!/bin/sh
printf '%s\\n' "$@" > "$FAKE_ARGS"
pidfile=""
prev=""
for a in "$@"; do
  if [ "$prev" = "--pid-file" ]; then pidfile="$a"; fi
  prev="$a"
done
case "$FAKE_MODE" in
  reason) echo "chi tiết" >&2; echo "LibreOffice không mở được tệp .docx" >&2; exit 3 ;;
  crash) echo "Traceback (most recent call last):" >&2; echo "ImportError: uno" >&2; exit 1 ;;
  nothing) exit 0 ;;
  orphan) setsid sleep 600 </dev/null >/dev/null 2>&1 &
          echo $! > "$pidfile"; cp "$pidfile" "$FAKE_ARGS.pid"
          echo "LibreOffice báo lỗi (DisposedException)" >&2; exit 3 ;;
esac
cp "$FAKE_RESULT" "$3"
if [ "$4" != "--soffice" ]; then printf '%%PDF-1.4 fake' > "$4"; fi
"""


@pytest.fixture()
def chapter(tmp_path: Path) -> Path:
    path = tmp_path / "out" / "chuong-khcn.docx"
    path.parent.mkdir()
    doc = Document()
    doc.add_paragraph("Bản vừa tạo")
    doc.save(str(path))
    return path


@pytest.fixture()
def fake_refresh(fake, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """A fake `soffice` on PATH and a fake Python for refresh_uno.py; returns a function setting
    the Python's mode and returning the file of its arguments."""
    python = _program(tmp_path / "py", "python", FAKE_PYTHON)
    monkeypatch.setattr(soffice, "find_uno_python", lambda _soffice: str(python))
    result = tmp_path / "ket-qua.docx"
    doc = Document()
    doc.add_paragraph("Bản đã cập nhật trường")
    doc.save(str(result))
    monkeypatch.setenv("FAKE_RESULT", str(result))
    args = tmp_path / "py-args.txt"

    def mode(value: str) -> Path:
        fake("ok")
        # the fake soffice first, then the system's cp, setsid and sleep
        monkeypatch.setenv("PATH", f"{tmp_path / 'bin'}{os.pathsep}{os.defpath}")
        monkeypatch.setenv("FAKE_ARGS", str(args))
        monkeypatch.setenv("FAKE_MODE", value)
        return args

    return mode


def _texts(path: Path) -> list[str]:
    return [p.text for p in Document(str(path)).paragraphs]


def test_refresh_replaces_the_docx_and_writes_the_pdf(fake_refresh, chapter: Path):
    args_file = fake_refresh("ok")
    pdf = chapter.with_suffix(".pdf")
    assert refresh(chapter, pdf, timeout_s=42) is True
    assert _texts(chapter) == ["Bản đã cập nhật trường"]
    assert pdf.read_bytes() == b"%PDF-1.4 fake"
    args = args_file.read_text(encoding="utf-8").splitlines()
    assert args[0] == str(soffice.REFRESH_SCRIPT)
    assert args[0].endswith("pipeline/core/refresh_uno.py")
    source = Path(args[1])
    assert source != chapter and source.name == "vao.docx"  # a copy in a temporary folder
    assert not source.parent.exists()  # removed afterwards
    assert args[4:8] == ["--soffice", shutil.which("soffice"), "--timeout", "42"]
    assert args[8] == "--pid-file"
    assert sorted(p.name for p in chapter.parent.iterdir()) == [  # no staged file left
        "chuong-khcn.docx", "chuong-khcn.pdf"]


def test_refresh_without_pdf_asks_for_none(fake_refresh, chapter: Path):
    args_file = fake_refresh("ok")
    assert refresh(chapter, None) is True
    args = args_file.read_text(encoding="utf-8").splitlines()
    assert args[3] == "--soffice"
    assert _texts(chapter) == ["Bản đã cập nhật trường"]
    assert not chapter.with_suffix(".pdf").exists()


@pytest.mark.parametrize(("mode", "message"), [
    ("reason", "LibreOffice không mở được tệp .docx"),  # its own last line
    ("crash", "LibreOffice báo lỗi (mã thoát 1)"),  # not its own words: the exit code
    ("nothing", "LibreOffice không tạo ra tệp kết quả"),
])
def test_a_failed_refresh_leaves_the_docx_alone(fake_refresh, chapter: Path, mode: str,
                                                message: str):
    fake_refresh(mode)
    pdf = chapter.with_suffix(".pdf")
    with pytest.raises(ConversionError) as e:
        refresh(chapter, pdf)
    assert str(e.value) == message
    assert _texts(chapter) == ["Bản vừa tạo"]
    assert not pdf.exists()


def test_libreoffice_left_behind_is_killed(fake_refresh, chapter: Path,
                                           monkeypatch: pytest.MonkeyPatch):
    args_file = fake_refresh("orphan")  # its LibreOffice (a `sleep`) still runs when it exits
    killed: list[tuple[int, int]] = []
    real_killpg = os.killpg

    def killpg(pid: int, sig: int) -> None:
        killed.append((pid, sig))
        real_killpg(pid, sig)

    monkeypatch.setattr(soffice.os, "killpg", killpg)
    with pytest.raises(ConversionError) as e:
        refresh(chapter, None)
    assert str(e.value) == "LibreOffice báo lỗi (DisposedException)"
    left = int(Path(f"{args_file}.pid").read_text(encoding="ascii"))
    assert killed == [(left, signal.SIGKILL)]


def test_refresh_takes_longer_than_allowed(fake_refresh, chapter: Path,
                                           too_long: dict[str, object]):
    fake_refresh("ok")
    with pytest.raises(ConversionError) as e:
        refresh(chapter, chapter.with_suffix(".pdf"), timeout_s=2.5)
    assert str(e.value) == "LibreOffice chạy quá 2.5 giây"
    assert too_long["timeout"] == 2.5 + soffice.REFRESH_GRACE_S  # the script stops first
    assert _texts(chapter) == ["Bản vừa tạo"]


def test_refresh_when_the_python_cannot_start(fake, chapter: Path, tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch):
    fake("ok")
    broken = _program(tmp_path / "py", "python", "#!/khong/co/trinh/thong/dich\n")
    monkeypatch.setattr(soffice, "find_uno_python", lambda _soffice: str(broken))
    with pytest.raises(ConversionError) as e:
        refresh(chapter, None)
    assert str(e.value) == "LibreOffice báo lỗi (FileNotFoundError)"


def test_refresh_without_libreoffice(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                     chapter: Path):
    (tmp_path / "empty").mkdir()
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    monkeypatch.setattr(soffice, "INSTALL_PLACES", ())
    with pytest.raises(ConversionError) as e:
        refresh(chapter, chapter.with_suffix(".pdf"))
    assert str(e.value) == "máy chưa cài LibreOffice"


def test_without_a_python_for_uno_the_pdf_is_a_plain_conversion(fake, chapter: Path,
                                                                 monkeypatch: pytest.MonkeyPatch):
    args_file = fake("ok")
    monkeypatch.setattr(soffice, "find_uno_python", lambda _soffice: None)
    pdf = chapter.with_suffix(".pdf")
    assert refresh(chapter, pdf) is False
    assert pdf.read_text(encoding="utf-8") == "converted"
    assert _texts(chapter) == ["Bản vừa tạo"]
    args = args_file.read_text(encoding="utf-8").splitlines()
    assert args[args.index("--convert-to") + 1] == "pdf"
    assert sorted(p.name for p in chapter.parent.iterdir()) == ["chuong-khcn.docx",
                                                                "chuong-khcn.pdf"]


def test_without_a_python_for_uno_nor_a_pdf_nothing_runs(fake, chapter: Path,
                                                         monkeypatch: pytest.MonkeyPatch):
    args_file = fake("ok")
    monkeypatch.setattr(soffice, "find_uno_python", lambda _soffice: None)
    assert refresh(chapter, None) is False
    assert not args_file.exists()


# --- documents with fields, written by hand -------------------------------------------------

W = nsdecls("w")


def _run(text: str) -> str:
    return f'<w:r><w:t xml:space="preserve">{escape(text)}</w:t></w:r>'


def _begin(instruction: str) -> str:
    return ('<w:r><w:fldChar w:fldCharType="begin"/></w:r>'
            f'<w:r><w:instrText xml:space="preserve"> {escape(instruction)} </w:instrText></w:r>'
            '<w:r><w:fldChar w:fldCharType="separate"/></w:r>')


END = '<w:r><w:fldChar w:fldCharType="end"/></w:r>'


def _field(instruction: str, cached: str) -> str:
    """A complex field: begin, instruction, separate, its cached result, end."""
    return _begin(instruction) + _run(cached) + END


def _para(doc, xml: str, style: str | None = None) -> None:
    p = doc.add_paragraph(style=style)
    for el in parse_xml(f"<w:p {W}>{xml}</w:p>"):
        p._p.append(el)


def _caption(doc, part: int, seq: str, title: str, bookmark: str, bid: int) -> None:
    """ "Bảng 1.7. Title": "1." and a SEQ field with a wrong result, under one bookmark."""
    _para(doc, _run("Bảng ") + f'<w:bookmarkStart w:id="{bid}" w:name="{bookmark}"/>'
          + _run(f"{part}.") + _field(seq, "7") + f'<w:bookmarkEnd w:id="{bid}"/>'
          + _run(f". {title}"), style="Caption")


def _list(doc, instruction: str, stale: str) -> None:
    """A list field over three paragraphs: begin, a stale entry, end (as Word writes them)."""
    _para(doc, _begin(instruction))
    _para(doc, _run(stale))
    _para(doc, END)


def _instructions(path: Path) -> list[str]:
    body = etree.fromstring(zipfile.ZipFile(path).read("word/document.xml"))
    return [t.text or "" for t in body.iter(qn("w:instrText"))]


def _with_fields(path: Path, instructions: list[str]) -> Path:
    doc = Document()
    for i, instruction in enumerate(instructions):
        _para(doc, _run(f"Đoạn {i} ") + _field(instruction, "1"))
    doc.save(str(path))
    return path


# --- restore_instructions ---------------------------------------------------------------------

def test_the_instructions_libreoffice_shortened_are_restored(tmp_path: Path):
    original = _with_fields(tmp_path / "goc.docx", [
        'TOC \\h \\z \\c "Bảng"', "SEQ Bảng \\* ARABIC \\r 1", "REF _Ref_T1_1 \\h"])
    saved = _with_fields(tmp_path / "lo.docx", [
        'TOC \\c "Bảng"', "SEQ Bảng \\* ARABIC", "REF  _Ref_T1_1  \\h"])
    styles = zipfile.ZipFile(saved).read("word/styles.xml")
    assert restore_instructions(original, saved) == 2
    assert _instructions(saved) == [' TOC \\h \\z \\c "Bảng" ', " SEQ Bảng \\* ARABIC \\r 1 ",
                                    " REF  _Ref_T1_1  \\h "]  # spacing alone: left as it is
    assert _texts(saved) == ["Đoạn 0 1", "Đoạn 1 1", "Đoạn 2 1"]
    assert zipfile.ZipFile(saved).read("word/styles.xml") == styles


def test_an_instruction_split_in_several_runs_is_written_in_the_first(tmp_path: Path):
    original = _with_fields(tmp_path / "goc.docx", ["SEQ Bảng \\r 1"])
    saved = tmp_path / "lo.docx"
    doc = Document()
    _para(doc, '<w:r><w:fldChar w:fldCharType="begin"/></w:r>'
          '<w:r><w:instrText xml:space="preserve"> SEQ </w:instrText></w:r>'
          '<w:r><w:instrText xml:space="preserve">Bảng </w:instrText></w:r>'
          '<w:r><w:fldChar w:fldCharType="separate"/></w:r>' + _run("1") + END)
    doc.save(str(saved))
    assert restore_instructions(original, saved) == 1
    assert _instructions(saved) == [" SEQ Bảng \\r 1 ", ""]


def test_other_fields_than_the_originals_are_left_alone(tmp_path: Path):
    original = _with_fields(tmp_path / "goc.docx", ["SEQ Bảng \\r 1", "REF _Ref_T1_1 \\h"])
    saved = _with_fields(tmp_path / "lo.docx", ["SEQ Bảng", "PAGE"])
    before = saved.read_bytes()
    assert restore_instructions(original, saved) == 0
    assert saved.read_bytes() == before


def test_a_saved_file_that_is_not_a_docx(tmp_path: Path):
    original = _with_fields(tmp_path / "goc.docx", ["SEQ Bảng"])
    saved = tmp_path / "lo.docx"
    saved.write_bytes(b"not a zip")
    with pytest.raises(ConversionError) as e:
        restore_instructions(original, saved)
    assert str(e.value) == "LibreOffice tạo ra tệp .docx không đọc được (BadZipFile)"


# --- a real refresh ---------------------------------------------------------------------------

def _front_and_parts(path: Path) -> Path:
    """Mục lục and Danh mục bảng on page 1 with stale entries; PHẦN I on page 2 with Bảng 1.1;
    its section 1 on page 3 with Bảng 1.2; PHẦN II on page 4 with Bảng 2.1, whose SEQ restarts
    (`\\r 1`). Every SEQ field caches 7 and every REF 9.9. The lists' entries have a style of
    their own, as in the chapter's template."""
    doc = Document()
    doc.styles.add_style("table of figures", WD_STYLE_TYPE.PARAGRAPH).font.size = Pt(13)
    doc.add_paragraph("MỤC LỤC")
    _list(doc, 'TOC \\o "1-3" \\h \\z \\u', "Mục lục cũ\t9")
    doc.add_paragraph("DANH MỤC BẢNG")
    _list(doc, 'TOC \\h \\z \\c "Bảng"', "Danh mục bảng cũ\t9")
    doc.add_page_break()
    doc.add_paragraph("PHẦN I. HIỆN TRẠNG", style="Heading 1")
    _caption(doc, 1, "SEQ Bảng \\* ARABIC", "Chi cho KH&CN", "_Ref_bang_1", 1)
    doc.add_table(rows=2, cols=2, style="Table Grid")
    _para(doc, _run("Số liệu chi tiết (xem Bảng ") + _field("REF _Ref_bang_2 \\h", "9.9")
          + _run(")."))
    doc.add_page_break()
    doc.add_paragraph("1. Nhân lực", style="Heading 2")
    _caption(doc, 1, "SEQ Bảng \\* ARABIC", "Nhân lực KH&CN", "_Ref_bang_2", 2)
    _para(doc, _run("Như chi ở trên (Bảng ") + _field("REF _Ref_bang_1 \\h", "9.9") + _run(")."))
    doc.add_page_break()
    doc.add_paragraph("PHẦN II. ĐỊNH HƯỚNG", style="Heading 1")
    _caption(doc, 2, "SEQ Bảng \\* ARABIC \\r 1", "Mục tiêu", "_Ref_bang_3", 3)
    _para(doc, _run("Mục tiêu ở Bảng ") + _field("REF _Ref_bang_3 \\h", "9.9") + _run("."))
    doc.save(str(path))
    return path


@pytest.fixture(scope="module")
def refreshed(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The hand-made document refreshed by LibreOffice: (.docx, .pdf)."""
    program = find_soffice()
    if program is None or find_uno_python(program) is None:
        pytest.skip("LibreOffice, or a Python that can import uno, is not installed")
    folder = tmp_path_factory.mktemp("refresh")
    docx = _front_and_parts(folder / "chuong.docx")
    pdf = folder / "chuong.pdf"
    assert refresh(docx, pdf, timeout_s=240) is True
    return docx, pdf


def _paragraphs(path: Path) -> list[str]:
    """The text of every paragraph of the body, also those inside a content control, with
    tabs."""
    body = etree.fromstring(zipfile.ZipFile(path).read("word/document.xml"))
    out = []
    for p in body.iter(qn("w:p")):
        out.append("".join("\t" if el.tag == qn("w:tab") else el.text or ""
                           for el in p.iter(qn("w:t"), qn("w:tab"))
                           if el.getparent() is not None and el.getparent().tag == qn("w:r")))
    return out


def _results(path: Path) -> list[tuple[str, str]]:
    """(instruction, result) of every complex field of the body, in order."""
    body = etree.fromstring(zipfile.ZipFile(path).read("word/document.xml"))
    done: list[tuple[str, str]] = []
    open_: list[list[str]] = []  # [instruction, result, "i" or "r"]
    for el in body.iter(qn("w:fldChar"), qn("w:instrText"), qn("w:t")):
        kind = el.get(qn("w:fldCharType"))
        if kind == "begin":
            open_.append(["", "", "i"])
        elif kind == "separate":
            open_[-1][2] = "r"
        elif kind == "end":
            instruction, result, _ = open_.pop()
            done.append((" ".join(instruction.split()), result))
        elif open_ and el.tag == qn("w:instrText") and open_[-1][2] == "i":
            open_[-1][0] += el.text or ""
        elif open_ and el.tag == qn("w:t") and open_[-1][2] == "r":
            open_[-1][1] += el.text or ""
    return done


def test_the_contents_list_the_headings_with_their_pages(refreshed):
    texts = _paragraphs(refreshed[0])
    assert "PHẦN I. HIỆN TRẠNG\t2" in texts
    assert "1. Nhân lực\t3" in texts
    assert "PHẦN II. ĐỊNH HƯỚNG\t4" in texts
    assert not any("Mục lục cũ" in t or "Danh mục bảng cũ" in t for t in texts)


def test_the_list_of_tables_holds_each_whole_caption_with_its_page(refreshed):
    texts = _paragraphs(refreshed[0])
    assert [t for t in texts if re.fullmatch(r"Bảng \d\.\d\. .*\t\d", t)] == [
        "Bảng 1.1. Chi cho KH&CN\t2", "Bảng 1.2. Nhân lực KH&CN\t3", "Bảng 2.1. Mục tiêu\t4"]


def test_the_list_of_tables_keeps_the_documents_style(refreshed):
    entries = [p for p in Document(str(refreshed[0])).paragraphs
               if p.text.startswith("Bảng") and "\t" in p.text]
    assert [p.style.name for p in entries] == ["table of figures"] * 3


def test_caption_numbers_count_and_restart(refreshed):
    seq = [r for i, r in _results(refreshed[0]) if i.startswith("SEQ")]
    assert seq == ["1", "2", "1"]  # \r 1 restarts the count in PHẦN II
    texts = _paragraphs(refreshed[0])
    for caption in ("Bảng 1.1. Chi cho KH&CN", "Bảng 1.2. Nhân lực KH&CN", "Bảng 2.1. Mục tiêu"):
        assert caption in texts


def test_cross_references_show_their_captions_numbers(refreshed):
    refs = {i: r for i, r in _results(refreshed[0]) if i.startswith("REF")}
    assert refs == {"REF _Ref_bang_2 \\h": "1.2", "REF _Ref_bang_1 \\h": "1.1",
                    "REF _Ref_bang_3 \\h": "2.1"}
    texts = _paragraphs(refreshed[0])
    assert "Số liệu chi tiết (xem Bảng 1.2)." in texts
    assert "Như chi ở trên (Bảng 1.1)." in texts


def test_the_saved_fields_keep_their_full_instructions(refreshed):
    instructions = [i for i, _ in _results(refreshed[0])]
    assert "SEQ Bảng \\* ARABIC \\r 1" in instructions  # Word renumbers right on F9
    assert 'TOC \\h \\z \\c "Bảng"' in instructions


def test_the_pdf_shows_the_same(refreshed):
    if shutil.which("pdftotext") is None:
        pytest.skip("poppler-utils (pdftotext) is not installed")
    text = subprocess.run(["pdftotext", "-layout", str(refreshed[1]), "-"], capture_output=True,
                          text=True, check=True).stdout
    pages = text.split("\f")
    assert len([p for p in pages if p.strip()]) == 4
    for entry, page in (("PHẦN I. HIỆN TRẠNG", 2), ("1. Nhân lực", 3),
                        ("PHẦN II. ĐỊNH HƯỚNG", 4), ("Bảng 1.1. Chi cho KH&CN", 2),
                        ("Bảng 1.2. Nhân lực KH&CN", 3), ("Bảng 2.1. Mục tiêu", 4)):
        assert re.search(rf"{re.escape(entry)}\s*\.+\s*{page}\n", pages[0]), entry
    assert "cũ" not in pages[0]
    assert "Bảng 1.1. Chi cho KH&CN" in pages[1]
    assert "(xem Bảng 1.2)" in pages[1]
    assert "(Bảng 1.1)" in pages[2]
    assert "Bảng 2.1. Mục tiêu" in pages[3]
    assert "Mục tiêu ở Bảng 2.1." in pages[3]
