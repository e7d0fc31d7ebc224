"""Render: the chapter .docx from the master template, the merged table and the derived values.

docxtpl renders templates/chapter.docx with autoescape on (text such as "R&D <2019>" stays
text). Each section's body — the owner line, the units' narratives, the indicator tables, or a
sentence where a unit has not sent its data — is a docxtpl sub-document built with python-docx
in the master's styles. The units' .docx files are never used as templates: only their text
is copied, so "{{ }}" typed by a unit stays literal.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, TypedDict

import jinja2
import pandas as pd
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Mm
from docxtpl import DocxTemplate, InlineImage
from openpyxl.utils.cell import column_index_from_string, coordinate_from_string, get_column_letter

from pipeline.catalogue.model import (
    ALL_UNITS,
    PERIOD_METHOD_VI,
    TOTAL,
    Catalogue,
    ColumnRef,
    Item,
    ListInput,
    Table,
)
from pipeline.core import fmt
from pipeline.core.errors import TemplateError
from pipeline.core.word import (
    STYLE_CAPTION,
    STYLE_FIGURE,
    STYLE_MISSING,
    STYLE_NOTE,
    STYLE_POINT,
    STYLE_SOURCE_LINE,
    STYLE_TABLE_HEAD,
    STYLE_TABLE_TEXT,
    STYLE_TABLE_TITLE,
    STYLE_UNIT_LINE,
)
from pipeline.derive import LAND_LIST, Derivation
from pipeline.merge import rows_of
from pipeline.read.model import NarrativeSubmission, WorkbookSubmission
from pipeline.render import charts

if TYPE_CHECKING:
    from docx.document import Document as WordDocument
    from docx.table import Table as WordTable
    from docx.table import _Cell, _Row
    from docx.text.paragraph import Paragraph
    from docxtpl.subdoc import Subdoc

PART_TITLES = {
    "I": "ĐÁNH GIÁ THỰC TRẠNG KH&CN TỈNH BẮC GIANG GIAI ĐOẠN 2011-2019",
    "II": "DỰ BÁO VÀ ĐỀ XUẤT CHIẾN LƯỢC PHÁT TRIỂN KH&CN ĐẾN NĂM 2030, TẦM NHÌN ĐẾN NĂM 2050",
    "IV": "NHIỆM VỤ, GIẢI PHÁP CHỦ YẾU VÀ CƠ CHẾ, CHÍNH SÁCH PHÁT TRIỂN KH&CN",
}
POINTS = "abcdefghiklmnopq"  # Vietnamese điểm letters skip j
TEXT_WIDTH_CM = 16.5  # A4 210 mm - 30 mm - 15 mm
CHARTS = "hinh"  # folder beside the chapter holding the chart images


@dataclass(frozen=True)
class ChapterData:
    """Everything render needs, from the earlier stages."""

    merged: pd.DataFrame  # merge.py's long table
    derivation: Derivation  # derive.py's figures (yearly, periods, targets)
    workbooks: tuple[WorkbookSubmission, ...]  # accepted, one per unit
    narratives: tuple[NarrativeSubmission, ...]  # accepted, one per unit
    as_of: dt.date  # data as of
    lists: dict[str, pd.DataFrame] = field(default_factory=dict)  # merge_lists' tables


def jinja_env() -> jinja2.Environment:
    """The Jinja environment of every template: autoescape on, Vietnamese number filters."""
    env = jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined)
    env.filters["so"] = fmt.number
    env.filters["phantram"] = fmt.percent
    env.filters["ngay"] = fmt.date
    return env


class Figure(TypedDict):
    """A chart as the template shows it."""

    image: InlineImage
    caption: str


class Section(TypedDict):
    """A content item as the template shows it."""

    heading: str  # "" in Part IV
    body: Subdoc
    charts: list[Figure]


class Part(TypedDict):
    label: str  # "PHẦN I"
    title: str
    sections: list[Section]


class Context(TypedDict):
    """What the chapter template is rendered with (CONTEXT_KEYS)."""

    parent_agency: str
    agency: str
    place: str
    date_long: str
    title: str
    build_line: str
    missing_line: str
    part1: Part
    part2: Part
    part4: Part
    appendix: Subdoc


class _Lookup:
    """Values by (indicator, part, year), derived values by (code, year), and period figures
    by (key, period), with the cells they came from."""

    def __init__(self, data: ChapterData):
        self.values: dict[tuple[str, str, int], float] = {}
        self.cells: dict[tuple[str, str], list[tuple[str, str, str, int]]] = {}
        for indicator, breakdown, year, value, file, sheet, cell in rows_of(
                data.merged, "indicator", "breakdown", "year", "value", "file", "sheet", "cell"):
            self.values[(indicator, breakdown, int(year))] = float(value)
            self.cells.setdefault((indicator, breakdown), []).append(
                (file, sheet, cell, int(year)))
        self.derived: dict[tuple[str, int], float] = {}
        for code, year, value in rows_of(data.derivation.yearly, "derived", "year", "value"):
            if value is not None and not pd.isna(value):
                self.derived[(code, int(year))] = float(value)
        self.periods: dict[tuple[str, str], float] = {}
        for key, period, value in rows_of(data.derivation.periods, "key", "period", "value"):
            if value is not None and not pd.isna(value):
                self.periods[(key, period)] = float(value)

    def get(self, col: ColumnRef, year: int) -> float | None:
        if col.derived is not None:
            return self.derived.get((col.derived, year))
        return self.values.get((col.indicator or "", col.part or TOTAL, year))

    def period(self, col: ColumnRef, period: str) -> float | None:
        if col.derived is not None:
            return self.periods.get((col.derived, period))
        part = col.part or TOTAL
        key = col.indicator if part == TOTAL else f"{col.indicator}.{part}"
        return self.periods.get((key or "", period))


class _Styles:
    """Styles applied by id, looked up by name once from the template. Assigning a style by
    name in python-docx walks every style of the document twice per paragraph (seconds for
    a chapter); the template's names are checked by preflight()."""

    def __init__(self, doc: WordDocument):
        self.ids = {s.name: s.style_id for s in doc.styles}

    def apply(self, paragraph: Paragraph, name: str) -> Paragraph:
        p = paragraph._p
        pPr = p.find(qn("w:pPr"))
        if pPr is None:
            pPr = OxmlElement("w:pPr")
            p.insert(0, pPr)
        style = pPr.find(qn("w:pStyle"))
        if style is None:
            style = OxmlElement("w:pStyle")
            pPr.insert(0, style)  # pStyle comes first in pPr
        style.set(qn("w:val"), self.ids[name])
        return paragraph

    def para(self, container: Subdoc, text: str, name: str) -> Paragraph:
        return self.apply(container.add_paragraph(text), name)

    def grid(self, container: Subdoc, rows: int, cols: int,
             center: bool = True) -> tuple[WordTable, list[list[_Cell]]]:
        """A new "Table Grid" table, and its cells as a list of rows (python-docx's
        table.cell() rebuilds the list of every cell on each call)."""
        grid = container.add_table(rows=rows, cols=cols)
        grid._tbl.tblPr.style = self.ids["Table Grid"]
        if center:
            grid.alignment = WD_TABLE_ALIGNMENT.CENTER
        return grid, [list(row.cells) for row in grid.rows]


