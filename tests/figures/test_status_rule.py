"""The vectorised status rule used for whole tables gives exactly what status_of() gives row by row."""

from __future__ import annotations

import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from kpis.figures.progress import TargetRule, _statuses, status_of

pct = st.floats(min_value=0, max_value=100, allow_nan=False)
year = st.integers(min_value=2024, max_value=2035)
row = st.tuples(pct, year, st.one_of(st.none(), st.tuples(st.floats(min_value=1, max_value=100), year)), year, pct)


@settings(max_examples=300, deadline=None)
@given(st.lists(row, min_size=1, max_size=30))
def test_vectorised_statuses_equal_the_row_rule(rows) -> None:
    value = pd.Series([r[0] for r in rows], dtype="float64")
    years = pd.Series([r[1] for r in rows], dtype="int64")
    target = pd.Series([r[2][0] if r[2] else None for r in rows], dtype="float64")
    target_year = pd.Series([r[2][1] if r[2] else None for r in rows], dtype="float64")
    first_year = pd.Series([min(r[3], r[1]) for r in rows], dtype="int64")
    first_value = pd.Series([r[4] for r in rows], dtype="float64")
    got = _statuses(value, years, target, target_year, first_year, first_value)
    for i, r in enumerate(rows):
        rule = TargetRule(r[2][0], r[2][1], "p") if r[2] else None
        assert got[i] == status_of(r[0], r[1], rule, min(r[3], r[1]), r[4]), r
