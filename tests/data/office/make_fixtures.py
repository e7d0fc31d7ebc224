#!/usr/bin/python3
"""Regenerate the LibreOffice-written fixtures in tests/data/office/.

Run from the repository root with the SYSTEM python (it needs python3-uno):

    /usr/bin/python3 tests/data/office/make_fixtures.py

Needs: LibreOffice (`soffice` on PATH), python3-uno, and the project venv
(`.venv/bin/khcn`) to produce the blank forms.  See README.md next to this file
for what every fixture contains.

The script:
  1. makes blank forms with `.venv/bin/khcn forms --out <tmp>`;
  2. starts a private headless soffice (own user profile, free port) and talks to it
     over UNO; soffice is always terminated at the end;
  3. fills the KHTC workbook like a unit would and stores the variants
     (xlsx / xls / ods), and fills the KHTC narrative (docx / doc / odt).

Numbers are written with XCell.setValue and text with XCell.setString, so nothing
depends on the machine's locale; the documents' locale is set to en-US as well.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import time
import zlib
from pathlib import Path

import uno  # system python3-uno
from com.sun.star.beans import PropertyValue
from com.sun.star.connection import NoConnectException
from com.sun.star.lang import Locale

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[2]
KHCN = REPO / ".venv" / "bin" / "khcn"
UNIT = "KHTC"

# ---------------------------------------------------------------------------
# Layout of the blank KHTC form, read with openpyxl from `khcn forms` output
# (catalogue as of this commit).  All addresses are 1-based spreadsheet
# addresses; the UNO calls below use 0-based (col, row) indices.
#
# Sheet "Thông tin": column A hidden keys, B labels, C values.
#   C4 ma_don_vi (locked, "KHTC"), C5 ten_don_vi, C6 phien_ban_bieu_mau,
#   C7 ma_danh_muc, C8 ngay_tao_bieu, C9 du_lieu_mau  -- written by the generator
#   C10 nguoi_lap, C11 dien_thoai, C12 email, C13 ngay_gui  -- yellow inputs
# Sheet "I.1": row 5 header: A "Mã", B "Chỉ tiêu", C "Phân tổ", D "Đơn vị tính",
#   E..M = 2011..2019, N = 2025, O = 2030, P "Tính chất số liệu",
#   Q "Nguồn số liệu, ghi chú".  Indicator rows (key in hidden column A):
#   6 chi_nsdp, 7 chi_khcn.dtpt, 8 chi_khcn.su_nghiep, 9 chi_khcn,
#   10 ty_le_chi_khcn_muc_tieu (only N/O yellow), 11 csvc_dien_tich,
#   12 csvc_phong_thi_nghiem, 13 csvc_thiet_bi.  N/O are grey for rows 6-9, 11-13.
# ---------------------------------------------------------------------------
META_SHEET = "Thông tin"
META_MA_DON_VI = "C4"
META_NGUOI_LAP = "C10"
META_DIEN_THOAI = "C11"
META_EMAIL = "C12"
META_NGAY_GUI = "C13"

ITEM_SHEET = "I.1"
HEADER_ROW = 5
YEARS = list(range(2011, 2020))
YEAR_COLS = ["E", "F", "G", "H", "I", "J", "K", "L", "M"]  # 2011..2019
COL_2025 = "N"
COL_2030 = "O"
COL_STATUS = "P"  # Tính chất số liệu
COL_NOTE = "Q"  # Nguồn số liệu, ghi chú
ROW_CHI_NSDP = 6
ROW_CHI_KHCN_DTPT = 7
ROW_CHI_KHCN_SU_NGHIEP = 8
ROW_CHI_KHCN = 9
ROW_TY_LE_MUC_TIEU = 10
ROW_LAST_INDICATOR = 13  # csvc_thiet_bi
EXPECTED_KEYS = {
    ROW_CHI_NSDP: "chi_nsdp",
    ROW_CHI_KHCN_DTPT: "chi_khcn.dtpt",
    ROW_CHI_KHCN_SU_NGHIEP: "chi_khcn.su_nghiep",
    ROW_CHI_KHCN: "chi_khcn",
    ROW_TY_LE_MUC_TIEU: "ty_le_chi_khcn_muc_tieu",
    ROW_LAST_INDICATOR: "csvc_thiet_bi",
}

# --- hand-chosen values ----------------------------------------------------
NGUOI_LAP = "Nguyễn Văn An"
DIEN_THOAI = "0204 3854 123"
EMAIL = "khtc@bacgiang.gov.vn"
NGAY_GUI = "09/03/2020"  # stored as TEXT
CHI_NSDP = [7850000, 8900000, 9750000, 10600000, 11800000, 12900000, 14300000, 15900000, 17420000]
CHI_KHCN_DTPT = [14500, 16000, 18000, 20500, 23000, 26000, 29500, 33000, 38000]
CHI_KHCN_SU_NGHIEP = [24300, 26500, 29000, 31500, 34000, 38000, 42500, 47000, 52600]
CHI_KHCN = [a + b for a, b in zip(CHI_KHCN_DTPT, CHI_KHCN_SU_NGHIEP)]
TY_LE_2025 = 1.5
TY_LE_2030 = 2
CHI_NSDP_STATUS = "Chính thức"
CHI_NSDP_NOTE = "Quyết toán NSĐP"

# variant b (percent)
TY_LE_2025_PCT, TY_LE_2025_FMT = 0.015, "0.0%"
TY_LE_2030_PCT, TY_LE_2030_FMT = 0.02, "0%"
# variant d (inserted row)
INSERTED_LABEL = "Chi khác"
INSERTED_VALUES = [1000 + i for i in range(9)]  # 1000..1008
OWN_ROW_LABEL = "Chi đào tạo"
OWN_ROW_VALUE_2019 = 500
# variant f (grey cell)
GREY_VALUE = 123
# variant g (header)
HEADER_2019_TEXT = "Năm 2019"
# variant i (unit code)
LOWERCASE_CODE = " khtc "

# narrative
NARR_HEADING_PREFIX = "I.1."
NARR_P1_BEFORE = "Giai đoạn 2011-2019, chi ngân sách cho KH&CN "
NARR_P1_BOLD = "tăng đều"
NARR_P1_AFTER = " qua các năm."
NARR_P2 = "Cơ sở vật chất được đầu tư cho Trung tâm Ứng dụng KH&CN."
BODY_STYLE = "Standard"  # LibreOffice's name for Word's "Normal"

EN_US = Locale("en", "US", "")
SYSTEM_LOCALE = Locale("", "", "")  # "the office locale" (pinned to en-US below)

XLSX, XLS, ODS = "Calc MS Excel 2007 XML", "MS Excel 97", "calc8"
DOCX, DOC, ODT = "MS Word 2007 XML", "MS Word 97", "writer8"

# com.sun.star.sheet.CellFlags
CF_VALUE, CF_DATETIME, CF_STRING, CF_FORMULA = 1, 2, 4, 16
CONTENT_FLAGS = CF_VALUE | CF_DATETIME | CF_STRING | CF_FORMULA


def prop(name, value):
    p = PropertyValue()
    p.Name = name
    p.Value = value
    return p


def col_index(letters: str) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + (ord(ch) - 64)
    return n - 1


def cell(sheet, addr: str):
    letters = "".join(c for c in addr if c.isalpha())
    row = int(addr[len(letters) :])
    return sheet.getCellByPosition(col_index(letters), row - 1)


# The fresh user profile's registrymodifications.xcu: office locale and UI locale en-US.
_XCU_ITEM = (
    '<item oor:path="/org.openoffice.Setup/L10N">'
    '<prop oor:name="{}" oor:op="fuse"><value>{}</value></prop></item>\n'
)
REGISTRY_XCU = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    '<oor:items xmlns:oor="http://openoffice.org/2001/registry"'
    ' xmlns:xs="http://www.w3.org/2001/XMLSchema"'
    ' xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">\n'
    + _XCU_ITEM.format("ooSetupSystemLocale", "en-US")
    + _XCU_ITEM.format("ooLocale", "en-US")
    + _XCU_ITEM.format("DecimalSeparatorAsLocale", "true")
    + "</oor:items>\n"
)


# --- soffice ----------------------------------------------------------------
def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Office:
    def __init__(self, workdir: Path):
        self.port = free_port()
        self.profile = workdir / "lo-profile"
        # Pin the office locale (used for number-format defaults) to en-US, whatever
        # LANG says, so formats set with the en-US locale carry no "[$-409]" prefix.
        (self.profile / "user").mkdir(parents=True)
        (self.profile / "user" / "registrymodifications.xcu").write_text(REGISTRY_XCU, "utf-8")
        env = dict(os.environ, LANG="C.UTF-8", LC_ALL="C.UTF-8", SAL_USE_VCLPLUGIN="svp")
        self.proc = subprocess.Popen(
            [
                "soffice",
                "--headless",
                "--invisible",
                "--norestore",
                "--nologo",
                "--nodefault",
                f"-env:UserInstallation={self.profile.as_uri()}",
                f"--accept=socket,host=127.0.0.1,port={self.port};urp;",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            env=env,
            start_new_session=True,  # own process group: we stop exactly what we started
        )
        self.desktop = None

    def connect(self, timeout=60.0):
        local = uno.getComponentContext()
        resolver = local.ServiceManager.createInstanceWithContext(
            "com.sun.star.bridge.UnoUrlResolver", local
        )
        url = f"uno:socket,host=127.0.0.1,port={self.port};urp;StarOffice.ComponentContext"
        deadline = time.monotonic() + timeout
        while True:
            if self.proc.poll() is not None:
                raise RuntimeError(f"soffice exited early with code {self.proc.returncode}")
            try:
                self.ctx = resolver.resolve(url)
                break
            except NoConnectException as err:
                if time.monotonic() > deadline:
                    raise RuntimeError("could not connect to soffice within 60 s") from err
                time.sleep(0.5)
        self.smgr = self.ctx.ServiceManager
        self.desktop = self.smgr.createInstanceWithContext("com.sun.star.frame.Desktop", self.ctx)
        return self

    def load(self, path: Path):
        doc = self.desktop.loadComponentFromURL(
            path.as_uri(), "_blank", 0, (prop("Hidden", True), prop("ReadOnly", False))
        )
        if doc is None:
            raise RuntimeError(f"LibreOffice could not open {path}")
        return doc

    def version(self) -> str:
        try:
            cp = self.smgr.createInstanceWithContext(
                "com.sun.star.configuration.ConfigurationProvider", self.ctx
            )
            node = cp.createInstanceWithArguments(
                "com.sun.star.configuration.ConfigurationAccess",
                (prop("nodepath", "/org.openoffice.Setup/Product"),),
            )
            return f"{node.ooSetupVersionAboutBox}"
        except Exception:
            return "?"

    def close(self):
        """Ask soffice to quit, then make sure its whole process group (ours) is gone."""
        with contextlib.suppress(Exception):  # the bridge drops while soffice exits
            if self.desktop is not None:
                self.desktop.terminate()
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.proc.wait(timeout=20)
        # soffice.bin (child of oosplash) may outlive the wrapper for a moment
        for sig in (signal.SIGTERM, signal.SIGKILL):
            deadline = time.monotonic() + 10
            while self._group_alive() and time.monotonic() < deadline:
                time.sleep(0.2)
            if not self._group_alive():
                break
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, sig)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.proc.wait(timeout=10)

    def _group_alive(self) -> bool:
        try:
            os.killpg(self.proc.pid, 0)
        except ProcessLookupError:
            return False
        return True

    def check_locale(self):
        cp = self.smgr.createInstanceWithContext(
            "com.sun.star.configuration.ConfigurationProvider", self.ctx
        )
        node = cp.createInstanceWithArguments(
            "com.sun.star.configuration.ConfigurationAccess",
            (prop("nodepath", "/org.openoffice.Setup/L10N"),),
        )
        if node.ooSetupSystemLocale != "en-US":
            raise SystemExit(f"office locale is {node.ooSetupSystemLocale!r}, expected en-US")


def store(doc, name: str, filter_name: str):
    out = HERE / name
    doc.storeToURL(out.as_uri(), (prop("FilterName", filter_name), prop("Overwrite", True)))
    print(f"  wrote {out.relative_to(REPO)} ({out.stat().st_size} bytes)")


# --- Calc ---------------------------------------------------------------------
def number_format_key(doc, fmt: str) -> int:
    formats = doc.NumberFormats
    key = formats.queryKey(fmt, SYSTEM_LOCALE, False)
    if key == -1:
        key = formats.addNew(fmt, SYSTEM_LOCALE)
    return key


def check_layout(doc):
    item = doc.Sheets.getByName(ITEM_SHEET)
    for row, key in EXPECTED_KEYS.items():
        got = cell(item, f"A{row}").getString()
        if got != key:
            raise SystemExit(f"layout changed: {ITEM_SHEET}!A{row} is {got!r}, expected {key!r}")
    years = [int(cell(item, f"{c}{HEADER_ROW}").getValue()) for c in YEAR_COLS]
    if years != YEARS or int(cell(item, f"{COL_2025}{HEADER_ROW}").getValue()) != 2025:
        raise SystemExit(f"layout changed: header years are {years}")
    meta = doc.Sheets.getByName(META_SHEET)
    for addr, key in (("A4", "ma_don_vi"), ("A10", "nguoi_lap"), ("A13", "ngay_gui")):
        if cell(meta, addr).getString() != key:
            raise SystemExit(f"layout changed: {META_SHEET}!{addr} is not {key}")


def base_fill(doc):
    """Fill the KHTC form the way the unit would (variant a)."""
    doc.CharLocale = EN_US  # document default language; values below do not depend on it
    check_layout(doc)
    meta = doc.Sheets.getByName(META_SHEET)
    item = doc.Sheets.getByName(ITEM_SHEET)
    meta.unprotect("")
    item.unprotect("")

    cell(meta, META_NGUOI_LAP).setString(NGUOI_LAP)
    cell(meta, META_DIEN_THOAI).setString(DIEN_THOAI)
    cell(meta, META_EMAIL).setString(EMAIL)
    cell(meta, META_NGAY_GUI).setString(NGAY_GUI)

    for row, values in (
        (ROW_CHI_NSDP, CHI_NSDP),
        (ROW_CHI_KHCN_DTPT, CHI_KHCN_DTPT),
        (ROW_CHI_KHCN_SU_NGHIEP, CHI_KHCN_SU_NGHIEP),
        (ROW_CHI_KHCN, CHI_KHCN),
    ):
        for col, v in zip(YEAR_COLS, values):
            cell(item, f"{col}{row}").setValue(v)
    cell(item, f"{COL_2025}{ROW_TY_LE_MUC_TIEU}").setValue(TY_LE_2025)
    cell(item, f"{COL_2030}{ROW_TY_LE_MUC_TIEU}").setValue(TY_LE_2030)
    cell(item, f"{COL_STATUS}{ROW_CHI_NSDP}").setString(CHI_NSDP_STATUS)
    cell(item, f"{COL_NOTE}{ROW_CHI_NSDP}").setString(CHI_NSDP_NOTE)
    return meta, item


def reprotect(*sheets):
    """A unit that only typed into yellow cells never unprotected the sheet."""
    for s in sheets:
        s.protect("")


def variant_percent(doc, meta, item):
    for addr, value, fmt in (
        (f"{COL_2025}{ROW_TY_LE_MUC_TIEU}", TY_LE_2025_PCT, TY_LE_2025_FMT),
        (f"{COL_2030}{ROW_TY_LE_MUC_TIEU}", TY_LE_2030_PCT, TY_LE_2030_FMT),
    ):
        c = cell(item, addr)
        c.setValue(value)
        c.NumberFormat = number_format_key(doc, fmt)
    reprotect(meta, item)


def variant_merge(doc, meta, item):
    first, second = YEAR_COLS[0], YEAR_COLS[1]  # E6 (2011), F6 (2012)
    cell(item, f"{second}{ROW_CHI_NSDP}").clearContents(CONTENT_FLAGS)
    item.getCellRangeByName(f"{first}{ROW_CHI_NSDP}:{second}{ROW_CHI_NSDP}").merge(True)
    reprotect(meta)


def variant_inserted_row(doc, meta, item):
    new_row = ROW_CHI_KHCN_SU_NGHIEP + 1  # 1-based row 9; 0-based index 8
    item.Rows.insertByIndex(new_row - 1, 1)
    cell(item, f"B{new_row}").setString(INSERTED_LABEL)
    for col, v in zip(YEAR_COLS, INSERTED_VALUES):
        cell(item, f"{col}{new_row}").setValue(v)
    own_row = (ROW_LAST_INDICATOR + 1) + 2  # csvc_thiet_bi moved to 14 -> row 16
    cell(item, f"B{own_row}").setString(OWN_ROW_LABEL)
    cell(item, f"{YEAR_COLS[-1]}{own_row}").setValue(OWN_ROW_VALUE_2019)
    reprotect(meta)


def variant_shifted(doc, meta, item):
    cols = YEAR_COLS + [COL_2025]
    cell(item, f"{cols[0]}{ROW_CHI_NSDP}").clearContents(CONTENT_FLAGS)
    for col, v in zip(cols[1:], CHI_NSDP):  # F6..N6
        cell(item, f"{col}{ROW_CHI_NSDP}").setValue(v)
    reprotect(meta)


def variant_grey(doc, meta, item):
    cell(item, f"{COL_2025}{ROW_CHI_NSDP}").setValue(GREY_VALUE)  # N6, grey
    reprotect(meta)


def variant_header(doc, meta, item):
    cell(item, f"{YEAR_COLS[-1]}{HEADER_ROW}").setString(HEADER_2019_TEXT)  # M5
    cell(item, f"{YEAR_COLS[-2]}{HEADER_ROW}").clearContents(CONTENT_FLAGS)  # L5
    reprotect(meta)


def variant_deleted_col(doc, meta, item):
    item.Columns.removeByIndex(col_index(YEAR_COLS[YEARS.index(2015)]), 1)  # column I
    reprotect(meta)


def variant_lowercase(doc, meta, item):
    cell(meta, META_MA_DON_VI).setString(LOWERCASE_CODE)
    reprotect(item)


WORKBOOK_VARIANTS = [
    ("khtc_lo", lambda d, m, i: reprotect(m, i), (XLSX, XLS, ODS)),
    ("khtc_percent", variant_percent, (XLSX, XLS, ODS)),
    ("khtc_merge", variant_merge, (XLSX,)),
    ("khtc_inserted_row", variant_inserted_row, (XLSX,)),
    ("khtc_shifted", variant_shifted, (XLSX,)),
    ("khtc_grey", variant_grey, (XLSX,)),
    ("khtc_header", variant_header, (XLSX,)),
    ("khtc_deleted_col", variant_deleted_col, (XLSX,)),
    ("khtc_lowercase", variant_lowercase, (XLSX,)),
]
EXT = {XLSX: "xlsx", XLS: "xls", ODS: "ods", DOCX: "docx", DOC: "doc", ODT: "odt"}


def make_workbooks(office: Office, blank: Path):
    for stem, apply, filters in WORKBOOK_VARIANTS:
        doc = office.load(blank)
        try:
            meta, item = base_fill(doc)
            apply(doc, meta, item)
            doc.calculateAll()
            for f in filters:
                store(doc, f"{stem}.{EXT[f]}", f)
        finally:
            doc.close(True)


# --- Writer -------------------------------------------------------------------
def tiny_png(path: Path, size=8):
    """An 8x8 RGB PNG (red/blue checkerboard) built with zlib + struct."""
    rows = b""
    for y in range(size):
        rows += b"\x00" + b"".join(
            (b"\xc0\x20\x20" if (x + y) % 2 == 0 else b"\x20\x40\xc0") for x in range(size)
        )

    def chunk(kind, data):
        return (
            struct.pack(">I", len(data))
            + kind
            + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
        )

    ihdr = struct.pack(">IIBBBBB", size, size, 8, 2, 0, 0, 0)
    path.write_bytes(
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", ihdr)
        + chunk(b"IDAT", zlib.compress(rows, 9))
        + chunk(b"IEND", b"")
    )


def find_hint_after_heading(doc):
    paras = doc.Text.createEnumeration()
    found_heading = False
    while paras.hasMoreElements():
        p = paras.nextElement()
        if not p.supportsService("com.sun.star.text.Paragraph"):
            continue  # tables
        if found_heading:
            return p
        if p.getString().startswith(NARR_HEADING_PREFIX):
            found_heading = True
    raise SystemExit(f"no paragraph after heading {NARR_HEADING_PREFIX!r}")


def new_paragraph_after(text, anchor_range):
    """Insert a paragraph break at the end of anchor_range; return a cursor in the new paragraph."""
    from com.sun.star.text.ControlCharacter import PARAGRAPH_BREAK

    cur = text.createTextCursorByRange(anchor_range.getEnd())
    text.insertControlCharacter(cur, PARAGRAPH_BREAK, False)
    cur.ParaStyleName = BODY_STYLE
    for name in ("CharWeight", "CharPosture", "CharColor", "CharUnderline"):
        with contextlib.suppress(Exception):
            cur.setPropertyToDefault(name)
    return cur


def fill_narrative(doc):
    from com.sun.star.awt.FontWeight import BOLD

    text = doc.Text
    hint = find_hint_after_heading(doc)
    hint_style = hint.ParaStyleName

    cur = new_paragraph_after(text, hint)
    p1_text = NARR_P1_BEFORE + NARR_P1_BOLD + NARR_P1_AFTER
    text.insertString(cur, p1_text, False)
    # select "tăng đều" and make it bold
    sel = text.createTextCursorByRange(cur.getStart())
    sel.gotoStartOfParagraph(False)
    sel.goRight(len(NARR_P1_BEFORE), False)
    sel.goRight(len(NARR_P1_BOLD), True)
    assert sel.getString() == NARR_P1_BOLD, sel.getString()
    sel.CharWeight = BOLD

    cur.gotoEndOfParagraph(False)
    cur2 = new_paragraph_after(text, cur)
    cur2.setPropertyToDefault("CharWeight")
    text.insertString(cur2, NARR_P2, False)
    cur2.gotoEndOfParagraph(False)
    return hint_style, cur2


def add_image(office: Office, doc, after_cursor, png: Path):
    from com.sun.star.awt import Size
    from com.sun.star.text.TextContentAnchorType import AS_CHARACTER

    text = doc.Text
    cur = new_paragraph_after(text, after_cursor)
    provider = office.smgr.createInstanceWithContext(
        "com.sun.star.graphic.GraphicProvider", office.ctx
    )
    graphic = provider.queryGraphic((prop("URL", png.as_uri()),))
    obj = doc.createInstance("com.sun.star.text.TextGraphicObject")
    obj.Graphic = graphic
    obj.AnchorType = AS_CHARACTER
    obj.Size = Size(1000, 1000)  # 1 cm x 1 cm
    obj.Name = "khtc_chart"
    text.insertTextContent(cur, obj, False)


def make_narratives(office: Office, blank: Path, workdir: Path):
    doc = office.load(blank)
    try:
        hint_style, last = fill_narrative(doc)
        print(f"  hint paragraph style: {hint_style!r}")
        for f in (DOCX, DOC, ODT):
            store(doc, f"khtc_narrative.{EXT[f]}", f)
        png = workdir / "tiny.png"
        tiny_png(png)
        add_image(office, doc, last, png)
        store(doc, "khtc_narrative_image.docx", DOCX)
    finally:
        doc.close(True)


def main() -> int:
    if not KHCN.exists():
        raise SystemExit(f"{KHCN} not found: create the venv first (make test / make forms)")
    workdir = Path(tempfile.mkdtemp(prefix="khcn-office-fixtures-"))
    try:
        forms = workdir / "forms"
        subprocess.run(
            [str(KHCN), "forms", "--out", str(forms)],
            cwd=REPO,
            check=True,
            stdout=subprocess.DEVNULL,
        )
        blank_xlsx = forms / f"{UNIT}_bieu_so_lieu.xlsx"
        blank_docx = forms / f"{UNIT}_thuyet_minh.docx"
        office = Office(workdir)
        try:
            office.connect(timeout=60)
            office.check_locale()
            print(f"LibreOffice {office.version()} on port {office.port}")
            make_workbooks(office, blank_xlsx)
            make_narratives(office, blank_docx, workdir)
        finally:
            office.close()
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
