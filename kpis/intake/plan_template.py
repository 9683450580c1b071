"""The plan workbook written: empty as a template (instructions, drop-downs), or holding a plan (the export).

Both follow kpis.intake.plan_workbook's contract, so what one writes the importer reads; a plan
exported and imported again is the same plan (tests/intake/test_plan_workbook.py round-trips the seeds).
Every cell is written through kpis.core.xlsx.write_cell: a task or note that starts with "=" stays text.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterable

import openpyxl
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from kpis.catalog.model import Catalog, Plan
from kpis.core.i18n import t
from kpis.core.settings import YEAR_MAX, YEAR_MIN
from kpis.core.xlsx import HEADER_FILL, HEADER_FONT, WRAP, active_sheet, write_cell
from kpis.intake.plan_workbook import (
    CONTRACT_FIELDS,
    DEADLINE_COLUMNS,
    FIELD_HEADERS,
    FIELDS,
    LEVELS,
    MILESTONE_COLUMNS,
    PERIODS,
    SHEET_DEADLINES,
    SHEET_GUIDE,
    SHEET_MILESTONES,
    SHEET_PLAN,
    SHEET_TARGETS,
    SHEET_TASKS,
    TARGET_COLUMNS,
    TASK_COLUMNS,
)

BLANK_ROWS = 60  # rows the template's drop-downs cover
LISTS_SHEET = "Danh sách"  # hidden: the drop-downs' values
WIDTHS = {"field": 28, "value": 70, "indicator": 46, "year": 8, "target_pct": 10, "note": 70, "note_en": 50, "period": 14,
          "due": 10, "no": 8, "task": 60, "lead": 30, "partners": 40, "when": 24, "task_en": 50, "code": 10,
          "milestone": 60, "milestone_en": 50}  # fmt: skip
EXPORT_FIELDS = (*CONTRACT_FIELDS, "plan_id", "title_en", "source", "notes_vi", "notes_en")
FREQUENCY_WORDS = {k: names[0] for k, names in PERIODS.items()}


def _header(ws: Worksheet, columns: dict[str, tuple[str, str]], keys: Iterable[str]) -> list[str]:
    keys = list(keys)
    for c, k in enumerate(keys, start=1):
        cell = write_cell(ws.cell(row=1, column=c), columns[k][0])
        cell.font, cell.fill = HEADER_FONT, HEADER_FILL
        ws.column_dimensions[get_column_letter(c)].width = WIDTHS.get(k, 20)
    ws.freeze_panes = "A2"
    return keys


def _rows(ws: Worksheet, rows: Iterable[Iterable[object]], start: int = 2) -> None:
    for r, row in enumerate(rows, start=start):
        for c, value in enumerate(row, start=1):
            write_cell(ws.cell(row=r, column=c), value).alignment = WRAP


def _choices(ws: Worksheet, cells: str, values: list[str], hidden: Worksheet, list_column: int) -> None:
    """A drop-down over cells, its values kept on the hidden lists sheet (no 255-character limit)."""
    letter = get_column_letter(list_column)
    for r, value in enumerate(values, start=1):
        write_cell(hidden.cell(row=r, column=list_column), value)
    dv = DataValidation(type="list", formula1=f"='{hidden.title}'!${letter}$1:${letter}${len(values)}", allow_blank=True)
    dv.error, dv.errorTitle = t("plan_template_choose", "vi"), ws.title
    ws.add_data_validation(dv)
    dv.add(cells)


def _column(letter: str) -> str:
    return f"{letter}2:{letter}{BLANK_ROWS + 1}"


def _date_text(day: dt.date | None) -> str:
    return "" if day is None else f"{day.day:02d}/{day.month:02d}/{day.year}"


def plan_workbook(catalog: Catalog, plan: Plan | None = None) -> bytes:
    """The template (plan None) or a plan's export, as .xlsx bytes."""
    wb = openpyxl.Workbook()
    guide = active_sheet(wb)
    guide.title = SHEET_GUIDE[0]
    guide.column_dimensions["A"].width = 110
    lines = t("plan_template_guide", "vi").split("\n") + [""] + t("plan_template_guide", "en").split("\n")
    _rows(guide, ([line] for line in lines), start=1)
    head = wb.create_sheet(SHEET_PLAN[0])
    _header(head, FIELD_HEADERS, FIELD_HEADERS)
    values = _field_values(plan) if plan else {}
    keys = EXPORT_FIELDS if plan else CONTRACT_FIELDS
    _rows(head, ([FIELDS[k][0], values.get(k, "")] for k in keys))
    lists = wb.create_sheet(LISTS_SHEET)
    _choices(head, f"B{keys.index('level') + 2}", [names[0] for names in LEVELS.values()], lists, 1)

    targets = wb.create_sheet(SHEET_TARGETS[0])
    _header(targets, TARGET_COLUMNS, TARGET_COLUMNS)
    if plan:
        short = {code: ind.short_vi for code, ind in catalog.indicators.items()}
        _rows(targets, ([short[tg.indicator], tg.year, _target_cell(tg.target_pct), tg.quote] for tg in plan.targets))
    _choices(targets, _column("A"), [ind.short_vi for ind in catalog.indicators.values()], lists, 2)
    _choices(targets, _column("B"), [str(y) for y in range(YEAR_MIN, YEAR_MAX + 1)], lists, 3)

    deadlines = wb.create_sheet(SHEET_DEADLINES[0])
    _header(deadlines, DEADLINE_COLUMNS, DEADLINE_COLUMNS)
    if plan:
        _rows(deadlines, ([FREQUENCY_WORDS[d.frequency], _due_text(d.frequency, d.month, d.day), d.label_vi, d.label_en]
                          for d in plan.deadlines))  # fmt: skip
    _choices(deadlines, _column("A"), list(FREQUENCY_WORDS.values()), lists, 4)

    tasks = wb.create_sheet(SHEET_TASKS[0])
    _header(tasks, TASK_COLUMNS, TASK_COLUMNS)
    if plan:
        _rows(tasks, ([task.code, task.title_vi, task.lead, "; ".join(task.partners), task.deadline, task.title_en]
                      for task in plan.tasks))  # fmt: skip
    if plan and plan.milestones:
        milestones = wb.create_sheet(SHEET_MILESTONES[0])
        _header(milestones, MILESTONE_COLUMNS, MILESTONE_COLUMNS)
        _rows(milestones, ([m.code, m.title_vi, m.title_en, m.year] for m in plan.milestones))
    lists.sheet_state = "hidden"
    wb.move_sheet(lists, offset=len(wb.sheetnames))
    wb.active = 1
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _target_cell(pct: float) -> float | str:
    """A target as the export writes it: a number, but as text ("1", "0,5") when it is in (0, 1], because the reader
    takes a number cell there for Excel's percent cell (0.8 = 80 %) and would read a 1 % target back as 100 %."""
    if 0 < pct <= 1:
        return repr(float(pct)).removesuffix(".0").replace(".", ",")
    return pct


def _due_text(frequency: str, month: int | None, day: int | None) -> str:
    """Hạn as text (typed 10/6, Excel would make it a date): dd/mm, or the day for monthly, or nothing for periodic."""
    if day is None:
        return ""
    return str(day) if frequency == "monthly" or month is None else f"{day:02d}/{month:02d}"


def _field_values(plan: Plan) -> dict[str, object]:
    level = LEVELS[plan.level][0]
    code = f"{plan.commune_code:05d}" if plan.commune_code is not None else f"{plan.province_code:02d}"
    return {
        "number": plan.number or "",
        "issued": _date_text(plan.date),
        "issuer": plan.issuer,
        "level": level,
        "place_code": code,
        "place": plan.commune or plan.province,
        "title": plan.title_vi,
        "replaces": plan.replaces or "",
        "plan_id": plan.id,
        "title_en": plan.title_en,
        "source": plan.source,
        "notes_vi": plan.notes_vi,
        "notes_en": plan.notes_en,
    }
