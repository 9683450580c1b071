"""Plan workbooks as an office writes them: real .xlsx files made with openpyxl from plain Python values.

A test says what the office typed (the «Kế hoạch» fields, the target rows, the deadlines, the tasks) and
gets the bytes of the file it would upload. The sheets and columns are the contract's
(kpis.intake.plan_workbook), in Vietnamese or, with english=True, in English; `headers` and `labels`
rename a column or a field as a person might spell it. Every string is written as text, even one that
starts with "=", so a test's "=1+1" is what the person typed, not a formula openpyxl would make of it.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import openpyxl
from openpyxl.worksheet.worksheet import Worksheet

from kpis.intake.plan_workbook import (
    DEADLINE_COLUMNS,
    FIELD_HEADERS,
    FIELDS,
    SHEET_DEADLINES,
    SHEET_PLAN,
    SHEET_TARGETS,
    SHEET_TASKS,
    TARGET_COLUMNS,
    TASK_COLUMNS,
)

REACH = "Người dân được tiếp cận"  # citizen_reach, as the template's drop-down writes it
OFFICIALS = "CBCCVC được phổ biến NQ57"  # officials_informed
TRAINING = "Cán bộ được đào tạo truyền thông số"  # staff_digital_training

CAO_BANG: dict[str, Any] = {  # Cao Bằng (province code 4) has no seed plan
    "number": "45/KH-UBND",
    "issued": "03/3/2026",
    "issuer": "UBND tỉnh Cao Bằng",
    "level": "Tỉnh",
    "place_code": "04",
    "place": "Cao Bằng",
    "title": "Kế hoạch truyền thông Nghị quyết 57-NQ/TW trên địa bàn tỉnh Cao Bằng",
    "replaces": "",
}
CAO_BANG_TARGETS: list[tuple[Any, ...]] = [(REACH, 2030, 85), (OFFICIALS, 2026, 100)]
THUC_PHAN: dict[str, Any] = {  # a ward of Cao Bằng (commune code 01273)
    "number": "12/KH-UBND",
    "issued": "10/4/2026",
    "issuer": "UBND phường Thục Phán",
    "level": "Xã",
    "place_code": "01273",
    "place": "Thục Phán",
    "title": "Kế hoạch truyền thông Nghị quyết 57-NQ/TW của phường Thục Phán",
    "replaces": "",
}

Row = Sequence[Any]


def fields_of(base: Mapping[str, Any] = CAO_BANG, **changes: Any) -> dict[str, Any]:
    """The fields of base with some changed (a value None leaves that field's row out)."""
    out = {**base, **changes}
    return {k: v for k, v in out.items() if v is not None}


def _put(ws: Worksheet, row: int, column: int, value: Any, number_format: str | None = None) -> None:
    cell = ws.cell(row=row, column=column, value=None if value is None else value)
    if isinstance(value, str) and value.startswith("="):  # what the person typed, not a formula
        cell.data_type = "s"
    if number_format:
        cell.number_format = number_format


def _table(ws: Worksheet, header: Sequence[str], rows: Sequence[Row], start: int = 1) -> None:
    for c, name in enumerate(header, start=1):
        _put(ws, start, c, name)
    for r, values in enumerate(rows, start=start + 1):
        for c, value in enumerate(values, start=1):
            if isinstance(value, Cell):
                _put(ws, r, c, value.value, value.number_format)
            else:
                _put(ws, r, c, value, "dd/mm/yyyy" if isinstance(value, dt.date) else None)


@dataclass(frozen=True)
class Cell:
    """A cell with Excel's number format: what Excel stores when a person types into a formatted cell."""

    value: Any
    number_format: str


def percent(pct: float) -> Cell:
    """Excel's 80 % cell: the fraction 0.8, shown as a percent."""
    return Cell(pct / 100, "0%")


def day_month(day: int, month: int, year: int = 2026) -> Cell:
    """What Excel makes of "10/6" typed in a Hạn cell: a date of this year, shown as dd/mm."""
    return Cell(dt.date(year, month, day), "dd/mm")


def plan_book(
    fields: Mapping[str, Any] = CAO_BANG,
    targets: Sequence[Row] = CAO_BANG_TARGETS,
    deadlines: Sequence[Row] = (),
    tasks: Sequence[Row] = (),
    *,
    english: bool = False,
    issued_as: Literal["as_given", "date", "text"] = "as_given",
    labels: Mapping[str, str] | None = None,
    headers: Mapping[str, Sequence[str]] | None = None,
    sheets: Mapping[str, str] | None = None,
    title_rows: int = 0,
    leave_out: Sequence[str] = (),
) -> bytes:
    """A plan workbook's bytes.

    fields: the «Kế hoạch» rows by the contract's keys (FIELDS), in this order; labels renames a field's «Mục».
    targets: (Chỉ tiêu, Năm, Tỷ lệ (%), [Ghi chú]); percent(80) is Excel's 80 % cell, a Cell any formatted cell.
    deadlines: (Kỳ báo cáo, Hạn, [Ghi chú]); tasks: (STT, Nhiệm vụ, Cơ quan chủ trì, Cơ quan phối hợp, Thời gian).
    english: the English names of sheets, columns and fields. issued_as: the issue date as a date cell or as
    text "dd/m/yyyy" (as_given: as the value is). headers: a sheet's header row as typed, by the contract's sheet
    key ("plan", "targets", "deadlines", "tasks"); sheets: a sheet's title as typed, by the same keys.
    title_rows: empty rows above each header (a title the office left blank). leave_out: sheets not written.
    """
    lang = 1 if english else 0
    labels = labels or {}
    headers = headers or {}
    sheets = sheets or {}
    wb = openpyxl.Workbook()
    first = wb.active
    assert first is not None
    wb.remove(first)

    def sheet(key: str, names: tuple[str, str]) -> Worksheet | None:
        if key in leave_out:
            return None
        return wb.create_sheet(sheets.get(key, names[lang]))

    head = sheet("plan", SHEET_PLAN)
    if head is not None:
        rows = []
        for k, value in fields.items():
            if k == "issued" and issued_as != "as_given":
                day = value if isinstance(value, dt.date) else _parse_day(value)
                value = f"{day.day:02d}/{day.month}/{day.year}" if issued_as == "text" else day
            rows.append([labels.get(k, FIELDS[k][lang]), value])
        header = headers.get("plan", [FIELD_HEADERS["field"][lang], FIELD_HEADERS["value"][lang]])
        _table(head, header, rows, start=1 + title_rows)
    for key, names, columns, count, values in (
        ("targets", SHEET_TARGETS, TARGET_COLUMNS, 4, targets),
        ("deadlines", SHEET_DEADLINES, DEADLINE_COLUMNS, 3, deadlines),
        ("tasks", SHEET_TASKS, TASK_COLUMNS, 5, tasks),
    ):
        ws = sheet(key, names)
        if ws is not None:
            header = headers.get(key, [n[lang] for n in list(columns.values())[:count]])
            _table(ws, header, values, start=1 + title_rows)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _parse_day(text: str) -> dt.date:
    day, month, year = (int(x) for x in str(text).split("/"))
    return dt.date(year, month, day)
