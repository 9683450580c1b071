"""Page renders for `python -m kpis bench`: the real app under AppTest, cold and warm, and 20 readers during an import;
and (kpis.web.bench_servers) 40 visitors at once on real Streamlit processes.

Here, not in kpis.ops.bench_national, because only the web helpers import streamlit.
"""

from __future__ import annotations

import ast
import contextlib
import datetime as dt
import os
import threading
import time
from collections.abc import Iterator
from pathlib import Path

from streamlit.runtime import Runtime
from streamlit.testing.v1 import AppTest

from kpis import store
from kpis.catalog.model import Commune, default_catalog
from kpis.intake.importer import import_file
from kpis.ops.bench_national import percentiles, province_file
from kpis.web.bench_servers import RENDERS, processes


def measure(db: str | Path, visitors: int = RENDERS) -> dict:
    """What `bench` adds to its figures from the pages.

    The served processes first: a DuckDB file is held by one process, and the AppTest sessions below
    keep it open in this one."""
    return {"processes": processes(db, renders=visitors), "pages": pages(db), "concurrency": concurrency(db)}


def _render(page: str, year: int | None = None) -> tuple[float, int]:
    at = AppTest.from_file(str(store.ROOT / "dashboard.py"), default_timeout=600)
    start = time.perf_counter()
    at.run()
    if page != "app_pages/overview.py":
        at.switch_page(page).run()
    return time.perf_counter() - start, len(at.exception)


def pages(db: str | Path) -> dict:
    os.environ["KPIS_DB"] = str(db)
    out = {}
    for page in ("app_pages/overview.py", "app_pages/communes.py"):
        cold, errors_cold = _render(page)
        warm, errors_warm = _render(page)
        out[page] = {"cold_seconds": round(cold, 3), "warm_seconds": round(warm, 3), "errors": errors_cold + errors_warm}
    return out


@contextlib.contextmanager
def _shared_test_runtime() -> Iterator[None]:
    """Let AppTest sessions run in threads at once.

    Each AppTest.run() installs a mock Streamlit Runtime in a class attribute and clears it
    when done, so a second session finishing would pull the runtime from under the first.
    While this is active, a cleared attribute falls back to the last runtime installed: a
    harness detail of the benchmark, not of the app (a real server has one runtime).
    """
    original = Runtime.__dict__["instance"]
    last: list = []

    def instance(cls):  # noqa: ANN001 - mirrors Runtime.instance
        if cls._instance is not None:
            last[:] = [cls._instance]
            return cls._instance
        if last:
            return last[0]
        return original.__func__(cls)

    Runtime.instance = classmethod(instance)  # type: ignore[method-assign, assignment]  # a deliberate patch of streamlit
    # Each AppTest compiles the pages afresh (a server compiles each once): 20 ast.parse calls at once hit
    # CPython 3.11.7's "AST constructor recursion depth mismatch" (SystemError) now and then; one at a time here.
    parse, parsing = ast.parse, threading.Lock()

    def one_parse(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202 - mirrors ast.parse
        with parsing:
            return parse(*args, **kwargs)

    ast.parse = one_parse  # a deliberate patch, restored below
    try:
        yield
    finally:
        Runtime.instance = original  # type: ignore[method-assign]  # restores the patch above
        ast.parse = parse


def concurrency(db: str | Path, users: int = 20) -> dict:
    """users AppTest sessions render the overview at once while a province file is imported."""
    os.environ["KPIS_DB"] = str(db)
    con = store.connect(db)
    # the first province's communes that the benchmark loaded, sent again
    province = con.execute("SELECT province FROM communes WHERE id = (SELECT min(commune_id) FROM units)").fetchall()[0][0]
    members = [
        Commune(p, n, k)
        for p, n, k in con.execute(
            "SELECT DISTINCT c.province, c.name, c.kind FROM units u JOIN communes c ON c.id = u.commune_id"
            " WHERE c.province = ? ORDER BY c.name",
            [province],
        ).fetchall()
    ]
    stamp = dt.datetime.now().isoformat()
    data = province_file(members, list(default_catalog().indicators), 2030, 4, note=f"re-sent {stamp}")
    renders: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()

    def reader() -> None:
        try:
            seconds, n_errors = _render("app_pages/overview.py")
            with lock:
                renders.append(seconds)
                if n_errors:
                    errors.append(f"{n_errors} exception(s) on the page")
        except Exception as e:  # counted, not raised: the figure is the point
            with lock:
                errors.append(repr(e))

    def writer() -> None:
        try:
            result = import_file(store.cursor(con), data, "concurrent_resend.csv", "bench")
            if result.status != "accepted":
                errors.append(f"import {result.status}")
        except Exception as e:
            with lock:
                errors.append(repr(e))

    threads = [threading.Thread(target=reader) for _ in range(users)] + [threading.Thread(target=writer)]
    start = time.perf_counter()
    with _shared_test_runtime():
        for th in threads:
            th.start()
        for th in threads:
            th.join()
    con.close()
    return {
        "users": users,
        "errors": len(errors),
        "error_samples": errors[:3],
        "render_p95_seconds": round(percentiles(renders)["p95_ms"] / 1000, 3) if renders else None,
        "wall_seconds": round(time.perf_counter() - start, 2),
    }
