"""Forms that people fill in and print: dropdowns drawn from a hidden sheet (so an option may
hold a comma) and a page setup that prints each sheet one page wide with its titles whole.
Checked on the written workbook with openpyxl, and with LibreOffice where it is installed."""

from __future__ import annotations

import datetime as dt
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import openpyxl
import pytest
from openpyxl.worksheet.worksheet import Worksheet

from pipeline.catalogue.model import Catalogue
from pipeline.forms import write_forms

CHOICES = "Danh sách chọn"
TODAY = dt.date(2020, 3, 1)
NGUON_VON = ["Ngân sách trung ương", "Ngân sách địa phương", "Vốn doanh nghiệp", "Vốn ODA",
             "Xã hội hóa, khác"]
# KHTC's form: its item sheet, then the list sheets in the catalogue's order.
KHTC_SHEETS = ["Thông tin", "I.1", "DS dự án", "Kế hoạch tuần", CHOICES]
# Measured with LibreOffice 7.4 (A4, fit to one page wide): one page per printed sheet.
# Before the page setup the same workbooks printed as 15 and 20 pages of cut strips.
PAGES = {"KHTC": 4, "QLCS": 6}
# Narrow list sheets (columns up to 120 characters wide in all) print portrait.
PORTRAIT = {"Thông tin", "DS tổ chức KH&CN", "DS doanh nghiệp KH&CN"}


@pytest.fixture(scope="module")
def forms(tmp_path_factory, cat: Catalogue) -> dict[str, Path]:
    out = tmp_path_factory.mktemp("forms")
    return {f.unit: f.workbook for f in write_forms(cat, out, TODAY)}


@pytest.fixture(scope="module")
def khtc(forms) -> openpyxl.Workbook:
    return openpyxl.load_workbook(forms["KHTC"])


def _column_of(ws: Worksheet, row: int, value: str) -> str:
    return next(c.column_letter for c in ws[row] if c.value == value)


# --- dropdowns from the hidden sheet ---------------------------------------------------------
def test_the_choices_sheet_is_hidden_protected_and_last(khtc):
    assert khtc.sheetnames == KHTC_SHEETS
    ws = khtc[CHOICES]
    assert ws.sheet_state in ("hidden", "veryHidden")
    assert ws.protection.sheet is True
    # One column per list, its key on top.
    assert [c.value for c in ws[1]] == ["data_status", "dia_ban", "loai_dat", "nguon_von",
                                        "trang_thai"]


def test_an_option_with_a_comma_is_one_cell(khtc):
    ws = khtc[CHOICES]
    col = _column_of(ws, 1, "nguon_von")
    assert [ws[f"{col}{r}"].value for r in range(2, 8)] == [*NGUON_VON, None]
    assert [c.value for row in ws.iter_rows() for c in row if c.value == "Xã hội hóa"] == []


def test_the_list_validation_refers_to_the_range_of_its_options(khtc):
    ws = khtc["DS dự án"]
    col = _column_of(ws, 4, "nguon_von")  # the hidden key row of the list sheet
    [dv] = [dv for dv in ws.data_validations.dataValidation if f"{col}6" in dv.sqref]
    assert dv.type == "list"
    assert dv.formula1 == "'Danh sách chọn'!$D$2:$D$6"
    assert f"{col}25" in dv.sqref  # every one of its 20 rows


def test_no_validation_holds_an_inline_list(forms):
    for unit, path in forms.items():
        wb = openpyxl.load_workbook(path)
        for ws in wb.worksheets:
            for dv in ws.data_validations.dataValidation:
                if dv.type == "list":
                    assert re.fullmatch(r"'Danh sách chọn'!\$[A-Z]\$2:\$[A-Z]\$\d+",
                                        dv.formula1), (unit, ws.title, dv.formula1)


def test_every_referenced_range_holds_its_options(forms, cat: Catalogue):
    wb = openpyxl.load_workbook(forms["QLCN"])
    choices = wb[CHOICES]
    for ws in wb.worksheets:
        for dv in ws.data_validations.dataValidation:
            if dv.type != "list":
                continue
            m = re.fullmatch(r"'Danh sách chọn'!\$([A-Z])\$2:\$\1\$(\d+)", dv.formula1)
            assert m, dv.formula1
            values = [choices[f"{m[1]}{r}"].value for r in range(1, int(m[2]) + 1)]
            key, options = values[0], values[1:]
            expected = cat.data_status if key == "data_status" else cat.choices[key]
            assert options == expected, (ws.title, key)


