"""One narrative (.docx) read with python-docx: its unit code and, under each heading, what
the unit wrote as it wrote it; or, without python-docx, only its unit code (`narrative_unit`,
for `make status`).

Both paths find the unit code by one rule, `unit_in_table`: in the document's first table
(a direct child of the body, as python-docx's `Document.tables[0]`), the cell right of the
last "Mã đơn vị" cell of the first column. Each path only turns that table into rows of
cell texts (a cell's paragraphs joined by line breaks, a cell spanning columns repeated),
and both take a cell's text the same way (`_Story`).

A paragraph's text is what Word shows once every tracked change is accepted (`_Story`, the
same walk for both paths), not python-docx's `Paragraph.text`, which reads only runs and
hyperlinks that are direct children of the paragraph and so drops inserted text (`w:ins`),
content controls (`w:sdt`), moved-to text and simple fields (`w:fldSimple`); nor does it see
text boxes or footnotes. Deleted and moved-from text is left out, a field gives its result
and never its instruction, a text box's paragraphs follow the paragraph that anchors it
(read once: the `mc:Fallback` copy of a drawing is skipped) and a footnote or endnote is
appended to its paragraph (`_with_notes`).

Each section keeps its blocks (`NarrativeSection.blocks`): paragraphs as runs with their
bold, italic, underline and raised or lowered script, list items with their kind and level
(read/formatting.py), the body's tables (cells, spans, vertical merges, header rows; a table
inside a cell, text box or note flattened into its paragraphs) and pictures (their bytes,
shown size and alt text), the form's own unit table left out. What cannot be carried as it
is, is said with its place (`_Sections`: "đoạn 7", "bảng 2"): tracked changes (accepted) and
comments (left out) in one finding each, listing the paragraphs; a text box's frame, a
nested table, a picture that cannot be read or is not a picture file of its own, an embedded
object, chart, diagram or equation one by one, naming the paragraph it sits in. No
relationship is followed but the document's own footnotes, endnotes, numbering and image
parts, never an external one; tables are carried up to `_MAX_TABLE_ROWS` rows and
`_MAX_TABLE_COLS` columns, pictures up to `_MAX_IMAGES` and their sizes in bytes.

The parser's own work (python-docx, lxml, ElementTree) is done first and gives the parsed
XML (`_load`): an error there means the file is damaged (`file_unreadable`). What this module
then does with it is outside that net, so a fault of this software reaches read/files.py as
one (`internal_error`), never as the unit's; a file nested deeper than `_MAX_NESTING` is
the file's (`file_unreadable`), and so is a picture python-docx cannot read (a finding).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from pipeline.core import findings as fnd
from pipeline.core import fmt
from pipeline.core.outputs import GENERATOR
from pipeline.core.text import MAX_CELL_CHARS
from pipeline.read.formatting import PLAIN, Look, Looks, Numbering, numbering, runs, style_defs
from pipeline.read.formatting import Node as _Node
from pipeline.read.formatting import child as _child
from pipeline.read.model import (
    FileInfo,
    NarrativeBlock,
    NarrativeCell,
    NarrativeImage,
    NarrativeParagraph,
    NarrativeSection,
    NarrativeSubmission,
    NarrativeTable,
    TextRun,
    file_info,
    unit_code,
)
from pipeline.read.package import (
    Refused,
    inspect_package,
)
from pipeline.read.workbook import _Notes, _plain, _unreadable

if TYPE_CHECKING:  # python-docx is imported only when a narrative is read in full
    import xml.etree.ElementTree as ET

    from docx.document import Document as DocxDocument

UNIT_LABEL = "Mã đơn vị"
"""First cell of the narrative form's unit-code row (the code is in the next cell)."""

# "I.2.3." is item I.2, sub-topic 3; Part IV is one item with no number: "IV.2." is its
# second sub-topic.
_HEADING = re.compile(r"^\s*(IV|(?:II|I)(?:\.(?:\d+|DG))?)(?:\.(\d+))?\.?\s")


def unit_in_table(rows: Iterable[Sequence[str]]) -> str:
    """The unit code written in a narrative's first table, as typed ("" when absent): the
    cell right of the last row whose first cell reads "Mã đơn vị"."""
    unit = ""
    for cells in rows:
        if len(cells) >= 2 and _plain(cells[0]) == UNIT_LABEL:
            unit = _plain(cells[1])
    return unit


# --- the text Word shows, every tracked change accepted --------------------------------------
_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_MC = "{http://schemas.openxmlformats.org/markup-compatibility/2006}"
_A = "{http://schemas.openxmlformats.org/drawingml/2006/main}"
_V = "{urn:schemas-microsoft-com:vml}"
_O = "{urn:schemas-microsoft-com:office:office}"
_M = "{http://schemas.openxmlformats.org/officeDocument/2006/math}"
_WP = "{http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing}"
_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_PICNS = "{http://schemas.openxmlformats.org/drawingml/2006/picture}"
_PIC = f"{_PICNS}pic"

_P, _R, _T, _TBL, _SDT = f"{_W}p", f"{_W}r", f"{_W}t", f"{_W}tbl", f"{_W}sdt"
_TR, _TC, _PPR, _RPR = f"{_W}tr", f"{_W}tc", f"{_W}pPr", f"{_W}rPr"
_CHOICE, _FALLBACK = f"{_MC}Choice", f"{_MC}Fallback"
_ALTERNATE = f"{_MC}AlternateContent"
_TXBX = f"{_W}txbxContent"
_OBJECT = f"{_W}object"
_DRAWING = f"{_W}drawing"
_GRAPHICS = (_DRAWING, f"{_W}pict", _OBJECT)
# Run-level containers whose runs Word shows: accepted insertions and moved-to text,
# hyperlinks, simple fields (their runs are the result; the instruction is an attribute),
# smart tags, custom XML and bidirectional spans. w:del and w:moveFrom are not here: their
# runs are deleted text once the changes are accepted, so they are left out.
_INLINE_WRAPPERS = frozenset(f"{_W}{t}" for t in (
    "hyperlink", "ins", "moveTo", "fldSimple", "smartTag", "customXml", "dir", "bdo"))
