"""The benchmark commands run (so they cannot rot) and report what they claim; no timing is asserted."""

from __future__ import annotations

import json
import subprocess
import sys
import uuid
from pathlib import Path

import psycopg
import pytest

from tests.postgres_server import Server

pytestmark = pytest.mark.bench

ROOT = Path(__file__).resolve().parents[2]


def test_the_national_bench_loads_at_least_the_year_its_queries_read() -> None:
    done = run("bench", "--communes", "34", "--years", "2", timeout=120)
    assert done.returncode == 2 and "--years" in done.stderr and "Traceback" not in done.stderr


def run(*args: str, timeout: int) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "kpis", *args], cwd=ROOT, capture_output=True, text=True, timeout=timeout)


def test_bench_import_prints_both_formats_against_their_bare_parse() -> None:
    done = run("bench-import", "--rows", "2000", "--runs", "1", timeout=600)
    assert done.returncode == 0, done.stderr
    figures = json.loads(done.stdout)
    assert figures["rows"] == 2000
    for kind, parser in (("xlsx", "python-calamine"), ("csv", "duckdb read_csv"), ("form_xlsx", "python-calamine")):
        part = figures[kind]
        assert part["bare_parser"] == parser and part["import_seconds"] > 0 and part["bare_parse_seconds"] > 0
        # the seconds are printed rounded to 4 places and the ratio from the unrounded ones
        assert part["ratio"] == pytest.approx(part["import_seconds"] / part["bare_parse_seconds"], rel=0.02)
    assert figures["peak_rss_mb"] > 0
    assert figures["form_xlsx"]["units"] == 2000 and figures["form_xlsx"]["values"] == 2000 * 7  # a pair per indicator


def test_national_bench_at_a_small_size(tmp_path: Path) -> None:
    """`--communes 50 --years 3`: every part is measured on a real database built through the import path."""
    out = tmp_path / "bench.json"
    done = run("bench", "--communes", "50", "--years", "3", "--out", str(out), timeout=1800)
    assert done.returncode == 0, done.stderr[-3000:]
    figures = json.loads(out.read_text(encoding="utf-8"))
    assert done.stdout.lstrip().startswith("{"), done.stdout[:6000]  # nothing printed before the figures (a page's traceback)
    assert figures == json.loads(done.stdout)
    load = figures["load"]
    assert (
        load["values"] == 50 * 10 * 7 * 4 * 3 and load["files"] == 34 * 4 * 3
    )  # communes x units x indicators x quarters x years
    assert figures["years"] == "2025-2027"
    assert load["values_per_second"] > 0 and load["db_mb"] > 0
    for name in ("commune_progress_one_year", "province_progress", "one_commune_history"):
        query = figures["query"][name]
        assert {"p50_ms", "p95_ms"} <= set(query["ours"]) and {"p50_ms", "p95_ms"} <= set(query["bare_aggregate"])
    for page in ("app_pages/overview.py", "app_pages/communes.py"):
        assert figures["pages"][page]["errors"] == 0
    assert figures["concurrency"]["users"] == 20 and figures["concurrency"]["errors"] == 0, figures["concurrency"]
    assert figures["memory"]["peak_rss_mb"] > 0
    assert figures["store"] == "duckdb file"
    assert list(figures["processes"]) == ["1", "bare_one_line_page_1", "ratio_p95_1_to_bare"]  # a file: one process
    served, floor = figures["processes"]["1"], figures["processes"]["bare_one_line_page_1"]
    for part in (served, floor):
        assert part["renders"] == 40 and part["errors"] == 0 and part["first_render_errors"] == 0, part
        assert 0 < part["p50_seconds"] <= part["p95_seconds"] <= part["wall_seconds"]
    assert figures["processes"]["ratio_p95_1_to_bare"] == pytest.approx(served["p95_seconds"] / floor["p95_seconds"], rel=0.02)


def test_national_bench_on_postgresql_measures_one_two_and_four_processes(postgres_server: Server) -> None:
    """`--db postgresql://…`: the same figures on an empty server database, and the served processes on it;
    a database that holds anything is refused untouched."""
    name = f"kpis_bench_{uuid.uuid4().hex[:8]}"
    with postgres_server.admin() as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    url = postgres_server.url(name)
    try:
        done = run("bench", "--communes", "34", "--years", "3", "--visitors", "6", "--db", url, timeout=1200)
        assert done.returncode == 0, done.stderr[-3000:]
        figures = json.loads(done.stdout)
        assert figures["store"] == "postgresql" and figures["load"]["values"] == 34 * 10 * 7 * 4 * 3
        assert figures["load"]["db_mb"] > 0
        assert list(figures["processes"]) == ["1", "2", "4", "bare_one_line_page_1", "ratio_p95_1_to_bare"]
        for count in ("1", "2", "4", "bare_one_line_page_1"):
            served = figures["processes"][count]
            assert served["renders"] == 6 and served["errors"] == 0 and served["first_render_errors"] == 0, (count, served)
        assert figures["concurrency"]["errors"] == 0, figures["concurrency"]
        for page in ("app_pages/overview.py", "app_pages/communes.py"):
            assert figures["pages"][page]["errors"] == 0
        with psycopg.connect(url) as db:
            before = db.execute("SELECT count(*) FROM submissions").fetchone()
        again = run("bench", "--communes", "34", "--years", "3", "--db", url, timeout=120)
        assert again.returncode == 1 and "give it a new, empty one" in again.stderr and "Traceback" not in again.stderr
        with psycopg.connect(url) as db:
            # a file per province, quarter and year, and the one the readers-during-an-import part sends again
            assert db.execute("SELECT count(*) FROM submissions").fetchone() == before == (34 * 4 * 3 + 1,)
    finally:
        postgres_server.drop(url)
