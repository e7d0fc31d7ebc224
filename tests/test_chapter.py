"""The chapter as filed: charts, template preflight, number filters, PDF (narrative numbers
against the tables: test_consistency.py and test_build.py)."""

from __future__ import annotations

import datetime as dt
import re
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
from pipeline.core.soffice import find_soffice, find_uno_python
from pipeline.derive import derive
from pipeline.forms import build_narrative_form
from pipeline.merge import MERGED_COLUMNS
from pipeline.read.files import read_inputs
from pipeline.read.model import NarrativeTable
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
    captions = [p.text for p in doc.paragraphs if p.style.name == "Hình - tên hình"]
    # Numbered across Phần I, in the scheme of the tables.
    assert captions == [
        "Hình 1.1. Tỷ lệ chi ngân sách địa phương cho KH&CN so với mức 2% theo Luật KH&CN",
        "Hình 1.2. Đóng góp của vốn, lao động và TFP vào tăng trưởng GRDP theo giai đoạn",
        "Hình 1.3. Tỷ lệ lao động có bằng cấp, chứng chỉ theo trình độ",
    ]
    # Danh mục hình lists the same captions.
    assert [p.text for p in doc.paragraphs if p.style.name == "table of figures"
            and p.text.startswith("Hình ")] == captions
    images = sorted((result.folder / "hinh").iterdir())
    assert [p.name for p in images] == ["hinh-1-1.png", "hinh-1-2.png", "hinh-1-3.png"]
    assert {_png_size(p) for p in images} == {(1260, 600)}  # 6,3 × 3 inches at 200 dpi


def test_no_chart_for_a_unit_that_sent_nothing(tmp_path, cat, inputs):
    for f in inputs.glob("KHTC_*"):
        f.unlink()
    result = run_build(inputs, tmp_path / "out", cat, TEMPLATE, as_of=AS_OF, pdf=False,
                       log=lambda _: None)
    captions = [p.text for p in Document(str(result.chapter)).paragraphs
                if p.style.name == "Hình - tên hình"]
    assert [c[:8] for c in captions] == ["Hình 1.1", "Hình 1.2"]


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
    # Each part's number and title in one heading (one entry of the contents), parts numbered
    # consecutively: the seed's IV is Phần III.
    assert headings == [
        "PHẦN I\nĐÁNH GIÁ THỰC TRẠNG KH&CN TỈNH BẮC GIANG GIAI ĐOẠN 2011-2019",
        "PHẦN II\n"
        "DỰ BÁO VÀ ĐỀ XUẤT CHIẾN LƯỢC PHÁT TRIỂN KH&CN ĐẾN NĂM 2030, TẦM NHÌN ĐẾN NĂM 2050",
        "PHẦN III\nNHIỆM VỤ, GIẢI PHÁP CHỦ YẾU VÀ CƠ CHẾ, CHÍNH SÁCH PHÁT TRIỂN KH&CN",
        "PHỤ LỤC\nNGUỒN SỐ LIỆU",
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


NEEDS_OFFICE = pytest.mark.skipif(
    not (find_soffice() and shutil.which("pdftotext")
         and find_uno_python(find_soffice() or "")),
    reason="LibreOffice with python3-uno and poppler-utils are not installed")


@pytest.fixture(scope="module")
def refreshed(tmp_path_factory, cat, sample_inputs):
    """The sample chapter built with LibreOffice: fields updated, .docx and PDF saved from
    the updated document; the PDF's text page by page (pdftotext -raw keeps each table cell's
    lines in order)."""
    out = tmp_path_factory.mktemp("refreshed")
    result = run_build(sample_inputs, out, cat, TEMPLATE, as_of=AS_OF, pdf=True,
                       log=lambda _: None)
    assert result.pdf is not None and result.pdf.is_file()
    raw = subprocess.run(["pdftotext", "-raw", str(result.pdf), "-"], capture_output=True,
                         text=True, check=True).stdout
    return result, raw.split("\f")


@NEEDS_OFFICE
def test_pdf_text_holds_the_chapter(refreshed):
    result, pages = refreshed
    text = "\n".join(pages)
    for expected in ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "PHẦN I", "PHẦN III",
                     "Bảng 1.1. Chi ngân sách địa phương cho KH&CN", "17.420.000",
                     "Hình 1.1.", "NGUỒN SỐ LIỆU", "MỤC LỤC", "Nơi nhận:"):
        assert expected in text, expected
    assert not re.search(r"^\d+$", pages[0], re.MULTILINE)  # no page number on page one
    # The sample chapter had 36 pages when this was written (A4, the tables of the sample
    # data): a big change in layout shows here.
    assert 30 <= len([p for p in pages if p.strip()]) <= 44


