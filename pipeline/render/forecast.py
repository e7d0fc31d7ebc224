"""The forecast of the targets to 2030 (Part II): for each target row, the current figure, the
linear trend of the actual years at the target years (least squares, derive.trend), the
targets, and the constant yearly change that leads from the current figure to each target.

A trend that leaves the indicator's possible range (a share above 100%) is printed as it is,
marked, and said unusable as a forecast: it is never clipped.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from pipeline.core import fmt
from pipeline.core.word import (
    STYLE_UNIT_LINE,
    CellAlign,
    StyleIds,
    fit_widths,
    section_break,
    source_and_notes,
    table_title,
    write_table,
)
from pipeline.derive import TargetStatus

if TYPE_CHECKING:
    from docx.document import Document as WordDocument

OUTSIDE_MARK = "*"
"""After a trend figure that leaves the indicator's possible range (the note explains)."""


@dataclass(frozen=True)
class ForecastRow:
    """One target row of the forecast table."""

    status: TargetStatus  # derive's row: label, current figure, targets, trend, range
    need: tuple[tuple[int, float | None], ...]  # (target year, yearly change to reach it)

    @property
    def trend(self) -> dict[int, float]:
        return dict(self.status.projection)

    @property
    def outside(self) -> dict[int, float]:
        """The trend's figures outside the indicator's possible range, by year."""
        return dict(self.status.outside)

    def range_text(self) -> str:
        """The possible range in words: "từ 0 đến 100", "từ 0 trở lên"."""
        low = fmt.plain(self.status.low)
        if self.status.high is None:
            return f"từ {low} trở lên"
        return f"từ {low} đến {fmt.plain(self.status.high)}"


def forecast_rows(targets: Sequence[TargetStatus]) -> list[ForecastRow]:
    """Each target row with the yearly change that leads from its current figure to each
    target in equal steps (in the indicator's measure per year; points for a percentage)."""
    return [ForecastRow(t, tuple((y, t.yearly_change(y)) for y, _ in t.targets))
            for t in targets]


def _trend_cell(row: ForecastRow, year: int) -> str:
    value = row.trend.get(year)
    if value is None:
        return fmt.MISSING
    text = fmt.number(value, row.status.decimals)
    return text + OUTSIDE_MARK if year in row.outside else text


def forecast_cells(row: ForecastRow, target_years: Sequence[int]) -> list[str]:
    """A row of the forecast table as printed: label, measure, current figure (with its year),
    the trend at each target year, each target, the yearly change needed for each."""
    t = row.status
    now = fmt.number(t.current, t.decimals)
    if t.current is not None:
        now += f" ({t.current_when})"
    goals = dict(t.targets)
    need = dict(row.need)
    return [t.name or t.label, t.measure, now,
            *[_trend_cell(row, y) for y in target_years],
            *[fmt.number(goals.get(y), t.decimals) for y in target_years],
            *[fmt.signed(need.get(y), 2) for y in target_years]]


def forecast_headers(target_years: Sequence[int]) -> list[str]:
    return ["Chỉ tiêu", "Đơn vị", "Hiện trạng",
            *[f"Xu hướng {y}" for y in target_years],
            *[f"Mục tiêu {y}" for y in target_years],
            *[f"Thay đổi mỗi năm đến {y}" for y in target_years]]


def forecast_table(doc: WordDocument, styles: StyleIds, number: str,
                   target_years: Sequence[int], rows: Sequence[ForecastRow],
                   actual_years: Sequence[int]) -> None:
    """The numbered forecast table, its source line and its notes. Rows of one measure have
    it in a unit line above the table; rows of several have a column "Đơn vị" instead."""
    headers = forecast_headers(target_years)
    body = [forecast_cells(r, target_years) for r in rows]
    measures = {r.status.measure for r in rows}
    first, last = min(actual_years), max(actual_years)
    notes = [f"Xu hướng: đường thẳng xu hướng của số liệu các năm {first}-{last} (phương "
             "pháp bình phương nhỏ nhất) kéo dài đến năm mục tiêu; chỉ để tham khảo, không "
             "phải chỉ tiêu kế hoạch. Thay đổi mỗi năm: mức thay đổi đều hằng năm cần đạt để đi "
             "từ hiện trạng đến mục tiêu."]
    unit_line = ""
    if len(measures) == 1:  # one unit for every row: said once above, no column for it
        measure = measures.pop()
        unit_line = f"Đơn vị tính: {measure}" + (" (thay đổi mỗi năm: điểm phần trăm)"
                                                  if measure == "%" else "")
        headers = [headers[0], *headers[2:]]
        body = [[cells[0], *cells[2:]] for cells in body]
        align: list[CellAlign | None] = ["left", *[None] * (len(headers) - 1)]
    else:
        notes.append("Thay đổi mỗi năm của chỉ tiêu tính bằng % là số điểm phần trăm.")
        align = ["left", "center", *[None] * (len(headers) - 2)]
    if any(r.outside for r in rows):
        notes.append(f"“{OUTSIDE_MARK}”: xu hướng vượt ra ngoài giới hạn có thể của chỉ tiêu, "
                     "không dùng được làm dự báo.")
    if any(fmt.MISSING in cells for cells in body):
        notes.append(f"“{fmt.MISSING}”: chưa có số liệu, hoặc không tính xu hướng (hiện "
                     "trạng là số liệu của cả giai đoạn).")
    fit = fit_widths(headers, body)
    if fit.landscape:
        section_break(doc, landscape=False)
    table_title(doc, styles, number,
                       f"Dự báo một số chỉ tiêu đến năm {max(target_years)}")
    if unit_line:
        styles.para(doc, unit_line, STYLE_UNIT_LINE)
    write_table(doc, styles, headers, body, fit.widths, align=align, landscape=fit.landscape)
    source_and_notes(doc, styles, f"Nguồn: tính toán từ số liệu các năm {first}-{last} và mục "
                     "tiêu do các phòng, đơn vị đề xuất trong biểu số liệu.", notes)
    if fit.landscape:
        section_break(doc, landscape=True)
