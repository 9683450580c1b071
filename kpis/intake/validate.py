"""Raw rows -> clean rows plus every Problem (row, column, what to fix).

Rules are checked for every row and every cell; nothing stops at the first failure,
so that one refusal tells the person everything they must fix (the pandera lazy=True
shape). The result is a whole file or nothing: callers store only when problems is empty.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from kpis.catalog.model import Catalog, Commune
from kpis.catalog.places import Places, Scope
from kpis.core.parse import ParseError, parse_count, parse_quarter, parse_year
from kpis.core.settings import MAX_COUNT
from kpis.core.text import clean_display, fold, name_key
from kpis.intake.cells import Issue, bad_text, cell_text
from kpis.intake.context import Context, Given, settle
from kpis.intake.indicator_words import match_indicator, names_of
from kpis.intake.ingest import RawTable
from kpis.intake.locate import PLACE_COLUMNS, Located, locate
from kpis.intake.schema import HEADERS_VI, REQUIRED
from kpis.store import CLEAN_COLUMNS, KnownUnit


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


class _Units:
    """Unit lookup by folded name, built once per file (places: kpis.catalog.places)."""

    def __init__(self, units: Iterable[KnownUnit] = ()) -> None:
        self.unit_keys: set[tuple[str, str, str]] = set()
        self.unit_names: dict[tuple[str, str, str], str] = {}
        self.unit_by_bare_name: dict[tuple[str, str, str], list[str]] = {}
        for u in units:
            self.unit_keys.add((u.province, u.commune, u.key))
            self.unit_names[(u.province, u.commune, u.key)] = u.name
            bare = name_key(u.name, strip_prefix=True)
            self.unit_by_bare_name.setdefault((u.province, u.commune, bare), []).append(u.key)

    def unit_key(self, province: str | None, commune: str | None, name: str) -> tuple[str, list[str]]:
        """The key of the unit this name means, and the registered names it could mean if ambiguous.

        Exact match first; else the one unit equal but for a Thôn/Bản prefix; with two such units
        ("Bản Na Sang" and "Thôn Na Sang" for "Na Sang") the name is ambiguous and must be refused,
        or the village would be counted twice.
        """
        key = name_key(name)
        if province is None or commune is None or (province, commune, key) in self.unit_keys:
            return key, []
        candidates = self.unit_by_bare_name.get((province, commune, name_key(name, strip_prefix=True)), [])
        if len(candidates) == 1:
            return candidates[0], []
        return key, sorted(self.unit_names[(province, commune, k)] for k in candidates) if len(candidates) > 1 else []


def _indicator_lookup(catalog: Catalog) -> dict[str, str]:
    lookup: dict[str, str] = {}
    for code, ind in catalog.indicators.items():
        for label in (code, ind.short_vi, ind.short_en, ind.name_vi, ind.name_en):
            lookup[fold(label)] = code
    return lookup


UnitsOf = Callable[[list[tuple[str, str]]], Iterable[KnownUnit]]  # (province, commune) pairs -> their known units


def validate(
    table: RawTable,
    catalog: Catalog,
    communes: Iterable[Commune],
    units_of: UnitsOf = lambda _: (),
    scope: Scope | None = None,
    given: Given | None = None,
) -> Validated:
    """Check every rule on every row; return the clean rows, all problems and any warnings.

    units_of gives the units already registered in the communes the rows resolve to (asked once, after the
    places are found); scope, the writer's (province, commune or None) pairs, decides a commune whose name
    fits several when no province narrows it (kpis.intake.locate). given is what the options or the page say
    of the place and period; with the title rows it fills the columns a form does not have (kpis.intake.context)."""
    given = given or Given()
    places = Places(communes)
    problems: list[Problem] = [Problem(p.line, p.column, p.code, p.params, p.col) for p in table.problems]
    has = set(table.columns)
    need_place = not {"commune", "commune_code"} & has
    context = settle(table.title, given, places, scope, need_place, not {"year", "quarter"} <= has)
    problems += [Problem(line, None, code, params, col) for line, col, code, params in context.problems]
    _fill_from_context(table, context)

    def col(name: str) -> str:
        return table.columns.get(name, HEADERS_VI[name])

    missing = [c for c in REQUIRED if c not in table.columns and not (c == "commune" and "commune_code" in table.columns)]
    if "rate" in table.columns and {"numerator", "denominator"} & set(missing):
        problems.append(Problem(table.header_line, col("rate"), "rate_without_counts", {"indicator": col("rate")},
                                table.column_index.get("rate")))  # fmt: skip
        missing = [c for c in missing if c not in ("numerator", "denominator")]
    for c in missing:
        if c == "commune" and not context.problems:
            problems.append(Problem(None, None, "context_place_missing", {}))
        elif c in ("year", "quarter") and not context.problems:
            if not any(p.code == "context_period_missing" for p in problems):
                problems.append(Problem(None, None, "context_period_missing", {}))
        elif c not in ("commune", "year", "quarter"):
            expected = f"{HEADERS_VI[c]} / {c}"
            problems.append(Problem(table.header_line, HEADERS_VI[c], "column_missing", {"expected": expected}))
    if missing or problems:
        return Validated(pd.DataFrame(columns=CLEAN_COLUMNS), _distinct(problems), table=table)
    if not table.lines:
        return Validated(pd.DataFrame(columns=CLEAN_COLUMNS), [Problem(None, None, "file_no_rows")], table=table)

    indicators = _indicator_lookup(catalog)
    known_codes = "; ".join(f"{ind.short_vi} ({code})" for code, ind in catalog.indicators.items())
    lines = table.lines
    values = {c: table.data.get(c, [None] * len(lines)) for c in (*REQUIRED, *PLACE_COLUMNS, "note")}

    # Each distinct value is judged once: a file repeats a few names and periods thousands of times.
    has_province = "province" in table.columns
    located: list[Located] = _each_distinct(
        list(zip(*(values[c] for c in PLACE_COLUMNS), strict=True)), lambda v: locate(places, scope, has_province, *v)
    )
    distinct = {id(p): p for p in located}.values()  # _each_distinct hands one Located per distinct place
    known_units = _Units(units_of(sorted({(p.province, p.commune) for p in distinct if p.province and p.commune})))
    unit_in = list(zip((p.province for p in located), (p.commune for p in located), values["unit"], strict=True))
    units_ = _each_distinct(unit_in, lambda pcv: _unit(known_units, *pcv))
    years = _each_distinct(values["year"], lambda v: _parsed(parse_year, v))
    quarters = _each_distinct(values["quarter"], lambda v: _parsed(parse_quarter, v))
    indicators_ = _each_distinct(values["indicator"], lambda v: _indicator(indicators, known_codes, v, catalog))
    for named_line, named_col, where, text in table.named_indicators:  # a form's indicator headers, each said once
        if (named_issue := _indicator(indicators, known_codes, text, catalog)[1]) is not None:
            problems.append(Problem(named_line, where, named_issue[0], named_issue[1], named_col))
    numerators = [_count(v) for v in values["numerator"]]
    denominators = [_count(v) for v in values["denominator"]]
    notes = _each_distinct(values["note"], _note)
    conflicts = _conflicts(given, places, scope, located, years, quarters, table)

    varies = bool(table.cell_cols or table.cell_headers or table.cell_lines)
    index = table.column_index
    headers = {c: col(c) for c in (*REQUIRED, *PLACE_COLUMNS, "note")}

    def at(column: str, i: int, line: int, code: str, params: dict[str, Any]) -> Problem:
        if not varies:
            return Problem(line, headers[column], code, params, index.get(column))
        return Problem(table.line_of(column, i), table.header_of(column, i, headers[column]), code, params,
                       table.col_of(column, i))  # fmt: skip

    checked_columns = ("unit", "year", "quarter", "indicator", "numerator", "denominator", "note")
    seen_keys: dict[tuple, int] = {}
    records: list[tuple] = []
    outcome_columns = (units_, years, quarters, indicators_, numerators, denominators, notes)
    has_issue = [any(o[1] is not None for o in column) for column in outcome_columns]
    place_issue = any(p.problems for p in located)
    any_issue = any(has_issue)
    for i, line in enumerate(lines):
        row_problems = []
        if place_issue:
            for column, code, params in located[i].problems:
                row_problems.append(at(column, i, line, code, params))
        if any_issue:
            for column, outcomes, flagged in zip(checked_columns, outcome_columns, has_issue, strict=True):
                if flagged and (issue := outcomes[i][1]) is not None:
                    row_problems.append(at(column, i, line, issue[0], issue[1]))
        if conflicts and (conflict := conflicts[i]) is not None:
            row_problems.append(at(conflict[0], i, line, "context_conflict", conflict[1]))
        numerator, denominator = numerators[i][0], denominators[i][0]
        if denominator == 0:
            row_problems.append(at("denominator", i, line, "denominator_zero", {}))
        if numerator is not None and denominator is not None and numerator > denominator:
            row_problems.append(
                at("numerator", i, line, "numerator_gt_denominator", {"numerator": numerator, "denominator": denominator})
            )
        if row_problems:
            problems.extend(row_problems)
            continue
        (unit_name, unit_key), province, commune = units_[i][0], located[i].province, located[i].commune
        key = (province, commune, unit_key, years[i][0], quarters[i][0], indicators_[i][0])
        if key in seen_keys:
            problems.append(Problem(line, None, "duplicate_row", {"other": seen_keys[key]}))
            continue
        seen_keys[key] = line
        if problems:
            continue  # the file is refused anyway: keep looking for problems, stop collecting rows
        records.append((line, province, commune, unit_name, unit_key, *key[3:], numerator, denominator, notes[i][0]))

    if problems or not records:
        rows = pd.DataFrame(columns=CLEAN_COLUMNS)
    else:
        rows = pd.DataFrame(dict(zip(CLEAN_COLUMNS, map(list, zip(*records, strict=True)), strict=True)))
    warnings = _place_warnings(lines, located, headers, index) + _check_totals(table, col) + _check_sums(table)
    if "rate" in table.data:
        warnings += _check_rates(table, numerators, denominators, col("rate"))
    return Validated(rows, _distinct(problems), warnings, table)


def _distinct(problems: list[Problem]) -> list[Problem]:
    """Each problem once: a form's header cell (an unknown indicator) is behind every record of its column."""
    seen: set[tuple] = set()
    out = []
    for p in problems:
        key = (p.row, p.column, p.code, p.col, repr(sorted(p.params.items())))
        if key not in seen:
            seen.add(key)
            out.append(p)
    return out


