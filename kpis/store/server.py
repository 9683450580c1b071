"""A store on PostgreSQL: DuckDB attaches the server's database, so the same SQL runs on both stores.

Why the attach (docs/deploy.md §4 has the measurements): the store's SQL is DuckDB's, and through the
attach it runs unchanged on tables that live in PostgreSQL, so the figures come from one set of
queries on either store. What the attach cannot do is done here, in one place:

- tables and sequences are created by PostgreSQL itself (postgres_execute): the attach refuses
  CREATE SEQUENCE, and ids come from nextval (it refuses INSERT … RETURNING);
- the views are DuckDB SQL, so they live in each process's in-memory catalog, made at every open;
- every connection (and every cursor a page thread takes) works in the attached database, with the
  in-memory views on its search path;
- DuckDB 1.5.5 returns a phantom all-NULL row for a top-1 window over an empty attached table
  (duckdb/duckdb#23675): that optimizer is off;
- writers in several processes take one PostgreSQL advisory lock, on a connection of their own,
  before BEGIN: inside the transaction it would come after the snapshot (measured: 21 of 60
  concurrent read-then-write transactions failed that way, none with the lock taken first).

The journal and the kept files are files, as with the embedded store: they live under the folder
that KPIS_FILES names (data/ in the project by default), named after the server's database, and
every process serving that database must see the same folder.
"""

from __future__ import annotations

import importlib.resources
import os
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb
import psycopg
from psycopg.conninfo import conninfo_to_dict

from kpis.store.errors import StoreError

SERVER_SCHEMES = ("postgresql://", "postgres://")
ALIAS = "store"  # the attached database's name in every connection
ROOT = Path(__file__).resolve().parents[2]
LOCK_KEY = 5_700_057  # the advisory lock every writer of a store takes (any number all processes agree on)


def is_server(target: object) -> bool:
    """Whether --db / KPIS_DB names a PostgreSQL database rather than a file."""
    return isinstance(target, str) and target.startswith(SERVER_SCHEMES)


def _extension() -> str:
    """The postgres extension shipped by the PyPI package duckdb-extension-postgres-scanner (no download)."""
    base = importlib.resources.files("duckdb_extension_postgres_scanner")
    return str(base / "extensions" / f"v{duckdb.__version__}" / "postgres_scanner.duckdb_extension")


def open_server(url: str) -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB with the server's database attached as `store` and made the default."""
    con = duckdb.connect(":memory:")
    try:
        con.execute(f"LOAD '{_extension()}'")
        con.execute(f"ATTACH {_quoted(url)} AS {ALIAS} (TYPE postgres)")
        con.execute("SET GLOBAL disabled_optimizers = 'top_n_window_elimination'")  # duckdb/duckdb#23675
        work_in_store(con)
    except duckdb.Error as e:
        con.close()
        reason = shown_address(str(e).splitlines()[0])
        raise StoreError(f"{shown_address(url)}: cannot open the database on the server: {reason}") from None
    return con


def work_in_store(con: duckdb.DuckDBPyConnection) -> None:
    """Make this connection (or cursor) read and write the attached database, and find the in-memory views."""
    con.execute(f"USE {ALIAS}")
    con.execute(f"SET search_path = '{ALIAS}.public,memory.main'")


def on_server(con: duckdb.DuckDBPyConnection) -> bool:
    """Whether this connection's store is on PostgreSQL (the attach is seen by every cursor of the connection)."""
    found = con.execute("SELECT 1 FROM duckdb_databases() WHERE database_name = ? AND type = 'postgres'", [ALIAS])
    return found.fetchone() is not None


def cursor(con: duckdb.DuckDBPyConnection) -> duckdb.DuckDBPyConnection:
    """A cursor for one thread, working where its connection works (a DuckDB cursor starts in `memory`)."""
    cur = con.cursor()
    if on_server(cur):  # asked of the new cursor: page threads share con, and a DuckDB connection is not thread-safe
        work_in_store(cur)
    return cur


def server_url(con: duckdb.DuckDBPyConnection) -> str:
    row = con.execute("SELECT path FROM duckdb_databases() WHERE database_name = ?", [ALIAS]).fetchone()
    assert row is not None, "not a server store"
    return str(row[0])


def files_home(con: duckdb.DuckDBPyConnection) -> Path:
    """Where a server store's files are: KPIS_FILES (else data/), as if its database were a file there.

    The journal is then `<name>.postgresql.journal.jsonl` beside it and the kept files in uploads/, as
    for a file database (kpis.store.paths)."""
    name = conninfo_to_dict(server_url(con)).get("dbname") or "postgres"
    folder = Path(os.environ.get("KPIS_FILES") or ROOT / "data").expanduser().resolve()
    return folder / f"{name}.postgresql"


