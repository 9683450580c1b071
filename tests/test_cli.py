"""The command-line contract: `python -m kpis import|progress|demo|communes|registry update|plan`.

Run in this process through kpis.cli.main(argv) (the `kpis` fixture of tests/conftest.py); one test runs
the real entry point as a subprocess, to check that `python -m kpis` reaches main and passes its exit code on.
"""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

import duckdb
import openpyxl
import pytest

from kpis import store
from kpis.catalog.model import default_catalog
from kpis.catalog.places import Places
from kpis.figures.progress import OUTPUT_COLUMNS
from kpis.intake.plan_workbook import read_plan_workbook
from kpis.people import accounts
from kpis.store import audit
from kpis.store.journal import Submission
from tests.conftest import ROOT, Kpis, csv_bytes, xlsx_bytes
from tests.intake.plan_books import THUC_PHAN, fields_of, plan_book

KEYS = [
    "province",
    "commune",
    "indicator",
    "year",
    "numerator",
    "denominator",
    "value_pct",
    "target_pct",
    "target_year",
    "status",
    "province_code",  # the official codes (issue 12), after the keys that were there before
    "commune_code",
]


def row(
    unit, numerator, denominator, *, commune="Mường Mùn", province="Điện Biên", year=2025, quarter=3, indicator="citizen_reach"
):
    return [province, commune, unit, year, quarter, indicator, numerator, denominator, ""]


def write(path: Path, data: bytes) -> str:
    path.write_bytes(data)
    return str(path)


def progress_json(kpis: Kpis, db: Path, *extra: str) -> list[dict]:
    run = kpis("progress", "--db", str(db), "--format", "json", *extra)
    assert run.returncode == 0, run.stderr
    assert run.stdout.count("\n") == 1  # a single JSON document on one line
    return json.loads(run.stdout)


@pytest.fixture
def good_file(tmp_path: Path) -> str:
    rows = [row("Bản Na Sang", 450, 500), row("Bản Huổi Lóng", 100, 1000)]
    return write(tmp_path / "muong_mun_q3.csv", csv_bytes(rows))


@pytest.fixture
def bad_file(tmp_path: Path) -> str:
    rows = [row("Bản Na Sang", 600, 500), row("Bản Huổi Lóng", "12,5", 1000)]
    return write(tmp_path / "muong_mun_sai.csv", csv_bytes(rows))


def test_keys_match_the_package_columns():
    assert OUTPUT_COLUMNS == KEYS


# --- import --------------------------------------------------------------------------------


def test_import_all_accepted_exits_0(kpis, tmp_path, good_file):
    db = tmp_path / "kpis.duckdb"
    other = write(tmp_path / "tuan_giao.xlsx", xlsx_bytes([row("Bản Pá Chả", 300, 500, commune="Tuần Giáo")]))
    run = kpis("import", good_file, other, "--db", str(db))
    assert run.returncode == 0, run.stdout + run.stderr
    lines = run.stdout.splitlines()
    assert len(lines) == 2  # one result line per file, no problem lines
    assert "muong_mun_q3.csv" in lines[0] and "tuan_giao.xlsx" in lines[1]
    assert all("đã nhận" in line for line in lines)  # Vietnamese by default


def test_import_any_refused_exits_1_and_reports_each_file(kpis, tmp_path, good_file, bad_file):
    db = tmp_path / "kpis.duckdb"
    run = kpis("import", good_file, bad_file, "--db", str(db))
    assert run.returncode == 1
    lines = run.stdout.splitlines()
    results = [line for line in lines if not line.startswith("  - ")]
    problems = [line for line in lines if line.startswith("  - ")]
    assert len(results) == 2
    assert "muong_mun_q3.csv" in results[0] and "muong_mun_sai.csv" in results[1]
    assert "bị từ chối" in results[1]
    assert len(problems) == 2  # row 2: numerator > denominator; row 3: not a whole number
    assert "Dòng 2" in problems[0] and "Dòng 3" in problems[1]
    # the good file was stored, the refused one was not
    assert [r["numerator"] for r in progress_json(kpis, db)] == [450 + 100]


def test_refused_file_changes_nothing(kpis, tmp_path, good_file, bad_file):
    db = tmp_path / "kpis.duckdb"
    assert kpis("import", good_file, "--db", str(db)).returncode == 0
    before = kpis("progress", "--db", str(db), "--format", "json").stdout
    uploads_before = sorted(p.name for p in (tmp_path / "uploads").iterdir())

    run = kpis("import", bad_file, "--db", str(db))
    assert run.returncode == 1

    after = kpis("progress", "--db", str(db), "--format", "json").stdout
    assert after == before
    assert json.loads(after)  # the comparison is over real data, not two empty lists
    assert sorted(p.name for p in (tmp_path / "uploads").iterdir()) == uploads_before
    con = duckdb.connect(str(db), read_only=True)
    try:
        assert con.execute("SELECT count(*) FROM submissions").fetchone()[0] == 1
        assert con.execute("SELECT count(*) FROM submission_values").fetchone()[0] == 2
    finally:
        con.close()


