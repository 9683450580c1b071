"""A refused file given back with each bad cell highlighted and a Vietnamese comment saying what to fix.

Run over the bad files of the corpus: for an .xlsx, the person's own workbook (same sheets, same cells,
title rows and merged titles kept) with fills and comments; for a .csv or an old .xls, an .xlsx made
from it cell for cell at the same row numbers, with a "Lỗi" column. Files that cannot be read at
all get nothing back (the page shows the message alone).
"""

from __future__ import annotations

import io
import json
from pathlib import Path

import duckdb
import openpyxl
import pytest

from kpis import store
from kpis.core.i18n import problem_message
from kpis.core.xlsx import ERROR_FILL, WARNING_FILL
from kpis.intake.annotate import PROBLEMS_SHEET, annotated_copy
from kpis.intake.context import Given
from kpis.intake.csv_grid import grid_from_csv
from kpis.intake.importer import check_file
from tests.corpus.make_corpus import BASE, TITLE, csv_file, row, xlsx_file

CORPUS = Path(__file__).resolve().parents[1] / "corpus" / "bad"
FORMS = Path(__file__).resolve().parents[1] / "forms" / "bad"  # report forms (tests/forms/make_forms.py)
BAD = sorted(p for folder in (CORPUS, FORMS) for p in folder.iterdir() if not p.name.endswith(".json"))


@pytest.fixture(scope="module")
def reader(tmp_path_factory: pytest.TempPathFactory):
    """An empty database, only read from: checking a file writes nothing."""
    con = store.connect(tmp_path_factory.mktemp("annotate") / "kpis.duckdb")
    yield con
    con.close()


def load(data: bytes) -> openpyxl.Workbook:
    return openpyxl.load_workbook(io.BytesIO(data))


def marked_cell(ws, row: int, column: int):
    """Where a problem's mark goes: the cell, or the top-left cell of the merged range it lies in."""
    cell = ws.cell(row=row, column=column)
    for merged in ws.merged_cells.ranges:
        if cell.coordinate in merged:
            return ws.cell(row=merged.min_row, column=merged.min_col)
    return cell


def fill_of(cell) -> str:
    return cell.fill.fgColor.rgb if cell.fill and cell.fill.fill_type == "solid" else ""


def cases() -> list:
    out = []
    for p in BAD:
        out.append(pytest.param(p, id=p.name))
    return out


@pytest.mark.parametrize("path", cases())
def test_every_bad_file_comes_back_marked_or_not_at_all(reader: duckdb.DuckDBPyConnection, path: Path) -> None:
    data = path.read_bytes()
    expected = json.loads(path.with_name(path.name.rsplit(".", 1)[0] + ".expected.json").read_text(encoding="utf-8"))
    checked = check_file(reader, data, path.name, given=Given(**expected.get("given", {})))
    if checked.ok:
        assert expected.get("known_bug")
        pytest.xfail(f"accepted: {expected['known_bug']}")
    marked = annotated_copy(data, path.name, checked)
    if checked.table is None:  # unreadable: nothing to give back
        assert marked is None
        return
    name, body = marked
    assert name == path.name.rsplit(".", 1)[0] + "_loi.xlsx"
    wb = load(body)
    listed = [[c.value for c in r] for r in wb[PROBLEMS_SHEET].iter_rows(min_row=2)]
    assert [(r[0], r[1] or None) for r in listed] == [(p.row, p.column) for p in checked.problems]
    assert [r[2] for r in listed] == [problem_message(p.code, p.params, "vi") for p in checked.problems]
    ws = wb.active
    first_col = min(checked.table.column_index.values(), default=0)
    for p in checked.problems:
        if p.row is None:
            continue
        cell = marked_cell(ws, p.row, (p.col if p.col is not None else first_col) + 1)
        assert fill_of(cell) == ERROR_FILL.fgColor.rgb, (p, cell.coordinate)
        assert problem_message(p.code, p.params, "vi") in cell.comment.text, cell.coordinate
    if not expected.get("known_bug"):
        assert len(listed) == len(expected["problems"])


