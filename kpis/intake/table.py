"""A grid -> a RawTable: the header row below any title rows, the data rows, the totals rows.

Workbooks come with title rows, merged cells, blank rows and a totals row ("Tổng cộng", or "Cộng"
under each section). Each data row keeps the row number the person sees in their spreadsheet, so
that every message can point at it. Kept apart from the readers: a CSV's grid and a sheet's go
through the same finder.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from kpis.core.text import fold, nfc
from kpis.intake import limits
from kpis.intake.cells import cell_text
from kpis.intake.limits import too_many_rows
from kpis.intake.title import Title, is_footer, read_title

TOTALS_LABELS = frozenset({"tong cong", "cong", "tong", "tong so", "total", "totals", "toan xa", "toan phuong", "tong toan xa"})
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


@dataclass(frozen=True)
class SumCheck:
    """A totals cell of a form (line, column) and the cells above it that it should sum."""

    line: int
    col: int
    header: str
    stated: Any
    parts: tuple[Any, ...]


@dataclass(frozen=True)
class LayoutProblem:
    line: int | None
    column: str | None
    code: str
    params: dict[str, Any]
    col: int | None = None


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
    layout: str = "table"  # "table" (one row per value), "per_indicator" or "per_unit" (kpis.intake.layout)
    title: Title | None = None  # what the rows above the table (and the signature block) say
    # Where a column's cell differs from record to record (a one-row-per-unit form): 0-based sheet column and the
    # header as the person sees it ("F (Người dân được tiếp cận thông tin / Số đạt)"), one per data record.
    cell_cols: dict[str, list[int]] = field(default_factory=dict)
    cell_headers: dict[str, list[str]] = field(default_factory=dict)
    cell_lines: dict[str, list[int]] = field(default_factory=dict)  # a cell above the record's row (a group's name)
    sums: list[SumCheck] = field(default_factory=list)  # a form's totals cells, each against the cells it sums
    problems: list[LayoutProblem] = field(default_factory=list)  # the header's own problems (a group without counts)
    named_indicators: list[tuple[int, int, str, str]] = field(default_factory=list)  # line, col, where, text

    def header_of(self, column: str, i: int, default: str) -> str:
        """The header of record i's cell in this column, as the person sees it."""
        per = self.cell_headers.get(column)
        return per[i] if per is not None else self.columns.get(column, default)

    def line_of(self, column: str, i: int) -> int:
        per = self.cell_lines.get(column)
        return per[i] if per is not None else self.lines[i]

    def col_of(self, column: str, i: int) -> int | None:
        per = self.cell_cols.get(column)
        return per[i] if per is not None else self.column_index.get(column)

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


def header_row(grid: list[list[Any]], r: int) -> list[Any]:
    """Row r of a header, each blank cell taken from the row above: a header two rows deep ("Kết quả thực hiện"
    merged over "Số phải thực hiện | Kết quả") read as one, the lower row's words first."""
    row = grid[r]
    if r == 0:
        return row
    above = grid[r - 1]
    width = max(len(row), len(above))
    return [row[c] if c < len(row) and not _is_blank(row[c]) else above[c] if c < len(above) else None for c in range(width)]


def find_header(grid: list[list[Any]], match: HeaderMatcher) -> tuple[int, dict[int, str], list[str]] | None:
    """Return (row index, {col index: canonical}, unknown headers) of the best header row.

    A row alone, or with its blanks taken from the row above (header_row), whichever matches more columns."""
    best = None
    for r in range(min(len(grid), limits.MAX_HEADER_SCAN)):
        best = _better(best, r, grid[r], match)
        if r and any(_is_blank(v) for v in grid[r]):
            best = _better(best, r, header_row(grid, r), match)
    return best


def _better(
    best: tuple[int, dict[int, str], list[str]] | None, r: int, row: list[Any], match: HeaderMatcher
) -> tuple[int, dict[int, str], list[str]] | None:
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
        return (r, found, unknown)
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


_CODE_CELL = re.compile(r"^\(?[a-z]{1,2}\)?$|^(?=.*\d)[\d\s()=+\-*/x.:]{1,24}$")  # "A", "(b)", "3", "(6)=(5)/(4)"


