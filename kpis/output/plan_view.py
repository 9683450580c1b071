"""The plans page's tables: a plan's preview (targets and figures that change), its versions, what each changed.

Plain frames in words people read (names, not codes; "70% năm 2025; 80% năm 2030", not tuples); the
page only shows them. The numbers come from kpis.figures.plan_effect and kpis.store.plan_book.
"""

from __future__ import annotations

import duckdb
import pandas as pd

from kpis import store
from kpis.catalog.model import Plan, default_catalog
from kpis.core.i18n import Lang, fmt_pct, problem_message, status_label, t
from kpis.core.periods import fmt_date
from kpis.figures.plan_effect import PlanEffect, Schedule, plan_effect
from kpis.intake.plan_import import Checked, plan_label, rules
from kpis.intake.plan_template import plan_workbook
from kpis.intake.plan_workbook import PlanProblem
from kpis.output.views import NO_VALUE, fmt_date_time, indicator_names
from kpis.store import plan_book

STATUS_LABELS = {
    plan_book.IN_FORCE: "plan_status_in_force",
    plan_book.REPLACED: "plan_status_replaced",
    plan_book.PROPOSED: "plan_status_proposed",
    plan_book.REJECTED: "plan_status_rejected",
}
SUMMARY_KEYS = {  # the preview's first lines
    "plan": "plan_preview_summary",
    "replaces": "plan_preview_replaces",
    "put": "plan_preview_put",
    "propose": "plan_preview_propose",
}
NAMES_SHOWN = 6  # communes named in a preview row before "and N more"


def _schedule_text(schedule: Schedule, lang: Lang) -> str:
    if not schedule:
        return t("plan_no_target", lang)
    return "; ".join(t("plan_target_in", lang, pct=fmt_pct(pct, lang, 0), year=year) for year, pct in schedule)


def _names_text(names: list[str], lang: Lang) -> str:
    shown = ", ".join(names[:NAMES_SHOWN])
    more = len(names) - NAMES_SHOWN
    return shown + (t("plan_and_more", lang, count=more) if more > 0 else "")


def effect(con: duckdb.DuckDBPyConnection, checked: Checked) -> PlanEffect | None:
    """The preview's numbers for a checked plan: over the registry's communes of its province, every indicator."""
    plan = checked.plan
    if plan is None:
        return None
    communes = [c.name for c in store.registry(con) if c.province == plan.province]
    indicators = list(default_catalog().indicators)
    replaced = checked.replaces.plan.id if checked.replaces else None
    return plan_effect(con, plan, replaced, communes, indicators)


def effect_targets_table(con: duckdb.DuckDBPyConnection, found: PlanEffect, lang: Lang) -> pd.DataFrame:
    names = indicator_names(con, lang)
    rows = found.targets
    return pd.DataFrame(
        {
            t("col_indicator", lang): [names.get(i, i) for i in rows["indicator"]],
            t("plan_col_before", lang): [_schedule_text(s, lang) for s in rows["before"]],
            t("plan_col_after", lang): [_schedule_text(s, lang) for s in rows["after"]],
            t("plan_col_communes", lang): [int(n) for n in rows["communes"]],
            t("plan_col_which", lang): [_names_text(list(n), lang) for n in rows["names"]],
        }
    )


def _pct_or_none(value: object, lang: Lang) -> str:
    return fmt_pct(float(value), lang) if isinstance(value, (int, float)) and value == value else NO_VALUE


def effect_figures_table(con: duckdb.DuckDBPyConnection, found: PlanEffect, lang: Lang) -> pd.DataFrame:
    names = indicator_names(con, lang)
    rows = found.figures
    return pd.DataFrame(
        {
            t("col_commune", lang): list(rows["commune"]),
            t("col_indicator", lang): [names.get(i, i) for i in rows["indicator"]],
            t("col_year", lang): [int(y) for y in rows["year"]],
            t("plan_col_value", lang): [_pct_or_none(v, lang) for v in rows["value_pct"]],
            t("plan_col_target_move", lang): [
                f"{_pct_or_none(a, lang)} → {_pct_or_none(b, lang)}"
                for a, b in zip(rows["target_before"], rows["target_after"], strict=True)
            ],
            t("plan_col_status_move", lang): [
                f"{status_label(a, lang)} → {status_label(b, lang)}"
                for a, b in zip(rows["status_before"], rows["status_after"], strict=True)
            ],
        }
    )


def summary_lines(checked: Checked, lang: Lang) -> list[tuple[str, dict[str, object]]]:
    """What the preview says first, as (key, params) for the page to word with its parameters shown as text:
    the plan, its counts, what it replaces and what happens on commit."""
    plan = checked.plan
    if plan is None:
        return []
    counts = {"targets": len(plan.targets), "deadlines": len(plan.deadlines), "tasks": len(plan.tasks)}
    lines: list[tuple[str, dict[str, object]]] = [(SUMMARY_KEYS["plan"], {"plan": plan_label(plan, lang), **counts})]
    if checked.replaces is not None:
        lines.append((SUMMARY_KEYS["replaces"], {"plan": plan_label(checked.replaces.plan, lang)}))
    lines.append((SUMMARY_KEYS["put" if checked.power == "put" else "propose"], {}))
    return lines


