"""An HTML table saved as .xls (what many web systems export as "Excel") -> one grid, as Excel shows it.

Excel opens such a file as one sheet: text outside the tables (a heading, a paragraph) becomes a
row of its own in column A, and the tables' rows follow one below the other in document order,
so the title rows above the data stay above its header. colspan/rowspan are merged cells: the
value in the top-left cell, the rest blank. Cells are strings (whitespace collapsed, <br> a
space): the validator parses "1.234" and "450" as it does a CSV's cells.

The tokenizer is our own, not html.parser: on the Python we run (3.11), html.parser takes
quadratic time on inputs such as "<a " repeated (a 100 KB file ran past two minutes), and every
upload is hostile. Ours makes one forward pass: each construct is found with str.find or one
regex match from the current position, never rescanned, and an unterminated tag ends the
document. Named and numeric entities go through html.unescape (a fixed table: HTML has no
entity declarations to expand). It runs in the parsing child (kpis.intake.sheets.parse_workbook),
under its memory and time limits, and bounds what it builds by the limits of every reader.
"""

from __future__ import annotations

import codecs
import html
import itertools
import re
from collections.abc import Iterator

from kpis.core.text import nfc
from kpis.intake import limits
from kpis.intake.extent import Extent, refuse_far_cell
from kpis.intake.limits import BLANK_ROW, Grid, IngestError, row_budget, too_many_rows

SHEET_NAME = "Bảng 1"
MAX_COLSPAN = 1000  # as browsers clamp it (the HTML standard)
MAX_ROWSPAN = 65534  # likewise

# a tag's attributes up to its ">", quotes honoured; possessive, so a failed match costs one scan, never a backtrack
_TAG = re.compile(r"""<(/?)([A-Za-z][^\s/>]*+)((?:[^>"']++|"[^"]*+"|'[^']*+')*+)>""")
_TAG_NAME = re.compile(r"</?[A-Za-z]")
_OPEN = re.compile(r"<[A-Za-z/!?]")  # a "<" before anything else is text ("< 5", "<<<"): skipped in one search
_ATTR = re.compile(r"""([^\s=/>"']+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+)))?""")
_SPAN = re.compile(r"\s*\+?([0-9]{1,9})")
_RAW_TEXT = {name: re.compile(rf"</{name}[\s/>]", re.IGNORECASE) for name in ("script", "style", "textarea", "title", "xmp")}
_CHARSET = re.compile(rb"""<meta[^>]{0,512}?charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]{1,40})""", re.IGNORECASE)
# elements that start a new line in Excel's view: outside a table, their text is a row; inside a cell, a space
_BLOCKS = frozenset(
    "address article blockquote body br caption center dd div dl dt footer form h1 h2 h3 h4 h5 h6 header hr li ol p pre "
    "section ul".split()
)
_CELLS = ("td", "th")

Token = tuple[str, str, dict[str, str]]  # ("start" | "end" | "text", tag name or text, attributes)


def decode_html(data: bytes) -> str:
    """The page's text: a BOM wins, then a <meta charset>, then UTF-8, else Windows-1258 (Vietnamese Windows)."""
    if data.startswith(b"\xef\xbb\xbf"):
        return nfc(data[3:].decode("utf-8", errors="replace"))
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return nfc(data.decode("utf-16", errors="replace"))
    declared = _CHARSET.search(data[:8192])
    if declared:
        name = declared.group(1).decode("ascii")
        try:
            encoding = codecs.lookup(name).name
            if not encoding.startswith(("utf-16", "utf-32")):  # a page in 8-bit bytes whose meta says UTF-16 lies
                return nfc(data.decode(encoding, errors="replace"))
        except LookupError:  # an unknown name, or a codec that is not a text encoding (zlib …)
            pass
    try:
        return nfc(data.decode("utf-8"))
    except UnicodeDecodeError:
        return nfc(data.decode("cp1258", errors="replace"))  # tone marks as combining characters: NFC composes them


def tokens(text: str) -> Iterator[Token]:
    """Start tags, end tags and text (entities decoded), in one forward pass over text."""
    pos, scan, end = 0, 0, len(text)  # text runs from pos; the next tag is looked for from scan
    while pos < end:
        found = _OPEN.search(text, scan)
        lt = found.start() if found else end
        tag = _TAG.match(text, lt) if found and text[lt + 1] not in "!?" else None
        if found and tag is None and text[lt + 1] not in "!?" and not _TAG_NAME.match(text, lt):
            scan = lt + 1  # "</" before a space: text, part of the run
            continue
        if lt > pos:
            piece = text[pos:lt]
            yield "text", html.unescape(piece) if "&" in piece else piece, {}
        if found is None:
            return
        if text.startswith("<!--", lt):
            close = text.find("-->", lt + 4)
            if close < 0:
                return
            pos = scan = close + 3
            continue
        if tag is None:
            if text[lt + 1] not in "!?":
                return  # a tag never closed: the rest of the page is inside it
            close = text.find(">", lt + 2)  # <!DOCTYPE …>, <![endif]>, <?xml …?>
            if close < 0:
                return
            pos = scan = close + 1
            continue
        pos = scan = tag.end()
        closing, name, rest = tag.groups()
        name = name.lower()
        if closing:
            yield "end", name, {}
            continue
        attrs: dict[str, str] = {}
        if rest and not rest.isspace():
            for m in _ATTR.finditer(rest):
                value = next((v for v in m.groups()[1:] if v is not None), "")
                attrs.setdefault(m.group(1).lower(), html.unescape(value) if "&" in value else value)
        yield "start", name, attrs
        raw = _RAW_TEXT.get(name)
        if raw is not None:  # script, style, title …: their text is not shown in a cell
            close_tag = raw.search(text, pos)
            if close_tag is None:
                return
            pos = scan = close_tag.start()


