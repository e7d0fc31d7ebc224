"""pipeline/read/package.py: sniff (a file's kind from its bytes), refusal, head_bytes,
is_percent_format and inspect_package (zip limits, DOCTYPE parts, macro sheets, VBA, the
cell scan of .xlsx and .ods, sheet extents), on bytes and files
made by hand."""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

import pytest
from docx import Document
from openpyxl import Workbook

from pipeline.read import package
from pipeline.read.package import (
    CellProblem,
    Package,
    Refused,
    WrongKind,
    head_bytes,
    inspect_package,
    is_percent_format,
    refusal,
    sniff,
)

OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # the OLE2 compound-file signature
ODS_MIME = b"application/vnd.oasis.opendocument.spreadsheet"
ODT_MIME = b"application/vnd.oasis.opendocument.text"


def _xlsx_bytes(fill=None) -> bytes:
    wb = Workbook()
    wb.active.title = "Số liệu"
    wb.active["A1"] = 1
    if fill:
        fill(wb.active)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _docx_bytes() -> bytes:
    out = io.BytesIO()
    Document().save(out)
    return out.getvalue()


def _zip_bytes(entries: dict[str, bytes], mimetype: bytes | None = None) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        if mimetype is not None:  # first and stored, as OpenDocument requires
            zf.writestr(zipfile.ZipInfo("mimetype"), mimetype, compress_type=zipfile.ZIP_STORED)
        for name, data in entries.items():
            zf.writestr(name, data)
    return out.getvalue()