class _Renderer:
    def __init__(self, cat: Catalogue, data: ChapterData, tpl: DocxTemplate, charts_dir: Path,
                 chart_cache: Path | None = None):
        self.cat = cat
        self.data = data
        self.tpl = tpl
        self.charts_dir = charts_dir
        self.chart_cache = chart_cache
        self.planned: dict[str, list[tuple[str, charts.Chart]]] = {}  # item -> its charts
        self.styles = _Styles(tpl.get_docx())
        self.lookup = _Lookup(data)
        self.workbooks = {w.unit: w for w in data.workbooks}
        self.narratives = {n.unit: n for n in data.narratives}
        self.sources: list[tuple[str, ...]] = []  # table, title, unit, cells, sent

    # --- pieces --------------------------------------------------------------------------
    def _column_header(self, table: Table, col: ColumnRef, mixed: bool) -> str:
        if col.derived is not None:
            d = self.cat.derived_by_code[col.derived]
            return d.label + (f" ({d.measure})" if mixed else "")
        ind = self.cat.indicator_by_code[col.indicator or ""]
        part = col.part or TOTAL
        same = [c for c in table.columns if c.indicator == ind.code]
        if part != TOTAL:
            text = self.cat.part_label(ind.code, part)
        elif ind.breakdown is not None and len(same) > 1:
            text = "Tổng số"
        else:
            text = ind.label
        return text + (f" ({ind.measure})" if mixed else "")

    def _column_measure(self, col: ColumnRef) -> str:
        if col.derived is not None:
            return self.cat.derived_by_code[col.derived].measure
        return self.cat.indicator_by_code[col.indicator or ""].measure

    def _format(self, col: ColumnRef, value: float | None) -> str:
        if col.derived is not None:
            d = self.cat.derived_by_code[col.derived]
            if d.measure.startswith("điểm"):
                return fmt.signed(value, d.decimals)
            return fmt.number(value, d.decimals)
        ind = self.cat.indicator_by_code[col.indicator or ""]
        return fmt.number(value, ind.decimals if ind.type != "integer" else 0)

    def _period_note(self, table: Table, headers: list[str]) -> str:
        """Which figure a period row shows for each column, grouped by method."""
        groups: dict[str, list[str]] = {}
        for col, header in zip(table.columns, headers):
            if col.derived is not None:
                d = self.cat.derived_by_code[col.derived]
                method = ("bình quân các năm" if d.period == "mean"
                          else "tính từ số liệu cả giai đoạn")
            else:
                ind = self.cat.indicator_by_code[col.indicator or ""]
                method = PERIOD_METHOD_VI[ind.period_method]
            groups.setdefault(method, []).append(f"“{header}”")
        parts = [f"{method} ({', '.join(cols)})" for method, cols in groups.items()]
        return "Dòng giai đoạn: " + "; ".join(parts) + "."

    def _column_groups(self, table: Table) -> list[tuple[str, int]]:
        """(label, span) of each column group: an indicator's parts share its label, else ""."""
        groups: list[tuple[str, int]] = []
        for col in table.columns:
            key = col.indicator if col.indicator and sum(
                c.indicator == col.indicator for c in table.columns) > 1 else None
            label = self.cat.indicator_by_code[key].label if key else ""
            if key and groups and groups[-1][0] == label:
                groups[-1] = (label, groups[-1][1] + 1)
            else:
                groups.append((label, 1))
        return groups

    def _table_body(self, table: Table, years: list[int], periods: list[str]) -> list[list[str]]:
        """Formatted values of the table: one row per year, then one per period."""
        return ([[self._format(c, self.lookup.get(c, y)) for c in table.columns] for y in years]
                + [[self._format(c, self.lookup.period(c, p)) for c in table.columns]
                   for p in periods])

    def _group_heads(self, at: list[list[_Cell]], table: Table, groups: list[tuple[str, int]],
                     headers: list[str], measures: list[str], mixed: bool) -> None:
        """Two header rows: a group label over its parts' headers, else one cell down both."""
        c = 1
        for label, span in groups:
            if label:
                _head(self.styles, at[0][c], label + (f" ({measures[c - 1]})" if mixed else ""))
                if span > 1:
                    at[0][c].merge(at[0][c + span - 1])
                for k in range(span):
                    _head(self.styles, at[1][c + k],
                          self._column_header(table, table.columns[c + k - 1], False))
            else:
                _head(self.styles, at[0][c], headers[c - 1])
                at[0][c].merge(at[1][c])
            c += span

    def _table_source(self, item: Item, table: Table) -> str:
        """The source line under a table: owner, day its workbook was sent, computed columns."""
        source = f"Nguồn: {self.cat.unit_by_code[item.unit].name}"
        wb = self.workbooks.get(item.unit)
        if wb is not None:
            source += f", biểu số liệu gửi ngày {fmt.date(wb.sent)}"
        if any(c.derived for c in table.columns):
            source += "; các cột tỷ lệ do tính toán từ số liệu trong bảng"
        return source + "."

    def _table_notes(self, table: Table, headers: list[str], periods: list[str],
                     body: list[list[str]]) -> list[str]:
        """Notes under a table: its own, the period rows' methods, the missing-value mark."""
        notes = [table.note] if table.note else []
        if periods:
            notes.append(self._period_note(table, headers))
        if any(fmt.MISSING in row for row in body):
            notes.append(f"“{fmt.MISSING}”: chưa có số liệu, số liệu chưa hợp lệ (xem báo cáo "
                         "kiểm tra số liệu) hoặc giai đoạn thiếu năm.")
        return notes

    def _add_sources(self, number: str, item: Item, table: Table, headers: list[str]) -> None:
        """One appendix row per column of the table: where its figures come from."""
        owner = self.cat.unit_by_code[item.unit]
        wb = self.workbooks.get(item.unit)
        sent = fmt.date(wb.sent) if wb else "-"
        for col, header in zip(table.columns, headers):
            if col.derived is not None:
                formula = self.cat.derived_by_code[col.derived].formula
                where = f"tính toán: {formula}"
            else:
                where = _cell_span(self.lookup.cells.get(
                    (col.indicator or "", col.part or TOTAL), []))
            self.sources.append((f"Bảng {number}", header, owner.name, where, sent))

    def _add_table(self, sd: Subdoc, number: str, item: Item, table: Table) -> None:
        """A numbered table of the item: title, unit line, grid, source line and notes."""
        measures = [self._column_measure(c) for c in table.columns]
        mixed = len(set(measures)) > 1
        years = list(self.cat.years.actual) if table.rows != "periods" else []
        periods = [p.code for p in self.cat.periods] if table.rows != "years" else []
        first_header = "Giai đoạn" if table.rows == "periods" else "Năm"
        self.styles.para(sd, f"Bảng {number}. {table.title}", STYLE_TABLE_TITLE)
        self.styles.para(sd, f"Đơn vị tính: {table.measure or measures[0]}", STYLE_UNIT_LINE)

        groups = self._column_groups(table)
        two_rows = any(label for label, _ in groups)
        head_rows = 2 if two_rows else 1
        labels = [str(y) for y in years] + periods
        body = self._table_body(table, years, periods)
        grid, at = self.styles.grid(sd, head_rows + len(body), 1 + len(table.columns))
        headers = [self._column_header(table, c, mixed) for c in table.columns]
        _set_widths(grid, _widths([first_header] + headers,
                                  [[lab] + r for lab, r in zip(labels, body)]))

        _head(self.styles, at[0][0], first_header)
        if two_rows:
            at[0][0].merge(at[1][0])
            self._group_heads(at, table, groups, headers, measures, mixed)
        else:
            for c, text in enumerate(headers, start=1):
                _head(self.styles, at[0][c], text)
        for r in range(head_rows):
            _repeat_header(grid.rows[r])
        _fill_rows(self.styles, at[head_rows:], labels, body, len(years))

        self.styles.para(sd, self._table_source(item, table), STYLE_SOURCE_LINE)
        notes = self._table_notes(table, headers, periods, body)
        if notes:
            self.styles.para(sd, "Ghi chú: " + " ".join(notes), STYLE_NOTE)
        self._add_sources(number, item, table, headers)

    def _narrative(self, sd: Subdoc, item: Item) -> None:
        """Paragraphs of the owner (or of every unit) under the item and its sub-topics."""
        units = ([u.code for u in self.cat.units] if item.unit == ALL_UNITS else [item.unit])
        by_sub: dict[int, list[str]] = {}
        for code in units:
            n = self.narratives.get(code)
            if n is None:
                continue
            for s in n.sections:
                if s.item == item.code:
                    by_sub.setdefault(s.subtopic, []).extend(s.paragraphs)
        for p in by_sub.get(0, []):
            sd.add_paragraph(p)
        for i, title in enumerate(item.subtopics, start=1):
            self.styles.para(sd, f"{POINTS[i - 1]}) {title}", STYLE_POINT)
            paras = by_sub.get(i, [])
            for p in paras:
                sd.add_paragraph(p)
            if not paras:
                self.styles.para(sd, "Chưa có nội dung thuyết minh cho điểm này.", STYLE_MISSING)

    def _missing_lines(self, item: Item) -> list[str]:
        if item.unit == ALL_UNITS:
            absent = [u.name for u in self.cat.units if u.code not in self.narratives]
            if absent:
                return [f"Chưa nhận được thuyết minh của: {', '.join(absent)} "
                        f"(hạn gửi {fmt.date(item.due)})."]
            return []
        owner = self.cat.unit_by_code[item.unit]
        lines = []
        if item.indicators and item.unit not in self.workbooks:
            lines.append(f"Chưa nhận được số liệu của {owner.name} (hạn gửi "
                         f"{fmt.date(item.due)}); các bảng số liệu của mục này sẽ được bổ sung "
                         "khi đơn vị gửi biểu.")
        if item.unit not in self.narratives:
            lines.append(f"Chưa nhận được thuyết minh của {owner.name} (hạn gửi "
                         f"{fmt.date(item.due)}).")
        return lines

    def _targets(self, sd: Subdoc, item: Item, number: str) -> None:
        targets = list(self.cat.years.target)
        self.styles.para(sd, f"Bảng {number}. Một số chỉ tiêu phát triển KH&CN đến năm "
                         f"{max(targets)}", STYLE_TABLE_TITLE)
        headers = ["Chỉ tiêu", "Đơn vị", "Hiện trạng", *[str(y) for y in targets],
                   "Đánh giá"]
        rows = [t for t in self.data.derivation.targets if t.item == item.code]
        grid, at = self.styles.grid(sd, 1 + len(rows), len(headers))
        fixed = 1.4 + 1.9 + 1.4 * len(targets)
        _set_widths(grid, [4.6, 1.4, 1.9] + [1.4] * len(targets)
                    + [TEXT_WIDTH_CM - 4.6 - fixed])
        for c, text in enumerate(headers):
            _head(self.styles, at[0][c], text)
        _repeat_header(grid.rows[0])
        for r, t in enumerate(rows, start=1):
            now = fmt.number(t.current, t.decimals)
            if t.current is not None:
                now += f" ({t.current_when})"
            texts = [t.label, t.measure, now,
                     *[fmt.number(v, t.decimals) for _, v in t.targets], t.verdict]
            for c, text in enumerate(texts):
                p = at[r][c].paragraphs[0]
                _set_text(p, text)
                self.styles.apply(p, STYLE_TABLE_TEXT)
                if c in (0, len(texts) - 1):
                    p.alignment = WD_ALIGN_PARAGRAPH.LEFT
                elif c == 1:
                    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        self.styles.para(sd, "Nguồn: mục tiêu do các phòng, đơn vị đề xuất trong biểu số liệu; "
                         "hiện trạng là số liệu năm gần nhất (đóng góp của TFP: bình quân giai "
                         "đoạn). Dự báo theo xu hướng tuyến tính của số liệu 2011-2019 chỉ để "
                         "tham khảo, không phải chỉ tiêu kế hoạch.", STYLE_SOURCE_LINE)

    def _appendix(self) -> Subdoc:
        sd = self.tpl.new_subdoc()
        sd.add_paragraph("Nguồn của từng cột số liệu trong chương: đơn vị cung cấp, tệp, trang "
                         "và vùng ô của biểu số liệu (mỗi năm một ô, theo thứ tự cột năm), ngày "
                         "gửi; cột tính toán ghi công thức. Số liệu theo từng ô (kèm mã băm của "
                         "tệp) có trong tệp so-lieu-tong-hop.xlsx kèm theo chương.")
        headers = ["Bảng", "Cột số liệu", "Đơn vị cung cấp", "Tệp › trang!vùng ô", "Ngày gửi"]
        grid, at = self.styles.grid(sd, 1 + len(self.sources), len(headers), center=False)
        _set_widths(grid, [1.9, 4.6, 3.2, 4.4, 2.4])
        for c, text in enumerate(headers):
            _head(self.styles, at[0][c], text)
        _repeat_header(grid.rows[0])
        for r, row in enumerate(self.sources, start=1):
            for c, text in enumerate(row):
                p = at[r][c].paragraphs[0]
                _set_text(p, text)
                self.styles.apply(p, STYLE_TABLE_TEXT)
                p.alignment = WD_ALIGN_PARAGRAPH.LEFT
        return sd

    # --- sections ------------------------------------------------------------------------
    def _next(self) -> str:
        """The next table number of the current section ("3.2", "II.4.1")."""
        self._count += 1
        return f"{self._tag}.{self._count}"

    def _list_table(self, sd: Subdoc, li: ListInput) -> None:
        """A list input as a table (rows the units added), and for projects the land demand."""
        number = self._next()
        df = self.data.lists.get(li.code)
        self.styles.para(sd, f"Bảng {number}. {li.title}", STYLE_TABLE_TITLE)
        if df is None or df.empty:
            self.styles.para(sd, f"Chưa có phòng, đơn vị nào gửi nội dung “{li.title}”.",
                             STYLE_MISSING)
            return
        cols = [c for c in li.columns if not li.chapter_columns or c.code in li.chapter_columns]
        headers = ["STT", *[c.label + (f" ({c.measure})" if c.measure else "") for c in cols]]
        if li.unit == ALL_UNITS:
            headers.append("Đơn vị đề xuất")
        body = []
        for n, (unit_name, *cells) in enumerate(
                rows_of(df, "unit_name", *[c.code for c in cols]), start=1):
            row = [str(n)]
            for c, v in zip(cols, cells):
                if v is None or (isinstance(v, float) and pd.isna(v)):
                    row.append(fmt.MISSING)
                elif c.type in ("number", "integer"):
                    row.append(fmt.plain(round(float(v), 2)))
                elif c.type == "date":
                    row.append(fmt.date(v))
                else:
                    row.append(str(v))
            if li.unit == ALL_UNITS:
                row.append(unit_name)
            body.append(row)
        _text_table(sd, self.styles, headers, body)
        units = ", ".join(dict.fromkeys(df["unit_name"]))
        self.styles.para(sd, f"Nguồn: {units}.", STYLE_SOURCE_LINE)
        land = self.data.derivation.land
        if li.code == LAND_LIST and land is not None and not land.empty:
            self.styles.para(sd, f"Bảng {self._next()}. Nhu cầu sử dụng đất cho KH&CN theo "
                             "địa điểm và loại đất chuyển đổi", STYLE_TABLE_TITLE)
            self.styles.para(sd, "Đơn vị tính: ha", STYLE_UNIT_LINE)
            headers = ["Địa điểm", *[str(c) for c in land.columns]]
            rows = [[str(idx), *[fmt.plain(round(float(v), 2)) for v in vals]]
                    for idx, vals in zip(land.index, land.values)]
            _text_table(sd, self.styles, headers, rows, first_is_head=True)
            self.styles.para(sd, "Nguồn: tổng hợp từ danh mục dự án đề xuất của các phòng, đơn vị "
                             "(các dòng không có lỗi).", STYLE_SOURCE_LINE)

    def _charts(self, item: Item, number: str) -> list[tuple[str, charts.Chart]]:
        """(caption, chart) for each chart of the item that has data."""
        out = []
        for k, chart in enumerate(item.charts, start=1):
            if chart.rows == "periods":
                cats = [p.code for p in self.cat.periods]

                def value(col: ColumnRef, c: str) -> float | None:
                    return self.lookup.period(col, c)
            else:
                cats = [str(y) for y in (chart.years or self.cat.years.actual)]

                def value(col: ColumnRef, c: str) -> float | None:
                    return self.lookup.get(col, int(c))
            fake = Table(title=chart.title, columns=chart.series)
            series = tuple(charts.Series(self._column_header(fake, col, False),
                                         tuple(value(col, c) for c in cats))
                           for col in chart.series)
            if not any(v is not None for s in series for v in s.values):
                continue
            out.append((f"Hình {number}.{k}. {chart.title}", charts.Chart(
                chart.kind, tuple(cats), series, self.charts_dir / f"hinh-{number}-{k}.png",
                chart.y_label, chart.decimals, chart.reference, chart.reference_label)))
        return out

    def _figures(self, item: Item) -> list[Figure]:
        """The item's charts as the template shows them (drawn by draw_charts)."""
        return [{"image": InlineImage(self.tpl, str(chart.out), width=Mm(160)),
                 "caption": caption} for caption, chart in self.planned.get(item.code, [])]

    def draw_charts(self) -> Callable[[], None]:
        """Start drawing every chart of the chapter; return the function that waits for them."""
        self.planned = {}
        parts: dict[str, int] = {}
        for item in self.cat.items:
            parts[item.part] = parts.get(item.part, 0) + 1
            if item.charts and item.unit in self.workbooks:
                self.planned[item.code] = self._charts(item, self._tag_of(item, parts[item.part]))
        return charts.draw_all([c for cs in self.planned.values() for _, c in cs],
                               self.chart_cache)

    @staticmethod
    def _tag_of(item: Item, number: int) -> str:
        # Tables and figures are numbered by section; outside Part I the part comes first
        # ("Bảng II.4.1"), so that no two tables of the chapter share a number.
        return str(number) if item.part == "I" else f"{item.part}.{number}"

    def section(self, item: Item, number: int) -> Section:
        sd = self.tpl.new_subdoc()
        self._count = 0  # tables numbered so far in this section
        if item.unit != ALL_UNITS:
            owner = self.cat.unit_by_code[item.unit].name
            self.styles.para(sd, f"Đơn vị chủ trì: {owner}.", STYLE_NOTE)
        for line in self._missing_lines(item):
            self.styles.para(sd, line, STYLE_MISSING)
        self._narrative(sd, item)
        self._tag = self._tag_of(item, number)
        if item.unit in self.workbooks:
            for table in item.tables:
                self._add_table(sd, self._next(), item, table)
        if item.targets:
            self._targets(sd, item, self._next())
        for li in self.cat.lists:
            if li.chapter and li.item == item.code:
                self._list_table(sd, li)
        title = item.title
        return {"heading": f"{number}. {title}" if item.part != "IV" else "", "body": sd,
                "charts": self._figures(item)}

    def context(self) -> Context:
        cat = self.cat
        parts: dict[str, list[Section]] = {"I": [], "II": [], "IV": []}
        for item in cat.items:
            parts[item.part].append(self.section(item, len(parts[item.part]) + 1))
        received = [u for u in cat.units if u.code in self.workbooks or u.code in self.narratives]
        absent = [u for u in cat.units if u not in received]
        build_line = (f"Số liệu tính đến ngày {fmt.date(self.data.as_of)}; đã nhận số liệu của "
                      f"{len(received)}/{len(cat.units)} phòng, đơn vị.")
        if any(w.is_sample for w in self.data.workbooks):
            build_line += " Bản dựng từ DỮ LIỆU MẪU, không dùng làm báo cáo chính thức."
        missing_line = ("Chưa nhận được số liệu của: " + ", ".join(u.name for u in absent) + "."
                        if absent else "")
        return {
            "parent_agency": cat.parent_agency,
            "agency": cat.agency,
            "place": cat.place,
            "date_long": fmt.long_date(cat.chapter_date),
            "title": cat.chapter_title.upper(),
            "build_line": build_line,
            "missing_line": missing_line,
            "part1": {"label": "PHẦN I", "title": PART_TITLES["I"], "sections": parts["I"]},
            "part2": {"label": "PHẦN II", "title": PART_TITLES["II"], "sections": parts["II"]},
            "part4": {"label": "PHẦN IV", "title": PART_TITLES["IV"], "sections": parts["IV"]},
            "appendix": self._appendix(),
        }


