"""The task-progress sheet: one row per update (task or milestone code, status, date, note, evidence).

Declared once here and checked like the figures: every rule on every row, every problem
collected with its row and column (kpis.intake.validate.Problem, rendered by kpis.core.i18n), and a
sheet is taken whole or refused whole. The in-app form goes through check_cells() too.
"""

from __future__ import annotations

import datetime as dt
import difflib
import io
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import openpyxl

from kpis.core.parse import ParseError
from kpis.core.settings import YEAR_MIN
from kpis.core.text import clean_display, fold, text_issue
from kpis.core.xlsx import active_sheet
from kpis.intake.ingest import IngestError, RawTable, read_table
from kpis.intake.validate import Problem

COLUMNS: tuple[str, ...] = ("code", "status", "date", "note", "evidence")
REQUIRED: tuple[str, ...] = ("code", "status", "date")
HEADERS_VI = {"code": "Mã nhiệm vụ", "status": "Trạng thái", "date": "Ngày", "note": "Ghi chú", "evidence": "Minh chứng"}
_ALIASES: dict[str, tuple[str, ...]] = {
    "code": ("ma", "ma nhiem vu", "ma moc", "ma nhiem vu/moc", "task code", "task", "milestone"),
    "status": ("trang thai", "tinh trang", "tien do", "status"),
    "date": ("ngay", "ngay cap nhat", "ngay bao cao", "date"),
    "note": ("ghi chu", "noi dung", "ket qua", "note"),
    "evidence": ("minh chung", "tai lieu", "duong dan", "link", "evidence"),
}
_HEADER_KEYS = {alias: col for col, aliases in _ALIASES.items() for alias in (col, *aliases)}
STATUSES: tuple[str, ...] = ("not_started", "in_progress", "done")
_STATUS_WORDS: dict[str, tuple[str, ...]] = {
    "not_started": ("chua thuc hien", "chua bat dau", "chua trien khai", "not started", "not_started"),
    "in_progress": ("dang thuc hien", "dang trien khai", "in progress", "in_progress"),
    "done": ("hoan thanh", "da hoan thanh", "da thuc hien", "xong", "done", "completed"),
}
_STATUS_KEYS = {word: status for status, words in _STATUS_WORDS.items() for word in words}
EARLIEST = dt.date(YEAR_MIN, 1, 1)  # no task progress is dated before the first reporting year
MAX_NOTE = 500
_DAY_FIRST = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$")
_TEXT_COLUMNS = ("code", "status", "note", "evidence")
_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T].*)?$")


def match_task_header(text: str) -> str | None:
    """Canonical column for a header cell of the task sheet, ignoring case, spacing and diacritics."""
    return _HEADER_KEYS.get(fold(text).replace("_", " ").rstrip(":*").strip())


def parse_status(value: Any) -> str:
    """'Đang thực hiện', 'hoàn thành', 'done' ... -> not_started | in_progress | done."""
    text = clean_display(str(value)) if value is not None else ""
    if not text:
        raise ParseError("required")
    status = _STATUS_KEYS.get(fold(text))
    if status is None:
        raise ParseError("task_status_invalid", value=text)
    return status


