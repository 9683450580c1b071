"""File bytes -> a raw table: format sniffing, encodings, header detection, limits.

One code path for an upload, a CLI file and a test's BytesIO: everything starts from
bytes plus a file name. Each data row keeps the row number the person sees in their
spreadsheet, so that every message can point at it.

Files come as people make them in Excel on Vietnamese Windows: CSV in UTF-8 (with or
without BOM), Windows-1258 or UTF-16 with tabs; workbooks with an instructions sheet
first, title rows, merged cells, blank rows and a totals row. The limits stop one bad
file from hurting the service: size on disk, size once decompressed, number of rows.
"""

from __future__ import annotations

import bisect
import csv
import io
import itertools
import os
import re
import tempfile
import unicodedata
import zipfile
import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import python_calamine

from kpis.core.errors import KpisError
from kpis.core.settings import MAX_CELLS, MAX_COLUMNS, MAX_FILE_BYTES, MAX_HEADER_SCAN, MAX_INFLATED_BYTES, MAX_ROWS, sheet_rows
from kpis.core.text import fold, nfc
from kpis.intake import sandbox
from kpis.intake.schema import match_header

TOTALS_LABELS = frozenset({"tong cong", "cong", "tong", "tong so", "total", "totals"})
SUBTOTAL_LABELS = frozenset({"cong"})  # "Cộng" sums its section; the others sum every row above
_ENCRYPTED_OOXML = "EncryptionInfo".encode("utf-16-le")  # a password-protected .xlsx is an OLE file with this stream
SPREADSHEET_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".ods")
TEXT_SUFFIXES = (".csv", ".txt", ".tsv")

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
HeaderMatcher = Callable[[str], str | None]


def row_budget() -> int:
    """Rows a sheet may reach: blank rows are allowed, within reason (read at call time: tests lower MAX_ROWS)."""
    return sheet_rows(MAX_ROWS)


class IngestError(KpisError):
    """The file cannot be read at all; code and params are rendered by kpis.core.i18n."""


@dataclass
class RawRow:
    line: int  # the spreadsheet row number (1-based, as shown by Excel)
    cells: dict[str, Any]  # canonical column -> raw value


@dataclass
class TotalsRow:
    line: int
    cells: dict[str, Any]
    first_line: int  # the first data row the totals row sums
    last_line: int


@dataclass
class RawTable:
    """The file's data rows as columns (canonical name -> values), with their row numbers."""

    file_name: str
    sheet: str | None
    header_line: int
    columns: dict[str, str]  # canonical column -> header as the person wrote it
    unknown_columns: list[str] = field(default_factory=list)
    lines: list[int] = field(default_factory=list)  # spreadsheet row number of each data row
    data: dict[str, list[Any]] = field(default_factory=dict)  # canonical column -> one value per data row
    column_index: dict[str, int] = field(default_factory=dict)  # canonical column -> 0-based sheet column
    totals: list[TotalsRow] = field(default_factory=list)
    kind: str = "csv"  # "csv" or "workbook": how a refused file is given back

    @cached_property
    def rows(self) -> list[RawRow]:
        """The same data row by row, for readers that check one row at a time."""
        names = list(self.data)
        return (
            [
                RawRow(line, dict(zip(names, values, strict=True)))
                for line, values in zip(self.lines, zip(*self.data.values(), strict=True), strict=True)
            ]
            if names
            else []
        )


def check_size(data: bytes, limit: int = MAX_FILE_BYTES) -> None:
    if len(data) > limit:
        raise IngestError("file_too_large", size=_mb(len(data)), limit=_mb(limit))


def _mb(n: int) -> str:
    return f"{n / 1024 / 1024:.1f}".replace(".", ",")


