"""Limits that stop one bad file from hurting the service: size, decompressed size, rows; each with a message.

The zip bomb is built for real: a valid .xlsx of about 2 MB whose sheet inflates to 700 MB. It is
written by hand (local headers, central directory) from deflate blocks that are made once and
repeated, so the test builds it in well under a second with little memory, and so a variant can
declare sizes that lie.
"""

from __future__ import annotations

import csv
import io
import struct
import tomllib
import tracemalloc
import zipfile
import zlib
from pathlib import Path

import duckdb
import openpyxl
import pytest

from kpis import store
from kpis.core.i18n import format_problem
from kpis.intake import limits
from kpis.intake.importer import import_file
from kpis.intake.ingest import IngestError
from kpis.intake.limits import check_size

ROOT = Path(__file__).resolve().parents[2]
MB = 1024 * 1024
HEADER = ["Tỉnh", "Xã", "Đơn vị", "Năm", "Quý", "Chỉ tiêu", "Số đạt", "Tổng số", "Ghi chú"]
SHEET_HEAD = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
)
SHEET_TAIL = b"</sheetData></worksheet>"
ZERO_ROW = b'<row><c t="n"><v>0</v></c></row>'


@pytest.fixture
def con(tmp_path: Path):
    connection = store.connect(tmp_path / "kpis.duckdb")
    yield connection
    connection.close()


def assert_nothing_written(con: duckdb.DuckDBPyConnection) -> None:
    for table in ("submissions", "submission_values", "units"):
        assert con.execute(f"SELECT count(*) FROM {table}").fetchone()[0] == 0, table
    uploads = store.uploads_dir(con)
    assert not uploads.exists() or not any(uploads.iterdir())
    assert not store.journal_path(store.db_file(con)).exists()


# --- a zip written by hand ----------------------------------------------------------------


def raw_deflate(data: bytes) -> bytes:
    c = zlib.compressobj(6, zlib.DEFLATED, -15)
    return c.compress(data) + c.flush()


def zip_by_hand(entries: list[tuple[str, bytes, int, int]]) -> bytes:
    """entries: (name, raw deflate data, crc32, declared uncompressed size): the sizes may lie."""
    out = io.BytesIO()
    central = []
    for name, comp, crc, size in entries:
        raw_name = name.encode()
        offset = out.tell()
        out.write(struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, 8, 0, 0x21, crc, len(comp), size, len(raw_name), 0))
        out.write(raw_name + comp)
        central.append(
            struct.pack(
                "<IHHHHHHIIIHHHHHII",
                0x02014B50,
                20,
                20,
                0,
                8,
                0,
                0x21,
                crc,
                len(comp),
                size,
                len(raw_name),
                0,
                0,
                0,
                0,
                0,
                offset,
            )
            + raw_name
        )
    start = out.tell()
    body = b"".join(central)
    out.write(body)
    out.write(struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(entries), len(entries), len(body), start, 0))
    return out.getvalue()


