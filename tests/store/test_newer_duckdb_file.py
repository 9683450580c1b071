"""A database file written by DuckDB 2.0 (the release before the PostgreSQL store pinned 1.5.5) is refused
with a message that says what happened and how to move it over, and the file is left exactly as it was.

tests/store/fixtures/written_by_duckdb_2_0_0.duckdb.gz was written by duckdb 2.0.0 (one table, meta).
"""

from __future__ import annotations

import gzip
import hashlib
from pathlib import Path

import pytest

from kpis import store
from tests.conftest import Kpis

FIXTURE = Path(__file__).parent / "fixtures" / "written_by_duckdb_2_0_0.duckdb.gz"


@pytest.fixture
def newer_file(tmp_path: Path) -> Path:
    db = tmp_path / "kpis.duckdb"
    db.write_bytes(gzip.decompress(FIXTURE.read_bytes()))
    return db


def test_connect_refuses_it_with_the_way_over_and_leaves_it_as_it_was(newer_file: Path) -> None:
    before = hashlib.sha256(newer_file.read_bytes()).hexdigest()
    with pytest.raises(store.StoreError) as refused:
        store.connect(newer_file)
    message = str(refused.value)
    assert str(newer_file) in message
    assert "newer DuckDB (2.0)" in message and "EXPORT DATABASE" in message and "docs/deploy.md" in message
    assert hashlib.sha256(newer_file.read_bytes()).hexdigest() == before
    assert not Path(str(newer_file) + ".wal").exists()


def test_the_command_line_says_so_and_exits_2(newer_file: Path, kpis: Kpis) -> None:
    ran = kpis("progress", "--db", str(newer_file), "--format", "csv")
    assert ran.returncode == 2
    assert "newer DuckDB (2.0)" in ran.stderr and "Traceback" not in ran.stderr
