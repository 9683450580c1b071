"""Who has sent their quarterly figures, on time or late, and who has not.

The rules, shown on the page "Tình hình báo cáo" in both languages (compliance_rules_text in
kpis/core/locales/*.toml) and tested in tests/figures/test_compliance.py:

- Every commune in the registry is expected to send its figures every quarter, from Quý I/2025
  (Resolution 57 is of 22/12/2024), or from its earliest quarter with figures if that is earlier.
- Its schedule is its own plan's dated deadlines, else its province plan's. A plan with only
  "periodic" reports and no date (Hòa An) gives no deadline; nor does having no plan: then a
  quarter is only received or not received, never late.
- A quarter's figures are due at the first deadline of that schedule after the quarter has ended
  and not before the plan was issued. With a half-year report in June and an annual one in
  December, the June report carries the fourth quarter of the year before and the first quarter,
  the December report the second and third. Lai Châu's monthly report (before the 15th) carries
  each quarter in the month after it: due 15/4, 15/7, 15/10 and 15/1.
- A quarter is received when the first submission (not withdrawn) holding any value for the
  commune (any of its units) for that quarter is uploaded; on time when uploaded on or before
  the due day, late by (upload day - due day) days after it; missing once the due day has
  passed without one; pending before that.
- A unit that has ever reported follows its commune's schedule from the first quarter it reported.
- Everything is judged as of a day: uploads after it are not seen.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, Literal

import duckdb
import pandas as pd

from kpis.core.i18n import Lang, t
from kpis.core.periods import (
    Quarter,
    day_in_month,
    fmt_date,
    fmt_day_month,
    last_ended_quarter,
    quarter_end,
    quarter_label,
    quarter_ranges,
    quarters_between,
)
from kpis.core.records import json_records
from kpis.core.text import fold

Level = Literal["commune", "unit"]
STATUSES = ("on_time", "late", "missing", "pending", "received", "not_received")
SYMBOLS = {"on_time": "✔", "late": "⚠", "missing": "✖", "pending": "…", "received": "●", "not_received": "○"}
STATUS_LABELS = {  # the legend's words
    "on_time": "compliance_status_on_time",
    "late": "compliance_status_late",
    "missing": "compliance_status_missing",
    "pending": "compliance_status_pending",
    "received": "compliance_status_received",
    "not_received": "compliance_status_not_received",
}
CELL_LABELS = {  # the matrix cell's words; late and pending take {days} and {date}
    "on_time": "compliance_cell_on_time",
    "late": "compliance_cell_late",
    "missing": "compliance_cell_missing",
    "pending": "compliance_cell_pending",
    "received": "compliance_cell_received",
    "not_received": "compliance_cell_not_received",
}
FIRST_QUARTER: Quarter = (2025, 1)
OUTPUT_COLUMNS = [
    "province",
    "commune",
    "unit",
    "year",
    "quarter",
    "plan_id",
    "due_date",
    "received_at",
    "status",
    "days_late",
]


def _months(frequency: str, month: int | None) -> list[int]:
    """The months a deadline falls in each year: every month, every third month from its own, or its one month."""
    if frequency == "monthly":
        return list(range(1, 13))
    if frequency == "quarter":
        first = ((month or 3) - 1) % 3 + 1
        return [first + 3 * k for k in range(4)]
    return [month or 12]


@dataclass(frozen=True)
class PlanSchedule:
    """One plan's dated reporting deadlines, counted from the day it was issued."""

    plan_id: str
    issued: dt.date | None
    deadlines: tuple[tuple[str, int | None, int], ...]  # (frequency, month, day)

    def dates(self, first_year: int, last_year: int) -> list[dt.date]:
        out: set[dt.date] = set()
        for year in range(first_year, last_year + 1):
            for frequency, month, day in self.deadlines:
                months = _months(frequency, month)
                out.update(day_in_month(year, m, day) for m in months)
        return sorted(d for d in out if self.issued is None or d >= self.issued)

    def due(self, year: int, quarter: int) -> dt.date | None:
        """The first deadline after the quarter ends (and not before the plan was issued)."""
        end = quarter_end(year, quarter)
        return next((d for d in self.dates(year, year + 3) if d > end), None)


