"""Write the forms corpus: report forms as commune offices send them, each beside what it must produce.

    .venv/bin/python tests/forms/make_forms.py           # (re)write tests/forms/bad and tests/forms/good
    .venv/bin/python tests/forms/make_forms.py --check   # exit 1 if a committed file differs from what this writes

The tests read the committed files; they never run this script to make them (one test runs --check).
It is committed so that anyone can see how each file was made, and its writers are imported by the
property test (tests/intake/test_form_properties.py) to write random datasets in the same layouts.

A form is built once as a Sheet (cells, merges, formulas with their cached values, hidden columns,
protection) and written into any container: .xlsx (openpyxl), .xls (xlwt), .ods (odfpy), CSV as Excel
on Vietnamese Windows saves it (UTF-8 with BOM; merged cells keep their value in the first cell only),
an HTML table saved as .xls (what web systems export) and SpreadsheetML 2003 XML saved as .xls.

Three layouts (issue 13, "Shapes to read"):
  wide_sheet       one row per unit, a merged header per indicator over "Tổng số" / "Số đạt" (/ "Tỷ lệ (%)")
  indicator_sheet  one row per indicator for one unit (the unit named in the title, else the commune's UBND)
  tidy_sheet       today's tidy table under a title block
each under a title block as offices write it (UBND TỈNH / UBND XÃ, the national motto, Số: …/BC-UBND, the
date line, BÁO CÁO … with the period, Kính gửi: …) and above a signature block (Nơi nhận:, TM. ỦY BAN NHÂN
DÂN, a name).

good/<name>.<ext> + <name>.expected.json: {"why", "given" (optional: what --province/--commune/--year/--quarter
    supply), "values" (every value the file stores, in the file's order), "warnings" [{"row", "column", "code"}]}
bad/<name>.<ext> + <name>.expected.json: {"why", "given" (optional), "problems" [{"row", "column", "code"} +
    optional "params" (each given param must equal) and "message_has" (text the Vietnamese message must contain)]}

Where a problem is, as the reader reports it:
  row     the spreadsheet row as Excel shows it (a CSV line is its row); None for the file as a whole
  column  a cell of a one-row-per-unit form: "LETTER (GROUP / SUB)", e.g. "D (Người dân được tiếp cận thông tin
          / Số đạt)", the header texts as written with whitespace collapsed; a group header itself (an indicator
          named ambiguously, or by no indicator, or with only a percentage under it): "LETTER (GROUP)" at the
          group's first column and row; other layouts: the header text as written; a title line: None (the row is
          the title line's row).
"""

from __future__ import annotations

import csv
import html
import io
import json
import re
import sys
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

import openpyxl
import xlwt  # type: ignore[import-untyped]
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter

HERE = Path(__file__).resolve().parent
FIXED_TIME = (2025, 10, 5, 8, 0, 0)
FIXED_ISO = "2025-10-05T08:00:00Z"


# --- places, units, indicators -----------------------------------------------------------------


@dataclass(frozen=True)
class Place:
    """A commune as the registry names it (kpis/catalog/official/communes.csv)."""

    province: str
    commune: str
    kind: str = "xã"  # "xã" or "phường", as the registry's kind, lower case

    @property
    def committee(self) -> str:
        """The unit that stands for the commune's own figures: 'UBND xã Mường Mùn'."""
        return f"UBND {self.kind} {self.commune}"

    @property
    def upper(self) -> str:
        return f"{self.kind} {self.commune}".upper()


MUONG_MUN = Place("Điện Biên", "Mường Mùn")
MUONG_CHA = Place("Điện Biên", "Mường Chà")
TA_LENG = Place("Lai Châu", "Tả Lèng")
NAM_QUANG = Place("Cao Bằng", "Nam Quang")
TAN_GIANG = Place("Cao Bằng", "Tân Giang", "phường")

VILLAGES: dict[Place, list[str]] = {
    MUONG_MUN: ["Bản Na Sang", "Bản Huổi Lóng", "Bản Co Cượm", "Bản Pá Chả", "Bản Mường Mùn 1"],
    MUONG_CHA: ["Bản Huổi Mí", "Bản Nậm He", "Bản Púng Giắt", "Bản Na Pheo"],
    TA_LENG: ["Bản Tả Lèng", "Bản Hồ Ta", "Bản Lùng Thàng", "Bản Nậm Tăm"],
    NAM_QUANG: ["Thôn Nà Pồng", "Thôn Khuổi Khon", "Thôn Nà Đoỏng"],
    TAN_GIANG: ["Tổ dân phố 1", "Tổ dân phố 3", "Tổ dân phố 5", "Tổ dân phố 7"],
}
AGENCIES = ["Văn phòng HĐND và UBND xã", "Trung tâm Dịch vụ tổng hợp"]

# The indicator in words, as plans write it (first) and as offices shorten it.
WORDS: dict[str, list[str]] = {
    "citizen_reach": [
        "Người dân được tiếp cận thông tin",
        "Tỷ lệ người dân tiếp cận thông tin định hướng về KH, CN, ĐMST và CĐS qua hệ thống thông tin cơ sở",
        "Người dân được tiếp cận thông tin về KH, CN, ĐMST và CĐS",
    ],
    "officials_informed": [
        "CBCCVC được phổ biến NQ57",
        "Lãnh đạo, cán bộ, công chức, viên chức được tuyên truyền, phổ biến Nghị quyết 57-NQ/TW",
    ],
    "staff_digital_training": [
        "Cán bộ làm công tác truyền thông được đào tạo, bồi dưỡng kỹ năng truyền thông số",
        "Tỷ lệ cán bộ làm công tác truyền thông, thông tin cơ sở được đào tạo, bồi dưỡng kỹ năng truyền thông số",
    ],
    "st_tasks_communicated": [
        "Nhiệm vụ KH&CN, ĐMST, CĐS được truyền thông, phổ biến",
        "Tỷ lệ nhiệm vụ (chương trình, dự án) KH&CN, ĐMST, CĐS được truyền thông, phổ biến",
    ],
    "directives_published": [
        "Nội dung quan điểm chỉ đạo được cung cấp kịp thời trên nền tảng số",
    ],
    "units_with_plan": [
        "Cơ quan, đơn vị ban hành kế hoạch triển khai",
        "Tỷ lệ cơ quan, đơn vị, UBND xã, phường ban hành kế hoạch triển khai",
    ],
    "media_units_with_column": [
        "Cơ quan, đơn vị truyền thông có chuyên trang, chuyên mục về Nghị quyết 57-NQ/TW",
    ],
}
MEASURE = {  # Đơn vị tính in a one-row-per-indicator form
    "citizen_reach": "Người",
    "officials_informed": "Người",
    "staff_digital_training": "Người",
    "st_tasks_communicated": "Nhiệm vụ",
    "directives_published": "Nội dung",
    "units_with_plan": "Cơ quan",
    "media_units_with_column": "Cơ quan",
}
ROMAN = {1: "I", 2: "II", 3: "III", 4: "IV"}

# The period as offices write it, by (year, quarter): the ways the issue lists.
PERIODS: dict[str, Callable[[int, int], str | None]] = {
    "quy_roman": lambda y, q: f"Quý {ROMAN[q]} năm {y}",
    "quy_slash": lambda y, q: f"Quý {q}/{y}",
    "quy_dash": lambda y, q: f"quý {ROMAN[q]}-{y}",
    "q_slash": lambda y, q: f"Q{q}/{y}",
    "month": lambda y, q: f"tháng {3 * q}/{y}",
    "months": lambda y, q: {2: f"6 tháng đầu năm {y}", 3: f"9 tháng năm {y}", 4: f"năm {y}"}.get(q),
    "whole_year": lambda y, q: f"cả năm {y}" if q == 4 else None,
}


def rate(numerator: int, denominator: int, places: int = 1) -> float:
    return round(100 * numerator / denominator, places)


def label(col: int, *headers: str) -> str:
    """A cell as a problem names it: 'D (Người dân được tiếp cận thông tin / Số đạt)'."""
    return f"{get_column_letter(col)} ({' / '.join(' '.join(h.split()) for h in headers)})"


# --- the sheet: one model, every container -------------------------------------------------------


