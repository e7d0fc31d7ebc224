"""Unit tests of pipeline/core/refresh_uno.py, the script that drives LibreOffice over UNO: it
stands alone (no import from the pipeline, runs as a script), updates indexes, fields, then
indexes again, says why it failed in one Vietnamese line, and stops the LibreOffice it started
(a fake `soffice` that dies at once or never answers). Its real work on a document is tested
through soffice.refresh in tests/test_soffice.py."""

from __future__ import annotations

import ast
import os
import stat
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from pipeline.core import refresh_uno
from pipeline.core.refresh_uno import FAILED_EXIT, Failed, main, reason, update
from pipeline.core.soffice import find_soffice, find_uno_python

SCRIPT = Path(refresh_uno.__file__)


def test_the_script_imports_nothing_from_the_pipeline():
    tree = ast.parse(SCRIPT.read_text(encoding="utf-8"))
    names = [a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names]
    names += [n.module or "" for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)]
    assert names and not [n for n in names if n.split(".")[0] == "pipeline"]


def test_it_runs_as_a_script_from_anywhere(tmp_path: Path):
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    done = subprocess.run([sys.executable, str(SCRIPT), "--help"], cwd=tmp_path, env=env,
                          capture_output=True, text=True, check=False)
    assert done.returncode == 0
    assert "source out_docx [out_pdf]" in done.stdout


# --- update: what is computed, in which order ---------------------------------------------------

class _Index:
    def __init__(self, name: str, calls: list[str], style: str = "") -> None:
        self.name, self.calls, self.ParaStyleLevel1 = name, calls, style

    def supportsService(self, name: str) -> bool:
        return bool(self.ParaStyleLevel1) and name == "com.sun.star.text.IllustrationsIndex"

    def update(self) -> None:
        self.calls.append(f"update {self.name} ({self.ParaStyleLevel1})")


class _Indexes:  # stand-ins with UNO's camelCase method names
    def __init__(self, items: list[_Index]) -> None:
        self.items = items

    def getCount(self) -> int:
        return len(self.items)

    def getByIndex(self, i: int) -> _Index:
        return self.items[i]


class _Fields:
    def __init__(self, calls: list[str]) -> None:
        self.calls = calls

    def refresh(self) -> None:
        self.calls.append("refresh fields")


class _Styles:
    def __init__(self, names: set[str]) -> None:
        self.names = names

    def getByName(self, family: str) -> _Styles:
        assert family == "ParagraphStyles"
        return self

    def hasByName(self, name: str) -> bool:
        return name in self.names


class _Doc:
    def __init__(self, calls: list[str], styles: set[str] | None = None,
                 list_style: str = "Figure Index 1") -> None:
        self.indexes = _Indexes([_Index("Mục lục", calls),
                                 _Index("Danh mục bảng", calls, list_style)])
        self.fields = _Fields(calls)
        self.styles = _Styles(styles or set())

    def getDocumentIndexes(self) -> _Indexes:
        return self.indexes

    def getTextFields(self) -> _Fields:
        return self.fields

    def getStyleFamilies(self) -> _Styles:
        return self.styles


def test_indexes_then_fields_then_indexes_again():
    calls: list[str] = []
    update(_Doc(calls))
    assert calls == ["update Mục lục ()", "update Danh mục bảng (Figure Index 1)",
                     "refresh fields",
                     "update Mục lục ()", "update Danh mục bảng (Figure Index 1)"]


def test_a_list_of_tables_takes_words_style_when_the_document_has_it():
    calls: list[str] = []
    update(_Doc(calls, {"table of figures", "Figure Index 1"}))
    assert calls[1] == "update Danh mục bảng (table of figures)"


def test_a_list_whose_style_was_chosen_keeps_it():
    calls: list[str] = []
    update(_Doc(calls, {"table of figures"}, list_style="Danh mục riêng"))
    assert calls[1] == "update Danh mục bảng (Danh mục riêng)"


# --- why it failed --------------------------------------------------------------------------------

def test_past_the_time_limit_whatever_broke():
    assert reason(RuntimeError("bridge disposed"), True, 2.5) == "LibreOffice chạy quá 2.5 giây"


