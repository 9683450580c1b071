"""Putting a plan in from its workbook, against a real DuckDB file: the rules, who may, the figures, the history.

Cao Bằng (province code 4) has no seed plan. Its ward Thục Phán reported citizen reach and officials
informed for 2025 and 2026, and its ward Nùng Trí Cao for 2026, before any plan: the database is made
once for the module (figures imported through kpis.intake.importer, accounts through
kpis.people.accounts) and copied for each test. Every clock is pinned.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
import pytest

from kpis import store
from kpis.catalog.model import default_catalog
from kpis.figures.progress import progress
from kpis.intake.importer import import_file
from kpis.intake.plan_import import (
    TRUSTED,
    PlanPower,
    PlanRefused,
    PlanResult,
    check_plan,
    decide,
    find_version,
    import_plan,
    plan_listing,
    proposals,
)
from kpis.intake.plan_template import plan_workbook
from kpis.ops.rebuild import rebuild
from kpis.output.meeting import Area
from kpis.output.meeting_text import source_line
from kpis.people import accounts
from kpis.store import audit
from kpis.store import plan_book as book
from kpis.store.journal import PlanDecided, PlanPut
from tests.conftest import csv_bytes
from tests.intake.plan_books import CAO_BANG, OFFICIALS, REACH, THUC_PHAN, TRAINING, fields_of, plan_book

AT = dt.datetime(2026, 11, 20, 9, 0)
LATER = dt.datetime(2026, 11, 27, 14, 30)
PASSWORD = "mat-khau-du-dai-1"
FIRST = "45/KH-UBND"
SECOND = "46/KH-UBND"
FIRST_ID = "cao-bang-45-kh-ubnd-2026"
SECOND_ID = "cao-bang-46-kh-ubnd-2026"
THUC_PHAN_ID = "thuc-phan-12-kh-ubnd-2026"
REPLACES_ROW = list(CAO_BANG).index("replaces") + 2  # the «Thay thế kế hoạch» row plan_book writes


def figures() -> bytes:
    rows = [
        ["Cao Bằng", "Thục Phán", "Tổ 1", 2025, 4, "citizen_reach", 300, 1000, ""],
        ["Cao Bằng", "Thục Phán", "Tổ 1", 2025, 4, "officials_informed", 40, 100, ""],
        ["Cao Bằng", "Thục Phán", "Tổ 1", 2026, 3, "citizen_reach", 400, 1000, ""],
        ["Cao Bằng", "Thục Phán", "Tổ 1", 2026, 3, "officials_informed", 60, 100, ""],
        ["Cao Bằng", "Nùng Trí Cao", "Tổ 3", 2026, 3, "citizen_reach", 700, 1000, ""],
    ]
    return csv_bytes(rows)


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The database before any Cao Bằng plan: its figures, and an account of each kind."""
    db = tmp_path_factory.mktemp("plan_import") / "kpis.duckdb"
    with store.connect(db) as con:
        assert import_file(con, figures(), "cao_bang_q3.csv", "test", uploaded_at=AT).status == "accepted"
        accounts.create(con, "cb.tinh", PASSWORD, "province", "test", province="Cao Bằng")
        accounts.create(con, "db.tinh", PASSWORD, "province", "test", province="Điện Biên")
        accounts.create(con, "tp.xa", PASSWORD, "commune", "test", province="Cao Bằng", communes=["Thục Phán"])
        accounts.create(con, "ntc.xa", PASSWORD, "commune", "test", province="Cao Bằng", communes=["Nùng Trí Cao"])
    return db


@pytest.fixture
def db(base: Path, tmp_path: Path) -> Path:
    target = tmp_path / "db" / base.name
    shutil.copytree(base.parent, target.parent)
    return target


