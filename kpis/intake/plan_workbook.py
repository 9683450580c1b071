"""The plan workbook: its exact contract, and reading one into a Plan with every problem named.

The contract (other tools write it; kpis.intake.plan_template writes the template and the export):
sheets «Kế hoạch» (Mục | Nội dung, one row per field), «Chỉ tiêu» (Chỉ tiêu | Năm | Tỷ lệ (%) | Ghi chú),
«Hạn báo cáo» (Kỳ báo cáo | Hạn | Ghi chú) and «Nhiệm vụ» (STT | Nhiệm vụ | Cơ quan chủ trì | Cơ quan
phối hợp | Thời gian thực hiện), the last two possibly empty. Each sheet, field and column also answers
to its English name, and names match ignoring case, spacing, punctuation and diacritics.

The export adds what a plan holds beyond the contract so that a plan exported and imported again is
the same plan: the fields Mã kế hoạch, Trích yếu (tiếng Anh), Nguồn, Ghi chú, Ghi chú (tiếng Anh); an
English column in «Hạn báo cáo» and «Nhiệm vụ»; a «Mốc» sheet of milestones. All are optional.

Reading checks what the workbook alone can tell (a target outside 0-100, a year outside the range,
an unknown indicator, a place code not in the registry or not the named place, an indicator and year
twice, dates and periods that cannot be read). What depends on the plans already in force (a second
plan, what a replacement names) is kpis.intake.plan_import's.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field, replace
from typing import Any

from pydantic import ValidationError

from kpis.catalog.model import Catalog, Deadline, Milestone, Plan, Target, Task
from kpis.catalog.official import parse_code
from kpis.catalog.places import Places
from kpis.core.i18n import Lang, format_problem, t
from kpis.core.settings import YEAR_MAX, YEAR_MIN
from kpis.core.text import fold, text_issue, tone_key
from kpis.intake.cells import cell_text
from kpis.intake.indicator_words import match_indicator, names_of
from kpis.intake.limits import Grid, IngestError, check_size
from kpis.intake.sheets import sheets_from_workbook

# --- the contract ------------------------------------------------------------------------
# (Vietnamese, English) names; the Vietnamese one is what the template and the export write.
SHEET_PLAN = ("Kế hoạch", "Plan")
SHEET_TARGETS = ("Chỉ tiêu", "Targets")
SHEET_DEADLINES = ("Hạn báo cáo", "Deadlines")
SHEET_TASKS = ("Nhiệm vụ", "Tasks")
SHEET_MILESTONES = ("Mốc", "Milestones")
SHEET_GUIDE = ("Hướng dẫn", "Instructions")

FIELD_HEADERS = {"field": ("Mục", "Field"), "value": ("Nội dung", "Value")}
FIELDS = {  # the «Kế hoạch» sheet's rows
    "number": ("Số hiệu", "Number"),
    "issued": ("Ngày ban hành", "Issued"),
    "issuer": ("Cơ quan ban hành", "Issuer"),
    "level": ("Cấp", "Level"),
    "place_code": ("Mã đơn vị hành chính", "Place code"),
    "place": ("Tên đơn vị", "Place name"),
    "title": ("Trích yếu", "Title"),
    "replaces": ("Thay thế kế hoạch", "Replaces"),
    # the export's, optional:
    "plan_id": ("Mã kế hoạch", "Plan ID"),
    "title_en": ("Trích yếu (tiếng Anh)", "Title (English)"),
    "source": ("Nguồn", "Source"),
    "notes_vi": ("Ghi chú", "Notes"),
    "notes_en": ("Ghi chú (tiếng Anh)", "Notes (English)"),
}
REQUIRED_FIELDS = ("issuer", "level", "place_code", "place", "title")
CONTRACT_FIELDS = ("number", "issued", "issuer", "level", "place_code", "place", "title", "replaces")
LEVELS = {"province": ("Tỉnh", "Province"), "commune": ("Xã", "Commune")}

TARGET_COLUMNS = {
    "indicator": ("Chỉ tiêu", "Indicator"),
    "year": ("Năm", "Year"),
    "target_pct": ("Tỷ lệ (%)", "Target %"),
    "note": ("Ghi chú", "Note"),
}
DEADLINE_COLUMNS = {
    "period": ("Kỳ báo cáo", "Period"),
    "due": ("Hạn", "Due"),
    "note": ("Ghi chú", "Note"),
    "note_en": ("Ghi chú (tiếng Anh)", "Note (English)"),
}
TASK_COLUMNS = {
    "no": ("STT", "No"),
    "task": ("Nhiệm vụ", "Task"),
    "lead": ("Cơ quan chủ trì", "Lead"),
    "partners": ("Cơ quan phối hợp", "Partners"),
    "when": ("Thời gian thực hiện", "When"),
    "task_en": ("Nhiệm vụ (tiếng Anh)", "Task (English)"),
}
MILESTONE_COLUMNS = {
    "code": ("Mã", "Code"),
    "milestone": ("Mốc", "Milestone"),
    "milestone_en": ("Mốc (tiếng Anh)", "Milestone (English)"),
    "year": ("Năm", "Year"),
}
REQUIRED_COLUMNS = {
    SHEET_TARGETS: ("indicator", "year", "target_pct"),
    SHEET_DEADLINES: ("period", "due"),
    SHEET_TASKS: ("task", "lead", "when"),
    SHEET_MILESTONES: ("code", "milestone", "year"),
}
PERIODS = {  # Kỳ báo cáo -> the catalog's frequency
    "quarter": ("Quý", "Quarter"),
    "half_year": ("6 tháng", "Half-year"),
    "year": ("Năm", "Year"),
    "monthly": ("Tháng", "Month"),
    "periodic": ("Định kỳ", "Periodic"),
}
DEADLINE_LABELS = {  # the words of a deadline the workbook gave without a note
    "quarter": "plan_deadline_quarter",
    "half_year": "plan_deadline_half_year",
    "year": "plan_deadline_year",
    "monthly": "plan_deadline_monthly",
    "periodic": "plan_deadline_periodic",
}
MAX_PLAN_ROWS = 2_000  # rows a sheet of a plan may hold (targets, deadlines, tasks): a plan has dozens


def key(text: object) -> str:
    """A name as matched: folded, letters and digits only ("Tỷ lệ (%)" = "ty le", "Mã  đơn vị" = "ma don vi")."""
    return re.sub(r"[^a-z0-9]+", " ", fold(cell_text(text))).strip()


@dataclass(frozen=True)
class PlanProblem:
    """What is wrong, where the person sees it: the sheet, its row number and the column (or field) as written."""

    sheet: str | None
    row: int | None
    column: str | None
    code: str
    params: dict[str, Any] = field(default_factory=dict)

    def message(self, lang: Lang) -> str:
        text = format_problem(self.row, self.column, self.code, self.params, lang)
        return t("plan_problem_in_sheet", lang, sheet=self.sheet, message=text) if self.sheet else text


def plan_problem(sheet: str | None, row: int | None, column: str | None, what: str, **params: Any) -> PlanProblem:
    """A PlanProblem with its message's params as keywords."""
    return PlanProblem(sheet, row, column, what, params)


