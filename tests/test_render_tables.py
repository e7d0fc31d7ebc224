"""The chapter's tables (render/tables.py) written alone into a document and read back with
python-docx: titles, unit lines, headers, formatted cells, bold period rows, source lines,
notes and the appendix rows each table returns. Expected values are worked out by hand."""

from __future__ import annotations

import datetime as dt
import re
import shutil
import subprocess
from pathlib import Path

import pandas as pd
import pytest
from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docxtpl import DocxTemplate

from pipeline.catalogue.model import ColumnRef, Table, Years
from pipeline.core.records import Value
from pipeline.core.soffice import convert, find_soffice
from pipeline.core.word import (
    SAMPLE_MARK,
    StyleIds,
    mark_sample,
    new_document,
    settle_sections,
)
from pipeline.derive import TargetStatus, derive
from pipeline.merge import merge
from pipeline.render.tables import (
    Source,
    indicator_table,
    list_table,
    table_numbers,
    targets_table,
)
from pipeline.render.values import Values

SENT = dt.date(2020, 3, 20)
OWNER = "Phòng Kế hoạch Tài chính"


def _value(indicator: str, part: str, year: int, value: float, cell: str) -> Value:
    return Value("KHTC", indicator, part, year, value, "Chính thức", "", "KHTC.xlsx", "I.1", cell,
                 "0" * 64)


def _budget(cat) -> Values:
    """2011-2015 only: a budget of 8 million (2011), then 10 million a year (triệu đồng); S&T
    spending of 100.000 a year, 40.000 of it investment and 60.000 current spending."""
    values = []
    for k, year in enumerate(range(2011, 2016)):
        col = "EFGHI"[k]
        values += [
            _value("chi_nsdp", "total", year, 8_000_000 if year == 2011 else 10_000_000,
                   f"{col}6"),
            _value("chi_khcn", "dtpt", year, 40_000, f"{col}7"),
            _value("chi_khcn", "su_nghiep", year, 60_000, f"{col}8"),
            _value("chi_khcn", "total", year, 100_000, f"{col}9"),
        ]
    merged = merge(cat, values)
    return Values.of(merged, derive(cat, merged))


def _blocks(doc, tmp_path):
    """The written body as ('p', style, text) and ('t', table) in order, after a save."""
    path = tmp_path / "bang.docx"
    doc.save(str(path))
    out = []
    for block in Document(str(path)).iter_inner_content():
        if hasattr(block, "rows"):
            out.append(("t", block, None))
        else:
            out.append(("p", block.style.name, block.text))
    return out


def _section_breaks(path) -> list[str]:
    """The orientation of each section a paragraph ends, in order."""
    body = Document(str(path)).element.body
    return ["landscape" if s.xpath("./w:pgSz/@w:orient") == ["landscape"] else "portrait"
            for s in body.xpath("./w:p/w:pPr/w:sectPr")]


def _cells(table) -> list[list[str]]:
    return [[c.text for c in row.cells] for row in table.rows]


BUDGET_TABLE = Table(title="Chi cho KH&CN", columns=[
    ColumnRef(indicator="chi_nsdp"), ColumnRef(indicator="chi_khcn", part="total"),
    ColumnRef(indicator="chi_khcn", part="dtpt"), ColumnRef(indicator="chi_khcn", part="su_nghiep"),
    ColumnRef(derived="ty_le_chi_khcn")])


def test_indicator_table_groups_parts_formats_figures_and_bolds_periods(cat, tmp_path):
    doc = new_document()
    indicator_table(doc, StyleIds(doc), cat, _budget(cat), "1.1", BUDGET_TABLE, OWNER, SENT)
    blocks = _blocks(doc, tmp_path)

    assert blocks[0][1:] == ("Bảng - tên bảng", "Bảng 1.1. Chi cho KH&CN")
    # Millions of đồng and a percentage: each header names its measure, no unit line above.
    table = blocks[1][1]
    spending = "Chi ngân sách cho KH&CN (triệu đồng)"
    budget = "Tổng chi ngân sách địa phương (triệu đồng)"
    share = "Tỷ lệ chi KH&CN trong tổng chi NSĐP (%)"
    empty = ["-"] * 5
    assert _cells(table) == [
        ["Năm", budget, spending, spending, spending, share],  # merged across the parts
        ["Năm", budget, "Tổng số", "Chi đầu tư phát triển", "Chi sự nghiệp KH&CN", share],
        ["2011", "8.000.000", "100.000", "40.000", "60.000", "1,25"],
        ["2012", "10.000.000", "100.000", "40.000", "60.000", "1,00"],
        ["2013", "10.000.000", "100.000", "40.000", "60.000", "1,00"],
        ["2014", "10.000.000", "100.000", "40.000", "60.000", "1,00"],
        ["2015", "10.000.000", "100.000", "40.000", "60.000", "1,00"],
        ["2016", *empty], ["2017", *empty], ["2018", *empty], ["2019", *empty],
        # 500.000 / 48.000.000 = 1,04%: the ratio of the sums
        ["2011-2015", "48.000.000", "500.000", "200.000", "300.000", "1,04"],
        ["2016-2019", *empty],
    ]
    bold = [all(r.bold for c in row.cells[1:] for r in c.paragraphs[0].runs)
            for row in table.rows[2:]]
    assert bold == [False] * 9 + [True, True]
    assert blocks[2][1:] == ("Bảng - nguồn", "Nguồn: Phòng Kế hoạch Tài chính, biểu số liệu "
                             "gửi ngày 20/03/2020; các cột tính toán tính từ số liệu trong bảng "
                             "(cách tính ghi ở phụ lục).")
    assert blocks[3][1:] == ("Ghi chú", "Ghi chú: Dòng giai đoạn: số phát sinh là tổng các năm; "
                             "các cột tính toán tính từ số liệu cả giai đoạn. Dấu “-”: chưa có "
                             "số liệu, số liệu chưa hợp lệ hoặc giai đoạn còn thiếu năm.")
    assert len(blocks) == 4