@dataclass(frozen=True)
class Schedule:
    """The deadlines a commune follows (usually one plan's)."""

    plans: tuple[PlanSchedule, ...]

    def due(self, year: int, quarter: int) -> tuple[dt.date, str] | None:
        found = [(d, p.plan_id) for p in self.plans if (d := p.due(year, quarter)) is not None]
        return min(found) if found else None


def schedules(con: duckdb.DuckDBPyConnection) -> dict[tuple[str, str | None], Schedule]:
    """Dated schedules by (province, commune); commune None for a province plan."""
    rows = con.execute(
        """
        SELECT p.id, p.date, p.province, p.commune, d.frequency, d.month, d.day
        FROM plans p JOIN plan_deadlines d ON d.plan_id = p.id
        WHERE d.frequency <> 'periodic' AND d.day IS NOT NULL AND (d.frequency = 'monthly' OR d.month IS NOT NULL)
        ORDER BY p.id, d.frequency, d.month
        """
    ).fetchall()
    plans: dict[str, tuple[tuple[str, str | None], dt.date | None, list]] = {}
    for plan_id, issued, province, commune, frequency, month, day in rows:
        plans.setdefault(plan_id, ((province, commune), issued, []))[2].append((frequency, month, day))
    out: dict[tuple[str, str | None], Schedule] = {}
    for plan_id, (key, issued, deadlines) in plans.items():
        plan = PlanSchedule(plan_id, issued, tuple(deadlines))
        out[key] = Schedule((*out[key].plans, plan)) if key in out else Schedule((plan,))
    return out


def schedule_for(book: dict[tuple[str, str | None], Schedule], province: str, commune: str) -> Schedule | None:
    """The commune's own plan's dates where it has them, else its province plan's, else none."""
    return book.get((province, commune)) or book.get((province, None))


def _arrivals(con: duckdb.DuckDBPyConnection, as_of: dt.date, key: str) -> pd.DataFrame:
    """Per commune (key "commune_id") or unit ("unit_id") and quarter: its first and its last live upload
    (uploads after as_of are not seen). Summed up in the database: the country has 800,000 unit-quarters."""
    ident = "v.unit_id" if key == "unit_id" else "c.id"
    return con.execute(
        f"""
        SELECT {ident} AS {key}, v.year, v.quarter, min(s.uploaded_at) AS first_at, max(s.uploaded_at) AS last_at
        FROM submission_values v
        JOIN submissions s ON s.id = v.submission_id
        JOIN units u ON u.id = v.unit_id
        JOIN communes c ON c.id = u.commune_id
        WHERE s.uploaded_at < ? AND s.id NOT IN (SELECT submission_id FROM withdrawals)
        GROUP BY ALL
        """,
        [dt.datetime.combine(as_of + dt.timedelta(days=1), dt.time())],
    ).df()


def _entities(con: duckdb.DuckDBPyConnection, level: Level, province: str | None) -> pd.DataFrame:
    """Registry communes (or units that exist), of one province or all, in Vietnamese alphabetical
    order (Mường Ảng before Mường Chà)."""
    if level == "commune":
        frame = con.execute(
            "SELECT id AS commune_id, NULL::INTEGER AS unit_id, province, name AS commune, NULL::VARCHAR AS unit"
            " FROM communes WHERE ?::VARCHAR IS NULL OR province = ?",
            [province, province],
        ).df()
    else:
        frame = con.execute(
            """
            SELECT c.id AS commune_id, u.id AS unit_id, c.province, c.name AS commune, u.name AS unit
            FROM units u JOIN communes c ON c.id = u.commune_id WHERE ?::VARCHAR IS NULL OR c.province = ?
            """,
            [province, province],
        ).df()
    keys = [tuple(fold(str(v)) for v in row) for row in frame[["province", "commune", "unit"]].itertuples(index=False)]
    order = sorted(range(len(frame)), key=keys.__getitem__)
    return frame.iloc[order].reset_index(drop=True)