def _cell_span(cells: list[tuple[str, str, str, int]]) -> str:
    """'file › I.1!E6:M9': the smallest range holding the cells of one table."""
    if not cells:
        return "(chưa có số liệu)"
    files = sorted({c[0] for c in cells})
    sheets = sorted({c[1] for c in cells})
    coords = [coordinate_from_string(c[2]) for c in cells]
    cols = [column_index_from_string(col) for col, _ in coords]
    rows = [row for _, row in coords]
    first = f"{get_column_letter(min(cols))}{min(rows)}"
    last = f"{get_column_letter(max(cols))}{max(rows)}"
    span = first if first == last else f"{first}:{last}"
    return f"{', '.join(files)} › {', '.join(sheets)}!{span}"


def _text_table(sd: Subdoc, styles: _Styles, headers: list[str], rows: list[list[str]],
                first_is_head: bool = False) -> WordTable:
    """A table of ready-made texts: header row repeated on each page, widths to fit, text
    left-aligned and numbers right-aligned; the first column bold when it names the rows."""
    grid, at = styles.grid(sd, 1 + len(rows), len(headers))
    _set_widths(grid, _widths(headers, rows))
    for c, text in enumerate(headers):
        _head(styles, at[0][c], text)
    _repeat_header(grid.rows[0])
    for r_i, row in enumerate(rows, start=1):
        for c, text in enumerate(row):
            p = at[r_i][c].paragraphs[0]
            _set_text(p, text)
            if c == 0 and first_is_head:
                styles.apply(p, STYLE_TABLE_HEAD)
                continue
            styles.apply(p, STYLE_TABLE_TEXT)
            if c > 0 and not text.replace(".", "").replace(",", "").replace("-", "").isdigit():
                p.alignment = WD_ALIGN_PARAGRAPH.LEFT
    return grid


