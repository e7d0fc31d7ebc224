"""Legacy Vietnamese text: TCVN3 (ABC, .VnTime fonts), VNI (VNI-Times) and decomposed Unicode.

Some units still type with legacy fonts: the file then holds Latin-1 look-alikes ("Tæng quan",
"chaøo") that only the old font displays as Vietnamese. `to_unicode` detects such text and
converts it to NFC Unicode; the caller reports the change to the unit as a warning.

Detection is conservative: text holding any character that exists only in Unicode Vietnamese
(ă, ơ, ư, đ, the U+1EA0-U+1EF9 block) is taken as Unicode; TCVN3 needs one of its symbol
codes (µ ¸ ¶ · ¹ ¨ © ª « ¬ ® ¡-§ » ¼ ½ ¾ Þ ÷ þ, the soft hyphen that is its 'ư', or a
capital-looking code inside a lower-case word, "rÊt"); Ð alone is not proof, since Unicode
text often has it by mistake for Đ;
VNI needs a vowel followed by one of its mark codes that no Vietnamese letter uses.
"""

from __future__ import annotations

import re
import unicodedata

# The 134 Vietnamese letters with diacritics, in a fixed order shared by the tables below.
_UNICODE = (
    "À Á Â Ã È É Ê Ì Í Ò Ó Ô Õ Ù Ú Ý à á â ã è é ê ì í ò ó ô õ ù ú ý Ă ă Đ đ Ĩ ĩ Ũ ũ Ơ ơ Ư ư "
    "Ạ ạ Ả ả Ấ ấ Ầ ầ Ẩ ẩ Ẫ ẫ Ậ ậ Ắ ắ Ằ ằ Ẳ ẳ Ẵ ẵ Ặ ặ Ẹ ẹ Ẻ ẻ Ẽ ẽ Ế ế Ề ề Ể ể Ễ ễ Ệ ệ Ỉ ỉ Ị ị "
    "Ọ ọ Ỏ ỏ Ố ố Ồ ồ Ổ ổ Ỗ ỗ Ộ ộ Ớ ớ Ờ ờ Ở ở Ỡ ỡ Ợ ợ Ụ ụ Ủ ủ Ứ ứ Ừ ừ Ử ử Ữ ữ Ự ự Ỳ ỳ Ỵ ỵ Ỷ ỷ Ỹ ỹ"
).split()

# TCVN3: one byte per lower-case letter; an upper-case letter is written as its base capital
# (A, Ă=¡, Â=¢, Ê=£, Ô=¤, Ơ=¥, Ư=¦) followed by the lower-case tone code.
_TCVN3 = (
    "Aµ A¸ ¢ A· EÌ EÐ £ I× IÝ Oß Oã ¤ Oâ Uï Uó Yý µ ¸ © · Ì Ð ª × Ý ß ã « â ï ó ý ¡ ¨ § ® "
    "IÜ Ü Uò ò ¥ ¬ ¦ \xad A¹ ¹ A¶ ¶ ¢Ê Ê ¢Ç Ç ¢È È ¢É É ¢Ë Ë ¡¾ ¾ ¡» » ¡¼ ¼ ¡½ ½ ¡Æ Æ "
    "EÑ Ñ EÎ Î EÏ Ï £Õ Õ £Ò Ò £Ó Ó £Ô Ô £Ö Ö IØ Ø IÞ Þ Oä ä Oá á ¤è è ¤å å ¤æ æ ¤ç ç ¤é é "
    "¥í í ¥ê ê ¥ë ë ¥ì ì ¥î î Uô ô Uñ ñ ¦ø ø ¦õ õ ¦ö ö ¦÷ ÷ ¦ù ù Yú ú Yþ þ Yû û Yü ü"
).split(" ")

# VNI: a base letter followed by mark codes (ø ù â õ ï û á à å ã ä ê é è ú ü ë, upper-cased
# after a capital); a few letters have a code of their own (đ=ñ, ơ=ô, ư=ö, ĩ=ó, ỉ=æ, ị=ò, ỵ=î).
_VNI = (
    "AØ AÙ AÂ AÕ EØ EÙ EÂ Ì Í OØ OÙ OÂ OÕ UØ UÙ YÙ aø aù aâ aõ eø eù eâ ì í oø où oâ oõ uø uù "
    "yù AÊ aê Ñ ñ Ó ó UÕ uõ Ô ô Ö ö AÏ aï AÛ aû AÁ aá AÀ aà AÅ aå AÃ aã AÄ aä AÉ aé AÈ aè AÚ aú "
    "AÜ aü AË aë EÏ eï EÛ eû EÕ eõ EÁ eá EÀ eà EÅ eå EÃ eã EÄ eä Æ æ Ò ò OÏ oï OÛ oû OÁ oá "
    "OÀ oà OÅ oå OÃ oã OÄ oä ÔÙ ôù ÔØ ôø ÔÛ ôû ÔÕ ôõ ÔÏ ôï UÏ uï UÛ uû ÖÙ öù ÖØ öø ÖÛ öû "
    "ÖÕ öõ ÖÏ öï YØ yø Î î YÛ yû YÕ yõ"
).split()

if not len(_UNICODE) == len(_TCVN3) == len(_VNI) == 134:  # the tables are edited by hand
    raise RuntimeError("core/legacy.py: the TCVN3, VNI and Unicode tables are out of step")


def _pattern(table: dict[str, str]) -> re.Pattern[str]:
    keys = sorted(table, key=len, reverse=True)  # longest first: "¢Ê" before "¢"
    return re.compile("|".join(re.escape(k) for k in keys))


_TCVN3_MAP = dict(zip(_TCVN3, _UNICODE))
_VNI_MAP = dict(zip(_VNI, _UNICODE))
_TCVN3_RE = _pattern(_TCVN3_MAP)
_VNI_RE = _pattern(_VNI_MAP)

_TCVN3_MARKERS = re.compile("[µ¸¶·¹¨©ª«¬®¡¢£¤¥¦§»¼½¾Þ÷þ\xad]|[a-z][ÇÈÉÊËÌÎÏÑÒÓÔÕÖ×Ø]")
_VNI_MARKERS = re.compile("[AaEeIiOoUuYyÔôÖö][øØùÙïÏûÛåÅäÄüÜëË]")

ENCODING_NAMES = {"tcvn3": "TCVN3 (ABC)", "vni": "VNI", "nfd": "Unicode tổ hợp (NFD)"}


def detect(text: str) -> str | None:
    """'tcvn3', 'vni', 'nfd' or None for text that is already NFC Unicode (or plain ASCII)."""
    if text.isascii():
        return None
    if not unicodedata.is_normalized("NFC", text):
        return "nfd"
    # â, ê, ô are also TCVN3/VNI codes; only the letters below are proof of Unicode.
    if re.search("[ăđơưĂĐƠƯ\u1ea0-\u1ef9]", text):
        return None
    if _TCVN3_MARKERS.search(text):
        return "tcvn3"
    if _VNI_MARKERS.search(text):
        return "vni"
    return None


def to_unicode(text: str) -> tuple[str, str | None]:
    """(NFC text, detected legacy encoding or None when the text was already Unicode)."""
    kind = detect(text)
    if kind == "tcvn3":
        return _TCVN3_RE.sub(lambda m: _TCVN3_MAP[m.group(0)], text), kind
    if kind == "vni":
        return _VNI_RE.sub(lambda m: _VNI_MAP[m.group(0)], text), kind
    if kind == "nfd":
        return unicodedata.normalize("NFC", text), kind
    return text, None
