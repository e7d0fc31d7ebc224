"""The catalogue stage alone: templates/catalogue.yaml loads, matches the seed, and every
mistake an editor can make in it is reported with the YAML key to fix."""

from __future__ import annotations

import codecs
import copy
import errno
import os
import re
import unicodedata

import pandas as pd
import pytest
import yaml

from pipeline.catalogue import load as load_module
from pipeline.catalogue.formula import MissingInput, evaluate, parse_formula
from pipeline.catalogue.load import load_catalogue, parse_catalogue
from pipeline.catalogue.model import TOTAL, Catalogue
from pipeline.core.errors import CatalogueError
from pipeline.derive import derive
from pipeline.merge import MERGED_COLUMNS

from .conftest import CATALOGUE

_RAW = yaml.safe_load(CATALOGUE.read_text(encoding="utf-8"))


@pytest.fixture()
def raw() -> dict:
    """A private, editable copy of the parsed YAML document."""
    return copy.deepcopy(_RAW)


def _item(raw: dict, code: str) -> dict:
    return next(it for it in raw["items"] if it["code"] == code)


def _indicator(raw: dict, code: str) -> dict:
    return next(ind for it in raw["items"] for ind in it.get("indicators", [])
                if ind["code"] == code)


def _error(raw: dict) -> str:
    with pytest.raises(CatalogueError) as e:
        parse_catalogue(raw)
    return str(e.value)


# --- the real catalogue --------------------------------------------------------------------
def test_real_catalogue_has_the_nine_units_in_the_seeds_order(cat: Catalogue):
    assert [u.code for u in cat.units] == [
        "KHTC", "QLKH", "QLCN", "VP", "QLCS", "QLCNG", "TTRA", "TDC", "TTUD"]
    assert cat.unit_by_code["TTRA"].name == "Thanh tra Sở"
    assert all(u.name.strip() for u in cat.units)


def test_real_catalogue_items_in_seed_order_with_deadlines(cat: Catalogue):
    assert [it.code for it in cat.items] == [
        "I.1", "I.2", "I.3", "I.4", "I.5", "I.6", "I.7", "I.8", "I.9", "I.DG",
        "II.1", "II.2", "II.3", "II.5", "II.4", "IV"]
    due = {it.code: it.due.isoformat() for it in cat.items}
    assert due.pop("I.1") == "2020-03-10"
    assert set(due.values()) == {"2020-03-25"}


def test_each_unit_owns_one_data_item(cat: Catalogue):
    owned = {u.code: [it.code for it in cat.data_items_of(u.code)] for u in cat.units}
    assert owned == {"KHTC": ["I.1"], "QLKH": ["I.2"], "QLCN": ["I.3"], "VP": ["I.4"],
                     "QLCS": ["I.5"], "QLCNG": ["I.6"], "TTRA": ["I.7"], "TDC": ["I.8"],
                     "TTUD": ["I.9"]}


def test_every_indicator_has_a_vietnamese_label_and_a_measure(cat: Catalogue):
    for code, ind in cat.indicator_by_code.items():
        assert ind.label.strip() and ind.label != code, code
        # Vietnamese text carries diacritics; a code or an English placeholder does not.
        assert re.search(r"[^\x00-\x7f]", ind.label), (code, ind.label)
        assert ind.measure.strip(), code
    for d in cat.derived:
        assert d.label.strip() and re.search(r"[^\x00-\x7f]", d.label), d.code
        assert d.measure.strip(), d.code


def test_every_actual_indicator_is_shown_in_a_table_of_its_own_item(cat: Catalogue):
    missing = []
    for item in cat.items:
        shown = {c.indicator for t in item.tables for c in t.columns if c.indicator}
        for ind in item.indicators:
            if ind.years in ("actual", "both") and ind.code not in shown:
                missing.append(f"{item.code}:{ind.code}")
    assert missing == []


def test_every_derived_indicator_parses_and_is_used(cat: Catalogue):
    used: set[str] = set()
    for item in cat.items:
        used |= {c.derived for t in item.tables for c in t.columns if c.derived}
        used |= {row.current for row in item.targets if row.current}
    for d in cat.derived:
        formula = parse_formula(d.formula)
        assert formula.refs, d.code
        used |= {code for code, _ in formula.refs}
    assert {d.code for d in cat.derived} <= used
    assert [d.code for d in cat.derived] == ["ty_le_chi_khcn", "chenh_lech_muc_2pct", "tang_tfp",
                                            "dong_gop_von", "dong_gop_lao_dong", "dong_gop_tfp",
                                            "ty_le_cn_tien_tien"]


SEED_INDICATORS = [
    "chi_nsdp", "chi_khcn", "csvc_dien_tich", "csvc_phong_thi_nghiem", "csvc_thiet_bi",
    "nv_so_luong", "nv_linh_vuc", "da_trinh_do_cn", "grdp_tang", "von_tang", "lao_dong_tang",
    "dn_khcn", "tc_khcn", "tc_chuyen_dn", "shtt_don", "shtt_van_bang", "bx_co_so", "sang_kien",
    "tt_cuoc", "tdc_kiem_dinh", "ld_qua_dao_tao", "ld_bang_cap", "ld_trinh_do",
    "ld_co_cau_nganh", "sgd_giao_dich",
]


