"""A person prepares a meeting in a real browser: open the meeting page, download the pack and the workbook, open them."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest
from pptx import Presentation

from tests.browser.conftest import ServedApp

pytestmark = pytest.mark.browser


def test_download_the_meeting_pack_and_workbook_from_the_page(served_app: ServedApp, page, tmp_path: Path) -> None:
    page.goto(f"{served_app.url}/meeting")
    page.get_by_role("heading", name="Tài liệu họp").wait_for(timeout=30_000)
    page.locator('[data-testid="stPlotlyChart"] .main-svg').first.wait_for(timeout=30_000)
    assert page.locator('[data-testid="stException"]').count() == 0

    # the pack is made on the server only now, on click: its first chart starts the browser kaleido uses
    with page.expect_download(timeout=180_000) as pptx_download:
        page.get_by_role("button", name="Tải bộ trình chiếu (.pptx)").click()
    pptx = tmp_path / pptx_download.value.suggested_filename
    pptx_download.value.save_as(pptx)
    assert pptx.name == "giao-ban-dien-bien-2026.pptx"
    slides = list(Presentation(str(pptx)).slides)
    assert slides[0].shapes.title.text == "Tiến độ thực hiện Chương trình truyền thông Nghị quyết 57-NQ/TW"
    assert slides[4].shapes.title.text == "Người dân được tiếp cận – năm 2026"
    assert sum(1 for s in slides for sh in s.shapes if sh.shape_type == 13) == 9  # 2 overview charts + 7 indicators
    follow_up = [s.shapes.title.text for s in slides if s.shapes.title.text.startswith(("Báo cáo quá hạn", "Nhiệm vụ quá hạn"))]
    assert follow_up[0].startswith("Báo cáo quá hạn, Tỉnh Điện Biên") and follow_up[-1].startswith("Nhiệm vụ quá hạn")

    with page.expect_download(timeout=60_000) as xlsx_download:
        page.get_by_role("button", name="Tải bảng số liệu (.xlsx)").click()
    xlsx = tmp_path / xlsx_download.value.suggested_filename
    xlsx_download.value.save_as(xlsx)
    wb = openpyxl.load_workbook(xlsx)
    assert wb.sheetnames == ["Tỉnh", "Xã", "Đơn vị", "Báo cáo quá hạn", "Nhiệm vụ quá hạn", "Ghi chú"]
    assert wb["Tỉnh"]["A2"].value == "Điện Biên"
    assert page.locator('[data-testid="stException"]').count() == 0