def _judge(due: dt.date | None, received: dt.datetime | None, as_of: dt.date) -> tuple[str, int | None]:
    """Status and days (late by, or overdue by) of one quarter's report."""
    if due is None:
        return ("received", None) if received is not None else ("not_received", None)
    if received is not None:
        late = (received.date() - due).days
        return ("late", late) if late > 0 else ("on_time", None)
    return ("missing", (as_of - due).days) if as_of > due else ("pending", None)


@dataclass
class ComplianceReport:
    """Each commune's (or unit's) report for each quarter, as of one day, and views of it."""

    as_of: dt.date
    level: Level
    cells: pd.DataFrame  # OUTPUT_COLUMNS plus commune_id, unit_id
    last: pd.DataFrame = field(default_factory=pd.DataFrame)  # per commune_id: last upload and its latest quarter

    def quarters(self) -> list[Quarter]:
        pairs = self.cells[["year", "quarter"]].drop_duplicates().itertuples(index=False)
        return sorted((int(y), int(q)) for y, q in pairs)

    def _cells(self, province: str | None) -> pd.DataFrame:
        return self.cells if province is None else self.cells[self.cells["province"] == province]

    def matrix(self, lang: Lang, province: str | None = None) -> pd.DataFrame:
        """Communes (or units) x quarters; each cell a symbol and a few words, never colour alone."""
        cells = self._cells(province)
        keys = ["province", "commune"] + (["unit"] if self.level == "unit" else [])
        labels = {q: quarter_label(*q, lang) for q in self.quarters()}
        header = {"province": t("col_province", lang), "commune": t("col_commune", lang), "unit": t("col_unit", lang)}
        if cells.empty:
            return pd.DataFrame(columns=[header[k] for k in keys] + list(labels.values()))
        text = cells.assign(
            period=[labels[(y, q)] for y, q in zip(cells["year"], cells["quarter"], strict=True)],
            cell=[
                cell_text(s, d, due, lang)
                for s, d, due in zip(cells["status"], cells["days_late"], cells["due_date"], strict=True)
            ],
        )
        wide = text.pivot(index=keys, columns="period", values="cell")
        wide = wide.reindex(columns=[label for label in labels.values() if label in wide.columns]).fillna("")
        wide = wide.reindex(pd.MultiIndex.from_frame(cells[keys].drop_duplicates()))  # registry order, not pivot's
        wide.columns.name = None
        out = wide.reset_index().rename(columns=header)
        return out if province is None else out.drop(columns=header["province"])  # one province: said above the table

    def overdue(self, lang: Lang, province: str | None = None) -> pd.DataFrame:
        """Communes (or units) with a report past its due day and not received, most overdue first."""
        cells = self._cells(province)
        missing = cells[cells["status"] == "missing"]
        keys = ["commune_id", "province", "commune"] + (["unit_id", "unit"] if self.level == "unit" else [])
        columns = [
            t("col_province", lang),
            t("col_commune", lang),
            *([t("col_unit", lang)] if self.level == "unit" else []),
            t("compliance_col_missing_count", lang),
            t("compliance_col_missing_quarters", lang),
            t("compliance_col_first_due", lang),
            t("compliance_col_days_overdue", lang),
            t("compliance_col_last_upload", lang),
        ]
        if missing.empty:
            return pd.DataFrame(columns=columns if province is None else columns[1:])
        rows = []
        for key, group in missing.sort_values(["year", "quarter"]).groupby(keys, sort=False):
            info: dict[str, Any] = dict(zip(keys, key, strict=True))  # column -> this group's value
            last_key = info["unit_id"] if self.level == "unit" else info["commune_id"]
            rows.append(
                [
                    info["province"],
                    info["commune"],
                    *([info["unit"]] if self.level == "unit" else []),
                    len(group),
                    quarter_ranges([(int(y), int(q)) for y, q in zip(group["year"], group["quarter"], strict=True)], lang),
                    fmt_date(group["due_date"].min(), lang),
                    int(group["days_late"].max()),
                    self._last_text(last_key, lang),
                ]
            )
        frame = pd.DataFrame(rows, columns=columns)
        by_name = lambda col: col.map(fold) if col.name == columns[1] else col  # noqa: E731 - Vietnamese order: Lạn before Lay
        frame = frame.sort_values([columns[-2], columns[1]], ascending=[False, True], kind="stable", key=by_name)
        frame = frame.reset_index(drop=True)
        return frame if province is None else frame.drop(columns=columns[0])

    def _last_text(self, key: int, lang: Lang) -> str:
        if self.last.empty or key not in self.last.index:
            return t("compliance_never", lang)
        row = self.last.loc[key]
        if not isinstance(row, pd.Series):  # _last_uploads keeps one row per commune or unit
            raise ValueError(f"more than one last upload for {key!r}")
        return t(
            "compliance_last_upload",
            lang,
            date=fmt_date(row["uploaded_at"], lang),
            period=quarter_label(int(row["year"]), int(row["quarter"]), lang),
        )

    def completeness(self) -> pd.DataFrame:
        """Per province and quarter whose due day has passed: reports expected, received, received on time."""
        cells = self.cells.dropna(subset=["due_date"])
        cells = cells[cells["due_date"] < self.as_of]
        columns = ["province", "year", "quarter", "expected", "received", "on_time", "received_pct", "on_time_pct"]
        if cells.empty:
            return pd.DataFrame(columns=columns)
        frame = (
            cells.assign(
                received=cells["status"].isin(["on_time", "late"]).astype(int),
                on_time=(cells["status"] == "on_time").astype(int),
            )
            .groupby(["province", "year", "quarter"], as_index=False)
            .agg(expected=("status", "size"), received=("received", "sum"), on_time=("on_time", "sum"))
        )
        frame["received_pct"] = 100.0 * frame["received"] / frame["expected"]
        frame["on_time_pct"] = 100.0 * frame["on_time"] / frame["expected"]
        return frame[columns]

    def headline(self, province: str | None = None) -> Headline:
        """What a leader reads first: how many are overdue now, and the latest quarter that fell due."""
        cells = self._cells(province)
        entity = "unit_id" if self.level == "unit" else "commune_id"
        overdue = cells.loc[cells["status"] == "missing", entity].nunique()
        done = self.completeness()
        if province is not None:
            done = done[done["province"] == province]
        if done.empty:
            return Headline(int(overdue), int(cells[entity].nunique()), None, 0, 0, 0)
        by_quarter = done.groupby(["year", "quarter"])[["expected", "received", "on_time"]].sum().sort_index()
        (year, quarter), latest = by_quarter.index[-1], by_quarter.iloc[-1]
        return Headline(
            int(overdue),
            int(cells[entity].nunique()),
            (int(year), int(quarter)),
            int(latest["received"]),
            int(latest["expected"]),
            int(latest["on_time"]),
        )


