"""One narrative (.docx) read with python-docx: its unit code and its sections by heading
number; or, without python-docx, only its unit code (`narrative_unit`, for `make status`).
"""

from __future__ import annotations

import re
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
from pipeline.read.workbook import _Notes, _plain

if TYPE_CHECKING:  # python-docx is imported only when a narrative is read in full
    from docx.document import Document as DocxDocument


# --- narratives ----------------------------------------------------------------------------
_HEADING = re.compile(r"^\s*((?:IV|II|I)(?:\.(?:\d+|DG))?)(?:\.(\d+))?\.?\s")


def read_narrative(path: Path, info: FileInfo | None = None) -> NarrativeSubmission:
    """Read one narrative .docx: unit code from its first table, text under each heading."""
    from docx import Document  # python-docx costs ~0.2 s to import; only narratives need it

    info = info or file_info(path)
    inspect_package(path, info.name, info.size, "word/document.xml")
    notes = _Notes(info.name)
    try:
        doc = Document(str(path))
        unit = unit_code(_narrative_code(doc))
        if not unit:
            raise Refused(fnd.make("narrative_not_form", info.name))
        if len(doc.tables) > 1:  # the first is the form's own unit table
            notes.add("narrative_table", value=len(doc.tables) - 1)
        body = doc.element.body
        pictures = sum(1 for el in body.iter() if isinstance(el.tag, str)
                       and el.tag.rsplit("}", 1)[-1] in ("drawing", "pict", "object"))
        if pictures:
            notes.add("narrative_image", value=pictures)
        sections = _narrative_sections(doc, notes)
    except Refused:
        raise
    except Exception as e:  # python-docx / lxml errors on damaged files
        raise Refused(fnd.make("file_unreadable", info.name,
                               detail=f"{type(e).__name__}: {str(e)[:200]}")) from e
    return NarrativeSubmission(file=info, unit=unit, sections=tuple(sections),
                               notes=notes.findings(unit))


def _narrative_code(doc: DocxDocument) -> str:
    """The unit code written in the form's first table ("Mã đơn vị" row), as typed."""
    unit = ""
    if doc.tables:
        for row in doc.tables[0].rows:
            cells = row.cells
            if len(cells) >= 2 and _plain(cells[0].text) == "Mã đơn vị":
                unit = _plain(cells[1].text)
    return unit


def _narrative_sections(doc: DocxDocument, notes: _Notes) -> list[NarrativeSection]:
    """The text under each heading, hints left out; a heading's number names its item."""
    sections: list[NarrativeSection] = []
    current: tuple[str, str, int] = ("", "", 0)  # heading, item, subtopic
    paragraphs: list[str] = []
    for n, p in enumerate(doc.paragraphs, start=1):
        style = p.style.name if p.style is not None else ""
        text = notes.text(p.text, "", f"đoạn {n}")
        if style.startswith(("Heading", "Title")):
            if paragraphs:
                sections.append(NarrativeSection(*current, tuple(paragraphs)))
            m = _HEADING.match(text + " ")
            paragraphs = []
            current = (text, m.group(1), int(m.group(2) or 0)) if m else (text, "", 0)
        elif text and style != "Hướng dẫn":
            paragraphs.append(text)
    if paragraphs:
        sections.append(NarrativeSection(*current, tuple(paragraphs)))
    return sections


def narrative_unit(path: Path, info: FileInfo | None = None) -> NarrativeSubmission:
    """Identify a narrative (its unit code) without python-docx: the package checks, then the
    first table of word/document.xml, streamed. Sections are not read."""
    import xml.etree.ElementTree as ET
    import zipfile

    info = info or file_info(path)
    inspect_package(path, info.name, info.size, "word/document.xml")
    w = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
    unit = ""
    try:
        with zipfile.ZipFile(path) as zf, zf.open("word/document.xml") as fh:
            for _event, el in ET.iterparse(fh, events=("end",)):
                if el.tag == f"{w}tbl":
                    for row in el.iter(f"{w}tr"):
                        cells = ["".join(t.text or "" for t in tc.iter(f"{w}t")).strip()
                                 for tc in row.iter(f"{w}tc")]
                        if len(cells) >= 2 and cells[0] == "Mã đơn vị":
                            unit = cells[1]
                    break
    except (zipfile.BadZipFile, ET.ParseError, KeyError) as e:
        raise Refused(fnd.make("file_unreadable", info.name,
                               detail=f"{type(e).__name__}: {str(e)[:200]}")) from e
    unit = unit_code(unit)
    if not unit:
        raise Refused(fnd.make("narrative_not_form", info.name))
    return NarrativeSubmission(file=info, unit=unit, sections=())