@dataclass
class Sheet:
    """A worksheet as a person laid it out; 1-based (row, column) like Excel."""

    name: str = "Báo cáo"
    cells: dict[tuple[int, int], Any] = field(default_factory=dict)
    merges: list[tuple[int, int, int, int]] = field(default_factory=list)  # first row, first col, last row, last col
    formulas: dict[tuple[int, int], str] = field(default_factory=dict)  # Excel A1 formula; cells holds its cached value
    bold: set[int] = field(default_factory=set)  # rows
    boxed: tuple[int, int] | None = None  # the table's rows, drawn with borders
    header_rows: tuple[int, int] | None = None  # printed on every page (print titles)
    hidden_columns: set[int] = field(default_factory=set)
    grouped: set[tuple[int, int]] = field(default_factory=set)  # counts formatted #,##0 (a CSV shows '1.200')
    protected: bool = False
    widths: dict[int, float] = field(default_factory=dict)

    def put(self, r: int, c: int, value: Any) -> None:
        if value is not None and value != "":
            self.cells[(r, c)] = value

    def merge(self, r: int, c: int, r2: int, c2: int, value: Any) -> None:
        self.put(r, c, value)
        if (r, c) != (r2, c2):
            self.merges.append((r, c, r2, c2))

    @property
    def size(self) -> tuple[int, int]:
        spots = list(self.cells) + [(m[2], m[3]) for m in self.merges]
        return max(r for r, _ in spots), max(c for _, c in spots)

    def covered(self) -> set[tuple[int, int]]:
        """Cells inside a merge other than its first: no value, no element in the containers that say so."""
        out = set()
        for r, c, r2, c2 in self.merges:
            out |= {(i, j) for i in range(r, r2 + 1) for j in range(c, c2 + 1)} - {(r, c)}
        return out

    def spans(self) -> dict[tuple[int, int], tuple[int, int]]:
        return {(r, c): (r2 - r + 1, c2 - c + 1) for r, c, r2, c2 in self.merges}


def stable_zip(data: bytes, cached: dict[str, dict[str, tuple[str, str]]] | None = None) -> bytes:
    """Re-zip with fixed timestamps (the mimetype first and stored, as ODF wants); give formula cells cached values.

    openpyxl cannot write a formula's cached value (Excel writes it on save): cached maps a sheet XML path to
    {cell: (value, type)}, and the value goes into the cell's <v>.
    """
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            body = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                body = re.sub(rb"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", FIXED_ISO.encode(), body)
            for cell, (value, kind) in (cached or {}).get(info.filename, {}).items():
                pattern = rb'<c r="' + cell.encode() + rb'"([^>]*)><f>(.*?)</f><v\s*/?>(</v>)?</c>'
                attrs = b"" if kind == "n" else f' t="{kind}"'.encode()
                body, n = re.subn(
                    pattern,
                    rb'<c r="' + cell.encode() + rb'"\1' + attrs + rb"><f>\2</f><v>" + value.encode() + rb"</v></c>",
                    body,
                )
                assert n == 1, (info.filename, cell)
            method = zipfile.ZIP_STORED if info.filename == "mimetype" else zipfile.ZIP_DEFLATED
            dst.writestr(zipfile.ZipInfo(info.filename, FIXED_TIME), body, method)
    return out.getvalue()


def _number_text(value: Any, decimal: str = ".") -> str:
    if isinstance(value, float):
        return f"{value:g}".replace(".", decimal) if value != int(value) else f"{value:.1f}".replace(".", decimal)
    return str(value)


def to_xlsx(sheet: Sheet) -> bytes:
    wb = openpyxl.Workbook()
    ws: Any = wb.active
    ws.title = sheet.name
    thin = Side(style="thin")
    for (r, c), value in sorted(sheet.cells.items()):
        ws.cell(row=r, column=c).value = f"={sheet.formulas[(r, c)]}" if (r, c) in sheet.formulas else value
    for r, c, r2, c2 in sheet.merges:
        ws.merge_cells(start_row=r, start_column=c, end_row=r2, end_column=c2)
    rows, cols = sheet.size
    for r in range(1, rows + 1):
        for c in range(1, cols + 1):
            cell = ws.cell(row=r, column=c)
            boxed = sheet.boxed is not None and sheet.boxed[0] <= r <= sheet.boxed[1]
            if r in sheet.bold or boxed or (r, c) in sheet.cells:
                if r in sheet.bold:
                    cell.font = Font(name="Times New Roman", bold=True, size=12)
                elif (r, c) in sheet.cells:
                    cell.font = Font(name="Times New Roman", size=12)
                if boxed:
                    cell.border = Border(left=thin, right=thin, top=thin, bottom=thin)
                    cell.alignment = Alignment(wrap_text=True, vertical="center")
    for r, c in sheet.grouped:
        ws.cell(row=r, column=c).number_format = "#,##0"
    for r, c, _, _ in sheet.merges:
        ws.cell(row=r, column=c).alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    for c, width in sheet.widths.items():
        ws.column_dimensions[get_column_letter(c)].width = width
    for c in sheet.hidden_columns:
        ws.column_dimensions[get_column_letter(c)].hidden = True
    if sheet.header_rows:
        ws.print_title_rows = f"{sheet.header_rows[0]}:{sheet.header_rows[1]}"
    ws.page_setup.orientation = "landscape"
    if sheet.protected:
        ws.protection.sheet = True
        ws.protection.password = "ubnd2025"
    buf = io.BytesIO()
    wb.save(buf)
    cached = {
        f"{get_column_letter(c)}{r}": (_number_text(sheet.cells[(r, c)]), "n")
        for (r, c) in sheet.formulas
        if isinstance(sheet.cells.get((r, c)), (int, float))
    }
    return stable_zip(buf.getvalue(), {"xl/worksheets/sheet1.xml": cached})


def to_xls(sheet: Sheet) -> bytes:
    """Excel 97-2003 via xlwt: write_merge for merged cells; formulas as their values (xlwt writes no cached value)."""
    wb = xlwt.Workbook(encoding="utf-8")
    ws = wb.add_sheet(sheet.name)
    plain = xlwt.easyxf("font: name Times New Roman")
    strong = xlwt.easyxf("font: name Times New Roman, bold on; align: horiz center, wrap on")
    spans = sheet.spans()
    covered = sheet.covered()
    for (r, c), value in sorted(sheet.cells.items()):
        if (r, c) in covered:
            continue
        style = strong if r in sheet.bold else plain
        if (r, c) in spans:
            h, w = spans[(r, c)]
            ws.write_merge(r - 1, r - 1 + h - 1, c - 1, c - 1 + w - 1, value, style)
        else:
            ws.write(r - 1, c - 1, value, style)
    for r, c, r2, c2 in sheet.merges:  # a merge whose first cell is empty
        if (r, c) not in sheet.cells:
            ws.merge(r - 1, r2 - 1, c - 1, c2 - 1)
    for c, width in sheet.widths.items():
        ws.col(c - 1).width = int(width * 256)
    for c in sheet.hidden_columns:
        ws.col(c - 1).hidden = True
    if sheet.protected:
        ws.protect = True
        ws.password = "ubnd2025"
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _ods_formula(formula: str) -> str:
    """An Excel A1 formula in OpenFormula: =ROUND(D14/C14*100,1) -> of:=ROUND([.D14]/[.C14]*100;1)."""
    return "of:=" + re.sub(r"\b([A-Z]{1,2}\d+)\b", r"[.\1]", formula).replace(",", ";")


def to_ods(sheet: Sheet) -> bytes:
    """OpenDocument via odfpy: table:number-columns-spanned / -rows-spanned and covered cells, as LibreOffice writes."""
    from odf.opendocument import OpenDocumentSpreadsheet  # type: ignore[import-untyped]
    from odf.table import CoveredTableCell, Table, TableCell, TableColumn, TableRow  # type: ignore[import-untyped]
    from odf.text import P  # type: ignore[import-untyped]

    doc = OpenDocumentSpreadsheet()
    table = Table(name=sheet.name, protected="true") if sheet.protected else Table(name=sheet.name)
    rows, cols = sheet.size
    for c in range(1, cols + 1):
        table.addElement(TableColumn(visibility="collapse") if c in sheet.hidden_columns else TableColumn())
    spans, covered = sheet.spans(), sheet.covered()
    for r in range(1, rows + 1):
        tr = TableRow()
        for c in range(1, cols + 1):
            if (r, c) in covered:
                tr.addElement(CoveredTableCell())
                continue
            attrs: dict[str, Any] = {}
            if (r, c) in spans:
                attrs["numberrowsspanned"], attrs["numbercolumnsspanned"] = spans[(r, c)]
            if (r, c) in sheet.formulas:
                attrs["formula"] = _ods_formula(sheet.formulas[(r, c)])
            value = sheet.cells.get((r, c))
            if isinstance(value, (int, float)):
                cell = TableCell(valuetype="float", value=value, **attrs)
                cell.addElement(P(text=_number_text(value, ",")))
            elif value is not None:
                cell = TableCell(valuetype="string", **attrs)
                for line in str(value).split("\n"):
                    cell.addElement(P(text=line))
            else:
                cell = TableCell(**attrs)
            tr.addElement(cell)
        table.addElement(tr)
    doc.spreadsheet.addElement(table)
    buf = io.BytesIO()
    doc.save(buf)
    return stable_zip(buf.getvalue())


