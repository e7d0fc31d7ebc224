"""Unit tests of pipeline/core/lock.py: a lock held by a live build refuses a second run; a
lock whose process is gone, whose pid now belongs to another process, or which is not a
build's, is taken over; a folder that cannot hold the lock is one message."""

from __future__ import annotations

import errno
import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from pipeline.core import lock as lock_mod
from pipeline.core.errors import EXIT_BUSY, EXIT_OUTPUT, BuildBusy, OutputError
from pipeline.core.lock import held
from pipeline.core.outputs import LOCK

from .conftest import write_live_lock

linux = pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs /proc")


def _run(folder: Path) -> list[str]:
    ran: list[str] = []
    with held(folder, "khcn report"):
        ran.append("body")
        assert json.loads((folder / LOCK).read_text())["pid"] == os.getpid()
    return ran


@linux
def test_a_live_build_holds_the_lock(tmp_path: Path):
    write_live_lock(tmp_path / LOCK)
    before = (tmp_path / LOCK).read_text()
    with pytest.raises(BuildBusy) as caught:
        _run(tmp_path)
    assert f"(tiến trình {os.getpid()}, bắt đầu 2026-11-27 09:00:00)" in str(caught.value)
    assert caught.value.exit_code == EXIT_BUSY
    assert (tmp_path / LOCK).read_text() == before  # not ours to remove


@linux
def test_a_reused_pid_is_a_stale_lock(tmp_path: Path):
    # This process's pid, but a start time that is not this process's: the build that wrote
    # the lock died and its pid was given to another process since.
    (tmp_path / LOCK).write_text(json.dumps({
        "pid": os.getpid(), "start": "1", "host": socket.gethostname(),
        "command": "khcn report", "created": "2026-11-20T09:00:00"}))
    assert _run(tmp_path) == ["body"]
    assert not (tmp_path / LOCK).exists()


def test_a_lock_whose_process_is_gone_is_stale(tmp_path: Path):
    finished = subprocess.Popen([sys.executable, "-c", "pass"])
    finished.wait()  # reaped: its pid no longer runs
    (tmp_path / LOCK).write_text(json.dumps({
        "pid": finished.pid, "start": "123", "host": socket.gethostname(),
        "command": "khcn report", "created": "2026-11-20T09:00:00"}))
    assert _run(tmp_path) == ["body"]


@linux
@pytest.mark.parametrize(("argv", "stale"), [
    (["sleep", "60"], True),  # a live process that is not a build
    ([sys.executable, "-c", "import time; time.sleep(60)  # khcn report"], False),
])
def test_an_old_pid_only_lock_is_stale_unless_its_process_is_a_build(tmp_path: Path,
                                                                     argv: list[str],
                                                                     stale: bool):
    proc = subprocess.Popen(argv)
    try:
        (tmp_path / LOCK).write_text(str(proc.pid))  # as the version before wrote it
        if stale:
            assert _run(tmp_path) == ["body"]
        else:
            with pytest.raises(BuildBusy, match=f"tiến trình {proc.pid}"):
                _run(tmp_path)
    finally:
        proc.kill()
        proc.wait()


def test_a_lock_from_another_host_is_stale_only_when_old(tmp_path: Path):
    lock = tmp_path / LOCK
    lock.write_text(json.dumps({"pid": 4242, "start": "99", "host": "may-ke-toan-2",
                                "command": "khcn report", "created": "2026-11-27T08:00:00"}))
    with pytest.raises(BuildBusy, match="tiến trình 4242 trên máy may-ke-toan-2"):
        _run(tmp_path)
    old = time.time() - 13 * 3600  # 13 hours: longer than any build
    os.utime(lock, (old, old))
    assert _run(tmp_path) == ["body"]


def test_an_empty_lock_is_being_written_until_it_is_old(tmp_path: Path):
    lock = tmp_path / LOCK
    lock.write_text("")
    with pytest.raises(BuildBusy):
        _run(tmp_path)
    old = time.time() - 60
    os.utime(lock, (old, old))
    assert _run(tmp_path) == ["body"]


def test_a_read_only_folder_is_one_message(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    def read_only(path, *args):
        raise OSError(errno.EROFS, "Read-only file system", os.fsdecode(path))

    monkeypatch.setattr(lock_mod.os, "open", read_only)
    with pytest.raises(OutputError) as caught:
        _run(tmp_path)
    assert str(caught.value) == (
        f"Không tạo được '{tmp_path / LOCK}': ổ đĩa chỉ cho đọc. Hãy "
        "chọn thư mục khác (--outputs) hoặc chép thư mục dự án sang ổ ghi được.")
    assert caught.value.exit_code == EXIT_OUTPUT


def test_without_proc_a_lock_of_this_host_is_stale_only_when_old(tmp_path: Path,
                                                                 monkeypatch: pytest.MonkeyPatch):
    # Windows or macOS: no /proc, and no process is ever signalled to find out.
    monkeypatch.setattr(lock_mod, "PROC", tmp_path / "no-proc")
    monkeypatch.setattr(os, "kill", lambda *_a: pytest.fail("a process was signalled"))
    out = tmp_path / "out"
    out.mkdir()
    lock = out / LOCK
    lock.write_text(json.dumps({"pid": 4242, "start": "", "host": socket.gethostname(),
                                "command": "khcn report", "created": "2026-11-27T08:00:00"}))
    with pytest.raises(BuildBusy, match="tiến trình 4242, bắt đầu 2026-11-27 08:00:00"):
        _run(out)
    old = time.time() - 13 * 3600
    os.utime(lock, (old, old))
    assert _run(out) == ["body"]
    assert not lock.exists()