def test_xlsx_comes_back_as_the_same_workbook_with_its_title_and_merges(reader):
    data = (CORPUS / "merged_title_unknown_indicator.xlsx").read_bytes()
    checked = check_file(reader, data, "bao_cao.xlsx")
    wb = load(annotated_copy(data, "bao_cao.xlsx", checked)[1])
    original = load(data)
    assert wb.sheetnames == [*original.sheetnames, PROBLEMS_SHEET]
    ws, before = wb[original.sheetnames[0]], original[original.sheetnames[0]]
    assert [str(m) for m in ws.merged_cells.ranges] == [str(m) for m in before.merged_cells.ranges]
    assert [[c.value for c in r] for r in ws.iter_rows()] == [[c.value for c in r] for r in before.iter_rows()]
    marked = {c.coordinate for r in ws.iter_rows() for c in r if c.comment}
    assert marked == {"F6"}
    assert "Chỉ tiêu «Tỷ lệ hộ gia đình có điện lưới» không khớp chỉ tiêu nào trong danh mục" in ws["F6"].comment.text
    assert fill_of(ws["F7"]) == ""


def test_csv_comes_back_as_xlsx_with_cells_at_their_rows_and_a_loi_column(reader):
    rows = [row(0, year="25"), row(1, unit="", quarter="Q3/2025"), row(2, numerator="1200,5", denominator=-1530)]
    data = csv_file(rows, before=[["BÁO CÁO QUÝ III"]], delimiter=";", encoding="utf-8-sig")
    checked = check_file(reader, data, "quy3.csv")
    ws = load(annotated_copy(data, "quy3.csv", checked)[1])["Số liệu"]
    grid = grid_from_csv(data)
    for i, line in enumerate(grid, start=1):
        assert [c.value for c in ws[i]][: len(line)] == [v if v != "" else None for v in line], i
    loi = len(grid[1]) + 1
    assert ws.cell(row=2, column=loi).value == "Lỗi"
    assert "Năm: «25» không phải là năm" in ws.cell(row=3, column=loi).value
    assert "Đơn vị: Ô này đang trống" in ws.cell(row=4, column=loi).value and "Quý:" in ws.cell(row=4, column=loi).value
    assert ws.cell(row=3, column=4).comment and fill_of(ws.cell(row=3, column=4)) == ERROR_FILL.fgColor.rgb
    assert ws.cell(row=6, column=loi).value is None


def test_text_that_looks_like_a_formula_stays_text(reader):
    sneaky = '=HYPERLINK("http://example.invalid","Bấm vào đây")'
    data = csv_file([row(0, unit=sneaky, numerator="12,5")])
    ws = load(annotated_copy(data, "x.csv", check_file(reader, data, "x.csv"))[1])["Số liệu"]
    assert ws["C2"].value == sneaky and ws["C2"].data_type == "s"


def test_warnings_on_a_refused_file_are_marked_in_their_own_colour(reader):
    total = ["Tổng cộng", None, None, None, None, None, 999, 1120, None]
    data = xlsx_file([row(0, quarter="Quý V"), BASE[1], total], title=TITLE)
    checked = check_file(reader, data, "x.xlsx")
    assert [w.code for w in checked.warnings] == ["totals_mismatch"]
    wb = load(annotated_copy(data, "x.xlsx", checked)[1])
    ws = wb.active
    assert fill_of(ws["E6"]) == ERROR_FILL.fgColor.rgb
    assert fill_of(ws["G8"]) == WARNING_FILL.fgColor.rgb and "999" in ws["G8"].comment.text
    assert [c.value for c in wb[PROBLEMS_SHEET]["A"]][1:] == [6, 8]


def test_english_copy(reader):
    data = csv_file([row(0, numerator="12,5")])
    name, body = annotated_copy(data, "report.csv", check_file(reader, data, "report.csv"), "en")
    ws = load(body)["Số liệu"]
    assert name == "report_problems.xlsx"
    assert ws["J1"].value == "Problems" and "has a decimal part" in ws["G2"].comment.text


def test_accepted_file_gets_no_copy(reader):
    data = csv_file(BASE)
    checked = check_file(reader, data, "x.csv")
    assert checked.ok and annotated_copy(data, "x.csv", checked) is None
