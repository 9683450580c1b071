"""The .xlsx template staff fill in, and the round trip: a filled template always imports.

Checked by opening the real workbook with openpyxl: an instructions sheet in Vietnamese, the data
sheet with the contract's header (locked) and open input cells, dropdown lists for commune, indicator
and quarter fed by a hidden list sheet, and one pre-filled row per unit x indicator the commune
reported in its latest period.
"""

from __future__ import annotations

import io

import duckdb
import openpyxl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl.utils import get_column_letter

from kpis import store
from kpis.catalog.model import Commune
from kpis.intake.importer import check_file, import_file
from kpis.intake.schema import COLUMNS, HEADERS_VI
from kpis.intake.template import (
    BLANK_ROWS,
    DATA_SHEET,
    LISTS_SHEET,
    TemplateError,
    TemplateScope,
    build_template,
    resolve_scope,
    template_file_name,
)
from tests.corpus.make_corpus import csv_file, row

COLUMN_LETTER = {c: "ABCDEFGHI"[i] for i, c in enumerate(COLUMNS)}


def load(data: bytes) -> openpyxl.Workbook:
    return openpyxl.load_workbook(io.BytesIO(data))


def validations(ws) -> dict[str, object]:
    """Data validations by the column letter they cover."""
    out = {}
    for dv in ws.data_validations.dataValidation:
        for rng in dv.sqref.ranges:
            for col in range(rng.min_col, rng.max_col + 1):
                out[get_column_letter(col)] = dv
    return out


def list_values(wb: openpyxl.Workbook, formula: str) -> list[str]:
    """The values a '=...!$B$2:$B$14' list validation offers."""
    ref = formula.lstrip("=").split("!")
    ws = wb[ref[0].strip("'")]
    return [c.value for (c,) in ws[ref[1].replace("$", "")]]


@pytest.fixture
def reported(con: duckdb.DuckDBPyConnection) -> duckdb.DuckDBPyConnection:
    """Mường Mùn reported four units in Q2, then only two (one of them new) in Q3: Q3 is 'last time'."""
    q2 = [row(0, quarter=2), row(1, quarter=2), row(2, quarter=2), row(3, quarter=2)]
    q3 = [row(0, numerator=470), row(3, unit="Trạm Y tế xã", indicator="staff_digital_training", numerator=3, denominator=4)]
    for name, rows in (("q2.csv", q2), ("q3.csv", q3)):
        assert import_file(con, csv_file(rows), name).status == "accepted"
    return con


def test_blank_template_has_instructions_header_lists_and_protection(con):
    wb = load(build_template(con))
    assert wb.sheetnames == ["Hướng dẫn", DATA_SHEET, LISTS_SHEET]
    assert wb.active.title == DATA_SHEET
    assert wb[LISTS_SHEET].sheet_state == "hidden"
    guide = "\n".join(str(c.value) for r in wb["Hướng dẫn"].iter_rows() for c in r if c.value)
    assert "Số đạt" in guide and "Tổng số" in guide and "số nguyên" in guide
    assert "Người dân được tiếp cận" in guide and "citizen_reach" not in guide  # names for people
    ws = wb[DATA_SHEET]
    assert [c.value for c in ws[1]] == [HEADERS_VI[c] for c in COLUMNS]
    assert ws.protection.sheet is True
    assert all(c.protection.locked for c in ws[1]), "the header is locked"
    for r in (2, 100, BLANK_ROWS + 1):
        assert not any(ws.cell(row=r, column=j).protection.locked for j in range(1, len(COLUMNS) + 1)), r
    assert ws.max_row == BLANK_ROWS + 1 and ws.cell(row=2, column=1).value is None


def test_dropdowns_offer_exactly_the_registered_communes_indicator_names_and_quarters(con):
    wb = load(build_template(con))
    dv = validations(wb[DATA_SHEET])
    assert {COLUMN_LETTER[c] for c in ("commune", "indicator", "quarter")} <= set(dv)
    registry = store.registry(con)
    assert sorted(list_values(wb, dv["B"].formula1)) == sorted({c.name for c in registry})
    assert list_values(wb, dv["A"].formula1) == sorted({c.province for c in registry})
    names = [r[0] for r in con.execute("SELECT short_vi FROM indicators ORDER BY position").fetchall()]
    assert list_values(wb, dv["F"].formula1) == names  # people pick names; codes are for machines
    headers = [c.value for c in wb[wb.sheetnames[-1]][1]][:3]
    assert headers == ["Tỉnh", "Xã", "Chỉ tiêu"]  # not "DS province / DS commune / DS indicator"
    english = load(build_template(con, lang="en"))
    assert list_values(english, validations(english[DATA_SHEET])["F"].formula1)[0] == "Citizens reached"
    assert (dv["E"].type, dv["E"].formula1) == ("list", '"1,2,3,4"')
    assert (dv["D"].type, dv["D"].formula1, dv["D"].formula2) == ("whole", "2024", "2035")
    assert (dv["G"].type, dv["G"].operator, dv["G"].formula1) == ("whole", "greaterThanOrEqual", "0")
    assert dv["H"] is dv["G"]
    for letter in "ABDEFGH":
        assert dv[letter].showErrorMessage and dv[letter].error, letter
        assert str(dv[letter].sqref).endswith(str(BLANK_ROWS + 1))