def repeated_sheet(size: int, row: bytes = ZERO_ROW, head: bytes = SHEET_HEAD) -> tuple[bytes, int, int, bytes]:
    """(deflated, crc32, real size, first KB) of a sheet XML of about size bytes: row repeated.

    Each 1 MB block of rows is compressed after a full flush, so its deflate output is the same
    every time: compress it once, repeat the bytes. The CRC is computed over the real content.
    """
    chunk = row * ((1 << 20) // len(row))
    c = zlib.compressobj(9, zlib.DEFLATED, -15)
    first = c.compress(head) + c.flush(zlib.Z_FULL_FLUSH)
    block = c.compress(chunk) + c.flush(zlib.Z_FULL_FLUSH)
    last = c.compress(SHEET_TAIL) + c.flush()
    n = max(1, size // len(chunk))
    crc = zlib.crc32(head)
    for _ in range(n):
        crc = zlib.crc32(chunk, crc)
    crc = zlib.crc32(SHEET_TAIL, crc)
    real = len(head) + n * len(chunk) + len(SHEET_TAIL)
    return first + block * n + last, crc, real, (head + chunk)[:1024]


def bomb_xlsx(size: int, lie: str | None = None, row: bytes = ZERO_ROW, head: bytes = SHEET_HEAD) -> bytes:
    """A real workbook (openpyxl's parts) whose first sheet is replaced by a repeated one.

    lie=None: honest sizes. lie="prefix": declares 1 KB with the CRC of that first KB.
    lie="size": declares 1 KB with the real CRC.
    """
    wb = openpyxl.Workbook()
    wb.active["A1"] = 1
    buf = io.BytesIO()
    wb.save(buf)
    src = zipfile.ZipFile(io.BytesIO(buf.getvalue()))
    entries = []
    for info in src.infolist():
        if info.filename == "xl/worksheets/sheet1.xml":
            comp, crc, real, prefix = repeated_sheet(size, row, head)
            if lie == "prefix":
                crc, real = zlib.crc32(prefix), len(prefix)
            elif lie == "size":
                real = len(prefix)
            entries.append((info.filename, comp, crc, real))
        else:
            data = src.read(info.filename)
            entries.append((info.filename, raw_deflate(data), zlib.crc32(data), len(data)))
    return zip_by_hand(entries)


def test_the_hand_made_bomb_is_a_real_workbook_that_really_inflates():
    """The builder, at 3 MB: zipfile checks every CRC, openpyxl opens it, the sheet holds the rows."""
    data = bomb_xlsx(3 * MB)
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        assert z.testzip() is None
        sheet = z.getinfo("xl/worksheets/sheet1.xml")
        assert sheet.file_size >= 3 * MB > 100 * sheet.compress_size
        assert len(z.read(sheet)) == sheet.file_size
    ws = openpyxl.load_workbook(io.BytesIO(data), read_only=True).active
    assert sum(1 for _ in ws.iter_rows(max_row=5)) == 5


def test_zip_bomb_is_refused_before_inflating_with_little_memory(con):
    data = bomb_xlsx(700 * MB)
    declared = sum(i.file_size for i in zipfile.ZipFile(io.BytesIO(data)).infolist())
    assert len(data) < 2 * MB and declared > 700 * MB
    tracemalloc.start()
    try:
        result = import_file(con, data, "bao_cao_quy3.xlsx")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert [(p.row, p.column, p.code) for p in result.problems] == [(None, None, "file_inflates")]
    assert peak < 64 * MB, f"peak {peak / MB:.0f} MB"
    message = result.messages()[0]
    assert "700,0 MB" in message and f"{limits.MAX_INFLATED_BYTES // MB},0 MB" in message
    assert_nothing_written(con)


@pytest.mark.parametrize("lie", ["prefix", "size"])
def test_zip_bomb_whose_headers_lie_about_its_size_is_refused(con, lie):
    """Declared 1 KB, real 700 MB. Python's zipfile stops at the declared size (and, with the real CRC, fails
    the CRC check); calamine's zip reader refuses a member larger than it declares. Either way: refused,
    with little memory."""
    data = bomb_xlsx(700 * MB, lie=lie)
    assert sum(i.file_size for i in zipfile.ZipFile(io.BytesIO(data)).infolist()) < MB
    tracemalloc.start()
    try:
        result = import_file(con, data, "bao_cao_quy3.xlsx")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert [(p.row, p.column, p.code) for p in result.problems] == [(None, None, "file_not_xlsx")]
    assert peak < 64 * MB, f"peak {peak / MB:.0f} MB"
    assert_nothing_written(con)


def test_a_file_over_the_size_limit_is_refused_with_its_size(con):
    rows = io.StringIO()
    writer = csv.writer(rows, lineterminator="\r\n")
    writer.writerow(HEADER)
    line = ["Điện Biên", "Mường Mùn", "Bản Na Sang", 2025, 3, "citizen_reach", 450, 500, "x" * 1000]
    while rows.tell() <= limits.MAX_FILE_BYTES:
        writer.writerow(line)
    data = rows.getvalue().encode("utf-8")[: limits.MAX_FILE_BYTES + 1]
    assert len(data) == limits.MAX_FILE_BYTES + 1
    result = import_file(con, data, "bao_cao_lon.csv")
    assert [(p.row, p.column, p.code) for p in result.problems] == [(None, None, "file_too_large")]
    limit_mb = limits.MAX_FILE_BYTES // MB
    assert result.problems[0].params == {"size": f"{limit_mb},0", "limit": f"{limit_mb},0"}
    assert "vượt giới hạn" in result.messages()[0]
    assert_nothing_written(con)


def test_size_limit_boundary():
    check_size(b"x" * limits.MAX_FILE_BYTES)
    with pytest.raises(IngestError) as e:
        check_size(b"x" * (limits.MAX_FILE_BYTES + 1))
    assert e.value.code == "file_too_large"


def test_streamlit_upload_limit_equals_our_own():
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert config["server"]["maxUploadSize"] * MB == limits.MAX_FILE_BYTES


def rows_file(n: int, kind: str) -> bytes:
    rows = [["Điện Biên", "Mường Mùn", f"Bản {i}", 2025, 3, "citizen_reach", 1, 2, ""] for i in range(n)]
    if kind == "csv":
        buf = io.StringIO()
        writer = csv.writer(buf, lineterminator="\r\n")
        writer.writerow(HEADER)
        writer.writerows(rows)
        return buf.getvalue().encode("utf-8")
    wb = openpyxl.Workbook()
    wb.active.append(["BÁO CÁO QUÝ III"])
    wb.active.append(HEADER)
    for r in rows:
        wb.active.append(r)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_row_limit(con, monkeypatch, kind):
    """MAX_ROWS is lowered to 40 for this test (the real limit is 50,000) so the files stay small."""
    monkeypatch.setattr(limits, "MAX_ROWS", 40)
    result = import_file(con, rows_file(41, kind), f"qua_nhieu.{kind}")
    assert [(p.row, p.column, p.code) for p in result.problems] == [(None, None, "file_too_many_rows")]
    assert result.messages() == [format_problem(None, None, "file_too_many_rows", {"limit": 40})]
    assert "40" in result.messages()[0] and "chia" in result.messages()[0]
    assert "50.000" in format_problem(None, None, "file_too_many_rows", {"limit": 50_000}, "vi")
    assert "50,000" in format_problem(None, None, "file_too_many_rows", {"limit": 50_000}, "en")
    assert_nothing_written(con)
    assert import_file(con, rows_file(40, kind), f"vua_du.{kind}").status == "accepted"


def test_rows_past_the_limit_are_not_all_read_into_memory(con, monkeypatch):
    """A small workbook, within the size and inflate limits, with far more rows than allowed: refused without
    turning every row into Python objects. MAX_ROWS is lowered to 1,000 so the file stays small."""
    monkeypatch.setattr(limits, "MAX_ROWS", 1000)
    header = "".join(f'<c t="inlineStr"><is><t>{h}</t></is></c>' for h in HEADER)
    head = SHEET_HEAD + f"<row>{header}</row>".encode()
    cells = ["Điện Biên", "Mường Mùn", "Bản Na Sang"]
    row = (
        "<row>"
        + "".join(f'<c t="inlineStr"><is><t>{v}</t></is></c>' for v in cells)
        + '<c t="n"><v>2025</v></c><c t="n"><v>3</v></c><c t="inlineStr"><is><t>citizen_reach</t></is></c>'
        + '<c t="n"><v>1</v></c><c t="n"><v>2</v></c></row>'
    ).encode()
    data = bomb_xlsx(14 * MB, row=row, head=head)
    assert len(data) < limits.MAX_FILE_BYTES and sum(i.file_size for i in zipfile.ZipFile(io.BytesIO(data)).infolist()) < (
        limits.MAX_INFLATED_BYTES
    )
    tracemalloc.start()
    try:
        result = import_file(con, data, "rat_nhieu_dong.xlsx")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert [p.code for p in result.problems] == ["file_too_many_rows"]
    assert peak < 8 * MB, f"peak {peak / MB:.0f} MB"
