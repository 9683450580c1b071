"""Officers' accounts in bulk, from a sheet (issue 15): read it, check every row, create them all or none.

A province that starts has dozens of commune officers to create. The sheet (.xlsx or .csv) has the columns
Tên đăng nhập [Username], Họ và tên [Full name], Vai trò [Role], Mã tỉnh [Province code], Mã xã [Commune code]
(several separated by ";") and Thư điện tử [E-mail], found like a submission's headers: case, spacing and
diacritics aside, the Vietnamese header or the English one ("Tên đăng nhập (Username)" too), title rows above
it allowed. Every problem of every row is collected with the row number Excel shows, the header as written and
what to fix (Problem, worded by kpis.core.i18n); a sheet with any problem writes nothing.

Roles are written as the pages name them (Quản trị, Cán bộ cấp tỉnh, Cán bộ cấp xã, Chỉ xem, or the English
labels) or as their codes (admin, province, commune, viewer). A province officer needs its province and no
commune; a commune officer one commune or more (the province may be left out: the codes say it); an
administrator or a viewer has no places, and a row that gives them some is refused rather than silently
stripped, since it usually means the wrong role was chosen. The importer is an administrator (or the command
line, None), or a province officer, who may create only province and commune officers of its own province.

The file is hostile until read: its size, its size once decompressed and its rows are capped
(kpis.core.settings), and a file that cannot be read is a named refusal, never a traceback.

Accepted, every account gets a one-time password (accounts.one_time_password), hashed before the write lock is
taken, and all of them are created in one transaction: a journal line per account (its hash, never the
password, and must_change), an audit row per account and one for the import, each naming the sheet's bytes,
kept under uploads/. The passwords are returned once (SheetImport.issued) for the caller to show and hand out.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import os
import re
import zipfile
from collections.abc import Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import duckdb
import openpyxl

from kpis import store
from kpis.catalog.model import Commune
from kpis.catalog.places import Ambiguous, Elsewhere, NotFound, Places, Renamed, names
from kpis.core import settings
from kpis.core.i18n import DEFAULT_LANG, LANGS, Lang, format_problem, t
from kpis.core.text import clean_display, fold, nfc, text_issue
from kpis.people import accounts
from kpis.people.accounts import Account, Role, Scope
from kpis.store import audit, journal
from kpis.store.transactions import journal_within

COLUMNS: tuple[str, ...] = ("username", "full_name", "role", "province", "communes", "email")
REQUIRED: tuple[str, ...] = ("username", "full_name", "role")
HEADERS_VI = {
    "username": "Tên đăng nhập", "full_name": "Họ và tên", "role": "Vai trò", "province": "Mã tỉnh", "communes": "Mã xã",
    "email": "Thư điện tử",
}  # fmt: skip
HEADERS_EN = {
    "username": "Username", "full_name": "Full name", "role": "Role", "province": "Province code", "communes": "Commune code",
    "email": "E-mail",
}  # fmt: skip
_ALIASES: dict[str, tuple[str, ...]] = {  # folded (kpis.core.text.fold): no case, diacritics or double spaces
    "username": ("ten dang nhap", "username", "user name", "login", "tai khoan", "ten tai khoan"),
    "full_name": ("ho va ten", "ho ten", "full name", "name", "ten can bo"),
    "role": ("vai tro", "role", "quyen"),
    "province": ("ma tinh", "province code", "tinh", "province", "ma tinh/thanh pho"),
    "communes": ("ma xa", "commune code", "commune codes", "xa", "commune", "communes", "ma xa/phuong", "cac xa"),
    "email": ("thu dien tu", "email", "e-mail", "e mail", "dia chi thu dien tu", "mail"),
}
_HEADER_KEYS = {alias: column for column, aliases in _ALIASES.items() for alias in aliases}
MAX_FULL_NAME = 200  # as the accounts page's form allows
MAX_EMAIL = 254
MAX_SHEET_COLUMNS = 30  # an account sheet has six columns; cells further right are not read
_EMAIL_RE = re.compile(
    r"^[A-Za-z0-9._%+'-]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+$"
)
_SEPARATORS = re.compile(r"[;,\n]+")
_HASHERS = min(4, os.cpu_count() or 1)  # argon2 releases the GIL: hashing 45 passwords on 2 cores takes ~8 s, not 11
XLSX_SUFFIXES = (".xlsx", ".xlsm")
CSV_SUFFIXES = (".csv", ".txt", ".tsv")


@dataclass(frozen=True)
class Problem:
    """What to fix: the row as the spreadsheet numbers it, the header as written, a kpis.core.i18n code and its params."""

    row: int | None
    column: str | None
    code: str
    params: dict[str, Any] = field(default_factory=dict)

    def message(self, lang: Lang = DEFAULT_LANG) -> str:
        return format_problem(self.row, self.column, self.code, self.params, lang)


@dataclass(frozen=True)
class PlannedAccount:
    """An account a checked sheet would create (its sheet row, as line)."""

    line: int
    username: str
    full_name: str
    role: Role
    scopes: tuple[Scope, ...]
    email: str | None


@dataclass(frozen=True)
class IssuedAccount:
    """An account the import created, with its one-time password: shown once, handed out, never stored."""

    username: str
    full_name: str
    role: Role
    scopes: tuple[Scope, ...]
    email: str | None
    password: str


@dataclass(frozen=True)
class CheckedSheet:
    file_name: str
    accounts: tuple[PlannedAccount, ...] = ()
    problems: tuple[Problem, ...] = ()

    @property
    def ok(self) -> bool:
        return not self.problems and bool(self.accounts)


@dataclass(frozen=True)
class SheetImport:
    file_name: str
    sha256: str
    status: Literal["accepted", "refused"]
    issued: tuple[IssuedAccount, ...] = ()
    problems: tuple[Problem, ...] = ()

    @property
    def accepted(self) -> bool:
        return self.status == "accepted"

    def summary(self, lang: Lang = DEFAULT_LANG) -> str:
        if self.accepted:
            return t("account_sheet_accepted", lang, file=self.file_name, count=len(self.issued))
        return t("account_sheet_refused", lang, file=self.file_name, count=len(self.problems))

    def messages(self, lang: Lang = DEFAULT_LANG) -> list[str]:
        return [p.message(lang) for p in self.problems]


# --- reading ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Row:
    line: int
    cells: dict[str, Any]


@dataclass(frozen=True)
class _Sheet:
    header_line: int
    headers: dict[str, str]  # column -> its header as written
    rows: tuple[_Row, ...]


class _Refused(Exception):
    """The file cannot be read: its one problem."""

    def __init__(self, problem: Problem) -> None:
        super().__init__(problem.code)
        self.problem = problem


def match_header(text: object) -> str | None:
    """The column a header cell names ("Tên đăng nhập", "TEN DANG NHAP", "Username", "Tên đăng nhập (Username)")."""
    if not isinstance(text, str):
        return None
    key = fold(text).replace("_", " ").rstrip(":*").strip()
    if key in _HEADER_KEYS:
        return _HEADER_KEYS[key]
    for part in re.split(r"[()/\[\]]", key):  # the Vietnamese header with the English one beside it
        if (found := _HEADER_KEYS.get(part.strip().rstrip(":*").strip())) is not None:
            return found
    return None


def _mb(n: int) -> str:
    return f"{n / 1024 / 1024:.1f}".replace(".", ",")


def _too_many_rows() -> _Refused:
    return _Refused(Problem(None, None, "file_too_many_rows", {"limit": settings.MAX_ACCOUNT_ROWS}))


def _sheet_rows() -> int:
    """Rows a sheet may reach, blank ones included (read at call time: a test lowers MAX_ACCOUNT_ROWS)."""
    return settings.sheet_rows(settings.MAX_ACCOUNT_ROWS)


def _read_xlsx(data: bytes) -> _Sheet | None:
    """The first worksheet with the header, read in streaming mode once the zip's sizes are checked."""
    if data[:4] == b"\xd0\xcf\x11\xe0":  # an OLE container: an encrypted workbook, or a legacy .xls renamed
        raise _Refused(Problem(None, None, "account_sheet_ole"))
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            inflated = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as e:
        raise _Refused(Problem(None, None, "file_not_xlsx")) from e
    if inflated > settings.MAX_ACCOUNT_SHEET_INFLATED:  # zipfile never inflates an entry past its declared size
        limit = settings.MAX_ACCOUNT_SHEET_INFLATED
        raise _Refused(Problem(None, None, "file_inflates", {"size": _mb(inflated), "limit": _mb(limit)}))
    try:
        wb = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as e:  # whatever a damaged or hostile file makes the parser raise: a named refusal
        raise _Refused(Problem(None, None, "file_not_xlsx")) from e
    try:
        for ws in wb.worksheets:  # an instructions sheet may come first
            # no max_row: openpyxl would stop there without a word; counted instead, a stray far cell is refused
            lines = ws.iter_rows(max_col=MAX_SHEET_COLUMNS, values_only=True)
            sheet = _find_table((line, list(values)) for line, values in enumerate(lines, start=1))
            if sheet is not None:
                return sheet
        return None
    except _Refused:
        raise
    except Exception as e:
        raise _Refused(Problem(None, None, "file_not_xlsx")) from e
    finally:
        wb.close()


