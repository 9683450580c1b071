"""Raw rows -> clean rows plus every Problem (row, column, what to fix).

Rules are checked for every row and every cell; nothing stops at the first failure,
so that one refusal tells the person everything they must fix (the pandera lazy=True
shape). The result is a whole file or nothing: callers store only when problems is empty.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from kpis.catalog import Catalog, Commune
from kpis.ingest import RawRow, RawTable
from kpis.parse import ParseError, parse_count, parse_quarter, parse_year
from kpis.schema import HEADERS_VI, REQUIRED
from kpis.text import clean_display, fold, name_key

CLEAN_COLUMNS = [
    "line",
    "province",
    "commune",
    "unit",
    "unit_key",
    "year",
    "quarter",
    "indicator",
    "numerator",
    "denominator",
    "note",
]


@dataclass(frozen=True)
class Problem:
    row: int | None  # spreadsheet row number as the person sees it
    column: str | None  # the header as written in the file (or our Vietnamese header)
    code: str
    params: dict[str, Any] = field(default_factory=dict)
    col: int | None = None  # 0-based column in the sheet, to mark the cell in the file given back


@dataclass
class Validated:
    rows: pd.DataFrame
    problems: list[Problem]
    warnings: list[Problem] = field(default_factory=list)
    table: RawTable | None = None

    @property
    def ok(self) -> bool:
        return not self.problems


def _suggest(name: str, choices: Iterable[str]) -> str:
    choices = list(choices)
    by_key = {name_key(c, strip_prefix=True): c for c in choices}
    close = difflib.get_close_matches(name_key(name, strip_prefix=True), list(by_key), n=3, cutoff=0.6)
    return ", ".join(by_key[k] for k in close)


class _Registry:
    """Province, commune and unit lookup by folded name, built once per file."""

    def __init__(self, communes: Iterable[Commune], units: Iterable[KnownUnit] = ()) -> None:
        self.provinces: dict[str, str] = {}
        self.communes: dict[tuple[str, str], Commune] = {}
        for c in communes:
            self.provinces.setdefault(name_key(c.province, strip_prefix=True), c.province)
            self.communes[(c.province, name_key(c.name, strip_prefix=True))] = c
        self.unit_keys: set[tuple[str, str, str]] = set()
        self.unit_by_bare_name: dict[tuple[str, str, str], list[str]] = {}
        for u in units:
            self.unit_keys.add((u.province, u.commune, u.key))
            bare = name_key(u.name, strip_prefix=True)
            self.unit_by_bare_name.setdefault((u.province, u.commune, bare), []).append(u.key)

    def unit_key(self, province: str | None, commune: str | None, name: str) -> str:
        """The key of the unit this name means: exact, else the one unit equal but for a Thôn/Bản prefix."""
        key = name_key(name)
        if province is None or commune is None or (province, commune, key) in self.unit_keys:
            return key
        candidates = self.unit_by_bare_name.get((province, commune, name_key(name, strip_prefix=True)), [])
        return candidates[0] if len(candidates) == 1 else key

    def province(self, text: str) -> str | None:
        return self.provinces.get(name_key(text, strip_prefix=True))

    def commune(self, province: str, text: str) -> Commune | None:
        return self.communes.get((province, name_key(text, strip_prefix=True)))

    def commune_names(self, province: str) -> list[str]:
        return [c.name for (p, _), c in self.communes.items() if p == province]


@dataclass(frozen=True)
class KnownUnit:
    province: str
    commune: str
    key: str
    name: str


def _indicator_lookup(catalog: Catalog) -> dict[str, str]:
    lookup: dict[str, str] = {}
    for code, ind in catalog.indicators.items():
        for label in (code, ind.short_vi, ind.short_en, ind.name_vi, ind.name_en):
            lookup[fold(label)] = code
    return lookup


def validate(table: RawTable, catalog: Catalog, communes: Iterable[Commune], units: Iterable[KnownUnit] = ()) -> Validated:
    """Check every rule on every row; return the clean rows, all problems and any warnings."""
    problems: list[Problem] = []

    def col(name: str) -> str:
        return table.columns.get(name, HEADERS_VI[name])

    missing = [c for c in REQUIRED if c not in table.columns]
    for c in missing:
        problems.append(Problem(table.header_line, HEADERS_VI[c], "column_missing", {"expected": f"{HEADERS_VI[c]} / {c}"}))
    if missing:
        return Validated(pd.DataFrame(columns=CLEAN_COLUMNS), problems, table=table)
    if not table.rows:
        return Validated(pd.DataFrame(columns=CLEAN_COLUMNS), [Problem(None, None, "file_no_rows")], table=table)

    registry = _Registry(communes, units)
    indicators = _indicator_lookup(catalog)
    clean: list[dict[str, Any]] = []
    seen_keys: dict[tuple, int] = {}

    for raw in table.rows:
        out, row_problems = _check_row(raw, col, table.column_index, registry, indicators, catalog)
        if not row_problems:
            key = (out["province"], out["commune"], out["unit_key"], out["year"], out["quarter"], out["indicator"])
            if key in seen_keys:
                row_problems.append(Problem(raw.line, None, "duplicate_row", {"other": seen_keys[key]}))
            else:
                seen_keys[key] = raw.line
                clean.append(out)
        problems.extend(row_problems)

    rows = pd.DataFrame(clean, columns=CLEAN_COLUMNS) if not problems else pd.DataFrame(columns=CLEAN_COLUMNS)
    return Validated(rows, problems, _check_totals(table, col), table)


def _check_totals(table: RawTable, col: Callable[[str], str]) -> list[Problem]:
    """A totals row is skipped, but a warning says so when it differs from the sum of the rows above."""
    warnings = []
    for total in table.totals:
        block = [r for r in table.rows if total.first_line <= r.line <= total.last_line]
        for column in ("numerator", "denominator"):
            try:
                stated = parse_count(total.cells.get(column))
                summed = sum(parse_count(r.cells.get(column)) for r in block)
            except ParseError:
                continue
            if stated != summed:
                warnings.append(
                    Problem(
                        total.line,
                        col(column),
                        "totals_mismatch",
                        {"stated": stated, "summed": summed},
                        table.column_index.get(column),
                    )
                )
    return warnings


def _check_row(
    raw: RawRow,
    col: Callable[[str], str],
    column_index: dict[str, int],
    registry: _Registry,
    indicators: dict[str, str],
    catalog: Catalog,
) -> tuple[dict[str, Any], list[Problem]]:
    """Every rule on one row: the clean values and the problems found."""
    cells = raw.cells
    row_problems: list[Problem] = []
    out: dict[str, Any] = {"line": raw.line}

    def problem(column: str, code: str, **params: Any) -> None:
        row_problems.append(Problem(raw.line, col(column), code, params, column_index.get(column)))

    def parsed(column: str, parser: Callable[[Any], int]) -> int | None:
        try:
            return parser(cells.get(column))
        except ParseError as e:
            problem(column, e.code, **e.params)
            return None

    province_text = _text(cells.get("province"))
    province = registry.province(province_text) if province_text else None
    if not province_text:
        problem("province", "required")
    elif province is None:
        suggest = _suggest(province_text, registry.provinces.values())
        problem("province", "province_unknown", value=province_text, suggest=suggest)
    out["province"] = province

    commune_text = _text(cells.get("commune"))
    commune = registry.commune(province, commune_text) if (province and commune_text) else None
    if not commune_text:
        problem("commune", "required")
    elif province and commune is None:
        suggest = _suggest(commune_text, registry.commune_names(province))
        problem("commune", "commune_unknown", value=commune_text, province=province, suggest=suggest)
    out["commune"] = commune.name if commune else None

    unit_text = clean_display(_text(cells.get("unit")))
    if not unit_text:
        problem("unit", "required")
    out["unit"] = unit_text
    out["unit_key"] = registry.unit_key(province, out["commune"], unit_text)

    out["year"] = parsed("year", parse_year)
    out["quarter"] = parsed("quarter", parse_quarter)

    indicator_text = _text(cells.get("indicator"))
    code = indicators.get(fold(indicator_text)) if indicator_text else None
    if not indicator_text:
        problem("indicator", "required")
    elif code is None:
        problem("indicator", "indicator_unknown", value=indicator_text, known=", ".join(catalog.indicators))
    out["indicator"] = code

    numerator = parsed("numerator", parse_count)
    denominator = parsed("denominator", parse_count)
    if denominator == 0:
        problem("denominator", "denominator_zero")
    if numerator is not None and denominator is not None and numerator > denominator:
        problem("numerator", "numerator_gt_denominator", numerator=numerator, denominator=denominator)
    out["numerator"], out["denominator"] = numerator, denominator
    out["note"] = _text(cells.get("note")) or None
    return out, row_problems


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return clean_display(str(value))
