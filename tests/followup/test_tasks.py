"""Tasks and milestones: deadlines as written, progress recorded by form and sheet, what is late on a fixed day."""

from __future__ import annotations

import dataclasses
import datetime as dt
import io

import duckdb
import openpyxl
import pandas as pd
import pytest

from kpis import store
from kpis.followup import board, display, recording
from kpis.followup.task_deadlines import parse_deadline
from kpis.followup.task_sheet import HEADERS_VI, match_task_header, parse_day, parse_status
from kpis.store.journal import Demo
from tests.conftest import csv_bytes, xlsx_bytes

D = dt.date
AT = dt.datetime
HEADER = [HEADERS_VI[c] for c in ("code", "status", "date", "note", "evidence")]


def row_of(con: duckdb.DuckDBPyConnection, as_of: dt.date, code: str) -> dict:
    frame = board.board(con, as_of)
    return frame[frame["code"] == code].iloc[0].to_dict()


def record(con, code: str, status: str, day: dt.date, note: str = "", at: dt.datetime | None = None) -> None:
    result = recording.record_update(con, code, status, day, note, "", "cán bộ", at or AT(2026, 11, 22, 9, 0))
    assert result.accepted, result.messages("en")


# --- deadlines as the plans write them -----------------------------------------------------


@pytest.mark.parametrize(
    ("text", "plan_year", "kind", "due_on_2026_11_22"),
    [
        ("Tháng 6/2025", 2025, "once", D(2025, 6, 30)),
        ("Quý 1/2026", 2025, "once", D(2026, 3, 31)),
        ("Quý I/2026", 2025, "once", D(2026, 3, 31)),
        ("Quý 1/2026 và các năm tiếp theo", 2025, "yearly", D(2026, 3, 31)),
        ("Quý 2/2026 và các năm tiếp theo", 2025, "yearly", D(2026, 6, 30)),
        ("Năm 2026", 2025, "once", D(2026, 12, 31)),
        ("Tháng 10 hằng năm", 2026, "yearly", D(2026, 10, 31)),
        ("Quý II (khi các sở, ngành tổ chức)", 2026, "once", D(2026, 6, 30)),
        ("Quý III hằng năm (khi các sở, ngành tổ chức)", 2026, "yearly", D(2026, 9, 30)),
        ("Trước 15/3/2026", 2025, "once", D(2026, 3, 15)),
        ("Thường xuyên", 2025, "ongoing", None),
        ("Thường xuyên trong năm 2025 và các năm tiếp theo", 2025, "ongoing", None),
        ("Thường xuyên hằng năm; cao điểm vào quý II và quý III", 2026, "ongoing", None),
        ("Theo phát động của cấp trên (dự kiến tháng 6 và tháng 9 hằng năm)", 2026, "ongoing", None),
        ("Quý II", None, "unknown", None),
        ("Khi có chỉ đạo", 2025, "unknown", None),
    ],
)
def test_deadlines_are_read_as_written(text, plan_year, kind, due_on_2026_11_22):
    deadline = parse_deadline(text, plan_year)
    assert deadline.kind == kind
    assert deadline.due(D(2026, 11, 22)) == due_on_2026_11_22


def test_a_yearly_deadline_comes_back_each_year():
    deadline = parse_deadline("Quý 1/2026 và các năm tiếp theo", 2025)
    assert deadline.due(D(2025, 12, 1)) == D(2026, 3, 31)  # before its first year: the first one
    assert deadline.due(D(2027, 2, 1)) == D(2027, 3, 31)
    assert deadline.cycle_start(D(2026, 5, 1)) is None and deadline.cycle_start(D(2027, 5, 1)) == D(2027, 1, 1)


def test_every_deadline_in_the_plans_is_understood(catalog):
    unknown = [(i.code, i.deadline.text) for i in board.items(catalog.plans) if i.deadline.kind == "unknown"]
    assert unknown == []


def test_task_and_milestone_codes_are_unique_across_plans(catalog):
    codes = [i.code for i in board.items(catalog.plans)]
    assert len(codes) == len(set(codes))
    assert sum(i.kind == "task" for i in board.items(catalog.plans)) == 19 + 6  # Lai Châu's 19, Hoà An's 6


