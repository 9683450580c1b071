"""The leaders' board on real imports: every registered commune, figures as aggregate counts, ranks
with ties, moves since the previous quarter, the headline's change since a year before, reporting state."""

from __future__ import annotations

import datetime as dt

import duckdb
import pandas as pd
import pytest

from kpis.figures.board import board, ranks
from kpis.intake.importer import import_file
from tests.conftest import csv_bytes

AS_OF = dt.date(2026, 11, 15)
UNIT = "Văn phòng HĐND và UBND xã"


def send(con: duckdb.DuckDBPyConnection, rows: list[tuple], at: dt.datetime, province: str = "Điện Biên") -> None:
    """(commune, year, quarter, numerator, denominator) rows of citizen_reach, as one real file."""
    body = [[province, c, UNIT, y, q, "citizen_reach", n, d, ""] for c, y, q, n, d in rows]
    result = import_file(con, csv_bytes(body), f"board_{at:%Y%m%d%H%M}.csv", "test", uploaded_at=at)
    assert result.status == "accepted", result.messages("en")


@pytest.fixture
def filled(con: duckdb.DuckDBPyConnection) -> duckdb.DuckDBPyConnection:
    send(con, [("Mường Chà", 2025, 2, 40, 100)], dt.datetime(2025, 7, 5))
    send(con, [("Mường Chà", 2026, 1, 50, 100), ("Tủa Chùa", 2026, 1, 70, 100)], dt.datetime(2026, 4, 5))
    send(
        con,
        [("Mường Chà", 2026, 2, 60, 100), ("Tủa Chùa", 2026, 2, 110, 200), ("Tuần Giáo", 2026, 2, 55, 100)],
        dt.datetime(2026, 6, 5),
    )
    return con


def cell(b, commune: str) -> dict:  # type: ignore[no-untyped-def]
    rows = b.cells[(b.cells["commune"] == commune) & (b.cells["indicator"] == "citizen_reach")]
    assert len(rows) == 1
    return rows.iloc[0].to_dict()


def test_every_registered_commune_is_a_row_and_the_silent_ones_say_no_data(filled: duckdb.DuckDBPyConnection) -> None:
    b = board(filled, 2026, "Điện Biên", AS_OF)
    registered = filled.execute("SELECT count(*) FROM communes WHERE province = 'Điện Biên'").fetchone()[0]
    indicators = filled.execute("SELECT count(*) FROM indicators").fetchone()[0]
    assert len(b.cells) == registered * indicators and registered > 3
    silent = cell(b, "Mường Ảng")
    assert silent["status"] == "no_data" and pd.isna(silent["rank"]) and pd.isna(silent["pace"])
    assert b.quarter == (2026, 2)


def test_ranks_share_ties_and_moves_count_places_since_the_previous_quarter(filled: duckdb.DuckDBPyConnection) -> None:
    b = board(filled, 2026, "Điện Biên", AS_OF)
    cha, tua, tuan = cell(b, "Mường Chà"), cell(b, "Tủa Chùa"), cell(b, "Tuần Giáo")
    assert (cha["rank"], tua["rank"], tuan["rank"]) == (1, 2, 2)  # 60 %, 55 %, 55 %
    assert (cha["previous_rank"], tua["previous_rank"]) == (2, 1)  # Q1: 50 %, 70 %
    assert (cha["move"], tua["move"]) == (1, -1)
    assert pd.isna(tuan["previous_rank"]) and pd.isna(tuan["move"])  # not ranked in Q1


def test_the_headline_is_the_sum_of_counts_and_its_change_since_the_same_quarter_a_year_before(
    filled: duckdb.DuckDBPyConnection,
) -> None:
    head = board(filled, 2026, "Điện Biên", AS_OF).headline.set_index("indicator").loc["citizen_reach"]
    assert head["numerator"] == 60 + 110 + 55 and head["denominator"] == 400
    assert head["value_pct"] == pytest.approx(225 / 4)  # not the mean of 60, 55 and 55
    assert head["last_year_pct"] == pytest.approx(40.0)
    assert head["change_pts"] == pytest.approx(225 / 4 - 40)
    assert head["target_pct"] == 80.0 and head["target_year"] == 2030


def test_pace_follows_the_reported_quarters(filled: duckdb.DuckDBPyConnection) -> None:
    b = board(filled, 2026, "Điện Biên", AS_OF)
    # 40 (Q2/2025), 50 (Q1/2026), 60 (Q2/2026): the least-squares line rises 4.6 points a quarter, 80 in Q3/2027
    assert cell(b, "Mường Chà")["pace"] == "year"
    assert cell(b, "Mường Chà")["pace_year"] == 2027
    assert cell(b, "Tủa Chùa")["pace"] == "not_by"  # 70 then 55
    assert cell(b, "Tuần Giáo")["pace"] == "too_few"  # one quarter


def test_reporting_state_of_the_last_quarter_due(filled: duckdb.DuckDBPyConnection) -> None:
    # Điện Biên's plan: the first quarter is due on 10/6; on 15/11/2026 the second and third are not yet due
    states = board(filled, 2026, "Điện Biên", AS_OF).reporting.set_index("commune")
    assert states.loc["Mường Chà", ["year", "quarter", "state"]].tolist() == [2026, 1, "on_time"]
    assert states.loc["Tuần Giáo", "state"] == "missing"  # its first quarter never came
    assert states.loc["Mường Ảng", "state"] == "missing"


def test_the_country_board_has_the_provinces_as_rows(filled: duckdb.DuckDBPyConnection) -> None:
    send(filled, [("Mường Than", 2026, 2, 10, 100)], dt.datetime(2026, 6, 6), province="Lai Châu")
    b = board(filled, 2026, None, AS_OF)
    provinces = filled.execute("SELECT count(*) FROM provinces").fetchone()[0]
    reach = b.cells[b.cells["indicator"] == "citizen_reach"].set_index("province")
    assert len(reach) == provinces == 34
    assert reach.loc["Điện Biên", "value_pct"] == pytest.approx(225 / 4)
    assert reach.loc["Điện Biên", "rank"] == 1 and reach.loc["Lai Châu", "rank"] == 2
    assert reach["commune"].isna().all()
    country = b.headline.set_index("indicator").loc["citizen_reach"]
    assert country["numerator"] == 235 and country["denominator"] == 500
    expected = b.reporting.set_index("province").loc["Điện Biên", "expected"]
    assert expected == filled.execute("SELECT count(*) FROM communes WHERE province = 'Điện Biên'").fetchone()[0]


def test_an_empty_database_gives_a_board_without_figures(con: duckdb.DuckDBPyConnection) -> None:
    b = board(con, 2026, "Điện Biên", AS_OF)
    assert b.quarter is None and (b.cells["status"] == "no_data").all()
    assert b.headline["value_pct"].isna().all()


def test_ranks_on_the_figure_as_shown() -> None:
    got = ranks(pd.Series([50.04, 50.0, None, 70.0, 49.96]))
    assert got.tolist()[:2] == [2, 2] and pd.isna(got[2]) and got[3] == 1 and got[4] == 2
