"""The monthly report to the Department of Planning and Investment (office/monthly.py), read
with python-docx as of 05/03, 20/03 and 30/03/2020 on the scenario of test_letters.py
(`behind`): the period it covers, the milestones of the plan (cumulative), the summary counted
from the same units, the month's situation of the units, the difficulties and next month's
plan; nothing dated after the as-of date but deadlines and plans; not the weekly report
re-labelled. Expected values are written by hand."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from docx import Document

from pipeline.catalogue.model import Catalogue
from pipeline.office.letters import Written
from pipeline.office.monthly import HEADERS, Period, period_of

from .test_letters import DAYS, dates_in, scenario_runs, texts

HEAD = " | ".join(HEADERS)
TWENTY_FIFTH = "Mục I.2, I.3, I.4, I.5, I.6, I.7, I.8, I.9, I.DG; Phần II, IV"
MILESTONES = {
    "05/03": ["1 | 10/03/2020 | Mục I.1 | 1 | - | 0 | 0 | Chưa đến hạn",
              f"2 | 25/03/2020 | {TWENTY_FIFTH} | 9 | - | 0 | 0 | Chưa đến hạn"],
    # KHTC's workbook (I.1) came on 12/03, two days late; its narrative (the parts every
    # unit writes, due 25/03) came with it
    "20/03": ["1 | 10/03/2020 | Mục I.1 | 1 | 0 | 1 | 1 | Hoàn thành, có đơn vị trễ hạn",
              f"2 | 25/03/2020 | {TWENTY_FIFTH} | 9 | - | 1 | 1 | Chưa đến hạn"],
    # by 25/03: KHTC, QLCN, VP, QLCS, QLCNG, TTUD sent all they owed; TTUD not complete;
    # QLKH without narrative, TTRA unreadable, TDC nothing
    "30/03": ["1 | 10/03/2020 | Mục I.1 | 1 | 0 | 1 | 1 | Hoàn thành, có đơn vị trễ hạn",
              f"2 | 25/03/2020 | {TWENTY_FIFTH} | 9 | 6 | 6 | 5 | Chưa đạt, còn 4 đơn vị"],
}
CUMULATIVE = {
    "05/03": "Lũy kế đến ngày 05/03/2020, đã nhận: 1/9 đơn vị (11,1%), trong đó chưa đọc được "
             "1. Chưa nộp: 8 đơn vị, còn hạn.",
    "20/03": "Lũy kế đến ngày 20/03/2020, đã nhận: 2/9 đơn vị (22,2%), trong đó trễ hạn 1, chưa "
             "đọc được 1. Chưa nộp: 7 đơn vị, còn hạn. Đã nhận 1/1 mục nội dung đến hạn, trong "
             "đó 1 mục đầy đủ.",
    "30/03": "Lũy kế đến ngày 30/03/2020, đã nhận: 8/9 đơn vị (88,9%), trong đó đúng hạn 6 "
             "(66,7%), trễ hạn 1, chưa đọc được 1. Chưa nộp: 1 đơn vị, đã quá hạn. Đã nhận "
             "49/72 mục nội dung đến hạn, trong đó 48 mục đầy đủ.",
}
# after the as-of date: deadlines (10/03, 25/03, a letter's 03/04), the draft's day, the next
# monthly report's day
FUTURE = {"05/03": {dt.date(2020, 3, 10), dt.date(2020, 3, 25), dt.date(2020, 3, 26),
                    dt.date(2020, 4, 13)},
          "20/03": {dt.date(2020, 3, 25), dt.date(2020, 3, 26), dt.date(2020, 5, 13)},
          "30/03": {dt.date(2020, 4, 3), dt.date(2020, 4, 6), dt.date(2020, 5, 13)}}


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory, cat: Catalogue, sample_inputs: Path
         ) -> dict[str, Written]:
    return scenario_runs(tmp_path_factory.mktemp("monthly"), cat, sample_inputs, "thang")


def _between(lines: list[str], first: str, last: str) -> list[str]:
    return lines[lines.index(first) + 1:lines.index(last)]


def test_a_report_sent_before_the_13th_is_that_months(cat):
    assert period_of(cat, dt.date(2020, 4, 12)) == Period(
        month=dt.date(2020, 4, 1), start=dt.date(2020, 3, 13), end=dt.date(2020, 4, 12),
        send_by=dt.date(2020, 4, 13))
    assert period_of(cat, dt.date(2020, 3, 30)) == Period(
        month=dt.date(2020, 4, 1), start=dt.date(2020, 3, 13), end=dt.date(2020, 3, 30),
        send_by=dt.date(2020, 4, 13))
    assert period_of(cat, dt.date(2020, 12, 20)).month == dt.date(2021, 1, 1)
    assert period_of(cat, dt.date(2020, 1, 5)).start == dt.date(2019, 12, 13)


@pytest.mark.parametrize("key", DAYS)
def test_the_milestones_and_the_cumulative_summary_from_the_same_units(runs, key):
    lines = texts(runs[key].report)
    start = lines.index(HEAD) + 1
    assert lines[start:start + 2] == MILESTONES[key]
    summary = next(t for t in lines if t.startswith("Lũy kế"))
    assert summary == CUMULATIVE[key]


def test_the_units_situation_in_the_month(runs):
    month = {key: _between(texts(w.report),
                           "2. Tình hình thực hiện của các phòng, đơn vị trong tháng",
                           "II. KHÓ KHĂN, VƯỚNG MẮC") for key, w in runs.items()}
    assert month["30/03"] == [
        "Trong kỳ, Sở nhận nội dung của 6/9 phòng, đơn vị:",
        "- Đã gửi đủ nội dung, không còn lỗi: Phòng Quản lý Công nghệ và Thị trường công nghệ "
        "(ngày 24/03/2020), Văn phòng Sở (ngày 24/03/2020), Phòng Quản lý KH&CN cơ sở (ngày "
        "24/03/2020) và Phòng Quản lý chuyên ngành (ngày 24/03/2020).",
        "- Đã gửi, còn phải bổ sung hoặc sửa: Phòng Quản lý Khoa học (chưa có thuyết minh); "
        "Trung tâm Ứng dụng KH&CN (còn 2 ô bắt buộc để trống).",
        "Các phòng, đơn vị khác:",
        "- Đã gửi từ kỳ trước: Phòng Kế hoạch Tài chính (ngày 12/03/2020).",
        "- Đã gửi tệp nhưng chưa đọc được, chưa tổng hợp: Thanh tra Sở.",
        "- Chưa gửi, đã quá hạn: Chi cục Tiêu chuẩn Đo lường Chất lượng (quá hạn 5 ngày).",
        "Theo kế hoạch tuần các đơn vị gửi, trong kỳ có 12 việc đến hạn, đã hoàn thành 6; "
        "chậm: “Đề xuất mục tiêu, định hướng đến năm 2030” (hạn 25/03/2020): Phòng Kế hoạch "
        "Tài chính, Phòng Quản lý Khoa học, Phòng Quản lý Công nghệ và Thị trường công nghệ, "
        "Văn phòng Sở, Phòng Quản lý KH&CN cơ sở và Phòng Quản lý chuyên ngành."]
    assert month["20/03"][:2] == [
        "Trong kỳ, Sở chưa nhận thêm nội dung của phòng, đơn vị nào.",
        "Tình hình các phòng, đơn vị:"]
    assert month["20/03"][-1] == ("Theo kế hoạch tuần các đơn vị gửi, trong kỳ có 1 việc đến "
                                  "hạn, đã hoàn thành 1.")


def test_difficulties_and_next_months_plan(runs):
    lines = {key: texts(w.report) for key, w in runs.items()}
    assert _between(lines["30/03"], "II. KHÓ KHĂN, VƯỚNG MẮC", "III. KẾ HOẠCH THÁNG TỚI") == [
        "Chi cục Tiêu chuẩn Đo lường Chất lượng chưa gửi nội dung dù đã quá hạn, ảnh hưởng "
        "đến tiến độ tổng hợp chương khoa học và công nghệ.",
        "Tệp của Thanh tra Sở không đọc được, phải gửi lại theo mẫu.",
        "Số liệu của Trung tâm Ứng dụng KH&CN còn ô bắt buộc để trống hoặc còn lỗi, phải bổ "
        "sung, sửa."]
    plan = lines["30/03"][lines["30/03"].index("III. KẾ HOẠCH THÁNG TỚI") + 1:-1]
    assert plan == [
        "- Đôn đốc Phòng Quản lý Khoa học, Thanh tra Sở, Chi cục Tiêu chuẩn Đo lường Chất "
        "lượng và Trung tâm Ứng dụng KH&CN hoàn thành nội dung còn thiếu, chậm nhất ngày "
        "03/04/2020.",
        "- Tổng hợp dự thảo chương khoa học và công nghệ dự kiến ngày 06/04/2020; hoàn thiện, "
        "gửi Sở Kế hoạch và Đầu tư và đơn vị tư vấn tích hợp vào Quy hoạch tỉnh.",
        "- Báo cáo tiến độ tháng 5/2020 trước ngày 13/05/2020./."]
    plan = lines["05/03"][lines["05/03"].index("III. KẾ HOẠCH THÁNG TỚI") + 1:-1]
    assert plan[:3] == [
        "- Hoàn thành nội dung có hạn ngày 10/03/2020 (Mục I.1).",
        f"- Hoàn thành nội dung có hạn ngày 25/03/2020 ({TWENTY_FIFTH}).",
        "- Đôn đốc Thanh tra Sở hoàn thành nội dung còn thiếu, chậm nhất ngày 25/03/2020."]
    assert plan[-1] == "- Báo cáo tiến độ tháng 4/2020 trước ngày 13/04/2020./."
    assert ("- Thực hiện “Đề xuất mục tiêu, định hướng đến năm 2030” (hạn 25/03/2020) theo kế "
            "hoạch tuần của Phòng Kế hoạch Tài chính.") in lines["20/03"]


def test_nothing_is_dated_after_the_as_of_date_but_deadlines_and_plans(runs):
    for key, written in runs.items():
        later = {d for d in dates_in(texts(written.report)) if d > DAYS[key]}
        assert later <= FUTURE[key], (key, later)


def test_the_monthly_report_is_not_the_weekly_one_relabelled(runs):
    lines = texts(runs["30/03"].report)
    assert lines[1:6] == ["BÁO CÁO", "Tiến độ xây dựng nội dung khoa học và công nghệ",
                          "phục vụ lập Quy hoạch tỉnh Bắc Giang thời kỳ 2021-2030,",
                          "tầm nhìn đến năm 2050",
                          "(Tháng 4/2020, từ ngày 13/03/2020 đến ngày 30/03/2020)"]
    assert "Sở Khoa học và Công nghệ báo cáo Sở Kế hoạch và Đầu tư kết quả thực hiện tháng " \
           "4/2020 (số liệu từ ngày 13/03/2020 đến ngày 30/03/2020) như sau:" in lines[6]
    headings = [p.text for p in Document(str(runs["30/03"].report)).paragraphs
                if p.style is not None and p.style.name.startswith("Heading")]
    assert headings == ["I. KẾT QUẢ THỰC HIỆN", "1. Tiến độ so với các mốc của Kế hoạch",
                        "2. Tình hình thực hiện của các phòng, đơn vị trong tháng",
                        "II. KHÓ KHĂN, VƯỚNG MẮC", "III. KẾ HOẠCH THÁNG TỚI"]
    doc = Document(str(runs["30/03"].report))
    section = doc.sections[0]  # Decree 30/2020: A4, top 20 mm, left 30 mm
    assert [round(m.mm) for m in (section.top_margin, section.left_margin,
                                  section.page_width)] == [20, 30, 210]
    assert len(doc.tables) == 3  # page one's blocks, the milestones, the signature
    assert len(doc.inline_shapes) == 0
    left = doc.tables[-1].rows[0].cells[0].text.split("\n")
    assert left == ["Nơi nhận:", "- Sở Kế hoạch và Đầu tư (để tổng hợp);",
                    "- Ban Chỉ đạo lập quy hoạch tỉnh (để báo cáo);", "- Lãnh đạo Sở;",
                    "- Lưu: VT, KHTC."]
