"""The reporting-compliance, tasks and task-progress pages driven by AppTest on the demo data."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import duckdb
import pytest
from streamlit.testing.v1 import AppTest

from kpis import store
from kpis.people import accounts
from tests.app_pages.test_pages import app, sign_in, texts
from tests.conftest import csv_bytes

DAY = dt.date(2026, 11, 22)  # the demo's "today": the last quarter sent is Quý III/2026
HEADER = ["Mã nhiệm vụ", "Trạng thái", "Ngày", "Ghi chú", "Minh chứng"]


def open_page(
    db: Path, monkeypatch: pytest.MonkeyPatch, page: str, lang: str | None = None, user: tuple[str, str] | None = None
) -> AppTest:
    at = app(db, monkeypatch, lang)
    if user:
        at = sign_in(at, *user)
    at.switch_page(page).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def frame(at: AppTest, column: str):
    """The first table on the page that has this column (AppTest does not expose a table's key)."""
    return next(d.value for d in at.dataframe if column in d.value.columns)


def test_compliance_page_shows_matrix_overdue_list_and_rates(demo_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    at = open_page(demo_db, monkeypatch, "app_pages/compliance.py")
    at.date_input(key="compliance_as_of").set_value(DAY).run()
    assert not at.exception
    assert at.title[0].value == "Tình hình báo cáo"
    assert at.selectbox(key="compliance_province").value == "Điện Biên"
    assert [m.label for m in at.metric] == ["Xã đang quá hạn", "Quý I/2026: số xã đã nộp", "Quý I/2026: số xã nộp đúng hạn"]
    # every one of Điện Biên's 45 registered communes is expected; 5 report (Tuần Giáo sent Quý I/2026 late)
    assert [m.value for m in at.metric] == ["41/45", "5/45", "4/45"]
    matrix = frame(at, "Quý I/2025")
    assert list(matrix.columns[-7:]) == [
        f"Quý {q}" for q in ("I/2025", "II/2025", "III/2025", "IV/2025", "I/2026", "II/2026", "III/2026")
    ]
    tuan_giao = matrix[matrix["Xã"] == "Tuần Giáo"].iloc[0]
    assert tuan_giao["Quý I/2026"] == "⚠ trễ 13 ngày"
    assert matrix[matrix["Xã"] == "Mường Chà"].iloc[0]["Quý IV/2025"] == "✖ chưa nộp"
    assert matrix[matrix["Xã"] == "Mường Ảng"].iloc[0]["Quý III/2026"] == "… hạn 10/12"
    overdue = frame(at, "Số ngày quá hạn")
    muong_cha = overdue[overdue["Xã"] == "Mường Chà"].iloc[0]
    assert (muong_cha["Các quý chưa nộp"], muong_cha["Số ngày quá hạn"]) == ("Quý IV/2025", 165)
    assert muong_cha["Lần nộp gần nhất"].endswith("(số liệu Quý III/2026)")
    assert len(matrix) == 45 and matrix[matrix["Xã"] == "Nà Tấu"].iloc[0]["Quý I/2025"] == "✖ chưa nộp"  # never reported
    assert overdue[overdue["Xã"] == "Nà Tấu"].iloc[0]["Lần nộp gần nhất"] == "chưa nộp lần nào"
    chart = json.loads(at.get("plotly_chart")[0].proto.spec)
    panels = [a["text"] for a in chart["layout"]["annotations"]]
    # the chosen province's panel, saying how many communes each rate is out of
    assert panels == ["Điện Biên (45 xã)"]
    rates = frame(at, "Tỷ lệ đã nộp")
    assert set(rates["Tỉnh"]) == {"Điện Biên"} and rates.iloc[-1][["Quý", "Đã nộp", "Đúng hạn"]].tolist() == ["Quý I/2026", 5, 4]
    assert "trước kỳ báo cáo đầu tiên sau khi hết quý" in texts(at)  # the rule, in words, on the page


def test_compliance_page_on_a_past_day_and_another_province_in_english(demo_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    at = open_page(demo_db, monkeypatch, "app_pages/compliance.py", lang="en")
    at.date_input(key="compliance_as_of").set_value(dt.date(2026, 7, 16)).run()
    at.selectbox(key="compliance_province").set_value("Lai Châu").run()
    assert not at.exception
    assert at.title[0].value == "Reporting compliance"
    matrix = frame(at, "Q1 2025")
    assert matrix.columns[-1] == "Q2 2026"  # on 16 July, Q3 2026 is still running
    assert set(matrix["Commune"]) >= {"Bình Lư", "Phong Thổ", "Sìn Hồ"}
    assert "reports monthly before the 15th" in texts(at)


def test_compliance_page_on_an_empty_database_says_there_is_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    at = open_page(tmp_path / "empty.duckdb", monkeypatch, "app_pages/compliance.py")
    assert "Chưa có số liệu nào" in texts(at)


def test_tasks_page_lists_overdue_first_and_filters(demo_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    at = open_page(demo_db, monkeypatch, "app_pages/tasks.py")
    at.date_input(key="tasks_as_of").set_value(DAY).run()
    assert at.title[0].value == "Nhiệm vụ và mốc"
    assert [m.value for m in at.metric] == ["3/25", "5/25", "12/25", "6/19"]
    table = frame(at, "Cơ quan chủ trì")
    assert list(table["Mã"][:3]) == ["LC-14", "HA-05", "HA-06"]
    assert table.iloc[0]["Tình trạng"] == "✖ Quá hạn · Đang thực hiện"
    assert {"Kế hoạch", "Cơ quan chủ trì", "Thời hạn (theo Kế hoạch)", "Hạn", "Số ngày trễ"} <= set(table.columns)
    milestones = frame(at, "Mốc")
    assert "? Chưa có cập nhật" in set(milestones["Tình trạng"])

    at.multiselect(key="tasks_agency").set_value(["Phòng Văn hóa - Xã hội"]).run()
    assert set(frame(at, "Cơ quan chủ trì")["Mã"]) == {"HA-01", "HA-03", "HA-04", "HA-05", "HA-06"}
    at.multiselect(key="tasks_state").set_value(["done"]).run()
    assert list(frame(at, "Cơ quan chủ trì")["Mã"]) == ["HA-04"]
    at.multiselect(key="tasks_agency").set_value([]).run()
    at.multiselect(key="tasks_state").set_value(["overdue"]).run()
    assert list(frame(at, "Cơ quan chủ trì")["Mã"]) == ["LC-14", "HA-05", "HA-06"]
    at.selectbox(key="tasks_plan").set_value("lai-chau-2653-kh-ubnd-2025").run()
    assert list(frame(at, "Cơ quan chủ trì")["Mã"]) == ["LC-14"]
    assert not at.exception


def test_recording_progress_in_the_form_shows_on_the_tasks_page(demo_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    at = open_page(demo_db, monkeypatch, "app_pages/task_progress.py", user=("demo.quantri", "demo-quantri-57"))
    at.selectbox(key="task_progress_item").set_value("HA-05")
    at.radio(key="task_progress_status").set_value("done")
    at.date_input(key="task_progress_date").set_value(dt.date(2026, 11, 20))
    at.text_input(key="task_progress_note").input("Đã dự lớp tập huấn của Sở")
    at.button(key="task_progress_submit").click().run()
    assert not at.exception
    assert "HA-05: đã ghi 1 dòng tiến độ." in texts(at)
    history = frame(at, "Người ghi · ngày ghi · tệp")
    assert history.iloc[0]["Mã"] == "HA-05" and history.iloc[0]["Người ghi · ngày ghi · tệp"].startswith("demo.quantri")
    at.switch_page("app_pages/tasks.py").run()
    at.date_input(key="tasks_as_of").set_value(DAY).run()
    ha05 = frame(at, "Cơ quan chủ trì").set_index("Mã").loc["HA-05"]
    assert ha05["Tình trạng"] == "✔ Hoàn thành (trễ hạn)" and ha05["Số ngày trễ"] == str(
        (dt.date(2026, 11, 20) - dt.date(2026, 6, 30)).days
    )


def test_a_progress_sheet_is_checked_then_written(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    db = tmp_path / "tasks.duckdb"
    with store.connect(db) as con:
        accounts.create(con, "quantri", "mat-khau-quan-tri", "admin", "test")
    at = open_page(db, monkeypatch, "app_pages/task_progress.py", user=("quantri", "mat-khau-quan-tri"))
    bad = csv_bytes([["LC-99", "Hoàn thành", "10/03/2026", "", ""]], header=HEADER)
    at.file_uploader(key="task_progress_file_0").set_value(("sai.csv", bad, "text/csv")).run()
    assert "sai.csv: bị từ chối, 1 lỗi" in texts(at)
    assert frame(at, "Cần sửa").iloc[0]["Cột"] == "Mã nhiệm vụ"
    assert not [b for b in at.button if b.key == "task_progress_commit"]
    good = csv_bytes(
        [["LC-14", "Đang thực hiện", "10/03/2026", "đã lập trang", ""], ["DB-M1", "Hoàn thành", "30/11/2025", "", ""]],
        header=HEADER,
    )
    at.file_uploader(key="task_progress_file_0").set_value(("tien_do.csv", good, "text/csv")).run()
    assert "tien_do.csv: hợp lệ, 2 dòng" in texts(at)
    at.button(key="task_progress_commit").click().run()
    assert not at.exception
    assert "tien_do.csv: đã ghi 2 dòng tiến độ." in texts(at)
    with duckdb.connect(str(db)) as con:
        assert con.execute("SELECT count(*) FROM task_updates").fetchone()[0] == 2


def test_a_commune_officer_cannot_record_another_plans_task(demo_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    at = open_page(demo_db, monkeypatch, "app_pages/task_progress.py", user=("demo.xa", "demo-xa-57"))
    at.selectbox(key="task_progress_item").set_value("LC-14")
    at.radio(key="task_progress_status").set_value("done")
    at.button(key="task_progress_submit").click().run()
    assert "Tài khoản của bạn không được cập nhật nhiệm vụ LC-14" in texts(at)
    with duckdb.connect(str(demo_db)) as con:
        assert con.execute("SELECT count(*) FROM task_updates WHERE recorded_by = 'demo.xa'").fetchone()[0] == 0


def test_viewers_and_anonymous_get_no_progress_form(demo_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    at = open_page(demo_db, monkeypatch, "app_pages/task_progress.py")
    assert "Hãy đăng nhập" in texts(at) and not [b for b in at.button if b.key == "task_progress_submit"]
    at = open_page(demo_db, monkeypatch, "app_pages/task_progress.py", user=("demo.xem", "demo-xem-57"))
    assert "chỉ được xem" in texts(at) and not [b for b in at.button if b.key == "task_progress_submit"]


def test_task_pages_work_on_an_empty_database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    at = open_page(tmp_path / "empty.duckdb", monkeypatch, "app_pages/tasks.py")
    assert len(frame(at, "Cơ quan chủ trì")) == 25  # tasks come from the plans, not from uploads
    at.switch_page("app_pages/tasks.py").run()
    assert not at.exception
