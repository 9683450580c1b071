"""The task and milestone tables pages and the meeting pack show: labels, state words and colours, order.

Built on kpis.followup.board (where each item stands) and kpis.followup.recording (what was recorded).
"""

from __future__ import annotations

import datetime as dt

import duckdb
import pandas as pd
from pandas.io.formats.style import Styler

from kpis.catalog.model import Plan
from kpis.core.i18n import DEFAULT_LANG, Lang, t
from kpis.core.periods import fmt_date
from kpis.followup.board import STATE_LABELS, board, items
from kpis.followup.recording import history
from kpis.store import plan_book

SYMBOLS = {"overdue": "✖", "no_update": "?", "not_started": "○", "in_progress": "➚", "done": "✔"}
BACKGROUNDS = {"✖": "#F5C4A8", "?": "#EEEEEE", "○": "#FBE1A6", "➚": "#CFE8F7", "✔": "#C7EBDD"}


def plan_label(plan: Plan, lang: Lang) -> str:
    """'Tỉnh Lai Châu · 2653/KH-UBND' — how a leader names a plan."""
    scope = (
        t("scope_commune", lang, commune=plan.commune, province=plan.province)
        if plan.commune
        else t("scope_province", lang, province=plan.province)
    )
    return f"{scope} · {plan.number}" if plan.number else scope


def metrics(frame: pd.DataFrame, plan_id: str | None, lang: Lang) -> list[tuple[str, str]]:
    """The four counts a leader reads first: tasks overdue, done, without update; milestones overdue."""
    rows = frame[frame["plan_id"] == plan_id] if plan_id else frame
    tasks_, miles = rows[rows["kind"] == "task"], rows[rows["kind"] == "milestone"]
    total = len(tasks_)
    return [
        (t("tasks_metric_overdue", lang), f"{int(tasks_['overdue'].sum())}/{total}"),
        (t("tasks_metric_done", lang), f"{int((tasks_['status'] == 'done').sum())}/{total}"),
        (t("tasks_metric_no_update", lang), f"{int((tasks_['status'] == 'no_update').sum())}/{total}"),
        (t("tasks_metric_milestones", lang), f"{int(miles['overdue'].sum())}/{len(miles)}"),
    ]


def state_text(status: str, overdue: bool, lang: Lang, days_late: float | None = None) -> str:
    """'✖ Quá hạn · Đang thực hiện', '✔ Hoàn thành', '✔ Hoàn thành (trễ hạn)', '? Chưa có cập nhật'."""
    if overdue:
        return f"{SYMBOLS['overdue']} {t('tasks_state_overdue', lang)} · {t(STATE_LABELS[status], lang)}"
    late = status == "done" and days_late is not None and not pd.isna(days_late)
    return f"{SYMBOLS[status]} {t(STATE_LABELS[status], lang)}" + (f" ({t('tasks_state_done_late', lang)})" if late else "")


def _days(rows: pd.DataFrame) -> list[str]:
    """Days late as text, blank where nothing is late (a number column would show 'None')."""
    return ["" if pd.isna(d) else str(int(d)) for d in rows["days_late"]]


def _states(rows: pd.DataFrame, lang: Lang) -> list[str]:
    return [state_text(s, o, lang, d) for s, o, d in zip(rows["status"], rows["overdue"], rows["days_late"], strict=True)]


def _due_text(row: pd.Series, lang: Lang) -> str:
    if row["due_date"] is not None and row["due_date"] == row["due_date"]:
        return fmt_date(row["due_date"], lang)
    return t("tasks_due_ongoing", lang) if row["deadline_kind"] == "ongoing" else "–"


def _titles(rows: pd.DataFrame, lang: Lang) -> list[str]:
    return [en if lang == "en" and en else vi for vi, en in zip(rows["title_vi"], rows["title_en"], strict=True)]


def _ordered(frame: pd.DataFrame) -> pd.DataFrame:
    """Overdue first (most days late first), then by due day, then by code."""
    key = frame.assign(
        _o=~frame["overdue"],
        _d=frame["days_late"].where(frame["overdue"]).fillna(0).astype(int) * -1,
        _due=[d if d is not None and d == d else dt.date.max for d in frame["due_date"]],
    )
    return key.sort_values(["_o", "_d", "_due", "plan_id", "code"], kind="stable").drop(columns=["_o", "_d", "_due"])


def task_table(
    frame: pd.DataFrame,
    lang: Lang,
    plans: dict[str, str],
    plan_id: str | None = None,
    lead: list[str] | None = None,
    states: list[str] | None = None,
) -> pd.DataFrame:
    """The tasks to show, filtered by plan, lead agency and state, overdue first, in the reader's language.

    plans maps plan id -> label; states are values of STATES ("overdue" matches late tasks).
    """
    rows = frame[frame["kind"] == "task"]
    if plan_id:
        rows = rows[rows["plan_id"] == plan_id]
    if lead:
        rows = rows[[bool(set(a) & set(lead)) for a in rows["agencies"]]]
    if states:
        rows = rows[[("overdue" in states and o) or s in states for s, o in zip(rows["status"], rows["overdue"], strict=True)]]
    rows = _ordered(rows)
    return pd.DataFrame(  # the task first (the key column, never cut off), then its status, days late, due, who
        {
            t("col_code", lang): rows["code"],
            t("tasks_col_task", lang): _titles(rows, lang),
            t("tasks_col_state", lang): _states(rows, lang),
            t("tasks_col_days_late", lang): _days(rows),
            t("tasks_col_due", lang): [_due_text(r, lang) for _, r in rows.iterrows()],
            t("tasks_col_lead", lang): rows["lead"],
            t("tasks_col_deadline", lang): rows["deadline"],
            t("tasks_col_plan", lang): [plans.get(p, p) for p in rows["plan_id"]],
            t("tasks_col_updated", lang): [fmt_date(d, lang) if d is not None else "–" for d in rows["status_date"]],
            t("tasks_col_note", lang): rows["note"].fillna(""),
            t("tasks_col_evidence", lang): rows["evidence"].fillna(""),
        }
    ).reset_index(drop=True)