def _decode(data: bytes) -> str:
    """A CSV as Excel writes it: UTF-8 (with or without BOM), UTF-16 ("Unicode Text"), else Windows-1258."""
    try:
        if data.startswith((b"\xff\xfe", b"\xfe\xff")):
            return nfc(data.decode("utf-16"))
        if data.startswith(b"\xef\xbb\xbf"):
            return nfc(data[3:].decode("utf-8"))
        try:
            return nfc(data.decode("utf-8"))
        except UnicodeDecodeError:
            return nfc(data.decode("cp1258"))
    except UnicodeDecodeError as e:
        raise _Refused(Problem(None, None, "file_encoding")) from e


def _csv_grid(data: bytes) -> Iterator[tuple[int, list[Any]]]:
    text = _decode(data)
    first = next((line for line in text.splitlines() if line.strip()), "")
    delimiter = max((",", ";", "\t"), key=first.count) if first else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        for line, values in enumerate(reader, start=1):  # a record is one spreadsheet row, even with a line break inside
            yield line, list(values[:MAX_SHEET_COLUMNS])
    except csv.Error as e:
        raise _Refused(Problem(None, None, "file_csv_broken", {"detail": str(e)})) from e


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _find_table(grid: Iterable[tuple[int, list[Any]]]) -> _Sheet | None:
    """The header (a row naming the username and at least one other column, within the first rows) and the rows below."""
    lines = iter(grid)
    header: dict[int, str] | None = None
    headers: dict[str, str] = {}
    header_line = 0
    for line, values in lines:
        if line > settings.MAX_HEADER_SCAN:
            return None
        found: dict[int, str] = {}
        for i, value in enumerate(values):
            column = match_header(value)
            if column is not None and column not in found.values():
                found[i] = column
        if "username" in found.values() and len(found) >= 2:
            header, header_line = found, line
            headers = {column: clean_display(str(values[i])) for i, column in found.items()}
            break
    if header is None:
        return None
    rows: list[_Row] = []
    for line, values in lines:
        if line > _sheet_rows():  # blank rows as far as this (or a stray cell further down): not an account sheet
            raise _Refused(Problem(None, None, "account_sheet_too_far", {"limit": _sheet_rows()}))
        cells = {column: values[i] if i < len(values) else None for i, column in header.items()}
        if all(_blank(v) for v in cells.values()):
            continue
        if len(rows) >= settings.MAX_ACCOUNT_ROWS:
            raise _too_many_rows()
        rows.append(_Row(line, cells))
    return _Sheet(header_line, headers, tuple(rows))


