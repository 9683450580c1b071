"""How far a workbook's valued cells reach, judged before calamine allocates their grid (in the parsing child).

A sheet whose cells reach row 1,048,576 or column XFD makes calamine allocate the whole grid; a
cheap byte scan picks the suspect sheets and a streaming expat pass (constant memory) measures
them, as calamine places cells. Separate from kpis.intake.inflate because this pass costs time in
proportion to the cells, so it runs only in the child, under its memory and time limits.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from kpis.intake import limits
from kpis.intake.inflate import TAIL, ZIP_ERRORS, is_worksheet, row_tags
from kpis.intake.limits import IngestError, row_budget

HiddenColumns = dict[str, list[tuple[int, int]]]  # sheet name -> column ranges hidden (1-based, inclusive)


def check_sheet_extent(data: bytes) -> HiddenColumns:
    """Refuse a zip-based workbook whose valued cells reach past the limits, before calamine allocates their grid.

    Runs in the parsing child (parse_workbook), under its memory and time limits: the streaming
    XML pass costs time in proportion to the cells. A cheap byte scan picks the sheets worth it (a
    far r= reference, or cells written without r=); only those are read as XML, to judge by the
    cells that really hold a value, as calamine does (it ignores <dimension> and empty styled cells).

    Returns each sheet's hidden columns (helper columns, not data: kpis.intake.sheets blanks
    them), read on the way: an .xlsx sheet's <cols> before its <sheetData>, an .ods table's
    collapsed <table:table-column>s in the pass over content.xml.
    """
    hidden: HiddenColumns = {}
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            sheets = [m for m in zf.infolist() if is_worksheet(m)]
            suspects = [m for m in sheets if _is_suspect(zf, m)]
            ranges = {m.filename: found for m in sheets if (found := _xlsx_hidden_columns(zf, m))}
            names = _xlsx_sheet_names(zf) if suspects or ranges else {}
            for member in suspects:
                with zf.open(member) as f:
                    refuse_far_cell(names.get(member.filename, member.filename.rsplit("/", 1)[-1]), _xlsx_extent(f))
            for part, found in ranges.items():
                if part in names:
                    hidden[names[part]] = found
            if "content.xml" in zf.namelist() and _is_ods(zf):
                with zf.open("content.xml") as f:
                    for sheet, extent in _ods_extents(f, hidden):
                        refuse_far_cell(sheet, extent)
    except ZIP_ERRORS as e:
        raise IngestError("file_not_xlsx") from e
    return hidden


_COLS_PREFIX = 8 << 20  # <cols> comes before <sheetData>: 16,384 <col> elements are about 1 MB
_COL_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?col\s[^>]*>")
_COL_ATTR = re.compile(rb"""\s(min|max|hidden)\s*=\s*["']([^"']{0,16})["']""")


def _xlsx_hidden_columns(zf: zipfile.ZipFile, member: zipfile.ZipInfo) -> list[tuple[int, int]]:
    """The column ranges a worksheet hides (<col min max hidden="1">), read from the bytes before <sheetData>."""
    head = bytearray()
    with zf.open(member) as f:
        while len(head) < _COLS_PREFIX and (chunk := f.read(1 << 16)):
            start = max(0, len(head) - 16)  # "sheetData" cut in two by the chunks is still found
            head += chunk
            stop = head.find(b"sheetData", start)
            if stop >= 0:
                del head[stop:]
                break
    ranges = []
    for tag in _COL_TAG.finditer(head):
        attrs = {k: v for k, v in _COL_ATTR.findall(tag.group())}
        low, high = attrs.get(b"min", b""), attrs.get(b"max", b"")
        if attrs.get(b"hidden") in (b"1", b"true") and low.isdigit() and high.isdigit():
            ranges.append((int(low), int(high)))
    return ranges


def _is_suspect(zf: zipfile.ZipFile, member: zipfile.ZipInfo) -> bool:
    """A far r= reference, or more rows and cells than r= attributes (some cell is placed by order): read it as XML."""
    missing, tail, prefixed, single_quotes = 0, b"", False, False
    with zf.open(member) as f:
        while chunk := f.read(1 << 20):
            if not tail:  # the first chunk says how the sheet writes its tags
                prefixed, single_quotes = b":worksheet" in chunk[:4096], b"='" in chunk
            window = tail + chunk
            added, again = row_tags(window), row_tags(tail)
            missing += _refs_short(window, added, prefixed, single_quotes)
            missing -= _refs_short(tail, again, prefixed, single_quotes)
            if _FAR_REF.search(window):
                return True
            tail = chunk[-TAIL:]
    return missing > 0


# a cell or row reference at column 105 (DA) or beyond, or at row 100000 or beyond: worth a closer look
# (a literal start, so the regex engine skips ahead quickly; a false alarm only costs the closer look)
_FAR_REF = re.compile(rb"""r=["'](?:[D-Zd-z][A-Za-z]|[A-Za-z]{3}|[A-Za-z]*[0-9]{6})""")


