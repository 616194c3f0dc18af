"""Rows written in bulk (storage.writer) are exactly what SQLAlchemy's own insert stores (both engines)."""

from __future__ import annotations

from datetime import date, datetime

import numpy as np
import pandas as pd
import pytest
import sqlalchemy as sa

from core.periods import parse
from core.returns import RETURNS
from storage import repository
from storage.repository import SheetRows, read_return, store_submission
from storage.schema import return_tables
from tests.storage._tools import sha_for, snapshot

PERIOD = "2026-04"
# Tab, newline, backslash, quotes and accents: text a COPY must carry unchanged.
AWKWARD = "food;arts\tcrafts\\n\n'x' \"é\""


def _old_records(return_name: str, frame: pd.DataFrame) -> list[dict]:
    # The parameters store_submission built before bulk inserts, kept here as the reference.
    spec = RETURNS[return_name]
    out = pd.DataFrame(index=frame.index)
    for c in spec.columns:
        if c.name not in frame:
            out[c.name] = None
            continue
        s = frame[c.name]
        if c.kind in ("date", "month"):
            s = pd.to_datetime(s).dt.date
        out[c.name] = s
    return out.astype(object).where(out.notna(), None).to_dict("records")


def _old_insert(conn, t, return_name, frame, fixed):
    recs = _old_records(return_name, frame)
    for r in recs:
        r.update(fixed)
    conn.execute(t.insert(), recs)


def _frame(return_name: str, n: int, *, loader_dtypes: bool) -> pd.DataFrame:
    """Every column of one return, optional ones partly missing.

    ``loader_dtypes``: the dtypes the loader hands over (datetime64, string, boolean, Int64); otherwise plain
    Python objects as hand-built frames hold them (dates, None, floats with NaN for counts with gaps).
    """
    spec = RETURNS[return_name]
    rng = np.random.default_rng(len(return_name))
    start = parse(PERIOD).start
    cols: dict[str, pd.Series] = {}
    for i, c in enumerate(spec.columns):
        missing = np.zeros(n, bool) if c.required else (np.arange(n) % (2 + i) == 1)
        if c.kind in ("date", "month"):
            days = rng.integers(0, 30, n) if c.kind == "date" else np.zeros(n, int)
            v = [start + pd.Timedelta(days=int(d)) for d in days]
            if loader_dtypes:
                s = pd.Series(pd.to_datetime(v), dtype="datetime64[us]").mask(missing)
            else:
                s = pd.Series([None if m else d for d, m in zip(v, missing, strict=True)], dtype=object)
        elif c.kind in ("count", "scale"):
            lo, hi = c.scale if c.kind == "scale" else (c.minimum, 40_000)
            v = rng.integers(lo, hi + 1, n)
            s = (
                pd.Series(pd.array(v, dtype="Int64")).mask(missing)
                if loader_dtypes
                else pd.Series([None if m else int(x) for x, m in zip(v, missing, strict=True)])
            )  # float64, NaN
        elif c.kind == "yesno":
            v = rng.random(n) < 0.5
            s = (
                pd.Series(pd.array(v, dtype="boolean")).mask(missing)
                if loader_dtypes
                else pd.Series([None if m else bool(x) for x, m in zip(v, missing, strict=True)], dtype=object)
            )
        else:
            if c.kind == "reference":
                v = [f"P{x:04d}" for x in rng.integers(1, 10_000, n)]
            elif c.kind == "code":
                v = [c.codes[x] for x in rng.integers(0, len(c.codes), n)]
            else:  # multi
                v = [";".join(c.codes[: 1 + x % 3]) for x in range(n)]
                v[0] = AWKWARD
            s = pd.Series(v, dtype="string" if loader_dtypes else object).mask(missing)
        cols[c.name] = s
    frame = pd.DataFrame(cols)
    if not loader_dtypes:
        optional = [c.name for c in spec.columns if not c.required]
        if optional:  # a column the sheet did not have at all is stored as NULL
            frame = frame.drop(columns=optional[-1])
    return frame


