"""`make bench` runs end to end on a small N and writes what it measured (no time is
asserted: benchmarks are not timed tests)."""

from __future__ import annotations

import json

from pipeline.tools import bench

from .conftest import CATALOGUE, TEMPLATE


def test_bench_measures_every_target_and_writes_them(tmp_path, inputs):
    lines: list[str] = []
    results = bench.run(CATALOGUE, TEMPLATE, inputs, tmp_path / "bench", sizes=(9, 12),
                        log=lines.append)
    [written] = list((tmp_path / "bench").glob("bench-*.json"))
    assert json.loads(written.read_text(encoding="utf-8")) == results

    small = results["sizes"]["12"]
    assert small["merged_rows"] > 12 * 50  # every workbook checked and merged
    assert set(small["pipeline_stages"]) == {"read_validate_s", "merge_s"}
    assert small["cache"]["reparsed"] == 1  # one file changed, one file read again
    assert set(results["report_9_units_stages_s"]) >= {"read_validate", "render"}
    # Every target of issue 8 that this run can measure has a verdict, said in Vietnamese.
    assert set(results["targets"]) == {
        "pipeline_vs_calamine", "pandas_vs_pipeline", "cache_second_vs_first",
        "cache_reparsed", "report_9_units_s", "report_9_units_warm_s", "peak_rss_max_mb"}
    assert sum(("đạt" in line or "CHƯA ĐẠT" in line) for line in lines) == 7
    assert any(line.startswith("N=12: calamine ") and "×" in line for line in lines)
