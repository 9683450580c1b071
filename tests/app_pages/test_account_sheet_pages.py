"""The accounts page's bulk import and the first sign-in, driven by AppTest through dashboard.py (issue 15).

Upload a sheet → the preview of what would be created → the button creates them → the one-time passwords shown
once, with the handout to download, gone after "Xong" or on leaving the page; a province officer imports for its
own province only; an account signed in with a one-time password sees only the change-password form until it
has changed it, then uploads as usual.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb
import pytest

from kpis import store
from kpis.people import accounts
from kpis.people.account_sheet import import_sheet
from tests.app_pages.test_pages import app, shown, sign_in, texts
from tests.conftest import xlsx_bytes

HEADER = ["Tên đăng nhập", "Họ và tên", "Vai trò", "Mã tỉnh", "Mã xã", "Thư điện tử"]
SHEET = xlsx_bytes(
    [
        ["lan.muongmun2", "Lò Thị Lan", "Cán bộ cấp xã", "11", "03268", "lan@dienbien.gov.vn"],
        ["hoa.tuangiao", "Quàng Văn Hòa", "Cán bộ cấp xã", "11", "03253", ""],
    ],
    header=HEADER,
)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def users(db: Path) -> list[tuple]:
    with duckdb.connect(str(db)) as con:
        return con.execute("SELECT username, must_change_password FROM users WHERE NOT demo ORDER BY username").fetchall()


def buttons(at) -> dict[str, object]:
    return {b.key: b for b in at.button if b.key}


def test_admin_uploads_a_sheet_sees_the_preview_creates_the_accounts_and_gets_the_passwords_once(demo_db, monkeypatch):
    at = sign_in(app(demo_db, monkeypatch), "demo.quantri", "demo-quantri-57")
    at.switch_page("app_pages/accounts.py").run()
    assert not at.exception
    assert [d.label for d in at.get("download_button")] == ["Tải biểu mẫu danh sách tài khoản (.xlsx)"]
    at.file_uploader(key="accounts_bulk_file_0").set_value(("can_bo.xlsx", SHEET, XLSX)).run()
    assert not at.exception
    assert "can_bo.xlsx: sẽ tạo 2 tài khoản" in texts(at)
    preview = at.dataframe[1].value
    assert preview["Tên đăng nhập"].tolist() == ["lan.muongmun2", "hoa.tuangiao"]
    assert preview["Phạm vi"].tolist() == ["Điện Biên / Mường Mùn (03268)", "Điện Biên / Tuần Giáo (03253)"]
    assert users(demo_db) == [], "a preview writes nothing"

    buttons(at)["accounts_bulk_commit"].click().run()
    assert not at.exception
    assert users(demo_db) == [("hoa.tuangiao", True), ("lan.muongmun2", True)]
    assert "đã tạo 2 tài khoản" in texts(at)
    assert any("chỉ hiện ở đây, một lần" in w.value for w in at.warning)
    issued = at.dataframe[1].value
    passwords = dict(zip(issued["Tên đăng nhập"], issued["Mật khẩu dùng một lần"], strict=True))
    assert list(passwords) == ["lan.muongmun2", "hoa.tuangiao"]
    assert "Tải bảng phát mật khẩu (.xlsx)" in [d.label for d in at.get("download_button")]
    with store.connect(demo_db) as con:
        assert accounts.sign_in(con, "hoa.tuangiao", passwords["hoa.tuangiao"]).must_change_password
    assert len(at.get("file_uploader")) == 0, "no new upload until the passwords are put away"

    at.switch_page("app_pages/overview.py").run()  # leaving the page forgets them
    at.switch_page("app_pages/accounts.py").run()
    assert not at.exception
    assert all(passwords["lan.muongmun2"] not in d.value.to_string() for d in at.dataframe)
    assert "_issued_accounts" not in at.session_state
    assert len(at.get("file_uploader")) == 1 and "accounts_bulk_commit" not in buttons(at)


def test_done_puts_the_passwords_away_and_a_refused_sheet_lists_its_problems(demo_db, monkeypatch):
    at = sign_in(app(demo_db, monkeypatch), "demo.quantri", "demo-quantri-57")
    at.switch_page("app_pages/accounts.py").run()
    at.file_uploader(key="accounts_bulk_file_0").set_value(("can_bo.xlsx", SHEET, XLSX)).run()
    buttons(at)["accounts_bulk_commit"].click().run()
    buttons(at)["accounts_bulk_finish"].click().run()
    assert not at.exception and "_issued_accounts" not in at.session_state
    assert not any("Mật khẩu dùng một lần" in d.value.columns for d in at.dataframe)

    again = xlsx_bytes([["hoa.tuangiao", "Quàng Văn Hòa", "Cán bộ", "11", "03253", ""]], header=HEADER)
    at.file_uploader(key="accounts_bulk_file_1").set_value(("lan_nua.xlsx", again, XLSX)).run()
    assert not at.exception
    assert "lan_nua.xlsx: bị từ chối, 2 lỗi; chưa tạo tài khoản nào." in texts(at)
    problems = at.dataframe[1].value
    assert problems["Dòng"].tolist() == [2, 2] and problems["Cột"].tolist() == ["Tên đăng nhập", "Vai trò"]
    assert "accounts_bulk_commit" not in buttons(at)


def test_a_province_officer_imports_for_its_province_only_and_has_no_single_account_form(demo_db, monkeypatch):
    at = sign_in(app(demo_db, monkeypatch), "demo.tinh", "demo-tinh-57")
    at.switch_page("app_pages/accounts.py").run()
    assert not at.exception
    assert "chỉ tạo được tài khoản cán bộ cấp tỉnh và cấp xã của tỉnh Điện Biên" in texts(at)
    assert "accounts_username" not in [w.key for w in at.text_input] and "Thêm tài khoản" not in texts(at)
    listed = at.dataframe[0].value["Tên đăng nhập"].tolist()
    assert "demo.xa" in listed and "demo.quantri" not in listed  # the accounts of its province
    elsewhere = xlsx_bytes([["lan.thucphan", "Nguyễn Thị Lan", "Cán bộ cấp xã", "04", "01273", ""]], header=HEADER)
    at.file_uploader(key="accounts_bulk_file_0").set_value(("cao_bang.xlsx", elsewhere, XLSX)).run()
    assert "bạn chỉ được tạo tài khoản trong tỉnh Điện Biên" in at.dataframe[1].value["Cần sửa"].iloc[0]
    at.file_uploader(key="accounts_bulk_file_0").set_value(("dien_bien.xlsx", SHEET, XLSX)).run()
    buttons(at)["accounts_bulk_commit"].click().run()
    assert not at.exception
    assert users(demo_db) == [("hoa.tuangiao", True), ("lan.muongmun2", True)]


@pytest.fixture
def one_time(demo_db: Path) -> str:
    """An officer of Mường Mùn made from a sheet: the one-time password an administrator handed out."""
    with store.connect(demo_db) as con:
        sheet = xlsx_bytes([["lan.muongmun2", "Lò Thị Lan", "Cán bộ cấp xã", "11", "03268", ""]], header=HEADER)
        result = import_sheet(con, sheet, "can_bo.xlsx", "demo.quantri", now=dt.datetime(2026, 11, 15, 8, 0))
    assert result.accepted
    return result.issued[0].password


def test_a_one_time_password_shows_only_the_change_form_until_changed_then_uploads_work(demo_db, monkeypatch, one_time):
    at = sign_in(app(demo_db, monkeypatch), "lan.muongmun2", one_time)
    assert not at.exception
    assert [t.value for t in at.title] == ["Đổi mật khẩu"]
    assert "mật khẩu dùng một lần" in texts(at)
    assert len(at.dataframe) == 0 and len(at.metric) == 0, "nothing else of the pages"
    at.switch_page("app_pages/upload.py").run()
    assert len(at.get("file_uploader")) == 0 and [t.value for t in at.title] == ["Đổi mật khẩu"]

    at.text_input(key="first_password_new").input("mat-khau-rieng-cua-lan")
    at.text_input(key="first_password_again").input("mat-khau-rieng-cua-la")
    at.button(key="first_password_submit").click().run()
    assert any("không khớp" in shown(e.value) for e in at.error)
    at.text_input(key="first_password_new").input(one_time)
    at.text_input(key="first_password_again").input(one_time)
    at.button(key="first_password_submit").click().run()
    assert any("phải khác" in shown(e.value) for e in at.error)

    at.text_input(key="first_password_new").input("mat-khau-rieng-cua-lan")
    at.text_input(key="first_password_again").input("mat-khau-rieng-cua-lan")
    at.button(key="first_password_submit").click().run()
    assert not at.exception
    assert any("Đã đổi mật khẩu" in s.value for s in at.success)
    assert len(at.get("file_uploader")) == 1, "the upload page, now that the password is the officer's own"
    assert users(demo_db) == [("lan.muongmun2", False)]
    with store.connect(demo_db) as con:
        assert accounts.sign_in(con, "lan.muongmun2", "mat-khau-rieng-cua-lan").can_upload
        changed = con.execute("SELECT actor, subject FROM audit WHERE action = 'password_changed'").fetchall()
    assert changed == [("lan.muongmun2", "lan.muongmun2")]