@dataclass(frozen=True)
class ReadPlan:
    """A workbook read: the plan (None when a problem stands in the way) and every problem found."""

    plan: Plan | None
    problems: list[PlanProblem]
    named_id: bool = False  # the workbook gave the id (Mã kế hoạch): an export; else the importer derived it
    plan_sheet: str | None = None  # the «Kế hoạch» sheet's title as written («Plan» in an English workbook)
    field_rows: dict[str, int] = field(default_factory=dict)  # the row each field (FIELDS' key) is on
    value_column: str = FIELD_HEADERS["value"][0]  # the «Nội dung» column's header as written

    @property
    def ok(self) -> bool:
        return self.plan is not None and not self.problems

    def located(self, problems: list[PlanProblem]) -> list[PlanProblem]:
        """Problems found against the plans in force (kpis.intake.plan_import, which names a field of «Kế hoạch» by
        its Vietnamese name and knows no row) placed where this workbook has them: its sheet, the field's row and
        the value column, as the reader's own problems are."""
        fields = {names[0]: k for k, names in FIELDS.items()}
        out = []
        for p in problems:
            if p.sheet == SHEET_PLAN[0] and p.row is None:
                k = fields.get(p.column or "")
                row = self.field_rows.get(k) if k else None
                p = replace(p, sheet=self.plan_sheet or p.sheet, row=row, column=self.value_column if row else p.column)
            out.append(p)
        return out