@pytest.mark.parametrize("code", SEED_INDICATORS)
def test_indicators_named_by_the_seed_exist(cat: Catalogue, code: str):
    assert code in cat.indicator_by_code


def test_csvc_indicators_are_the_facilities_of_item_i1(cat: Catalogue):
    csvc = [c for c in cat.indicator_by_code if c.startswith("csvc_")]
    assert csvc == ["csvc_dien_tich", "csvc_phong_thi_nghiem", "csvc_thiet_bi"]
    assert {cat.item_of_indicator[c].code for c in csvc} == {"I.1"}


def test_ld_trinh_do_is_broken_down_by_the_five_training_levels(cat: Catalogue):
    ind = cat.indicator_by_code["ld_trinh_do"]
    labels = [p.label.lower() for p in cat.parts_of(ind)]
    assert labels == ["sơ cấp", "trung cấp", "cao đẳng", "đại học", "trên đại học"]


def test_trained_labour_and_labour_with_certificates_are_separate_indicators(cat: Catalogue):
    trained = cat.indicator_by_code["ld_qua_dao_tao"]
    certified = cat.indicator_by_code["ld_bang_cap"]
    assert trained.label != certified.label
    assert "bằng cấp" in certified.label and "bằng cấp" not in trained.label
    # Each its own row, not a part of the other.
    assert trained.breakdown is None and certified.breakdown is None
    assert cat.item_of_indicator["ld_qua_dao_tao"].code == "I.9"
    assert cat.item_of_indicator["ld_bang_cap"].code == "I.9"
    targets = [row.indicator for row in next(it for it in cat.items if it.code == "II.3").targets]
    assert "ld_qua_dao_tao" in targets and "ld_bang_cap" in targets


# --- fingerprint ---------------------------------------------------------------------------
def test_fingerprint_is_stable_across_loads(cat: Catalogue):
    again = load_catalogue(CATALOGUE)
    assert re.fullmatch(r"[0-9a-f]{12}", again.fingerprint)
    assert again.fingerprint == cat.fingerprint == load_catalogue(CATALOGUE).fingerprint


def test_fingerprint_ignores_yaml_formatting_and_key_order(cat: Catalogue, raw: dict):
    reformatted = yaml.safe_dump(raw, allow_unicode=True, sort_keys=True, width=200)
    assert parse_catalogue(yaml.safe_load(reformatted)).fingerprint == cat.fingerprint


def test_fingerprint_changes_when_a_label_changes(cat: Catalogue, raw: dict):
    _indicator(raw, "chi_nsdp")["label"] = "Tổng chi ngân sách địa phương (quyết toán)"
    edited = parse_catalogue(raw)
    assert edited.fingerprint != cat.fingerprint
    assert edited.indicator_by_code["chi_nsdp"].label.endswith("(quyết toán)")


# --- schema and cross-reference errors -----------------------------------------------------
def test_bad_indicator_type_names_its_yaml_key(raw: dict):
    _indicator(raw, "grdp_tang")["type"] = "text"
    message = _error(raw)
    assert "items[I.3].indicators[grdp_tang].type" in message


def test_bad_indicator_type_lists_the_allowed_types_in_vietnamese(raw: dict):
    _indicator(raw, "grdp_tang")["type"] = "text"
    message = _error(raw)
    assert "items[I.3].indicators[grdp_tang].type: phải là một trong: 'number', 'integer'" \
        in message
    assert "'percent'" in message
    assert "Input should be" not in message  # pydantic's own sentence is replaced


def test_bad_indicator_type_message_has_no_english_connective(raw: dict):
    _indicator(raw, "grdp_tang")["type"] = "text"
    message = _error(raw)
    assert not re.search(r"\b(or|and)\b", message)
    assert "phải là một trong: 'number', 'integer' hoặc 'percent'" in message


def test_unknown_breakdown_is_reported_not_a_crash(raw: dict):
    # A typo in the breakdown of an indicator that a table lists by part.
    _indicator(raw, "chi_khcn")["breakdown"] = "nguon_chii"
    message = _error(raw)
    assert "items[I.1].indicators[chi_khcn].breakdown" in message
    assert "nguon_chii" in message


def test_unknown_breakdown_of_an_indicator_without_parts_in_tables(raw: dict):
    _indicator(raw, "tt_co_so")["breakdown"] = "khong_co"
    message = _error(raw)
    assert "items[I.7].indicators[tt_co_so].breakdown" in message


def test_item_of_an_unknown_unit_names_the_items_unit_key(raw: dict):
    _item(raw, "I.4")["unit"] = "XYZ"
    message = _error(raw)
    assert "items[I.4].unit" in message and "XYZ" in message


