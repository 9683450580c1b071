"""The journal: one typed record per kind of line, and the only code that writes or reads the file.

The rebuild guarantee rests on this file (a database is its journal replayed over the kept files),
so every line is built from a frozen record here and parsed back into one here. The JSON of each
kind is exactly what the writers wrote before these records existed: keys in the same order, times
as isoformat, "txn" last (Aborted: right after "event"); tests/store/test_old_journal.py reads a
journal written by that older code. A line of a kind this module does not know is kept as an
UnknownEvent and passed over by rebuild, as it always was.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import os
import types
import typing
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

import duckdb

from kpis.store.errors import JournalError
from kpis.store.paths import db_file, fsync_dir, journal_path


@dataclass(frozen=True, kw_only=True)
class Event:
    """One journal line. txn ties a write-ahead line to the transaction that committed it (absent in old journals)."""

    KIND: ClassVar[str] = ""
    txn: str | None = None

    @property
    def kind(self) -> str:
        return self.KIND

    @property
    def subject(self) -> str:
        """What the line is about, for a person reading a warning: a file name or a user name."""
        return str(getattr(self, "file_name", None) or getattr(self, "username", None) or "")

    def to_dict(self) -> dict[str, Any]:
        """The line as a JSON object: "event", the fields in declaration order, then "txn" when set."""
        out: dict[str, Any] = {"event": self.KIND}
        for f in dataclasses.fields(self):
            if f.name != "txn":
                out[f.name] = _encode(getattr(self, f.name))
        if self.txn is not None:
            out["txn"] = self.txn
        return out

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, default=str)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Event:
        """The record of one parsed line (the kind chosen by its "event"); KeyError names a missing field."""
        kind = KINDS.get(data.get("event", ""))
        if kind is None:
            return UnknownEvent(name=str(data.get("event")), data=dict(data), txn=data.get("txn"))
        hints = _hints(kind)
        values: dict[str, Any] = {}
        for f in dataclasses.fields(kind):
            if f.name in data:
                values[f.name] = _decode(hints[f.name], data[f.name])
            elif f.default is dataclasses.MISSING:
                raise KeyError(f.name)
        return kind(**values)

    @classmethod
    def from_json(cls, line: str) -> Event:
        return cls.from_dict(json.loads(line))


_HINTS: dict[type[Event], dict[str, Any]] = {}


def _hints(kind: type[Event]) -> dict[str, Any]:
    """The field types of a record kind (resolved once: rebuild reads every line through them)."""
    if kind not in _HINTS:
        _HINTS[kind] = typing.get_type_hints(kind)
    return _HINTS[kind]


def _encode(value: Any) -> Any:
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, tuple):
        return [_encode(v) for v in value]
    return value


def _decode(hint: Any, value: Any) -> Any:
    if value is None:
        return None
    args = typing.get_args(hint) if isinstance(hint, types.UnionType) else (hint,)
    if dt.datetime in args:
        return dt.datetime.fromisoformat(value)
    if dt.date in args:
        return dt.date.fromisoformat(value)
    if any(typing.get_origin(a) is tuple for a in args):  # scopes: [[province, commune], ...], and their codes
        return tuple(tuple(v) for v in value)
    return value


@dataclass(frozen=True, kw_only=True)
class Submission(Event):
    """An accepted upload; its bytes are kept under uploads/ as `kept`.

    province, commune, year and quarter are what the command line or the page said about the file (the
    Given of kpis.intake.context), so a replay reads a form that names no period as it was read. Lines
    written before them, and uploads given nothing, have none: the keys are then left out, as they were.
    """

    KIND: ClassVar[str] = "submission"
    GIVEN: ClassVar[tuple[str, ...]] = ("province", "commune", "year", "quarter")
    submission_id: int | None  # filled in inside the transaction, before the line is written
    sha256: str
    kept: str
    file_name: str
    uploaded_by: str
    uploaded_at: dt.datetime
    province: str | None = None
    commune: str | None = None
    year: int | None = None
    quarter: int | None = None

    def to_dict(self) -> dict[str, Any]:
        out = super().to_dict()
        for key in self.GIVEN:
            if out[key] is None:
                del out[key]
        return out


@dataclass(frozen=True, kw_only=True)
class Withdrawal(Event):
    KIND: ClassVar[str] = "withdrawal"
    submission_id: int
    sha256: str
    withdrawn_by: str
    withdrawn_at: dt.datetime
    reason: str | None = ""


@dataclass(frozen=True, kw_only=True)
class Communes(Event):
    """An administrator's registry CSV of communes added, kept under uploads/ (`add-communes`, before the official list).

    No command writes this kind any more; its lines replay as they did (kpis.store.catalog_tables.add_communes).
    """

    KIND: ClassVar[str] = "communes"
    sha256: str
    kept: str
    file_name: str
    added_by: str
    at: dt.datetime


@dataclass(frozen=True, kw_only=True)
class RegistryUpdated(Event):
    """A newer official list (`registry update`), kept under uploads/ as `kept`: replayed as the same update."""

    KIND: ClassVar[str] = "registry_updated"
    sha256: str
    kept: str
    file_name: str
    version: str
    updated_by: str
    at: dt.datetime


@dataclass(frozen=True, kw_only=True)
class PlacesKept(Event):
    """The places a database had before it took the official list that the list lacks (the old hand-written
    registry's, such as Tam Đường, abolished on 1 July 2025), kept with their history as a CSV under uploads/.

    They were there before any line of the journal, so rebuild adds them before it replays anything else.
    """

    KIND: ClassVar[str] = "places_kept"
    sha256: str
    kept: str
    file_name: str
    at: dt.datetime


@dataclass(frozen=True, kw_only=True)
class Demo(Event):
    """The database was marked a demo one, standing for `day` (older journals have no day)."""

    KIND: ClassVar[str] = "demo"
    day: dt.date | None = None


@dataclass(frozen=True, kw_only=True)
class AccountCreated(Event):
    """An account with its hash (never the password) and scopes, so rebuild keeps it.

    scopes are (province, commune or None) names; scope_codes, the same places' (province code, commune code),
    appeared with the official list: lines written before it have none (the line is then written without the
    key, as they were), and replay finds the codes by name. email and must_change (a one-time password, to be
    changed at the first sign-in) came with the bulk import of accounts: left out of the line when None/False,
    so every line written before them reads and writes back as it was.
    """

    KIND: ClassVar[str] = "account_created"
    username: str
    full_name: str
    role: str
    password_hash: str
    created_at: dt.datetime
    demo: bool
    scopes: tuple[tuple[str, str | None], ...]
    actor: str
    scope_codes: tuple[tuple[int | None, int | None], ...] | None = None
    email: str | None = None
    must_change: bool = False

    def to_dict(self) -> dict[str, Any]:
        out = super().to_dict()
        if self.scope_codes is None:
            del out["scope_codes"]
        if self.email is None:
            del out["email"]
        if not self.must_change:
            del out["must_change"]
        return out


@dataclass(frozen=True, kw_only=True)
class PasswordChanged(Event):
    """A new hash. must_change: an administrator's reset, to be changed at the next sign-in (left out when False:
    the person's own change, and every line written before the flag existed)."""

    KIND: ClassVar[str] = "password_changed"
    username: str
    password_hash: str
    at: dt.datetime
    actor: str | None = None
    must_change: bool = False

    def to_dict(self) -> dict[str, Any]:
        out = super().to_dict()
        if not self.must_change:
            del out["must_change"]
        return out


@dataclass(frozen=True, kw_only=True)
class AccountDisabled(Event):
    KIND: ClassVar[str] = "account_disabled"
    username: str
    at: dt.datetime
    actor: str | None = None


@dataclass(frozen=True, kw_only=True)
class AccountEnabled(Event):
    KIND: ClassVar[str] = "account_enabled"
    username: str
    at: dt.datetime
    actor: str | None = None


def account_state(username: str, disabled: bool, at: dt.datetime, actor: str) -> AccountDisabled | AccountEnabled:
    """The line that disables or enables an account."""
    kind = AccountDisabled if disabled else AccountEnabled
    return kind(username=username, at=at, actor=actor)


@dataclass(frozen=True, kw_only=True)
class TaskFile(Event):
    """A progress sheet of tasks and milestones, kept under uploads/."""

    KIND: ClassVar[str] = "task_file"
    sha256: str
    kept: str
    file_name: str
    uploaded_by: str
    uploaded_at: dt.datetime


@dataclass(frozen=True, kw_only=True)
class TaskUpdate(Event):
    """One update from the in-app form."""

    KIND: ClassVar[str] = "task_update"
    code: str
    status: str
    note: str | None
    evidence: str | None
    status_date: dt.date
    recorded_by: str
    recorded_at: dt.datetime


@dataclass(frozen=True, kw_only=True)
class PlanPut(Event):
    """A plan workbook accepted (status in_force) or proposed by a commune (proposed), kept under uploads/ as `kept`.

    Replayed by reading the kept workbook again through the same checks (kpis.intake.plan_import).
    """

    KIND: ClassVar[str] = "plan_put"
    sha256: str
    kept: str
    file_name: str
    plan_id: str
    status: str
    put_by: str
    at: dt.datetime


@dataclass(frozen=True, kw_only=True)
class PlanDecided(Event):
    """A proposed plan (the version from the workbook sha256) approved or rejected."""

    KIND: ClassVar[str] = "plan_decided"
    plan_id: str
    sha256: str
    approved: bool
    decided_by: str
    at: dt.datetime
    note: str | None = None


@dataclass(frozen=True, kw_only=True)
class Aborted(Event):
    """The write-ahead line of txn never committed (COMMIT failed, or rebuild found it orphaned: found_by)."""

    KIND: ClassVar[str] = "aborted"
    found_by: str | None = None

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"event": self.KIND, "txn": self.txn}
        if self.found_by is not None:
            out["found_by"] = self.found_by
        return out