def test_import_lang_en(kpis, tmp_path, good_file, bad_file):
    db = tmp_path / "kpis.duckdb"
    run = kpis("import", good_file, bad_file, "--db", str(db), "--lang", "en")
    assert run.returncode == 1
    lines = run.stdout.splitlines()
    assert "accepted 2 rows" in lines[0]
    assert "refused, 2 problem(s)" in lines[1]
    assert lines[2].startswith("  - Row 2")
    assert lines[3].startswith("  - Row 3")


def test_import_missing_file_exits_1(kpis, tmp_path):
    run = kpis("import", str(tmp_path / "khong_co.csv"), "--db", str(tmp_path / "kpis.duckdb"))
    assert run.returncode == 1
    assert "khong_co.csv" in run.stderr


# --- progress ----------------------------------------------------------------------------


@pytest.fixture
def loaded_db(kpis, tmp_path: Path, good_file: str) -> Path:
    db = tmp_path / "kpis.duckdb"
    files = [
        good_file,
        write(tmp_path / "tuan_giao.csv", csv_bytes([row("Bản Pá Chả", 300, 500, commune="Tuần Giáo")])),
        write(tmp_path / "tam_duong.csv", csv_bytes([row("Bản Tả Phìn", 30, 120, commune="Bình Lư", province="Lai Châu")])),
        write(tmp_path / "muong_mun_2026.csv", csv_bytes([row("Bản Na Sang", 480, 500, year=2026, quarter=1)])),
    ]
    run = kpis("import", *files, "--db", str(db))
    assert run.returncode == 0, run.stdout + run.stderr
    return db


def _find(records, **where):
    found = [r for r in records if all(r[k] == v for k, v in where.items())]
    assert len(found) == 1, found
    return found[0]


def test_progress_json_records(kpis, loaded_db):
    records = progress_json(kpis, loaded_db)
    assert isinstance(records, list) and len(records) == 4
    for rec in records:
        assert list(rec) == KEYS
    muong_mun = _find(records, commune="Mường Mùn", year=2025)
    assert (muong_mun["numerator"], muong_mun["denominator"]) == (550, 1500)
    assert muong_mun["value_pct"] == pytest.approx(550 / 1500 * 100, rel=1e-12)
    assert muong_mun["value_pct"] != round(550 / 1500 * 100, 1)  # kept unrounded
    assert muong_mun["value_pct"] != round(550 / 1500 * 100, 2)
    assert (muong_mun["target_pct"], muong_mun["target_year"]) == (80, 2030)
    assert muong_mun["status"] in ("met", "on_track", "behind")
    lai_chau = _find(records, commune="Bình Lư")
    assert (lai_chau["target_pct"], lai_chau["target_year"], lai_chau["status"]) == (None, None, "no_target")
    # the official codes: Mường Mùn 03268 in Điện Biên 11, Bình Lư 03390 in Lai Châu 12
    assert (muong_mun["province_code"], muong_mun["commune_code"]) == (11, 3268)
    assert (lai_chau["province_code"], lai_chau["commune_code"]) == (12, 3390)


def test_progress_level_province(kpis, loaded_db):
    records = progress_json(kpis, loaded_db, "--level", "province")
    assert all(r["commune"] is None and r["commune_code"] is None for r in records)
    assert {(r["province"], r["province_code"]) for r in records} == {("Lai Châu", 12), ("Điện Biên", 11)}
    assert sorted((r["province"], r["year"]) for r in records) == [("Lai Châu", 2025), ("Điện Biên", 2025), ("Điện Biên", 2026)]
    dien_bien = _find(records, province="Điện Biên", year=2025)
    assert (dien_bien["numerator"], dien_bien["denominator"]) == (550 + 300, 1500 + 500)
    assert dien_bien["value_pct"] == pytest.approx(850 / 2000 * 100)


@pytest.mark.parametrize(("year", "expected"), [(2025, 3), (2026, 1), (2027, 0)])
def test_progress_year_filter(kpis, loaded_db, year, expected):
    records = progress_json(kpis, loaded_db, "--year", str(year))
    assert len(records) == expected
    assert all(r["year"] == year for r in records)


def test_progress_csv_header_and_rows(kpis, loaded_db):
    run = kpis("progress", "--db", str(loaded_db), "--format", "csv")
    assert run.returncode == 0, run.stderr
    lines = run.stdout.splitlines()
    assert lines[0] == ",".join(KEYS)
    rows = list(csv.DictReader(io.StringIO(run.stdout)))
    assert len(rows) == len(progress_json(kpis, loaded_db))
    lai_chau = next(r for r in rows if r["commune"] == "Bình Lư")
    assert (lai_chau["target_pct"], lai_chau["target_year"], lai_chau["status"]) == ("", "", "no_target")
    muong_mun = next(r for r in rows if r["commune"] == "Mường Mùn" and r["year"] == "2025")
    assert float(muong_mun["value_pct"]) == pytest.approx(550 / 1500 * 100, rel=1e-12)
    assert (muong_mun["province_code"], muong_mun["commune_code"]) == ("11", "3268")
    province = kpis("progress", "--db", str(loaded_db), "--format", "csv", "--level", "province").stdout
    dien_bien = next(r for r in csv.DictReader(io.StringIO(province)) if r["province"] == "Điện Biên")
    assert (dien_bien["commune"], dien_bien["province_code"], dien_bien["commune_code"]) == ("", "11", "")