def _with_parts(data: bytes, parts: dict[str, bytes]) -> bytes:
    """A copy of a zip package with `parts` added."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, \
            zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            dst.writestr(info, src.read(info))
        for name, part in parts.items():
            dst.writestr(name, part)
    return out.getvalue()


def _write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


# --- sniff -----------------------------------------------------------------------------------
def test_sniff_xlsx_made_by_openpyxl():
    assert sniff(_xlsx_bytes()) == ("xlsx", "zip")


def test_sniff_docx_made_by_python_docx():
    assert sniff(_docx_bytes()) == ("docx", "zip")


def test_sniff_ods_and_odt_by_their_mimetype_entry():
    assert sniff(_zip_bytes({"content.xml": b"<x/>"}, ODS_MIME)) == ("ods", "zip")
    assert sniff(_zip_bytes({"content.xml": b"<x/>"}, ODT_MIME)) == ("odt", "zip")


def test_sniff_xlsb_and_other_zips():
    assert sniff(_zip_bytes({"xl/workbook.bin": b"\0"})) == ("xlsb", "zip")
    assert sniff(_zip_bytes({"anh/1.jpg": b"\xff\xd8\xff"})) == ("archive", "zip")
    assert sniff(_zip_bytes({"a.txt": b"x"}, b"application/epub+zip")) == ("archive", "zip")


def test_sniff_a_truncated_zip_is_damaged():
    assert sniff(b"PK\x03\x04" + b"\x00" * 40) == ("damaged", "")


@pytest.mark.parametrize(("data", "suffix", "expected"), [
    (b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj", "", ("pdf", "")),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "", ("image", "PNG")),
    (b"\xff\xd8\xff\xe0\x00\x10JFIF", "", ("image", "JPEG")),
    (b"GIF89a\x01\x00", "", ("image", "GIF")),
    (b"II*\x00\x08\x00\x00\x00", "", ("image", "TIFF")),
    (b"RIFF\x24\x00\x00\x00WEBPVP8 ", "", ("image", "WEBP")),
    (b"{\\rtf1\\ansi\\deff0 Thuy\\'ea\\'ebt minh}", "", ("rtf", "")),
    (b"Rar!\x1a\x07\x01\x00", "", ("archive", "rar")),
    (b"7z\xbc\xaf\x27\x1c\x00\x04", "", ("archive", "7z")),
    (b"ma_chi_tieu;nam;gia_tri\nchi_nsdp;2019;17420000\n", ".csv", ("text", ".csv")),
    (b"chi_nsdp\t2019\n", ".txt", ("text", ".txt")),
    (b"chi_nsdp\t2019\n", "", ("unknown", "")),  # text is only told by its name
    (b"", "", ("unknown", "")),
])
def test_sniff_plain_files_by_magic_bytes(data, suffix, expected):
    assert sniff(data, suffix) == expected


@pytest.mark.parametrize(("stream", "expected"), [
    ("Workbook", "xls"),  # BIFF8
    ("Book", "xls"),  # BIFF5
    ("WordDocument", "doc"),
    ("EncryptedPackage", "encrypted"),  # an .xlsx/.docx saved with a password
    ("PowerPoint Document", "ole"),
])
def test_sniff_ole_container_by_the_names_of_its_streams(stream, expected):
    # Not a valid compound file: the names, in UTF-16 as the directory holds them, decide.
    data = OLE + b"\x00" * 504 + stream.encode("utf-16-le") + b"\x00" * 64
    assert sniff(data) == (expected, "")


# --- refusal ---------------------------------------------------------------------------------
def test_refusal_codes_and_words_by_kind():
    pdf = refusal("pdf", "", "bieu.pdf")
    assert (pdf.code, pdf.file, pdf.severity.value) == ("file_pdf", "bieu.pdf", "error")
    assert pdf.message.startswith("Tệp PDF không đọc được số liệu.")

    image = refusal("image", "PNG", "anh.png")
    assert image.code == "file_image"
    assert image.message.startswith("Tệp là ảnh (PNG), không đọc được số liệu.")

    csv = refusal("text", ".csv", "so_lieu.csv")
    assert csv.code == "file_csv"
    assert "(.csv)" in csv.message

    assert refusal("encrypted", "", "x.xlsx").code == "file_encrypted"
    assert refusal("xlsb", "zip", "x.xlsb").code == "file_xlsb"
    assert refusal("archive", "rar", "x.rar").message.startswith("Tệp là tệp nén (rar)")
    assert refusal("ole", "", "x.ppt").code == "file_ole_unknown"
    assert refusal("unknown", "", "x.bin").code == "file_not_office"
    assert refusal("something new", "", "x.bin").code == "file_not_office"


def test_refusal_of_a_damaged_zip_says_it_may_still_be_copying():
    f = refusal("damaged", "", "KHTC.xlsx")
    assert f.code == "file_unreadable"
    assert f.message.startswith(
        "Không mở được tệp (tệp nén bị hỏng hoặc chưa chép xong). Hãy mở tệp bằng Excel")


# --- head_bytes ------------------------------------------------------------------------------
def test_head_bytes_reads_the_first_64_bytes(tmp_path):
    data = bytes(range(100))
    assert head_bytes(_write(tmp_path, "a.bin", data)) == bytes(range(64))


def test_head_bytes_of_a_short_file_is_the_whole_file(tmp_path):
    assert head_bytes(_write(tmp_path, "a.bin", b"%PDF")) == b"%PDF"
    assert head_bytes(_write(tmp_path, "b.bin", b"")) == b""


# --- is_percent_format -----------------------------------------------------------------------
@pytest.mark.parametrize(("code", "expected"), [
    ("0%", True),
    ("0.00%", True),
    ("#,##0.0%", True),
    ("0.0%;[Red]-0.0%", True),
    ("0.0\"%\"", False),  # a percent sign in quotes is text, the value is not scaled
    ("0.0\\%", False),  # an escaped percent sign, likewise
    ("[$%-409]0", False),  # inside brackets: a locale tag, not a percent
    ("#,##0.00", False),
    ("General", False),
    ("", False),
])
def test_is_percent_format(code, expected):
    assert is_percent_format(code) is expected


# --- inspect_package: what is refused --------------------------------------------------------
def test_a_plain_xlsx_is_accepted_without_scan(tmp_path):
    data = _xlsx_bytes()
    path = _write(tmp_path, "KHTC.xlsx", data)

    pkg = inspect_package(path, "KHTC.xlsx", len(data), "xl/workbook.xml")

    assert pkg == Package(has_vba=False, cell_problems=(), extents={})


def test_too_large_a_file_is_refused_before_reading(tmp_path):
    path = _write(tmp_path, "to.xlsx", b"not even read")

    with pytest.raises(Refused) as e:
        inspect_package(path, "to.xlsx", 60 * 1024 * 1024, "xl/workbook.xml")

    f = e.value.finding
    assert (f.code, f.file) == ("file_too_large", "to.xlsx")
    assert "(62.914.560 byte > 52.428.800)" in f.message


def test_a_zip_with_a_doctype_part_is_refused(tmp_path):
    evil = (b'<?xml version="1.0"?>\n<!DOCTYPE lol [<!ENTITY a "aaaa">]>\n'
            b"<lol>&a;</lol>")
    data = _with_parts(_xlsx_bytes(), {"customXml/item1.xml": evil})
    path = _write(tmp_path, "KHTC.xlsx", data)

    with pytest.raises(Refused) as e:
        inspect_package(path, "KHTC.xlsx", len(data), "xl/workbook.xml", data=data)

    f = e.value.finding
    assert (f.code, f.file) == ("file_unreadable", "KHTC.xlsx")
    assert f.message.startswith(
        "Không mở được tệp (phần 'customXml/item1.xml' chứa khai báo DOCTYPE không an toàn).")


def test_a_doctype_after_a_comment_is_refused_too(tmp_path):
    evil = b'<?xml version="1.0"?><!-- ghi chu --><!doctype x SYSTEM "file:///etc/passwd"><x/>'
    data = _with_parts(_docx_bytes(), {"word/evil.xml": evil})
    path = _write(tmp_path, "tm.docx", data)

    with pytest.raises(Refused) as e:
        inspect_package(path, "tm.docx", len(data), "word/document.xml")

    assert "phần 'word/evil.xml' chứa khai báo DOCTYPE" in e.value.finding.message


def test_a_zip_with_too_many_entries_is_refused(tmp_path):
    entries = {"xl/workbook.xml": b"<workbook/>"}
    entries.update({f"xl/media/p{i}.xml": b"<p/>" for i in range(2_000)})
    data = _zip_bytes(entries)
    path = _write(tmp_path, "nhieu.xlsx", data)

    with pytest.raises(Refused) as e:
        inspect_package(path, "nhieu.xlsx", len(data), "xl/workbook.xml")

    f = e.value.finding
    assert f.code == "file_too_large"
    assert "(2001 phần > 2000)" in f.message


def test_a_part_compressed_beyond_the_ratio_is_refused(tmp_path):
    data = _zip_bytes({"xl/workbook.xml": b"<workbook/>",
                       "xl/worksheets/sheet1.xml": b"<a>" + b" " * 3_000_000 + b"</a>"})
    path = _write(tmp_path, "bom.xlsx", data)

    with pytest.raises(Refused) as e:
        inspect_package(path, "bom.xlsx", len(data), "xl/workbook.xml")

    assert e.value.finding.code == "file_too_large"
    assert "phần 'xl/worksheets/sheet1.xml' nén bất thường" in e.value.finding.message


def test_an_excel4_macro_sheet_is_refused(tmp_path):
    data = _with_parts(_xlsx_bytes(), {"xl/macrosheets/sheet1.xml": b"<xm/>"})
    path = _write(tmp_path, "macro.xlsm", data)

    with pytest.raises(Refused) as e:
        inspect_package(path, "macro.xlsm", len(data), "xl/workbook.xml")

    assert e.value.finding.code == "file_macro_sheet"


def test_a_vba_project_is_noted_not_refused(tmp_path):
    data = _with_parts(_xlsx_bytes(), {"xl/vbaProject.bin": b"\x00\x01"})
    path = _write(tmp_path, "vba.xlsm", data)

    assert inspect_package(path, "vba.xlsm", len(data), "xl/workbook.xml").has_vba is True


def test_a_damaged_zip_is_unreadable(tmp_path):
    data = b"PK\x03\x04" + b"\x00" * 200
    path = _write(tmp_path, "hong.xlsx", data)

    with pytest.raises(Refused) as e:
        inspect_package(path, "hong.xlsx", len(data), "xl/workbook.xml")

    f = e.value.finding
    assert f.code == "file_unreadable"
    assert "tệp nén bị hỏng hoặc chưa chép xong" in f.message


def test_a_narrative_given_as_a_workbook_is_the_other_kind(tmp_path):
    data = _docx_bytes()
    path = _write(tmp_path, "KHTC.xlsx", data)

    with pytest.raises(WrongKind) as e:
        inspect_package(path, "KHTC.xlsx", len(data), "xl/workbook.xml")

    assert e.value.kind == "docx"


def test_an_archive_given_as_a_workbook_is_refused(tmp_path):
    data = _zip_bytes({"KHTC.xlsx": b"PK"})
    path = _write(tmp_path, "KHTC.xlsx", data)

    with pytest.raises(Refused) as e:
        inspect_package(path, "KHTC.xlsx", len(data), "xl/workbook.xml")

    assert e.value.finding.code == "file_archive"
    assert "Tệp là tệp nén (zip)" in e.value.finding.message


def test_not_a_zip_is_refused_by_its_kind(tmp_path):
    data = b"%PDF-1.7\n" + b"0" * 100
    path = _write(tmp_path, "KHTC.xlsx", data)

    with pytest.raises(Refused) as e:
        inspect_package(path, "KHTC.xlsx", len(data), "xl/workbook.xml")

    assert (e.value.finding.code, e.value.finding.file) == ("file_pdf", "KHTC.xlsx")


def test_a_doc_given_as_a_docx_is_the_other_kind(tmp_path):
    data = OLE + b"\x00" * 504 + "WordDocument".encode("utf-16-le") + b"\x00" * 64
    path = _write(tmp_path, "tm.docx", data)

    with pytest.raises(WrongKind) as e:
        inspect_package(path, "tm.docx", len(data), "word/document.xml")

    assert e.value.kind == "doc"


# --- inspect_package: the cell scan ----------------------------------------------------------
def test_scan_finds_formula_without_value_error_cell_percent_cell_and_extent(tmp_path):
    def fill(ws):
        ws["B2"] = 0.015
        ws["B2"].number_format = "0.0%"
        ws["C3"] = "=B2*2"  # openpyxl writes no cached value
        ws["D5"] = "#DIV/0!"  # written as an error cell
        ws["F4"] = 12

    data = _xlsx_bytes(fill)
    path = _write(tmp_path, "KHTC.xlsx", data)

    pkg = inspect_package(path, "KHTC.xlsx", len(data), "xl/workbook.xml", scan_cells=True,
                          data=data)

    assert pkg.cell_problems == (
        CellProblem("Số liệu", "C3", "formula_no_value", "=B2*2"),
        CellProblem("Số liệu", "D5", "error_cell", "#DIV/0!"),
    )
    assert pkg.percent_cells == frozenset({("Số liệu", "B2")})
    assert pkg.extents == {"Số liệu": (5, 6)}
    assert pkg.has_vba is False


def test_scan_of_a_sheet_without_formulas_gives_its_extent_only(tmp_path):
    def fill(ws):
        ws["H12"] = "cuối"

    data = _xlsx_bytes(fill)
    path = _write(tmp_path, "a.xlsx", data)

    pkg = inspect_package(path, "a.xlsx", len(data), "xl/workbook.xml", scan_cells=True)

    assert pkg.cell_problems == ()
    assert pkg.percent_cells == frozenset()
    assert pkg.extents == {"Số liệu": (12, 8)}


def test_scan_skips_the_sheets_it_is_told_to(tmp_path):
    def fill(ws):
        ws["A2"] = "=1/0"

    data = _xlsx_bytes(fill)
    path = _write(tmp_path, "a.xlsx", data)

    pkg = inspect_package(path, "a.xlsx", len(data), "xl/workbook.xml", scan_cells=True,
                          skip_sheets=("Số liệu",))

    assert pkg.cell_problems == ()
    assert pkg.extents == {}


ODS_CONTENT = """<?xml version="1.0" encoding="UTF-8"?>
<office:document-content
 xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"
 xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0"
 xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"
 xmlns:calcext="urn:org:documentfoundation:names:experimental:calc:xmlns:calcext:1.0">
