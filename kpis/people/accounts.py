"""Accounts, roles and scopes: each commune writes only its own figures.

Passwords are kept only as argon2id hashes (argon2-cffi); a clear password is never
stored, logged or exported. Repeated failures lock an account for a while. An account made with a
one-time password (kpis.people.account_sheet), or whose password an administrator reset, must change
it at its next sign-in: until then it may write nothing. Roles:
- admin: everything, including accounts and the registry;
- province: reads everything, uploads for any commune of its province(s);
- commune: reads everything, uploads and records tasks for its own commune(s);
- viewer: reads only.
A scope holds its places' national statistics codes, and the codes decide: a province or commune renamed by
`registry update` stays in the scope. A place the official list lacks (code NULL, kept from an older
database, such as Tam Đường) is matched by its name, which nothing renames.
"""

from __future__ import annotations

import datetime as dt
import re
import secrets
from dataclasses import dataclass
from functools import cache
from typing import Literal

import duckdb
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from kpis import store
from kpis.catalog.model import Commune
from kpis.catalog.official import parse_code
from kpis.catalog.places import NotFound, Places
from kpis.core.errors import KpisError
from kpis.core.settings import LOCK_AFTER, LOCK_WINDOW, MAX_PASSWORD, MAX_USERNAME, PASSWORD_MEMORY
from kpis.store import audit, journal

Role = Literal["admin", "province", "commune", "viewer"]
ROLES: tuple[Role, ...] = ("admin", "province", "commune", "viewer")
ROLE_LABELS: dict[str, str] = {
    "admin": "role_admin",
    "province": "role_province",
    "commune": "role_commune",
    "viewer": "role_viewer",
}
ACTION_LABELS: dict[str, str] = {  # what an administrator may do to an account, as the accounts page offers it
    "disable": "accounts_action_disable",
    "enable": "accounts_action_enable",
    "passwd": "accounts_action_passwd",
}
MIN_PASSWORD = 10
MIN_PASSWORD_MEMORY_KIB = 1024
USERNAME_RE = re.compile(rf"^[a-z0-9][a-z0-9._@-]{{1,{MAX_USERNAME - 1}}}$")  # no longer than MAX_USERNAME


class AccountError(KpisError):
    """An account operation was refused; code and params are rendered by kpis.core.i18n."""


@dataclass(frozen=True)
class Scope:
    province: str  # the names as the registry has them now (as the account was made, for a place without a code)
    commune: str | None  # None: the whole province
    province_code: int | None = None
    commune_code: int | None = None

    def covers(self, province_code: int | None, province: str | None, commune_code: int | None, commune: str | None) -> bool:
        """Is this place (a commune, or with commune None a whole province) inside the scope?"""
        if not _same(self.province_code, self.province, province_code, province):
            return False
        if self.commune is None:
            return True
        return (commune is not None or commune_code is not None) and _same(self.commune_code, self.commune, commune_code, commune)


def _same(code_a: int | None, name_a: str | None, code_b: int | None, name_b: str | None) -> bool:
    """One place: by code when either has one, by name only between two places without a code."""
    if code_a is not None or code_b is not None:
        return code_a == code_b
    return name_a is not None and name_a == name_b


@dataclass(frozen=True)
class Account:
    username: str
    full_name: str
    role: Role
    scopes: tuple[Scope, ...]
    demo: bool = False
    email: str | None = None
    must_change_password: bool = False  # a one-time (or reset) password: it writes nothing until it has changed it

    @property
    def can_upload(self) -> bool:
        return self.role in ("admin", "province", "commune") and not self.must_change_password

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"

    def may_write(self, commune: Commune) -> bool:
        """May this account write figures or task progress for this registered commune (by its codes)?"""
        if self.must_change_password:
            return False
        if self.role == "admin":
            return True
        if self.role == "viewer":
            return False
        return any(s.covers(commune.province_code, commune.province, commune.code, commune.name) for s in self.scopes)

    def may_write_plan(self, province_code: int, commune_code: int | None) -> bool:
        """May this account record progress on a plan's tasks (a plan names its places by code)?
        A province plan needs a province-wide scope."""
        if self.must_change_password:
            return False
        if self.role == "admin":
            return True
        if commune_code is not None:
            return self.role != "viewer" and any(s.covers(province_code, None, commune_code, None) for s in self.scopes)
        return self.role == "province" and any(
            s.commune is None and s.covers(province_code, None, None, None) for s in self.scopes
        )

    def plan_power(self, province_code: int, commune_code: int | None) -> Literal["put", "propose"] | None:
        """What this account may do with a plan of this place: put it in force (administrators anywhere, a province
        account in its province and its communes), propose it (a commune account, its own commune's), or nothing."""
        if not self.may_write_plan(province_code, commune_code):
            return None
        return "propose" if self.role == "commune" else "put"

    def may_write_all(self, places: list[Commune]) -> bool:
        """May this account change everything in a submission holding figures for these communes?"""
        return self.can_upload and all(self.may_write(c) for c in places)


