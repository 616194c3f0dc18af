"""The vectorised machinery: rows onto periods, one read per return, held per data version."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.periods import month
from metrics.catalogue import BREAKDOWNS, CATALOGUE, entry
from metrics.compute import Calculator, Tables
from metrics.frames import day_number, explode, per_period, women


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


def test_has_code_matches_whole_codes_only():
    from metrics.compute import _has_code

    s = pd.Series(
        ["hairdressing", "food; arts_crafts", None, "dental,food", "hairdressing_x", "", "food"], dtype=object
    )
    assert _has_code(s, ("hairdressing", "arts_crafts")).tolist() == [True, True, False, False, False, False, False]
    assert _has_code(s.iloc[0:0], ("food",)).empty


def test_explode_keeps_each_womans_first_or_last_row_per_window():
    df = pd.DataFrame({"person_id": [1.0, 2.0, 1.0, np.nan, 1.0, np.nan], "d": [1, 2, 3, 4, 8, 9], "x": list("abcdef")})
    lo, hi = np.array([0, 3]), np.array([5, 9])
    first = explode(df, lo, hi, each_woman="first")
    last = explode(df, lo, hi, each_woman="last")
    # window 0 (days 0..5): a b c d; window 1 (3..9): c d e f. A blank reference is one woman, as drop_duplicates.
    assert list(zip(first["p"], first["x"], strict=True)) == [(0, "a"), (0, "b"), (0, "d"), (1, "c"), (1, "d")]
    assert list(zip(last["p"], last["x"], strict=True)) == [(0, "b"), (0, "c"), (0, "d"), (1, "e"), (1, "f")]
    unsorted = df.iloc[::-1].reset_index(drop=True)  # rows come in day order whatever the table's order
    assert explode(unsorted, lo, hi)["d"].tolist() == [1, 2, 3, 4, 3, 4, 8, 9]


@settings(max_examples=100, deadline=None)
@given(
    st.lists(
        st.tuples(st.one_of(st.integers(0, 4).map(float), st.just(float("nan"))), st.integers(0, 40)), max_size=30
    ),
    st.sampled_from(["first", "last"]),
)
def test_explode_distinct_is_explode_then_drop_duplicates(rows, keep):
    df = pd.DataFrame(rows, columns=["person_id", "d"]).astype({"person_id": float, "d": np.int64})
    lo, hi = np.array([0, 5, 10, 30]), np.array([9, 20, 12, 45])
    want = explode(df, lo, hi).drop_duplicates(["p", "person_id"], keep=keep).reset_index(drop=True)
    pd.testing.assert_frame_equal(explode(df, lo, hi, each_woman=keep), want)


def test_counts_per_period():
    df = pd.DataFrame({"p": [0, 0, 0, 2, 2], "person_id": [1.0, 1.0, np.nan, 1.0, 2.0], "n": [1, 2, None, 4, 5]})
    assert per_period(df, 4).tolist() == [3, 0, 2, 0]
    assert per_period(df, 4, df["person_id"] == 1).tolist() == [2, 0, 1, 0]
    assert per_period(df, 4, weights="n").tolist() == [3, 0, 9, 0]
    assert women(df, 4).tolist() == [2, 0, 2, 0]
    assert women(df.iloc[0:0], 3).tolist() == [0, 0, 0]


def test_shared_numbers_each_woman_alike_in_every_table(golden_engine):
    from metrics.compute import SHARED
    from storage.repository import data_version

    SHARED.clear()
    version = data_version(golden_engine)
    numbering = SHARED.numbering(golden_engine, version)
    att = SHARED.table(golden_engine, "attendance", as_of=None, version=version, numbering=numbering)
    out = SHARED.table(golden_engine, "outreach", as_of=None, version=version, numbering=numbering)
    for df in (att, out):  # sorted by day, women as numbers
        assert (np.diff(df["d"].to_numpy()) >= 0).all()
        assert df["person_id"].dtype == np.float64
    # The numbers stand for the same references in both tables, and a blank reference stays blank.
    again = numbering.of(pd.Series(["P0001", None, "P0005", "P0001"], dtype=object))
    assert again[0] == again[3] and np.isnan(again[1])
    assert again[0] in set(att["person_id"]) and again[2] in set(out["person_id"])
    assert out["person_id"].isna().any()  # anonymous outreach contacts


def test_held_tables_are_read_once_per_data_version_and_as_of(golden_engine, monkeypatch):
    from datetime import datetime

    import metrics.compute as mc

    calls = []
    real = mc.read_return
    monkeypatch.setattr(mc, "read_return", lambda *a, **k: calls.append((a[1], k["as_of"])) or real(*a, **k))
    mc.SHARED.clear()
    version = mc.data_version(golden_engine)
    numbering = mc.SHARED.numbering(golden_engine, version)
    first = mc.SHARED.table(golden_engine, "attendance", as_of=None, version=version, numbering=numbering)
    assert mc.SHARED.table(golden_engine, "attendance", as_of=None, version=version, numbering=numbering) is first
    then = datetime(2026, 4, 1)
    mc.SHARED.table(golden_engine, "attendance", as_of=then, version=version, numbering=numbering)
    assert calls == [("attendance", None), ("attendance", then)]
    newer = (version[0] + 1, version[1])  # a file accepted since: older tables are dropped, never served
    assert mc.SHARED.numbering(golden_engine, newer) is not numbering
    mc.SHARED.table(
        golden_engine, "attendance", as_of=None, version=newer, numbering=mc.SHARED.numbering(golden_engine, newer)
    )
    assert len(calls) == 3 and all(k[1] != version for k in mc.SHARED._held)


def test_a_request_keeps_one_numbering_when_the_tables_are_cleared(golden_engine):
    from metrics.compute import SHARED

    SHARED.clear()
    t = Tables(engine=golden_engine, as_of=None, end=date(2026, 4, 30))
    c = Calculator(tables=t, periods=[month(2026, 3), month(2026, 4)])
    t.get("attendance")
    SHARED.clear()  # e.g. another session clears every cache while this request runs
    version = t._version
    SHARED.table(
        golden_engine, "outreach", as_of=None, version=version, numbering=SHARED.numbering(golden_engine, version)
    )  # read under the new numbering
    assert list(c.eng01) == [2, 6]  # outreach read again under this request's numbering: P0001 counted once


@pytest.mark.parametrize("ind_id", [i.id for i in (*CATALOGUE, *BREAKDOWNS)])
def test_each_indicator_reads_exactly_the_tables_it_declares(golden_engine, ind_id):
    # What an indicator reads is declared, so that a request for a few indicators reads only what they need.
    from metrics.compute import compute_raw

    t = Tables(engine=golden_engine, as_of=None, end=date(2026, 4, 30), start=date(2026, 4, 1))
    compute_raw(calc=Calculator(tables=t, periods=[month(2026, 4)]), ids=[ind_id])
    assert sorted(t.reads) == sorted(entry(ind_id).tables)


def test_numbering_gives_each_reference_one_number():
    from metrics.compute import Numbering

    n = Numbering()
    first = n.of(pd.Series(["A", "B", None, "A"], dtype=object))
    assert first[0] == first[3] != first[1] and np.isnan(first[2])
    second = n.of(pd.Series(["C", "B"], dtype=object))
    assert second[1] == first[1] and second[0] not in (first[0], first[1])
