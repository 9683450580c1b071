"""Rebuild replays an import as it was read: the place and period the options or the page gave are journaled.

A tidy table without its Năm and Quý columns reads only with a period given (issue 13); if the journal
forgot the period, the replay would refuse the kept file and the rebuild would stop.
"""

from __future__ import annotations

import duckdb

from kpis import store
from kpis.intake.context import Given
from kpis.intake.importer import import_file
from kpis.ops.rebuild import rebuild
from kpis.store.journal import Event, Submission
from tests.corpus.make_corpus import csv_file, row

WITHOUT_PERIOD = ["Tỉnh", "Xã", "Đơn vị", "Chỉ tiêu", "Số đạt", "Tổng số", "Ghi chú"]


def without_period(*rows: list) -> bytes:
    """Tidy rows (make_corpus's) written without their year and quarter columns."""
    return csv_file([[r[0], r[1], r[2], *r[5:]] for r in rows], header=WITHOUT_PERIOD)


def values(con: duckdb.DuckDBPyConnection) -> list[tuple]:
    return con.execute(
        "SELECT u.name, cv.year, cv.quarter, cv.indicator, cv.numerator, cv.denominator"
        " FROM current_values cv JOIN units u ON u.id = cv.unit_id ORDER BY ALL"
    ).fetchall()


def submissions(db) -> list[Submission]:
    return [e for e in store.read_journal(db) if isinstance(e, Submission)]


def test_the_given_is_journaled_and_an_upload_given_nothing_writes_its_line_as_before(db_path):
    con = store.connect(db_path)
    full = csv_file([row(0), row(1)])
    told = Given("Điện Biên", "Mường Mùn", 2025, 3)
    assert import_file(con, full, "q3.csv", given=told).status == "accepted"
    assert import_file(con, csv_file([row(0, quarter=2)]), "q2.csv").status == "accepted"
    con.close()
    first, second = submissions(db_path)
    assert (first.province, first.commune, first.year, first.quarter) == ("Điện Biên", "Mường Mùn", 2025, 3)
    assert list(first.to_dict()) == [
        "event", "submission_id", "sha256", "kept", "file_name", "uploaded_by", "uploaded_at",
        "province", "commune", "year", "quarter", "txn",
    ]  # fmt: skip
    assert Event.from_json(first.to_json()) == first
    assert (second.province, second.commune, second.year, second.quarter) == (None, None, None, None)
    old = second.to_dict()
    assert not {"province", "commune", "year", "quarter"} & set(old), "a line given nothing has the keys it always had"
    assert Event.from_json(second.to_json()) == second


def test_an_old_submission_line_without_the_given_still_reads():
    line = (
        '{"event": "submission", "submission_id": 1, "sha256": "ab", "kept": "ab.csv", "file_name": "q3.csv",'
        ' "uploaded_by": "cli", "uploaded_at": "2025-10-05T08:00:00", "txn": "' + "0" * 32 + '"}'
    )
    event = Event.from_json(line)
    assert isinstance(event, Submission) and event.year is None and event.commune is None
    assert event.to_json() == line


def test_rebuild_replays_an_import_with_its_given_period_to_the_same_values(db_path):
    """Waits for the form reader: today a tidy table without Năm/Quý is refused whatever is given."""
    con = store.connect(db_path)
    data = without_period(row(0), row(1), row(3))
    result = import_file(con, data, "muong_mun_khong_ky.csv", given=Given(year=2025, quarter=3))
    assert result.status == "accepted", result.messages("en")
    before = values(con)
    assert [v[1:3] for v in before] == [(2025, 3)] * 3
    con.close()
    report = rebuild(db_path)
    assert report.identical and report.submissions == 1
    again = store.connect(db_path)
    assert values(again) == before
    again.close()


def test_rebuild_replays_an_import_with_a_given_place_and_period(db_path):
    """The given reaches the replay also for a file that says everything itself (it then agrees)."""
    con = store.connect(db_path)
    told = Given("Điện Biên", "Mường Mùn", 2025, 3)
    assert import_file(con, csv_file([row(0), row(2)]), "q3.csv", given=told).status == "accepted"
    before = values(con)
    con.close()
    report = rebuild(db_path)
    assert report.identical and report.submissions == 1
    again = store.connect(db_path)
    assert values(again) == before
    again.close()