def is_code_row(row: list[Any]) -> bool:
    """A row of column codes under a form's header: "A | B | C | 1 | 2 | 3=2/1" or "(1) (2) (3)"."""
    cells = [v for v in row if not _is_blank(v)]
    return len(cells) >= 2 and all(_CODE_CELL.match(fold(cell_text(v))) for v in cells)


def title_and_footer(grid: list[list[Any]], top: int, body_start: int) -> tuple[Title, int]:
    """What the rows above the header say, and where the signature block starts (len(grid) if none).

    The footer's own lines (a dated line "Mường Mùn, ngày …", "TM. UBND XÃ …") may name the place too: they are
    read with the title rows, never as data."""
    end = _footer_start(grid, body_start)
    rows = [(r + 1, grid[r]) for r in range(top) if grid[r] is not limits.BLANK_ROW]
    footer = [(r + 1, grid[r]) for r in range(end, min(len(grid), end + 30)) if grid[r] is not limits.BLANK_ROW]
    title = read_title(rows)
    below = read_title(footer)
    title.communes += below.communes
    title.weak_communes += below.weak_communes
    return title, end


def _footer_start(grid: list[list[Any]], body_start: int) -> int:
    """The first row from body_start with a cell of the signature block (is_footer), else len(grid).

    Each distinct text is judged once, and a file without a signature block (most of them) is known to
    have none without testing its rows one by one: 20,000 rows hold 200,000 cells but a few hundred texts."""
    try:
        texts = set().union(*grid[body_start:])
    except TypeError:  # a cell value that cannot be hashed (no reader gives one): judge the rows one by one
        rows = (r for r in range(body_start, len(grid)) if grid[r] is not limits.BLANK_ROW and is_footer(grid[r]))
        return next(rows, len(grid))
    footers = {v for v in texts if type(v) is str and is_footer([v])}
    if footers:
        for r in range(body_start, len(grid)):
            if grid[r] is not limits.BLANK_ROW and not footers.isdisjoint(grid[r]):
                return r
    return len(grid)


def table_from_grid(
    file_name: str, sheet: str | None, grid: list[list[Any]], header: tuple[int, dict[int, str], list[str]], kind: str
) -> RawTable:
    header_idx, col_map, unknown = header
    words = header_row(grid, header_idx)
    columns = {canonical: str(words[c]).strip() for c, canonical in col_map.items()}
    index = {canonical: c for c, canonical in col_map.items()}
    table = RawTable(file_name, sheet, header_idx + 1, columns, unknown, column_index=index, kind=kind)
    if "unit" not in columns and "indicator" in columns:
        table.layout = "per_indicator"
    start = header_idx + 1
    while start < len(grid) and start <= header_idx + 2 and is_code_row(grid[start]):
        start += 1
    table.title, end = title_and_footer(grid, header_idx, start)
    body = grid[start:end]
    if len(body) > limits.MAX_ROWS * 2:  # blank rows are skipped below; past this the file cannot fit anyway
        raise too_many_rows()
    wanted = sorted(col_map)
    figures = [c for c, name in col_map.items() if name in ("numerator", "denominator", "rate")]
    sections = table.layout == "per_indicator"  # a form's section rows ("I.", "1.", "a)") carry no figures
    block_start = start + 1
    lines: list[int] = []
    kept: list[list[Any]] = []
    for offset, row in enumerate(body):
        line = start + 1 + offset
        if label := _totals_label(row):
            first = block_start if label in SUBTOTAL_LABELS else start + 1
            cells = {col_map[c]: _clean(row[c]) if c < len(row) else None for c in wanted}
            table.totals.append(TotalsRow(line, cells, first, line - 1))
            block_start = line + 1
            continue
        if _blank_row(row, wanted) or (sections and _blank_row(row, figures)):
            continue
        lines.append(line)
        kept.append(row)
    if len(lines) > limits.MAX_ROWS:
        raise too_many_rows()
    for i, total in enumerate(table.totals):  # a totals row above the units (as many forms put it) sums those below
        if lines and total.line < lines[0]:
            table.totals[i] = TotalsRow(total.line, total.cells, total.line + 1, lines[-1])
    table.lines = lines
    table.data = {
        col_map[c]: _clean_column([row[c] if c < len(row) else None for row in kept]) for c in wanted
    }  # fmt: skip
    return table
