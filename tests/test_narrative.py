"""A narrative's unit code: one rule (the first table's "Mã đơn vị" row) for the full reader
(python-docx) and the streamed one (`make status`, no python-docx); a parser's failure is the
file's, a fault of this software is said to be one.

A narrative's text as Word shows it with every change accepted: tracked insertions kept and
deletions left out, content controls, text boxes (once), footnotes, endnotes and field
results read; objects the chapter cannot carry named with their paragraph. Files written by
LibreOffice are in tests/data/narratives/ (made by make_narratives.py there); what
LibreOffice cannot write is pasted below as Word writes it."""

from __future__ import annotations

import shutil
import struct
import subprocess
import sys
import zipfile
import zlib
from pathlib import Path

import pytest
from docx import Document
from docx.opc.constants import CONTENT_TYPE as CT
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.packuri import PackURI
from docx.opc.part import Part
from docx.oxml.ns import qn
from docx.oxml.parser import parse_xml

from pipeline.core.findings import Finding, Severity
from pipeline.forms import build_narrative_form
from pipeline.read import narrative, workbook
from pipeline.read.cache import ResultCache
from pipeline.read.files import read_file
from pipeline.read.model import (
    NarrativeCell,
    NarrativeImage,
    NarrativeParagraph,
    NarrativeSection,
    NarrativeSubmission,
    NarrativeTable,
    TextRun,
)
from pipeline.read.narrative import narrative_unit, read_narrative, unit_in_table
from pipeline.read.package import Refused

from .conftest import ROOT


@pytest.mark.parametrize(("rows", "unit"), [
    ([["Mã đơn vị", "TTRA"]], "TTRA"),
    ([["Tên đơn vị", "Thanh tra Sở"], ["  Mã đơn vị ", " qlkh "]], "qlkh"),  # as typed
    ([["Mã đơn vị", "VP"], ["Mã đơn vị", "TDC"]], "TDC"),  # the last row wins
    ([["Mã đơn vị"]], ""),  # no cell beside it
    ([["Đơn vị", "TTRA"]], ""),
    ([], ""),
])
def test_the_rule(rows, unit):
    assert unit_in_table(rows) == unit


def _docx(path: Path, tables: list[list[list[str]]], nested: bool = False,
          span_first: bool = False) -> Path:
    doc = Document()
    doc.add_paragraph("Thuyết minh")
    for rows in tables:
        grid = doc.add_table(rows=len(rows), cols=max(len(r) for r in rows))
        for r, row in enumerate(rows):
            for c, text in enumerate(row):
                grid.cell(r, c).text = text
        if nested:  # a table inside the first cell, with a row of its own
            inner = grid.cell(0, 0).add_table(rows=1, cols=2)
            inner.cell(0, 0).text, inner.cell(0, 1).text = "Mã đơn vị", "VP"
        if span_first:
            grid.cell(0, 0).merge(grid.cell(0, 1))
    doc.save(str(path))
    return path


def _both(path: Path) -> tuple[str, str]:
    return read_narrative(path).unit, narrative_unit(path).unit


def test_both_readers_agree_on_the_form(tmp_path, cat):
    path = tmp_path / "tm.docx"
    build_narrative_form(cat, cat.unit_by_code["QLCS"], {}).save(str(path))
    assert _both(path) == ("QLCS", "QLCS")


def test_both_readers_take_the_first_table_only(tmp_path):
    path = _docx(tmp_path / "a.docx", [[["Mã đơn vị", "ttra "]], [["Mã đơn vị", "TDC"]]])
    assert _both(path) == ("TTRA", "TTRA")  # read case- and space-insensitively


def test_a_table_inside_the_first_table_is_not_its_row(tmp_path):
    path = _docx(tmp_path / "a.docx", [[["Tên", "x"], ["Mã đơn vị", "KHTC"]]], nested=True)
    assert _both(path) == ("KHTC", "KHTC")


def test_a_cell_spanning_two_columns_is_read_alike(tmp_path):
    # python-docx gives a merged cell once per grid column; the streamed reader does too, so
    # both see the same second cell (here the label itself: a form never merges this row).
    path = _docx(tmp_path / "a.docx", [[["Mã đơn vị", "", "KHTC"]]], span_first=True)
    full, streamed = _both(path)
    assert full == streamed != "KHTC"


@pytest.mark.parametrize("full", [True, False])
def test_without_the_row_it_is_not_a_form(tmp_path, full):
    path = _docx(tmp_path / "TTRA_tm.docx", [[["Đơn vị", "TTRA"]]])
    result = read_file(path, full_narratives=full)
    assert isinstance(result, Finding)
    assert (result.code, result.file) == ("narrative_not_form", "TTRA_tm.docx")


def test_the_streamed_reader_loads_no_python_docx(tmp_path, cat):
    path = tmp_path / "tm.docx"
    build_narrative_form(cat, cat.unit_by_code["VP"], {}).save(str(path))
    code = ("import sys; from pathlib import Path; "
            "from pipeline.read.narrative import narrative_unit; "
            f"print(narrative_unit(Path({str(path)!r})).unit, 'docx' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         cwd=ROOT, check=True)
    assert out.stdout.split() == ["VP", "False"]


def test_part_ivs_sub_topics_are_read_back_under_item_iv(tmp_path, cat):
    # Part IV has one item and no number: "IV.2." is its second sub-topic, not an item IV.2.
    path = tmp_path / "tm.docx"
    build_narrative_form(cat, cat.unit_by_code["VP"], {
        ("IV", 0): ["Chung."], ("IV", 2): ["Đào tạo cán bộ."], ("II.5", 0): ["Dự báo."],
        ("II.2", 3): ["Môi trường."]}).save(str(path))
    sections = read_narrative(path).sections
    assert [(s.heading, s.item, s.subtopic, s.paragraphs) for s in sections] == [
        ("II.2.3. Nghiên cứu, ứng dụng tiến bộ KH&CN trong xử lý, bảo vệ môi trường và chống "
         "biến đổi khí hậu", "II.2", 3, ("Môi trường.",)),
        ("II.5. Dự báo phát triển KH&CN đến năm 2030, tầm nhìn đến năm 2050", "II.5", 0,
         ("Dự báo.",)),
        ("IV. Nhiệm vụ, giải pháp chủ yếu và cơ chế, chính sách phát triển KH&CN", "IV", 0,
         ("Chung.",)),
        ("IV.2. Nguồn nhân lực KH&CN", "IV", 2, ("Đào tạo cán bộ.",)),
    ]


def test_a_damaged_narrative_is_the_files_fault(tmp_path, cat):
    path = tmp_path / "tm.docx"
    build_narrative_form(cat, cat.unit_by_code["VP"], {}).save(str(path))
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])  # cut in the middle: no zip directory
    for full in (True, False):
        result = read_file(path, full_narratives=full)
        assert isinstance(result, Finding) and result.code in (
            "file_unreadable", "file_not_office"), result


def test_a_fault_of_this_software_in_a_narrative_is_said_to_be_one(tmp_path, cat,
                                                                   monkeypatch):
    path = tmp_path / "tm.docx"
    build_narrative_form(cat, cat.unit_by_code["VP"], {("IV", 0): ["Một."]}).save(str(path))

    def broken(*args: object) -> None:
        raise AttributeError("a bug")

    monkeypatch.setattr(narrative, "_narrative_sections", broken)
    result = read_file(path)
    assert isinstance(result, Finding)
    assert result.code == "internal_error"
    assert result.message.startswith("Phần mềm gặp lỗi khi đọc tệp này (AttributeError: a "
                                     "bug). Đây là lỗi của phần mềm, không phải của đơn vị")


def test_a_fault_of_this_software_in_a_workbook_is_said_to_be_one(tmp_path, cat, inputs,
                                                                  monkeypatch):
    def broken(*args: object) -> bool:
        raise IndexError("a bug")

    monkeypatch.setattr(workbook, "_read_item_sheet", broken)
    result = read_file(next(inputs.glob("KHTC_*.xlsx")))
    assert isinstance(result, Finding)
    assert result.code == "internal_error"
    assert "(IndexError: a bug)" in result.message


