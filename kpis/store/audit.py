"""The audit trail: who did what, when, to which file. Append-only.

Every sign-in (and failed one), upload (accepted or refused), withdrawal, task update, account
change and registry update writes one row here; nothing ever updates or deletes one.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import duckdb
import pandas as pd

from kpis.core.csv_safe import frame_to_csv

ACTION_LABELS = {  # every action the trail records, with its words for the audit page
    "sign_in": "audit_act_sign_in",
    "sign_in_failed": "audit_act_sign_in_failed",
    "sign_in_locked": "audit_act_sign_in_locked",
    "sign_out": "audit_act_sign_out",
    "upload_accepted": "audit_act_upload_accepted",
    "upload_refused": "audit_act_upload_refused",
    "upload_duplicate": "audit_act_upload_duplicate",
    "withdrawal": "audit_act_withdrawal",
    "task_update": "audit_act_task_update",
    "account_created": "audit_act_account_created",
    "password_changed": "audit_act_password_changed",
    "account_disabled": "audit_act_account_disabled",
    "account_enabled": "audit_act_account_enabled",
    "registry_updated": "audit_act_registry_updated",
    "plan_put": "audit_act_plan_put",
    "plan_proposed": "audit_act_plan_proposed",
    "plan_approved": "audit_act_plan_approved",
    "plan_rejected": "audit_act_plan_rejected",
    "plan_refused": "audit_act_plan_refused",
    "accounts_imported": "audit_act_accounts_imported",
    "accounts_import_refused": "audit_act_accounts_import_refused",
}
ACTIONS = tuple(ACTION_LABELS)


MAX_TEXT = 200  # actor and subject: longer is cut, with an ellipsis
MAX_DETAIL_TEXT = 1000  # each text inside detail
MAX_DETAIL = 8000  # the whole detail as JSON


def _cap(text: str | None, limit: int) -> str | None:
    return text if text is None or len(text) <= limit else text[: limit - 1] + "…"


def _capped(value: Any) -> Any:
    """detail with every text cut to MAX_DETAIL_TEXT, so one huge field cannot bloat the trail."""
    if isinstance(value, str):
        return _cap(value, MAX_DETAIL_TEXT)
    if isinstance(value, dict):
        return {_cap(str(k), MAX_DETAIL_TEXT): _capped(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_capped(v) for v in value]
    return value


def _detail_json(detail: dict[str, Any] | None) -> str:
    text = json.dumps(_capped(detail or {}), ensure_ascii=False, default=str)
    if len(text) > MAX_DETAIL:  # still too big (a long list): keep valid JSON, the start of it, and say so
        text = json.dumps({"truncated": _cap(text, MAX_DETAIL)}, ensure_ascii=False)
    return text


def record(
    con: duckdb.DuckDBPyConnection,
    actor: str,
    action: str,
    subject: str = "",
    detail: dict[str, Any] | None = None,
    file_sha256: str | None = None,
    at: dt.datetime | None = None,
) -> None:
    """Append one event. Never pass a password or a hash in detail. Every field is size-capped: a
    1 MB user name typed at sign-in must not write megabytes to the trail on each attempt."""
    if action not in ACTIONS:
        raise ValueError(f"unknown audit action {action!r}")
    con.execute(
        "INSERT INTO audit (happened_at, actor, action, subject, detail, file_sha256) VALUES (?, ?, ?, ?, ?, ?)",
        [at or dt.datetime.now(), _cap(actor, MAX_TEXT), action, _cap(subject, MAX_TEXT), _detail_json(detail), file_sha256],
    )


def events(
    con: duckdb.DuckDBPyConnection,
    actor: str | None = None,
    action: str | None = None,
    since: dt.date | None = None,
    until: dt.date | None = None,
    limit: int | None = None,
) -> pd.DataFrame:
    """Events newest first, filtered by who, what and when (dates inclusive)."""
    sql = "SELECT id, happened_at, actor, action, subject, detail, file_sha256 FROM audit WHERE 1 = 1"
    params: list[Any] = []
    if actor:
        sql += " AND actor = ?"
        params.append(actor)
    if action:
        sql += " AND action = ?"
        params.append(action)
    if since:
        sql += " AND happened_at >= ?"
        params.append(dt.datetime.combine(since, dt.time.min))
    if until:
        sql += " AND happened_at < ?"
        params.append(dt.datetime.combine(until + dt.timedelta(days=1), dt.time.min))
    sql += " ORDER BY id DESC"
    if limit:
        sql += f" LIMIT {int(limit)}"
    return con.execute(sql, params).df()


def default_window(reference: dt.date, today: dt.date, days: int = 30) -> tuple[dt.date, dt.date]:
    """The audit page's first view: the 30 days up to the reference day, and on to today.

    On a real database both days are today. A demo database stands for a day of its own
    (store.reference_day): its made-up history and a visitor's own sign-ins both show.
    """
    return min(reference, today) - dt.timedelta(days=days), max(reference, today)


def to_csv(frame: pd.DataFrame) -> bytes:
    """The events as CSV (UTF-8 with BOM); formula-looking text is escaped by kpis.core.csv_safe."""
    return frame_to_csv(frame)


def recent_failures(con: duckdb.DuckDBPyConnection, username: str, window: dt.timedelta, now: dt.datetime) -> int:
    """Failed sign-ins for username inside the window, counted since its last successful sign-in."""
    return int(
        con.execute(
            """
            SELECT count(*) FROM audit
            WHERE action = 'sign_in_failed' AND subject = ? AND happened_at >= ?
              AND id > coalesce((SELECT max(id) FROM audit WHERE action = 'sign_in' AND subject = ?), 0)
            """,
            [username, now - window, username],
        ).fetchall()[0][0]
    )