def test_indicator_table_returns_where_each_column_comes_from(cat):
    doc = new_document()
    sources = indicator_table(doc, StyleIds(doc), cat, _budget(cat), "1.1", BUDGET_TABLE,
                              OWNER, SENT)
    sheet = f"{OWNER}, biểu số liệu, trang I.1"
    assert sources == (
        Source("Bảng 1.1", "Tổng chi ngân sách địa phương (triệu đồng)", f"{sheet}, ô E6-I6",
               "20/03/2020"),
        # A part is named after its indicator, as the grouped header shows it.
        Source("Bảng 1.1", "Chi ngân sách cho KH&CN – Tổng số (triệu đồng)", f"{sheet}, ô E9-I9",
               "20/03/2020"),
        Source("Bảng 1.1", "Chi ngân sách cho KH&CN – Chi đầu tư phát triển (triệu đồng)",
               f"{sheet}, ô E7-I7", "20/03/2020"),
        Source("Bảng 1.1", "Chi ngân sách cho KH&CN – Chi sự nghiệp KH&CN (triệu đồng)",
               f"{sheet}, ô E8-I8", "20/03/2020"),
        Source("Bảng 1.1", "Tỷ lệ chi KH&CN trong tổng chi NSĐP (%)",
               "Tính từ: chi ngân sách cho KH&CN / tổng chi ngân sách địa phương × 100",
               "20/03/2020"),
    )


def test_period_table_of_one_measure_has_one_header_row_and_no_measure_in_headers(cat, tmp_path):
    labs = [_value("csvc_phong_thi_nghiem", "total", y, n, f"{c}11")
            for y, n, c in ((2016, 9, "J"), (2017, 10, "K"), (2018, 10, "L"), (2019, 12, "M"))]
    merged = merge(cat, labs)
    table = Table(title="Phòng thí nghiệm", rows="periods",
                  columns=[ColumnRef(indicator="csvc_phong_thi_nghiem")])
    doc = new_document()
    sources = indicator_table(doc, StyleIds(doc), cat, Values.of(merged, derive(cat, merged)),
                              "1.2", table, OWNER, SENT)
    blocks = _blocks(doc, tmp_path)

    assert [b[2] for b in blocks if b[0] == "p"] == [
        "Bảng 1.2. Phòng thí nghiệm",
        "Đơn vị tính: phòng",
        "Nguồn: Phòng Kế hoạch Tài chính, biểu số liệu gửi ngày 20/03/2020.",
        "Ghi chú: Dòng giai đoạn: số hiện có là số của năm cuối giai đoạn. Dấu “-”: chưa có số "
        "liệu, số liệu chưa hợp lệ hoặc giai đoạn còn thiếu năm.",
    ]
    # The last year of 2016-2019 (a stock); 2011-2015 was not sent.
    assert _cells(blocks[2][1]) == [["Giai đoạn", "Số phòng thí nghiệm, thử nghiệm"],
                                    ["2011-2015", "-"], ["2016-2019", "12"]]
    assert [s.origin for s in sources] == [f"{OWNER}, biểu số liệu, trang I.1, ô J11-M11"]


def test_targets_table_shows_current_with_its_year_targets_and_verdict(tmp_path):
    rows = [
        TargetStatus(item="II.3", label="Tỷ lệ lao động qua đào tạo", measure="%", decimals=1,
                     current=66.6, current_when="2019", targets=((2025, 75.0), (2030, 85.0)),
                     projection=(), verdict="Chưa đạt mục tiêu năm 2025."),
        TargetStatus(item="II.3", label="Tỷ lệ dự án có công nghệ tiên tiến", measure="%",
                     decimals=0, current=None, current_when="-", targets=((2025, 30.0),
                                                                          (2030, None)),
                     projection=(), verdict="Chưa đủ số liệu để đánh giá."),
    ]
    doc = new_document()
    targets_table(doc, StyleIds(doc), "2.1", [2025, 2030], rows)
    blocks = _blocks(doc, tmp_path)

    assert blocks[0][1:] == ("Bảng - tên bảng",
                             "Bảng 2.1. Một số chỉ tiêu phát triển KH&CN đến năm 2030")
    table = blocks[1][1]
    assert _cells(table) == [
        ["Chỉ tiêu", "Đơn vị", "Hiện trạng", "2025", "2030", "Đánh giá"],
        ["Tỷ lệ lao động qua đào tạo", "%", "66,6 (2019)", "75,0", "85,0",
         "Chưa đạt mục tiêu năm 2025."],
        ["Tỷ lệ dự án có công nghệ tiên tiến", "%", "-", "30", "-",
         "Chưa đủ số liệu để đánh giá."],
    ]
    left, centre = WD_ALIGN_PARAGRAPH.LEFT, WD_ALIGN_PARAGRAPH.CENTER
    assert [c.paragraphs[0].alignment for c in table.rows[1].cells] == [
        left, centre, None, None, None, left]
    assert blocks[2][1] == "Bảng - nguồn"
    assert blocks[2][2].startswith("Nguồn: mục tiêu do các phòng, đơn vị đề xuất")