@pytest.mark.parametrize(
    ("lead", "agencies"),
    [
        ("Sở Văn hóa, Thể thao và Du lịch", ["Sở Văn hóa, Thể thao và Du lịch"]),
        ("Sở Nội vụ, Sở Văn hóa, Thể thao và Du lịch", ["Sở Nội vụ", "Sở Văn hóa, Thể thao và Du lịch"]),
        ("Các sở, ban, ngành, UBND các huyện, thành phố", ["Các sở, ban, ngành", "UBND các huyện, thành phố"]),
        (
            "Sở Khoa học và Công nghệ; UBND các cấp; Các sở, ban, ngành, đơn vị có liên quan",
            ["Sở Khoa học và Công nghệ", "UBND các cấp", "Các sở, ban, ngành, đơn vị có liên quan"],
        ),
        ("Phòng Văn hóa - Xã hội, Trung tâm Dịch vụ công", ["Phòng Văn hóa - Xã hội", "Trung tâm Dịch vụ công"]),
    ],
)
def test_lead_agencies_are_split_where_one_name_ends(lead, agencies):
    assert board.split_agencies(lead) == agencies


# --- what is late on a fixed day ------------------------------------------------------------


def test_a_task_due_quy_1_2026_is_on_time_on_31_3_and_one_day_late_on_1_4(con):
    # LC-16: "Quý 1/2026 và các năm tiếp theo"
    on_day = row_of(con, D(2026, 3, 31), "LC-16")
    assert (on_day["due_date"], on_day["overdue"], on_day["status"]) == (D(2026, 3, 31), False, "no_update")
    assert pd.isna(on_day["days_late"])
    after = row_of(con, D(2026, 4, 1), "LC-16")
    assert (after["overdue"], after["days_late"]) == (True, 1)
    record(con, "LC-16", "done", D(2026, 3, 28))
    assert row_of(con, D(2026, 4, 1), "LC-16")["overdue"] is False


def test_a_recurring_task_is_never_late_and_shows_its_latest_update(con):
    # LC-02: "Thường xuyên trong năm 2025 và các năm tiếp theo"
    assert row_of(con, D(2030, 1, 1), "LC-02")["overdue"] is False
    record(con, "LC-02", "in_progress", D(2026, 3, 1), "quý I: 30 tin bài")
    record(con, "LC-02", "in_progress", D(2026, 6, 1), "quý II: 45 tin bài")
    row = row_of(con, D(2030, 1, 1), "LC-02")
    assert (row["status"], row["note"], row["overdue"], row["due_date"]) == ("in_progress", "quý II: 45 tin bài", False, None)


def test_a_task_done_after_its_due_day_counts_the_days_it_was_late(con):
    record(con, "LC-01", "in_progress", D(2025, 6, 1))  # due end of June 2025
    assert row_of(con, D(2025, 7, 3), "LC-01")["days_late"] == 3
    record(con, "LC-01", "done", D(2025, 7, 5))
    record(con, "LC-01", "done", D(2025, 8, 1), "bổ sung minh chứng")  # still done since 5/7
    row = row_of(con, D(2025, 9, 1), "LC-01")
    assert (row["status"], row["overdue"], row["days_late"]) == ("done", False, 5)


def test_the_latest_update_by_its_date_wins_even_when_recorded_later(con):
    record(con, "LC-12", "in_progress", D(2026, 7, 1), at=AT(2026, 7, 2, 9, 0))
    record(con, "LC-12", "not_started", D(2025, 12, 10), "ghi bù", at=AT(2026, 8, 1, 9, 0))
    assert row_of(con, D(2026, 9, 1), "LC-12")["status"] == "in_progress"
    assert row_of(con, D(2026, 1, 1), "LC-12")["status"] == "not_started"  # as of then, only the December one
    assert con.execute("SELECT count(*) FROM task_updates WHERE item_code = 'LC-12'").fetchone()[0] == 2
    assert con.execute("SELECT status FROM current_task_status WHERE item_code = 'LC-12'").fetchone()[0] == "in_progress"


def test_a_yearly_task_starts_again_each_year(con):
    # HA-04: "Tháng 10 hằng năm" from Hoà An's 2026 plan
    record(con, "HA-04", "done", D(2026, 10, 20), at=AT(2026, 10, 25, 9, 0))
    assert row_of(con, D(2026, 11, 22), "HA-04")["status"] == "done"
    next_year = row_of(con, D(2027, 11, 1), "HA-04")
    assert (next_year["due_date"], next_year["status"], next_year["overdue"], next_year["days_late"]) == (
        D(2027, 10, 31),
        "no_update",
        True,
        1,
    )


