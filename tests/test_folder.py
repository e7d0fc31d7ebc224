"""pipeline/validate/folder.py: check_folder on the nine units' sample files (the `inputs`
fixture), on a missing folder, and with the cache of an outputs folder; entries not read given
the unit their path points to (`attribute`)."""

from __future__ import annotations

import os
import time

import pytest

from pipeline.core import findings as fnd
from pipeline.core.errors import BuildError
from pipeline.validate.folder import attribute, check_folder

UNITS = ["KHTC", "QLCN", "QLCNG", "QLCS", "QLKH", "TDC", "TTRA", "TTUD", "VP"]


def test_the_sample_folder_reads_nine_workbooks_without_error(cat, inputs):
    lines: list[str] = []

    read, validation = check_folder(cat, inputs, log=lines.append, full_narratives=False)

    assert sorted(w.unit for w in read.workbooks) == UNITS
    assert sorted(n.unit for n in read.narratives) == UNITS
    assert read.findings == ()
    assert validation.errors() == []
    assert [w.unit for w in validation.workbooks] == UNITS  # sorted by unit
    assert len(read.checks) == 9  # each workbook checked in its worker
    assert lines == [
        f"Đọc các tệp trong '{inputs}'...",
        "Đã đọc 9 biểu số liệu, 9 thuyết minh; 0 tệp không dùng được.",
    ]
    values = {(v.unit, v.indicator, v.breakdown, v.year): (v.value, v.sheet, v.cell)
              for v in validation.values}
    assert values[("KHTC", "chi_nsdp", "total", 2019)] == (17_420_000.0, "I.1", "M6")


def test_a_bad_file_and_a_lock_file_are_said_in_the_log(cat, inputs):
    (inputs / "TTUD_anh.png").write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 32)
    (inputs / "~$KHTC_so_lieu_mau.xlsx").write_bytes(b"\x00" * 165)
    old = time.time() - 3600  # settled files, not files still being copied in
    for name in ("TTUD_anh.png", "~$KHTC_so_lieu_mau.xlsx"):
        os.utime(inputs / name, (old, old))
    lines: list[str] = []

    read, validation = check_folder(cat, inputs, log=lines.append, full_narratives=False)

    assert [(f.code, f.file, f.unit) for f in validation.findings if f.code == "file_image"] == [
        ("file_image", "TTUD_anh.png", "TTUD")]
    assert [(u.file, u.unit) for u in validation.unread] == [("TTUD_anh.png", "TTUD")]
    assert lines[1:] == [
        "Bỏ qua '~$KHTC_so_lieu_mau.xlsx': tệp khóa tạm của Excel/Word/LibreOffice (tệp gốc "
        "đang mở).",
        "Đã đọc 9 biểu số liệu, 9 thuyết minh; 1 tệp không dùng được.",
    ]


def test_a_missing_folder_is_a_build_error_in_vietnamese(cat, tmp_path):
    missing = tmp_path / "khong_co"

    with pytest.raises(BuildError) as e:
        check_folder(cat, missing, log=lambda _: None)

    assert str(e.value) == (f"Không có thư mục đầu vào '{missing}'. Tạo thư mục và đặt các tệp "
                            "của đơn vị vào đó.")


def test_a_file_instead_of_a_folder_is_the_same_error(cat, tmp_path):
    path = tmp_path / "inputs.xlsx"
    path.write_bytes(b"PK")

    with pytest.raises(BuildError, match="^Không có thư mục đầu vào"):
        check_folder(cat, path, log=lambda _: None)


def test_a_second_call_with_the_cache_takes_the_files_from_it(cat, inputs, tmp_path):
    outputs = tmp_path / "outputs"
    first: list[str] = []
    second: list[str] = []

    _, v1 = check_folder(cat, inputs, log=first.append, full_narratives=False,
                         cache_dir=outputs)
    read, v2 = check_folder(cat, inputs, log=second.append, full_narratives=False,
                            cache_dir=outputs)

    assert first[-1] == "Đã đọc 9 biểu số liệu, 9 thuyết minh; 0 tệp không dùng được."
    # Light narratives are not kept: only the nine workbooks come from the cache.
    assert second[-1] == ("Đã đọc 9 biểu số liệu, 9 thuyết minh; 0 tệp không dùng được (9 tệp "
                          "không đổi, lấy từ bộ nhớ đệm).")
    assert read.cached == 9
    assert (outputs / ".cache" / "doc-tep.sqlite").is_file()
    assert sorted(v2.values) == sorted(v1.values)
    assert v2.errors() == []


def test_every_entry_not_read_is_given_the_unit_its_path_points_to(cat, inputs):
    for unit in ("QLCS", "TDC"):
        for f in inputs.glob(f"{unit}_*"):
            f.unlink()
    (inputs / "QLCS").mkdir()  # only the folder's name says whose it is
    (inputs / "QLCS" / "bieu.xlsx").write_bytes(b"PK")
    os.mkfifo(inputs / "TDC_so_lieu_mau.xlsx")
    (inputs / ".TTUD_ghi_chu.xlsx").write_bytes(b"PK")
    (inputs / "VP.xlsx").mkdir()
    os.mkfifo(inputs / "ong")  # names no unit
    lines: list[str] = []

    read, validation = check_folder(cat, inputs, log=lines.append, full_narratives=False)

    assert sorted((u.file, u.unit, u.code) for u in validation.unread) == [
        (".TTUD_ghi_chu.xlsx", "TTUD", "entry_hidden"),
        ("QLCS/bieu.xlsx", "QLCS", "file_in_subfolder"),
        ("TDC_so_lieu_mau.xlsx", "TDC", "entry_special"),
        ("VP.xlsx/", "VP", "entry_folder"),
        ("ong", "", "entry_special"),
    ]
    assert {f.file: f.unit for f in read.findings}["QLCS/bieu.xlsx"] == "QLCS"
    assert lines[-1] == "Đã đọc 7 biểu số liệu, 7 thuyết minh; 5 tệp không dùng được."


@pytest.mark.parametrize(("file", "unit"), [
    ("KHTC/bieu.xlsx", "KHTC"),  # the folder names the unit
    ("cu/VP_bieu.xlsx", "VP"),  # the file does
    ("KHTC/VP_bieu.xlsx", "VP"),  # both: the file's own name first
    ("KHTC/cu/bieu.xlsx", "KHTC"),  # a folder further up
    ("KHTC_VP/bieu.xlsx", ""),  # two units: none
    ("TTUD.xlsx/", "TTUD"),  # a folder itself
    ("cu/bieu.xlsx", ""),
])
def test_attribute_reads_the_path_innermost_first(cat, file, unit):
    assert attribute(cat, fnd.make("file_in_subfolder", file)).unit == unit


def test_attribute_keeps_a_unit_already_known(cat):
    known = fnd.make("file_in_subfolder", "KHTC/bieu.xlsx", unit="VP")
    assert attribute(cat, known) is known