def _projects() -> pd.DataFrame:
    return pd.DataFrame({
        "unit_name": ["Phòng Quản lý Khoa học", "Trung tâm Ứng dụng KH&CN"],
        "ten": ["Khu thực nghiệm", "Vườn ươm công nghệ"],
        "quy_mo": ["5 ha", None],
        "dia_diem": ["Huyện Lục Nam", "Huyện Yên Dũng"],
        "dien_tich": [2.5, 1.25],
        "loai_dat": ["Đất trồng lúa", "Đất trồng cây lâu năm"],
        "giai_doan": ["2021-2025", "2026-2030"],
    })


def test_list_table_numbers_rows_names_the_unit_and_adds_the_land_table(cat, tmp_path):
    nan = float("nan")  # no project asks Lục Nam for perennial land: empty, never 0
    land = pd.DataFrame({"Đất trồng cây lâu năm": [nan, 1.25, 1.25],
                         "Đất trồng lúa": [2.5, nan, 2.5], "Tổng cộng": [2.5, 1.25, 3.75]},
                        index=["Huyện Lục Nam", "Huyện Yên Dũng", "Tổng cộng"])
    numbers = table_numbers("2")
    doc = new_document()
    list_table(doc, StyleIds(doc), numbers, cat.list_by_code["du_an"], _projects(), land)
    blocks = _blocks(doc, tmp_path)

    paragraphs = [b[2] for b in blocks if b[0] == "p"]
    # Eight columns, four of wrapping text (2,5 cm each at least): a landscape page, between
    # two section breaks (empty paragraphs); the land table's four columns fit a portrait one.
    assert paragraphs == [
        "",
        "Bảng 2.1. Danh mục dự án đề xuất thu hút đầu tư lĩnh vực KH&CN",
        "Nguồn: Phòng Quản lý Khoa học, Trung tâm Ứng dụng KH&CN.",
        "",
        "Bảng 2.2. Nhu cầu sử dụng đất cho KH&CN theo địa điểm và loại đất chuyển đổi",
        "Đơn vị tính: ha",
        "Nguồn: tổng hợp từ danh mục dự án đề xuất của các phòng, đơn vị.",
        "Ghi chú: Dấu “-”: không có dự án đề xuất cần loại đất này tại địa điểm.",
    ]
    projects, demand = [b[1] for b in blocks if b[0] == "t"]
    # The list names each column's measure in its header: no unit line. Areas of 2,5 and
    # 1,25 ha: two decimals for the whole column.
    assert _cells(projects) == [
        ["STT", "Tên dự án", "Quy mô", "Địa điểm (huyện/thành phố)", "Diện tích đất (ha)",
         "Loại đất chuyển đổi", "Giai đoạn thực hiện", "Đơn vị đề xuất"],
        ["1", "Khu thực nghiệm", "5 ha", "Huyện Lục Nam", "2,50", "Đất trồng lúa", "2021-2025",
         "Phòng Quản lý Khoa học"],
        ["2", "Vườn ươm công nghệ", "-", "Huyện Yên Dũng", "1,25", "Đất trồng cây lâu năm",
         "2026-2030", "Trung tâm Ứng dụng KH&CN"],
    ]
    # Each column aligned by its kind: the row number centred, numbers right (the style's),
    # text left, the "-" of an empty text cell with its column.
    left, centre = WD_ALIGN_PARAGRAPH.LEFT, WD_ALIGN_PARAGRAPH.CENTER
    assert [[c.paragraphs[0].alignment for c in row.cells] for row in projects.rows[1:]] == [
        [centre, left, left, left, None, left, left, left]] * 2
    assert _cells(demand) == [
        ["Địa điểm", "Đất trồng cây lâu năm", "Đất trồng lúa", "Tổng cộng"],
        ["Huyện Lục Nam", "-", "2,50", "2,50"],
        ["Huyện Yên Dũng", "1,25", "-", "1,25"],
        ["Tổng cộng", "1,25", "2,50", "3,75"],
    ]
    assert [r.cells[0].paragraphs[0].style.name for r in demand.rows[1:]] == [
        "Bảng - tiêu đề cột"] * 3
    assert next(numbers) == "2.3"  # two numbers were used
    assert _section_breaks(tmp_path / "bang.docx") == ["portrait", "landscape"]


