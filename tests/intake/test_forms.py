"""The forms corpus: report forms as offices send them, each stored exactly or refused with exactly its problems.

Files and their expected results live in tests/forms/ (made by tests/forms/make_forms.py, committed; see that
script for how each file was made and where a problem is said to be). A good file, imported with the place and
period its expected.json "given" supplies (what --province/--commune/--year/--quarter would), must store exactly
its values and warn exactly its warnings; a bad file must be refused with all of its problems, in Vietnamese
messages that name the row, and write nothing at all.

The order of problems and of values within a row is not checked here (the tidy corpus checks the order of
problems; a wide form's row holds several values on one source line).
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
from kpis.intake.context import Given
from kpis.intake.importer import check_file, import_file
from kpis.intake.validate import Problem
from tests.hostile.runner import snapshot, stored_values

FORMS = Path(__file__).resolve().parents[1] / "forms"
BAD = sorted(p for p in (FORMS / "bad").iterdir() if not p.name.endswith(".json"))
GOOD = sorted(p for p in (FORMS / "good").iterdir() if not p.name.endswith(".json"))
KEYS = ("province", "commune", "unit", "year", "quarter", "indicator", "numerator", "denominator")


@pytest.fixture(scope="module")
def empty_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An empty database (catalog loaded) made once; each test works on its own copy."""
    path = tmp_path_factory.mktemp("empty") / "kpis.duckdb"
    store.connect(path).close()
    return path


@pytest.fixture
def con(empty_db: Path, tmp_path: Path):
    shutil.copy(empty_db, tmp_path / "kpis.duckdb")
    connection = duckdb.connect(str(tmp_path / "kpis.duckdb"))
    yield connection
    connection.close()


def expected_for(path: Path) -> dict[str, Any]:
    return json.loads(path.with_name(path.name.rsplit(".", 1)[0] + ".expected.json").read_text(encoding="utf-8"))


def given_for(expected: dict[str, Any]) -> Given:
    return Given(**expected.get("given", {}))


def triple(p: Problem | dict) -> tuple:
    return (p["row"], p["column"], p["code"]) if isinstance(p, dict) else (p.row, p.column, p.code)


def by_place(triples: list[tuple]) -> list[tuple]:
    return sorted(triples, key=lambda t: (-1 if t[0] is None else t[0], t[1] or "", t[2]))


