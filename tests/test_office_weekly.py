"""The weekly report to the steering committee (office/weekly.py), read with python-docx as of
05/03, 20/03 and 30/03/2020 on the scenario of test_letters.py (`behind`): the summary says
what the table shows, the table's rows, the weekly plans by name, what the office does next
week, what is put to the committee, nothing dated after the as-of date but deadlines, the
Decree 30 form; with LibreOffice, the table on one page and no date broken. Expected values are
written by hand."""

from __future__ import annotations

import datetime as dt
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from docx import Document

from pipeline.catalogue.model import Catalogue
from pipeline.core.soffice import ConversionError, convert, find_soffice
from pipeline.office.letters import Written, run_progress_report
from pipeline.office.weekly import HEADERS, week_of

from .test_letters import DATE, DAYS, dates_in, scenario_runs, texts

HEAD = " | ".join(HEADERS)
ROWS = {
    "05/03": [
        "P. KHTC | - | - | - | - | - | - | Chưa nộp, còn hạn đến 10/03",
        *(f"{u} | - | - | - | - | - | - | Chưa nộp, còn hạn đến 25/03"
          for u in ["P. QLKH", "P. QLCN", "Văn phòng Sở", "P. QLCS", "P. QLCNG"]),
        "Thanh tra Sở | 05/03/2020 | - | - | 1 | - | - | Đã nhận, chưa đọc được",
        *(f"{u} | - | - | - | - | - | - | Chưa nộp, còn hạn đến 25/03"
          for u in ["Chi cục TCĐLCL", "TT Ứng dụng"])],
    "20/03": [
        # KHTC's plan: "Hoàn thiện biểu số liệu và thuyết minh" due 20/03, done this week
        "P. KHTC | 12/03/2020 | 1/1 | 1 | 0 | 1 | 0 | Đã nộp, trễ 2 ngày",
        *(f"{u} | - | - | - | - | - | - | Chưa nộp, còn hạn đến 25/03"
          for u in ["P. QLKH", "P. QLCN", "Văn phòng Sở", "P. QLCS", "P. QLCNG"]),
        "Thanh tra Sở | 05/03/2020 | - | - | 1 | - | - | Đã nhận, chưa đọc được",
        *(f"{u} | - | - | - | - | - | - | Chưa nộp, còn hạn đến 25/03"
          for u in ["Chi cục TCĐLCL", "TT Ứng dụng"])],
    "30/03": [
        # eight items due each (I.x, I.DG, II.1-II.5, IV); every plan's 25/03 task not done
        "P. KHTC | 12/03/2020 | 8/8 | 8 | 0 | 0 | 1 | Đã nộp, trễ 2 ngày",
        "P. QLKH | 24/03/2020 | 1/8 | 1 | 0 | 0 | 1 | Đã nộp, đúng hạn",
        *(f"{u} | 24/03/2020 | 8/8 | 8 | 0 | 0 | 1 | Đã nộp, đúng hạn"
          for u in ["P. QLCN", "Văn phòng Sở", "P. QLCS", "P. QLCNG"]),
        "Thanh tra Sở | 05/03/2020 | 0/8 | 0 | 1 | - | - | Đã nhận, chưa đọc được",
        "Chi cục TCĐLCL | - | 0/8 | 0 | - | - | - | Chưa nộp, quá hạn 5 ngày",
        "TT Ứng dụng | 24/03/2020 | 8/8 | 7 | 2 | - | - | Đã nộp, đúng hạn"],
}
SUMMARY = {
    "05/03": ["Tính đến ngày 05/03/2020, đã nhận: 1/9 đơn vị (11,1%), trong đó chưa đọc được "
              "1. Chưa nộp: 8 đơn vị, còn hạn.",
              "Đơn vị đã gửi nhưng tệp không đọc được: Thanh tra Sở.",
              "Chưa có nội dung nào đến hạn (hạn gửi đầu tiên: ngày 10/03/2020).",
              "Số liệu đã nhận còn 1 lỗi phải sửa, gồm: Thanh tra Sở (1 lỗi)."],
    "20/03": ["Tính đến ngày 20/03/2020, đã nhận: 2/9 đơn vị (22,2%), trong đó trễ hạn 1, "
              "chưa đọc được 1. Chưa nộp: 7 đơn vị, còn hạn.",
              "Đơn vị gửi trễ hạn: Phòng Kế hoạch Tài chính (2 ngày); đã gửi nhưng tệp không "
              "đọc được: Thanh tra Sở.",
              "Nội dung đến hạn: 1 mục của 1 đơn vị; đã nhận 1 mục, tất cả đều đầy đủ.",
              "Số liệu đã nhận còn 1 lỗi phải sửa, gồm: Thanh tra Sở (1 lỗi)."],
    "30/03": ["Tính đến ngày 30/03/2020, đã nhận: 8/9 đơn vị (88,9%), trong đó đúng hạn 6 "
              "(66,7%), trễ hạn 1, chưa đọc được 1. Chưa nộp: 1 đơn vị, đã quá hạn.",
              "Đơn vị gửi trễ hạn: Phòng Kế hoạch Tài chính (2 ngày); đã gửi nhưng tệp không "
              "đọc được: Thanh tra Sở; quá hạn chưa gửi: Chi cục Tiêu chuẩn Đo lường Chất "
              "lượng (5 ngày).",
              "Nội dung đến hạn: 72 mục của 9 đơn vị; đã nhận 49 mục, trong đó 48 mục đầy đủ.",
              "Số liệu đã nhận còn 3 lỗi phải sửa, gồm: Thanh tra Sở (1 lỗi) và Trung tâm Ứng "
              "dụng KH&CN (2 lỗi)."],
}
# Dates after the as-of date a report may name: deadlines (the catalogue's 10/03 and 25/03,
# a letter's 03/04/2020) and the day the chapter's draft is planned.
FUTURE = {"05/03": {dt.date(2020, 3, 10), dt.date(2020, 3, 25), dt.date(2020, 3, 26)},
          "20/03": {dt.date(2020, 3, 25), dt.date(2020, 3, 26)},
          "30/03": {dt.date(2020, 4, 3), dt.date(2020, 4, 6)}}