def _fill_from_context(table: RawTable, context: Context) -> None:
    """The columns a form does not have, from its title and the options: the same value on every record."""
    n = len(table.lines)
    fill = {"commune": context.commune, "year": context.year, "quarter": context.quarter, "unit": context.unit}
    if context.commune is not None and "province" not in table.columns and "commune" not in table.columns:
        fill["province"] = context.province
    if "commune" in table.columns or "commune_code" in table.columns:
        fill.pop("commune")  # the rows say it; the options are checked against them (_conflicts)
        fill.pop("unit")
    for column, value in fill.items():
        if column in table.columns or value is None:
            continue
        if column == "unit" and table.layout != "per_indicator":
            continue
        table.columns[column] = HEADERS_VI[column]
        table.data[column] = [value] * n


def _conflicts(
    given: Given,
    places: Places,
    scope: Scope | None,
    located: list[Located],
    years: list[tuple[int | None, Issue]],
    quarters: list[tuple[int | None, Issue]],
    table: RawTable,
) -> list[tuple[str, dict[str, Any]] | None]:
    """Per record, a column that says another place or period than the options did (None where they agree)."""
    if given.empty:
        return []
    want = None
    if given.commune is not None and ("commune" in table.columns or "commune_code" in table.columns):
        found = locate(places, scope, False, given.province, given.commune, None, None)
        want = (found.province, found.commune) if found.commune else None
    out: list[tuple[str, dict[str, Any]] | None] = []
    for place, (year, _), (quarter, _) in zip(located, years, quarters, strict=True):
        conflict: tuple[str, dict[str, Any]] | None = None
        if want is not None and place.commune is not None and (place.province, place.commune) != want:
            conflict = ("commune", {"in_file": place.commune, "given": given.commune})
        elif given.year is not None and year is not None and year != given.year:
            conflict = ("year", {"in_file": year, "given": given.year})
        elif given.quarter is not None and quarter is not None and quarter != given.quarter:
            conflict = ("quarter", {"in_file": quarter, "given": given.quarter})
        out.append(conflict)
    return out if any(c is not None for c in out) else []


