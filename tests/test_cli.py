"""The command line as a user runs it: exit codes and what is printed (click's CliRunner)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest
import yaml
from click.testing import CliRunner

from pipeline.cli import main
from pipeline.read.cache import CACHE_DIR

from .conftest import CATALOGUE, ROOT, returns_within, write_live_lock
from .test_asof import date_narratives

BAD_KEY = "items[I.3].indicators[grdp_tang].type"
CHAPTER, LOCK, MANIFEST = "chuong-khcn.docx", ".build.lock", "manifest.json"


@pytest.fixture()
def runner(monkeypatch) -> CliRunner:
    # The defaults (templates/catalogue.yaml, templates/chapter.docx) are relative to the
    # project folder, where `make` runs the commands.
    monkeypatch.chdir(ROOT)
    return CliRunner()


@pytest.fixture()
def bad_catalogue(tmp_path: Path) -> Path:
    raw = yaml.safe_load(CATALOGUE.read_text(encoding="utf-8"))
    ind = next(i for it in raw["items"] for i in it.get("indicators", [])
               if i["code"] == "grdp_tang")
    ind["type"] = "text"
    path = tmp_path / "catalogue.yaml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def test_every_command_has_help(runner: CliRunner):
    assert set(main.commands) >= {"forms", "samples", "template", "report"}
    top = runner.invoke(main, ["--help"])
    assert top.exit_code == 0
    for name, command in main.commands.items():
        result = runner.invoke(main, [name, "--help"])
        assert result.exit_code == 0, name
        first_line = (command.help or "").strip().splitlines()[0]
        assert first_line, name
        assert first_line in result.output, name
        assert f"Usage: main {name} [OPTIONS]" in result.output
    # The group's --help lists each command with the first words of its help line.
    listed = {line.split()[0]: line.split(None, 1)[1] for line in
              top.output.split("Commands:", 1)[1].splitlines() if len(line.split()) > 1}
    assert set(listed) == set(main.commands)
    for name, command in main.commands.items():
        assert command.help.strip().startswith(listed[name].rstrip(".").rstrip()), name


def test_forms_writes_a_workbook_and_a_narrative_per_unit(runner: CliRunner, tmp_path: Path):
    out = tmp_path / "forms"
    result = runner.invoke(main, ["forms", "--out", str(out)])
    assert result.exit_code == 0, result.output
    files = sorted(p.name for p in out.iterdir())
    assert len(files) == 18
    assert "KHTC_bieu_so_lieu.xlsx" in files and "TTUD_thuyet_minh.docx" in files
    assert "Đã tạo biểu mẫu cho 9 đơn vị" in result.output
    meta = openpyxl.load_workbook(out / "VP_bieu_so_lieu.xlsx")["Thông tin"]
    assert {r[0].value: r[2].value for r in meta.iter_rows(max_col=3)}["ma_don_vi"] == "VP"


def test_broken_catalogue_exits_3_naming_the_key(runner: CliRunner, tmp_path: Path,
                                                 bad_catalogue: Path):
    out = tmp_path / "forms"
    result = runner.invoke(main, ["forms", "--catalogue", str(bad_catalogue), "--out", str(out)])
    assert result.exit_code == 3  # the README's table: catalogue, template, inputs folder
    assert isinstance(result.exception, SystemExit)  # handled, not a crash
    assert result.output.startswith("Lỗi: ")
    assert BAD_KEY in result.output
    assert "không hợp lệ" in result.output
    assert "Traceback" not in result.output
    assert not out.exists()


def test_broken_catalogue_message_is_one_line_per_problem(runner: CliRunner, tmp_path: Path,
                                                          bad_catalogue: Path):
    # cli.py promises: "Lỗi: ..." naming the file, then one line per problem.
    result = runner.invoke(main, ["forms", "--catalogue", str(bad_catalogue),
                                  "--out", str(tmp_path / "forms")])
    assert result.exit_code == 3
    lines = result.output.strip().splitlines()
    assert lines[0] == "Lỗi: catalogue.yaml không hợp lệ:"
    [problem] = lines[1:]
    # The Vietnamese text and the three allowed types; the connective between the last two
    # comes from pydantic (English "or" today, see test_catalogue.py): not asserted here.
    assert problem.startswith(f"- {BAD_KEY}: phải là một trong: 'number', 'integer'")
    assert problem.endswith(" 'percent'")


def test_broken_catalogue_message_is_vietnamese(runner: CliRunner, tmp_path: Path,
                                                bad_catalogue: Path):
    # errors.py: a PipelineError's str() is Vietnamese; pydantic's English text leaks through.
    result = runner.invoke(main, ["forms", "--catalogue", str(bad_catalogue),
                                  "--out", str(tmp_path / "forms")])
    assert result.exit_code == 3
    assert "Input should be" not in result.output


def test_report_builds_the_chapter(runner: CliRunner, tmp_path: Path, inputs: Path):
    outputs = tmp_path / "outputs"
    result = runner.invoke(main, ["report", "--inputs", str(inputs), "--outputs", str(outputs),
                                  "--no-pdf", "--as-of", "30/03/2020"])
    assert result.exit_code == 0, result.output
    assert "Xong:" in result.output
    # one warning: data counted to 30/03/2020, after the document's own date (25/03/2020)
    assert "(lỗi: 0, cảnh báo: 0)" in result.output  # the samples agree with themselves
    assert "Đã đọc 9 biểu số liệu, 9 thuyết minh" in result.output
    builds = [p for p in outputs.iterdir()
              if p.is_dir() and not p.is_symlink() and p.name != CACHE_DIR]
    assert len(builds) == 1
    assert (outputs / "latest").resolve() == builds[0].resolve()
    assert (builds[0] / CHAPTER).is_file()
    assert '"as_of": "2020-03-30"' in (builds[0] / MANIFEST).read_text(encoding="utf-8")
    assert not (builds[0] / "chuong-khcn.pdf").exists()
    assert not (outputs / LOCK).exists()


def test_report_rejects_an_iso_date(runner: CliRunner, tmp_path: Path):
    (tmp_path / "inputs").mkdir()
    result = runner.invoke(main, ["report", "--inputs", str(tmp_path / "inputs"),
                                  "--outputs", str(tmp_path / "outputs"), "--no-pdf",
                                  "--as-of", "2020-03-30"])
    assert result.exit_code == 2
    assert "dd/mm/yyyy" in result.output and "'2020-03-30'" in result.output
    assert "--as-of" in result.output
    assert not (tmp_path / "outputs").exists()


def test_report_refuses_while_another_run_holds_the_lock(runner: CliRunner, tmp_path: Path):
    inputs = tmp_path / "inputs"
    inputs.mkdir()
    outputs = tmp_path / "outputs"
    outputs.mkdir()
    lock = outputs / LOCK
    write_live_lock(lock)  # this very process: certainly alive
    result = runner.invoke(main, ["report", "--inputs", str(inputs), "--outputs", str(outputs),
                                  "--no-pdf", "--as-of", "30/03/2020"])
    assert result.exit_code == 5  # another build is running
    assert result.output.startswith("Lỗi: Một lần chạy khác")
    assert f"tiến trình {os.getpid()}" in result.output
    assert "Traceback" not in result.output and "Xong:" not in result.output
    assert f'"pid": {os.getpid()}' in lock.read_text()  # the other run's lock is left alone
    assert sorted(p.name for p in outputs.iterdir()) == [LOCK]


def test_report_clears_a_stale_lock(runner: CliRunner, tmp_path: Path):
    inputs = tmp_path / "inputs"
    inputs.mkdir()
    outputs = tmp_path / "outputs"
    outputs.mkdir()
    finished = subprocess.Popen([sys.executable, "-c", "pass"])
    finished.wait()  # reaped: its PID no longer runs
    (outputs / LOCK).write_text(str(finished.pid))
    result = runner.invoke(main, ["report", "--inputs", str(inputs), "--outputs", str(outputs),
                                  "--no-pdf", "--as-of", "30/03/2020"])
    assert result.exit_code == 0, result.output
    assert "Xong:" in result.output
    assert not (outputs / LOCK).exists()


# --- status and progress-report: one library call each, the same output ---------------------
def test_status_prints_the_table_the_rates_and_where_it_wrote(runner: CliRunner,
                                                              tmp_path: Path, inputs: Path):
    for f in inputs.glob("TDC_*"):
        f.unlink()
    out = tmp_path / "out"
    result = runner.invoke(main, ["status", "--inputs", str(inputs), "--outputs", str(out),
                                  "--as-of", "30/03/2020"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == "Tiến độ tính đến ngày 30/03/2020:"
    assert lines[1].split() == ["Mã", "Đơn", "vị", "Hạn", "gửi", "Ngày", "gửi", "Ô", "bắt",
                                "buộc", "Lỗi", "Tình", "trạng"]
    tdc = next(line for line in lines if line.startswith("TDC "))
    assert tdc.split() == ["TDC", "Chi", "cục", "TCĐLCL", "25/03/2020", "-", "-", "-", "Chưa",
                           "nộp,", "quá", "hạn", "5", "ngày"]
    assert lines[-2] == ("Đã nhận: 8/9 đơn vị (88,9%), trong đó đúng hạn 7 (77,8%), trễ hạn "
                         "1. Chưa nộp: 1 đơn vị, đã quá hạn.")
    assert lines[-1] == f"Bảng tiến độ: {out / 'tien-do.xlsx'}"
    assert (out / "tien-do.xlsx").is_file()


def test_status_without_an_inputs_folder(runner: CliRunner, tmp_path: Path):
    result = runner.invoke(main, ["status", "--inputs", str(tmp_path / "none"), "--outputs",
                                  str(tmp_path / "out")])
    assert result.exit_code == 3
    assert result.output == (f"Lỗi: Không có thư mục đầu vào '{tmp_path / 'none'}'. Tạo thư "
                             "mục và đặt các tệp của đơn vị vào đó.\n")


def test_progress_report_with_nobody_to_chase(runner: CliRunner, tmp_path: Path,
                                              inputs: Path):
    date_narratives(inputs)  # a narrative counts from its file's date, as of 12/04/2020
    out = tmp_path / "out"
    result = runner.invoke(main, ["progress-report", "--kind", "thang", "--inputs",
                                  str(inputs), "--outputs", str(out), "--as-of", "12/04/2020"])
    assert result.exit_code == 0, result.output
    report = out / "bao-cao-tien-do" / "thang-2020-04-12" / "bao-cao-thang.docx"
    assert result.output.splitlines() == [f"Báo cáo: {report}",
                                          "Không có đơn vị cần đôn đốc."]
    assert report.is_file()


def test_help_names_the_files_written(runner: CliRunner):
    status = runner.invoke(main, ["status", "--help"]).output
    assert "Bảng tiến độ ghi vào <outputs>/tien-do.xlsx." in status
    validate = runner.invoke(main, ["validate", "--help"]).output
    assert "Báo cáo ghi vào <outputs>/kiem-tra/." in validate
    check = runner.invoke(main, ["check", "--help"]).output
    assert "outputs/kiem-tra" in check


# --- nothing reaches the user as a traceback: one line and the README's exit code -----------
def _raise(exc: BaseException):
    def fail(*_args, **_kwargs):
        raise exc
    return fail


def test_ctrl_c_ends_with_one_line_and_code_130(runner: CliRunner, tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch):
    import pipeline.office.status as status_mod

    monkeypatch.setattr(status_mod, "run_status", _raise(KeyboardInterrupt()))
    result = runner.invoke(main, ["status", "--inputs", str(tmp_path)])
    assert result.exit_code == 130
    assert result.output.strip() == ("Đã dừng theo yêu cầu (Ctrl-C); không có gì bị ghi dở: "
                                     "bản báo cáo mới nhất vẫn là bản trước.")


def test_a_full_disk_is_one_line_naming_the_file_and_code_4(runner: CliRunner, tmp_path: Path,
                                                            monkeypatch: pytest.MonkeyPatch):
    import errno

    import pipeline.office.status as status_mod

    full = OSError(errno.ENOSPC, "No space left on device", "outputs/tien-do.xlsx")
    monkeypatch.setattr(status_mod, "run_status", _raise(full))
    result = runner.invoke(main, ["status", "--inputs", str(tmp_path)])
    assert result.exit_code == 4
    assert result.output == ("Lỗi: Ổ đĩa đã đầy khi ghi 'outputs/tien-do.xlsx'. Hãy xóa bớt "
                             "tệp (ví dụ các bản báo cáo cũ trong outputs/) cho trống chỗ rồi "
                             "chạy lại.\n")


def test_a_software_fault_is_one_line_and_the_details_go_to_a_log(
        runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    import tempfile

    import pipeline.office.status as status_mod

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    monkeypatch.setattr(status_mod, "run_status", _raise(ZeroDivisionError("chia cho 0")))
    result = runner.invoke(main, ["status", "--inputs", str(tmp_path)])
    assert result.exit_code == 70
    [line] = result.output.splitlines()
    [log] = tmp_path.glob("khcn-loi-*.txt")
    assert line == (f"Lỗi: Phần mềm gặp lỗi (ZeroDivisionError), không phải do tệp của đơn vị. "
                    f"Chi tiết đã ghi vào '{log}': hãy gửi tệp này cho người phụ trách phần mềm.")
    details = log.read_text(encoding="utf-8")
    assert details.startswith("Traceback (most recent call last):")
    assert "ZeroDivisionError: chia cho 0" in details


# --- the Makefile passes a name to the command as one word, never to the shell --------------
@pytest.mark.skipif(shutil.which("make") is None, reason="needs make")
@pytest.mark.parametrize(("target", "variables", "argv"), [
    ("check", {"FILE": "KHTC `touch PWNED`.xlsx"},
     ["check", "--out", "outputs/kiem-tra", "--", "KHTC `touch PWNED`.xlsx"]),
    ("check", {"FILE": "$(shell touch PWNED)'; touch PWNED; '.xlsx"},
     ["check", "--out", "outputs/kiem-tra", "--", "$(shell touch PWNED)'; touch PWNED; '.xlsx"]),
    ("check", {"FILE": "-h.xlsx"}, ["check", "--out", "outputs/kiem-tra", "--", "-h.xlsx"]),
    ("status", {"ASOF": "30/03/2020$(touch PWNED)"},
     ["status", "--inputs", "inputs", "--outputs", "outputs", "--as-of",
      "30/03/2020$(touch PWNED)"]),
])
def test_make_passes_names_as_text(tmp_path: Path, target: str, variables: dict[str, str],
                                   argv: list[str]):
    echo = tmp_path / "echo.py"  # stands for khcn: writes the arguments it was given
    echo.write_text("import json, sys\nprint(json.dumps(sys.argv[1:]))\n")
    result = subprocess.run(
        ["make", "-s", "-C", str(ROOT), "-o", ".venv/.installed", target,
         f"KHCN={sys.executable} {echo}", *(f"{k}={v}" for k, v in variables.items())],
        capture_output=True, text=True, cwd=tmp_path, timeout=60)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout.splitlines()[-1]) == argv
    assert not (tmp_path / "PWNED").exists() and not (ROOT / "PWNED").exists()


@pytest.mark.parametrize("command", [["check"], ["forms", "--catalogue"],
                                     ["report", "--no-pdf", "--template"]])
def test_a_fifo_given_as_a_file_is_refused_without_opening_it(runner: CliRunner, tmp_path: Path,
                                                              command: list[str]):
    fifo = tmp_path / "KHTC.xlsx"
    os.mkfifo(fifo)  # opening it for reading would wait for a writer forever
    with returns_within(60):
        result = runner.invoke(main, [*command, str(fifo)])
    assert result.exit_code == 2
    assert (f"'{fifo}' là một ống dẫn (FIFO), không phải tệp. Hãy chỉ đúng tệp cần dùng."
            ) in result.output


def test_output_closed_by_the_reader_ends_quietly(tmp_path: Path, inputs: Path):
    # `khcn status | head -0`: the reader closes the pipe before the first line is written;
    # no message, no traceback, the code of a closed pipe.
    proc = subprocess.Popen(
        [sys.executable, "-c", "from pipeline.cli import main; main()", "status", "--inputs",
         str(inputs), "--outputs", str(tmp_path / "out"), "--as-of", "30/03/2020"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=ROOT)
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.close()  # as head does
    errors = proc.stderr.read().decode()
    proc.stderr.close()
    assert proc.wait(timeout=120) == 141
    assert errors == ""


# --- init, and the shipped templates ---------------------------------------------------------
def test_init_writes_a_working_folder_and_says_what_next(runner: CliRunner, tmp_path: Path):
    folder = tmp_path / "w"

    result = runner.invoke(main, ["init", str(folder)])

    assert result.exit_code == 0, result.output
    assert result.output == (
        f"Đã tạo thư mục làm việc '{folder}' (22 tệp). Đọc '{folder / 'HUONG-DAN.txt'}', rồi "
        f"chạy các lệnh trong thư mục đó, ví dụ: cd \"{folder}\" rồi khcn report\n")
    assert (folder / "templates" / "catalogue.yaml").is_file()
    assert (folder / "outputs").is_dir()


def test_init_refuses_a_folder_that_holds_files_with_code_4(runner: CliRunner, tmp_path: Path):
    (tmp_path / "w").mkdir()
    (tmp_path / "w" / "inputs").mkdir()

    result = runner.invoke(main, ["init", str(tmp_path / "w")])

    assert result.exit_code == 4
    assert result.output == (f"Lỗi: Thư mục '{tmp_path / 'w'}' đã có tệp: không ghi đè. Hãy "
                             "chọn một thư mục mới hoặc thư mục trống.\n")


def test_outside_a_working_folder_the_shipped_catalogue_is_used(tmp_path: Path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # no templates/ here

    result = CliRunner().invoke(main, ["forms", "--out", "bieu-mau"])

    assert result.exit_code == 0, result.output
    assert result.output.endswith("Đã tạo biểu mẫu cho 9 đơn vị trong 'bieu-mau'.\n")


def test_a_catalogue_given_on_the_command_line_wins(tmp_path: Path, monkeypatch,
                                                     bad_catalogue: Path):
    (tmp_path / "w").mkdir()
    monkeypatch.chdir(tmp_path / "w")

    result = CliRunner().invoke(main, ["forms", "--catalogue", str(bad_catalogue)])

    assert result.exit_code == 3
    assert BAD_KEY in result.output
