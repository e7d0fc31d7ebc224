"""The appendix of sources (render/appendix.py), given its rows explicitly, read back with
python-docx."""

from __future__ import annotations

import pytest
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH

from pipeline.core.word import StyleIds, new_document
from pipeline.render.appendix import write_appendix
from pipeline.render.tables import Source


def _written(sources, tmp_path):
    doc = new_document()
    write_appendix(doc, StyleIds(doc), sources)
    path = tmp_path / "phu-luc.docx"
    doc.save(str(path))
    return Document(str(path))


ORIGIN = "Phòng Kế hoạch Tài chính, biểu số liệu, trang I.1, ô E6-M6"
COMPUTED = "Tính từ: chi ngân sách cho KH&CN / tổng chi ngân sách địa phương × 100"
HEADERS = ["Bảng", "Cột số liệu", "Nguồn số liệu", "Ngày gửi"]


def test_one_row_per_source_in_the_order_given(tmp_path):
    doc = _written([
        Source("Bảng 1.1", "Tổng chi ngân sách địa phương (triệu đồng)", ORIGIN, "20/03/2020"),
        Source("Bảng 1.1", "Tỷ lệ chi KH&CN trong tổng chi NSĐP (%)", COMPUTED, "20/03/2020"),
    ], tmp_path)

    assert [p.text for p in doc.paragraphs] == [
        "Nguồn của từng cột số liệu trong các bảng của chương: phòng, đơn vị cung cấp, trang và "
        "ô của biểu số liệu (mỗi năm một ô, theo thứ tự các năm) và ngày gửi biểu; cột tính "
        "toán ghi cách tính. Tệp số liệu tổng hợp so-lieu-tong-hop.xlsx kèm theo chương ghi "
        "từng số liệu cùng tệp và ô của biểu mà số liệu được lấy ra, để tiện đối chiếu."]
    table = doc.tables[0]
    assert [[c.text for c in r.cells] for r in table.rows] == [
        HEADERS,
        ["Bảng 1.1", "Tổng chi ngân sách địa phương (triệu đồng)", ORIGIN, "20/03/2020"],
        ["Bảng 1.1", "Tỷ lệ chi KH&CN trong tổng chi NSĐP (%)", COMPUTED, "20/03/2020"],
    ]
    body = [c.paragraphs[0] for r in table.rows[1:] for c in r.cells]
    assert {(p.style.name, p.alignment) for p in body} == {("Bảng - chữ", WD_ALIGN_PARAGRAPH.LEFT)}
    # "Bảng 1.1" on one line: B 667 ả 444 n 500 g 500, a space 250, 1 500 . 250 1 500 = 3611
    # thousandths of 12 pt = 1,5286 cm, with the cell's margins and slack (0,48) 2,0086 cm;
    # "20/03/2020" (8 digits of 500, 2 slashes of 278: 1,9284 cm) in 2,4084. The two columns
    # of text share the rest of the 16,5 cm.
    widths = [c.width.cm for c in table.columns]
    assert widths[0] == pytest.approx(2.0086, abs=0.01)
    assert widths[3] == pytest.approx(2.4084, abs=0.01)
    assert sum(widths) == pytest.approx(16.5, abs=0.01)
    assert table.rows[0]._tr.xpath("./w:trPr/w:tblHeader")  # repeated on each page
    assert [bool(r._tr.xpath("./w:trPr/w:cantSplit")) for r in table.rows] == [True] * 3
    assert table.alignment is None  # at the left margin, as wide as the text


def test_the_appendix_shows_no_code(tmp_path):
    doc = _written([Source("Bảng 1.1", "Tổng số (triệu đồng)", ORIGIN, "20/03/2020")],
                   tmp_path)
    texts = [p.text for p in doc.paragraphs] + [
        c.text for r in doc.tables[0].rows for c in r.cells]
    shown = " ".join(texts)
    assert [c for c in ("_", "›", "!", "băm", ".xlsx ›") if c in shown] == []


def test_no_sources_leaves_the_header_row(tmp_path):
    table = _written([], tmp_path).tables[0]
    assert [[c.text for c in r.cells] for r in table.rows] == [HEADERS]
