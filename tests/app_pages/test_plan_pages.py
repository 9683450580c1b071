"""The plans page driven by AppTest through dashboard.py: a province puts its plan in from a workbook.

An administrator uploads Cao Bằng's first plan (a province with no plan, whose commune Thục Phán has
figures): the preview names the targets that change and the commune whose status moves; cancel writes
nothing; commit puts it in force, the page lists it with its versions and offers its export. A commune
officer's own plan waits for approval, and the province officer approves it on the same page.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb
import pytest
from streamlit.testing.v1 import AppTest

from kpis import store
from kpis.catalog.model import Plan, Target, default_catalog
from kpis.catalog.places import Places
from kpis.figures.progress import progress
from kpis.intake.importer import import_file
from kpis.intake.plan_template import plan_workbook
from kpis.intake.plan_workbook import read_plan_workbook
from kpis.people import accounts
from kpis.store import plan_book
from tests.app_pages.test_pages import admin, app, sign_in, texts
from tests.conftest import csv_bytes

AT = dt.datetime(2026, 11, 20, 9, 0)


def cao_bang_plan(number: str = "45/KH-UBND", reach: float = 85, replaces: str | None = None) -> Plan:
    return Plan(
        id="cao-bang-" + number.replace("/", "-").lower(),
        number=number,
        date=dt.date(2026, 3, 3),
        issuer="UBND tỉnh Cao Bằng",
        title_vi="Kế hoạch truyền thông Nghị quyết 57-NQ/TW tỉnh Cao Bằng",
        title_en="Cao Bằng plan for communication on Resolution 57-NQ/TW",
        province="Cao Bằng",
        province_code=4,
        source=f"Kế hoạch số {number} của UBND tỉnh Cao Bằng",
        replaces=replaces,
        targets=[
            Target(indicator="citizen_reach", year=2030, target_pct=reach),
            Target(indicator="officials_informed", year=2026, target_pct=100),
        ],
    )


def thuc_phan_figures(db: Path) -> None:
    """Thục Phán (Cao Bằng) reported citizen reach, before any plan of Cao Bằng."""
    rows = [["Cao Bằng", "Thục Phán", "Tổ 1", 2026, 3, "citizen_reach", 400, 1000, ""]]
    with store.connect(db) as con:
        assert import_file(con, csv_bytes(rows), "thuc_phan_q3.csv", "test", uploaded_at=AT).status == "accepted"


def plans_page(db: Path, monkeypatch: pytest.MonkeyPatch, who: tuple[str, str]) -> AppTest:
    at = sign_in(app(db, monkeypatch), *who)
    return at.switch_page("app_pages/plans.py").run()


def test_an_administrator_puts_cao_bangs_first_plan_in_after_a_preview(tmp_path, monkeypatch):
    db = tmp_path / "kpis.duckdb"
    thuc_phan_figures(db)
    at = plans_page(db, monkeypatch, admin(db))
    assert not at.exception
    data = plan_workbook(default_catalog(), cao_bang_plan())
    at.file_uploader(key="plan_file_0").set_value(("ke_hoach_cao_bang.xlsx", data, "application/octet-stream")).run()
    assert not at.exception, at.exception
    shown = texts(at)
    assert "Kế hoạch số 45/KH-UBND (Cao Bằng)" in shown and "2 chỉ tiêu" in shown
    targets = at.dataframe[0].value
    reach = targets[targets["Chỉ tiêu"].str.startswith("Người dân")].iloc[0]
    assert reach["Trước"] == "Không có chỉ tiêu" and reach["Sau"] == "85 % năm 2030"
    assert reach["Số xã"] == len([c for c in store.registry(duckdb.connect(str(db))) if c.province == "Cao Bằng"])
    figures = at.dataframe[1].value
    moved = figures.iloc[0]
    assert moved["Xã"] == "Thục Phán" and moved["Kết quả"] == "40,0 %"
    assert moved["Chỉ tiêu trước → sau"] == "– → 85,0 %"
    assert moved["Tình trạng trước → sau"].startswith("Chưa có chỉ tiêu → ")
    assert not figures.isna().any().any() and "None" not in figures.to_string() and "nan" not in figures.to_string()
    with duckdb.connect(str(db)) as con:
        assert plan_book.of_place(con, 4, None, plan_book.IN_FORCE) == [], "a preview writes nothing"

    at.button(key="plan_commit").click().run()
    assert not at.exception
    assert "Đã áp dụng Kế hoạch số 45/KH-UBND (Cao Bằng)." in texts(at)
    with store.connect(db) as con:
        rows = progress(con, "commune", 2026, province="Cao Bằng")
        assert rows.loc[rows["indicator"] == "citizen_reach", "target_pct"].tolist() == [85.0]
    expanders = [e.label for e in at.expander]
    assert any("Cao Bằng" in label for label in expanders)


def test_cancel_writes_nothing_and_a_bad_workbook_names_sheet_row_and_column(tmp_path, monkeypatch):
    db = tmp_path / "kpis.duckdb"
    at = plans_page(db, monkeypatch, admin(db))
    workbook = plan_workbook(default_catalog(), cao_bang_plan())
    assert read_plan_workbook(workbook, default_catalog(), Places(default_catalog().communes)).ok
    at.file_uploader(key="plan_file_0").set_value(("kh.xlsx", workbook, "application/octet-stream")).run()
    at.button(key="plan_cancel").click().run()
    assert not at.exception
    with duckdb.connect(str(db)) as con:
        assert plan_book.of_place(con, 4, None, plan_book.IN_FORCE) == []
    assert "plan_file_1" in [u.key for u in at.get("file_uploader")], "cancel clears the picker"

    broken = plan_workbook(default_catalog(), cao_bang_plan().model_copy(update={"province": "Bắc Kạn"}))
    at.file_uploader(key="plan_file_1").set_value(("sai.xlsx", broken, "application/octet-stream")).run()
    assert not at.exception
    problems = at.dataframe[0].value
    assert problems.iloc[0]["Trang"] == "Kế hoạch" and problems.iloc[0]["Cột"] == "Nội dung" and problems.iloc[0]["Dòng"] == 7
    assert "không khớp với mã 04" in problems.iloc[0]["Cần sửa"]
    assert "plan_commit" not in [b.key for b in at.button]


def test_a_commune_proposes_its_plan_and_the_province_officer_approves_it(tmp_path, monkeypatch):
    db = tmp_path / "kpis.duckdb"
    with store.connect(db) as con:
        accounts.create(con, "xa.thucphan", "mat-khau-xa-dai-57", "commune", "test", province="Cao Bằng", communes=["Thục Phán"])
        accounts.create(con, "tinh.caobang", "mat-khau-tinh-dai-57", "province", "test", province="Cao Bằng")
    own = cao_bang_plan("12/KH-UBND").model_copy(
        update={"id": "thuc-phan-12", "commune": "Thục Phán", "commune_code": 1273, "issuer": "UBND phường Thục Phán"}
    )
    at = plans_page(db, monkeypatch, ("xa.thucphan", "mat-khau-xa-dai-57"))
    at.file_uploader(key="plan_file_0").set_value(("kh_thuc_phan.xlsx", plan_workbook(default_catalog(), own), "x")).run()
    assert not at.exception
    assert "Gửi phê duyệt" in [b.label for b in at.button]
    at.button(key="plan_commit").click().run()
    assert "chờ" in texts(at) or "phê duyệt" in texts(at)
    with duckdb.connect(str(db)) as con:
        assert [v.status for v in plan_book.versions(con, "plan_id = ?", ["thuc-phan-12"])] == ["proposed"]
    assert "plan_approve" not in [b.key for b in at.button], "a commune officer cannot approve"

    boss = plans_page(db, monkeypatch, ("tinh.caobang", "mat-khau-tinh-dai-57"))
    assert not boss.exception
    boss.button(key="plan_approve").click().run()
    assert not boss.exception
    assert "Đã phê duyệt" in texts(boss)
    with duckdb.connect(str(db)) as con:
        assert [v.status for v in plan_book.versions(con, "plan_id = ?", ["thuc-phan-12"])] == ["in_force"]
        assert con.execute("SELECT count(*) FROM audit WHERE action = 'plan_approved'").fetchone()[0] == 1
    versions = next(df.value for df in boss.dataframe if "Phiên bản" in df.value.columns)
    assert "Chờ phê duyệt" not in versions["Tình trạng"].tolist()
