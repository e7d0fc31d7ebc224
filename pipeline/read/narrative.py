"""One narrative (.docx) read with python-docx: its unit code and its sections by heading
number; or, without python-docx, only its unit code (`narrative_unit`, for `make status`).

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
appended to its paragraph (`_with_notes`). What cannot be carried into the chapter is said:
pictures by count (`narrative_image`), an embedded object, chart, diagram or equation one by
one, naming the paragraph it sits in (`narrative_object`). No relationship is followed but
the document's own footnotes and endnotes parts.

The parser's own work (python-docx, lxml, ElementTree) is done first and gives the parsed
XML (`_load`): an error there means the file is damaged (`file_unreadable`). What this module
then does with it is outside that net, so a fault of this software reaches read/files.py as
one (`internal_error`), never as the unit's; a file nested deeper than `_MAX_NESTING` is
the file's (`file_unreadable`).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from pipeline.core import findings as fnd
from pipeline.core.text import MAX_CELL_CHARS
from pipeline.read.model import (
    FileInfo,
    NarrativeSection,
    NarrativeSubmission,
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
_PIC = "{http://schemas.openxmlformats.org/drawingml/2006/picture}pic"

_P, _R, _T, _TBL, _SDT = f"{_W}p", f"{_W}r", f"{_W}t", f"{_W}tbl", f"{_W}sdt"
_CHOICE, _FALLBACK = f"{_MC}Choice", f"{_MC}Fallback"
_ALTERNATE = f"{_MC}AlternateContent"
_TXBX = f"{_W}txbxContent"
_OBJECT = f"{_W}object"
_GRAPHICS = (f"{_W}drawing", f"{_W}pict", _OBJECT)
# Run-level containers whose runs Word shows: accepted insertions and moved-to text,
# hyperlinks, simple fields (their runs are the result; the instruction is an attribute),
# smart tags, custom XML and bidirectional spans. w:del and w:moveFrom are not here: their
# runs are deleted text once the changes are accepted, so they are left out.
_INLINE_WRAPPERS = frozenset(f"{_W}{t}" for t in (
    "hyperlink", "ins", "moveTo", "fldSimple", "smartTag", "customXml", "dir", "bdo"))
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

_MAX_PARA_CHARS = 4 * MAX_CELL_CHARS
"""Raw text gathered for one paragraph. Above MAX_CELL_CHARS `_Notes.text` cuts it with a
`text_truncated` note, so nothing more is needed; this bounds what is held before (a
paragraph joined with thousands of others by deleted paragraph marks)."""
_MAX_NESTING = 150
"""Containers inside containers (content controls, hyperlinks, drawings, text boxes) the walk
enters: Word itself nests a few; a file nested deeper is refused rather than exhausting the
stack (lxml stops at 256 levels of XML, ElementTree has no limit)."""


class _Node(Protocol):
    """An lxml or ElementTree element: the little of their shared API the walk uses."""

    @property
    def tag(self) -> object: ...  # lxml gives comments and processing instructions a function

    @property
    def text(self) -> str | None: ...

    def __iter__(self) -> Iterator[_Node]: ...

    def get(self, key: str) -> str | None: ...


class NestedTooDeep(ValueError):
    """The XML nests containers deeper than `_MAX_NESTING` (a crafted file)."""


@dataclass
class _Para:
    """One paragraph as Word shows it, while the walk builds it."""

    style: str = ""  # paragraph style name ("" in text boxes and notes)
    parts: list[str] = field(default_factory=list)  # its text, piece by piece
    size: int = 0  # characters in parts
    notes: list[str] = field(default_factory=list)  # text of the footnotes/endnotes it cites
    boxes: list[str] = field(default_factory=list)  # paragraphs of the text boxes it anchors
    objects: list[str] = field(default_factory=list)  # what cannot be carried, by kind
    pictures: int = 0  # pictures and drawn shapes in it
    mark_deleted: bool = False  # its paragraph mark is a tracked deletion

    @property
    def text(self) -> str:
        return "".join(self.parts)

    def add(self, text: str) -> None:
        if text and self.size <= _MAX_PARA_CHARS:
            self.parts.append(text)
            self.size += len(text)

    def joined(self, after: _Para) -> _Para:
        """This paragraph with its deleted mark accepted: it and the next one are one
        paragraph, whose mark (and so style) is the next one's."""
        merged = _Para(after.style, list(self.parts), self.size, self.notes + after.notes,
                       self.boxes + after.boxes, self.objects + after.objects,
                       self.pictures + after.pictures, after.mark_deleted)
        for part in after.parts:
            merged.add(part)
        return merged


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


def _child(el: _Node, tag: str) -> _Node | None:
    return next((c for c in el if c.tag == tag), None)


