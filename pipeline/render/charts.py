"""Charts of the chapter: PNG images at a fixed size, Vietnamese labels and number format.

matplotlib is imported here only, when a chart has to be drawn: `make status`, a chapter
without charts and a build whose charts are all in the cache never pay its import cost.
Charts are drawn in a forked process while the rest of the chapter is rendered.

Charts drawn before are kept in a cache folder (outputs/.cache/hinh/), named by their data's
key, and copied from there. A cache problem costs a drawing, never a chart: a kept file that
is not a whole PNG of the charts' size is deleted and drawn again; a folder that cannot be
read or written (a file in its way, no permission, a full disk) is left as it is and not used.
Either is said in one line of the log.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import os
import shutil
import signal
import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

from pipeline.core import fmt
from pipeline.core.limits import process_context, start_method

WIDTH_IN, HEIGHT_IN, DPI = 6.3, 3.0, 200  # 16 × 7,6 cm: the text width of the page
FONTS = ["Liberation Serif", "Times New Roman", "DejaVu Serif"]
COLORS = ["#1f4e79", "#c55a11", "#548235", "#7f6000", "#7030a0", "#2e75b6"]


@dataclass(frozen=True)
class Series:
    label: str  # legend text
    values: tuple[float | None, ...]  # one per category; None is a gap


@dataclass(frozen=True)
class Chart:
    kind: str  # "line", "bar" or "stacked"
    categories: tuple[str, ...]  # x-axis labels
    series: tuple[Series, ...]
    out: Path  # PNG to write
    y_label: str = ""
    decimals: int = 1
    reference: float | None = None  # a dashed horizontal line (e.g. the 2% target)
    reference_label: str = ""

    def key(self) -> str:
        """Same data, labels, size and code: same picture."""
        h = hashlib.sha256(repr((self.kind, self.categories, self.series, self.y_label,
                                 self.decimals, self.reference, self.reference_label)).encode())
        h.update(Path(__file__).read_bytes())
        h.update(f"{WIDTH_IN} {HEIGHT_IN} {DPI} {FONTS} {COLORS}".encode())
        with contextlib.suppress(metadata.PackageNotFoundError):
            h.update(metadata.version("matplotlib").encode())
        return h.hexdigest()[:32]


PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
PNG_SIZE = (round(WIDTH_IN * DPI), round(HEIGHT_IN * DPI))  # pixels of every chart


def png_ok(data: bytes) -> bool:
    """A whole PNG of a chart's size: the signature, IHDR first with our width and height,
    every chunk's CRC right and IEND last. A truncated, damaged or foreign file fails."""
    pos, first = len(PNG_SIGNATURE), True
    if not data.startswith(PNG_SIGNATURE):
        return False
    while pos + 12 <= len(data):
        length = int.from_bytes(data[pos:pos + 4], "big")
        kind, body = data[pos + 4:pos + 8], data[pos + 8:pos + 8 + length]
        end = pos + 12 + length
        if end > len(data) or zlib.crc32(kind + body) != int.from_bytes(data[end - 4:end],
                                                                          "big"):
            return False
        size = (int.from_bytes(body[:4], "big"), int.from_bytes(body[4:8], "big"))
        if first and (kind != b"IHDR" or size != PNG_SIZE):
            return False
        if kind == b"IEND":
            return end == len(data)
        pos, first = end, False
    return False


def _in_the_way(folder: Path) -> Path | None:
    """A file where the cache's folder or one of its parents should be."""
    for path in (folder, *folder.parents):
        with contextlib.suppress(OSError):
            if path.exists():
                return None if path.is_dir() else path
    return None


class _ChartCache:
    """The charts kept between builds: PNGs named by Chart.key() in one folder. Whatever is
    wrong with it costs a drawing, never a chart: a kept PNG that is not whole is deleted
    (the folder and its names are ours) and drawn again; a folder that cannot be read or
    written (a file in its way, no permission, a full disk) is not used. `report` says what
    happened in one line."""

    def __init__(self, folder: Path, log: Callable[[str], None]):
        self.folder = folder
        self.log = log
        self.dropped = 0  # kept PNGs that were not whole
        self.problem: str | None = None  # why the folder could not be used, if it could not

    def _kept(self, chart: Chart) -> Path:
        return self.folder / f"{chart.key()}.png"

    def fetch(self, chart: Chart) -> bool:
        """Write the kept picture of `chart` to chart.out; False when there is none."""
        if self.problem is not None:
            return False
        kept = self._kept(chart)
        try:
            data = kept.read_bytes()
        except FileNotFoundError:
            return False
        except OSError as e:
            self._unusable(e)
            return False
        if not png_ok(data):
            self.dropped += 1
            with contextlib.suppress(OSError):
                kept.unlink()
            return False
        chart.out.parent.mkdir(parents=True, exist_ok=True)
        chart.out.write_bytes(data)
        return True

    def keep(self, chart: Chart) -> None:
        """Copy a drawn chart into the cache, whole or not at all."""
        if self.problem is not None:
            return
        kept = self._kept(chart)
        tmp = kept.with_name(f"{kept.stem}.{os.getpid()}.tmp")
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(chart.out, tmp)
            os.replace(tmp, kept)
        except OSError as e:
            with contextlib.suppress(OSError):
                tmp.unlink()
            self._unusable(e)

    def _unusable(self, e: OSError) -> None:
        in_the_way = _in_the_way(self.folder)
        if in_the_way is not None:
            self.problem = (f"'{in_the_way}' là một tệp, không phải thư mục, không do chương "
                            "trình tạo nên được giữ nguyên; muốn dùng bộ nhớ đệm hình, hãy "
                            "đổi tên hoặc chuyển nó đi")
        elif isinstance(e, IsADirectoryError):
            self.problem = f"'{e.filename}' là một thư mục, được giữ nguyên"
        elif e.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
            self.problem = ("không có quyền đọc hoặc ghi, hoặc ổ đĩa chỉ đọc; hãy cấp quyền "
                            "cho thư mục đó")
        elif e.errno == errno.ENOSPC:
            self.problem = "ổ đĩa đầy: hình mới không được lưu; hãy giải phóng ổ đĩa"
        else:
            self.problem = f"{e.strerror or e}; nếu lỗi lặp lại, hãy xóa thư mục đó"

    def report(self) -> None:
        said = ([f"bỏ {self.dropped} hình hỏng, đã vẽ lại"] if self.dropped else []) + (
            [f"không dùng được ({self.problem})"] if self.problem else [])
        if said:
            self.log(f"Bộ nhớ đệm hình '{self.folder}': {'; '.join(said)}. Hình trong chương "
                     "không đổi.")