def test_progress_requires_a_format(kpis, tmp_path):
    run = kpis("progress", "--db", str(tmp_path / "kpis.duckdb"))
    assert run.returncode == 2
    assert "--format" in run.stderr


def test_new_db_path_is_created_with_the_catalog(kpis, tmp_path, catalog):
    db = tmp_path / "new" / "nested" / "kpis.duckdb"
    assert not db.parent.exists()
    assert progress_json(kpis, db) == []
    assert db.exists()
    con = duckdb.connect(str(db), read_only=True)
    try:
        assert con.execute("SELECT count(*) FROM indicators").fetchone()[0] == len(catalog.indicators)
        assert con.execute("SELECT count(*) FROM plans").fetchone()[0] == len(catalog.plans)
        assert con.execute("SELECT count(*) FROM communes").fetchone()[0] == len(catalog.communes)
        for table in ("submissions", "submission_values", "units"):
            assert con.execute(f"SELECT count(*) FROM {table}").fetchone()[0] == 0
    finally:
        con.close()


# --- demo ----------------------------------------------------------------------------------


def test_demo_builds_a_database(kpis, tmp_path):
    db = tmp_path / "demo.duckdb"
    run = kpis("demo", "--db", str(db))
    assert run.returncode == 0, run.stderr
    assert str(db) in run.stdout
    records = progress_json(kpis, db)
    communes = {(r["province"], r["commune"]) for r in records}
    assert len(communes) >= 12
    assert len({p for p, _ in communes}) == 4
    assert {r["year"] for r in records} == {2025, 2026}
    statuses = {r["status"] for r in records}
    assert statuses <= {"met", "on_track", "behind", "no_target"}
    assert {"met", "behind", "no_target"} <= statuses
    con = duckdb.connect(str(db), read_only=True)
    try:
        assert con.execute("SELECT value FROM meta WHERE key = 'demo'").fetchone() == ("true",)
    finally:
        con.close()


# --- the entry point ---------------------------------------------------------------------


def test_python_m_kpis_runs_main_and_passes_its_exit_code_on(tmp_path):
    """The one real subprocess: `python -m kpis` (kpis/__main__.py) is main(sys.argv[1:]), its return the exit code."""

    def python_m_kpis(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "kpis", *args], cwd=ROOT, capture_output=True, text=True, timeout=120)

    helped = python_m_kpis("--help")
    assert helped.returncode == 0 and helped.stdout.startswith("usage: python -m kpis")
    missing = python_m_kpis("import", str(tmp_path / "khong_co.csv"), "--db", str(tmp_path / "kpis.duckdb"))
    assert (missing.returncode, missing.stdout) == (1, "")
    assert "khong_co.csv" in missing.stderr


# --- the registry: `communes` and `registry update` ------------------------------------------------

LISTING_KEYS = ["commune_code", "kind", "commune", "province_code", "province"]


def communes_json(kpis: Kpis, db: Path, *extra: str) -> list[dict]:
    run = kpis("communes", "--db", str(db), "--format", "json", *extra)
    assert run.returncode == 0, run.stderr
    return json.loads(run.stdout)


def test_communes_lists_the_whole_official_registry_as_json(kpis, tmp_path):
    rows = communes_json(kpis, tmp_path / "kpis.duckdb")
    assert len(rows) == 3321 and all(list(r) == LISTING_KEYS for r in rows)
    assert len({r["commune_code"] for r in rows}) == 3321 and len({r["province_code"] for r in rows}) == 34
    assert {"commune_code": 3268, "kind": "Xã", "commune": "Mường Mùn", "province_code": 11, "province": "Điện Biên"} in rows
    assert {"commune_code": 2353, "kind": "Xã", "commune": "Hoà An", "province_code": 8, "province": "Tuyên Quang"} in rows


@pytest.mark.parametrize("province", ["Điện Biên", "dien bien", "Tỉnh Điện Biên", "TINH DIEN BIEN", "11", "011", "Mã tỉnh 11"])
def test_communes_of_one_province_by_name_in_any_spelling_or_by_code(kpis, tmp_path, province):
    rows = communes_json(kpis, tmp_path / "kpis.duckdb", "--province", province)
    assert len(rows) == 45 and {(r["province_code"], r["province"]) for r in rows} == {(11, "Điện Biên")}
    assert [r["commune"] for r in rows][:3] == ["Điện Biên Phủ", "Mường Lay", "Sín Thầu"]  # the list's order: by code


def test_communes_csv_has_the_columns_and_every_row(kpis, tmp_path):
    run = kpis("communes", "--db", str(tmp_path / "kpis.duckdb"), "--format", "csv", "--province", "Lai Châu")
    assert run.returncode == 0, run.stderr
    lines = list(csv.reader(io.StringIO(run.stdout)))
    assert lines[0] == LISTING_KEYS and ["3390", "Xã", "Bình Lư", "12", "Lai Châu"] in lines
    assert len(lines) == 1 + len(communes_json(kpis, tmp_path / "kpis.duckdb", "--province", "12"))


