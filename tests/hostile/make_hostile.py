"""Write the hostile-file corpus: every file-borne attack of issue 10, beside the outcome it must get.

    .venv/bin/python tests/hostile/make_hostile.py           # (re)write tests/hostile/files and expected.json
    .venv/bin/python tests/hostile/make_hostile.py --check   # exit 1 if a committed file differs from what this writes

tests/intake/test_hostile.py reads the committed files (and makes the one big file, GENERATED, at test time:
9 MB is too big to commit for what it says) and runs each through kpis.intake.importer.import_file and the
CLI in a child process under a 2 GB address-space limit.

expected.json: {file name: {"why", "outcome": "refused" | "accepted", "upload_name" (the name the file
is uploaded under, when it differs), "problems": [{"row", "column", "code"} + optional "params" (each
given param must equal)], "values": [the values an accepted file stores], "depends_on": optional note
naming work that another change brings}}. "problems" lists every problem, in the order reported.

Where the corpus in tests/corpus is what careless people make, this one is what a hostile or broken
tool makes: far cells that make a reader allocate the whole sheet, control and invisible characters,
look-alike letters, mixed encodings, numbers past 64 bits, formulas and Markdown in names.
"""

from __future__ import annotations

import io
import json
import sys
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import openpyxl

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "corpus"))
from make_corpus import BASE, FIXED_TIME, HEADER, P, cp1258_text, csv_file, row, save, stored, xlsx_file  # noqa: E402

FILES = HERE / "files"
EXTENT = "file_sheet_extent: kpis/intake/extent.py reads the sheet's extent before calamine"


@dataclass
class Case:
    name: str  # file name under files/
    make: Callable[[], bytes]
    expected: dict[str, Any]


CASES: list[Case] = []
GENERATED: dict[str, Callable[[], bytes]] = {}  # made at test time, never committed


def refused(name: str, why: str, problems: list[dict[str, Any]], depends_on: str | None = None, **extra: Any):
    def register(make: Callable[[], bytes]) -> Callable[[], bytes]:
        expected = {"why": why, "outcome": "refused", "problems": problems, **extra}
        if depends_on:
            expected["depends_on"] = depends_on
        CASES.append(Case(name, make, expected))
        return make

    return register


def accepted(name: str, why: str, values: list[dict[str, Any]], **extra: Any):
    def register(make: Callable[[], bytes]) -> Callable[[], bytes]:
        CASES.append(Case(name, make, {"why": why, "outcome": "accepted", "values": values, **extra}))
        return make

    return register


def patch_xlsx(data: bytes, replace: dict[str, str]) -> bytes:
    """Replace placeholder text in every part of an .xlsx (openpyxl refuses to write control characters).

    Excel writes a control character in a cell as the escape _xHHHH_, which readers turn back into it.
    """
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            body = src.read(info.filename)
            for old, new in replace.items():
                body = body.replace(old.encode(), new.encode())
            dst.writestr(zipfile.ZipInfo(info.filename, FIXED_TIME), body, zipfile.ZIP_DEFLATED)
    return out.getvalue()


def far_cell(ref: str) -> bytes:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Báo cáo"
    ws.append(HEADER)
    for r in BASE:
        ws.append([None if v == "" else v for v in r])
    ws[ref] = "x"
    return save(wb)


# ---- far cells: a 5 KB file whose extent makes calamine ask for hundreds of GB -------------------

for _ref in ("XFD1048576", "XFD60000"):
    refused(
        f"far_cell_{_ref.lower()}.xlsx",
        f"One cell at {_ref}: the sheet's extent is the whole grid, and the reader would allocate all of it.",
        [P(None, None, "file_sheet_extent")],
        depends_on=EXTENT,
    )(lambda ref=_ref: far_cell(ref))


# ---- control characters in the unit and the note ------------------------------------------------

CONTROLS = {"esc": "\x1b", "bel": "\x07", "soh": "\x01", "bs": "\x08", "vt": "\x0b"}
UNIT, NOTE = "Bản Co Cượm", "Tính cả điểm trường"

