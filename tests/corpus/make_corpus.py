"""Write the upload corpus: realistic bad files and awkward-but-valid files, each beside what it must produce.

    .venv/bin/python tests/corpus/make_corpus.py           # (re)write tests/corpus/bad and tests/corpus/good
    .venv/bin/python tests/corpus/make_corpus.py --check   # exit 1 if a committed file differs from what this writes

The tests read the committed files; they never run this script to make them. It is committed so that
anyone can see how each file was made (openpyxl, xlwt or bytes by hand) and why it is in the corpus.

bad/<name>.<ext> + bad/<name>.expected.json:
    {"why": ..., "problems": [{"row", "column", "code"} + optional "params" (each given param must equal)
     and "message_has" (text the Vietnamese message must contain)], "known_bug": optional}
    "problems" lists every problem of the file, in the order the importer reports them.
good/<name>.<ext> + good/<name>.expected.json:
    {"why": ..., "setup": [files imported first, relative to tests/corpus], "values": [the values this
     file's submission stores], "warnings": [{"row", "column", "code"}]}

Every file is a mistake or a habit seen in hand-made quarterly reports: Excel on Vietnamese Windows,
tables copied from other reports, names retyped without a Vietnamese keyboard.
"""

from __future__ import annotations

import csv
import io
import json
import random
import re
import struct
import sys
import unicodedata
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import openpyxl
import xlwt
from openpyxl.styles import Alignment, Font
from xlwt.CompoundDoc import XlsDoc

HERE = Path(__file__).resolve().parent
FIXED_TIME = (2025, 10, 5, 8, 0, 0)
FIXED_ISO = "2025-10-05T08:00:00Z"

HEADER = ["Tỉnh", "Xã", "Đơn vị", "Năm", "Quý", "Chỉ tiêu", "Số đạt", "Tổng số", "Ghi chú"]
COL = {
    name: i
    for i, name in enumerate(["province", "commune", "unit", "year", "quarter", "indicator", "numerator", "denominator", "note"])
}
# A commune's third-quarter report: three villages (Thôn/Bản) and the commune office.
BASE = [
    ["Điện Biên", "Mường Mùn", "Bản Na Sang", 2025, 3, "citizen_reach", 450, 500, ""],
    ["Điện Biên", "Mường Mùn", "Bản Huổi Lóng", 2025, 3, "citizen_reach", 380, 620, ""],
    ["Điện Biên", "Mường Mùn", "Bản Co Cượm", 2025, 3, "citizen_reach", 1200, 1530, "Tính cả điểm trường"],
    ["Điện Biên", "Mường Mùn", "Văn phòng HĐND và UBND xã", 2025, 3, "officials_informed", 41, 45, ""],
]
TITLE = [
    ["ỦY BAN NHÂN DÂN XÃ MƯỜNG MÙN"],
    ["BÁO CÁO KẾT QUẢ TRUYỀN THÔNG NGHỊ QUYẾT 57-NQ/TW"],
    ["Quý III năm 2025"],
    [],
]  # the header is row 5, the first data row is row 6


def row(i: int, **changes: Any) -> list[Any]:
    """BASE[i] with some cells changed, by column name."""
    out = list(BASE[i])
    for name, value in changes.items():
        out[COL[name]] = value
    return out


def stored(rows: Sequence[Sequence[Any]]) -> list[dict[str, Any]]:
    """The values a file of these (canonical) rows must store."""
    keys = ["province", "commune", "unit", "year", "quarter", "indicator", "numerator", "denominator"]
    return [dict(zip(keys, r[:8], strict=True)) for r in rows]


def P(row: int | None, column: str | None, code: str, **extra: Any) -> dict[str, Any]:  # noqa: N802
    return {"row": row, "column": column, "code": code, **extra}


# --- writers ------------------------------------------------------------------------------


def csv_file(
    rows: Sequence[Sequence[Any]],
    header: Sequence[str] | None = HEADER,
    delimiter: str = ",",
    encoding: str = "utf-8",
    before: Sequence[Sequence[Any]] = (),
) -> bytes:
    buf = io.StringIO()
    writer = csv.writer(buf, delimiter=delimiter, lineterminator="\r\n")
    writer.writerows(before)
    if header is not None:
        writer.writerow(header)
    writer.writerows(rows)
    return buf.getvalue().encode(encoding)