def test_communes_table_is_readable_in_each_language(kpis, tmp_path):
    db = str(tmp_path / "kpis.duckdb")
    vi = kpis("communes", "--db", db, "--province", "Điện Biên")
    assert vi.returncode == 0, vi.stderr
    lines = vi.stdout.splitlines()
    assert lines[0].split() == ["Mã", "Loại", "Tên", "Mã", "tỉnh", "Tỉnh"] and set(lines[1]) <= {"-", " "}
    assert "3268  Xã      Mường Mùn      11       Điện Biên" in lines  # columns as wide as their longest cell
    assert lines[-1] == "45 xã, phường, đặc khu."
    en = kpis("communes", "--db", db, "--province", "11", "--lang", "en")
    assert en.stdout.splitlines()[0].startswith("Code") and en.stdout.splitlines()[-1] == "45 communes, wards and special zones."


def test_communes_of_an_unknown_province_exits_1_with_the_nearest(kpis, tmp_path):
    run = kpis("communes", "--db", str(tmp_path / "kpis.duckdb"), "--province", "Điện Biênn", "--lang", "en")
    assert run.returncode == 1 and run.stdout == ""
    assert "Province 'Điện Biênn' is not in the registry. Did you mean: Điện Biên?" in run.stderr


def official_list(path: Path, rows: list) -> str:
    from tests.store.registry_lists import list_bytes

    return write(path, list_bytes(rows))


def test_registry_update_shows_each_change_applies_it_and_a_new_commune_is_importable(kpis, tmp_path):
    from tests.store.registry_lists import changed, shipped, without
    from tests.store.registry_lists import row as list_row

    db = tmp_path / "kpis.duckdb"
    report = write(tmp_path / "sin_thau_moi.csv", csv_bytes([row("Bản Pa Ham 1", 20, 25, commune="Sín Thầu Mới")]))
    before = kpis("import", report, "--db", str(db), "--lang", "en")
    assert before.returncode == 1 and "Sín Thầu Mới" in before.stdout  # not registered yet

    rows = without(changed(shipped(), 3169, commune="Nà Hỳ Mới"), 3158)
    new = official_list(tmp_path / "communes-2027-01-15.csv", [*rows, list_row(11, "Điện Biên", 99001, "Xã", "Sín Thầu Mới")])
    run = kpis("registry", "update", new, "--db", str(db), "--lang", "en")

    assert run.returncode == 0, run.stderr
    assert run.stdout.splitlines() == [
        "communes-2027-01-15.csv: data version 2027-01-15 (the database had 2026-02-21): 1 commune(s) added, 1 renamed, "
        "1 removed; provinces: 0 added, 0 renamed, 0 removed.",
        "  + 99001 Xã Sín Thầu Mới (Điện Biên)",
        "  ~ 3169 Xã Nà Hỳ (Điện Biên) → 3169 Xã Nà Hỳ Mới (Điện Biên)",
        "  - 3158 Xã Sín Thầu (Điện Biên)",
        "Applied in one transaction: the registry is now data version 2027-01-15.",
    ]
    listed = {r["commune_code"]: r["commune"] for r in communes_json(kpis, db, "--province", "11")}
    assert (listed[3169], listed[99001], 3158 in listed) == ("Nà Hỳ Mới", "Sín Thầu Mới", False)
    after = kpis("import", report, "--db", str(db), "--lang", "en")
    assert after.returncode == 0, after.stdout
    again = kpis("registry", "update", new, "--db", str(db), "--lang", "en")
    assert again.returncode == 0 and "Nothing to change" in again.stdout


def test_registry_update_refuses_to_remove_a_commune_with_submissions_and_writes_nothing(kpis, tmp_path, good_file):
    from tests.store.registry_lists import shipped, without

    db = tmp_path / "kpis.duckdb"
    assert kpis("import", good_file, "--db", str(db)).returncode == 0
    journal = db.with_name(db.name + ".journal.jsonl").read_bytes()
    new = official_list(tmp_path / "communes-2027-01-15.csv", without(shipped(), 3268))
    for lang, words in (("en", "Nothing was changed"), ("vi", "Không thay đổi gì")):
        run = kpis("registry", "update", new, "--db", str(db), "--lang", lang)
        assert run.returncode == 1 and run.stdout == ""
        assert words in run.stderr and "3268 Xã Mường Mùn (Điện Biên)" in run.stderr
    assert db.with_name(db.name + ".journal.jsonl").read_bytes() == journal
    assert len(communes_json(kpis, db)) == 3321


