"""Hostile and odd inputs (../shared/RELIABILITY.md), one test per row not covered by
test_read.py. Every file is built here, in tmp_path, from a real form; each lands in an inputs
folder beside a good workbook of another unit, which must still be read with its values.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import random
import re
import threading
import unicodedata
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from openpyxl import load_workbook

from pipeline.build import MERGED_CSV, MERGED_XLSX, run_build
from pipeline.core.findings import Finding, Severity
from pipeline.core.limits import has_resource, start_method
from pipeline.core.text import MAX_CELL_CHARS
from pipeline.forms import build_narrative_form
from pipeline.read import files as read_mod
from pipeline.read.files import read_inputs
from pipeline.read.model import Inputs, WorkbookSubmission
from pipeline.read.workbook import read_workbook
from pipeline.tools.samples import fill_workbook, sample_values
from pipeline.validate.submissions import validate

from .conftest import TEMPLATE, cells_by_year, write_unit_workbook

GOOD = "VP_good.xlsx"  # the well-behaved unit: every test checks it is still read
GOOD_UNIT = "VP"
UNIT = "TTRA"  # the unit whose file is hostile (one sheet, I.7)
SHEET = "I.7"
AS_OF = dt.date(2020, 3, 30)
VI_LETTERS = re.compile("[àáảãạăằắẳẵặâầấẩẫậđèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵ]")

TRANSITIONAL_MAIN = b"http://schemas.openxmlformats.org/spreadsheetml/2006/main"
STRICT_MAIN = b"http://purl.oclc.org/ooxml/spreadsheetml/main"
TRANSITIONAL_RELS = b"http://schemas.openxmlformats.org/officeDocument/2006/relationships"
STRICT_RELS = b"http://purl.oclc.org/ooxml/officeDocument/relationships"


# --- helpers -------------------------------------------------------------------------------
# (sheet, 1-based row, A1) of the cells used here in TTRA's form, read off the form: sheet
# I.7, its rows from row 6 in the catalogue's order, the years 2011-2019 in columns E to M,
# the note ("Nguồn số liệu, ghi chú", year None) in column O.
PLACES: dict[tuple[str, int | None], tuple[str, int, str]] = {
    ("tt_cuoc.thanh_tra", None): ("I.7", 6, "O6"),
    ("tt_cuoc.kiem_tra", 2015): ("I.7", 7, "I7"),
    ("tt_cuoc.kiem_tra", None): ("I.7", 7, "O7"),
    ("tt_co_so", 2015): ("I.7", 9, "I9"),
    ("tt_co_so", None): ("I.7", 9, "O9"),
    ("tt_vi_pham", None): ("I.7", 10, "O10"),
    ("tt_tien_phat", 2017): ("I.7", 11, "K11"),
    ("tt_tien_phat", None): ("I.7", 11, "O11"),
}

# The severity each finding of these tests has (a file that cannot be used is an error; a
# note about what was dropped or cut is information or a warning).
SEVERITY = {
    "error_cell": Severity.ERROR, "formula_no_value": Severity.ERROR,
    "sheet_too_large": Severity.ERROR, "file_macro_sheet": Severity.ERROR,
    "file_timeout": Severity.ERROR, "file_too_large": Severity.ERROR,
    "file_unreadable": Severity.ERROR, "control_chars": Severity.INFO,
    "macro_ignored": Severity.INFO, "text_truncated": Severity.WARNING,
}


def _place(cat, unit: str, key: str, year: int | None = None) -> tuple[str, int, str]:
    """(sheet, 1-based row, A1) of a row key's cell in the unit's form."""
    assert unit == UNIT
    return PLACES[(key, year)]


def _form(cat, path: Path, cells: dict[str, object] | None = None, unit: str = UNIT,
          as_text: bool = False) -> Path:
    """The unit's form filled with the sample values, then `cells` (A1 of its item sheet ->
    value) typed in through openpyxl; with `as_text`, text starting with '=' is stored as a
    string cell (as Excel does for text typed after an apostrophe), not as a formula."""
    u = cat.unit_by_code[unit]
    wb = fill_workbook(cat, u, sample_values(cat, u), {"ngay_gui": "20/03/2020"},
                       today=dt.date(2020, 3, 1))
    ws = wb[cat.data_items_of(unit)[0].code]
    for a1, value in (cells or {}).items():
        ws[a1] = value
        if as_text and isinstance(value, str):
            ws[a1].data_type = "s"
    wb.save(path)
    return path


def _rezip(src: Path, dst: Path, change: dict[str, Callable[[bytes], bytes]] | None = None,
           extra: dict[str, bytes] | None = None) -> Path:
    """Copy a zip package member by member, rewriting some members and adding others."""
    change = change or {}
    out = io.BytesIO()
    with zipfile.ZipFile(src) as s, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as d:
        for info in s.infolist():
            data = s.read(info)
            if info.filename in change:
                data = change[info.filename](data)
            d.writestr(info.filename, data)
        for name, data in (extra or {}).items():
            d.writestr(name, data)
    dst.write_bytes(out.getvalue())
    return dst


def _sheet_part(path: Path) -> str:
    """Zip path of the item sheet (the second worksheet written by openpyxl)."""
    with zipfile.ZipFile(path) as z:
        parts = sorted(n for n in z.namelist() if n.startswith("xl/worksheets/sheet"))
    assert len(parts) >= 2, parts  # metadata, the item sheet, then the list sheets
    return parts[1]


def _replace(old: bytes, new: bytes) -> Callable[[bytes], bytes]:
    def f(data: bytes) -> bytes:
        assert data.count(old) == 1, old
        return data.replace(old, new)
    return f


def _assert_told(f: Finding, code: str, name: str, *words: str, sheet: str = "",
                 cell: str = "") -> None:
    """The finding's code and place, and a Vietnamese message saying what to do."""
    assert (f.code, f.file, f.sheet, f.cell) == (code, name, sheet, cell)
    assert f.severity is SEVERITY[code]
    assert VI_LETTERS.search(f.message.lower())
    assert "hãy" in f.message.lower()  # every message ends with what to do
    for w in words:
        assert w in f.message
    assert name in f.line()
    if sheet and cell:
        assert f"{sheet}!{cell}" in f.line()


