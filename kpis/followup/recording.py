"""Recording progress on tasks and milestones: one form entry or a whole sheet, checked, journaled, kept.

Progress is history: each update (status, the date it refers to, a note, optional evidence) is one
more row of `task_updates`, from the in-app form or from an uploaded sheet (kept under uploads/ by
sha256 like the figures, and all or nothing). Nothing is updated or deleted.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Literal

import duckdb
import pandas as pd

from kpis import store
from kpis.catalog.model import Plan
from kpis.core.i18n import DEFAULT_LANG, Lang, format_problem, t
from kpis.followup.board import STATE_LABELS, items, known_items
from kpis.followup.task_sheet import HEADERS_VI, STATUSES, CheckedSheet, check_cells, check_file, template_xlsx
from kpis.intake.validate import Problem
from kpis.store import audit, plan_book
from kpis.store.journal import Event, TaskFile, TaskUpdate


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


PlanCheck = Callable[[int, int | None], bool]  # (province code, commune code or None for a province plan) -> may write


def _out_of_scope(rows: list[dict], may_write_plan: PlanCheck | None, plans: Mapping[str, Plan]) -> list[Problem]:
    """Rows for a plan the writer's account does not cover: refused, each row named."""
    if may_write_plan is None:
        return []
    problems = []
    for r in rows:
        plan = plans[r["plan_id"]]
        if not may_write_plan(plan.province_code, plan.commune_code):
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
    journal: bool = True,
    may_write_plan: PlanCheck | None = None,
) -> TaskImport:
    """Record a progress sheet whole, or refuse it whole with every problem named; keep the file.

    may_write_plan is the writer's scope (None: the command line and replays, trusted).
    """
    now = uploaded_at or dt.datetime.now()
    file_name = store.recorded_name(file_name)  # whole up to 255 characters; the disk never sees it
    plans = plan_book.in_force(con)
    checked = check_file(data, file_name, known_items(plans), now.date())
    problems = checked.problems or _out_of_scope(checked.rows, may_write_plan, plans)
    if problems:
        if journal:
            audit.record(con, uploaded_by, "task_update", file_name, {"refused": len(problems)})
        return TaskImport(file_name, "refused", problems)
    with store.writing(con):  # from the duplicate check to the commit: the same sheet twice at once is one import
        if con.execute("SELECT 1 FROM task_files WHERE sha256 = ?", [hashlib.sha256(data).hexdigest()]).fetchone():
            return TaskImport(file_name, "duplicate")
        sha, kept = store.keep_file(con, data, file_name)
        event = None
        if journal:
            event = TaskFile(sha256=sha, kept=kept.name, file_name=file_name, uploaded_by=uploaded_by, uploaded_at=now)
        try:
            with store.journaled(con, event):
                file_id = store.next_id(con, "seq_task_file")
                con.execute(
                    "INSERT INTO task_files (id, file_name, sha256, size_bytes, stored_path, uploaded_by, uploaded_at, row_count)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    [file_id, file_name, sha, len(data), kept.name, uploaded_by, now, len(checked.rows)],
                )
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


def check_sheet(con: duckdb.DuckDBPyConnection, data: bytes, file_name: str, today: dt.date) -> CheckedSheet:
    """Read and check a progress sheet against the plans in force without writing anything."""
    return check_file(data, file_name, known_items(plan_book.in_force(con)), today)


def record_update(
    con: duckdb.DuckDBPyConnection,
    code: str,
    status: str,
    status_date: dt.date,
    note: str = "",
    evidence: str = "",
    recorded_by: str = "anonymous",
    recorded_at: dt.datetime | None = None,
    journal: bool = True,
    may_write_plan: PlanCheck | None = None,
) -> TaskImport:
    """One update from the in-app form, checked by the same rules as a sheet row."""
    now = recorded_at or dt.datetime.now()
    cells = {"code": code, "status": status, "date": status_date, "note": note, "evidence": evidence}
    plans = plan_book.in_force(con)
    row, problems = check_cells(cells, known_items(plans), now.date())
    problems = problems or _out_of_scope([row], may_write_plan, plans)
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


def template(con: duckdb.DuckDBPyConnection) -> bytes:
    """The progress sheet to fill in (in Vietnamese, as the offices use it), listing every task and milestone in force."""
    words = [t(STATE_LABELS[s], "vi") for s in STATUSES]
    return template_xlsx([(i.code, i.title("vi")) for i in items(plan_book.in_force(con))], words)