_INSERTED = (f"{_W}ins", f"{_W}moveTo")
_DELETED = (f"{_W}del", f"{_W}moveFrom")
# Tracked changes to a paragraph mark, a row or formatting: accepted as they stand, said.
_TRACKED = frozenset((*_INSERTED, *_DELETED, f"{_W}rPrChange", f"{_W}pPrChange"))
_RUN_CHARS = {f"{_W}tab": "\t", f"{_W}ptab": "\t", f"{_W}cr": "\n",
              f"{_W}noBreakHyphen": "-"}  # as python-docx's run text gives them
_NOTE_REFS = (f"{_W}footnoteReference", f"{_W}endnoteReference")
# Block-level content that brings another file's content (an imported chunk, a master
# document's sub-document): its relationship is never followed, the place is said.
_FOREIGN = {f"{_W}altChunk": "một phần nội dung ghép từ tệp khác (altChunk)",
            f"{_W}subDoc": "một văn bản con liên kết (subDoc)"}
_EQUATION = "một công thức (Equation)"
_DRAWING_URIS = ("/picture", "/wordprocessingShape", "/wordprocessingGroup",
                 "/wordprocessingCanvas", "/lockedCanvas")  # drawings whose parts are read
# What is said of what the chapter cannot carry as it is: (finding code, what it is).
_SHAPE = ("narrative_object", "một hình vẽ (shape)")
_TEXT_BOX = ("narrative_textbox", "một khung văn bản (Text Box)")
_NESTED_TABLE = ("narrative_table", "một bảng lồng trong bảng, khung văn bản hoặc chú thích")
_DRAWN_PICTURE = ("narrative_image", "một hình nằm trong nhóm hình, khung hoặc hình vẽ")
_VML_PICTURE = ("narrative_image", "một hình kiểu cũ (VML)")
_NOTE_PICTURE = ("narrative_image", "một hình trong chú thích")
_CELL_PICTURE = ("narrative_image", "một hình trong ô của bảng")

_MAX_PARA_CHARS = 4 * MAX_CELL_CHARS
"""Raw text gathered for one paragraph. Above MAX_CELL_CHARS `_Notes.text` cuts it with a
`text_truncated` note, so nothing more is needed; this bounds what is held before (a
paragraph joined with thousands of others by deleted paragraph marks)."""
_MAX_NESTING = 150
"""Containers inside containers (content controls, hyperlinks, drawings, text boxes) the walk
enters: Word itself nests a few; a file nested deeper is refused rather than exhausting the
stack (lxml stops at 256 levels of XML, ElementTree has no limit)."""
_MAX_TABLE_ROWS = 1_000
"""Rows of a narrative's table carried (and walked): a table for the chapter has tens."""
_MAX_TABLE_COLS = 63
"""Grid columns of a narrative's table carried: Word's own limit."""


class NestedTooDeep(ValueError):
    """The XML nests containers deeper than `_MAX_NESTING` (a crafted file)."""


@dataclass(frozen=True)
class _Picture:
    """A picture met in a paragraph (DrawingML, inline or floating), to be carried."""

    rid: str  # relationship of its image part (r:embed; "" when absent)
    linked: bool  # only linked to a file outside (r:link): never followed
    width: int  # shown size as written, EMU (0 when absent or not a number)
    height: int
    alt: str  # its description, else its title (as written)


@dataclass
class _Para:
    """One paragraph as Word shows it, while the walk builds it."""

    style: str = ""  # paragraph style name ("" in text boxes, notes and cells)
    style_id: str = ""  # paragraph style id, for its look
    parts: list[tuple[str, Look]] = field(default_factory=list)  # its text, run by run
    size: int = 0  # characters in parts
    notes: list[str] = field(default_factory=list)  # text of the footnotes/endnotes it cites
    boxes: list[_Para] = field(default_factory=list)  # paragraphs of the text boxes it anchors
    notices: list[tuple[str, str]] = field(default_factory=list)  # what is not carried as
    # it is: (finding code, what)
    pictures: list[_Picture] = field(default_factory=list)  # pictures in it
    list_item: tuple[str, int, int] = ("", 0, 0)  # list kind, level, list id
    tracked: bool = False  # it holds a tracked change (accepted)
    comments: int = 0  # comments anchored in it (left out)
    mark_deleted: bool = False  # its paragraph mark is a tracked deletion

    @property
    def text(self) -> str:
        return "".join(t for t, _ in self.parts)

    def add(self, text: str, look: Look = PLAIN) -> None:
        if text and self.size <= _MAX_PARA_CHARS:
            self.parts.append((text, look))
            self.size += len(text)

    def joined(self, after: _Para) -> _Para:
        """This paragraph with its deleted mark accepted: it and the next one are one
        paragraph, whose mark (and so style and list) is the next one's."""
        merged = _Para(after.style, after.style_id, list(self.parts), self.size,
                       self.notes + after.notes, self.boxes + after.boxes,
                       self.notices + after.notices, self.pictures + after.pictures,
                       after.list_item, True, self.comments + after.comments,
                       after.mark_deleted)
        for part in after.parts:
            merged.add(*part)
        return merged


@dataclass
class _Cell:
    paras: list[_Para]  # a nested table's paragraphs flattened in
    span: int  # grid columns
    merged_above: bool  # continues the vertically merged cell above


@dataclass
class _Table:
    """A table of the body, as the walk read it."""

    direct: bool  # a direct child of the body (the form's own is the first such)
    rows: list[list[_Cell]]
    widths: list[int]  # grid column widths, twips
    header_rows: int  # leading rows marked as the header
    total_rows: int  # rows in the file (past _MAX_TABLE_ROWS, not carried)
    too_wide: bool  # it has more than _MAX_TABLE_COLS columns
    tracked: bool  # a row inserted or deleted with changes tracked


Block = _Para | _Table


class _Fields:
    """The complex fields open in one story (w:fldChar begin/separate/end, nested). Between
    a field's begin and separate is its instruction ("PAGE", "TITLE"), which Word never shows;
    after separate comes its result, which it does."""

    def __init__(self) -> None:
        self.open: list[bool] = []  # per open field: still in its instruction
        self.in_code = 0  # open fields still in their instruction

    def mark(self, kind: str | None) -> None:
        if kind == "begin":
            self.open.append(True)
            self.in_code += 1
        elif kind == "separate" and self.open and self.open[-1]:
            self.open[-1] = False
            self.in_code -= 1
        elif kind == "end" and self.open:
            self.in_code -= self.open.pop()