def _assert_good_read(inputs: Inputs, cat) -> None:
    """The good workbook is read, with every sample value in its cell."""
    [wb] = [w for w in inputs.workbooks if w.file.name == GOOD]
    assert wb.unit == GOOD_UNIT
    assert wb.notes == ()
    got = cells_by_year(cat, wb)
    expected = sample_values(cat, cat.unit_by_code[GOOD_UNIT])
    assert len(expected) > 20
    assert {k: got.get(k) for k in expected} == expected
    assert GOOD not in {f.file for f in inputs.findings}


def _only(findings, name: str) -> list[Finding]:
    return [f for f in findings if f.file == name]


def _submission(inputs: Inputs, name: str) -> WorkbookSubmission:
    [wb] = [w for w in inputs.workbooks if w.file.name == name]
    return wb


@pytest.fixture()
def folder(tmp_path, cat) -> Path:
    folder = tmp_path / "inputs"
    folder.mkdir()
    write_unit_workbook(cat, GOOD_UNIT, folder / GOOD)
    return folder


# --- XML bomb, XXE -------------------------------------------------------------------------
LAUGHS = (b'<!DOCTYPE sst [<!ENTITY lol "lol">'
          + b"".join(b'<!ENTITY lol%d "%s">' % (i, (b"&lol%d;" % (i - 1) if i > 1 else b"&lol;")
                                                   * 10) for i in range(1, 10))
          + b"]>")
SST_REL = (b'<Relationship Type="http://schemas.openxmlformats.org/officeDocument/2006/'
           b'relationships/sharedStrings" Target="sharedStrings.xml" Id="rIdSst"/>')
SST_TYPE = (b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
            b'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>')


