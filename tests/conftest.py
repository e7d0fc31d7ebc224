"""Shared fixtures: the real catalogue, and helpers that write real files into tmp_path."""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import os
import pickle
import shutil
import signal
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from docx import Document

from pipeline.build import BuildResult, run_build
from pipeline.catalogue.load import load_catalogue
from pipeline.catalogue.model import Catalogue
from pipeline.derive import TargetStatus
from pipeline.tools.samples import fill_workbook, sample_values, write_samples


@pytest.hookimpl(optionalhook=True)  # an xdist hook: unknown without xdist
def pytest_xdist_auto_num_workers(config: pytest.Config) -> int:
    """`-n auto`: one worker more than the CPUs. Many tests wait without using a CPU (the
    readers' half-second check for files still being copied in, LibreOffice and the other
    child processes starting): a third worker on two CPUs runs the suite ~15% faster, a
    fourth no faster (measured)."""
    return len(os.sched_getaffinity(0)) + 1


ROOT = Path(__file__).resolve().parent.parent
CATALOGUE = ROOT / "templates" / "catalogue.yaml"
TEMPLATE = ROOT / "templates" / "chapter.docx"
SHARED = ROOT.parent / "shared"


@pytest.fixture(scope="session")
def cat() -> Catalogue:
    return load_catalogue(CATALOGUE)


