"""Containers that lie about their type, hidden helper columns and protected sheets (issue 13, part 4).

Every file here is a real file made in the test, as the system or the program that makes it writes
it: an HTML table saved as .xls by a web system (title rows, a merged header, Vietnamese in UTF-8
with and without a BOM and in Windows-1258), SpreadsheetML 2003 saved as .xls, an .xlsx and an .ods
with a hidden column, protected sheets. The hostile ones (huge spans, deep nesting, entity bombs,
external entities, an empty page) go through the sandboxed child as uploads do, and each must end
in its IngestError, never a crash of this process.
"""

from __future__ import annotations

import io
import time
from pathlib import Path
from typing import Any

import openpyxl
import pytest
import xlwt
from odf.opendocument import OpenDocumentSpreadsheet
from odf.table import Table, TableCell, TableColumn, TableRow
from odf.text import P

from kpis import store
from kpis.core.i18n import problem_message
from kpis.intake import limits
from kpis.intake.annotate import annotated_copy
from kpis.intake.importer import check_file
from kpis.intake.ingest import read_table
from kpis.intake.limits import IngestError
from kpis.intake.sheets import parse_workbook, sheets_from_workbook, sniff_markup
from tests.corpus.make_corpus import BASE, cp1258_text

TIDY = ["Tỉnh", "Xã", "Đơn vị", "Năm", "Quý", "Chỉ tiêu", "Số đạt", "Tổng số"]
ROWS = [r[:8] for r in BASE[:3]]  # Bản Na Sang 450/500, Bản Huổi Lóng 380/620, Bản Co Cượm 1200/1530
STORED = [("Bản Na Sang", 450, 500), ("Bản Huổi Lóng", 380, 620), ("Bản Co Cượm", 1200, 1530)]
AS_TEXT = [[str(v) for v in r] for r in ROWS]  # an HTML page's cells are text: the validator parses them


@pytest.fixture(scope="module")
def con(tmp_path_factory: pytest.TempPathFactory):
    """An empty store, only read from: checking a file writes nothing."""
    connection = store.connect(tmp_path_factory.mktemp("containers") / "k.duckdb")
    yield connection
    connection.close()


def stored(checked) -> list[tuple]:
    return [(r.unit, r.numerator, r.denominator) for r in checked.rows.itertuples()]


def refusal(data: bytes, name: str = "bao_cao.xls") -> str:
    """The code a file is refused with, read as an upload is (the parse in the sandboxed child)."""
    with pytest.raises(IngestError) as e:
        read_table(data, name)
    return e.value.code


# --- HTML saved as .xls ----------------------------------------------------------------------


def web_export(rows: list[list[Any]], charset: str | None = "utf-8", meta: str = "http-equiv", signed: bool = True) -> str:
    """A page as web systems export "Excel": a title table, then the data table, <th> header, styles, entities.

    signed: a signature line below the table (the tidy table reads it as a data row: the form layouts
    recognise signature blocks, kpis.intake.table does not).
    """
    if charset is None:
        head = ""
    elif meta == "http-equiv":
        head = f'<meta http-equiv="Content-Type" content="text/html; charset={charset}">'
    else:
        head = f'<meta charset="{charset}">'
    cells = "\n".join("<tr>" + "".join(f"<td class='text'>{v}</td>" for v in r) + "</tr>" for r in rows)
    return f"""<!DOCTYPE html PUBLIC "-//W3C//DTD HTML 4.01 Transitional//EN">
<html xmlns:x="urn:schemas-microsoft-com:office:excel">
<head>{head}<title>Xuất dữ liệu</title>
<style type="text/css">td {{ mso-number-format:"\\@"; }} .h > td {{ font-weight: bold }}</style>
<script>var rows = "<tr><td>not a cell</td></tr>";</script>
<!--[if gte mso 9]><xml><x:ExcelWorkbook><x:ExcelWorksheets></x:ExcelWorksheets></x:ExcelWorkbook></xml><![endif]-->
</head>
<body>
<table>
  <tr><td colspan="8" align="center"><b>ỦY BAN NHÂN DÂN XÃ MƯỜNG MÙN</b></td></tr>
  <tr><td colspan="8" align="center"><font size="4"><b>BÁO CÁO KẾT QUẢ TRUYỀN THÔNG<br>NGHỊ QUYẾT 57-NQ/TW</b></font></td></tr>
  <tr><td colspan="8"><i>Quý III&nbsp;năm&#160;2025 &ndash; kỳ báo cáo</i></td></tr>
</table>
<table border="1" cellspacing="0">
  <thead><tr class="h">{"".join(f"<th>{h}</th>" for h in TIDY)}</tr></thead>
  <tbody>
{cells}
  </tbody>
</table>
{"<p>Người lập biểu &amp; <b>Chủ tịch</b></p>" if signed else ""}
</body>
</html>
"""