def _with_shared_string(cat, tmp: Path, dst: Path, doctype: bytes, text: bytes) -> Path:
    """A real form whose note cell of tt_co_so is shared string 0, held in an added
    xl/sharedStrings.xml (openpyxl writes inline strings) that starts with `doctype`."""
    sheet, _, a1 = _place(cat, UNIT, "tt_co_so")
    src = _form(cat, tmp / "src.xlsx", {a1: "SSTMARK"})

    def to_shared(data: bytes) -> bytes:
        new, n = re.subn(rb'<c r="%s"([^>]*) t="inlineStr"><is><t>SSTMARK</t></is></c>'
                         % a1.encode(), rb'<c r="%s"\1 t="s"><v>0</v></c>' % a1.encode(), data)
        assert n == 1
        return new

    sst = (b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n' + doctype
           + b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
           b'count="1" uniqueCount="1"><si><t>' + text + b"</t></si></sst>")
    return _rezip(src, dst, change={
        _sheet_part(src): to_shared,
        "xl/_rels/workbook.xml.rels": _replace(b"</Relationships>", SST_REL + b"</Relationships>"),
        "[Content_Types].xml": _replace(b"</Types>", SST_TYPE + b"</Types>"),
    }, extra={"xl/sharedStrings.xml": sst})


def test_shared_string_part_without_doctype_is_read(tmp_path, cat, folder):
    # The control for the bomb below: the same package shape, no DTD, reads the note.
    _with_shared_string(cat, tmp_path, folder / "sst.xlsx", b"", "Theo Cục Thống kê".encode())
    inputs = read_inputs(folder)
    assert inputs.findings == ()
    rows = {r.indicator: r.note for r in _submission(inputs, "sst.xlsx").rows}
    assert rows["tt_co_so"] == "Theo Cục Thống kê"
    _assert_good_read(inputs, cat)


def test_billion_laughs_in_shared_strings_is_refused(tmp_path, cat, folder):
    name = "bom_xml.xlsx"
    _with_shared_string(cat, tmp_path, folder / name, LAUGHS, b"&lol9;")
    inputs = read_inputs(folder)
    assert [f.file for f in inputs.findings] == [name]
    _assert_told(inputs.findings[0], "file_unreadable", name, "DOCTYPE", "xl/sharedStrings.xml")
    assert [w.file.name for w in inputs.workbooks] == [GOOD]
    _assert_good_read(inputs, cat)


XXE = b'<!DOCTYPE w:document [<!ENTITY xxe SYSTEM "file:///etc/hostname">]>'


def _narrative(cat, path: Path, texts: dict[tuple[str, int], list[str]],
               unit: str = UNIT) -> Path:
    build_narrative_form(cat, cat.unit_by_code[unit], texts).save(str(path))
    return path


def _xxe_docx(cat, tmp: Path, dst: Path, how: str) -> Path:
    src = _narrative(cat, tmp / "src.docx", {("I.7", 0): ["Đoạn MARK hết."]})

    def change(data: bytes) -> bytes:
        decl, sep, rest = data.partition(b"?>")
        rest = rest.replace(b"MARK", b"&xxe;")
        if how == "plain":
            return decl + sep + XXE + rest
        if how == "late":  # a DOCTYPE may follow comments: here after 5 KB of one
            return decl + sep + b"<!--" + b" " * 5000 + b"-->" + XXE + rest
        # UTF-16 with a byte-order mark, as XML allows for any part
        text = (b'<?xml version="1.0" encoding="UTF-16" standalone="yes"?>' + XXE
                + rest).decode("utf-8")
        return b"\xff\xfe" + text.encode("utf-16-le")
    return _rezip(src, dst, change={"word/document.xml": change})


def test_xxe_in_narrative_docx_is_refused(tmp_path, cat, folder):
    name = "TTRA_xxe.docx"
    _xxe_docx(cat, tmp_path, folder / name, "plain")
    inputs = read_inputs(folder)
    assert [f.file for f in inputs.findings] == [name]
    _assert_told(inputs.findings[0], "file_unreadable", name, "DOCTYPE", "word/document.xml")
    assert inputs.narratives == ()
    _assert_good_read(inputs, cat)


@pytest.mark.parametrize("how", ["late", "utf16"])
def test_xxe_doctype_the_sniffer_does_not_see_is_still_refused(tmp_path, cat, folder, how):
    # RELIABILITY: "refuse any part with a DOCTYPE"; python-docx silently drops the entity,
    # so a DOCTYPE that reaches it loses text without a word.
    name = f"TTRA_xxe_{how}.docx"
    _xxe_docx(cat, tmp_path, folder / name, how)
    inputs = read_inputs(folder)
    kept = [p for n in inputs.narratives for s in n.sections for p in s.paragraphs]
    assert inputs.narratives == (), f"read, the entity silently dropped: {kept}"
    assert [(f.code, f.file) for f in inputs.findings] == [("file_unreadable", name)]
    _assert_good_read(inputs, cat)


