"""Workbook bytes -> every sheet as a grid: calamine, run in a limited child process (kpis.intake.sandbox).

The server checks the sizes (kpis.intake.inflate), then hands the bytes to a child that checks
how far the cells reach (kpis.intake.extent) and parses with calamine. parse_workbook is what the
child runs, by name ("kpis.intake.sheets:parse_workbook"), so it must stay importable here.

Files that lie about their type are told by their bytes, in the child too: an HTML table saved
as .xls (kpis.intake.html_grid) and SpreadsheetML 2003 saved as .xls (kpis.intake.xml2003_grid)
come back in the same shape as calamine's sheets. Hidden columns of an .xlsx or .ods are helper
columns, not data: their cells come back blank, the other columns keep their letters.
"""

from __future__ import annotations

import io
import os
import re
import tempfile
from typing import Literal

import python_calamine

from kpis.intake import sandbox
from kpis.intake.extent import Extent, HiddenColumns, check_sheet_extent, refuse_far_cell
from kpis.intake.inflate import check_inflated_size
from kpis.intake.limits import BLANK_ROW, Grid, IngestError

_ENCRYPTED_OOXML = "EncryptionInfo".encode("utf-16-le")  # a password-protected .xlsx is an OLE file with this stream
SPREADSHEET_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".ods")
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


Markup = Literal["html", "xml2003"]
# the first element's name, past <?xml …?>, <!DOCTYPE …> and comments (which start with ? or !)
_FIRST_ELEMENT = re.compile(r"<([A-Za-z_][\w.:-]*)")
_HTML_ELEMENTS = frozenset(
    "html head body meta title table thead tbody tr td th style link script base div p span font b i u h1 h2 h3 h4 h5 "
    "h6 center br form".split()
)


def sniff_markup(data: bytes) -> Markup | None:
    """'html' for a web page saved as .xls/.xlsx, 'xml2003' for SpreadsheetML 2003, None for anything else.

    Judged by the bytes (after a BOM and whitespace, the text must start with "<"): the first
    element is <Workbook> for SpreadsheetML, an HTML element (or <!DOCTYPE html>) for a page.
    """
    head = data[:8192]
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        text = head[: len(head) // 2 * 2].decode("utf-16", errors="ignore")
    else:
        text = head.removeprefix(b"\xef\xbb\xbf").decode("latin-1")  # ASCII-compatible: enough to read tag names
    text = text.lstrip()
    if not text.startswith("<"):
        return None
    first = _FIRST_ELEMENT.search(text)
    name = first.group(1).rpartition(":")[2].lower() if first else ""
    if name == "workbook":
        return "xml2003"
    if name in _HTML_ELEMENTS or text[:14].lower() == "<!doctype html":
        return "html"
    return None


def _read_sheets(wb: python_calamine.CalamineWorkbook, hidden: HiddenColumns) -> list[tuple[str, Grid]]:
    sheets = []
    for name in wb.sheet_names:
        sheet = wb.get_sheet_by_name(name)
        end_row, end_col = sheet.end or (0, 0)
        if sheet.height:  # what the byte scan cannot see (.xls, cells placed by order), before the grid is built
            extent = Extent()
            extent.see(end_row + 1, end_col + 1)
            refuse_far_cell(name, extent)
        grid = sheet.to_python(skip_empty_area=False)
        for low, high in hidden.get(name, ()):
            for row in grid:
                if len(row) >= low:  # a hidden helper column: blank, so that it is not read as data
                    stop = min(high, len(row))
                    row[low - 1 : stop] = [""] * (stop - low + 1)
        sheets.append((name, [row if any(v != "" and v is not None for v in row) else BLANK_ROW for row in grid]))
    return sheets


def _sheets_of(data: bytes, hidden: HiddenColumns | None = None) -> list[tuple[str, Grid]]:
    """calamine on the bytes (a child runs it by name in the tests: hidden is optional)."""
    if data[:8] != OLE_MAGIC:
        return _read_sheets(python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data)), hidden or {})
    if _ENCRYPTED_OOXML in data:
        raise IngestError("file_password")
    # calamine recognises an encrypted .xls only when it reads it from a path ending in .xls
    fd, path = tempfile.mkstemp(suffix=".xls")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        return _read_sheets(python_calamine.CalamineWorkbook.from_path(path), {})  # hidden columns of an .xls: not seen
    finally:
        os.unlink(path)


def parse_workbook(data: bytes) -> list[tuple[str, Grid]]:
    """What the parsing child runs: the extent check, then calamine on the bytes, its errors turned into IngestError.

    The extent check is here, not in the server, because its XML pass takes time in proportion to
    the cells (seconds for a few million): the child's memory and time limits bound it. So is the
    reading of an HTML page or a SpreadsheetML file saved as .xls, for the same reason.
    """
    markup = sniff_markup(data)
    if markup is not None:
        return _parse_markup(data, markup)
    try:
        hidden = check_sheet_extent(data) if data[:4] == b"PK\x03\x04" else {}
        return _sheets_of(data, hidden)
    except IngestError:
        raise
    except python_calamine.PasswordError as e:
        raise IngestError("file_password") from e
    except BaseException as e:  # calamine raises several types, and a Rust panic is a BaseException
        if isinstance(e, (KeyboardInterrupt, SystemExit, GeneratorExit, MemoryError)):
            raise  # MemoryError: the child's limit, reported as such (file_parser_failed), not as a broken file
        raise IngestError("file_not_xlsx") from e


def _parse_markup(data: bytes, markup: Markup) -> list[tuple[str, Grid]]:
    """An HTML page or SpreadsheetML file: its reader's errors, and any other failure, refused in words for that kind.

    The readers are imported here, not by the warm child before the file comes: a workbook's
    child keeps its small footprint, and these cost a few milliseconds when a page comes.
    """
    from kpis.intake.html_grid import sheets_from_html
    from kpis.intake.xml2003_grid import sheets_from_xml2003

    try:
        return sheets_from_html(data) if markup == "html" else sheets_from_xml2003(data)
    except (IngestError, MemoryError):
        raise
    except Exception as e:
        raise IngestError("file_html_broken" if markup == "html" else "file_xml2003_broken") from e


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
