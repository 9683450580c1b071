"""The upload page's "Kỳ báo cáo" picker (issue 13), driven by AppTest through dashboard.py as a commune officer.

The database is a demo one standing for 20/10/2025, so the quarter now due is Quý III/2025 whatever today is.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb
import pytest
from streamlit.testing.v1 import AppTest

from kpis import store
from tests.app_pages.test_pages import app, officer, sign_in, texts
from tests.corpus.make_corpus import csv_file, row

DAY = dt.date(2025, 10, 20)
WITHOUT_PERIOD = ["Tỉnh", "Xã", "Đơn vị", "Chỉ tiêu", "Số đạt", "Tổng số", "Ghi chú"]


def upload_page(db: Path, monkeypatch: pytest.MonkeyPatch, lang: str | None = None) -> AppTest:
    with store.connect(db) as con:
        store.mark_demo(con, DAY)
    at = sign_in(app(db, monkeypatch, lang), *officer(db))
    return at.switch_page("app_pages/upload.py").run()


def test_the_period_picker_defaults_to_the_files_own_and_offers_the_quarters_due(tmp_path, monkeypatch):
    at = upload_page(tmp_path / "kpis.duckdb", monkeypatch)
    assert not at.exception
    picker = at.selectbox(key="upload_period")
    assert picker.label == "Kỳ báo cáo" and picker.value is None
    quarters = ["Quý III/2025", "Quý II/2025", "Quý I/2025", "Quý IV/2024", "Quý III/2024", "Quý II/2024", "Quý I/2024"]
    assert picker.options == ["Theo tệp", *quarters]  # Quý IV/2023 is before the years the product takes
    assert "kỳ của tệp được dùng" in picker.help and "bị từ chối" in picker.help


def test_the_period_picker_speaks_english(tmp_path, monkeypatch):
    at = upload_page(tmp_path / "kpis.duckdb", monkeypatch, lang="en")
    picker = at.selectbox(key="upload_period")
    assert picker.label == "Reporting period" and picker.options[:3] == ["As the file says", "Q3 2025", "Q2 2025"]
    assert "the file's period is used" in picker.help and "refused" in picker.help


def test_a_file_that_says_its_period_is_read_as_before_with_the_picker_left_alone(tmp_path, monkeypatch):
    at = upload_page(tmp_path / "kpis.duckdb", monkeypatch)
    at.file_uploader(key="upload_files_0").set_value(("q3.csv", csv_file([row(0), row(1)]), "text/csv")).run()
    assert not at.exception
    assert "q3.csv: hợp lệ, 2 dòng" in texts(at)


def test_the_chosen_period_reaches_the_preview_and_the_import(tmp_path, monkeypatch):
    """Waits for the form reader: today a tidy table without Năm/Quý is refused whatever is chosen."""
    db = tmp_path / "kpis.duckdb"
    at = upload_page(db, monkeypatch)
    data = csv_file([[r[0], r[1], r[2], *r[5:]] for r in (row(0), row(1))], header=WITHOUT_PERIOD)
    at.file_uploader(key="upload_files_0").set_value(("khong_ky.csv", data, "text/csv")).run()
    assert "khong_ky.csv: bị từ chối" in texts(at), "no period anywhere: refused"
    at.selectbox(key="upload_period").set_value((2025, 3)).run()
    assert not at.exception
    assert "khong_ky.csv: hợp lệ, 2 dòng" in texts(at)
    at.button(key="upload_commit").click().run()
    assert not at.exception
    with duckdb.connect(str(db)) as con:
        periods = con.execute("SELECT DISTINCT year, quarter FROM submission_values").fetchall()
    assert periods == [(2025, 3)]


def test_the_template_is_offered_in_both_layouts_the_form_for_the_officers_commune(tmp_path, monkeypatch):
    at = upload_page(tmp_path / "kpis.duckdb", monkeypatch)
    layout = at.radio(key="template_layout")
    assert layout.label == "Kiểu biểu mẫu" and layout.value == "form"
    assert [o.split(" (")[0] for o in layout.options] == ["Biểu theo đơn vị", "Bảng số liệu"]
    assert at.selectbox(key="template_commune").value == "Mường Mùn"
    period = at.selectbox(key="template_period")
    assert period.value == (2025, 3) and period.options[:2] == ["Quý III/2025", "Quý II/2025"]
    assert "template_download" in [d.key for d in at.get("download_button")]
    layout.set_value("table").run()
    assert not at.exception
    assert at.selectbox(key="template_period").value == (2025, 3)  # the tidy table's Năm and Quý are filled with it
    assert "template_download" in [d.key for d in at.get("download_button")]


def test_the_form_template_asks_for_a_commune_when_none_is_chosen(tmp_path, monkeypatch):
    at = upload_page(tmp_path / "kpis.duckdb", monkeypatch)
    at.selectbox(key="template_commune").select_index(0).run()  # "(biểu mẫu trống)": no commune
    assert not at.exception
    assert "hãy chọn một xã" in texts(at)
    assert "template_download" not in [d.key for d in at.get("download_button")]
