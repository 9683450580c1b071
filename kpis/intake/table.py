"""A grid -> a RawTable: the header row below any title rows, the data rows, the totals rows.

Workbooks come with title rows, merged cells, blank rows and a totals row ("Tổng cộng", or "Cộng"
under each section). Each data row keeps the row number the person sees in their spreadsheet, so
that every message can point at it. Kept apart from the readers: a CSV's grid and a sheet's go
through the same finder.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from kpis.core.text import fold, nfc
from kpis.intake import limits
from kpis.intake.limits import too_many_rows

TOTALS_LABELS = frozenset({"tong cong", "cong", "tong", "tong so", "total", "totals"})
SUBTOTAL_LABELS = frozenset({"cong"})  # "Cộng" sums its section; the others sum every row above
HeaderMatcher = Callable[[str], str | None]


@dataclass
class RawRow:
    line: int  # the spreadsheet row number (1-based, as shown by Excel)
    cells: dict[str, Any]  # canonical column -> raw value


@dataclass
class TotalsRow:
    line: int
    cells: dict[str, Any]
    first_line: int  # the first data row the totals row sums
    last_line: int


@dataclass
class RawTable:
    """The file's data rows as columns (canonical name -> values), with their row numbers."""

    file_name: str
    sheet: str | None
    header_line: int
    columns: dict[str, str]  # canonical column -> header as the person wrote it
    unknown_columns: list[str] = field(default_factory=list)
    lines: list[int] = field(default_factory=list)  # spreadsheet row number of each data row
    data: dict[str, list[Any]] = field(default_factory=dict)  # canonical column -> one value per data row
    column_index: dict[str, int] = field(default_factory=dict)  # canonical column -> 0-based sheet column
    totals: list[TotalsRow] = field(default_factory=list)
    kind: str = "csv"  # "csv" or "workbook": how a refused file is given back

    @cached_property
    def rows(self) -> list[RawRow]:
        """The same data row by row, for readers that check one row at a time."""
        names = list(self.data)
        return (
            [
                RawRow(line, dict(zip(names, values, strict=True)))
                for line, values in zip(self.lines, zip(*self.data.values(), strict=True), strict=True)
            ]
            if names
            else []
        )


def _is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def find_header(grid: list[list[Any]], match: HeaderMatcher) -> tuple[int, dict[int, str], list[str]] | None:
    """Return (row index, {col index: canonical}, unknown headers) of the best header row."""
    best = None
    for r, row in enumerate(grid[: limits.MAX_HEADER_SCAN]):
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


def _totals_label(row: list[Any]) -> str | None:
    """'tong cong', 'cong', ... when the row's first non-blank cell says it is a totals row."""
    for value in row:
        if value is None or value == "":
            continue
        if type(value) is str and len(value) < 16 and (label := fold(value).rstrip(" :")) in TOTALS_LABELS:
            return label
        return None
    return None


def _clean(value: Any) -> Any:
    return nfc(value).strip() if type(value) is str else value


def _clean_column(values: list[Any]) -> list[Any]:
    """_clean() for a whole column, once per distinct text (a file repeats its names thousands of times)."""
    memo: dict[str, Any] = {}
    out = []
    for v in values:
        if type(v) is str:
            c = memo.get(v)
            if c is None:
                c = memo[v] = nfc(v).strip()
            out.append(c)
        else:
            out.append(v)
    return out


def _blank_row(row: list[Any], wanted: list[int]) -> bool:
    n = len(row)
    for c in wanted:
        if c < n:
            v = row[c]
            if v is not None and v != "" and not (type(v) is str and v.isspace()):
                return False
    return True


def table_from_grid(
    file_name: str, sheet: str | None, grid: list[list[Any]], header: tuple[int, dict[int, str], list[str]], kind: str
) -> RawTable:
    header_idx, col_map, unknown = header
    header_row = grid[header_idx]
    columns = {canonical: str(header_row[c]).strip() for c, canonical in col_map.items()}
    index = {canonical: c for c, canonical in col_map.items()}
    table = RawTable(file_name, sheet, header_idx + 1, columns, unknown, column_index=index, kind=kind)
    body = grid[header_idx + 1 :]
    if len(body) > limits.MAX_ROWS * 2:  # blank rows are skipped below; past this the file cannot fit anyway
        raise too_many_rows()
    wanted = sorted(col_map)
    block_start = header_idx + 2
    lines: list[int] = []
    kept: list[list[Any]] = []
    for offset, row in enumerate(body):
        line = header_idx + 2 + offset
        if label := _totals_label(row):
            start = block_start if label in SUBTOTAL_LABELS else header_idx + 2
            cells = {col_map[c]: _clean(row[c]) if c < len(row) else None for c in wanted}
            table.totals.append(TotalsRow(line, cells, start, line - 1))
            block_start = line + 1
            continue
        if _blank_row(row, wanted):
            continue
        lines.append(line)
        kept.append(row)
    if len(lines) > limits.MAX_ROWS:
        raise too_many_rows()
    table.lines = lines
    table.data = {
        col_map[c]: _clean_column([row[c] if c < len(row) else None for row in kept]) for c in wanted
    }  # fmt: skip
    return table
