"""Sample submissions for all nine units (`make samples`), so a fresh clone builds a chapter.

The workbooks are the real forms of forms.py, filled in through openpyxl exactly where a unit
would type, and marked "Dữ liệu mẫu: Có" in their metadata so the chapter says it is built
from sample data. Where a public figure exists (../shared/data/public-figures.tsv) it is used:
Bắc Giang's GRDP growth 2016-2019 (10,73; 13,33; 15,96; 16,10%), the trained-labour ratio
66,6% in 2019 and 39,1% in 2013 (100 - 60,9% untrained), and the 2015 task counts (9 national,
12 provincial, 37 grassroots). Every other figure is invented, smooth and plausible.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Mapping, Sequence
from pathlib import Path

from openpyxl import Workbook

from pipeline.catalogue.layout import (
    FIRST_DATA_ROW,
    FIRST_YEAR_COL,
    LIST_FIRST_ROW,
    META_FIELDS,
    META_FIRST_ROW,
    META_SHEET,
    form_rows,
    form_years,
    row_key,
    sheet_name,
)
from pipeline.catalogue.model import TOTAL, Catalogue, Indicator, Unit
from pipeline.core.word import stamp
from pipeline.forms import build_narrative_form, build_workbook

# Series by row key: (value in the first actual year, value in the last), or explicit values.
# Targets by row key: (2025, 2030).
SERIES: dict[str, tuple[float, float] | dict[int, float]] = {
    "chi_nsdp": (7_850_000, 17_420_000),
    "chi_khcn.dtpt": (14_500, 38_000),
    "chi_khcn.su_nghiep": (24_300, 52_600),
    "csvc_dien_tich": (2_400, 5_800),
    "csvc_phong_thi_nghiem": (3, 7),
    "csvc_thiet_bi": (2_100, 6_900),
    "nv_so_luong.quoc_gia": {2011: 5, 2012: 6, 2013: 7, 2014: 8, 2015: 9, 2016: 9, 2017: 10,
                             2018: 11, 2019: 11},
    "nv_so_luong.tinh": {2011: 10, 2012: 11, 2013: 11, 2014: 12, 2015: 12, 2016: 14, 2017: 15,
                         2018: 15, 2019: 16},
    "nv_so_luong.co_so": {2011: 28, 2012: 30, 2013: 33, 2014: 35, 2015: 37, 2016: 38, 2017: 40,
                          2018: 41, 2019: 43},
    "nv_linh_vuc.nong_nghiep": (18, 27),
    "nv_linh_vuc.y_te_moi_truong": (8, 12),
    "nv_linh_vuc.thong_tin": (2, 4),
    "nv_linh_vuc.nang_luong": (1, 3),
    "nv_linh_vuc.xa_hoi_nhan_van": (4, 6),
    "nv_linh_vuc.cmcn4": (0, 5),
    "nv_kinh_phi.quoc_gia": (9_500, 21_000),
    "nv_kinh_phi.tinh": (12_800, 26_400),
    "nv_kinh_phi.co_so": (3_100, 5_600),
    "nv_ung_dung": (25, 48),
    "da_trinh_do_cn.cao": (1, 9),
    "da_trinh_do_cn.tien_tien": (12, 41),
    "da_trinh_do_cn.trung_binh": (30, 46),
    "da_trinh_do_cn.lac_hau": (4, 1),
    "grdp_tang": {2011: 10.2, 2012: 9.1, 2013: 8.6, 2014: 9.5, 2015: 10.4, 2016: 10.73,
                  2017: 13.33, 2018: 15.96, 2019: 16.10},
    "von_tang": {2011: 12.1, 2012: 10.4, 2013: 9.8, 2014: 11.2, 2015: 12.6, 2016: 13.9,
                 2017: 17.5, 2018: 19.8, 2019: 18.6},
    "lao_dong_tang": {2011: 1.6, 2012: 1.4, 2013: 1.3, 2014: 1.2, 2015: 1.1, 2016: 1.0,
                      2017: 1.2, 2018: 1.3, 2019: 1.1},
    "dn_ho_tro_doi_moi": (6, 21),
    "dn_khcn": {2011: 0, 2012: 0, 2013: 1, 2014: 1, 2015: 2, 2016: 3, 2017: 4, 2018: 6, 2019: 8},
    "bm_don_vi": {y: 8 if y < 2016 else 9 for y in range(2011, 2020)},  # the 9 units
    "bm_nhan_luc.tren_dai_hoc": (6, 14),
    "bm_nhan_luc.dai_hoc": (42, 51),
    "bm_nhan_luc.khac": (19, 12),
    "bm_can_bo_huyen": (10, 10),
    "tc_khcn.cong_lap": (6, 7),
    "tc_khcn.ngoai_cong_lap": (5, 14),
    "tc_nhan_luc": (96, 118),
    "tc_chuyen_dn": {2011: 0, 2012: 0, 2013: 0, 2014: 0, 2015: 1, 2016: 1, 2017: 1, 2018: 2,
                     2019: 2},
    "shtt_don.nhan_hieu": (62, 186),
    "shtt_don.sang_che": (2, 9),
    "shtt_don.kieu_dang": (3, 11),
    "shtt_don.chi_dan_dia_ly": (1, 4),
    "shtt_van_bang.nhan_hieu": (41, 128),
    "shtt_van_bang.sang_che": (1, 4),
    "shtt_van_bang.kieu_dang": (2, 8),
    "shtt_van_bang.chi_dan_dia_ly": (1, 3),
    "bx_co_so": (58, 121),
    "bx_thiet_bi": (74, 168),
    "sang_kien": (320, 910),
    "tt_cuoc.thanh_tra": (6, 9),
    "tt_cuoc.kiem_tra": (10, 15),
    "tt_co_so": (118, 196),
    "tt_vi_pham": (21, 17),
    "tt_tien_phat": (96.5, 248.0),
    "tdc_kiem_dinh": (21_500, 43_800),
    "tdc_iso": (48, 126),
    "tdc_hop_chuan": (35, 142),
    "tdc_mau_kiem_tra": (160, 420),
    "ld_qua_dao_tao": {2011: 35.0, 2012: 37.1, 2013: 39.1, 2014: 43.5, 2015: 48.2, 2016: 53.0,
                       2017: 57.6, 2018: 62.1, 2019: 66.6},
    "ld_bang_cap": (14.2, 23.1),
    "ld_trinh_do.so_cap": (3.1, 5.0),
    "ld_trinh_do.trung_cap": (4.0, 6.1),
    "ld_trinh_do.cao_dang": (2.4, 3.6),
    "ld_trinh_do.dai_hoc": (4.1, 7.2),
    "ld_trinh_do.tren_dai_hoc": (0.2, 0.5),
    "ld_co_cau_nganh.nong_lam_thuy_san": (62.4, 38.2),
    "ld_co_cau_nganh.cong_nghiep_xay_dung": (18.1, 35.6),
    "tk_csdl": (420, 1_650),
    "sgd_giao_dich": (0, 14),
    "sgd_ket_noi": (12, 86),
}
DERIVED_ROWS = {  # row key -> rows it is 100 minus the sum of
    "ld_co_cau_nganh.dich_vu": ("ld_co_cau_nganh.nong_lam_thuy_san",
                                "ld_co_cau_nganh.cong_nghiep_xay_dung"),
}
TARGETS: dict[str, tuple[float, float]] = {
    "ty_le_chi_khcn_muc_tieu": (1.0, 2.0),
    "da_cn_tien_tien": (65.0, 80.0),
    "tfp_dong_gop_muc_tieu": (55.0, 60.0),  # above 51,1 in 2016-2019
    "ld_qua_dao_tao": (75.0, 80.0),
    "ld_bang_cap": (30.0, 35.0),
    "ld_trinh_do.so_cap": (6.5, 7.5),
    "ld_trinh_do.trung_cap": (7.5, 8.5),
    "ld_trinh_do.cao_dang": (4.5, 5.5),
    "ld_trinh_do.dai_hoc": (10.0, 11.5),
    "ld_trinh_do.tren_dai_hoc": (0.8, 1.0),
}
# Rows whose first years the unit has no figures for (left blank, as a real unit would).
BLANK_YEARS = {"csvc_dien_tich": (2011, 2012), "csvc_phong_thi_nghiem": (2011,),
               "tk_csdl": (2011, 2012)}
# Sent on; KHTC is late on purpose (due 10/03), so the progress table shows a late unit.
# No unit sends after the chapter's date (25/03/2020): the data it quotes existed that day.
SENT = {"KHTC": dt.date(2020, 3, 12), "TTRA": dt.date(2020, 3, 25)}
DEFAULT_SENT = dt.date(2020, 3, 24)
# Rows a unit marks as estimated or preliminary (the form's status column): the chapter
# footnotes them.
ROW_STATUS = {"csvc_thiet_bi": "Ước tính", "tk_csdl": "Sơ bộ"}
CONTACTS = {
    "KHTC": "Nguyễn Thị Hoa", "QLKH": "Trần Văn Minh", "QLCN": "Lê Thị Thu",
    "VP": "Phạm Văn Hùng", "QLCS": "Hoàng Thị Lan", "QLCNG": "Đỗ Văn Nam",
    "TTRA": "Vũ Thị Hạnh", "TDC": "Ngô Văn Tuấn", "TTUD": "Bùi Thị Mai",
}

NARRATIVES: dict[str, dict[tuple[str, int], list[str]]] = {
    "KHTC": {
        ("I.1", 0): [
            "Năm 2019, chi ngân sách địa phương cho KH&CN đạt 90.600 triệu đồng, gồm 38.000 "
            "triệu đồng chi đầu tư phát triển và 52.600 triệu đồng chi sự nghiệp KH&CN; mức "
            "chi còn thấp so với yêu cầu đổi mới công nghệ của doanh nghiệp và chưa đạt mức "
            "tối thiểu theo Điều 49 Luật KH&CN năm 2013.",
            "Cơ sở vật chất, trang thiết bị của các đơn vị sự nghiệp KH&CN từng bước được đầu "
            "tư, nhất là phòng thử nghiệm và trang thiết bị đo lường phục vụ quản lý nhà nước.",
        ],
        ("I.DG", 2): ["Nguồn lực đầu tư cho KH&CN chưa tương xứng với yêu cầu; cơ cấu chi "
                      "còn nặng về chi thường xuyên."],
        ("II.1", 0): ["KH&CN và đổi mới sáng tạo là động lực chính của tăng trưởng, gắn với "
                      "chuyển đổi mô hình tăng trưởng của tỉnh theo hướng nâng cao năng suất, "
                      "chất lượng và hiệu quả."],
        ("II.3", 0): ["Phấn đấu đến năm 2030 chi cho KH&CN đạt tối thiểu 2% tổng chi ngân "
                      "sách địa phương; huy động doanh nghiệp đầu tư cho đổi mới công nghệ."],
        ("IV", 3): ["Ưu tiên bố trí ngân sách cho KH&CN theo quy định; đổi mới cơ chế tài "
                    "chính, thực hiện khoán chi đến sản phẩm cuối cùng."],
    },
    "QLKH": {
        ("I.2", 0): ["Năm 2019, toàn tỉnh có 70 nhiệm vụ KH&CN đang triển khai, trong đó 27 "
                     "nhiệm vụ cấp tỉnh và cấp quốc gia; nhiều kết quả được ứng dụng vào sản "
                     "xuất và đời sống."],
        ("I.2", 1): ["Ứng dụng giống cây trồng, vật nuôi mới và quy trình sản xuất theo "
                     "VietGAP; phát triển sản phẩm vải thiều Lục Ngạn, gà đồi Yên Thế."],
        ("I.2", 2): ["Chuyển giao kỹ thuật y tế chuyên sâu cho bệnh viện tuyến tỉnh; xây "
                     "dựng mô hình xử lý chất thải chăn nuôi bằng chế phẩm sinh học."],
        ("I.2", 3): ["Duy trì cơ sở dữ liệu nhiệm vụ KH&CN và phục vụ tra cứu thông tin "
                     "cho các nhà khoa học."],
        ("I.2", 4): ["Ứng dụng đèn LED, lò hơi tiết kiệm năng lượng tại một số doanh "
                     "nghiệp sản xuất."],
        ("I.2", 5): ["Các nghiên cứu về văn hóa, lịch sử địa phương và chính sách nông "
                     "nghiệp làm cơ sở cho hoạch định chính sách của tỉnh."],
        ("I.2", 6): ["Bước đầu triển khai nhiệm vụ ứng dụng Internet vạn vật trong nông "
                     "nghiệp công nghệ cao."],
        ("I.DG", 1): ["Nhiều nhiệm vụ KH&CN gắn với sản phẩm chủ lực của tỉnh, được nhân "
                      "rộng sau nghiệm thu."],
        ("II.2", 1): ["Tập trung ứng dụng công nghệ sinh học, nông nghiệp công nghệ cao, "
                      "truy xuất nguồn gốc nông sản."],
        ("II.2", 4): ["Ưu tiên nghiên cứu phục vụ hoạch định chính sách phát triển bền vững."],
        ("II.2", 5): ["Thúc đẩy chuyển đổi số trong quản lý nhà nước và doanh nghiệp."],
    },
    "QLCN": {
        ("I.3", 0): ["Trình độ công nghệ của các dự án đầu tư mới ngày càng được nâng lên, "
                     "tỷ lệ dự án có công nghệ tiên tiến trở lên tăng qua các năm; đóng góp "
                     "của TFP vào tăng trưởng GRDP được tính theo phương pháp hạch toán tăng "
                     "trưởng của Tổng cục Thống kê.",
                     "Tỉnh đã hỗ trợ doanh nghiệp đổi mới công nghệ, áp dụng hệ thống quản lý "
                     "chất lượng và phát triển doanh nghiệp KH&CN."],
        ("II.2", 2): ["Lựa chọn, chuyển giao công nghệ tiên tiến cho công nghiệp chế biến, "
                      "chế tạo và làng nghề."],
        ("IV", 4): ["Thẩm định chặt chẽ công nghệ các dự án đầu tư, không chấp nhận công "
                    "nghệ lạc hậu."],
    },
    "VP": {
        ("I.4", 0): ["Năm 2019, Sở có 9 phòng, đơn vị trực thuộc với 77 công chức, viên "
                     "chức, người lao động, trong đó 65 người có trình độ đại học trở lên."],
        ("II.4", 1): ["Đầu tư trụ sở làm việc và trang thiết bị phục vụ quản lý nhà nước về "
                      "KH&CN."],
        ("IV", 6): ["Sở KH&CN chủ trì, phối hợp các sở, ngành, UBND các huyện, thành phố "
                    "tổ chức thực hiện; định kỳ sơ kết, đánh giá và báo cáo UBND tỉnh."],
    },
    "QLCS": {
        ("I.5", 0): ["Đến năm 2019, trên địa bàn tỉnh có 21 tổ chức KH&CN, trong đó 14 tổ "
                     "chức ngoài công lập; một số tổ chức đã chuyển đổi thành doanh nghiệp "
                     "KH&CN."],
        ("IV", 1): ["Đẩy mạnh tự chủ của các tổ chức KH&CN công lập; hoàn thiện cơ chế "
                    "đặt hàng nhiệm vụ KH&CN gắn với sản phẩm chủ lực của tỉnh."],
    },
    "QLCNG": {
        ("I.6", 0): ["Hoạt động sở hữu trí tuệ được đẩy mạnh; số đơn đăng ký nhãn hiệu tăng "
                     "nhanh. Chỉ dẫn địa lý Vải thiều Lục Ngạn được bảo hộ từ ngày "
                     "27/6/2005.",
                     "Công tác an toàn bức xạ được quản lý chặt chẽ; phong trào sáng kiến "
                     "được duy trì rộng khắp."],
    },
    "TTRA": {
        ("I.7", 0): ["Công tác thanh tra, kiểm tra tập trung vào đo lường, chất lượng hàng "
                     "hóa, sở hữu trí tuệ và an toàn bức xạ."],
    },
    "TDC": {
        ("I.8", 0): ["Hoạt động kiểm định phương tiện đo tăng mạnh; hệ thống quản lý chất "
                     "lượng TCVN ISO 9001 được áp dụng tại các cơ quan hành chính."],
        ("II.2", 3): ["Ứng dụng công nghệ quan trắc, xử lý chất thải, thích ứng với biến đổi "
                      "khí hậu."],
    },
    "TTUD": {
        ("I.9", 0): ["Tỷ lệ lao động qua đào tạo đạt 66,6% năm 2019; tỷ lệ lao động qua đào "
                     "tạo có bằng cấp, chứng chỉ thấp hơn nhiều và được theo dõi như một chỉ "
                     "tiêu riêng.",
                     "Hoạt động thông tin, thống kê KH&CN và kết nối cung - cầu công nghệ "
                     "được duy trì qua sàn giao dịch công nghệ, thiết bị."],
        ("I.DG", 3): ["Nguồn nhân lực chất lượng cao còn thiếu; thị trường KH&CN chưa phát "
                      "triển."],
        ("II.4", 2): ["Xây dựng khu thực nghiệm, trình diễn công nghệ của Trung tâm Ứng dụng "
                      "KH&CN."],
        ("IV", 2): ["Đào tạo, bồi dưỡng đội ngũ cán bộ KH&CN; thu hút chuyên gia, nhà khoa "
                    "học trẻ về làm việc tại tỉnh."],
        ("IV", 5): ["Phát triển sàn giao dịch công nghệ, kết nối doanh nghiệp với viện, "
                    "trường; mở rộng hợp tác KH&CN với các tỉnh trong vùng."],
        ("II.4", 4): ["Dự kiến nhu cầu đất cho khu thực nghiệm khoảng 5 ha, chuyển từ đất "
                      "nông nghiệp."],
    },
}


# Rows of the list sheets, by unit and list code (values as a unit would type them).
LIST_ROWS: dict[str, dict[str, list[dict[str, object]]]] = {
    "TTUD": {"du_an": [
        {"ten": "Khu thực nghiệm, trình diễn công nghệ nông nghiệp", "linh_vuc": "Nông nghiệp",
         "quy_mo": "Nhà lưới 2 ha, khu thử nghiệm", "dia_diem": "Huyện Lục Nam",
         "dien_tich": 5, "loai_dat": "Đất trồng lúa", "giai_doan": "2021-2025",
         "nguon_von": "Ngân sách địa phương", "kinh_phi": 45},
    ]},
    "QLCN": {
        "du_an": [
            {"ten": "Trung tâm hỗ trợ khởi nghiệp đổi mới sáng tạo", "linh_vuc": "Đổi mới sáng tạo",
             "quy_mo": "Nhà điều hành 3.000 m²", "dia_diem": "Thành phố Bắc Giang",
             "dien_tich": 1.5, "loai_dat": "Đất phi nông nghiệp", "giai_doan": "2021-2025",
             "nguon_von": "Xã hội hóa, khác", "kinh_phi": 60},
            {"ten": "Vườn ươm doanh nghiệp công nghệ", "linh_vuc": "Công nghệ",
             "quy_mo": "Nhà xưởng 5.000 m²", "dia_diem": "Huyện Việt Yên", "dien_tich": 3,
             "loai_dat": "Đất trồng cây hằng năm khác", "giai_doan": "2026-2030",
             "nguon_von": "Vốn doanh nghiệp", "kinh_phi": 120},
        ],
        "doanh_nghiep_khcn": [
            {"ten": "Công ty cổ phần giống cây trồng Bắc Giang", "nam_cap": 2013,
             "linh_vuc": "Nông nghiệp", "dia_diem": "Huyện Lạng Giang"},
            {"ten": "Công ty TNHH công nghệ sinh học Lục Ngạn", "nam_cap": 2017,
             "linh_vuc": "Công nghệ sinh học", "dia_diem": "Huyện Lục Ngạn"},
        ],
    },
    "TDC": {"du_an": [
        {"ten": "Phòng thử nghiệm đo lường, chất lượng", "linh_vuc": "Tiêu chuẩn đo lường",
         "quy_mo": "Phòng thử nghiệm chuẩn ISO/IEC 17025", "dia_diem": "Huyện Yên Dũng",
         "dien_tich": 0.8, "loai_dat": "Đất trồng lúa", "giai_doan": "2021-2025",
         "nguon_von": "Ngân sách trung ương", "kinh_phi": 35},
    ]},
    "VP": {"co_so_qlnn": [
        {"ten": "Trụ sở Sở Khoa học và Công nghệ", "dia_diem": "Thành phố Bắc Giang",
         "dien_tich_dat": 4200, "hien_trang": "Xuống cấp, thiếu diện tích làm việc",
         "de_xuat": "Cải tạo, mở rộng giai đoạn 2021-2025"},
    ]},
    "QLCS": {"co_so_cong_lap": [
        {"ten": "Trung tâm Ứng dụng KH&CN", "dia_diem": "Thành phố Bắc Giang",
         "chuc_nang": "Ứng dụng, chuyển giao công nghệ", "nhan_luc": 32,
         "de_xuat": "Đầu tư khu thực nghiệm tại huyện Lục Nam"},
    ], "to_chuc_khcn": [
        {"ten": "Trung tâm Ứng dụng KH&CN", "loai": "Công lập", "linh_vuc": "Ứng dụng KH&CN",
         "nam_thanh_lap": 1992, "nhan_luc": 32},
        {"ten": "Trung tâm Kỹ thuật Tiêu chuẩn Đo lường Chất lượng", "loai": "Công lập",
         "linh_vuc": "Tiêu chuẩn đo lường", "nam_thanh_lap": 2004, "nhan_luc": 21},
        {"ten": "Viện Nghiên cứu phát triển nông nghiệp Bắc Giang", "loai": "Ngoài công lập",
         "linh_vuc": "Nông nghiệp", "nam_thanh_lap": 2015, "nhan_luc": 12},
    ]},
}
WORK_PLAN = [  # every unit's weekly plan: (task, item or "", due, status)
    ("Thu thập số liệu giai đoạn 2011-2019", "", "06/03/2020", "Hoàn thành"),
    ("Hoàn thiện biểu số liệu và thuyết minh", "", "20/03/2020", "Hoàn thành"),
    ("Đề xuất mục tiêu, định hướng đến năm 2030", "II.3", "25/03/2020", "Đang thực hiện"),
]


def _series_value(key: str, year: int, years: list[int], rng: random.Random,
                  ind: Indicator) -> float | None:
    spec = SERIES.get(key)
    if spec is None:
        return None
    if isinstance(spec, dict):
        return spec.get(year)
    first, last = spec
    t = (year - years[0]) / max(1, years[-1] - years[0])
    value = first + (last - first) * t
    if year not in (years[0], years[-1]):
        value *= 1 + rng.uniform(-0.03, 0.03)
    if ind.type == "integer":
        return float(round(value))
    return round(value, max(ind.decimals, 1) if ind.type == "percent" else ind.decimals)


def sample_values(cat: Catalogue, unit: Unit, seed: int = 2020) -> dict[tuple[str, int], float]:
    """(row key, year) -> value for every row of the unit's items, totals summed."""
    rng = random.Random(f"{seed}-{unit.code}")
    actual = list(cat.years.actual)
    out: dict[tuple[str, int], float] = {}
    for item in cat.data_items_of(unit.code):
        for row in form_rows(cat, item):
            ind = row.indicator
            for year in cat.years_of(ind):
                if year in cat.years.target:
                    t = TARGETS.get(row.key)
                    if t is not None:
                        out[(row.key, year)] = t[cat.years.target.index(year)]
                    continue
                if year in BLANK_YEARS.get(row.key, ()):
                    continue
                if row.key in DERIVED_ROWS:
                    parts = [out.get((k, year)) for k in DERIVED_ROWS[row.key]]
                    known = [p for p in parts if p is not None]
                    if len(known) == len(parts):
                        out[(row.key, year)] = round(100 - sum(known), 1)
                    continue
                if row.part == TOTAL and ind.breakdown is not None:
                    parts = [out.get((row_key(ind.code, p.code), year))
                             for p in cat.parts_of(ind) if p.code != TOTAL]
                    known = [p for p in parts if p is not None]
                    if len(known) == len(parts):
                        out[(row.key, year)] = round(sum(known), ind.decimals)
                    continue
                v = _series_value(row.key, year, actual, rng, ind)
                if v is not None:
                    out[(row.key, year)] = v
    return out


