"""Files written by real office software (LibreOffice 7.4 through Python-UNO), not by openpyxl.

tests/data/office/ holds KHTC's form filled and edited the way office staff do it, saved as
.xlsx, .xls and .ods, and its narrative saved as .docx, .doc and .odt (make_fixtures.py made
them; the README there lists every cell). Each test reads one file through the pipeline's
read and check stages and asserts the exact values that pass and the exact findings (code,
sheet, cell). Expected figures are the ones typed in make_fixtures.py, written here by hand.
"""

from __future__ import annotations

import shutil
from functools import partial
from pathlib import Path

import pytest

from pipeline.core import soffice as office
from pipeline.read.files import read_inputs
from pipeline.read.model import NarrativeImage
from pipeline.validate.submissions import validate
from pipeline.validate.workbook import check_workbook

OFFICE = Path(__file__).parent / "data" / "office"
HAS_SOFFICE = office.find_soffice() is not None

NSDP = [7850000, 8900000, 9750000, 10600000, 11800000, 12900000, 14300000, 15900000, 17420000]
DTPT = [14500, 16000, 18000, 20500, 23000, 26000, 29500, 33000, 38000]
SU_NGHIEP = [24300, 26500, 29000, 31500, 34000, 38000, 42500, 47000, 52600]
TOTAL = [38800, 42500, 47000, 52000, 57000, 64000, 72000, 80000, 90600]
YEARS = list(range(2011, 2020))
COLUMNS = "EFGHIJKLM"  # 2011..2019 in the form's sheet I.1


def _check(cat, tmp_path: Path, *names: str, workers: int = 0):
    folder = tmp_path / "inputs"
    folder.mkdir(exist_ok=True)
    for name in names:
        shutil.copy(OFFICE / name, folder / name)
    read = read_inputs(folder, workers=workers, check=partial(check_workbook, cat))
    return validate(cat, read)


def _values(v) -> dict[tuple[str, str, int], tuple[float, str]]:
    return {(x.indicator, x.breakdown, x.year): (x.value, x.cell) for x in v.values}


def _where(v, *, skip: tuple[str, ...] = ("catalogue_mismatch",)) -> list[tuple[str, str, str]]:
    """(code, sheet, cell) of every finding, in order; the catalogue fingerprint written by
    the generating run is not this test's business."""
    return [(f.code, f.sheet, f.cell) for f in v.findings if f.code not in skip]


def _row(values, indicator: str, part: str, numbers: list[int], row: int) -> None:
    for year, number, col in zip(YEARS, numbers, COLUMNS):
        assert values[(indicator, part, year)] == (number, f"{col}{row}"), (indicator, year)


# --- one value LibreOffice would never write, in LibreOffice's own .ods -----------------------
def test_an_ods_value_calamine_cannot_parse_costs_only_its_cell(cat, tmp_path):
    import io
    import zipfile

    # python-calamine refuses the whole .ods at opening for one such value ("Cannot detect
    # file format"): the reader empties that cell in a copy and reads the rest.
    src = OFFICE / "khtc_lo.ods"
    folder = tmp_path / "inputs"
    folder.mkdir()
    out = io.BytesIO()
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(out, "w") as zout:
        for info in zin.infolist():
            data = zin.read(info)
            if info.filename == "content.xml":
                assert data.count(b'office:value="7850000"') == 1  # chi_nsdp 2011, I.1!E6
                data = data.replace(b'office:value="7850000"', b'office:value="7,85e"')
            zout.writestr(info, data, compress_type=info.compress_type)
    (folder / "khtc_lo.ods").write_bytes(out.getvalue())

    v = validate(cat, read_inputs(folder, workers=0, check=partial(check_workbook, cat)))

    assert _where(v) == [("cell_unreadable", "I.1", "E6")]
    [finding] = [f for f in v.findings if f.code == "cell_unreadable"]
    assert finding.message.startswith(
        "Ô này lưu giá trị '7,85e' sai cách (ô kiểu số nhưng giá trị không phải là số) nên "
        "không đọc được và bị bỏ qua; các ô khác của tệp vẫn được đọc.")
    values = _values(v)
    assert ("chi_nsdp", "total", 2011) not in values
    assert values[("chi_nsdp", "total", 2012)] == (8900000, "F6")
    assert len(values) == 4 * 9 + 2 - 1


