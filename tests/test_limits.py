"""Unit tests of pipeline/core/limits.py: a limited call returns its result, or says which
limit it hit (time, memory) or that its process died, and never leaves the child behind."""

from __future__ import annotations

import logging
import multiprocessing
import os
import time
from pathlib import Path

import pytest

from pipeline.core import limits
from pipeline.core.limits import LimitExceeded, has_resource, run_limited, start_method


def test_a_call_within_the_limits_returns_its_result():
    assert run_limited(pow, (2, 10)) == 1024


def test_an_exception_in_the_child_is_named():
    with pytest.raises(LimitExceeded, match="^ZeroDivisionError: "):
        run_limited(divmod, (1, 0))


def test_a_call_that_does_not_return_in_time_is_stopped():
    with pytest.raises(LimitExceeded) as caught:
        run_limited(time.sleep, (3600,), timeout_s=1)
    assert caught.value.reason == "quá 1 giây"


@pytest.mark.skipif(not Path("/proc/self/status").exists() or not has_resource(),
                    reason="memory cap needs Linux and `resource`")
def test_a_call_that_takes_too_much_memory_is_stopped():
    with pytest.raises(LimitExceeded) as caught:
        run_limited(bytearray, (2_000_000_000,), memory_mb=64)  # 2 GB asked, 64 MB allowed
    assert caught.value.reason == "vượt giới hạn bộ nhớ 64 MB"


def test_a_child_that_dies_is_said_so():
    with pytest.raises(LimitExceeded) as caught:
        run_limited(os._exit, (3,))
    assert caught.value.reason == "tiến trình đọc tệp dừng đột ngột"


# --- nothing fork-only or POSIX-only: the switches CI runs the suite with --------------------
def test_children_fork_where_the_system_can_unless_spawn_is_asked(monkeypatch):
    monkeypatch.delenv("KHCN_START_METHOD", raising=False)
    monkeypatch.setattr(multiprocessing, "get_all_start_methods", lambda: ["fork", "spawn"])
    assert start_method() == "fork"
    monkeypatch.setenv("KHCN_START_METHOD", "spawn")
    assert start_method() == "spawn"
    monkeypatch.setattr(multiprocessing, "get_all_start_methods", lambda: ["spawn"])  # Windows
    monkeypatch.delenv("KHCN_START_METHOD")
    assert start_method() == "spawn"


def test_a_spawned_child_returns_its_result_and_names_its_failures(monkeypatch):
    monkeypatch.setenv("KHCN_START_METHOD", "spawn")
    assert run_limited(pow, (2, 10)) == 1024
    with pytest.raises(LimitExceeded) as caught:
        run_limited(os._exit, (3,))
    assert caught.value.reason == "tiến trình đọc tệp dừng đột ngột"


def test_without_resource_the_memory_cap_is_skipped_with_one_line(monkeypatch, caplog):
    monkeypatch.setenv("KHCN_NO_RESOURCE", "1")
    monkeypatch.setattr(limits, "_said_no_cap", False)
    monkeypatch.setattr(limits.signal, "signal", lambda *_args: None)  # keep pytest's Ctrl-C
    assert not has_resource()
    with caplog.at_level(logging.INFO, logger="pipeline.core.limits"):
        limits.cap_memory(64)
        limits.cap_memory(64)
    assert [r.getMessage() for r in caplog.records] == [
        "Không đặt được giới hạn bộ nhớ trên hệ thống này (không có 'resource'); chỉ giới hạn "
        "thời gian đọc mỗi tệp."]


def test_without_the_resource_module_the_memory_cap_is_skipped(monkeypatch):
    monkeypatch.delenv("KHCN_NO_RESOURCE", raising=False)
    monkeypatch.setattr(limits, "resource", None)  # as on Windows
    assert not has_resource()
    assert run_limited(pow, (2, 10), memory_mb=64) == 1024