def _chosen(alternate: _Node) -> Iterable[_Node]:
    """The content of an mc:AlternateContent read once: its first mc:Choice (what Word
    writes: a DrawingML text box), else its mc:Fallback (the same as VML). Reading both
    would give a text box's text twice."""
    fallback: _Node | None = None
    for child in alternate:
        if child.tag == _CHOICE:
            return child
        if child.tag == _FALLBACK and fallback is None:
            fallback = child
    return fallback if fallback is not None else ()


def _sdt_content(sdt: _Node) -> Iterable[_Node]:
    """A content control's content, or nothing while it shows its placeholder (the form's
    "Click here to enter text", which the unit never typed)."""
    props = _child(sdt, f"{_W}sdtPr")
    if props is not None and _child(props, f"{_W}showingPlcHdr") is not None:
        return ()
    content = _child(sdt, f"{_W}sdtContent")
    return content if content is not None else ()


def _style_id(p: _Node) -> str | None:
    props = _child(p, _PPR)
    style = _child(props, f"{_W}pStyle") if props is not None else None
    return style.get(f"{_W}val") if style is not None else None


def _mark_deleted(p: _Node) -> bool:
    """Whether the paragraph mark itself is deleted (or moved away) as a tracked change."""
    props = _child(p, _PPR)
    mark = _child(props, _RPR) if props is not None else None
    return mark is not None and any(c.tag in _DELETED for c in mark)


def _tracked_props(props: _Node | None) -> bool:
    """Whether paragraph or row properties record a tracked change (to the paragraph mark,
    the row or the formatting)."""
    if props is None:
        return False
    mark = _child(props, _RPR)
    return any(c.tag in _TRACKED for c in props) or (
        mark is not None and any(c.tag in _TRACKED for c in mark))


def _int(text: str | None) -> int:
    """A size or count attribute (EMU, twips, spans); 0 for anything but digits."""
    text = (text or "").strip()
    return int(text) if text.isdigit() and len(text) <= 12 else 0


def _ole_kind(el: _Node) -> str:
    """How an embedded (or linked) object is named to the unit: by its program id."""
    progid, linked = "", False
    for node in _descendants(el):
        if node.tag in (f"{_O}OLEObject", f"{_W}objectEmbed", f"{_W}objectLink"):
            progid = node.get("ProgID") or node.get(f"{_W}progId") or ""
            linked = node.get("Type") == "Link" or node.tag == f"{_W}objectLink"
            break
        if node.tag == f"{_W}control":
            return "một ô điều khiển (ActiveX)"
    name = re.sub(r"[^A-Za-z0-9._-]", "", progid)[:40]
    kinds = (("Excel", "một bảng tính Excel nhúng"), ("Word", "một văn bản Word nhúng"),
             ("PowerPoint", "một trình chiếu PowerPoint nhúng"),
             ("Equation", "một công thức (Equation)"), ("Package", "một tệp đính kèm"))
    kind = next((k for prefix, k in kinds if name.startswith(prefix)), "một đối tượng nhúng")
    if linked:
        kind = "một đối tượng liên kết tới tệp khác"
    return f"{kind} ({name})" if name else kind


def _graphic_kind(uri: str | None) -> str:
    """What a DrawingML graphic that is not a picture, shape or group is ("" for those)."""
    if (uri or "").endswith(_DRAWING_URIS):
        return ""
    if "chart" in (uri or ""):
        return "một biểu đồ"
    return "một sơ đồ SmartArt" if "diagram" in (uri or "") else "một đối tượng đồ họa"


def _descendants(el: _Node) -> Iterator[_Node]:
    """Every element under `el`, depth first, without recursion."""
    stack = [iter(el)]
    while stack:
        child = next(stack[-1], None)
        if child is None:
            stack.pop()
            continue
        yield child
        stack.append(iter(child))


def _picture(drawing: _Node) -> _Picture | None:
    """The picture a w:drawing shows as itself (an inline or floating picture), or None when
    it is anything else: a shape, a group, a canvas, a chart (read by `_Story._graphic`)."""
    frame = next((c for c in drawing if c.tag in (f"{_WP}inline", f"{_WP}anchor")), None)
    graphic = _child(frame, f"{_A}graphic") if frame is not None else None
    data = _child(graphic, f"{_A}graphicData") if graphic is not None else None
    picture = data is not None and (data.get("uri") or "").endswith("/picture")
    pic = _child(data, _PIC) if data is not None and picture else None
    if frame is None or pic is None:
        return None
    fill = _child(pic, f"{_PICNS}blipFill")
    blip = _child(fill, f"{_A}blip") if fill is not None else None
    rid = (blip.get(f"{_REL}embed") or "") if blip is not None else ""
    linked = not rid and blip is not None and bool(blip.get(f"{_REL}link"))
    extent = _child(frame, f"{_WP}extent")
    name = _child(frame, f"{_WP}docPr")
    alt = ((name.get("descr") or name.get("title") or "") if name is not None else "")
    return _Picture(rid, linked, _int(extent.get("cx")) if extent is not None else 0,
                    _int(extent.get("cy")) if extent is not None else 0, alt)