# --- page setup -------------------------------------------------------------------------------
@pytest.mark.parametrize("unit", ["KHTC", "QLCN", "QLCS", "VP", "TTUD"])
def test_every_printed_sheet_is_a4_one_page_wide(forms, unit: str):
    wb = openpyxl.load_workbook(forms[unit])
    for ws in wb.worksheets:
        if ws.sheet_state != "visible":
            continue
        assert ws.page_setup.paperSize in (9, "9"), ws.title
        assert ws.sheet_properties.pageSetUpPr.fitToPage is True, ws.title
        assert int(ws.page_setup.fitToWidth) == 1, ws.title
        assert int(ws.page_setup.fitToHeight) == 0, ws.title
        assert ws.print_title_rows, ws.title
        assert ws.page_margins.left <= 0.75 and ws.page_margins.top <= 1, ws.title
        portrait = ws.title in PORTRAIT  # item sheets and wide list sheets: landscape
        assert ws.page_setup.orientation == ("portrait" if portrait else "landscape"), ws.title
        assert ws.row_dimensions[1].height >= 20, ws.title  # "BIỂU", "Ể": accents shown


def test_titles_repeat_down_to_the_header_row(khtc):
    assert khtc["I.1"].print_title_rows == "$1:$5"
    assert khtc["DS dự án"].print_title_rows == "$1:$5"
    assert khtc["I.1"].column_dimensions["A"].hidden is True  # the row keys do not print


def test_the_title_is_merged_across_the_table_and_wrapped(khtc):
    ws = khtc["I.1"]
    # Columns B (label) to Q (note): 4 label columns, 11 years, status, note.
    assert "B1:Q1" in {str(r) for r in ws.merged_cells.ranges}
    assert ws["B1"].alignment.wrap_text is True
    meta = khtc["Thông tin"]
    assert "B1:C1" in {str(r) for r in meta.merged_cells.ranges}


def test_list_headers_are_tall_enough_for_their_wrapped_labels(khtc):
    ws = khtc["DS dự án"]
    # "Địa điểm (huyện/thành phố) *" in a column 22 wide takes two lines of bold 11 pt.
    col = _column_of(ws, 5, "Địa điểm (huyện/thành phố) *")
    assert ws.column_dimensions[col].width == 22
    assert ws.row_dimensions[5].height >= 30
    assert ws[f"{col}5"].alignment.wrap_text is True


def test_a_wrapped_indicator_label_gets_a_taller_row(khtc):
    ws = khtc["I.1"]
    row = next(c.row for c in ws["B"]
               if c.value == "Tỷ lệ chi cho KH&CN trong tổng chi ngân sách địa phương (mục tiêu)")
    assert ws.column_dimensions["B"].width < 60  # so the label wraps to two lines
    assert ws.row_dimensions[row].height >= 30


# --- LibreOffice ------------------------------------------------------------------------------
def _soffice(source: Path, target: str, out: Path) -> Path:
    profile = out / "profile"
    subprocess.run([shutil.which("soffice") or "soffice",
                    f"-env:UserInstallation={profile.as_uri()}", "--headless", "--norestore",
                    "--convert-to", target, "--outdir", str(out), str(source)],
                   check=True, capture_output=True, timeout=180, stdin=subprocess.DEVNULL)
    result = out / f"{source.stem}.{target}"
    assert result.is_file()
    return result


def _pages(pdf: Path) -> int:
    return len(re.findall(rb"/Type\s*/Page(?![s\w])", pdf.read_bytes()))


needs_soffice = pytest.mark.skipif(shutil.which("soffice") is None,
                                   reason="LibreOffice is not installed")


@needs_soffice
@pytest.mark.parametrize("unit", sorted(PAGES))
def test_the_form_prints_in_few_pages(forms, tmp_path: Path, unit: str):
    pdf = _soffice(forms[unit], "pdf", tmp_path)
    assert 1 <= _pages(pdf) <= PAGES[unit]


@needs_soffice
def test_libreoffice_keeps_the_dropdown_ranges(forms, tmp_path: Path):
    ods = _soffice(forms["KHTC"], "ods", tmp_path)
    content = zipfile.ZipFile(ods).read("content.xml").decode("utf-8")
    content = content.replace("&apos;", "'")
    lists = set(re.findall(r"cell-content-is-in-list\(\[([^\]]*)\]\)", content))
    assert lists == {f"$'Danh sách chọn'.${c}$2:.${c}${n}"
                     for c, n in (("A", 4), ("B", 11), ("C", 8), ("D", 6), ("E", 4))}
    assert "<text:p>Xã hội hóa, khác</text:p>" in content
    hidden = re.search(r'table:name="Danh sách chọn" table:style-name="(\w+)"', content)
    assert hidden
    assert re.search(rf'style:name="{hidden[1]}"[^>]*>\s*<style:table-properties '
                     r'table:display="false"', content)

