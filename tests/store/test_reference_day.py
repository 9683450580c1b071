"""The day figures stand for: today on a real database, the demo's own declared day on the demo.

The demo's uploads carry fixed dates; if the pages judged them against the real calendar, the
demo (and every test built on it) would change as months pass. These tests hold on any date.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import duckdb
import pytest

from kpis import store
from kpis.figures import compliance
from kpis.ops.demo import DEMO_DAY
from kpis.ops.rebuild import rebuild
from kpis.store import audit
from tests.conftest import Kpis


def test_the_demo_declares_its_day_after_its_last_upload(demo_db: Path) -> None:
    con = store.connect(demo_db)
    try:
        last_upload = con.execute("SELECT max(uploaded_at) FROM submissions").fetchone()[0]
        assert store.reference_day(con, today=dt.date(2027, 12, 1)) == DEMO_DAY
        assert last_upload.date() < DEMO_DAY
    finally:
        con.close()


def test_a_real_database_stands_for_today(con: duckdb.DuckDBPyConnection) -> None:
    assert not store.is_demo(con)
    assert store.reference_day(con, today=dt.date(2027, 3, 1)) == dt.date(2027, 3, 1)


def test_a_day_left_in_meta_counts_only_while_the_database_is_a_demo(con: duckdb.DuckDBPyConnection) -> None:
    con.execute("INSERT OR REPLACE INTO meta VALUES ('demo_day', '2026-11-15')")
    assert store.reference_day(con, today=dt.date(2027, 3, 1)) == dt.date(2027, 3, 1)


def test_rebuild_keeps_the_demo_day(demo_db: Path) -> None:
    report = rebuild(demo_db)
    assert report.identical
    con = duckdb.connect(str(demo_db), read_only=True)
    try:
        assert store.reference_day(con) == DEMO_DAY
    finally:
        con.close()


def test_compliance_on_the_demo_defaults_to_its_day(kpis: Kpis, demo_db: Path) -> None:
    def run(*extra: str) -> list[dict]:
        out = kpis("compliance", "--db", str(demo_db), "--format", "json", *extra)
        assert out.returncode == 0, out.stderr
        return json.loads(out.stdout)

    default = run()
    assert default == run("--as-of", DEMO_DAY.isoformat())
    # the demo's habits as DEMO_DAY sees them: Mường Chà's quý IV/2025 overdue, Mường Ảng's quý III/2026 not yet due
    con = duckdb.connect(str(demo_db), read_only=True)
    try:
        frame = compliance.report_status(con, DEMO_DAY)
    finally:
        con.close()
    cell = frame.set_index(["commune", "year", "quarter"])["status"]
    assert cell[("Mường Chà", 2025, 4)] == "missing"
    assert cell[("Mường Ảng", 2026, 3)] == "pending"


@pytest.mark.parametrize(
    ("reference", "today", "since", "until"),
    [
        (dt.date(2027, 3, 1), dt.date(2027, 3, 1), dt.date(2027, 1, 30), dt.date(2027, 3, 1)),  # a real database
        (dt.date(2026, 11, 15), dt.date(2027, 12, 1), dt.date(2026, 10, 16), dt.date(2027, 12, 1)),  # the demo, a year on
    ],
)
def test_audit_window_covers_the_reference_day_and_today(
    reference: dt.date, today: dt.date, since: dt.date, until: dt.date
) -> None:
    assert audit.default_window(reference, today) == (since, until)