def test_a_parser_failure_in_a_workbook_is_the_files_fault(tmp_path, inputs, monkeypatch):
    class Sheet:
        height = width = 1

        def to_python(self, **kw: object) -> list[list[object]]:
            raise ValueError("calamine could not read a cell")

    def get_sheet(self: object, name: str) -> Sheet:
        return Sheet()

    source = next(inputs.glob("KHTC_*.xlsx"))
    import python_calamine

    monkeypatch.setattr(python_calamine.CalamineWorkbook, "get_sheet_by_name", get_sheet)
    result = read_file(source)
    assert isinstance(result, Finding)
    assert (result.code, result.unit) == ("file_unreadable", "")
    assert "ValueError: calamine could not read a cell" in result.message


def test_read_narrative_raises_refused_for_a_form_without_code(tmp_path):
    path = _docx(tmp_path / "a.docx", [[["Mã đơn vị", ""]]])
    with pytest.raises(Refused):
        read_narrative(path)
    with pytest.raises(Refused):
        narrative_unit(path)
    assert not isinstance(read_file(path), NarrativeSubmission)


# --- text as Word shows it: files written by LibreOffice -------------------------------------
NARRATIVES = ROOT / "tests" / "data" / "narratives"
MAKE_NARRATIVES = NARRATIVES / "make_narratives.py"


def _i1(path: Path) -> tuple[str, ...]:
    """The paragraphs read under heading "I.1." (every fixture writes there)."""
    [section] = [s for s in read_narrative(path).sections if s.item == "I.1"]
    return section.paragraphs


LO_TEXTS = {
    "khtc_tracked.docx": (  # "ước khoảng 85.000" deleted, "đạt 90.600" inserted; a
        # paragraph deleted whole (its mark too) and one inserted, changes recorded
        "Năm 2019, chi cho KH&CN đạt 90.600 triệu đồng.",
        "Cơ sở vật chất được đầu tư cho Trung tâm Ứng dụng KH&CN.",
        "Đoạn này được thêm khi đang theo dõi thay đổi.",
    ),
    "khtc_control.docx": ("Đơn vị thực hiện: Trung tâm Ứng dụng KH&CN.",),
    "khtc_textbox.docx": (  # the frame's text once (DrawingML and its VML fallback)
        "Giai đoạn 2011-2019, chi ngân sách cho KH&CN tăng đều.",
        "Số liệu năm 2019 là số sơ bộ.",
        "Cơ sở vật chất được đầu tư cho Trung tâm Ứng dụng KH&CN.",
    ),
    "khtc_notes.docx": (
        "Tổng chi cho KH&CN năm 2019 đạt 90.600 triệu đồng. "
        "(Chú thích: Theo quyết toán ngân sách địa phương.)",
        "Chi sự nghiệp KH&CN chiếm 58% tổng chi. (Chú thích: Số liệu do Sở Tài chính cung cấp.)",
    ),
    "khtc_field.docx": ("Tài liệu “Thuyết minh KH&CN năm 2020” gửi kèm biểu số liệu.",),
    "khtc_objects.docx": (
        "Chi cho KH&CN tăng đều qua các năm, như biểu đồ sau:",
        "Bảng số liệu chi tiết:",
    ),
}

# What each file must hold for its test to mean something (a regenerated file that lost it
# would make the test above pass for nothing).
LO_MARKUP = {
    "khtc_tracked.docx": ["<w:ins ", "<w:delText>ước khoảng 85.000</w:delText>",
                          "<w:rPr><w:del "],
    "khtc_control.docx": ["<w:sdt>", "<w:sdtContent>"],
    "khtc_textbox.docx": ["<mc:Choice", "<mc:Fallback>", "<wps:txbx>", "<v:textbox"],
    "khtc_notes.docx": ["<w:footnoteReference ", "<w:endnoteReference "],
    "khtc_field.docx": ['<w:fldChar w:fldCharType="begin">', "<w:instrText",
                        '<w:fldChar w:fldCharType="separate"/>'],
    "khtc_objects.docx": ["drawingml/2006/chart", '<o:OLEObject Type="Embed" '
                          'ProgID="Excel.Sheet.12"'],
}


@pytest.mark.parametrize("name", sorted(LO_TEXTS))
def test_a_libreoffice_narrative_reads_as_word_shows_it(name):
    path = NARRATIVES / name
    with zipfile.ZipFile(path) as zf:
        xml = zf.read("word/document.xml").decode()
    assert all(mark in xml for mark in LO_MARKUP[name]), name
    assert _i1(path) == LO_TEXTS[name]
    assert narrative_unit(path).unit == read_narrative(path).unit == "KHTC"


@pytest.mark.parametrize("name", sorted(set(LO_TEXTS) - {
    "khtc_objects.docx", "khtc_tracked.docx", "khtc_textbox.docx"}))
def test_text_read_is_no_finding(name):
    assert read_narrative(NARRATIVES / name).notes == ()


def test_tracked_changes_accepted_and_a_text_boxs_frame_are_said():
    # Paragraph 6 had a word replaced, 7 is the deleted paragraph joined to the next one (its
    # mark deleted), 8 was inserted: all with changes tracked.
    [tracked] = read_narrative(NARRATIVES / "khtc_tracked.docx").notes
    assert (tracked.code, tracked.severity, tracked.unit, tracked.cell, tracked.value) == (
        "narrative_tracked", Severity.WARNING, "KHTC", "đoạn 6, 7, 8", "3")
    assert tracked.message == (
        "Thuyết minh còn thay đổi được theo dõi (Track Changes) ở đoạn 6, 7, 8; chương lấy "
        "nội dung như khi chấp nhận mọi thay đổi (giữ phần thêm, bỏ phần xóa). Hãy xem lại "
        "các chỗ đó, chấp nhận hoặc từ chối từng thay đổi (Review > Accept/Reject), tắt theo "
        "dõi thay đổi rồi gửi lại.")
    [frame] = read_narrative(NARRATIVES / "khtc_textbox.docx").notes
    assert (frame.code, frame.unit, frame.cell, frame.value) == (
        "narrative_textbox", "KHTC", "đoạn 6", "một khung văn bản (Text Box)")
    assert frame.message == (
        "Thuyết minh có một khung văn bản (Text Box) ở đoạn “Giai đoạn 2011-2019, chi ngân "
        "sách cho KH&CN…”; chương giữ chữ trong khung thành đoạn văn ngay sau đoạn đó nhưng "
        "không giữ khung. Hãy viết nội dung đó thành đoạn văn thường (không dùng khung) ở "
        "đúng chỗ cần đặt.")


def test_no_deleted_text_no_field_instruction_no_text_twice():
    every = {name: " ".join(_i1(NARRATIVES / name)) for name in LO_TEXTS}
    assert "ước khoảng" not in every["khtc_tracked.docx"]
    assert "bị xóa" not in every["khtc_tracked.docx"]
    assert "TITLE" not in every["khtc_field.docx"]
    assert every["khtc_textbox.docx"].count("Số liệu năm 2019 là số sơ bộ.") == 1


def test_an_embedded_chart_and_spreadsheet_are_named_with_their_paragraph():
    sub = read_narrative(NARRATIVES / "khtc_objects.docx")
    assert [(f.code, f.severity, f.unit, f.file, f.cell, f.value) for f in sub.notes] == [
        ("narrative_object", Severity.WARNING, "KHTC", "khtc_objects.docx", "đoạn 6",
         "một biểu đồ"),
        ("narrative_object", Severity.WARNING, "KHTC", "khtc_objects.docx", "đoạn 7",
         "một bảng tính Excel nhúng (Excel.Sheet.12)"),
    ]
    assert sub.notes[0].message == (
        "Thuyết minh có một biểu đồ ở đoạn “Chi cho KH&CN tăng đều qua các năm,…”; nội dung "
        "này không đưa được vào chương. Hãy viết thành đoạn văn, bảng hoặc hình ảnh những gì "
        "cần đưa vào chương (số liệu nhập vào biểu Excel); nếu cần giữ nguyên, gửi riêng tệp "
        "gốc cho Phòng Kế hoạch Tài chính.")
    assert "ở đoạn “Bảng số liệu chi tiết:”;" in sub.notes[1].message


def _uno_python() -> str | None:
    """The system python, when it has LibreOffice's uno module (the venv has not)."""
    system = shutil.which("python3", path="/usr/bin")
    if not (system and shutil.which("soffice")):
        return None
    found = subprocess.run([system, "-c", "import uno"], capture_output=True)
    return system if found.returncode == 0 else None


