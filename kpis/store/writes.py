"""Writes of history: a validated file becomes a submission (all or nothing, its bytes kept), a withdrawal.

Both are journaled (write-ahead, kpis/store/transactions.py) so rebuild replays them, and both refresh the
derived unit_year_values, commune_year_values and commune_quarter_values for the keys they touch in the same
transaction. Nothing here UPDATEs or DELETEs history: a withdrawal is one more row.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd

from kpis.store import audit
from kpis.store.errors import StoreError
from kpis.store.files import keep_file, recorded_name
from kpis.store.journal import Submission, Withdrawal
from kpis.store.meta import bump_data_version
from kpis.store.queries import find_submission_by_hash
from kpis.store.schema import COMMUNE_QUARTER_FILL, COMMUNE_YEAR_FILL, UNIT_YEAR_FILL
from kpis.store.server import next_id
from kpis.store.transactions import journaled, writing

# The columns of a validated frame (kpis.intake.validate) that a submission stores.
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
class StoredSubmission:
    id: int
    duplicate: bool  # True when this exact file (sha256) was already imported
    rows: int


def store_submission(
    con: duckdb.DuckDBPyConnection,
    rows: pd.DataFrame,
    file_name: str,
    data: bytes,
    uploaded_by: str,
    uploaded_at: dt.datetime | None = None,
    journal: bool = True,
    *,
    province: str | None = None,
    commune: str | None = None,
    year: int | None = None,
    quarter: int | None = None,
) -> StoredSubmission:
    """Write one validated file as a submission, all or nothing, and keep the raw bytes.

    province..quarter are what the command line or the page said about the file (kpis.intake.context.Given),
    journaled so that rebuild reads the kept file as it was read here.
    journal=False only when replaying the journal itself (rebuild). Under the writers' locks from the duplicate
    check to the commit, so two uploads of the same bytes at once (in one process or two) give one submission
    and one duplicate.
    """
    file_name = recorded_name(file_name)
    sha = hashlib.sha256(data).hexdigest()
    with writing(con):
        existing = find_submission_by_hash(con, sha)
        if existing is not None:
            return StoredSubmission(existing, True, 0)
        sha, kept = keep_file(con, data, file_name)
        now = uploaded_at or dt.datetime.now()
        frame = rows[CLEAN_COLUMNS]
        event = None
        if journal:  # its submission_id is filled in inside the transaction, before the line is written
            event = Submission(
                submission_id=None, sha256=sha, kept=kept.name, file_name=file_name, uploaded_by=uploaded_by, uploaded_at=now,
                province=province, commune=commune, year=year, quarter=quarter,
            )  # fmt: skip
        con.register("incoming", frame)
        try:
            with journaled(con, event) as ev:
                sub_id = _insert_submission(con, file_name, sha, data, kept, uploaded_by, now, len(rows))
                ev.fill(submission_id=sub_id)
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
    sub_id = next_id(con, "seq_submission")
    con.execute(
        "INSERT INTO submissions (id, file_name, sha256, size_bytes, stored_path, uploaded_by, uploaded_at, row_count)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        [sub_id, file_name, sha, len(data), kept.name, uploaded_by, now, count],
    )
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
    with writing(con):
        row = con.execute("SELECT sha256 FROM submissions WHERE id = ?", [submission_id]).fetchone()
        if row is None:
            raise StoreError(f"submission {submission_id} does not exist")
        if con.execute("SELECT 1 FROM withdrawals WHERE submission_id = ?", [submission_id]).fetchone():
            raise StoreError(f"submission {submission_id} is already withdrawn")
        when = withdrawn_at or dt.datetime.now()
        event = None
        if journal:
            event = Withdrawal(
                submission_id=submission_id, sha256=row[0], withdrawn_by=withdrawn_by, withdrawn_at=when, reason=reason
            )
        with journaled(con, event):
            con.execute("INSERT INTO withdrawals VALUES (?, ?, ?, ?)", [submission_id, withdrawn_by, when, reason or None])
            refresh_unit_years(con, submission_id)
            bump_data_version(con)
            if journal:
                audit.record(con, withdrawn_by, "withdrawal", str(submission_id), {"reason": reason}, row[0], when)


def refresh_unit_years(con: duckdb.DuckDBPyConnection, submission_id: int) -> None:
    """Recompute the derived values a submission's keys touch, the units' yearly ones and then their communes'
    yearly and quarterly ones (inside the caller's transaction).

    Each statement also carries plain ranges around its keys: DuckDB skips the row groups outside them,
    and on PostgreSQL the attach sends them to the server (it cannot send a subquery), where an index
    serves them, instead of reading a whole table for every import."""
    sid = int(submission_id)
    keys = f"SELECT DISTINCT unit_id, year, indicator FROM submission_values WHERE submission_id = {sid}"
    low, high, years = con.execute(
        f"SELECT min(unit_id), max(unit_id), list(DISTINCT year) FROM submission_values WHERE submission_id = {sid}"
    ).fetchall()[0]
    if low is None:
        return
    in_years = f"year IN ({', '.join(str(int(y)) for y in years)})"
    units = f"unit_id BETWEEN {int(low)} AND {int(high)} AND {in_years}"
    con.execute(f"DELETE FROM unit_year_values WHERE {units} AND (unit_id, year, indicator) IN ({keys})")
    con.execute(UNIT_YEAR_FILL.format(keys=keys, prune=f"AND v.unit_id BETWEEN {int(low)} AND {int(high)} AND v.{in_years}"))
    communes = (
        "SELECT DISTINCT u.commune_id, v.year, v.indicator FROM submission_values v"
        f" JOIN units u ON u.id = v.unit_id WHERE v.submission_id = {sid}"
    )
    c_low, c_high, u_low, u_high = con.execute(
        "SELECT min(commune_id), max(commune_id), min(id), max(id) FROM units"
        f" WHERE commune_id IN (SELECT commune_id FROM ({communes}))"
    ).fetchall()[0]  # every unit of the touched communes, not only the submission's: a commune's sums need them all
    for table in ("commune_year_values", "commune_quarter_values"):
        con.execute(
            f"DELETE FROM {table} WHERE commune_id BETWEEN {int(c_low)} AND {int(c_high)} AND {in_years}"
            f" AND (commune_id, year, indicator) IN ({communes})"
        )
    for fill, alias in ((COMMUNE_YEAR_FILL, "y"), (COMMUNE_QUARTER_FILL, "v")):
        prune = f"AND {alias}.unit_id BETWEEN {int(u_low)} AND {int(u_high)} AND {alias}.{in_years}"
        con.execute(fill.format(keys=communes, prune=prune))
