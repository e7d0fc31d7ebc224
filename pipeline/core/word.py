"""Word documents in the package's look: the master of the chapter, and the one table writer.

`build_template` writes templates/chapter.docx, the docxtpl master of the chapter (`make
template`). The master holds what a person may want to restyle in Word: page setup (Decree
30/2020: A4, margins, page number centred in the top margin and not on the first page), the
styles, the front matter and the order of the parts. Section bodies (tables, narratives) are
filled by render/ as docxtpl sub-documents that use these styles. After editing the master by
hand in Word, keep the Jinja tags each in its own paragraph; `make template` rewrites it from
here. `new_document` gives the same page and styles to the office's letters.

`write_table` writes every table of ready-made texts (the chapter's list, targets and appendix
tables, the letters' tables); `StyleIds`, `new_grid`, `head_cell`, `set_text`, `set_widths`,
`repeat_header` and `keep_rows` are its pieces, for tables with merged header cells. Tables are
laid out for print: `fit_widths` sizes columns from the font's widths (core/metrics.py) so that
no word is split, and says when a table needs a landscape page; `section_break` puts it on one;
rows never split, and `keep_rows` never leaves one row alone on a page. Once the master is
rendered, `settle_sections` gives the first section the master's headers.
"""

from __future__ import annotations

import copy
import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Literal, cast

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_TABLE_ALIGNMENT
from docx.enum.text import (
    WD_ALIGN_PARAGRAPH,
    WD_BREAK,
    WD_LINE_SPACING,
    WD_TAB_ALIGNMENT,
    WD_TAB_LEADER,
)
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Mm, Pt, RGBColor
from lxml import etree

from pipeline.core import fields, metrics

if TYPE_CHECKING:
    from docx.document import Document as WordDocument
    from docx.enum.text import WD_PARAGRAPH_ALIGNMENT
    from docx.oxml.section import CT_SectPr
    from docx.oxml.text.paragraph import CT_P
    from docx.oxml.xmlchemy import BaseOxmlElement
    from docx.section import Section
    from docx.styles.style import CharacterStyle, ParagraphStyle
    from docx.table import Table, _Cell, _Row
    from docx.text.paragraph import Paragraph
    from lxml.etree import _Element

FONT = "Times New Roman"
TEXT_WIDTH_CM = 16.5  # A4 210 mm - 30 mm - 15 mm (the margins of new_document)

# Paragraph styles the render stage uses by name.
STYLE_TABLE_TEXT = "Bảng - chữ"
STYLE_TABLE_HEAD = "Bảng - tiêu đề cột"
STYLE_TABLE_TITLE = "Bảng - tên bảng"
STYLE_UNIT_LINE = "Bảng - đơn vị tính"
STYLE_SOURCE_LINE = "Bảng - nguồn"
STYLE_NOTE = "Ghi chú"
STYLE_MISSING = "Chưa có số liệu"
STYLE_POINT = "Điểm"  # a), b) sub-headings inside a section
STYLE_FIGURE = "Hình"  # the paragraph holding a chart
STYLE_CAPTION = "Hình - tên hình"


def _font(style: CharacterStyle, size: float, bold: bool = False, italic: bool = False) -> None:
    style.font.name = FONT
    style.font.size = Pt(size)
    style.font.bold = bold
    style.font.italic = italic
    rpr = style.element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.append(fonts)
    for attr in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
        fonts.set(qn(attr), FONT)
    for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        fonts.attrib.pop(qn(attr), None)  # a theme font would win over Times New Roman


def _paragraph_style(doc: WordDocument, name: str, size: float, *, bold: bool = False,
                     italic: bool = False,
                     align: WD_PARAGRAPH_ALIGNMENT = WD_ALIGN_PARAGRAPH.LEFT,
                     before: float = 0, after: float = 0, indent: float = 0.0,
                     keep_next: bool = False) -> ParagraphStyle:
    style: ParagraphStyle = doc.styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
    style.base_style = doc.styles["Normal"]
    _font(style, size, bold, italic)
    pf = style.paragraph_format
    pf.alignment = align
    pf.space_before = Pt(before)
    pf.space_after = Pt(after)
    pf.first_line_indent = Cm(indent)
    pf.line_spacing = 1.0
    pf.keep_with_next = keep_next
    return style


def _page_number_header(section: Section) -> None:
    section.different_first_page_header_footer = True
    p = section.header.paragraphs[0]
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    p.paragraph_format.first_line_indent = Cm(0)
    run = p.add_run()
    for kind, text in (("begin", None), (None, "PAGE"), ("separate", None), (None, "1"),
                       ("end", None)):
        if kind:
            el = OxmlElement("w:fldChar")
            el.set(qn("w:fldCharType"), kind)
        elif text == "PAGE":
            el = OxmlElement("w:instrText")
            el.set(qn("xml:space"), "preserve")
            el.text = " PAGE "
        else:
            el = OxmlElement("w:t")
            el.text = text
        run._r.append(el)