EXPECTED_TIDY = [
    ["ỦY BAN NHÂN DÂN XÃ MƯỜNG MÙN"],
    ["BÁO CÁO KẾT QUẢ TRUYỀN THÔNG NGHỊ QUYẾT 57-NQ/TW"],
    ["Quý III năm 2025 – kỳ báo cáo"],
    TIDY,
    *AS_TEXT,
    ["Người lập biểu & Chủ tịch"],
]


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(web_export(ROWS).encode("utf-8"), id="utf-8 meta"),
        pytest.param(b"\xef\xbb\xbf" + web_export(ROWS, charset=None).encode("utf-8"), id="utf-8 BOM, no meta"),
        pytest.param(web_export(ROWS, charset=None).encode("utf-8"), id="utf-8, no BOM, no meta"),
        pytest.param(b"\r\n  " + web_export(ROWS, meta="charset").encode("utf-8"), id="<meta charset>, leading blank"),
        pytest.param(cp1258_text(web_export(ROWS, "windows-1258")).encode("cp1258"), id="windows-1258 meta"),
        pytest.param(cp1258_text(web_export(ROWS, charset=None)).encode("cp1258"), id="windows-1258, no meta"),
        pytest.param(web_export(ROWS).encode("utf-16"), id="utf-16 BOM"),
    ],
)
def test_a_web_export_reads_as_one_sheet_in_document_order(data: bytes):
    assert sniff_markup(data) == "html"
    assert parse_workbook(data) == [("Bảng 1", EXPECTED_TIDY)]


def test_a_web_export_is_read_in_the_sandbox_and_its_rows_come_out(con):
    data = web_export(ROWS, signed=False).encode("utf-8")
    assert sheets_from_workbook(data) == [("Bảng 1", EXPECTED_TIDY[:-1])]
    for name in ("du_lieu.xls", "du_lieu.xlsx", "du_lieu.html"):
        checked = check_file(con, data, name)
        assert checked.problems == [], name
        assert stored(checked) == STORED, name
        assert checked.rows["line"].tolist() == [5, 6, 7]  # the rows as Excel shows the page


def test_colspan_and_rowspan_expand_like_merged_cells():
    page = """<html><body><table border=1>
<tr><th rowspan="2">STT</th><th rowspan=2>Thôn, bản</th><th colspan="3">Người dân được tiếp cận thông tin</th>
    <th COLSPAN='2'>CBCCVC được phổ biến NQ57</th></tr>
<tr><th>Tổng số</th><th>Số đạt</th><th>Tỷ lệ (%)</th><th>Số đạt<td>Tổng số</tr>
<tr><td>A<td>B<td>1<td>2<td>3=2/1<td>4<td>5
<tr><td>1</td><td>Bản <b>Na</b>&nbsp;Sang</td><td>500</td><td>450</td><td>90,0</td><td></td><td></td></tr>
<tr><td rowspan=2>2</td><td>Bản Huổi Lóng</td><td>620</td><td>380</td><td>61,3</td></tr>
<tr><td>Bản Co Cượm</td><td>1.530</td><td>1.200</td></tr>
</table></body></html>"""
    assert parse_workbook(page.encode()) == [
        (
            "Bảng 1",
            [
                ["STT", "Thôn, bản", "Người dân được tiếp cận thông tin", "", "", "CBCCVC được phổ biến NQ57"],
                ["", "", "Tổng số", "Số đạt", "Tỷ lệ (%)", "Số đạt", "Tổng số"],
                ["A", "B", "1", "2", "3=2/1", "4", "5"],
                ["1", "Bản Na Sang", "500", "450", "90,0"],
                ["2", "Bản Huổi Lóng", "620", "380", "61,3"],
                ["", "Bản Co Cượm", "1.530", "1.200"],
            ],
        )
    ]


