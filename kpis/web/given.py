"""What the upload page says about a file that the file may not: the officer's commune, the period chosen.

Kept apart from the page (and from streamlit) so the choices can be checked without a browser: the page
shows period_choices() in its "Kỳ báo cáo" picker and hands page_given() to preview and import_file.
"""

from __future__ import annotations

import datetime as dt

from kpis.core.periods import Quarter, last_ended_quarter
from kpis.core.settings import YEAR_MAX, YEAR_MIN
from kpis.intake.context import Given
from kpis.people.accounts import Account

PERIODS_BACK = 8  # the quarter now due and the seven before it: late reports and corrections


def period_choices(as_of: dt.date, count: int = PERIODS_BACK) -> list[Quarter | None]:
    """None first (the file says its period), then the quarter now due on as_of and those before it, newest
    first; only quarters of the years the product accepts."""
    year, quarter = last_ended_quarter(as_of)
    index = year * 4 + quarter - 1
    quarters = [divmod(i, 4) for i in range(index, index - count, -1)]
    return [None, *((y, q + 1) for y, q in quarters if YEAR_MIN <= y <= YEAR_MAX)]


def page_given(account: Account, period: Quarter | None) -> Given:
    """The Given of an upload from the page: the account's commune when it has exactly one (a commune
    officer's), and the period picked (None: the file's own)."""
    year, quarter = period if period is not None else (None, None)
    place = account.scopes[0] if len(account.scopes) == 1 and account.scopes[0].commune is not None else None
    if place is None:
        return Given(year=year, quarter=quarter)
    return Given(place.province, place.commune, year, quarter)