_CORE_NS = "http://schemas.openxmlformats.org/package/2006/metadata/core-properties"


def stamp(doc: WordDocument, by: str, when: dt.datetime) -> None:
    """Say in the document's properties who saved it last and when (cp:lastModifiedBy and
    dcterms:modified). The element is written by its namespace: python-docx's own setter
    writes it in another namespace once docxcompose (imported by docxtpl) has remapped the
    "cp" prefix."""
    props = doc.core_properties
    props.modified = when
    root = props._element
    tag = f"{{{_CORE_NS}}}lastModifiedBy"
    for wrong in [el for el in root if el.tag.endswith("}lastModifiedBy") and el.tag != tag]:
        root.remove(wrong)
    node = root.find(tag)
    if node is None:
        node = etree.SubElement(root, tag)  # by its URI: docx's own "cp" may be remapped
    node.text = by

SAMPLE_MARK = "DỮ LIỆU MẪU – KHÔNG DÙNG LÀM BÁO CÁO CHÍNH THỨC"


def mark_sample(doc: WordDocument) -> None:
    """Put SAMPLE_MARK at the top of every page (the first page's header too): a document
    built from sample data must never pass for an official one, on any page printed alone."""
    for i, section in enumerate(doc.sections):
        headers = [section.header]
        if section.different_first_page_header_footer:
            headers.append(section.first_page_header)
        for header in headers:
            if header.is_linked_to_previous:
                if i > 0:
                    continue  # it shows the previous section's, already marked
                header.is_linked_to_previous = False
            first = header.paragraphs[0] if header.paragraphs else header.add_paragraph()
            p = first.insert_paragraph_before() if first.text or first.runs else first
            p.alignment = WD_ALIGN_PARAGRAPH.CENTER
            p.paragraph_format.first_line_indent = Cm(0)
            run = p.add_run(SAMPLE_MARK)
            run.bold = True
            run.font.color.rgb = RGBColor(0xC0, 0x00, 0x00)


def _no_borders(table: Table) -> None:
    tbl_pr = table._tbl.tblPr
    borders = OxmlElement("w:tblBorders")
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        el = OxmlElement(f"w:{edge}")
        el.set(qn("w:val"), "nil")
        borders.append(el)
    tbl_pr.append(borders)


def new_document() -> WordDocument:
    """An empty document in the Decree 30/2020 layout with the package's styles."""
    doc = Document()
    section = doc.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(20), Mm(20)
    section.left_margin, section.right_margin = Mm(30), Mm(15)
    section.header_distance = Mm(10)
    _page_number_header(section)

    normal = doc.styles["Normal"]
    _font(normal, 14)
    pf = normal.paragraph_format
    pf.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
    pf.first_line_indent = Cm(1.27)
    pf.space_before = Pt(0)
    pf.space_after = Pt(6)
    pf.line_spacing_rule = WD_LINE_SPACING.MULTIPLE
    pf.line_spacing = 1.15

    for name, size, align, before in (("Heading 1", 14, WD_ALIGN_PARAGRAPH.CENTER, 12),
                                      ("Heading 2", 14, WD_ALIGN_PARAGRAPH.JUSTIFY, 6),
                                      ("Heading 3", 14, WD_ALIGN_PARAGRAPH.JUSTIFY, 6)):
        st = doc.styles[name]
        _font(st, size, bold=True, italic=name == "Heading 3")
        st.font.color.rgb = None
        st.paragraph_format.alignment = align
        st.paragraph_format.first_line_indent = Cm(0 if name == "Heading 1" else 1.27)
        st.paragraph_format.space_before = Pt(before)
        st.paragraph_format.space_after = Pt(6)
        st.paragraph_format.keep_with_next = True
    doc.styles["Title"].font.color.rgb = None
    _font(doc.styles["Title"], 14, bold=True)
    borders = doc.styles["Title"].element.pPr.find(qn("w:pBdr"))
    if borders is not None:
        doc.styles["Title"].element.pPr.remove(borders)
    doc.styles["Title"].paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
    doc.styles["Title"].paragraph_format.first_line_indent = Cm(0)
    doc.styles["Title"].paragraph_format.space_after = Pt(0)

    _paragraph_style(doc, STYLE_TABLE_TEXT, 12, align=WD_ALIGN_PARAGRAPH.RIGHT)
    _paragraph_style(doc, STYLE_TABLE_HEAD, 12, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER)
    _paragraph_style(doc, STYLE_TABLE_TITLE, 13, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER,
                     before=6, keep_next=True)
    _paragraph_style(doc, STYLE_UNIT_LINE, 12, italic=True, align=WD_ALIGN_PARAGRAPH.RIGHT,
                     keep_next=True)
    _paragraph_style(doc, STYLE_SOURCE_LINE, 12, italic=True, after=6, indent=0)
    _paragraph_style(doc, STYLE_NOTE, 12, italic=True, after=6)
    _paragraph_style(doc, STYLE_MISSING, 14, italic=True, after=6, indent=1.27,
                     align=WD_ALIGN_PARAGRAPH.JUSTIFY)
    _paragraph_style(doc, STYLE_POINT, 14, bold=True, italic=True, before=3, after=6,
                     indent=1.27, align=WD_ALIGN_PARAGRAPH.JUSTIFY, keep_next=True)
    _paragraph_style(doc, STYLE_FIGURE, 12, align=WD_ALIGN_PARAGRAPH.CENTER, before=6,
                     keep_next=True)
    _paragraph_style(doc, STYLE_CAPTION, 12, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER,
                     after=6)
    _front_styles(doc)

    return doc


