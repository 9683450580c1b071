"""In a real browser: a file named as a Markdown image is shown as its name on the history page, the
browser never asks for the picture, and the table's toolbar offers no unescaped CSV download."""

from __future__ import annotations

from pathlib import Path

import pytest

from kpis import store
from kpis.intake.importer import import_file
from tests.browser.conftest import ServedApp
from tests.conftest import csv_bytes

pytestmark = pytest.mark.browser

IMAGE_NAME = "![x](http://127.0.0.1:9/p.png).csv"


@pytest.fixture
def demo_db(demo_db: Path) -> Path:
    """The demo database copy, plus one upload with the hostile name (before the server opens it)."""
    con = store.connect(demo_db)
    try:
        data = csv_bytes([["Điện Biên", "Mường Mùn", "Bản Pá Khoang", 2026, 3, "citizen_reach", 10, 20, ""]])
        assert import_file(con, data, IMAGE_NAME, "lan.muongmun").accepted
    finally:
        con.close()
    return demo_db


def test_history_page_shows_the_name_and_loads_no_image(served_app: ServedApp, page) -> None:
    asked: list[str] = []
    page.on("request", lambda request: asked.append(request.url))
    page.goto(f"{served_app.url}/history")
    page.get_by_role("heading", name="Lịch sử nộp").wait_for(timeout=30_000)
    label = page.locator('[data-testid="stDownloadButton"]').filter(has_text="Tải tệp gốc")
    label.wait_for(timeout=30_000)
    page.wait_for_timeout(1000)
    assert IMAGE_NAME in label.inner_text().replace("\u2060", ""), label.inner_text()
    sources = [img.get_attribute("src") or "" for img in page.locator("img").all()]
    assert not [s for s in sources if "127.0.0.1:9" in s], sources
    assert not [a for a in page.locator("a").all() if "127.0.0.1:9" in (a.get_attribute("href") or "")]
    assert not [u for u in asked if "127.0.0.1:9" in u], "the browser never asks for the picture"
    assert page.locator('[data-testid="stException"]').count() == 0

    grid = page.locator('[data-testid="stDataFrame"]').first
    grid.hover()
    page.wait_for_timeout(500)
    toolbar = page.locator('[data-testid="stElementToolbar"]')
    assert toolbar.count() >= 1, "the toolbar shows on hover (search, fullscreen)"
    assert toolbar.get_by_role("button", name="Download as CSV").count() == 0, "client.disableDataExport hides it"
    assert page.locator('[data-testid="stDownloadButton"]').filter(has_text="(.csv)").count() == 1, "our escaped CSV instead"