@dataclass(frozen=True)
class Headline:
    overdue: int  # communes (or units) with at least one report past due and not received
    total: int
    period: Quarter | None  # the latest quarter whose due day has passed
    received: int
    expected: int
    on_time: int


def cell_text(status: str, days: float | None, due: dt.date | None, lang: Lang) -> str:
    """'✔ đúng hạn', '⚠ trễ 12 ngày', '✖ chưa nộp', '… hạn 10/12': short, so that seven quarters fit a screen.

    How long a missing report is overdue is in the overdue list under the matrix.
    """
    symbol = SYMBOLS[status]
    if status == "late":
        if days is None:
            raise ValueError("a late report needs its days late")
        return f"{symbol} " + t("compliance_cell_late", lang, days=int(days))
    if status == "pending":
        if due is None:
            raise ValueError("a pending report needs its due day")
        return f"{symbol} " + t("compliance_cell_pending", lang, date=fmt_day_month(due, lang))
    return f"{symbol} " + t(CELL_LABELS[status], lang)


def report(
    con: duckdb.DuckDBPyConnection, as_of: dt.date, level: Level = "commune", province: str | None = None
) -> ComplianceReport:
    """Judge every commune's (or reporting unit's) quarterly report as of a day; with province, only
    that province's (the same cells as in the national report: the quarters shown start from the
    earliest data anywhere, so a province's view and the country's agree)."""
    key = "unit_id" if level == "unit" else "commune_id"
    arrivals = _arrivals(con, as_of, key)
    entities = _entities(con, level, province)
    # a plain dict of plain datetimes: a lookup per commune and quarter (80,000 for the country) in a
    # pandas index takes seconds, and boxing each value as a Timestamp a tenth of one
    keys = zip(arrivals[key], arrivals["year"], arrivals["quarter"], strict=True)
    firsts = dict(zip(keys, arrivals["first_at"].dt.to_pydatetime(), strict=True))
    last_quarter = last_ended_quarter(as_of)
    first_yq = int((arrivals["year"] * 10 + arrivals["quarter"]).min()) if len(arrivals) else None
    data_first = divmod(first_yq, 10) if first_yq is not None else None
    start = min(FIRST_QUARTER, data_first) if data_first else FIRST_QUARTER
    quarters = quarters_between(start, last_quarter)
    if level == "unit":
        unit_first = arrivals.assign(yq=arrivals["year"] * 10 + arrivals["quarter"]).groupby("unit_id")["yq"].min()
        entities = entities[entities["unit_id"].isin(unit_first.index)]
    book = schedules(con)
    dues: dict[tuple[Schedule | None, int, int], tuple[dt.date | None, str | None]] = {}  # most communes share one schedule
    rows = []
    ent: Any  # pandas-stubs types every named-tuple field as a possibly-NA scalar; these registry columns are never NA
    for ent in entities.itertuples(index=False):
        schedule = schedule_for(book, ent.province, ent.commune)
        since = (0, 0) if level == "commune" else divmod(int(unit_first[ent.unit_id]), 10)
        for year, quarter in quarters:
            if (year, quarter) < since:
                continue
            if (schedule, year, quarter) not in dues:
                found = schedule.due(year, quarter) if schedule else None
                dues[(schedule, year, quarter)] = found if found else (None, None)
            due, plan_id = dues[(schedule, year, quarter)]
            ident = ent.unit_id if level == "unit" else ent.commune_id
            received = firsts.get((ident, year, quarter))
            status, days = _judge(due, received, as_of)
            rows.append(
                [ent.province, ent.commune, ent.unit, year, quarter, plan_id, due, received, status, days]
                + [ent.commune_id, ent.unit_id]
            )
    cells = pd.DataFrame(rows, columns=[*OUTPUT_COLUMNS, "commune_id", "unit_id"])
    cells["days_late"] = cells["days_late"].astype("Int64")
    return ComplianceReport(as_of, level, cells, _last_uploads(arrivals, key))


