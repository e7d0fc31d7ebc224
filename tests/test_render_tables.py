"""The chapter's tables (render/tables.py) written alone into a document and read back with
python-docx: titles, unit lines, headers, formatted cells, bold period rows, source lines,
notes and the appendix rows each table returns. Expected values are worked out by hand."""

from __future__ import annotations

import datetime as dt

import pandas as pd
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH

from pipeline.catalogue.model import ColumnRef, Table
from pipeline.core.records import Value
from pipeline.core.word import StyleIds, new_document
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
    assert blocks[1][1:] == ("Bảng - đơn vị tính", "Đơn vị tính: triệu đồng")
    table = blocks[2][1]
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
    assert blocks[3][1:] == ("Bảng - nguồn", "Nguồn: Phòng Kế hoạch Tài chính, biểu số liệu "
                             "gửi ngày 20/03/2020; các cột tỷ lệ do tính toán từ số liệu trong "
                             "bảng.")
    assert blocks[4][1:] == ("Ghi chú", "Ghi chú: Dòng giai đoạn: tổng các năm (“Tổng chi ngân "
                             "sách địa phương (triệu đồng)”, “Tổng số (triệu đồng)”, “Chi đầu tư "
                             "phát triển (triệu đồng)”, “Chi sự nghiệp KH&CN (triệu đồng)”); tính "
                             "từ số liệu cả giai đoạn (“Tỷ lệ chi KH&CN trong tổng chi NSĐP "
                             "(%)”). “-”: chưa có số liệu, số liệu chưa hợp lệ (xem báo cáo kiểm "
                             "tra số liệu) hoặc giai đoạn thiếu năm.")
    assert len(blocks) == 5


