"""The measurements behind docs/deploy.md section 4 (2026-12-03): DuckDB attaching PostgreSQL vs psycopg 3.

Not part of the product and not imported by it. It needs its own virtual environment, because the
postgres extension installs offline only for DuckDB 1.5.5 while the product pins DuckDB 2.0.0:

    python3 -m venv /tmp/so && /tmp/so/bin/pip install duckdb==1.5.5 \
        duckdb-extension-postgres-scanner==1.5.5 psycopg-binary psycopg pandas numpy
    # a throw-away PostgreSQL 15 cluster (as root: prefix initdb and pg_ctl with `runuser -u postgres --`)
    mkdir -m 777 /tmp/so-pg && /usr/lib/postgresql/15/bin/initdb -D /tmp/so-pg/data -A trust -U kpis
    /usr/lib/postgresql/15/bin/pg_ctl -D /tmp/so-pg/data -l /tmp/so-pg/log -w start \
        -o "-k /tmp/so-pg -p 55432 -c listen_addresses=''"
    psql -h /tmp/so-pg -p 55432 -U kpis -d postgres -c "CREATE DATABASE so"
    /tmp/so/bin/python docs/measurements/store_options.py "host=/tmp/so-pg port=55432 user=kpis dbname=so"

It prints p50 timings (15 runs) of the board's read and a commune's read both ways, an import-sized
write both ways, the checks of what the attach supports, and two processes writing at once with the
writers' lock taken inside the transaction and before it.
"""

from __future__ import annotations

import glob
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import psycopg

SIZE = 139_482  # rows of commune_year_values in the national benchmark
IMPORT_ROWS = 11_760  # values in one national province file


def p50_ms(run: Callable[[], object], times: int = 15) -> float:
    spent = []
    for _ in range(times):
        start = time.perf_counter()
        run()
        spent.append(time.perf_counter() - start)
    return round(statistics.median(spent) * 1000, 1)


def attached(dsn: str) -> duckdb.DuckDBPyConnection:
    site = Path(sys.prefix) / "lib/python3*/site-packages"
    pattern = str(site / "duckdb_extension_postgres_scanner/extensions/*/*.duckdb_extension")
    con = duckdb.connect()
    con.execute(f"LOAD '{glob.glob(pattern)[0]}'")
    con.execute(f"ATTACH '{dsn}' AS pg (TYPE postgres)")
    return con


def tables(rng: np.random.Generator) -> tuple[pd.DataFrame, pd.DataFrame]:
    indicators = [f"ind{i}" for i in range(7)]
    commune_years = pd.DataFrame({
        "commune_id": rng.integers(1, 3322, SIZE).astype("int32"), "year": rng.integers(2025, 2031, SIZE).astype("int32"),
        "indicator": rng.choice(indicators, SIZE), "numerator": rng.integers(0, 1000, SIZE),
        "denominator": rng.integers(1000, 2000, SIZE), "units": rng.integers(1, 20, SIZE).astype("int32"),
    })
    n = IMPORT_ROWS
    values = pd.DataFrame({
        "submission_id": np.full(n, 1, "int32"), "unit_id": rng.integers(1, 30000, n).astype("int32"),
        "year": np.full(n, 2027, "int32"), "quarter": np.full(n, 4, "int32"), "indicator": rng.choice(indicators, n),
        "numerator": rng.integers(0, 1000, n), "denominator": rng.integers(1000, 2000, n), "note": None,
        "source_line": np.arange(n, dtype="int32"),
    })
    return commune_years, values


def measure(dsn: str) -> None:
    pgc = psycopg.connect(dsn, autocommit=True)
    pgc.execute("DROP TABLE IF EXISTS cyv; DROP TABLE IF EXISTS sv")
    pgc.execute("CREATE TABLE cyv (commune_id INTEGER NOT NULL, year INTEGER NOT NULL, indicator VARCHAR NOT NULL,"
                " numerator BIGINT NOT NULL, denominator BIGINT NOT NULL, units INTEGER NOT NULL)")
    pgc.execute("CREATE TABLE sv (submission_id INTEGER NOT NULL, unit_id INTEGER NOT NULL, year INTEGER NOT NULL,"
                " quarter INTEGER NOT NULL, indicator VARCHAR NOT NULL, numerator BIGINT NOT NULL,"
                " denominator BIGINT NOT NULL, note VARCHAR, source_line INTEGER NOT NULL)")
    commune_years, values = tables(np.random.default_rng(1))
    con = attached(dsn)
    con.register("commune_years", commune_years)
    con.register("import_values", values)
    con.execute("INSERT INTO pg.cyv SELECT * FROM commune_years")

    def write_attached() -> None:
        con.execute("BEGIN")
        con.execute("INSERT INTO pg.sv SELECT * FROM import_values")
        con.execute("COMMIT")

    def write_psycopg() -> None:
        with pgc.cursor() as cur, cur.copy("COPY sv FROM STDIN") as copy:
            for row in values.itertuples(index=False):
                copy.write_row(row)

    print("write", IMPORT_ROWS, "values: attach", p50_ms(write_attached, 5), "ms; psycopg COPY", p50_ms(write_psycopg, 5), "ms")
    pgc.execute("ANALYZE")
    local = duckdb.connect(str(Path(tempfile.mkdtemp()) / "local.duckdb"))
    local.execute("CREATE TABLE cyv AS SELECT * FROM commune_years")
    year = "SELECT commune_id, indicator, numerator, denominator, units FROM {} WHERE year = 2027"
    print("one year's commune rows: DuckDB file", p50_ms(lambda: local.execute(year.format("cyv")).fetchnumpy()),
          "ms; attach", p50_ms(lambda: con.execute(year.format("pg.cyv")).fetchnumpy()),
          "ms; psycopg", p50_ms(lambda: pgc.execute(year.format("cyv")).fetchall()), "ms")
    one = "SELECT * FROM {} WHERE commune_id = 17"
    print("one commune's rows: attach", p50_ms(lambda: con.execute(one.format("pg.cyv")).fetchnumpy()),
          "ms; psycopg", p50_ms(lambda: pgc.execute(one.format("cyv")).fetchall()), "ms")
    rows = pgc.execute("SELECT count(*) FROM sv").fetchall()[0][0]
    print("a count matching nothing over", rows, "rows: attach",
          p50_ms(lambda: con.execute("SELECT count(*) FROM pg.sv WHERE submission_id = -1").fetchall()), "ms")