class _Story:
    """Walks WordprocessingML (the body, a table cell, a text box, a note) into paragraphs
    and tables as Word shows them with every tracked change accepted."""

    def __init__(self, style_of: Callable[[str | None], str] = lambda _: "",
                 notes: dict[str, dict[str, _Node]] | None = None,
                 looks: Looks | None = None, nested_tables: bool = False):
        self.style_of = style_of  # a paragraph style id to its name
        self.notes = notes or {}  # w:footnoteReference / w:endnoteReference tag to id to note
        self.looks = looks or Looks()  # run formatting and lists from the styles
        self.nested_tables = nested_tables  # a table in a cell, text box or note: its text
        # kept as paragraphs (True), or left out (the unit code's cell, as streamed)
        self.cited: set[tuple[str, str]] = set()  # notes already read (each is read once)
        self.fields = _Fields()
        self.in_cell = 0  # table cells the walk is in
        self.depth = 0

    def _enter(self) -> None:
        self.depth += 1
        if self.depth > _MAX_NESTING:
            raise NestedTooDeep(f"nội dung lồng nhau quá {_MAX_NESTING} tầng")

    def blocks(self, container: Iterable[_Node], boxed: bool = False,
               top: bool = False) -> list[Block]:
        """The paragraphs and tables of a body, cell, text box or note, in reading order,
        deleted paragraph marks accepted (the paragraph joins the next one; never across a
        table). `boxed`: inside a text box, a note or a cell, whose paragraphs are never
        headings and whose tables are flattened; `top`: `container` is the body."""
        out: list[Block] = []
        self._blocks_into(container, boxed, out, top)
        merged: list[Block] = []
        pending: _Para | None = None
        for block in out:
            if isinstance(block, _Table):
                merged += ([pending] if pending is not None else []) + [block]
                pending = None
                continue
            if pending is not None:
                block, pending = pending.joined(block), None
            if block.mark_deleted:
                pending = block
            else:
                merged.append(block)
        return merged + ([pending] if pending is not None else [])

    def paragraphs(self, container: Iterable[_Node]) -> list[_Para]:
        """The paragraphs of a cell, text box or note (its tables flattened into them)."""
        return [b for b in self.blocks(container, boxed=True) if isinstance(b, _Para)]

    def _blocks_into(self, container: Iterable[_Node], boxed: bool, out: list[Block],
                     top: bool = False) -> None:
        self._enter()
        for child in container:
            tag = child.tag
            if tag == _P:
                out.append(self._paragraph(child, boxed))
            elif tag == _TBL and (boxed or self.in_cell):
                if self.nested_tables:
                    self._flatten(child, out)
            elif tag == _TBL:
                out.append(self._table(child, top))
            elif tag == _SDT:
                self._blocks_into(_sdt_content(child), boxed, out)
            elif tag == f"{_W}customXml":
                self._blocks_into(child, boxed, out)
            elif tag == _ALTERNATE:
                self._blocks_into(_chosen(child), boxed, out)
            elif isinstance(tag, str) and tag in _FOREIGN:
                out.append(_Para(notices=[("narrative_object", _FOREIGN[tag])]))
        self.depth -= 1

    def _paragraph(self, p: _Node, boxed: bool) -> _Para:
        style = _style_id(p) or ""
        props = _child(p, _PPR)
        para = _Para("" if boxed else self.style_of(style or None), style,
                     list_item=self.looks.list_item(props, style),
                     tracked=_tracked_props(props), mark_deleted=_mark_deleted(p))
        self._inline(p, para)
        return para

    def _rows(self, el: Iterable[_Node], tag: str) -> list[_Node]:
        """The rows of a table (tag w:tr) or the cells of a row (w:tc), content controls and
        custom XML around them entered."""
        self._enter()
        found: list[_Node] = []
        for child in el:
            if child.tag == tag:
                found.append(child)
            elif child.tag == _SDT:
                found += self._rows(_sdt_content(child), tag)
            elif child.tag == f"{_W}customXml":
                found += self._rows(child, tag)
        self.depth -= 1
        return found

    def _flatten(self, tbl: _Node, out: list[Block]) -> None:
        """A table inside a cell, text box or note: its cells' paragraphs, row by row."""
        first = len(out)
        for tr in self._rows(tbl, _TR):
            for tc in self._rows(tr, _TC):
                self._blocks_into(tc, True, out)
        opened = out[first] if len(out) > first else None
        if isinstance(opened, _Para) and _NESTED_TABLE not in opened.notices:
            opened.notices.insert(0, _NESTED_TABLE)  # said once, however deep

    def _table(self, tbl: _Node, top: bool) -> _Table:
        """A table of the body: each cell's paragraphs, spans and vertical merges, widths
        and header rows; rows deleted with changes tracked left out."""
        self._enter()
        grid = _child(tbl, f"{_W}tblGrid")
        widths = [_int(c.get(f"{_W}w")) for c in (grid if grid is not None else ())
                  if c.tag == f"{_W}gridCol"]
        table = _Table(top, [], widths[:_MAX_TABLE_COLS], 0, 0, False, False)
        for tr in self._rows(tbl, _TR):
            props = _child(tr, f"{_W}trPr")
            table.tracked = table.tracked or _tracked_props(props)
            if props is not None and any(c.tag in _DELETED for c in props):
                continue  # a row deleted with changes tracked
            table.total_rows += 1
            if len(table.rows) < _MAX_TABLE_ROWS:
                table.rows.append(self._cells(tr, props, table))
                head = _child(props, f"{_W}tblHeader") if props is not None else None
                if (head is not None and table.header_rows == len(table.rows) - 1
                        and (head.get(f"{_W}val") or "1") not in ("0", "false", "off")):
                    table.header_rows += 1
        self.depth -= 1
        return table

    def _cells(self, tr: _Node, props: _Node | None, table: _Table) -> list[_Cell]:
        before = _child(props, f"{_W}gridBefore") if props is not None else None
        skipped = min(_int(before.get(f"{_W}val")) if before is not None else 0,
                      _MAX_TABLE_COLS)
        cells = [_Cell([], skipped, False)] if skipped else []
        columns = skipped
        for tc in self._rows(tr, _TC):
            if columns >= _MAX_TABLE_COLS:
                table.too_wide = True
                break
            tc_props = _child(tc, f"{_W}tcPr")
            span = _child(tc_props, f"{_W}gridSpan") if tc_props is not None else None
            merge = _child(tc_props, f"{_W}vMerge") if tc_props is not None else None
            width = min(max(_int(span.get(f"{_W}val")) if span is not None else 1, 1),
                        _MAX_TABLE_COLS - columns)
            self.in_cell += 1
            paras = self.paragraphs(tc)
            self.in_cell -= 1
            # a merged cell's text is the first cell's: text in a continuation is kept
            above = (merge is not None and (merge.get(f"{_W}val") or "continue") == "continue"
                     and not any(p.text.strip() or p.pictures for p in paras))
            cells.append(_Cell(paras, width, above))
            columns += width
        return cells

    def _inline(self, el: Iterable[_Node], para: _Para) -> None:
        """A paragraph's content: runs, and the containers whose runs Word shows."""
        self._enter()
        for child in el:
            tag = child.tag
            if tag == _R:
                self._run(child, para)
            elif tag in _INLINE_WRAPPERS:
                para.tracked = para.tracked or tag in _INSERTED
                self._inline(child, para)
            elif tag in _DELETED:
                para.tracked = True  # deleted text: left out
            elif tag == _SDT:
                self._inline(_sdt_content(child), para)
            elif tag == _ALTERNATE:
                self._inline(_chosen(child), para)
            elif tag in (f"{_M}oMath", f"{_M}oMathPara"):
                para.notices.append(("narrative_object", _EQUATION))
        self.depth -= 1

    def _run(self, r: Iterable[_Node], para: _Para, look: Look | None = None) -> None:
        if look is None:
            props = next((c for c in r if c.tag == _RPR), None)
            look = self.looks.run(props, para.style_id)
            para.tracked = para.tracked or (
                props is not None and any(c.tag == f"{_W}rPrChange" for c in props))
        for child in r:
            tag = child.tag
            if tag == f"{_W}fldChar":
                self.fields.mark(child.get(f"{_W}fldCharType"))
            elif self.fields.in_code:
                continue  # a field's instruction (w:instrText and all): never shown
            elif tag == _T:
                para.add(child.text or "", look)
            elif isinstance(tag, str) and tag in _RUN_CHARS:
                para.add(_RUN_CHARS[tag], look)
            elif tag == f"{_W}br":  # a line break; a page or column break gives nothing
                para.add("\n" if child.get(f"{_W}type") in (None, "textWrapping") else "",
                         look)
            elif tag in _NOTE_REFS:
                self._note(str(tag), child.get(f"{_W}id"), para)
            elif tag == f"{_W}commentReference":
                para.comments += 1
            elif tag in _GRAPHICS:
                self._drawn(child, para)
            elif tag == _ALTERNATE:
                self._run(_chosen(child), para, look)

    def _drawn(self, el: _Node, para: _Para) -> None:
        """What a run draws: an embedded object, a picture, or a drawing read inside."""
        if el.tag == _OBJECT:
            para.notices.append(("narrative_object", _ole_kind(el)))
        elif el.tag == _DRAWING and (picture := _picture(el)) is not None:
            para.pictures.append(picture)
        elif not self._graphic(el, para):
            para.notices.append(_SHAPE)  # neither text, picture nor object

    def _graphic(self, el: Iterable[_Node], para: _Para) -> bool:
        """Text boxes, pictures and objects inside a drawing (DrawingML or VML) that is not
        a picture itself: text boxes are read, the rest named. False when it holds none."""
        self._enter()
        found = False
        for child in el:
            tag = child.tag
            if tag == _TXBX:
                para.notices.append(_TEXT_BOX)
                self._box(child, para)
            elif tag in (_PIC, f"{_V}imagedata"):
                para.notices.append(_DRAWN_PICTURE if tag == _PIC else _VML_PICTURE)
            elif tag in (_OBJECT, f"{_O}OLEObject"):
                para.notices.append(("narrative_object", _ole_kind(child)))
            elif tag == f"{_A}graphicData" and (kind := _graphic_kind(child.get("uri"))):
                para.notices.append(("narrative_object", kind))
            else:
                inner = _chosen(child) if tag == _ALTERNATE else child
                found = self._graphic(inner, para) or found
                continue
            found = True
        self.depth -= 1
        return found

    def _box(self, content: _Node, para: _Para) -> None:
        """A text box's paragraphs, kept after the paragraph that anchors it."""
        outer, self.fields = self.fields, _Fields()  # a text box is a story of its own
        for inner in self.paragraphs(content):
            para.boxes += [inner, *inner.boxes]
            inner.boxes = []
            para.notices.extend(inner.notices)
            para.tracked = para.tracked or inner.tracked
            para.comments += inner.comments
        self.fields = outer

    def _note(self, ref: str, note_id: str | None, para: _Para) -> None:
        """A footnote's or endnote's text, given to the paragraph that cites it. Each note
        is read once (a note cited again adds nothing) and a note citing a note is not
        followed: a crafted file cannot multiply its text."""
        note = self.notes.get(ref, {}).get(note_id or "")
        if note is None or (ref, note_id or "") in self.cited:
            return
        self.cited.add((ref, note_id or ""))
        outer, self.fields = self.fields, _Fields()
        notes, self.notes = self.notes, {}
        texts: list[str] = []
        for inner in self.paragraphs(note):
            texts += [inner.text, *(_with_notes(b.text, b.notes) for b in inner.boxes)]
            para.notices += inner.notices + [_NOTE_PICTURE] * len(inner.pictures)
            para.tracked = para.tracked or inner.tracked
            para.comments += inner.comments
        self.fields, self.notes = outer, notes
        text = " ".join(t.strip() for t in texts if t.strip())
        if text:
            para.notes.append(text)