def test_a_table_inside_a_cell_joins_its_text_and_blank_rows_keep_their_place():
    page = (
        b"<table><tr><td>a<table><tr><td>b</td><td>c</td></tr></table>d</td><td>e</td></tr><tr></tr><tr><td></td></tr>"
        b"<tr><td>f</td></tr></table>"
    )
    assert parse_workbook(page) == [("Bảng 1", [["a b c d", "e"], [], [], ["f"]])]


# --- SpreadsheetML 2003 saved as .xls --------------------------------------------------------------

SS = 'xmlns="urn:schemas-microsoft-com:office:spreadsheet" xmlns:ss="urn:schemas-microsoft-com:office:spreadsheet"'


def spreadsheet_ml(worksheets: str, prolog: str = "") -> bytes:
    return f"""<?xml version="1.0" encoding="UTF-8"?>{prolog}
<?mso-application progid="Excel.Sheet"?>
<Workbook {SS} xmlns:o="urn:schemas-microsoft-com:office:office" xmlns:x="urn:schemas-microsoft-com:office:excel"
 xmlns:html="http://www.w3.org/TR/REC-html40">
 <DocumentProperties xmlns="urn:schemas-microsoft-com:office:office"><Author>Hệ thống</Author></DocumentProperties>
 <Styles><Style ss:ID="s1"><Font ss:Bold="1"/></Style></Styles>
{worksheets}
</Workbook>
""".encode()


def ss_row(values: list[Any], attrs: str = "") -> str:
    def cell(v: Any) -> str:
        kind = "Number" if isinstance(v, int) else "String"
        return f'<Cell><Data ss:Type="{kind}">{v}</Data></Cell>'

    return f"<Row{attrs}>" + "".join(cell(v) for v in values) + "</Row>"


def test_spreadsheet_ml_with_merges_index_gaps_types_and_a_hidden_column():
    sheet = """<Worksheet ss:Name="Báo cáo quý">
  <Table ss:ExpandedColumnCount="8" x:FullColumns="1">
   <Column ss:Width="30"/><Column ss:Index="3" ss:Width="80"/><Column ss:Hidden="1" ss:Span="1"/>
   <Row><Cell ss:MergeAcross="5" ss:StyleID="s1"><Data ss:Type="String">UBND XÃ MƯỜNG MÙN</Data></Cell></Row>
   <Row ss:Index="3">
    <Cell ss:MergeDown="1"><Data ss:Type="String">STT</Data></Cell>
    <Cell ss:MergeDown="1"><Data ss:Type="String">Thôn, bản</Data></Cell>
    <Cell ss:MergeAcross="1"><ss:Data ss:Type="String" xmlns="http://www.w3.org/TR/REC-html40"
      ><B>Người dân</B> tiếp cận</ss:Data></Cell>
    <Cell ss:Index="6"><Data ss:Type="String">Ngày</Data></Cell>
    <Cell><Data ss:Type="String">Đủ</Data></Cell>
   </Row>
   <Row><Cell><Data ss:Type="String">Tổng số</Data></Cell><Cell><Data ss:Type="String">mã ẩn</Data></Cell></Row>
   <Row ss:Hidden="1"><Cell><Data ss:Type="Number">1</Data></Cell><Cell><Data ss:Type="String">Bản Na Sang</Data></Cell>
    <Cell><Data ss:Type="Number">500</Data></Cell><Cell><Data ss:Type="Number">450</Data></Cell>
    <Cell ss:Formula="=C5/D5"><Data ss:Type="Number">1.1111111111111112</Data></Cell>
    <Cell><Data ss:Type="DateTime">2025-09-30T00:00:00.000</Data></Cell><Cell><Data ss:Type="Boolean">1</Data></Cell></Row>
   <Row ss:Index="7"><Cell ss:Index="2"><Data ss:Type="String"> Bản Co Cượm </Data></Cell><Cell/>
    <Cell><Data ss:Type="Number">1.53E3</Data></Cell><Cell ss:Index="7"><Data ss:Type="Boolean">0</Data></Cell></Row>
  </Table>
 </Worksheet>
 <Worksheet ss:Name="Hướng dẫn"><Table><Row><Cell><Data ss:Type="String">Điền số liệu</Data></Cell></Row></Table></Worksheet>
 <Worksheet ss:Name="Trống"/>"""
    import datetime as dt

    data = spreadsheet_ml(sheet)
    assert sniff_markup(data) == "xml2003"
    assert sheets_from_workbook(data) == [
        (
            "Báo cáo quý",
            [
                ["UBND XÃ MƯỜNG MÙN"],
                [],
                ["STT", "Thôn, bản", "Người dân tiếp cận", "", "", "Ngày", "Đủ"],
                ["", "", "Tổng số"],  # after the cells merged down; "mã ẩn" is in hidden column D
                [1, "Bản Na Sang", 500, "", "", dt.datetime(2025, 9, 30), True],
                [],
                ["", " Bản Co Cượm ", "", "", "", "", False],  # 1.53E3 landed in hidden column E
            ],
        ),
        ("Hướng dẫn", [["Điền số liệu"]]),
        ("Trống", []),
    ]


