"""End to end: forms → a unit types values → make report → what a reader sees in the chapter."""

from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path

import openpyxl

from pipeline.build import CHAPTER, MERGED_XLSX, PROGRESS, run_build
from pipeline.forms import build_workbook, workbook_name
from pipeline.office.status import VALIDATION

from .conftest import TEMPLATE, chapter_blocks, column, copy_build, row_of, table_after

AS_OF = dt.date(2020, 3, 30)


def _hashes(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in folder.iterdir()}


def test_value_typed_in_a_form_cell_reaches_the_right_table(tmp_path, cat, inputs):
    # A unit takes its blank form (what `khcn forms` writes for it: forms.write_forms saves
    # build_workbook's workbook), types a figure into one cell, saves it into inputs/.
    blank = tmp_path / "forms" / workbook_name(cat.unit_by_code["TTRA"])
    blank.parent.mkdir()
    build_workbook(cat, cat.unit_by_code["TTRA"], dt.date(2020, 3, 1)).save(blank)
    sheet, a1 = "I.7", "K11"  # the fines row, the 2017 column of TTRA's form
    wb = openpyxl.load_workbook(blank)
    wb[sheet][a1] = 1234.5
    wb["Thông tin"]["C13"] = "20/03/2020"
    for old in inputs.glob("TTRA_*.xlsx"):
        old.unlink()
    wb.save(inputs / "thanh-tra.xlsx")
    before = _hashes(inputs)

    result = run_build(inputs, tmp_path / "outputs", cat, TEMPLATE, as_of=AS_OF, pdf=False,
                       log=lambda _: None)

    blocks = chapter_blocks(result.chapter)
    table = table_after(blocks, "7. ", "Kết quả thanh tra, kiểm tra")
    row = row_of(table, "2017")
    col = column(table, "Số tiền xử phạt vi phạm hành chính (triệu đồng)")
    assert row[col] == "1.234,5"
    # Other years of the same unit were left blank in the form: shown as "-", explained.
    assert row_of(table, "2011")[col] == "-"
    assert _hashes(inputs) == before  # inputs are never modified


def test_every_section_heading_is_in_the_chapter_in_the_seeds_order(cat, sample_build):
    result = sample_build  # the sample inputs built as of AS_OF, without PDF
    headings = [str(v) for k, v in chapter_blocks(result.chapter) if k == "h"]
    expected = [
        "PHẦN I\nĐÁNH GIÁ THỰC TRẠNG KH&CN TỈNH BẮC GIANG GIAI ĐOẠN 2011-2019",
        *[f"{n}. {it.title}" for n, it in enumerate(
            [it for it in cat.items if it.part == "I"], start=1)],
        "PHẦN II\n"
        "DỰ BÁO VÀ ĐỀ XUẤT CHIẾN LƯỢC PHÁT TRIỂN KH&CN ĐẾN NĂM 2030, TẦM NHÌN ĐẾN NĂM 2050",
        "1. Quan điểm", "2. Định hướng phát triển KH&CN", "3. Mục tiêu và một số chỉ tiêu",
        "4. Dự báo phát triển KH&CN đến năm 2030, tầm nhìn đến năm 2050",
        "5. Quy hoạch cơ sở vật chất phục vụ phát triển KH&CN",
        # The seed's part IV is the chapter's Phần III: parts are numbered consecutively.
        "PHẦN III\nNHIỆM VỤ, GIẢI PHÁP CHỦ YẾU VÀ CƠ CHẾ, CHÍNH SÁCH PHÁT TRIỂN KH&CN",
        "PHỤ LỤC\nNGUỒN SỐ LIỆU",
    ]
    assert headings == expected
    assert "10. Đánh giá chung" in headings[1 + 9]


