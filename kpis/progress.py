"""Progress by area and year against the plans' targets.

The semantics leaders rely on (shared/ARCHITECTURE.md):
- a value is a stock at the end of its quarter; a unit's value for a year is its
  latest reported quarter in that year;
- a commune's value is the sum of its units' numerators over the sum of their
  denominators, a province's the same over its communes: never a mean of percentages;
- a commune follows its own plan where it sets a target for the indicator, else its
  province's plan; the target for year Y is the one for the first target year >= Y,
  and after the last target year the last target stays in force;
- status: met when value >= target; behind when not met in or after the target
  year; before it, on_track when the value is at or above the straight path from the
  area's first reported year's value to the target, else behind; no_target where no
  plan sets one.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import duckdb
import pandas as pd

Level = Literal["commune", "province"]
STATUSES = ("met", "on_track", "behind", "no_target")
OUTPUT_COLUMNS = [
    "province",
    "commune",
    "indicator",
    "year",
    "numerator",
    "denominator",
    "value_pct",
    "target_pct",
    "target_year",
    "status",
]

_UNIT_YEAR_SQL = """
SELECT c.province, c.name AS commune, u.name AS unit, cv.unit_id, cv.year, cv.indicator,
       arg_max(cv.numerator, cv.quarter)::BIGINT AS numerator,
       arg_max(cv.denominator, cv.quarter)::BIGINT AS denominator,
       max(cv.quarter)::INTEGER AS quarter
FROM current_values cv
JOIN units u ON u.id = cv.unit_id
JOIN communes c ON c.id = u.commune_id
GROUP BY ALL
"""


@dataclass(frozen=True)
class TargetRule:
    target_pct: float
    target_year: int
    plan_id: str


def unit_year_values(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Each unit's value per year and indicator: its latest reported quarter that year."""
    return con.execute(_UNIT_YEAR_SQL + " ORDER BY province, commune, unit, year, indicator").df()


def _area_sums(con: duckdb.DuckDBPyConnection, level: Level) -> pd.DataFrame:
    keys = "province, commune" if level == "commune" else "province"
    select_commune = "" if level == "commune" else ", NULL::VARCHAR AS commune"
    return con.execute(
        f"""
        SELECT {keys}{select_commune}, indicator, year,
               sum(numerator)::BIGINT AS numerator, sum(denominator)::BIGINT AS denominator,
               count(*)::INTEGER AS units
        FROM ({_UNIT_YEAR_SQL})
        GROUP BY {keys}, indicator, year
        ORDER BY {keys}, indicator, year
        """
    ).df()


