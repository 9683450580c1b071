"""CSV that a spreadsheet will not execute: the one place every CSV we serve or print goes through.

Text from uploads and forms (unit names, notes, file names) may start with "=", "+", "-", "@",
a tab or a carriage return; Excel and LibreOffice would run it as a formula (OWASP "CSV
injection"). Such text gets a leading apostrophe, so the cell shows what was typed. Some
programs also skip leading spaces before reading a formula, so " =1+1" is escaped too.
Numbers (also negative ones) stay numbers: only text is ever changed.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, TextIO

import pandas as pd

from kpis.core.xlsx import FORMULA_STARTS

_FORMULA_CHARS = ("=", "+", "-", "@")
_LEADING_BLANKS = " \t\r\n\u00a0\u3000"


def needs_escape(text: str) -> bool:
    """Would a spreadsheet read this text as the start of a formula?"""
    return text.startswith(FORMULA_STARTS) or text.lstrip(_LEADING_BLANKS).startswith(_FORMULA_CHARS)


def safe_cell(value: Any) -> Any:
    """The value to write in a CSV cell: formula-looking text gets a leading apostrophe, the rest is unchanged."""
    if isinstance(value, str) and needs_escape(value):
        return "'" + value
    return value


def safe_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of frame whose text cells (and column names) are safe; numeric columns untouched."""
    safe = frame.copy()
    for column in safe.columns:
        if safe[column].dtype == object or pd.api.types.is_string_dtype(safe[column]):
            safe[column] = pd.Series([safe_cell(v) for v in safe[column]], index=safe.index, dtype=object)
    safe.columns = [safe_cell(c) for c in safe.columns]
    return safe


def frame_to_csv(frame: pd.DataFrame) -> bytes:
    """The frame as CSV bytes for a download (UTF-8 with BOM, so Excel opens Vietnamese correctly)."""
    buf = io.StringIO()
    safe_frame(frame).to_csv(buf, index=False, quoting=csv.QUOTE_MINIMAL)
    return ("\ufeff" + buf.getvalue()).encode("utf-8")


def write_records(out: TextIO, columns: Sequence[str], rows: Iterable[Mapping[str, Any]]) -> None:
    """Write dict records as CSV to out (the CLI's stdout); None becomes an empty cell."""
    writer = csv.DictWriter(out, fieldnames=list(columns), lineterminator="\n")
    writer.writeheader()
    writer.writerows({k: ("" if v is None else safe_cell(v)) for k, v in r.items()} for r in rows)
