"""Officers' accounts in bulk (issue 15): a sheet of accounts, all or nothing, one-time passwords changed at the first
sign-in, a province officer's limits, hostile files refused by name, and rebuild keeping every flag. Real .xlsx files
(written by openpyxl) and .csv files, real DuckDB files, the real import path for the officers' uploads."""

from __future__ import annotations

import datetime as dt
import io
import unicodedata
import zipfile
from pathlib import Path
from typing import Any

import duckdb
import openpyxl
import pytest

from kpis import store
from kpis.catalog.model import Commune
from kpis.core import settings
from kpis.intake.importer import import_file
from kpis.ops.rebuild import rebuild
from kpis.people import account_sheet, accounts
from kpis.people.account_sheet import check_sheet, import_sheet
from kpis.people.account_workbooks import handout_xlsx, template_xlsx
from kpis.store import audit, journal
from tests.conftest import EN_HEADER, csv_bytes, xlsx_bytes

VI = ["Tên đăng nhập", "Họ và tên", "Vai trò", "Mã tỉnh", "Mã xã", "Thư điện tử"]
EN = ["Username", "Full name", "Role", "Province code", "Commune code", "E-mail"]
NOW = dt.datetime(2026, 11, 20, 9, 0)
ADMIN_PASSWORD = "mat-khau-quan-tri-57"
# Cao Bằng (province code 4): Phường Thục Phán 1273, Phường Nùng Trí Cao 1279; Điện Biên (11): Xã Mường Mùn 3268
OFFICERS = [
    ["lan.thucphan", "Nguyễn Thị Lan", "Cán bộ cấp xã", "04", "01273", "lan.nguyen@caobang.gov.vn"],
    ["hoa.haixa", "Hoàng Văn Hòa", "Cán bộ cấp xã", "4", "01273; 01279", ""],
    ["tinh.caobang", "Bế Thị Tỉnh", "Cán bộ cấp tỉnh", "Cao Bằng", "", None],
    ["quantri.cb", "Nông Văn Trị", "Quản trị", "", "", ""],
    ["xem.cb", "Lục Thị Xem", "Chỉ xem", None, None, None],
]


def users(con: duckdb.DuckDBPyConnection) -> int:
    return con.execute("SELECT count(*) FROM users").fetchone()[0]


def triples(problems: Any) -> list[tuple[int | None, str | None, str]]:
    return [(p.row, p.column, p.code) for p in problems]


def journal_lines(db: Path) -> list[journal.Event]:
    return store.read_journal(db)


@pytest.fixture
def province_officer(con: duckdb.DuckDBPyConnection) -> accounts.Account:
    """A province officer of Cao Bằng who has signed in and changed any first password: may import for Cao Bằng."""
    return accounts.create(con, "can.bo.caobang", ADMIN_PASSWORD, "province", "test", province="04")


# --- accepted ------------------------------------------------------------------------------------------------


