"""Named, recorded migrations: a new database records them all; one made before they were recorded (only
meta 'schema_version' 1, 2 or 3) gets exactly the ones its version lacks, once; opening again applies nothing.
Real DuckDB files, downgraded with plain SQL the way an older database looked.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from kpis import store
from kpis.intake.importer import import_file
from kpis.people import accounts
from kpis.store import migrations
from kpis.store.journal import AccountCreated, AccountDisabled
from tests.corpus.make_corpus import csv_file, row

PASSWORD = "mat-khau-that-dai-57"
NAMES = [m.name for m in migrations.MIGRATIONS]


def recorded(db: Path) -> dict[str, str | None]:
    con = duckdb.connect(str(db))
    try:
        return migrations.applied(con)
    finally:
        con.close()


def schema_version(db: Path) -> str:
    con = duckdb.connect(str(db))
    try:
        return con.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchall()[0][0]
    finally:
        con.close()


def build(db: Path) -> list[tuple]:
    """A database with history and two accounts (one disabled); returns its unit_year_values."""
    con = store.connect(db)
    data = csv_file([row(0, quarter=1, numerator=300), row(1, quarter=2, numerator=200)])
    assert import_file(con, data, "muong_mun.csv", uploaded_by="Lò Văn Minh").status == "accepted"
    accounts.create(con, "lan.mm", PASSWORD, "admin", "test")
    accounts.create(con, "tinh.db", PASSWORD, "viewer", "test")
    accounts.set_disabled(con, "tinh.db", True, "test")
    values = con.execute("SELECT * FROM unit_year_values ORDER BY ALL").fetchall()
    con.close()
    return values


def make_old(db: Path, version: int | None) -> None:
    """Turn db into what an older database looked like: no migration records, schema_version as given.

    Below 3 its accounts were not journaled (the journal has none); below 2 it had no unit_year_values
    (the table is emptied, as the DDL would create it empty) and no journal_commits. None had
    commune_year_values or commune_quarter_values (issue 16).
    """
    con = duckdb.connect(str(db))
    con.execute("DROP TABLE migrations")
    con.execute("DROP TABLE commune_year_values")
    con.execute("DROP TABLE commune_quarter_values")
    if version is None:
        con.execute("DELETE FROM meta WHERE key = 'schema_version'")
    else:
        con.execute("UPDATE meta SET value = ? WHERE key = 'schema_version'", [str(version)])
    if version is not None and version < 2:
        con.execute("DELETE FROM unit_year_values")
        con.execute("DROP TABLE journal_commits")
    con.close()
    if version is not None and version < 3:
        journal = store.journal_path(db)
        kept = [ln for ln in journal.read_text(encoding="utf-8").splitlines(keepends=True) if '"account_' not in ln]
        journal.write_text("".join(kept), encoding="utf-8")


def derived(db: Path, table: str) -> list[tuple]:
    con = duckdb.connect(str(db))
    try:
        return con.execute(f"SELECT * FROM {table} ORDER BY ALL").fetchall()
    finally:
        con.close()


def unit_years(db: Path) -> list[tuple]:
    return derived(db, "unit_year_values")


def account_lines(db: Path) -> list[tuple[str, str, str | None]]:
    return [(e.kind, e.username, e.actor) for e in store.read_journal(db) if isinstance(e, (AccountCreated, AccountDisabled))]


def test_a_new_database_records_every_migration_as_applied(tmp_path):
    db = tmp_path / "kpis.duckdb"
    store.connect(db).close()
    assert recorded(db) == dict.fromkeys(NAMES, "applied")
    assert schema_version(db) == str(migrations.SCHEMA_VERSION) == "9"


@pytest.mark.parametrize(
    ("version", "applied_now", "inferred"),
    [
        (1, NAMES, []),
        (2, ["journal_existing_accounts", *NAMES[2:]], ["fill_unit_year_values"]),
        (3, NAMES[2:], ["fill_unit_year_values", "journal_existing_accounts"]),
    ],
)
def test_an_old_database_gets_exactly_the_migrations_its_version_lacks_once(tmp_path, version, applied_now, inferred):
    db = tmp_path / "kpis.duckdb"
    values = build(db)
    assert values  # history to derive from
    communes = derived(db, "commune_year_values")
    quarters = derived(db, "commune_quarter_values")
    assert communes and quarters
    lines_before = account_lines(db)
    make_old(db, version)
    assert account_lines(db) == (lines_before if version >= 3 else [])

    con = store.connect(db)
    con.close()
    assert recorded(db) == {**{n: f"schema_version {version}" for n in inferred}, **dict.fromkeys(applied_now, "applied")}
    assert schema_version(db) == "9"
    assert unit_years(db) == values  # filled again from history where the version lacked it
    assert derived(db, "commune_year_values") == communes  # the table every version below 8 lacked, filled
    assert derived(db, "commune_quarter_values") == quarters  # and the one below 9 lacked
    migrated = [("account_created", "lan.mm", "migration"), ("account_created", "tinh.db", "migration"),
                ("account_disabled", "tinh.db", "migration")]  # fmt: skip
    after = account_lines(db)
    assert after == (migrated if "journal_existing_accounts" in applied_now else lines_before)

    journal_before = store.journal_path(db).read_bytes()
    records_before = recorded(db)
    con = store.connect(db)  # a second open applies nothing
    assert migrations.migrate(con) == []
    con.close()
    assert recorded(db) == records_before
    assert store.journal_path(db).read_bytes() == journal_before


def test_version_3_does_not_run_the_fill_again(tmp_path):
    """schema_version 3 says the fill ran: it must not run again (an emptied derived table stays empty)."""
    db = tmp_path / "kpis.duckdb"
    build(db)
    make_old(db, 3)
    con = duckdb.connect(str(db))
    con.execute("DELETE FROM unit_year_values")
    con.close()
    store.connect(db).close()
    assert unit_years(db) == []


def test_accounts_journaled_by_the_migration_rebuild(tmp_path):
    from kpis.ops.rebuild import rebuild

    db = tmp_path / "kpis.duckdb"
    build(db)
    make_old(db, 2)
    store.connect(db).close()
    report = rebuild(db)
    assert report.identical and report.account_events == 3
    con = store.connect(db)
    assert accounts.sign_in(con, "lan.mm", PASSWORD).is_admin
    with pytest.raises(accounts.AccountError):
        accounts.sign_in(con, "tinh.db", PASSWORD)
    con.close()


def test_a_migration_that_fails_is_not_recorded_and_runs_again(tmp_path):
    """Each migration commits with its record or not at all: a failure leaves it to the next open."""
    db = tmp_path / "kpis.duckdb"
    values = build(db)
    make_old(db, 1)
    con = duckdb.connect(str(db))
    con.execute("ALTER TABLE unit_year_values RENAME TO unit_year_values_away")  # the fill cannot run
    con.execute("CREATE TABLE unit_year_values (unit_id INTEGER)")  # a table of the wrong shape
    con.close()
    with pytest.raises(duckdb.Error):
        store.connect(db)
    assert recorded(db) == {}
    con = duckdb.connect(str(db))
    con.execute("DROP TABLE unit_year_values")
    con.execute("ALTER TABLE unit_year_values_away RENAME TO unit_year_values")
    con.close()
    store.connect(db).close()
    assert recorded(db) == dict.fromkeys(NAMES, "applied") and unit_years(db) == values


def test_accounts_of_a_database_from_before_emails_gain_them_empty_and_need_no_password_change(tmp_path):
    """account_email_and_first_password (7): users gains email and must_change_password; accounts already there keep
    their password as it is (false), and a database of schema_version 6 gets only this migration and the later one."""
    db = tmp_path / "kpis.duckdb"
    build(db)
    make_old(db, 6)
    con = duckdb.connect(str(db))
    con.execute("ALTER TABLE users DROP COLUMN email")
    con.execute("ALTER TABLE users DROP COLUMN must_change_password")
    con.close()
    store.connect(db).close()
    assert recorded(db)["account_email_and_first_password"] == "applied"
    applied = [n for n, note in recorded(db).items() if note == "applied"]
    assert applied == ["account_email_and_first_password", "fill_commune_year_values", "fill_commune_quarter_values"]
    con = store.connect(db)
    rows = con.execute("SELECT username, email, must_change_password FROM users ORDER BY username").fetchall()
    assert rows == [("lan.mm", None, False), ("tinh.db", None, False)]
    assert accounts.sign_in(con, "lan.mm", PASSWORD).must_change_password is False
    con.close()