def stable_zip(data: bytes, cached: dict[str, dict[str, tuple[str, str]]] | None = None) -> bytes:
    """Re-zip an openpyxl file with fixed timestamps; optionally give formula cells cached values.

    openpyxl cannot write a formula's cached value (Excel writes it on save): cached maps a sheet
    XML path to {cell: (value, type)}, and the value goes into the cell's <v> (type "n", "str" or "e").
    """
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            body = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                body = re.sub(rb"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", FIXED_ISO.encode(), body)
            for cell, (value, kind) in (cached or {}).get(info.filename, {}).items():
                pattern = rb'<c r="' + cell.encode() + rb'"([^>]*)><f>(.*?)</f><v></v></c>'
                attrs = b"" if kind == "n" else f' t="{kind}"'.encode()
                body, n = re.subn(
                    pattern,
                    rb'<c r="' + cell.encode() + rb'"\1' + attrs + rb"><f>\2</f><v>" + value.encode() + rb"</v></c>",
                    body,
                )
                assert n == 1, (info.filename, cell)
            dst.writestr(zipfile.ZipInfo(info.filename, FIXED_TIME), body, zipfile.ZIP_DEFLATED)
    return out.getvalue()


def save(wb: openpyxl.Workbook, cached: dict[str, dict[str, tuple[str, str]]] | None = None) -> bytes:
    buf = io.BytesIO()
    wb.save(buf)
    return stable_zip(buf.getvalue(), cached)


def sheet(
    ws: Any,
    rows: Sequence[Sequence[Any]],
    header: Sequence[str] = HEADER,
    title: Sequence[Sequence[Any]] = (),
    merge_title: bool = False,
) -> None:
    """Title rows (optionally merged across the table, as people do), the header, the rows."""
    for i, r in enumerate(title, start=1):
        ws.append(list(r))
        if merge_title and r:
            ws.merge_cells(start_row=i, start_column=1, end_row=i, end_column=len(header))
            ws.cell(row=i, column=1).alignment = Alignment(horizontal="center")
            ws.cell(row=i, column=1).font = Font(bold=True)
    ws.append(list(header))
    for r in rows:
        ws.append([None if v == "" else v for v in r])


def xlsx_file(
    rows: Sequence[Sequence[Any]],
    header: Sequence[str] = HEADER,
    title: Sequence[Sequence[Any]] = (),
    merge_title: bool = False,
    name: str = "Báo cáo",
) -> bytes:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = name
    sheet(ws, rows, header, title, merge_title)
    return save(wb)


def xls_file(grid: Sequence[Sequence[Any]], merged_title_rows: int = 0, width: int = len(HEADER)) -> bytes:
    """A legacy .xls (BIFF8) as Excel 97-2003 wrote it, via xlwt."""
    wb = xlwt.Workbook(encoding="utf-8")
    ws = wb.add_sheet("Báo cáo")
    for i, r in enumerate(grid):
        if i < merged_title_rows and r:
            ws.write_merge(i, i, 0, width - 1, r[0])
            continue
        for j, v in enumerate(r):
            if v not in (None, ""):
                ws.write(i, j, v)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def cp1258_text(text: str) -> str:
    """Text as Windows-1258 spells Vietnamese: base letters (â, ơ, ư, đ...) composed, tone marks combining."""
    tones = {"\u0300", "\u0301", "\u0303", "\u0309", "\u0323"}
    out = []
    for ch in unicodedata.normalize("NFC", text):
        parts = unicodedata.normalize("NFD", ch)
        base = unicodedata.normalize("NFC", "".join(c for c in parts if c not in tones))
        out.append(base + "".join(c for c in parts if c in tones))
    return "".join(out)


# --- the cases --------------------------------------------------------------------------------


@dataclass
class Case:
    name: str
    ext: str
    why: str
    make: Callable[[], bytes]
    expected: dict[str, Any] = field(default_factory=dict)


BAD: list[Case] = []
GOOD: list[Case] = []
SETUP: dict[str, Callable[[], bytes]] = {}


def bad(name: str, ext: str, why: str, problems: list[dict[str, Any]], known_bug: str | None = None):
    def register(make: Callable[[], bytes]) -> Callable[[], bytes]:
        expected: dict[str, Any] = {"why": why, "problems": problems}
        if known_bug:
            expected["known_bug"] = known_bug
        BAD.append(Case(name, ext, why, make, expected))
        return make

    return register


def good(
    name: str,
    ext: str,
    why: str,
    values: list[dict[str, Any]],
    warnings: Sequence[dict[str, Any]] = (),
    setup: Sequence[str] = (),
):
    def register(make: Callable[[], bytes]) -> Callable[[], bytes]:
        expected = {"why": why, "setup": list(setup), "values": values, "warnings": list(warnings)}
        GOOD.append(Case(name, ext, why, make, expected))
        return make

    return register


# ---- bad files: every one must be refused whole, with these problems --------------------------


@bad(
    "commune_typo_title_rows",
    "xlsx",
    "Title rows above the header; the commune retyped as 'Mường Mùm' on every row.",
    [P(r, "Xã", "commune_unknown", message_has="Có phải là: Mường Mùn") for r in (6, 7, 8, 9)],
)
def _() -> bytes:
    return xlsx_file([row(i, commune="Mường Mùm") for i in range(4)], title=TITLE)


