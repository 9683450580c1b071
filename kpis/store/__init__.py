"""The DuckDB store: schema, catalog tables, submissions and their history.

History is append-only: an accepted file becomes one `submissions` row and its
`submission_values`; a later file for the same key wins in the `current_values`
view, and nothing is ever UPDATEd or DELETEd there. The raw file is kept under
uploads/ beside the database, named by its sha256, so the database can be rebuilt.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import re
import threading
import uuid
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd

from kpis.catalog.model import Catalog, Commune, default_catalog
from kpis.core.errors import TextError
from kpis.core.settings import MAX_NAME_CHARS
from kpis.core.text import name_key
from kpis.store import audit

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_DB = ROOT / "data" / "kpis.duckdb"
SCHEMA_VERSION = 3  # 2: unit_year_values; 3: journal_commits, accounts journaled

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key VARCHAR PRIMARY KEY, value VARCHAR);
-- the journal's write-ahead lines whose transaction committed (written in that transaction)
CREATE TABLE IF NOT EXISTS journal_commits (txn VARCHAR PRIMARY KEY, committed_at TIMESTAMP NOT NULL);
CREATE SEQUENCE IF NOT EXISTS seq_commune START 1;
CREATE SEQUENCE IF NOT EXISTS seq_unit START 1;
CREATE SEQUENCE IF NOT EXISTS seq_submission START 1;
CREATE TABLE IF NOT EXISTS provinces (name VARCHAR PRIMARY KEY, key VARCHAR UNIQUE NOT NULL);
CREATE TABLE IF NOT EXISTS communes (
    id INTEGER PRIMARY KEY DEFAULT nextval('seq_commune'),
    province VARCHAR NOT NULL REFERENCES provinces(name),
    name VARCHAR NOT NULL,
    kind VARCHAR NOT NULL,
    key VARCHAR NOT NULL,
    source VARCHAR NOT NULL,
    UNIQUE (province, key)
);
CREATE TABLE IF NOT EXISTS units (
    id INTEGER PRIMARY KEY DEFAULT nextval('seq_unit'),
    commune_id INTEGER NOT NULL REFERENCES communes(id),
    name VARCHAR NOT NULL,
    key VARCHAR NOT NULL,
    created_at TIMESTAMP NOT NULL,
    UNIQUE (commune_id, key)
);
CREATE TABLE IF NOT EXISTS indicators (
    code VARCHAR PRIMARY KEY, position INTEGER, name_vi VARCHAR, name_en VARCHAR,
    short_vi VARCHAR, short_en VARCHAR, numerator_vi VARCHAR, numerator_en VARCHAR,
    denominator_vi VARCHAR, denominator_en VARCHAR
);
CREATE TABLE IF NOT EXISTS plans (
    id VARCHAR PRIMARY KEY, number VARCHAR, date DATE, issuer VARCHAR, title_vi VARCHAR,
    title_en VARCHAR, province VARCHAR, commune VARCHAR, source VARCHAR, notes VARCHAR
);
CREATE TABLE IF NOT EXISTS plan_targets (
    plan_id VARCHAR, indicator VARCHAR, year INTEGER, target_pct DOUBLE, quote VARCHAR
);
CREATE TABLE IF NOT EXISTS plan_deadlines (
    plan_id VARCHAR, frequency VARCHAR, month INTEGER, day INTEGER, label_vi VARCHAR, label_en VARCHAR
);
CREATE TABLE IF NOT EXISTS submissions (
    id INTEGER PRIMARY KEY DEFAULT nextval('seq_submission'),
    file_name VARCHAR NOT NULL,
    sha256 VARCHAR NOT NULL,
    size_bytes BIGINT NOT NULL,
    stored_path VARCHAR NOT NULL,
    uploaded_by VARCHAR NOT NULL,
    uploaded_at TIMESTAMP NOT NULL,
    row_count INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS submission_values (
    submission_id INTEGER NOT NULL REFERENCES submissions(id),
    unit_id INTEGER NOT NULL REFERENCES units(id),
    year INTEGER NOT NULL,
    quarter INTEGER NOT NULL,
    indicator VARCHAR NOT NULL,
    numerator BIGINT NOT NULL,
    denominator BIGINT NOT NULL,
    note VARCHAR,
    source_line INTEGER NOT NULL
);
-- accounts and audit (issue 6): users hold argon2id hashes only; audit is append-only
CREATE TABLE IF NOT EXISTS users (
    username VARCHAR PRIMARY KEY,
    full_name VARCHAR,
    role VARCHAR NOT NULL,
    password_hash VARCHAR NOT NULL,
    created_at TIMESTAMP NOT NULL,
    disabled_at TIMESTAMP,
    demo BOOLEAN NOT NULL DEFAULT false
);
CREATE TABLE IF NOT EXISTS user_scopes (username VARCHAR NOT NULL, province VARCHAR NOT NULL, commune VARCHAR);
CREATE SEQUENCE IF NOT EXISTS seq_audit START 1;
CREATE TABLE IF NOT EXISTS audit (
    id BIGINT PRIMARY KEY DEFAULT nextval('seq_audit'),
    happened_at TIMESTAMP NOT NULL,
    actor VARCHAR NOT NULL,
    action VARCHAR NOT NULL,
    subject VARCHAR,
    detail VARCHAR,
    file_sha256 VARCHAR
);
-- derived, rebuilt from history for the keys an import or withdrawal touches (never history itself):
-- each unit's value per year and indicator = its latest reported quarter, latest live version
CREATE TABLE IF NOT EXISTS unit_year_values (
    unit_id INTEGER NOT NULL,
    year INTEGER NOT NULL,
    indicator VARCHAR NOT NULL,
    quarter INTEGER NOT NULL,
    numerator BIGINT NOT NULL,
    denominator BIGINT NOT NULL
);
CREATE TABLE IF NOT EXISTS withdrawals (
    submission_id INTEGER PRIMARY KEY REFERENCES submissions(id),
    withdrawn_by VARCHAR NOT NULL,
    withdrawn_at TIMESTAMP NOT NULL,
    reason VARCHAR
);
-- task and milestone progress (issue 5): append-only history; the latest update per item wins
CREATE SEQUENCE IF NOT EXISTS seq_task_file START 1;
CREATE SEQUENCE IF NOT EXISTS seq_task_update START 1;
CREATE TABLE IF NOT EXISTS task_files (
    id INTEGER PRIMARY KEY DEFAULT nextval('seq_task_file'),
    file_name VARCHAR NOT NULL,
    sha256 VARCHAR NOT NULL,
    size_bytes BIGINT NOT NULL,
    stored_path VARCHAR NOT NULL,
    uploaded_by VARCHAR NOT NULL,
    uploaded_at TIMESTAMP NOT NULL,
    row_count INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS task_updates (
    id INTEGER PRIMARY KEY DEFAULT nextval('seq_task_update'),
    plan_id VARCHAR NOT NULL,
    item_code VARCHAR NOT NULL,
    item_kind VARCHAR NOT NULL,
    status VARCHAR NOT NULL,
    status_date DATE NOT NULL,
    note VARCHAR,
    evidence VARCHAR,
    recorded_by VARCHAR NOT NULL,
    recorded_at TIMESTAMP NOT NULL,
    file_id INTEGER REFERENCES task_files(id),
    source_line INTEGER
);
CREATE OR REPLACE VIEW current_task_status AS
SELECT * EXCLUDE (rn) FROM (
    SELECT u.*, row_number() OVER (PARTITION BY u.item_code ORDER BY u.status_date DESC, u.id DESC) AS rn
    FROM task_updates u
) WHERE rn = 1;
CREATE OR REPLACE VIEW current_values AS
SELECT * EXCLUDE (rn) FROM (
    SELECT v.*, row_number() OVER (
        PARTITION BY v.unit_id, v.year, v.quarter, v.indicator ORDER BY v.submission_id DESC
    ) AS rn
    FROM submission_values v
    WHERE v.submission_id NOT IN (SELECT submission_id FROM withdrawals)
) WHERE rn = 1;
"""


