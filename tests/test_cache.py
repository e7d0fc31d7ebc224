"""Checking in the readers and the per-file cache (issue 8): the same findings and values as
validating in the main process, only changed files read again, every entry dropped when the
code or the catalogue changes, a damaged cache never stopping a build."""

from __future__ import annotations

import datetime as dt
import os
import sqlite3
from functools import partial
from pathlib import Path

import pytest

from pipeline.build import run_build
from pipeline.catalogue.layout import form_rows
from pipeline.catalogue.load import load_catalogue
from pipeline.merge import merge_columns
from pipeline.read.cache import CACHE_DIR, CACHE_FILE, ResultCache, context_of, open_cache
from pipeline.read.files import read_inputs
from pipeline.render import charts
from pipeline.validate.model import Validation
from pipeline.validate.submissions import validate
from pipeline.validate.workbook import check_workbook

from .conftest import CATALOGUE, TEMPLATE, write_unit_workbook

AS_OF = dt.date(2020, 3, 30)
TDC = "TDC_so_lieu_mau.xlsx"


def _rows(cat, unit: str) -> list:
    """The unit's rows that take 0 to 10.000 and more, as (key, first year of the row)."""
    out = []
    for item in cat.data_items_of(unit):
        for r in form_rows(cat, item):
            if r.indicator.low == 0 and (r.indicator.high or 1e9) >= 10_000:
                out.append((r.key, cat.years_of(r.indicator)[0]))
    return out


def _past(path: Path) -> None:
    """An mtime an hour ago: not a file still being copied in."""
    old = (dt.datetime.now() - dt.timedelta(hours=1)).timestamp()
    os.utime(path, (old, old))


def _broken_tdc(cat, inputs: Path) -> None:
    """TDC's sample with text, an ambiguous number and a value out of range typed in."""
    (k1, y1), (k2, y2), (k3, y3) = _rows(cat, "TDC")[:3]
    write_unit_workbook(cat, "TDC", inputs / TDC,
                        changes={(k1, y1): "khoảng 12", (k2, y2): "1,234", (k3, y3): -5})
    _past(inputs / TDC)


def _seen(v: Validation) -> tuple[list[str], list[tuple]]:
    return [f.line() for f in v.findings], sorted(
        (x.unit, x.indicator, x.breakdown, x.year, x.value, x.cell) for x in v.values)


def test_checking_in_the_readers_finds_what_validate_finds_alone(cat, inputs):
    _broken_tdc(cat, inputs)
    alone = validate(cat, read_inputs(inputs))
    read = read_inputs(inputs, check=partial(check_workbook, cat))
    assert sorted(read.checks) == sorted(w.file.name for w in read.workbooks)
    assert all(w.cells == () and w.rows == () for w in read.workbooks)  # used by the check
    checked = validate(cat, read)

    assert _seen(checked) == _seen(alone)
    assert checked.lists == alone.lists
    codes = {f.code for f in checked.findings if f.file == TDC}
    assert {"not_a_number", "ambiguous_number", "out_of_range"} <= codes


def test_values_sent_back_as_columns_merge_into_the_right_rows(cat, inputs):
    # The workers send each workbook's values as columns; the merged table must hold each
    # value once, with its unit, labels and cell (figures from samples.py, by hand).
    read = read_inputs(inputs, check=partial(check_workbook, cat))
    table = merge_columns(cat, [c.columns for c in read.checks.values()])
    rows = {(r["unit"], r["indicator"], r["breakdown"], r["year"]): r
            for r in table.to_dict("records")}
    assert len(rows) == len(table)  # no value twice
    nsdp = rows[("KHTC", "chi_nsdp", "total", 2011)]
    assert (nsdp["value"], nsdp["sheet"], nsdp["cell"]) == (7_850_000, "I.1", "E6")
    assert nsdp["indicator_label"] == "Tổng chi ngân sách địa phương"
    assert nsdp["measure"] == "triệu đồng"
    dtpt = rows[("KHTC", "chi_khcn", "dtpt", 2011)]
    assert (dtpt["value"], dtpt["cell"], dtpt["breakdown_label"]) == (
        14_500, "E7", "Chi đầu tư phát triển")
    labour = rows[("TTUD", "ld_qua_dao_tao", "total", 2019)]
    assert (labour["value"], labour["cell"]) == (66.6, "M6")
    assert sorted({r[0] for r in rows}) == sorted(u.code for u in cat.units)
    columns = ["unit", "unit_name", "item", "indicator", "indicator_label", "breakdown",
               "breakdown_label", "measure", "year", "value", "status", "note", "file",
               "sheet", "cell", "file_hash"]  # the merged table's columns, in order
    assert list(table.columns) == columns
    assert merge_columns(cat, []).empty
    assert list(merge_columns(cat, []).columns) == columns