def test_refused_docx_is_not_told_to_save_as_an_excel_workbook(tmp_path, cat, folder):
    # A unit's narrative refused (here: a DOCTYPE) must be told what to do with a Word file.
    name = "TTRA_xxe.docx"
    _xxe_docx(cat, tmp_path, folder / name, "plain")
    [f] = read_inputs(folder).findings
    assert f.code == "file_unreadable"
    assert "Excel Workbook (.xlsx)" not in f.message, f.message


# --- Strict OOXML ----------------------------------------------------------------------------
def _to_strict(src: Path, dst: Path) -> Path:
    """The same package with every transitional namespace and relationship type replaced by
    its Strict (ISO/IEC 29500 Strict) URI."""
    def strict(data: bytes) -> bytes:
        return data.replace(TRANSITIONAL_MAIN, STRICT_MAIN).replace(TRANSITIONAL_RELS,
                                                                    STRICT_RELS)
    with zipfile.ZipFile(src) as z:
        names = [n for n in z.namelist() if n.endswith((".xml", ".rels"))]
    out = _rezip(src, dst, change={n: strict for n in names})
    with zipfile.ZipFile(out) as z:  # the conversion really happened
        every = b"".join(z.read(n) for n in names)
    assert TRANSITIONAL_MAIN not in every and TRANSITIONAL_RELS not in every
    assert every.count(STRICT_MAIN) >= 3
    assert STRICT_RELS + b"/officeDocument" in every and STRICT_RELS + b"/worksheet" in every
    return out


def test_strict_ooxml_form_is_read_with_the_same_values(tmp_path, cat, folder):
    # python-calamine 0.9.1 reads Strict packages: the strict copy of a filled form gives the
    # same metadata, rows and cells as the transitional file (never a silent 0 values).
    sheet, _, a1 = _place(cat, UNIT, "tt_tien_phat", 2017)
    transitional = _form(cat, tmp_path / "t.xlsx", {a1: 1234.5})
    name = "TTRA_strict.xlsx"
    _to_strict(transitional, folder / name)
    expected = read_workbook(transitional)

    inputs = read_inputs(folder)

    assert inputs.findings == ()
    got = _submission(inputs, name)
    assert got.unit == UNIT
    assert got.sheets == expected.sheets
    assert got.sheets[:2] == ("Thông tin", SHEET)
    assert dict(got.meta) == dict(expected.meta)
    assert got.rows == expected.rows
    assert got.cells == expected.cells
    assert len(got.cells) == 54
    assert {c.cell: c.raw for c in got.cells}[a1] == 1234.5
    assert got.notes == ()
    _assert_good_read(inputs, cat)
    # and it passes validation like the transitional file
    values = [v for v in validate(cat, inputs).values if v.file == name]
    assert len(values) == len(sample_values(cat, cat.unit_by_code[UNIT]))


def test_strict_ooxml_formula_without_value_is_still_found(tmp_path, cat, folder):
    sheet, _, a1 = _place(cat, UNIT, "tt_cuoc.kiem_tra", 2015)
    name = "TTRA_strict.xlsx"
    _to_strict(_form(cat, tmp_path / "t.xlsx", {a1: "=1+1"}), folder / name)
    inputs = read_inputs(folder)
    notes = _submission(inputs, name).notes
    assert [(f.code, f.sheet, f.cell, f.value) for f in notes] == [
        ("formula_no_value", sheet, a1, "=1+1")]


# --- formulas without a cached value, error cells --------------------------------------------
def test_formula_without_cached_value_is_reported_once(tmp_path, cat, folder):
    sheet, _, a1 = _place(cat, UNIT, "tt_cuoc.kiem_tra", 2015)  # a required cell
    name = "TTRA_cong_thuc.xlsx"
    _form(cat, folder / name, {a1: "=1+1"})

    inputs = read_inputs(folder)
    assert inputs.findings == ()
    checked = validate(cat, inputs)

    at_cell = [f for f in checked.findings if (f.file, f.sheet, f.cell) == (name, sheet, a1)]
    assert len(at_cell) == 1  # no "required_missing" for the same cell
    _assert_told(at_cell[0], "formula_no_value", name, "'=1+1'", "LibreOffice",
                 sheet=sheet, cell=a1)
    assert not [f for f in checked.findings if f.code == "required_missing"]
    assert a1 not in {v.cell for v in checked.values if v.file == name}
    # the other cells of the file are used
    assert len([v for v in checked.values if v.file == name]) == len(
        sample_values(cat, cat.unit_by_code[UNIT])) - 1
    _assert_good_read(inputs, cat)