# --- the filled form in the three formats ---------------------------------------------------
@pytest.mark.parametrize("name", ["khtc_lo.xlsx", "khtc_lo.xls", "khtc_lo.ods"])
def test_libreoffice_form_is_read_in_every_format_with_exact_values(cat, tmp_path, name):
    v = _check(cat, tmp_path, name)

    assert _where(v) == []
    [wb] = v.workbooks
    assert wb.unit == "KHTC"
    assert wb.kind == name.rsplit(".", 1)[1]
    assert wb.meta["nguoi_lap"] == "Nguyễn Văn An"
    assert wb.sent.isoformat() == "2020-03-09"
    values = _values(v)
    _row(values, "chi_nsdp", "total", NSDP, 6)
    _row(values, "chi_khcn", "dtpt", DTPT, 7)
    _row(values, "chi_khcn", "su_nghiep", SU_NGHIEP, 8)
    _row(values, "chi_khcn", "total", TOTAL, 9)
    assert values[("ty_le_chi_khcn_muc_tieu", "total", 2025)] == (1.5, "N10")
    assert values[("ty_le_chi_khcn_muc_tieu", "total", 2030)] == (2.0, "O10")
    assert len(values) == 4 * 9 + 2
    nsdp = next(x for x in v.values if x.indicator == "chi_nsdp")
    assert (nsdp.status, nsdp.note) == ("Chính thức", "Quyết toán NSĐP")


@pytest.mark.parametrize("name", ["khtc_percent.xlsx", "khtc_percent.xls", "khtc_percent.ods"])
def test_percent_typed_as_percent_is_read_as_percent_points(cat, tmp_path, name):
    # "1,5%" and "2%" typed in the cells: stored as 0,015 and 0,02 with a percent format.
    v = _check(cat, tmp_path, name)

    assert _where(v) == []
    values = _values(v)
    assert values[("ty_le_chi_khcn_muc_tieu", "total", 2025)] == (1.5, "N10")
    assert values[("ty_le_chi_khcn_muc_tieu", "total", 2030)] == (2.0, "O10")
    _row(values, "chi_nsdp", "total", NSDP, 6)


def test_unit_code_in_lower_case_with_spaces_is_the_unit(cat, tmp_path):
    v = _check(cat, tmp_path, "khtc_lowercase.xlsx")

    assert _where(v) == []
    assert [w.unit for w in v.workbooks] == ["KHTC"]
    _row(_values(v), "chi_nsdp", "total", NSDP, 6)


# --- edits the way office staff make them ------------------------------------------------------
def test_excel_style_merge_is_named_and_the_hidden_cell_is_missing(cat, tmp_path):
    v = _check(cat, tmp_path, "khtc_merge.xlsx")

    assert _where(v) == [("required_missing", "I.1", "F6"), ("merged_cells", "I.1", "E6:F6")]
    values = _values(v)
    assert values[("chi_nsdp", "total", 2011)] == (7850000, "E6")
    assert ("chi_nsdp", "total", 2012) not in values
    assert values[("chi_nsdp", "total", 2013)] == (9750000, "G6")


def test_inserted_row_and_own_row_are_findings_and_the_rest_reads(cat, tmp_path):
    v = _check(cat, tmp_path, "khtc_inserted_row.xlsx")

    assert _where(v) == [("row_outside_form", "I.1", "B9:M9"),
                         ("row_outside_form", "I.1", "B16:M16")]
    first = v.findings[0]
    assert "Dòng 9 ('Chi khác')" in first.message and "9 giá trị" in first.message
    values = _values(v)
    _row(values, "chi_khcn", "su_nghiep", SU_NGHIEP, 8)
    _row(values, "chi_khcn", "total", TOTAL, 10)  # moved down one row: found by its key
    assert values[("ty_le_chi_khcn_muc_tieu", "total", 2025)] == (1.5, "N11")
    assert 1000 not in {x.value for x in v.values} and 500 not in {x.value for x in v.values}


def test_row_pasted_one_column_right_is_refused_not_read_one_year_off(cat, tmp_path):
    v = _check(cat, tmp_path, "khtc_shifted.xlsx")

    assert _where(v) == [("row_shifted", "I.1", "E6:N6")]
    assert "ô năm 2011 trống, có số ở N6" in v.findings[0].message
    values = _values(v)
    assert not [k for k in values if k[0] == "chi_nsdp"]
    _row(values, "chi_khcn", "dtpt", DTPT, 7)


def test_value_typed_in_a_grey_cell_is_a_finding(cat, tmp_path):
    v = _check(cat, tmp_path, "khtc_grey.xlsx")

    assert _where(v) == [("value_outside_form", "I.1", "N6")]
    assert "'123'" in v.findings[0].message and "năm 2025" in v.findings[0].message
    _row(_values(v), "chi_nsdp", "total", NSDP, 6)


