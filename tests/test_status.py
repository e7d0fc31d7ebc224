"""The typed status of a unit (`Status`): its fields, and the Vietnamese line written from them
(expected lines written by hand); `run_status`, what `make status` runs; units whose only
entry in inputs/ was not read (a FIFO, a link out, a hidden name, a subfolder) shown as
received, with why, in the status lines and the validation report; `check_file` refusing what
is not a regular file."""

from __future__ import annotations

import datetime as dt
import os
import shutil
from pathlib import Path

import pytest
from openpyxl import load_workbook

from pipeline.core.errors import BuildError
from pipeline.office.progress import Delivery, Status, unit_status
from pipeline.office.reports import UNREAD_SHEET, progress_rows
from pipeline.office.status import (
    check_file,
    check_inputs,
    run_status,
    run_validate,
)

from .conftest import returns_within

DUE = dt.date(2020, 3, 25)


def _status(as_of: dt.date, *, workbook: bool = True, narrative: bool = True,
            owes: bool = True, unread: bool = False,
            received: dt.date | None = dt.date(2020, 3, 24)) -> Status:
    return unit_status(as_of, DUE, workbook, narrative, owes, unread, received)


# (case, status, delivery, line, behind)
CASES = [
    ("not sent, before the deadline",
     _status(dt.date(2020, 3, 20), workbook=False, narrative=False, received=None),
     Delivery.NOT_SENT, "Chưa nộp – còn hạn", True),
    ("not sent, on the deadline",
     _status(DUE, workbook=False, narrative=False, received=None),
     Delivery.NOT_SENT, "Chưa nộp – còn hạn", True),
    ("not sent, after the deadline",
     _status(dt.date(2020, 4, 1), workbook=False, narrative=False, received=None),
     Delivery.NOT_SENT, "Chưa nộp – quá hạn 7 ngày", True),
    ("sent on time", _status(dt.date(2020, 3, 30)), Delivery.SENT, "Đã nộp đúng hạn", False),
    ("sent on the deadline day", _status(dt.date(2020, 3, 30), received=DUE), Delivery.SENT,
     "Đã nộp đúng hạn", False),
    ("sent late", _status(dt.date(2020, 3, 30), received=dt.date(2020, 3, 27)), Delivery.SENT,
     "Đã nộp, trễ hạn", False),
    ("missing narrative", _status(dt.date(2020, 3, 30), narrative=False), Delivery.SENT,
     "Đã nộp đúng hạn; thiếu thuyết minh", True),
    ("missing workbook", _status(dt.date(2020, 3, 30), workbook=False), Delivery.SENT,
     "Đã nộp đúng hạn; thiếu biểu số liệu", True),
    ("narrative only, no workbook owed", _status(dt.date(2020, 3, 30), workbook=False,
                                                 owes=False),
     Delivery.SENT, "Đã nộp đúng hạn", False),
    ("late, missing both halves and an unread file",
     _status(dt.date(2020, 4, 2), workbook=True, narrative=False, unread=True,
             received=dt.date(2020, 3, 31)),
     Delivery.SENT, "Đã nộp, trễ hạn; thiếu thuyết minh; có tệp chưa đọc được", True),
    ("only unreadable files, before the deadline",
     _status(dt.date(2020, 3, 20), workbook=False, narrative=False, unread=True,
             received=dt.date(2020, 3, 5)),
     Delivery.UNREADABLE, "Đã nhận, chưa đọc được tệp", True),
    ("only unreadable files, after the deadline",
     _status(dt.date(2020, 5, 15), workbook=False, narrative=False, unread=True,
             received=dt.date(2020, 3, 5)),
     Delivery.UNREADABLE, "Đã nhận, chưa đọc được tệp – quá hạn 51 ngày", True),
    ("a file dated after the as-of date", _status(dt.date(2020, 3, 20)), Delivery.NOT_SENT,
     "Chưa nộp – còn hạn (tệp ghi ngày gửi 24/03/2020, sau ngày tính)", True),
    ("a file dated after the as-of date, overdue",
     _status(dt.date(2020, 3, 26), received=dt.date(2020, 3, 27)), Delivery.NOT_SENT,
     "Chưa nộp – quá hạn 1 ngày (tệp ghi ngày gửi 27/03/2020, sau ngày tính)", True),
]


@pytest.mark.parametrize(("case", "status", "delivery", "line", "behind"), CASES,
                         ids=[c[0] for c in CASES])