def _sdt_content(sdt: _Node) -> Iterable[_Node]:
    """A content control's content, or nothing while it shows its placeholder (the form's
    "Click here to enter text", which the unit never typed)."""
    props = _child(sdt, f"{_W}sdtPr")
    if props is not None and _child(props, f"{_W}showingPlcHdr") is not None:
        return ()
    content = _child(sdt, f"{_W}sdtContent")
    return content if content is not None else ()


def _style_id(p: _Node) -> str | None:
    props = _child(p, f"{_W}pPr")
    style = _child(props, f"{_W}pStyle") if props is not None else None
    return style.get(f"{_W}val") if style is not None else None


def _mark_deleted(p: _Node) -> bool:
    """Whether the paragraph mark itself is deleted (or moved away) as a tracked change."""
    props = _child(p, f"{_W}pPr")
    mark = _child(props, f"{_W}rPr") if props is not None else None
    return mark is not None and any(c.tag in (f"{_W}del", f"{_W}moveFrom") for c in mark)


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


def _graphics_in(table: _Node) -> int:
    """Drawings, pictures and objects in a table (not carried, as the table is not): an
    mc:AlternateContent counted once."""
    count = 0
    stack = [iter(table)]
    while stack:
        child = next(stack[-1], None)
        if child is None:
            stack.pop()
        elif child.tag in _GRAPHICS:
            count += 1
        elif child.tag != _FALLBACK:
            stack.append(iter(child))
    return count


class _Story:
    """Walks WordprocessingML (the body, a table cell, a text box, a note) into paragraphs
    as Word shows them with every tracked change accepted."""

    def __init__(self, style_of: Callable[[str | None], str] = lambda _: "",
                 notes: dict[str, dict[str, _Node]] | None = None):
        self.style_of = style_of  # a paragraph style id to its name
        self.notes = notes or {}  # w:footnoteReference / w:endnoteReference tag to id to note
        self.cited: set[tuple[str, str]] = set()  # notes already read (each is read once)
        self.fields = _Fields()
        self.tables = 0  # tables met (not carried)
        self.table_graphics = 0  # drawings and objects inside them
        self.depth = 0

    def _enter(self) -> None:
        self.depth += 1
        if self.depth > _MAX_NESTING:
            raise NestedTooDeep(f"nội dung lồng nhau quá {_MAX_NESTING} tầng")

    def blocks(self, container: Iterable[_Node], boxed: bool = False) -> list[_Para]:
        """The paragraphs of a body, cell, text box or note, in reading order, deleted
        paragraph marks accepted (the paragraph joins the next one). `boxed`: inside a text
        box or a note, whose paragraphs are never headings."""
        out: list[_Para] = []
        self._blocks_into(container, boxed, out)
        merged: list[_Para] = []
        pending: _Para | None = None
        for para in out:
            if pending is not None:
                para, pending = pending.joined(para), None
            if para.mark_deleted:
                pending = para
            else:
                merged.append(para)
        return merged + ([pending] if pending is not None else [])

    def _blocks_into(self, container: Iterable[_Node], boxed: bool, out: list[_Para]) -> None:
        self._enter()
        for child in container:
            tag = child.tag
            if tag == _P:
                out.append(self._paragraph(child, boxed))
            elif tag == _TBL:
                self.tables += 1
                self.table_graphics += _graphics_in(child)
                if out:  # a paragraph never joins across a table
                    out[-1].mark_deleted = False
            elif tag == _SDT:
                self._blocks_into(_sdt_content(child), boxed, out)
            elif tag == f"{_W}customXml":
                self._blocks_into(child, boxed, out)
            elif tag == _ALTERNATE:
                self._blocks_into(_chosen(child), boxed, out)
            elif isinstance(tag, str) and tag in _FOREIGN:
                out.append(_Para(objects=[_FOREIGN[tag]]))
        self.depth -= 1

    def _paragraph(self, p: _Node, boxed: bool) -> _Para:
        para = _Para("" if boxed else self.style_of(_style_id(p)),
                     mark_deleted=_mark_deleted(p))
        self._inline(p, para)
        return para

    def _inline(self, el: Iterable[_Node], para: _Para) -> None:
        """A paragraph's content: runs, and the containers whose runs Word shows."""
        self._enter()
        for child in el:
            tag = child.tag
            if tag == _R:
                self._run(child, para)
            elif tag in _INLINE_WRAPPERS:
                self._inline(child, para)
            elif tag == _SDT:
                self._inline(_sdt_content(child), para)
            elif tag == _ALTERNATE:
                self._inline(_chosen(child), para)
            elif tag in (f"{_M}oMath", f"{_M}oMathPara"):
                para.objects.append(_EQUATION)
        self.depth -= 1

    def _run(self, r: Iterable[_Node], para: _Para) -> None:
        for child in r:
            tag = child.tag
            if tag == f"{_W}fldChar":
                self.fields.mark(child.get(f"{_W}fldCharType"))
            elif self.fields.in_code:
                continue  # a field's instruction (w:instrText and all): never shown
            elif tag == _T:
                para.add(child.text or "")
            elif isinstance(tag, str) and tag in _RUN_CHARS:
                para.add(_RUN_CHARS[tag])
            elif tag == f"{_W}br":  # a line break; a page or column break gives nothing
                para.add("\n" if child.get(f"{_W}type") in (None, "textWrapping") else "")
            elif tag in _NOTE_REFS:
                self._note(str(tag), child.get(f"{_W}id"), para)
            elif tag == _OBJECT:
                para.objects.append(_ole_kind(child))
            elif tag in _GRAPHICS and not self._graphic(child, para):
                para.pictures += 1  # a shape drawn in Word: neither text, picture nor object
            elif tag == _ALTERNATE:
                self._run(_chosen(child), para)

    def _graphic(self, el: Iterable[_Node], para: _Para) -> bool:
        """Text boxes, pictures and objects inside a drawing (DrawingML or VML): text boxes
        are read, the rest counted or named. False when it holds none of them."""
        self._enter()
        found = False
        for child in el:
            tag = child.tag
            if tag == _TXBX:
                self._box(child, para)
            elif tag in (_PIC, f"{_V}imagedata"):
                para.pictures += 1
            elif tag in (_OBJECT, f"{_O}OLEObject"):
                para.objects.append(_ole_kind(child))
            elif tag == f"{_A}graphicData" and (kind := _graphic_kind(child.get("uri"))):
                para.objects.append(kind)
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
        for inner in self.blocks(content, boxed=True):
            para.boxes.append(_with_notes(inner.text, inner.notes))
            para.boxes.extend(inner.boxes)
            para.objects.extend(inner.objects)
            para.pictures += inner.pictures
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
        for inner in self.blocks(note, boxed=True):
            texts += [inner.text, *inner.boxes]
            para.objects.extend(inner.objects)
            para.pictures += inner.pictures
        self.fields, self.notes = outer, notes
        text = " ".join(t.strip() for t in texts if t.strip())
        if text:
            para.notes.append(text)


