"""File bytes -> a raw table: format sniffing, encodings, header detection.

One code path for an upload, a CLI file and a test's BytesIO: everything starts from
bytes plus a file name. Each data row keeps the row number the person sees in their
spreadsheet, so that every message can point at it.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import python_calamine

from kpis.schema import match_header
from kpis.text import nfc

MAX_HEADER_SCAN = 30  # title rows above the header are normal in hand-made sheets


class IngestError(Exception):
    """The file cannot be read at all; code and params are rendered by kpis.i18n."""

    def __init__(self, code: str, **params: Any) -> None:
        super().__init__(code)
        self.code = code
        self.params = params


@dataclass
class RawRow:
    line: int  # the spreadsheet row number (1-based, as shown by Excel)
    cells: dict[str, Any]  # canonical column -> raw value


@dataclass
class RawTable:
    file_name: str
    sheet: str | None
    header_line: int
    columns: dict[str, str]  # canonical column -> header as the person wrote it
    unknown_columns: list[str] = field(default_factory=list)
    rows: list[RawRow] = field(default_factory=list)


def _decode_csv(data: bytes) -> str:
    if data.startswith(b"\xff\xfe") or data.startswith(b"\xfe\xff"):
        return data.decode("utf-16")
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1258")
    except UnicodeDecodeError as e:
        raise IngestError("file_encoding") from e


def _sniff_delimiter(text: str) -> str:
    sample = "\n".join(text.splitlines()[:MAX_HEADER_SCAN])
    try:
        return csv.Sniffer().sniff(sample, delimiters=",;\t").delimiter
    except csv.Error:
        counts = {d: sample.count(d) for d in ",;\t"}
        return max(counts, key=counts.__getitem__)


def _grid_from_csv(data: bytes) -> list[list[Any]]:
    text = nfc(_decode_csv(data))
    delimiter = _sniff_delimiter(text)
    return [list(r) for r in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)]


def _sheets_from_xlsx(data: bytes) -> list[tuple[str, list[list[Any]]]]:
    try:
        wb = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
    except Exception as e:  # calamine raises several types for a damaged or foreign file
        raise IngestError("file_not_xlsx") from e
    sheets = []
    for name in wb.sheet_names:
        try:
            grid = wb.get_sheet_by_name(name).to_python(skip_empty_area=False)
        except Exception as e:
            raise IngestError("file_not_xlsx") from e
        sheets.append((name, grid))
    return sheets


def _is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


HeaderMatcher = Callable[[str], str | None]


def _find_header(grid: list[list[Any]], match: HeaderMatcher) -> tuple[int, dict[int, str], list[str]] | None:
    """Return (row index, {col index: canonical}, unknown headers) of the best header row."""
    best = None
    for r, row in enumerate(grid[:MAX_HEADER_SCAN]):
        found: dict[int, str] = {}
        unknown: list[str] = []
        for c, value in enumerate(row):
            if _is_blank(value):
                continue
            canonical = match(str(value))
            if canonical and canonical not in found.values():
                found[c] = canonical
            else:
                unknown.append(str(value).strip())
        if len(found) >= 3 and (best is None or len(found) > len(best[1])):
            best = (r, found, unknown)
    return best


def _table_from_grid(file_name: str, sheet: str | None, grid: list[list[Any]], match: HeaderMatcher) -> RawTable | None:
    header = _find_header(grid, match)
    if header is None:
        return None
    header_idx, col_map, unknown = header
    header_row = grid[header_idx]
    columns = {canonical: str(header_row[c]).strip() for c, canonical in col_map.items()}
    table = RawTable(file_name, sheet, header_idx + 1, columns, unknown)
    for r in range(header_idx + 1, len(grid)):
        row = grid[r]
        cells = {canonical: (row[c] if c < len(row) else None) for c, canonical in col_map.items()}
        cells = {k: (nfc(v).strip() if isinstance(v, str) else v) for k, v in cells.items()}
        if all(_is_blank(v) for v in cells.values()):
            continue
        table.rows.append(RawRow(line=r + 1, cells=cells))
    return table


def read_table(data: bytes, file_name: str, match: HeaderMatcher = match_header) -> RawTable:
    """Read an uploaded .csv or .xlsx into a RawTable, or raise IngestError.

    match maps a header cell to a canonical column name (or None); the figures' contract
    is the default, and other sheets (task progress) pass their own.
    """
    if not data:
        raise IngestError("file_empty")
    lower = file_name.lower()
    if lower.endswith(".xlsx") or lower.endswith(".xlsm") or data[:4] == b"PK\x03\x04":
        sheets = _sheets_from_xlsx(data)
    elif lower.endswith(".csv") or lower.endswith(".txt") or lower.endswith(".tsv"):
        sheets = [(None, _grid_from_csv(data))]
    else:
        raise IngestError("file_type", name=file_name)
    for sheet, grid in sheets:
        table = _table_from_grid(file_name, sheet, grid, match)
        if table is not None:
            return table
    raise IngestError("file_no_header")
