"""A one-row-per-unit form -> the same RawTable as a tidy table: one record per unit and indicator.

Offices fill a form with a row per village or agency and, for each indicator, a group of columns under a
merged header that names it in words, with "Tổng số" and "Số đạt" (in either order, sometimes a "Tỷ lệ (%)")
beneath; two or three header rows, a row of column codes, section rows ("I. Các thôn, bản"), a totals row
and a signature block. Merged cells reach us as the value in the first cell and blanks after it (a CSV saves
them so too), so a group's name is the nearest name above its sub-headers, looking left only across the
group's own columns. Each record keeps the cell it came from ("F (Người dân … / Số đạt)") for the messages
and the marked copy; a pair left blank is a unit that does not report that indicator.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from openpyxl.utils import get_column_letter

from kpis.core.text import fold, nfc
from kpis.intake import limits
from kpis.intake.limits import too_many_rows, too_many_values
from kpis.intake.schema import is_unit_header, match_header
from kpis.intake.table import (
    SUBTOTAL_LABELS,
    LayoutProblem,
    RawTable,
    SumCheck,
    _blank_row,
    _clean,
    _clean_column,
    _is_blank,
    _totals_label,
    is_code_row,
    title_and_footer,
)

_NUMERATOR = frozenset({"so dat", "so luong dat", "thuc hien", "ket qua", "ket qua thuc hien", "da thuc hien",
                        "so da thuc hien", "dat", "so nguoi dat", "so duoc tiep can"})  # fmt: skip
_DENOMINATOR = frozenset({"tong so", "tong", "ke hoach", "so phai thuc hien", "tong so phai thuc hien",
                          "chi tieu ke hoach", "tong so nguoi"})  # fmt: skip
_SECTION = re.compile(r"^[ivxlc]+\s*[.)\-]?\s*$|^[ivxlc]+\s*[.)\-]\s+\S")  # "I", "II.", "III. Cơ quan"
_KEY_COLUMNS = ("province", "commune", "province_code", "commune_code", "year", "quarter", "note")


def _text(value: Any) -> str:
    return re.sub(r"\s+", " ", nfc(value)).strip() if type(value) is str else "" if value is None else str(value)


def sub_kind(value: Any) -> str | None:
    """'numerator', 'denominator' or 'rate' for a sub-header cell of an indicator's group."""
    if type(value) is not str or len(value) > 60:
        return None
    key = re.sub(r"\s*\((?:nguoi|don vi|nhiem vu|co quan|so)\)\s*$", "", fold(value).rstrip(":*").strip())
    if key in _NUMERATOR:
        return "numerator"
    if key in _DENOMINATOR:
        return "denominator"
    if key.startswith("ty le") or key in ("%", "(%)"):
        return "rate"
    return None


@dataclass(frozen=True)
class Group:
    """An indicator's columns: its name as written (where), and the column of each sub-header."""

    label: str
    line: int  # row as Excel shows it
    col: int  # 0-based column of the name
    cols: dict[str, int]  # kind -> 0-based column
    subs: dict[str, str]  # kind -> the sub-header as written


@dataclass(frozen=True)
class WideHeader:
    row: int  # 0-based index of the sub-header row
    top: int  # 0-based index of the header's first row
    groups: tuple[Group, ...]
    keys: dict[str, int]  # canonical key column (unit, commune, year, note, …) -> 0-based column
    key_headers: dict[str, str]


def _label_above(grid: list[list[Any]], r: int, c: int, subs: dict[int, str]) -> tuple[int, int] | None:
    """The nearest name above a sub-header: the row just above, then the one above that, looking left only
    across sub-header columns (a merged name sits in its first cell)."""
    for above in (r - 1, r - 2):
        if above < 0:
            return None
        k = c
        while k >= 0 and k in subs:
            row = grid[above]
            if k < len(row) and not _is_blank(row[k]) and sub_kind(row[k]) is None:
                return above, k
            k -= 1
    return None