def test_table_column_of_a_missing_indicator_names_the_column(raw: dict):
    _item(raw, "I.4")["tables"][0]["columns"][0] = {"indicator": "bm_khong_co"}
    message = _error(raw)
    assert "items[I.4].tables[0].columns[0].indicator" in message
    assert "bm_khong_co" in message


def test_table_column_of_a_missing_part_names_the_column(raw: dict):
    _item(raw, "I.7")["tables"][0]["columns"][1] = {"indicator": "tt_cuoc", "part": "xu_phat"}
    message = _error(raw)
    assert "items[I.7].tables[0].columns[1].part" in message


def test_duplicate_unit_code_is_reported(raw: dict):
    raw["units"].append({"code": "VP", "name": "Văn phòng Sở (bản sao)"})
    message = _error(raw)
    assert "units" in message and "'VP'" in message and "trùng" in message


def test_a_catalogue_that_is_not_a_mapping_is_reported():
    with pytest.raises(CatalogueError, match="catalogue.yaml"):
        parse_catalogue(["not", "a", "mapping"])


# --- formulas ------------------------------------------------------------------------------
def _with_derived(raw: dict, code: str, formula: str) -> dict:
    raw["derived"].append({"code": code, "label": "Chỉ tiêu thử", "measure": "%",
                           "formula": formula})
    return raw


@pytest.mark.parametrize("formula", [
    "__import__('os').system('x')",
    "chi_nsdp ** 2",
    "open('f')",
    "chi_nsdp // 2",
    "(lambda: 1)()",
    "chi_nsdp if chi_nsdp else 0",
    "'2' + chi_nsdp",
    "chi_nsdp.__class__",
])
def test_unsafe_or_non_arithmetic_formula_is_rejected(raw: dict, formula: str):
    message = _error(_with_derived(raw, "thu_nghiem", formula))
    assert "derived[thu_nghiem].formula" in message


def test_formula_with_an_unknown_indicator_is_rejected(raw: dict):
    message = _error(_with_derived(raw, "thu_nghiem", "chi_khcn.total / chi_nsdpp * 100"))
    assert "derived[thu_nghiem].formula" in message and "chi_nsdpp" in message


def test_formula_with_an_unknown_part_is_rejected(raw: dict):
    message = _error(_with_derived(raw, "thu_nghiem", "chi_khcn.quoc_gia / chi_nsdp"))
    assert "derived[thu_nghiem].formula" in message and "quoc_gia" in message


def test_formula_may_not_use_a_later_derived_code(raw: dict):
    raw["derived"][0]["formula"] = "chenh_lech_muc_2pct + 2"  # defined after it
    assert "derived[ty_le_chi_khcn].formula" in _error(raw)


def test_evaluate_gives_the_hand_computed_value():
    formula = parse_formula("(chi_khcn.dtpt + chi_khcn.su_nghiep) / chi_nsdp * 100 - 2")
    values = {("chi_khcn", "dtpt"): 38_000.0, ("chi_khcn", "su_nghiep"): 52_600.0,
              ("chi_nsdp", TOTAL): 17_420_000.0}
    # 90 600 / 17 420 000 × 100 = 0,520092 %; minus 2 = -1,479908.
    assert evaluate(formula.tree, values.get) == pytest.approx(-1.479908, abs=1e-6)
    assert formula.refs == (("chi_khcn", "dtpt"), ("chi_khcn", "su_nghiep"),
                            ("chi_nsdp", TOTAL))
    assert evaluate(parse_formula("-chi_nsdp / 4 + 1").tree, values.get) == -4_354_999.0


def test_evaluate_raises_missing_input_for_a_missing_reference():
    formula = parse_formula("chi_khcn.total / chi_nsdp * 100")
    with pytest.raises(MissingInput) as e:
        evaluate(formula.tree, {("chi_khcn", TOTAL): 90_600.0}.get)
    assert e.value.ref == ("chi_nsdp", TOTAL) and not e.value.zero_division


def test_evaluate_raises_missing_input_on_a_zero_denominator():
    formula = parse_formula("chi_khcn.total / chi_nsdp * 100")
    with pytest.raises(MissingInput) as e:
        evaluate(formula.tree, {("chi_khcn", TOTAL): 90_600.0, ("chi_nsdp", TOTAL): 0.0}.get)
    assert e.value.zero_division and e.value.ref == ("chi_nsdp", TOTAL)


# --- a new derived indicator is a catalogue edit -------------------------------------------
def _merged_row(indicator: str, part: str, year: int, value: float, cell: str) -> dict:
    return {"unit": "KHTC", "unit_name": "Phòng Kế hoạch Tài chính", "item": "I.1",
            "indicator": indicator, "indicator_label": "", "breakdown": part,
            "breakdown_label": "", "measure": "triệu đồng", "year": year, "value": value,
            "status": "Chính thức", "note": "", "file": "KHTC.xlsx", "sheet": "I.1",
            "cell": cell, "file_hash": ""}


