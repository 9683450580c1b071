"""Nothing an uploader sends can take the service down (issue 10): far-out cells, a dying parser, blank lines, long names."""

from __future__ import annotations

import io
import os
import re
import subprocess
import sys
import tracemalloc
import zipfile
from pathlib import Path

import duckdb
import openpyxl
import pytest

from kpis import store
from kpis.intake import ingest, limits, sandbox
from kpis.intake.extent import check_sheet_extent
from kpis.intake.importer import import_file
from kpis.intake.inflate import check_inflated_size
from kpis.intake.ingest import IngestError
from kpis.intake.sheets import parse_workbook_guarded, sheets_from_workbook
from tests.conftest import EN_HEADER, csv_bytes

MB = 1024 * 1024
ROW = ["Điện Biên", "Mường Mùn", "Bản Pá Khoang", 2026, 4, "citizen_reach", 1200, 1500, ""]


def small_xlsx(rows: list[list] | None = None) -> bytes:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Số liệu"
    ws.append(EN_HEADER)
    for r in rows if rows is not None else [ROW]:
        ws.append(r)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def edit_sheet(data: bytes, edit) -> bytes:
    """The same workbook with its first worksheet's XML changed by hand, as an attacker would."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for member in zin.infolist():
            body = zin.read(member)
            if member.filename == "xl/worksheets/sheet1.xml":
                body = edit(body)
            zout.writestr(member, body)
    return out.getvalue()


def far_cell(ref: str, dimension: str | None = None):
    row = re.sub(r"[A-Z]", "", ref)

    def edit(xml: bytes) -> bytes:
        cell = f'<row r="{row}"><c r="{ref}" t="inlineStr"><is><t>x</t></is></c></row></sheetData>'.encode()
        xml = xml.replace(b"</sheetData>", cell)
        if dimension:
            xml = re.sub(rb'<dimension ref="[^"]*"/>', f'<dimension ref="{dimension}"/>'.encode(), xml)
        return xml

    return edit


def far_xlsx(ref: str, dimension: str | None = None) -> bytes:
    return edit_sheet(small_xlsx(), far_cell(ref, dimension))


def table_counts(path: Path) -> tuple:
    with duckdb.connect(str(path), read_only=True) as con:
        return tuple(con.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in ("submissions", "submission_values"))


@pytest.mark.parametrize(
    "ref, dimension",
    [("XFD1048576", None), ("XFD60000", None), ("XFD1048576", "A1:I2"), ("A1048576", None), ("IW3", None)],
)
def test_a_far_cell_is_refused_naming_it_and_nothing_is_written(tmp_path: Path, ref: str, dimension: str | None) -> None:
    data = far_xlsx(ref, dimension)
    assert len(data) < 10_000  # a few KB: the attack is cheap
    db = tmp_path / "kpis.duckdb"
    con = store.connect(db)
    import_file(con, small_xlsx(), "truoc.xlsx", "t")  # something already stored, to see that it stays as it was
    con.close()
    before = table_counts(db)
    con = store.connect(db)
    result = import_file(con, data, "o_xa.xlsx", "t")
    con.close()
    assert result.status == "refused"
    assert [(p.code, p.params["cell"], p.params["sheet"]) for p in result.problems] == [("file_sheet_extent", ref, "Số liệu")]
    assert ref in result.messages("vi")[0] and "trang tính mới" in result.messages("vi")[0]
    assert ref in result.messages("en")[0] and "new sheet" in result.messages("en")[0]
    assert table_counts(db) == before


@pytest.mark.parametrize(
    "edit",
    [
        lambda xml: re.sub(rb'<dimension ref="[^"]*"/>', b'<dimension ref="A1:XFD1048576"/>', xml),  # a dimension that lies big
        lambda xml: xml.replace(
            b"</sheetData>", b'<row r="1048576"><c r="XFD1048576" s="0"/></row></sheetData>'
        ),  # styled, empty
    ],
    ids=["huge-dimension", "empty-styled-far-cell"],
)
def test_far_references_without_a_value_are_fine_as_calamine_ignores_them(tmp_path: Path, edit) -> None:
    """Measured: calamine 0.9.1 sizes its grid from the cells holding a value, not from <dimension> or empty cells."""
    con = store.connect(tmp_path / "kpis.duckdb")
    result = import_file(con, edit_sheet(small_xlsx(), edit), "hop_le.xlsx", "t")
    assert result.status == "accepted", result.messages("en")


def test_cells_without_references_are_placed_by_order(tmp_path: Path) -> None:
    wide = b'<row r="3">' + b'<c t="n"><v>1</v></c>' * 300 + b"</row></sheetData>"
    data = edit_sheet(small_xlsx(), lambda xml: xml.replace(b"</sheetData>", wide))
    with pytest.raises(IngestError) as e:
        sheets_from_workbook(data)
    assert (e.value.code, e.value.params["cell"]) == ("file_sheet_extent", "IW3")


def ods(body: str) -> bytes:
    content = (
        '<?xml version="1.0" encoding="UTF-8"?><office:document-content '
        'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
        'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
        'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2"><office:body>'
        f'<office:spreadsheet><table:table table:name="Bảng">{body}</table:table></office:spreadsheet>'
        "</office:body></office:document-content>"
    )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        z.writestr(
            "META-INF/manifest.xml",
            '<?xml version="1.0" encoding="UTF-8"?><manifest:manifest '
            'xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">'
            '<manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
            '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/></manifest:manifest>',
        )
        z.writestr("content.xml", content)
    return out.getvalue()


def ods_cell(v: str) -> str:
    return f'<table:table-cell office:value-type="string"><text:p>{v}</text:p></table:table-cell>'


def test_ods_repeats_that_claim_a_million_rows_are_refused_and_empty_repeats_are_not() -> None:
    header = "<table:table-row>" + "".join(ods_cell(h) for h in EN_HEADER) + "</table:table-row>"
    empty = '<table:table-row table:number-rows-repeated="1048570"><table:table-cell table:number-columns-repeated="16384"/>'
    assert [len(g) for _, g in sheets_from_workbook(ods(header + empty + "</table:table-row>"))] == [1]
    filled = '<table:table-row table:number-rows-repeated="1048570">' + ods_cell("x") + "</table:table-row>"
    with pytest.raises(IngestError) as e:
        sheets_from_workbook(ods(header + filled))
    assert (e.value.code, e.value.params["sheet"], e.value.params["cell"]) == ("file_sheet_extent", "Bảng", "A100031")


def test_legacy_xls_with_a_cell_at_its_last_row_and_column_is_refused_by_the_child() -> None:
    """An .xls cannot pass 65,536 x 256, but that grid is 16.7 million cells: the child refuses it before building it."""
    xlwt = pytest.importorskip("xlwt")
    wb = xlwt.Workbook()
    ws = wb.add_sheet("S")
    for j, h in enumerate(EN_HEADER):
        ws.write(0, j, h)
    ws.write(65535, 255, "x")
    buf = io.BytesIO()
    wb.save(buf)
    with pytest.raises(IngestError) as e:
        sheets_from_workbook(buf.getvalue())
    assert (e.value.code, e.value.params["cell"]) == ("file_sheet_extent", "IV65536")


def test_the_child_really_dies_on_the_bomb_and_the_caller_gets_a_refusal() -> None:
    """Past the extent check (calamine run directly in a child), calamine aborts the process: only the child goes."""
    with pytest.raises(sandbox.ParserFailed) as e:
        sandbox.run(far_xlsx("XFD1048576"), "kpis.intake.sheets:_sheets_of")
    assert e.value.reason in ("abort", "memory", "killed")
    with pytest.raises(IngestError) as refused:  # the real path refuses it in the child, naming the cell
        parse_workbook_guarded(far_xlsx("XFD1048576"))
    assert (refused.value.code, refused.value.params["cell"]) == ("file_sheet_extent", "XFD1048576")
    assert parse_workbook_guarded(small_xlsx())[0][1][0] == EN_HEADER  # and this process parses on


def test_a_memory_limit_below_what_a_file_needs_is_a_refusal(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    rows = [[*ROW[:2], f"Thôn {i}", *ROW[3:]] for i in range(20_000)]
    data = small_xlsx(rows)
    monkeypatch.setenv(sandbox.MEMORY_ENV, "30")  # a legitimate file, a limit set too low for it (it needs about 50 MB)
    con = store.connect(tmp_path / "kpis.duckdb")
    result = import_file(con, data, "lon.xlsx", "t")
    assert [p.code for p in result.problems] == ["file_parser_failed"]
    assert "an toàn" in result.messages("vi")[0] and "attack the server" in result.messages("en")[0]
    monkeypatch.delenv(sandbox.MEMORY_ENV)
    assert import_file(con, data, "lon.xlsx", "t").status == "accepted"


def empty_cells_xlsx(n: int) -> bytes:
    """The small workbook plus one row of n empty cells written without r=: about 63 KB for 3 million."""
    row = b"<row>" + b'<c t="n"/>' * n + b"</row>"
    return edit_sheet(small_xlsx(), lambda xml: xml.replace(b"</sheetData>", row + b"</sheetData>"))


def test_a_parse_that_takes_too_long_is_stopped() -> None:
    """The same limits parse a small file, and stop one whose parse takes longer: the timeout, not the start-up, refuses it.

    Measured here: a fresh child starts in about 0.15 s; the child's extent pass over 3 million cells takes 5-9 s.
    """
    timeout = 2.0
    assert parse_workbook_guarded(small_xlsx(), timeout=timeout)[0][1][1][:3] == ROW[:3]
    with pytest.raises(IngestError) as e:
        parse_workbook_guarded(empty_cells_xlsx(3_000_000), timeout=timeout)
    assert (e.value.code, e.value.params["reason"]) == ("file_parser_failed", "timeout")


def test_millions_of_empty_cells_in_one_row_cost_the_server_nothing(tmp_path: Path) -> None:
    """The server counts bytes and rows only; the XML pass over the cells runs in the limited child."""
    data = empty_cells_xlsx(3_000_000)
    assert len(data) < 100_000  # 63 KB that inflate to 30 MB
    tracemalloc.start()
    try:
        check_inflated_size(data)  # everything the server does before handing the bytes to the child
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 64 * MB, f"peak {peak / MB:.0f} MB"
    con = store.connect(tmp_path / "kpis.duckdb")
    # empty cells hold no value: the file is what it shows (a million of them, so the child's pass
    # stays well inside its 30 s limit on a loaded machine)
    result = import_file(con, empty_cells_xlsx(1_000_000), "o_trong.xlsx", "t")
    con.close()
    assert result.status == "accepted", result.messages("en")
    assert table_counts(tmp_path / "kpis.duckdb") == (1, 1)  # one submission, its one figure


def test_the_extent_pass_keeps_no_tree() -> None:
    """The child's function, measured here: flat memory for a row of 300,000 cells (as a tree: about 27 MB)."""
    data = empty_cells_xlsx(300_000)
    tracemalloc.start()
    try:
        check_sheet_extent(data)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 8 * MB, f"peak {peak / MB:.0f} MB"