def _refs_short(xml: bytes, rows: int, prefixed: bool, single_quotes: bool) -> int:
    """Rows and cells minus r= attributes in a chunk: above 0, some cell's place follows from the cells before it.

    Prefixed tags (<x:c>) and single-quoted attributes are counted only in sheets that use them: each count is a pass.
    """
    cells = xml.count(b"<c ") + xml.count(b"<c>")
    refs = xml.count(b' r="')
    if prefixed:
        cells += xml.count(b":c ") + xml.count(b":c>")
    if single_quotes:
        refs += xml.count(b" r='")
    return rows + cells - refs


_REF = re.compile(r"([A-Za-z]{1,3})?([0-9]{1,7})$")


@dataclass
class Extent:
    """How far a sheet's cells that hold a value reach (1-based), and the cell that reaches furthest out."""

    rows: int = 0
    columns: int = 0
    far_cell: str | None = None  # the first cell found past the limits, as Excel names it

    def see(self, row: int, column: int, last_row: int | None = None, last_column: int | None = None) -> None:
        last_row, last_column = last_row or row, last_column or column
        self.rows, self.columns = max(self.rows, last_row), max(self.columns, last_column)
        if self.far_cell is None and (
            last_row > row_budget() or last_column > limits.MAX_COLUMNS or self.rows * self.columns > limits.MAX_CELLS
        ):
            self.far_cell = cell_name(
                min(last_row, max(row, row_budget() + 1)), min(last_column, max(column, limits.MAX_COLUMNS + 1))
            )


def column_letters(n: int) -> str:
    """1 -> A, 27 -> AA, 16384 -> XFD."""
    out = ""
    while n > 0:
        n, rem = divmod(n - 1, 26)
        out = chr(65 + rem) + out
    return out


def cell_name(row: int, column: int) -> str:
    return f"{column_letters(column)}{row}"


def _column_number(letters: str) -> int:
    n = 0
    for ch in letters.upper():
        n = n * 26 + ord(ch) - 64
    return n


def refuse_far_cell(sheet: str, extent: Extent) -> None:
    if extent.far_cell is not None:
        raise IngestError(
            "file_sheet_extent",
            sheet=sheet,
            cell=extent.far_cell,
            max_rows=f"{row_budget():,}".replace(",", "."),
            max_columns=limits.MAX_COLUMNS,
            last_column=column_letters(limits.MAX_COLUMNS),
        )


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _xlsx_sheet_names(zf: zipfile.ZipFile) -> dict[str, str]:
    """Worksheet part name -> the sheet's name as the tab shows it (best effort: {} if unreadable)."""
    import xml.etree.ElementTree as ET

    try:
        rels = ET.fromstring(zf.read("xl/_rels/workbook.xml.rels"))
        targets = {r.get("Id"): r.get("Target", "") for r in rels if _local(r.tag) == "Relationship"}
        book = ET.fromstring(zf.read("xl/workbook.xml"))
    except (KeyError, ET.ParseError):
        return {}
    names = {}
    for el in book.iter():
        if _local(el.tag) == "sheet":
            rid = next((v for k, v in el.attrib.items() if _local(k) == "id"), None)
            target = targets.get(rid, "")
            part = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
            names[part] = el.get("name", part)
    return names


Handler = Callable[[str, str, dict[str, str], str | None, bool], None]


