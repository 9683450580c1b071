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
from typing import Any, Literal

import duckdb
import numpy as np
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
    "province_code",  # the national statistics codes (kpis/catalog/official); commune_code None on a province row
    "commune_code",
]


def _unit_year_sql(where: str = "") -> str:
    """Each unit's latest reported quarter per year and indicator (optionally for some communes).

    Read from unit_year_values, which the store keeps current on every import and withdrawal.
    """
    return f"""
SELECT c.province, c.name AS commune, u.name AS unit, y.unit_id, y.year, y.indicator,
       y.numerator, y.denominator, y.quarter, p.code AS province_code, c.code AS commune_code
FROM unit_year_values y
JOIN units u ON u.id = y.unit_id
JOIN communes c ON c.id = u.commune_id
JOIN provinces p ON p.name = c.province
{where}
"""


def _area_filter(province: str | None, commune: str | None, up_to: int | None = None) -> tuple[str, list]:
    clauses: list[str] = []
    params: list[object] = []
    if up_to is not None:  # later years never change a year's figure or its status (the first year is the earliest)
        clauses.append("y.year <= ?")
        params.append(up_to)
    if province is not None:
        clauses.append("c.province = ?")
        params.append(province)
    if commune is not None:
        clauses.append("c.name = ?")
        params.append(commune)
    return ("WHERE " + " AND ".join(clauses)) if clauses else "", params


@dataclass(frozen=True)
class TargetRule:
    target_pct: float
    target_year: int
    plan_id: str


def unit_year_values(con: duckdb.DuckDBPyConnection, province: str | None = None, commune: str | None = None) -> pd.DataFrame:
    """Each unit's value per year and indicator: its latest reported quarter that year."""
    where, params = _area_filter(province, commune)
    return con.execute(_unit_year_sql(where) + " ORDER BY province, commune, unit, year, indicator", params).df()


def _area_sums(
    con: duckdb.DuckDBPyConnection, level: Level, province: str | None, commune: str | None, up_to: int | None = None
) -> pd.DataFrame:
    """Each area's summed counts per indicator and year, read from commune_year_values (kept current by the store):
    a commune's row as it is, a province's the sum of its communes' rows. Ordered by area, indicator code, year."""
    where, params = _area_filter(province, commune if level == "commune" else None, up_to)
    if level == "province":
        sums = con.execute(
            f"""
            SELECT c.province, NULL::VARCHAR AS commune, y.indicator, y.year,
                   sum(y.numerator)::BIGINT AS numerator, sum(y.denominator)::BIGINT AS denominator,
                   sum(y.units)::INTEGER AS units, any_value(p.code) AS province_code, NULL::INTEGER AS commune_code
            FROM commune_year_values y
            JOIN communes c ON c.id = y.commune_id
            JOIN provinces p ON p.name = c.province
            {where}
            GROUP BY c.province, y.indicator, y.year
            ORDER BY c.province, y.indicator, y.year
            """,
            params,
        ).df()
        return sums.astype({"province_code": "Int64", "commune_code": "Int64"})  # None where a place has no code
    return _commune_sums(con, where, params, _area_filter(province, commune))