def test_province_template_lists_only_that_provinces_communes(con):
    scope = TemplateScope("Lai Châu", None, None, None)
    wb = load(build_template(con, scope))
    dv = validations(wb[DATA_SHEET])
    expected = sorted(c.name for c in store.registry(con) if c.province == "Lai Châu")
    assert list_values(wb, dv["B"].formula1) == expected and "Mường Mùn" not in expected


def test_a_typed_province_is_resolved_without_a_commune(con):
    """`template --province "tinh lai chau"` once kept the text as typed, and its dropdowns came out empty."""
    scope = resolve_scope(con, None, "tinh lai chau", None, None)
    assert scope == TemplateScope("Lai Châu", None, None, None)
    wb = load(build_template(con, scope))
    assert list_values(wb, validations(wb[DATA_SHEET])["A"].formula1) == ["Lai Châu"]
    with pytest.raises(TemplateError, match="province 'Lai Chau Bac' is not in the registry. Did you mean: Lai Châu"):
        resolve_scope(con, None, "Lai Chau Bac", None, None)


def prefilled(data: bytes) -> list[list]:
    ws = load(data)[DATA_SHEET]
    return [[c.value for c in r] for r in ws.iter_rows(min_row=2) if any(c.value is not None for c in r)]


def test_commune_template_prefills_what_it_reported_last_time(reported):
    scope = resolve_scope(reported, "xa muong mun", None, 2025, 4)
    assert scope == TemplateScope("Điện Biên", "Mường Mùn", 2025, 4)
    assert prefilled(build_template(reported, scope)) == [
        ["Điện Biên", "Mường Mùn", "Bản Na Sang", 2025, 4, "Người dân được tiếp cận", None, 500, None],
        ["Điện Biên", "Mường Mùn", "Trạm Y tế xã", 2025, 4, "Cán bộ được đào tạo truyền thông số", None, 4, None],
    ]
    assert template_file_name(scope) == "bieu_mau_NQ57_muong_mun_2025_Q4.xlsx"


def test_commune_without_any_report_gets_a_blank_template(con):
    scope = resolve_scope(con, "Sìn Hồ", "Lai Châu", None, None)
    assert prefilled(build_template(con, scope)) == []


def test_scope_errors_say_what_is_wrong(con):
    with pytest.raises(TemplateError, match=r"not in the registry. Did you mean: Mường Mùn \(Điện Biên\)"):
        resolve_scope(con, "Mường Mùm", None, None, None)
    with pytest.raises(TemplateError, match="go together"):
        resolve_scope(con, "Mường Mùn", None, 2025, None)
    with pytest.raises(TemplateError, match="1, 2, 3 or 4"):
        resolve_scope(con, "Mường Mùn", None, 2025, 5)
    store.add_communes(con, [Commune(province="Lai Châu", name="Mường Mùn", kind="Xã")], "them_xa.csv", journal=False)
    with pytest.raises(TemplateError, match="several provinces"):
        resolve_scope(con, "Mường Mùn", None, None, None)
    assert resolve_scope(con, "Mường Mùn", "tinh lai chau", None, None).province == "Lai Châu"


def fill(data: bytes, rows: list[list], numerators: dict[str, int] | None = None) -> bytes:
    """What a person does in Excel: type Số đạt on the pre-filled rows, add rows below, save."""
    wb = load(data)
    ws = wb[DATA_SHEET]
    r = 2
    while ws.cell(row=r, column=1).value is not None:
        unit = ws.cell(row=r, column=3).value
        if numerators and unit in numerators:
            ws.cell(row=r, column=7).value = numerators[unit]
        r += 1
    for values in rows:
        for j, v in enumerate(values, start=1):
            ws.cell(row=r, column=j).value = v
        r += 1
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def current(con: duckdb.DuckDBPyConnection, quarter: int) -> list[tuple]:
    return con.execute(
        "SELECT u.name, cv.indicator, cv.numerator, cv.denominator FROM current_values cv JOIN units u ON u.id = cv.unit_id"
        " WHERE cv.year = 2025 AND cv.quarter = ? ORDER BY u.name, cv.indicator",
        [quarter],
    ).fetchall()


