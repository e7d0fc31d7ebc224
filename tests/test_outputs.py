"""Unit tests of pipeline/core/outputs.py: the names of the files and folders the pipeline
writes are the ones README.md promises the finance office (typed here by hand from README.md),
and the two name-making helpers."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.core import outputs

README = Path(__file__).resolve().parent.parent / "README.md"


@pytest.mark.parametrize(("constant", "name"), [
    ("CHAPTER", "chuong-khcn.docx"),
    ("CHAPTER_PDF", "chuong-khcn.pdf"),
    ("MERGED_XLSX", "so-lieu-tong-hop.xlsx"),
    ("MERGED_CSV", "so-lieu-tong-hop.csv"),
    ("VALIDATION", "bao-cao-kiem-tra.xlsx"),
    ("PROGRESS", "tien-do.xlsx"),
    ("MANIFEST", "manifest.json"),
    ("DICTIONARY", "tu-dien-du-lieu.xlsx"),
    ("PACK", "goi-tu-van"),
    ("FEEDBACK", "feedback"),
    ("LATEST", "latest"),
    ("CHECK_FOLDER", "kiem-tra"),
    ("PROGRESS_REPORTS", "bao-cao-tien-do"),
    ("CHART_CACHE", "hinh"),
])
def test_names_promised_by_the_readme(constant: str, name: str):
    assert getattr(outputs, constant) == name


@pytest.mark.parametrize("text", [
    "`chuong-khcn.docx`, `chuong-khcn.pdf`",
    "`so-lieu-tong-hop.xlsx`, `.csv`",
    "`bao-cao-kiem-tra.xlsx`",
    "`tien-do.xlsx`",
    "`manifest.json`",
    "`tu-dien-du-lieu.xlsx`",
    "`goi-tu-van/`, `goi-tu-van.zip`",
    "`outputs/latest/`",
    "`outputs/kiem-tra/`",
    "`outputs/bao-cao-tien-do/`",
    "`outputs/tien-do.xlsx`",
    "`outputs/.cache/hinh/`",
])
def test_the_readme_still_names_them(text: str):
    assert text in README.read_text(encoding="utf-8")


def test_the_lock_file_is_hidden_in_outputs():
    assert outputs.LOCK == ".build.lock"


def test_report_names_by_kind():
    assert outputs.REPORT_NAMES == {"tuan": "bao-cao-tuan.docx", "thang": "bao-cao-thang.docx"}
    assert outputs.LETTERS == "cong-van"


def test_progress_report_folder_is_kind_and_iso_date():
    assert outputs.progress_report_folder("tuan", "2020-03-25") == "tuan-2020-03-25"
    assert outputs.progress_report_folder("thang", "2020-04-10") == "thang-2020-04-10"


def test_reminder_name_carries_the_unit_code():
    assert outputs.reminder_name("QLKH") == "nhac-QLKH.docx"


def test_every_name_is_distinct_within_a_build_folder():
    names = [outputs.CHAPTER, outputs.CHAPTER_PDF, outputs.MERGED_XLSX, outputs.MERGED_CSV,
             outputs.MANIFEST, outputs.DICTIONARY, outputs.PACK, outputs.PROGRESS,
             outputs.VALIDATION, outputs.FEEDBACK]
    assert len(set(names)) == 10


# --- the newest build: a link `latest`, or latest.txt where links cannot be made ------------
def test_the_newest_build_is_where_the_link_leads(tmp_path):
    (tmp_path / "2026-01-02_080000").mkdir()
    (tmp_path / "latest").symlink_to("2026-01-02_080000")
    (tmp_path / "latest.txt").write_text("2026-01-01_080000\n", encoding="utf-8")  # older
    assert outputs.latest_build(tmp_path) == tmp_path / "latest"


def test_the_newest_build_is_named_by_the_pointer_file_without_a_link(tmp_path):
    (tmp_path / "2026-01-02_080000").mkdir()
    (tmp_path / "latest.txt").write_bytes(b"2026-01-02_080000\r\n")  # edited on Windows
    assert outputs.latest_build(tmp_path) == tmp_path / "2026-01-02_080000"


@pytest.mark.parametrize("text", ["", "2026-01-03_080000", "../elsewhere", "\udcff"])
def test_a_pointer_naming_no_build_folder_gives_none(tmp_path, text):
    (tmp_path / "2026-01-02_080000").mkdir()
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "latest.txt").write_text(text, encoding="utf-8", errors="surrogateescape")
    assert outputs.latest_build(tmp_path) is None


def test_no_link_and_no_pointer_gives_none(tmp_path):
    assert outputs.latest_build(tmp_path) is None