@bad(
    "decimal_comma_in_count",
    "csv",
    "Excel on Vietnamese Windows: semicolons, decimal comma; '12,5' typed in Số đạt (a count of people).",
    [P(3, "Số đạt", "count_not_whole", params={"value": "12,5"})],
)
def _() -> bytes:
    return csv_file([BASE[0], row(1, numerator="12,5"), BASE[2], BASE[3]], delimiter=";", encoding="utf-8-sig")


@bad(
    "header_renamed",
    "xlsx",
    "The header 'Số đạt' renamed to 'Số người đạt' in a copied table.",
    [P(5, "Số đạt", "column_missing")],
)
def _() -> bytes:
    header = [h if h != "Số đạt" else "Số người đạt" for h in HEADER]
    return xlsx_file(BASE, header=header, title=TITLE)


@bad(
    "subtotal_row_not_a_totals_label",
    "xlsx",
    "A subtotal row in the middle labelled 'Cộng các thôn, bản' (not a plain 'Cộng'/'Tổng cộng'): read as data.",
    [
        P(9, "Tỉnh", "province_unknown", params={"value": "Cộng các thôn, bản"}),
        P(9, "Xã", "required"),
        P(9, "Đơn vị", "required"),
        P(9, "Năm", "required"),
        P(9, "Quý", "required"),
        P(9, "Chỉ tiêu", "required"),
    ],
)
def _() -> bytes:
    subtotal = ["Cộng các thôn, bản", "", "", "", "", "", 2030, 2650, ""]
    return xlsx_file([BASE[0], BASE[1], BASE[2], subtotal, BASE[3]], title=TITLE)


@bad(
    "merged_title_unknown_indicator",
    "xlsx",
    "Merged title cells; an indicator in words that is none of the plans' ('Tỷ lệ hộ gia đình có điện lưới').",
    [P(6, "Chỉ tiêu", "indicator_unknown", message_has="citizen_reach")],
)
def _() -> bytes:
    return xlsx_file([row(0, indicator="Tỷ lệ hộ gia đình có điện lưới"), BASE[3]], title=TITLE, merge_title=True)


@bad(
    "letter_o_for_zero",
    "xlsx",
    "Numbers stored as text, typed with the letter O instead of the digit 0.",
    [P(7, "Số đạt", "count_not_number", params={"value": "38O"}), P(7, "Tổng số", "count_not_number", params={"value": "62O"})],
)
def _() -> bytes:
    return xlsx_file([BASE[0], row(1, numerator="38O", denominator="62O"), BASE[3]], title=TITLE)


@bad(
    "year_with_letter_o",
    "csv",
    "The year typed '2O25' (letter O).",
    [P(2, "Năm", "year_invalid", params={"value": "2O25"})],
)
def _() -> bytes:
    return csv_file([row(0, year="2O25"), BASE[1]])


@bad(
    "quarter_quy_v",
    "xlsx",
    "The quarter written 'Quý V': there are four quarters.",
    [P(8, "Quý", "quarter_invalid", params={"value": "Quý V"})],
)
def _() -> bytes:
    return xlsx_file([row(0, quarter="Quý III"), row(1, quarter="Quý III"), row(2, quarter="Quý V")], title=TITLE)


@bad(
    "negative_count",
    "csv",
    "A negative count (a decrease typed instead of the running total).",
    [P(4, "Số đạt", "count_negative")],
)
def _() -> bytes:
    return csv_file([BASE[0], BASE[1], row(2, numerator=-5)])


@bad(
    "denominator_zero",
    "xlsx",
    "Tổng số left at 0 for a village that has not counted yet.",
    [P(7, "Tổng số", "denominator_zero")],
)
def _() -> bytes:
    return xlsx_file([BASE[0], row(1, numerator=0, denominator=0), BASE[2]], title=TITLE)


@bad(
    "numerator_over_denominator",
    "csv",
    "Số đạt and Tổng số swapped when copying from another report.",
    [P(3, "Số đạt", "numerator_gt_denominator", params={"numerator": 620, "denominator": 380})],
)
def _() -> bytes:
    return csv_file([BASE[0], row(1, numerator=620, denominator=380)])


@bad(
    "duplicate_key_retyped",
    "xlsx",
    "The same village and indicator twice: once 'Bản Na Sang', once retyped 'Ban Na Sang'. Both rows are named.",
    [P(9, None, "duplicate_row", params={"other": 6}, message_has="dòng 6")],
)
def _() -> bytes:
    return xlsx_file([BASE[0], BASE[1], BASE[2], row(0, unit="Ban Na Sang", numerator=455)], title=TITLE)


@bad("empty_file", "csv", "A file of zero bytes (the save failed).", [P(None, None, "file_empty")])
def _() -> bytes:
    return b""