def check_inflated_size(data: bytes, limit: int = MAX_INFLATED_BYTES) -> None:
    """Refuse a zip-based workbook that would inflate past limit, or that has too many rows, before parsing.

    This runs in the server process, so it does only what is cheap and bounded: the declared
    sizes (instant), then each member inflated in 1 MB chunks and counted (a file whose headers
    lie is stopped once it passes the limit), and each sheet's row tags counted with bytes.count.
    No XML is built here: how far the cells reach is judged in the parsing child (check_sheet_extent).
    """
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            members = zf.infolist()
            declared = sum(m.file_size for m in members)
            if declared > limit:
                raise IngestError("file_inflates", size=_mb(declared), limit=_mb(limit))
            total = 0
            for member in members:
                is_sheet = _is_sheet(member)
                rows, tail = 0, b""
                with zf.open(member) as f:
                    while chunk := f.read(1 << 20):
                        total += len(chunk)
                        if total > limit:
                            raise IngestError("file_inflates", size=f"> {_mb(limit)}", limit=_mb(limit))
                        if is_sheet:  # count rows while inflating, before any reader turns them into objects
                            rows += _row_tags(tail + chunk) - _row_tags(tail)
                            if rows > row_budget():
                                raise IngestError("file_too_many_rows", limit=f"{MAX_ROWS:,}".replace(",", "."))
                            tail = chunk[-_TAIL:]
    except _ZIP_ERRORS as e:
        raise IngestError("file_not_xlsx") from e


_ZIP_ERRORS = (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, OSError, ValueError, NotImplementedError, zlib.error)


def _is_sheet(member: zipfile.ZipInfo) -> bool:
    return member.filename.startswith("xl/worksheets/") and member.filename.endswith(".xml")


def check_sheet_extent(data: bytes) -> None:
    """Refuse a zip-based workbook whose valued cells reach past the limits, before calamine allocates their grid.

    Runs in the parsing child (parse_workbook), under its memory and time limits: the streaming
    XML pass costs time in proportion to the cells. A cheap byte scan picks the sheets worth it (a
    far r= reference, or cells written without r=); only those are read as XML, to judge by the
    cells that really hold a value, as calamine does (it ignores <dimension> and empty styled cells).
    """
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            suspects = [m for m in zf.infolist() if _is_sheet(m) and _is_suspect(zf, m)]
            if suspects:
                names = _xlsx_sheet_names(zf)
                for member in suspects:
                    with zf.open(member) as f:
                        _refuse_far_cell(names.get(member.filename, member.filename.rsplit("/", 1)[-1]), _xlsx_extent(f))
            if "content.xml" in zf.namelist() and _is_ods(zf):
                with zf.open("content.xml") as f:
                    for sheet, extent in _ods_extents(f):
                        _refuse_far_cell(sheet, extent)
    except _ZIP_ERRORS as e:
        raise IngestError("file_not_xlsx") from e


def _is_suspect(zf: zipfile.ZipFile, member: zipfile.ZipInfo) -> bool:
    """A far r= reference, or more rows and cells than r= attributes (some cell is placed by order): read it as XML."""
    missing, tail, prefixed, single_quotes = 0, b"", False, False
    with zf.open(member) as f:
        while chunk := f.read(1 << 20):
            if not tail:  # the first chunk says how the sheet writes its tags
                prefixed, single_quotes = b":worksheet" in chunk[:4096], b"='" in chunk
            window = tail + chunk
            added, again = _row_tags(window), _row_tags(tail)
            missing += _refs_short(window, added, prefixed, single_quotes)
            missing -= _refs_short(tail, again, prefixed, single_quotes)
            if _FAR_REF.search(window):
                return True
            tail = chunk[-_TAIL:]
    return missing > 0


def _row_tags(xml: bytes) -> int:
    """Row elements in a chunk of sheet XML (bytes.count: fast enough to run on every file)."""
    return xml.count(b"<row ") + xml.count(b"<row>") + xml.count(b":row ") + xml.count(b":row>")


_TAIL = 256  # bytes carried from one inflated chunk to the next, so that a tag cut in two is still seen
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
            last_row > row_budget() or last_column > MAX_COLUMNS or self.rows * self.columns > MAX_CELLS
        ):
            self.far_cell = cell_name(min(last_row, max(row, row_budget() + 1)), min(last_column, max(column, MAX_COLUMNS + 1)))


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