CLEAN_COLUMNS = [
    "line",
    "province",
    "commune",
    "unit",
    "unit_key",
    "year",
    "quarter",
    "indicator",
    "numerator",
    "denominator",
    "note",
]


@dataclass(frozen=True)
class KnownUnit:
    province: str
    commune: str
    key: str
    name: str


class StoreError(TextError):
    """The database cannot be opened or written; the message says why."""

    text_code = "error_store"
    exit_code = 2  # the command could not reach its database: not a refusal of what was asked


class JournalError(StoreError):
    """The journal cannot be written or read; a write that cannot be journaled is refused, nothing committed."""


class DatabaseInUse(StoreError):
    """Another process holds the database file (DuckDB lets one process open it)."""


IN_USE_HINT = "the dashboard or another command has this database open; stop it first"


def open_error(db: Path, e: duckdb.Error) -> StoreError:
    """DuckDB's error on opening a file, as a named error: a lock held elsewhere says what to do."""
    text = str(e).splitlines()[0]
    if "lock" in text.lower():
        return DatabaseInUse(f"{db}: {IN_USE_HINT} ({text})")
    return StoreError(f"{db}: cannot open the database: {text}")


# One writer at a time in this process. Every page thread shares one DuckDB connection (a cursor
# each); two transactions writing the same rows at once make DuckDB raise "Conflict on update!".
# Taking this lock around every write turns that race into a short wait. Re-entrant, so a write
# may call another (an upload records its audit row inside its own transaction).
WRITE_LOCK = threading.RLock()


