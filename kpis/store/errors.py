"""The store's errors: named, with messages that say what to do; the CLI and the pages show them as they are."""

from __future__ import annotations

from pathlib import Path

import duckdb

from kpis.core.errors import TextError


class StoreError(TextError):
    """The database cannot be opened or written; the message says why."""

    text_code = "error_store"
    exit_code = 2  # the command could not reach its database: not a refusal of what was asked


class JournalError(StoreError):
    """The journal cannot be written or read; a write that cannot be journaled is refused, nothing committed."""


class DatabaseInUse(StoreError):
    """Another process holds the database file (DuckDB lets one process open it)."""


IN_USE_HINT = "the dashboard or another command has this database open; stop it first"
NEWER_DUCKDB_HINT = (
    "this file was written by a newer DuckDB (2.0) than this release uses (1.5.5, the one that can also work on"
    " PostgreSQL); nothing was changed. Move it over once with DuckDB 2.0's EXPORT DATABASE and this release's"
    " IMPORT DATABASE, as docs/deploy.md says (\"Moving a database written by DuckDB 2.0\")"
)


def open_error(db: Path, e: duckdb.Error) -> StoreError:
    """DuckDB's error on opening a file, as a named error: a lock held elsewhere says what to do."""
    text = str(e).splitlines()[0]
    if "lock" in text.lower():
        return DatabaseInUse(f"{db}: {IN_USE_HINT} ({text})")
    if "newer version of DuckDB" in str(e):
        return StoreError(f"{db}: {NEWER_DUCKDB_HINT} ({text})")
    return StoreError(f"{db}: cannot open the database: {text}")