def draw_all(charts: Sequence[Chart], cache: Path | None = None,
             log: Callable[[str], None] = print) -> Callable[[], None]:
    """Start drawing `charts`; return the function that waits until every PNG is written.

    Charts drawn before from the same data are copied from the `cache` folder. The others
    are drawn in a forked process (importing matplotlib and drawing cost ~1 s, which the
    rest of the chapter's rendering then hides), or here when fork is not available; if
    that process fails, they are drawn again here, so that its error is raised here. What
    is drawn is kept in the cache by this process. A cache problem is one line of `log`."""
    kept = _ChartCache(cache, log) if cache is not None else None
    todo = [c for c in charts if kept is None or not kept.fetch(c)]

    def keep() -> None:
        if kept is not None:
            for chart in todo:
                kept.keep(chart)
            kept.report()

    if not todo:
        keep()
        return lambda: None
    if start_method() != "fork":  # a spawned child would import matplotlib again: draw here
        _draw_each(todo)
        keep()
        return lambda: None
    child = process_context().Process(target=_draw_each, args=(todo, True), daemon=True)
    child.start()

    def wait() -> None:
        child.join()
        if child.exitcode != 0 or not all(c.out.is_file() for c in todo):
            _draw_each(todo)
        keep()

    return wait


def _draw_each(todo: list[Chart], child: bool = False) -> None:
    if child:  # Ctrl-C is the parent's to handle: a child interrupted would print a traceback
        signal.signal(signal.SIGINT, signal.SIG_IGN)
    for chart in todo:
        draw(chart)


def draw(chart: Chart) -> Path:
    """Draw a line, bar or stacked-bar chart to chart.out (PNG)."""
    kind, categories, series, out = chart.kind, chart.categories, chart.series, chart.out
    y_label, decimals = chart.y_label, chart.decimals
    reference, reference_label = chart.reference, chart.reference_label
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.ticker import FuncFormatter

    plt.rcParams["font.family"] = "serif"
    plt.rcParams["font.serif"] = FONTS
    plt.rcParams["font.size"] = 9
    fig, ax = plt.subplots(figsize=(WIDTH_IN, HEIGHT_IN), dpi=DPI)
    try:
        x = list(range(len(categories)))
        n = max(len(series), 1)
        width = 0.8 / n
        bottom = [0.0] * len(categories)
        for i, s in enumerate(series):
            ys = [v if v is not None else float("nan") for v in s.values]
            color = COLORS[i % len(COLORS)]
            if kind == "line":
                ax.plot(x, ys, marker="o", color=color, label=s.label, linewidth=1.6)
                for xi, v in zip(x, s.values):
                    if v is not None:
                        ax.annotate(fmt.number(v, decimals), (xi, v), textcoords="offset points",
                                    xytext=(0, 5), ha="center", fontsize=7)
            elif kind == "stacked":
                vals = [v or 0.0 for v in s.values]
                ax.bar(x, vals, 0.6, bottom=bottom, color=color, label=s.label)
                for xi, v, b in zip(x, vals, bottom):
                    if v:
                        ax.text(xi, b + v / 2, fmt.number(v, decimals), ha="center",
                                va="center", fontsize=8, color="white")
                bottom = [b + v for b, v in zip(bottom, vals)]
            else:
                offset = (i - (n - 1) / 2) * width
                ax.bar([xi + offset for xi in x], [v or 0.0 for v in s.values], width,
                       color=color, label=s.label)
        if reference is not None:
            ax.axhline(reference, color="#c00000", linestyle="--", linewidth=1.2,
                       label=reference_label or fmt.number(reference, decimals))
        if kind == "line":
            low = min((v for s in series for v in s.values if v is not None), default=0.0)
            if low >= 0:
                ax.set_ylim(bottom=0)  # a share is read against zero
        ax.set_xticks(x)
        ax.set_xticklabels(categories)
        ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _pos: fmt.number(v, decimals)))
        if y_label:
            ax.set_ylabel(y_label)
        ax.spines[["top", "right"]].set_visible(False)
        ax.grid(axis="y", linewidth=0.4, alpha=0.5)
        entries = n + (reference is not None)
        ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.12), ncol=min(5, entries),
                  frameon=False, fontsize=8)
        fig.tight_layout()
        out.parent.mkdir(parents=True, exist_ok=True)
        fig.savefig(out, format="png")
    finally:
        plt.close(fig)
    return out
