"""The appendix of sources (render/appendix.py), given its rows explicitly, read back with
python-docx."""

from __future__ import annotations

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


def test_one_row_per_source_in_the_order_given(tmp_path):
    doc = _written([
        Source("Bảng 1.1", "Tổng chi ngân sách địa phương (triệu đồng)",
               "Phòng Kế hoạch Tài chính", "KHTC.xlsx › I.1!E6:M6", "20/03/2020"),
        Source("Bảng 1.1", "Tỷ lệ chi KH&CN trong tổng chi NSĐP (%)", "Phòng Kế hoạch Tài chính",
               "tính toán: chi_khcn.total / chi_nsdp * 100", "20/03/2020"),
    ], tmp_path)

    assert [p.text for p in doc.paragraphs] == [
        "Nguồn của từng cột số liệu trong chương: đơn vị cung cấp, tệp, trang và vùng ô của biểu "
        "số liệu (mỗi năm một ô, theo thứ tự cột năm), ngày gửi; cột tính toán ghi công thức. Số "
        "liệu theo từng ô (kèm mã băm của tệp) có trong tệp so-lieu-tong-hop.xlsx kèm theo "
        "chương."]
    table = doc.tables[0]
    assert [[c.text for c in r.cells] for r in table.rows] == [
        ["Bảng", "Cột số liệu", "Đơn vị cung cấp", "Tệp › trang!vùng ô", "Ngày gửi"],
        ["Bảng 1.1", "Tổng chi ngân sách địa phương (triệu đồng)", "Phòng Kế hoạch Tài chính",
         "KHTC.xlsx › I.1!E6:M6", "20/03/2020"],
        ["Bảng 1.1", "Tỷ lệ chi KH&CN trong tổng chi NSĐP (%)", "Phòng Kế hoạch Tài chính",
         "tính toán: chi_khcn.total / chi_nsdp * 100", "20/03/2020"],
    ]
    body = [c.paragraphs[0] for r in table.rows[1:] for c in r.cells]
    assert {(p.style.name, p.alignment) for p in body} == {("Bảng - chữ", WD_ALIGN_PARAGRAPH.LEFT)}
    assert [round(c.width.cm, 1) for c in table.columns] == [1.9, 4.6, 3.2, 4.4, 2.4]
    assert table.rows[0]._tr.xpath("./w:trPr/w:tblHeader")  # repeated on each page
    assert table.alignment is None  # at the left margin, as wide as the text


def test_no_sources_leaves_the_header_row(tmp_path):
    table = _written([], tmp_path).tables[0]
    assert [[c.text for c in r.cells] for r in table.rows] == [
        ["Bảng", "Cột số liệu", "Đơn vị cung cấp", "Tệp › trang!vùng ô", "Ngày gửi"]]
