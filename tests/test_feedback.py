"""feedback.py and the build's feedback folder: the annotated copy a unit gets back."""

from __future__ import annotations

import datetime as dt
import hashlib
import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest
from openpyxl import load_workbook

from pipeline.build import BuildResult, run_build
from pipeline.catalogue.model import Catalogue
from pipeline.core import findings as fnd
from pipeline.core.findings import Finding, Severity
from pipeline.core.limits import has_resource, start_method
from pipeline.office.feedback import FEEDBACK_SHEET, annotate_workbook, feedback_name

from .conftest import TEMPLATE, write_unit_workbook

AS_OF = dt.date(2020, 3, 30)
FEEDBACK, VALIDATION = "feedback", "bao-cao-kiem-tra.xlsx"  # in a build folder
FIRST_ROW = 5  # first finding row of the "Lỗi" sheet (title, help, blank, headers above)
FORMULA = '=HYPERLINK("http://example.invalid","bấm")'
# The fill of each severity, as openpyxl reads it back (ARGB): the feedback's help text
# tells the unit "orange: error, yellow: warning, blue: information".
COLOUR = {Severity.ERROR: "00F4B183", Severity.WARNING: "00FFE699", Severity.INFO: "00BDD7EE"}


# (sheet, A1) of the cells used here, read off the units' forms: rows from row 6 in the
# catalogue's order, the years from column E on.
PLACES = {
    ("KHTC", "chi_nsdp", 2013): ("I.1", "G6"),
    ("KHTC", "chi_khcn", 2015): ("I.1", "I9"),
    ("KHTC", "csvc_dien_tich", 2012): ("I.1", "F11"),
    ("TTRA", "tt_tien_phat", 2015): ("I.7", "I11"),
    ("TTRA", "tt_co_so", 2016): ("I.7", "J9"),
}


def _place(cat: Catalogue, unit: str, key: str, year: int) -> tuple[str, str]:
    """(sheet, A1) of a row key and year in the unit's form."""
    return PLACES[(unit, key, year)]


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _listed(path: Path) -> list[list[object]]:
    """The finding rows of the "Lỗi" sheet (STT, Mức độ, Trang, Ô, Chỉ tiêu, Năm, Giá trị,
    Nội dung), in order."""
    ws = load_workbook(path)[FEEDBACK_SHEET]
    rows = []
    for r in range(FIRST_ROW, ws.max_row + 1):
        row = [ws.cell(r, c).value for c in range(1, 9)]
        if isinstance(row[0], int):
            rows.append(row)
    return rows


@pytest.fixture()
def source(tmp_path: Path, cat: Catalogue) -> Path:
    folder = tmp_path / "inputs"
    folder.mkdir()
    return write_unit_workbook(cat, "KHTC", folder / "KHTC_so_lieu.xlsx")


@pytest.fixture()
def found(cat: Catalogue, source: Path) -> dict[str, Finding]:
    name = source.name
    s1, c1 = _place(cat, "KHTC", "chi_nsdp", 2013)
    s2, c2 = _place(cat, "KHTC", "chi_khcn", 2015)
    s3, c3 = _place(cat, "KHTC", "csvc_dien_tich", 2012)
    return {
        "range": fnd.make("out_of_range", name, sheet=s1, cell=c1, unit="KHTC",
                          indicator="chi_nsdp", year=2013, value="-1", low="0",
                          high="100.000.000", measure="triệu đồng"),
        "outlier": fnd.make("outlier", name, sheet=s2, cell=c2, unit="KHTC",
                            indicator="chi_khcn", year=2015, value="98.765",
                            label="Chi ngân sách cho KH&CN", prev_year=2014, prev="9.876"),
        "formula": fnd.make("not_a_number", name, sheet=s3, cell=c3, unit="KHTC",
                            indicator="csvc_dien_tich", year=2012, value=FORMULA),
        "no_cell": fnd.make("duplicate_sent_earlier", name, unit="KHTC", kept="KHTC_moi.xlsx",
                            kind="biểu số liệu", this_sent="ghi ngày gửi 20/03/2020",
                            kept_sent="ghi ngày gửi 24/03/2020"),
    }


def test_feedback_name():
    assert feedback_name(Path("/x/KHTC_so_lieu.xlsx")) == "KHTC_so_lieu_gop_y.xlsx"


def test_feedback_name_of_a_name_that_is_not_utf8_or_too_long():
    import os

    odd = Path(os.fsdecode(b"/x/KHTC_b\xe1o_c\xe1o.xls"))  # cp1258 bytes from a Windows zip
    assert feedback_name(odd) == "KHTC_b_xe1o_c_xe1o_xls_gop_y.xlsx"
    long = feedback_name(Path("/x/" + "Biểu số liệu " * 30 + ".xlsx"))
    assert len(long.encode("utf-8")) <= 150 and long.endswith("_gop_y.xlsx")
    assert long.startswith("Biểu số liệu Biểu")


