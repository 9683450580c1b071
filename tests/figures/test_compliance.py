"""Reporting compliance with fixed dates: which quarter is due when, on time, late, missing, pending."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from pathlib import Path

import duckdb
import pytest

from kpis import store
from kpis.figures import compliance
from kpis.intake.importer import import_file
from kpis.output import compliance_table
from tests.conftest import Kpis, csv_bytes

D = dt.date
AT = dt.datetime


def send(
    con: duckdb.DuckDBPyConnection,
    commune: str,
    year: int,
    quarter: int,
    at: dt.datetime,
    province: str = "Điện Biên",
    unit: str = "Văn phòng HĐND và UBND xã",
    numerator: int = 10,
) -> int:
    """One real quarterly file through the real import path, uploaded at a fixed time."""
    rows = [[province, commune, unit, year, quarter, "officials_informed", numerator, 20, f"gửi {at:%d/%m/%Y %H:%M}"]]
    result = import_file(con, csv_bytes(rows), f"{commune}_{year}_Q{quarter}.csv", "test", uploaded_at=at)
    assert result.status == "accepted", result.messages("en")
    return int(result.submission_id)


def cell(con: duckdb.DuckDBPyConnection, as_of: dt.date, commune: str, year: int, quarter: int, level: str = "commune") -> dict:
    frame = compliance.report_status(con, as_of, level)
    rows = frame[(frame["commune"] == commune) & (frame["year"] == year) & (frame["quarter"] == quarter)]
    assert len(rows) == 1 if level == "commune" else len(rows) >= 1
    return rows.iloc[0].to_dict()


# --- which quarter is due when ------------------------------------------------------------


@pytest.mark.parametrize(
    ("province", "commune", "year", "quarter", "due", "plan"),
    [
        # Điện Biên's province plan (no issue date): 6-month report before 10/6, annual before 10/12
        ("Điện Biên", "Mường Ảng", 2025, 1, D(2025, 6, 10), "dien-bien-province-2025"),
        ("Điện Biên", "Mường Ảng", 2025, 2, D(2025, 12, 10), "dien-bien-province-2025"),
        ("Điện Biên", "Mường Ảng", 2025, 3, D(2025, 12, 10), "dien-bien-province-2025"),
        ("Điện Biên", "Mường Ảng", 2025, 4, D(2026, 6, 10), "dien-bien-province-2025"),
        ("Điện Biên", "Mường Ảng", 2026, 1, D(2026, 6, 10), "dien-bien-province-2025"),
        # Mường Mùn follows its own plan, issued 14/7/2025: its first report was the annual one
        ("Điện Biên", "Mường Mùn", 2025, 1, D(2025, 12, 10), "muong-mun-01-kh-ubnd-2025"),
        ("Điện Biên", "Mường Mùn", 2026, 1, D(2026, 6, 10), "muong-mun-01-kh-ubnd-2025"),
        # Hoàng Văn Thụ: before 05/6 and 05/12
        ("Lạng Sơn", "Hoàng Văn Thụ", 2026, 1, D(2026, 6, 5), "hoang-van-thu-2025"),
        ("Lạng Sơn", "Hoàng Văn Thụ", 2026, 3, D(2026, 12, 5), "hoang-van-thu-2025"),
        # Lai Châu (issued 06/6/2025): monthly before the 15th, so each quarter by the 15th of the next month
        ("Lai Châu", "Bình Lư", 2025, 1, D(2025, 6, 15), "lai-chau-2653-kh-ubnd-2025"),
        ("Lai Châu", "Bình Lư", 2025, 2, D(2025, 7, 15), "lai-chau-2653-kh-ubnd-2025"),
        ("Lai Châu", "Bình Lư", 2025, 3, D(2025, 10, 15), "lai-chau-2653-kh-ubnd-2025"),
        ("Lai Châu", "Bình Lư", 2025, 4, D(2026, 1, 15), "lai-chau-2653-kh-ubnd-2025"),
        ("Lai Châu", "Bình Lư", 2026, 1, D(2026, 4, 15), "lai-chau-2653-kh-ubnd-2025"),
    ],
)
def test_each_quarter_is_due_at_the_first_report_date_after_it(con, province, commune, year, quarter, due, plan):
    schedule = compliance.schedule_for(compliance.schedules(con), province, commune)
    assert schedule is not None
    assert schedule.due(year, quarter) == (due, plan)


@pytest.mark.parametrize(
    ("province", "commune"), [("Tuyên Quang", "Hoà An"), ("Lạng Sơn", "Đồng Đăng"), ("Tuyên Quang", "Nà Hang")]
)
def test_no_dated_plan_means_no_deadline(con, province, commune):
    # Hoà An's plan only says "periodic"; Đồng Đăng and Nà Hang have no plan and no province plan
    assert compliance.schedule_for(compliance.schedules(con), province, commune) is None


def test_a_monthly_deadline_on_the_31st_falls_on_each_months_last_day():
    plan = compliance.PlanSchedule("x", None, (("monthly", None, 31),))
    days = plan.dates(2026, 2026)
    assert len(days) == 12 and D(2026, 2, 28) in days and D(2026, 4, 30) in days
    assert plan.due(2026, 1) == D(2026, 4, 30)


# --- on time, late, missing, pending --------------------------------------------------------


def test_a_day_before_the_deadline_is_on_time_a_day_after_is_one_day_late(con):
    # Quý I/2026 in Điện Biên is due 10/6/2026
    send(con, "Mường Ảng", 2026, 1, AT(2026, 6, 9, 16, 0))
    send(con, "Tuần Giáo", 2026, 1, AT(2026, 6, 11, 8, 0))
    send(con, "Mường Chà", 2026, 1, AT(2026, 6, 10, 23, 30))  # on the due day itself
    as_of = D(2026, 6, 30)
    before, after, on_day = (cell(con, as_of, c, 2026, 1) for c in ("Mường Ảng", "Tuần Giáo", "Mường Chà"))
    assert (before["status"], before["days_late"], before["due_date"]) == ("on_time", None, D(2026, 6, 10))
    assert (after["status"], after["days_late"]) == ("late", 1)
    assert on_day["status"] == "on_time"


def test_a_commune_with_no_submission_is_pending_until_the_due_day_then_missing(con):
    assert cell(con, D(2026, 6, 10), "Nà Tấu", 2026, 1)["status"] == "pending"
    missing = cell(con, D(2026, 6, 11), "Nà Tấu", 2026, 1)
    assert (missing["status"], missing["days_late"], missing["received_at"]) == ("missing", 1, None)
    assert cell(con, D(2026, 11, 22), "Nà Tấu", 2025, 1)["days_late"] == (D(2026, 11, 22) - D(2025, 6, 10)).days


def test_an_upload_after_the_as_of_day_is_not_seen(con):
    send(con, "Mường Ảng", 2026, 1, AT(2026, 6, 20, 9, 0))
    assert cell(con, D(2026, 6, 19), "Mường Ảng", 2026, 1)["status"] == "missing"
    late = cell(con, D(2026, 6, 20), "Mường Ảng", 2026, 1)
    assert (late["status"], late["days_late"]) == ("late", 10)


def test_the_first_upload_counts_a_later_correction_does_not_make_it_late(con):
    send(con, "Mường Ảng", 2026, 1, AT(2026, 5, 2, 9, 0), numerator=10)
    send(con, "Mường Ảng", 2026, 1, AT(2026, 7, 1, 9, 0), numerator=12)
    row = cell(con, D(2026, 7, 5), "Mường Ảng", 2026, 1)
    assert row["status"] == "on_time" and row["received_at"] == AT(2026, 5, 2, 9, 0)


def test_any_unit_of_the_commune_makes_the_quarter_received(con):
    send(con, "Mường Ảng", 2026, 1, AT(2026, 5, 2, 9, 0), unit="Bản Na Sang")
    assert cell(con, D(2026, 7, 1), "Mường Ảng", 2026, 1)["status"] == "on_time"


def test_a_withdrawn_submission_is_not_a_report(con):
    sub = send(con, "Mường Ảng", 2026, 1, AT(2026, 5, 2, 9, 0))
    store.withdraw(con, sub, "admin", "nhầm xã", AT(2026, 5, 3, 9, 0))
    assert cell(con, D(2026, 7, 1), "Mường Ảng", 2026, 1)["status"] == "missing"


def test_hoa_an_without_report_dates_is_only_received_or_not(con):
    send(con, "Hoà An", 2026, 1, AT(2026, 9, 1, 9, 0), province="Tuyên Quang")
    assert cell(con, D(2026, 11, 22), "Hoà An", 2026, 1)["status"] == "received"
    second = cell(con, D(2026, 11, 22), "Hoà An", 2026, 2)
    assert (second["status"], second["due_date"], second["days_late"]) == ("not_received", None, None)
    report = compliance.report(con, D(2026, 11, 22))
    assert "Tuyên Quang" not in set(report.completeness()["province"])  # no dates, no rates


def test_the_quarter_still_running_is_not_shown(con):
    report = compliance.report(con, D(2026, 3, 31))
    assert report.quarters()[0] == (2025, 1) and report.quarters()[-1] == (2025, 4)
    assert compliance.report(con, D(2026, 4, 1)).quarters()[-1] == (2026, 1)


def test_units_are_judged_from_the_first_quarter_they_reported(con):
    send(con, "Mường Ảng", 2026, 1, AT(2026, 5, 2, 9, 0), unit="Bản Pá Chả")
    frame = compliance.report_status(con, D(2026, 11, 22), "unit")
    unit = frame[frame["unit"] == "Bản Pá Chả"]
    assert [(r.year, r.quarter, r.status) for r in unit.itertuples()] == [
        (2026, 1, "on_time"),
        (2026, 2, "pending"),
        (2026, 3, "pending"),
    ]


# --- views: matrix, overdue list, completeness ---------------------------------------------


def test_completeness_counts_communes_received_and_on_time(con):
    send(con, "Mường Ảng", 2026, 1, AT(2026, 5, 2, 9, 0))
    send(con, "Tuần Giáo", 2026, 1, AT(2026, 6, 1, 9, 0))
    send(con, "Mường Chà", 2026, 1, AT(2026, 6, 15, 9, 0))
    report = compliance.report(con, D(2026, 7, 1))
    done = report.completeness()
    row = done[(done["province"] == "Điện Biên") & (done["year"] == 2026) & (done["quarter"] == 1)].iloc[0]
    registered = con.execute("SELECT count(*) FROM communes WHERE province = 'Điện Biên'").fetchone()[0]
    # Mường Mùn's own plan also asks for Quý I/2026 by 10/6/2026: every Điện Biên commune is due
    assert (row["expected"], row["received"], row["on_time"]) == (registered, 3, 2)
    assert row["received_pct"] == pytest.approx(100 * 3 / registered)
    head = report.headline("Điện Biên")
    assert (head.period, head.received, head.on_time, head.expected) == ((2026, 1), 3, 2, registered)
    assert head.overdue == registered  # the three never sent their 2025 quarters either
    # quarters whose due day has not passed are not in the rates
    assert not ((done["year"] == 2026) & (done["quarter"] == 2)).any()


def test_overdue_list_names_the_quarters_and_the_last_submission(con):
    send(con, "Mường Ảng", 2025, 4, AT(2026, 1, 20, 9, 0))
    send(con, "Mường Ảng", 2026, 2, AT(2026, 7, 5, 9, 0))
    table = compliance.report(con, D(2026, 7, 1)).overdue("vi", "Điện Biên")
    muong_ang = table[table["Xã"] == "Mường Ảng"].iloc[0]
    assert muong_ang["Các quý chưa nộp"] == "Quý I/2025 – Quý III/2025, Quý I/2026"
    assert muong_ang["Lần nộp gần nhất"] == "20/01/2026 (số liệu Quý IV/2025)"  # the July upload is after as_of
    never = table[table["Xã"] == "Nà Tấu"].iloc[0]
    assert never["Lần nộp gần nhất"] == "chưa nộp lần nào"
    assert never["Các quý chưa nộp"] == "Quý I/2025 – Quý I/2026" and never["Số quý chưa nộp"] == 5
    assert never["Số ngày quá hạn"] == (D(2026, 7, 1) - D(2025, 6, 10)).days
    assert list(table["Số ngày quá hạn"]) == sorted(table["Số ngày quá hạn"], reverse=True)
    assert compliance.overdue_reports(con, D(2026, 7, 1), "en").columns[-1] == "Last submission"


def test_matrix_cells_carry_a_symbol_and_words_and_a_colour(con):
    send(con, "Mường Ảng", 2026, 1, AT(2026, 6, 12, 9, 0))
    report = compliance.report(con, D(2026, 7, 1))
    matrix = report.matrix("vi", "Điện Biên")
    assert matrix.columns[0] == "Xã" and matrix.columns[-1] == "Quý II/2026"  # one province: no province column
    names = list(matrix["Xã"])
    registered = con.execute("SELECT count(*) FROM communes WHERE province = 'Điện Biên'").fetchone()[0]
    assert len(names) == registered == 45  # every registered commune, reported or not
    assert names[:4] == ["Búng Lao", "Chà Tở", "Chiềng Sinh", "Điện Biên Phủ"]  # Vietnamese order: Đ with D, tones ignored
    assert names.index("Mường Ảng") < names.index("Mường Chà") < names.index("Mường Lạn") < names.index("Mường Lay")
    row = matrix[matrix["Xã"] == "Mường Ảng"].iloc[0]
    assert row["Quý I/2026"] == "⚠ trễ 2 ngày"
    assert row["Quý IV/2025"] == "✖ chưa nộp"
    assert row["Quý II/2026"] == "… hạn 10/12"
    html = compliance_table.style_matrix(matrix).to_html()
    assert compliance_table.BACKGROUNDS["late"].lower() in html.lower()
    english = report.matrix("en", "Điện Biên")
    english_row = english[english["Commune"] == "Mường Ảng"].iloc[0]
    assert (english_row["Q1 2026"], english_row["Q2 2026"]) == ("⚠ 2 days late", "… due 10 Dec")
    assert "✔" in compliance_table.legend("vi") and "○" in compliance_table.legend("en")


def test_an_empty_database_lists_every_registered_commune_as_missing(con):
    report = compliance.report(con, D(2026, 11, 22))
    registered = con.execute("SELECT count(*) FROM communes").fetchone()[0]
    assert report.cells["commune_id"].nunique() == registered
    assert set(report.cells["status"]) <= {"missing", "pending", "not_received"}
    assert compliance.report(con, D(2026, 11, 22), "unit").cells.empty


# --- the demo ---------------------------------------------------------------------------------


def test_the_demo_has_late_missing_and_pending_reports(demo_db):
    con = store.connect(demo_db)
    try:
        frame = compliance.report_status(con, D(2026, 11, 22))
    finally:
        con.close()
    assert set(frame["status"]) == set(compliance.STATUSES)

    def status(commune: str, year: int, quarter: int) -> tuple:
        row = frame[(frame["commune"] == commune) & (frame["year"] == year) & (frame["quarter"] == quarter)].iloc[0]
        return row["status"], row["days_late"]

    assert status("Tuần Giáo", 2026, 1) == ("late", 13)
    assert status("Mường Chà", 2025, 4) == ("missing", (D(2026, 11, 22) - D(2026, 6, 10)).days)
    assert status("Mường Ảng", 2026, 3)[0] == "pending"
    assert status("Hoàng Văn Thụ", 2026, 1) == ("late", 3)


# --- the command line -------------------------------------------------------------------------


def test_cli_prints_json_and_csv_for_a_fixed_day(kpis: Kpis, db_path: Path):
    con = store.connect(db_path)
    send(con, "Mường Ảng", 2026, 1, AT(2026, 6, 11, 8, 0))
    con.close()
    run = kpis("compliance", "--db", str(db_path), "--as-of", "2026-06-30", "--format", "json")
    assert run.returncode == 0, run.stderr
    records = json.loads(run.stdout)
    late = next(r for r in records if r["commune"] == "Mường Ảng" and (r["year"], r["quarter"]) == (2026, 1))
    assert late == {
        "province": "Điện Biên",
        "commune": "Mường Ảng",
        "unit": None,
        "year": 2026,
        "quarter": 1,
        "plan_id": "dien-bien-province-2025",
        "due_date": "2026-06-10",
        "received_at": "2026-06-11T08:00:00",
        "status": "late",
        "days_late": 1,
    }
    run = kpis("compliance", "--db", str(db_path), "--as-of", "2026-06-30", "--format", "csv", "--level", "unit")
    assert run.returncode == 0, run.stderr
    rows = list(csv.DictReader(io.StringIO(run.stdout)))
    assert [(r["unit"], r["status"], r["days_late"]) for r in rows] == [("Văn phòng HĐND và UBND xã", "late", "1")]


def test_cli_refuses_a_day_that_is_not_a_date(kpis: Kpis, db_path: Path):
    run = kpis("compliance", "--db", str(db_path), "--as-of", "31/12/2026", "--format", "json")
    assert run.returncode == 2 and "YYYY-MM-DD" in run.stderr


# --- the official registry (issue 12) -----------------------------------------------------------


def test_a_provinces_report_is_the_national_one_for_its_communes(con):
    send(con, "Mường Ảng", 2025, 1, AT(2025, 6, 1, 9, 0))
    send(con, "Sìn Hồ", 2025, 1, AT(2025, 4, 20, 9, 0), province="Lai Châu")
    national = compliance.report(con, D(2026, 7, 1))
    registered = con.execute("SELECT count(*) FROM communes").fetchone()[0]
    assert registered == 3321 and national.cells["commune_id"].nunique() == registered  # every commune is expected
    for province in ("Điện Biên", "Lai Châu"):
        own = compliance.report(con, D(2026, 7, 1), province=province)
        part = national.cells[national.cells["province"] == province].reset_index(drop=True)
        assert own.cells.equals(part)
        assert own.headline(province) == national.headline(province)
        assert own.overdue("vi", province).equals(national.overdue("vi", province))
    head = compliance.report(con, D(2026, 7, 1), province="Điện Biên").headline("Điện Biên")
    assert (head.total, head.expected, head.received) == (45, 45, 0)  # Quý I/2026, due 10/6/2026: none of the 45 sent it