def test_status_fields_and_line(case, status, delivery, line, behind):
    assert status.delivery is delivery
    assert status.text == line
    assert status.behind is behind


def test_days_overdue_and_late_are_fields():
    overdue = _status(dt.date(2020, 4, 1), workbook=False, narrative=False, received=None)
    assert (overdue.days_overdue, overdue.late, overdue.sent_after) == (7, False, None)
    late = _status(dt.date(2020, 3, 30), received=dt.date(2020, 3, 27))
    assert late.late and late.days_overdue == 5
    early = _status(dt.date(2020, 3, 20))
    assert early.sent_after == dt.date(2020, 3, 24) and early.days_overdue == 0
    assert not early.late  # not counted as sent at all, so not late either


def test_the_missing_halves_are_fields_whatever_the_delivery():
    nothing = _status(dt.date(2020, 3, 20), workbook=False, narrative=False, received=None)
    assert nothing.missing_workbook and nothing.missing_narrative
    unreadable = _status(dt.date(2020, 3, 20), workbook=False, narrative=False, unread=True)
    assert unreadable.unread_files and unreadable.missing_workbook


def test_statuses_read_from_an_inputs_folder(cat, inputs):
    (inputs / "QLKH_thuyet_minh_mau.docx").unlink()  # workbook only
    (inputs / "QLCN_so_lieu_mau.xlsx").unlink()  # narrative only, dated by the file
    sent = dt.datetime(2020, 3, 24, 9).timestamp()
    os.utime(inputs / "QLCN_thuyet_minh_mau.docx", (sent, sent))
    for f in inputs.glob("TTRA_*"):
        f.unlink()
    pdf = inputs / "TTRA_so_lieu.pdf"  # only a file that cannot be read
    pdf.write_bytes(b"%PDF-1.4\n%\xe2\xe3\n")
    stamp = dt.datetime(2020, 3, 5, 10).timestamp()
    os.utime(pdf, (stamp, stamp))
    for f in inputs.glob("TDC_*"):
        f.unlink()  # nothing at all
    checked = check_inputs(cat, inputs, dt.date(2020, 3, 30), log=lambda _: None,
                           full_narratives=False)
    by_unit = {p.unit: p for p in checked.progress}
    assert by_unit["QLKH"].status == "Đã nộp đúng hạn; thiếu thuyết minh"
    assert by_unit["QLKH"].state.missing_narrative
    assert by_unit["QLCN"].status == "Đã nộp đúng hạn; thiếu biểu số liệu"
    assert by_unit["QLCN"].state.missing_workbook
    assert by_unit["TTRA"].status == "Đã nhận, chưa đọc được tệp – quá hạn 5 ngày"
    assert by_unit["TTRA"].state.delivery is Delivery.UNREADABLE
    assert by_unit["TTRA"].received == dt.date(2020, 3, 5)
    assert by_unit["TDC"].status == "Chưa nộp – quá hạn 5 ngày"
    assert by_unit["TDC"].state.days_overdue == 5
    assert by_unit["KHTC"].status == "Đã nộp, trễ hạn"  # the sample says 12/03, due 10/03
    # As of a day before the PDF came, TTRA had sent nothing.
    earlier = check_inputs(cat, inputs, dt.date(2020, 3, 4), log=lambda _: None,
                           full_narratives=False)
    ttra = next(p for p in earlier.progress if p.unit == "TTRA")
    assert (ttra.status, ttra.unread) == ("Chưa nộp – còn hạn", ())


def test_run_status_writes_the_table_and_says_what_make_status_prints(cat, inputs, tmp_path):
    for f in inputs.glob("TDC_*"):
        f.unlink()
    run = run_status(cat, inputs, tmp_path / "out", dt.date(2020, 3, 30))
    assert run.table == tmp_path / "out" / "tien-do.xlsx"
    lines = list(run.lines())
    assert lines[0] == "Tiến độ tính đến ngày 30/03/2020:"
    assert lines[-2] == "Tỷ lệ đơn vị đã gửi: 8/9 (88,9%); gửi đúng hạn: 7/9 (77,8%)."  # TTRA late
    assert lines[-1] == f"Bảng tiến độ: {tmp_path / 'out' / 'tien-do.xlsx'}"
    tdc = next(line for line in lines[1].splitlines() if line.startswith("TDC "))
    assert "Chưa nộp – quá hạn 5 ngày" in tdc
    ws = load_workbook(run.table)["Tiến độ"]
    assert [c.value for c in ws[1]][12] == "Tình trạng"
    row = next(r for r in ws.iter_rows(min_row=2, values_only=True) if r[0] == "TDC")
    assert row[12] == "Chưa nộp – quá hạn 5 ngày"
    assert row[4] == "(chưa nộp)"