def _set_text(paragraph: Paragraph, text: str) -> None:
    """paragraph.text = text, for the empty paragraph of a new table cell: one run written
    with lxml (python-docx's setter costs ~10× more); text with line breaks or tabs goes
    through python-docx, which turns them into <w:br/> and <w:tab/>."""
    p = paragraph._p
    if "\n" in text or "\t" in text or p.find(qn("w:r")) is not None:
        paragraph.text = text
        return
    r = OxmlElement("w:r")
    t = OxmlElement("w:t")
    t.text = text
    if text != text.strip():
        t.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
    r.append(t)
    p.append(r)


def _fill_rows(styles: _Styles, rows: list[list[_Cell]], labels: list[str],
               body: list[list[str]], bold_from: int) -> None:
    """Write each body row (label, then values); rows from `bold_from` on are bold."""
    for r, (cells, label, values) in enumerate(zip(rows, labels, body)):
        _head(styles, cells[0], label)
        for c, text in enumerate(values, start=1):
            _set_text(cells[c].paragraphs[0], text)
            styles.apply(cells[c].paragraphs[0], STYLE_TABLE_TEXT)
            if r >= bold_from:
                for run in cells[c].paragraphs[0].runs:
                    run.bold = True


def _head(styles: _Styles, cell: _Cell, text: str) -> None:
    _set_text(cell.paragraphs[0], text)
    styles.apply(cell.paragraphs[0], STYLE_TABLE_HEAD)
    cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER


