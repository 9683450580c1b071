"""Every page driven by Streamlit's AppTest, on the demo data and on an empty database."""

from __future__ import annotations

import json
import re
from pathlib import Path

import duckdb
import pytest
from streamlit.testing.v1 import AppTest

from kpis import store
from kpis.people import accounts
from tests.conftest import csv_bytes

ROOT = Path(__file__).resolve().parents[2]
PAGES = sorted(str(p.relative_to(ROOT)) for p in (ROOT / "app_pages").glob("*.py"))
assert PAGES, "no page files found: the parametrised tests below would silently run nothing"


def app(db: Path, monkeypatch: pytest.MonkeyPatch, lang: str | None = None) -> AppTest:
    monkeypatch.setenv("KPIS_DB", str(db))
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=60)
    if lang:
        at.session_state["lang"] = lang
    at.run()
    # Widget ids depend on the page being run; land on a named page so later clicks keep their widgets.
    return at.switch_page("app_pages/overview.py").run()


def sign_in(at: AppTest, username: str, password: str) -> AppTest:
    """Sign in through the sidebar form, as a person would."""
    at.text_input(key="sidebar_username").input(username)
    at.text_input(key="sidebar_password").input(password)
    at.button(key="sidebar_sign_in").click().run()
    assert "_account" in at.session_state, [e.value for e in at.error]
    return at


def officer(db: Path) -> tuple[str, str]:
    """A commune officer for Mường Mùn in the database at db."""
    with store.connect(db) as con:
        accounts.create(con, "lan.muongmun", "mat-khau-57-dai", "commune", "test", province="Điện Biên", communes=["Mường Mùn"])
    return "lan.muongmun", "mat-khau-57-dai"


def shown(body: object) -> str:
    """The text a person reads in a Markdown body: backslash escapes (kpis.core.markdown) resolved, joiners dropped."""
    return re.sub(r"\\(.)", r"\1", str(body)).replace("\u2060", "")


def texts(at: AppTest) -> str:
    parts = [e.value for kind in ("markdown", "caption", "info", "success", "error", "title", "subheader") for e in at.get(kind)]
    return shown("\n".join(str(p) for p in parts))


ADMIN_ONLY = {"app_pages/accounts.py", "app_pages/audit.py"}


def admin(db: Path) -> tuple[str, str]:
    """An administrator in the database at db (the demo database has its own demo one)."""
    with store.connect(db) as con:
        if accounts.get(con, "demo.quantri") is not None:
            return "demo.quantri", "demo-quantri-57"
        accounts.create(con, "quantri", "mat-khau-quan-tri", "admin", "test")
    return "quantri", "mat-khau-quan-tri"