def _with_notes(text: str, notes: Sequence[str]) -> str:
    """A paragraph followed by the notes it cites, each as "(Chú thích: …)".

    A footnote cannot stay a footnote in a chapter made of several units' paragraphs. Its
    text goes at the end of its own paragraph, not at the reference mark nor in a paragraph
    of its own: it stays with the paragraph it explains; the sentence the mark sat in stays
    whole, so the figures a note quotes are not mixed into that sentence's (validate
    compares a narrative's sentences with the unit's workbook, splitting after "." and
    ";"); and a note never stands in the chapter as if it were body text. An endnote is
    treated alike: in a chapter made of several units' paragraphs, "the end of the
    document" is nowhere."""
    cited = " ".join(f"(Chú thích: {n})" for n in notes)
    if not cited:
        return text
    return f"{text.rstrip()} {cited}" if text.strip() else cited


def _with_note_runs(parts: list[tuple[str, Look]], notes: Sequence[str]
                    ) -> list[tuple[str, Look]]:
    """The pieces of `_with_notes(text, notes)`: the paragraph's own, then the notes plain."""
    cited = " ".join(f"(Chú thích: {n})" for n in notes)
    if not cited:
        return parts
    kept = list(parts)
    while kept and not kept[-1][0].rstrip():
        kept.pop()
    if not kept:
        return [(cited, PLAIN)]
    kept[-1] = (kept[-1][0].rstrip(), kept[-1][1])
    return [*kept, (f" {cited}", PLAIN)]


def _cell_text(tc: _Node) -> str:
    """A table cell's text: its paragraphs joined by line breaks, as python-docx's
    `_Cell.text` joins them, each read as Word shows it (a table inside it left out)."""
    return "\n".join(p.text for p in _Story().blocks(tc) if isinstance(p, _Para))


