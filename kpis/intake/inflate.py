"""The cheap checks the server makes on a zip-based workbook (.xlsx, .ods) before any parser sees it.

They run in the server process, so they do only what is cheap and bounded: declared sizes, the
members inflated in chunks and counted, and row tags counted with bytes.count. Anything that costs
time in proportion to the cells (the XML extent scan, kpis.intake.extent) runs in the parsing child.
"""

from __future__ import annotations

import io
import zipfile
import zlib

from kpis.intake.limits import MAX_INFLATED_BYTES, IngestError, mb, row_budget, too_many_rows


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
                raise IngestError("file_inflates", size=mb(declared), limit=mb(limit))
            total = 0
            for member in members:
                is_sheet = is_worksheet(member)
                rows, tail = 0, b""
                with zf.open(member) as f:
                    while chunk := f.read(1 << 20):
                        total += len(chunk)
                        if total > limit:
                            raise IngestError("file_inflates", size=f"> {mb(limit)}", limit=mb(limit))
                        if is_sheet:  # count rows while inflating, before any reader turns them into objects
                            rows += row_tags(tail + chunk) - row_tags(tail)
                            if rows > row_budget():
                                raise too_many_rows()
                            tail = chunk[-TAIL:]
    except ZIP_ERRORS as e:
        raise IngestError("file_not_xlsx") from e


ZIP_ERRORS = (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, OSError, ValueError, NotImplementedError, zlib.error)


def is_worksheet(member: zipfile.ZipInfo) -> bool:
    return member.filename.startswith("xl/worksheets/") and member.filename.endswith(".xml")


def row_tags(xml: bytes) -> int:
    """Row elements in a chunk of sheet XML (bytes.count: fast enough to run on every file)."""
    return xml.count(b"<row ") + xml.count(b"<row>") + xml.count(b":row ") + xml.count(b":row>")


TAIL = 256  # bytes carried from one inflated chunk to the next, so that a tag cut in two is still seen