def _run_text(run) -> str:
    """A run's text as shown: tabs, non-breaking hyphens and breaks included."""
    shown = {f"{W}tab": "\t", f"{W}noBreakHyphen": "-", f"{W}br": " "}
    return "".join(el.text or "" if el.tag == f"{W}t" else shown.get(el.tag, "")
                   for el in run)


def _style_names(doc) -> dict[str, str]:
    return {s.style_id: s.name for s in doc.styles}


def _entries(doc, kinds) -> list[str]:
    """The texts of the list entries (Mục lục, Danh mục...) whose style name is one of
    `kinds`, read from the XML (LibreOffice puts the contents in a content control)."""
    names = _style_names(doc)
    out = []
    for p in doc.element.body.iter(f"{W}p"):
        style = p.find(f"{W}pPr/{W}pStyle")
        if style is not None and names.get(style.get(f"{W}val"), "").lower() in kinds:
            out.append("".join(_run_text(r) for r in p.iter(f"{W}r")))
    return out


@NEEDS_OFFICE
def test_the_updated_contents_list_every_heading_with_its_page(refreshed):
    result, pages = refreshed
    doc = Document(str(result.chapter))
    names = _style_names(doc)
    headings = []
    for p in doc.element.body.iter(f"{W}p"):
        style = p.find(f"{W}pPr/{W}pStyle")
        name = names.get(style.get(f"{W}val"), "") if style is not None else ""
        if name in ("Heading 1", "Heading 2"):
            text = "".join(t.text or "" if t.tag == f"{W}t" else
                           "-" if t.tag == f"{W}noBreakHyphen" else " "
                           for t in p.iter(f"{W}t", f"{W}br", f"{W}noBreakHyphen"))
            headings.append(" ".join(text.replace("\u00a0", " ").split()))
    entries = _entries(doc, {"toc 1", "toc 2", "contents 1", "contents 2"})
    assert len(entries) == len(headings) == 19  # 4 parts (appendix included), 15 sections
    for heading, entry in zip(headings, entries):
        m = re.fullmatch(r"(.*?)\t(\d+)", entry.replace("\u00a0", " "))
        assert m, entry
        title, page = m.group(1), int(m.group(2))
        assert " ".join(title.split()) == heading
        # The page the entry names shows the heading's first words.
        first = " ".join(heading.split()[:3])
        assert first.upper() in " ".join(pages[page - 1].split()).upper(), (heading, page)


@NEEDS_OFFICE
def test_the_updated_lists_and_cross_references_match_the_captions(refreshed):
    result, pages = refreshed
    doc = Document(str(result.chapter))
    captions = [_text(p) for p in doc.element.body.iter(f"{W}p")
                if any((i.text or "").strip().startswith("SEQ ")
                       for i in p.iter(f"{W}instrText"))]
    assert len(captions) == 30  # 27 tables and 3 figures in the sample chapter
    listed = _entries(doc, {"table of figures"})
    # Danh mục bảng, then Danh mục hình, each with the caption's page.
    assert [re.sub(r"\t\d+$", "", e) for e in listed] == (
        [c for c in captions if c.startswith("Bảng")] + [c for c in captions
                                                          if c.startswith("Hình")])
    assert all(re.search(r"\t\d+$", e) for e in listed)
    numbers = {}
    body = doc.element.body
    for start in body.iter(f"{W}bookmarkStart"):
        name = start.get(f"{W}name", "")
        if name.startswith("_Ref_"):
            numbers[name] = re.match(r"(Bảng|Hình) (\d+\.\d+)\.", _text(start.getparent()))
    refs = 0
    for instr in body.iter(f"{W}instrText"):
        words = (instr.text or "").split()
        if words[:1] == ["REF"]:
            refs += 1
            # the result: the text runs between this field's separate and end marks
            run, result_text = instr.getparent().getnext(), []
            while run is not None and run.find(f"{W}fldChar[@{W}fldCharType='end']") is None:
                result_text += [t.text or "" for t in run.iter(f"{W}t")]
                run = run.getnext()
            caption = numbers[words[1]]
            assert caption and "".join(result_text) == caption.group(2), words[1]
    assert refs >= 20


