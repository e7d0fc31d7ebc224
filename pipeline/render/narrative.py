"""A unit's narrative written into the chapter as the unit wrote it, in the master's styles.

What read/narrative.py kept of a narrative (`NarrativeSection.blocks`) is written into a
section's body (a docxtpl sub-document, which shares the master's styles, numbering and
relationships, so its pictures end up in the rendered chapter): a paragraph in the master's
body style with the unit's bold, italic, underline and raised or lowered words; a list item
in the master's "List Bullet" / "List Number" styles ("… 2", "… 3" for deeper levels), each
numbered list of each unit starting at 1 (a new w:num of the style's own list definition,
restarted by a level override); a table in the chapter's table styles (header rows, when
marked or all in bold, in the header style and repeated on each page; merged cells merged
again); a picture centred in the figure style, at most the text's width and `MAX_HEIGHT`
high, its proportions kept, its description as its alt text.

A unit's text is written as text, never through a template: "{{ x }}" and "& <" stay as
typed. Without a list style in the master, a list item is a body paragraph led by "–" or
its number.
"""

from __future__ import annotations

import contextlib
import io
import re
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.exceptions import InvalidSpanError
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Emu

from pipeline.catalogue.model import ALL_UNITS, Catalogue, Item
from pipeline.core.word import (
    STYLE_FIGURE,
    STYLE_TABLE_HEAD,
    STYLE_TABLE_TEXT,
    TEXT_WIDTH_CM,
    StyleIds,
    new_grid,
    repeat_header,
    set_widths,
)
from pipeline.read.model import (
    NarrativeBlock,
    NarrativeCell,
    NarrativeImage,
    NarrativeParagraph,
    NarrativeSubmission,
    NarrativeTable,
    TextRun,
)

if TYPE_CHECKING:
    from docx.document import Document as WordDocument
    from docx.table import _Cell
    from docx.text.paragraph import Paragraph

LIST_STYLES = {"bullet": ("List Bullet", "List Bullet 2", "List Bullet 3"),
               "number": ("List Number", "List Number 2", "List Number 3")}
"""The master's list styles by kind, for levels 0, 1 and 2 (deeper levels use the last)."""
MAX_WIDTH = Cm(TEXT_WIDTH_CM)
MAX_HEIGHT = Cm(20)  # the A4 page's text is 25,7 cm high: room for the text around it
_TWIPS_PER_CM = 567
_NUMBER = re.compile(r"[-+]?[\d.,]+\s*%?")


def narrative_blocks(cat: Catalogue, item: Item, narratives: Mapping[str, NarrativeSubmission]
                     ) -> dict[int, list[tuple[NarrativeBlock, ...]]]:
    """What the item's unit (or every unit, in the catalogue's order) wrote under the item
    (key 0) and under each of its sub-topics (1, 2...): one entry per unit's section."""
    units = [u.code for u in cat.units] if item.unit == ALL_UNITS else [item.unit]
    by_sub: dict[int, list[tuple[NarrativeBlock, ...]]] = {}
    for code in units:
        n = narratives.get(code)
        for s in n.sections if n is not None else ():
            if s.item == item.code and s.blocks:
                by_sub.setdefault(s.subtopic, []).append(s.blocks)
    return by_sub


def write_blocks(doc: WordDocument, styles: StyleIds, blocks: Sequence[NarrativeBlock]
                 ) -> None:
    """One unit's section at the end of `doc` (a sub-document of the master, or a document
    made from it), its numbered lists starting at 1."""
    lists = _Lists(doc, styles)
    for block in blocks:
        if isinstance(block, NarrativeParagraph):
            p = doc.add_paragraph()
            _runs(p, lists.apply(p, block), block.runs)
        elif isinstance(block, NarrativeTable):
            _table(doc, styles, block)
        else:
            _picture(doc, styles, block)


def _runs(p: Paragraph, lead: str, runs: Sequence[TextRun]) -> None:
    """The runs of a paragraph, each in its look, after `lead` (a list mark, or "")."""
    if lead:
        p.add_run(lead)
    for run in runs:
        r = p.add_run(run.text)  # python-docx writes "\n" and "\t" as breaks and tabs
        if run.bold:
            r.bold = True
        if run.italic:
            r.italic = True
        if run.underline:
            r.underline = True
        if run.script == "super":
            r.font.superscript = True
        elif run.script == "sub":
            r.font.subscript = True


class _Lists:
    """The list styles of the master, and a numbering of its own for each numbered list of
    the unit's section (and for each run of deeper items under one item of the level
    above), restarted at 1."""

    def __init__(self, doc: WordDocument, styles: StyleIds):
        self.doc = doc
        self.styles = styles
        self.nums: dict[tuple[int, int, int], int] = {}  # (list, level, run): numId
        self.runs: dict[int, list[int]] = {}  # unit's list: per level, items above it seen
        self.counts: dict[tuple[int, int, int], int] = {}  # items numbered, without a style

    def apply(self, p: Paragraph, para: NarrativeParagraph) -> str:
        """Style `p` as `para`'s list item; the text that must lead it ("" but without the
        master's list style)."""
        if not para.list_kind:
            return ""
        level = min(para.level, 8)
        runs = self.runs.setdefault(para.list_id, [0] * 9)
        for deeper in range(level + 1, 9):
            runs[deeper] += 1  # items below this one start again
        key = (para.list_id, level, runs[level])
        name = LIST_STYLES[para.list_kind][min(level, 2)]
        if name not in self.styles.ids:
            self.counts[key] = self.counts.get(key, 0) + 1
            return f"{self.counts[key]}. " if para.list_kind == "number" else "– "
        self.styles.apply(p, name)
        if para.list_kind == "number":
            num_id = self.nums.get(key) or self._restart(name)
            if num_id:
                self.nums[key] = num_id
                _numbered(p, num_id)
        return ""

    def _restart(self, name: str) -> int:
        """A new w:num of the list definition `name`'s style uses, starting at 1 (0 when the
        style has no numbering)."""
        style = self.doc.part.styles.element.get_by_id(self.styles.ids[name])
        ppr = style.pPr if style is not None else None
        num_pr = ppr.numPr if ppr is not None else None
        if num_pr is None or num_pr.numId is None:
            return 0
        numbering = self.doc.part.numbering_part.element
        try:
            abstract = numbering.num_having_numId(num_pr.numId.val).abstractNumId.val
        except KeyError:  # the style names a list the master does not define
            return 0
        num = numbering.add_num(abstract)
        num.add_lvlOverride(ilvl=0).add_startOverride(1)
        return int(num.numId)


