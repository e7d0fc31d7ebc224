"""Word fields of the chapter: numbered captions, cross-references and the front lists.

A caption is "Bảng 2.3. Title": the part's number "2." is text, the "3" is a `SEQ Bảng` field
(restarted with `\\r 1` at the first caption of each part), and a bookmark spans "2.3". A
cross-reference "(Bảng 2.3)" in the text is a `REF` field to that bookmark. The front matter's
Mục lục is `TOC \\o "1-2"` over the headings; Danh mục bảng and Danh mục hình are `TOC \\c`
over the captions. Word and LibreOffice recompute all of them; `finish` writes their results
into the document first, so that the file shows the right numbers before any program updates
it:

    finish(doc)   SEQ results counted in document order, REF results copied from their
                  bookmarks, the TOC lists filled with their entries (without page numbers,
                  which only a layout can give), every field marked dirty and the document
                  set to update its fields when Word opens it; bookmark ids made unique;
                  U+2011 written as Word's non-breaking hyphen.

When LibreOffice is installed, core/soffice.refresh then recomputes everything with page
numbers and saves the .docx and the PDF from the updated document.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from docx.oxml import OxmlElement
from docx.oxml.ns import qn

if TYPE_CHECKING:
    from docx.document import Document as WordDocument
    from docx.text.paragraph import Paragraph
    from lxml.etree import _Element

TABLE = "Bảng"
FIGURE = "Hình"
LABELS = (TABLE, FIGURE)
NB_HYPHEN = "\u2011"  # written as <w:noBreakHyphen/> by finish()
NBSP = "\u00a0"

_W_T = qn("w:t")
_W_R = qn("w:r")
_W_P = qn("w:p")
_FLD = qn("w:fldChar")
_INSTR = qn("w:instrText")
_TYPE = qn("w:fldCharType")
_BM_START = qn("w:bookmarkStart")
_BM_END = qn("w:bookmarkEnd")
_NAME = qn("w:name")
_ID = qn("w:id")

# A number a caption or a citation shows: "2.3" (part, then the caption's place in the part).
NUMBER = r"\d+\.\d+"
_CITED = re.compile(rf"\b({TABLE}|{FIGURE})\s({NUMBER})\b")


def bookmark_name(label: str, number: str) -> str:
    """The bookmark of a caption: "_Ref_T2_3" for Bảng 2.3, "_Ref_H1_1" for Hình 1.1 (names
    starting with "_" are hidden in Word's bookmark list, as its own cross-references are)."""
    kind = "T" if label == TABLE else "H"
    return f"_Ref_{kind}{number.replace('.', '_')}"


def _run(text: str) -> _Element:
    r = OxmlElement("w:r")
    t = OxmlElement("w:t")
    t.text = text
    t.set(qn("xml:space"), "preserve")
    r.append(t)
    return r


def _field_runs(instruction: str, result: str) -> list[_Element]:
    """The runs of a complex field: begin, instruction, separate, result, end."""
    runs = []
    for kind, text in (("begin", None), (None, instruction), ("separate", None),
                       (None, result), ("end", None)):
        r = OxmlElement("w:r")
        if kind is not None:
            el = OxmlElement("w:fldChar")
            el.set(_TYPE, kind)
            if kind == "begin":
                el.set(qn("w:dirty"), "true")
            r.append(el)
        elif text == instruction:
            el = OxmlElement("w:instrText")
            el.set(qn("xml:space"), "preserve")
            el.text = f" {instruction} "
            r.append(el)
        else:
            r = _run(text or "")
        runs.append(r)
    return runs


def _bookmark(tag: str, name: str) -> _Element:
    el = OxmlElement(tag)
    el.set(_ID, "0")  # made unique by finish()
    if tag == "w:bookmarkStart":
        el.set(_NAME, name)
    return el


def caption(paragraph: Paragraph, label: str, number: str, title: str) -> Paragraph:
    """Write "Bảng 2.3. Title" into the empty `paragraph`: "2." as text, "3" as a SEQ field
    (restarted at "2.1", the first caption of a part), the bookmark over "2.3"."""
    part, seq = number.split(".")
    p = paragraph._p
    p.append(_run(f"{label} "))
    name = bookmark_name(label, number)
    start = _bookmark("w:bookmarkStart", name)
    p.append(start)
    p.append(_run(f"{part}."))
    restart = " \\r 1" if seq == "1" else ""
    for r in _field_runs(f"SEQ {label} \\* ARABIC{restart}", seq):
        p.append(r)
    end = _bookmark("w:bookmarkEnd", name)
    end.set(_ID, "0")
    p.append(end)
    p.append(_run(f". {title}"))
    return paragraph


def cited(text: str) -> list[tuple[str, str, str]]:
    """`text` split at each "Bảng 2.3" / "Hình 1.1" it cites: (text before, label, number)
    triples; the last has an empty label and number."""
    out, at = [], 0
    for m in _CITED.finditer(text):
        out.append((text[at:m.start()], m.group(1), m.group(2)))
        at = m.end()
    out.append((text[at:], "", ""))
    return out


def add_text(paragraph: Paragraph | _Holder, text: str,
             known: set[tuple[str, str]]) -> Paragraph | _Holder:
    """Append `text` to `paragraph`, each citation of a `known` (label, number) caption as
    "Bảng " + a REF field to its bookmark; other numbers stay text."""
    p = paragraph._p
    for before, label, number in cited(text):
        if (label, number) in known:
            p.append(_run(f"{before}{label} "))
            for r in _field_runs(f"REF {bookmark_name(label, number)} \\h", number):
                p.append(r)
        elif before or label:
            p.append(_run(before + (f"{label} {number}" if label else "")))
    return paragraph


def link_citations(element: _Element, known: set[tuple[str, str]]) -> None:
    """Make each citation of a `known` caption in the plain-text paragraphs under `element`
    (a generated table: the appendix) a cross-reference; the paragraph keeps its style, its
    runs lose their own formatting. Paragraphs holding fields are left alone."""
    for p in list(element.iter(_W_P)):
        runs = p.findall(_W_R)
        if not runs or p.find(f".//{_INSTR}") is not None:
            continue
        text = "".join(t.text or "" for r in runs for t in r.iter(_W_T))
        if not any((label, number) in known for _, label, number in cited(text)):
            continue
        for r in runs:
            p.remove(r)
        holder = OxmlElement("w:p")
        add_text(_Holder(holder), text, known)
        for r in list(holder):
            p.append(r)


class _Holder:
    """The least of a python-docx Paragraph that add_text uses: its `_p`."""

    def __init__(self, p: _Element):
        self._p = p


def toc(paragraph: Paragraph, instruction: str, end: Paragraph) -> None:
    """A list field (Mục lục, Danh mục bảng/hình) from `paragraph` to `end` (both empty
    paragraphs): begin, instruction and separate in the first, the end in the last; finish()
    writes the entries between them."""
    for r in _field_runs(instruction, "")[:3]:
        paragraph._p.append(r)
    end._p.append(_field_runs(instruction, "")[4])


_RANGE = re.compile(r"\b(\d{4})-(\d{2,4})\b")
_BEFORE_NUMBER = re.compile(r"\b(năm|tháng|ngày|giai đoạn|thời kỳ|điều|khoản|số|phần)\s+"
                            r"(?=\d|[IVX]+\b)", re.IGNORECASE)


def keep_together(text: str, names: Sequence[str] = ()) -> str:
    """`text` with the places where a line must not break made unbreakable: a year range
    ("2011‑2019", a non-breaking hyphen), the words and the number they introduce ("năm 2050",
    "giai đoạn 2011‑2019"),
    and each of `names` ("Bắc Giang"), whatever their case, with non-breaking spaces."""
    text = _RANGE.sub(lambda m: f"{m.group(1)}{NB_HYPHEN}{m.group(2)}", text)
    text = _BEFORE_NUMBER.sub(lambda m: re.sub(r"\s+", NBSP, m.group(0)), text)
    for name in names:
        if " " in name:
            text = re.sub(re.escape(name), lambda m: m.group(0).replace(" ", NBSP), text,
                          flags=re.IGNORECASE)
    return text


# --- finishing the document ------------------------------------------------------------------
@dataclass
class _Field:
    instruction: str
    begin: _Element  # the w:r of the begin mark
    separate: _Element | None
    end: _Element | None


def _fields(body: _Element) -> Iterator[_Field]:
    """The outermost complex fields of `body`, in document order."""
    stack: list[_Field] = []
    for el in body.iter(_FLD, _INSTR):
        if el.tag == _INSTR:
            if stack:
                stack[-1].instruction += el.text or ""
            continue
        kind = el.get(_TYPE)
        run = el.getparent()
        if run is None:
            continue
        if kind == "begin":
            stack.append(_Field("", run, None, None))
        elif kind == "separate" and stack:
            stack[-1].separate = run
        elif kind == "end" and stack:
            f = stack.pop()
            f.end = run
            if not stack:
                yield f


def _set_result(f: _Field, text: str) -> None:
    """Replace the result runs of a field that lies within one paragraph."""
    if f.separate is None or f.end is None or f.separate.getparent() is not f.end.getparent():
        return
    parent = f.separate.getparent()
    assert parent is not None
    el = f.separate.getnext()
    while el is not None and el is not f.end:
        nxt = el.getnext()
        if el.tag == _W_R:
            parent.remove(el)
        el = nxt
    f.end.addprevious(_run(text))


def _text(p: _Element) -> str:
    """A paragraph's text as shown (field instructions left out, breaks as spaces)."""
    parts = []
    for el in p.iter(_W_T, qn("w:br"), qn("w:tab"), qn("w:noBreakHyphen")):
        if el.tag == _W_T:
            parts.append(el.text or "")
        elif el.tag == qn("w:noBreakHyphen"):
            parts.append("-")
        else:
            parts.append(" ")
    return re.sub(r"\s+", " ", "".join(parts).replace(NBSP, " ")).strip()


def _bookmark_texts(body: _Element) -> dict[str, str]:
    """The text inside each bookmark (within one paragraph), by name."""
    out: dict[str, str] = {}
    for start in body.iter(_BM_START):
        name = start.get(_NAME) or ""
        parts: list[str] = []
        el = start.getnext()
        while el is not None and not (el.tag == _BM_END and el.get(_ID) == start.get(_ID)):
            if el.tag == _W_R and el.find(_INSTR) is None:
                parts.extend(t.text or "" for t in el.iter(_W_T))
            el = el.getnext()
        out[name] = "".join(parts)
    return out


def _unique_bookmarks(body: _Element) -> None:
    """Number the bookmarks 1, 2... in document order, each end with its start."""
    # Captions are written with id "0" on both marks: an end closes the last start open
    # under its old id.
    open_ids: dict[str, list[str]] = {}
    n = 0
    for el in body.iter(_BM_START, _BM_END):
        old = el.get(_ID) or ""
        if el.tag == _BM_START:
            n += 1
            el.set(_ID, str(n))
            open_ids.setdefault(old, []).append(str(n))
        elif open_ids.get(old):
            el.set(_ID, open_ids[old].pop())


_SEQ = re.compile(r"^\s*SEQ\s+(\S+)(.*)$")
_REF = re.compile(r"^\s*REF\s+(\S+)")
_TOC_C = re.compile(r'\\c\s+"([^"]+)"')
_TOC_O = re.compile(r'\\o\s+"(\d)-(\d)"')


def _heading_levels(doc: WordDocument) -> dict[str, int]:
    """Style id → outline level (1, 2...) of the document's "Heading N" styles."""
    out = {}
    for s in doc.styles:
        m = re.fullmatch(r"Heading (\d)", s.name or "")
        if m:
            out[s.style_id] = int(m.group(1))
    return out


def _style_id(p: _Element) -> str:
    ps = p.find(f"{qn('w:pPr')}/{qn('w:pStyle')}")
    return (ps.get(qn("w:val")) or "") if ps is not None else ""


def _entry(text: str, style_id: str | None) -> _Element:
    p = OxmlElement("w:p")
    if style_id:
        ppr = OxmlElement("w:pPr")
        ps = OxmlElement("w:pStyle")
        ps.set(qn("w:val"), style_id)
        ppr.append(ps)
        p.append(ppr)
    p.append(_run(text))
    return p


def _fill_list(f: _Field, entries: list[tuple[str, int]], styles: dict[int, str | None]) -> None:
    """The entries of a list field, one paragraph each between its first and last paragraph."""
    if f.end is None:
        return
    first, last = f.begin.getparent(), f.end.getparent()
    if first is None or last is None or first is last or first.tag != _W_P or last.tag != _W_P:
        return
    el = first.getnext()
    while el is not None and el is not last:
        nxt = el.getnext()
        parent = el.getparent()
        if parent is not None:
            parent.remove(el)
        el = nxt
    for text, level in entries:
        last.addprevious(_entry(text, styles.get(level)))


def _no_break_hyphens(body: _Element) -> None:
    """Each U+2011 in the text becomes Word's <w:noBreakHyphen/> (in its own run)."""
    for t in list(body.iter(_W_T)):
        text = t.text or ""
        if NB_HYPHEN not in text:
            continue
        pieces = text.split(NB_HYPHEN)
        t.text = pieces[0]
        t.set(qn("xml:space"), "preserve")
        anchor = t
        for piece in pieces[1:]:
            hyphen = OxmlElement("w:noBreakHyphen")
            anchor.addnext(hyphen)
            nt = OxmlElement("w:t")
            nt.text = piece
            nt.set(qn("xml:space"), "preserve")
            hyphen.addnext(nt)
            anchor = nt  # the run keeps its properties: a run may hold several w:t


def finish(doc: WordDocument, list_styles: dict[str, str] | None = None) -> dict[str, str]:
    """Compute every field's result in `doc` (see the module's docstring) and ask Word to
    update the fields on opening. `list_styles` names the paragraph styles of list entries by
    kind ("1", "2" for heading levels, "Bảng", "Hình"), by style id. Returns the number each
    caption bookmark shows, by bookmark name."""
    body = doc.element.body
    _no_break_hyphens(body)
    _unique_bookmarks(body)
    styles = list_styles or {}
    fields = list(_fields(body))
    counters: dict[str, int] = {}
    captions: dict[str, list[str]] = {}
    for f in fields:
        m = _SEQ.match(f.instruction)
        if not m:
            continue
        name, switches = m.group(1), m.group(2)
        restart = re.search(r"\\r\s*(\d+)", switches)
        counters[name] = int(restart.group(1)) if restart else counters.get(name, 0) + 1
        _set_result(f, str(counters[name]))
        holder = f.begin.getparent()
        if holder is not None:
            captions.setdefault(name, []).append(_text(holder))
    marks = _bookmark_texts(body)
    levels = _heading_levels(doc)
    for f in fields:
        ref = _REF.match(f.instruction)
        if ref and ref.group(1) in marks:
            _set_result(f, marks[ref.group(1)])
    for f in fields:
        if not f.instruction.strip().startswith("TOC"):
            continue
        c = _TOC_C.search(f.instruction)
        if c:
            _fill_list(f, [(t, 0) for t in captions.get(c.group(1), [])],
                       {0: styles.get(c.group(1))})
            continue
        o = _TOC_O.search(f.instruction)
        low, high = (int(o.group(1)), int(o.group(2))) if o else (1, 3)
        entries = [(_text(p), levels[_style_id(p)]) for p in body.iter(_W_P)
                   if levels.get(_style_id(p), 0) in range(low, high + 1) and _text(p)]
        _fill_list(f, entries, {lv: styles.get(str(lv)) for lv in range(low, high + 1)})
    _update_on_open(doc)
    return marks


# The elements CT_Settings puts after w:updateFields (ECMA-376 §17.15.1.78), present or not.
_AFTER_UPDATE = ("hdrShapeDefaults", "footnotePr", "endnotePr", "compat", "docVars", "rsids",
                 "mathPr", "attachedSchema", "themeFontLang", "clrSchemeMapping",
                 "doNotIncludeSubdocsInStats", "doNotAutoCompressPictures", "forceUpgrade",
                 "captions", "readModeInkLockDown", "smartTagType", "schemaLibrary",
                 "shapeDefaults", "doNotEmbedSmartTags", "decimalSymbol", "listSeparator")


def _update_on_open(doc: WordDocument) -> None:
    """<w:updateFields w:val="true"/> in the settings, in its schema place: Word offers to
    update the document's fields (the lists' page numbers) when it opens the file."""
    settings = doc.settings.element
    if settings.find(qn("w:updateFields")) is not None:
        return
    el = OxmlElement("w:updateFields")
    el.set(qn("w:val"), "true")
    after = {qn(f"w:{name}") for name in _AFTER_UPDATE}
    for child in settings:
        if child.tag in after:
            child.addprevious(el)
            return
    settings.append(el)