@NEEDS_OFFICE
def test_no_table_header_word_is_cut_in_the_pdf(refreshed):
    result, pages = refreshed
    text = "\n".join(pages)
    doc = Document(str(result.chapter))
    words = {w for t in doc.tables for row in t.rows[:2] for c in row.cells
             for w in c.text.split() if len(w) >= 3}
    cut = [w for w in words for k in range(1, len(w))
           if re.search(re.escape(w[:k]) + r"\n" + re.escape(w[k:]) + r"(?!\w)", text)
           and w not in text.replace("\n", " ")]
    assert cut == []


def test_sections_keep_the_seed_order_with_charts_after_their_tables(sample_build):
    result = sample_build  # the sample inputs built as of AS_OF, without PDF
    texts = [str(v) for k, v in chapter_blocks(result.chapter) if k in ("p", "h")]
    first_table = next(i for i, t in enumerate(texts) if t.startswith("Bảng 1.1."))
    figure = texts.index(next(t for t in texts if t.startswith("Hình 1.1.")))
    section_2 = next(i for i, t in enumerate(texts) if t.startswith("2. Kết quả"))
    assert first_table < figure < section_2


def test_a_table_in_a_narrative_is_carried_not_dropped(cat, inputs):
    doc = build_narrative_form(cat, cat.unit_by_code["TTUD"], {("I.9", 0): ["Đoạn văn."]})
    grid = doc.add_table(rows=2, cols=2)
    for cell, text in zip(grid._cells, ("Năm", "Số", "2019", "12")):
        cell.text = text
    doc.save(str(inputs / "TTUD_thuyet_minh_mau.docx"))
    validation = validate(cat, read_inputs(inputs))
    assert not [f for f in validation.findings if f.code.startswith("narrative_table")]
    [ttud] = [n for n in validation.narratives if n.unit == "TTUD"]
    [table] = [b for s in ttud.sections for b in s.blocks if isinstance(b, NarrativeTable)]
    assert [[p.text for c in row for p in c.paragraphs] for row in table.rows] == [
        ["Năm", "Số"], ["2019", "12"]]


def test_a_catalogue_without_a_parts_title_is_refused_naming_the_key():
    raw = yaml.safe_load(CATALOGUE.read_text(encoding="utf-8"))
    del raw["part_titles"]["II"]
    with pytest.raises(CatalogueError) as e:
        parse_catalogue(raw)
    assert "- part_titles: thiếu tên của phần II" in str(e.value).splitlines()


# --- Decree 30/2020 front and back, checked in the XML --------------------------------------
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def _text(el) -> str:
    return "".join(t.text or "" for t in el.iter(f"{W}t"))


def _signed(cat):
    form = cat.document.model_copy(update={"signature": cat.document.signature.model_copy(
        update={"name": "Trần Thị B"})})
    return cat.model_copy(update={"document": form})


def test_page_one_and_the_end_follow_decree_30(tmp_path, cat):
    out = tmp_path / "chuong.docx"
    merged = pd.DataFrame(columns=MERGED_COLUMNS)
    render_chapter(_signed(cat), ChapterData(merged, derive(cat, merged), (), (), AS_OF),
                   TEMPLATE, out)
    doc = Document(str(out))
    head = doc.tables[0]
    left, right = head.rows[0].cells
    assert [p.text for p in left.paragraphs] == [
        "UBND TỈNH BẮC GIANG", "SỞ KHOA HỌC VÀ CÔNG NGHỆ", "", "Số:\u00a0\u00a0\u00a0\u00a0\u00a0"
        "\u00a0/BC-KHCN"]
    assert [p.text for p in right.paragraphs] == [
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc", "",
        "Bắc Giang, ngày 25 tháng 3 năm 2020"]
    # A short rule under the agency's name, one as long as the slogan under the motto: each
    # the top border of an empty paragraph, centred by equal indents.
    for cell, length_cm in ((left, 2.4), (right, 6.0)):
        rule = cell.paragraphs[2]
        top = rule._p.find(f"{W}pPr/{W}pBdr/{W}top")
        assert top is not None and top.get(f"{W}val") == "single"
        ind = rule.paragraph_format
        assert ind.left_indent == ind.right_indent
        assert round(cell.width.cm - 2 * ind.left_indent.cm, 1) == length_cm
    # The title broken where the catalogue breaks it, and unbreakable inside a name or a range.
    title = next(p for p in doc.paragraphs if p.text.startswith("KHOA HỌC"))
    assert title.text == ("KHOA HỌC VÀ CÔNG NGHỆ PHỤC VỤ LẬP QUY HOẠCH\nTỈNH BẮC\u00a0GIANG "
                          "THỜI\u00a0KỲ\u00a02021-2030,\nTẦM NHÌN ĐẾN NĂM\u00a02050")
    assert len(title._p.findall(f".//{W}br")) == 2
    assert title._p.findall(f".//{W}noBreakHyphen")
    part_one = next(p for p in doc.paragraphs if p.text.startswith("PHẦN\u00a0I\n"))
    assert part_one._p.findall(f".//{W}noBreakHyphen")  # "2011‑2019" stays on one line
    # The end: "./." right after the last sentence of the last part, kept with Nơi nhận and
    # the signature from the catalogue, which follow it.
    signature = doc.tables[-2]
    closing = signature._tbl.getprevious()
    assert _text(closing) == "Chưa có nội dung thuyết minh cho điểm này./."
    assert closing.find(f"{W}pPr/{W}keepNext") is not None
    recipients, signer = signature.rows[0].cells
    assert [p.text for p in recipients.paragraphs] == [
        "Nơi nhận:", "- UBND tỉnh (để báo cáo);",
        "- Sở Kế hoạch và Đầu tư (cơ quan thường trực lập quy hoạch);", "- Lãnh đạo Sở;",
        "- Các phòng, đơn vị thuộc Sở;", "- Lưu: VT, KHTC."]
    assert [p.text for p in signer.paragraphs if p.text] == [
        "KT. GIÁM ĐỐC", "PHÓ GIÁM ĐỐC", "Trần Thị B"]
    assert all(r.bold for p in signer.paragraphs for r in p.runs if r.text)