def find_wide(grid: list[list[Any]]) -> WideHeader | None:
    """The header of a one-row-per-unit form, or None: a row of "Tổng số"/"Số đạt" under indicator names."""
    for r in range(1, min(len(grid), limits.MAX_HEADER_SCAN)):
        row = grid[r]
        subs = {c: kind for c, v in enumerate(row) if (kind := sub_kind(v)) is not None}
        kinds = list(subs.values())
        if "numerator" not in kinds and "denominator" not in kinds and "rate" not in kinds:
            continue
        block = [grid[i] for i in range(max(0, r - 2), r + 1)]
        if any(match_header(_text(v)) == "indicator" for b in block for v in b if not _is_blank(v)):
            return None  # one row per indicator: a tidy header (kpis.intake.table)
        by_label: dict[tuple[int, int], dict[int, str]] = {}
        for c in sorted(subs):
            where = _label_above(grid, r, c, subs)
            if where is None:
                break
            by_label.setdefault(where, {})[c] = subs[c]
        else:
            if not by_label:
                continue
            return _header(grid, r, subs, by_label)
    return None


def _header(grid: list[list[Any]], r: int, subs: dict[int, str], by_label: dict[tuple[int, int], dict[int, str]]) -> WideHeader:
    groups = []
    for (line, col), cols in by_label.items():
        kinds: dict[str, int] = {}
        for c, kind in cols.items():
            kinds.setdefault(kind, c)
        groups.append(Group(_text(grid[line][col]), line + 1, col, kinds, {k: _text(grid[r][c]) for k, c in kinds.items()}))
    top = min(g.line - 1 for g in groups)
    if top > 0 and any(c < len(grid[top - 1]) and not _is_blank(grid[top - 1][c]) for c in subs):
        top -= 1  # a row over the groups ("Kết quả thực hiện"): the header is three rows deep
    keys: dict[str, int] = {}
    headers: dict[str, str] = {}
    width = max(len(grid[i]) for i in range(top, r + 1))
    for c in range(width):
        if c in subs:
            continue
        text = next((_text(grid[i][c]) for i in range(r, top - 1, -1) if c < len(grid[i]) and not _is_blank(grid[i][c])), "")
        if not text:
            continue
        canonical = match_header(text)
        if canonical == "unit" or (canonical is None and is_unit_header(text)):
            canonical = "unit"
        if canonical in (*_KEY_COLUMNS, "unit") and canonical not in keys:  # any other column (STT, Đơn vị tính): not read
            keys[canonical] = c
            headers[canonical] = text
    return WideHeader(r, top, tuple(sorted(groups, key=lambda g: g.col)), keys, headers)


def _is_section(row: list[Any]) -> bool:
    """A section row: its first text is a Roman numeral ("I.", "II", "III. Cơ quan"), alone or before a name."""
    for value in row:
        if _is_blank(value):
            continue
        return bool(_SECTION.match(fold(_text(value))))
    return False


