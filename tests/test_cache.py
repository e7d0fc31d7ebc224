"""Checking in the readers and the per-file cache (issue 8): the same findings and values as
validating in the main process, only changed files read again, every entry dropped when the
code or the catalogue changes, a damaged cache never stopping a build."""

from __future__ import annotations

import contextlib
import datetime as dt
import errno
import os
import pickle
import re
import shutil
import sqlite3
from functools import partial
from pathlib import Path

import pytest

from pipeline.build import run_build
from pipeline.catalogue.layout import form_rows
from pipeline.catalogue.load import load_catalogue
from pipeline.core.limits import start_method
from pipeline.core.outputs import CHART_CACHE, MERGED_CSV
from pipeline.merge import merge_columns
from pipeline.read import cache as cache_module
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


@pytest.mark.skipif(start_method() != "fork",
                    reason="the fault is patched in; only a forked child inherits it")
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


# --- every way the cache can be wrong (issue 15): one line, the same results ---------------------
FEW = ("KHTC_so_lieu_mau.xlsx", "TDC_so_lieu_mau.xlsx", "TDC_thuyet_minh_mau.docx")


@pytest.fixture()
def few(tmp_path, sample_inputs) -> Path:
    """Two workbooks and a narrative (times kept: settled files), quicker to read than 18."""
    folder = tmp_path / "few"
    folder.mkdir()
    for name in FEW:
        shutil.copy2(sample_inputs / name, folder / name)
    return folder


def _read(cat, folder: Path, cache=None):
    return read_inputs(folder, check=partial(check_workbook, cat), cache=cache)


def _results(cat, read) -> tuple:
    """What a build takes from reading: findings, values, lists and narrative sections."""
    checked = validate(cat, read)
    return _seen(checked), checked.lists, [n.sections for n in read.narratives]


@pytest.fixture()
def without_cache(cat, few) -> tuple:
    return _results(cat, _read(cat, few))


def _filled(cat, folder: Path, out: Path) -> Path:
    """A cache of `out` holding the entries of `folder`'s files; its database's path."""
    with open_cache(out, cat, _no_line) as cache:
        assert _read(cat, folder, cache).cached == 0
    return out / CACHE_DIR / CACHE_FILE


def _no_line(line: str) -> None:
    raise AssertionError(f"unexpected log line: {line}")


def _same_then_rebuilt(cat, few, out: Path, cache, without_cache) -> None:
    """With this (damaged) cache the results are those without one; the next run finds every
    file in the cache made again, with the same results, and says nothing."""
    with cache:
        assert _results(cat, _read(cat, few, cache)) == without_cache
    with open_cache(out, cat, _no_line) as again:
        read = _read(cat, few, again)
    assert read.cached == len(FEW)
    assert _results(cat, read) == without_cache


AFTER = "lần này đọc lại mọi tệp, kết quả không đổi."


def test_a_cache_folder_that_is_a_file_is_kept_and_not_used(tmp_path, cat):
    out = tmp_path / "out"
    out.mkdir()
    (out / CACHE_DIR).write_text("ghi chú của ai đó", encoding="utf-8")
    lines: list[str] = []
    assert open_cache(out, cat, lines.append) is None
    assert lines == [f"Không dùng được bộ nhớ đệm: '{out / CACHE_DIR}' là một tệp, không phải "
                     f"thư mục, không do chương trình tạo nên được giữ nguyên; {AFTER} Muốn "
                     "dùng bộ nhớ đệm, hãy đổi tên hoặc chuyển nó đi."]
    assert (out / CACHE_DIR).read_text(encoding="utf-8") == "ghi chú của ai đó"


def test_a_folder_where_the_cache_file_should_be_is_kept_and_not_used(tmp_path, cat):
    out = tmp_path / "out"
    (out / CACHE_DIR / CACHE_FILE).mkdir(parents=True)
    (out / CACHE_DIR / CACHE_FILE / "x.txt").write_text("x", encoding="utf-8")
    lines: list[str] = []
    assert open_cache(out, cat, lines.append) is None
    assert lines == [f"Không dùng được bộ nhớ đệm: '{out / CACHE_DIR / CACHE_FILE}' là một thư "
                     f"mục, không do chương trình tạo nên được giữ nguyên; {AFTER} Muốn dùng "
                     "bộ nhớ đệm, hãy đổi tên hoặc chuyển nó đi."]
    assert (out / CACHE_DIR / CACHE_FILE / "x.txt").is_file()


def test_a_cache_folder_without_permission_is_not_used(tmp_path, cat, monkeypatch):
    out = tmp_path / "out"
    folder = out / CACHE_DIR
    folder.mkdir(parents=True)
    folder.chmod(0)
    if os.geteuid() == 0:  # root opens it anyway: fail as the system does for anyone else
        def denied(path):
            raise PermissionError(errno.EACCES, "Permission denied", str(path))
        monkeypatch.setattr(cache_module, "_owner", denied)
    lines: list[str] = []
    try:
        assert open_cache(out, cat, lines.append) is None
    finally:
        folder.chmod(0o755)
    assert lines == [f"Không dùng được bộ nhớ đệm '{folder}' (không có quyền ghi, hoặc ổ đĩa "
                     f"chỉ đọc); {AFTER} Hãy cấp quyền ghi cho thư mục đó (hoặc xóa nó) để "
                     "lần sau dùng lại bộ nhớ đệm."]


