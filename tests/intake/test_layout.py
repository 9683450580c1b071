"""One-row-per-unit forms, case by case: where the totals sit, section rows with figures, percentages as Excel
keeps them, and the options checked against a table's own columns. (The corpus in tests/forms/ holds whole
realistic files; these are the rules one at a time.)"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from kpis import store
from kpis.intake.context import Given
from kpis.intake.importer import check_file

TITLE: list[list[Any]] = [["UBND TỈNH ĐIỆN BIÊN"], ["UBND XÃ MƯỜNG MÙN"], ["BÁO CÁO QUÝ III NĂM 2025"], []]
HEADER: list[list[Any]] = [
    ["STT", "Thôn/Bản", "Người dân được tiếp cận thông tin", None, None, "CBCCVC được phổ biến NQ57", None],
    [None, None, "Tổng số", "Số đạt", "Tỷ lệ (%)", "Tổng số", "Số đạt"],
]  # rows 5 and 6; data from row 7


def form(rows: list[list[Any]], title: list[list[Any]] = TITLE) -> bytes:
    wb = openpyxl.Workbook()
    ws = wb.active
    for r in [*title, *HEADER, *rows]:
        ws.append(r)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


@pytest.fixture(scope="module")
def con(tmp_path_factory: pytest.TempPathFactory):
    connection = store.connect(Path(tmp_path_factory.mktemp("layout")) / "k.duckdb")
    yield connection
    connection.close()


def figures(checked) -> list[tuple]:
    return sorted(
        checked.rows[["unit", "year", "quarter", "indicator", "numerator", "denominator"]].itertuples(index=False, name=None)
    )


def test_a_totals_row_above_the_units_sums_those_below(con) -> None:
    data = form([[None, "Tổng cộng", 1120, 830, None, 45, 41], [1, "Bản Na Sang", 500, 450, 90, None, None],
                 [2, "Bản Huổi Lóng", 620, 380, 61.3, 45, 41]])  # fmt: skip
    checked = check_file(con, data, "f.xlsx")
    assert checked.ok and checked.warnings == [], checked.problems
    assert figures(checked) == [
        ("Bản Huổi Lóng", 2025, 3, "citizen_reach", 380, 620),
        ("Bản Huổi Lóng", 2025, 3, "officials_informed", 41, 45),
        ("Bản Na Sang", 2025, 3, "citizen_reach", 450, 500),
    ]


def test_a_section_row_with_figures_is_checked_against_its_rows_not_stored(con) -> None:
    data = form([["I", "Các thôn, bản", 1100, 830, None, None, None], [1, "Bản Na Sang", 500, 450, 90, None, None],
                 [2, "Bản Huổi Lóng", 620, 380, 61.3, None, None]])  # fmt: skip
    checked = check_file(con, data, "f.xlsx")
    assert checked.ok and len(checked.rows) == 2
    [warning] = checked.warnings
    assert (warning.row, warning.column, warning.code) == (
        7,
        "C (Người dân được tiếp cận thông tin / Tổng số)",
        "totals_mismatch",
    )
    assert warning.params == {"stated": 1100, "summed": 1120} and warning.col == 2


def test_a_percentage_is_checked_as_excel_keeps_it(con) -> None:
    """A cell formatted as a percentage holds 0.9 for 90 %: that agrees; 70 beside 450/500 does not."""
    checked = check_file(con, form([[1, "Bản Na Sang", 500, 450, 0.9], [2, "Bản Huổi Lóng", 620, 380, 70]]), "f.xlsx")
    assert checked.ok
    [warning] = checked.warnings
    assert (warning.row, warning.column, warning.code) == (
        8,
        "E (Người dân được tiếp cận thông tin / Tỷ lệ (%))",
        "rate_mismatch",
    )
    assert warning.params["computed"] == "61,3"


def test_one_cell_of_a_pair_blank_is_refused_at_that_cell(con) -> None:
    checked = check_file(con, form([[1, "Bản Na Sang", 500, None]]), "f.xlsx")
    assert [(p.row, p.column, p.code, p.col) for p in checked.problems] == [
        (7, "D (Người dân được tiếp cận thông tin / Số đạt)", "required", 3)
    ]


def test_the_options_fill_a_form_without_a_title_and_must_agree_with_one(con) -> None:
    bare = form([[1, "Bản Na Sang", 500, 450]], title=[["BÁO CÁO"], [], [], []])
    refused = check_file(con, bare, "f.xlsx")
    assert sorted(p.code for p in refused.problems) == ["context_period_missing", "context_place_missing"]
    given = Given(province="Điện Biên", commune="Mường Mùn", year=2025, quarter=3)
    assert figures(check_file(con, bare, "f.xlsx", given=given)) == [("Bản Na Sang", 2025, 3, "citizen_reach", 450, 500)]
    titled = form([[1, "Bản Na Sang", 500, 450]])
    other = check_file(con, titled, "f.xlsx", given=Given(commune="Mường Chà"))
    assert [(p.row, p.code) for p in other.problems] == [(2, "context_conflict")]
    assert other.problems[0].params == {"in_file": "UBND XÃ MƯỜNG MÙN", "given": "Mường Chà"}


def test_the_options_are_checked_against_a_tables_own_columns(con) -> None:
    csv = "Tỉnh,Xã,Đơn vị,Năm,Quý,Chỉ tiêu,Số đạt,Tổng số\nĐiện Biên,Mường Mùn,Bản Na Sang,2025,3,citizen_reach,450,500\n"
    checked = check_file(con, csv.encode(), "t.csv", given=Given(quarter=2))
    assert [(p.row, p.column, p.code, p.params) for p in checked.problems] == [
        (2, "Quý", "context_conflict", {"in_file": 3, "given": 2})
    ]
    assert check_file(con, csv.encode(), "t.csv", given=Given(year=2025, quarter=3)).ok


def test_a_commune_title_split_over_two_lines_and_a_committee_unit(con) -> None:
    """A one-row-per-indicator form naming only the commune: its figures are the commune committee's."""
    wb = openpyxl.Workbook()
    ws = wb.active
    for r in [["ỦY BAN NHÂN DÂN"], ["XÃ MƯỜNG MÙN"], ["Báo cáo 6 tháng đầu năm 2026"], [],
              ["STT", "Chỉ tiêu", "Đơn vị tính", "Kế hoạch", "Thực hiện", "Ghi chú"], ["I", "Tuyên truyền"],
              [1, "CBCCVC được phổ biến NQ57", "Người", 45, 41, None]]:  # fmt: skip
        ws.append(r)
    buf = io.BytesIO()
    wb.save(buf)
    checked = check_file(con, buf.getvalue(), "f.xlsx", given=Given(province="Điện Biên"))
    assert checked.ok, checked.problems
    assert figures(checked) == [("UBND xã Mường Mùn", 2026, 2, "officials_informed", 41, 45)]


