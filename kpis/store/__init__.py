"""The store (a DuckDB file, or PostgreSQL through DuckDB): what the product keeps, and the one path by which it is written.

`from kpis import store` is the way in; this module only re-exports the names other packages use
(plus SCHEMA_VERSION) from the store's parts, each of which owns one thing. Journal records are
used from their module (`from kpis.store import journal`), as is the audit trail:

    paths.py           where a database's files are (the DuckDB file, its journal, uploads/)
    server.py          a store on PostgreSQL, attached by DuckDB: its DDL, ids, cursors, the writers' lock
    errors.py          StoreError, JournalError, DatabaseInUse, and DuckDB's open errors named
    journal.py         the journal's typed records, and the only code that writes or reads its lines
    transactions.py    WRITE_LOCK, writing(), transaction() and journaled(): the one write path (write-ahead line, then COMMIT)
    schema.py          the DDL of every table and view
    migrations.py      named, recorded migrations of an older database's data
    connection.py      connect() (schema, migrations, catalog), remove_database(), what a database holds and takes
    catalog_tables.py  indicators from the catalog, seed plans (via plan_book); the registry: the official list once, its listing
    registry_update.py a newer official list applied by code (added, renamed, removed), journaled
    files.py           kept files: the originals under uploads/ by sha256, and names as recorded
    writes.py          submissions and withdrawals, and the derived unit_year_, commune_year_ and commune_quarter_values
    queries.py         submissions, units already known, a file already imported
    meta.py            the data version that keys caches; the demo mark and its reference day
    audit.py           the audit trail (imported as kpis.store.audit)
    plan_book.py       every plan version (seeds, imported, proposed) and the tables of the plans in force

History is append-only; the raw file of every accepted upload is kept, so `python -m kpis rebuild`
can rebuild the database from the journal and the kept files (kpis/ops/rebuild.py).
"""

from __future__ import annotations

from kpis.store.catalog_tables import LISTING_COLUMNS, add_communes, fill_scope_codes, find_province, listing, registry
from kpis.store.connection import connect, holds_data, remove_database, stored_bytes
from kpis.store.errors import DatabaseInUse, JournalError, StoreError, open_error
from kpis.store.files import keep_file, kept_file, recorded_name
from kpis.store.journal import append_journal, read_journal, scan_journal
from kpis.store.meta import bump_data_version, data_version, is_demo, mark_demo, reference_day
from kpis.store.migrations import SCHEMA_VERSION
from kpis.store.paths import DEFAULT_DB, ROOT, db_address, db_file, journal_path, resolve_db, resolve_db_path, uploads_dir
from kpis.store.queries import KnownUnit, known_units, submission_communes, submissions
from kpis.store.registry_update import RegistryDiff, RegistryUpdateRefused, update_registry, version_from_name
from kpis.store.server import cursor, is_server, next_id, on_server, shown_address
from kpis.store.transactions import WRITE_LOCK, journaled, transaction, writing
from kpis.store.writes import CLEAN_COLUMNS, store_submission, withdraw

__all__ = [
    "CLEAN_COLUMNS", "DEFAULT_DB", "LISTING_COLUMNS", "ROOT", "SCHEMA_VERSION", "WRITE_LOCK", "DatabaseInUse",
    "JournalError", "KnownUnit", "RegistryDiff", "RegistryUpdateRefused", "StoreError", "add_communes",
    "append_journal", "bump_data_version", "connect", "cursor", "data_version", "db_address", "db_file", "fill_scope_codes",
    "find_province", "holds_data", "is_demo", "is_server", "journal_path", "journaled", "keep_file", "kept_file", "known_units",
    "listing", "mark_demo", "next_id", "on_server", "open_error", "read_journal", "recorded_name", "reference_day",
    "registry", "remove_database", "resolve_db", "resolve_db_path", "scan_journal", "shown_address",
    "store_submission", "stored_bytes",
    "submission_communes", "submissions", "transaction", "update_registry", "uploads_dir", "version_from_name",
    "withdraw", "writing",
]  # fmt: skip
