"""pipeline/validate/asof.py and the one story `make status` tells as of a date: a file dated
after the date does not exist in the view; the table and the rates under it agree, before, on
and after the deadlines; nothing shown is dated after the date. Expected values written by
hand from the samples (tools/samples.py): KHTC due 10/03/2020 sent 12/03, TTRA due 25/03 sent
25/03, the seven others due 25/03 sent 24/03; the narratives dated like their workbooks."""

from __future__ import annotations

import datetime as dt
import os
import re
from pathlib import Path

import pytest
from openpyxl import load_workbook

from pipeline.catalogue.model import Catalogue
from pipeline.office.progress import Count
from pipeline.office.status import check_inputs, reporting_by_week, run_status
from pipeline.validate.asof import Later, as_of_view
from pipeline.validate.folder import read_folder

from .conftest import write_unit_workbook

UNITS = ["KHTC", "QLKH", "QLCN", "VP", "QLCS", "QLCNG", "TTRA", "TDC", "TTUD"]
SENT = {"KHTC": dt.date(2020, 3, 12), "TTRA": dt.date(2020, 3, 25)}  # the others: 24/03


def date_narratives(folder: Path) -> Path:
    """Give each sample narrative the date its workbook says it was sent (9:00 that day): a
    narrative is dated by its file, and the samples' files carry the day they were copied."""
    for path in folder.glob("*_thuyet_minh_mau.docx"):
        day = SENT.get(path.name.split("_")[0], dt.date(2020, 3, 24))
        stamp = dt.datetime.combine(day, dt.time(9)).timestamp()
        os.utime(path, (stamp, stamp))
    return folder


@pytest.fixture()
def dated(inputs: Path) -> Path:
    """The samples, each narrative dated like its workbook."""
    return date_narratives(inputs)


def _quiet(_: str) -> None:
    pass


# --- the view ----------------------------------------------------------------------------------
def test_the_view_leaves_out_every_file_dated_after_the_day(cat: Catalogue, dated: Path):
    read = read_folder(cat, dated, _quiet, full_narratives=False)

    view = as_of_view(read, dt.date(2020, 3, 20))

    assert [w.file.name for w in view.inputs.workbooks] == ["KHTC_so_lieu_mau.xlsx"]
    assert [n.file.name for n in view.inputs.narratives] == ["KHTC_thuyet_minh_mau.docx"]
    assert len(view.later) == 16
    assert view.later[:2] == (
        Later("QLCNG_so_lieu_mau.xlsx", "QLCNG", dt.date(2020, 3, 24), "workbook"),
        Later("QLCNG_thuyet_minh_mau.docx", "QLCNG", dt.date(2020, 3, 24), "narrative"))
    assert {x.unit for x in view.later} == set(UNITS) - {"KHTC"}
    assert sorted(f.name for f in view.inputs.files) == ["KHTC_so_lieu_mau.xlsx",
                                                         "KHTC_thuyet_minh_mau.docx"]
    # The day of the last file sent: everything; a view of a view is the earlier day's.
    assert as_of_view(read, dt.date(2020, 3, 25)).inputs is read
    again = as_of_view(as_of_view(read, dt.date(2020, 3, 24)).inputs, dt.date(2020, 3, 12))
    assert [w.unit for w in again.inputs.workbooks] == ["KHTC"]


def test_a_file_not_read_counts_from_its_own_date(cat: Catalogue, dated: Path):
    for f in dated.glob("TTRA_*"):
        f.unlink()
    pdf = dated / "TTRA_so_lieu.pdf"
    pdf.write_bytes(b"%PDF-1.4\n%\xe2\xe3\n")
    stamp = dt.datetime(2020, 3, 23, 10).timestamp()
    os.utime(pdf, (stamp, stamp))

    before = check_inputs(cat, dated, dt.date(2020, 3, 22), log=_quiet, full_narratives=False)
    on = check_inputs(cat, dated, dt.date(2020, 3, 23), log=_quiet, full_narratives=False)

    ttra = {c.as_of: next(p for p in c.progress if p.unit == "TTRA") for c in (before, on)}
    assert ttra[before.as_of].status == "Chưa nộp, còn hạn đến 25/03"
    assert ttra[before.as_of].note == "Có tệp gửi sau ngày tính, chưa tính."
    assert [f.file for f in before.validation.findings] == []  # not in the view's counts
    assert ttra[on.as_of].status == "Đã nhận, chưa đọc được"
    assert ttra[on.as_of].received == dt.date(2020, 3, 23)
    assert [f.file for f in on.validation.errors()] == ["TTRA_so_lieu.pdf"]


