"""Progress against targets: the semantics leaders rely on (shared/ARCHITECTURE.md), on real imports."""

from __future__ import annotations

import pandas as pd
import pytest

from kpis import store
from kpis.figures.progress import STATUSES, TargetBook, TargetRule, commune_status_counts, plan_targets, progress, status_of
from kpis.intake.importer import import_file
from tests.conftest import csv_bytes

MUONG_MUN_PLAN = "muong-mun-01-kh-ubnd-2025"
HOA_AN_PLAN = "hoa-an-139-kh-ubnd-2026"
DIEN_BIEN_PLAN = "dien-bien-province-2025"


def row(
    unit, numerator, denominator, *, year=2025, quarter=3, indicator="citizen_reach", commune="Mường Mùn", province="Điện Biên"
):
    """One data row of a report, in EN_HEADER order."""
    return [province, commune, unit, year, quarter, indicator, numerator, denominator, ""]


def imported(con, rows, name):
    result = import_file(con, csv_bytes(rows), name)
    assert result.status == "accepted", result.messages("en")
    return result


def one(frame: pd.DataFrame, **where) -> pd.Series:
    mask = pd.Series(True, index=frame.index)
    for column, value in where.items():
        mask &= frame[column] == value
    picked = frame[mask]
    assert len(picked) == 1, picked
    return picked.iloc[0]


# --- sums, never means of percentages ---------------------------------------------------


def test_commune_value_is_sum_over_sum_not_mean_of_percentages(con):
    imported(con, [row("Bản Na Sang", 450, 500), row("Bản Huổi Lóng", 100, 1000)], "q3.csv")
    got = one(progress(con), commune="Mường Mùn", indicator="citizen_reach", year=2025)
    assert (got.numerator, got.denominator) == (450 + 100, 500 + 1000)
    assert got.value_pct == pytest.approx(550 / 1500 * 100)
    mean_of_percentages = (450 / 500 * 100 + 100 / 1000 * 100) / 2
    assert mean_of_percentages == pytest.approx(50)
    assert got.value_pct != pytest.approx(mean_of_percentages)
    assert got.units == 2


def test_province_value_is_sum_over_its_communes(con):
    imported(con, [row("Bản Na Sang", 450, 500), row("Bản Huổi Lóng", 100, 1000)], "muong_mun.csv")
    imported(con, [row("Bản Pá Chả", 300, 500, commune="Tuần Giáo")], "tuan_giao.csv")
    communes = progress(con, "commune")
    province = one(progress(con, "province"), province="Điện Biên", indicator="citizen_reach", year=2025)
    assert province.commune is None or pd.isna(province.commune)
    assert province.numerator == communes["numerator"].sum() == 450 + 100 + 300
    assert province.denominator == communes["denominator"].sum() == 500 + 1000 + 500
    assert province.value_pct == pytest.approx(850 / 2000 * 100)
    assert province.value_pct != pytest.approx(communes["value_pct"].mean())


def test_provinces_are_kept_apart(con):
    imported(con, [row("Bản Na Sang", 450, 500)], "dien_bien.csv")
    imported(con, [row("Bản Tả Phìn", 30, 120, commune="Bình Lư", province="Lai Châu")], "lai_chau.csv")
    provinces = progress(con, "province")
    assert sorted(provinces["province"]) == ["Lai Châu", "Điện Biên"]
    assert one(provinces, province="Lai Châu").value_pct == pytest.approx(30 / 120 * 100)


# --- a unit's year value is its latest quarter ------------------------------------------


def test_year_value_is_the_latest_quarter_only(con):
    imported(con, [row("Bản Na Sang", 100, 500, quarter=1)], "q1.csv")
    imported(con, [row("Bản Na Sang", 300, 1000, quarter=3)], "q3.csv")
    got = one(progress(con), indicator="citizen_reach", year=2025)
    assert (got.numerator, got.denominator) == (300, 1000)
    assert got.value_pct == pytest.approx(30.0)
    assert got.value_pct != pytest.approx((100 + 300) / (500 + 1000) * 100)  # the sum of quarters
    assert got.value_pct != pytest.approx((100 / 500 + 300 / 1000) / 2 * 100)  # the mean of quarters


