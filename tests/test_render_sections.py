"""A section's body (render/sections.py) written alone and read back with python-docx: what
is missing, the units' narratives under their sub-topics, then the tables numbered in order.
Expected texts are written by hand."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
from docx import Document

from pipeline.core.records import Value
from pipeline.core.word import StyleIds, new_document
from pipeline.derive import derive
from pipeline.merge import merge
from pipeline.read.model import (
    FileInfo,
    NarrativeSection,
    NarrativeSubmission,
    WorkbookSubmission,
)
from pipeline.render.narrative import narrative_blocks
from pipeline.render.sections import (
    SectionData,
    heading,
    missing_lines,
    numbering,
    part_label,
    part_note,
    section_numbers,
    section_tag,
    write_body,
)
from pipeline.render.values import Values


def _file(name: str) -> FileInfo:
    return FileInfo(Path(name), name, "0" * 64, 1, dt.datetime(2020, 3, 1, 8, 0))


def _narrative(unit: str, *sections: tuple[str, int, str]) -> NarrativeSubmission:
    return NarrativeSubmission(_file(f"{unit}_thuyet_minh.docx"), unit, tuple(
        NarrativeSection(f"{item}.", item, sub, (text,)) for item, sub, text in sections))


def _workbook(unit: str) -> WorkbookSubmission:
    return WorkbookSubmission(_file(f"{unit}.xlsx"), unit, {"ngay_gui": "20/03/2020"}, (), (),
                              ())


def _data(cat, merged=None, workbooks=(), narratives=(), lists=None) -> SectionData:
    merged = merge(cat, []) if merged is None else merged
    derivation = derive(cat, merged, lists)
    return SectionData(cat, Values.of(merged, derivation), derivation,
                       {w.unit: w for w in workbooks}, {n.unit: n for n in narratives},
                       lists or {})


def _paragraphs(doc, tmp_path) -> list[tuple[str, str]]:
    path = tmp_path / "muc.docx"
    doc.save(str(path))
    return [(p.style.name, p.text) for p in Document(str(path)).paragraphs]


def test_numbers_tags_and_headings_of_sections(cat):
    numbers = section_numbers(cat)
    # The forecast (II.5) follows the targets (II.3): its heading is "4.", the facilities
    # plan (II.4) comes fifth. Numbers are the headings', codes the narrative form's.
    assert [numbers[c] for c in ("I.1", "I.9", "I.DG", "II.1", "II.3", "II.5", "II.4",
                                 "IV")] == [1, 9, 10, 1, 3, 4, 5, 1]
    items = {it.code: it for it in cat.items}
    # Tables and figures are numbered by part, one scheme: Bảng 1.x in Phần I, 2.x in II...
    assert [section_tag(cat, items[c]) for c in ("I.3", "II.5", "II.4", "IV")] == [
        "1", "2", "2", "3"]
    # Parts are numbered consecutively: the seed's "IV" is the chapter's Phần III, with a note.
    assert [part_label(cat, p) for p in ("I", "II", "IV")] == ["PHẦN I", "PHẦN II", "PHẦN III"]
    assert part_note(cat, "I") == part_note(cat, "II") == ""
    assert part_note(cat, "IV") == (
        "Ghi chú: Phần III tương ứng với mục IV trong bảng phân công nhiệm vụ của Kế hoạch "
        "(bảng phân công không có mục III); các phần của báo cáo được đánh số liên tục.")
    assert heading(items["I.1"], 1) == ("1. Đầu tư cho khoa học và công nghệ; cơ sở vật chất, "
                                        "trang thiết bị phục vụ hoạt động KH&CN")
    assert heading(items["IV"], 1) == ""


def test_missing_lines_name_the_unit_and_the_deadline(cat):
    items = {it.code: it for it in cat.items}
    assert missing_lines(cat, items["I.1"], {}, {}) == [
        "Chưa nhận được số liệu của Phòng Kế hoạch Tài chính (hạn gửi 10/03/2020); các bảng số "
        "liệu của mục này sẽ được bổ sung khi đơn vị gửi biểu.",
        "Chưa nhận được thuyết minh của Phòng Kế hoạch Tài chính (hạn gửi 10/03/2020).",
    ]
    assert missing_lines(cat, items["I.1"], {"KHTC": 1}, {"KHTC": 1}) == []
    everyone_but_two = {u: 1 for u in ("KHTC", "QLKH", "QLCN", "QLCS", "QLCNG", "TDC", "TTUD")}
    assert missing_lines(cat, items["II.1"], {}, everyone_but_two) == [
        "Chưa nhận được thuyết minh của: Văn phòng Sở, Thanh tra Sở (hạn gửi 25/03/2020)."]


def test_narratives_are_gathered_by_subtopic_in_the_catalogues_unit_order(cat):
    items = {it.code: it for it in cat.items}
    narratives = {"VP": _narrative("VP", ("II.4", 1, "Trụ sở mới của Sở."), ("II.1", 0, "Khác.")),
                  "KHTC": _narrative("KHTC", ("II.4", 1, "Kinh phí xây dựng."))}
    by_sub = narrative_blocks(cat, items["II.4"], narratives)
    assert {sub: [b.text for blocks in units for b in blocks] for sub, units in by_sub.items()
            } == {1: ["Kinh phí xây dựng.", "Trụ sở mới của Sở."]}  # KHTC comes before VP


def test_a_shared_section_lists_narratives_points_and_its_list_tables(cat, tmp_path):
    projects = pd.DataFrame({
        "unit_name": ["Phòng Quản lý Khoa học"], "ten": ["Khu thực nghiệm"], "quy_mo": ["5 ha"],
        "dia_diem": ["Huyện Lục Nam"], "dien_tich": [2.5], "loai_dat": ["Đất trồng lúa"],
        "giai_doan": ["2021-2025"]})
    data = _data(cat, narratives=[
        _narrative("VP", ("II.4", 1, "Trụ sở mới của Sở.")),
        _narrative("QLCS", ("II.4", 0, "Mở đầu của mục.")),
    ], lists={"du_an": projects})
    doc = new_document()
    item = next(it for it in cat.items if it.code == "II.4")
    numbers = numbering(cat)["II"]
    for _ in range(3):  # the targets, the forecast and one more table come before
        next(numbers)
    sources = write_body(doc, StyleIds(doc), data, item, numbers)

    none_yet = ("Chưa có số liệu", "Chưa có nội dung thuyết minh cho điểm này.")
    assert _paragraphs(doc, tmp_path) == [
        ("Chưa có số liệu", "Chưa nhận được thuyết minh của: Phòng Kế hoạch Tài chính, Phòng "
                            "Quản lý Khoa học, Phòng Quản lý Công nghệ và Thị trường công nghệ, "
                            "Phòng Quản lý chuyên ngành, Thanh tra Sở, Chi cục Tiêu chuẩn Đo "
                            "lường Chất lượng, Trung tâm Ứng dụng KH&CN (hạn gửi 25/03/2020)."),
        ("Normal", "Mở đầu của mục."),
        ("Điểm", "a) Các cơ sở phục vụ quản lý nhà nước về KH&CN"),
        ("Normal", "Trụ sở mới của Sở."),
        ("Điểm", "b) Mạng lưới các cơ sở KH&CN công lập"),
        none_yet,
        ("Điểm", "c) Danh mục dự án thu hút đầu tư lĩnh vực KH&CN (quy mô, vị trí, diện tích "
                 "đất)"),
        none_yet,
        ("Điểm", "d) Nhu cầu sử dụng đất (loại đất chuyển đổi) cho KH&CN"),
        none_yet,
        ("Bảng - tên bảng", "Bảng 2.4. Cơ sở phục vụ quản lý nhà nước về KH&CN"),
        ("Chưa có số liệu", "Chưa có phòng, đơn vị nào gửi nội dung “Cơ sở phục vụ quản lý nhà "
                            "nước về KH&CN”."),
        ("Bảng - tên bảng", "Bảng 2.5. Mạng lưới cơ sở KH&CN công lập"),
        ("Chưa có số liệu", "Chưa có phòng, đơn vị nào gửi nội dung “Mạng lưới cơ sở KH&CN "
                            "công lập”."),
        # Eight columns, four of wrapping text: a landscape page between two section breaks.
        ("Normal", ""),
        ("Bảng - tên bảng", "Bảng 2.6. Danh mục dự án đề xuất thu hút đầu tư lĩnh vực KH&CN"),
        ("Bảng - nguồn", "Nguồn: Phòng Quản lý Khoa học."),
        ("Normal", ""),
        ("Bảng - tên bảng", "Bảng 2.7. Nhu cầu sử dụng đất cho KH&CN theo địa điểm và loại "
                            "đất chuyển đổi"),
        ("Bảng - đơn vị tính", "Đơn vị tính: ha"),
        ("Bảng - nguồn", "Nguồn: tổng hợp từ danh mục dự án đề xuất của các phòng, đơn vị."),
    ]
    assert sources == ()


def test_a_units_section_has_its_owner_its_tables_and_their_sources(cat, tmp_path):
    merged = merge(cat, [Value("KHTC", "chi_nsdp", "total", 2019, 17_420_000.0, "", "",
                               "KHTC.xlsx", "I.1", "M6", "0" * 64)])
    data = _data(cat, merged, workbooks=[_workbook("KHTC")])
    doc = new_document()
    item = next(it for it in cat.items if it.code == "I.1")
    sources = write_body(doc, StyleIds(doc), data, item, numbering(cat)["I"])

    texts = [t for _, t in _paragraphs(doc, tmp_path)]
    assert texts[:2] == ["Đơn vị chủ trì: Phòng Kế hoạch Tài chính.",
                         "Chưa nhận được thuyết minh của Phòng Kế hoạch Tài chính (hạn gửi "
                         "10/03/2020)."]
    assert [t for t in texts if t.startswith("Bảng ")] == [
        "Bảng 1.1. Chi ngân sách địa phương cho KH&CN giai đoạn 2011-2019",
        "Bảng 1.2. Cơ sở vật chất, trang thiết bị phục vụ hoạt động KH&CN"]
    assert [(s.table, s.origin) for s in sources][:2] == [
        ("Bảng 1.1", "Phòng Kế hoạch Tài chính, biểu số liệu, trang I.1, ô M6"),
        ("Bảng 1.1", "Phòng Kế hoạch Tài chính: chưa có số liệu trong biểu")]
    assert {s.sent for s in sources} == {"20/03/2020"}
    assert [s.table for s in sources].count("Bảng 1.2") == 3
    table = Document(str(tmp_path / "muc.docx")).tables[0]
    assert [c.text for c in table.rows[-3].cells][:2] == ["2019", "17.420.000"]


def test_points_follow_the_vietnamese_legal_letters(cat, tmp_path):
    # I.2 has six sub-topics: a) b) c) d) đ) e) — đ after d, no f.
    doc = new_document()
    item = next(it for it in cat.items if it.code == "I.2")
    write_body(doc, StyleIds(doc), _data(cat), item, numbering(cat)["I"])
    points = [text.split(")")[0] for style, text in _paragraphs(doc, tmp_path)
              if style == "Điểm"]
    assert points == ["a", "b", "c", "d", "đ", "e"]
