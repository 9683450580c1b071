"""Every validation rule, through a real file imported into an empty database.

A refused file must name the row as the person sees it in the spreadsheet (in a plain CSV
the header is row 1; in an .xlsx with two title rows the header is row 3), the column as
their header writes it, and a reason code; and it must write nothing at all.
"""

from __future__ import annotations

import io
import zipfile

import duckdb
import openpyxl
import pytest

from kpis import store
from kpis.catalog.model import Commune
from kpis.intake.importer import ImportResult, import_file
from kpis.intake.schema import HEADERS_VI
from kpis.intake.validate import Problem
from tests.conftest import EN_HEADER, VI_HEADER, csv_bytes, xlsx_bytes

TITLE_ROWS = [["UBND XÃ MƯỜNG MÙN"], ["BÁO CÁO KẾT QUẢ TRUYỀN THÔNG NGHỊ QUYẾT 57-NQ/TW - QUÝ III NĂM 2025"]]
XLSX_FIRST_ROW = len(TITLE_ROWS) + 2  # title rows, then the header, then the first data row
CSV_FIRST_ROW = 2  # the header is row 1
COL = {name: i for i, name in enumerate(EN_HEADER)}


def good_row(**changes) -> list:
    row = ["Điện Biên", "Mường Mùn", "Bản Na Sang", 2025, 3, "citizen_reach", 450, 500, ""]
    for name, value in changes.items():
        row[COL[name]] = value
    return row


def assert_nothing_written(con: duckdb.DuckDBPyConnection) -> None:
    for table in ("submissions", "submission_values", "units"):
        assert con.execute(f"SELECT count(*) FROM {table}").fetchone()[0] == 0, table
    uploads = store.uploads_dir(con)
    assert not uploads.exists() or not any(uploads.iterdir())


def refused(con: duckdb.DuckDBPyConnection, data: bytes, name: str) -> ImportResult:
    result = import_file(con, data, name)
    assert result.status == "refused"
    assert not result.accepted
    assert_nothing_written(con)
    return result


def only_problem(result: ImportResult) -> Problem:
    assert len(result.problems) == 1, result.problems
    return result.problems[0]


# --- header-level rules -----------------------------------------------------------------


def test_missing_required_column_xlsx(con):
    header = [h for h in VI_HEADER if h != "Số đạt"]
    rows = [[v for i, v in enumerate(good_row()) if EN_HEADER[i] != "numerator"]]
    result = refused(con, xlsx_bytes(rows, header=header, title_rows=TITLE_ROWS), "bao_cao.xlsx")
    p = only_problem(result)
    assert (p.row, p.column, p.code) == (len(TITLE_ROWS) + 1, "Số đạt", "column_missing")


def test_missing_required_columns_csv_lists_each(con):
    dropped = {"quarter", "denominator"}
    header = [h for h in EN_HEADER if h not in dropped]
    rows = [[v for i, v in enumerate(good_row()) if EN_HEADER[i] not in dropped]]
    result = refused(con, csv_bytes(rows, header=header), "report.csv")
    assert [(p.row, p.column, p.code) for p in result.problems] == [
        (None, None, "context_period_missing"),  # a quarter may also come from the title or the options: all three said
        (1, HEADERS_VI["denominator"], "column_missing"),
    ]


def test_note_column_is_optional(con):
    header = EN_HEADER[:-1]
    result = import_file(con, csv_bytes([good_row()[:-1]], header=header), "no_note.csv")
    assert result.status == "accepted", result.messages("en")


# --- cell-level rules -------------------------------------------------------------------


def test_empty_required_cell(con):
    rows = [good_row(), good_row(unit="Bản Huổi Lóng", numerator=None)]
    result = refused(con, xlsx_bytes(rows, title_rows=TITLE_ROWS), "bao_cao.xlsx")
    p = only_problem(result)
    assert (p.row, p.column, p.code) == (XLSX_FIRST_ROW + 1, "Số đạt", "required")


def test_unknown_province_suggests_the_near_one(con):
    result = refused(con, csv_bytes([good_row(province="Dien Bienn")]), "report.csv")
    p = only_problem(result)
    assert (p.row, p.column, p.code) == (CSV_FIRST_ROW, "province", "province_unknown")
    assert p.params["value"] == "Dien Bienn"
    assert "Điện Biên" in p.params["suggest"]


def test_unknown_commune_suggests_muong_mun(con):
    rows = [good_row(commune="Muong Mnn")]
    result = refused(con, xlsx_bytes(rows, title_rows=TITLE_ROWS), "bao_cao.xlsx")
    p = only_problem(result)
    assert (p.row, p.column, p.code) == (XLSX_FIRST_ROW, "Xã", "commune_unknown")
    assert p.params["province"] == "Điện Biên"
    assert "Mường Mùn" in p.params["suggest"].split(", ")
    assert "Mường Mùn" in result.messages()[0]


