"""Parsers for the values people type: counts, years and quarters.

Each returns the parsed value or raises ParseError with a reason code that
kpis.core.i18n turns into a message saying what to fix.
"""

from __future__ import annotations

import datetime as dt
import re
from functools import lru_cache
from typing import Any

from kpis.core.errors import KpisError
from kpis.core.settings import MAX_COUNT, YEAR_MAX, YEAR_MIN
from kpis.core.text import fold


class ParseError(KpisError, ValueError):
    """A typed value cannot be read; code and params are rendered by kpis.core.i18n (a ValueError too, as before)."""


_THOUSANDS = re.compile(r"^\d{1,3}(?:([.,\s])\d{3})(?:\1\d{3})*$")
_PLAIN = re.compile(r"^\d+$")
_ZERO_DECIMAL = re.compile(r"^(\d+)[.,]0+$")
_DECIMAL = re.compile(r"^-?\d+[.,]\d+$")
_GROUPED_DECIMAL = re.compile(r"^\d{1,3}(?:\.\d{3})+,\d+$|^\d{1,3}(?:,\d{3})+\.\d+$")  # 1.200,5 / 1,200.5

_ROMAN = {"i": 1, "ii": 2, "iii": 3, "iv": 4}
_SCIENTIFIC = re.compile(r"^\d+(?:[.,]\d+)?[eE][+-]?\d+$")  # 1E+20: how Excel writes a huge number into a CSV


def parse_count(value: Any) -> int:
    """A whole count >= 0, as people write it: 1200, "1.200", "1 200", "1,200", 1200.0."""
    if value is None or (isinstance(value, str) and not value.strip()):
        raise ParseError("required")
    if isinstance(value, bool):
        raise ParseError("count_not_number", value=str(value))
    if isinstance(value, int):
        n = value
    elif isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            raise ParseError("count_not_number", value=str(value))
        if not value.is_integer():
            raise ParseError("count_not_whole", value=str(value).replace(".", ","))
        n = int(value)
    elif isinstance(value, str):
        text = value.strip().replace("\u00a0", " ").replace("\u202f", " ")
        negative = text.startswith("-")
        digits = text[1:].strip() if negative else text
        if _PLAIN.match(digits) or _THOUSANDS.match(digits):
            bare = re.sub(r"[.,\s]", "", digits)
            if len(bare) > 18:  # past 64 bits, and int() of 4,300 digits or more raises
                raise ParseError("count_negative" if negative else "count_too_large", **too_large_params(value.strip()))
            n = int(bare)
        elif m := _ZERO_DECIMAL.match(digits):
            if len(m.group(1)) > 18:
                raise ParseError("count_negative" if negative else "count_too_large", **too_large_params(value.strip()))
            n = int(m.group(1))
        elif _DECIMAL.match(digits) or _GROUPED_DECIMAL.match(digits):
            raise ParseError("count_not_whole", value=value.strip())
        elif _SCIENTIFIC.match(digits) and float(digits.replace(",", ".")) > MAX_COUNT:
            raise ParseError("count_too_large", **too_large_params(value.strip()))
        else:
            raise ParseError("count_not_number", value=value.strip())
        n = -n if negative else n
    else:
        raise ParseError("count_not_number", value=str(value))
    if n < 0:
        raise ParseError("count_negative", value=str(n))
    if n > MAX_COUNT:
        raise ParseError("count_too_large", **too_large_params(value.strip() if isinstance(value, str) else value))
    return n


def too_large_params(value: Any) -> dict[str, str | int]:
    """The number as the person typed it (a float as 1e+300, not 301 digits) and the limit (i18n formats it per language)."""
    if isinstance(value, float):
        shown = f"{value:g}"
    else:
        shown = str(value)
        if len(shown) > 30:
            shown = shown[:12] + "…" + shown[-6:]
    return {"value": shown, "limit": MAX_COUNT}


def parse_year(value: Any, low: int = YEAR_MIN, high: int = YEAR_MAX) -> int:
    """A year 2025, "2025" or 2025.0 within [low, high]."""
    if isinstance(value, (str, int, float)) and not isinstance(value, bool):
        return _parse_year_cached(value, low, high)
    return _parse_year(value, low, high)


@lru_cache(maxsize=4096)  # a file holds a handful of distinct years
def _parse_year_cached(value: str | int | float, low: int, high: int) -> int:
    return _parse_year(value, low, high)


def _parse_year(value: Any, low: int, high: int) -> int:
    if value is None or (isinstance(value, str) and not value.strip()):
        raise ParseError("required")
    if isinstance(value, (dt.date, dt.datetime)):
        year = value.year
    elif isinstance(value, bool):
        raise ParseError("year_invalid", value=str(value))
    elif isinstance(value, int):
        year = value
    elif isinstance(value, float) and value.is_integer():
        year = int(value)
    elif isinstance(value, str) and (m := re.fullmatch(r"(?:năm\s*)?(\d{4})(?:[.,]0+)?", value.strip(), re.I)):
        year = int(m.group(1))
    else:
        raise ParseError("year_invalid", value=str(value))
    if not low <= year <= high:
        raise ParseError("year_range", value=str(year), low=low, high=high)
    return year


def parse_quarter(value: Any) -> int:
    """A quarter 1-4 written as 3, "Q3", "Quý III", "III", "quý 3"."""
    if isinstance(value, (str, int, float)) and not isinstance(value, bool):
        return _parse_quarter_cached(value)
    return _parse_quarter(value)


@lru_cache(maxsize=4096)
def _parse_quarter_cached(value: str | int | float) -> int:
    return _parse_quarter(value)


def _parse_quarter(value: Any) -> int:
    if value is None or (isinstance(value, str) and not value.strip()):
        raise ParseError("required")
    if isinstance(value, bool):
        raise ParseError("quarter_invalid", value=str(value))
    if isinstance(value, (int, float)):
        if float(value).is_integer() and 1 <= int(value) <= 4:
            return int(value)
        raise ParseError("quarter_invalid", value=str(value))
    if not isinstance(value, str):
        raise ParseError("quarter_invalid", value=str(value))
    key = fold(value).replace(" ", "")
    if m := re.fullmatch(r"([1-4])[.,]0+", key):  # 3.0, as a number exported to text
        return int(m.group(1))
    for prefix in ("quy", "q"):
        if key.startswith(prefix):
            key = key[len(prefix) :]
            break
    if key.isascii() and key.isdigit() and len(key) <= 3 and 1 <= int(key) <= 4:  # '³'.isdigit() is True
        return int(key)
    if key in _ROMAN:
        return _ROMAN[key]
    raise ParseError("quarter_invalid", value=value.strip())