def grid(sheet: Sheet, decimal: str = ".", thousands: str = "") -> list[list[str]]:
    """The values as Excel shows them: merged cells keep theirs in the first cell, blanks after."""
    rows, cols = sheet.size
    out = [[""] * cols for _ in range(rows)]
    for (r, c), value in sheet.cells.items():
        if isinstance(value, int) and thousands and (r, c) in sheet.grouped:
            out[r - 1][c - 1] = f"{value:,}".replace(",", thousands)
        else:
            out[r - 1][c - 1] = _number_text(value, decimal)
    return out


def to_csv(sheet: Sheet, delimiter: str = ",") -> bytes:
    """'CSV UTF-8' from Excel on Vietnamese Windows: a BOM, CRLF; with ';' the numbers as the locale shows them."""
    buf = io.StringIO()
    writer = csv.writer(buf, delimiter=delimiter, lineterminator="\r\n")
    semicolon = delimiter == ";"
    writer.writerows(grid(sheet, decimal="," if semicolon else ".", thousands="." if semicolon else ""))
    return buf.getvalue().encode("utf-8-sig")


def to_html(sheet: Sheet) -> bytes:
    """An HTML table saved as .xls, as a web system's 'Xuất Excel' writes it: colspan/rowspan, UTF-8."""
    rows, cols = sheet.size
    spans, covered = sheet.spans(), sheet.covered()
    lines = [
        "<html><meta charset=utf-8>",
        "<head><style>td{mso-number-format:\\@;font-family:'Times New Roman'} .n{mso-number-format:'0'}</style></head>",
        "<body><table border=1>",
    ]
    for r in range(1, rows + 1):
        cells = []
        for c in range(1, cols + 1):
            if (r, c) in covered:
                continue
            attrs = ""
            if (r, c) in spans:
                h, w = spans[(r, c)]
                attrs += f' colspan="{w}"' if w > 1 else ""
                attrs += f' rowspan="{h}"' if h > 1 else ""
            value = sheet.cells.get((r, c))
            if isinstance(value, (int, float)):
                attrs += ' class="n"'
            text = "" if value is None else html.escape(_number_text(value)).replace("\n", "<br>")
            tag = "th" if r in sheet.bold and sheet.boxed and r >= sheet.boxed[0] else "td"
            cells.append(f"<{tag}{attrs}>{text}</{tag}>")
        lines.append("<tr>" + "".join(cells) + "</tr>")
    lines.append("</table></body></html>")
    return ("\r\n".join(lines) + "\r\n").encode("utf-8")


def _r1c1(formula: str, row: int, col: int) -> str:
    def ref(m: re.Match[str]) -> str:
        c = openpyxl.utils.column_index_from_string(m.group(1))
        r = int(m.group(2))
        rr = "R" if r == row else f"R[{r - row}]"
        cc = "C" if c == col else f"C[{c - col}]"
        return rr + cc

    return "=" + re.sub(r"\b([A-Z]{1,2})(\d+)\b", ref, formula)


def to_spreadsheetml(sheet: Sheet) -> bytes:
    """SpreadsheetML 2003 (XML Spreadsheet) saved as .xls: ss:MergeAcross/ss:MergeDown, ss:Index after a gap."""
    rows, cols = sheet.size
    spans, covered = sheet.spans(), sheet.covered()
    out = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<?mso-application progid="Excel.Sheet"?>',
        '<Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet" xmlns:o="urn:schemas-microsoft-com:office:office"'
        ' xmlns:x="urn:schemas-microsoft-com:office:excel" xmlns:ss="urn:schemas-microsoft-com:office:spreadsheet"'
        ' xmlns:html="http://www.w3.org/TR/REC-html40">',
        ' <Styles><Style ss:ID="b"><Font ss:FontName="Times New Roman" ss:Bold="1"/></Style></Styles>',
        f' <Worksheet ss:Name="{escape(sheet.name)}">',
        f'  <Table ss:ExpandedColumnCount="{cols}" ss:ExpandedRowCount="{rows}" x:FullColumns="1" x:FullRows="1">',
    ]
    last_row = 0
    for r in range(1, rows + 1):
        present = [c for c in range(1, cols + 1) if (r, c) not in covered and ((r, c) in sheet.cells or (r, c) in spans)]
        if not present:
            continue
        row_attr = "" if r == last_row + 1 else f' ss:Index="{r}"'
        cells, last_col = [], 0
        for c in present:
            attrs = "" if c == last_col + 1 else f' ss:Index="{c}"'
            if (r, c) in spans:
                h, w = spans[(r, c)]
                attrs += f' ss:MergeAcross="{w - 1}"' if w > 1 else ""
                attrs += f' ss:MergeDown="{h - 1}"' if h > 1 else ""
            if r in sheet.bold:
                attrs += ' ss:StyleID="b"'
            if (r, c) in sheet.formulas:
                attrs += f' ss:Formula="{escape(_r1c1(sheet.formulas[(r, c)], r, c))}"'
            value = sheet.cells.get((r, c))
            if isinstance(value, (int, float)):
                data = f'<Data ss:Type="Number">{_number_text(value)}</Data>'
            elif value is not None:
                data = f'<Data ss:Type="String">{escape(str(value)).replace(chr(10), "&#10;")}</Data>'
            else:
                data = ""
            cells.append(f"<Cell{attrs}>{data}</Cell>")
            last_col = c + (spans[(r, c)][1] - 1 if (r, c) in spans else 0)
        out.append(f"   <Row{row_attr}>{''.join(cells)}</Row>")
        last_row = r
    out += ["  </Table>", " </Worksheet>", "</Workbook>"]
    return ("\n".join(out) + "\n").encode("utf-8")


WRITERS: dict[str, Callable[[Sheet], bytes]] = {
    "xlsx": to_xlsx,
    "xls": to_xls,
    "ods": to_ods,
    "csv": to_csv,
    "csv;": lambda s: to_csv(s, ";"),
    "html.xls": to_html,
    "xml.xls": to_spreadsheetml,
}


def write(sheet: Sheet, container: str) -> bytes:
    """The sheet in one container: xlsx, xls, ods, csv (comma), 'csv;' (semicolon), html.xls, xml.xls."""
    return WRITERS[container](sheet)


# --- the title and signature blocks ----------------------------------------------------------


@dataclass
class Title:
    """What a form's title rows say, and how."""

    place: Place | None
    period: str | None  # as written, e.g. "Quý III năm 2025"; None: the title names no period
    province_line: bool = True  # "UBND TỈNH ĐIỆN BIÊN" above "UBND XÃ MƯỜNG MÙN"
    committee: str = "UBND"  # "UBND" or "ỦY BAN NHÂN DÂN"
    number: str = "15/BC-UBND"
    date_line: str = "{commune}, ngày 05 tháng 10 năm 2025"  # "{commune}" is the commune's name
    subject: str = "Kết quả công tác truyền thông Nghị quyết số 57-NQ/TW"
    one_line: bool = False  # "BÁO CÁO Kết quả … Quý III năm 2025" in one row
    period_line: str | None = None  # the period on its own row, e.g. "(Kỳ báo cáo: 6 tháng đầu năm 2025)"
    to: str | None = "Kính gửi: Ủy ban nhân dân tỉnh {province}"
    reporter: str | None = None  # "Đơn vị báo cáo: …"
    measure: str | None = None  # "Đơn vị tính: Người" at the right, just above the table