@contextmanager
def transaction(con: duckdb.DuckDBPyConnection) -> Iterator[duckdb.DuckDBPyConnection]:
    """Hold WRITE_LOCK and run one transaction: commit when the block ends, roll back if it raises."""
    with journaled(con, None):
        yield con


@contextmanager
def journaled(con: duckdb.DuckDBPyConnection, event: dict | None) -> Iterator[dict]:
    """transaction() with a write-ahead journal line: nothing is acknowledged that the journal lacks.

    The block fills in the event (it may add ids it got inside the transaction). Then, still inside the
    transaction and the lock, the event's txn id goes into journal_commits, the line is written and
    fsynced, and only then COMMIT runs. If the journal cannot be written the transaction is rolled back
    (JournalError). If COMMIT itself fails, an "aborted" line for the txn follows (best effort); rebuild
    skips aborted txns, and txns that the old database's journal_commits lacks. event None (a replay):
    a plain transaction.
    """
    with WRITE_LOCK:
        con.execute("BEGIN TRANSACTION")
        try:
            yield event if event is not None else {}
            if event is not None:
                event.setdefault("txn", uuid.uuid4().hex)
                con.execute("INSERT INTO journal_commits VALUES (?, ?)", [event["txn"], dt.datetime.now()])
                append_journal(con, event)
        except BaseException:
            con.execute("ROLLBACK")
            raise
        try:
            con.execute("COMMIT")
        except BaseException:
            if event is not None:
                try:
                    append_journal(con, {"event": "aborted", "txn": event["txn"]})
                except JournalError:
                    pass
            try:
                con.execute("ROLLBACK")
            except duckdb.Error:
                pass
            raise


@dataclass(frozen=True)
class StoredSubmission:
    id: int
    duplicate: bool  # True when this exact file (sha256) was already imported
    rows: int


def resolve_db_path(path: str | os.PathLike | None = None) -> Path:
    """--db, else $KPIS_DB, else data/kpis.duckdb in the project."""
    chosen = path or os.environ.get("KPIS_DB") or DEFAULT_DB
    return Path(chosen).expanduser().resolve()


def db_file(con: duckdb.DuckDBPyConnection) -> Path:
    path = con.execute("SELECT path FROM duckdb_databases() WHERE database_name = current_database()").fetchall()[0][0]
    return Path(path)


def uploads_dir(con: duckdb.DuckDBPyConnection) -> Path:
    """Kept original files, named by sha256; shared by databases in one folder (same bytes, same name)."""
    return db_file(con).parent / "uploads"


def journal_path(db: Path) -> Path:
    """The append-only journal of what happened to this database, beside it: enough to rebuild it."""
    return db.with_name(db.name + ".journal.jsonl")


TORN_MARK = "torn_previous_line"  # written after a line that a crash left unfinished (no newline)


def append_journal(con: duckdb.DuckDBPyConnection | Path, event: dict) -> None:
    """Append one line and fsync it; JournalError (nothing else) if that cannot be done.

    Callers hold WRITE_LOCK. A previous line left without its newline (a crash while it was being
    written: its commit never ran) is closed first and marked, so it never merges with this one.
    """
    path = journal_path(con if isinstance(con, Path) else db_file(con))
    line = json.dumps(event, ensure_ascii=False, default=str) + "\n"
    try:
        new = not path.exists()
        with path.open("a+b") as f:
            if f.tell() > 0:
                f.seek(-1, os.SEEK_END)
                if f.read(1) != b"\n":
                    f.write(b"\n" + json.dumps({"event": TORN_MARK}).encode() + b"\n")
            f.write(line.encode("utf-8"))
            f.flush()
            os.fsync(f.fileno())
        if new:
            _fsync_dir(path.parent)
    except OSError as e:
        raise JournalError(f"{path}: cannot write the journal ({e.strerror or e}); nothing was saved") from e


