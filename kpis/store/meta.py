"""The meta table's facts: the data version that keys cached pages, and whether (and as of which day) a database is a demo."""

from __future__ import annotations

import datetime as dt

import duckdb

from kpis.store.journal import Demo
from kpis.store.transactions import journaled


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
    with journaled(con, Demo(day=day) if journal else None):
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