def test_a_sheet_of_officers_is_created_whole_each_with_a_one_time_password(con, db_path):
    data = xlsx_bytes(OFFICERS, header=VI, sheet="Tài khoản")
    result = import_sheet(con, data, "can_bo_cao_bang.xlsx", "quantri", now=NOW)
    assert result.accepted, result.messages("en")
    assert result.summary("vi").startswith("can_bo_cao_bang.xlsx: đã tạo 5 tài khoản")
    issued = {a.username: a for a in result.issued}
    assert list(issued) == ["lan.thucphan", "hoa.haixa", "tinh.caobang", "quantri.cb", "xem.cb"]
    assert issued["lan.thucphan"].scopes == (accounts.Scope("Cao Bằng", "Thục Phán", 4, 1273),)
    assert [s.commune_code for s in issued["hoa.haixa"].scopes] == [1273, 1279]
    assert issued["tinh.caobang"].scopes == (accounts.Scope("Cao Bằng", None, 4, None),)
    assert issued["quantri.cb"].scopes == () and issued["xem.cb"].role == "viewer"
    passwords = [a.password for a in result.issued]
    assert len(set(passwords)) == 5
    assert all(len(p) >= accounts.MIN_PASSWORD and set(p) <= set(accounts.ONE_TIME_ALPHABET + "-") for p in passwords)

    rows = con.execute("SELECT username, email, must_change_password, created_at FROM users ORDER BY username").fetchall()
    assert ("lan.thucphan", "lan.nguyen@caobang.gov.vn", True, NOW) in rows
    assert {r[2] for r in rows} == {True} and {r[3] for r in rows} == {NOW}
    officer = accounts.sign_in(con, "lan.thucphan", issued["lan.thucphan"].password, now=NOW)
    assert officer.must_change_password and officer.email == "lan.nguyen@caobang.gov.vn"

    created = [e for e in journal_lines(store.db_file(con)) if isinstance(e, journal.AccountCreated)]
    assert [(e.username, e.must_change, e.actor) for e in created][:2] == [
        ("lan.thucphan", True, "quantri"),
        ("hoa.haixa", True, "quantri"),
    ]
    assert len({e.txn for e in created}) == 5 and all(e.password_hash.startswith("$argon2id$") for e in created)
    trail = audit.events(con)
    made = trail[trail["action"] == "account_created"]
    assert sorted(made["subject"]) == sorted(issued) and set(made["file_sha256"]) == {result.sha256}
    imported = trail[trail["action"] == "accounts_imported"]
    assert imported["subject"].tolist() == ["can_bo_cao_bang.xlsx"] and imported["file_sha256"].tolist() == [result.sha256]
    kept = store.uploads_dir(con) / f"{result.sha256}.xlsx"
    assert kept.read_bytes() == data  # the import is traced to its file

    con.execute("CHECKPOINT")
    everything = db_path.read_bytes() + store.journal_path(store.db_file(con)).read_bytes()
    dumped = " ".join(con.execute(f"SELECT * FROM {t}").df().astype(str).to_csv() for t in ("users", "audit"))
    for password in passwords:  # shown once, kept nowhere
        assert password.encode() not in everything and password not in dumped


def test_role_codes_english_headers_and_a_csv(con):
    rows = [
        ["lan.tp", "Nguyễn Thị Lan", "commune", "", "1273;1279", "lan@caobang.gov.vn"],
        ["tinh.cb", "Bế Thị Tỉnh", "Province officer", "4", "", ""],
        ["xem.cb", "Lục Thị Xem", "VIEWER", "", "", ""],
    ]
    result = import_sheet(con, csv_bytes(rows, header=EN), "accounts.csv", "quantri", now=NOW)
    assert result.accepted, result.messages("en")
    assert [(a.username, a.role) for a in result.issued] == [("lan.tp", "commune"), ("tinh.cb", "province"), ("xem.cb", "viewer")]
    assert result.issued[0].scopes[0].province == "Cao Bằng"  # the commune codes say the province


@pytest.mark.parametrize(
    "header",
    [
        ["TEN DANG NHAP", "ho va ten", "VAI TRÒ", "ma tinh", "Mã  Xã", "email"],
        ["Tên đăng nhập (Username)", "Họ và tên (Full name)", "Vai trò (Role)", "Mã tỉnh:", "Mã xã*", "Thư điện tử"],
        ["username", "FULL NAME", "role", "Province Code", "commune_code", "E-Mail"],
    ],
)
def test_headers_match_without_case_spacing_or_diacritics_below_title_rows(con, header):
    title = [["DANH SÁCH TÀI KHOẢN CÁN BỘ TỈNH CAO BẰNG"], []]
    data = xlsx_bytes([OFFICERS[0], ["", "", "", "", "", ""], OFFICERS[2]], header=header, title_rows=title)
    checked = check_sheet(con, data, "ds.xlsx")
    assert checked.ok, triples(checked.problems)
    assert [a.line for a in checked.accounts] == [4, 6]  # Excel's row numbers: two title rows, the header on row 3
    assert users(con) == 0, "a check writes nothing"


