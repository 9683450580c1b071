"""The template in the layout offices fill by hand (one row per unit), and its round trip.

Checked by opening the real workbook with openpyxl: the title block (the committees from the registry, the
national motto), the title and the period in words, the two-row header with each indicator's short name over
its "Tổng số | Số đạt" pair, the units the commune reported last time with their totals, whole-number rules on
the figure cells, frozen panes, the signature and the instructions.
"""

from __future__ import annotations

import io

import duckdb
import openpyxl
import pytest

from kpis import store
from kpis.catalog.model import default_catalog
from kpis.intake.form_template import (
    BLANK_ROWS,
    FIRST_ROW,
    FORM_SHEET,
    FORM_TITLE,
    FormLayout,
    build_form_template,
    committees,
    period_text,
)
from kpis.intake.importer import check_file, import_file
from kpis.intake.template import TemplateError, TemplateScope, build_template, resolve_scope, template_file_name
from tests.corpus.make_corpus import csv_file, row

CODES = tuple(default_catalog().indicators)
LAYOUT = FormLayout(CODES)


def load(data: bytes) -> openpyxl.Workbook:
    return openpyxl.load_workbook(io.BytesIO(data))


@pytest.fixture
def reported(con: duckdb.DuckDBPyConnection) -> duckdb.DuckDBPyConnection:
    """Mường Mùn's Q3 report: two villages and the commune office (another indicator)."""
    assert import_file(con, csv_file([row(0), row(1), row(3)]), "q3.csv").status == "accepted"
    return con


def form(con: duckdb.DuckDBPyConnection, lang: str = "vi") -> openpyxl.Workbook:
    return load(build_form_template(con, resolve_scope(con, "Mường Mùn", None, 2025, 4), lang))  # type: ignore[arg-type]


def values(ws, row: int) -> list:
    return [c.value for c in ws[row]]


def test_title_block_title_and_period(reported):
    wb = form(reported)
    assert wb.sheetnames == [FORM_SHEET, "Hướng dẫn"] and wb.active.title == FORM_SHEET
    ws = wb[FORM_SHEET]
    assert (ws["A1"].value, ws["A2"].value) == ("UBND TỈNH ĐIỆN BIÊN", "UBND XÃ MƯỜNG MÙN")
    assert (ws["F1"].value, ws["F2"].value) == ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc")
    assert ws["A4"].value == FORM_TITLE == "BÁO CÁO KẾT QUẢ CÔNG TÁC TRUYỀN THÔNG NGHỊ QUYẾT 57-NQ/TW"
    assert ws["A5"].value == "Quý IV năm 2025"
    merged = {str(r) for r in ws.merged_cells.ranges}
    assert {"A1:D1", "A2:D2", "F1:Q1", "F2:Q2", "A4:Q4", "A5:Q5"} <= merged


def test_the_committees_follow_the_registrys_kinds(con):
    assert committees(con, "Hà Nội", "Ba Đình") == ("UBND THÀNH PHỐ HÀ NỘI", "UBND PHƯỜNG BA ĐÌNH")
    assert [period_text(2025, q) for q in (1, 2, 3, 4)] == [f"Quý {r} năm 2025" for r in ("I", "II", "III", "IV")]


def test_two_row_header_names_each_indicator_over_its_pair(reported):
    ws = form(reported)[FORM_SHEET]
    catalog = default_catalog()
    top = ["STT", "Thôn/Bản, cơ quan, đơn vị"]
    for code in CODES:
        top += [catalog.indicators[code].short_vi, None]
    assert values(ws, 7) == [*top, "Ghi chú"]
    assert values(ws, 8) == [None, None, *["Tổng số", "Số đạt"] * len(CODES), None]
    merged = {str(r) for r in ws.merged_cells.ranges}
    assert {"A7:A8", "B7:B8", "C7:D7", "O7:P7", "Q7:Q8"} <= merged
    assert ws["C7"].value == "Người dân được tiếp cận" and ws["G7"].value == "CBCCVC được phổ biến NQ57"
    assert ws.freeze_panes == "C9"