def test_a_tidy_spreadsheet_ml_file_comes_out_as_rows(con):
    title = ss_row(["ỦY BAN NHÂN DÂN XÃ MƯỜNG MÙN"]) + ss_row(["Quý III năm 2025"])
    body = "".join(ss_row(r) for r in ROWS)
    header = ss_row(TIDY, ' ss:Index="4"')
    data = spreadsheet_ml(f'<Worksheet ss:Name="Sheet1"><Table>{title}{header}{body}</Table></Worksheet>')
    checked = check_file(con, data, "xuat.xls")
    assert checked.problems == []
    assert stored(checked) == STORED
    assert checked.rows["line"].tolist() == [5, 6, 7]


# --- hidden helper columns in .xlsx and .ods -------------------------------------------------------


def test_an_xlsx_hidden_column_is_blank_and_the_letters_stay(con):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Số liệu"
    ws.append(["BÁO CÁO QUÝ III NĂM 2025"])
    ws.append([*TIDY[:6], "Mã tra cứu", *TIDY[6:]])
    for r in ROWS:
        ws.append([*r[:6], "=VLOOKUP(C3,Sheet2!A:B,2,0)", *r[6:]])
    ws.column_dimensions["G"].hidden = True
    ws.column_dimensions.group("K", "M", hidden=True)  # a range of hidden columns beyond the data
    ws["L3"] = "ghi chú ẩn"
    buf = io.BytesIO()
    wb.save(buf)
    data = buf.getvalue()
    grid = dict(sheets_from_workbook(data))["Số liệu"]
    assert [row[6] for row in grid[1:]] == ["", "", "", ""]
    assert grid[1][:9] == [*TIDY[:6], "", *TIDY[6:]] and grid[2][7:9] == [450.0, 500.0] and grid[2][11] == ""
    checked = check_file(con, data, "bao_cao.xlsx")
    assert checked.problems == [] and stored(checked) == STORED


def ods_file(rows: list[list[Any]], hidden: int) -> bytes:
    """An .ods with 0-based column hidden collapsed, as LibreOffice writes a hidden column."""
    doc = OpenDocumentSpreadsheet()
    table = Table(name="Số liệu")
    if hidden:
        table.addElement(TableColumn(numbercolumnsrepeated=hidden))
    table.addElement(TableColumn(visibility="collapse"))
    table.addElement(TableColumn(numbercolumnsrepeated=20))
    for r in rows:
        tr = TableRow()
        for v in r:
            if isinstance(v, int):
                cell = TableCell(valuetype="float", value=v)
            else:
                cell = TableCell(valuetype="string")
            cell.addElement(P(text=str(v)))
            tr.addElement(cell)
        table.addElement(tr)
    doc.spreadsheet.addElement(table)
    buf = io.BytesIO()
    doc.write(buf)
    return buf.getvalue()


