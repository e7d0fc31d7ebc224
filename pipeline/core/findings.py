"""Findings: what the pipeline tells a unit about its file.

A finding has a stable code, a severity, the place (file, sheet, cell in A1 form, indicator,
year), the value, and a Vietnamese message filled from the template of its code. Each message
ends with what to do. Stages collect findings; they never raise on a unit's file.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import TypedDict


class Severity(str, Enum):
    ERROR = "error"  # the value or file is not used until fixed
    WARNING = "warning"  # used, but someone should look
    INFO = "info"  # for the record

    @property
    def label(self) -> str:
        return {"error": "Lỗi", "warning": "Cảnh báo", "info": "Thông tin"}[self.value]


COMPUTED = "(tính toán)"
"""The `file` of findings about computed values (derive's): no unit's file."""

# code: (severity, message template). Templates use the keyword arguments of `make`.
MESSAGES: dict[str, tuple[Severity, str]] = {
    "file_unreadable": (
        Severity.ERROR,
        "Không mở được tệp ({detail}). Hãy mở tệp bằng Excel (biểu số liệu) hoặc Word "
        "(thuyết minh), chọn Lưu thành (Save As) đúng dạng .xlsx hoặc .docx rồi gửi lại.",
    ),
    "internal_error": (
        Severity.ERROR,
        "Phần mềm gặp lỗi khi {step} tệp này ({detail}). Đây là lỗi của phần mềm, không phải "
        "của đơn vị: số liệu của tệp chưa được dùng. Hãy báo cho người phụ trách phần mềm và "
        "gửi kèm tệp.",
    ),
    "file_not_office": (
        Severity.ERROR,
        "Tệp không phải là sổ tính Excel (.xlsx, .xls, .ods) hay văn bản Word (.docx, .doc, "
        ".odt). Hãy gửi đúng biểu mẫu đã điền.",
    ),
    "file_encrypted": (
        Severity.ERROR,
        "Tệp được đặt mật khẩu nên không đọc được. Hãy mở tệp, bỏ mật khẩu (Excel: File > "
        "Info > Protect Workbook; Word: File > Info > Protect Document) rồi lưu và gửi lại.",
    ),
    "file_legacy_doc": (
        Severity.ERROR,
        "Tệp thuyết minh dạng {format} chưa đọc được vì máy tổng hợp chưa cài LibreOffice để "
        "chuyển đổi. Hãy mở tệp bằng Word (hoặc LibreOffice Writer), chọn Lưu thành (Save As), "
        "lưu lại dưới dạng .docx (Word Document) rồi gửi lại.",
    ),
    "file_convert_failed": (
        Severity.ERROR,
        "Không chuyển được tệp {format} sang .docx ({detail}). Hãy mở tệp bằng Word, lưu lại "
        "dưới dạng .docx (Word Document) rồi gửi lại.",
    ),
    "file_converted": (
        Severity.INFO,
        "Tệp dạng {format} đã được LibreOffice chuyển sang .docx để đọc; định dạng chữ có thể "
        "khác bản gốc. Lần sau hãy gửi tệp .docx.",
    ),
    "file_xlsb": (
        Severity.ERROR,
        "Tệp là sổ tính Excel nhị phân (.xlsb), không kiểm tra được từng ô. Hãy mở bằng Excel, "
        "chọn Lưu thành (Save As) > Excel Workbook (.xlsx) rồi gửi lại.",
    ),
    "file_archive": (
        Severity.ERROR,
        "Tệp là tệp nén ({detail}), không phải biểu mẫu. Hãy giải nén rồi gửi từng tệp biểu "
        "số liệu (.xlsx) và thuyết minh (.docx).",
    ),
    "file_pdf": (
        Severity.ERROR,
        "Tệp PDF không đọc được số liệu. Hãy gửi tệp gốc: biểu số liệu Excel (.xlsx) và "
        "thuyết minh Word (.docx).",
    ),
    "file_image": (
        Severity.ERROR,
        "Tệp là ảnh ({detail}), không đọc được số liệu. Hãy gửi tệp gốc: biểu số liệu Excel "
        "(.xlsx) và thuyết minh Word (.docx), không chụp hay quét giấy.",
    ),
    "file_csv": (
        Severity.ERROR,
        "Tệp văn bản thuần ({detail}) không giữ được biểu mẫu (mã đơn vị, mã chỉ tiêu). Hãy "
        "nhập số liệu vào biểu mẫu .xlsx do Phòng Kế hoạch Tài chính gửi.",
    ),
    "file_ole_unknown": (
        Severity.ERROR,
        "Tệp dạng Office 97-2003 nhưng không phải sổ tính Excel hay văn bản Word. Hãy gửi biểu "
        "số liệu .xlsx và thuyết minh .docx.",
    ),
    "file_in_subfolder": (
        Severity.WARNING,
        "Tệp nằm trong thư mục con của inputs nên không được đọc. Hãy chép tệp ra thẳng thư "
        "mục inputs (không để trong thư mục con) rồi chạy lại.",
    ),
    "entry_hidden": (
        Severity.WARNING,
        "Tệp ẩn (tên bắt đầu bằng dấu chấm) nên không được đọc. Nếu đây là tệp của đơn vị, "
        "hãy đổi tên bỏ dấu chấm ở đầu rồi chạy lại; nếu không, hãy xóa tệp khỏi thư mục inputs.",
    ),
    "entry_folder": (
        Severity.WARNING,
        "Mục này là thư mục, không phải tệp, và bên trong không có tệp nào. Nếu cần nộp biểu "
        "mẫu, hãy chép chính tệp vào thẳng thư mục inputs; nếu không, hãy xóa thư mục này.",
    ),
    "entry_folder_many": (
        Severity.WARNING,
        "Thư mục con có quá nhiều mục: chỉ {limit} tệp đầu được liệt kê, không tệp nào bên "
        "trong được đọc. Hãy chép các tệp cần nộp ra thẳng thư mục inputs rồi xóa thư mục con.",
    ),
    "entry_special": (
        Severity.ERROR,
        "Mục này là {detail}, không phải tệp, nên không được mở. Hãy xóa mục này khỏi thư mục "
        "inputs và chép vào đó chính tệp biểu số liệu (.xlsx) hoặc thuyết minh (.docx).",
    ),
    "entry_link_outside": (
        Severity.ERROR,
        "Mục này là liên kết (symlink) trỏ ra ngoài thư mục inputs nên không được đọc. Hãy "
        "chép chính tệp (không dùng liên kết) vào thư mục inputs rồi chạy lại.",
    ),
    "entry_link_broken": (
        Severity.ERROR,
        "Mục này là liên kết (symlink) hỏng: nơi nó trỏ tới không còn tệp nào. Hãy xóa liên "
        "kết, chép chính tệp vào thư mục inputs rồi chạy lại.",
    ),
    "entry_link_loop": (
        Severity.ERROR,
        "Mục này là vòng liên kết (symlink trỏ vòng về chính nó) nên không mở được. Hãy xóa "
        "liên kết, chép chính tệp vào thư mục inputs rồi chạy lại.",
    ),
    "entry_link_special": (
        Severity.ERROR,
        "Mục này là liên kết (symlink) tới {detail}, không phải tới một tệp, nên không được "
        "đọc. Hãy xóa liên kết, chép chính tệp vào thư mục inputs rồi chạy lại.",
    ),
    "file_still_copying": (
        Severity.WARNING,
        "Tệp đang được chép vào thư mục (kích thước còn thay đổi) nên lần này chưa đọc. Hãy "
        "đợi chép xong rồi chạy lại sau ít phút.",
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
    "duplicate_sent_earlier": (
        Severity.WARNING,
        "Đơn vị {unit} gửi nhiều {kind}: tệp này {this_sent}, tệp '{kept}' {kept_sent}. "
        "Tệp gửi sau '{kept}' được dùng, tệp này bị bỏ qua. Nếu tệp này mới là bản cần dùng, "
        "hãy xóa tệp '{kept}' khỏi thư mục inputs; nếu không, hãy xóa tệp này.",
    ),
    "duplicate_earlier_revision": (
        Severity.WARNING,
        "Đơn vị {unit} gửi nhiều {kind}: tệp này {this_sent}, tệp '{kept}' {kept_sent}, cùng "
        "một ngày; tệp này ghi lần gửi {this_revision}, tệp '{kept}' ghi lần gửi "
        "{kept_revision}. Tệp gửi lần sau '{kept}' được dùng, tệp này bị bỏ qua. Nếu tệp này mới "
        "là bản cần dùng, hãy sửa ô 'Lần gửi' của nó (hoặc xóa tệp '{kept}' khỏi thư mục "
        "inputs); nếu không, hãy xóa tệp này.",
    ),
    "duplicate_saved_earlier": (
        Severity.WARNING,
        "Đơn vị {unit} gửi nhiều {kind}: tệp này {this_sent}, tệp '{kept}' {kept_sent}, cùng "
        "một ngày, và không ghi lần gửi khác nhau, nên dùng tệp được lưu sau là '{kept}' (lưu "
        "lúc {kept_time}; tệp này lưu lúc {this_time}) và bỏ qua tệp này. Nếu tệp này mới là "
        "bản cần dùng, hãy xóa tệp '{kept}' khỏi thư mục inputs (hoặc ghi 'Lần gửi' lớn hơn); "
        "nếu không, hãy xóa tệp này.",
    ),
    "duplicate_undecided": (
        Severity.ERROR,
        "Đơn vị {unit} gửi nhiều {kind}: tệp này {this_sent}, tệp '{kept}' {kept_sent}, cùng "
        "một ngày và cùng lưu lúc {this_time}, nên không biết tệp nào là bản sau; tạm dùng tệp "
        "'{kept}' và bỏ qua tệp này. Hãy xóa khỏi thư mục inputs tệp không dùng rồi chạy lại.",
    ),
    "duplicate_same_file": (
        Severity.INFO,
        "Tệp này giống hệt tệp '{kept}' của đơn vị {unit} (cùng nội dung) nên chỉ dùng tệp "
        "'{kept}'. Hãy xóa bớt một tệp khỏi thư mục inputs.",
    ),
    "unit_mismatch": (
        Severity.ERROR,
        "Tệp ghi mã đơn vị {value} ({name}) nhưng {detail}, nên tệp bị giữ lại: số liệu trong "
        "tệp chưa được dùng và không thay cho tệp của đơn vị nào. Hãy xác định đây là tệp của "
        "đơn vị nào, dùng đúng mẫu của đơn vị đó (không sửa ô mã đơn vị), đặt tên tệp có mã "
        "đơn vị đó rồi gửi lại.",
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
    "file_macro_sheet": (
        Severity.ERROR,
        "Tệp có trang macro Excel 4.0 nên không đọc được (macro không bao giờ được chạy). "
        "Hãy chép số liệu sang biểu mẫu gốc .xlsx và gửi lại.",
    ),
    "file_timeout": (
        Severity.ERROR,
        "Đọc tệp quá {seconds} giây nên đã dừng (tệp quá lớn hoặc bị hỏng). Hãy chép số "
        "liệu sang biểu mẫu gốc .xlsx và gửi lại.",
    ),
    "macro_ignored": (
        Severity.INFO,
        "Tệp có macro (VBA); macro không bao giờ được chạy, chỉ đọc số liệu. Lần sau hãy "
        "lưu dạng Excel Workbook (.xlsx).",
    ),
    "sheet_too_large": (
        Severity.ERROR,
        "Trang có vùng dữ liệu quá lớn ({detail}) nên bị bỏ qua. Hãy xóa dữ liệu ngoài "
        "biểu mẫu (các dòng, cột ở xa) rồi gửi lại.",
    ),
    "cell_unreadable": (
        Severity.ERROR,
        "Ô này lưu giá trị '{value}' sai cách ({detail}) nên không đọc được và bị bỏ qua; các "
        "ô khác của tệp vẫn được đọc. Hãy gõ lại giá trị vào ô bằng Excel hoặc LibreOffice, "
        "lưu rồi gửi lại.",
    ),
    "number_not_finite": (
        Severity.ERROR,
        "Ô chứa '{value}', không phải một số thật (NaN hay vô cực, do một phần mềm khác ghi "
        "vào tệp), nên giá trị chưa được dùng. Hãy gõ lại số vào ô này bằng Excel hoặc "
        "LibreOffice, lưu rồi gửi lại.",
    ),
    "number_too_large": (
        Severity.ERROR,
        "Giá trị {value} lớn hơn mọi chỉ tiêu của báo cáo (độ lớn quá {limit}) nên chưa được "
        "dùng. Hãy kiểm tra lại số và đơn vị tính rồi nhập lại.",
    ),
    "number_too_long": (
        Severity.ERROR,
        "Giá trị '{value}' có {digits} chữ số có nghĩa, nhiều hơn 15 chữ số mà Excel và phần "
        "mềm giữ được chính xác, nên chưa được dùng. Hãy làm tròn còn tối đa 15 chữ số có "
        "nghĩa rồi nhập lại.",
    ),
    "negative_zero": (
        Severity.INFO,
        "Giá trị '{value}' là số 0 mang dấu âm, được đọc là 0. Hãy nhập 0 (không có dấu trừ) "
        "khi sửa ô này lần sau.",
    ),
    "row_label_mismatch": (
        Severity.ERROR,
        "Dòng {row} là dòng của chỉ tiêu '{label}' (mã '{indicator}' ở cột A ẩn) nhưng tên "
        "dòng lại ghi '{value}', có lẽ do dán đè từ dòng khác; cả dòng chưa được dùng để không "
        "ghi số liệu nhầm chỉ tiêu. Hãy nhập số liệu vào đúng dòng của từng chỉ tiêu (chỉ dán "
        "giá trị, không dán cả dòng) và trả lại tên dòng '{label}'.",
    ),
    "sheet_part_missing": (
        Severity.ERROR,
        "Trang '{sheet}' có tên trong tệp nhưng mất phần nội dung (tệp hỏng, hoặc do một phần "
        "mềm khác ghi sai) nên bị bỏ qua; các trang khác vẫn được đọc. Hãy mở tệp bằng Excel "
        "hoặc LibreOffice, kiểm tra trang này, lưu rồi gửi lại.",
    ),
    "no_values": (
        Severity.ERROR,
        "Tệp không có dòng số liệu nào của biểu mẫu (có thể đã lưu sai định dạng hoặc xóa "
        "các trang mục). Hãy nhập số liệu vào biểu mẫu gốc và gửi lại.",
    ),
    "formula_no_value": (
        Severity.ERROR,
        "Ô có công thức '{value}' nhưng chưa có giá trị tính sẵn (tệp do phần mềm khác tạo, "
        "chưa mở bằng Excel). Hãy mở tệp bằng Excel hoặc LibreOffice, lưu lại rồi gửi.",
    ),
    "error_cell": (
        Severity.ERROR,
        "Ô báo lỗi {value} (công thức tính sai). Hãy sửa công thức hoặc nhập số trực tiếp.",
    ),
    "text_converted": (
        Severity.WARNING,
        "Văn bản được gõ bằng bảng mã {encoding}; đã chuyển sang Unicode thành '{converted}'. "
        "Hãy kiểm tra lại và lần sau gõ bằng bảng mã Unicode (ví dụ Unikey: Unicode dựng sẵn).",
    ),
    "control_chars": (
        Severity.INFO,
        "Đã thay ký tự điều khiển không in được bằng dấu cách. Hãy kiểm tra lại nội dung ô.",
    ),
    "text_truncated": (
        Severity.WARNING,
        "Nội dung dài quá {limit} ký tự nên chỉ giữ phần đầu. Hãy ghi ngắn gọn; phần chi "
        "tiết đưa vào thuyết minh.",
    ),
    "ambiguous_number": (
        Severity.ERROR,
        "'{value}' có thể hiểu theo hai cách (dấu chấm, dấu phẩy kiểu Anh hay kiểu Việt). Hãy "
        "nhập số không có dấu phân cách nghìn, dấu phẩy cho phần thập phân, ví dụ 1234,5.",
    ),
    "parts_exceed_total": (
        Severity.ERROR,
        "Tổng các phân tổ của '{label}' năm {year} là {parts}, lớn hơn dòng Tổng số ({total}). "
        "Hãy kiểm tra lại các dòng phân tổ và dòng tổng số.",
    ),
    "parts_over_100": (
        Severity.ERROR,
        "Tổng các phân tổ của '{label}' năm {year} là {parts}%, vượt 100%. Hãy kiểm tra lại; "
        "các tỷ lệ tính trên cùng một tổng số.",
    ),
    "cumulative_decrease": (
        Severity.ERROR,
        "'{label}' là số lũy kế nhưng năm {year} ({value}) thấp hơn năm {prev_year} ({prev}). "
        "Hãy kiểm tra lại; số lũy kế không thể giảm.",
    ),
    "outlier": (
        Severity.WARNING,
        "'{label}' năm {year} là {value}, chênh lệch bất thường so với năm {prev_year} "
        "({prev}). Hãy kiểm tra lại (nhầm đơn vị tính, thừa hay thiếu chữ số?); nếu đúng, "
        "ghi lý do vào cột ghi chú.",
    ),
    # consistency.py: what two parts of the chapter say about the same thing
    "narrative_figure_mismatch": (
        Severity.WARNING,
        "Thuyết minh viết «{sentence}»: số {value} không khớp với số liệu nào của mục "
        "{item}{scope} trong biểu số liệu (kể cả tổng các phân tổ và tốc độ tăng). Theo "
        "{source}, {label} {when} là {figure}. Hãy sửa số trong thuyết minh cho khớp với biểu "
        "số liệu (hoặc sửa biểu số liệu nếu biểu sai), hoặc ghi rõ số này được tính thế nào.",
    ),
    "narrative_period_outside": (
        Severity.WARNING,
        "Thuyết minh viết «{sentence}»: {value} vượt ra ngoài giai đoạn đánh giá {first}-{last} "
        "(biểu số liệu chỉ có số liệu đến năm {last}, không có năm {outside}). Hãy viết lại "
        "theo giai đoạn có số liệu (đến năm {last}), hoặc ghi rõ số liệu năm {outside} là "
        "ước tính.",
    ),
    "percent_disagrees_counts": (
        Severity.WARNING,
        "'{label}' do đơn vị nhập khác tỷ lệ tính từ các số đếm của cùng biểu ('{derived}'): "
        "{detail}. Chương sẽ nêu hai tỷ lệ khác nhau cho cùng một chỉ tiêu. Hãy sửa dòng tỷ lệ "
        "cho khớp với các số đếm (hoặc sửa số đếm nếu số đếm sai).",
    ),
    "target_below_baseline": (
        Severity.WARNING,
        "Mục tiêu '{label}' chưa hợp lý: {detail}. Hãy đề xuất lại mục tiêu cao hơn hiện "
        "trạng (mục tiêu năm sau không thấp hơn năm trước), hoặc giải thích trong thuyết minh "
        "vì sao giữ mức này.",
    ),
    "projection_outside_range": (
        Severity.INFO,
        "Kéo dài xu hướng tuyến tính của '{label}' cho {detail}, ngoài giới hạn {bound} của "
        "chỉ tiêu, nên chương ghi rõ xu hướng này không dùng được làm dự báo. Không cần sửa "
        "biểu số liệu; nếu cần một dự báo, hãy nêu căn cứ trong thuyết minh mục {item}.",
    ),
    "fact_disagrees": (
        Severity.WARNING,
        "'{label}' năm {year} là {value}, nhưng danh mục đơn vị của Sở có {expected} phòng, "
        "đơn vị (chương ghi đã nhận số liệu của …/{expected} phòng, đơn vị): chương sẽ nêu hai "
        "con số khác nhau. Hãy kiểm tra lại số liệu; nếu danh mục đơn vị mới là chỗ chưa đúng, "
        "hãy báo Phòng Kế hoạch Tài chính sửa danh mục.",
    ),
    "as_of_after_document": (
        Severity.WARNING,
        "Số liệu được tính đến ngày {value}, sau ngày ghi trên văn bản ({date}): chương ghi "
        "ngày văn bản {date} nhưng có thể dùng số liệu gửi sau ngày đó. Với bản chính thức, "
        "hãy chạy lại với ASOF={date} (hoặc sửa ngày văn bản trong danh mục).",
    ),
    "derive_missing": (
        Severity.INFO,
        "Không tính được '{label}' ({value} chỗ): {reason}. Chỉ tiêu này để trống trong "
        "chương cho đến khi có đủ số liệu đầu vào.",
    ),
    "rule_failed": (
        Severity.ERROR,
        "Năm {year}: {left_label} = {left} nhưng {right_label} = {right}; cần {left_label} "
        "{op_text} {right_label}. {instruction}",
    ),
    "narrative_not_form": (
        Severity.WARNING,
        "Văn bản không phải mẫu thuyết minh của Sở (không có bảng mã đơn vị ở đầu). "
        "Hãy viết vào mẫu thuyết minh do Phòng Kế hoạch Tài chính gửi.",
    ),
    "list_required": (
        Severity.ERROR,
        "Dòng {number} của '{title}' chưa có '{label}'; dòng này chưa được dùng. Hãy nhập, "
        "hoặc xóa cả dòng nếu không dùng.",
    ),
    "list_bad_value": (
        Severity.ERROR,
        "Dòng {number} của '{title}': '{label}' = '{value}' {problem}; dòng này chưa được "
        "dùng. Hãy sửa lại.",
    ),
    "narrative_table": (
        Severity.WARNING,
        "Thuyết minh có {value} ở {detail}; chương giữ phần chữ của bảng đó thành các đoạn văn "
        "nhưng không giữ dạng bảng. Hãy đặt bảng trực tiếp trong văn bản, không lồng trong "
        "bảng khác, khung văn bản hay chú thích.",
    ),
    "value_outside_form": (
        Severity.WARNING,
        "Ô có giá trị '{value}' nằm ngoài các ô nhập của biểu mẫu ({where}) nên không được "
        "dùng. Hãy chuyển số liệu vào đúng ô màu vàng của chỉ tiêu, hoặc xóa nếu không cần.",
    ),
    "row_outside_form": (
        Severity.WARNING,
        "Dòng {row} ({label}) không thuộc biểu mẫu (dòng chèn hoặc thêm vào) nên {count} giá "
        "trị trong dòng không được dùng. Nếu là một phần của chỉ tiêu có sẵn, hãy cộng vào dòng "
        "đó; nội dung khác ghi vào cột ghi chú hoặc thuyết minh; rồi xóa dòng thêm.",
    ),
    "unknown_row_key": (
        Severity.WARNING,
        "Dòng {row} mang mã '{value}' không có trong danh mục chỉ tiêu nên không được dùng. "
        "Hãy dùng biểu mẫu mới nhất, không sửa cột Mã (cột A ẩn).",
    ),
    "duplicate_row_key": (
        Severity.ERROR,
        "Dòng {row} lặp lại mã chỉ tiêu của dòng {first} (dòng được chép rồi chèn thêm?) nên "
        "không được dùng; số liệu của chỉ tiêu lấy ở dòng {first}. Hãy xóa dòng chép thêm, "
        "nhập số liệu vào dòng gốc.",
    ),
    "row_shifted": (
        Severity.ERROR,
        "Số liệu dòng '{label}' bị dán lệch một cột sang {side} (ô năm {year} trống, có số ở "
        "{cell_out}); cả dòng chưa được dùng để không đọc nhầm năm. Hãy dán lại cho đúng cột "
        "năm.",
    ),
    "header_changed": (
        Severity.WARNING,
        "Tiêu đề cột năm {year} đã bị sửa thành '{value}'; số liệu cột này vẫn được đọc là năm "
        "{year} theo vị trí của biểu mẫu. Hãy trả lại tiêu đề '{year}'.",
    ),
    "year_columns_moved": (
        Severity.ERROR,
        "Các cột năm đã bị xóa, chèn hoặc dời: {detail}. Số liệu các năm {years} trên trang "
        "này chưa được dùng để không đọc nhầm năm. Hãy dùng biểu mẫu gốc, không xóa hay chèn "
        "cột.",
    ),
    "sheet_renamed": (
        Severity.WARNING,
        "Trang mục {item} đã bị đổi tên thành '{sheet}'; số liệu vẫn được đọc theo mã chỉ tiêu. "
        "Hãy trả lại tên trang '{expected}'.",
    ),
    "sheet_without_keys": (
        Severity.ERROR,
        "Trang '{sheet}' không còn cột Mã (cột A, ẩn) hoặc dòng tiêu đề có chữ 'Mã' nên không "
        "tìm được dòng chỉ tiêu nào; {count} ô có nội dung chưa được đọc. Hãy nhập lại vào "
        "biểu mẫu gốc, không xóa cột hay dòng của biểu.",
    ),
    "extra_sheet": (
        Severity.WARNING,
        "Trang '{sheet}' không thuộc biểu mẫu của đơn vị nên {count} ô có nội dung trong trang "
        "không được đọc. Hãy chuyển số liệu vào các trang của biểu mẫu.",
    ),
    "merged_cells": (
        Severity.WARNING,
        "Các ô {cell} bị gộp; chỉ đọc được giá trị ô đầu, các ô còn lại coi như trống. Hãy bỏ "
        "gộp ô (Unmerge) và nhập số liệu riêng cho từng năm.",
    ),
    "percent_in_number": (
        Severity.ERROR,
        "Ô được nhập dạng phần trăm ({value}) nhưng '{label}' tính bằng {measure}. Hãy nhập "
        "số theo đơn vị tính, không kèm dấu %.",
    ),
    "percent_ambiguous": (
        Severity.WARNING,
        "'{label}' năm {year} là {value}, trong khi các năm khác khoảng {typical}: có phải là "
        "{as_percent}% không? Số liệu được dùng đúng như đã nhập ({value}); nếu là {as_percent}%"
        ", hãy nhập {as_percent}.",
    ),
    "narrative_image": (
        Severity.WARNING,
        "Thuyết minh có {value} ở {detail}; hình này không đưa được vào chương. Hãy chèn lại "
        "hình dạng ảnh PNG hoặc JPEG (Insert > Pictures) ngay trong đoạn văn, không đặt trong "
        "khung, nhóm hình hay bảng; nếu không được, gửi riêng hình cho Phòng Kế hoạch Tài chính.",
    ),
    "narrative_object": (
        Severity.WARNING,
        "Thuyết minh có {value} ở {detail}; nội dung này không đưa được vào chương. Hãy viết "
        "thành đoạn văn, bảng hoặc hình ảnh những gì cần đưa vào chương (số liệu nhập vào "
        "biểu Excel); nếu cần giữ nguyên, gửi riêng tệp gốc cho Phòng Kế hoạch Tài chính.",
    ),
    "narrative_textbox": (
        Severity.WARNING,
        "Thuyết minh có {value} ở {detail}; chương giữ chữ trong khung thành đoạn văn ngay sau "
        "đoạn đó nhưng không giữ khung. Hãy viết nội dung đó thành đoạn văn thường (không "
        "dùng khung) ở đúng chỗ cần đặt.",
    ),
    "narrative_table_cut": (
        Severity.WARNING,
        "Thuyết minh có {detail} với {value}; phần còn lại của bảng không được đưa vào "
        "chương. Hãy rút gọn bảng (số liệu chi tiết nhập vào biểu Excel hoặc gửi riêng cho "
        "Phòng Kế hoạch Tài chính).",
    ),
    "narrative_tracked": (
        Severity.WARNING,
        "Thuyết minh còn thay đổi được theo dõi (Track Changes) ở {cell}; chương lấy nội dung "
        "như khi chấp nhận mọi thay đổi (giữ phần thêm, bỏ phần xóa). Hãy xem lại các chỗ đó, "
        "chấp nhận hoặc từ chối từng thay đổi (Review > Accept/Reject), tắt theo dõi thay đổi "
        "rồi gửi lại.",
    ),
    "narrative_comment": (
        Severity.WARNING,
        "Thuyết minh có {value} nhận xét (Comment) ở {cell}; nhận xét không được đưa vào "
        "chương. Nếu nội dung nhận xét cần có trong chương, hãy viết thành đoạn văn; xóa các "
        "nhận xét (Review > Delete) trước khi gửi.",
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


class Place(TypedDict, total=False):
    """Where a finding is, as keyword arguments of `make` (a dict built once, given to many)."""

    sheet: str
    cell: str
    unit: str
    indicator: str
    year: int | None


def make(code: str, file: str, *, sheet: str = "", cell: str = "", unit: str = "",
         indicator: str = "", year: int | None = None, value: object = "",
         severity: Severity | None = None, **params: object) -> Finding:
    """Build a finding from its code's template; `params` fill the template. `severity`
    overrides the code's own (declared rules carry their importance)."""
    default, template = MESSAGES[code]
    severity = severity or default
    text = "" if value is None else str(value)
    message = template.format(value=text, unit=unit, year=year, indicator=indicator,
                              sheet=sheet, cell=cell, **params)
    return Finding(code=code, severity=severity, file=file, message=message, sheet=sheet,
                   cell=cell, unit=unit, indicator=indicator, year=year, value=text)
