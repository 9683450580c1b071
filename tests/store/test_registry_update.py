"""`registry update`: a newer official list applied by code. Added, renamed and removed are shown; a removal that
would orphan submissions is refused with nothing written; renames keep history, plans and accounts (they hold
codes); the change is journaled and rebuild replays it. Real CSV files, real DuckDB files under tmp_path.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import duckdb
import pytest

from kpis import store
from kpis.catalog.units import CatalogError, Commune
from kpis.figures.progress import progress
from kpis.intake.importer import import_file
from kpis.ops.rebuild import rebuild
from kpis.people import accounts
from kpis.store import audit
from kpis.store.journal import RegistryUpdated
from tests.conftest import csv_bytes
from tests.store.registry_lists import changed, list_bytes, row, shipped, without

PASSWORD = "mat-khau-that-dai-57"
AT = dt.datetime(2027, 1, 20, 9, 0)
NAME = "communes-2027-01-15.csv"


def report(province: str, commune: str, numerator: int = 30, unit: str = "Bản A") -> bytes:
    return csv_bytes([[province, commune, unit, 2025, 3, "citizen_reach", numerator, 60, ""]])


def accepted(con: duckdb.DuckDBPyConnection, data: bytes, name: str, **kw: object) -> int:
    result = import_file(con, data, name, "Lò Văn Minh", **kw)  # type: ignore[arg-type]
    assert result.status == "accepted", result.messages("en")
    assert result.submission_id is not None
    return result.submission_id


def update(con: duckdb.DuckDBPyConnection, rows: list, name: str = NAME, version: str = "2027-01-15", **kw: object):
    return store.update_registry(con, list_bytes(rows), name, version, "quantri", at=AT, **kw)  # type: ignore[arg-type]


def commune(con: duckdb.DuckDBPyConnection, code: int) -> tuple | None:
    return con.execute("SELECT province, kind, name, source FROM communes WHERE code = ?", [code]).fetchone()


def place(con: duckdb.DuckDBPyConnection, code: int) -> Commune:
    return next(c for c in store.registry(con) if c.code == code)


def test_an_update_shows_what_it_adds_renames_and_removes_and_applies_it(con):
    rows = changed(shipped(), 3169, commune="Nà Hỳ Mới")  # renamed
    rows = changed(rows, 3151, kind="Xã")  # Phường Mường Lay becomes a Xã
    rows = changed(rows, 3390, province_code="11", province="Điện Biên")  # Bình Lư moves from Lai Châu
    rows = without(rows, 3158)  # Sín Thầu goes (no submissions)
    rows.append(row(11, "Điện Biên", 99001, "Xã", "Sín Thầu Mới"))
    version = store.data_version(con)

    diff = update(con, rows)

    assert [c.code for c in diff.added] == [99001]
    assert [(r.before.name, r.after.name) for r in diff.renamed] == [("Mường Lay", "Mường Lay"), ("Nà Hỳ", "Nà Hỳ Mới"),
                                                                     ("Bình Lư", "Bình Lư")]  # fmt: skip
    assert [(r.before.kind, r.after.kind, r.after.province) for r in diff.renamed][0] == ("Phường", "Xã", "Điện Biên")
    assert [(c.code, c.name) for c in diff.removed] == [(3158, "Sín Thầu")]
    assert (diff.provinces_added, diff.provinces_renamed, diff.provinces_removed) == ((), (), ())
    assert diff.applied and (diff.previous_version, diff.version) == ("2026-02-21", "2027-01-15")

    assert commune(con, 3169) == ("Điện Biên", "Xã", "Nà Hỳ Mới", "official")
    assert commune(con, 3151) == ("Điện Biên", "Xã", "Mường Lay", "official")
    assert commune(con, 3390) == ("Điện Biên", "Xã", "Bình Lư", "official")
    assert commune(con, 3158) is None
    assert commune(con, 99001) == ("Điện Biên", "Xã", "Sín Thầu Mới", NAME)
    assert len(store.registry(con)) == 3321
    assert con.execute("SELECT value FROM meta WHERE key = 'registry_version'").fetchone() == ("2027-01-15",)
    assert store.data_version(con) == version + 1

    trail = audit.events(con, action="registry_updated")
    assert trail[["actor", "subject"]].values.tolist() == [["quantri", NAME]]
    assert json.loads(trail["detail"][0])["renamed"] == 3 and json.loads(trail["detail"][0])["version"] == "2027-01-15"
    (line,) = [e for e in store.read_journal(store.db_file(con)) if isinstance(e, RegistryUpdated)]
    assert (line.file_name, line.version, line.updated_by, line.sha256) == (
        NAME,
        "2027-01-15",
        "quantri",
        trail["file_sha256"][0],
    )
    assert (store.uploads_dir(con) / line.kept).read_bytes() == list_bytes(rows)


def test_removing_a_commune_with_submissions_is_refused_naming_it_and_nothing_is_written(con):
    accepted(con, report("Điện Biên", "Mường Mùn"), "muong_mun.csv")
    accepted(con, report("Lai Châu", "Bình Lư"), "binh_lu.csv")
    journal = store.journal_path(store.db_file(con)).read_bytes()
    kept = sorted(store.uploads_dir(con).iterdir())
    registry, version = store.registry(con), store.data_version(con)

    rows = changed(without(shipped(), 3268, 3390, 3158), 3169, commune="Nà Hỳ Mới")
    with pytest.raises(store.RegistryUpdateRefused) as refused:
        update(con, rows)

    assert refused.value.code == "registry_remove_has_submissions" and refused.value.params["count"] == 2
    message = refused.value.message("en")
    assert "3268 Xã Mường Mùn (Điện Biên)" in message and "3390 Xã Bình Lư (Lai Châu)" in message
    assert "Sín Thầu" not in message  # it goes with the rest, once the two are kept
    assert "Xã Mường Mùn" in refused.value.message("vi") and "Không thay đổi gì" in refused.value.message("vi")
    assert store.registry(con) == registry and store.data_version(con) == version
    assert con.execute("SELECT value FROM meta WHERE key = 'registry_version'").fetchone() == ("2026-02-21",)
    assert store.journal_path(store.db_file(con)).read_bytes() == journal
    assert sorted(store.uploads_dir(con).iterdir()) == kept
    assert audit.events(con, action="registry_updated").empty


def test_a_renamed_commune_keeps_its_history_its_plan_and_the_accounts_scoped_to_it(con):
    accepted(con, report("Điện Biên", "Mường Mùn", 30), "q3.csv")
    accounts.create(con, "lan.mm", PASSWORD, "commune", "quantri", province="Điện Biên", communes=["Mường Mùn"])
    before = progress(con, "commune")

    update(con, changed(shipped(), 3268, commune="Mường Mùn Thượng"))

    after = progress(con, "commune")
    assert after["commune"].tolist() == ["Mường Mùn Thượng"]
    assert after.drop(columns="commune").equals(before.drop(columns="commune"))  # the plan's target still applies
    assert after["plan_id"].tolist() == ["muong-mun-01-kh-ubnd-2025"] and after["target_pct"].notna().all()
    assert con.execute("SELECT commune FROM plans WHERE commune_code = 3268").fetchall() == [("Mường Mùn Thượng",)]
    officer = accounts.sign_in(con, "lan.mm", PASSWORD)
    assert officer.scopes == (accounts.Scope("Điện Biên", "Mường Mùn Thượng", 11, 3268),)
    result = import_file(
        con, report("Điện Biên", "Mường Mùn Thượng", 40, "Bản B"), "q3b.csv", "lan.mm", may_write=officer.may_write
    )
    assert result.status == "accepted", result.messages("en")
    refused = import_file(con, report("Điện Biên", "Tuần Giáo"), "tg.csv", "lan.mm", may_write=officer.may_write)
    assert [p.code for p in refused.problems] == ["out_of_scope"]
    assert "Mường Mùn Thượng" in accounts.listing(con)[0]["scopes"]


def test_a_renamed_province_moves_its_communes_with_their_history(con, db_path):
    accepted(con, report("Điện Biên", "Mường Mùn", 30), "q3.csv")
    accounts.create(con, "tinh.db", PASSWORD, "province", "quantri", province="Điện Biên")
    rows = [{**r, "province": "Điện Biên Mới"} if r["province_code"] == "11" else r for r in shipped()]

    diff = update(con, rows)

    assert diff.provinces_renamed == ((11, "Điện Biên", "Điện Biên Mới"),) and diff.renamed == diff.added == diff.removed == ()
    assert con.execute("SELECT name, code FROM provinces WHERE code = 11").fetchall() == [("Điện Biên Mới", 11)]
    assert not con.execute("SELECT 1 FROM provinces WHERE name = 'Điện Biên'").fetchall()
    assert con.execute("SELECT count(*) FROM communes WHERE province = 'Điện Biên Mới'").fetchone() == (45,)
    figures = progress(con, "province")
    assert figures["province"].tolist() == ["Điện Biên Mới"] and figures["numerator"].tolist() == [30]
    assert con.execute("SELECT province FROM plans WHERE province_code = 11").fetchall() == [("Điện Biên Mới",)] * 2
    officer = accounts.sign_in(con, "tinh.db", PASSWORD)
    assert officer.scopes == (accounts.Scope("Điện Biên Mới", None, 11, None),)
    assert officer.may_write(place(con, 3268)) and not officer.may_write(place(con, 3390))
    con.close()
    again = store.connect(db_path)  # a later connect keeps the database's names
    assert again.execute("SELECT province FROM communes WHERE code = 3268").fetchone() == ("Điện Biên Mới",)
    again.close()


def test_two_provinces_may_swap_names(con):
    rows = [{**r, "province": {"11": "Lai Châu", "12": "Điện Biên"}.get(r["province_code"], r["province"])} for r in shipped()]
    diff = update(con, rows)
    assert sorted(diff.provinces_renamed) == [(11, "Điện Biên", "Lai Châu"), (12, "Lai Châu", "Điện Biên")]
    assert con.execute("SELECT code FROM provinces WHERE name = 'Lai Châu'").fetchone() == (11,)
    assert commune(con, 3268) == ("Lai Châu", "Xã", "Mường Mùn", "official")


def test_the_update_is_journaled_and_rebuild_replays_it(con, db_path):
    accepted(con, report("Điện Biên", "Mường Mùn", 30), "q3.csv")
    update(con, without(changed(shipped(), 3268, commune="Mường Mùn Thượng"), 3158))
    accepted(con, report("Điện Biên", "Mường Mùn Thượng", 45, "Bản B"), "q3b.csv")  # only the new name is known now
    accounts.create(con, "lan.mm", PASSWORD, "commune", "quantri", province="Điện Biên", communes=["Mường Mùn Thượng"])
    figures = progress(con, "commune")
    con.close()

    report_ = rebuild(db_path)

    assert report_.identical and report_.communes_files == 1 and report_.submissions == 2
    again = store.connect(db_path)
    try:
        assert commune(again, 3268) == ("Điện Biên", "Xã", "Mường Mùn Thượng", "official") and commune(again, 3158) is None
        assert again.execute("SELECT value FROM meta WHERE key = 'registry_version'").fetchone() == ("2027-01-15",)
        assert progress(again, "commune").equals(figures)
        assert accounts.sign_in(again, "lan.mm", PASSWORD).scopes == (accounts.Scope("Điện Biên", "Mường Mùn Thượng", 11, 3268),)
        assert audit.events(again, action="registry_updated")["subject"].tolist() == [NAME]  # carried over, not doubled
    finally:
        again.close()


def test_the_same_list_again_writes_nothing_and_a_dry_run_writes_nothing(con):
    same = update(con, shipped(), "communes.csv", "2026-02-21")
    assert same.changes == 0 and not same.applied
    rows = changed(shipped(), 3268, commune="Mường Mùn Thượng")
    dry = update(con, rows, dry_run=True)
    assert [(r.before.name, r.after.name) for r in dry.renamed] == [("Mường Mùn", "Mường Mùn Thượng")] and not dry.applied
    assert commune(con, 3268) == ("Điện Biên", "Xã", "Mường Mùn", "official")
    assert not store.journal_path(store.db_file(con)).exists()
    newer = update(con, shipped(), "communes.csv", "2026-03-01")  # the same places under a newer version: recorded
    assert newer.changes == 0 and newer.applied
    assert con.execute("SELECT value FROM meta WHERE key = 'registry_version'").fetchone() == ("2026-03-01",)


def test_a_new_commune_named_like_a_place_kept_without_a_code_takes_that_place(con):
    store.add_communes(con, [Commune(province="Lai Châu", name="Tam Đường", kind="Xã")], "old.csv", journal=False)
    accepted(con, report("Lai Châu", "Tam Đường"), "td.csv")
    diff = update(con, [*shipped(), row(12, "Lai Châu", 99002, "Xã", "Tam Đường")])
    assert [c.code for c in diff.added] == [99002]
    assert con.execute("SELECT count(*) FROM communes WHERE name = 'Tam Đường'").fetchone() == (1,)
    assert commune(con, 99002) == ("Lai Châu", "Xã", "Tam Đường", "old.csv")
    assert progress(con, "commune")["commune"].tolist() == ["Tam Đường"]


def test_a_new_province_comes_with_its_name(con):
    rows = [*shipped(), row(99, "Hoàng Sa", 99003, "Đặc khu", "Hoàng Sa")]
    diff = update(con, rows)
    assert diff.provinces_added == ((99, "Hoàng Sa"),)
    assert con.execute("SELECT name FROM provinces WHERE code = 99").fetchall() == [("Hoàng Sa",)]
    assert commune(con, 99003) == ("Hoàng Sa", "Đặc khu", "Hoàng Sa", NAME)


@pytest.mark.parametrize(
    ("rows", "expected"),
    [
        ([*shipped(), row(99, "", 99003, "Xã", "Mới")], r"line 3323: field 'province': province code 99 is new; write its name"),
        ([*shipped(), row(11, "Điện Biên", 3268, "Xã", "Mới")], r"line 3323: field 'commune_code': 3268 is listed twice"),
        (changed(shipped(), 3268, province="Dien Bien"), r"line 336: field 'province': 'Dien Bien' but code 11 is 'Điện Biên'"),
        ([row(11, "Tỉnh Điện Biên", 3268, "Xã", "Mường Mùn")], r"line 2: field 'province': write 'Tỉnh Điện Biên' without"),
        (changed(shipped(), 3268, commune="Xã Mường Mùn"), r"commune_code 3268: field 'commune': write 'Xã Mường Mùn' without"),
        (changed(shipped(), 3268, commune="Nà Hỳ"), r"line 336: field 'commune': Xã Nà Hỳ is listed twice in Điện Biên"),
        (
            changed(shipped(), 2221, commune="Hòa An"),
            r"2353: field 'commune': Xã Hoà An and 2221 Xã Hòa An are one name in Tuyên",
        ),
        (changed(shipped(), 3268, kind="Thị trấn"), r"field 'kind'/'commune': 'Thị trấn'"),
        (
            [*shipped(), row(99, "Dien Bien", 99003, "Xã", "Mới")],
            r"field 'province': codes 11 and 99 are one name: 'Điện Biên', 'Dien Bien'",
        ),
    ],
)
def test_a_list_that_breaks_the_rules_is_refused_naming_the_line_and_nothing_is_written(con, rows, expected):
    registry = store.registry(con)
    with pytest.raises(CatalogError, match=expected):
        update(con, rows)
    assert store.registry(con) == registry


def test_a_file_that_is_not_utf8_is_refused(con):
    with pytest.raises(CatalogError, match="not UTF-8"):
        store.update_registry(con, list_bytes(shipped()).decode("utf-8").encode("cp1258", errors="replace"), NAME, "x", "q")


def test_the_version_comes_from_the_file_name():
    assert store.version_from_name("communes-2027-01-15.csv") == "2027-01-15"
    assert store.version_from_name(str(Path("/tmp/2026-02-21") / "danh_muc.csv")) is None
