"""The one Word table writer (core/word.py), read back with python-docx as Word shows it."""

from __future__ import annotations

import pytest
from docx import Document
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH

from pipeline.core.word import StyleIds, fit_widths, new_document, set_text, write_table


def _reopen(doc, tmp_path):
    path = tmp_path / "t.docx"
    doc.save(str(path))
    return Document(str(path))


def _repeated(row) -> bool:
    return bool(row._tr.xpath("./w:trPr/w:tblHeader"))


def test_chapter_table_has_styled_repeated_header_fixed_widths_and_numbers_right(tmp_path):
    doc = new_document()
    write_table(doc, StyleIds(doc), ["Tên dự án", "Diện tích (ha)"],
                [["Trung tâm ứng dụng", "1.234,5"], ["Vườn ươm", "-"]], [10.0, 6.5],
                align=[None, "auto"])
    table = _reopen(doc, tmp_path).tables[0]

    assert [[c.text for c in r.cells] for r in table.rows] == [
        ["Tên dự án", "Diện tích (ha)"], ["Trung tâm ứng dụng", "1.234,5"], ["Vườn ươm", "-"]]
    assert table.style.name == "Table Grid"
    assert table.alignment == WD_TABLE_ALIGNMENT.CENTER
    head = table.rows[0].cells
    assert [c.paragraphs[0].style.name for c in head] == ["Bảng - tiêu đề cột"] * 2
    assert [c.vertical_alignment for c in head] == [WD_CELL_VERTICAL_ALIGNMENT.CENTER] * 2
    assert [_repeated(r) for r in table.rows] == [True, False, False]
    body = [c.paragraphs[0] for r in table.rows[1:] for c in r.cells]
    assert {p.style.name for p in body} == {"Bảng - chữ"}
    # The style aligns right; "auto" puts text (and the "-" mark) left, a number stays right.
    assert [p.alignment for p in body] == [None, None, None, WD_ALIGN_PARAGRAPH.LEFT]
    # Widths are stored in twips (1/1440 inch): 10 cm = 5669, 6,5 cm = 3685.
    assert [round(c.width.cm, 2) for c in table.columns] == [10.0, 6.5]
    assert [c.width.twips for c in table.rows[2].cells] == [5669, 3685]


def test_letter_table_is_left_aligned_at_the_margin_and_not_repeated(tmp_path):
    doc = new_document()
    write_table(doc, StyleIds(doc), ["Đơn vị", "Hạn gửi"], [["Văn phòng Sở", "25/03/2020"]],
                [8.0, 8.5], align=["left", "left"], center=False, repeat_head=False,
                middle_heads=False)
    table = _reopen(doc, tmp_path).tables[0]

    assert [[c.text for c in r.cells] for r in table.rows] == [
        ["Đơn vị", "Hạn gửi"], ["Văn phòng Sở", "25/03/2020"]]
    assert table.alignment is None
    assert [c.vertical_alignment for c in table.rows[0].cells] == [None, None]
    assert not _repeated(table.rows[0])
    assert [c.paragraphs[0].alignment for c in table.rows[1].cells] == [
        WD_ALIGN_PARAGRAPH.LEFT, WD_ALIGN_PARAGRAPH.LEFT]


def test_first_column_in_the_header_style_when_it_names_the_rows(tmp_path):
    doc = new_document()
    write_table(doc, StyleIds(doc), ["Địa điểm", "Đất trồng lúa"],
                [["Huyện Lục Nam", "2,5"], ["Tổng cộng", "2,5"]], [8.0, 8.5],
                first_is_head=True)
    table = _reopen(doc, tmp_path).tables[0]
    assert [r.cells[0].paragraphs[0].style.name for r in table.rows] == ["Bảng - tiêu đề cột"] * 3
    assert [r.cells[1].paragraphs[0].style.name for r in table.rows[1:]] == ["Bảng - chữ"] * 2


def test_targets_alignment_left_centre_and_style(tmp_path):
    doc = new_document()
    write_table(doc, StyleIds(doc), ["Chỉ tiêu", "Đơn vị", "2030", "Đánh giá"],
                [["Tỷ lệ lao động qua đào tạo", "%", "85,0", "Chưa đạt."]], [5, 2, 2, 7.5],
                align=["left", "center", None, "left"])
    cells = _reopen(doc, tmp_path).tables[0].rows[1].cells
    assert [c.paragraphs[0].alignment for c in cells] == [
        WD_ALIGN_PARAGRAPH.LEFT, WD_ALIGN_PARAGRAPH.CENTER, None, WD_ALIGN_PARAGRAPH.LEFT]


def test_no_rows_gives_the_header_alone(tmp_path):
    doc = new_document()
    write_table(doc, StyleIds(doc), ["Bảng", "Cột số liệu"], [], [8.0, 8.5])
    table = _reopen(doc, tmp_path).tables[0]
    assert [[c.text for c in r.cells] for r in table.rows] == [["Bảng", "Cột số liệu"]]


@pytest.mark.parametrize("headers, rows, expected", [
    # The first column has room for "2019" (1,4 cm at least), the other takes the rest of
    # the 16,5 cm text width: 16,5 - 1,4 = 15,1.
    (["Năm", "Giá trị"], [["2019", "12"]], [1.4, 15.1]),
    # Short words and values: 1,2 cm each; the spare 16,5 - 3,8 = 12,7 cm is shared by the
    # headers' lengths (7 and 5 characters): 12,7 × 7/12 and 12,7 × 5/12.
    (["Năm", "Giá trị", "Tỷ lệ"], [["2019", "12", "1,5"]],
     [1.4, 1.2 + 12.7 * 7 / 12, 1.2 + 12.7 * 5 / 12]),
])
def test_fit_widths_by_hand(headers, rows, expected):
    assert fit_widths(headers, rows) == pytest.approx(expected)


def test_table_cell_text_keeps_line_breaks_tabs_and_spaces():
    cells = Document().add_table(rows=1, cols=3).rows[0].cells
    set_text(cells[0].paragraphs[0], "Dự án A\nGiai đoạn 2")  # Alt+Enter in a list cell
    set_text(cells[1].paragraphs[0], "  Hà Nội ")
    set_text(cells[2].paragraphs[0], "R&D <2019>\t1.234,5")
    assert [c.text for c in cells] == ["Dự án A\nGiai đoạn 2", "  Hà Nội ", "R&D <2019>\t1.234,5"]
    assert cells[0]._tc.xpath(".//w:br") and cells[2]._tc.xpath(".//w:tab")
    set_text(cells[1].paragraphs[0], "thay")  # a second text replaces the first
    assert cells[1].text == "thay"


def test_mark_sample_tops_every_page_and_keeps_the_page_number(tmp_path):
    from pipeline.core.word import SAMPLE_MARK, mark_sample, write_template

    doc = Document(str(write_template(tmp_path / "chuong.docx")))
    mark_sample(doc)
    section = doc.sections[0]
    assert section.different_first_page_header_footer  # the master's first page: no number
    assert [p.text for p in section.first_page_header.paragraphs] == [
        "DỮ LIỆU MẪU – KHÔNG DÙNG LÀM BÁO CÁO CHÍNH THỨC"]
    assert [p.text for p in section.header.paragraphs] == [SAMPLE_MARK, "1"]  # then PAGE
    mark = section.header.paragraphs[0]
    assert mark.runs[0].bold and str(mark.runs[0].font.color.rgb) == "C00000"