def test_round_trip_filled_commune_template_imports(reported):
    scope = resolve_scope(reported, "Mường Mùn", "Điện Biên", 2025, 4)
    extra = [["Điện Biên", "Mường Mùn", "Bản Pá Chả", 2025, 4, "citizen_reach", 120, 300, "đơn vị mới"]]
    filled = fill(build_template(reported, scope), extra, {"Bản Na Sang": 490, "Trạm Y tế xã": 4})
    result = import_file(reported, filled, template_file_name(scope))
    assert result.status == "accepted", result.messages("en")
    assert current(reported, 4) == [
        ("Bản Na Sang", "citizen_reach", 490, 500),
        ("Bản Pá Chả", "citizen_reach", 120, 300),
        ("Trạm Y tế xã", "staff_digital_training", 4, 4),
    ]


def test_prefilled_rows_left_without_a_count_are_refused_row_by_row(reported):
    scope = resolve_scope(reported, "Mường Mùn", None, 2025, 4)
    result = import_file(reported, fill(build_template(reported, scope), [], {"Bản Na Sang": 490}), "chua_xong.xlsx")
    assert [(p.row, p.column, p.code) for p in result.problems] == [(3, "Số đạt", "required")]


@pytest.fixture(scope="module")
def blank_template(tmp_path_factory: pytest.TempPathFactory) -> tuple[bytes, list[str], list[str], duckdb.DuckDBPyConnection]:
    con = store.connect(tmp_path_factory.mktemp("tpl") / "kpis.duckdb")
    data = build_template(con)
    wb = load(data)
    dv = validations(wb[DATA_SHEET])
    communes = list_values(wb, dv["B"].formula1)
    codes = list_values(wb, dv["F"].formula1)
    yield data, communes, codes, con
    con.close()


@settings(max_examples=15, deadline=None)
@given(data=st.data())
def test_any_choice_from_the_dropdowns_imports(blank_template, data):
    """Whatever a person picks from the lists (and numbers the cells accept), the file passes every check."""
    template, communes, codes, con = blank_template
    registry = {c.name: c.province for c in store.registry(con)}
    rows = []
    for i, commune in enumerate(data.draw(st.lists(st.sampled_from(communes), min_size=1, max_size=4))):
        denominator = data.draw(st.integers(1, 10**6))
        rows.append(
            [
                registry[commune],
                commune,
                f"Thôn {i + 1}",
                data.draw(st.integers(2024, 2035)),
                data.draw(st.sampled_from([1, 2, 3, 4])),
                data.draw(st.sampled_from(codes)),
                data.draw(st.integers(0, denominator)),
                denominator,
                None,
            ]
        )
    checked = check_file(con, fill(template, rows), "bieu_mau.xlsx")
    assert checked.ok, [(p.row, p.column, p.code) for p in checked.problems]
    assert len(checked.rows) == len(rows)


def test_cli_writes_the_template(kpis, tmp_path, reported):
    db = store.db_address(reported)
    reported.close()
    out = tmp_path / "bieu_mau.xlsx"
    args = ["--db", str(db), "--out", str(out), "--commune", "Muong Mun", "--year", "2025", "--quarter", "4"]
    done = kpis("template", *args)
    assert done.returncode == 0, done.stderr
    assert "Mường Mùn" in done.stdout
    assert [r[2] for r in prefilled(out.read_bytes())] == ["Bản Na Sang", "Trạm Y tế xã"]
    refused = ["template", "--db", str(db), "--out", str(tmp_path / "x.xlsx"), "--commune", "Không Có"]
    english = kpis(*refused, "--lang", "en")
    assert english.returncode == 1 and "not in the registry" in english.stderr and not (tmp_path / "x.xlsx").exists()
    vietnamese = kpis(*refused)  # the refusal speaks the command's language (Vietnamese by default)
    assert vietnamese.returncode == 1 and "chưa có trong danh mục" in vietnamese.stderr and not (tmp_path / "x.xlsx").exists()
    half = kpis("template", "--db", str(db), "--out", str(tmp_path / "x.xlsx"), "--year", "2025", "--lang", "en")
    assert half.returncode == 1 and half.stderr.strip() == "--year and --quarter go together"  # the flags are named here only