@cache
def _hasher_with(memory_kib: int) -> PasswordHasher:
    return PasswordHasher(memory_cost=memory_kib)


def _hasher() -> PasswordHasher:
    """argon2id with the library's defaults and the memory in force (KPIS_PASSWORD_MEMORY_KIB), read at call time;
    never under 1 MiB (argon2 refuses less than 32 KiB, and a sign-in must not fail on an operator's slip)."""
    return _hasher_with(max(int(PASSWORD_MEMORY.current()), MIN_PASSWORD_MEMORY_KIB))


def hash_password(password: str) -> str:
    return _hasher().hash(password)


# Letters and digits nobody misreads on paper or a phone (no 0/o, 1/l/i): 31 symbols, 12 of them ~ 59 bits.
ONE_TIME_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"


def one_time_password() -> str:
    """A password to hand out once ("k7mp-x3qa-9rtd"): three groups of four, to be changed at the first sign-in."""
    groups = ("".join(secrets.choice(ONE_TIME_ALPHABET) for _ in range(4)) for _ in range(3))
    password = "-".join(groups)
    _check_password_rules(password)
    return password


def _check_password_rules(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise AccountError("account_password_short", minimum=MIN_PASSWORD)
    if len(password) > MAX_PASSWORD:
        raise AccountError("account_password_long", maximum=MAX_PASSWORD)


def _normal_username(username: str) -> str:
    name = username.strip().lower()
    if not USERNAME_RE.match(name):
        raise AccountError("account_bad_username", username=username)
    return name


def _resolve_scopes(con: duckdb.DuckDBPyConnection, role: Role, province: str | None, communes: list[str]) -> list[Scope]:
    if role in ("admin", "viewer"):
        return []
    if not province:
        raise AccountError("account_needs_province")
    found = store.find_province(con, province)  # a name in any spelling, or its code
    if isinstance(found, NotFound):
        raise AccountError("account_unknown_province", province=province)
    name, code = found
    if role == "province":
        return [Scope(name, None, code)]
    if not communes:
        raise AccountError("account_needs_commune")
    registered = store.registry(con)
    places = Places(registered)
    scopes = []
    for c in communes:
        number = parse_code(c)
        by_code = [r for r in registered if number is not None and r.code == number and r.province == name]
        commune = by_code[0] if by_code else places.find_commune(name, c)
        if not isinstance(commune, Commune):  # none, or several (not guessed)
            raise AccountError("account_unknown_commune", commune=c, province=name)
        scopes.append(Scope(name, commune.name, code, commune.code))
    return scopes


def create(
    con: duckdb.DuckDBPyConnection,
    username: str,
    password: str,
    role: Role,
    actor: str,
    full_name: str = "",
    province: str | None = None,
    communes: list[str] | None = None,
    demo: bool = False,
    email: str | None = None,
    must_change: bool = False,
) -> Account:
    """Create an account with its scopes, in one transaction, and audit it (must_change: at its first sign-in)."""
    if role not in ROLES:
        raise AccountError("account_bad_role", role=role)
    name = _normal_username(username)
    _check_password_rules(password)
    scopes = _resolve_scopes(con, role, province, communes or [])
    if con.execute("SELECT 1 FROM users WHERE username = ?", [name]).fetchall():
        raise AccountError("account_exists", username=name)
    pairs = [(s.province, s.commune) for s in scopes]
    hashed = hash_password(password)
    event = journal.AccountCreated(
        username=name, full_name=full_name.strip(), role=role, password_hash=hashed, created_at=dt.datetime.now(),
        demo=bool(demo), scopes=tuple(pairs), actor=actor,
        scope_codes=tuple((s.province_code, s.commune_code) for s in scopes), email=email or None, must_change=must_change,
    )  # fmt: skip
    try:
        with store.journaled(con, event):  # the journal holds the hash (never the password) so rebuild keeps the account
            if con.execute("SELECT 1 FROM users WHERE username = ?", [name]).fetchall():
                raise AccountError("account_exists", username=name)
            insert_account(con, event)
            audit.record(con, actor, "account_created", name, {"role": role, "scopes": pairs})
    except store.JournalError as e:
        raise AccountError("store_journal_unwritable", error=str(e)) from e
    return Account(name, full_name.strip(), role, tuple(scopes), demo, event.email, must_change)


def insert_account(con: duckdb.DuckDBPyConnection, event: journal.AccountCreated) -> None:
    """The rows of a journaled account (the caller holds the transaction): create(), the bulk import and replay."""
    con.execute(
        "INSERT INTO users (username, full_name, role, password_hash, created_at, demo, email, must_change_password)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        [
            event.username, event.full_name, event.role, event.password_hash, event.created_at, event.demo, event.email,
            event.must_change,
        ],
    )  # fmt: skip
    codes = event.scope_codes or tuple((None, None) for _ in event.scopes)  # a line from before codes: found by name
    for (province, commune), (province_code, commune_code) in zip(event.scopes, codes, strict=True):
        con.execute(
            "INSERT INTO user_scopes (username, province, commune, province_code, commune_code) VALUES (?, ?, ?, ?, ?)",
            [event.username, province, commune, province_code, commune_code],
        )
    if event.scope_codes is None:
        store.fill_scope_codes(con, event.username)


