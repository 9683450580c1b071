"""The one write path: WRITE_LOCK, a DuckDB transaction, and (for a journaled write) its write-ahead line.

Every write in the product goes through journaled() (or transaction(), the same without a line), so
nothing is acknowledged that the journal lacks, and two threads never write at once.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import duckdb

from kpis.store.errors import JournalError
from kpis.store.journal import Aborted, Event, append_journal
from kpis.store.server import writer_lock

# One writer at a time in this process. Every page thread shares one DuckDB connection (a cursor
# each); two transactions writing the same rows at once make DuckDB raise "Conflict on update!".
# Taking this lock around every write turns that race into a short wait. Re-entrant, so a write
# may call another (an upload records its audit row inside its own transaction).
WRITE_LOCK = threading.RLock()


@contextmanager
def writing(con: duckdb.DuckDBPyConnection) -> Iterator[None]:
    """This process's writers (WRITE_LOCK), then every process's (the writers' lock of a store on PostgreSQL).

    Held from a check to the commit it decides (the same file twice is one import, a submission is
    withdrawn once), so that the check holds across the processes serving one store too."""
    with WRITE_LOCK, writer_lock(con):
        yield


@dataclass
class Pending:
    """The line a journaled block will write; the block may fill in what it learns (a new submission's id)."""

    event: Event | None

    def fill(self, **changes: Any) -> None:
        if self.event is not None:
            self.event = dataclasses.replace(self.event, **changes)


@contextmanager
def transaction(con: duckdb.DuckDBPyConnection) -> Iterator[duckdb.DuckDBPyConnection]:
    """Hold WRITE_LOCK and run one transaction: commit when the block ends, roll back if it raises."""
    with journaled(con, None):
        yield con


@contextmanager
def journaled(con: duckdb.DuckDBPyConnection, event: Event | None) -> Iterator[Pending]:
    """transaction() with a write-ahead journal line: nothing is acknowledged that the journal lacks.

    The block may fill in the event (ids it got inside the transaction). Then, still inside the
    transaction and the lock, the event's txn id goes into journal_commits, the line is written and
    fsynced, and only then COMMIT runs. If the journal cannot be written the transaction is rolled back
    (JournalError). If COMMIT itself fails, an "aborted" line for the txn follows (best effort); rebuild
    skips aborted txns, and txns that the old database's journal_commits lacks. event None (a replay):
    a plain transaction.
    """
    pending = Pending(event)
    with writing(con):
        con.execute("BEGIN TRANSACTION")
        try:
            yield pending
            if pending.event is not None:
                pending.event = journal_within(con, pending.event)
        except BaseException:
            con.execute("ROLLBACK")
            raise
        try:
            con.execute("COMMIT")
        except BaseException:
            if pending.event is not None:
                try:
                    append_journal(con, Aborted(txn=pending.event.txn))
                except JournalError:
                    pass
            try:
                con.execute("ROLLBACK")
            except duckdb.Error:
                pass
            raise


def journal_within(con: duckdb.DuckDBPyConnection, event: Event) -> Event:
    """Write event's line inside the caller's open transaction (under WRITE_LOCK): its txn, then the line.

    The txn goes into journal_commits in the same transaction, so the line counts only if that commits.
    Returns the event with its txn (a new one unless it had one).
    """
    if event.txn is None:
        event = dataclasses.replace(event, txn=uuid.uuid4().hex)
    con.execute("INSERT INTO journal_commits VALUES (?, ?)", [event.txn, dt.datetime.now()])
    append_journal(con, event)
    return event
