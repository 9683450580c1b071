"""The pages' tables and pick lists over the official registry: every registered commune of the chosen
province is listed, those that never reported as "Chưa có số liệu"; the provinces with figures come first."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from kpis import store
from kpis.core.text import fold
from kpis.intake.importer import import_file
from kpis.output import board_view, meeting, views
from tests.conftest import csv_bytes


def row(commune: str, unit: str, numerator: int, denominator: int, province: str = "Điện Biên", year: int = 2026) -> list:
    return [province, commune, unit, year, 2, "citizen_reach", numerator, denominator, ""]


@pytest.fixture
def two_provinces(con: duckdb.DuckDBPyConnection) -> duckdb.DuckDBPyConnection:
    """Two communes of Điện Biên and one of Lai Châu report; every other registered commune has sent nothing."""
    rows = [
        row("Mường Mùn", "Bản A", 300, 500),
        row("Tuần Giáo", "Bản C", 450, 500),
        row("Tuần Giáo", "Bản C", 400, 500, year=2025),
        row("Bình Lư", "Bản D", 100, 400, province="Lai Châu"),
    ]
    assert import_file(con, csv_bytes(rows), "q2.csv").accepted
    return con


def test_the_province_list_has_all_34_with_those_reporting_first(two_provinces: duckdb.DuckDBPyConnection) -> None:
    provinces = views.province_choices(two_provinces)
    assert len(provinces) == 34 == len(set(provinces))
    assert provinces[:3] == ["Điện Biên", "Lai Châu", "Hà Nội"]  # most reporting communes first, then the official order
    official = [r[0] for r in two_provinces.execute("SELECT name FROM provinces ORDER BY code").fetchall()]
    assert provinces[2:] == [p for p in official if p not in ("Điện Biên", "Lai Châu")]


def test_an_empty_database_offers_the_official_order(con: duckdb.DuckDBPyConnection) -> None:
    provinces = views.province_choices(con)
    assert len(provinces) == 34 and provinces[:3] == ["Hà Nội", "Cao Bằng", "Tuyên Quang"]
    assert meeting.resolve_area(con) == meeting.Area("Hà Nội")  # the CLI's default is the pages' default


def test_the_commune_list_is_the_chosen_provinces_whole_registry_in_vietnamese_order(
    two_provinces: duckdb.DuckDBPyConnection,
) -> None:
    dien_bien = views.commune_choices(two_provinces, "Điện Biên")
    registered = two_provinces.execute("SELECT count(*) FROM communes WHERE province = 'Điện Biên'").fetchone()[0]
    assert len(dien_bien) == registered == 45 and {"Mường Mùn", "Nà Tấu", "Điện Biên Phủ"} <= set(dien_bien)
    assert dien_bien == sorted(dien_bien, key=fold) and dien_bien.index("Mường Lạn") < dien_bien.index("Mường Lay")
    assert "Bình Lư" not in dien_bien and "Bình Lư" in views.commune_choices(two_provinces, "Lai Châu")
    # a name written two ways by the official list is each province's own spelling
    assert "Hòa An" in views.commune_choices(two_provinces, "Cao Bằng")
    assert "Hoà An" in views.commune_choices(two_provinces, "Tuyên Quang")
    assert views.communes_with_data(two_provinces, "Điện Biên") == ["Mường Mùn", "Tuần Giáo"]


def test_the_board_lists_every_registered_commune_and_says_which_have_no_data(
    two_provinces: duckdb.DuckDBPyConnection,
) -> None:
    as_of = dt.date(2026, 11, 15)
    b = board_view.leaders_board(two_provinces, 2026, "Điện Biên", as_of)
    names = board_view.indicator_names(two_provinces, "vi")
    table, styled = board_view.matrix(b, names, "vi")
    assert len(table) == 45 and "Tỉnh" not in table.columns  # one province: its name is in the page's heading
    assert table.columns[0] == "Xã" and table.columns[-1] == "Chậm tiến độ"
    by_name = table.set_index("Xã")
    assert by_name.loc["Mường Mùn", "Người dân tiếp cận"] == pytest.approx(60.0)
    never = by_name.loc["Nà Tấu"]
    assert pd.isna(never["Người dân tiếp cận"]) and pd.isna(never["Chậm tiến độ"])
    html = styled.to_html()
    assert "60,0 %" in html and "#" in html  # the figure in the Vietnamese format, on its status's tint
    assert board_view.board_note(b, "vi").endswith("2/45 xã có số liệu.")
    english = board_view.leaders_board(two_provinces, 2026, "Điện Biên", as_of)
    assert board_view.board_note(english, "en").endswith("2/45 communes have figures.")
    nowhere = board_view.matrix(board_view.leaders_board(two_provinces, 2026, "Hà Nội", as_of), names, "vi")[0]
    assert len(nowhere) == 126 and nowhere["Người dân tiếp cận"].isna().all()  # a province without figures: all listed


def test_the_commune_year_listing_has_every_commune_and_the_heatmap_only_those_with_figures(
    two_provinces: duckdb.DuckDBPyConnection,
) -> None:
    listing = views.commune_year_listing(two_provinces, "citizen_reach", "Điện Biên", "vi").set_index("Xã")
    assert len(listing) == 45 and list(listing.columns) == ["Số liệu", "2025", "2026"]
    assert listing.loc["Tuần Giáo", "Số liệu"] == "2/2 năm" and listing.loc["Mường Mùn", "Số liệu"] == "1/2 năm"
    assert listing.loc["Búng Lao", "Số liệu"] == "Chưa có số liệu" and listing.loc["Búng Lao"][["2025", "2026"]].isna().all()
    heat = views.commune_year_table(two_provinces, "citizen_reach", "Điện Biên", "vi")
    assert list(heat["Xã"]) == ["Mường Mùn", "Tuần Giáo"]


def test_summary_counts_count_the_registered_communes_of_the_area(two_provinces: duckdb.DuckDBPyConnection) -> None:
    reach = next(c for c in views.overview_cards(two_provinces, 2026, "Điện Biên", "vi") if c.code == "citizen_reach")
    assert sum(reach.counts.values()) == 45 and reach.counts["no_data"] == 43
    assert (reach.numerator, reach.denominator) == (750, 1000)  # the province's figure: sums over its units, as before


def test_an_area_is_named_with_its_official_kind(con: duckdb.DuckDBPyConnection) -> None:
    assert meeting.area(con, "Điện Biên").title("vi") == "Tỉnh Điện Biên"
    assert meeting.area(con, "Huế").title("vi") == "Thành phố Huế" and meeting.area(con, "Huế").name("en") == "Huế city"
    ward = meeting.area(con, "Điện Biên", "Điện Biên Phủ")
    assert ward.name("vi") == "phường Điện Biên Phủ, tỉnh Điện Biên" and ward.place("vi") == "Phường Điện Biên Phủ"
    assert ward.name("en") == "Điện Biên Phủ ward, Điện Biên province"
    assert meeting.area(con, "Điện Biên", "Mường Mùn").title("vi") == "Xã Mường Mùn, tỉnh Điện Biên"
    assert meeting.area(con, "Quảng Ninh", "Cô Tô").place("vi") == "Đặc khu Cô Tô"
    assert ward == meeting.Area("Điện Biên", "Điện Biên Phủ")  # the kind names an area; it does not make it another
    assert meeting.resolve_area(con, "hue").province_kind == "Thành phố"


def test_the_demo_pages_list_the_demo_communes_under_their_official_names(demo_db: Path) -> None:
    con = store.connect(demo_db)
    demo = {
        "Điện Biên": {"Mường Mùn", "Mường Ảng", "Tuần Giáo", "Mường Chà", "Tủa Chùa"},
        "Tuyên Quang": {"Hoà An", "Chiêm Hoá", "Nà Hang"},
        "Lạng Sơn": {"Hoàng Văn Thụ", "Đồng Đăng", "Lộc Bình"},
        "Lai Châu": {"Bình Lư", "Phong Thổ", "Sìn Hồ"},
    }
    assert views.province_choices(con)[:4] == ["Điện Biên", "Tuyên Quang", "Lai Châu", "Lạng Sơn"]
    for province, communes in demo.items():
        assert set(views.communes_with_data(con, province)) == communes
        assert communes < set(views.commune_choices(con, province))
    assert "Tam Đường" not in {c for p in demo for c in views.commune_choices(con, p)}  # not a commune since 1/7/2025
    con.close()


def test_the_upload_preview_compares_with_the_quarter_before_and_flags_big_moves(con: duckdb.DuckDBPyConnection) -> None:
    from kpis.intake.importer import import_file, preview
    from tests.conftest import csv_bytes

    def rows(year: int, quarter: int, a: int, b: int) -> bytes:
        return csv_bytes(
            [
                ["Điện Biên", "Mường Mùn", "Bản A", year, quarter, "citizen_reach", a, 500, ""],
                ["Điện Biên", "Mường Mùn", "Bản B", year, quarter, "citizen_reach", b, 500, ""],
            ]
        )

    assert import_file(con, rows(2025, 4, 100, 250), "q4.csv").accepted
    seen = preview(con, rows(2026, 1, 400, 260), "q1.csv")  # Q1 2026 follows Q4 2025
    table = views.changes_table(seen.changes, con, "vi")
    assert table["Quý trước"].tolist() == ["100/500 · 20,0 %", "250/500 · 50,0 %"]
    assert table["Thay đổi so với quý trước"].tolist() == ["+60,0 điểm %", "+2,0 điểm %"]
    assert table["Cần xem lại"].tolist() == ["⚠ Tăng hơn 20 điểm % so với quý trước: kiểm tra lại số", ""]
    assert table["Đang có, cùng quý"].tolist() == ["Mới (chưa có)", "Mới (chưa có)"]
    down = views.changes_table(preview(con, rows(2026, 1, 0, 100), "q1b.csv").changes, con, "en")
    assert down["Change since the quarter before"].tolist() == ["−20.0 pts", "−30.0 pts"]
    assert down["To check"].tolist()[0] == ""  # exactly the limit: not flagged
    assert down["To check"].tolist()[1].startswith("⚠ Down more than 20 points")


def test_an_import_tells_the_page_what_it_replaced_only_when_asked(con: duckdb.DuckDBPyConnection) -> None:
    """The upload page shows, after the commit, the values each row replaced (with_changes); the command line,
    the demo and rebuild do not ask, and skip the query."""

    def q3(a: int) -> bytes:
        return csv_bytes([["Điện Biên", "Mường Mùn", "Bản A", 2025, 3, "citizen_reach", a, 500, ""]])

    assert import_file(con, q3(100), "q3.csv").changes.empty
    second = import_file(con, q3(120), "q3_sua.csv", with_changes=True)
    assert second.status == "accepted"
    replaced = second.changes[["old_numerator", "old_denominator", "numerator", "denominator"]]
    assert replaced.values.tolist() == [[100, 500, 120, 500]]
    assert import_file(con, q3(130), "q3_sua2.csv").changes.empty