def test_a_milestone_is_due_by_the_end_of_its_year_and_recorded_like_a_task(con):
    assert row_of(con, D(2025, 12, 31), "DB-M1")["overdue"] is False
    late = row_of(con, D(2026, 1, 1), "DB-M1")
    assert (late["status"], late["overdue"], late["days_late"]) == ("no_update", True, 1)
    record(con, "DB-M1", "done", D(2026, 1, 10))
    assert row_of(con, D(2026, 2, 1), "DB-M1")["days_late"] == 10
    table = display.milestone_table(board.board(con, D(2026, 2, 1)), "vi", display.plan_labels(con, "vi"))
    assert "? Chưa có cập nhật" in set(table["Tình trạng"])
    assert table.iloc[0]["Tình trạng"].startswith("✖ Quá hạn")  # overdue first


def test_task_table_filters_by_agency_and_state_with_overdue_first(con):
    record(con, "LC-14", "in_progress", D(2026, 3, 10))
    frame = board.board(con, D(2026, 11, 22))
    labels = display.plan_labels(con, "vi")
    table = display.task_table(frame, "vi", labels)
    first = table.iloc[0]  # the most days late first: LC-01, due June 2025, never updated
    assert (first["Mã"], first["Tình trạng"]) == ("LC-01", "✖ Quá hạn · Chưa có cập nhật")
    assert first["Số ngày trễ"] == str((D(2026, 11, 22) - D(2025, 6, 30)).days)
    lc14 = table[table["Mã"] == "LC-14"].iloc[0]
    assert (lc14["Tình trạng"], lc14["Hạn"]) == ("✖ Quá hạn · Đang thực hiện", "31/03/2026")
    assert lc14["Số ngày trễ"] == str((D(2026, 11, 22) - D(2026, 3, 31)).days)
    overdue_rows = table["Tình trạng"].str.startswith("✖")
    assert overdue_rows.iloc[: overdue_rows.sum()].all()  # every overdue row comes before the rest
    interior = display.task_table(frame, "vi", labels, lead=["Sở Nội vụ"])
    assert list(interior["Mã"]) == ["LC-07"]
    only_late = display.task_table(frame, "vi", labels, states=["overdue"])
    assert set(only_late["Tình trạng"].str[0]) == {"✖"}
    hoa_an = display.task_table(frame, "en", display.plan_labels(con, "en"), plan_id="hoa-an-139-kh-ubnd-2026")
    assert len(hoa_an) == 6 and "Recurring" in set(hoa_an["Due"])
    assert "Phòng Văn hóa - Xã hội" in board.agencies(frame, "hoa-an-139-kh-ubnd-2026")


def test_overdue_tasks_for_the_meeting_pack(con):
    record(con, "HA-05", "not_started", D(2026, 6, 1))
    table = display.overdue_tasks(con, D(2026, 7, 2), "vi")
    assert list(table.columns) == ["Kế hoạch", "Mã", "Nhiệm vụ / mốc", "Cơ quan chủ trì", "Hạn", "Tình trạng", "Số ngày trễ"]
    ha05 = table[table["Mã"] == "HA-05"].iloc[0]
    assert (ha05["Tình trạng"], ha05["Số ngày trễ"], ha05["Hạn"]) == ("Chưa thực hiện", 2, "30/06/2026")
    assert list(table["Số ngày trễ"]) == sorted(table["Số ngày trễ"], reverse=True)


# --- recording progress: the form ---------------------------------------------------------------


def test_the_form_refuses_an_unknown_code_and_a_future_date_and_writes_nothing(con):
    result = recording.record_update(con, "LC-99", "done", D(2026, 12, 1), recorded_at=AT(2026, 11, 22, 9, 0))
    assert result.status == "refused"
    messages = result.messages("vi")
    assert any("«LC-99»" in m and "LC-09" in m for m in messages)
    assert any("chưa đến" in m for m in messages)
    assert con.execute("SELECT count(*) FROM task_updates").fetchone()[0] == 0


def test_the_form_accepts_lower_case_codes_and_keeps_evidence(con):
    result = recording.record_update(con, "lc-14", "in_progress", D(2026, 3, 10), "đang làm", "https://x.vn/a", "Lan")
    assert result.accepted and result.summary("vi") == "LC-14: đã ghi 1 dòng tiến độ."
    history = recording.history(con)
    assert history.iloc[0][["item_code", "evidence", "recorded_by", "file_name"]].tolist() == [
        "LC-14",
        "https://x.vn/a",
        "Lan",
        None,
    ]


