"""Charts of the chapter: PNG images at a fixed size, Vietnamese labels and number format.

matplotlib is imported here only, when a chart has to be drawn: `make status`, a chapter
without charts and a build whose charts are all in the cache never pay its import cost.
Charts are drawn in a forked process while the rest of the chapter is rendered.
"""

from __future__ import annotations

import contextlib
import hashlib
import multiprocessing
import os
import shutil
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

from pipeline.core import fmt

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


def draw_all(charts: Sequence[Chart], cache: Path | None = None) -> Callable[[], None]:
    """Start drawing `charts`; return the function that waits until every PNG is written.

    Charts drawn before from the same data are copied from the `cache` folder. The others
    are drawn in a forked process (importing matplotlib and drawing cost ~1 s, which the
    rest of the chapter's rendering then hides), or here when fork is not available; if
    that process fails, they are drawn again here, so that its error is raised here."""
    todo = []
    for chart in charts:
        kept = cache / f"{chart.key()}.png" if cache is not None else None
        if kept is not None and kept.is_file():
            chart.out.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(kept, chart.out)
        else:
            todo.append((chart, kept))
    if not todo:
        return lambda: None
    if "fork" not in multiprocessing.get_all_start_methods():
        _draw_keep(todo)
        return lambda: None
    child = multiprocessing.get_context("fork").Process(target=_draw_keep, args=(todo,),
                                                        daemon=True)
    child.start()

    def wait() -> None:
        child.join()
        if child.exitcode != 0 or not all(c.out.is_file() for c, _ in todo):
            _draw_keep(todo)

    return wait


def _draw_keep(todo: list[tuple[Chart, Path | None]]) -> None:
    for chart, kept in todo:
        draw(chart)
        if kept is not None:
            kept.parent.mkdir(parents=True, exist_ok=True)
            tmp = kept.with_suffix(f".{os.getpid()}.tmp")
            shutil.copyfile(chart.out, tmp)
            os.replace(tmp, kept)  # whole or not at all


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