# --- in full, with python-docx ---------------------------------------------------------------
_HINT_STYLE = "Hướng dẫn"  # the form's hints under each heading (never the unit's text)
_MAX_OBJECT_NOTES = 20  # objects named one by one; past this, one note counts the rest
_MAX_IMAGES = 100  # pictures carried from one narrative
_MAX_IMAGE_BYTES = 20 * 1024 * 1024  # one picture's file
_MAX_IMAGES_BYTES = 100 * 1024 * 1024  # all of them (the same picture shown twice: once)
_MAX_EMU = 50 * 360_000  # a shown size above 50 cm is not a size: the picture's own is used
_IMAGE_FORMATS = {"image/x-emf": "EMF", "image/emf": "EMF", "image/x-wmf": "WMF",
                  "image/wmf": "WMF", "image/svg+xml": "SVG", "image/webp": "WebP"}


@dataclass(frozen=True)
class _Source:
    """What python-docx gives of a narrative: its parsed XML and its style names."""

    body: _Node  # w:body
    first_table: list[list[_Node]]  # w:tc of each row of the first table, as row.cells
    styles: dict[str, str]  # paragraph style id: name as python-docx gives it
    default_style: str  # name of the default paragraph style ("" without one)
    notes: dict[str, dict[str, _Node]]  # note reference tag: note id: w:footnote/w:endnote
    looks: Looks  # the styles' run formatting and the numbering's lists
    images: dict[str, tuple[bytes, str]]  # image relationship id: (bytes, content type)


@dataclass(frozen=True)
class _Parsed:
    """A narrative as plain data."""

    first_table: list[list[str]]  # rows of cell texts of the first table ([] without one)
    blocks: list[Block]  # body paragraphs (with their notes, text boxes, objects) and tables


def _load(doc: DocxDocument) -> _Source:
    """python-docx's part: the tree, the styles, the first table's cells, the notes and
    numbering parts parsed and the images' bytes. The document's footnotes, endnotes,
    numbering and image parts are the only relationships followed, and never an external
    one."""
    from docx.enum.style import WD_STYLE_TYPE
    from docx.opc.constants import RELATIONSHIP_TYPE as RT
    from docx.oxml.parser import parse_xml

    styles: dict[str, str] = {}
    for style in doc.styles:
        if style.type == WD_STYLE_TYPE.PARAGRAPH:  # the first of a duplicated id wins
            styles.setdefault(style.style_id, style.name or "")
    default = doc.styles.default(WD_STYLE_TYPE.PARAGRAPH)
    notes: dict[str, dict[str, _Node]] = {}
    images: dict[str, tuple[bytes, str]] = {}
    lists = Numbering()
    for rid, rel in doc.part.rels.items():
        if rel.is_external:
            continue
        if rel.reltype in (RT.FOOTNOTES, RT.ENDNOTES):
            kind = "footnote" if rel.reltype == RT.FOOTNOTES else "endnote"
            notes[f"{_W}{kind}Reference"] = {
                note.get(f"{_W}id") or "": note for note in parse_xml(rel.target_part.blob)
                if note.tag == f"{_W}{kind}"}
        elif rel.reltype == RT.NUMBERING:
            lists = numbering(parse_xml(rel.target_part.blob))
        elif rel.reltype == RT.IMAGE:
            images[rid] = (rel.target_part.blob, rel.target_part.content_type)
    return _Source(
        body=doc.element.body,
        first_table=([[c._tc for c in row.cells] for row in doc.tables[0].rows]
                     if doc.tables else []),
        styles=styles, default_style=(default.name or "") if default is not None else "",
        notes=notes, looks=Looks(style_defs(doc.styles.element), lists), images=images)


def _parse(source: _Source) -> _Parsed:
    """The narrative's paragraphs and tables as Word shows them, and what they hold."""

    def style_of(style_id: str | None) -> str:  # as python-docx's Paragraph.style
        return source.styles.get(style_id or "", source.default_style)

    story = _Story(style_of, source.notes, source.looks, nested_tables=True)
    return _Parsed(first_table=[[_cell_text(tc) for tc in row] for row in source.first_table],
                   blocks=story.blocks(source.body, top=True))


def read_narrative(path: Path, info: FileInfo | None = None) -> NarrativeSubmission:
    """Read one narrative .docx: unit code from its first table, what is under each
    heading."""
    from docx import Document  # python-docx costs ~0.2 s to import; only narratives need it

    info = info or file_info(path)
    inspect_package(path, info.name, info.size, "word/document.xml")
    try:
        source = _load(Document(str(path)))
    except Exception as e:  # python-docx / lxml raise many types on damaged files
        raise _unreadable(info.name, e) from e
    try:
        parsed = _parse(source)
    except NestedTooDeep as e:
        raise _unreadable(info.name, e) from e
    unit = unit_code(unit_in_table(parsed.first_table))
    if not unit:
        raise Refused(fnd.make("narrative_not_form", info.name))
    notes = _Notes(info.name)
    sections = _narrative_sections(parsed.blocks, notes, source.images)
    return NarrativeSubmission(file=info, unit=unit, sections=tuple(sections),
                               notes=notes.findings(unit), saved=_saved(path))


_CORE = "docProps/core.xml"
_DC = "{http://purl.org/dc/terms/}"
_CP = "{http://schemas.openxmlformats.org/package/2006/metadata/core-properties}"


def _saved(path: Path) -> dt.datetime | None:
    """When the document says it was last saved (docProps/core.xml, dcterms:modified), as a
    naive local time like FileInfo.modified; None when it says nothing readable, or when the
    form was last written by this package rather than by a word processor (word.GENERATOR).
    Read with the standard library, the same in both paths (read_narrative, narrative_unit);
    the package was checked before (inspect_package)."""
    import xml.etree.ElementTree as ET
    import zipfile

    try:
        with zipfile.ZipFile(path) as zf:
            if zf.getinfo(_CORE).file_size > 1_000_000:
                return None
            root = ET.fromstring(zf.read(_CORE))
        if (root.findtext(f"{_CP}lastModifiedBy") or "").strip() == GENERATOR:
            return None
        text = (root.findtext(f"{_DC}modified") or "").strip()
        when = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except (KeyError, OSError, zipfile.BadZipFile, ET.ParseError, ValueError):
        return None
    if when.tzinfo is not None:
        when = when.astimezone().replace(tzinfo=None)
    return when


