"""Reminder letters (office/letters.py) and the run that writes the progress documents: who gets
a letter as of 05/03, 20/03 and 30/03/2020, what each says is missing or to fix, its new
deadline, its form (number, "V/v", Kính gửi, Nơi nhận, signature), and that nothing in it is
dated after the as-of date but the deadlines it sets.

The scenario (`behind`), from the samples (tools/samples.py; each narrative dated like its
workbook): KHTC due 10/03 sent 12/03; QLKH sent its workbook on 24/03 and no narrative; TTRA
sent only a PDF, dated 05/03; TDC sent nothing; TTUD sent on 24/03 with two required cells of
"Tỷ lệ lao động qua đào tạo có bằng cấp, chứng chỉ" (2015, 2016) empty and no weekly plan; the
others sent everything on 24/03. Expected texts are written by hand."""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
from pathlib import Path

import pytest
from docx import Document

from pipeline.catalogue.model import Catalogue
from pipeline.office.letters import Written, run_progress_report
from pipeline.office.progress import AskedRow, asked_rows

from .conftest import write_unit_workbook
from .test_asof import SENT, date_narratives

YEARS = (2011, 2012, 2013, 2014, 2015, 2016, 2017, 2018, 2019, 2025, 2030)
DAYS = {"05/03": dt.date(2020, 3, 5), "20/03": dt.date(2020, 3, 20),
        "30/03": dt.date(2020, 3, 30)}
BASIS = ("Thực hiện Kế hoạch ngày 28/02/2020 của Sở Khoa học và Công nghệ triển khai Kế hoạch "
         "số 48/KH-UBND ngày 21/02/2020 của UBND tỉnh về lập Quy hoạch tỉnh Bắc Giang thời kỳ "
         "2021-2030, tầm nhìn đến năm 2050, ")
DATE = re.compile(r"\b(\d{2})/(\d{2})/(\d{4})\b")
LONG_DATE = re.compile(r"ngày (\d{1,2}) tháng (\d{1,2}) năm (\d{4})")


def date_saved(folder: Path) -> Path:
    """`date_narratives`, and each sample narrative's own "last saved" date (docProps) set to
    that day too: a narrative is dated by what it says of itself when it says something."""
    for path in folder.glob("*_thuyet_minh_mau.docx"):
        day = SENT.get(path.name.split("_")[0], dt.date(2020, 3, 24))
        doc = Document(str(path))
        doc.core_properties.modified = dt.datetime.combine(day, dt.time(8))
        doc.save(str(path))
    return date_narratives(folder)


def behind(cat: Catalogue, folder: Path) -> Path:
    """The scenario of this module's docstring, made in `folder` (a copy of the samples)."""
    date_saved(folder)
    (folder / "QLKH_thuyet_minh_mau.docx").unlink()
    for f in [*folder.glob("TTRA_*"), *folder.glob("TDC_*")]:
        f.unlink()
    pdf = folder / "TTRA_so_lieu.pdf"
    pdf.write_bytes(b"%PDF-1.4\n%\xe2\xe3\n")
    stamp = dt.datetime(2020, 3, 5, 10).timestamp()
    os.utime(pdf, (stamp, stamp))
    write_unit_workbook(cat, "TTUD", next(folder.glob("TTUD_*.xlsx")),
                        changes={("ld_bang_cap", 2015): None, ("ld_bang_cap", 2016): None},
                        meta={"ngay_gui": "24/03/2020"})
    return folder


def copy_samples(sample_inputs: Path, folder: Path) -> Path:
    shutil.copytree(sample_inputs, folder)
    return folder


def texts(path: Path) -> list[str]:
    """Every paragraph of the document, those in tables included, in reading order (table
    cells joined by " | ")."""
    out = []
    for block in Document(str(path)).iter_inner_content():
        if hasattr(block, "rows"):
            out += [" | ".join(c.text for c in row.cells) for row in block.rows]
        else:
            out.append(block.text)
    return [t.replace("\u00a0", " ") for t in out if t.strip()]


def dates_in(lines: list[str]) -> set[dt.date]:
    """Every date written in the text, dd/mm/yyyy or 'ngày d tháng m năm yyyy'."""
    text = "\n".join(lines)
    found = {dt.date(int(y), int(m), int(d)) for d, m, y in DATE.findall(text)}
    found |= {dt.date(int(y), int(m), int(d)) for d, m, y in LONG_DATE.findall(text)}
    return found


def scenario_runs(base: Path, cat: Catalogue, sample_inputs: Path, kind: str
                  ) -> dict[str, Written]:
    """The run of `kind` ("tuan", "thang") on the scenario as of each of the three dates,
    made in `base`."""
    inputs = behind(cat, copy_samples(sample_inputs, base / "inputs"))
    return {key: run_progress_report(cat, inputs, base / "out", kind, day)
            for key, day in DAYS.items()}


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory, cat: Catalogue, sample_inputs: Path
         ) -> dict[str, Written]:
    """The weekly run of the scenario as of each of the three dates."""
    return scenario_runs(tmp_path_factory.mktemp("letters"), cat, sample_inputs, "tuan")


