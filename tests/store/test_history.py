"""History: every submission kept with its file; withdraw falls back to the previous version; the journal
and the kept files rebuild the same figures. History rows are never updated or deleted.
"""

from __future__ import annotations

import datetime as dt

import duckdb
import pandas as pd
import pytest

from kpis import store
from kpis.figures.progress import progress
from kpis.intake.importer import import_file
from kpis.ops.rebuild import RebuildError, rebuild
from kpis.store.journal import Submission
from tests.corpus.make_corpus import BASE, csv_file, row, xlsx_file
from tests.store.registry_lists import changed, list_bytes, shipped

Q1 = csv_file([row(0, quarter=1, numerator=300), row(1, quarter=1, numerator=200)])
Q1_FIX = csv_file([row(0, quarter=1, numerator=320)], delimiter=";")  # a corrected file for one key
Q1_FIX_AGAIN = xlsx_file([row(0, quarter=1, numerator=330)])


def value(con: duckdb.DuckDBPyConnection, unit: str = "Bản Na Sang", quarter: int = 1) -> tuple[int, int]:
    return con.execute(
        "SELECT cv.numerator, cv.denominator FROM current_values cv JOIN units u ON u.id = cv.unit_id"
        " WHERE u.name = ? AND cv.year = 2025 AND cv.quarter = ? AND cv.indicator = 'citizen_reach'",
        [unit, quarter],
    ).fetchone()


def history_rows(con: duckdb.DuckDBPyConnection) -> tuple[list, list]:
    return (
        con.execute("SELECT * FROM submissions ORDER BY id").fetchall(),
        con.execute("SELECT * FROM submission_values ORDER BY submission_id, source_line").fetchall(),
    )


