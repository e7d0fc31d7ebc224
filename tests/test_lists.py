"""List inputs (projects, facilities, organisations, work plans) and the consultants' pack."""

from __future__ import annotations

import datetime as dt
import zipfile

import openpyxl

from pipeline.build import DICTIONARY, MERGED_XLSX, PACK, run_build
from pipeline.catalogue.layout import LIST_FIRST_ROW
from pipeline.merge import MERGED_COLUMNS
from pipeline.office.status import check_inputs
from pipeline.tools.samples import fill_lists, fill_workbook, sample_values

from .conftest import TEMPLATE, chapter_blocks, row_of, table_after

AS_OF = dt.date(2020, 3, 30)
PROJECT = {"linh_vuc": "KH&CN", "quy_mo": "Nhỏ", "loai_dat": "Đất trồng lúa",
           "giai_doan": "2021-2025", "nguon_von": "Ngân sách địa phương"}


def _projects_workbook(cat, path, rows):
    unit = cat.unit_by_code["TDC"]
    wb = fill_workbook(cat, unit, sample_values(cat, unit), {"ngay_gui": "20/03/2020"})
    fill_lists(cat, wb, {"du_an": rows})
    wb.save(path)


def test_three_project_rows_one_with_a_negative_area(tmp_path, cat, inputs):
    rows = [
        {**PROJECT, "ten": "Dự án A", "dia_diem": "Huyện Hiệp Hòa", "dien_tich": 2.5},
        {**PROJECT, "ten": "Dự án B", "dia_diem": "Huyện Hiệp Hòa", "dien_tich": -1},
        {**PROJECT, "ten": "Dự án C", "dia_diem": "Huyện Sơn Động", "dien_tich": 4,
         "loai_dat": "Đất rừng sản xuất"},
    ]
    for f in inputs.glob("*_so_lieu_mau.xlsx"):  # only this unit proposes projects
        if not f.name.startswith("TDC"):
            wb = openpyxl.load_workbook(f)
            ws = wb["DS dự án"]
            for r in range(LIST_FIRST_ROW, LIST_FIRST_ROW + 20):
                for c in range(2, 11):
                    ws.cell(r, c).value = None
            wb.save(f)
    _projects_workbook(cat, next(inputs.glob("TDC_*.xlsx")), rows)
    result = run_build(inputs, tmp_path / "out", cat, TEMPLATE, as_of=AS_OF, pdf=False,
                       log=lambda _: None)
    bad = [f for f in result.findings if f.code == "list_bad_value"]
    assert [(f.file, f.sheet, f.cell, f.indicator) for f in bad] == [
        ("TDC_so_lieu_mau.xlsx", "DS dự án", f"F{LIST_FIRST_ROW + 1}", "du_an.dien_tich")]
    assert bad[0].message.startswith("Dòng 2 của 'Danh mục dự án đề xuất thu hút đầu tư lĩnh "
                                     "vực KH&CN': 'Diện tích đất' = '-1' ngoài khoảng cho phép")
    blocks = chapter_blocks(result.chapter)
    projects = table_after(blocks, "5. Quy hoạch", "Danh mục dự án đề xuất")
    names = [r.cells[1].text for r in projects.rows[1:]]
    assert names == ["Dự án A", "Dự án C"]
    land = table_after(blocks, "5. Quy hoạch", "Nhu cầu sử dụng đất cho KH&CN theo địa điểm")
    # 2,5 ha of rice land in Hiệp Hòa + 4 ha of production forest in Sơn Động = 6,5 ha; no
    # project asks Hiệp Hòa for forest land ("-", not 0); one decimal for every area.
    assert row_of(land, "Huyện Hiệp Hòa")[1:] == ["-", "2,5", "2,5"]
    assert row_of(land, "Tổng cộng")[1:] == ["4,0", "2,5", "6,5"]
    header = [c.text for c in land.rows[0].cells]
    assert header == ["Địa điểm", "Đất rừng sản xuất", "Đất trồng lúa", "Tổng cộng"]


def test_work_plan_counts_tasks_due_done_and_late(cat, inputs):
    # Sample plans: due 06/03 and 20/03 done, 25/03 in progress.
    checked = check_inputs(cat, inputs, AS_OF, log=lambda _: None)
    p = next(p for p in checked.progress if p.unit == "KHTC")
    assert (p.tasks, p.tasks_due, p.tasks_done, p.tasks_late) == (3, 3, 2, 1)
    assert p.tasks_line == "2/3 việc đến hạn đã xong, trễ 1"
    # As of the day KHTC sent it (12/03/2020): one task due, done.
    early = check_inputs(cat, inputs, dt.date(2020, 3, 12), log=lambda _: None)
    q = next(p for p in early.progress if p.unit == "KHTC")
    assert (q.tasks_due, q.tasks_done, q.tasks_late) == (1, 1, 0)
    # The day before, the office held no plan of KHTC: none is counted.
    before = check_inputs(cat, inputs, dt.date(2020, 3, 11), log=lambda _: None)
    assert next(p for p in before.progress if p.unit == "KHTC").tasks == 0


def test_work_plan_is_not_in_the_chapter(cat, sample_build):
    result = sample_build  # the sample inputs built as of AS_OF, without PDF
    texts = [str(v) for _, v in chapter_blocks(result.chapter) if isinstance(v, str)]
    assert not any("Kế hoạch, tiến độ công việc" in t for t in texts)
    assert not any("Thu thập số liệu giai đoạn 2011-2019" in t for t in texts)


def test_consultants_pack_and_dictionary(cat, sample_build):
    result = sample_build  # the sample inputs built as of AS_OF, without PDF
    with zipfile.ZipFile(result.folder / f"{PACK}.zip") as zf:
        names = sorted(zf.namelist())
    assert names == sorted(f"{PACK}/{n}" for n in (
        "chuong-khcn.docx", "so-lieu-tong-hop.xlsx", "so-lieu-tong-hop.csv", DICTIONARY,
        "bao-cao-kiem-tra.xlsx", "manifest.json"))
    book = openpyxl.load_workbook(result.folder / DICTIONARY)
    columns = {r[0] for r in book["Cột bảng số liệu"].iter_rows(min_row=2, values_only=True)}
    assert set(MERGED_COLUMNS) <= columns  # every column of the merged data is explained
    codes = {r[0] for r in book["Chỉ tiêu"].iter_rows(min_row=2, values_only=True)}
    assert set(cat.indicator_by_code) | set(cat.derived_by_code) <= codes
    listed = {(r[0], r[2]) for r in book["Danh sách"].iter_rows(min_row=2, values_only=True)}
    assert {(li.code, c.code) for li in cat.lists for c in li.columns} <= listed
    merged = openpyxl.load_workbook(result.folder / MERGED_XLSX)
    assert "DS dự án" in merged.sheetnames
    rows = list(merged["DS dự án"].iter_rows(min_row=2, values_only=True))
    assert len(rows) == 4  # the sample projects of TTUD (1), QLCN (2) and TDC (1)