def test_of_two_versions_the_view_takes_the_one_sent_by_then(cat: Catalogue, dated: Path):
    # KHTC sends its workbook again on 22/03/2020 with two required cells emptied.
    write_unit_workbook(cat, "KHTC", dated / "KHTC_so_lieu_lan2.xlsx",
                        changes={("chi_nsdp", 2011): None, ("chi_nsdp", 2012): None},
                        meta={"ngay_gui": "22/03/2020", "lan_gui": 2})

    first = check_inputs(cat, dated, dt.date(2020, 3, 20), log=_quiet, full_narratives=False)
    second = check_inputs(cat, dated, dt.date(2020, 3, 22), log=_quiet, full_narratives=False)

    was = next(p for p in first.progress if p.unit == "KHTC")
    assert (was.workbook, was.received, was.errors) == ("KHTC_so_lieu_mau.xlsx",
                                                        dt.date(2020, 3, 12), 0)
    assert (was.required_filled, was.required_total) == (36, 36)
    assert was.note == "Bản mới của biểu số liệu gửi sau ngày tính, chưa tính."
    assert not [f for f in first.validation.findings if f.code.startswith("duplicate")]
    now = next(p for p in second.progress if p.unit == "KHTC")
    assert (now.workbook, now.received, now.errors) == ("KHTC_so_lieu_lan2.xlsx",
                                                        dt.date(2020, 3, 22), 2)
    assert now.status == "Đã nộp, trễ 12 ngày"  # its date sent is the new version's
    assert now.note == "Thiếu 2 ô bắt buộc; còn 2 lỗi cần sửa."
    assert now.last_change == dt.date(2020, 3, 22)


# --- one story: the table and the rates from the same rows ------------------------------------
# as-of date -> (status of KHTC, of TTRA, of the seven others, the rates line)
STORY = {
    dt.date(2020, 3, 5): ("Chưa nộp, còn hạn đến 10/03", "Chưa nộp, còn hạn đến 25/03",
                          "Chưa nộp, còn hạn đến 25/03",
                          "Chưa đơn vị nào nộp; cả 9 đơn vị còn hạn."),
    dt.date(2020, 3, 10): ("Chưa nộp, còn hạn đến 10/03", "Chưa nộp, còn hạn đến 25/03",
                           "Chưa nộp, còn hạn đến 25/03",
                           "Chưa đơn vị nào nộp; cả 9 đơn vị còn hạn."),
    dt.date(2020, 3, 11): ("Chưa nộp, quá hạn 1 ngày", "Chưa nộp, còn hạn đến 25/03",
                           "Chưa nộp, còn hạn đến 25/03",
                           "Chưa đơn vị nào nộp: quá hạn 1, còn hạn 8."),
    dt.date(2020, 3, 20): ("Đã nộp, trễ 2 ngày", "Chưa nộp, còn hạn đến 25/03",
                           "Chưa nộp, còn hạn đến 25/03",
                           "Đã nhận: 1/9 đơn vị (11,1%), trong đó trễ hạn 1. Chưa nộp: 8 đơn "
                           "vị, còn hạn."),
    dt.date(2020, 3, 24): ("Đã nộp, trễ 2 ngày", "Chưa nộp, còn hạn đến 25/03",
                           "Đã nộp, đúng hạn",
                           "Đã nhận: 8/9 đơn vị (88,9%), trong đó đúng hạn 7 (77,8%), trễ hạn "
                           "1. Chưa nộp: 1 đơn vị, còn hạn."),
    dt.date(2020, 3, 25): ("Đã nộp, trễ 2 ngày", "Đã nộp, đúng hạn", "Đã nộp, đúng hạn",
                           "Đã nhận: 9/9 đơn vị (100,0%), trong đó đúng hạn 8 (88,9%), trễ hạn "
                           "1."),
    dt.date(2020, 3, 30): ("Đã nộp, trễ 2 ngày", "Đã nộp, đúng hạn", "Đã nộp, đúng hạn",
                           "Đã nhận: 9/9 đơn vị (100,0%), trong đó đúng hạn 8 (88,9%), trễ hạn "
                           "1."),
}
DATE = re.compile(r"\b\d{2}/\d{2}/\d{4}\b")


def _table_rows(lines: list[str]) -> dict[str, list[str]]:
    """The terminal table's rows by unit code, cut at the header's column starts."""
    text = lines[1].splitlines()
    rule = text[1]
    starts = [m.start() for m in re.finditer(r"-+", rule)]
    out = {}
    for line in text[2:2 + len(UNITS)]:
        cells = [line[a:b].strip() for a, b in zip(starts, [*starts[1:], None])]
        out[cells[0]] = cells
    return out


