"""How a narrative's text looks: the bold, italic, underline and raised or lowered script of
its runs, and whether a paragraph is an item of a bulleted or numbered list.

Word decides a run's look from three layers, the last that says wins: the paragraph's style
(and the styles it is based on), the run's character style, the run's own properties (w:rPr).
A paragraph is a list item when its numbering (w:numPr, its own or its style's) points to a
list whose level has a number format: "bullet" makes a bulleted list, "none" no list, any
other format (or none stated: decimal) a numbered one (`Numbering`). Only these few
properties are carried into the chapter, which sets its own font, size and spacing.

`runs` gives a paragraph's runs for the text the reader kept (normalised, stripped, notes
appended): when the pieces, each normalised alike, make that text, each keeps its look;
otherwise (a legacy encoding converted across pieces, text cut at its limit) the paragraph is
one run in the look its pieces share, so that the text is always exactly what was kept.
Everything here is bounded: a chain of styles is followed at most `_MAX_CHAIN` steps.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from pipeline.core.text import normalise
from pipeline.read.model import TextRun

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_VAL = f"{_W}val"
_MAX_CHAIN = 20  # styles based on styles: Word's own go 3 or 4 deep
_MAX_LEVEL = 8  # list levels 0..8, as Word has

Look = tuple[bool, bool, bool, str]
"""A run's bold, italic, underline, and script ("super", "sub" or "")."""
PLAIN: Look = (False, False, False, "")
_FALSE = ("0", "false", "off")
_SCRIPTS = {"superscript": "super", "subscript": "sub"}


class Node(Protocol):
    """An lxml or ElementTree element: the little of their shared API the walk uses."""

    @property
    def tag(self) -> object: ...  # lxml gives comments and processing instructions a function

    @property
    def text(self) -> str | None: ...

    def __iter__(self) -> Iterator[Node]: ...

    def get(self, key: str) -> str | None: ...


def child(el: Node, tag: str) -> Node | None:
    return next((c for c in el if c.tag == tag), None)


def set_props(rpr: Node | None) -> dict[int, bool | str]:
    """What a w:rPr sets, and only that: 0 bold, 1 italic, 2 underline, 3 script."""
    out: dict[int, bool | str] = {}
    for c in rpr if rpr is not None else ():
        if c.tag in (f"{_W}b", f"{_W}i"):
            out[0 if c.tag == f"{_W}b" else 1] = (c.get(_VAL) or "").lower() not in _FALSE
        elif c.tag == f"{_W}u":
            out[2] = (c.get(_VAL) or "single") != "none"
        elif c.tag == f"{_W}vertAlign":
            out[3] = _SCRIPTS.get(c.get(_VAL) or "", "")
    return out


def _number(text: str | None, default: int = 0) -> int:
    """A decimal attribute as Word writes it (ids, levels), `default` for anything else."""
    text = (text or "").strip()
    return int(text) if text.isdigit() and len(text) <= 9 else default


@dataclass(frozen=True)
class StyleDef:
    """What the reader needs of one style."""

    based_on: str  # style id it is based on ("" for none)
    props: dict[int, bool | str]  # run properties it sets (`set_props`)
    num_id: str | None  # numbering it gives its paragraphs (None: says nothing)
    level: int | None  # that numbering's level (None: says nothing)


def style_defs(styles: Node) -> dict[str, StyleDef]:
    """Each style of a w:styles element by id (the first of a duplicated id wins)."""
    out: dict[str, StyleDef] = {}
    for style in styles:
        if style.tag != f"{_W}style":
            continue
        based = child(style, f"{_W}basedOn")
        ppr = child(style, f"{_W}pPr")
        num = child(ppr, f"{_W}numPr") if ppr is not None else None
        num_id, level = _num_pr(num)
        out.setdefault(style.get(f"{_W}styleId") or "", StyleDef(
            (based.get(_VAL) or "") if based is not None else "",
            set_props(child(style, f"{_W}rPr")), num_id, level))
    return out


def _num_pr(num: Node | None) -> tuple[str | None, int | None]:
    if num is None:
        return None, None
    num_id, ilvl = child(num, f"{_W}numId"), child(num, f"{_W}ilvl")
    return ((num_id.get(_VAL) or "0") if num_id is not None else None,
            _number(ilvl.get(_VAL)) if ilvl is not None else None)


@dataclass(frozen=True)
class Numbering:
    """A numbering part read: the number format of each level of each list."""

    abstract: dict[str, dict[int, str]] = field(default_factory=dict)  # abstractNumId:
    # level: numFmt
    nums: dict[str, tuple[str, dict[int, str]]] = field(default_factory=dict)  # numId:
    # (abstractNumId, level: numFmt overriding the abstract one)

    def kind(self, num_id: str, level: int) -> str:
        """"bullet", "number" or "" (no list: no such list or level, or a level whose
        format is "none")."""
        if num_id not in self.nums:
            return ""
        abstract, overrides = self.nums[num_id]
        fmt = overrides.get(level) or self.abstract.get(abstract, {}).get(level)
        if fmt in (None, "none"):  # a level the list does not define shows no mark
            return ""
        return "bullet" if fmt == "bullet" else "number"