# --- refused, every problem named ---------------------------------------------------------------------------

GOOD = OFFICERS[0]


@pytest.mark.parametrize(
    ("row", "column", "code"),
    [
        (["", "Tên", "Cán bộ cấp xã", "04", "01279", ""], "Tên đăng nhập", "required"),
        (["Lan Anh", "Tên", "Cán bộ cấp xã", "04", "01279", ""], "Tên đăng nhập", "account_bad_username"),
        (["lan.thucphan", "Tên", "Cán bộ cấp xã", "04", "01279", ""], "Tên đăng nhập", "account_sheet_username_twice"),
        (["da.co", "Tên", "Cán bộ cấp xã", "04", "01279", ""], "Tên đăng nhập", "account_sheet_exists"),
        (["x.y", "", "Cán bộ cấp xã", "04", "01279", ""], "Họ và tên", "required"),
        (["x.y", "Nguyễn\u200bLan", "Cán bộ cấp xã", "04", "01279", ""], "Họ và tên", "text_invisible"),
        (["x.y", "T" * 201, "Cán bộ cấp xã", "04", "01279", ""], "Họ và tên", "account_sheet_text_long"),
        (["x.y", "Tên", "", "04", "01279", ""], "Vai trò", "required"),
        (["x.y", "Tên", "Trưởng thôn", "04", "01279", ""], "Vai trò", "account_sheet_role_unknown"),
        (["x.y", "Tên", "Cán bộ cấp tỉnh", "99", "", ""], "Mã tỉnh", "account_sheet_province_unknown"),
        (["x.y", "Tên", "Cán bộ cấp xã", "04", "99999", ""], "Mã xã", "account_sheet_commune_not_in_province"),
        (["x.y", "Tên", "Cán bộ cấp xã", "", "99999", ""], "Mã xã", "account_sheet_commune_unknown"),
        (["x.y", "Tên", "Cán bộ cấp xã", "04", "03268", ""], "Mã xã", "account_sheet_commune_elsewhere"),
        (["x.y", "Tên", "Cán bộ cấp xã", "", "01273; 03268", ""], "Mã xã", "account_sheet_communes_two_provinces"),
        (["x.y", "Tên", "Cán bộ cấp xã", "04", "", ""], "Mã xã", "account_sheet_needs_commune"),
        (["x.y", "Tên", "Cán bộ cấp tỉnh", "", "", ""], "Mã tỉnh", "account_sheet_needs_province"),
        (["x.y", "Tên", "Cán bộ cấp tỉnh", "04", "01273", ""], "Mã xã", "account_sheet_province_no_communes"),
        (["x.y", "Tên", "Quản trị", "04", "", ""], "Mã tỉnh", "account_sheet_admin_no_places"),
        (["x.y", "Tên", "Chỉ xem", "", "01273", ""], "Mã xã", "account_sheet_viewer_no_places"),
        (["x.y", "Tên", "Cán bộ cấp xã", "04", "01279", "lan@"], "Thư điện tử", "account_sheet_bad_email"),
        (["x.y", "Tên", "Cán bộ cấp xã", "04", "01279", "lan nguyen@caobang.gov.vn"], "Thư điện tử", "account_sheet_bad_email"),
    ],
)
@pytest.mark.parametrize("kind", ["xlsx", "csv"])
def test_each_rule_refuses_the_whole_sheet_naming_row_and_column(con, row, column, code, kind):
    accounts.create(con, "da.co", ADMIN_PASSWORD, "viewer", "test")
    before, lines = users(con), len(journal_lines(store.db_file(con)))
    data = xlsx_bytes([GOOD, row], header=VI) if kind == "xlsx" else csv_bytes([GOOD, row], header=VI)
    result = import_sheet(con, data, f"ds.{kind}", "quantri", now=NOW)
    assert result.status == "refused"
    assert triples(result.problems) == [(3, column, code)]
    assert result.messages("vi")[0].startswith(f"Dòng 3, cột «{column}»: ")
    assert result.messages("en")[0].startswith(f"Row 3, column '{column}': ")
    assert users(con) == before and len(journal_lines(store.db_file(con))) == lines  # the good row was not created either
    assert audit.events(con, action="accounts_import_refused")["detail"].tolist() == ['{"problems": 1}']