def test_registry_update_takes_its_version_from_the_file_name_or_version(kpis, tmp_path):
    from tests.store.registry_lists import changed, shipped

    db = tmp_path / "kpis.duckdb"
    new = official_list(tmp_path / "danh_muc_moi.csv", changed(shipped(), 3169, commune="Nà Hỳ Mới"))
    run = kpis("registry", "update", new, "--db", str(db), "--lang", "en")
    assert run.returncode == 1 and "add --version" in run.stderr and "danh_muc_moi.csv" in run.stderr
    dry = kpis("registry", "update", new, "--db", str(db), "--version", "2027-02-01", "--dry-run", "--lang", "en")
    assert dry.returncode == 0 and dry.stdout.splitlines()[-1] == "Dry run: nothing was written."
    assert "  ~ 3169 Xã Nà Hỳ (Điện Biên) → 3169 Xã Nà Hỳ Mới (Điện Biên)" in dry.stdout
    assert not db.with_name(db.name + ".journal.jsonl").exists()
    done = kpis("registry", "update", new, "--db", str(db), "--version", "2027-02-01")
    assert done.returncode == 0 and "Đã cập nhật" in done.stdout and "2027-02-01" in done.stdout


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("province_code,province,commune_code,kind,commune\r\n11,Điện Biên,3268,Xã,Mường Mùn\r\n11,,3268,Xã,Pa Ham\r\n",
         "communes-2027-01-15.csv: line 3: field 'commune_code': 3268 is listed twice"),
        ("province,commune,kind\r\nĐiện Biên,Pa Ham,Xã\r\n",
         "communes-2027-01-15.csv: missing column(s) province_code, commune_code"),
    ],
)  # fmt: skip
def test_registry_update_refuses_a_broken_list_naming_file_and_line(kpis, tmp_path, content, expected):
    db = tmp_path / "kpis.duckdb"
    run = kpis("registry", "update", write(tmp_path / "communes-2027-01-15.csv", content.encode()), "--db", str(db))
    assert run.returncode == 1 and expected in run.stderr
    assert len(communes_json(kpis, db)) == 3321


def test_registry_update_of_a_missing_file_exits_1(kpis, tmp_path):
    run = kpis("registry", "update", str(tmp_path / "communes-2027-01-15.csv"), "--db", str(tmp_path / "kpis.duckdb"))
    assert run.returncode == 1 and "communes-2027-01-15.csv" in run.stderr


# --- import: what the options say about the files (issue 13) ---------------------------------------------


WITHOUT_PERIOD = ["Tỉnh", "Xã", "Đơn vị", "Chỉ tiêu", "Số đạt", "Tổng số", "Ghi chú"]


def stored_periods(db: Path) -> list[tuple]:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(
            "SELECT u.name, cv.year, cv.quarter, cv.numerator FROM current_values cv JOIN units u ON u.id = cv.unit_id"
            " ORDER BY ALL"
        ).fetchall()


def test_import_options_reach_the_import_and_its_journal_line(kpis, tmp_path, good_file):
    db = tmp_path / "kpis.duckdb"
    run = kpis("import", good_file, "--db", str(db), "--province", "Điện Biên", "--commune", "Muong Mun", "--year", "2025",
               "--quarter", "3")  # fmt: skip
    assert run.returncode == 0, run.stdout + run.stderr
    (line,) = [e for e in store.read_journal(db) if isinstance(e, Submission)]
    assert (line.province, line.commune, line.year, line.quarter) == ("Điện Biên", "Muong Mun", 2025, 3)


def test_import_period_options_stand_for_the_columns_a_file_lacks(kpis, tmp_path):
    """Waits for the form reader: today a tidy table without Năm/Quý is refused whatever the options say."""
    db = tmp_path / "kpis.duckdb"
    rows = [["Điện Biên", "Mường Mùn", "Bản Na Sang", "citizen_reach", 450, 500, ""]]
    path = write(tmp_path / "khong_ky.csv", csv_bytes(rows, header=WITHOUT_PERIOD))
    refused = kpis("import", path, "--db", str(db), "--lang", "en")
    assert refused.returncode == 1 and stored_periods(db) == []
    run = kpis("import", path, "--db", str(db), "--year", "2025", "--quarter", "3")
    assert run.returncode == 0, run.stdout + run.stderr
    assert stored_periods(db) == [("Bản Na Sang", 2025, 3, 450)]


def test_import_refuses_a_file_whose_period_disagrees_with_the_options(kpis, tmp_path, good_file):
    """Waits for the form reader: today the options are passed through and not yet compared with the file."""
    db = tmp_path / "kpis.duckdb"
    run = kpis("import", good_file, "--db", str(db), "--year", "2025", "--quarter", "2", "--lang", "en")
    assert run.returncode == 1, run.stdout
    assert stored_periods(db) == []


@pytest.mark.parametrize(
    ("flag", "value", "expected"),
    [
        ("--quarter", "5", "--quarter is 1, 2, 3 or 4 (got '5')"),
        ("--quarter", "III", "--quarter là 1, 2, 3 hoặc 4 (nhận được «III»)"),
        ("--year", "1999", "--year is a year from 2024 to 2035 (got '1999')"),
        ("--year", "năm nay", "--year là một năm từ 2024 đến 2035"),
    ],
)
def test_import_checks_year_and_quarter_before_reading_anything(kpis, tmp_path, good_file, flag, value, expected):
    db = tmp_path / "kpis.duckdb"
    run = kpis("import", good_file, "--db", str(db), flag, value)
    assert run.returncode == 2 and expected in run.stderr and f"argument {flag}" in run.stderr
    assert not db.exists()


# --- plan: template, import, export, list (issue 15) ------------------------------------------------------


PLAN_KEYS = ["number", "issued", "level", "place_code", "place", "targets", "replaces", "in_force"]


def plan_list(kpis: Kpis, db: Path) -> list[dict]:
    run = kpis("plan", "list", "--db", str(db), "--format", "json")
    assert run.returncode == 0, run.stderr
    assert run.stdout.count("\n") == 1  # a single JSON document on one line
    return json.loads(run.stdout)