def test_a_second_read_takes_unchanged_files_from_the_cache(tmp_path, cat, inputs):
    check = partial(check_workbook, cat)
    with ResultCache(tmp_path / "cache", context_of(cat)) as cache:
        first = read_inputs(inputs, check=check, cache=cache)
        second = read_inputs(inputs, check=check, cache=cache)
        assert (first.cached, second.cached) == (0, 18)  # 9 workbooks, 9 narratives
        assert _seen(validate(cat, second)) == _seen(validate(cat, first))
        assert [n.sections for n in second.narratives] == [n.sections for n in first.narratives]

        # One workbook changed: only it is read again, and its new value is what comes out.
        key, year = _rows(cat, "TDC")[0]
        write_unit_workbook(cat, "TDC", inputs / TDC, changes={(key, year): 4321})
        _past(inputs / TDC)
        third = read_inputs(inputs, check=check, cache=cache)
        assert third.cached == 17
        indicator, _, part = key.partition(".")
        [v] = [v for v in validate(cat, third).values
               if (v.unit, v.indicator, v.breakdown or "total", v.year)
               == ("TDC", indicator, part or "total", year)]
        assert v.value == 4321


def test_a_file_touched_but_not_changed_comes_from_the_cache_with_its_new_time(tmp_path, cat,
                                                                               inputs):
    check = partial(check_workbook, cat)
    when = dt.datetime(2020, 3, 21, 9, 30)
    with ResultCache(tmp_path / "cache", context_of(cat)) as cache:
        read_inputs(inputs, check=check, cache=cache)
        os.utime(inputs / TDC, (when.timestamp(), when.timestamp()))
        again = read_inputs(inputs, check=check, cache=cache)
    assert again.cached == 18
    [wb] = [w for w in again.workbooks if w.file.name == TDC]
    assert wb.file.modified == when


def test_a_catalogue_change_makes_every_entry_stale(tmp_path, cat, inputs):
    # A new upper bound does not change the forms (same fingerprint) but changes what the
    # checks say: the cache must not answer for the old catalogue.
    text = CATALOGUE.read_text(encoding="utf-8")
    assert "outlier_sigma: 3" in text
    edited_file = tmp_path / "catalogue.yaml"
    edited_file.write_text(text.replace("outlier_sigma: 3", "outlier_sigma: 2"),
                           encoding="utf-8")
    edited = load_catalogue(edited_file)
    assert edited.fingerprint == cat.fingerprint
    assert context_of(edited) != context_of(cat)

    with ResultCache(tmp_path / "cache", context_of(cat)) as cache:
        read_inputs(inputs, check=partial(check_workbook, cat), cache=cache)
    with ResultCache(tmp_path / "cache", context_of(edited)) as cache:
        again = read_inputs(inputs, check=partial(check_workbook, edited), cache=cache)
        assert again.cached == 0
        # ...and the stale entries are gone, not kept beside the new ones.
        assert cache.db.execute("SELECT count(*) FROM entry WHERE context != ?",
                                (context_of(edited),)).fetchone() == (0,)


def test_a_damaged_cache_is_started_afresh(tmp_path, cat, inputs):
    out = tmp_path / "out"
    (out / CACHE_DIR).mkdir(parents=True)
    (out / CACHE_DIR / CACHE_FILE).write_bytes(b"this is not a database" * 100)
    lines: list[str] = []
    cache = open_cache(out, cat, lines.append)
    assert cache is not None
    with cache:
        assert read_inputs(inputs, check=partial(check_workbook, cat), cache=cache).cached == 0
        # A damaged entry is a miss: that file is read again, the others come from the cache.
        cache.db.execute("UPDATE entry SET data = x'00' WHERE key LIKE ?", (f"%:{TDC}",))
        cache.db.commit()
        again = read_inputs(inputs, check=partial(check_workbook, cat), cache=cache)
        assert again.cached == 17
        assert TDC in {w.file.name for w in again.workbooks}