def _repeat_header(row: _Row) -> None:
    """Repeat this row at the top of each page the table runs over."""
    tr_pr = row._tr.get_or_add_trPr()
    el = OxmlElement("w:tblHeader")
    el.set(qn("w:val"), "true")
    tr_pr.append(el)


def _widths(headers: list[str], rows: list[list[str]]) -> list[float]:
    """Column widths (cm) filling the text width: each column gets room for its longest
    value (text wraps beyond 5 cm), the rest is shared in proportion to the header's length;
    when even that does not fit, every column shrinks in proportion."""
    char_cm = 0.2  # 12 pt Times, digits and punctuation
    # The least a column can have: its longest header word, and 1,2 cm.
    least = [max(1.2, max((len(w) for w in h.split()), default=1) * 0.24 + 0.4)
             for h in headers]
    need = [max(least[c], min(max(len(r[c]) for r in rows) * char_cm + 0.4, 5.0))
            if rows else least[c] for c in range(len(headers))]
    need[0] = max(need[0], 1.4, len(rows[-1][0]) * 0.24 + 0.4 if rows else 0)
    if sum(need) > TEXT_WIDTH_CM:  # text wraps: shrink what exceeds each column's least
        surplus = [n - m for n, m in zip(need, least)]
        room = max(0.0, TEXT_WIDTH_CM - sum(least))
        factor = room / sum(surplus) if sum(surplus) else 0.0
        return [m + s * factor for m, s in zip(least, surplus)]
    spare = max(0.0, TEXT_WIDTH_CM - sum(need))
    weight = [min(len(h), 40) for h in headers]
    weight[0] = 0
    total = sum(weight) or 1
    return [n + spare * w / total for n, w in zip(need, weight)]