def title_block(sheet: Sheet, t: Title, width: int) -> dict[str, int]:
    """Write the title rows from row 1; returns {"next": the first row after them, "period": its row, ...}."""
    left = max(2, min(3, width // 2))
    right = left + 1 if width > left + 1 else left
    commune = t.place.commune if t.place else ""
    province = t.place.province if t.place else ""
    at: dict[str, int] = {}
    r = 1
    lines: list[str] = []
    if t.place:
        if t.province_line:
            lines.append(f"UBND TỈNH {province.upper()}")
        lines.append(f"{'ỦY BAN NHÂN DÂN' if t.committee != 'UBND' else 'UBND'} {t.place.upper}")
    motto = ["CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc"]
    for i, b in enumerate(motto):
        a = lines[i] if i < len(lines) else ""
        sheet.merge(r, 1, r, left, a)
        sheet.merge(r, right, r, width, b)
        sheet.bold.add(r)
        if lines and i == len(lines) - 1:
            at["commune"] = r
        r += 1
    sheet.merge(r, 1, r, left, f"Số: {t.number}")
    sheet.merge(r, right, r, width, t.date_line.format(commune=commune))
    r += 2
    if t.one_line:
        sheet.merge(r, 1, r, width, f"BÁO CÁO {t.subject}" + (f" {t.period}" if t.period else ""))
        sheet.bold.add(r)
        at["period"] = r
        r += 1
    else:
        sheet.merge(r, 1, r, width, "BÁO CÁO")
        sheet.bold.add(r)
        r += 1
        sheet.merge(r, 1, r, width, t.subject + (f" {t.period}" if t.period else ""))
        sheet.bold.add(r)
        at["period"] = r
        r += 1
    if t.period_line:
        sheet.merge(r, 1, r, width, t.period_line)
        at["period_line"] = r
        r += 1
    if t.to:
        sheet.merge(r, 1, r, width, t.to.format(province=province, commune=commune))
        r += 1
    if t.reporter:
        sheet.merge(r, 1, r, width, t.reporter)
        at["reporter"] = r
        r += 1
    r += 1
    if t.measure:
        sheet.merge(r, max(1, width - 1), r, width, t.measure)
        r += 1
    at["next"] = r
    return at


def signature_block(sheet: Sheet, r: int, width: int, deputy: bool = True, preparer: bool = True) -> int:
    """Nơi nhận at the left, the committee's signature at the right, the preparer between: not data."""
    right = max(3, width - 2)
    left_lines = ["Nơi nhận:", "- Như trên;", "- Thường trực Đảng ủy xã;", "- Lưu: VT."]
    right_lines = ["TM. ỦY BAN NHÂN DÂN", "KT. CHỦ TỊCH" if deputy else "CHỦ TỊCH", "PHÓ CHỦ TỊCH" if deputy else ""]
    right_lines += ["(Ký tên, đóng dấu)", "", "", "Lò Văn Thắng"]
    for i in range(max(len(left_lines), len(right_lines))):
        if i < len(left_lines):
            sheet.put(r + i, 2, left_lines[i])
        if i < len(right_lines) and right_lines[i]:
            sheet.merge(r + i, right, r + i, width, right_lines[i])
            if i < 3:
                sheet.bold.add(r + i)
    r += len(right_lines)
    if preparer:
        r += 1
        sheet.put(r, 2, "Người lập biểu")
        sheet.put(r + 1, 2, "(Ký, ghi rõ họ tên)")
        sheet.put(r + 4, 2, "Quàng Thị Hoa")
        r += 5
    return r


# --- the data every layout writes ------------------------------------------------------------------

Pair = tuple[int, int]  # (numerator, denominator)


@dataclass
class Report:
    """One commune's figures for one period: the dataset a form carries."""

    place: Place
    year: int
    quarter: int
    units: list[tuple[str, str]]  # (section, unit name) in the order of the rows; section "" for none
    indicators: list[tuple[str, str]]  # (code, the words a header names it by)
    figures: dict[tuple[str, str], Pair]  # (unit, code) -> (numerator, denominator); absent: not reported

    def values(self, unit_order: Sequence[str] | None = None) -> list[dict[str, Any]]:
        """Every value, row by row and, within a row, in the order of the columns."""
        out = []
        for unit in unit_order or [u for _, u in self.units]:
            for code, _ in self.indicators:
                if (unit, code) in self.figures:
                    n, d = self.figures[(unit, code)]
                    out.append(self.value(unit, code, n, d))
        return out

    def value(self, unit: str, code: str, numerator: int, denominator: int) -> dict[str, Any]:
        return {
            "province": self.place.province,
            "commune": self.place.commune,
            "unit": unit,
            "year": self.year,
            "quarter": self.quarter,
            "indicator": code,
            "numerator": numerator,
            "denominator": denominator,
        }


@dataclass
class Placed:
    """A layout written into a Sheet, with where things went (for the expected problems)."""

    sheet: Sheet
    title: dict[str, int]
    header_row: int = 0
    cells: dict[tuple[str, str, str], tuple[int, int]] = field(default_factory=dict)  # (unit, code, part) -> (row, col)
    labels: dict[tuple[str, str, str], str] = field(default_factory=dict)  # the same -> the problem's column
    groups: dict[str, tuple[int, int, str]] = field(default_factory=dict)  # code -> (row, col, "LETTER (GROUP)")
    totals_row: int | None = None


# parts: "num", "den", "rate"; raw overrides a cell's written value ("" for blank) -- for the bad files
Raw = dict[tuple[str, str, str], Any]

SUB = {"num": "Số đạt", "den": "Tổng số", "rate": "Tỷ lệ (%)"}


def wide_sheet(
    report: Report,
    title: Title,
    *,
    unit_header: str = "Thôn/Bản",
    order: Sequence[str] = ("den", "num"),
    rate_as: str | None = None,  # None, "value" or "formula"
    rate_places: int = 1,
    top_header: str | None = "Kết quả thực hiện",  # a third header row spanning every indicator group
    codes: str | None = "letters",  # "letters" (A | B | 1 | 2 | 3=2/1), "parens" ((1) (2) (3)) or None
    sections: dict[str, str] | None = None,  # section key -> its row ("I" -> "Các thôn, bản")
    totals: str | None = "Tổng cộng",
    totals_merged: bool = False,  # the label merged over STT and the unit column
    blank_inside: bool = False,  # a blank row between the sections
    helper_column: bool = False,  # a hidden column of formulas after the groups
    protected: bool = False,
    raw: Raw | None = None,
    sub_words: dict[str, str] | None = None,  # other sub-header words, by part
    stated_totals: dict[str, int] | None = None,  # a totals cell typed by hand: "code/part" -> value
    name: str = "Báo cáo",
) -> Placed:
    """One row per unit: STT | unit | per indicator a merged header over Tổng số / Số đạt (/ Tỷ lệ (%))."""
    raw = raw or {}
    parts = [*order, *(["rate"] if rate_as else [])]
    words = {**SUB, **(sub_words or {})}
    width = 2 + len(parts) * len(report.indicators) + (1 if helper_column else 0)
    sheet = Sheet(name=name, protected=protected, widths={1: 6, 2: 30})
    at = title_block(sheet, title, width)
    placed = Placed(sheet, at)
    h = at["next"]
    depth = 3 if top_header else 2
    sheet.merge(h, 1, h + depth - 1, 1, "STT")
    sheet.merge(h, 2, h + depth - 1, 2, unit_header)
    group_row = h + depth - 2
    sub_row = h + depth - 1
    first = 3
    if top_header:
        sheet.merge(h, 3, h, 2 + len(parts) * len(report.indicators), top_header)
    col_of: dict[tuple[str, str], int] = {}
    for k, (code, text) in enumerate(report.indicators):
        c0 = first + k * len(parts)
        sheet.merge(group_row, c0, group_row, c0 + len(parts) - 1, text)
        placed.groups[code] = (group_row, c0, label(c0, text))
        for j, part in enumerate(parts):
            sheet.put(sub_row, c0 + j, words[part])
            col_of[(code, part)] = c0 + j
            sheet.widths[c0 + j] = 11
    for r in range(h, sub_row + 1):
        sheet.bold.add(r)
    placed.header_row = sub_row
    sheet.header_rows = (h, sub_row)
    r = sub_row + 1
    if codes:
        number = {key: k for k, key in enumerate(col_of, start=3)}  # A=1, B=2 (or (1), (2)), then the figures

        def code_text(k: int) -> str:
            return f"({k})" if codes == "parens" else str(k - 2)

        for (code, part), c in col_of.items():
            text = code_text(number[(code, part)])
            if part == "rate" and (code, "num") in col_of and (code, "den") in col_of:
                text += f"={code_text(number[(code, 'num')])}/{code_text(number[(code, 'den')])}"
            sheet.put(r, c, text)
        sheet.put(r, 1, "A" if codes == "letters" else "(1)")
        sheet.put(r, 2, "B" if codes == "letters" else "(2)")
        r += 1
    first_data = r
    section = None
    stt = 0
    roman = 0
    for sec, unit in report.units:
        if sections and sec != section:
            if blank_inside and section is not None:
                r += 1
            section = sec
            roman += 1
            sheet.put(r, 1, ROMAN[roman])
            sheet.put(r, 2, sections[sec])
            sheet.bold.add(r)
            stt = 0
            r += 1
        stt += 1
        sheet.put(r, 1, stt)
        sheet.put(r, 2, unit)
        for code, text in report.indicators:
            pair = report.figures.get((unit, code))
            for part in parts:
                c = col_of[(code, part)]
                placed.cells[(unit, code, part)] = (r, c)
                placed.labels[(unit, code, part)] = label(c, text, words[part])
                value: Any = None
                if pair is not None:
                    n_, d_ = pair
                    if part == "num":
                        value = n_
                    elif part == "den":
                        value = d_
                    elif d_:
                        value = rate(n_, d_, rate_places)
                        if rate_as == "formula":
                            nc, dc = get_column_letter(col_of[(code, "num")]), get_column_letter(col_of[(code, "den")])
                            sheet.formulas[(r, c)] = f"ROUND({nc}{r}/{dc}{r}*100,{rate_places})"
                if (unit, code, part) in raw:
                    value = raw[(unit, code, part)]
                    sheet.formulas.pop((r, c), None)
                sheet.put(r, c, value)
                if part != "rate":
                    sheet.grouped.add((r, c))
        if helper_column:
            c = width
            d0 = get_column_letter(col_of[(report.indicators[0][0], "den")])
            n0 = get_column_letter(col_of[(report.indicators[0][0], "num")])
            sheet.formulas[(r, c)] = f"IF({n0}{r}>{d0}{r},1,0)"
            sheet.cells[(r, c)] = 0
            sheet.hidden_columns.add(c)
        r += 1
    last_data = r - 1
    if totals:
        placed.totals_row = r
        if totals_merged:
            sheet.merge(r, 1, r, 2, totals)
        else:
            sheet.put(r, 2, totals)
        sheet.bold.add(r)
        for code, _ in report.indicators:
            pairs = [report.figures[(u, code)] for _, u in report.units if (u, code) in report.figures]
            if not pairs:
                continue
            sums = {  # what =SUM() over the cells gives: what is written in them, overrides and all
                part: sum(
                    v
                    for i in range(first_data, last_data + 1)
                    if isinstance(v := sheet.cells.get((i, col_of[(code, part)])), int)
                )
                for part in ("num", "den")
                if (code, part) in col_of
            }
            for part in ("num", "den"):  # a total typed by hand; the row's Tỷ lệ follows it, as its formula would
                sums[part] = (stated_totals or {}).get(f"{code}/{part}", sums[part])
            for part in parts:
                c = col_of[(code, part)]
                if part == "rate":
                    sheet.put(r, c, rate(sums["num"], sums["den"], rate_places) if sums.get("den") else None)
                    continue
                letter = get_column_letter(c)
                if f"{code}/{part}" in (stated_totals or {}):
                    sheet.put(r, c, sums[part])
                    sheet.grouped.add((r, c))
                else:
                    sheet.formulas[(r, c)] = f"SUM({letter}{first_data}:{letter}{last_data})"
                    sheet.cells[(r, c)] = sums[part]
                    sheet.grouped.add((r, c))
        r += 1
    sheet.boxed = (h, r - 1)
    signature_block(sheet, r + 1, width)
    return placed


def indicator_sheet(
    report: Report,
    unit: str,
    title: Title,
    *,
    headers: Sequence[str] = ("STT", "Chỉ tiêu", "Đơn vị tính", "Tổng số", "Số đạt", "Tỷ lệ (%)", "Ghi chú"),
    rate_as: str | None = "value",
    codes: str | None = "parens",
    sections: Sequence[tuple[str, str, Sequence[str]]] | None = None,  # (STT, text, the codes under it)
    notes: dict[str, str] | None = None,
    raw: Raw | None = None,
    group_header: str | None = None,  # a header row above spanning the figures: "Kết quả thực hiện"
    name: str = "Báo cáo",
) -> Placed:
    """One row per indicator for one unit: STT | Chỉ tiêu | Đơn vị tính | Tổng số | Số đạt | Tỷ lệ (%) | Ghi chú.

    headers name the columns in this order: STT, indicator, measure, denominator, numerator, rate, note
    (a header "" leaves that column out)."""
    raw = raw or {}
    kinds = ["stt", "indicator", "measure", "den", "num", "rate", "note"]
    present = [(k, h) for k, h in zip(kinds, headers, strict=True) if h and (k != "rate" or rate_as)]
    col = {k: i + 1 for i, (k, _) in enumerate(present)}
    text = dict(present)
    width = len(present)
    sheet = Sheet(name=name, widths={1: 6, 2: 60})
    at = title_block(sheet, title, width)
    placed = Placed(sheet, at)
    h = at["next"]
    if group_header:
        figures = [col[k] for k in ("den", "num", "rate") if k in col]
        for k, c in col.items():
            if c not in figures:
                sheet.merge(h, c, h + 1, c, text[k])
        sheet.merge(h, min(figures), h, max(figures), group_header)
        for k in ("den", "num", "rate"):
            if k in col:
                sheet.put(h + 1, col[k], text[k])
        sheet.bold |= {h, h + 1}
        h += 1
    else:
        for k, c in col.items():
            sheet.put(h, c, text[k])
        sheet.bold.add(h)
    placed.header_row = h
    sheet.header_rows = (at["next"], h)
    r = h + 1
    if codes:
        for i, (k, _) in enumerate(present, start=1):
            if codes == "parens":
                sheet.put(r, i, f"({i})" if k != "rate" else f"({i})=({col['num']})/({col['den']})")
            else:
                sheet.put(r, i, "ABC"[i - 1] if i <= 3 else (str(i - 3) if k != "rate" else f"{i - 3}=2/1"))
        r += 1
    words = dict(report.indicators)
    plan = sections or [("", "", [c for c, _ in report.indicators])]
    stt = 0
    for sec_stt, sec_text, under in plan:
        if sec_text:
            sheet.put(r, col["stt"], sec_stt)
            sheet.put(r, col["indicator"], sec_text)
            sheet.bold.add(r)
            r += 1
            stt = 0
        for code in under:
            stt += 1
            sheet.put(r, col["stt"], stt)
            sheet.put(r, col["indicator"], words[code])
            if "measure" in col:
                sheet.put(r, col["measure"], MEASURE[code])
            pair = report.figures.get((unit, code))
            for part in ("den", "num", "rate"):
                if part not in col:
                    continue
                c = col[part]
                placed.cells[(unit, code, part)] = (r, c)
                placed.labels[(unit, code, part)] = " ".join(text[part].split())
                value: Any = None
                if pair is not None:
                    value = {"num": pair[0], "den": pair[1]}.get(part)
                    if part == "rate" and pair[1]:
                        value = rate(*pair)
                        if rate_as == "formula":
                            nc, dc = get_column_letter(col["num"]), get_column_letter(col["den"])
                            sheet.formulas[(r, c)] = f"ROUND({nc}{r}/{dc}{r}*100,1)"
                if (unit, code, part) in raw:
                    value = raw[(unit, code, part)]
                    sheet.formulas.pop((r, c), None)
                sheet.put(r, c, value)
                if part != "rate":
                    sheet.grouped.add((r, c))
            if notes and code in notes and "note" in col:
                sheet.put(r, col["note"], notes[code])
            r += 1
    sheet.boxed = (at["next"], r - 1)
    signature_block(sheet, r + 1, width, deputy=False, preparer=False)
    return placed


TIDY_HEADER = ["Tỉnh", "Xã", "Đơn vị", "Năm", "Quý", "Chỉ tiêu", "Số đạt", "Tổng số", "Ghi chú"]


def tidy_sheet(report: Report, title: Title | None, name: str = "Báo cáo") -> Placed:
    """Today's tidy table, unchanged, under a title block (or none)."""
    width = len(TIDY_HEADER)
    sheet = Sheet(name=name, widths={3: 28, 6: 22})
    at = title_block(sheet, title, width) if title else {"next": 1}
    placed = Placed(sheet, at)
    h = at["next"]
    for c, text in enumerate(TIDY_HEADER, start=1):
        sheet.put(h, c, text)
    sheet.bold.add(h)
    placed.header_row = h
    r = h + 1
    for v in report.values():
        for c, value in enumerate(
            [v["province"], v["commune"], v["unit"], v["year"], v["quarter"], v["indicator"], v["numerator"], v["denominator"]],
            start=1,
        ):
            sheet.put(r, c, value)
            if c >= 7:
                sheet.grouped.add((r, c))
        r += 1
    sheet.boxed = (h, r - 1)
    if title:
        signature_block(sheet, r + 1, width, preparer=False)
    return placed


# --- the cases ---------------------------------------------------------------------------------------


def P(row: int | None, column: str | None, code: str, **extra: Any) -> dict[str, Any]:  # noqa: N802
    return {"row": row, "column": column, "code": code, **extra}


@dataclass
class Case:
    name: str
    ext: str
    data: bytes
    expected: dict[str, Any]


GOOD: list[Case] = []
BAD: list[Case] = []


def good(
    name: str,
    container: str,
    why: str,
    data: bytes,
    values: list[dict[str, Any]],
    warnings: Sequence[dict[str, Any]] = (),
    given: dict[str, Any] | None = None,
) -> None:
    expected: dict[str, Any] = {"why": why}
    if given:
        expected["given"] = given
    expected |= {"values": values, "warnings": list(warnings)}
    GOOD.append(Case(name, container.split(".")[-1].rstrip(";"), data, expected))


def bad(
    name: str, container: str, why: str, data: bytes, problems: list[dict[str, Any]], given: dict[str, Any] | None = None
) -> None:
    expected: dict[str, Any] = {"why": why}
    if given:
        expected["given"] = given
    expected["problems"] = problems
    BAD.append(Case(name, container.split(".")[-1].rstrip(";"), data, expected))


VILLAGE, AGENCY = "village", "agency"
SECTIONS = {VILLAGE: "Các thôn, bản", AGENCY: "Cơ quan, đơn vị"}


def mm_report(quarter: int = 3, year: int = 2025) -> Report:
    """Mường Mùn: four villages and two agencies; villages report citizens reached, agencies officials informed."""
    v = VILLAGES[MUONG_MUN]
    figures = {
        (v[0], "citizen_reach"): (450, 500),
        (v[1], "citizen_reach"): (380, 620),
        (v[2], "citizen_reach"): (1200, 1530),
        (v[3], "citizen_reach"): (296, 410),
        (v[0], "officials_informed"): (3, 3),
        (v[2], "officials_informed"): (4, 5),
        (AGENCIES[0], "officials_informed"): (41, 45),
        (AGENCIES[1], "officials_informed"): (12, 14),
    }
    units = [(VILLAGE, u) for u in v[:4]] + [(AGENCY, a) for a in AGENCIES]
    return Report(
        MUONG_MUN,
        year,
        quarter,
        units,
        [("citizen_reach", WORDS["citizen_reach"][0]), ("officials_informed", WORDS["officials_informed"][0])],
        figures,
    )


def three_indicators(place: Place, quarter: int, words: int = 0, seed: int = 0) -> Report:
    """A commune's villages with three indicators; the last village does not report training."""
    units = VILLAGES[place]
    codes = ["citizen_reach", "officials_informed", "staff_digital_training"]
    figures: dict[tuple[str, str], Pair] = {}
    for i, u in enumerate(units):
        base = 300 + 137 * ((i + seed) % 5)
        figures[(u, "citizen_reach")] = (base - 41 - 13 * i, base)
        figures[(u, "officials_informed")] = (5 + i % 3, 7 + i % 3)
        if i < len(units) - 1:
            figures[(u, "staff_digital_training")] = (1 + i % 2, 2)
    indicators = [(c, WORDS[c][min(words, len(WORDS[c]) - 1)]) for c in codes]
    return Report(place, 2025, quarter, [(VILLAGE, u) for u in units], indicators, figures)


def own_report(place: Place, unit: str, quarter: int, year: int = 2025) -> Report:
    """One unit's figures on five indicators (a one-row-per-indicator form)."""
    codes = ["citizen_reach", "officials_informed", "staff_digital_training", "st_tasks_communicated", "units_with_plan"]
    figures = {
        (unit, "citizen_reach"): (4100, 5230),
        (unit, "officials_informed"): (41, 45),
        (unit, "staff_digital_training"): (4, 6),
        (unit, "st_tasks_communicated"): (3, 4),
        (unit, "units_with_plan"): (9, 9),
    }
    return Report(place, year, quarter, [("", unit)], [(c, WORDS[c][0]) for c in codes], figures)


OWN_SECTIONS = [
    ("I", "Công tác tuyên truyền, phổ biến Nghị quyết 57-NQ/TW", ["citizen_reach", "officials_informed"]),
    ("II", "Công tác đào tạo, bồi dưỡng", ["staff_digital_training"]),
    ("III", "Triển khai nhiệm vụ", ["st_tasks_communicated", "units_with_plan"]),
]


def build() -> None:
    """Every case of the corpus, in the order the files are listed in the report."""
    GOOD.clear()
    BAD.clear()
    q3 = PERIODS["quy_roman"](2025, 3)

    # ---- one row per unit ----
    mm = mm_report()
    full = wide_sheet(
        mm,
        Title(MUONG_MUN, q3, measure="Đơn vị tính: Người"),
        rate_as="formula",
        sections=SECTIONS,
        blank_inside=True,
        helper_column=True,
        protected=True,
    )
    good(
        "wide_mm_q3_formulas_protected",
        "xlsx",
        "The Mường Mùn office's form as it comes: title block, three header rows, column codes, sections, Tỷ lệ as "
        "formulas, a hidden helper column, a protected sheet, print titles, Tổng cộng, signature; blank pairs store nothing.",
        write(full.sheet, "xlsx"),
        mm.values(),
    )
    good(
        "wide_mm_q3_legacy",
        "xls",
        "The same form saved by Excel 2003 as .xls (write_merge headers); the rates as values, the helper column hidden.",
        write(full.sheet, "xls"),
        mm.values(),
    )
    good(
        "wide_mm_q3_libreoffice",
        "ods",
        "The same form from LibreOffice (.ods): number-columns-spanned headers, covered cells, formulas with values.",
        write(full.sheet, "ods"),
        mm.values(),
    )
    good(
        "wide_mm_q3_semicolon",
        "csv;",
        "The same form saved as 'CSV UTF-8' on Vietnamese Windows: BOM, semicolons, '1.200', '77,4'; merged headers "
        "kept in their first cell only.",
        write(full.sheet, "csv;"),
        mm.values(),
    )

    cha = three_indicators(MUONG_CHA, 2, words=1)
    placed = wide_sheet(
        cha,
        Title(
            MUONG_CHA,
            PERIODS["months"](2025, 2),
            province_line=False,
            committee="ỦY BAN NHÂN DÂN",
            number="27/BC-UBND",
            date_line="Xã {commune}, ngày 28 tháng 6 năm 2025",
        ),
        order=("num", "den"),
        top_header=None,
        codes="parens",
        totals="Cộng",
        totals_merged=True,
        name="BC 6 thang",
    )
    for container, why in (
        ("xlsx", "'ỦY BAN NHÂN DÂN XÃ MƯỜNG CHÀ', '6 tháng đầu năm 2025' (= Q2), Số đạt before Tổng số, two header "
                 "rows, plan wording for the indicators, codes '(1) (2) …', 'Cộng' merged over STT and the unit column."),
        ("xls", "The same six-month form as a legacy .xls."),
        ("ods", "The same six-month form as .ods."),
        ("csv", "The same six-month form as a comma CSV with a BOM."),
    ):
        suffix = {"xlsx": "", "xls": "_legacy", "ods": "_libreoffice", "csv": "_comma"}[container]
        good(f"wide_muong_cha_6_thang{suffix}", container, why, write(placed.sheet, container), cha.values())

    ta = three_indicators(TA_LENG, 3, seed=2)
    ta.figures[("Bản Hồ Ta", "citizen_reach")] = (512, 705)
    placed = wide_sheet(
        ta,
        Title(TA_LENG, PERIODS["quy_slash"](2025, 3), one_line=True, number="08/BC-UBND"),
        rate_as="value",
        rate_places=2,
        codes="letters",
        sections=None,
        totals="Tổng cộng",
        stated_totals={"citizen_reach/num": 1720},
    )
    rate_cell = placed.cells[("Bản Hồ Ta", "citizen_reach", "rate")]
    placed.sheet.cells[rate_cell] = 27.62  # typed by hand: 512/705 is 72.62 %
    summed = sum(ta.figures[(u, "citizen_reach")][0] for _, u in ta.units)
    totals_col = placed.cells[(ta.units[0][1], "citizen_reach", "num")][1]
    good(
        "wide_ta_leng_rate_typo_totals_off",
        "xlsx",
        "Lai Châu, Tả Lèng, 'BÁO CÁO … Quý 3/2025' in one line: a Tỷ lệ typed 27.62 for 72.62 and a Tổng cộng off "
        "by hand: imported, with a warning on each.",
        write(placed.sheet, "xlsx"),
        ta.values(),
        warnings=[
            P(rate_cell[0], placed.labels[("Bản Hồ Ta", "citizen_reach", "rate")], "rate_mismatch"),
            P(placed.totals_row, label(totals_col, ta.indicators[0][1], "Số đạt"), "totals_mismatch",
              params={"stated": 1720, "summed": summed}),
        ],
    )

    tg = three_indicators(TAN_GIANG, 4, seed=1)
    placed = wide_sheet(
        tg,
        Title(TAN_GIANG, PERIODS["whole_year"](2025, 4), number="112/BC-UBND",
              date_line="{commune}, ngày 26 tháng 12 năm 2025"),
        unit_header="Tổ dân phố",
        totals="Toàn phường",
        rate_as="value",
    )
    good(
        "wide_tan_giang_ca_nam",
        "ods",
        "A phường of Cao Bằng: 'UBND PHƯỜNG TÂN GIANG', 'cả năm 2025' (= Q4), Tổ dân phố rows, a 'Toàn phường' row.",
        write(placed.sheet, "ods"),
        tg.values(),
    )

    nq = three_indicators(NAM_QUANG, 3, seed=3)
    placed = wide_sheet(
        nq,
        Title(NAM_QUANG, PERIODS["quy_dash"](2025, 3), to="Kính gửi: Phòng Văn hóa - Xã hội"),
        unit_header="Thôn",
        top_header="Kết quả thực hiện",
        totals="Toàn xã",
    )
    good(
        "wide_nam_quang_web_export",
        "html.xls",
        "A web system's 'Xuất Excel': an HTML table saved as .xls, colspan/rowspan headers, 'quý III-2025', 'Toàn xã'.",
        write(placed.sheet, "html.xls"),
        nq.values(),
    )
    placed_xml = wide_sheet(
        three_indicators(MUONG_CHA, 3, seed=4),
        Title(MUONG_CHA, PERIODS["q_slash"](2025, 3)),
        rate_as="formula",
    )
    good(
        "wide_muong_cha_spreadsheetml",
        "xml.xls",
        "SpreadsheetML 2003 (XML Spreadsheet) saved as .xls: ss:MergeAcross headers, ss:Formula rates, 'Q3/2025'.",
        write(placed_xml.sheet, "xml.xls"),
        three_indicators(MUONG_CHA, 3, seed=4).values(),
    )

    # the period from the options: the title names none
    given_q = {"province": None, "commune": None, "year": 2025, "quarter": 3}
    mm_plain = mm_report()
    placed = wide_sheet(mm_plain, Title(MUONG_MUN, None, subject="Kết quả công tác truyền thông Nghị quyết 57-NQ/TW"))
    good(
        "wide_period_from_options",
        "xlsx",
        "A form whose title names no period ('BÁO CÁO Kết quả công tác truyền thông …'): the quarter comes from "
        "--year 2025 --quarter 3.",
        write(placed.sheet, "xlsx"),
        mm_plain.values(),
        given=given_q,
    )

    # ---- one row per indicator ----
    unit = "Trung tâm Dịch vụ tổng hợp"
    own = own_report(MUONG_MUN, unit, 3)
    placed = indicator_sheet(
        own, unit, Title(MUONG_MUN, q3, reporter=f"Đơn vị báo cáo: {unit}"), sections=OWN_SECTIONS,
        notes={"citizen_reach": "Tính cả điểm trường"}, rate_as="formula",
    )
    good(
        "per_indicator_trung_tam",
        "xlsx",
        "One row per indicator for the unit the title names ('Đơn vị báo cáo: Trung tâm Dịch vụ tổng hợp'): sections "
        "I/II/III with no figures, Đơn vị tính, Tỷ lệ as formulas, Ghi chú.",
        write(placed.sheet, "xlsx"),
        own.values(),
    )
    good(
        "per_indicator_trung_tam_comma",
        "csv",
        "The same one-row-per-indicator form as a comma CSV with a BOM.",
        write(placed.sheet, "csv"),
        own.values(),
    )

    ubnd = MUONG_MUN.committee
    own_mm = own_report(MUONG_MUN, ubnd, 3)
    placed = indicator_sheet(
        own_mm,
        ubnd,
        Title(MUONG_MUN, None, period_line=f"(Kỳ báo cáo: {PERIODS['months'](2025, 3)})"),
        headers=("STT", "Nội dung chỉ tiêu", "ĐVT", "Kế hoạch", "Thực hiện", "Tỷ lệ (%)", "Ghi chú"),
        codes="letters",
    )
    good(
        "per_indicator_commune_9_thang",
        "xls",
        "A title naming only the commune: the figures are the commune's own, stored as 'UBND xã Mường Mùn'; "
        "'Kế hoạch'/'Thực hiện' headers; '(Kỳ báo cáo: 9 tháng năm 2025)' (= Q3).",
        write(placed.sheet, "xls"),
        own_mm.values(),
    )

    ubnd_tl = TA_LENG.committee
    own_tl = own_report(TA_LENG, ubnd_tl, 4)
    placed = indicator_sheet(
        own_tl,
        ubnd_tl,
        Title(TA_LENG, PERIODS["months"](2025, 4), reporter=f"Đơn vị báo cáo: {ubnd_tl}",
              date_line="{commune}, ngày 15 tháng 12 năm 2025"),
        headers=("STT", "Chỉ tiêu", "Đơn vị tính", "Số phải thực hiện", "Kết quả", "", "Ghi chú"),
        rate_as=None,
        group_header="Kết quả thực hiện",
        sections=[("1.", "Tuyên truyền", ["citizen_reach", "officials_informed"]),
                  ("2.", "Đào tạo và triển khai", ["staff_digital_training", "st_tasks_communicated", "units_with_plan"])],
    )
    good(
        "per_indicator_ta_leng_nam",
        "ods",
        "'Đơn vị báo cáo: UBND xã Tả Lèng', 'năm 2025' (= Q4), headers 'Số phải thực hiện'/'Kết quả' under a merged "
        "'Kết quả thực hiện', sections '1.', '2.', no Tỷ lệ column.",
        write(placed.sheet, "ods"),
        own_tl.values(),
    )

    agency = "Văn phòng HĐND và UBND xã"
    own_nq = own_report(NAM_QUANG, agency, 3)
    placed = indicator_sheet(
        own_nq, agency, Title(NAM_QUANG, PERIODS["month"](2025, 3), reporter=f"Đơn vị báo cáo: {agency}"),
        sections=[("a)", "Tuyên truyền", ["citizen_reach", "officials_informed", "staff_digital_training"]),
                  ("b)", "Nhiệm vụ", ["st_tasks_communicated", "units_with_plan"])],
    )
    good(
        "per_indicator_nam_quang_thang_9",
        "csv;",
        "Cao Bằng, Nam Quang, 'tháng 9/2025' (a month that ends Q3), sections 'a)', 'b)', a semicolon CSV.",
        write(placed.sheet, "csv;"),
        own_nq.values(),
    )
    good(
        "per_indicator_nam_quang_web_export",
        "html.xls",
        "The same one-row-per-indicator report exported by a web system as an HTML table named .xls.",
        write(placed.sheet, "html.xls"),
        own_nq.values(),
    )

    given_place = {"province": "Điện Biên", "commune": "Mường Chà", "year": None, "quarter": None}
    own_cha = own_report(MUONG_CHA, unit, 2)
    placed = indicator_sheet(
        own_cha, unit, Title(None, PERIODS["quy_roman"](2025, 2), reporter=f"Đơn vị báo cáo: {unit}", to=None,
                             date_line="Ngày 30 tháng 6 năm 2025"),
    )
    good(
        "per_indicator_place_from_options",
        "xml.xls",
        "SpreadsheetML: a unit's form naming no commune ('Đơn vị báo cáo: Trung tâm Dịch vụ tổng hợp'): the commune "
        "comes from --province 'Điện Biên' --commune 'Mường Chà'.",
        write(placed.sheet, "xml.xls"),
        own_cha.values(),
        given=given_place,
    )

    # ---- the tidy table under a title block ----
    tidy = mm_report()
    placed = tidy_sheet(tidy, Title(MUONG_MUN, q3))
    for container, why in (
        ("xlsx", "Today's tidy table, unchanged, under a full title block and above a signature block."),
        ("xls", "The tidy table under a title block, as a legacy .xls."),
        ("ods", "The tidy table under a title block, as .ods."),
        ("csv;", "The tidy table under a title block, as Excel's 'CSV UTF-8' with semicolons on Vietnamese Windows."),
    ):
        suffix = {"xlsx": "", "xls": "_legacy", "ods": "_libreoffice", "csv;": "_semicolon"}[container]
        good(f"tidy_under_title{suffix}", container, why, write(placed.sheet, container), tidy.values())

    # ---- refused, whole ----
    only = mm_report()
    placed = wide_sheet(only, Title(MUONG_MUN, q3), order=(), rate_as="value", totals=None)
    bad(
        "wide_only_percentages",
        "xlsx",
        "A form that gives only 'Tỷ lệ (%)' under each indicator: the weighted sums need Tổng số and Số đạt.",
        write(placed.sheet, "xlsx"),
        [P(*placed.groups[c][::2], "rate_without_counts") for c, _ in only.indicators],
    )

    amb = mm_report()
    amb.indicators = [("citizen_reach", "Số hộ gia đình được sử dụng điện lưới"), ("units_with_plan", "Đơn vị")]
    placed = wide_sheet(amb, Title(MUONG_MUN, q3), rate_as=None)
    bad(
        "wide_indicator_unknown_and_ambiguous",
        "xlsx",
        "Two group headers: 'Số hộ gia đình được sử dụng điện lưới' names no indicator; 'Đơn vị' fits two "
        "(units_with_plan, media_units_with_column).",
        write(placed.sheet, "xlsx"),
        [P(*placed.groups["citizen_reach"][::2], "indicator_unknown"),
         P(*placed.groups["units_with_plan"][::2], "indicator_ambiguous")],
    )

    over = mm_report()
    v = VILLAGES[MUONG_MUN]
    over.figures[(v[1], "citizen_reach")] = (620, 380)
    placed = wide_sheet(over, Title(MUONG_MUN, q3), sections=SECTIONS)
    bad(
        "wide_numerator_over_denominator",
        "xlsx",
        "Số đạt above Tổng số in one cell of a wide form (the two columns swapped when copying).",
        write(placed.sheet, "xlsx"),
        [P(placed.cells[(v[1], "citizen_reach", "num")][0], placed.labels[(v[1], "citizen_reach", "num")],
           "numerator_gt_denominator", params={"numerator": 620, "denominator": 380})],
    )

    letter = mm_report()
    placed = wide_sheet(letter, Title(MUONG_MUN, q3), raw={(v[0], "citizen_reach", "den"): "4O0"})
    bad(
        "wide_letter_o_in_count",
        "xls",
        "'4O0' typed with the letter O in a Tổng số cell of a legacy .xls form.",
        write(placed.sheet, "xls"),
        [P(placed.cells[(v[0], "citizen_reach", "den")][0], placed.labels[(v[0], "citizen_reach", "den")],
           "count_not_number", params={"value": "4O0"})],
    )

    half = mm_report()
    placed = wide_sheet(half, Title(MUONG_MUN, q3), raw={(AGENCIES[0], "officials_informed", "num"): ""},
                        sections=SECTIONS)
    bad(
        "wide_half_pair_blank",
        "ods",
        "Tổng số filled and Số đạt left blank for one agency: a pair is both cells or neither.",
        write(placed.sheet, "ods"),
        [P(placed.cells[(AGENCIES[0], "officials_informed", "num")][0],
           placed.labels[(AGENCIES[0], "officials_informed", "num")], "required")],
    )

    aug = mm_report()
    placed = wide_sheet(aug, Title(MUONG_MUN, "tháng 8/2025"))
    bad(
        "title_month_not_quarter_end",
        "xlsx",
        "A title 'tháng 8/2025': August ends no quarter (figures are stocks at a quarter's end: report tháng 9).",
        write(placed.sheet, "xlsx"),
        [P(placed.title["period"], None, "period_month_not_quarter_end")],
    )

    conflict = mm_report()
    placed = wide_sheet(conflict, Title(MUONG_MUN, q3))
    bad(
        "title_quarter_conflicts_with_options",
        "csv",
        "The title says 'Quý III năm 2025' and the options say --quarter 2: refused, naming both.",
        write(placed.sheet, "csv"),
        [P(placed.title["period"], None, "context_conflict")],
        given={"province": None, "commune": None, "year": 2025, "quarter": 2},
    )

    differ = mm_report()
    placed = wide_sheet(differ, Title(MUONG_MUN, q3, period_line=f"(Kỳ báo cáo: {PERIODS['months'](2025, 2)})"))
    bad(
        "title_periods_differ",
        "xlsx",
        "The title says 'Quý III năm 2025' and the line under it '(Kỳ báo cáo: 6 tháng đầu năm 2025)': which one?",
        write(placed.sheet, "xlsx"),
        [P(placed.title["period_line"], None, "title_periods_differ")],
    )

    nowhere = mm_report()
    placed = wide_sheet(nowhere, Title(None, q3, to=None, date_line="Ngày 05 tháng 10 năm 2025"))
    bad(
        "no_commune_anywhere",
        "xlsx",
        "A form whose title names no commune (no UBND line, no place in the date line) and no --commune: where?",
        write(placed.sheet, "xlsx"),
        [P(None, None, "context_place_missing")],
    )

    when = mm_report()
    placed = wide_sheet(when, Title(MUONG_MUN, None, subject="Kết quả công tác truyền thông Nghị quyết 57-NQ/TW"))
    bad(
        "no_period_anywhere",
        "ods",
        "A form whose title names no period (the date line is the day it was signed, not a period) and no --quarter.",
        write(placed.sheet, "ods"),
        [P(None, None, "context_period_missing")],
    )

    typo = mm_report()
    typo_place = Place("Điện Biên", "Mường Mùm")
    placed = wide_sheet(typo, Title(typo_place, q3, date_line="Ngày 05 tháng 10 năm 2025"))
    bad(
        "title_commune_unknown",
        "xls",
        "'UBND XÃ MƯỜNG MÙM' in the title: no such commune in Điện Biên (Mường Mùn is).",
        write(placed.sheet, "xls"),
        [P(placed.title["commune"], None, "commune_unknown", message_has="Mường Mùn")],
    )

    unit_bad = "Trung tâm Dịch vụ tổng hợp"
    own_bad = own_report(MUONG_MUN, unit_bad, 3)
    own_bad.figures[(unit_bad, "staff_digital_training")] = (7, 6)
    placed = indicator_sheet(
        own_bad, unit_bad, Title(MUONG_MUN, q3, reporter=f"Đơn vị báo cáo: {unit_bad}"), sections=OWN_SECTIONS,
        raw={(unit_bad, "officials_informed", "den"): "4O", (unit_bad, "officials_informed", "rate"): None},
    )
    bad(
        "per_indicator_mistakes",
        "xlsx",
        "One row per indicator: Tổng số typed '4O' (letter O) on one row, Số đạt 7 of 6 on another.",
        write(placed.sheet, "xlsx"),
        [
            P(placed.cells[(unit_bad, "officials_informed", "den")][0], "Tổng số", "count_not_number",
              params={"value": "4O"}),
            P(placed.cells[(unit_bad, "staff_digital_training", "num")][0], "Số đạt", "numerator_gt_denominator"),
        ],
    )

    bad(
        "web_export_without_table",
        "xls",
        "A web system's export that is an HTML page with no table (an error page saved as .xls): say it is a web "
        "page, not 'not a workbook'.",
        ("<html><meta charset=utf-8><head><title>Hệ thống báo cáo</title></head><body><h3>Phiên làm việc đã hết hạn."
         "</h3><p>Vui lòng đăng nhập lại để xuất báo cáo.</p></body></html>\r\n").encode(),
        [P(None, None, "file_html_no_table")],
    )


# --- writing ----------------------------------------------------------------------------------------


def outputs() -> dict[Path, bytes]:
    build()
    files: dict[Path, bytes] = {}
    for folder, cases in (("bad", BAD), ("good", GOOD)):
        for case in cases:
            path = HERE / folder / f"{case.name}.{case.ext}"
            assert path not in files, path
            files[path] = case.data
            body = json.dumps(case.expected, ensure_ascii=False, indent=1) + "\n"
            json_path = HERE / folder / f"{case.name}.expected.json"
            assert json_path not in files, json_path
            files[json_path] = body.encode("utf-8")
    return files


def main(argv: list[str]) -> int:
    files = outputs()
    if "--check" in argv:
        differ = [p for p, data in files.items() if not p.exists() or p.read_bytes() != data]
        stale = [p for folder in ("bad", "good") for p in (HERE / folder).glob("*") if p not in files]
        for p in differ:
            print(f"differs: {p.relative_to(HERE)}")
        for p in stale:
            print(f"not made by this script: {p.relative_to(HERE)}")
        return 1 if differ or stale else 0
    for folder in ("bad", "good"):
        (HERE / folder).mkdir(exist_ok=True)
        for p in (HERE / folder).glob("*"):
            if p not in files:
                p.unlink()
    for path, data in files.items():
        path.write_bytes(data)
    print(f"{len(BAD)} bad files, {len(GOOD)} good files written under {HERE}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
