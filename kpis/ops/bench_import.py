"""`python -m kpis bench-import`: our whole import against a bare parse of the same file.

Prints figures, asserts nothing: speed is read on the machine at hand, never tested.
"""

from __future__ import annotations

import csv
import io
import json
import resource
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import duckdb
import openpyxl
import python_calamine

from kpis import store
from kpis.catalog.model import default_catalog
from kpis.intake.importer import import_file
from kpis.intake.schema import COLUMNS


def sample_rows(n: int) -> list[list]:
    """n distinct, valid rows over the registry: communes x units x years x quarters x indicators."""
    catalog = default_catalog()
    communes = list(catalog.communes)
    indicators = list(catalog.indicators)
    rows: list[list] = []
    unit = 0
    while len(rows) < n:
        for c in communes:
            for year in (2025, 2026):
                for quarter in (1, 2, 3, 4):
                    for k, ind in enumerate(indicators):
                        den = 50 + (unit * 7 + k * 13 + quarter) % 900
                        num = den * (30 + (unit + quarter + k) % 70) // 100
                        rows.append([c.province, c.name, f"Thôn {unit + 1}", year, quarter, ind, num, den, ""])
                        if len(rows) == n:
                            return rows
        unit += 1
    return rows


def write_xlsx(rows: list[list]) -> bytes:
    wb = openpyxl.Workbook(write_only=True)
    ws = wb.create_sheet("Số liệu")
    ws.append(list(COLUMNS))
    for r in rows:
        ws.append(r)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def write_form_xlsx(units: int) -> bytes:
    """A one-row-per-unit form as offices fill it: title rows, merged indicator headers over Tổng số | Số đạt."""
    indicators = list(default_catalog().indicators.values())
    wb = openpyxl.Workbook(write_only=True)
    ws = wb.create_sheet("Báo cáo")
    ws.append(["UBND TỈNH ĐIỆN BIÊN"])
    ws.append(["UBND XÃ MƯỜNG MÙN"])
    ws.append(["BÁO CÁO KẾT QUẢ TRUYỀN THÔNG NGHỊ QUYẾT 57-NQ/TW QUÝ III NĂM 2025"])
    ws.append([])
    ws.append(["STT", "Thôn/Bản, cơ quan, đơn vị", *[v for ind in indicators for v in (ind.short_vi, None)]])
    ws.append([None, None, *["Tổng số", "Số đạt"] * len(indicators)])
    for u in range(units):
        cells: list = [u + 1, f"Thôn {u + 1}"]
        for k in range(len(indicators)):
            den = 50 + (u * 7 + k * 13) % 900
            cells += [den, den * (30 + (u + k) % 70) // 100]
        ws.append(cells)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def write_csv(rows: list[list]) -> bytes:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    writer.writerows(rows)
    return buf.getvalue().encode("utf-8")


def _best_of(runs: int, fn: Callable[[], object]) -> float:
    best = float("inf")
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best


def bench_import(rows: int = 20_000, runs: int = 3) -> dict:
    data_rows = sample_rows(rows)
    files = {"xlsx": write_xlsx(data_rows), "csv": write_csv(data_rows), "form_xlsx": write_form_xlsx(rows)}
    suffix = {"xlsx": "xlsx", "csv": "csv", "form_xlsx": "xlsx"}
    default_catalog()  # loaded once per process in real use too
    result: dict = {"rows": rows, "runs": runs, "best_of": runs}
    with tempfile.TemporaryDirectory() as tmp:
        csv_path = Path(tmp) / "bench.csv"
        csv_path.write_bytes(files["csv"])

        def bare_xlsx() -> None:
            wb = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(files["xlsx"]))
            wb.get_sheet_by_index(0).to_python()

        def bare_csv() -> None:
            relation = duckdb.sql(f"SELECT * FROM read_csv('{csv_path}', header = true)")
            if relation is None:  # only statements that return nothing give None
                raise RuntimeError("read_csv gave no relation")
            relation.fetchall()

        def bare_form() -> None:
            wb = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(files["form_xlsx"]))
            wb.get_sheet_by_index(0).to_python()

        bare = {"xlsx": bare_xlsx, "csv": bare_csv, "form_xlsx": bare_form}
        for kind, data in files.items():
            import_s = float("inf")
            for run in range(runs):
                con = store.connect(Path(tmp) / f"{kind}-{run}.duckdb")  # an existing database, as in use
                start = time.perf_counter()
                outcome = import_file(con, data, f"bench.{suffix[kind]}", "bench")
                import_s = min(import_s, time.perf_counter() - start)
                con.close()
                if outcome.status != "accepted":
                    raise RuntimeError(f"benchmark file refused: {outcome.messages('en')[:3]}")
            parse_s = _best_of(runs, bare[kind])
            result[kind] = {
                "file_bytes": len(data),
                "values": len(outcome.rows),
                "import_seconds": round(import_s, 4),
                "bare_parse_seconds": round(parse_s, 4),
                "bare_parser": "duckdb read_csv" if kind == "csv" else "python-calamine",
                "ratio": round(import_s / parse_s, 2),
            }
    result["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    result["form_xlsx"]["units"] = rows  # one row per unit, a Tổng số | Số đạt pair per indicator
    result["aim"] = "import within 1.5x the bare parse"
    return result


def main(rows: int, runs: int) -> None:
    print(json.dumps(bench_import(rows, runs), ensure_ascii=False, indent=2))