def _set_widths(grid: WordTable, widths_cm: list[float]) -> None:
    """Fixed column widths that Word and LibreOffice both respect (grid and every cell)."""
    grid.autofit = False
    for col, w in zip(grid.columns, widths_cm):
        col.width = Cm(w)
    twips = [str(Cm(w).twips) for w in widths_cm]
    for tr in grid._tbl.tr_lst:  # a new table: one w:tc per column, each with tcPr/tcW
        for tc, tw in zip(tr.tc_lst, twips):
            tcW = tc.get_or_add_tcPr().get_or_add_tcW()
            tcW.set(qn("w:w"), tw)
            tcW.set(qn("w:type"), "dxa")


CONTEXT_KEYS = ("parent_agency", "agency", "place", "date_long", "title", "build_line",
                "missing_line", "part1", "part2", "part4", "appendix")
REQUIRED_STYLES = (STYLE_MISSING, STYLE_NOTE, STYLE_POINT, STYLE_SOURCE_LINE, STYLE_TABLE_HEAD,
                   STYLE_TABLE_TEXT, STYLE_TABLE_TITLE, STYLE_UNIT_LINE, STYLE_FIGURE,
                   STYLE_CAPTION, "Table Grid")


_TAG = re.compile(r"\{%-?\s*(?:[prc]\s+)?(\w+)")
_OPENERS = {"for": "endfor", "if": "endif", "macro": "endmacro", "with": "endwith"}
_CLOSERS = {v: k for k, v in _OPENERS.items()}


