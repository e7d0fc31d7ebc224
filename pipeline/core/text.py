"""Text hygiene for everything read from units' files: NFC Unicode, legacy encodings converted,
no control characters, bounded length. `normalise` says what it changed so the unit can be told.
"""

from __future__ import annotations

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
