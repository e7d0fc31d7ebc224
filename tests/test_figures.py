"""pipeline/render/figures.py: plan_charts (which charts are planned when a unit sent its
workbook, with data or without, and when it did not; numbered across each part) and
write_figures (a drawn chart with its alt text, numbered caption and source line). The
catalogue's charts: I.1 (KHTC, a line of ty_le_chi_khcn with the 2% line), I.3 (QLCN, stacked
contributions by period) and I.9 (TTUD, bars of ld_trinh_do)."""

from __future__ import annotations

import pytest
from docx import Document

from pipeline.core.records import Value
from pipeline.core.word import StyleIds, new_document
from pipeline.derive import derive
from pipeline.merge import merge
from pipeline.render import charts
from pipeline.render.figures import Planned, plan_charts, write_figures
from pipeline.render.values import Values

TAGS = {"I.1": "1", "I.3": "1", "I.9": "1"}  # every item of Phần I: figures 1.1, 1.2...


def _sent(*units: str) -> dict[str, str]:
    """The units whose workbook was received, each with where its figures come from."""
    return {u: f"Đơn vị {u}, biểu số liệu gửi ngày 12/03/2020" for u in units}
TITLE_I1 = "Tỷ lệ chi ngân sách địa phương cho KH&CN so với mức 2% theo Luật KH&CN"


def _values(cat, rows: list[tuple[str, str, int, float]]) -> Values:
    merged = merge(cat, [Value("KHTC", i, p, y, v, "", "", "KHTC.xlsx", "I.1", "E6", "0" * 64)
                         for i, p, y, v in rows])
    return Values.of(merged, derive(cat, merged))


@pytest.fixture(scope="module")
def budget(cat) -> Values:
    """KHTC's budget in 2018 and 2019: a share of 0,25% and 0,3%."""
    return _values(cat, [("chi_nsdp", "total", 2018, 8_000_000.0),
                         ("chi_nsdp", "total", 2019, 10_000_000.0),
                         ("chi_khcn", "total", 2018, 20_000.0),
                         ("chi_khcn", "total", 2019, 30_000.0)])


def test_a_unit_that_sent_its_workbook_gets_its_chart(cat, budget, tmp_path):
    planned = plan_charts(cat, budget, TAGS, _sent("KHTC"), tmp_path,
                          {"I.1": {"chi_khcn": "Bảng 1.1", "chi_nsdp": "Bảng 1.1"}})

    assert list(planned) == ["I.1"]
    (p,) = planned["I.1"]
    assert p.caption == f"Hình 1.1. {TITLE_I1}"
    # The share is derived: no table of the plan shows that column, so no table is named.
    assert p.source == "Nguồn: Đơn vị KHTC, biểu số liệu gửi ngày 12/03/2020."
    chart = p.chart
    assert chart.kind == "line"
    assert chart.categories == ("2011", "2012", "2013", "2014", "2015", "2016", "2017",
                                "2018", "2019")
    (series,) = chart.series
    assert series.label == "Tỷ lệ chi KH&CN trong tổng chi NSĐP"
    assert series.values[:7] == (None,) * 7
    assert series.values[7:] == (pytest.approx(0.25), pytest.approx(0.3))
    assert chart.out == tmp_path / "hinh-1-1.png"
    assert (chart.y_label, chart.decimals) == ("% tổng chi NSĐP", 2)
    assert (chart.reference, chart.reference_label) == (
        2.0, "Mức tối thiểu 2% (Luật KH&CN 2013, Điều 49)")
    assert not chart.out.exists()  # planned, not drawn


def test_no_chart_for_a_unit_that_sent_nothing(cat, budget, tmp_path):
    assert plan_charts(cat, budget, TAGS, {}, tmp_path) == {}
    # items without charts
    assert plan_charts(cat, budget, TAGS, _sent("QLKH", "VP"), tmp_path) == {}


def test_a_received_workbook_without_data_plans_no_chart_for_its_item(cat, tmp_path):
    empty = _values(cat, [])

    planned = plan_charts(cat, empty, TAGS, _sent("KHTC", "QLCN", "TTUD"), tmp_path)

    assert planned == {"I.1": [], "I.3": [], "I.9": []}


def test_figures_are_numbered_across_the_part_and_name_their_tables(cat, budget, tmp_path):
    values = _values(cat, [("ld_trinh_do", "dai_hoc", 2019, 12.5),
                           ("chi_nsdp", "total", 2019, 10_000_000.0),
                           ("chi_khcn", "total", 2019, 30_000.0)])
    planned = plan_charts(cat, values, {"I.1": "2", "I.9": "2"}, _sent("KHTC", "TTUD"),
                          tmp_path,
                          {"I.9": {"ld_trinh_do.dai_hoc": "Bảng 2.7",
                                   "ld_trinh_do.so_cap": "Bảng 2.7"}})

    assert [(p.number, p.chart.out.name) for ps in planned.values() for p in ps] == [
        ("2.1", "hinh-2-1.png"), ("2.2", "hinh-2-2.png")]
    assert planned["I.9"][0].source == ("Nguồn: Đơn vị TTUD, biểu số liệu gửi ngày 12/03/2020; "
                                        "số liệu tại Bảng 2.7.")


def test_bars_by_chosen_years_with_one_series_per_part(cat, tmp_path):
    values = _values(cat, [("ld_trinh_do", "dai_hoc", 2019, 12.5),
                           ("ld_trinh_do", "so_cap", 2015, 3.0)])

    (p,) = plan_charts(cat, values, TAGS, _sent("TTUD"), tmp_path)["I.9"]

    assert p.caption == "Hình 1.1. Tỷ lệ lao động có bằng cấp, chứng chỉ theo trình độ"
    assert p.chart.kind == "bar"
    assert p.chart.categories == ("2011", "2015", "2019")
    assert [(s.label, s.values) for s in p.chart.series] == [
        ("Sơ cấp", (None, 3.0, None)), ("Trung cấp", (None, None, None)),
        ("Cao đẳng", (None, None, None)), ("Đại học", (None, None, 12.5)),
        ("Trên đại học", (None, None, None))]


def test_a_figure_is_the_picture_with_alt_text_then_caption_then_source(tmp_path):
    png = tmp_path / "hinh-1-1.png"
    chart = charts.Chart("line", ("2018", "2019"), (charts.Series("A", (1.0, 2.0)),), png)
    charts.draw(chart)
    planned = [Planned("1.1", "Thử", "Nguồn: Phòng A, biểu số liệu; số liệu tại Bảng 1.2.",
                       chart)]
    doc = new_document()

    write_figures(doc, StyleIds(doc), planned, {("Bảng", "1.2")})
    doc.save(str(tmp_path / "h.docx"))

    read = Document(str(tmp_path / "h.docx"))
    picture, caption, source = read.paragraphs[-3:]
    (shape,) = read.inline_shapes
    assert round(shape.width.mm) == 160
    doc_pr = shape._inline.docPr
    assert (doc_pr.get("descr"), doc_pr.get("title")) == ("Hình 1.1. Thử", "Thử")
    assert (picture.style.name, caption.style.name, source.style.name) == (
        "Hình", "Hình - tên hình", "Bảng - nguồn")
    assert caption.text == "Hình 1.1. Thử"
    assert "SEQ Hình \\* ARABIC \\r 1" in caption._p.xml
    assert source.text == "Nguồn: Phòng A, biểu số liệu; số liệu tại Bảng 1.2."
    assert "REF _Ref_T1_2 \\h" in source._p.xml
