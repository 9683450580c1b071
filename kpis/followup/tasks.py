"""The plans' tasks and milestones, the progress staff record on them, and what is late.

Tasks and milestones live in the plan files (kpis/catalog/plans/*.toml). Progress is history: each
update (status, the date it refers to, a note, optional evidence) is one more row of
`task_updates`, from the in-app form or from an uploaded sheet (kept under uploads/ by
sha256 like the figures, and all or nothing). Nothing is updated or deleted; the latest
update (by its date, then by the order it was recorded) is the one shown.

A milestone is recorded the same way as a task (its code, e.g. DB-M1) and is due by the
last day of its year. A task or milestone is late when its due day (kpis.followup.task_deadlines)
has passed and its latest status is not "done"; recurring work ("thường xuyên") is never late.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal

import duckdb
import pandas as pd
from pandas.io.formats.style import Styler

from kpis import store
from kpis.catalog.model import Catalog, Plan, default_catalog
from kpis.core.i18n import DEFAULT_LANG, Lang, format_problem, t
from kpis.core.periods import fmt_date
from kpis.followup.task_deadlines import TaskDeadline, milestone_deadline, parse_deadline
from kpis.followup.task_sheet import HEADERS_VI, STATUSES, CheckedSheet, KnownItem, check_cells, check_file, template_xlsx
from kpis.intake.validate import Problem
from kpis.store import audit
from kpis.store.journal import Event, TaskFile, TaskUpdate

STATES = ("overdue", "no_update", *STATUSES)  # what a row shows: overdue first, then the recorded status
STATE_LABELS = {
    "overdue": "tasks_status_overdue",
    "no_update": "tasks_status_no_update",
    "not_started": "tasks_status_not_started",
    "in_progress": "tasks_status_in_progress",
    "done": "tasks_status_done",
}
SYMBOLS = {"overdue": "✖", "no_update": "?", "not_started": "○", "in_progress": "➚", "done": "✔"}
BACKGROUNDS = {"✖": "#F5C4A8", "?": "#EEEEEE", "○": "#FBE1A6", "➚": "#CFE8F7", "✔": "#C7EBDD"}
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


def items(catalog: Catalog | None = None) -> list[Item]:
    """Every task and milestone of every plan, with its deadline read."""
    catalog = catalog or default_catalog()
    out: list[Item] = []
    for plan in catalog.plans.values():
        year = plan.date.year if plan.date else None
        for task in plan.tasks:
            out.append(
                Item(plan.id, "task", task.code, task.title_vi, task.title_en, task.lead, parse_deadline(task.deadline, year))
            )
        for ms in plan.milestones:
            out.append(Item(plan.id, "milestone", ms.code, ms.title_vi, ms.title_en, plan.issuer, milestone_deadline(ms.year)))
    return out


def known_items(catalog: Catalog | None = None) -> dict[str, KnownItem]:
    return {i.code: KnownItem(i.plan_id, i.kind) for i in items(catalog)}


def plan_label(plan: Plan, lang: Lang) -> str:
    """'Tỉnh Lai Châu · 2653/KH-UBND' — how a leader names a plan."""
    scope = (
        t("scope_commune", lang, commune=plan.commune, province=plan.province)
        if plan.commune
        else t("scope_province", lang, province=plan.province)
    )
    return f"{scope} · {plan.number}" if plan.number else scope


# --- recording progress ------------------------------------------------------------------


@dataclass
class TaskImport:
    """The outcome of one sheet or one form entry: accepted, refused (with every problem) or duplicate."""

    file_name: str
    status: Literal["accepted", "refused", "duplicate"]
    problems: list[Problem] = field(default_factory=list)
    rows: int = 0

    @property
    def accepted(self) -> bool:
        return self.status == "accepted"

    def messages(self, lang: Lang = DEFAULT_LANG) -> list[str]:
        return [format_problem(p.row, p.column, p.code, p.params, lang) for p in self.problems]

    def summary(self, lang: Lang = DEFAULT_LANG) -> str:
        key = {"accepted": "tasks_result_accepted", "refused": "result_refused", "duplicate": "tasks_result_duplicate"}
        return t(key[self.status], lang, file=self.file_name, rows=self.rows, count=len(self.problems))

    def text(self, lang: Lang = DEFAULT_LANG) -> str:
        """The summary, then one line per problem: what the form shows."""
        return "\n".join([self.summary(lang), *(f"- {m}" for m in self.messages(lang))])


PlanCheck = Callable[[str, str | None], bool]  # (province, commune or None for a province plan) -> may write


def _out_of_scope(rows: list[dict], may_write_plan: PlanCheck | None, catalog: Catalog | None) -> list[Problem]:
    """Rows for a plan the writer's account does not cover: refused, each row named."""
    if may_write_plan is None:
        return []
    plans = (catalog or default_catalog()).plans
    problems = []
    for r in rows:
        plan = plans[r["plan_id"]]
        if not may_write_plan(plan.province, plan.commune):
            area = plan.commune or plan.province
            problems.append(Problem(r.get("line"), HEADERS_VI["code"], "task_out_of_scope", {"code": r["code"], "area": area}))
    return problems