def test_a_cache_that_cannot_be_opened_is_said_and_skipped(tmp_path, cat):
    out = tmp_path / "out"
    out.mkdir()
    (out / CACHE_DIR).write_text("a file where the cache folder should be", encoding="utf-8")
    lines: list[str] = []
    assert open_cache(out, cat, lines.append) is None
    assert len(lines) == 1 and "Không dùng được bộ nhớ đệm" in lines[0]


def test_a_second_build_reads_no_file_and_draws_no_chart_again(tmp_path, cat, inputs,
                                                               monkeypatch):
    out = tmp_path / "out"
    first = run_build(inputs, out, cat, TEMPLATE, as_of=AS_OF, pdf=False, log=lambda _: None)

    def no_drawing(chart):
        raise AssertionError(f"drawn again: {chart.out.name}")

    monkeypatch.setattr(charts, "draw", no_drawing)
    lines: list[str] = []
    second = run_build(inputs, out, cat, TEMPLATE, as_of=AS_OF, pdf=False, log=lines.append)
    assert any("18 tệp không đổi, lấy từ bộ nhớ đệm" in line for line in lines)
    drawn = sorted(p.name for p in (first.folder / "hinh").iterdir())
    assert drawn and drawn == sorted(p.name for p in (second.folder / "hinh").iterdir())
    for name in drawn:
        assert (first.folder / "hinh" / name).read_bytes() == (
            second.folder / "hinh" / name).read_bytes()
    assert [f.line() for f in second.findings] == [f.line() for f in first.findings]


def test_a_build_without_cache_keeps_none(tmp_path, cat, inputs):
    out = tmp_path / "out"
    run_build(inputs, out, cat, TEMPLATE, as_of=AS_OF, pdf=False, log=lambda _: None,
              cache=False)
    assert not (out / CACHE_DIR).exists()


def _chart(out: Path, values=(1.0, 2.5, None)) -> charts.Chart:
    return charts.Chart("line", ("2017", "2018", "2019"),
                        (charts.Series("Tỷ lệ chi cho KH&CN", values),), out, "%", 1)


def test_a_chart_is_drawn_once_then_copied_from_the_cache(tmp_path, monkeypatch):
    cache = tmp_path / "hinh-cache"
    charts.draw_all([_chart(tmp_path / "a.png")], cache)()
    assert (tmp_path / "a.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert len(list(cache.glob("*.png"))) == 1

    def no_drawing(chart):
        raise AssertionError("drawn again")

    monkeypatch.setattr(charts, "draw", no_drawing)
    charts.draw_all([_chart(tmp_path / "b.png")], cache)()
    assert (tmp_path / "b.png").read_bytes() == (tmp_path / "a.png").read_bytes()
    # Other data is another picture: not taken from the cache.
    with pytest.raises(AssertionError, match="drawn again"):
        charts.draw_all([_chart(tmp_path / "c.png", (1.0, 2.6, None))], cache)()


def test_a_chart_that_fails_in_the_drawing_process_fails_here(tmp_path, monkeypatch):
    def broken(chart):
        raise ValueError("hình hỏng")

    monkeypatch.setattr(charts, "draw", broken)  # the forked process has it too
    wait = charts.draw_all([_chart(tmp_path / "a.png")])
    with pytest.raises(ValueError, match="hình hỏng"):
        wait()


def test_cache_entries_are_rows_of_one_sqlite_file(tmp_path, cat, inputs):
    # What `make clean` or an office worker deletes to start afresh is one file.
    with ResultCache(tmp_path / "cache", context_of(cat)) as cache:
        read_inputs(inputs, check=partial(check_workbook, cat), cache=cache)
    db = sqlite3.connect(tmp_path / "cache" / CACHE_FILE)
    keys = [k for (k,) in db.execute("SELECT key FROM entry")]
    db.close()
    assert len(keys) == 18
    assert all(len(k.split(":")[0]) == 64 for k in keys)  # sha256 first