def test_a_new_derived_indicator_needs_only_a_catalogue_edit(raw: dict):
    raw["derived"].append({"code": "ty_le_dtpt", "label": "Tỷ trọng chi đầu tư phát triển "
                           "trong chi KH&CN", "measure": "%", "decimals": 1,
                           "formula": "chi_khcn.dtpt / chi_khcn.total * 100"})
    _item(raw, "I.1")["tables"][0]["columns"].append({"derived": "ty_le_dtpt"})
    cat = parse_catalogue(raw)
    assert "ty_le_dtpt" in cat.derived_by_code

    merged = pd.DataFrame([
        _merged_row("chi_khcn", "dtpt", 2019, 38_000.0, "M7"),
        _merged_row("chi_khcn", "su_nghiep", 2019, 52_600.0, "M8"),
        _merged_row("chi_khcn", TOTAL, 2019, 90_600.0, "M9"),
        _merged_row("chi_khcn", "dtpt", 2018, 30_000.0, "L7"),  # 2018: no total row
    ], columns=MERGED_COLUMNS)
    out = derive(cat, merged).yearly
    mine = out[out["derived"] == "ty_le_dtpt"].set_index("year")
    assert list(mine.index) == cat.years.actual
    # 38 000 / 90 600 × 100 = 41,9426 %.
    assert mine.loc[2019, "value"] == pytest.approx(41.942605, abs=1e-6)
    assert mine.loc[2019, "note"] == ""
    assert set(mine.loc[2019, "sources"]) == {"KHTC.xlsx › I.1!M7", "KHTC.xlsx › I.1!M9"}
    assert pd.isna(mine.loc[2018, "value"])
    assert mine.loc[2018, "note"] == "thiếu số liệu 'Chi ngân sách cho KH&CN' năm 2018"


# --- reading the file (issue 15): encodings, keys written twice or unknown, each with its line
# Each case writes the real catalogue, altered, into tmp_path. Line numbers near the top are
# typed by hand from templates/catalogue.yaml; those further down (which several people's edits
# move) count by hand from an anchor line found in the text. _at() checks first that the line
# altered is where the numbers expect it, so that an edit of the catalogue fails there, not in
# a message.
TEXT = CATALOGUE.read_text(encoding="utf-8")


def _line_of(text: str) -> int:
    """The number of the one line of the catalogue that reads `text`."""
    [n] = [n for n, line in enumerate(TEXT.splitlines(), start=1) if line == text]
    return n


GRDP = _line_of("      - code: grdp_tang")  # label +1, measure +2, nature +3, max +6
I3_FIRST = _line_of("      - code: da_trinh_do_cn")  # the first indicator of item I.3
PERIODS = _line_of("periods:")


def _at(line: int, expected: str) -> None:
    assert TEXT.splitlines()[line - 1] == expected, "templates/catalogue.yaml moved: retype"


def _insert_after(line: int, added: str, text: str = TEXT) -> str:
    """The text with `added` (whole lines) after line `line`."""
    lines = text.splitlines(keepends=True)
    return "".join(lines[:line]) + added + "".join(lines[line:])


def _load_error(tmp_path, data: bytes | str, name: str = "catalogue.yaml") -> str:
    path = tmp_path / name
    path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    with pytest.raises(CatalogueError) as e:
        load_catalogue(path)
    return str(e.value)


def test_a_key_written_twice_is_refused_naming_the_key_and_both_lines(tmp_path):
    _at(GRDP + 6, "        max: 100")
    message = _load_error(tmp_path, _insert_after(GRDP, "        max: 80\n"))
    assert message == (
        "catalogue.yaml không hợp lệ:\n"
        f"- items[I.3].indicators[grdp_tang].max (dòng {GRDP + 7}): khóa 'max' bị lặp, đã có ở "
        f"dòng {GRDP + 1} trong cùng một mục (YAML chỉ giữ giá trị viết sau); hãy giữ một dòng, "
        "xóa dòng kia")


def test_every_key_written_twice_is_listed_with_crlf_line_endings_too(tmp_path):
    _at(9, "place: Bắc Giang")
    _at(22, "  actual: [2011, 2012, 2013, 2014, 2015, 2016, 2017, 2018, 2019]")
    text = _insert_after(22, "  actual: [2019]\n", _insert_after(10, "place: Lạng Sơn\n"))
    message = _load_error(tmp_path, text.replace("\n", "\r\n"))
    assert message.splitlines()[1:] == [
        "- place (dòng 11): khóa 'place' bị lặp, đã có ở dòng 9 trong cùng một mục (YAML chỉ "
        "giữ giá trị viết sau); hãy giữ một dòng, xóa dòng kia",
        "- years.actual (dòng 24): khóa 'actual' bị lặp, đã có ở dòng 23 trong cùng một mục "
        "(YAML chỉ giữ giá trị viết sau); hãy giữ một dòng, xóa dòng kia"]


def test_the_same_key_in_two_mappings_is_no_duplicate(tmp_path, cat: Catalogue):
    # Every indicator has its own `max`; a key quoted differently is still the same key.
    assert TEXT.count("        max: ") > 10
    path = tmp_path / "catalogue.yaml"
    path.write_text(TEXT.replace('place: Bắc Giang', '"place": Bắc Giang'), encoding="utf-8")
    assert load_catalogue(path).fingerprint == cat.fingerprint