def test_a_cache_locked_by_another_command_is_not_used_nor_deleted(tmp_path, cat, few,
                                                                    monkeypatch):
    out = tmp_path / "out"
    path = _filled(cat, few, out)
    monkeypatch.setattr(cache_module, "TIMEOUT_S", 0.1)
    other = sqlite3.connect(path)
    other.execute("BEGIN EXCLUSIVE")  # another command writing, for longer than we wait
    lines: list[str] = []
    try:
        assert open_cache(out, cat, lines.append) is None
    finally:
        other.rollback()
        other.close()
    assert lines == [f"Không dùng được bộ nhớ đệm '{out / CACHE_DIR}' (một lệnh khác đang dùng "
                     f"nó); {AFTER} Chạy lại khi lệnh kia đã xong."]
    with open_cache(out, cat, _no_line) as cache:  # kept: the next run takes every file
        assert _read(cat, few, cache).cached == len(FEW)


@pytest.mark.parametrize("garbage", [b"this is not a database" * 100, b"SQLite format 3",
                                     b"\x00" * 4096])
def test_a_file_that_is_not_our_cache_is_moved_aside_and_a_new_cache_made(
        tmp_path, cat, few, without_cache, garbage):
    out = tmp_path / "out"
    path = out / CACHE_DIR / CACHE_FILE
    path.parent.mkdir(parents=True)
    path.write_bytes(garbage)
    lines: list[str] = []
    cache = open_cache(out, cat, lines.append)
    assert cache is not None
    [aside] = [p for p in path.parent.iterdir() if p.name != CACHE_FILE]
    assert re.fullmatch(r"doc-tep\.sqlite\.khac-\d{8}-\d{6}", aside.name)
    assert aside.read_bytes() == garbage  # moved, never deleted
    assert lines == [f"Tệp '{path}' không phải bộ nhớ đệm của chương trình: đã đổi tên thành "
                     f"'{aside.name}' (không xóa) và tạo bộ nhớ đệm mới; lần này các tệp được "
                     "đọc lại, kết quả không đổi."]
    _same_then_rebuilt(cat, few, out, cache, without_cache)


def test_another_programs_database_is_moved_aside_whole(tmp_path, cat, few, without_cache):
    out = tmp_path / "out"
    path = out / CACHE_DIR / CACHE_FILE
    path.parent.mkdir(parents=True)
    db = sqlite3.connect(path)
    db.execute("CREATE TABLE nguoi_dung (ten TEXT)")
    db.execute("INSERT INTO nguoi_dung VALUES ('Lan')")
    db.commit()
    db.close()
    lines: list[str] = []
    cache = open_cache(out, cat, lines.append)
    assert cache is not None and len(lines) == 1
    assert "không phải bộ nhớ đệm của chương trình: đã đổi tên thành" in lines[0]
    [aside] = [p for p in path.parent.iterdir() if p.name != CACHE_FILE]
    with contextlib.closing(sqlite3.connect(aside)) as moved:
        assert moved.execute("SELECT ten FROM nguoi_dung").fetchall() == [("Lan",)]
    _same_then_rebuilt(cat, few, out, cache, without_cache)


def test_an_older_cache_of_ours_is_kept_and_marked(tmp_path, cat, few, without_cache):
    # Made before caches carried an application id: our one table alone, so ours.
    out = tmp_path / "out"
    path = out / CACHE_DIR / CACHE_FILE
    path.parent.mkdir(parents=True)
    with contextlib.closing(sqlite3.connect(path)) as db:
        db.execute("CREATE TABLE entry (key TEXT PRIMARY KEY, context TEXT NOT NULL, "
                   "data BLOB NOT NULL)")
    cache = open_cache(out, cat, _no_line)
    assert cache is not None
    assert cache.db.execute("PRAGMA application_id").fetchone() == (cache_module.APP_ID,)
    assert [p.name for p in path.parent.iterdir()] == [CACHE_FILE]
    _same_then_rebuilt(cat, few, out, cache, without_cache)