def _store(engine, return_name, frame, *, partner, sha, sheets=None, loaded_at=None):
    return store_submission(
        engine,
        sha256=sha_for(sha),
        file_name=f"{sha}.xlsx",
        partner=partner,
        period=parse(PERIOD),
        loaded_by="test",
        content=sha.encode(),
        warnings=[],
        loaded_at=loaded_at,
        sheets=sheets or [SheetRows(return_name, return_name, frame)],
    )


def _raw_rows(engine, return_name: str, partner: str) -> list[tuple]:
    """Stored values as the driver returns them (no SQLAlchemy type processing), with their Python types."""
    t = return_tables[return_name]
    names = ["valid_from", "superseded_at", "superseded_by", *RETURNS[return_name].column_names]
    q = engine.dialect.identifier_preparer.quote
    sql = f"SELECT {', '.join(q(n) for n in names)} FROM {t.name} WHERE partner = :p ORDER BY row_id"
    with engine.connect() as c:
        rows = c.execute(sa.text(sql), {"p": partner}).all()
        if engine.dialect.name == "sqlite":
            typeof = ", ".join(f"typeof({q(n)})" for n in names)
            storage = c.execute(
                sa.text(f"SELECT {typeof} FROM {t.name} WHERE partner = :p ORDER BY row_id"), {"p": partner}
            ).all()
        else:
            storage = [()] * len(rows)
    # True == 1 in Python: compare types too.
    return [(tuple(r), tuple(type(v).__name__ for v in r), tuple(s)) for r, s in zip(rows, storage, strict=True)]


@pytest.mark.parametrize("loader_dtypes", [True, False], ids=["loader-dtypes", "python-objects"])
@pytest.mark.parametrize("return_name", list(RETURNS))
def test_bulk_writes_store_what_sqlalchemys_insert_stores(engine, monkeypatch, return_name, loader_dtypes):
    frame = _frame(return_name, 1500, loader_dtypes=loader_dtypes)
    # A whole second: SQLite's text for it must still carry the microseconds, as SQLAlchemy writes them.
    loaded_at = datetime(2026, 5, 1, 9, 0)
    with monkeypatch.context() as m:
        m.setattr(repository, "write_rows", _old_insert)
        _store(engine, return_name, frame, partner="old", sha="old", loaded_at=loaded_at)
    _store(engine, return_name, frame, partner="new", sha="new", loaded_at=loaded_at)

    old, new = _raw_rows(engine, return_name, "old"), _raw_rows(engine, return_name, "new")
    assert len(new) == len(frame)
    assert new == old
    # read_return has no order (PostgreSQL may walk an index): compare both sorted alike.
    got, want = (
        _sorted(read_return(engine, return_name, partners=[p]).drop(columns="partner")) for p in ("new", "old")
    )
    pd.testing.assert_frame_equal(got, want)


def _sorted(df: pd.DataFrame) -> pd.DataFrame:
    return df.sort_values(list(df.columns), na_position="first", kind="stable").reset_index(drop=True)


def _plain(v):
    if v is None or v is pd.NaT or (not isinstance(v, str) and pd.isna(v)):
        return None
    if isinstance(v, pd.Timestamp):
        return v.date()
    if isinstance(v, np.integer | float):
        return int(v)
    if isinstance(v, np.bool_):
        return bool(v)
    return v


@pytest.mark.parametrize("return_name", ["police_monthly", "outreach", "attendance", "feedback", "treatment"])
def test_every_column_kind_round_trips_exactly(engine, return_name):
    # months and counts with gaps; booleans with gaps; codes and references; multi-codes with awkward text.
    frame = _frame(return_name, 700, loader_dtypes=True)
    _store(engine, return_name, frame, partner="aspirations", sha="a")
    back = read_return(engine, return_name)
    spec = RETURNS[return_name]
    assert list(back.columns) == ["partner", *spec.column_names]

    # read_return has no order: compare the rows as sorted lists.
    def rows(df):
        return sorted(zip(*([_plain(v) for v in df[c]] for c in spec.column_names), strict=True), key=repr)

    assert rows(back) == rows(frame)
    for c in spec.columns:
        assert back[c.name].isna().any() == (not c.required), c.name
    if return_name == "attendance":
        assert AWKWARD in set(back.services_used)


