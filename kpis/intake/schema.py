"""The interchange contract: one row per unit x year x quarter x indicator.

Declared once as data; the reader, the validator, the template and the exports all
take their column names from here.
"""

from __future__ import annotations

from kpis.core.text import fold

COLUMNS: tuple[str, ...] = (
    "province",
    "commune",
    "unit",
    "year",
    "quarter",
    "indicator",
    "numerator",
    "denominator",
    "note",
)
REQUIRED: tuple[str, ...] = COLUMNS[:-1]

HEADERS_VI: dict[str, str] = {
    "province": "Tỉnh",
    "commune": "Xã",
    "unit": "Đơn vị",
    "year": "Năm",
    "quarter": "Quý",
    "indicator": "Chỉ tiêu",
    "numerator": "Số đạt",
    "denominator": "Tổng số",
    "note": "Ghi chú",
}

# Other spellings seen in hand-made sheets; matched after fold() like the rest.
_ALIASES: dict[str, tuple[str, ...]] = {
    "province": ("tinh/thanh pho", "tinh, thanh pho"),
    "commune": ("xa/phuong", "xa, phuong", "phuong/xa"),
    "unit": ("ten don vi", "co quan, don vi", "thon/ban"),
    "indicator": ("ma chi tieu", "chi so"),
    "numerator": ("so luong dat",),
    "denominator": ("tong",),
}


def _header_keys() -> dict[str, str]:
    keys: dict[str, str] = {}
    for col in COLUMNS:
        keys[fold(col)] = col
        keys[fold(HEADERS_VI[col])] = col
        for alias in _ALIASES.get(col, ()):
            keys[fold(alias)] = col
    return keys


_HEADER_KEYS = _header_keys()


def match_header(text: str) -> str | None:
    """Canonical column for a header cell, ignoring case, spacing and diacritics."""
    key = fold(text).replace("_", " ").rstrip(":*").strip()
    return _HEADER_KEYS.get(key)