@pytest.mark.parametrize(("line", "expected", "added", "problem"), [
    (GRDP, "      - code: grdp_tang", "        maxx: 90\n",
     f"- items[I.3].indicators[grdp_tang].maxx (dòng {GRDP + 1}): khóa không được phép (viết "
     "sai tên khóa?); sửa tên hoặc xóa dòng này"),
    (9, "place: Bắc Giang", "palce: Bắc Giang\n",
     "- palce (dòng 10): khóa không được phép (viết sai tên khóa?); sửa tên hoặc xóa dòng này"),
    (23, "  target: [2025, 2030]", "  tagret: [2035]\n",
     "- years.tagret (dòng 24): khóa không được phép (viết sai tên khóa?); sửa tên hoặc xóa "
     "dòng này"),
    (19, "  IV: NHIỆM VỤ, GIẢI PHÁP CHỦ YẾU VÀ CƠ CHẾ, CHÍNH SÁCH PHÁT TRIỂN KH&CN",
     "  III: PHẦN BA\n",
     "- part_titles.III (dòng 20): tên khóa phải là một trong: 'I', 'II' hoặc 'IV'"),
    (10, "chapter_date: 2020-03-25", "fingerprint: 60f4cc799e29\n",
     "- fingerprint (dòng 11): khóa không được phép (mã này do chương trình tự tính); hãy xóa "
     "dòng này"),
])
def test_an_unknown_key_is_refused_naming_the_key_and_its_line(tmp_path, line, expected, added,
                                                               problem):
    _at(line, expected)
    message = _load_error(tmp_path, _insert_after(line, added))
    assert message.splitlines() == ["catalogue.yaml không hợp lệ:", problem]


def test_a_missing_key_is_refused_with_the_line_of_its_entry(tmp_path):
    _at(GRDP + 1, "        label: Tốc độ tăng GRDP (giá so sánh)")
    text = TEXT.replace("        label: Tốc độ tăng GRDP (giá so sánh)\n", "", 1)
    assert _load_error(tmp_path, text).splitlines()[1] == (
        f"- items[I.3].indicators[grdp_tang].label (dòng {GRDP}): thiếu khóa bắt buộc")


def test_a_bad_value_is_named_by_its_key_as_before(tmp_path):
    # A wrong value is found by its key's path (test_cli keeps this line's form).
    text = _insert_after(GRDP, "        type: text\n").replace(
        "        type: percent\n        min: -50\n        max: 100\n        decimals: 2\n"
        "        required: true\n        period: growth_mean", "        min: -50\n"
        "        max: 100\n        decimals: 2\n        required: true\n"
        "        period: growth_mean", 1)
    assert _load_error(tmp_path, text).splitlines()[1].startswith(
        "- items[I.3].indicators[grdp_tang].type: phải là một trong: 'number', 'integer'")


@pytest.mark.parametrize(("encoded", "name"), [
    (codecs.BOM_UTF8 + TEXT.encode("utf-8"), "utf-8 with BOM"),
    (TEXT.replace("\n", "\r\n").encode("utf-8"), "CRLF"),
    (codecs.BOM_UTF8 + TEXT.replace("\n", "\r\n").encode("utf-8"), "BOM and CRLF"),
    (TEXT.replace("\n", "\r\n").encode("utf-16"), "Notepad's 'Unicode': UTF-16 LE, BOM"),
    (codecs.BOM_UTF16_BE + TEXT.encode("utf-16-be"), "UTF-16 BE with BOM"),
])
def test_utf8_with_bom_crlf_and_utf16_with_bom_give_the_same_catalogue(tmp_path, cat, encoded,
                                                                        name):
    path = tmp_path / "catalogue.yaml"
    path.write_bytes(encoded)
    loaded = load_catalogue(path)
    assert loaded.fingerprint == cat.fingerprint, name
    assert loaded == cat, name
    assert loaded.agency == "SỞ KHOA HỌC VÀ CÔNG NGHỆ"


def test_decomposed_unicode_is_read_as_nfc(tmp_path, cat):
    path = tmp_path / "catalogue.yaml"
    path.write_text(unicodedata.normalize("NFD", TEXT), encoding="utf-8")
    assert load_catalogue(path) == cat


SAVE_AS = ("Hãy mở tệp bằng Notepad hoặc VS Code và lưu lại dạng UTF-8 (Notepad: File > Save "
           "As, mục Encoding chọn UTF-8; VS Code: Save with Encoding > UTF-8) rồi chạy lại.")