def read_sheet(data: bytes, file_name: str) -> _Sheet:
    """The sheet's header and rows; _Refused (its one problem) when the file cannot be read."""
    suffix = Path(file_name.replace("\\", "/")).suffix.lower()
    if suffix not in XLSX_SUFFIXES + CSV_SUFFIXES:
        raise _Refused(Problem(None, None, "file_type", {"name": file_name}))
    if not data:
        raise _Refused(Problem(None, None, "file_empty"))
    if len(data) > settings.MAX_ACCOUNT_SHEET_BYTES:
        raise _Refused(
            Problem(None, None, "file_too_large", {"size": _mb(len(data)), "limit": _mb(settings.MAX_ACCOUNT_SHEET_BYTES)})
        )
    sheet = _read_xlsx(data) if suffix in XLSX_SUFFIXES else _find_table(_csv_grid(data))
    if sheet is None:
        raise _Refused(Problem(None, None, "account_sheet_no_header"))
    return sheet


# --- checking -----------------------------------------------------------------------------------------------


def _role_words() -> dict[str, Role]:
    """Every way a role may be written: its code, and its label in every language (folded)."""
    words: dict[str, Role] = {}
    for role in accounts.ROLES:
        words[role] = role
        for lang in LANGS:
            words[fold(t(accounts.ROLE_LABELS[role], lang))] = role
    words.update({"quan tri vien": "admin", "cap tinh": "province", "cap xa": "commune", "xem": "viewer"})
    return words