_DDL_COMMENT = re.compile(r"--[^\n]*")


def _statements(schema: str) -> list[str]:
    return [s.strip() for s in _DDL_COMMENT.sub("", schema).split(";") if s.strip()]


def _is_view(statement: str) -> bool:
    return statement.upper().startswith("CREATE OR REPLACE VIEW")


def create_schema(con: duckdb.DuckDBPyConnection, schema: str) -> None:
    """Run the store's tables and sequences on the server, by PostgreSQL (the views: create_views)."""
    tables = [re.sub(r"\bDOUBLE\b", "DOUBLE PRECISION", s) for s in _statements(schema) if not _is_view(s)]
    execute_on_server(con, ";\n".join(tables))


def create_views(con: duckdb.DuckDBPyConnection, schema: str) -> None:
    """The store's views, DuckDB SQL over the attached tables, in this process's in-memory catalog."""
    for view in filter(_is_view, _statements(schema)):
        con.execute(view.replace("CREATE OR REPLACE VIEW ", "CREATE OR REPLACE VIEW memory.main.", 1))


def execute_on_server(con: duckdb.DuckDBPyConnection, sql: str) -> None:
    """SQL in PostgreSQL's own dialect, run by the server (outside DuckDB's binder)."""
    con.execute(f"CALL postgres_execute('{ALIAS}', {_quoted(sql)})")


def next_id(con: duckdb.DuckDBPyConnection, sequence: str) -> int:
    """The next value of a sequence, on either store (the attach refuses INSERT … RETURNING)."""
    if on_server(con):
        sql = f"SELECT nextval({_quoted(sequence)})::BIGINT AS id"
        row = con.execute(f"SELECT id FROM postgres_query('{ALIAS}', {_quoted(sql)})").fetchone()
    else:
        row = con.execute(f"SELECT nextval({_quoted(sequence)})").fetchone()
    assert row is not None
    return int(row[0])


def server_bytes(con: duckdb.DuckDBPyConnection) -> int:
    """pg_database_size of the attached database."""
    sql = "SELECT pg_database_size(current_database())::BIGINT AS size"
    row = con.execute(f"SELECT size FROM postgres_query('{ALIAS}', {_quoted(sql)})").fetchone()
    assert row is not None
    return int(row[0])


class _Writers:
    """This process's hold on the store's advisory lock: one connection per server, taken once however deep."""

    def __init__(self) -> None:
        self.connections: dict[str, psycopg.Connection] = {}
        self.depth = 0
        self.guard = threading.RLock()  # callers hold WRITE_LOCK too; this keeps the counts right on its own


_WRITERS = _Writers()


@contextmanager
def writer_lock(con: duckdb.DuckDBPyConnection) -> Iterator[None]:
    """Hold the store-wide writers' lock (PostgreSQL session advisory lock) for the block; nothing on a file store.

    A process that dies drops its connection and with it the lock, so no writer waits forever on it.
    """
    if not on_server(con):
        yield
        return
    url = server_url(con)
    with _WRITERS.guard:
        if _WRITERS.depth == 0:
            _lock(url)
        _WRITERS.depth += 1
        try:
            yield
        finally:
            _WRITERS.depth -= 1
            if _WRITERS.depth == 0:
                _unlock(url)


def _lock(url: str) -> None:
    for attempt in (1, 2):  # a connection the server dropped (a restart) is made again once
        held = _WRITERS.connections.get(url)
        try:
            if held is None or held.closed:
                held = _WRITERS.connections[url] = psycopg.connect(url, autocommit=True)
            held.execute("SELECT pg_advisory_lock(%s)", [LOCK_KEY])
            return
        except psycopg.OperationalError as e:
            _WRITERS.connections.pop(url, None)
            if attempt == 2:
                raise StoreError(f"{shown_address(url)}: cannot take the writers' lock on the server: {e}") from e


def _unlock(url: str) -> None:
    held = _WRITERS.connections.get(url)
    if held is None:
        return
    try:
        held.execute("SELECT pg_advisory_unlock(%s)", [LOCK_KEY])
    except psycopg.OperationalError:
        _WRITERS.connections.pop(url, None)  # the connection is gone, and its lock with it


def _quoted(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def shown_address(url: str) -> str:
    """A server address as it may be shown: without its password."""
    return re.sub(r"(://[^:/@]*):[^@/]*@", r"\1:***@", url)
