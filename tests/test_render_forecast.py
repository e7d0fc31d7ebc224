"""The forecast of the targets (render/forecast.py): the table's cells for hand-made target
rows, and the forecast section as a reader sees it (the method, a trend out of range said
unusable, the table and its note)."""

from __future__ import annotations

from itertools import count

import pandas as pd
import pytest
from docx import Document

from pipeline.core.word import StyleIds, new_document
from pipeline.derive import (
    DERIVED_COLUMNS,
    GROWTH_COLUMNS,
    PERIOD_COLUMNS,
    Derivation,
)
from pipeline.merge import MERGED_COLUMNS
from pipeline.render.analysis import PHRASES, analyse, load_phrases
from pipeline.render.forecast import forecast_cells, forecast_rows, forecast_table
from pipeline.render.sections import FORECAST_TABLE, SectionData, table_plans, write_body
from pipeline.render.values import Values

from .conftest import TEMPLATE, target_status

SHIPPED = TEMPLATE.with_name(PHRASES)




def test_forecast_cells_of_a_hand_made_target_row():
    # Yearly change from 66,6 (2019): to 75 in 2025, 8,4 / 6 = 1,40; to 80 in 2030,
    # 13,4 / 11 = 1,218. The 2030 trend, 111,1%, leaves 0-100: printed as it is, marked.
    [row] = forecast_rows([target_status()])
    assert forecast_cells(row, [2025, 2030]) == [
        "Tỷ lệ lao động qua đào tạo", "%", "66,6 (2019)", "90,4", "111,1*", "75,0", "80,0",
        "+1,40", "+1,22"]
    # A period's figure (TFP 2016-2019): no trend; the path starts from the period's last year.
    [tfp] = forecast_rows([target_status(label="Đóng góp của TFP", current=51.1,
                                   current_when="2016-2019", targets=((2025, 55.0), (2030, 60.0)),
                                   projection=())])
    assert forecast_cells(tfp, [2025, 2030])[2:] == ["51,1 (2016-2019)", "-", "-", "55,0", "60,0",
                                                     "+0,65", "+0,81"]
    [none] = forecast_rows([target_status(current=None, current_when="-", projection=())])
    assert forecast_cells(none, [2025, 2030])[2:] == ["-", "-", "-", "75,0", "80,0", "-", "-"]


def test_the_path_to_a_target_starts_from_the_year_of_the_current_figure():
    # From 66,6 in 2017 to 80 in 2030: 13,4 / 13 = 1,03 a year; none before or at 2017.
    t = target_status(base_year=2017)
    assert t.yearly_change(2030) == pytest.approx(13.4 / 13)
    assert target_status(targets=((2017, 70.0),), base_year=2017).yearly_change(2017) is None
    assert target_status(current=None, base_year=None).yearly_change(2030) is None


def _derivation(targets) -> Derivation:
    return Derivation(pd.DataFrame(columns=DERIVED_COLUMNS), pd.DataFrame(columns=PERIOD_COLUMNS),
                      pd.DataFrame(columns=GROWTH_COLUMNS), tuple(targets), ())


def test_the_forecast_section_says_a_trend_out_of_range_cannot_be_used(cat, tmp_path):
    merged = pd.DataFrame(columns=MERGED_COLUMNS)
    derivation = _derivation([target_status()])
    base = SectionData(cat, Values.of(merged, derivation), derivation, {}, {}, {})
    data = SectionData(cat, base.values, derivation, {}, {}, {},
                       analyse(load_phrases(SHIPPED, cat), base))
    # The forecast's number, as the analysis cites it; the body draws its numbers from there.
    number = table_plans(data)["II.5"][FORECAST_TABLE].removeprefix("Bảng ")
    part, first = number.split(".")
    doc = new_document()
    write_body(doc, StyleIds(doc), data, next(it for it in cat.items if it.code == "II.5"),
               (f"{part}.{k}" for k in count(int(first))))
    path = tmp_path / "muc.docx"
    doc.save(str(path))
    saved = Document(str(path))
    texts = [p.text for p in saved.paragraphs]
    assert ("Xu hướng của chỉ tiêu “Tỷ lệ lao động qua đào tạo” cho 111,1% vào năm 2030, ra "
            "ngoài giới hạn có thể của chỉ tiêu (từ 0 đến 100), nên không dùng được làm dự báo; "
            "để đạt mục tiêu 80,0% năm 2030 cần tăng đều 1,22 điểm phần trăm mỗi năm.") in texts
    assert texts[1].startswith(f"Dự báo một số chỉ tiêu đến năm 2030 (Bảng {number}) được lập "
                               "theo hai cách.")
    assert any(t.startswith("Tầm nhìn đến năm 2050,") for t in texts)
    assert f"Bảng {number}. Dự báo một số chỉ tiêu đến năm 2030" in texts
    [table] = saved.tables
    # Every row is in %: the unit is said once above the table, not in a column.
    assert "Đơn vị tính: % (thay đổi mỗi năm: điểm phần trăm)" in texts
    assert [c.text for c in table.rows[0].cells] == [
        "Chỉ tiêu", "Hiện trạng", "Xu hướng 2025", "Xu hướng 2030", "Mục tiêu 2025",
        "Mục tiêu 2030", "Thay đổi mỗi năm đến 2025", "Thay đổi mỗi năm đến 2030"]
    assert [c.text for c in table.rows[1].cells][3] == "111,1*"
    note = next(t for t in texts if t.startswith("Ghi chú:"))
    assert ("“*”: xu hướng vượt ra ngoài giới hạn có thể của chỉ tiêu, không dùng được làm dự "
            "báo.") in note


def test_rows_of_several_measures_have_a_unit_column_and_no_unit_line(tmp_path):
    # Trained labour in % and S&T organisations counted (a made-up second target row).
    rows = forecast_rows([
        target_status(),
        target_status(label="Số tổ chức KH&CN", measure="tổ chức", decimals=0, current=21.0,
                      targets=((2025, 25.0), (2030, 30.0)),
                      projection=((2025, 27.0), (2030, 32.0)), high=None)])
    doc = new_document()
    forecast_table(doc, StyleIds(doc), "2.2", [2025, 2030], rows, list(range(2011, 2020)))
    path = tmp_path / "du-bao.docx"
    doc.save(str(path))
    saved = Document(str(path))
    texts = [p.text for p in saved.paragraphs]
    assert not [t for t in texts if t.startswith("Đơn vị tính")]
    [table] = saved.tables
    assert [c.text for c in table.rows[0].cells][:3] == ["Chỉ tiêu", "Đơn vị", "Hiện trạng"]
    # 21 to 25 in 6 years: +0,67 a year; to 30 in 11 years: +0,82.
    assert [c.text for c in table.rows[2].cells] == [
        "Số tổ chức KH&CN", "tổ chức", "21 (2019)", "27", "32", "25", "30", "+0,67", "+0,82"]
    note = next(t for t in texts if t.startswith("Ghi chú:"))
    assert "Thay đổi mỗi năm của chỉ tiêu tính bằng % là số điểm phần trăm." in note
    # Nine columns fit a portrait page; the table keeps whole, with its source and note.
    assert not saved.element.body.xpath("./w:p/w:pPr/w:sectPr")
    assert all(p.paragraph_format.keep_with_next for row in table.rows for c in row.cells
               for p in c.paragraphs)