def known_roles(lang: Lang = DEFAULT_LANG) -> str:
    """The roles as a person may write them: "Quản trị (admin), Cán bộ cấp tỉnh (province), ..."."""
    return ", ".join(f"{t(accounts.ROLE_LABELS[r], lang)} ({r})" for r in accounts.ROLES)


def cell_text(value: Any) -> str:
    """A cell as text: a number cell 1273.0 is "1273"; text is NFC with single spaces."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return clean_display(str(value))


def code_text(code: int | None, digits: int) -> str:
    return "" if code is None else f"{code:0{digits}d}"


def places_text(scopes: Iterable[Scope]) -> str:
    """An account's places with their codes: "Cao Bằng (04)", "Cao Bằng / Thục Phán (01273); Cao Bằng / Tân Giang (01288)"."""
    shown = []
    for s in scopes:
        if s.commune is None:
            shown.append(f"{s.province} ({code_text(s.province_code, 2)})" if s.province_code is not None else s.province)
        else:
            code = f" ({code_text(s.commune_code, 5)})" if s.commune_code is not None else ""
            shown.append(f"{s.province} / {s.commune}{code}")
    return "; ".join(shown)


class _Checker:
    """Every rule on every row of one sheet, with what the rows need from the database read once."""

    def __init__(self, con: duckdb.DuckDBPyConnection, sheet: _Sheet, importer: Account | None) -> None:
        self.con = con
        self.sheet = sheet
        self.importer = importer
        self.places = Places(store.registry(con))
        self.roles = _role_words()
        wanted = sorted({n for r in sheet.rows if (n := cell_text(r.cells.get("username")).lower())})
        self.existing = {
            str(u) for (u,) in con.execute("SELECT username FROM users WHERE username IN (SELECT unnest(?))", [wanted]).fetchall()
        }
        self.seen: dict[str, int] = {}
        self.problems: list[Problem] = []
        self.line = 0  # the row being checked

    def header(self, column: str) -> str:
        return self.sheet.headers.get(column, HEADERS_VI[column])

    def problem(self, column: str, code: str, **params: Any) -> None:
        """A problem of the row being checked, in this column."""
        self.problems.append(Problem(self.line, self.header(column), code, params))

    def text(self, row: _Row, column: str) -> str | None:
        """The cell as text, or None (and its problem) when it holds a control or invisible character."""
        raw = row.cells.get(column)
        if isinstance(raw, str) and (issue := text_issue(raw, name=False)) is not None:
            self.problem(column, issue[0], **issue[1])
            return None
        return cell_text(raw)

    def row(self, row: _Row) -> PlannedAccount | None:
        before = len(self.problems)
        self.line = line = row.line
        username = self.username(row)
        full_name = self.text(row, "full_name")
        if full_name == "":
            self.problem("full_name", "required")
        elif full_name is not None and len(full_name) > MAX_FULL_NAME:
            self.problem("full_name", "account_sheet_text_long", length=len(full_name), limit=MAX_FULL_NAME)
        role = self.role(row)
        scopes = self.scopes(row, role)
        if role is not None and scopes is not None:
            self.importer_may(row, role, scopes)
        email = self.email(row)
        if len(self.problems) > before or username is None or full_name is None or role is None or scopes is None:
            return None
        return PlannedAccount(line, username, full_name, role, tuple(scopes), email)

    def username(self, row: _Row) -> str | None:
        typed = self.text(row, "username")
        if typed is None:
            return None
        if not typed:
            self.problem("username", "required")
            return None
        name = typed.lower()
        if not accounts.USERNAME_RE.match(name):
            self.problem("username", "account_bad_username", username=typed)
            return None
        if name in self.seen:
            self.problem("username", "account_sheet_username_twice", username=name, other=self.seen[name])
            return None
        self.seen[name] = row.line
        if name in self.existing:
            self.problem("username", "account_sheet_exists", username=name)
            return None
        return name

    def role(self, row: _Row) -> Role | None:
        typed = self.text(row, "role")
        if typed is None:
            return None
        if not typed:
            self.problem("role", "required")
            return None
        role = self.roles.get(fold(typed))
        if role is None:
            self.problem("role", "account_sheet_role_unknown", value=typed, known=known_roles())
        return role

    def email(self, row: _Row) -> str | None:
        typed = self.text(row, "email")
        if not typed:
            return None
        if len(typed) > MAX_EMAIL or not _EMAIL_RE.match(typed):
            self.problem("email", "account_sheet_bad_email", value=typed)
            return None
        return typed

    def province(self, row: _Row) -> tuple[str, int | None] | None | Literal[False]:
        """The row's province (name, code), None when the cell is empty, False when it is wrong (its problem added)."""
        typed = self.text(row, "province")
        if typed is None:
            return False
        if not typed:
            return None
        found = store.find_province(self.con, typed)
        if isinstance(found, NotFound):
            self.problem("province", "account_sheet_province_unknown", value=typed, suggest=names(found.nearest))
            return False
        return found

    def communes(self, row: _Row, province: str | None) -> list[Commune] | None:
        """The row's communes (each code or name once); None when one is wrong (its problem added)."""
        typed = self.text(row, "communes")
        if typed is None:
            return None
        found: list[Commune] = []
        ok = True
        for part in (p.strip() for p in _SEPARATORS.split(typed)):
            if not part:
                continue
            place = self.places.resolve_commune(province, part)
            if isinstance(place, Renamed):  # an old commune merged whole: its commune now
                place = place.place
            if isinstance(place, Commune):
                if place not in found:
                    found.append(place)
                continue
            ok = False
            if isinstance(place, Elsewhere):
                self.problem("communes", "account_sheet_commune_elsewhere", value=part, commune=place.commune.name,
                    other=place.commune.province, province=place.province,
                )  # fmt: skip
            elif isinstance(place, Ambiguous):
                self.problem("communes", "account_sheet_commune_ambiguous", value=part, names=names(place.matches, True))
            elif province is None:
                self.problem("communes", "account_sheet_commune_unknown", value=part, suggest=names(place.nearest, True))
            else:
                self.problem("communes", "account_sheet_commune_not_in_province", value=part, province=province,
                    suggest=names(place.nearest),
                )  # fmt: skip
        return found if ok else None

    def scopes(self, row: _Row, role: Role | None) -> list[Scope] | None:
        """The account's places as its role needs them; None when something is wrong (its problems added)."""
        province = self.province(row)
        given_communes = not _blank(row.cells.get("communes"))
        communes = self.communes(row, province[0] if province else None)
        if province is False or communes is None or role is None:
            return None
        if role in ("admin", "viewer"):
            if province is not None or communes:
                self.problem(
                    "province" if province is not None else "communes",
                    "account_sheet_admin_no_places" if role == "admin" else "account_sheet_viewer_no_places",
                )
                return None
            return []
        if role == "province":
            if province is None:
                self.problem("province", "account_sheet_needs_province")
                return None
            if given_communes:
                self.problem("communes", "account_sheet_province_no_communes")
                return None
            return [Scope(province[0], None, province[1])]
        if not communes:
            self.problem("communes", "account_sheet_needs_commune")
            return None
        provinces = list(dict.fromkeys(c.province for c in communes))
        if len(provinces) > 1:
            self.problem("communes", "account_sheet_communes_two_provinces", communes=names(communes, True))
            return None
        return [Scope(c.province, c.name, c.province_code, c.code) for c in communes]

    def importer_may(self, row: _Row, role: Role, scopes: list[Scope]) -> None:
        """A province officer creates only province and commune officers of its own province."""
        importer = self.importer
        if importer is None or importer.is_admin:
            return
        if role in ("admin", "viewer"):
            self.problem("role", "account_sheet_role_not_allowed", value=self.text(row, "role") or role)
            return
        own = [s for s in importer.scopes if s.commune is None]
        outside = [s for s in scopes if not any(o.covers(s.province_code, s.province, None, None) for o in own)]
        if outside:
            column = "province" if not _blank(row.cells.get("province")) else "communes"
            self.problem(column, "account_sheet_outside_province", province=outside[0].province,
                own=", ".join(dict.fromkeys(s.province for s in own)),
            )  # fmt: skip


