"""Progress: status as of a date, rates, the fast import path, build diffs. (The weekly and
monthly reports and the letters are tested in test_letters.py.)"""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys

import openpyxl

from pipeline.build import PROGRESS, run_build
from pipeline.office.progress import Delivery
from pipeline.office.status import check_inputs, rates, run_status, status_table

from .conftest import ROOT, TEMPLATE, copy_build, write_unit_workbook
from .test_asof import date_narratives

AS_OF = dt.date(2020, 3, 30)


def _status(cat, folder, day=AS_OF):
    checked = check_inputs(cat, folder, day, log=lambda _: None, full_narratives=False)
    return {p.unit: p for p in checked.progress}, checked


def test_status_of_the_samples_as_of_a_fixed_date(cat, inputs):
    status, checked = _status(cat, date_narratives(inputs))
    assert status["KHTC"].status == "Đã nộp, trễ 2 ngày"
    assert status["KHTC"].received == dt.date(2020, 3, 12)  # "ngày gửi" in the form
    assert status["KHTC"].due == dt.date(2020, 3, 10)
    assert status["TTRA"].status == "Đã nộp, đúng hạn"  # sent 25/03, due 25/03
    assert status["KHTC"].state.late and not status["TTRA"].state.late
    assert (status["KHTC"].required_filled, status["KHTC"].required_total) == (36, 36)
    assert status["KHTC"].form_version == cat.form_version
    assert status["KHTC"].narrative == "KHTC_thuyet_minh_mau.docx"
    r = rates(checked.progress)
    assert (r.expected, r.received, r.on_time, r.late, r.not_sent) == (9, 9, 8, 1, 0)
    assert r.line() == "Đã nhận: 9/9 đơn vị (100,0%), trong đó đúng hạn 8 (88,9%), trễ hạn 1."


def test_a_unit_not_yet_due_and_one_overdue(cat, inputs):
    for f in inputs.glob("QLCS_*"):
        f.unlink()
    before, _ = _status(cat, inputs, dt.date(2020, 3, 20))
    assert before["QLCS"].status == "Chưa nộp, còn hạn đến 25/03"
    after, checked = _status(cat, inputs, dt.date(2020, 4, 1))
    assert after["QLCS"].status == "Chưa nộp, quá hạn 7 ngày"
    assert (rates(checked.progress).received, rates(checked.progress).overdue) == (8, 1)


def test_looking_back_before_a_file_was_sent(cat, inputs):
    # KHTC's form says it was sent on 12/03/2020: as of 11/03 it had not been.
    status, checked = _status(cat, date_narratives(inputs), dt.date(2020, 3, 11))
    khtc = status["KHTC"]
    assert (khtc.status, khtc.received, khtc.workbook, khtc.required_filled) == (
        "Chưa nộp, quá hạn 1 ngày", None, "", 0)
    assert khtc.note == "Biểu số liệu và thuyết minh gửi sau ngày tính, chưa tính."
    assert khtc.state.later and [x.file for x in khtc.later] == [
        "KHTC_so_lieu_mau.xlsx", "KHTC_thuyet_minh_mau.docx"]
    assert checked.validation.values == ()  # nothing sent yet: no figure either


def test_a_unit_whose_files_sit_in_a_folder_named_after_it_has_sent_them(cat, inputs,
                                                                          tmp_path):
    (inputs / "TDC").mkdir()  # only the folder says whose they are
    (inputs / "TDC_so_lieu_mau.xlsx").rename(inputs / "TDC" / "bieu.xlsx")
    (inputs / "TDC_thuyet_minh_mau.docx").rename(inputs / "TDC" / "thuyet_minh.docx")

    run = run_status(cat, inputs, tmp_path / "out", AS_OF)

    tdc = next(p for p in run.checked.progress if p.unit == "TDC")
    assert tdc.state.delivery is Delivery.UNREADABLE
    assert tdc.status == "Đã nhận, chưa đọc được"  # never "Chưa nộp"
    assert tdc.note == "Tệp nhận được không đọc được; đã quá hạn 5 ngày."
    assert [u.split("': ")[0] for u in tdc.unread] == ["'TDC/bieu.xlsx",
                                                       "'TDC/thuyet_minh.docx"]
    lines = list(run.lines())
    start = lines.index("Tệp đã nhận nhưng chưa đọc được (2):")
    assert lines[start + 1].startswith("  TDC    'TDC/bieu.xlsx': Tệp nằm trong thư mục con")
    assert rates(run.checked.progress).received == 9  # received, though not read
    ws = openpyxl.load_workbook(run.table)["Tiến độ"]
    row = next(r for r in ws.iter_rows(min_row=2, values_only=True) if r[0] == "TDC")
    assert row[5:7] == ("(đã nhận, chưa đọc được)", "(đã nhận, chưa đọc được)")
    assert row[10:12] == ("Đã nhận, chưa đọc được",
                          "Tệp nhận được không đọc được; đã quá hạn 5 ngày.")