for _label, _ch in CONTROLS.items():
    _name = f"U+{ord(_ch):04X}"
    _problems = [P(4, "Đơn vị", "text_control", params={"char": _name, "position": 7})]
    _problems.append(P(4, "Ghi chú", "text_control", params={"char": _name, "position": 8}))
    _bad = row(2, unit=UNIT[:6] + _ch + UNIT[6:], note=NOTE[:7] + _ch + NOTE[7:])
    refused(
        f"control_{_label}.csv",
        f"{_name} typed into the unit name and the note (a terminal escape, a bell, a backspace...).",
        _problems,
    )(lambda bad=_bad: csv_file([BASE[0], BASE[1], bad]))
    _escape = f"_x{ord(_ch):04X}_"  # how Excel writes it in the sheet XML
    refused(
        f"control_{_label}.xlsx",
        f"{_name} in the unit name and the note of a workbook, written as Excel writes it ({_escape}).",
        _problems,
    )(
        lambda e=_escape: patch_xlsx(
            xlsx_file([BASE[0], BASE[1], row(2, unit="Bản CoCTRLCượm", note="Tính cảCTRLđiểm trường")]), {"CTRL": e}
        )
    )


# ---- look-alike names: they display exactly like "Bản Co Cượm" --------------------------------------

LOOK_ALIKES = {
    "zero_width_space": ("Bản Co\u200b Cượm", "text_invisible", "U+200B", 7),
    "zero_width_joiner": ("Bản Co Cư\u200dợm", "text_invisible", "U+200D", 10),
    "right_to_left_override": ("Bản Co \u202eCượm", "text_invisible", "U+202E", 8),
    "cyrillic_es": ("Bản Co \u0421ượm", "text_script", "U+0421", 8),
}
for _label, (_unit, _code, _char, _pos) in LOOK_ALIKES.items():
    refused(
        f"look_alike_{_label}.csv",
        f"'{_unit.encode('unicode_escape').decode()}' looks exactly like 'Bản Co Cượm': it would be a new unit, counted twice.",
        [P(4, "Đơn vị", _code, params={"char": _char, "position": _pos})],
    )(lambda unit=_unit: csv_file([BASE[0], BASE[1], row(2, unit=unit)]))

refused(
    "look_alike_cyrillic_es.xlsx",
    "The Cyrillic 'С' in a workbook cell.",
    [P(4, "Đơn vị", "text_script", params={"char": "U+0421", "name": "CYRILLIC CAPITAL LETTER ES"})],
)(lambda: xlsx_file([BASE[0], BASE[1], row(2, unit="Bản Co \u0421ượm")]))


# ---- encodings -----------------------------------------------------------------------------------


@refused(
    "mixed_utf8_one_cp1258_row.csv",
    "Excel's 'CSV UTF-8' with one row pasted from a Windows-1258 file: read whole as Windows-1258 it "
    "would store 'BÃ¡n Co CÆ°á»£m'-style units.",
    [P(None, None, "file_mixed_encoding", params={"line": 4, "lines": 1})],
)
def _() -> bytes:
    utf8 = csv_file(BASE[:2])
    return utf8 + cp1258_text(csv_file([BASE[2]], header=None).decode()).encode("cp1258")


@accepted(
    "windows_1258.csv",
    "Excel's 'CSV (Comma delimited)' on Vietnamese Windows: Windows-1258, tone marks combining.",
    stored(BASE),
)
def _() -> bytes:
    return cp1258_text(csv_file(BASE).decode()).encode("cp1258")


# ---- numbers past 64 bits ---------------------------------------------------------------------------


@refused(
    "count_1e20.csv",
    "1e20 and 99999999999999999999 in the count columns of a CSV: past 64 bits, more than anyone counts.",
    [
        P(2, "Số đạt", "count_too_large", params={"value": "1e20"}),
        P(3, "Tổng số", "count_too_large", params={"value": "99999999999999999999"}),
    ],
)
def _() -> bytes:
    return csv_file([row(0, numerator="1e20"), row(1, denominator="99999999999999999999")])