CHASED = ("Phòng Quản lý Khoa học, Thanh tra Sở, Chi cục Tiêu chuẩn Đo lường Chất lượng và "
          "Trung tâm Ứng dụng KH&CN")
SENT_THIS_WEEK = ("Phòng Quản lý Khoa học, Phòng Quản lý Công nghệ và Thị trường công nghệ, "
                  "Văn phòng Sở, Phòng Quản lý KH&CN cơ sở, Phòng Quản lý chuyên ngành và Trung "
                  "tâm Ứng dụng KH&CN")


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory, cat: Catalogue, sample_inputs: Path
         ) -> dict[str, Written]:
    return scenario_runs(tmp_path_factory.mktemp("weekly"), cat, sample_inputs, "tuan")


def _between(lines: list[str], first: str, last: str) -> list[str]:
    return lines[lines.index(first) + 1:lines.index(last)]


def _table(lines: list[str]) -> list[str]:
    start = lines.index(HEAD) + 1
    return lines[start:start + 9]


@pytest.mark.parametrize("key", DAYS)
def test_the_table_has_one_row_per_unit_as_of_the_date(runs, key):
    lines = texts(runs[key].report)
    assert _table(lines) == ROWS[key]


@pytest.mark.parametrize("key", DAYS)
def test_the_summary_says_what_the_table_shows(runs, key):
    lines = texts(runs[key].report)
    summary = _between(lines, "1. Tình hình chung",
                       "Hình 1. Tỷ lệ phòng, đơn vị đã gửi nội dung theo tuần (%)")
    assert summary == SUMMARY[key]
    # the same figures, counted from the table's rows
    rows = [r.split(" | ") for r in _table(lines)]
    status = [r[7] for r in rows]
    received = sum(1 for s in status if s.startswith(("Đã nộp", "Đã nhận")))
    assert f"đã nhận: {received}/9 đơn vị" in summary[0]
    for words, said in (("trễ", "trễ hạn"), ("chưa đọc được", "chưa đọc được")):
        n = sum(1 for s in status if words in s and s.startswith("Đã"))
        assert (f"{said} {n}" in summary[0]) == (n > 0)
    not_sent = sum(1 for s in status if s.startswith("Chưa nộp"))
    assert f"Chưa nộp: {not_sent} đơn vị" in summary[0]
    pairs = [r[2].split("/") for r in rows if r[2] != "-"]
    due = sum(int(b) for _, b in pairs)
    if due:
        got = sum(int(a) for a, _ in pairs)
        complete = sum(int(r[3]) for r in rows if r[3] != "-")
        assert summary[2].startswith(f"Nội dung đến hạn: {due} mục của {len(pairs)} đơn vị; "
                                     f"đã nhận {got} mục")
        assert (f"trong đó {complete} mục đầy đủ" in summary[2]
                or complete == got and "tất cả đều đầy đủ" in summary[2])
    errors = sum(int(r[4]) for r in rows if r[4] != "-")
    assert f"còn {errors} lỗi phải sửa" in summary[3]


