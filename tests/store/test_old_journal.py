"""A journal written by the code before journal events were typed records still reads, re-writes byte for byte,
and rebuilds to the same figures, accounts and task progress (tests/store/fixtures/README.md says how it was made).
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from kpis import store
from kpis.ops.rebuild import rebuild
from kpis.people import accounts
from kpis.store import journal
from tests.store.fixtures.make_journal_v3 import PASSWORD, expected

FIXTURE = Path(__file__).parent / "fixtures" / "journal_v3"
JOURNAL = FIXTURE / "kpis.duckdb.journal.jsonl"
KINDS = [
    "submission", "submission", "withdrawal", "communes", "submission", "account_created", "account_created",
    "account_created", "password_changed", "account_disabled", "account_disabled", "account_enabled", "task_file",
    "task_update", "task_update", "aborted", "demo", "withdrawal", "aborted",
]  # fmt: skip


@pytest.fixture
def old_db(tmp_path: Path) -> Path:
    """The fixture's journal and kept files beside a database that does not exist yet (lost: only the journal is left)."""
    shutil.copy(JOURNAL, tmp_path / JOURNAL.name)
    shutil.copytree(FIXTURE / "uploads", tmp_path / "uploads")
    return tmp_path / "kpis.duckdb"


def test_every_line_of_the_old_journal_reads_as_its_record_and_writes_back_byte_for_byte():
    lines = JOURNAL.read_text(encoding="utf-8").splitlines()
    whole = [line for line in lines if line.endswith("}")]  # the torn line (a crash mid-write) has no end
    assert len(whole) == len(lines) - 1
    for line in whole:
        event = journal.Event.from_json(line)
        assert not isinstance(event, journal.UnknownEvent), line
        assert event.to_json() == line
        assert journal.Event.from_json(event.to_json()) == event


def test_the_old_journal_scans_to_typed_records_in_order(old_db):
    events, warnings = store.scan_journal(old_db)
    assert [e.kind for e in events] == KINDS
    assert len(warnings) == 1 and "line 17" in warnings[0] and "unfinished" in warnings[0]
    created = [e for e in events if isinstance(e, journal.AccountCreated)]
    assert created[1].scopes == (("Điện Biên", "Mường Mùn"),) and created[2].scopes == (("Điện Biên", None),)
    update = next(e for e in events if isinstance(e, journal.TaskUpdate))
    assert (update.status_date.isoformat(), update.recorded_at.isoformat()) == ("2026-03-28", "2026-04-01T00:00:00")
    assert events[-1] == journal.Aborted(txn="1" * 32, found_by="rebuild")


def old_code_had() -> dict:
    """expected.json, but for the communes added by hand: them_xa.csv added Nà Hỳ, which the official list now has
    (code 3169), so its replay adds nothing and no commune but the official list's is registered."""
    return {**json.loads((FIXTURE / "expected.json").read_text(encoding="utf-8")), "communes": []}


def test_the_old_journal_rebuilds_to_what_the_old_code_had(old_db):
    report = rebuild(old_db)
    assert (report.submissions, report.withdrawals, report.communes_files) == (3, 1, 1)
    assert (report.task_events, report.account_events, report.skipped) == (2, 7, 2)
    assert expected(old_db) == old_code_had()
    con = store.connect(old_db)
    assert con.execute("SELECT province, name, source FROM communes WHERE code = 3169").fetchall() == [
        ("Điện Biên", "Nà Hỳ", "official")
    ]
    assert accounts.sign_in(con, "lan.mm", "mat-khau-moi-2026").scopes == (accounts.Scope("Điện Biên", "Mường Mùn", 11, 3268),)
    scopes = con.execute("SELECT username, province_code, commune_code FROM user_scopes ORDER BY 1").fetchall()
    assert scopes == [("lan.mm", 11, 3268), ("tinh.db", 11, None)]  # the old lines name places only: replay found the codes
    with pytest.raises(accounts.AccountError):
        accounts.sign_in(con, "tinh.db", PASSWORD)  # disabled in the journal
    con.close()
    again = rebuild(old_db)  # the rebuilt database now stands beside the same journal: identical
    assert again.compared and again.identical


def test_a_known_kind_missing_a_field_is_refused_with_its_line_number(old_db):
    lines = JOURNAL.read_text(encoding="utf-8").splitlines(keepends=True)
    broken = json.loads(lines[2])
    del broken["withdrawn_by"]
    lines[2] = json.dumps(broken, ensure_ascii=False) + "\n"
    store.journal_path(old_db).write_text("".join(lines), encoding="utf-8")
    with pytest.raises(store.JournalError, match=r"line 3 is a 'withdrawal' entry that cannot be read.*withdrawn_by"):
        store.scan_journal(old_db)


def test_a_line_of_an_unknown_kind_is_kept_as_it_was_and_replayed_as_nothing(old_db):
    with store.journal_path(old_db).open("a", encoding="utf-8") as f:
        f.write('{"event": "from_a_newer_version", "x": [1, 2]}\n')
    events, _ = store.scan_journal(old_db)
    assert events[-1] == journal.UnknownEvent(name="from_a_newer_version", data={"event": "from_a_newer_version", "x": [1, 2]})
    assert events[-1].to_json() == '{"event": "from_a_newer_version", "x": [1, 2]}'
    report = rebuild(old_db)
    assert report.submissions == 3 and expected(old_db) == old_code_had()
