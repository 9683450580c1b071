"""A refused file given back with every bad cell marked, so people fix it where they made it.

For an .xlsx: the same workbook, each bad cell filled and carrying a comment that says
what to fix, plus a sheet listing all problems. For a CSV, an old .xls, or a web page or
SpreadsheetML 2003 file saved as .xls/.xlsx: an .xlsx made from the grid that was read, cell for
cell at the same row numbers, marked the same way, with a "Lỗi" column.
"""

from __future__ import annotations

import io
from collections import defaultdict

import openpyxl
from openpyxl.cell.cell import Cell, MergedCell
from openpyxl.comments import Comment
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from kpis.core.i18n import Lang, problem_message, t
from kpis.core.xlsx import ERROR_FILL, HEADER_FILL, HEADER_FONT, WARNING_FILL, WRAP, active_sheet, write_cell
from kpis.intake.csv_grid import grid_from_csv
from kpis.intake.ingest import IngestError
from kpis.intake.sheets import sheets_from_workbook
from kpis.intake.validate import Problem, Validated

AUTHOR = "NQ57"
PROBLEMS_SHEET = "Danh sách lỗi"


def _writable(ws: Worksheet, row: int, column: int) -> Cell | MergedCell:
    """The cell to mark: inside a merged range, the range's top-left cell (the others cannot hold a comment)."""
    cell = ws.cell(row=row, column=column)
    if isinstance(cell, MergedCell):
        for merged in ws.merged_cells.ranges:
            if cell.coordinate in merged:
                return ws.cell(row=merged.min_row, column=merged.min_col)
    return cell


def _mark(ws: Worksheet, problems: list[Problem], lang: Lang, first_col: int, fill=ERROR_FILL) -> dict[int, list[str]]:
    """Fill and comment each problem's cell; returns row -> messages for problems without a cell."""
    by_cell: dict[str, list[str]] = defaultdict(list)  # the cell marked (merged ranges: top-left) -> messages
    by_row: dict[int, list[str]] = defaultdict(list)
    for p in problems:
        if p.row is None:
            continue
        message = problem_message(p.code, p.params, lang)
        col = p.col if p.col is not None else first_col
        target = _writable(ws, p.row, col + 1)
        prefix = f"{t('col_row', lang)} {p.row}: " if target.row != p.row else ""  # a merged cell spans rows
        by_cell[target.coordinate].append(prefix + message)
        by_row[p.row].append(f"{p.column}: {message}" if p.column else message)
    for coordinate, messages in by_cell.items():
        cell = ws[coordinate]
        cell.fill = fill
        comment = Comment("\n".join(messages), AUTHOR)
        comment.width, comment.height = 320, 40 + 30 * len(messages)
        cell.comment = comment
    return by_row


def _problems_sheet(wb: openpyxl.Workbook, problems: list[Problem], warnings: list[Problem], lang: Lang) -> None:
    ws = wb.create_sheet(PROBLEMS_SHEET)
    headers = [t("col_row", lang), t("col_column", lang), t("col_problem", lang)]
    for j, h in enumerate(headers, start=1):
        cell = write_cell(ws.cell(row=1, column=j), h)
        cell.font, cell.fill = HEADER_FONT, HEADER_FILL
    for i, p in enumerate([*problems, *warnings], start=2):
        write_cell(ws.cell(row=i, column=1), p.row)
        write_cell(ws.cell(row=i, column=2), p.column or "")
        write_cell(ws.cell(row=i, column=3), problem_message(p.code, p.params, lang)).alignment = WRAP
        if p in warnings:
            for j in (1, 2, 3):
                ws.cell(row=i, column=j).fill = WARNING_FILL
    ws.column_dimensions["A"].width, ws.column_dimensions["B"].width, ws.column_dimensions["C"].width = 8, 18, 100
    ws.freeze_panes = "A2"


def _from_grid(grid: list[list], validated: Validated, lang: Lang) -> openpyxl.Workbook:
    """A new workbook holding the file's cells at their own row numbers, with a 'Lỗi' column."""
    wb = openpyxl.Workbook()
    ws = active_sheet(wb)
    ws.title = "Số liệu"
    width = max((len(r) for r in grid), default=0)
    for i, row in enumerate(grid, start=1):
        for j, value in enumerate(row, start=1):
            write_cell(ws.cell(row=i, column=j), value if value != "" else None)
    by_row = _mark(ws, validated.problems, lang, first_col=0)
    _mark(ws, validated.warnings, lang, first_col=0, fill=WARNING_FILL)
    table = validated.table
    errors_col = width + 1
    header_row = table.header_line if table else 1
    head = write_cell(ws.cell(row=header_row, column=errors_col), "Lỗi" if lang == "vi" else "Problems")
    head.font, head.fill = HEADER_FONT, ERROR_FILL
    for line, messages in by_row.items():
        write_cell(ws.cell(row=line, column=errors_col), "; ".join(messages)).alignment = WRAP
    ws.column_dimensions[get_column_letter(errors_col)].width = 80
    return wb


def annotated_copy(data: bytes, file_name: str, validated: Validated, lang: Lang = "vi") -> tuple[str, bytes] | None:
    """(file name, .xlsx bytes) of the person's own file with the problems marked; None if unreadable."""
    if validated.ok or validated.table is None:
        return None
    table = validated.table
    stem = file_name.rsplit(".", 1)[0]
    wb = None
    is_zip = data[:4] == b"PK\x03\x04"  # an HTML page named .xlsx is not opened with openpyxl: its grid is marked
    if table.kind == "workbook" and is_zip and file_name.lower().endswith((".xlsx", ".xlsm")):
        try:
            wb = openpyxl.load_workbook(io.BytesIO(data), keep_vba=False)
        except Exception:  # openpyxl cannot always reopen what calamine read: fall back to a copy of the cells
            wb = None
        if wb is not None and table.sheet in wb.sheetnames:
            ws = wb[table.sheet]
            _mark(ws, validated.problems, lang, first_col=min(table.column_index.values(), default=0))
            _mark(ws, validated.warnings, lang, first_col=min(table.column_index.values(), default=0), fill=WARNING_FILL)
            wb.active = wb.sheetnames.index(table.sheet)
        else:
            wb = None
    if wb is None:
        try:
            if table.kind == "csv":
                grid = grid_from_csv(data)
            elif table.sheet is None:  # a workbook's table always names its sheet
                return None
            else:
                grid = dict(sheets_from_workbook(data))[table.sheet]
        except (IngestError, KeyError):
            return None
        wb = _from_grid(grid, validated, lang)
    if PROBLEMS_SHEET in wb.sheetnames:
        del wb[PROBLEMS_SHEET]
    _problems_sheet(wb, validated.problems, validated.warnings, lang)
    buf = io.BytesIO()
    wb.save(buf)
    suffix = "_loi" if lang == "vi" else "_problems"
    return f"{stem}{suffix}.xlsx", buf.getvalue()
