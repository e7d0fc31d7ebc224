"""The chapter as filed: charts, template preflight, number filters, PDF (narrative numbers
against the tables: test_consistency.py and test_build.py)."""

from __future__ import annotations

import datetime as dt
import shutil
import struct
import subprocess

import pandas as pd
import pytest
import yaml
from docx import Document
from docxtpl import DocxTemplate

from pipeline.build import run_build
from pipeline.catalogue.load import parse_catalogue
from pipeline.core.errors import CatalogueError, TemplateError
from pipeline.derive import derive
from pipeline.forms import build_narrative_form
from pipeline.merge import MERGED_COLUMNS
from pipeline.read.files import read_inputs
from pipeline.render.chapter import ChapterData, check_tags, jinja_env, preflight, render_chapter
from pipeline.validate.submissions import validate

from .conftest import CATALOGUE, TEMPLATE, chapter_blocks

AS_OF = dt.date(2020, 3, 30)


def _png_size(path) -> tuple[int, int]:
    with open(path, "rb") as fh:
        head = fh.read(24)
    assert head[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", head[16:24])


def test_a_chapter_of_sample_data_says_so_on_every_page(sample_build):
    section = Document(str(sample_build.chapter)).sections[0]
    mark = "DỮ LIỆU MẪU – KHÔNG DÙNG LÀM BÁO CÁO CHÍNH THỨC"
    assert [p.text for p in section.first_page_header.paragraphs] == [mark]  # page 1
    assert [p.text for p in section.header.paragraphs] == [mark, "1"]  # the others, numbered


def test_every_source_line_of_sample_figures_says_they_are_samples(sample_build):
    lines = [p.text for p in Document(str(sample_build.chapter)).paragraphs
             if p.text.startswith("Nguồn: Phòng Kế hoạch Tài chính")]
    assert lines and all(line.startswith("Nguồn: Phòng Kế hoạch Tài chính (dữ liệu mẫu), biểu "
                                         "số liệu gửi ngày 12/03/2020") for line in lines)


def test_charts_are_embedded_with_captions_at_a_fixed_size(sample_build):
    result = sample_build  # the sample inputs built as of AS_OF, without PDF
    doc = Document(str(result.chapter))
    assert len(doc.inline_shapes) == 3
    captions = [p.text for p in doc.paragraphs if p.text.startswith("Hình ")]
    assert captions == [
        "Hình 1.1. Tỷ lệ chi ngân sách địa phương cho KH&CN so với mức 2% theo Luật KH&CN",
        "Hình 3.1. Đóng góp của vốn, lao động và TFP vào tăng trưởng GRDP theo giai đoạn",
        "Hình 9.1. Tỷ lệ lao động có bằng cấp, chứng chỉ theo trình độ",
    ]
    images = sorted((result.folder / "hinh").iterdir())
    assert [p.name for p in images] == ["hinh-1-1.png", "hinh-3-1.png", "hinh-9-1.png"]
    assert {_png_size(p) for p in images} == {(1260, 600)}  # 6,3 × 3 inches at 200 dpi


def test_no_chart_for_a_unit_that_sent_nothing(tmp_path, cat, inputs):
    for f in inputs.glob("KHTC_*"):
        f.unlink()
    result = run_build(inputs, tmp_path / "out", cat, TEMPLATE, as_of=AS_OF, pdf=False,
                       log=lambda _: None)
    captions = [p.text for p in Document(str(result.chapter)).paragraphs
                if p.text.startswith("Hình ")]
    assert [c[:8] for c in captions] == ["Hình 3.1", "Hình 9.1"]


@pytest.mark.parametrize("texts, expected", [
    (["Xin chào {{ ten", "khác"], "thẻ chưa đóng ở đoạn «Xin chào {{ ten»"),
    (["{%p for s in a %}", "{{ s }}"], "thẻ 'for' chưa được đóng ('endfor'), mở ở đoạn "
                                       "«{%p for s in a %}»"),
    (["{%p if x %}", "{%p endfor %}"], "thẻ 'endfor' không có thẻ mở tương ứng, ở đoạn "
                                       "«{%p endfor %}»"),
])
def test_template_preflight_names_the_paragraph(texts, expected):
    with pytest.raises(TemplateError) as e:
        check_tags(texts, "mau.docx")
    assert str(e.value).startswith("Mẫu 'mau.docx': " + expected)


def test_the_shipped_template_passes_preflight_and_shows_the_parts_in_order(tmp_path, cat):
    # render_chapter runs the whole preflight first (tags, variables, styles) on the shipped
    # template; nothing received still gives every part heading, in the template's order.
    out = tmp_path / "chuong.docx"
    merged = pd.DataFrame(columns=MERGED_COLUMNS)
    render_chapter(cat, ChapterData(merged, derive(cat, merged), (), (), AS_OF), TEMPLATE, out)
    headings = [str(v) for k, v in chapter_blocks(out) if k == "h" and not str(v)[:1].isdigit()]
    doc = Document(str(out))  # no sample workbook: no sample mark on any page
    assert "MẪU" not in " ".join(p.text for s in doc.sections
                                 for h in (s.header, s.first_page_header) for p in h.paragraphs)
    assert headings == [
        "PHẦN I", "ĐÁNH GIÁ THỰC TRẠNG KH&CN TỈNH BẮC GIANG GIAI ĐOẠN 2011-2019",
        "PHẦN II",
        "DỰ BÁO VÀ ĐỀ XUẤT CHIẾN LƯỢC PHÁT TRIỂN KH&CN ĐẾN NĂM 2030, TẦM NHÌN ĐẾN NĂM 2050",
        "PHẦN IV", "NHIỆM VỤ, GIẢI PHÁP CHỦ YẾU VÀ CƠ CHẾ, CHÍNH SÁCH PHÁT TRIỂN KH&CN",
        "PHỤ LỤC", "NGUỒN SỐ LIỆU",
    ]


def _add_paragraph(doc, text):
    doc.add_paragraph(text)


def _drop_style(doc, name):
    element = doc.styles[name].element
    element.getparent().remove(element)


@pytest.mark.parametrize("edit, arg, expected", [
    (_add_paragraph, "{{ bien_khong_co }}",
     "Mẫu 'mau.docx' dùng biến không có trong dữ liệu: bien_khong_co."),
    (_add_paragraph, "{%p for s in part1.sections %}",
     "Mẫu 'mau.docx': thẻ 'for' chưa được đóng ('endfor'), mở ở đoạn «{%p for s in "
     "part1.sections %}»."),
    (_drop_style, "Bảng - nguồn",
     "Mẫu 'mau.docx' thiếu kiểu (style): Bảng - nguồn. Chạy 'make template' để tạo lại mẫu."),
])
def test_preflight_refuses_an_edited_copy_of_the_shipped_template(tmp_path, edit, arg, expected):
    doc = Document(str(TEMPLATE))
    edit(doc, arg)
    broken = tmp_path / "mau.docx"
    doc.save(str(broken))
    with pytest.raises(TemplateError) as e:
        preflight(DocxTemplate(str(broken)), "mau.docx")
    assert str(e.value) == expected


def test_number_filters_are_vietnamese():
    env = jinja_env()
    out = env.from_string("{{ a|so(1) }} | {{ b|phantram }} | {{ d|ngay }}").render(
        a=1234.5, b=0.52, d=dt.date(2020, 3, 10))
    assert out == "1.234,5 | 0,52% | 10/03/2020"


@pytest.mark.skipif(not (shutil.which("soffice") and shutil.which("pdftotext")),
                    reason="LibreOffice and poppler-utils are not installed")
def test_pdf_text_holds_the_chapter(tmp_path, cat, inputs):
    result = run_build(inputs, tmp_path / "out", cat, TEMPLATE, as_of=AS_OF, pdf=True,
                       log=lambda _: None)
    assert result.pdf is not None and result.pdf.is_file()
    text = subprocess.run(["pdftotext", "-layout", str(result.pdf), "-"], capture_output=True,
                          text=True, check=True).stdout
    for expected in ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "PHẦN I", "PHẦN IV",
                     "Bảng 1.1. Chi ngân sách địa phương cho KH&CN", "17.420.000",
                     "Hình 1.1.", "NGUỒN SỐ LIỆU"):
        assert expected in text, expected
    first_page = text.split("\f")[0]
    assert "\n1\n" not in first_page  # no page number on the first page


