"""The plan workbook read as an office fills it: every rule with a real .xlsx, every problem where Excel shows it.

Workbooks are written by tests/intake/plan_books.py (openpyxl, the contract's sheets and columns) or by
the product's own template and export (kpis.intake.plan_template). A refused workbook names every
problem at once, each with its sheet, its row as Excel numbers it and its column. What depends on the
plans already in force (a second plan, what a replacement names) is tests/intake/test_plan_import.py's.
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile

import openpyxl
import pytest

from kpis.catalog.model import Deadline, Milestone, Plan, Target, Task, default_catalog
from kpis.catalog.places import Places
from kpis.intake.plan_template import plan_workbook
from kpis.intake.plan_workbook import SHEET_TASKS, PlanProblem, ReadPlan, read_plan_workbook
from tests.conftest import csv_bytes
from tests.intake.plan_books import (
    CAO_BANG,
    CAO_BANG_TARGETS,
    OFFICIALS,
    REACH,
    THUC_PHAN,
    TRAINING,
    day_month,
    fields_of,
    percent,
    plan_book,
)
from tests.intake.test_limits import MB, bomb_xlsx

CATALOG = default_catalog()
PLACES = Places(CATALOG.communes)
SEEDS = sorted(CATALOG.plans)
# the rows of the «Kế hoạch» fields as plan_book writes them (header on row 1)
ROW = {k: r for r, k in enumerate(CAO_BANG, start=2)}


def read(data: bytes) -> ReadPlan:
    return read_plan_workbook(data, CATALOG, PLACES)


def where(problems: list[PlanProblem]) -> list[tuple[str | None, int | None, str | None, str]]:
    return [(p.sheet, p.row, p.column, p.code) for p in problems]


def only_problem(data: bytes) -> PlanProblem:
    found = read(data)
    assert found.plan is None, "a workbook with a problem gives no plan"
    assert len(found.problems) == 1, where(found.problems)
    return found.problems[0]


# --- a good workbook ---------------------------------------------------------------------------


def test_cao_bangs_workbook_reads_into_its_plan():
    found = read(plan_book())
    assert found.ok and found.problems == [] and not found.named_id
    plan = found.plan
    assert plan is not None
    assert plan.id == "cao-bang-45-kh-ubnd-2026"
    assert (plan.number, plan.date, plan.issuer) == ("45/KH-UBND", dt.date(2026, 3, 3), "UBND tỉnh Cao Bằng")
    assert (plan.level, plan.province, plan.province_code, plan.commune, plan.commune_code) == (
        "province", "Cao Bằng", 4, None, None,
    )  # fmt: skip
    assert plan.title_vi == plan.title_en == CAO_BANG["title"]
    assert plan.replaces is None
    assert plan.source == "Kế hoạch số 45/KH-UBND ngày 03/3/2026 của UBND tỉnh Cao Bằng"
    assert [(t.indicator, t.year, t.target_pct) for t in plan.targets] == [
        ("citizen_reach", 2030, 85.0),
        ("officials_informed", 2026, 100.0),
    ]
    assert plan.deadlines == [] and plan.tasks == [] and plan.milestones == []


def test_a_communes_workbook_reads_its_commune_and_province_from_the_code():
    plan = read(plan_book(THUC_PHAN, [(REACH, 2030, 90)])).plan
    assert plan is not None
    assert (plan.level, plan.province, plan.province_code, plan.commune, plan.commune_code) == (
        "commune", "Cao Bằng", 4, "Thục Phán", 1273,
    )  # fmt: skip


def test_a_place_code_typed_as_a_number_cell_reads_like_the_text():
    province = read(plan_book(fields_of(place_code=4))).plan
    commune = read(plan_book(fields_of(THUC_PHAN, place_code=1273))).plan
    assert province is not None and province.province_code == 4
    assert commune is not None and commune.commune_code == 1273


# --- each refusal, named where Excel shows it ---------------------------------------------------


@pytest.mark.parametrize(
    ("fields", "targets", "expected"),
    [
        pytest.param(CAO_BANG, [(REACH, 2030, 120)], ("Chỉ tiêu", 2, "Tỷ lệ (%)", "plan_target_invalid"), id="over-100"),
        pytest.param(CAO_BANG, [(REACH, 2030, -5)], ("Chỉ tiêu", 2, "Tỷ lệ (%)", "plan_target_invalid"), id="below-0"),
        pytest.param(CAO_BANG, [(REACH, 2030, "nhiều")], ("Chỉ tiêu", 2, "Tỷ lệ (%)", "plan_target_invalid"), id="words"),
        pytest.param(CAO_BANG, [(REACH, 2023, 80)], ("Chỉ tiêu", 2, "Năm", "plan_year_invalid"), id="year-2023"),
        pytest.param(CAO_BANG, [(REACH, 2036, 80)], ("Chỉ tiêu", 2, "Năm", "plan_year_invalid"), id="year-2036"),
        pytest.param(
            CAO_BANG, [("Số cây xanh được trồng", 2030, 80)], ("Chỉ tiêu", 2, "Chỉ tiêu", "plan_indicator_unknown"),
            id="unknown-indicator",
        ),
        pytest.param(
            fields_of(place_code="99"), CAO_BANG_TARGETS, ("Kế hoạch", ROW["place_code"], "Nội dung", "plan_province_unknown"),
            id="province-code-not-in-registry",
        ),
        pytest.param(
            fields_of(THUC_PHAN, place_code="99999"), CAO_BANG_TARGETS,
            ("Kế hoạch", ROW["place_code"], "Nội dung", "plan_commune_unknown"), id="commune-code-not-in-registry",
        ),
        pytest.param(
            fields_of(place="Bắc Kạn"), CAO_BANG_TARGETS, ("Kế hoạch", ROW["place"], "Nội dung", "plan_place_mismatch"),
            id="province-name-disagrees",
        ),
        pytest.param(
            fields_of(THUC_PHAN, place="Nùng Trí Cao"), CAO_BANG_TARGETS,
            ("Kế hoạch", ROW["place"], "Nội dung", "plan_place_mismatch"), id="commune-name-disagrees",
        ),
        pytest.param(
            CAO_BANG, [(REACH, 2030, 80), (OFFICIALS, 2026, 100), ("citizen_reach", 2030, 90)],
            ("Chỉ tiêu", 4, "Chỉ tiêu", "plan_target_twice"), id="same-indicator-and-year-twice",
        ),
        pytest.param(
            fields_of(issued="mùng 3 tháng 3"), CAO_BANG_TARGETS, ("Kế hoạch", ROW["issued"], "Nội dung", "plan_date_invalid"),
            id="date-unreadable",
        ),
        pytest.param(
            fields_of(level="Huyện"), CAO_BANG_TARGETS, ("Kế hoạch", ROW["level"], "Nội dung", "plan_level_invalid"),
            id="level-unknown",
        ),
        pytest.param(
            fields_of(issuer=""), CAO_BANG_TARGETS, ("Kế hoạch", ROW["issuer"], "Nội dung", "plan_field_missing"),
            id="issuer-empty",
        ),
    ],
)  # fmt: skip
def test_each_refusal_names_its_sheet_row_and_column(fields, targets, expected):
    problem = only_problem(plan_book(fields, targets))
    assert where([problem]) == [expected]
    sheet, row, column, _ = expected
    assert problem.message("vi").startswith(f"Trang «{sheet}» — Dòng {row}, cột «{column}»: ")
    assert problem.message("en").startswith(f"Sheet '{sheet}' — Row {row}, column '{column}': ")


def test_the_messages_say_what_is_wrong_in_the_offices_words():
    assert "120" in only_problem(plan_book(targets=[(REACH, 2030, 120)])).message("vi")
    assert "từ 2024 đến 2035" in only_problem(plan_book(targets=[(REACH, 2023, 80)])).message("vi")
    unknown = only_problem(plan_book(targets=[("Số cây xanh được trồng", 2030, 80)])).message("vi")
    assert "«Số cây xanh được trồng»" in unknown and REACH in unknown, "the known indicators are offered"
    mismatch = only_problem(plan_book(fields_of(place="Bắc Kạn"))).message("vi")
    assert "«Bắc Kạn»" in mismatch and "Cao Bằng" in mismatch
    twice = only_problem(plan_book(targets=[(REACH, 2030, 80), (REACH, 2030, 90)]))
    assert twice.row == 3 and twice.params["first"] == 2 and "dòng 2" in twice.message("vi")
    assert "«99999»" not in only_problem(plan_book(fields_of(THUC_PHAN, place_code="99999"))).message("vi")


def test_every_problem_is_named_at_once():
    data = plan_book(fields_of(place="Bắc Kạn"), [(REACH, 2030, 120), ("Số cây xanh", 2040, 80)])
    found = read(data)
    assert found.plan is None
    assert sorted(where(found.problems)) == sorted(
        [
            ("Chỉ tiêu", 2, "Tỷ lệ (%)", "plan_target_invalid"),
            ("Chỉ tiêu", 3, "Chỉ tiêu", "plan_indicator_unknown"),
            ("Chỉ tiêu", 3, "Năm", "plan_year_invalid"),
            ("Kế hoạch", ROW["place"], "Nội dung", "plan_place_mismatch"),
        ]
    )


def test_a_workbook_with_three_faults_gets_three_problems():
    found = read(plan_book(targets=[(REACH, 2030, 120), (OFFICIALS, 2023, 100), ("Số cây xanh", 2030, 50)]))
    assert where(found.problems) == [
        ("Chỉ tiêu", 2, "Tỷ lệ (%)", "plan_target_invalid"),
        ("Chỉ tiêu", 3, "Năm", "plan_year_invalid"),
        ("Chỉ tiêu", 4, "Chỉ tiêu", "plan_indicator_unknown"),
    ]


def test_rows_are_counted_as_excel_shows_them_below_blank_title_rows():
    problem = only_problem(plan_book(targets=[(REACH, 2030, 80), (OFFICIALS, 2026, 101)], title_rows=2))
    assert where([problem]) == [("Chỉ tiêu", 5, "Tỷ lệ (%)", "plan_target_invalid")]


def test_a_missing_sheet_or_column_is_named():
    no_targets = read(plan_book(leave_out=["targets"]))
    assert [(p.code, p.params["name"]) for p in no_targets.problems] == [("plan_sheet_missing", "Chỉ tiêu")]
    no_year = read(plan_book(headers={"targets": ["Chỉ tiêu", "Tỷ lệ (%)"]}, targets=[(REACH, 85)]))
    assert where(no_year.problems) == [("Chỉ tiêu", 1, None, "plan_column_missing")]
    assert "«Năm»" in no_year.problems[0].message("vi")


# --- what offices type ----------------------------------------------------------------------------


def test_english_sheets_columns_and_fields_read_as_the_same_plan():
    english = plan_book(fields_of(level="Province"), english=True)
    found = read(english)
    assert found.ok, where(found.problems)
    assert found.plan == read(plan_book()).plan
    book = openpyxl.load_workbook(io.BytesIO(english))
    assert book.sheetnames == ["Plan", "Targets", "Deadlines", "Tasks"], "the workbook really is in English"


def test_english_names_place_a_problem_under_the_english_sheet_and_column():
    problem = only_problem(plan_book(targets=[(REACH, 2030, 120)], english=True))
    assert where([problem]) == [("Targets", 2, "Target %", "plan_target_invalid")]


def test_headers_and_fields_in_any_case_spacing_or_without_diacritics_are_accepted():
    data = plan_book(
        labels={"place_code": "ma  don vi HANH CHINH:", "issued": "NGÀY BAN HÀNH *", "place": "ten don vi"},
        headers={"plan": ["  MỤC ", "noi dung"], "targets": ["CHI TIEU", " nam ", "Ty le %", "ghi chu"]},
        sheets={"plan": "ke hoach", "targets": "CHỈ TIÊU "},
    )
    found = read(data)
    assert found.ok, where(found.problems)
    assert found.plan == read(plan_book()).plan


@pytest.mark.parametrize("issued_as", ["date", "text"])
def test_the_issue_date_as_a_date_cell_or_as_text(issued_as):
    data = plan_book(fields_of(issued=dt.date(2026, 3, 3)), issued_as=issued_as)
    cell = openpyxl.load_workbook(io.BytesIO(data))["Kế hoạch"].cell(ROW["issued"], 2)
    assert cell.is_date == (issued_as == "date")
    if issued_as == "text":
        assert cell.value == "03/3/2026"
    plan = read(data).plan
    assert plan is not None and plan.date == dt.date(2026, 3, 3)


@pytest.mark.parametrize("written", ["03/3/2026", "3/3/2026", "03-03-2026", "ngày 03/3/2026", "03.03.2026"])
def test_the_issue_date_in_the_ways_offices_type_it(written):
    plan = read(plan_book(fields_of(issued=written))).plan
    assert plan is not None and plan.date == dt.date(2026, 3, 3)


@pytest.mark.parametrize(
    ("written", "pct"),
    [("80%", 80.0), ("80 %", 80.0), (percent(80), 80.0), ("80,5", 80.5), (80, 80.0), (percent(100), 100.0), ("0,5", 0.5)]
    + [(percent(p), p) for p in (57, 29, 14.5, 0.7, 33.3)],  # 0.57 * 100 is 56.99999999999999: read as 57
)
def test_a_target_as_text_with_a_percent_sign_or_as_an_excel_percent_cell(written, pct):
    plan = read(plan_book(targets=[(REACH, 2030, written)])).plan
    assert plan is not None and [t.target_pct for t in plan.targets] == [pct]


def test_an_excel_percent_cell_really_holds_the_fraction():
    cell = openpyxl.load_workbook(io.BytesIO(plan_book(targets=[(REACH, 2030, percent(80))])))["Chỉ tiêu"]["C2"]
    assert cell.value == 0.8 and "%" in cell.number_format


def test_a_han_typed_10_6_that_excel_stored_as_a_date_cell():
    data = plan_book(deadlines=[("6 tháng", day_month(10, 6)), ("Năm", "10/12"), ("Tháng", "15"), ("Định kỳ", "")])
    assert openpyxl.load_workbook(io.BytesIO(data))["Hạn báo cáo"]["B2"].is_date
    plan = read(data).plan
    assert plan is not None
    assert [(d.frequency, d.month, d.day) for d in plan.deadlines] == [
        ("half_year", 6, 10),
        ("year", 12, 10),
        ("monthly", None, 15),
        ("periodic", None, None),
    ]
    assert plan.deadlines[0].label_vi == "Báo cáo 6 tháng, trước ngày 10/06"


def test_a_han_that_is_no_day_is_named():
    found = read(plan_book(deadlines=[("6 tháng", "31/6"), ("Tháng", "40"), ("Hằng tuần", "10/6")]))
    assert where(found.problems) == [
        ("Hạn báo cáo", 2, "Hạn", "plan_due_invalid"),
        ("Hạn báo cáo", 3, "Hạn", "plan_due_monthly_invalid"),
        ("Hạn báo cáo", 4, "Kỳ báo cáo", "plan_period_invalid"),
    ]


def test_a_task_row_without_its_lead_is_named():
    found = read(plan_book(tasks=[(1, "Tổ chức hội nghị quán triệt", "", "", "Quý II/2026")]))
    assert where(found.problems) == [("Nhiệm vụ", 2, "Cơ quan chủ trì", "plan_task_cell_missing")]


def test_tasks_get_codes_of_their_place():
    tasks = [
        (1, "Tổ chức hội nghị", "Sở KH&CN", "Sở TT&TT; Báo Cao Bằng", "Quý II/2026"),
        ("CB-X", "Mở chuyên mục", "Báo Cao Bằng", "", "2026"),
    ]
    plan = read(plan_book(tasks=tasks)).plan
    assert plan is not None
    assert [(t.code, t.lead, t.partners) for t in plan.tasks] == [
        ("CB4-01", "Sở KH&CN", ["Sở TT&TT", "Báo Cao Bằng"]),
        ("CB-X", "Báo Cao Bằng", []),
    ]


# --- hostile files: refused with a problem, never an exception -------------------------------------


def _zip_of_nothing() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("hello.txt", "không phải bảng tính")
    return buf.getvalue()


@pytest.mark.parametrize(
    ("data", "codes"),
    [
        pytest.param(b"", {"file_empty"}, id="empty"),
        pytest.param(b"this is not a workbook at all", {"file_not_xlsx"}, id="text"),
        pytest.param(bytes(range(256)) * 64, {"file_not_xlsx"}, id="random-bytes"),
        pytest.param(_zip_of_nothing(), {"file_not_xlsx"}, id="a-zip-that-is-no-workbook"),
        pytest.param(
            csv_bytes([["Cao Bằng", "Thục Phán", "Tổ 1", 2026, 3, "citizen_reach", 1, 2, ""]]), {"file_not_xlsx"}, id="csv"
        ),
        pytest.param(plan_book()[:2000], {"file_not_xlsx"}, id="cut-short"),
    ],
)
def test_a_hostile_file_is_refused_with_a_problem(data, codes):
    found = read(data)
    assert found.plan is None
    assert [p.code for p in found.problems] and {p.code for p in found.problems} <= codes
    assert all(p.message("vi") and p.message("en") for p in found.problems)


def test_a_zip_bomb_is_refused_before_it_inflates():
    data = bomb_xlsx(700 * MB)
    assert len(data) < 2 * MB
    found = read(data)
    assert found.plan is None and [p.code for p in found.problems] == ["file_inflates"]


def test_a_workbook_of_other_sheets_is_told_which_sheets_it_needs():
    found = read(openpyxl_workbook_with("Báo cáo", [["Tỉnh", "Xã"], ["Cao Bằng", "Thục Phán"]]))
    assert [(p.code, p.params["name"]) for p in found.problems] == [
        ("plan_sheet_missing", "Kế hoạch"),
        ("plan_sheet_missing", "Chỉ tiêu"),
    ]


def openpyxl_workbook_with(title: str, rows: list[list[object]]) -> bytes:
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = title
    for r in rows:
        ws.append(r)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


# --- the template and the export -----------------------------------------------------------------


def test_the_template_reads_back_with_only_its_empty_fields_named():
    found = read(plan_workbook(CATALOG))
    assert found.plan is None
    assert {p.code for p in found.problems} == {"plan_field_missing"}
    assert [p.params["field"] for p in found.problems] == [
        "Cơ quan ban hành", "Cấp", "Mã đơn vị hành chính", "Tên đơn vị", "Trích yếu",
    ]  # fmt: skip
    assert all(p.sheet == "Kế hoạch" and p.column == "Nội dung" and p.row for p in found.problems)


def test_the_template_lists_the_indicators_and_the_years():
    book = openpyxl.load_workbook(io.BytesIO(plan_workbook(CATALOG)))
    assert book.sheetnames[:5] == ["Hướng dẫn", "Kế hoạch", "Chỉ tiêu", "Hạn báo cáo", "Nhiệm vụ"]
    assert [c.value for c in book["Chỉ tiêu"][1]] == ["Chỉ tiêu", "Năm", "Tỷ lệ (%)", "Ghi chú"]
    lists = book["Danh sách"]
    assert lists.sheet_state == "hidden"
    assert [c.value for c in lists["B"] if c.value] == [i.short_vi for i in CATALOG.indicators.values()]


def formula_plan() -> Plan:
    return Plan(
        id="cao-bang-45-kh-ubnd-2026",
        number="45/KH-UBND",
        date=dt.date(2026, 3, 3),
        issuer="UBND tỉnh Cao Bằng",
        title_vi='=HYPERLINK("http://x")',
        title_en="Cao Bằng plan",
        province="Cao Bằng",
        province_code=4,
        source="Kế hoạch số 45/KH-UBND",
        notes_vi="-ghi chú bắt đầu bằng dấu trừ",
        targets=[Target(indicator="citizen_reach", year=2030, target_pct=85, quote="=A1*2")],
        deadlines=[Deadline(frequency="quarter", month=3, day=20, label_vi="+ quý", label_en="@quarter")],
        tasks=[Task(code="CB4-01", title_vi="=1+1", title_en="=2+2", lead="@Sở KH&CN", partners=["+Báo"], deadline="=Q2")],
    )


def test_formula_looking_text_is_written_back_by_the_export_as_text():
    plan = formula_plan()
    data = plan_workbook(CATALOG, plan)
    book = openpyxl.load_workbook(io.BytesIO(data))
    task = book[SHEET_TASKS[0]]
    assert task["B2"].value == "=1+1" and task["B2"].data_type == "s"
    for ws in book.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f", f"{ws.title}!{cell.coordinate} is a formula: {cell.value!r}"
    assert read(data).plan == plan, "the text comes back as it was"


@pytest.mark.parametrize("seed", SEEDS)
def test_each_seed_exported_reads_back_as_the_same_plan(seed):
    plan = CATALOG.plans[seed]
    found = read(plan_workbook(CATALOG, plan))
    assert found.problems == []
    assert found.named_id
    assert found.plan == plan


def test_a_plan_with_every_part_reads_back_as_the_same_plan():
    plan = Plan(
        id="thuc-phan-12-kh-ubnd-2026",
        number="12/KH-UBND",
        date=dt.date(2026, 4, 10),
        issuer="UBND phường Thục Phán",
        title_vi="Kế hoạch của phường Thục Phán",
        title_en="Thục Phán ward plan",
        province="Cao Bằng",
        province_code=4,
        commune="Thục Phán",
        commune_code=1273,
        source="Kế hoạch số 12/KH-UBND",
        replaces="9/KH-UBND",
        notes_vi="Ghi chú",
        notes_en="Notes",
        targets=[
            Target(indicator="citizen_reach", year=2026, target_pct=62.5, quote="mục II.1"),
            Target(indicator="citizen_reach", year=2030, target_pct=85),
            Target(indicator="staff_digital_training", year=2030, target_pct=1),
            Target(indicator="officials_informed", year=2026, target_pct=0.5),
            Target(indicator="units_with_plan", year=2025, target_pct=0),
        ],
        deadlines=[
            Deadline(frequency="quarter", month=3, day=20, label_vi="Quý", label_en="Quarter"),
            Deadline(frequency="monthly", day=15, label_vi="Tháng", label_en="Month"),
            Deadline(frequency="periodic", label_vi="Định kỳ", label_en="Periodic"),
        ],
        tasks=[
            Task(code="TP1273-01", title_vi="Hội nghị", title_en="Meeting", lead="UBND", partners=["A", "B"], deadline="2026")
        ],
        milestones=[Milestone(code="TP-M1", title_vi="Mốc", title_en="Milestone", year=2027)],
    )
    data = plan_workbook(CATALOG, plan)
    small = openpyxl.load_workbook(io.BytesIO(data))["Chỉ tiêu"]
    assert [small[f"C{r}"].value for r in range(2, 7)] == [62.5, 85, "1", "0,5", 0], "a target in (0, 1] is written as text"
    found = read(data)
    assert found.problems == []
    assert found.plan is not None
    assert [t.target_pct for t in found.plan.targets] == [62.5, 85, 1, 0.5, 0], "a 1 % or 0.5 % target is not read as 100 or 50"
    assert found.plan == plan


def test_a_workbook_the_office_edited_from_the_export_reads_with_its_changes():
    """The export opened, a target changed and a row added (as openpyxl, like Excel, saves it), read back."""
    seed = CATALOG.plans["hoa-an-139-kh-ubnd-2026"]
    book = openpyxl.load_workbook(io.BytesIO(plan_workbook(CATALOG, seed)))
    targets = book["Chỉ tiêu"]
    targets["C5"] = 90
    targets.append([TRAINING, 2027, 0.5])
    targets.cell(targets.max_row, 3).number_format = "0%"
    buf = io.BytesIO()
    book.save(buf)
    plan = read(buf.getvalue()).plan
    assert plan is not None
    assert plan.targets[3].target_pct == 90
    assert plan.targets[-1] == Target(indicator="staff_digital_training", year=2027, target_pct=50)


def test_a_control_character_in_any_cell_is_named_where_it_is_and_refuses_the_plan():
    """Excel writes ESC in a cell as _x001B_; it cannot be shown or exported again (openpyxl refuses it)."""
    wb = openpyxl.load_workbook(io.BytesIO(plan_workbook(CATALOG, CATALOG.plans["hoa-an-139-kh-ubnd-2026"])))
    wb["Kế hoạch"]["B8"] = "Kế hoạch_x001B_ đỏ"
    wb["Nhiệm vụ"]["B3"] = "Tuyên truyền_x0007_"
    buf = io.BytesIO()
    wb.save(buf)
    found = read(buf.getvalue())
    assert found.plan is None
    where = [(p.sheet, p.row, p.column, p.code, p.params["name"]) for p in found.problems]
    assert where == [("Kế hoạch", 8, "Nội dung", "text_control", "ESC"), ("Nhiệm vụ", 3, "Nhiệm vụ", "text_control", "BEL")]
    assert "Dòng 8, cột «Nội dung»" in found.problems[0].message("vi")
