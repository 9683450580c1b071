"""Characters a cell must not hold, counts past any real count, and files in two encodings.

Each rule through real files imported into a real DuckDB file: control characters break the
exports, invisible and look-alike letters make a second unit that displays like the first, a
number past 64 bits cannot be stored, and a UTF-8 file with one Windows-1258 byte would turn every
Vietnamese letter into mojibake. Every one must be refused with the row, the column, the character
(code point and name) or the number, and what to fix, in Vietnamese and in English.
"""

from __future__ import annotations

import csv
import datetime as dt
import unicodedata
from pathlib import Path

import duckdb
import pytest

from kpis.core.i18n import format_problem
from kpis.core.parse import MAX_COUNT, ParseError, parse_count
from kpis.core.text import text_issue
from kpis.followup.task_sheet import KnownItem, check_cells
from kpis.intake.csv_grid import decode_text
from kpis.intake.importer import import_file
from kpis.intake.ingest import IngestError
from tests.conftest import ROOT, VI_HEADER, csv_bytes, xlsx_bytes

BASE = ["Điện Biên", "Mường Mùn", "Bản Co Cượm", 2025, 3, "citizen_reach", 1200, 1530, "Tính cả điểm trường"]
COL = {
    name: i
    for i, name in enumerate(["province", "commune", "unit", "year", "quarter", "indicator", "numerator", "denominator", "note"])
}


def row(**changes: object) -> list:
    out = list(BASE)
    for name, value in changes.items():
        out[COL[name]] = value
    return out


def counts(con: duckdb.DuckDBPyConnection) -> tuple:
    return tuple(con.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in ("submissions", "submission_values", "units"))


# --- the names that must pass ------------------------------------------------------------------


def registry_names() -> list[str]:
    with (ROOT / "kpis" / "catalog" / "official" / "communes.csv").open(encoding="utf-8") as f:
        names = {v for r in csv.DictReader(f) for v in (r["province"], r["commune"])}
    return sorted(names)


REAL_NAMES = [
    "Bản Co Cượm",
    "Tổ dân phố số 3",
    "Bản Na Sang 2",
    "Trường THCS Mường Mùn",
    "UBND xã",
    "Văn phòng HĐND và UBND xã",
    "Thôn Đồng Tâm (cũ)",
    "Khu phố 5 - Phường Ia Kring",
    "Buôn H'Mông",
    "Xã Ia H\u2019Drai",
    "Bản Nậm Khăn, tổ 1/2",
    "ẤP MỸ HƯNG A",
    "Làng Kon Tum Kơ Nâm",
    "=cmd|' /C calc'!A0",
    "@SUM(A1)",
    "![x](http://127.0.0.1:9/p.png)",
    unicodedata.normalize("NFD", "Bản Co Cượm Ưởng Ỹ"),
]


@pytest.mark.parametrize("name", REAL_NAMES + registry_names())
def test_every_real_vietnamese_name_passes(name: str) -> None:
    assert text_issue(unicodedata.normalize("NFC", name)) is None


def test_tab_and_line_breaks_in_a_cell_are_still_allowed() -> None:
    assert text_issue("Bản Co\tCượm") is None and text_issue("dòng một\r\ndòng hai", name=False) is None


# --- the characters that must be refused -----------------------------------------------------------

CONTROLS = [chr(c) for c in (*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0x7F, *range(0x80, 0xA0))]


@pytest.mark.parametrize("ch", CONTROLS, ids=lambda c: f"U+{ord(c):04X}")
def test_every_control_character_is_refused_with_its_code_point(ch: str) -> None:
    code, params = text_issue(f"Bản Co{ch}Cượm")
    assert code == "text_control" and params["char"] == f"U+{ord(ch):04X}" and params["position"] == 7


INVISIBLE = [
    *"\u00ad\u061c\u180e\u200b\u200c\u200d\u200e\u200f\u202a\u202b\u202c\u202d\u202e",
    *"\u2060\u2061\u2062\u2063\u2064\u2066\u2067\u2068\u2069\ufeff\u034f\ufe0f\u3164\u2800\ue000\U000e0041",
]


@pytest.mark.parametrize("ch", INVISIBLE, ids=lambda c: f"U+{ord(c):04X}")
def test_every_invisible_or_direction_character_is_refused(ch: str) -> None:
    code, params = text_issue(f"Bản Co {ch}Cượm")
    assert code == "text_invisible", (code, params)
    assert params["char"] == f"U+{ord(ch):04X}" and params["position"] == 8


@pytest.mark.parametrize(
    ("text", "char", "name"),
    [
        ("Bản Co \u0421ượm", "U+0421", "CYRILLIC CAPITAL LETTER ES"),
        ("B\u0430n Co Cượm", "U+0430", "CYRILLIC SMALL LETTER A"),
        ("Bản C\u03bf Cượm", "U+03BF", "GREEK SMALL LETTER OMICRON"),
        ("Tổ dân phố số \u0663", "U+0663", "ARABIC-INDIC DIGIT THREE"),
        ("Bản \uff23o Cượm", "U+FF23", "FULLWIDTH LATIN CAPITAL LETTER C"),
        ("Tổ \u2161", "U+2161", "ROMAN NUMERAL TWO"),
    ],
)
def test_a_letter_of_another_script_in_a_name_is_refused(text: str, char: str, name: str) -> None:
    code, params = text_issue(text)
    assert (code, params["char"], params["name"]) == ("text_script", char, name)
    assert text_issue(text, name=False) is None  # a note may quote any script