def _fsync_dir(folder: Path) -> None:
    """Make a new file's name durable too (its folder entry)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def scan_journal(db: Path) -> tuple[list[dict], list[str]]:
    """The journal's events in order, and warnings about lines skipped.

    A line that is not a JSON object refuses (JournalError naming its line number), except a torn
    line a crash left while writing it (the last line, or one marked torn by the next append): under
    write-ahead its transaction never committed, so it is skipped with a warning.
    """
    path = journal_path(db)
    if not path.exists():
        return [], []
    try:
        text = path.read_bytes().decode("utf-8", errors="replace")
    except OSError as e:
        raise JournalError(f"{path}: cannot read the journal ({e.strerror or e})") from e
    lines = text.split("\n")
    ends_clean = text.endswith("\n")
    if ends_clean:
        lines.pop()
    events: list[dict] = []
    warnings: list[str] = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            event = json.loads(line)
            if not isinstance(event, dict) or not isinstance(event.get("event"), str):
                raise ValueError("not an event")
        except ValueError:
            last = number == len(lines)
            torn_last = last and not ends_clean
            marked = not last and _is_torn_mark(lines[number])
            if torn_last or marked:
                warnings.append(
                    f"{path}: line {number} was left unfinished by a crash while it was written; "
                    "its upload was never accepted, so it is skipped"
                )
                continue
            raise JournalError(
                f"{path}: line {number} is not a journal entry ({line[:60]!r}); the journal is damaged. "
                "Restore the journal from a backup, or remove that line if you know it is spurious, then rebuild again"
            ) from None
        if event["event"] != TORN_MARK:
            events.append(event)
    return events, warnings


def _is_torn_mark(line: str) -> bool:
    try:
        return json.loads(line) == {"event": TORN_MARK}
    except ValueError:
        return False


def read_journal(db: Path) -> list[dict]:
    """The journal's events (see scan_journal)."""
    return scan_journal(db)[0]


def remove_database(db: Path) -> None:
    """Delete a database with its write-ahead log and journal (kept files stay: other databases may share them)."""
    for path in (db, Path(str(db) + ".wal"), journal_path(db)):
        path.unlink(missing_ok=True)


def connect(path: str | os.PathLike | None = None, catalog: Catalog | None = None) -> duckdb.DuckDBPyConnection:
    """Open (creating if needed) the database, migrate it, and load the catalog into it."""
    db = resolve_db_path(path)
    db.parent.mkdir(parents=True, exist_ok=True)
    try:
        con = duckdb.connect(str(db))
    except duckdb.Error as e:
        raise open_error(db, e) from e
    con.execute(_SCHEMA)
    _migrate(con)
    load_catalog_tables(con, catalog or default_catalog())
    return con


def _migrate(con: duckdb.DuckDBPyConnection) -> None:
    row = con.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchall()
    version = int(row[0][0]) if row else 0
    if version < 2:  # unit_year_values appeared: fill it from history once
        with transaction(con):
            con.execute("DELETE FROM unit_year_values")
            con.execute(_UNIT_YEAR_FILL.format(keys="SELECT DISTINCT unit_id, year, indicator FROM submission_values"))
    if version < 3:  # accounts are journaled from now on: journal the ones made before, once, so rebuild keeps them
        journal_existing_accounts(con)
    if version != SCHEMA_VERSION:
        with transaction(con):
            con.execute("INSERT OR REPLACE INTO meta VALUES ('schema_version', ?)", [str(SCHEMA_VERSION)])


# Recompute unit_year_values for the (unit_id, year, indicator) keys that {keys} selects.
_UNIT_YEAR_FILL = """
INSERT INTO unit_year_values
SELECT v.unit_id, v.year, v.indicator,
       max(v.quarter),
       arg_max(v.numerator, v.quarter::BIGINT * 4294967296 + v.submission_id),
       arg_max(v.denominator, v.quarter::BIGINT * 4294967296 + v.submission_id)
FROM submission_values v
SEMI JOIN ({keys}) k ON k.unit_id = v.unit_id AND k.year = v.year AND k.indicator = v.indicator
WHERE v.submission_id NOT IN (SELECT submission_id FROM withdrawals)
GROUP BY v.unit_id, v.year, v.indicator
"""


