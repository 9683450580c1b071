"""Rebuild a database from what the product keeps: the journal and the kept original files.

Every accepted upload, withdrawal and registry addition is journaled beside the database
and every original file is kept under uploads/. Replaying them in order through the
real import path gives the same figures; this is the proof that nothing is lost.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd

from kpis import store, tasks
from kpis.catalog import parse_registry
from kpis.importer import import_file
from kpis.progress import progress


class RebuildError(Exception):
    """The journal cannot be replayed (a kept file is missing, altered or now refused)."""


@dataclass(frozen=True)
class RebuildReport:
    db: Path
    submissions: int
    withdrawals: int
    communes_files: int
    task_events: int
    compared: bool  # whether the previous database could be read to compare figures
    identical: bool | None
    backup: Path | None
    compare_error: str | None = None  # why the previous database could not be compared, if it could not


def _kept_bytes(uploads: Path, event: dict) -> bytes:
    path = uploads / event["kept"]
    try:
        data = path.read_bytes()
    except OSError as e:
        raise RebuildError(f"{path}: kept file missing for {event['file_name']!r}") from e
    if hashlib.sha256(data).hexdigest() != event["sha256"]:
        raise RebuildError(f"{path}: kept file altered (sha256 differs) for {event['file_name']!r}")
    return data


def replay(events: list[dict], con: duckdb.DuckDBPyConnection) -> tuple[int, int, int, int]:
    """Apply journal events to a fresh database; returns (submissions, withdrawals, registry files, task events)."""
    uploads = store.uploads_dir(con)
    ids: dict[int, int] = {}
    counts = [0, 0, 0, 0]
    for event in events:
        kind = event.get("event")
        if kind == "communes":
            data = _kept_bytes(uploads, event)
            communes = parse_registry(data.decode("utf-8-sig"), event["file_name"])
            store.add_communes(con, communes, event["file_name"], journal=False)
            counts[2] += 1
        elif kind == "submission":
            data = _kept_bytes(uploads, event)
            result = import_file(
                con,
                data,
                event["file_name"],
                event["uploaded_by"],
                uploaded_at=dt.datetime.fromisoformat(event["uploaded_at"]),
                journal=False,
            )
            if result.status != "accepted":
                raise RebuildError(f"{event['file_name']!r} was {result.status} on replay: {result.messages('en')}")
            ids[int(event["submission_id"])] = int(result.submission_id)
            counts[0] += 1
        elif kind == "withdrawal":
            old = int(event["submission_id"])
            if old not in ids:
                raise RebuildError(f"withdrawal of submission {old}, which the journal never accepted")
            store.withdraw(
                con,
                ids[old],
                event["withdrawn_by"],
                event.get("reason") or "",
                dt.datetime.fromisoformat(event["withdrawn_at"]),
                journal=False,
            )
            counts[1] += 1
        elif kind == "demo":
            day = event.get("day")
            store.mark_demo(con, dt.date.fromisoformat(day) if day else None, journal=False)
        elif tasks.replay_event(con, event):  # task and milestone progress
            counts[3] += 1
    return counts[0], counts[1], counts[2], counts[3]


def _figures(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """What a rebuild must reproduce: every area's figures, and each task's latest progress."""
    frames = [progress(con, level) for level in ("commune", "province")]
    task_status = con.execute(
        "SELECT item_code, status, status_date, note FROM current_task_status ORDER BY item_code"
    ).df()
    return pd.concat([*frames, task_status], ignore_index=True).drop(columns=["plan_id"])


def rebuild(db: Path) -> RebuildReport:
    """Rebuild db from its journal and kept files; the previous file is kept as a .bak copy."""
    db = Path(db).resolve()
    events = store.read_journal(db)
    fresh = db.with_name(db.stem + ".rebuild" + db.suffix)
    store.remove_database(fresh)
    con = store.connect(fresh)
    try:
        subs, withdrawals, communes, task_events = replay(events, con)
        new_figures = _figures(con)
    except BaseException:
        con.close()
        store.remove_database(fresh)  # a failed rebuild leaves nothing behind
        raise
    con.close()
    compared, identical, compare_error = False, None, None
    if db.exists():
        try:
            old = duckdb.connect(str(db), read_only=True)
            try:
                old_figures = _figures(old)
            finally:
                old.close()
            compared = True
            identical = old_figures.reset_index(drop=True).equals(new_figures.reset_index(drop=True))
        except duckdb.Error as e:  # damaged, locked by a running dashboard, or too old to read
            compare_error = str(e).splitlines()[0]
    backup = None
    if db.exists():
        backup = db.with_name(f"{db.name}.bak-{dt.datetime.now():%Y%m%d-%H%M%S}")
        db.replace(backup)
        Path(str(db) + ".wal").unlink(missing_ok=True)
    fresh.replace(db)
    journal = store.journal_path(db)
    if events and not journal.exists():
        raise RebuildError(f"{journal}: journal vanished during rebuild")
    store.journal_path(fresh).unlink(missing_ok=True)
    return RebuildReport(db, subs, withdrawals, communes, task_events, compared, identical, backup, compare_error)
