"""A 5 KB workbook with one cell at XFD1048576, uploaded in a real browser: refused, and the server lives on."""

from __future__ import annotations

import urllib.request
from pathlib import Path

import pytest

from tests.browser.conftest import ServedApp, sign_in_as_commune_officer
from tests.intake.test_sandbox import far_xlsx

pytestmark = pytest.mark.browser


def test_far_cell_workbook_is_refused_and_the_server_stays_up(served_app: ServedApp, page, tmp_path: Path) -> None:
    upload = tmp_path / "o_xa.xlsx"
    upload.write_bytes(far_xlsx("XFD1048576"))
    page.goto(f"{served_app.url}/upload")
    page.get_by_text("Hãy đăng nhập").wait_for(timeout=30_000)
    sign_in_as_commune_officer(page)
    page.locator('[data-testid="stFileUploader"] input[type="file"]').set_input_files(str(upload))
    page.get_by_text("o_xa.xlsx: bị từ chối, 1 lỗi").wait_for(timeout=30_000)
    cell = page.locator('[role="gridcell"]', has_text="XFD1048576").first  # the problem table (a canvas grid) names the cell
    cell.wait_for(state="attached", timeout=15_000)
    assert "trang tính mới" in cell.inner_text()
    assert page.locator('[data-testid="stException"]').count() == 0
    assert served_app.proc.poll() is None
    assert urllib.request.urlopen(f"{served_app.url}/_stcore/health", timeout=5).read() == b"ok"
    page.goto(f"{served_app.url}/upload")  # and it still serves pages
    page.get_by_role("heading", name="Nộp báo cáo").wait_for(timeout=30_000)
