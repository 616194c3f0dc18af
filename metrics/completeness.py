"""Completeness: which sources covered which months ("not reported" is not zero), and the returns grid."""

from __future__ import annotations

from datetime import date, datetime

import pandas as pd
import sqlalchemy as sa

from core import clock
from core.partners import partners
from core.periods import Period, add_months, due_date, month_end, month_start
from metrics.catalogue import Indicator
from storage.repository import end_of_day, read_coverage

Covered = set[tuple[str, date]]  # ("partner/return", first day of month)


def covered_months(coverage: pd.DataFrame) -> Covered:
    """(source, month) pairs covered by an accepted submission (data or nil) whose period holds the whole month."""
    out: Covered = set()
    if coverage.empty:
        return out
    for partner, ret, start, end in coverage[["partner", "return_name", "period_start", "period_end"]].itertuples(
        index=False
    ):
        s, e = pd.Timestamp(start).date(), pd.Timestamp(end).date()
        m = s if s.day == 1 else add_months(month_start(s), 1)
        while month_end(m) <= e:
            out.add((f"{partner}/{ret}", m))
            m = add_months(m, 1)
    return out


def assess(*, indicator: Indicator, period: Period, covered: Covered) -> tuple[str, list[str]]:
    """(status, missing) for one indicator and period, per indicators spec section 4."""
    months = period.months()
    missing = [f"{src}/{m:%Y-%m}" for src in indicator.sources for m in months if (src, m) not in covered]
    if not missing:
        return "complete", missing
    if not any((src, m) in covered for src in indicator.own_sources for m in months):
        return "not_reported", missing
    return "incomplete", missing


def return_grid(
    *, engine: sa.Engine, start: date, end: date, as_of: date | None = None, today: date | None = None
) -> pd.DataFrame:
    """One row per (partner, return_name, month) from ``start`` to ``end`` with its state.

    state: 'on_time' (first covering submission loaded by the end of the 15th of the following month),
    'late', 'nil_return' (the latest covering submission is a nil return), 'missing' (due date passed,
    nothing covers the month) or 'not_yet_due'. ``today`` defaults to ``as_of`` or the product's clock.
    """
    cov = read_coverage(engine, as_of=end_of_day(as_of) if as_of else None)
    today = today or as_of or clock.today()
    months = Period(month_start(start), end).months()
    rows = []
    for p in partners().values():
        for ret in p.returns:
            mine = cov[(cov["partner"] == p.code) & (cov["return_name"] == ret)]
            for m in months:
                due = due_date(m)
                hold = mine[
                    (mine["period_start"] <= pd.Timestamp(m)) & (mine["period_end"] >= pd.Timestamp(month_end(m)))
                ].sort_values("loaded_at")
                received: datetime | None = None
                if hold.empty:
                    state = "missing" if today > due else "not_yet_due"
                else:
                    received = hold["loaded_at"].iloc[0].to_pydatetime()
                    if int(hold["rows"].iloc[-1]) == 0:
                        state = "nil_return"
                    elif received <= end_of_day(due):
                        state = "on_time"
                    else:
                        state = "late"
                rows.append(
                    {
                        "partner": p.code,
                        "return_name": ret,
                        "month": m,
                        "state": state,
                        "due": due,
                        "received_at": received,
                    }
                )
    return pd.DataFrame(rows, columns=["partner", "return_name", "month", "state", "due", "received_at"])