def test_a_windows_1258_catalogue_is_refused_naming_the_first_line_not_utf8(tmp_path):
    # Notepad's "ANSI" on a Vietnamese Windows; Ở has no one-byte code there (Notepad would
    # write '?'). Line 7 is the first with a letter outside ASCII.
    _at(7, "agency: SỞ KHOA HỌC VÀ CÔNG NGHỆ")
    message = _load_error(tmp_path, TEXT.encode("cp1258", errors="replace"))
    assert message == (
        "catalogue.yaml: tệp danh mục không phải UTF-8 (dòng 7: \"agency: S? KHOA H?C V\ufffd "
        "C\ufffdNG NGH?\"); có lẽ tệp đã được lưu bằng bảng mã khác (Windows-1258, TCVN3, "
        "VNI). " + SAVE_AS)


def test_a_line_pasted_in_tcvn3_is_refused_naming_its_line(tmp_path):
    # "Bắc" in TCVN3 (.VnTime) is B, 0xBE, c: a byte that UTF-8 does not allow there.
    _at(9, "place: Bắc Giang")
    data = TEXT.encode("utf-8").replace("place: Bắc Giang".encode(), b"place: B\xbec Giang")
    message = _load_error(tmp_path, data)
    assert message.startswith("catalogue.yaml: tệp danh mục không phải UTF-8 (dòng 9: "
                              "\"place: B\ufffdc Giang\"); có lẽ")
    assert message.endswith(SAVE_AS)


def test_utf16_without_bom_and_damaged_utf16_are_refused(tmp_path):
    assert _load_error(tmp_path, TEXT.encode("utf-16-le")) == (
        "catalogue.yaml: tệp danh mục không phải UTF-8 (có lẽ đã lưu dạng UTF-16 không có "
        "BOM). " + SAVE_AS)
    # A copy cut one byte short: its last line is half a character.
    cut = TEXT.encode("utf-16")[:-1]
    last = len(TEXT.splitlines())
    assert _load_error(tmp_path, cut).startswith(
        f"catalogue.yaml: tệp danh mục dạng UTF-16 bị hỏng (dòng {last}: ")


def test_a_control_character_is_refused_naming_its_line(tmp_path):
    _at(9, "place: Bắc Giang")
    message = _load_error(tmp_path, TEXT.replace("place: Bắc Giang", "place: Bắc\x1b Giang"))
    assert message == ("catalogue.yaml, dòng 9: có ký tự điều khiển không được phép (mã "
                       "0x001b, thường do chép từ Word hoặc Excel); hãy xóa ký tự đó rồi chạy "
                       "lại.")


@pytest.mark.parametrize(("line", "expected", "added", "message"), [
    (GRDP, "      - code: grdp_tang", "\tmax: 90\n",
     f"catalogue.yaml, dòng {GRDP + 1}, cột 1: lỗi cú pháp YAML: có ký tự Tab: YAML chỉ thụt "
     "lề bằng dấu cách. Hãy sửa rồi chạy lại."),
    (9, "place: Bắc Giang", "chapter_title: Khoa học: công nghệ\n",
     "catalogue.yaml, dòng 10, cột 24: lỗi cú pháp YAML: dấu ':' không đúng chỗ (thụt lề lệch, "
     "thiếu dấu cách sau ':', hoặc giá trị có ': ' cần đặt trong dấu nháy \"...\"). Hãy sửa "
     "rồi chạy lại."),
    (GRDP + 1, "        label: Tốc độ tăng GRDP (giá so sánh)", "       measure: lệch\n",
     f"catalogue.yaml, dòng {GRDP + 2}, cột 8: lỗi cú pháp YAML: thụt lề không thẳng hàng với "
     f"các dòng cùng cấp (trong khối bắt đầu ở dòng {I3_FIRST}). Hãy sửa rồi chạy lại."),
    (9, "place: Bắc Giang", "---\n",
     "catalogue.yaml, dòng 10, cột 1: lỗi cú pháp YAML: tệp chỉ được có một tài liệu YAML: "
     "xóa dòng '---' ở giữa tệp. Hãy sửa rồi chạy lại."),
])
def test_a_yaml_syntax_error_names_its_line_in_vietnamese(tmp_path, line, expected, added,
                                                         message):
    _at(line, expected)
    assert _load_error(tmp_path, _insert_after(line, added)) == message


def test_an_unclosed_bracket_names_where_it_opened(tmp_path):
    _at(23, "  target: [2025, 2030]")
    message = _load_error(tmp_path, TEXT.replace("[2025, 2030]", "[2025, 2030"))
    assert message == (f"catalogue.yaml, dòng {PERIODS}, cột 1: lỗi cú pháp YAML: thiếu dấu ',' "
                       "hoặc dấu đóng ngoặc (dấu ngoặc mở ở dòng 23). Hãy sửa rồi chạy lại.")


@pytest.mark.parametrize("data", [b"", b"\xef\xbb\xbf", b"\r\n\r\n", b"# chi co ghi chu\n"])
def test_an_empty_catalogue_is_refused(tmp_path, data):
    assert _load_error(tmp_path, data) == (
        "catalogue.yaml: tệp danh mục trống (không có khóa nào). Hãy lấy lại nội dung từ bản "
        "sao lưu của tệp rồi chạy lại.")