@contextlib.contextmanager
def _once_per_run(tmp_path_factory: pytest.TempPathFactory, name: str):
    """(folder, done) for something made once per test run: under pytest-xdist the workers
    share the run's base temp folder, and the first to take the lock makes it (`done` is
    False: make it, then create `done`) while the others wait and reuse it."""
    base = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        base = base.parent  # popen-gwN's parent: this run's folder, shared by the workers
    folder = base / name
    with open(base / f"{name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield folder, (folder / ".done").exists()
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


@pytest.fixture(scope="session")
def sample_inputs(tmp_path_factory: pytest.TempPathFactory, cat: Catalogue) -> Path:
    """The nine units' sample workbooks and narratives, written once per run (shared by the
    xdist workers), dated an hour ago: settled files, not files still being copied in. Read
    only: tests take a copy through `inputs`."""
    with _once_per_run(tmp_path_factory, "samples") as (base, done):
        folder = base / "inputs"
        if not done:
            shutil.rmtree(base, ignore_errors=True)
            write_samples(cat, folder)
            old = time.time() - 3600
            for path in folder.iterdir():
                os.utime(path, (old, old))
            (base / ".done").touch()
    return folder


@pytest.fixture(scope="session")
def sample_build(tmp_path_factory: pytest.TempPathFactory, cat: Catalogue,
                 sample_inputs: Path) -> BuildResult:
    """One build of the sample inputs as of 30/03/2020, without PDF, made once per run
    (shared by the xdist workers) for the tests that only read what it wrote: never write
    into it (copy it to tmp_path first)."""
    with _once_per_run(tmp_path_factory, "sample-build") as (base, done):
        saved = base / "result.pickle"
        if not done:
            shutil.rmtree(base, ignore_errors=True)
            result = run_build(sample_inputs, base / "outputs", cat, TEMPLATE,
                               as_of=dt.date(2020, 3, 30), pdf=False, log=lambda _: None)
            saved.write_bytes(pickle.dumps(result))
            (base / ".done").touch()
        return pickle.loads(saved.read_bytes())


def copy_build(build: BuildResult, outputs: Path) -> Path:
    """A copy of the outputs folder `build` was made in (the build folder, `latest` and the
    cache) at `outputs`, for a test to build on; returns the copied build folder."""
    shutil.copytree(build.folder.parent, outputs, symlinks=True)
    return outputs / build.folder.name


@pytest.fixture()
def inputs(tmp_path: Path, sample_inputs: Path) -> Path:
    """A fresh inputs folder holding the nine units' sample workbooks and narratives (a copy
    of `sample_inputs`, times kept), the test's own to change."""
    folder = tmp_path / "inputs"
    shutil.copytree(sample_inputs, folder)
    return folder


def write_unit_workbook(cat: Catalogue, unit_code: str, path: Path,
                        changes: dict[tuple[str, int], object] | None = None,
                        meta: dict[str, object] | None = None) -> Path:
    """The unit's form filled with the sample values, then `changes` typed over them."""
    unit = cat.unit_by_code[unit_code]
    values: dict[tuple[str, int], object] = dict(sample_values(cat, unit))
    values.update(changes or {})
    base_meta: dict[str, object] = {"ngay_gui": "20/03/2020"}
    base_meta.update(meta or {})
    fill_workbook(cat, unit, values, base_meta, today=dt.date(2020, 3, 1)).save(path)
    return path


def chapter_blocks(path: Path) -> list[tuple[str, object]]:
    """The chapter's body in reading order: ('h', heading text), ('p', text), ('t', table),
    ('l', an entry of the front lists: Mục lục, Danh mục bảng/hình). Texts are as read, with
    non-breaking spaces read as spaces (tests of where lines may break read the XML)."""
    doc = Document(str(path))
    out: list[tuple[str, object]] = []
    for block in doc.iter_inner_content():
        if hasattr(block, "rows"):
            out.append(("t", block))
        else:
            style = block.style.name if block.style is not None else ""
            kind = ("h" if style.startswith("Heading") else
                    "l" if style.startswith("toc") or style == "table of figures" else "p")
            out.append((kind, block.text.replace("\u00a0", " ")))
    return out


def table_after(blocks: list[tuple[str, object]], heading_prefix: str, title_part: str):
    """The first table whose title paragraph contains `title_part`, inside the section whose
    heading starts with `heading_prefix` (the section ends at the next heading of its level)."""
    inside = False
    title_seen = False
    for kind, value in blocks:
        if kind == "h":
            text = str(value)
            if text.startswith(heading_prefix):
                inside = True
            elif inside and text[:1].isdigit():
                break
        elif inside and kind == "p" and title_part in str(value):
            title_seen = True
        elif inside and title_seen and kind == "t":
            return value
    raise AssertionError(f"no table '{title_part}' under '{heading_prefix}'")


def row_of(table, first_cell: str) -> list[str]:
    for row in table.rows:
        cells = [c.text for c in row.cells]
        if cells and cells[0] == first_cell:
            return cells
    raise AssertionError(f"no row '{first_cell}'")


def header_texts(table) -> list[str]:
    """Every header text (the first two rows), for column lookups."""
    return [c.text for r in table.rows[:2] for c in r.cells]


def column(table, header: str) -> int:
    """Index of the column whose lowest header cell reads `header`."""
    first_data = next(i for i, r in enumerate(table.rows) if r.cells[0].text[:4].isdigit())
    leaf = [c.text for c in table.rows[first_data - 1].cells]
    return leaf.index(header)


def cells_by_year(cat: Catalogue, wb) -> dict[tuple[str, int], object]:
    """A read workbook's cells as {(row key, year): raw}, the year of each column taken from
    the form's layout (the year columns follow the label columns, in order)."""
    from pipeline.catalogue.layout import FIRST_YEAR_COL, form_years, row_key

    out: dict[tuple[str, int], object] = {}
    for c in wb.cells:
        years = form_years(cat, cat.item_of_indicator[c.indicator])
        i = c.col - (FIRST_YEAR_COL - 1)
        if 0 <= i < len(years):
            out[(row_key(c.indicator, c.part), years[i])] = c.raw
    return out


def write_live_lock(lock: Path) -> None:
    """A build lock held by this very (live) process, as a build writes it (core/lock.py)."""
    import json
    import os
    import socket

    pid = os.getpid()
    start = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[19]
    lock.write_text(json.dumps({"pid": pid, "start": start, "host": socket.gethostname(),
                                "command": "khcn report", "created": "2026-11-27T09:00:00"}))


@contextlib.contextmanager
def returns_within(seconds: float) -> Iterator[None]:
    """Fail the test, instead of hanging it, when the block has not returned in `seconds`
    (a regression that opens a FIFO would wait forever): SIGALRM interrupts the blocked
    call in this, the main, thread and raises."""
    if threading.current_thread() is not threading.main_thread():
        yield  # signals reach only the main thread: unguarded, a hang is still a failure
        return

    def expired(_sig: int, _frame: object) -> None:
        raise TimeoutError(f"still running after {seconds} s: something opened a FIFO?")

    previous = signal.signal(signal.SIGALRM, expired)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def target_status(**changes: object) -> TargetStatus:
    """A targets row as derive makes it, written by hand: trained labour at 66,6% in 2019,
    targets 75 (2025) and 80 (2030), a trend reaching 111,1% in 2030; `changes` replace
    fields."""
    row: dict[str, object] = dict(
        item="II.3", label="Tỷ lệ lao động qua đào tạo", measure="%", decimals=1,
        current=66.6, current_when="2019", targets=((2025, 75.0), (2030, 80.0)),
        projection=((2025, 90.44), (2030, 111.1)), verdict="Chưa đạt mục tiêu năm 2025.",
        indicator="ld_qua_dao_tao", part="total", base_year=2019, low=0.0, high=100.0)
    row.update(changes)
    return TargetStatus(**row)  # type: ignore[arg-type]
