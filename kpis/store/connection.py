"""Opening a database: create what it lacks, migrate it, load the catalog; and removing one with its journal."""

from __future__ import annotations

import os
from pathlib import Path

import duckdb

from kpis.catalog.model import Catalog, default_catalog
from kpis.store.catalog_tables import load_catalog_tables
from kpis.store.errors import open_error
from kpis.store.migrations import migrate
from kpis.store.paths import journal_path, resolve_db_path
from kpis.store.schema import SCHEMA


def connect(path: str | os.PathLike | None = None, catalog: Catalog | None = None) -> duckdb.DuckDBPyConnection:
    """Open (creating if needed) the database, migrate it, and load the catalog into it."""
    db = resolve_db_path(path)
    db.parent.mkdir(parents=True, exist_ok=True)
    try:
        con = duckdb.connect(str(db))
    except duckdb.Error as e:
        raise open_error(db, e) from e
    try:
        con.execute(SCHEMA)
        migrate(con)
        load_catalog_tables(con, catalog or default_catalog())
    except BaseException:
        con.close()  # a failed migration leaves the file closed (and its lock free), to be migrated next time
        raise
    return con


def remove_database(db: Path) -> None:
    """Delete a database with its write-ahead log and journal (kept files stay: other databases may share them)."""
    for path in (db, Path(str(db) + ".wal"), journal_path(db)):
        path.unlink(missing_ok=True)