@pytest.mark.parametrize("column", ["province", "commune", "unit", "indicator", "note"])
@pytest.mark.parametrize("ch", ["\x1b", "\x07", "\x01", "\x08", "\x0b", "\u200b", "\u202e"], ids=repr)
def test_every_text_column_refuses_the_character_with_row_and_column(column: str, ch: str, con) -> None:
    value = BASE[COL[column]]
    bad = value[:3] + ch + value[3:]
    result = import_file(con, csv_bytes([BASE, row(**{column: bad})], header=VI_HEADER), "q3.csv")
    assert result.status == "refused"
    assert [(p.row, p.column, p.code) for p in result.problems] == [
        (3, VI_HEADER[COL[column]], "text_control" if ch < " " else "text_invisible")
    ]
    assert counts(con) == (0, 0, 0)
    vi, en = result.messages("vi")[0], result.messages("en")[0]
    code_point = f"U+{ord(ch):04X}"
    assert vi.startswith(f"Dòng 3, cột «{VI_HEADER[COL[column]]}»") and code_point in vi and "vị trí 4" in vi
    assert "xóa" in vi and "delete" in en and code_point in en and "position 4" in en
    assert ch not in vi  # the message shows the character by its name, never the character itself


def test_the_messages_name_the_character_esc_and_the_cyrillic_letter(con) -> None:
    rows = [row(unit="Bản Co\x1bCượm"), row(unit="Bản Co \u0421ượm", indicator="officials_informed")]
    result = import_file(con, csv_bytes(rows, header=VI_HEADER), "q3.csv")
    vi = result.messages("vi")
    assert "ký tự điều khiển U+001B (ESC) ở vị trí 7: «Bản Co[ESC]Cượm»" in vi[0]
    assert "U+0421 (CYRILLIC CAPITAL LETTER ES) ở vị trí 8" in vi[1] and "«Bản Co [С]ượm»" in vi[1]
    assert "bàn phím tiếng Việt" in vi[1]


def test_look_alike_names_do_not_make_new_units(con) -> None:
    assert import_file(con, csv_bytes([BASE], header=VI_HEADER), "q2.csv").status == "accepted"
    before = counts(con)
    for spoof in ("Bản Co\u200bCượm", "Bản Co\u200dCượm", "Bản Co \u202eCượm", "Bản Co \u0421ượm"):
        result = import_file(con, csv_bytes([row(unit=spoof, quarter=4)], header=VI_HEADER), "q4.csv")
        assert result.status == "refused" and len(result.problems) == 1, spoof
    assert counts(con) == before


def test_an_xlsx_note_with_a_control_character_is_refused(con) -> None:
    """openpyxl refuses to write most control characters, but a tab-free \\x7f passes: the reader must stop it."""
    result = import_file(con, xlsx_bytes([row(note="Ghi chú\x7fsai")]), "q3.xlsx")
    assert [(p.row, p.column, p.code, p.params["name"]) for p in result.problems] == [(2, "Ghi chú", "text_control", "DEL")]


def test_the_task_sheet_refuses_control_and_invisible_characters() -> None:
    known = {"NV-01": KnownItem("dien_bien", "task")}
    cells = {"code": "NV\u200b-01", "status": "Hoàn\x1bthành", "date": "15/03/2026", "note": "ok\x07", "evidence": "a\u202eb"}
    _, problems = check_cells(cells, known, dt.date(2026, 4, 1), line=4)
    assert [(p.row, p.column, p.code, p.params["char"]) for p in problems] == [
        (4, "Mã nhiệm vụ", "text_invisible", "U+200B"),
        (4, "Trạng thái", "text_control", "U+001B"),
        (4, "Ghi chú", "text_control", "U+0007"),
        (4, "Minh chứng", "text_invisible", "U+202E"),
    ]
    out, problems = check_cells(
        {**cells, "code": "NV-01", "status": "Hoàn thành", "note": "ok", "evidence": ""}, known, dt.date(2026, 4, 1)
    )
    assert problems == [] and out["code"] == "NV-01"


# --- counts past any real count ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        ("1e20", "1e20"),
        ("1E+20", "1E+20"),
        ("99999999999999999999", "99999999999999999999"),
        (1e300, "1e+300"),
        (10**30, "100000000000…000000"),
        ("1.000.000.001", "1.000.000.001"),
        ("9" * 5000, "999999999999…999999"),  # int() of 5,000 digits raises ValueError
    ],
)
def test_a_count_past_a_billion_is_a_named_problem(value: object, shown: str) -> None:
    with pytest.raises(ParseError) as err:
        parse_count(value)
    assert err.value.code == "count_too_large" and err.value.params["value"] == shown
    vi = format_problem(5, "Số đạt", err.value.code, err.value.params, "vi")
    assert f"Số {shown} quá lớn cho một số đếm (tối đa 1.000.000.000)" in vi
    assert "at most 1,000,000,000" in format_problem(5, "Số đạt", err.value.code, err.value.params, "en")


