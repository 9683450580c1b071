"""Sign-in under attack: a burst of simultaneous guesses gets no more than LOCK_AFTER of them checked,
and an absurd user name or password costs neither hashing time nor megabytes in the audit trail."""

from __future__ import annotations

import datetime as dt
import json
import threading

import argon2
import duckdb
import pytest

from kpis import store
from kpis.people import accounts
from kpis.store import audit

PASSWORD = "mat-khau-xa-muong-mun"
NOW = dt.datetime(2026, 11, 20, 9, 0)


@pytest.fixture
def officer(con: duckdb.DuckDBPyConnection) -> accounts.Account:
    return accounts.create(con, "lan.mm", PASSWORD, "commune", "test", province="Điện Biên", communes=["Mường Mùn"])


@pytest.fixture
def hashings(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every argon2 hash or verify the product asks for, counted on the real library (the calls still run)."""
    calls: list[str] = []
    for method in ("hash", "verify"):
        real = getattr(argon2.PasswordHasher, method)

        def counted(self, *args, _real=real, _method=method, **kwargs):  # type: ignore[no-untyped-def]
            calls.append(_method)
            return _real(self, *args, **kwargs)

        monkeypatch.setattr(argon2.PasswordHasher, method, counted)
    return calls


def burst(con: duckdb.DuckDBPyConnection, passwords: list[str]) -> list[str]:
    """All sign-ins released together, each on its own cursor of the one connection (as kpis/web/ui.py does)."""
    outcomes = [""] * len(passwords)
    gate = threading.Barrier(len(passwords))

    def attempt(i: int, password: str) -> None:
        cur = store.cursor(con)
        gate.wait()
        try:
            accounts.sign_in(cur, "lan.mm", password, now=NOW)
            outcomes[i] = "signed_in"
        except accounts.AccountError as e:
            outcomes[i] = e.code
        except Exception as e:  # a crash must show in the assertion, not vanish in the thread
            outcomes[i] = f"crash: {e!r}"

    threads = [threading.Thread(target=attempt, args=(i, p)) for i, p in enumerate(passwords)]
    for th in threads:
        th.start()
    for th in threads:
        th.join(timeout=120)
    return outcomes


def actions(con: duckdb.DuckDBPyConnection) -> list[str]:
    return audit.events(con)["action"].tolist()


def test_twenty_simultaneous_wrong_passwords_get_only_five_checked(con, officer) -> None:
    outcomes = burst(con, [f"wrong-password-{i}" for i in range(20)])
    assert sorted(set(outcomes)) == ["account_bad_credentials", "account_locked"], outcomes
    assert outcomes.count("account_bad_credentials") == accounts.LOCK_AFTER
    assert outcomes.count("account_locked") == 20 - accounts.LOCK_AFTER
    trail = actions(con)
    assert trail.count("sign_in_failed") == accounts.LOCK_AFTER
    assert trail.count("sign_in_locked") == 20 - accounts.LOCK_AFTER
    assert not accounts._PENDING, "every reservation is given back"


def test_burst_of_nineteen_wrong_and_one_right_verifies_at_most_five_between_successes(con, officer) -> None:
    passwords = [f"wrong-password-{i}" for i in range(19)]
    passwords.insert(11, PASSWORD)
    outcomes = burst(con, passwords)
    assert not [o for o in outcomes if o.startswith("crash")], outcomes
    trail = actions(con)
    verified = trail.count("sign_in_failed") + trail.count("sign_in")
    # a right password resets the count (as the docstring of sign_in says), so the bound holds between
    # successful sign-ins: a guess that reserves after the success was recorded may be checked too
    failures_per_stretch = [0]
    for action in reversed(trail):  # oldest first
        if action == "sign_in":
            failures_per_stretch.append(0)
        elif action == "sign_in_failed":
            failures_per_stretch[-1] += 1
    assert max(failures_per_stretch) <= accounts.LOCK_AFTER, trail
    assert outcomes.count("account_locked") == 20 - verified
    right = outcomes[11]
    if right != "signed_in":
        assert right == "account_locked", "the right password after five failures is refused as locked"
        assert trail.count("sign_in_failed") == accounts.LOCK_AFTER
    # afterwards the account stays locked for the rest of the window, even with the right password
    if right != "signed_in":
        with pytest.raises(accounts.AccountError) as e:
            accounts.sign_in(con, "lan.mm", PASSWORD, now=NOW + dt.timedelta(minutes=1))
        assert e.value.code == "account_locked"


def test_a_successful_sign_in_starts_the_count_again(con, officer) -> None:
    def outcome(password: str, minute: int) -> str:
        try:
            accounts.sign_in(con, "lan.mm", password, now=NOW + dt.timedelta(minutes=minute))
            return "signed_in"
        except accounts.AccountError as e:
            return e.code

    first = [outcome(f"wrong-{i}", i) for i in range(accounts.LOCK_AFTER - 1)] + [outcome(PASSWORD, 4)]
    assert first == ["account_bad_credentials"] * (accounts.LOCK_AFTER - 1) + ["signed_in"]
    then = [outcome(f"wrong-again-{i}", 5 + i) for i in range(accounts.LOCK_AFTER + 1)]
    assert then == ["account_bad_credentials"] * accounts.LOCK_AFTER + ["account_locked"]


def test_a_megabyte_user_name_adds_only_a_bounded_row_to_the_audit_trail(con, officer, hashings) -> None:
    def trail_bytes() -> int:
        return int(
            con.execute(
                "SELECT coalesce(sum(strlen(actor) + strlen(coalesce(subject, '')) + strlen(coalesce(detail, ''))), 0) FROM audit"
            ).fetchall()[0][0]
        )

    before = trail_bytes()
    for _ in range(3):
        with pytest.raises(accounts.AccountError) as e:
            accounts.sign_in(con, "a" * 1_000_000, "x" * 1_000_000, now=NOW)
        assert e.value.code == "account_bad_credentials"
    assert hashings == [], "refused before any hashing"
    added = trail_bytes() - before
    assert 0 < added <= 3 * 2 * (audit.MAX_TEXT * 4) + 3 * audit.MAX_DETAIL, added
    assert added < 3_000, added
    assert actions(con).count("sign_in_failed") == 3


def test_a_megabyte_password_for_a_real_account_is_refused_without_hashing_and_counts_as_a_failure(
    con, officer, hashings
) -> None:
    with pytest.raises(accounts.AccountError) as e:
        accounts.sign_in(con, "lan.mm", "p" * 1_000_000, now=NOW)
    assert e.value.code == "account_bad_credentials"
    assert hashings == []
    assert audit.recent_failures(con, "lan.mm", accounts.LOCK_WINDOW, NOW) == 1
    accounts.sign_in(con, "lan.mm", PASSWORD, now=NOW)
    assert hashings == ["verify"], "the counter sees a real sign-in's hashing"
    with pytest.raises(accounts.AccountError) as e:
        accounts.create(con, "dai.qua", "p" * (accounts.MAX_PASSWORD + 1), "viewer", "test")
    assert e.value.code == "account_password_long"


def test_audit_record_caps_every_field_and_keeps_detail_valid_json(con) -> None:
    audit.record(con, "x" * 10_000, "upload_refused", "f" * 10_000, {"reason": "r" * 10_000, "rows": list(range(5000))})
    row = audit.events(con).iloc[0]
    assert len(row["actor"]) == audit.MAX_TEXT and row["actor"].endswith("…")
    assert len(row["subject"]) == audit.MAX_TEXT
    detail = json.loads(row["detail"])
    assert len(row["detail"]) <= 2 * audit.MAX_DETAIL and "truncated" in detail
    audit.record(con, "lan", "upload_refused", "short.csv", {"reason": "r" * 5000})
    short = json.loads(audit.events(con).iloc[0]["detail"])
    assert len(short["reason"]) == audit.MAX_DETAIL_TEXT and short["reason"].endswith("…")
