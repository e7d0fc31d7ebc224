"""A unit's narrative written into the chapter as it wrote it (render/narrative.py), read back
with python-docx: the runs' bold, italic, underline and raised words, list items in the
master's list styles (each numbered list starting at 1), the unit's table in the table
styles, its picture with its alt text, its text never taken for template tags. Expected
values are written by hand."""

from __future__ import annotations

import datetime as dt
import zipfile
from pathlib import Path

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn

from pipeline.build import run_build
from pipeline.core.word import StyleIds
from pipeline.read.model import (
    NarrativeBlock,
    NarrativeCell,
    NarrativeImage,
    NarrativeParagraph,
    NarrativeSection,
    NarrativeSubmission,
    NarrativeTable,
    TextRun,
)
from pipeline.render.narrative import narrative_blocks, write_blocks

from .conftest import ROOT, TEMPLATE
from .test_narrative import png_bytes

FORMATTED = ROOT / "tests" / "data" / "narratives" / "khtc_formatted.docx"
EMU_PER_CM = 360_000


def _p(text: str, kind: str = "", level: int = 0, list_id: int = 0) -> NarrativeParagraph:
    return NarrativeParagraph((TextRun(text),), kind, level, list_id)


def _cell(text: str = "", span: int = 1, above: bool = False, bold: bool = False
          ) -> NarrativeCell:
    return NarrativeCell((NarrativeParagraph((TextRun(text, bold=bold),)),) if text else (),
                         span, above)


UNIT_A = (
    NarrativeParagraph((TextRun("Chi "), TextRun("tăng đều", bold=True), TextRun(", "),
                        TextRun("bình quân", italic=True), TextRun(" "),
                        TextRun("cao", underline=True), TextRun(" trên 1.200 m"),
                        TextRun("2", script="super"), TextRun(", H"),
                        TextRun("2", script="sub"), TextRun("O."))),
    _p("Gồm:"),
    _p("Chi đầu tư;", "bullet", 0, 7),
    _p("trong đó thiết bị;", "bullet", 1, 7),
    _p("Nhiệm vụ một.", "number", 0, 8),
    _p("Ý a của nhiệm vụ một.", "number", 1, 8),
    _p("Nhiệm vụ hai.", "number", 0, 8),
    _p("Ý a của nhiệm vụ hai.", "number", 1, 8),  # starts again at 1 under its item
    _p("Ký hiệu {{ x }}, {% if a %} và & < > giữ nguyên."),
    NarrativeTable((
        (_cell("Năm", bold=True), _cell("Kinh phí (triệu đồng)", span=2, bold=True)),
        (_cell(above=True), _cell("Tỉnh", bold=True), _cell("Huyện", bold=True)),
        (_cell("2019"), _cell("1.000"), _cell("Ghi chú dài")),
    ), widths=(2000, 3000, 4000), header_rows=2),
    NarrativeImage(png_bytes(40, 20), "image/png", 20 * EMU_PER_CM, 10 * EMU_PER_CM,
                   "Biểu đồ chi & thu"),
    NarrativeImage(png_bytes(10, 40), "image/png", 4 * EMU_PER_CM, 30 * EMU_PER_CM, ""),
)
UNIT_B = (_p("Việc một.", "number", 0, 8), _p("Việc hai.", "number", 0, 8))  # another unit


def _written(tmp_path: Path, *sections: tuple[NarrativeBlock, ...]):
    """The sections written after the master's own content, saved and opened again."""
    doc = Document(str(TEMPLATE))
    styles = StyleIds(doc)
    for blocks in sections:
        write_blocks(doc, styles, blocks)
    path = tmp_path / "viet.docx"
    doc.save(str(path))
    return Document(str(path))


def _from(doc, first_text: str) -> list:
    paragraphs = doc.paragraphs
    start = next(i for i, p in enumerate(paragraphs) if p.text.startswith(first_text))
    return paragraphs[start:]


def _num(p) -> tuple[int, int] | None:
    """(numId, its start override) of a list paragraph's own numbering, else None."""
    ppr = p._p.pPr
    if ppr is None or ppr.numPr is None:
        return None
    num_id = ppr.numPr.numId.val
    num = p.part.numbering_part.element.num_having_numId(num_id)
    start = num.find(f"{qn('w:lvlOverride')}/{qn('w:startOverride')}")
    return num_id, int(start.get(qn("w:val")))


