"""The upload page's Given: the account's commune when it has exactly one, and the period picked."""

from __future__ import annotations

import datetime as dt

from kpis.intake.context import Given
from kpis.people.accounts import Account, Scope
from kpis.web.given import page_given, period_choices


def test_period_choices_start_with_the_files_own_then_the_quarter_now_due():
    assert period_choices(dt.date(2026, 3, 31), 4) == [None, (2025, 4), (2025, 3), (2025, 2), (2025, 1)]  # 31/3: Q1 still runs
    assert period_choices(dt.date(2026, 4, 1), 2) == [None, (2026, 1), (2025, 4)]
    assert period_choices(dt.date(2024, 5, 2)) == [None, (2024, 1)]  # nothing before the first year the product takes


def test_a_commune_officer_gives_the_commune_and_others_give_only_the_period():
    officer = Account("lan", "", "commune", (Scope("Điện Biên", "Mường Mùn", 11, 3268),))
    assert page_given(officer, (2025, 3)) == Given("Điện Biên", "Mường Mùn", 2025, 3)
    assert page_given(officer, None) == Given("Điện Biên", "Mường Mùn")
    two = Account("an", "", "commune", (Scope("Điện Biên", "Mường Mùn"), Scope("Điện Biên", "Tuần Giáo")))
    province = Account("tinh", "", "province", (Scope("Điện Biên", None),))
    admin = Account("quantri", "", "admin", ())
    for account in (two, province, admin):
        assert page_given(account, (2025, 2)) == Given(year=2025, quarter=2)
        assert page_given(account, None).empty
