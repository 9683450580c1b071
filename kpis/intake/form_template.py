"""The template in the layout commune offices fill by hand: one row per village or agency.

The sheet "Báo cáo" looks like the forms they send: the title block (the people's committees on the left,
the national motto on the right), the report's title and its period ("Quý III năm 2025"), then a two-row
header: STT | Thôn/Bản, cơ quan, đơn vị | per indicator "Tổng số" | "Số đạt" under its short name | Ghi chú,
the units the commune reported last time already listed, and "Người lập biểu" at the bottom. The words the
reader looks for (the title rows, the header) are Vietnamese in both languages; --lang en writes the
instructions, the header notes and Excel's error messages in English. It imports as it comes back: the
commune and the period from the title rows, the indicators from their names above the pairs.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

import duckdb
import openpyxl
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from kpis import store
from kpis.catalog.model import Catalog, Indicator, default_catalog
from kpis.catalog.official import default_official
from kpis.core.i18n import Lang, t
from kpis.core.periods import ROMAN
from kpis.core.xlsx import HEADER_FILL, HEADER_FONT, active_sheet, write_cell
from kpis.intake.template import TemplateError, TemplateScope, count_rule, last_reported_rows

FORM_SHEET = "Báo cáo"
FORM_TITLE = "BÁO CÁO KẾT QUẢ CÔNG TÁC TRUYỀN THÔNG NGHỊ QUYẾT 57-NQ/TW"
MOTTO = ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc")
UNIT_HEADER = "Thôn/Bản, cơ quan, đơn vị"
PAIR = ("Tổng số", "Số đạt")  # the sub-headers under each indicator, in this order
SIGNATURE = ("Người lập biểu", "(Ký, ghi rõ họ tên)")
TITLE_ROW, PERIOD_ROW, HEADER_ROW = 4, 5, 7  # the header takes rows 7 and 8
FIRST_ROW = HEADER_ROW + 2  # the first unit's row
BLANK_ROWS = 20  # rows left for units not reported last time
CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)
BOLD = Font(bold=True)


@dataclass(frozen=True)
class FormLayout:
    """Where things are on the sheet, for the tests and the instructions: the figure columns by indicator."""

    indicators: tuple[str, ...]

    def columns(self, code: str) -> tuple[int, int]:
        """The (Tổng số, Số đạt) column numbers of an indicator."""
        first = 3 + 2 * self.indicators.index(code)
        return first, first + 1

    @property
    def note_column(self) -> int:
        return 3 + 2 * len(self.indicators)


def period_text(year: int, quarter: int) -> str:
    """'Quý III năm 2025', as the forms write it."""
    return f"Quý {ROMAN[quarter - 1]} năm {year}"


def committees(con: duckdb.DuckDBPyConnection, province: str, commune: str) -> tuple[str, str]:
    """('UBND TỈNH ĐIỆN BIÊN', 'UBND XÃ MƯỜNG MÙN'): the kinds as the registry gives them (a city, a ward)."""
    row = con.execute("SELECT code FROM provinces WHERE name = ?", [province]).fetchone()
    official = default_official().province(row[0]) if row and row[0] is not None else None
    kind = next((c.kind for c in store.registry(con) if c.province == province and c.name == commune), "Xã")
    return f"UBND {official.kind if official else 'Tỉnh'} {province}".upper(), f"UBND {kind} {commune}".upper()


def _form_scope(scope: TemplateScope) -> tuple[str, str, int, int]:
    if not (scope.commune and scope.province):
        raise TemplateError("template_form_needs_commune")
    if scope.year is None or scope.quarter is None:
        raise TemplateError("template_form_needs_period")
    return scope.province, scope.commune, scope.year, scope.quarter


def _merge(ws: Worksheet, row: int, first: int, last: int, value: str, font: Font = BOLD, rows: int = 1) -> None:
    cell = write_cell(ws.cell(row=row, column=first), value)
    cell.font, cell.alignment = font, CENTER
    if last > first or rows > 1:
        ws.merge_cells(start_row=row, start_column=first, end_row=row + rows - 1, end_column=last)


def _instructions(wb: openpyxl.Workbook, indicators: list[Indicator], lang: Lang) -> None:
    ws = wb.create_sheet("Hướng dẫn" if lang == "vi" else "Instructions")
    write_cell(ws["A1"], t("template_form_guide_title", lang)).font = HEADER_FONT
    lines = [*t("template_form_instructions", lang).split("\n"), t("template_stock_note", lang)]
    for i, line in enumerate(lines, start=3):
        write_cell(ws.cell(row=i, column=1), line)
    start = len(lines) + 4
    for j, key in enumerate(("template_form_col_indicator", "template_form_col_total", "template_form_col_achieved")):
        write_cell(ws.cell(row=start, column=j + 1), t(key, lang)).font = HEADER_FONT
    for i, ind in enumerate(indicators, start=start + 1):
        name = ind.short_vi if lang == "vi" else f"{ind.short_vi} ({ind.name_en})"
        total, achieved = (ind.denominator_vi, ind.numerator_vi) if lang == "vi" else (ind.denominator_en, ind.numerator_en)
        for j, value in enumerate((name, total, achieved)):
            write_cell(ws.cell(row=i, column=j + 1), value).alignment = Alignment(wrap_text=True, vertical="top")
    for letter, width in (("A", 60), ("B", 50), ("C", 50)):
        ws.column_dimensions[letter].width = width


def build_form_template(
    con: duckdb.DuckDBPyConnection, scope: TemplateScope, lang: Lang = "vi", catalog: Catalog | None = None
) -> bytes:
    """The workbook's bytes: the form for one commune and one period, then its instructions.

    TemplateError when the scope names no commune or no period: the title rows must carry both."""
    province, commune, year, quarter = _form_scope(scope)
    indicators = list((catalog or default_catalog()).indicators.values())
    wb = openpyxl.Workbook()
    ws = active_sheet(wb)
    ws.title = FORM_SHEET
    layout = FormLayout(tuple(i.code for i in indicators))
    last_column = layout.note_column
    upper, lower = committees(con, province, commune)
    right = min(6, last_column)  # the motto's block; the committees' block ends a column before it
    _merge(ws, 1, 1, max(1, min(4, right - 1)), upper, Font(bold=False))
    _merge(ws, 2, 1, max(1, min(4, right - 1)), lower)
    _merge(ws, 1, right, last_column, MOTTO[0])
    _merge(ws, 2, right, last_column, MOTTO[1])
    _merge(ws, TITLE_ROW, 1, last_column, FORM_TITLE)
    _merge(ws, PERIOD_ROW, 1, last_column, period_text(year, quarter), Font(bold=True, italic=True))

    def header(cell_row: int, first: int, last: int, value: str, rows: int = 1, note: str | None = None) -> None:
        _merge(ws, cell_row, first, last, value, HEADER_FONT, rows)
        for r in range(cell_row, cell_row + rows):
            for c in range(first, last + 1):
                ws.cell(row=r, column=c).fill = HEADER_FILL
        if note:
            ws.cell(row=cell_row, column=first).comment = Comment(note, "NQ57")

    header(HEADER_ROW, 1, 1, "STT", rows=2)
    header(HEADER_ROW, 2, 2, UNIT_HEADER, rows=2)
    for ind in indicators:
        total, achieved = layout.columns(ind.code)
        hint = t("template_form_header_hint", lang, name=ind.name_vi if lang == "vi" else ind.name_en)
        header(HEADER_ROW, total, achieved, ind.short_vi, note=hint)
        header(HEADER_ROW + 1, total, total, PAIR[0], note=ind.denominator_vi if lang == "vi" else ind.denominator_en)
        header(HEADER_ROW + 1, achieved, achieved, PAIR[1], note=ind.numerator_vi if lang == "vi" else ind.numerator_en)
    header(HEADER_ROW, last_column, last_column, "Ghi chú", rows=2)
    ws.row_dimensions[HEADER_ROW].height = 45

    units: dict[str, dict[str, int]] = {}
    for unit, code, denominator in last_reported_rows(con, province, commune):
        units.setdefault(unit, {})[code] = denominator
    for n, (unit, totals) in enumerate(units.items(), start=1):
        r = FIRST_ROW + n - 1
        write_cell(ws.cell(row=r, column=1), n).alignment = CENTER
        write_cell(ws.cell(row=r, column=2), unit)
        for code, denominator in totals.items():
            if code in layout.indicators:
                write_cell(ws.cell(row=r, column=layout.columns(code)[0]), denominator)
    last = FIRST_ROW + len(units) + BLANK_ROWS - 1
    rule = count_rule(lang)
    rule.add(f"C{FIRST_ROW}:{get_column_letter(last_column - 1)}{last}")
    ws.add_data_validation(rule)
    write_cell(ws.cell(row=last + 2, column=2), SIGNATURE[0]).font = BOLD
    write_cell(ws.cell(row=last + 3, column=2), SIGNATURE[1]).font = Font(italic=True)
    ws.freeze_panes = f"C{FIRST_ROW}"  # the title, the header and the unit column stay in view
    ws.column_dimensions["A"].width = 5
    ws.column_dimensions["B"].width = 32
    for c in range(3, last_column):
        ws.column_dimensions[get_column_letter(c)].width = 11
    ws.column_dimensions[get_column_letter(last_column)].width = 24
    ws.page_setup.orientation = "landscape"
    _instructions(wb, indicators, lang)
    wb.active = 0
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