def test_prefilled_with_last_times_units_and_their_totals(reported):
    ws = form(reported)[FORM_SHEET]
    reach, officials = LAYOUT.columns("citizen_reach"), LAYOUT.columns("officials_informed")
    rows = [values(ws, r) for r in range(FIRST_ROW, FIRST_ROW + 4)]
    assert [r[:2] for r in rows] == [[1, "Bản Huổi Lóng"], [2, "Bản Na Sang"], [3, "Văn phòng HĐND và UBND xã"], [None, None]]
    assert [(r[reach[0] - 1], r[reach[1] - 1]) for r in rows[:3]] == [(620, None), (500, None), (None, None)]
    assert rows[2][officials[0] - 1] == 45 and rows[2][officials[1] - 1] is None


def test_figure_cells_take_whole_numbers_only_and_the_signature_closes_the_form(reported):
    ws = form(reported)[FORM_SHEET]
    (dv,) = ws.data_validations.dataValidation
    last = FIRST_ROW + 3 + BLANK_ROWS - 1
    assert (dv.type, dv.operator, dv.formula1) == ("whole", "greaterThanOrEqual", "0")
    assert str(dv.sqref) == f"C{FIRST_ROW}:P{last}" and dv.showErrorMessage and "số nguyên" in dv.error
    assert (ws.cell(row=last + 2, column=2).value, ws.cell(row=last + 3, column=2).value) == (
        "Người lập biểu",
        "(Ký, ghi rõ họ tên)",
    )
    assert ws.max_row == last + 3


def test_instructions_say_how_to_fill_and_that_figures_are_stocks(reported):
    guide = "\n".join(str(c.value) for r in form(reported)["Hướng dẫn"].iter_rows() for c in r if c.value)
    assert "Tổng số" in guide and "Số đạt" in guide and "số nguyên" in guide
    assert "cuối kỳ báo cáo" in guide and "không phải số phát sinh" in guide
    assert "Tổng số người dân" in guide  # what each indicator's Tổng số counts
    tidy = load(build_template(reported))
    tidy_guide = "\n".join(str(c.value) for r in tidy["Hướng dẫn"].iter_rows() for c in r if c.value)
    assert "cuối kỳ báo cáo" in tidy_guide and "không phải số phát sinh" in tidy_guide


def test_english_form_keeps_the_words_the_reader_reads_in_vietnamese(reported):
    wb = form(reported, "en")
    assert wb.sheetnames == [FORM_SHEET, "Instructions"]
    ws = wb[FORM_SHEET]
    assert ws["A2"].value == "UBND XÃ MƯỜNG MÙN" and ws["A5"].value == "Quý IV năm 2025"
    assert ws["C7"].value == "Người dân được tiếp cận" and ws["C8"].value == "Tổng số"
    assert "citizens" in ws["C7"].comment.text.lower() and ws["C8"].comment.text.startswith("Total")
    guide = "\n".join(str(c.value) for r in wb["Instructions"].iter_rows() for c in r if c.value)
    assert "end of the reporting period" in guide and "whole counts" in guide
    (dv,) = ws.data_validations.dataValidation
    assert "whole" in dv.error.lower()


def test_the_form_needs_a_commune_and_a_period(con):
    with pytest.raises(TemplateError, match="choose a commune"):
        build_form_template(con, TemplateScope("Điện Biên", None, 2025, 3), "en")
    with pytest.raises(TemplateError, match="choose a year and a quarter"):
        build_form_template(con, TemplateScope("Điện Biên", "Mường Mùn", None, None), "en")
    with pytest.raises(TemplateError) as refused:
        build_form_template(con, TemplateScope(None, None, None, None))
    assert "hãy chọn một xã" in refused.value.message("vi")