def test_an_ods_hidden_column_is_blank(con):
    rows = [["BÁO CÁO QUÝ III NĂM 2025"], [*TIDY, "Mã nội bộ"], *[[*r, f"X{i}"] for i, r in enumerate(ROWS)]]
    data = ods_file(rows, hidden=8)
    grid = dict(sheets_from_workbook(data))["Số liệu"]
    assert [row[8] if len(row) > 8 else "" for row in grid] == ["", "", "", "", ""]
    assert grid[1][:8] == TIDY
    checked = check_file(con, data, "bao_cao.ods")
    assert checked.problems == [] and stored(checked) == STORED


def test_an_ods_hidden_data_column_is_not_read():
    rows = [TIDY, *ROWS]
    grid = dict(sheets_from_workbook(ods_file(rows, hidden=2)))["Số liệu"]
    assert [row[2] for row in grid] == ["", "", "", ""] and grid[1][:2] == ["Điện Biên", "Mường Mùn"]


# --- protected sheets ---------------------------------------------------------------------------------


def test_a_protected_xlsx_sheet_reads_without_a_password(con):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(TIDY)
    for r in ROWS:
        ws.append(r)
    ws.protection.sheet = True
    ws.protection.password = "x"
    wb.security.lockStructure = True
    buf = io.BytesIO()
    wb.save(buf)
    checked = check_file(con, buf.getvalue(), "khoa.xlsx")
    assert checked.problems == [] and stored(checked) == STORED


def test_a_protected_xls_sheet_reads_without_a_password(con):
    book = xlwt.Workbook(encoding="utf-8")
    ws = book.add_sheet("Số liệu")
    for i, r in enumerate([TIDY, *ROWS]):
        for j, v in enumerate(r):
            ws.write(i, j, v)
    ws.protect = True
    ws.password = "x"
    buf = io.BytesIO()
    book.save(buf)
    assert dict(sheets_from_workbook(buf.getvalue()))["Số liệu"] == [TIDY, *ROWS]
    checked = check_file(con, buf.getvalue(), "khoa.xls")
    assert checked.problems == [] and stored(checked) == STORED


# --- the marked copy of a refused web export ---------------------------------------------------------


@pytest.mark.parametrize("kind", ["html .xls", "html .xlsx", "xml2003 .xls"])
def test_a_refused_web_export_gets_a_marked_copy_from_its_grid(con, kind: str):
    bad = [list(ROWS[0]), [*ROWS[1][:6], 700, 620], list(ROWS[2])]  # Số đạt 700 > Tổng số 620 on row 6
    if kind.startswith("html"):
        data = web_export(bad, signed=False).encode("utf-8")
        line = 6
    else:
        data = spreadsheet_ml(
            f'<Worksheet ss:Name="Sheet1"><Table>{"".join(ss_row(r) for r in [TIDY, *bad])}</Table></Worksheet>'
        )
        line = 3
    name = "xuat" + kind.rsplit(" ", 1)[1]
    checked = check_file(con, data, name)
    assert [(p.row, p.code) for p in checked.problems] == [(line, "numerator_gt_denominator")]
    marked = annotated_copy(data, name, checked)
    assert marked is not None and marked[0] == "xuat_loi.xlsx"
    ws = openpyxl.load_workbook(io.BytesIO(marked[1]))["Số liệu"]
    assert ws.cell(row=line, column=3).value == "Bản Huổi Lóng"
    assert ws.cell(row=line, column=7).comment is not None
    assert ws.cell(row=line, column=9).value  # the "Lỗi" column


# --- what lies about its type, and cannot be read ------------------------------------------------


