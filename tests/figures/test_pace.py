"""The pace rule ("at this pace … reaches 80 % in 2031") on fixed series."""

from __future__ import annotations

from kpis.figures.pace import Pace, pace


def test_rising_series_reaches_the_target_in_the_year_the_line_crosses_it() -> None:
    # 40, 44, 48 … : +4 points a quarter from Q1/2025; the line meets 80 ten quarters after Q1/2025, in Q3/2027
    points = [((2025, 1), 40.0), ((2025, 2), 44.0), ((2025, 3), 48.0), ((2025, 4), 52.0)]
    assert pace(points, 80.0) == Pace("year", 2027)


def test_slow_rise_lands_after_the_target_year() -> None:
    # +1 point a year (0.25 a quarter) from 75 at Q4/2025: 80 at Q4/2030, 85 at Q4/2035
    points = [((2024, 4), 74.0), ((2025, 4), 75.0)]
    assert pace(points, 80.0) == Pace("year", 2030)
    assert pace(points, 81.0) == Pace("year", 2031)


def test_points_in_any_order_and_irregular_quarters() -> None:
    points = [((2026, 3), 60.0), ((2025, 1), 30.0), ((2025, 4), 45.0)]
    assert pace(points, 80.0) == pace(sorted(points), 80.0)
    assert pace(points, 80.0).kind == "year"


def test_flat_series_is_not_reached() -> None:
    assert pace([((2025, 1), 50.0), ((2025, 2), 50.0), ((2025, 3), 50.0)], 80.0) == Pace("not_by")


def test_falling_series_is_not_reached() -> None:
    assert pace([((2025, 1), 60.0), ((2025, 2), 55.0), ((2025, 3), 50.0)], 80.0) == Pace("not_by")


def test_beyond_the_horizon_is_not_reached() -> None:
    # +0.1 point a quarter from 50: 80 only after 75 more years
    assert pace([((2025, 1), 49.9), ((2025, 2), 50.0)], 80.0) == Pace("not_by")
    assert pace([((2025, 1), 49.9), ((2025, 2), 50.0)], 80.0, horizon=2200).kind == "year"


def test_already_met() -> None:
    assert pace([((2025, 1), 60.0), ((2025, 2), 80.0)], 80.0) == Pace("met")
    assert pace([((2025, 2), 100.0)], 100.0) == Pace("met")


def test_met_judged_on_the_latest_point_not_the_best() -> None:
    # met once, then fell back below: the trend (falling) decides
    assert pace([((2025, 1), 85.0), ((2025, 2), 70.0)], 80.0) == Pace("not_by")


def test_one_point_has_no_trend() -> None:
    assert pace([((2025, 3), 40.0)], 80.0) == Pace("too_few")
    assert pace([], 80.0) == Pace("too_few")


def test_the_year_is_after_the_latest_point_even_when_the_line_is_above_already() -> None:
    # a steep rise whose fitted line is above 80 at the latest point while the figure itself is below
    points = [((2025, 1), 10.0), ((2025, 2), 20.0), ((2025, 3), 90.0), ((2025, 4), 79.0)]
    assert pace(points, 80.0) == Pace("year", 2026)