@pytest.mark.skipif(_uno_python() is None, reason="needs LibreOffice and python3-uno")
def test_the_script_makes_files_that_read_as_the_committed_ones(tmp_path):
    subprocess.run([_uno_python() or "", str(MAKE_NARRATIVES), "--out", str(tmp_path)],
                   cwd=ROOT, check=True, capture_output=True, timeout=300)
    for name, texts in LO_TEXTS.items():
        assert _i1(tmp_path / name) == texts, name


# --- what LibreOffice cannot write, pasted as Word writes it ---------------------------------
NS = " ".join(f'xmlns:{k}="{v}"' for k, v in {
    "w": "http://schemas.openxmlformats.org/wordprocessingml/2006/main",
    "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
    "mc": "http://schemas.openxmlformats.org/markup-compatibility/2006",
    "wp": "http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing",
    "a": "http://schemas.openxmlformats.org/drawingml/2006/main",
    "pic": "http://schemas.openxmlformats.org/drawingml/2006/picture",
    "c": "http://schemas.openxmlformats.org/drawingml/2006/chart",
    "dgm": "http://schemas.openxmlformats.org/drawingml/2006/diagram",
    "wps": "http://schemas.microsoft.com/office/word/2010/wordprocessingShape",
    "v": "urn:schemas-microsoft-com:vml",
    "o": "urn:schemas-microsoft-com:office:office",
    "m": "http://schemas.openxmlformats.org/officeDocument/2006/math",
}.items())


def _r(text: str) -> str:
    return f'<w:r><w:t xml:space="preserve">{text}</w:t></w:r>'


def _p(*content: str, props: str = "") -> str:
    return f"<w:p>{props}{''.join(content)}</w:p>"


def _word(path: Path, body: str, notes: dict[str, dict[str, str]] | None = None,
          unit_cell: str = "") -> Path:
    """A narrative form (unit table, heading "I.1.") whose text under the heading is `body`,
    WordprocessingML as Word writes it; `notes`: footnote/endnote id to text; `unit_cell`:
    the unit code cell's paragraphs (default: "TTRA" typed plainly)."""
    doc = Document()
    table = doc.add_table(rows=1, cols=2)
    table.cell(0, 0).text, table.cell(0, 1).text = "Mã đơn vị", "TTRA"
    if unit_cell:
        tc = table.cell(0, 1)._tc
        for p in tc.findall(qn("w:p")):
            tc.remove(p)
        for el in parse_xml(f"<w:tc {NS}>{unit_cell}</w:tc>"):
            tc.append(el)
    doc.add_paragraph("I.1. Đầu tư cho KH&CN", style="Heading 2")
    end = doc.element.body[-1]  # w:sectPr
    for el in parse_xml(f"<w:body {NS}>{body}</w:body>"):
        end.addprevious(el)
    for kind, texts in (notes or {}).items():
        xml = "".join(
            f'<w:{kind} w:id="{i}"><w:p><w:r><w:{kind}Ref/></w:r>{_r(" " + t)}</w:p></w:{kind}>'
            for i, t in texts.items())
        blob = (f'<w:{kind}s {NS}><w:{kind} w:type="separator" w:id="-1"><w:p><w:r>'
                f'<w:separator/></w:r></w:p></w:{kind}>{xml}</w:{kind}s>').encode()
        content_type = CT.WML_FOOTNOTES if kind == "footnote" else CT.WML_ENDNOTES
        part = Part(PackURI(f"/word/{kind}s.xml"), content_type, blob, doc.part.package)
        doc.part.relate_to(part, RT.FOOTNOTES if kind == "footnote" else RT.ENDNOTES)
    doc.save(str(path))
    return path


def _ref(kind: str, note_id: str) -> str:
    return (f'<w:r><w:rPr><w:rStyle w:val="{kind.capitalize()}Reference"/></w:rPr>'
            f'<w:{kind}Reference w:id="{note_id}"/></w:r>')


WORD_TEXT_BOX = (  # Word 2016: DrawingML in mc:Choice, the same box as VML in mc:Fallback
    '<w:r><mc:AlternateContent><mc:Choice Requires="wps"><w:drawing>'
    '<wp:anchor distT="0" distB="0" distL="114300" distR="114300" simplePos="0" '
    'relativeHeight="251659264" behindDoc="0" locked="0" layoutInCell="1" allowOverlap="1">'
    '<wp:simplePos x="0" y="0"/><wp:extent cx="2360930" cy="1404620"/>'
    '<wp:wrapSquare wrapText="bothSides"/><wp:docPr id="217" name="Text Box 2"/>'
    '<a:graphic><a:graphicData '
    'uri="http://schemas.microsoft.com/office/word/2010/wordprocessingShape">'
    '<wps:wsp><wps:cNvSpPr txBox="1"><a:spLocks noChangeArrowheads="1"/></wps:cNvSpPr>'
    '<wps:spPr/><wps:txbx><w:txbxContent>{text}</w:txbxContent></wps:txbx><wps:bodyPr/>'
    '</wps:wsp></a:graphicData></a:graphic></wp:anchor></w:drawing></mc:Choice>'
    '<mc:Fallback><w:pict><v:shapetype id="_x0000_t202" coordsize="21600,21600" '
    'o:spt="202"/><v:shape id="Text Box 2" o:spid="_x0000_s1026" type="#_x0000_t202">'
    '<v:textbox><w:txbxContent>{text}</w:txbxContent></v:textbox></v:shape></w:pict>'
    '</mc:Fallback></mc:AlternateContent></w:r>')


def test_word_content_controls_block_and_run_level_placeholder_left_out(tmp_path):
    body = (
        '<w:sdt><w:sdtPr><w:alias w:val="Nội dung"/><w:tag w:val="noi_dung"/>'
        '<w:id w:val="-1491095587"/></w:sdtPr><w:sdtContent>'
        + _p(_r("Đoạn trong điều khiển nội dung khối."))
        + _p(_r("Đoạn thứ hai trong đó."))
        + "</w:sdtContent></w:sdt>"
        + _p(_r("Người lập: "),
             '<w:sdt><w:sdtPr><w:id w:val="1"/><w:placeholder><w:docPart '
             'w:val="DefaultPlaceholder_-1854013440"/></w:placeholder><w:showingPlcHdr/>'
             '</w:sdtPr><w:sdtContent><w:r><w:rPr><w:rStyle w:val="PlaceholderText"/>'
             '</w:rPr><w:t>Click or tap here to enter text.</w:t></w:r></w:sdtContent>'
             "</w:sdt>")
        + _p(_r("Điện thoại: "),
             '<w:sdt><w:sdtPr><w:id w:val="2"/><w:text/></w:sdtPr><w:sdtContent>'
             + _r("0204 3854 123") + "</w:sdtContent></w:sdt>", _r("."))
    )
    path = _word(tmp_path / "a.docx", body)
    assert _i1(path) == ("Đoạn trong điều khiển nội dung khối.", "Đoạn thứ hai trong đó.",
                         "Người lập:", "Điện thoại: 0204 3854 123.")
    assert read_narrative(path).notes == ()


def test_a_word_text_box_is_read_once_after_its_paragraph(tmp_path):
    box = WORD_TEXT_BOX.format(text=_p(_r("Ghi chú trong khung.")) + _p(_r("Dòng hai.")))
    vml_only = ('<w:r><w:pict><v:shape id="_x0000_s1030" type="#_x0000_t202"><v:textbox>'
                '<w:txbxContent>' + _p(_r("Khung kiểu cũ (VML).")) + "</w:txbxContent>"
                "</v:textbox></v:shape></w:pict></w:r>")
    body = (_p(_r("Đoạn neo khung."), box) + _p(_r("Đoạn sau."), vml_only)
            + _p(box.replace("Ghi chú trong khung.", "Khung neo ở dòng trống.")))
    path = _word(tmp_path / "a.docx", body)
    assert _i1(path) == ("Đoạn neo khung.", "Ghi chú trong khung.", "Dòng hai.", "Đoạn sau.",
                         "Khung kiểu cũ (VML).", "Khung neo ở dòng trống.", "Dòng hai.")
    # Its text is kept; the frame is not, which the unit is told, paragraph by paragraph.
    assert [(f.code, f.cell, f.value, f.message.split(";")[0])
            for f in read_narrative(path).notes] == [
        ("narrative_textbox", "đoạn 2", "một khung văn bản (Text Box)",
         "Thuyết minh có một khung văn bản (Text Box) ở đoạn “Đoạn neo khung.”"),
        ("narrative_textbox", "đoạn 3", "một khung văn bản (Text Box)",
         "Thuyết minh có một khung văn bản (Text Box) ở đoạn “Đoạn sau.”"),
        ("narrative_textbox", "đoạn 4", "một khung văn bản (Text Box)",
         "Thuyết minh có một khung văn bản (Text Box) ở dòng trống ngay sau đoạn “Đoạn "
         "sau.”")]


