"""The pages over the official registry (AppTest, demo data): 34 provinces to choose from, those with
figures first; every registered commune of the chosen province listed, never-reported ones as
"Chưa có số liệu"; pick lists that follow the province; a signed-in officer starts on their own place."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from kpis import store
from kpis.output import views
from kpis.people import accounts
from tests.app_pages.test_pages import app, shown, sign_in


def registered(db: Path, province: str) -> list[str]:
    with store.connect(db) as con:
        return views.commune_choices(con, province)


def test_overview_lists_every_commune_of_the_province_and_names_a_city_as_one(
    demo_db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    at = app(demo_db, monkeypatch)
    province = at.selectbox(key="overview_province")
    assert province.value == "Điện Biên" and len(province.options) == 35  # the whole country, then the 34
    assert province.options[1:5] == ["Điện Biên", "Tuyên Quang", "Lai Châu", "Lạng Sơn"]  # the provinces with figures first
    table = at.dataframe[0].value.set_index("Xã")
    assert len(table) == 45 and pd.isna(table.loc["Nà Tấu", "Người dân tiếp cận"])
    assert table.loc["Mường Mùn"].notna().all()
    assert any("40 Chưa có số liệu" in str(c.value) for c in at.caption)  # the cards count all 45
    assert any(str(c.value).endswith("5/45 xã có số liệu.") for c in at.caption)
    at.selectbox(key="overview_province").set_value("Hà Nội").run()
    assert not at.exception
    assert at.subheader[0].value == "Thành phố Hà Nội, năm 2026: kết quả so với chỉ tiêu"
    hanoi = at.dataframe[0].value
    assert len(hanoi) == 126 and hanoi["Người dân tiếp cận"].isna().all()
    assert all(m.value == "–" for m in at.metric)  # no figure: a dash, never "nan" or "None"


def test_communes_page_commune_list_follows_the_province(demo_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    at = app(demo_db, monkeypatch)
    at.switch_page("app_pages/communes.py").run()
    commune = at.selectbox(key="communes_commune")
    assert commune.options == registered(demo_db, "Điện Biên") and commune.value == "Mường Ảng"  # the first with figures
    assert any(str(c.value).startswith("5/45 xã có số liệu chỉ tiêu này") for c in at.caption)  # under the ranking
    at.selectbox(key="communes_province").set_value("Cao Bằng").run()
    assert not at.exception
    commune = at.selectbox(key="communes_commune")
    assert commune.options == registered(demo_db, "Cao Bằng")
    assert "Hòa An" in commune.options and "Mường Ảng" not in commune.options
    assert commune.value == commune.options[0]  # none has figures: the first in alphabetical order
    trend = json.loads(at.get("plotly_chart")[-1].proto.spec)
    assert trend["layout"]["title"]["text"] == f"Xã {commune.value}: các chỉ tiêu qua các năm"
    assert "Chưa có số liệu" in json.dumps(trend["layout"]["annotations"], ensure_ascii=False)
    listing = next(d.value for d in at.dataframe if "Số liệu" in d.value.columns)  # the commune x year table
    assert len(listing) == len(commune.options) and set(listing["Số liệu"]) == {"Chưa có số liệu"}


def test_meeting_page_offers_every_commune_and_the_whole_city(demo_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    at = app(demo_db, monkeypatch)
    at.switch_page("app_pages/meeting.py").run()
    at.selectbox(key="meeting_province").set_value("Huế").run()
    assert not at.exception
    commune = at.selectbox(key="meeting_commune")
    assert commune.value is None and commune.options[0] == "(toàn thành phố)"
    assert commune.options[1:] == registered(demo_db, "Huế")


def test_an_officer_starts_on_their_own_province_and_commune(demo_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with store.connect(demo_db) as con:
        accounts.create(con, "thu.sinho", "mat-khau-sin-ho-57", "commune", "test", province="Lai Châu", communes=["Sìn Hồ"])
    at = sign_in(app(demo_db, monkeypatch), "thu.sinho", "mat-khau-sin-ho-57")
    at.switch_page("app_pages/overview.py").run()
    assert at.selectbox(key="overview_province").value == "Lai Châu"
    at.switch_page("app_pages/communes.py").run()
    assert at.selectbox(key="communes_commune").value == "Sìn Hồ"
    at.switch_page("app_pages/upload.py").run()
    assert at.selectbox(key="template_province").value == "Lai Châu"
    assert at.selectbox(key="template_commune").value == "Sìn Hồ"  # the template pre-filled for their commune
    assert not at.exception


def test_accounts_page_offers_the_chosen_provinces_communes(demo_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    admin = sign_in(app(demo_db, monkeypatch), "demo.quantri", "demo-quantri-57")
    admin.switch_page("app_pages/accounts.py").run()
    admin.selectbox(key="accounts_province").set_value("Tuyên Quang").run()
    offered = admin.multiselect(key="accounts_communes").options
    assert offered == registered(demo_db, "Tuyên Quang") and "Tuần Giáo" not in offered
    admin.text_input(key="accounts_username").input("lan.nahang")
    admin.selectbox(key="accounts_role").set_value("commune")
    admin.multiselect(key="accounts_communes").set_value(["Nà Hang"])
    admin.text_input(key="accounts_password").input("mat-khau-na-hang-57")
    next(b for b in admin.button if b.label == "Thêm tài khoản").click().run()
    assert not admin.exception
    assert any("lan.nahang" in shown(s.value) for s in admin.success)
    with store.connect(demo_db) as con:
        made = accounts.sign_in(con, "lan.nahang", "mat-khau-na-hang-57")
        place = {c.name: c for c in store.registry(con) if c.province == "Tuyên Quang"}
    assert made.may_write(place["Nà Hang"]) and not made.may_write(place["Hoà An"])