def fill_workbook(cat: Catalogue, unit: Unit, values: Mapping[tuple[str, int], object],
                  meta: Mapping[str, object] | None = None, today: dt.date | None = None,
                  sample: bool = True) -> Workbook:
    """A unit's form with `values` ((row key, year) -> cell value) typed in, as a unit would."""
    wb = build_workbook(cat, unit, today or dt.date(2020, 3, 1), sample=sample)
    ws = wb[META_SHEET]
    for i, (key, _label, _editable) in enumerate(META_FIELDS):
        if meta and key in meta:
            ws.cell(META_FIRST_ROW + i, 3, meta[key])
    for item in cat.data_items_of(unit.code):
        sheet = wb[sheet_name(item)]
        years = form_years(cat, item)
        status_col = FIRST_YEAR_COL + len(years)
        for r_i, row in enumerate(form_rows(cat, item)):
            r = FIRST_DATA_ROW + r_i
            for y_i, year in enumerate(years):
                if (row.key, year) in values:
                    sheet.cell(r, FIRST_YEAR_COL + y_i, values[(row.key, year)])
            if meta and meta.get("_status"):
                rows_status = meta.get("_row_status")
                status = (rows_status.get(row.key, meta["_status"])
                          if isinstance(rows_status, Mapping) else meta["_status"])
                sheet.cell(r, status_col, status)
    return wb


