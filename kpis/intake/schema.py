"""The interchange contract: one row per unit x year x quarter x indicator.

Declared once as data; the reader, the validator, the template and the exports all
take their column names from here.
"""

from __future__ import annotations

import re

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
# The province may be left out (column or cell) when every row's commune is found without it: by its code,
# by a name only one province has, or by the writer's scope (kpis.intake.locate).
REQUIRED: tuple[str, ...] = tuple(c for c in COLUMNS if c not in ("province", "note"))
# Optional codes beside the names (national statistics codes): a code and a name that disagree are refused.
# A file may also give a commune's code instead of its name, in the commune column or here alone.
CODE_COLUMNS: tuple[str, ...] = ("province_code", "commune_code")

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
    "province_code": "Mã tỉnh",
    "commune_code": "Mã xã",
    "rate": "Tỷ lệ (%)",
}
# A form's percentage beside the counts: checked against them, never stored (the counts are what sums need).
FORM_COLUMNS: tuple[str, ...] = ("rate",)

# Other spellings seen in hand-made sheets; matched after fold() like the rest.
_ALIASES: dict[str, tuple[str, ...]] = {
    "province": ("tinh/thanh pho", "tinh, thanh pho"),
    "commune": ("xa/phuong", "xa, phuong", "phuong/xa"),
    "unit": ("ten don vi", "co quan, don vi", "thon/ban"),
    "indicator": ("ma chi tieu", "chi so", "noi dung chi tieu", "ten chi tieu", "cac chi tieu"),
    "numerator": ("so luong dat", "thuc hien", "ket qua", "ket qua thuc hien", "so da thuc hien", "da thuc hien"),
    "denominator": ("tong", "ke hoach", "so phai thuc hien", "tong so phai thuc hien", "chi tieu ke hoach"),
    "rate": ("ty le", "ty le %", "ty le (%)", "ty le dat", "ty le dat (%)", "ty le dat %", "%", "(%)", "rate"),
    "province_code": ("ma tinh/thanh pho", "ma tinh, thanh pho", "ma so tinh", "province code"),
    "commune_code": (
        "ma xa/phuong",
        "ma xa, phuong",
        "ma phuong/xa",
        "ma so xa",
        "ma dvhc",
        "ma don vi hanh chinh",
        "commune code",
    ),  # fmt: skip
}


def _header_keys() -> dict[str, str]:
    keys: dict[str, str] = {}
    for col in (*COLUMNS, *CODE_COLUMNS, *FORM_COLUMNS):
        keys[fold(col).replace("_", " ")] = col
        keys[fold(HEADERS_VI[col])] = col
        for alias in _ALIASES.get(col, ()):
            keys[fold(alias)] = col
    return keys


_HEADER_KEYS = _header_keys()


def match_header(text: str) -> str | None:
    """Canonical column for a header cell, ignoring case, spacing and diacritics."""
    key = fold(text).replace("_", " ").rstrip(":*").strip()
    return _HEADER_KEYS.get(key)


_UNIT_HEADER = re.compile(
    r"^(?:ten\s+)?(?:thon|ban|to dan pho|to|xom|ap|khu pho|khu dan cu|co quan|don vi|phong|ban nganh)\b(?!\s*tinh)"
)


def is_unit_header(text: str) -> bool:
    """A form's unit column: "Thôn/Bản", "Tổ dân phố", "Cơ quan, đơn vị", "Tên đơn vị" (not "Đơn vị tính")."""
    return bool(_UNIT_HEADER.match(fold(text).rstrip(":*").strip()))