def test_plan_template_writes_the_workbook_offices_fill(kpis, tmp_path):
    out = tmp_path / "mau_ke_hoach.xlsx"
    run = kpis("plan", "template", "--out", str(out))
    assert run.returncode == 0, run.stderr
    assert str(out) in run.stdout and "đã ghi" in run.stdout
    book = openpyxl.load_workbook(out)
    assert {"Kế hoạch", "Chỉ tiêu", "Hạn báo cáo", "Nhiệm vụ"} <= set(book.sheetnames)
    read = read_plan_workbook(out.read_bytes(), default_catalog(), Places(default_catalog().communes))
    assert read.plan is None and {p.code for p in read.problems} == {"plan_field_missing"}


def test_plan_import_puts_the_plan_in_and_list_shows_it_with_the_contracts_keys(kpis, tmp_path):
    db = tmp_path / "kpis.duckdb"
    seeds = plan_list(kpis, db)
    assert len(seeds) == 5 and all(list(r) == PLAN_KEYS for r in seeds)
    path = write(tmp_path / "ke_hoach_cao_bang.xlsx", plan_book())
    run = kpis("plan", "import", path, "--db", str(db))
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == "Đã áp dụng Kế hoạch số 45/KH-UBND (Cao Bằng)." and run.stderr == ""
    listed = plan_list(kpis, db)
    assert all(list(r) == PLAN_KEYS for r in listed)
    assert listed[:5] == seeds
    assert listed[5:] == [
        {"number": "45/KH-UBND", "issued": "2026-03-03", "level": "province", "place_code": 4, "place": "Cao Bằng",
         "targets": 2, "replaces": None, "in_force": True},
    ]  # fmt: skip
    amended = write(tmp_path / "sua_doi.xlsx", plan_book(fields_of(number="46/KH-UBND", replaces="45/KH-UBND")))
    run = kpis("plan", "import", amended, "--db", str(db), "--lang", "en")
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == "Plan No. 46/KH-UBND (Cao Bằng) is now in force."
    cao_bang = [(r["number"], r["replaces"], r["in_force"]) for r in plan_list(kpis, db) if r["place"] == "Cao Bằng"]
    assert cao_bang == [("45/KH-UBND", None, False), ("46/KH-UBND", "45/KH-UBND", True)]


@pytest.mark.parametrize(
    ("lang", "summary", "where"),
    [
        (
            "vi",
            "chưa được nhận: có 2 lỗi",
            ["Trang «Chỉ tiêu» — Dòng 2, cột «Tỷ lệ (%)»:", "Trang «Kế hoạch» — Dòng 7, cột «Nội dung»:"],
        ),
        ("en", "2 problem", ["Sheet 'Chỉ tiêu' — Row 2, column 'Tỷ lệ (%)':", "Sheet 'Kế hoạch' — Row 7, column 'Nội dung':"]),
    ],
)
def test_plan_import_of_a_bad_workbook_exits_1_naming_sheet_row_and_column(kpis, tmp_path, lang, summary, where):
    db = tmp_path / "kpis.duckdb"
    path = write(tmp_path / "sai.xlsx", plan_book(fields_of(place="Bắc Kạn"), [("Người dân được tiếp cận", 2030, 120)]))
    run = kpis("plan", "import", path, "--db", str(db), "--lang", lang)
    assert run.returncode == 1
    assert run.stdout == ""
    lines = run.stderr.splitlines()
    assert "sai.xlsx" in lines[0] and summary in lines[0]
    problems = sorted(line.removeprefix("- ") for line in lines[1:])
    assert len(problems) == 2
    assert all(p.startswith(w) for p, w in zip(problems, sorted(where), strict=True)), problems
    assert len(plan_list(kpis, db)) == 5, "nothing written"


def test_plan_import_of_a_file_that_is_no_workbook_exits_1(kpis, tmp_path):
    db = tmp_path / "kpis.duckdb"
    path = write(tmp_path / "ke_hoach.csv", csv_bytes([row("Bản Na Sang", 450, 500)]))
    run = kpis("plan", "import", path, "--db", str(db), "--lang", "en")
    assert run.returncode == 1 and "not a valid Excel workbook" in run.stderr
    missing = kpis("plan", "import", str(tmp_path / "khong_co.xlsx"), "--db", str(db))
    assert missing.returncode == 1 and "khong_co.xlsx" in missing.stderr


@pytest.mark.parametrize("number", ["139/KH-UBND", "01/KH-UBND", "2653/KH-UBND"])
def test_plan_export_of_a_seed_imports_back_as_unchanged(kpis, tmp_path, number):
    db = tmp_path / "kpis.duckdb"
    out = tmp_path / "xuat.xlsx"
    run = kpis("plan", "export", number, "--out", str(out), "--db", str(db))
    assert run.returncode == 0, run.stderr
    plan = read_plan_workbook(out.read_bytes(), default_catalog(), Places(default_catalog().communes)).plan
    assert plan is not None and plan.number == number
    again = kpis("plan", "import", str(out), "--db", str(db))
    assert again.returncode == 1
    assert "không có gì thay đổi" in again.stderr
    assert len(plan_list(kpis, db)) == 5


