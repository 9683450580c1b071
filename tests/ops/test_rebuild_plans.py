"""Rebuild replays the plan steps of the journal (plan_put, plan_decided) through the importer's own code.

A database whose seed plan was replaced from a workbook, whose commune proposed a plan still waiting,
rebuilt: the same versions, the same statuses, the same targets; the waiting proposal can still be
approved afterwards and that approval is replayed too. A kept workbook altered on disk stops the
rebuild and leaves the database as it was. A seed the product ships after a place put its own plan in
(a software update) never makes a second plan in force, in the database or in its rebuild.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from kpis import store
from kpis.catalog.model import Plan, Target, default_catalog
from kpis.figures.progress import progress
from kpis.intake.importer import import_file
from kpis.intake.plan_import import decide, import_plan, plan_listing
from kpis.intake.plan_template import plan_workbook
from kpis.ops.rebuild import RebuildError, rebuild
from kpis.people import accounts
from kpis.store import plan_book as book
from kpis.store.journal import PlanPut
from tests.conftest import Kpis, csv_bytes
from tests.intake.plan_books import REACH, THUC_PHAN, plan_book

AT = dt.datetime(2026, 11, 20, 9, 0)
LATER = dt.datetime(2026, 11, 27, 14, 30)
MUONG_MUN = "muong-mun-01-kh-ubnd-2025"
AMENDED = "muong-mun-07-kh-ubnd-2026"


def history(con: duckdb.DuckDBPyConnection) -> list[tuple]:
    return [
        (v.version, v.plan.id, v.status, v.origin, v.added_by, v.decided_by, v.decided_at, v.replaced_by, v.replaced_at)
        for v in book.versions(con)
    ]


def targets(con: duckdb.DuckDBPyConnection) -> list[tuple]:
    rows = progress(con, "commune")
    found = zip(rows["commune"], rows["indicator"], rows["year"], rows["target_pct"], rows["plan_id"], strict=True)
    return sorted((c, i, y, None if pd.isna(t) else t, p if isinstance(p, str) else None) for c, i, y, t, p in found)


def amended_muong_mun() -> bytes:
    seed = default_catalog().plans[MUONG_MUN]
    targets = [t.model_copy(update={"target_pct": 90.0}) if t.indicator == "citizen_reach" else t for t in seed.targets]
    plan = seed.model_copy(
        update={"id": AMENDED, "number": "07/KH-UBND", "date": dt.date(2026, 9, 1), "replaces": "01/KH-UBND", "targets": targets}
    )
    return plan_workbook(default_catalog(), plan)


@pytest.fixture
def db(tmp_path: Path) -> Path:
    """Mường Mùn's seed replaced from a workbook; Thục Phán's own plan proposed by its account and waiting."""
    path = tmp_path / "kpis.duckdb"
    rows = [
        ["Điện Biên", "Mường Mùn", "Bản Na Sang", 2026, 3, "citizen_reach", 450, 500, ""],
        ["Cao Bằng", "Thục Phán", "Tổ 1", 2026, 3, "citizen_reach", 400, 1000, ""],
    ]
    with store.connect(path) as con:
        assert import_file(con, csv_bytes(rows), "q3.csv", "test", uploaded_at=AT).status == "accepted"
        commune = accounts.create(
            con, "tp.xa", "mat-khau-du-dai-1", "commune", "test", province="Cao Bằng", communes=["Thục Phán"]
        )
        assert import_plan(con, amended_muong_mun(), "muong_mun_07.xlsx", "admin", at=AT).status == "in_force"
        proposed = import_plan(con, plan_book(THUC_PHAN, [(REACH, 2030, 95)]), "tp.xlsx", "tp.xa", commune.plan_power, at=AT)
        assert proposed.status == "proposed"
    return path


def test_rebuild_reproduces_a_replaced_seed_and_a_waiting_proposal_which_can_then_be_approved(db):
    with store.connect(db) as con:
        before, figures, listing = history(con), targets(con), plan_listing(con)
    assert [s for _, plan_id, s, *_ in before if plan_id in (MUONG_MUN, AMENDED)] == ["replaced", "in_force"]
    assert ("Mường Mùn", "citizen_reach", 2026, 90.0, AMENDED) in figures

    report = rebuild(db)
    assert report.identical and report.plan_events == 2
    with store.connect(db) as con:
        assert history(con) == before
        assert targets(con) == figures and plan_listing(con) == listing
        waiting = [v for v in book.versions(con) if v.status == book.PROPOSED]
        assert [v.plan.commune for v in waiting] == ["Thục Phán"]
        decide(con, waiting[0].version, True, "admin", at=LATER)
        approved = history(con)
        assert ("Thục Phán", "citizen_reach", 2026, 95.0, "thuc-phan-12-kh-ubnd-2026") in targets(con)

    assert rebuild(db).plan_events == 3
    with store.connect(db) as con:
        assert history(con) == approved


def test_the_rebuild_command_counts_the_plan_steps(kpis: Kpis, db):
    run = kpis("rebuild", "--db", str(db))
    assert run.returncode == 0, run.stderr
    assert "2 plan step(s)" in run.stdout and "figures identical to the previous database: yes" in run.stdout


def test_an_altered_kept_plan_workbook_stops_the_rebuild_and_leaves_the_database(db):
    (line,) = [e for e in store.read_journal(db) if isinstance(e, PlanPut) and e.plan_id == AMENDED]
    kept = db.parent / "uploads" / line.kept
    kept.write_bytes(plan_book())
    with store.connect(db) as con:
        before = history(con)
    with pytest.raises(RebuildError) as stopped:
        rebuild(db)
    assert AMENDED in str(stopped.value) and "muong_mun_07.xlsx" in str(stopped.value)
    with store.connect(db) as con:
        assert history(con) == before
    assert not db.with_name("kpis.rebuild.duckdb").exists()


def cao_bang_seed() -> Plan:
    return Plan(
        id="cao-bang-09-kh-ubnd-2025",
        number="09/KH-UBND",
        date=dt.date(2025, 5, 1),
        issuer="UBND tỉnh Cao Bằng",
        title_vi="Kế hoạch của tỉnh Cao Bằng (bản có sẵn)",
        title_en="Cao Bằng plan (shipped)",
        province="Cao Bằng",
        province_code=4,
        source="Kế hoạch số 09/KH-UBND",
        targets=[
            Target(indicator="citizen_reach", year=2030, target_pct=70),
            Target(indicator="units_with_plan", year=2026, target_pct=100),
        ],
    )


def test_a_seed_shipped_after_a_place_put_its_own_plan_in_never_makes_a_second_plan_in_force(db, monkeypatch):
    with store.connect(db) as con:
        assert import_plan(con, plan_book(), "cao_bang.xlsx", "admin", at=AT).status == "in_force"
        figures = targets(con)
    shipped = cao_bang_seed()
    update = dataclasses.replace(default_catalog(), plans={**default_catalog().plans, shipped.id: shipped})
    monkeypatch.setattr("kpis.store.connection.default_catalog", lambda: update)  # the next release ships it

    with store.connect(db) as con:
        in_force = [v.plan.id for v in book.of_place(con, 4, None, book.IN_FORCE)]
        assert in_force == ["cao-bang-45-kh-ubnd-2026"], "the place's own plan stands"
        kept = {v.plan.id: v.status for v in book.versions(con)}
        assert kept[shipped.id] == book.REPLACED, "the shipped plan is kept, out of force"
        assert targets(con) == figures
        listing = {r["number"]: r for r in plan_listing(con) if r["place"] == "Cao Bằng"}
        assert listing["45/KH-UBND"]["replaces"] is None and listing["09/KH-UBND"]["in_force"] is False

    report = rebuild(db)  # the rebuilt database meets the shipped seed before the journal's plans
    assert report.identical
    with store.connect(db) as con:
        assert [v.plan.id for v in book.of_place(con, 4, None, book.IN_FORCE)] == ["cao-bang-45-kh-ubnd-2026"]
        assert {v.plan.id: v.status for v in book.versions(con)}[shipped.id] == book.REPLACED
        assert targets(con) == figures
