"""Named migrations of the data an older database holds, each applied once and recorded.

The DDL (kpis/store/schema.py) creates what a database lacks; a migration changes what it already
holds. MIGRATIONS is ordered; each runs inside one transaction that also records its name in the
`migrations` table, so it runs exactly once, and a crash in the middle leaves it to run again.

Before migrations were recorded, a database said how far it had come with meta 'schema_version'
(1, 2, 3). Such a database, with no records yet, is recognised by that number: the migrations of
that version and below are recorded as already there, and only the later ones run. meta
'schema_version' is still written (SCHEMA_VERSION, the newest migration's version).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

import duckdb
import pandas as pd

from kpis.core.text import tone_key
from kpis.store.journal import AccountCreated, account_state
from kpis.store.schema import COMMUNE_QUARTER_FILL, COMMUNE_YEAR_FILL, SCHEMA, UNIT_YEAR_FILL
from kpis.store.server import on_server
from kpis.store.transactions import journal_within, transaction, writing


@dataclass(frozen=True)
class Migration:
    name: str
    version: int  # the schema_version a database had once this had run (before migrations were recorded)
    apply: Callable[[duckdb.DuckDBPyConnection], None]  # runs inside the migration's transaction, under the writers' locks


def fill_unit_year_values(con: duckdb.DuckDBPyConnection) -> None:
    """unit_year_values appeared: fill it from the whole history, once."""
    con.execute("DELETE FROM unit_year_values")
    con.execute(UNIT_YEAR_FILL.format(keys="SELECT DISTINCT unit_id, year, indicator FROM submission_values", prune=""))


def journal_existing_accounts(con: duckdb.DuckDBPyConnection) -> None:
    """Accounts are journaled from now on: journal the ones made before, as they are now, so rebuild keeps them.

    The lines count only if this migration commits (their txns go into journal_commits with it); if it
    does not, rebuild skips them and the next connect journals the accounts again.
    """
    rows = con.execute("SELECT username, full_name, role, password_hash, created_at, disabled_at, demo FROM users").fetchall()
    for name, full, role, hashed, created, disabled, demo in rows:
        scopes = con.execute("SELECT province, commune FROM user_scopes WHERE username = ? ORDER BY ALL", [name]).fetchall()
        created_event = AccountCreated(
            username=name, full_name=full or "", role=role, password_hash=hashed, created_at=created, demo=bool(demo),
            scopes=tuple((p, c) for p, c in scopes), actor="migration",
        )  # fmt: skip
        journal_within(con, created_event)
        if disabled is not None:
            journal_within(con, account_state(name, True, disabled, "migration"))


def _has_column(con: duckdb.DuckDBPyConnection, table: str, column: str) -> bool:
    found = con.execute("SELECT 1 FROM information_schema.columns WHERE table_name = ? AND column_name = ?", [table, column])
    return found.fetchone() is not None


# Made again by official_codes, each after the tables that reference it (submission_values -> units -> communes).
_REMADE = ("submission_values", "units", "communes")


def official_codes(con: duckdb.DuckDBPyConnection) -> None:
    """Places gained their national statistics codes, and communes are keyed by tone_key (Hoà = Hòa, Văn Lang ≠ Văn Lăng).

    A registry update renames communes and moves them between provinces, and DuckDB refuses to change an
    indexed column of a row that another table references: communes loses its UNIQUE (province, key) and
    its reference to provinces (schema.py says why). DuckDB cannot drop a constraint, so communes is made
    again with today's DDL, and with it units and submission_values, which reference it: every row copied
    as it was (ids kept), each commune's key recomputed. The codes themselves come from the registry's
    seeding (catalog_tables.seed_official), which runs after the migrations.
    """
    code = "o.code" if _has_column(con, "communes", "code") else "NULL::INTEGER"
    keys = pd.DataFrame(con.execute("SELECT id, name FROM communes").fetchall(), columns=["id", "name"])
    keys["key"] = [tone_key(name, strip_prefix=True) for name in keys["name"]]
    for table in _REMADE:
        con.execute(f"CREATE TEMP TABLE old_{table} AS SELECT * FROM {table}")
    for table in _REMADE:
        con.execute(f"DROP TABLE {table}")
    for table, column in (("provinces", "code"), ("plans", "province_code"), ("plans", "commune_code")):
        if not _has_column(con, table, column):
            con.execute(f"ALTER TABLE {table} ADD COLUMN {column} INTEGER")
    con.execute(SCHEMA)  # the three tables again, as a new database has them
    con.register("commune_keys", keys[["id", "key"]])
    try:
        con.execute(
            "INSERT INTO communes (id, province, name, kind, key, source, code)"
            f" SELECT o.id, o.province, o.name, o.kind, k.key, o.source, {code} FROM old_communes o"
            " JOIN commune_keys k ON k.id = o.id ORDER BY o.id"
        )
    finally:
        con.unregister("commune_keys")
    con.execute("INSERT INTO units BY NAME SELECT * FROM old_units ORDER BY id")
    con.execute("INSERT INTO submission_values BY NAME SELECT * FROM old_submission_values")
    for table in _REMADE:
        con.execute(f"DROP TABLE old_{table}")


def scope_codes(con: duckdb.DuckDBPyConnection) -> None:
    """Accounts refer to places by code: user_scopes gains province_code and commune_code.

    They are filled from the provinces and communes tables by name (catalog_tables.fill_scope_codes, at
    every connect, after the registry's seeding has given an older database's places their codes).
    """
    for column in ("province_code", "commune_code"):
        if not _has_column(con, "user_scopes", column):
            con.execute(f"ALTER TABLE user_scopes ADD COLUMN {column} INTEGER")


def plan_notes_by_language(con: duckdb.DuckDBPyConnection) -> None:
    """A plan's notes are kept in each language: plans gains notes_en (notes holds the Vietnamese; the
    catalog refills both at every connect)."""
    if not _has_column(con, "plans", "notes_en"):
        con.execute("ALTER TABLE plans ADD COLUMN notes_en VARCHAR")


def account_email_and_first_password(con: duckdb.DuckDBPyConnection) -> None:
    """Accounts come in bulk from a sheet (issue 15): users gains email, and must_change_password for an account
    whose password is a one-time one (or an administrator's reset), to be changed at the next sign-in."""
    if not _has_column(con, "users", "email"):
        con.execute("ALTER TABLE users ADD COLUMN email VARCHAR")
    if not _has_column(con, "users", "must_change_password"):
        con.execute("ALTER TABLE users ADD COLUMN must_change_password BOOLEAN DEFAULT false")


def fill_commune_year_values(con: duckdb.DuckDBPyConnection) -> None:
    """commune_year_values appeared (issue 16): fill it from unit_year_values, once."""
    con.execute("DELETE FROM commune_year_values")
    keys = "SELECT DISTINCT u.commune_id, y.year, y.indicator FROM unit_year_values y JOIN units u ON u.id = y.unit_id"
    con.execute(COMMUNE_YEAR_FILL.format(keys=keys, prune=""))


def fill_commune_quarter_values(con: duckdb.DuckDBPyConnection) -> None:
    """commune_quarter_values appeared (issue 16): fill it from the whole history, once."""
    con.execute("DELETE FROM commune_quarter_values")
    keys = "SELECT DISTINCT u.commune_id, v.year, v.indicator FROM submission_values v JOIN units u ON u.id = v.unit_id"
    con.execute(COMMUNE_QUARTER_FILL.format(keys=keys, prune=""))


MIGRATIONS: tuple[Migration, ...] = (
    Migration("fill_unit_year_values", 2, fill_unit_year_values),
    Migration("journal_existing_accounts", 3, journal_existing_accounts),
    Migration("official_codes", 4, official_codes),
    Migration("scope_codes", 5, scope_codes),
    Migration("plan_notes_by_language", 6, plan_notes_by_language),
    Migration("account_email_and_first_password", 7, account_email_and_first_password),
    Migration("fill_commune_year_values", 8, fill_commune_year_values),
    Migration("fill_commune_quarter_values", 9, fill_commune_quarter_values),
)
SCHEMA_VERSION = max(m.version for m in MIGRATIONS)


def applied(con: duckdb.DuckDBPyConnection) -> dict[str, str | None]:
    """The migrations this database has had: name -> note (how it was known)."""
    return dict(con.execute("SELECT name, note FROM migrations ORDER BY applied_at, name").fetchall())


def migrate(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Apply the migrations this database lacks, in order, each once; returns the names applied now."""
    done: list[str] = []
    with writing(con):
        have = set(applied(con))
        if not have:
            have = _recognise_legacy(con)
        for migration in MIGRATIONS:
            if migration.name in have:
                continue
            with transaction(con):
                migration.apply(con)
                con.execute("INSERT INTO migrations VALUES (?, ?, 'applied')", [migration.name, dt.datetime.now()])
            done.append(migration.name)
        row = con.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
        if row is None or row[0] != str(SCHEMA_VERSION):
            with transaction(con):
                con.execute("INSERT OR REPLACE INTO meta VALUES ('schema_version', ?)", [str(SCHEMA_VERSION)])
    return done


def _recognise_legacy(con: duckdb.DuckDBPyConnection) -> set[str]:
    """A database from before migrations were recorded: record those its schema_version says it had."""
    row = con.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
    version = int(row[0]) if row else 0  # no schema_version: a new database, which has had none
    note = f"schema_version {version}"
    if version == 0 and on_server(con):  # no database on PostgreSQL predates migrations: a new one is made current
        version, note = SCHEMA_VERSION, "new database on PostgreSQL"
    had = [m.name for m in MIGRATIONS if m.version <= version]
    if had:
        with transaction(con):
            now = dt.datetime.now()
            for name in had:
                con.execute("INSERT INTO migrations VALUES (?, ?, ?)", [name, now, note])
    return set(had)