# --- recording progress: the sheet ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "status"),
    [("Hoàn thành", "done"), ("đang thực hiện", "in_progress"), ("CHUA THUC HIEN", "not_started"), ("done", "done")],
)
def test_status_words(value, status):
    assert parse_status(value) == status


@pytest.mark.parametrize(
    ("value", "day"),
    [
        ("15/3/2026", D(2026, 3, 15)),
        ("15-03-2026", D(2026, 3, 15)),
        ("2026-03-15", D(2026, 3, 15)),
        (AT(2026, 3, 15, 0, 0), D(2026, 3, 15)),
    ],
)
def test_dates_as_people_type_them(value, day):
    assert parse_day(value) == day


def test_headers_match_without_diacritics_or_case():
    assert [match_task_header(h) for h in ("MÃ NHIỆM VỤ", "tinh trang", "Ngày", "ghi chu", "Link", "Tỉnh")] == [
        "code",
        "status",
        "date",
        "note",
        "evidence",
        None,
    ]


def test_a_valid_sheet_is_recorded_whole_and_kept(con):
    data = xlsx_bytes(
        [
            ["LC-14", "Đang thực hiện", D(2026, 3, 10), "đã lập trang", None],
            ["LC-16", "Hoàn thành", "28/03/2026", "85 học viên", "Báo cáo 42/BC"],
            ["DB-M1", "hoàn thành", D(2025, 11, 30), None, "dienbien.gov.vn/nq57"],
        ],
        header=HEADER,
        title_rows=[["TIẾN ĐỘ NHIỆM VỤ"], []],
    )
    result = recording.import_sheet(con, data, "tien_do.xlsx", "Sở VHTTDL", AT(2026, 7, 20, 9, 0))
    assert result.status == "accepted" and result.rows == 3
    saved = con.execute("SELECT item_code, item_kind, status, status_date, source_line FROM task_updates ORDER BY id").fetchall()
    assert saved == [
        ("LC-14", "task", "in_progress", D(2026, 3, 10), 4),
        ("LC-16", "task", "done", D(2026, 3, 28), 5),
        ("DB-M1", "milestone", "done", D(2025, 11, 30), 6),
    ]
    sha, kept = con.execute("SELECT sha256, stored_path FROM task_files").fetchone()
    assert (store.uploads_dir(con) / kept).read_bytes() == data and kept.startswith(sha)
    again = recording.import_sheet(con, data, "tien_do_lan_2.xlsx", "Sở VHTTDL", AT(2026, 7, 21, 9, 0))
    assert again.status == "duplicate"
    assert con.execute("SELECT count(*) FROM task_updates").fetchone()[0] == 3


def test_a_sheet_with_problems_is_refused_whole_with_every_problem_named(con):
    rows = [
        ["LC-14", "Đang thực hiện", "10/03/2026", "", ""],  # fine on its own
        ["LC-99", "Hoàn thành", "10/03/2026", "", ""],  # unknown code
        ["LC-15", "xong rồi", "10/03/2026", "", ""],  # not a status
        ["LC-16", "Hoàn thành", "31/02/2026", "", ""],  # not a date
        ["LC-17", "Hoàn thành", "01/12/2026", "", ""],  # after the upload day
        ["LC-14", "Hoàn thành", "10/03/2026", "", ""],  # same code and date as row 2
        ["", "Hoàn thành", "10/03/2026", "", ""],  # no code
    ]
    result = recording.import_sheet(con, csv_bytes(rows, header=HEADER), "sai.csv", "x", AT(2026, 11, 22, 9, 0))
    assert result.status == "refused"
    found = {(p.row, p.column, p.code) for p in result.problems}
    assert found == {
        (3, "Mã nhiệm vụ", "task_code_unknown"),
        (4, "Trạng thái", "task_status_invalid"),
        (5, "Ngày", "task_date_invalid"),
        (6, "Ngày", "task_date_future"),
        (7, None, "task_duplicate_row"),
        (8, "Mã nhiệm vụ", "required"),
    }
    assert "Dòng 7: Dòng này trùng với dòng 2" in "\n".join(result.messages("vi"))
    assert con.execute("SELECT count(*) FROM task_updates").fetchone()[0] == 0
    assert con.execute("SELECT count(*) FROM task_files").fetchone()[0] == 0


