"""The hostile-file corpus: every file-borne attack of issue 10 gets exactly its outcome, in bounded memory.

Files and their outcomes live in tests/hostile/ (made by tests/hostile/make_hostile.py, committed; the
9 MB blank-lines file is made here). Each file is imported into a real DuckDB file by a child process
(tests/hostile/runner.py) under a 2 GB address-space limit: the child must exit 0 (no crash, no
traceback, no abort), a bad file must be refused with exactly its problems and leave the database
unchanged, a good file must store exactly its values. The CLI `python -m kpis import` is run on each
file under the same limit: exit 0 or 1, never a traceback.
"""

from __future__ import annotations

import json
import os
import resource
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from kpis import store

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
HOSTILE = ROOT / "tests" / "hostile"
EXPECTED: dict[str, dict[str, Any]] = json.loads((HOSTILE / "expected.json").read_text(encoding="utf-8"))
ADDRESS_SPACE = 2 * 1024**3
TIMEOUT = 300


def limited() -> None:
    """In the child, before it runs anything: at most 2 GB of address space (calamine's 549 GB ask fails)."""
    resource.setrlimit(resource.RLIMIT_AS, (ADDRESS_SPACE, ADDRESS_SPACE))


def run_limited(args: list[str]) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run(
        [sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=TIMEOUT, preexec_fn=limited
    )


@pytest.fixture(scope="module")
def empty_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("hostile_empty") / "kpis.duckdb"
    store.connect(path).close()
    return path


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The files too big to commit, made by the same script as the rest."""
    sys.path.insert(0, str(HOSTILE))
    try:
        from make_hostile import GENERATED  # type: ignore[import-not-found]
    finally:
        sys.path.remove(str(HOSTILE))
    folder = tmp_path_factory.mktemp("hostile_generated")
    for name, make in GENERATED.items():
        (folder / name).write_bytes(make())
    return folder


def file_for(name: str, generated: Path) -> Path:
    return generated / name if EXPECTED[name].get("generated") else HOSTILE / "files" / name


def copy_db(empty_db: Path, tmp_path: Path) -> Path:
    db = tmp_path / "db" / "kpis.duckdb"
    db.parent.mkdir()
    shutil.copy(empty_db, db)
    return db


def triple(p: dict[str, Any]) -> tuple:
    return (p["row"], p["column"], p["code"])


def test_every_attack_of_issue_10_is_in_the_corpus() -> None:
    names = set(EXPECTED)
    assert {"far_cell_xfd1048576.xlsx", "far_cell_xfd60000.xlsx", "blank_lines_9mb.csv", "long_file_name.csv"} <= names
    for label in ("esc", "bel", "soh", "bs", "vt"):
        assert {f"control_{label}.csv", f"control_{label}.xlsx"} <= names
    for label in ("zero_width_space", "zero_width_joiner", "right_to_left_override", "cyrillic_es"):
        assert f"look_alike_{label}.csv" in names
    assert {"mixed_utf8_one_cp1258_row.csv", "windows_1258.csv", "count_1e20.csv", "count_1e300.xlsx"} <= names
    assert {"formula_looking_units.csv", "markdown_unit_name.csv"} <= names
    committed = {p.name for p in (HOSTILE / "files").iterdir()}
    assert committed == {n for n, e in EXPECTED.items() if not e.get("generated")}
    assert all(e["why"] and e["outcome"] in ("refused", "accepted") for e in EXPECTED.values())


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_hostile_file_gets_exactly_its_outcome(name: str, empty_db: Path, generated: Path, tmp_path: Path) -> None:
    expected = EXPECTED[name]
    db = copy_db(empty_db, tmp_path)
    upload_name = expected.get("upload_name", name)
    done = run_limited(["-m", "tests.hostile.runner", str(db), str(file_for(name, generated)), upload_name])
    assert done.returncode == 0, (
        f"{name}: the child died ({done.returncode}); {expected.get('depends_on', '')}\n{done.stderr[-3000:]}"
    )
    assert "Traceback" not in done.stderr, done.stderr[-3000:]
    got = json.loads(done.stdout)
    if expected["outcome"] == "refused":
        assert got["status"] == "refused", f"{name} was {got['status']}"
        assert [triple(p) for p in got["problems"]] == [triple(p) for p in expected["problems"]]
        for have, want in zip(got["problems"], expected["problems"], strict=True):
            for key, value in want.get("params", {}).items():
                assert have["params"].get(key) == value, (name, key, have["params"])
        assert got["after"] == got["before"], "a refused file wrote something"
        assert len(got["messages_vi"]) == len(got["problems"])
        for message in got["messages_vi"]:
            assert "{" not in message and not any(c < " " for c in message), message  # a sentence, no raw control character
    else:
        assert got["status"] == "accepted", got["messages_en"]
        assert got["values"] == expected["values"]
        assert got["after"]["submissions"] == got["before"]["submissions"] + 1


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_cli_import_never_shows_a_traceback(name: str, empty_db: Path, generated: Path, tmp_path: Path) -> None:
    db = copy_db(empty_db, tmp_path)
    done = run_limited(["-m", "kpis", "import", str(file_for(name, generated)), "--db", str(db)])
    assert done.returncode == (0 if EXPECTED[name]["outcome"] == "accepted" else 1), (
        f"{name}: exit {done.returncode}; {EXPECTED[name].get('depends_on', '')}\n{done.stderr[-3000:]}"
    )
    assert "Traceback" not in done.stderr, done.stderr[-3000:]
    assert "\x1b" not in done.stdout, "an escape sequence reached the terminal"


def test_generator_reproduces_the_committed_files() -> None:
    done = subprocess.run([sys.executable, str(HOSTILE / "make_hostile.py"), "--check"], capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
