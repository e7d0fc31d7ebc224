"""pipeline/render/charts.py: draw (one chart of each kind into tmp_path: a PNG of the fixed
size, Vietnamese numbers on the axis and the labels), Chart.key and draw_all with its cache."""

from __future__ import annotations

import errno
import os
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


# --- the chart cache when it is wrong (issue 15): drawn again, one line, the same pictures ------
def _fake_draw(chart: Chart) -> Path:
    """A PNG of the charts' size whose colour depends on the data (quicker than matplotlib)."""
    shade = sum(v or 0 for s in chart.series for v in s.values)
    chart.out.parent.mkdir(parents=True, exist_ok=True)
    Image.new("RGB", SIZE, (int(shade) % 256, 80, 160)).save(chart.out, format="PNG")
    return chart.out


@pytest.fixture()
def fake(monkeypatch, tmp_path) -> Path:
    """draw() replaced by _fake_draw, in the forked process too; each drawing leaves a mark
    named `<folder>-<file>` in the folder returned."""
    marks = tmp_path / "drawn"
    marks.mkdir()

    def marked(chart: Chart) -> Path:
        (marks / f"{chart.out.parent.name}-{chart.out.name}").touch()
        return _fake_draw(chart)

    monkeypatch.setattr(charts, "draw", marked)
    return marks


def _charts(folder: Path) -> list[Chart]:
    return [Chart("line", ("2018", "2019"), (Series("Chỉ tiêu", (float(i), 2.0)),),
                  folder / f"hinh-{i}.png") for i in range(3)]


def _expected(tmp_path: Path) -> list[bytes]:
    return [_fake_draw(c).read_bytes() for c in _charts(tmp_path / "khong-bo-nho-dem")]


def _drawn_with(cache: Path, tmp_path: Path, name: str) -> tuple[list[bytes], list[str]]:
    lines: list[str] = []
    todo = _charts(tmp_path / name)
    draw_all(todo, cache, lines.append)()
    return [c.out.read_bytes() for c in todo], lines


def test_png_ok_takes_a_whole_chart_only(tmp_path):
    whole = _fake_draw(_charts(tmp_path)[0]).read_bytes()
    assert charts.png_ok(whole)
    assert not charts.png_ok(whole[:-1])  # cut short
    assert not charts.png_ok(whole + b"\x00")  # something after IEND
    flipped = bytearray(whole)
    flipped[60] ^= 0xFF  # one byte of the image data: its CRC no longer matches
    assert not charts.png_ok(bytes(flipped))
    other = tmp_path / "other.png"
    Image.new("RGB", (100, 50)).save(other, format="PNG")
    assert not charts.png_ok(other.read_bytes())  # a picture, but not a chart of ours
    assert not charts.png_ok(b"")
    assert not charts.png_ok(b"GIF89a" + whole[6:])


@pytest.mark.parametrize("damage", [
    lambda data: data[: len(data) // 2],  # cut short
    lambda data: b"",  # emptied
    lambda data: b"<html>not a picture</html>",
])
def test_a_damaged_kept_chart_is_dropped_and_drawn_again(tmp_path, fake, damage):
    cache = tmp_path / "cache"
    first, lines = _drawn_with(cache, tmp_path, "lan1")
    assert lines == [] and first == _expected(tmp_path)
    kept = cache / f"{_charts(tmp_path)[1].key()}.png"
    kept.write_bytes(damage(kept.read_bytes()))

    second, lines = _drawn_with(cache, tmp_path, "lan2")

    assert second == _expected(tmp_path)
    assert sorted(p.name for p in fake.glob("lan2-*")) == ["lan2-hinh-1.png"]  # only it drawn

    assert charts.png_ok(kept.read_bytes())  # ...and kept whole
    assert lines == [f"Bộ nhớ đệm hình '{cache}': bỏ 1 hình hỏng, đã vẽ lại. Hình trong chương "
                     "không đổi."]


def test_a_chart_cache_folder_that_is_a_file_is_kept_and_not_used(tmp_path, fake):
    cache = tmp_path / "cache"
    cache.write_text("của người dùng", encoding="utf-8")
    drawn, lines = _drawn_with(cache, tmp_path, "lan1")
    assert drawn == _expected(tmp_path)
    assert cache.read_text(encoding="utf-8") == "của người dùng"
    assert lines == [f"Bộ nhớ đệm hình '{cache}': không dùng được ('{cache}' là một tệp, không "
                     "phải thư mục, không do chương trình tạo nên được giữ nguyên; muốn dùng bộ "
                     "nhớ đệm hình, hãy đổi tên hoặc chuyển nó đi). Hình trong chương không "
                     "đổi."]


def test_a_file_in_place_of_the_cache_folders_parent_is_named(tmp_path, fake):
    (tmp_path / ".cache").write_text("x", encoding="utf-8")
    cache = tmp_path / ".cache" / "hinh"
    drawn, lines = _drawn_with(cache, tmp_path, "lan1")
    assert drawn == _expected(tmp_path)
    assert len(lines) == 1 and f"('{tmp_path / '.cache'}' là một tệp" in lines[0]


def test_a_folder_named_like_a_kept_chart_is_kept(tmp_path, fake):
    cache = tmp_path / "cache"
    kept = cache / f"{_charts(tmp_path)[0].key()}.png"
    kept.mkdir(parents=True)
    drawn, lines = _drawn_with(cache, tmp_path, "lan1")
    assert drawn == _expected(tmp_path)
    assert kept.is_dir()
    assert lines == [f"Bộ nhớ đệm hình '{cache}': không dùng được ('{kept}' là một thư mục, được "
                     "giữ nguyên). Hình trong chương không đổi."]


def test_a_chart_cache_without_permission_is_not_used(tmp_path, fake, monkeypatch):
    cache = tmp_path / "cache"
    _drawn_with(cache, tmp_path, "lan1")
    cache.chmod(0)
    if os.geteuid() == 0:  # root reads it anyway: fail as the system does for anyone else
        read_bytes = Path.read_bytes

        def denied(self: Path) -> bytes:
            if cache in self.parents:
                raise PermissionError(errno.EACCES, "Permission denied", str(self))
            return read_bytes(self)

        monkeypatch.setattr(Path, "read_bytes", denied)
    try:
        drawn, lines = _drawn_with(cache, tmp_path, "lan2")
    finally:
        cache.chmod(0o755)
    assert drawn == _expected(tmp_path)
    assert lines == [f"Bộ nhớ đệm hình '{cache}': không dùng được (không có quyền đọc hoặc ghi, "
                     "hoặc ổ đĩa chỉ đọc; hãy cấp quyền cho thư mục đó). Hình trong chương "
                     "không đổi."]


def test_a_full_disk_keeps_no_chart_and_no_half_file(tmp_path, fake, monkeypatch):
    def full(src, dst):
        Path(dst).write_bytes(b"\x89PNG half")  # written in part, then the disk is full
        raise OSError(errno.ENOSPC, "No space left on device", str(dst))

    monkeypatch.setattr(charts.shutil, "copyfile", full)
    cache = tmp_path / "cache"
    drawn, lines = _drawn_with(cache, tmp_path, "lan1")
    assert drawn == _expected(tmp_path)
    assert list(cache.iterdir()) == []
    assert lines == [f"Bộ nhớ đệm hình '{cache}': không dùng được (ổ đĩa đầy: hình mới không "
                     "được lưu; hãy giải phóng ổ đĩa). Hình trong chương không đổi."]
