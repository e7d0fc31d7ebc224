"""Unit tests of pipeline/core/text.py: normalise() gives NFC Unicode text, converts legacy
TCVN3/VNI text, replaces control characters, cuts text at the limit, and names each change."""

from __future__ import annotations

import unicodedata

import pytest

from pipeline.core.text import MAX_CELL_CHARS, normalise


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
