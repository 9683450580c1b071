"""Every CSV we serve or print is safe to open in Excel: text that would run as a formula gets a quote;
numbers, negative ones too, stay numbers. The CLI is checked through main(argv) on a real import."""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path

import pandas as pd
import pytest

from kpis import store
from kpis.core.csv_safe import frame_to_csv, needs_escape, safe_cell
from kpis.intake.importer import import_file
from tests.conftest import Kpis, csv_bytes
from tests.store.registry_lists import list_bytes, shipped
from tests.store.registry_lists import row as list_row
from tests.test_cli import row, write

HOSTILE = "=cmd|' /C calc'!A0"
STARTS = ("=", "+", "-", "@", "\t", "\r")


@pytest.mark.parametrize(
    "text, escaped",
    [
        (HOSTILE, True),
        ("+1+1", True),
        ("-2+3", True),
        ("@SUM(A1)", True),
        ("\t=1+1", True),
        ("\r=1+1", True),
        (" =1+1", True),
        ("\u00a0 @x", True),
        ("Bản Na Sang", False),
        ("a=b", False),
        ("", False),
    ],
)
def test_needs_escape(text: str, escaped: bool) -> None:
    assert needs_escape(text) is escaped
    assert safe_cell(text) == ("'" + text if escaped else text)


def test_numbers_stay_numbers_and_text_is_escaped() -> None:
    frame = pd.DataFrame({"unit": [HOSTILE, "Bản A"], "delta": [-5, 3], "pct": [-1.5, 2.0], "note": ["-1", None]})
    rows = list(csv.reader(io.StringIO(frame_to_csv(frame).decode("utf-8-sig"))))
    assert rows[0] == ["unit", "delta", "pct", "note"]
    assert rows[1] == ["'" + HOSTILE, "-5", "-1.5", "'-1"]  # "-1" typed as text stays text, quoted
    assert rows[2] == ["Bản A", "3", "2.0", ""]


def cells(stdout: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(stdout)))


def assert_no_formula_cell(stdout: str) -> None:
    for line in cells(stdout):
        for cell in line:
            assert not cell.startswith(STARTS), (cell, line)


@pytest.fixture
def hostile_db(kpis: Kpis, tmp_path: Path) -> Path:
    """A unit named like a formula, imported from a real CSV; a commune named like one, registered from an official list."""
    db = tmp_path / "kpis.duckdb"
    registry = list_bytes([*shipped(), list_row(11, "Điện Biên", 99001, "Xã", "@SUM(1+1)")])
    added = kpis("registry", "update", write(tmp_path / "communes-2027-01-15.csv", registry), "--db", str(db))
    assert added.returncode == 0, added.stdout + added.stderr
    data = csv_bytes(
        [
            row(HOSTILE, 450, 500, quarter=3),
            row("+Bản Na Sang", 100, 1000, quarter=3),
            row("Bản Pá Chả", 30, 60, commune="@SUM(1+1)", quarter=3),
        ]
    )
    con = store.connect(db)  # in-process only to date the upload: the report must not depend on today
    try:
        result = import_file(con, data, "q3.csv", "lan.mm", uploaded_at=dt.datetime(2026, 10, 5, 9, 0))
        assert result.accepted, result.messages()
    finally:
        con.close()
    return db


def test_cli_compliance_csv_escapes_unit_names(kpis: Kpis, hostile_db: Path) -> None:
    run = kpis("compliance", "--level", "unit", "--format", "csv", "--db", str(hostile_db), "--as-of", "2026-11-15")
    assert run.returncode == 0, run.stderr
    assert_no_formula_cell(run.stdout)
    units = {r[2] for r in cells(run.stdout)[1:]}
    assert "'" + HOSTILE in units and "'+Bản Na Sang" in units
    assert any(r[1] == "'@SUM(1+1)" for r in cells(run.stdout)[1:])


def test_cli_progress_csv_escapes_commune_names(kpis: Kpis, hostile_db: Path) -> None:
    run = kpis("progress", "--format", "csv", "--db", str(hostile_db))
    assert run.returncode == 0, run.stderr
    assert_no_formula_cell(run.stdout)
    assert "'@SUM(1+1)" in {r[1] for r in cells(run.stdout)[1:]}
