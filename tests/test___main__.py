"""pipeline/__main__.py: `python -m pipeline` runs the same commands as `khcn`."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path


def _run(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "pipeline", *args], cwd=cwd,
                          capture_output=True, text=True, encoding="utf-8", check=False)


def test_python_m_pipeline_lists_the_commands(tmp_path: Path):
    result = _run("--help", cwd=tmp_path)

    assert result.returncode == 0, result.stderr
    assert "Lập chương KH&CN của Quy hoạch tỉnh Bắc Giang" in result.stdout
    assert "  init " in result.stdout and "  report " in result.stdout


def test_python_m_pipeline_ends_a_mistyped_command_like_khcn(tmp_path: Path):
    result = _run("bao-cao", cwd=tmp_path)

    assert result.returncode == 2
    assert result.stderr.startswith("Lỗi: Không có lệnh 'bao-cao'.")