def _span(attrs: dict[str, str], name: str, cap: int) -> int:
    value = attrs.get(name)
    if not value:
        return 1
    m = _SPAN.match(value)
    n = int(m.group(1)) if m else 1
    return min(max(n, 1), cap)


def _collapse(pieces: list[str]) -> str:
    return " ".join("".join(pieces).split()) if pieces else ""


class _Builder:
    """Tokens -> rows: block text outside tables as one-cell rows, table rows with their spans placed as Excel places them."""

    def __init__(self) -> None:
        self.grid: Grid = []
        self.extent = Extent()
        self.tables = 0
        self.depth = 0  # tables open; only the outermost one makes rows (a nested table's text joins its cell)
        self.in_head = False
        self.block: list[str] = []  # text outside any cell, waiting for the end of its line
        self.row: list[str] | None = None  # the table row being read (valued cells only: trailing blanks cost nothing)
        self.cell: list[str] | None = None  # the text of the cell being read
        self.cell_col = 0
        self.next_col = 0  # where the next cell of the row goes, before skipping the cells merged down from above
        self.busy: list[int] = []  # column -> the first grid row no longer covered by a rowspan from above

    def feed(self, kind: str, value: str, attrs: dict[str, str]) -> None:
        if kind == "text":
            if self.cell is not None:
                self.cell.append(value)
            elif not self.in_head and (self.depth == 0 or self.row is None):
                self.block.append(value)  # a caption, or text between a table's rows, is a line of its own
            return
        if value == "head":
            self.in_head = kind == "start"
            return
        if kind == "start" and (value in _BLOCKS or value == "table"):
            self.in_head = False  # a page without </head>: its body starts here
        if value == "table":
            self._table(kind)
        elif self.depth > 1 or (self.depth == 1 and value not in ("tr", *_CELLS)):
            if self.cell is not None and (value in _BLOCKS or value in ("tr", *_CELLS)):
                self.cell.append(" ")
        elif self.depth == 1:
            if value == "tr":
                self._end_row()
                if kind == "start":
                    self._start_row()
            elif kind == "start":
                self._start_cell(attrs)
            else:
                self._end_cell()
        elif value in _BLOCKS:
            self._flush_block()
        # a <td> or <tr> outside any table is ignored, as browsers do

    def _table(self, kind: str) -> None:
        if kind == "start":
            if self.depth == 0:
                self._flush_block()
                self.tables += 1
                self.busy = [0] * (limits.MAX_COLUMNS + 1)  # spans do not reach from one table into the next
            elif self.cell is not None:
                self.cell.append(" ")
            self.depth += 1
        elif self.depth == 1:
            self._end_row()
            self._flush_block()
            self.depth = 0
        elif self.depth > 1:
            self.depth -= 1

    def _start_row(self) -> None:
        self._flush_block()
        self.row, self.next_col = [], 0

    def _end_row(self) -> None:
        self._end_cell()
        if self.row is not None:
            self._append(self.row)
            self.row = None

    def _start_cell(self, attrs: dict[str, str]) -> None:
        self._end_cell()
        if self.row is None:
            self._start_row()
        row_index = len(self.grid)
        col = self.next_col
        while col < len(self.busy) and self.busy[col] > row_index:  # merged down from a row above
            col += 1
        colspan, rowspan = _span(attrs, "colspan", MAX_COLSPAN), _span(attrs, "rowspan", MAX_ROWSPAN)
        if rowspan > 1 and col < len(self.busy):  # past the widest sheet, a later value is refused anyway
            stop = min(col + colspan, len(self.busy))
            self.busy[col:stop] = [row_index + rowspan] * (stop - col)
        self.cell, self.cell_col, self.next_col = [], col, col + colspan

    def _end_cell(self) -> None:
        if self.cell is None or self.row is None:
            self.cell = None
            return
        value = _collapse(self.cell)
        self.cell = None
        if value:
            self._place(self.row, self.cell_col, value)

    def _place(self, row: list[str], col: int, value: str) -> None:
        if len(self.grid) >= row_budget():  # rows, as a CSV's lines are counted
            raise too_many_rows()
        self.extent.see(len(self.grid) + 1, col + 1)
        refuse_far_cell(SHEET_NAME, self.extent)  # before the row grows to reach it
        if len(row) <= col:
            row.extend(itertools.repeat("", col + 1 - len(row)))
        row[col] = value

    def _flush_block(self) -> None:
        if self.block:
            value = _collapse(self.block)
            self.block = []
            if value:
                line: list[str] = []
                self._place(line, 0, value)
                self._append(line)

    def _append(self, row: list[str]) -> None:
        self.grid.append(row if row else BLANK_ROW)
        if len(self.grid) > row_budget():
            raise too_many_rows()

    def finish(self) -> Grid:
        self._end_row()
        self._flush_block()
        while self.grid and self.grid[-1] is BLANK_ROW:
            self.grid.pop()
        return self.grid


def sheets_from_html(data: bytes) -> list[tuple[str, Grid]]:
    """The page as one sheet, or IngestError: file_html_no_table when it holds no table (a login or error page)."""
    builder = _Builder()
    for kind, value, attrs in tokens(decode_html(data)):
        builder.feed(kind, value, attrs)
    grid = builder.finish()
    if builder.tables == 0 or not grid:
        raise IngestError("file_html_no_table")
    return [(SHEET_NAME, grid)]
