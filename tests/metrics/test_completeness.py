"""Which sources covered which months; the returns grid (on time, late, nil, missing, not yet due)."""

from __future__ import annotations

from datetime import date, datetime

import pandas as pd
import pytest

from core import clock
from core.periods import Period, parse
from metrics.catalogue import by_id
from metrics.completeness import assess, covered_months, return_grid
from tests.metrics import dataset


def _cov(rows):
    return pd.DataFrame(rows, columns=["partner", "return_name", "period_start", "period_end"]).assign(
        period_start=lambda d: pd.to_datetime(d["period_start"]), period_end=lambda d: pd.to_datetime(d["period_end"])
    )


def test_a_submission_covers_only_whole_months():
    cov = covered_months(
        _cov(
            [
                ("police", "police_monthly", "2026-04-01", "2026-06-30"),
                ("dental", "health_contacts", "2026-04-15", "2026-06-14"),
            ]
        )
    )
    assert ("police/police_monthly", date(2026, 5, 1)) in cov and len(
        [c for c in cov if c[0].startswith("police")]
    ) == 3
    # 15 April .. 14 June holds the whole of May only
    assert {m for s, m in cov if s == "dental/health_contacts"} == {date(2026, 5, 1)}


def test_status_rules():
    ind = by_id("ENG-03")  # own aspirations/attendance; plus the cohort's sources
    q = parse("2026-27-Q1")
    full = {(s, m) for s in ind.sources for m in q.months()}
    assert assess(indicator=ind, period=q, covered=full) == ("complete", [])
    # cohort's outreach covers, attendance never does -> not reported (own source covers nothing)
    only_outreach = {(s, m) for s, m in full if s != "aspirations/attendance"}
    status, missing = assess(indicator=ind, period=q, covered=only_outreach)
    assert status == "not_reported" and sorted(missing) == [
        "aspirations/attendance/2026-04",
        "aspirations/attendance/2026-05",
        "aspirations/attendance/2026-06",
    ]
    # own source covers one month -> incomplete
    one = only_outreach | {("aspirations/attendance", date(2026, 5, 1))}
    assert assess(indicator=ind, period=q, covered=one)[0] == "incomplete"


def test_return_grid_states(engine):
    dataset.submit(
        engine,
        "police",
        "2026-04",
        {"police_monthly": (dataset.PM, dataset.POLICE["2026-04"])},
        loaded_at=datetime(2026, 5, 15, 21, 0),
    )  # 10pm UTC on 15 May = 11pm London: on time
    dataset.submit(
        engine,
        "police",
        "2026-05",
        {"police_monthly": (dataset.PM, [("2026-05-01", 1, 1, 1, 1)])},
        loaded_at=datetime(2026, 6, 16, 9, 0),
    )  # due 15 June: late
    dataset.submit(engine, "vineyard", "2026-04", {"outreach": (dataset.OUT, [])})  # nil
    g = return_grid(engine=engine, start=date(2026, 4, 1), end=date(2026, 7, 31), today=date(2026, 7, 10))
    state = {(r.partner, r.return_name, r.month): r.state for r in g.itertuples()}
    assert state[("police", "police_monthly", date(2026, 4, 1))] == "on_time"
    assert state[("police", "police_monthly", date(2026, 5, 1))] == "late"
    assert state[("police", "police_monthly", date(2026, 6, 1))] == "not_yet_due"  # due 15 July
    assert state[("police", "police_monthly", date(2026, 7, 1))] == "not_yet_due"
    assert state[("vineyard", "outreach", date(2026, 4, 1))] == "nil_return"
    assert state[("vineyard", "supplies", date(2026, 4, 1))] == "missing"
    assert g.loc[0, "due"] == date(2026, 5, 15)
    # aspirations 5 returns + vineyard 2 + 8 partners with one each = 15 pairs x 4 months
    assert len(g) == 15 * 4
    # as it stood on 1 June: the May return had not arrived
    before = return_grid(engine=engine, start=date(2026, 5, 1), end=date(2026, 5, 31), as_of=date(2026, 6, 1))
    assert before.set_index(["partner", "return_name"]).loc[("police", "police_monthly"), "state"] == "not_yet_due"


def test_grid_period_helper():
    assert Period(date(2026, 4, 10), date(2026, 5, 2)).months() == [date(2026, 4, 1), date(2026, 5, 1)]


@pytest.mark.parametrize(
    ("loaded_local", "state"),
    [
        ("2026-10-15T23:30", "on_time"),  # 22:30 UTC: the 15th is still not over in Southend
        ("2026-10-16T00:30", "late"),  # 23:30 UTC on the 15th, but the 16th in Southend
    ],
)
def test_a_return_is_due_by_the_end_of_the_15th_uk_time(engine, monkeypatch, loaded_local, state):
    """Loaded "now" (the product's clock) in British Summer Time: the deadline is local midnight."""
    monkeypatch.setenv("OUTCOMES_TODAY", loaded_local)
    dataset.submit(
        engine,
        "police",
        "2026-09",
        {"police_monthly": (dataset.PM, [("2026-09-01", 1, 1, 1, 1)])},
        loaded_at=clock.utcnow(),
    )
    g = return_grid(engine=engine, start=date(2026, 9, 1), end=date(2026, 9, 30))
    row = g[(g["partner"] == "police") & (g["month"] == date(2026, 9, 1))].iloc[0]
    assert row["due"] == date(2026, 10, 15)
    assert row["state"] == state
    # and a month with nothing sent is missing only once its due date has passed, by the same clock
    vineyard = g[(g["partner"] == "vineyard") & (g["return_name"] == "outreach")].iloc[0]
    assert vineyard["state"] == ("missing" if state == "late" else "not_yet_due")