def test_a_list_nobody_sent_is_a_sentence_and_uses_one_number(cat, tmp_path):
    numbers = table_numbers("2")
    doc = new_document()
    li = cat.list_by_code["co_so_qlnn"]
    list_table(doc, StyleIds(doc), numbers, li, _projects().iloc[0:0])
    list_table(doc, StyleIds(doc), numbers, li, None)
    assert _blocks(doc, tmp_path) == [
        ("p", "Bảng - tên bảng", "Bảng 2.1. Cơ sở phục vụ quản lý nhà nước về KH&CN"),
        ("p", "Chưa có số liệu", "Chưa có phòng, đơn vị nào gửi nội dung “Cơ sở phục vụ quản "
                                 "lý nhà nước về KH&CN”."),
        ("p", "Bảng - tên bảng", "Bảng 2.2. Cơ sở phục vụ quản lý nhà nước về KH&CN"),
        ("p", "Chưa có số liệu", "Chưa có phòng, đơn vị nào gửi nội dung “Cơ sở phục vụ quản "
                                 "lý nhà nước về KH&CN”."),
    ]


def test_table_numbers_follow_the_section_tag():
    numbers = table_numbers("3")
    assert [next(numbers) for _ in range(3)] == ["3.1", "3.2", "3.3"]


# --- notes in words, provisional figures ------------------------------------------------------

def _notes_of(blocks) -> list[str]:
    return [text for kind, style, text in blocks if kind == "p" and style == "Ghi chú"]


def test_a_column_the_unit_marked_estimated_gets_a_mark_and_a_note(cat, tmp_path):
    # The 2011 row of S&T investment spending marked "Ước tính" in the form, nothing else.
    values = [_value("chi_nsdp", "total", 2011, 8_000_000, "E6"),
              _value("chi_khcn", "total", 2011, 100_000, "E9"),
              Value("KHTC", "chi_khcn", "dtpt", 2011, 40_000, "Ước tính", "", "KHTC.xlsx",
                    "I.1", "E7", "0" * 64),
              _value("chi_khcn", "su_nghiep", 2011, 60_000, "E8")]
    merged = merge(cat, values)
    table = Table(title="Chi cho KH&CN", rows="years", columns=BUDGET_TABLE.columns[1:4])
    doc = new_document()
    indicator_table(doc, StyleIds(doc), cat, Values.of(merged, derive(cat, merged)), "1.1",
                    table, OWNER, SENT)
    blocks = _blocks(doc, tmp_path)

    grid = [b[1] for b in blocks if b[0] == "t"][0]
    assert _cells(grid)[:2] == [
        ["Năm", "Chi ngân sách cho KH&CN", "Chi ngân sách cho KH&CN", "Chi ngân sách cho KH&CN"],
        ["Năm", "Tổng số", "Chi đầu tư phát triển (*)", "Chi sự nghiệp KH&CN"]]
    assert _notes_of(blocks) == [
        "Ghi chú: Dấu “-”: chưa có số liệu, số liệu chưa hợp lệ hoặc giai đoạn còn thiếu năm. "
        "(*) Số liệu ước tính — theo ghi chú của đơn vị ở biểu số liệu."]


def test_estimated_and_preliminary_columns_of_a_sample_workbook_and_what_is_computed_of_them(
        cat, tmp_path):
    # A sample workbook: its rows say "Mẫu – Sơ bộ", "Mẫu – Ước tính" or "Mẫu" after merge.
    def row(indicator: str, part: str, status: str, cell: str) -> Value:
        return Value("KHTC", indicator, part, 2011, 10.0, status, "", "KHTC.xlsx", "I.1", cell,
                     "0" * 64)

    merged = merge(cat, [row("chi_nsdp", "total", "Sơ bộ", "E6"),
                         row("chi_khcn", "dtpt", "Ước tính", "E7"),
                         row("chi_khcn", "su_nghiep", "Chính thức", "E8"),
                         row("chi_khcn", "total", "", "E9")], samples=frozenset({"KHTC.xlsx"}))
    assert merged["status"].tolist() == ["Mẫu – Sơ bộ", "Mẫu – Ước tính", "Mẫu", "Mẫu"]
    doc = new_document()
    indicator_table(doc, StyleIds(doc), cat, Values.of(merged, derive(cat, merged)), "1.1",
                    BUDGET_TABLE, OWNER, SENT)
    blocks = _blocks(doc, tmp_path)

    grid = [b[1] for b in blocks if b[0] == "t"][0]
    # The share is computed from the preliminary budget: it is preliminary too.
    assert _cells(grid)[1] == [
        "Năm", "Tổng chi ngân sách địa phương (triệu đồng) (**)", "Tổng số",
        "Chi đầu tư phát triển (*)", "Chi sự nghiệp KH&CN",
        "Tỷ lệ chi KH&CN trong tổng chi NSĐP (%) (**)"]
    assert _notes_of(blocks)[0].endswith(
        "(*) Số liệu ước tính; (**) số liệu sơ bộ — theo ghi chú của đơn vị ở biểu số liệu.")


def test_official_figures_have_no_mark_and_no_note(cat, tmp_path):
    doc = new_document()
    indicator_table(doc, StyleIds(doc), cat, _budget(cat), "1.1", BUDGET_TABLE, OWNER, SENT)
    blocks = _blocks(doc, tmp_path)
    grid = [b[1] for b in blocks if b[0] == "t"][0]
    assert not any("*" in text for row in _cells(grid) for text in row)
    assert "*" not in _notes_of(blocks)[0]


