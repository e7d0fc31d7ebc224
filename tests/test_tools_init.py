"""pipeline/tools/init.py: the working folder `khcn init` writes, and where a command finds
the catalogue and the Word master when none is given (the working folder's, else the copy
shipped with the software)."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.core.errors import EXIT_OUTPUT, OutputError, PipelineError
from pipeline.tools import init
from pipeline.tools.init import default_file, init_folder, packaged

from .conftest import ROOT

SAMPLES = sorted(f"{unit}_{kind}_mau.{ext}"
                 for unit in ("KHTC", "QLCNG", "QLCN", "QLCS", "QLKH", "TDC", "TTRA", "TTUD", "VP")
                 for kind, ext in (("so_lieu", "xlsx"), ("thuyet_minh", "docx")))


def _tree(folder: Path) -> list[str]:
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*"))


def test_init_writes_samples_templates_an_empty_outputs_and_a_guide(tmp_path: Path):
    folder = tmp_path / "lam viec"

    written = init_folder(folder)

    assert _tree(folder) == sorted(
        ["HUONG-DAN.txt", "inputs", "outputs", "templates", "templates/catalogue.yaml",
         "templates/chapter.docx", "templates/phan-tich.yaml"]
        + [f"inputs/{name}" for name in SAMPLES])
    assert len(written) == 3 + 18 + 1
    assert (folder / "templates" / "catalogue.yaml").read_bytes() == \
        (ROOT / "templates" / "catalogue.yaml").read_bytes()
    assert (folder / "inputs" / "VP_so_lieu_mau.xlsx").read_bytes() == \
        (ROOT / "inputs" / "VP_so_lieu_mau.xlsx").read_bytes()


def test_the_guide_says_what_to_do_next_in_vietnamese_with_crlf(tmp_path: Path):
    init_folder(tmp_path / "w")

    raw = (tmp_path / "w" / "HUONG-DAN.txt").read_bytes()
    assert raw.count(b"\r\n") == raw.count(b"\n") > 10
    text = raw.decode("utf-8")
    assert "Việc tiếp theo: mở cửa sổ lệnh trong thư mục này rồi gõ" in text
    assert "  khcn report            tạo chương báo cáo" in text
    assert "catalogue.yaml: danh mục chỉ tiêu" in text


def test_an_existing_empty_folder_is_used(tmp_path: Path):
    (tmp_path / "w").mkdir()

    init_folder(tmp_path / "w")

    assert (tmp_path / "w" / "templates" / "chapter.docx").is_file()


def test_a_folder_holding_anything_is_refused_and_left_alone(tmp_path: Path):
    folder = tmp_path / "w"
    folder.mkdir()
    (folder / "ghi-chu.txt").write_text("của tôi", encoding="utf-8")

    with pytest.raises(OutputError) as e:
        init_folder(folder)

    assert str(e.value) == (f"Thư mục '{folder}' đã có tệp: không ghi đè. Hãy chọn một thư "
                            "mục mới hoặc thư mục trống.")
    assert e.value.exit_code == EXIT_OUTPUT == 4
    assert _tree(folder) == ["ghi-chu.txt"]


def test_a_file_given_as_the_folder_is_refused(tmp_path: Path):
    (tmp_path / "w").write_text("x", encoding="utf-8")

    with pytest.raises(OutputError, match="là một tệp, không phải thư mục"):
        init_folder(tmp_path / "w")


def test_an_install_without_its_templates_says_to_reinstall(tmp_path: Path, monkeypatch):
    monkeypatch.setattr(init, "packaged", lambda folder: None)

    with pytest.raises(PipelineError) as e:
        init_folder(tmp_path / "w")

    assert str(e.value) == (
        "Bản cài đặt thiếu 'templates/catalogue.yaml', 'templates/chapter.docx', "
        "'templates/phan-tich.yaml'. Hãy cài lại phần mềm (pip install --force-reinstall "
        "<tệp .whl>).")
    assert not (tmp_path / "w").exists()


def test_a_checkout_ships_the_repository_folders():
    assert packaged("templates") == ROOT / "templates"
    assert packaged("inputs") == ROOT / "inputs"
    assert packaged("khong-co") is None


def test_the_working_folder_templates_win(tmp_path: Path, monkeypatch):
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates" / "catalogue.yaml").write_text("units: []\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)

    assert default_file("templates/catalogue.yaml") == Path("templates/catalogue.yaml")
    # the master is not in the working folder: the shipped one is used
    assert default_file("templates/chapter.docx") == ROOT / "templates" / "chapter.docx"


def test_without_either_the_relative_path_is_kept_for_the_message(tmp_path: Path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(init, "packaged", lambda folder: None)

    assert default_file("templates/catalogue.yaml") == Path("templates/catalogue.yaml")