def test_a_wide_sheet_cannot_make_millions_of_values(con, monkeypatch: pytest.MonkeyPatch) -> None:
    """Four values per allowed row: a sheet within the row limit but with a pair for every indicator is refused
    before its records are built (50,000 rows x 128 pairs would be millions)."""
    from kpis.catalog.model import default_catalog
    from kpis.intake import limits

    monkeypatch.setattr(limits, "MAX_ROWS", 3)
    names = [i.short_vi for i in default_catalog().indicators.values()]  # 7 pairs
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["UBND XÃ MƯỜNG MÙN, Quý III năm 2025"])
    ws.append(["STT", "Thôn/Bản", *[v for n in names for v in (n, None)]])
    ws.append([None, None, *["Tổng số", "Số đạt"] * len(names)])
    for i in range(1, 4):
        ws.append([i, f"Bản {i}", *[50, 40] * len(names)])  # 3 rows, 21 values > 12
    buf = io.BytesIO()
    wb.save(buf)
    checked = check_file(con, buf.getvalue(), "f.xlsx", given=Given(province="Điện Biên"))
    assert [(p.code, p.params) for p in checked.problems] == [("file_too_many_values", {"limit": 12})]
    monkeypatch.setattr(limits, "MAX_ROWS", 6)
    assert check_file(con, buf.getvalue(), "f.xlsx", given=Given(province="Điện Biên")).ok  # 21 values <= 24
