"""Text normalisation for Vietnamese names typed by hand.

Staff retype names without a Vietnamese keyboard, in decomposed or composed Unicode,
with odd spacing and with or without "Xã"/"Tỉnh"/"Thôn"/"Bản". name_key() folds all of
that away so two spellings of one place compare equal; display keeps the first spelling.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

_PREFIXES = ("tinh", "thanh pho", "tp", "xa", "phuong", "dac khu", "thi tran", "thon", "ban", "to dan pho", "to")
_PREFIX_RE = re.compile(r"^(?:" + "|".join(re.escape(p) for p in _PREFIXES) + r")[\s.]+")
_SPACE_RE = re.compile(r"\s+")


def nfc(text: str) -> str:
    if text.isascii() or unicodedata.is_normalized("NFC", text):
        return text
    return unicodedata.normalize("NFC", text)


@lru_cache(maxsize=1 << 16)  # a file repeats a few names thousands of times
def fold(text: str) -> str:
    """Lower-case ASCII skeleton: no diacritics, đ -> d, single spaces, trimmed."""
    decomposed = unicodedata.normalize("NFD", _apostrophes(text).replace("đ", "d").replace("Đ", "D"))
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


# The five tone marks. Vietnamese writes one per syllable, but on which vowel is a matter of style:
# the official list itself has "Hoà An" (Tuyên Quang) and "Hòa An" (Cao Bằng). The other marks
# (breve, circumflex, horn) and đ tell names apart: "Văn Lang" and "Văn Lăng" are two communes.
_TONES = frozenset("\u0300\u0301\u0303\u0309\u0323")  # huyền, sắc, ngã, hỏi, nặng
_WORD_RE = re.compile(r"\S+")


def _apostrophes(text: str) -> str:
    """Ea H'leo, Ea H’leo and Ea Hʼleo are one name."""
    return text.replace("\u2019", "'").replace("\u2018", "'").replace("\u02bc", "'")


def _tone_last(word: str) -> str:
    marks = "".join(ch for ch in word if ch in _TONES)  # the tone mark, moved to the end of the word
    return "".join(ch for ch in word if ch not in _TONES) + marks


@lru_cache(maxsize=1 << 16)
def tone_key(text: str, strip_prefix: bool = False) -> str:
    """Key that keeps every diacritic but not where a syllable's tone mark sits: Hoà = Hòa, Thuỷ = Thủy.

    Case, spacing and the Unicode form are folded as in name_key; each word's tone mark moves to its end.
    """
    decomposed = unicodedata.normalize("NFD", _apostrophes(text).replace("\u00a0", " ")).casefold()
    words = [_tone_last(w) for w in _WORD_RE.findall(decomposed)]
    if strip_prefix:  # drop as many words as name_key's prefix has, if they are that prefix, tones and all
        dropped = len(name_key(text).split()) - len(name_key(text, strip_prefix=True).split())
        if 0 < dropped < len(words) and _is_prefix(words[:dropped]):
            words = words[dropped:]
    return unicodedata.normalize("NFC", " ".join(words))


def _is_prefix(words: list[str]) -> bool:
    """ "Phường" and "Xã" are prefixes, "Phương" (Phương Liệt) and "Tô" (Tô Hiệu) are not; "xa", typed
    without diacritics, may be either, and is taken as the prefix."""
    typed = "".join(unicodedata.normalize("NFC", " ".join(words)).split(".")).strip()
    return typed.isascii() or typed in _PREFIX_TONE_KEYS


_PREFIX_TONE_KEYS = frozenset(
    unicodedata.normalize("NFC", " ".join(_tone_last(w) for w in unicodedata.normalize("NFD", p).split()))
    for p in ("tỉnh", "thành phố", "xã", "phường", "đặc khu", "thị trấn", "thôn", "bản", "tổ dân phố", "tổ")
)


@lru_cache(maxsize=1 << 16)
def clean_display(text: str) -> str:
    """The spelling we keep for display: NFC, single spaces, trimmed."""
    return _SPACE_RE.sub(" ", nfc(text).replace("\u00a0", " ")).strip()


# --- characters a cell must not hold ------------------------------------------------------------
# A name is a key: two names that look the same must be the same name. Control characters break
# the exports (openpyxl refuses them, ESC reaches a terminal); invisible and direction characters,
# and letters of another script that look Latin (Cyrillic "С"), make a second unit that displays
# exactly like the first. The person is told which character, where, and to delete it or retype.

