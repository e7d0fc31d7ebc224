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


# Widths by hand, from Times New Roman's advance widths (thousandths of an em; 12 pt = 0,4233
# cm an em) and a cell's 0,38 cm of margins + 0,1 cm of slack:
# "KH&CN" in bold: K 778 + H 778 + & 833 + C 722 + N 722 = 3833 -> 1,6226 cm; with 0,48: 2,1026.
KHCN = 3.833 * 12 * 2.54 / 72 + 0.48


def test_a_header_word_is_never_split_and_the_rest_goes_by_header_length():
    # Seven columns headed "KH&CN" of one-digit numbers: each needs its word, 2,1026 cm;
    # the 16,5 - 7 × 2,1026 cm left go to the six after the first (equal headers).
    fit = fit_widths(["KH&CN"] * 7, [["1"] * 7])
    assert not fit.landscape
    assert fit.widths == pytest.approx([KHCN] + [KHCN + (16.5 - 7 * KHCN) / 6] * 6)


def test_columns_that_cannot_keep_their_words_in_portrait_go_landscape():
    # Eight such columns need 16,82 cm > 16,5: a landscape page's 25,7 cm.
    fit = fit_widths(["KH&CN"] * 8, [["1"] * 8])
    assert fit.landscape
    assert fit.widths == pytest.approx([KHCN] + [KHCN + (25.7 - 8 * KHCN) / 7] * 7)


def test_rows_squeezed_to_many_lines_in_portrait_go_landscape():
    # Six number columns headed "KH&CN" take 6 × 2,1026 = 12,6 cm, leaving under 4 cm to a
    # text of 60 words "aaaa" (60 × 0,75 + 59 spaces × 0,106 = 51,4 cm on one line): about
    # 14 lines a row in portrait, more than 5: landscape, where it has 13 cm (4 lines).
    fit = fit_widths(["Đánh giá", *["KH&CN"] * 6], [[" ".join(["aaaa"] * 60), *"123456"]] * 3)
    assert fit.landscape
    # Eight words a row (6,9 cm) wrap to two lines in portrait: it stays there.
    short = fit_widths(["Đánh giá", *["KH&CN"] * 6], [[" ".join(["aaaa"] * 8), *"123456"]] * 3)
    assert not short.landscape


def test_columns_of_long_text_share_the_room_by_their_lengths():
    # "Năm" in bold: N 722 + ă 500 + m 833 = 2055 -> 0,87 cm + 0,48 = 1,35 cm. Two columns of
    # one repeated word "aaaa" (4 × 444 = 1776 -> 0,7518 cm), 20 and 40 words (with 19 and 39
    # spaces of 250): 17,536 cm and 35,42 cm on one line, + 0,48. They share 16,5 - 1,35 in
    # proportion: 15,15 × 18,016 / 53,90 and 15,15 × 35,90 / 53,90.
    word = 1.776 * 12 * 2.54 / 72
    space = 0.25 * 12 * 2.54 / 72
    short, long = 20 * word + 19 * space + 0.48, 40 * word + 39 * space + 0.48
    fit = fit_widths(["Năm", "A", "B"], [["2019", " ".join(["aaaa"] * 20),
                                          " ".join(["aaaa"] * 40)]])
    first = 2.055 * 12 * 2.54 / 72 + 0.48
    rest = 16.5 - first
    assert fit.widths == pytest.approx([first, rest * short / (short + long),
                                        rest * long / (short + long)])


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
