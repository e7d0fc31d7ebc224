"""Render alone and through a build: escaping, missing units, page setup, template errors."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from docx import Document

from pipeline.build import run_build
from pipeline.core.errors import TemplateError
from pipeline.derive import derive
from pipeline.forms import build_narrative_form
from pipeline.merge import MERGED_COLUMNS
from pipeline.render.chapter import ChapterData, render_chapter

from .conftest import TEMPLATE, chapter_blocks

AS_OF = dt.date(2020, 3, 30)


def _empty_data(cat) -> ChapterData:
    merged = pd.DataFrame(columns=MERGED_COLUMNS)
    return ChapterData(merged, derive(cat, merged), (), (), AS_OF)


def test_unit_text_with_markup_characters_stays_literal(tmp_path, cat, inputs):
    hostile = "Chi cho R&D <2019> tăng & {{ tong }} {% if x %} giữ nguyên."
    doc = build_narrative_form(cat, cat.unit_by_code["TTRA"], {("I.7", 0): [hostile]})
    doc.save(str(inputs / "TTRA_thuyet_minh_mau.docx"))
    result = run_build(inputs, tmp_path / "out", cat, TEMPLATE, as_of=AS_OF, pdf=False,
                       log=lambda _: None)
    texts = [str(v) for k, v in chapter_blocks(result.chapter) if k == "p"]
    assert hostile in texts


def test_nothing_received_reads_as_sentences_not_blank_tables(tmp_path, cat):
    out = tmp_path / "chapter.docx"
    render_chapter(cat, _empty_data(cat), TEMPLATE, out)
    blocks = chapter_blocks(out)
    texts = [str(v) for k, v in blocks if k == "p"]
    assert ("Chưa nhận được số liệu của Phòng Kế hoạch Tài chính (hạn gửi 10/03/2020); các "
            "bảng số liệu của mục này sẽ được bổ sung khi đơn vị gửi biểu.") in texts
    assert any(t.startswith("Chưa nhận được số liệu của: Phòng Kế hoạch Tài chính, Phòng Quản "
                            "lý Khoa học") for t in texts)
    # Only the targets and forecast tables and the list tables (each saying nothing was
    # sent) remain; no indicator table without data, and numbering across each part without
    # gaps (the forecast, section 4 of Part II, comes before the facilities plan, section 5).
    titles = [t for t in texts if t.startswith("Bảng ")]
    assert titles == ["Bảng 1.1. Danh sách doanh nghiệp KH&CN",
                      "Bảng 1.2. Danh sách tổ chức KH&CN trên địa bàn",
                      "Bảng 2.1. Một số chỉ tiêu phát triển KH&CN đến năm 2030",
                      "Bảng 2.2. Dự báo một số chỉ tiêu đến năm 2030",
                      "Bảng 2.3. Cơ sở phục vụ quản lý nhà nước về KH&CN",
                      "Bảng 2.4. Mạng lưới cơ sở KH&CN công lập",
                      "Bảng 2.5. Danh mục dự án đề xuất thu hút đầu tư lĩnh vực KH&CN"]
    # Danh mục bảng lists the same captions.
    assert [str(v) for k, v in blocks if k == "l" and str(v).startswith("Bảng ")] == titles
    assert ("Chưa có phòng, đơn vị nào gửi nội dung “Danh mục dự án đề xuất thu hút đầu tư "
            "lĩnh vực KH&CN”.") in texts


def test_page_setup_follows_decree_30(tmp_path, cat):
    out = tmp_path / "chapter.docx"
    render_chapter(cat, _empty_data(cat), TEMPLATE, out)
    doc = Document(str(out))
    section = doc.sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
    margins = [section.top_margin, section.bottom_margin, section.left_margin,
               section.right_margin]
    assert [round(m.mm) for m in margins] == [20, 20, 30, 15]
    assert section.different_first_page_header_footer
    header_xml = section.header._element.xml
    assert "PAGE" in header_xml
    assert not section.first_page_header.paragraphs[0].text
    normal = doc.styles["Normal"]
    assert normal.font.name == "Times New Roman" and normal.font.size.pt == 14


def test_template_asking_for_unknown_variable_is_named(tmp_path, cat):
    bad = tmp_path / "bad.docx"
    doc = Document()
    doc.add_paragraph("Xin chào {{ khong_co_bien_nay }}")
    doc.save(str(bad))
    with pytest.raises(TemplateError, match="khong_co_bien_nay") as e:
        render_chapter(cat, _empty_data(cat), bad, tmp_path / "out.docx")
    assert "bad.docx" in str(e.value)


def test_missing_template_says_how_to_recreate_it(tmp_path, cat):
    with pytest.raises(TemplateError, match="make template"):
        render_chapter(cat, _empty_data(cat), tmp_path / "none.docx", tmp_path / "out.docx")