def replay_event(con: duckdb.DuckDBPyConnection, event: journal.Event) -> bool:
    """Apply one account event of the journal to a fresh database (rebuild); False if not an account event."""
    if isinstance(event, journal.AccountCreated):
        # an account journaled twice (a crash while an old database's accounts were journaled) is made once
        if not con.execute("SELECT 1 FROM users WHERE username = ?", [event.username]).fetchone():
            insert_account(con, event)
    elif isinstance(event, journal.PasswordChanged):
        con.execute(
            "UPDATE users SET password_hash = ?, must_change_password = ? WHERE username = ?",
            [event.password_hash, event.must_change, event.username],
        )
    elif isinstance(event, (journal.AccountDisabled, journal.AccountEnabled)):
        at = event.at if isinstance(event, journal.AccountDisabled) else None
        con.execute("UPDATE users SET disabled_at = ? WHERE username = ?", [at, event.username])
    else:
        return False
    return True


def get(con: duckdb.DuckDBPyConnection, username: str) -> Account | None:
    row = con.execute(
        "SELECT username, full_name, role, demo, email, must_change_password FROM users"
        " WHERE username = ? AND disabled_at IS NULL",
        [username.strip().lower()],
    ).fetchall()
    if not row:
        return None
    u, full, role, demo, email, must_change = row[0]
    scopes = con.execute(
        f"SELECT {_SCOPE_NAMES}, s.province_code, s.commune_code FROM {_SCOPES} WHERE s.username = ? ORDER BY 1, 2", [u]
    ).fetchall()
    return Account(u, full or "", role, tuple(Scope(*r) for r in scopes), bool(demo), email, bool(must_change))


# An account's places with the registry's names for their codes now (the names it was made with, for a place without one).
_SCOPES = (
    "user_scopes s LEFT JOIN provinces p ON p.code = s.province_code"
    " LEFT JOIN communes c ON c.code = s.commune_code AND s.commune_code IS NOT NULL"
)
_SCOPE_NAMES = (
    "coalesce(p.name, s.province) AS province,"
    " CASE WHEN s.commune IS NULL THEN NULL ELSE coalesce(c.name, s.commune) END AS commune"
)


_PENDING: dict[str, int] = {}  # username -> sign-ins being verified right now; read and changed under store.WRITE_LOCK