def test_the_notes_under_the_table_give_the_details_and_the_deadlines(runs):
    lines = texts(runs["30/03"].report)
    notes = _between(lines, ROWS["30/03"][-1], "3. Thực hiện kế hoạch tuần của các đơn vị")
    assert notes[0].startswith("Ghi chú: hạn gửi mục I.1 ngày 10/03/2020, các nội dung khác "
                               "ngày 25/03/2020; mục đến hạn là các mục nội dung đơn vị phải "
                               "gửi đến ngày 30/03/2020")
    assert notes[1:] == ["P. QLKH: Chưa có thuyết minh.",
                         "Thanh tra Sở: Tệp nhận được không đọc được.",
                         "TT Ứng dụng: Còn 2 ô bắt buộc để trống."]


def test_the_weekly_plans_by_name(runs):
    plans = {key: _between(texts(w.report), "3. Thực hiện kế hoạch tuần của các đơn vị",
                           "II. NHIỆM VỤ TUẦN TỚI") for key, w in runs.items()}
    assert plans["05/03"] == ["Các đơn vị chưa gửi biểu số liệu chưa có kế hoạch tuần để "
                              "theo dõi."]
    assert plans["20/03"] == [
        "Việc hoàn thành trong tuần: “Hoàn thiện biểu số liệu và thuyết minh” (hạn "
        "20/03/2020): Phòng Kế hoạch Tài chính.",
        "Các đơn vị chưa gửi biểu số liệu chưa có kế hoạch tuần để theo dõi."]
    assert plans["30/03"] == [
        "Việc chậm so với kế hoạch: “Đề xuất mục tiêu, định hướng đến năm 2030” (hạn "
        "25/03/2020): Phòng Kế hoạch Tài chính, Phòng Quản lý Khoa học, Phòng Quản lý Công "
        "nghệ và Thị trường công nghệ, Văn phòng Sở, Phòng Quản lý KH&CN cơ sở và Phòng Quản "
        "lý chuyên ngành.",
        "Chưa nhận kế hoạch tuần của Trung tâm Ứng dụng KH&CN.",  # its workbook has none
        "Các đơn vị chưa gửi biểu số liệu chưa có kế hoạch tuần để theo dõi."]


