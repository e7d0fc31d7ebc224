"""Word documents in the package's look: the master of the chapter, and the one table writer.

`build_template` writes templates/chapter.docx, the docxtpl master of the chapter (`make
template`). The master holds what a person may want to restyle in Word: page setup (Decree
30/2020: A4, margins, page number centred in the top margin and not on the first page), the
styles, the front matter and the order of the parts. Section bodies (tables, narratives) are
filled by render/ as docxtpl sub-documents that use these styles. After editing the master by
hand in Word, keep the Jinja tags each in its own paragraph; `make template` rewrites it from
here. `new_document` gives the same page and styles to the office's letters.

`write_table` writes every table of ready-made texts (the chapter's list, targets and appendix
tables, the letters' tables); `StyleIds`, `new_grid`, `head_cell`, `set_text`, `set_widths` and
`repeat_header` are its pieces, for tables with merged header cells.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Mm, Pt, RGBColor

if TYPE_CHECKING:
    from docx.document import Document as WordDocument
    from docx.enum.text import WD_PARAGRAPH_ALIGNMENT
    from docx.section import Section
    from docx.styles.style import CharacterStyle, ParagraphStyle
    from docx.table import Table, _Cell, _Row
    from docx.text.paragraph import Paragraph

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


def fit_widths(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> list[float]:
    """Column widths (cm) filling the text width: each column gets room for its longest
    value (text wraps beyond 5 cm), the rest is shared in proportion to the header's length;
    when even that does not fit, every column shrinks in proportion."""
    char_cm = 0.2  # 12 pt Times, digits and punctuation
    # The least a column can have: its longest header word, and 1,2 cm.
    least = [max(1.2, max((len(w) for w in h.split()), default=1) * 0.24 + 0.4)
             for h in headers]
    need = [max(least[c], min(max(len(r[c]) for r in rows) * char_cm + 0.4, 5.0))
            if rows else least[c] for c in range(len(headers))]
    need[0] = max(need[0], 1.4, len(rows[-1][0]) * 0.24 + 0.4 if rows else 0)
    if sum(need) > TEXT_WIDTH_CM:  # text wraps: shrink what exceeds each column's least
        surplus = [n - m for n, m in zip(need, least)]
        room = max(0.0, TEXT_WIDTH_CM - sum(least))
        factor = room / sum(surplus) if sum(surplus) else 0.0
        return [m + s * factor for m, s in zip(least, surplus)]
    spare = max(0.0, TEXT_WIDTH_CM - sum(need))
    weight = [min(len(h), 40) for h in headers]
    weight[0] = 0
    total = sum(weight) or 1
    return [n + spare * w / total for n, w in zip(need, weight)]


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


def _is_number(text: str) -> bool:
    return text.replace(".", "").replace(",", "").replace("-", "").isdigit()


def write_table(container: WordDocument, styles: StyleIds, headers: Sequence[str],
                rows: Sequence[Sequence[str]], widths_cm: Sequence[float], *,
                align: Sequence[CellAlign | None] | None = None, first_is_head: bool = False,
                center: bool = True, repeat_head: bool = True,
                middle_heads: bool = True) -> Table:
    """A "Table Grid" table of ready-made texts at the end of `container`: one header row
    (STYLE_TABLE_HEAD; centred vertically and repeated on each page unless told not to),
    then the rows in STYLE_TABLE_TEXT, each column aligned as `align` says (default: the
    style's); the first column in the header style when it names the rows. Fixed widths."""
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
    return grid
