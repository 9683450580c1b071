"""Quarters and dates as commune offices write them: "Quý I/2025", "10/06/2026".

Reporting compliance and task deadlines both count in calendar quarters and days;
these small helpers keep that arithmetic (and its display) in one place.
"""

from __future__ import annotations

import calendar
import datetime as dt

from babel.dates import format_date

from kpis.core.i18n import Lang, locale_of, t

Quarter = tuple[int, int]  # (year, quarter 1-4)
ROMAN = ("I", "II", "III", "IV")


def day_in_month(year: int, month: int, day: int) -> dt.date:
    """The day, or the month's last day when the month is shorter (31 -> 30/6, 28/2)."""
    return dt.date(year, month, min(day, calendar.monthrange(year, month)[1]))


def month_end(year: int, month: int) -> dt.date:
    return day_in_month(year, month, 31)


def quarter_end(year: int, quarter: int) -> dt.date:
    return month_end(year, quarter * 3)


def quarter_of(day: dt.date) -> Quarter:
    return day.year, (day.month - 1) // 3 + 1


def next_quarter(q: Quarter) -> Quarter:
    year, quarter = q
    return (year + 1, 1) if quarter == 4 else (year, quarter + 1)


def quarters_between(first: Quarter, last: Quarter) -> list[Quarter]:
    """Every quarter from first to last, both included (empty when last is before first)."""
    out: list[Quarter] = []
    q = first
    while q <= last:
        out.append(q)
        q = next_quarter(q)
    return out


def last_ended_quarter(as_of: dt.date) -> Quarter:
    """The latest quarter whose last day is before as_of (on 31/3 the first quarter is still running)."""
    year, quarter = quarter_of(as_of)
    return (year - 1, 4) if quarter == 1 else (year, quarter - 1)


def quarter_label(year: int, quarter: int, lang: Lang, in_sentence: bool = False) -> str:
    """'Quý III/2026' (vi) or 'Q3 2026' (en); in_sentence gives the form used inside a sentence ('quý III/2026')."""
    key = "quarter_in_sentence" if in_sentence else "quarter_label"
    return t(key, lang, roman=ROMAN[quarter - 1], quarter=quarter, year=year)


def quarter_ranges(quarters: list[Quarter], lang: Lang) -> str:
    """Sorted quarters as runs: 'Quý I/2025 – Quý I/2026, Quý III/2026'."""
    runs: list[list[Quarter]] = []
    for q in sorted(quarters):
        if runs and next_quarter(runs[-1][-1]) == q:
            runs[-1].append(q)
        else:
            runs.append([q])
    return ", ".join(
        quarter_label(*run[0], lang) + (f" – {quarter_label(*run[-1], lang)}" if len(run) > 1 else "") for run in runs
    )


def fmt_date(day: dt.date | dt.datetime | None, lang: Lang) -> str:
    """10/06/2026 (vi) or 10 Jun 2026 (en): babel, with the catalog's pattern_date; an en dash for no date."""
    if day is None or day != day:  # None or NaT
        return "–"
    return format_date(day, t("pattern_date", lang), locale=locale_of(lang))


def fmt_day_month(day: dt.date, lang: Lang) -> str:
    """10/12 (vi) or 10 Dec (en): a due day where the year is clear from the column."""
    return format_date(day, t("pattern_day_month", lang), locale=locale_of(lang))