def test_moved_text_is_read_where_it_went(tmp_path):
    body = (
        _p(_r("Đoạn một. "), '<w:moveFromRangeStart w:id="1" w:author="A" '
           'w:date="2020-03-09T08:00:00Z" w:name="move1"/><w:moveFrom w:id="2" w:author="A" '
           'w:date="2020-03-09T08:00:00Z">' + _r("Câu được chuyển đi.")
           + '</w:moveFrom><w:moveFromRangeEnd w:id="1"/>')
        + _p(_r("Đoạn hai. "), '<w:moveToRangeStart w:id="3" w:author="A" '
             'w:date="2020-03-09T08:00:00Z" w:name="move1"/><w:moveTo w:id="4" w:author="A" '
             'w:date="2020-03-09T08:00:00Z">' + _r("Câu được chuyển đi.")
             + '</w:moveTo><w:moveToRangeEnd w:id="3"/>'))
    assert _i1(_word(tmp_path / "a.docx", body)) == (
        "Đoạn một.", "Đoạn hai. Câu được chuyển đi.")


def test_a_deleted_paragraph_mark_joins_the_paragraphs_as_word_accepts_it(tmp_path):
    deleted_mark = ('<w:pPr><w:rPr><w:del w:id="5" w:author="A" '
                    'w:date="2020-03-09T08:00:00Z"/></w:rPr></w:pPr>')
    body = (
        _p(_r("Chi tăng "), '<w:del w:id="6" w:author="A" w:date="2020-03-09T08:00:00Z">'
           '<w:r><w:delText>nhanh.</w:delText></w:r></w:del>', props=deleted_mark)
        + _p('<w:del w:id="7" w:author="A" w:date="2020-03-09T08:00:00Z"><w:r><w:delText>'
             "Năm sau </w:delText></w:r></w:del>", _r("đều qua các năm."))
        + _p(_r("Đoạn cuối."))
    )
    assert _i1(_word(tmp_path / "a.docx", body)) == ("Chi tăng đều qua các năm.", "Đoạn cuối.")


def test_fields_give_their_result_never_their_instruction(tmp_path):
    def fld(kind: str) -> str:
        return f'<w:r><w:fldChar w:fldCharType="{kind}"/></w:r>'

    def instr(code: str) -> str:
        return f'<w:r><w:instrText xml:space="preserve">{code}</w:instrText></w:r>'

    body = (
        _p(_r("Cơ quan: "), '<w:fldSimple w:instr=" DOCPROPERTY  Company  \\* MERGEFORMAT ">'
           + _r("Sở KH&amp;CN Bắc Giang") + "</w:fldSimple>", _r("."))
        # an IF field whose instruction holds a nested field: only the outer result shows
        + _p(_r("Đạt mục tiêu: "), fld("begin"), instr(" IF "), fld("begin"),
             instr(" DOCPROPERTY dat "), fld("separate"), _r("1"), fld("end"),
             instr(' = 1 "có" "không" '), fld("separate"), _r("có"), fld("end"), _r("."))
        # a result running over two paragraphs (as a table of contents does)
        + _p(_r("Xem: "), fld("begin"), instr(' TOC \\o "1-2" '), fld("separate"),
             _r("I.1. Đầu tư"))
        + _p(_r("I.2. Nhân lực"), fld("end"))
    )
    assert _i1(_word(tmp_path / "a.docx", body)) == (
        "Cơ quan: Sở KH&CN Bắc Giang.", "Đạt mục tiêu: có.", "Xem: I.1. Đầu tư",
        "I.2. Nhân lực")


def test_footnotes_and_endnotes_end_their_paragraph(tmp_path):
    body = (_p(_r("Chi KH&amp;CN năm 2019 đạt 90.600 triệu đồng"), _ref("footnote", "1"),
               _r(", tăng 13%"), _ref("endnote", "1"), _r("."))
            + _p(_r("Câu dẫn lại chú thích cũ."), _ref("footnote", "1"))
            + _p(_r("Câu có chú thích trống."), _ref("footnote", "2")))
    path = _word(tmp_path / "a.docx", body, notes={
        "footnote": {"1": "Theo quyết toán.", "2": "  "},
        "endnote": {"1": "So với năm 2018."}})
    assert _i1(path) == (
        "Chi KH&CN năm 2019 đạt 90.600 triệu đồng, tăng 13%. (Chú thích: Theo quyết toán.) "
        "(Chú thích: So với năm 2018.)",
        "Câu dẫn lại chú thích cũ.",  # a note cited again is read once
        "Câu có chú thích trống.")


def test_a_footnote_on_a_heading_opens_its_section(tmp_path):
    body = ('<w:p><w:pPr><w:pStyle w:val="Heading2"/></w:pPr>' + _r("I.2. Nhân lực")
            + _ref("footnote", "3") + "</w:p>" + _p(_r("Đoạn đầu của I.2.")))
    path = _word(tmp_path / "a.docx", body, notes={"footnote": {"3": "Số liệu đến 2019."}})
    [i2] = [s for s in read_narrative(path).sections if s.item == "I.2"]
    assert (i2.heading, i2.paragraphs) == (
        "I.2. Nhân lực", ("(Chú thích: Số liệu đến 2019.)", "Đoạn đầu của I.2."))


def test_an_external_notes_relationship_is_never_followed(tmp_path):
    path = _word(tmp_path / "a.docx", _p(_r("Câu."), _ref("footnote", "1")))
    doc = Document(str(path))
    doc.part.relate_to("file:///etc/passwd", RT.FOOTNOTES, is_external=True)
    doc.save(str(path))
    assert _i1(path) == ("Câu.",)


OLE = ('<w:r><w:object w:dxaOrig="1440" w:dyaOrig="1440"><v:shape id="_x0000_i1025" '
       'type="#_x0000_t75" style="width:72pt;height:72pt" o:ole=""><v:imagedata r:id="rId90" '
       'o:title=""/></v:shape><o:OLEObject Type="{type}" ProgID="{progid}" '
       'ShapeID="_x0000_i1025" DrawAspect="Icon" ObjectID="_1700000000" r:id="{rid}">'
       "<o:FieldCodes>\\s</o:FieldCodes></o:OLEObject></w:object></w:r>")


def _graphic(uri: str, inner: str) -> str:
    return ('<w:r><w:drawing><wp:inline distT="0" distB="0" distL="0" distR="0">'
            '<wp:extent cx="5486400" cy="3200400"/><wp:docPr id="3" name="Chart 3"/>'
            f'<a:graphic><a:graphicData uri="{uri}">{inner}</a:graphicData></a:graphic>'
            "</wp:inline></w:drawing></w:r>")


