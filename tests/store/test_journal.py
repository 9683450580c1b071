"""Nothing an operator runs loses data: the write-ahead journal, rebuild's guards, the demo's guard, and
two officers committing at the same moment. Real DuckDB files, real journals, real child processes.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from kpis import store
from kpis.figures.progress import progress
from kpis.followup import recording
from kpis.intake.importer import import_file
from kpis.ops.rebuild import RebuildError, RebuildRefused, rebuild
from kpis.people import accounts
from kpis.store import audit
from kpis.store.journal import Aborted, AccountCreated, PasswordChanged, Submission, UnknownEvent
from tests.corpus.make_corpus import csv_file, row
from tests.store.registry_lists import list_bytes, shipped
from tests.store.registry_lists import row as list_row

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "mat-khau-that-dai-57"
A = csv_file([row(0, quarter=1, numerator=300), row(1, quarter=1, numerator=200)])
B = csv_file([row(0, quarter=2, numerator=410), row(3, quarter=2, numerator=40)])


def figures(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    return pd.concat([progress(con, "commune"), progress(con, "province")], ignore_index=True)


def shown(con: duckdb.DuckDBPyConnection, quarter: int) -> tuple[int, int] | None:
    return con.execute(
        "SELECT cv.numerator, cv.denominator FROM current_values cv JOIN units u ON u.id = cv.unit_id"
        " WHERE u.name = 'Bản Na Sang' AND cv.year = 2025 AND cv.quarter = ? AND cv.indicator = 'citizen_reach'",
        [quarter],
    ).fetchone()


def accepted(con: duckdb.DuckDBPyConnection, data: bytes, name: str) -> int:
    result = import_file(con, data, name, uploaded_by="Lò Văn Minh")
    assert result.status == "accepted", result.messages("en")
    return int(result.submission_id)


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, *args], capture_output=True, text=True, cwd=ROOT, timeout=600)


# --- write-ahead: a crash on either side of COMMIT ---------------------------------------------------

# The child imports B and is killed (SIGKILL, by itself) at a chosen moment: right after the journal
# line is fsynced (before COMMIT), or right after import_file returned (after COMMIT, before any close
# or checkpoint). The kill happens in os.fsync of the journal file, the operating system's boundary.
CHILD = """
import os, signal, sys
from pathlib import Path
from kpis import store
from kpis.intake.importer import import_file
db, data_path, when = Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3]
con = store.connect(db)
real_fsync = os.fsync
def fsync(fd):
    real_fsync(fd)
    if when == "before_commit" and os.readlink(f"/proc/self/fd/{fd}").endswith(".journal.jsonl"):
        os.kill(os.getpid(), signal.SIGKILL)
