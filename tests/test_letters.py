"""Weekly/monthly progress reports and reminder letters: who is named as behind, what each
letter says is missing (the text a reader sees), and the cells asked of a unit."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

from docx import Document

from pipeline.office.letters import run_progress_report
from pipeline.office.progress import AskedRow, asked_rows

from .conftest import write_unit_workbook

AS_OF = dt.date(2020, 3, 30)
YEARS = (2011, 2012, 2013, 2014, 2015, 2016, 2017, 2018, 2019, 2025, 2030)


def _paragraphs(path: Path) -> list[str]:
    return [p.text for p in Document(str(path)).paragraphs]


def _three_units_behind(inputs: Path) -> None:
    """QLKH without its narrative, TTRA with only a PDF, TDC with nothing."""
    (inputs / "QLKH_thuyet_minh_mau.docx").unlink()
    for f in [*inputs.glob("TTRA_*"), *inputs.glob("TDC_*")]:
        f.unlink()
    pdf = inputs / "TTRA_so_lieu.pdf"
    pdf.write_bytes(b"%PDF-1.4\n%\xe2\xe3\n")
    stamp = dt.datetime(2020, 3, 5, 10).timestamp()
    os.utime(pdf, (stamp, stamp))


def test_the_report_names_every_unit_behind_with_its_status(cat, inputs, tmp_path):
    _three_units_behind(inputs)
    written = run_progress_report(cat, inputs, tmp_path / "out", "tuan", AS_OF)
    folder = tmp_path / "out" / "bao-cao-tien-do" / "tuan-2020-03-30"
    assert written.report == folder / "bao-cao-tuan.docx"
    text = _paragraphs(written.report)
    assert ("Đề nghị Lãnh đạo Sở đôn đốc các phòng, đơn vị sau hoàn thành nội dung được giao: "
            "Phòng Quản lý Khoa học (đã nộp đúng hạn; thiếu thuyết minh); Thanh tra Sở (đã "
            "nhận, chưa đọc được tệp – quá hạn 5 ngày); Chi cục Tiêu chuẩn Đo lường Chất lượng "
            "(chưa nộp – quá hạn 5 ngày).") in text
    assert "Chưa có bản tổng hợp trước để so sánh." in text  # no build in outputs yet
    assert sorted(p.name for p in written.reminders) == [
        "nhac-QLKH.docx", "nhac-TDC.docx", "nhac-TTRA.docx"]
    assert all(p.parent == folder / "cong-van" for p in written.reminders)
    assert list(written.lines()) == [
        f"Báo cáo: {folder / 'bao-cao-tuan.docx'}",
        *(f"Công văn đôn đốc (dự thảo): {p}" for p in written.reminders)]


def test_each_letter_says_what_is_missing(cat, inputs, tmp_path):
    _three_units_behind(inputs)
    written = run_progress_report(cat, inputs, tmp_path / "out", "thang", AS_OF)
    letters = {p.stem: _paragraphs(p) for p in written.reminders}
    said = {unit: [t for t in text if t.startswith("- ")] for unit, text in letters.items()}
    assert said["nhac-QLKH"] == ["- Chưa nhận được thuyết minh (tệp Word theo mẫu)."]
    assert said["nhac-TDC"] == ["- Chưa nhận được biểu số liệu (tệp Excel theo mẫu).",
                                "- Chưa nhận được thuyết minh (tệp Word theo mẫu)."]
    assert said["nhac-TTRA"] == [
        "- Đã nhận tệp 'TTRA_so_lieu.pdf': Tệp PDF không đọc được số liệu. Hãy gửi tệp gốc: "
        "biểu số liệu Excel (.xlsx) và thuyết minh Word (.docx). Tệp này chưa được tổng hợp."]
    assert "Kính gửi: Thanh tra Sở." in letters["nhac-TTRA"]
    assert ("Đề nghị Thanh tra Sở khẩn trương hoàn thiện và gửi Phòng Kế hoạch Tài chính "
            "trong thời gian sớm nhất để tổng hợp, báo cáo Ban Chỉ đạo lập quy hoạch tỉnh."
            ) in letters["nhac-TTRA"]
    assert written.report.name == "bao-cao-thang.docx"


def test_a_letter_lists_the_required_cells_still_empty(cat, inputs, tmp_path):
    write_unit_workbook(cat, "TTUD", next(inputs.glob("TTUD_*.xlsx")),
                        changes={("ld_bang_cap", 2015): None, ("ld_bang_cap", 2016): None,
                                 ("ld_trinh_do.so_cap", 2015): None},  # not required
                        meta={"ngay_gui": "24/03/2020"})
    written = run_progress_report(cat, inputs, tmp_path / "out", "tuan", AS_OF)
    assert [p.name for p in written.reminders] == ["nhac-TTUD.docx"]
    said = [t for t in _paragraphs(written.reminders[0]) if t.startswith("- ")]
    assert said == ["- Biểu số liệu còn thiếu các chỉ tiêu bắt buộc: Tỷ lệ lao động qua đào "
                    "tạo có bằng cấp, chứng chỉ (mục I.9): năm 2015, 2016.",
                    # the emptied years break the sample's own rules too
                    "- Biểu số liệu còn 2 lỗi; chi tiết từng ô trong tệp góp ý gửi kèm."]


def test_nobody_behind(cat, inputs, tmp_path):
    written = run_progress_report(cat, inputs, tmp_path / "out", "tuan", AS_OF)
    assert written.reminders == ()
    assert list(written.lines())[-1] == "Không có đơn vị cần đôn đốc."
    assert ("Các phòng, đơn vị đã gửi đủ nội dung; Phòng Kế hoạch Tài chính tiếp tục tổng "
            "hợp, hoàn thiện báo cáo.") in _paragraphs(written.report)


def test_asked_rows_say_which_years_are_filled(cat):
    filled = {("ld_bang_cap", "total", 2011), ("ld_bang_cap", "total", 2030),
              ("ld_trinh_do", "so_cap", 2012)}
    rows = asked_rows(cat, "TTUD", filled)
    assert rows[0] == AskedRow(item="I.9", indicator="ld_qua_dao_tao", part="total",
                               required=True, filled=(), empty=YEARS)
    assert rows[1] == AskedRow(item="I.9", indicator="ld_bang_cap", part="total",
                               required=True, filled=(2011, 2030), empty=YEARS[1:-1])
    assert rows[2] == AskedRow(item="I.9", indicator="ld_trinh_do", part="so_cap",
                               required=False, filled=(2012,),
                               empty=tuple(y for y in YEARS if y != 2012))
    assert asked_rows(cat, "NOBODY", set()) == []
