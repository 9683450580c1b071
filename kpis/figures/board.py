"""The leaders' board: every registered commune of a province (or every province of the country) x
every indicator, with its figure, status, rank, rank change since the previous quarter and pace,
and each area's reporting state for the last quarter that fell due.

The rules (shown on the plans page, tested in tests/figures/test_board.py):
- values and statuses are those of kpis.figures.progress for the year (a province's figure is the
  sum over all its communes' units, never a mean of percentages); areas without figures are "no_data";
- the board's quarter is the latest quarter of the year with figures anywhere in the scope; the
  previous quarter's figures are taken as the product takes a year's: each unit's latest figure of
  that year up to that quarter;
- ranks: per indicator, higher figure first, on the figure as shown (one decimal); ties share a rank
  (1, 2, 2, 4); areas without figures are not ranked; the move is the previous rank minus the rank
  (positive: moved up), none when the area was not ranked in the previous quarter;
- pace: kpis.figures.pace over the area's reported quarters up to the board's quarter;
- the headline compares the scope's figure with the same quarter of the year before.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Literal

import duckdb
import pandas as pd

from kpis.core.periods import Quarter
from kpis.figures import compliance
from kpis.figures.pace import pace
from kpis.figures.progress import TargetBook, plan_targets, progress

Level = Literal["commune", "province"]
RECEIVED = ("on_time", "late", "received")


def latest_quarter(con: duckdb.DuckDBPyConnection, year: int, province: str | None) -> Quarter | None:
    """The latest quarter of the year with a live figure in the province (the country without one)."""
    row = con.execute(
        """
        SELECT max(v.quarter) FROM commune_quarter_values v JOIN communes c ON c.id = v.commune_id
        WHERE v.year = ? AND v.reported AND (?::VARCHAR IS NULL OR c.province = ?)
        """,
        [year, province, province],
    ).fetchone()
    return (year, int(row[0])) if row and row[0] is not None else None


def values_at(con: duckdb.DuckDBPyConnection, level: Level, quarters: list[Quarter], province: str | None = None) -> pd.DataFrame:
    """Each area's figure per indicator as of each quarter given (each unit's latest figure of that
    year up to the quarter, counts summed), and whether the area reported in that very quarter.

    Read from commune_quarter_values, which the store keeps current with every import and withdrawal:
    the communes' sums as of each quarter, summed again for a province."""
    columns = ["province", "commune", "indicator", "year", "quarter", "numerator", "denominator", "value_pct", "reported"]
    if not quarters:
        return pd.DataFrame(columns=columns)
    commune = "c.name" if level == "commune" else "NULL::VARCHAR"
    frame = con.execute(
        f"""
        WITH q AS (SELECT unnest(?::INTEGER[]) AS year, unnest(?::INTEGER[]) AS quarter)
        SELECT c.province, {commune} AS commune, v.indicator, v.year, v.quarter,
               sum(v.numerator)::BIGINT AS numerator, sum(v.denominator)::BIGINT AS denominator,
               bool_or(v.reported) AS reported
        FROM commune_quarter_values v
        JOIN q ON q.year = v.year AND q.quarter = v.quarter
        JOIN communes c ON c.id = v.commune_id
        WHERE ?::VARCHAR IS NULL OR c.province = ?
        GROUP BY ALL
        ORDER BY 1, 2, 3, 4, 5
        """,
        [[q[0] for q in quarters], [q[1] for q in quarters], province, province],
    ).df()
    frame["value_pct"] = frame["numerator"] * 100.0 / frame["denominator"]
    return frame[columns]


def ranks(values: pd.Series) -> pd.Series:
    """1 for the highest figure as shown (one decimal); ties share a rank; no figure, no rank."""
    return values.round(1).rank(method="min", ascending=False).astype("Int64")


@dataclass(frozen=True)
class Board:
    level: Level
    year: int
    province: str | None
    quarter: Quarter | None  # the board's quarter: the latest of the year with figures in the scope
    cells: pd.DataFrame  # per area x indicator: CELL_COLUMNS
    reporting: pd.DataFrame  # per area: REPORTING_COLUMNS
    headline: pd.DataFrame  # per indicator: HEADLINE_COLUMNS


CELL_COLUMNS = [
    "province", "commune", "indicator", "numerator", "denominator", "value_pct", "target_pct", "target_year",
    "status", "rank", "previous_rank", "move", "pace", "pace_year",
]  # fmt: skip
REPORTING_COLUMNS = ["province", "commune", "year", "quarter", "state", "days_late", "expected", "received"]
HEADLINE_COLUMNS = [
    "indicator", "numerator", "denominator", "value_pct", "target_pct", "target_year", "status",
    "last_year_pct", "change_pts",
]  # fmt: skip