def _template_paragraphs(doc: WordDocument) -> list[str]:
    """Texts of every paragraph of the body, tables included, in reading order."""
    texts = [p.text for p in doc.paragraphs]
    for table in doc.tables:
        for row in table.rows:
            for cell in row.cells:
                texts.extend(p.text for p in cell.paragraphs)
    return texts


def check_tags(texts: list[str], name: str) -> None:
    """Unclosed '{{' / '{%' inside a paragraph and unbalanced for/if blocks, each reported
    with the paragraph around it (Word may have split a tag across runs: the text is whole)."""
    stack: list[tuple[str, str]] = []
    for text in texts:
        if text.count("{{") != text.count("}}") or text.count("{%") != text.count("%}"):
            raise TemplateError(f"Mẫu '{name}': thẻ chưa đóng ở đoạn «{text[:120]}». Sửa để "
                                "mỗi '{{' có '}}' và mỗi '{%' có '%}' trong cùng đoạn.")
        for word in _TAG.findall(text):
            if word in _OPENERS:
                stack.append((word, text))
            elif word in _CLOSERS:
                if not stack or stack[-1][0] != _CLOSERS[word]:
                    raise TemplateError(f"Mẫu '{name}': thẻ '{word}' không có thẻ mở tương "
                                        f"ứng, ở đoạn «{text[:120]}».")
                stack.pop()
    if stack:
        word, text = stack[-1]
        raise TemplateError(f"Mẫu '{name}': thẻ '{word}' chưa được đóng "
                            f"('{_OPENERS[word]}'), mở ở đoạn «{text[:120]}».")


