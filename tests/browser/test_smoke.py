"""A person's path in a real browser: open the dashboard, upload a CSV, see it accepted and counted."""

from __future__ import annotations

import os
from pathlib import Path

import duckdb
import pytest

from tests.browser.conftest import ServedApp, sign_in_as_commune_officer
from tests.conftest import csv_bytes

pytestmark = pytest.mark.browser
ROOT = Path(__file__).resolve().parents[2]


def test_open_dashboard_sign_in_upload_csv_and_see_it_accepted(
    served_app: ServedApp, page, demo_db: Path, tmp_path: Path
) -> None:
    page.goto(served_app.url)
    page.get_by_role("heading", name="Tổng quan").wait_for(timeout=30_000)
    page.get_by_text("Đây là SỐ LIỆU MINH HỌA").wait_for()
    assert page.locator('[data-testid="stException"]').count() == 0

    page.goto(f"{served_app.url}/communes")
    page.locator('[data-testid="stPlotlyChart"] .main-svg').first.wait_for(timeout=30_000)

    upload = tmp_path / "bao_cao_quy_4.csv"
    upload.write_bytes(
        csv_bytes(
            [
                [
                    "Điện Biên",
                    "Mường Mùn",
                    "Bản Pá Khoang",
                    2026,
                    "Quý IV",
                    "citizen_reach",
                    "1.200",
                    1500,
                    "tải lên từ trình duyệt",
                ],
            ]
        )
    )
    page.goto(f"{served_app.url}/upload")
    page.get_by_text("Hãy đăng nhập").wait_for(timeout=30_000)
    assert page.locator('[data-testid="stFileUploader"]').count() == 0  # no upload without an account
    sign_in_as_commune_officer(page)
    page.locator('[data-testid="stFileUploader"] input[type="file"]').set_input_files(str(upload))
    page.get_by_text("bao_cao_quy_4.csv: hợp lệ, 1 dòng").wait_for(timeout=30_000)
    if os.environ.get("KPIS_SCREENSHOTS"):  # the README's picture of a preview
        page.wait_for_timeout(1500)
        page.screenshot(path=str(ROOT / "docs" / "screenshots" / "upload_preview_vi.png"), full_page=True)
    page.get_by_role("button", name="Ghi 1 tệp hợp lệ vào cơ sở dữ liệu").click()
    page.get_by_text("bao_cao_quy_4.csv: đã nhận 1 dòng").wait_for(timeout=30_000)
    assert page.locator('[data-testid="stException"]').count() == 0

    served_app.stop()
    with duckdb.connect(str(demo_db), read_only=True) as con:
        row = con.execute(
            "SELECT s.file_name, s.uploaded_by, v.numerator, v.denominator, v.quarter FROM submission_values v "
            "JOIN submissions s ON s.id = v.submission_id WHERE s.file_name = 'bao_cao_quy_4.csv'"
        ).fetchall()
        audited = con.execute(
            "SELECT actor FROM audit WHERE action = 'upload_accepted' AND subject = 'bao_cao_quy_4.csv'"
        ).fetchall()
    assert row == [("bao_cao_quy_4.csv", "demo.xa", 1200, 1500, 4)]
    assert audited == [("demo.xa",)]


def test_bookmark_to_a_page_right_after_start_keeps_the_navigation(served_app: ServedApp, page) -> None:
    """Right after a server start, /upload must still run inside dashboard.py (sidebar, language, notice)."""
    page.goto(f"{served_app.url}/upload")
    page.get_by_role("heading", name="Nộp báo cáo").wait_for(timeout=30_000)
    nav = page.locator('[data-testid="stSidebarNav"]')
    nav.get_by_text("Tổng quan").wait_for()
    assert "dashboard" not in nav.inner_text()
    page.get_by_text("Ngôn ngữ / Language").wait_for()
    page.get_by_text("Đây là SỐ LIỆU MINH HỌA").wait_for()
