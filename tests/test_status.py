"""The typed status of a unit (`Status`): its fields, and the Vietnamese line written from them
(expected lines written by hand); `run_status`, what `make status` runs; units whose only
entry in inputs/ was not read (a FIFO, a link out, a hidden name, a subfolder) shown as
received, with why, in the status lines and the validation report; `check_file` refusing what
is not a regular file."""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
from pathlib import Path

import pytest
from openpyxl import load_workbook

from pipeline.core.errors import BuildError
from pipeline.office.progress import Count, Delivery, Status, UnitProgress, unit_status
from pipeline.office.reports import UNREAD_SHEET, progress_rows
from pipeline.office.status import (
    check_file,
    check_inputs,
    run_status,
    run_validate,
)
from pipeline.validate.asof import Later

from .conftest import returns_within
from .test_asof import date_narratives

DUE = dt.date(2020, 3, 25)


def _status(as_of: dt.date, *, workbook: bool = True, narrative: bool = True,
            owes: bool = True, unread: bool = False,
            received: dt.date | None = dt.date(2020, 3, 24)) -> Status:
    return unit_status(as_of, DUE, workbook, narrative, owes, unread, received)


# (case, status, delivery, words, behind)
CASES = [
    ("not sent, before the deadline",
     _status(dt.date(2020, 3, 20), workbook=False, narrative=False, received=None),
     Delivery.NOT_SENT, "Chưa nộp, còn hạn đến 25/03", True),
    ("not sent, on the deadline",
     _status(DUE, workbook=False, narrative=False, received=None),
     Delivery.NOT_SENT, "Chưa nộp, còn hạn đến 25/03", True),
    ("not sent, after the deadline",
     _status(dt.date(2020, 4, 1), workbook=False, narrative=False, received=None),
     Delivery.NOT_SENT, "Chưa nộp, quá hạn 7 ngày", True),
    ("sent on time", _status(dt.date(2020, 3, 30)), Delivery.SENT, "Đã nộp, đúng hạn", False),
    ("sent on the deadline day", _status(dt.date(2020, 3, 30), received=DUE), Delivery.SENT,
     "Đã nộp, đúng hạn", False),
    ("sent late", _status(dt.date(2020, 3, 30), received=dt.date(2020, 3, 27)), Delivery.SENT,
     "Đã nộp, trễ 2 ngày", False),
    ("missing narrative", _status(dt.date(2020, 3, 30), narrative=False), Delivery.SENT,
     "Đã nộp, đúng hạn", True),
    ("missing workbook", _status(dt.date(2020, 3, 30), workbook=False), Delivery.SENT,
     "Đã nộp, đúng hạn", True),
    ("narrative only, no workbook owed", _status(dt.date(2020, 3, 30), workbook=False,
                                                 owes=False),
     Delivery.SENT, "Đã nộp, đúng hạn", False),
    ("late, missing both halves and an unread file",
     _status(dt.date(2020, 4, 2), workbook=True, narrative=False, unread=True,
             received=dt.date(2020, 3, 31)),
     Delivery.SENT, "Đã nộp, trễ 6 ngày", True),
    ("only unreadable files, before the deadline",
     _status(dt.date(2020, 3, 20), workbook=False, narrative=False, unread=True,
             received=dt.date(2020, 3, 5)),
     Delivery.UNREADABLE, "Đã nhận, chưa đọc được", True),
    ("only unreadable files, after the deadline",
     _status(dt.date(2020, 5, 15), workbook=False, narrative=False, unread=True,
             received=dt.date(2020, 3, 5)),
     Delivery.UNREADABLE, "Đã nhận, chưa đọc được", True),
]


@pytest.mark.parametrize(("case", "status", "delivery", "words", "behind"), CASES,
                         ids=[c[0] for c in CASES])
def test_status_fields_and_words(case, status, delivery, words, behind):
    assert status.delivery is delivery
    assert status.text == words
    assert status.behind is behind


def _unit(state: Status, **kw: object) -> UnitProgress:
    base: dict[str, object] = dict(
        unit="TTRA", name="Thanh tra Sở", items=("I.7",), due=DUE,
        workbook="TTRA.xlsx" if state.delivery is Delivery.SENT else "", narrative="",
        received=dt.date(2020, 3, 24), form_version="1.0", required_filled=10,
        required_total=10, cells_filled=10, cells_total=12, errors=0, warnings=0, state=state)
    base.update(kw)
    return UnitProgress(**base)  # type: ignore[arg-type]