def test_retyped_or_emptied_year_header_costs_no_value(cat, tmp_path):
    v = _check(cat, tmp_path, "khtc_header.xlsx")

    assert _where(v) == [("header_changed", "I.1", "L5"), ("header_changed", "I.1", "M5")]
    assert "'Năm 2019'" in v.findings[1].message
    values = _values(v)
    _row(values, "chi_nsdp", "total", NSDP, 6)  # 2018 and 2019 read by position
    assert not [f for f in v.findings if f.code == "required_missing"]


def test_deleted_year_column_is_named_and_no_value_is_read_one_year_off(cat, tmp_path):
    v = _check(cat, tmp_path, "khtc_deleted_col.xlsx")

    found = _where(v, skip=("catalogue_mismatch", "outlier"))
    assert found == [("year_columns_moved", "I.1", "I5:O5")]
    assert "ô I5 ghi '2016' thay vì 2015" in v.findings[0].message
    values = _values(v)
    assert [values[("chi_nsdp", "total", y)] for y in (2011, 2012, 2013, 2014)] == [
        (7850000, "E6"), (8900000, "F6"), (9750000, "G6"), (10600000, "H6")]
    assert not [k for k in values if k[2] >= 2015]
    assert not [f for f in v.findings if f.code == "required_missing"]


# --- narratives -----------------------------------------------------------------------------
I1_TEXT = ("Giai đoạn 2011-2019, chi ngân sách cho KH&CN tăng đều qua các năm.",
           "Cơ sở vật chất được đầu tư cho Trung tâm Ứng dụng KH&CN.")


def _i1(v) -> tuple[str, ...]:
    [n] = v.narratives
    return next(s.paragraphs for s in n.sections if s.item == "I.1" and s.subtopic == 0)


def test_libreoffice_docx_narrative_is_read(cat, tmp_path):
    v = _check(cat, tmp_path, "khtc_narrative.docx")
    assert _where(v) == []
    assert v.narratives[0].unit == "KHTC"
    assert _i1(v) == I1_TEXT


@pytest.mark.skipif(not HAS_SOFFICE, reason="LibreOffice (soffice) is not installed")
@pytest.mark.parametrize("name", ["khtc_narrative.doc", "khtc_narrative.odt"])
def test_doc_and_odt_narratives_are_converted_and_read(cat, tmp_path, name):
    v = _check(cat, tmp_path, name)

    assert [(f.code, f.severity.value) for f in v.findings] == [("file_converted", "info")]
    assert _i1(v) == I1_TEXT
    assert v.narratives[0].file.name == name


def test_doc_renamed_docx_is_converted_too(cat, tmp_path):
    if not HAS_SOFFICE:
        pytest.skip("LibreOffice (soffice) is not installed")
    folder = tmp_path / "inputs"
    folder.mkdir()
    shutil.copy(OFFICE / "khtc_narrative.doc", folder / "thuyet_minh.docx")
    v = validate(cat, read_inputs(folder, workers=0))
    assert [f.code for f in v.findings] == ["file_converted"]
    assert _i1(v) == I1_TEXT


@pytest.mark.parametrize("name", ["khtc_narrative.doc", "khtc_narrative.odt"])
def test_without_libreoffice_doc_and_odt_get_words_that_fit(cat, tmp_path, name, monkeypatch):
    monkeypatch.setattr(office, "find_soffice", lambda: None)
    v = _check(cat, tmp_path, name)

    [f] = v.findings
    assert (f.code, f.file, f.unit) == ("file_legacy_doc", name, "KHTC")  # unit from the name
    kind = "Word 97-2003 (.doc)" if name.endswith(".doc") else "OpenDocument (.odt)"
    assert f"Tệp thuyết minh dạng {kind} chưa đọc được" in f.message
    assert "lưu lại dưới dạng .docx" in f.message
    assert [u.file for u in v.unread] == [name]


def test_image_in_a_narrative_is_carried_without_a_warning(cat, tmp_path):
    v = _check(cat, tmp_path, "khtc_narrative_image.docx")
    assert v.findings == ()
    assert _i1(v)[:2] == I1_TEXT
    [n] = v.narratives
    [i1] = [s for s in n.sections if s.item == "I.1" and s.subtopic == 0]
    [image] = [b for b in i1.blocks if isinstance(b, NarrativeImage)]
    assert (image.content_type, image.width, image.height) == ("image/png", 360045, 360045)


def test_every_fixture_reads_the_same_in_worker_processes(cat, tmp_path):
    # The pool path (fork, limits, results sent back as columns) gives the same values.
    names = ["khtc_lo.ods", "khtc_narrative.docx"]
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    alone = _check(cat, tmp_path / "a", *names)
    pooled = _check(cat, tmp_path / "b", *names, workers=2)
    assert _values(pooled) == _values(alone)
    assert len(_values(pooled)) == 4 * 9 + 2
    assert _where(alone) == _where(pooled)