_C0_NAMES = (
    "NUL SOH STX ETX EOT ENQ ACK BEL BS HT LF VT FF CR SO SI DLE DC1 DC2 DC3 DC4 NAK SYN ETB CAN EM SUB ESC FS GS RS US"
).split()
_C1_NAMES = (
    "PAD HOP BPH NBH IND NEL SSA ESA HTS HTJ VTS PLD PLU RI SS2 SS3 DCS PU1 PU2 STS CCH MW SPA EPA SOS SGCI SCI CSI ST OSC PM APC"
).split()
_ALLOWED_CONTROLS = frozenset("\t\n\r")  # a tab or a line break inside a cell (Alt+Enter) is folded to a space
_ASCII_CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# Letters that draw nothing but are not format characters (Hangul fillers, Braille blank, Khmer
# inherent vowels, the combining grapheme joiner, Mongolian variation selectors).
_INVISIBLE = frozenset([0x034F, 0x115F, 0x1160, 0x17B4, 0x17B5, 0x180B, 0x180C, 0x180D, 0x180E, 0x180F, 0x2800, 0x3164, 0xFFA0])
# The letters of Vietnamese and of the minority names written in its alphabet: Latin (Basic, Latin-1,
# Extended-A/B, Extended Additional), the spacing modifiers (ʼ in H'Mông) and the combining marks
# that NFC leaves when a name carries an unusual stack of tone marks.
_NAME_RANGES = ((0x41, 0x5A), (0x61, 0x7A), (0xC0, 0x24F), (0x2B0, 0x2FF), (0x300, 0x36F), (0x1E00, 0x1EFF))
SHOWN_CONTEXT = 20  # characters shown either side of the one found


def char_name(ch: str) -> str:
    """ESC, BEL, NEL... for control characters (unicodedata has no name for them), else the Unicode name."""
    o = ord(ch)
    if o < 0x20:
        return _C0_NAMES[o]
    if o == 0x7F:
        return "DEL"
    if 0x80 <= o <= 0x9F:
        return _C1_NAMES[o - 0x80]
    category = unicodedata.category(ch)
    if category == "Co":
        return "PRIVATE USE"
    if category == "Cs":
        return "SURROGATE"
    return unicodedata.name(ch, "UNASSIGNED")


def _is_name_letter(o: int) -> bool:
    return any(low <= o <= high for low, high in _NAME_RANGES)


def _shown(text: str, i: int, mark: str) -> str:
    """The text around position i with the character found written as mark, so the person can find it."""
    start, end = max(0, i - SHOWN_CONTEXT), min(len(text), i + 1 + SHOWN_CONTEXT)
    head = ("…" if start else "") + text[start:i]
    tail = text[i + 1 : end] + ("…" if end < len(text) else "")
    return _ASCII_CONTROL_RE.sub(" ", head + mark + tail)  # only the first bad character is marked


def _issue(code: str, text: str, i: int, mark: str | None = None) -> tuple[str, dict[str, object]]:
    ch = text[i]
    name = char_name(ch)
    params = {"char": f"U+{ord(ch):04X}", "name": name, "position": i + 1}
    params["shown"] = _shown(text, i, mark or f"[{name if len(name) <= 4 else params['char']}]")
    return code, params


def text_issue(text: str, name: bool = True) -> tuple[str, dict[str, object]] | None:
    """The first character this cell must not hold, as (code, params), or None when the text is clean.

    Every text: control characters other than tab and line breaks (text_control), format, invisible,
    unassigned and private-use characters (text_invisible). A name (name=True) must also be written in
    Vietnamese letters and ASCII digits: a letter of another script is text_script, even when it looks
    the same. Punctuation and symbols are allowed: '=', '+', '@' are text here, escaped on export.
    """
    if text.isascii():
        m = _ASCII_CONTROL_RE.search(text)
        return _issue("text_control", text, m.start()) if m else None
    for i, ch in enumerate(text):
        o = ord(ch)
        if o < 0x80:
            if (o < 0x20 and ch not in _ALLOWED_CONTROLS) or o == 0x7F:
                return _issue("text_control", text, i)
            continue
        category = unicodedata.category(ch)
        if category == "Cc":
            return _issue("text_control", text, i)
        if category in ("Cf", "Cn", "Co", "Cs") or o in _INVISIBLE or 0xFE00 <= o <= 0xFE0F or 0xE0100 <= o <= 0xE01EF:
            return _issue("text_invisible", text, i)
        if name and category[0] in "LMN" and category not in ("No",) and not _is_name_letter(o):
            return _issue("text_script", text, i, f"[{ch}]")
    return None