def _words_count(status: str) -> Count:
    """What a reader takes a status to mean, from its words alone."""
    if status == "Đã nộp, đúng hạn":
        return Count.ON_TIME
    if status.startswith("Đã nộp, trễ"):
        return Count.LATE
    if status.startswith("Đã nhận"):
        return Count.UNREADABLE
    if status.startswith("Chưa nộp, quá hạn"):
        return Count.OVERDUE
    assert status.startswith("Chưa nộp, còn hạn"), status
    return Count.WAITING


@pytest.mark.parametrize("day", list(STORY), ids=[d.isoformat() for d in STORY])
def test_the_table_and_the_rates_tell_one_story(cat: Catalogue, dated: Path, tmp_path: Path,
                                                day: dt.date):
    khtc, ttra, others, line = STORY[day]

    run = run_status(cat, dated, tmp_path / "out", day)

    lines = list(run.lines())
    assert lines[0] == f"Tiến độ tính đến ngày {day:%d/%m/%Y}:"
    rows = _table_rows(lines)
    assert list(rows) == UNITS
    status = {unit: cells[6] for unit, cells in rows.items()}
    assert status["KHTC"] == khtc and status["TTRA"] == ttra
    assert {status[u] for u in UNITS if u not in ("KHTC", "TTRA")} == {others}
    assert lines[-2] == line
    # The rates line counts what the rows say, read from their words.
    counted = [_words_count(s) for s in status.values()]
    sent = sum(c in (Count.ON_TIME, Count.LATE, Count.UNREADABLE) for c in counted)
    on_time = counted.count(Count.ON_TIME)
    if sent:
        assert line.startswith(f"Đã nhận: {sent}/9 đơn vị")
        assert (f"đúng hạn {on_time} (" in line) == bool(on_time)
        assert (f"trễ hạn {counted.count(Count.LATE)}" in line) == (Count.LATE in counted)
    assert ("Chưa nộp" in line) == (0 < sent < 9)
    assert ("Chưa đơn vị nào nộp" in line) == (sent == 0)
    # A unit shown as not sent shows no date sent, no share filled and no error count.
    for unit, cells in rows.items():
        if status[unit].startswith("Chưa nộp"):
            assert cells[3:6] == ["-", "-", "-"], unit
        else:
            assert DATE.fullmatch(cells[3]) and cells[4] == "100%" and cells[5] == "0", unit
    # No date in any row or line is after the as-of date, but the deadlines ("Hạn gửi" and
    # "còn hạn đến dd/mm").
    for text in [*lines[2:], *[" ".join(c[:2] + c[3:]) for c in rows.values()]]:
        for found in DATE.findall(text):
            if not text.startswith("Bảng tiến độ"):
                assert dt.datetime.strptime(found, "%d/%m/%Y").date() <= day, (text, found)
    # tien-do.xlsx: the same rows, the same line.
    ws = load_workbook(run.table)["Tiến độ"]
    cells = {r[0]: r for r in ws.iter_rows(min_row=2, max_row=10, values_only=True)}
    assert [cells[u][10] for u in UNITS] == [status[u] for u in UNITS]
    assert all(c[4] == "-" or c[4].date() <= day for c in cells.values())
    assert all(c[13] == "-" or c[13].date() <= day for c in cells.values())
    assert ws.cell(12, 1).value == f"Tính đến ngày {day:%d/%m/%Y}. {line}"


def test_a_unit_that_never_sent_is_overdue_in_the_rates(cat: Catalogue, dated: Path,
                                                        tmp_path: Path):
    for f in dated.glob("TDC_*"):
        f.unlink()

    lines = list(run_status(cat, dated, tmp_path / "out", dt.date(2020, 3, 30)).lines())

    assert _table_rows(lines)["TDC"][6] == "Chưa nộp, quá hạn 5 ngày"
    assert lines[-2] == ("Đã nhận: 8/9 đơn vị (88,9%), trong đó đúng hạn 7 (77,8%), trễ hạn 1. "
                         "Chưa nộp: 1 đơn vị, đã quá hạn.")


# --- what the reports read ---------------------------------------------------------------------
def test_the_reporting_rate_week_by_week(cat: Catalogue, dated: Path):
    checked = check_inputs(cat, dated, dt.date(2020, 3, 30), log=_quiet, full_narratives=False)

    weeks = reporting_by_week(cat, checked)

    # From three weeks before the first deadline (10/03 - 21 days = 18/02), weeks ending on
    # the as-of date's weekday (a Monday).
    assert [(w.end, w.rates.received, w.rates.on_time, w.rates.late, w.rates.overdue)
            for w in weeks] == [
        (dt.date(2020, 2, 24), 0, 0, 0, 0),
        (dt.date(2020, 3, 2), 0, 0, 0, 0),
        (dt.date(2020, 3, 9), 0, 0, 0, 0),
        (dt.date(2020, 3, 16), 1, 0, 1, 0),  # KHTC, sent 12/03, due 10/03
        (dt.date(2020, 3, 23), 1, 0, 1, 0),
        (dt.date(2020, 3, 30), 9, 8, 1, 0)]
    assert weeks[-1].rates.line() == (
        "Đã nhận: 9/9 đơn vị (100,0%), trong đó đúng hạn 8 (88,9%), trễ hạn 1.")