def _only_entries_not_read(inputs: Path, outside: Path) -> None:
    """TTRA, TDC, QLCS and VP each leave one entry in inputs/ that is not read, and nothing
    else; KHTC a copy of its workbook in a subfolder besides its own."""
    for unit in ("TTRA", "TDC", "QLCS", "VP"):
        (inputs / f"{unit}_thuyet_minh_mau.docx").unlink()
    (inputs / "TTRA_so_lieu_mau.xlsx").unlink()
    os.mkfifo(inputs / "TTRA_so_lieu_mau.xlsx")
    (inputs / "nop").mkdir()
    (inputs / "TDC_so_lieu_mau.xlsx").rename(inputs / "nop" / "TDC_so_lieu_mau.xlsx")
    (inputs / "QLCS_so_lieu_mau.xlsx").rename(inputs / ".QLCS_so_lieu_mau.xlsx")
    outside.mkdir()
    (inputs / "VP_so_lieu_mau.xlsx").rename(outside / "VP_so_lieu_mau.xlsx")
    (inputs / "VP_so_lieu_mau.xlsx").symlink_to(outside / "VP_so_lieu_mau.xlsx")
    shutil.copy2(inputs / "KHTC_so_lieu_mau.xlsx", inputs / "nop" / "KHTC_so_lieu_mau.xlsx")


UNREAD = [  # (unit, entry, code)
    ("KHTC", "nop/KHTC_so_lieu_mau.xlsx", "file_in_subfolder"),
    ("QLCS", ".QLCS_so_lieu_mau.xlsx", "entry_hidden"),
    ("TDC", "nop/TDC_so_lieu_mau.xlsx", "file_in_subfolder"),
    ("TTRA", "TTRA_so_lieu_mau.xlsx", "entry_special"),
    ("VP", "VP_so_lieu_mau.xlsx", "entry_link_outside"),
]


def test_a_unit_whose_only_entry_was_not_read_is_received_not_unsent(cat, inputs, tmp_path):
    _only_entries_not_read(inputs, tmp_path / "ngoai")

    with returns_within(120):
        checked = check_inputs(cat, inputs, dt.date(2020, 3, 30), log=lambda _: None,
                               full_narratives=False)

    by_unit = {p.unit: p for p in checked.progress}
    for unit in ("QLCS", "TDC", "TTRA", "VP"):
        p = by_unit[unit]
        assert p.state.delivery is Delivery.UNREADABLE, unit
        assert p.status.startswith("Đã nhận, chưa đọc được tệp"), unit
        assert p.received_anything, unit
        (entry,) = [e for u, e, _ in UNREAD if u == unit]
        (line,) = p.unread
        assert line.startswith(f"'{entry}': "), unit
    assert by_unit["TTRA"].unread == (
        "'TTRA_so_lieu_mau.xlsx': Mục này là một ống dẫn (FIFO), không phải tệp, nên không "
        "được mở. Hãy xóa mục này khỏi thư mục inputs và chép vào đó chính tệp biểu số liệu "
        "(.xlsx) hoặc thuyết minh (.docx).",)
    assert by_unit["KHTC"].status == "Đã nộp, trễ hạn; có tệp chưa đọc được"
    rows = {r[0]: r for r in progress_rows(checked.progress)}
    assert rows["TTRA"][4:6] == ["(đã nhận, chưa đọc được)", "(đã nhận, chưa đọc được)"]


