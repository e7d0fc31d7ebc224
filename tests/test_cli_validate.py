"""The checking commands as a user runs them: `validate`, `check` and `report --strict`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from pipeline.catalogue.model import Catalogue
from pipeline.cli import main
from pipeline.office.feedback import FEEDBACK_SHEET
from pipeline.read.cache import CACHE_DIR

from .conftest import CATALOGUE, TEMPLATE, write_unit_workbook

UNITS = ["KHTC", "QLKH", "QLCN", "VP", "QLCS", "QLCNG", "TTRA", "TDC", "TTUD"]
TTRA = "TTRA_so_lieu_mau.xlsx"
BROKEN = "hong.xlsx"
CHECK_FOLDER, FEEDBACK, VALIDATION = "kiem-tra", "feedback", "bao-cao-kiem-tra.xlsx"
ABC = "Giá trị 'abc' không phải là số."


# (sheet, A1) of the cells used here, read off the units' forms: rows from row 6 in the
# catalogue's order, the years from column E on.
PLACES = {("TTRA", "tt_tien_phat", 2015): ("I.7", "I11")}


def _place(cat: Catalogue, unit: str, key: str, year: int) -> tuple[str, str]:
    """(sheet, A1) of a row key and year in the unit's form."""
    return PLACES[(unit, key, year)]


@pytest.fixture()
def runner() -> CliRunner:
    return CliRunner()


def _validate(runner: CliRunner, inputs: Path, outputs: Path, *extra: str):
    return runner.invoke(main, ["validate", "--catalogue", str(CATALOGUE), "--inputs",
                                str(inputs), "--outputs", str(outputs), "--as-of", "30/03/2020",
                                *extra])


