"""A database made before the official registry (tests/store/fixtures/db_v3, written by that code) opens with the
official list: its communes get their codes where the list has their name (tone marks placed either way, or a
name the list spells with a tone where only one commune of the province fits), the ones it lacks (Tam Đường,
abolished on 1 July 2025) stay without a code and keep their figures, accounts keep their places, and rebuild
gives the same figures, from the migrated database or from its journal alone.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from kpis import store
from kpis.figures.progress import progress
from kpis.intake.importer import import_file
from kpis.ops.rebuild import rebuild
from kpis.people import accounts
from kpis.store.journal import PlacesKept
from tests.conftest import csv_bytes

FIXTURE = Path(__file__).parent / "fixtures" / "db_v3"
PASSWORD = "mat-khau-that-dai-57"  # tests/store/fixtures/make_db_v3.py
RESPELLED = {"Hòa An": "Hoà An", "Na Hang": "Nà Hang"}  # the old registry's spelling -> the official list's
FIGURES = ["province", "commune", "indicator", "year", "numerator", "denominator", "units"]


@pytest.fixture
def old_db(tmp_path: Path) -> Path:
    """The exported old database loaded into a DuckDB file (as the old code left it), with its journal and kept files."""
    db = tmp_path / "kpis.duckdb"
    exported = FIXTURE / "database"
    con = duckdb.connect(str(db))
    con.execute((exported / "schema.sql").read_text(encoding="utf-8"))
    con.execute(
        (exported / "load.sql").read_text(encoding="utf-8").replace("'tests/store/fixtures/db_v3/database/", f"'{exported}/")
    )
    con.close()
    shutil.copy(FIXTURE / "kpis.duckdb.journal.jsonl", tmp_path / "kpis.duckdb.journal.jsonl")
    shutil.copytree(FIXTURE / "uploads", tmp_path / "uploads")
    return db


def expected(level: str) -> pd.DataFrame:
    """What the old code showed, with the official spelling of the two names the list writes otherwise."""
    rows = json.loads((FIXTURE / "expected.json").read_text(encoding="utf-8"))[level]
    frame = pd.DataFrame(rows, columns=FIGURES).replace({"commune": RESPELLED})
    return frame.astype({"year": int, "numerator": int, "denominator": int, "units": int})


def figures(con: duckdb.DuckDBPyConnection, level: str) -> pd.DataFrame:
    frame = progress(con, level)
    frame = frame[frame["numerator"].notna()][FIGURES].astype({"year": int, "numerator": int, "denominator": int, "units": int})
    return frame.sort_values(FIGURES[:4]).reset_index(drop=True)


def history(db: Path) -> tuple[list, list, list]:
    con = duckdb.connect(str(db))
    try:
        return (
            con.execute("SELECT id, file_name, sha256, uploaded_by, uploaded_at FROM submissions ORDER BY id").fetchall(),
            con.execute("SELECT * FROM submission_values ORDER BY ALL").fetchall(),
            con.execute("SELECT * FROM withdrawals").fetchall(),
        )
    finally:
        con.close()


def test_its_communes_get_codes_where_the_official_list_has_their_name_and_the_rest_stay(old_db):
    before = history(old_db)
    con = store.connect(old_db)
    try:
        coded = dict(con.execute("SELECT id, code FROM communes WHERE id <= 35").fetchall())
        named = {
            i: (p, n, k) for i, p, n, k in con.execute("SELECT id, province, name, kind FROM communes WHERE id <= 35").fetchall()
        }
        assert (coded[1], named[1]) == (3268, ("Điện Biên", "Mường Mùn", "Xã"))
        assert (coded[14], named[14]) == (2353, ("Tuyên Quang", "Hoà An", "Xã"))  # Hòa An: the tone mark placed otherwise
        assert (coded[16], named[16]) == (2221, ("Tuyên Quang", "Nà Hang", "Xã"))  # Na Hang: the one Nà Hang of the province
        assert (coded[28], named[28]) == (None, ("Lai Châu", "Tam Đường", "Xã"))  # abolished: kept, without a code
        assert [i for i, code in coded.items() if code is None] == [28]
        assert len(store.registry(con)) == 3321 + 1
        assert con.execute("SELECT code FROM provinces WHERE name = 'Lai Châu'").fetchone() == (12,)
        pd.testing.assert_frame_equal(
            figures(con, "commune"), expected("commune").sort_values(FIGURES[:4]).reset_index(drop=True)
        )
        pd.testing.assert_frame_equal(
            figures(con, "province"), expected("province").sort_values(FIGURES[:4]).reset_index(drop=True)
        )
        constraints = con.execute("SELECT constraint_type FROM duckdb_constraints() WHERE table_name = 'communes'").fetchall()
        assert {c for (c,) in constraints} == {"PRIMARY KEY", "NOT NULL"}  # renamable: see kpis/store/schema.py
    finally:
        con.close()
    assert history(old_db) == before  # every submission and value as it was, Tam Đường's included
    (kept,) = [e for e in store.read_journal(old_db) if isinstance(e, PlacesKept)]
    assert (old_db.parent / "uploads" / kept.kept).read_bytes() == "province,commune,kind\r\nLai Châu,Tam Đường,Xã\r\n".encode()
    journal = store.journal_path(old_db).read_bytes()
    store.connect(old_db).close()  # once: a second open changes nothing
    assert store.journal_path(old_db).read_bytes() == journal


def test_its_accounts_keep_their_places_by_code_and_tam_duong_by_name(old_db):
    con = store.connect(old_db)
    try:
        places = {(c.province, c.name): c for c in store.registry(con)}
        sen = accounts.sign_in(con, "sen.td", PASSWORD)
        assert sen.scopes == (accounts.Scope("Lai Châu", "Tam Đường", 12, None),)
        assert sen.may_write(places[("Lai Châu", "Tam Đường")]) and not sen.may_write(places[("Lai Châu", "Bình Lư")])
        hai = accounts.sign_in(con, "hai.ha", PASSWORD)
        assert hai.scopes == (accounts.Scope("Tuyên Quang", "Hoà An", 8, 2353),)
        province = accounts.sign_in(con, "tinh.lc", PASSWORD)
        assert province.scopes == (accounts.Scope("Lai Châu", None, 12, None),)
        assert province.may_write(places[("Lai Châu", "Tam Đường")]) and province.may_write(places[("Lai Châu", "Bình Lư")])
        report = csv_bytes([["Lai Châu", "Tam Đường", "Bản Nà Bỏ", 2025, 3, "citizen_reach", 420, 700, ""]])
        assert import_file(con, report, "td_q3.csv", "sen.td", may_write=sen.may_write).status == "accepted"
        hoa_an = csv_bytes([["Tuyên Quang", "Hòa An", "Tổ 1", 2025, 3, "citizen_reach", 160, 300, ""]])
        result = import_file(con, hoa_an, "ha_q3.csv", "hai.ha", may_write=hai.may_write)
        assert result.status == "accepted", result.messages("en")
    finally:
        con.close()


def test_rebuild_of_the_migrated_database_gives_the_same_figures(old_db):
    con = store.connect(old_db)
    before = {level: figures(con, level) for level in ("commune", "province")}
    con.close()
    report = rebuild(old_db)
    assert report.compared and report.identical and report.submissions == 5 and report.withdrawals == 1
    again = store.connect(old_db)
    try:
        for level, frame in before.items():
            pd.testing.assert_frame_equal(figures(again, level), frame)
        assert again.execute("SELECT code, source FROM communes WHERE name = 'Tam Đường'").fetchall() == [(None, "registry")]
        assert accounts.sign_in(again, "sen.td", PASSWORD).scopes == (accounts.Scope("Lai Châu", "Tam Đường", 12, None),)
    finally:
        again.close()


def test_its_journal_alone_rebuilds_it_once_migrated(old_db):
    con = store.connect(old_db)
    before = {level: figures(con, level) for level in ("commune", "province")}
    con.close()
    old_db.unlink()  # lost: only the journal (with the line the migration wrote) and the kept files are left
    Path(str(old_db) + ".wal").unlink(missing_ok=True)
    report = rebuild(old_db)
    assert not report.compared and report.submissions == 5
    again = store.connect(old_db)
    try:
        for level, frame in before.items():
            pd.testing.assert_frame_equal(figures(again, level), frame)
    finally:
        again.close()
