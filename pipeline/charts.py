"""Charts of the chapter: PNG images at a fixed size, Vietnamese labels and number format.

matplotlib is imported here only, and this module only when a section has a chart to draw:
`make status` and a chapter without charts never pay its import cost.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from . import fmt

WIDTH_IN, HEIGHT_IN, DPI = 6.3, 3.0, 200  # 16 × 7,6 cm: the text width of the page
FONTS = ["Liberation Serif", "Times New Roman", "DejaVu Serif"]
COLORS = ["#1f4e79", "#c55a11", "#548235", "#7f6000", "#7030a0", "#2e75b6"]


@dataclass(frozen=True)
class Series:
    label: str  # legend text
    values: tuple[float | None, ...]  # one per category; None is a gap


def draw(kind: str, categories: Sequence[str], series: Sequence[Series], out: Path,
         y_label: str = "", decimals: int = 1, reference: float | None = None,
         reference_label: str = "") -> Path:
    """Draw a line, bar or stacked-bar chart to `out` (PNG)."""
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
