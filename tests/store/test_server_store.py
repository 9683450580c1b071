"""What the store on PostgreSQL adds to the file store: addresses, refusals that say what to do, no password shown."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

from kpis import store
from tests.conftest import Kpis
from tests.postgres_server import ROOT, Server


def test_a_database_the_server_lacks_is_refused_naming_it_without_its_password(postgres_server: Server) -> None:
    url = postgres_server.url("no_such_database").replace("://kpis@", "://kpis:do-not-show-me@")
    with pytest.raises(store.StoreError) as refused:
        store.connect(url)
    message = str(refused.value)
    assert "no_such_database" in message and "cannot open the database on the server" in message
    assert "do-not-show-me" not in message and "kpis:***@" in message
    assert refused.value.__cause__ is None  # DuckDB's own error (which names the password) is not chained on


def test_rebuild_builds_a_file_and_refuses_a_server_address(kpis: Kpis) -> None:
    ran = kpis("rebuild", "--db", "postgresql://kpis@/nq57?host=/nowhere")
    assert ran.returncode == 2
    assert "builds a DuckDB file and does not write to PostgreSQL" in ran.stderr and "docs/deploy.md" in ran.stderr


def test_the_address_a_connection_is_known_by(con) -> None:
    address = store.db_address(con)
    again = store.connect(address)  # what --db or KPIS_DB would say opens the same database
    try:
        count = "SELECT count(*) FROM communes"
        assert again.execute(count).fetchone() == con.execute(count).fetchone()
        assert store.is_server(address) == store.on_server(con)
    finally:
        again.close()


def test_what_a_database_holds_and_takes(con, tmp_path) -> None:
    """bench refuses a database that holds anything; stored_bytes is the file's size or the server's figure."""
    assert store.holds_data(store.resolve_db(store.db_address(con)))
    if store.on_server(con):
        assert store.stored_bytes(con) > 1_000_000  # the registry's 3,321 communes and PostgreSQL's own catalogs
    else:
        assert store.stored_bytes(con) == store.db_file(con).stat().st_size > 0  # (the rest in its write-ahead log)
    assert not store.holds_data(tmp_path / "not-yet.duckdb")


def test_a_new_server_database_holds_nothing(postgres_server: Server) -> None:
    name = "kpis_empty_for_holds_data"
    with postgres_server.admin() as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        assert not store.holds_data(postgres_server.url(name))  # PostgreSQL's own catalogs are not ours
    finally:
        postgres_server.drop(postgres_server.url(name))


def test_a_server_database_has_the_indexes_its_refresh_reads_by(con) -> None:
    """On PostgreSQL each import's refresh finds its rows by index (a national file: 0.55 s with them, 2.0 s
    without, measured 2026-12-04); a DuckDB file has none (it skips row groups by their min/max)."""
    if store.on_server(con):
        sql = "SELECT indexname FROM pg_indexes WHERE schemaname = ''public'' AND indexname LIKE ''%_values_%'' ORDER BY 1"
        names = [r[0] for r in con.execute(f"SELECT * FROM postgres_query('store', '{sql}')").fetchall()]
    else:
        names = [r[0] for r in con.execute("SELECT index_name FROM duckdb_indexes() ORDER BY 1").fetchall()]
    expected = ["commune_quarter_values_key", "commune_year_values_key", "submission_values_submission",
                "submission_values_unit_year", "unit_year_values_key"]  # fmt: skip
    assert names == (expected if store.on_server(con) else [])


def test_the_demo_on_postgresql_has_the_figures_of_the_demo_file_and_never_replaces_a_database(
    postgres_server: Server, kpis: Kpis, demo_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KPIS_FILES", str(tmp_path / "files"))
    name = f"kpis_demo_{uuid.uuid4().hex[:8]}"
    with postgres_server.admin() as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    url = postgres_server.url(name)
    with_password = url.replace("://kpis@", "://kpis:not-to-be-shown@")  # the test cluster trusts local sockets
    try:
        built = kpis("demo", "--db", with_password)
        assert built.returncode == 0, built.stderr
        assert "demo database built from" in built.stdout and "kpis:***@" in built.stdout
        assert "not-to-be-shown" not in built.stdout + built.stderr
        for command in (["progress", "--format", "json"], ["compliance", "--format", "json"]):
            on_server = json.loads(kpis(*command, "--db", url).stdout)
            on_file = json.loads(kpis(*command, "--db", str(demo_db)).stdout)
            assert on_server == on_file and on_file, command  # the same figures, and some
        assert store.is_demo(store.connect(url))  # its own demo day decides compliance, as on the file
        count = "SELECT count(*) FROM submissions"
        before = store.connect(url).execute(count).fetchone()
        again = kpis("demo", "--db", url)
        assert again.returncode == 1 and "already holds a database" in again.stderr and "Traceback" not in again.stderr
        replace = kpis("demo", "--db", url, "--replace-real-database")
        assert replace.returncode == 2 and "never replaces a database on PostgreSQL" in replace.stderr
        assert store.connect(url).execute(count).fetchone() == before
    finally:
        postgres_server.drop(url)


# One process of the race below, a fresh interpreter (multiprocessing's spawn would re-run whatever the
# worker's __main__ is, and AppTest leaves dashboard.py there): open the store, say so, wait for "go", import.
_RACER = """
import sys, time
from pathlib import Path
from kpis import store
from kpis.intake.importer import import_file
url, data, gate, me = sys.argv[1], Path(sys.argv[2]).read_bytes(), Path(sys.argv[3]), sys.argv[4]
con = store.connect(url)
(gate / f"ready-{me}").touch()
while not (gate / "go").exists():
    time.sleep(0.005)
print(import_file(con, data, "same_file.csv", "race").status)
"""


def test_the_same_file_sent_by_four_processes_at_once_lands_once(postgres_server: Server, tmp_path: Path) -> None:
    """Four processes on one server database (as four dashboard processes would be), the same bytes at the
    same moment: one submission and three duplicates, each kept file whole."""
    from tests.corpus.make_corpus import csv_file, row

    files, gate = tmp_path / "files", tmp_path / "gate"
    gate.mkdir()
    url = postgres_server.fresh_database(files)
    data = csv_file([row(i, quarter=2) for i in range(4)])
    (tmp_path / "same_file.csv").write_bytes(data)
    env = {**os.environ, "KPIS_FILES": str(files)}
    racers = [
        subprocess.Popen(
            [sys.executable, "-c", _RACER, url, str(tmp_path / "same_file.csv"), str(gate), str(i)],
            cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )  # fmt: skip
        for i in range(4)
    ]
    try:
        deadline = time.monotonic() + 120
        while len(list(gate.glob("ready-*"))) < 4 and time.monotonic() < deadline and all(r.poll() is None for r in racers):
            time.sleep(0.01)
        (gate / "go").touch()
        outcomes = [r.communicate(timeout=120) for r in racers]
        assert all(r.returncode == 0 for r in racers), [err[-2000:] for _, err in outcomes]
        assert sorted(out.strip() for out, _ in outcomes) == ["accepted", "duplicate", "duplicate", "duplicate"]
        con = store.connect(url)
        try:
            assert con.execute("SELECT count(*) FROM submissions").fetchone() == (1,)
        finally:
            con.close()
        kept = list((files / "uploads").iterdir())
        assert [p.read_bytes() for p in kept] == [data]  # one kept file, no temporary one left
    finally:
        for r in racers:
            if r.poll() is None:
                r.kill()
        postgres_server.drop(url)
