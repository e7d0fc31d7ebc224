"""What the progress documents say of the units (office/chase.py), on the scenario of
test_letters.py (`behind`) as of 30/03/2020: the items due, received and complete, who gets a
letter and until when, the tasks by name, who goes to the committee, the targets still empty,
the details of a status. Expected values are written by hand."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from pipeline.catalogue.model import Catalogue
from pipeline.office.chase import (
    Content,
    MissingTarget,
    TaskGroup,
    content_of,
    deadline,
    details,
    draft_date,
    missing_targets,
    names,
    needs_reminder,
    overdue_units,
    task_groups,
)
from pipeline.office.progress import Task, UnitProgress
from pipeline.office.status import Checked, check_inputs

from .conftest import write_unit_workbook
from .test_letters import behind, copy_samples, date_saved

DAY = dt.date(2020, 3, 30)
SHARED = ("I.DG", "II.1", "II.2", "II.3", "II.5", "II.4", "IV")  # catalogue order


def _quiet(_: str) -> None:
    pass


@pytest.fixture(scope="module")
def checked(tmp_path_factory: pytest.TempPathFactory, cat: Catalogue, sample_inputs: Path
            ) -> Checked:
    folder = behind(cat, copy_samples(sample_inputs, tmp_path_factory.mktemp("chase") / "in"))
    return check_inputs(cat, folder, DAY, log=_quiet)


def _unit(checked: Checked, code: str) -> UnitProgress:
    return next(p for p in checked.progress if p.unit == code)


def test_the_items_a_unit_owes_received_and_complete(cat, checked):
    assert content_of(cat, _unit(checked, "TTUD"), DAY) == Content(
        due=("I.9", *SHARED), received=("I.9", *SHARED), complete=SHARED)
    assert content_of(cat, _unit(checked, "QLKH"), DAY) == Content(
        due=("I.2", *SHARED), received=("I.2",), complete=("I.2",))
    assert content_of(cat, _unit(checked, "TDC"), DAY) == Content(("I.8", *SHARED), (), ())
    khtc = _unit(checked, "KHTC")
    assert content_of(cat, khtc, dt.date(2020, 3, 20)) == Content(("I.1",), ("I.1",),
                                                                   ("I.1",))


def test_who_gets_a_letter_and_until_when(cat, checked):
    chased = [p.unit for p in checked.progress if needs_reminder(cat, p)]
    assert chased == ["QLKH", "TTRA", "TDC", "TTUD"]  # never KHTC, the office itself
    # three working days after Monday 30/03/2020, the holiday of 02/04 skipped
    assert {deadline(cat, _unit(checked, u), DAY) for u in chased} == {dt.date(2020, 4, 3)}
    # a unit whose own deadline is later keeps it
    assert deadline(cat, _unit(checked, "TTUD"), dt.date(2020, 3, 20)) == dt.date(2020, 3, 25)


def test_who_is_put_to_the_committee(cat, checked):
    # overdue more than three days with something still to send; TTUD sent both halves
    assert [p.unit for p in overdue_units(cat, checked.progress)] == ["QLKH", "TTRA", "TDC"]


def test_the_details_a_status_leaves_out(checked):
    said = {p.unit: details(p, checked.validation.findings) for p in checked.progress}
    assert said == {"KHTC": "", "QLKH": "Chưa có thuyết minh.", "QLCN": "", "VP": "",
                    "QLCS": "", "QLCNG": "", "TTRA": "Tệp nhận được không đọc được.",
                    "TDC": "", "TTUD": "Còn 2 ô bắt buộc để trống."}


def test_the_chapter_draft_waits_for_the_last_deadline(cat, checked):
    # the letters' deadline 03/04/2020 (a Friday): the next working day
    assert draft_date(cat, checked.progress, DAY) == (dt.date(2020, 4, 6), False)


def test_tasks_grouped_by_name_and_due_date():
    due = dt.date(2020, 3, 25)
    task = Task("Đề xuất mục tiêu", "II.3", "", due, "Đang thực hiện", "")
    other = Task("Thu thập số liệu", "", "", dt.date(2020, 3, 6), "Hoàn thành", "")
    assert task_groups([("A", task), ("B", task), ("A", other), ("A", task)]) == [
        TaskGroup("Thu thập số liệu", dt.date(2020, 3, 6), ("A",)),
        TaskGroup("Đề xuất mục tiêu", due, ("A", "B"))]


def test_names_are_enumerated_in_vietnamese():
    assert names([]) == ""
    assert names(["A"]) == "A"
    assert names(["A", "B"]) == "A và B"
    assert names(["A", "B", "C"]) == "A, B và C"


def test_targets_still_empty_in_a_workbook_received(cat, inputs):
    date_saved(inputs)
    write_unit_workbook(cat, "TTUD", next(inputs.glob("TTUD_*.xlsx")),
                        changes={("ld_trinh_do.cao_dang", 2025): None,
                                 ("ld_trinh_do.cao_dang", 2030): None},
                        meta={"ngay_gui": "24/03/2020"})
    checked = check_inputs(cat, inputs, DAY, log=_quiet)
    assert missing_targets(cat, checked.validation, checked.progress) == [
        MissingTarget("Tỷ lệ lao động có bằng cấp, chứng chỉ theo trình độ (trên tổng số lao "
                      "động) – Cao đẳng", "TTUD", (2025, 2030))]
    # before TTUD's workbook is in, nothing is said of its targets
    early = check_inputs(cat, inputs, dt.date(2020, 3, 20), log=_quiet)
    assert missing_targets(cat, early.validation, early.progress) == []
