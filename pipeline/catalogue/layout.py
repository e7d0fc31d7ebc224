"""The shape of a unit's workbook, shared by forms.py (writes it) and read/ (reads it).

A workbook has a metadata sheet and one sheet per content item the unit owns. In an item
sheet, column A holds a row key (``indicator`` or ``indicator.part``) and the header row
(``HEADER_KEY`` in column A) holds the years; the reader finds rows and columns by these keys,
never by fixed positions, so a reordered catalogue still reads right.
"""

from __future__ import annotations

from dataclasses import dataclass

from pipeline.catalogue.model import TOTAL, Catalogue, Indicator, Item

META_SHEET = "Thông tin"
"""Name of the metadata sheet (unit code, form version, catalogue fingerprint)."""

HEADER_KEY = "Mã"
"""Column A of an item sheet's header row."""

STATUS_HEADER = "Tính chất số liệu"
NOTE_HEADER = "Nguồn số liệu, ghi chú"

FIRST_DATA_ROW = 6
HEADER_ROW = 5
LABEL_COLUMNS = ("Mã", "Chỉ tiêu", "Phân tổ", "Đơn vị tính")
FIRST_YEAR_COL = len(LABEL_COLUMNS) + 1  # 1-based column of the first year

# Keys of the metadata sheet (column A) and their Vietnamese labels (column B).
META_FIELDS: tuple[tuple[str, str, bool], ...] = (
    # key, label, filled by the unit
    ("ma_don_vi", "Mã đơn vị", False),
    ("ten_don_vi", "Tên đơn vị", False),
    ("phien_ban_bieu_mau", "Phiên bản biểu mẫu", False),
    ("ma_danh_muc", "Mã danh mục chỉ tiêu", False),
    ("ngay_tao_bieu", "Ngày tạo biểu mẫu", False),
    ("du_lieu_mau", "Dữ liệu mẫu (không dùng cho báo cáo chính thức)", False),
    ("nguoi_lap", "Người lập biểu", True),
    ("dien_thoai", "Điện thoại", True),
    ("email", "Thư điện tử", True),
    ("ngay_gui", "Ngày gửi (dd/mm/yyyy)", True),
    ("lan_gui", "Lần gửi (1 cho lần đầu, gửi lại thì tăng thêm 1)", True),
)
META_FIRST_ROW = 4

CHOICES_SHEET = "Danh sách chọn"
"""A hidden sheet of the form holding every dropdown's options, one list per column: Excel
splits an inline list at commas ("Xã hội hóa, khác"), a range reference does not. The reader
passes over it (it holds no unit data)."""

# A list sheet: a hidden key row (A = "list:<code>", then the column codes), a header row of
# Vietnamese labels, then numbered input rows. Column A holds the row number (STT).
LIST_KEY_ROW = 4
LIST_HEADER_ROW = 5
LIST_FIRST_ROW = 6
LIST_MARK = "list:"


def meta_cell(key: str) -> str:
    """A1 address of a metadata value (column C of the metadata sheet)."""
    keys = [k for k, _, _ in META_FIELDS]
    return f"C{META_FIRST_ROW + keys.index(key)}"


def sheet_name(item: Item) -> str:
    """Sheet name of an item: its code (Excel allows dots; at most 31 characters)."""
    return item.code


def row_key(indicator: str, part: str) -> str:
    """Column A of an indicator's row: ``indicator``, or ``indicator.part`` for a part."""
    return indicator if part == TOTAL else f"{indicator}.{part}"


def list_key(list_code: str, column: str) -> str:
    """``list.column``: how a finding names a column of a list input (`Finding.indicator`)."""
    return f"{list_code}.{column}"


def split_key(key: str) -> tuple[str, str]:
    indicator, _, part = key.partition(".")
    return indicator, part or TOTAL


@dataclass(frozen=True)
class FormRow:
    key: str  # value of column A
    indicator: Indicator
    part: str  # breakdown part code, or TOTAL
    part_label: str  # shown in column C


def form_rows(cat: Catalogue, item: Item) -> list[FormRow]:
    rows = []
    for ind in item.indicators:
        for p in cat.parts_of(ind):
            rows.append(FormRow(row_key(ind.code, p.code), ind, p.code, p.label))
    return rows


def cell_of(cat: Catalogue, key: str, year: int | None = None) -> tuple[str, int, str]:
    """(sheet, 1-based row, A1) of a row key's cell in its unit's form: the cell of `year`,
    or the row's note cell ("Nguồn số liệu, ghi chú") when year is None."""
    from openpyxl.utils import get_column_letter

    item = cat.item_of_indicator[split_key(key)[0]]
    years = form_years(cat, item)
    row = FIRST_DATA_ROW + [r.key for r in form_rows(cat, item)].index(key)
    col = FIRST_YEAR_COL + (len(years) + 1 if year is None else years.index(year))
    return sheet_name(item), row, f"{get_column_letter(col)}{row}"


def form_years(cat: Catalogue, item: Item) -> list[int]:
    """Year columns of an item sheet: every year any of its indicators asks, in order."""
    years = {y for ind in item.indicators for y in cat.years_of(ind)}
    return sorted(years)
