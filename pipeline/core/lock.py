"""The build lock: one build at a time in an outputs folder, and a lock left by a build that
died never blocks the next one.

The lock is a file created exclusively (O_EXCL), holding who made it: process id, the
process's start time (from /proc where there is one), host name and the command. It is stale,
and is taken over, when on this host the process is gone, or its id now belongs to another
process (a different start time: ids are reused after a reboot or a long uptime), or the
process is not a build (an old lock holding only a pid); on another host (a shared drive) or
where the start time cannot be read, when it is older than MAX_AGE_H hours. No process is ever
signalled to find out.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import socket
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from pipeline.core.errors import BuildBusy, BuildError, OutputError, os_error_message
from pipeline.core.outputs import LOCK

MAX_AGE_H = 12  # a build takes minutes; a lock this old that cannot be checked is stale
UNWRITTEN_S = 10  # an empty lock younger than this is being written by its owner
PROC = Path("/proc")  # where processes can be looked up without signalling them (Linux)


@dataclass(frozen=True)
class Holder:
    """Who holds a lock, as written in it."""

    pid: int
    start: str  # the process's start time (clock ticks since boot, from /proc), or ""
    host: str
    command: str  # "khcn report", or "" for a lock written by an older version (pid only)
    created: str  # ISO time


def process_start(pid: int) -> str:
    """The start time of a running process, as /proc/<pid>/stat gives it (field 22), or ""
    when there is no /proc or no such process."""
    try:
        stat = (PROC / str(pid) / "stat").read_text(encoding="ascii", errors="replace")
    except OSError:
        return ""
    fields = stat[stat.rfind(")") + 2:].split()  # after the command name, which may hold ' '
    return fields[19] if len(fields) > 19 else ""


def _is_build(pid: int) -> bool:
    """Whether a running process is a run of this program (by its command line)."""
    try:
        cmdline = (PROC / str(pid) / "cmdline").read_bytes()
    except OSError:
        return False
    return any(word in cmdline for word in (b"khcn", b"pipeline"))


def _read(lock: Path) -> tuple[Holder | None, float]:
    """The holder written in a lock file (None when it says nothing readable), and its age."""
    try:
        text = lock.read_text(encoding="utf-8", errors="replace").strip()
        age = time.time() - lock.stat().st_mtime
    except OSError:
        return None, 0.0
    if text.isdigit():  # an older version wrote the pid alone
        return Holder(int(text), "", socket.gethostname(), "", ""), age
    try:
        data = json.loads(text)
        return Holder(int(data["pid"]), str(data.get("start", "")), str(data["host"]),
                      str(data.get("command", "")), str(data.get("created", ""))), age
    except (ValueError, KeyError, TypeError):
        return None, age


def is_stale(holder: Holder | None, age_s: float) -> bool:
    """Whether a lock may be taken over (see the module's docstring)."""
    if holder is None:
        return age_s > UNWRITTEN_S
    if holder.host != socket.gethostname():
        return age_s > MAX_AGE_H * 3600
    if PROC.is_dir():
        now = process_start(holder.pid)
        if not now:
            return True  # no such process
        if holder.start:
            return now != holder.start  # same id, another process
        return not _is_build(holder.pid)
    return age_s > MAX_AGE_H * 3600


@contextlib.contextmanager
def held(folder: Path, command: str) -> Iterator[None]:
    """Hold the lock of `folder` while the body runs; BuildBusy when another run holds it."""
    lock = folder / LOCK
    pid = os.getpid()
    me = Holder(pid, process_start(pid), socket.gethostname(), command,
                dt.datetime.now().isoformat(timespec="seconds"))
    for _ in range(3):
        try:
            fd = os.open(lock, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
            break
        except FileExistsError:
            holder, age = _read(lock)
            if not is_stale(holder, age):
                raise BuildBusy(_busy(folder, holder)) from None
            with contextlib.suppress(FileNotFoundError):
                lock.unlink()  # left by a build that died
        except OSError as e:
            raise OutputError(os_error_message(e, "tạo")) from e
    else:
        raise BuildError(f"Không tạo được khóa '{lock}'. Xóa tệp này rồi chạy lại.")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(me.__dict__, fh, ensure_ascii=False)
        yield
    finally:
        with contextlib.suppress(OSError):
            lock.unlink()


def _busy(folder: Path, holder: Holder | None) -> str:
    who = "" if holder is None else f" (tiến trình {holder.pid}"
    if holder is not None:
        who += f" trên máy {holder.host}" if holder.host != socket.gethostname() else ""
        who += f", bắt đầu {holder.created.replace('T', ' ')})" if holder.created else ")"
    return (f"Một lần chạy khác{who} đang tạo báo cáo trong '{folder}'. Hãy đợi lần đó xong "
            f"rồi chạy lại; nếu chắc chắn không còn lần nào chạy, xóa tệp '{folder / LOCK}'.")