def test_completeness_counts_required_cells_objectively(cat, tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    # Two required cells left empty in KHTC's form (chi_nsdp 2011 and 2012).
    write_unit_workbook(cat, "KHTC", folder / "khtc.xlsx",
                        changes={("chi_nsdp", 2011): None, ("chi_nsdp", 2012): None})
    status, _ = _status(cat, folder)
    assert (status["KHTC"].required_filled, status["KHTC"].required_total) == (34, 36)
    assert status["KHTC"].errors == 2  # each empty required cell is also a finding


def test_status_command_prints_a_table_and_imports_no_heavy_library(tmp_path, inputs):
    code = (
        "import sys\n"
        "from click.testing import CliRunner\n"
        "from pipeline.cli import main\n"
        f"r = CliRunner().invoke(main, ['status', '--inputs', {str(inputs)!r}, '--outputs',"
        f" {str(tmp_path / 'out')!r}, '--as-of', '30/03/2020'])\n"
        "print(r.output)\n"
        "heavy = [m for m in ('pandas', 'docx', 'docxtpl', 'matplotlib') if m in sys.modules]\n"
        "print('HEAVY', heavy)\n"
        "sys.exit(r.exit_code)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         cwd=ROOT, timeout=120)
    assert out.returncode == 0, out.stderr
    assert "HEAVY []" in out.stdout
    assert ("Đã nhận: 9/9 đơn vị (100,0%), trong đó đúng hạn 8 (88,9%), trễ hạn 1."
            in out.stdout)
    lines = out.stdout.splitlines()
    khtc = next(line for line in lines if line.startswith("KHTC"))
    assert "12/03/2020" in khtc and khtc.endswith("  Đã nộp, trễ 2 ngày")
    ws = openpyxl.load_workbook(tmp_path / "out" / "tien-do.xlsx")["Tiến độ"]
    assert [c.value for c in ws[1]][:4] == ["Mã", "Đơn vị", "Mục chủ trì", "Hạn gửi"]


def test_status_table_has_one_line_per_unit_then_the_notes(cat, inputs):
    _, checked = _status(cat, date_narratives(inputs), dt.date(2020, 3, 24))
    lines = status_table(checked.progress).splitlines()
    assert lines[0].split()[:3] == ["Mã", "Đơn", "vị"]
    assert [line.split()[0] for line in lines[2:11]] == [
        "KHTC", "QLKH", "QLCN", "VP", "QLCS", "QLCNG", "TTRA", "TDC", "TTUD"]
    assert lines[11:] == ["Ghi chú:", "  Thanh tra Sở: Biểu số liệu và thuyết minh gửi sau "
                          "ngày tính, chưa tính."]
    assert max(len(line) for line in lines[:11]) <= 100  # fits a terminal


def _cell_of(cat, unit: str, key: str, year: int) -> tuple[str, str]:
    """(sheet, A1) of a row key and year in the unit's form, read off the form (rows from
    row 6 in the catalogue's order, the years from column E on)."""
    return {("TTRA", "tt_co_so", 2016): ("I.7", "J9")}[(unit, key, year)]


def test_diff_between_two_builds_names_exactly_the_changed_cell(tmp_path, cat, inputs,
                                                                sample_build):
    out = tmp_path / "out"
    first = copy_build(sample_build, out)  # the sample inputs built as of AS_OF, without PDF
    path = next(inputs.glob("TTRA_*.xlsx"))
    write_unit_workbook(cat, "TTRA", path, changes={("tt_co_so", 2016): 175},
                        meta={"ngay_gui": "27/03/2020"})
    second = run_build(inputs, out, cat, TEMPLATE, as_of=AS_OF, pdf=False, log=lambda _: None)
    ws = openpyxl.load_workbook(second.folder / PROGRESS)["Thay đổi"]
    rows = [[c.value for c in r] for r in ws.iter_rows(min_row=2)]
    changes = [r for r in rows if r[0] in ("Thay đổi", "Mới", "Bị bỏ")]
    sheet, cell = _cell_of(cat, "TTRA", "tt_co_so", 2016)
    old = [r for r in openpyxl.load_workbook(first / "so-lieu-tong-hop.xlsx")["Số liệu"]
           .iter_rows(values_only=True) if r[3] == "tt_co_so" and r[8] == 2016][0][9]
    assert changes == [["Thay đổi", "TTRA", "tt_co_so", "total", 2016, old, 175, path.name,
                        sheet, cell]]
    manifest = json.loads((second.folder / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["changes"]["previous"] == first.name
    assert manifest["changes"]["count"] == 1