class _Sheet:
    """One sheet's grid, its header row found and its columns named by the contract's keys."""

    def __init__(self, title: str, grid: Grid, columns: dict[str, tuple[str, str]]) -> None:
        self.title = title
        self.grid = grid
        self.header_row: int | None = None
        self.index: dict[str, int] = {}
        self.written: dict[str, str] = {}  # key -> the header as the person wrote it
        wanted = {key(name): k for k, names in columns.items() for name in names}
        for r, row in enumerate(grid[:10]):
            found = {wanted[key(v)]: c for c, v in enumerate(row) if key(v) in wanted}
            if len(found) >= 2:
                self.header_row = r
                self.index = {}
                for k, c in found.items():
                    self.index.setdefault(k, c)
                self.written = {k: cell_text(row[c]) for k, c in self.index.items()}
                break

    def rows(self) -> list[tuple[int, dict[str, Any]]]:
        """(the row number people see, {key: value}) for every row under the header that holds something."""
        if self.header_row is None:
            return []
        out = []
        for r in range(self.header_row + 1, len(self.grid)):
            row = self.grid[r]
            values = {k: (row[c] if c < len(row) else None) for k, c in self.index.items()}
            if any(cell_text(v) for v in values.values()):
                out.append((r + 1, values))
        return out


def _find_sheet(sheets: list[tuple[str, Grid]], names: tuple[str, str]) -> tuple[str, Grid] | None:
    wanted = {key(n) for n in names}
    return next(((title, grid) for title, grid in sheets if key(title) in wanted), None)


def _text(value: Any) -> str:
    return cell_text(value).strip()


def parse_date(value: Any) -> dt.date | None:
    """A date cell, or dd/mm/yyyy (also with - or .) as offices type it; None if it is not one."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    m = re.fullmatch(r"(?:ngày\s*)?(\d{1,2})\s*[/.-]\s*(\d{1,2})\s*[/.-]\s*(\d{4})", _text(value), re.IGNORECASE)
    if not m:
        return None
    try:
        return dt.date(int(m.group(3)), int(m.group(2)), int(m.group(1)))
    except ValueError:
        return None


def _number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return float(value)
    text = _text(value).replace("%", "").replace(" ", "").replace(",", ".")
    try:
        return float(text)
    except ValueError:
        return None


def _year(value: Any) -> int | None:
    number = _number(value)
    return int(number) if number is not None and number.is_integer() else None


def _due(frequency: str, value: Any) -> tuple[int | None, int | None] | None:
    """(month, day) of a deadline as written: dd/mm, a date cell (Excel turns 10/6 into one), or a day for monthly."""
    if frequency == "periodic":
        return (None, None)
    if isinstance(value, (dt.date, dt.datetime)):
        return (None, value.day) if frequency == "monthly" else (value.month, value.day)
    text = re.sub(r"^(?:trước\s+)?(?:ngày\s*)?", "", _text(value), flags=re.IGNORECASE)
    if frequency == "monthly":
        day = _year(text)
        return (None, day) if day is not None and 1 <= day <= 31 else None
    m = re.fullmatch(r"(\d{1,2})\s*[/.-]\s*(\d{1,2})", text)
    if not m:
        return None
    day, month = int(m.group(1)), int(m.group(2))
    try:
        dt.date(2024, month, day)  # a leap year: 29/02 is a day
    except ValueError:
        return None
    return (month, day)


def deadline_label(frequency: str, month: int | None, day: int | None, lang: Lang) -> str:
    """The words of a deadline a workbook gave without a note: 'Báo cáo quý, trước ngày 20/3'."""
    when = "" if day is None else (str(day) if month is None else f"{day:02d}/{month:02d}")
    return t(DEADLINE_LABELS[frequency], lang, when=when)


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", fold(text)).strip("-")


def plan_id_for(place: str, number: str | None, issued: dt.date | None) -> str:
    """The id a plan gets when its workbook names none: place, number, year ('cao-bang-45-kh-ubnd-2026')."""
    parts = [_slug(place), _slug(number or "") or "ke-hoach", str(issued.year) if issued else ""]
    return "-".join(p for p in parts if p)


def task_code(place: str, place_code: int, written: str, position: int) -> str:
    """A task's code: the STT as written when it has a letter ('HA-01'), else the place's initials and code and the
    number ('CB4-01'), so that the tasks of two places never share a code and a replacing plan keeps its tasks'."""
    if re.search(r"[A-Za-zÀ-ỹ]", written):
        return written
    number = _year(written) or position
    initials = "".join(w[0] for w in fold(place).upper().split() if w[0].isalnum())
    return f"{initials}{place_code}-{number:02d}"