def test_error_cell_is_reported_at_its_cell(tmp_path, cat, folder):
    sheet, _, a1 = _place(cat, UNIT, "tt_cuoc.kiem_tra", 2015)
    name = "TTRA_loi.xlsx"
    path = _form(cat, folder / name, {a1: "#DIV/0!"})
    with zipfile.ZipFile(path) as z:  # openpyxl stored it as an error cell
        assert re.search(rb'<c r="%s"[^>]* t="e"><v>#DIV/0!</v>' % a1.encode(),
                         z.read(_sheet_part(path)))

    inputs = read_inputs(folder)
    checked = validate(cat, inputs)

    at_cell = [f for f in checked.findings if (f.file, f.sheet, f.cell) == (name, sheet, a1)]
    assert len(at_cell) == 1
    _assert_told(at_cell[0], "error_cell", name, "#DIV/0!", sheet=sheet, cell=a1)
    assert at_cell[0].value == "#DIV/0!"
    assert not [f for f in checked.findings if f.code == "required_missing"]
    _assert_good_read(inputs, cat)


# --- macros ----------------------------------------------------------------------------------
def test_xlsm_with_vba_project_is_read_and_the_macro_ignored(tmp_path, cat, folder):
    name = "TTRA_macro.xlsm"
    _rezip(_form(cat, tmp_path / "t.xlsx"), folder / name,
           extra={"xl/vbaProject.bin": bytes.fromhex("D0CF11E0A1B11AE1") + bytes(1024)})

    inputs = read_inputs(folder)

    assert inputs.findings == ()
    wb = _submission(inputs, name)
    assert wb.unit == UNIT
    got = cells_by_year(cat, wb)
    expected = sample_values(cat, cat.unit_by_code[UNIT])
    assert {k: got[k] for k in expected} == expected
    assert len(wb.notes) == 1
    _assert_told(wb.notes[0], "macro_ignored", name, "VBA", "không bao giờ được chạy")
    assert wb.notes[0].severity is Severity.INFO
    _assert_good_read(inputs, cat)


def test_excel4_macro_sheet_is_refused(tmp_path, cat, folder):
    name = "TTRA_xlm.xlsm"
    sheet = (b'<?xml version="1.0" encoding="UTF-8"?><xm:macrosheet xmlns:xm='
             b'"http://schemas.microsoft.com/office/excel/2006/main"><sheetData/></xm:macrosheet>')
    _rezip(_form(cat, tmp_path / "t.xlsx"), folder / name,
           extra={"xl/macrosheets/sheet1.xml": sheet})

    inputs = read_inputs(folder)

    assert [f.file for f in inputs.findings] == [name]
    _assert_told(inputs.findings[0], "file_macro_sheet", name, "macro Excel 4.0")
    assert [w.file.name for w in inputs.workbooks] == [GOOD]
    _assert_good_read(inputs, cat)


# --- text hygiene ----------------------------------------------------------------------------
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


@pytest.mark.parametrize(("typed", "stored"), [
    # Excel writes a control character into the XML as _xHHHH_; calamine decodes it.
    ("Nguồn_x0007_ Cục_x0001_ Thống kê", "Nguồn  Cục  Thống kê"),
    ("Báo cáo_x000C_số_x001B_12_x0000_", "Báo cáo số 12"),
    ("Theo\x7fCục\x85Thống kê", "Theo Cục Thống kê"),  # DEL and a C1 control, written as is
], ids=["bel_soh", "ff_esc_nul", "del_c1"])
def test_control_characters_in_a_note_are_replaced_and_noted(tmp_path, cat, folder, typed,
                                                             stored):
    sheet, row, a1 = _place(cat, UNIT, "tt_co_so")
    name = "TTRA_ky_tu.xlsx"
    _form(cat, folder / name, {a1: typed})

    inputs = read_inputs(folder)

    assert inputs.findings == ()
    wb = _submission(inputs, name)
    [info] = [r for r in wb.rows if r.indicator == "tt_co_so"]
    assert info.row == row
    assert not _CONTROL.search(info.note)
    assert info.note == stored
    assert [(f.code, f.sheet, f.cell) for f in wb.notes] == [("control_chars", sheet, a1)]
    _assert_told(wb.notes[0], "control_chars", name, "ký tự điều khiển", sheet=sheet, cell=a1)
    assert wb.notes[0].severity is Severity.INFO
    _assert_good_read(inputs, cat)