@pytest.mark.parametrize(
    ("data", "name", "code"),
    [
        (b"", "a.csv", "file_empty"),
        (b"x", "a.pdf", "file_type"),
        (csv_bytes([["LC-14", "done"]], header=["Mã nhiệm vụ", "Trạng thái"]), "a.csv", "task_file_no_header"),
        (csv_bytes([], header=HEADER), "a.csv", "file_no_rows"),
        (csv_bytes([["LC-14", "done", ""]], header=["code", "status", "note", "evidence"]), "a.csv", "column_missing"),
    ],
)
def test_unreadable_sheets_are_refused_with_a_reason(con, data, name, code):
    result = recording.import_sheet(con, data, name, "x", AT(2026, 11, 22, 9, 0))
    assert result.status == "refused" and result.problems[0].code == code
    assert all(not m.startswith("task_") for m in result.messages("vi"))  # every code has a message


def test_an_english_csv_with_iso_dates_is_accepted(con):
    data = csv_bytes(
        [["HA-05", "not started", "2026-06-01", "no course yet", ""]], header=["code", "status", "date", "note", "evidence"]
    )
    assert recording.import_sheet(con, data, "progress.csv", "x", AT(2026, 11, 22, 9, 0)).accepted


def test_the_template_lists_every_code_and_untouched_rows_are_passed_over(con, catalog):
    wb = openpyxl.load_workbook(io.BytesIO(recording.template(con)))
    ws = wb.active
    codes = [r[0].value for r in ws.iter_rows(min_row=4) if r[0].value]
    assert codes == [i.code for i in board.items(catalog.plans)]
    ws["B4"], ws["C4"] = "Hoàn thành", "30/11/2025"  # DB-M1, the first row
    buf = io.BytesIO()
    wb.save(buf)
    result = recording.import_sheet(con, buf.getvalue(), "mau.xlsx", "x", AT(2026, 11, 22, 9, 0))
    assert result.accepted and result.rows == 1
    assert con.execute("SELECT item_code, status FROM task_updates").fetchall() == [("DB-M1", "done")]


def test_updates_are_journaled_and_replay_into_a_fresh_database(tmp_path):
    first = store.connect(tmp_path / "a" / "kpis.duckdb")
    data = csv_bytes([["LC-14", "Đang thực hiện", "10/03/2026", "", ""]], header=HEADER)
    assert recording.import_sheet(first, data, "s.csv", "x", AT(2026, 7, 1, 9, 0)).accepted
    record(first, "LC-16", "done", D(2026, 3, 28))
    events = [e for e in store.read_journal(tmp_path / "a" / "kpis.duckdb") if e.kind.startswith("task_")]
    first.close()
    assert [e.kind for e in events] == ["task_file", "task_update"]
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "uploads").symlink_to(tmp_path / "a" / "uploads")
    second = store.connect(tmp_path / "b" / "kpis.duckdb")
    assert all(recording.replay_event(second, e) for e in events)
    assert recording.replay_event(second, Demo(day=None)) is False
    gone = dataclasses.replace(events[1], code="LC-99")  # a code no plan has any more: the rebuild must stop, not skip it
    with pytest.raises(store.StoreError, match="refused on replay"):
        recording.replay_event(second, gone)
    assert second.execute("SELECT item_code, status FROM task_updates ORDER BY id").fetchall() == [
        ("LC-14", "in_progress"),
        ("LC-16", "done"),
    ]
    second.close()


# --- the demo --------------------------------------------------------------------------------------


def test_the_demo_has_tasks_in_every_state(demo_db):
    con = store.connect(demo_db)
    try:
        frame = board.board(con, D(2026, 11, 22))
        assert con.execute("SELECT count(*) FROM task_files").fetchone()[0] == 4
    finally:
        con.close()
    task_rows = frame[frame["kind"] == "task"]
    assert set(task_rows["status"]) == {"no_update", "not_started", "in_progress", "done"}
    assert task_rows["overdue"].any() and (~task_rows["overdue"] & (task_rows["status"] == "done")).any()
    assert (task_rows["status"].eq("done") & task_rows["days_late"].notna()).any()  # done, but late
    milestones = frame[frame["kind"] == "milestone"]
    assert set(milestones["status"]) == {"no_update", "in_progress", "done"} and milestones["overdue"].any()