def sign_in(con: duckdb.DuckDBPyConnection, username: str, password: str, now: dt.datetime | None = None) -> Account:
    """The account if the password is right; otherwise AccountError. Every attempt is audited.

    The lockout holds whatever the concurrency: each attempt first reserves one of the LOCK_AFTER
    guesses under store.WRITE_LOCK (failures in the window plus attempts still being verified),
    then verifies the password outside the lock (argon2 takes ~50-100 ms), then records its
    outcome and frees its reservation in one step under the lock. So 20 simultaneous sign-ins get
    at most LOCK_AFTER verifications between two successful sign-ins; the others are refused as locked.
    """
    now = now or dt.datetime.now()
    name = username.strip().lower()
    if len(name) > MAX_USERNAME:  # no account has such a name: refuse before hashing; audit stores a capped name
        audit.record(con, name, "sign_in_failed", name, {"reason": "username_too_long", "length": len(name)}, at=now)
        raise AccountError("account_bad_credentials")
    if not _reserve_attempt(con, name, now):
        raise AccountError("account_locked", minutes=int(LOCK_WINDOW.total_seconds() // 60))
    settled = False
    try:
        stored, ok = _verify(con, name, password)
        # a hash made with older argon2 settings is renewed; hashing takes ~50-100 ms: not under the lock
        renewed = hash_password(password) if ok and stored is not None and _hasher().check_needs_rehash(stored) else None
        with store.WRITE_LOCK:
            _release_attempt(name)
            settled = True
            if not ok:
                audit.record(con, name or "?", "sign_in_failed", name, at=now)
            else:
                if renewed is not None:
                    con.execute("UPDATE users SET password_hash = ? WHERE username = ?", [renewed, name])
                audit.record(con, name, "sign_in", name, at=now)
    finally:
        if not settled:
            with store.WRITE_LOCK:
                _release_attempt(name)
    if not ok:
        raise AccountError("account_bad_credentials")
    account = get(con, name)
    if account is None:
        raise AccountError("account_bad_credentials")
    return account


def _reserve_attempt(con: duckdb.DuckDBPyConnection, name: str, now: dt.datetime) -> bool:
    """Take one of the account's guesses, or record that it is locked and say no. Atomic under WRITE_LOCK."""
    with store.WRITE_LOCK:
        if audit.recent_failures(con, name, LOCK_WINDOW, now) + _PENDING.get(name, 0) >= LOCK_AFTER:
            audit.record(con, name or "?", "sign_in_locked", name, at=now)
            return False
        _PENDING[name] = _PENDING.get(name, 0) + 1
        return True


def _release_attempt(name: str) -> None:
    """Give back a reservation; the caller holds WRITE_LOCK and records the outcome in the same hold."""
    left = _PENDING.get(name, 0) - 1
    if left > 0:
        _PENDING[name] = left
    else:
        _PENDING.pop(name, None)


def _verify(con: duckdb.DuckDBPyConnection, name: str, password: str) -> tuple[str | None, bool]:
    """(stored hash, password right and account enabled). Outside any lock: this is the slow part."""
    if len(password) > MAX_PASSWORD:  # cannot be anyone's password (see _check_password_rules): no hashing
        return None, False
    row = con.execute("SELECT password_hash, disabled_at FROM users WHERE username = ?", [name]).fetchall()
    stored = row[0][0] if row else None
    try:
        # an unknown name costs the same hashing time as a wrong password
        _hasher().verify(stored or _dummy_hash(), password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return stored, False
    return stored, stored is not None and row[0][1] is None


def set_password(con: duckdb.DuckDBPyConnection, username: str, password: str, actor: str, must_change: bool = False) -> None:
    """A new password; must_change (an administrator's reset: `user passwd`, the accounts page) makes the person
    change it at their next sign-in."""
    name = username.strip().lower()
    _check_password_rules(password)
    _store_password(con, name, hash_password(password), actor, must_change, dt.datetime.now())


def _store_password(
    con: duckdb.DuckDBPyConnection, name: str, hashed: str, actor: str, must_change: bool, at: dt.datetime
) -> None:
    event = journal.PasswordChanged(username=name, password_hash=hashed, at=at, actor=actor, must_change=must_change)
    try:
        with store.journaled(con, event):
            if not con.execute("SELECT 1 FROM users WHERE username = ?", [name]).fetchall():
                raise AccountError("account_unknown", username=name)
            con.execute(
                "UPDATE users SET password_hash = ?, must_change_password = ? WHERE username = ?", [hashed, must_change, name]
            )
            audit.record(con, actor, "password_changed", name, at=at)
    except store.JournalError as e:
        raise AccountError("store_journal_unwritable", error=str(e)) from e


def change_own_password(
    con: duckdb.DuckDBPyConnection, username: str, password: str, again: str, now: dt.datetime | None = None
) -> Account:
    """The signed-in person's own new password (typed twice), which must differ from the one-time or reset one it
    replaces; the must-change mark is cleared. Journaled and audited with the person as the actor."""
    name = username.strip().lower()
    if password != again:
        raise AccountError("account_password_mismatch")
    _check_password_rules(password)
    if get(con, name) is None:  # unknown, or disabled meanwhile
        raise AccountError("account_unknown", username=name)
    if _verify(con, name, password)[1]:
        raise AccountError("account_password_same")
    _store_password(con, name, hash_password(password), name, False, now or dt.datetime.now())
    account = get(con, name)
    if account is None:  # disabled meanwhile
        raise AccountError("account_unknown", username=name)
    return account


def set_disabled(con: duckdb.DuckDBPyConnection, username: str, disabled: bool, actor: str) -> None:
    name = username.strip().lower()
    now = dt.datetime.now()
    try:
        with store.journaled(con, journal.account_state(name, disabled, now, actor)):
            if not con.execute("SELECT 1 FROM users WHERE username = ?", [name]).fetchall():
                raise AccountError("account_unknown", username=name)
            con.execute("UPDATE users SET disabled_at = ? WHERE username = ?", [now if disabled else None, name])
            audit.record(con, actor, "account_disabled" if disabled else "account_enabled", name)
    except store.JournalError as e:
        raise AccountError("store_journal_unwritable", error=str(e)) from e


def listing(con: duckdb.DuckDBPyConnection) -> list[dict]:
    """Accounts for the accounts page and `user list`: never the hash."""
    rows = con.execute(
        f"""
        WITH named AS (SELECT s.username, {_SCOPE_NAMES}, s.province_code FROM {_SCOPES})
        SELECT u.username, u.full_name, u.role, u.demo, u.created_at, u.disabled_at,
               string_agg(s.province || coalesce(' / ' || s.commune, ''), '; ' ORDER BY s.province, s.commune) AS scopes,
               u.email, coalesce(u.must_change_password, false) AS must_change_password,
               list(DISTINCT s.province_code) FILTER (WHERE s.province_code IS NOT NULL) AS province_codes
        FROM users u LEFT JOIN named s ON s.username = u.username
        GROUP BY ALL ORDER BY u.username
        """
    ).fetchall()
    keys = [
        "username", "full_name", "role", "demo", "created_at", "disabled_at", "scopes", "email", "must_change_password",
        "province_codes",
    ]  # fmt: skip
    return [dict(zip(keys, r, strict=True)) for r in rows]


# Demo accounts: only ever created in the demo database, and marked demo there.
DEMO_ACCOUNTS: tuple[tuple[str, str, Role, str | None, str | None, str], ...] = (
    ("demo.quantri", "demo-quantri-57", "admin", None, None, "Quản trị viên (dùng thử)"),
    ("demo.tinh", "demo-tinh-57", "province", "Điện Biên", None, "Cán bộ tỉnh Điện Biên (dùng thử)"),
    ("demo.xa", "demo-xa-57", "commune", "Điện Biên", "Mường Mùn", "Cán bộ xã Mường Mùn (dùng thử)"),
    ("demo.xem", "demo-xem-57", "viewer", None, None, "Người xem (dùng thử)"),
)


def create_demo_accounts(con: duckdb.DuckDBPyConnection) -> list[tuple[str, str, Role]]:
    """One account per role for the demo database; returns (username, password, role) to print."""
    made = []
    for username, password, role, province, commune, full_name in DEMO_ACCOUNTS:
        create(
            con,
            username,
            password,
            role,
            "demo",
            full_name=full_name,  # the demo's people are named in Vietnamese, as an office would name them
            province=province,
            communes=[commune] if commune else [],
            demo=True,
        )
        made.append((username, password, role))
    return made


def demo_accounts_line() -> str:
    return "; ".join(f"{u} / {p}" for u, p, *_ in DEMO_ACCOUNTS)


@cache
def _dummy_hash() -> str:
    return hash_password("not a real password, only equalises timing")