def test_file_name_says_the_layout():
    scope = TemplateScope("Điện Biên", "Mường Mùn", 2025, 3)
    assert template_file_name(scope, "form") == "bieu_mau_NQ57_theo_don_vi_muong_mun_2025_Q3.xlsx"
    assert template_file_name(scope) == "bieu_mau_NQ57_muong_mun_2025_Q3.xlsx"


def fill(data: bytes, figures: dict[tuple[str, str], tuple[int, int]], new_units: list[str] = ()) -> bytes:
    """What a person does in Excel: type Tổng số / Số đạt on the listed units' rows, add units below, save."""
    wb = load(data)
    ws = wb[FORM_SHEET]
    r = FIRST_ROW
    while ws.cell(row=r, column=2).value is not None:
        r += 1
    for n, unit in enumerate(new_units, start=r - FIRST_ROW + 1):
        ws.cell(row=r, column=1).value, ws.cell(row=r, column=2).value = n, unit
        r += 1
    rows = {ws.cell(row=i, column=2).value: i for i in range(FIRST_ROW, r)}
    for (unit, code), (total, achieved) in figures.items():
        first, second = LAYOUT.columns(code)
        ws.cell(row=rows[unit], column=first).value = total
        ws.cell(row=rows[unit], column=second).value = achieved
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def test_round_trip_a_filled_form_reads_back_exactly_its_figures(reported):
    """Waits for the form reader: the commune and the period come from the title rows, nothing is given."""
    figures = {
        ("Bản Huổi Lóng", "citizen_reach"): (620, 410),
        ("Bản Na Sang", "citizen_reach"): (500, 470),
        ("Văn phòng HĐND và UBND xã", "officials_informed"): (45, 44),
        ("Bản Pá Chả", "citizen_reach"): (300, 120),
        ("Bản Pá Chả", "units_with_plan"): (1, 1),
    }
    scope = resolve_scope(reported, "Mường Mùn", None, 2025, 4)
    filled = fill(build_form_template(reported, scope), figures, ["Bản Pá Chả"])
    checked = check_file(reported, filled, template_file_name(scope, "form"))
    assert checked.ok, [(p.row, p.column, p.code, p.params) for p in checked.problems]
    got = {
        (r.unit, r.indicator): (r.denominator, r.numerator)
        for r in checked.rows.itertuples()
        if (r.province, r.commune, r.year, r.quarter) == ("Điện Biên", "Mường Mùn", 2025, 4)
    }
    assert got == figures and len(checked.rows) == len(figures)


def test_cli_writes_the_form_and_refuses_it_without_a_commune_or_period(kpis, tmp_path, reported):
    db = store.db_address(reported)
    reported.close()
    out = tmp_path / "bieu_don_vi.xlsx"
    args = ["--db", str(db), "--out", str(out), "--layout", "form"]
    done = kpis("template", *args, "--commune", "Muong Mun", "--year", "2025", "--quarter", "4")
    assert done.returncode == 0, done.stderr
    ws = load(out.read_bytes())[FORM_SHEET]
    assert ws["A2"].value == "UBND XÃ MƯỜNG MÙN" and ws["A5"].value == "Quý IV năm 2025"
    assert ws.cell(row=FIRST_ROW, column=2).value == "Bản Huổi Lóng"
    out.unlink()
    no_commune = kpis("template", *args, "--year", "2025", "--quarter", "4", "--lang", "en")
    assert (
        no_commune.returncode == 1
        and no_commune.stderr.strip() == "--layout form needs --commune (the commune named in the title rows)"
    )
    no_period = kpis("template", *args, "--commune", "Mường Mùn")
    assert no_period.returncode == 1 and "--layout form cần --year và --quarter" in no_period.stderr
    assert not out.exists()
    table = kpis("template", "--db", str(db), "--out", str(tmp_path / "bang.xlsx"))  # the default layout, as before
    assert table.returncode == 0 and load((tmp_path / "bang.xlsx").read_bytes()).sheetnames[1] == "Số liệu"
