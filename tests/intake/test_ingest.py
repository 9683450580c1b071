"""File bytes -> raw table: encodings, delimiters, the header row, the sheet, totals rows, row numbers.

Reading is tested here on its own (kpis.intake.ingest.read_table), below validation: which sheet and row
are taken as the header, which rows are data, which are totals, and the row numbers the person sees.
"""

from __future__ import annotations

import codecs
import io
import unicodedata

import openpyxl
import pytest
import xlwt

from kpis import store
from kpis.intake.csv_grid import decode_text, grid_from_csv
from kpis.intake.importer import import_file
from kpis.intake.ingest import IngestError, read_table
from kpis.intake.limits import MAX_HEADER_SCAN
from tests.corpus.make_corpus import BASE, HEADER, TITLE, cp1258_text, csv_file, row, xlsx_file


def numbers(table) -> list[tuple]:
    return [(r.line, r.cells["unit"], r.cells["numerator"], r.cells["denominator"]) for r in table.rows]


# --- encodings and delimiters ----------------------------------------------------------------


@pytest.mark.parametrize(
    "raw",
    [
        "Tỉnh,Xã\r\nĐiện Biên,Mường Mùn\r\n".encode(),
        codecs.BOM_UTF8 + "Tỉnh,Xã\r\nĐiện Biên,Mường Mùn\r\n".encode(),
        "Tỉnh,Xã\r\nĐiện Biên,Mường Mùn\r\n".encode("utf-16"),  # with BOM, as Excel writes it
        codecs.BOM_UTF16_BE + "Tỉnh,Xã\r\nĐiện Biên,Mường Mùn\r\n".encode("utf-16-be"),
        cp1258_text("Tỉnh,Xã\r\nĐiện Biên,Mường Mùn\r\n").encode("cp1258"),
        unicodedata.normalize("NFD", "Tỉnh,Xã\r\nĐiện Biên,Mường Mùn\r\n").encode("utf-8"),
    ],
    ids=["utf8", "utf8-bom", "utf16-bom", "utf16be-bom", "cp1258", "utf8-nfd"],
)
def test_every_excel_encoding_decodes_to_the_same_nfc_text(raw):
    assert decode_text(raw) == "Tỉnh,Xã\r\nĐiện Biên,Mường Mùn\r\n"


@pytest.mark.parametrize(
    "note",
    ["Họp dân “về” chuyển đổi số", "Người dân “Hồ”", "Tổ dân phố… đã họp", "«Bản Mường»", "CÁN BỘ “LÊ”", "BÉ”"],
)
def test_windows_1258_with_curly_quotes_after_a_tone_mark_is_not_taken_for_utf8(note):
    """A tone-mark byte before a curly quote is valid UTF-8 for a combining mark: no evidence of UTF-8."""
    text = f"Tỉnh,Xã,Ghi chú\r\nĐiện Biên,Mường Mùn,{note}\r\n"
    assert decode_text(cp1258_text(text).encode("cp1258")) == text


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be"])
def test_utf16_without_bom_is_recognised_by_its_zero_bytes(encoding):
    text = "STT,Tỉnh,Xã\r\n1,Điện Biên,Mường Mùn\r\n"
    assert decode_text(text.encode(encoding)) == text


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be"])
def test_utf16_without_bom_starting_with_a_vietnamese_letter_is_refused_not_misread(encoding):
    """Detection looks at the first two characters; 'Tỉnh' hides the zero bytes. Excel always writes the BOM,
    so this only comes from other tools: the file is refused with the encoding message, never read as garbage."""
    with pytest.raises(IngestError) as e:
        read_table(csv_file(BASE, encoding=encoding), "bao_cao.csv")
    assert e.value.code == "file_encoding"


def test_cp1258_bytes_really_hold_combining_tone_marks():
    """What Excel on Vietnamese Windows writes: 'ờ' is ơ (0xF5) then the grave tone (0xCC)."""
    raw = cp1258_text("Mường").encode("cp1258")
    assert raw == b"M\xfd\xf5\xccng"
    assert decode_text(raw) == "Mường"