MARKUP_NOTE = "R&D <b>đậm</b> & A < B > C {{ x }} {% if true %}có{% endif %}"
MARKUP_PARA = "Chi cho R&D: A < B & C > D; mẫu {{ unit.name }} {% for x in y %}{{ x }}{% endfor %}"


def test_markup_and_template_syntax_are_kept_literally(tmp_path, cat, folder):
    sheet, _, a1 = _place(cat, UNIT, "tt_co_so")
    _form(cat, folder / "TTRA_ky_hieu.xlsx", {a1: MARKUP_NOTE})
    _narrative(cat, folder / "TTRA_tm.docx", {("I.7", 0): [MARKUP_PARA]})

    inputs = read_inputs(folder)

    assert inputs.findings == ()
    wb = _submission(inputs, "TTRA_ky_hieu.xlsx")
    assert {r.indicator: r.note for r in wb.rows}["tt_co_so"] == MARKUP_NOTE
    assert wb.notes == ()
    [narr] = inputs.narratives
    assert [(s.item, s.paragraphs) for s in narr.sections] == [("I.7", (MARKUP_PARA,))]
    assert narr.notes == ()
    _assert_good_read(inputs, cat)


FORMULA_NOTES = {  # row key -> note typed by the unit
    "tt_cuoc.thanh_tra": "=1+2",
    "tt_cuoc.kiem_tra": '=HYPERLINK("http://x.invalid","bấm")',
    "tt_co_so": "+84 204 3854",
    "tt_vi_pham": "-3 so với kỳ trước",
    "tt_tien_phat": "@SUM(A1:A9)",
}


def test_text_starting_a_formula_is_written_as_text_in_xlsx_and_csv(tmp_path, cat, folder):
    # Text typed in a note as '=1+2 is a string cell in the unit's file; it reaches the
    # merged outputs as text that would start a formula there.
    cells = {_place(cat, UNIT, key)[2]: note for key, note in FORMULA_NOTES.items()}
    path = _form(cat, folder / "TTRA_cong_thuc_ghi_chu.xlsx", cells, as_text=True)
    wb_in = load_workbook(path)
    assert {wb_in[SHEET][a1].data_type for a1 in cells} == {"s"}

    result = run_build(folder, tmp_path / "out", cat, TEMPLATE, as_of=AS_OF, pdf=False,
                       log=lambda _: None)

    ws = load_workbook(result.folder / MERGED_XLSX)["Số liệu"]
    headers = [c.value for c in ws[1]]
    note_col = headers.index("Nguồn số liệu, ghi chú") + 1
    notes = [ws.cell(r, note_col) for r in range(2, ws.max_row + 1)]
    for note in FORMULA_NOTES.values():
        found = [c for c in notes if c.value == note]
        assert found, note
        assert {c.data_type for c in found} == {"s"}, note
    assert not [c for c in notes if c.data_type == "f"]

    with (result.folder / MERGED_CSV).open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh))
    col = rows[0].index("note")
    csv_notes = {r[col] for r in rows[1:]}
    for note in FORMULA_NOTES.values():
        assert "'" + note in csv_notes, note
        assert note not in csv_notes, note