def _numbered(p: Paragraph, num_id: int) -> None:
    """`p` in list `num_id` (level 0 of it: each level of the master has its own style and
    list), right after its style as the schema orders a new paragraph's properties."""
    ppr = p._p.get_or_add_pPr()
    num = OxmlElement("w:numPr")
    for tag, value in (("w:ilvl", 0), ("w:numId", num_id)):
        el = OxmlElement(tag)
        el.set(qn("w:val"), str(value))
        num.append(el)
    style = ppr.find(qn("w:pStyle"))
    if style is not None:
        style.addnext(num)
    else:
        ppr.insert(0, num)


def _table(doc: WordDocument, styles: StyleIds, table: NarrativeTable) -> None:
    """The unit's table in the chapter's table styles: fixed widths (the unit's, shrunk to
    the text's width), header rows repeated, merged cells merged as the unit merged them."""
    cols = max((sum(c.span for c in row) for row in table.rows), default=0)
    if not cols:
        return
    grid, cells = new_grid(doc, styles, len(table.rows), cols)
    widths = [w / _TWIPS_PER_CM for w in table.widths]
    if len(widths) != cols or min(widths) <= 0:
        widths = [TEXT_WIDTH_CM / cols] * cols
    shrink = min(1.0, TEXT_WIDTH_CM / sum(widths))
    set_widths(grid, [w * shrink for w in widths])
    head = table.header_rows or (1 if len(table.rows) > 1 and _all_bold(table.rows[0]) else 0)
    starts: list[dict[int, int]] = []  # per row: column where a cell starts: its span
    for r, row in enumerate(table.rows):
        starts.append({})
        c = 0
        for cell in row:
            starts[r][c] = cell.span
            _cell(styles, cells[r][c], cell, head=r < head)  # merged: moved to the first
            c += cell.span
        if r < head:
            repeat_header(grid.rows[r])
    _merge(cells, table.rows, starts)


def _all_bold(row: Sequence[NarrativeCell]) -> bool:
    runs = [r for c in row for p in c.paragraphs for r in p.runs if r.text.strip()]
    return bool(runs) and all(r.bold for r in runs)


def _cell(styles: StyleIds, target: _Cell, cell: NarrativeCell, head: bool) -> None:
    numbers = 0
    for i, para in enumerate(cell.paragraphs):
        p = target.paragraphs[0] if i == 0 else target.add_paragraph()
        styles.apply(p, STYLE_TABLE_HEAD if head else STYLE_TABLE_TEXT)
        if not head and not _NUMBER.fullmatch(para.text.strip()):
            p.alignment = WD_ALIGN_PARAGRAPH.LEFT  # text left, numbers right (the style's)
        numbers = numbers + 1 if para.list_kind == "number" else 0
        lead = {"number": f"{numbers}. ", "bullet": "– "}.get(para.list_kind, "")
        _runs(p, lead, para.runs)


def _merge(cells: list[list[_Cell]], rows: Sequence[Sequence[NarrativeCell]],
           starts: list[dict[int, int]]) -> None:
    """Merge each cell spanning columns, and down over the cells that continue it below
    (the same columns); a merge the grid cannot make leaves the cells apart."""
    for r, row in enumerate(rows):
        c = 0
        for cell in row:
            if not cell.merged_above:
                end = r
                while (end + 1 < len(rows) and starts[end + 1].get(c) == cell.span
                       and _at(rows[end + 1], c).merged_above):
                    end += 1
                if end > r or cell.span > 1:
                    # a layout Word itself would not make: the cells stay apart
                    with contextlib.suppress(InvalidSpanError):
                        cells[r][c].merge(cells[end][c + cell.span - 1])
            c += cell.span


def _at(row: Sequence[NarrativeCell], column: int) -> NarrativeCell:
    """The cell of `row` starting at grid `column` (one is, see `starts`)."""
    c = 0
    for cell in row:
        if c == column:
            return cell
        c += cell.span
    raise KeyError(column)


def _picture(doc: WordDocument, styles: StyleIds, image: NarrativeImage) -> None:
    """The picture in a paragraph of its own, at most MAX_WIDTH wide and MAX_HEIGHT high."""
    scale = min(1.0, MAX_WIDTH / image.width, MAX_HEIGHT / image.height)
    p = styles.para(doc, "", STYLE_FIGURE)
    shape = p.add_run().add_picture(io.BytesIO(image.data),
                                    width=Emu(round(image.width * scale)),
                                    height=Emu(round(image.height * scale)))
    if image.alt:
        shape._inline.docPr.set("descr", image.alt)
