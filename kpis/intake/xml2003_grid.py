"""SpreadsheetML 2003 (the "XML Spreadsheet" Excel 2003 saves, and web systems write as .xls) -> one grid per Worksheet.

Parsed with defusedxml, with any DTD refused: Excel never writes one, and a DTD is how entity
expansion (a billion laughs) and external entities (a file of the server read into a cell) come
in. One streaming pass, each Row dropped once read, in the parsing child (kpis.intake.sheets).
Cells are placed as Excel places them: ss:Index skips to a column (Row ss:Index to a row), a cell
without one goes after the previous cell and its merge (ss:MergeAcross) and past the cells merged
down from above (ss:MergeDown); the merged cells are blank. A hidden column (<Column ss:Hidden="1">)
is a helper column, not data: its cells are blank, the columns keep their letters.
"""

from __future__ import annotations

import datetime as dt
import io
import itertools
import math
from typing import Any
from xml.etree.ElementTree import Element, ParseError

import defusedxml.ElementTree as safe_etree
from defusedxml import DefusedXmlException

from kpis.intake import limits
from kpis.intake.extent import Extent, refuse_far_cell
from kpis.intake.limits import BLANK_ROW, Grid, IngestError

NAMESPACE = "urn:schemas-microsoft-com:office:spreadsheet"
_EXACT_FLOAT = 2**53  # past this a float is not a whole count anyway: kept as a float, as calamine keeps it


def _local(tag: str) -> str:
    return tag.rpartition("}")[2]


def _attr(el: Element, name: str) -> str | None:
    """ss:Name as Excel writes it (in the spreadsheet namespace), or unprefixed as some generators do."""
    value = el.get(f"{{{NAMESPACE}}}{name}")
    return el.get(name) if value is None else value


def _number(el: Element, name: str, default: int) -> int:
    value = (_attr(el, name) or "").strip()
    return int(value) if value.isdigit() and len(value) <= 9 else default


def _value(data: Element | None) -> Any:
    """A <Data>'s value by its ss:Type: Number -> int when whole else float, DateTime -> datetime, Boolean -> bool."""
    if data is None:
        return ""
    text = "".join(data.itertext())  # rich text (<Font>, <B> inside <ss:Data>) joined, as Excel shows it
    kind = _attr(data, "Type")
    if kind == "Number":
        try:
            number = float(text)
        except ValueError:
            return text.strip()
        if math.isfinite(number) and number.is_integer() and abs(number) < _EXACT_FLOAT:
            return int(number)
        return number
    if kind == "DateTime":
        try:
            return dt.datetime.fromisoformat(text.strip())
        except ValueError:
            return text.strip()
    if kind == "Boolean":
        return text.strip() in ("1", "true", "TRUE", "True")
    return text


class _Sheet:
    """One Worksheet being read: its grid, its hidden columns, the cells merged down from rows above."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.grid: Grid = []
        self.extent = Extent()
        self.hidden: set[int] = set()  # 0-based columns hidden (within the widest sheet: past it nothing is placed)
        self.next_column = 0  # 0-based, for the next <Column> without ss:Index
        self.next_row = 0  # 0-based, for the next <Row> without ss:Index
        self.busy: dict[int, int] = {}  # 0-based column -> the last 0-based row a MergeDown from above covers

    def column(self, el: Element) -> None:
        index = _number(el, "Index", 0)
        start = index - 1 if index > 0 else self.next_column
        span = _number(el, "Span", 0)
        self.next_column = start + span + 1
        if (_attr(el, "Hidden") or "").strip() in ("1", "true"):
            self.hidden.update(range(start, min(start + span + 1, limits.MAX_COLUMNS + 1)))

    def row(self, el: Element) -> None:
        """Place one Row's cells; an ss:Index that goes back (Excel refuses such a file) is file_xml2003_broken."""
        index = _number(el, "Index", 0)
        if 0 < index <= self.next_row:
            raise IngestError("file_xml2003_broken")
        r = index - 1 if index > 0 else self.next_row
        self.next_row = r + _number(el, "Span", 0) + 1
        values: list[Any] = []
        col = 0
        for cell in el:
            if _local(cell.tag) != "Cell":
                continue
            given = _number(cell, "Index", 0)
            if given > 0:
                if given <= col:
                    raise IngestError("file_xml2003_broken")
                col = given - 1
            else:
                while self.busy.get(col, -1) >= r:  # merged down from a row above: the cell goes after it
                    col += 1
            across, down = _number(cell, "MergeAcross", 0), _number(cell, "MergeDown", 0)
            if down:  # columns only move right within a row: at most the widest sheet's columns per row
                for c in range(col, min(col + across + 1, limits.MAX_COLUMNS + 1)):
                    self.busy[c] = r + down
            value = _value(next((d for d in cell if _local(d.tag) == "Data"), None))
            if value != "" and col not in self.hidden:
                self.extent.see(r + 1, col + 1)
                refuse_far_cell(self.name, self.extent)  # before the grid grows to reach it
                if len(values) <= col:
                    values.extend(itertools.repeat("", col + 1 - len(values)))
                values[col] = value
            col += across + 1
        if values:
            self.grid.extend(itertools.repeat(BLANK_ROW, r - len(self.grid)))
            self.grid.append(values)


def sheets_from_xml2003(data: bytes) -> list[tuple[str, Grid]]:
    """Every Worksheet as a grid, or IngestError: file_xml2003_unsafe (a DTD), file_xml2003_broken (not well-formed)."""
    sheets: list[_Sheet] = []
    stack: list[Element] = []
    try:
        for event, el in safe_etree.iterparse(io.BytesIO(data), events=("start", "end"), forbid_dtd=True):
            if event == "start":
                stack.append(el)
                if _local(el.tag) == "Worksheet":
                    sheets.append(_Sheet(_attr(el, "Name") or f"Sheet{len(sheets) + 1}"))
                continue
            stack.pop()
            tag = _local(el.tag)
            if not sheets or not stack or _local(stack[-1].tag) != "Table":
                if tag == "Worksheet":
                    el.clear()
                continue
            if tag == "Row":
                sheets[-1].row(el)
                del stack[-1][:]  # the Table forgets its rows once read: memory stays that of one row
            elif tag == "Column":
                sheets[-1].column(el)
    except DefusedXmlException as e:
        raise IngestError("file_xml2003_unsafe") from e
    except ParseError as e:
        raise IngestError("file_xml2003_broken") from e
    if not sheets:
        raise IngestError("file_xml2003_broken")
    return [(sheet.name, sheet.grid) for sheet in sheets]