def _refuse_far_cell(sheet: str, extent: Extent) -> None:
    if extent.far_cell is not None:
        raise IngestError(
            "file_sheet_extent",
            sheet=sheet,
            cell=extent.far_cell,
            max_rows=f"{row_budget():,}".replace(",", "."),
            max_columns=MAX_COLUMNS,
            last_column=column_letters(MAX_COLUMNS),
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


def _ods_extents(f: Any) -> list[tuple[str, Extent]]:
    """Each table's extent of valued cells, with table:number-rows/columns-repeated counted as repeats."""
    tables: list[tuple[str, Extent]] = []
    state = {"row": 0, "col": 0, "reps": 1, "valued": False}
    cells = ("table-cell", "covered-table-cell")

    def repeat(attrs: dict[str, str], name: str) -> int:
        value = attrs.get(name) or "1"
        return int(value) if value.isdigit() else 1

    def handle(event: str, tag: str, attrs: dict[str, str], parent: str | None, has_text: bool) -> None:
        if event == "start":
            if tag == "table":
                tables.append((attrs.get("name") or f"#{len(tables) + 1}", Extent()))
                state["row"] = 0
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


def decode_text(data: bytes) -> str:
    """Bytes of a CSV as Excel writes it -> NFC text (UTF-8 with/without BOM, UTF-16, Windows-1258).

    A file must be in one encoding. Mostly UTF-8 with a stray byte (a row pasted from a
    Windows-1258 file) is refused as file_mixed_encoding, naming the line: read whole as
    Windows-1258 it would turn every Vietnamese letter into mojibake ("BÃ¡n", "CÆ°á»£m") and
    create new units under those names. A genuine Windows-1258 file has no UTF-8 sequences
    for Vietnamese letters, so it is still read.
    """
    if data.startswith(b"\xff\xfe") or data.startswith(b"\xfe\xff"):
        text = data.decode("utf-16")
    elif data.startswith(b"\xef\xbb\xbf"):
        text = data[3:].decode("utf-8", errors="surrogateescape")
        if bad := _STRAY_BYTE_RE.search(text):
            raise _mixed_encoding(text, bad.start())  # the BOM says UTF-8: any other byte is a mix
    elif len(data) >= 4 and data[1:4:2] == b"\x00\x00" and data[0] != 0:
        text = data.decode("utf-16-le")
    elif len(data) >= 4 and data[0:4:2] == b"\x00\x00" and data[1] != 0:
        text = data.decode("utf-16-be")
    else:
        text = data.decode("utf-8", errors="surrogateescape")  # each invalid byte -> one lone surrogate
        if bad := _STRAY_BYTE_RE.search(text):
            if viet := _UTF8_VIETNAMESE_RE.search(text):
                # name the lines of the smaller kind: the stray bytes in a UTF-8 file, or the
                # UTF-8-looking letters in a Windows-1258 file that was garbled once and saved again
                if _lines(text, _STRAY_BYTE_RE) <= _lines(text, _UTF8_VIETNAMESE_RE):
                    raise _mixed_encoding(text, bad.start())
                raise _mixed_encoding(text, viet.start(), _UTF8_VIETNAMESE_RE)
            try:
                text = data.decode("cp1258")  # tone marks as combining characters: NFC below
            except UnicodeDecodeError as e:
                raise IngestError("file_encoding") from e
            if garbled := _MOJIBAKE_RE.search(unicodedata.normalize("NFC", text)):
                raise _mixed_encoding(unicodedata.normalize("NFC", text), garbled.start(), _MOJIBAKE_RE)
    return nfc(text)


_STRAY_BYTE_RE = re.compile("[\udc80-\udcff]")
# A precomposed Vietnamese letter decoded from a valid UTF-8 multi-byte sequence: the evidence that a
# file is UTF-8. Only Vietnamese letters count: Windows-1258 writes tone marks as their own bytes
# (0xCC grave, 0xD2 hook…), and such a byte before a curly quote or "…" is valid UTF-8 for a
# combining mark or another script's letter ("“về”" in Windows-1258 holds 0xCC 0x94 = U+0314).
# (Ă before a quote, 0xC3 0x93, would read as "Ó"; but no Vietnamese syllable ends in Ă.)
_UTF8_VIETNAMESE_RE = re.compile("[ÀÁÂÃÈÉÊÌÍÒÓÔÕÙÚÝàáâãèéêìíòóôõùúýĂăĐđĨĩŨũƠơƯư\u1ea0-\u1ef9]")
# UTF-8 of a Vietnamese letter read as Windows-1258 or Windows-1252 (a file garbled once and saved
# again): Ã¡ (á), Ä‘ (đ), Æ° (ư), áº£ (ả), á»£ (ợ). Only pairs no Vietnamese word writes.
_CONT = "\u0080-\u00bf€‚ƒ„…†‡ˆ‰Š‹ŒŽ‘’“”•–—˜™š›œžŸ"
_MOJIBAKE_RE = re.compile(
    "[ÃĂ][€‚ƒˆ‰ŠŒ“•™š¡¢£¨©ª¬²³´µ¹º½]|Ä[‘\u0090ƒ‚©¨]|Å[©¨]|Æ[°¡¯\u00a0]"
    "|á[º»][" + _CONT + "]"
)


def _mixed_encoding(text: str, first: int, pattern: re.Pattern[str] = _STRAY_BYTE_RE) -> IngestError:
    """file_mixed_encoding naming the line of the first bad byte and how many lines have one."""
    line = text.count("\n", 0, first) + 1
    return IngestError("file_mixed_encoding", line=line, lines=_lines(text, pattern))


def _lines(text: str, pattern: re.Pattern[str]) -> int:
    """How many lines of text hold a match of pattern (one pass each over the text: a 10 MB file stays quick)."""
    starts = [m.end() for m in re.finditer("\n", text)]
    return len({bisect.bisect_right(starts, m.start()) for m in pattern.finditer(text)})
_BLANK_ROW: list[Any] = []  # shared by every blank row of a grid: a blank row costs one pointer; never mutate it
Grid = list[list[Any]]


def _sniff_delimiter(text: str) -> str:
    head = itertools.islice(io.StringIO(text[: 1 << 20]), MAX_HEADER_SCAN)  # lazily: never a list of every line
    sample = "\n".join(line.rstrip("\r\n") for line in head)
    try:
        return csv.Sniffer().sniff(sample, delimiters=",;\t").delimiter
    except csv.Error:
        counts = {d: sample.count(d) for d in ",;\t"}
        return max(counts, key=counts.__getitem__)


def grid_from_csv(data: bytes) -> list[list[Any]]:
    try:
        text = decode_text(data)
    except UnicodeDecodeError as e:
        raise IngestError("file_encoding") from e
    if "\x00" in text:
        raise IngestError("file_encoding")
    delimiter = _sniff_delimiter(text)
    grid: Grid = []
    blanks = 0  # blank lines since the last line with a value: they cost nothing unless a value follows
    try:  # strict: a quote opened and never closed must refuse the file, not swallow the rows after it
        for row in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True):
            if not any(row):  # an empty line, or only delimiters
                blanks += 1
                continue
            if blanks:  # keep the row numbers right: one shared placeholder per blank line between values
                if len(grid) + blanks >= row_budget():
                    raise IngestError("file_too_many_rows", limit=f"{MAX_ROWS:,}".replace(",", "."))
                grid.extend(itertools.repeat(_BLANK_ROW, blanks))
                blanks = 0
            grid.append(row)
            if len(grid) > row_budget():  # refused now, not after reading the rest
                raise IngestError("file_too_many_rows", limit=f"{MAX_ROWS:,}".replace(",", "."))
    except csv.Error as e:
        raise IngestError("file_csv_broken", detail=str(e)) from e
    return grid