def test_latest_quarter_even_when_files_arrive_out_of_order(con):
    imported(con, [row("Bản Na Sang", 300, 1000, quarter=3)], "q3.csv")
    imported(con, [row("Bản Na Sang", 100, 500, quarter=1)], "q1_late.csv")
    got = one(progress(con), indicator="citizen_reach", year=2025)
    assert (got.numerator, got.denominator) == (300, 1000)


def test_each_unit_contributes_its_own_latest_quarter(con):
    imported(con, [row("Bản Na Sang", 200, 400, quarter=1), row("Bản Pá Chả", 20, 100, quarter=1)], "q1.csv")
    imported(con, [row("Bản Pá Chả", 50, 100, quarter=2)], "q2.csv")
    imported(con, [row("Bản Na Sang", 300, 400, quarter=3)], "q3.csv")  # Pá Chả sent nothing for Q3
    got = one(progress(con), indicator="citizen_reach", year=2025)
    assert (got.numerator, got.denominator) == (300 + 50, 400 + 100)
    assert got.value_pct == pytest.approx(350 / 500 * 100)


def test_each_year_uses_that_years_latest_quarter(con):
    imported(con, [row("Bản Na Sang", 200, 500, quarter=4)], "2025q4.csv")
    imported(con, [row("Bản Na Sang", 260, 500, year=2026, quarter=1)], "2026q1.csv")
    frame = progress(con)
    assert one(frame, year=2025).numerator == 200
    assert one(frame, year=2026).numerator == 260


# --- a later file replaces what is shown, history is kept ------------------------------


def test_later_file_replaces_the_value_and_history_keeps_both(con):
    imported(con, [row("Bản Na Sang", 400, 500), row("Bản Pá Chả", 50, 100)], "q3.csv")
    imported(con, [row("ban na sang", 420, 500)], "q3_sua.csv")  # a correction, unit spelled another way
    got = one(progress(con), indicator="citizen_reach", year=2025)
    assert (got.numerator, got.denominator) == (420 + 50, 500 + 100)
    history = con.execute(
        "SELECT v.submission_id, v.numerator FROM submission_values v JOIN units u ON u.id = v.unit_id"
        " WHERE u.name = 'Bản Na Sang' ORDER BY v.submission_id"
    ).fetchall()
    assert [n for _, n in history] == [400, 420]
    assert history[0][0] < history[1][0]
    assert con.execute("SELECT count(*) FROM submissions").fetchone()[0] == 2


def test_the_same_file_twice_is_a_duplicate_and_changes_nothing(con):
    data = csv_bytes([row("Bản Na Sang", 400, 500)])
    assert import_file(con, data, "q3.csv").status == "accepted"
    again = import_file(con, data, "q3_copy.csv")
    assert again.status == "duplicate"
    assert con.execute("SELECT count(*) FROM submission_values").fetchone()[0] == 1


# --- which target applies ----------------------------------------------------------------


@pytest.fixture
def book(con) -> TargetBook:
    return TargetBook(plan_targets(con))


@pytest.mark.parametrize(
    ("province", "commune", "indicator", "year", "expected"),
    [
        # a commune's own plan wins where it sets a target
        ("Điện Biên", "Mường Mùn", "staff_digital_training", 2025, (70, 2030, MUONG_MUN_PLAN)),
        ("Tuyên Quang", "Hoà An", "staff_digital_training", 2025, (100, 2030, HOA_AN_PLAN)),
        ("Tuyên Quang", "Hoà An", "officials_informed", 2025, (100, 2026, HOA_AN_PLAN)),
        # a commune without a plan of its own follows the province plan
        ("Điện Biên", "Tuần Giáo", "units_with_plan", 2025, (100, 2025, DIEN_BIEN_PLAN)),
        ("Điện Biên", "Tuần Giáo", "citizen_reach", 2026, (80, 2030, DIEN_BIEN_PLAN)),
        # where the commune plan is silent, the province plan applies
        ("Điện Biên", "Mường Mùn", "units_with_plan", 2025, (100, 2025, DIEN_BIEN_PLAN)),
        # after the last target year, the last target stays in force
        ("Điện Biên", "Tuần Giáo", "citizen_reach", 2031, (80, 2030, DIEN_BIEN_PLAN)),
        ("Điện Biên", "Mường Mùn", "officials_informed", 2027, (100, 2025, MUONG_MUN_PLAN)),
        # a province as a whole follows the province plan
        ("Điện Biên", None, "staff_digital_training", 2025, (70, 2030, DIEN_BIEN_PLAN)),
        # no plan sets a target
        ("Lai Châu", "Bình Lư", "citizen_reach", 2025, None),
        ("Lai Châu", None, "units_with_plan", 2025, None),
        ("Tuyên Quang", "Chiêm Hoá", "citizen_reach", 2025, None),
        ("Tuyên Quang", "Hoà An", "units_with_plan", 2025, None),
        ("Lạng Sơn", "Hoàng Văn Thụ", "staff_digital_training", 2025, None),
    ],
)
def test_applicable_target_from_the_shipped_plans(book, province, commune, indicator, year, expected):
    rule = book.applicable(province, commune, indicator, year)
    if expected is None:
        assert rule is None
        assert status_of(50.0, year, rule, year, 50.0) == "no_target"
    else:
        assert rule == TargetRule(*expected)


