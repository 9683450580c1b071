"""The leaders' board on the overview (AppTest, demo data): every commune with its figures and statuses,
the filters, the country's board of provinces, ranks and pace, both languages, and a row opening its page."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.app_pages.test_pages import app, texts

REACH = "Người dân tiếp cận"  # the board's short header (indicators.toml column_vi)


def test_the_board_lists_every_commune_worst_first_with_its_latest_report(demo_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    at = app(demo_db, monkeypatch)
    board = at.dataframe[0].value
    assert len(board) == 45 and board.columns[:2].tolist() == ["Xã", "Báo cáo Quý I/2026"]
    assert board["Chậm tiến độ"].iloc[0] == board["Chậm tiến độ"].max()  # worst first
    assert board.loc[board["Xã"] == "Nà Tấu", "Báo cáo Quý I/2026"].item() == "✖ chưa nộp"
    assert 0 < board[REACH].max() <= 100  # figures stay numbers, so the columns sort as numbers
    assert "✔ Đạt · ➚ Đúng tiến độ" in texts(at)


@pytest.mark.parametrize(("show", "rows"), [("behind", 5), ("not_reported", 40)])
def test_the_filters(demo_db: Path, monkeypatch: pytest.MonkeyPatch, show: str, rows: int) -> None:
    at = app(demo_db, monkeypatch)
    at.radio(key="overview_show").set_value(show).run()
    assert not at.exception
    assert len(at.dataframe[0].value) == rows


def test_the_ranking_gives_ranks_moves_and_pace(demo_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    at = app(demo_db, monkeypatch)
    ranking = at.dataframe[1].value
    assert ranking.columns.tolist() == [
        "Xếp hạng", "Thay đổi so với quý trước", "Xã", "Tỷ lệ", "Chỉ tiêu Kế hoạch (năm)", "Theo đà này", "Báo cáo Quý I/2026",
    ]  # fmt: skip
    ranked = ranking[ranking["Xếp hạng"].notna()]
    assert ranked["Xếp hạng"].tolist() == sorted(ranked["Xếp hạng"]) and len(ranked) == 5
    assert ranking["Xếp hạng"].isna().sum() == 40 and set(ranking["Tỷ lệ"].tail(40)) == {"? Chưa có số liệu"}
    assert all(p.startswith(("Đạt vào năm", "Đã đạt", "Không đạt", "Chưa đủ")) for p in ranked["Theo đà này"])
    assert ranked["Tỷ lệ"].str.match(r"^[✔➚✖–] \d+,\d %$").all()  # the Vietnamese number format
    assert "Cách tính «Theo đà này»" in [e.label for e in at.expander]


def test_the_country_board_has_the_34_provinces_and_a_country_headline(demo_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    at = app(demo_db, monkeypatch)
    at.selectbox(key="overview_province").select_index(0).run()  # the whole country
    assert not at.exception
    board = at.dataframe[0].value
    assert len(board) == 34 and board.columns[0] == "Tỉnh"
    latest = board.columns[1]
    assert board.loc[board["Tỉnh"] == "Hà Nội", latest].item().startswith("0/126 xã đã gửi")
    assert at.subheader[0].value.startswith("Toàn quốc, năm 2026")
    assert len(at.metric) == 7 and all("%" in m.value for m in at.metric)


def test_the_board_in_english(demo_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    at = app(demo_db, monkeypatch, lang="en")
    board = at.dataframe[0].value
    assert board.columns[:2].tolist() == ["Commune", "Report for Q1 2026"]
    ranking = at.dataframe[1].value
    assert ranking["Rate"].str.match(r"^([✔➚✖–] \d+\.\d%|\? No data)$").all()
    assert "pts on a year before" in " ".join(str(m.proto.delta) for m in at.metric)
    assert "a year before (Q3 2025)" in " ".join(str(m.proto.help) for m in at.metric)


def test_a_link_from_the_board_opens_the_commune_page_on_that_commune(demo_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """What a chosen row does (ui.goto): the commune page opens with the province and commune picked."""
    at = app(demo_db, monkeypatch)
    at.session_state["_goto"] = {"communes_province": "Điện Biên", "communes_commune": "Tủa Chùa"}
    at.switch_page("app_pages/communes.py").run()
    assert not at.exception
    assert at.selectbox(key="communes_commune").value == "Tủa Chùa"
    at.run()  # used once: afterwards the page keeps what the person picks
    assert at.selectbox(key="communes_commune").value == "Tủa Chùa" and not at.session_state["_goto"]


def test_the_commune_page_shows_its_rank_and_pace(demo_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    at = app(demo_db, monkeypatch)
    at.switch_page("app_pages/communes.py").run()
    at.selectbox(key="communes_commune").set_value("Mường Chà").run()
    assert not at.exception
    summary = next(d.value for d in at.dataframe if "Theo đà này" in d.value.columns).set_index("Chỉ tiêu")
    assert len(summary) == 7
    reach = summary.loc["Người dân được tiếp cận"]
    assert reach["Xếp hạng"].startswith("5/5") and reach["Theo đà này"].startswith(("Đạt vào năm", "Không đạt"))
    assert "Cách tính «Theo đà này»" in [e.label for e in at.expander]
    at.selectbox(key="communes_commune").set_value("Nà Tấu").run()  # never reported: words, not None
    silent = next(d.value for d in at.dataframe if "Theo đà này" in d.value.columns)
    assert set(silent["Tỷ lệ"]) == {"? Chưa có số liệu"} and set(silent["Xếp hạng"]) == {""}


def test_the_history_page_names_each_submissions_communes_and_quarters_with_dates_as_people_write_them(
    demo_db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    at = app(demo_db, monkeypatch)
    at.switch_page("app_pages/history.py").run()
    assert not at.exception
    table = at.dataframe[0].value
    assert {"Xã", "Kỳ báo cáo"} <= set(table.columns)
    assert table["Thời điểm"].str.fullmatch(r"\d\d/\d\d/\d{4} \d\d:\d\d").all()  # not ISO
    assert table["Kỳ báo cáo"].str.startswith("Quý ").all() and (table["Xã"] != "").all()
    pick = at.selectbox(key="history_pick")
    first = pick.options[0]  # AppTest gives the options as shown
    assert first.startswith("Số ") and " · Quý " in first, first