# --- size limits -----------------------------------------------------------------------------
def test_huge_declared_dimensions_are_a_finding_not_a_crash(tmp_path, cat, folder,
                                                            monkeypatch):
    monkeypatch.setenv("RUST_BACKTRACE", "0")  # a crashing worker: no backtrace in the log
    name = "TTRA_rong.xlsx"
    _form(cat, folder / name, {"XFD1048576": 1})
    # A short timeout: a worker that dies or hangs shows as "file_timeout" after 2 × timeout_s
    # (with the default 60 s, two minutes), which is not the finding this file should get.
    inputs = read_inputs(folder, timeout_s=5)
    _assert_good_read(inputs, cat)
    found = [f for f in inputs.findings if f.file == name]
    found += [f for w in inputs.workbooks if w.file.name == name for f in w.notes]
    assert [(f.code, f.sheet) for f in found] == [("sheet_too_large", SHEET)], [
        (f.code, f.message) for f in found]
    _assert_told(found[0], "sheet_too_large", name, sheet=SHEET)
    assert "1048576" in re.sub(r"[,.\s]", "", found[0].message)  # names the size


WORDS = {
    "vietnamese": "nguồn số liệu cục thống kê tỉnh bắc giang báo cáo năm đề tài dự án được "
                  "nghiệm thu ứng dụng kết quả huyện lục ngạn yên thế 2019 tổng".split(),
    "ascii": "nguon so lieu cuc thong ke tinh bac giang bao cao nam de tai du an duoc "
             "nghiem thu ung dung ket qua huyen luc ngan yen the 2019 tong".split(),
}


def _long_text(kind: str, n: int = 1_000_000) -> str:
    """n characters of words in random order: text, not a run that the zip ratio check
    (a zip bomb) would refuse first."""
    rng = random.Random(2020)
    words: list[str] = []
    size = 0
    while size <= n:
        words.append(rng.choice(WORDS[kind]))
        size += len(words[-1]) + 1
    text = unicodedata.normalize("NFC", " ".join(words))[:n]
    return text[:MAX_CELL_CHARS - 1] + "x" + text[MAX_CELL_CHARS:]  # no space at the cut


@pytest.mark.parametrize("kind", ["vietnamese", "ascii"])
def test_a_million_character_note_is_cut_with_a_warning(tmp_path, cat, folder, kind):
    long = _long_text(kind)
    assert len(long) == 1_000_000
    sheet, _, a1 = _place(cat, UNIT, "tt_co_so")
    name = "TTRA_dai.xlsx"
    src = _form(cat, tmp_path / "t.xlsx", {a1: "LONGMARK"})  # openpyxl cuts at 32,767
    _rezip(src, folder / name,
           change={_sheet_part(src): _replace(b"LONGMARK", long.encode("utf-8"))})

    inputs = read_inputs(folder)

    assert inputs.findings == ()
    wb = _submission(inputs, name)
    note = {r.indicator: r.note for r in wb.rows}["tt_co_so"]
    assert len(note) == MAX_CELL_CHARS
    assert note == long[:MAX_CELL_CHARS]
    assert [(f.code, f.sheet, f.cell) for f in wb.notes] == [("text_truncated", sheet, a1)]
    _assert_told(wb.notes[0], "text_truncated", name, f"{MAX_CELL_CHARS}", sheet=sheet,
                 cell=a1)
    _assert_good_read(inputs, cat)


# --- parser hangs, memory exhaustion ---------------------------------------------------------
@pytest.mark.skipif(start_method() != "fork",
                    reason="the fault is patched in; only a forked child inherits it")
def test_a_file_that_hangs_the_parser_times_out_alone(tmp_path, cat, folder, monkeypatch):
    hang = "TTRA_treo.xlsx"
    _form(cat, folder / hang)
    _form(cat, folder / "TTUD_tot.xlsx", unit="TTUD")
    real = read_mod.read_workbook

    def slow(path: Path, info=None, kind=None):
        if path.name == hang:
            threading.Event().wait()  # never set: hangs until the pool is stopped
        return real(path, info, kind)

    monkeypatch.setattr(read_mod, "read_workbook", slow)  # workers fork: they see the patch
    lines: list[str] = []
    inputs = read_inputs(folder, timeout_s=2, progress=lines.append)

    assert [f.file for f in inputs.findings] == [hang]
    _assert_told(inputs.findings[0], "file_timeout", hang, "2 giây")
    assert sorted(w.file.name for w in inputs.workbooks) == sorted([GOOD, "TTUD_tot.xlsx"])
    assert _submission(inputs, "TTUD_tot.xlsx").unit == "TTUD"
    assert sorted(f.name for f in inputs.files) == sorted([GOOD, hang, "TTUD_tot.xlsx"])
    assert any(hang in line for line in lines)
    _assert_good_read(inputs, cat)