def _insert(con: duckdb.DuckDBPyConnection, rows: list[dict], by: str, at: dt.datetime, file_id: int | None) -> None:
    for r in rows:
        con.execute(
            "INSERT INTO task_updates (plan_id, item_code, item_kind, status, status_date, note, evidence,"
            " recorded_by, recorded_at, file_id, source_line) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                r["plan_id"],
                r["code"],
                r["kind"],
                r["status"],
                r["status_date"],
                r["note"],
                r["evidence"],
                by,
                at,
                file_id,
                r["line"],
            ],
        )


def import_sheet(
    con: duckdb.DuckDBPyConnection,
    data: bytes,
    file_name: str,
    uploaded_by: str,
    uploaded_at: dt.datetime | None = None,
    catalog: Catalog | None = None,
    journal: bool = True,
    may_write_plan: PlanCheck | None = None,
) -> TaskImport:
    """Record a progress sheet whole, or refuse it whole with every problem named; keep the file.

    may_write_plan is the writer's scope (None: the command line and replays, trusted).
    """
    now = uploaded_at or dt.datetime.now()
    file_name = store.recorded_name(file_name)  # whole up to 255 characters; the disk never sees it
    checked = check_sheet(data, file_name, now.date(), catalog)
    problems = checked.problems or _out_of_scope(checked.rows, may_write_plan, catalog)
    if problems:
        if journal:
            audit.record(con, uploaded_by, "task_update", file_name, {"refused": len(problems)})
        return TaskImport(file_name, "refused", problems)
    with store.WRITE_LOCK:  # from the duplicate check to the commit: the same sheet twice at once is one import
        if con.execute("SELECT 1 FROM task_files WHERE sha256 = ?", [hashlib.sha256(data).hexdigest()]).fetchone():
            return TaskImport(file_name, "duplicate")
        sha, kept = store.keep_file(con, data, file_name)
        event = None
        if journal:
            event = TaskFile(sha256=sha, kept=kept.name, file_name=file_name, uploaded_by=uploaded_by, uploaded_at=now)
        try:
            with store.journaled(con, event):
                file_id = con.execute(
                    "INSERT INTO task_files (file_name, sha256, size_bytes, stored_path, uploaded_by, uploaded_at, row_count)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
                    [file_name, sha, len(data), kept.name, uploaded_by, now, len(checked.rows)],
                ).fetchall()[0][0]
                _insert(con, checked.rows, uploaded_by, now, file_id)
                written = con.execute("SELECT count(*) FROM task_updates WHERE file_id = ?", [file_id]).fetchall()[0][0]
                if written != len(checked.rows):
                    raise store.StoreError(f"{file_name}: wrote {written} of {len(checked.rows)} rows; rolled back")
                store.bump_data_version(con)
                if journal:
                    audit.record(con, uploaded_by, "task_update", file_name, {"rows": len(checked.rows)}, sha, now)
        except store.JournalError as e:  # the kept file stays: another database may hold the same bytes
            return TaskImport(file_name, "refused", [Problem(None, None, "store_journal_unwritable", {"error": str(e)})])
    return TaskImport(file_name, "accepted", rows=len(checked.rows))


def check_sheet(data: bytes, file_name: str, today: dt.date, catalog: Catalog | None = None) -> CheckedSheet:
    """Read and check a progress sheet without writing anything."""
    return check_file(data, file_name, known_items(catalog), today)


def record_update(
    con: duckdb.DuckDBPyConnection,
    code: str,
    status: str,
    status_date: dt.date,
    note: str = "",
    evidence: str = "",
    recorded_by: str = "anonymous",
    recorded_at: dt.datetime | None = None,
    catalog: Catalog | None = None,
    journal: bool = True,
    may_write_plan: PlanCheck | None = None,
) -> TaskImport:
    """One update from the in-app form, checked by the same rules as a sheet row."""
    now = recorded_at or dt.datetime.now()
    cells = {"code": code, "status": status, "date": status_date, "note": note, "evidence": evidence}
    row, problems = check_cells(cells, known_items(catalog), now.date())
    problems = problems or _out_of_scope([row], may_write_plan, catalog)
    if problems:
        return TaskImport(code, "refused", problems)
    event = None
    if journal:
        event = TaskUpdate(code=row["code"], status=row["status"], note=row["note"], evidence=row["evidence"],
                           status_date=row["status_date"], recorded_by=recorded_by, recorded_at=now)  # fmt: skip
    try:
        with store.journaled(con, event):
            _insert(con, [row], recorded_by, now, None)
            store.bump_data_version(con)
            if journal:
                audit.record(con, recorded_by, "task_update", row["code"], {"status": row["status"]}, at=now)
    except store.JournalError as e:
        return TaskImport(row["code"], "refused", [Problem(None, None, "store_journal_unwritable", {"error": str(e)})])
    return TaskImport(row["code"], "accepted", rows=1)