def test_front_lists_and_abbreviations_come_before_part_one(sample_build):
    blocks = chapter_blocks(sample_build.chapter)
    texts = [str(v) for k, v in blocks if k in ("p", "h")]
    start = texts.index("MỤC LỤC")
    assert texts[start:start + 1] + [t for t in texts if t.startswith("DANH MỤC")] == [
        "MỤC LỤC", "DANH MỤC BẢNG", "DANH MỤC HÌNH", "DANH MỤC CHỮ VIẾT TẮT"]
    entries = [str(v) for k, v in blocks if k == "l"]
    assert entries[:3] == [
        "PHẦN I ĐÁNH GIÁ THỰC TRẠNG KH&CN TỈNH BẮC GIANG GIAI ĐOẠN 2011-2019",
        "1. Đầu tư cho khoa học và công nghệ; cơ sở vật chất, trang thiết bị phục vụ hoạt "
        "động KH&CN",
        "2. Kết quả hoạt động nghiên cứu - ứng dụng KH&CN theo lĩnh vực"]
    assert "PHỤ LỤC NGUỒN SỐ LIỆU" in entries
    # The abbreviations the chapter uses, spelled out; those it never uses are not listed.
    doc = Document(str(sample_build.chapter))
    table = next(t for t in doc.tables if t.rows[0].cells[0].text == "Chữ viết tắt")
    rows = {r.cells[0].text: r.cells[1].text for r in table.rows[1:]}
    for short, full in (("KH&CN", "Khoa học và công nghệ"), ("NSĐP", "Ngân sách địa phương"),
                        ("CMCN", "Cách mạng công nghiệp"),
                        ("TFP", "Năng suất các nhân tố tổng hợp")):
        assert rows[short] == full
    assert "SHTT" not in rows  # in the catalogue, never in this chapter
    first_part = texts.index(next(t for t in texts if t.startswith("PHẦN I\n")))
    assert start < first_part


def test_every_cross_reference_shows_its_captions_number(sample_build):
    doc = Document(str(sample_build.chapter))
    body = doc.element.body
    marks = {}
    for start in body.iter(f"{W}bookmarkStart"):
        if start.get(f"{W}name", "").startswith("_Ref_"):
            caption = start.getparent()
            marks[start.get(f"{W}name")] = _text(caption)
    refs = []
    for instr in body.iter(f"{W}instrText"):
        if instr.text.strip().startswith("REF "):
            refs.append(instr)
    assert len(refs) >= 20
    for instr in refs:
        name = instr.text.split()[1]
        # the cached result follows the separate mark: the text of the next w:t
        run = instr.getparent()
        result = run.getnext().getnext().find(f"{W}t").text
        label = "Bảng" if name.startswith("_Ref_T") else "Hình"
        assert marks[name].startswith(f"{label} {result}. "), (name, result, marks[name])
