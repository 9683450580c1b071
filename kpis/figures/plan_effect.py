"""What a plan would change before it is put in: the targets of each commune it reaches, and the figures that move.

A plan's preview is the same arithmetic as the figures (kpis.figures.progress), run twice: with the
plans in force, and with the plan put in their place (the one it replaces taken out). A province
plan reaches every commune of the province that has no target of its own for an indicator; a
commune plan reaches its commune. Nothing is written.
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb
import pandas as pd

from kpis.catalog.model import Plan
from kpis.figures.progress import TargetBook, plan_targets, progress

Schedule = tuple[tuple[int, float], ...]  # (target year, target %) in year order


@dataclass(frozen=True)
class PlanEffect:
    """targets: one row per indicator and change (before, after, the communes it reaches);
    figures: one row per commune and indicator whose target or status moves in the latest year with data."""

    targets: pd.DataFrame
    figures: pd.DataFrame
    communes: int  # how many communes the plan reaches for at least one indicator


TARGET_COLUMNS = ["indicator", "before", "after", "communes", "names"]
FIGURE_COLUMNS = ["commune", "indicator", "year", "value_pct", "target_before", "target_after", "status_before", "status_after"]


def targets_with(con: duckdb.DuckDBPyConnection, plan: Plan, replaced_id: str | None) -> pd.DataFrame:
    """The targets in force as plan_targets() gives them, with this plan put in and the one it replaces taken out."""
    now = plan_targets(con)
    now = now[~now["plan_id"].isin({plan.id, replaced_id} - {None})]
    rows = pd.DataFrame(
        {
            "plan_id": plan.id,
            "province": plan.province,
            "commune": plan.commune,
            "date": pd.Timestamp(plan.date) if plan.date else pd.NaT,
            "indicator": [tg.indicator for tg in plan.targets],
            "year": [tg.year for tg in plan.targets],
            "target_pct": [tg.target_pct for tg in plan.targets],
        }
    )
    return pd.concat([now, rows], ignore_index=True) if not rows.empty else now  # one plan per place: no clash to order


def _schedule(book: TargetBook, province: str, commune: str, indicator: str) -> Schedule:
    return tuple((year, pct) for year, pct, _ in book.schedule(province, commune, indicator))


def plan_effect(
    con: duckdb.DuckDBPyConnection, plan: Plan, replaced_id: str | None, communes: list[str], indicators: list[str]
) -> PlanEffect:
    """The targets and figures the plan changes for these communes (the registry's, of the plan's province)."""
    before_frame = plan_targets(con)
    after_frame = targets_with(con, plan, replaced_id)
    before, after = TargetBook(before_frame), TargetBook(after_frame)
    reached = [plan.commune] if plan.commune else communes
    changes: dict[tuple[str, Schedule, Schedule], list[str]] = {}
    for indicator in indicators:
        for commune in reached:
            old = _schedule(before, plan.province, commune, indicator)
            new = _schedule(after, plan.province, commune, indicator)
            if old != new:
                changes.setdefault((indicator, old, new), []).append(commune)
    targets = pd.DataFrame(
        [
            {"indicator": ind, "before": old, "after": new, "communes": len(names), "names": names}
            for (ind, old, new), names in changes.items()
        ],
        columns=TARGET_COLUMNS,
    )
    touched = sorted({c for names in changes.values() for c in names})
    return PlanEffect(targets, _moving_figures(con, plan, after_frame, set(touched)), len(touched))


def _moving_figures(con: duckdb.DuckDBPyConnection, plan: Plan, after_frame: pd.DataFrame, communes: set[str]) -> pd.DataFrame:
    if not communes:
        return pd.DataFrame(columns=FIGURE_COLUMNS)
    now = progress(con, "commune", province=plan.province, commune=plan.commune)
    then = progress(con, "commune", province=plan.province, commune=plan.commune, targets=after_frame)
    if now.empty:
        return pd.DataFrame(columns=FIGURE_COLUMNS)
    keys = ["commune", "indicator", "year"]
    both = now[[*keys, "value_pct", "target_pct", "status"]].merge(
        then[[*keys, "target_pct", "status"]], on=keys, suffixes=("_before", "_after")
    )
    both = both[both["commune"].isin(communes)]
    latest = both.groupby("commune")["year"].transform("max")
    both = both[both["year"] == latest]
    moved = (both["status_before"] != both["status_after"]) | ~(
        both["target_pct_before"].fillna(-1).eq(both["target_pct_after"].fillna(-1))
    )
    out = both[moved].rename(columns={"target_pct_before": "target_before", "target_pct_after": "target_after"})
    return out[FIGURE_COLUMNS].reset_index(drop=True)
