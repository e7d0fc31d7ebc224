"""Findings: what the pipeline tells a unit about its file.

A finding has a stable code, a severity, the place (file, sheet, cell in A1 form, indicator,
year), the value, and a Vietnamese message filled from the template of its code. Each message
ends with what to do. Stages collect findings; they never raise on a unit's file.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum


class Severity(str, Enum):
    ERROR = "error"  # the value or file is not used until fixed
    WARNING = "warning"  # used, but someone should look
    INFO = "info"  # for the record

    @property
    def label(self) -> str:
        return {"error": "Lỗi", "warning": "Cảnh báo", "info": "Thông tin"}[self.value]


# code: (severity, message template). Templates use the keyword arguments of `make`.
MESSAGES: dict[str, tuple[Severity, str]] = {
    "file_unreadable": (
        Severity.ERROR,
        "Không mở được tệp ({detail}). Hãy mở tệp bằng Excel, chọn Lưu thành (Save As) "
        "dạng Excel Workbook (.xlsx) rồi gửi lại.",
    ),
    "file_not_office": (
        Severity.ERROR,
        "Tệp không phải là sổ tính Excel (.xlsx) hay văn bản Word (.docx). "
        "Hãy gửi đúng biểu mẫu đã điền.",
    ),
    "file_encrypted": (
        Severity.ERROR,
        "Tệp được đặt mật khẩu nên không đọc được. Hãy mở tệp, bỏ mật khẩu "
        "(File > Info > Protect Workbook) rồi lưu và gửi lại.",
    ),
    "file_legacy_xls": (
        Severity.ERROR,
        "Tệp dạng Excel 97-2003 (.xls) không phải biểu mẫu của Sở. Hãy nhập số liệu vào "
        "biểu mẫu .xlsx do Phòng Kế hoạch Tài chính gửi.",
    ),
    "file_too_large": (
        Severity.ERROR,
        "Tệp vượt giới hạn an toàn ({detail}). Hãy gửi lại biểu mẫu gốc, không chèn ảnh "
        "hay dữ liệu ngoài biểu mẫu.",
    ),
    "not_a_form": (
        Severity.ERROR,
        "Tệp không phải biểu mẫu của Sở (không có trang 'Thông tin' ghi mã đơn vị). "
        "Hãy nhập số liệu vào biểu mẫu do Phòng Kế hoạch Tài chính gửi.",
    ),
    "unknown_unit": (
        Severity.ERROR,
        "Mã đơn vị '{value}' không có trong danh mục. Hãy dùng biểu mẫu mang đúng mã của "
        "đơn vị mình, không sửa ô mã đơn vị.",
    ),
    "catalogue_mismatch": (
        Severity.WARNING,
        "Biểu mẫu được tạo từ danh mục chỉ tiêu khác (mã {value}, hiện hành {expected}). "
        "Số liệu vẫn được đọc theo mã chỉ tiêu; lần sau hãy dùng biểu mẫu mới nhất.",
    ),
    "duplicate_unit": (
        Severity.WARNING,
        "Đơn vị {unit} gửi nhiều tệp; dùng tệp mới nhất '{kept}' và bỏ qua tệp này. "
        "Hãy xóa tệp cũ khỏi thư mục inputs nếu không còn dùng.",
    ),
    "missing_sheet": (
        Severity.ERROR,
        "Thiếu trang '{sheet}' (mục {item}). Hãy dùng biểu mẫu đầy đủ, không xóa hay đổi "
        "tên trang.",
    ),
    "missing_row": (
        Severity.ERROR,
        "Không tìm thấy dòng chỉ tiêu '{label}' (mã {key}). Hãy dùng biểu mẫu gốc, không "
        "xóa dòng hay sửa cột Mã.",
    ),
    "not_a_number": (
        Severity.ERROR,
        "Giá trị '{value}' không phải là số. Hãy nhập số (ví dụ 1234,5), không kèm chữ "
        "hay đơn vị tính.",
    ),
    "not_an_integer": (
        Severity.ERROR,
        "'{label}' là số đếm, giá trị {value} phải là số nguyên. Hãy nhập số nguyên.",
    ),
    "out_of_range": (
        Severity.ERROR,
        "Giá trị {value} nằm ngoài khoảng cho phép {low} – {high} ({measure}). Hãy kiểm "
        "tra lại số liệu và đơn vị tính.",
    ),
    "required_missing": (
        Severity.ERROR,
        "Chưa nhập '{label}' năm {year}. Hãy nhập số liệu; nếu không phát sinh, nhập 0.",
    ),
    "unknown_status": (
        Severity.WARNING,
        "Tính chất số liệu '{value}' không có trong danh sách ({allowed}). Hãy chọn từ "
        "danh sách thả xuống.",
    ),
    "narrative_not_form": (
        Severity.WARNING,
        "Văn bản không phải mẫu thuyết minh của Sở (không có bảng mã đơn vị ở đầu). "
        "Hãy viết vào mẫu thuyết minh do Phòng Kế hoạch Tài chính gửi.",
    ),
    "narrative_unknown_heading": (
        Severity.WARNING,
        "Đề mục '{value}' không khớp mục nào của mẫu; đoạn văn dưới đề mục này không được "
        "đưa vào chương. Hãy giữ nguyên các đề mục của mẫu.",
    ),
}


@dataclass(frozen=True)
class Finding:
    code: str  # stable code, a key of MESSAGES
    severity: Severity  # error, warning or info
    file: str  # file name as dropped in inputs/
    message: str  # Vietnamese, ends with what to do
    sheet: str = ""  # sheet name, when the finding is inside a workbook
    cell: str = ""  # A1 address, when it is about one cell
    unit: str = ""  # unit code, when known
    indicator: str = ""  # indicator code (with .part when it has a breakdown)
    year: int | None = None  # year column, when it is about one year
    value: str = ""  # the offending value as text

    @property
    def place(self) -> str:
        """'file › sheet!A1' as a unit would look for it."""
        where = self.file
        if self.sheet:
            where += f" › {self.sheet}"
            if self.cell:
                where += f"!{self.cell}"
        return where

    def line(self) -> str:
        return f"[{self.severity.label}] {self.place}: {self.message}"


def make(code: str, file: str, *, sheet: str = "", cell: str = "", unit: str = "",
         indicator: str = "", year: int | None = None, value: object = "",
         **params: object) -> Finding:
    """Build a finding from its code's template; `params` fill the template."""
    severity, template = MESSAGES[code]
    text = "" if value is None else str(value)
    message = template.format(value=text, unit=unit, year=year, indicator=indicator,
                              sheet=sheet, cell=cell, **params)
    return Finding(code=code, severity=severity, file=file, message=message, sheet=sheet,
                   cell=cell, unit=unit, indicator=indicator, year=year, value=text)
