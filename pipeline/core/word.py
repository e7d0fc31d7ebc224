"""Writes templates/chapter.docx, the docxtpl master of the chapter (`make template`).

The master holds what a person may want to restyle in Word: page setup (Decree 30/2020: A4,
margins, page number centred in the top margin and not on the first page), the styles, the
front matter and the order of the parts. Section bodies (tables, narratives) are filled by
render/ as docxtpl sub-documents that use these styles. After editing the master by hand in
Word, keep the Jinja tags each in its own paragraph; `make template` rewrites it from here.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Mm, Pt

if TYPE_CHECKING:
    from docx.document import Document as WordDocument
    from docx.enum.text import WD_PARAGRAPH_ALIGNMENT
    from docx.section import Section
    from docx.styles.style import CharacterStyle, ParagraphStyle
    from docx.table import Table

FONT = "Times New Roman"

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

    return doc


def agency_block(doc: WordDocument, parent: str, agency: str, number: str = "",
                 subject: str = "") -> None:
    """The agency (left) and national motto (right) block of page one; for an official
    letter, its number ("Số: ...") and subject ("V/v ...") under the agency."""
    head = doc.add_table(rows=1, cols=2)
    head.alignment = WD_TABLE_ALIGNMENT.CENTER
    _no_borders(head)
    left, right = head.rows[0].cells
    head.autofit = False
    for col, cell, width in ((head.columns[0], left, Cm(7.2)), (head.columns[1], right, Cm(9.3))):
        col.width = cell.width = width
    left_lines = [(parent, False), (agency, True)]
    if number:
        left_lines.append((number, False))
    if subject:
        left_lines.append((subject, False))
    for cell, lines in ((left, left_lines),
                        (right, [("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", True),
                                 ("Độc lập - Tự do - Hạnh phúc", True)])):
        cell.paragraphs[0].text = ""
        for i, (text, bold) in enumerate(lines):
            p = cell.paragraphs[0] if i == 0 else cell.add_paragraph()
            p.alignment = WD_ALIGN_PARAGRAPH.CENTER
            p.paragraph_format.first_line_indent = Cm(0)
            p.paragraph_format.space_after = Pt(0)
            r = p.add_run(text)
            r.bold = bold
            r.font.size = Pt(13 if cell is right and i == 1 else 12)
            r.italic = i >= 2 and cell is left and i == len(lines) - 1 and bool(subject)


def build_template() -> WordDocument:
    doc = new_document()
    agency_block(doc, "{{ parent_agency }}", "{{ agency }}")
    place = doc.add_paragraph("{{ place }}, {{ date_long }}")
    place.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    place.paragraph_format.space_before = Pt(12)
    place.runs[0].italic = True

    doc.add_paragraph("BÁO CÁO CHUYÊN ĐỀ", style="Title").paragraph_format.space_before = Pt(18)
    doc.add_paragraph("{{ title }}", style="Title")
    build = doc.add_paragraph("{{ build_line }}", style=STYLE_NOTE)
    build.alignment = WD_ALIGN_PARAGRAPH.CENTER
    build.paragraph_format.space_before = Pt(12)
    doc.add_paragraph("{%p if missing_line %}")
    doc.add_paragraph("{{ missing_line }}", style=STYLE_NOTE).alignment = WD_ALIGN_PARAGRAPH.CENTER
    doc.add_paragraph("{%p endif %}")

    for part in ("part1", "part2", "part4"):
        doc.add_paragraph(f"{{{{ {part}.label }}}}", style="Heading 1")
        doc.add_paragraph(f"{{{{ {part}.title }}}}", style="Heading 1")
        doc.add_paragraph(f"{{%p for s in {part}.sections %}}")
        doc.add_paragraph("{%p if s.heading %}")
        doc.add_paragraph("{{ s.heading }}", style="Heading 2")
        doc.add_paragraph("{%p endif %}")
        doc.add_paragraph("{{p s.body }}")
        doc.add_paragraph("{%p for c in s.charts %}")
        doc.add_paragraph("{{ c.image }}", style=STYLE_FIGURE)
        doc.add_paragraph("{{ c.caption }}", style=STYLE_CAPTION)
        doc.add_paragraph("{%p endfor %}")
        doc.add_paragraph("{%p endfor %}")

    doc.add_paragraph("PHỤ LỤC", style="Heading 1")
    doc.add_paragraph("NGUỒN SỐ LIỆU", style="Heading 1")
    doc.add_paragraph("{{p appendix }}")
    return doc


def write_template(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    build_template().save(str(path))
    return path
