"""`python -m kpis bench`: one server holding every commune of Vietnam, measured.

Builds a national database through the real import path on the official registry (its 34
provinces and 3,321 communes, wards and special zones by default, with their real names and codes;
made-up figures for 10 units each, every quarter 2025-2030, all indicators),
then measures load, queries against the bare aggregate and peak memory; page renders (cold and
warm), 20 concurrent readers during an import and 40 overview renders at once on 1, 2 and 4 real Streamlit
processes come from kpis.web. It prints figures; nothing here passes or fails on timing.

The database is a new DuckDB file in a temporary folder, or with --db an empty PostgreSQL database
(the same figures, on the server store); its journal and kept files go to the temporary folder.
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import functools
import io
import json
import os
import resource
import statistics
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path

from kpis import store
from kpis.catalog.model import Commune, default_catalog
from kpis.figures.progress import progress
from kpis.intake.importer import import_file
from kpis.intake.schema import COLUMNS

YEARS = range(2025, 2031)
QUERY_YEAR = 2027  # the year the one-year queries read: a load has at least the years up to it
MIN_YEARS = QUERY_YEAR - YEARS[0] + 1
UNITS = 10


def national_registry(communes: int) -> list[Commune]:
    """`communes` units of the official registry, taken in turn from each province in the official
    order (so that a small run still covers all 34), grouped by province."""
    by_province: dict[int | None, list[Commune]] = {}
    for c in default_catalog().communes:
        by_province.setdefault(c.province_code, []).append(c)
    taken = dict.fromkeys(by_province, 0)
    count, total = 0, min(communes, sum(map(len, by_province.values())))
    while count < total:  # one more from each province that has one left, in turn
        for code, members in by_province.items():
            if taken[code] < len(members) and count < total:
                taken[code] += 1
                count += 1
    return [c for code, members in by_province.items() for c in members[: taken[code]]]


def province_file(communes: list[Commune], indicators: list[str], year: int, quarter: int, note: str = "") -> bytes:
    """One province's quarterly file: every commune x unit x indicator, as a CSV."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(COLUMNS)
    step = (year - 2025) * 4 + quarter
    for c_idx, c in enumerate(communes):
        for u in range(UNITS):
            for k, ind in enumerate(indicators):
                den = 40 + (c_idx * 31 + u * 17 + k * 7) % 900
                share = min(100, 20 + step * (2 + (c_idx + u + k) % 3))
                writer.writerow([c.province, c.name, f"Thôn {u + 1}", year, quarter, ind, den * share // 100, den, note])
    return buf.getvalue().encode("utf-8")


def percentiles(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return {"p50_ms": round(statistics.median(ordered) * 1000, 2), "p95_ms": round(p95 * 1000, 2)}


def _timed(fn: Callable[[], object], runs: int) -> list[float]:
    out = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        out.append(time.perf_counter() - start)
    return out


def _peak_rss_mb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


Target = str | Path  # a DuckDB file, or a PostgreSQL address


class BenchRefused(store.StoreError):
    """The database given to bench is not empty: bench fills it with made-up figures, so it must be a new one."""

    exit_code = 1  # a refusal: nothing was changed


def load(db: Target, registry: list[Commune], years: range = YEARS) -> dict:
    indicators = list(default_catalog().indicators)
    con = store.connect(db)  # a new database holds the official registry already
    by_province: dict[str, list[Commune]] = {}
    for c in registry:
        by_province.setdefault(c.province, []).append(c)
    values = 0
    seconds = 0.0  # the imports only: making the bench's own files is not the product's work
    for year in years:
        for quarter in (1, 2, 3, 4):
            for province, members in by_province.items():
                data = province_file(members, indicators, year, quarter)
                start = time.perf_counter()
                result = import_file(con, data, f"{province}_{year}_Q{quarter}.csv", "bench")
                seconds += time.perf_counter() - start
                if result.status != "accepted":
                    raise RuntimeError(f"bench file refused: {result.messages('en')[:3]}")
                values += len(result.rows)
    if not store.on_server(con):
        con.execute("CHECKPOINT")  # the file's size with its write-ahead log folded in
    size = store.stored_bytes(con)
    con.close()
    return {
        "values": values,
        "files": len(by_province) * len(years) * 4,
        "seconds": round(seconds, 2),
        "values_per_second": round(values / seconds),
        "db_mb": round(size / 1024 / 1024, 1),
    }


def queries(db: Target, runs: int = 20) -> dict:
    con = store.connect(db)
    commune_id, province, name = con.execute(
        "SELECT c.id, c.province, c.name FROM communes c WHERE c.id = (SELECT min(commune_id) FROM units)"
    ).fetchall()[0]
    cases = {
        "commune_progress_one_year": (
            lambda: progress(con, "commune", QUERY_YEAR),
            "SELECT unit_id, indicator, sum(numerator), sum(denominator) FROM submission_values"
            f" WHERE year = {QUERY_YEAR} GROUP BY ALL",
        ),
        "province_progress": (
            lambda: progress(con, "province"),
            "SELECT unit_id, year, indicator, sum(numerator), sum(denominator) FROM submission_values GROUP BY ALL",
        ),
        "one_commune_history": (
            lambda: progress(con, "commune", province=province, commune=name),
            "SELECT v.year, v.indicator, sum(v.numerator), sum(v.denominator) FROM submission_values v "
            f"JOIN units u ON u.id = v.unit_id WHERE u.commune_id = {int(commune_id)} GROUP BY ALL",
        ),
    }
    out = {}

    def fetch(sql: str) -> list:
        return con.execute(sql).fetchall()

    for name, (ours, bare_sql) in cases.items():
        ours()  # warm the buffer pool, as a running server has
        mine = percentiles(_timed(ours, runs))
        bare = percentiles(_timed(functools.partial(fetch, bare_sql), runs))
        out[name] = {"ours": mine, "bare_aggregate": bare, "ratio_p50": round(mine["p50_ms"] / max(bare["p50_ms"], 1e-6), 2)}
    con.close()
    return out


def run(
    communes: int, db: Target | None = None, renders: Callable[[Target], dict] | None = None, years: int = len(YEARS)
) -> dict:
    """Load and query figures; `renders` (kpis.web.bench_pages.measure) adds the page renders on the same database.

    db: None for a new file in a temporary folder, else a database that holds nothing yet (BenchRefused).
    years: how many of YEARS to load (at least MIN_YEARS); fewer make a quicker run of every part (CI's)."""
    if not MIN_YEARS <= years <= len(YEARS):
        raise ValueError(f"years must be from {MIN_YEARS} to {len(YEARS)}")
    if db is not None and store.holds_data(store.resolve_db(db)):
        raise BenchRefused(f"{db}: bench fills the database it is given with made-up figures; give it a new, empty one")
    loaded = YEARS[:years]
    with tempfile.TemporaryDirectory() as tmp, _files_in(tmp):
        path = store.resolve_db(db) if db is not None else Path(tmp) / "national.duckdb"
        registry = national_registry(communes)
        result: dict = {
            "measured_at": dt.datetime.now().isoformat(timespec="seconds"),
            "store": "postgresql" if isinstance(path, str) else "duckdb file",
            "machine": {"cpus": os.cpu_count()},
            "communes": len(registry),
            "provinces": len({c.province_code for c in registry}),
            "registry": default_catalog().registry_version,
            "units_per_commune": UNITS,
            "years": f"{loaded[0]}-{loaded[-1]}",
        }
        result["load"] = load(path, registry, loaded)
        result["query"] = queries(path)
        if renders is not None:
            result.update(renders(path))
        result["memory"] = {"peak_rss_mb": _peak_rss_mb()}
        return result


@contextlib.contextmanager
def _files_in(folder: str) -> Iterator[None]:
    """A server store's journal and kept files in the bench's temporary folder (KPIS_FILES), not in data/."""
    before = os.environ.get("KPIS_FILES")
    os.environ["KPIS_FILES"] = folder
    try:
        yield
    finally:
        if before is None:
            os.environ.pop("KPIS_FILES", None)
        else:
            os.environ["KPIS_FILES"] = before


def main(
    communes: int,
    out: str | None,
    renders: Callable[[Target], dict] | None = None,
    years: int = len(YEARS),
    db: str | None = None,
) -> None:
    result = run(communes, db=db, renders=renders, years=years)
    text = json.dumps(result, ensure_ascii=False, indent=2)
    if out:
        Path(out).write_text(text + "\n", encoding="utf-8")
    print(text)