def test_only_the_configured_limits_keep_a_warm_child() -> None:
    data = small_xlsx()
    parse_workbook_guarded(data)
    parse_workbook_guarded(data, memory=700 * MB)
    parse_workbook_guarded(data, timeout=7.0)
    assert list(sandbox._warm) == [(sandbox.memory_limit_bytes(), sandbox.timeout_seconds())]
    assert all(proc.poll() is None for proc in sandbox._warm.values())


def test_a_warm_child_that_died_while_waiting_is_replaced() -> None:
    data = small_xlsx()
    parse_workbook_guarded(data)  # leaves a warm child waiting
    for proc in list(sandbox._warm.values()):
        proc.kill()
        proc.wait()
    assert parse_workbook_guarded(data)[0][1][1][:3] == ROW[:3]


def test_the_child_answer_cannot_build_arbitrary_objects() -> None:
    import pickle

    evil = pickle.dumps(("ok", os.getcwd, None))
    with pytest.raises(pickle.UnpicklingError):
        sandbox._SafeUnpickler(io.BytesIO(evil)).load()


def _peak_mb(code: str) -> float:
    """Peak RSS of a fresh interpreter running code, in MB (a subprocess: nothing else in it)."""
    script = f"import resource\n{code}\nprint(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)"
    root = Path(__file__).resolve().parents[2]
    out = subprocess.run([sys.executable, "-c", script], cwd=root, capture_output=True, text=True, check=True).stdout
    return float(out.split()[-1])


