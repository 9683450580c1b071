"""Import one file into a DuckDB file and print what happened as JSON: run in a child process.

    python -m tests.hostile.runner DB FILE [UPLOAD_NAME]

tests/intake/test_hostile.py starts this under a 2 GB address-space limit, so a file that makes a reader
allocate the whole sheet (or abort the process) fails that one child, not the test run. Exit 0 with
the JSON on stdout is the only good end: a traceback or a signal is a failure the test reports.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import duckdb

from kpis import store
from kpis.intake.importer import import_file


def snapshot(con: duckdb.DuckDBPyConnection) -> dict[str, Any]:
    """Everything an import could write: the history tables, the data version, kept files, the journal."""
    counts = {t: con.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in ("submissions", "submission_values", "units")}
    uploads = store.uploads_dir(con)
    journal = store.journal_path(store.db_file(con))
    return {
        **counts,
        "data_version": store.data_version(con),
        "kept": sorted(p.name for p in uploads.iterdir()) if uploads.exists() else [],
        "journal": journal.read_text(encoding="utf-8") if journal.exists() else "",
    }


def stored_values(con: duckdb.DuckDBPyConnection, submission_id: int | None) -> list[dict[str, Any]]:
    rows = con.execute(
        """
        SELECT c.province, c.name, u.name, v.year, v.quarter, v.indicator, v.numerator, v.denominator
        FROM submission_values v JOIN units u ON u.id = v.unit_id JOIN communes c ON c.id = u.commune_id
        WHERE v.submission_id = ? ORDER BY v.source_line
        """,
        [submission_id],
    ).fetchall()
    keys = ["province", "commune", "unit", "year", "quarter", "indicator", "numerator", "denominator"]
    return [dict(zip(keys, r, strict=True)) for r in rows]


def main(argv: list[str]) -> int:
    db, path = Path(argv[0]), Path(argv[1])
    name = argv[2] if len(argv) > 2 else path.name
    con = duckdb.connect(str(db))
    before = snapshot(con)
    result = import_file(con, path.read_bytes(), name)
    out = {
        "status": result.status,
        "problems": [{"row": p.row, "column": p.column, "code": p.code, "params": p.params} for p in result.problems],
        "values": stored_values(con, result.submission_id) if result.submission_id is not None else [],
        "messages_vi": result.messages("vi"),
        "messages_en": result.messages("en"),
        "summary": result.summary(),
        "before": before,
        "after": snapshot(con),
    }
    con.close()
    json.dump(out, sys.stdout, ensure_ascii=False, default=str)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