def _letters(written: Written) -> dict[str, list[str]]:
    return {p.stem.removeprefix("nhac-"): texts(p) for p in written.reminders}


def test_letters_go_only_to_the_units_late_or_incomplete_as_of_each_date(runs):
    # 05/03 and 20/03: only TTRA, whose file arrived and cannot be read (KHTC, late on
    # 20/03 but complete, drafts the letters); 30/03: also the three units past 25/03
    # with something missing. Never KHTC, never a unit that sent everything.
    assert sorted(_letters(runs["05/03"])) == ["TTRA"]
    assert sorted(_letters(runs["20/03"])) == ["TTRA"]
    assert sorted(_letters(runs["30/03"])) == ["QLKH", "TDC", "TTRA", "TTUD"]
    folder = runs["30/03"].report.parent
    assert folder.name == "tuan-2020-03-30"
    assert all(p.parent == folder / "cong-van" for p in runs["30/03"].reminders)
    assert list(runs["30/03"].lines()) == [
        f"Báo cáo: {folder / 'bao-cao-tuan.docx'}",
        *(f"Công văn đôn đốc (dự thảo): {folder / 'cong-van' / f'nhac-{u}.docx'}"
          for u in ["QLKH", "TTRA", "TDC", "TTUD"])]


def test_a_unit_that_sent_nothing_is_told_each_file_it_owes(runs):
    tdc = _letters(runs["30/03"])["TDC"]
    assert tdc[tdc.index("Kính gửi: Chi cục Tiêu chuẩn Đo lường Chất lượng.") + 1:-1] == [
        BASIS + "Chi cục Tiêu chuẩn Đo lường Chất lượng được giao chủ trì mục I.8 “Hoạt động "
        "tiêu chuẩn, đo lường, chất lượng” và tham gia các nội dung chung (Phần I, II, IV), "
        "hạn gửi ngày 25/03/2020.",
        "Đến ngày 30/03/2020, đã quá hạn 5 ngày, Phòng Kế hoạch Tài chính chưa nhận được nội "
        "dung của đơn vị, gồm:",
        "- Biểu số liệu mục I.8 (tệp Excel theo mẫu, trang “I.8”, 9 ô bắt buộc).",
        "- Thuyết minh (tệp Word theo mẫu) mục I.8 và các nội dung chung (Phần I, II, IV).",
        "Để bảo đảm tiến độ lập Quy hoạch tỉnh, Sở Khoa học và Công nghệ đề nghị Chi cục Tiêu "
        "chuẩn Đo lường Chất lượng khẩn trương hoàn thành và gửi các nội dung nêu trên về "
        "Phòng Kế hoạch Tài chính chậm nhất ngày 03/04/2020 để tổng hợp, báo cáo Ban Chỉ đạo "
        "lập quy hoạch tỉnh./."]


def test_a_unit_whose_file_cannot_be_read_is_told_what_to_fix_not_that_nothing_came(runs):
    for key, deadline in (("05/03", "25/03/2020"), ("30/03", "03/04/2020")):
        ttra = _letters(runs[key])["TTRA"]
        late = ", đã quá hạn 5 ngày" if key == "30/03" else ""
        body = ttra[ttra.index("Kính gửi: Thanh tra Sở.") + 2:-1]
        assert body == [
            f"Đến ngày {DAYS[key]:%d/%m/%Y}{late}, Phòng Kế hoạch Tài chính đã nhận tệp đơn vị "
            "gửi ngày 05/03/2020 nhưng chưa đọc được, nên nội dung của đơn vị chưa được tổng "
            "hợp:",
            "- Tệp 'TTRA_so_lieu.pdf': Tệp PDF không đọc được số liệu. Hãy gửi tệp gốc: biểu "
            "số liệu Excel (.xlsx) và thuyết minh Word (.docx).",
            "Để bảo đảm tiến độ lập Quy hoạch tỉnh, Sở Khoa học và Công nghệ đề nghị Thanh tra "
            "Sở gửi lại tệp theo đúng mẫu (biểu số liệu Excel, thuyết minh Word) về Phòng Kế "
            f"hoạch Tài chính chậm nhất ngày {deadline} để tổng hợp, báo cáo Ban Chỉ đạo lập "
            "quy hoạch tỉnh./."]
        assert not any("chưa nhận được" in t for t in ttra)


