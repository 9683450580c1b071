"""The figures of a meeting as .xlsx: one sheet per level (province, commune, unit), then a note.

Rates are stored as numbers with a percent format (Excel shows 36,7% or 36.7% by the reader's
locale), counts with a thousands format; headers are frozen and filtered. Every text cell goes
through kpis.core.xlsx.write_cell, so a unit named "=HYPERLINK(...)" stays text.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Sequence
from typing import Any

import duckdb
import pandas as pd
from openpyxl import Workbook
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.properties import PageSetupProperties
from openpyxl.worksheet.worksheet import Worksheet

from kpis import store
from kpis.core.i18n import Lang, status_label, t
from kpis.core.xlsx import HEADER_FILL, HEADER_FONT, WRAP, active_sheet, write_cell
from kpis.output import views
from kpis.output.chart_style import STATUS_SYMBOLS
from kpis.output.meeting import Area, area_rows
from kpis.output.meeting_text import plan_citation, source_line

SHEET_TITLES = {"province": "export_sheet_province", "commune": "export_sheet_commune", "unit": "export_sheet_unit"}

PCT, COUNT, YEAR = "0.0%", "#,##0", "0"
Column = tuple[str, str, str | None]  # (column in the rows, header key, number format)
COLUMNS: dict[str, list[Column]] = {
    "province": [("province", "col_province", None)],
    "commune": [("province", "col_province", None), ("commune", "col_commune", None)],
    "unit": [("province", "col_province", None), ("commune", "col_commune", None), ("unit", "col_unit", None)],
}
VALUE_COLUMNS: list[Column] = [
    ("indicator", "col_code", None),
    ("indicator_name", "col_indicator", None),
    ("year", "col_year", YEAR),
    ("numerator", "col_numerator", COUNT),
    ("denominator", "col_denominator", COUNT),
    ("rate", "export_col_rate", PCT),
    ("target", "col_target_pct", PCT),
    ("target_year", "col_target_year", YEAR),
    ("status_text", "export_col_status", None),
    ("plan", "export_col_plan", None),
]
# the official codes last, shown the way the official list writes them (11, 03268) while staying numbers
CODE_COLUMNS: dict[str, list[Column]] = {
    "province": [("province_code", "col_province_code", "00")],
    "commune": [("province_code", "col_province_code", "00"), ("commune_code", "col_commune_code", "00000")],
    "unit": [("province_code", "col_province_code", "00"), ("commune_code", "col_commune_code", "00000")],
}


def _cell_value(value: Any) -> Any:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    return value.item() if hasattr(value, "item") else value


DAY = re.compile(r"(\d{2})/(\d{2})/(\d{4})")  # how the display tables write a day (kpis.core.periods.fmt_date)


def _printable(ws: Worksheet) -> None:
    """Prints as a table is read: landscape, as wide as the page (as many pages down as it needs), the
    header row on every page."""
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    if ws.sheet_properties.pageSetUpPr is None:
        ws.sheet_properties.pageSetUpPr = PageSetupProperties()
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = "1:1"


def _day_or_text(value: object) -> object:
    """A day written dd/mm/yyyy becomes a real date (it sorts and filters as one); other values stay."""
    if isinstance(value, str) and (m := DAY.fullmatch(value.strip())):
        day, month, year = (int(g) for g in m.groups())
        try:
            return dt.date(year, month, day)
        except ValueError:
            return value
    return value


def _sheet(ws: Worksheet, rows: pd.DataFrame, level: str, lang: Lang) -> None:
    columns = COLUMNS[level][:]
    if level == "unit":
        columns += [VALUE_COLUMNS[0], VALUE_COLUMNS[1], VALUE_COLUMNS[2], ("quarter", "col_quarter", YEAR), *VALUE_COLUMNS[3:]]
    else:
        columns += VALUE_COLUMNS
    columns += CODE_COLUMNS[level]
    for j, (_, key, _) in enumerate(columns, start=1):
        cell = write_cell(ws.cell(row=1, column=j), t(key, lang))
        cell.font, cell.fill = HEADER_FONT, HEADER_FILL
    widths = [len(t(key, lang)) for _, key, _ in columns]
    for i, record in enumerate(rows.to_dict(orient="records"), start=2):
        for j, (name, _, number_format) in enumerate(columns, start=1):
            value = _cell_value(record.get(name))
            cell = write_cell(ws.cell(row=i, column=j), value)
            if number_format and value is not None:
                cell.number_format = number_format
            widths[j - 1] = max(widths[j - 1], min(len(str(value)) if value is not None else 0, 60))
    for j, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(j)].width = width + 3
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{max(len(rows) + 1, 1)}"
    _printable(ws)


def _prepare(rows: pd.DataFrame, names: dict[str, str], plans: dict[str, str], lang: Lang) -> pd.DataFrame:
    out = rows.copy()
    out["indicator_name"] = out["indicator"].map(names)
    out["rate"] = out["value_pct"] / 100.0
    out["target"] = out["target_pct"] / 100.0
    out["status_text"] = [f"{STATUS_SYMBOLS[s]} {status_label(s, lang)}" for s in out["status"]]
    out["plan"] = out["plan_id"].map(plans)
    order = {code: i for i, code in enumerate(names)}
    sort = [c for c in ("province", "commune", "unit") if c in out.columns]
    out["_order"] = out["indicator"].map(order)
    return out.sort_values([*sort, "_order"]).drop(columns="_order")


def _sheet_title(title: str) -> str:
    """Excel allows 31 characters and no []:*?/\\ in a sheet name."""
    clean = "".join(" " if ch in "[]:*?/\\" else ch for ch in title.split(" (")[0].split(",")[0])
    return clean.strip()[:31] or "Sheet"


def _table_sheet(ws: Worksheet, frame: pd.DataFrame) -> None:
    """A display-ready table (headers already in the reader's language) as a filtered sheet."""
    for j, header in enumerate(frame.columns, start=1):
        cell = write_cell(ws.cell(row=1, column=j), str(header))
        cell.font, cell.fill = HEADER_FONT, HEADER_FILL
        ws.column_dimensions[get_column_letter(j)].width = min(60, max(12, len(str(header)) + 3))
    for i, record in enumerate(frame.itertuples(index=False), start=2):
        for j, value in enumerate(record, start=1):
            shown = _day_or_text(_cell_value(value))
            cell = write_cell(ws.cell(row=i, column=j), shown)
            cell.alignment = WRAP
            if isinstance(shown, dt.date):
                cell.number_format = "dd/mm/yyyy"
    ws.freeze_panes = "A2"
    if len(frame.columns):
        ws.auto_filter.ref = f"A1:{get_column_letter(len(frame.columns))}{max(len(frame) + 1, 1)}"
    _printable(ws)


def figures_xlsx(
    con: duckdb.DuckDBPyConnection,
    area: Area,
    year: int,
    lang: Lang,
    made_on: dt.date | None = None,
    extra_sheets: Sequence[tuple[str, pd.DataFrame]] = (),
) -> bytes:
    """Province, commune and unit figures of the area for the year, extra_sheets (overdue reports and
    tasks), and a sheet saying where they come from."""
    names = views.indicator_names(con, lang)
    plans = {p["id"]: plan_citation(p, lang) for p in views.plans_overview(con).to_dict(orient="records")}
    wb = Workbook()
    wb.remove(active_sheet(wb))
    for level, title_key in SHEET_TITLES.items():
        rows = area_rows(con, area, year, level)
        if level == "province":
            rows = rows[rows["commune"].isna()]
        _sheet(wb.create_sheet(t(title_key, lang)), _prepare(rows, names, plans, lang), level, lang)
    for title, frame in extra_sheets:
        _table_sheet(wb.create_sheet(_sheet_title(title)), frame)
    about = wb.create_sheet(t("export_sheet_about", lang))
    lines = [
        t("export_pack_title", lang),
        area.title(lang),
        t("export_pack_year", lang, year=year),
        t("export_pack_made", lang, date=(made_on or dt.date.today()).strftime("%d/%m/%Y")),
        source_line(con, area, lang, year=year, province_figure=True),
        t("export_about_rules", lang),
    ]
    if store.is_demo(con):
        lines.insert(1, t("export_pack_demo", lang))
    for i, line in enumerate(lines, start=1):
        write_cell(about.cell(row=i, column=1), line).alignment = WRAP
    about.column_dimensions["A"].width = 120
    about["A1"].font = HEADER_FONT
    _printable(about)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