def rule(container: _Cell | WordDocument, length_cm: float, width_cm: float,
         before: float = 0, after: float = 0) -> None:
    """A short centred line under the text above it (Decree 30/2020, Appendix I: under the
    agency's name, under the motto, under a report's title): an empty 2 pt paragraph with a
    top border, at the end of `container` (a table cell or a document) `width_cm` wide."""
    p = container.add_paragraph()
    pf = p.paragraph_format
    pf.first_line_indent = Cm(0)
    pf.left_indent = pf.right_indent = Cm(max(0.0, (width_cm - length_cm) / 2))
    pf.space_before, pf.space_after = Pt(before), Pt(after)
    pf.line_spacing = Pt(2)
    p_pr = p._p.get_or_add_pPr()
    border = cast("BaseOxmlElement", OxmlElement("w:pBdr"))
    top = OxmlElement("w:top")
    for key, value in (("w:val", "single"), ("w:sz", "6"), ("w:space", "1"),
                       ("w:color", "auto")):
        top.set(qn(key), value)
    border.append(top)
    p_pr.insert_element_before(border, "w:shd", "w:tabs", "w:suppressAutoHyphens",
                               "w:spacing", "w:ind", "w:jc", "w:rPr")
    run = p.add_run()
    run.font.size = Pt(2)


AGENCY_CM, MOTTO_CM = 7.2, 9.3  # the two columns of the block
MOTTO = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
SLOGAN = "Độc lập - Tự do - Hạnh phúc"


def agency_block(doc: WordDocument, parent: str, agency: str, number: str = "",
                 subject: str = "", dateline: str = "") -> None:
    """The agency (left) and national motto (right) block of page one (Decree 30/2020,
    Appendix I): the parent agency, the agency in bold with a short rule under it, then the
    number line ("Số: …/BC-KHCN") and, for a letter, its subject ("V/v ..."); the motto, the
    slogan with a rule as long as itself, then the place and date in italics."""
    head = doc.add_table(rows=1, cols=2)
    head.alignment = WD_TABLE_ALIGNMENT.CENTER
    _no_borders(head)
    left, right = head.rows[0].cells
    head.autofit = False
    for col, cell, width in ((head.columns[0], left, Cm(AGENCY_CM)),
                             (head.columns[1], right, Cm(MOTTO_CM))):
        col.width = cell.width = width

    started: set[int] = set()

    def line(cell: _Cell, text: str, size: float, bold: bool = False, italic: bool = False,
             before: float = 0) -> None:
        p = cell.add_paragraph() if id(cell) in started else cell.paragraphs[0]
        started.add(id(cell))
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        p.paragraph_format.first_line_indent = Cm(0)
        p.paragraph_format.space_after = Pt(0)
        p.paragraph_format.space_before = Pt(before)
        r = p.add_run(text)
        r.bold, r.italic = bold, italic
        r.font.size = Pt(size)

    line(left, parent, 12)
    line(left, agency, 12, bold=True)
    rule(left, 2.4, AGENCY_CM)
    if number:
        line(left, number, 13, before=6)
    if subject:
        line(left, subject, 12)
    line(right, MOTTO, 12, bold=True)
    line(right, SLOGAN, 13, bold=True)
    rule(right, 6.0, MOTTO_CM)
    if dateline:
        line(right, dateline, 14, italic=True, before=6)


LIST_HEADING = "Tiêu đề danh mục"  # MỤC LỤC, DANH MỤC BẢNG... (not in the contents)
STYLE_TOC = {"1": "toc 1", "2": "toc 2", "Bảng": "table of figures",
             "Hình": "table of figures"}
"""The styles of the front lists' entries, by kind (heading level or caption label); Word
and LibreOffice restyle them when they update the lists."""
TOC_INSTRUCTIONS = (("MỤC LỤC", 'TOC \\o "1-2" \\h \\z \\u'),
                    ("DANH MỤC BẢNG", 'TOC \\h \\z \\c "Bảng"'),
                    ("DANH MỤC HÌNH", 'TOC \\h \\z \\c "Hình"'))


