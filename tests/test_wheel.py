"""The software as a user installs it: the wheel is built (offline, with the setuptools of the
project's venv), installed into a fresh venv outside the repository, and there `khcn init W`
then `khcn report --no-pdf` inside W build the chapter; `python -m pipeline` works too.

Also: pyproject.toml lists every subpackage (an unlisted one would be missing from the wheel).
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

from .conftest import ROOT

SOURCES = ("pyproject.toml", "README.md", "pipeline", "templates", "inputs")


def _can_build() -> bool:
    """setuptools builds a wheel itself from 70.1; before, it needs the `wheel` package."""
    if importlib.util.find_spec("setuptools") is None:
        return False
    from setuptools import __version__
    major, minor = (int(x) for x in __version__.split(".")[:2])
    return (major, minor) >= (70, 1) or importlib.util.find_spec("wheel") is not None


def test_pyproject_lists_every_subpackage():
    tomllib = pytest.importorskip("tomllib")  # Python 3.11+
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    listed = set(config["tool"]["setuptools"]["packages"])
    folders = {".".join(p.parent.relative_to(ROOT).parts)
               for p in (ROOT / "pipeline").rglob("__init__.py")}
    assert listed == folders | {"pipeline.templates", "pipeline.inputs"}


def _run(args: list[str | Path], cwd: Path, env: dict[str, str]) -> str:
    result = subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True,
                            encoding="utf-8", check=False)
    assert result.returncode == 0, f"{args}\n{result.stdout}\n{result.stderr}"
    return result.stdout


@pytest.mark.wheel
@pytest.mark.skipif(not _can_build(), reason="needs setuptools>=70.1 or wheel to build offline")
def test_the_installed_wheel_inits_a_folder_and_builds_the_chapter(tmp_path: Path):
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("PYTHON", "COV_", "COVERAGE"))}
    # The wheel, from a copy of the sources (nothing is written into the repository).
    src, dist = tmp_path / "src", tmp_path / "dist"
    src.mkdir()
    for name in SOURCES:
        if (ROOT / name).is_dir():
            shutil.copytree(ROOT / name, src / name,
                            ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        else:
            shutil.copy(ROOT / name, src / name)
    _run([sys.executable, "-c", "import sys, setuptools.build_meta as b; "
          f"b.build_wheel({str(dist)!r})"], src, env)
    wheel = next(dist.glob("khcn_pipeline-*.whl"))

    # A fresh venv; the dependencies (and pip) are the project venv's, seen through a .pth
    # file (read only by the new venv's site: the project's editable install stays unseen).
    venv = tmp_path / "venv"
    _run([sys.executable, "-m", "venv", "--without-pip", venv], tmp_path, env)
    python = venv / ("Scripts/python.exe" if os.name == "nt" else "bin/python")
    site = Path(_run([python, "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
                     tmp_path, env).strip())
    (site / "project-deps.pth").write_text(sysconfig.get_path("purelib") + "\n",
                                           encoding="utf-8")
    _run([python, "-m", "pip", "install", "--no-deps", "--no-index", "--quiet",
          "--disable-pip-version-check", wheel], tmp_path, env)
    where = _run([python, "-c", "import pipeline; print(pipeline.__file__)"], tmp_path, env)
    assert Path(where.strip()).is_relative_to(venv)

    khcn = venv / ("Scripts/khcn.exe" if os.name == "nt" else "bin/khcn")
    work = tmp_path / "lam viec"
    _run([khcn, "init", work], tmp_path, env)
    out = _run([khcn, "report", "--no-pdf", "--as-of", "30/03/2020"], work, env)

    assert "(lỗi: 0, cảnh báo: 0)" in out
    chapter = next(line.split(": ", 1)[1] for line in out.splitlines()
                   if line.strip().startswith("Chương báo cáo:"))
    assert Path(chapter).parent.parent == Path("outputs")  # in W's outputs/
    assert (work / chapter).is_file()
    assert (work / chapter).name == "chuong-khcn.docx"
    help_text = _run([python, "-m", "pipeline", "--help"], work, env)
    assert "Lập chương KH&CN của Quy hoạch tỉnh Bắc Giang" in help_text