def test_tasks_in_progress_leave_their_period_cells_empty_and_say_why(cat, tmp_path):
    values = [_value(indicator, part, year, n, f"{'EFGHIJKLM'[year - 2011]}{r}")
              for indicator, part, n, r in (("nv_so_luong", "tinh", 10, 7),
                                            ("nv_ung_dung", "total", 4, 20))
              for year in range(2011, 2020)]
    merged = merge(cat, values)
    table = Table(title="Nhiệm vụ", columns=[ColumnRef(indicator="nv_so_luong", part="tinh"),
                                             ColumnRef(indicator="nv_ung_dung")])
    doc = new_document()
    indicator_table(doc, StyleIds(doc), cat, Values.of(merged, derive(cat, merged)), "2.1",
                    table, OWNER, SENT)
    blocks = _blocks(doc, tmp_path)

    grid = [b[1] for b in blocks if b[0] == "t"][0]
    assert _cells(grid)[-2:] == [["2011-2015", "", "20"], ["2016-2019", "", "16"]]
    assert _notes_of(blocks) == [
        "Ghi chú: Dòng giai đoạn: số nhiệm vụ đang thực hiện không cộng qua các năm nên để "
        "trống; số phát sinh là tổng các năm."]



def test_a_table_of_tasks_in_progress_only_has_no_period_rows(cat, tmp_path):
    values = [_value("nv_so_luong", "tinh", year, 10, f"{'EFGHIJKLM'[year - 2011]}7")
              for year in range(2011, 2020)]
    merged = merge(cat, values)
    table = Table(title="Nhiệm vụ", columns=[ColumnRef(indicator="nv_so_luong", part="tinh")])
    doc = new_document()
    indicator_table(doc, StyleIds(doc), cat, Values.of(merged, derive(cat, merged)), "2.2",
                    table, OWNER, SENT)
    blocks = _blocks(doc, tmp_path)
    grid = [b[1] for b in blocks if b[0] == "t"][0]
    assert [row[0] for row in _cells(grid)][-2:] == ["2018", "2019"]  # no empty 2011-2015
    assert _notes_of(blocks) == []  # and no period note for rows not shown



def test_a_year_column_of_a_list_prints_the_year_without_a_separator(cat, tmp_path):
    firms = pd.DataFrame({"unit_name": ["Phòng Quản lý Công nghệ và Thị trường công nghệ"],
                          "ten": ["Công ty A"], "nam_cap": [2013], "linh_vuc": ["Nông nghiệp"],
                          "dia_diem": ["Huyện Lạng Giang"]})
    doc = new_document()
    list_table(doc, StyleIds(doc), table_numbers("3"), cat.list_by_code["doanh_nghiep_khcn"],
               firms)
    [grid] = [b[1] for b in _blocks(doc, tmp_path) if b[0] == "t"]
    assert _cells(grid)[1][:3] == ["1", "Công ty A", "2013"]  # not "2.013"


TFP_NOTE = (
    "Tốc độ tăng TFP bằng tốc độ tăng GRDP trừ phần đóng góp của vốn (hệ số 0,35 nhân tốc độ "
    "tăng vốn) và của lao động (hệ số 0,65 nhân tốc độ tăng lao động), theo phương pháp của Tổng "
    "cục Thống kê; đóng góp của TFP là tốc độ tăng TFP chia cho tốc độ tăng GRDP, nhân 100. Số "
    "liệu giai đoạn tính từ tốc độ tăng bình quân của giai đoạn, không phải trung bình cộng các "
    "tỷ lệ đóng góp từng năm.")


def test_the_tfp_table_explains_its_formula_in_words_then_its_period_rows(cat, tmp_path):
    table = next(t for item in cat.items for t in item.tables if t.title.startswith(
        "Tăng trưởng GRDP và đóng góp của TFP"))
    assert cat.parameters["b_k"] == 0.35  # the note's 0,35 and 0,65: change both together
    merged = merge(cat, [])
    doc = new_document()
    indicator_table(doc, StyleIds(doc), cat, Values.of(merged, derive(cat, merged)), "3.2",
                    table, OWNER, SENT)
    assert _notes_of(_blocks(doc, tmp_path)) == [
        f"Ghi chú: {TFP_NOTE} Dòng giai đoạn: tốc độ tăng là bình quân của giai đoạn; các cột "
        "tính toán tính từ số liệu cả giai đoạn. Dấu “-”: chưa có số liệu, số liệu chưa hợp lệ "
        "hoặc giai đoạn còn thiếu năm."]


def test_a_kind_of_figure_whose_columns_differ_names_each_column(cat, tmp_path):
    # Two shares: one takes its last year, the other the mean of its years.
    table = Table(title="Tỷ lệ", rows="periods", columns=[
        ColumnRef(indicator="ld_qua_dao_tao"), ColumnRef(indicator="da_cn_tien_tien"),
        ColumnRef(indicator="ld_bang_cap")])
    merged = merge(cat, [])
    doc = new_document()
    indicator_table(doc, StyleIds(doc), cat, Values.of(merged, derive(cat, merged)), "9.1",
                    table, OWNER, SENT)
    assert _notes_of(_blocks(doc, tmp_path))[0] == (
        "Ghi chú: Dòng giai đoạn: tỷ lệ lao động qua đào tạo là số của năm cuối giai đoạn; tỷ "
        "lệ dự án đầu tư có công nghệ tiên tiến trở lên là trung bình cộng các năm; tỷ lệ lao "
        "động qua đào tạo có bằng cấp, chứng chỉ là số của năm cuối giai đoạn. Dấu “-”: chưa có "
        "số liệu, số liệu chưa hợp lệ hoặc giai đoạn còn thiếu năm.")


