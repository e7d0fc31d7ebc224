"""The analysis written from the figures (render/analysis.py, templates/phan-tich.yaml), the
forecast table (render/forecast.py) and the sourced references of the catalogue: the texts a
reader sees, with figures worked out by hand."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pandas as pd
import pytest
import yaml
from docx import Document

from pipeline.catalogue.load import parse_catalogue
from pipeline.core.errors import CatalogueError, TemplateError
from pipeline.core.records import Value
from pipeline.core.word import StyleIds, new_document
from pipeline.derive import (
    DERIVED_COLUMNS,
    GROWTH_COLUMNS,
    PERIOD_COLUMNS,
    Derivation,
    derive,
)
from pipeline.merge import MERGED_COLUMNS, merge
from pipeline.read.model import FileInfo, NarrativeSection, NarrativeSubmission, WorkbookSubmission
from pipeline.render.analysis import PHRASES, analyse, load_phrases
from pipeline.render.chapter import ChapterData, render_chapter
from pipeline.render.sections import SectionData, numbering, write_body
from pipeline.render.values import Values

from .conftest import CATALOGUE, TEMPLATE, chapter_blocks, target_status

SHIPPED = TEMPLATE.with_name(PHRASES)
AS_OF = dt.date(2020, 3, 30)


def _file(name: str) -> FileInfo:
    return FileInfo(Path(name), name, "0" * 64, 1, dt.datetime(2020, 3, 1, 8, 0))


def _workbook(unit: str) -> WorkbookSubmission:
    return WorkbookSubmission(_file(f"{unit}.xlsx"), unit, {"ngay_gui": "09/03/2020"}, (), (),
                              ())


def _narrative(unit: str, item: str, text: str) -> NarrativeSubmission:
    return NarrativeSubmission(_file(f"{unit}_thuyet_minh.docx"), unit,
                               (NarrativeSection(f"{item}.", item, 0, (text,)),))


def _values(unit: str, data: dict[tuple[str, str, int], float]) -> list[Value]:
    return [Value(unit, code, part, year, float(v), "", "", f"{unit}.xlsx", "S", f"E{n}",
                  "0" * 64) for n, ((code, part, year), v) in enumerate(data.items(), start=6)]


# I.1 in 2011 and 2019 only (triệu đồng): the years' figures, no period figure.
BUDGET = {
    ("chi_nsdp", "total", 2011): 7_850_000, ("chi_nsdp", "total", 2019): 17_420_000,
    ("chi_khcn", "total", 2011): 38_800, ("chi_khcn", "total", 2019): 90_600,
    ("chi_khcn", "dtpt", 2011): 14_500, ("chi_khcn", "dtpt", 2019): 38_000,
    ("chi_khcn", "su_nghiep", 2011): 24_300, ("chi_khcn", "su_nghiep", 2019): 52_600,
}


def _data(cat, values=(), workbooks=(), narratives=(), lists=None) -> SectionData:
    merged = merge(cat, list(values))
    derivation = derive(cat, merged, lists)
    return SectionData(cat, Values.of(merged, derivation), derivation,
                       {w.unit: w for w in workbooks}, {n.unit: n for n in narratives},
                       lists or {})


def _budget(cat, data=BUDGET) -> SectionData:
    return _data(cat, _values("KHTC", data), [_workbook("KHTC")])


def _phrases(tmp_path: Path, text: str, cat) -> object:
    path = tmp_path / PHRASES
    path.write_text(text, encoding="utf-8")
    return load_phrases(path, cat)


# --- the shipped phrases on hand-worked figures -----------------------------------------------
def test_i1_quotes_the_share_its_gap_to_the_2_percent_floor_and_its_table(cat):
    [first, _] = analyse(load_phrases(SHIPPED, cat), _budget(cat))["I.1"]
    # 90.600 / 17.420.000 × 100 = 0,5201% ; 2 − 0,5201 = 1,4799 points.
    # Growth 2011-2019 over 8 years: (90.600 / 38.800)^(1/8) − 1 = 11,18%;
    # (17.420.000 / 7.850.000)^(1/8) − 1 = 10,48%. The share: 38.800 / 7.850.000 = 0,494%.
    assert first.startswith("Chi ngân sách địa phương cho KH&CN năm 2011 là 38.800 triệu đồng, "
                            "năm 2019 là 90.600 triệu đồng (Bảng 1.1), bình quân mỗi năm tăng "
                            "11,2%; cùng thời kỳ, tổng chi ngân sách địa phương tăng bình quân "
                            "10,5%/năm.")
    assert ("tỷ lệ chi cho KH&CN trong tổng chi ngân sách địa phương gần như không đổi: 0,49% "
            "năm 2011 và 0,52% năm 2019.") in first
    assert ("So với mức chi tối thiểu 2% tổng chi ngân sách nhà nước cho KH&CN theo Điều 49 Luật "
            "Khoa học và Công nghệ năm 2013, tỷ lệ năm 2019 còn thấp hơn 1,48 điểm phần "
            "trăm.") in first
    # No year of 2012-2018: no period figure, said plainly instead of the period sentences.
    assert ("Chưa có đủ số liệu các năm để tính tỷ lệ chi cho KH&CN của từng giai đoạn.") in first


def test_a_missing_figure_gives_the_missing_phrase(cat):
    no_2019 = {k: v for k, v in BUDGET.items() if k[2] != 2019}
    [first, _] = analyse(load_phrases(SHIPPED, cat), _budget(cat, no_2019))["I.1"]
    assert first.startswith("Chưa có đủ số liệu chi ngân sách cho KH&CN và tổng chi ngân sách "
                            "địa phương các năm 2011 và 2019 để đánh giá mức chi và tốc độ tăng.")
    assert ("Chưa có tỷ lệ chi cho KH&CN năm 2019 để so sánh với mức tối thiểu 2% theo Điều 49 "
            "Luật Khoa học và Công nghệ năm 2013.") in first
    assert "%" not in first.replace("2%", "")  # no figure quoted


def test_no_analysis_for_a_unit_whose_workbook_has_not_come(cat):
    # The section already says the unit has not sent its figures: nothing more to say.
    assert "I.1" not in analyse(load_phrases(SHIPPED, cat), _data(cat))


def test_the_sources_of_national_references_are_in_the_catalogue(cat):
    refs = cat.reference_by_code
    assert (refs["tfp_ca_nuoc_2011_2015"].value, refs["tfp_ca_nuoc_2011_2015"].period) == (
        33.58, "2011-2015")
    assert (refs["tfp_ca_nuoc_2016_2019"].value, refs["tfp_ca_nuoc_2016_2019"].period) == (
        44.46, "2016-2019")
    assert refs["muc_chi_toi_thieu_khcn"].value == 2
    assert "soha.vn" in refs["tfp_ca_nuoc_2016_2019"].source
    assert refs["muc_chi_toi_thieu_khcn"].cited_as == "Điều 49 Luật Khoa học và Công nghệ năm 2013"


def test_a_reference_code_given_twice_is_refused():
    raw = yaml.safe_load(CATALOGUE.read_text(encoding="utf-8"))
    raw["references"].append(dict(raw["references"][0]))
    with pytest.raises(CatalogueError) as e:
        parse_catalogue(raw)
    assert "mã số liệu tham chiếu trùng: tfp_ca_nuoc_2011_2015" in str(e.value)


def test_tfp_is_compared_with_the_national_figures(cat):
    growth = {  # GRDP, capital, labour growth (%), every year of both periods
        "grdp_tang": 10.0, "von_tang": 10.0, "lao_dong_tang": 2.0}
    data = {(code, "total", y): v for code, v in growth.items() for y in range(2011, 2020)}
    texts = analyse(load_phrases(SHIPPED, cat), _data(cat, _values("QLCN", data),
                                                       [_workbook("QLCN")]))["I.3"]
    # TFP growth = 10 − 0,35 × 10 − 0,65 × 2 = 5,2%; its share of 10% growth: 52,0% in both
    # periods, above 33,58% and 44,46%.
    tfp = next(t for t in texts if t.startswith("Theo phương pháp hạch toán tăng trưởng"))
    assert ("đóng góp của TFP vào tăng trưởng GRDP đạt 52,0% và 52,0% (Bảng 1.2). So với bình "
            "quân cả nước theo Tổng cục Thống kê (33,58% giai đoạn 2011-2015 và 44,46% giai "
            "đoạn 2016-2019), đóng góp của TFP của tỉnh cao hơn ở cả hai giai đoạn.") in tfp


# --- the section: analysis first, the unit's own text after it ------------------------------
def test_the_units_narrative_follows_the_analysis_and_is_kept(cat, tmp_path):
    phrases = _phrases(tmp_path, """