def milestone_table(frame: pd.DataFrame, lang: Lang, plans: dict[str, str], plan_id: str | None = None) -> pd.DataFrame:
    """Milestones with their year and the status recorded on them (or 'no update yet'), overdue first."""
    rows = frame[frame["kind"] == "milestone"]
    if plan_id:
        rows = rows[rows["plan_id"] == plan_id]
    rows = _ordered(rows)
    return pd.DataFrame(
        {
            t("col_code", lang): rows["code"],
            t("tasks_col_state", lang): _states(rows, lang),
            t("tasks_col_days_late", lang): _days(rows),
            t("col_year", lang): [int(d.year) for d in rows["due_date"]],
            t("tasks_col_milestone", lang): _titles(rows, lang),
            t("tasks_col_plan", lang): [plans.get(p, p) for p in rows["plan_id"]],
            t("tasks_col_updated", lang): [fmt_date(d, lang) if d is not None else "–" for d in rows["status_date"]],
            t("tasks_col_note", lang): rows["note"].fillna(""),
        }
    ).reset_index(drop=True)


def plan_labels(con: duckdb.DuckDBPyConnection, lang: Lang) -> dict[str, str]:
    """Plan id -> label, for the plans in force that have tasks or milestones."""
    return {p.id: plan_label(p, lang) for p in plan_book.in_force(con).values() if p.tasks or p.milestones}


def overdue_tasks(
    con: duckdb.DuckDBPyConnection,
    as_of: dt.date,
    lang: Lang = DEFAULT_LANG,
    province: str | None = None,
    commune: str | None = None,
) -> pd.DataFrame:
    """Display-ready: every overdue task and milestone, most days late first (for the meeting pack).

    With a province, only the plans that apply there (its own and its communes'); with a
    commune too, only that commune's plan and its province's.
    """
    frame = board(con, as_of)
    if province is not None and not frame.empty:
        plans = plan_book.in_force(con)
        keep = {
            pid for pid, p in plans.items()
            if p.province == province and (commune is None or p.commune in (None, commune))
        }  # fmt: skip
        frame = frame[frame["plan_id"].isin(keep)]
    late = _ordered(frame[frame["overdue"]]) if not frame.empty else frame
    labels = plan_labels(con, lang)
    return pd.DataFrame(
        {
            t("tasks_col_plan", lang): [labels.get(p, p) for p in late["plan_id"]],
            t("col_code", lang): late["code"],
            t("tasks_col_item", lang): _titles(late, lang),
            t("tasks_col_lead", lang): late["lead"],
            t("tasks_col_due", lang): [fmt_date(d, lang) for d in late["due_date"]],
            t("tasks_col_state", lang): [t(STATE_LABELS[s], lang) for s in late["status"]],
            t("tasks_col_days_late", lang): late["days_late"].astype(int),
        }
    ).reset_index(drop=True)


def style_states(frame: pd.DataFrame, lang: Lang) -> Styler:
    """Colour the state column by its leading symbol (the words stay)."""
    column = t("tasks_col_state", lang)

    def colour(value: object) -> str:
        text = str(value)
        return f"background-color: {BACKGROUNDS[text[0]]}; color: #1A1A1A" if text and text[0] in BACKGROUNDS else ""

    return frame.style.map(colour, subset=[column])


def item_choices(con: duckdb.DuckDBPyConnection, lang: Lang) -> dict[str, str]:
    """Code -> 'LC-14 · title' for the form's picker, over the plans in force."""
    out = {}
    for i in items(plan_book.in_force(con)):
        title = i.title(lang)
        out[i.code] = f"{i.code} · {title[:90]}{'…' if len(title) > 90 else ''}"
    return out


def history_table(con: duckdb.DuckDBPyConnection, lang: Lang, limit: int = 30) -> pd.DataFrame:
    """The latest updates recorded, newest first, in the reader's language."""
    recent = history(con).head(limit)
    return pd.DataFrame(
        {
            t("col_code", lang): recent["item_code"],
            t("tasks_col_state", lang): [f"{SYMBOLS[s]} {t(STATE_LABELS[s], lang)}" for s in recent["status"]],
            t("tasks_col_date", lang): [fmt_date(d, lang) for d in recent["status_date"]],
            t("tasks_col_note", lang): recent["note"].fillna(""),
            t("tasks_col_evidence", lang): recent["evidence"].fillna(""),
            t("tasks_col_recorded", lang): [
                f"{by} · {fmt_date(at, lang)}" + (f" · {f}" if isinstance(f, str) else "")
                for by, at, f in zip(recent["recorded_by"], recent["recorded_at"], recent["file_name"], strict=True)
            ],
        }
    )
