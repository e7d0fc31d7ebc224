"""Time and memory limits for work on a unit's file: whatever opens a file a unit sent (the
reader's workers, the annotated feedback copy) runs in a child process with a capped address
space and a time limit, so that a crafted or huge file costs its own result, never the run.

`cap_memory` is what a child calls first; `run_limited` runs one call in a child and returns
its result or raises `LimitExceeded` saying which limit was hit (or that the child died).

Nothing here needs fork or POSIX: `start_method` chooses how children start (fork where the
system has it, else spawn; `KHCN_START_METHOD=spawn` forces spawn), and the memory cap uses
`resource` where it exists and is skipped with one log line where it does not
(`KHCN_NO_RESOURCE=1` behaves as if it did not: CI runs the suite so, as on Windows).
"""

from __future__ import annotations

import logging
import multiprocessing
import multiprocessing.context
import os
import signal
from collections.abc import Callable
from multiprocessing.connection import Connection
from typing import Any, TypeVar

from pipeline.core import fmt

try:
    import resource
except ImportError:  # Windows: no address-space limit, only the time limit
    resource = None  # type: ignore[assignment]

T = TypeVar("T")

START_METHOD_ENV = "KHCN_START_METHOD"  # "spawn" forces spawn where fork exists
NO_RESOURCE_ENV = "KHCN_NO_RESOURCE"  # "1": act as if `resource` did not exist
_log = logging.getLogger(__name__)
_said_no_cap = False  # the "no memory cap" line is logged once per process

FILE_TIMEOUT_S = 60.0  # per file
WORKER_MEMORY_MB = 1_024  # address space a child may add to what it inherited
EXIT_S = 10.0  # how long a child that has answered is given to end before it is killed


class LimitExceeded(Exception):
    """A limited call did not return: `reason` is Vietnamese ("quá 60 giây", ...)."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def start_method() -> str:
    """How child processes start: "fork" where the system has it, unless
    KHCN_START_METHOD=spawn; "spawn" otherwise (Windows). Children get what they need as
    arguments, so both work."""
    forced = os.environ.get(START_METHOD_ENV, "").strip().lower()
    if forced != "spawn" and "fork" in multiprocessing.get_all_start_methods():
        return "fork"
    return "spawn"


def process_context() -> multiprocessing.context.ForkContext | multiprocessing.context.SpawnContext:
    """The multiprocessing context of `start_method`."""
    if start_method() == "fork":
        return multiprocessing.get_context("fork")
    return multiprocessing.get_context("spawn")


def has_resource() -> bool:
    """Whether address-space limits can be set (`resource` exists and KHCN_NO_RESOURCE is
    not set)."""
    return resource is not None and os.environ.get(NO_RESOURCE_ENV, "") not in ("1", "true")


def _vm_size() -> int:
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("VmSize:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass  # no /proc (not Linux): no memory limit, said by returning 0
    return 0


def cap_memory(memory_mb: int) -> None:
    """Cap this process's address space at what it has now plus `memory_mb` (where the system
    allows it: Linux; elsewhere only time limits apply). Ctrl-C is left to the parent, which
    stops its children itself: a child interrupted mid-file would print a traceback."""
    global _said_no_cap
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if memory_mb <= 0:
        return
    if not has_resource():
        if not _said_no_cap:
            _said_no_cap = True
            _log.info("Không đặt được giới hạn bộ nhớ trên hệ thống này (không có 'resource'); "
                      "chỉ giới hạn thời gian đọc mỗi tệp.")
        return
    if not (current := _vm_size()):
        return
    limit = current + memory_mb * 1024 * 1024
    _soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    if hard == resource.RLIM_INFINITY or hard > limit:
        resource.setrlimit(resource.RLIMIT_AS, (limit, hard))


def _child(conn: Connection, fn: Callable[..., Any], args: tuple[Any, ...],
           memory_mb: int) -> None:
    try:
        cap_memory(memory_mb)
        conn.send((True, fn(*args)))
    except MemoryError:
        conn.send((False, f"vượt giới hạn bộ nhớ {fmt.number(memory_mb)} MB"))
    except Exception as e:  # the caller decides what a failure means; it gets its name
        conn.send((False, f"{type(e).__name__}: {str(e)[:200]}"))
    finally:
        conn.close()


def run_limited(fn: Callable[..., T], args: tuple[Any, ...], timeout_s: float = FILE_TIMEOUT_S,
                memory_mb: int = WORKER_MEMORY_MB) -> T:
    """fn(*args) in a child process within `timeout_s` seconds and `memory_mb` more memory;
    its result (which must pickle) or LimitExceeded. `fn` must be a module-level function."""
    ctx = process_context()
    receive, send = ctx.Pipe(duplex=False)
    child = ctx.Process(target=_child, args=(send, fn, args, memory_mb), daemon=True)
    child.start()
    send.close()
    try:
        if not receive.poll(timeout_s):
            child.kill()
            raise LimitExceeded(f"quá {timeout_s:g} giây")
        try:
            ok, value = receive.recv()
        except EOFError:  # the child died without a word (killed, out of memory in C code)
            raise LimitExceeded("tiến trình đọc tệp dừng đột ngột") from None
    finally:
        child.join(EXIT_S)  # it has answered: let it end on its own (and save what it must)
        if child.is_alive():
            child.kill()
            child.join()
        receive.close()
    if not ok:
        raise LimitExceeded(value)
    return value  # type: ignore[no-any-return]