def _front_styles(doc: WordDocument) -> None:
    """The styles of the front lists: their headings and entries (a dotted tab to the page
    number at the right margin)."""
    _paragraph_style(doc, LIST_HEADING, 14, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER,
                     before=12, after=12, keep_next=True)
    for name, indent in (("toc 1", 0.0), ("toc 2", 0.5), ("table of figures", 0.0)):
        st = _paragraph_style(doc, name, 13, align=WD_ALIGN_PARAGRAPH.LEFT, after=3)
        st.paragraph_format.left_indent = Cm(indent)
        st.paragraph_format.first_line_indent = Cm(0)
        st.paragraph_format.tab_stops.add_tab_stop(Cm(TEXT_WIDTH_CM), WD_TAB_ALIGNMENT.RIGHT,
                                                   WD_TAB_LEADER.DOTS)


def _page_break(doc: WordDocument) -> None:
    doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)


def _signature_block(doc: WordDocument) -> None:
    """Nơi nhận (left) and the signature (right), from the template's variables."""
    block = doc.add_table(rows=1, cols=2)
    _no_borders(block)
    block.autofit = False
    left, right = block.rows[0].cells
    for col, cell, width in ((block.columns[0], left, Cm(8.0)),
                             (block.columns[1], right, Cm(8.5))):
        col.width = cell.width = width
    texts: list[tuple[_Cell, str, float, bool, bool, WD_PARAGRAPH_ALIGNMENT]] = [
        (left, "Nơi nhận:", 12, True, True, WD_ALIGN_PARAGRAPH.LEFT),
        (left, "{%p for r in recipients %}", 11, False, False, WD_ALIGN_PARAGRAPH.LEFT),
        (left, "- {{ r }}", 11, False, False, WD_ALIGN_PARAGRAPH.LEFT),
        (left, "{%p endfor %}", 11, False, False, WD_ALIGN_PARAGRAPH.LEFT),
        (right, "{%p if authority %}", 13, True, False, WD_ALIGN_PARAGRAPH.CENTER),
        (right, "{{ authority }}", 13, True, False, WD_ALIGN_PARAGRAPH.CENTER),
        (right, "{%p endif %}", 13, True, False, WD_ALIGN_PARAGRAPH.CENTER),
        (right, "{{ signer_title }}", 13, True, False, WD_ALIGN_PARAGRAPH.CENTER),
        (right, "", 13, False, False, WD_ALIGN_PARAGRAPH.CENTER),
        (right, "", 13, False, False, WD_ALIGN_PARAGRAPH.CENTER),
        (right, "", 13, False, False, WD_ALIGN_PARAGRAPH.CENTER),
        (right, "{{ signer_name }}", 13, True, False, WD_ALIGN_PARAGRAPH.CENTER),
    ]
    for i, (cell, text, size, bold, italic, align) in enumerate(texts):
        p = cell.paragraphs[0] if i in (0, 4) else cell.add_paragraph()
        p.alignment = align
        p.paragraph_format.first_line_indent = Cm(0)
        p.paragraph_format.space_after = Pt(0)
        p.paragraph_format.keep_with_next = True
        r = p.add_run(text)
        r.bold, r.italic = bold, italic
        r.font.size = Pt(size)


def build_template() -> WordDocument:
    """The chapter's master: page one in the Decree 30/2020 form (agency and motto blocks
    with their rules, number line, place and date, the title), the front lists (Mục lục,
    Danh mục bảng, Danh mục hình: Word fields filled when the chapter is built; Danh mục chữ
    viết tắt), the parts (render/chapter.py ends the last one with the closing mark "./."),
    Nơi nhận and the signature, the appendix."""
    doc = new_document()
    agency_block(doc, "{{ parent_agency }}", "{{ agency }}", "{{ number_line }}",
                 dateline="{{ place }}, {{ date_long }}")

    doc.add_paragraph("BÁO CÁO CHUYÊN ĐỀ", style="Title").paragraph_format.space_before = Pt(24)
    doc.add_paragraph("{{ title }}", style="Title")
    build = doc.add_paragraph("{{ build_line }}", style=STYLE_NOTE)
    build.alignment = WD_ALIGN_PARAGRAPH.CENTER
    build.paragraph_format.space_before = Pt(12)
    doc.add_paragraph("{%p if missing_line %}")
    doc.add_paragraph("{{ missing_line }}", style=STYLE_NOTE).alignment = WD_ALIGN_PARAGRAPH.CENTER
    doc.add_paragraph("{%p endif %}")

    for title, instruction in TOC_INSTRUCTIONS:
        _page_break(doc)
        doc.add_paragraph(title, style=LIST_HEADING)
        fields.toc(doc.add_paragraph(), instruction, doc.add_paragraph())
    doc.add_paragraph("DANH MỤC CHỮ VIẾT TẮT", style=LIST_HEADING)
    doc.add_paragraph("{{p abbreviations }}")
    _page_break(doc)

    doc.add_paragraph("{%p for part in parts %}")
    doc.add_paragraph("{{ part.heading }}", style="Heading 1")
    doc.add_paragraph("{%p if part.note %}")
    doc.add_paragraph("{{ part.note }}", style=STYLE_NOTE)
    doc.add_paragraph("{%p endif %}")
    doc.add_paragraph("{%p for s in part.sections %}")
    doc.add_paragraph("{%p if s.heading %}")
    doc.add_paragraph("{{ s.heading }}", style="Heading 2")
    doc.add_paragraph("{%p endif %}")
    doc.add_paragraph("{{p s.body }}")
    doc.add_paragraph("{%p endfor %}")
    doc.add_paragraph("{%p endfor %}")
    _signature_block(doc)

    appendix = doc.add_paragraph("PHỤ LỤC\nNGUỒN SỐ LIỆU", style="Heading 1")
    appendix.paragraph_format.page_break_before = True
    doc.add_paragraph("{{p appendix }}")
    return doc


