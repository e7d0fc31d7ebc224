"""The chapter's appendix: where every column of every table comes from (the unit, the
workbook's cells or the formula, the day it was sent), one row per column, in table order."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from pipeline.core.word import StyleIds, write_table
from pipeline.render.tables import Source

if TYPE_CHECKING:
    from docx.document import Document as WordDocument

HEADERS = ("Bảng", "Cột số liệu", "Đơn vị cung cấp", "Tệp › trang!vùng ô", "Ngày gửi")


def write_appendix(doc: WordDocument, styles: StyleIds, sources: Sequence[Source]) -> None:
    """A sentence on what the appendix holds, then the table of `sources`."""
    doc.add_paragraph("Nguồn của từng cột số liệu trong chương: đơn vị cung cấp, tệp, trang "
                      "và vùng ô của biểu số liệu (mỗi năm một ô, theo thứ tự cột năm), ngày "
                      "gửi; cột tính toán ghi công thức. Số liệu theo từng ô (kèm mã băm của "
                      "tệp) có trong tệp so-lieu-tong-hop.xlsx kèm theo chương.")
    rows = [[s.table, s.column, s.unit, s.where, s.sent] for s in sources]
    write_table(doc, styles, HEADERS, rows, [1.9, 4.6, 3.2, 4.4, 2.4], align=["left"] * 5,
                center=False)
