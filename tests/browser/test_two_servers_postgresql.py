"""Two Streamlit server processes on one PostgreSQL database, driven in Chromium, and the command line beside them.

An upload through one server shows on the other's history page; two uploads through the two servers at the
same moment, with a command-line import at that moment too, all land, each once, with its journal line.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from kpis import store
from kpis.people import accounts
from kpis.store import journal
from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, ROOT, start_app
from tests.conftest import csv_bytes
from tests.postgres_server import Server

pytestmark = pytest.mark.browser
PASSWORD = "mat-khau-hai-may-57"
SEND = "Ghi 1 tệp hợp lệ vào cơ sở dữ liệu"


def report(quarter: int, reached: int) -> bytes:
    rows = [["Điện Biên", "Mường Mùn", "Bản Na Sang", 2025, quarter, "citizen_reach", reached, 500, ""]]
    return csv_bytes(rows)


@pytest.fixture
def shared(postgres_server: Server, tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """A fresh database on the server with one commune officer, and the folder its journal and files live in."""
    files = tmp_path / "files"
    url = postgres_server.fresh_database(files)
    os.environ["KPIS_FILES"] = str(files)
    try:
        con = store.connect(url)
        accounts.create(con, "lan.mm", PASSWORD, "commune", "test", province="Điện Biên", communes=["Mường Mùn"])
        con.close()
        yield url, files
    finally:
        os.environ.pop("KPIS_FILES", None)
        postgres_server.drop(url)


def choose(page, path: Path) -> None:
    """Put a file in the upload page's box and wait for its preview."""
    page.locator('[data-testid="stFileUploader"] input[type="file"]').set_input_files(str(path))
    page.get_by_text(f"{path.name}: hợp lệ, 1 dòng").wait_for(timeout=60_000)


def sign_in(page, address: str, where: str) -> None:
    page.goto(f"{address}/{where}")
    sidebar = page.locator('[data-testid="stSidebar"]')
    sidebar.get_by_label("Tên đăng nhập").fill("lan.mm")
    sidebar.get_by_label("Mật khẩu").fill(PASSWORD)
    sidebar.get_by_role("button", name="Đăng nhập").click()
    sidebar.get_by_text("Đã đăng nhập").wait_for(timeout=60_000)


def test_two_servers_and_the_command_line_share_one_postgresql_store(shared: tuple[str, Path], tmp_path: Path) -> None:
    from playwright.sync_api import sync_playwright

    url, files = shared
    uploads = {}
    files_made = (("quy1.csv", 1, 300), ("quy2_a.csv", 2, 350), ("quy3_b.csv", 3, 400), ("quy4_cli.csv", 4, 450))
    for name, quarter, reached in files_made:
        uploads[name] = tmp_path / name
        uploads[name].write_bytes(report(quarter, reached))
    apps = [start_app({"KPIS_DB": url, "KPIS_FILES": str(files)}) for _ in range(2)]
    servers = [app.url for app in apps]
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            a = browser.new_context(viewport={"width": 1400, "height": 2000}).new_page()
            b = browser.new_context(viewport={"width": 1400, "height": 2000}).new_page()
            sign_in(a, servers[0], "upload")
            sign_in(b, servers[1], "upload")

            # one upload through A shows on B's history page
            choose(a, uploads["quy1.csv"])
            a.get_by_role("button", name=SEND).click()
            a.get_by_text("quy1.csv: đã nhận 1 dòng").wait_for(timeout=60_000)
            b.goto(f"{servers[1]}/history")
            b.locator('[role="gridcell"]', has_text="quy1.csv").first.wait_for(state="attached", timeout=60_000)

            # two uploads at once through A and B, and the command line at the same moment
            sign_in(a, servers[0], "upload")  # a page load is a new session: signed in again
            sign_in(b, servers[1], "upload")
            choose(a, uploads["quy2_a.csv"])
            choose(b, uploads["quy3_b.csv"])
            env = {**os.environ, "KPIS_FILES": str(files)}
            cli = subprocess.Popen([sys.executable, "-m", "kpis", "import", "--db", url, str(uploads["quy4_cli.csv"])],
                                   cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)  # fmt: skip
            a.get_by_role("button", name=SEND).click()
            b.get_by_role("button", name=SEND).click()
            a.get_by_text("quy2_a.csv: đã nhận 1 dòng").wait_for(timeout=60_000)
            b.get_by_text("quy3_b.csv: đã nhận 1 dòng").wait_for(timeout=60_000)
            out, err = cli.communicate(timeout=120)
            assert cli.returncode == 0, err.decode()
            assert "quy4_cli.csv: đã nhận 1 dòng" in out.decode()
            for page in (a, b):
                assert page.locator('[data-testid="stException"]').count() == 0
            browser.close()
    finally:
        for app in apps:
            app.stop()

    con = store.connect(url)
    try:
        landed = con.execute(
            "SELECT s.file_name, v.quarter, v.numerator FROM submissions s JOIN submission_values v ON v.submission_id = s.id"
            " ORDER BY v.quarter"
        ).fetchall()
        assert landed == [("quy1.csv", 1, 300), ("quy2_a.csv", 2, 350), ("quy3_b.csv", 3, 400), ("quy4_cli.csv", 4, 450)]
        lines = [e for e in store.read_journal(store.db_file(con)) if isinstance(e, journal.Submission)]
        assert sorted(e.file_name for e in lines) == sorted(uploads)
        assert len({e.submission_id for e in lines}) == 4
    finally:
        con.close()
