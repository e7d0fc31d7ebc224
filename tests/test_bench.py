"""`make bench` runs end to end at tiny sizes and writes what it measured (no time is
asserted: benchmarks are not timed tests)."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from pipeline.cli import main
from pipeline.tools import bench

from .conftest import CATALOGUE, TEMPLATE


def test_bench_measures_every_target_and_writes_them(tmp_path, inputs):
    lines: list[str] = []
    results = bench.run(CATALOGUE, TEMPLATE, inputs, tmp_path / "bench", sizes=(2, 3),
                        log=lines.append, repeats=1)
    [written] = list((tmp_path / "bench").glob("bench-*.json"))
    assert json.loads(written.read_text(encoding="utf-8")) == results

    assert sorted(results["sizes"]) == ["2", "3"]
    small = results["sizes"]["3"]
    assert small["files"] == 3
    # Every workbook checked and merged: files 0-2 are KHTC's, QLKH's and QLCN's first
    # fillings, 62 + 135 + 94 values (samples.py fills every input cell of their forms; QLCN's
    # share of advanced-technology projects is computed now, its form asks targets only).
    assert small["merged_rows"] == 291
    assert set(small["pipeline_stages"]) == {"read_validate_s", "merge_s"}
    assert small["cache"]["reparsed"] == 1  # one file changed, one file read again
    assert "cache" not in results["sizes"]["2"]  # the cache is timed at the largest size only
    assert set(results["report_9_units_stages_s"]) >= {"read_validate", "render"}
    # Every target of issue 8 that this run can measure has a verdict, said in Vietnamese.
    assert set(results["targets"]) == {
        "pipeline_vs_calamine", "pandas_vs_pipeline", "cache_second_vs_first",
        "cache_reparsed", "report_9_units_s", "report_9_units_warm_s", "peak_rss_max_mb"}
    assert sum(("đạt" in line or "CHƯA ĐẠT" in line) for line in lines) == 7
    assert any(line.startswith("N=3: calamine ") and "×" in line for line in lines)


def test_make_files_lays_the_units_round_and_fills_only_what_it_copies(tmp_path, cat):
    files = bench.make_files(cat, tmp_path / "n", 11, variants=2)
    assert [p.name for p in files] == [f"don-vi-{i:04d}.xlsx" for i in range(11)]
    assert sorted(p.name for p in (tmp_path / "n").iterdir()) == [p.name for p in files]
    # file 9 is the second filling of the first unit (KHTC), file 10 of the second (QLKH)
    assert files[9].read_bytes() != files[0].read_bytes()
    assert files[10].read_bytes() != files[1].read_bytes()


def test_bench_command_passes_its_paths_to_the_benchmark(tmp_path, monkeypatch):
    seen: dict[str, object] = {}

    def fake_run(catalogue, template, inputs, out, sizes, log):
        seen.update(catalogue=catalogue, template=template, inputs=inputs, out=out,
                    sizes=sizes)
        return {}

    monkeypatch.setattr(bench, "run", fake_run)
    args = ["bench", "--sizes", "2,3", "--catalogue", str(CATALOGUE), "--template",
            str(TEMPLATE), "--inputs", str(tmp_path / "vao"), "--out", str(tmp_path / "ra")]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    assert seen == {"catalogue": CATALOGUE, "template": TEMPLATE,
                    "inputs": tmp_path / "vao", "out": tmp_path / "ra", "sizes": (2, 3)}


def test_bench_command_defaults_are_the_repository_folders(monkeypatch):
    seen: dict[str, object] = {}
    monkeypatch.setattr(bench, "run", lambda *a, **k: seen.update(args=a[:4]))
    result = CliRunner().invoke(main, ["bench", "--sizes", "9"])
    assert result.exit_code == 0, result.output
    assert seen["args"] == (Path("templates/catalogue.yaml"), Path("templates/chapter.docx"),
                            Path("inputs"), Path("outputs/bench"))


def test_bench_command_refuses_sizes_that_are_not_numbers():
    result = CliRunner().invoke(main, ["bench", "--sizes", "9,mười"])
    assert result.exit_code == 2
    assert "'9,mười' phải là các số nguyên, ví dụ 9,100" in result.output
