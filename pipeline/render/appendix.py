"""The chapter's appendix: where every column of every table comes from (the unit, the sheet
and cells of its workbook or how the column is computed, the day it was sent), one row per
column, in table order. File names and cell-by-cell sources are in the merged data workbook
(export.py), not here."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from pipeline.core.word import StyleIds, fit_widths, write_table
from pipeline.render.tables import Source

if TYPE_CHECKING:
    from docx.document import Document as WordDocument

HEADERS = ("Bảng", "Cột số liệu", "Nguồn số liệu", "Ngày gửi")
INTRO = ("Nguồn của từng cột số liệu trong các bảng của chương: phòng, đơn vị cung cấp, trang "
         "và ô của biểu số liệu (mỗi năm một ô, theo thứ tự các năm) và ngày gửi biểu; cột tính "
         "toán ghi cách tính. Tệp số liệu tổng hợp so-lieu-tong-hop.xlsx kèm theo chương ghi "
         "từng số liệu cùng tệp và ô của biểu mà số liệu được lấy ra, để tiện đối chiếu.")


def write_appendix(doc: WordDocument, styles: StyleIds, sources: Sequence[Source]) -> None:
    """A sentence on what the appendix holds, then the table of `sources`."""
    doc.add_paragraph(INTRO)
    rows = [[s.table, s.column, s.origin, s.sent] for s in sources]
    fit = fit_widths(HEADERS, rows)  # four columns: always a portrait page
    write_table(doc, styles, HEADERS, rows, fit.widths, align=["left"] * 4, center=False)