def _level_format(lvl: Node) -> tuple[int, str]:
    """(level, numFmt) of a w:lvl; a level that states none is "decimal", as in Word."""
    fmt = child(lvl, f"{_W}numFmt")
    return _number(lvl.get(f"{_W}ilvl")), ((fmt.get(_VAL) if fmt is not None else "")
                                            or "decimal")


def numbering(root: Node) -> Numbering:
    """The w:numbering element of a numbering part, read."""
    result = Numbering()
    for el in root:
        if el.tag == f"{_W}abstractNum":
            levels = dict(_level_format(lvl) for lvl in el if lvl.tag == f"{_W}lvl")
            result.abstract.setdefault(el.get(f"{_W}abstractNumId") or "", levels)
        elif el.tag == f"{_W}num":
            abstract = child(el, f"{_W}abstractNumId")
            overrides = dict(_level_format(lvl) for over in el
                             if over.tag == f"{_W}lvlOverride"
                             and (lvl := child(over, f"{_W}lvl")) is not None)
            result.nums.setdefault(el.get(f"{_W}numId") or "", (
                (abstract.get(_VAL) or "") if abstract is not None else "", overrides))
    return result


class Looks:
    """A document's styles and numbering, asked about runs and paragraphs."""

    def __init__(self, styles: dict[str, StyleDef] | None = None,
                 lists: Numbering | None = None):
        self.styles = styles or {}
        self.lists = lists or Numbering()
        self._chains: dict[str, list[StyleDef]] = {}
        self._merged: dict[str, dict[int, bool | str]] = {}

    def _chain(self, style_id: str) -> list[StyleDef]:
        """The style and those it is based on, itself first (a loop is cut)."""
        if style_id not in self._chains:
            chain: list[StyleDef] = []
            seen: set[str] = set()
            current = style_id
            while current in self.styles and current not in seen and len(chain) < _MAX_CHAIN:
                seen.add(current)
                chain.append(self.styles[current])
                current = chain[-1].based_on
            self._chains[style_id] = chain
        return self._chains[style_id]

    def _props(self, style_id: str) -> dict[int, bool | str]:
        """The run properties a style sets with those it is based on (a copy to change)."""
        if style_id not in self._merged:
            merged: dict[int, bool | str] = {}
            for style in reversed(self._chain(style_id)):
                merged.update(style.props)
            self._merged[style_id] = merged
        return dict(self._merged[style_id])

    def run(self, rpr: Node | None, para_style: str) -> Look:
        """A run's look: its paragraph's style, then its character style, then its own."""
        props = self._props(para_style) if para_style else {}
        rstyle = child(rpr, f"{_W}rStyle") if rpr is not None else None
        if rstyle is not None:
            props.update(self._props(rstyle.get(_VAL) or ""))
        props.update(set_props(rpr))
        return (bool(props.get(0)), bool(props.get(1)), bool(props.get(2)),
                str(props.get(3) or ""))

    def list_item(self, ppr: Node | None, para_style: str) -> tuple[str, int, int]:
        """(kind, level, list id) of a paragraph: ("", 0, 0) when it is no list item."""
        num_id, level = _num_pr(child(ppr, f"{_W}numPr") if ppr is not None else None)
        for style in self._chain(para_style) if para_style else ():
            if num_id is None:
                num_id = style.num_id
            if level is None:
                level = style.level
        level = min(max(level or 0, 0), _MAX_LEVEL)
        kind = self.lists.kind(num_id or "", level) if num_id not in (None, "", "0") else ""
        return (kind, level, _number(num_id) or 1) if kind else ("", 0, 0)


def runs(pieces: Sequence[tuple[str, Look]], text: str) -> tuple[TextRun, ...]:
    """The runs of a paragraph whose kept text is `text`, from its raw pieces."""
    if not text:
        return ()
    cleaned = [(normalise(t)[0], look) for t, look in pieces if t]
    if "".join(t for t, _ in cleaned).strip() != text:
        looks = {look for t, look in cleaned if t.strip()}
        return (TextRun(text, *(looks.pop() if len(looks) == 1 else PLAIN)),)
    while cleaned and not cleaned[0][0].lstrip():
        cleaned.pop(0)
    while cleaned and not cleaned[-1][0].rstrip():
        cleaned.pop()
    cleaned[0] = (cleaned[0][0].lstrip(), cleaned[0][1])
    cleaned[-1] = (cleaned[-1][0].rstrip(), cleaned[-1][1])
    merged: list[tuple[str, Look]] = []
    for t, look in cleaned:
        if merged and merged[-1][1] == look:
            merged[-1] = (merged[-1][0] + t, look)
        elif t:
            merged.append((t, look))
    return tuple(TextRun(t, *look) for t, look in merged)
