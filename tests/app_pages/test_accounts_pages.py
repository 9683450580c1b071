"""Who sees what: viewers and anonymous people get no upload widget; admins manage accounts and read the audit."""

from __future__ import annotations

from pathlib import Path

import pytest

from kpis import store
from kpis.people import accounts
from kpis.store import audit
from tests.app_pages.test_pages import app, shown, sign_in, texts


def test_viewer_sees_no_upload_widget(demo_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    at = sign_in(app(demo_db, monkeypatch), "demo.xem", "demo-xem-57")
    at.switch_page("app_pages/upload.py").run()
    assert not at.exception
    assert len(at.get("file_uploader")) == 0
    assert "chỉ được xem" in texts(at)


def test_anonymous_sees_no_upload_widget_and_no_admin_pages(demo_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    at = app(demo_db, monkeypatch)
    at.switch_page("app_pages/upload.py").run()
    assert len(at.get("file_uploader")) == 0
    assert "Hãy đăng nhập" in texts(at)
    with pytest.raises(ValueError):
        at.switch_page("app_pages/accounts.py")


def test_wrong_password_in_the_sidebar_is_refused_and_audited(demo_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    at = app(demo_db, monkeypatch)
    at.text_input(key="sidebar_username").input("demo.xa")
    at.text_input(key="sidebar_password").input("sai-mat-khau")
    at.button(key="sidebar_sign_in").click().run()
    assert "_account" not in at.session_state
    assert any("Sai tên đăng nhập" in e.value for e in at.error)
    with store.connect(demo_db) as con:
        assert audit.events(con, action="sign_in_failed")["subject"].tolist() == ["demo.xa"]


def test_admin_disables_an_account_and_that_session_is_signed_out(demo_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    officer = sign_in(app(demo_db, monkeypatch), "demo.xa", "demo-xa-57")
    officer.switch_page("app_pages/upload.py").run()
    assert len(officer.get("file_uploader")) == 1
    admin = sign_in(app(demo_db, monkeypatch), "demo.quantri", "demo-quantri-57")
    admin.switch_page("app_pages/accounts.py").run()
    assert "demo.xa" in admin.dataframe[0].value.iloc[:, 0].tolist()
    admin.selectbox(key="accounts_who").set_value("demo.xa")
    admin.radio(key="accounts_action").set_value("disable")
    next(b for b in admin.button if b.label == "Thực hiện").click().run()
    assert not admin.exception
    assert any("demo.xa" in shown(s.value) for s in admin.success)
    officer.run()
    assert "_account" not in officer.session_state
    assert len(officer.get("file_uploader")) == 0
    with store.connect(demo_db) as con:
        assert accounts.get(con, "demo.xa") is None
        with pytest.raises(accounts.AccountError):
            accounts.sign_in(con, "demo.xa", "demo-xa-57")


def test_admin_adds_an_account_from_the_page(demo_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    admin = sign_in(app(demo_db, monkeypatch), "demo.quantri", "demo-quantri-57")
    admin.switch_page("app_pages/accounts.py").run()
    admin.text_input(key="accounts_username").input("hoa.tuangiao")
    admin.selectbox(key="accounts_role").set_value("commune")
    admin.selectbox(key="accounts_province").set_value("Điện Biên")
    admin.multiselect(key="accounts_communes").set_value(["Tuần Giáo"])
    admin.text_input(key="accounts_password").input("mat-khau-tuan-giao")
    next(b for b in admin.button if b.label == "Thêm tài khoản").click().run()
    assert not admin.exception
    assert any("hoa.tuangiao" in shown(s.value) for s in admin.success)
    with store.connect(demo_db) as con:
        made = accounts.sign_in(con, "hoa.tuangiao", "mat-khau-tuan-giao")
        places = {c.name: c for c in store.registry(con) if c.province == "Điện Biên"}
    assert made.may_write(places["Tuần Giáo"]) and not made.may_write(places["Mường Mùn"])
    assert made.scopes == (accounts.Scope("Điện Biên", "Tuần Giáo", 11, 3253),)


def test_audit_page_lists_and_filters(demo_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    admin = sign_in(app(demo_db, monkeypatch), "demo.quantri", "demo-quantri-57")
    admin.switch_page("app_pages/audit.py").run()
    events = admin.dataframe[0].value
    assert list(events.columns) == ["Thời gian", "Người thực hiện", "Việc", "Đối tượng", "Chi tiết", "Mã tệp (SHA-256)"]
    assert {"Đăng nhập", "Nộp báo cáo (được nhận)"} <= set(events["Việc"])  # words, not action codes
    assert events["Thời gian"].str.fullmatch(r"\d\d/\d\d/\d{4} \d\d:\d\d").all()  # not ISO
    uploads = events[events["Việc"] == "Nộp báo cáo (được nhận)"]
    assert uploads["Chi tiết"].str.match(r"^Lần nộp số: \d+ · Số dòng: \d+$").all(), uploads["Chi tiết"].tolist()
    assert uploads["Mã tệp (SHA-256)"].str.fullmatch(r"[0-9a-f]{12}…").all()
    assert not events.isna().any().any() and "{}" not in set(events["Chi tiết"])
    admin.selectbox(key="audit_action").set_value("sign_in").run()
    assert set(admin.dataframe[0].value["Việc"]) == {"Đăng nhập"}