@dataclass(frozen=True, kw_only=True)
class TornMark(Event):
    """Written after a line a crash left unfinished (no newline), so it never merges with the next; never read back."""

    KIND: ClassVar[str] = "torn_previous_line"


@dataclass(frozen=True, kw_only=True)
class UnknownEvent(Event):
    """A line of a kind this code does not know (a newer writer, a probe): kept as it was, replayed as nothing."""

    name: str
    data: dict[str, Any]

    @property
    def kind(self) -> str:
        return self.name

    def to_dict(self) -> dict[str, Any]:
        return dict(self.data)


KINDS: dict[str, type[Event]] = {
    k.KIND: k
    for k in (
        Submission, Withdrawal, Communes, RegistryUpdated, PlacesKept, Demo, AccountCreated, PasswordChanged,
        AccountDisabled, AccountEnabled, TaskFile, TaskUpdate, PlanPut, PlanDecided, Aborted, TornMark,
    )
}  # fmt: skip
TORN_MARK = TornMark.KIND
_TORN_LINE = TornMark().to_json()


def append_journal(con: duckdb.DuckDBPyConnection | Path, event: Event) -> None:
    """Append one line and fsync it; JournalError (nothing else) if that cannot be done.

    Callers hold WRITE_LOCK. A previous line left without its newline (a crash while it was being
    written: its commit never ran) is closed first and marked, so it never merges with this one.
    """
    path = journal_path(con if isinstance(con, Path) else db_file(con))
    line = event.to_json() + "\n"
    try:
        new = not path.exists()
        with path.open("a+b") as f:
            if f.tell() > 0:
                f.seek(-1, os.SEEK_END)
                if f.read(1) != b"\n":
                    f.write(b"\n" + _TORN_LINE.encode() + b"\n")
            f.write(line.encode("utf-8"))
            f.flush()
            os.fsync(f.fileno())
        if new:
            fsync_dir(path.parent)
    except OSError as e:
        raise JournalError(f"{path}: cannot write the journal ({e.strerror or e}); nothing was saved") from e