def test_its_own_reason():
    assert reason(Failed("LibreOffice không mở được tệp .docx"), False, 300) == (
        "LibreOffice không mở được tệp .docx")


def test_an_error_of_libreoffice_is_named():
    class DisposedException(Exception):
        pass

    assert reason(DisposedException("x"), False, 300) == (
        "LibreOffice báo lỗi (DisposedException)")


def test_a_libreoffice_that_cannot_start(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                         monkeypatch: pytest.MonkeyPatch):
    temp = tmp_path / "temp"
    temp.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(temp))
    pid_file = tmp_path / "soffice.pid"
    code = main([str(tmp_path / "vao.docx"), str(tmp_path / "ra.docx"),
                 "--soffice", str(tmp_path / "khong-co" / "soffice"),
                 "--pid-file", str(pid_file)])
    assert code == FAILED_EXIT == 3
    assert capsys.readouterr().err == "không chạy được LibreOffice (FileNotFoundError)\n"
    assert not pid_file.exists()
    assert list(temp.iterdir()) == []  # the throw-away profile is removed


# --- with a fake soffice, run by a Python that has uno ----------------------------------------

# A stand-in for soffice: writes its process id and arguments, then dies or never answers.
FAKE_SOFFICE = """#!/bin/sh
echo $$ > "$FAKE_PID"
printf '%s\\n' "$@" > "$FAKE_ARGS"
case "$FAKE_MODE" in
  die) exit 1 ;;
esac
exec sleep 600
"""


@pytest.fixture()
def run_script(tmp_path: Path):
    """Run refresh_uno.py with the system's Python for uno and a fake soffice; returns a
    function (mode, timeout) -> (exit code, stderr, the fake's pid, its arguments, pid file)."""
    program = find_soffice()
    python = find_uno_python(program) if program else None
    if python is None:
        pytest.skip("no Python that can import uno is installed")
    fake = tmp_path / "soffice"
    fake.write_text(FAKE_SOFFICE, encoding="utf-8")
    fake.chmod(fake.stat().st_mode | stat.S_IXUSR)
    source = tmp_path / "vao.docx"
    source.write_bytes(b"PK")

    def run(mode: str, timeout: str) -> tuple[int, str, int, list[str], Path]:
        pid_file = tmp_path / "soffice.pid"
        env = dict(os.environ, FAKE_MODE=mode, FAKE_PID=str(tmp_path / "pid"),
                   FAKE_ARGS=str(tmp_path / "args"), PYTHONIOENCODING="utf-8")
        done = subprocess.run([python, str(SCRIPT), str(source), str(tmp_path / "ra.docx"),
                               str(tmp_path / "ra.pdf"), "--soffice", str(fake), "--timeout",
                               timeout, "--pid-file", str(pid_file)],
                              capture_output=True, text=True, encoding="utf-8", env=env,
                              check=False, timeout=120)
        pid = int((tmp_path / "pid").read_text(encoding="ascii"))
        args = (tmp_path / "args").read_text(encoding="utf-8").splitlines()
        return done.returncode, done.stderr, pid, args, pid_file

    return run


def test_a_libreoffice_that_stops_at_once(run_script):
    code, err, _pid, args, pid_file = run_script("die", "60")
    assert code == FAILED_EXIT
    assert err == "LibreOffice dừng ngay khi khởi động (mã 1)\n"
    assert not pid_file.exists()
    assert args[0].startswith("-env:UserInstallation=file:///")
    assert {"--headless", "--invisible", "--norestore", "--nologo", "--nodefault"} <= set(args)
    accept = [a for a in args if a.startswith("--accept=")]
    assert len(accept) == 1
    assert accept[0].startswith("--accept=pipe,name=khcn_") and accept[0].endswith(";urp;")


def test_a_libreoffice_that_never_answers_is_killed_at_the_time_limit(run_script):
    code, err, pid, _args, pid_file = run_script("hang", "0.5")
    assert code == FAILED_EXIT
    assert err == "LibreOffice chạy quá 0.5 giây\n"
    assert not pid_file.exists()  # nothing left for the caller to kill...
    with pytest.raises(ProcessLookupError):  # ...as the fake soffice is gone (and reaped)
        os.kill(pid, 0)
