"""Unit tests of pipeline/core/limits.py: a limited call returns its result, or says which
limit it hit (time, memory) or that its process died, and never leaves the child behind."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from pipeline.core.limits import LimitExceeded, run_limited


def test_a_call_within_the_limits_returns_its_result():
    assert run_limited(pow, (2, 10)) == 1024


def test_an_exception_in_the_child_is_named():
    with pytest.raises(LimitExceeded, match="^ZeroDivisionError: "):
        run_limited(divmod, (1, 0))


def test_a_call_that_does_not_return_in_time_is_stopped():
    with pytest.raises(LimitExceeded) as caught:
        run_limited(time.sleep, (3600,), timeout_s=1)
    assert caught.value.reason == "quá 1 giây"


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="memory cap needs Linux")
def test_a_call_that_takes_too_much_memory_is_stopped():
    with pytest.raises(LimitExceeded) as caught:
        run_limited(bytearray, (2_000_000_000,), memory_mb=64)  # 2 GB asked, 64 MB allowed
    assert caught.value.reason == "vượt giới hạn bộ nhớ 64 MB"


def test_a_child_that_dies_is_said_so():
    with pytest.raises(LimitExceeded) as caught:
        run_limited(os._exit, (3,))
    assert caught.value.reason == "tiến trình đọc tệp dừng đột ngột"
