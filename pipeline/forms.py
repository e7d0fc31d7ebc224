"""Blank forms for each unit, generated from the catalogue.

`write_forms` writes, per unit, an Excel workbook (metadata sheet + one sheet per content item,
labels locked, input cells with data validation and Vietnamese hints) and a Word narrative
form (a heading per content item and sub-topic). openpyxl is used here, not calamine, because
styles, protection and data validation matter.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from docx import Document
from docx.enum.style import WD_STYLE_TYPE
from docx.shared import Pt, RGBColor
from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from pipeline.catalogue.layout import (
    CHOICES_SHEET,
    FIRST_DATA_ROW,
    FIRST_YEAR_COL,
    HEADER_KEY,
    HEADER_ROW,
    LABEL_COLUMNS,
    LIST_FIRST_ROW,
    LIST_HEADER_ROW,
    LIST_KEY_ROW,
    LIST_MARK,
    META_FIELDS,
    META_FIRST_ROW,
    META_SHEET,
    NOTE_HEADER,
    STATUS_HEADER,
    form_rows,
    form_years,
    sheet_name,
)
from pipeline.catalogue.model import Catalogue, Indicator, Item, ListColumn, ListInput, Unit
from pipeline.core import fmt
from pipeline.core.outputs import GENERATOR
from pipeline.core.word import stamp
from pipeline.core.xlsx import print_setup, row_height, wrapped_lines

if TYPE_CHECKING:
    from docx.document import Document as WordDocument

INPUT_FILL = PatternFill("solid", fgColor="FFF2CC")  # light yellow: type here
LOCKED_FILL = PatternFill("solid", fgColor="D9D9D9")  # grey: year not asked
HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
THIN = Side(style="thin", color="808080")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
TITLE_SIZE = 13
TITLE_HEIGHT = 26.0  # pt: a 13 pt title whose capitals carry accents ("BIỂU", "Ể") whole
LABEL_WIDTHS = (46, 22, 12)  # columns B-D of an item sheet: label, part, unit of measure
YEAR_WIDTH = 11  # "100.000.000" fits
PORTRAIT_WIDTH = 120
"""Widest sheet (sum of column widths, in characters) printed portrait; a wider one prints
landscape. A portrait A4 page shows about 100 characters at full size."""
STATUS_LIST = "data_status"
"""Key of the "Tính chất số liệu" list in the choices sheet (the catalogue's own key)."""
HINT_STYLE = "Hướng dẫn"
"""Paragraph style of the hints in the narrative form; the reader skips it."""


@dataclass(frozen=True)
class FormFiles:
    unit: str  # unit code
    workbook: Path  # the Excel form
    narrative: Path  # the Word narrative form


def workbook_name(unit: Unit) -> str:
    return f"{unit.code}_bieu_so_lieu.xlsx"


def narrative_name(unit: Unit) -> str:
    return f"{unit.code}_thuyet_minh.docx"


def write_forms(cat: Catalogue, out_dir: Path, today: dt.date | None = None) -> list[FormFiles]:
    """Write a blank workbook and narrative form for every unit into out_dir."""
    out_dir.mkdir(parents=True, exist_ok=True)
    today = today or dt.date.today()
    written = []
    for unit in cat.units:
        wb_path = out_dir / workbook_name(unit)
        build_workbook(cat, unit, today).save(wb_path)
        doc_path = out_dir / narrative_name(unit)
        build_narrative_form(cat, unit).save(str(doc_path))
        written.append(FormFiles(unit.code, wb_path, doc_path))
    return written


# --- Excel ---------------------------------------------------------------------------------
def build_workbook(cat: Catalogue, unit: Unit, today: dt.date, sample: bool = False) -> Workbook:
    wb = Workbook()
    meta = wb.worksheets[0]  # a new workbook holds one sheet
    meta.title = META_SHEET
    _write_meta(meta, cat, unit, today, sample)
    items = [(wb.create_sheet(sheet_name(item)), item) for item in cat.data_items_of(unit.code)]
    lists = [(wb.create_sheet(li.sheet), li) for li in cat.lists_of(unit.code)]
    dropdowns: dict[str, list[str]] = {}
    if items:
        dropdowns[STATUS_LIST] = list(cat.data_status)
    for _, li in lists:
        for col in li.columns:
            if col.type == "choice" and col.choices:
                dropdowns.setdefault(col.choices, list(cat.choices[col.choices]))
    ranges = _write_choices(wb.create_sheet(CHOICES_SHEET), dropdowns) if dropdowns else {}
    for ws, item in items:
        _write_item_sheet(ws, cat, item, ranges[STATUS_LIST])
    for ws, li in lists:
        _write_list_sheet(ws, cat, li, ranges)
    return wb


def _write_choices(ws: Worksheet, dropdowns: dict[str, list[str]]) -> dict[str, str]:
    """The hidden, protected sheet of dropdown options: one column per list, its key in row
    1 and its options below. Returns each list's absolute range, for a list validation's
    formula: an inline list ('"a,b"') would be split by Excel at a comma inside an option."""
    ranges = {}
    for c, (key, options) in enumerate(dropdowns.items(), start=1):
        letter = get_column_letter(c)
        ws.cell(1, c, key).font = Font(bold=True)
        for r, option in enumerate(options, start=2):
            ws.cell(r, c, option)
        ws.column_dimensions[letter].width = max(len(o) for o in [key, *options]) + 2
        ranges[key] = (f"{_quote_sheet(ws.title)}!${letter}$2:${letter}${len(options) + 1}")
    ws.sheet_state = "hidden"
    ws.protection.sheet = True
    print_setup(ws, landscape=False)
    return ranges


def _quote_sheet(name: str) -> str:
    return "'" + name.replace("'", "''") + "'"


def _title(ws: Worksheet, row: int, text: str, last_col: int, font: Font,
           height: float | None = None) -> None:
    """A title or hint line in column B, merged across the table (to `last_col`) and wrapped
    there, so that it prints whole and within the page; the row is as tall as its lines."""
    cell = ws.cell(row, 2, text)
    cell.font = font
    cell.alignment = Alignment(wrap_text=True, vertical="center")
    if last_col > 2:
        ws.merge_cells(start_row=row, start_column=2, end_row=row, end_column=last_col)
    width = sum(_width(ws, c) for c in range(2, last_col + 1))
    size = font.sz or 11
    lines = wrapped_lines(text, width, size, bool(font.b))
    ws.row_dimensions[row].height = max(height or 0.0, row_height(lines, size))


def _width(ws: Worksheet, col: int) -> float:
    width = ws.column_dimensions[get_column_letter(col)].width
    return width if width else 8.43  # Excel's default column width


def _write_list_sheet(ws: Worksheet, cat: Catalogue, li: ListInput,
                      ranges: dict[str, str]) -> None:
    ws.cell(LIST_KEY_ROW, 1, f"{LIST_MARK}{li.code}")
    ws.row_dimensions[LIST_KEY_ROW].hidden = True
    head = ws.cell(LIST_HEADER_ROW, 1, "STT")
    head.font, head.fill, head.border = Font(bold=True), HEADER_FILL, BORDER
    head.alignment = Alignment(vertical="center", horizontal="center")
    last = LIST_FIRST_ROW + li.rows - 1
    header_lines = 1
    for c, col in enumerate(li.columns, start=2):
        ws.cell(LIST_KEY_ROW, c, col.code)
        label = col.label + (f" ({col.measure})" if col.measure else "")
        label += " *" if col.required else ""
        cell = ws.cell(LIST_HEADER_ROW, c, label)
        cell.font, cell.fill, cell.border = Font(bold=True), HEADER_FILL, BORDER
        cell.alignment = Alignment(wrap_text=True, vertical="center", horizontal="center")
        ws.column_dimensions[get_column_letter(c)].width = col.width
        header_lines = max(header_lines, wrapped_lines(label, col.width, bold=True))
        dv = _list_validation(cat, col, ranges)
        if dv is not None:
            ws.add_data_validation(dv)
            dv.add(f"{get_column_letter(c)}{LIST_FIRST_ROW}:{get_column_letter(c)}{last}")
    for r in range(LIST_FIRST_ROW, last + 1):
        ws.cell(r, 1, r - LIST_FIRST_ROW + 1).border = BORDER
        for c in range(2, len(li.columns) + 2):
            cell = ws.cell(r, c)
            cell.fill, cell.border = INPUT_FILL, BORDER
            cell.protection = Protection(locked=False)
    ws.column_dimensions["A"].width = 6
    ws.row_dimensions[LIST_HEADER_ROW].height = row_height(header_lines)
    last_col = len(li.columns) + 1
    _title(ws, 1, li.title, last_col, Font(bold=True, size=TITLE_SIZE), TITLE_HEIGHT)
    _title(ws, 2, li.hint or "Mỗi dòng một mục; bỏ trống các dòng không dùng.", last_col,
           Font(italic=True))
    ws.freeze_panes = ws.cell(LIST_FIRST_ROW, 2)
    wide = 6 + sum(col.width for col in li.columns) > PORTRAIT_WIDTH
    print_setup(ws, landscape=wide, title_rows=f"1:{LIST_HEADER_ROW}")
    ws.protection.sheet = True
    ws.protection.formatCells = False
    ws.protection.formatColumns = False


def _list_validation(cat: Catalogue, col: ListColumn,
                     ranges: dict[str, str]) -> DataValidation | None:
    if col.type == "choice":
        dv = DataValidation(type="list", formula1=ranges[col.choices or ""], allow_blank=True)
        dv.error = "Chọn một giá trị trong danh sách."
    elif col.type in ("number", "integer"):
        kind = "whole" if col.type == "integer" else "decimal"
        if col.max is None:
            dv = DataValidation(type=kind, operator="greaterThanOrEqual",
                                formula1=_num(col.low), allow_blank=True)
        else:
            dv = DataValidation(type=kind, operator="between", formula1=_num(col.low),
                                formula2=_num(col.max), allow_blank=True)
        dv.error = f"Nhập số từ {fmt.number(col.low)}" + (
            f" đến {fmt.number(col.max)}" if col.max is not None else "") + (
            f" ({col.measure})." if col.measure else ".")
    else:
        return None
    dv.showErrorMessage = True
    dv.errorTitle = "Giá trị không hợp lệ"
    return dv


def _write_meta(ws: Worksheet, cat: Catalogue, unit: Unit, today: dt.date, sample: bool) -> None:
    ws.column_dimensions["A"].hidden = True
    ws.column_dimensions["B"].width = 48
    ws.column_dimensions["C"].width = 60
    _title(ws, 1, "BIỂU SỐ LIỆU PHỤC VỤ LẬP QUY HOẠCH TỈNH BẮC GIANG THỜI KỲ 2021-2030", 3,
           Font(bold=True, size=TITLE_SIZE), TITLE_HEIGHT)
    _title(ws, 2, "Không sửa các ô màu xám. Điền các ô màu vàng ở trang này và ở các trang "
           "mục. Tên tệp có thể đổi tùy ý: đơn vị được nhận biết theo mã ở trang này.", 3,
           Font(italic=True))
    values = {
        "ma_don_vi": unit.code,
        "ten_don_vi": unit.name,
        "phien_ban_bieu_mau": cat.form_version,
        "ma_danh_muc": cat.fingerprint,
        "ngay_tao_bieu": fmt.date(today),
        "du_lieu_mau": "Có" if sample else "Không",
    }
    for i, (key, label, editable) in enumerate(META_FIELDS):
        r = META_FIRST_ROW + i
        ws.cell(r, 1, key)
        ws.cell(r, 2, label).font = Font(bold=True)
        c = ws.cell(r, 3, values.get(key))
        c.border = BORDER
        if editable:
            c.fill = INPUT_FILL
            c.protection = Protection(locked=False)
    print_setup(ws, landscape=False, title_rows="1:2")
    ws.protection.sheet = True


def _write_item_sheet(ws: Worksheet, cat: Catalogue, item: Item, status_range: str) -> None:
    unit = cat.unit_by_code[item.unit]
    years = form_years(cat, item)
    headers = [*LABEL_COLUMNS, *years, STATUS_HEADER, NOTE_HEADER]
    for col, text in enumerate(headers, start=1):
        c = ws.cell(HEADER_ROW, col, text)
        c.font = Font(bold=True)
        c.fill = HEADER_FILL
        c.border = BORDER
        c.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    ws.cell(HEADER_ROW, 1).value = HEADER_KEY

    status_col = FIRST_YEAR_COL + len(years)
    status_dv = DataValidation(
        type="list", formula1=status_range, allow_blank=True,
        showErrorMessage=True, errorTitle="Giá trị không hợp lệ",
        error="Chọn một giá trị trong danh sách.",
        promptTitle="Tính chất số liệu", prompt="Chọn: " + ", ".join(cat.data_status),
    )
    status_dv.showInputMessage = True
    ws.add_data_validation(status_dv)

    ws.column_dimensions["A"].hidden = True
    for col, width in enumerate(LABEL_WIDTHS, start=2):
        ws.column_dimensions[get_column_letter(col)].width = width
    for col in range(FIRST_YEAR_COL, FIRST_YEAR_COL + len(years)):
        ws.column_dimensions[get_column_letter(col)].width = YEAR_WIDTH
    ws.column_dimensions[get_column_letter(status_col)].width = 16
    ws.column_dimensions[get_column_letter(status_col + 1)].width = 32

    validations: dict[str, DataValidation] = {}
    for r_i, row in enumerate(form_rows(cat, item)):
        r = FIRST_DATA_ROW + r_i
        ind = row.indicator
        for col, text in enumerate((row.key, ind.label, row.part_label, ind.measure), start=1):
            c = ws.cell(r, col, text)
            c.border = BORDER
            c.alignment = Alignment(wrap_text=True, vertical="top")
        lines = max(wrapped_lines(text, width) for text, width in
                    zip((ind.label, row.part_label, ind.measure), LABEL_WIDTHS))
        if lines > 1:  # a wrapped label shows whole on screen and on paper
            ws.row_dimensions[r].height = row_height(lines)
        if ind.hint:
            ws.cell(r, 2).comment = Comment(ind.hint, "Sở KH&CN")
        asked = set(cat.years_of(ind))
        dv = validations.get(ind.code)
        if dv is None:
            dv = _value_validation(ind)
            ws.add_data_validation(dv)
            validations[ind.code] = dv
        for y_i, year in enumerate(years):
            c = ws.cell(r, FIRST_YEAR_COL + y_i)
            c.border = BORDER
            if year in asked:
                c.fill = INPUT_FILL
                c.protection = Protection(locked=False)
                c.number_format = _number_format(ind)
                dv.add(c.coordinate)
            else:
                c.fill = LOCKED_FILL
        for col in (status_col, status_col + 1):
            c = ws.cell(r, col)
            c.border = BORDER
            c.fill = INPUT_FILL
            c.protection = Protection(locked=False)
        status_dv.add(ws.cell(r, status_col).coordinate)

    ws.row_dimensions[HEADER_ROW].height = row_height(max(
        wrapped_lines(str(text), _width(ws, col), bold=True)
        for col, text in enumerate(headers, start=1) if col > 1))  # A is hidden
    last_col = status_col + 1
    _title(ws, 1, f"Mục {item.code}. {item.title}", last_col,
           Font(bold=True, size=TITLE_SIZE), TITLE_HEIGHT)
    _title(ws, 2, f"Đơn vị chủ trì: {unit.name}. Hạn gửi: {fmt.date(item.due)}.", last_col,
           Font())
    _title(ws, 3, "Nhập số vào các ô màu vàng (dấu phẩy thập phân theo cài đặt của máy); ô "
           "màu xám là năm không cần số liệu. Bỏ trống nếu chưa có số liệu, nhập 0 nếu "
           "không phát sinh.", last_col, Font(italic=True))
    ws.freeze_panes = ws.cell(FIRST_DATA_ROW, FIRST_YEAR_COL)
    print_setup(ws, landscape=True, title_rows=f"1:{HEADER_ROW}")
    ws.protection.sheet = True
    ws.protection.formatCells = False  # let units widen columns
    ws.protection.formatColumns = False


def _number_format(ind: Indicator) -> str:
    if ind.type == "integer":
        return "#,##0"
    return "#,##0" + ("." + "0" * ind.decimals if ind.decimals else "")


def _value_validation(ind: Indicator) -> DataValidation:
    low, high = ind.low, ind.high
    kind = "whole" if ind.type == "integer" else "decimal"
    if high is None:
        dv = DataValidation(type=kind, operator="greaterThanOrEqual", formula1=_num(low))
        rng = f"từ {fmt.number(low)} trở lên"
    else:
        dv = DataValidation(type=kind, operator="between", formula1=_num(low),
                            formula2=_num(high))
        rng = f"từ {fmt.number(low)} đến {fmt.number(high)}"
    what = "số nguyên" if ind.type == "integer" else "số"
    dv.allow_blank = True
    dv.showErrorMessage = True
    dv.showInputMessage = True
    dv.errorTitle = "Giá trị không hợp lệ"
    dv.error = f"Nhập {what} {rng} ({ind.measure})."
    dv.promptTitle = ind.measure[:32]
    dv.prompt = (f"Nhập {what} {rng}." + (f" {ind.hint}" if ind.hint else ""))[:255]
    return dv


def _num(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else repr(float(x))


# --- Word ----------------------------------------------------------------------------------
def narrative_heading(item: Item) -> str:
    return f"{item.code}. {item.title}"


def subtopic_heading(item: Item, index: int, title: str) -> str:
    return f"{item.code}.{index}. {title}"


def build_narrative_form(cat: Catalogue, unit: Unit,
                         texts: dict[tuple[str, int], list[str]] | None = None
                         ) -> WordDocument:
    """The Word narrative form; `texts` ((item, sub-topic) -> paragraphs) fills it in."""
    texts = texts or {}
    doc = Document()
    normal = doc.styles["Normal"]
    normal.font.name = "Times New Roman"
    normal.font.size = Pt(13)
    hint = doc.styles.add_style(HINT_STYLE, WD_STYLE_TYPE.PARAGRAPH)
    hint.base_style = normal
    hint.font.italic = True
    hint.font.color.rgb = RGBColor(0x59, 0x59, 0x59)

    doc.add_paragraph(f"THUYẾT MINH NỘI DUNG QUY HOẠCH KH&CN — {unit.name.upper()}",
                      style="Title")
    table = doc.add_table(rows=0, cols=2)
    table.style = "Table Grid"
    for key, value in (("Mã đơn vị", unit.code), ("Tên đơn vị", unit.name),
                       ("Phiên bản biểu mẫu", cat.form_version),
                       ("Mã danh mục chỉ tiêu", cat.fingerprint)):
        cells = table.add_row().cells
        cells[0].text, cells[1].text = key, value
    doc.core_properties.identifier = unit.code
    doc.core_properties.title = f"Thuyết minh {unit.code}"
    # Not the template's 2013 dates: made now, by this package (see word.GENERATOR).
    made = dt.datetime.now(dt.timezone.utc).replace(microsecond=0)
    doc.core_properties.created = made
    doc.core_properties.author = GENERATOR
    stamp(doc, GENERATOR, made)
    doc.add_paragraph(
        "Viết nội dung dưới mỗi đề mục, mỗi ý một đoạn. Không sửa bảng trên và không đổi số "
        "hiệu đề mục (ví dụ “I.2.”): văn bản được ghép vào chương theo số hiệu này. Có thể "
        "xóa các đoạn hướng dẫn in nghiêng.", style=HINT_STYLE)

    current_part = None
    for item in cat.items_of(unit.code):
        if item.part != current_part:
            doc.add_heading(f"PHẦN {item.part}. {cat.part_titles[item.part]}", level=1)
            current_part = item.part
        doc.add_heading(narrative_heading(item), level=2)
        owner = ("Tất cả các phòng, đơn vị" if item.unit == "all"
                 else cat.unit_by_code[item.unit].name)
        doc.add_paragraph(f"Chủ trì: {owner}. Hạn gửi: {fmt.date(item.due)}.", style=HINT_STYLE)
        for text in texts.get((item.code, 0), []):
            doc.add_paragraph(text)
        for i, title in enumerate(item.subtopics, start=1):
            doc.add_heading(subtopic_heading(item, i, title), level=3)
            for text in texts.get((item.code, i), []):
                doc.add_paragraph(text)
    return doc
