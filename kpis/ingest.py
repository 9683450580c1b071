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
import os
import re
import tempfile
import unicodedata
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import python_calamine

from kpis.schema import match_header
from kpis.text import fold, nfc

MAX_HEADER_SCAN = 30  # title rows above the header are normal in hand-made sheets
MAX_FILE_BYTES = 10 * 1024 * 1024  # also Streamlit's server.maxUploadSize (.streamlit/config.toml)
MAX_INFLATED_BYTES = 100 * 1024 * 1024  # a 20,000-row workbook inflates to about 10 MB
MAX_ROWS = 50_000
TOTALS_LABELS = frozenset({"tong cong", "cong", "tong", "tong so", "total", "totals"})
SUBTOTAL_LABELS = frozenset({"cong"})  # "Cộng" sums its section; the others sum every row above
_ENCRYPTED_OOXML = "EncryptionInfo".encode("utf-16-le")  # a password-protected .xlsx is an OLE file with this stream
SPREADSHEET_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".ods")
TEXT_SUFFIXES = (".csv", ".txt", ".tsv")

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
HeaderMatcher = Callable[[str], str | None]


class IngestError(Exception):
    """The file cannot be read at all; code and params are rendered by kpis.i18n."""

    def __init__(self, code: str, **params: Any) -> None:
        super().__init__(code)
        self.code = code
        self.params = params


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
    """Refuse a zip-based workbook that would inflate past limit, before anything inflates it.

    The declared sizes are checked first (instant); then each member is inflated in 1 MB
    chunks and counted, so a file whose headers lie is stopped once it passes the limit.
    """
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            members = zf.infolist()
            declared = sum(m.file_size for m in members)
            if declared > limit:
                raise IngestError("file_inflates", size=_mb(declared), limit=_mb(limit))
            total = 0
            row_limit = MAX_ROWS * 2 + MAX_HEADER_SCAN  # blank rows are allowed, within reason
            for member in members:
                is_sheet = member.filename.startswith("xl/worksheets/") and member.filename.endswith(".xml")
                rows, tail = 0, b""
                with zf.open(member) as f:
                    while chunk := f.read(1 << 20):
                        total += len(chunk)
                        if total > limit:
                            raise IngestError("file_inflates", size=f"> {_mb(limit)}", limit=_mb(limit))
                        if is_sheet:  # count rows while inflating, before any reader turns them into objects
                            rows += _row_tags(tail + chunk)
                            tail = chunk[-8:]
                            rows -= _row_tags(tail)
                            if rows > row_limit:
                                raise IngestError("file_too_many_rows", limit=f"{MAX_ROWS:,}".replace(",", "."))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, OSError, ValueError, NotImplementedError) as e:
        raise IngestError("file_not_xlsx") from e


def _row_tags(xml: bytes) -> int:
    """Row elements in a chunk of sheet XML (bytes.count: fast enough to run on every file)."""
    return xml.count(b"<row ") + xml.count(b"<row>") + xml.count(b":row ") + xml.count(b":row>")


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
# A letter of Vietnamese (Latin-1 and Extended-A/B letters, combining marks, Latin Extended Additional)
# decoded from a valid UTF-8 multi-byte sequence: Windows-1258 text never forms one.
_UTF8_VIETNAMESE_RE = re.compile("[\u00c0-\u00ff\u0100-\u024f\u0300-\u036f\u1e00-\u1eff]")
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


def _sniff_delimiter(text: str) -> str:
    sample = "\n".join(text.splitlines()[:MAX_HEADER_SCAN])
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
    try:  # strict: a quote opened and never closed must refuse the file, not swallow the rows after it
        return [list(r) for r in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)]
    except csv.Error as e:
        raise IngestError("file_csv_broken", detail=str(e)) from e


def _read_sheets(wb: python_calamine.CalamineWorkbook) -> list[tuple[str, list[list[Any]]]]:
    return [(name, wb.get_sheet_by_name(name).to_python(skip_empty_area=False)) for name in wb.sheet_names]


def _sheets_of(data: bytes) -> list[tuple[str, list[list[Any]]]]:
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


def sheets_from_workbook(data: bytes) -> list[tuple[str, list[list[Any]]]]:
    if data[:4] == b"PK\x03\x04":
        check_inflated_size(data)
    try:
        return _sheets_of(data)
    except IngestError:
        raise
    except python_calamine.PasswordError as e:
        raise IngestError("file_password") from e
    except BaseException as e:  # calamine raises several types, and a Rust panic is a BaseException
        if isinstance(e, (KeyboardInterrupt, SystemExit, GeneratorExit)):
            raise
        raise IngestError("file_not_xlsx") from e


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
