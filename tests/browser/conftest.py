"""The real app in a subprocess, and Debian's Chromium driven by Playwright (never `playwright install`)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("KPIS_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Without a Chromium the browser tests are skipped, except in CI, where that is a failure."""
    if Path(CHROMIUM).exists() or os.environ.get("CI"):
        return
    skip = pytest.mark.skip(reason=f"no Chromium at {CHROMIUM}: apt-get install chromium (CI installs it and never skips)")
    for item in items:
        if "browser" in item.keywords:
            item.add_marker(skip)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class ServedApp:
    def __init__(self, url: str, proc: subprocess.Popen) -> None:
        self.url, self.proc = url, proc

    def stop(self) -> None:
        """End the server (and so release the database's lock)."""
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


def start_app(env: dict[str, str]) -> ServedApp:
    """`streamlit run dashboard.py` with env (KPIS_DB, ...) added, once its health check answers."""
    port = _free_port()
    command = [sys.executable, "-m", "streamlit", "run", "dashboard.py", "--server.headless", "true",
               "--server.port", str(port), "--browser.gatherUsageStats", "false"]  # fmt: skip
    proc = subprocess.Popen(command, cwd=ROOT, env={**os.environ, **env}, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    app = ServedApp(url, proc)
    deadline = time.monotonic() + 90
    while True:
        try:
            if urllib.request.urlopen(f"{url}/_stcore/health", timeout=2).read() == b"ok":
                return app
        except OSError:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            app.stop()
            out = proc.stdout.read().decode(errors="replace") if proc.stdout else ""
            raise RuntimeError(f"streamlit did not start:\n{out}")
        time.sleep(0.3)


@pytest.fixture
def served_app(demo_db: Path) -> Iterator[ServedApp]:
    """`streamlit run dashboard.py` on a private copy of the demo database."""
    app = start_app({"KPIS_DB": str(demo_db)})
    try:
        yield app
    finally:
        app.stop()


@pytest.fixture
def page() -> Iterator:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": 1400, "height": 2000}, accept_downloads=True)
        yield context.new_page()
        browser.close()


def sign_in_as_commune_officer(page) -> None:
    """On an open page of the served demo: sign in as demo.xa (Mường Mùn) in the sidebar, and wait for it."""
    sidebar = page.locator('[data-testid="stSidebar"]')
    sidebar.get_by_label("Tên đăng nhập").fill("demo.xa")
    sidebar.get_by_label("Mật khẩu").fill("demo-xa-57")
    sidebar.get_by_role("button", name="Đăng nhập").click()
    sidebar.get_by_text("Đã đăng nhập").wait_for(timeout=30_000)
