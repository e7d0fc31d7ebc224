"""How much room text takes in Times New Roman, the chapter's font: the width of a word or a
line, and the lines a paragraph wraps to in a given width. Table columns are sized from these
(core/word.py `fit_widths`), so that no word of a header is split and no number wraps.

The widths are the font's own advance widths (Adobe's Times metrics, which Liberation Serif,
LibreOffice's stand-in for Times New Roman, shares glyph for glyph), in thousandths of an em.
A Vietnamese letter is as wide as its base letter (its marks sit above or below it) except
for the horned ơ and ư; a character not listed counts as a wide 0,6 em, so that an estimate
errs on the wide side.
"""

from __future__ import annotations

import math
import unicodedata
from functools import cache

_ASCII = "".join(chr(c) for c in range(32, 127))
_REGULAR = dict(zip(_ASCII, (
    250, 333, 408, 500, 500, 833, 778, 180, 333, 333, 500, 564, 250, 333, 250, 278,
    500, 500, 500, 500, 500, 500, 500, 500, 500, 500, 278, 278, 564, 564, 564, 444,
    921, 722, 667, 667, 722, 611, 556, 722, 722, 333, 389, 722, 611, 889, 722, 722,
    556, 722, 667, 556, 611, 722, 722, 944, 722, 722, 611, 333, 278, 333, 469, 500,
    333, 444, 500, 444, 500, 444, 333, 500, 500, 278, 278, 500, 278, 778, 500, 500,
    500, 500, 333, 389, 278, 500, 500, 722, 500, 500, 444, 480, 200, 480, 541,
), strict=True)) | {"ơ": 529, "ư": 542, "Ơ": 722, "Ư": 776, "đ": 500, "Đ": 722, "–": 500,
                    "—": 1000, "“": 444, "”": 444, "‘": 333, "’": 333, "…": 1000, "²": 300,
                    "³": 300, "×": 564, "°": 400}
_BOLD = dict(zip(_ASCII, (
    250, 333, 555, 500, 500, 1000, 833, 278, 333, 333, 500, 570, 250, 333, 250, 278,
    500, 500, 500, 500, 500, 500, 500, 500, 500, 500, 333, 333, 570, 570, 570, 500,
    930, 722, 667, 722, 722, 667, 611, 778, 778, 389, 500, 778, 667, 944, 722, 778,
    611, 778, 722, 556, 667, 722, 722, 1000, 722, 722, 667, 333, 278, 333, 581, 500,
    333, 500, 556, 444, 556, 444, 333, 500, 556, 278, 333, 556, 278, 833, 556, 500,
    556, 556, 444, 389, 333, 556, 500, 722, 500, 500, 444, 394, 220, 394, 520,
), strict=True)) | {"ơ": 554, "ư": 600, "Ơ": 778, "Ư": 796, "đ": 556, "Đ": 722, "–": 500,
                    "—": 1000, "“": 500, "”": 500, "‘": 333, "’": 333, "…": 1000, "²": 300,
                    "³": 300, "×": 570, "°": 400}
_UNKNOWN = 600
_HORN = "\u031b"
CM_PER_POINT = 2.54 / 72


@cache
def _glyph(ch: str, bold: bool) -> int:
    """The advance width of one character, in thousandths of an em."""
    table = _BOLD if bold else _REGULAR
    if ch in table:
        return table[ch]
    parts = unicodedata.normalize("NFD", ch)
    base = unicodedata.normalize("NFC", parts[0] + (_HORN if _HORN in parts else ""))
    return table.get(base, _UNKNOWN)


def width_cm(text: str, size: float = 12, bold: bool = False) -> float:
    """The width of `text` on one line at `size` points, in cm: "KH&CN" in bold 12 pt is
    (778 + 778 + 833 + 722 + 722) / 1000 em × 12 pt = 1,62 cm."""
    return sum(_glyph(ch, bold) for ch in text) / 1000 * size * CM_PER_POINT


def widest_word_cm(text: str, size: float = 12, bold: bool = False) -> float:
    """The width of the widest word of `text` (words split at spaces only: a number, a year
    span "2016-2019" or "KH&CN" is never broken), in cm; 0 for no word."""
    return max((width_cm(w, size, bold) for w in text.split()), default=0.0)


def lines(text: str, room_cm: float, size: float = 12, bold: bool = False) -> int:
    """The lines `text` takes in `room_cm` (its own line breaks kept; words moved whole to the
    next line; a word wider than the room broken over as many lines as it needs); 1 for no
    text."""
    space = width_cm(" ", size, bold)
    count = 0
    for paragraph in text.split("\n"):
        count, used = count + 1, 0.0
        for word in paragraph.split():
            w = width_cm(word, size, bold)
            if used and used + space + w > room_cm:
                count, used = count + 1, 0.0
            if used:
                used += space + w
            else:
                extra = max(0, math.ceil(w / room_cm) - 1) if room_cm > 0 else 0
                count, used = count + extra, w - extra * room_cm
    return count
