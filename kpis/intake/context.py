"""What the command line or the upload page says about a file that the file itself may not: where and when.

A form names its commune and its period in the title rows; a tidy table names them in columns. The options
(`import --province --commune --year --quarter`) and the page (the officer's commune, the period chosen)
give what the file does not say; where both say it and disagree, the file is refused naming both.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from kpis.catalog.places import NotFound, Places, Scope
from kpis.catalog.units import Commune
from kpis.intake.locate import locate
from kpis.intake.title import Found, Title


@dataclass(frozen=True)
class Given:
    """Place and period supplied from outside the file; None where nothing was supplied."""

    province: str | None = None
    commune: str | None = None
    year: int | None = None
    quarter: int | None = None

    @property
    def empty(self) -> bool:
        return self.province is None and self.commune is None and self.year is None and self.quarter is None


@dataclass(frozen=True)
class Context:
    """Where and when a file's figures are, as the title and the options settle it; None where neither says."""

    province: str | None = None
    commune: str | None = None
    year: int | None = None
    quarter: int | None = None
    unit: str | None = None  # a one-row-per-indicator form's unit: the title's reporter, or the commune's committee
    problems: tuple[Note, ...] = ()


Note = tuple[int | None, int | None, str, dict[str, Any]]  # (line, 0-based column, code, params)


def _period_text(year: int, quarter: int) -> str:
    return f"{quarter}/{year}"


def settle(
    title: Title | None, given: Given, places: Places, scope: Scope | None, place: bool = True, period: bool = True
) -> Context:
    """The place and the period from the title rows and the options: one of each, or the problems that say why not.

    place and period say whether the file lacks the columns for them: a table that has them is read from its
    rows (the title of a tidy table is not checked against them; the options are, row by row)."""
    title = title or Title()
    problems: list[Note] = []
    year = quarter = None
    if period:
        problems += [(line, col, code, params) for line, col, code, params in title.problems]
        year, quarter = _period(title, given, problems)
    commune = _place(title, given, places, scope, problems) if place else None
    unit = None
    if title.reporters:
        unit = str(title.reporters[0].value)
    elif commune is not None:
        unit = f"UBND {commune.kind.lower()} {commune.name}"
    return Context(commune.province if commune else None, commune.name if commune else None, year, quarter, unit, tuple(problems))


def _period(title: Title, given: Given, problems: list[Note]) -> tuple[int | None, int | None]:
    found = title.periods or title.years
    year = quarter = None
    if found:
        first = found[0]
        year, quarter = first.value
        for other in found[1:]:
            if other.value != first.value:
                problems.append((other.line, other.col, "title_periods_differ",
                                 {"first": first.text, "second": other.text}))  # fmt: skip
                break
        if given.year is not None and given.year != year:
            problems.append((first.line, first.col, "context_conflict", {"in_file": first.text, "given": given.year}))
        elif given.quarter is not None and given.quarter != quarter:
            given_text = _period_text(given.year or year, given.quarter)
            problems.append((first.line, first.col, "context_conflict", {"in_file": first.text, "given": given_text}))
    return (year if year is not None else given.year), (quarter if quarter is not None else given.quarter)


def _resolve(
    places: Places, scope: Scope | None, province: str | None, name: str
) -> tuple[Commune | None, list[tuple[str, dict[str, Any]]]]:
    found = locate(places, scope, False, province, name, None, None)
    if found.commune is None or found.province is None:
        return None, [(code, params) for _, code, params in found.problems]
    commune = places.resolve_commune(found.province, found.commune)  # the registry's own name: found as it is
    return (commune, []) if isinstance(commune, Commune) else (None, [])


def _place(title: Title, given: Given, places: Places, scope: Scope | None, problems: list[Note]) -> Commune | None:
    province = given.province
    if province is None:
        for f in title.provinces:
            kind, name = f.value
            if not isinstance(places.resolve_province(name), NotFound):
                province = name
                break
            if kind == "tinh":
                problems.append((f.line, f.col, "province_unknown", {"value": name, "suggest": ""}))
                return None
    chosen: tuple[Found, Commune] | None = None
    for f in title.communes:
        commune, notes = _resolve(places, scope, province, f.value[1])
        if commune is None:
            problems.extend((f.line, f.col, code, params) for code, params in notes)
            return None
        if chosen is not None and chosen[1] != commune:
            problems.append((f.line, f.col, "title_places_differ", {"first": chosen[0].text, "second": f.text}))
            return None
        chosen = chosen or (f, commune)
    if chosen is None:
        for f in title.weak_communes:  # "Mường Mùn, ngày …": taken only when it names one commune for sure
            commune, notes = _resolve(places, scope, province, str(f.value))
            if commune is not None:
                chosen = (f, commune)
                break
    if given.commune is not None:
        commune, notes = _resolve(places, scope, given.province or province, given.commune)
        if commune is None:
            problems.extend((None, None, code, params) for code, params in notes)
            return None
        if chosen is not None and chosen[1] != commune:
            where = chosen[0]
            problems.append((where.line, where.col, "context_conflict", {"in_file": where.text, "given": given.commune}))
            return None
        return commune
    return chosen[1] if chosen else None