def test_no_table_note_of_the_catalogue_shows_code(cat):
    notes = [t.note for item in cat.items for t in item.tables if t.note]
    assert notes  # the catalogue has notes to check
    for note in notes:
        assert [c for c in ("_", "=", "›", "!", "*", "“") if c in note] == [], note


# --- tables a printer accepts: formats by column, units, rows kept together, wide pages -----

def _rows_xml(table) -> list[dict[str, object]]:
    """Per row: its w:trPr children and whether every paragraph of it keeps with the next."""
    out = []
    for tr in table._tbl.tr_lst:
        props = tr.trPr
        out.append({"props": [el.tag.split("}")[1] for el in props] if props is not None else [],
                    "keep": all(p.pPr is not None and p.pPr.keepNext_val
                                for p in tr.xpath(".//w:p"))})
    return out


def test_a_short_table_is_kept_whole_with_its_header_repeated_and_no_row_split(cat, tmp_path):
    doc = new_document()
    indicator_table(doc, StyleIds(doc), cat, _budget(cat), "1.1", BUDGET_TABLE, OWNER, SENT)
    blocks = _blocks(doc, tmp_path)
    rows = _rows_xml(blocks[1][1])

    # Two header rows (grouped) then 9 years and 2 periods: 11 body rows, at most 12.
    assert [r["props"] for r in rows] == [["cantSplit", "tblHeader"]] * 2 + [["cantSplit"]] * 11
    assert all(r["keep"] for r in rows)  # no exact height anywhere, every row with the next
    saved = Document(str(tmp_path / "bang.docx")).paragraphs
    source, note = [p for p in saved if p.style.name in ("Bảng - nguồn", "Ghi chú")]
    assert source.paragraph_format.keep_with_next  # with its note, as the last row with it
    assert not note.paragraph_format.keep_with_next


def _units(n: int) -> pd.DataFrame:
    """`n` public S&T units, each in Bắc Giang city with 10 people."""
    return pd.DataFrame({"unit_name": ["Phòng Quản lý KH&CN cơ sở"] * n,
                         "ten": [f"Trung tâm {k}" for k in range(1, n + 1)],
                         "dia_diem": ["Thành phố Bắc Giang"] * n, "chuc_nang": ["Ứng dụng"] * n,
                         "nhan_luc": [10] * n, "de_xuat": ["Giữ nguyên"] * n})


def test_a_long_table_keeps_its_first_two_and_last_two_rows_with_their_neighbours(cat, tmp_path):
    doc = new_document()
    list_table(doc, StyleIds(doc), table_numbers("2"), cat.list_by_code["co_so_cong_lap"],
               _units(20))
    [grid] = [b[1] for b in _blocks(doc, tmp_path) if b[0] == "t"]
    rows = _rows_xml(grid)
    # Header, rows 1-2 (never one row under the header at a page's foot), rows 19-20 (never
    # one row alone at the top of the next; the last keeps with the source line).
    assert [r["keep"] for r in rows] == [True, True, True] + [False] * 16 + [True, True]
    assert [r["props"] for r in rows] == [["cantSplit", "tblHeader"]] + [["cantSplit"]] * 20


def test_a_table_of_one_measure_has_one_unit_line_and_plain_headers(cat, tmp_path):
    table = Table(title="Chi cho KH&CN", columns=BUDGET_TABLE.columns[1:4])
    doc = new_document()
    indicator_table(doc, StyleIds(doc), cat, _budget(cat), "1.1", table, OWNER, SENT)
    blocks = _blocks(doc, tmp_path)
    assert blocks[1][1:] == ("Bảng - đơn vị tính", "Đơn vị tính: triệu đồng")
    assert _cells(blocks[2][1])[:2] == [
        ["Năm", "Chi ngân sách cho KH&CN", "Chi ngân sách cho KH&CN", "Chi ngân sách cho KH&CN"],
        ["Năm", "Tổng số", "Chi đầu tư phát triển", "Chi sự nghiệp KH&CN"]]