def test_share_of_budget_is_derived_and_formatted(cat, sample_build):
    result = sample_build  # the sample inputs built as of AS_OF, without PDF
    table = table_after(chapter_blocks(result.chapter), "1. ",
                        "Chi ngân sách địa phương cho KH&CN")
    row = row_of(table, "2019")
    # Sample 2019: total budget 17.420.000, S&T 38.000 + 52.600 = 90.600 (triệu đồng):
    # 90.600 / 17.420.000 × 100 = 0,5201% → "0,52"; against the 2% floor: 0,52 − 2 = −1,48.
    assert row[column(table, "Tổng chi ngân sách địa phương (triệu đồng)")] == "17.420.000"
    assert row[column(table, "Tổng số")] == "90.600"  # under "Chi ngân sách cho KH&CN"
    assert row[column(table, "Tỷ lệ chi KH&CN trong tổng chi NSĐP (%)")] == "0,52"
    assert row[column(table, "So với mức 2% (điểm %)")] == "-1,48"


def test_a_broken_workbook_beside_eight_good_ones(tmp_path, cat, inputs):
    broken = inputs / "TTRA_so_lieu_mau.xlsx"
    broken.write_bytes(broken.read_bytes()[:3000])  # a copy cut short
    result = run_build(inputs, tmp_path / "out", cat, TEMPLATE, as_of=AS_OF, pdf=False,
                       log=lambda _: None)

    mine = [f for f in result.findings if f.file == "TTRA_so_lieu_mau.xlsx"]
    assert [f.code for f in mine] == ["file_unreadable"]
    assert "Lưu thành" in mine[0].message  # says what to do

    blocks = chapter_blocks(result.chapter)
    texts = [str(v) for k, v in blocks if k == "p"]
    assert any(t.startswith("Chưa nhận được số liệu của Thanh tra Sở") for t in texts)
    # The eight others are in their sections.
    for prefix, title, year, header, expected in [
        ("1. ", "Chi ngân sách địa phương", "2011", "Tổng chi ngân sách địa phương (triệu đồng)",
         "7.850.000"),
        ("9. ", "Tỷ lệ lao động qua đào tạo", "2019", "Tỷ lệ lao động qua đào tạo", "66,6"),
        ("3. ", "Đóng góp của vốn, lao động và TFP", "2016", "Tốc độ tăng GRDP (giá so sánh)",
         "10,73"),
    ]:
        table = table_after(blocks, prefix, title)
        assert row_of(table, year)[column(table, header)] == expected

    # The validation report names the file with its finding.
    ws = openpyxl.load_workbook(result.folder / VALIDATION)["Phát hiện"]
    rows = [[c.value for c in r] for r in ws.iter_rows(min_row=2)]
    assert any(r[3] == "TTRA_so_lieu_mau.xlsx" and r[1] == "file_unreadable" for r in rows)


def test_build_outputs_and_latest(tmp_path, cat, inputs, sample_build):
    out = tmp_path / "out"
    first = copy_build(sample_build, out)  # the sample inputs built as of AS_OF, without PDF
    second = run_build(inputs, out, cat, TEMPLATE, as_of=AS_OF, pdf=False, log=lambda _: None)
    assert first != second.folder and first.is_dir()
    assert (out / "latest").resolve() == second.folder.resolve()
    for name in (CHAPTER, MERGED_XLSX, "so-lieu-tong-hop.csv", VALIDATION, PROGRESS,
                 "manifest.json"):
        assert (second.folder / name).is_file(), name
    assert not [p for p in out.iterdir() if p.name.startswith(".building")]

    merged = openpyxl.load_workbook(second.folder / MERGED_XLSX)["Số liệu"]
    header = [c.value for c in merged[1]]
    assert header[:4] == ["Mã đơn vị", "Đơn vị", "Mục", "Mã chỉ tiêu"]
    progress = openpyxl.load_workbook(second.folder / PROGRESS)["Tiến độ"]
    status = {r[0].value: r[10].value for r in progress.iter_rows(min_row=2, max_row=10)}
    assert status["KHTC"] == "Đã nộp, trễ 2 ngày"  # sent 12/03/2020, due 10/03/2020
    assert status["TTRA"] == "Đã nộp, đúng hạn"  # sent 25/03/2020, due 25/03/2020
