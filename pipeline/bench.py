"""Benchmark (`make bench`): the pipeline's read + validate + merge against plain readers,
measured in one run on the same files, reported as ratios.

Files are real unit forms filled through forms.py/samples.py (a few seeded variants per unit,
copied up to N). For each N the run times: a calamine-only read of every sheet, a plain
pandas + openpyxl read (`pd.read_excel(sheet_name=None)`), and the pipeline's read (worker
pool, package checks, text hygiene) + cell validation of every workbook + merge of all values.
For N = 9 it also times a full `make report` without PDF. Peak memory is the largest resident
set of this process and of its worker processes.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from functools import partial
from pathlib import Path

from .cache import ResultCache, context_of
from .catalogue import Catalogue, load_catalogue
from .read import read_inputs
from .samples import fill_workbook, sample_values
from .validate import check_workbook

SIZES = (9, 100, 1000)


def make_files(cat: Catalogue, folder: Path, n: int, variants: int = 6) -> list[Path]:
    """n filled unit workbooks in folder: `variants` seeded fillings per unit, copied round."""
    folder.mkdir(parents=True, exist_ok=True)
    originals: list[Path] = []
    for v in range(variants):
        for unit in cat.units:
            path = folder / f".src-{unit.code}-{v}.xlsx"
            values = sample_values(cat, unit, seed=2020 + v)
            fill_workbook(cat, unit, values, {"ngay_gui": "20/03/2020"}).save(path)
            originals.append(path)
    files = []
    for i in range(n):
        dst = folder / f"don-vi-{i:04d}.xlsx"
        shutil.copyfile(originals[i % len(originals)], dst)
        files.append(dst)
    for p in originals:
        p.unlink()
    old = time.time() - 3600  # not "still being copied"
    for p in files:
        os.utime(p, (old, old))
    return files


def _calamine(files: list[Path]) -> int:
    import python_calamine

    cells = 0
    for p in files:
        wb = python_calamine.CalamineWorkbook.from_path(str(p))
        for name in wb.sheet_names:
            cells += sum(len(r) for r in wb.get_sheet_by_name(name).to_python())
        wb.close()
    return cells


def _pandas(files: list[Path]) -> int:
    import pandas as pd

    rows = 0
    for p in files:
        for df in pd.read_excel(p, sheet_name=None, engine="openpyxl").values():
            rows += len(df)
    return rows


def _pipeline(cat: Catalogue, folder: Path, workers: int | None,
              cache: ResultCache | None = None) -> tuple[int, int]:
    """Read + validate + merge as `make report` does, every workbook taken as its own unit:
    each file read and checked in a worker (cells, list rows, the unit's rules), all values
    merged. Returns (merged rows, files taken from the cache)."""
    from .merge import merge_columns

    read = read_inputs(folder, workers=workers, check=partial(check_workbook, cat),
                       cache=cache)
    columns = [c.columns for c in read.checks.values()]  # type: ignore[attr-defined]
    return len(merge_columns(cat, columns)), read.cached


def _second_build(cat: Catalogue, folder: Path, files: list[Path], tmp: Path) -> dict:
    """A first build with an empty cache, one file changed, then a second build."""
    with ResultCache(tmp / "cache", context_of(cat)) as cache:
        t_first, _ = _timed(_pipeline, cat, folder, None, cache)
        changed = files[len(files) // 2]  # refilled: same unit, other values, a later date
        before = changed.read_bytes()
        unit = cat.units[(len(files) // 2) % len(cat.units)]  # as make_files laid them out
        values = sample_values(cat, unit, seed=1)
        fill_workbook(cat, unit, values, {"ngay_gui": "21/03/2020"}).save(changed)
        old = time.time() - 3600
        os.utime(changed, (old, old))
        assert changed.read_bytes() != before
        t_second, (_rows, cached) = _timed(_pipeline, cat, folder, None, cache)
    return {"first_s": round(t_first, 3), "second_s": round(t_second, 3),
            "second_vs_first": round(t_second / t_first, 3), "reparsed": len(files) - cached}


def _timed(fn, *args) -> tuple[float, object]:
    t = time.perf_counter()
    out = fn(*args)
    return time.perf_counter() - t, out


def _peak_mb() -> tuple[float, float]:
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return round(own, 1), round(children, 1)


def run(catalogue: Path, template: Path, inputs: Path, out: Path,
        sizes: tuple[int, ...] = SIZES, log=print) -> dict:
    cat = load_catalogue(catalogue)
    results: dict = {"sizes": {}, "cpus": os.cpu_count(), "date": dt.datetime.now().isoformat(
        timespec="seconds")}
    with tempfile.TemporaryDirectory(prefix="khcn-bench-") as tmp:
        for n in sizes:
            folder = Path(tmp) / f"n{n}"
            log(f"Tạo {n} biểu số liệu từ biểu mẫu thật...")
            files = make_files(cat, folder, n)
            t_cal, _ = _timed(_calamine, files)
            t_pd, _ = _timed(_pandas, files)
            t_one, _ = _timed(_pipeline, cat, folder, 1)
            t_two, (rows, _cached) = _timed(_pipeline, cat, folder, None)
            r = {
                "files": n, "merged_rows": rows,
                "calamine_only_s": round(t_cal, 3), "pandas_openpyxl_s": round(t_pd, 3),
                "pipeline_1_worker_s": round(t_one, 3), "pipeline_s": round(t_two, 3),
                "pipeline_vs_calamine": round(t_two / t_cal, 2),
                "pandas_vs_pipeline": round(t_pd / t_two, 2),
                "ms_per_file": round(1000 * t_two / n, 2),
            }
            results["sizes"][str(n)] = r
            log(f"N={n}: calamine {t_cal:.2f} s, pandas+openpyxl {t_pd:.2f} s, pipeline "
                f"{t_two:.2f} s (1 worker {t_one:.2f} s) → pipeline/calamine "
                f"{r['pipeline_vs_calamine']}×, pandas/pipeline {r['pandas_vs_pipeline']}×")
            if n == max(sizes):
                r["cache"] = again = _second_build(cat, folder, files, Path(tmp))
                log(f"N={n}, bộ nhớ đệm: lần đầu {again['first_s']:.2f} s; đổi 1 tệp, lần "
                    f"sau {again['second_s']:.2f} s ({again['second_vs_first']:.0%} lần đầu), "
                    f"đọc lại {again['reparsed']} tệp")
            shutil.rmtree(folder)
    if "100" in results["sizes"] and "1000" in results["sizes"]:
        a, b = results["sizes"]["100"], results["sizes"]["1000"]
        results["per_file_1000_vs_100"] = round(b["ms_per_file"] / a["ms_per_file"], 2)
    with tempfile.TemporaryDirectory(prefix="khcn-bench-report-") as tmp:
        # A fresh process, as `make report` runs: imports included.
        cmd = [sys.executable, "-c", "from pipeline.cli import main; main()", "report",
               "--inputs", str(inputs), "--outputs", tmp, "--no-pdf", "--catalogue",
               str(catalogue), "--template", str(template)]
        t, _ = _timed(lambda: subprocess.run(cmd, check=True, capture_output=True))
        results["report_9_units_s"] = round(t, 3)
        log(f"make report (9 đơn vị mẫu, không PDF, tiến trình mới): {t:.2f} s")
    own, children = _peak_mb()
    results["peak_rss_mb"] = {"main": own, "workers": children}
    log(f"Bộ nhớ đỉnh: tiến trình chính {own} MB, tiến trình đọc {children} MB")
    out.mkdir(parents=True, exist_ok=True)
    path = out / f"bench-{dt.datetime.now():%Y-%m-%d_%H%M%S}.json"
    path.write_text(json.dumps(results, ensure_ascii=False, indent=2), encoding="utf-8")
    log(f"Kết quả: {path}")
    return results