def _place_warnings(lines: list[int], located: list[Located], headers: dict[str, str], index: dict[str, int]) -> list[Problem]:
    """One warning per old name the file uses, at the first row that writes it, saying how many rows do."""
    first: dict[tuple[str, str, str], tuple[int, dict[str, Any]]] = {}
    counts: dict[tuple[str, str, str], int] = {}
    for line, place in zip(lines, located, strict=True):
        for column, code, params in place.warnings:
            key = (column, code, repr(sorted(params.items())))
            if key not in first:
                first[key] = (line, params)
            counts[key] = counts.get(key, 0) + 1
    return [
        Problem(line, headers[key[0]], key[1], {**params, "rows": counts[key]}, index.get(key[0]))
        for key, (line, params) in first.items()
    ]


WriteCheck = Callable[[str, str], bool]


def check_scope(checked: Validated, may_write: WriteCheck) -> Validated:
    """Refuse, row by row, every row for a commune the uploader may not write (a whole-file refusal)."""
    if not checked.ok or checked.rows.empty or checked.table is None:
        return checked
    header = checked.table.columns.get("commune", HEADERS_VI["commune"])
    col = checked.table.column_index.get("commune")
    allowed: dict[tuple[str, str], bool] = {}
    problems = []
    for line, province, commune in zip(checked.rows["line"], checked.rows["province"], checked.rows["commune"], strict=True):
        key = (province, commune)
        if key not in allowed:
            allowed[key] = may_write(province, commune)
        if not allowed[key]:
            problems.append(Problem(int(line), header, "out_of_scope", {"commune": commune, "province": province}, col))
    if not problems:
        return checked
    return Validated(checked.rows.iloc[0:0], problems, checked.warnings, checked.table)