# (case, unit, note): the details the status leaves out, written by hand
NOTES = [
    ("nothing to add", _unit(_status(dt.date(2020, 3, 30))), ""),
    ("missing narrative, errors, empty cells, a late task",
     _unit(_status(dt.date(2020, 3, 30), narrative=False), errors=2, required_filled=7,
           tasks=2, tasks_due=2, tasks_done=1, tasks_late=1),
     "Chưa có thuyết minh; thiếu 3 ô bắt buộc; còn 2 lỗi cần sửa; trễ 1 việc trong kế hoạch "
     "tuần."),
    ("missing workbook", _unit(_status(dt.date(2020, 3, 30), workbook=False),
                               narrative="TTRA.docx", workbook=""),
     "Chưa có biểu số liệu."),
    ("late, missing narrative and an unread file",
     _unit(_status(dt.date(2020, 4, 2), narrative=False, unread=True,
                   received=dt.date(2020, 3, 31))),
     "Chưa có thuyết minh; có tệp không đọc được."),
    ("unreadable, overdue",
     _unit(_status(dt.date(2020, 5, 15), workbook=False, narrative=False, unread=True,
                   received=dt.date(2020, 3, 5)), unread=("'TTRA.pdf': không đọc được",)),
     "Tệp nhận được không đọc được; đã quá hạn 51 ngày."),
    ("held back", _unit(unit_status(dt.date(2020, 3, 20), DUE, False, False, True, True,
                                    dt.date(2020, 3, 5), held_back=True)),
     "Tệp bị tạm giữ vì mã đơn vị không khớp."),
    ("nothing yet, both halves sent later",
     _unit(_status(dt.date(2020, 3, 20), workbook=False, narrative=False, received=None),
           received=None, later=(Later("TTRA.xlsx", "TTRA", dt.date(2020, 3, 25), "workbook"),
                                 Later("TTRA.docx", "TTRA", dt.date(2020, 3, 25),
                                       "narrative"))),
     "Biểu số liệu và thuyết minh gửi sau ngày tính, chưa tính."),
    ("a new version sent later",
     _unit(_status(dt.date(2020, 3, 24)),
           later=(Later("TTRA_2.xlsx", "TTRA", dt.date(2020, 3, 25), "workbook"),)),
     "Bản mới của biểu số liệu gửi sau ngày tính, chưa tính."),
]


@pytest.mark.parametrize(("case", "unit", "note"), NOTES, ids=[c[0] for c in NOTES])
def test_the_note_says_what_the_status_leaves_out(case, unit, note):
    assert unit.note == note


def test_days_overdue_and_late_are_fields():
    overdue = _status(dt.date(2020, 4, 1), workbook=False, narrative=False, received=None)
    assert (overdue.days_overdue, overdue.late, overdue.days_late) == (7, False, 0)
    assert overdue.count is Count.OVERDUE
    late = _status(dt.date(2020, 3, 30), received=dt.date(2020, 3, 27))
    assert (late.late, late.days_late, late.days_overdue, late.count) == (True, 2, 5, Count.LATE)
    waiting = _status(dt.date(2020, 3, 20), workbook=False, narrative=False, received=None)
    assert (waiting.count, waiting.days_overdue, waiting.due) == (Count.WAITING, 0, DUE)


def test_the_missing_halves_are_fields_whatever_the_delivery():
    nothing = _status(dt.date(2020, 3, 20), workbook=False, narrative=False, received=None)
    assert nothing.missing_workbook and nothing.missing_narrative
    unreadable = _status(dt.date(2020, 3, 20), workbook=False, narrative=False, unread=True)
    assert unreadable.unread_files and unreadable.missing_workbook
    assert unreadable.count is Count.UNREADABLE


def test_statuses_read_from_an_inputs_folder(cat, inputs):
    date_narratives(inputs)  # each narrative dated like its workbook (QLCN: 24/03)
    (inputs / "QLKH_thuyet_minh_mau.docx").unlink()  # workbook only
    (inputs / "QLCN_so_lieu_mau.xlsx").unlink()  # narrative only, dated by the file
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
    assert (by_unit["QLKH"].status, by_unit["QLKH"].note) == (
        "Đã nộp, đúng hạn", "Chưa có thuyết minh; trễ 1 việc trong kế hoạch tuần.")
    assert by_unit["QLKH"].state.missing_narrative
    assert (by_unit["QLCN"].status, by_unit["QLCN"].note) == ("Đã nộp, đúng hạn",
                                                              "Chưa có biểu số liệu.")
    assert by_unit["QLCN"].state.missing_workbook
    assert by_unit["QLCN"].received == dt.date(2020, 3, 24)
    assert (by_unit["TTRA"].status, by_unit["TTRA"].note) == (
        "Đã nhận, chưa đọc được", "Tệp nhận được không đọc được; đã quá hạn 5 ngày.")
    assert by_unit["TTRA"].state.delivery is Delivery.UNREADABLE
    assert by_unit["TTRA"].received == dt.date(2020, 3, 5)
    assert (by_unit["TDC"].status, by_unit["TDC"].note) == ("Chưa nộp, quá hạn 5 ngày", "")
    assert by_unit["TDC"].state.days_overdue == 5
    assert by_unit["KHTC"].status == "Đã nộp, trễ 2 ngày"  # the sample says 12/03, due 10/03
    # As of a day before the PDF came, TTRA had sent nothing.
    earlier = check_inputs(cat, inputs, dt.date(2020, 3, 4), log=lambda _: None,
                           full_narratives=False)
    ttra = next(p for p in earlier.progress if p.unit == "TTRA")
    assert (ttra.status, ttra.unread, ttra.note) == ("Chưa nộp, còn hạn đến 25/03", (),
                                                     "Có tệp gửi sau ngày tính, chưa tính.")