def test_what_the_office_does_next_week(runs):
    nexts = {key: _between(texts(w.report), "II. NHIỆM VỤ TUẦN TỚI",
                           "III. ĐỀ XUẤT, KIẾN NGHỊ") for key, w in runs.items()}
    head = "Nhiệm vụ trọng tâm tuần tới (Phòng Kế hoạch Tài chính chủ trì):"
    assert nexts["05/03"] == [
        head,
        "- Gửi công văn đôn đốc Thanh tra Sở (nêu cụ thể nội dung còn thiếu, phải sửa), thời "
        "hạn hoàn thành chậm nhất ngày 25/03/2020.",
        "- Hoàn thành nội dung do Phòng Kế hoạch Tài chính chủ trì (mục I.1) đúng hạn ngày "
        "10/03/2020.",
        "- Tổng hợp dự thảo chương khoa học và công nghệ khi nhận đủ nội dung, dự kiến ngày "
        "26/03/2020."]
    assert nexts["20/03"][2] == (
        "- Nhắc Phòng Quản lý Khoa học, Phòng Quản lý Công nghệ và Thị trường công nghệ, Văn "
        "phòng Sở, Phòng Quản lý KH&CN cơ sở, Phòng Quản lý chuyên ngành, Chi cục Tiêu chuẩn "
        "Đo lường Chất lượng và Trung tâm Ứng dụng KH&CN gửi nội dung đúng hạn (ngày "
        "25/03/2020).")
    assert nexts["20/03"][-1] == (
        "- Theo kế hoạch của các đơn vị, tuần tới hoàn thành: “Đề xuất mục tiêu, định hướng "
        "đến năm 2030” (hạn 25/03/2020): Phòng Kế hoạch Tài chính.")
    assert nexts["30/03"] == [
        head,
        f"- Gửi công văn đôn đốc {CHASED} (nêu cụ thể nội dung còn thiếu, phải sửa), thời hạn "
        "hoàn thành chậm nhất ngày 03/04/2020.",  # 02/04/2020 is a holiday
        f"- Kiểm tra, tổng hợp số liệu {SENT_THIS_WEEK} gửi trong tuần; gửi tệp góp ý để Trung "
        "tâm Ứng dụng KH&CN sửa lỗi, bổ sung.",
        "- Tổng hợp dự thảo chương khoa học và công nghệ khi nhận đủ nội dung, dự kiến ngày "
        "06/04/2020."]


def test_what_is_put_to_the_committee(runs):
    said = {}
    for key, w in runs.items():
        lines = texts(w.report)
        said[key] = lines[lines.index("III. ĐỀ XUẤT, KIẾN NGHỊ") + 1:-1]  # to the signature
    # three units overdue more than the catalogue's three days with something still to send
    assert said["30/03"] == [
        "Đề nghị Ban Chỉ đạo chỉ đạo các đơn vị sau hoàn thành nội dung được giao, chậm nhất "
        "ngày 03/04/2020: Phòng Quản lý Khoa học (chưa gửi thuyết minh, quá hạn 5 ngày); "
        "Thanh tra Sở (đã gửi tệp nhưng không đọc được, quá hạn 5 ngày); Chi cục Tiêu chuẩn "
        "Đo lường Chất lượng (chưa gửi nội dung, quá hạn 5 ngày)./."]
    assert said["20/03"] == [
        "Các đơn vị nêu tại mục II được Sở đôn đốc bằng công văn; chưa có nội dung cần đề nghị "
        "Ban Chỉ đạo cho ý kiến./."]


def test_nothing_is_dated_after_the_as_of_date_but_deadlines(runs):
    for key, written in runs.items():
        later = {d for d in dates_in(texts(written.report)) if d > DAYS[key]}
        assert later <= FUTURE[key], (key, later)
    # the samples' files sent on 24/03 and 25/03 do not exist as of 20/03
    lines = texts(runs["20/03"].report)
    assert not any("24/03/2020" in t or "25/03/2020 |" in t for t in lines)


