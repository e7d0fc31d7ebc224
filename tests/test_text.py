"""Unit tests of pipeline/core/text.py: normalise() gives NFC Unicode text, converts legacy
TCVN3/VNI text, replaces control characters, cuts text at the limit, and names each change."""

from __future__ import annotations

import unicodedata

import pytest

from pipeline.core.text import MAX_CELL_CHARS, normalise, output_name, shown_name


@pytest.mark.parametrize("text", ["Hà Nội", "Chi ngân sách cho KH&CN", "1.234,5", "",
                                  "Đặng Thị Ưng", "line 1\nline 2\tcột"])
def test_clean_text_is_kept_with_no_change(text: str):
    assert normalise(text) == (text, [])


def test_tcvn3_text_is_converted():
    assert normalise("Khoa häc vµ c«ng nghÖ") == ("Khoa học và công nghệ", ["tcvn3"])


def test_vni_text_is_converted():
    assert normalise("Khoa hoïc vaø coâng ngheä") == ("Khoa học và công nghệ", ["vni"])
    assert normalise("chaøo") == ("chào", ["vni"])


def test_decomposed_unicode_is_composed():
    text, changes = normalise("Vie\u0302\u0323t Nam")
    assert text == "Vi\u1ec7t Nam"  # "Việt Nam", one code point for ệ
    assert changes == ["nfd"]
    assert unicodedata.is_normalized("NFC", text)


@pytest.mark.parametrize(("raw", "clean"), [
    ("a\x00b\x07c", "a b c"),
    ("x\x1fy", "x y"),
    ("x\x7fy", "x y"),  # DEL
    ("x\x85y", "x y"),  # a C1 control (NEL)
    ("a\r\nb", "a \nb"),  # a carriage return is replaced, the newline kept
    ("\x0b\x0c", "  "),  # vertical tab, form feed
])
def test_control_characters_become_spaces(raw: str, clean: str):
    assert normalise(raw) == (clean, ["control"])


def test_tab_and_newline_are_not_control_characters_here():
    assert normalise("a\tb\nc") == ("a\tb\nc", [])


def test_the_limit_is_five_thousand_characters():
    assert MAX_CELL_CHARS == 5000


def test_text_at_the_limit_is_kept_whole():
    text = "x" * 5000
    assert normalise(text) == (text, [])


def test_text_over_the_limit_is_cut_and_says_so():
    text, changes = normalise("x" * 4999 + "yz")
    assert text == "x" * 4999 + "y"
    assert len(text) == 5000
    assert changes == ["truncated"]


def test_a_smaller_limit_can_be_given():
    assert normalise("abcdef", limit=3) == ("abc", ["truncated"])
    assert normalise("abc", limit=3) == ("abc", [])


def test_decomposed_text_is_measured_after_composition():
    # 5,000 letters ê written as e + combining circumflex: 10,000 code points, 5,000 letters.
    text, changes = normalise("e\u0302" * 5000)
    assert text == "\u00ea" * 5000
    assert changes == ["nfd"]


def test_changes_are_named_in_order_legacy_control_truncated():
    raw = "Khoa häc vµ c«ng nghÖ\x07" + "x" * 10
    text, changes = normalise(raw, limit=25)
    assert text == "Khoa học và công nghệ xxx"
    assert changes == ["tcvn3", "control", "truncated"]


def test_a_name_that_is_not_utf8_is_shown_with_its_bytes_escaped():
    import os

    name = os.fsdecode(b"KHTC_b\xe1o_c\xe1o.xlsx")  # cp1258 bytes of an archive from Windows
    assert shown_name(name) == "KHTC_b\\xe1o_c\\xe1o.xlsx"
    shown_name(name).encode("utf-8")  # printable, storable


def test_control_characters_in_a_name_are_shown_as_question_marks():
    assert shown_name("KHTC\nso\x07lieu.xlsx") == "KHTC?so?lieu.xlsx"


def test_a_decomposed_name_is_shown_composed():
    assert shown_name("Bie\u0302\u0309u.xlsx") == "Bi\u1ec3u.xlsx"


def test_a_long_name_keeps_its_start_and_suffix():
    name = "KHTC_" + "a" * 300 + "_ban_cuoi.xlsx"
    shown = shown_name(name)
    assert len(shown) == 120
    assert shown.startswith("KHTC_aaa") and shown.endswith("a_ban_cuoi.xlsx")
    assert "…" in shown


def test_an_output_name_is_kept_when_it_is_short_and_clean():
    assert output_name("KHTC_so_lieu", "_gop_y.xlsx") == "KHTC_so_lieu_gop_y.xlsx"


def test_an_output_name_has_no_character_windows_refuses():
    import os

    stem = os.fsdecode(b"KHTC b\xe1o: c\xe1o?")
    assert output_name(stem, ".xlsx") == "KHTC b_xe1o_ c_xe1o_.xlsx"


def test_a_long_output_name_is_cut_by_bytes_and_tagged():
    stem = "Báo cáo số liệu khoa học công nghệ " * 10  # 2-3 bytes a letter in UTF-8
    name = output_name(stem, "_gop_y.xlsx")
    assert len(name.encode("utf-8")) <= 150
    assert name.startswith("Báo cáo số liệu khoa học")
    assert name.endswith("_gop_y.xlsx")
    # another long stem with the same start gets another name
    assert output_name(stem + "v2", "_gop_y.xlsx") != name


def test_an_output_name_of_a_hidden_file_is_not_hidden_and_not_another_files_name():
    assert output_name(".QLCS_x", "_gop_y.xlsx") == "_QLCS_x_gop_y.xlsx"
    assert output_name("-KHTC", "_gop_y.xlsx") == "_KHTC_gop_y.xlsx"
