"""The validation report and the progress rows, as the office reads them: cell values, the
status line, and the severity colours shared with the feedback copies (hex written by hand)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from openpyxl import load_workbook

from pipeline.core.findings import Finding, Severity
from pipeline.office.progress import UnitProgress, unit_status
from pipeline.office.reports import progress_rows, write_validation_report

ORANGE, YELLOW, BLUE = "00F4B183", "00FFE699", "00BDD7EE"  # error, warning, information


def _finding(severity: Severity, cell: str) -> Finding:
    return Finding(code="x", severity=severity, file="KHTC_so_lieu.xlsx",
                   message="Hãy kiểm tra ô này.", sheet="I.1", cell=cell, unit="KHTC",
                   indicator="chi_khcn.dtpt", year=2015, value="5")


def _unit(**kw: object) -> UnitProgress:
    base: dict[str, object] = dict(
        unit="KHTC", name="Phòng Kế hoạch Tài chính", items=("I.1",),
        due=dt.date(2020, 3, 10), workbook="KHTC_so_lieu.xlsx", narrative="",
        received=dt.date(2020, 3, 9), form_version="1.2", required_filled=3,
        required_total=4, cells_filled=5, cells_total=10, errors=1, warnings=1,
        state=unit_status(dt.date(2020, 3, 30), dt.date(2020, 3, 10), True, False, True,
                          False, dt.date(2020, 3, 9)))
    base.update(kw)
    return UnitProgress(**base)


def test_findings_are_coloured_by_severity(tmp_path: Path):
    findings = [_finding(Severity.ERROR, "E6"), _finding(Severity.WARNING, "F6"),
                _finding(Severity.INFO, "G6")]
    path = tmp_path / "bao-cao.xlsx"
    write_validation_report(findings, [_unit()], path,
                            {"chi_khcn.dtpt": "Chi ngân sách cho KH&CN – Chi đầu tư phát triển"})
    ws = load_workbook(path)["Phát hiện"]
    assert [ws[f"A{r}"].value for r in (2, 3, 4)] == ["Lỗi", "Cảnh báo", "Thông tin"]
    assert [ws[f"A{r}"].fill.fgColor.rgb for r in (2, 3, 4)] == [ORANGE, YELLOW, BLUE]
    assert ws["G2"].value == "Chi ngân sách cho KH&CN – Chi đầu tư phát triển"
    assert ws["K2"].value == "chi_khcn.dtpt"


def test_the_summary_shows_the_status_line(tmp_path: Path):
    path = tmp_path / "bao-cao.xlsx"
    unread = _unit(unit="TTRA", name="Thanh tra Sở", workbook="",
                   unread=("'TTRA.pdf': không đọc được",),
                   state=unit_status(dt.date(2020, 3, 30), dt.date(2020, 3, 25), False, False,
                                     True, True, dt.date(2020, 3, 5)))
    write_validation_report([], [_unit(), unread], path)
    ws = load_workbook(path)["Tóm tắt"]
    assert [c.value for c in ws[2]] == ["KHTC", "Phòng Kế hoạch Tài chính", "KHTC_so_lieu.xlsx",
                                        "(chưa nộp)", 1, 1, "Đã nộp, đúng hạn"]
    assert [c.value for c in ws[3]] == ["TTRA", "Thanh tra Sở", "(đã nhận, chưa đọc được)",
                                        "(đã nhận, chưa đọc được)", 1, 1,
                                        "Đã nhận, chưa đọc được"]


def test_files_not_read_are_listed_with_their_unit_and_computations_are_not_a_file(
        tmp_path: Path):
    path = tmp_path / "bao-cao.xlsx"
    findings = [
        Finding(code="file_pdf", severity=Severity.ERROR, file="TTRA.pdf",
                message="Tệp PDF không đọc được số liệu.", unit="TTRA"),
        Finding(code="entry_hidden", severity=Severity.WARNING, file=".VP.xlsx",
                message="Tệp ẩn."),
        Finding(code="derive_missing", severity=Severity.WARNING, file="(tính toán)",
                message="Thiếu số liệu để tính."),
    ]
    write_validation_report(findings, [_unit()], path,
                            unread=[("TTRA", "TTRA.pdf", "file_pdf", "Tệp PDF..."),
                                    ("VP", ".VP.xlsx", "entry_hidden", "Tệp ẩn.")],
                            skipped=["Bỏ qua '~$KHTC.xlsx': tệp khóa tạm."])
    wb = load_workbook(path)
    assert wb.sheetnames == ["Tóm tắt", "Tệp chưa đọc", "Phát hiện"]
    summary = [[c.value for c in row][:3] for row in wb["Tóm tắt"].iter_rows(min_row=3)]
    assert summary == [["VP", "(tệp không dùng được hoặc bị bỏ qua)", ".VP.xlsx"],
                       ["TTRA", "(tệp không dùng được hoặc bị bỏ qua)", "TTRA.pdf"]]
    assert [[c.value for c in row] for row in wb["Tệp chưa đọc"].iter_rows(min_row=2)] == [
        ["TTRA", "TTRA.pdf", "file_pdf", "Tệp PDF..."],
        ["VP", ".VP.xlsx", "entry_hidden", "Tệp ẩn."],
        [None, None, "bo_qua", "Bỏ qua '~$KHTC.xlsx': tệp khóa tạm."]]


def test_progress_rows_are_the_table_as_text():
    assert progress_rows([_unit(tasks=3, tasks_due=2, tasks_done=1, tasks_late=1)]) == [[
        "KHTC", "Phòng Kế hoạch Tài chính", "I.1", "10/03/2020", "KHTC_so_lieu.xlsx",
        "(chưa nộp)", "09/03/2020", "1.2", "75%", "5/10", "1", "1",
        "Đã nộp, đúng hạn", "1/2 việc đến hạn đã xong, trễ 1"]]