def replay_event(con: duckdb.DuckDBPyConnection, event: Event) -> bool:
    """Apply one journal event of this module to a fresh database (for a rebuild); False if not ours."""
    if isinstance(event, TaskFile):
        data = (store.uploads_dir(con) / event.kept).read_bytes()
        result = import_sheet(con, data, event.file_name, event.uploaded_by, event.uploaded_at, journal=False)
    elif isinstance(event, TaskUpdate):
        result = record_update(
            con, event.code, event.status, event.status_date, event.note or "", event.evidence or "",
            event.recorded_by, event.recorded_at, journal=False,
        )  # fmt: skip
    else:
        return False
    if result.status == "refused":
        raise store.StoreError(f"{result.file_name}: refused on replay: {result.messages('en')}")
    return True


def history(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Every update ever recorded, newest first, with the file it came from (if any)."""
    return con.execute(
        """
        SELECT u.id, u.plan_id, u.item_code, u.item_kind, u.status, u.status_date, u.note, u.evidence,
               u.recorded_by, u.recorded_at, f.file_name
        FROM task_updates u LEFT JOIN task_files f ON f.id = u.file_id
        ORDER BY u.recorded_at DESC, u.id DESC
        """
    ).df()


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


def board(con: duckdb.DuckDBPyConnection, as_of: dt.date, catalog: Catalog | None = None) -> pd.DataFrame:
    """One row per task and milestone: plan, code, lead, deadline, due day, status, overdue, days late."""
    catalog = catalog or default_catalog()
    updates = con.execute("SELECT item_code, status, status_date, note, evidence FROM task_updates ORDER BY status_date, id").df()
    updates["status_date"] = pd.to_datetime(updates["status_date"]).dt.date
    by_code = dict(tuple(updates.groupby("item_code", sort=False))) if not updates.empty else {}
    empty = updates.iloc[0:0]
    rows = []
    for item in items(catalog):
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


def agencies(frame: pd.DataFrame, plan_id: str | None = None) -> list[str]:
    """Lead agencies of the tasks shown, for the filter."""
    tasks = frame[(frame["kind"] == "task") & ((frame["plan_id"] == plan_id) if plan_id else True)]
    return sorted({a for names in tasks["agencies"] for a in names})


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
    return pd.DataFrame(  # what a leader scans first (status, days late, due, who) before the long titles
        {
            t("col_code", lang): rows["code"],
            t("tasks_col_state", lang): _states(rows, lang),
            t("tasks_col_days_late", lang): _days(rows),
            t("tasks_col_due", lang): [_due_text(r, lang) for _, r in rows.iterrows()],
            t("tasks_col_lead", lang): rows["lead"],
            t("tasks_col_task", lang): _titles(rows, lang),
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


def plan_labels(lang: Lang, catalog: Catalog | None = None) -> dict[str, str]:
    """Plan id -> label, for plans that have tasks or milestones."""
    catalog = catalog or default_catalog()
    return {p.id: plan_label(p, lang) for p in catalog.plans.values() if p.tasks or p.milestones}


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
        plans = default_catalog().plans
        keep = {
            pid for pid, p in plans.items()
            if p.province == province and (commune is None or p.commune in (None, commune))
        }  # fmt: skip
        frame = frame[frame["plan_id"].isin(keep)]
    late = _ordered(frame[frame["overdue"]]) if not frame.empty else frame
    return pd.DataFrame(
        {
            t("tasks_col_plan", lang): [plan_labels(lang).get(p, p) for p in late["plan_id"]],
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


def item_choices(lang: Lang, catalog: Catalog | None = None) -> dict[str, str]:
    """Code -> 'LC-14 · title' for the form's picker."""
    out = {}
    for i in items(catalog):
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


def template(catalog: Catalog | None = None) -> bytes:
    """The progress sheet to fill in (in Vietnamese, as the offices use it), listing every task and milestone code."""
    words = [t(STATE_LABELS[s], "vi") for s in STATUSES]
    return template_xlsx([(i.code, i.title("vi")) for i in items(catalog)], words)
