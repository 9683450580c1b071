"""The benchmark commands run (so they cannot rot) and report what they claim; no timing is asserted."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

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