def test_runs_lists_and_literal_text_in_the_masters_styles(tmp_path):
    doc = _written(tmp_path, UNIT_A, UNIT_B)
    paragraphs = _from(doc, "Chi tăng đều")
    first = paragraphs[0]
    assert first.style.name == "Normal"
    assert [(r.text, r.bold, r.italic, r.underline, r.font.superscript, r.font.subscript)
            for r in first.runs] == [
        ("Chi ", None, None, None, None, None), ("tăng đều", True, None, None, None, None),
        (", ", None, None, None, None, None), ("bình quân", None, True, None, None, None),
        (" ", None, None, None, None, None), ("cao", None, None, True, None, None),
        (" trên 1.200 m", None, None, None, None, None), ("2", None, None, None, True, False),
        (", H", None, None, None, None, None), ("2", None, None, None, False, True),
        ("O.", None, None, None, None, None)]
    lists = [(p.style.name, p.text) for p in paragraphs[1:10]]
    assert lists == [
        ("Normal", "Gồm:"), ("List Bullet", "Chi đầu tư;"),
        ("List Bullet 2", "trong đó thiết bị;"), ("List Number", "Nhiệm vụ một."),
        ("List Number 2", "Ý a của nhiệm vụ một."), ("List Number", "Nhiệm vụ hai."),
        ("List Number 2", "Ý a của nhiệm vụ hai."),
        ("Normal", "Ký hiệu {{ x }}, {% if a %} và & < > giữ nguyên."),
        ("Hình", "")]
    # Each numbered list has a numbering of its own starting at 1: the unit's, each run of
    # its second level, and the next unit's list; bullets keep their style's.
    nums = {p.text: _num(p) for p in paragraphs if p.style.name.startswith("List")}
    assert nums["Chi đầu tư;"] is None and nums["trong đó thiết bị;"] is None
    assert nums["Nhiệm vụ một."] == nums["Nhiệm vụ hai."]
    own = [nums[t] for t in ("Nhiệm vụ một.", "Ý a của nhiệm vụ một.",
                             "Ý a của nhiệm vụ hai.", "Việc một.")]
    assert len({n[0] for n in own if n}) == 4 and {n[1] for n in own if n} == {1}
    assert nums["Việc hai."] == nums["Việc một."]


def test_a_table_in_the_chapters_table_styles_merged_as_the_unit_merged_it(tmp_path):
    doc = _written(tmp_path, UNIT_A)
    table = doc.tables[-1]
    assert table.style.name == "Table Grid"
    assert [[c.text for c in row.cells] for row in table.rows] == [
        ["Năm", "Kinh phí (triệu đồng)", "Kinh phí (triệu đồng)"],  # one cell over two
        ["Năm", "Tỉnh", "Huyện"],  # "Năm" merged down
        ["2019", "1.000", "Ghi chú dài"]]
    tcs = table.rows[0]._tr.tc_lst
    assert [tc.grid_span for tc in tcs] == [1, 2]
    assert [table.rows[r]._tr.tc_lst[0].vMerge for r in (0, 1)] == ["restart", "continue"]
    assert [[p.style.name for p in row.cells[1].paragraphs] for row in table.rows] == [
        ["Bảng - tiêu đề cột"], ["Bảng - tiêu đề cột"], ["Bảng - chữ"]]
    # header rows repeat on each page; body text left, numbers right (the style's)
    assert [r._tr.trPr is not None and r._tr.trPr.find(qn("w:tblHeader")) is not None
            for r in table.rows] == [True, True, False]
    body = table.rows[2].cells
    assert [body[0].paragraphs[0].alignment, body[2].paragraphs[0].alignment] == [
        None, WD_ALIGN_PARAGRAPH.LEFT]
    # the unit's widths (2000, 3000, 4000 twips: 15,87 cm) fit the text: kept
    assert [round(c.width.cm, 2) for c in table.columns] == [3.53, 5.29, 7.05]


def test_pictures_at_most_the_texts_width_proportions_and_alt_text_kept(tmp_path):
    doc = _written(tmp_path, UNIT_A)
    wide, tall = doc.inline_shapes
    assert (wide.width, wide.height) == (int(16.5 * EMU_PER_CM), int(8.25 * EMU_PER_CM))
    assert (tall.width, tall.height) == (960_000, 20 * EMU_PER_CM)  # 2,67 cm x 20 cm
    assert wide._inline.docPr.get("descr") == "Biểu đồ chi & thu"
    assert tall._inline.docPr.get("descr") is None
    pictures = [p for p in doc.paragraphs if p._p.xpath(".//pic:pic")]
    assert [p.style.name for p in pictures] == ["Hình", "Hình"]


