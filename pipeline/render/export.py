"""Export: the merged data for the consultants, as .xlsx (long table, derived values, period
figures, growth) and UTF-8 .csv (with a byte-order mark so Excel shows Vietnamese correctly).

Text that would start a formula is written as a string in the .xlsx and prefixed with an
apostrophe in the .csv (formula injection).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from openpyxl import Workbook

from pipeline.catalogue.model import PERIOD_METHOD_VI, Catalogue
from pipeline.core import fmt
from pipeline.core.xlsx import FORMULA_START, table
from pipeline.derive import Derivation
from pipeline.merge import rows_of

MERGED_HEADERS = {
    "unit": "Mã đơn vị", "unit_name": "Đơn vị", "item": "Mục", "indicator": "Mã chỉ tiêu",
    "indicator_label": "Chỉ tiêu", "breakdown": "Mã phân tổ", "breakdown_label": "Phân tổ",
    "measure": "Đơn vị tính", "year": "Năm", "value": "Giá trị", "status": "Tính chất số liệu",
    "note": "Nguồn số liệu, ghi chú", "file": "Tệp", "sheet": "Trang", "cell": "Ô",
    "file_hash": "SHA-256 của tệp",
}


LIST_HEADERS = {"unit": "Mã đơn vị", "unit_name": "Đơn vị", "number": "STT trong biểu",
                "file": "Tệp", "sheet": "Trang", "row": "Dòng"}


def write_merged(merged: pd.DataFrame, derivation: Derivation, cat: Catalogue,
                 xlsx: Path, csv: Path, lists: dict[str, pd.DataFrame] | None = None) -> None:
    """The long table for the consultants, as .xlsx (with the derived values, period figures
    and growth) and .csv (the long table)."""
    derived = derivation.yearly
    wb = Workbook()
    ws = wb.worksheets[0]  # a new workbook holds one sheet
    ws.title = "Số liệu"
    cols = list(merged.columns)
    table(ws, [MERGED_HEADERS.get(c, c) for c in cols],
           (_py_row(r) for r in merged.itertuples(index=False)),
           [10, 30, 6, 18, 45, 14, 24, 12, 7, 14, 14, 30, 28, 8, 8, 20])
    ws2 = wb.create_sheet("Tính toán")
    labels = {d.code: (d.label, d.measure) for d in cat.derived}
    table(ws2, ["Mã", "Chỉ tiêu", "Đơn vị tính", "Năm", "Giá trị", "Ô nguồn", "Ghi chú"],
           ([code, labels[code][0], labels[code][1], int(year),
             None if pd.isna(value) else float(value), "; ".join(sources), note]
            for code, year, value, sources, note in rows_of(
                derived, "derived", "year", "value", "sources", "note")),
           [22, 45, 12, 7, 14, 60, 40])
    ws3 = wb.create_sheet("Giai đoạn")
    method_vi = {**PERIOD_METHOD_VI, "inputs": "công thức trên số liệu cả giai đoạn",
                 "mean": "bình quân các năm"}
    table(ws3, ["Mã", "Loại", "Giai đoạn", "Cách tính", "Giá trị",
                 "Tăng bình quân/năm (%)", "Ghi chú"],
           ([key, "chỉ tiêu" if kind == "indicator" else "tính toán", period,
             method_vi.get(method, method), _num(value), _num(cagr), note]
            for key, kind, period, method, value, cagr, note in rows_of(
                derivation.periods, "key", "kind", "period", "method", "value", "cagr", "note")),
           [26, 10, 11, 34, 14, 14, 30])
    ws4 = wb.create_sheet("Tăng trưởng")
    table(ws4, ["Mã chỉ tiêu", "Mã phân tổ", "Năm", "Tăng so với năm trước (%)"],
           ([indicator, breakdown, int(year), _num(growth)]
            for indicator, breakdown, year, growth in rows_of(
                derivation.growth, "indicator", "breakdown", "year", "growth")),
           [26, 20, 7, 16])
    for li in cat.lists:
        df = (lists or {}).get(li.code)
        if df is None:
            continue
        column_labels = {c.code: c.label for c in li.columns}
        ws5 = wb.create_sheet(li.sheet)
        table(ws5, [LIST_HEADERS.get(c, column_labels.get(c, c)) for c in df.columns],
              ([_cell(v) for v in r] for r in df.itertuples(index=False)))
    wb.save(xlsx)
    out = merged.copy()
    for c in out.columns:  # text columns are "object" or "str" depending on pandas' version
        if not pd.api.types.is_numeric_dtype(out[c]):
            out[c] = out[c].map(lambda v: "'" + v if isinstance(v, str)
                                and v.startswith(FORMULA_START) else v)
    out.to_csv(csv, index=False, encoding="utf-8-sig")


def _cell(value: object) -> object:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return None
    return value.item() if hasattr(value, "item") else value


def write_dictionary(cat: Catalogue, path: Path) -> Path:
    """The data dictionary for the consultants: every indicator, derived value, merged-table
    column and list column, from the catalogue."""
    wb = Workbook()
    ws = wb.worksheets[0]  # a new workbook holds one sheet
    ws.title = "Chỉ tiêu"
    rows = []
    for item in cat.items:
        for ind in item.indicators:
            parts = ", ".join(f"{p.code} = {p.label}" for p in cat.parts_of(ind)
                              if ind.breakdown is not None)
            high = "" if ind.high is None else fmt.plain(ind.high)
            rows.append([ind.code, ind.label, ind.measure, ind.type,
                         f"{fmt.plain(ind.low)} – {high}", ", ".join(map(str, cat.years_of(ind))),
                         parts, cat.unit_by_code[item.unit].name,
                         f"Biểu số liệu, trang {item.code}", ""])
    for d in cat.derived:
        rows.append([d.code, d.label, d.measure, "tính toán", "", "", "", "Phòng Kế hoạch Tài "
                     "chính (tính tự động)", "", d.formula])
    table(ws, ["Mã", "Tên", "Đơn vị tính", "Kiểu", "Khoảng cho phép", "Năm", "Phân tổ",
               "Đơn vị cung cấp", "Biểu nguồn", "Công thức"], rows,
          [24, 50, 12, 10, 18, 30, 40, 30, 22, 40])
    ws2 = wb.create_sheet("Cột bảng số liệu")
    table(ws2, ["Cột", "Ý nghĩa"], ([c, MERGED_HEADERS[c]] for c in MERGED_HEADERS), [18, 40])
    ws3 = wb.create_sheet("Danh sách")
    rows = []
    for li in cat.lists:
        for c in li.columns:
            rows.append([li.code, li.title, c.code, c.label, c.type, c.measure,
                         "có" if c.required else "", ", ".join(cat.choices.get(c.choices or "",
                                                                              [])),
                         "Tất cả các phòng, đơn vị" if li.unit == "all"
                         else cat.unit_by_code[li.unit].name, f"Biểu số liệu, trang {li.sheet}"])
    table(ws3, ["Mã danh sách", "Danh sách", "Mã cột", "Cột", "Kiểu", "Đơn vị tính",
                "Bắt buộc", "Giá trị chọn", "Đơn vị cung cấp", "Biểu nguồn"], rows,
          [16, 40, 16, 30, 10, 10, 9, 50, 30, 26])
    wb.save(path)
    return path


def write_pack(folder: Path, files: list[Path], name: str) -> Path:
    """The consultants' pack: a folder with copies of `files` and the same as a .zip."""
    import shutil
    import zipfile

    folder.mkdir(parents=True, exist_ok=True)
    for f in files:
        if f.is_file():
            shutil.copy2(f, folder / f.name)
    archive = folder.parent / f"{name}.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zf:
        for f in sorted(folder.iterdir()):
            zf.write(f, f"{name}/{f.name}")
    return archive


def _num(value: float | None) -> float | None:
    return None if value is None or pd.isna(value) else float(value)


def _py_row(row: tuple[object, ...]) -> list[object]:
    return [v.item() if hasattr(v, "item") else v for v in row]


