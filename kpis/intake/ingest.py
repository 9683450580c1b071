"""File bytes -> a raw table: which reader, which sheet. The entry point of reading.

One code path for an upload, a CLI file and a test's BytesIO: everything starts from
bytes plus a file name. Each data row keeps the row number the person sees in their
spreadsheet, so that every message can point at it.

Files come as people make them in Excel on Vietnamese Windows: CSV in UTF-8 (with or
without BOM), Windows-1258 or UTF-16 with tabs; workbooks with an instructions sheet
first, title rows, merged cells, blank rows and a totals row. The limits stop one bad
file from hurting the service: size on disk, size once decompressed, number of rows.

The work is in the modules beside this one, one job each: limits (the limits and IngestError),
csv_grid (CSV decoding), inflate and extent (the checks before a workbook is parsed), sheets
(calamine in the sandbox child), html_grid and xml2003_grid (a web page or SpreadsheetML 2003
saved as .xls, read in the same child), table (header, data and totals rows). This module chooses
the reader by the file's type and the sheet by its header, and is what callers import.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from kpis.intake.csv_grid import TEXT_SUFFIXES, grid_from_csv
from kpis.intake.layout import WideHeader, find_wide, wide_table
from kpis.intake.limits import Grid, IngestError, check_size
from kpis.intake.schema import match_header
from kpis.intake.sheets import OLE_MAGIC, SPREADSHEET_SUFFIXES, sheets_from_workbook, sniff_markup
from kpis.intake.table import HeaderMatcher, RawRow, RawTable, TotalsRow, find_header, table_from_grid

MARKUP_SUFFIXES = (".htm", ".html", ".xml")  # what web systems also name their "Excel" exports

__all__ = ["IngestError", "RawRow", "RawTable", "TotalsRow", "read_table"]


def read_table(data: bytes, file_name: str, match: HeaderMatcher = match_header) -> RawTable:
    """Read an uploaded .csv or spreadsheet into a RawTable, or raise IngestError.

    match maps a header cell to a canonical column name (or None); the figures' contract
    is the default, and other sheets (task progress) pass their own. Of a workbook's
    sheets, the one whose header row matches the most columns is read (an instructions
    sheet first is normal).
    """
    if not data:
        raise IngestError("file_empty")
    check_size(data)
    lower = file_name.lower()
    is_zip = data[:4] == b"PK\x03\x04"
    is_ole = data[:8] == OLE_MAGIC  # legacy .xls, or an encrypted .xlsx
    sheets: Sequence[tuple[str | None, Grid]]  # a CSV is one nameless sheet
    # an HTML page or SpreadsheetML named .xls/.xlsx goes the workbook way: the child tells them by their bytes
    if lower.endswith(SPREADSHEET_SUFFIXES) or is_zip or is_ole:
        sheets, kind = sheets_from_workbook(data), "workbook"
    elif lower.endswith(TEXT_SUFFIXES):
        sheets, kind = [(None, grid_from_csv(data))], "csv"
    elif lower.endswith(MARKUP_SUFFIXES) and sniff_markup(data) is not None:  # the same export named .htm, .html, .xml
        sheets, kind = sheets_from_workbook(data), "workbook"
    else:
        raise IngestError("file_type", name=file_name)
    best: tuple[int, str | None, Grid, Any] | None = None
    for sheet, grid in sheets:
        wide = find_wide(grid) if match is match_header else None
        header = find_header(grid, match) if wide is None else None
        score = 100 + len(wide.groups) if wide is not None else len(header[1]) if header is not None else 0
        if score and (best is None or score > best[0]):
            best = (score, sheet, grid, wide or header)
    if best is None:
        raise IngestError("file_no_header")
    _, sheet, grid, found = best
    if isinstance(found, WideHeader):
        return wide_table(file_name, sheet, grid, found, kind)
    return table_from_grid(file_name, sheet, grid, found, kind)