def scan_journal(db: Path) -> tuple[list[Event], list[str]]:
    """The journal's events in order, and warnings about lines skipped.

    A line that is not a JSON object refuses (JournalError naming its line number), except a torn
    line a crash left while writing it (the last line, or one marked torn by the next append): under
    write-ahead its transaction never committed, so it is skipped with a warning. A line of a known
    kind without one of its fields refuses too: rebuild could not replay it.
    """
    path = journal_path(db)
    if not path.exists():
        return [], []
    try:
        text = path.read_bytes().decode("utf-8", errors="replace")
    except OSError as e:
        raise JournalError(f"{path}: cannot read the journal ({e.strerror or e})") from e
    lines = text.split("\n")
    ends_clean = text.endswith("\n")
    if ends_clean:
        lines.pop()
    events: list[Event] = []
    warnings: list[str] = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            data = json.loads(line)
            if not isinstance(data, dict) or not isinstance(data.get("event"), str):
                raise ValueError("not an event")
        except ValueError:
            last = number == len(lines)
            torn_last = last and not ends_clean
            marked = not last and _is_torn_mark(lines[number])
            if torn_last or marked:
                warnings.append(
                    f"{path}: line {number} was left unfinished by a crash while it was written; "
                    "its upload was never accepted, so it is skipped"
                )
                continue
            raise JournalError(
                f"{path}: line {number} is not a journal entry ({line[:60]!r}); the journal is damaged. "
                "Restore the journal from a backup, or remove that line if you know it is spurious, then rebuild again"
            ) from None
        try:
            event = Event.from_dict(data)
        except (KeyError, TypeError, ValueError) as e:
            raise JournalError(
                f"{path}: line {number} is a {data['event']!r} entry that cannot be read ({type(e).__name__}: {e}); "
                "the journal is damaged. Restore it from a backup, then rebuild again"
            ) from None
        if not isinstance(event, TornMark):
            events.append(event)
    return events, warnings


def _is_torn_mark(line: str) -> bool:
    try:
        return json.loads(line) == {"event": TORN_MARK}
    except ValueError:
        return False


def read_journal(db: Path) -> list[Event]:
    """The journal's events (see scan_journal)."""
    return scan_journal(db)[0]