def fill_lists(cat: Catalogue, wb: Workbook,
               rows: Mapping[str, Sequence[Mapping[str, object]]]) -> None:
    """Type rows into the workbook's list sheets ({list code: [{column code: value}]})."""
    for li in cat.lists:
        if li.code not in rows or li.sheet not in wb.sheetnames:
            continue
        ws = wb[li.sheet]
        codes = [c.code for c in li.columns]
        for n, row in enumerate(rows[li.code]):
            for code, value in row.items():
                ws.cell(LIST_FIRST_ROW + n, 2 + codes.index(code), value)


def write_samples(cat: Catalogue, inputs: Path) -> list[Path]:
    """Write a filled workbook and narrative for every unit into `inputs`."""
    inputs.mkdir(parents=True, exist_ok=True)
    written = []
    for unit in cat.units:
        sent = SENT.get(unit.code, DEFAULT_SENT)
        meta = {"nguoi_lap": CONTACTS.get(unit.code, ""), "dien_thoai": "0204 3854 xxx",
                "email": f"{unit.code.lower()}.skhcn@bacgiang.gov.vn",
                "ngay_gui": sent.strftime("%d/%m/%Y"), "lan_gui": 1, "_status": "Chính thức",
                "_row_status": ROW_STATUS}
        path = inputs / f"{unit.code}_so_lieu_mau.xlsx"
        wb = fill_workbook(cat, unit, sample_values(cat, unit), meta)
        plan = [{"cong_viec": t, "muc": m or ", ".join(it.code for it in cat.data_items_of(
            unit.code)), "nguoi_phu_trach": CONTACTS.get(unit.code, ""), "han": d,
            "trang_thai": s} for t, m, d, s in WORK_PLAN]
        fill_lists(cat, wb, {**LIST_ROWS.get(unit.code, {}), "ke_hoach_tuan": plan})
        wb.save(path)
        written.append(path)
        doc = build_narrative_form(cat, unit, NARRATIVES.get(unit.code, {}))
        # As a unit's word processor leaves it: saved by its author on the day it was sent,
        # which the file keeps whatever its copy's date (a git checkout, an e-mail).
        stamp(doc, CONTACTS.get(unit.code) or unit.name,
              dt.datetime.combine(sent, dt.time(9, 0), tzinfo=dt.timezone.utc))
        doc_path = inputs / f"{unit.code}_thuyet_minh_mau.docx"
        doc.save(str(doc_path))
        written.append(doc_path)
    return written