def _last_uploads(arrivals: pd.DataFrame, key: str) -> pd.DataFrame:
    """Per commune (or unit): its latest upload, and the latest quarter that upload held."""
    if arrivals.empty:
        return pd.DataFrame(columns=["uploaded_at", "year", "quarter"])
    latest = arrivals.sort_values(["last_at", "year", "quarter"]).groupby(key).tail(1)
    return latest.rename(columns={"last_at": "uploaded_at"}).set_index(key)[["uploaded_at", "year", "quarter"]]


def report_status(con: duckdb.DuckDBPyConnection, as_of: dt.date, level: Level = "commune") -> pd.DataFrame:
    """The long table (one row per commune or unit and quarter) that the CLI prints."""
    return report(con, as_of, level).cells[OUTPUT_COLUMNS]


def overdue_reports(
    con: duckdb.DuckDBPyConnection, as_of: dt.date, lang: Lang = "vi", province: str | None = None
) -> pd.DataFrame:
    """Display-ready: communes overdue right now with their last submission (for the meeting pack)."""
    return report(con, as_of, province=province).overdue(lang, province)


def records(frame: pd.DataFrame) -> list[dict[str, object]]:
    """report_status() rows as plain JSON-able dicts: ISO dates, None for no value."""
    return json_records(frame, OUTPUT_COLUMNS)