def refresh_unit_years(con: duckdb.DuckDBPyConnection, submission_id: int) -> None:
    """Recompute the derived yearly values a submission's keys touch (inside the caller's transaction)."""
    sid = int(submission_id)
    keys = f"SELECT DISTINCT unit_id, year, indicator FROM submission_values WHERE submission_id = {sid}"
    # History for the same units sits in row groups of their own; a range lets DuckDB skip the rest.
    low, high, years = con.execute(
        f"SELECT min(unit_id), max(unit_id), list(DISTINCT year) FROM submission_values WHERE submission_id = {sid}"
    ).fetchall()[0]
    if low is None:
        return
    con.execute(f"DELETE FROM unit_year_values WHERE (unit_id, year, indicator) IN ({keys})")
    prune = f"AND v.unit_id BETWEEN {int(low)} AND {int(high)} AND v.year IN ({', '.join(str(int(y)) for y in years)})"
    con.execute(_UNIT_YEAR_FILL.format(keys=keys).replace("GROUP BY v.unit_id", prune + "\nGROUP BY v.unit_id"))


def load_catalog_tables(con: duckdb.DuckDBPyConnection, catalog: Catalog) -> None:
    """Replace indicators and plans with the catalog's; add registry communes not yet present."""
    with transaction(con):
        for table in ("indicators", "plans", "plan_targets", "plan_deadlines"):
            con.execute(f"DELETE FROM {table}")
        for pos, ind in enumerate(catalog.indicators.values()):
            con.execute(
                "INSERT INTO indicators VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    ind.code,
                    pos,
                    ind.name_vi,
                    ind.name_en,
                    ind.short_vi,
                    ind.short_en,
                    ind.numerator_vi,
                    ind.numerator_en,
                    ind.denominator_vi,
                    ind.denominator_en,
                ],
            )
        for p in catalog.plans.values():
            con.execute(
                "INSERT INTO plans VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [p.id, p.number, p.date, p.issuer, p.title_vi, p.title_en, p.province, p.commune, p.source, p.notes],
            )
            for tg in p.targets:
                con.execute(
                    "INSERT INTO plan_targets VALUES (?, ?, ?, ?, ?)", [p.id, tg.indicator, tg.year, tg.target_pct, tg.quote]
                )
            for d in p.deadlines:
                con.execute(
                    "INSERT INTO plan_deadlines VALUES (?, ?, ?, ?, ?, ?)",
                    [p.id, d.frequency, d.month, d.day, d.label_vi, d.label_en],
                )
        _add_communes(con, catalog.communes, source="registry")


def _add_communes(con: duckdb.DuckDBPyConnection, communes: tuple[Commune, ...] | list[Commune], source: str) -> int:
    added = 0
    for c in communes:
        pkey = name_key(c.province, strip_prefix=True)
        existing = con.execute("SELECT name FROM provinces WHERE key = ?", [pkey]).fetchone()
        province = existing[0] if existing else c.province
        if not existing:
            con.execute("INSERT INTO provinces VALUES (?, ?)", [province, pkey])
        ckey = name_key(c.name, strip_prefix=True)
        if con.execute("SELECT 1 FROM communes WHERE province = ? AND key = ?", [province, ckey]).fetchone():
            continue
        con.execute(
            "INSERT INTO communes (province, name, kind, key, source) VALUES (?, ?, ?, ?, ?)",
            [province, c.name, c.kind, ckey, source],
        )
        added += 1
    return added


_SAFE_SUFFIX = re.compile(r"\.[a-z0-9]{1,8}")


def safe_suffix(file_name: str) -> str:
    """The name's extension if it is a short plain one (.xlsx, .csv), else '': nothing else of a name reaches the disk."""
    suffix = Path(file_name.replace("\\", "/")).suffix.lower()
    return suffix if _SAFE_SUFFIX.fullmatch(suffix) else ""


def recorded_name(file_name: str, limit: int = MAX_NAME_CHARS) -> str:
    """The uploaded name as kept in the database: whole up to limit characters, else cut with '…' (extension kept)."""
    if len(file_name) <= limit:
        return file_name
    suffix = safe_suffix(file_name)
    return file_name[: limit - 1 - len(suffix)] + "…" + suffix