@pytest.mark.parametrize("line", [b"\r\n", b",,,,,,,,\r\n"], ids=["blank", "delimiters"])
def test_ten_megabytes_of_blank_lines_cost_nothing(line: bytes) -> None:
    header = csv_bytes([ROW])
    data = header + line * ((10 * MB - len(header)) // len(line) - 10)
    assert len(data) <= limits.MAX_FILE_BYTES
    tracemalloc.start()
    try:
        table = ingest.read_table(data, "trong.csv")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert table.lines == [2] and table.data["unit"] == ["Bản Pá Khoang"]
    # the text (10 MB), its NFC copy and the reader's 4-byte-per-character buffer: a fixed multiple of the file, no grid
    assert peak < 75 * MB, f"peak {peak / MB:.0f} MB"


def test_blank_lines_between_rows_keep_the_row_numbers_the_person_sees() -> None:
    data = csv_bytes([ROW, *[[""] * 9] * 1000, ROW[:2] + ["Thôn 2", *ROW[3:]]])
    table = ingest.read_table(data, "co_dong_trong.csv")
    assert table.lines == [2, 1003]


def test_an_xlsx_of_empty_rows_within_the_size_limit_stays_small() -> None:
    empty_rows = b"".join(b'<row r="%d"><c r="A%d" t="inlineStr"><is><t></t></is></c></row>' % (i, i) for i in range(3, 90_000))
    data = edit_sheet(small_xlsx(), lambda xml: xml.replace(b"</sheetData>", empty_rows + b"</sheetData>"))
    assert len(data) < limits.MAX_FILE_BYTES
    tracemalloc.start()
    try:
        sheets = sheets_from_workbook(data)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    grid = sheets[0][1]
    assert len(grid) == 89_999 and all(row is grid[-1] for row in grid[2:])  # one shared blank row
    assert peak < 25 * MB, f"peak {peak / MB:.0f} MB"


def test_a_300_character_file_name_is_recorded_cut_and_never_used_on_disk(tmp_path: Path) -> None:
    db = tmp_path / "kpis.duckdb"
    con = store.connect(db)
    long_xlsx = "báo cáo " * 40 + ".xlsx"
    no_suffix = "bao_cao." + "x" * 300  # a workbook whose "extension" is 300 characters
    first = import_file(con, small_xlsx(), long_xlsx, "t")
    second = import_file(con, small_xlsx([ROW[:2] + ["Thôn 9", *ROW[3:]]]), no_suffix, "t")
    assert (first.status, second.status) == ("accepted", "accepted")
    names = con.execute("SELECT file_name, stored_path FROM submissions ORDER BY id").fetchall()
    con.close()
    assert [len(n) for n, _ in names] == [255, 255]
    assert names[0][0].endswith("….xlsx") and names[0][0].startswith("báo cáo báo cáo")
    assert names[1][0].endswith("…") and names[1][0].startswith("bao_cao.xxx")
    assert [p for _, p in names] == [f"{first_sha}.xlsx" for first_sha in [names[0][1][:64]]] + [names[1][1][:64] + ".bin"]
    assert all(len(p.name) < 80 for p in (tmp_path / "uploads").iterdir())