@pytest.fixture
def con(db: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    connection = store.connect(db)
    yield connection
    connection.close()


def power_of(con: duckdb.DuckDBPyConnection, username: str) -> PlanPower:
    account = accounts.get(con, username)
    assert account is not None
    return account.plan_power


def put(
    con: duckdb.DuckDBPyConnection,
    data: bytes,
    by: str = "admin",
    power: PlanPower = TRUSTED,
    at: dt.datetime = AT,
    name: str = "ke_hoach.xlsx",
) -> PlanResult:
    return import_plan(con, data, name, by, power, at=at)


def targets(con: duckdb.DuckDBPyConnection, commune: str = "Thục Phán") -> dict[tuple[str, int], tuple[float | None, str | None]]:
    """(indicator, year) -> (target_pct, plan_id) of a Cao Bằng commune's progress."""
    rows = progress(con, "commune", province="Cao Bằng", commune=commune)
    out: dict[tuple[str, int], tuple[float | None, str | None]] = {}
    r: Any  # pandas-stubs types every named-tuple field as any scalar
    for r in rows.itertuples():
        pct = None if pd.isna(r.target_pct) else float(r.target_pct)
        out[(r.indicator, int(r.year))] = (pct, r.plan_id if isinstance(r.plan_id, str) else None)
    return out


def figures_of(con: duckdb.DuckDBPyConnection) -> list[dict[str, object]]:
    """Every commune's and province's progress row, missing values as None (NaN is not equal to itself)."""
    frames = [progress(con, level) for level in ("commune", "province")]
    return [{str(k): (None if pd.isna(v) else v) for k, v in row.items()} for f in frames for row in f.to_dict("records")]


def statuses(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    return {v.plan.id: v.status for v in book.versions(con)}


def amending(reach: float = 90) -> bytes:
    """Cao Bằng's second plan: it replaces the first and sets one target only."""
    fields = fields_of(number=SECOND, issued="20/10/2026", replaces=FIRST)
    return plan_book(fields, [(REACH, 2030, reach)])


def actions(con: duckdb.DuckDBPyConnection) -> list[tuple[str, str]]:
    trail = audit.events(con)
    trail = trail[trail["action"].str.startswith("plan_")]
    return list(zip(trail["actor"], trail["action"], strict=True))[::-1]


# --- a province with no plan gets one -------------------------------------------------------------


def test_cao_bang_gets_its_first_plan_and_its_communes_progress_shows_its_targets(con):
    assert targets(con) == {
        ("citizen_reach", 2025): (None, None),
        ("officials_informed", 2025): (None, None),
        ("citizen_reach", 2026): (None, None),
        ("officials_informed", 2026): (None, None),
    }, "no plan of Cao Bằng yet"
    before = store.data_version(con)
    result = put(con, plan_book())
    assert result.status == "in_force" and result.problems == []
    assert result.summary("vi") == "Đã áp dụng Kế hoạch số 45/KH-UBND (Cao Bằng)."
    assert store.data_version(con) != before, "the figures' caches see the new plan at once"
    assert statuses(con)[FIRST_ID] == "in_force"
    assert FIRST_ID in book.in_force(con)
    assert targets(con) == {
        ("citizen_reach", 2025): (85.0, FIRST_ID),
        ("officials_informed", 2025): (100.0, FIRST_ID),
        ("citizen_reach", 2026): (85.0, FIRST_ID),
        ("officials_informed", 2026): (100.0, FIRST_ID),
    }
    assert targets(con, "Nùng Trí Cao") == {("citizen_reach", 2026): (85.0, FIRST_ID)}, "every commune of the province"
    province = progress(con, "province", 2026, province="Cao Bằng")
    assert set(province["plan_id"]) == {FIRST_ID}
    listed = [r for r in plan_listing(con) if r["place"] == "Cao Bằng"]
    assert listed == [
        {"number": FIRST, "issued": "2026-03-03", "level": "province", "place_code": 4, "place": "Cao Bằng", "targets": 2,
         "replaces": None, "in_force": True},
    ]  # fmt: skip
    assert actions(con) == [("admin", "plan_put")]


def test_an_amending_plan_takes_the_first_ones_place_for_every_year_and_the_history_keeps_both(con):
    assert put(con, plan_book()).status == "in_force"
    before = store.data_version(con)
    result = put(con, amending(), at=LATER, name="ke_hoach_sua_doi.xlsx")
    assert result.status == "in_force", result.messages("en")
    assert store.data_version(con) != before
    assert statuses(con)[FIRST_ID] == "replaced" and statuses(con)[SECOND_ID] == "in_force"
    old, new = book.versions(con, "plan_id IN (?, ?)", [FIRST_ID, SECOND_ID])
    assert (old.replaced_by, old.replaced_at) == (new.version, LATER)
    assert list(book.in_force(con)).count(FIRST_ID) == 0
    # the new plan's target for every year; the first plan's officials_informed target is gone with it
    assert targets(con) == {
        ("citizen_reach", 2025): (90.0, SECOND_ID),
        ("officials_informed", 2025): (None, None),
        ("citizen_reach", 2026): (90.0, SECOND_ID),
        ("officials_informed", 2026): (None, None),
    }
    listed = [r for r in plan_listing(con) if r["place"] == "Cao Bằng"]
    assert [(r["number"], r["in_force"], r["replaces"], r["targets"]) for r in listed] == [
        (FIRST, False, None, 2),
        (SECOND, True, FIRST, 1),
    ]
    assert find_version(con, FIRST).status == "replaced" and find_version(con, SECOND).status == "in_force"
    assert actions(con) == [("admin", "plan_put"), ("admin", "plan_put")]
    detail = json.loads(audit.events(con, action="plan_put")["detail"].iloc[0])
    assert detail["replaced"] == "Kế hoạch số 45/KH-UBND (Cao Bằng)"


def test_the_meeting_packs_source_line_names_the_plan_in_force_after_the_amendment(con):
    put(con, plan_book())
    area = Area("Cao Bằng", "Thục Phán", commune_kind="Phường")
    first = source_line(con, area, "vi", year=2026)
    assert "Kế hoạch số 45/KH-UBND ngày 03/3/2026 của UBND tỉnh Cao Bằng" in first
    put(con, amending(), at=LATER)
    line = source_line(con, area, "vi", year=2026)
    assert "Kế hoạch số 46/KH-UBND ngày 20/10/2026 của UBND tỉnh Cao Bằng" in line
    assert FIRST not in line
    assert "46/KH-UBND" in source_line(con, Area("Cao Bằng"), "en", year=2026, province_figure=True)


def test_replaces_names_the_plan_in_the_ways_people_write_a_number(con):
    put(con, plan_book())
    data = plan_book(fields_of(number=SECOND, replaces="Kế hoạch số 45/kh-ubnd"), [(REACH, 2030, 88)])
    assert put(con, data).status == "in_force"
    assert statuses(con)[FIRST_ID] == "replaced"


def test_a_plan_is_corrected_by_importing_it_again_with_its_own_number_in_thay_the(con):
    put(con, plan_book())
    corrected = put(con, plan_book(fields_of(replaces=FIRST), [(REACH, 2030, 87), (OFFICIALS, 2026, 100)]), at=LATER)
    assert corrected.status == "in_force", corrected.messages("en")
    assert [(v.plan.number, v.status) for v in book.versions(con, "province_code = 4")] == [
        (FIRST, "replaced"),
        (FIRST, "in_force"),
    ]
    assert targets(con)[("citizen_reach", 2026)] == (87.0, FIRST_ID)
    assert find_version(con, FIRST).status == "in_force", "the number names the version in force"


# --- refusals against the plans in force ----------------------------------------------------------


def refused_where(result: PlanResult) -> list[tuple[str | None, int | None, str | None, str]]:
    assert result.status == "refused"
    return [(p.sheet, p.row, p.column, p.code) for p in result.problems]


def nothing_written(con: duckdb.DuckDBPyConnection, versions: dict[str, str], version: int) -> None:
    assert statuses(con) == versions
    assert store.data_version(con) == version


def test_a_second_plan_without_thay_the_is_refused_and_names_the_field(con):
    put(con, plan_book())
    held, version = statuses(con), store.data_version(con)
    result = put(con, plan_book(fields_of(number=SECOND), [(REACH, 2030, 90)]))
    assert refused_where(result) == [("Kế hoạch", REPLACES_ROW, "Nội dung", "plan_second_in_force")]
    message = result.messages("vi")[0]
    assert message.startswith(f"Trang «Kế hoạch» — Dòng {REPLACES_ROW}, cột «Nội dung»: ")
    assert "Kế hoạch số 45/KH-UBND (Cao Bằng)" in message and "«Thay thế kế hoạch»" in message
    assert result.messages("en")[0].startswith(f"Sheet 'Kế hoạch' — Row {REPLACES_ROW}, column 'Nội dung': ")
    nothing_written(con, held, version)
    assert actions(con)[-1] == ("admin", "plan_refused")


def test_a_rules_problem_of_an_english_workbook_is_placed_under_its_english_sheet_and_column(con):
    put(con, plan_book())
    data = plan_book(fields_of(number=SECOND, level="Province", replaces="99/KH-UBND"), [(REACH, 2030, 90)], english=True)
    result = put(con, data)
    assert refused_where(result) == [("Plan", REPLACES_ROW, "Value", "plan_replaces_unknown")]
    assert result.messages("en")[0].startswith(f"Sheet 'Plan' — Row {REPLACES_ROW}, column 'Value': ")


def test_a_second_plan_from_a_workbook_without_the_replaces_row(con):
    put(con, plan_book())
    result = put(con, plan_book(fields_of(number=SECOND, replaces=None), [(REACH, 2030, 90)]))
    assert refused_where(result) == [("Kế hoạch", None, "Thay thế kế hoạch", "plan_second_in_force")]
    assert result.messages("vi")[0].startswith("Trang «Kế hoạch» — ")


def test_thay_the_naming_a_plan_that_does_not_exist_for_that_place_is_refused(con):
    put(con, plan_book())
    held, version = statuses(con), store.data_version(con)
    unknown = put(con, plan_book(fields_of(number=SECOND, replaces="99/KH-UBND"), [(REACH, 2030, 90)]))
    assert refused_where(unknown) == [("Kế hoạch", REPLACES_ROW, "Nội dung", "plan_replaces_unknown")]
    assert "99/KH-UBND" in unknown.messages("vi")[0] and "45/KH-UBND" in unknown.messages("vi")[0]
    # a number that exists, but for another place (Mường Mùn's seed), is no plan of Cao Bằng
    elsewhere = put(con, plan_book(fields_of(number=SECOND, replaces="01/KH-UBND"), [(REACH, 2030, 90)]))
    assert refused_where(elsewhere) == [("Kế hoạch", REPLACES_ROW, "Nội dung", "plan_replaces_unknown")]
    nothing_written(con, held, version)


def test_thay_the_on_a_places_first_plan_is_refused(con):
    result = put(con, plan_book(fields_of(replaces="44/KH-UBND")))
    assert refused_where(result) == [("Kế hoạch", REPLACES_ROW, "Nội dung", "plan_replaces_unknown")]
    assert "chưa có kế hoạch nào đang áp dụng" in result.messages("vi")[0]


def test_re_importing_the_plan_in_force_is_refused_as_unchanged(con):
    put(con, plan_book())
    held, version = statuses(con), store.data_version(con)
    again = put(con, plan_book())
    assert refused_where(again) == [("Kế hoạch", None, None, "plan_unchanged")]
    assert "không có gì thay đổi" in again.messages("vi")[0]
    exported = plan_workbook(default_catalog(), book.in_force(con)[FIRST_ID])
    assert refused_where(put(con, exported)) == [("Kế hoạch", None, None, "plan_unchanged")], "its export, too"
    nothing_written(con, held, version)


def test_the_export_of_an_amending_plan_re_imported_is_unchanged(con):
    put(con, plan_book())
    put(con, amending(), at=LATER)
    exported = plan_workbook(default_catalog(), book.in_force(con)[SECOND_ID])
    assert refused_where(put(con, exported)) == [("Kế hoạch", None, None, "plan_unchanged")]


def test_the_export_of_each_seed_re_imported_is_unchanged(con):
    catalog = default_catalog()
    for seed in catalog.plans.values():
        result = put(con, plan_workbook(catalog, seed))
        assert refused_where(result) == [("Kế hoạch", None, None, "plan_unchanged")], seed.id


def test_a_workbook_problem_refuses_before_the_rules_and_writes_nothing_but_the_audit(con):
    held, version = statuses(con), store.data_version(con)
    result = put(con, plan_book(targets=[(REACH, 2030, 120)]))
    assert refused_where(result) == [("Chỉ tiêu", 2, "Tỷ lệ (%)", "plan_target_invalid")]
    assert result.summary("vi") == "Tệp «ke_hoach.xlsx» chưa được nhận: có 1 lỗi cần sửa. Không có gì được ghi."
    nothing_written(con, held, version)
    refused = audit.events(con, action="plan_refused")
    assert len(refused) == 1 and "Tỷ lệ «120»" in refused["detail"].iloc[0]
    assert not [e for e in store.read_journal(store.db_file(con)) if isinstance(e, PlanPut)]


def test_check_plan_previews_without_writing(con):
    checked = check_plan(con, plan_book(), TRUSTED)
    assert checked.ok and checked.power == "put" and checked.replaces is None
    assert FIRST_ID not in statuses(con) and audit.events(con, action="plan_refused").empty


# --- a commune's own plan goes first ------------------------------------------------------------


def test_a_communes_own_plan_goes_first_and_the_province_plan_fills_what_it_is_silent_on(con):
    assert put(con, plan_book()).status == "in_force"
    result = put(con, plan_book(THUC_PHAN, [(REACH, 2030, 95)]), name="thuc_phan.xlsx")
    assert result.status == "in_force", result.messages("en")
    assert targets(con) == {
        ("citizen_reach", 2025): (95.0, THUC_PHAN_ID),
        ("officials_informed", 2025): (100.0, FIRST_ID),
        ("citizen_reach", 2026): (95.0, THUC_PHAN_ID),
        ("officials_informed", 2026): (100.0, FIRST_ID),
    }
    assert targets(con, "Nùng Trí Cao") == {("citizen_reach", 2026): (85.0, FIRST_ID)}, "another commune keeps the province's"
    line = source_line(con, Area("Cao Bằng", "Thục Phán"), "vi", year=2026)
    assert "12/KH-UBND" in line and "45/KH-UBND" in line, "both plans whose targets the figures use are cited"
    # the province's amendment changes what the commune's plan is silent on, and not the rest
    put(con, plan_book(fields_of(number=SECOND, replaces=FIRST), [(REACH, 2030, 80), (OFFICIALS, 2026, 90)]), at=LATER)
    assert targets(con)[("citizen_reach", 2026)] == (95.0, THUC_PHAN_ID)
    assert targets(con)[("officials_informed", 2026)] == (90.0, SECOND_ID)


# --- who may ---------------------------------------------------------------------------------------


def test_a_province_account_of_another_province_is_refused(con):
    result = put(con, plan_book(), by="db.tinh", power=power_of(con, "db.tinh"))
    assert refused_where(result) == [(None, None, None, "plan_out_of_scope")]
    assert result.messages("vi") == ["Tài khoản của bạn không được nhập kế hoạch cho Cao Bằng."]
    assert FIRST_ID not in statuses(con)
    assert actions(con) == [("db.tinh", "plan_refused")]


def test_a_commune_account_may_not_put_in_its_provinces_plan_or_another_communes(con):
    tp = power_of(con, "tp.xa")
    assert refused_where(put(con, plan_book(), by="tp.xa", power=tp)) == [(None, None, None, "plan_out_of_scope")]
    other = plan_book(fields_of(THUC_PHAN, place_code="01279", place="Nùng Trí Cao"), [(REACH, 2030, 90)])
    assert refused_where(put(con, other, by="tp.xa", power=tp)) == [(None, None, None, "plan_out_of_scope")]


def test_a_province_account_puts_in_its_province_and_its_communes_plans(con):
    cb = power_of(con, "cb.tinh")
    assert put(con, plan_book(), by="cb.tinh", power=cb).status == "in_force"
    assert put(con, plan_book(THUC_PHAN, [(REACH, 2030, 95)]), by="cb.tinh", power=cb).status == "in_force"
    assert statuses(con)[THUC_PHAN_ID] == "in_force"
    assert targets(con)[("citizen_reach", 2026)] == (95.0, THUC_PHAN_ID)
    assert actions(con) == [("cb.tinh", "plan_put"), ("cb.tinh", "plan_put")]


def test_a_communes_proposal_waits_for_the_province_and_is_then_in_force(con):
    put(con, plan_book())
    before_targets, before_version = targets(con), store.data_version(con)
    proposed = put(con, plan_book(THUC_PHAN, [(REACH, 2030, 95)]), by="tp.xa", power=power_of(con, "tp.xa"))
    assert proposed.status == "proposed", proposed.messages("en")
    assert proposed.summary("vi").startswith("Đã gửi Kế hoạch số 12/KH-UBND (Thục Phán, Cao Bằng)")
    assert statuses(con)[THUC_PHAN_ID] == "proposed"
    assert THUC_PHAN_ID not in book.in_force(con)
    assert targets(con) == before_targets, "a proposal changes no figure"
    assert [v.version for v in proposals(con)] == [proposed.version]
    assert [r["in_force"] for r in plan_listing(con) if r["place"] == "Thục Phán"] == [False]
    assert store.data_version(con) != before_version  # the proposals list changed

    with pytest.raises(PlanRefused) as refused:
        decide(con, proposed.version, True, "tp.xa", power_of(con, "tp.xa"), at=LATER)
    assert refused.value.code == "plan_decide_out_of_scope"
    with pytest.raises(PlanRefused) as elsewhere:
        decide(con, proposed.version, True, "db.tinh", power_of(con, "db.tinh"), at=LATER)
    assert elsewhere.value.code == "plan_decide_out_of_scope"
    assert statuses(con)[THUC_PHAN_ID] == "proposed"

    approved = decide(con, proposed.version, True, "cb.tinh", power_of(con, "cb.tinh"), note="Đồng ý", at=LATER)
    assert (approved.status, approved.decided_by, approved.decided_at, approved.decision_note) == (
        "in_force", "cb.tinh", LATER, "Đồng ý",
    )  # fmt: skip
    assert targets(con)[("citizen_reach", 2026)] == (95.0, THUC_PHAN_ID)
    assert proposals(con) == []
    with pytest.raises(PlanRefused) as twice:
        decide(con, proposed.version, True, "cb.tinh", power_of(con, "cb.tinh"), at=LATER)
    assert twice.value.code == "plan_not_proposed"
    assert actions(con) == [("admin", "plan_put"), ("tp.xa", "plan_proposed"), ("cb.tinh", "plan_approved")]


def test_a_rejected_proposal_is_kept_as_rejected_and_changes_nothing(con):
    put(con, plan_book())
    before = targets(con)
    proposed = put(con, plan_book(THUC_PHAN, [(REACH, 2030, 95)]), by="tp.xa", power=power_of(con, "tp.xa"))
    rejected = decide(con, proposed.version, False, "admin", TRUSTED, note="Chỉ tiêu chưa đúng", at=LATER)
    assert rejected.status == "rejected" and rejected.decision_note == "Chỉ tiêu chưa đúng"
    assert statuses(con)[THUC_PHAN_ID] == "rejected" and targets(con) == before
    assert [r["in_force"] for r in plan_listing(con) if r["place"] == "Thục Phán"] == [False]
    reason = json.loads(audit.events(con, action="plan_rejected")["detail"].iloc[0])
    assert reason["reason"] == "Chỉ tiêu chưa đúng"
    # the commune may send it again, corrected
    again = put(con, plan_book(THUC_PHAN, [(REACH, 2030, 90)]), by="tp.xa", power=power_of(con, "tp.xa"), at=LATER)
    assert again.status == "proposed", again.messages("en")


def test_an_approval_and_a_rejection_of_one_proposal_at_the_same_moment_decide_it_once(con):
    """Both people pass the first look while the other holds the write lock; only the first decision stands."""
    import threading

    from kpis.store.transactions import WRITE_LOCK

    put(con, plan_book())
    proposed = put(con, plan_book(THUC_PHAN, [(REACH, 2030, 95)]), by="tp.xa", power=power_of(con, "tp.xa"))
    outcomes: dict[str, str] = {}

    def decide_as(approved: bool) -> None:
        try:
            decide(store.cursor(con), proposed.version, approved, "cb.tinh", TRUSTED, at=LATER)
            outcomes[str(approved)] = "done"
        except PlanRefused as e:
            outcomes[str(approved)] = e.code

    with WRITE_LOCK:  # both threads read the proposal, then wait here for the lock
        threads = [threading.Thread(target=decide_as, args=(flag,)) for flag in (True, False)]
        for thread in threads:
            thread.start()
        threads[0].join(timeout=2)  # each is blocked on the lock: the join times out
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(outcomes.values()) == ["done", "plan_not_proposed"], outcomes
    final = book.version(con, proposed.version).status
    assert final == ("in_force" if outcomes["True"] == "done" else "rejected")
    in_plans = con.execute("SELECT count(*) FROM plans WHERE id = ?", [THUC_PHAN_ID]).fetchone()[0]
    assert in_plans == (1 if final == "in_force" else 0), "the tables in force agree with the status"
    assert len(audit.events(con, action="plan_approved")) + len(audit.events(con, action="plan_rejected")) == 1


def test_a_proposal_the_rules_no_longer_allow_is_not_approved(con):
    tp = power_of(con, "tp.xa")
    first = put(con, plan_book(THUC_PHAN, [(REACH, 2030, 95)]), by="tp.xa", power=tp)
    second = put(con, plan_book(fields_of(THUC_PHAN, number="13/KH-UBND"), [(REACH, 2030, 90)]), by="tp.xa", power=tp)
    assert first.status == second.status == "proposed"
    decide(con, first.version, True, "cb.tinh", power_of(con, "cb.tinh"), at=LATER)
    with pytest.raises(PlanRefused) as refused:
        decide(con, second.version, True, "cb.tinh", power_of(con, "cb.tinh"), at=LATER)
    assert refused.value.code == "plan_approval_refused"
    assert "12/KH-UBND" in refused.value.message("vi")
    assert book.version(con, second.version).status == "proposed"


# --- journal and rebuild ------------------------------------------------------------------------


def test_every_step_is_journaled_and_rebuild_reproduces_the_plans_and_the_figures(db):
    with store.connect(db) as con:
        put(con, plan_book())
        put(con, amending(), at=LATER)
        tp, cb = power_of(con, "tp.xa"), power_of(con, "cb.tinh")
        approved = put(con, plan_book(THUC_PHAN, [(TRAINING, 2030, 70)]), by="tp.xa", power=tp, at=LATER)
        decide(con, approved.version, True, "cb.tinh", cb, at=LATER + dt.timedelta(hours=1))
        ntc = put(
            con, plan_book(fields_of(THUC_PHAN, place_code="01279", place="Nùng Trí Cao"), [(REACH, 2030, 99)]),
            by="ntc.xa", power=power_of(con, "ntc.xa"), at=LATER,
        )  # fmt: skip
        decide(con, ntc.version, False, "cb.tinh", cb, note="Chưa đúng", at=LATER + dt.timedelta(hours=2))
        put(con, plan_book(targets=[(REACH, 2030, 150)]))  # refused: audited, not journaled
        before = {
            "versions": [
                (v.version, v.plan.id, v.status, v.added_by, v.added_at, v.decided_by, v.decided_at, v.replaced_by)
                for v in book.versions(con)
                if v.origin == book.WORKBOOK
            ],
            "targets": targets(con),
            "ntc": targets(con, "Nùng Trí Cao"),
            "progress": figures_of(con),
            "listing": plan_listing(con),
        }
        trail = actions(con)
    assert trail == [
        ("admin", "plan_put"), ("admin", "plan_put"), ("tp.xa", "plan_proposed"), ("cb.tinh", "plan_approved"),
        ("ntc.xa", "plan_proposed"), ("cb.tinh", "plan_rejected"), ("admin", "plan_refused"),
    ]  # fmt: skip
    lines = [e for e in store.read_journal(db) if isinstance(e, (PlanPut, PlanDecided))]
    assert [(e.KIND, e.plan_id) for e in lines] == [
        ("plan_put", FIRST_ID), ("plan_put", SECOND_ID), ("plan_put", THUC_PHAN_ID), ("plan_decided", THUC_PHAN_ID),
        ("plan_put", "nung-tri-cao-12-kh-ubnd-2026"), ("plan_decided", "nung-tri-cao-12-kh-ubnd-2026"),
    ]  # fmt: skip
    assert [e.status for e in lines if isinstance(e, PlanPut)] == ["in_force", "in_force", "proposed", "proposed"]
    assert [(e.approved, e.decided_by) for e in lines if isinstance(e, PlanDecided)] == [(True, "cb.tinh"), (False, "cb.tinh")]

    report = rebuild(db)
    assert report.identical and report.plan_events == 6
    with store.connect(db) as con:
        after = {
            "versions": [
                (v.version, v.plan.id, v.status, v.added_by, v.added_at, v.decided_by, v.decided_at, v.replaced_by)
                for v in book.versions(con)
                if v.origin == book.WORKBOOK
            ],
            "targets": targets(con),
            "ntc": targets(con, "Nùng Trí Cao"),
            "progress": figures_of(con),
            "listing": plan_listing(con),
        }
        assert actions(con) == trail, "the audit trail is carried over"
    assert after == before
    assert before["targets"][("citizen_reach", 2026)] == (90.0, SECOND_ID)
    assert [s for _, _, s, *_ in before["versions"]] == ["replaced", "in_force", "in_force", "rejected"]


def test_a_replaced_seed_stays_replaced_when_the_database_meets_its_seeds_again(db):
    seed = default_catalog().plans["muong-mun-01-kh-ubnd-2025"]
    amended = seed.model_copy(
        update={"id": "muong-mun-07-kh-ubnd-2026", "number": "07/KH-UBND", "date": dt.date(2026, 9, 1), "replaces": "01/KH-UBND"}
    )
    with store.connect(db) as con:
        assert put(con, plan_workbook(default_catalog(), amended)).status == "in_force"
    with store.connect(db) as con:  # connect syncs the seeds
        assert statuses(con)["muong-mun-01-kh-ubnd-2025"] == "replaced"
        assert statuses(con)["muong-mun-07-kh-ubnd-2026"] == "in_force"
        rows = [r for r in plan_listing(con) if r["place"] == "Mường Mùn"]
        assert [(r["number"], r["in_force"], r["replaces"]) for r in rows] == [
            ("01/KH-UBND", False, None),
            ("07/KH-UBND", True, "01/KH-UBND"),
        ]


def test_two_imports_at_once_put_only_one_plan_in_force_and_the_loser_is_told_and_audited(con, monkeypatch):
    """One import has checked its workbook; before it takes the write lock, another one puts a plan of the same
    place in force (the real import, run where the first keeps its file). The rules run again under the lock:
    the first is refused, with the row of its workbook, and its refusal is audited like any other."""
    keep_file = store.keep_file
    raced: list[PlanResult] = []

    def keep_and_race(*args, **kwargs):
        kept = keep_file(*args, **kwargs)
        if not raced:
            monkeypatch.setattr(store, "keep_file", keep_file)  # the other import keeps its file as usual
            raced.append(put(con, plan_book(fields_of(number="44/KH-UBND")), name="nhanh_hon.xlsx"))
        return kept

    monkeypatch.setattr(store, "keep_file", keep_and_race)
    result = put(con, plan_book())
    assert raced[0].status == "in_force"
    assert refused_where(result) == [("Kế hoạch", REPLACES_ROW, "Nội dung", "plan_second_in_force")]
    assert [v.plan.number for v in book.of_place(con, 4, None, book.IN_FORCE)] == ["44/KH-UBND"]
    assert actions(con) == [("admin", "plan_put"), ("admin", "plan_refused")]
    journaled = [e.plan_id for e in store.read_journal(store.db_file(con)) if isinstance(e, PlanPut)]
    assert journaled == ["cao-bang-44-kh-ubnd-2026"], "the refused import left no journal line"