<office:body><office:spreadsheet>
<table:table table:name="I.1">
 <table:table-row>
  <table:table-cell office:value-type="string"><text:p>Mã</text:p></table:table-cell>
  <table:table-cell table:number-columns-spanned="2" office:value-type="string">
   <text:p>gộp</text:p></table:table-cell>
  <table:covered-table-cell/>
 </table:table-row>
 <table:table-row>
  <table:table-cell/>
  <table:table-cell office:value-type="percentage" office:value="0.015">
   <text:p>1,5%</text:p></table:table-cell>
  <table:table-cell table:formula="of:=1/0" office:value-type="float" office:value="0"
   calcext:value-type="error"><text:p>#DIV/0!</text:p></table:table-cell>
 </table:table-row>
 <table:table-row>
  <table:table-cell table:formula="of:=[.A1]*2"/>
 </table:table-row>
</table:table>
</office:spreadsheet></office:body></office:document-content>
""".encode()


def test_scan_of_an_ods(tmp_path):
    data = _zip_bytes({"content.xml": ODS_CONTENT}, ODS_MIME)
    path = _write(tmp_path, "KHTC.ods", data)

    pkg = inspect_package(path, "KHTC.ods", len(data), "content.xml", scan_cells=True,
                          data=data)

    assert pkg.cell_problems == (
        CellProblem("I.1", "C2", "error_cell", "#DIV/0!"),
        CellProblem("I.1", "A3", "formula_no_value", "=[.A1]*2"),
    )
    assert pkg.percent_cells == frozenset({("I.1", "B2")})
    assert pkg.merges == (("I.1", "B1:C1"),)
    assert pkg.extents == {"I.1": (3, 3)}


def test_an_ods_with_content_is_accepted_without_scan(tmp_path):
    data = _zip_bytes({"styles.xml": b"<s/>", "content.xml": b"<c/>"}, ODS_MIME)
    path = _write(tmp_path, "b.ods", data)

    assert inspect_package(path, "b.ods", len(data), "content.xml") == Package(False, (), {})


def test_an_ods_without_content_is_refused_not_sent_back_as_an_ods(tmp_path):
    bare = _zip_bytes({"styles.xml": b"<s/>"}, ODS_MIME)
    path = _write(tmp_path, "a.ods", bare)

    with pytest.raises(Refused) as e:
        inspect_package(path, "a.ods", len(bare), "content.xml", scan_cells=True)

    assert (e.value.finding.code, e.value.finding.file) == ("file_not_office", "a.ods")


# --- inspect_package: the extent of a sheet too large to scan --------------------------------
def test_a_sheet_too_large_to_scan_gets_its_real_extent(tmp_path, monkeypatch):
    def fill(ws):
        for row in range(1, 301):
            ws.cell(row, 2, row)
        ws["H300"] = "cuối"

    data = _xlsx_bytes(fill)
    path = _write(tmp_path, "a.xlsx", data)
    # Parts above the scan's limit are streamed: small chunks, so that addresses fall across
    # their edges.
    monkeypatch.setattr(package, "MAX_SCANNED_PART_BYTES", 1_000)
    monkeypatch.setattr(package, "STREAM_CHUNK", 50)

    pkg = inspect_package(path, "a.xlsx", len(data), "xl/workbook.xml", scan_cells=True,
                          data=data)

    assert pkg.extents == {"Số liệu": (300, 8)}
    assert pkg.cell_problems == ()  # not scanned for formulas: the reader skips the sheet


def test_the_extent_is_the_cells_not_the_dimension_the_writer_claims(tmp_path):
    def fill(ws):
        ws["C3"] = "=1+1"  # a formula: the sheet is parsed, not only byte-scanned

    data = _rewrite(_xlsx_bytes(fill), SHEET_XML, lambda xml: re.sub(
        rb'<dimension ref="[^"]*"/>', b'<dimension ref="A1:XFD1048576"/>', xml))
    path = _write(tmp_path, "a.xlsx", data)

    pkg = inspect_package(path, "a.xlsx", len(data), "xl/workbook.xml", scan_cells=True,
                          data=data)

    assert pkg.extents == {"Số liệu": (3, 3)}


def test_a_sheet_whose_part_is_missing_has_no_extent_but_a_mark(tmp_path):
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(_xlsx_bytes())) as src, \
            zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            if info.filename != SHEET_XML:
                dst.writestr(info, src.read(info))
    data = out.getvalue()
    path = _write(tmp_path, "a.xlsx", data)

    pkg = inspect_package(path, "a.xlsx", len(data), "xl/workbook.xml", scan_cells=True,
                          data=data)

    assert pkg.extents == {"Số liệu": package.MISSING_PART}


SHEET_XML = "xl/worksheets/sheet1.xml"


def _rewrite(data: bytes, part: str, edit) -> bytes:
    """A copy of a zip package with one part changed by `edit`."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, \
            zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            part_data = src.read(info)
            dst.writestr(info, edit(part_data) if info.filename == part else part_data)
    return out.getvalue()