def test_what_cannot_be_carried_is_named_with_its_paragraph(tmp_path):
    chart = _graphic("http://schemas.openxmlformats.org/drawingml/2006/chart",
                     '<c:chart r:id="rId92"/>')
    smartart = _graphic("http://schemas.openxmlformats.org/drawingml/2006/diagram",
                        '<dgm:relIds r:dm="rId93" r:lo="rId94" r:qs="rId95" r:cs="rId96"/>')
    body = (
        _p(_r("Biểu đồ chi KH&amp;CN giai đoạn 2011-2019 của toàn tỉnh và các huyện:"), chart)
        + _p(OLE.format(type="Embed", progid="Word.Document.12", rid="rId91"))  # alone
        + _p(_r("Quy trình:"), smartart, _r(" Công thức: "),
             "<m:oMath><m:r><m:t>x=1</m:t></m:r></m:oMath>")
        + _p(_r("Liên kết:"), OLE.format(type="Link", progid="Excel.Sheet.12", rid="rId97"))
        + '<w:altChunk r:id="rId98"/>'
    )
    path = _word(tmp_path / "TTRA_tm.docx", body)
    sub = read_narrative(path)
    assert _i1(path) == ("Biểu đồ chi KH&CN giai đoạn 2011-2019 của toàn tỉnh và các huyện:",
                         "Quy trình: Công thức:", "Liên kết:")
    first = "“Biểu đồ chi KH&CN giai đoạn 2011-2019 của…”"
    assert [(f.code, f.severity, f.unit, f.file, f.cell, f.value, f.message.split(";")[0])
            for f in sub.notes] == [
        ("narrative_object", Severity.WARNING, "TTRA", "TTRA_tm.docx", "đoạn 2", "một biểu đồ",
         f"Thuyết minh có một biểu đồ ở đoạn {first}"),
        ("narrative_object", Severity.WARNING, "TTRA", "TTRA_tm.docx", "đoạn 3",
         "một văn bản Word nhúng (Word.Document.12)",
         "Thuyết minh có một văn bản Word nhúng (Word.Document.12) ở dòng trống ngay sau "
         f"đoạn {first}"),
        ("narrative_object", Severity.WARNING, "TTRA", "TTRA_tm.docx", "đoạn 4",
         "một sơ đồ SmartArt",
         "Thuyết minh có một sơ đồ SmartArt ở đoạn “Quy trình: Công thức:”"),
        ("narrative_object", Severity.WARNING, "TTRA", "TTRA_tm.docx", "đoạn 4",
         "một công thức (Equation)",
         "Thuyết minh có một công thức (Equation) ở đoạn “Quy trình: Công thức:”"),
        ("narrative_object", Severity.WARNING, "TTRA", "TTRA_tm.docx", "đoạn 5",
         "một đối tượng liên kết tới tệp khác (Excel.Sheet.12)",
         "Thuyết minh có một đối tượng liên kết tới tệp khác (Excel.Sheet.12) ở đoạn “Liên "
         "kết:”"),
        ("narrative_object", Severity.WARNING, "TTRA", "TTRA_tm.docx", "đoạn 6",
         "một phần nội dung ghép từ tệp khác (altChunk)",
         "Thuyết minh có một phần nội dung ghép từ tệp khác (altChunk) ở dòng trống ngay sau "
         "đoạn “Liên kết:”"),
    ]
    assert all(f.message.endswith("gửi riêng tệp gốc cho Phòng Kế hoạch Tài chính.")
               for f in sub.notes)


