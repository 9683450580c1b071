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
from tests.postgres_server import Server, start_server

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


STORES = ("file", "postgresql")


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--store", choices=(*STORES, "both"), default="both",
        help="the stores the tests that take `con` run on (default both: the DuckDB file and PostgreSQL)",
    )  # fmt: skip


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Every test that takes `con` runs on each store, unless it is marked file_store (it needs the file)."""
    if "store_kind" not in metafunc.fixturenames:  # not this `con` (a module may have a `con` of its own)
        return
    chosen = metafunc.config.getoption("--store")
    kinds = [k for k in STORES if chosen in (k, "both")]
    own = set(metafunc.definition._fixtureinfo.argnames)  # the test's own parameters
    if metafunc.definition.get_closest_marker("file_store") or own & {"db_path", "demo_db"}:  # it uses the file itself
        kinds = [k for k in kinds if k == "file"]
    metafunc.parametrize("store_kind", kinds, ids=kinds)


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[Server]:
    """Debian's PostgreSQL in a cluster of this session's own (or KPIS_TEST_POSTGRES); CI must have one."""
    server = start_server()
    if isinstance(server, str):
        if os.environ.get("CI"):
            pytest.fail(f"CI runs every test on PostgreSQL too: {server}")
        pytest.skip(server)
    yield server
    server.stop()


@pytest.fixture
def con(
    store_kind: str, db_path: Path, request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> Iterator[duckdb.DuckDBPyConnection]:
    """An empty database (catalog only): a DuckDB file in a tmp dir, or a fresh database on PostgreSQL
    whose journal and kept files are in the tmp dir (KPIS_FILES)."""
    if store_kind == "file":
        connection = store.connect(db_path)
        yield connection
        connection.close()
        return
    server: Server = request.getfixturevalue("postgres_server")
    files = db_path.parent / "files"
    monkeypatch.setenv("KPIS_FILES", str(files))
    url = server.fresh_database(files)
    connection = store.connect(url)
    yield connection
    connection.close()
    server.drop(url)


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
