"""The DuckDB store: what the product keeps, and the one path by which it is written.

`from kpis import store` is the way in; this module only gathers the names other packages use
from the store's parts, each of which owns one thing:

    paths.py           where a database's files are (the DuckDB file, its journal, uploads/)
    errors.py          StoreError, JournalError, DatabaseInUse, and DuckDB's open errors named
    journal.py         the journal's typed records, and the only code that writes or reads its lines
    transactions.py    WRITE_LOCK, transaction() and journaled(): the one write path (write-ahead line, then COMMIT)
    schema.py          the DDL of every table and view
    migrations.py      named, recorded migrations of an older database's data
    connection.py      connect() (schema, migrations, catalog) and remove_database()
    catalog_tables.py  indicators and plans from the catalog; the commune registry and its additions
    files.py           kept files: the originals under uploads/ by sha256, and names as recorded
    writes.py          submissions and withdrawals, and the derived unit_year_values they refresh
    queries.py         submissions, units already known, a file already imported
    meta.py            the data version that keys caches; the demo mark and its reference day
    audit.py           the audit trail (imported as kpis.store.audit)

History is append-only; the raw file of every accepted upload is kept, so `python -m kpis rebuild`
can rebuild the database from the journal and the kept files (kpis/ops/rebuild.py).
"""

from __future__ import annotations

from kpis.store.catalog_tables import add_communes, load_catalog_tables, registry
from kpis.store.connection import connect, remove_database
from kpis.store.errors import IN_USE_HINT, DatabaseInUse, JournalError, StoreError, open_error
from kpis.store.files import MAX_NAME_CHARS, keep_file, kept_file, recorded_name, safe_suffix
from kpis.store.journal import TORN_MARK, append_journal, read_journal, scan_journal
from kpis.store.meta import bump_data_version, data_version, is_demo, mark_demo, reference_day
from kpis.store.migrations import SCHEMA_VERSION
from kpis.store.paths import DEFAULT_DB, ROOT, db_file, journal_path, resolve_db_path, uploads_dir
from kpis.store.queries import KnownUnit, find_submission_by_hash, known_units, submission_communes, submissions
from kpis.store.transactions import WRITE_LOCK, journaled, transaction
from kpis.store.writes import CLEAN_COLUMNS, StoredSubmission, refresh_unit_years, store_submission, withdraw

__all__ = [
    "CLEAN_COLUMNS", "DEFAULT_DB", "IN_USE_HINT", "MAX_NAME_CHARS", "ROOT", "SCHEMA_VERSION", "TORN_MARK", "WRITE_LOCK",
    "DatabaseInUse", "JournalError", "KnownUnit", "StoreError", "StoredSubmission",
    "add_communes", "append_journal", "bump_data_version", "connect", "data_version", "db_file", "find_submission_by_hash",
    "is_demo", "journal_path", "journaled", "keep_file", "kept_file", "known_units", "load_catalog_tables", "mark_demo",
    "open_error", "read_journal", "recorded_name", "reference_day", "refresh_unit_years", "registry", "remove_database",
    "resolve_db_path", "safe_suffix", "scan_journal", "store_submission", "submission_communes", "submissions",
    "transaction", "uploads_dir", "withdraw",
]  # fmt: skip
