"""The office's documents in the Decree 30/2020 form: the pieces the weekly and monthly reports
and the reminder letters share.

Page one's agency and motto blocks come from core/word.py (`agency_block`, with the number
line, a letter's "V/v …" subject and the place and date); this module adds the title of a
report (its kind, the title broken by meaning, the short rule under it), "Kính gửi" of a letter,
headings and body paragraphs, tables sized to their texts (`fit_widths`: dates never wrap;
landscape pages when needed), the closing mark "./.", and "Nơi nhận" with the signature block
(the python-docx twin of the chapter template's block, signed as the catalogue's `document`).
Working days for new deadlines skip weekends and the catalogue's holidays.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING

from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Cm, Pt

from pipeline.catalogue.model import Catalogue, Signature
from pipeline.core import fmt
from pipeline.core.fields import NBSP
from pipeline.core.word import (
    STYLE_NOTE,
    TEXT_WIDTH_CM,
    CellAlign,
    Fit,
    StyleIds,
    agency_block,
    fit_widths,
    rule,
    section_break,
    write_table,
)

if TYPE_CHECKING:
    from docx.document import Document as WordDocument
    from docx.table import _Cell
    from docx.text.paragraph import Paragraph

CLOSING = "./."
SIGNATURE = Signature(authority="KT. GIÁM ĐỐC", title="PHÓ GIÁM ĐỐC")
"""Who signs when the catalogue has no `document` block."""


def number_line(symbol: str) -> str:
    """'Số:      /BC-KHCN': the number is left for the registry."""
    return f"Số:{NBSP * 6}/{symbol}"


def heading(doc: WordDocument, cat: Catalogue, symbol: str, day: dt.date,
            subject: str = "") -> None:
    """Page one's agency and motto blocks with the number line (a letter's subject under
    it) and the place and date."""
    agency_block(doc, cat.parent_agency, cat.agency, number_line(symbol), subject,
                 dateline=f"{cat.place}, {fmt.long_date(day)}")


def _centred(doc: WordDocument, text: str, *, bold: bool = True, before: float = 0,
             size: float = 14) -> Paragraph:
    p = doc.add_paragraph()
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    pf = p.paragraph_format
    pf.first_line_indent = Cm(0)
    pf.space_before, pf.space_after = Pt(before), Pt(0)
    pf.keep_with_next = True
    run = p.add_run(text)
    run.bold = bold
    run.font.size = Pt(size)
    return p


def title(doc: WordDocument, kind: str, lines: Sequence[str]) -> None:
    """A report's title: its kind ("BÁO CÁO"), the title one line each as broken by
    meaning, and a short rule under it."""
    _centred(doc, kind, before=18)
    for line in lines:
        _centred(doc, line)
    rule(doc, 4.0, TEXT_WIDTH_CM, before=2, after=12)  # the short line under the title


def addressee(doc: WordDocument, name: str) -> None:
    """A letter's "Kính gửi: <name>." centred on its own line."""
    p = _centred(doc, f"Kính gửi: {name}.", bold=False, before=12)
    p.paragraph_format.space_after = Pt(12)


def section(doc: WordDocument, text: str) -> Paragraph:
    """A heading of the report's body ("I. KẾT QUẢ …", "1. Tình hình chung")."""
    return doc.add_paragraph(text, style="Heading 2")


def para(doc: WordDocument, text: str) -> Paragraph:
    """A body paragraph (justified, first line indented)."""
    return doc.add_paragraph(text)


def dash(doc: WordDocument, text: str) -> Paragraph:
    """A body paragraph that is one point of a list ("- …")."""
    return doc.add_paragraph(f"- {text}")


def note(doc: WordDocument, text: str) -> Paragraph:
    """A note under a table (italic, smaller)."""
    return doc.add_paragraph(text, style=STYLE_NOTE)


def fit(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> Fit:
    """Column widths for a table's texts (core/word.py `fit_widths`: a date or a number never
    wraps) and whether it needs a landscape page."""
    return fit_widths(headers, rows)


@contextmanager
def page_for(doc: WordDocument, fitted: Fit) -> Iterator[None]:
    """What is written inside goes on landscape pages of its own when `fitted` says so (a
    table with its heading and notes), else where it stands."""
    if fitted.landscape:
        section_break(doc, False)
    yield
    if fitted.landscape:
        section_break(doc, True)


def table(doc: WordDocument, headers: Sequence[str], rows: Sequence[Sequence[str]],
          align: Sequence[CellAlign | None], fitted: Fit) -> None:
    """A table in the widths `fitted` gives (see `fit` and `page_for`)."""
    write_table(doc, StyleIds(doc), headers, rows, fitted.widths, align=align,
                landscape=fitted.landscape)


def close(paragraph: Paragraph) -> None:
    """End the text with the closing mark "./." (its full stop the sentence's own)."""
    paragraph.add_run(CLOSING[1:] if paragraph.text.rstrip().endswith(".") else CLOSING)
    paragraph.paragraph_format.keep_with_next = True


def signature_of(cat: Catalogue) -> Signature:
    """Who signs the office's documents: the chapter's signer."""
    return cat.document.signature if cat.document is not None else SIGNATURE


def signature_block(doc: WordDocument, recipients: Sequence[str], signature: Signature
                    ) -> None:
    """"Nơi nhận" (left, each recipient on a line "- …") and the signature (right: the
    authority, the title, room for the signature and seal, the name), as the chapter's."""
    block = doc.add_table(rows=1, cols=2)
    block.autofit = False
    left, right = block.rows[0].cells
    for col, cell, width in ((block.columns[0], left, Cm(8.0)),
                             (block.columns[1], right, Cm(8.5))):
        col.width = cell.width = width
    lines: list[tuple[_Cell, str, float, bool, bool]] = [
        (left, "Nơi nhận:", 12, True, True),
        *((left, f"- {r}", 11, False, False) for r in recipients),
        *([(right, signature.authority, 13, True, False)] if signature.authority else []),
        (right, signature.title, 13, True, False),
        *((right, "", 13, False, False) for _ in range(3)),
        (right, signature.name, 13, True, False)]
    started: set[int] = set()
    for cell, text, size, bold, italic in lines:
        p = cell.add_paragraph() if id(cell) in started else cell.paragraphs[0]
        started.add(id(cell))
        p.alignment = WD_ALIGN_PARAGRAPH.LEFT if cell is left else WD_ALIGN_PARAGRAPH.CENTER
        pf = p.paragraph_format
        pf.first_line_indent = Cm(0)
        pf.space_after = Pt(0)
        pf.keep_with_next = True
        run = p.add_run(text)
        run.bold, run.italic = bold, italic
        run.font.size = Pt(size)
    block.rows[0].cells[0].paragraphs[0].paragraph_format.space_before = Pt(6)


def working_days_after(day: dt.date, n: int, holidays: Sequence[dt.date] = ()) -> dt.date:
    """The `n`-th working day after `day` (Saturdays, Sundays and `holidays` skipped)."""
    off = set(holidays)
    out = day
    while n > 0:
        out += dt.timedelta(days=1)
        if out.weekday() < 5 and out not in off:
            n -= 1
    return out