def test_every_problem_of_every_row_is_named_at_once_in_either_language(con):
    rows = [
        ["Lan Anh", "", "sếp", "04", "01273", "@"],
        GOOD,
        ["x.y", "Tên", "Cán bộ cấp xã", "04", "03268", ""],
    ]
    result = import_sheet(con, xlsx_bytes(rows, header=VI), "ds.xlsx", "quantri", now=NOW)
    assert triples(result.problems) == [
        (2, "Tên đăng nhập", "account_bad_username"),
        (2, "Họ và tên", "required"),
        (2, "Vai trò", "account_sheet_role_unknown"),
        (2, "Thư điện tử", "account_sheet_bad_email"),
        (4, "Mã xã", "account_sheet_commune_elsewhere"),
    ]
    assert "Quản trị (admin), Cán bộ cấp tỉnh (province), Cán bộ cấp xã (commune), Chỉ xem (viewer)" in result.messages("vi")[2]
    assert "Mường Mùn" in result.messages("en")[4] and "Điện Biên" in result.messages("en")[4]
    assert result.summary("en") == "ds.xlsx: refused, 5 problem(s); no account was created."
    assert users(con) == 0


def test_a_sheet_without_a_required_column_names_each_missing_one(con):
    data = xlsx_bytes([["lan.tp", "Mã 04"]], header=["Tên đăng nhập", "Mã tỉnh"], title_rows=[["Danh sách"]])
    result = check_sheet(con, data, "ds.xlsx")
    assert triples(result.problems) == [(2, "Họ và tên", "column_missing"), (2, "Vai trò", "column_missing")]
    assert "Họ và tên / Full name" in result.problems[0].message("vi")


def test_a_sheet_with_only_its_header_or_no_header_is_refused(con):
    assert triples(check_sheet(con, template_xlsx([]), "mau.xlsx").problems) == [(None, None, "file_no_rows")]
    no_header = xlsx_bytes([["a", "b"]], header=["Tỉnh", "Xã"])
    assert triples(check_sheet(con, no_header, "x.xlsx").problems) == [(None, None, "account_sheet_no_header")]


# --- a province officer imports for its province only -------------------------------------------------------


def test_a_province_officer_imports_only_province_and_commune_officers_of_its_province(con, province_officer):
    rows = [
        OFFICERS[0],
        ["o.muongmun", "Lò Văn O", "Cán bộ cấp xã", "11", "03268", ""],  # Điện Biên
        ["o.tinh", "Lò Văn Tỉnh", "Cán bộ cấp tỉnh", "Điện Biên", "", ""],
        ["o.quantri", "Lò Văn Trị", "Quản trị", "", "", ""],
        ["o.xem", "Lò Văn Xem", "viewer", "", "", ""],
        ["o.noprov", "Lò Văn Không", "Cán bộ cấp xã", "", "03268", ""],  # the commune's code says Điện Biên
    ]
    result = import_sheet(con, xlsx_bytes(rows, header=VI), "ds.xlsx", province_officer.username, province_officer, now=NOW)
    assert triples(result.problems) == [
        (3, "Mã tỉnh", "account_sheet_outside_province"),
        (4, "Mã tỉnh", "account_sheet_outside_province"),
        (5, "Vai trò", "account_sheet_role_not_allowed"),
        (6, "Vai trò", "account_sheet_role_not_allowed"),
        (7, "Mã xã", "account_sheet_outside_province"),
    ]
    assert "Điện Biên" in result.messages("vi")[0] and "Cao Bằng" in result.messages("vi")[0]
    assert users(con) == 1

    own = [OFFICERS[0], OFFICERS[1], OFFICERS[2]]
    done = import_sheet(con, xlsx_bytes(own, header=VI), "ds.xlsx", province_officer.username, province_officer, now=NOW)
    assert done.accepted and [a.username for a in done.issued] == ["lan.thucphan", "hoa.haixa", "tinh.caobang"]
    assert set(audit.events(con, action="account_created")["actor"]) == {"test", "can.bo.caobang"}