def test_each_unit_carries_what_the_reports_name(cat: Catalogue, dated: Path):
    write_unit_workbook(cat, "KHTC", dated / "KHTC_so_lieu_mau.xlsx",
                        changes={("chi_nsdp", 2011): None, ("chi_nsdp", 2012): None},
                        meta={"ngay_gui": "12/03/2020"})

    checked = check_inputs(cat, dated, dt.date(2020, 3, 20), log=_quiet, full_narratives=False)

    khtc = checked.progress[0]
    assert (khtc.unit, khtc.label, khtc.name) == ("KHTC", "P. KHTC", "Phòng Kế hoạch Tài chính")
    (item,) = khtc.content
    assert (item.code, item.due, item.figures, item.received) == (
        "I.1", dt.date(2020, 3, 10), True, True)
    assert (item.required_filled, item.required_total, item.errors, item.complete) == (
        34, 36, 2, False)
    assert [(r.indicator, r.empty) for r in item.missing] == [("chi_nsdp", (2011, 2012))]
    assert [(f.file, f.sheet, f.cells, f.count) for f in khtc.to_fix] == [
        ("KHTC_so_lieu_mau.xlsx", "I.1", ("E6", "F6"), 2)]
    assert khtc.note == "Thiếu 2 ô bắt buộc; còn 2 lỗi cần sửa."
    qlkh = checked.progress[1]
    assert (qlkh.status, qlkh.received, qlkh.workbook, qlkh.plan, qlkh.last_change) == (
        "Chưa nộp, còn hạn đến 25/03", None, "", (), None)
    assert qlkh.content[0].received is False
    assert qlkh.note == "Biểu số liệu và thuyết minh gửi sau ngày tính, chưa tính."


def test_the_weekly_plan_by_name(cat: Catalogue, dated: Path):
    # The samples' plan: due 06/03 and 20/03 done, due 25/03 in progress, sent 24/03.
    checked = check_inputs(cat, dated, dt.date(2020, 3, 30), log=_quiet, full_narratives=False)

    qlkh = next(p for p in checked.progress if p.unit == "QLKH")
    assert [t.name for t in qlkh.done_tasks] == ["Thu thập số liệu giai đoạn 2011-2019",
                                                 "Hoàn thiện biểu số liệu và thuyết minh"]
    assert [(t.name, t.due, t.state, t.item, t.owner != "") for t in qlkh.late_tasks] == [
        ("Đề xuất mục tiêu, định hướng đến năm 2030", dt.date(2020, 3, 25), "Đang thực hiện",
         "II.3", True)]
    assert (len(qlkh.plan), qlkh.tasks_line) == (3, "2/3 việc đến hạn đã xong, trễ 1")
    assert qlkh.note == "Trễ 1 việc trong kế hoạch tuần."
    early = check_inputs(cat, dated, dt.date(2020, 3, 24), log=_quiet, full_narratives=False)
    qlkh = next(p for p in early.progress if p.unit == "QLKH")
    assert ([t.name for t in qlkh.late_tasks], qlkh.tasks_line) == (
        [], "2/2 việc đến hạn đã xong")


def test_the_repository_samples_copied_today_are_dated_by_their_own_save_date(
        cat: Catalogue, inputs: Path):
    # The files were copied today (a checkout: file dates of 2026), but each narrative says
    # when it was last saved: KHTC 12/03, TTRA 25/03, the others 24/03/2020, like the
    # workbooks' "Ngày gửi". As of 30/03/2020 every unit sent both.
    checked = check_inputs(cat, inputs, dt.date(2020, 3, 30), log=_quiet,
                           full_narratives=False)
    ttra = next(p for p in checked.progress if p.unit == "TTRA")
    assert (ttra.status, ttra.narrative) == ("Đã nộp, đúng hạn", "TTRA_thuyet_minh_mau.docx")
    assert ttra.note == "Trễ 1 việc trong kế hoạch tuần."
    assert not ttra.state.missing_narrative
    # As of 20/03/2020 only KHTC's files exist: the others' narratives, saved 24/03 and
    # 25/03, are not counted, and no date after 20/03 is shown.
    earlier = check_inputs(cat, inputs, dt.date(2020, 3, 20), log=_quiet,
                           full_narratives=False)
    assert [(p.unit, p.narrative) for p in earlier.progress if p.narrative] == [
        ("KHTC", "KHTC_thuyet_minh_mau.docx")]
