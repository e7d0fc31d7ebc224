"""The typed status of a unit (`Status`): its fields, and the Vietnamese line written from them
(expected lines written by hand); `run_status`, what `make status` runs."""

from __future__ import annotations

import datetime as dt
import os

import pytest
from openpyxl import load_workbook

from pipeline.office.progress import Delivery, Status, unit_status
from pipeline.office.status import check_inputs, run_status

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
    assert by_unit["KHTC"].status == "Đã nộp đúng hạn"
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