def keep_file(con: duckdb.DuckDBPyConnection, data: bytes, file_name: str) -> tuple[str, Path]:
    """Keep bytes under uploads/ named by their sha256 (and a plain extension); returns (sha256, path)."""
    sha = hashlib.sha256(data).hexdigest()
    kept = uploads_dir(con) / f"{sha}{safe_suffix(file_name) or '.bin'}"
    kept.parent.mkdir(parents=True, exist_ok=True)
    if not kept.exists():  # durable before the journal line that names it is written
        tmp = kept.with_suffix(kept.suffix + ".tmp")
        with tmp.open("wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        tmp.replace(kept)
        _fsync_dir(kept.parent)
    return sha, kept


def add_communes(
    con: duckdb.DuckDBPyConnection,
    communes: list[Commune],
    source: str,
    data: bytes | None = None,
    added_by: str = "cli",
    journal: bool = True,
) -> int:
    """Add communes from an administrator's CSV in one transaction; returns how many were new.

    With data (the CSV's bytes), the file is kept and journaled (write-ahead) so a rebuild adds them again.
    """
    event = None
    if data is not None and journal:
        sha, kept = keep_file(con, data, source)
        event = {
            "event": "communes",
            "sha256": sha,
            "kept": kept.name,
            "file_name": source,
            "added_by": added_by,
            "at": dt.datetime.now().isoformat(),
        }
    with journaled(con, event):
        added = _add_communes(con, communes, source)
        bump_data_version(con)
    return added


def registry(con: duckdb.DuckDBPyConnection) -> list[Commune]:
    rows = con.execute("SELECT province, name, kind FROM communes ORDER BY province, name").fetchall()
    return [Commune(province=p, name=n, kind=k) for p, n, k in rows]


def data_version(con: duckdb.DuckDBPyConnection) -> int:
    """Changes with every write (submission, withdrawal, registry, task update): the key for cached results."""
    row = con.execute("SELECT value FROM meta WHERE key = 'data_version'").fetchall()
    return int(row[0][0]) if row else 0


def bump_data_version(con: duckdb.DuckDBPyConnection) -> None:
    """Call after every committed write so cached pages see it."""
    con.execute(
        "INSERT OR REPLACE INTO meta VALUES ('data_version', "
        "CAST(coalesce((SELECT CAST(value AS BIGINT) FROM meta WHERE key = 'data_version'), 0) + 1 AS VARCHAR))"
    )


def is_demo(con: duckdb.DuckDBPyConnection) -> bool:
    row = con.execute("SELECT value FROM meta WHERE key = 'demo'").fetchone()
    return bool(row and row[0] == "true")


def mark_demo(con: duckdb.DuckDBPyConnection, day: dt.date | None = None, journal: bool = True) -> None:
    """Mark a demo database; day is the date its made-up history stands for (see reference_day)."""
    event = {"event": "demo", "day": day.isoformat() if day else None}
    with journaled(con, event if journal else None):
        con.execute("INSERT OR REPLACE INTO meta VALUES ('demo', 'true')")
        if day is not None:
            con.execute("INSERT OR REPLACE INTO meta VALUES ('demo_day', ?)", [day.isoformat()])


def reference_day(con: duckdb.DuckDBPyConnection, today: dt.date | None = None) -> dt.date:
    """The day the figures stand for: today, except in a demo database, which declares its own day.

    The demo's uploads carry fixed dates, so judging them against the real calendar would make
    its reports turn "overdue" as months pass; read against its declared day, the demo (and
    every test built on it) looks the same next year as today.
    """
    row = con.execute("SELECT value FROM meta WHERE key = 'demo_day'").fetchone()
    if row and row[0] and is_demo(con):
        return dt.date.fromisoformat(row[0])
    return today or dt.date.today()


def find_submission_by_hash(con: duckdb.DuckDBPyConnection, sha256: str) -> int | None:
    """The live (not withdrawn) submission of these exact bytes, if any."""
    row = con.execute(
        "SELECT min(id) FROM submissions WHERE sha256 = ? AND id NOT IN (SELECT submission_id FROM withdrawals)", [sha256]
    ).fetchone()
    return row[0] if row and row[0] is not None else None


def known_units(con: duckdb.DuckDBPyConnection, commune_keys: Iterable[str] | None = None) -> list[KnownUnit]:
    """Units already registered; with commune_keys (name_key(..., strip_prefix=True)), only those communes'."""
    sql = "SELECT c.province, c.name, u.key, u.name FROM units u JOIN communes c ON c.id = u.commune_id"
    if commune_keys is None:
        return [KnownUnit(*r) for r in con.execute(sql).fetchall()]
    keys = sorted(set(commune_keys))
    if not keys:
        return []
    return [KnownUnit(*r) for r in con.execute(sql + " WHERE c.key IN (SELECT unnest(?))", [keys]).fetchall()]


def store_submission(
    con: duckdb.DuckDBPyConnection,
    rows: pd.DataFrame,
    file_name: str,
    data: bytes,
    uploaded_by: str,
    uploaded_at: dt.datetime | None = None,
    journal: bool = True,
) -> StoredSubmission:
    """Write one validated file as a submission, all or nothing, and keep the raw bytes.

    journal=False only when replaying the journal itself (rebuild). Under WRITE_LOCK from the duplicate
    check to the commit, so two uploads of the same bytes at once give one submission and one duplicate.
    """
    file_name = recorded_name(file_name)
    sha = hashlib.sha256(data).hexdigest()
    with WRITE_LOCK:
        existing = find_submission_by_hash(con, sha)
        if existing is not None:
            return StoredSubmission(existing, True, 0)
        sha, kept = keep_file(con, data, file_name)
        now = uploaded_at or dt.datetime.now()
        frame = rows[CLEAN_COLUMNS]
        event = None
        if journal:
            event = {
                "event": "submission",
                "submission_id": None,  # filled in inside the transaction, before the line is written
                "sha256": sha,
                "kept": kept.name,
                "file_name": file_name,
                "uploaded_by": uploaded_by,
                "uploaded_at": now.isoformat(),
            }
        con.register("incoming", frame)
        try:
            with journaled(con, event) as ev:
                sub_id = _insert_submission(con, file_name, sha, data, kept, uploaded_by, now, len(rows))
                ev["submission_id"] = sub_id
                if journal:  # a replay (rebuild) neither journals nor audits
                    audit.record(
                        con, uploaded_by, "upload_accepted", file_name, {"submission": sub_id, "rows": len(rows)}, sha, now
                    )
        finally:  # a refused write leaves its kept file: uploads/ is shared by the databases of a folder
            con.unregister("incoming")
    return StoredSubmission(int(sub_id), False, len(rows))


def _insert_submission(
    con: duckdb.DuckDBPyConnection,
    file_name: str,
    sha: str,
    data: bytes,
    kept: Path,
    uploaded_by: str,
    now: dt.datetime,
    count: int,
) -> int:
    """The rows of one submission from the registered frame "incoming", inside the caller's transaction."""
    sub_id = con.execute(
        "INSERT INTO submissions (file_name, sha256, size_bytes, stored_path, uploaded_by, uploaded_at, row_count)"
        " VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
        [file_name, sha, len(data), kept.name, uploaded_by, now, count],
    ).fetchall()[0][0]
    con.execute(
        """
        INSERT INTO units (commune_id, name, key, created_at)
        SELECT c.id, any_value(i.unit ORDER BY i.line), i.unit_key, ?
        FROM incoming i JOIN communes c ON c.province = i.province AND c.name = i.commune
        WHERE NOT EXISTS (SELECT 1 FROM units u WHERE u.commune_id = c.id AND u.key = i.unit_key)
        GROUP BY c.id, i.unit_key
        ORDER BY c.id, min(i.line)
        """,
        [now],
    )
    written = con.execute(
        """
        INSERT INTO submission_values
        SELECT ?, u.id, i.year, i.quarter, i.indicator, i.numerator, i.denominator, i.note, i.line
        FROM incoming i
        JOIN communes c ON c.province = i.province AND c.name = i.commune
        JOIN units u ON u.commune_id = c.id AND u.key = i.unit_key
        ORDER BY i.line
        """,
        [sub_id],
    ).fetchall()[0][0]
    if written != count:
        raise StoreError(f"{file_name}: wrote {written} of {count} rows; rolled back")
    refresh_unit_years(con, int(sub_id))
    bump_data_version(con)  # one commit: values, derived table, data version and audit together
    return int(sub_id)


def withdraw(
    con: duckdb.DuckDBPyConnection,
    submission_id: int,
    withdrawn_by: str,
    reason: str = "",
    withdrawn_at: dt.datetime | None = None,
    journal: bool = True,
) -> None:
    """Withdraw a submission: its values stop counting and the previous version shows again.

    Nothing is deleted; the withdrawal is one more row of history.
    """
    with WRITE_LOCK:
        row = con.execute("SELECT sha256 FROM submissions WHERE id = ?", [submission_id]).fetchone()
        if row is None:
            raise StoreError(f"submission {submission_id} does not exist")
        if con.execute("SELECT 1 FROM withdrawals WHERE submission_id = ?", [submission_id]).fetchone():
            raise StoreError(f"submission {submission_id} is already withdrawn")
        when = withdrawn_at or dt.datetime.now()
        event = None
        if journal:
            event = {
                "event": "withdrawal",
                "submission_id": submission_id,
                "sha256": row[0],
                "withdrawn_by": withdrawn_by,
                "withdrawn_at": when.isoformat(),
                "reason": reason,
            }
        with journaled(con, event):
            con.execute("INSERT INTO withdrawals VALUES (?, ?, ?, ?)", [submission_id, withdrawn_by, when, reason or None])
            refresh_unit_years(con, submission_id)
            bump_data_version(con)
            if journal:
                audit.record(con, withdrawn_by, "withdrawal", str(submission_id), {"reason": reason}, row[0], when)


def submissions(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Every submission, newest first, with its withdrawal if any."""
    return con.execute(
        """
        SELECT s.id, s.file_name, s.sha256, s.size_bytes, s.uploaded_by, s.uploaded_at, s.row_count,
               w.withdrawn_by, w.withdrawn_at, w.reason AS withdrawn_reason
        FROM submissions s LEFT JOIN withdrawals w ON w.submission_id = s.id
        ORDER BY s.id DESC
        """
    ).df()


def submission_communes(con: duckdb.DuckDBPyConnection, submission_id: int) -> list[tuple[str, str]]:
    """(province, commune) pairs a submission holds figures for: who may withdraw it depends on them."""
    return con.execute(
        """
        SELECT DISTINCT c.province, c.name FROM submission_values v
        JOIN units u ON u.id = v.unit_id JOIN communes c ON c.id = u.commune_id
        WHERE v.submission_id = ? ORDER BY 1, 2
        """,
        [submission_id],
    ).fetchall()


def kept_file(con: duckdb.DuckDBPyConnection, submission_id: int) -> tuple[str, bytes]:
    """The original file of a submission, as it was uploaded: (file name, bytes)."""
    row = con.execute("SELECT file_name, stored_path FROM submissions WHERE id = ?", [submission_id]).fetchone()
    if row is None:
        raise StoreError(f"submission {submission_id} does not exist")
    path = uploads_dir(con) / row[1]
    try:
        return row[0], path.read_bytes()
    except OSError as e:
        raise StoreError(f"{path}: the kept file of submission {submission_id} is missing") from e


def account_created_event(
    name: str,
    full_name: str,
    role: str,
    password_hash: str,
    created_at: dt.datetime,
    demo: bool,
    scopes: list[tuple[str, str | None]],
    actor: str,
) -> dict:
    """The journal line that creates an account (its hash, never the password), so rebuild keeps it."""
    return {
        "event": "account_created",
        "username": name,
        "full_name": full_name,
        "role": role,
        "password_hash": password_hash,
        "created_at": created_at.isoformat(),
        "demo": bool(demo),
        "scopes": [list(p) for p in scopes],
        "actor": actor,
    }


def account_state_event(name: str, disabled: bool, at: dt.datetime, actor: str) -> dict:
    """The journal line that disables or enables an account."""
    return {
        "event": "account_disabled" if disabled else "account_enabled",
        "username": name,
        "at": at.isoformat(),
        "actor": actor,
    }


def journal_existing_accounts(con: duckdb.DuckDBPyConnection) -> None:
    """Journal the accounts of a database made before accounts were journaled (schema 3), once, as they are now."""
    rows = con.execute("SELECT username, full_name, role, password_hash, created_at, disabled_at, demo FROM users").fetchall()
    for name, full, role, hashed, created, disabled, demo in rows:
        scopes = con.execute("SELECT province, commune FROM user_scopes WHERE username = ? ORDER BY ALL", [name]).fetchall()
        with journaled(con, account_created_event(name, full or "", role, hashed, created, demo, scopes, "migration")):
            pass
        if disabled is not None:
            with journaled(con, account_state_event(name, True, disabled, "migration")):
                pass