def by_key(values: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return sorted(values, key=lambda v: json.dumps(v, ensure_ascii=False, sort_keys=True))


def test_forms_corpus_covers_each_container():
    """Several files per layout and container, every one saying why it is here."""
    assert 25 <= len(BAD) + len(GOOD) <= 45, (len(BAD), len(GOOD))
    for path in BAD + GOOD:
        assert expected_for(path)["why"], path.name
    suffixes = {p.suffix for p in GOOD}
    assert suffixes == {".xlsx", ".xls", ".ods", ".csv"}, suffixes
    kinds = {p.read_bytes()[:5] for p in GOOD if p.suffix == ".xls"}
    assert {b"<html", b"<?xml"} <= kinds, kinds  # web exports and SpreadsheetML beside real BIFF


@pytest.mark.parametrize("path", GOOD, ids=lambda p: p.name)
def test_good_form_stores_exactly_its_values(path: Path, con: duckdb.DuckDBPyConnection) -> None:
    expected = expected_for(path)
    result = import_file(con, path.read_bytes(), path.name, uploaded_by="test", given=given_for(expected))
    assert result.status == "accepted", result.messages("en")
    assert result.problems == []
    assert by_key(stored_values(con, result.submission_id)) == by_key(expected["values"])
    assert by_place([triple(w) for w in result.warnings]) == by_place([triple(w) for w in expected["warnings"]])
    for want in expected["warnings"]:
        got = next(w for w in result.warnings if triple(w) == triple(want))
        assert {k: got.params.get(k) for k in want.get("params", {})} == want.get("params", {})
    (units,) = con.execute("SELECT count(*) FROM units").fetchall()[0]
    assert units == len({(v["commune"], v["unit"]) for v in expected["values"]}), "a unit was stored twice, or a non-unit row"


@pytest.mark.parametrize("path", GOOD, ids=lambda p: p.name)
def test_good_form_checks_to_its_rows(path: Path, con: duckdb.DuckDBPyConnection) -> None:
    """check_file (the preview's reader) gives the same figures, each on a row of the file, and writes nothing."""
    expected = expected_for(path)
    before = snapshot(con)
    checked = check_file(con, path.read_bytes(), path.name, given=given_for(expected))
    assert checked.problems == [], [triple(p) for p in checked.problems]
    rows = [{k: (int(r[k]) if k in ("year", "quarter", "numerator", "denominator") else r[k]) for k in KEYS}
            for r in checked.rows.to_dict("records")]
    assert by_key(rows) == by_key(expected["values"])
    assert all(int(line) >= 1 for line in checked.rows["line"])
    assert snapshot(con) == before


@pytest.mark.parametrize("path", BAD, ids=lambda p: p.name)
def test_bad_form_is_refused_with_exactly_its_problems(path: Path, con: duckdb.DuckDBPyConnection) -> None:
    expected = expected_for(path)
    before = snapshot(con)
    result = import_file(con, path.read_bytes(), path.name, uploaded_by="test", given=given_for(expected))
    assert result.status == "refused", f"{path.name} was {result.status}"
    assert by_place([triple(p) for p in result.problems]) == by_place([triple(p) for p in expected["problems"]])
    for want in expected["problems"]:
        got = next(p for p in result.problems if triple(p) == triple(want))
        for key, value in want.get("params", {}).items():
            assert got.params.get(key) == value, (path.name, key, got.params)
        vi = problem_message(got.code, got.params, "vi")
        assert want.get("message_has", "") in vi, vi
    assert snapshot(con) == before, "a refused file wrote something"


@pytest.mark.parametrize("path", BAD, ids=lambda p: p.name)
def test_bad_form_messages_are_vietnamese_and_name_the_row(path: Path, con: duckdb.DuckDBPyConnection) -> None:
    result = import_file(con, path.read_bytes(), path.name, uploaded_by="test", given=given_for(expected_for(path)))
    assert not result.accepted
    messages = result.messages()
    assert len(messages) == len(result.problems) > 0
    english = result.messages("en")
    for p, message, en in zip(result.problems, messages, english, strict=True):
        assert message == format_problem(p.row, p.column, p.code, p.params, "vi")
        assert p.code not in message and "{" not in message, message  # a sentence, not a code or a template
        assert message != en
        if p.row is not None:
            assert message.startswith(f"Dòng {p.row}"), message
        if p.column is not None:
            assert f"«{p.column}»" in message, message
    assert "từ chối" in result.summary()


def test_a_conflict_names_both_the_title_and_the_option(con: duckdb.DuckDBPyConnection) -> None:
    """'Quý III năm 2025' in the title, --quarter 2: the message says both, so the person knows which to fix."""
    path = FORMS / "bad" / "title_quarter_conflicts_with_options.csv"
    result = import_file(con, path.read_bytes(), path.name, given=given_for(expected_for(path)))
    (message,) = result.messages()
    assert "III" in message or "3" in message, message
    assert "2" in message, message


def test_the_same_form_without_the_options_is_accepted(con: duckdb.DuckDBPyConnection) -> None:
    """The conflict file is a good file on its own: the refusal comes from the options alone."""
    path = FORMS / "bad" / "title_quarter_conflicts_with_options.csv"
    result = import_file(con, path.read_bytes(), path.name, given=Given())
    assert result.status == "accepted", result.messages("en")
    assert {(v["quarter"], v["year"]) for v in stored_values(con, result.submission_id)} == {(3, 2025)}


def test_options_that_agree_with_the_title_change_nothing(con: duckdb.DuckDBPyConnection) -> None:
    path = FORMS / "good" / "wide_mm_q3_formulas_protected.xlsx"
    given = Given(province="Điện Biên", commune="Mường Mùn", year=2025, quarter=3)
    result = import_file(con, path.read_bytes(), path.name, given=given)
    assert result.status == "accepted", result.messages("en")
    assert by_key(stored_values(con, result.submission_id)) == by_key(expected_for(path)["values"])


def test_generator_reproduces_the_committed_files():
    """The script beside the corpus says how each file was made: it must still make exactly these bytes."""
    done = subprocess.run([sys.executable, str(FORMS / "make_forms.py"), "--check"], capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