def test_sections_keep_the_seed_order_with_charts_after_their_tables(sample_build):
    result = sample_build  # the sample inputs built as of AS_OF, without PDF
    texts = [str(v) for k, v in chapter_blocks(result.chapter) if k in ("p", "h")]
    first_table = next(i for i, t in enumerate(texts) if t.startswith("Bảng 1.1."))
    figure = texts.index(next(t for t in texts if t.startswith("Hình 1.1.")))
    section_2 = next(i for i, t in enumerate(texts) if t.startswith("2. Kết quả"))
    assert first_table < figure < section_2


def test_a_table_in_a_narrative_is_named_not_dropped_silently(cat, inputs):
    doc = build_narrative_form(cat, cat.unit_by_code["TTUD"], {("I.9", 0): ["Đoạn văn."]})
    doc.add_table(rows=2, cols=2)
    doc.save(str(inputs / "TTUD_thuyet_minh_mau.docx"))
    found = [f for f in validate(cat, read_inputs(inputs)).findings
             if f.code == "narrative_table"]
    assert [(f.file, f.unit, f.value) for f in found] == [
        ("TTUD_thuyet_minh_mau.docx", "TTUD", "1")]


def test_a_catalogue_without_a_parts_title_is_refused_naming_the_key():
    raw = yaml.safe_load(CATALOGUE.read_text(encoding="utf-8"))
    del raw["part_titles"]["II"]
    with pytest.raises(CatalogueError) as e:
        parse_catalogue(raw)
    assert "- part_titles: thiếu tên của phần II" in str(e.value).splitlines()
