"""The .xlsx template staff fill in: instructions, dropdowns, last quarter's rows pre-filled.

A filled template always imports: its header is the contract's Vietnamese header, its
dropdowns offer only registered communes, indicator codes and quarters 1-4, and the
number cells accept whole numbers only.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Literal, TypedDict, Unpack

import duckdb
import openpyxl
from openpyxl.comments import Comment
from openpyxl.styles import Protection
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from kpis import store
from kpis.catalog.places import Ambiguous, NotFound, Places, display, names
from kpis.core.errors import KpisError
from kpis.core.i18n import Lang, t
from kpis.core.settings import YEAR_MAX, YEAR_MIN
from kpis.core.text import fold
from kpis.core.xlsx import HEADER_FILL, HEADER_FONT, WRAP, active_sheet, write_cell
from kpis.intake.schema import COLUMNS, HEADERS_VI

Layout = Literal["table", "form"]  # the tidy table (one row per value), or the form offices fill (one row per unit)
LAYOUTS: tuple[Layout, ...] = ("table", "form")
DATA_SHEET = "Số liệu"
LISTS_SHEET = "Danh sách"
BLANK_ROWS = 300
WIDTHS = {
    "province": 14,
    "commune": 18,
    "unit": 30,
    "year": 8,
    "quarter": 7,
    "indicator": 26,
    "numerator": 10,
    "denominator": 10,
    "note": 30,
}


class TemplateError(KpisError):
    """The template cannot be made for these arguments (unknown commune, half a period); rendered by kpis.core.i18n."""


@dataclass(frozen=True)
class TemplateScope:
    province: str | None
    commune: str | None
    year: int | None
    quarter: int | None


def resolve_scope(
    con: duckdb.DuckDBPyConnection, commune: str | None, province: str | None, year: int | None, quarter: int | None
) -> TemplateScope:
    """Find the registered commune (by name, optionally within a province) and check the period."""
    if (year is None) != (quarter is None):
        raise TemplateError("template_half_period")
    if quarter is not None and not 1 <= quarter <= 4:
        raise TemplateError("template_quarter_range", quarter=quarter)
    places = Places(store.registry(con))
    if province is not None:
        found = places.find_province(province)
        if isinstance(found, NotFound):
            raise TemplateError("template_province_unknown", province=province, suggest=names(found.nearest))
        province = found
    if commune is None:
        return TemplateScope(province, None, year, quarter)
    match = places.find_commune(province, commune)
    if isinstance(match, NotFound):
        suggest = names(match.nearest, with_province=province is None)
        raise TemplateError("template_commune_unknown", commune=commune, suggest=suggest)
    if isinstance(match, Ambiguous):
        if len({c.province for c in match.matches}) > 1:
            raise TemplateError("template_commune_ambiguous", commune=commune)
        raise TemplateError("template_commune_kind", commune=commune, matches=", ".join(display(c) for c in match.matches))
    return TemplateScope(match.province, match.name, year, quarter)


def last_reported_rows(con: duckdb.DuckDBPyConnection, province: str, commune: str) -> list[tuple[str, str, int]]:
    """(unit, indicator, denominator) of the commune's latest reported period, in reporting order."""
    return [
        (r[0], r[1], int(r[2]))
        for r in con.execute(
            """
            WITH c AS (SELECT cv.*, u.name AS unit FROM current_values cv
                       JOIN units u ON u.id = cv.unit_id JOIN communes m ON m.id = u.commune_id
                       WHERE m.province = ? AND m.name = ?),
                 latest AS (SELECT year, quarter FROM c ORDER BY year DESC, quarter DESC LIMIT 1)
            SELECT c.unit, c.indicator, c.denominator FROM c JOIN latest USING (year, quarter)
            JOIN indicators i ON i.code = c.indicator
            ORDER BY c.unit, i.position
            """,
            [province, commune],
        ).fetchall()
    ]


def _instructions(wb: openpyxl.Workbook, con: duckdb.DuckDBPyConnection, lang: Lang) -> None:
    ws = active_sheet(wb)
    ws.title = "Hướng dẫn" if lang == "vi" else "Instructions"
    lines = [*t("template_instructions", lang).split("\n"), t("template_stock_note", lang)]
    write_cell(ws["A1"], t("template_title", lang)).font = HEADER_FONT
    for i, line in enumerate(lines, start=3):
        write_cell(ws.cell(row=i, column=1), line)
    start = len(lines) + 4
    write_cell(ws.cell(row=start, column=1), t("template_codes", lang)).font = HEADER_FONT
    column = "name_vi" if lang == "vi" else "name_en"
    full = dict(con.execute(f"SELECT code, {column} FROM indicators ORDER BY position").fetchall())
    for i, (code, short) in enumerate(indicator_labels(con, lang).items()):  # the drop-down's names, then in full
        write_cell(ws.cell(row=start + 1 + i, column=1), short)
        write_cell(ws.cell(row=start + 1 + i, column=2), full[code])
    ws.column_dimensions["A"].width = 100 if lang == "vi" else 90
    ws.column_dimensions["B"].width = 90


def indicator_labels(con: duckdb.DuckDBPyConnection, lang: Lang) -> dict[str, str]:
    """code -> the indicator's short name in lang: what the template's drop-down offers and its rows say
    (people read names; the importer reads names and codes alike)."""
    column = "short_vi" if lang == "vi" else "short_en"
    return dict(con.execute(f"SELECT code, {column} FROM indicators ORDER BY position").fetchall())