def check(dsn: str) -> None:
    con = attached(dsn)

    def says(sql: str) -> str:
        try:
            return repr(con.execute(sql).fetchall())
        except duckdb.Error as e:
            return f"{type(e).__name__}: {str(e).splitlines()[0]}"

    con.execute("CALL postgres_execute('pg', 'DROP TABLE IF EXISTS t; CREATE TABLE t (id INTEGER"
                " GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, name VARCHAR NOT NULL)')")
    for sql in [
        "CREATE SEQUENCE pg.seq_x START 1",
        "INSERT INTO pg.t (name) VALUES ('a') RETURNING id",
        "INSERT OR REPLACE INTO pg.t VALUES (1, 'a')",
        "INSERT OR REPLACE INTO pg.t VALUES (1, 'b')",
        "SELECT name, arg_max(id, id) FROM pg.t GROUP BY name",
        "SELECT list(name ORDER BY id) FROM pg.t",
        "SELECT * FROM pg.t SEMI JOIN (SELECT 1 AS id) k ON k.id = t.id",
    ]:
        print(sql, "->", says(sql))
    con.execute("BEGIN")
    con.execute("CALL postgres_execute('pg', 'SELECT pg_advisory_xact_lock(42)')")
    held = con.execute("SELECT * FROM postgres_query('pg', 'SELECT count(*) FROM pg_locks WHERE locktype = ''advisory''')")
    print("advisory lock held inside the DuckDB transaction:", held.fetchall())
    con.execute("ROLLBACK")
    con.execute("CALL postgres_execute('pg', 'DROP TABLE IF EXISTS e; CREATE TABLE e (id INTEGER, name VARCHAR)')")
    first = "SELECT * FROM pg.e QUALIFY row_number() OVER (ORDER BY id) = 1"
    print("first row of an EMPTY attached table:", says(first), "(duckdb/duckdb#23675)")
    con.execute("SET disabled_optimizers = 'top_n_window_elimination'")
    print("the same with top_n_window_elimination off:", says(first))


def writer(dsn: str, who: str, where: str) -> None:
    """30 transactions, each reading a count and writing it back, with the lock taken `where`."""
    con = attached(dsn)
    lock = psycopg.connect(dsn, autocommit=True)
    failed = 0
    for i in range(30):
        if where == "before":  # a session lock on its own connection, so the transaction's snapshot comes after it
            lock.execute("SELECT pg_advisory_lock(57)")
        try:
            con.execute("BEGIN")
            if where == "inside":
                con.execute("CALL postgres_execute('pg', 'SELECT pg_advisory_xact_lock(57)')")
            seen = con.execute("SELECT count(*) FROM pg.w").fetchall()[0][0]
            con.execute("INSERT INTO pg.w VALUES (?, ?, ?)", [who, i, seen])
            con.execute("INSERT OR REPLACE INTO pg.m VALUES ('k', ?)", [f"{who}{i}"])
            con.execute("COMMIT")
        except duckdb.Error as e:
            failed += 1
            last = str(e).splitlines()[0][-90:]
            con.execute("ROLLBACK")
        finally:
            if where == "before":
                lock.execute("SELECT pg_advisory_unlock(57)")
    print(f"  writer {who}: {failed} of 30 failed" + (f", e.g. ...{last}" if failed else ""))


def two_writers(dsn: str) -> None:
    pgc = psycopg.connect(dsn, autocommit=True)
    for where in ("inside", "before"):
        pgc.execute("DROP TABLE IF EXISTS w; DROP TABLE IF EXISTS m")
        pgc.execute("CREATE TABLE w (who VARCHAR, i INTEGER, seen BIGINT)")
        pgc.execute("CREATE TABLE m (key VARCHAR PRIMARY KEY, value VARCHAR)")
        print(f"two processes at once, lock taken {where} the transaction:")
        both = [subprocess.Popen([sys.executable, __file__, dsn, who, where]) for who in "AB"]
        for proc in both:
            proc.wait()
        rows, distinct = pgc.execute("SELECT count(*), count(DISTINCT seen) FROM w").fetchall()[0]
        print(f"  {rows} rows landed, {distinct} distinct counts seen (60 and 60: one after the other)")


if __name__ == "__main__":
    if len(sys.argv) == 4:
        writer(*sys.argv[1:])
    else:
        measure(sys.argv[1])
        check(sys.argv[1])
        two_writers(sys.argv[1])
