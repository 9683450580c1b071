"""User text in the pages is shown as text: a file name or a full name written as Markdown never becomes
an image or a link. Driven through dashboard.py with AppTest; the browser check is in tests/browser/."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from kpis import store
from kpis.core.markdown import escape
from kpis.people import accounts
from tests.app_pages.test_pages import app, officer, sign_in
from tests.app_pages.test_upload_history_pages import with_history
from tests.corpus.make_corpus import csv_file, row

IMAGE_NAME = "![x](http://127.0.0.1:9/p.png).csv"
LINK_NAME = "[click](http://evil)"


def bodies(at: AppTest) -> list[str]:
    """Every Markdown body and label the run sent to the browser, sidebar included."""
    kinds = ("markdown", "caption", "info", "success", "error", "warning", "title", "subheader")
    out = [str(e.value) for kind in kinds for e in at.get(kind)]
    out += [e.proto.label for kind in ("button", "download_button") for e in at.get(kind)]
    return out


def assert_shown_as_text(at: AppTest, text: str) -> None:
    seen = bodies(at)
    assert any(escape(text) in body for body in seen), seen
    raw = text.removesuffix(".csv")
    assert not [b for b in seen if raw in b], "no body carries the Markdown unescaped"


def test_history_shows_a_markdown_file_name_as_text(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    db = tmp_path / "kpis.duckdb"
    with_history(db, (IMAGE_NAME, csv_file([row(0, quarter=1, numerator=300)])))
    at = app(db, monkeypatch).switch_page("app_pages/history.py").run()
    assert not at.exception
    assert at.dataframe[0].value.isin([IMAGE_NAME]).any().any(), "the table shows the name as it is"
    assert_shown_as_text(at, IMAGE_NAME)
    labels = [b.proto.label for b in at.get("download_button")]
    assert any(label.endswith("(.csv)") for label in labels), "our own escaped CSV of the table is offered"


def test_upload_messages_show_the_file_name_as_text(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    db = tmp_path / "kpis.duckdb"
    at = sign_in(app(db, monkeypatch), *officer(db)).switch_page("app_pages/upload.py").run()
    at.file_uploader(key="upload_files_0").set_value((IMAGE_NAME, csv_file([row(0, quarter=1)]), "text/csv")).run()
    assert not at.exception
    assert_shown_as_text(at, IMAGE_NAME)
    at.button(key="upload_commit").click().run()
    assert not at.exception
    assert any(escape(IMAGE_NAME) in s.value for s in at.success), [s.value for s in at.success]
    assert_shown_as_text(at, IMAGE_NAME)


def test_sidebar_shows_a_markdown_full_name_as_text(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    db = tmp_path / "kpis.duckdb"
    with store.connect(db) as con:
        accounts.create(con, "ten.la", "mat-khau-ten-la-57", "viewer", "test", full_name=LINK_NAME)
    at = sign_in(app(db, monkeypatch), "ten.la", "mat-khau-ten-la-57")
    sidebar = [str(m.value) for m in at.sidebar.markdown]
    assert any(escape(LINK_NAME) in m for m in sidebar), sidebar
    assert not [m for m in sidebar if LINK_NAME in m]


def test_sign_in_form_caps_what_can_be_typed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    at = app(tmp_path / "kpis.duckdb", monkeypatch)
    assert at.text_input(key="sidebar_username").proto.max_chars == accounts.MAX_USERNAME
    assert at.text_input(key="sidebar_password").proto.max_chars == accounts.MAX_PASSWORD