def test_plan_export_of_an_unknown_or_shared_number(kpis, tmp_path):
    db = tmp_path / "kpis.duckdb"
    out = tmp_path / "xuat.xlsx"
    unknown = kpis("plan", "export", "999/KH-UBND", "--out", str(out), "--db", str(db))
    assert unknown.returncode == 1 and "999/KH-UBND" in unknown.stderr and not out.exists()
    thuc_phan = write(tmp_path / "tp.xlsx", plan_book(THUC_PHAN, [("Người dân được tiếp cận", 2030, 90)]))
    nung_tri_cao = write(
        tmp_path / "ntc.xlsx",
        plan_book(fields_of(THUC_PHAN, place_code="01279", place="Nùng Trí Cao"), [("Người dân được tiếp cận", 2030, 80)]),
    )
    assert kpis("plan", "import", thuc_phan, "--db", str(db)).returncode == 0
    assert kpis("plan", "import", nung_tri_cao, "--db", str(db)).returncode == 0
    shared = kpis("plan", "export", "12/KH-UBND", "--out", str(out), "--db", str(db))
    assert shared.returncode == 1 and "--place" in shared.stderr and "1273" in shared.stderr and "1279" in shared.stderr
    chosen = kpis("plan", "export", "12/KH-UBND", "--place", "1279", "--out", str(out), "--db", str(db))
    assert chosen.returncode == 0, chosen.stderr
    plan = read_plan_workbook(out.read_bytes(), default_catalog(), Places(default_catalog().communes)).plan
    assert plan is not None and plan.commune == "Nùng Trí Cao"


def test_plan_list_csv_has_the_contracts_header(kpis, tmp_path):
    db = tmp_path / "kpis.duckdb"
    assert kpis("plan", "import", write(tmp_path / "kh.xlsx", plan_book()), "--db", str(db)).returncode == 0
    run = kpis("plan", "list", "--db", str(db), "--format", "csv")
    assert run.returncode == 0, run.stderr
    assert run.stdout.splitlines()[0] == "number,issued,level,place_code,place,targets,replaces,in_force"
    records = list(csv.DictReader(io.StringIO(run.stdout)))
    assert len(records) == 6
    assert records[-1] == {
        "number": "45/KH-UBND", "issued": "2026-03-03", "level": "province", "place_code": "4", "place": "Cao Bằng",
        "targets": "2", "replaces": "", "in_force": "True",
    }  # fmt: skip
    assert records[0]["number"] == "" and records[0]["place"] == "Điện Biên", "a seed without a number"


def test_plan_import_as_an_account_applies_its_rights(kpis, tmp_path):
    db = tmp_path / "kpis.duckdb"
    with store.connect(db) as con:
        accounts.create(con, "tp.xa", "mat-khau-du-dai-1", "commune", "test", province="Cao Bằng", communes=["Thục Phán"])
        accounts.create(con, "db.tinh", "mat-khau-du-dai-1", "province", "test", province="Điện Biên")
    path = write(tmp_path / "kh.xlsx", plan_book())
    other = kpis("plan", "import", path, "--db", str(db), "--user", "db.tinh")
    assert other.returncode == 1 and "không được nhập kế hoạch cho Cao Bằng" in other.stderr
    typo = kpis("plan", "import", path, "--db", str(db), "--user", "db.tinhh")
    assert typo.returncode == 1 and "Không có tài khoản «db.tinhh» đang hoạt động" in typo.stderr, "never the operator"
    own = write(tmp_path / "tp.xlsx", plan_book(THUC_PHAN, [("Người dân được tiếp cận", 2030, 90)]))
    proposed = kpis("plan", "import", own, "--db", str(db), "--user", "tp.xa")
    assert proposed.returncode == 0, proposed.stderr
    assert proposed.stdout.startswith("Đã gửi Kế hoạch số 12/KH-UBND (Thục Phán, Cao Bằng)")
    assert [r["in_force"] for r in plan_list(kpis, db) if r["place"] == "Thục Phán"] == [False]
    with store.connect(db) as con:
        trail = audit.events(con)
        assert trail[trail["action"].str.startswith("plan_")][["actor", "action"]].values.tolist() == [
            ["tp.xa", "plan_proposed"],
            ["db.tinh", "plan_refused"],
        ]


# --- user import, user template: officers' accounts in bulk (issue 15) ---------------------------------------

ACCOUNT_HEADER = ["Tên đăng nhập", "Họ và tên", "Vai trò", "Mã tỉnh", "Mã xã", "Thư điện tử"]
ACCOUNTS = [
    ["lan.thucphan", "Nguyễn Thị Lan", "Cán bộ cấp xã", "04", "01273", "lan.nguyen@caobang.gov.vn"],
    ["hoa.haixa", "Hoàng Văn Hòa", "commune", "", "01273; 01279", ""],
    ["tinh.caobang", "Bế Thị Tỉnh", "Cán bộ cấp tỉnh", "04", "", ""],
]


def user_count(db: Path) -> int:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute("SELECT count(*) FROM users").fetchone()[0]


