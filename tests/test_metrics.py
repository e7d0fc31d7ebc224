"""Text widths in Times New Roman (core/metrics.py), worked out by hand from the font's advance
widths in thousandths of an em (12 pt: an em is 12 × 2,54 / 72 = 0,42333 cm)."""

from __future__ import annotations

import pytest

from pipeline.core.metrics import lines, widest_word_cm, width_cm

EM = 12 * 2.54 / 72


def test_bold_capitals_are_wider_than_regular_ones():
    # Bold K 778 H 778 & 833 C 722 N 722; regular K 722 H 722 & 778 C 667 N 722.
    assert width_cm("KH&CN", bold=True) == pytest.approx(3.833 * EM)
    assert width_cm("KH&CN") == pytest.approx(3.611 * EM)
    # "(%)" in bold: ( 333 % 1000 ) 333.
    assert width_cm("(%)", bold=True) == pytest.approx(1.666 * EM)


def test_digits_are_all_as_wide_and_size_scales():
    assert width_cm("2019") == pytest.approx(2.0 * EM)
    assert width_cm("2019", size=14) == pytest.approx(2.0 * 14 * 2.54 / 72)


def test_vietnamese_letters_are_as_wide_as_their_base_letter_except_the_horned_ones():
    assert width_cm("ế") == width_cm("e")  # e 444 with a circumflex and an acute
    assert width_cm("Ặ", bold=True) == width_cm("A", bold=True)
    assert width_cm("ờ") == pytest.approx(0.529 * EM)  # o with a horn: 529, not o's 500
    assert width_cm("ự", bold=True) == pytest.approx(0.600 * EM)
    assert width_cm("đ", bold=True) == pytest.approx(0.556 * EM)


def test_an_unlisted_character_counts_wide():
    assert width_cm("→") == pytest.approx(0.6 * EM)


def test_the_widest_word_splits_at_spaces_only():
    # "2016-2019" is one word: 8 digits (500) and a hyphen (333) in bold.
    assert widest_word_cm("Giai đoạn 2016-2019", bold=True) == pytest.approx(4.333 * EM)
    assert widest_word_cm("") == 0.0


def test_lines_wrap_whole_words_keep_line_breaks_and_break_a_word_too_long():
    # "aaaa" is 4 × 444 = 1776 thousandths: 0,7518 cm; with a space (250) two take 1,6095 cm.
    assert lines("aaaa aaaa", 1.7) == 1
    assert lines("aaaa aaaa aaaa", 1.7) == 2
    assert lines("aaaa\naaaa", 5.0) == 2
    assert lines("", 2.0) == 1
    # A 20-letter word (3,759 cm) in 1,5 cm takes 3 lines, the next word starts a fourth.
    assert lines("a" * 20 + " aaaa", 1.5) == 4
