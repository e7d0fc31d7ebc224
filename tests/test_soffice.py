"""Unit tests of pipeline/core/soffice.py: find_soffice() on a PATH holding a fake program or
none, and convert()/convert_copy() with a fake `soffice` script that fails, writes nothing or
writes the file; one real conversion when LibreOffice is installed."""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
from pathlib import Path

import pytest

from pipeline.core import soffice
from pipeline.core.soffice import ConversionError, convert, convert_copy, find_soffice

# A stand-in for LibreOffice: records its arguments, then does what $FAKE_MODE says.
FAKE = """#!/bin/sh
printf '%s\\n' "$@" > "$FAKE_ARGS"
case "$FAKE_MODE" in
  fail) echo "boom" >&2; exit 1 ;;
  nothing) exit 0 ;;
esac
outdir=""
prev=""
for a in "$@"; do
  if [ "$prev" = "--outdir" ]; then outdir="$a"; fi
  prev="$a"
  last="$a"
done
name="${last##*/}"
printf 'converted' > "$outdir/${name%.*}.docx"
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


def test_convert_when_libreoffice_takes_too_long(fake, source: Path, tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch):
    fake("nothing")
    seen: dict[str, object] = {}

    def too_long(cmd: list[str], **kwargs: object) -> None:
        seen.update(kwargs)
        raise subprocess.TimeoutExpired(cmd, 2.5)

    monkeypatch.setattr(soffice.subprocess, "run", too_long)
    with pytest.raises(ConversionError) as e:
        convert(source, "pdf", tmp_path / "out", timeout_s=2.5)
    assert str(e.value) == "LibreOffice chạy quá 2.5 giây"
    assert seen["timeout"] == 2.5


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
