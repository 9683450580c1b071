"""values_at (the board's figures as of each quarter) against its definition, on a history with re-sends,
withdrawals, gaps and two provinces: each unit's latest figure of the year up to the quarter, as the
current_values view gives it (the latest live version of each quarter), counts summed per area."""

from __future__ import annotations

import datetime as dt
import random

import duckdb
import pandas as pd
import pytest

from kpis import store
from kpis.figures.board import values_at
from kpis.intake.importer import import_file
from tests.conftest import csv_bytes

PLACES = [("Điện Biên", "Mường Chà"), ("Điện Biên", "Tủa Chùa"), ("Lai Châu", "Bình Lư")]
UNITS = ["Thôn 1", "Thôn 2", "Bản Na Sang"]
INDICATORS = ["citizen_reach", "staff_digital_training"]
QUARTERS = [(y, q) for y in (2025, 2026) for q in (1, 2, 3, 4)]


def expected(con: duckdb.DuckDBPyConnection, level: str, quarters: list[tuple[int, int]], province: str | None) -> pd.DataFrame:
    """The definition, in pandas over the current_values view."""
    live = con.execute(
        "SELECT c.province, c.name AS commune, v.unit_id, v.year, v.quarter, v.indicator, v.numerator, v.denominator"
        " FROM current_values v JOIN units u ON u.id = v.unit_id JOIN communes c ON c.id = u.commune_id"
    ).df()
    if province is not None:
        live = live[live["province"] == province]
    out = []
    for year, quarter in quarters:
        upto = live[(live["year"] == year) & (live["quarter"] <= quarter)].sort_values("quarter")
        latest = upto.groupby(["unit_id", "indicator"]).tail(1)
        keys = ["province", "commune", "indicator"] if level == "commune" else ["province", "indicator"]
        for key, g in latest.groupby(keys):
            province_, commune, indicator = key if level == "commune" else (key[0], None, key[1])
            out.append((province_, commune, indicator, year, quarter, int(g["numerator"].sum()),
                        int(g["denominator"].sum()), bool((g["quarter"] == quarter).any())))  # fmt: skip
    columns = ["province", "commune", "indicator", "year", "quarter", "numerator", "denominator", "reported"]
    return pd.DataFrame(out, columns=columns).sort_values(columns[:5]).reset_index(drop=True)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_values_at_is_each_units_latest_live_figure_up_to_the_quarter(con: duckdb.DuckDBPyConnection, seed: int) -> None:
    rng = random.Random(seed)
    accepted = []
    for n in range(14):  # some files re-send keys of earlier ones; some quarters are never sent
        rows = []
        for province, commune in rng.sample(PLACES, rng.randint(1, len(PLACES))):
            for unit in rng.sample(UNITS, rng.randint(1, len(UNITS))):
                year, quarter = rng.choice(QUARTERS[:: rng.choice((1, 2))])
                for indicator in INDICATORS:
                    denominator = rng.randint(1, 500)
                    rows.append([province, commune, unit, year, quarter, indicator, rng.randint(0, denominator), denominator, ""])
        unique = list({tuple(r[:6]): r for r in rows}.values())
        result = import_file(con, csv_bytes(unique), f"f{n}.csv", "test", uploaded_at=dt.datetime(2026, 1, 1, 8, n))
        assert result.status == "accepted", result.messages("en")
        accepted.append(result.submission_id)
    for submission in rng.sample(accepted, 3):
        store.withdraw(con, int(submission), "test", "a mistake")
    asked = rng.sample(QUARTERS, 5)
    for level in ("commune", "province"):
        for province in (None, "Điện Biên"):
            got = values_at(con, level, asked, province)  # type: ignore[arg-type]
            want = expected(con, level, asked, province)
            assert not got.empty
            assert (got["value_pct"] == got["numerator"] * 100.0 / got["denominator"]).all()
            got = got.drop(columns="value_pct").reset_index(drop=True)
            got["reported"] = got["reported"].astype(bool)
            got["commune"] = got["commune"].astype(object).where(got["commune"].notna(), None)
            pd.testing.assert_frame_equal(got, want, check_dtype=False)


def test_values_at_without_quarters_or_figures_is_empty(con: duckdb.DuckDBPyConnection) -> None:
    assert values_at(con, "commune", []).empty
    assert values_at(con, "province", [(2026, 2)]).empty
