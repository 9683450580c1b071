"""Accounts, scopes and the audit trail: each commune writes only its own figures, every change has a name."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb
import pytest
from argon2 import PasswordHasher

from kpis import store
from kpis.catalog.units import Commune
from kpis.intake.importer import import_file
from kpis.people import accounts
from kpis.store import audit
from tests.conftest import Kpis, csv_bytes

PASSWORD = "mat-khau-xa-muong-mun"


@pytest.fixture
def officer(con: duckdb.DuckDBPyConnection) -> accounts.Account:
    return accounts.create(con, "lan.mm", PASSWORD, "commune", "test", province="Điện Biên", communes=["Mường Mùn"])


def rows_for(commune: str, unit: str = "Bản A") -> bytes:
    return csv_bytes([["Điện Biên", commune, unit, 2025, 3, "citizen_reach", 10, 20, ""]])


def counts(con: duckdb.DuckDBPyConnection) -> tuple[int, int, int]:
    return tuple(con.execute(f"SELECT count(*) FROM {t}").fetchall()[0][0] for t in ("submissions", "submission_values", "units"))


def test_commune_officer_cannot_upload_for_another_commune_and_nothing_is_written(con, officer) -> None:
    data = csv_bytes(
        [
            ["Điện Biên", "Mường Mùn", "Bản A", 2025, 3, "citizen_reach", 10, 20, ""],
            ["Điện Biên", "Tuần Giáo", "Bản B", 2025, 3, "citizen_reach", 10, 20, ""],
            ["Điện Biên", "Tuần Giáo", "Bản C", 2025, 3, "citizen_reach", 10, 20, ""],
        ]
    )
    result = import_file(con, data, "lan.csv", officer.username, may_write=officer.may_write)
    assert result.status == "refused"
    assert [(p.row, p.column, p.code) for p in result.problems] == [
        (3, "commune", "out_of_scope"),
        (4, "commune", "out_of_scope"),
    ]
    assert "Tuần Giáo" in result.messages()[0]
    assert counts(con) == (0, 0, 0)
    refused = audit.events(con, action="upload_refused")
    assert refused["actor"].tolist() == ["lan.mm"] and refused["subject"].tolist() == ["lan.csv"]


def test_commune_officer_uploads_own_commune(con, officer) -> None:
    result = import_file(con, rows_for("Mường Mùn"), "ok.csv", officer.username, may_write=officer.may_write)
    assert result.status == "accepted"
    assert con.execute("SELECT uploaded_by FROM submissions").fetchall() == [("lan.mm",)]
    assert audit.events(con, action="upload_accepted")["actor"].tolist() == ["lan.mm"]


@pytest.mark.parametrize(
    ("role", "province", "communes", "target", "allowed"),
    [
        ("admin", None, [], ("Lai Châu", "Bình Lư"), True),
        ("province", "Điện Biên", [], ("Điện Biên", "Tuần Giáo"), True),
        ("province", "Điện Biên", [], ("Lai Châu", "Bình Lư"), False),
        ("commune", "Điện Biên", ["Mường Mùn", "Tủa Chùa"], ("Điện Biên", "Tủa Chùa"), True),
        ("commune", "Điện Biên", ["Mường Mùn"], ("Điện Biên", "Tủa Chùa"), False),
        ("viewer", None, [], ("Điện Biên", "Mường Mùn"), False),
    ],
)
def test_scopes_by_role(con, role, province, communes, target, allowed) -> None:
    account = accounts.create(con, f"u.{role}", PASSWORD, role, "test", province=province, communes=communes)
    place = next(c for c in store.registry(con) if (c.province, c.name) == target)
    assert account.may_write(place) is allowed
    assert account.can_upload is (role != "viewer")


def test_password_is_stored_only_as_an_argon2id_hash(con, officer, db_path: Path) -> None:
    stored = con.execute("SELECT password_hash FROM users WHERE username = 'lan.mm'").fetchall()[0][0]
    assert stored.startswith("$argon2id$")
    assert PasswordHasher().verify(stored, PASSWORD)
    accounts.sign_in(con, "lan.mm", PASSWORD)
    con.execute("CHECKPOINT")
    for (table,) in con.execute("SELECT table_name FROM duckdb_tables()").fetchall():
        text = con.execute(f"SELECT * FROM {table}").df().astype(str).to_csv()
        assert PASSWORD not in text, table
    assert PASSWORD.encode() not in db_path.read_bytes()
    journal = store.journal_path(store.db_file(con))
    assert PASSWORD not in journal.read_text(encoding="utf-8") if journal.exists() else True


def test_a_hash_made_with_another_memory_figure_is_renewed_at_the_next_sign_in(con, officer, monkeypatch) -> None:
    """An operator who raises KPIS_PASSWORD_MEMORY_KIB upgrades each account as its owner signs in."""
    def stored() -> str:
        return con.execute("SELECT password_hash FROM users WHERE username = 'lan.mm'").fetchall()[0][0]

    assert "$m=1024," in stored()  # tests/conftest.py sets 1 MiB
    monkeypatch.setenv("KPIS_PASSWORD_MEMORY_KIB", "2048")
    accounts.sign_in(con, "lan.mm", PASSWORD)
    assert "$m=2048," in stored() and PasswordHasher(memory_cost=2048).verify(stored(), PASSWORD)
    monkeypatch.setenv("KPIS_PASSWORD_MEMORY_KIB", "8")  # argon2 refuses under 32 KiB: a slip must not stop sign-ins
    assert accounts.hash_password(PASSWORD).startswith("$argon2id$v=19$m=1024,")
    monkeypatch.delenv("KPIS_PASSWORD_MEMORY_KIB")
    assert accounts.hash_password(PASSWORD).startswith("$argon2id$v=19$m=65536,t=3,p=4$")  # the default: argon2-cffi's


def test_wrong_password_is_refused_and_audited(con, officer) -> None:
    with pytest.raises(accounts.AccountError) as e:
        accounts.sign_in(con, "lan.mm", "not-the-password")
    assert e.value.code == "account_bad_credentials"
    with pytest.raises(accounts.AccountError):
        accounts.sign_in(con, "nobody", "whatever-password")
    failed = audit.events(con, action="sign_in_failed")
    assert sorted(failed["subject"]) == ["lan.mm", "nobody"]
    assert not failed["detail"].str.contains("not-the-password").any()


def test_repeated_failures_lock_the_account_for_a_while(con, officer) -> None:
    start = dt.datetime(2026, 11, 20, 9, 0)
    for i in range(accounts.LOCK_AFTER):
        with pytest.raises(accounts.AccountError):
            accounts.sign_in(con, "lan.mm", "wrong", now=start + dt.timedelta(seconds=i))
    with pytest.raises(accounts.AccountError) as e:
        accounts.sign_in(con, "lan.mm", PASSWORD, now=start + dt.timedelta(minutes=1))
    assert e.value.code == "account_locked"
    later = start + accounts.LOCK_WINDOW + dt.timedelta(minutes=1)
    assert accounts.sign_in(con, "lan.mm", PASSWORD, now=later).username == "lan.mm"
    assert "sign_in_locked" in set(audit.events(con)["action"])


def test_disabled_account_can_no_longer_sign_in(con, officer) -> None:
    admin = accounts.create(con, "quantri", PASSWORD, "admin", "cli")
    accounts.set_disabled(con, "lan.mm", True, admin.username)
    with pytest.raises(accounts.AccountError):
        accounts.sign_in(con, "lan.mm", PASSWORD)
    assert accounts.get(con, "lan.mm") is None
    accounts.set_disabled(con, "lan.mm", False, admin.username)
    assert accounts.sign_in(con, "lan.mm", PASSWORD).role == "commune"
    actions = audit.events(con)["action"].tolist()
    assert {"account_disabled", "account_enabled", "account_created"} <= set(actions)


@pytest.mark.parametrize(
    ("kwargs", "code"),
    [
        ({"username": "x", "password": PASSWORD, "role": "admin"}, "account_bad_username"),
        ({"username": "ok.name", "password": "short", "role": "admin"}, "account_password_short"),
        ({"username": "ok.name", "password": PASSWORD, "role": "commune", "province": "Điện Biên"}, "account_needs_commune"),
        ({"username": "ok.name", "password": PASSWORD, "role": "province"}, "account_needs_province"),
        ({"username": "ok.name", "password": PASSWORD, "role": "province", "province": "Atlantis"}, "account_unknown_province"),
        (
            {"username": "ok.name", "password": PASSWORD, "role": "commune", "province": "Điện Biên", "communes": ["Hoà An"]},
            "account_unknown_commune",
        ),
    ],
)
def test_bad_accounts_are_refused_with_a_reason(con, kwargs, code) -> None:
    with pytest.raises(accounts.AccountError) as e:
        accounts.create(con, actor="test", **kwargs)
    assert e.value.code == code
    assert accounts.listing(con) == []


def test_withdrawal_is_audited_with_the_file_hash(con, officer) -> None:
    result = import_file(con, rows_for("Mường Mùn"), "ok.csv", officer.username, may_write=officer.may_write)
    sha = con.execute("SELECT sha256 FROM submissions").fetchall()[0][0]
    store.withdraw(con, result.submission_id, officer.username, "nhập nhầm")
    event = audit.events(con, action="withdrawal")
    assert event["actor"].tolist() == ["lan.mm"] and event["file_sha256"].tolist() == [sha]
    assert store.submission_communes(con, result.submission_id) == [Commune("Điện Biên", "Mường Mùn", "Xã", 3268, 11)]


def test_audit_csv_escapes_formulas(con) -> None:
    audit.record(con, "lan.mm", "upload_refused", '=HYPERLINK("http://x","y").csv')
    data = audit.to_csv(audit.events(con)).decode("utf-8-sig")
    assert "'=HYPERLINK" in data
    assert "\n=HYPERLINK" not in data and ",=HYPERLINK" not in data


def test_audit_filters_by_actor_action_and_date(con) -> None:
    audit.record(con, "a", "sign_in", "a", at=dt.datetime(2026, 1, 5, 8))
    audit.record(con, "b", "sign_in", "b", at=dt.datetime(2026, 2, 5, 8))
    audit.record(con, "a", "sign_out", "a", at=dt.datetime(2026, 2, 6, 8))
    assert audit.events(con, actor="a")["action"].tolist() == ["sign_out", "sign_in"]
    assert audit.events(con, action="sign_in", since=dt.date(2026, 2, 1))["actor"].tolist() == ["b"]
    assert audit.events(con, until=dt.date(2026, 1, 31))["actor"].tolist() == ["a"]


def test_user_command_line(kpis: Kpis, db_path: Path) -> None:
    db = str(db_path)
    added = kpis("user", "add", "quantri", "--role", "admin", "--password-stdin", "--db", db, stdin=PASSWORD + "\n")
    assert added.returncode == 0, added.stderr
    officer = kpis(
        "user",
        "add",
        "lan.mm",
        "--role",
        "commune",
        "--province",
        "Điện Biên",
        "--commune",
        "Mường Mùn",
        "--password-stdin",
        "--db",
        db,
        stdin=PASSWORD + "\n",
    )
    assert officer.returncode == 0 and "Mường Mùn" in officer.stdout
    short = kpis("user", "add", "x.y", "--role", "viewer", "--password-stdin", "--db", db, stdin="short\n")
    assert short.returncode == 1 and "ít nhất" in short.stderr
    assert kpis("user", "passwd", "lan.mm", "--password-stdin", "--db", db, stdin="mat-khau-moi-dai-hon\n").returncode == 0
    assert kpis("user", "disable", "lan.mm", "--db", db).returncode == 0
    listing = kpis("user", "list", "--db", db).stdout.splitlines()
    assert [line.split("\t")[:3] for line in listing] == [["lan.mm", "commune", "disabled"], ["quantri", "admin", "active"]]
    with store.connect(db) as con:
        with pytest.raises(accounts.AccountError):
            accounts.sign_in(con, "lan.mm", "mat-khau-moi-dai-hon")
        assert PASSWORD not in con.execute("SELECT string_agg(detail, ' ') FROM audit").fetchall()[0][0]


def test_an_account_names_its_places_by_name_or_code_and_its_journal_line_carries_the_codes(con) -> None:
    from kpis.store.journal import AccountCreated

    made = accounts.create(con, "x.mm", PASSWORD, "commune", "test", province="Mã tỉnh 11", communes=["Mã xã 03268", "tua chua"])
    assert made.scopes == (accounts.Scope("Điện Biên", "Mường Mùn", 11, 3268), accounts.Scope("Điện Biên", "Tủa Chùa", 11, 3217))
    tinh = accounts.create(con, "x.tinh", PASSWORD, "province", "test", province="12")
    assert tinh.scopes == (accounts.Scope("Lai Châu", None, 12, None),)
    lines = [e for e in store.read_journal(store.db_file(con)) if isinstance(e, AccountCreated)]
    assert [(e.scopes, e.scope_codes) for e in lines] == [
        ((("Điện Biên", "Mường Mùn"), ("Điện Biên", "Tủa Chùa")), ((11, 3268), (11, 3217))),
        ((("Lai Châu", None),), ((12, None),)),
    ]
    assert '"scope_codes": [[11, 3268], [11, 3217]]' in store.journal_path(store.db_file(con)).read_text(encoding="utf-8")
    with pytest.raises(accounts.AccountError) as e:
        accounts.create(con, "x.sai", PASSWORD, "commune", "test", province="11", communes=["3390"])  # Bình Lư is in Lai Châu
    assert e.value.code == "account_unknown_commune"