def _with_notes(text: str, notes: Sequence[str]) -> str:
    """A paragraph followed by the notes it cites, each as "(Chú thích: …)".

    The chapter copies a narrative as plain paragraphs (README: narratives are merged as
    text), so a footnote cannot stay a footnote. Its text goes at the end of its own
    paragraph, not at the reference mark nor in a paragraph of its own: it stays with the
    paragraph it explains; the sentence the mark sat in stays whole, so the figures a note
    quotes are not mixed into that sentence's (validate compares a narrative's sentences
    with the unit's workbook, splitting after "." and ";"); and a note never stands in the
    chapter as if it were body text. An endnote is treated alike: in a chapter made of
    several units' paragraphs, "the end of the document" is nowhere."""
    cited = " ".join(f"(Chú thích: {n})" for n in notes)
    if not cited:
        return text
    return f"{text.rstrip()} {cited}" if text.strip() else cited


def _cell_text(tc: _Node) -> str:
    """A table cell's text: its paragraphs joined by line breaks, as python-docx's
    `_Cell.text` joins them, each read as Word shows it."""
    return "\n".join(p.text for p in _Story().blocks(tc))


# --- in full, with python-docx ---------------------------------------------------------------
_HINT_STYLE = "Hướng dẫn"  # the form's hints under each heading (never the unit's text)
_MAX_OBJECT_NOTES = 20  # objects named one by one; past this, one note counts the rest


@dataclass(frozen=True)
class _Source:
    """What python-docx gives of a narrative: its parsed XML and its style names."""

    body: _Node  # w:body
    first_table: list[list[_Node]]  # w:tc of each row of the first table, as row.cells
    styles: dict[str, str]  # paragraph style id: name as python-docx gives it
    default_style: str  # name of the default paragraph style ("" without one)
    notes: dict[str, dict[str, _Node]]  # note reference tag: note id: w:footnote/w:endnote


@dataclass(frozen=True)
class _Parsed:
    """A narrative as plain data."""

    first_table: list[list[str]]  # rows of cell texts of the first table ([] without one)
    tables: int  # tables, the form's own included (not carried)
    pictures: int  # pictures and drawn shapes, in text or in tables
    picture_places: str  # the paragraphs holding them ("đoạn 7, 9"; "" for tables only)
    paragraphs: list[_Para]  # body paragraphs with their notes, text boxes and objects