I.1:
  - sentences:
      - text: Tỷ lệ năm {{ nam_cuoi }} là {{ d("ty_le_chi_khcn", nam_cuoi) | pt }}
          ({{ bang("ty_le_chi_khcn") }}).
        missing: Chưa có tỷ lệ năm {{ nam_cuoi }}.
""", cat)
    base = _budget(cat)
    data = SectionData(cat, base.values, base.derivation, base.workbooks,
                       {"KHTC": _narrative("KHTC", "I.1", "Đoạn của phòng.")}, {},
                       analyse(phrases, base))
    doc = new_document()
    write_body(doc, StyleIds(doc), data, next(it for it in cat.items if it.code == "I.1"),
               numbering(cat)["I"])
    path = tmp_path / "muc.docx"
    doc.save(str(path))
    texts = [p.text for p in Document(str(path)).paragraphs]
    assert texts[:4] == ["Đơn vị chủ trì: Phòng Kế hoạch Tài chính.",
                         "Tỷ lệ năm 2019 là 0,52% (Bảng 1.1).",
                         "Đoạn của phòng.",
                         "Bảng 1.1. Chi ngân sách địa phương cho KH&CN giai đoạn 2011-2019"]


def test_the_phrases_beside_the_template_are_the_ones_used(tmp_path, cat):
    folder = tmp_path / "mau"
    folder.mkdir()
    shutil.copy(TEMPLATE, folder / "chapter.docx")
    (folder / PHRASES).write_text("""