@pytest.mark.parametrize(
    ("data", "code"),
    [
        pytest.param(b"<html></html>", "file_html_no_table", id="empty page"),
        pytest.param(
            "\ufeff\n<!DOCTYPE html><html><body><h1>Phiên đăng nhập đã hết hạn</h1><form></form></body></html>".encode(),
            "file_html_no_table",
            id="sign-in page",
        ),
        pytest.param(b"<table></table>", "file_html_no_table", id="empty table"),
        pytest.param(spreadsheet_ml("")[:-40], "file_xml2003_broken", id="truncated spreadsheetml"),
        pytest.param(
            spreadsheet_ml("<Worksheet><Table><Row><Cell></Row></Table></Worksheet>"),
            "file_xml2003_broken",
            id="badly nested spreadsheetml",
        ),
        pytest.param(spreadsheet_ml(""), "file_xml2003_broken", id="no worksheet"),
        pytest.param(
            spreadsheet_ml('<Worksheet><Table><Row ss:Index="5"/><Row ss:Index="2"/></Table></Worksheet>'),
            "file_xml2003_broken",
            id="row index going back",
        ),
        pytest.param(
            spreadsheet_ml('<Worksheet><Table><Row><Cell ss:Index="3"/><Cell ss:Index="2"/></Row></Table></Worksheet>'),
            "file_xml2003_broken",
            id="cell index going back",
        ),
    ],
)
def test_what_cannot_be_read_is_refused_saying_what_the_file_is(data: bytes, code: str, con):
    assert refusal(data) == code
    checked = check_file(con, data, "bao_cao.xls")
    assert [(p.row, p.column, p.code) for p in checked.problems] == [(None, None, code)]
    message = problem_message(code, {}, "vi")
    assert "Lưu thành" in message and ".xlsx" in message
    assert ("trang web (HTML)" if code.startswith("file_html") else "XML bảng tính Excel 2003") in message


BILLION_LAUGHS = """
<!DOCTYPE Workbook [
 <!ENTITY a "ha"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">
 <!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;"><!ENTITY e "&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;">
 <!ENTITY f "&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;"><!ENTITY g "&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;">
 <!ENTITY h "&g;&g;&g;&g;&g;&g;&g;&g;&g;&g;"><!ENTITY i "&h;&h;&h;&h;&h;&h;&h;&h;&h;&h;">
 <!ENTITY j "&i;&i;&i;&i;&i;&i;&i;&i;&i;&i;">
]>"""


def test_an_entity_bomb_or_an_external_entity_is_refused_unread(tmp_path: Path):
    bomb = spreadsheet_ml(
        '<Worksheet ss:Name="S"><Table><Row><Cell><Data ss:Type="String">&j;</Data></Cell></Row></Table></Worksheet>',
        prolog=BILLION_LAUGHS,
    )
    assert refusal(bomb) == "file_xml2003_unsafe"
    secret = tmp_path / "secret.txt"
    secret.write_text("mật khẩu", encoding="utf-8")
    external = spreadsheet_ml(
        '<Worksheet ss:Name="S"><Table><Row><Cell><Data ss:Type="String">&x;</Data></Cell></Row></Table></Worksheet>',
        prolog=f'<!DOCTYPE Workbook [<!ENTITY x SYSTEM "file://{secret}">]>',
    )
    assert refusal(external) == "file_xml2003_unsafe"
    parameter = spreadsheet_ml("", prolog=f'<!DOCTYPE Workbook [<!ENTITY % p SYSTEM "file://{secret}"> %p;]>')
    assert refusal(parameter) == "file_xml2003_unsafe"
    assert "tấn công máy chủ" in problem_message("file_xml2003_unsafe", {}, "vi")


def test_spans_past_the_widest_sheet_are_refused_or_bounded():
    past = b"<table><tr><td colspan=100000000>x</td><td>y</td></tr></table>"
    assert refusal(past) == "file_sheet_extent"  # colspan is clamped to 1000, as browsers do: y lands in column ALM
    title = b"<table><tr><td colspan=100000000 rowspan=100000000>title</td></tr><tr><td>a</td></tr></table>"
    # the title's rowspan covers column A..ALL of the next row: "a" goes past the widest sheet
    assert refusal(title) == "file_sheet_extent"
    down = (
        b"<table><tr><th rowspan=2000000000>T\xe1\xbb\x89nh</th><th>X\xc3\xa3</th></tr>"
        + b"<tr><td>M\xc6\xb0\xe1\xbb\x9dng M\xc3\xb9n</td></tr>" * 3
        + b"</table>"
    )
    assert sheets_from_workbook(down) == [("Bảng 1", [["Tỉnh", "Xã"], ["", "Mường Mùn"], ["", "Mường Mùn"], ["", "Mường Mùn"]])]
    one = '<Data ss:Type="Number">1</Data>'
    far = spreadsheet_ml(
        f'<Worksheet><Table><Row ss:Index="1048576"><Cell ss:Index="16384">{one}</Cell></Row></Table></Worksheet>'
    )
    assert refusal(far) == "file_sheet_extent"
    merged = '<Cell ss:MergeAcross="999999999" ss:MergeDown="999999999"/>'
    wide = spreadsheet_ml(f"<Worksheet><Table><Row>{merged}<Cell>{one}</Cell></Row></Table></Worksheet>")
    assert refusal(wide) == "file_sheet_extent"


