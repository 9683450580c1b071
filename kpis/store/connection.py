"""Opening a database: create what it lacks, migrate it, load the catalog; and removing one with its journal."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import duckdb

from kpis.catalog.model import Catalog, default_catalog, plan_json
from kpis.store.catalog_tables import load_catalog_tables
from kpis.store.errors import open_error
from kpis.store.migrations import MIGRATIONS, SCHEMA_VERSION, migrate
from kpis.store.paths import db_file, journal_path, resolve_db
from kpis.store.schema import SCHEMA, SERVER_INDEXES
from kpis.store.server import ALIAS, create_schema, create_views, on_server, open_server, server_bytes
from kpis.store.transactions import writing


def connect(path: str | os.PathLike | None = None, catalog: Catalog | None = None) -> duckdb.DuckDBPyConnection:
    """Open (creating if needed) the database, migrate it, and load the catalog into it.

    A database last opened with this very schema and catalog (its stamp in meta says so) has nothing to
    create, migrate or load, and is not written to: opening is then a read, as every page view's is.
    """
    target = resolve_db(path)
    catalog = catalog or default_catalog()
    con = _open(target)
    try:
        stamp = opening_stamp(catalog)
        opened = _opened_as(con, stamp)
        if opened and isinstance(target, str):  # PostgreSQL: the views live in this process's memory
            create_views(con, SCHEMA)
        if not opened:
            with writing(con):  # two processes opening a new server database at once: one creates it
                if isinstance(target, str):
                    create_schema(con, SCHEMA + SERVER_INDEXES)
                    create_views(con, SCHEMA)
                else:
                    con.execute(SCHEMA)
                migrate(con)
                load_catalog_tables(con, catalog)
                con.execute("INSERT OR REPLACE INTO meta VALUES ('opened_as', ?)", [stamp])
    except BaseException:
        con.close()  # a failed migration leaves the file closed (and its lock free), to be migrated next time
        raise
    return con


def _open(target: str | Path) -> duckdb.DuckDBPyConnection:
    if isinstance(target, str):
        return open_server(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        return duckdb.connect(str(target))
    except duckdb.Error as e:
        raise open_error(target, e) from e


def opening_stamp(catalog: Catalog) -> str:
    """What a database is opened with: the DDL, the schema version, the indicators, the seed plans and the
    registry's version. Any change to one (a release, or a test's own catalog) makes the next open load it."""
    digest = hashlib.sha256((SCHEMA + SERVER_INDEXES).encode())
    digest.update(f"\0{SCHEMA_VERSION}\0{catalog.registry_version}".encode())
    for ind in catalog.indicators.values():
        digest.update(b"\0" + ind.model_dump_json().encode())
    for plan in catalog.plans.values():
        digest.update(b"\0" + plan_json(plan).encode())
    return digest.hexdigest()


def _opened_as(con: duckdb.DuckDBPyConnection, stamp: str) -> bool:
    """Whether the database was last opened with this stamp and has had every migration since."""
    try:
        row = con.execute(
            "SELECT (SELECT value FROM meta WHERE key = 'opened_as'), (SELECT value FROM meta WHERE key = 'schema_version'),"
            " (SELECT count(*) FROM migrations)"
        ).fetchone()
    except duckdb.CatalogException:  # a new (or pre-migrations) database
        return False
    return row == (stamp, str(SCHEMA_VERSION), len(MIGRATIONS))


def remove_database(db: Path) -> None:
    """Delete a database with its write-ahead log and journal (kept files stay: other databases may share them)."""
    for path in (db, Path(str(db) + ".wal"), journal_path(db)):
        path.unlink(missing_ok=True)


def holds_data(target: str | Path) -> bool:
    """Whether a database already holds anything: a file that exists, or a server database with tables."""
    if not isinstance(target, str):
        return target.exists()
    con = open_server(target)
    try:
        tables = "SELECT count(*) FROM duckdb_tables() WHERE database_name = ? AND schema_name = 'public'"
        row = con.execute(tables, [ALIAS]).fetchone()
    finally:
        con.close()
    return bool(row and row[0])


def stored_bytes(con: duckdb.DuckDBPyConnection) -> int:
    """What the database takes on disk: its file, or the server database's size (the journal and kept files apart)."""
    return server_bytes(con) if on_server(con) else db_file(con).stat().st_size