II.4:
  - sentences:
      - text: Câu mới của phòng Kế hoạch Tài chính, tổng {{ tong_dat() | gon }} ha.
        missing: Chưa có đất nào được đề xuất (câu do phòng sửa).
""", encoding="utf-8")
    merged = pd.DataFrame(columns=MERGED_COLUMNS)
    out = render_chapter(cat, ChapterData(merged, derive(cat, merged), (), (), AS_OF),
                         folder / "chapter.docx", tmp_path / "chuong.docx")
    texts = [str(v) for k, v in chapter_blocks(out) if k == "p"]
    assert "Chưa có đất nào được đề xuất (câu do phòng sửa)." in texts
    assert not any(t.startswith("Chi ngân sách địa phương cho KH&CN") for t in texts)


def test_no_phrases_beside_the_template_is_said(tmp_path, cat):
    shutil.copy(TEMPLATE, tmp_path / "chapter.docx")
    merged = pd.DataFrame(columns=MERGED_COLUMNS)
    with pytest.raises(TemplateError) as e:
        render_chapter(cat, ChapterData(merged, derive(cat, merged), (), (), AS_OF),
                       tmp_path / "chapter.docx", tmp_path / "chuong.docx")
    assert str(e.value) == (f"Không tìm thấy tệp câu phân tích '{tmp_path / PHRASES}'. Tệp này "
                            "phải nằm cạnh mẫu chương (chép lại templates/phan-tich.yaml).")


SENTENCE = "I.1:\n  - sentences:\n      - text: {text}\n        missing: Thiếu.\n"


@pytest.mark.parametrize("text, expected", [
    ("I.1:\n  - sentences: [text: a\n",
     "Tệp câu phân tích 'phan-tich.yaml' sai cú pháp YAML ở dòng 3 (expected ',' or ']', but "
     "got '<stream end>'). Kiểm tra thụt lề và dấu ':' rồi chạy lại."),
    (SENTENCE.format(text="'Năm {{ nam_cuoi }'"),
     "Tệp câu phân tích 'phan-tich.yaml', mục I.1, đoạn 1, câu 1 («Năm {{ nam_cuoi }»): sai cú "
     "pháp Jinja (unexpected '}'). Sửa câu này trong tệp rồi chạy lại."),
    (SENTENCE.format(text="'{{ vv(\"chi_khcn\", 2019) | so }}'"),
     "Tệp câu phân tích 'phan-tich.yaml', mục I.1, đoạn 1, câu 1 («{{ vv(\"chi_khcn\", 2019) | "
     "so }}»): không có hàm hay biến 'vv'"),
    (SENTENCE.format(text="'{{ v(\"chi_khcn\", 2019) | tron }}'"),
     "Tệp câu phân tích 'phan-tich.yaml', mục I.1, đoạn 1, câu 1 («{{ v(\"chi_khcn\", 2019) | "
     "tron }}»): sai cú pháp Jinja (No filter named 'tron'.). Sửa câu này trong tệp rồi chạy "
     "lại."),
    ("I.1:\n  - sentences:\n      - text: Câu.\n        missing: Thiếu {{ nam_thieu }}.\n",
     "Tệp câu phân tích 'phan-tich.yaml', mục I.1, đoạn 1, câu 1 (missing) («Thiếu {{ nam_thieu "
     "}}.»): không có hàm hay biến 'nam_thieu'"),
    ("I.10:\n  - sentences: []\n",
     "Tệp câu phân tích 'phan-tich.yaml': mục 'I.10' không có trong danh mục (các mục: I.1,"),
    ("I.1:\n  - sentences:\n      - text: Câu.\n",
     "Tệp câu phân tích 'phan-tich.yaml', mục I.1, đoạn 1, câu 1 («Câu.»): mỗi câu có đúng các "
     "khóa 'text', 'missing' và (nếu cần) 'each'; câu này có: text. Sửa câu này trong tệp rồi "
     "chạy lại."),
])
def test_a_broken_phrases_file_is_a_template_error_naming_the_sentence(tmp_path, cat, text,
                                                                       expected):
    with pytest.raises(TemplateError) as e:
        _phrases(tmp_path, text, cat)
    assert str(e.value).startswith(expected)


@pytest.mark.parametrize("text, expected", [
    ("'{{ v(\"chi_khcn_x\", 2019) | so }}'",
     "Tệp câu phân tích 'phan-tich.yaml', mục I.1, đoạn 1, câu 1 («{{ v(\"chi_khcn_x\", 2019) | "
     "so }}»): không có chỉ tiêu 'chi_khcn_x' trong danh mục (viết 'mã' hoặc 'mã.phần', ví dụ "
     "'chi_khcn.dtpt'). Sửa câu này trong tệp rồi chạy lại."),
    ("'{{ v(\"chi_khcn\", 2040) | so }}'",
     "Tệp câu phân tích 'phan-tich.yaml', mục I.1, đoạn 1, câu 1 («{{ v(\"chi_khcn\", 2040) | "
     "so }}»): năm '2040' không phải năm của chương. Sửa câu này trong tệp rồi chạy lại."),
    ("'{{ bang(\"csvc_thiet_bi_moi\") }}'",
     "Tệp câu phân tích 'phan-tich.yaml', mục I.1, đoạn 1, câu 1 («{{ bang(\"csvc_thiet_bi_moi\")"
     " }}»): không có chỉ tiêu 'csvc_thiet_bi_moi' trong danh mục"),
    ("'{{ v(\"chi_khcn\", 2019) | so(\"hai\") }}'",
     "Tệp câu phân tích 'phan-tich.yaml', mục I.1, đoạn 1, câu 1 («{{ v(\"chi_khcn\", 2019) | "
     "so(\"hai\") }}»): gọi hàm hoặc phép tính sai"),
])
def test_a_phrase_asking_for_what_cannot_exist_is_named_when_rendered(tmp_path, cat, text,
                                                                      expected):
    phrases = _phrases(tmp_path, SENTENCE.format(text=text), cat)
    with pytest.raises(TemplateError) as e:
        analyse(phrases, _budget(cat))
    assert str(e.value).startswith(expected)


def test_a_missing_phrase_is_said_once_per_item(tmp_path, cat):
    phrases = _phrases(tmp_path, """
