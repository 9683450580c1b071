"""The limits a file must keep, and the error that refuses a file: shared by every reader of kpis.intake.

The limits stop one bad file from hurting the service: size on disk, size once decompressed,
number of rows, how far a sheet's cells reach. They live apart from the readers so that each
reader (CSV, workbook, the pre-parse checks, the table finder) reads them from one place, at
call time: a test lowers one here (monkeypatch limits.MAX_ROWS) and every reader sees it.
"""

from __future__ import annotations

from typing import Any

MAX_HEADER_SCAN = 30  # title rows above the header are normal in hand-made sheets
MAX_FILE_BYTES = 10 * 1024 * 1024  # also Streamlit's server.maxUploadSize (.streamlit/config.toml)
MAX_INFLATED_BYTES = 100 * 1024 * 1024  # a 20,000-row workbook inflates to about 10 MB
MAX_ROWS = 50_000
MAX_COLUMNS = 256  # as many as an old .xls can hold; the widest real form has about 30
MAX_CELLS = 5_000_000  # rows x columns of a sheet's grid: 100,000 rows of 50 columns; calamine allocates the whole grid

BLANK_ROW: list[Any] = []  # shared by every blank row of a grid: a blank row costs one pointer; never mutate it
Grid = list[list[Any]]


def row_budget() -> int:
    """Rows a sheet may reach: blank rows are allowed, within reason (read at call time: tests lower MAX_ROWS)."""
    return MAX_ROWS * 2 + MAX_HEADER_SCAN


class IngestError(Exception):
    """The file cannot be read at all; code and params are rendered by kpis.core.i18n."""

    def __init__(self, code: str, **params: Any) -> None:
        super().__init__(code)
        self.code = code
        self.params = params


def check_size(data: bytes, limit: int = MAX_FILE_BYTES) -> None:
    if len(data) > limit:
        raise IngestError("file_too_large", size=mb(len(data)), limit=mb(limit))


def mb(n: int) -> str:
    return f"{n / 1024 / 1024:.1f}".replace(".", ",")


def too_many_rows() -> IngestError:
    """file_too_many_rows, naming the limit as the person reads it (50.000)."""
    return IngestError("file_too_many_rows", limit=f"{MAX_ROWS:,}".replace(",", "."))