def _docx() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        parts = {
            "[Content_Types].xml": '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/'
            'package/2006/content-types"><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/'
            'document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>'
            "</Types>",
            "_rels/.rels": '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/'
            'package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
            'relationships/officeDocument" Target="word/document.xml"/></Relationships>',
            "word/document.xml": '<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="http://schemas.openxmlformats.org/'
            'wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>BÁO CÁO KẾT QUẢ TRUYỀN THÔNG NGHỊ QUYẾT 57-NQ/TW QUÝ III'
            "</w:t></w:r></w:p></w:body></w:document>",
        }
        for name, text in parts.items():
            z.writestr(zipfile.ZipInfo(name, FIXED_TIME), text.encode(), zipfile.ZIP_DEFLATED)
    return buf.getvalue()


@bad("word_report_renamed", "xlsx", "The Word report (.docx) renamed to .xlsx.", [P(None, None, "file_not_xlsx")])
def _() -> bytes:
    return _docx()


@bad("pdf_renamed", "xlsx", "A scanned PDF renamed to .xlsx.", [P(None, None, "file_not_xlsx")])
def _() -> bytes:
    return b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"


@bad("pdf_as_pdf", "pdf", "A PDF uploaded as it is.", [P(None, None, "file_type", params={"name": "pdf_as_pdf.pdf"})])
def _() -> bytes:
    return b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\n%%EOF\n"


@bad("random_bytes", "xlsx", "A damaged download: random bytes named .xlsx.", [P(None, None, "file_not_xlsx")])
def _() -> bytes:
    return random.Random(57).randbytes(3000)