def test_commune_of_another_province_is_unknown(con):
    result = refused(con, csv_bytes([good_row(province="Lai Châu")]), "report.csv")
    p = only_problem(result)
    assert (p.row, p.column, p.code) == (CSV_FIRST_ROW, "commune", "commune_unknown")
    assert p.params["province"] == "Lai Châu"


def test_communes_are_found_with_their_kind_written_before_them(con):
    """ "Phường Mường Lay", and a special zone written "Đặc khu Phú Quốc" (no prefix the text rules strip)."""
    store.add_communes(con, [Commune(province="An Giang", name="Phú Quốc", kind="Đặc khu")], "dac_khu.csv", journal=False)
    rows = [
        good_row(commune="Phường Mường Lay", unit="Tổ dân phố 1"),
        good_row(province="Tỉnh An Giang", commune="Đặc khu Phú Quốc", unit="Khu phố 1"),
        good_row(province="an giang", commune="dac khu phu quoc", unit="Khu phố 2"),
    ]
    result = import_file(con, csv_bytes(rows), "report.csv")
    assert result.accepted, result.messages()
    stored = con.execute("SELECT DISTINCT c.province, c.name FROM units u JOIN communes c ON c.id = u.commune_id ORDER BY 1, 2")
    assert stored.fetchall() == [("An Giang", "Phú Quốc"), ("Điện Biên", "Mường Lay")]


def test_year_out_of_range(con):
    rows = [good_row(), good_row(unit="Bản Pá Chả"), good_row(unit="Bản Tả Phìn", year=2040)]
    result = refused(con, xlsx_bytes(rows, title_rows=TITLE_ROWS), "bao_cao.xlsx")
    p = only_problem(result)
    assert (p.row, p.column, p.code) == (XLSX_FIRST_ROW + 2, "Năm", "year_range")
    assert p.params["value"] == "2040"


def test_bad_quarter(con):
    result = refused(con, csv_bytes([good_row(), good_row(unit="Bản Pá Chả", quarter="Q5")]), "report.csv")
    p = only_problem(result)
    assert (p.row, p.column, p.code) == (CSV_FIRST_ROW + 1, "quarter", "quarter_invalid")
    assert p.params["value"] == "Q5"


def test_unknown_indicator_lists_the_names_and_codes(con, catalog):
    result = refused(con, csv_bytes([good_row(indicator="citizen_rech")]), "report.csv")
    p = only_problem(result)
    assert (p.row, p.column, p.code) == (CSV_FIRST_ROW, "indicator", "indicator_unknown")
    assert p.params["known"].split("; ") == [f"{i.short_vi} ({code})" for code, i in catalog.indicators.items()]


def test_numerator_not_whole_semicolon_csv(con):
    data = csv_bytes([good_row(numerator="12,5")], header=VI_HEADER, delimiter=";")
    result = refused(con, data, "bao_cao.csv")
    p = only_problem(result)
    assert (p.row, p.column, p.code) == (CSV_FIRST_ROW, "Số đạt", "count_not_whole")
    assert p.params["value"] == "12,5"


def test_negative_count(con):
    rows = [good_row(denominator="-3", numerator=0)]
    result = refused(con, xlsx_bytes(rows, title_rows=TITLE_ROWS), "bao_cao.xlsx")
    p = only_problem(result)
    assert (p.row, p.column, p.code) == (XLSX_FIRST_ROW, "Tổng số", "count_negative")


def test_denominator_zero(con):
    result = refused(con, csv_bytes([good_row(numerator=0, denominator=0)]), "report.csv")
    p = only_problem(result)
    assert (p.row, p.column, p.code) == (CSV_FIRST_ROW, "denominator", "denominator_zero")


def test_numerator_greater_than_denominator(con):
    rows = [good_row(numerator=600, denominator=500)]
    result = refused(con, xlsx_bytes(rows, title_rows=TITLE_ROWS), "bao_cao.xlsx")
    p = only_problem(result)
    assert (p.row, p.column, p.code) == (XLSX_FIRST_ROW, "Số đạt", "numerator_gt_denominator")
    assert (p.params["numerator"], p.params["denominator"]) == (600, 500)


def test_same_key_twice_names_the_other_row(con):
    rows = [
        good_row(),
        good_row(unit="Bản Pá Chả"),
        good_row(unit="ban  na sang", numerator=460),  # the first unit again, spelled another way
    ]
    result = refused(con, csv_bytes(rows), "report.csv")
    p = only_problem(result)
    assert (p.row, p.column, p.code) == (CSV_FIRST_ROW + 2, None, "duplicate_row")
    assert p.params["other"] == CSV_FIRST_ROW
    assert f"dòng {CSV_FIRST_ROW}" in result.messages()[0]
    assert f"row {CSV_FIRST_ROW}" in result.messages("en")[0]


