"""The upload corpus: every bad file refused with exactly its problems, every awkward file stored exactly.

Files and their expected results live in tests/corpus/ (made by tests/corpus/make_corpus.py, committed;
see that script for how and why each file was made). A bad file must produce all of its problems
(row as the spreadsheet shows it, column as the header writes it, reason code), Vietnamese messages
that name the row, and write nothing at all. A good file must store exactly its values.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import duckdb
import pytest

from kpis import store
from kpis.core.i18n import format_problem, problem_message
from kpis.intake.importer import import_file
from kpis.intake.validate import Problem
from tests.hostile.runner import stored_values

CORPUS = Path(__file__).resolve().parents[1] / "corpus"
BAD = sorted(p for p in (CORPUS / "bad").iterdir() if not p.name.endswith(".json"))
GOOD = sorted(p for p in (CORPUS / "good").iterdir() if p.is_file() and not p.name.endswith(".json"))


@pytest.fixture(scope="module")
def empty_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An empty database (catalog loaded) made once; each test works on its own copy."""
    path = tmp_path_factory.mktemp("empty") / "kpis.duckdb"
    store.connect(path).close()
    return path


@pytest.fixture
def con(empty_db: Path, tmp_path: Path):
    """A private copy of the empty database: the conftest fixture's result, without loading the catalog each time."""
    shutil.copy(empty_db, tmp_path / "kpis.duckdb")
    connection = duckdb.connect(str(tmp_path / "kpis.duckdb"))
    yield connection
    connection.close()


def expected_for(path: Path) -> dict[str, Any]:
    return json.loads(path.with_name(path.name.rsplit(".", 1)[0] + ".expected.json").read_text(encoding="utf-8"))


def with_known_bug(paths: list[Path]) -> list:
    """A file whose expected.json names a known bug is a strict xfail: it fails the day the bug is fixed (update the json)."""
    out = []
    for p in paths:
        bug = expected_for(p).get("known_bug")
        marks = [pytest.mark.xfail(reason=f"known bug: {bug}", strict=True)] if bug else []
        out.append(pytest.param(p, id=p.name, marks=marks))
    return out


def snapshot(con: duckdb.DuckDBPyConnection) -> dict[str, Any]:
    """Everything an import could write: the history tables, the data version, kept files, the journal."""
    counts = {t: con.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in ("submissions", "submission_values", "units")}
    uploads = store.uploads_dir(con)
    kept = sorted(p.name for p in uploads.iterdir()) if uploads.exists() else []
    journal = store.journal_path(store.db_file(con))
    return {
        **counts,
        "data_version": store.data_version(con),
        "kept": kept,
        "journal": journal.read_text(encoding="utf-8") if journal.exists() else "",
    }


def triple(p: Problem | dict) -> tuple:
    return (p["row"], p["column"], p["code"]) if isinstance(p, dict) else (p.row, p.column, p.code)


def test_corpus_is_big_enough():
    assert len(BAD) >= 30 and len(GOOD) >= 10, (len(BAD), len(GOOD))
    for path in BAD + GOOD:
        assert expected_for(path)["why"], path.name


@pytest.mark.parametrize("path", with_known_bug(BAD))
def test_bad_file_is_refused_with_exactly_its_problems(path: Path, con: duckdb.DuckDBPyConnection) -> None:
    expected = expected_for(path)
    before = snapshot(con)
    result = import_file(con, path.read_bytes(), path.name)
    assert result.status == "refused", f"{path.name} was {result.status}"
    assert [triple(p) for p in result.problems] == [triple(p) for p in expected["problems"]]
    for got, want in zip(result.problems, expected["problems"], strict=True):
        for key, value in want.get("params", {}).items():
            assert got.params.get(key) == value, (path.name, key, got.params)
        vi = problem_message(got.code, got.params, "vi")
        assert want.get("message_has", "") in vi, vi
    assert snapshot(con) == before, "a refused file wrote something"


@pytest.mark.parametrize("path", BAD, ids=lambda p: p.name)
def test_bad_file_messages_are_vietnamese_and_name_the_row(path: Path, con: duckdb.DuckDBPyConnection) -> None:
    result = import_file(con, path.read_bytes(), path.name)
    if result.accepted:
        pytest.xfail(f"accepted: {expected_for(path)['known_bug']}")
    messages = result.messages()
    assert len(messages) == len(result.problems) > 0
    for p, message in zip(result.problems, messages, strict=True):
        assert message == format_problem(p.row, p.column, p.code, p.params, "vi")
        assert p.code not in message and "{" not in message, message  # a sentence, not a code or a template
        assert message != result.messages("en")[result.problems.index(p)]
        if p.row is not None:
            assert message.startswith(f"Dòng {p.row}"), message
        if p.column is not None:
            assert f"«{p.column}»" in message, message
    assert "từ chối" in result.summary()


@pytest.mark.parametrize("path", GOOD, ids=lambda p: p.name)
def test_good_file_stores_exactly_its_values(path: Path, con: duckdb.DuckDBPyConnection) -> None:
    expected = expected_for(path)
    for setup in expected["setup"]:
        first = import_file(con, (CORPUS / setup).read_bytes(), Path(setup).name)
        assert first.status == "accepted", first.messages("en")
    result = import_file(con, path.read_bytes(), path.name)
    assert result.status == "accepted", result.messages("en")
    assert result.problems == []
    assert stored_values(con, result.submission_id) == expected["values"]
    assert [triple(w) for w in result.warnings] == [triple(w) for w in expected["warnings"]]
    for got, want in zip(result.warnings, expected["warnings"], strict=True):
        assert {k: got.params.get(k) for k in want.get("params", {})} == want.get("params", {})
    units = con.execute("SELECT count(*) FROM units").fetchone()[0]
    assert units == len({(v["commune"], v["unit"]) for v in expected["values"]}), "a spelling made a second unit"


def test_generator_reproduces_the_committed_files():
    """The script beside the corpus says how each file was made: it must still make exactly these bytes."""
    done = subprocess.run([sys.executable, str(CORPUS / "make_corpus.py"), "--check"], capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr


def test_an_ambiguous_unit_name_is_not_silently_a_new_unit(con: duckdb.DuckDBPyConnection) -> None:
    """'Bản Na Sang' and 'Thôn Na Sang' registered (one file named both): 'Na Sang' could be either."""
    setup = (CORPUS / "good" / "setup" / "ban_na_sang_q2.csv").read_bytes()
    both = setup + "Điện Biên,Mường Mùn,Thôn Na Sang,2025,2,citizen_reach,100,200,\r\n".encode()
    assert import_file(con, both, "q2.csv").status == "accepted"
    assert con.execute("SELECT count(*) FROM units WHERE name LIKE '%Na Sang'").fetchall() == [(2,)]
    result = import_file(con, (CORPUS / "good" / "unit_without_ban_prefix.csv").read_bytes(), "q3.csv")
    assert result.status == "refused" and {p.column for p in result.problems} == {"Đơn vị"}
    assert {p.code for p in result.problems} == {"unit_ambiguous"}
    assert "Bản Na Sang, Thôn Na Sang" in result.messages()[0]
    assert con.execute("SELECT count(*) FROM units WHERE name LIKE '%Na Sang'").fetchall() == [(2,)]
