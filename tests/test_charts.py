"""pipeline/render/charts.py: draw (one chart of each kind into tmp_path: a PNG of the fixed
size, Vietnamese numbers on the axis and the labels), Chart.key and draw_all with its cache."""

from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image

from pipeline.render import charts
from pipeline.render.charts import Chart, Series, draw, draw_all

PNG = b"\x89PNG\r\n\x1a\n"
SIZE = (1260, 600)  # 6,3 × 3 inches at 200 dpi


@pytest.fixture()
def drawn(monkeypatch) -> list:
    """The figures draw() made, caught before they are closed (matplotlib is imported here,
    as charts.py does, only by the tests that draw)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    kept: list = []
    close = plt.close

    def keep(fig=None):
        kept.append(fig)
        close(fig)

    monkeypatch.setattr(plt, "close", keep)
    return kept


def _line(out: Path) -> Chart:
    return Chart("line", ("2017", "2018", "2019"),
                 (Series("Tỷ lệ chi KH&CN", (0.25, None, 1234.5)),), out,
                 y_label="% tổng chi NSĐP", decimals=2, reference=2.0,
                 reference_label="Mức tối thiểu 2%")


def test_a_line_chart_is_a_png_of_the_fixed_size(tmp_path, drawn):
    out = tmp_path / "hinh" / "line.png"  # the folder is made

    assert draw(_line(out)) == out

    assert out.read_bytes()[:8] == PNG
    with Image.open(out) as img:
        assert img.size == SIZE
    (fig,) = drawn
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.texts] == ["0,25", "1.234,50"]  # the gap has no label
    assert ax.yaxis.get_major_formatter()(1234.5, 0) == "1.234,50"
    assert ax.yaxis.get_major_formatter()(2, 0) == "2,00"
    assert [t.get_text() for t in ax.get_xticklabels()] == ["2017", "2018", "2019"]
    assert ax.get_ylabel() == "% tổng chi NSĐP"
    assert [t.get_text() for t in ax.get_legend().get_texts()] == [
        "Tỷ lệ chi KH&CN", "Mức tối thiểu 2%"]
    assert ax.get_ylim()[0] == 0  # a share is read against zero


def test_a_bar_chart(tmp_path, drawn):
    out = tmp_path / "bar.png"
    chart = Chart("bar", ("2011", "2015", "2019"),
                  (Series("Đại học", (10.0, 12.5, None)), Series("Cao đẳng", (5.0, 6.0, 7.5))),
                  out, decimals=1)

    draw(chart)

    with Image.open(out) as img:
        assert img.size == SIZE
    ax = drawn[0].axes[0]
    assert len(ax.patches) == 6  # one bar per series and category, a gap drawn as 0
    assert len(ax.texts) == 0  # bars carry no labels
    assert ax.yaxis.get_major_formatter()(12.5, 0) == "12,5"
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["Đại học", "Cao đẳng"]


def test_a_stacked_chart_labels_each_part_inside_it(tmp_path, drawn):
    out = tmp_path / "stacked.png"
    chart = Chart("stacked", ("2011-2015", "2016-2019"),
                  (Series("Vốn", (45.5, 40.0)), Series("Lao động", (4.2, None)),
                   Series("TFP", (50.3, 55.8))), out, y_label="% tăng trưởng GRDP", decimals=1)

    draw(chart)

    with Image.open(out) as img:
        assert img.size == SIZE
    ax = drawn[0].axes[0]
    assert [t.get_text() for t in ax.texts] == ["45,5", "40,0", "4,2", "50,3", "55,8"]
    assert [t.get_text() for t in ax.get_xticklabels()] == ["2011-2015", "2016-2019"]


def test_a_line_with_negative_values_is_not_cut_at_zero(tmp_path, drawn):
    chart = Chart("line", ("2018", "2019"), (Series("Chênh lệch", (-1.75, -1.7)),),
                  tmp_path / "neg.png", decimals=2)

    draw(chart)

    assert drawn[0].axes[0].get_ylim()[0] < -1.75


def test_the_key_depends_on_the_data_not_on_the_file(tmp_path):
    a = _line(tmp_path / "a.png")
    b = _line(tmp_path / "b.png")
    other = Chart(a.kind, a.categories, (Series("Tỷ lệ chi KH&CN", (0.25, None, 1234.6)),),
                  a.out, a.y_label, a.decimals, a.reference, a.reference_label)

    assert a.key() == b.key()
    assert len(a.key()) == 32
    assert other.key() != a.key()
    assert Chart("bar", a.categories, a.series, a.out).key() != \
        Chart("line", a.categories, a.series, a.out).key()


def test_draw_all_draws_and_keeps_then_copies_from_the_cache(tmp_path, monkeypatch):
    cache = tmp_path / "cache"
    first = _line(tmp_path / "lan1" / "hinh.png")

    draw_all([first], cache)()

    kept = cache / f"{first.key()}.png"
    assert first.out.read_bytes()[:8] == PNG
    assert kept.read_bytes() == first.out.read_bytes()

    def no_drawing(chart):
        raise AssertionError(f"drawn again: {chart.out}")

    monkeypatch.setattr(charts, "draw", no_drawing)
    second = _line(tmp_path / "lan2" / "hinh.png")
    draw_all([second], cache)()

    assert second.out.read_bytes() == kept.read_bytes()


def test_draw_all_of_nothing_waits_for_nothing(tmp_path):
    wait = draw_all([], tmp_path / "cache")
    assert wait() is None
    assert not (tmp_path / "cache").exists()