def test_only_administrators_and_province_officers_who_changed_their_password_may_import(con):
    commune = accounts.create(con, "xa.tp", ADMIN_PASSWORD, "commune", "test", province="04", communes=["01273"])
    fresh = accounts.create(con, "tinh.moi", ADMIN_PASSWORD, "province", "test", province="04", must_change=True)
    for importer in (commune, fresh):
        checked = check_sheet(con, xlsx_bytes([OFFICERS[0]], header=VI), "ds.xlsx", importer)
        assert triples(checked.problems) == [(None, None, "account_sheet_importer_not_allowed")]


# --- hostile and broken files -------------------------------------------------------------------------------


def _zip(entries: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in entries.items():
            z.writestr(name, data)
    return buf.getvalue()


def _stray_cell() -> bytes:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(VI)
    ws.append(OFFICERS[0])
    ws["XFD1048576"] = "x"
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _entity_bomb() -> bytes:
    """A workbook whose sheet declares entities a billion "lol"s long (Excel never writes a DTD): refused unread."""
    good = zipfile.ZipFile(io.BytesIO(xlsx_bytes([GOOD], header=VI)))
    lols = "".join(f'<!ENTITY lol{i} "{("&lol" + str(i - 1) + ";") * 10}">' for i in range(1, 10))
    sheet = good.read("xl/worksheets/sheet1.xml").decode()
    at = sheet.index("<worksheet")
    sheet = sheet[:at] + f'<!DOCTYPE worksheet [<!ENTITY lol0 "lol">{lols}]>' + sheet[at:].replace("<t>Nguyễn", "<t>&lol9;", 1)
    return _zip({n: sheet.encode() if n == "xl/worksheets/sheet1.xml" else good.read(n) for n in good.namelist()})


@pytest.mark.parametrize(
    ("name", "data", "code"),
    [
        ("ds.xlsx", b"not a workbook at all", "file_not_xlsx"),
        ("ds.xlsx", _entity_bomb(), "file_not_xlsx"),
        ("ds.xlsx", xlsx_bytes([GOOD], header=VI)[:1500], "file_not_xlsx"),  # cut short
        ("ds.xlsx", _zip({"[Content_Types].xml": b"<Types/>", "xl/workbook.xml": b"<<<"}), "file_not_xlsx"),
        ("ds.xlsx", _zip({"xl/sharedStrings.xml": b"\0" * (26 * 1024 * 1024)}), "file_inflates"),  # a zip bomb
        ("ds.xlsx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600, "account_sheet_ole"),  # encrypted, or an old .xls
        ("ds.xlsx", _stray_cell(), "account_sheet_too_far"),
        ("ds.pdf", b"%PDF-1.4", "file_type"),
        ("ds.csv", b"", "file_empty"),
        ("ds.csv", b"a" * (settings.MAX_ACCOUNT_SHEET_BYTES + 1), "file_too_large"),
        ("ds.csv", b"\xff\xfe" + "Tên đăng nhập".encode("utf-16-le") + b"\x00", "file_encoding"),
        ("ds.csv", csv_bytes([GOOD] * 2, header=VI) + b"\n" * 10_100 + csv_bytes([GOOD], header=VI), "account_sheet_too_far"),
        ("ds.csv", csv_bytes([[f"u{i}", "Tên", "commune", "", "01273", ""] for i in range(5_001)], VI), "file_too_many_rows"),
    ],
    ids=[
        "garbage", "entity-bomb", "truncated", "broken-xml", "zip-bomb", "ole", "stray-cell", "pdf", "empty", "too-large",
        "odd-utf16", "far-rows", "too-many-rows",
    ],
)  # fmt: skip
def test_a_broken_or_hostile_file_is_refused_by_name_and_writes_nothing(con, name, data, code):
    result = import_sheet(con, data, name, "quantri", now=NOW)
    assert triples(result.problems) == [(None, None, code)]
    assert result.messages("vi")[0] and result.messages("en")[0]  # worded in both languages, no placeholder left
    assert users(con) == 0


def _cp1258(text: str) -> bytes:
    """Text as Excel's "CSV (Comma delimited)" writes it on Vietnamese Windows: letters cp1258 lacks as a base and a tone mark."""
    out = b""
    for ch in text:
        try:
            out += ch.encode("cp1258")
        except UnicodeEncodeError:
            decomposed = unicodedata.normalize("NFD", ch)
            tone = next(m for m in decomposed if m in "\u0300\u0301\u0303\u0309\u0323")
            out += _cp1258(unicodedata.normalize("NFC", decomposed.replace(tone, ""))) + tone.encode("cp1258")
    return out


def test_a_windows_1258_csv_with_semicolons_and_a_control_character_in_a_csv(con):
    text = "Tên đăng nhập;Họ và tên;Vai trò;Mã xã\r\nlan.tp;Nguyễn Thị Lan;Cán bộ cấp xã;01273\r\n"
    checked = check_sheet(con, _cp1258(text), "ds.csv")
    assert checked.ok, triples(checked.problems)
    assert checked.accounts[0].full_name == "Nguyễn Thị Lan" and checked.accounts[0].role == "commune"
    escaped = check_sheet(con, (text + "x.y;Tên\x1b[31m;commune;01279\r\n").encode("utf-8"), "ds.csv")
    assert triples(escaped.problems) == [(3, "Họ và tên", "text_control")]


# --- the one-time password, changed at the first sign-in ----------------------------------------------------


def test_the_first_password_must_be_changed_typed_twice_and_different(con):
    issued = import_sheet(con, xlsx_bytes([OFFICERS[0]], header=VI), "ds.xlsx", "quantri", now=NOW).issued[0]
    for new, again, code in (
        ("mat-khau-moi-cua-lan", "mat-khau-moi-cua-la", "account_password_mismatch"),
        ("ngan", "ngan", "account_password_short"),
        (issued.password, issued.password, "account_password_same"),
    ):
        with pytest.raises(accounts.AccountError) as e:
            accounts.change_own_password(con, "lan.thucphan", new, again, now=NOW)
        assert e.value.code == code
    assert accounts.get(con, "lan.thucphan").must_change_password
    changed = accounts.change_own_password(con, "lan.thucphan", "mat-khau-moi-cua-lan", "mat-khau-moi-cua-lan", now=NOW)
    assert not changed.must_change_password and changed.can_upload
    line = journal_lines(store.db_file(con))[-1]
    assert isinstance(line, journal.PasswordChanged) and (line.actor, line.must_change) == ("lan.thucphan", False)
    own = audit.events(con, action="password_changed")
    assert own[["actor", "subject"]].values.tolist() == [["lan.thucphan", "lan.thucphan"]]
    accounts.set_password(con, "lan.thucphan", "mat-khau-dat-lai-57", "quantri", must_change=True)  # a reset
    assert accounts.sign_in(con, "lan.thucphan", "mat-khau-dat-lai-57", now=NOW).must_change_password
    line = journal_lines(store.db_file(con))[-1]
    assert isinstance(line, journal.PasswordChanged) and (line.actor, line.must_change) == ("quantri", True)


def test_rebuild_keeps_the_imported_accounts_their_emails_and_who_must_still_change_a_password(db_path):
    con = store.connect(db_path)
    result = import_sheet(con, xlsx_bytes(OFFICERS, header=VI), "ds.xlsx", "quantri", now=NOW)
    by_name = {a.username: a.password for a in result.issued}
    accounts.change_own_password(con, "lan.thucphan", "mat-khau-moi-cua-lan", "mat-khau-moi-cua-lan", now=NOW)
    accounts.change_own_password(con, "tinh.caobang", "mat-khau-moi-cua-tinh", "mat-khau-moi-cua-tinh", now=NOW)
    accounts.set_password(con, "tinh.caobang", "mat-khau-dat-lai-57", "quantri", must_change=True)
    before = con.execute("SELECT username, email, must_change_password FROM users ORDER BY username").fetchall()
    con.close()

    report = rebuild(db_path)
    assert report.identical and report.account_events == 5 + 3
    again = store.connect(db_path)
    assert again.execute("SELECT username, email, must_change_password FROM users ORDER BY username").fetchall() == before
    assert dict((u, m) for u, _, m in before) == {
        "hoa.haixa": True, "lan.thucphan": False, "quantri.cb": True, "tinh.caobang": True, "xem.cb": True,
    }  # fmt: skip
    assert not accounts.sign_in(again, "lan.thucphan", "mat-khau-moi-cua-lan", now=NOW).must_change_password
    assert accounts.sign_in(again, "hoa.haixa", by_name["hoa.haixa"], now=NOW).must_change_password
    assert accounts.sign_in(again, "tinh.caobang", "mat-khau-dat-lai-57", now=NOW).must_change_password
    again.close()


# --- the template and the handout ---------------------------------------------------------------------------


def test_the_template_offers_the_roles_its_instructions_and_the_codes_and_a_filled_one_imports(con):
    cao_bang = [c for c in store.registry(con) if c.province_code == 4]
    wb = openpyxl.load_workbook(io.BytesIO(template_xlsx(cao_bang, "vi")))
    assert wb.sheetnames == ["Tài khoản", "Hướng dẫn", "Mã xã"]
    ws = wb["Tài khoản"]
    assert [c.value for c in ws[1]] == VI
    (roles,) = ws.data_validations.dataValidation
    assert roles.formula1 == '"Quản trị,Cán bộ cấp tỉnh,Cán bộ cấp xã,Chỉ xem"' and str(roles.sqref) == "C2:C501"
    assert ws["E2"].number_format == "@"  # codes keep their leading zeros
    assert "mật khẩu dùng một lần" in " ".join(str(c.value) for c in wb["Hướng dẫn"]["A"])
    codes = [[c.value for c in r] for r in wb["Mã xã"].iter_rows(min_row=2, max_row=2)]
    assert codes == [["04", "Cao Bằng", "01273", "Phường Thục Phán"]] and wb["Mã xã"].max_row == len(cao_bang) + 1
    for line, row in enumerate(OFFICERS[:3], start=2):
        for column, value in enumerate(row, start=1):
            ws.cell(line, column).value = value
    buf = io.BytesIO()
    wb.save(buf)
    assert check_sheet(con, buf.getvalue(), "mau_da_dien.xlsx").ok
    english = openpyxl.load_workbook(io.BytesIO(template_xlsx([], "en")))
    assert english.sheetnames == ["Accounts", "Instructions", "Codes"] and [c.value for c in english["Accounts"][1]] == EN


def test_the_handout_holds_each_password_as_text_and_says_it_must_be_changed(con):
    rows = [["lan.tp", '=HYPERLINK("http://x","y")', "commune", "", "01273", "+lan@caobang.gov.vn"]]
    result = import_sheet(con, csv_bytes(rows, header=VI), "ds.csv", "quantri", now=NOW)  # text that looks like a formula
    assert result.accepted, result.messages("en")
    ws = openpyxl.load_workbook(io.BytesIO(handout_xlsx(result.issued, "vi"))).active
    assert "đổi mật khẩu" in ws["A2"].value
    assert [c.value for c in ws[4]] == ["Tên đăng nhập", "Họ tên", "Vai trò", "Phạm vi", "Thư điện tử", "Mật khẩu dùng một lần"]
    cells = ws[5]
    assert [c.value for c in cells] == [
        "lan.tp", '=HYPERLINK("http://x","y")', "Cán bộ cấp xã", "Cao Bằng / Thục Phán (01273)", "+lan@caobang.gov.vn",
        result.issued[0].password,
    ]  # fmt: skip
    assert all(c.data_type == "s" for c in cells)  # text, never a formula
    assert cells[1].quotePrefix and cells[4].quotePrefix


# --- the proof: 45 commune officers of one province --------------------------------------------------------


def _upload(commune: Commune, unit: str = "Tổ dân phố 1") -> bytes:
    header = [*EN_HEADER, "province_code", "commune_code"]
    return csv_bytes(
        [[commune.province, commune.name, unit, 2026, 3, "citizen_reach", 40, 80, "", 4, commune.code]], header=header
    )


@pytest.mark.slow
def test_45_officers_of_one_province_each_sign_in_change_the_one_time_password_and_upload_for_their_commune_only(con):
    """45 real communes of Cao Bằng (province code 4) from the registry, one officer each, imported from one sheet;
    then each officer signs in with the one-time password, must change it (an upload is refused until then),
    signs in with the new one, uploads for their own commune (accepted) and for another (refused, out of scope)."""
    cao_bang = sorted((c for c in store.registry(con) if c.province_code == 4), key=lambda c: c.code or 0)
    assert len(cao_bang) >= 46
    communes = cao_bang[:45]
    rows = [
        [f"xa{c.code:05d}", f"Cán bộ {c.kind.lower()} {c.name}", "Cán bộ cấp xã", "04", f"{c.code:05d}", ""] for c in communes
    ]
    result = import_sheet(con, xlsx_bytes(rows, header=VI), "can_bo_xa_cao_bang.xlsx", "quantri", now=NOW)
    assert result.accepted, result.messages("en")
    assert len(result.issued) == 45 and users(con) == 45

    for n, (issued, commune) in enumerate(zip(result.issued, communes, strict=True)):
        other = cao_bang[n + 1]  # another commune of the same province
        officer = accounts.sign_in(con, issued.username, issued.password, now=NOW)
        assert officer.must_change_password and not officer.can_upload
        scope = tuple((s.province, s.commune) for s in officer.scopes)
        early = import_file(con, _upload(commune), "bao_cao.csv", officer.username, may_write=officer.may_write, scope=scope)
        assert early.status == "refused" and {p.code for p in early.problems} == {"out_of_scope"}, issued.username

        new = f"mat-khau-rieng-{issued.username}"
        accounts.change_own_password(con, issued.username, new, new, now=NOW)
        if n == 0:  # (once: a wrong guess costs as much hashing as a sign-in)
            with pytest.raises(accounts.AccountError):
                accounts.sign_in(con, issued.username, issued.password, now=NOW)  # the one-time password is spent
        officer = accounts.sign_in(con, issued.username, new, now=NOW)
        assert not officer.must_change_password and officer.scopes == (accounts.Scope("Cao Bằng", commune.name, 4, commune.code),)

        own = import_file(con, _upload(commune), "bao_cao.csv", officer.username, may_write=officer.may_write, scope=scope)
        assert own.status == "accepted", (issued.username, own.messages("en"))
        elsewhere = import_file(con, _upload(other), "bao_cao.csv", officer.username, may_write=officer.may_write, scope=scope)
        assert elsewhere.status == "refused" and [p.code for p in elsewhere.problems] == ["out_of_scope"], issued.username

    assert con.execute("SELECT count(*) FROM submissions").fetchone()[0] == 45
    assert con.execute("SELECT count(*) FROM users WHERE must_change_password").fetchone()[0] == 0
    uploaded = con.execute("SELECT DISTINCT uploaded_by FROM submissions ORDER BY 1").fetchall()
    assert [u for (u,) in uploaded] == sorted(a.username for a in result.issued)


def test_the_account_sheet_limits_are_the_settings_ones():
    assert (settings.MAX_ACCOUNT_SHEET_BYTES, settings.MAX_ACCOUNT_ROWS) == (5 * settings.MB, 5_000)
    assert account_sheet.match_header("  Tên   Đăng Nhập ") == "username" and account_sheet.match_header("Ghi chú") is None