def _commune_sums(con: duckdb.DuckDBPyConnection, where: str, params: list, names: tuple[str, list]) -> pd.DataFrame:
    """The commune rows as numbers (commune id, indicator rank), named from the communes table afterwards: a
    national year is about 70,000 rows, and fetching a name per row would cost more than all the rest.
    where/params select the rows; names (a WHERE on communes c, and its parameters) the communes to name."""
    values = con.execute(
        f"""
        SELECT y.commune_id, i.k, y.year, y.numerator, y.denominator, y.units
        FROM commune_year_values y
        JOIN communes c ON c.id = y.commune_id
        JOIN (SELECT code, (row_number() OVER (ORDER BY code) - 1)::INTEGER AS k FROM indicators) i ON i.code = y.indicator
        {where}
        """,
        params,
    ).df()
    places = con.execute(
        "SELECT c.id, c.province, c.name AS commune, p.code AS province_code, c.code AS commune_code"
        f" FROM communes c JOIN provinces p ON p.name = c.province {names[0]} ORDER BY c.province, c.name",
        names[1],
    ).df()
    codes = np.array([r[0] for r in con.execute("SELECT code FROM indicators ORDER BY code").fetchall()], dtype=object)
    place = pd.Index(places["id"]).get_indexer(values["commune_id"])
    order = np.lexsort((values["year"].to_numpy(), values["k"].to_numpy(), place))
    at = place[order]
    named = places.take(at).reset_index(drop=True)
    picked = values.take(order).reset_index(drop=True)
    return pd.DataFrame(
        {
            "province": named["province"],
            "commune": named["commune"],
            "indicator": pd.Series(codes[picked["k"].to_numpy()], dtype=places["province"].dtype),
            "year": picked["year"],
            "numerator": picked["numerator"].astype("int64"),
            "denominator": picked["denominator"].astype("int64"),
            "units": picked["units"].astype("int32"),
            "province_code": named["province_code"].astype("Int64"),
            "commune_code": named["commune_code"].astype("Int64"),
        }
    )


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
        row: Any  # pandas-stubs types every named-tuple field as a possibly-NA scalar; only commune may be NA here
        for row in targets.itertuples(index=False):
            commune = row.commune if isinstance(row.commune, str) else None
            key = (row.province, commune, row.indicator)
            schedule = self._schedules.setdefault(key, [])
            schedule[:] = [s for s in schedule if s[0] != row.year]  # a later-dated plan wins a clash
            schedule.append((int(row.year), float(row.target_pct), row.plan_id))
        for schedule in self._schedules.values():
            schedule.sort()

    def communes_with_own_targets(self) -> set[tuple[str, str]]:
        return {(p, c) for p, c, _ in self._schedules if c is not None}

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
    province: str | None = None,
    commune: str | None = None,
    targets: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """One row per area x indicator x year with data: counts, value, target and status.

    province / commune narrow the areas computed (the figures of an area never depend on others).
    targets (plan_targets' columns) stands in for the plans in force: a plan's preview shows the figures under it.
    """
    sums = _area_sums(con, level, province, commune, up_to=year)
    if sums.empty:
        return pd.DataFrame(columns=[*OUTPUT_COLUMNS, "plan_id", "units"])
    sums["value_pct"] = sums["numerator"] * 100.0 / sums["denominator"]
    rules = _rules_for(sums, TargetBook(plan_targets(con) if targets is None else targets))
    out = pd.concat([sums, rules], axis=1)
    area = [out["province"], out["commune"].fillna(""), out["indicator"]]
    first_year = out.groupby(area, sort=False)["year"].transform("first")
    first_value = out.groupby(area, sort=False)["value_pct"].transform("first")
    out["status"] = _statuses(out["value_pct"], out["year"], out["target_pct"], out["target_year"], first_year, first_value)
    out["target_year"] = out["target_year"].astype("Int64")
    if year is not None:
        out = out[out["year"] == year]
    return out[[*OUTPUT_COLUMNS, "plan_id", "units"]].reset_index(drop=True)


def _rules_for(sums: pd.DataFrame, book: TargetBook) -> pd.DataFrame:
    """target_pct, target_year and plan_id for each row; the rule is looked up once per distinct area-year.

    Communes without a plan of their own share their province's schedule, so a national table of about
    70,000 commune rows needs a few hundred lookups; the rows are keyed by integer codes, not looped over.
    """
    own = book.communes_with_own_targets()
    provinces, p_names = pd.factorize(sums["province"])
    communes, c_names = pd.factorize(sums["commune"])  # -1: a province row
    indicators, i_names = pd.factorize(sums["indicator"])
    if own:  # the commune's own schedule where it has one, else its province's (-1)
        mine = pd.MultiIndex.from_arrays([sums["province"], sums["commune"]]).isin(list(own))
        communes = np.where(mine, communes, -1)
    else:
        communes = np.full(len(sums), -1)
    nc, ni = len(c_names) + 1, len(i_names)
    key = ((provinces.astype("int64") * nc + communes + 1) * ni + indicators) * 10_000 + sums["year"].to_numpy("int64")
    rows, keys = pd.factorize(key)
    rules = []
    for k in keys.tolist():
        rest, year = divmod(k, 10_000)
        rest, indicator = divmod(rest, ni)
        province, commune = divmod(rest, nc)
        rules.append(book.applicable(p_names[province], c_names[commune - 1] if commune else None, i_names[indicator], year))
    target_pct = np.array([r.target_pct if r else np.nan for r in rules], dtype="float64")
    target_year = np.array([r.target_year if r else np.nan for r in rules], dtype="float64")
    plan_id = np.array([r.plan_id if r else None for r in rules], dtype=object)
    return pd.DataFrame(
        {"target_pct": target_pct[rows], "target_year": target_year[rows], "plan_id": plan_id[rows]}, index=sums.index
    )


def _statuses(
    value: pd.Series, year: pd.Series, target: pd.Series, target_year: pd.Series, first_year: pd.Series, first_value: pd.Series
) -> np.ndarray:
    """status_of() over whole columns (the same rule, vectorised for national tables)."""
    span = (target_year - first_year).where(target_year > first_year)
    share = (year - first_year) / span
    expected = (first_value + (target - first_value) * share).where(span.notna(), target)
    return np.select(
        [target.isna(), value >= target, year >= target_year, value >= expected],
        ["no_target", "met", "behind", "on_track"],
        default="behind",
    )


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
    prog = progress(con, "commune", year, province=province)
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