def _small_book(rows) -> TargetBook:
    return TargetBook(pd.DataFrame(rows, columns=["plan_id", "province", "commune", "indicator", "year", "target_pct"]))


SMALL = _small_book(
    [
        ("p-province", "Tỉnh A", None, "citizen_reach", 2025, 60.0),
        ("p-province", "Tỉnh A", None, "citizen_reach", 2030, 90.0),
        ("p-province", "Tỉnh A", None, "officials_informed", 2025, 100.0),
        ("p-commune", "Tỉnh A", "Xã B", "citizen_reach", 2030, 75.0),
    ]
)


@pytest.mark.parametrize(
    ("commune", "indicator", "year", "expected"),
    [
        (None, "citizen_reach", 2024, (60.0, 2025, "p-province")),  # the first target year >= 2024 is 2025
        (None, "citizen_reach", 2025, (60.0, 2025, "p-province")),
        (None, "citizen_reach", 2026, (90.0, 2030, "p-province")),  # the first target year >= 2026 is 2030
        (None, "citizen_reach", 2030, (90.0, 2030, "p-province")),
        (None, "citizen_reach", 2031, (90.0, 2030, "p-province")),
        ("Xã C", "citizen_reach", 2026, (90.0, 2030, "p-province")),
        ("Xã B", "citizen_reach", 2025, (75.0, 2030, "p-commune")),  # its own plan wins, even against a nearer year
        ("Xã B", "officials_informed", 2025, (100.0, 2025, "p-province")),  # own plan silent: the province's
        ("Xã B", "units_with_plan", 2025, None),
    ],
)
def test_applicable_target_from_a_small_book(commune, indicator, year, expected):
    rule = SMALL.applicable("Tỉnh A", commune, indicator, year)
    assert rule == (TargetRule(*expected) if expected else None)


def test_a_later_dated_plan_wins_a_clash():
    book = TargetBook(
        pd.DataFrame(
            [
                ("p-old", "Tỉnh A", None, "citizen_reach", 2030, 70.0, pd.Timestamp("2025-01-01")),
                ("p-new", "Tỉnh A", None, "citizen_reach", 2030, 85.0, pd.Timestamp("2026-01-01")),
            ],
            columns=["plan_id", "province", "commune", "indicator", "year", "target_pct", "date"],
        )
    )
    assert book.applicable("Tỉnh A", None, "citizen_reach", 2027) == TargetRule(85.0, 2030, "p-new")


# --- statuses ------------------------------------------------------------------------------

RULE_80_2030 = TargetRule(80.0, 2030, "p")
# the straight path from 40 % in 2025 to 80 % in 2030, at 2026
PATH_2026 = 40 + (80 - 40) * (2026 - 2025) / (2030 - 2025)


def test_path_value_worked_by_hand():
    assert PATH_2026 == pytest.approx(48.0)