def test_a_missing_catalogue_or_a_folder_is_refused_naming_the_path(tmp_path):
    missing = tmp_path / "khong-co.yaml"
    with pytest.raises(CatalogueError) as e:
        load_catalogue(missing)
    assert str(e.value) == (f"Không tìm thấy tệp danh mục '{missing}'. Kiểm tra đường dẫn "
                            "(tùy chọn --catalogue) hoặc lấy lại tệp từ bản sao lưu.")
    folder = tmp_path / "catalogue.yaml"
    folder.mkdir()
    with pytest.raises(CatalogueError) as e:
        load_catalogue(folder)
    assert str(e.value) == (f"'{folder}' là một thư mục, không phải tệp danh mục. Hãy chỉ tới "
                            "tệp catalogue.yaml (tùy chọn --catalogue).")


def test_an_unreadable_catalogue_is_refused_naming_the_path(tmp_path, monkeypatch):
    path = tmp_path / "catalogue.yaml"
    path.write_text(TEXT, encoding="utf-8")
    path.chmod(0)
    if os.geteuid() == 0:  # root reads it anyway: refuse as the system does for others
        def denied(self, *args, **kwargs):
            raise PermissionError(errno.EACCES, "Permission denied", str(self))
        monkeypatch.setattr(type(path), "open", denied)
    with pytest.raises(CatalogueError) as e:
        load_catalogue(path)
    assert str(e.value) == (f"Không có quyền đọc tệp danh mục '{path}'. Hãy cấp quyền đọc cho "
                            "tệp (hoặc chép tệp sang thư mục của mình) rồi chạy lại.")


def test_a_huge_file_is_not_read_whole(tmp_path, monkeypatch):
    monkeypatch.setattr(load_module, "MAX_BYTES", 1000)
    path = tmp_path / "catalogue.yaml"
    path.write_text(TEXT, encoding="utf-8")
    with pytest.raises(CatalogueError, match="quá lớn"):
        load_catalogue(path)


def test_a_yaml_tag_that_runs_code_is_refused_not_run(tmp_path):
    _at(9, "place: Bắc Giang")
    message = _load_error(tmp_path, TEXT.replace(
        "place: Bắc Giang", "place: !!python/object/apply:os.system ['echo pwned']"))
    assert message == ("catalogue.yaml, dòng 9, cột 8: lỗi cú pháp YAML: thẻ '!...' không được "
                       "dùng trong danh mục. Hãy sửa rồi chạy lại.")


# --- every indicator's nature (issue 16) ------------------------------------------------------
NATURES = {  # typed by hand from the issue: what each indicator's yearly value is
    "chi_nsdp": "flow", "chi_khcn": "flow", "ty_le_chi_khcn_muc_tieu": "ratio",
    "csvc_dien_tich": "stock", "csvc_phong_thi_nghiem": "stock", "csvc_thiet_bi": "flow",
    "nv_so_luong": "in_progress", "nv_linh_vuc": "in_progress", "nv_kinh_phi": "flow",
    "nv_ung_dung": "flow", "da_trinh_do_cn": "flow", "da_cn_tien_tien": "ratio",
    "grdp_tang": "rate", "von_tang": "rate", "lao_dong_tang": "rate",
    "tfp_dong_gop_muc_tieu": "ratio", "dn_ho_tro_doi_moi": "flow", "dn_khcn": "stock",
    "bm_don_vi": "stock", "bm_nhan_luc": "stock", "bm_can_bo_huyen": "stock",
    "tc_khcn": "stock", "tc_nhan_luc": "stock", "tc_chuyen_dn": "stock",
    "shtt_don": "flow", "shtt_van_bang": "flow", "bx_co_so": "stock", "bx_thiet_bi": "stock",
    "sang_kien": "flow", "tt_cuoc": "flow", "tt_co_so": "flow", "tt_vi_pham": "flow",
    "tt_tien_phat": "flow", "tdc_kiem_dinh": "flow", "tdc_iso": "stock",
    "tdc_hop_chuan": "flow", "tdc_mau_kiem_tra": "flow", "ld_qua_dao_tao": "ratio",
    "ld_bang_cap": "ratio", "ld_trinh_do": "ratio", "ld_co_cau_nganh": "ratio",
    "tk_csdl": "stock", "sgd_giao_dich": "flow", "sgd_ket_noi": "flow",
}


def test_the_real_catalogue_gives_every_indicator_its_nature(cat: Catalogue):
    assert {code: ind.nature for code, ind in cat.indicator_by_code.items()} == NATURES
    by = cat.indicator_by_code
    assert {c: by[c].period for c, n in NATURES.items() if n in ("rate", "ratio")} == {
        "ty_le_chi_khcn_muc_tieu": "last", "da_cn_tien_tien": "mean", "grdp_tang": "growth_mean",
        "von_tang": "growth_mean", "lao_dong_tang": "growth_mean",
        "tfp_dong_gop_muc_tieu": "mean", "ld_qua_dao_tao": "last", "ld_bang_cap": "last",
        "ld_trinh_do": "last", "ld_co_cau_nganh": "last"}
    assert [c for c, ind in by.items() if ind.cumulative] == ["dn_khcn", "tc_chuyen_dn",
                                                              "tk_csdl"]
    assert by["tk_csdl"].label == "Số biểu ghi trong cơ sở dữ liệu KH&CN (lũy kế)"


