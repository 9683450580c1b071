"""The plans' tasks and milestones and where each stands on a day: its due day, latest status, days late.

Tasks and milestones are those of the plans in force (kpis.store.plan_book). The latest update (by its
date, then by the order it was recorded) is the one that counts. A milestone is due by the last day
of its year. A task or milestone is late when its due day (kpis.followup.task_deadlines) has passed
and its latest status is not "done"; recurring work ("thường xuyên") is never late.
Recording updates is kpis.followup.recording; the tables pages show are kpis.followup.display.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

import duckdb
import pandas as pd

from kpis.catalog.model import Plan
from kpis.core.i18n import Lang
from kpis.followup.task_deadlines import TaskDeadline, milestone_deadline, parse_deadline
from kpis.followup.task_sheet import STATUSES, KnownItem
from kpis.store import plan_book

STATES = ("overdue", "no_update", *STATUSES)  # what a row shows: overdue first, then the recorded status
STATE_LABELS = {
    "overdue": "tasks_status_overdue",
    "no_update": "tasks_status_no_update",
    "not_started": "tasks_status_not_started",
    "in_progress": "tasks_status_in_progress",
    "done": "tasks_status_done",
}
_AGENCY_STARTS = (
    "Sở ", "Phòng ", "Trung tâm ", "UBND", "Ủy ban", "Các ", "Đài ", "Báo ", "Ban ", "Công an",
    "Cổng ", "Tổ ", "Hội ", "Đoàn ", "Văn phòng", "Bộ ", "Cục ",
)  # fmt: skip


@dataclass(frozen=True)
class Item:
    plan_id: str
    kind: Literal["task", "milestone"]
    code: str
    title_vi: str
    title_en: str
    lead: str
    deadline: TaskDeadline

    def title(self, lang: Lang) -> str:
        return self.title_vi if lang == "vi" or not self.title_en else self.title_en


def split_agencies(lead: str) -> list[str]:
    """'Sở Nội vụ, Sở Văn hóa, Thể thao và Du lịch' -> the two agencies (commas also sit inside names)."""
    parts: list[str] = []
    for piece in (p.strip() for chunk in lead.split(";") for p in chunk.split(",")):
        if not piece:
            continue
        if parts and not piece.startswith(_AGENCY_STARTS):
            parts[-1] = f"{parts[-1]}, {piece}"
        else:
            parts.append(piece)
    return parts


def items(plans: Mapping[str, Plan]) -> list[Item]:
    """Every task and milestone of these plans (the plans in force: plan_book.in_force), with its deadline read."""
    out: list[Item] = []
    for plan in plans.values():
        year = plan.date.year if plan.date else None
        for task in plan.tasks:
            out.append(
                Item(plan.id, "task", task.code, task.title_vi, task.title_en, task.lead, parse_deadline(task.deadline, year))
            )
        for ms in plan.milestones:
            out.append(Item(plan.id, "milestone", ms.code, ms.title_vi, ms.title_en, plan.issuer, milestone_deadline(ms.year)))
    return out


def known_items(plans: Mapping[str, Plan]) -> dict[str, KnownItem]:
    return {i.code: KnownItem(i.plan_id, i.kind) for i in items(plans)}


# --- what is late ---------------------------------------------------------------------------


def _state(item: Item, updates: pd.DataFrame, as_of: dt.date) -> dict:
    """Due day, latest status and days late of one item on as_of."""
    due = item.deadline.due(as_of)
    start = item.deadline.cycle_start(as_of)
    seen = updates[updates["status_date"] <= as_of]
    if start is not None:
        seen = seen[seen["status_date"] >= start]
    latest = seen.iloc[-1] if not seen.empty else None
    status = str(latest["status"]) if latest is not None else "no_update"
    days: int | None = None
    overdue = due is not None and status != "done" and as_of > due
    if due is not None and overdue:
        days = (as_of - due).days
    elif due is not None and status == "done":
        trailing = seen["status"][::-1].ne("done").cumsum().eq(0)[::-1]  # the last run of "done" updates
        done_on = seen.loc[trailing, "status_date"].min()
        days = max(0, (done_on - due).days) or None
    return {
        "due_date": due,
        "status": status,
        "overdue": overdue,
        "days_late": days,
        "status_date": latest["status_date"] if latest is not None else None,
        "note": latest["note"] if latest is not None else None,
        "evidence": latest["evidence"] if latest is not None else None,
    }


def board(con: duckdb.DuckDBPyConnection, as_of: dt.date) -> pd.DataFrame:
    """One row per task and milestone: plan, code, lead, deadline, due day, status, overdue, days late."""
    updates = con.execute("SELECT item_code, status, status_date, note, evidence FROM task_updates ORDER BY status_date, id").df()
    updates["status_date"] = pd.to_datetime(updates["status_date"]).dt.date
    by_code = dict(tuple(updates.groupby("item_code", sort=False))) if not updates.empty else {}
    empty = updates.iloc[0:0]
    rows = []
    for item in items(plan_book.in_force(con)):
        state = _state(item, by_code.get(item.code, empty), as_of)
        rows.append(
            {
                "plan_id": item.plan_id,
                "kind": item.kind,
                "code": item.code,
                "title_vi": item.title_vi,
                "title_en": item.title_en,
                "lead": item.lead,
                "agencies": split_agencies(item.lead),
                "deadline": item.deadline.text,
                "deadline_kind": item.deadline.kind,
                **state,
            }
        )
    frame = pd.DataFrame(rows)
    frame["days_late"] = frame["days_late"].astype("Int64")
    return frame


def agencies(frame: pd.DataFrame, plan_id: str | None = None) -> list[str]:
    """Lead agencies of the tasks shown, for the filter."""
    tasks = frame[(frame["kind"] == "task") & ((frame["plan_id"] == plan_id) if plan_id else True)]
    return sorted({a for names in tasks["agencies"] for a in names})