@pytest.mark.parametrize(
    ("value", "year", "rule", "expected"),
    [
        (80.0, 2026, RULE_80_2030, "met"),  # value >= target, before the target year
        (95.0, 2031, RULE_80_2030, "met"),
        (PATH_2026 + 1, 2026, RULE_80_2030, "on_track"),  # 49 %: above the path
        (PATH_2026, 2026, RULE_80_2030, "on_track"),  # at the path
        (PATH_2026 - 1, 2026, RULE_80_2030, "behind"),  # 47 %: below the path
        (40.0, 2025, RULE_80_2030, "on_track"),  # the first year is on its own path
        (79.9, 2030, RULE_80_2030, "behind"),  # in the target year, not met
        (79.9, 2032, RULE_80_2030, "behind"),  # after it
        (99.0, 2025, TargetRule(100.0, 2025, "p"), "behind"),
        (100.0, 2025, TargetRule(100.0, 2025, "p"), "met"),
        (40.0, 2026, None, "no_target"),
    ],
)
def test_status_of(value, year, rule, expected):
    assert status_of(value, year, rule, first_year=2025, first_value=40.0) == expected


def test_status_path_starts_from_the_first_reported_year():
    # first reported in 2026 at 50 %: the path to 80 % in 2030 reaches 50 + 30 * 1/4 in 2027
    path_2027 = 50 + (80 - 50) * (2027 - 2026) / (2030 - 2026)
    assert status_of(path_2027 + 0.1, 2027, RULE_80_2030, 2026, 50.0) == "on_track"
    assert status_of(path_2027 - 0.1, 2027, RULE_80_2030, 2026, 50.0) == "behind"


def test_statuses_from_real_imports_across_two_years(con):
    # two communes under the Điện Biên province plan: citizen_reach 80 % by 2030
    imported(
        con,
        [
            row("Bản Pá Chả", 400, 1000, commune="Tuần Giáo", quarter=4),
            row("Bản Co Cượm", 400, 1000, commune="Mường Ảng", quarter=4),
        ],
        "2025.csv",
    )
    imported(
        con,
        [
            row("Bản Pá Chả", 490, 1000, commune="Tuần Giáo", year=2026, quarter=2),  # 49 % > 48 % path
            row("Bản Co Cượm", 470, 1000, commune="Mường Ảng", year=2026, quarter=2),  # 47 % < 48 % path
        ],
        "2026.csv",
    )
    frame = progress(con)
    for commune in ("Tuần Giáo", "Mường Ảng"):
        first = one(frame, commune=commune, year=2025)
        assert first.value_pct == pytest.approx(40.0)
        assert (first.target_pct, first.target_year, first.status) == (80.0, 2030, "on_track")
    ahead = one(frame, commune="Tuần Giáo", year=2026)
    behind = one(frame, commune="Mường Ảng", year=2026)
    assert ahead.value_pct == pytest.approx(49.0) and ahead.value_pct > PATH_2026
    assert behind.value_pct == pytest.approx(47.0) and behind.value_pct < PATH_2026
    assert (ahead.status, behind.status) == ("on_track", "behind")
    # the province: (400 + 400) / 2000 = 40 % in 2025, then (490 + 470) / 2000 = 48 % in 2026: exactly on its path
    province_2026 = one(progress(con, "province"), year=2026)
    assert province_2026.value_pct == pytest.approx((490 + 470) / 2000 * 100)
    assert province_2026.status == "on_track"


def test_met_behind_and_no_target_from_real_imports(con):
    imported(
        con,
        [
            row("Văn phòng UBND xã", 10, 10, commune="Tuần Giáo", indicator="units_with_plan"),
            row("Văn phòng UBND xã", 9, 10, commune="Mường Ảng", indicator="units_with_plan"),
            row("Văn phòng UBND xã", 5, 10, commune="Bình Lư", province="Lai Châu", indicator="units_with_plan"),
        ],
        "2025.csv",
    )
    imported(con, [row("Văn phòng UBND xã", 9, 10, commune="Mường Ảng", year=2026, indicator="units_with_plan")], "2026.csv")
    frame = progress(con)
    assert one(frame, commune="Tuần Giáo", year=2025).status == "met"  # 100 % of a 100 % target in 2025
    assert one(frame, commune="Mường Ảng", year=2025).status == "behind"  # 90 % in the target year
    late = one(frame, commune="Mường Ảng", year=2026)  # the 2025 target stays in force in 2026
    assert (late.target_pct, late.target_year, late.status) == (100.0, 2025, "behind")
    lai_chau = one(frame, commune="Bình Lư")
    assert lai_chau.status == "no_target"
    assert pd.isna(lai_chau.target_pct) and pd.isna(lai_chau.target_year)