def figures(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    return pd.concat([progress(con, "commune"), progress(con, "province")], ignore_index=True)


def imported(con: duckdb.DuckDBPyConnection, data: bytes, name: str, who: str = "Lò Văn Minh") -> int:
    result = import_file(con, data, name, uploaded_by=who)
    assert result.status == "accepted", result.messages("en")
    return result.submission_id


def derived(con: duckdb.DuckDBPyConnection) -> tuple[list, list]:
    """The commune sums the board reads, and the same sums made here from current_values by their definition
    (each unit's latest quarter in the year, summed per commune: counts, never rates)."""
    kept = con.execute(
        "SELECT commune_id, year, indicator, numerator, denominator, units FROM commune_year_values ORDER BY ALL"
    ).fetchall()
    made = con.execute(
        """
        SELECT u.commune_id, v.year, v.indicator, sum(v.numerator), sum(v.denominator), count(*)
        FROM (SELECT * FROM current_values
              QUALIFY row_number() OVER (PARTITION BY unit_id, year, indicator ORDER BY quarter DESC) = 1) v
        JOIN units u ON u.id = v.unit_id
        GROUP BY ALL ORDER BY ALL
        """
    ).fetchall()
    return kept, made


def test_the_commune_sums_follow_every_import_and_withdrawal(con: duckdb.DuckDBPyConnection) -> None:
    nam_ke = [row(0, commune="Nậm Kè", quarter=2, numerator=90, denominator=100)]
    a = imported(con, csv_file([row(0, quarter=1, numerator=300), row(1, quarter=1, numerator=200), *nam_ke]), "a.csv")
    b = imported(con, csv_file([row(0, quarter=2, numerator=410), row(3, quarter=2)]), "b.csv")  # a later quarter, a new unit
    c = imported(con, Q1_FIX, "muong_mun_q1_sua.csv")  # a correction of a quarter that no longer decides the year
    mm = con.execute("SELECT id FROM communes WHERE name = 'Mường Mùn'").fetchone()[0]
    kept, made = derived(con)
    assert kept == made
    assert (mm, 2025, "citizen_reach", 410 + 200, 500 + 620, 2) in kept  # Na Sang's Q2, Huổi Lóng's Q1
    for withdrawn in (b, c, a):
        store.withdraw(con, withdrawn, "x", "sai")
        kept, made = derived(con)
        assert kept == made, f"after withdrawing {withdrawn}"
    assert kept == [] and figures(con).empty


@pytest.fixture
def corrected(con: duckdb.DuckDBPyConnection) -> tuple[duckdb.DuckDBPyConnection, int, int]:
    a = imported(con, Q1, "muong_mun_q1.csv")
    b = imported(con, Q1_FIX, "muong_mun_q1_sua.csv", "Quàng Thị Hoa")
    return con, a, b


def test_a_correction_wins_and_withdrawing_it_falls_back_keeping_both(corrected):
    con, a, b = corrected
    assert value(con) == (320, 500)
    before = history_rows(con)
    version = store.data_version(con)
    store.withdraw(con, b, "Quàng Thị Hoa", "Nộp nhầm số liệu", dt.datetime(2025, 4, 12, 9, 30))
    assert value(con) == (300, 500)
    assert value(con, "Bản Huổi Lóng") == (200, 620)
    assert history_rows(con) == before, "withdrawing changed a history row"
    assert store.data_version(con) > version
    subs = store.submissions(con)
    assert subs["id"].tolist() == [b, a]
    assert subs["file_name"].tolist() == ["muong_mun_q1_sua.csv", "muong_mun_q1.csv"]
    assert subs["uploaded_by"].tolist() == ["Quàng Thị Hoa", "Lò Văn Minh"]
    assert subs["row_count"].tolist() == [1, 2]
    assert con.execute("SELECT * FROM withdrawals").fetchall() == [
        (b, "Quàng Thị Hoa", dt.datetime(2025, 4, 12, 9, 30), "Nộp nhầm số liệu")
    ]


def test_three_versions_fall_back_one_by_one(corrected):
    con, a, b = corrected
    c = imported(con, Q1_FIX_AGAIN, "muong_mun_q1_sua_lan2.xlsx")
    assert value(con) == (330, 500)
    store.withdraw(con, c, "x", "sai")
    assert value(con) == (320, 500)
    store.withdraw(con, b, "x", "sai")
    assert value(con) == (300, 500)
    store.withdraw(con, a, "x", "sai")
    assert value(con) is None
    assert len(store.submissions(con)) == 3 and con.execute("SELECT count(*) FROM submission_values").fetchone()[0] == 4


def test_withdrawing_twice_or_an_unknown_submission_is_refused(corrected):
    con, _, b = corrected
    store.withdraw(con, b, "x", "sai")
    with pytest.raises(store.StoreError, match="already withdrawn"):
        store.withdraw(con, b, "x", "lần nữa")
    with pytest.raises(store.StoreError, match="does not exist"):
        store.withdraw(con, 999, "x", "sai")
    assert con.execute("SELECT count(*) FROM withdrawals").fetchone()[0] == 1


def test_original_files_come_back_byte_for_byte(corrected):
    con, a, b = corrected
    assert store.kept_file(con, a) == ("muong_mun_q1.csv", Q1)
    assert store.kept_file(con, b) == ("muong_mun_q1_sua.csv", Q1_FIX)
    with pytest.raises(store.StoreError):
        store.kept_file(con, 999)


def test_the_same_file_again_is_a_duplicate_but_after_a_withdrawal_it_is_a_new_submission(corrected):
    con, _, b = corrected
    again = import_file(con, Q1_FIX, "muong_mun_q1_sua (1).csv")
    assert (again.status, again.submission_id) == ("duplicate", b)
    assert len(store.submissions(con)) == 2
    store.withdraw(con, b, "Quàng Thị Hoa", "nộp nhầm")
    assert value(con) == (300, 500)
    back = import_file(con, Q1_FIX, "muong_mun_q1_sua.csv", uploaded_by="Quàng Thị Hoa")
    assert back.status == "accepted" and back.submission_id not in (b, None)
    assert value(con) == (320, 500)
    assert store.submissions(con)["id"].tolist() == [back.submission_id, b, 1]
    assert store.kept_file(con, back.submission_id)[1] == Q1_FIX


def test_journal_records_every_event_in_order_and_only_grows(corrected):
    con, a, b = corrected
    journal = store.journal_path(store.db_file(con))
    first = journal.read_text(encoding="utf-8")
    store.withdraw(con, b, "Quàng Thị Hoa", "nộp nhầm")
    imported(con, csv_file([row(0, quarter=2, numerator=350)]), "muong_mun_q2.csv")
    assert journal.read_text(encoding="utf-8").startswith(first)
    events = store.read_journal(store.db_file(con))
    assert [(e.kind, getattr(e, "file_name", None), getattr(e, "submission_id", None)) for e in events] == [
        ("submission", "muong_mun_q1.csv", a),
        ("submission", "muong_mun_q1_sua.csv", b),
        ("withdrawal", None, b),
        ("submission", "muong_mun_q2.csv", b + 1),
    ]
    uploads = store.uploads_dir(con)
    assert all((uploads / e.kept).exists() for e in events if isinstance(e, Submission))


def test_refused_and_duplicate_files_are_not_journaled(corrected):
    con, _, _ = corrected
    before = store.read_journal(store.db_file(con))
    assert import_file(con, csv_file([row(0, numerator="12,5")]), "sai.csv").status == "refused"
    assert import_file(con, Q1, "muong_mun_q1.csv").status == "duplicate"
    assert store.read_journal(store.db_file(con)) == before


def build_history(con: duckdb.DuckDBPyConnection) -> None:
    """Corrections, a withdrawal, a re-upload, an .xlsx, a unit spelled two ways, and a registry update
    renaming a commune that has figures, with an upload under its new name after it."""
    imported(con, Q1, "muong_mun_q1.csv")
    b = imported(con, Q1_FIX, "muong_mun_q1_sua.csv")
    imported(con, csv_file([*BASE[:3], row(3)]), "muong_mun_q3.csv")
    store.withdraw(con, b, "Quàng Thị Hoa", "nộp nhầm")
    imported(con, Q1_FIX_AGAIN, "muong_mun_q1_sua_lan2.xlsx")
    imported(
        con,
        csv_file(
            [
                row(0, commune="Xã Nà Hỳ", unit="Bản Nà Hỳ 1"),
                row(1, commune="Na Hy", unit="Ban Na Hy 1", indicator="officials_informed"),
            ]
        ),
        "na_hy.csv",
    )
    newer = list_bytes(changed(shipped(), 3169, commune="Nà Hỳ Mới"))
    store.update_registry(con, newer, "communes-2027-01-15.csv", "2027-01-15", "quantri")
    imported(con, csv_file([row(0, commune="Nà Hỳ Mới", unit="Bản Nà Hỳ 2", quarter=2)]), "na_hy_moi.csv")
    store.withdraw(con, 1, "Lò Văn Minh", "thay bằng bản sửa")


def test_rebuild_gives_the_same_figures_and_history(con, db_path):
    build_history(con)
    figures_before, subs_before = figures(con), store.submissions(con)
    withdrawals_before = con.execute("SELECT * FROM withdrawals ORDER BY ALL").fetchall()
    con.close()
    report = rebuild(db_path)
    assert (report.submissions, report.withdrawals, report.communes_files) == (6, 2, 1)
    assert report.compared and report.identical
    assert report.backup and report.backup.exists()
    again = duckdb.connect(str(db_path))
    try:
        pd.testing.assert_frame_equal(figures(again), figures_before)
        pd.testing.assert_frame_equal(store.submissions(again), subs_before)
        assert again.execute("SELECT * FROM withdrawals ORDER BY ALL").fetchall() == withdrawals_before
        assert again.execute("SELECT province, name FROM communes WHERE code = 3169").fetchall() == [("Điện Biên", "Nà Hỳ Mới")]
    finally:
        again.close()
    assert not db_path.with_name("kpis.rebuild.duckdb").exists()


@pytest.mark.parametrize("damage", ["altered", "missing"])
def test_rebuild_stops_on_a_damaged_kept_file_and_leaves_the_database_untouched(con, db_path, damage):
    build_history(con)
    kept = store.uploads_dir(con) / store.read_journal(db_path)[1].kept
    con.close()
    if damage == "altered":
        kept.write_bytes(kept.read_bytes().replace(b"320", b"999"))
    else:
        kept.unlink()
    before = db_path.read_bytes()
    files_before = sorted(p.name for p in db_path.parent.iterdir())
    with pytest.raises(RebuildError, match=damage):
        rebuild(db_path)
    assert db_path.read_bytes() == before
    assert sorted(p.name for p in db_path.parent.iterdir() if "rebuild" not in p.name) == files_before


def test_cli_rebuild(kpis, con, db_path):
    build_history(con)
    con.close()
    done = kpis("rebuild", "--db", str(db_path))
    assert done.returncode == 0, done.stderr
    assert "rebuilt from 6 submission(s), 2 withdrawal(s), 1 registry file(s)" in done.stdout
    assert "figures identical to the previous database: yes" in done.stdout, done.stdout + done.stderr
