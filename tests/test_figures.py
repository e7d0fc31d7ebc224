"""pipeline/render/figures.py: plan_charts (which charts are planned when a unit sent its
workbook, with data or without, and when it did not) and figures (how the template shows a
drawn chart). The catalogue's charts: I.1 (KHTC, a line of ty_le_chi_khcn with the 2% line),
I.3 (QLCN, stacked contributions by period) and I.9 (TTUD, bars of ld_trinh_do)."""

from __future__ import annotations

import pytest
from docx.shared import Mm
from docxtpl import DocxTemplate

from pipeline.core.records import Value
from pipeline.derive import derive
from pipeline.merge import merge
from pipeline.render import charts
from pipeline.render.figures import Planned, figures, plan_charts
from pipeline.render.values import Values

from .conftest import TEMPLATE

TAGS = {"I.1": "1", "I.3": "3", "I.9": "9"}
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
    planned = plan_charts(cat, budget, TAGS, {"KHTC"}, tmp_path)

    assert list(planned) == ["I.1"]
    (p,) = planned["I.1"]
    assert p.caption == f"Hình 1.1. {TITLE_I1}"
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
    assert plan_charts(cat, budget, TAGS, set(), tmp_path) == {}
    assert plan_charts(cat, budget, TAGS, {"QLKH", "VP"}, tmp_path) == {}  # items without charts


def test_a_received_workbook_without_data_plans_no_chart_for_its_item(cat, tmp_path):
    empty = _values(cat, [])

    planned = plan_charts(cat, empty, TAGS, {"KHTC", "QLCN", "TTUD"}, tmp_path)

    assert planned == {"I.1": [], "I.3": [], "I.9": []}


def test_the_section_tag_names_caption_and_file(cat, budget, tmp_path):
    planned = plan_charts(cat, budget, {"I.1": "II.4"}, ["KHTC"], tmp_path)

    (p,) = planned["I.1"]
    assert p.caption == f"Hình II.4.1. {TITLE_I1}"
    assert p.chart.out.name == "hinh-II.4-1.png"


def test_bars_by_chosen_years_with_one_series_per_part(cat, tmp_path):
    values = _values(cat, [("ld_trinh_do", "dai_hoc", 2019, 12.5),
                           ("ld_trinh_do", "so_cap", 2015, 3.0)])

    (p,) = plan_charts(cat, values, TAGS, {"TTUD"}, tmp_path)["I.9"]

    assert p.caption == "Hình 9.1. Tỷ lệ lao động có bằng cấp, chứng chỉ theo trình độ"
    assert p.chart.kind == "bar"
    assert p.chart.categories == ("2011", "2015", "2019")
    assert [(s.label, s.values) for s in p.chart.series] == [
        ("Sơ cấp", (None, 3.0, None)), ("Trung cấp", (None, None, None)),
        ("Cao đẳng", (None, None, None)), ("Đại học", (None, None, 12.5)),
        ("Trên đại học", (None, None, None))]


def test_figures_put_each_chart_at_the_text_width_with_its_caption(tmp_path):
    tpl = DocxTemplate(str(TEMPLATE))
    png = tmp_path / "hinh-1-1.png"
    planned = [Planned("Hình 1.1. Thử", charts.Chart("line", ("2019",),
                                                     (charts.Series("A", (1.0,)),), png))]

    (fig,) = figures(tpl, planned)

    assert fig["caption"] == "Hình 1.1. Thử"
    assert fig["image"].image_descriptor == str(png)
    assert fig["image"].width == Mm(160)
    assert figures(tpl, []) == []