def test_commune_plan_target_shows_in_progress(con):
    imported(
        con,
        [
            row("Phòng Văn hóa - Xã hội", 3, 10, commune="Hoà An", province="Tuyên Quang", indicator="staff_digital_training"),
            row("Phòng Văn hóa - Xã hội", 3, 10, commune="Chiêm Hoá", province="Tuyên Quang", indicator="staff_digital_training"),
        ],
        "tq.csv",
    )
    frame = progress(con)
    hoa_an = one(frame, commune="Hoà An")
    assert (hoa_an.target_pct, hoa_an.target_year, hoa_an.plan_id) == (100.0, 2030, HOA_AN_PLAN)
    assert one(frame, commune="Chiêm Hoá").status == "no_target"


def test_year_filter_keeps_the_first_year_path(con):
    imported(con, [row("Bản Pá Chả", 400, 1000, commune="Tuần Giáo", quarter=4)], "2025.csv")
    imported(con, [row("Bản Pá Chả", 470, 1000, commune="Tuần Giáo", year=2026)], "2026.csv")
    only_2026 = progress(con, year=2026)
    assert list(only_2026["year"]) == [2026]
    assert only_2026.iloc[0].status == "behind"  # judged against the path from 2025's 40 %, not its own value


def test_empty_database_has_no_progress(con):
    frame = progress(con)
    assert frame.empty
    assert {"province", "commune", "indicator", "year", "value_pct", "status"} <= set(frame.columns)


# --- status counts on the demo database --------------------------------------------------


def test_commune_status_counts_on_demo_sum_to_registered_communes(demo_db):
    con = store.connect(demo_db)
    try:
        registered = con.execute("SELECT count(*) FROM communes").fetchone()[0]
        indicators = [r[0] for r in con.execute("SELECT code FROM indicators ORDER BY position").fetchall()]
        for year in (2025, 2026):
            counts = commune_status_counts(con, year)
            assert list(counts["indicator"]) == indicators
            columns = [*STATUSES, "no_data"]
            assert (counts[columns].sum(axis=1) == registered).all()
            with_data = progress(con, "commune", year).groupby("indicator").size()
            for rec in counts.itertuples(index=False):
                assert registered - rec.no_data == with_data.get(rec.indicator, 0)
        one_province = commune_status_counts(con, 2026, province="Lai Châu")
        lai_chau = con.execute("SELECT count(*) FROM communes WHERE province = 'Lai Châu'").fetchone()[0]
        assert (one_province[[*STATUSES, "no_data"]].sum(axis=1) == lai_chau).all()
        assert (one_province[["met", "on_track", "behind"]].sum(axis=1) == 0).all()  # Lai Châu sets no targets
    finally:
        con.close()


# --- the official codes (issue 12) ------------------------------------------------------------


def test_every_row_carries_the_official_codes_and_a_province_row_no_commune_code(con):
    imported(con, [row("Bản Na Sang", 450, 500), row("Bản Pá Chả", 300, 500, commune="Tuần Giáo")], "dien_bien.csv")
    imported(con, [row("Thôn Nà Lầu", 200, 400, commune="Hoà An", province="Tuyên Quang")], "hoa_an.csv")
    communes = progress(con, "commune").set_index("commune")
    assert (communes.loc["Mường Mùn", "province_code"], communes.loc["Mường Mùn", "commune_code"]) == (11, 3268)
    assert (communes.loc["Tuần Giáo", "commune_code"], communes.loc["Hoà An", "commune_code"]) == (3253, 2353)
    provinces = progress(con, "province").set_index("province")
    assert provinces["commune_code"].isna().all() and dict(provinces["province_code"]) == {"Tuyên Quang": 8, "Điện Biên": 11}
    # the codes are added after the keys there were; the figures are the same as without them
    assert list(progress(con).columns[:10]) == [
        "province", "commune", "indicator", "year", "numerator", "denominator",
        "value_pct", "target_pct", "target_year", "status",
    ]  # fmt: skip
    assert provinces.loc["Điện Biên", "numerator"] == 750 and progress(con, "commune", province="Tuyên Quang")[
        "commune_code"
    ].tolist() == [2353]