@pytest.mark.parametrize("delimiter", [",", ";", "\t"])
def test_delimiter_is_sniffed_even_when_notes_hold_the_others(delimiter):
    rows = [row(0, note="Đã họp; có 3 thôn, 2 bản"), row(1, note="a\tb"), BASE[2]]
    grid = grid_from_csv(csv_file(rows, delimiter=delimiter))
    assert grid[0] == HEADER
    assert [r[2] for r in grid[1:]] == ["Bản Na Sang", "Bản Huổi Lóng", "Bản Co Cượm"]
    assert grid[1][8] == "Đã họp; có 3 thôn, 2 bản"


def test_one_column_csv_does_not_crash_the_sniffer():
    with pytest.raises(IngestError) as e:
        read_table("Danh sách thôn\r\nBản Na Sang\r\nBản Huổi Lóng\r\n".encode(), "thon.csv")
    assert e.value.code == "file_no_header"


# --- the header, the sheet ---------------------------------------------------------------------


def test_header_may_be_written_with_stars_colons_and_line_breaks():
    header = ["Tỉnh*", "Xã:", "Đơn vị *", "Năm", "Quý", "Chỉ\ntiêu", "Số\nđạt", "TỔNG  SỐ", "Ghi chú"]
    table = read_table(csv_file([BASE[0]], header=header), "x.csv")
    assert set(table.columns) == {
        "province",
        "commune",
        "unit",
        "year",
        "quarter",
        "indicator",
        "numerator",
        "denominator",
        "note",
    }
    assert table.columns["denominator"] == "TỔNG  SỐ"  # as written: messages quote the person's own header


def test_unknown_columns_are_kept_aside_not_refused():
    header = ["STT", *HEADER, "Tỷ lệ (%)"]
    table = read_table(csv_file([[1, *BASE[0], 90.0]], header=header), "x.csv")
    assert table.unknown_columns == ["STT"]  # "Tỷ lệ (%)" is read: checked against the counts
    assert table.column_index["province"] == 1 and table.column_index["note"] == 9


def test_header_found_on_the_last_scanned_row_but_not_below():
    above = [[f"dòng tiêu đề {i}"] for i in range(MAX_HEADER_SCAN - 1)]
    table = read_table(xlsx_file([BASE[0]], title=above), "x.xlsx")
    assert table.header_line == MAX_HEADER_SCAN and table.rows[0].line == MAX_HEADER_SCAN + 1
    with pytest.raises(IngestError) as e:
        read_table(xlsx_file([BASE[0]], title=[*above, ["một dòng nữa"]]), "x.xlsx")
    assert e.value.code == "file_no_header"


def workbook(*sheets: tuple[str, list[list]]) -> bytes:
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for name, grid in sheets:
        ws = wb.create_sheet(name)
        for r in grid:
            ws.append(r)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def test_the_sheet_with_the_fullest_header_is_read():
    """An instructions sheet that lists three column names in a row must not win over the data sheet."""
    guide = [["Hướng dẫn"], ["Tỉnh", "Xã", "Đơn vị"], ["ghi tên đầy đủ", "", ""]]
    summary = [["Tỉnh", "Xã", "Năm", "Số đạt"], ["Điện Biên", "Mường Mùn", 2025, 2071]]
    data = workbook(("Hướng dẫn", guide), ("Tổng hợp", summary), ("Số liệu", [HEADER, BASE[0]]), ("Trống", []))
    table = read_table(data, "x.xlsx")
    assert (table.sheet, table.header_line, table.kind) == ("Số liệu", 1, "workbook")
    assert numbers(table) == [(2, "Bản Na Sang", 450, 500)]


def test_zip_bytes_without_a_spreadsheet_name_are_read_as_a_workbook():
    table = read_table(xlsx_file([BASE[0]]), "bao_cao_tu_zalo")  # chat apps drop the extension
    assert table.kind == "workbook" and len(table.rows) == 1