def preflight(tpl: DocxTemplate, name: str) -> None:
    """Before any work: tags are closed and blocks balanced, the template asks only for known
    variables, and it has the styles the section bodies use. Raises TemplateError naming the
    template and the paragraph."""
    check_tags(_template_paragraphs(tpl.get_docx()), name)
    try:
        undeclared = tpl.get_undeclared_template_variables(jinja_env(),
                                                           dict.fromkeys(CONTEXT_KEYS))
    except jinja2.TemplateSyntaxError as e:
        raise TemplateError(f"Mẫu '{name}' sai cú pháp Jinja: {e.message} (gần dòng "
                            f"{e.lineno} của XML; kiểm tra các thẻ {{% %}} bị tách hay thiếu "
                            "endfor/endif).") from e
    if undeclared:
        raise TemplateError(f"Mẫu '{name}' dùng biến không có trong dữ liệu: "
                            f"{', '.join(sorted(undeclared))}.")
    styles = {s.name for s in tpl.get_docx().styles}
    missing = [s for s in REQUIRED_STYLES if s not in styles]
    if missing:
        raise TemplateError(f"Mẫu '{name}' thiếu kiểu (style): {', '.join(missing)}. Chạy "
                            "'make template' để tạo lại mẫu.")


class PendingChapter:
    """A chapter whose template is checked and whose charts are being drawn (in another
    process): `finish()` builds the text, waits for the charts and writes the .docx. Other
    work (the merged data, the reports) can run in between while the charts are drawn."""

    def __init__(self, tpl: DocxTemplate, renderer: _Renderer, charts_drawn: Callable[[], None],
                 template: Path, out: Path):
        self._tpl, self._renderer, self._charts_drawn = tpl, renderer, charts_drawn
        self._template, self.out = template, out

    def finish(self) -> Path:
        try:
            context = self._renderer.context()
            if set(context) != set(CONTEXT_KEYS):  # a fault of this code, not of the inputs
                raise RuntimeError(f"chapter context keys {sorted(context)} != CONTEXT_KEYS")
            self._charts_drawn()
            self._tpl.render(context, jinja_env(), autoescape=True)
        except TemplateError:
            raise
        except jinja2.TemplateError as e:
            raise TemplateError(f"Mẫu '{self._template.name}' lỗi: {e.message}.") from e
        self._tpl.save(str(self.out))
        return self.out


def start_chapter(cat: Catalogue, data: ChapterData, template: Path, out: Path,
                  chart_cache: Path | None = None) -> PendingChapter:
    """Open and check the template, and start drawing the charts (those drawn before from
    the same data are copied from `chart_cache`); TemplateError names the template and the
    problem."""
    if not template.is_file():
        raise TemplateError(f"Không tìm thấy mẫu chương '{template}'. Chạy 'make template' "
                            "để tạo lại.")
    try:
        tpl = DocxTemplate(str(template))
        tpl.get_docx()  # opens the file: a damaged template fails here
    except Exception as e:  # python-docx raises several types for a damaged package
        raise TemplateError(f"Không mở được mẫu chương '{template}' ({type(e).__name__}). "
                            "Chạy 'make template' để tạo lại.") from e
    preflight(tpl, template.name)
    renderer = _Renderer(cat, data, tpl, out.parent / CHARTS, chart_cache)
    return PendingChapter(tpl, renderer, renderer.draw_charts(), template, out)


def render_chapter(cat: Catalogue, data: ChapterData, template: Path, out: Path,
                   chart_cache: Path | None = None) -> Path:
    """Render the chapter to `out` (start_chapter, then finish)."""
    return start_chapter(cat, data, template, out, chart_cache).finish()