@pytest.mark.parametrize("page", PAGES)
@pytest.mark.parametrize("database", ["demo", "empty"])
@pytest.mark.parametrize("who", ["anonymous", "admin"])
def test_page_runs(page: str, database: str, who: str, demo_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    db = demo_db if database == "demo" else tmp_path / "empty" / "kpis.duckdb"
    at = app(db, monkeypatch)
    assert not at.exception
    if who == "admin":
        at = sign_in(at, *admin(db))
        assert not at.exception
    if who == "anonymous" and page in ADMIN_ONLY:
        with pytest.raises(ValueError, match="Could not find a navigation page"):
            at.switch_page(page)
        return
    at.switch_page(page).run()
    assert not at.exception, [e.value for e in at.exception]


def test_overview_on_demo_shows_cards_table_and_demo_notice(demo_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    at = app(demo_db, monkeypatch)
    assert "SỐ LIỆU MINH HỌA" in texts(at)
    assert at.title[0].value == "Tổng quan"
    assert len(at.metric) == 7
    assert at.selectbox(key="overview_province").value == "Điện Biên"
    assert at.selectbox(key="overview_year").value == 2026
    table = at.dataframe[0].value
    assert "Mường Mùn" in set(table["Xã"])


def test_overview_in_english(demo_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    at = app(demo_db, monkeypatch, lang="en")
    assert at.title[0].value == "Overview"
    assert "DEMO DATA" in texts(at)
    assert "Commune" in at.dataframe[0].value.columns


def test_empty_database_says_there_is_nothing_yet(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    at = app(tmp_path / "new.duckdb", monkeypatch)
    assert "Chưa có số liệu nào" in texts(at)
    assert "SỐ LIỆU MINH HỌA" not in texts(at)


def test_communes_page_draws_bar_and_trend_charts(demo_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    at = app(demo_db, monkeypatch)
    at.switch_page("app_pages/communes.py").run()
    charts = at.get("plotly_chart")
    assert len(charts) == 2
    bars = json.loads(charts[0].proto.spec)
    assert bars["layout"]["title"]["text"] == "Người dân được tiếp cận, năm 2026"
    assert {trace["name"] for trace in bars["data"]} >= {"Chỉ tiêu"}
    at.selectbox(key="communes_commune").set_value("Mường Mùn").run()
    trend = json.loads(at.get("plotly_chart")[1].proto.spec)
    assert trend["layout"]["title"]["text"] == "Xã Mường Mùn: các chỉ tiêu qua các năm"


def test_plans_page_lists_targets_and_the_on_track_rule(demo_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    at = app(demo_db, monkeypatch)
    at.switch_page("app_pages/plans.py").run()
    assert "lộ trình thẳng" in texts(at)
    assert len(at.expander) == 5
    frames = [d.value for d in at.dataframe]
    muong_mun = next(
        f for f in frames if "Trích Kế hoạch" in f.columns and f["Trích Kế hoạch"].str.contains("xã được đào tạo").any()
    )
    assert "Mã" not in muong_mun.columns  # people read names; codes are for machines
    staff = muong_mun[muong_mun["Chỉ tiêu"].str.contains("được đào tạo, bồi dưỡng kỹ năng truyền thông số")]
    assert staff["Chỉ tiêu (%)"].tolist() == [70.0] and staff["Năm chỉ tiêu"].tolist() == [2030]


def test_upload_accepts_a_valid_file_and_shows_what_changed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    db = tmp_path / "up.duckdb"
    rows = [
        ["Điện Biên", "Mường Mùn", "Bản Na Sang", 2025, 3, "citizen_reach", 450, 500, ""],
        ["Điện Biên", "Mường Mùn", "Bản Huổi Lóng", 2025, 3, "citizen_reach", 100, 1000, ""],
    ]
    user = officer(db)
    at = sign_in(app(db, monkeypatch), *user)
    at.switch_page("app_pages/upload.py").run()
    at.file_uploader(key="upload_files_0").set_value(("quy3.csv", csv_bytes(rows), "text/csv")).run()
    assert "quy3.csv: hợp lệ, 2 dòng" in texts(at)
    at.button(key="upload_commit").click().run()
    assert not at.exception
    assert "quy3.csv: đã nhận 2 dòng" in texts(at)
    assert [v.split(" · ")[0] for v in at.dataframe[0].value["Số liệu mới"]] == ["450/500", "100/1.000"]
    with duckdb.connect(str(db), read_only=False) as con:
        assert con.execute("SELECT count(*) FROM submission_values").fetchone()[0] == 2
    at.switch_page("app_pages/overview.py").run()
    assert at.metric[0].value == "36,7 %"


def test_upload_refuses_a_bad_file_and_names_row_and_column(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    db = tmp_path / "bad.duckdb"
    rows = [["Điện Biên", "Mường Mùn", "Bản A", 2025, 3, "citizen_reach", "12,5", 500, ""]]
    user = officer(db)
    at = sign_in(app(db, monkeypatch), *user)
    at.switch_page("app_pages/upload.py").run()
    at.file_uploader(key="upload_files_0").set_value(("sai.csv", csv_bytes(rows), "text/csv")).run()
    assert "sai.csv: bị từ chối, 1 lỗi" in texts(at)
    problems = at.dataframe[0].value
    assert problems.iloc[0]["Dòng"] == 2 and problems.iloc[0]["Cột"] == "numerator"
    assert "upload_commit" not in [b.key for b in at.button]
