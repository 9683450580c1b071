"""The limits a file must keep, and the error that refuses a file: shared by every reader of kpis.intake.

The limits stop one bad file from hurting the service: size on disk, size once decompressed,
number of rows, how far a sheet's cells reach. They live apart from the readers so that each
reader (CSV, workbook, the pre-parse checks, the table finder) reads them from one place, at
call time: a test lowers one here (monkeypatch limits.MAX_ROWS) and every reader sees it.
"""

from __future__ import annotations

from typing import Any

from kpis.core import settings
from kpis.core.errors import KpisError

# declared (with their help text) in kpis.core.settings; named here so that a test can lower one for every reader
MAX_HEADER_SCAN = settings.MAX_HEADER_SCAN
MAX_FILE_BYTES = settings.MAX_FILE_BYTES
MAX_INFLATED_BYTES = settings.MAX_INFLATED_BYTES
MAX_ROWS = settings.MAX_ROWS
MAX_COLUMNS = settings.MAX_COLUMNS
MAX_CELLS = settings.MAX_CELLS

BLANK_ROW: list[Any] = []  # shared by every blank row of a grid: a blank row costs one pointer; never mutate it
Grid = list[list[Any]]


def row_budget() -> int:
    """Rows a sheet may reach: blank rows are allowed, within reason (read at call time: tests lower MAX_ROWS)."""
    return settings.sheet_rows(MAX_ROWS)


class IngestError(KpisError):
    """The file cannot be read at all; code and params are rendered by kpis.core.i18n."""


def check_size(data: bytes, limit: int = MAX_FILE_BYTES) -> None:
    if len(data) > limit:
        raise IngestError("file_too_large", size=mb(len(data)), limit=mb(limit))


def mb(n: int) -> str:
    return f"{n / 1024 / 1024:.1f}".replace(".", ",")


def too_many_rows() -> IngestError:
    """file_too_many_rows; the limit is a number, written the reader's way (50.000 / 50,000) by problem_message."""
    return IngestError("file_too_many_rows", limit=MAX_ROWS)


def value_budget() -> int:
    """Values a one-row-per-unit form may hold (a value per unit and indicator): four per allowed row, so that a
    wide sheet of 50,000 rows and 128 column pairs cannot make millions of records (read at call time)."""
    return 4 * MAX_ROWS


def too_many_values() -> IngestError:
    return IngestError("file_too_many_values", limit=value_budget())
