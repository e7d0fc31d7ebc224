"""Text hygiene for everything read from units' files: NFC Unicode, no control characters."""

from __future__ import annotations

import re
import unicodedata

# C0 controls other than tab/newline, DEL and C1 controls; Word and Excel cannot hold them.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def clean_text(value: str) -> str:
    """NFC-normalise and replace control characters by a space."""
    return _CONTROL.sub(" ", unicodedata.normalize("NFC", value))