def _narrative_sections(blocks: list[Block], notes: _Notes,
                        images: Mapping[str, tuple[bytes, str]]) -> list[NarrativeSection]:
    """What is under each heading, hints left out; a heading's number names its item."""
    sections = _Sections(notes, _Images(images))
    for block in blocks:
        if isinstance(block, _Table):
            sections.table(block)
        else:
            sections.paragraph(block)
    return sections.close()


class _Images:
    """Pictures turned into what the chapter carries, each image part read once; or why
    one cannot be carried."""

    def __init__(self, parts: Mapping[str, tuple[bytes, str]]):
        self.parts = parts
        self.read: dict[str, tuple[bytes, str, int, int] | str] = {}  # by relationship id
        self.carried = 0
        self.bytes = 0

    def _part(self, rid: str) -> tuple[bytes, str, int, int] | str:
        """(bytes, content type, native width, height) of an image part, or why not."""
        from docx.image.image import Image

        found = self.parts.get(rid)
        if found is None:
            return "một hình không đọc được (tệp thiếu dữ liệu của hình)"
        blob, content_type = found
        if len(blob) > _MAX_IMAGE_BYTES:
            return f"một hình quá lớn ({fmt.megabytes(len(blob))})"
        if self.bytes + len(blob) > _MAX_IMAGES_BYTES:
            return (f"một hình vượt quá tổng dung lượng hình được nhận "
                    f"({fmt.megabytes(_MAX_IMAGES_BYTES)})")
        try:  # python-docx's reading of the unit's bytes: a broken picture is the file's
            image = Image.from_blob(blob)
            native = int(image.width), int(image.height)
            kind = image.content_type
        except Exception:
            name = _IMAGE_FORMATS.get(content_type.lower())
            return (f"một hình dạng {name} (không phải ảnh PNG, JPEG, GIF, BMP hay TIFF)"
                    if name else "một hình không đọc được (dữ liệu ảnh hỏng)")
        self.bytes += len(blob)
        return blob, kind, *native

    def image(self, picture: _Picture, alt: str) -> NarrativeImage | str:
        """The picture as the chapter shows it (its shown size, else its own), or why not."""
        if picture.linked:
            return "một hình liên kết tới tệp bên ngoài (không nằm trong tệp)"
        if self.carried >= _MAX_IMAGES:
            return f"một hình vượt quá {_MAX_IMAGES} hình đầu tiên"
        if picture.rid not in self.read:
            self.read[picture.rid] = self._part(picture.rid)
        part = self.read[picture.rid]
        if isinstance(part, str):
            return part
        blob, kind, width, height = part
        if 0 < picture.width <= _MAX_EMU and 0 < picture.height <= _MAX_EMU:
            width, height = picture.width, picture.height
        if width <= 0 or height <= 0:
            return "một hình không đọc được (không có kích thước)"
        self.carried += 1
        return NarrativeImage(blob, kind, width, height, alt)


class _Sections:
    """Builds the sections as the body is read: a heading opens one, each paragraph, list
    item, table and picture under it becomes one of its blocks; what is not carried as it
    is gets its finding, naming its place ("đoạn 7": the 7th paragraph of the body, tables
    not counted; "bảng 2": the body's 2nd table, the form's own being the 1st)."""

    def __init__(self, notes: _Notes, images: _Images):
        self.notes = notes
        self.images = images
        self.named = _Objects(notes)
        self.done: list[NarrativeSection] = []
        self.current: tuple[str, str, int] = ("", "", 0)  # heading, item, subtopic
        self.blocks: list[NarrativeBlock] = []
        self.paragraphs = 0  # body paragraphs read
        self.tables = 0  # body tables read
        self.form_table = False  # the form's own table (the first direct one) met
        self.tracked: list[str] = []  # places holding tracked changes
        self.commented: list[str] = []  # places holding comments
        self.comments = 0

    def paragraph(self, para: _Para) -> None:
        """A body paragraph: a heading opens a section; its notes end it (a heading's open
        the section), its pictures and text boxes follow it."""
        self.paragraphs += 1
        place = f"đoạn {self.paragraphs}"
        heading = para.style.startswith(("Heading", "Title"))
        text = self.notes.text(para.text if heading else _with_notes(para.text, para.notes),
                               "", place)
        if heading:
            self._close_section()
            m = _HEADING.match(text + " ")
            self.current = (text, m.group(1), int(m.group(2) or 0)) if m else (text, "", 0)
            kept = self.notes.text(_with_notes("", para.notes), "", place)
            if kept:
                self.blocks.append(NarrativeParagraph((TextRun(kept),)))
        elif text and para.style != _HINT_STYLE:
            self.blocks.append(self._block(para, text))
        self._pictures(para.pictures, text, place)
        for box in para.boxes:
            where = f"{place} (khung văn bản)"
            kept = self.notes.text(_with_notes(box.text, box.notes), "", where)
            if kept:
                self.blocks.append(self._block(box, kept))
            self._pictures(box.pictures, text, place)
        self.named.note(para.notices, text, place)
        self._changes(para.tracked, para.comments, place)

    def _block(self, para: _Para, text: str) -> NarrativeParagraph:
        return NarrativeParagraph(runs(_with_note_runs(para.parts, para.notes), text),
                                  *para.list_item)

    def _pictures(self, pictures: Sequence[_Picture], text: str, place: str) -> None:
        for picture in pictures:
            alt = self.notes.text(picture.alt, "", place)
            image = self.images.image(picture, alt)
            if isinstance(image, str):
                self.named.note([("narrative_image", image)], text, place)
            else:
                self.blocks.append(image)

    def _changes(self, tracked: bool, comments: int, place: str) -> None:
        if tracked:
            self.tracked.append(place)
        if comments:
            self.commented.append(place)
            self.comments += comments

    def table(self, table: _Table) -> None:
        """A body table (not the form's own): each cell's paragraphs; pictures and objects
        in cells are named with the table, as the rows or columns past the limits are."""
        self.tables += 1
        if table.direct and not self.form_table:
            self.form_table = True
            return
        place = f"bảng {self.tables}"
        notices: list[tuple[str, str]] = []
        tracked, comments = table.tracked, 0
        rows: list[tuple[NarrativeCell, ...]] = []
        for row in table.rows:
            cells = []
            for cell in row:
                paragraphs: list[NarrativeParagraph] = []
                for para in cell.paras:
                    for p in (para, *para.boxes):
                        kept = self.notes.text(_with_notes(p.text, p.notes), "", place)
                        if kept:
                            paragraphs.append(self._block(p, kept))
                        notices += p.notices + [_CELL_PICTURE] * len(p.pictures)
                        tracked, comments = tracked or p.tracked, comments + p.comments
                cells.append(NarrativeCell(tuple(paragraphs), cell.span, cell.merged_above))
            rows.append(tuple(cells))
        first_row = " | ".join(p.text for c in rows[0] for p in c.paragraphs) if rows else ""
        where = f"bảng có dòng đầu “{_first_words(first_row)}”" if first_row else place
        self.named.note(notices, "", place, where)
        self._changes(tracked, comments, place)
        much = [f"{fmt.number(table.total_rows)} hàng (giữ {fmt.number(_MAX_TABLE_ROWS)} "
                "hàng đầu)"] * (table.total_rows > _MAX_TABLE_ROWS)
        much += [f"hơn {_MAX_TABLE_COLS} cột (giữ {_MAX_TABLE_COLS} cột đầu)"] * table.too_wide
        if much:
            self.notes.add("narrative_table_cut", cell=place, value=" và ".join(much),
                           detail=where)
        if any(c.paragraphs for row in rows for c in row):  # an empty table shows nothing
            self.blocks.append(NarrativeTable(tuple(rows), tuple(table.widths),
                                              table.header_rows))

    def _close_section(self) -> None:
        if self.blocks:
            self.done.append(NarrativeSection(*self.current, blocks=tuple(self.blocks)))
        self.blocks = []

    def close(self) -> list[NarrativeSection]:
        """The sections; what was named past the limit, tracked changes and comments."""
        self._close_section()
        self.named.close()
        if self.tracked:
            self.notes.add("narrative_tracked", cell=_places(self.tracked),
                           value=len(self.tracked))
        if self.comments:
            self.notes.add("narrative_comment", cell=_places(self.commented),
                           value=self.comments)
        return self.done