def test_same_unit_other_quarter_is_not_a_duplicate(con):
    result = import_file(con, csv_bytes([good_row(), good_row(quarter=4, numerator=470)]), "report.csv")
    assert result.status == "accepted", result.messages("en")


# --- whole-file rules -------------------------------------------------------------------


def _docx_like_zip() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("word/document.xml", "<w:document/>")
    return buf.getvalue()


@pytest.mark.parametrize(
    ("data", "name", "code"),
    [
        (b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\n", "bao_cao.pdf", "file_type"),
        (b"province\tcommune\n", "bao_cao.doc", "file_type"),
        (b"this is plain text, not a workbook", "bao_cao.xlsx", "file_not_xlsx"),
        (_docx_like_zip(), "bao_cao.docx", "file_not_xlsx"),
        (b"", "bao_cao.csv", "file_empty"),
        (b"", "bao_cao.xlsx", "file_empty"),
        (csv_bytes([], header=["STT", "Ho va ten", "Ghi chu khac"]), "danh_sach.csv", "file_no_header"),
        (csv_bytes([]), "only_header.csv", "file_no_rows"),
        (xlsx_bytes([], title_rows=TITLE_ROWS), "only_header.xlsx", "file_no_rows"),
    ],
    ids=["pdf", "doc", "xlsx-not-zip", "docx-zip", "empty-csv", "empty-xlsx", "no-header", "csv-no-rows", "xlsx-no-rows"],
)
def test_unreadable_file(con, data, name, code):
    result = refused(con, data, name)
    p = only_problem(result)
    assert (p.row, p.column, p.code) == (None, None, code)
    assert result.messages()[0] and result.messages("en")[0]


def test_several_problems_are_all_listed(con):
    rows = [
        good_row(),  # fine
        good_row(unit="Bản Pá Chả", year="20a5", numerator=10, denominator=5),  # 2 problems
        good_row(unit="Bản Tả Phìn", commune="Muong Mnn"),  # 1 problem
        good_row(unit="Bản Huổi Lóng", quarter="V", indicator="reach", numerator="abc"),  # 3 problems
        good_row(unit="Bản Co Cượm"),  # fine
    ]
    result = refused(con, xlsx_bytes(rows, title_rows=TITLE_ROWS), "bao_cao.xlsx")
    first = XLSX_FIRST_ROW
    found = sorted((p.row, p.column, p.code) for p in result.problems)
    assert found == sorted(
        [
            (first + 1, "Năm", "year_invalid"),
            (first + 1, "Số đạt", "numerator_gt_denominator"),
            (first + 2, "Xã", "commune_unknown"),
            (first + 3, "Quý", "quarter_invalid"),
            (first + 3, "Chỉ tiêu", "indicator_unknown"),
            (first + 3, "Số đạt", "count_not_number"),
        ]
    )
    assert len(result.problems) == 2 + 1 + 3
    assert len(result.messages()) == len(result.problems)
    assert str(len(result.problems)) in result.summary("en")


# --- what is accepted -------------------------------------------------------------------


def test_vietnamese_headers_match_regardless_of_case_spacing_diacritics(con):
    header = ["TINH", "xa", "  Don Vi", "NĂM", "quy", "Chi Tieu", " so dat ", "Tong so", "ghi chu"]
    result = import_file(con, csv_bytes([good_row()], header=header), "khong_dau.csv")
    assert result.status == "accepted", result.messages("en")
    stored = con.execute("SELECT year, quarter, indicator, numerator, denominator FROM submission_values").fetchall()
    assert stored == [(2025, 3, "citizen_reach", 450, 500)]


def test_problem_column_is_the_header_as_written(con):
    header = ["TINH", "xa", "Don vi", "Nam", "Quy", "Chi tieu", " so dat ", "Tong so", "Ghi chu"]
    result = refused(con, csv_bytes([good_row(numerator=900)], header=header), "khong_dau.csv")
    p = only_problem(result)
    assert (p.row, p.column, p.code) == (CSV_FIRST_ROW, "so dat", "numerator_gt_denominator")


def test_unit_spellings_map_to_one_unit_keeping_the_first(con):
    first = import_file(con, csv_bytes([good_row(unit="Bản Na Sang", quarter=2, numerator=400)]), "q2.csv")
    second = import_file(con, csv_bytes([good_row(unit="ban  na sang", quarter=3, numerator=450)]), "q3.csv")
    assert (first.status, second.status) == ("accepted", "accepted")
    assert con.execute("SELECT name FROM units").fetchall() == [("Bản Na Sang",)]
    unit_ids = con.execute("SELECT DISTINCT unit_id FROM submission_values").fetchall()
    assert len(unit_ids) == 1
    assert con.execute("SELECT count(*) FROM submission_values").fetchone()[0] == 2


def test_accepted_file_is_kept_beside_the_database(con):
    data = csv_bytes([good_row()])
    result = import_file(con, data, "report.csv")
    assert result.status == "accepted"
    kept = list(store.uploads_dir(con).iterdir())
    assert len(kept) == 1 and kept[0].read_bytes() == data


@pytest.mark.parametrize(
    ("lang", "expected"),
    [("vi", f"Dòng {XLSX_FIRST_ROW}"), ("en", f"Row {XLSX_FIRST_ROW}")],
)
def test_messages_mention_the_row_in_each_language(con, lang, expected):
    rows = [good_row(numerator="12,5")]
    result = refused(con, xlsx_bytes(rows, title_rows=TITLE_ROWS), "bao_cao.xlsx")
    (message,) = result.messages(lang)
    assert expected in message
    assert "Số đạt" in message
    assert "12,5" in message


def test_default_messages_are_vietnamese(con):
    result = refused(con, csv_bytes([good_row(quarter="Q5")]), "report.csv")
    assert result.messages() == result.messages("vi")
    assert result.messages() != result.messages("en")
    assert result.messages("en")[0].startswith(f"Row {CSV_FIRST_ROW}")
    assert result.messages()[0].startswith(f"Dòng {CSV_FIRST_ROW}")


# --- row numbers as the spreadsheet shows them ----------------------------------------


def test_xlsx_row_numbers_count_empty_rows_above_the_table(con):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws["B2"] = "UBND XÃ MƯỜNG MÙN"  # row 1 and column A stay empty
    header_row, data_row = 4, 5
    for i, value in enumerate(VI_HEADER):
        ws.cell(row=header_row, column=2 + i, value=value)
    for i, value in enumerate(good_row(numerator=600)):
        ws.cell(row=data_row, column=2 + i, value=value or None)
    buf = io.BytesIO()
    wb.save(buf)
    p = only_problem(refused(con, buf.getvalue(), "lech.xlsx"))
    assert (p.row, p.column, p.code) == (data_row, "Số đạt", "numerator_gt_denominator")


def test_xlsx_table_on_a_later_sheet(con):
    wb = openpyxl.Workbook()
    wb.active.title = "Hướng dẫn"
    wb.active["A1"] = "Điền số liệu vào trang Báo cáo"
    ws = wb.create_sheet("Báo cáo")
    ws.append(VI_HEADER)
    ws.append(good_row())
    ws.append(good_row(unit="Bản Pá Chả", quarter="Q5"))
    buf = io.BytesIO()
    wb.save(buf)
    p = only_problem(refused(con, buf.getvalue(), "hai_trang.xlsx"))
    assert (p.row, p.column, p.code) == (3, "Quý", "quarter_invalid")


def test_csv_row_numbers_with_a_title_line_a_multiline_note_and_a_blank_row(con):
    rows = [good_row(note="dòng một\ndòng hai"), [], good_row(unit="Bản Pá Chả", numerator=600)]
    data = "BÁO CÁO QUÝ III NĂM 2025\r\n".encode() + csv_bytes(rows, header=VI_HEADER)
    # row 1 title, row 2 header, row 3 Na Sang (one row despite the line break), row 4 blank, row 5 Pá Chả
    p = only_problem(refused(con, data, "co_tieu_de.csv"))
    assert (p.row, p.column, p.code) == (5, "Số đạt", "numerator_gt_denominator")


@pytest.mark.parametrize(
    ("encoding", "delimiter"),
    [("utf-8", ","), ("utf-8-sig", ","), ("utf-8", ";"), ("utf-16", "\t")],
    ids=["utf8", "utf8-bom", "semicolon", "utf16-tab"],
)
def test_csv_encodings_and_delimiters(con, encoding, delimiter):
    data = csv_bytes(
        [good_row(), good_row(unit="Bản Pá Chả", numerator="1.200", denominator="1.500")], VI_HEADER, encoding, delimiter
    )
    result = import_file(con, data, "bao_cao.csv")
    assert result.status == "accepted", result.messages("en")
    stored = con.execute(
        "SELECT u.name, v.numerator, v.denominator FROM submission_values v JOIN units u ON u.id = v.unit_id"
    ).fetchall()
    assert sorted(stored) == [("Bản Na Sang", 450, 500), ("Bản Pá Chả", 1200, 1500)]