LIST_HEADERS = {"province": "col_province", "commune": "col_commune", "indicator": "col_indicator"}


def _lists(wb: openpyxl.Workbook, con: duckdb.DuckDBPyConnection, province: str | None, lang: Lang) -> dict[str, str]:
    """A hidden sheet of allowed values, headed in the reader's language; returns data-validation ranges by column."""
    ws = wb.create_sheet(LISTS_SHEET)
    communes = [c for c in store.registry(con) if province is None or c.province == province]
    provinces = sorted({c.province for c in communes})
    names = list(indicator_labels(con, lang).values())
    columns = {"province": provinces, "commune": sorted({c.name for c in communes}), "indicator": names}
    ranges = {}
    for j, (key, values) in enumerate(columns.items(), start=1):
        write_cell(ws.cell(row=1, column=j), t(LIST_HEADERS[key], lang))
        for i, v in enumerate(values, start=2):
            write_cell(ws.cell(row=i, column=j), v)
        letter = get_column_letter(j)
        ranges[key] = f"'{LISTS_SHEET}'!${letter}$2:${letter}${len(values) + 1}"
    ws.sheet_state = "hidden"
    return ranges


class _Rule(TypedDict, total=False):
    """The DataValidation keywords build_template's rules pass on (openpyxl takes only its own words)."""

    type: Literal["whole", "list"]
    operator: Literal["between", "greaterThanOrEqual"]
    formula1: str
    formula2: str


def validation(lang: Lang, error: str, **rule: Unpack[_Rule]) -> DataValidation:
    """An Excel data-validation rule that refuses a wrong entry with error (blank allowed); add its cells after."""
    return DataValidation(
        allow_blank=True, showErrorMessage=True, errorTitle=t("template_error_title", lang), error=error, **rule
    )


def count_rule(lang: Lang) -> DataValidation:
    """Whole numbers from 0: what a Số đạt or Tổng số cell takes."""
    return validation(lang, t("template_error_count", lang), type="whole", operator="greaterThanOrEqual", formula1="0")


def _letter(column: str) -> str:
    return get_column_letter(COLUMNS.index(column) + 1)


def build_template(
    con: duckdb.DuckDBPyConnection, scope: TemplateScope = TemplateScope(None, None, None, None), lang: Lang = "vi"
) -> bytes:
    """The workbook's bytes: instructions, the data sheet (header locked, inputs open), lists."""
    wb = openpyxl.Workbook()
    _instructions(wb, con, lang)
    ws = wb.create_sheet(DATA_SHEET)
    ranges = _lists(wb, con, scope.province, lang)
    labels = indicator_labels(con, lang)
    for j, column in enumerate(COLUMNS, start=1):
        cell = write_cell(ws.cell(row=1, column=j), HEADERS_VI[column])
        cell.font, cell.fill, cell.alignment = HEADER_FONT, HEADER_FILL, WRAP
        ws.column_dimensions[get_column_letter(j)].width = WIDTHS[column]
    ws.cell(row=1, column=COLUMNS.index("indicator") + 1).comment = Comment(t("template_indicator_hint", lang), "NQ57")
    rows = []
    if scope.commune and scope.province:  # a resolved commune always has its province
        rows = [
            [scope.province, scope.commune, unit, scope.year, scope.quarter, labels[indicator], None, denominator, None]
            for unit, indicator, denominator in last_reported_rows(con, scope.province, scope.commune)
        ]
    for i, values in enumerate(rows, start=2):
        for j, value in enumerate(values, start=1):
            write_cell(ws.cell(row=i, column=j), value)
    last = max(len(rows) + 1, 1) + BLANK_ROWS
    for r in range(2, last + 1):
        for j in range(1, len(COLUMNS) + 1):
            ws.cell(row=r, column=j).protection = Protection(locked=False)

    def check(first: str, last_column: str, error: str, **rule: Unpack[_Rule]) -> None:
        """An Excel data-validation rule on rows 2..last of the columns first..last_column; error is what Excel says."""
        add(validation(lang, error, **rule), first, last_column)

    def add(dv: DataValidation, first: str, last_column: str) -> None:
        dv.add(f"{_letter(first)}2:{_letter(last_column)}{last}")
        ws.add_data_validation(dv)

    for key, rng in ranges.items():
        check(key, key, t("template_error_list", lang), type="list", formula1=f"={rng}")
    check("quarter", "quarter", t("template_error_quarter", lang), type="list", formula1='"1,2,3,4"')
    years = t("template_error_year_range", lang, low=YEAR_MIN, high=YEAR_MAX)
    check("year", "year", years, type="whole", operator="between", formula1=str(YEAR_MIN), formula2=str(YEAR_MAX))
    add(count_rule(lang), "numerator", "denominator")
    ws.freeze_panes = "A2"
    ws.protection.sheet = True
    ws.protection.formatColumns = False  # people may widen columns
    wb.active = wb.sheetnames.index(DATA_SHEET)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def template_file_name(scope: TemplateScope, layout: Layout = "table") -> str:
    """bieu_mau_NQ57[_theo_don_vi][_commune][_YEAR_Qn].xlsx: what a person sees in their downloads."""
    parts = ["bieu_mau_NQ57"] if layout == "table" else ["bieu_mau_NQ57_theo_don_vi"]
    if scope.commune:
        parts.append(fold(scope.commune).replace(" ", "_"))
    if scope.year:
        parts.append(f"{scope.year}_Q{scope.quarter}")
    return "_".join(parts) + ".xlsx"