def _break(cat: Catalogue, inputs: Path) -> None:
    """A truncated copy of a workbook, and TTRA's workbook with text in a number cell."""
    data = (inputs / "KHTC_so_lieu_mau.xlsx").read_bytes()
    (inputs / BROKEN).write_bytes(data[: len(data) // 2])
    write_unit_workbook(cat, "TTRA", inputs / TTRA, changes={("tt_tien_phat", 2015): "abc"})


# --- validate --------------------------------------------------------------------------------
def test_validate_clean_inputs(runner: CliRunner, tmp_path: Path, inputs: Path):
    outputs = tmp_path / "outputs"
    result = _validate(runner, inputs, outputs)
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    unit_lines = [line for line in lines if "lỗi   0" in line]
    assert len(unit_lines) == 9
    assert [line.split()[0] for line in unit_lines] == UNITS
    assert all("cảnh báo   0" in line for line in unit_lines)
    assert not [line for line in lines if line.startswith("[")]  # no finding lines
    report = outputs / CHECK_FOLDER / VALIDATION
    assert report.is_file()
    assert f"Báo cáo kiểm tra: {report}; tệp góp ý: 0." in lines
    assert not (outputs / CHECK_FOLDER / FEEDBACK).exists()
    assert sorted(p.name for p in outputs.iterdir()) == [CACHE_DIR, CHECK_FOLDER]  # no build


def test_validate_with_a_broken_file_and_an_error(runner: CliRunner, tmp_path: Path,
                                                  inputs: Path, cat: Catalogue):
    _break(cat, inputs)
    outputs = tmp_path / "outputs"
    result = _validate(runner, inputs, outputs)
    assert result.exit_code == 1, result.output
    sheet, cell = _place(cat, "TTRA", "tt_tien_phat", 2015)
    out = result.output
    assert f"[Lỗi] {TTRA} › {sheet}!{cell}: {ABC}" in out
    assert f"  ?      tệp không dùng được: {BROKEN}" in out.splitlines()
    assert f"[Lỗi] {BROKEN}: Không mở được tệp (" in out
    ttra = next(line for line in out.splitlines() if line.startswith("  TTRA "))
    assert "lỗi   1" in ttra
    assert "tệp góp ý: 2." in out  # TTRA's annotated copy, and a note about the broken file
    assert (outputs / CHECK_FOLDER / FEEDBACK / "TTRA_so_lieu_mau_gop_y.xlsx").is_file()
    assert (outputs / CHECK_FOLDER / FEEDBACK / "hong_gop_y.xlsx").is_file()


def test_validate_json(runner: CliRunner, tmp_path: Path, inputs: Path, cat: Catalogue):
    _break(cat, inputs)
    result = _validate(runner, inputs, tmp_path / "outputs", "--format", "json")
    assert result.exit_code == 1
    data = json.loads(result.stdout)
    assert data["errors"] == 2
    assert [u["unit"] for u in data["units"]] == UNITS
    ttra = next(u for u in data["units"] if u["unit"] == "TTRA")
    assert (ttra["errors"], ttra["workbook"]) == (1, TTRA)
    findings = data["findings"]
    assert all({"code", "severity", "file", "sheet", "cell", "message"} <= set(f)
               for f in findings)
    sheet, cell = _place(cat, "TTRA", "tt_tien_phat", 2015)
    assert sorted((f["code"], f["severity"], f["file"], f["sheet"], f["cell"])
                  for f in findings) == [
        ("file_unreadable", "error", BROKEN, "", ""),
        ("not_a_number", "error", TTRA, sheet, cell)]
    abc = next(f for f in findings if f["code"] == "not_a_number")
    assert abc["message"].startswith(ABC)
    assert (abc["unit"], abc["indicator"], abc["year"], abc["value"]) == (
        "TTRA", "tt_tien_phat", 2015, "abc")


# --- check -----------------------------------------------------------------------------------
def test_check_a_clean_workbook(runner: CliRunner, tmp_path: Path, cat: Catalogue):
    path = write_unit_workbook(cat, "QLKH", tmp_path / "QLKH_bieu.xlsx")
    out = tmp_path / "gop-y"
    result = runner.invoke(main, ["check", "--catalogue", str(CATALOGUE), str(path),
                                  "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "QLKH_bieu.xlsx: 0 lỗi, 0 cảnh báo/thông tin." in result.output
    assert "[Lỗi]" not in result.output
    # cli.check writes the annotated copy for every workbook, even a clean one.
    feedback = out / "QLKH_bieu_gop_y.xlsx"
    assert sorted(p.name for p in out.iterdir()) == [feedback.name]
    assert str(feedback) in result.output
    ws = load_workbook(feedback)[FEEDBACK_SHEET]
    assert ws["A5"].value == "Không phát hiện vấn đề nào."


def test_check_a_workbook_with_an_error(runner: CliRunner, tmp_path: Path, cat: Catalogue):
    path = write_unit_workbook(cat, "TTRA", tmp_path / "TTRA_bieu.xlsx",
                               changes={("tt_tien_phat", 2015): "abc"})
    out = tmp_path / "gop-y"
    result = runner.invoke(main, ["check", "--catalogue", str(CATALOGUE), str(path),
                                  "--out", str(out)])
    assert result.exit_code == 1, result.output
    sheet, cell = _place(cat, "TTRA", "tt_tien_phat", 2015)
    assert f"[Lỗi] TTRA_bieu.xlsx › {sheet}!{cell}: {ABC}" in result.output
    assert "TTRA_bieu.xlsx: 1 lỗi, 0 cảnh báo/thông tin." in result.output
    ws = load_workbook(out / "TTRA_bieu_gop_y.xlsx")[FEEDBACK_SHEET]
    row = [ws.cell(5, c).value for c in range(1, 9)]
    assert row[:7] == [1, "Lỗi", sheet, cell, "Số tiền xử phạt vi phạm hành chính", 2015,
                       "abc"]
    assert row[7].startswith(ABC)
    assert ws.cell(6, 1).value is None  # one finding, one row
    assert ws.cell(5, 4).hyperlink.location == f"'{sheet}'!{cell}"
    assert path.is_file()


def test_check_a_file_that_is_not_office(runner: CliRunner, tmp_path: Path):
    path = tmp_path / "ghi_chu.txt"
    path.write_text("Số liệu gửi sau.", encoding="utf-8")
    out = tmp_path / "gop-y"
    result = runner.invoke(main, ["check", "--catalogue", str(CATALOGUE), str(path),
                                  "--out", str(out)])
    assert result.exit_code == 1
    assert ("[Lỗi] ghi_chu.txt: Tệp văn bản thuần (.txt) không giữ được biểu mẫu (mã đơn vị, "
            "mã chỉ tiêu). Hãy nhập số liệu vào biểu mẫu .xlsx do Phòng Kế hoạch Tài chính "
            "gửi.") in result.output
    assert "ghi_chu.txt: 1 lỗi" in result.output
    assert "Traceback" not in result.output
    # no annotated copy of a file that is not a workbook: a short note saying what to do
    note = out / "ghi_chu_txt_gop_y.xlsx"
    assert f"Tệp góp ý (mở trang 'Lỗi' để đến từng ô): {note}" in result.output
    assert sorted(p.name for p in out.iterdir()) == ["ghi_chu_txt_gop_y.xlsx"]
    ws = load_workbook(note)[FEEDBACK_SHEET]
    texts = [c.value for row in ws.iter_rows() for c in row if isinstance(c.value, str)]
    assert "TỆP 'ghi_chu.txt' CHƯA ĐỌC ĐƯỢC" in texts[0]
    assert any(t.startswith("Tệp văn bản thuần (.txt)") for t in texts)


def test_check_a_missing_file_is_a_usage_error(runner: CliRunner, tmp_path: Path):
    result = runner.invoke(main, ["check", "--catalogue", str(CATALOGUE),
                                  str(tmp_path / "khong_co.xlsx")])
    assert result.exit_code == 2
    assert "khong_co.xlsx" in result.output


# --- report --strict -------------------------------------------------------------------------
def _report(runner: CliRunner, inputs: Path, outputs: Path, *extra: str):
    return runner.invoke(main, ["report", "--catalogue", str(CATALOGUE), "--template",
                                str(TEMPLATE), "--inputs", str(inputs), "--outputs",
                                str(outputs), "--no-pdf", "--as-of", "30/03/2020", *extra])


def test_report_strict_refuses_a_build_with_an_error(runner: CliRunner, tmp_path: Path,
                                                     inputs: Path, cat: Catalogue):
    write_unit_workbook(cat, "TTRA", inputs / TTRA, changes={("tt_tien_phat", 2015): "abc"})
    outputs = tmp_path / "outputs"
    result = _report(runner, inputs, outputs, "--strict")
    assert result.exit_code == 1, result.output
    folder = outputs / CHECK_FOLDER
    assert ("Lỗi: Có 1 lỗi trong tệp của các đơn vị nên bản chính thức không được tạo "
            f"(--strict). Xem '{folder / VALIDATION}'") in result.output
    assert f"'{folder / FEEDBACK}'" in result.output
    assert "Xong:" not in result.output and "Traceback" not in result.output
    # No build folder, no `latest`, no lock or half-written folder: kiem-tra/ (and the
    # cache of what was read).
    assert sorted(p.name for p in outputs.iterdir()) == [CACHE_DIR, CHECK_FOLDER]
    assert (folder / VALIDATION).is_file()
    assert sorted(p.name for p in (folder / FEEDBACK).iterdir()) == [
        "TTRA_so_lieu_mau_gop_y.xlsx"]

    # The same inputs without --strict: the chapter is built, the error reported.
    result = _report(runner, inputs, outputs)
    assert result.exit_code == 0, result.output
    assert "Xong:" in result.output and "(lỗi: 1, " in result.output
    builds = [p for p in outputs.iterdir() if p.is_dir() and not p.is_symlink()
              and p.name not in (CHECK_FOLDER, CACHE_DIR)]
    assert len(builds) == 1
    assert (outputs / "latest").resolve() == builds[0].resolve()
    assert (builds[0] / "chuong-khcn.docx").is_file()


def test_report_strict_builds_clean_inputs(runner: CliRunner, tmp_path: Path, inputs: Path):
    outputs = tmp_path / "outputs"
    result = _report(runner, inputs, outputs, "--strict")
    assert result.exit_code == 0, result.output
    assert "(lỗi: 0, " in result.output
    assert (outputs / "latest").is_symlink()
    assert not (outputs / CHECK_FOLDER).exists()


def test_validate_names_the_unit_of_a_second_file_passed_over(runner: CliRunner,
                                                             tmp_path: Path, inputs: Path):
    import shutil

    shutil.copy(inputs / "KHTC_so_lieu_mau.xlsx", inputs / "ban_cu.xlsx")  # same content
    result = _validate(runner, inputs, tmp_path / "outputs")
    # identical files: the one saved later (the copy) is used, the other is passed over and
    # named as KHTC's (not "?")
    passed_over = [line for line in result.output.splitlines() if "không dùng được:" in line]
    assert passed_over == ["  KHTC   tệp không dùng được: KHTC_so_lieu_mau.xlsx"]
