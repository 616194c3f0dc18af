"""The vectorised machinery: rows onto periods, one read per return."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.periods import month
from metrics.catalogue import BREAKDOWNS, CATALOGUE, entry
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


def test_has_code_matches_whole_codes_only():
    from metrics.compute import _has_code

    s = pd.Series(["hairdressing", "food; arts_crafts", None, "dental,food", "hairdressing_x", "", "food"],
                  dtype=object)
    assert _has_code(s, ("hairdressing", "arts_crafts")).tolist() == [True, True, False, False, False, False, False]
    assert _has_code(s.iloc[0:0], ("food",)).empty


def test_shared_numbers_each_woman_alike_in_every_table(golden_engine):
    from metrics.compute import SHARED
    from storage.repository import data_version

    SHARED.clear()
    version = data_version(golden_engine)
    att = SHARED.table(golden_engine, "attendance", as_of=None, version=version)
    out = SHARED.table(golden_engine, "outreach", as_of=None, version=version)
    for df in (att, out):  # sorted by day, women as numbers
        assert (np.diff(df["d"].to_numpy()) >= 0).all()
        assert df["person_id"].dtype == np.float64
    # The numbers stand for the same references in both tables, and a blank reference stays blank.
    refs = np.array(["P0001", None, "P0005", "P0001"], dtype=object)
    again = SHARED.numbering(golden_engine).of(refs)
    assert again[0] == again[3] and np.isnan(again[1])
    assert again[0] in set(att["person_id"]) and again[2] in set(out["person_id"])
    assert out["person_id"].isna().any()  # anonymous outreach contacts


def test_a_request_keeps_one_numbering_when_the_tables_are_cleared(golden_engine):
    from metrics.compute import SHARED

    SHARED.clear()
    t = Tables(engine=golden_engine, as_of=None, end=date(2026, 4, 30))
    c = Calculator(tables=t, periods=[month(2026, 3), month(2026, 4)])
    t.get("attendance")
    SHARED.clear()  # e.g. another session clears every cache while this request runs
    SHARED.table(golden_engine, "outreach", as_of=None, version=t._version)  # read under the new numbering
    assert list(c.eng01) == [2, 6]  # outreach read again under this request's numbering: P0001 counted once


def test_tables_read_side_by_side_equal_tables_read_one_at_a_time(golden_engine, monkeypatch):
    import threading

    import metrics.compute as mc

    names = list(mc.COLUMNS)
    mc.SHARED.clear()
    version = mc.data_version(golden_engine)
    one_by_one = {n: mc.SHARED.table(golden_engine, n, as_of=None, version=version) for n in names}
    mc.SHARED.clear()
    threads = set()
    real_read = mc._read
    monkeypatch.setattr(mc, "_read", lambda *a: threads.add(threading.current_thread().name) or real_read(*a))
    together = mc.SHARED.tables(golden_engine, names, as_of=None, version=version)
    assert any(t.startswith("read-table") for t in threads), "a file database is read side by side"
    assert list(together) == names
    for n in names:  # the same rows, and the same numbers for the same women (numbered in the order given)
        pd.testing.assert_frame_equal(together[n], one_by_one[n])
    assert mc.SHARED.tables(golden_engine, names[:2], as_of=None, version=version)["attendance"] is together[
        "attendance"]  # held: not read again


def _held_reads(monkeypatch, *held: str):
    """``_read`` made to wait, for the tables ``held``, until the returned event is set; with the threads that
    read each table and a function that waits until the held reads have begun."""
    import threading

    import metrics.compute as mc

    go, by = threading.Event(), {}
    begun = {name: threading.Event() for name in held}
    real_read = mc._read

    def read(engine, name, as_of):
        by[name] = threading.current_thread().name
        if name in held:
            begun[name].set()
            assert go.wait(30), "the test never let the read finish"
        return real_read(engine, name, as_of)

    def all_begun() -> None:
        assert all(e.wait(10) for e in begun.values()), "a reader never began a held read"

    monkeypatch.setattr(mc, "_read", read)
    return go, by, all_begun


def test_a_request_computes_from_the_first_tables_while_later_ones_are_still_read(golden_engine, monkeypatch):
    import metrics.compute as mc

    mc.SHARED.clear()
    go, by, all_begun = _held_reads(monkeypatch, "feedback")
    try:
        t = Tables(engine=golden_engine, as_of=None, end=date(2026, 4, 30))
        t.prefetch(["feedback", "attendance", "outreach"])  # returns at once: nothing waits for feedback here
        all_begun()
        c = Calculator(tables=t, periods=[month(2026, 3), month(2026, 4)])
        assert list(c.eng01) == [2, 6]  # from attendance and outreach, while feedback is still being read
        assert by["feedback"].startswith("read-table")
    finally:
        go.set()
    assert not t.get("feedback").empty


def test_a_read_no_reader_has_begun_is_done_by_the_request_itself(golden_engine, monkeypatch):
    import threading

    import metrics.compute as mc

    mc.SHARED.clear()
    busy = [n for n in mc.COLUMNS if n != "feedback"][:mc.READERS]  # one held read for every reader
    go, by, all_begun = _held_reads(monkeypatch, *busy)
    try:
        t = Tables(engine=golden_engine, as_of=None, end=date(2026, 4, 30))
        t.prefetch([*busy, "feedback"])  # every reader is kept busy: feedback waits its turn
        all_begun()
        assert not t.get("feedback").empty
        assert by["feedback"] == threading.current_thread().name  # not waited for: read here
    finally:
        go.set()
    for name in busy:
        assert not t.get(name).empty and by[name].startswith("read-table")


def test_an_in_memory_database_is_never_read_from_another_thread(monkeypatch):
    import metrics.compute as mc
    from storage.db import ensure_schema, get_engine

    eng = ensure_schema("sqlite://")  # one connection's own database: another thread would find it empty
    try:
        def no_threads():
            raise AssertionError("an in-memory database must be read in the request's own thread")

        monkeypatch.setattr(mc, "_readers", no_threads)
        mc.SHARED.clear()
        got = mc.SHARED.tables(eng, ["attendance", "outreach"], as_of=None, version=mc.data_version(eng))
        assert set(got) == {"attendance", "outreach"} and got["attendance"].empty
    finally:
        eng.dispose()
        get_engine.cache_clear()


def test_a_request_starts_reading_every_table_its_indicators_need_before_computing(golden_engine, monkeypatch):
    import metrics.compute as mc
    from metrics.api import _evaluate

    events = []
    real_start, real_get = mc._Shared.start, mc.Tables.get
    monkeypatch.setattr(mc._Shared, "start", lambda self, engine, names, **kw: events.append(list(names))
                        or real_start(self, engine, names, **kw))
    monkeypatch.setattr(mc.Tables, "get", lambda self, name: events.append(name) or real_get(self, name))
    mc.SHARED.clear()
    _evaluate(engine=golden_engine, periods=[month(2026, 4)], public=False, as_of=None, ids=["DRG-01", "SAF-01"])
    # Every table asked for at once, first, in the order the figures need them.
    assert events[0] == ["attendance", "outreach", "treatment", "safeguarding"]
    assert "attendance" in events[1:]  # and only then taken, one by one


def test_clearing_forgets_reads_not_yet_taken(golden_engine, monkeypatch):
    import metrics.compute as mc

    mc.SHARED.clear()
    busy = [n for n in mc.COLUMNS if n != "feedback"][:mc.READERS]
    go, _by, all_begun = _held_reads(monkeypatch, *busy)
    try:
        version = mc.data_version(golden_engine)
        mc.SHARED.start(golden_engine, [*busy, "feedback"], as_of=None, version=version)
        all_begun()
        mc.SHARED.clear()
        assert not mc.SHARED._reading  # feedback's read, not begun, is cancelled; nothing is kept
    finally:
        go.set()


@pytest.mark.parametrize("ind_id", [i.id for i in (*CATALOGUE, *BREAKDOWNS)])
def test_each_indicator_reads_exactly_the_tables_it_declares(golden_engine, ind_id):
    # A request has the declared tables read side by side first: a missing one would be read alone later,
    # an extra one read for nothing.
    from metrics.compute import compute_raw

    t = Tables(engine=golden_engine, as_of=None, end=date(2026, 4, 30), start=date(2026, 4, 1))
    compute_raw(calc=Calculator(tables=t, periods=[month(2026, 4)]), ids=[ind_id])
    assert sorted(t.reads) == sorted(entry(ind_id).tables)


def test_numbering_gives_each_reference_one_number():
    from metrics.compute import Numbering

    n = Numbering()
    first = n.of(np.array(["A", "B", None, "A"], dtype=object))
    assert first[0] == first[3] != first[1] and np.isnan(first[2])
    second = n.of(np.array(["C", "B"], dtype=object))
    assert second[1] == first[1] and second[0] not in (first[0], first[1])


class _ReadReturnTables:
    """The straightforward way to the same tables: read_return, day numbers, filtered, in the database's order,
    women as their references."""

    def __init__(self, engine, *, start, end):
        from datetime import timedelta

        from core.returns import RETURNS
        from metrics.compute import HISTORY_DAYS
        from storage.repository import read_return

        self.frames = {}
        for name in RETURNS:
            df = read_return(engine, name)
            df["d"] = (df[RETURNS[name].date_column].to_numpy("datetime64[D]")
                       - np.datetime64("1970-01-01", "D")).astype(np.int64)
            back = HISTORY_DAYS[name]
            keep = df["d"].to_numpy() <= day_number(end)
            if back is not None:
                keep &= df["d"].to_numpy() >= day_number(start - timedelta(days=back))
            self.frames[name] = df[keep].reset_index(drop=True)

    def get(self, name):
        return self.frames[name]


@pytest.mark.parametrize("public", [False, True])
def test_figures_from_shared_tables_equal_the_straightforward_read(golden_engine, public):
    from core.periods import Period
    from metrics.api import _evaluate
    from metrics.compute import SHARED

    periods = [month(2026, m) for m in (1, 2, 3, 4)] + [Period(date(2026, 2, 1), date(2026, 4, 30))]
    plain = _ReadReturnTables(golden_engine, start=date(2026, 1, 1), end=date(2026, 4, 30))
    for ids in (None, ["services"], ["accommodation"]):
        SHARED.clear()
        fast = _evaluate(engine=golden_engine, periods=periods, public=public, as_of=None, ids=ids)
        slow = _evaluate(engine=golden_engine, periods=periods, public=public, as_of=None, ids=ids, tables=plain)
        pd.testing.assert_frame_equal(fast.figures, slow.figures)
        pd.testing.assert_frame_equal(fast.cells, slow.cells)


def test_women_counted_by_number_as_by_reference_blank_included():
    # The shared tables number women; a plainly read frame holds references. Both count alike, and a blank
    # reference is one woman in its period, as drop_duplicates has it.
    from metrics.compute import _women

    refs = pd.DataFrame({"p": [0, 0, 0, 1, 1, 2, 2, 2], "person_id": ["P1", "P1", None, "P2", None, None, None, "P1"]})
    numbers = refs.assign(person_id=refs["person_id"].map({"P1": 0.0, "P2": 1.0}).astype(float))
    assert numbers["person_id"].isna().sum() == 4
    assert _women(refs, 4).tolist() == _women(numbers, 4).tolist() == [2.0, 2.0, 2.0, 0.0]
    assert _women(numbers.iloc[0:0], 3).tolist() == np.zeros(3).tolist()


_small = st.one_of(st.integers(0, 4).map(float), st.just(float("nan")))


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 3), _small, st.integers(0, 9)), max_size=30),
       st.sampled_from(["first", "last"]))
def test_distinct_rows_by_one_key_equal_drop_duplicates(rows, keep):
    from metrics.compute import _distinct

    df = pd.DataFrame(rows, columns=["p", "person_id", "d"]).astype({"p": np.int64, "person_id": float,
                                                                      "d": np.int64})
    for cols in (["p", "person_id"], ["p", "person_id", "d"], ["p", "d"]):
        pd.testing.assert_frame_equal(_distinct(df, cols, keep=keep), df.drop_duplicates(cols, keep=keep))


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(_small, st.integers(0, 40)), max_size=30), st.sampled_from(["first", "last"]))
def test_explode_distinct_equals_explode_then_drop_duplicates(rows, keep):
    from metrics.compute import explode_distinct

    df = pd.DataFrame(rows, columns=["person_id", "d"]).astype({"person_id": float, "d": np.int64})
    df = df.assign(x=np.arange(len(df))).sort_values("d", kind="stable").reset_index(drop=True)
    lo, hi = np.array([0, 5, 10, 30]), np.array([9, 20, 12, 45])
    want = explode(df, lo, hi).drop_duplicates(["p", "person_id"], keep=keep).reset_index(drop=True)
    pd.testing.assert_frame_equal(explode_distinct(df, lo, hi, ["person_id"], keep=keep), want)
    # References as text take the frame path, with the same answer.
    text = df.assign(person_id=df["person_id"].map(lambda v: None if np.isnan(v) else f"P{int(v)}"))
    got = explode_distinct(text, lo, hi, ["person_id"], keep=keep)
    assert got["x"].tolist() == want["x"].tolist()


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 3), st.sampled_from(["b", "a", "not_recorded", "Zed", None]),
                          st.one_of(st.integers(0, 5).map(float), st.just(float("nan")))), max_size=25),
       st.booleans())
def test_breakdown_of_a_categorical_equals_the_breakdown_of_its_text(rows, weighted):
    from metrics.compute import _breakdown

    text = pd.DataFrame(rows, columns=["p", "category_col", "w"]).astype({"p": np.int64, "category_col": object,
                                                                          "w": float})
    codes = text.assign(category_col=text["category_col"].astype("category"))
    weight = "w" if weighted else None
    pd.testing.assert_frame_equal(_breakdown(codes, "category_col", weight=weight),
                                  _breakdown(text, "category_col", weight=weight))