def test_a_truncated_cache_of_ours_is_deleted_and_made_again(tmp_path, cat, few, without_cache):
    out = tmp_path / "out"
    path = _filled(cat, few, out)
    data = path.read_bytes()
    assert len(data) > 3 * 4096
    path.write_bytes(data[:len(data) // 2])  # a copy cut short, a disk that lost the end
    lines: list[str] = []
    cache = open_cache(out, cat, lines.append)
    assert cache is not None
    _same_then_rebuilt(cat, few, out, cache, without_cache)
    assert lines == [f"Bộ nhớ đệm '{path}' bị hỏng (tệp SQLite hỏng): đã xóa và tạo lại; lần "
                     "này các tệp được đọc lại, kết quả không đổi."]
    assert [p.name for p in path.parent.iterdir()] == [CACHE_FILE]


def test_a_cache_damaged_while_open_is_made_again(tmp_path, cat, few, without_cache):
    out = tmp_path / "out"
    path = _filled(cat, few, out)
    lines: list[str] = []
    cache = open_cache(out, cat, lines.append)
    assert cache is not None and lines == []
    # Another program writes over every page but the first, and says so in the header (the
    # change counter) so that SQLite reads the pages again.
    data = bytearray(path.read_bytes())
    data[4096:] = bytes(range(256)) * ((len(data) - 4096) // 256)
    data[24:28] = (int.from_bytes(data[24:28], "big") + 1).to_bytes(4, "big")
    path.write_bytes(bytes(data))
    _same_then_rebuilt(cat, few, out, cache, without_cache)
    assert lines == [f"Bộ nhớ đệm '{path}' bị hỏng (tệp SQLite hỏng): đã xóa và tạo lại; lần "
                     "này các tệp được đọc lại, kết quả không đổi."]


def test_entries_that_are_not_a_files_result_are_misses(tmp_path, cat, few, without_cache):
    out = tmp_path / "out"
    path = _filled(cat, few, out)
    with contextlib.closing(sqlite3.connect(path)) as db:
        keys = sorted(k for (k,) in db.execute("SELECT key FROM entry"))
        db.execute("UPDATE entry SET data = ? WHERE key = ?", (pickle.dumps("chuỗi"), keys[0]))
        db.execute("UPDATE entry SET data = x'800400' WHERE key = ?", (keys[1],))  # cut short
        db.commit()
    lines: list[str] = []
    cache = open_cache(out, cat, lines.append)
    with cache:
        read = _read(cat, few, cache)
        assert read.cached == 1
        assert _results(cat, read) == without_cache
    assert lines == [f"Bộ nhớ đệm '{path}': bỏ 2 mục hỏng; các tệp đó được đọc lại, kết quả "
                     "không đổi."]
    _same_then_rebuilt(cat, few, out, open_cache(out, cat, _no_line), without_cache)


@pytest.mark.parametrize(("pragma", "reason", "todo"), [
    ("PRAGMA query_only = ON", "không có quyền ghi, hoặc ổ đĩa chỉ đọc",
     "Hãy cấp quyền ghi cho thư mục đó (hoặc xóa nó) để lần sau dùng lại bộ nhớ đệm."),
    ("PRAGMA max_page_count = {pages}", "ổ đĩa đầy", "Hãy giải phóng ổ đĩa."),  # disk full
])
def test_a_write_that_fails_keeps_nothing_and_changes_nothing(tmp_path, cat, few, without_cache,
                                                              pragma, reason, todo):
    out = tmp_path / "out"
    lines: list[str] = []
    cache = open_cache(out, cat, lines.append)
    pages = cache.db.execute("PRAGMA page_count").fetchone()[0]
    cache.db.execute(pragma.format(pages=pages))  # SQLite itself refuses the write
    with cache:
        assert _results(cat, _read(cat, few, cache)) == without_cache
        assert _results(cat, _read(cat, few, cache)) == without_cache  # said once
    path = out / CACHE_DIR / CACHE_FILE
    assert lines == [f"Không ghi được vào bộ nhớ đệm '{path}' ({reason}): kết quả lần này không "
                     f"được lưu, lần sau các tệp được đọc lại. {todo}"]
    with open_cache(out, cat, _no_line) as again:
        assert _read(cat, few, again).cached == 0  # nothing was kept, nothing half-kept


def test_a_result_that_cannot_be_pickled_is_not_kept(tmp_path):
    lines: list[str] = []
    with ResultCache(tmp_path / "cache", "ngữ cảnh", lines.append) as cache:
        cache.put_many({"k": (lambda: 0, None)})  # type: ignore[dict-item]
        assert cache.get_many(["k"]) == {}
    assert len(lines) == 1
    assert lines[0].startswith("Bộ nhớ đệm: không lưu được kết quả của một tệp (")
    assert lines[0].endswith("); tệp đó được đọc lại lần sau.")


def test_a_build_with_a_damaged_cache_equals_a_build_without(tmp_path, cat, few):
    out = tmp_path / "out"
    (out / CACHE_DIR).mkdir(parents=True)
    (out / CACHE_DIR / CACHE_FILE).write_bytes(b"\x00garbage" * 1000)
    (out / CACHE_DIR / CHART_CACHE).write_text("not a folder", encoding="utf-8")
    lines: list[str] = []
    damaged = run_build(few, out, cat, TEMPLATE, as_of=AS_OF, pdf=False, log=lines.append)
    plain = run_build(few, tmp_path / "plain", cat, TEMPLATE, as_of=AS_OF, pdf=False,
                      log=lambda _: None, cache=False)
    assert sum("không phải bộ nhớ đệm của chương trình" in line for line in lines) == 1
    assert [f.line() for f in damaged.findings] == [f.line() for f in plain.findings]
    for name in (MERGED_CSV,):
        assert (damaged.folder / name).read_bytes() == (plain.folder / name).read_bytes()
    shown = sorted(p.name for p in (plain.folder / "hinh").iterdir())
    assert shown == sorted(p.name for p in (damaged.folder / "hinh").iterdir())
