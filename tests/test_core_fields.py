"""pipeline/core/fields.py: captions as SEQ fields with bookmarks, citations as REF fields,
the front lists, and `finish` computing every result before any program updates the file.
Documents are written with python-docx, saved, and read back (text and XML)."""

from __future__ import annotations

from docx import Document
from docx.oxml.ns import qn

from pipeline.core import fields
from pipeline.core.word import STYLE_TOC, StyleIds, new_document, table_title


def _reread(doc, tmp_path):
    path = tmp_path / "f.docx"
    doc.save(str(path))
    return Document(str(path))


def _instructions(p) -> list[str]:
    return [el.text.strip() for el in p._p.iter(qn("w:instrText"))]


def _results(p) -> list[str]:
    """The cached result of each field of the paragraph, in order."""
    out, inside, text = [], False, []
    for el in p._p.iter(qn("w:fldChar"), qn("w:t")):
        if el.tag == qn("w:fldChar"):
            kind = el.get(qn("w:fldCharType"))
            if kind == "separate":
                inside, text = True, []
            elif kind == "end":
                out.append("".join(text))
                inside = False
        elif inside:
            text.append(el.text or "")
    return out


def test_a_caption_is_label_part_number_a_seq_field_and_a_bookmark(tmp_path):
    doc = new_document()
    fields.caption(doc.add_paragraph(), "Bảng", "2.1", "Chỉ tiêu")
    fields.caption(doc.add_paragraph(), "Bảng", "2.2", "Dự báo")
    first, second = _reread(doc, tmp_path).paragraphs
    assert (first.text, second.text) == ("Bảng 2.1. Chỉ tiêu", "Bảng 2.2. Dự báo")
    # The first caption of a part restarts the count; the next ones count on.
    assert _instructions(first) == ["SEQ Bảng \\* ARABIC \\r 1"]
    assert _instructions(second) == ["SEQ Bảng \\* ARABIC"]
    start = first._p.find(qn("w:bookmarkStart"))
    assert start.get(qn("w:name")) == "_Ref_T2_1"
    # The bookmark spans the number "2.1": what a cross-reference shows.
    between = []
    el = start.getnext()
    while el.tag != qn("w:bookmarkEnd"):
        if el.find(qn("w:instrText")) is None:
            between += [t.text for t in el.iter(qn("w:t"))]
        el = el.getnext()
    assert "".join(between) == "2.1"


def test_citations_of_known_captions_become_cross_references(tmp_path):
    doc = new_document()
    fields.add_text(doc.add_paragraph(), "Tỷ lệ 0,52% (Bảng 1.1); xem Hình 1.2 và Bảng 9.9.",
                    {("Bảng", "1.1"), ("Hình", "1.2")})
    (p,) = _reread(doc, tmp_path).paragraphs
    assert p.text == "Tỷ lệ 0,52% (Bảng 1.1); xem Hình 1.2 và Bảng 9.9."
    # Bảng 9.9 is no caption of the document: it stays text.
    assert _instructions(p) == ["REF _Ref_T1_1 \\h", "REF _Ref_H1_2 \\h"]
    assert _results(p) == ["1.1", "1.2"]


def test_text_without_citations_is_one_plain_run(tmp_path):
    doc = new_document()
    fields.add_text(doc.add_paragraph(), "Không có bảng {{ x }} & <y>.", set())
    (p,) = _reread(doc, tmp_path).paragraphs
    assert p.text == "Không có bảng {{ x }} & <y>."
    assert _instructions(p) == []


def test_keep_together_joins_ranges_numbers_and_names():
    text = fields.keep_together("QUY HOẠCH TỈNH BẮC GIANG THỜI KỲ 2021-2030, TẦM NHÌN ĐẾN NĂM "
                                "2050; giai đoạn 2011-2015", ["Bắc Giang"])
    assert text == ("QUY HOẠCH TỈNH BẮC\u00a0GIANG THỜI\u00a0KỲ\u00a02021\u20112030, TẦM NHÌN "
                    "ĐẾN NĂM\u00a02050; giai\u00a0đoạn\u00a02011\u20112015")
    assert fields.keep_together("Số 12 và 7 - 8") == "Số\u00a012 và 7 - 8"