def table_title(container: WordDocument, styles: StyleIds, number: str,
                title: str) -> Paragraph:
    """A table's numbered title ("Bảng 2.3. Title", a caption) at the end of `container`."""
    return fields.caption(styles.para(container, "", STYLE_TABLE_TITLE), fields.TABLE, number,
                          title)


def write_template(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    build_template().save(str(path))
    return path


# --- tables ----------------------------------------------------------------------------------
CellAlign = Literal["left", "center", "auto"]
"""How a body cell's text is aligned: left, centred, or "auto" (left unless the text is a
number); None keeps the alignment of STYLE_TABLE_TEXT (right)."""


class StyleIds:
    """Styles applied by id, looked up by name once from the document. Assigning a style by
    name in python-docx walks every style of the document twice per paragraph (seconds for
    a chapter)."""

    def __init__(self, doc: WordDocument):
        self.ids = {s.name: s.style_id for s in doc.styles}

    def apply(self, paragraph: Paragraph, name: str) -> Paragraph:
        p = paragraph._p
        pPr = p.find(qn("w:pPr"))
        if pPr is None:
            pPr = OxmlElement("w:pPr")
            p.insert(0, pPr)
        style = pPr.find(qn("w:pStyle"))
        if style is None:
            style = OxmlElement("w:pStyle")
            pPr.insert(0, style)  # pStyle comes first in pPr
        style.set(qn("w:val"), self.ids[name])
        return paragraph

    def para(self, container: WordDocument, text: str, name: str) -> Paragraph:
        """A new paragraph of `text` at the end of `container`, in style `name`."""
        return self.apply(container.add_paragraph(text), name)


def set_text(paragraph: Paragraph, text: str) -> None:
    """paragraph.text = text, for the empty paragraph of a new table cell: one run written
    with lxml (python-docx's setter costs ~10× more); text with line breaks or tabs goes
    through python-docx, which turns them into <w:br/> and <w:tab/>."""
    p = paragraph._p
    if "\n" in text or "\t" in text or p.find(qn("w:r")) is not None:
        paragraph.text = text
        return
    r = OxmlElement("w:r")
    t = OxmlElement("w:t")
    t.text = text
    if text != text.strip():
        t.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
    r.append(t)
    p.append(r)


def new_grid(container: WordDocument, styles: StyleIds, rows: int, cols: int,
             center: bool = True) -> tuple[Table, list[list[_Cell]]]:
    """A new "Table Grid" table, and its cells as a list of rows (python-docx's
    table.cell() rebuilds the list of every cell on each call)."""
    grid = container.add_table(rows=rows, cols=cols)
    grid._tbl.tblPr.style = styles.ids["Table Grid"]
    if center:
        grid.alignment = WD_TABLE_ALIGNMENT.CENTER
    return grid, [list(row.cells) for row in grid.rows]


def head_cell(styles: StyleIds, cell: _Cell, text: str, middle: bool = True) -> None:
    """A header cell: its text in STYLE_TABLE_HEAD, centred vertically when `middle`."""
    set_text(cell.paragraphs[0], text)
    styles.apply(cell.paragraphs[0], STYLE_TABLE_HEAD)
    if middle:
        cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER


def repeat_header(row: _Row) -> None:
    """Repeat this row at the top of each page the table runs over."""
    tr_pr = row._tr.get_or_add_trPr()
    el = OxmlElement("w:tblHeader")
    el.set(qn("w:val"), "true")
    tr_pr.append(el)


# Sizes of the chapter's table text (12 pt Times New Roman, single spacing).
CELL_MARGINS_CM = 0.38  # a cell's left and right margins together ("Table Grid": 0,19 cm each)
SLACK_CM = 0.1  # room for the programs' own rounding, on top of a measured word
LEAST_COLUMN_CM = 1.2  # no column narrower
WRAP_CM = 5.0  # longer texts wrap at this width unless the page has room to spare
TEXT_COLUMN_CM = 2.5  # a column of wrapping text gets this much before the table turns
LINE_CM = 0.49  # one line of 12 pt text in a cell
HEAD_LINES = 4  # a header that would wrap to more lines asks for a wider column
LANDSCAPE_TEXT_WIDTH_CM = 25.7  # A4 297 mm - 20 mm - 20 mm: see section_break
TEXT_HEIGHT_CM = {False: 25.7, True: 16.5}  # portrait 297 - 20 - 20 mm; landscape 210 - 30 - 15
KEEP_WHOLE = 12
"""A table of at most this many body rows, and at most half a page high, is kept on one page
with its title and source line; a longer one never leaves one row alone on a page."""


@dataclass(frozen=True)
class Fit:
    """The widths of a table's columns and the page that holds them."""

    widths: list[float]  # cm, one per column, together the text width of the page
    landscape: bool  # its columns need more than a portrait page's text width


@dataclass(frozen=True)
class _Column:
    """What one column of a table asks for, in cm (each with the cell's margins)."""

    least: float  # its widest word, the header's in bold: a number, "KH&CN", "(%)" never split
    floor: float  # what it keeps before the table turns landscape: its least and, for a
    # column of wrapping text, TEXT_COLUMN_CM
    need: float  # what it would like: its longest text on one line up to WRAP_CM, its header
    # on at most HEAD_LINES lines
    line: float  # its longest text on one line

    @property
    def wraps(self) -> bool:
        return self.line > self.need


def _column(header: str, cells: Sequence[str], bold: bool) -> _Column:
    pad = CELL_MARGINS_CM + SLACK_CM
    words = [metrics.widest_word_cm(header, bold=True),
             *(metrics.widest_word_cm(c, bold=bold) for c in cells)]
    least = max(LEAST_COLUMN_CM, pad + max(words))
    line = max((metrics.width_cm(c, bold=bold) for c in cells), default=0.0) + pad
    head = metrics.width_cm(header, bold=True) / HEAD_LINES + pad
    need = max(least, min(max(line, head), WRAP_CM))
    return _Column(least, max(least, min(need, TEXT_COLUMN_CM)), need, line)


def _spread(width: float, cols: list[_Column], widths: list[float],
            weights: list[int]) -> list[float]:
    """`widths` with what is left of `width` added in proportion to `weights` (evenly when
    every weight is 0)."""
    spare = max(0.0, width - sum(widths))
    total = sum(weights)
    return [w + (spare * k / total if total else spare / len(cols))
            for w, k in zip(widths, weights)]


def _balance(budget: float, cols: list[_Column]) -> list[float]:
    """`budget` shared among columns of wrapping text in proportion to their longest texts,
    each between its floor and its longest text on one line: their rows wrap to about as
    many lines in each."""
    out: dict[int, float] = {}
    free = list(range(len(cols)))
    while free:
        total = sum(cols[i].line for i in free)
        share = {i: budget * cols[i].line / total for i in free}
        pinned = ([(i, cols[i].floor) for i in free if share[i] < cols[i].floor]
                  or [(i, cols[i].line) for i in free if share[i] > cols[i].line])
        if not pinned:
            out.update(share)
            break
        for i, w in pinned:
            out[i] = w
            budget -= w
            free.remove(i)
    return [out[i] for i in range(len(cols))]


def _share(width: float, cols: list[_Column], weights: list[int]) -> list[float]:
    """Widths filling `width`. Each column that fits its text on one line gets what it
    needs; the columns of wrapping text share the rest in proportion to their texts (within
    their floor and one line); what is still left goes by `weights`. When that is too much,
    each column shrinks towards its floor, then its least, in proportion to what it gives up;
    when even the least is too wide, all shrink alike."""
    wrap = [c for c in cols if c.wraps]
    kept = sum(c.need for c in cols if not c.wraps)
    if kept + sum(c.floor for c in wrap) <= width:
        shared = iter(_balance(width - kept, wrap) if wrap else [])
        return _spread(width, cols, [next(shared) if c.wraps else c.need for c in cols],
                       weights)
    for low, high in (([c.floor for c in cols], [c.need for c in cols]),
                      ([c.least for c in cols], [c.floor for c in cols])):
        if sum(low) <= width:
            give = sum(high) - sum(low)
            factor = (width - sum(low)) / give if give else 0.0
            return [lo + (hi - lo) * factor for lo, hi in zip(low, high)]
    return [c.least * width / sum(c.least for c in cols) for c in cols]


TALL_ROW_LINES = 5  # more lines per row than this on average: the table goes landscape


def fit_widths(headers: Sequence[str], rows: Sequence[Sequence[str]], *,
               bold_first: bool = False) -> Fit:
    """Column widths for a table's texts (see _Column and _share): every word whole, a
    number on one line, long texts wrapping to about as many lines in each of their columns;
    what is left of the text width goes in proportion to the headers' lengths (none to the
    first column, which names the rows). A table whose columns cannot each get their floor
    in a portrait page's 16,5 cm is set on a landscape page (25,7 cm), where it may shrink
    further; so is one whose rows would be more than TALL_ROW_LINES lines high on average in
    portrait (long texts squeezed into narrow columns). `bold_first`: the first column is in
    the header style."""
    cols = [_column(h, [r[c] for r in rows], bold_first and c == 0)
            for c, h in enumerate(headers)]
    weights = [0, *(min(len(h), 40) for h in headers[1:])]
    landscape = sum(c.floor for c in cols) > TEXT_WIDTH_CM
    if not landscape and rows:
        portrait = _share(TEXT_WIDTH_CM, cols, weights)
        high = table_height_cm(portrait, rows, bold_first)
        landscape = high / LINE_CM / len(rows) > TALL_ROW_LINES
        if not landscape:
            return Fit(portrait, False)
    return Fit(_share(LANDSCAPE_TEXT_WIDTH_CM if landscape else TEXT_WIDTH_CM, cols, weights),
               landscape)


def set_widths(grid: Table, widths_cm: Sequence[float]) -> None:
    """Fixed column widths that Word and LibreOffice both respect (grid and every cell)."""
    grid.autofit = False
    for col, w in zip(grid.columns, widths_cm):
        col.width = Cm(w)
    twips = [str(Cm(w).twips) for w in widths_cm]
    for tr in grid._tbl.tr_lst:  # a new table: one w:tc per column, each with tcPr/tcW
        for tc, tw in zip(tr.tc_lst, twips):
            tcW = tc.get_or_add_tcPr().get_or_add_tcW()
            tcW.set(qn("w:w"), tw)
            tcW.set(qn("w:type"), "dxa")


def table_height_cm(widths_cm: Sequence[float], rows: Sequence[Sequence[str]],
                    bold_first: bool = False, bold: bool = False) -> float:
    """About how high `rows` of texts are in columns of `widths_cm` (each row as high as its
    cell of most lines), the first column or all in bold when told."""
    return sum(LINE_CM * max((metrics.lines(text, w - CELL_MARGINS_CM,
                                            bold=bold or (bold_first and c == 0))
                              for c, (text, w) in enumerate(zip(row, widths_cm))), default=1)
               for row in rows)


def is_short(widths_cm: Sequence[float], head: Sequence[Sequence[str]],
             rows: Sequence[Sequence[str]], landscape: bool = False,
             bold_first: bool = False) -> bool:
    """A table kept whole on one page: at most KEEP_WHOLE body `rows` and, with its `head`
    rows, at most half the page's text height."""
    high = (table_height_cm(widths_cm, head, bold=True)
            + table_height_cm(widths_cm, rows, bold_first))
    return len(rows) <= KEEP_WHOLE and high <= TEXT_HEIGHT_CM[landscape] / 2


def _keep_next(tr: _Element) -> None:
    for p in tr.iter(qn("w:p")):
        cast("CT_P", p).get_or_add_pPr().keepNext_val = True


def keep_rows(grid: Table, head_rows: int, whole: bool) -> None:
    """Rows that never split across pages, header rows that do not go without the first body
    row, and never one row alone on a page: the paragraphs of a `whole` table's rows keep with
    the next (the table stays on one page, with the line under it); in a longer table, those
    of the header rows, of the first two and of the last two body rows (its last row keeps
    with the source line under it)."""
    rows = grid._tbl.tr_lst
    body = len(rows) - head_rows
    for k, tr in enumerate(rows):
        tr_pr = tr.get_or_add_trPr()
        tr_pr.insert(0, OxmlElement("w:cantSplit"))
        b = k - head_rows  # the body row's place, negative in the header
        if whole or b < 2 or b >= body - 2:
            _keep_next(tr)


def _landscape_page(section: CT_SectPr) -> None:
    """Turn a portrait page's setup a quarter turn: the page is read with its binding edge
    at the top, so the binding margin (the left) becomes the top margin, the top the right,
    the right the bottom and the bottom the left."""
    width, height = section.page_width, section.page_height
    top, right = section.top_margin, section.right_margin
    bottom, left = section.bottom_margin, section.left_margin
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = height, width
    section.top_margin, section.right_margin = left, top
    section.bottom_margin, section.left_margin = right, bottom


_HEADERS_AND_FIRST = (qn("w:headerReference"), qn("w:footerReference"), qn("w:titlePg"))


def _last_block(container: WordDocument) -> _Element | None:
    """The last paragraph or table of `container`'s body, or None."""
    blocks = container.element.body.xpath("./w:p | ./w:tbl")
    return blocks[-1] if blocks else None


def section_break(container: WordDocument, landscape: bool) -> None:
    """An empty paragraph that ends a section: put before a wide table's title
    (landscape=False: it ends the portrait pages before it) and after its last line
    (landscape=True: it ends the landscape pages holding it). The page is the master's (size,
    margins, header distance: a copy of the document's last section, which in a docxtpl
    sub-document is the master's), a quarter turn for landscape (Decree 30/2020 allows
    landscape pages for wide tables). Neither section has headers of its own nor a different
    first page: each shows the header before it, page number and any sample mark included
    (`settle_sections` gives the first section the master's headers once rendered). A wide
    table right after another stays in its landscape section (no empty page between)."""
    last = _last_block(container)
    if not landscape and last is not None and last.xpath("./w:pPr/w:sectPr/w:pgSz"
                                                         "[@w:orient='landscape']"):
        container.element.body.remove(last)  # a wide table right after another: one run
        return
    master = container.part.document.element.body.sectPr
    sect_pr = cast("CT_SectPr", copy.deepcopy(master) if master is not None
                   else OxmlElement("w:sectPr"))
    for el in list(sect_pr):
        if el.tag in _HEADERS_AND_FIRST:
            sect_pr.remove(el)
        elif el.tag == qn("w:pgNumType"):
            el.attrib.pop(qn("w:start"), "")  # numbering runs on
    if landscape:
        _landscape_page(sect_pr)
    p = container.add_paragraph()
    pf = p.paragraph_format
    pf.space_before = pf.space_after = Pt(0)
    pf.first_line_indent = Cm(0)
    pf.line_spacing = Pt(1)  # exactly 1 pt: the break takes no room on its page
    p._p.get_or_add_pPr()._insert_sectPr(sect_pr)


def settle_sections(doc: WordDocument) -> None:
    """After the master is rendered with its section bodies: when wide tables added sections
    (section_break), the first section takes the master's headers and footers and its
    different first page (no number on page one) from the last section, the master's own,
    which keeps none: every later page shows the first section's header (the page number and
    any sample mark), the first page of a later section included."""
    body = doc.element.body
    last = body.sectPr
    breaks = body.xpath("./w:p/w:pPr/w:sectPr")
    if last is None or not breaks:
        return
    first = breaks[0]
    refs = [el for el in last if el.tag in _HEADERS_AND_FIRST[:2]]
    for k, el in enumerate(refs):
        first.insert(k, el)  # moved: headers and footers come first in a w:sectPr
    if last.titlePg_val:
        first.titlePg_val = True
        last.titlePg_val = False


def source_and_notes(container: WordDocument, styles: StyleIds, source: str,
                     notes: Sequence[str]) -> None:
    """The source line under a table and, when there are notes, "Ghi chú: ..." under it
    (the source line then keeps with its note, as the table's last row keeps with it)."""
    line = styles.para(container, source, STYLE_SOURCE_LINE)
    if notes:
        line.paragraph_format.keep_with_next = True
        styles.para(container, "Ghi chú: " + " ".join(notes), STYLE_NOTE)


def _is_number(text: str) -> bool:
    return text.replace(".", "").replace(",", "").replace("-", "").isdigit()


def write_table(container: WordDocument, styles: StyleIds, headers: Sequence[str],
                rows: Sequence[Sequence[str]], widths_cm: Sequence[float], *,
                align: Sequence[CellAlign | None] | None = None, first_is_head: bool = False,
                center: bool = True, repeat_head: bool = True,
                middle_heads: bool = True, landscape: bool = False) -> Table:
    """A "Table Grid" table of ready-made texts at the end of `container`: one header row
    (STYLE_TABLE_HEAD; centred vertically and repeated on each page unless told not to),
    then the rows in STYLE_TABLE_TEXT, each column aligned as `align` says (default: the
    style's); the first column in the header style when it names the rows. Fixed widths;
    rows kept together as `keep_rows` says (whole when the table `is_short` on its page,
    landscape when told)."""
    grid, at = new_grid(container, styles, 1 + len(rows), len(headers), center)
    set_widths(grid, widths_cm)
    for c, text in enumerate(headers):
        head_cell(styles, at[0][c], text, middle_heads)
    if repeat_head:
        repeat_header(grid.rows[0])
    aligns = list(align) if align is not None else [None] * len(headers)
    for cells, row in zip(at[1:], rows):
        for c, text in enumerate(row):
            p = cells[c].paragraphs[0]
            set_text(p, text)
            if c == 0 and first_is_head:
                styles.apply(p, STYLE_TABLE_HEAD)
                continue
            styles.apply(p, STYLE_TABLE_TEXT)
            how = aligns[c]
            if how == "left" or (how == "auto" and not _is_number(text)):
                p.alignment = WD_ALIGN_PARAGRAPH.LEFT
            elif how == "center":
                p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    keep_rows(grid, 1, is_short(widths_cm, [headers], rows, landscape, first_is_head))
    return grid