def test_land_areas_share_one_decimal_a_true_zero_is_zero_and_no_project_is_a_dash(cat, tmp_path):
    projects = pd.DataFrame({
        "unit_name": ["Phòng Quản lý Khoa học"] * 3, "ten": ["A", "B", "C"],
        "quy_mo": [None] * 3, "dia_diem": ["Huyện Lục Nam", "Huyện Yên Dũng", "Huyện Lục Nam"],
        "dien_tich": [3.0, 1.5, 0.0], "loai_dat": ["Đất trồng lúa", "Đất trồng lúa",
                                                   "Đất rừng sản xuất"],
        "giai_doan": ["2021-2025"] * 3})
    land = derive(cat, merge(cat, []), {"du_an": projects}).land
    doc = new_document()
    list_table(doc, StyleIds(doc), table_numbers("2"), cat.list_by_code["du_an"], projects, land)
    grid, demand = [b[1] for b in _blocks(doc, tmp_path) if b[0] == "t"]
    assert [row[4] for row in _cells(grid)] == ["Diện tích đất (ha)", "3,0", "1,5", "0,0"]
    assert _cells(demand) == [
        ["Địa điểm", "Đất rừng sản xuất", "Đất trồng lúa", "Tổng cộng"],
        ["Huyện Lục Nam", "0,0", "3,0", "3,0"],  # project C asks for 0 ha: a true zero
        ["Huyện Yên Dũng", "-", "1,5", "1,5"],  # no project asks for forest land here
        ["Tổng cộng", "0,0", "4,5", "4,5"],
    ]


def test_years_are_never_grouped_and_counts_are(cat, tmp_path):
    orgs = pd.DataFrame({"unit_name": ["Phòng Quản lý KH&CN cơ sở"], "ten": ["Viện A"],
                         "loai": ["Công lập"], "linh_vuc": ["Nông nghiệp"],
                         "nam_thanh_lap": [1992.0], "nhan_luc": [1200.0]})
    doc = new_document()
    list_table(doc, StyleIds(doc), table_numbers("1"), cat.list_by_code["to_chuc_khcn"], orgs)
    [grid] = [b[1] for b in _blocks(doc, tmp_path) if b[0] == "t"]
    assert _cells(grid)[1] == ["1", "Viện A", "Công lập", "Nông nghiệp", "1992", "1.200"]
    centre = WD_ALIGN_PARAGRAPH.CENTER
    assert [c.paragraphs[0].alignment for c in grid.rows[1].cells][4:] == [centre, None]


# A list too wide for a portrait page: eight columns, four of them of wrapping text.
WIDE = pd.DataFrame({
    "unit_name": ["Phòng Quản lý Công nghệ và Thị trường công nghệ"],
    "ten": ["Trung tâm hỗ trợ khởi nghiệp đổi mới sáng tạo"], "quy_mo": ["Nhà điều hành 3.000 m²"],
    "dia_diem": ["Thành phố Bắc Giang"], "dien_tich": [1.5], "loai_dat": ["Đất phi nông nghiệp"],
    "giai_doan": ["2021-2025"]})


def _sect(el) -> dict[str, object]:
    """A w:sectPr as the numbers Word reads: page size and margins in twips (1/1440 inch)."""
    size, margins = el.find(qn("w:pgSz")), el.find(qn("w:pgMar"))
    return {"size": (size.get(qn("w:w")), size.get(qn("w:h")), size.get(qn("w:orient"))),
            "margins": {k: margins.get(qn(f"w:{k}")) for k in ("top", "right", "bottom", "left",
                                                                "header")},
            "own headers or first page": [c.tag.split("}")[1] for c in el
                                          if c.tag in (qn("w:headerReference"),
                                                       qn("w:titlePg"))]}


def test_a_wide_table_is_set_on_a_landscape_page_between_two_section_breaks(cat, tmp_path):
    doc = new_document()
    list_table(doc, StyleIds(doc), table_numbers("2"), cat.list_by_code["du_an"], WIDE)
    blocks = _blocks(doc, tmp_path)
    assert [(b[0], b[2]) for b in blocks] == [
        ("p", ""), ("p", "Bảng 2.1. Danh mục dự án đề xuất thu hút đầu tư lĩnh vực KH&CN"),
        ("t", None),
        ("p", "Nguồn: Phòng Quản lý Công nghệ và Thị trường công nghệ."), ("p", "")]
    portrait, landscape = Document(str(tmp_path / "bang.docx")).element.body.xpath(
        "./w:p/w:pPr/w:sectPr")
    # The pages before: the document's A4 portrait, margins 20/15/20/30 mm, header at 10 mm
    # (twips: 20 mm = 1134, 15 mm = 850, 30 mm = 1701, 10 mm = 567).
    assert _sect(portrait) == {
        "size": ("11906", "16838", None),
        "margins": {"top": "1134", "right": "850", "bottom": "1134", "left": "1701",
                    "header": "567"},
        "own headers or first page": []}
    # The table's pages: turned a quarter, the binding margin (30 mm) at the top.
    assert _sect(landscape) == {
        "size": ("16838", "11906", "landscape"),
        "margins": {"top": "1701", "right": "1134", "bottom": "850", "left": "1134",
                    "header": "567"},
        "own headers or first page": []}
    # 25,7 cm of columns: the landscape page's text width.
    grid = blocks[2][1]
    assert sum(c.width.cm for c in grid.columns) == pytest.approx(25.7, abs=0.01)