def test_user_import_creates_every_account_and_prints_each_one_time_password(kpis, tmp_path):
    import openpyxl

    from kpis.people import accounts

    db, sheet, handout = tmp_path / "kpis.duckdb", tmp_path / "can_bo.xlsx", tmp_path / "mat_khau.xlsx"
    write(sheet, xlsx_bytes(ACCOUNTS, header=ACCOUNT_HEADER))
    run = kpis("user", "import", str(sheet), "--db", str(db), "--out", str(handout))
    assert run.returncode == 0, run.stdout + run.stderr
    lines = run.stdout.splitlines()
    assert lines[0].startswith("can_bo.xlsx: đã tạo 3 tài khoản") and lines[-1].startswith(f"{handout}: đã ghi bảng phát")
    printed = dict(line.split("\t") for line in lines[1:-1])
    assert list(printed) == ["lan.thucphan", "hoa.haixa", "tinh.caobang"]
    handed = openpyxl.load_workbook(handout).active
    assert [[c.value for c in r][:1] + [c.value for c in r][5:] for r in handed.iter_rows(min_row=5)] == list(
        map(list, printed.items())
    )
    with store.connect(db) as con:
        for username, password in printed.items():
            assert accounts.sign_in(con, username, password).must_change_password
        actors = con.execute("SELECT DISTINCT actor FROM audit WHERE action = 'account_created'").fetchall()
    assert actors[0][0].startswith("cli:")
    listed = kpis("user", "list", "--db", str(db)).stdout.splitlines()
    assert listed[0].split("\t")[:3] == ["hoa.haixa", "commune", "active"] and listed[0].endswith("\tmust change password")
    assert "lan.nguyen@caobang.gov.vn" in listed[1]


def test_user_import_refused_exits_1_names_every_problem_in_the_chosen_language_and_creates_none(kpis, tmp_path):
    db, sheet = tmp_path / "kpis.duckdb", tmp_path / "can_bo.csv"
    bad = [*ACCOUNTS, ["lan.thucphan", "", "trưởng bản", "04", "03268", "lan@"]]
    write(sheet, csv_bytes(bad, header=ACCOUNT_HEADER))
    run = kpis("user", "import", str(sheet), "--db", str(db), "--lang", "en")
    assert run.returncode == 1
    assert run.stdout.splitlines() == [
        "can_bo.csv: refused, 5 problem(s); no account was created.",
        "  - Row 5, column 'Tên đăng nhập': Username 'lan.thucphan' is already on row 2 of the file; each person needs a"
        " username of their own.",
        "  - Row 5, column 'Họ và tên': This cell is empty; enter a value.",
        "  - Row 5, column 'Vai trò': There is no role 'trưởng bản'; write one of: Quản trị (admin), Cán bộ cấp tỉnh (province),"
        " Cán bộ cấp xã (commune), Chỉ xem (viewer).",
        "  - Row 5, column 'Mã xã': Commune code '03268' is Mường Mùn's, in Điện Biên, not in Cao Bằng; check the commune code"
        " or the province code.",
        "  - Row 5, column 'Thư điện tử': 'lan@' is not an e-mail address (for example lan.nguyen@caobang.gov.vn); correct it"
        " or leave it empty.",
    ]
    assert user_count(db) == 0
    vi = kpis("user", "import", str(sheet), "--db", str(db))
    assert vi.returncode == 1 and "  - Dòng 5, cột «Vai trò»: Vai trò «trưởng bản» không có" in vi.stdout


def test_user_import_as_a_province_officer_keeps_to_its_province(kpis, tmp_path):
    db, sheet = tmp_path / "kpis.duckdb", tmp_path / "dien_bien.xlsx"
    added = kpis("user", "add", "tinh.cb", "--role", "province", "--province", "04", "--password-stdin", "--db", str(db),
                 stdin="mat-khau-tinh-cao-bang\n")  # fmt: skip
    assert added.returncode == 0, added.stderr
    write(sheet, xlsx_bytes([["o.mm", "Lò Văn O", "Cán bộ cấp xã", "11", "03268", ""]], header=ACCOUNT_HEADER))
    run = kpis("user", "import", str(sheet), "--db", str(db), "--user", "tinh.cb", "--lang", "en")
    assert run.returncode == 1 and "you may create accounts in Cao Bằng only" in run.stdout
    assert user_count(db) == 1
    unknown = kpis("user", "import", str(sheet), "--db", str(db), "--user", "nobody", "--lang", "en")
    assert unknown.returncode == 1 and "nobody" in unknown.stderr
    missing = kpis("user", "import", str(tmp_path / "khong_co.xlsx"), "--db", str(db))
    assert missing.returncode == 1 and "khong_co.xlsx" in missing.stderr


def test_user_template_writes_the_empty_sheet_with_the_provinces_codes(kpis, tmp_path):
    import openpyxl

    out = tmp_path / "mau_tai_khoan.xlsx"
    run = kpis("user", "template", "--out", str(out), "--province", "Cao Bằng", "--db", str(tmp_path / "kpis.duckdb"))
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == f"{out}: đã ghi biểu mẫu danh sách tài khoản."
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames == ["Tài khoản", "Hướng dẫn", "Mã xã"]
    assert [c.value for c in wb["Tài khoản"][1]] == ACCOUNT_HEADER
    assert {r[0] for r in wb["Mã xã"].iter_rows(min_row=2, values_only=True)} == {"04"}
    assert kpis("user", "template", "--db", str(tmp_path / "kpis.duckdb")).returncode == 2  # --out is needed
    assert kpis("user", "import", "--db", str(tmp_path / "kpis.duckdb")).returncode == 2  # the sheet is needed