def test_without_the_masters_list_styles_items_lead_with_a_mark(tmp_path):
    doc = Document(str(TEMPLATE))
    styles = StyleIds(doc)
    for name in ("List Bullet", "List Number", "List Number 2"):
        del styles.ids[name]
    write_blocks(doc, styles, (_p("Một;", "bullet", 0, 1), _p("Hai;", "number", 0, 2),
                               _p("Ba.", "number", 0, 2), _p("Ý a.", "number", 1, 2)))
    assert [(p.style.name, p.text) for p in doc.paragraphs[-4:]] == [
        ("Normal", "– Một;"), ("Normal", "1. Hai;"), ("Normal", "2. Ba."),
        ("Normal", "1. Ý a.")]


def test_units_sections_come_in_the_catalogues_order(cat):
    item = next(it for it in cat.items if it.unit == "all" and it.subtopics)
    sections = {code: NarrativeSubmission(None, code, (  # the file is never looked at
        NarrativeSection(f"{item.code}.", item.code, 0, (f"Chung {code}.",)),
        NarrativeSection(f"{item.code}.1.", item.code, 1, (f"Ý một {code}.",)),
        NarrativeSection("I.1.", "I.1", 0, ("Mục khác.",)))) for code in ("VP", "KHTC")}
    blocks = narrative_blocks(cat, item, sections)
    order = [u.code for u in cat.units if u.code in sections]
    assert blocks == {0: [(_p(f"Chung {c}."),) for c in order],
                      1: [(_p(f"Ý một {c}."),) for c in order]}


def test_a_chapter_carries_the_formatted_narrative(tmp_path, cat, inputs):
    # The LibreOffice-made narrative (tests/data/narratives) as KHTC's, through a whole build.
    (inputs / "KHTC_thuyet_minh_mau.docx").write_bytes(FORMATTED.read_bytes())
    result = run_build(inputs, tmp_path / "out", cat, TEMPLATE, as_of=dt.date(2020, 3, 30),
                       pdf=False, log=lambda _: None)
    doc = Document(str(result.chapter))
    paragraphs = _from(doc, "Giai đoạn 2011-2019, chi cho KH&CN")
    assert [(r.text, r.bold, r.italic, r.underline) for r in paragraphs[0].runs
            if r.bold or r.italic or r.underline] == [
        ("tăng đều", True, None, None), ("bình quân 11,2%/năm", None, True, None),
        ("cao hơn mức chung", None, None, True)]
    assert [(p.style.name, p.text) for p in paragraphs[2:10]] == [
        ("Normal", "Chi cho KH&CN gồm:"), ("List Bullet", "Chi đầu tư phát triển;"),
        ("List Bullet 2", "trong đó chi mua sắm thiết bị;"),
        ("List Bullet", "Chi sự nghiệp KH&CN."), ("Normal", "Các nhiệm vụ chính:"),
        ("List Number", "Tăng cường cơ sở vật chất."),
        ("List Number", "Đào tạo nguồn nhân lực."),
        ("Normal", "Ký hiệu {{ x }}, {% if a %} và & < > được giữ nguyên.")]
    assert _num(paragraphs[7])[1] == 1  # type: ignore[index]
    [table] = [t for t in doc.tables if t.rows[0].cells[0].text == "Năm"
               and len(t.columns) == 2]
    assert [[c.text for c in row.cells] for row in table.rows] == [
        ["Năm", "Chi KH&CN (triệu đồng)"], ["2018", "80.000"], ["2019", "90.600"]]
    assert table.rows[0].cells[0].paragraphs[0].style.name == "Bảng - tiêu đề cột"
    pictures = [s for s in doc.inline_shapes
                if s._inline.docPr.get("descr") == "Biểu đồ chi KH&CN giai đoạn 2011-2019"]
    assert [(s.width, s.height) for s in pictures] == [(5940000, 2969738)]  # 16,5 cm wide
    # the picture's bytes are in the chapter, related from its body
    rid = pictures[0]._inline.graphic.graphicData.pic.blipFill.blip.embed
    with zipfile.ZipFile(FORMATTED) as zf:
        assert doc.part.related_parts[rid].blob == zf.read("word/media/image1.png")
    texts = [p.text for p in doc.paragraphs]
    assert "Cần bổ sung số liệu năm 2020." not in texts  # the comment stays out
    assert "Năm 2019 có 9 nhiệm vụ được nghiệm thu." in texts  # the change accepted