def test_two_wide_tables_in_a_row_share_one_landscape_section(cat, tmp_path):
    doc = new_document()
    numbers = table_numbers("2")
    for _ in range(2):
        list_table(doc, StyleIds(doc), numbers, cat.list_by_code["du_an"], WIDE)
    blocks = _blocks(doc, tmp_path)
    assert [b[2] for b in blocks if b[0] == "p"] == [
        "", "Bảng 2.1. Danh mục dự án đề xuất thu hút đầu tư lĩnh vực KH&CN",
        "Nguồn: Phòng Quản lý Công nghệ và Thị trường công nghệ.",
        "Bảng 2.2. Danh mục dự án đề xuất thu hút đầu tư lĩnh vực KH&CN",
        "Nguồn: Phòng Quản lý Công nghệ và Thị trường công nghệ.", ""]
    assert _section_breaks(tmp_path / "bang.docx") == ["portrait", "landscape"]


def _rendered(tmp_path, write) -> Path:
    """A docxtpl master in the package's page (number at the top, none on page one), marked as
    sample data, whose body is a sub-document `write` fills; rendered, settled, saved."""
    master = new_document()
    master.add_paragraph("{{p body }}")
    path = tmp_path / "mau.docx"
    master.save(str(path))
    tpl = DocxTemplate(str(path))
    mark_sample(tpl.get_docx())
    body = tpl.new_subdoc()
    write(body, StyleIds(tpl.get_docx()))
    tpl.render({"body": body})
    settle_sections(tpl.docx)
    out = tmp_path / "chuong.docx"
    tpl.save(str(out))
    return out


def _text_then_wide_table_then_text(cat):
    def write(doc, styles):
        doc.add_paragraph("Trước bảng.")
        list_table(doc, styles, table_numbers("2"), cat.list_by_code["du_an"], WIDE)
        doc.add_paragraph("Sau bảng.")
    return write


def test_a_landscape_section_in_a_rendered_master_shows_the_page_number_and_mark(cat, tmp_path):
    doc = Document(str(_rendered(tmp_path, _text_then_wide_table_then_text(cat))))
    sections = doc.sections
    assert [s.orientation for s in sections] == [WD_ORIENT.PORTRAIT, WD_ORIENT.LANDSCAPE,
                                                 WD_ORIENT.PORTRAIT]
    # The first section has the master's headers and no number on its first page; the others
    # show its header (linked), first pages included.
    assert [s.different_first_page_header_footer for s in sections] == [True, False, False]
    assert [s.header.is_linked_to_previous for s in sections] == [False, True, True]
    assert [p.text for p in sections[1].header.paragraphs] == [SAMPLE_MARK, "1"]  # then PAGE
    assert [p.text for p in sections[0].first_page_header.paragraphs] == [SAMPLE_MARK]


def test_settling_a_document_of_one_section_changes_nothing(tmp_path):
    doc = new_document()
    doc.add_paragraph("Một đoạn.")
    before = doc.element.body.sectPr.xml
    settle_sections(doc)
    assert doc.element.body.sectPr.xml == before


needs_libreoffice = pytest.mark.skipif(
    find_soffice() is None or shutil.which("pdftotext") is None
    or shutil.which("pdfinfo") is None, reason="LibreOffice and poppler-utils not installed")


def _pdf_pages(pdf: Path) -> list[tuple[str, str]]:
    """(page size, text) of each page of `pdf`."""
    info = subprocess.run(["pdfinfo", "-f", "1", "-l", "99", str(pdf)], capture_output=True,
                          text=True, check=True).stdout
    sizes = re.findall(r"^Page +\d+ size: +([\d.]+ x [\d.]+)", info, re.M)
    return [(size, subprocess.run(["pdftotext", "-layout", "-f", str(k), "-l", str(k), str(pdf),
                                   "-"], capture_output=True, text=True, check=True).stdout)
            for k, size in enumerate(sizes, start=1)]


@needs_libreoffice
def test_printed_the_landscape_page_has_its_number_and_a_long_tables_header_is_whole(
        cat, tmp_path):
    # Bảng 1.1 over 39 years (1981-2019): it runs onto a second page, where its two header
    # rows are repeated, "KH&CN" and "(%)" whole. Then the wide list on a landscape page.
    years = cat.model_copy(update={"years": Years(actual=list(range(1981, 2020)),
                                                  target=[2025, 2030])})

    def write(doc, styles):
        doc.add_paragraph("Trước bảng.")
        indicator_table(doc, styles, years, _budget(cat), "1.1", BUDGET_TABLE, OWNER, SENT)
        _text_then_wide_table_then_text(cat)(doc, styles)

    pdf = convert(_rendered(tmp_path, write), "pdf", tmp_path / "pdf")
    pages = _pdf_pages(pdf)
    a4, turned = "595.304 x 841.89", "841.89 x 595.304"
    assert [size for size, _ in pages] == [a4, a4, turned, a4]
    head = "Tỷ lệ chi KH&CN trong tổng chi NSĐP (%)"
    for k in (0, 1):  # the header on both pages of Bảng 1.1, read word by word
        words = pages[k][1].split()
        assert set(head.split()) <= set(words), k
        assert "(%)" in words and "KH&CN" in words
    # Each page shows the sample mark, then its number (none on page 1).
    for k, (_, text) in enumerate(pages, start=1):
        lines = [line.strip() for line in text.splitlines() if line.strip()]
        assert lines[0] == SAMPLE_MARK
        assert (lines[1] == str(k)) == (k > 1), (k, lines[:3])
    assert "Danh mục dự án đề xuất" in pages[2][1] and "Sau bảng." in pages[3][1]
