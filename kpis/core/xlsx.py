"""Writing cells that a spreadsheet will not execute.

Text from uploads (unit names, notes) may start with "=", "+", "-" or "@"; Excel would
treat it as a formula. Every workbook we write goes through write_cell, which stores
such text as text, with Excel's quote prefix so it also shows as typed.
"""

from __future__ import annotations

from typing import Any

from openpyxl import Workbook
from openpyxl.cell.cell import Cell, MergedCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.worksheet.worksheet import Worksheet

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
HEADER_FONT = Font(bold=True)
HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
ERROR_FILL = PatternFill("solid", fgColor="FFC7CE")
WARNING_FILL = PatternFill("solid", fgColor="FFEB9C")
WRAP = Alignment(wrap_text=True, vertical="top")


def write_cell(cell: Cell | MergedCell, value: Any) -> Cell:
    """Set value; text that looks like a formula is stored as a literal string.

    Only a merged range's top-left cell holds a value; writing to another of its cells is a bug here.
    """
    if isinstance(cell, MergedCell):
        raise ValueError(f"cell {cell.coordinate} lies inside a merged range: write to the range's top-left cell")
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        cell.value = value
        cell.data_type = "s"
        cell.quotePrefix = True
    else:
        cell.value = value
    return cell


def active_sheet(wb: Workbook) -> Worksheet:
    """The active sheet as a worksheet: a new Workbook() always has one; a chartsheet cannot take cells."""
    ws = wb.active
    if not isinstance(ws, Worksheet):
        raise ValueError(f"the workbook's active sheet is {type(ws).__name__}, not a worksheet")
    return ws