def changes_text(before: Plan | None, after: Plan, names: dict[str, str], lang: Lang) -> str:
    """What a version changed in the targets against the one before it: added, changed, removed."""
    old = {(tg.indicator, tg.year): tg.target_pct for tg in before.targets} if before else {}
    new = {(tg.indicator, tg.year): tg.target_pct for tg in after.targets}
    parts = []
    for key in sorted(new.keys() | old.keys()):
        name = f"{names.get(key[0], key[0])} {key[1]}"
        if key not in old:
            parts.append(t("plan_change_added", lang, target=name, pct=fmt_pct(new[key], lang, 0)))
        elif key not in new:
            parts.append(t("plan_change_removed", lang, target=name))
        elif old[key] != new[key]:
            parts.append(
                t("plan_change_changed", lang, target=name, before=fmt_pct(old[key], lang, 0), after=fmt_pct(new[key], lang, 0))
            )
    if before is None:
        return t("plan_change_first", lang, count=len(new))
    return "; ".join(parts) or t("plan_change_none", lang)


def versions_table(con: duckdb.DuckDBPyConnection, plan_id: str, lang: Lang) -> pd.DataFrame:
    """Every version of the plans of this plan's place, oldest first: who put each in, when, its status, what changed."""
    found = plan_book.versions(con, "plan_id = ?", [plan_id])
    if not found:
        return pd.DataFrame()
    first = found[0].plan
    place = plan_book.versions(
        con, "province_code = ? AND commune_code IS NOT DISTINCT FROM ?", [first.province_code, first.commune_code]
    )
    names = indicator_names(con, lang)
    rows = []
    previous: Plan | None = None
    for v in place:
        who = t("plan_seed_author", lang) if v.origin == plan_book.SEED else v.added_by
        decided = "" if v.decided_at is None else t("plan_decided_by", lang, who=v.decided_by, at=fmt_date_time(v.decided_at))
        rows.append(
            {
                t("plan_col_version", lang): v.version,
                t("plan_col_number", lang): v.plan.number or NO_VALUE,
                t("plan_col_issued", lang): fmt_date(v.plan.date, lang) if v.plan.date else NO_VALUE,
                t("plan_col_status", lang): t(STATUS_LABELS[v.status], lang),
                t("plan_col_by", lang): who,
                t("plan_col_at", lang): fmt_date_time(v.added_at),
                t("plan_col_decision", lang): decided or NO_VALUE,
                t("plan_col_file", lang): v.file_name or NO_VALUE,
                t("plan_col_changes", lang): changes_text(previous, v.plan, names, lang),
            }
        )
        if v.status in (plan_book.IN_FORCE, plan_book.REPLACED):
            previous = v.plan
    return pd.DataFrame(rows)


def proposals_table(con: duckdb.DuckDBPyConnection, lang: Lang) -> pd.DataFrame:
    """The plans waiting for approval."""
    rows = [
        {
            t("plan_col_version", lang): v.version,
            t("plan_col_plan", lang): plan_label(v.plan, lang),
            t("plan_col_by", lang): v.added_by,
            t("plan_col_at", lang): fmt_date_time(v.added_at),
            t("plan_col_file", lang): v.file_name or NO_VALUE,
        }
        for v in plan_book.versions(con, "status = ?", [plan_book.PROPOSED])
    ]
    return pd.DataFrame(rows)


def proposal_preview(con: duckdb.DuckDBPyConnection, proposal: plan_book.Version) -> tuple[PlanEffect | None, list[PlanProblem]]:
    """What approving a proposal would change now, and what would stop it (the rules against the plans in force)."""
    problems, replaced = rules(con, proposal.plan)
    return effect(con, Checked(proposal.plan, problems, replaced, "put")), problems


def problems_table(problems: list[PlanProblem], lang: Lang) -> pd.DataFrame:
    """A refused plan workbook as a table to work through: sheet, row, column, what to fix."""
    return pd.DataFrame(
        {
            t("plan_col_sheet", lang): [p.sheet or "" for p in problems],
            t("col_row", lang): [p.row if p.row is not None else "" for p in problems],
            t("col_column", lang): [p.column or "" for p in problems],
            t("col_problem", lang): [problem_message(p.code, p.params, lang) for p in problems],
        }
    )


def export_bytes(con: duckdb.DuckDBPyConnection, plan_id: str) -> bytes:
    """A plan in force as its workbook (the plan export)."""
    return plan_workbook(default_catalog(), plan_book.in_force(con)[plan_id])