def check_sheet(con: duckdb.DuckDBPyConnection, data: bytes, file_name: str, importer: Account | None = None) -> CheckedSheet:
    """Read and check a sheet of accounts without writing anything: the accounts it would create, or every problem.

    importer is the account that imports it (None: the command line's operator, an administrator)."""
    file_name = store.recorded_name(file_name)
    if importer is not None and (importer.role not in ("admin", "province") or importer.must_change_password):
        return CheckedSheet(file_name, (), (Problem(None, None, "account_sheet_importer_not_allowed"),))
    try:
        sheet = read_sheet(data, file_name)
    except _Refused as e:
        return CheckedSheet(file_name, (), (e.problem,))
    missing = [c for c in REQUIRED if c not in sheet.headers]
    if missing:
        problems = tuple(
            Problem(sheet.header_line, HEADERS_VI[c], "column_missing", {"expected": f"{HEADERS_VI[c]} / {HEADERS_EN[c]}"})
            for c in missing
        )
        return CheckedSheet(file_name, (), problems)
    if not sheet.rows:
        return CheckedSheet(file_name, (), (Problem(None, None, "file_no_rows"),))
    checker = _Checker(con, sheet, importer)
    planned = [p for row in sheet.rows if (p := checker.row(row)) is not None]
    if checker.problems:
        return CheckedSheet(file_name, (), tuple(checker.problems))
    return CheckedSheet(file_name, tuple(planned), ())