@bad(
    "truncated_xlsx",
    "xlsx",
    "An .xlsx cut short (the e-mail attachment was not fully downloaded).",
    [P(None, None, "file_not_xlsx")],
)
def _() -> bytes:
    data = xlsx_file(BASE, title=TITLE)
    return data[: len(data) // 2]


@bad(
    "cp1252_invalid_in_cp1258",
    "csv",
    "A CSV saved as Western European (Windows-1252) with 'Š' in a note: byte 0x8A means nothing in Windows-1258.",
    [P(None, None, "file_encoding")],
)
def _() -> bytes:
    rows = [row(0, province="Dien Bien", commune="Muong Mun", unit="Ban Na Sang", note="Xe Škoda")]
    return csv_file(
        rows, header=["Tinh", "Xa", "Don vi", "Nam", "Quy", "Chi tieu", "So dat", "Tong so", "Ghi chu"], encoding="cp1252"
    )


@bad(
    "utf32_text",
    "csv",
    "A CSV saved by a text editor as UTF-32 (Excel never writes it).",
    [P(None, None, "file_encoding")],
)
def _() -> bytes:
    return csv_file(BASE[:2], encoding="utf-32")


def _password_xls() -> bytes:
    """An .xls whose workbook stream carries a FILEPASS record, as Excel writes a password-protected file."""
    wb = xlwt.Workbook(encoding="utf-8")
    ws = wb.add_sheet("Báo cáo")
    for j, h in enumerate(HEADER):
        ws.write(0, j, h)
    for i, r in enumerate(BASE, start=1):
        for j, v in enumerate(r):
            if v != "":
                ws.write(i, j, v)
    stream = wb.get_biff_data()
    records, pos = [], 0
    while pos < len(stream):
        kind, length = struct.unpack_from("<HH", stream, pos)
        records.append((kind, stream[pos : pos + 4 + length]))
        pos += 4 + length
    filepass = struct.pack("<HHH", 0x002F, 54, 1) + struct.pack("<HH", 1, 1) + bytes(48)  # RC4, version 1.1
    out = []
    for i, (kind, rec) in enumerate(records):
        if kind == 0x0085:  # BOUNDSHEET: the sheet's offset moves by the inserted record
            offset = struct.unpack_from("<I", rec, 4)[0]
            rec = rec[:4] + struct.pack("<I", offset + len(filepass)) + rec[8:]
        out.append(rec)
        if i == 0:
            out.append(filepass)
    buf = io.BytesIO()
    XlsDoc().save(buf, b"".join(out))
    return buf.getvalue()


@bad(
    "password_protected",
    "xls",
    "An .xls protected with a password (FILEPASS record): the person must remove the password.",
    [P(None, None, "file_password")],
)
def _() -> bytes:
    return _password_xls()


@bad("header_only", "xlsx", "The header copied, no rows filled in.", [P(None, None, "file_no_rows")])
def _() -> bytes:
    return xlsx_file([], title=TITLE)


@bad(
    "no_header_anywhere",
    "xlsx",
    "Rows pasted without the header (and an instructions sheet before them).",
    [P(None, None, "file_no_header")],
)
def _() -> bytes:
    wb = openpyxl.Workbook()
    wb.active.title = "Hướng dẫn"
    wb.active["A1"] = "Dán số liệu vào trang sau"
    ws = wb.create_sheet("Số liệu")
    for r in BASE:
        ws.append(r)
    return save(wb)


@bad(
    "quarter_nowhere",
    "csv",
    "No 'Quý' column, and the title line above the header names only the year: the quarter is said nowhere.",
    [P(None, None, "context_period_missing")],
)
def _() -> bytes:
    header = [h for h in HEADER if h != "Quý"]
    rows = [[v for j, v in enumerate(r) if j != COL["quarter"]] for r in BASE]
    return csv_file(rows, header=header, before=[["BÁO CÁO KẾT QUẢ TRUYỀN THÔNG NGHỊ QUYẾT 57"]])


@bad(
    "rates_instead_of_counts",
    "xlsx",
    "A 'Tỷ lệ (%)' column instead of Số đạt and Tổng số: the sums need the counts.",
    [P(5, "Tỷ lệ (%)", "rate_without_counts")],
)
def _() -> bytes:
    header = HEADER[:6] + ["Tỷ lệ (%)", "Ghi chú"]
    rows = [r[:6] + [round(100 * r[6] / r[7], 1), r[8]] for r in BASE]
    return xlsx_file(rows, header=header, title=TITLE)


@bad(
    "indicator_code_typo",
    "csv",
    "The indicator code mistyped 'citizen_reah'.",
    [P(3, "Chỉ tiêu", "indicator_unknown", params={"value": "citizen_reah"}, message_has="citizen_reach")],
)
def _() -> bytes:
    return csv_file([BASE[0], row(1, indicator="citizen_reah")])


@bad(
    "province_typo",
    "xlsx",
    "The province retyped 'Điện Bình' on one row.",
    [P(7, "Tỉnh", "province_unknown", message_has="Có phải là: Điện Biên")],
)
def _() -> bytes:
    return xlsx_file([BASE[0], row(1, province="Điện Bình"), BASE[2]], title=TITLE)


@bad(
    "commune_in_wrong_province",
    "csv",
    "The province copied from another report: Mường Mùn is in Điện Biên, not Lai Châu.",
    [P(2, "Xã", "commune_unknown", params={"value": "Mường Mùn", "province": "Lai Châu"})],
)
def _() -> bytes:
    return csv_file([row(0, province="Lai Châu")])


@bad(
    "merged_cells_in_data",
    "xlsx",
    "Tỉnh and Xã merged down the table, and the office merged over its two rows: only the top cell holds the value.",
    [
        P(7, "Tỉnh", "required"),
        P(7, "Xã", "required"),
        P(8, "Tỉnh", "required"),
        P(8, "Xã", "required"),
        P(9, "Tỉnh", "required"),
        P(9, "Xã", "required"),
        P(10, "Tỉnh", "required"),
        P(10, "Xã", "required"),
        P(10, "Đơn vị", "required"),
    ],
)
def _() -> bytes:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Báo cáo"
    office2 = row(3, indicator="directives_published", numerator=18, denominator=20)
    sheet(ws, [*BASE, office2], title=TITLE)
    for first, last, col in ((6, 10, 1), (6, 10, 2), (9, 10, 3)):
        for r in range(first + 1, last + 1):
            ws.cell(row=r, column=col).value = None
        ws.merge_cells(start_row=first, start_column=col, end_row=last, end_column=col)
    return save(wb)


@bad(
    "year_typo_out_of_range",
    "xlsx",
    "The year typed 2052 instead of 2025.",
    [P(6, "Năm", "year_range", params={"value": "2052", "low": 2024, "high": 2035})],
)
def _() -> bytes:
    return xlsx_file([row(0, year=2052), BASE[1]], title=TITLE)


@bad(
    "percent_in_count_columns",
    "csv",
    "Rates typed into the count columns: '90%' and '100%'.",
    [P(2, "Số đạt", "count_not_number", params={"value": "90%"}), P(2, "Tổng số", "count_not_number", params={"value": "100%"})],
)
def _() -> bytes:
    return csv_file([row(0, numerator="90%", denominator="100%")])


@bad(
    "report_date_in_quarter",
    "xlsx",
    "The report date 30/09/2025 typed in the Quý column (Excel stored it as a date).",
    [P(6, "Quý", "quarter_invalid")],
)
def _() -> bytes:
    import datetime as dt

    return xlsx_file([row(0, quarter=dt.date(2025, 9, 30)), BASE[1]], title=TITLE)


@bad(
    "unterminated_quote",
    "csv",
    "A note that opens a quote and never closes it (typed by hand in Notepad): the rows after it must not vanish.",
    [P(None, None, "file_csv_broken")],
)
def _() -> bytes:
    lines = [",".join(HEADER)]
    for i, r in enumerate(BASE):
        cells = [str(v) for v in r]
        if i == 1:
            cells[-1] = '"Chưa xong, còn thiếu bản Pá Chả'
        lines.append(",".join(cells))
    return ("\r\n".join(lines) + "\r\n").encode("utf-8")


@bad(
    "excel_error_values",
    "xlsx",
    "Tổng số computed by formulas that show #REF! and #DIV/0! (a deleted sheet, an empty cell).",
    [P(6, "Tổng số", "count_not_number"), P(7, "Tổng số", "count_not_number")],
    known_bug="python-calamine reads error cells as '' (dimastbk/python-calamine#105, open), so the person is told "
    "'Ô này đang trống' (the cell is empty) about a cell that shows #REF!.",
)
def _() -> bytes:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Báo cáo"
    sheet(ws, [row(0, denominator="=Dân_số!B4"), row(1, denominator="=G7/0")], title=TITLE)
    return save(wb, {"xl/worksheets/sheet1.xml": {"H6": ("#REF!", "e"), "H7": ("#DIV/0!", "e")}})


@bad(
    "unicode_text_decimal_point",
    "txt",
    "Excel's 'Unicode Text' (UTF-16, tabs) with '37.5' in Số đạt.",
    [P(2, "Số đạt", "count_not_whole", params={"value": "37.5"})],
)
def _() -> bytes:
    return csv_file([row(3, numerator="37.5")], delimiter="\t", encoding="utf-16")


@bad(
    "legacy_xls_with_mistakes",
    "xls",
    "An Excel 97-2003 .xls: Số đạt above Tổng số on one row, the indicator blank on another.",
    [P(6, "Số đạt", "numerator_gt_denominator"), P(7, "Chỉ tiêu", "required")],
)
def _() -> bytes:
    grid = [TITLE[0], TITLE[1], TITLE[2], [], HEADER, row(0, numerator=550), row(1, indicator="")]
    return xls_file(grid, merged_title_rows=3)


@bad(
    "many_mistakes_at_once",
    "xlsx",
    "One messy file: every problem is listed at once, in row order.",
    [
        P(6, "Năm", "year_invalid", params={"value": "25"}),
        P(7, "Đơn vị", "required"),
        P(7, "Quý", "quarter_invalid", params={"value": "Q3/2025"}),
        P(8, "Số đạt", "count_not_whole", params={"value": "1200,5"}),
        P(8, "Tổng số", "count_negative"),
        P(9, "Xã", "commune_unknown"),
        P(9, "Chỉ tiêu", "required"),
    ],
)
def _() -> bytes:
    rows = [
        row(0, year="25"),
        row(1, unit="", quarter="Q3/2025"),
        row(2, numerator="1200,5", denominator=-1530),
        row(3, commune="Mường Nhàn", indicator=""),
    ]
    return xlsx_file(rows, title=TITLE)


@bad(
    "thousands_and_decimal_mixed",
    "csv",
    "'1.200,5' in Số đạt: a decimal written the Vietnamese way, in a count column.",
    [P(2, "Số đạt", "count_not_whole")],
)
def _() -> bytes:
    return csv_file([row(2, numerator="1.200,5")], delimiter=";")


@bad(
    "blank_unit_and_year",
    "csv",
    "Cells left empty: the unit name on one row, the year on another.",
    [P(3, "Đơn vị", "required"), P(4, "Năm", "required")],
)
def _() -> bytes:
    return csv_file([BASE[0], row(1, unit=""), row(2, year="")])


# ---- good files: every one must import, storing exactly these values --------------------------

BASE_VALUES = stored(BASE)


@good(
    "quarter_only_in_title",
    "csv",
    "No 'Quý' column: the quarter is written only in the title line above the header ('BÁO CÁO QUÝ III NĂM 2025').",
    BASE_VALUES,
)
def _() -> bytes:
    header = [h for h in HEADER if h != "Quý"]
    rows = [[v for j, v in enumerate(r) if j != COL["quarter"]] for r in BASE]
    return csv_file(rows, header=header, before=[["BÁO CÁO QUÝ III NĂM 2025"]])


@good(
    "windows_1258_combining_marks",
    "csv",
    "Excel's 'CSV (Comma delimited)' on Vietnamese Windows: Windows-1258, tone marks as combining characters.",
    BASE_VALUES,
)
def _() -> bytes:
    text = csv_file(BASE).decode("utf-8")
    return cp1258_text(text).encode("cp1258")


@good(
    "unicode_text_utf16_tabs",
    "txt",
    "Excel's 'Unicode Text': UTF-16 with a BOM, tab-separated.",
    BASE_VALUES,
)
def _() -> bytes:
    return csv_file(BASE, delimiter="\t", encoding="utf-16")


@good(
    "utf8_bom_semicolons_thousands",
    "csv",
    "Excel's 'CSV UTF-8' (BOM) with semicolons; counts written '1.200' and '1 530'.",
    BASE_VALUES,
)
def _() -> bytes:
    rows = [BASE[0], BASE[1], row(2, numerator="1.200", denominator="1 530"), BASE[3]]
    return csv_file(rows, delimiter=";", encoding="utf-8-sig")


@good(
    "instructions_sheet_first",
    "xlsx",
    "An instructions sheet first (with a column-by-column table), the data on the second sheet.",
    BASE_VALUES,
)
def _() -> bytes:
    wb = openpyxl.Workbook()
    guide = wb.active
    guide.title = "Hướng dẫn"
    guide.append(["HƯỚNG DẪN ĐIỀN BIỂU MẪU"])
    guide.append(["Cột", "Ý nghĩa"])
    for h, meaning in zip(
        HEADER, ["Tên tỉnh", "Tên xã", "Thôn/Bản, cơ quan", "4 chữ số", "1-4", "Mã", "Số người", "Tổng", ""], strict=True
    ):
        guide.append([h, meaning])
    sheet(wb.create_sheet("Số liệu"), BASE)
    return save(wb)


@good(
    "title_merged_blank_rows_totals",
    "xlsx",
    "Merged title rows, blank rows inside the table and a 'Tổng cộng' row that matches the rows above it.",
    BASE_VALUES,
)
def _() -> bytes:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Báo cáo"
    total = ["Tổng cộng", None, None, None, None, None, sum(r[6] for r in BASE), sum(r[7] for r in BASE), None]
    sheet(ws, [BASE[0], [], BASE[1], BASE[2], [], BASE[3], total], title=TITLE, merge_title=True)
    return save(wb)


@good(
    "totals_row_differs",
    "xlsx",
    "A 'Cộng' subtotal after the villages that is off by 10 in Số đạt: imported, with a warning on that cell.",
    BASE_VALUES,
    warnings=[P(9, "Số đạt", "totals_mismatch", params={"stated": 2040, "summed": 2030})],
)
def _() -> bytes:
    subtotal = ["Cộng", None, None, None, None, None, 2040, 2650, None]
    return xlsx_file([BASE[0], BASE[1], BASE[2], subtotal, BASE[3]], title=TITLE)


@good(
    "numbers_stored_as_text",
    "xlsx",
    "Numbers stored as text, as pasted from another report: '1.200', '1,530', ' 450 ', '0380', years '2025'.",
    BASE_VALUES,
)
def _() -> bytes:
    rows = [
        row(0, numerator=" 450 ", denominator="500", year="2025", quarter="3"),
        row(1, numerator="0380", denominator="620"),
        row(2, numerator="1.200", denominator="1,530"),
        row(3, numerator="41", denominator="45.0"),
    ]
    return xlsx_file(rows, title=TITLE)


@good(
    "formulas_with_cached_values",
    "xlsx",
    "An STT column, men and women counted apart, Số đạt and Tổng số as =SUM formulas with Excel's cached values.",
    BASE_VALUES,
)
def _() -> bytes:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Báo cáo"
    header = ["STT", *HEADER[:6], "Nam đạt", "Nữ đạt", "Số đạt", "Tổng số", "Tỷ lệ (%)", "Ghi chú"]
    for r in TITLE:
        ws.append(r)
    ws.append(header)
    cached: dict[str, tuple[str, str]] = {}
    for i, r in enumerate(BASE, start=1):
        line = 5 + i
        men = r[6] // 2
        ws.append([i, *r[:6], men, r[6] - men, f"=SUM(H{line}:I{line})", r[7], f"=ROUND(J{line}/K{line}*100,1)", r[8] or None])
        cached[f"J{line}"] = (str(r[6]), "n")
        cached[f"L{line}"] = (str(round(r[6] / r[7] * 100, 1)), "n")
    return save(wb, {"xl/worksheets/sheet1.xml": cached})


@good(
    "names_unaccented_prefixed_nfd",
    "csv",
    "Names retyped without a Vietnamese keyboard, with 'Tỉnh'/'Xã' prefixes, capitals, extra spaces, and decomposed (NFD) text.",
    [
        {**BASE_VALUES[0], "unit": "Ban Na Sang"},
        {**BASE_VALUES[1], "unit": "Bản Huổi Lóng"},
        {**BASE_VALUES[2], "unit": "Bản Co Cượm"},
        BASE_VALUES[3],
    ],
)
def _() -> bytes:
    rows = [
        row(0, province="Tinh Dien Bien", commune="Xa Muong Mun", unit="Ban Na Sang"),
        row(1, province="TỈNH ĐIỆN BIÊN", commune="XÃ  MƯỜNG   MÙN", unit="  Bản  Huổi Lóng "),
        row(
            2,
            province=unicodedata.normalize("NFD", "Điện Biên"),
            commune=unicodedata.normalize("NFD", "Mường Mùn"),
            unit=unicodedata.normalize("NFD", "Bản Co Cượm"),
        ),
        row(3, province="dien bien", commune="muong mun", indicator="CBCCVC được phổ biến NQ57"),
    ]
    return csv_file(rows, header=["TINH", "xa", "Don vi", "NAM", "quy", "Chi tieu", "So dat", "Tong so", "Ghi chu"])


SETUP["ban_na_sang_q2.csv"] = lambda: csv_file([row(0, quarter=2, numerator=400), row(1, quarter=2, numerator=300)])


@good(
    "unit_without_ban_prefix",
    "csv",
    "'Bản Na Sang' reported last quarter; this file writes 'Na Sang' and 'Thôn Huổi Lóng': the same units.",
    [
        {**BASE_VALUES[0], "quarter": 3},
        {**BASE_VALUES[1], "quarter": 3},
    ],
    setup=["good/setup/ban_na_sang_q2.csv"],
)
def _() -> bytes:
    return csv_file([row(0, unit="Na Sang"), row(1, unit="Thôn Huổi Lóng")])


@good(
    "legacy_xls",
    "xls",
    "An Excel 97-2003 .xls with merged title rows (written by xlwt); numbers come back as floats.",
    BASE_VALUES,
)
def _() -> bytes:
    return xls_file([TITLE[0], TITLE[1], TITLE[2], [], HEADER, *BASE], merged_title_rows=3)


@good(
    "quarters_and_years_written_out",
    "xlsx",
    "Quarters as 'Quý III', 'Q3', 'III', 'quý 3'; years as 2025, '2025', 2025.0 and 'Năm 2025'.",
    BASE_VALUES,
)
def _() -> bytes:
    rows = [
        row(0, quarter="Quý III", year=2025),
        row(1, quarter="Q3", year="2025"),
        row(2, quarter="III", year=2025.0),
        row(3, quarter="quý 3", year="Năm 2025"),
    ]
    return xlsx_file(rows, title=TITLE)


@good(
    "excel_csv_trailing_separators",
    "csv",
    "An Excel CSV with an STT column, a header cell wrapped over two lines, and empty ';;;;' rows at the end.",
    BASE_VALUES,
)
def _() -> bytes:
    header = ["STT", "Tỉnh", "Xã", "Đơn vị", "Năm", "Quý", "Chỉ tiêu", "Số\nđạt", "Tổng\nsố", "Ghi chú"]
    rows = [[i, *r] for i, r in enumerate(BASE, start=1)] + [[""] * 10] * 3
    return csv_file(rows, header=header, delimiter=";", encoding="utf-8-sig")


@good(
    "header_aliases_and_full_indicator_names",
    "xlsx",
    "Headers as other reports write them ('Tỉnh/Thành phố', 'Xã/Phường', 'Tên đơn vị', 'Mã chỉ tiêu') "
    "and indicators by their Vietnamese short names.",
    BASE_VALUES,
)
def _() -> bytes:
    header = ["Tỉnh/Thành phố", "Xã/Phường", "Tên đơn vị", "Năm", "Quý", "Mã chỉ tiêu", "Số đạt", "Tổng số", "Ghi chú"]
    names = {"citizen_reach": "Người dân được tiếp cận", "officials_informed": "CBCCVC được phổ biến NQ57"}
    return xlsx_file([row(i, indicator=names[BASE[i][5]]) for i in range(4)], header=header, title=TITLE)


@good(
    "year_as_date_cell",
    "xlsx",
    "The year column formatted as a date by Excel (01/01/2025): the year is taken from it.",
    BASE_VALUES[:2],
)
def _() -> bytes:
    import datetime as dt

    return xlsx_file([row(0, year=dt.date(2025, 1, 1)), row(1, year=dt.datetime(2025, 1, 1))], title=TITLE)


# --- writing ----------------------------------------------------------------------------------


def outputs() -> dict[Path, bytes]:
    files: dict[Path, bytes] = {}
    for folder, cases in (("bad", BAD), ("good", GOOD)):
        for case in cases:
            files[HERE / folder / f"{case.name}.{case.ext}"] = case.make()
            body = json.dumps(case.expected, ensure_ascii=False, indent=1) + "\n"
            files[HERE / folder / f"{case.name}.expected.json"] = body.encode("utf-8")
    for name, make in SETUP.items():
        files[HERE / "good" / "setup" / name] = make()
    return files


def main(argv: list[str]) -> int:
    files = outputs()
    if "--check" in argv:
        differ = [p for p, data in files.items() if not p.exists() or p.read_bytes() != data]
        for p in differ:
            print(f"differs: {p.relative_to(HERE)}")
        return 1 if differ else 0
    for path, data in files.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    print(f"{len(BAD)} bad files, {len(GOOD)} good files, {len(SETUP)} setup files written under {HERE}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
