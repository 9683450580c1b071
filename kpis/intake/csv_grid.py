"""CSV bytes -> a grid: the encoding (and the refusal of a file in two encodings), the delimiter, the rows.

Files come as people make them in Excel on Vietnamese Windows: UTF-8 (with or without BOM),
Windows-1258, or UTF-16 with tabs. Kept apart from the workbook reader: text decoding has its own
evidence rules (which bytes prove UTF-8, which pairs are mojibake) and needs no sandbox.
"""

from __future__ import annotations

import bisect
import csv
import io
import itertools
import re
import unicodedata
from typing import Any

from kpis.core.text import nfc
from kpis.intake import limits
from kpis.intake.limits import BLANK_ROW, Grid, IngestError, row_budget, too_many_rows

TEXT_SUFFIXES = (".csv", ".txt", ".tsv")


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
_MOJIBAKE_RE = re.compile("[ÃĂ][€‚ƒˆ‰ŠŒ“•™š¡¢£¨©ª¬²³´µ¹º½]|Ä[‘\u0090ƒ‚©¨]|Å[©¨]|Æ[°¡¯\u00a0]|á[º»][" + _CONT + "]")


def _mixed_encoding(text: str, first: int, pattern: re.Pattern[str] = _STRAY_BYTE_RE) -> IngestError:
    """file_mixed_encoding naming the line of the first bad byte and how many lines have one."""
    line = text.count("\n", 0, first) + 1
    return IngestError("file_mixed_encoding", line=line, lines=_lines(text, pattern))


def _lines(text: str, pattern: re.Pattern[str]) -> int:
    """How many lines of text hold a match of pattern (one pass each over the text: a 10 MB file stays quick)."""
    starts = [m.end() for m in re.finditer("\n", text)]
    return len({bisect.bisect_right(starts, m.start()) for m in pattern.finditer(text)})


def _sniff_delimiter(text: str) -> str:
    head = itertools.islice(io.StringIO(text[: 1 << 20]), limits.MAX_HEADER_SCAN)  # lazily: never a list of every line
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
                    raise too_many_rows()
                grid.extend(itertools.repeat(BLANK_ROW, blanks))
                blanks = 0
            grid.append(row)
            if len(grid) > row_budget():  # refused now, not after reading the rest
                raise too_many_rows()
    except csv.Error as e:
        raise IngestError("file_csv_broken", detail=str(e)) from e
    return grid