def wide_table(file_name: str, sheet: str | None, grid: list[list[Any]], header: WideHeader, kind: str) -> RawTable:
    """The records of a one-row-per-unit form, one per unit and indicator whose pair is not blank."""
    r = header.row
    start = r + 1
    while start < len(grid) and start <= r + 2 and is_code_row(grid[start]):
        start += 1
    title, end = title_and_footer(grid, header.top, start)
    columns = {k: header.key_headers[k] for k in header.keys}
    table = RawTable(file_name, sheet, r + 1, columns, [], column_index=dict(header.keys), kind=kind, layout="per_unit")
    table.title = title
    for name in ("indicator", "numerator", "denominator"):
        table.columns[name] = name  # given per record (cell_headers); present so that no column is said missing
    rate_only = [g for g in header.groups if "numerator" not in g.cols and "denominator" not in g.cols]
    named = {g.col: f"{get_column_letter(g.col + 1)} ({g.label})" for g in header.groups}
    for g in header.groups:
        table.named_indicators.append((g.line, g.col, named[g.col], g.label))
        if g in rate_only:
            table.problems.append(LayoutProblem(g.line, named[g.col], "rate_without_counts", {"indicator": g.label}, g.col))
        else:
            for missing in ("numerator", "denominator"):
                if missing not in g.cols:
                    expected = {"numerator": "Số đạt", "denominator": "Tổng số"}[missing]
                    table.problems.append(LayoutProblem(g.line, named[g.col], "column_missing", {"expected": expected}, g.col))
    groups = [g for g in header.groups if "numerator" in g.cols and "denominator" in g.cols]
    if "rate" in (k for g in groups for k in g.cols):
        table.columns["rate"] = "rate"
    figure_cols = sorted(c for g in groups for c in g.cols.values())
    count_cols = sorted(c for g in groups for k, c in g.cols.items() if k != "rate")
    key_cols = sorted(header.keys.values())
    body = grid[start:end]
    if len(body) > limits.MAX_ROWS * 2:
        raise too_many_rows()
    names = {g.col: f"{g.label}" for g in groups}
    heads = {c: f"{get_column_letter(c + 1)} ({names[g.col]} / {g.subs[k]})" for g in groups for k, c in g.cols.items()}
    records: dict[str, list[Any]] = {k: [] for k in (*header.keys, "indicator", "numerator", "denominator", "rate")}
    cols: dict[str, list[int]] = {k: [] for k in ("indicator", "numerator", "denominator", "rate")}
    heads_of: dict[str, list[str]] = {k: [] for k in cols}
    lines: list[int] = []
    label_lines: list[int] = []
    block: list[list[Any]] = []  # the rows a "Cộng" (or the next section's figures) sums
    everything: list[list[Any]] = []
    section: tuple[int, list[Any]] | None = None
    budget = limits.value_budget()
    above: list[tuple[int, list[Any]]] = []

    def close_section() -> None:
        if section is not None:
            _sums(table, section[0], section[1], block, count_cols, heads)

    for offset, row in enumerate(body):
        line = start + 1 + offset
        if _blank_row(row, key_cols + figure_cols):
            continue
        if label := _totals_label(row):
            if not everything:
                above.append((line, row))  # a totals row above the units sums those below it
                continue
            _sums(table, line, row, block if label in SUBTOTAL_LABELS else everything, count_cols, heads)
            if label in SUBTOTAL_LABELS:
                section, block = None, []
            continue
        if _blank_row(row, figure_cols):
            continue  # a section's name, or a unit that reports nothing this time
        if _is_section(row):
            close_section()
            section, block = (line, row), []
            continue
        block.append(row)
        everything.append(row)
        for g in groups:
            cells = {k: row[c] if c < len(row) else None for k, c in g.cols.items()}
            if all(_is_blank(v) for v in cells.values()):
                continue
            if len(lines) >= budget:
                raise too_many_values()
            lines.append(line)
            label_lines.append(g.line)
            for k, c in header.keys.items():
                records[k].append(row[c] if c < len(row) else None)
            records["indicator"].append(g.label)
            cols["indicator"].append(g.col)
            heads_of["indicator"].append(named[g.col])
            for k in ("numerator", "denominator", "rate"):
                records[k].append(cells.get(k))
                c = g.cols.get(k, g.col)
                cols[k].append(c)
                heads_of[k].append(heads.get(c, g.label))
    close_section()
    for line, row in above:
        _sums(table, line, row, everything, count_cols, heads)
    if len(everything) > limits.MAX_ROWS:  # the limit is on the sheet's rows, as for a table; each holds a value per group
        raise too_many_rows()
    table.lines = lines
    table.data = {k: _clean_column(v) for k, v in records.items() if k != "rate" or "rate" in table.columns}
    table.cell_cols = {k: v for k, v in cols.items() if k in table.data}
    table.cell_headers = {k: v for k, v in heads_of.items() if k in table.data}
    table.cell_lines = {"indicator": label_lines}
    return table


def _sums(
    table: RawTable, line: int, row: list[Any], rows: list[list[Any]], count_cols: list[int], heads: dict[int, str]
) -> None:
    """Each count cell of a totals (or section) row, against the cells of the rows it sums."""
    for c in count_cols:
        stated = _clean(row[c]) if c < len(row) else None
        if _is_blank(stated):
            continue
        table.sums.append(SumCheck(line, c, heads[c], stated, tuple(r[c] if c < len(r) else None for r in rows)))