def _read_sheets(wb: python_calamine.CalamineWorkbook) -> list[tuple[str, Grid]]:
    sheets = []
    for name in wb.sheet_names:
        sheet = wb.get_sheet_by_name(name)
        end_row, end_col = sheet.end or (0, 0)
        if sheet.height:  # what the byte scan cannot see (.xls, cells placed by order), before the grid is built
            extent = Extent()
            extent.see(end_row + 1, end_col + 1)
            _refuse_far_cell(name, extent)
        grid = sheet.to_python(skip_empty_area=False)
        sheets.append((name, [row if any(v != "" and v is not None for v in row) else _BLANK_ROW for row in grid]))
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
        message = sandbox.run(data, "kpis.intake.ingest:parse_workbook", memory, timeout)
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


def _is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _find_header(grid: list[list[Any]], match: HeaderMatcher) -> tuple[int, dict[int, str], list[str]] | None:
    """Return (row index, {col index: canonical}, unknown headers) of the best header row."""
    best = None
    for r, row in enumerate(grid[:MAX_HEADER_SCAN]):
        found: dict[int, str] = {}
        unknown: list[str] = []
        for c, value in enumerate(row):
            if _is_blank(value):
                continue
            canonical = match(str(value))
            if canonical and canonical not in found.values():
                found[c] = canonical
            else:
                unknown.append(str(value).strip())
        if len(found) >= 3 and (best is None or len(found) > len(best[1])):
            best = (r, found, unknown)
    return best


