"""The vectorised machinery: rows onto periods, one read per return."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from core.periods import month
from metrics.compute import Calculator, Tables, day_number, explode


def test_explode_repeats_rows_into_every_window_holding_them():
    df = pd.DataFrame({"x": ["a", "b", "c", "d"], "d": [10, 3, 5, 20]})
    out = explode(df, np.array([0, 4, 30]), np.array([5, 10, 40]))
    got = sorted(zip(out["p"], out["x"], strict=True))
    # window 0: days 0..5 -> b(3), c(5); window 1: 4..10 -> c(5), a(10); window 2: nothing
    assert got == [(0, "b"), (0, "c"), (1, "a"), (1, "c")]
    assert explode(df.iloc[0:0], np.array([0]), np.array([5])).empty


def test_day_number():
    assert day_number(date(1970, 1, 2)) == 1
    assert day_number(pd.Timestamp("2026-04-30")) - day_number(date(2026, 1, 29)) == 91


def test_tables_read_each_return_once(golden_engine):
    t = Tables(engine=golden_engine, as_of=None, end=date(2026, 4, 30))
    c = Calculator(tables=t, periods=[month(2026, 3), month(2026, 4)])
    assert list(c.eng01) == [2, 6]
    t.get("attendance")
    _ = c.current("treatment"), c.current("treatment")
    assert t.reads == ["attendance", "outreach", "treatment"]