def test_the_report_is_in_the_decree_30_form_and_fits_a_portrait_page(runs, cat):
    doc = Document(str(runs["30/03"].report))
    head = [c.text.replace("\u00a0", " ") for c in doc.tables[0].rows[0].cells]
    assert head[0].split("\n")[-1] == "Số:      /BC-KHCN"
    assert head[1].split("\n")[-1] == "Bắc Giang, ngày 30 tháng 3 năm 2020"
    lines = texts(runs["30/03"].report)
    assert lines[1:7] == ["BÁO CÁO", "Tiến độ xây dựng nội dung khoa học và công nghệ",
                          "phục vụ lập Quy hoạch tỉnh Bắc Giang thời kỳ 2021-2030,",
                          "tầm nhìn đến năm 2050",
                          "(Tuần từ ngày 24/03/2020 đến ngày 30/03/2020)",
                          "Thực hiện Kế hoạch ngày 28/02/2020 của Sở Khoa học và Công nghệ triển "
                          "khai Kế hoạch số 48/KH-UBND ngày 21/02/2020 của UBND tỉnh về lập Quy "
                          "hoạch tỉnh Bắc Giang thời kỳ 2021-2030, tầm nhìn đến năm 2050, Sở Khoa "
                          "học và Công nghệ báo cáo Ban Chỉ đạo lập quy hoạch tỉnh tiến độ thực "
                          "hiện trong tuần (số liệu tính đến ngày 30/03/2020) như sau:"]
    assert not any(t.startswith("Kính gửi") for t in lines)  # a report names no addressee
    left, right = (c.text.split("\n") for c in doc.tables[-1].rows[0].cells)
    assert left == ["Nơi nhận:", "- Ban Chỉ đạo lập quy hoạch tỉnh (để báo cáo);",
                    "- Sở Kế hoạch và Đầu tư;", "- Lãnh đạo Sở;", "- Lưu: VT, KHTC."]
    assert [t for t in right if t] == ["KT. GIÁM ĐỐC", "PHÓ GIÁM ĐỐC"]
    assert len(doc.sections) == 1  # the unit table fits a portrait page
    assert len(doc.inline_shapes) == 1  # the chart of the reporting rate week by week
    assert not any(re.search(r"\b0 (lỗi|mục|đơn vị|việc)", t) for t in lines)


def test_the_week_is_the_seven_days_ending_on_the_date():
    assert week_of(dt.date(2020, 3, 30)) == (dt.date(2020, 3, 24), dt.date(2020, 3, 30))


@pytest.mark.skipif(find_soffice() is None or shutil.which("pdftotext") is None,
                    reason="LibreOffice or poppler-utils (pdftotext) is not installed")
def test_in_print_the_nine_units_share_a_page_and_no_date_is_broken(runs, tmp_path):
    try:
        pdf = convert(runs["30/03"].report, "pdf", tmp_path, timeout_s=240)
    except ConversionError as e:
        pytest.skip(f"LibreOffice could not convert: {e}")
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True,
                          text=True, check=True).stdout
    pages = text.split("\f")
    labels = ["P. KHTC", "P. QLKH", "P. QLCN", "Văn phòng Sở", "P. QLCS", "P. QLCNG",
              "Thanh tra Sở", "TT Ứng dụng"]
    table = next(p for p in pages if "P. KHTC" in p)  # short names: in the table only
    assert all(label in table for label in labels)
    in_docx = [m.group(0) for t in texts(runs["30/03"].report) for m in DATE.finditer(t)]
    in_pdf = [m.group(0) for m in DATE.finditer(text)]
    assert sorted(in_pdf) == sorted(in_docx)  # every date whole, on one line


def test_an_empty_inputs_folder_after_the_deadlines_is_said_in_words(cat, tmp_path):
    (tmp_path / "inputs").mkdir()
    written = run_progress_report(cat, tmp_path / "inputs", tmp_path / "out", "tuan",
                                  DAYS["30/03"])
    lines = texts(written.report)
    summary = _between(lines, "1. Tình hình chung",
                       "Hình 1. Tỷ lệ phòng, đơn vị đã gửi nội dung theo tuần (%)")
    assert summary == [
        "Tính đến ngày 30/03/2020, chưa đơn vị nào nộp; cả 9 đơn vị đã quá hạn.",
        "Đơn vị quá hạn chưa gửi: Phòng Kế hoạch Tài chính (20 ngày), Phòng Quản lý Khoa học "
        "(5 ngày), Phòng Quản lý Công nghệ và Thị trường công nghệ (5 ngày), Văn phòng Sở (5 "
        "ngày), Phòng Quản lý KH&CN cơ sở (5 ngày), Phòng Quản lý chuyên ngành (5 ngày), "
        "Thanh tra Sở (5 ngày), Chi cục Tiêu chuẩn Đo lường Chất lượng (5 ngày) và Trung tâm "
        "Ứng dụng KH&CN (5 ngày).",
        "Nội dung đến hạn: 72 mục của 9 đơn vị; chưa nhận mục nào."]
    assert not any(re.search(r"\b0 (lỗi|mục|đơn vị|việc|ngày)", t) for t in lines)
    # eight letters: every unit but the office, which drafts them
    assert len(written.reminders) == 8