def _areas(con: duckdb.DuckDBPyConnection, level: Level, province: str | None) -> pd.DataFrame:
    if level == "province":
        return con.execute("SELECT name AS province, NULL::VARCHAR AS commune FROM provinces").df()
    return con.execute(
        "SELECT province, name AS commune FROM communes WHERE ?::VARCHAR IS NULL OR province = ?", [province, province]
    ).df()


def _keyed(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.assign(commune=frame["commune"].fillna(""))


def board(con: duckdb.DuckDBPyConnection, year: int, province: str | None, as_of: dt.date, level: Level | None = None) -> Board:
    """The board of a province (its communes as rows) or, without one, of the country (its provinces)."""
    level = level or ("commune" if province is not None else "province")
    keys = ["province", "commune", "indicator"]
    indicators = con.execute("SELECT code AS indicator FROM indicators ORDER BY position").df()
    grid = _keyed(_areas(con, level, province).merge(indicators, how="cross"))
    prog = progress(con, level, year, province=province)
    prog = _keyed(
        prog[["province", "commune", "indicator", "numerator", "denominator", "value_pct", "target_pct", "target_year", "status"]]
    )
    cells = grid.merge(prog, how="left", on=keys)
    cells["status"] = cells["status"].fillna("no_data")
    cells["rank"] = cells.groupby("indicator")["value_pct"].transform(ranks).astype("Int64")
    quarter = latest_quarter(con, year, province)
    shown = _pace_quarters(con, quarter)
    extra = [] if quarter is None else [_previous(quarter), (quarter[0] - 1, quarter[1])]
    # one pass over the live figures for every quarter the board needs (it is the costly part)
    points = _keyed(values_at(con, level, sorted(set(shown) | set(extra)), province))
    cells = _with_previous_rank(cells, points, quarter)
    cells = _with_pace(cells, _paces_from(prog[prog["target_pct"].notna()], points, shown))
    reporting = _reporting(con, level, province, as_of)
    head = _headline(con, cells, points, level, province, year, quarter)
    for frame in (cells, reporting):
        frame["commune"] = frame["commune"].replace("", None)
    return Board(level, year, province, quarter, cells[CELL_COLUMNS], reporting[REPORTING_COLUMNS], head[HEADLINE_COLUMNS])


def _previous(quarter: Quarter) -> Quarter:
    year, q = quarter
    return (year - 1, 4) if q == 1 else (year, q - 1)


def _at(points: pd.DataFrame, quarter: Quarter) -> pd.DataFrame:
    return points[(points["year"] == quarter[0]) & (points["quarter"] == quarter[1])]


def _with_previous_rank(cells: pd.DataFrame, points: pd.DataFrame, quarter: Quarter | None) -> pd.DataFrame:
    cells = cells.assign(previous_rank=pd.array([pd.NA] * len(cells), dtype="Int64"))
    if quarter is None:
        return cells.assign(move=cells["previous_rank"])
    before = _at(points, _previous(quarter)).copy()
    before["previous_rank"] = before.groupby("indicator")["value_pct"].transform(ranks).astype("Int64")
    cells = cells.drop(columns="previous_rank").merge(
        before[["province", "commune", "indicator", "previous_rank"]], how="left", on=["province", "commune", "indicator"]
    )
    cells["previous_rank"] = cells["previous_rank"].astype("Int64")
    cells["move"] = (cells["previous_rank"] - cells["rank"]).astype("Int64")
    return cells


def paces(
    con: duckdb.DuckDBPyConnection, level: Level, year: int, province: str | None, commune: str | None = None
) -> pd.DataFrame:
    """Per area with a figure and a target for the year: the pace (kpis.figures.pace) over its reported
    quarters up to the latest quarter of the year with figures in the province (the country)."""
    prog = progress(con, level, year, province=province, commune=commune)
    prog = prog[prog["target_pct"].notna()]
    shown = _pace_quarters(con, latest_quarter(con, year, province))
    points = values_at(con, level, shown if not prog.empty else [], province)
    return _paces_from(prog, _keyed(points), shown)


def _pace_quarters(con: duckdb.DuckDBPyConnection, quarter: Quarter | None) -> list[Quarter]:
    """The quarters with live figures anywhere, up to the given one: the points a pace is drawn through."""
    if quarter is None:
        return []
    # the quarters current_values holds (a quarter some unit reported in), from the derived table
    quarters = con.execute("SELECT DISTINCT year, quarter FROM commune_quarter_values WHERE reported ORDER BY 1, 2").fetchall()
    return [(int(y), int(q)) for y, q in quarters if (y, q) <= quarter]


def _paces_from(prog: pd.DataFrame, points: pd.DataFrame, shown: list[Quarter]) -> pd.DataFrame:
    """paces() over figures already read: prog the areas with a target, points values_at() of the shown quarters
    (it may hold other quarters too; only the shown ones in which the area reported count)."""
    columns = ["province", "commune", "indicator", "target_pct", "pace", "pace_year"]
    prog = _keyed(prog)
    if prog.empty or not shown:
        return pd.DataFrame(columns=columns)
    in_shown = (points["year"].astype(int) * 10 + points["quarter"].astype(int)).isin({y * 10 + q for y, q in shown})
    points = points[points["reported"].astype(bool) & in_shown]
    series = {
        key: list(zip(zip(g["year"], g["quarter"], strict=True), g["value_pct"], strict=True))
        for key, g in points.groupby(["province", "commune", "indicator"], sort=False)
    }
    found = [
        pace(series.get((p, c, ind), []), float(target))
        for p, c, ind, target in zip(prog["province"], prog["commune"], prog["indicator"], prog["target_pct"], strict=True)
    ]
    out = prog[["province", "commune", "indicator", "target_pct"]].assign(
        pace=pd.Series([f.kind for f in found], index=prog.index, dtype="object"),
        pace_year=pd.array([f.year for f in found], dtype="Int64"),
    )
    return out[columns].reset_index(drop=True)


def _with_pace(cells: pd.DataFrame, found: pd.DataFrame) -> pd.DataFrame:
    keys = ["province", "commune", "indicator"]
    out = cells.merge(found[[*keys, "pace", "pace_year"]], how="left", on=keys)
    out["pace"] = out["pace"].astype("object").where(out["pace"].notna(), None)
    out["pace_year"] = out["pace_year"].astype("Int64")
    return out


def _reporting(con: duckdb.DuckDBPyConnection, level: Level, province: str | None, as_of: dt.date) -> pd.DataFrame:
    """Per commune: its report for the latest quarter whose due day has passed (without a deadline, the
    latest quarter that has ended); per province: how many of its communes have sent theirs."""
    cells = compliance.report(con, as_of, "commune", province).cells
    due = pd.to_datetime(cells["due_date"])
    judged = cells[due.isna() | (due < pd.Timestamp(as_of))].sort_values(["year", "quarter"])
    last = judged.groupby(["province", "commune"], sort=False).tail(1)
    last = last.assign(state=last["status"], expected=1, received=last["status"].isin(RECEIVED).astype(int))
    if level == "commune":
        return _keyed(last[["province", "commune", "year", "quarter", "state", "days_late", "expected", "received"]])
    sums = last.groupby("province", as_index=False).agg(
        year=("year", "max"), quarter=("quarter", "max"), expected=("expected", "sum"), received=("received", "sum")
    )
    latest = last.assign(yq=last["year"] * 10 + last["quarter"]).groupby("province")["yq"].max()
    sums["year"], sums["quarter"] = (
        latest.reindex(sums["province"]).to_numpy() // 10,
        latest.reindex(sums["province"]).to_numpy() % 10,
    )
    sums["state"] = None
    sums["days_late"] = pd.array([pd.NA] * len(sums), dtype="Int64")
    return _keyed(sums.assign(commune=None))


def _headline(
    con: duckdb.DuckDBPyConnection,
    cells: pd.DataFrame,
    points: pd.DataFrame,
    level: Level,
    province: str | None,
    year: int,
    quarter: Quarter | None,
) -> pd.DataFrame:
    """The scope's figure per indicator (the province's, or the country's summed over its provinces), its
    target and status (the province's plan; the country has none) and its change since a year before."""
    indicators = list(dict.fromkeys(cells["indicator"]))
    if level == "commune" and province is not None:
        scope = _keyed(progress(con, "province", year, province=province))
        scope = scope[scope["province"] == province].set_index("indicator")
    else:
        sums = cells.groupby("indicator")[["numerator", "denominator"]].sum(min_count=1)
        scope = sums.assign(value_pct=sums["numerator"] * 100.0 / sums["denominator"], target_pct=None, target_year=None)
        scope["status"] = ["no_target" if pd.notna(v) else "no_data" for v in scope["value_pct"]]
    before = pd.Series(dtype="float64")
    if quarter is not None:
        summed = _at(points, (quarter[0] - 1, quarter[1])).groupby("indicator")[["numerator", "denominator"]].sum()
        before = summed["numerator"] * 100.0 / summed["denominator"]
    book = TargetBook(plan_targets(con))
    rows = []
    for code in indicators:
        row = scope.loc[code] if code in scope.index else None
        rule = book.applicable(province, None, code, year) if province is not None else None
        value = None if row is None or pd.isna(row["value_pct"]) else float(row["value_pct"])
        last = float(before[code]) if code in before.index else None
        rows.append(
            {
                "indicator": code,
                "numerator": None if value is None or row is None else int(row["numerator"]),
                "denominator": None if value is None or row is None else int(row["denominator"]),
                "value_pct": value,
                "target_pct": rule.target_pct if rule else None,
                "target_year": rule.target_year if rule else None,
                "status": "no_data" if value is None or row is None else str(row["status"]),
                "last_year_pct": last,
                "change_pts": None if value is None or last is None else value - last,
            }
        )
    return pd.DataFrame(rows, columns=HEADLINE_COLUMNS)