def test_legacy_xls_is_read_with_its_row_numbers():
    wb = xlwt.Workbook(encoding="utf-8")
    ws = wb.add_sheet("Báo cáo")
    ws.write_merge(0, 0, 0, 8, "BÁO CÁO QUÝ III NĂM 2025")
    for j, h in enumerate(HEADER):
        ws.write(2, j, h)
    for i, r in enumerate(BASE[:2], start=3):
        for j, v in enumerate(r):
            ws.write(i, j, v)
    buf = io.BytesIO()
    wb.save(buf)
    table = read_table(buf.getvalue(), "bao_cao.XLS")
    assert table.header_line == 3
    assert numbers(table) == [(4, "Bản Na Sang", 450.0, 500.0), (5, "Bản Huổi Lóng", 380.0, 620.0)]


def test_cells_are_nfc_and_trimmed():
    nfd = unicodedata.normalize("NFD", "  Bản Na Sang ")
    table = read_table(xlsx_file([row(0, unit=nfd)]), "x.xlsx")
    assert table.rows[0].cells["unit"] == "Bản Na Sang"


# --- blank rows and totals rows ------------------------------------------------------------------


@pytest.mark.parametrize("label", ["Tổng cộng", "TỔNG CỘNG:", "Cộng", "cộng:", "Tổng", "Tổng số", "Tong cong", "Total"])
def test_totals_row_is_skipped_and_remembered_with_its_block(label):
    total = [label, None, None, None, None, None, 2030, 2650, None]
    table = read_table(xlsx_file([BASE[0], [], BASE[1], BASE[2], total], title=TITLE), "x.xlsx")
    assert [r.line for r in table.rows] == [6, 8, 9]
    assert [(t.line, t.first_line, t.last_line) for t in table.totals] == [(10, 6, 9)]


def test_totals_label_may_sit_in_a_later_column():
    total = [None, None, "Tổng cộng", None, None, None, 830, 1120, None]
    table = read_table(xlsx_file([BASE[0], BASE[1], total]), "x.xlsx")
    assert len(table.rows) == 2 and [t.line for t in table.totals] == [4]


def test_a_unit_named_like_a_total_is_still_data():
    """Only the row's first filled cell marks a totals row: a unit called 'Tổng đội' is data."""
    table = read_table(xlsx_file([row(0, unit="Tổng đội Thanh niên xung phong")]), "x.xlsx")
    assert len(table.rows) == 1 and table.totals == []


def test_matching_totals_row_gives_no_warning_and_a_wrong_one_names_its_cell(tmp_path):
    con = store.connect(tmp_path / "kpis.duckdb")
    right = ["Tổng cộng", None, None, None, None, None, 830, 1120, None]
    assert import_file(con, xlsx_file([BASE[0], BASE[1], right]), "dung.xlsx").warnings == []
    wrong = ["Tổng cộng", None, None, None, None, None, 830, 1121, None]
    result = import_file(con, xlsx_file([row(0, quarter=2), row(1, quarter=2), wrong]), "sai.xlsx")
    assert result.status == "accepted"
    assert [(w.row, w.column, w.code, w.params) for w in result.warnings] == [
        (4, "Tổng số", "totals_mismatch", {"stated": 1121, "summed": 1120})
    ]
    assert "1121" in result.warning_messages()[0] and "1120" in result.warning_messages()[0]
    con.close()


def test_grand_total_after_subtotals_is_not_a_mismatch(tmp_path):
    office2 = row(3, indicator="directives_published", numerator=18, denominator=20)
    rows = [
        BASE[0],
        BASE[1],
        BASE[2],
        ["Cộng", None, None, None, None, None, 2030, 2650, None],
        BASE[3],
        office2,
        ["Cộng", None, None, None, None, None, 59, 65, None],
        ["Tổng cộng", None, None, None, None, None, 2089, 2715, None],
    ]
    con = store.connect(tmp_path / "kpis.duckdb")
    result = import_file(con, xlsx_file(rows, title=TITLE), "co_cong_va_tong_cong.xlsx")
    con.close()
    assert result.status == "accepted"
    assert result.warning_messages() == []