def _totals_label(row: list[Any]) -> str | None:
    """'tong cong', 'cong', ... when the row's first non-blank cell says it is a totals row."""
    for value in row:
        if value is None or value == "":
            continue
        if type(value) is str and len(value) < 16 and (label := fold(value).rstrip(" :")) in TOTALS_LABELS:
            return label
        return None
    return None


def _clean(value: Any) -> Any:
    return nfc(value).strip() if type(value) is str else value


def _clean_column(values: list[Any]) -> list[Any]:
    """_clean() for a whole column, once per distinct text (a file repeats its names thousands of times)."""
    memo: dict[str, Any] = {}
    out = []
    for v in values:
        if type(v) is str:
            c = memo.get(v)
            if c is None:
                c = memo[v] = nfc(v).strip()
            out.append(c)
        else:
            out.append(v)
    return out


def _blank_row(row: list[Any], wanted: list[int]) -> bool:
    n = len(row)
    for c in wanted:
        if c < n:
            v = row[c]
            if v is not None and v != "" and not (type(v) is str and v.isspace()):
                return False
    return True


def _table_from_grid(
    file_name: str, sheet: str | None, grid: list[list[Any]], header: tuple[int, dict[int, str], list[str]], kind: str
) -> RawTable:
    header_idx, col_map, unknown = header
    header_row = grid[header_idx]
    columns = {canonical: str(header_row[c]).strip() for c, canonical in col_map.items()}
    index = {canonical: c for c, canonical in col_map.items()}
    table = RawTable(file_name, sheet, header_idx + 1, columns, unknown, column_index=index, kind=kind)
    body = grid[header_idx + 1 :]
    if len(body) > MAX_ROWS * 2:  # blank rows are skipped below; past this the file cannot fit anyway
        raise IngestError("file_too_many_rows", limit=f"{MAX_ROWS:,}".replace(",", "."))
    wanted = sorted(col_map)
    block_start = header_idx + 2
    lines: list[int] = []
    kept: list[list[Any]] = []
    for offset, row in enumerate(body):
        line = header_idx + 2 + offset
        if label := _totals_label(row):
            start = block_start if label in SUBTOTAL_LABELS else header_idx + 2
            cells = {col_map[c]: _clean(row[c]) if c < len(row) else None for c in wanted}
            table.totals.append(TotalsRow(line, cells, start, line - 1))
            block_start = line + 1
            continue
        if _blank_row(row, wanted):
            continue
        lines.append(line)
        kept.append(row)
    if len(lines) > MAX_ROWS:
        raise IngestError("file_too_many_rows", limit=f"{MAX_ROWS:,}".replace(",", "."))
    table.lines = lines
    table.data = {
        col_map[c]: _clean_column([row[c] if c < len(row) else None for row in kept]) for c in wanted
    }  # fmt: skip
    return table


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
    if lower.endswith(SPREADSHEET_SUFFIXES) or is_zip or is_ole:
        sheets, kind = sheets_from_workbook(data), "workbook"
    elif lower.endswith(TEXT_SUFFIXES):
        sheets, kind = [(None, grid_from_csv(data))], "csv"
    else:
        raise IngestError("file_type", name=file_name)
    best = None
    for sheet, grid in sheets:
        header = _find_header(grid, match)
        if header is not None and (best is None or len(header[1]) > len(best[2][1])):
            best = (sheet, grid, header)
    if best is None:
        raise IngestError("file_no_header")
    sheet, grid, header = best
    return _table_from_grid(file_name, sheet, grid, header, kind)
