"""Workbook bytes -> every sheet as a grid: calamine, run in a limited child process (kpis.intake.sandbox).

The server checks the sizes (kpis.intake.inflate), then hands the bytes to a child that checks
how far the cells reach (kpis.intake.extent) and parses with calamine. parse_workbook is what the
child runs, by name ("kpis.intake.sheets:parse_workbook"), so it must stay importable here.
"""

from __future__ import annotations

import io
import os
import tempfile

import python_calamine

from kpis.intake import sandbox
from kpis.intake.extent import Extent, check_sheet_extent, refuse_far_cell
from kpis.intake.inflate import check_inflated_size
from kpis.intake.limits import BLANK_ROW, Grid, IngestError

_ENCRYPTED_OOXML = "EncryptionInfo".encode("utf-16-le")  # a password-protected .xlsx is an OLE file with this stream
SPREADSHEET_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".ods")
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def _read_sheets(wb: python_calamine.CalamineWorkbook) -> list[tuple[str, Grid]]:
    sheets = []
    for name in wb.sheet_names:
        sheet = wb.get_sheet_by_name(name)
        end_row, end_col = sheet.end or (0, 0)
        if sheet.height:  # what the byte scan cannot see (.xls, cells placed by order), before the grid is built
            extent = Extent()
            extent.see(end_row + 1, end_col + 1)
            refuse_far_cell(name, extent)
        grid = sheet.to_python(skip_empty_area=False)
        sheets.append((name, [row if any(v != "" and v is not None for v in row) else BLANK_ROW for row in grid]))
    return sheets


def _sheets_of(data: bytes) -> list[tuple[str, Grid]]:
    if data[:8] != OLE_MAGIC:
        return _read_sheets(python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data)))
    if _ENCRYPTED_OOXML in data:
        raise IngestError("file_password")
    # calamine recognises an encrypted .xls only when it reads it from a path ending in .xls
    fd, path = tempfile.mkstemp(suffix=".xls")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        return _read_sheets(python_calamine.CalamineWorkbook.from_path(path))
    finally:
        os.unlink(path)


def parse_workbook(data: bytes) -> list[tuple[str, Grid]]:
    """What the parsing child runs: the extent check, then calamine on the bytes, its errors turned into IngestError.

    The extent check is here, not in the server, because its XML pass takes time in proportion to
    the cells (seconds for a few million): the child's memory and time limits bound it.
    """
    try:
        if data[:4] == b"PK\x03\x04":
            check_sheet_extent(data)
        return _sheets_of(data)
    except IngestError:
        raise
    except python_calamine.PasswordError as e:
        raise IngestError("file_password") from e
    except BaseException as e:  # calamine raises several types, and a Rust panic is a BaseException
        if isinstance(e, (KeyboardInterrupt, SystemExit, GeneratorExit)):
            raise
        raise IngestError("file_not_xlsx") from e


def parse_workbook_guarded(data: bytes, memory: int | None = None, timeout: float | None = None) -> list[tuple[str, Grid]]:
    """parse_workbook in a child process with memory and time limits (kpis.intake.sandbox): its death is a refusal."""
    try:
        message = sandbox.run(data, "kpis.intake.sheets:parse_workbook", memory, timeout)
    except sandbox.ParserFailed as e:
        raise IngestError("file_parser_failed", reason=e.reason) from e
    kind, value, params = message
    if kind == "ok":
        return value
    if kind == "ingest_error":
        raise IngestError(value, **params)
    raise IngestError("file_not_xlsx")


def sheets_from_workbook(data: bytes) -> list[tuple[str, Grid]]:
    """Every sheet of a workbook as a grid: size and rows checked here (cheap), extent and parse in a child."""
    if data[:4] == b"PK\x03\x04":
        check_inflated_size(data)
    return parse_workbook_guarded(data)