def plan_targets(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    return con.execute(
        """
        SELECT p.id AS plan_id, p.province, p.commune, p.date, t.indicator, t.year, t.target_pct
        FROM plan_targets t JOIN plans p ON p.id = t.plan_id
        ORDER BY p.province, p.commune NULLS FIRST, t.indicator, t.year, p.date
        """
    ).df()


class TargetBook:
    """Answers 'which target applies to this area, indicator and year'."""

    def __init__(self, targets: pd.DataFrame) -> None:
        self._schedules: dict[tuple[str, str | None, str], list[tuple[int, float, str]]] = {}
        for row in targets.itertuples(index=False):
            commune = row.commune if isinstance(row.commune, str) else None
            key = (row.province, commune, row.indicator)
            schedule = self._schedules.setdefault(key, [])
            schedule[:] = [s for s in schedule if s[0] != row.year]  # a later-dated plan wins a clash
            schedule.append((int(row.year), float(row.target_pct), row.plan_id))
        for schedule in self._schedules.values():
            schedule.sort()

    def schedule(self, province: str, commune: str | None, indicator: str) -> list[tuple[int, float, str]]:
        """The target years that apply: the commune's own plan, else the province plan."""
        if commune is not None and (own := self._schedules.get((province, commune, indicator))):
            return own
        return self._schedules.get((province, None, indicator), [])

    def applicable(self, province: str, commune: str | None, indicator: str, year: int) -> TargetRule | None:
        schedule = self.schedule(province, commune, indicator)
        if not schedule:
            return None
        for target_year, pct, plan_id in schedule:
            if target_year >= year:
                return TargetRule(pct, target_year, plan_id)
        target_year, pct, plan_id = schedule[-1]
        return TargetRule(pct, target_year, plan_id)


def path_value(first_year: int, first_value: float, target_year: int, target_pct: float, year: int) -> float:
    """The straight path from the first reported year's value to the target, at year."""
    if target_year <= first_year:
        return target_pct
    share = (year - first_year) / (target_year - first_year)
    return first_value + (target_pct - first_value) * share


def status_of(
    value: float,
    year: int,
    rule: TargetRule | None,
    first_year: int,
    first_value: float,
) -> str:
    if rule is None:
        return "no_target"
    if value >= rule.target_pct:
        return "met"
    if year >= rule.target_year:
        return "behind"
    expected = path_value(first_year, first_value, rule.target_year, rule.target_pct, year)
    return "on_track" if value >= expected else "behind"


def progress(
    con: duckdb.DuckDBPyConnection,
    level: Level = "commune",
    year: int | None = None,
) -> pd.DataFrame:
    """One row per area x indicator x year with data: counts, value, target and status."""
    sums = _area_sums(con, level)
    book = TargetBook(plan_targets(con))
    if sums.empty:
        return pd.DataFrame(columns=[*OUTPUT_COLUMNS, "plan_id", "units"])
    sums["value_pct"] = sums["numerator"] * 100.0 / sums["denominator"]
    firsts: dict[tuple, tuple[int, float]] = {}
    records = []
    for row in sums.itertuples(index=False):
        commune = row.commune if isinstance(row.commune, str) else None
        area = (row.province, commune, row.indicator)
        first_year, first_value = firsts.setdefault(area, (int(row.year), float(row.value_pct)))
        rule = book.applicable(row.province, commune, row.indicator, int(row.year))
        records.append(
            (
                rule.target_pct if rule else None,
                rule.target_year if rule else None,
                status_of(float(row.value_pct), int(row.year), rule, first_year, first_value),
                rule.plan_id if rule else None,
            )
        )
    extra = pd.DataFrame(records, columns=["target_pct", "target_year", "status", "plan_id"], index=sums.index)
    out = pd.concat([sums, extra], axis=1)
    out["target_year"] = out["target_year"].astype("Int64")
    if year is not None:
        out = out[out["year"] == year]
    return out[[*OUTPUT_COLUMNS, "plan_id", "units"]].reset_index(drop=True)


def commune_status_counts(
    con: duckdb.DuckDBPyConnection,
    year: int,
    province: str | None = None,
) -> pd.DataFrame:
    """Per indicator: how many registered communes are met / on track / behind / no target / without data."""
    communes = con.execute(
        "SELECT province, name AS commune FROM communes WHERE ? IS NULL OR province = ?", [province, province]
    ).df()
    indicators = con.execute("SELECT code AS indicator FROM indicators ORDER BY position").df()
    grid = communes.merge(indicators, how="cross")
    prog = progress(con, "commune", year)
    merged = grid.merge(prog[["province", "commune", "indicator", "status"]], how="left", on=["province", "commune", "indicator"])
    merged["status"] = merged["status"].fillna("no_data")
    counts = merged.pivot_table(index="indicator", columns="status", aggfunc="size", fill_value=0)
    for s in (*STATUSES, "no_data"):
        if s not in counts.columns:
            counts[s] = 0
    counts = counts[[*STATUSES, "no_data"]].reindex(indicators["indicator"], fill_value=0)
    return counts.reset_index()


def years_with_data(con: duckdb.DuckDBPyConnection) -> list[int]:
    return [int(r[0]) for r in con.execute("SELECT DISTINCT year FROM submission_values ORDER BY year").fetchall()]
