"""Text hygiene for everything read from units' files: NFC Unicode, legacy encodings converted,
no control characters, bounded length. `normalise` says what it changed so the unit can be told.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata

from pipeline.core.legacy import to_unicode

# C0 controls other than tab/newline, DEL and C1 controls; Word and Excel cannot hold them.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
MAX_CELL_CHARS = 5_000
"""Longer text is cut (a form cell holds a short note, not a document)."""


def normalise(value: str, limit: int = MAX_CELL_CHARS) -> tuple[str, list[str]]:
    """(clean text, changes) where changes names what was done: 'tcvn3', 'vni' or 'nfd'
    (converted to NFC Unicode), 'control' (control characters replaced), 'truncated'."""
    changes: list[str] = []
    # The soft hyphen is TCVN3's 'ư': detect legacy text before touching any character.
    text, kind = to_unicode(value)
    if kind:
        changes.append(kind)
    cleaned = _CONTROL.sub(" ", text)
    if cleaned != text:
        changes.append("control")
    if len(cleaned) > limit:
        cleaned = cleaned[:limit]
        changes.append("truncated")
    return unicodedata.normalize("NFC", cleaned), changes


_SURROGATE = re.compile(r"[\udc80-\udcff]")
_NAME_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")  # no tab or newline in a name either
MAX_SHOWN_CHARS = 120
"""A name longer than this is shown cut in the middle (its start and its suffix kept)."""


def shown_name(name: str, limit: int = MAX_SHOWN_CHARS) -> str:
    """A file name as it can be shown, written into a report or kept in a database.

    A name that is not valid UTF-8 (a zip made on Windows, unpacked here) reaches Python with
    each undecodable byte as a lone surrogate (PEP 383); such a name cannot be printed or
    encoded. Each of those bytes is written as \\xNN, control characters as '?', the rest is
    NFC. A very long name keeps its start and its last 20 characters (the suffix), joined by
    '…'. The real path is kept apart to open the file; this is only how it is named.
    """
    text = _SURROGATE.sub(lambda m: f"\\x{ord(m.group()) - 0xDC00:02x}", name)
    text = unicodedata.normalize("NFC", _NAME_CONTROL.sub("?", text))
    if len(text) > limit:
        text = f"{text[:limit - 21]}…{text[-20:]}"
    return text


_RESERVED = re.compile(r'[<>:"/\\|?*\x00-\x1f\x7f]')  # not allowed in a Windows file name
MAX_NAME_BYTES = 150  # far below every file system's 255, leaving room for a folder's path


def output_name(stem: str, suffix: str, max_bytes: int = MAX_NAME_BYTES) -> str:
    """A file name for an output derived from a unit's file name: printable (`shown_name`),
    valid on Windows and Linux, and at most `max_bytes` in UTF-8. A name that had to be cut
    gets 6 characters of a hash of the whole stem, so two long names never collide."""
    clean = _RESERVED.sub("_", shown_name(stem, limit=10_000)).strip(" ").rstrip(".")
    # never hidden (".x"), never taken for an option by another program ("-x")
    clean = "_" + clean[1:] if clean.startswith((".", "-")) else clean or "tep"
    if len((clean + suffix).encode("utf-8")) <= max_bytes:
        return clean + suffix
    tag = "-" + hashlib.sha1(stem.encode("utf-8", "surrogateescape")).hexdigest()[:6]
    room = max_bytes - len((tag + suffix).encode("utf-8"))
    cut = clean.encode("utf-8")[:room].decode("utf-8", "ignore").rstrip(" .")
    return cut + tag + suffix
