"""Unit tests of pipeline/office/diff.py: diff_builds() between two small hand-made merged
tables (a changed value, an added and a removed one, nothing changed, units that appear or
disappear), BuildDiff.summary(), and load_previous() on a build folder, a missing one and a
damaged one."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from pipeline.office.diff import BuildDiff, Change, diff_builds, load_previous

COLUMNS = ["unit", "indicator", "breakdown", "year", "value", "file", "sheet", "cell"]


def _table(*rows: tuple[str, str, str, int, float, str]) -> pd.DataFrame:
    """Rows of (unit, indicator, breakdown, year, value, cell) as a merged table."""
    return pd.DataFrame(
        [(u, i, b, y, v, f"{u}.xlsx", "I.1" if u == "KHTC" else "I.2", c)
         for u, i, b, y, v, c in rows], columns=COLUMNS)


OLD = _table(("KHTC", "chi_nsdp", "total", 2011, 900.0, "E6"),
             ("KHTC", "chi_nsdp", "total", 2012, 1000.0, "F6"),
             ("KHTC", "chi_khcn", "dtpt", 2011, 5.0, "E7"),
             ("QLKH", "nv_ung_dung", "total", 2011, 3.0, "E20"))


def _previous(df: pd.DataFrame | None = OLD, units: tuple[str, ...] = ("KHTC", "QLKH"),
              name: str = "2020-03-20_09-00") -> tuple[str, pd.DataFrame | None, tuple[str, ...]]:
    return name, df, units


# --- diff_builds -----------------------------------------------------------------------------

def test_nothing_changed():
    diff = diff_builds(_previous(), OLD.copy(), ("KHTC", "QLKH"))
    assert diff == BuildDiff("2020-03-20_09-00", (), (), ())


def test_a_tiny_float_difference_is_not_a_change():
    new = OLD.copy()
    new.loc[0, "value"] = 900.0 + 1e-12
    assert diff_builds(_previous(), new, ("KHTC", "QLKH")).changes == ()


def test_a_changed_value_names_the_cell_and_both_values():
    new = OLD.copy()
    new.loc[1, "value"] = 1100.0
    diff = diff_builds(_previous(), new, ("KHTC", "QLKH"))
    assert diff.changes == (Change("changed", "KHTC", "chi_nsdp", "total", 2012, 1000.0, 1100.0,
                                   "KHTC.xlsx", "I.1", "F6"),)
    assert diff.changes[0].kind_vi == "Thay đổi"


def test_an_added_and_a_removed_value():
    new = pd.concat([OLD.iloc[[0, 1, 3]],
                     _table(("KHTC", "chi_khcn", "su_nghiep", 2011, 7.0, "E8"))],
                    ignore_index=True)
    diff = diff_builds(_previous(), new, ("KHTC", "QLKH"))
    assert diff.changes == (
        Change("removed", "KHTC", "chi_khcn", "dtpt", 2011, 5.0, None, "KHTC.xlsx", "I.1", "E7"),
        Change("added", "KHTC", "chi_khcn", "su_nghiep", 2011, None, 7.0, "KHTC.xlsx", "I.1",
               "E8"),
    )
    assert [c.kind_vi for c in diff.changes] == ["Bị bỏ", "Mới"]


def test_changes_are_sorted_by_unit_indicator_part_year():
    new = OLD.copy()
    new["value"] = new["value"] + 1
    keys = [(c.unit, c.indicator, c.breakdown, c.year)
            for c in diff_builds(_previous(), new, ("KHTC", "QLKH")).changes]
    assert keys == [("KHTC", "chi_khcn", "dtpt", 2011), ("KHTC", "chi_nsdp", "total", 2011),
                    ("KHTC", "chi_nsdp", "total", 2012), ("QLKH", "nv_ung_dung", "total", 2011)]


def test_units_that_appear_and_disappear():
    new = _table(("KHTC", "chi_nsdp", "total", 2011, 900.0, "E6"),
                 ("KHTC", "chi_nsdp", "total", 2012, 1000.0, "F6"),
                 ("KHTC", "chi_khcn", "dtpt", 2011, 5.0, "E7"),
                 ("VP", "tt_co_so", "total", 2011, 12.0, "E6"))
    diff = diff_builds(_previous(), new, ("KHTC", "VP", "TDC"))
    assert diff.units_added == ("TDC", "VP")
    assert diff.units_missing == ("QLKH",)
    assert [(c.kind, c.unit) for c in diff.changes] == [("removed", "QLKH"), ("added", "VP")]


def test_no_previous_build_gives_an_empty_diff():
    diff = diff_builds(("", None, ()), OLD, ("KHTC", "QLKH"))
    assert diff == BuildDiff("", (), (), ())


def test_an_empty_new_table_removes_every_value():
    empty = pd.DataFrame(columns=COLUMNS)
    diff = diff_builds(_previous(), empty, ())
    assert [c.kind for c in diff.changes] == ["removed"] * 4
    assert diff.units_missing == ("KHTC", "QLKH")


# --- summary ---------------------------------------------------------------------------------

def test_summary_of_a_first_build():
    assert BuildDiff("", (), (), ()).summary() == ("Đây là lần tổng hợp đầu tiên; chưa có bản "
                                                   "trước để so sánh.")


def test_summary_counts_and_units():
    new = pd.concat([OLD.iloc[[1, 2]], _table(("VP", "tt_co_so", "total", 2011, 1.0, "E6"))],
                    ignore_index=True)
    new.loc[0, "value"] = 1.0
    diff = diff_builds(_previous(), new, ("KHTC", "VP"))
    assert diff.summary() == ("So với bản 2020-03-20_09-00: 1 giá trị thay đổi, 1 giá trị mới, "
                              "2 giá trị bị bỏ. Đơn vị mới gửi: VP. Đơn vị không còn số liệu: "
                              "QLKH.")


def test_summary_when_nothing_changed():
    diff = diff_builds(_previous(), OLD, ("KHTC", "QLKH"))
    assert diff.summary() == ("So với bản 2020-03-20_09-00: 0 giá trị thay đổi, 0 giá trị mới, "
                              "0 giá trị bị bỏ.")


# --- load_previous ---------------------------------------------------------------------------

def _build(folder: Path, df: pd.DataFrame, units: dict[str, str] | None = None) -> Path:
    folder.mkdir(parents=True)
    df.to_csv(folder / "so-lieu-tong-hop.csv", index=False, encoding="utf-8-sig")
    if units is not None:
        (folder / "manifest.json").write_text(json.dumps({"units": units}), encoding="utf-8")
    return folder


def test_load_previous_of_no_folder():
    assert load_previous(None) == ("", None, ())


def test_load_previous_of_a_missing_folder(tmp_path: Path):
    assert load_previous(tmp_path / "outputs" / "latest") == ("", None, ())


def test_load_previous_of_a_folder_without_the_merged_csv(tmp_path: Path):
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "manifest.json").write_text('{"units": {"KHTC": "a.xlsx"}}',
                                                  encoding="utf-8")
    assert load_previous(tmp_path / "b") == ("", None, ())


def test_load_previous_reads_the_table_and_the_manifests_units(tmp_path: Path):
    build = _build(tmp_path / "2020-03-20_09-00", OLD,
                   {"QLKH": "QLKH.xlsx", "KHTC": "KHTC.xlsx", "TDC": "TDC.xlsx"})
    name, df, units = load_previous(build)
    assert name == "2020-03-20_09-00"
    assert units == ("KHTC", "QLKH", "TDC")  # TDC sent a file without values
    assert df is not None
    assert df["cell"].tolist() == ["E6", "F6", "E7", "E20"]
    assert df["value"].tolist() == [900.0, 1000.0, 5.0, 3.0]


def test_load_previous_without_manifest_takes_the_units_of_the_table(tmp_path: Path):
    _, _, units = load_previous(_build(tmp_path / "b", OLD))
    assert units == ("KHTC", "QLKH")


def test_load_previous_through_the_latest_link_names_the_build(tmp_path: Path):
    outputs = tmp_path / "outputs"
    _build(outputs / "2020-03-20_09-00", OLD, {"KHTC": "k", "QLKH": "q"})
    (outputs / "latest").symlink_to("2020-03-20_09-00")
    assert load_previous(outputs / "latest")[0] == "2020-03-20_09-00"


def test_a_loaded_build_diffs_as_nothing_changed(tmp_path: Path):
    previous = load_previous(_build(tmp_path / "b", OLD, {"KHTC": "k", "QLKH": "q"}))
    assert diff_builds(previous, OLD, ("KHTC", "QLKH")).changes == ()


def test_codes_that_look_like_numbers_stay_text(tmp_path: Path):
    df = _table(("KHTC", "chi_khcn", "1", 2011, 5.0, "E7"))
    previous = load_previous(_build(tmp_path / "b", df))
    assert previous[1] is not None
    assert previous[1]["breakdown"].tolist() == ["1"]
    assert diff_builds(previous, df, ("KHTC",)).changes == ()


@pytest.mark.parametrize("content", [
    b"",
    b"unit;indicator;breakdown;year;value\nKHTC;chi_nsdp;total;2011;900\n",
    b"\xff\xfe\x00 not utf-8 \xc3\x28",
    b"unit,indicator,breakdown,year,value,file,sheet,cell\n"
    b"KHTC,chi_nsdp,total,hai nghin,900,a,b,C5\n",
], ids=["empty", "semicolons", "not-utf8", "year-as-text"])
def test_a_damaged_previous_build_is_no_baseline(tmp_path: Path, content: bytes):
    build = tmp_path / "2020-03-20_09-00"
    build.mkdir()
    (build / "so-lieu-tong-hop.csv").write_bytes(content)
    assert load_previous(build) == ("", None, ())


def test_a_damaged_manifest_falls_back_to_the_tables_units(tmp_path: Path):
    build = _build(tmp_path / "b", OLD)
    (build / "manifest.json").write_text("{ not json", encoding="utf-8")
    assert load_previous(build)[2] == ("KHTC", "QLKH")