def test_deep_nesting_and_parser_traps_take_bounded_time():
    started = time.monotonic()
    nested = b"<div>" * 200_000 + b"<table><tr><td>" * 100_000 + b"x" + b"</td></tr></table>" * 100_000 + b"</div>" * 200_000
    assert sheets_from_workbook(nested) == [("Bảng 1", [["x"]])]
    assert refusal(b"<html>" + b"<a " * 300_000) == "file_html_no_table"  # quadratic in html.parser on Python 3.11
    assert refusal(b"<html>" + b"<" * 5_000_000) == "file_html_no_table"
    assert refusal(b"<table><tr><td>" + b"<!--" * 1_000_000) == "file_html_no_table"
    assert refusal(b"<table><tr><td title='" + b"x" * 5_000_000) == "file_html_no_table"  # never closed: nothing after
    assert refusal(b"<table>" + b"&amp;&#x1F600;&#99999999999;&bogus;" * 200_000 + b"<tr><td>1") == "file_no_header"
    assert time.monotonic() - started < 60


def test_rows_and_cells_past_the_limits_are_refused(monkeypatch: pytest.MonkeyPatch):
    many = b"<table>" + b"<tr><td>1" * (limits.row_budget() + 1) + b"</table>"
    assert refusal(many) == "file_too_many_rows"
    monkeypatch.setattr(limits, "MAX_CELLS", 100)  # in this process: parse_workbook here, not in the child
    with pytest.raises(IngestError) as e:
        parse_workbook(b"<table>" + b"<tr>" + b"<td>1" * 11 + b"</tr>" * 1 + b"<tr><td>1</td></tr>" * 9 + b"</table>")
    assert e.value.code == "file_sheet_extent"
    rows = "".join(ss_row([1] * 11) for _ in range(10))
    with pytest.raises(IngestError) as e:
        parse_workbook(spreadsheet_ml(f'<Worksheet ss:Name="S"><Table>{rows}</Table></Worksheet>'))
    assert e.value.code == "file_sheet_extent"


# --- telling the containers apart -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("head", "kind"),
    [
        (b"<html><body>", "html"),
        (b"\xef\xbb\xbf  \r\n<!DOCTYPE html>\n<html>", "html"),
        (b"<!-- exported --><table border=1>", "html"),
        (b'<meta http-equiv="Content-Type" content="text/html; charset=utf-8"><table>', "html"),
        (b'<?xml version="1.0"?><html xmlns="http://www.w3.org/1999/xhtml">', "html"),
        (
            b'<?xml version="1.0"?>\n<?mso-application progid="Excel.Sheet"?>\n<Workbook xmlns="urn:x">',
            "xml2003",
        ),
        (b'<ss:Workbook xmlns:ss="urn:schemas-microsoft-com:office:spreadsheet">', "xml2003"),
        (b'<?xml version="1.0"?><note><to>x</to></note>', None),
        (b"PK\x03\x04<html>", None),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1<html>", None),
        (b"T\xe1\xbb\x89nh,X\xc3\xa3\r\n<table>", None),
        (b"< not a tag", None),
    ],
)
def test_sniffing_the_container(head: bytes, kind: str | None):
    assert sniff_markup(head) == kind


def test_a_file_that_is_no_workbook_is_still_refused_as_before():
    assert refusal(b"this is plain text, not a workbook", "bao_cao.xlsx") == "file_not_xlsx"
    assert refusal(b"<note>x</note>", "bao_cao.xls") == "file_not_xlsx"
    assert refusal(b"<html><table><tr><td>x</td></tr></table></html>", "bao_cao.pdf") == "file_type"
    assert refusal(b"<html><table><tr><td>x</td></tr></table></html>", "bao_cao.htm") == "file_no_header"