def _load(doc: DocxDocument) -> _Source:
    """python-docx's part: the tree, the style names, the first table's cells and the notes
    parts parsed. The document's footnotes and endnotes parts are the only relationships
    followed, and never an external one."""
    from docx.enum.style import WD_STYLE_TYPE
    from docx.opc.constants import RELATIONSHIP_TYPE as RT
    from docx.oxml.parser import parse_xml

    styles: dict[str, str] = {}
    for style in doc.styles:
        if style.type == WD_STYLE_TYPE.PARAGRAPH:  # the first of a duplicated id wins
            styles.setdefault(style.style_id, style.name or "")
    default = doc.styles.default(WD_STYLE_TYPE.PARAGRAPH)
    notes: dict[str, dict[str, _Node]] = {}
    for rel in doc.part.rels.values():
        if rel.is_external or rel.reltype not in (RT.FOOTNOTES, RT.ENDNOTES):
            continue
        kind = "footnote" if rel.reltype == RT.FOOTNOTES else "endnote"
        notes[f"{_W}{kind}Reference"] = {
            note.get(f"{_W}id") or "": note for note in parse_xml(rel.target_part.blob)
            if note.tag == f"{_W}{kind}"}
    return _Source(
        body=doc.element.body,
        first_table=([[c._tc for c in row.cells] for row in doc.tables[0].rows]
                     if doc.tables else []),
        styles=styles, default_style=(default.name or "") if default is not None else "",
        notes=notes)


def _parse(source: _Source) -> _Parsed:
    """The narrative's paragraphs as Word shows them, and what it holds besides."""

    def style_of(style_id: str | None) -> str:  # as python-docx's Paragraph.style
        return source.styles.get(style_id or "", source.default_style)

    story = _Story(style_of, source.notes)
    paragraphs = story.blocks(source.body)
    places = [str(n) for n, p in enumerate(paragraphs, start=1) if p.pictures]
    return _Parsed(first_table=[[_cell_text(tc) for tc in row] for row in source.first_table],
                   tables=story.tables,
                   pictures=story.table_graphics + sum(p.pictures for p in paragraphs),
                   picture_places=(f"đoạn {', '.join(places[:5])}{', …' * (len(places) > 5)}"
                                   if places else ""),
                   paragraphs=paragraphs)


def read_narrative(path: Path, info: FileInfo | None = None) -> NarrativeSubmission:
    """Read one narrative .docx: unit code from its first table, text under each heading."""
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
    if parsed.tables > 1:  # the first is the form's own unit table
        notes.add("narrative_table", value=parsed.tables - 1)
    if parsed.pictures:
        notes.add("narrative_image", value=parsed.pictures, cell=parsed.picture_places)
    sections = _narrative_sections(parsed.paragraphs, notes)
    return NarrativeSubmission(file=info, unit=unit, sections=tuple(sections),
                               notes=notes.findings(unit))


def _narrative_sections(paragraphs: list[_Para], notes: _Notes) -> list[NarrativeSection]:
    """The text under each heading, hints left out; a heading's number names its item.
    A paragraph's notes end it (a heading's make the first paragraph under it), its text
    boxes follow it, and each object in it is noted, naming it (`_Objects`)."""
    sections: list[NarrativeSection] = []
    current: tuple[str, str, int] = ("", "", 0)  # heading, item, subtopic
    texts: list[str] = []
    objects = _Objects(notes)
    for n, para in enumerate(paragraphs, start=1):
        place = f"đoạn {n}"
        heading = para.style.startswith(("Heading", "Title"))
        text = notes.text(para.text if heading else _with_notes(para.text, para.notes), "",
                          place)
        if heading:
            if texts:
                sections.append(NarrativeSection(*current, tuple(texts)))
            m = _HEADING.match(text + " ")
            texts = []
            current = (text, m.group(1), int(m.group(2) or 0)) if m else (text, "", 0)
        elif text and para.style != _HINT_STYLE:
            texts.append(text)
        extras = [(_with_notes("", para.notes), place)] if heading else []
        extras += [(box, f"{place} (khung văn bản)") for box in para.boxes]
        for extra, where in extras:
            kept = notes.text(extra, "", where)
            if kept:
                texts.append(kept)
        objects.note(para.objects, text, place)
    if texts:
        sections.append(NarrativeSection(*current, tuple(texts)))
    objects.close()
    return sections


class _Objects:
    """`narrative_object` for each object the chapter cannot carry, naming the paragraph it
    sits in by its first words (an object alone in its paragraph: the paragraph before);
    past _MAX_OBJECT_NOTES one note counts the rest, so a crafted file cannot flood the
    report."""

    def __init__(self, notes: _Notes):
        self.notes = notes
        self.before = ""  # text of the last paragraph that had some
        self.named = 0
        self.more = 0

    def note(self, kinds: Sequence[str], text: str, place: str) -> None:
        for kind in kinds:
            if self.named < _MAX_OBJECT_NOTES:
                self.notes.add("narrative_object", cell=place, value=kind,
                               detail=_where(text, self.before))
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
    return NarrativeSubmission(file=info, unit=unit, sections=())


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