I.1:
  - sentences:
      - text: Năm 2015 chi {{ v("chi_khcn", 2015) | so }} triệu đồng.
        missing: Chưa có đủ số liệu chi ngân sách cho KH&CN năm 2015 để đánh giá.
      - text: Tổng chi năm 2015 là {{ v("chi_nsdp", 2015) | so }} triệu đồng.
        missing: Chưa có đủ số liệu chi ngân sách cho KH&CN năm 2015 để đánh giá.
      - text: "{% if v('chi_khcn', 2019) > 10**9 %}Không bao giờ.{% endif %}"
        missing: ""
""", cat)
    assert analyse(phrases, _budget(cat))["I.1"] == [
        "Chưa có đủ số liệu chi ngân sách cho KH&CN năm 2015 để đánh giá."]


# --- Part II: targets, forecast, land ---------------------------------------------------------


def _derivation(targets) -> Derivation:
    return Derivation(pd.DataFrame(columns=DERIVED_COLUMNS), pd.DataFrame(columns=PERIOD_COLUMNS),
                      pd.DataFrame(columns=GROWTH_COLUMNS), tuple(targets), ())


def test_the_targets_summary_counts_what_is_reached(cat):
    derivation = _derivation([target_status(), target_status(label="Tỷ lệ khác", current=90.0),
                              target_status(label="Chưa có", current=None, current_when="-")])
    merged = pd.DataFrame(columns=MERGED_COLUMNS)
    data = SectionData(cat, Values.of(merged, derivation), derivation, {}, {}, {})
    texts = analyse(load_phrases(SHIPPED, cat), data)["II.3"]
    assert texts[0] == ("Các phòng, đơn vị đề xuất 3 chỉ tiêu phát triển KH&CN đến năm 2030 "
                        "(Bảng 2.1). So với hiện trạng, 1 chỉ tiêu đã đạt mục tiêu năm 2025, "
                        "1 chỉ tiêu chưa đạt; 1 chỉ tiêu chưa đủ số liệu để đánh giá. Đánh giá "
                        "từng chỉ tiêu (hiện trạng, mức còn thiếu so với mục tiêu và mức tăng "
                        "cần đạt mỗi năm) ghi trong Bảng 2.1; dự báo theo xu hướng và lộ "
                        "trình đạt mục tiêu trình bày ở Bảng 2.2.")
    assert len(texts) == 1  # the verdict of each row is in the table, not repeated


def test_land_demand_is_said_per_place_and_type_with_its_table(cat, tmp_path):
    projects = pd.DataFrame({
        "unit_name": ["Phòng Quản lý Khoa học", "Trung tâm Ứng dụng KH&CN"],
        "ten": ["Khu thực nghiệm", "Vườn ươm"], "quy_mo": ["5 ha", "3 ha"],
        "dia_diem": ["Huyện Lục Nam", "Huyện Lục Nam"], "dien_tich": [2.5, 1.25],
        "loai_dat": ["Đất trồng lúa", "Đất trồng lúa"], "giai_doan": ["2021-2025", "2026-2030"]})
    base = _data(cat, lists={"du_an": projects})
    data = SectionData(cat, base.values, base.derivation, {}, {}, {"du_an": projects},
                       analyse(load_phrases(SHIPPED, cat), base))
    doc = new_document()
    item = next(it for it in cat.items if it.code == "II.4")
    numbers = numbering(cat)["II"]
    next(numbers), next(numbers)  # the targets (Bảng 2.1) and the forecast (2.2) come before
    write_body(doc, StyleIds(doc), data, item, numbers)
    path = tmp_path / "muc.docx"
    doc.save(str(path))
    texts = [p.text for p in Document(str(path)).paragraphs]
    # 2,5 + 1,25 = 3,75 ha of rice land in Lục Nam; the land table is the section's fourth,
    # the sixth of Phần II.
    assert ("Theo đề xuất của các phòng, đơn vị, tổng nhu cầu sử dụng đất cho các dự án KH&CN "
            "là 3,75 ha (Bảng 2.6). Tại huyện Lục Nam cần 3,75 ha đất trồng lúa cho các dự "
            "án “Khu thực nghiệm” và “Vườn ươm”.") in texts
    assert ("Bảng 2.6. Nhu cầu sử dụng đất cho KH&CN theo địa điểm và loại đất chuyển "
            "đổi") in texts