def test_make_status_lists_every_entry_not_read_with_why(cat, inputs, tmp_path):
    _only_entries_not_read(inputs, tmp_path / "ngoai")

    with returns_within(120):
        run = run_status(cat, inputs, tmp_path / "out", dt.date(2020, 3, 30))

    lines = list(run.lines())
    assert lines[0] == "Tiến độ tính đến ngày 30/03/2020:"
    start = lines.index("Tệp đã nhận nhưng chưa đọc được (5):")
    listed = lines[start + 1:start + 6]
    assert [line.split("'")[:2] for line in listed] == [
        [f"  {unit:<6} ", entry] for unit, entry, _ in sorted(UNREAD, key=lambda u: u[1])]
    assert listed[0] == ("  QLCS   '.QLCS_so_lieu_mau.xlsx': Tệp ẩn (tên bắt đầu bằng dấu "
                         "chấm) nên không được đọc. Nếu đây là tệp của đơn vị, hãy đổi tên bỏ "
                         "dấu chấm ở đầu rồi chạy lại; nếu không, hãy xóa tệp khỏi thư mục "
                         "inputs.")
    assert lines[-2].startswith("Tỷ lệ đơn vị đã gửi: 9/9")  # received, though not read
    ttra = next(line for line in lines[1].splitlines() if line.startswith("TTRA "))
    assert "Đã nhận, chưa đọc được tệp" in ttra


def test_the_validation_report_lists_every_entry_not_read(cat, inputs, tmp_path):
    _only_entries_not_read(inputs, tmp_path / "ngoai")
    (inputs / "~$KHTC_so_lieu_mau.xlsx").write_bytes(b"\x00" * 165)
    outputs = tmp_path / "out"

    with returns_within(120):
        run = run_validate(cat, inputs, outputs, dt.date(2020, 3, 30), log=lambda _: None)

    report = load_workbook(run.written[0])
    assert report.sheetnames[:2] == ["Tóm tắt", UNREAD_SHEET]
    rows = list(report[UNREAD_SHEET].iter_rows(values_only=True))
    assert rows[0] == ("Đơn vị", "Tệp hoặc mục", "Mã", "Lý do và cách xử lý")
    assert sorted(r[:3] for r in rows[1:6]) == sorted(UNREAD)
    assert all(r[3] and "hãy" in str(r[3]).lower() for r in rows[1:6])
    assert rows[6] == (None, None, "bo_qua", "Bỏ qua '~$KHTC_so_lieu_mau.xlsx': tệp khóa tạm của "
                       "Excel/Word/LibreOffice (tệp gốc đang mở).")
    # A note for each entry not read; one in a subfolder gets its note in the same subfolder,
    # so that the copy of KHTC's workbook there never takes the place of KHTC's own feedback.
    feedback = outputs / "kiem-tra" / "feedback"
    notes = {p.relative_to(feedback).as_posix() for p in feedback.rglob("*.xlsx")}
    assert len(notes) == 5  # KHTC's own workbook holds no finding: no annotated copy
    assert notes >= {"nop/KHTC_so_lieu_mau_gop_y.xlsx", "nop/TDC_so_lieu_mau_gop_y.xlsx",
                     "TTRA_so_lieu_mau_gop_y.xlsx", "VP_so_lieu_mau_gop_y.xlsx"}
    assert [line for line in run.lines(as_json=False) if "TTRA_so_lieu_mau.xlsx" in line]


def test_validate_json_carries_the_entries_not_read(cat, inputs, tmp_path):
    import json

    os.mkfifo(inputs / "ong")
    run = run_validate(cat, inputs, tmp_path / "out", dt.date(2020, 3, 30), log=lambda _: None)

    (doc,) = run.lines(as_json=True)
    data = json.loads(doc)
    assert [(u["file"], u["unit"], u["code"]) for u in data["unread"]] == [
        ("ong", "", "entry_special")]
    assert data["unread"][0]["reason"].startswith("Mục này là một ống dẫn (FIFO)")


def test_check_file_refuses_what_is_not_a_regular_file_without_opening_it(cat, tmp_path):
    fifo = tmp_path / "KHTC_so_lieu.xlsx"
    os.mkfifo(fifo)

    with returns_within(30), pytest.raises(BuildError) as e:
        check_file(cat, fifo, tmp_path / "out")

    assert str(e.value) == (
        f"'{fifo}' là một ống dẫn (FIFO), không phải tệp, nên không được mở. Hãy chỉ đường dẫn "
        "tới chính tệp biểu số liệu (.xlsx) hoặc thuyết minh (.docx) cần kiểm tra.")
    with pytest.raises(BuildError, match="^'.*' là một thư mục, không phải tệp"):
        check_file(cat, tmp_path, tmp_path / "out")
    loop = tmp_path / "vong.xlsx"
    loop.symlink_to(loop)
    with pytest.raises(BuildError, match="^Không có tệp '.*vong.xlsx'. Hãy kiểm tra lại"):
        check_file(cat, loop, tmp_path / "out")
    assert not (tmp_path / "out").exists()  # nothing written