def _chapter_like(doc):
    """Contents and table list in front, two parts with captions and citations."""
    styles = StyleIds(doc)
    start, end = doc.add_paragraph(), doc.add_paragraph()
    fields.toc(start, 'TOC \\o "1-2" \\h \\z \\u', end)
    start2, end2 = doc.add_paragraph(), doc.add_paragraph()
    fields.toc(start2, 'TOC \\h \\z \\c "Bảng"', end2)
    doc.add_paragraph("PHẦN I\nĐÁNH GIÁ", style="Heading 1")
    doc.add_paragraph("1. Đầu tư", style="Heading 2")
    fields.add_text(doc.add_paragraph(), "Chi tăng (Bảng 1.2), xem thêm Bảng 2.1.",
                    {("Bảng", "1.2"), ("Bảng", "2.1")})
    table_title(doc, styles, "1.1", "Chi")
    table_title(doc, styles, "1.2", "Cơ sở vật chất")
    doc.add_paragraph("PHẦN II\nDỰ BÁO", style="Heading 1")
    table_title(doc, styles, "2.1", "Chỉ tiêu")
    return doc


def test_finish_counts_captions_fills_references_and_lists(tmp_path):
    doc = _chapter_like(new_document())
    ids = StyleIds(doc).ids
    fields.finish(doc, {k: ids[v] for k, v in STYLE_TOC.items() if v in ids})
    read = _reread(doc, tmp_path)
    paras = read.paragraphs
    titles = [p for p in paras if p.style.name == "Bảng - tên bảng"]
    # SEQ results are counted in document order, restarting at each part's first caption.
    assert [_results(p) for p in titles] == [["1"], ["2"], ["1"]]
    cite = next(p for p in paras if p.text.startswith("Chi tăng"))
    assert _results(cite) == ["1.2", "2.1"]
    contents = [(p.style.name, p.text) for p in paras if p.style.name.startswith("toc")]
    assert contents == [("toc 1", "PHẦN I ĐÁNH GIÁ"), ("toc 2", "1. Đầu tư"),
                        ("toc 1", "PHẦN II DỰ BÁO")]
    tables = [p.text for p in paras if p.style.name == "table of figures"]
    assert tables == ["Bảng 1.1. Chi", "Bảng 1.2. Cơ sở vật chất", "Bảng 2.1. Chỉ tiêu"]
    # Bookmark ids are unique, each end closing its start.
    starts = [el.get(qn("w:id")) for el in read.element.body.iter(qn("w:bookmarkStart"))]
    ends = [el.get(qn("w:id")) for el in read.element.body.iter(qn("w:bookmarkEnd"))]
    assert starts == ends == ["1", "2", "3"]
    # Word updates the fields (page numbers of the lists) when it opens the file; the
    # element sits before w:compat, as the schema orders them.
    settings = [el.tag.split("}")[1] for el in read.settings.element]
    assert "updateFields" in settings
    if "compat" in settings:
        assert settings.index("updateFields") < settings.index("compat")
    # Every field is marked for update.
    begins = list(read.element.body.iter(qn("w:fldChar")))
    assert all(b.get(qn("w:dirty")) == "true" for b in begins
               if b.get(qn("w:fldCharType")) == "begin")


def test_finish_twice_gives_the_same_lists(tmp_path):
    doc = _chapter_like(new_document())
    fields.finish(doc)
    fields.finish(doc)
    read = _reread(doc, tmp_path)
    assert [p.text for p in read.paragraphs if p.text.startswith("Bảng ")] == [
        "Bảng 1.1. Chi", "Bảng 1.2. Cơ sở vật chất", "Bảng 2.1. Chỉ tiêu",  # the list
        "Bảng 1.1. Chi", "Bảng 1.2. Cơ sở vật chất", "Bảng 2.1. Chỉ tiêu"]  # the captions


def test_a_non_breaking_hyphen_is_words_own_element(tmp_path):
    doc = new_document()
    doc.add_paragraph("GIAI ĐOẠN 2011\u20112019")
    fields.finish(doc)
    (p,) = _reread(doc, tmp_path).paragraphs
    assert p._p.find(f".//{qn('w:noBreakHyphen')}") is not None
    assert "\u2011" not in p._p.xml
    assert p.text == "GIAI ĐOẠN 2011-2019"


def test_link_citations_makes_a_generated_tables_numbers_references(tmp_path):
    doc = new_document()
    grid = doc.add_table(rows=2, cols=2)
    grid.cell(0, 0).text = "Bảng 1.1"
    grid.cell(1, 0).text = "Bảng 7.7"
    fields.link_citations(doc.element.body, {("Bảng", "1.1")})
    cell, other = (c.paragraphs[0] for c in _reread(doc, tmp_path).tables[0].column_cells(0))
    assert (cell.text, _instructions(cell)) == ("Bảng 1.1", ["REF _Ref_T1_1 \\h"])
    assert (other.text, _instructions(other)) == ("Bảng 7.7", [])
