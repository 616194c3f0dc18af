"""Protection of a trend against the period total shown beside it (published views)."""

from __future__ import annotations

from datetime import date

import pandas as pd

from core.periods import financial_year, quarter
from metrics.disclosure import protect_against_totals


def _trend(values, suppressed):
    qs = [quarter(2025, q) for q in (1, 2, 3, 4)]
    return pd.DataFrame({"id": "SUP-01", "period_start": [q.start for q in qs], "period_end": [q.end for q in qs],
                         "numerator": None, "denominator": None, "value": values, "lower_ci": None,
                         "upper_ci": None, "suppressed": suppressed})


def test_one_hidden_quarter_inside_a_shown_year_hides_the_smallest_other():
    out = protect_against_totals(_trend([None, 20, 7, 30], [True, False, False, False]),
                                 totals=[financial_year(2025)])
    assert out["suppressed"].tolist() == [True, False, True, False]
    assert pd.isna(out.loc[2, "value"])


def test_nothing_more_hidden_when_two_are_hidden_or_the_total_is_one_quarter():
    two = _trend([None, None, 7, 30], [True, True, False, False])
    assert protect_against_totals(two, totals=[financial_year(2025)])["suppressed"].tolist() == \
        [True, True, False, False]
    one = _trend([None, 20, 7, 30], [True, False, False, False])
    assert protect_against_totals(one, totals=[quarter(2025, 1)])["suppressed"].tolist() == \
        [True, False, False, False]


def test_zeros_are_not_chosen_to_hide():
    out = protect_against_totals(_trend([None, 0, 9, 30], [True, False, False, False]),
                                 totals=[financial_year(2025)])
    assert out["suppressed"].tolist() == [True, False, True, False]
    assert date(2025, 4, 1) == out.loc[0, "period_start"]