@pytest.mark.skipif(start_method() != "fork" or not has_resource(),
                    reason="the fault is patched in (only a forked child inherits it) and "
                    "the memory cap needs `resource`")
def test_a_copy_beyond_the_memory_limit_gives_the_findings_sheet_alone(
        source: Path, found, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    from pipeline.office import feedback

    # Opening the workbook asks for 4 GB, as a crafted 49 MB workbook would: the child's
    # memory limit (1.024 MB more than the parent) stops it.
    monkeypatch.setattr(feedback, "load_workbook", lambda *_a, **_k: bytearray(4 << 30))
    out = annotate_workbook(source, list(found.values()), tmp_path / "fb.xlsx")
    wb = load_workbook(out)
    assert wb.sheetnames == [FEEDBACK_SHEET]  # no copy of the unit's sheets...
    texts = [c.value for row in wb[FEEDBACK_SHEET].iter_rows(max_row=4) for c in row if c.value]
    assert ("Không dựng được bản sao có đánh dấu của tệp (vượt giới hạn bộ nhớ 1.024 MB); danh "
            "sách dưới đây vẫn đủ mọi vấn đề của tệp.") in texts
    assert [r[0] for r in _listed(out)] == [1, 2, 3, 4]  # ...but every finding listed


def test_a_value_no_reader_can_parse_still_gets_the_marked_up_copy(source: Path,
                                                                    tmp_path: Path):
    import io
    import re
    import zipfile

    # I.1!F6 stored as the number "1,5": openpyxl refuses the whole workbook for it.
    odd = tmp_path / "KHTC_le.xlsx"
    with zipfile.ZipFile(source) as zin, zipfile.ZipFile(odd, "w") as zout:
        for info in zin.infolist():
            data = zin.read(info)
            if info.filename == "xl/worksheets/sheet2.xml":
                data, n = re.subn(rb'(<c r="F6"[^>]*>)<v>[^<]*</v>', rb"\1<v>1,5</v>", data)
                assert n == 1
            zout.writestr(info, data)
    with pytest.raises(ValueError):
        load_workbook(io.BytesIO(odd.read_bytes()))
    finding = fnd.make("cell_unreadable", odd.name, sheet="I.1", cell="F6", value="1,5",
                       detail="ô kiểu số nhưng giá trị không phải là số")
    wb = load_workbook(annotate_workbook(odd, [finding], tmp_path / "fb.xlsx"))
    assert wb.sheetnames[:3] == [FEEDBACK_SHEET, "Thông tin", "I.1"]  # the unit's sheets
    cell = wb["I.1"]["F6"]
    assert cell.value is None and cell.fill.fgColor.rgb == "00F4B183"  # emptied, orange
    assert cell.comment.text.startswith("[Lỗi] Ô này lưu giá trị '1,5' sai cách")
    assert wb["I.1"]["E6"].value == 7850000  # its neighbours as the unit typed them


def test_feedback_sheet_comes_first_and_is_active(source: Path, found, tmp_path: Path):
    out = annotate_workbook(source, list(found.values()), tmp_path / "fb" / "x_gop_y.xlsx")
    assert out == tmp_path / "fb" / "x_gop_y.xlsx" and out.is_file()
    wb = load_workbook(out)
    original = load_workbook(source).sheetnames
    assert wb.sheetnames == [FEEDBACK_SHEET, *original]
    assert wb.active.title == FEEDBACK_SHEET
    assert wb.index(wb.active) == 0
    # No item sheet stays selected along with it (Excel would open a group of sheets).
    assert [ws.title for ws in wb.worksheets[1:] if ws.sheet_view.tabSelected] == []
    assert wb[FEEDBACK_SHEET]["A1"].value == "GÓP Ý VỀ TỆP 'KHTC_so_lieu.xlsx': 4 vấn đề"


def test_feedback_lists_every_finding(source: Path, found, tmp_path: Path):
    out = annotate_workbook(source, list(found.values()), tmp_path / "fb.xlsx")
    rows = _listed(out)
    assert [r[0] for r in rows] == [1, 2, 3, 4]
    listed = {(r[1], r[2], r[3], r[7]) for r in rows}
    expected = {(f.severity.label, f.sheet or None, f.cell or None, f.message)
                for f in found.values()}
    assert listed == expected
    # Errors first, then warnings.
    assert [r[1] for r in rows] == ["Lỗi", "Lỗi", "Cảnh báo", "Cảnh báo"]
    by_cell = {r[3]: r for r in rows}
    rng = found["range"]
    assert by_cell[rng.cell][4:6] == ["chi_nsdp", 2013]
    assert str(by_cell[rng.cell][6]).endswith("-1")


def test_a_cell_link_points_inside_the_workbook(source: Path, found, tmp_path: Path):
    out = annotate_workbook(source, list(found.values()), tmp_path / "fb.xlsx")
    ws = load_workbook(out)[FEEDBACK_SHEET]
    links = {}
    for r in range(FIRST_ROW, ws.max_row + 1):
        cell = ws.cell(r, 4)
        if cell.hyperlink is not None:
            links[cell.value] = cell.hyperlink
    located = {f.cell: f"'{f.sheet}'!{f.cell}" for f in found.values() if f.cell}
    assert {c: h.location for c, h in links.items()} == located
    assert all(not h.target for h in links.values())  # internal: no file or web address


def test_a_finding_without_a_cell_is_listed_without_a_link(source: Path, found,
                                                           tmp_path: Path):
    out = annotate_workbook(source, list(found.values()), tmp_path / "fb.xlsx")
    ws = load_workbook(out)[FEEDBACK_SHEET]
    f = found["no_cell"]
    rows = [r for r in range(FIRST_ROW, ws.max_row + 1) if ws.cell(r, 8).value == f.message]
    assert len(rows) == 1
    r = rows[0]
    assert (ws.cell(r, 2).value, ws.cell(r, 3).value, ws.cell(r, 4).value) == (
        "Cảnh báo", None, None)
    assert ws.cell(r, 4).hyperlink is None


def test_the_cell_is_coloured_and_carries_the_message(source: Path, found, tmp_path: Path):
    out = annotate_workbook(source, list(found.values()), tmp_path / "fb.xlsx")
    wb = load_workbook(out)
    for key, severity in (("range", Severity.ERROR), ("outlier", Severity.WARNING),
                          ("formula", Severity.ERROR)):
        f = found[key]
        cell = wb[f.sheet][f.cell]
        assert cell.fill.fill_type == "solid", key
        assert cell.fill.fgColor.rgb == COLOUR[severity], key
        assert cell.comment is not None, key
        assert f.message in cell.comment.text, key
        assert cell.comment.text.startswith(f"[{severity.label}] "), key
    # The three colours differ, and an untouched cell keeps its own fill.
    assert len(set(COLOUR.values())) == 3
    sheet, other = _place_of_untouched(wb, found)
    assert wb[sheet][other].comment is None
    assert wb[sheet][other].fill.fgColor.rgb not in set(COLOUR.values())


def _place_of_untouched(wb, found) -> tuple[str, str]:
    f = found["range"]
    col = "".join(ch for ch in f.cell if ch.isalpha())
    row = int("".join(ch for ch in f.cell if ch.isdigit()))
    return f.sheet, f"{col}{row + 1}"


def test_the_worst_severity_colours_a_cell_with_two_findings(source: Path, found,
                                                             tmp_path: Path):
    rng = found["range"]
    note = fnd.make("outlier", rng.file, sheet=rng.sheet, cell=rng.cell, unit="KHTC",
                    indicator="chi_nsdp", year=2013, value="5", label="Tổng chi",
                    prev_year=2012, prev="500")
    out = annotate_workbook(source, [note, rng], tmp_path / "fb.xlsx")
    cell = load_workbook(out)[rng.sheet][rng.cell]
    assert cell.fill.fgColor.rgb == COLOUR[Severity.ERROR]
    assert rng.message in cell.comment.text and note.message in cell.comment.text


def test_formula_looking_text_is_not_written_as_a_formula(source: Path, found,
                                                          tmp_path: Path):
    out = annotate_workbook(source, list(found.values()), tmp_path / "fb.xlsx")
    ws = load_workbook(out)[FEEDBACK_SHEET]
    f = found["formula"]
    hits = [r for r in range(FIRST_ROW, ws.max_row + 1) if ws.cell(r, 4).value == f.cell]
    assert len(hits) == 1
    value = ws.cell(hits[0], 7)
    assert value.data_type == "s"
    assert value.value == FORMULA or FORMULA in value.value  # the text itself, kept as text
    for c in range(1, 9):
        assert ws.cell(hits[0], c).data_type != "f"
    # Nowhere in the copy did a formula appear.
    wb = load_workbook(out)
    assert not any(c.data_type == "f" for ws_ in wb.worksheets for row in ws_.iter_rows()
                   for c in row)


def test_a_workbook_without_findings_says_so(source: Path, tmp_path: Path):
    out = annotate_workbook(source, [], tmp_path / "fb.xlsx")
    ws = load_workbook(out)[FEEDBACK_SHEET]
    assert ws["A1"].value.endswith(": 0 vấn đề")
    assert ws.cell(FIRST_ROW, 1).value == "Không phát hiện vấn đề nào."


def test_annotate_leaves_the_source_unchanged(source: Path, found, tmp_path: Path):
    before, mtime = _sha256(source), source.stat().st_mtime_ns
    annotate_workbook(source, list(found.values()), tmp_path / "fb.xlsx")
    assert _sha256(source) == before
    assert source.stat().st_mtime_ns == mtime
    assert sorted(p.name for p in source.parent.iterdir()) == [source.name]


# --- the build's feedback folder -------------------------------------------------------------
def _break_ttra(cat: Catalogue, inputs: Path) -> Path:
    """TTRA's sample workbook, with two errors typed in."""
    path = inputs / "TTRA_so_lieu_mau.xlsx"
    return write_unit_workbook(cat, "TTRA", path, changes={("tt_tien_phat", 2015): "abc",
                                                           ("tt_co_so", 2016): 2.5})


@dataclass(frozen=True)
class BrokenBuild:
    inputs: Path
    before: dict[str, tuple[str, int]]  # each input's sha256 and mtime before the build
    result: BuildResult


def _snapshot(inputs: Path) -> dict[str, tuple[str, int]]:
    return {p.name: (_sha256(p), p.stat().st_mtime_ns) for p in inputs.iterdir()}


@pytest.fixture(scope="module")
def broken_build(tmp_path_factory: pytest.TempPathFactory, cat: Catalogue,
                 sample_inputs: Path) -> BrokenBuild:
    """The sample inputs with TTRA's two errors, built once for the tests below, which only
    read it."""
    folder = tmp_path_factory.mktemp("broken-ttra")
    inputs = folder / "inputs"
    shutil.copytree(sample_inputs, inputs)
    _break_ttra(cat, inputs)
    before = _snapshot(inputs)
    result = run_build(inputs, folder / "out", cat, TEMPLATE, as_of=AS_OF, pdf=False,
                       log=lambda _: None)
    return BrokenBuild(inputs, before, result)


def test_a_build_leaves_every_input_unchanged(broken_build: BrokenBuild):
    result = broken_build.result
    assert (result.folder / FEEDBACK / "TTRA_so_lieu_mau_gop_y.xlsx").is_file()
    after = _snapshot(broken_build.inputs)
    assert after == broken_build.before


def test_a_build_writes_feedback_for_the_unit_with_errors_only(cat: Catalogue,
                                                              broken_build: BrokenBuild):
    result = broken_build.result
    # Not derive's notes, nor the consistency pass's information that TTUD's trend of trained
    # labour leaves 100% by 2030 (said in the chapter; nothing for the unit to fix).
    in_files = [f for f in result.findings
                if f.file != fnd.COMPUTED and f.code != "projection_outside_range"]
    assert sorted((f.code, f.file, f.year) for f in in_files) == [
        ("not_a_number", "TTRA_so_lieu_mau.xlsx", 2015),
        ("not_an_integer", "TTRA_so_lieu_mau.xlsx", 2016)]
    feedback = result.folder / FEEDBACK
    # TTRA for its errors; TTUD for the information on its trend (no other unit).
    assert sorted(p.name for p in feedback.iterdir()) == ["TTRA_so_lieu_mau_gop_y.xlsx",
                                                          "TTUD_so_lieu_mau_gop_y.xlsx"]

    rows = _listed(feedback / "TTRA_so_lieu_mau_gop_y.xlsx")
    expected = {(f.severity.label, f.sheet, f.cell, f.message) for f in in_files}
    assert {(r[1], r[2], r[3], r[7]) for r in rows} == expected
    assert len(rows) == 2
    s1, c1 = _place(cat, "TTRA", "tt_tien_phat", 2015)
    s2, c2 = _place(cat, "TTRA", "tt_co_so", 2016)
    assert {(r[2], r[3]) for r in rows} == {(s1, c1), (s2, c2)}


def test_the_validation_report_has_one_row_per_finding(broken_build: BrokenBuild):
    result = broken_build.result
    ws = load_workbook(result.folder / VALIDATION)["Phát hiện"]
    header = [c.value for c in ws[1]]
    assert header[:6] == ["Mức độ", "Mã", "Đơn vị", "Tệp", "Trang", "Ô"]
    rows = [[c.value for c in row] for row in ws.iter_rows(min_row=2) if row[0].value]
    assert len(rows) == len(result.findings)
    assert len([f for f in result.findings if f.file == "TTRA_so_lieu_mau.xlsx"]) == 2
    assert sorted((r[1], r[2] or "", r[3], r[4] or "", r[5] or "") for r in rows) == sorted(
        (f.code, f.unit, f.file, f.sheet, f.cell) for f in result.findings)  # "" is blank
    assert [r[0] for r in rows if r[3] == "TTRA_so_lieu_mau.xlsx"] == ["Lỗi", "Lỗi"]