def _each_distinct(values: list, judge: Callable[[Any], Any]) -> list:
    """judge(v) for every v, computed once per distinct value."""
    memo: dict = {}
    out = []
    for v in values:
        try:
            out.append(memo[v])
        except KeyError:
            memo[v] = result = judge(v)
            out.append(result)
    return out


def _unit(units: _Units, province: str | None, commune: str | None, raw: Any) -> tuple[tuple[str, str], Issue]:
    if (bad := bad_text(raw)) is not None:
        return ("", ""), bad
    text = clean_display(cell_text(raw))
    if not text:
        return ("", ""), ("required", {})
    key, ambiguous = units.unit_key(province, commune, text)
    if ambiguous:
        return (text, key), ("unit_ambiguous", {"value": text, "names": ", ".join(ambiguous)})
    return (text, key), None


def _parsed(parser: Callable[[Any], int], raw: Any) -> tuple[int | None, Issue]:
    try:
        return parser(raw), None
    except ParseError as e:
        return None, (e.code, e.params)


def _count(raw: Any) -> tuple[int | None, Issue]:
    if type(raw) is int and 0 <= raw <= MAX_COUNT:
        return raw, None
    if type(raw) is float and 0 <= raw <= MAX_COUNT and raw.is_integer():  # what a workbook stores for 1200
        return int(raw), None
    if type(raw) is str and raw.isdigit() and raw.isascii() and len(raw) < 10:
        return int(raw), None
    return _parsed(parse_count, raw)


def _indicator(lookup: dict[str, str], known: str, raw: Any, catalog: Catalog) -> tuple[str | None, Issue]:
    if (bad := bad_text(raw)) is not None:
        return None, bad
    text = cell_text(raw)
    if not text:
        return None, ("required", {})
    code = lookup.get(fold(text))
    if code is not None:
        return code, None
    found = match_indicator(catalog, text)  # in words, as a form names it
    if found.code is not None:
        return found.code, None
    if found.candidates and set(found.candidates) != set(catalog.indicators):
        return None, ("indicator_ambiguous", {"value": text, "candidates": names_of(catalog, found.candidates)})
    return None, ("indicator_unknown", {"value": text, "known": known})


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


def _check_sums(table: RawTable) -> list[Problem]:
    """A form's totals and section rows, cell by cell against the rows they sum: a warning where they differ."""
    warnings = []
    for check in table.sums:
        try:
            stated = parse_count(check.stated)
            summed = sum(parse_count(v) for v in check.parts if not (v is None or (isinstance(v, str) and not v.strip())))
        except ParseError:
            continue
        if stated != summed:
            warnings.append(Problem(check.line, check.header, "totals_mismatch", {"stated": stated, "summed": summed}, check.col))
    return warnings


def _percent(raw: Any) -> float | None:
    """A typed percentage: 85, 85.5, "85,5", "85,5 %"; None when blank or not a number."""
    if isinstance(raw, bool) or raw is None:
        return None
    if isinstance(raw, (int, float)):
        return float(raw)
    text = str(raw).strip().rstrip("%").strip().replace(",", ".")
    try:
        return float(text)
    except ValueError:
        return None


def _check_rates(
    table: RawTable, numerators: list[tuple[int | None, Issue]], denominators: list[tuple[int | None, Issue]], header: str
) -> list[Problem]:
    """A percentage beside the counts is checked against them: more than half a point apart is a warning."""
    warnings = []
    for i, raw in enumerate(table.data["rate"]):
        stated = _percent(raw)
        numerator, denominator = numerators[i][0], denominators[i][0]
        if stated is None or numerator is None or not denominator:
            continue
        computed = 100 * numerator / denominator
        if stated <= 1 and computed > 1.5 and abs(stated * 100 - computed) <= 0.5:
            continue  # a cell formatted as a percentage holds 0.855 for 85,5 %
        if abs(stated - computed) > 0.5:
            params = {"stated": cell_text(raw), "computed": f"{computed:.1f}".replace(".", ","),
                      "numerator": numerator, "denominator": denominator}  # fmt: skip
            warnings.append(Problem(table.line_of("rate", i), table.header_of("rate", i, header), "rate_mismatch", params,
                                    table.col_of("rate", i)))  # fmt: skip
    return warnings


def _note(raw: Any) -> tuple[str | None, Issue]:
    """A note is free text: any script, but no control or invisible characters (they break the exports)."""
    if (bad := bad_text(raw, name=False)) is not None:
        return None, bad
    return cell_text(raw) or None, None
