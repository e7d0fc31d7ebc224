"""pipeline/consistency.py on a small catalogue written here: narrative numbers against the
item's tables (sums of parts, periods, the years named, what is skipped), periods past the
assessment period, a typed percent against its counts, targets against the baseline, a
projection outside the range, and the Sở's units against the catalogue."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.catalogue.load import parse_catalogue
from pipeline.catalogue.model import TOTAL, Catalogue
from pipeline.consistency import check_consistency, check_narratives
from pipeline.core.findings import Finding, Severity
from pipeline.core.records import Value
from pipeline.derive import derive
from pipeline.merge import merge
from pipeline.read.model import (
    FileInfo,
    NarrativeSection,
    NarrativeSubmission,
    WorkbookSubmission,
)

UNITS = [("KHTC", "Phòng Kế hoạch Tài chính"), ("QLKH", "Phòng Quản lý Khoa học"),
         ("QLCN", "Phòng Quản lý Công nghệ và Thị trường công nghệ"), ("VP", "Văn phòng Sở"),
         ("QLCS", "Phòng Quản lý KH&CN cơ sở"), ("QLCNG", "Phòng Quản lý chuyên ngành"),
         ("TTRA", "Thanh tra Sở"), ("TDC", "Chi cục Tiêu chuẩn Đo lường Chất lượng"),
         ("TTUD", "Trung tâm Ứng dụng KH&CN")]


def _item(code: str, unit: str, indicators: list[dict], tables: list[dict] | None = None,
          **more: object) -> dict:
    return {"code": code, "part": code.split(".")[0], "title": f"Mục {code}", "unit": unit,
            "due": "2020-03-25", "indicators": indicators, "tables": tables or [], **more}


def _ind(code: str, label: str, measure: str, **more: object) -> dict:
    return {"code": code, "label": label, "measure": measure, **more}


RAW = {
    "form_version": "t1", "agency": "SỞ KHOA HỌC VÀ CÔNG NGHỆ",
    "parent_agency": "UBND TỈNH BẮC GIANG", "place": "Bắc Giang",
    "chapter_date": "2020-03-25",
    "chapter_title": "KH&CN thời kỳ 2021-2030, tầm nhìn đến năm 2050",
    "part_titles": {"I": "THỰC TRẠNG", "II": "ĐỊNH HƯỚNG", "IV": "GIẢI PHÁP"},
    "years": {"actual": [2016, 2017, 2018, 2019], "target": [2025, 2030]},
    "periods": [{"code": "2016-2019", "first": 2016, "last": 2019}],
    "units": [{"code": c, "name": n} for c, n in UNITS],
    "breakdowns": {
        "cap": [{"code": "quoc_gia", "label": "Cấp quốc gia"},
                {"code": "tinh", "label": "Cấp tỉnh"},
                {"code": "co_so", "label": "Cấp cơ sở"}],
        "trinh_do": [{"code": "tien_tien", "label": "Tiên tiến"},
                     {"code": "lac_hau", "label": "Lạc hậu"}],
    },
    "items": [
        _item("I.2", "QLKH", [
            _ind("nv", "Số nhiệm vụ KH&CN triển khai", "nhiệm vụ", nature="flow",
                 type="integer", breakdown="cap", with_total=True),
            _ind("kp", "Kinh phí thực hiện nhiệm vụ", "triệu đồng", nature="flow")],
            [{"title": "Nhiệm vụ KH&CN triển khai theo cấp quản lý",
              "columns": [{"indicator": "nv", "part": p}
                          for p in ("quoc_gia", "tinh", "co_so", "total")]},
             {"title": "Kinh phí thực hiện nhiệm vụ", "columns": [{"indicator": "kp"}]}]),
        _item("I.3", "QLCN", [
            _ind("da", "Số dự án được thẩm định công nghệ", "dự án", nature="flow",
                 type="integer", breakdown="trinh_do", with_total=True),
            _ind("da_tt", "Tỷ lệ dự án đầu tư có công nghệ tiên tiến", "%", nature="ratio",
                 period="mean", type="percent", decimals=1)],
            [{"title": "Dự án theo trình độ công nghệ",
              "columns": [{"indicator": "da", "part": "tien_tien"},
                          {"indicator": "da", "part": "total"}, {"indicator": "da_tt"}]}]),
        _item("I.4", "VP", [
            _ind("bm_don_vi", "Số phòng, đơn vị trực thuộc Sở", "đơn vị", nature="stock",
                 type="integer")],
            [{"title": "Bộ máy quản lý nhà nước về KH&CN",
              "columns": [{"indicator": "bm_don_vi"}]}]),
        _item("I.9", "TTUD", [
            _ind("ld", "Tỷ lệ lao động qua đào tạo", "%", nature="ratio", period="mean",
                 type="percent", years="both", decimals=1)],
            [{"title": "Tỷ lệ lao động qua đào tạo", "columns": [{"indicator": "ld"}]}]),
        _item("II.3", "all", [], targets=[{"indicator": "ld"}]),
    ],
    "derived": [{"code": "ty_le_tt", "label": "Tỷ lệ dự án có công nghệ tiên tiến",
                 "measure": "%", "decimals": 1,
                 "formula": "da.tien_tien / da.total * 100"}],
}

YEARS = (2016, 2017, 2018, 2019)
DATA: dict[tuple[str, str], tuple[float, ...]] = {
    # 2016-2019: national 41, provincial 60, grassroots 162, all 263 tasks
    ("nv", "quoc_gia"): (9, 10, 11, 11),
    ("nv", "tinh"): (14, 15, 15, 16),
    ("nv", "co_so"): (38, 40, 41, 43),
    ("nv", TOTAL): (61, 65, 67, 70),
    ("kp", TOTAL): (12_000, 15_500, 16_000, 17_420),
    # advanced technology: 10/40 = 25%, 12/40 = 30%, 15/50 = 30%, 20/50 = 40%
    ("da", "tien_tien"): (10, 12, 15, 20),
    ("da", "lac_hau"): (30, 28, 35, 30),
    ("da", TOTAL): (40, 40, 50, 50),
    ("da_tt", TOTAL): (25.0, 30.0, 30.0, 40.0),
    ("bm_don_vi", TOTAL): (8, 9, 9, 9),
    ("ld", TOTAL): (60.0, 61.5, 63.0, 66.6),
}
TARGETS = {("ld", 2025): 75.0, ("ld", 2030): 80.0}


@pytest.fixture(scope="module")
def small() -> Catalogue:
    return parse_catalogue(RAW, "thu.yaml")


def _values(cat: Catalogue, data=DATA, targets=TARGETS) -> list[Value]:
    rows = [(i, p, y, v) for (i, p), series in data.items() for y, v in zip(YEARS, series)]
    rows += [(i, TOTAL, y, v) for (i, y), v in targets.items()]
    return [Value(unit=cat.item_of_indicator[i].unit, indicator=i, breakdown=p, year=y,
                  value=float(v), status="", note="",
                  file=f"{cat.item_of_indicator[i].unit}_so_lieu.xlsx",
                  sheet=cat.item_of_indicator[i].code, cell=f"E{n}", file_hash="0")
            for n, (i, p, y, v) in enumerate(rows, start=6)]


def _info(name: str) -> FileInfo:
    return FileInfo(Path(name), name, "0" * 64, 10, dt.datetime(2020, 3, 20))


def _workbooks(cat: Catalogue) -> list[WorkbookSubmission]:
    return [WorkbookSubmission(_info(f"{u.code}_so_lieu.xlsx"), u.code, {}, (), (), ())
            for u in cat.units]


def _narrative(item: str, *paragraphs: str, unit: str = "QLKH") -> NarrativeSubmission:
    return NarrativeSubmission(_info(f"{unit}_thuyet_minh.docx"), unit, (
        NarrativeSection(f"{item}. Mục {item}", item, 0, paragraphs),))


def _check(cat: Catalogue, narratives: list[NarrativeSubmission] | None = None,
           data=DATA, targets=TARGETS) -> list[Finding]:
    merged = merge(cat, _values(cat, data, targets))
    return check_consistency(cat, merged, derive(cat, merged), narratives or [],
                             _workbooks(cat))


def _of(found: list[Finding], *codes: str) -> list[Finding]:
    return [f for f in found if f.code in codes]


NARRATIVE_CODES = ("narrative_figure_mismatch", "narrative_period_outside")


# --- 1. narrative numbers against the item's tables ----------------------------------------
def test_a_number_no_table_holds_is_a_warning_naming_the_sentence_and_the_table(small):
    sentence = ("Giai đoạn 2016-2020, toàn tỉnh triển khai 74 đề tài, dự án KH&CN cấp tỉnh và "
                "cấp quốc gia.")

    found = _of(_check(small, [_narrative("I.2", sentence)]), "narrative_figure_mismatch")

    assert [(f.severity, f.file, f.sheet, f.unit, f.value) for f in found] == [
        (Severity.WARNING, "QLKH_thuyet_minh.docx", "I.2. Mục I.2", "QLKH", "74")]
    assert found[0].message == (
        "Thuyết minh viết «Giai đoạn 2016-2020, toàn tỉnh triển khai 74 đề tài, dự án KH&CN "
        "cấp tỉnh và cấp quốc gia.»: số 74 không khớp với số liệu nào của mục I.2 cho giai "
        "đoạn 2016-2020 trong biểu số liệu (kể cả tổng các phân tổ và tốc độ tăng). Theo bảng "
        "«Nhiệm vụ KH&CN triển khai theo cấp quản lý», Số nhiệm vụ KH&CN triển khai (Cấp quốc "
        "gia + Cấp tỉnh) giai đoạn 2016-2019 là 101 nhiệm vụ. Hãy sửa số trong thuyết minh cho "
        "khớp với biểu số liệu (hoặc sửa biểu số liệu nếu biểu sai), hoặc ghi rõ số này được "
        "tính thế nào.")


def test_a_period_past_the_assessment_period_names_the_years_outside(small):
    sentence = "Giai đoạn 2016-2020, toàn tỉnh triển khai 101 nhiệm vụ cấp tỉnh và cấp quốc gia."

    found = _of(_check(small, [_narrative("I.2", sentence)]), *NARRATIVE_CODES)

    assert [(f.code, f.severity, f.year, f.value) for f in found] == [
        ("narrative_period_outside", Severity.WARNING, 2020, "giai đoạn 2016-2020")]
    assert found[0].message == (
        "Thuyết minh viết «Giai đoạn 2016-2020, toàn tỉnh triển khai 101 nhiệm vụ cấp tỉnh và "
        "cấp quốc gia.»: giai đoạn 2016-2020 vượt ra ngoài giai đoạn đánh giá 2016-2019 (biểu "
        "số liệu chỉ có số liệu đến năm 2019, không có năm 2020). Hãy viết lại theo giai đoạn "
        "có số liệu (đến năm 2019), hoặc ghi rõ số liệu năm 2020 là ước tính.")


@pytest.mark.parametrize("sentence", [
    # a sum of two parts, for the period and for a year
    "Giai đoạn 2016-2019, toàn tỉnh triển khai 101 nhiệm vụ cấp tỉnh và cấp quốc gia.",
    "Năm 2019 có 27 nhiệm vụ cấp quốc gia và cấp tỉnh.",
    # a part, the total, a period sum; no year named: any year
    "Năm 2019, số nhiệm vụ cấp cơ sở là 43.",
    "Toàn tỉnh đang triển khai 70 nhiệm vụ.",
    "Giai đoạn 2016-2019, toàn tỉnh triển khai 263 nhiệm vụ.",
    # the change between the years a sentence names, in units and in percent
    "Từ năm 2016 đến năm 2019, số nhiệm vụ tăng từ 61 lên 70, tăng 9 nhiệm vụ (14,8%).",
    # a yearly growth rate; money in another scale than the table's
    "Năm 2017, kinh phí tăng 29,2% so với năm 2016.",
    "Năm 2019, kinh phí thực hiện nhiệm vụ đạt 17,4 tỷ đồng.",
    "Năm 2019, kinh phí thực hiện nhiệm vụ đạt 17.420 triệu đồng.",
    "Năm 2019, kinh phí thực hiện nhiệm vụ đạt 17.420,4 triệu đồng.",  # within rounding
    # numbers that are not figures
    "Năm 2019, các đơn vị áp dụng TCVN ISO 9001 theo Điều 49 Luật KH&CN năm 2013 và Quyết "
    "định số 2158/QĐ-UBND ngày 27/6/2005, hướng tới công nghệ 4.0.",
    "Năm 2019, dự án trên tuyến ĐT 398 phòng dịch COVID-19, gấp 3 lần.",
    "Toàn tỉnh có 12 huyện, thành phố.",  # no year, not a measure of the item
    "Năm 2005, tỉnh triển khai 12 nhiệm vụ.",  # no figure for 2005: nothing to compare
])
def test_sentences_that_agree_or_say_nothing_checkable(small, sentence):
    assert _of(_check(small, [_narrative("I.2", sentence)]), *NARRATIVE_CODES) == []


@pytest.mark.parametrize(("sentence", "quoted"), [
    ("Năm 2019, kinh phí thực hiện nhiệm vụ đạt 17.000 triệu đồng.", "17.000"),
    ("Năm 2019, kinh phí thực hiện nhiệm vụ đạt 18,4 tỷ đồng.", "18,4"),
    ("Năm 2019, kinh phí thực hiện nhiệm vụ đạt 17,5 tỷ đồng.", "17,5"),  # 17.420 triệu
    ("Năm 2019, kinh phí thực hiện nhiệm vụ đạt 17.421 triệu đồng.", "17.421"),
    ("Toàn tỉnh đang triển khai 72 nhiệm vụ.", "72"),  # a measure of the item, no year
    ("Năm 2018 có 30 nhiệm vụ cấp quốc gia và cấp tỉnh.", "30"),  # 2019's, not 2018's
])
def test_numbers_that_disagree(small, sentence, quoted):
    found = _of(_check(small, [_narrative("I.2", sentence)]), *NARRATIVE_CODES)
    assert [(f.code, f.value) for f in found] == [("narrative_figure_mismatch", quoted)]


def test_each_clause_is_read_with_its_own_year(small):
    para = "Năm 2018 có 67 nhiệm vụ; năm 2019 có 67 nhiệm vụ."
    found = _of(_check(small, [_narrative("I.2", para)]), *NARRATIVE_CODES)
    assert [f.message.split("»")[0] for f in found] == [
        "Thuyết minh viết «năm 2019 có 67 nhiệm vụ."]


def test_a_percent_of_another_item_is_checked_against_its_own_item(small):
    ok = _narrative("I.9", "Tỷ lệ lao động qua đào tạo đạt 66,6% năm 2019.", unit="TTUD")
    wrong = _narrative("I.9", "Năm 2019, tỷ lệ lao động qua đào tạo đạt 70,5%.", unit="TTUD")

    assert _of(_check(small, [ok]), *NARRATIVE_CODES) == []
    found = _of(_check(small, [wrong]), *NARRATIVE_CODES)
    assert [(f.unit, f.value) for f in found] == [("TTUD", "70,5")]
    assert ("Theo bảng «Tỷ lệ lao động qua đào tạo», Tỷ lệ lao động qua đào tạo năm 2019 là "
            "66,6%.") in found[0].message


def test_a_target_quoted_in_the_targets_section_agrees(small):
    text = "Phấn đấu đến năm 2030 tỷ lệ lao động qua đào tạo đạt 80%, năm 2025 đạt 75%."
    assert _of(_check(small, [_narrative("II.3", text)]), *NARRATIVE_CODES) == []


def test_a_section_of_part_ii_may_speak_of_the_planning_period(small):
    text = "Giai đoạn 2021-2025 và 2016-2020 tỷ lệ lao động qua đào tạo tăng."
    assert _of(_check(small, [_narrative("II.3", text)]), *NARRATIVE_CODES) == []


@pytest.fixture(scope="module")
def tables(small):
    merged = merge(small, _values(small))
    return merged, derive(small, merged)


WORDS = ["0", "1", "9", "2019", "2016", "2020", "-", "–", "/", ".", ",", ";", "%", " ", "năm ",
         "giai đoạn ", "Điều ", "ISO ", "tỷ ", "triệu ", "đồng", "nhiệm vụ", "cấp tỉnh", "từ ",
         "đến ", "lần", "Sở", "COVID-", "ngày ", "tháng ", "4.0", "số "]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(WORDS), max_size=30).map("".join))
def test_any_text_is_read_without_error(small, tables, text):
    found = list(check_narratives(small, *tables, [_narrative("I.2", text)]))
    assert all(f.code in NARRATIVE_CODES for f in found)


# --- 2. a typed percent against its counts --------------------------------------------------
def test_a_percent_that_disagrees_with_its_counts_is_a_warning(small):
    data = dict(DATA)
    data[("da_tt", TOTAL)] = (25.0, 30.0, 30.1, 45.0)  # 2018 within 0,05 + rounding

    found = _of(_check(small, data=data), "percent_disagrees_counts")

    assert [(f.severity, f.file, f.sheet, f.cell, f.unit, f.indicator, f.year, f.value)
            for f in found] == [
        (Severity.WARNING, "QLCN_so_lieu.xlsx", "I.3", "E41", "QLCN", "da_tt", 2019, "45,0")]
    assert found[0].message == (
        "'Tỷ lệ dự án đầu tư có công nghệ tiên tiến' do đơn vị nhập khác tỷ lệ tính từ các số "
        "đếm của cùng biểu ('Tỷ lệ dự án có công nghệ tiên tiến'): năm 2019 nhập 45,0% nhưng "
        "tính được 40,0%. Chương sẽ nêu hai tỷ lệ khác nhau cho cùng một chỉ tiêu. Hãy sửa "
        "dòng tỷ lệ cho khớp với các số đếm (hoặc sửa số đếm nếu số đếm sai).")


def test_a_percent_that_agrees_with_its_counts_says_nothing(small):
    assert _of(_check(small), "percent_disagrees_counts") == []


# --- 3 and 4. targets against the baseline; projection outside the range --------------------
def test_targets_below_the_latest_actual_or_falling_are_a_warning_to_their_unit(small):
    found = _of(_check(small, targets={("ld", 2025): 60.0, ("ld", 2030): 58.0}),
                "target_below_baseline")

    assert [(f.severity, f.file, f.sheet, f.cell, f.unit, f.indicator, f.year, f.value)
            for f in found] == [
        (Severity.WARNING, "TTUD_so_lieu.xlsx", "I.9", "E50", "TTUD", "ld", 2025, "60,0%")]
    assert found[0].message == (
        "Mục tiêu 'Tỷ lệ lao động qua đào tạo' chưa hợp lý: mục tiêu năm 2025 (60,0%) không "
        "cao hơn hiện trạng năm 2019 (66,6%); mục tiêu năm 2030 (58,0%) không cao hơn hiện "
        "trạng năm 2019 (66,6%); mục tiêu năm 2030 (58,0%) thấp hơn mục tiêu năm 2025 (60,0%). "
        "Hãy đề xuất lại mục tiêu cao hơn hiện trạng (mục tiêu năm sau không thấp hơn năm "
        "trước), hoặc giải thích trong thuyết minh vì sao giữ mức này.")


def test_targets_above_the_baseline_say_nothing(small):
    assert _of(_check(small), "target_below_baseline") == []


def test_a_projection_leaving_the_range_is_a_note(small):
    data = dict(DATA)
    data[("ld", TOTAL)] = (50.0, 60.0, 70.0, 80.0)  # +10 a year: 140 in 2025, 190 in 2030

    found = _of(_check(small, data=data, targets={("ld", 2025): 85.0, ("ld", 2030): 90.0}),
                "projection_outside_range")

    # At the cell of the 2025 target (E50: the same rows as the test above, the series only
    # replaced), so the unit's feedback copy links to the row.
    assert [(f.severity, f.unit, f.cell, f.year, f.value) for f in found] == [
        (Severity.INFO, "TTUD", "E50", 2025, "140,0")]
    assert found[0].message == (
        "Kéo dài xu hướng tuyến tính của 'Tỷ lệ lao động qua đào tạo' cho năm 2025 là 140,0% "
        "và năm 2030 là 190,0%, ngoài giới hạn 100,0% của chỉ tiêu, nên chương ghi rõ xu hướng "
        "này không dùng được làm dự báo. Không cần sửa biểu số liệu; nếu cần một dự báo, hãy "
        "nêu căn cứ trong thuyết minh mục II.3.")


# --- 5. facts stated twice ---------------------------------------------------------------------
def test_the_sos_units_in_the_table_against_the_catalogue(small):
    data = dict(DATA)
    data[("bm_don_vi", TOTAL)] = (8, 8, 8, 8)

    found = _of(_check(small, data=data), "fact_disagrees")

    assert [(f.severity, f.file, f.sheet, f.cell, f.unit, f.indicator, f.year, f.value)
            for f in found] == [
        (Severity.WARNING, "VP_so_lieu.xlsx", "I.4", "E45", "VP", "bm_don_vi", 2019, "8")]
    assert found[0].message == (
        "'Số phòng, đơn vị trực thuộc Sở' năm 2019 là 8, nhưng danh mục đơn vị của Sở có 9 "
        "phòng, đơn vị (chương ghi đã nhận số liệu của …/9 phòng, đơn vị): chương sẽ nêu hai "
        "con số khác nhau. Hãy kiểm tra lại số liệu; nếu danh mục đơn vị mới là chỗ chưa đúng, "
        "hãy báo Phòng Kế hoạch Tài chính sửa danh mục.")


def test_a_narrative_that_quotes_the_units_against_a_table_that_agrees(small):
    found = _check(small, [_narrative("I.4", "Sở có 8 phòng, đơn vị trực thuộc.", unit="VP")])
    # 2016 had 8: the sentence names no year, so it agrees; the table's 9 agrees with the
    # catalogue.
    assert _of(found, "fact_disagrees", *NARRATIVE_CODES) == []


def test_consistent_inputs_give_no_finding(small):
    narratives = [_narrative("I.2", "Năm 2019 có 70 nhiệm vụ, trong đó 11 cấp quốc gia."),
                  _narrative("I.4", "Năm 2019, Sở có 9 phòng, đơn vị.", unit="VP")]
    assert _check(small, narratives) == []
