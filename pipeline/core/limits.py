"""Time and memory limits for work on a unit's file: whatever opens a file a unit sent (the
reader's workers, the annotated feedback copy) runs in a child process with a capped address
space and a time limit, so that a crafted or huge file costs its own result, never the run.

`cap_memory` is what a child calls first; `run_limited` runs one call in a child and returns
its result or raises `LimitExceeded` saying which limit was hit (or that the child died).
"""

from __future__ import annotations

import multiprocessing
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

FILE_TIMEOUT_S = 60.0  # per file
WORKER_MEMORY_MB = 1_024  # address space a child may add to what it inherited
EXIT_S = 10.0  # how long a child that has answered is given to end before it is killed


class LimitExceeded(Exception):
    """A limited call did not return: `reason` is Vietnamese ("quá 60 giây", ...)."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


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
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if resource is None or memory_mb <= 0 or not (current := _vm_size()):
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
    ctx = multiprocessing.get_context("fork" if "fork" in multiprocessing.get_all_start_methods()
                                      else None)
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
