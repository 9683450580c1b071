"""A plan's task deadline as written ("Tháng 6/2025", "Quý 1/2026 và các năm tiếp theo",
"Thường xuyên") -> a due day that can be checked.

The plans keep the words; this module reads them the way a commune office does:
- "Thường xuyên ..." and "Theo phát động ..." (on call): recurring work, no due day, never late;
- "Tháng M/YYYY" -> the month's last day; "Quý Q/YYYY" -> the quarter's last day;
  "Năm YYYY" -> 31/12; a written date "dd/mm/yyyy" -> that day;
- "... hằng năm" or "... và các năm tiếp theo" -> the same day every year from the first year;
- no year written ("Quý II", "Tháng 10 hằng năm") -> the year of the plan.
The due day itself is still on time; the day after it the task is one day late.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Literal

from kpis.core.periods import day_in_month, month_end
from kpis.core.text import fold

Kind = Literal["once", "yearly", "ongoing", "unknown"]
_QUARTER_WORDS = {"1": 1, "2": 2, "3": 3, "4": 4, "i": 1, "ii": 2, "iii": 3, "iv": 4}
_YEAR = r"(?:\s*/\s*|\s+nam\s+)(\d{4})"
_DATE_RE = re.compile(r"\b(\d{1,2})\s*/\s*(\d{1,2})\s*/\s*(\d{4})\b")
_QUARTER_RE = re.compile(r"\bquy\s+(iv|iii|ii|i|[1-4])\b(?:" + _YEAR + ")?")
_MONTH_RE = re.compile(r"\bthang\s+(\d{1,2})\b(?:" + _YEAR + ")?")
_YEAR_ONLY_RE = re.compile(r"^nam\s+(\d{4})\b")
_ANY_YEAR_RE = re.compile(r"\b(20\d{2})\b")


@dataclass(frozen=True)
class TaskDeadline:
    text: str  # as the plan writes it
    kind: Kind
    month: int | None = None
    day: int | None = None
    first_year: int | None = None  # the (first) year the task falls due

    def due(self, as_of: dt.date) -> dt.date | None:
        """The due day that counts on as_of: the fixed day, or this year's for yearly work."""
        if self.kind == "once":
            return day_in_month(*self._fixed_day())
        if self.kind == "yearly":
            first_year, month, day = self._fixed_day()
            return day_in_month(max(as_of.year, first_year), month, day)
        return None

    def cycle_start(self, as_of: dt.date) -> dt.date | None:
        """For yearly work after its first year, only this year's updates count; else all of them."""
        if self.kind == "yearly" and as_of.year > self._fixed_day()[0]:
            return dt.date(as_of.year, 1, 1)
        return None

    def _fixed_day(self) -> tuple[int, int, int]:
        """(first year, month, day) of a dated deadline; "once" and "yearly" are always built with all three."""
        if self.first_year is None or self.month is None or self.day is None:
            raise ValueError(f"deadline {self.text!r} of kind {self.kind!r} has no fixed day")
        return self.first_year, self.month, self.day


def parse_deadline(text: str, plan_year: int | None) -> TaskDeadline:
    """Read a deadline as written; unknown wording keeps its text and has no due day."""
    key = fold(text)
    if key.startswith("thuong xuyen") or key.startswith("theo "):
        first = _ANY_YEAR_RE.search(key)
        return TaskDeadline(text, "ongoing", first_year=int(first.group(1)) if first else plan_year)
    yearly = "hang nam" in key or "cac nam tiep theo" in key
    year: int | None  # a quarter or month written without a year falls back to plan_year, which may be None
    if m := _DATE_RE.search(key):
        day, month, year = int(m.group(1)), int(m.group(2)), int(m.group(3))
        if 1 <= month <= 12 and 1 <= day <= 31:
            return TaskDeadline(text, "yearly" if yearly else "once", month, day, year)
    if m := _QUARTER_RE.search(key):
        month, year = _QUARTER_WORDS[m.group(1)] * 3, int(m.group(2)) if m.group(2) else plan_year
        return _dated(text, yearly, month, month_end(2000, month).day, year)
    if (m := _MONTH_RE.search(key)) and 1 <= int(m.group(1)) <= 12:
        month, year = int(m.group(1)), int(m.group(2)) if m.group(2) else plan_year
        return _dated(text, yearly, month, 31, year)
    if m := _YEAR_ONLY_RE.search(key):
        return _dated(text, yearly, 12, 31, int(m.group(1)))
    return TaskDeadline(text, "unknown")


def _dated(text: str, yearly: bool, month: int, day: int, year: int | None) -> TaskDeadline:
    if year is None:
        return TaskDeadline(text, "unknown")
    return TaskDeadline(text, "yearly" if yearly else "once", month, day, year)


def milestone_deadline(year: int) -> TaskDeadline:
    """A milestone set for a year is due by the year's last day."""
    return TaskDeadline(str(year), "once", 12, 31, year)
