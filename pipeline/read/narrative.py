"""One narrative (.docx) read with python-docx: its unit code and its sections by heading
number; or, without python-docx, only its unit code (`narrative_unit`, for `make status`).

Both paths find the unit code by one rule, `unit_in_table`: in the document's first table
(a direct child of the body, as python-docx's `Document.tables[0]`), the cell right of the
last "Mã đơn vị" cell of the first column. Each path only turns that table into rows of
cell texts (a cell's paragraphs joined by line breaks, a cell spanning columns repeated).

The parser's own work (python-docx, ElementTree) is done first and gives plain data: an
error there means the file is damaged (`file_unreadable`). What this module then does with
the data is outside that net, so a fault of this software reaches read/files.py as one
(`internal_error`), never as the unit's.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from pipeline.core import findings as fnd
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

_HEADING = re.compile(r"^\s*((?:IV|II|I)(?:\.(?:\d+|DG))?)(?:\.(\d+))?\.?\s")


def unit_in_table(rows: Iterable[Sequence[str]]) -> str:
    """The unit code written in a narrative's first table, as typed ("" when absent): the
    cell right of the last row whose first cell reads "Mã đơn vị"."""
    unit = ""
    for cells in rows:
        if len(cells) >= 2 and _plain(cells[0]) == UNIT_LABEL:
            unit = _plain(cells[1])
    return unit


# --- in full, with python-docx ---------------------------------------------------------------
@dataclass(frozen=True)
class _Parsed:
    """What python-docx gives of a narrative, as plain data."""

    first_table: list[list[str]]  # rows of cell texts of the first table ([] without one)
    tables: int  # tables in the body
    pictures: int  # drawings, pictures and embedded objects
    paragraphs: list[tuple[str, str]]  # (style name, text) of each body paragraph


def _parse(doc: DocxDocument) -> _Parsed:
    body = doc.element.body
    return _Parsed(
        first_table=([[c.text for c in row.cells] for row in doc.tables[0].rows]
                     if doc.tables else []),
        tables=len(doc.tables),
        pictures=sum(1 for el in body.iter() if isinstance(el.tag, str)
                     and el.tag.rsplit("}", 1)[-1] in ("drawing", "pict", "object")),
        paragraphs=[(p.style.name if p.style is not None else "", p.text)
                    for p in doc.paragraphs])


def read_narrative(path: Path, info: FileInfo | None = None) -> NarrativeSubmission:
    """Read one narrative .docx: unit code from its first table, text under each heading."""
    from docx import Document  # python-docx costs ~0.2 s to import; only narratives need it

    info = info or file_info(path)
    inspect_package(path, info.name, info.size, "word/document.xml")
    try:
        parsed = _parse(Document(str(path)))
    except Exception as e:  # python-docx / lxml raise many types on damaged files
        raise _unreadable(info.name, e) from e
    unit = unit_code(unit_in_table(parsed.first_table))
    if not unit:
        raise Refused(fnd.make("narrative_not_form", info.name))
    notes = _Notes(info.name)
    if parsed.tables > 1:  # the first is the form's own unit table
        notes.add("narrative_table", value=parsed.tables - 1)
    if parsed.pictures:
        notes.add("narrative_image", value=parsed.pictures)
    sections = _narrative_sections(parsed.paragraphs, notes)
    return NarrativeSubmission(file=info, unit=unit, sections=tuple(sections),
                               notes=notes.findings(unit))


def _narrative_sections(paragraphs: list[tuple[str, str]], notes: _Notes
                        ) -> list[NarrativeSection]:
    """The text under each heading, hints left out; a heading's number names its item."""
    sections: list[NarrativeSection] = []
    current: tuple[str, str, int] = ("", "", 0)  # heading, item, subtopic
    texts: list[str] = []
    for n, (style, raw) in enumerate(paragraphs, start=1):
        text = notes.text(raw, "", f"đoạn {n}")
        if style.startswith(("Heading", "Title")):
            if texts:
                sections.append(NarrativeSection(*current, tuple(texts)))
            m = _HEADING.match(text + " ")
            texts = []
            current = (text, m.group(1), int(m.group(2) or 0)) if m else (text, "", 0)
        elif text and style != "Hướng dẫn":
            texts.append(text)
    if texts:
        sections.append(NarrativeSection(*current, tuple(texts)))
    return sections


# --- the unit code only, streamed ----------------------------------------------------------------
_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


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
    except (zipfile.BadZipFile, ET.ParseError, KeyError) as e:
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
    """A table row's cell texts, as python-docx gives them: paragraphs joined by line
    breaks, a cell spanning n grid columns repeated n times."""
    cells: list[str] = []
    for tc in tr.findall(f"{_W}tc"):
        text = "\n".join("".join(t.text or "" for t in p.iter(f"{_W}t"))
                         for p in tc.findall(f"{_W}p"))
        span = tc.find(f"{_W}tcPr/{_W}gridSpan")
        width = span.get(f"{_W}val", "1") if span is not None else "1"
        cells.extend([text] * (int(width) if width.isdigit() and 0 < int(width) < 64 else 1))
    return cells