@refused(
    "count_1e300.xlsx",
    "An Excel number 1E+300 in Số đạt and the text 99999999999999999999 in Tổng số.",
    [
        P(2, "Số đạt", "count_too_large", params={"value": "1e+300"}),
        P(3, "Tổng số", "count_too_large", params={"value": "99999999999999999999"}),
    ],
)
def _() -> bytes:
    return xlsx_file([row(0, numerator=1e300), row(1, denominator="99999999999999999999")])


@refused(
    "count_inf_nan.csv",
    "'inf' and 'nan' typed as counts (what a script writes for a division by zero).",
    [P(2, "Số đạt", "count_not_number"), P(2, "Tổng số", "count_not_number")],
)
def _() -> bytes:
    return csv_file([row(0, numerator="inf", denominator="nan")])


# ---- names: long, formula-looking, Markdown -----------------------------------------------------------

LONG_NAME = ("Báo cáo quý III năm 2025 xã Mường Mùn " * 10)[:296] + ".csv"
assert len(LONG_NAME) == 300


@accepted(
    "long_file_name.csv",
    "Uploaded under a 300-character name (more than a file system keeps): judged by its content.",
    stored(BASE),
    upload_name=LONG_NAME,
)
def _() -> bytes:
    return csv_file(BASE)


FORMULAS = ["=cmd|' /C calc'!A0", "+1", "-1+1", "@SUM(A1)"]


@accepted(
    "formula_looking_units.csv",
    "Unit names that start like formulas: they are text, accepted as typed; exports must never make them formulas.",
    stored([row(0, unit=u) for u in FORMULAS]),
)
def _() -> bytes:
    return csv_file([row(0, unit=u) for u in FORMULAS])


@accepted(
    "formula_looking_units.xlsx",
    "The same names as text cells of a workbook (as Excel stores them when typed after an apostrophe).",
    stored([row(0, unit=u) for u in FORMULAS]),
)
def _() -> bytes:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Báo cáo"
    ws.append(HEADER)
    for u in FORMULAS:
        ws.append([None if v == "" else v for v in row(0, unit=u)])
        ws.cell(row=ws.max_row, column=3).data_type = "s"  # text, not a formula
    return save(wb)


MARKDOWN = "![x](http://127.0.0.1:9/p.png)"


@accepted(
    "markdown_unit_name.csv",
    "A unit named with Markdown for an image: stored as text (the pages must show it as text).",
    stored([row(0, unit=MARKDOWN)]),
)
def _() -> bytes:
    return csv_file([row(0, unit=MARKDOWN)])


# ---- blank lines ------------------------------------------------------------------------------------------

refused(
    "blank_lines_small.csv",
    "Nothing but blank lines (a committed small one; blank_lines_9mb.csv is the same at 9 MB, made at test time).",
    [P(None, None, "file_no_header")],
)(lambda: b"\r\n" * 500)

GENERATED["blank_lines_9mb.csv"] = lambda: b"\r\n" * (9 * 1024 * 1024 // 2)


def expected_table() -> dict[str, dict[str, Any]]:
    table = {case.name: case.expected for case in CASES}
    table["blank_lines_9mb.csv"] = {
        "why": "9 MB of blank lines, under the 10 MB limit: refused as having no header, in bounded memory.",
        "outcome": "refused",
        "problems": [P(None, None, "file_no_header")],
        "generated": True,
    }
    return table


def outputs() -> dict[Path, bytes]:
    files = {FILES / case.name: case.make() for case in CASES}
    files[HERE / "expected.json"] = (json.dumps(expected_table(), ensure_ascii=False, indent=1) + "\n").encode("utf-8")
    return files


def main(argv: list[str]) -> int:
    files = outputs()
    if "--check" in argv:
        differ = [p for p, data in files.items() if not p.exists() or p.read_bytes() != data]
        stale = [p for p in FILES.iterdir() if p not in files] if FILES.exists() else []
        for p in differ + stale:
            print(f"differs: {p.relative_to(HERE)}")
        return 1 if differ or stale else 0
    for path, data in files.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    print(f"{len(CASES)} files and expected.json written under {HERE}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
