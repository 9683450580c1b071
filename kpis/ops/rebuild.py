"""Rebuild a database from what the product keeps: the journal and the kept original files.

Every accepted upload, withdrawal and registry change is journaled beside the database
and every original file is kept under uploads/. Replaying them in order through the
real import path gives the same figures; this is the proof that nothing is lost.

The rebuilt database starts as a new one does, with the official list the product ships. The places an
older database had before it took that list and the list lacks (PlacesKept, journaled when it took it)
were there before every line, so they are added first; each `registry update` replays where it stood.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd

from kpis import store
from kpis.catalog.model import parse_registry
from kpis.core.errors import KpisError, TextError
from kpis.figures.progress import progress
from kpis.followup import recording
from kpis.intake import plan_import
from kpis.intake.context import Given
from kpis.intake.importer import import_file
from kpis.people import accounts
from kpis.store.catalog_tables import OLD_REGISTRY
from kpis.store.journal import (
    Aborted,
    Communes,
    Demo,
    Event,
    PlacesKept,
    PlanDecided,
    PlanPut,
    RegistryUpdated,
    Submission,
    Withdrawal,
)


class RebuildError(TextError):
    """The journal cannot be replayed (a kept file is missing, altered or now refused), or the database is in use."""

    text_code = "error_rebuild"


class RebuildRefused(RebuildError):
    """The rebuilt database was not put in place (figures differ, or the old one could not be read to check).

    The original is untouched; the rebuilt file is kept beside it (kept) for the operator to inspect.
    """

    def __init__(self, message: str, kept: Path) -> None:
        super().__init__(message)
        self.kept = kept


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
    account_events: int = 0
    audit_rows: int = 0  # audit rows carried over from the previous database
    skipped: int = 0  # journal intents never committed (aborted, or absent from the previous database)
    warnings: tuple[str, ...] = ()
    plan_events: int = 0  # plans put in, proposed, approved or rejected


def _kept_bytes(uploads: Path, event: Submission | Communes | RegistryUpdated | PlacesKept) -> bytes:
    path = uploads / event.kept
    try:
        data = path.read_bytes()
    except OSError as e:
        raise RebuildError(f"{path}: kept file missing for {event.file_name!r}") from e
    if hashlib.sha256(data).hexdigest() != event.sha256:
        raise RebuildError(f"{path}: kept file altered (sha256 differs) for {event.file_name!r}")
    return data


def replay(events: list[Event], con: duckdb.DuckDBPyConnection) -> tuple[int, int, int, int]:
    """Apply journal events to a fresh database; returns (submissions, withdrawals, registry files, task events).

    Registry files: `add-communes` files of old journals and `registry update` lists.

    An intent replayed after a crash may be followed by the same upload (or withdrawal) sent again:
    the second is then a duplicate (same bytes) or already done, and maps to the first.
    """
    return _replay(events, con)[:4]


def _replay(events: list[Event], con: duckdb.DuckDBPyConnection) -> tuple[int, int, int, int, int, int]:
    uploads = store.uploads_dir(con)
    ids: dict[int, int] = {}
    counts = [0, 0, 0, 0, 0, 0]
    kept = [e for e in events if isinstance(e, PlacesKept)]
    for event in [*kept, *(e for e in events if not isinstance(e, PlacesKept))]:  # UnknownEvent (a newer writer's): passed over
        if isinstance(event, (Communes, PlacesKept)):
            data = _kept_bytes(uploads, event)
            communes = parse_registry(data.decode("utf-8-sig"), event.file_name)
            source = event.file_name if isinstance(event, Communes) else OLD_REGISTRY
            store.add_communes(con, communes, source, journal=False)
            counts[2] += isinstance(event, Communes)
        elif isinstance(event, RegistryUpdated):
            data = _kept_bytes(uploads, event)
            try:
                store.update_registry(con, data, event.file_name, event.version, event.updated_by, journal=False)
            except store.RegistryUpdateRefused as e:
                raise RebuildError(f"the registry update {event.file_name!r} was refused on replay: {e}") from e
            counts[2] += 1
        elif isinstance(event, Submission):
            data = _kept_bytes(uploads, event)
            given = Given(event.province, event.commune, event.year, event.quarter)  # what the options or the page said
            result = import_file(
                con, data, event.file_name, event.uploaded_by, uploaded_at=event.uploaded_at, journal=False, given=given
            )
            if result.status == "refused":
                raise RebuildError(f"{event.file_name!r} was {result.status} on replay: {result.messages('en')}")
            if result.submission_id is None:  # accepted and duplicate imports always name their submission
                raise RebuildError(f"{event.file_name!r} was {result.status} on replay without a submission id")
            if event.submission_id is None:
                raise RebuildError(f"{event.file_name!r}: the journal line names no submission id")
            ids[int(event.submission_id)] = int(result.submission_id)
            counts[0] += result.status == "accepted"
        elif isinstance(event, Withdrawal):
            old = int(event.submission_id)
            if old not in ids:
                raise RebuildError(f"withdrawal of submission {old}, which the journal never accepted")
            if con.execute("SELECT 1 FROM withdrawals WHERE submission_id = ?", [ids[old]]).fetchone():
                continue  # the same withdrawal sent again after one that never got its answer
            store.withdraw(con, ids[old], event.withdrawn_by, event.reason or "", event.withdrawn_at, journal=False)
            counts[1] += 1
        elif isinstance(event, Demo):
            store.mark_demo(con, event.day, journal=False)
        elif accounts.replay_event(con, event):
            counts[4] += 1
        elif isinstance(event, (PlanPut, PlanDecided)):  # plans put in, proposed, approved or rejected
            try:
                plan_import.replay_event(con, event)
            except KpisError as e:
                raise RebuildError(f"the plan line for {event.plan_id!r} cannot be replayed: {e}") from e
            counts[5] += 1
        elif recording.replay_event(con, event):  # task and milestone progress
            counts[3] += 1
    return counts[0], counts[1], counts[2], counts[3], counts[4], counts[5]


def _figures(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """What a rebuild must reproduce: every area's counts and rates, and each task's latest progress.

    Targets and status come from the catalog, not the journal: the current file holds the plans as
    the dashboard last loaded them, which may predate the catalog the rebuilt file was given.
    """
    from_catalog = ["plan_id", "target_pct", "target_year", "status"]
    frames = [progress(con, level).drop(columns=from_catalog) for level in ("commune", "province")]
    task_status = con.execute("SELECT item_code, status, status_date, note FROM current_task_status ORDER BY item_code").df()
    return pd.concat([*frames, task_status], ignore_index=True)


def _accounts(con: duckdb.DuckDBPyConnection) -> set[tuple]:
    """Who can sign in, as what, where, with which e-mail, and whether they must change their password first (not the
    hash: a sign-in may re-hash a password with newer settings). A database from before e-mails and one-time
    passwords (not opened since: not migrated) had neither."""
    have = {r[0] for r in con.execute("SELECT column_name FROM information_schema.columns WHERE table_name = 'users'").fetchall()}
    email = "u.email" if "email" in have else "NULL::VARCHAR"
    must_change = "coalesce(u.must_change_password, false)" if "must_change_password" in have else "false"
    rows = con.execute(
        f"""
        SELECT u.username, u.role, u.demo, u.disabled_at IS NOT NULL, {email}, {must_change},
               string_agg(s.province || '/' || coalesce(s.commune, '*') || '#' || coalesce(s.province_code::VARCHAR, '')
                          || '/' || coalesce(s.commune_code::VARCHAR, ''), ';' ORDER BY s.province, s.commune)
        FROM users u LEFT JOIN user_scopes s ON s.username = u.username GROUP BY ALL
        """
    ).fetchall()
    return set(rows)


def _differences(old: pd.DataFrame, new: pd.DataFrame, old_acc: set[tuple], new_acc: set[tuple]) -> list[str]:
    """What differs, in words an operator can act on (a few examples of each)."""
    out: list[str] = []
    a, b = old.reset_index(drop=True), new.reset_index(drop=True)
    try:
        both = a.merge(b, how="outer", indicator=True)
    except (ValueError, TypeError):  # columns of different types: compare as text
        both = a.astype(str).merge(b.astype(str), how="outer", indicator=True)
    for side, label in (("left_only", "only in the current database"), ("right_only", "only in the rebuilt one")):
        rows = both[both["_merge"] == side].drop(columns="_merge")
        if len(rows):
            examples = "; ".join(
                ", ".join(f"{k}={_text(v)}" for k, v in r.items() if not pd.isna(v)) for r in rows.head(2).to_dict("records")
            )
            out.append(f"{len(rows)} figure row(s) {label} (e.g. {examples})")
    if not out and not a.reset_index(drop=True).equals(b.reset_index(drop=True)):
        out.append("the same figure rows in a different order or number")
    for gone, label in ((old_acc - new_acc, "only in the current database"), (new_acc - old_acc, "only in the rebuilt one")):
        if gone:
            out.append(f"{len(gone)} account(s) {label}: {', '.join(sorted(str(g[0]) for g in gone)[:5])}")
    return out


def _text(value: object) -> str:
    """499.0 -> '499', 44.553571 -> '44.5536': figures as a person reads them."""
    return f"{value:.6g}" if isinstance(value, float) else str(value)


def _copy_audit(old: duckdb.DuckDBPyConnection, new: duckdb.DuckDBPyConnection) -> int:
    """The audit trail is a log, not figures: carried over from the previous database as it is, ids kept."""
    frame = old.execute("SELECT id, happened_at, actor, action, subject, detail, file_sha256 FROM audit ORDER BY id").df()
    if frame.empty:
        return 0
    new.register("old_audit", frame)
    try:
        with store.transaction(new):
            new.execute("DELETE FROM audit")
            new.execute("INSERT INTO audit SELECT * FROM old_audit")
        top = new.execute("SELECT max(id) FROM audit").fetchall()[0][0]
        new.execute("SELECT max(nextval('seq_audit')) FROM range(?)", [int(top)]).fetchall()  # the next id follows on
    finally:
        new.unregister("old_audit")
    return len(frame)


def _open_held(db: Path) -> tuple[duckdb.DuckDBPyConnection | None, str | None]:
    """Open the current database read-write: that takes DuckDB's file lock, held until the swap.

    A lock held elsewhere refuses the rebuild; a file DuckDB cannot read is reported (not compared).
    """
    if not db.exists():
        return None, None
    try:
        held = duckdb.connect(str(db))
    except duckdb.Error as e:
        err = store.open_error(db, e)
        if isinstance(err, store.DatabaseInUse):
            raise RebuildError(str(err)) from e
        return None, str(e).splitlines()[0]
    try:
        held.execute("CHECKPOINT")  # nothing left in its .wal: the file alone is the database from here on
    except duckdb.Error as e:
        held.close()
        return None, str(e).splitlines()[0]
    return held, None


def _committed_txns(held: duckdb.DuckDBPyConnection | None) -> set[str] | None:
    """Txn ids the current database committed; None when it cannot say (missing, damaged, older schema)."""
    if held is None:
        return None
    try:
        return {r[0] for r in held.execute("SELECT txn FROM journal_commits").fetchall()}
    except duckdb.Error:
        return None


def _backup_name(db: Path) -> Path:
    stamp = f"{db.name}.bak-{dt.datetime.now():%Y%m%d-%H%M%S}"
    backup, n = db.with_name(stamp), 1
    while backup.exists() or Path(str(backup) + ".wal").exists():
        backup, n = db.with_name(f"{stamp}-{n}"), n + 1
    return backup


def rebuild(db: Path, replace_unverified: bool = False) -> RebuildReport:
    """Rebuild db from its journal and kept files; put it in place only if the figures are the same.

    The current file is held open (DuckDB's lock) from the start until the swap, so neither the
    dashboard nor another command can write to it meanwhile. Figures or accounts that differ, or a
    current file that cannot be read (unless replace_unverified), refuse: RebuildRefused, the
    original untouched and the rebuilt file kept beside it. On success the previous file stays as
    a .bak-<time> copy. Accounts come from the journal (hashes only); the audit trail is copied
    from the current file when it can be read.
    """
    db = Path(db).resolve()
    fresh = db.with_name(db.stem + ".rebuild" + db.suffix)
    held, compare_error = _open_held(db)
    try:
        try:
            events, warnings = store.scan_journal(db)
        except store.JournalError as e:
            raise RebuildError(str(e)) from e
        committed = _committed_txns(held)
        aborted = {ev.txn for ev in events if isinstance(ev, Aborted)}
        live: list[Event] = []
        orphans: list[str] = []
        for ev in events:
            txn = ev.txn
            if isinstance(ev, Aborted):
                continue
            if txn and committed is not None and txn in committed:
                live.append(ev)  # the database says it committed: an "aborted" line after it was a false alarm
            elif txn and txn in aborted:
                orphans.append(txn)
            elif txn and committed is not None and txn not in committed:
                orphans.append(txn)  # written ahead, but its commit never happened (a crash): never acknowledged
                warnings.append(f"journal entry {ev.kind} {ev.subject} never committed: skipped")
            else:
                live.append(ev)
        store.remove_database(fresh)
        con = store.connect(fresh)
        try:
            try:
                subs, withdrawals, communes, task_events, account_events, plan_events = _replay(live, con)
            except duckdb.Error as e:  # a journal the database cannot take: say so, not a traceback
                raise RebuildError(f"the journal could not be replayed: {str(e).splitlines()[0]}") from e
            txns = [ev.txn for ev in live if ev.txn]
            if txns:
                with store.transaction(con):
                    con.execute("INSERT INTO journal_commits SELECT unnest(?), now()::TIMESTAMP", [txns])
            new_figures, new_accounts = _figures(con), _accounts(con)
            old_figures, old_accounts, audit_rows = None, set(), 0
            if held is not None:
                try:
                    old_figures, old_accounts = _figures(held), _accounts(held)
                    audit_rows = _copy_audit(held, con)
                except duckdb.Error as e:  # damaged, or too old to read
                    old_figures, compare_error = None, str(e).splitlines()[0]
            con.execute("CHECKPOINT")
        except BaseException:
            con.close()
            store.remove_database(fresh)  # a failed rebuild leaves nothing behind
            raise
        con.close()
        store.journal_path(fresh).unlink(missing_ok=True)
        for txn in sorted(set(orphans) - aborted):  # the journal now says so itself (best effort)
            try:
                with store.WRITE_LOCK:
                    store.append_journal(db, Aborted(txn=txn, found_by="rebuild"))
            except store.JournalError:
                pass
        compared = old_figures is not None
        identical = None
        if old_figures is not None:
            diff = _differences(old_figures, new_figures, old_accounts, new_accounts)
            identical = not diff
            if diff:
                raise RebuildRefused(
                    f"the rebuilt database differs from the current one: {'; '.join(diff)}. Nothing was replaced; "
                    f"the rebuilt file is kept as {fresh} for inspection. Find out why (a change made outside the product, "
                    "or a journal restored from an older backup) before replacing the database by hand",
                    fresh,
                )
        elif db.exists() and not replace_unverified:
            raise RebuildRefused(
                f"the current database could not be read to compare figures ({compare_error}). Nothing was replaced; "
                f"the rebuilt file is kept as {fresh}. If the current file is damaged, run rebuild again with "
                "--replace-unverified (the current file is then kept as a .bak copy)",
                fresh,
            )
        backup = None
        if db.exists():  # moved aside while still held: nobody can open the old file in between
            backup = _backup_name(db)
            db.replace(backup)
            wal = Path(str(db) + ".wal")
            if wal.exists():
                wal.replace(Path(str(backup) + ".wal"))
        fresh.replace(db)
    finally:
        if held is not None:
            held.close()
    journal = store.journal_path(db)
    if events and not journal.exists():
        raise RebuildError(f"{journal}: journal vanished during rebuild")
    return RebuildReport(
        db, subs, withdrawals, communes, task_events, compared, identical, backup, compare_error,
        account_events, audit_rows, len(set(orphans)), tuple(warnings), plan_events,
    )  # fmt: skip