os.fsync = fsync
result = import_file(con, data_path.read_bytes(), "muong_mun_q2.csv", uploaded_by="Quàng Thị Hoa")
assert result.status == "accepted", result.messages("en")
os.kill(os.getpid(), signal.SIGKILL)
"""


def crash_while_importing_b(tmp_path: Path, db: Path, when: str) -> None:
    (tmp_path / "b.csv").write_bytes(B)
    done = run("-c", CHILD, str(db), str(tmp_path / "b.csv"), when)
    assert done.returncode == -9, done.stderr


def test_a_crash_after_commit_keeps_the_upload_through_rebuild(tmp_path, db_path):
    con = store.connect(db_path)
    accepted(con, A, "muong_mun_q1.csv")
    con.close()
    crash_while_importing_b(tmp_path, db_path, "after_commit")
    con = store.connect(db_path)  # DuckDB replays its own log: the upload was committed
    assert shown(con, 2) == (410, 500)
    expected = figures(con)
    con.close()
    report = rebuild(db_path)
    assert (report.submissions, report.skipped, report.identical) == (2, 0, True)
    again = store.connect(db_path)
    pd.testing.assert_frame_equal(figures(again), expected)
    assert shown(again, 2) == (410, 500)
    again.close()


def test_a_crash_before_commit_is_skipped_while_the_database_stands_and_replayed_when_it_is_lost(tmp_path, db_path):
    con = store.connect(db_path)
    accepted(con, A, "muong_mun_q1.csv")
    con.close()
    crash_while_importing_b(tmp_path, db_path, "before_commit")
    intents = [e for e in store.read_journal(db_path) if isinstance(e, Submission)]
    assert [e.file_name for e in intents] == ["muong_mun_q1.csv", "muong_mun_q2.csv"]  # written ahead
    con = store.connect(db_path)
    assert shown(con, 2) is None  # ... but never committed: the uploader was never told "accepted"
    before = figures(con)
    con.close()
    report = rebuild(db_path)  # the database stands: it says which intents committed
    assert (report.submissions, report.skipped, report.identical) == (1, 1, True)
    assert store.read_journal(db_path)[-1] == Aborted(txn=intents[1].txn, found_by="rebuild")
    again = store.connect(db_path)
    pd.testing.assert_frame_equal(figures(again), before)
    again.close()

    # the same crash, then the database is lost: only the journal can say, and it replays the intent
    con = store.connect(db_path)
    accepted(con, A.replace(b"300", b"301"), "muong_mun_q1_sua.csv")
    con.close()
    crash_while_importing_b(tmp_path, db_path, "before_commit")
    for p in (db_path, Path(str(db_path) + ".wal")):
        p.unlink(missing_ok=True)
    report = rebuild(db_path)
    assert report.backup is None and not report.compared
    lost = store.connect(db_path)
    assert shown(lost, 1) == (301, 500)
    assert shown(lost, 2) == (410, 500)  # harmless: the same bytes re-sent would be a duplicate
    assert import_file(lost, B, "muong_mun_q2 (1).csv").status == "duplicate"
    lost.close()


def test_an_unfinished_last_line_is_skipped_with_a_warning_and_the_next_line_stays_whole(db_path):
    con = store.connect(db_path)
    accepted(con, A, "muong_mun_q1.csv")
    journal = store.journal_path(db_path)
    with journal.open("ab") as f:
        f.write(b'{"event": "submission", "sha256": "ab')  # a crash while writing: its commit never ran
    events, warnings = store.scan_journal(db_path)
    assert len(events) == 1 and "line 2" in warnings[0] and "unfinished" in warnings[0]
    accepted(con, B, "muong_mun_q2.csv")  # the next line is not glued to the torn one
    con.close()
    lines = journal.read_text(encoding="utf-8").splitlines()
    assert lines[1].startswith('{"event": "submission", "sha256": "ab') and lines[2] == '{"event": "torn_previous_line"}'
    report = rebuild(db_path)
    assert report.submissions == 2 and report.identical
    assert any("line 2" in w for w in report.warnings)


def test_a_garbage_line_in_the_middle_refuses_the_rebuild_naming_the_line(kpis, db_path):
    con = store.connect(db_path)
    accepted(con, A, "muong_mun_q1.csv")
    journal = store.journal_path(db_path)
    with journal.open("a", encoding="utf-8") as f:
        f.write("this is not json\n")
    accepted(con, B, "muong_mun_q2.csv")
    con.close()
    before = db_path.read_bytes()
    with pytest.raises(RebuildError, match=r"line 2 is not a journal entry.*Restore the journal"):
        rebuild(db_path)
    assert db_path.read_bytes() == before
    done = kpis("rebuild", "--db", str(db_path))
    assert done.returncode == 1 and "line 2" in done.stderr and "Traceback" not in done.stderr, done.stderr


# --- a journal that cannot be written refuses the write, nothing committed ---------------------------


def test_a_full_disk_refuses_every_journaled_write_and_commits_nothing(kpis, db_path):
    con = store.connect(db_path)
    sid = accepted(con, A, "muong_mun_q1.csv")
    accounts.create(con, "lan.mm", PASSWORD, "admin", "test")
    journal = store.journal_path(db_path)
    journal.rename(db_path.with_name("journal.saved"))
    journal.symlink_to("/dev/full")  # every write to it fails with ENOSPC, as on a full disk
    version, subs, audits = store.data_version(con), len(store.submissions(con)), len(audit.events(con))

    result = import_file(con, B, "muong_mun_q2.csv", uploaded_by="Quàng Thị Hoa")
    assert result.status == "refused"
    assert result.problems[0].code == "store_journal_unwritable"
    assert "No space left" in result.messages("en")[0] and "không được thực hiện" in result.messages("vi")[0]
    sha_b = hashlib.sha256(B).hexdigest()  # its kept bytes may stay (uploads/ is shared), but nothing names them
    assert not con.execute("SELECT 1 FROM submissions WHERE sha256 = ?", [sha_b]).fetchone()
    with pytest.raises(store.JournalError, match="nothing was saved"):
        store.withdraw(con, sid, "x", "sai")
    with pytest.raises(accounts.AccountError) as e:
        accounts.create(con, "hoa.mm", PASSWORD, "viewer", "test")
    assert e.value.code == "store_journal_unwritable"
    with pytest.raises(accounts.AccountError):
        accounts.set_password(con, "lan.mm", PASSWORD + "x", "test")
    newer = list_bytes([*shipped(), list_row(11, "Điện Biên", 99001, "Xã", "Sín Thầu Mới")])
    with pytest.raises(store.JournalError):
        store.update_registry(con, newer, "communes-2027-01-15.csv", "2027-01-15", "test")
    update = recording.record_update(
        con, "LC-16", "done", dt.date(2026, 3, 28), recorded_by="x", recorded_at=dt.datetime(2026, 4, 1)
    )
    assert update.status == "refused" and update.problems[0].code == "store_journal_unwritable"

    assert store.data_version(con) == version and len(store.submissions(con)) == subs
    assert shown(con, 2) is None and con.execute("SELECT count(*) FROM withdrawals").fetchone()[0] == 0
    assert con.execute("SELECT username FROM users").fetchall() == [("lan.mm",)]
    accounts.sign_in(con, "lan.mm", PASSWORD)  # the password did not change
    assert not con.execute("SELECT 1 FROM communes WHERE name = 'Sín Thầu Mới'").fetchall()
    assert con.execute("SELECT value FROM meta WHERE key = 'registry_version'").fetchone() == ("2026-02-21",)
    assert con.execute("SELECT count(*) FROM task_updates").fetchone()[0] == 0
    assert set(audit.events(con)["action"].head(len(audit.events(con)) - audits)) <= {"upload_refused", "sign_in"}
    con.close()


# --- rebuild keeps accounts and the audit trail ------------------------------------------------------


def test_rebuild_keeps_accounts_and_the_audit_trail(db_path):
    con = store.connect(db_path)
    accepted(con, A, "muong_mun_q1.csv")
    accounts.create(con, "lan.mm", PASSWORD, "commune", "quantri", province="Điện Biên", communes=["Mường Mùn"])
    accounts.create(con, "tinh.db", PASSWORD, "province", "quantri", province="Điện Biên")
    accounts.set_password(con, "lan.mm", "mat-khau-moi-2026", "quantri")
    accounts.set_disabled(con, "tinh.db", True, "quantri")
    accounts.sign_in(con, "lan.mm", "mat-khau-moi-2026")
    trail = con.execute("SELECT * FROM audit ORDER BY id").fetchall()
    con.close()
    text = store.journal_path(db_path).read_text(encoding="utf-8")
    assert PASSWORD not in text and "mat-khau-moi-2026" not in text and "$argon2id$" in text

    report = rebuild(db_path)
    assert report.identical and report.account_events == 4 and report.audit_rows == len(trail)
    again = store.connect(db_path)
    account = accounts.sign_in(again, "lan.mm", "mat-khau-moi-2026")
    assert account.scopes == (accounts.Scope("Điện Biên", "Mường Mùn", 11, 3268),)
    with pytest.raises(accounts.AccountError):
        accounts.sign_in(again, "tinh.db", PASSWORD)  # still disabled
    got = again.execute("SELECT * FROM audit ORDER BY id").fetchall()
    assert got[: len(trail)] == trail and got[len(trail)][0] == trail[-1][0] + 1  # ids kept; the next one follows on
    again.close()


def test_accounts_made_before_journaling_are_journaled_once_on_upgrade(db_path):
    con = store.connect(db_path)
    accounts.create(con, "lan.mm", PASSWORD, "admin", "test")
    con.close()
    journal = store.journal_path(db_path)
    journal.unlink()  # as a database of schema 2 had it: accounts only in the database
    old = duckdb.connect(str(db_path))
    old.execute("UPDATE meta SET value = '2' WHERE key = 'schema_version'")
    old.execute("DELETE FROM migrations")  # migrations were not recorded then
    old.close()
    store.connect(db_path).close()
    store.connect(db_path).close()
    created = [e for e in store.read_journal(db_path) if isinstance(e, AccountCreated)]
    assert [(e.username, e.actor) for e in created] == [("lan.mm", "migration")]
    rebuild(db_path)
    again = store.connect(db_path)
    assert accounts.sign_in(again, "lan.mm", PASSWORD).is_admin
    again.close()


# --- rebuild never replaces what it cannot vouch for -------------------------------------------------


def test_rebuild_refuses_when_figures_differ_and_leaves_the_original(kpis, db_path):
    con = store.connect(db_path)
    accepted(con, A, "muong_mun_q1.csv")
    con.execute("UPDATE submission_values SET numerator = 299 WHERE numerator = 300")  # a change made behind our back
    con.execute("UPDATE unit_year_values SET numerator = 299 WHERE numerator = 300")
    con.execute("UPDATE commune_year_values SET numerator = numerator - 1 WHERE numerator = 500")
    con.close()
    before = db_path.read_bytes()
    differs = r"differs.*only in the current database.*numerator=499.*only in the rebuilt one.*numerator=500"
    with pytest.raises(RebuildRefused, match=differs) as e:
        rebuild(db_path)
    assert e.value.kept == db_path.with_name("kpis.rebuild.duckdb") and e.value.kept.exists()
    assert db_path.read_bytes() == before
    assert not list(db_path.parent.glob("*.bak-*"))
    done = kpis("rebuild", "--db", str(db_path))
    assert done.returncode == 1 and "kpis.rebuild.duckdb" in done.stderr and "Traceback" not in done.stderr
    assert db_path.read_bytes() == before


def test_rebuild_refuses_a_damaged_database_unless_told_and_then_keeps_it(db_path):
    con = store.connect(db_path)
    accepted(con, A, "muong_mun_q1.csv")
    con.close()
    db_path.write_bytes(b"not a database" * 100)
    with pytest.raises(RebuildRefused, match="could not be read.*--replace-unverified"):
        rebuild(db_path)
    assert db_path.read_bytes() == b"not a database" * 100
    report = rebuild(db_path, replace_unverified=True)
    assert report.backup is not None and report.backup.read_bytes() == b"not a database" * 100
    again = store.connect(db_path)
    assert shown(again, 1) == (300, 500)
    again.close()


HOLDER = """
import sys, time, duckdb
con = duckdb.connect(sys.argv[1])
print("holding", flush=True)
time.sleep(120)
"""


def test_rebuild_refuses_while_another_process_holds_the_database(db_path):
    con = store.connect(db_path)
    accepted(con, A, "muong_mun_q1.csv")
    con.close()
    before = db_path.read_bytes()
    # the commands run as processes too: what a person sees when the dashboard holds the file
    holder = subprocess.Popen([sys.executable, "-c", HOLDER, str(db_path)], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "holding"
        with pytest.raises(RebuildError, match="the dashboard or another command has this database open; stop it first"):
            rebuild(db_path)
        done = run("-m", "kpis", "rebuild", "--db", str(db_path))
        assert done.returncode == 1 and "stop it first" in done.stderr and "Traceback" not in done.stderr
        imp = run("-m", "kpis", "import", "--db", str(db_path), str(ROOT / "tests" / "corpus" / "clean_utf8.csv"))
        assert imp.returncode == 2 and "stop it first" in imp.stderr, imp.stderr
    finally:
        holder.kill()
        holder.wait()
    assert db_path.read_bytes() == before
    assert not db_path.with_name("kpis.rebuild.duckdb").exists()


# --- demo never replaces a real database ------------------------------------------------------------


def test_demo_refuses_a_real_database_and_with_the_flag_keeps_a_backup(kpis, db_path):
    con = store.connect(db_path)
    accepted(con, A, "muong_mun_q1.csv")
    con.close()
    db_bytes, journal_bytes = db_path.read_bytes(), store.journal_path(db_path).read_bytes()
    done = kpis("demo", "--db", str(db_path))
    assert done.returncode == 1 and "--replace-real-database" in done.stderr and "Traceback" not in done.stderr
    assert db_path.read_bytes() == db_bytes and store.journal_path(db_path).read_bytes() == journal_bytes
    assert "demo-quantri-57" not in done.stdout

    done = kpis("demo", "--db", str(db_path), "--replace-real-database")
    assert done.returncode == 0, done.stderr
    kept = sorted(db_path.parent.glob("kpis.duckdb*.bak-*"))
    assert [p.read_bytes() for p in kept] == [journal_bytes, db_bytes] or [p.read_bytes() for p in kept] == [
        db_bytes,
        journal_bytes,
    ]
    demo = store.connect(db_path)
    assert store.is_demo(demo)
    demo.close()

    again = kpis("demo", "--db", str(db_path))  # a demo database is replaced without a flag
    assert again.returncode == 0, again.stderr
    assert sorted(db_path.parent.glob("kpis.duckdb*.bak-*")) == kept


# --- two officers committing at the same moment -------------------------------------------------------

COMMUNES = [
    ("Điện Biên", "Mường Mùn"),
    ("Điện Biên", "Mường Ảng"),
    ("Điện Biên", "Tuần Giáo"),
    ("Điện Biên", "Mường Chà"),
    ("Điện Biên", "Tủa Chùa"),
    ("Tuyên Quang", "Hoà An"),
    ("Tuyên Quang", "Chiêm Hoá"),
    ("Tuyên Quang", "Nà Hang"),
]


def test_eight_uploads_at_once_on_one_connection_all_land(db_path):
    con = store.connect(db_path)
    files = [csv_file([row(0, province=p, commune=c, quarter=1), row(3, province=p, commune=c, quarter=1)]) for p, c in COMMUNES]
    version = store.data_version(con)
    results: list = [None] * len(files)
    errors: list[BaseException] = []
    start = threading.Barrier(len(files))

    def upload(i: int) -> None:
        cur = store.cursor(con)  # one cursor per thread on the process's connection, as kpis/web/ui.py does
        try:
            start.wait()
            results[i] = import_file(cur, files[i], f"xa_{i}.csv", uploaded_by=f"officer{i}")
        except BaseException as e:  # noqa: BLE001 - the test reports any exception
            errors.append(e)
        finally:
            cur.close()

    threads = [threading.Thread(target=upload, args=(i,)) for i in range(len(files))]
    for th in threads:
        th.start()
    for th in threads:
        th.join(timeout=120)
    assert not errors, errors
    assert [r.status for r in results] == ["accepted"] * 8
    assert store.data_version(con) == version + 8
    assert len(audit.events(con, action="upload_accepted")) == 8
    assert len(store.submissions(con)) == 8
    assert len([e for e in store.read_journal(db_path) if e.kind == "submission"]) == 8
    con.close()
    assert rebuild(db_path).identical


def test_the_same_file_twice_at_once_is_one_submission_and_one_duplicate(db_path):
    con = store.connect(db_path)
    results: list = [None, None]
    start = threading.Barrier(2)

    def upload(i: int) -> None:
        cur = store.cursor(con)
        start.wait()
        results[i] = import_file(cur, A, "muong_mun_q1.csv", uploaded_by=f"officer{i}")
        cur.close()

    threads = [threading.Thread(target=upload, args=(i,)) for i in range(2)]
    for th in threads:
        th.start()
    for th in threads:
        th.join(timeout=60)
    assert sorted(r.status for r in results) == ["accepted", "duplicate"]
    assert len(store.submissions(con)) == 1
    con.close()


def test_fsync_cost_per_journal_line_is_small(db_path):
    """The price of write-ahead: one fsync per acknowledged write (measured here, see docs/deploy.md)."""
    con = store.connect(db_path)
    started = time.perf_counter()
    for i in range(50):
        with store.journaled(con, UnknownEvent(name="probe", data={"event": "probe", "i": i})):
            pass
    per_write = (time.perf_counter() - started) / 50
    con.close()
    assert per_write < 0.25, per_write
    assert os.path.getsize(store.journal_path(db_path)) < 50 * 200


def test_a_refused_write_in_one_database_keeps_the_files_another_database_of_the_folder_needs(tmp_path):
    """uploads/ is shared by the databases of a folder (a rebuild builds beside the real one)."""
    first = store.connect(tmp_path / "a.duckdb")
    accepted(first, A, "muong_mun_q1.csv")
    first.close()
    second = store.connect(tmp_path / "b.duckdb")
    journal = store.journal_path(tmp_path / "b.duckdb")
    journal.unlink(missing_ok=True)
    journal.symlink_to("/dev/full")
    assert import_file(second, A, "muong_mun_q1.csv", uploaded_by="x").status == "refused"
    second.close()
    report = rebuild(tmp_path / "a.duckdb")
    assert report.submissions == 1 and report.identical


def test_an_account_lines_new_fields_are_written_only_when_set_and_read_back():
    """email and must_change (bulk import, issue 15) are left out when None/False, as scope_codes is: an older line stays
    byte for byte what it was; a password reset's must_change likewise."""
    at = dt.datetime(2026, 11, 20, 9, 0)
    plain = AccountCreated(
        username="a.b", full_name="A", role="commune", password_hash="$argon2id$x", created_at=at, demo=False,
        scopes=(("Cao Bằng", "Thục Phán"),), actor="test", scope_codes=((4, 1273),), txn="t1",
    )  # fmt: skip
    assert "email" not in plain.to_dict() and "must_change" not in plain.to_dict()
    assert list(plain.to_dict())[-1] == "txn"
    marked = AccountCreated(**{**plain.__dict__, "email": "a.b@caobang.gov.vn", "must_change": True})
    line = marked.to_json()
    assert '"email": "a.b@caobang.gov.vn", "must_change": true, "txn": "t1"' in line
    assert AccountCreated.from_json(line) == marked and AccountCreated.from_json(plain.to_json()) == plain
    reset = PasswordChanged(username="a.b", password_hash="$argon2id$y", at=at, actor="quantri", must_change=True)
    own = PasswordChanged(username="a.b", password_hash="$argon2id$z", at=at, actor="a.b")
    assert reset.to_dict()["must_change"] is True and "must_change" not in own.to_dict()
    assert PasswordChanged.from_json(reset.to_json()) == reset and PasswordChanged.from_json(own.to_json()) == own