# --- reading -------------------------------------------------------------------------------


def read_plan_workbook(data: bytes, catalog: Catalog, places: Places) -> ReadPlan:
    """A plan workbook's bytes (hostile: parsed in a child, see kpis.intake.sheets) read into a Plan, or its problems."""
    if not data:  # an empty upload is told so, as a figures file is (kpis.intake.ingest), not called a broken workbook
        return ReadPlan(None, [PlanProblem(None, None, None, "file_empty")])
    try:
        check_size(data)
        sheets = sheets_from_workbook(data)
    except IngestError as e:
        return ReadPlan(None, [PlanProblem(None, None, None, e.code, e.params)])
    return _Reader(sheets, catalog, places).read()


class _Reader:
    def __init__(self, sheets: list[tuple[str, Grid]], catalog: Catalog, places: Places) -> None:
        self.sheets = sheets
        self.catalog = catalog
        self.places = places
        self.problems: list[PlanProblem] = []
        self.raw_fields: dict[str, Any] = {}  # the «Kế hoạch» sheet's cells as read (a date cell stays a date)
        self.value_header = FIELD_HEADERS["value"][0]  # the column a field's problem is in, as the sheet writes it

    def plan_problem(self, sheet: str | None, row: int | None, column: str | None, what: str, **params: Any) -> None:
        self.problems.append(plan_problem(sheet, row, column, what, **params))

    def rows(self, sheet: _Sheet) -> list[tuple[int, dict[str, Any]]]:
        """The sheet's rows, a control character in any of its cells named where it is: it cannot be shown or
        exported (openpyxl refuses it), so the plan is refused until it is deleted."""
        out = sheet.rows()
        for row, cells in out:
            for k, value in cells.items():
                found = text_issue(value, name=False) if isinstance(value, str) else None
                if found is not None and found[0] == "text_control":
                    self.plan_problem(sheet.title, row, sheet.written[k], found[0], **found[1])
        return out

    def sheet(self, names: tuple[str, str], columns: dict[str, tuple[str, str]], required: bool) -> _Sheet | None:
        found = _find_sheet(self.sheets, names)
        if found is None:
            if required:
                self.plan_problem(None, None, None, "plan_sheet_missing", name=names[0], english=names[1])
            return None
        title, grid = found
        if len(grid) > MAX_PLAN_ROWS:
            self.plan_problem(title, None, None, "plan_sheet_too_long", limit=MAX_PLAN_ROWS)
            return None
        sheet = _Sheet(title, grid, columns)
        needed = REQUIRED_COLUMNS.get(names, ("field", "value"))
        has_rows = any(cell_text(v) for row in grid for v in row)
        if sheet.header_row is None:
            if has_rows or required:
                self.plan_problem(
                    title, None, None, "plan_headers_missing", columns=", ".join(f"«{columns[k][0]}»" for k in needed)
                )
            return None
        for k in needed:
            if k not in sheet.index:
                self.plan_problem(
                    title, sheet.header_row + 1, None, "plan_column_missing", header=columns[k][0], english=columns[k][1]
                )
        return sheet if all(k in sheet.index for k in needed) else None

    def read(self) -> ReadPlan:
        head = self.sheet(SHEET_PLAN, FIELD_HEADERS, required=True)
        fields, at = self.fields(head) if head else ({}, {})
        targets = self.targets(self.sheet(SHEET_TARGETS, TARGET_COLUMNS, required=True))
        deadlines = self.deadlines(self.sheet(SHEET_DEADLINES, DEADLINE_COLUMNS, required=False))
        place = self.place(head, fields, at) if head else None
        tasks = self.tasks(self.sheet(SHEET_TASKS, TASK_COLUMNS, required=False), place)
        milestones = self.milestones(self.sheet(SHEET_MILESTONES, MILESTONE_COLUMNS, required=False))
        issued = self.issued(head, fields, at) if head else None
        if self.problems or head is None or place is None:
            return ReadPlan(None, self.problems)
        level, province, province_code, commune, commune_code = place
        number = fields.get("number") or None
        name = commune or province
        source = fields.get("source") or _citation(number, issued, fields["issuer"], fields["title"])
        try:
            plan = Plan(
                id=fields.get("plan_id") or plan_id_for(name, number, issued),
                number=number,
                date=issued,
                issuer=fields["issuer"],
                title_vi=fields["title"],
                title_en=fields.get("title_en") or fields["title"],
                province=province,
                province_code=province_code,
                commune=commune,
                commune_code=commune_code,
                source=source,
                replaces=fields.get("replaces") or None,
                notes_vi=fields.get("notes_vi", ""),
                notes_en=fields.get("notes_en", ""),
                targets=targets,
                deadlines=deadlines,
                tasks=tasks,
                milestones=milestones,
            )
        except ValidationError as e:  # what the checks above let through (an id of the wrong form): named, not raised
            for err in e.errors():
                where = ".".join(str(x) for x in err["loc"])
                self.plan_problem(head.title, None, where, "plan_field_invalid", error=err["msg"])
            return ReadPlan(None, self.problems)
        return ReadPlan(
            plan if not self.problems else None, self.problems, bool(fields.get("plan_id")), head.title, at, self.value_header
        )

    def fields(self, sheet: _Sheet) -> tuple[dict[str, str], dict[str, int]]:
        """The «Kế hoạch» sheet's fields as text, and the row each is on."""
        wanted = {key(name): k for k, names in FIELDS.items() for name in names}
        self.value_header = sheet.written.get("value", self.value_header)
        values: dict[str, str] = {}
        at: dict[str, int] = {}
        for row, cells in self.rows(sheet):
            label = _text(cells.get("field"))
            k = wanted.get(key(label.rstrip("*: ")))
            if k is None:
                if label:
                    self.plan_problem(sheet.title, row, sheet.written["field"], "plan_field_unknown", field=label)
                continue
            if k in at:
                self.plan_problem(sheet.title, row, sheet.written["field"], "plan_field_twice", field=label, first=at[k])
                continue
            at[k] = row
            self.raw_fields[k] = cells.get("value")
            values[k] = _text(cells.get("value"))
        for k in REQUIRED_FIELDS:
            if not values.get(k):
                self.plan_problem(sheet.title, at.get(k), self.value_header, "plan_field_missing", field=FIELDS[k][0])
        if "plan_id" in values and values["plan_id"] and not re.fullmatch(r"[a-z0-9][a-z0-9-]*", values["plan_id"]):
            self.plan_problem(sheet.title, at["plan_id"], self.value_header, "plan_id_invalid", value=values["plan_id"])
        return values, at

    def issued(self, sheet: _Sheet, fields: dict[str, str], at: dict[str, int]) -> dt.date | None:
        if not fields.get("issued"):
            return None
        day = parse_date(self.raw_fields.get("issued"))
        if day is None:
            self.plan_problem(sheet.title, at["issued"], self.value_header, "plan_date_invalid", value=fields["issued"])
        return day

    def place(
        self, sheet: _Sheet, fields: dict[str, str], at: dict[str, int]
    ) -> tuple[str, str, int, str | None, int | None] | None:
        """(level, province, its code, commune or None, its code) from Cấp, Mã đơn vị hành chính and Tên đơn vị."""
        levels = {key(n): k for k, names in LEVELS.items() for n in names}
        level = levels.get(key(fields.get("level", "")))
        if fields.get("level") and level is None:
            self.plan_problem(sheet.title, at["level"], self.value_header, "plan_level_invalid", value=fields["level"])
        if level is None or not fields.get("place_code") or not fields.get("place"):
            return None
        code = parse_code(self.raw_fields.get("place_code"))
        row, column, written = at["place_code"], self.value_header, fields["place_code"]
        if code is None:
            self.plan_problem(sheet.title, row, column, "plan_place_code_invalid", value=written)
            return None
        name = fields["place"]
        if level == "province":
            province = self.places.province_by_code(code)
            if province is None:
                self.plan_problem(sheet.title, row, column, "plan_province_unknown", code=written)
                return None
            if tone_key(name, strip_prefix=True) != tone_key(province, strip_prefix=True):
                self.plan_problem(
                    sheet.title, at["place"], self.value_header, "plan_place_mismatch", name=name, code=written, actual=province
                )
                return None
            return level, province, code, None, None
        commune = self.places.commune_by_code(code)
        if commune is None or commune.province_code is None:
            self.plan_problem(sheet.title, row, column, "plan_commune_unknown", code=written)
            return None
        if tone_key(name, strip_prefix=True) != tone_key(commune.name, strip_prefix=True):
            actual = f"{commune.kind} {commune.name}, {commune.province}"
            self.plan_problem(
                sheet.title, at["place"], self.value_header, "plan_place_mismatch", name=name, code=written, actual=actual
            )
            return None
        return level, commune.province, commune.province_code, commune.name, code

    def targets(self, sheet: _Sheet | None) -> list[Target]:
        if sheet is None:
            return []
        out: list[Target] = []
        seen: dict[tuple[str, int], int] = {}
        col = sheet.written
        for row, cells in self.rows(sheet):
            written = _text(cells.get("indicator"))
            match = match_indicator(self.catalog, written) if written else None
            if match is None:
                self.plan_problem(sheet.title, row, col["indicator"], "plan_indicator_missing")
            elif match.code is None:
                known = names_of(self.catalog, tuple(self.catalog.indicators))
                self.plan_problem(sheet.title, row, col["indicator"], "plan_indicator_unknown", value=written, known=known)
            year = _year(cells.get("year"))
            if year is None or not YEAR_MIN <= year <= YEAR_MAX:
                self.plan_problem(
                    sheet.title,
                    row,
                    col["year"],
                    "plan_year_invalid",
                    value=_text(cells.get("year")),
                    first=YEAR_MIN,
                    last=YEAR_MAX,
                )
            pct = _percent(cells.get("target_pct"))
            if pct is None or not 0 <= pct <= 100:
                self.plan_problem(
                    sheet.title, row, col["target_pct"], "plan_target_invalid", value=_text(cells.get("target_pct"))
                )
            if match is None or match.code is None or year is None or pct is None:
                continue
            if (match.code, year) in seen:
                self.plan_problem(
                    sheet.title, row, col["indicator"], "plan_target_twice",
                    indicator=self.catalog.indicators[match.code].short_vi, year=year, first=seen[(match.code, year)],
                )  # fmt: skip
                continue
            seen[(match.code, year)] = row
            if YEAR_MIN <= year <= YEAR_MAX and 0 <= pct <= 100:
                out.append(Target(indicator=match.code, year=year, target_pct=pct, quote=_text(cells.get("note"))))
        return out

    def deadlines(self, sheet: _Sheet | None) -> list[Deadline]:
        if sheet is None:
            return []
        periods = {key(n): k for k, names in PERIODS.items() for n in names}
        out: list[Deadline] = []
        col = sheet.written
        for row, cells in self.rows(sheet):
            written = _text(cells.get("period"))
            frequency = periods.get(key(written))
            if frequency is None:
                choices = ", ".join(f"«{names[0]}»" for names in PERIODS.values())
                self.plan_problem(sheet.title, row, col["period"], "plan_period_invalid", value=written, choices=choices)
                continue
            due = _due(frequency, cells.get("due"))
            if due is None:
                key_ = "plan_due_monthly_invalid" if frequency == "monthly" else "plan_due_invalid"
                self.plan_problem(sheet.title, row, col["due"], key_, value=_text(cells.get("due")))
                continue
            month, day = due
            note, note_en = _text(cells.get("note")), _text(cells.get("note_en"))
            out.append(
                Deadline(
                    frequency=frequency,  # type: ignore[arg-type]  # a key of PERIODS: the catalog's Frequency
                    month=month,
                    day=day,
                    label_vi=note or deadline_label(frequency, month, day, "vi"),
                    label_en=note_en or deadline_label(frequency, month, day, "en"),
                )
            )
        return out

    def tasks(self, sheet: _Sheet | None, place: tuple[str, str, int, str | None, int | None] | None) -> list[Task]:
        if sheet is None:
            return []
        out: list[Task] = []
        col = sheet.written
        seen: dict[str, int] = {}
        name, code = ("", 0) if place is None else (place[3] or place[1], place[4] or place[2])
        for position, (row, cells) in enumerate(self.rows(sheet), start=1):
            title, lead, when = _text(cells.get("task")), _text(cells.get("lead")), _text(cells.get("when"))
            for k, value in (("task", title), ("lead", lead), ("when", when)):
                if not value:
                    self.plan_problem(sheet.title, row, col[k], "plan_task_cell_missing")
            task = task_code(name, code, _text(cells.get("no")), position)
            if task in seen:
                self.plan_problem(
                    sheet.title, row, col.get("no", TASK_COLUMNS["no"][0]), "plan_task_twice", task=task, first=seen[task]
                )
            seen[task] = row
            if title and lead and when:
                partners = [p.strip() for p in re.split(r"[;\n]", _text(cells.get("partners"))) if p.strip()]
                out.append(
                    Task(
                        code=task,
                        title_vi=title,
                        title_en=_text(cells.get("task_en")),
                        lead=lead,
                        partners=partners,
                        deadline=when,
                    )
                )
        return out

    def milestones(self, sheet: _Sheet | None) -> list[Milestone]:
        if sheet is None:
            return []
        out: list[Milestone] = []
        col = sheet.written
        for row, cells in self.rows(sheet):
            code, title, year = _text(cells.get("code")), _text(cells.get("milestone")), _year(cells.get("year"))
            if not code or not title:
                self.plan_problem(sheet.title, row, col["code" if not code else "milestone"], "plan_task_cell_missing")
                continue
            if year is None or not YEAR_MIN <= year <= YEAR_MAX:
                self.plan_problem(
                    sheet.title,
                    row,
                    col["year"],
                    "plan_year_invalid",
                    value=_text(cells.get("year")),
                    first=YEAR_MIN,
                    last=YEAR_MAX,
                )
                continue
            out.append(Milestone(code=code, title_vi=title, title_en=_text(cells.get("milestone_en")) or title, year=year))
        return out


def _percent(value: Any) -> float | None:
    """A target as written: 80, "80", "80%", "80,5"; a number cell in (0, 1] is Excel's 80% (0.8), read as 80.

    The fraction times 100 is rounded to 10 decimals: Excel's 57 % is the double 0.57, and 0.57 * 100 is
    56.99999999999999, which would be shown and compared as the target."""
    number = _number(value)
    if number is not None and isinstance(value, float) and 0 < number <= 1:
        return round(number * 100, 10)
    return number


def _citation(number: str | None, issued: dt.date | None, issuer: str, title: str) -> str:
    """How a reader cites the plan when the workbook gives no Nguồn (in Vietnamese, as the document is cited)."""
    if number and issued:
        return t("export_plan_cite", "vi", number=number, date=f"{issued.day:02d}/{issued.month}/{issued.year}", issuer=issuer)
    return f"{title} ({issuer})"