def test_dates_are_stored_as_before_and_months_as_their_first_day(engine):
    frame = pd.DataFrame(
        {
            "month": [date(2026, 4, 1)],
            "violence_reports": [3],
            "arrests_soliciting": [0],
            "support_referrals": [7],
            "kerb_crawling_actions": [None],
        }
    )
    _store(engine, "police_monthly", frame, partner="police", sha="p")
    [(row, _types, storage)] = _raw_rows(engine, "police_monthly", "police")
    if engine.dialect.name == "sqlite":
        assert row[1:] == (None, None, "2026-04-01", 3, 0, 7, None)
        assert storage == ("text", "null", "null", "text", "integer", "integer", "integer", "null")
    else:
        assert row[1:] == (None, None, date(2026, 4, 1), 3, 0, 7, None)
    assert read_return(engine, "police_monthly").month[0] == pd.Timestamp("2026-04-01")


def test_two_sheets_of_one_return_are_both_stored(engine):
    a, b = _frame("attendance", 30, loader_dtypes=True), _frame("attendance", 20, loader_dtypes=False)
    _store(
        engine,
        "attendance",
        None,
        partner="aspirations",
        sha="first",
        sheets=[SheetRows("Attendance", "attendance", a.iloc[:5])],
    )
    res = _store(
        engine,
        "attendance",
        None,
        partner="aspirations",
        sha="two sheets",
        sheets=[SheetRows("Week 1", "attendance", a), SheetRows("Week 2", "attendance", b)],
    )
    assert res.replaced == {"attendance": 5}
    assert len(read_return(engine, "attendance")) == 50


@pytest.mark.parametrize("failure", ["null in a required column", "count that is not whole"])
def test_a_failure_part_way_through_the_rows_changes_nothing(engine, failure):
    _store(engine, "police_monthly", _frame("police_monthly", 50, loader_dtypes=True), partner="police", sha="first")
    before = snapshot(engine)
    bad = _frame("police_monthly", 4000, loader_dtypes=False)
    if failure == "null in a required column":
        bad.loc[len(bad) - 1, "violence_reports"] = None  # the very last row: everything before it went in
        expected = sa.exc.IntegrityError
    else:
        bad["violence_reports"] = bad["violence_reports"].astype(float)
        bad.loc[len(bad) - 1, "violence_reports"] = 2.5
        expected = ValueError
    with pytest.raises(expected):
        _store(engine, "police_monthly", bad, partner="police", sha="bad")
    assert snapshot(engine) == before
    # The connection went back to the pool clean: the next load works.
    res = _store(
        engine, "police_monthly", _frame("police_monthly", 10, loader_dtypes=True), partner="police", sha="good"
    )
    assert res.replaced == {"police_monthly": 50}


def test_a_count_too_big_for_its_column_is_never_wrapped_around(engine, backend):
    # Binary COPY would silently store 2**31 as -2**31; an INSERT refused it. SQLite has no limit.
    big = pd.DataFrame(
        {
            "course_date": [pd.Timestamp("2026-04-02")],
            "agency": ["police"],
            "staff_trained": pd.array([2**31], dtype="Int64"),
        }
    )
    if backend == "postgresql":
        before = snapshot(engine)
        with pytest.raises(sa.exc.DataError, match="out of range"):
            _store(engine, "training", big, partner="trauma_alliance", sha="big")
        assert snapshot(engine) == before
    else:
        _store(engine, "training", big, partner="trauma_alliance", sha="big")
        assert list(read_return(engine, "training").staff_trained) == [2**31]