@pytest.mark.parametrize("value", [float("inf"), float("-inf"), float("nan"), "inf", "NaN", "Infinity"])
def test_inf_and_nan_are_not_numbers(value: object) -> None:
    with pytest.raises(ParseError) as err:
        parse_count(value)
    assert err.value.code == "count_not_number"


def test_the_largest_count_is_stored_in_duckdb(con) -> None:
    result = import_file(con, csv_bytes([row(numerator=MAX_COUNT, denominator=MAX_COUNT)], header=VI_HEADER), "big.csv")
    assert result.status == "accepted", result.messages("en")
    assert con.execute("SELECT numerator, denominator FROM submission_values").fetchall() == [(MAX_COUNT, MAX_COUNT)]


def test_huge_counts_in_csv_and_xlsx_are_refused_by_row_and_column(con) -> None:
    rows = [row(numerator="1e20"), row(denominator="99999999999999999999", indicator="officials_informed")]
    result = import_file(con, csv_bytes(rows, header=VI_HEADER), "q3.csv")
    assert [(p.row, p.column, p.code) for p in result.problems] == [
        (2, "Số đạt", "count_too_large"),
        (3, "Tổng số", "count_too_large"),
    ]
    result = import_file(con, xlsx_bytes([row(numerator=1e300, denominator=1e300), row(year=1e300)]), "q3.xlsx")
    assert [(p.row, p.column, p.code) for p in result.problems] == [
        (2, "Số đạt", "count_too_large"),
        (2, "Tổng số", "count_too_large"),
        (3, "Năm", "year_range"),
    ]
    assert counts(con) == (0, 0, 0)


# --- one file, one encoding -----------------------------------------------------------------------


def cp1258(text: str) -> bytes:
    """Text as Windows-1258 spells Vietnamese: base letters composed, tone marks combining."""
    tones = {"\u0300", "\u0301", "\u0303", "\u0309", "\u0323"}
    out = []
    for ch in unicodedata.normalize("NFC", text):
        parts = unicodedata.normalize("NFD", ch)
        out.append(
            unicodedata.normalize("NFC", "".join(c for c in parts if c not in tones)) + "".join(c for c in parts if c in tones)
        )
    return "".join(out).encode("cp1258")


def test_utf8_with_one_windows_1258_row_is_refused_naming_the_line(con) -> None:
    lines = [",".join(VI_HEADER)] + [",".join(str(v) for v in row(indicator=i)) for i in ("citizen_reach", "officials_informed")]
    data = "\r\n".join(lines[:2]).encode() + b"\r\n" + cp1258(lines[2]) + b"\r\n"
    result = import_file(con, data, "q3.csv")
    assert [(p.row, p.column, p.code, p.params) for p in result.problems] == [
        (None, None, "file_mixed_encoding", {"line": 3, "lines": 1})
    ]
    assert "dòng 3" in result.messages("vi")[0] and "CSV UTF-8" in result.messages("vi")[0]
    assert "line 3" in result.messages("en")[0] and counts(con) == (0, 0, 0)


def test_several_bad_lines_are_counted_and_a_bom_file_is_judged_the_same() -> None:
    good, stray = "Điện Biên,Mường Mùn\r\n".encode(), cp1258("Bản Co Cượm,x\r\n")
    data = "Tỉnh,Xã\r\n".encode() + good + stray + good + stray + good + stray + good
    for raw in (data, b"\xef\xbb\xbf" + data):
        with pytest.raises(IngestError) as err:
            decode_text(raw)
        assert (err.value.code, err.value.params) == ("file_mixed_encoding", {"line": 3, "lines": 3})


def test_a_genuine_windows_1258_file_is_still_read() -> None:
    text = "Tỉnh,Xã,Đơn vị\r\nĐiện Biên,Mường Mùn,Bản Co Cượm\r\n«XÃ MƯỜNG MÙN»,“NGÃ BA”,Ăn ở\r\n"
    assert decode_text(cp1258(text)) == text


def test_windows_1258_text_that_is_already_mojibake_is_refused() -> None:
    """UTF-8 read once as Windows-1252 and saved again as Windows-1258: 'BÃ¡n CÆ°á»£m' must not become a unit."""
    garbled = "Tỉnh,Xã\r\nĐiện Biên,x\r\n" + "Bản Cượm".encode().decode("cp1252") + ",y\r\n"
    with pytest.raises(IngestError) as err:
        decode_text(cp1258(garbled))
    assert (err.value.code, err.value.params["line"]) == ("file_mixed_encoding", 3)


def test_corpus_windows_1258_file_still_decodes() -> None:
    data = (Path(__file__).parents[1] / "corpus" / "good" / "windows_1258_combining_marks.csv").read_bytes()
    assert "Bản Co Cượm" in decode_text(data)
