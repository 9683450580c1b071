"""Every page in a real browser, in both languages, anonymous and signed in as an administrator (who sees
every page; signed in through the English form, then switched back to Vietnamese), on the demo data and
on an empty database: no exception, and none of "None", "nan", a raw indicator code, or (on a Vietnamese
page) an English interface word, in the page's text or its tables' cells. The board's and the commune
page's screenshots go to docs/screenshots/ when KPIS_SCREENSHOTS is set.

Streamlit's own file uploader says "Drag and drop file here", "Browse files" and "Limit … per file" in
English whatever the page's language (it has no setting for them): its drop zone is left out of the check.
"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import pytest

from kpis import store
from kpis.catalog.model import default_catalog
from kpis.people import accounts
from tests.browser.conftest import ServedApp

pytestmark = pytest.mark.browser

ADMIN = ("quantri.tinh", "mat-khau-quan-tri-57")
CODES = sorted(default_catalog().indicators)
ALWAYS = [r"\bNone\b", r"\bnan\b", r"\bNaN\b", r"\bNaT\b", *(rf"\b{code}\b" for code in CODES)]
# words of the English interface that a Vietnamese page must not show
ENGLISH = [
    "Overview", "Commune", "Communes", "Province", "Indicator", "Target", "Upload", "Sign in", "Sign out",
    "Download", "Status", "Quarter", "Year", "Rate", "Report", "Demo", "Deploy", "History", "Tasks", "Meeting",
    "behind", "on track", "No data", "Plan", "Choose an option", "Select", "Submit", "Password", "Username",
]  # fmt: skip
SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


@pytest.fixture(params=["demo", "empty"])
def demo_db(request: pytest.FixtureRequest, demo_db_template: Path, tmp_path: Path) -> Path:
    """The demo database, or an empty one with only an administrator, for the served app."""
    target = tmp_path / request.param / "kpis.duckdb"
    if request.param == "demo":
        shutil.copytree(demo_db_template.parent, target.parent)
    else:
        target.parent.mkdir(parents=True)
    con = store.connect(target)
    try:
        accounts.create(con, ADMIN[0], ADMIN[1], "admin", "test", full_name="Quản trị tỉnh")
    finally:
        con.close()
    return target


def _settled(page) -> None:  # type: ignore[no-untyped-def]
    """Wait until the script run has finished and the page has drawn."""
    page.wait_for_timeout(400)
    page.wait_for_function("() => !document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=60_000)
    page.wait_for_timeout(600)


def _texts(page) -> str:  # type: ignore[no-untyped-def]
    """What the person reads: the page and the sidebar, the tables' cells, without Streamlit's uploader words."""
    page.evaluate("() => document.querySelectorAll('[data-testid=\"stFileUploaderDropzone\"]').forEach(e => e.remove())")
    parts = [page.locator('[data-testid="stMain"]').inner_text(), page.locator('[data-testid="stSidebar"]').inner_text()]
    parts += page.locator('[data-testid="stDataFrame"] [role="gridcell"]').all_inner_texts()
    parts += page.locator('[data-testid="stDataFrame"] [role="columnheader"]').all_inner_texts()
    return "\n".join(parts)


def _problems(text: str, lang: str) -> list[str]:
    found = [m.group(0) for pattern in ALWAYS for m in re.finditer(pattern, text)]
    if lang == "vi":
        found += [m.group(0) for word in ENGLISH for m in re.finditer(rf"(?<![\w.-]){re.escape(word)}(?![\w.-])", text)]
    return sorted(set(found))


def _visit_every_page(page, lang: str, who: str, kind: str, seen: list[str]) -> dict[str, list[str]]:  # type: ignore[no-untyped-def]
    bad: dict[str, list[str]] = {}
    links = page.locator('[data-testid="stSidebarNav"] a')
    for i in range(links.count()):
        link = links.nth(i)
        name = link.inner_text().strip().splitlines()[-1]  # after the icon's ligature name
        link.click()
        _settled(page)
        if page.locator('[data-testid="stException"]').count():
            bad[name] = ["exception: " + page.locator('[data-testid="stException"]').first.inner_text()[:300]]
            continue
        text = _texts(page)
        seen.append(text)
        if problems := _problems(text, lang):
            bad[f"{kind}/{lang}/{who}: {name}"] = problems
        if os.environ.get("KPIS_SCREENSHOTS") and kind == "demo" and who == "admin" and i < 2:
            SCREENSHOTS.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(SCREENSHOTS / f"{['board', 'commune'][i]}_{lang}.png"), full_page=True)
    return bad


SIGN_IN = {
    "vi": ("Tên đăng nhập", "Mật khẩu", "Đăng nhập", "Đã đăng nhập"),
    "en": ("Username", "Password", "Sign in", "Signed in"),
}


def _sign_in(page, lang: str) -> None:  # type: ignore[no-untyped-def]
    username, password, button, done = SIGN_IN[lang]
    sidebar = page.locator('[data-testid="stSidebar"]')
    sidebar.get_by_label(username, exact=True).fill(ADMIN[0])
    sidebar.get_by_label(password, exact=True).fill(ADMIN[1])
    # what a password manager looks for
    assert sidebar.get_by_label(password, exact=True).get_attribute("autocomplete") == "current-password"
    assert sidebar.get_by_label(username, exact=True).get_attribute("autocomplete") == "username"
    sidebar.get_by_role("button", name=button).click()
    sidebar.get_by_text(done).wait_for(timeout=30_000)
    _settled(page)


def _switch(page, language: str) -> None:  # type: ignore[no-untyped-def]
    page.locator('[data-testid="stSidebar"]').get_by_text(language, exact=True).click()
    _settled(page)


def test_every_page_speaks_words_in_both_languages(served_app: ServedApp, page, demo_db: Path) -> None:
    kind = demo_db.parent.name
    page.goto(served_app.url)
    page.get_by_role("heading", name="Tổng quan").wait_for(timeout=60_000)
    _settled(page)
    vi: list[str] = []
    en: list[str] = []
    bad = _visit_every_page(page, "vi", "anonymous", kind, vi)
    _switch(page, "English")
    bad |= _visit_every_page(page, "en", "anonymous", kind, en)
    _sign_in(page, "en")
    assert page.locator('[data-testid="stSidebarNav"] a').count() == 11  # the administrator's pages too
    bad |= _visit_every_page(page, "en", "admin", kind, en)
    _switch(page, "Tiếng Việt")
    bad |= _visit_every_page(page, "vi", "admin", kind, vi)
    assert not bad, bad
    # the check bites: the English pages are full of the words a Vietnamese page must not show
    assert {"Overview", "Upload", "Download"} <= set(_problems("\n".join(en), "vi"))
    if kind == "demo":  # and it reads the tables' cells, not only the text around them
        assert "Mường Mùn" in "\n".join(vi) and "Tủa Chùa" in "\n".join(vi)


@pytest.mark.parametrize("demo_db", ["demo"], indirect=True)
def test_choosing_a_row_of_the_board_opens_that_communes_page(served_app: ServedApp, page, demo_db: Path) -> None:
    """A click on the board's first row (Mường Chà, the worst) opens «Theo xã và năm» on Mường Chà."""
    page.goto(served_app.url)
    page.get_by_role("heading", name="Tổng quan").wait_for(timeout=60_000)
    _settled(page)
    grid = page.locator('[data-testid="stDataFrame"]').first
    grid.scroll_into_view_if_needed()
    box = grid.bounding_box()
    assert box is not None
    page.mouse.click(box["x"] + 16, box["y"] + 35 + 17)  # the first row's selection box, left of "Xã"
    page.get_by_role("heading", name="Theo xã và năm").wait_for(timeout=30_000)
    _settled(page)
    page.get_by_text("Xã Mường Chà, năm 2026: xếp hạng trong tỉnh và theo đà này").wait_for(timeout=30_000)