@pytest.mark.skipif(start_method() != "fork" or not has_resource(),
                    reason="the fault is patched in (only a forked child inherits it) and "
                    "the memory cap needs `resource`")
def test_a_file_that_exhausts_memory_is_too_large(tmp_path, cat, folder, monkeypatch):
    big = "TTRA_bo_nho.xlsx"
    _form(cat, folder / big)
    _form(cat, folder / "TTUD_tot.xlsx", unit="TTUD")
    real = read_mod.read_workbook

    def greedy(path: Path, info=None, kind=None):
        if path.name == big:
            blob = bytearray(256 * 1024**2)  # 256 MiB: four times the injected 64 MB limit
            blob[-1] = 1
        return real(path, info, kind)

    monkeypatch.setattr(read_mod, "read_workbook", greedy)
    inputs = read_inputs(folder, memory_mb=64, timeout_s=20)  # the good files fit in 64 MB

    assert [f.file for f in inputs.findings] == [big]
    _assert_told(inputs.findings[0], "file_too_large", big, "bộ nhớ")
    assert sorted(w.file.name for w in inputs.workbooks) == sorted([GOOD, "TTUD_tot.xlsx"])
    _assert_good_read(inputs, cat)


# --- inputs are only ever read ---------------------------------------------------------------
def _digest(folder: Path) -> dict[str, tuple[str, int, int]]:
    return {p.name: (hashlib.sha256(p.read_bytes()).hexdigest(), p.stat().st_size,
                     p.stat().st_mtime_ns) for p in sorted(folder.iterdir())}


def test_inputs_are_byte_identical_after_a_build_with_hostile_files(tmp_path, cat, folder):
    tmp = tmp_path / "work"
    tmp.mkdir()
    _with_shared_string(cat, tmp, folder / "bom_xml.xlsx", LAUGHS, b"&lol9;")
    _xxe_docx(cat, tmp, folder / "TTRA_xxe.docx", "plain")
    _to_strict(_form(cat, tmp / "s.xlsx", unit="TTUD"), folder / "TTUD_strict.xlsx")
    _form(cat, folder / "TTRA_cong_thuc.xlsx",
          {_place(cat, UNIT, "tt_cuoc.kiem_tra", 2015)[2]: "=1+1",
           _place(cat, UNIT, "tt_co_so", 2015)[2]: "#DIV/0!",
           _place(cat, UNIT, "tt_co_so")[2]: "=cmd|' /C calc'!A0",
           _place(cat, UNIT, "tt_vi_pham")[2]: "Nguồn_x0007_ Cục"})
    _rezip(_form(cat, tmp / "m.xlsx", unit="QLCS"), folder / "QLCS_macro.xlsm",
           extra={"xl/vbaProject.bin": bytes(64)})
    _rezip(_form(cat, tmp / "x.xlsx", unit="TDC"), folder / "TDC_xlm.xlsm",
           extra={"xl/macrosheets/sheet1.xml": b"<macrosheet/>"})
    (folder / "cat_ngan.xlsx").write_bytes((folder / GOOD).read_bytes()[:2000])
    (folder / "~$VP_good.xlsx").write_bytes(b"\x00" * 165)
    _narrative(cat, folder / "VP_tm.docx", {("I.4", 0): ["A < B & C {{ x }}"]}, unit="VP")
    before = _digest(folder)
    assert len(before) == 10

    result = run_build(folder, tmp_path / "out", cat, TEMPLATE, as_of=AS_OF, pdf=False,
                       log=lambda _: None)

    assert _digest(folder) == before
    assert result.chapter.is_file()
    codes = {(f.file, f.code) for f in result.findings}
    assert {("bom_xml.xlsx", "file_unreadable"), ("TTRA_xxe.docx", "file_unreadable"),
            ("TDC_xlm.xlsm", "file_macro_sheet"), ("cat_ngan.xlsx", "file_unreadable"),
            ("TTRA_cong_thuc.xlsx", "formula_no_value"), ("TTRA_cong_thuc.xlsx", "error_cell"),
            ("QLCS_macro.xlsm", "macro_ignored")} <= codes
