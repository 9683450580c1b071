"""Shared fixtures: real DuckDB files in tmp dirs, real .csv/.xlsx files written by the tests."""

from __future__ import annotations

import csv
import io
import os
import shutil
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any, NamedTuple

import duckdb
import openpyxl
import pytest

from kpis import store
from kpis.catalog.model import Catalog, default_catalog
from kpis.cli import main
from kpis.ops.demo import build_demo_db

# At import time, before any test runs: an unknown string key or an unfilled {placeholder} raises KeyError
# (kpis.core.i18n.strict reads this on every call; subprocesses and AppTest scripts inherit it) instead of
# showing the key, as production does.
os.environ["KPIS_STRICT_I18N"] = "1"
# Real argon2id, at 1 MiB instead of 64 MiB: a hash costs ~4 ms instead of ~0.2 s, for the hundreds of
# accounts the tests make and sign in (kpis.core.settings password_memory_kib; subprocesses inherit it).
os.environ["KPIS_PASSWORD_MEMORY_KIB"] = "1024"

ROOT = Path(__file__).resolve().parent.parent
EN_HEADER = ["province", "commune", "unit", "year", "quarter", "indicator", "numerator", "denominator", "note"]
VI_HEADER = ["Tỉnh", "Xã", "Đơn vị", "Năm", "Quý", "Chỉ tiêu", "Số đạt", "Tổng số", "Ghi chú"]


def csv_bytes(
    rows: Sequence[Sequence[Any]], header: Sequence[str] = EN_HEADER, encoding: str = "utf-8", delimiter: str = ","
) -> bytes:
    """A CSV file as Excel or a person would write it: header first, then the rows."""
    buf = io.StringIO()
    writer = csv.writer(buf, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buf.getvalue().encode(encoding)


def xlsx_bytes(
    rows: Sequence[Sequence[Any]],
    header: Sequence[str] = VI_HEADER,
    title_rows: Sequence[Sequence[Any]] = (),
    sheet: str = "Báo cáo",
) -> bytes:
    """A real .xlsx written by openpyxl: optional title rows, the header, the rows."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = sheet
    for r in title_rows:
        ws.append(list(r))
    ws.append(list(header))
    for r in rows:
        ws.append(list(r))
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


# The long modules first: two workers (pytest-xdist, `-n auto --dist loadfile --no-loadscope-reorder`) then
# finish together instead of one running the clock-ahead re-run alone at the end. A module keeps its
# tests together (its module fixtures are made once), in the order pytest collected them.
_FIRST = (("slow", "bench"), ("browser",))


def _rank(item: pytest.Item) -> int:
    return next((i for i, marks in enumerate(_FIRST) if any(m in item.keywords for m in marks)), len(_FIRST))


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    rank: dict[Path, int] = {}
    for item in items:
        rank[item.path] = min(rank.get(item.path, len(_FIRST)), _rank(item))
    items.sort(key=lambda item: rank[item.path])  # stable: collection order within a rank


@pytest.fixture(scope="session")
def catalog() -> Catalog:
    return default_catalog()


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "kpis.duckdb"


@pytest.fixture
def con(db_path: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    """An empty database (catalog only) in a tmp dir."""
    connection = store.connect(db_path)
    yield connection
    connection.close()


@pytest.fixture(scope="session")
def demo_db_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo database, built once per test session through the real import path."""
    path = tmp_path_factory.mktemp("demo") / "kpis.duckdb"
    build_demo_db(path)
    return path


@pytest.fixture
def demo_db(demo_db_template: Path, tmp_path: Path) -> Path:
    """A private copy of the demo database (with its kept files) that a test may change."""
    target = tmp_path / "demo" / "kpis.duckdb"
    shutil.copytree(demo_db_template.parent, target.parent)
    return target


class Ran(NamedTuple):
    """What `python -m kpis ARGS` did: its exit code and what it printed."""

    returncode: int
    stdout: str
    stderr: str


Kpis = Callable[..., Ran]


@pytest.fixture
def kpis(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> Kpis:
    """Run the command line in this process through kpis.cli.main(argv), as `python -m kpis` does from the
    project folder; stdin (for --password-stdin) is given as text. argparse's usage errors and --help
    end in SystemExit: its code is the exit code, as the shell would see it."""
    monkeypatch.chdir(ROOT)

    def run(*args: str, stdin: str = "") -> Ran:
        capsys.readouterr()  # what the test printed before is not the command's
        monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
        try:
            code = main(list(args))
        except SystemExit as e:
            code = e.code if isinstance(e.code, int) else (0 if e.code is None else 1)
        out, err = capsys.readouterr()
        return Ran(code, out, err)

    return run
