"""Text normalisation for Vietnamese names typed by hand.

Staff retype names without a Vietnamese keyboard, in decomposed or composed Unicode,
with odd spacing and with or without "Xã"/"Tỉnh"/"Thôn"/"Bản". name_key() folds all of
that away so two spellings of one place compare equal; display keeps the first spelling.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

_PREFIXES = ("tinh", "thanh pho", "tp", "xa", "phuong", "thi tran", "thon", "ban", "to dan pho", "to")
_PREFIX_RE = re.compile(r"^(?:" + "|".join(re.escape(p) for p in _PREFIXES) + r")[\s.]+")
_SPACE_RE = re.compile(r"\s+")


def nfc(text: str) -> str:
    if text.isascii() or unicodedata.is_normalized("NFC", text):
        return text
    return unicodedata.normalize("NFC", text)


@lru_cache(maxsize=1 << 16)  # a file repeats a few names thousands of times
def fold(text: str) -> str:
    """Lower-case ASCII skeleton: no diacritics, đ -> d, single spaces, trimmed."""
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return _SPACE_RE.sub(" ", bare.replace("\u00a0", " ")).strip().casefold()


@lru_cache(maxsize=1 << 16)
def name_key(text: str, strip_prefix: bool = False) -> str:
    """Key for matching a place or unit name; optionally without its administrative prefix."""
    key = fold(text)
    if strip_prefix:
        stripped = _PREFIX_RE.sub("", key, count=1)
        key = stripped or key
    return key


@lru_cache(maxsize=1 << 16)
def clean_display(text: str) -> str:
    """The spelling we keep for display: NFC, single spaces, trimmed."""
    return _SPACE_RE.sub(" ", nfc(text).replace("\u00a0", " ")).strip()