def test_a_letter_names_the_required_cells_still_empty_and_the_half_missing(runs):
    letters = _letters(runs["30/03"])
    ttud = letters["TTUD"]
    assert ttud[ttud.index("Kính gửi: Trung tâm Ứng dụng KH&CN.") + 2:-1] == [
        "Phòng Kế hoạch Tài chính đã nhận biểu số liệu và thuyết minh của đơn vị (gửi ngày "
        "24/03/2020). Đến ngày 30/03/2020, nội dung còn thiếu hoặc phải sửa:",
        # the two empty cells are the workbook's two errors: named once, as empty cells
        "- Biểu số liệu, trang “I.9”: còn 2 ô bắt buộc để trống (Tỷ lệ lao động qua đào tạo "
        "có bằng cấp, chứng chỉ: năm 2015, 2016).",
        "Để bảo đảm tiến độ lập Quy hoạch tỉnh, Sở Khoa học và Công nghệ đề nghị Trung tâm Ứng "
        "dụng KH&CN bổ sung, sửa và gửi lại các nội dung nêu trên về Phòng Kế hoạch Tài chính "
        "chậm nhất ngày 03/04/2020 để tổng hợp, báo cáo Ban Chỉ đạo lập quy hoạch tỉnh./."]
    qlkh = letters["QLKH"]
    assert qlkh[qlkh.index("Kính gửi: Phòng Quản lý Khoa học.") + 2:-1] == [
        "Phòng Kế hoạch Tài chính đã nhận biểu số liệu của đơn vị (gửi ngày 24/03/2020). Đến "
        "ngày 30/03/2020, nội dung còn thiếu hoặc phải sửa:",
        "- Chưa nhận thuyết minh (tệp Word theo mẫu) mục I.2 và các nội dung chung (Phần I, "
        "II, IV).",
        "Để bảo đảm tiến độ lập Quy hoạch tỉnh, Sở Khoa học và Công nghệ đề nghị Phòng Quản "
        "lý Khoa học gửi bổ sung các nội dung nêu trên về Phòng Kế hoạch Tài chính chậm nhất "
        "ngày 03/04/2020 để tổng hợp, báo cáo Ban Chỉ đạo lập quy hoạch tỉnh./."]


def test_a_letter_is_in_the_form_of_a_cong_van(runs, cat):
    path = next(p for p in runs["30/03"].reminders if p.stem == "nhac-TDC")
    doc = Document(str(path))
    head = [c.text.replace("\u00a0", " ") for c in doc.tables[0].rows[0].cells]
    assert head[0].split("\n") == ["UBND TỈNH BẮC GIANG", "SỞ KHOA HỌC VÀ CÔNG NGHỆ", "",
                                   "Số:      /KHCN-KHTC",
                                   "V/v đôn đốc gửi nội dung phục vụ lập Quy hoạch tỉnh"]
    assert head[1].split("\n")[-1] == "Bắc Giang, ngày 30 tháng 3 năm 2020"
    assert doc.paragraphs[0].text == "Kính gửi: Chi cục Tiêu chuẩn Đo lường Chất lượng."
    left, right = (c.text.split("\n") for c in doc.tables[-1].rows[0].cells)
    assert left == ["Nơi nhận:", "- Như trên;", "- Lãnh đạo Sở (để báo cáo);",
                    "- Lưu: VT, KHTC."]
    assert [t for t in right if t] == ["KT. GIÁM ĐỐC", "PHÓ GIÁM ĐỐC"]  # the catalogue's
    ttud = next(p for p in runs["30/03"].reminders if p.stem == "nhac-TTUD")
    assert Document(str(ttud)).tables[0].rows[0].cells[0].text.split("\n")[-1] == (
        "V/v đôn đốc hoàn thiện nội dung phục vụ lập Quy hoạch tỉnh")


def test_nothing_in_a_letter_is_dated_after_the_as_of_date_but_its_deadlines(runs):
    # The deadlines a letter names: the catalogue's (25/03/2020) and the new one it sets
    # (the as-of date plus three working days; 02/04/2020 is a holiday in the catalogue).
    allowed = {"05/03": {dt.date(2020, 3, 25)}, "20/03": {dt.date(2020, 3, 25)},
               "30/03": {dt.date(2020, 4, 3)}}
    for key, written in runs.items():
        for unit, lines in _letters(written).items():
            later = {d for d in dates_in(lines) if d > DAYS[key]}
            assert later <= allowed[key], (key, unit, later)


def test_nobody_to_chase(cat, inputs, tmp_path):
    written = run_progress_report(cat, date_saved(inputs), tmp_path / "out", "thang",
                                  DAYS["30/03"])
    assert written.reminders == ()
    assert list(written.lines())[-1] == "Không có đơn vị cần đôn đốc."
    assert written.report.name == "bao-cao-thang.docx"


def test_a_unit_that_sent_early_with_errors_is_told_before_its_deadline(cat, inputs, tmp_path):
    date_saved(inputs)
    write_unit_workbook(cat, "TTUD", next(inputs.glob("TTUD_*.xlsx")),
                        changes={("ld_bang_cap", 2015): None}, meta={"ngay_gui": "18/03/2020"})
    written = run_progress_report(cat, inputs, tmp_path / "out", "tuan", DAYS["20/03"])
    assert [p.stem for p in written.reminders] == ["nhac-TTUD"]
    said = texts(written.reminders[0])
    assert ("- Biểu số liệu, trang “I.9”: còn 1 ô bắt buộc để trống (Tỷ lệ lao động qua đào "
            "tạo có bằng cấp, chứng chỉ: năm 2015).") in said
    assert any("chậm nhất ngày 25/03/2020" in t for t in said)  # its own deadline is later


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