def parse_day(value: Any) -> dt.date:
    """A date cell, or text as people type it: 15/3/2026, 15-03-2026, 2026-03-15."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = clean_display(str(value)) if value is not None else ""
    if not text:
        raise ParseError("required")
    try:
        if m := _DAY_FIRST.match(text):
            return dt.date(int(m.group(3)), int(m.group(2)), int(m.group(1)))
        if m := _ISO.match(text):
            return dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    except ValueError:
        pass
    raise ParseError("task_date_invalid", value=text)


@dataclass(frozen=True)
class KnownItem:
    plan_id: str
    kind: str  # task | milestone


@dataclass
class CheckedSheet:
    rows: list[dict[str, Any]]  # code, plan_id, kind, status, status_date, note, evidence, line
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def check_cells(
    cells: Mapping[str, Any],
    known: Mapping[str, KnownItem],
    today: dt.date,
    line: int | None = None,
    headers: Mapping[str, str] | None = None,
) -> tuple[dict[str, Any], list[Problem]]:
    """Every rule on one update (a sheet row or the form): the clean values and the problems."""
    headers = headers or {}
    problems: list[Problem] = []

    def problem(column: str, code: str, **params: Any) -> None:
        problems.append(Problem(line, headers.get(column, HEADERS_VI[column]), code, params))

    # a control or invisible character makes a note break the exports and a code look right but not match
    bad = {c: issue for c in _TEXT_COLUMNS if type(v := cells.get(c)) is str and (issue := text_issue(v, name=False))}
    code_text = clean_display(str(cells.get("code") or ""))
    item = _find(code_text, known) if "code" not in bad else None
    if "code" in bad:
        problem("code", bad["code"][0], **bad["code"][1])
    elif not code_text:
        problem("code", "required")
    elif item is None:
        suggest = ", ".join(difflib.get_close_matches(code_text.upper(), list(known), n=3, cutoff=0.6))
        problem("code", "task_code_unknown", value=code_text, suggest=suggest)
    out: dict[str, Any] = {"line": line, "code": item[0] if item else None}
    out["plan_id"], out["kind"] = (item[1].plan_id, item[1].kind) if item else (None, None)
    for column, parser in (("status", parse_status), ("date", parse_day)):
        if column in bad:
            problem(column, bad[column][0], **bad[column][1])
            out[column] = None
            continue
        try:
            out[column] = parser(cells.get(column))
        except ParseError as e:
            problem(column, e.code, **e.params)
            out[column] = None
    day = out.pop("date")
    if day is not None and day > today:
        problem("date", "task_date_future", value=day.strftime("%d/%m/%Y"), today=today.strftime("%d/%m/%Y"))
    elif day is not None and day < EARLIEST:
        problem("date", "task_date_early", value=day.strftime("%d/%m/%Y"), earliest=EARLIEST.strftime("%d/%m/%Y"))
    out["status_date"] = day
    for column in ("note", "evidence"):
        text = clean_display(str(cells.get(column) or ""))
        if column in bad:
            problem(column, bad[column][0], **bad[column][1])
        elif len(text) > MAX_NOTE:
            problem(column, "task_text_long", length=len(text), limit=MAX_NOTE)
        out[column] = text or None
    return out, problems


def _find(code: str, known: Mapping[str, KnownItem]) -> tuple[str, KnownItem] | None:
    key = fold(code).replace(" ", "").upper()
    for candidate, item in known.items():
        if candidate.replace(" ", "").upper() == key:
            return candidate, item
    return None


def check_table(table: RawTable, known: Mapping[str, KnownItem], today: dt.date) -> CheckedSheet:
    """Every rule on every row of a read sheet; rows are usable only when problems is empty."""
    missing = [c for c in REQUIRED if c not in table.columns]
    if missing:
        return CheckedSheet(
            [],
            [
                Problem(table.header_line, HEADERS_VI[c], "column_missing", {"expected": f"{HEADERS_VI[c]} / {c}"})
                for c in missing
            ],
        )
    # a row with only a code (as in the template) records nothing and is passed over
    filled = [r for r in table.rows if any(not _blank(r.cells.get(c)) for c in COLUMNS if c != "code")]
    if not filled:
        return CheckedSheet([], [Problem(None, None, "file_no_rows")])
    rows, problems = [], []
    seen: dict[tuple[str, dt.date], int] = {}
    for raw in filled:
        out, row_problems = check_cells(raw.cells, known, today, raw.line, table.columns)
        if not row_problems:
            key = (out["code"], out["status_date"])
            if key in seen:
                row_problems.append(Problem(raw.line, None, "task_duplicate_row", {"other": seen[key]}))
            else:
                seen[key] = raw.line
                rows.append(out)
        problems.extend(row_problems)
    return CheckedSheet(rows if not problems else [], problems)


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def check_file(data: bytes, file_name: str, known: Mapping[str, KnownItem], today: dt.date) -> CheckedSheet:
    """Read and check a task sheet (.xlsx or .csv) without writing anything."""
    try:
        table = read_table(data, file_name, match=match_task_header)
    except IngestError as e:
        code = "task_file_no_header" if e.code == "file_no_header" else e.code
        return CheckedSheet([], [Problem(None, None, code, e.params)])
    return check_table(table, known, today)


def template_xlsx(items: list[tuple[str, str]], status_words: list[str]) -> bytes:
    """A sheet to fill in: the header, one row per (code, title); rows left without a status are passed over."""
    wb = openpyxl.Workbook()
    ws = active_sheet(wb)
    ws.title = "Tiến độ"
    ws.append(["CẬP NHẬT TIẾN ĐỘ NHIỆM VỤ VÀ MỐC / TASK AND MILESTONE PROGRESS"])
    ws.append(["Trạng thái / status: " + "; ".join(status_words) + ". Ngày / date: dd/mm/yyyy."])
    ws.append([HEADERS_VI[c] for c in COLUMNS] + ["Tên nhiệm vụ/mốc (để tham khảo)"])
    for code, title in items:
        ws.append([code, None, None, None, None, title])
    for column, width in zip("ABCDEF", (14, 18, 12, 40, 30, 80), strict=True):
        ws.column_dimensions[column].width = width
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