def test_indicator_table_returns_where_each_column_comes_from(cat):
    doc = new_document()
    sources = indicator_table(doc, StyleIds(doc), cat, _budget(cat), "1.1", BUDGET_TABLE,
                              OWNER, SENT)
    assert sources == (
        Source("Bảng 1.1", "Tổng chi ngân sách địa phương (triệu đồng)", OWNER,
               "KHTC.xlsx › I.1!E6:I6", "20/03/2020"),
        Source("Bảng 1.1", "Tổng số (triệu đồng)", OWNER, "KHTC.xlsx › I.1!E9:I9", "20/03/2020"),
        Source("Bảng 1.1", "Chi đầu tư phát triển (triệu đồng)", OWNER, "KHTC.xlsx › I.1!E7:I7",
               "20/03/2020"),
        Source("Bảng 1.1", "Chi sự nghiệp KH&CN (triệu đồng)", OWNER, "KHTC.xlsx › I.1!E8:I8",
               "20/03/2020"),
        Source("Bảng 1.1", "Tỷ lệ chi KH&CN trong tổng chi NSĐP (%)", OWNER,
               "tính toán: chi_khcn.total / chi_nsdp * 100", "20/03/2020"),
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
        "Ghi chú: Dòng giai đoạn: số năm cuối giai đoạn (“Số phòng thí nghiệm, thử nghiệm”). "
        "“-”: chưa có số liệu, số liệu chưa hợp lệ (xem báo cáo kiểm tra số liệu) hoặc giai "
        "đoạn thiếu năm.",
    ]
    # The last year of 2016-2019 (a stock); 2011-2015 was not sent.
    assert _cells(blocks[2][1]) == [["Giai đoạn", "Số phòng thí nghiệm, thử nghiệm"],
                                    ["2011-2015", "-"], ["2016-2019", "12"]]
    assert [s.where for s in sources] == ["KHTC.xlsx › I.1!J11:M11"]


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
    targets_table(doc, StyleIds(doc), "II.3.1", [2025, 2030], rows)
    blocks = _blocks(doc, tmp_path)

    assert blocks[0][1:] == ("Bảng - tên bảng",
                             "Bảng II.3.1. Một số chỉ tiêu phát triển KH&CN đến năm 2030")
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
    land = pd.DataFrame({"Đất trồng cây lâu năm": [0.0, 1.25, 1.25],
                         "Đất trồng lúa": [2.5, 0.0, 2.5], "Tổng cộng": [2.5, 1.25, 3.75]},
                        index=["Huyện Lục Nam", "Huyện Yên Dũng", "Tổng cộng"])
    numbers = table_numbers("II.4")
    doc = new_document()
    list_table(doc, StyleIds(doc), numbers, cat.list_by_code["du_an"], _projects(), land)
    blocks = _blocks(doc, tmp_path)

    paragraphs = [b[2] for b in blocks if b[0] == "p"]
    assert paragraphs == [
        "Bảng II.4.1. Danh mục dự án đề xuất thu hút đầu tư lĩnh vực KH&CN",
        "Nguồn: Phòng Quản lý Khoa học, Trung tâm Ứng dụng KH&CN.",
        "Bảng II.4.2. Nhu cầu sử dụng đất cho KH&CN theo địa điểm và loại đất chuyển đổi",
        "Đơn vị tính: ha",
        "Nguồn: tổng hợp từ danh mục dự án đề xuất của các phòng, đơn vị (các dòng không có "
        "lỗi).",
    ]
    projects, demand = [b[1] for b in blocks if b[0] == "t"]
    assert _cells(projects) == [
        ["STT", "Tên dự án", "Quy mô", "Địa điểm (huyện/thành phố)", "Diện tích đất (ha)",
         "Loại đất chuyển đổi", "Giai đoạn thực hiện", "Đơn vị đề xuất"],
        ["1", "Khu thực nghiệm", "5 ha", "Huyện Lục Nam", "2,5", "Đất trồng lúa", "2021-2025",
         "Phòng Quản lý Khoa học"],
        ["2", "Vườn ươm công nghệ", "-", "Huyện Yên Dũng", "1,25", "Đất trồng cây lâu năm",
         "2026-2030", "Trung tâm Ứng dụng KH&CN"],
    ]
    # Numbers stay right (the style's), text goes left.
    left = WD_ALIGN_PARAGRAPH.LEFT
    assert [c.paragraphs[0].alignment for c in projects.rows[1].cells] == [
        None, left, left, left, None, left, None, left]
    assert _cells(demand) == [
        ["Địa điểm", "Đất trồng cây lâu năm", "Đất trồng lúa", "Tổng cộng"],
        ["Huyện Lục Nam", "0", "2,5", "2,5"],
        ["Huyện Yên Dũng", "1,25", "0", "1,25"],
        ["Tổng cộng", "1,25", "2,5", "3,75"],
    ]
    assert [r.cells[0].paragraphs[0].style.name for r in demand.rows[1:]] == [
        "Bảng - tiêu đề cột"] * 3
    assert next(numbers) == "II.4.3"  # two numbers were used


def test_a_list_nobody_sent_is_a_sentence_and_uses_one_number(cat, tmp_path):
    numbers = table_numbers("II.4")
    doc = new_document()
    li = cat.list_by_code["co_so_qlnn"]
    list_table(doc, StyleIds(doc), numbers, li, _projects().iloc[0:0])
    list_table(doc, StyleIds(doc), numbers, li, None)
    assert _blocks(doc, tmp_path) == [
        ("p", "Bảng - tên bảng", "Bảng II.4.1. Cơ sở phục vụ quản lý nhà nước về KH&CN"),
        ("p", "Chưa có số liệu", "Chưa có phòng, đơn vị nào gửi nội dung “Cơ sở phục vụ quản "
                                 "lý nhà nước về KH&CN”."),
        ("p", "Bảng - tên bảng", "Bảng II.4.2. Cơ sở phục vụ quản lý nhà nước về KH&CN"),
        ("p", "Chưa có số liệu", "Chưa có phòng, đơn vị nào gửi nội dung “Cơ sở phục vụ quản "
                                 "lý nhà nước về KH&CN”."),
    ]


def test_table_numbers_follow_the_section_tag():
    numbers = table_numbers("3")
    assert [next(numbers) for _ in range(3)] == ["3.1", "3.2", "3.3"]
