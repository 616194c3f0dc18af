"""Reporting periods: the standard periods published figures are given for."""

from __future__ import annotations

from datetime import date

from core.periods import Period, financial_year, parse


def test_standard_periods_of_a_financial_year():
    from core.periods import is_standard, standard_periods, year_to_date

    got = standard_periods(2026)
    assert len(got) == 19 and got[0] == parse("2026-04") and got[11] == parse("2027-03")
    assert got[12:16] == [parse(f"2026-27-Q{q}") for q in (1, 2, 3, 4)]
    assert got[16:] == [year_to_date(2026, 2), year_to_date(2026, 3), financial_year(2026)]
    assert year_to_date(2026, 2) == Period(date(2026, 4, 1), date(2026, 9, 30))
    assert all(is_standard(p) for p in got)
    assert not is_standard(Period(date(2026, 4, 8), date(2026, 6, 30)))  # a quarter less its first week
    assert not is_standard(Period(date(2026, 3, 1), date(2026, 4, 30)))  # two months
    assert not is_standard(Period(date(2026, 1, 1), date(2026, 12, 31)))  # a calendar year
