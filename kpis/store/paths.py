"""Where a database's files are: the DuckDB file, its journal beside it, the kept originals under uploads/.

Everything else in the store finds its files through these few functions, so a database and its
journal and kept files always move together.
"""

from __future__ import annotations

import os
from pathlib import Path

import duckdb

from kpis.store.server import files_home, is_server, on_server, server_url

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_DB = ROOT / "data" / "kpis.duckdb"


def resolve_db_path(path: str | os.PathLike | None = None) -> Path:
    """--db, else $KPIS_DB, else data/kpis.duckdb in the project."""
    chosen = path or os.environ.get("KPIS_DB") or DEFAULT_DB
    return Path(chosen).expanduser().resolve()


def resolve_db(path: str | os.PathLike | None = None) -> str | Path:
    """The store --db or $KPIS_DB names: a PostgreSQL address as given, else a file (resolve_db_path)."""
    chosen = path or os.environ.get("KPIS_DB")
    if isinstance(chosen, str) and is_server(chosen):
        return chosen
    return resolve_db_path(path)


def db_file(con: duckdb.DuckDBPyConnection) -> Path:
    """The database file, or for a store on PostgreSQL the place its files are named after (server.files_home)."""
    if on_server(con):
        return files_home(con)
    path = con.execute("SELECT path FROM duckdb_databases() WHERE database_name = current_database()").fetchall()[0][0]
    return Path(path)


def db_address(con: duckdb.DuckDBPyConnection) -> str:
    """What --db or KPIS_DB names this database by: its file, or its PostgreSQL address."""
    return server_url(con) if on_server(con) else str(db_file(con))


def uploads_dir(con: duckdb.DuckDBPyConnection) -> Path:
    """Kept original files, named by sha256; shared by databases in one folder (same bytes, same name)."""
    return db_file(con).parent / "uploads"


def journal_path(db: Path) -> Path:
    """The append-only journal of what happened to this database, beside it: enough to rebuild it."""
    return db.with_name(db.name + ".journal.jsonl")


def fsync_dir(folder: Path) -> None:
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