def _places(places: Sequence[str]) -> str:
    """Places as a unit reads them: "đoạn 6, 9; bảng 2" (five of each kind, then "…")."""
    out = []
    for word in ("đoạn", "bảng"):
        numbers = list(dict.fromkeys(p.split()[1] for p in places if p.startswith(word)))
        if numbers:
            out.append(f"{word} {', '.join(numbers[:5])}{', …' * (len(numbers) > 5)}")
    return "; ".join(out)


class _Objects:
    """A finding for each thing the chapter cannot carry as it is (`narrative_object`,
    `narrative_image`, `narrative_textbox`, `narrative_table`), naming the paragraph it sits
    in by its first words (one alone in its paragraph: the paragraph before) or the table;
    past _MAX_OBJECT_NOTES one note counts the rest, so a crafted file cannot flood the
    report."""

    def __init__(self, notes: _Notes):
        self.notes = notes
        self.before = ""  # text of the last paragraph that had some
        self.named = 0
        self.more = 0

    def note(self, notices: Sequence[tuple[str, str]], text: str, place: str,
             where: str = "") -> None:
        for code, kind in notices:
            if self.named < _MAX_OBJECT_NOTES:
                self.notes.add(code, cell=place, value=kind,
                               detail=where or _where(text, self.before))
                self.named += 1
            else:
                self.more += 1
        if text:
            self.before = text

    def close(self) -> None:
        if self.more:
            self.notes.add("narrative_object", value=f"{self.more} đối tượng khác",
                           detail="các đoạn sau đó")


def _where(text: str, before: str) -> str:
    """A paragraph as the unit can find it: its first words."""
    if text:
        return f"đoạn “{_first_words(text)}”"
    if before:
        return f"dòng trống ngay sau đoạn “{_first_words(before)}”"
    return "đầu văn bản"


def _first_words(text: str, count: int = 8, chars: int = 60) -> str:
    words = text.split()
    head = " ".join(words[:count])
    if len(head) > chars:
        head = head[:chars].rstrip()
    return head + ("…" if head != " ".join(words) else "")


# --- the unit code only, streamed ----------------------------------------------------------------
def narrative_unit(path: Path, info: FileInfo | None = None) -> NarrativeSubmission:
    """Identify a narrative (its unit code) without python-docx: the package checks, then the
    first table of word/document.xml, streamed. Sections are not read."""
    import xml.etree.ElementTree as ET
    import zipfile

    info = info or file_info(path)
    inspect_package(path, info.name, info.size, "word/document.xml")
    try:
        with zipfile.ZipFile(path) as zf, zf.open("word/document.xml") as fh:
            rows = _first_table_rows(ET.iterparse(fh, events=("start", "end")))
    except (zipfile.BadZipFile, ET.ParseError, KeyError, NestedTooDeep) as e:
        raise _unreadable(info.name, e) from e
    unit = unit_code(unit_in_table(rows))
    if not unit:
        raise Refused(fnd.make("narrative_not_form", info.name))
    return NarrativeSubmission(file=info, unit=unit, sections=(), saved=_saved(path))


def _first_table_rows(events: Iterable[tuple[str, ET.Element]]) -> list[list[str]]:
    """Rows of cell texts of the body's first table, read up to its end; [] without one.
    Other body content is dropped as soon as it is read."""
    open_tags: list[str] = []
    for event, el in events:
        if event == "start":
            open_tags.append(el.tag)
            continue
        open_tags.pop()
        if open_tags and open_tags[-1] == f"{_W}body":
            if el.tag == f"{_W}tbl":
                return [_row_cells(tr) for tr in el.findall(f"{_W}tr")]
            el.clear()
    return []


def _row_cells(tr: ET.Element) -> list[str]:
    """A table row's cell texts, as the full reader gives them (`_cell_text`), a cell
    spanning n grid columns repeated n times as python-docx repeats it."""
    cells: list[str] = []
    for tc in tr.findall(f"{_W}tc"):
        text = _cell_text(tc)
        span = tc.find(f"{_W}tcPr/{_W}gridSpan")
        width = span.get(f"{_W}val", "1") if span is not None else "1"
        cells.extend([text] * (int(width) if width.isdigit() and 0 < int(width) < 64 else 1))
    return cells