def png_bytes(width: int, height: int) -> bytes:
    """A real PNG of width x height grey pixels (zlib and struct, as a file holds one); the
    render tests use it too."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))

    rows = b"".join(b"\x00" + b"\x80" * width for _ in range(height))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 0,
                                                                0, 0, 0))
            + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))


def _with_parts(path: Path, parts: dict[str, tuple[str, str, bytes]]) -> Path:
    """The narrative at `path` with image parts related under the given ids: relationship id:
    (part name, content type, bytes)."""
    doc = Document(str(path))
    for rid, (name, content_type, blob) in parts.items():
        part = Part(PackURI(f"/word/media/{name}"), content_type, blob, doc.part.package)
        doc.part.rels.add_relationship(RT.IMAGE, part, rid)
    doc.save(str(path))
    return path


def _pic(embed: str = "", link: str = "", descr: str = "", uri: str = "/picture") -> str:
    """A picture as Word writes one in a run (wp:inline, 15,24 cm x 8,89 cm)."""
    embedded = f' r:embed="{embed}"' if embed else ""
    linked = f' r:link="{link}"' if link else ""
    blip = f"<a:blip{embedded}{linked}/>"
    return _graphic(f"http://schemas.openxmlformats.org/drawingml/2006{uri}",
                    '<pic:pic><pic:nvPicPr><pic:cNvPr id="0" name="a.png"/><pic:cNvPicPr/>'
                    f"</pic:nvPicPr><pic:blipFill>{blip}</pic:blipFill><pic:spPr/></pic:pic>"
                    ).replace('name="Chart 3"', f'name="Picture 3" descr="{descr}"')


def test_pictures_are_carried_and_those_that_cannot_be_are_named(tmp_path):
    png = png_bytes(16, 8)
    body = (_p(_r("Ảnh:"), _pic("rId901", descr="Biểu đồ chi &amp; thu"))  # 2: carried
            + _p(_r("Hình EMF:"), _pic("rId902"))  # 3: a format Word draws, no image reader
            + _p(_r("Hình hỏng:"), _pic("rId903"))  # 4: not a picture inside
            + _p(_r("Hình liên kết:"), _pic(link="rId904"))  # 5: a file elsewhere
            + _p(_r("Hình mất:"), _pic("rId99"))  # 6: no such part
            + _p(_r("Nhóm hình:"), _pic("rId901", uri="/wordprocessingGroup")))  # 7
    path = _with_parts(_word(tmp_path / "a.docx", body), {
        "rId901": ("image901.png", "image/png", png),
        "rId902": ("image902.emf", "image/x-emf", b"\x01\x00\x00\x00" * 30),
        "rId903": ("image903.png", "image/png", b"\x89PNG\r\n\x1a\n\x00\x00")})
    [i1] = [s for s in read_narrative(path).sections if s.item == "I.1"]
    assert i1.blocks[:2] == (
        NarrativeParagraph((TextRun("Ảnh:"),)),
        NarrativeImage(png, "image/png", 5486400, 3200400, "Biểu đồ chi & thu"))
    assert not any(isinstance(b, NarrativeImage) for b in i1.blocks[2:])
    assert i1.paragraphs == ("Ảnh:", "Hình EMF:", "Hình hỏng:", "Hình liên kết:", "Hình mất:",
                             "Nhóm hình:")  # pictures have no text
    assert [(f.code, f.cell, f.value, f.message.split(";")[0])
            for f in read_narrative(path).notes] == [
        ("narrative_image", "đoạn 3",
         "một hình dạng EMF (không phải ảnh PNG, JPEG, GIF, BMP hay TIFF)",
         "Thuyết minh có một hình dạng EMF (không phải ảnh PNG, JPEG, GIF, BMP hay TIFF) ở "
         "đoạn “Hình EMF:”"),
        ("narrative_image", "đoạn 4", "một hình không đọc được (dữ liệu ảnh hỏng)",
         "Thuyết minh có một hình không đọc được (dữ liệu ảnh hỏng) ở đoạn “Hình hỏng:”"),
        ("narrative_image", "đoạn 5",
         "một hình liên kết tới tệp bên ngoài (không nằm trong tệp)",
         "Thuyết minh có một hình liên kết tới tệp bên ngoài (không nằm trong tệp) ở đoạn "
         "“Hình liên kết:”"),
        ("narrative_image", "đoạn 6", "một hình không đọc được (tệp thiếu dữ liệu của hình)",
         "Thuyết minh có một hình không đọc được (tệp thiếu dữ liệu của hình) ở đoạn “Hình "
         "mất:”"),
        ("narrative_image", "đoạn 7", "một hình nằm trong nhóm hình, khung hoặc hình vẽ",
         "Thuyết minh có một hình nằm trong nhóm hình, khung hoặc hình vẽ ở đoạn “Nhóm "
         "hình:”"),
    ]
    assert read_narrative(path).notes[0].message.endswith(
        "Hãy chèn lại hình dạng ảnh PNG hoặc JPEG (Insert > Pictures) ngay trong đoạn văn, "
        "không đặt trong khung, nhóm hình hay bảng; nếu không được, gửi riêng hình cho Phòng "
        "Kế hoạch Tài chính.")


def test_a_libreoffice_picture_is_carried_without_a_finding():
    lo_image = ROOT / "tests" / "data" / "office" / "khtc_narrative_image.docx"
    sub = read_narrative(lo_image)
    with zipfile.ZipFile(lo_image) as zf:
        png = zf.read("word/media/image1.png")
    [i1] = [s for s in sub.sections if s.item == "I.1"]
    assert sub.notes == ()
    assert i1.blocks[-1] == NarrativeImage(png, "image/png", 360045, 360045, "")  # 1 x 1 cm


def test_past_twenty_objects_one_finding_counts_the_rest(tmp_path):
    ole = OLE.format(type="Embed", progid="Excel.Sheet.12", rid="rId91")
    path = _word(tmp_path / "a.docx", _p(_r("Nhiều bảng:"), ole * 25))
    found = read_narrative(path).notes
    assert len(found) == 21
    assert (found[-1].code, found[-1].value) == ("narrative_object", "5 đối tượng khác")
    assert found[-1].message.startswith("Thuyết minh có 5 đối tượng khác ở các đoạn sau đó;")


# --- bounds ----------------------------------------------------------------------------------
def test_text_box_and_note_text_count_towards_the_files_limit(tmp_path, monkeypatch):
    monkeypatch.setattr(workbook, "MAX_FILE_CHARS", 400)  # the form's own text is ~40
    box = WORD_TEXT_BOX.format(text=_p(_r("x" * 200)))
    path = _word(tmp_path / "a.docx", _p(_r("Đoạn."), box, _ref("footnote", "1")),
                 notes={"footnote": {"1": "y" * 200}})
    with pytest.raises(Refused) as e:
        read_narrative(path)
    assert e.value.finding.code == "file_too_large"


def test_a_long_text_box_is_cut_and_said(tmp_path):
    box = WORD_TEXT_BOX.format(text=_p(_r("x" * 30_000)))
    path = _word(tmp_path / "a.docx", _p(_r("Đoạn."), box))
    assert _i1(path) == ("Đoạn.", "x" * 5_000)
    assert [(f.code, f.cell) for f in read_narrative(path).notes] == [
        ("text_truncated", "đoạn 2 (khung văn bản)"),  # 1 is the heading
        ("narrative_textbox", "đoạn 2")]


def test_a_footnote_cited_a_thousand_times_is_read_once(tmp_path):
    path = _word(tmp_path / "a.docx", _p(_r("Câu."), _ref("footnote", "1") * 1000),
                 notes={"footnote": {"1": "z" * 1000}})
    assert _i1(path) == (f"Câu. (Chú thích: {'z' * 1000})",)


@pytest.mark.parametrize("where", ["body", "unit cell"])
def test_nesting_deeper_than_word_writes_is_the_files_fault(tmp_path, where):
    deep = _p("<w:hyperlink>" * 200 + _r("TTRA") + "</w:hyperlink>" * 200)
    path = _word(tmp_path / "a.docx", deep if where == "body" else _p(_r("Đoạn.")),
                 unit_cell=deep if where == "unit cell" else "")
    readers = [read_narrative] + ([narrative_unit] if where == "unit cell" else [])
    for reader in readers:
        with pytest.raises(Refused) as e:
            reader(path)
        assert e.value.finding.code == "file_unreadable"
        assert "lồng nhau quá 150 tầng" in e.value.finding.message


def test_a_unit_code_retyped_with_changes_tracked_is_read_alike(tmp_path):
    cell = _p('<w:del w:id="1" w:author="A" w:date="2020-03-09T08:00:00Z"><w:r><w:delText>'
              'VP</w:delText></w:r></w:del><w:ins w:id="2" w:author="A" '
              'w:date="2020-03-09T08:00:00Z">' + _r("TT") + "</w:ins>"
              '<w:sdt><w:sdtPr><w:text/></w:sdtPr><w:sdtContent>' + _r("RA")
              + "</w:sdtContent></w:sdt>")
    path = _word(tmp_path / "a.docx", _p(_r("Đoạn.")), unit_cell=cell)
    assert _both(path) == ("TTRA", "TTRA")


# --- what the unit wrote, as it wrote it -----------------------------------------------------
FORMATTED = ROOT / "tests" / "data" / "narratives" / "khtc_formatted.docx"
MAKE_FORMATTED = FORMATTED.parent / "make_formatted.py"


def _cell(*texts: str, bold: bool = False, span: int = 1, above: bool = False
          ) -> NarrativeCell:
    return NarrativeCell(tuple(NarrativeParagraph((TextRun(t, bold=bold),)) for t in texts),
                         span, above)


def _plain(text: str, kind: str = "", level: int = 0, list_id: int = 0) -> NarrativeParagraph:
    return NarrativeParagraph((TextRun(text),), kind, level, list_id)


def test_a_formatted_narrative_reads_as_the_unit_wrote_it():
    # Written in LibreOffice (tests/data/narratives/README.md): every block under I.1 in order.
    sub = read_narrative(FORMATTED)
    with zipfile.ZipFile(FORMATTED) as zf:
        png = zf.read("word/media/image1.png")
    [i1] = [s for s in sub.sections if s.item == "I.1"]
    assert i1.blocks == (
        NarrativeParagraph((
            TextRun("Giai đoạn 2011-2019, chi cho KH&CN "), TextRun("tăng đều", bold=True),
            TextRun(", "), TextRun("bình quân 11,2%/năm", italic=True), TextRun(", "),
            TextRun("cao hơn mức chung", underline=True), TextRun(" của cả nước."))),
        NarrativeParagraph((TextRun("Diện tích phòng thí nghiệm đạt 1.200 m"),
                            TextRun("2", script="super"), TextRun("."))),
        _plain("Chi cho KH&CN gồm:"),
        _plain("Chi đầu tư phát triển;", "bullet", 0, 3),  # LibreOffice's list 3 ("List 1")
        _plain("trong đó chi mua sắm thiết bị;", "bullet", 1, 3),
        _plain("Chi sự nghiệp KH&CN.", "bullet", 0, 3),
        _plain("Các nhiệm vụ chính:"),
        _plain("Tăng cường cơ sở vật chất.", "number", 0, 2),  # list 2 ("Numbering 123")
        _plain("Đào tạo nguồn nhân lực.", "number", 0, 2),
        _plain("Ký hiệu {{ x }}, {% if a %} và & < > được giữ nguyên."),
        NarrativeTable((
            (_cell("Năm", bold=True), _cell("Chi KH&CN (triệu đồng)", bold=True)),
            (_cell("2018"), _cell("80.000")),
            (_cell("2019"), _cell("90.600"))), widths=(4319, 4321)),
        _plain("Biểu đồ chi cho KH&CN:"),
        NarrativeImage(png, "image/png", 7200265, 3599815,  # 20 cm x 10 cm as written
                       "Biểu đồ chi KH&CN giai đoạn 2011-2019"),
        _plain("Năm 2019 có 9 nhiệm vụ được nghiệm thu."),  # "8" deleted, "9" inserted
        _plain("Cơ sở vật chất được đầu tư cho Trung tâm Ứng dụng KH&CN."),  # its comment: out
    )
    assert png.startswith(b"\x89PNG") and struct.unpack(">II", png[16:24]) == (16, 16)
    # The texts the consistency checks and the analysis read: every paragraph, as before.
    assert i1.paragraphs == (
        "Giai đoạn 2011-2019, chi cho KH&CN tăng đều, bình quân 11,2%/năm, cao hơn mức chung "
        "của cả nước.", "Diện tích phòng thí nghiệm đạt 1.200 m2.", "Chi cho KH&CN gồm:",
        "Chi đầu tư phát triển;", "trong đó chi mua sắm thiết bị;", "Chi sự nghiệp KH&CN.",
        "Các nhiệm vụ chính:", "Tăng cường cơ sở vật chất.", "Đào tạo nguồn nhân lực.",
        "Ký hiệu {{ x }}, {% if a %} và & < > được giữ nguyên.", "Biểu đồ chi cho KH&CN:",
        "Năm 2019 có 9 nhiệm vụ được nghiệm thu.",
        "Cơ sở vật chất được đầu tư cho Trung tâm Ứng dụng KH&CN.")


def test_its_tracked_change_and_comment_are_said_with_their_paragraph():
    # Paragraphs 1-5 are the form's (title, hint, part, heading, hint); the table is not one.
    with zipfile.ZipFile(FORMATTED) as zf:
        xml = zf.read("word/document.xml").decode()
    assert all(mark in xml for mark in ("<w:ins ", "<w:delText>8</w:delText>",
                                        '<w:commentReference w:id="0"/>', 'descr="Biểu đồ'))
    notes = read_narrative(FORMATTED).notes
    assert [(f.code, f.severity, f.file, f.unit, f.cell, f.value) for f in notes] == [
        ("narrative_tracked", Severity.WARNING, "khtc_formatted.docx", "KHTC", "đoạn 19", "1"),
        ("narrative_comment", Severity.WARNING, "khtc_formatted.docx", "KHTC", "đoạn 20", "1"),
    ]
    assert notes[1].message == (
        "Thuyết minh có 1 nhận xét (Comment) ở đoạn 20; nhận xét không được đưa vào chương. "
        "Nếu nội dung nhận xét cần có trong chương, hãy viết thành đoạn văn; xóa các nhận xét "
        "(Review > Delete) trước khi gửi.")


@pytest.mark.skipif(_uno_python() is None, reason="needs LibreOffice and python3-uno")
def test_the_script_makes_a_file_that_reads_as_the_committed_one(tmp_path):
    subprocess.run([_uno_python() or "", str(MAKE_FORMATTED), "--out", str(tmp_path)],
                   cwd=ROOT, check=True, capture_output=True, timeout=300)
    fresh = read_narrative(tmp_path / FORMATTED.name)
    committed = read_narrative(FORMATTED)
    assert fresh.sections == committed.sections
    assert [(f.code, f.cell) for f in fresh.notes] == [(f.code, f.cell) for f in committed.notes]


NUMBERING = (  # one list definition: bullets, then numbers, then a level with no number
    f'<w:abstractNum {NS} w:abstractNumId="50"><w:lvl w:ilvl="0"><w:numFmt w:val="bullet"/>'
    '</w:lvl><w:lvl w:ilvl="1"><w:numFmt w:val="decimal"/></w:lvl><w:lvl w:ilvl="2">'
    '<w:numFmt w:val="none"/></w:lvl></w:abstractNum>',
    f'<w:num {NS} w:numId="60"><w:abstractNumId w:val="50"/></w:num>',
    f'<w:num {NS} w:numId="61"><w:abstractNumId w:val="50"/><w:lvlOverride w:ilvl="0">'
    '<w:lvl w:ilvl="0"><w:numFmt w:val="lowerLetter"/></w:lvl></w:lvlOverride></w:num>')
STYLES = (  # a list style, a character style in bold, an italic paragraph style
    f'<w:style {NS} w:type="paragraph" w:styleId="DanhSach"><w:name w:val="Danh sách"/>'
    '<w:basedOn w:val="Normal"/><w:pPr><w:numPr><w:numId w:val="60"/></w:numPr></w:pPr>'
    "</w:style>",
    f'<w:style {NS} w:type="character" w:styleId="Dam"><w:name w:val="Đậm"/>'
    "<w:rPr><w:b/></w:rPr></w:style>",
    f'<w:style {NS} w:type="paragraph" w:styleId="TrichDan"><w:name w:val="Trích dẫn"/>'
    '<w:basedOn w:val="Normal"/><w:rPr><w:i/></w:rPr></w:style>')


def _styled(path: Path) -> Path:
    """The narrative at `path` with NUMBERING in its numbering part and STYLES added."""
    doc = Document(str(path))
    for xml in NUMBERING:
        el = parse_xml(xml)
        numbering = doc.part.numbering_part.element
        if el.tag == qn("w:abstractNum"):
            numbering.insert(0, el)  # abstract definitions come before the lists
        else:
            numbering.append(el)
    for xml in STYLES:
        doc.styles.element.append(parse_xml(xml))
    doc.save(str(path))
    return path


def _num(num_id: str, level: str = "", style: str = "") -> str:
    ilvl = f'<w:ilvl w:val="{level}"/>' if level else ""
    numbered = f'<w:numPr>{ilvl}<w:numId w:val="{num_id}"/></w:numPr>' if num_id else ""
    styled = f'<w:pStyle w:val="{style}"/>' if style else ""
    return f"<w:pPr>{styled}{numbered}</w:pPr>"


def test_a_list_item_takes_its_kind_from_its_list_definition(tmp_path):
    body = (_p(_r("Gạch đầu dòng."), props=_num("60", "0"))
            + _p(_r("Đánh số ở mức hai."), props=_num("60", "1"))
            + _p(_r("Mức không có số."), props=_num("60", "2"))
            + _p(_r("Ghi đè thành chữ cái."), props=_num("61", "0"))
            + _p(_r("Theo kiểu đoạn."), props=_num("", style="DanhSach"))
            + _p(_r("Kiểu đoạn, mức riêng."), props=_num("", style="DanhSach").replace(
                "</w:pPr>", '<w:numPr><w:ilvl w:val="1"/></w:numPr></w:pPr>'))
            + _p(_r("Bỏ danh sách."), props=_num("0", style="DanhSach"))
            + _p(_r("Danh sách không có."), props=_num("999", "0")))
    [i1] = [s for s in read_narrative(_styled(_word(tmp_path / "a.docx", body))).sections
            if s.item == "I.1"]
    assert [(b.text, b.list_kind, b.level, b.list_id) for b in i1.blocks
            if isinstance(b, NarrativeParagraph)] == [
        ("Gạch đầu dòng.", "bullet", 0, 60), ("Đánh số ở mức hai.", "number", 1, 60),
        ("Mức không có số.", "", 0, 0), ("Ghi đè thành chữ cái.", "number", 0, 61),
        ("Theo kiểu đoạn.", "bullet", 0, 60), ("Kiểu đoạn, mức riêng.", "number", 1, 60),
        ("Bỏ danh sách.", "", 0, 0), ("Danh sách không có.", "", 0, 0)]


def test_a_runs_look_comes_from_its_paragraph_style_its_character_style_then_itself(tmp_path):
    def run(text: str, props: str) -> str:
        return f'<w:r><w:rPr>{props}</w:rPr><w:t xml:space="preserve">{text}</w:t></w:r>'

    body = (_p(run("Nghiêng theo kiểu, ", ""),
               run("đậm theo kiểu chữ, ", '<w:rStyle w:val="Dam"/>'),
               run("bỏ đậm, ", '<w:rStyle w:val="Dam"/><w:b w:val="0"/>'),
               run("bỏ nghiêng", '<w:i w:val="false"/>'), run(" và H", ""),
               run("2", '<w:vertAlign w:val="subscript"/>'), run("O ", '<w:u w:val="none"/>'),
               run("gạch chân", '<w:u w:val="double"/>'), run(".", ""),
               props='<w:pPr><w:pStyle w:val="TrichDan"/></w:pPr>')
            + _p(run("   ", "<w:b/>"), run("Đậm cả đoạn.", "<w:b/>"),
                 '<w:r><w:rPr><w:b/></w:rPr><w:commentReference w:id="1"/></w:r>'))
    path = _styled(_word(tmp_path / "a.docx", body))
    [i1] = [s for s in read_narrative(path).sections if s.item == "I.1"]
    assert i1.blocks == (
        NarrativeParagraph((
            TextRun("Nghiêng theo kiểu, ", italic=True),
            TextRun("đậm theo kiểu chữ, ", bold=True, italic=True),
            TextRun("bỏ đậm, ", italic=True), TextRun("bỏ nghiêng"),
            TextRun(" và H", italic=True), TextRun("2", italic=True, script="sub"),
            TextRun("O ", italic=True), TextRun("gạch chân", italic=True, underline=True),
            TextRun(".", italic=True))),
        NarrativeParagraph((TextRun("Đậm cả đoạn.", bold=True),)),  # leading spaces trimmed
    )
    [comment] = read_narrative(path).notes
    assert (comment.code, comment.cell, comment.value) == ("narrative_comment", "đoạn 3", "1")


def test_text_converted_from_a_legacy_font_keeps_its_words_in_one_run(tmp_path):
    # "Vi\u1ec7t" in NFD over two runs of different looks: normalised as one text, the text
    # is what is kept, and the paragraph is one run (looks differ: plain).
    body = _p('<w:r><w:rPr><w:b/></w:rPr><w:t>Vie\u0302</w:t></w:r>',
              '<w:r><w:t>\u0323t Nam.</w:t></w:r>')
    [i1] = [s for s in read_narrative(_word(tmp_path / "a.docx", body)).sections
            if s.item == "I.1"]
    assert i1.blocks == (NarrativeParagraph((TextRun("Việt Nam."),)),)
    assert i1.paragraphs == ("Việt Nam.",)


def _tc(content: str, props: str = "") -> str:
    return f"<w:tc><w:tcPr>{props}</w:tcPr>{content}</w:tc>"


def _tr(*cells: str, props: str = "") -> str:
    return f"<w:tr><w:trPr>{props}</w:trPr>{''.join(cells)}</w:tr>"


def test_a_tables_cells_merges_and_header_are_kept(tmp_path):
    nested = ("<w:tbl><w:tblGrid><w:gridCol/><w:gridCol/></w:tblGrid>"
              + _tr(_tc(_p(_r("Trong"))), _tc(_p(_r("bảng con")))) + "</w:tbl>")
    table = ('<w:tbl><w:tblPr/><w:tblGrid><w:gridCol w:w="2000"/><w:gridCol w:w="3000"/>'
             '<w:gridCol w:w="4000"/></w:tblGrid>'
             + _tr(_tc(_p(_r("Năm")), '<w:vMerge w:val="restart"/>'),
                   _tc(_p(_r("Kinh phí")), '<w:gridSpan w:val="2"/>'),
                   props='<w:tblHeader/>')
             + _tr(_tc(_p(), "<w:vMerge/>"), _tc(_p(_r("Tỉnh"))), _tc(_p(_r("Huyện"))),
                   props="<w:tblHeader/>")
             + _tr(_tc(_p(_r("2019"))), _tc(_p(_r("1.000"))), _tc(nested + _p()))
             + _tr(_tc(_p(_r("2018"))), _tc(_p(_r("Xóa"))), _tc(_p(_r("đi"))),
                   props='<w:del w:id="9" w:author="A" w:date="2020-03-09T08:00:00Z"/>')
             + _tr(_tc(_p(_r("Gộp dọc có chữ")), "<w:vMerge/>"),
                   _tc(_p(_r("Ảnh:"), _pic("rId99"))), _tc(_p()))
             + "</w:tbl>")
    empty = ("<w:tbl><w:tblGrid><w:gridCol/></w:tblGrid>" + _tr(_tc(_p())) + "</w:tbl>")
    path = _word(tmp_path / "TTRA_tm.docx", _p(_r("Bảng:")) + table + empty + _p(_r("Sau.")))
    sub = read_narrative(path)
    [i1] = [s for s in sub.sections if s.item == "I.1"]
    assert i1.blocks == (
        _plain("Bảng:"),
        NarrativeTable((
            (_cell("Năm"), _cell("Kinh phí", span=2)),
            (_cell(above=True), _cell("Tỉnh"), _cell("Huyện")),
            (_cell("2019"), _cell("1.000"), _cell("Trong", "bảng con")),  # flattened
            (_cell("Gộp dọc có chữ"), _cell("Ảnh:"), _cell()),  # text: not merged away
        ), widths=(2000, 3000, 4000), header_rows=2),
        _plain("Sau."),  # the empty table shows nothing
    )
    assert i1.paragraphs == ("Bảng:", "Sau.")  # table texts are the table's
    assert [(f.code, f.cell, f.value, f.message.split(";")[0]) for f in sub.notes] == [
        ("narrative_table", "bảng 2", "một bảng lồng trong bảng, khung văn bản hoặc chú thích",
         "Thuyết minh có một bảng lồng trong bảng, khung văn bản hoặc chú thích ở bảng có "
         "dòng đầu “Năm | Kinh phí”"),
        ("narrative_image", "bảng 2", "một hình trong ô của bảng",
         "Thuyết minh có một hình trong ô của bảng ở bảng có dòng đầu “Năm | Kinh phí”"),
        ("narrative_tracked", "bảng 2", "1",
         "Thuyết minh còn thay đổi được theo dõi (Track Changes) ở bảng 2"),
    ]


def test_a_table_past_the_limits_is_cut_and_said(tmp_path, monkeypatch):
    monkeypatch.setattr(narrative, "_MAX_TABLE_ROWS", 2)
    monkeypatch.setattr(narrative, "_MAX_TABLE_COLS", 3)
    row = _tr(*(_tc(_p(_r(str(c)))) for c in range(1, 5)))
    path = _word(tmp_path / "a.docx", "<w:tbl><w:tblGrid/>" + row * 4 + "</w:tbl>")
    sub = read_narrative(path)
    [i1] = [s for s in sub.sections if s.item == "I.1"]
    assert i1.blocks == (NarrativeTable(((_cell("1"), _cell("2"), _cell("3")),) * 2),)
    [cut] = sub.notes
    assert (cut.code, cut.cell, cut.value) == (
        "narrative_table_cut", "bảng 2", "4 hàng (giữ 2 hàng đầu) và hơn 3 cột (giữ 3 cột đầu)")
    assert cut.message == (
        "Thuyết minh có bảng có dòng đầu “1 | 2 | 3” với 4 hàng (giữ 2 hàng đầu) và hơn 3 cột "
        "(giữ 3 cột đầu); phần còn lại của bảng không được đưa vào chương. Hãy rút gọn bảng "
        "(số liệu chi tiết nhập vào biểu Excel hoặc gửi riêng cho Phòng Kế hoạch Tài chính).")


def test_tables_nested_eighty_deep_keep_their_text_said_once(tmp_path):
    cell = _p(_r("Sâu nhất."))
    for _ in range(80):  # 240 levels of XML: lxml refuses past 256
        cell = "<w:tbl><w:tblGrid/>" + _tr(_tc(cell + _p())) + "</w:tbl>"
    sub = read_narrative(_word(tmp_path / "a.docx", cell))
    [i1] = [s for s in sub.sections if s.item == "I.1"]
    assert i1.blocks == (NarrativeTable(((_cell("Sâu nhất."),),)),)
    assert [(f.code, f.cell) for f in sub.notes] == [("narrative_table", "bảng 2")]


def test_a_section_given_texts_is_plain_paragraphs_and_blocks_give_texts():
    given = NarrativeSection("I.1.", "I.1", 0, ("Một.", "Hai."))
    assert given.blocks == (_plain("Một."), _plain("Hai."))
    built = NarrativeSection("I.1.", "I.1", 0, blocks=(
        _plain("Một."), NarrativeTable(((_cell("ô"),),)), _plain("Hai.", "bullet", 0, 1)))
    assert built.paragraphs == ("Một.", "Hai.")


def test_a_narrative_with_pictures_and_tables_comes_back_from_the_cache(tmp_path):
    sub = read_narrative(FORMATTED)
    with ResultCache(tmp_path / ".cache", "ngữ cảnh", log=lambda _: None) as cache:
        cache.put_many({"khtc": (sub, None)})
    with ResultCache(tmp_path / ".cache", "ngữ cảnh", log=lambda _: None) as cache:
        again = cache.get_many(["khtc"])
    assert again == {"khtc": (sub, None)}
    assert any(isinstance(b, NarrativeImage) for s in again["khtc"][0].sections
               for b in s.blocks)


# --- the day a narrative was sent: the date its word processor saved it --------------------
def _with_core(tmp_path, cat, name: str, modified: str, by: str):
    """The TTUD form, its core properties saying it was last saved `modified` by `by`."""
    path = tmp_path / name
    build_narrative_form(cat, cat.unit_by_code["TTUD"]).save(str(path))
    with zipfile.ZipFile(path) as zf:
        parts = {n: zf.read(n) for n in zf.namelist()}
    parts["docProps/core.xml"] = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/'
        'core-properties" xmlns:dcterms="http://purl.org/dc/terms/" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
        f'<cp:lastModifiedBy>{by}</cp:lastModifiedBy>'
        f'<dcterms:modified xsi:type="dcterms:W3CDTF">{modified}</dcterms:modified>'
        '</cp:coreProperties>').encode()
    with zipfile.ZipFile(path, "w") as zf:
        for n, data in parts.items():
            zf.writestr(n, data)
    return path


def test_a_narrative_is_dated_by_its_last_save_not_by_its_copy(tmp_path, cat):
    # Saved by the unit on 24/03/2020, copied (e-mailed, checked out) today: sent 24/03/2020,
    # whichever way it is read.
    path = _with_core(tmp_path, cat, "a.docx", "2020-03-24T02:30:00Z", "Nguyễn Văn An")
    for read in (read_narrative, narrative_unit):
        n = read(path)
        assert n.saved is not None and n.sent.isoformat() == "2020-03-24"


@pytest.mark.parametrize("modified, by", [
    ("2020-03-24T02:30:00Z", "khcn"),  # the form as this package wrote it: not a save
    ("ngày 24", "Nguyễn Văn An"),  # unreadable
    ("2099-01-01T00:00:00Z", "Nguyễn Văn An"),  # after the file's own date: a wrong clock
])
def test_without_a_believable_save_date_the_file_date_counts(tmp_path, cat, modified, by):
    path = _with_core(tmp_path, cat, "b.docx", modified, by)
    n = read_narrative(path)
    assert n.sent == n.file.modified.date()


def test_the_blank_form_says_it_was_made_by_this_package(tmp_path, cat):
    path = tmp_path / "mau.docx"
    build_narrative_form(cat, cat.unit_by_code["TTUD"]).save(str(path))
    core = zipfile.ZipFile(path).read("docProps/core.xml").decode()
    assert "<cp:lastModifiedBy>khcn</cp:lastModifiedBy>" in core
    assert "2013-12-23" not in core  # not python-docx's template dates
    assert read_narrative(path).saved is None


def test_the_libreoffice_fixture_is_dated_by_libreoffice(tmp_path):
    # LibreOffice wrote dcterms:modified when the script saved the file.
    n = read_narrative(FORMATTED)
    assert n.saved is not None and n.saved.year >= 2026