def _pull(f: Any, handle: Handler) -> None:
    """Feed XML from f to handle(event, tag, attributes, parent tag, has text) in 64 KB chunks, in constant memory.

    expat callbacks, no element tree: a row of millions of cells costs what one cell does (and is
    several times faster than ElementTree's pull parser). Tags and attribute names are local (no
    namespace); has_text says, at an element's end, whether text came directly inside it.
    """
    from xml.parsers import expat

    open_tags: list[tuple[str, dict[str, str]]] = []
    text = [False]

    def start(name: str, attrs: dict[str, str]) -> None:
        tag = name.rpartition(" ")[2]
        if attrs:
            attrs = {k.rpartition(" ")[2]: v for k, v in attrs.items()}
        handle("start", tag, attrs, open_tags[-1][0] if open_tags else None, False)
        open_tags.append((tag, attrs))
        text[0] = False

    def end(name: str) -> None:
        tag, attrs = open_tags.pop()
        handle("end", tag, attrs, open_tags[-1][0] if open_tags else None, text[0])
        text[0] = False

    def chars(data: str) -> None:
        if data:
            text[0] = True

    parser = expat.ParserCreate(namespace_separator=" ")
    parser.buffer_text = True
    parser.StartElementHandler, parser.EndElementHandler, parser.CharacterDataHandler = start, end, chars
    try:
        while chunk := f.read(1 << 16):
            parser.Parse(chunk, False)
        parser.Parse(b"", True)
    except expat.ExpatError:
        return  # calamine judges broken XML on its own


def _xlsx_extent(f: Any) -> Extent:
    """The extent of one worksheet's valued cells, placed as calamine places them (r=, else after the previous)."""
    extent = Extent()
    state = {"row": 0, "col": 0, "valued": False}

    def handle(event: str, tag: str, attrs: dict[str, str], parent: str | None, has_text: bool) -> None:
        if event == "start":
            if tag == "row":
                r = attrs.get("r")
                state["row"] = int(r) if r and r.isdigit() else state["row"] + 1
                state["col"] = 0
            elif tag == "c":
                state["valued"] = False
            return
        if tag == "c":
            ref = _REF.match(attrs.get("r") or "")
            if ref and ref.group(1):
                row, col = int(ref.group(2)), _column_number(ref.group(1))
            else:
                row, col = state["row"], state["col"] + 1
            state["col"] = col
            if state["valued"]:
                extent.see(row, col)
        elif parent == "c" and (tag == "is" or (tag in ("v", "f") and has_text)):
            state["valued"] = True  # a value of the cell being read (its own child, as calamine reads it)

    _pull(f, handle)
    return extent


def _is_ods(zf: zipfile.ZipFile) -> bool:
    try:
        return zf.read("mimetype").strip() == b"application/vnd.oasis.opendocument.spreadsheet"
    except KeyError:
        return True  # calamine may still try it as OpenDocument: judge it like one


def _ods_extents(f: Any, hidden: HiddenColumns) -> list[tuple[str, Extent]]:
    """Each table's extent of valued cells, with table:number-rows/columns-repeated counted as repeats.

    On the way, each table's collapsed (hidden) columns go into hidden, by table name.
    """
    tables: list[tuple[str, Extent]] = []
    state = {"row": 0, "col": 0, "reps": 1, "valued": False, "column": 0}
    cells = ("table-cell", "covered-table-cell")

    def repeat(attrs: dict[str, str], name: str) -> int:
        value = attrs.get(name) or "1"
        return int(value) if value.isdigit() else 1

    def handle(event: str, tag: str, attrs: dict[str, str], parent: str | None, has_text: bool) -> None:
        if event == "start":
            if tag == "table":
                tables.append((attrs.get("name") or f"#{len(tables) + 1}", Extent()))
                state["row"], state["column"] = 0, 0
            elif tag == "table-column" and tables:
                first, reps = state["column"] + 1, repeat(attrs, "number-columns-repeated")
                state["column"] += reps
                if attrs.get("visibility") == "collapse":
                    hidden.setdefault(tables[-1][0], []).append((first, first + reps - 1))
            elif tag == "table-row":
                state["col"], state["reps"] = 0, repeat(attrs, "number-rows-repeated")
            elif tag in cells:
                state["valued"] = attrs.get("value-type") is not None
            return
        if tag in cells and tables:
            reps = repeat(attrs, "number-columns-repeated")
            if state["valued"]:
                first_row, first_col = state["row"] + 1, state["col"] + 1
                tables[-1][1].see(first_row, first_col, state["row"] + state["reps"], state["col"] + reps)
            state["col"] += reps
        elif tag == "table-row":
            state["row"] += state["reps"]
        elif tag == "p" and parent in cells:
            state["valued"] = True  # text in the cell itself (not in a note inside it)

    _pull(f, handle)
    return tables