# --- importing ----------------------------------------------------------------------------------------------


def import_sheet(
    con: duckdb.DuckDBPyConnection,
    data: bytes,
    file_name: str,
    actor: str,
    importer: Account | None = None,
    now: dt.datetime | None = None,
) -> SheetImport:
    """Create every account of the sheet, each with a one-time password, in one transaction; or none, with every
    problem named. Audited (accepted or refused) and journaled; the one-time passwords are only in the result."""
    file_name = store.recorded_name(file_name)
    sha = hashlib.sha256(data).hexdigest()
    at = now or dt.datetime.now()
    checked = check_sheet(con, data, file_name, importer)
    if not checked.ok:
        return _refused(con, actor, file_name, sha, checked.problems, at)
    planned = checked.accounts
    passwords = [accounts.one_time_password() for _ in planned]
    with ThreadPoolExecutor(max_workers=_HASHERS) as pool:  # ~0.2 s each: before the write lock, not under it
        hashes = list(pool.map(accounts.hash_password, passwords))
    events = [
        journal.AccountCreated(
            username=a.username, full_name=a.full_name, role=a.role, password_hash=hashed, created_at=at, demo=False,
            scopes=tuple((s.province, s.commune) for s in a.scopes), actor=actor,
            scope_codes=tuple((s.province_code, s.commune_code) for s in a.scopes), email=a.email, must_change=True,
        )
        for a, hashed in zip(planned, hashes, strict=True)
    ]  # fmt: skip
    store.keep_file(con, data, file_name)  # durable before any line that was made from it
    written: list[str] = []  # txns of the lines written ahead inside the transaction (the last one is journaled's)
    try:
        with store.journaled(con, events[-1]):
            wanted = [a.username for a in planned]
            taken = {
                u for (u,) in con.execute("SELECT username FROM users WHERE username IN (SELECT unnest(?))", [wanted]).fetchall()
            }
            if taken:  # made by someone else since the sheet was checked
                raise _Taken(
                    [
                        Problem(a.line, HEADERS_VI["username"], "account_sheet_exists", {"username": a.username})
                        for a in planned
                        if a.username in taken
                    ]
                )
            for a, event in zip(planned, events, strict=True):
                accounts.insert_account(con, event)
                pairs = [[s.province, s.commune] for s in a.scopes]
                audit.record(
                    con, actor, "account_created", a.username, {"role": a.role, "scopes": pairs, "via": file_name}, sha, at
                )
            audit.record(con, actor, "accounts_imported", file_name, {"rows": len(events)}, sha, at)
            for event in events[:-1]:  # the last, journaled() writes after the block, then commits
                done = journal_within(con, event)
                written.append(str(done.txn))
    except _Taken as e:
        return _refused(con, actor, file_name, sha, tuple(e.problems), at)
    except store.JournalError as e:
        _abort(con, written)
        return _refused(con, actor, file_name, sha, (Problem(None, None, "store_journal_unwritable", {"error": str(e)}),), at)
    except BaseException:
        _abort(con, written)
        raise
    issued = tuple(
        IssuedAccount(a.username, a.full_name, a.role, a.scopes, a.email, password)
        for a, password in zip(planned, passwords, strict=True)
    )
    return SheetImport(file_name, sha, "accepted", issued)


class _Taken(Exception):
    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("taken")
        self.problems = problems


def _abort(con: duckdb.DuckDBPyConnection, txns: list[str]) -> None:
    """Lines written ahead of a transaction that did not commit say so (best effort), so rebuild never replays them."""
    for txn in txns:
        try:
            with store.WRITE_LOCK:
                store.append_journal(con, journal.Aborted(txn=txn))
        except store.JournalError:
            pass


def _refused(
    con: duckdb.DuckDBPyConnection, actor: str, file_name: str, sha: str, problems: tuple[Problem, ...], at: dt.datetime
) -> SheetImport:
    with store.WRITE_LOCK:
        audit.record(con, actor, "accounts_import_refused", file_name, {"problems": len(problems)}, sha, at)
    return SheetImport(file_name, sha, "refused", (), problems)
