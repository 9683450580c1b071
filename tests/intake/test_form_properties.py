"""Property: a random tidy dataset written in each layout offices use reads back as exactly the same figures.

The writers are the forms corpus's (tests/forms/make_forms.py): one commune, 1-6 units, 1-4 indicators,
one period written one of the ways offices write it, counts with Số đạt <= Tổng số and some pairs left blank
(not reported). Each dataset is written as a one-row-per-unit form (.xlsx, CSV, .ods, .xls), as a
one-row-per-indicator form for one unit (.xlsx, CSV, .ods) and as the tidy table (.xlsx, CSV, with or without
a title block); check_file must give the same (place, unit, period, indicator, numerator, denominator) set
from every one, with no problem. Deterministic (derandomize): the same examples on every run; not shrunk (a
failure prints its draws, and shrinking nine file reads per step takes minutes).
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import duckdb
import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from kpis import store
from kpis.intake.context import Given
from kpis.intake.importer import check_file
from tests.forms import make_forms as mf

PLACES = [mf.MUONG_MUN, mf.MUONG_CHA, mf.TA_LENG, mf.NAM_QUANG, mf.TAN_GIANG]
CODES = list(mf.WORDS)
KEYS = ("province", "commune", "unit", "year", "quarter", "indicator", "numerator", "denominator")
SETTINGS = settings(
    max_examples=25,
    deadline=None,
    derandomize=True,
    database=None,
    phases=[Phase.explicit, Phase.generate],  # no shrinking: each example reads nine files; the draws are printed
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
EXTENSION = {"xlsx": "xlsx", "xls": "xls", "ods": "ods", "csv": "csv", "csv;": "csv"}


@pytest.fixture(scope="module")
def con():
    """One empty store for every example: check_file writes nothing."""
    with tempfile.TemporaryDirectory() as folder:
        connection = store.connect(Path(folder) / "kpis.duckdb")
        yield connection
        connection.close()


def periods(year: int, quarter: int) -> list[str]:
    return [text for make in mf.PERIODS.values() if (text := make(year, quarter)) is not None]


@st.composite
def reports(draw: st.DrawFn) -> tuple[mf.Report, str]:
    """A commune's dataset for one period, and the period as its title writes it."""
    place = draw(st.sampled_from(PLACES))
    villages = draw(st.lists(st.sampled_from(mf.VILLAGES[place]), min_size=0, max_size=4, unique=True))
    agencies = draw(st.lists(st.sampled_from(mf.AGENCIES), min_size=0 if villages else 1, max_size=2, unique=True))
    units = [(mf.VILLAGE, u) for u in villages] + [(mf.AGENCY, a) for a in agencies]
    codes = draw(st.lists(st.sampled_from(CODES), min_size=1, max_size=4, unique=True))
    indicators = [(c, draw(st.sampled_from(mf.WORDS[c]))) for c in codes]
    year = draw(st.integers(2025, 2027))
    quarter = draw(st.integers(1, 4))
    figures: dict[tuple[str, str], tuple[int, int]] = {}
    for _, unit in units:
        for code in codes:
            if draw(st.integers(0, 3)) == 0:
                continue  # this unit does not report this indicator: the pair is left blank
            denominator = draw(st.integers(1, 5000))
            figures[(unit, code)] = (draw(st.integers(0, denominator)), denominator)
    if not figures:
        figures[(units[0][1], codes[0])] = (3, 4)
    return mf.Report(place, year, quarter, units, indicators, figures), draw(st.sampled_from(periods(year, quarter)))


def figures_of(rows: Any) -> set[tuple]:
    return {
        tuple(int(r[k]) if k in ("year", "quarter", "numerator", "denominator") else r[k] for k in KEYS)
        for r in rows.to_dict("records")
    }


def expected_of(values: list[dict[str, Any]]) -> set[tuple]:
    return {tuple(v[k] for k in KEYS) for v in values}


def read_back(con: duckdb.DuckDBPyConnection, placed: mf.Placed, container: str) -> tuple[set[tuple], list[tuple]]:
    checked = check_file(con, mf.write(placed.sheet, container), f"bao_cao.{EXTENSION[container]}", given=Given())
    return figures_of(checked.rows), [(p.row, p.column, p.code) for p in checked.problems]


@SETTINGS
@given(data=reports(), layout=st.data())
def test_every_layout_reads_back_the_same_figures(
    con: duckdb.DuckDBPyConnection, data: tuple[mf.Report, str], layout: st.DataObject
) -> None:
    report, period = data
    title = mf.Title(
        report.place,
        period,
        province_line=layout.draw(st.booleans(), "province line"),
        committee=layout.draw(st.sampled_from(["UBND", "ỦY BAN NHÂN DÂN"]), "committee"),
        one_line=layout.draw(st.booleans(), "one-line title"),
        date_line="{commune}, ngày 05 tháng 10 năm 2025",
    )
    written: list[tuple[str, mf.Placed, list[str], set[tuple]]] = []

    wide = mf.wide_sheet(
        report,
        title,
        unit_header="Tổ dân phố" if report.place is mf.TAN_GIANG else "Thôn/Bản",
        order=layout.draw(st.sampled_from([("den", "num"), ("num", "den")]), "order"),
        rate_as=layout.draw(st.sampled_from([None, "value", "formula"]), "rate"),
        top_header=layout.draw(st.sampled_from([None, "Kết quả thực hiện"]), "top header"),
        codes=layout.draw(st.sampled_from([None, "letters", "parens"]), "codes"),
        sections=mf.SECTIONS if layout.draw(st.booleans(), "sections") else None,
        totals=layout.draw(st.sampled_from([None, "Tổng cộng", "Cộng", "Toàn xã"]), "totals"),
    )
    written.append(("one row per unit", wide, ["xlsx", "csv", "ods", "xls"], expected_of(report.values())))

    unit = max((u for _, u in report.units), key=lambda u: sum((u, c) in report.figures for c in CODES))
    own_unit = unit if layout.draw(st.booleans(), "reporter named") else report.place.committee
    own = mf.Report(
        report.place,
        report.year,
        report.quarter,
        [("", own_unit)],
        [(c, w) for c, w in report.indicators if (unit, c) in report.figures],
        {(own_unit, c): pair for (u, c), pair in report.figures.items() if u == unit},
    )
    own_title = mf.Title(
        report.place, period, reporter=f"Đơn vị báo cáo: {own_unit}" if own_unit == unit else None
    )
    per_indicator = mf.indicator_sheet(
        own,
        own_unit,
        own_title,
        rate_as=layout.draw(st.sampled_from([None, "value", "formula"]), "indicator rate"),
        codes=layout.draw(st.sampled_from([None, "letters", "parens"]), "indicator codes"),
    )
    written.append(("one row per indicator", per_indicator, ["xlsx", "csv", "ods"], expected_of(own.values())))

    tidy = mf.tidy_sheet(report, title if layout.draw(st.booleans(), "tidy title") else None)
    written.append(("tidy", tidy, ["xlsx", "csv;"], expected_of(report.values())))

    wrong = []
    for name, placed, containers, expected in written:
        for container in containers:
            got, problems = read_back(con, placed, container)
            if problems or got != expected:
                wrong.append((name, container, problems[:5], sorted(expected - got)[:3], sorted(got - expected)[:3]))
    assert not wrong, wrong