def test_run_status_writes_the_table_and_says_what_make_status_prints(cat, inputs, tmp_path):
    date_narratives(inputs)
    for f in inputs.glob("TDC_*"):
        f.unlink()
    run = run_status(cat, inputs, tmp_path / "out", dt.date(2020, 3, 30))
    assert run.table == tmp_path / "out" / "tien-do.xlsx"
    lines = list(run.lines())
    assert lines[0] == "Tiến độ tính đến ngày 30/03/2020:"
    assert lines[-2] == ("Đã nhận: 8/9 đơn vị (88,9%), trong đó đúng hạn 7 (77,8%), trễ hạn "
                         "1. Chưa nộp: 1 đơn vị, đã quá hạn.")
    assert lines[-1] == f"Bảng tiến độ: {tmp_path / 'out' / 'tien-do.xlsx'}"
    table = lines[1].splitlines()
    assert re.split(r"\s{2,}", table[0]) == ["Mã", "Đơn vị", "Hạn gửi", "Ngày gửi",
                                             "Ô bắt buộc", "Lỗi", "Tình trạng"]
    tdc = next(line for line in table if line.startswith("TDC "))
    assert re.split(r"\s{2,}", tdc) == ["TDC", "Chi cục TCĐLCL", "25/03/2020", "-", "-", "-",
                                        "Chưa nộp, quá hạn 5 ngày"]
    # The notes, under the table: the seven who sent are each a task late (due 25/03).
    assert table[11:] == ["Ghi chú:"] + [f"  {label}: Trễ 1 việc trong kế hoạch tuần." for label in
                                          ["P. KHTC", "P. QLKH", "P. QLCN", "Văn phòng Sở",
                                           "P. QLCS", "P. QLCNG", "Thanh tra Sở",
                                           "TT Ứng dụng"]]
    ws = load_workbook(run.table)["Tiến độ"]
    assert [c.value for c in ws[1]] == [
        "Mã", "Đơn vị", "Mục chủ trì", "Hạn gửi", "Ngày gửi", "Biểu số liệu", "Thuyết minh",
        "Ô bắt buộc đã điền", "Lỗi", "Cảnh báo", "Tình trạng", "Ghi chú", "Kế hoạch tuần",
        "Thay đổi gần nhất"]
    row = next(r for r in ws.iter_rows(min_row=2, values_only=True) if r[0] == "TDC")
    assert row == ("TDC", "Chi cục TCĐLCL", "I.8", dt.datetime(2020, 3, 25), "-",
                   "(chưa nộp)", "(chưa nộp)", "-", "-", "-", "Chưa nộp, quá hạn 5 ngày", "-",
                   "-", "-")
    khtc = [c for c in ws[2]]
    assert [c.value for c in khtc[:5]] == ["KHTC", "P. KHTC", "I.1", dt.datetime(2020, 3, 10),
                                           dt.datetime(2020, 3, 12)]
    assert [c.number_format for c in khtc[3:5]] == ["DD/MM/YYYY"] * 2
    assert [c.value for c in khtc[7:]] == ["100%", 0, 0, "Đã nộp, trễ 2 ngày",
                                          "Trễ 1 việc trong kế hoạch tuần.",
                                          "2/3 việc đến hạn đã xong, trễ 1",
                                          dt.datetime(2020, 3, 12)]
    # Dates never wrap: their columns hold dd/mm/yyyy and are not wrapped; the sheet prints
    # landscape, one page wide.
    assert all(ws.column_dimensions[c].width >= 11 for c in "DEN")
    assert not any(c.alignment.wrap_text for c in (khtc[3], khtc[4], khtc[13], khtc[10]))
    assert ws.page_setup.orientation == "landscape" and ws.page_setup.fitToWidth == 1


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
        assert p.status == "Đã nhận, chưa đọc được", unit
        assert p.received_anything, unit
        (entry,) = [e for u, e, _ in UNREAD if u == unit]
        (line,) = p.unread
        assert line.startswith(f"'{entry}': "), unit
    assert by_unit["TTRA"].unread == (
        "'TTRA_so_lieu_mau.xlsx': Mục này là một ống dẫn (FIFO), không phải tệp, nên không "
        "được mở. Hãy xóa mục này khỏi thư mục inputs và chép vào đó chính tệp biểu số liệu "
        "(.xlsx) hoặc thuyết minh (.docx).",)
    assert (by_unit["KHTC"].status, by_unit["KHTC"].state.unread_files) == (
        "Đã nộp, trễ 2 ngày", True)
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
    assert lines[-2] == ("Đã nhận: 9/9 đơn vị (100,0%), trong đó đúng hạn 4 (44,4%), trễ hạn "
                         "1, chưa đọc được 4.")  # received, though not read
    ttra = next(line for line in lines[1].splitlines() if line.startswith("TTRA "))
    assert ttra.endswith("  Đã nhận, chưa đọc được")


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