def test_the_share_of_advanced_technology_is_computed_from_the_counts(cat: Catalogue):
    assert cat.indicator_by_code["da_cn_tien_tien"].years == "target"
    d = cat.derived_by_code["ty_le_cn_tien_tien"]
    assert (d.label, d.measure, d.decimals, d.period) == (
        "Tỷ lệ dự án có công nghệ tiên tiến trở lên", "%", 1, "inputs")
    assert d.formula == ("(da_trinh_do_cn.cao + da_trinh_do_cn.tien_tien) / "
                         "da_trinh_do_cn.total * 100")
    i3 = next(it for it in cat.items if it.code == "I.3")
    assert i3.tables[0].columns[-1].derived == "ty_le_cn_tien_tien"
    ii3 = next(it for it in cat.items if it.code == "II.3")
    row = next(r for r in ii3.targets if r.indicator == "da_cn_tien_tien")
    assert row.current == "ty_le_cn_tien_tien"


NV = "      - code: nv_so_luong"
NATURE_WORDS = ("flow = số phát sinh trong năm; stock = số hiện có cuối năm; rate = tốc độ "
                "tăng; ratio = tỷ lệ, cơ cấu; in_progress = số đang thực hiện trong năm")


def test_an_indicator_without_nature_is_refused_naming_it_and_its_line(tmp_path):
    _at(_line_of(NV) + 3, "        nature: in_progress")
    text = TEXT.replace(NV + "\n        label: Số nhiệm vụ KH&CN triển khai\n        measure: "
                        "nhiệm vụ\n        nature: in_progress\n", NV + "\n        label: Số nhiệm "
                        "vụ KH&CN triển khai\n        measure: nhiệm vụ\n", 1)
    assert _load_error(tmp_path, text) == (
        "catalogue.yaml không hợp lệ:\n"
        f"- items[I.2].indicators[nv_so_luong] (dòng {_line_of(NV)}): thiếu khóa 'nature' "
        "(flow | stock | rate | ratio | in_progress). Hãy thêm dòng 'nature:' ghi bản chất số "
        "liệu của chỉ tiêu: " + NATURE_WORDS)


def test_an_indicator_without_nature_is_refused_when_parsed_too(raw: dict):
    del _indicator(raw, "bx_co_so")["nature"]
    assert _error(raw).splitlines()[1:] == [
        "- items[I.6].indicators[bx_co_so]: thiếu khóa 'nature' (flow | stock | rate | ratio | "
        "in_progress). Hãy thêm dòng 'nature:' ghi bản chất số liệu của chỉ tiêu: "
        + NATURE_WORDS]


def test_an_unknown_nature_lists_the_allowed_ones_in_vietnamese(raw: dict):
    _indicator(raw, "tk_csdl")["nature"] = "luy_ke"
    assert _error(raw).splitlines()[1:] == [
        "- items[I.9].indicators[tk_csdl].nature: phải là một trong: flow | stock | rate | "
        f"ratio | in_progress ({NATURE_WORDS})"]


def test_a_rate_without_period_is_refused_naming_the_indicator_and_its_line(tmp_path):
    _at(GRDP + 9, "        period: growth_mean")
    lines = TEXT.splitlines(keepends=True)
    text = "".join(lines[:GRDP + 8] + lines[GRDP + 9:])  # without that line
    assert _load_error(tmp_path, text).splitlines()[1:] == [
        f"- items[I.3].indicators[grdp_tang] (dòng {GRDP}): chỉ tiêu nature: rate (tốc độ tăng) "
        "cần khóa 'period' (mean | growth_mean | last): số của giai đoạn là bình quân các năm "
        "(mean), tốc độ tăng bình quân (growth_mean) hay số năm cuối giai đoạn (last); hãy thêm "
        "dòng 'period:'"]


def test_a_cumulative_flow_is_refused(raw: dict):
    _indicator(raw, "sang_kien")["cumulative"] = True
    assert _error(raw).splitlines()[1:] == [
        "- items[I.6].indicators[sang_kien]: 'cumulative: true' (số lũy kế, không giảm qua các "
        "năm) chỉ dùng với nature: stock (số hiện có cuối năm), chỉ tiêu này là nature: flow "
        "(số phát sinh trong năm); hãy sửa 'nature' hoặc xóa dòng 'cumulative'"]


def test_a_stock_summed_over_years_cannot_be_declared(raw: dict):
    _indicator(raw, "bx_co_so")["period"] = "mean"
    assert _error(raw).splitlines()[1:] == [
        "- items[I.6].indicators[bx_co_so]: chỉ tiêu nature: stock (số hiện có cuối năm) không "
        "khai báo 'period': số của giai đoạn luôn là số năm cuối giai đoạn; hãy xóa dòng "
        "'period'"]
